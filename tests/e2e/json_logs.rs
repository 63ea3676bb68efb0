//! `--log-format json`: every line a real `granary dev` writes is a JSON object, and a line a
//! grain logs during a turn carries the trace id of the request that started it.

use crate::support::cluster::free_port;
use crate::support::component_path;
use crate::support::process::granary_bin;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const TRACE_ID: &str = "4a50b2c0ffee00000000000000000042";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_the_trace_id_of_the_turn() {
    let data = tempfile::tempdir().expect("temp dir");
    let (grpc, http) = (format!("127.0.0.1:{}", free_port()), format!("127.0.0.1:{}", free_port()));
    let kinds = component_path("rust", "counter").parent().expect("grains dir").to_path_buf();
    let data_dir = data.path().to_str().expect("UTF-8 path");
    let kinds = kinds.to_str().expect("UTF-8 path");
    let node = Command::new(granary_bin())
        .args(["dev", "--log-format", "json", "--listen", &grpc, "--http", &http, "--data-dir", data_dir])
        .args(["--kinds", kinds])
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("granary dev starts");
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    while client.get(format!("http://{http}/healthz")).send().await.is_err() {
        assert!(Instant::now() < deadline, "the node answers within 60 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let logged = client
        .post(format!("http://{http}/v1/grains/counter/traced/log"))
        .header("traceparent", format!("00-{TRACE_ID}-00000000000000aa-01"))
        .body("hello from inside the trace")
        .send()
        .await
        .expect("POST");
    assert_eq!(logged.status(), reqwest::StatusCode::OK);
    let stopped = Command::new("kill").args(["-TERM", &node.id().to_string()]).status().expect("kill runs");
    assert!(stopped.success());
    let output = node.wait_with_output().expect("the node exits");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let grain_line = lines
        .iter()
        .find(|line| line["fields"]["message"] == "hello from inside the trace")
        .unwrap_or_else(|| panic!("the grain's line is logged:\n{stderr}"));
    assert_eq!(grain_line["span"]["trace_id"], TRACE_ID, "{grain_line}");
    assert_eq!(grain_line["fields"]["grain"], "counter/traced", "{grain_line}");
}
