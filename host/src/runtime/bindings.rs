//! The host side of `wit/grain.wit`: the node's only `bindgen!`.
//!
//! `call`, `send` and `save-state` are async: a grain waiting on them suspends its
//! fiber and frees the thread. The exports are called asynchronously so that the
//! epoch callback can yield a long-running guest back to the executor.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "grain",
    imports: {
        "granary:grain/host.call": async,
        "granary:grain/host.send": async,
        "granary:grain/host.save-state": async,
    },
    exports: { default: async },
});

pub use self::granary::grain::types::{CallError as WitCallError, GrainId as WitGrainId, LogLevel};
