//! Kinds are cluster-wide: a push or rollback made through any node is announced to every
//! other member that is up (name, version = content hash, settings), which fetch the module
//! from the announcer only if they do not hold that version; a removal is replayed. A member
//! that comes up later is announced every kind by each member that holds them.
//! Replayed removals carry a marker so they are not replayed again.

use super::ApiContext;
use super::convert;
use super::proto::kinds_client::KindsClient;
use super::proto::remote_client::RemoteClient;
use super::proto::{FetchModuleRequest, KindAnnouncement, RemoveKindRequest};
use crate::cluster::{ClusterView, MemberStatus};
use crate::ids::NodeId;
use crate::runtime::KindCompiler;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tonic::Request;
use tonic::transport::Channel;

/// Metadata on a replayed admin request.
const REPLAYED: &str = "x-granary-replayed";
/// Module bytes go to peers in chunks of this size.
pub const CHUNK: usize = 256 * 1024;
/// A peer may take this long to compile a replayed kind (a Python or JS kind takes ~10-30 s).
const REPLAY_TIMEOUT: Duration = Duration::from_secs(600);

/// Whether `request` is a replay from a peer (and so must not be replayed again).
pub fn is_replay<T>(request: &Request<T>) -> bool {
    request.metadata().contains_key(REPLAYED)
}

/// What to replay on peers. A rollback is replayed as a push of the version now current, so
/// every member ends on the same version whatever history it has.
#[derive(Clone)]
pub enum Change {
    Push { name: String },
    Remove { name: String },
}

/// Replays `change` on every other member that is up, in the background; failures are
/// logged (the member gets the kind again when it next comes up).
pub fn to_peers(api: &ApiContext, change: Change) {
    let peers: Vec<NodeId> = others_up(&api.node.cluster().view(), api.node.cluster().local_id());
    for peer in peers {
        let (api, change) = (api.clone(), change.clone());
        tokio::spawn(async move {
            if let Err(e) = replay(&api, &peer, &change).await {
                tracing::warn!(%peer, "cannot replay a kind change on a peer: {e:#}");
            }
        });
    }
}

/// Announces every kind this node holds to each member that comes up, so a member that
/// missed a push (not yet up, or down at the time) catches up; it fetches a module only once.
/// Runs until the node stops.
pub async fn seed_newcomers(api: ApiContext) {
    let cluster = Arc::clone(api.node.cluster());
    let mut views = cluster.subscribe();
    let mut up: BTreeSet<NodeId> = views.borrow_and_update().up().map(|m| m.id.clone()).collect();
    while views.changed().await.is_ok() {
        let view = Arc::clone(&views.borrow_and_update());
        let now_up: BTreeSet<NodeId> = view.up().map(|m| m.id.clone()).collect();
        // A member that has just come up itself may hold stale kinds: it only listens.
        if up.contains(cluster.local_id()) && now_up.contains(cluster.local_id()) {
            for newcomer in now_up.difference(&up).filter(|id| *id != cluster.local_id()) {
                for kind in api.node.kinds().list() {
                    let change = Change::Push { name: kind.name.clone() };
                    if let Err(e) = replay(&api, newcomer, &change).await {
                        tracing::warn!(peer = %newcomer, kind = kind.name, "cannot give a kind to a new member: {e:#}");
                    }
                }
            }
        }
        up = now_up;
    }
}

fn others_up(view: &ClusterView, local: &NodeId) -> Vec<NodeId> {
    view.members.iter().filter(|m| m.status == MemberStatus::Up && &m.id != local).map(|m| m.id.clone()).collect()
}

fn request<T>(api: &ApiContext, message: T) -> anyhow::Result<Request<T>> {
    let mut request = Request::new(message);
    request.set_timeout(REPLAY_TIMEOUT);
    request.metadata_mut().insert(REPLAYED, "1".parse()?);
    if let Some(token) = &api.tokens.admin {
        request.metadata_mut().insert("authorization", format!("Bearer {token}").parse()?);
    }
    Ok(request)
}

async fn replay(api: &ApiContext, peer: &NodeId, change: &Change) -> anyhow::Result<()> {
    let channel = Channel::from_shared(format!("http://{peer}"))?.connect().await?;
    match change {
        Change::Push { name } => {
            let Some(kind) = api.node.kinds().get(name) else { return Ok(()) };
            let announcement = KindAnnouncement {
                name: name.clone(),
                version: kind.version().to_string(),
                settings: Some(convert::settings(kind.settings())),
                source: api.node.cluster().local_id().0.clone(),
            };
            let reply = RemoteClient::new(channel).announce_kind(request(api, announcement)?).await?.into_inner();
            tracing::debug!(%peer, kind = name, fetched = reply.fetched, "kind announced");
        }
        Change::Remove { name } => {
            KindsClient::new(channel).remove_kind(request(api, RemoveKindRequest { name: name.clone() })?).await?;
        }
    }
    Ok(())
}

/// The module `version` from `source`, checked against its content hash.
pub async fn fetch_module(api: &ApiContext, source: &NodeId, version: &str) -> anyhow::Result<Vec<u8>> {
    let channel = Channel::from_shared(format!("http://{source}"))?.connect().await?;
    let mut remote = RemoteClient::new(channel);
    let mut chunks =
        remote.fetch_module(request(api, FetchModuleRequest { version: version.to_string() })?).await?.into_inner();
    let limit = api.node.config().max_module_bytes;
    let mut bytes = Vec::new();
    while let Some(chunk) = chunks.message().await? {
        anyhow::ensure!(bytes.len() + chunk.data.len() <= limit, "module over the limit of {limit} bytes");
        bytes.extend_from_slice(&chunk.data);
    }
    let fetched = KindCompiler::version_of(&bytes);
    anyhow::ensure!(fetched == version, "{source} sent a module whose sha256 is {fetched}, not {version}");
    Ok(bytes)
}
