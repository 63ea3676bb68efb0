//! Per guest language: the counter component's size, its compile time, cold activation, warm
//! call and memory per live grain, all on one node in one run, so the languages compare.
//!
//! Run: `./examples/build.sh && cargo bench --bench languages` (`-- --quick` for a smoke run).
//! Languages whose counter is not built are listed as skipped.

use granary::config::{KindSettings, NodeConfig};
use granary::ids::{GrainId, NodeId};
use granary::node::Node;
use std::path::Path;
use std::time::{Duration, Instant};

const LANGUAGES: [&str; 7] = ["rust", "c", "zig", "assemblyscript", "go", "python", "js"];

struct Figures {
    bytes: u64,
    compile: Duration,
    cold_p50: Duration,
    warm_p50: Duration,
    warm_p99: Duration,
    rss_per_grain: f64,
    linear_per_grain: f64,
}

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    samples[((samples.len() - 1) as f64 * p) as usize]
}

/// Resident set size of this process, from /proc/self/statm.
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").expect("/proc/self/statm");
    let pages: u64 = statm.split_whitespace().nth(1).and_then(|f| f.parse().ok()).expect("statm resident field");
    pages * 4096
}

async fn measure(node: &Node, lang: &str, bytes: Vec<u8>, cold_n: usize, warm_n: usize) -> Figures {
    let kind = format!("counter-{lang}");
    let size = bytes.len() as u64;
    let idle = KindSettings { idle_timeout: Duration::from_secs(3600), ..KindSettings::default() };
    let start = Instant::now();
    node.push_kind(&kind, bytes, idle.into()).await.unwrap_or_else(|e| panic!("{lang}: push: {e:#}"));
    let compile = start.elapsed();

    let rss_before = rss_bytes();
    let mut cold = Vec::with_capacity(cold_n);
    for i in 0..cold_n {
        let grain = GrainId::new(kind.as_str(), format!("cold-{i}")).expect("id");
        let start = Instant::now();
        node.call(&grain, "get", Vec::new(), None).await.unwrap_or_else(|e| panic!("{lang}: cold get: {e}"));
        cold.push(start.elapsed());
    }
    let rss_per_grain = rss_bytes().saturating_sub(rss_before) as f64 / cold_n as f64;
    let linear: Vec<u64> =
        node.grains().iter().filter(|g| g.grain.kind() == kind).map(|g| g.stats.memory_bytes()).collect();
    let linear_per_grain = linear.iter().sum::<u64>() as f64 / linear.len().max(1) as f64;

    let warm_grain = GrainId::new(kind.as_str(), "cold-0").expect("id");
    let mut warm = Vec::with_capacity(warm_n);
    for _ in 0..warm_n {
        let start = Instant::now();
        node.call(&warm_grain, "get", Vec::new(), None).await.unwrap_or_else(|e| panic!("{lang}: warm get: {e}"));
        warm.push(start.elapsed());
    }
    Figures {
        bytes: size,
        compile,
        cold_p50: percentile(&mut cold, 0.5),
        warm_p50: percentile(&mut warm, 0.5),
        warm_p99: percentile(&mut warm, 0.99),
        rss_per_grain,
        linear_per_grain,
    }
}

fn kib(bytes: f64) -> String {
    format!("{:.0} KiB", bytes / 1024.0)
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (cold_n, warm_n) = if quick { (20, 200) } else { (200, 5_000) };
    let grains = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/grains");
    let data = tempfile::tempdir().expect("temp dir");
    let node = Node::start(NodeConfig::new(data.path()), NodeId("bench".into())).expect("node");

    println!(
        "counter per language: {cold_n} cold activations, {warm_n} warm calls, one node, {} cores",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "| language | component | compile | cold activation p50 | warm call p50 | warm call p99 | RSS per live grain | linear memory per grain |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for lang in LANGUAGES {
        let path = grains.join(lang).join("counter.wasm");
        let Ok(bytes) = std::fs::read(&path) else {
            println!("| {lang} | not built (./examples/build.sh {lang}) | | | | | | |");
            continue;
        };
        let f = measure(&node, lang, bytes, cold_n, warm_n).await;
        println!(
            "| {lang} | {} | {:.2?} | {:.2?} | {:.2?} | {:.2?} | {} | {} |",
            kib(f.bytes as f64),
            f.compile,
            f.cold_p50,
            f.warm_p50,
            f.warm_p99,
            kib(f.rss_per_grain),
            kib(f.linear_per_grain)
        );
    }
    node.shutdown().await;
}
