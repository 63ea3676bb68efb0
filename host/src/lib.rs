//! Granary: a virtual-actor (grain) platform whose grains are WebAssembly components.
//!
//! A grain is addressed only by its cluster identity `kind/identity`. The first message
//! activates it in a sandboxed wasmtime instance; it handles one message at a time and
//! is deactivated, state saved, after its receive timeout.
//!
//! # Layout
//! Each module uses only the modules on the floors below it.
//! - Floor 0: [`ids`], [`error`], [`config`], [`message`] (a message and its call chain),
//!   [`node_message`] (the node's own messages to grains, such as a reminder's tick),
//!   [`proto`] (the generated wire types of the public API and the peer protocol).
//! - Floor 1: [`state`] (the `StateStore` trait, grain state and reminders: redb, PostgreSQL,
//!   in memory) and [`runtime`]
//!   (the wasmtime engine, kinds, instances under limits, the host functions), which reaches
//!   the node only through its `GrainHost` trait; [`kinds`]: kinds by name, hot reload.
//! - Floor 2: [`activation`] (one task and mailbox per live grain, the directory and PID
//!   cache), [`cluster`] (membership, placement, the transport to peers: tonic or in memory)
//!   and [`reminders`] (the window of durable reminders due soon).
//! - Floor 3: [`router`]: routes messages, starts activations, implements `GrainHost`.
//! - Floor 4: [`node`]: assembles the above and owns every background task.
//! - Floor 5: [`api`]: the public gRPC API and HTTP gateway.
//!
//! The command line (`granary`) and the benchmarks (`granary bench`) are crates of their own.

#![deny(missing_docs)]

pub mod activation;
pub mod api;
pub mod cluster;
pub mod config;
pub mod error;
pub use granary_wire::ids;
pub mod kinds;
pub mod message;
pub mod metrics;
pub mod node;
pub mod node_message;
pub mod proto;
pub mod reminders;
pub mod router;
pub mod runtime;
pub mod state;
pub mod telemetry;
pub mod typed;
