//! PG grain-to-grain call: a probe grain calls a counter (`call` -> `get`) on the same node,
//! next to calling the counter directly: what one hop through the host's `call` costs.

use super::load::sequential;
use super::report::{Better, Figures, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain};
use granary::ids::GrainId;

pub async fn run(options: &Options) -> anyhow::Result<ScenarioReport> {
    let counter = counter_component(&options.grains, "rust")?;
    let probe_path = options.grains.join("rust").join("probe.wasm");
    let probe = std::fs::read(&probe_path)
        .map_err(|e| anyhow::anyhow!("cannot read {} (./examples/build.sh rust): {e}", probe_path.display()))?;
    let calls = options.size(2_000, 50_000);
    let bench = BenchNode::with_counter(&counter, 16).await?;
    let node = &bench.node;
    node.push_kind("probe", probe, super::setup::long_lived().into()).await?;
    let target = counter_grain("called");
    let caller = GrainId::new("probe", "caller")?;
    let forward = format!(r#"{{"target":"{target}","method":"get"}}"#).into_bytes();
    sequential(1_000, || node.call(&caller, "call", forward.clone(), None)).await?;
    let mut figures = Figures::default();
    for repetition in 0..options.repetitions {
        let through = || node.call(&caller, "call", forward.clone(), None);
        let direct = || node.call(&target, "get", Vec::new(), None);
        let ((hop, hop_rate), (one, one_rate)) = if repetition % 2 == 0 {
            let hop = sequential(calls, through).await?;
            (hop, sequential(calls, direct).await?)
        } else {
            let one = sequential(calls, direct).await?;
            (sequential(calls, through).await?, one)
        };
        figures.record("p50 latency", "us", Better::Lower, hop.p50_us(), Some(one.p50_us()));
        figures.record("p99 latency", "us", Better::Lower, hop.p99_us(), Some(one.p99_us()));
        figures.record("calls/s, 1 caller", "/s", Better::Higher, hop_rate, Some(one_rate));
    }
    bench.shutdown().await;
    Ok(ScenarioReport {
        id: "PG",
        title: "grain-to-grain call",
        setup: "in-process caller; state: memory".into(),
        baseline: "the same `get` called directly".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: None,
        notes: vec![format!("probe/caller `call`s counter/called `get`: two turns and a hop; {calls} calls")],
        curves: Vec::new(),
    })
}
