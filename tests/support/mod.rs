//! Shared by the test binaries: example components, test nodes, PostgreSQL and etcd servers, polling
//! with a deadline.
#![allow(dead_code)] // each test binary uses a different part of this module

pub mod cluster;
pub mod etcd;
pub mod in_process;
pub mod netns;
pub mod postgres;
pub mod process;
pub mod tls;

use granary::config::{KindSettings, NodeConfig};
use granary::error::CallError;
use granary::ids::{GrainId, NodeId};
use granary::node::Node;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The repository root: the nearest folder above the test's crate that holds `wit/`.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("wit").is_dir())
        .expect("the crate lies inside the repository")
        .to_path_buf()
}

/// `target/grains/<lang>/<name>.wasm`, built by `./examples/build.sh`.
pub fn component_path(lang: &str, name: &str) -> PathBuf {
    repo_root().join("target/grains").join(lang).join(format!("{name}.wasm"))
}

/// How many components `target/grains/<lang>/` holds: the kinds `granary dev --kinds` pushes.
pub fn example_count(lang: &str) -> usize {
    let dir = repo_root().join("target/grains").join(lang);
    let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    entries.filter_map(Result::ok).filter(|entry| entry.path().extension().is_some_and(|ext| ext == "wasm")).count()
}

pub fn component(lang: &str, name: &str) -> Vec<u8> {
    let path = component_path(lang, name);
    std::fs::read(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (build it with ./examples/build.sh {lang})", path.display()))
}

/// The Python of the project's tools venv, where `tests/run.sh` installs the stock clients the
/// tests drive (grpcio-reflection, prometheus-client).
pub fn python_tools() -> PathBuf {
    let python = repo_root().join("target/tools/venv/bin/python");
    assert!(python.exists(), "{} is missing: tests/run.sh installs it", python.display());
    python
}

/// A test node on a fresh data dir, with the given Rust example kinds installed.
pub async fn node_with(dir: &Path, kinds: &[(&str, KindSettings)]) -> Node {
    let node = Node::start(NodeConfig::for_test(dir), NodeId("test".into())).expect("node starts");
    for (name, settings) in kinds {
        node.push_kind(name, component("rust", name), settings.clone().into()).await.expect("example kind installs");
    }
    node
}

/// Calls `grain` with a text payload and returns the reply as text.
pub async fn call(node: &Node, grain: &str, method: &str, payload: &str) -> Result<String, CallError> {
    let grain: GrainId = grain.parse().expect("valid grain id");
    let reply = node.call(&grain, method, payload.as_bytes().to_vec(), None).await?;
    Ok(String::from_utf8(reply).expect("replies are UTF-8 JSON"))
}

/// Polls `check` every 20 ms until it holds, failing the test after `within`.
pub async fn eventually(within: Duration, what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + within;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out after {within:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `bytes` with a custom section appended: a different version of the same component.
pub fn new_version_of(bytes: &[u8], tag: &str) -> Vec<u8> {
    fn leb128(mut value: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            out.push(if value == 0 { byte } else { byte | 0x80 });
            if value == 0 {
                break;
            }
        }
    }
    let name = b"granary-test-version";
    let mut content = Vec::new();
    leb128(name.len(), &mut content);
    content.extend_from_slice(name);
    content.extend_from_slice(tag.as_bytes());
    let mut out = bytes.to_vec();
    out.push(0); // custom section id
    leb128(content.len(), &mut out);
    out.extend_from_slice(&content);
    out
}

/// Kind settings with a short receive timeout.
pub fn idle_after(idle: Duration) -> KindSettings {
    KindSettings { idle_timeout: idle, ..KindSettings::default() }
}
