//! Receive timeouts, deactivation, and state across deactivation and restarts.

use crate::support::{call, eventually, idle_after, node_with};
use granary::config::KindSettings;
use granary::error::CallError;
use granary::ids::GrainId;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_grain_is_deactivated_and_reactivated_with_its_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("counter", idle_after(Duration::from_millis(200)))]).await;
    call(&node, "counter/alice", "add", r#"{"n":5}"#).await.expect("add");
    call(&node, "counter/alice", "add", r#"{"n":7}"#).await.expect("add");
    let directory = node.router().directory();
    eventually(Duration::from_secs(5), "the idle grain to deactivate", async || directory.is_empty()).await;

    assert_eq!(call(&node, "counter/alice", "get", "").await.expect("get"), r#"{"total":12}"#);
    assert_eq!(directory.started(), 2, "the next message activated the grain again");
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grain_can_set_its_own_receive_timeout() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("probe", idle_after(Duration::from_secs(3600)))]).await;
    assert_eq!(call(&node, "probe/short", "activations", "").await.expect("count"), r#"{"count":1}"#);
    call(&node, "probe/long", "activations", "").await.expect("count");
    call(&node, "probe/short", "set-timeout", r#"{"millis":150}"#).await.expect("set timeout");

    let directory = node.router().directory();
    eventually(Duration::from_secs(5), "probe/short to deactivate", async || directory.len() == 1).await;
    assert_eq!(
        directory.grains(),
        vec!["probe/long".parse().expect("id")],
        "the kind's hour-long default still holds for others"
    );
    assert_eq!(call(&node, "probe/short", "activations", "").await.expect("count"), r#"{"count":2}"#);
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn state_survives_a_node_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    call(&node, "counter/alice", "add", r#"{"n":12}"#).await.expect("add");
    node.shutdown().await;
    drop(node);

    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    assert_eq!(call(&node, "counter/alice", "get", "").await.expect("get"), r#"{"total":12}"#);
    node.shutdown().await;
}

/// Messages keep arriving while the grain idles out again and again: each lands either in
/// the live activation or in the next one, never nowhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_arriving_during_deactivation_are_not_lost() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = Arc::new(node_with(dir.path(), &[("counter", idle_after(Duration::from_millis(3)))]).await);
    let acknowledged = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let callers: Vec<_> = (0..8u64)
        .map(|caller| {
            let (node, acknowledged, stop) = (Arc::clone(&node), Arc::clone(&acknowledged), Arc::clone(&stop));
            tokio::spawn(async move {
                let mut round = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    call(&node, "counter/churn", "add", r#"{"n":1}"#).await.expect("no add is lost or refused");
                    acknowledged.fetch_add(1, Ordering::Relaxed);
                    // Gaps around the receive timeout make deactivations race with arrivals.
                    tokio::time::sleep(Duration::from_millis((caller * 7 + round * 3) % 8)).await;
                    round += 1;
                }
            })
        })
        .collect();
    let directory = node.router().directory();
    eventually(Duration::from_secs(60), "ten re-activations under load", async || directory.started() > 10).await;
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.await.expect("caller task");
    }
    let total = acknowledged.load(Ordering::Relaxed);
    assert_eq!(call(&node, "counter/churn", "get", "").await.expect("get"), format!(r#"{{"total":{total}}}"#));
    node.shutdown().await;
}

/// Another activation (in a cluster: one on another node) claims the grain and moves its state
/// on while this activation is live: its next write is fenced off, it is discarded, and the
/// newer state wins.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_activation_cannot_overwrite_newer_state() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    call(&node, "counter/fenced", "add", r#"{"n":1}"#).await.expect("add");

    let grain: GrainId = "counter/fenced".parse().expect("id");
    let newer = node.state_store().activate(&grain).await.expect("claim");
    let current = newer.saved.expect("saved").etag;
    node.state_store().save(&grain, br#"{"total":100}"#, Some(current), newer.epoch).await.expect("newer write");

    let refused = call(&node, "counter/fenced", "add", r#"{"n":1}"#).await;
    assert!(matches!(&refused, Err(CallError::Failed(why)) if why.contains("fenced write")), "{refused:?}");
    assert_eq!(call(&node, "counter/fenced", "get", "").await.expect("get"), r#"{"total":100}"#, "newer state kept");
    assert_eq!(node.router().directory().started(), 2, "the stale activation was replaced");
    assert_eq!(call(&node, "counter/fenced", "add", r#"{"n":1}"#).await.expect("add"), r#"{"total":101}"#);
    node.shutdown().await;
}
