//! PS activation storm: 10 000 new identities as fast as 64 callers can reach them, each
//! first message activating its grain (claiming its epoch in the store); on each store.

use super::load::callers;
use super::report::{Better, Figures, ScenarioReport};
use super::setup::{BenchNode, COUNTER, Options, counter_component, counter_grain};
use super::store::StoreSpec;
use granary::config::KindSettingsUpdate;
use std::sync::Arc;
use std::time::Duration;
use std::time::Instant;

const CALLERS: usize = 64;

pub async fn run_on(options: &Options, store: &StoreSpec) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let identities = options.size(640, 10_000);
    // The stock limit on memory mappings holds about 9 000 live instances: the storm's grains
    // idle out 100 ms after their message, so the pool recycles their slots while it lasts.
    let mut figures = Figures::default();
    for repetition in 0..options.repetitions {
        let bench = BenchNode::on_store(&component, u32::try_from(identities)? + 8, store).await?;
        let idle_soon = KindSettingsUpdate { idle_timeout: Some(Duration::from_millis(100)), ..Default::default() };
        bench.node.push_kind(COUNTER, component.clone(), idle_soon).await?;
        let prefix = options.unique(&format!("storm-{repetition}"));
        let (latencies, rate) = callers(CALLERS, |index, start| {
            let (node, prefix) = (Arc::clone(&bench.node), prefix.clone());
            async move {
                start.wait().await;
                let mut samples = Vec::new();
                for i in (index..identities).step_by(CALLERS) {
                    let sent = Instant::now();
                    node.call(&counter_grain(format!("{prefix}-{i}")), "get", Vec::new(), None).await?;
                    samples.push(sent.elapsed());
                }
                Ok(samples)
            }
        })
        .await?;
        figures.record("activations/s", "/s", Better::Higher, rate, None);
        figures.record("p50 latency", "us", Better::Lower, latencies.p50_us(), None);
        figures.record("p99 latency", "us", Better::Lower, latencies.p99_us(), None);
        bench.shutdown().await;
    }
    Ok(ScenarioReport {
        id: "PS",
        title: "activation storm",
        setup: format!("in-process callers; state: {}", store.name()),
        baseline: "none: P2 has the one-at-a-time cold start next to raw wasmtime".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: None,
        notes: vec![format!(
            "{identities} new identities per repetition by {CALLERS} callers, each a first message; the kind idles \
             out after 100 ms, so activations and deactivations overlap"
        )],
        curves: Vec::new(),
    })
}
