//! The peer link: how members send each other messages for grains and kind changes. A trait
//! with two implementations under one test suite: tonic over the peer port (mutual TLS or the
//! cluster secret), and an in-memory network for tests in one process.

mod auth;
mod link;
mod memory;
mod server;
mod tonic_transport;
mod wire;

pub use auth::{PeerSecurity, TlsFiles, constant_time_eq};
pub use memory::{MemoryNetwork, MemoryTransport};
pub use tonic_transport::TonicTransport;

use crate::config::KindSettings;
use crate::error::CallError;
use crate::ids::{GrainId, KindName, NodeId, Version};
use crate::message::{Envelope, Origin};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::oneshot;

/// A message for a grain the receiving member owns.
#[derive(Debug)]
pub struct PeerRequest {
    /// The grain.
    pub grain: GrainId,
    /// The method to run.
    pub method: String,
    /// Its argument bytes.
    pub payload: Vec<u8>,
    /// The call chain and deadline.
    pub origin: Origin,
    /// A one-way message: the outcome comes once it is queued, with an empty payload.
    pub one_way: bool,
}

/// A kind's new current version, announced to a member.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindAnnouncement {
    /// The kind.
    pub name: KindName,
    /// Its version, the module's sha256.
    pub version: Version,
    /// Its settings.
    pub settings: KindSettings,
    /// The announcer's peer address, to fetch the module from.
    pub source: SocketAddr,
}

/// What a member does with what its peers send it.
#[async_trait::async_trait]
pub trait Inbound: Send + Sync + 'static {
    /// The member's name, as it answers `Hello`.
    fn member(&self) -> NodeId;

    /// Delivers a message a peer sent because it believes this member owns `target`; refused
    /// with `NotHere` when this member's view disagrees, so it is never passed on.
    async fn deliver(&self, target: &GrainId, envelope: Envelope) -> Result<(), CallError>;

    /// Installs an announced kind version, fetching its module from the announcer only if it
    /// is not held here; returns whether it fetched.
    async fn announce_kind(&self, announcement: KindAnnouncement) -> anyhow::Result<bool>;

    /// The module bytes of `version`, if held here.
    fn module(&self, version: &Version) -> Option<Vec<u8>>;

    /// Removes a kind removed through another member.
    async fn remove_kind(&self, name: &KindName) -> anyhow::Result<()>;

    /// Live grains per kind on this member.
    fn grain_counts(&self) -> HashMap<String, u64>;

    /// Every kind held here, at its current version.
    fn catalog(&self) -> HashMap<KindName, Version>;
}

/// The link between members, both ways.
#[async_trait::async_trait]
pub trait Transport: Send + Sync + 'static {
    /// Starts answering peers with `inbound`, until [`Transport::shutdown`].
    fn serve(&self, inbound: Arc<dyn Inbound>) -> anyhow::Result<()>;

    /// Where peers reach this member.
    fn local_address(&self) -> SocketAddr;

    /// Whether members prove who they are (mutual TLS, the cluster secret): then a member
    /// counts another only once [`Transport::verify`] succeeded.
    fn authenticates(&self) -> bool;

    /// Checks that the member at `peer` is the member `id`, holding this cluster's credentials.
    async fn verify(&self, peer: SocketAddr, id: &NodeId) -> anyhow::Result<()>;

    /// Sends one message to the grain's owner at `peer` and waits for its outcome until the
    /// deadline. `NotHere` when it was not delivered (the peer does not own the grain, or the
    /// message never left); `MayHaveRun` when the link broke after sending it.
    async fn request(&self, peer: SocketAddr, request: PeerRequest) -> Result<Vec<u8>, CallError>;

    /// Announces a kind version to `peer`; returns whether it had to fetch the module.
    async fn announce_kind(&self, peer: SocketAddr, announcement: &KindAnnouncement) -> anyhow::Result<bool>;

    /// The module `version` from `peer`, at most `limit` bytes, checked against its hash.
    async fn fetch_module(&self, peer: SocketAddr, version: &Version, limit: usize) -> anyhow::Result<Vec<u8>>;

    /// Removes kind `name` on `peer`.
    async fn remove_kind(&self, peer: SocketAddr, name: &KindName) -> anyhow::Result<()>;

    /// Live grains per kind on `peer`.
    async fn grain_counts(&self, peer: SocketAddr) -> anyhow::Result<HashMap<String, u64>>;

    /// Every kind `peer` holds, at its current version.
    async fn catalog(&self, peer: SocketAddr) -> anyhow::Result<HashMap<KindName, Version>>;

    /// Drops the link to a member that left or died, failing what it carried.
    fn forget(&self, peer: SocketAddr);

    /// Stops serving (ending peers' streams) and closes every link; awaits every task.
    async fn shutdown(&self);
}

/// Runs a peer's request through `inbound` and waits for the grain's outcome: what the
/// receiving side of every transport does with one request.
pub async fn answer(inbound: &dyn Inbound, request: PeerRequest) -> Result<Vec<u8>, CallError> {
    let PeerRequest { grain, method, payload, origin, one_way } = request;
    if one_way {
        let envelope = Envelope { method, payload, origin, reply: None };
        return inbound.deliver(&grain, envelope).await.map(|()| Vec::new());
    }
    let deadline = origin.deadline;
    let (reply, outcome) = oneshot::channel();
    inbound.deliver(&grain, Envelope { method, payload, origin, reply: Some(reply) }).await?;
    match tokio::time::timeout_at(deadline, outcome).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) => Err(CallError::MayHaveRun(format!("{grain} stopped before replying"))),
        Err(_) => Err(CallError::Timeout),
    }
}

/// Checks fetched module bytes against the version they were asked for.
pub fn check_module(peer: SocketAddr, version: &Version, bytes: Vec<u8>) -> anyhow::Result<Vec<u8>> {
    let fetched = Version::of(&bytes);
    anyhow::ensure!(&fetched == version, "{peer} sent a module whose sha256 is {fetched}, not {version}");
    Ok(bytes)
}
