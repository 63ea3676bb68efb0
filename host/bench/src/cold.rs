//! P2 cold activation: the first message to new identities (placement, activation task,
//! state claim, instantiate, `activate`, the call) next to raw `InstancePre::instantiate`,
//! `activate` and the same first call.

use super::load::sequential;
use super::raw::RawHost;
use super::report::{Better, Curve, Figures, Goal, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain};
use super::stats::Latencies;
use super::store::StoreSpec;
use std::time::Instant;

pub async fn run_on(options: &Options, store: &StoreSpec) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let per_repetition = options.size(200, 1_000);
    // Both sides keep every instance live for the run, so each cold start takes a slot no
    // instance used before.
    let slots = u32::try_from(per_repetition * (options.repetitions + 1))? + 8;
    let raw = RawHost::new(&component, slots)?;
    let bench = BenchNode::on_store(&component, slots, store).await?;
    let mut raw_kept = Vec::new();
    let node = &bench.node;
    // Warm-up on both sides, outside the measurement.
    for i in 0..per_repetition.min(100) {
        let mut grain = raw.activate().await?;
        grain.call("get", b"").await?;
        raw_kept.push(grain);
        node.call(&counter_grain(options.unique(&format!("warmup-{i}"))), "get", Vec::new(), None).await?;
    }

    let mut figures = Figures::default();
    let mut last = (Latencies::default(), Latencies::default());
    for repetition in 0..options.repetitions {
        let raw_side = async {
            let mut samples = Vec::with_capacity(per_repetition);
            let started = Instant::now();
            for _ in 0..per_repetition {
                let start = Instant::now();
                let mut grain = raw.activate().await?;
                grain.call("get", b"").await?;
                samples.push(start.elapsed());
                raw_kept.push(grain);
            }
            let rate = per_repetition as f64 / started.elapsed().as_secs_f64();
            anyhow::Ok((Latencies::new(samples), rate))
        };
        let mut identities =
            (0..per_repetition).map(|i| counter_grain(options.unique(&format!("cold-{repetition}-{i}"))));
        let granary_side = sequential(per_repetition, || {
            let grain = identities.next().expect("one identity per call");
            async move { node.call(&grain, "get", Vec::new(), None).await }
        });
        // Which side goes first alternates, so neither always meets a warmer machine.
        let ((raw_cold, raw_rate), (cold, rate)) = if repetition % 2 == 0 {
            let raw_measured = raw_side.await?;
            (raw_measured, granary_side.await?)
        } else {
            let granary_measured = granary_side.await?;
            (raw_side.await?, granary_measured)
        };
        figures.record("p50 latency", "us", Better::Lower, cold.p50_us(), Some(raw_cold.p50_us()));
        figures.record("p99 latency", "us", Better::Lower, cold.p99_us(), Some(raw_cold.p99_us()));
        figures.record("activations/s", "/s", Better::Higher, rate, Some(raw_rate));
        last = (cold, raw_cold);
    }
    let ratio = figures.ratio("p50 latency").unwrap_or(f64::NAN);
    let p50 = figures.median("p50 latency").unwrap_or(f64::NAN);
    bench.shutdown().await;
    Ok(ScenarioReport {
        id: "P2",
        title: "cold activation",
        setup: format!("in-process caller; state: {}", store.name()),
        baseline: "raw `InstancePre::instantiate` + `activate` + the first call".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: Some(Goal {
            text: "p50 ≤ 2x raw instantiate and ≤ 50 µs",
            measured: format!("{ratio:.2}x, {p50:.1} µs"),
            met: ratio <= 2.0 && p50 <= 50.0,
        }),
        notes: vec![format!(
            "{per_repetition} new identities per repetition, one at a time, each claiming its epoch in the store; \
             both sides start every instance in a slot not used before"
        )],
        curves: vec![
            Curve::latency("p2-cold-activation", "granary", &last.0),
            Curve::latency("p2-cold-activation", "raw instantiate", &last.1),
        ],
    })
}
