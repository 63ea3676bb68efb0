//! Durable reminders: each grain's named timers, kept in the state store. A node holds in
//! memory only those due within [`WINDOW`], reloaded every [`RELOAD_EVERY`], so a store with
//! millions of reminders costs a node only the ones about to fire. The node's firing loop
//! (`node::reminder_firing`) takes them when due and fires those whose grain it owns.

mod window;

use crate::ids::GrainId;
use crate::state::{Fired, Reminder, StateStore};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::Notify;
use window::Window;

/// How far ahead a node loads reminders.
pub const WINDOW: Duration = Duration::from_secs(5);
/// How often it loads them again, picking up grains it came to own and reminders set elsewhere.
pub const RELOAD_EVERY: Duration = Duration::from_secs(1);
/// The most reminders one load takes; more due within the window wait for the next.
const LOAD_LIMIT: usize = 100_000;
/// The shortest period a reminder may have.
pub const MIN_PERIOD: Duration = Duration::from_millis(10);
/// The longest reminder name.
const MAX_NAME_BYTES: usize = 256;
/// The most reminders one grain may have.
const MAX_PER_GRAIN: usize = 1_000;

/// Milliseconds since the Unix epoch, as reminders count time.
pub fn now_ms() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
}

fn now_us() -> u64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since.as_micros()).unwrap_or(u64::MAX)
}

fn ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// How late reminders fired on this node so far: from each one's due time to its tick
/// being taken to fire.
#[derive(Clone, Copy, Debug, Default)]
pub struct Lateness {
    /// Ticks taken to fire.
    pub fired: u64,
    /// The median lateness.
    pub p50: Duration,
    /// The 99th percentile.
    pub p99: Duration,
    /// The latest.
    pub max: Duration,
}

/// The node's reminders: the store they live in and the window it holds.
pub struct ReminderSchedule {
    store: Arc<dyn StateStore>,
    window: Mutex<Window>,
    /// Microseconds from due to taken, per tick (up to an hour; later counts as an hour).
    lateness: Mutex<hdrhistogram::Histogram<u64>>,
    /// Woken when the window gains a reminder that may be due sooner than the loop expects.
    changed: Notify,
}

impl ReminderSchedule {
    /// Reminders kept in `store`.
    pub fn new(store: Arc<dyn StateStore>) -> Self {
        let lateness = hdrhistogram::Histogram::new_with_max(3_600_000_000, 3).expect("valid histogram bounds");
        ReminderSchedule {
            store,
            window: Mutex::new(Window::default()),
            lateness: Mutex::new(lateness),
            changed: Notify::new(),
        }
    }

    fn window(&self) -> MutexGuard<'_, Window> {
        self.window.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Durably sets `grain`'s reminder `name`, first due after `due_after`, then every `period`
    /// (zero: once). The error is meant for the grain.
    pub async fn set(&self, grain: &GrainId, name: &str, due_after: Duration, period: Duration) -> Result<(), String> {
        if name.is_empty() || name.len() > MAX_NAME_BYTES || name.chars().any(char::is_control) {
            return Err(format!("reminder name {name:?}: 1 to {MAX_NAME_BYTES} bytes without control characters"));
        }
        if !period.is_zero() && period < MIN_PERIOD {
            return Err(format!("reminder period {period:?}: at least {MIN_PERIOD:?}, or 0 to fire once"));
        }
        let existing = self.store.reminders_of(grain).await.map_err(|e| e.to_string())?;
        if existing.len() >= MAX_PER_GRAIN && !existing.iter().any(|reminder| reminder.name == name) {
            return Err(format!("{grain} already has {MAX_PER_GRAIN} reminders, the most a grain may have"));
        }
        let now = now_ms();
        let due_ms = now.saturating_add(ms(due_after));
        let reminder = self.store.set_reminder(grain, name, due_ms, ms(period)).await.map_err(|e| e.to_string())?;
        let key = (grain.clone(), name.to_string());
        let mut window = self.window();
        if due_ms < now.saturating_add(ms(WINDOW)) {
            let sooner = window.next_due().is_none_or(|next| due_ms < next);
            window.insert(reminder);
            if sooner {
                self.changed.notify_one();
            }
        } else {
            window.remove(&key);
        }
        Ok(())
    }

    /// Durably removes `grain`'s reminder `name`; `false` if there was none.
    pub async fn cancel(&self, grain: &GrainId, name: &str) -> Result<bool, String> {
        let removed = self.store.cancel_reminder(grain, name).await.map_err(|e| e.to_string())?;
        self.window().remove(&(grain.clone(), name.to_string()));
        Ok(removed)
    }

    /// `grain`'s reminders, from the store.
    pub async fn of(&self, grain: &GrainId) -> Result<Vec<Reminder>, String> {
        self.store.reminders_of(grain).await.map_err(|e| e.to_string())
    }

    /// Loads the reminders due within the window from the store.
    pub async fn reload(&self) -> Result<(), String> {
        self.window().begin_load();
        let horizon = now_ms().saturating_add(ms(WINDOW));
        let loaded = self.store.reminders_due(horizon, LOAD_LIMIT).await.map_err(|e| e.to_string())?;
        self.window().finish_load(loaded);
        Ok(())
    }

    /// Takes every reminder due now to fire. Each must then be recorded, put back or let go.
    pub fn take_due(&self) -> Vec<Reminder> {
        let now_us = now_us();
        let due = self.window().take_due(now_us / 1000);
        if !due.is_empty() {
            let mut lateness = self.lateness.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            for reminder in &due {
                lateness.saturating_record(now_us.saturating_sub(reminder.due_ms.saturating_mul(1000)));
            }
        }
        due
    }

    /// How late the reminders taken so far were.
    pub fn lateness(&self) -> Lateness {
        let lateness = self.lateness.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let micros = |quantile: f64| Duration::from_micros(lateness.value_at_quantile(quantile));
        Lateness {
            fired: lateness.len(),
            p50: micros(0.5),
            p99: micros(0.99),
            max: Duration::from_micros(lateness.max()),
        }
    }

    /// How long until the soonest reminder held is due, if any.
    pub fn until_next(&self) -> Option<Duration> {
        let next = self.window().next_due()?;
        Some(Duration::from_millis(next.saturating_sub(now_ms())))
    }

    /// Resolves when the window gained a reminder that may be due sooner than the loop expects.
    pub async fn changed(&self) {
        self.changed.notified().await;
    }

    /// Records firings in the store in one write and holds each advanced reminder again
    /// when it is due within the window.
    pub async fn record(&self, fired: Vec<Fired>) -> Result<(), String> {
        let recorded = self.store.reminders_fired(&fired).await;
        let horizon = now_ms().saturating_add(ms(WINDOW));
        let mut window = self.window();
        let applied = match &recorded {
            Ok(applied) => applied.clone(),
            Err(_) => vec![false; fired.len()],
        };
        for (Fired { reminder, next_due_ms }, applied) in fired.into_iter().zip(applied) {
            let key = (reminder.grain.clone(), reminder.name.clone());
            let next = next_due_ms.filter(|due| applied && *due < horizon).map(|due_ms| Reminder {
                due_ms,
                tick: reminder.tick + 1,
                ..reminder
            });
            window.fired(&key, next);
        }
        drop(window);
        self.changed.notify_one();
        recorded.map(|_| ()).map_err(|e| e.to_string())
    }

    /// A firing that did not reach its grain: try again after `pause`.
    pub fn retry(&self, reminder: Reminder, pause: Duration) {
        self.window().put_back(reminder, now_ms().saturating_add(ms(pause)));
        self.changed.notify_one();
    }

    /// A firing that is not this node's to make: another member owns the grain.
    pub fn let_go(&self, reminder: &Reminder) {
        self.window().let_go(&(reminder.grain.clone(), reminder.name.clone()));
    }
}

/// The firing of `reminder` now: when it is due next, if ever.
pub fn firing(reminder: Reminder) -> Fired {
    let next_due_ms = reminder.due_after_firing(now_ms());
    Fired { reminder, next_due_ms }
}
