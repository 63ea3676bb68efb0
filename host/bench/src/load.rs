//! Driving calls: one caller in sequence, or many callers released together.

use super::setup::counter_grain;
use super::stats::Latencies;
use granary::node::Node;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// Times `calls` calls made one after another; returns their latencies and calls/s.
pub async fn sequential<F, Fut, T, E>(calls: usize, call: F) -> anyhow::Result<(Latencies, f64)>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let started = Instant::now();
    let samples = timed_calls(calls, call).await?;
    let rate = calls as f64 / started.elapsed().as_secs_f64();
    Ok((Latencies::new(samples), rate))
}

/// Holds a caller back until every caller is ready.
pub struct Start {
    ready: mpsc::Sender<()>,
    go: watch::Receiver<bool>,
}

impl Start {
    /// Says this caller is ready and waits until all are (or one of them gave up).
    pub async fn wait(mut self) {
        self.ready.send(()).await.ok();
        drop(self.ready);
        self.go.wait_for(|go| *go).await.ok();
    }
}

/// Spawns `callers` tasks made by `caller(index, start)`. Each sets itself up, waits on
/// `start`, makes its calls and returns their latencies. The clock starts when all are
/// ready; returns every latency and calls/s over the wall time. A caller that fails
/// before it is ready releases the others, and its error is returned.
pub async fn callers<F, Fut>(callers: usize, caller: F) -> anyhow::Result<(Latencies, f64)>
where
    F: Fn(usize, Start) -> Fut,
    Fut: Future<Output = anyhow::Result<Vec<Duration>>> + Send + 'static,
{
    let (ready, mut readied) = mpsc::channel(callers.max(1));
    let (go, start) = watch::channel(false);
    let tasks: Vec<_> = (0..callers)
        .map(|index| tokio::spawn(caller(index, Start { ready: ready.clone(), go: start.clone() })))
        .collect();
    drop(ready);
    // Ends early when a caller dropped its `Start` without being ready (it failed).
    for _ in 0..callers {
        if readied.recv().await.is_none() {
            break;
        }
    }
    go.send_replace(true);
    let started = Instant::now();
    let mut samples = Vec::new();
    for task in tasks {
        samples.extend(task.await??);
    }
    let rate = samples.len() as f64 / started.elapsed().as_secs_f64();
    Ok((Latencies::new(samples), rate))
}

/// Times `calls` calls of `call` made in sequence by one of several callers.
pub async fn timed_calls<F, Fut, T, E>(calls: usize, mut call: F) -> anyhow::Result<Vec<Duration>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
    E: std::fmt::Display,
{
    let mut samples = Vec::with_capacity(calls);
    for _ in 0..calls {
        let start = Instant::now();
        call().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        samples.push(start.elapsed());
    }
    Ok(samples)
}

/// `count` callers on `node`, each on its own counter `<prefix>-<index>` (activated before
/// the clock starts), each making `per_caller` calls of `method` with `payload`.
pub async fn counter_callers(
    node: &Arc<Node>,
    count: usize,
    per_caller: usize,
    prefix: &str,
    method: &'static str,
    payload: &'static [u8],
) -> anyhow::Result<(Latencies, f64)> {
    callers(count, |index, start| {
        let node = Arc::clone(node);
        let grain = counter_grain(format!("{prefix}-{index}"));
        async move {
            node.call(&grain, "get", Vec::new(), None).await?;
            start.wait().await;
            timed_calls(per_caller, || node.call(&grain, method, payload.to_vec(), None)).await
        }
    })
    .await
}
