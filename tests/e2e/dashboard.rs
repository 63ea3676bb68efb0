//! The dashboard in a real browser: Debian's chromium, driven by playwright-core
//! (`tests/browser/dashboard.mjs`), against a real `granary dev` with an admin token, while
//! grains are called. The screenshot is kept in `target/test-artifacts/dashboard.png`.

use crate::support::process::DevNode;
use crate::support::repo_root;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dashboard_shows_members_kinds_rates_grains_and_faults() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &["--admin-token", "admin", "--call-token", "call"]);
    let http = reqwest::Client::new();
    let call = |path: String| {
        http.post(format!("{}/v1/grains/{path}", node.http)).bearer_auth("call").body(r#"{"n":1}"#).send()
    };
    for i in 0..12 {
        call(format!("counter/dash-{i}/add")).await.expect("add");
    }
    call("chaos/boom/trap".into()).await.expect("a trap is answered");

    // Calls keep coming while the page watches, so it has a rate to show.
    let calling = Arc::new(AtomicBool::new(true));
    let load = {
        let (calling, http, base) = (Arc::clone(&calling), http.clone(), node.http.clone());
        tokio::spawn(async move {
            while calling.load(Ordering::Relaxed) {
                let url = format!("{base}/v1/grains/counter/dash-1/add");
                http.post(url).bearer_auth("call").body(r#"{"n":1}"#).send().await.ok();
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            }
        })
    };
    let artifacts = repo_root().join("target/test-artifacts");
    std::fs::create_dir_all(&artifacts).expect("artifacts dir");
    let screenshot = artifacts.join("dashboard.png");
    std::fs::remove_file(&screenshot).ok();
    let browser = repo_root().join("tests/browser");
    let page = format!("{}/", node.http);
    let output = tokio::task::spawn_blocking(move || {
        Command::new("node").current_dir(&browser).arg("dashboard.mjs").arg(page).arg(&screenshot).output()
    })
    .await
    .expect("joined")
    .expect("node runs (tests/run.sh installs chromium and playwright-core)");
    calling.store(false, Ordering::Relaxed);
    load.await.expect("load ends");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the browser check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let kept = std::fs::metadata(artifacts.join("dashboard.png")).expect("the screenshot is kept");
    assert!(kept.len() > 10_000, "a real screenshot: {} bytes", kept.len());
    node.stop();
}
