//! A request to an idle grain runs on the caller's task (no mailbox hop); these check that
//! it keeps the mailbox's guarantees: order behind queued messages, one turn at a time, and
//! a turn cut short by a cancelled caller discards the instance rather than reusing it.

use crate::support::{call, node_with};
use granary::config::KindSettings;
use granary::ids::GrainId;
use std::sync::Arc;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_never_overtakes_messages_already_sent() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    call(&node, "counter/queue", "get", "").await.expect("activate");
    let grain: GrainId = "counter/queue".parse().expect("id");
    for round in 1..=20 {
        for _ in 0..50 {
            node.send(&grain, "add", br#"{"n":1}"#.to_vec(), None).await.expect("send");
        }
        let total = call(&node, "counter/queue", "get", "").await.expect("get");
        assert_eq!(total, format!(r#"{{"total":{}}}"#, round * 50), "the call ran after every send before it");
    }
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_take_turns_and_lose_no_add() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = Arc::new(node_with(dir.path(), &[("counter", KindSettings::default())]).await);
    call(&node, "counter/shared", "get", "").await.expect("activate");
    let callers: Vec<_> = (0..16)
        .map(|_| {
            let node = Arc::clone(&node);
            tokio::spawn(async move {
                for _ in 0..100 {
                    call(&node, "counter/shared", "add", r#"{"n":1}"#).await.expect("add");
                }
            })
        })
        .collect();
    for caller in callers {
        caller.await.expect("caller");
    }
    assert_eq!(call(&node, "counter/shared", "get", "").await.expect("get"), r#"{"total":1600}"#);
    assert_eq!(node.router().directory().started(), 1, "one activation served every caller");
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_cancelled_mid_turn_leaves_no_half_run_instance() {
    let dir = tempfile::tempdir().expect("temp dir");
    let chaos = KindSettings { time_limit: Duration::from_secs(2), ..KindSettings::default() };
    let node = node_with(dir.path(), &[("chaos", chaos)]).await;
    assert_eq!(call(&node, "chaos/cut", "ok", "").await.expect("activate"), r#""ok""#);
    // The loop runs on this task; dropping the call drops the turn part-way through.
    let cut = tokio::time::timeout(Duration::from_millis(100), call(&node, "chaos/cut", "loop", "")).await;
    assert!(cut.is_err(), "the caller gave up first: {cut:?}");
    assert_eq!(call(&node, "chaos/cut", "ok", "").await.expect("fresh instance"), r#""ok""#);
    assert_eq!(node.router().directory().started(), 2, "the cut-short instance was replaced, not reused");
    node.shutdown().await;
}
