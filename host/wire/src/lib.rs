//! What a Granary node reads from the network, parsed and checked before anything acts on it:
//! grain ids and kind versions, the components pushed as kinds, and the settings of an HTTP
//! push. A crate of its own, with few dependencies, so that host/fuzz can fuzz it without
//! building wasmtime.

pub mod component;
pub mod ids;
pub mod push_query;
pub mod topics;
