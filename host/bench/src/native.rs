//! P7 native actors: the counter's logic (parse the add, add, save the state, reply in
//! JSON) as a kameo actor on the same state store, next to the Rust counter grain doing
//! the same inside its sandbox through Granary.

use super::load::{callers, counter_callers, sequential, timed_calls};
use super::report::{Better, Curve, Figures, Goal, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component, counter_grain};
use super::stats::Latencies;
use super::store::StoreSpec;
use granary::ids::GrainId;
use granary::state::{Epoch, Etag, StateStore};
use kameo::actor::{ActorRef, Spawn};
use kameo::message::{Context, Message};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

const CALLERS: usize = 64;
const ADD: &[u8] = br#"{"n":1}"#;

/// The counter as a native actor: one per grain id, its state in a `StateStore`.
#[derive(kameo::Actor)]
struct NativeCounter {
    id: GrainId,
    store: Arc<dyn StateStore>,
    epoch: Epoch,
    etag: Option<Etag>,
    total: i64,
}

#[derive(Serialize, Deserialize)]
struct Total {
    total: i64,
}

#[derive(Deserialize)]
struct Add {
    n: i64,
}

/// A request as a grain gets it: a method and a JSON payload.
#[derive(Debug)]
struct Request {
    method: &'static str,
    payload: Vec<u8>,
}

impl Message<Request> for NativeCounter {
    type Reply = Result<Vec<u8>, String>;

    async fn handle(&mut self, request: Request, _: &mut Context<Self, Self::Reply>) -> Self::Reply {
        if request.method == "add" {
            let Add { n } = serde_json::from_slice(&request.payload).map_err(|e| e.to_string())?;
            let next = self.total.checked_add(n).ok_or("total would overflow")?;
            let state = serde_json::to_vec(&Total { total: next }).map_err(|e| e.to_string())?;
            let etag = self.store.save(&self.id, &state, self.etag, self.epoch).await.map_err(|e| e.to_string())?;
            (self.etag, self.total) = (Some(etag), next);
        }
        serde_json::to_vec(&Total { total: self.total }).map_err(|e| e.to_string())
    }
}

/// Claims `id` on `store` and spawns its actor from the saved state, as an activation does.
async fn activate(id: GrainId, store: Arc<dyn StateStore>) -> anyhow::Result<ActorRef<NativeCounter>> {
    let claim = store.activate(&id).await?;
    let (total, etag) = match claim.saved {
        Some(saved) => (serde_json::from_slice::<Total>(&saved.bytes)?.total, Some(saved.etag)),
        None => (0, None),
    };
    Ok(NativeCounter::spawn(NativeCounter { id, store, epoch: claim.epoch, etag, total }))
}

async fn add(actor: &ActorRef<NativeCounter>) -> anyhow::Result<Vec<u8>> {
    actor.ask(Request { method: "add", payload: ADD.to_vec() }).await.map_err(|e| anyhow::anyhow!("{e:?}"))
}

pub async fn run_on(options: &Options, spec: &StoreSpec) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let calls = match spec {
        StoreSpec::Memory => options.size(2_000, 50_000),
        _ => options.size(500, 5_000),
    };
    let bench = BenchNode::on_store(&component, CALLERS as u32 + 8, spec).await?;
    let node = &bench.node;
    let store = Arc::clone(&bench.state);
    let actor = activate(counter_grain(options.unique("native-kameo")), Arc::clone(&store)).await?;
    let grain = counter_grain(options.unique("native"));
    sequential(1_000, || add(&actor)).await?;
    sequential(1_000, || node.call(&grain, "add", ADD.to_vec(), None)).await?;

    let mut figures = Figures::default();
    let mut last = (Latencies::default(), Latencies::default());
    for repetition in 0..options.repetitions {
        // Which side goes first alternates between repetitions.
        let ((native_one, native_rate), (one, rate)) = if repetition % 2 == 0 {
            let native = sequential(calls, || add(&actor)).await?;
            (native, sequential(calls, || node.call(&grain, "add", ADD.to_vec(), None)).await?)
        } else {
            let granary = sequential(calls, || node.call(&grain, "add", ADD.to_vec(), None)).await?;
            (sequential(calls, || add(&actor)).await?, granary)
        };
        figures.record("adds/s, 1 caller", "/s", Better::Higher, rate, Some(native_rate));
        figures.record("p50 latency, 1 caller", "us", Better::Lower, one.p50_us(), Some(native_one.p50_us()));
        figures.record("p99 latency, 1 caller", "us", Better::Lower, one.p99_us(), Some(native_one.p99_us()));

        let per_caller = calls / CALLERS;
        let run = &options.run;
        let (_, native_many) = callers(CALLERS, |index, start| {
            let store = Arc::clone(&store);
            let run = run.clone();
            async move {
                let actor = activate(counter_grain(format!("native-kameo-{repetition}-{index}-{run}")), store).await?;
                start.wait().await;
                timed_calls(per_caller, || add(&actor)).await
            }
        })
        .await?;
        let prefix = options.unique("native-many");
        let (_, many) = counter_callers(node, CALLERS, per_caller, &prefix, "add", ADD).await?;
        figures.record(&format!("adds/s, {CALLERS} callers"), "/s", Better::Higher, many, Some(native_many));
        last = (one, native_one);
    }
    let ratio = figures.ratio(&format!("adds/s, {CALLERS} callers")).unwrap_or(f64::NAN);
    bench.shutdown().await;
    Ok(ScenarioReport {
        id: "P7",
        title: "native actor",
        setup: format!("in-process callers; state: {} for both sides", spec.name()),
        baseline: format!("kameo actor with the same counter logic on the same {} store", spec.name()),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: Some(Goal {
            text: "throughput ≥ 0.5x the native actor library",
            measured: format!("{ratio:.2}x ({CALLERS} callers)"),
            met: ratio >= 0.5,
        }),
        notes: vec![format!("method `add` (parse, add, save state, reply), {calls} adds per repetition")],
        curves: vec![
            Curve::latency("p7-native-actor", "granary, 1 caller", &last.0),
            Curve::latency("p7-native-actor", "kameo, 1 caller", &last.1),
        ],
    })
}
