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
//! - [`reminders`]: durable timers that wake the grain ([`Grain::receive_reminder`]).
//! - [`topics`]: publish events; take those of subscribed topics ([`Grain::receive_event`]).
//! - [`log`]: lines in the node's log.
//! - `lifecycle` (hidden): what the exported functions do with the grain value.

pub mod bindings;
pub mod grains;
pub mod json;
#[doc(hidden)]
pub mod lifecycle;
pub mod log;
pub mod reminders;
pub mod state;
pub mod topics;

pub use bindings::granary::grain::topics::Event;
pub use bindings::granary::grain::types::{CallError, GrainId, LogLevel};

/// One grain kind: a value created per activation that handles one message at a time.
pub trait Grain: Sized + 'static {
    /// Builds the grain when it is activated, typically from [`state::load`].
    fn activate() -> Self;

    /// Handles one message; an `Err` is returned to the caller as a failed call.
    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String>;

    /// A reminder this grain set is due ([`reminders::set`]). Delivered at least once: `tick`
    /// increases by one per firing, so a tick already seen is a duplicate. An `Err` is logged
    /// by the node; the reminder goes on.
    fn receive_reminder(&mut self, name: &str, tick: u64) -> Result<(), String> {
        Err(format!("this grain does not handle reminders (got {name:?}, tick {tick})"))
    }

    /// An event on a topic this grain's kind subscribes to. Delivered at least once and in
    /// order per (topic, key): a sequence already seen is a duplicate. An `Err` has it
    /// delivered again later.
    fn receive_event(&mut self, event: Event) -> Result<(), String> {
        Err(format!("this grain does not handle events (got one on {:?})", event.topic))
    }

    /// Runs before the activation is dropped. State saved in `handle` is already durable.
    fn deactivate(&mut self) {}
}

/// Exports a [`Grain`] type as this component's `activate`, `handle`, `receive-reminder`,
/// `receive-event` and `deactivate`.
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
            fn receive_reminder(
                name: ::std::string::String,
                tick: u64,
            ) -> ::std::result::Result<(), ::std::string::String> {
                $crate::lifecycle::with::<$grain, _>(|grain| grain.receive_reminder(&name, tick))
            }
            fn receive_event(event: $crate::Event) -> ::std::result::Result<(), ::std::string::String> {
                $crate::lifecycle::with::<$grain, _>(|grain| grain.receive_event(event))
            }
            fn deactivate() {
                $crate::lifecycle::deactivate::<$grain>()
            }
        }

        $crate::bindings::export!(__GranaryExports with_types_in $crate::bindings);
    };
}
