//! Durable reminders on a real `granary dev`: the Rust ticker keeps ticking across a SIGKILL
//! and restart (its reminder wakes it without any call), `granary reminders ls` lists it, and
//! grains built against `granary:grain@0.1.0` run beside those of 0.2.0.

use crate::support::component_path;
use crate::support::process::DevNode;
use std::time::{Duration, Instant};

fn ticks(node: &DevNode, grain: &str) -> u64 {
    let got = node.cli(&["call", grain, "get"]);
    assert!(got.success, "get {grain}: {}", got.stderr);
    let reply: serde_json::Value = serde_json::from_str(got.stdout.trim()).unwrap();
    reply["ticks"].as_u64().unwrap()
}

fn wait_for(within: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check() {
        assert!(Instant::now() < deadline, "no {what} within {within:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn live(node: &DevNode, grain: &str) -> bool {
    let listed = node.cli(&["grains", "ls", "--json"]);
    let grains: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap_or_default();
    grains.as_array().is_some_and(|grains| {
        grains.iter().any(|g| {
            format!("{}/{}", g["grain"]["kind"].as_str().unwrap_or(""), g["grain"]["identity"].as_str().unwrap_or(""))
                == grain
        })
    })
}

#[test]
fn a_ticker_keeps_ticking_across_a_sigkill_and_restart() {
    let data = tempfile::tempdir().unwrap();
    let node = DevNode::with_examples(data.path(), &[]);
    let started = node.cli(&["call", "ticker/t", "start", r#"{"period_ms":100}"#]);
    assert!(started.success, "start: {}", started.stderr);
    wait_for(Duration::from_secs(10), "three ticks", || ticks(&node, "ticker/t") >= 3);

    let table = node.cli(&["reminders", "ls", "ticker/t"]);
    assert!(table.success, "reminders ls: {}", table.stderr);
    let row = table.stdout.lines().find(|line| line.starts_with("tick ")).expect("the reminder is listed");
    assert!(row.contains("100ms"), "its period is listed: {}", table.stdout);
    let listed: serde_json::Value =
        serde_json::from_str(&node.cli(&["reminders", "ls", "ticker/t", "--json"]).stdout).unwrap();
    assert_eq!(listed[0]["name"], "tick");
    assert_eq!(listed[0]["period_ms"], 100);
    assert!(listed[0]["next_tick"].as_u64().unwrap() > 3, "{listed}");
    assert!(node.cli(&["reminders", "ls", "ticker/none", "--json"]).stdout.trim() == "[]", "no reminders elsewhere");

    node.kill();
    let node = DevNode::with_examples(data.path(), &[]);
    wait_for(Duration::from_secs(10), "the ticker woken by its reminder alone", || live(&node, "ticker/t"));
    let after_restart = ticks(&node, "ticker/t");
    assert!(after_restart >= 3, "ticks survive the SIGKILL: {after_restart}");
    wait_for(Duration::from_secs(10), "ticks after the restart", || ticks(&node, "ticker/t") >= after_restart + 3);

    let stopped = node.cli(&["call", "ticker/t", "stop"]);
    assert_eq!(stopped.stdout.trim(), r#"{"cancelled":true}"#, "{}", stopped.stderr);
    let at_stop = ticks(&node, "ticker/t");
    std::thread::sleep(Duration::from_millis(500));
    assert!(ticks(&node, "ticker/t") <= at_stop + 1, "a cancelled reminder stops (one tick may be in flight)");
    assert_eq!(node.cli(&["reminders", "ls", "ticker/t", "--json"]).stdout.trim(), "[]");
}

#[test]
fn grains_built_against_0_1_0_run_beside_those_of_0_2_0() {
    // A component built before 0.2.0: the AssemblyScript counter as its SDK built it then.
    let old_counter = crate::support::repo_root().join("tests/fixtures/counter-0.1.0.wasm");
    let old = std::fs::read(&old_counter).unwrap();
    let contains = |bytes: &[u8], needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(contains(&old, "granary:grain/host@0.1.0"), "the frozen counter targets 0.1.0");
    assert!(!contains(&old, "granary:grain/host@0.2.0"));
    assert!(contains(&std::fs::read(component_path("rust", "ticker")).unwrap(), "granary:grain/reminders@0.2.0"));

    let data = tempfile::tempdir().unwrap();
    let node = DevNode::with_examples(data.path(), &[]);
    let pushed = node.cli(&["kind", "push", "old-counter", old_counter.to_str().unwrap()]);
    assert!(pushed.success, "a 0.1.0 component installs: {}", pushed.stderr);
    for (n, total) in [(2, 2), (3, 5)] {
        let added = node.cli(&["call", "old-counter/a", "add", &format!(r#"{{"n":{n}}}"#)]);
        assert_eq!(added.stdout.trim(), format!(r#"{{"total":{total}}}"#), "{}", added.stderr);
    }
    let called =
        node.cli(&["call", "old-counter/a", "call", r#"{"target":"counter/b","method":"add","payload":{"n":4}}"#]);
    assert!(called.success && called.stdout.contains("4"), "0.1.0 calls 0.2.0: {} {}", called.stdout, called.stderr);

    // The node's own methods are not for callers.
    let reserved = node.cli(&["call", "old-counter/a", "granary:reminder", "x"]);
    assert!(!reserved.success && reserved.stderr.contains("reserved"), "{}", reserved.stderr);
}
