//! The PostgreSQL state store on a real server: the shared suite, two stores (two nodes)
//! fencing each other through one database, and grains moving between nodes.

use crate::support::postgres::PostgresServer;
use crate::support::{call, component};
use granary::config::{KindSettings, NodeConfig};
use granary::error::CallError;
use granary::ids::NodeId;
use granary::node::Node;
use granary::state::{PostgresStateStore, StateError, StateStore, event_suite, reminder_suite, suite};
use std::path::Path;
use std::sync::Arc;

async fn connect(server: &PostgresServer) -> Arc<dyn StateStore> {
    Arc::new(PostgresStateStore::connect(&server.url()).await.expect("PostgreSQL store connects"))
}

/// A node named `name` on `store`, with the Rust counter installed.
async fn counter_node(name: &str, data_dir: &Path, store: Arc<dyn StateStore>) -> Node {
    let node = Node::with_state_store(NodeConfig::for_test(data_dir), NodeId(name.into()), store).expect("node starts");
    let settings = KindSettings::default().into();
    node.push_kind("counter", component("rust", "counter"), settings).await.expect("counter installs");
    node
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_store_passes_the_state_store_suite() {
    let server = PostgresServer::start();
    suite::run(connect(&server).await).await;
    suite::survives_reopening(async || connect(&server).await).await;
    reminder_suite::run(connect(&server).await).await;
    event_suite::run(connect(&server).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stores_sharing_a_database_fence_each_other() {
    let server = PostgresServer::start();
    // Two nodes starting together both create the table.
    let (node_a, node_b) = tokio::join!(connect(&server), connect(&server));
    let grain = suite::id("counter/shared");

    let on_a = node_a.activate(&grain).await.expect("A claims");
    let etag = node_a.save(&grain, b"from A", None, on_a.epoch).await.expect("A writes while current");
    let on_b = node_b.activate(&grain).await.expect("B claims");
    assert!(on_b.epoch > on_a.epoch, "B's claim is newer: {on_b:?} after {on_a:?}");
    assert_eq!(on_b.saved.as_ref().map(|s| s.bytes.as_slice()), Some(&b"from A"[..]), "B sees A's state");

    let fenced = node_a.save(&grain, b"lost", Some(etag), on_a.epoch).await;
    assert_eq!(
        fenced,
        Err(StateError::Fenced { grain: grain.to_string(), epoch: on_a.epoch, current: on_b.epoch }),
        "A, across the partition, holds the current etag but is fenced off"
    );
    let etag = node_b.save(&grain, b"from B", Some(etag), on_b.epoch).await.expect("B writes");

    let again_on_a = node_a.activate(&grain).await.expect("A claims again");
    assert_eq!(again_on_a.saved.map(|s| (s.bytes, s.etag)), Some((b"from B".to_vec(), etag)), "A sees B's state");
    let fenced = node_b.save(&grain, b"lost", Some(etag), on_b.epoch).await;
    assert!(matches!(fenced, Err(StateError::Fenced { .. })), "now B is fenced: {fenced:?}");

    // Claims raced from both nodes are serialized by the database.
    let mut claims = tokio::task::JoinSet::new();
    for store in [&node_a, &node_b].repeat(8) {
        let (store, grain) = (Arc::clone(store), grain.clone());
        claims.spawn(async move { store.activate(&grain).await.expect("claim").epoch });
    }
    let mut epochs = claims.join_all().await;
    epochs.sort();
    epochs.dedup();
    assert_eq!(epochs.len(), 16, "no epoch was handed out twice: {epochs:?}");
    assert!(epochs[0] > again_on_a.epoch, "all newer than the earlier claims");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grains_state_follows_it_to_another_node() {
    let server = PostgresServer::start();
    let (dir_a, dir_b) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));

    let node_a = counter_node("a", dir_a.path(), connect(&server).await).await;
    call(&node_a, "counter/moving", "add", r#"{"n":5}"#).await.expect("add on A");
    call(&node_a, "counter/moving", "add", r#"{"n":7}"#).await.expect("add on A");
    node_a.shutdown().await;
    drop(node_a);

    let node_b = counter_node("b", dir_b.path(), connect(&server).await).await;
    assert_eq!(call(&node_b, "counter/moving", "get", "").await.expect("get on B"), r#"{"total":12}"#);
    assert_eq!(call(&node_b, "counter/moving", "add", r#"{"n":1}"#).await.expect("add on B"), r#"{"total":13}"#);
    node_b.shutdown().await;
}

/// The partition case on real nodes: a grain active on both at once. Each new activation
/// fences the other node's, which fails its next write, is discarded, and comes back with
/// the newer state: no increment is lost or overwritten.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grain_active_on_two_nodes_never_loses_the_newer_state() {
    let server = PostgresServer::start();
    let (dir_a, dir_b) = (tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir"));
    let node_a = counter_node("a", dir_a.path(), connect(&server).await).await;
    let node_b = counter_node("b", dir_b.path(), connect(&server).await).await;

    assert_eq!(call(&node_a, "counter/split", "add", r#"{"n":1}"#).await.expect("add on A"), r#"{"total":1}"#);
    assert_eq!(call(&node_b, "counter/split", "add", r#"{"n":10}"#).await.expect("add on B"), r#"{"total":11}"#);

    let fenced = call(&node_a, "counter/split", "add", r#"{"n":100}"#).await;
    assert!(matches!(&fenced, Err(CallError::Failed(why)) if why.contains("fenced write")), "{fenced:?}");
    assert_eq!(
        call(&node_a, "counter/split", "add", r#"{"n":1}"#).await.expect("A again"),
        r#"{"total":12}"#,
        "A's fenced activation was replaced by one that loaded B's state"
    );
    let fenced = call(&node_b, "counter/split", "add", r#"{"n":100}"#).await;
    assert!(matches!(&fenced, Err(CallError::Failed(why)) if why.contains("fenced write")), "{fenced:?}");
    assert_eq!(call(&node_b, "counter/split", "get", "").await.expect("get on B"), r#"{"total":12}"#);
    node_a.shutdown().await;
    node_b.shutdown().await;
}
