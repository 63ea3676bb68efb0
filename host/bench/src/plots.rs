//! SVG plots of a run: latency distributions of each scenario next to its baseline, and
//! resident memory against live grains.

use super::report::{Curve, ScenarioReport};
use plotters::prelude::*;
use std::path::{Path, PathBuf};

/// How a plot's axes read.
struct Axes {
    x: &'static str,
    y: &'static str,
    log_x: bool,
}

fn axes(plot: &str) -> Axes {
    if plot.contains("density") {
        Axes { x: "live grains", y: "resident memory added (MiB)", log_x: false }
    } else if plot.contains("timeline") {
        Axes { x: "time since load started (s)", y: "call latency (µs)", log_x: false }
    } else {
        Axes { x: "latency (µs, log scale)", y: "fraction of calls at or below", log_x: true }
    }
}

const COLOURS: [RGBColor; 6] = [BLUE, RED, GREEN, MAGENTA, CYAN, BLACK];

/// Writes one SVG per plot named by the scenarios' curves into `dir`; returns the files.
pub fn write_all(dir: &Path, scenarios: &[ScenarioReport]) -> anyhow::Result<Vec<PathBuf>> {
    let mut names: Vec<(&'static str, String)> = scenarios
        .iter()
        .flat_map(|s| s.curves.iter().map(move |c| (c.plot, format!("{} {}", s.id, s.title))))
        .collect();
    names.dedup();
    let mut written = Vec::new();
    for (name, caption) in names {
        let curves: Vec<&Curve> =
            scenarios.iter().flat_map(|s| s.curves.iter()).filter(|c| c.plot == name && !c.points.is_empty()).collect();
        if curves.is_empty() {
            continue;
        }
        let path = dir.join(format!("{name}.svg"));
        draw(&path, name, &caption, &curves).map_err(|e| anyhow::anyhow!("cannot draw {}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

fn draw(path: &Path, plot: &str, caption: &str, curves: &[&Curve]) -> Result<(), Box<dyn std::error::Error>> {
    let axes = axes(plot);
    // A log axis is drawn as a linear axis of log10(x), labelled with x.
    let scale = |x: f64| if axes.log_x { x.max(0.01).log10() } else { x };
    let series: Vec<Vec<(f64, f64)>> =
        curves.iter().map(|c| c.points.iter().map(|&(x, y)| (scale(x), y)).collect()).collect();
    let (mut x_lo, mut x_hi, mut y_hi) = (f64::MAX, f64::MIN, f64::MIN);
    for &(x, y) in series.iter().flatten() {
        x_lo = x_lo.min(x);
        x_hi = x_hi.max(x);
        y_hi = y_hi.max(y);
    }
    let x_lo = if axes.log_x { x_lo - 0.05 } else { 0.0 };
    let x_hi = x_hi + (x_hi - x_lo).abs().max(1e-3) * 0.05;
    let y_hi = if y_hi > 0.0 { y_hi * 1.05 } else { 1.0 };

    let root = SVGBackend::new(path, (800, 480)).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(caption, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x_lo..x_hi, 0f64..y_hi)?;
    let label_x = |x: &f64| if axes.log_x { format!("{:.0}", 10f64.powf(*x)) } else { format!("{x:.0}") };
    chart.configure_mesh().x_desc(axes.x).y_desc(axes.y).x_label_formatter(&label_x).draw()?;
    for (i, (curve, points)) in curves.iter().zip(series).enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        chart
            .draw_series(LineSeries::new(points, colour.stroke_width(2)))?
            .label(curve.label.as_str())
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], colour.stroke_width(2)));
    }
    let corner = if axes.log_x { SeriesLabelPosition::LowerRight } else { SeriesLabelPosition::UpperLeft };
    chart.configure_series_labels().position(corner).background_style(WHITE).border_style(BLACK).draw()?;
    root.present()?;
    Ok(())
}
