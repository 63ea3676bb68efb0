//! Activation on demand, exactly once per identity.

use crate::support::{call, node_with};
use granary::config::KindSettings;
use std::collections::BTreeSet;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn first_message_activates_and_later_ones_reuse_the_activation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    assert_eq!(node.router().directory().len(), 0, "nothing is active before the first message");

    assert_eq!(call(&node, "counter/alice", "add", r#"{"n":5}"#).await.expect("add"), r#"{"total":5}"#);
    assert_eq!(node.router().directory().len(), 1);
    assert_eq!(call(&node, "counter/alice", "add", r#"{"n":7}"#).await.expect("add"), r#"{"total":12}"#);
    assert_eq!(call(&node, "counter/bob", "get", "").await.expect("get"), r#"{"total":0}"#);
    assert_eq!(node.router().directory().len(), 2, "one activation per identity");
    assert_eq!(node.router().directory().started(), 2);
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_first_messages_create_exactly_one_activation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = Arc::new(node_with(dir.path(), &[("counter", KindSettings::default())]).await);
    let callers: Vec<_> = (0..100)
        .map(|_| {
            let node = Arc::clone(&node);
            tokio::spawn(async move { call(&node, "counter/hot", "add", r#"{"n":1}"#).await })
        })
        .collect();
    let mut totals = BTreeSet::new();
    for caller in callers {
        let reply = caller.await.expect("caller task").expect("every add succeeds");
        totals.insert(reply);
    }
    assert_eq!(totals.len(), 100, "each add saw a distinct total: messages were handled one at a time");
    assert!(totals.contains(r#"{"total":100}"#));
    assert_eq!(node.router().directory().started(), 1, "exactly one activation served all 100 first messages");
    node.shutdown().await;
}
