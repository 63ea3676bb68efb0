//! Durable reminders: named timers that wake this grain through [`crate::Grain::receive_reminder`],
//! activating it if needed, across restarts and the loss of a member.

use crate::bindings::granary::grain::reminders;
use std::time::Duration;

pub use crate::bindings::granary::grain::reminders::Reminder;

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Durably sets (or replaces) the reminder `name`: first due after `due_after`, then every
/// `period` (zero: it fires once). Replacing one keeps its tick numbers increasing.
pub fn set(name: &str, due_after: Duration, period: Duration) -> Result<(), String> {
    reminders::set_reminder(name, millis(due_after), millis(period))
}

/// Durably removes the reminder `name`; `false` if there was none.
pub fn cancel(name: &str) -> Result<bool, String> {
    reminders::cancel_reminder(name)
}

/// This grain's reminders.
pub fn list() -> Result<Vec<Reminder>, String> {
    reminders::list_reminders()
}
