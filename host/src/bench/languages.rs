//! Per language: cold activation and warm call of each language's counter that is built,
//! next to the Rust counter measured in the same run.

use super::load::sequential;
use super::report::{Better, Curve, Figures, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain};

/// Rust first: it is every other language's baseline.
const LANGUAGES: [&str; 7] = ["rust", "c", "zig", "assemblyscript", "go", "python", "js"];

/// p50 cold activation and p50 warm call, in microseconds, per repetition.
struct Measured {
    cold: Vec<f64>,
    warm: Vec<f64>,
}

async fn measure(component: &[u8], options: &Options, curves: &mut Vec<Curve>, lang: &str) -> anyhow::Result<Measured> {
    let cold_calls = options.size(10, 50);
    let warm_calls = options.size(200, 5_000);
    // Python and JavaScript components hold several core instances each: room for them.
    let bench = BenchNode::with_counter(component, u32::try_from(cold_calls * options.repetitions * 4)? + 32).await?;
    let node = &bench.node;
    let mut measured = Measured { cold: Vec::new(), warm: Vec::new() };
    for repetition in 0..options.repetitions {
        let mut identities = (0..cold_calls).map(|i| counter_grain(format!("cold-{repetition}-{i}")));
        let (cold, _) = sequential(cold_calls, || {
            let grain = identities.next().expect("one identity per call");
            async move { node.call(&grain, "get", Vec::new(), None).await }
        })
        .await?;
        let warm_grain = counter_grain(format!("cold-{repetition}-0"));
        let (warm, _) = sequential(warm_calls, || node.call(&warm_grain, "get", Vec::new(), None)).await?;
        measured.cold.push(cold.p50_us());
        measured.warm.push(warm.p50_us());
        if repetition + 1 == options.repetitions {
            curves.push(Curve::latency("languages-warm-call", lang, &warm));
        }
    }
    bench.shutdown().await;
    Ok(measured)
}

pub async fn run(options: &Options) -> anyhow::Result<ScenarioReport> {
    let mut figures = Figures::default();
    let mut curves = Vec::new();
    let mut notes = Vec::new();
    let mut rust: Option<Measured> = None;
    for lang in LANGUAGES {
        let Ok(component) = counter_component(&options.grains, lang) else {
            notes.push(format!("{lang}: counter not built (./examples/build.sh {lang})"));
            continue;
        };
        let measured = measure(&component, options, &mut curves, lang).await?;
        let baseline = rust.as_ref().unwrap_or(&measured);
        for (repetition, (&cold, &warm)) in measured.cold.iter().zip(&measured.warm).enumerate() {
            let (rust_cold, rust_warm) = (baseline.cold[repetition], baseline.warm[repetition]);
            figures.record(&format!("{lang}: cold activation p50"), "us", Better::Lower, cold, Some(rust_cold));
            figures.record(&format!("{lang}: warm call p50"), "us", Better::Lower, warm, Some(rust_warm));
        }
        rust.get_or_insert(measured);
    }
    anyhow::ensure!(rust.is_some(), "the Rust counter is not built: ./examples/build.sh rust");
    Ok(ScenarioReport {
        id: "PL",
        title: "languages",
        baseline: "the Rust counter on the same node settings, same run".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: None,
        notes,
        curves,
    })
}
