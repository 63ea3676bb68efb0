//! PR reminders: 10 000 ticker grains each with a durable reminder every 5 s, on each store;
//! how late their ticks fire (from the node's own count of lateness: the time from a
//! reminder's due time to its tick being taken to fire) and how many of the ticks due arrive.

use super::load::callers;
use super::report::{Better, Figures, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, long_lived, pool};
use super::store::StoreSpec;
use granary::config::{KindSettingsUpdate, NodeConfig};
use granary::ids::GrainId;
use std::sync::Arc;
use std::time::{Duration, Instant};

const PERIOD: Duration = Duration::from_secs(5);
/// Callers setting the reminders.
const CALLERS: usize = 64;
/// How long a ticker stays live after its last tick.
const IDLE_TIMEOUT: Duration = Duration::from_millis(300);

fn ticker(identity: usize) -> GrainId {
    GrainId::new("ticker", format!("t{identity}")).expect("a valid id")
}

pub async fn run_on(options: &Options, store: &StoreSpec) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let ticker_component = std::fs::read(options.grains.join("rust/ticker.wasm"))?;
    let reminders = options.size(500, 10_000);
    let run_for = options.size(Duration::from_secs(6), Duration::from_secs(15));
    let mut figures = Figures::default();
    for _ in 0..options.repetitions {
        let activations = u32::try_from(reminders)? + 8;
        let bench =
            BenchNode::configured(&component, store, |config| NodeConfig { pool: pool(activations), ..config }).await?;
        // Idle tickers deactivate between ticks (each tick activates its grain again): 10 000
        // live at once would pass the pool's cap at the stock vm.max_map_count.
        let idle_soon = KindSettingsUpdate { idle_timeout: Some(IDLE_TIMEOUT), ..long_lived().into() };
        bench.node.push_kind("ticker", ticker_component.clone(), idle_soon).await?;
        let start = format!(r#"{{"period_ms":{}}}"#, PERIOD.as_millis());
        let (_, set_rate) = callers(CALLERS, |index, ready| {
            let (node, start) = (Arc::clone(&bench.node), start.clone());
            async move {
                ready.wait().await;
                let mut samples = Vec::new();
                for i in (index..reminders).step_by(CALLERS) {
                    let sent = Instant::now();
                    node.call(&ticker(i), "start", start.clone().into_bytes(), None).await?;
                    samples.push(sent.elapsed());
                }
                Ok(samples)
            }
        })
        .await?;
        let before = bench.node.reminder_lateness();
        tokio::time::sleep(run_for).await;
        let lateness = bench.node.reminder_lateness();
        let fired = lateness.fired - before.fired;
        let due = reminders as f64 * run_for.as_secs_f64() / PERIOD.as_secs_f64();
        figures.record("p50 lateness", "us", Better::Lower, lateness.p50.as_secs_f64() * 1e6, None);
        figures.record("p99 lateness", "us", Better::Lower, lateness.p99.as_secs_f64() * 1e6, None);
        figures.record("max lateness", "us", Better::Lower, lateness.max.as_secs_f64() * 1e6, None);
        figures.record("ticks fired / due", "x", Better::Higher, fired as f64 / due, None);
        figures.record("reminders set/s", "/s", Better::Higher, set_rate, None);
        bench.shutdown().await;
    }
    Ok(ScenarioReport {
        id: "PR",
        title: "reminder lateness",
        setup: format!("in-process; state: {}", store.name()),
        baseline: "none: lateness is measured against each reminder's due time".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: None,
        notes: vec![format!(
            "{reminders} ticker grains, each with a reminder every {PERIOD:?}, set by {CALLERS} callers, then \
             {run_for:?} of ticking; a ticker idles out {IDLE_TIMEOUT:?} after a tick, so most ticks activate \
             their grain; lateness is from the due time to the tick being taken to fire (the grain's \
             turn and the durable record of the firing come after), over every tick of the run"
        )],
        curves: Vec::new(),
    })
}
