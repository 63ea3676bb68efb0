//! Driving calls: one caller in sequence, or many callers released together.

use super::stats::Latencies;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Barrier;

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

/// Spawns `callers` tasks made by `caller(index, start)`. Each sets itself up, waits on
/// `start`, makes its calls and returns their latencies. The clock starts when all are
/// ready; returns every latency and calls/s over the wall time.
pub async fn callers<F, Fut>(callers: usize, caller: F) -> anyhow::Result<(Latencies, f64)>
where
    F: Fn(usize, Arc<Barrier>) -> Fut,
    Fut: Future<Output = anyhow::Result<Vec<Duration>>> + Send + 'static,
{
    let start = Arc::new(Barrier::new(callers + 1));
    let tasks: Vec<_> = (0..callers).map(|index| tokio::spawn(caller(index, Arc::clone(&start)))).collect();
    start.wait().await;
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
