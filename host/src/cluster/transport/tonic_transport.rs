//! The real peer link: gRPC (`granary.cluster.v1`) over the peer port, mutual TLS or the
//! cluster secret required both ways. It owns its server, its links and every task they
//! start; `shutdown` ends them all and awaits them.

use super::auth::PeerSecurity;
use super::link::{Links, client, endpoint};
use super::wire::to_announcement;
use super::{Inbound, KindAnnouncement, PeerRequest, Transport, check_module, server};
use crate::error::CallError;
use crate::ids::{KindName, NodeId, Version};
use crate::proto::cluster as wire;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// A peer may take this long to compile an announced kind (a Python or JS kind takes ~10-30 s).
const ANNOUNCE_TIMEOUT: Duration = Duration::from_secs(600);
/// How long a peer may take to answer a short question (grain counts, a removal).
const ASK_TIMEOUT: Duration = Duration::from_secs(5);

/// The tonic transport of one member.
pub struct TonicTransport {
    listener: Mutex<Option<TcpListener>>,
    local: SocketAddr,
    security: PeerSecurity,
    links: Links,
    tasks: TaskTracker,
    stop: CancellationToken,
}

impl TonicTransport {
    /// A transport serving (once [`Transport::serve`] is called) on `listener`, reached by
    /// peers at `advertised`, authenticating with `security`.
    pub fn new(listener: TcpListener, advertised: SocketAddr, security: PeerSecurity) -> Self {
        let tasks = TaskTracker::new();
        let stop = CancellationToken::new();
        let links = Links::new(security.clone(), tasks.clone(), stop.clone());
        TonicTransport { listener: Mutex::new(Some(listener)), local: advertised, security, links, tasks, stop }
    }

    async fn peer(
        &self,
        peer: SocketAddr,
    ) -> anyhow::Result<
        wire::peer_client::PeerClient<
            tonic::service::interceptor::InterceptedService<
                tonic::transport::Channel,
                impl tonic::service::Interceptor + use<>,
            >,
        >,
    > {
        let channel = endpoint(peer, &self.security)?.connect().await?;
        Ok(client(channel, &self.security))
    }
}

fn timed<T>(message: T, timeout: Duration) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.set_timeout(timeout);
    request
}

#[async_trait::async_trait]
impl Transport for TonicTransport {
    fn serve(&self, inbound: Arc<dyn Inbound>) -> anyhow::Result<()> {
        let listener = self
            .listener
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .take()
            .ok_or_else(|| anyhow::anyhow!("the peer port is already served"))?;
        server::spawn(listener, &self.security, inbound, &self.tasks, &self.stop)
    }

    fn local_address(&self) -> SocketAddr {
        self.local
    }

    fn authenticates(&self) -> bool {
        self.security.is_authenticated()
    }

    async fn verify(&self, peer: SocketAddr, id: &NodeId) -> anyhow::Result<()> {
        let mut challenge = [0u8; 32];
        getrandom::getrandom(&mut challenge).map_err(|e| anyhow::anyhow!("no randomness for a challenge: {e}"))?;
        let hello = async {
            // No secret goes to a member not yet known to be one.
            let channel = endpoint(peer, &self.security)?.connect().await?;
            let request = timed(wire::HelloRequest { challenge: challenge.to_vec() }, ASK_TIMEOUT);
            anyhow::Ok(wire::peer_client::PeerClient::new(channel).hello(request).await?.into_inner())
        };
        let reply = tokio::time::timeout(ASK_TIMEOUT, hello)
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {ASK_TIMEOUT:?}"))?
            .map_err(|e| anyhow::anyhow!("{e:#}"))?;
        self.security.check_hello(&challenge, id, &reply.name, &reply.proof)
    }

    async fn request(&self, peer: SocketAddr, request: PeerRequest) -> Result<Vec<u8>, CallError> {
        self.links.request(peer, request).await
    }

    async fn announce_kind(&self, peer: SocketAddr, announcement: &KindAnnouncement) -> anyhow::Result<bool> {
        let request = timed(to_announcement(announcement), ANNOUNCE_TIMEOUT);
        Ok(self.peer(peer).await?.announce_kind(request).await?.into_inner().fetched)
    }

    async fn fetch_module(&self, peer: SocketAddr, version: &Version, limit: usize) -> anyhow::Result<Vec<u8>> {
        let request = timed(wire::FetchModuleRequest { version: version.to_string() }, ANNOUNCE_TIMEOUT);
        let mut chunks = self.peer(peer).await?.fetch_module(request).await?.into_inner();
        let mut bytes = Vec::new();
        while let Some(chunk) = chunks.message().await? {
            anyhow::ensure!(bytes.len() + chunk.data.len() <= limit, "module over the limit of {limit} bytes");
            bytes.extend_from_slice(&chunk.data);
        }
        check_module(peer, version, bytes)
    }

    async fn remove_kind(&self, peer: SocketAddr, name: &KindName) -> anyhow::Result<()> {
        let request = timed(wire::RemoveKindRequest { name: name.to_string() }, ASK_TIMEOUT);
        self.peer(peer).await?.remove_kind(request).await?;
        Ok(())
    }

    async fn grain_counts(&self, peer: SocketAddr) -> anyhow::Result<HashMap<String, u64>> {
        let ask = async {
            let request = timed(wire::GrainCountsRequest {}, ASK_TIMEOUT);
            anyhow::Ok(self.peer(peer).await?.grain_counts(request).await?.into_inner().grains_per_kind)
        };
        tokio::time::timeout(ASK_TIMEOUT, ask).await.map_err(|_| anyhow::anyhow!("no answer within {ASK_TIMEOUT:?}"))?
    }

    async fn catalog(&self, peer: SocketAddr) -> anyhow::Result<HashMap<KindName, Version>> {
        let ask = async {
            let request = timed(wire::CatalogRequest {}, ASK_TIMEOUT);
            anyhow::Ok(self.peer(peer).await?.catalog(request).await?.into_inner().versions)
        };
        let versions = tokio::time::timeout(ASK_TIMEOUT, ask)
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {ASK_TIMEOUT:?}"))??;
        versions.into_iter().map(|(name, version)| anyhow::Ok((name.parse()?, version.parse()?))).collect()
    }

    fn forget(&self, peer: SocketAddr) {
        self.links.forget(peer);
    }

    async fn shutdown(&self) {
        self.links.close_all();
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }
}
