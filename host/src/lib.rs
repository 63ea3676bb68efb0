//! Granary: a virtual-actor (grain) platform whose grains are WebAssembly components.
//!
//! A grain is addressed only by its cluster identity `kind/identity`. The first message
//! activates it in a sandboxed wasmtime instance; it handles one message at a time and
//! is deactivated, state saved, after its receive timeout.
//!
//! # Layout
//! - [`node`]: a node assembled from the parts below, and its shutdown.
//! - [`router`]: routes a message to the grain's activation (PID cache, then directory).
//! - [`activation`]: one task and bounded mailbox per live grain; the directory of them.
//! - [`pid_cache`]: the moka LRU from grain id to PID.
//! - [`runtime`]: the wasmtime engine, kinds (checked, compiled, cached), instances under limits,
//!   and the host functions grains import.
//! - [`kinds`]: kinds by name: push (hot reload), rollback, removal, persisted with their modules.
//! - [`state`]: the `StateStore` trait with epoch and etag fencing; redb, in-memory and PostgreSQL
//!   stores.
//! - [`api`]: the gRPC API; [`cli`]: the `granary` command line; [`bench`]: `granary bench`.
//! - [`config`], [`ids`], [`error`]: settings, typed identities, call errors.

pub mod activation;
pub mod api;
pub mod bench;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod error;
pub mod ids;
pub mod kinds;
pub mod node;
pub mod pid_cache;
pub mod router;
pub mod runtime;
pub mod state;
