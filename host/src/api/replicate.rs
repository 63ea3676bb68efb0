//! Kinds are cluster-wide: a push, rollback or removal made through any node is replayed on
//! every other member that is up, and a member that comes up later is given every kind by
//! the lowest-id member that already has them. Replayed requests carry a marker so they are
//! not replayed again.

use super::ApiContext;
use super::convert;
use super::proto::kinds_client::KindsClient;
use super::proto::push_kind_chunk::Part;
use super::proto::{KindHeader, PushKindChunk, RemoveKindRequest};
use crate::cluster::{ClusterView, MemberStatus};
use crate::ids::NodeId;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tonic::Request;
use tonic::transport::Channel;

/// Metadata on a replayed admin request.
const REPLAYED: &str = "x-granary-replayed";
const CHUNK: usize = 256 * 1024;
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

/// Gives every kind to members as they come up, when this node is the lowest-id member up
/// before them. Runs until the node stops.
pub async fn seed_newcomers(api: ApiContext) {
    let cluster = Arc::clone(api.node.cluster());
    let mut views = cluster.subscribe();
    let mut up: BTreeSet<NodeId> = views.borrow_and_update().up().map(|m| m.id.clone()).collect();
    while views.changed().await.is_ok() {
        let view = Arc::clone(&views.borrow_and_update());
        let now_up: BTreeSet<NodeId> = view.up().map(|m| m.id.clone()).collect();
        let newcomers: Vec<&NodeId> = now_up.difference(&up).filter(|id| *id != cluster.local_id()).collect();
        let seeder = up.iter().find(|id| now_up.contains(*id));
        if seeder == Some(cluster.local_id()) {
            for newcomer in newcomers {
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
    let mut kinds = KindsClient::new(channel).max_decoding_message_size(usize::MAX);
    match change {
        Change::Push { name } => {
            let Some(kind) = api.node.kinds().get(name) else { return Ok(()) };
            let bytes = api.node.kinds().module(kind.version())?;
            let header = KindHeader {
                name: name.clone(),
                settings: Some(convert::settings(kind.settings())),
                total_bytes: bytes.len() as u64,
            };
            let chunks: Vec<PushKindChunk> = std::iter::once(PushKindChunk { part: Some(Part::Header(header)) })
                .chain(bytes.chunks(CHUNK).map(|chunk| PushKindChunk { part: Some(Part::Data(chunk.to_vec())) }))
                .collect();
            kinds.push_kind(request(api, tokio_stream::iter(chunks))?).await?;
        }
        Change::Remove { name } => {
            kinds.remove_kind(request(api, RemoveKindRequest { name: name.clone() })?).await?;
        }
    }
    Ok(())
}
