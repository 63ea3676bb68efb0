//! The host side of the contract, in both versions a node runs: `granary:grain@0.2.0`
//! (`wit/grain.wit`) and the frozen `granary:grain@0.1.0` (`wit/v0.1.0`) that components built
//! before it still target. These are the node's only `bindgen!`s; the
//! `typed-grain` world of 0.2.0 has a third, for its lifecycle exports and `typed-calls`.
//!
//! 0.2.0 keeps 0.1.0's `types` and `host` unchanged, so its `types` are 0.1.0's generated
//! types and one `host` implementation serves both. `call`, `send`, `save-state` and the
//! reminder functions are async: a grain waiting on them suspends its fiber and frees the
//! thread. The exports are called asynchronously so that the epoch callback can yield a
//! long-running guest back to the executor.

/// `granary:grain@0.1.0`: the three lifecycle exports and the `host` import.
pub mod v1 {
    wasmtime::component::bindgen!({
        path: "../wit/v0.1.0",
        world: "grain",
        imports: {
            "granary:grain/host.call": async,
            "granary:grain/host.send": async,
            "granary:grain/host.save-state": async,
        },
        exports: { default: async },
    });
}

/// `granary:grain@0.2.0`: 0.1.0, plus reminders, and the reminder and event exports.
pub mod v2 {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "grain",
        imports: {
            "granary:grain/host.call": async,
            "granary:grain/host.send": async,
            "granary:grain/host.save-state": async,
            "granary:grain/reminders.set-reminder": async,
            "granary:grain/reminders.cancel-reminder": async,
            "granary:grain/reminders.list-reminders": async,
            "granary:grain/topics.publish": async,
        },
        exports: { default: async },
        with: { "granary:grain/types": super::v1::granary::grain::types },
    });
}

/// `granary:grain@0.2.0`'s `typed-grain` world: the lifecycle exports of a typed kind (its own
/// interface is called dynamically, see `typed_exports`), and `typed-calls`.
pub mod typed {
    wasmtime::component::bindgen!({
        path: "../wit",
        world: "typed-grain",
        exports: { default: async },
        with: {
            "granary:grain/types": super::v1::granary::grain::types,
            "granary:grain/host": super::v2::granary::grain::host,
            "granary:grain/topics": super::v2::granary::grain::topics,
        },
    });
}

pub use self::v1::granary::grain::types::{CallError as WitCallError, GrainId as WitGrainId, LogLevel};
