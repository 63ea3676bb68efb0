//! The behaviour every store's reminders must show; run by each store's tests (PostgreSQL's
//! from the integration tests, hence `pub`).

use super::StateStore;
use super::reminders::Fired;
use super::suite::id;
use std::sync::Arc;

/// Every reminder case. Each uses grains of its own; the store may hold other reminders.
pub async fn run(store: Arc<dyn StateStore>) {
    set_list_and_cancel(store.as_ref()).await;
    only_the_due_window_is_loaded(store.as_ref()).await;
    firing_advances_once_and_ticks_only_grow(store.as_ref()).await;
}

async fn set_list_and_cancel(store: &dyn StateStore) {
    let grain = id("ticker/listed");
    store.set_reminder(&grain, "b", 5_000, 1_000).await.expect("set b");
    let a = store.set_reminder(&grain, "a", 7_000, 0).await.expect("set a");
    assert_eq!((a.tick, a.due_ms, a.period_ms), (1, 7_000, 0), "a new reminder starts at tick 1");
    let names: Vec<String> = store.reminders_of(&grain).await.expect("list").into_iter().map(|r| r.name).collect();
    assert_eq!(names, ["a", "b"], "listed by name");
    assert!(store.reminders_of(&id("ticker/other")).await.expect("list other").is_empty(), "per grain");
    assert!(store.cancel_reminder(&grain, "a").await.expect("cancel a"), "a was there");
    assert!(!store.cancel_reminder(&grain, "a").await.expect("cancel a again"), "a is gone");
    assert_eq!(store.reminders_of(&grain).await.expect("list").len(), 1);
    store.cancel_reminder(&grain, "b").await.expect("cancel b");
}

async fn only_the_due_window_is_loaded(store: &dyn StateStore) {
    let base = 1_000_000_000;
    for n in 0..10u64 {
        store.set_reminder(&id(&format!("window/{n}")), "w", base + n * 1_000, 0).await.expect("set");
    }
    let due = store.reminders_due(base + 3_500, 100).await.expect("due");
    let ours: Vec<u64> = due.iter().filter(|r| r.grain.kind().as_str() == "window").map(|r| r.due_ms).collect();
    assert_eq!(ours, [base, base + 1_000, base + 2_000, base + 3_000], "due before the window's end, soonest first");
    let limited = store.reminders_due(u64::MAX / 2, 2).await.expect("due, limited");
    assert_eq!(limited.len(), 2, "at most the limit");
    assert!(limited[0].due_ms <= limited[1].due_ms, "soonest first");
    for n in 0..10u64 {
        store.cancel_reminder(&id(&format!("window/{n}")), "w").await.expect("cancel");
    }
}

async fn firing_advances_once_and_ticks_only_grow(store: &dyn StateStore) {
    let grain = id("ticker/fired");
    let loaded = store.set_reminder(&grain, "t", 1_000, 500).await.expect("set");
    let fired = Fired { reminder: loaded.clone(), next_due_ms: Some(1_500) };
    assert_eq!(store.reminders_fired(std::slice::from_ref(&fired)).await.expect("fired"), [true]);
    assert_eq!(
        store.reminders_fired(std::slice::from_ref(&fired)).await.expect("fired twice"),
        [false],
        "a firing already recorded (by another node) does not apply again"
    );
    let now = &store.reminders_of(&grain).await.expect("list")[0];
    assert_eq!((now.tick, now.due_ms), (2, 1_500), "advanced one tick");

    let reset = store.set_reminder(&grain, "t", 9_000, 500).await.expect("reset");
    assert_eq!(reset.tick, 2, "a reset keeps the tick count");
    let stale = Fired { reminder: now.clone(), next_due_ms: Some(2_000) };
    let once = Fired { reminder: reset.clone(), next_due_ms: None };
    assert_eq!(
        store.reminders_fired(&[stale, once]).await.expect("batch"),
        [false, true],
        "a firing of the reminder before its reset does not apply; each in a batch stands alone"
    );
    assert!(store.reminders_of(&grain).await.expect("list").is_empty(), "a last firing removes it");
}
