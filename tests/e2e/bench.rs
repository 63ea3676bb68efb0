//! `granary bench --quick`: the harness runs every scenario and writes a well-formed report.
//! It checks the shape of what is written, never the speed measured.

use crate::support::process::granary_bin;
use crate::support::repo_root;
use std::process::Command;

#[test]
fn quick_bench_writes_json_markdown_and_plots() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report");
    let copy = dir.path().join("copy.json");
    let grains = repo_root().join("target/grains");
    let run = Command::new(granary_bin())
        .args(["bench", "--quick", "--out"])
        .arg(&out)
        .arg("--json")
        .arg(&copy)
        .arg("--grains")
        .arg(&grains)
        .output()
        .expect("run granary bench");
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "granary bench --quick failed:\n{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert_eq!(stdout.lines().last(), Some(out.to_str().expect("UTF-8 path")), "the last line names the directory");

    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).expect("report.json")).expect("valid JSON");
    assert_eq!(std::fs::read(&copy).expect("--json copy"), std::fs::read(out.join("report.json")).expect("report"));
    assert_eq!(report["quick"], true);
    assert!(report["machine"]["cores"].as_u64().is_some_and(|cores| cores >= 1), "{}", report["machine"]);
    assert!(report["git_revision"].as_str().is_some_and(|r| !r.is_empty()));
    let scenarios = report["scenarios"].as_array().expect("scenarios");
    let ids: Vec<&str> = scenarios.iter().filter_map(|s| s["id"].as_str()).collect();
    for id in ["P1", "P2", "P2R", "P3", "P4", "P5", "P7", "PD", "PL"] {
        assert!(ids.contains(&id), "{id} is reported: {ids:?}");
    }
    // The scenarios that write state run on each store, and say which.
    for id in ["P2", "P5", "P7", "PD"] {
        for store in ["memory", "redb"] {
            let named = scenarios.iter().any(|s| {
                s["id"] == id && s["setup"].as_str().is_some_and(|setup| setup.contains(&format!("state: {store}")))
            });
            assert!(named, "{id} ran on {store}");
        }
    }
    // PD on memory also measures that store made to wait once per save, each way.
    let pd_memory = scenarios
        .iter()
        .find(|s| s["id"] == "PD" && s["setup"].as_str().is_some_and(|setup| setup.contains("state: memory")))
        .expect("PD on memory");
    for wait in [
        "save yields once",
        "save waits for another thread",
        "save waits for a thread that answers batches after 200 µs",
    ] {
        let measured = pd_memory["figures"].as_array().expect("PD figures").iter().any(|f| {
            f["metric"] == format!("adds/s, 1024 grains, {wait}")
                && f["granary"]["median"].as_f64().is_some_and(|rate| rate > 0.0)
        });
        assert!(measured, "PD measures the in-memory store when its {wait}: {pd_memory}");
    }
    // Every other language's counter: memory per live grain, each measured in a child process.
    let density = scenarios.iter().find(|s| s["id"] == "P4").expect("P4");
    for lang in ["c", "zig", "assemblyscript", "go", "python", "js"] {
        let measured = density["figures"].as_array().expect("P4 figures").iter().any(|f| {
            f["metric"].as_str().is_some_and(|m| m.starts_with(&format!("{lang} counter: memory per live grain")))
                && f["granary"]["median"].as_f64().is_some_and(|bytes| bytes > 0.0)
        });
        assert!(measured, "P4 measures the {lang} counter: {density}");
    }
    for scenario in scenarios {
        let figures = scenario["figures"].as_array().expect("figures");
        assert!(!figures.is_empty(), "{} has figures", scenario["id"]);
        for figure in figures {
            let median = figure["granary"]["median"].as_f64();
            assert!(median.is_some_and(f64::is_finite), "{} {}: {figure}", scenario["id"], figure["metric"]);
        }
        assert!(scenario["baseline"].as_str().is_some_and(|b| !b.is_empty()), "{} names its baseline", scenario["id"]);
    }
    let markdown = std::fs::read_to_string(out.join("report.md")).expect("report.md");
    assert!(markdown.contains("| P1 warm call |"), "{markdown}");
    for plot in [
        "p1-warm-call",
        "p2-cold-activation",
        "p2r-cold-across-members",
        "p3-remote-call",
        "p4-density",
        "p5-reload-timeline",
    ] {
        let svg = std::fs::read_to_string(out.join(format!("{plot}.svg"))).unwrap_or_else(|e| panic!("{plot}: {e}"));
        assert!(
            svg.starts_with("<svg") && svg.contains(r##"stroke="#0000FF" stroke-width="2""##),
            "{plot} draws its curves"
        );
    }
}

#[test]
fn bench_refuses_unknown_scenarios_and_missing_grains() {
    let unknown = Command::new(granary_bin()).args(["bench", "p9"]).output().expect("run granary bench");
    assert!(!unknown.status.success());
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("invalid value 'p9'"));
    let store = Command::new(granary_bin()).args(["bench", "--state", "sqlite"]).output().expect("run granary bench");
    assert!(!store.status.success());
    assert!(String::from_utf8_lossy(&store.stderr).contains("is not a state store"), "{store:?}");

    let dir = tempfile::tempdir().expect("temp dir");
    let missing = Command::new(granary_bin())
        .args(["bench", "warm", "--quick", "--out"])
        .arg(dir.path().join("out"))
        .arg("--grains")
        .arg(dir.path().join("no-grains"))
        .output()
        .expect("run granary bench");
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("rust/counter.wasm") && stderr.contains("./examples/build.sh rust"), "{stderr}");
}
