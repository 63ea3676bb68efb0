//! Write Granary grains in Rust: implement [`Grain`], export it with [`export_grain!`].
//!
//! ```ignore
//! #[derive(Default, serde::Serialize, serde::Deserialize)]
//! struct Counter { total: i64 }
//!
//! impl granary_sdk::Grain for Counter {
//!     fn activate() -> Self { granary_sdk::state::load().ok().flatten().unwrap_or_default() }
//!     fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
//!         match method {
//!             "get" => granary_sdk::json::reply(self),
//!             other => Err(format!("unknown method {other:?}")),
//!         }
//!     }
//! }
//! granary_sdk::export_grain!(Counter);
//! ```
//!
//! # Layout
//! - [`bindings`]: the one `wit_bindgen::generate!` of `wit/grain.wit`.
//! - [`json`]: payload parsing and replies as JSON.
//! - [`state`]: typed load/save of the grain's persisted state.
//! - [`grains`]: this grain's identity and messages to other grains.
//! - [`log`]: lines in the node's log.
//! - `lifecycle` (hidden): what the exported functions do with the grain value.

pub mod bindings;
pub mod grains;
pub mod json;
#[doc(hidden)]
pub mod lifecycle;
pub mod log;
pub mod state;

pub use bindings::granary::grain::types::{CallError, GrainId, LogLevel};

/// One grain kind: a value created per activation that handles one message at a time.
pub trait Grain: Sized + 'static {
    /// Builds the grain when it is activated, typically from [`state::load`].
    fn activate() -> Self;

    /// Handles one message; an `Err` is returned to the caller as a failed call.
    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String>;

    /// Runs before the activation is dropped. State saved in `handle` is already durable.
    fn deactivate(&mut self) {}
}

/// Exports a [`Grain`] type as this component's `activate`, `handle` and `deactivate`.
#[macro_export]
macro_rules! export_grain {
    ($grain:ty) => {
        struct __GranaryExports;

        impl $crate::bindings::Guest for __GranaryExports {
            fn activate() {
                $crate::lifecycle::activate::<$grain>()
            }
            fn handle(
                method: ::std::string::String,
                payload: ::std::vec::Vec<u8>,
            ) -> ::std::result::Result<::std::vec::Vec<u8>, ::std::string::String> {
                $crate::lifecycle::handle::<$grain>(&method, &payload)
            }
            fn deactivate() {
                $crate::lifecycle::deactivate::<$grain>()
            }
        }

        $crate::bindings::export!(__GranaryExports with_types_in $crate::bindings);
    };
}
