//! A trapping, looping or memory-hungry grain fails its own call; everyone else keeps going.

use crate::support::{call, node_with};
use granary::config::KindSettings;
use granary::error::CallError;
use std::sync::Arc;
use std::time::Duration;

const MIB: u64 = 1024 * 1024;

async fn chaos_node(dir: &std::path::Path) -> Arc<granary::node::Node> {
    let chaos =
        KindSettings { time_limit: Duration::from_millis(500), max_memory: 16 * MIB, ..KindSettings::default() };
    Arc::new(node_with(dir, &[("chaos", chaos), ("counter", KindSettings::default())]).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trap_fails_the_call_and_discards_the_instance() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = chaos_node(dir.path()).await;
    let trapped = call(&node, "chaos/x", "trap", "").await;
    assert!(matches!(&trapped, Err(CallError::Trapped(why)) if why.contains("unreachable")), "{trapped:?}");
    assert_eq!(call(&node, "chaos/x", "ok", "").await.expect("fresh instance"), r#""ok""#);
    assert_eq!(node.router().directory().started(), 2, "the trapped instance was replaced");
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn infinite_loop_is_stopped_while_other_grains_answer() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = chaos_node(dir.path()).await;
    let spinner = {
        let node = Arc::clone(&node);
        tokio::spawn(async move { call(&node, "chaos/spin", "loop", "").await })
    };
    // While the loop runs, a counter on the same node keeps answering.
    for n in 1..=20 {
        let reply = call(&node, "counter/alive", "add", r#"{"n":1}"#).await.expect("counter answers");
        assert_eq!(reply, format!(r#"{{"total":{n}}}"#));
    }
    assert!(!spinner.is_finished(), "the counter's answers did not wait for the loop");
    let stopped = spinner.await.expect("spinner task");
    assert_eq!(stopped, Err(CallError::TimeLimit(Duration::from_millis(500))));
    assert_eq!(call(&node, "chaos/spin", "ok", "").await.expect("fresh instance"), r#""ok""#);
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_bomb_hits_the_kind_cap() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = chaos_node(dir.path()).await;
    let bombed = call(&node, "chaos/boom", "bomb", "").await;
    assert_eq!(bombed, Err(CallError::MemoryLimit(16 * MIB)));
    assert_eq!(call(&node, "counter/alive", "add", r#"{"n":2}"#).await.expect("counter answers"), r#"{"total":2}"#);
    assert_eq!(call(&node, "chaos/boom", "ok", "").await.expect("fresh instance"), r#""ok""#);
    node.shutdown().await;
}
