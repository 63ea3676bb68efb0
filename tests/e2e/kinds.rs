//! Kinds through the CLI: push with progress, list, hot reload, rollback, removal, bad modules,
//! persistence across restarts, and the admin token.

use crate::support::process::DevNode;
use crate::support::{component, component_path, new_version_of};
use std::path::Path;

fn path_str(path: &Path) -> &str {
    path.to_str().expect("UTF-8 path")
}

fn kinds_json(node: &DevNode) -> serde_json::Value {
    let listed = node.cli(&["kind", "ls", "--json"]);
    serde_json::from_str(listed.reply()).expect("kind ls --json prints JSON")
}

#[test]
fn push_reload_rollback_and_remove_through_the_cli() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(data.path(), &[]);
    let counter = component_path("rust", "counter");

    let pushed =
        node.cli(&["kind", "push", "counter", path_str(&counter), "--idle-timeout", "90s", "--max-memory", "32MiB"]);
    assert!(pushed.reply().starts_with("counter is now at version "), "{}", pushed.stdout);
    assert_eq!(node.cli(&["call", "counter/alice", "add", r#"{"n":5}"#]).reply(), r#"{"total":5}"#);
    let again = node.cli(&["kind", "push", "counter", path_str(&counter)]);
    assert!(again.reply().contains("unchanged"), "same bytes twice is a no-op: {}", again.stdout);

    let kinds = kinds_json(&node);
    let v1 = kinds[0]["version"].as_str().expect("version").to_string();
    assert_eq!(kinds[0]["name"], "counter");
    assert_eq!(kinds[0]["active_grains"], 1);
    assert_eq!(kinds[0]["settings"]["idle_timeout_ms"], 90_000);
    assert_eq!(kinds[0]["settings"]["max_memory_bytes"], 32 * 1024 * 1024);

    let v2_file = data.path().join("counter-v2.wasm");
    std::fs::write(&v2_file, new_version_of(&component("rust", "counter"), "2")).expect("write v2");
    node.cli(&["kind", "push", "counter", path_str(&v2_file)]).reply();
    assert_eq!(
        node.cli(&["call", "counter/alice", "add", r#"{"n":1}"#]).reply(),
        r#"{"total":6}"#,
        "state carried over"
    );
    let kinds = kinds_json(&node);
    let v2 = kinds[0]["version"].as_str().expect("version").to_string();
    assert_ne!(v2, v1);
    assert_eq!(kinds[0]["previous_versions"], serde_json::json!([v1]));
    assert_eq!(kinds[0]["settings"]["idle_timeout_ms"], 90_000, "a push without flags keeps the settings");
    let grains: serde_json::Value =
        serde_json::from_str(node.cli(&["grains", "ls", "--kind", "counter", "--json"]).reply()).expect("JSON");
    assert_eq!(grains[0]["grain"]["identity"], "alice");
    assert_eq!(grains[0]["version"], v2.as_str(), "the live grain runs the new version");

    let rolled = node.cli(&["kind", "rollback", "counter"]);
    assert_eq!(rolled.reply(), format!("counter is back at version {}", &v1[..12]));
    assert_eq!(node.cli(&["call", "counter/alice", "get"]).reply(), r#"{"total":6}"#);
    let table = node.cli(&["grains", "ls"]);
    assert!(table.reply().contains("counter/alice") && table.stdout.contains(&v1[..12]), "{}", table.stdout);

    let none = node.cli(&["kind", "rollback", "counter"]);
    assert!(!none.success && none.stderr.contains("no earlier version"), "{}", none.stderr);
    node.cli(&["kind", "rm", "counter"]).reply();
    let gone = node.cli(&["call", "counter/alice", "get"]);
    assert!(!gone.success && gone.stderr.contains(r#"unknown kind "counter" (NotFound)"#), "{}", gone.stderr);
    node.stop();
}

#[test]
fn bad_modules_get_one_clear_line_and_change_nothing() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(data.path(), &["--max-module-size", "1MiB"]);
    node.cli(&["kind", "push", "counter", path_str(&component_path("rust", "counter"))]).reply();
    let before = kinds_json(&node);

    let random = data.path().join("random.wasm");
    std::fs::write(&random, (0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 7) as u8).collect::<Vec<u8>>())
        .expect("write");
    let oversize = data.path().join("big.wasm");
    std::fs::write(&oversize, vec![0u8; 2 * 1024 * 1024]).expect("write");
    let cases = [
        (random, "not a WebAssembly component", "InvalidArgument"),
        (component_path("fixtures", "core-module"), "core WebAssembly module, not a component", "InvalidArgument"),
        (
            component_path("fixtures", "other-world"),
            "missing export(s) activate, handle, deactivate",
            "InvalidArgument",
        ),
        (component_path("fixtures", "extra-import"), "imports something the node does not provide", "InvalidArgument"),
        (oversize, "over the limit of 1048576", "ResourceExhausted"),
    ];
    for (file, reason, code) in &cases {
        let refused = node.cli(&["kind", "push", "counter", path_str(file)]);
        assert!(!refused.success, "{} was accepted", file.display());
        let line = refused.stderr.trim_end();
        assert_eq!(line.lines().count(), 1, "one line: {line}");
        assert!(line.contains(reason) && line.contains(code), "{}: {line}", file.display());
    }
    assert_eq!(kinds_json(&node), before, "the live kind is untouched");
    assert_eq!(node.cli(&["call", "counter/x", "add", r#"{"n":1}"#]).reply(), r#"{"total":1}"#);
    node.stop();
}

#[test]
fn restart_keeps_kinds_without_recompiling() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(data.path(), &[]);
    node.cli(&["kind", "push", "account", path_str(&component_path("rust", "account"))]).reply();
    node.cli(&["call", "account/a", "deposit", r#"{"amount":10}"#]).reply();
    node.stop();
    let artifacts: Vec<_> = std::fs::read_dir(data.path().join("artifacts"))
        .expect("artifact dir")
        .map(|entry| entry.expect("entry").metadata().expect("metadata").modified().expect("mtime"))
        .collect();

    let node = DevNode::start(data.path(), &[]);
    assert!(node.log().contains(r#"kind restored kind="account""#), "{}", node.log());
    assert_eq!(node.cli(&["call", "account/a", "balance"]).reply(), r#"{"balance":10}"#);
    let after: Vec<_> = std::fs::read_dir(data.path().join("artifacts"))
        .expect("artifact dir")
        .map(|entry| entry.expect("entry").metadata().expect("metadata").modified().expect("mtime"))
        .collect();
    assert_eq!(after, artifacts, "the compiled artifact was reused, not rewritten");
    node.stop();
}

#[test]
fn admin_token_guards_kinds_but_not_calls() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(data.path(), &["--admin-token", "s3cret"]);
    let counter = component_path("rust", "counter");
    let denied = node.cli(&["kind", "push", "counter", path_str(&counter)]);
    assert!(!denied.success && denied.stderr.contains("PermissionDenied"), "{}", denied.stderr);
    let wrong = node.cli(&["kind", "push", "counter", path_str(&counter), "--token", "guess"]);
    assert!(!wrong.success && wrong.stderr.contains("not valid"), "{}", wrong.stderr);
    assert!(kinds_json(&node).as_array().expect("list").is_empty(), "nothing was pushed");

    node.cli(&["kind", "push", "counter", path_str(&counter), "--token", "s3cret"]).reply();
    assert_eq!(node.cli(&["call", "counter/x", "add", r#"{"n":3}"#]).reply(), r#"{"total":3}"#, "calls stay open");
    let rm = node.cli(&["kind", "rm", "counter"]);
    assert!(!rm.success && rm.stderr.contains("PermissionDenied"), "{}", rm.stderr);
    node.stop();
}

#[test]
fn deadlines_and_limits_map_to_status_codes() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &[]);
    let slow = node.cli(&["call", "chaos/x", "loop", "--timeout", "300ms"]);
    assert!(!slow.success && slow.stderr.contains("DeadlineExceeded"), "{}", slow.stderr);
    let bomb = node.cli(&["call", "chaos/y", "bomb"]);
    assert!(!bomb.success && bomb.stderr.contains("ResourceExhausted"), "{}", bomb.stderr);
    let app_error = node.cli(&["call", "account/z", "withdraw", r#"{"amount":5}"#]);
    assert!(!app_error.success && app_error.stderr.contains("insufficient funds"), "{}", app_error.stderr);
    node.stop();
}
