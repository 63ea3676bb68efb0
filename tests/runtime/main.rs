//! In-process tests of a node's runtime, on real components from examples/ and a real redb store.

#[path = "../support/mod.rs"]
mod support;

mod activation;
mod isolation;
mod kinds;
mod lifecycle;
mod messaging;
mod reload;
