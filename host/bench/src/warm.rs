//! P1 warm call: a call to a live Rust counter through the whole node (router, PID cache,
//! mailbox, instance, reply) next to a typed `handle` call on a raw wasmtime instance.

use super::load::{callers, counter_callers, sequential};
use super::raw::{RawHost, sequential_gets};
use super::report::{Better, Curve, Figures, Goal, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain};
use super::stats::Latencies;
use std::sync::Arc;

/// Concurrent callers in the many-callers figures, each on its own grain.
const CALLERS: usize = 64;

pub async fn run(options: &Options) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let calls = options.size(2_000, 50_000);
    let slots = CALLERS as u32 + 8;
    let raw = Arc::new(RawHost::new(&component, slots)?);
    let bench = BenchNode::with_counter(&component, slots).await?;
    let node = &bench.node;
    let grain = counter_grain("warm");
    let mut raw_grain = raw.activate().await?;
    // Warm-up: first-use costs stay out of the measurement on both sides.
    sequential_gets(&mut raw_grain, 1_000).await?;
    sequential(1_000, || node.call(&grain, "get", Vec::new(), None)).await?;

    let mut figures = Figures::default();
    let mut last = (Latencies::default(), Latencies::default());
    for repetition in 0..options.repetitions {
        let raw_side = async {
            let started = std::time::Instant::now();
            let samples = sequential_gets(&mut raw_grain, calls).await?;
            // The rate is taken before the samples are sorted.
            let raw_rate = calls as f64 / started.elapsed().as_secs_f64();
            anyhow::Ok((Latencies::new(samples), raw_rate))
        };
        let granary_side = sequential(calls, || node.call(&grain, "get", Vec::new(), None));
        // Which side goes first alternates between repetitions.
        let ((raw_one, raw_rate), (one, rate)) = if repetition % 2 == 0 {
            let raw_measured = raw_side.await?;
            (raw_measured, granary_side.await?)
        } else {
            let granary_measured = granary_side.await?;
            (raw_side.await?, granary_measured)
        };
        figures.record("p50 latency, 1 caller", "us", Better::Lower, one.p50_us(), Some(raw_one.p50_us()));
        figures.record("p99 latency, 1 caller", "us", Better::Lower, one.p99_us(), Some(raw_one.p99_us()));
        figures.record("calls/s, 1 caller", "/s", Better::Higher, rate, Some(raw_rate));

        let per_caller = calls / CALLERS;
        let (_, raw_many) = callers(CALLERS, |_, start| {
            let raw = Arc::clone(&raw);
            async move {
                let mut grain = raw.activate().await?;
                start.wait().await;
                sequential_gets(&mut grain, per_caller).await
            }
        })
        .await?;
        let (many_latencies, many) = counter_callers(node, CALLERS, per_caller, "warm", "get", b"").await?;
        figures.record(&format!("calls/s, {CALLERS} callers"), "/s", Better::Higher, many, Some(raw_many));
        // No baseline: raw callers never yield, so their latencies hide the wait for a worker.
        figures.record(&format!("p99 latency, {CALLERS} callers"), "us", Better::Lower, many_latencies.p99_us(), None);
        last = (one, raw_one);
    }
    let ratio = figures.ratio("p50 latency, 1 caller").unwrap_or(f64::NAN);
    bench.shutdown().await;
    Ok(ScenarioReport {
        id: "P1",
        title: "warm call",
        setup: "in-process caller; `get` writes no state".into(),
        baseline: "typed `handle` call on a raw wasmtime instance of the same component".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: Some(Goal {
            text: "p50 latency ≤ 3x raw wasmtime", measured: format!("{ratio:.2}x"), met: ratio <= 3.0
        }),
        notes: vec![format!("method `get` (no state write), {calls} calls per repetition")],
        curves: vec![
            Curve::latency("p1-warm-call", "granary, 1 caller", &last.0),
            Curve::latency("p1-warm-call", "raw wasmtime, 1 caller", &last.1),
        ],
    })
}
