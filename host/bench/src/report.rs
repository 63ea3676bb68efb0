//! What a bench run found: per scenario its figures next to the baseline's, the ratio of
//! each, and whether the goal was met; written as JSON and as a Markdown table.

use super::machine::Machine;
use super::stats::{Latencies, Spread};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Serialize)]
pub struct Report {
    pub granary_version: &'static str,
    pub git_revision: String,
    pub created_unix: u64,
    pub quick: bool,
    pub machine: Machine,
    pub scenarios: Vec<ScenarioReport>,
}

/// Whether a bigger or a smaller figure is better, for reading the ratio.
#[derive(Clone, Copy, Debug, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    Lower,
    Higher,
}

#[derive(Serialize)]
pub struct Figure {
    pub metric: String,
    pub unit: &'static str,
    pub better: Better,
    pub granary: Spread,
    pub baseline: Option<Spread>,
    /// Granary's figure divided by the baseline's, per repetition.
    pub ratio: Option<Spread>,
}

/// The goal a scenario is measured against, and whether this run met it.
#[derive(Serialize)]
pub struct Goal {
    pub text: &'static str,
    pub measured: String,
    pub met: bool,
}

#[derive(Serialize)]
pub struct ScenarioReport {
    pub id: &'static str,
    pub title: &'static str,
    /// What it ran on: the state store, the transport.
    pub setup: String,
    pub baseline: String,
    pub repetitions: usize,
    pub figures: Vec<Figure>,
    pub goal: Option<Goal>,
    pub notes: Vec<String>,
    /// Curves for the plots (latency CDFs, density steps); not part of the JSON.
    #[serde(skip)]
    pub curves: Vec<Curve>,
}

/// A named series of (x, y) points for one plot.
pub struct Curve {
    pub plot: &'static str,
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

impl Curve {
    /// The latency distribution of `latencies` for the plot named `plot`.
    pub fn latency(plot: &'static str, label: impl Into<String>, latencies: &Latencies) -> Curve {
        Curve { plot, label: label.into(), points: latencies.cdf(400) }
    }
}

/// Collects one scenario's figures, a value per repetition each.
#[derive(Default)]
pub struct Figures {
    order: Vec<String>,
    values: BTreeMap<String, Recorded>,
}

struct Recorded {
    unit: &'static str,
    better: Better,
    granary: Vec<f64>,
    baseline: Vec<f64>,
}

impl Figures {
    /// Records one repetition's value of `metric` for Granary and, if it has one, the baseline.
    pub fn record(&mut self, metric: &str, unit: &'static str, better: Better, granary: f64, baseline: Option<f64>) {
        if !self.values.contains_key(metric) {
            self.order.push(metric.to_string());
        }
        let entry = self.values.entry(metric.to_string()).or_insert_with(|| Recorded {
            unit,
            better,
            granary: Vec::new(),
            baseline: Vec::new(),
        });
        entry.granary.push(granary);
        entry.baseline.extend(baseline);
    }

    /// The median of `metric`'s ratio (Granary over baseline) so far.
    pub fn ratio(&self, metric: &str) -> Option<f64> {
        self.values.get(metric).and_then(ratio_of).map(|s| s.median)
    }

    /// The median of Granary's `metric` so far.
    pub fn median(&self, metric: &str) -> Option<f64> {
        self.values.get(metric).and_then(|r| Spread::of(&r.granary)).map(|s| s.median)
    }

    pub fn finish(mut self) -> Vec<Figure> {
        self.order
            .iter()
            .filter_map(|metric| {
                let recorded = self.values.remove(metric)?;
                Some(Figure {
                    metric: metric.clone(),
                    unit: recorded.unit,
                    better: recorded.better,
                    granary: Spread::of(&recorded.granary)?,
                    baseline: Spread::of(&recorded.baseline),
                    ratio: ratio_of(&recorded),
                })
            })
            .collect()
    }
}

fn ratio_of(recorded: &Recorded) -> Option<Spread> {
    if recorded.baseline.len() != recorded.granary.len() {
        return None;
    }
    let ratios: Vec<f64> =
        recorded.granary.iter().zip(&recorded.baseline).filter(|(_, b)| **b != 0.0).map(|(g, b)| g / b).collect();
    Spread::of(&ratios)
}

/// A value in its unit, short enough for a table cell.
pub fn format_value(value: f64, unit: &str) -> String {
    match unit {
        "us" if value >= 10_000.0 => format!("{:.1} ms", value / 1000.0),
        "us" => format!("{value:.1} µs"),
        "bytes" if value >= 1024.0 * 1024.0 => format!("{:.1} MiB", value / (1024.0 * 1024.0)),
        "bytes" => format!("{:.1} KiB", value / 1024.0),
        "ms" => format!("{value:.1} ms"),
        "ns" => format!("{value:.0} ns"),
        "/s" if value >= 10_000.0 => format!("{:.1}k/s", value / 1000.0),
        "/s" => format!("{value:.0}/s"),
        _ => format!("{value:.0}"),
    }
}

fn spread_cell(spread: &Spread, unit: &str) -> String {
    if spread.min == spread.max {
        return format_value(spread.median, unit);
    }
    format!(
        "{} ({}–{})",
        format_value(spread.median, unit),
        format_value(spread.min, unit),
        format_value(spread.max, unit)
    )
}

fn ratio_cell(ratio: &Spread) -> String {
    if ratio.min == ratio.max {
        return format!("{:.2}x", ratio.median);
    }
    format!("{:.2}x ({:.2}–{:.2})", ratio.median, ratio.min, ratio.max)
}

impl Report {
    /// The report as Markdown: the machine, every figure next to its baseline, the goals.
    pub fn markdown(&self) -> String {
        let m = &self.machine;
        let mut out = format!(
            "# Granary benchmarks\n\n{} cores ({}), {:.1} GiB RAM, {}, kernel {}, vm.max_map_count {}; \
             granary {} at {}{}.\n\nEach cell is the median over repetitions, with the range in brackets; \
             the ratio is Granary's figure over the baseline's, measured in the same run.\n\n",
            m.cores,
            m.cpu,
            m.memory_bytes as f64 / f64::from(1u32 << 30),
            m.os,
            m.kernel,
            m.max_map_count.map_or("unknown".into(), |v| v.to_string()),
            self.granary_version,
            self.git_revision,
            if self.quick { " (--quick: small samples, for smoke runs only)" } else { "" },
        );
        out.push_str("| scenario | setup | metric | granary | baseline | ratio |\n|---|---|---|---|---|---|\n");
        for scenario in &self.scenarios {
            for figure in &scenario.figures {
                out.push_str(&format!(
                    "| {} {} | {} | {} | {} | {} | {} |\n",
                    scenario.id,
                    scenario.title,
                    scenario.setup,
                    figure.metric,
                    spread_cell(&figure.granary, figure.unit),
                    figure.baseline.as_ref().map_or("-".into(), |b| spread_cell(b, figure.unit)),
                    figure.ratio.as_ref().map_or("-".into(), ratio_cell),
                ));
            }
        }
        out.push_str("\n| scenario | setup | baseline | goal | measured | met |\n|---|---|---|---|---|---|\n");
        for scenario in &self.scenarios {
            let (text, measured, met) = match &scenario.goal {
                Some(goal) => (goal.text, goal.measured.as_str(), if goal.met { "yes" } else { "no" }),
                None => ("-", "-", "-"),
            };
            out.push_str(&format!(
                "| {} {} | {} | {} | {text} | {measured} | {met} |\n",
                scenario.id, scenario.title, scenario.setup, scenario.baseline
            ));
        }
        let notes: Vec<String> = self
            .scenarios
            .iter()
            .flat_map(|s| s.notes.iter().map(move |note| format!("- {} {}: {note}\n", s.id, s.title)))
            .collect();
        if !notes.is_empty() {
            out.push_str("\nNotes:\n\n");
            out.extend(notes);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratios_pair_repetitions() {
        let mut figures = Figures::default();
        figures.record("p50", "us", Better::Lower, 30.0, Some(10.0));
        figures.record("p50", "us", Better::Lower, 40.0, Some(10.0));
        figures.record("p50", "us", Better::Lower, 20.0, Some(10.0));
        figures.record("fit", "count", Better::Higher, 5.0, None);
        assert_eq!(figures.ratio("p50"), Some(3.0));
        let finished = figures.finish();
        assert_eq!(finished.len(), 2);
        assert_eq!(finished[0].ratio, Some(Spread { median: 3.0, min: 2.0, max: 4.0 }));
        assert_eq!(finished[1].ratio, None);
    }

    #[test]
    fn values_are_formatted_in_their_unit() {
        assert_eq!(format_value(12.34, "us"), "12.3 µs");
        assert_eq!(format_value(25_000.0, "us"), "25.0 ms");
        assert_eq!(format_value(123_456.0, "/s"), "123.5k/s");
        assert_eq!(format_value(2048.0, "bytes"), "2.0 KiB");
    }
}
