//! Cold activation and warm call of the Rust counter: Granary's full path next to a raw
//! wasmtime host running the same component on the same engine settings, in one run.
//!
//! Run: `./examples/build.sh rust && cargo bench --bench runtime` (`-- --quick` for a smoke run).

use granary::config::{KindSettings, NodeConfig, PoolSettings};
use granary::ids::{GrainId, NodeId};
use granary::node::Node;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use wasmtime::Store;
use wasmtime::component::{Component, Linker, TypedFunc};

type Handle = TypedFunc<(String, Vec<u8>), (Result<Vec<u8>, String>,)>;

struct Stats {
    samples: Vec<Duration>,
}

impl Stats {
    fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort();
        Stats { samples }
    }
    fn pct(&self, p: f64) -> Duration {
        self.samples[((self.samples.len() - 1) as f64 * p) as usize]
    }
    fn per_sec(&self) -> f64 {
        self.samples.len() as f64 / self.samples.iter().sum::<Duration>().as_secs_f64()
    }
}

fn row(name: &str, stats: &Stats, baseline: Option<&Stats>) {
    let ratio = baseline
        .map_or(String::from("-"), |b| format!("{:.2}x", stats.pct(0.5).as_secs_f64() / b.pct(0.5).as_secs_f64()));
    println!(
        "| {name:<34} | {:>10.2?} | {:>10.2?} | {:>12.0} | {ratio:>8} |",
        stats.pct(0.5),
        stats.pct(0.99),
        stats.per_sec()
    );
}

struct Raw {
    engine: wasmtime::Engine,
    pre: wasmtime::component::InstancePre<()>,
}

impl Raw {
    fn new(bytes: &[u8]) -> wasmtime::Result<Self> {
        let engine = granary::runtime::build_engine(&PoolSettings::default()).map_err(wasmtime::Error::msg)?;
        let component = Component::new(&engine, bytes)?;
        let mut linker = Linker::<()>::new(&engine);
        let mut host = linker.instance("granary:grain/host@0.1.0")?;
        host.func_wrap("load-state", |_, (): ()| Ok((None::<Vec<u8>>,)))?;
        host.func_wrap("save-state", |_, (_state,): (Vec<u8>,)| Ok((Ok::<(), String>(()),)))?;
        let pre = linker.instantiate_pre(&component)?;
        Ok(Raw { engine, pre })
    }

    /// A store, an instance, `activate` run: the raw equivalent of an activation.
    async fn activate(&self) -> wasmtime::Result<(Store<()>, Handle)> {
        let mut store = Store::new(&self.engine, ());
        store.set_epoch_deadline(u64::MAX / 2);
        let instance = self.pre.instantiate_async(&mut store).await?;
        let activate = instance.get_typed_func::<(), ()>(&mut store, "activate")?;
        activate.call_async(&mut store, ()).await?;
        let handle = instance.get_typed_func(&mut store, "handle")?;
        Ok((store, handle))
    }
}

async fn raw_cold(raw: &Raw, n: usize) -> Stats {
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        let (mut store, handle) = raw.activate().await.expect("raw activation");
        handle.call_async(&mut store, ("get".into(), Vec::new())).await.expect("raw call").0.expect("get");
        samples.push(start.elapsed());
    }
    Stats::new(samples)
}

async fn raw_warm(raw: &Raw, n: usize) -> Stats {
    let (mut store, handle) = raw.activate().await.expect("raw activation");
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        handle.call_async(&mut store, ("get".into(), Vec::new())).await.expect("raw call").0.expect("get");
        samples.push(start.elapsed());
    }
    Stats::new(samples)
}

async fn granary_cold(node: &Node, n: usize) -> Stats {
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let grain = GrainId::new("counter", format!("cold-{i}")).expect("id");
        let start = Instant::now();
        node.call(&grain, "get", Vec::new(), None).await.expect("cold call");
        samples.push(start.elapsed());
    }
    Stats::new(samples)
}

async fn granary_warm(node: &Node, n: usize) -> Stats {
    let grain = GrainId::new("counter", "warm").expect("id");
    node.call(&grain, "get", Vec::new(), None).await.expect("activate");
    let mut samples = Vec::with_capacity(n);
    for _ in 0..n {
        let start = Instant::now();
        node.call(&grain, "get", Vec::new(), None).await.expect("warm call");
        samples.push(start.elapsed());
    }
    Stats::new(samples)
}

/// Calls per second from `callers` concurrent callers, each on its own grain.
async fn granary_concurrent(node: &Arc<Node>, callers: usize, per_caller: usize) -> f64 {
    let start = Instant::now();
    let tasks: Vec<_> = (0..callers)
        .map(|c| {
            let node = Arc::clone(node);
            tokio::spawn(async move {
                let grain = GrainId::new("counter", format!("conc-{c}")).expect("id");
                for _ in 0..per_caller {
                    node.call(&grain, "get", Vec::new(), None).await.expect("call");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("caller");
    }
    (callers * per_caller) as f64 / start.elapsed().as_secs_f64()
}

#[tokio::main]
async fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (cold_n, warm_n) = if quick { (200, 2_000) } else { (2_000, 50_000) };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/grains/rust/counter.wasm");
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e} (run ./examples/build.sh rust)", path.display()));

    let raw = Raw::new(&bytes).expect("raw host");
    let data = tempfile::tempdir().expect("temp dir");
    let node = Arc::new(Node::start(NodeConfig::new(data.path()), NodeId("bench".into())).expect("node"));
    node.push_kind("counter", bytes, KindSettings::default().into()).await.expect("install counter");

    // Warm-up, so neither side pays first-use costs inside the measurement.
    raw_warm(&raw, 1_000).await;
    granary_warm(&node, 1_000).await;

    let raw_cold = raw_cold(&raw, cold_n).await;
    let granary_cold = granary_cold(&node, cold_n).await;
    let raw_warm = raw_warm(&raw, warm_n).await;
    let granary_warm = granary_warm(&node, warm_n).await;
    let concurrent = granary_concurrent(&node, 64, warm_n / 64).await;

    println!(
        "counter.wasm ({} bytes), {} cores",
        std::fs::metadata(&path).map_or(0, |m| m.len()),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!("| {:<34} | {:>10} | {:>10} | {:>12} | {:>8} |", "scenario", "p50", "p99", "per second", "vs raw");
    println!("|{:-<36}|{:->12}|{:->12}|{:->14}|{:->10}|", "", "", "", "", "");
    row("raw wasmtime: cold activation+call", &raw_cold, None);
    row("granary: cold activation+call", &granary_cold, Some(&raw_cold));
    row("raw wasmtime: warm call", &raw_warm, None);
    row("granary: warm call", &granary_warm, Some(&raw_warm));
    println!("granary: warm calls/s with 64 concurrent callers: {concurrent:.0}");
    node.shutdown().await;
}
