//! The HTTP/JSON gateway, over a real socket to a real `granary dev`.

use crate::support::component;
use crate::support::process::DevNode;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_pushes_and_listings_over_http() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &[]);
    let http = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", node.http);

    let reply = http.post(url("/v1/grains/counter/bob/add")).body(r#"{"n":2}"#).send().await.expect("POST");
    assert_eq!(reply.status(), StatusCode::OK);
    assert_eq!(reply.headers()["content-type"], "application/json");
    assert_eq!(reply.text().await.expect("body"), r#"{"total":2}"#);

    let unknown = http.post(url("/v1/grains/ghost/bob/add")).send().await.expect("POST");
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = unknown.json().await.expect("JSON error");
    assert_eq!(body["error"], r#"unknown kind "ghost""#);

    let failed = http.post(url("/v1/grains/account/z/withdraw")).body(r#"{"amount":1}"#).send().await.expect("POST");
    assert_eq!(failed.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: serde_json::Value = failed.json().await.expect("JSON error");
    assert!(body["error"].as_str().expect("message").contains("insufficient funds"), "{body}");

    let pushed = http
        .put(url("/v1/kinds/counter2?idle_timeout=45s&max_memory=16MiB"))
        .body(component("rust", "counter"))
        .send()
        .await
        .expect("PUT");
    assert_eq!(pushed.status(), StatusCode::OK);
    let pushed: serde_json::Value = pushed.json().await.expect("JSON");
    assert_eq!(pushed["unchanged"], false);
    assert_eq!(pushed["kind"]["settings"]["idle_timeout_ms"], 45_000);
    let reply = http.post(url("/v1/grains/counter2/x/add")).body(r#"{"n":9}"#).send().await.expect("POST");
    assert_eq!(reply.text().await.expect("body"), r#"{"total":9}"#);

    let bad = http.put(url("/v1/kinds/counter2")).body("not wasm at all").send().await.expect("PUT");
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let body: serde_json::Value = bad.json().await.expect("JSON error");
    assert!(body["error"].as_str().expect("message").contains("not a WebAssembly component"), "{body}");

    let kinds: serde_json::Value = http.get(url("/v1/kinds")).send().await.expect("GET").json().await.expect("JSON");
    let names: Vec<&str> = kinds.as_array().expect("list").iter().filter_map(|k| k["name"].as_str()).collect();
    assert!(names.contains(&"counter") && names.contains(&"counter2"), "{names:?}");
    let grains: serde_json::Value =
        http.get(url("/v1/grains?kind=counter")).send().await.expect("GET").json().await.expect("JSON");
    assert_eq!(grains.as_array().expect("list").len(), 1);
    assert_eq!(grains[0]["grain"]["identity"], "bob");

    let info: serde_json::Value = http.get(url("/v1/node")).send().await.expect("GET").json().await.expect("JSON");
    let examples = crate::support::example_count("rust");
    assert_eq!(info["kinds"], examples + 1, "the {examples} Rust examples plus counter2: {info}");
    assert!(info["active_grains"].as_u64().expect("count") >= 3, "{info}");

    let missing = http.get(url("/v2/nothing")).send().await.expect("GET");
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    node.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_admin_routes_need_the_token() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(data.path(), &["--admin-token", "s3cret"]);
    let http = reqwest::Client::new();
    let url = format!("{}/v1/kinds/counter", node.http);

    let anonymous = http.put(&url).body(component("rust", "counter")).send().await.expect("PUT");
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let wrong = http.put(&url).bearer_auth("guess").body(component("rust", "counter")).send().await.expect("PUT");
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    let allowed = http.put(&url).bearer_auth("s3cret").body(component("rust", "counter")).send().await.expect("PUT");
    assert_eq!(allowed.status(), StatusCode::OK);
    let call =
        http.post(format!("{}/v1/grains/counter/a/add", node.http)).body(r#"{"n":1}"#).send().await.expect("POST");
    assert_eq!(call.status(), StatusCode::OK, "calls stay open without a call token");
    node.stop();
}

#[test]
fn the_gateway_and_the_grpc_port_serve_tls_with_the_nodes_certificate() {
    let ca = crate::support::tls::TestCa::new("public CA");
    let cert = ca.issue("node", &["localhost", "127.0.0.1"]);
    let data = tempfile::tempdir().expect("temp dir");
    let flags = ["--tls-cert", cert.cert.to_str().expect("UTF-8"), "--tls-key", cert.key.to_str().expect("UTF-8")];
    let node = DevNode::with_examples(data.path(), &flags);
    assert!(node.server.starts_with("https://") && node.http.starts_with("https://"), "{} {}", node.server, node.http);
    let ca_file = ca.ca.to_str().expect("UTF-8");
    let curl = |url: &str, trust: bool| {
        let mut command = std::process::Command::new("curl");
        command.args(["-sS", "--fail", "-X", "POST", "-d", r#"{"n":2}"#, url]);
        if trust {
            command.args(["--cacert", ca_file]);
        }
        command.output().expect("curl runs")
    };
    let added = curl(&format!("{}/v1/grains/counter/tls/add", node.http), true);
    assert!(added.status.success(), "{}", String::from_utf8_lossy(&added.stderr));
    assert_eq!(String::from_utf8_lossy(&added.stdout), r#"{"total":2}"#);
    assert!(
        !curl(&format!("{}/v1/grains/counter/tls/add", node.http), false).status.success(),
        "an unknown CA is refused"
    );
    let plain = node.http.replacen("https://", "http://", 1);
    assert!(!curl(&format!("{plain}/v1/grains/counter/tls/add"), true).status.success(), "no plain HTTP");
    assert_eq!(node.cli(&["call", "counter/tls", "get", "--ca", ca_file]).reply(), r#"{"total":2}"#, "gRPC over TLS");
    node.stop();
}
