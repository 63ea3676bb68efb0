//! Latency samples and their percentiles, and the spread of one figure over repetitions.

use serde::Serialize;
use std::time::Duration;

/// Latencies of one measured run, sorted.
#[derive(Clone, Debug, Default)]
pub struct Latencies {
    sorted: Vec<Duration>,
}

impl Latencies {
    pub fn new(mut samples: Vec<Duration>) -> Self {
        samples.sort_unstable();
        Latencies { sorted: samples }
    }

    /// The `p`-th quantile (0..=1) in microseconds; 0 for no samples.
    pub fn quantile_us(&self, p: f64) -> f64 {
        if self.sorted.is_empty() {
            return 0.0;
        }
        let index = ((self.sorted.len() - 1) as f64 * p).round() as usize;
        self.sorted[index].as_secs_f64() * 1e6
    }

    pub fn p50_us(&self) -> f64 {
        self.quantile_us(0.5)
    }

    pub fn p99_us(&self) -> f64 {
        self.quantile_us(0.99)
    }

    pub fn max_us(&self) -> f64 {
        self.quantile_us(1.0)
    }

    /// Up to `points` (latency in microseconds, fraction of calls at or below it) pairs.
    pub fn cdf(&self, points: usize) -> Vec<(f64, f64)> {
        let n = self.sorted.len();
        if n == 0 {
            return Vec::new();
        }
        let step = (n / points.max(1)).max(1);
        let mut curve: Vec<(f64, f64)> =
            (0..n).step_by(step).map(|i| (self.sorted[i].as_secs_f64() * 1e6, (i + 1) as f64 / n as f64)).collect();
        curve.push((self.sorted[n - 1].as_secs_f64() * 1e6, 1.0));
        curve
    }
}

/// One figure over the repetitions of a scenario: the median and the range around it.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// The spread of `values`; `None` when there are none.
    pub fn of(values: &[f64]) -> Option<Spread> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let middle = sorted.len() / 2;
        let median = if sorted.len() % 2 == 1 { sorted[middle] } else { (sorted[middle - 1] + sorted[middle]) / 2.0 };
        Some(Spread { median, min: sorted[0], max: sorted[sorted.len() - 1] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_pick_from_sorted_samples() {
        let latencies = Latencies::new((1..=100).rev().map(Duration::from_micros).collect());
        assert_eq!(latencies.p50_us().round(), 51.0);
        assert_eq!(latencies.p99_us().round(), 99.0);
        assert_eq!(latencies.max_us().round(), 100.0);
        let cdf = latencies.cdf(10);
        assert_eq!(cdf.last(), Some(&(100.0, 1.0)));
        assert!(cdf.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1), "a CDF only rises");
    }

    #[test]
    fn spread_is_median_and_range() {
        assert_eq!(Spread::of(&[3.0, 1.0, 2.0]), Some(Spread { median: 2.0, min: 1.0, max: 3.0 }));
        assert_eq!(Spread::of(&[4.0, 1.0]), Some(Spread { median: 2.5, min: 1.0, max: 4.0 }));
        assert_eq!(Spread::of(&[f64::NAN]), None);
    }
}
