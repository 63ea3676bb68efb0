//! End-to-end: real `granary dev` processes driven by the real `granary` CLI.
#![allow(clippy::unwrap_used)] // a test may panic where it must not fail

#[path = "../support/mod.rs"]
mod support;

mod bench;
mod crash;
mod dashboard;
mod dev_node;
mod http;
mod http_grants;
mod json_logs;
mod kinds;
mod limits;
mod metrics;
mod peer_security;
mod probes;
mod reflection;
mod reminders;
mod sagas;
mod scaffold;
mod typed;
