//! P5 hot reload under load: about 10 000 adds/s spread over counters while a new version
//! of the kind is pushed. Afterwards every counter's total is checked against the adds that
//! were acknowledged (lost) and the adds that were sent (duplicated), and the latency of
//! calls around the push is set against the latency before it. The load is open-loop: each
//! add has an intended send time, and its latency counts from then, so a stall shows in
//! every add it held back, not only in the one that met it.

use super::report::{Better, Curve, Figures, Goal, ScenarioReport};
use super::setup::{BenchNode, COUNTER, Options, counter_component, counter_grain, long_lived};
use super::stats::Latencies;
use super::store::StoreSpec;
use granary::node::Node;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// Adds per second the callers aim at, together.
const RATE: f64 = 10_000.0;
const CALLERS: usize = 32;
const GRAINS: usize = 200;
/// Calls started this long after the push returned still count as "around the push".
const SETTLE: Duration = Duration::from_millis(100);

/// One add: when it was meant to start (since the load began), how long it took from then,
/// on which grain.
struct Sent {
    at: Duration,
    took: Duration,
    grain: usize,
    acked: bool,
}

/// `component` with a custom section naming `marker` appended: the same code under a new
/// content hash, so pushing it is a real version change.
fn new_version(component: &[u8], marker: &str) -> Vec<u8> {
    use wasm_encoder::{Encode, Section};
    let section = wasm_encoder::CustomSection { name: "granary-bench".into(), data: marker.as_bytes().into() };
    let mut bytes = component.to_vec();
    bytes.push(section.id());
    section.encode(&mut bytes);
    bytes
}

/// Runs the load for `length`, pushing `version` halfway; returns every add and when the
/// push started and ended (since the load began).
async fn load_across_push(
    node: &Arc<Node>,
    prefix: &str,
    length: Duration,
    version: Vec<u8>,
) -> anyhow::Result<(Vec<Sent>, Duration, Duration)> {
    let began = Instant::now();
    let period = Duration::from_secs_f64(CALLERS as f64 / RATE);
    let tasks: Vec<_> = (0..CALLERS)
        .map(|caller| {
            let node = Arc::clone(node);
            let prefix = prefix.to_string();
            // Callers are spread evenly over the period.
            let offset = period.mul_f64(caller as f64 / CALLERS as f64);
            tokio::spawn(async move {
                let mut sent = Vec::new();
                for round in 0.. {
                    let at = offset + period * round as u32;
                    if at >= length {
                        break;
                    }
                    tokio::time::sleep_until(began + at).await;
                    let grain = (caller + round * CALLERS) % GRAINS;
                    let id = counter_grain(format!("{prefix}-{grain}"));
                    let acked = node.call(&id, "add", br#"{"n":1}"#.to_vec(), None).await.is_ok();
                    sent.push(Sent { at, took: began.elapsed() - at, grain, acked });
                }
                sent
            })
        })
        .collect();
    tokio::time::sleep(length / 2).await;
    let push_started = began.elapsed();
    node.push_kind(COUNTER, version, long_lived().into()).await?;
    let push_ended = began.elapsed();
    let mut sent = Vec::new();
    for task in tasks {
        sent.extend(task.await?);
    }
    Ok((sent, push_started, push_ended))
}

/// Adds acknowledged but missing from the totals, and totals above every add sent.
async fn audit(node: &Node, prefix: &str, sent: &[Sent]) -> anyhow::Result<(u64, u64)> {
    let (mut lost, mut duplicated) = (0, 0);
    for grain in 0..GRAINS {
        let acked = sent.iter().filter(|s| s.grain == grain && s.acked).count() as u64;
        let attempted = sent.iter().filter(|s| s.grain == grain).count() as u64;
        let reply = node.call(&counter_grain(format!("{prefix}-{grain}")), "get", Vec::new(), None).await?;
        let total = serde_json::from_slice::<serde_json::Value>(&reply)?["total"]
            .as_u64()
            .ok_or_else(|| anyhow::anyhow!("counter reply without a total: {}", String::from_utf8_lossy(&reply)))?;
        lost += acked.saturating_sub(total);
        duplicated += total.saturating_sub(attempted);
    }
    Ok((lost, duplicated))
}

pub async fn run_on(options: &Options, store: &StoreSpec) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let length = options.size(Duration::from_secs(1), Duration::from_secs(4));
    // Each repetition activates its own counters; old and new versions overlap briefly.
    let slots = u32::try_from(2 * GRAINS * (options.repetitions + 1))?;
    let bench = BenchNode::on_store(&component, slots, store).await?;
    let node = &bench.node;
    let mut figures = Figures::default();
    let (mut lost_total, mut duplicated_total) = (0, 0);
    let mut timeline = Vec::new();
    for repetition in 0..options.repetitions {
        let prefix = options.unique(&format!("reload-{repetition}"));
        for grain in 0..GRAINS {
            node.call(&counter_grain(format!("{prefix}-{grain}")), "get", Vec::new(), None).await?;
        }
        let version = new_version(&component, &format!("repetition {repetition}"));
        let (sent, push_started, push_ended) = load_across_push(node, &prefix, length, version).await?;
        let (lost, duplicated) = audit(node, &prefix, &sent).await?;
        let window = push_started..push_ended + SETTLE;
        let around = Latencies::new(sent.iter().filter(|s| window.contains(&s.at)).map(|s| s.took).collect());
        let before = Latencies::new(sent.iter().filter(|s| s.at < push_started).map(|s| s.took).collect());
        let failed = sent.iter().filter(|s| !s.acked).count();
        figures.record("p99 latency around the push", "us", Better::Lower, around.p99_us(), Some(before.p99_us()));
        figures.record("max latency around the push", "us", Better::Lower, around.max_us(), Some(before.max_us()));
        let stall = sent.iter().map(|s| s.took).max().unwrap_or_default();
        figures.record("longest stall", "us", Better::Lower, stall.as_secs_f64() * 1e6, None);
        figures.record("push took", "ms", Better::Lower, (push_ended - push_started).as_secs_f64() * 1e3, None);
        figures.record("adds/s achieved", "/s", Better::Higher, sent.len() as f64 / length.as_secs_f64(), None);
        figures.record("failed adds", "count", Better::Lower, failed as f64, None);
        figures.record("acknowledged adds lost", "count", Better::Lower, lost as f64, None);
        figures.record("adds applied twice", "count", Better::Lower, duplicated as f64, None);
        (lost_total, duplicated_total) = (lost_total + lost, duplicated_total + duplicated);
        timeline = sent.iter().map(|s| (s.at.as_secs_f64(), s.took.as_secs_f64() * 1e6)).collect();
    }
    let pause = figures.median("p99 latency around the push").unwrap_or(f64::NAN) / 1e3;
    bench.shutdown().await;
    Ok(ScenarioReport {
        id: "P5",
        title: "hot reload under load",
        setup: format!("in-process callers, open-loop; state: {}", store.name()),
        baseline: "the same load just before the push".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: Some(Goal {
            text: "0 lost, 0 duplicated, p99 pause ≤ 50 ms",
            measured: format!("{lost_total} lost, {duplicated_total} duplicated, p99 {pause:.1} ms"),
            met: lost_total == 0 && duplicated_total == 0 && pause <= 50.0,
        }),
        notes: vec![format!(
            "{CALLERS} callers, open-loop at {RATE} adds/s over {GRAINS} counters for {length:?}, latency \
             counted from each add's intended send time; the push is halfway; \"around the push\" is from \
             the push until {SETTLE:?} after it returned"
        )],
        curves: vec![Curve {
            plot: "p5-reload-timeline",
            label: "add latency (last repetition)".into(),
            points: timeline,
        }],
    })
}
