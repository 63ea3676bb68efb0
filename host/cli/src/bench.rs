//! `granary bench`: runs the benchmark scenarios and prints where the reports went.

use clap::Args;
use granary_bench::{DensitySide, Options, Scenario, StoreSpec};
use std::path::PathBuf;

#[derive(Args)]
pub struct BenchArgs {
    /// Scenarios to run, all by default: warm (p1), cold (p2), remote (p3), density (p4),
    /// reload (p5), native (p7), durable (pd), languages.
    #[arg(value_enum)]
    scenarios: Vec<Scenario>,
    /// Also write the JSON report to FILE.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Small samples, one repetition: proves the harness runs (a few minutes), measures little.
    #[arg(long)]
    quick: bool,
    /// Times each scenario is measured, next to its baseline each time [default: 5, 1 with --quick].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    repetitions: Option<u16>,
    /// Directory for report.json, report.md and the plots [default: target/bench/<unix time>].
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Where ./examples/build.sh put the grains: DIR/<lang>/counter.wasm.
    #[arg(long, value_name = "DIR", default_value = "target/grains")]
    grains: PathBuf,
    /// The state stores the scenarios that write state (cold, reload, native, durable) run
    /// on, each in turn: memory, redb (the default store) and postgres://user@host:port/db.
    #[arg(long, value_name = "STORE", value_delimiter = ',', default_value = "memory,redb")]
    state: Vec<StoreSpec>,
    /// As root: raise vm.max_map_count to N for the density scenario (restored afterwards),
    /// so it measures 100 000 live grains instead of stopping at the stock limit.
    #[arg(long, value_name = "N")]
    max_map_count: Option<u64>,
    /// Internal: measure one side of the density scenario in this process.
    #[arg(long, hide = true)]
    density_probe: Option<DensitySide>,
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let options = Options {
        quick: args.quick,
        repetitions: args.repetitions.map_or(if args.quick { 1 } else { 5 }, usize::from),
        grains: args.grains,
        stores: args.state,
        max_map_count: args.max_map_count,
        run: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_millis())
            .to_string(),
    };
    if let Some(side) = args.density_probe {
        return granary_bench::density_probe(side, &options).await;
    }
    let scenarios = if args.scenarios.is_empty() { Scenario::ALL.to_vec() } else { args.scenarios };
    let out = args.out.unwrap_or_else(granary_bench::default_out_dir);
    // Measured on a runtime worker, where a node's callers (gRPC handlers, grains) run, not
    // on the main thread, whose every wake-up of a worker crosses threads.
    tokio::spawn(async move { granary_bench::run(&scenarios, &options, &out, args.json.as_deref()).await }).await?
}
