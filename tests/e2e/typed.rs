//! Typed kinds on a real `granary dev`: the Rust `typed-counter` (world `typed-grain`) called
//! with JSON over the CLI, HTTP and gRPC alike, a call that does not fit refused before the
//! grain runs, its interface described as WIT, an incompatible reload refused unless forced,
//! and callers in JavaScript, Rust and Python calling it through its imported interface across
//! a hot reload to the Python build.

use crate::support::component_path;
use crate::support::process::DevNode;
use granary::proto::api::grains_client::GrainsClient;
use granary::proto::api::kinds_client::KindsClient;
use granary::proto::api::{CallRequest, DescribeKindRequest, GrainRef};
use serde_json::{Value, json};
use tonic::Code;

fn live(node: &DevNode, grain: &str) -> bool {
    let listed = node.cli(&["grains", "ls", "--json"]);
    let grains: Value = serde_json::from_str(&listed.stdout).unwrap_or_default();
    grains.as_array().is_some_and(|grains| {
        grains.iter().any(|g| {
            format!("{}/{}", g["grain"]["kind"].as_str().unwrap(), g["grain"]["identity"].as_str().unwrap()) == grain
        })
    })
}

async fn post(node: &DevNode, grain: &str, function: &str, body: &str) -> (u16, String) {
    let url = format!("{}/v1/grains/{grain}/{function}", node.http);
    let reply = reqwest::Client::new().post(url).body(body.to_string()).send().await.unwrap();
    (reply.status().as_u16(), reply.text().await.unwrap())
}

fn grpc_call(grain: &str, function: &str, payload: &str) -> CallRequest {
    let (kind, identity) = grain.split_once('/').unwrap();
    CallRequest {
        grain: Some(GrainRef { kind: kind.into(), identity: identity.into() }),
        method: function.into(),
        payload: payload.as_bytes().to_vec(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_calls_on_a_typed_kind_behave_alike_over_cli_http_and_grpc() {
    let data = tempfile::tempdir().unwrap();
    let node = DevNode::with_examples(data.path(), &[]);

    // CLI.
    assert_eq!(node.cli(&["call", "typed-counter/a", "add", r#"{"n":5}"#]).reply(), "5");
    assert_eq!(node.cli(&["call", "typed-counter/a", "add", r#"{"n":7}"#]).reply(), "12");
    let refused = node.cli(&["call", "typed-counter/fresh", "add", r#"{"n":"x"}"#]);
    assert!(!refused.success, "a string is no s64");
    assert!(refused.stderr.contains("n: expected s64, got string"), "{}", refused.stderr);
    assert!(refused.stderr.contains("InvalidArgument"), "{}", refused.stderr);
    assert!(!live(&node, "typed-counter/fresh"), "the grain never ran: it was not even activated");
    let unknown = node.cli(&["call", "typed-counter/a", "ad", "{}"]);
    assert!(
        unknown.stderr.contains(r#"no function "ad""#) && unknown.stderr.contains("counter.add"),
        "{}",
        unknown.stderr
    );
    assert_eq!(node.cli(&["call", "typed-counter/a", "get"]).reply(), "12", "the refused calls changed nothing");

    // HTTP.
    assert_eq!(post(&node, "typed-counter/h", "add", r#"{"n":5}"#).await, (200, "5".into()));
    let (status, body) = post(&node, "typed-counter/h", "add", r#"{"n":"x"}"#).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("n: expected s64, got string"), "{body}");
    let (status, body) = post(&node, "typed-counter/h", "add", r#"{"m":1}"#).await;
    assert!(status == 400 && body.contains("m: unknown parameter"), "{status} {body}");
    let apply = json!({
        "changes": [{"add": 3}, "reset", {"set": 47}],
        "rounding": "down-to-ten",
        "audit": ["checked"],
        "note": "tidy",
    });
    let (status, body) = post(&node, "typed-counter/h", "apply", &apply.to_string()).await;
    assert_eq!(status, 200, "{body}");
    let applied: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(applied, json!({"ok": {"total": 40, "applied": 3, "note": "tidy", "audit": ["checked"]}}));
    let below = json!({"changes": [], "rounding": "none", "floor": 100, "audit": []});
    let (_, body) = post(&node, "typed-counter/h", "apply", &below.to_string()).await;
    assert_eq!(body, r#"{"err":"total 40 would fall below the floor 100"}"#);
    let (status, body) =
        post(&node, "typed-counter/h", "apply", r#"{"changes":[{"add":"1"},{"sub":1}],"rounding":"none","audit":[]}"#)
            .await;
    assert!(status == 400 && body.contains(r#"changes[1]: unknown case \"sub\""#), "{status} {body}");

    // gRPC.
    let mut grains = GrainsClient::connect(node.server.clone()).await.unwrap();
    let reply = grains.call(grpc_call("typed-counter/g", "add", r#"{"n":5}"#)).await.unwrap().into_inner();
    assert_eq!(reply.payload, b"5");
    let status = grains.call(grpc_call("typed-counter/g", "add", r#"{"n":"x"}"#)).await.unwrap_err();
    assert_eq!(status.code(), Code::InvalidArgument);
    assert!(status.message().contains("n: expected s64, got string"), "{}", status.message());
    let reply = grains.call(grpc_call("typed-counter/g", "get", "")).await.unwrap().into_inner();
    assert_eq!(reply.payload, b"5");

    // Describe.
    let described = node.cli(&["kind", "describe", "typed-counter"]);
    assert!(described.success, "{}", described.stderr);
    for line in
        ["package example:typed-counter@0.1.0;", "interface counter {", "add: func(n: s64) -> s64;", "flags audit {"]
    {
        assert!(described.stdout.contains(line), "{line} in {}", described.stdout);
    }
    let over_http: Value =
        reqwest::get(format!("{}/v1/kinds/typed-counter/interface", node.http)).await.unwrap().json().await.unwrap();
    assert_eq!(over_http["typed"], true);
    assert_eq!(over_http["wit"], described.stdout.as_str());
    let mut kinds = KindsClient::connect(node.server.clone()).await.unwrap();
    let request = DescribeKindRequest { name: "typed-counter".into(), version: String::new() };
    assert_eq!(kinds.describe_kind(request).await.unwrap().into_inner().wit, described.stdout);
    let untyped = node.cli(&["kind", "describe", "counter"]);
    assert!(!untyped.success && untyped.stderr.contains("not a typed kind"), "{}", untyped.stderr);
    let unknown = node.cli(&["kind", "describe", "nope"]);
    assert!(!unknown.success && unknown.stderr.contains("unknown kind"), "{}", unknown.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_incompatible_reload_is_refused_unless_forced() {
    let data = tempfile::tempdir().unwrap();
    let node = DevNode::with_examples(data.path(), &[]);
    assert_eq!(node.cli(&["call", "typed-counter/r", "add", r#"{"n":3}"#]).reply(), "3");
    let current = node.cli(&["kind", "describe", "typed-counter"]).stdout;
    let breaking = component_path("fixtures", "typed-counter-breaking");
    let breaking = breaking.to_str().unwrap();

    let refused = node.cli(&["kind", "push", "typed-counter", breaking]);
    assert!(!refused.success, "an incompatible reload is refused");
    assert!(refused.stderr.contains("refusing to replace typed kind \"typed-counter\""), "{}", refused.stderr);
    assert!(refused.stderr.contains("removes counter.get"), "{}", refused.stderr);
    assert!(refused.stderr.contains("changes counter.add"), "{}", refused.stderr);
    assert!(refused.stderr.contains("--force"), "says how to force it: {}", refused.stderr);
    let url = format!("{}/v1/kinds/typed-counter", node.http);
    let over_http = reqwest::Client::new().put(url).body(std::fs::read(breaking).unwrap()).send().await.unwrap();
    assert_eq!(over_http.status().as_u16(), 409, "refused over HTTP as a conflict");
    assert_eq!(node.cli(&["kind", "describe", "typed-counter"]).stdout, current, "nothing changed");
    assert_eq!(node.cli(&["call", "typed-counter/r", "add", r#"{"n":4}"#]).reply(), "7");

    let same = component_path("rust", "typed-counter");
    let again = node.cli(&["kind", "push", "typed-counter", same.to_str().unwrap(), "--idle-timeout", "30s"]);
    assert!(again.success, "a compatible push goes through: {}", again.stderr);

    let forced = node.cli(&["kind", "push", "typed-counter", breaking, "--force"]);
    assert!(forced.success, "--force replaces it: {}", forced.stderr);
    let described = node.cli(&["kind", "describe", "typed-counter"]).stdout;
    assert!(described.contains("add: func(n: string) -> s64;") && !described.contains("get:"), "{described}");
    let old_version = previous_version(&node);
    let earlier = node.cli(&["kind", "describe", "typed-counter", "--version", &old_version]);
    assert_eq!(earlier.stdout, current, "an earlier version is described from its module: {}", earlier.stderr);
}

/// The version of `typed-counter` before the last push, from `kind ls --json`.
fn previous_version(node: &DevNode) -> String {
    let listed: Value = serde_json::from_str(&node.cli(&["kind", "ls", "--json"]).stdout).unwrap();
    let kind = listed.as_array().unwrap().iter().find(|kind| kind["name"] == "typed-counter").unwrap();
    kind["previous_versions"].as_array().unwrap().last().unwrap().as_str().unwrap()[..12].to_string()
}

#[test]
fn grains_in_three_languages_call_the_counter_through_its_interface_across_a_reload_to_python() {
    let data = tempfile::tempdir().unwrap();
    // The Rust examples include `typed-counter` and `typed-caller`.
    let node = DevNode::with_examples(data.path(), &[]);
    for (lang, name, kind) in [("js", "counter-caller", "js-caller"), ("python", "typed-caller", "py-caller")] {
        let path = component_path(lang, name);
        let pushed = node.cli(&["kind", "push", kind, path.to_str().unwrap()]);
        assert!(pushed.success, "push {kind}: {}", pushed.stderr);
    }
    let add = |caller: &str, n: i64| {
        let reply = node.cli(&["call", &format!("{caller}/c"), "add", &json!({"counter": "x", "n": n}).to_string()]);
        serde_json::from_str::<Value>(reply.reply()).unwrap()["total"].as_i64().unwrap()
    };
    assert_eq!(add("js-caller", 5), 5, "JavaScript into Rust");
    assert_eq!(add("js-caller", 7), 12);
    assert_eq!(add("typed-caller", 2), 14, "Rust into Rust");
    assert_eq!(add("py-caller", 1), 15, "Python into Rust");
    assert_eq!(node.cli(&["call", "typed-counter/x", "get"]).reply(), "15", "the Rust counter holds what they added");

    let python = component_path("python", "typed-counter");
    let reloaded = node.cli(&["kind", "push", "typed-counter", python.to_str().unwrap()]);
    assert!(reloaded.success, "the Python build is compatible: {}", reloaded.stderr);
    assert_eq!(add("js-caller", 3), 18, "the Python counter kept the total");
    assert_eq!(add("typed-caller", 1), 19, "Rust into Python");
    assert_eq!(add("py-caller", 1), 20, "Python into Python");
    assert_eq!(node.cli(&["call", "typed-counter/x", "get"]).reply(), "20");
    let python_apply = node.cli(&[
        "call",
        "typed-counter/x",
        "apply",
        r#"{"changes":[{"add":6}],"rounding":"down-to-ten","audit":["logged"],"note":null}"#,
    ]);
    let applied: Value = serde_json::from_str(python_apply.reply()).unwrap();
    assert_eq!(applied, json!({"ok": {"audit": ["logged"], "applied": 1, "note": null, "total": 20}}));

    let unbound = node.cli(&["call", "js-caller/c", "add", r#"{"counter":"x","n":1,"kind":"counter"}"#]);
    assert!(!unbound.success && unbound.stderr.contains("exports no typed interface"), "{}", unbound.stderr);
}
