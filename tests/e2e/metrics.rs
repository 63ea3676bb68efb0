//! `GET /metrics` of a real `granary dev`, read by the stock Prometheus text parser (Python's
//! prometheus-client): every promised series is there, and the counters move with calls.

use crate::support::process::DevNode;
use reqwest::StatusCode;
use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

/// The samples of one scrape, as the stock parser reads them.
struct Scrape(Vec<Value>);

impl Scrape {
    async fn of(http: &reqwest::Client, base: &str) -> Scrape {
        let reply = http.get(format!("{base}/metrics")).send().await.expect("GET /metrics");
        assert_eq!(reply.status(), StatusCode::OK, "metrics need no token");
        let content_type = reply.headers()["content-type"].to_str().expect("ASCII").to_string();
        assert!(content_type.starts_with("text/plain; version=0.0.4"), "{content_type}");
        let text = reply.text().await.expect("body");
        let mut parser = Command::new(crate::support::python_tools())
            .arg(crate::support::repo_root().join("tests/e2e/parse_metrics.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("python runs");
        parser.stdin.take().expect("stdin").write_all(text.as_bytes()).expect("text written");
        let parsed = parser.wait_with_output().expect("parser ends");
        assert!(parsed.status.success(), "the parser refused:\n{}\n{text}", String::from_utf8_lossy(&parsed.stderr));
        Scrape(serde_json::from_slice(&parsed.stdout).expect("JSON samples"))
    }

    /// The value of the sample `name` whose labels include `labels` (0 when absent).
    fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.0
            .iter()
            .filter(|sample| sample["name"] == name)
            .find(|sample| labels.iter().all(|(key, value)| sample["labels"][key] == *value))
            .map_or(0.0, |sample| sample["value"].as_f64().expect("a number"))
    }

    fn names(&self) -> std::collections::BTreeSet<String> {
        self.0.iter().map(|sample| sample["name"].as_str().expect("a name").to_string()).collect()
    }

    fn labels_of(&self, name: &str, label: &str) -> std::collections::BTreeSet<String> {
        let of_name = self.0.iter().filter(|sample| sample["name"] == name);
        of_name.filter_map(|sample| sample["labels"][label].as_str().map(String::from)).collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_move_as_calls_are_made_and_labels_stay_bounded() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &["--call-token", "c"]);
    let http = reqwest::Client::new();
    let call = async |path: &str, body: &'static str| {
        let url = format!("{}/v1/grains/{path}", node.http);
        http.post(url).bearer_auth("c").body(body).send().await.expect("POST").status()
    };
    let before = Scrape::of(&http, &node.http).await;
    let add_ok = [("kind", "counter"), ("method", "add"), ("outcome", "ok")];
    assert_eq!(before.value("granary_grain_calls_total", &add_ok), 0.0);

    for identity in ["m1", "m2", "m3"] {
        assert_eq!(call(&format!("counter/{identity}/add"), r#"{"n":2}"#).await, StatusCode::OK);
    }
    assert_eq!(call("counter/m1/get", "").await, StatusCode::OK);
    assert_eq!(call("chaos/m/trap", "").await, StatusCode::INTERNAL_SERVER_ERROR);
    // 40 methods nobody defined: the grain refuses each, and the labels stop at the cap.
    for method in 0..40 {
        call(&format!("counter/m1/nothing-{method}"), "").await;
    }

    let after = Scrape::of(&http, &node.http).await;
    for name in [
        "granary_grain_calls_total",
        "granary_grain_call_duration_seconds_bucket",
        "granary_activations_total",
        "granary_deactivations_total",
        "granary_live_grains",
        "granary_grain_memory_bytes",
        "granary_state_save_duration_seconds_count",
        "granary_state_commits_total",
        "granary_state_committed_writes_total",
        "granary_mailbox_depth",
        "granary_messages_forwarded_total",
        "granary_messages_retried_total",
        "granary_cluster_members",
        "granary_kind_version_info",
    ] {
        assert!(after.names().contains(name), "{name} is exported: {:?}", after.names());
    }
    assert_eq!(after.value("granary_grain_calls_total", &add_ok), 3.0, "three adds");
    let get_ok = [("kind", "counter"), ("method", "get"), ("outcome", "ok")];
    assert_eq!(after.value("granary_grain_calls_total", &get_ok), 1.0);
    let trapped = [("kind", "chaos"), ("method", "trap"), ("outcome", "fault")];
    assert_eq!(after.value("granary_grain_calls_total", &trapped), 1.0, "a trap is a fault");
    let faulted = [("kind", "chaos"), ("reason", "fault")];
    assert_eq!(after.value("granary_deactivations_total", &faulted), 1.0, "and ends its activation");
    assert_eq!(after.value("granary_activations_total", &[("kind", "counter")]), 3.0);
    assert_eq!(after.value("granary_live_grains", &[("kind", "counter")]), 3.0);
    assert!(after.value("granary_grain_memory_bytes", &[("kind", "counter")]) > 0.0);
    let turns = after.value("granary_grain_call_duration_seconds_count", &[("kind", "counter")]);
    assert_eq!(turns, 44.0, "every turn of the counter is timed");
    let saves = after.value("granary_state_save_duration_seconds_count", &[("store", "redb")]);
    assert!(saves >= 3.0, "the adds' saves are timed on the default store: {saves}");
    let commits = after.value("granary_state_commits_total", &[("store", "redb")]);
    let committed = after.value("granary_state_committed_writes_total", &[("store", "redb")]);
    assert!(committed >= 7.0, "three adds' saves and four activations' epoch claims were committed: {committed}");
    assert!((1.0..=committed).contains(&commits), "{commits} group commits made {committed} writes durable");
    assert_eq!(after.value("granary_cluster_members", &[("status", "up")]), 1.0);
    let examples = crate::support::example_count("rust");
    assert_eq!(after.labels_of("granary_kind_version_info", "kind").len(), examples, "one version per example kind");

    let methods = after.labels_of("granary_grain_calls_total", "method");
    let chaos_methods = 1;
    assert_eq!(methods.len(), 32 + 1 + chaos_methods, "the counter's 32 methods, `other`, chaos's `trap`: {methods:?}");
    let overflow = [("kind", "counter"), ("method", "other"), ("outcome", "error")];
    assert_eq!(after.value("granary_grain_calls_total", &overflow), 10.0, "42 methods, 32 labelled");
    let identities = ["m", "m1", "m2", "m3"];
    for sample in &after.0 {
        let labels = sample["labels"].as_object().expect("labels");
        assert!(
            !labels.values().any(|v| identities.contains(&v.as_str().unwrap_or(""))),
            "an identity label: {sample}"
        );
    }
    node.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_started_without_metrics_says_so() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &["--no-metrics"]);
    let reply = reqwest::get(format!("{}/metrics", node.http)).await.expect("GET /metrics");
    assert_eq!(reply.status(), StatusCode::NOT_FOUND);
    assert!(reply.text().await.expect("body").contains("metrics are off"));
    node.stop();
}
