//! The wasmtime side of a node: engine, kinds, and grain instances under limits.

mod artifact_cache;
mod bindings;
mod engine;
mod grain_host;
mod grain_state;
mod host_impl;
mod host_impl_typed;
mod host_impl_v2;
mod http_grants;
mod instance;
mod kind;
mod limits;
mod typed_exports;
mod typed_imports;
mod world;

pub use artifact_cache::ArtifactCache;
pub use engine::{EpochTicker, build_engine};
pub use grain_host::GrainHost;
pub use grain_state::GrainState;
pub use http_grants::{HostGrant, HttpGrants};
pub use instance::GrainInstance;
pub use kind::{Kind, KindCompiler, KindError};
pub use limits::Fault;
