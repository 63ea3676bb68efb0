//! The in-memory peer link: members of one [`MemoryNetwork`] in one process call each other's
//! [`Inbound`] directly. A test can cut the link between two members (messages are refused
//! unsent, as to a dead member) or lose the replies of one (messages run, their outcomes never
//! come back), to script what a real network does.

use super::{Inbound, KindAnnouncement, PeerRequest, Transport, answer, check_module};
use crate::error::CallError;
use crate::ids::{KindName, NodeId, Version};
use std::collections::{HashMap, HashSet};
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Members of one in-process cluster and the state of the links between them.
#[derive(Default)]
pub struct MemoryNetwork {
    members: Mutex<HashMap<SocketAddr, Arc<dyn Inbound>>>,
    cut: Mutex<HashSet<(SocketAddr, SocketAddr)>>,
    replies_lost: Mutex<HashSet<SocketAddr>>,
    next_host: AtomicU32,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl MemoryNetwork {
    /// A transport at a new address on this network.
    pub fn transport(self: &Arc<Self>) -> MemoryTransport {
        let host = self.next_host.fetch_add(1, Ordering::Relaxed) + 1;
        let local = SocketAddr::from((Ipv4Addr::from(0x0a00_0000 + host), 7071));
        MemoryTransport { network: Arc::clone(self), local, tasks: TaskTracker::new(), stop: CancellationToken::new() }
    }

    /// Cuts the link between `a` and `b` both ways: messages between them are refused unsent.
    pub fn cut(&self, a: SocketAddr, b: SocketAddr) {
        let mut cut = lock(&self.cut);
        cut.insert((a, b));
        cut.insert((b, a));
    }

    /// From now on, messages sent to `peer` run there but their outcomes are lost on the way
    /// back, as when a link breaks after sending.
    pub fn lose_replies_from(&self, peer: SocketAddr) {
        lock(&self.replies_lost).insert(peer);
    }

    fn inbound(&self, from: SocketAddr, to: SocketAddr) -> Result<Arc<dyn Inbound>, String> {
        if lock(&self.cut).contains(&(from, to)) {
            return Err(format!("the link from {from} to {to} is cut"));
        }
        lock(&self.members).get(&to).cloned().ok_or_else(|| format!("nobody serves at {to}"))
    }
}

/// One member's end of a [`MemoryNetwork`].
pub struct MemoryTransport {
    network: Arc<MemoryNetwork>,
    local: SocketAddr,
    tasks: TaskTracker,
    stop: CancellationToken,
}

impl MemoryTransport {
    fn peer(&self, peer: SocketAddr) -> anyhow::Result<Arc<dyn Inbound>> {
        anyhow::ensure!(!self.stop.is_cancelled(), "the transport is stopped");
        self.network.inbound(self.local, peer).map_err(anyhow::Error::msg)
    }
}

#[async_trait::async_trait]
impl Transport for MemoryTransport {
    fn serve(&self, inbound: Arc<dyn Inbound>) -> anyhow::Result<()> {
        lock(&self.network.members).insert(self.local, inbound);
        Ok(())
    }

    fn local_address(&self) -> SocketAddr {
        self.local
    }

    fn authenticates(&self) -> bool {
        false
    }

    async fn verify(&self, peer: SocketAddr, id: &NodeId) -> anyhow::Result<()> {
        let member = self.peer(peer)?.member();
        anyhow::ensure!(&member == id, "it answers as member {member}, not {id}");
        Ok(())
    }

    async fn request(&self, peer: SocketAddr, request: PeerRequest) -> Result<Vec<u8>, CallError> {
        let inbound = self.peer(peer).map_err(|why| CallError::NotHere(format!("{why:#}")))?;
        if lock(&self.network.replies_lost).contains(&peer) {
            self.tasks.spawn(async move { answer(inbound.as_ref(), request).await });
            return Err(CallError::MayHaveRun(format!("the link to {peer} broke after the request was sent")));
        }
        let outcome = tokio::select! {
            outcome = answer(inbound.as_ref(), request) => outcome,
            () = self.stop.cancelled() => Err(CallError::MayHaveRun("this node stopped its links".into())),
        };
        outcome
    }

    async fn announce_kind(&self, peer: SocketAddr, announcement: &KindAnnouncement) -> anyhow::Result<bool> {
        self.peer(peer)?.announce_kind(announcement.clone()).await
    }

    async fn fetch_module(&self, peer: SocketAddr, version: &Version, limit: usize) -> anyhow::Result<Vec<u8>> {
        let bytes =
            self.peer(peer)?.module(version).ok_or_else(|| anyhow::anyhow!("{peer} has no module {version}"))?;
        anyhow::ensure!(bytes.len() <= limit, "module over the limit of {limit} bytes");
        check_module(peer, version, bytes)
    }

    async fn remove_kind(&self, peer: SocketAddr, name: &KindName) -> anyhow::Result<()> {
        self.peer(peer)?.remove_kind(name).await
    }

    async fn grain_counts(&self, peer: SocketAddr) -> anyhow::Result<HashMap<String, u64>> {
        Ok(self.peer(peer)?.grain_counts())
    }

    async fn catalog(&self, peer: SocketAddr) -> anyhow::Result<HashMap<KindName, Version>> {
        Ok(self.peer(peer)?.catalog())
    }

    fn forget(&self, _peer: SocketAddr) {}

    async fn shutdown(&self) {
        lock(&self.network.members).remove(&self.local);
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}
