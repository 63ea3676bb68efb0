//! Loading kinds: bad modules are refused with a clear reason and change nothing.

use crate::support::{call, component, component_path, node_with};
use granary::config::KindSettings;
use granary::kinds::RegistryError;
use granary::runtime::KindError;

async fn refuse(node: &granary::node::Node, bytes: Vec<u8>) -> KindError {
    match node.push_kind("counter", bytes, KindSettings::default().into()).await {
        Err(RegistryError::BadModule(error)) => error,
        Err(other) => panic!("expected a module error, got {other}"),
        Ok(_) => panic!("a bad module was accepted"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_modules_are_refused_and_the_live_kind_stays() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    call(&node, "counter/alice", "add", r#"{"n":3}"#).await.expect("add");
    let live_version = node.kinds().get("counter").expect("installed").version().to_string();

    let random: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
    let error = refuse(&node, random).await;
    assert!(matches!(error, KindError::NotWasm), "{error}");

    let error = refuse(&node, component("fixtures", "core-module")).await;
    assert!(matches!(error, KindError::CoreModule), "{error}");
    assert!(error.to_string().contains("core WebAssembly module, not a component"), "{error}");

    let error = refuse(&node, component("fixtures", "other-world")).await;
    assert!(matches!(error, KindError::WrongWorld { .. }), "{error}");
    let message = error.to_string();
    assert!(message.contains("activate, handle, deactivate") && message.contains("it exports: add"), "{message}");

    let mut truncated = component("rust", "counter");
    truncated.truncate(truncated.len() / 2);
    let error = refuse(&node, truncated).await;
    assert!(matches!(error, KindError::Invalid(_)), "{error}");

    assert_eq!(node.kinds().get("counter").expect("still installed").version().as_str(), live_version);
    assert_eq!(call(&node, "counter/alice", "add", r#"{"n":4}"#).await.expect("still serving"), r#"{"total":7}"#);
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_kind_names_are_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[]).await;
    let refused = node.push_kind("no/slashes", component("rust", "counter"), KindSettings::default().into()).await;
    assert!(matches!(refused, Err(RegistryError::BadName(_))), "{:?}", refused.err());
    assert!(node.kinds().list().is_empty());
    node.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn compiled_artifacts_are_cached_by_content_hash() {
    let dir = tempfile::tempdir().expect("temp dir");
    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    let version = node.kinds().get("counter").expect("installed").version().to_string();
    node.shutdown().await;
    drop(node);

    let artifacts = || -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir.path().join("artifacts"))
            .expect("artifact dir")
            .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let before = artifacts();
    assert_eq!(before.len(), 1, "one artifact per component: {before:?}");
    assert!(before[0].starts_with(&version), "named by content hash: {before:?}");
    let modified = || {
        std::fs::metadata(dir.path().join("artifacts").join(&before[0])).expect("artifact").modified().expect("mtime")
    };
    let written = modified();

    let node = node_with(dir.path(), &[("counter", KindSettings::default())]).await;
    assert_eq!(artifacts(), before, "a restart reuses the artifact");
    assert_eq!(modified(), written, "the cached artifact was not rewritten");
    assert_eq!(call(&node, "counter/x", "add", r#"{"n":1}"#).await.expect("runs from cache"), r#"{"total":1}"#);
    node.shutdown().await;
    assert!(component_path("rust", "counter").exists());
}
