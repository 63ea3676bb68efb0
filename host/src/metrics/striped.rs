//! A counter and a latency histogram that many threads update without sharing a cache line:
//! each thread adds to its own stripe and a scrape sums them. Turns on every worker record
//! into the same kind's series; with one shared atomic per series, those updates would bounce
//! one cache line between cores on every turn.

use prometheus_client::encoding::{EncodeMetric, MetricEncoder, NoLabelSet};
use prometheus_client::metrics::{MetricType, TypedMetric};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

/// Stripes per series: a thread's stripe is its number modulo this.
const STRIPES: usize = 8;
/// Histogram bucket bounds in nanoseconds: 1 µs to about 4 s, by fours.
const BOUNDS_NS: [u64; 12] = {
    let mut bounds = [1_000; 12];
    let mut at = 1;
    while at < bounds.len() {
        bounds[at] = bounds[at - 1] * 4;
        at += 1;
    }
    bounds
};

/// The stripe this thread updates.
fn stripe() -> usize {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    thread_local! {
        static STRIPE: usize = NEXT.fetch_add(1, Ordering::Relaxed) % STRIPES;
    }
    STRIPE.with(|stripe| *stripe)
}

/// One stripe of a counter, alone on its cache line.
#[derive(Default)]
#[repr(align(64))]
struct CounterStripe(AtomicU64);

/// A monotonic counter exported as a Prometheus counter.
#[derive(Clone, Default)]
pub struct StripedCounter(Arc<[CounterStripe; STRIPES]>);

impl std::fmt::Debug for StripedCounter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "StripedCounter({})", self.get())
    }
}

impl StripedCounter {
    /// Adds one.
    pub fn inc(&self) {
        self.0[stripe()].0.fetch_add(1, Ordering::Relaxed);
    }

    /// The total so far.
    pub fn get(&self) -> u64 {
        self.0.iter().map(|stripe| stripe.0.load(Ordering::Relaxed)).sum()
    }
}

impl TypedMetric for StripedCounter {
    const TYPE: MetricType = MetricType::Counter;
}

impl EncodeMetric for StripedCounter {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        encoder.encode_counter::<NoLabelSet, _, u64>(&self.get(), None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

/// One stripe of a histogram: a count per bucket (the last past every bound) and the sum.
#[derive(Default)]
#[repr(align(128))]
struct HistogramStripe {
    buckets: [AtomicU64; BOUNDS_NS.len() + 1],
    sum_ns: AtomicU64,
}

/// Durations, exported as a Prometheus histogram in seconds.
#[derive(Clone, Default)]
pub struct StripedHistogram(Arc<[HistogramStripe; STRIPES]>);

impl std::fmt::Debug for StripedHistogram {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("StripedHistogram")
    }
}

impl StripedHistogram {
    /// Records one duration.
    pub fn observe(&self, took: Duration) {
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        let bucket = BOUNDS_NS.iter().position(|&bound| nanos <= bound).unwrap_or(BOUNDS_NS.len());
        let stripe = &self.0[stripe()];
        stripe.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        stripe.sum_ns.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The sum in seconds, the count, and each bucket's own count with its bound in seconds.
    fn totals(&self) -> (f64, u64, Vec<(f64, u64)>) {
        let mut sum_ns = 0u64;
        let mut counts = [0u64; BOUNDS_NS.len() + 1];
        for stripe in self.0.iter() {
            sum_ns = sum_ns.wrapping_add(stripe.sum_ns.load(Ordering::Relaxed));
            for (total, bucket) in counts.iter_mut().zip(&stripe.buckets) {
                *total += bucket.load(Ordering::Relaxed);
            }
        }
        let bounds = BOUNDS_NS.iter().map(|&ns| ns as f64 / 1e9).chain([f64::MAX]);
        let buckets: Vec<(f64, u64)> = bounds.zip(counts).collect();
        (sum_ns as f64 / 1e9, counts.iter().sum(), buckets)
    }
}

impl TypedMetric for StripedHistogram {
    const TYPE: MetricType = MetricType::Histogram;
}

impl EncodeMetric for StripedHistogram {
    fn encode(&self, mut encoder: MetricEncoder) -> Result<(), std::fmt::Error> {
        let (sum, count, buckets) = self.totals();
        encoder.encode_histogram::<NoLabelSet>(sum, count, &buckets, None)
    }

    fn metric_type(&self) -> MetricType {
        Self::TYPE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stripes_add_up_across_threads() {
        let (counter, histogram) = (StripedCounter::default(), StripedHistogram::default());
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(|| {
                    for micros in 0..1_000 {
                        counter.inc();
                        histogram.observe(Duration::from_micros(micros));
                    }
                });
            }
        });
        assert_eq!(counter.get(), 4_000);
        let (sum, count, buckets) = histogram.totals();
        assert_eq!(count, 4_000);
        assert!((sum - 4.0 * 0.4995).abs() < 1e-9, "{sum}");
        assert_eq!(buckets[0], (1e-6, 8), "0 and 1 µs, on each thread");
        assert_eq!(buckets.iter().map(|(_, n)| n).sum::<u64>(), 4_000);
    }
}
