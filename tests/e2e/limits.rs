//! Limits that protect a real `granary dev`: a kind's live quota, its state size limit, and
//! the node's memory budget, with the least recently used idle grains evicted to make room.

use crate::support::component_path;
use crate::support::process::DevNode;
use reqwest::{Client, StatusCode};
use serde_json::Value;
use std::time::Duration;

/// A one-line `/metrics` reader: the value of the sample `name` carrying every label given.
async fn metric(http: &Client, node: &DevNode, name: &str, labels: &[(&str, &str)]) -> f64 {
    let text = http.get(format!("{}/metrics", node.http)).send().await.unwrap().text().await.unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.rsplit_once(' '))
        .find(|(series, _)| {
            let bare = series.split('{').next() == Some(name);
            bare && labels.iter().all(|(key, value)| series.contains(&format!("{key}=\"{value}\"")))
        })
        .map_or(0.0, |(_, value)| value.parse().unwrap())
}

async fn post(http: &Client, node: &DevNode, path: &str, body: &str) -> (StatusCode, String) {
    let reply = http.post(format!("{}/v1/grains/{path}", node.http)).body(body.to_string()).send().await.unwrap();
    (reply.status(), reply.text().await.unwrap())
}

async fn live_grains(http: &Client, node: &DevNode, kind: &str) -> Vec<Value> {
    let url = format!("{}/v1/grains?kind={kind}", node.http);
    http.get(url).send().await.unwrap().json().await.unwrap()
}

fn push(node: &DevNode, name: &str, example: &str, flags: &[&str]) {
    let path = component_path("rust", example);
    let mut args = vec!["kind", "push", name, path.to_str().unwrap()];
    args.extend_from_slice(flags);
    let pushed = node.cli(&args);
    assert!(pushed.success, "push {name}: {}", pushed.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kind_at_its_max_live_makes_room_by_evicting_its_least_recently_used_idle_grain() {
    let data = tempfile::tempdir().unwrap();
    let node = DevNode::start(data.path(), &[]);
    push(&node, "capped", "counter", &["--max-live", "10"]);
    let listed = node.cli(&["kind", "ls"]);
    let row = listed.stdout.lines().find(|line| line.starts_with("capped")).expect("capped is listed");
    assert!(row.split_whitespace().any(|cell| cell == "10"), "kind ls shows the quota: {}", listed.stdout);

    let http = Client::new();
    for round in 1..=2 {
        for i in 1..=50 {
            let (status, body) = post(&http, &node, &format!("capped/c{i}/add"), &format!(r#"{{"n":{i}}}"#)).await;
            assert_eq!(status, StatusCode::OK, "add to c{i}: {body}");
            let total: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(total["total"], round * i, "c{i} keeps its total across evictions");
            let live = live_grains(&http, &node, "capped").await.len();
            assert!(live <= 10, "{live} capped grains live after c{i} in round {round}");
        }
    }
    let evicted =
        metric(&http, &node, "granary_deactivations_total", &[("kind", "capped"), ("reason", "evicted")]).await;
    assert!(evicted >= 90.0, "100 activations under a quota of 10 evict at least 90 times: {evicted}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_save_over_max_state_is_refused_and_the_earlier_state_survives() {
    let data = tempfile::tempdir().unwrap();
    let node = DevNode::start(data.path(), &["--max-state", "2KiB"]);
    push(&node, "small", "chaos", &[]);
    push(&node, "roomy", "chaos", &["--max-state", "64KiB"]);
    let http = Client::new();

    for (kind, kept, refused) in [("small", 1_000, 3_000), ("roomy", 50_000, 100_000)] {
        let (status, body) =
            post(&http, &node, &format!("{kind}/g/save-bytes"), &format!(r#"{{"bytes":{kept}}}"#)).await;
        assert_eq!(status, StatusCode::OK, "{kind} saves {kept} bytes: {body}");
        let (status, body) =
            post(&http, &node, &format!("{kind}/g/save-bytes"), &format!(r#"{{"bytes":{refused}}}"#)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{kind} may not save {refused} bytes: {body}");
        assert!(body.contains("max-state"), "the error names the limit: {body}");
        assert!(body.contains(&refused.to_string()), "and the size refused: {body}");
    }
    node.stop();

    // A new activation on a restarted node loads what is durable.
    let node = DevNode::start(data.path(), &["--max-state", "2KiB"]);
    for (kind, kept) in [("small", "1000"), ("roomy", "50000")] {
        let (status, body) = post(&http, &node, &format!("{kind}/g/stored-bytes"), "").await;
        assert_eq!((status, body.as_str()), (StatusCode::OK, kept), "{kind} still holds its earlier state");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_counters_stay_within_a_64_mib_budget_and_keep_every_total() {
    const BUDGET: f64 = 64.0 * 1024.0 * 1024.0;
    const COUNTERS: usize = 2_000;
    let data = tempfile::tempdir().unwrap();
    let node = DevNode::start(data.path(), &["--memory-budget", "64MiB"]);
    push(&node, "counter", "counter", &[]);
    let http = Client::new();

    let (status, body) = post(&http, &node, "counter/probe/add", r#"{"n":0}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let memory = live_grains(&http, &node, "counter").await[0]["memory_bytes"].as_f64().unwrap();
    assert!(memory >= 1024.0 * 1024.0, "a Rust counter holds about 1 MiB of linear memory: {memory}");

    // Eight callers at a time; each counter gets its own total, and every sample of the
    // budget's use stays under it.
    let mut highest_use: f64 = 0.0;
    for pass in ["add", "get"] {
        for batch in (0..COUNTERS).collect::<Vec<_>>().chunks(8) {
            let mut calls = tokio::task::JoinSet::new();
            for &i in batch {
                let (http, url) = (http.clone(), format!("{}/v1/grains/counter/c{i}/{pass}", node.http));
                let body = if pass == "add" { format!(r#"{{"n":{i}}}"#) } else { String::new() };
                calls.spawn(async move {
                    let reply = http.post(url).body(body).send().await.unwrap();
                    (i, reply.status(), reply.text().await.unwrap())
                });
            }
            while let Some(done) = calls.join_next().await {
                let (i, status, body) = done.unwrap();
                assert_eq!(status, StatusCode::OK, "{pass} on c{i}: {body}");
                let reply: Value = serde_json::from_str(&body).unwrap();
                assert_eq!(reply["total"], i, "c{i} after {pass}");
            }
            if batch[0] % 200 == 0 {
                let used = metric(&http, &node, "granary_memory_budget_used_bytes", &[]).await;
                assert!(used <= BUDGET, "the live grains hold {used} bytes of a {BUDGET} budget");
                highest_use = highest_use.max(used);
            }
        }
    }
    assert!(highest_use > BUDGET / 2.0, "the budget was actually approached: {highest_use}");
    assert_eq!(metric(&http, &node, "granary_memory_budget_bytes", &[]).await, BUDGET);
    let evicted =
        metric(&http, &node, "granary_deactivations_total", &[("kind", "counter"), ("reason", "evicted")]).await;
    assert!(evicted >= 1_900.0, "4 000 activations in room for about 55 evict most of them: {evicted}");
    let log = node.log().to_lowercase();
    for failure in ["out of memory", "at its activation capacity", "resource exhausted"] {
        assert!(!log.contains(failure), "the node never reports {failure:?}:\n{log}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_nothing_idle_to_evict_a_new_activation_is_refused_with_a_retry_after() {
    let data = tempfile::tempdir().unwrap();
    // Room for two Rust grains of about 1.1 MiB each, and not three.
    let node = DevNode::start(data.path(), &["--memory-budget", "2600KiB"]);
    push(&node, "spinner", "chaos", &["--time-limit", "20s"]);
    push(&node, "counter", "counter", &["--time-limit", "1s"]);
    let http = Client::new();
    let (status, body) = post(&http, &node, "counter/warm/add", r#"{"n":1}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Two turns that spin: the idle counter is evicted to make room for the second.
    let spinning: Vec<_> = ["a", "b"]
        .into_iter()
        .map(|id| {
            let url = format!("{}/v1/grains/spinner/{id}/loop", node.http);
            tokio::spawn(Client::new().post(url).send())
        })
        .collect();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while live_grains(&http, &node, "spinner").await.len() < 2 || !live_grains(&http, &node, "counter").await.is_empty()
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "both spinners start and the idle counter leaves: {:?} {:?} {}",
            live_grains(&http, &node, "spinner").await,
            live_grains(&http, &node, "counter").await,
            metric(&http, &node, "granary_memory_budget_used_bytes", &[]).await
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let reply = http.post(format!("{}/v1/grains/counter/cold/add", node.http)).body(r#"{"n":1}"#).send().await.unwrap();
    assert_eq!(reply.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(reply.headers()["retry-after"], "1");
    let body: Value = reply.json().await.unwrap();
    assert_eq!(body["ran"], "no", "{body}");
    assert!(body["error"].as_str().unwrap().contains("memory budget"), "{body}");

    let grpc = node.cli(&["call", "counter/cold", "add", r#"{"n":1}"#]);
    assert!(!grpc.success, "refused over gRPC too");
    assert!(
        grpc.stderr.contains("RESOURCE_EXHAUSTED") || grpc.stderr.contains("resource exhausted"),
        "{}",
        grpc.stderr
    );
    let warm = node.cli(&["call", "counter/warm", "get"]);
    assert!(!warm.success, "the evicted counter cannot come back either while both spin");
    for task in spinning {
        task.abort();
    }
}
