//! Per language: cold activation and warm call of each language's counter that is built,
//! next to the Rust counter measured in the same run.

use super::load::sequential;
use super::report::{Better, Curve, Figures, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain};

/// Rust first: it is every other language's baseline.
const LANGUAGES: [&str; 7] = ["rust", "c", "zig", "assemblyscript", "go", "python", "js"];

/// Per repetition: p50 cold activation and p50 warm call (µs); and once: the component's size
/// and the node's start with its compile (ms). Memory per live grain is P4's, measured in a
/// child process per language from a settled start.
struct Measured {
    cold: Vec<f64>,
    warm: Vec<f64>,
    size: f64,
    compile: f64,
}

async fn measure(component: &[u8], options: &Options, curves: &mut Vec<Curve>, lang: &str) -> anyhow::Result<Measured> {
    let cold_calls = options.size(10, 50);
    let warm_calls = options.size(200, 5_000);
    // Python and JavaScript components hold several core instances each: room for them.
    let started = std::time::Instant::now();
    let bench = BenchNode::with_counter(component, u32::try_from(cold_calls * options.repetitions * 4)? + 32).await?;
    let compile = started.elapsed().as_secs_f64() * 1e3;
    let node = &bench.node;
    let size = component.len() as f64;
    let mut measured = Measured { cold: Vec::new(), warm: Vec::new(), size, compile };
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
        let rust_or_self = rust.as_ref().unwrap_or(&measured);
        figures.record(
            &format!("{lang}: component size"),
            "bytes",
            Better::Lower,
            measured.size,
            Some(rust_or_self.size),
        );
        let (compile, rust_compile) = (measured.compile, rust_or_self.compile);
        figures.record(&format!("{lang}: node start + compile"), "ms", Better::Lower, compile, Some(rust_compile));
        for repetition in 0..options.repetitions {
            let (m, r) = (&measured, rust_or_self);
            let (cold, warm) = (m.cold[repetition], m.warm[repetition]);
            figures.record(
                &format!("{lang}: cold activation p50"),
                "us",
                Better::Lower,
                cold,
                Some(r.cold[repetition]),
            );
            figures.record(&format!("{lang}: warm call p50"), "us", Better::Lower, warm, Some(r.warm[repetition]));
        }
        rust.get_or_insert(measured);
    }
    anyhow::ensure!(rust.is_some(), "the Rust counter is not built: ./examples/build.sh rust");
    Ok(ScenarioReport {
        id: "PL",
        title: "languages",
        setup: "in-process caller; state: memory".into(),
        baseline: "the Rust counter on the same node settings, same run".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: None,
        notes,
        curves,
    })
}
