//! PM metrics cost: P1's warm `get` and P7's counter `add` (1 caller, and 64 callers each on
//! its own grain) on a node counting metrics, as nodes ship, next to the same on a node
//! started with `--no-metrics`. Which side goes first alternates between repetitions. The
//! tracing exporter is off in both, as it is by default.

use super::load::{counter_callers, sequential};
use super::report::{Better, Figures, Goal, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain};
use super::store::StoreSpec;

const CALLERS: usize = 64;
const ADD: &[u8] = br#"{"n":1}"#;

/// What one side measured in one repetition.
struct Side {
    get_p50_us: f64,
    gets_per_s: f64,
    adds_per_s: f64,
    adds_many_per_s: f64,
}

async fn measure(bench: &BenchNode, calls: usize) -> anyhow::Result<Side> {
    let node = &bench.node;
    let grain = counter_grain("pm-one");
    let (gets, gets_per_s) = sequential(calls, || node.call(&grain, "get", Vec::new(), None)).await?;
    let (_, adds_per_s) = sequential(calls, || node.call(&grain, "add", ADD.to_vec(), None)).await?;
    let per_caller = calls / 4 / CALLERS * 4;
    let (_, adds_many_per_s) = counter_callers(node, CALLERS, per_caller, "pm-many", "add", ADD).await?;
    Ok(Side { get_p50_us: gets.p50_us(), gets_per_s, adds_per_s, adds_many_per_s })
}

pub async fn run(options: &Options) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let calls = options.size(2_000, 50_000);
    // Short rounds, the two sides back to back in alternating order, many of them: the
    // difference sought is a few percent, less than this machine drifts over a second.
    let rounds = options.repetitions * 4;
    let slots = u32::try_from(CALLERS)? + 8;
    let on = BenchNode::start(&component, slots, &StoreSpec::Memory, true).await?;
    let off = BenchNode::start(&component, slots, &StoreSpec::Memory, false).await?;
    let mut figures = Figures::default();
    // Warm-up, on both.
    measure(&on, calls / 10).await?;
    measure(&off, calls / 10).await?;
    for round in 0..rounds {
        let (with, without) = if round % 2 == 0 {
            let with = measure(&on, calls).await?;
            (with, measure(&off, calls).await?)
        } else {
            let without = measure(&off, calls).await?;
            (measure(&on, calls).await?, without)
        };
        figures.record("P1 get p50, 1 caller", "us", Better::Lower, with.get_p50_us, Some(without.get_p50_us));
        figures.record("P1 gets/s, 1 caller", "/s", Better::Higher, with.gets_per_s, Some(without.gets_per_s));
        figures.record("P7 adds/s, 1 caller", "/s", Better::Higher, with.adds_per_s, Some(without.adds_per_s));
        let many = format!("P7 adds/s, {CALLERS} callers");
        figures.record(&many, "/s", Better::Higher, with.adds_many_per_s, Some(without.adds_many_per_s));
    }
    let cost = |metric: &str, higher_is_better: bool| {
        figures.ratio(metric).map_or(f64::NAN, |ratio| if higher_is_better { 1.0 / ratio - 1.0 } else { ratio - 1.0 })
    };
    let costs = [
        cost("P1 get p50, 1 caller", false),
        cost("P1 gets/s, 1 caller", true),
        cost("P7 adds/s, 1 caller", true),
        cost(&format!("P7 adds/s, {CALLERS} callers"), true),
    ];
    let worst = costs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    on.shutdown().await;
    off.shutdown().await;
    Ok(ScenarioReport {
        id: "PM",
        title: "metrics cost",
        setup: "in-process callers; state: memory; tracing exporter off".into(),
        baseline: "the same node started with --no-metrics".into(),
        repetitions: rounds,
        figures: figures.finish(),
        goal: Some(Goal {
            text: "metrics cost at most 5% on P1 and P7",
            measured: format!(
                "worst {:+.1}% (P1 p50 {:+.1}%, P1 rate {:+.1}%, P7 1 caller {:+.1}%, P7 {CALLERS} callers {:+.1}%)",
                worst * 100.0,
                costs[0] * 100.0,
                costs[1] * 100.0,
                costs[2] * 100.0,
                costs[3] * 100.0
            ),
            met: worst <= 0.05,
        }),
        notes: vec![format!(
            "{rounds} rounds of {calls} calls per side, sides alternating; cost = how much worse with metrics on (median of the rounds' ratios)"
        )],
        curves: Vec::new(),
    })
}
