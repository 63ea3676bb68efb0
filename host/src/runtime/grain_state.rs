//! What a grain's `Store` holds: its WASI context, its limits and its view of the node.

use super::GrainHost;
use super::http_grants::HttpGrants;
use super::limits::GrainLimiter;
use crate::config::KindSettings;
use crate::ids::GrainId;
use crate::message::Origin;
use crate::state::{Claim, Epoch, StoredState};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{WasiCtx, WasiCtxView, WasiView};
use wasmtime_wasi_http::{WasiHttpCtx, WasiHttpCtxView, WasiHttpView};

/// The message a grain is handling now.
pub struct Turn {
    /// The chain of the message being handled; calls made now extend it.
    pub origin: Origin,
    /// When the guest is stopped (the kind's time limit for this message).
    pub stop_at: Instant,
}

/// Store data of one activation.
pub struct GrainState {
    wasi: WasiCtx,
    table: ResourceTable,
    http: WasiHttpCtx,
    /// The hosts its kind may reach over `wasi:http`.
    grants: HttpGrants,
    pub(crate) limiter: GrainLimiter,
    /// Largest state one save may write (the kind's `max_state`).
    pub(crate) max_state: u64,
    pub(crate) grain: GrainId,
    /// How the grain reaches other grains and its state.
    pub(crate) host: Arc<dyn GrainHost>,
    /// The epoch this activation claimed: a newer activation's claim fences its writes off.
    pub(crate) epoch: Epoch,
    /// The last state this activation loaded or saved; its etag fences the next write.
    pub(crate) saved: Option<StoredState>,
    /// The grain's own receive timeout, if it set one.
    pub(crate) receive_timeout: Option<Duration>,
    pub(crate) turn: Turn,
    /// Set when a write was refused as stale or fenced: the activation must be discarded.
    pub(crate) stale: bool,
    /// The grain each imported typed interface's calls go to (`typed-calls.bind`), by name.
    pub(crate) typed_targets: HashMap<String, GrainId>,
}

impl GrainState {
    /// The store data of a new activation of `grain` that made `claim`, reaching the node
    /// through `host`, under its kind's `settings`, reaching over HTTP only what `grants` allow.
    pub fn new(
        grain: GrainId,
        host: Arc<dyn GrainHost>,
        claim: Claim,
        settings: &KindSettings,
        grants: HttpGrants,
    ) -> Self {
        // No preopened directories, no environment, no sockets: no ambient authority. Outbound
        // HTTP goes only to the hosts the kind was granted.
        let wasi = WasiCtx::builder().allow_tcp(false).allow_udp(false).allow_ip_name_lookup(false).build();
        let now = Instant::now();
        GrainState {
            wasi,
            table: ResourceTable::new(),
            http: WasiHttpCtx::new(),
            grants,
            limiter: GrainLimiter::new(settings.max_memory),
            max_state: settings.max_state,
            grain,
            host,
            epoch: claim.epoch,
            saved: claim.saved,
            receive_timeout: None,
            turn: Turn { origin: Origin::external(now), stop_at: now },
            stale: false,
            typed_targets: HashMap::new(),
        }
    }
}

impl WasiView for GrainState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView { ctx: &mut self.wasi, table: &mut self.table }
    }
}

impl WasiHttpView for GrainState {
    fn http(&mut self) -> WasiHttpCtxView<'_> {
        WasiHttpCtxView { ctx: &mut self.http, table: &mut self.table, hooks: &mut self.grants }
    }
}
