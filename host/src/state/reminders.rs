//! Durable reminders, kept by the state store beside grain state: each grain's named timers,
//! found by when they are next due so a node loads only a window of them, never all.

use super::StateError;
use crate::ids::GrainId;

/// One grain's reminder as stored: when it is next due and the tick it fires with then.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Reminder {
    /// The grain it wakes.
    pub grain: GrainId,
    /// Its name, unique per grain.
    pub name: String,
    /// When it is next due, in milliseconds since the Unix epoch.
    pub due_ms: u64,
    /// Milliseconds between ticks; 0: it fires once.
    pub period_ms: u64,
    /// The tick number it fires with next, from 1; it only increases, even across a reset.
    pub tick: u64,
}

impl Reminder {
    /// When it is due after firing at `now_ms`, or `None` if it fired for the last time. A
    /// reminder that fell behind skips the ticks it missed and keeps its phase.
    pub fn due_after_firing(&self, now_ms: u64) -> Option<u64> {
        if self.period_ms == 0 {
            return None;
        }
        let next = self.due_ms.saturating_add(self.period_ms);
        if next > now_ms {
            return Some(next);
        }
        let behind = now_ms - next;
        Some(now_ms.saturating_add(self.period_ms - behind % self.period_ms))
    }
}

/// A reminder fired: the one that fired (as loaded) and when it is due next (`None`: delete it).
#[derive(Clone, Debug)]
pub struct Fired {
    /// The reminder as it was loaded when it fired.
    pub reminder: Reminder,
    /// When it is next due; `None` for a one-shot reminder, which is then removed.
    pub next_due_ms: Option<u64>,
}

/// Where reminders live: the same store as grain state.
#[async_trait::async_trait]
pub trait ReminderStore: Send + Sync + 'static {
    /// Durably sets (or replaces) `grain`'s reminder `name`, keeping its tick count going.
    async fn set_reminder(
        &self,
        grain: &GrainId,
        name: &str,
        due_ms: u64,
        period_ms: u64,
    ) -> Result<Reminder, StateError>;

    /// Durably removes `grain`'s reminder `name`; `false` if there was none.
    async fn cancel_reminder(&self, grain: &GrainId, name: &str) -> Result<bool, StateError>;

    /// `grain`'s reminders, by name.
    async fn reminders_of(&self, grain: &GrainId) -> Result<Vec<Reminder>, StateError>;

    /// Up to `limit` reminders of any grain due before `before_ms`, the soonest first.
    async fn reminders_due(&self, before_ms: u64, limit: usize) -> Result<Vec<Reminder>, StateError>;

    /// Records firings in one write: each advances to its next due time and tick (or is
    /// removed) only if it is still as it was loaded (not reset, cancelled or fired
    /// elsewhere). Returns, per firing, whether it applied.
    async fn reminders_fired(&self, fired: &[Fired]) -> Result<Vec<bool>, StateError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn every(period_ms: u64, due_ms: u64) -> Reminder {
        Reminder { grain: "ticker/a".parse().expect("id"), name: "t".into(), due_ms, period_ms, tick: 1 }
    }

    #[test]
    fn a_one_shot_reminder_has_no_next_time() {
        assert_eq!(every(0, 1_000).due_after_firing(1_000), None);
    }

    #[test]
    fn on_time_it_is_due_one_period_later() {
        assert_eq!(every(500, 1_000).due_after_firing(1_010), Some(1_500));
    }

    #[test]
    fn behind_it_skips_missed_ticks_and_keeps_its_phase() {
        assert_eq!(every(500, 1_000).due_after_firing(2_700), Some(3_000));
        assert_eq!(every(500, 1_000).due_after_firing(3_000), Some(3_500));
    }
}
