//! The newcomer's path: `granary dev --kinds target/grains/rust`, then `granary call`.

use crate::support::process::DevNode;
use std::time::Duration;

#[test]
fn counter_total_survives_idle_timeout_and_restarts() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &["--idle-timeout", "300ms"]);
    assert_eq!(node.cli(&["call", "counter/alice", "add", r#"{"n":5}"#]).reply(), r#"{"total":5}"#);
    assert_eq!(node.cli(&["call", "counter/alice", "add", r#"{"n":7}"#]).reply(), r#"{"total":12}"#);

    node.wait_for_log("deactivated grain=counter/alice", Duration::from_secs(10));
    assert_eq!(node.cli(&["call", "counter/alice", "get"]).reply(), r#"{"total":12}"#);

    node.stop();
    let node = DevNode::with_examples(data.path(), &[]);
    assert_eq!(node.cli(&["call", "counter/alice", "get"]).reply(), r#"{"total":12}"#, "after a graceful restart");
    assert_eq!(node.cli(&["call", "counter/alice", "add", r#"{"n":1}"#]).reply(), r#"{"total":13}"#);

    node.kill();
    let node = DevNode::with_examples(data.path(), &[]);
    assert_eq!(
        node.cli(&["call", "counter/alice", "get"]).reply(),
        r#"{"total":13}"#,
        "acknowledged adds survive SIGKILL"
    );
    node.stop();
}

#[test]
fn transfer_moves_30_and_refuses_500() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &[]);
    node.cli(&["call", "account/alice", "deposit", r#"{"amount":100}"#]).reply();

    let moved = node.cli(&["call", "transfer/t1", "transfer", r#"{"from":"alice","to":"bob","amount":30}"#]);
    assert_eq!(moved.reply(), r#"{"from":70,"to":30}"#);

    let refused = node.cli(&["call", "transfer/t2", "transfer", r#"{"from":"alice","to":"bob","amount":500}"#]);
    assert!(!refused.success, "a failed transfer exits non-zero");
    assert!(refused.stdout.is_empty(), "nothing on stdout: {}", refused.stdout);
    assert!(
        refused.stderr.contains("insufficient funds: balance 70, requested 500"),
        "clear reason: {}",
        refused.stderr
    );
    assert_eq!(refused.stderr.trim_end().lines().count(), 1, "one line: {}", refused.stderr);

    assert_eq!(node.cli(&["call", "account/alice", "balance"]).reply(), r#"{"balance":70}"#);
    assert_eq!(node.cli(&["call", "account/bob", "balance"]).reply(), r#"{"balance":30}"#);
    node.stop();
}

#[test]
fn cli_reports_bad_requests_in_one_line() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &[]);
    let unknown = node.cli(&["call", "nosuchkind/x", "get"]);
    assert!(!unknown.success);
    assert!(unknown.stderr.contains(r#"unknown kind "nosuchkind""#), "{}", unknown.stderr);

    let malformed = node.cli(&["call", "no-slash", "get"]);
    assert!(!malformed.success);
    assert!(malformed.stderr.contains("not of the form kind/identity"), "{}", malformed.stderr);

    let sent = node.cli(&["send", "probe/p", "ping"]);
    assert!(sent.success, "send: {}", sent.stderr);
    node.stop();

    let unreachable =
        crate::support::process::granary_cli(&["call", "counter/x", "get", "--server", "http://127.0.0.1:1"]);
    assert!(!unreachable.success);
    assert!(unreachable.stderr.contains("cannot reach a node at http://127.0.0.1:1"), "{}", unreachable.stderr);
}
