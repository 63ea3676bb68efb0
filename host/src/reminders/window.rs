//! The reminders a node holds in memory: those due within the next few seconds, by due time,
//! and those firing now. Loaded from the store in rounds; what changed here while a round was
//! loading wins over the round's older snapshot.

use crate::ids::GrainId;
use crate::state::Reminder;
use std::collections::{BTreeSet, HashMap, HashSet};

/// A reminder's identity: its grain and name.
pub type ReminderKey = (GrainId, String);

fn key_of(reminder: &Reminder) -> ReminderKey {
    (reminder.grain.clone(), reminder.name.clone())
}

/// The reminders due soon, and those firing.
#[derive(Default)]
pub struct Window {
    by_due: BTreeSet<(u64, ReminderKey)>,
    entries: HashMap<ReminderKey, Reminder>,
    /// Taken to fire and not yet recorded: a load must not bring them back.
    firing: HashSet<ReminderKey>,
    /// Changed here since the current load began: the load's snapshot of them is older.
    changed: HashSet<ReminderKey>,
}

impl Window {
    /// Holds `reminder` (replacing its earlier version), unless it is firing.
    pub fn insert(&mut self, reminder: Reminder) {
        let key = key_of(&reminder);
        self.remove(&key);
        if !self.firing.contains(&key) {
            self.by_due.insert((reminder.due_ms, key.clone()));
            self.entries.insert(key, reminder);
        }
    }

    /// Drops the reminder `key` (it was cancelled, or is due later than the window).
    pub fn remove(&mut self, key: &ReminderKey) {
        if let Some(old) = self.entries.remove(key) {
            self.by_due.remove(&(old.due_ms, key.clone()));
        }
        self.changed.insert(key.clone());
    }

    /// A load from the store begins: what changes from now on is newer than its snapshot.
    pub fn begin_load(&mut self) {
        self.changed.clear();
    }

    /// The load's snapshot, `loaded`, replaces what the window held, except for reminders that
    /// changed here since it began or are firing.
    pub fn finish_load(&mut self, loaded: Vec<Reminder>) {
        let stale: Vec<ReminderKey> = self.entries.keys().filter(|key| !self.changed.contains(*key)).cloned().collect();
        for key in stale {
            if let Some(old) = self.entries.remove(&key) {
                self.by_due.remove(&(old.due_ms, key));
            }
        }
        for reminder in loaded {
            let key = key_of(&reminder);
            if !self.changed.contains(&key) && !self.firing.contains(&key) {
                self.by_due.insert((reminder.due_ms, key.clone()));
                self.entries.insert(key, reminder);
            }
        }
    }

    /// Takes every reminder due at `now_ms` to fire; each stays out of the window until
    /// [`Window::fired`] or [`Window::put_back`].
    pub fn take_due(&mut self, now_ms: u64) -> Vec<Reminder> {
        let mut due = Vec::new();
        while let Some((due_ms, _)) = self.by_due.first() {
            if *due_ms > now_ms {
                break;
            }
            let Some((_, key)) = self.by_due.pop_first() else { break };
            if let Some(reminder) = self.entries.remove(&key) {
                self.firing.insert(key);
                due.push(reminder);
            }
        }
        due
    }

    /// A firing is recorded: `next` is the reminder as it is now stored, if it is to be held.
    pub fn fired(&mut self, key: &ReminderKey, next: Option<Reminder>) {
        self.firing.remove(key);
        self.remove(key);
        if let Some(next) = next {
            self.insert(next);
        }
    }

    /// A firing did not happen (the grain could not be reached): try again at `due_ms`.
    pub fn put_back(&mut self, mut reminder: Reminder, due_ms: u64) {
        self.firing.remove(&key_of(&reminder));
        reminder.due_ms = due_ms;
        self.insert(reminder);
    }

    /// A firing that is not this node's to make (another member owns the grain).
    pub fn let_go(&mut self, key: &ReminderKey) {
        self.firing.remove(key);
    }

    /// When the soonest reminder held is due.
    pub fn next_due(&self) -> Option<u64> {
        self.by_due.first().map(|(due_ms, _)| *due_ms)
    }

    /// How many reminders it holds, firing ones included.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.entries.len() + self.firing.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(name: &str, due_ms: u64, tick: u64) -> Reminder {
        Reminder { grain: "ticker/a".parse().expect("id"), name: name.into(), due_ms, period_ms: 100, tick }
    }

    fn key(name: &str) -> ReminderKey {
        ("ticker/a".parse().expect("id"), name.into())
    }

    #[test]
    fn takes_only_what_is_due_soonest_first() {
        let mut window = Window::default();
        window.insert(at("late", 300, 1));
        window.insert(at("early", 100, 1));
        window.insert(at("mid", 200, 1));
        let due: Vec<String> = window.take_due(200).into_iter().map(|r| r.name).collect();
        assert_eq!(due, ["early", "mid"]);
        assert_eq!(window.next_due(), Some(300));
    }

    #[test]
    fn a_load_does_not_bring_back_a_firing_or_changed_reminder() {
        let mut window = Window::default();
        window.insert(at("t", 100, 1));
        let taken = window.take_due(100);
        window.begin_load();
        window.insert(at("set-meanwhile", 150, 4));
        window.finish_load(vec![at("t", 100, 1), at("set-meanwhile", 120, 3), at("other", 130, 1)]);
        assert_eq!(
            window.take_due(1_000).iter().map(|r| (r.name.as_str(), r.tick)).collect::<Vec<_>>(),
            [("other", 1), ("set-meanwhile", 4)]
        );
        window.fired(&key("t"), Some(at("t", 200, 2)));
        assert_eq!(taken.len(), 1);
        assert_eq!(window.take_due(1_000).iter().map(|r| r.tick).collect::<Vec<_>>(), [2], "held again once recorded");
    }

    #[test]
    fn a_load_drops_what_the_store_no_longer_has_due() {
        let mut window = Window::default();
        window.begin_load();
        window.finish_load(vec![at("t", 100, 1)]);
        window.begin_load();
        window.finish_load(vec![]);
        assert_eq!(window.len(), 0, "cancelled elsewhere or due beyond the window");
    }

    #[test]
    fn an_unreached_grain_is_tried_again_later() {
        let mut window = Window::default();
        window.insert(at("t", 100, 1));
        let taken = window.take_due(100).remove(0);
        window.put_back(taken, 1_100);
        assert!(window.take_due(1_000).is_empty());
        assert_eq!(window.take_due(1_100).len(), 1);
    }
}
