//! One conformance suite for every language's `counter`, each on a real `granary dev`
//! process driven by the real CLI. Prints a language x scenario table. Every SDK targets
//! `granary:grain@0.2.0`, so every counter runs every scenario, reminders and publish included.
#![allow(clippy::unwrap_used)] // a test may panic where it must not fail

#[path = "../support/mod.rs"]
mod support;

use std::path::Path;
use std::time::{Duration, Instant};
use support::component_path;
use support::process::DevNode;

const LANGUAGES: [&str; 7] = ["rust", "python", "js", "go", "c", "zig", "assemblyscript"];
const SCENARIOS: [&str; 9] =
    ["add/get", "state kept", "bad payload", "self-id", "log", "call", "receive timeout", "reminders", "publish"];

type Outcome = Result<(), String>;

fn expect(what: &str, got: &str, want: &str) -> Outcome {
    if got == want { Ok(()) } else { Err(format!("{what}: got {got:?}, want {want:?}")) }
}

fn reply(node: &DevNode, args: &[&str]) -> Result<String, String> {
    let out = node.cli(args);
    if out.success {
        Ok(out.stdout.trim_end().to_string())
    } else {
        Err(format!("{args:?}: {}", out.stderr.trim_end()))
    }
}

fn wait_for(what: &str, within: Duration, mut check: impl FnMut() -> bool) -> Outcome {
    let deadline = Instant::now() + within;
    while !check() {
        if Instant::now() > deadline {
            return Err(format!("no {what} within {within:?}"));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

fn live(node: &DevNode, grain: &str) -> bool {
    node.cli(&["grains", "ls"]).stdout.lines().any(|line| line.split_whitespace().next() == Some(grain))
}

/// Runs every scenario against `lang`'s counter; the node may be restarted on the way.
fn run_language(lang: &str, data: &Path) -> Vec<Outcome> {
    let wasm = component_path(lang, "counter");
    let file = wasm.to_str().expect("UTF-8 path").to_string();
    let mut node = DevNode::start(data, &[]);
    let push = node.cli(&["kind", "push", "counter", &file, "--idle-timeout", "500ms", "--subscribe", "counter-adds"]);
    if !push.success {
        return vec![Err(format!("push failed: {}", push.stderr.trim_end())); SCENARIOS.len()];
    }
    let mut results = Vec::new();

    results.push((|| {
        expect("add 5", &reply(&node, &["call", "counter/c1", "add", r#"{"n":5}"#])?, r#"{"total":5}"#)?;
        expect("add 7", &reply(&node, &["call", "counter/c1", "add", r#"{"n":7}"#])?, r#"{"total":12}"#)?;
        expect("get", &reply(&node, &["call", "counter/c1", "get"])?, r#"{"total":12}"#)
    })());

    let evicted = (|| {
        wait_for("idle eviction of counter/c1", Duration::from_secs(10), || !live(&node, "counter/c1"))?;
        expect("get after eviction", &reply(&node, &["call", "counter/c1", "get"])?, r#"{"total":12}"#)
    })();
    node.stop();
    node = DevNode::start(data, &[]);
    let restarted =
        reply(&node, &["call", "counter/c1", "get"]).and_then(|r| expect("get after restart", &r, r#"{"total":12}"#));
    results.push(evicted.and(restarted));

    results.push((|| {
        let bad = node.cli(&["call", "counter/c3", "add", "not json"]);
        if bad.success || !bad.stderr.contains("bad payload") {
            return Err(format!("want a 'bad payload' error, got {:?} / {:?}", bad.stdout, bad.stderr));
        }
        expect(
            "add after a bad payload",
            &reply(&node, &["call", "counter/c3", "add", r#"{"n":1}"#])?,
            r#"{"total":1}"#,
        )
    })());

    results.push((|| {
        let me: serde_json::Value = serde_json::from_str(&reply(&node, &["call", "counter/who", "whoami"])?)
            .map_err(|e| format!("whoami is not JSON: {e}"))?;
        expect("self-id", &me.to_string(), r#"{"identity":"who","kind":"counter"}"#)
    })());

    results.push((|| {
        let marker = format!("conformance marker from {lang}");
        expect("log reply", &reply(&node, &["call", "counter/logger", "log", &marker])?, r#""logged""#)?;
        wait_for("the log line", Duration::from_secs(5), || {
            node.log().lines().any(|line| line.contains(&marker) && line.contains("grain=counter/logger"))
        })
    })());

    results.push((|| {
        let forwarded = r#"{"target":"counter/c2","method":"add","payload":{"n":3}}"#;
        expect("call", &reply(&node, &["call", "counter/c1", "call", forwarded])?, r#"{"total":3}"#)?;
        expect("callee state", &reply(&node, &["call", "counter/c2", "get"])?, r#"{"total":3}"#)
    })());

    results.push((|| {
        expect(
            "set-timeout",
            &reply(&node, &["call", "counter/long", "set-timeout", r#"{"millis":60000}"#])?,
            r#""ok""#,
        )?;
        reply(&node, &["call", "counter/short", "get"])?;
        wait_for("idle eviction of counter/short", Duration::from_secs(10), || !live(&node, "counter/short"))?;
        if live(&node, "counter/long") { Ok(()) } else { Err("counter/long ignored its 60 s receive timeout".into()) }
    })());

    results.push((|| {
        let ticks = |node: &DevNode| -> Result<u64, String> {
            let got: serde_json::Value = serde_json::from_str(&reply(node, &["call", "counter/r1", "ticks"])?)
                .map_err(|e| format!("ticks is not JSON: {e}"))?;
            got["ticks"].as_u64().ok_or_else(|| format!("ticks: {got}"))
        };
        expect("remind", &reply(&node, &["call", "counter/r1", "remind", r#"{"period_ms":100}"#])?, r#""ok""#)?;
        wait_for("three reminder ticks", Duration::from_secs(10), || ticks(&node).is_ok_and(|n| n >= 3))?;
        expect("unremind", &reply(&node, &["call", "counter/r1", "unremind"])?, r#"{"cancelled":true}"#)?;
        let stopped_at = ticks(&node)?;
        std::thread::sleep(Duration::from_millis(300));
        let later = ticks(&node)?;
        if later > stopped_at + 1 {
            Err(format!("ticks went on after unremind: {stopped_at} then {later}"))
        } else {
            Ok(())
        }
    })());
    results.push((|| {
        let published = r#"{"topic":"counter-adds","key":"sub","payload":{"n":4}}"#;
        expect("publish", &reply(&node, &["call", "counter/p1", "publish", published])?, r#"{"sequence":1}"#)?;
        wait_for("the event added", Duration::from_secs(10), || {
            reply(&node, &["call", "counter/sub", "get"]).is_ok_and(|total| total == r#"{"total":4}"#)
        })?;
        expect(
            "publish from outside",
            &reply(&node, &["publish", "counter-adds", "sub", r#"{"n":2}"#])?,
            r#"{"sequence":2}"#,
        )?;
        wait_for("the second event added", Duration::from_secs(10), || {
            reply(&node, &["call", "counter/sub", "get"]).is_ok_and(|total| total == r#"{"total":6}"#)
        })
    })());
    node.stop();
    results
}

/// The languages to check: all of them, or those listed in `GRANARY_CONFORMANCE_LANGS`
/// (comma-separated), for working on one language.
fn languages() -> Vec<String> {
    match std::env::var("GRANARY_CONFORMANCE_LANGS") {
        Ok(list) => list.split(',').map(|lang| lang.trim().to_string()).filter(|lang| !lang.is_empty()).collect(),
        Err(_) => LANGUAGES.iter().map(|lang| lang.to_string()).collect(),
    }
}

#[test]
fn every_language_counter_passes_every_scenario() {
    let mut table = Vec::new();
    for lang in languages() {
        if !component_path(&lang, "counter").exists() {
            let why = format!("not built: run ./examples/build.sh {lang}");
            table.push((lang, vec![Err(why); SCENARIOS.len()]));
            continue;
        }
        let data = tempfile::tempdir().expect("temp dir");
        let results = run_language(&lang, data.path());
        table.push((lang, results));
    }

    println!("\n| language | {} |", SCENARIOS.join(" | "));
    println!("|---|{}", "---|".repeat(SCENARIOS.len()));
    let mut failures = Vec::new();
    for (lang, results) in &table {
        let cell = |result: &Outcome| match result {
            Ok(()) => "pass",
            Err(_) => "FAIL",
        };
        let cells: Vec<&str> = results.iter().map(cell).collect();
        println!("| {lang} | {} |", cells.join(" | "));
        for (scenario, result) in SCENARIOS.iter().zip(results) {
            if let Err(why) = result {
                failures.push(format!("{lang} / {scenario}: {why}"));
            }
        }
    }
    assert!(failures.is_empty(), "conformance failures:\n{}", failures.join("\n"));
}
