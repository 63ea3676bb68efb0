//! PE events: publish-to-delivery latency (one event at a time, until its subscriber has
//! taken it) and events per second (many publishers, many keys, until every event is taken),
//! with the `ledger` example subscribed, on each store.

use super::load::callers;
use super::report::{Better, Figures, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, long_lived};
use super::stats::Latencies;
use super::store::StoreSpec;
use granary::config::{KindSettingsUpdate, Subscription};
use granary::ids::GrainId;
use granary::node::Node;
use std::sync::Arc;
use std::time::{Duration, Instant};

const TOPIC: &str = "money-deposited";
const PUBLISHERS: usize = 32;

/// The deposits `ledger/<key>` has taken.
async fn taken(node: &Node, key: &str) -> anyhow::Result<u64> {
    let ledger = GrainId::new("ledger", key)?;
    let reply = node.call(&ledger, "get", Vec::new(), None).await?;
    let value: serde_json::Value = serde_json::from_slice(&reply)?;
    Ok(value["deposits"].as_u64().unwrap_or(0))
}

fn deposit(n: usize) -> Vec<u8> {
    format!(r#"{{"amount":1,"op":"e{n}"}}"#).into_bytes()
}

pub async fn run_on(options: &Options, store: &StoreSpec) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let ledger = std::fs::read(options.grains.join("rust/ledger.wasm"))?;
    let singles = options.size(50, 500);
    let (keys, events) = options.size((16, 2_000), (256, 50_000));
    let mut figures = Figures::default();
    for repetition in 0..options.repetitions {
        let bench = BenchNode::on_store(&component, 1_024, store).await?;
        let subscribe = Some([Subscription::parse(TOPIC).map_err(anyhow::Error::msg)?].into());
        let settings = KindSettingsUpdate { subscribe, ..long_lived().into() };
        bench.node.push_kind("ledger", ledger.clone(), settings).await?;
        let node = Arc::clone(&bench.node);

        // One event at a time: from the publish until the subscriber has taken it.
        let key = options.unique(&format!("single-{repetition}"));
        let mut samples = Vec::with_capacity(singles);
        for n in 0..singles {
            let sent = Instant::now();
            node.publish(TOPIC, &key, deposit(n)).await?;
            while taken(&node, &key).await? <= n as u64 {
                tokio::task::yield_now().await;
            }
            samples.push(sent.elapsed());
        }
        let single = Latencies::new(samples);
        figures.record("publish-to-delivery p50", "us", Better::Lower, single.p50_us(), None);
        figures.record("publish-to-delivery p99", "us", Better::Lower, single.p99_us(), None);

        // Many publishers over many keys: events/s until every one is taken.
        let prefix = options.unique(&format!("many-{repetition}"));
        let started = Instant::now();
        let (publish_latency, _) = callers(PUBLISHERS, |index, start| {
            let (node, prefix) = (Arc::clone(&node), prefix.clone());
            async move {
                start.wait().await;
                let mut samples = Vec::new();
                for n in (index..events).step_by(PUBLISHERS) {
                    let sent = Instant::now();
                    node.publish(TOPIC, &format!("{prefix}-{}", n % keys), deposit(n)).await?;
                    samples.push(sent.elapsed());
                }
                Ok(samples)
            }
        })
        .await?;
        let deadline = Instant::now() + Duration::from_secs(300);
        for k in 0..keys {
            let want = (events / keys + usize::from(k < events % keys)) as u64;
            while taken(&node, &format!("{prefix}-{k}")).await? < want {
                anyhow::ensure!(Instant::now() < deadline, "events were not all delivered within 300 s");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
        figures.record(
            "events/s delivered",
            "/s",
            Better::Higher,
            events as f64 / started.elapsed().as_secs_f64(),
            None,
        );
        figures.record("publish p99 (durable)", "us", Better::Lower, publish_latency.p99_us(), None);
        bench.shutdown().await;
    }
    Ok(ScenarioReport {
        id: "PE",
        title: "topic events",
        setup: format!("in-process publishers; state: {}", store.name()),
        baseline: "none".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: None,
        notes: vec![format!(
            "the Rust ledger subscribed to {TOPIC:?}; latency: {singles} events published one at a time, each \
             timed until the ledger reports it (polled in-process); throughput: {events} events from \
             {PUBLISHERS} publishers over {keys} keys, until every ledger has taken all of its events"
        )],
        curves: Vec::new(),
    })
}
