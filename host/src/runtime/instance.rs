//! One instantiated grain: its `Store` and typed exports, run under the kind's limits.

use super::grain_state::GrainState;
use super::kind::Kind;
use super::limits::{Fault, TimeLimitExceeded};
use super::world::WorldExports;
use crate::message::Origin;
use crate::node_message::{EventDelivery, RESERVED_PREFIX, ReminderTick};
use std::time::Duration;
use tokio::time::Instant;
use wasmtime::{Store, UpdateDeadline};

/// How long past its time limit a turn waiting in a host call is left to end by itself.
const WAITING_GRACE: Duration = Duration::from_millis(100);

/// A grain component instantiated in a `Store` of its own.
pub struct GrainInstance {
    store: Store<GrainState>,
    exports: WorldExports,
    time_limit: Duration,
}

impl GrainInstance {
    /// Instantiates `kind` with `state` and runs its `activate` export.
    pub async fn start(kind: &Kind, state: GrainState) -> Result<Self, Fault> {
        let mut store = Store::new(kind.engine(), state);
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|store| {
            if Instant::now() >= store.data().turn.stop_at {
                Err(TimeLimitExceeded.into())
            } else {
                Ok(UpdateDeadline::Yield(1))
            }
        });
        let time_limit = kind.settings().time_limit;
        begin_turn(&mut store, Origin::external(Instant::now() + time_limit), time_limit);
        let exports = match kind.pre().instantiate(&mut store).await {
            Ok(exports) => exports,
            Err(e) => return Err(classify(e, &store, time_limit)),
        };
        let mut instance = GrainInstance { store, exports, time_limit };
        let activated = instance.exports.activate(&mut instance.store).await;
        activated.map_err(|e| instance.fault(e))?;
        Ok(instance)
    }

    /// Runs `handle`, or for one of the node's own messages (a reminder's tick, an event) the export it
    /// is for: `Ok(reply)` is the guest's own result, `Err` a fault that ends the instance.
    pub async fn handle(
        &mut self,
        method: &str,
        payload: &[u8],
        origin: Origin,
    ) -> Result<Result<Vec<u8>, String>, Fault> {
        begin_turn(&mut self.store, origin, self.time_limit);
        // A guest that runs is stopped by the epoch check; one waiting in a host call (an
        // outbound HTTP request, say) is cut off here once the limit has passed.
        let cut_off = self.store.data().turn.stop_at + WAITING_GRACE;
        let (exports, store) = (&self.exports, &mut self.store);
        let call = async move {
            if !method.starts_with(RESERVED_PREFIX) {
                return exports.handle(store, method, payload).await;
            }
            let received = match method {
                ReminderTick::METHOD => match ReminderTick::decode(payload) {
                    Ok(ReminderTick { name, tick }) => exports.receive_reminder(store, &name, tick).await?,
                    Err(why) => Err(why),
                },
                EventDelivery::METHOD => match EventDelivery::decode(payload) {
                    Ok(event) => exports.receive_event(store, event).await?,
                    Err(why) => Err(why),
                },
                other => Err(format!("the node sent {other:?}, which this node cannot deliver")),
            };
            Ok(received.map(|()| Vec::new()))
        };
        match tokio::time::timeout_at(cut_off, call).await {
            Ok(result) => result.map_err(|e| self.fault(e)),
            Err(_elapsed) => Err(Fault::TimeLimit(self.time_limit)),
        }
    }

    /// Runs `deactivate`, then drops the instance.
    pub async fn deactivate(mut self) -> Result<(), Fault> {
        begin_turn(&mut self.store, Origin::external(Instant::now() + self.time_limit), self.time_limit);
        let result = self.exports.deactivate(&mut self.store).await;
        result.map_err(|e| self.fault(e))
    }

    /// The receive timeout the grain set for itself, if any.
    pub fn receive_timeout(&self) -> Option<Duration> {
        self.store.data().receive_timeout
    }

    /// A write of this activation was refused as stale or fenced; it must not handle more messages.
    pub fn is_stale(&self) -> bool {
        self.store.data().stale
    }

    /// Bytes of linear memory the instance holds.
    pub fn memory_bytes(&self) -> u64 {
        self.store.data().limiter.memory_bytes()
    }

    fn fault(&self, error: wasmtime::Error) -> Fault {
        classify(error, &self.store, self.time_limit)
    }
}

fn begin_turn(store: &mut Store<GrainState>, origin: Origin, time_limit: Duration) {
    let turn = &mut store.data_mut().turn;
    turn.stop_at = Instant::now() + time_limit;
    turn.origin = origin;
}

/// The OS out-of-memory error (ENOMEM) anywhere in `error`'s chain.
fn out_of_memory(error: &wasmtime::Error) -> Option<&std::io::Error> {
    error
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .find(|io| io.raw_os_error() == Some(libc::ENOMEM))
}

fn classify(error: wasmtime::Error, store: &Store<GrainState>, time_limit: Duration) -> Fault {
    if let Some(full) = error.downcast_ref::<wasmtime::PoolConcurrencyLimitError>() {
        Fault::Capacity(full.to_string())
    } else if let Some(os) = out_of_memory(&error) {
        // The kernel refused a mapping (vm.max_map_count or memory exhausted): not the guest's fault.
        Fault::Capacity(format!("the system refused memory for a new instance: {os}"))
    } else if error.downcast_ref::<TimeLimitExceeded>().is_some() {
        Fault::TimeLimit(time_limit)
    } else if store.data().limiter.hit_memory_cap {
        Fault::MemoryLimit(store.data().limiter.max_memory())
    } else {
        // The trap code is the clear part; the guest backtrace goes to the log.
        tracing::debug!(grain = %store.data().grain, "guest fault: {error:?}");
        match error.downcast_ref::<wasmtime::Trap>() {
            Some(trap) => Fault::Trap(trap.to_string()),
            None => Fault::Trap(format!("{error:#}")),
        }
    }
}
