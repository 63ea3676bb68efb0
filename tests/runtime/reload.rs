//! Hot reload and rollback under load: no message lost, none answered twice, state carried over.

use crate::support::{call, component, new_version_of, node_with};
use granary::config::{KindSettings, KindSettingsUpdate};
use granary::ids::GrainId;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

const COUNTERS: usize = 200;
const CALLERS: usize = 16;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_and_rollback_under_load_lose_nothing() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = Arc::new(node_with(dir.path(), &[("counter", KindSettings::default())]).await);
    let v1 = node.kinds().get("counter").expect("installed").version().to_string();
    let sent: Arc<Vec<AtomicU64>> = Arc::new((0..COUNTERS).map(|_| AtomicU64::new(0)).collect());
    let answered = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));

    let callers: Vec<_> = (0..CALLERS)
        .map(|caller| {
            let (node, sent, answered, stop) =
                (Arc::clone(&node), Arc::clone(&sent), Arc::clone(&answered), Arc::clone(&stop));
            tokio::spawn(async move {
                let mut next = caller;
                while !stop.load(Ordering::Relaxed) {
                    let counter = next % COUNTERS;
                    next += CALLERS;
                    let grain = GrainId::new("counter", format!("c{counter}")).expect("id");
                    sent[counter].fetch_add(1, Ordering::Relaxed);
                    let reply = node.call(&grain, "add", br#"{"n":1}"#.to_vec(), None).await;
                    reply.unwrap_or_else(|e| panic!("add to c{counter} failed during reload: {e}"));
                    answered.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();

    let wait_for = |calls: u64| {
        let answered = Arc::clone(&answered);
        async move {
            while answered.load(Ordering::Relaxed) < calls {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    wait_for(2_000).await;
    let v2_bytes = new_version_of(&component("rust", "counter"), "2");
    let pushed = node.push_kind("counter", v2_bytes, KindSettingsUpdate::default()).await.expect("push v2");
    let v2 = pushed.kind.version().to_string();
    assert_ne!(v1, v2);
    let at_push = answered.load(Ordering::Relaxed);
    wait_for(at_push + 2_000).await;
    let rolled_back = node.rollback_kind("counter").await.expect("rollback");
    assert_eq!(rolled_back.version().as_str(), v1);
    let at_rollback = answered.load(Ordering::Relaxed);
    wait_for(at_rollback + 2_000).await;
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.await.expect("caller task");
    }

    let mut total_sent = 0;
    for (counter, sent) in sent.iter().enumerate() {
        let sent = sent.load(Ordering::Relaxed);
        total_sent += sent;
        let reply = call(&node, &format!("counter/c{counter}"), "get", "").await.expect("get");
        assert_eq!(reply, format!(r#"{{"total":{sent}}}"#), "counter c{counter}: every acknowledged add counted once");
    }
    let answered = answered.load(Ordering::Relaxed);
    println!("hot reload under load: {total_sent} adds sent, {answered} answered, final totals sum to {total_sent}");
    assert_eq!(total_sent, answered, "every add was answered");
    for listing in node.grains() {
        assert_eq!(listing.stats.version(), v1, "{} runs the rolled-back version", listing.grain);
    }
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn removed_kind_deactivates_its_grains_and_refuses_new_messages() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    call(&node, "counter/a", "add", r#"{"n":1}"#).await.expect("add");
    node.remove_kind("counter").expect("remove");
    let directory = node.router().directory();
    crate::support::eventually(Duration::from_secs(5), "counter/a to deactivate", async || directory.is_empty()).await;
    let refused = call(&node, "counter/a", "get", "").await;
    assert_eq!(refused, Err(granary::error::CallError::UnknownKind("counter".into())));
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_bytes_twice_is_a_no_op_and_kinds_survive_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    let again = node.push_kind("counter", component("rust", "counter"), KindSettings::default().into()).await;
    assert!(again.expect("push").unchanged, "same bytes and settings change nothing");
    let v2 = new_version_of(&component("rust", "counter"), "2");
    let pushed = node.push_kind("counter", v2, KindSettingsUpdate::default()).await.expect("push v2");
    assert!(!pushed.unchanged);
    let listed = node.kinds().list();
    node.shutdown().await;
    drop(node);

    let node = granary::node::Node::start(
        granary::config::NodeConfig::for_test(dir.path()),
        granary::ids::NodeId("again".into()),
    )
    .expect("restart");
    assert_eq!(node.kinds().list(), listed, "the catalog (versions, history, settings) survives a restart");
    assert_eq!(call(&node, "counter/x", "add", r#"{"n":2}"#).await.expect("restored kind serves"), r#"{"total":2}"#);
    node.rollback_kind("counter").await.expect("history survives too");
    node.shutdown().await;
}

/// The state format is the same JSON in every language, so a kind can change language live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_counter_hot_swapped_to_python_keeps_its_total() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    call(&node, "counter/swap", "add", r#"{"n":5}"#).await.expect("add in Rust");
    call(&node, "counter/swap", "add", r#"{"n":7}"#).await.expect("add in Rust");

    let python = node.push_kind("counter", component("python", "counter"), KindSettingsUpdate::default()).await;
    let python = python.expect("the Python counter installs").kind.version().to_string();
    assert_eq!(call(&node, "counter/swap", "get", "").await.expect("get in Python"), r#"{"total":12}"#);
    assert_eq!(call(&node, "counter/swap", "add", r#"{"n":1}"#).await.expect("add in Python"), r#"{"total":13}"#);
    let live = node.grains();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].stats.version(), python, "the grain now runs the Python version");
    node.shutdown().await;
}
