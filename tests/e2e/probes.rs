//! Orchestrator probes on the HTTP port of a real `granary dev`: `/healthz` while the process
//! serves, `/readyz` ready until SIGTERM, then unready at once while the node drains.

use crate::support::process::DevNode;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readyz_turns_unready_as_soon_as_a_drain_starts() {
    let data = tempfile::tempdir().expect("temp dir");
    let mut node = DevNode::with_examples(data.path(), &["--admin-token", "a", "--call-token", "c"]);
    let http = reqwest::Client::new();
    let base = node.http.clone();
    let url = |path: &str| format!("{base}{path}");

    let health = http.get(url("/healthz")).send().await.expect("GET /healthz");
    assert_eq!(health.status(), StatusCode::OK, "probes need no token");
    let ready = http.get(url("/readyz")).send().await.expect("GET /readyz");
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.text().await.expect("body"), "ready\n");

    // A turn that spins until its time limit (5 s) keeps the node draining that long.
    let spinning = tokio::spawn(
        http.post(url("/v1/grains/chaos/spin/loop")).bearer_auth("c").timeout(Duration::from_secs(20)).send(),
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    node.terminate();
    let deadline = Instant::now() + Duration::from_secs(3);
    let unready = loop {
        let probe = http.get(url("/readyz")).send().await.expect("the HTTP port still answers while draining");
        if probe.status() == StatusCode::SERVICE_UNAVAILABLE {
            break probe.text().await.expect("body");
        }
        assert!(Instant::now() < deadline, "/readyz still ready 3 s after SIGTERM");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    assert!(unready.contains("draining"), "the reason is given: {unready:?}");
    let alive = http.get(url("/healthz")).send().await.expect("GET /healthz while draining");
    assert_eq!(alive.status(), StatusCode::OK, "a draining node is still alive");

    let exit = node.wait_exit(Duration::from_secs(30)).expect("the node stops within the drain limit");
    assert!(exit.success(), "graceful stop exits 0: {exit}");
    spinning.await.expect("the spinning call ends").ok();
    assert!(http.get(url("/healthz")).send().await.is_err(), "nothing answers once the node has stopped");
}
