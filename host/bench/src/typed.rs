//! PT typed calls: `add {"n":1}` on the typed counter (JSON mapped onto its `add: func(n: s64)`
//! through `Val`, the function called dynamically) against the same `add` on the Rust counter
//! of the `grain` world (`handle` with the JSON bytes, parsed by the guest), one caller, on
//! the memory store; and the mapping alone, JSON to `Val` and back, per call.

use super::load::sequential;
use super::report::{Better, Figures, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain, long_lived};
use granary::ids::GrainId;
use granary::typed::{from_json, to_json};
use std::time::Instant;

/// `apply`'s parameters with ten changes: a call with a list of variants, an enum, flags.
const APPLY: &str = r#"{"changes":[{"add":1},{"add":2},{"set":3},"reset",{"add":5},{"add":6},{"add":7},{"set":8},{"add":9},{"add":10}],"rounding":"down-to-ten","floor":null,"audit":["logged","checked"],"note":"bench"}"#;

pub async fn run(options: &Options) -> anyhow::Result<ScenarioReport> {
    let counter = counter_component(&options.grains, "rust")?;
    let typed_path = options.grains.join("rust/typed-counter.wasm");
    let typed = std::fs::read(&typed_path)
        .map_err(|e| anyhow::anyhow!("cannot read {} (./examples/build.sh rust): {e}", typed_path.display()))?;
    let calls = options.size(2_000, 50_000);
    let mappings = options.size(20_000, 500_000);
    let bench = BenchNode::with_counter(&counter, 16).await?;
    let node = &bench.node;
    node.push_kind("typed-counter", typed, long_lived().into()).await?;
    let (typed_grain, plain_grain) = (GrainId::new("typed-counter", "bench")?, counter_grain("bench"));
    let add = br#"{"n":1}"#.to_vec();
    sequential(1_000, || node.call(&typed_grain, "add", add.clone(), None)).await?;
    sequential(1_000, || node.call(&plain_grain, "add", add.clone(), None)).await?;

    let kind = node.kinds().get("typed-counter").ok_or_else(|| anyhow::anyhow!("typed-counter is not loaded"))?;
    let interface = kind.typed().ok_or_else(|| anyhow::anyhow!("typed-counter is not typed"))?;
    let (add_shape, apply_shape) = (
        &interface.function("add").map_err(anyhow::Error::msg)?.shape,
        &interface.function("apply").map_err(anyhow::Error::msg)?.shape,
    );

    let mut figures = Figures::default();
    for repetition in 0..options.repetitions {
        let typed_call = || node.call(&typed_grain, "add", add.clone(), None);
        let plain_call = || node.call(&plain_grain, "add", add.clone(), None);
        let ((typed, typed_rate), (plain, plain_rate)) = if repetition % 2 == 0 {
            let typed = sequential(calls, typed_call).await?;
            (typed, sequential(calls, plain_call).await?)
        } else {
            let plain = sequential(calls, plain_call).await?;
            (sequential(calls, typed_call).await?, plain)
        };
        figures.record("add p50 latency", "us", Better::Lower, typed.p50_us(), Some(plain.p50_us()));
        figures.record("add p99 latency", "us", Better::Lower, typed.p99_us(), Some(plain.p99_us()));
        figures.record("adds/s, 1 caller", "/s", Better::Higher, typed_rate, Some(plain_rate));

        figures.record(
            "JSON to Val, add {n}",
            "ns",
            Better::Lower,
            per_call_ns(mappings, || from_json::params(add_shape, &add).map(drop))?,
            None,
        );
        let apply = APPLY.as_bytes();
        figures.record(
            "JSON to Val, apply (10 changes)",
            "ns",
            Better::Lower,
            per_call_ns(mappings, || from_json::params(apply_shape, apply).map(drop))?,
            None,
        );
        let vals = from_json::params(apply_shape, apply).map_err(|m| anyhow::anyhow!("{m}"))?;
        let names: Vec<&str> = apply_shape.params.iter().map(|(name, _)| name.as_str()).collect();
        figures.record(
            "Val to JSON, apply (10 changes)",
            "ns",
            Better::Lower,
            per_call_ns(mappings, || serde_json::to_vec(&to_json::object(names.iter().copied(), &vals)).map(drop))?,
            None,
        );
    }
    bench.shutdown().await;
    Ok(ScenarioReport {
        id: "PT",
        title: "typed calls",
        setup: "in-process caller; state: memory".into(),
        baseline: "the same `add {\"n\":1}` on the Rust counter's `handle` (JSON bytes)".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: None,
        notes: vec![format!(
            "{calls} sequential adds per side, each a turn that saves its total; the typed side checks the JSON \
             against `add`'s types before sending, maps it onto `Val`s in the instance and the `s64` result back; \
             mapping figures: {mappings} conversions in one thread, mean per call"
        )],
        curves: Vec::new(),
    })
}

/// The mean time of `convert` over `count` runs, in nanoseconds.
fn per_call_ns<E: std::fmt::Display>(count: usize, mut convert: impl FnMut() -> Result<(), E>) -> anyhow::Result<f64> {
    let started = Instant::now();
    for _ in 0..count {
        convert().map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(started.elapsed().as_nanos() as f64 / count as f64)
}
