//! PB thrash guard: a working set four times what the memory budget holds, hit at random by
//! many callers, so most calls find their grain evicted and activate it again (loading its
//! state, claiming its epoch). Next to the same working set all resident, and on a durable
//! store next to that disk's one-commit-per-write rate: eviction must cost throughput, not
//! collapse it.

use super::durable::raw_redb;
use super::load::callers;
use super::report::{Better, Figures, Goal, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain, pool};
use super::store::StoreSpec;
use granary::activation::INSTANCE_OVERHEAD;
use granary::node::Node;
use std::sync::Arc;
use std::time::{Duration, Instant};

const CALLERS: usize = 32;
/// Grains the budget holds.
const RESIDENT: u64 = 256;
/// Grains the callers touch: four times as many.
const WORKING_SET: u64 = 4 * RESIDENT;
const ADD: &[u8] = br#"{"n":1}"#;

/// Each caller adds to grains of the working set chosen at random (xorshift) for `length`.
async fn random_adds(node: &Arc<Node>, prefix: &str, length: Duration) -> anyhow::Result<f64> {
    let (_, rate) = callers(CALLERS, |index, start| {
        let (node, prefix) = (Arc::clone(node), prefix.to_string());
        async move {
            let mut seed = 0x9E37_79B9_7F4A_7C15_u64 ^ (index as u64 + 1);
            start.wait().await;
            let until = Instant::now() + length;
            let mut samples = Vec::new();
            while Instant::now() < until {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let grain = counter_grain(format!("{prefix}-{}", seed % WORKING_SET));
                let sent = Instant::now();
                node.call(&grain, "add", ADD.to_vec(), None).await?;
                samples.push(sent.elapsed());
            }
            Ok(samples)
        }
    })
    .await?;
    Ok(rate)
}

/// Touches every grain of the working set once, so both sides start warm.
async fn touch_all(node: &Node, prefix: &str) -> anyhow::Result<()> {
    for index in 0..WORKING_SET {
        node.call(&counter_grain(format!("{prefix}-{index}")), "add", ADD.to_vec(), None).await?;
    }
    Ok(())
}

pub async fn run_on(options: &Options, spec: &StoreSpec) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let length = options.size(Duration::from_millis(500), Duration::from_secs(3));
    let slots = u32::try_from(WORKING_SET)? + 64;
    let all_resident =
        BenchNode::configured(&component, spec, |config| granary::config::NodeConfig { pool: pool(slots), ..config })
            .await?;
    all_resident.node.call(&counter_grain("size"), "get", Vec::new(), None).await?;
    let grain_memory = all_resident.node.grains().first().map_or(0, |grain| grain.stats.memory_bytes());
    let budget = RESIDENT * (INSTANCE_OVERHEAD + grain_memory);
    let budgeted = BenchNode::configured(&component, spec, |config| granary::config::NodeConfig {
        pool: pool(slots),
        memory_budget: budget,
        ..config
    })
    .await?;
    let prefix = options.unique("thrash");
    touch_all(&all_resident.node, &prefix).await?;
    touch_all(&budgeted.node, &prefix).await?;
    let floors = tempfile::tempdir()?;
    let mut figures = Figures::default();
    let mut evictions = 0;
    for repetition in 0..options.repetitions {
        let started_before = budgeted.node.router().directory().started();
        let (thrashing, resident) = if repetition % 2 == 0 {
            let thrashing = random_adds(&budgeted.node, &prefix, length).await?;
            (thrashing, random_adds(&all_resident.node, &prefix, length).await?)
        } else {
            let resident = random_adds(&all_resident.node, &prefix, length).await?;
            (random_adds(&budgeted.node, &prefix, length).await?, resident)
        };
        evictions = budgeted.node.router().directory().started() - started_before;
        figures.record("adds/s, working set 4x the budget", "/s", Better::Higher, thrashing, Some(resident));
        if matches!(spec, StoreSpec::Redb) {
            let floor = raw_redb(floors.path(), 1, length)?;
            let metric = "adds/s thrashing, against the disk's one commit per write";
            figures.record(metric, "/s", Better::Higher, thrashing, Some(floor));
        }
    }
    let kept = figures.ratio("adds/s, working set 4x the budget").unwrap_or(f64::NAN);
    let over_disk = figures.ratio("adds/s thrashing, against the disk's one commit per write");
    all_resident.shutdown().await;
    budgeted.shutdown().await;
    Ok(ScenarioReport {
        id: "PB",
        title: "thrash guard",
        setup: format!(
            "in-process, {CALLERS} callers adding to random grains of {WORKING_SET}; memory budget {budget} bytes \
             (room for {RESIDENT}); state: {}",
            spec.name()
        ),
        baseline: "the same working set, all resident (no budget)".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        // On the in-memory store there is no disk: the bound is cold activation (P2).
        goal: over_disk.map(|over| Goal {
            text: "a working set 4x the budget keeps at least the disk's one-commit-per-write rate",
            measured: format!("{over:.1}x the disk; {kept:.2}x all-resident"),
            met: over >= 1.0,
        }),
        notes: vec![format!("activations in the last repetition's thrashing run (each one evicts): {evictions}")],
        curves: Vec::new(),
    })
}
