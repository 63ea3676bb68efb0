//! P4 density: live Rust counters activated in steps until 4 GiB of memory or the first
//! failure, next to raw wasmtime instances of the same component. Each side runs in a child
//! process of its own (`granary bench --density-probe SIDE`), so neither inherits the other's
//! heap or memory mappings. Memory is PSS plus page tables, without file-backed pages (code
//! shared with other processes, whose share moves with them). The steps start below the pool's
//! cap on a stock kernel (about 9 000 live instances with `vm.max_map_count` 65 530); as root,
//! `--max-map-count N` raises the limit for the run, so 100 000 live grains are measured
//! rather than extrapolated. Every other language's counter that is built is measured the same
//! way, each in a child process of its own; Go, Python and JavaScript in fewer and smaller
//! steps (an instance of each holds megabytes).
//!
//! A probe measures from a settled start: the allocator hands freed memory back at once
//! (`MIMALLOC_PURGE_DELAY=0`), and the probe waits for the thread that compiled the kind to
//! retire, since its memory is handed back only then. Measured from before that, a step could
//! look free, or even negative. The probe runs on a runtime of its own whose idle blocking
//! threads retire within a fraction of a second, rather than tokio's default 10 s.

use super::machine::resident_bytes;
use super::raw::{RawGrain, RawHost};
use super::report::{Better, Curve, Figures, Goal, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain, pool};
use super::store::StoreSpec;
use anyhow::Context;
use granary::config::NodeConfig;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::AsyncBufReadExt;

/// The memory budget the scenario fills.
const BUDGET: u64 = 4 << 30;
/// Activation slots asked of the pool: far more than fit in the budget.
const SLOTS: u32 = 400_000;
/// Activations made at once while filling a step.
const ACTIVATORS: usize = 32;

/// How long an idle blocking thread of the probe's runtime lives.
const BLOCKING_THREAD_KEEP_ALIVE: Duration = Duration::from_millis(200);
/// How long a probe waits after compiling, for the compiling thread to retire.
const COMPILE_THREAD_RETIRES: Duration = Duration::from_secs(1);

/// Which side a density probe measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Side {
    /// Live Granary activations of the Rust counter.
    Granary,
    /// Raw wasmtime instances of the Rust counter.
    Raw,
    /// Live Granary activations of the C counter.
    C,
    /// Live Granary activations of the Zig counter.
    Zig,
    /// Live Granary activations of the AssemblyScript counter.
    Assemblyscript,
    /// Live Granary activations of the Go counter.
    Go,
    /// Live Granary activations of the Python counter.
    Python,
    /// Live Granary activations of the JavaScript counter.
    Js,
}

/// The languages measured next to the Rust counter, in the order they run.
const OTHER_LANGUAGES: [Side; 6] = [Side::C, Side::Zig, Side::Assemblyscript, Side::Go, Side::Python, Side::Js];

impl Side {
    /// The example language whose counter the side activates.
    fn language(self) -> &'static str {
        match self {
            Side::Granary | Side::Raw => "rust",
            Side::C => "c",
            Side::Zig => "zig",
            Side::Assemblyscript => "assemblyscript",
            Side::Go => "go",
            Side::Python => "python",
            Side::Js => "js",
        }
    }

    /// How the command line names the side.
    fn name(self) -> String {
        use clap::ValueEnum;
        self.to_possible_value().map_or_else(String::new, |value| value.get_name().to_string())
    }

    /// Live instances after each step.
    fn steps(self, options: &Options) -> Vec<usize> {
        match self {
            Side::Granary | Side::Raw => options.size(
                vec![250, 500],
                vec![
                    1_000, 2_500, 5_000, 7_500, 9_000, 25_000, 50_000, 60_000, 70_000, 80_000, 100_000, 150_000,
                    200_000, 300_000, 400_000,
                ],
            ),
            Side::C | Side::Zig | Side::Assemblyscript => options.size(vec![100, 200], vec![1_000, 2_500]),
            Side::Go | Side::Python | Side::Js => options.size(vec![20, 40], vec![100, 250, 500]),
        }
    }

    /// Activation slots asked of the pool: more than the steps fill (a Python or JavaScript
    /// component, for one, holds several core instances and memories).
    fn slots(self, options: &Options) -> u32 {
        match self {
            Side::Granary | Side::Raw => SLOTS,
            _ => {
                let most = self.steps(options).last().copied().unwrap_or(0);
                u32::try_from(most * 4 + 32).unwrap_or(SLOTS)
            }
        }
    }
}

/// What a probe prints, one JSON line per step and a last line saying why it stopped.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum ProbeLine {
    Step { live: usize, rss_added: u64 },
    Stopped { reason: String },
}

fn print(line: &ProbeLine) {
    println!("{}", serde_json::to_string(line).expect("probe lines serialize"));
}

/// Starts activations `activate(index)` until `started` reaches `target`, `ACTIVATORS` at once.
async fn fill<F, Fut>(started: &Arc<AtomicUsize>, target: usize, activate: F) -> anyhow::Result<()>
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let tasks: Vec<_> = (0..ACTIVATORS)
        .map(|_| {
            let started = Arc::clone(started);
            let activate = activate.clone();
            tokio::spawn(async move {
                loop {
                    let index = started.fetch_add(1, Ordering::Relaxed);
                    if index >= target {
                        started.fetch_sub(1, Ordering::Relaxed);
                        return Ok(());
                    }
                    if let Err(e) = activate(index).await {
                        started.fetch_sub(1, Ordering::Relaxed);
                        return Err(e);
                    }
                }
            })
        })
        .collect();
    let mut first_error = None;
    for task in tasks {
        if let Err(e) = task.await? {
            first_error.get_or_insert(e);
        }
    }
    first_error.map_or(Ok(()), Err)
}

/// Runs in the child: activates the side's instances step by step, printing each step, on a
/// runtime of the probe's own (see the module's notes).
pub async fn probe(side: Side, options: &Options) -> anyhow::Result<()> {
    let options = options.clone();
    let on_own_runtime = move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .thread_keep_alive(BLOCKING_THREAD_KEEP_ALIVE)
            .build()?;
        runtime.block_on(measure(side, &options))
    };
    tokio::task::spawn_blocking(on_own_runtime).await?
}

/// The probe itself: compiles the side's kind, waits for the compiling thread to retire, fills the steps.
async fn measure(side: Side, options: &Options) -> anyhow::Result<()> {
    let component = counter_component(&options.grains, side.language())?;
    let steps = side.steps(options);
    let reason = match side {
        Side::Raw => raw_probe(&component, side.slots(options), &steps).await?,
        _ => node_probe(&component, side.slots(options), &steps).await?,
    };
    print(&ProbeLine::Stopped { reason });
    // Exit without tearing down hundreds of thousands of instances one by one.
    std::process::exit(0);
}

/// Live Granary activations of `component` on a node of their own, filling `steps`; returns
/// why it stopped.
async fn node_probe(component: &[u8], slots: u32, steps: &[usize]) -> anyhow::Result<String> {
    // No memory budget: it charges each grain its whole linear memory, which would
    // deactivate grains long before their resident memory fills the machine.
    let bench = BenchNode::configured(component, &StoreSpec::Memory, |config| NodeConfig {
        pool: pool(slots),
        memory_budget: u64::MAX,
        ..config
    })
    .await?;
    tokio::time::sleep(COMPILE_THREAD_RETIRES).await;
    let node = Arc::clone(&bench.node);
    let before = resident_bytes();
    let activate = move |index: usize| {
        let node = Arc::clone(&node);
        async move {
            node.call(&counter_grain(format!("dense-{index}")), "get", Vec::new(), None).await?;
            Ok(())
        }
    };
    let live = || bench.node.router().directory().len();
    Ok(fill_steps(steps, before, activate, live).await)
}

/// Raw wasmtime instances of `component`, kept live, filling `steps`; returns why it stopped.
async fn raw_probe(component: &[u8], slots: u32, steps: &[usize]) -> anyhow::Result<String> {
    // Compiled on a thread that then retires, as the node sides compile theirs.
    let component = component.to_vec();
    let raw = Arc::new(tokio::task::spawn_blocking(move || RawHost::new(&component, slots)).await??);
    tokio::time::sleep(COMPILE_THREAD_RETIRES).await;
    let kept: Arc<std::sync::Mutex<Vec<RawGrain>>> = Arc::default();
    let before = resident_bytes();
    let held = Arc::clone(&kept);
    let activate = move |_| {
        let (raw, kept) = (Arc::clone(&raw), Arc::clone(&kept));
        async move {
            let mut grain = raw.activate().await?;
            grain.call("get", b"").await?;
            kept.lock().unwrap_or_else(|p| p.into_inner()).push(grain);
            Ok(())
        }
    };
    let live = || held.lock().unwrap_or_else(|p| p.into_inner()).len();
    Ok(fill_steps(steps, before, activate, live).await)
}

/// Fills each step in turn, counting what is live after each by `live`; returns why it
/// stopped.
async fn fill_steps<F, Fut>(steps: &[usize], before: u64, activate: F, live: impl Fn() -> usize) -> String
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send,
{
    let started = Arc::new(AtomicUsize::new(0));
    for &target in steps {
        let filled = fill(&started, target, activate.clone()).await;
        let rss_added = resident_bytes().saturating_sub(before);
        let live_now = live();
        print(&ProbeLine::Step { live: live_now, rss_added });
        if let Err(e) = filled {
            return format!("activation {} failed: {e:#}", started.load(Ordering::Relaxed) + 1);
        }
        if live_now < target {
            return format!("{live_now} of {target} activations were live (the rest had been deactivated)");
        }
        if rss_added >= BUDGET {
            return "reached 4 GiB of resident memory".into();
        }
    }
    "reached the last step".into()
}

/// What one probe found.
struct Probed {
    steps: Vec<(usize, u64)>,
    stopped: String,
}

impl Probed {
    fn first_live(&self) -> usize {
        self.steps.first().map_or(0, |s| s.0)
    }
    fn live(&self) -> usize {
        self.steps.iter().map(|s| s.0).max().unwrap_or(0)
    }
    /// Resident bytes each further live instance adds: the slope from the first step to the
    /// last, so the kind's one-time costs (its memory images, made at the first activation)
    /// stay in the first step; with one step, that step's bytes per instance.
    fn per_grain(&self) -> f64 {
        match (self.steps.first(), self.steps.last()) {
            (Some(&(first, first_rss)), Some(&(last, last_rss))) if last > first => {
                (last_rss as f64 - first_rss as f64) / (last - first) as f64
            }
            (_, Some(&(live, rss))) => rss as f64 / live.max(1) as f64,
            _ => f64::NAN,
        }
    }
    /// The most live instances measured within the 4 GiB budget.
    fn held_in_budget(&self) -> usize {
        self.steps.iter().filter(|&&(_, rss)| rss <= BUDGET).map(|&(live, _)| live).max().unwrap_or(0)
    }
    /// Live instances the budget would hold at the measured cost per instance.
    fn fit_in_budget(&self) -> f64 {
        BUDGET as f64 / self.per_grain()
    }
}

async fn run_probe(side: Side, options: &Options) -> anyhow::Result<Probed> {
    let exe = std::env::current_exe().context("cannot find the granary executable")?;
    let side_name = side.name();
    let mut command = tokio::process::Command::new(exe);
    command.args(["bench", "--density-probe", &side_name, "--grains"]).arg(&options.grains);
    command.env("MIMALLOC_PURGE_DELAY", "0");
    if options.quick {
        command.arg("--quick");
    }
    let mut child = command.stdout(std::process::Stdio::piped()).kill_on_drop(true).spawn()?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().context("probe stdout")?).lines();
    let mut probed = Probed { steps: Vec::new(), stopped: "the probe exited without a reason".into() };
    while let Some(line) = lines.next_line().await? {
        match serde_json::from_str(&line) {
            Ok(ProbeLine::Step { live, rss_added }) => probed.steps.push((live, rss_added)),
            Ok(ProbeLine::Stopped { reason }) => probed.stopped = reason,
            Err(_) => tracing::debug!("density probe said: {line}"),
        }
    }
    let status = child.wait().await?;
    anyhow::ensure!(status.success(), "the {side_name} density probe failed: {status}");
    anyhow::ensure!(!probed.steps.is_empty(), "the {side_name} density probe measured nothing: {}", probed.stopped);
    Ok(probed)
}

/// The kernel's limit on memory mappings per process, which caps live instances.
const MAX_MAP_COUNT: &str = "/proc/sys/vm/max_map_count";

pub async fn run(options: &Options) -> anyhow::Result<ScenarioReport> {
    let restore = match options.max_map_count {
        Some(limit) => {
            let before = std::fs::read_to_string(MAX_MAP_COUNT).context("cannot read vm.max_map_count")?;
            std::fs::write(MAX_MAP_COUNT, limit.to_string())
                .with_context(|| format!("cannot raise vm.max_map_count to {limit} (run as root)"))?;
            Some(before)
        }
        None => None,
    };
    let limit = super::machine::Machine::this_one().max_map_count.map_or("unknown".into(), |v| v.to_string());
    let probed = async {
        let (granary, raw) = (run_probe(Side::Granary, options).await?, run_probe(Side::Raw, options).await?);
        let mut languages = Vec::new();
        for side in OTHER_LANGUAGES {
            let built = counter_component(&options.grains, side.language()).is_ok();
            languages.push((side, if built { Some(run_probe(side, options).await?) } else { None }));
        }
        anyhow::Ok((granary, raw, languages))
    }
    .await;
    if let Some(before) = restore {
        std::fs::write(MAX_MAP_COUNT, before.trim()).context("cannot restore vm.max_map_count")?;
    }
    let (granary, raw, languages) = probed?;
    let mut figures = Figures::default();
    let mut notes = Vec::new();
    figures.record("memory per live grain", "bytes", Better::Lower, granary.per_grain(), Some(raw.per_grain()));
    figures.record("live grains reached", "count", Better::Higher, granary.live() as f64, Some(raw.live() as f64));
    figures.record(
        "grains 4 GiB would hold (extrapolated from the memory per grain)",
        "count",
        Better::Higher,
        granary.fit_in_budget(),
        Some(raw.fit_in_budget()),
    );
    for (side, probed) in languages {
        let Some(probed) = probed else {
            notes.push(format!("{}: counter not built (./examples/build.sh {0})", side.language()));
            continue;
        };
        figures.record(
            &format!(
                "{} counter: memory per live grain ({} to {} live)",
                side.language(),
                probed.first_live(),
                probed.live()
            ),
            "bytes",
            Better::Lower,
            probed.per_grain(),
            Some(granary.per_grain()),
        );
        notes.push(format!("{} stopped: {}", side.language(), probed.stopped));
    }
    let held = granary.held_in_budget();
    let mib = |steps: &[(usize, u64)]| steps.iter().map(|&(n, rss)| (n as f64, rss as f64 / 1048576.0)).collect();
    Ok(ScenarioReport {
        id: "P4",
        title: "density",
        setup: format!(
            "each side in a child process, measured from a settled start; per grain: the slope from the first step to the last; memory is PSS without file-backed pages, plus page tables; vm.max_map_count {limit}; \
             node memory budget off; state: memory"
        ),
        baseline: "raw wasmtime instances of the same component, each kept live; for every other \
                   language's counter, the Rust counter's live grains"
            .into(),
        repetitions: 1,
        figures: figures.finish(),
        goal: Some(Goal {
            text: "≥ 100 000 live Rust grains in 4 GiB",
            measured: format!("{held} live measured within 4 GiB ({:.1} KiB each)", granary.per_grain() / 1024.0),
            met: held >= 100_000,
        }),
        notes: [vec![format!("granary stopped: {}; raw stopped: {}", granary.stopped, raw.stopped)], notes].concat(),
        curves: vec![
            Curve { plot: "p4-density", label: "granary".into(), points: mib(&granary.steps) },
            Curve { plot: "p4-density", label: "raw wasmtime".into(), points: mib(&raw.steps) },
        ],
    })
}
