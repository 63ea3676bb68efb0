//! Topics and an event-driven saga on a real `granary dev`: 100 concurrent transfers between
//! (Rust) `account` grains, driven by the `transfer-saga` kind, in Rust and in Python, through
//! the accounts' events, some into frozen accounts (compensated) and some overdrawing
//! (failed). At the end every balance adds up, and the `ledger` kind has counted every deposit
//! once.

use crate::support::component_path;
use crate::support::process::DevNode;
use reqwest::Client;
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ACCOUNTS: usize = 10;
const OPENING: i64 = 1_000;
const TRANSFERS: usize = 100;
/// Accounts that refuse deposits: transfers into them are compensated.
const FROZEN: [usize; 2] = [8, 9];

async fn call(http: &Client, node: &DevNode, grain: &str, method: &str, body: Value) -> Value {
    let url = format!("{}/v1/grains/{grain}/{method}", node.http);
    let reply = http.post(url).body(body.to_string()).send().await.unwrap();
    let status = reply.status();
    let text = reply.text().await.unwrap();
    assert!(status.is_success(), "{grain} {method}: {status} {text}");
    serde_json::from_str(&text).unwrap()
}

fn push(node: &DevNode, lang: &str, name: &str, subscribe: &str) {
    let path = component_path(lang, name);
    let mut args = vec!["kind", "push", name, path.to_str().unwrap()];
    if !subscribe.is_empty() {
        args.extend(["--subscribe", subscribe]);
    }
    let pushed = node.cli(&args);
    assert!(pushed.success, "push {name}: {}", pushed.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_rust_sagas_with_failures_leave_every_balance_adding_up() {
    sagas_balance("rust").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hundred_concurrent_python_sagas_with_failures_leave_every_balance_adding_up() {
    sagas_balance("python").await;
}

/// The saga written in `lang` drives the transfers.
async fn sagas_balance(lang: &str) {
    let data = tempfile::tempdir().unwrap();
    let node = DevNode::start(data.path(), &[]);
    push(&node, "rust", "account", "");
    push(&node, "rust", "ledger", "money-deposited");
    push(&node, lang, "transfer-saga", "money-withdrawn:transfer_id,money-deposited:transfer_id");
    let listed = node.cli(&["kind", "ls"]);
    assert!(listed.stdout.contains("money-withdrawn:transfer_id"), "kind ls shows subscriptions: {}", listed.stdout);

    let http = Client::new();
    for a in 0..ACCOUNTS {
        call(&http, &node, &format!("account/a{a}"), "deposit", json!({"amount": OPENING, "op": "opening"})).await;
    }
    for a in FROZEN {
        call(&http, &node, &format!("account/a{a}"), "freeze", json!({})).await;
    }

    // Transfer t moves 10 + t % 7 from a(t % 8) to a((t * 3 + 1) % 10); every tenth asks for
    // more than any account holds.
    let plan: Vec<(usize, usize, i64)> = (0..TRANSFERS)
        .map(|t| {
            let from = t % 8;
            let to = (t * 3 + 1) % ACCOUNTS;
            let to = if to == from { (to + 1) % ACCOUNTS } else { to };
            let amount = if t % 10 == 9 { OPENING * 100 } else { 10 + (t % 7) as i64 };
            (from, to, amount)
        })
        .collect();
    let starts = plan.iter().enumerate().map(|(t, &(from, to, amount))| {
        let (http, node_http) = (http.clone(), node.http.clone());
        tokio::spawn(async move {
            let body = json!({"from": format!("a{from}"), "to": format!("a{to}"), "amount": amount});
            let url = format!("{node_http}/v1/grains/transfer-saga/t{t}/start");
            let reply = http.post(url).body(body.to_string()).send().await.unwrap();
            assert!(reply.status().is_success(), "start t{t}: {}", reply.text().await.unwrap());
        })
    });
    for start in starts {
        start.await.unwrap();
    }

    let deadline = Instant::now() + Duration::from_secs(60);
    let mut statuses = Vec::new();
    for t in 0..TRANSFERS {
        loop {
            let saga = call(&http, &node, &format!("transfer-saga/t{t}"), "get", json!({})).await;
            let status = saga["status"].as_str().unwrap().to_string();
            if ["completed", "compensated", "failed"].contains(&status.as_str()) {
                statuses.push(status);
                break;
            }
            assert!(Instant::now() < deadline, "t{t} still {status} after 60 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    let mut expected = [OPENING; ACCOUNTS];
    let mut deposits = [1u64; ACCOUNTS];
    for (&(from, to, amount), status) in plan.iter().zip(&statuses) {
        let into_frozen = FROZEN.contains(&to);
        let overdraw = amount > OPENING;
        let want = if overdraw {
            "failed"
        } else if into_frozen {
            "compensated"
        } else {
            "completed"
        };
        assert_eq!(status, want, "{from} -> {to} of {amount}");
        if status == "completed" {
            expected[from] -= amount;
            expected[to] += amount;
            deposits[to] += 1;
        } else if status == "compensated" {
            deposits[from] += 1;
        }
    }
    for (a, expected) in expected.iter().enumerate() {
        let balance = call(&http, &node, &format!("account/a{a}"), "balance", json!({})).await;
        assert_eq!(balance["balance"], *expected, "a{a}");
    }
    let total: i64 = expected.iter().sum();
    assert_eq!(total, OPENING * ACCOUNTS as i64, "no money made or lost");
    for (a, &want) in deposits.iter().enumerate() {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ledger = call(&http, &node, &format!("ledger/a{a}"), "get", json!({})).await;
            if ledger["deposits"] == want {
                break;
            }
            assert!(Instant::now() < deadline, "ledger/a{a}: {ledger}, expected {want} deposits");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // Published from outside over HTTP: the ledger takes it like an account's own event.
    let url = format!("{}/v1/topics/money-deposited/a0", node.http);
    let published = http.post(url).body(r#"{"amount":5,"op":"from-http"}"#).send().await.unwrap();
    assert!(published.status().is_success(), "publish over HTTP: {}", published.status());
    let sequence: Value = published.json().await.unwrap();
    assert!(sequence["sequence"].as_u64().unwrap() > 1, "{sequence}");
    let deadline = Instant::now() + Duration::from_secs(20);
    while call(&http, &node, "ledger/a0", "get", json!({})).await["deposits"] != deposits[0] + 1 {
        assert!(Instant::now() < deadline, "the event published over HTTP never reached ledger/a0");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let bad = http.post(format!("{}/v1/topics/not%20a%20topic/a0", node.http)).body("{}").send().await.unwrap();
    assert_eq!(bad.status(), reqwest::StatusCode::BAD_REQUEST, "a malformed topic is refused");

    let counts = ["completed", "compensated", "failed"].map(|s| statuses.iter().filter(|x| *x == s).count());
    println!("{lang} sagas: {counts:?} completed/compensated/failed of {TRANSFERS}");
}
