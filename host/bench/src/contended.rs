//! PC contended grain: 64 callers adding to one counter. A grain runs one turn at a time, so
//! they queue in its mailbox; measured on each store, next to one caller alone.

use super::load::{callers, sequential, timed_calls};
use super::report::{Better, Figures, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain};
use super::store::StoreSpec;
use std::sync::Arc;

const CALLERS: usize = 64;
const ADD: &[u8] = br#"{"n":1}"#;

pub async fn run_on(options: &Options, store: &StoreSpec) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let calls = options.size(640, 6_400);
    let bench = BenchNode::on_store(&component, u32::try_from(options.repetitions)? + 8, store).await?;
    let node = &bench.node;
    let mut figures = Figures::default();
    for repetition in 0..options.repetitions {
        let grain = counter_grain(options.unique(&format!("contended-{repetition}")));
        node.call(&grain, "get", Vec::new(), None).await?;
        let (_, alone) = sequential(calls / 4, || node.call(&grain, "add", ADD.to_vec(), None)).await?;
        let (latencies, together) = callers(CALLERS, |_, start| {
            let (node, grain) = (Arc::clone(node), grain.clone());
            async move {
                start.wait().await;
                timed_calls(calls / CALLERS, || node.call(&grain, "add", ADD.to_vec(), None)).await
            }
        })
        .await?;
        figures.record(&format!("adds/s, {CALLERS} callers on one grain"), "/s", Better::Higher, together, Some(alone));
        figures.record(&format!("p99 latency, {CALLERS} callers"), "us", Better::Lower, latencies.p99_us(), None);
    }
    bench.shutdown().await;
    Ok(ScenarioReport {
        id: "PC",
        title: "contended grain",
        setup: format!("in-process callers; state: {}", store.name()),
        baseline: "one caller alone on the same grain".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: None,
        notes: vec![format!(
            "{CALLERS} callers, {calls} adds per repetition, all to one counter; turns run one at a time"
        )],
        curves: Vec::new(),
    })
}
