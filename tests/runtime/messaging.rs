//! Grain-to-grain `call` and `send`, the transfer saga, and call cycles.

use crate::support::{call, eventually, node_with};
use granary::config::KindSettings;
use granary::error::CallError;
use std::time::Duration;

async fn bank(dir: &std::path::Path) -> granary::node::Node {
    node_with(dir, &[("account", KindSettings::default()), ("transfer", KindSettings::default())]).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transfer_saga_moves_money_or_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = bank(dir.path()).await;
    call(&node, "account/alice", "deposit", r#"{"amount":100}"#).await.expect("deposit");

    let moved = call(&node, "transfer/t1", "transfer", r#"{"from":"alice","to":"bob","amount":30}"#).await;
    assert_eq!(moved.expect("transfer of 30"), r#"{"from":70,"to":30}"#);

    let refused = call(&node, "transfer/t1", "transfer", r#"{"from":"alice","to":"bob","amount":500}"#).await;
    match refused {
        Err(CallError::Failed(why)) => {
            assert!(why.contains("insufficient funds"), "clear reason: {why}")
        }
        other => panic!("a transfer of 500 must fail with the account's reason, got {other:?}"),
    }
    assert_eq!(call(&node, "account/alice", "balance", "").await.expect("balance"), r#"{"balance":70}"#);
    assert_eq!(call(&node, "account/bob", "balance", "").await.expect("balance"), r#"{"balance":30}"#);
    assert_eq!(call(&node, "transfer/t1", "completed", "").await.expect("count"), r#"{"completed":1}"#);
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn overdraft_is_an_error_result_not_a_trap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = bank(dir.path()).await;
    let overdraft = call(&node, "account/carol", "withdraw", r#"{"amount":1}"#).await;
    assert!(matches!(&overdraft, Err(CallError::Failed(why)) if why.contains("insufficient funds")), "{overdraft:?}");
    let bad = call(&node, "account/carol", "deposit", r#"{"amount":"lots"}"#).await;
    assert!(matches!(&bad, Err(CallError::Failed(why)) if why.contains("bad payload")), "{bad:?}");
    assert_eq!(node.router().directory().started(), 1, "error results keep the activation");
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_reaches_another_grain_and_returns_its_reply() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("probe", KindSettings::default())]).await;
    let reply = call(&node, "probe/a", "call", r#"{"target":"probe/b","method":"whoami"}"#).await;
    assert_eq!(reply.expect("call through a"), r#"{"identity":"b","kind":"probe"}"#);
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn send_is_delivered_without_waiting_for_the_target() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("probe", KindSettings::default())]).await;
    for _ in 0..3 {
        let sent = call(&node, "probe/a", "send", r#"{"target":"probe/b","method":"ping"}"#).await;
        assert_eq!(sent.expect("send"), r#""sent""#);
    }
    let pings = async || call(&node, "probe/b", "pings", "").await.expect("pings") == r#"{"count":3}"#;
    eventually(Duration::from_secs(5), "three pings to reach probe/b", pings).await;
    let unknown = call(&node, "probe/a", "send", r#"{"target":"ghost/b","method":"ping"}"#).await;
    assert!(matches!(&unknown, Err(CallError::Failed(why)) if why.contains("unknown kind")), "{unknown:?}");
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_cycle_is_rejected_at_once_with_the_chain() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("probe", KindSettings::default())]).await;
    let started = tokio::time::Instant::now();
    let cycle = call(
        &node,
        "probe/a",
        "call",
        r#"{"target":"probe/b","method":"call","payload":{"target":"probe/a","method":"whoami"}}"#,
    )
    .await;
    match cycle {
        Err(CallError::Failed(why)) => {
            assert!(why.contains("call cycle rejected: probe/a -> probe/b -> probe/a"), "names the chain: {why}")
        }
        other => panic!("a -> b -> a must be rejected, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2), "rejected at once, not after a time limit");

    let self_call = call(&node, "probe/a", "call", r#"{"target":"probe/a","method":"whoami"}"#).await;
    assert!(matches!(&self_call, Err(CallError::Failed(why)) if why.contains("probe/a -> probe/a")), "{self_call:?}");
    assert_eq!(
        call(&node, "probe/a", "whoami", "").await.expect("a still answers"),
        r#"{"identity":"a","kind":"probe"}"#
    );
    node.shutdown().await;
}
