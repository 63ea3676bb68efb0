//! PD durable throughput: N grains, each with one caller adding in a closed loop, so each
//! waits for its own save to be durable before its next add. With N such grains a store can
//! do at most about N times its one-commit rate; group commit is what lets it near that.
//! Measured on every store given, next to the floors of the same machine and disk: raw redb
//! with one commit per write, raw redb with 64 writes per commit, and (with a PostgreSQL URL)
//! a tokio-postgres loop of single-row UPDATEs. Beside the in-memory store it also measures
//! that store made to wait once per save, with no disk: by a yield, for a thread that answers
//! at once, or for one that answers in batches.

use super::load::callers;
use super::report::{Better, Figures, Goal, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain};
use super::stats::Latencies;
use super::store::StoreSpec;
use super::waiting_store::{Wait, WaitingStore};
use granary::node::Node;
use redb::{Database, TableDefinition};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ADD: &[u8] = br#"{"n":1}"#;
const FLOOR_TABLE: TableDefinition<u64, &[u8]> = TableDefinition::new("floor");
/// Writes per commit in the batched floor.
const FLOOR_BATCH: u64 = 64;

/// Writes per second of raw redb in `dir`, `per_commit` writes to each transaction, for
/// `length`: the same kind of file and fsync a node's store uses, with nothing around it.
pub fn raw_redb(dir: &std::path::Path, per_commit: u64, length: Duration) -> anyhow::Result<f64> {
    let path = dir.join(format!("floor-{per_commit}.redb"));
    let db = Database::create(&path)?;
    let state = br#"{"total":12345}"#;
    let started = Instant::now();
    let mut writes = 0u64;
    while started.elapsed() < length {
        let tx = db.begin_write()?;
        {
            let mut table = tx.open_table(FLOOR_TABLE)?;
            for _ in 0..per_commit {
                table.insert(writes % 1024, state.as_slice())?;
                writes += 1;
            }
        }
        tx.commit()?;
    }
    let rate = writes as f64 / started.elapsed().as_secs_f64();
    drop(db);
    std::fs::remove_file(&path).ok();
    Ok(rate)
}

/// Single-row UPDATEs per second, one after another, on the database at `url`.
async fn postgres_updates(url: &str, length: Duration) -> anyhow::Result<f64> {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    let driver = tokio::spawn(connection);
    client
        .batch_execute(
            "CREATE TABLE IF NOT EXISTS granary_bench_floor (id int PRIMARY KEY, total bigint NOT NULL);
             INSERT INTO granary_bench_floor VALUES (1, 0) ON CONFLICT DO NOTHING",
        )
        .await?;
    let update = client.prepare("UPDATE granary_bench_floor SET total = total + 1 WHERE id = 1").await?;
    let started = Instant::now();
    let mut updates = 0u64;
    while started.elapsed() < length {
        client.execute(&update, &[]).await?;
        updates += 1;
    }
    let rate = updates as f64 / started.elapsed().as_secs_f64();
    drop(client);
    driver.await.ok();
    Ok(rate)
}

/// `count` callers, each adding to its own counter `<prefix>-<index>` in a loop for `length`.
async fn add_for(node: &Arc<Node>, count: usize, prefix: &str, length: Duration) -> anyhow::Result<(Latencies, f64)> {
    callers(count, |index, start| {
        let node = Arc::clone(node);
        let grain = counter_grain(format!("{prefix}-{index}"));
        async move {
            node.call(&grain, "get", Vec::new(), None).await?;
            start.wait().await;
            let until = Instant::now() + length;
            let mut samples = Vec::new();
            while Instant::now() < until {
                let sent = Instant::now();
                node.call(&grain, "add", ADD.to_vec(), None).await?;
                samples.push(sent.elapsed());
            }
            Ok(samples)
        }
    })
    .await
}

/// The ways the in-memory store is made to wait, beside it.
const WAITS: [Wait; 3] = [Wait::Yield, Wait::OtherThread, Wait::BatchingThread];

/// Beside the in-memory store, nodes on that store made to wait once per save, one per way,
/// with room for one repetition's grains: made afresh each repetition, they never hold more
/// live grains (and memory mappings) than the in-memory store's own node.
async fn waiting_nodes(spec: &StoreSpec, component: &[u8], counts: &[usize]) -> anyhow::Result<Vec<(Wait, BenchNode)>> {
    if !matches!(spec, StoreSpec::Memory) {
        return Ok(Vec::new());
    }
    let slots = u32::try_from(counts.iter().sum::<usize>())? + 8;
    let mut nodes = Vec::new();
    for wait in WAITS {
        let store = Arc::new(WaitingStore::new(wait)?);
        nodes.push((wait, BenchNode::on_state(component, slots, store).await?));
    }
    Ok(nodes)
}

/// Adds/s of `count` grains on each node of `waiting`, whose store waits once per save.
async fn add_while_waiting(
    waiting: &[(Wait, BenchNode)],
    count: usize,
    options: &Options,
    repetition: usize,
    length: Duration,
) -> anyhow::Result<Vec<(Wait, f64)>> {
    let mut rates = Vec::new();
    for (wait, bench) in waiting {
        let prefix = options.unique(&format!("durable-{wait:?}-{repetition}-{count}"));
        let (_, rate) = add_for(&bench.node, count, &prefix, length).await?;
        rates.push((*wait, rate));
    }
    Ok(rates)
}

/// What the in-memory store's report says about its variants that wait once per save.
fn waiting_note(spec: &StoreSpec) -> Option<String> {
    matches!(spec, StoreSpec::Memory).then(|| {
        format!(
            "\"{}\", \"{}\" and \"{}\": the same in-memory store on a node of its own, each save waiting \
             once before it returns (the second asks a thread of the store's own, which answers at once; the \
             third a thread that takes every save queued, pauses as a flush would and answers them together, \
             as the redb store's commit thread does), next to the in-memory store in the same repetition: \
             what waiting costs with no disk at all",
            Wait::Yield.label(),
            Wait::OtherThread.label(),
            Wait::BatchingThread.label()
        )
    })
}

pub async fn run(options: &Options) -> anyhow::Result<Vec<ScenarioReport>> {
    let component = counter_component(&options.grains, "rust")?;
    let length = options.size(Duration::from_millis(500), Duration::from_secs(3));
    let counts: &[usize] = &[1, 64, 1024];
    let slots = u32::try_from(counts.iter().sum::<usize>() * (options.repetitions + 1))? + 8;
    let floors_dir = tempfile::tempdir()?;
    let mut reports = Vec::new();
    let mut memory_rate_at_most = None;
    let mut waiting_rates_at_most = Vec::new();
    for spec in &options.stores {
        let bench = BenchNode::on_store(&component, slots, spec).await?;
        let mut figures = Figures::default();
        let mut batches = (0, 0, 0);
        for repetition in 0..options.repetitions {
            let waiting = waiting_nodes(spec, &component, counts).await?;
            let floor = match spec {
                StoreSpec::Memory => None,
                StoreSpec::Redb => Some(raw_redb(bench.dir(), 1, length)?),
                StoreSpec::Postgres(url) => Some(postgres_updates(url, length).await?),
            };
            if matches!(spec, StoreSpec::Redb) {
                let batched = raw_redb(floors_dir.path(), FLOOR_BATCH, length)?;
                figures.record(
                    &format!("raw redb, {FLOOR_BATCH} writes per commit"),
                    "/s",
                    Better::Higher,
                    batched,
                    None,
                );
            }
            for &count in counts {
                // The stores that wait run before the in-memory store every other repetition.
                let mut waited = Vec::new();
                if repetition % 2 == 1 {
                    waited = add_while_waiting(&waiting, count, options, repetition, length).await?;
                }
                let before = bench.state.commits().unwrap_or_default();
                let prefix = options.unique(&format!("durable-{repetition}-{count}"));
                let (latencies, rate) = add_for(&bench.node, count, &prefix, length).await?;
                let after = bench.state.commits().unwrap_or_default();
                let (committed_batches, committed_writes) =
                    (after.batches - before.batches, after.writes - before.writes);
                if count == *counts.last().expect("counts") {
                    batches = (committed_batches, committed_writes, after.largest);
                }
                figures.record(&format!("adds/s, {count} grains"), "/s", Better::Higher, rate, floor);
                figures.record(&format!("p99 latency, {count} grains"), "us", Better::Lower, latencies.p99_us(), None);
                if repetition % 2 == 0 {
                    waited = add_while_waiting(&waiting, count, options, repetition, length).await?;
                }
                for (wait, waited_rate) in waited {
                    let metric = format!("adds/s, {count} grains, {}", wait.label());
                    figures.record(&metric, "/s", Better::Higher, waited_rate, Some(rate));
                }
                if committed_batches > 0 {
                    let mean = committed_writes as f64 / committed_batches as f64;
                    figures.record(&format!("writes per commit, {count} grains"), "count", Better::Higher, mean, None);
                }
            }
            for (_, node) in waiting {
                node.shutdown().await;
            }
        }
        let at_64 = figures.ratio("adds/s, 64 grains");
        let at_1024 = figures.median("adds/s, 1024 grains").unwrap_or(f64::NAN);
        let goal = match spec {
            StoreSpec::Memory => {
                memory_rate_at_most = Some(at_1024);
                waiting_rates_at_most = WAITS
                    .into_iter()
                    .filter_map(|wait| {
                        figures.median(&format!("adds/s, 1024 grains, {}", wait.label())).map(|rate| (wait, rate))
                    })
                    .collect();
                None
            }
            StoreSpec::Redb => {
                let over_memory = memory_rate_at_most.map(|memory| at_1024 / memory);
                let at_64 = at_64.unwrap_or(f64::NAN);
                let beside_waiting: String = waiting_rates_at_most
                    .iter()
                    .map(|(wait, rate)| format!(", {:.2}x memory when its {}", at_1024 / rate, wait.label()))
                    .collect();
                Some(Goal {
                    text: "64 grains ≥ 32x one commit per write; 1024 grains ≥ 0.5x the in-memory store",
                    measured: format!(
                        "{at_64:.1}x; {}{beside_waiting}",
                        over_memory.map_or("no memory run to compare".to_string(), |r| format!("{r:.2}x memory"))
                    ),
                    met: at_64 >= 32.0 && over_memory.is_some_and(|r| r >= 0.5),
                })
            }
            StoreSpec::Postgres(_) => None,
        };
        let floor_text = match spec {
            StoreSpec::Memory => "none (the in-memory store is the ceiling)".to_string(),
            StoreSpec::Redb => "raw redb, one commit (fsync) per write, same disk".to_string(),
            StoreSpec::Postgres(_) => "tokio-postgres, one single-row UPDATE after another".to_string(),
        };
        reports.push(ScenarioReport {
            id: "PD",
            title: "durable throughput",
            setup: format!("in-process callers, one per grain, closed loop; state: {}", spec.name()),
            baseline: floor_text,
            repetitions: options.repetitions,
            figures: figures.finish(),
            goal,
            notes: [
                Some(format!("each grain's caller adds in a loop for about {length:?}, waiting for its save")),
                // Only a store that commits in batches has batches to report.
                bench.state.commits().map(|_| {
                    format!(
                        "batches at 1024 grains in the last repetition: {} commits of {} writes, the largest {}",
                        batches.0, batches.1, batches.2
                    )
                }),
                waiting_note(spec),
            ]
            .into_iter()
            .flatten()
            .collect(),
            curves: Vec::new(),
        });
        bench.shutdown().await;
    }
    Ok(reports)
}
