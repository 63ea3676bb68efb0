//! In-process tests of a node's runtime, on real components from examples/ and real state
//! stores (redb, and a PostgreSQL server the tests start).
#![allow(clippy::unwrap_used)] // a test may panic where it must not fail

#[path = "../support/mod.rs"]
mod support;

mod activation;
mod activation_life;
mod cluster_scenarios;
mod in_process_cluster;
mod inline_turns;
mod isolation;
mod kinds;
mod lifecycle;
mod membership;
mod messaging;
mod reload;
mod state_postgres;
mod transport;
