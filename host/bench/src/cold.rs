//! P2 cold activation: the first message to new identities (placement, activation task,
//! state claim, instantiate, `activate`, the call) next to raw `InstancePre::instantiate`,
//! `activate` and the same first call.

use super::load::sequential;
use super::raw::RawHost;
use super::report::{Better, Curve, Figures, Goal, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain};
use super::stats::Latencies;
use std::time::Instant;

pub async fn run(options: &Options) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let per_repetition = options.size(200, 1_000);
    // Granary keeps every activation live for the run; the raw side drops its instances
    // after each repetition.
    let granary_slots = u32::try_from(per_repetition * (options.repetitions + 1))? + 8;
    let raw = RawHost::new(&component, u32::try_from(per_repetition)? + 8)?;
    let bench = BenchNode::with_counter(&component, granary_slots).await?;
    let node = &bench.node;
    // Warm-up on both sides, outside the measurement.
    for i in 0..per_repetition.min(100) {
        raw.activate().await?.call("get", b"").await?;
        node.call(&counter_grain(format!("warmup-{i}")), "get", Vec::new(), None).await?;
    }

    let mut figures = Figures::default();
    let mut last = (Latencies::default(), Latencies::default());
    for repetition in 0..options.repetitions {
        let mut kept = Vec::with_capacity(per_repetition);
        let mut samples = Vec::with_capacity(per_repetition);
        let raw_started = Instant::now();
        for _ in 0..per_repetition {
            let start = Instant::now();
            let mut grain = raw.activate().await?;
            grain.call("get", b"").await?;
            samples.push(start.elapsed());
            kept.push(grain);
        }
        let raw_rate = per_repetition as f64 / raw_started.elapsed().as_secs_f64();
        drop(kept);
        let raw_cold = Latencies::new(samples);

        let mut identities = (0..per_repetition).map(|i| counter_grain(format!("cold-{repetition}-{i}")));
        let (cold, rate) = sequential(per_repetition, || {
            let grain = identities.next().expect("one identity per call");
            async move { node.call(&grain, "get", Vec::new(), None).await }
        })
        .await?;
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
        baseline: "raw `InstancePre::instantiate` + `activate` + the first call".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: Some(Goal {
            text: "p50 ≤ 2x raw instantiate and ≤ 50 µs",
            measured: format!("{ratio:.2}x, {p50:.1} µs"),
            met: ratio <= 2.0 && p50 <= 50.0,
        }),
        notes: vec![format!("{per_repetition} new identities per repetition, one at a time; in-memory state store")],
        curves: vec![
            Curve::latency("p2-cold-activation", "granary", &last.0),
            Curve::latency("p2-cold-activation", "raw instantiate", &last.1),
        ],
    })
}
