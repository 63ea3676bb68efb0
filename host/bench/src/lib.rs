//! `granary bench`: every scenario next to its floor, measured in the same run and repeated,
//! then reported as JSON, a Markdown table and SVG plots under one directory.
//!
//! A scenario is one file. Each measures Granary and its baseline alternately, records a
//! value per repetition for each figure ([`report::Figures`]), and says how it fares
//! against its goal.

mod api;
mod cluster_pair;
mod cold;
mod cold_remote;
mod contended;
mod density;
mod durable;
mod echo;
mod events;
mod grain_to_grain;
mod languages;
mod load;
mod machine;
mod metrics_cost;
mod native;
mod plots;
mod raw;
mod reload;
mod reminders;
mod remote;
mod report;
mod setup;
mod stats;
mod store;
mod storm;
mod stream_echo;
mod thrash;
mod typed;
mod waiting_store;
mod warm;

pub use density::Side as DensitySide;
pub use setup::Options;
pub use store::StoreSpec;

use anyhow::Context;
use report::{Report, ScenarioReport};
use setup::on_each_store;
use std::path::{Path, PathBuf};

/// The scenarios, named as the command line takes them (or by their ids, `p1`...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scenario {
    /// P1: warm call against a raw wasmtime call.
    #[value(alias = "p1")]
    Warm,
    /// P2: cold activation against raw instantiate.
    #[value(alias = "p2")]
    Cold,
    /// P2R: cold activation across members against cold activation on the hosting member.
    #[value(alias = "p2r")]
    ColdRemote,
    /// P3: calls between two members against tonic unary.
    #[value(alias = "p3")]
    Remote,
    /// P4: live grains per 4 GiB against raw instances.
    #[value(alias = "p4")]
    Density,
    /// P5: hot reload under 10k calls/s.
    #[value(alias = "p5")]
    Reload,
    /// P7: against a kameo actor.
    #[value(alias = "p7")]
    Native,
    /// PD: durable throughput by concurrent grains, against the store's own floor.
    #[value(alias = "pd")]
    Durable,
    /// PA: the public gRPC and HTTP ports at fixed open-loop rates.
    #[value(alias = "pa")]
    Api,
    /// PM: P1 and P7 with metrics on against off.
    #[value(alias = "pm")]
    Metrics,
    /// PC: many callers on one grain.
    #[value(alias = "pc")]
    Contended,
    /// PG: a grain calling another grain.
    #[value(alias = "pg")]
    GrainToGrain,
    /// PS: 10 000 new identities at once.
    #[value(alias = "ps")]
    Storm,
    /// PB: a working set four times the memory budget against all of it resident.
    #[value(alias = "pb")]
    Thrash,
    /// PR: how late 10 000 durable reminders fire.
    #[value(alias = "pr")]
    Reminders,
    /// PE: topic events, publish-to-delivery latency and events per second.
    #[value(alias = "pe")]
    Events,
    /// PT: a typed call against `handle` with JSON bytes, and the JSON-to-`Val` mapping.
    #[value(alias = "pt")]
    Typed,
    /// Every built language's counter against the Rust one.
    Languages,
}

impl Scenario {
    /// Every scenario, in the order a full run takes them.
    pub const ALL: [Scenario; 18] = [
        Scenario::Warm,
        Scenario::Cold,
        Scenario::ColdRemote,
        Scenario::Remote,
        Scenario::Reload,
        Scenario::Native,
        Scenario::Durable,
        Scenario::Metrics,
        Scenario::Api,
        Scenario::Contended,
        Scenario::GrainToGrain,
        Scenario::Storm,
        Scenario::Thrash,
        Scenario::Reminders,
        Scenario::Events,
        Scenario::Typed,
        Scenario::Languages,
        Scenario::Density,
    ];

    async fn run(self, options: &Options) -> anyhow::Result<Vec<ScenarioReport>> {
        match self {
            Scenario::Warm => Ok(vec![warm::run(options).await?]),
            Scenario::Cold => on_each_store(options, cold::run_on).await,
            Scenario::ColdRemote => Ok(vec![cold_remote::run(options).await?]),
            Scenario::Remote => Ok(vec![remote::run(options).await?]),
            Scenario::Density => Ok(vec![density::run(options).await?]),
            Scenario::Reload => on_each_store(options, reload::run_on).await,
            Scenario::Native => on_each_store(options, native::run_on).await,
            Scenario::Durable => durable::run(options).await,
            Scenario::Api => on_each_store(options, api::run_on).await,
            Scenario::Metrics => Ok(vec![metrics_cost::run(options).await?]),
            Scenario::Contended => on_each_store(options, contended::run_on).await,
            Scenario::GrainToGrain => Ok(vec![grain_to_grain::run(options).await?]),
            Scenario::Storm => on_each_store(options, storm::run_on).await,
            Scenario::Thrash => on_each_store(options, thrash::run_on).await,
            Scenario::Reminders => on_each_store(options, reminders::run_on).await,
            Scenario::Events => on_each_store(options, events::run_on).await,
            Scenario::Typed => Ok(vec![typed::run(options).await?]),
            Scenario::Languages => Ok(vec![languages::run(options).await?]),
        }
    }
}

/// Runs `scenarios` and writes `report.json`, `report.md` and the plots into `out` (and
/// the JSON also to `json`, if given).
pub async fn run(scenarios: &[Scenario], options: &Options, out: &Path, json: Option<&Path>) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut report = Report {
        granary_version: env!("CARGO_PKG_VERSION"),
        git_revision: machine::git_revision(),
        created_unix: std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs(),
        quick: options.quick,
        machine: machine::Machine::this_one(),
        scenarios: Vec::new(),
    };
    for scenario in scenarios {
        let name = clap::ValueEnum::to_possible_value(scenario)
            .map_or_else(|| format!("{scenario:?}"), |value| value.get_name().to_string());
        eprintln!("bench: {name} ...");
        let started = std::time::Instant::now();
        let measured = scenario.run(options).await.with_context(|| format!("bench scenario {name} failed"))?;
        for measured in measured {
            match &measured.goal {
                Some(goal) => eprintln!(
                    "bench: {name} ({}) done in {:.1?}: {} ({}: {})",
                    measured.setup,
                    started.elapsed(),
                    goal.measured,
                    goal.text,
                    if goal.met { "met" } else { "missed" }
                ),
                None => eprintln!("bench: {name} ({}) done in {:.1?}", measured.setup, started.elapsed()),
            }
            report.scenarios.push(measured);
        }
    }
    let json_text = serde_json::to_string_pretty(&report)?;
    let mut written = vec![out.join("report.json"), out.join("report.md")];
    std::fs::write(&written[0], &json_text).with_context(|| format!("cannot write {}", written[0].display()))?;
    std::fs::write(&written[1], report.markdown()).with_context(|| format!("cannot write {}", written[1].display()))?;
    written.extend(plots::write_all(out, &report.scenarios)?);
    if let Some(path) = json {
        std::fs::write(path, &json_text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path.to_path_buf());
    }
    println!("{}", report.markdown());
    for file in &written {
        eprintln!("bench: wrote {}", file.display());
    }
    println!("{}", out.display());
    Ok(())
}

/// The child side of the density scenario (see [`density`]).
pub async fn density_probe(side: DensitySide, options: &Options) -> anyhow::Result<()> {
    density::probe(side, options).await
}

/// Where a run's reports go by default: `target/bench/<unix seconds>`.
pub fn default_out_dir() -> PathBuf {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
    PathBuf::from("target/bench").join(now.to_string())
}
