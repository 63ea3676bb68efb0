//! The behaviour every store's event queue must show; run by each store's tests (PostgreSQL's
//! from the integration tests, hence `pub`).

use super::StateStore;
use super::events::EventStream;
use std::sync::Arc;

fn stream(kind: &str, topic: &str, key: &str) -> EventStream {
    EventStream { kind: kind.into(), topic: topic.into(), key: key.into() }
}

/// Every event case. Each uses topics of its own; the store may hold other events.
pub async fn run(store: Arc<dyn StateStore>) {
    sequences_count_per_topic_and_key(store.as_ref()).await;
    each_subscriber_gets_its_own_queue(store.as_ref()).await;
    concurrent_publishes_get_distinct_sequences(Arc::clone(&store)).await;
}

async fn sequences_count_per_topic_and_key(store: &dyn StateStore) {
    let kinds = ["ledger".to_string()];
    assert_eq!(store.publish("deposits", "a", b"1", &kinds).await.expect("publish"), 1);
    assert_eq!(store.publish("deposits", "a", b"2", &kinds).await.expect("publish"), 2);
    assert_eq!(store.publish("deposits", "b", b"3", &kinds).await.expect("publish"), 1, "per key");
    assert_eq!(store.publish("withdrawals", "a", b"4", &[]).await.expect("publish"), 1, "per topic, even unheard");
    let a = stream("ledger", "deposits", "a");
    let queued = store.queued_events(&a, 10).await.expect("queued");
    let seen: Vec<(u64, &[u8])> = queued.iter().map(|e| (e.sequence, e.payload.as_slice())).collect();
    assert_eq!(seen, [(1, &b"1"[..]), (2, &b"2"[..])], "in sequence order");
    store.delivered(&[(a.clone(), 1)]).await.expect("delivered");
    let left: Vec<u64> = store.queued_events(&a, 10).await.expect("queued").iter().map(|e| e.sequence).collect();
    assert_eq!(left, [2]);
    store.delivered(&[(a.clone(), 2), (stream("ledger", "deposits", "b"), 1)]).await.expect("delivered");
    let streams = store.queued_streams(1_000).await.expect("streams");
    assert!(!streams.iter().any(|s| s.topic == "deposits" || s.topic == "withdrawals"), "all delivered: {streams:?}");
}

async fn each_subscriber_gets_its_own_queue(store: &dyn StateStore) {
    let kinds = ["ledger".to_string(), "audit".to_string()];
    store.publish("fanout", "k", b"e", &kinds).await.expect("publish");
    let mut streams: Vec<EventStream> =
        store.queued_streams(1_000).await.expect("streams").into_iter().filter(|s| s.topic == "fanout").collect();
    streams.sort();
    assert_eq!(streams, [stream("audit", "fanout", "k"), stream("ledger", "fanout", "k")]);
    store.delivered(&[(stream("ledger", "fanout", "k"), 1)]).await.expect("delivered");
    assert_eq!(
        store.queued_events(&stream("audit", "fanout", "k"), 10).await.expect("queued").len(),
        1,
        "audit's stays"
    );
    store.delivered(&[(stream("audit", "fanout", "k"), 1)]).await.expect("delivered");
}

async fn concurrent_publishes_get_distinct_sequences(store: Arc<dyn StateStore>) {
    let publishes = (0..32).map(|n| {
        let store = Arc::clone(&store);
        tokio::spawn(async move { store.publish("race", "k", format!("{n}").as_bytes(), &["ledger".into()]).await })
    });
    let mut sequences: Vec<u64> = Vec::new();
    for publish in publishes {
        sequences.push(publish.await.expect("task").expect("publish"));
    }
    sequences.sort_unstable();
    assert_eq!(sequences, (1..=32).collect::<Vec<u64>>(), "each publish its own number, none skipped");
    let queued = store.queued_events(&stream("ledger", "race", "k"), 100).await.expect("queued");
    assert_eq!(queued.len(), 32);
    let delivered: Vec<(EventStream, u64)> = queued.iter().map(|e| (e.stream.clone(), e.sequence)).collect();
    store.delivered(&delivered).await.expect("delivered");
}
