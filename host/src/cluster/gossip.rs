//! `gossip`: membership by the chitchat crate (scuttlebutt gossip over UDP with seed nodes and
//! phi-accrual failure detection). It gossips on the UDP port of the same number as the
//! node's public gRPC port, so `--seeds` takes other nodes' `--listen` addresses. Each member
//! gossips one value, its [`Announcement`] as JSON. A member cut off with a minority of the
//! cluster marks itself down (see `quorum`).

use super::member::{Announcement, ClusterView, Member, MemberStatus};
use super::membership::{LocalMember, Membership, Provider};
use super::quorum;
use crate::ids::NodeId;
use anyhow::Context;
use chitchat::transport::Transport;
use chitchat::{ChitchatConfig, ChitchatHandle, ChitchatId, FailureDetectorConfig, NodeState};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// The gossip key of a member's announcement.
const ANNOUNCEMENT_KEY: &str = "member";
/// How long a member with seeds waits to hear from one before it goes on alone.
const SEED_WAIT: Duration = Duration::from_secs(5);

/// How the gossip provider is set up.
pub struct GossipSettings {
    /// The cluster's name: only members of the same cluster gossip together.
    pub cluster: String,
    /// UDP address to gossip on.
    pub listen: SocketAddr,
    /// The address peers gossip to.
    pub advertise: SocketAddr,
    /// Members to join through: `host:port`, DNS names resolving to several addresses included.
    pub seeds: Vec<String>,
    /// How often gossip runs; failure detection takes a few intervals.
    pub gossip_interval: Duration,
}

/// Membership by gossip.
pub struct GossipMembership {
    local: LocalMember,
    handle: tokio::sync::Mutex<Option<ChitchatHandle>>,
    chitchat: Arc<tokio::sync::Mutex<chitchat::Chitchat>>,
    view: watch::Sender<Arc<ClusterView>>,
    follower: tokio::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
    stop: CancellationToken,
}

impl GossipMembership {
    /// Starts gossiping as `local` (`Joining`) over `transport`, and waits up to a few
    /// seconds to hear from a seed.
    pub async fn start(
        local: LocalMember,
        settings: GossipSettings,
        transport: &dyn Transport,
    ) -> anyhow::Result<Self> {
        // A restarted node is a new generation, so peers forget what the old one announced.
        let generation = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis() as u64);
        let chitchat_id = ChitchatId::new(local.id.0.clone(), generation, settings.advertise);
        let config = ChitchatConfig {
            chitchat_id,
            cluster_id: settings.cluster,
            gossip_interval: settings.gossip_interval,
            listen_addr: settings.listen,
            seed_nodes: settings.seeds.clone(),
            failure_detector_config: FailureDetectorConfig {
                initial_interval: settings.gossip_interval,
                dead_node_grace_period: Duration::from_secs(24 * 3600),
                ..FailureDetectorConfig::default()
            },
            marked_for_deletion_grace_period: Duration::from_secs(3600),
            catchup_callback: None,
            extra_liveness_predicate: None,
            protocol_version: chitchat::ProtocolVersion::V0,
        };
        let initial = vec![(ANNOUNCEMENT_KEY.to_string(), to_json(&local.announcement(MemberStatus::Joining)))];
        let handle = chitchat::spawn_chitchat(config, initial, transport)
            .await
            .with_context(|| format!("cannot gossip on udp://{}", settings.listen))?;
        let chitchat = handle.chitchat();
        let mut live = chitchat.lock().await.live_nodes_watcher();
        if !settings.seeds.is_empty() {
            // A member that announced itself before hearing from the cluster would own every
            // grain for a moment; a lone first member has nobody to hear from.
            let heard = tokio::time::timeout(SEED_WAIT, live.wait_for(|nodes| nodes.len() > 1)).await;
            if !heard.is_ok_and(|seen| seen.is_ok()) {
                tracing::warn!(seeds = ?settings.seeds, "no seed answered within {SEED_WAIT:?}; starting alone");
            }
        }
        let (view, _) = watch::channel(Arc::new(ClusterView::default()));
        let stop = CancellationToken::new();
        let follower = tokio::spawn(follow(local.id.clone(), live, view.clone(), stop.clone()));
        Ok(GossipMembership {
            local,
            handle: tokio::sync::Mutex::new(Some(handle)),
            chitchat,
            view,
            follower: tokio::sync::Mutex::new(Some(follower)),
            stop,
        })
    }
}

impl GossipMembership {
    /// Starts gossiping over UDP on `settings.listen`.
    pub async fn start_udp(local: LocalMember, settings: GossipSettings) -> anyhow::Result<Self> {
        GossipMembership::start(local, settings, &chitchat::transport::UdpTransport).await
    }
}

fn to_json(announcement: &Announcement) -> String {
    serde_json::to_string(announcement).expect("an announcement serializes")
}

/// Turns chitchat's live-node map into views: a member that stops being live is `Down` (or
/// has left, if it said it was leaving), and on the minority side this member is `Down` too.
async fn follow(
    local: NodeId,
    mut live: watch::Receiver<BTreeMap<ChitchatId, NodeState>>,
    view: watch::Sender<Arc<ClusterView>>,
    stop: CancellationToken,
) {
    let mut known: BTreeMap<String, Member> = BTreeMap::new();
    let mut left = BTreeSet::new();
    loop {
        let nodes = live.borrow_and_update().clone();
        let alive: BTreeMap<String, Member> = nodes
            .iter()
            .filter_map(|(id, state)| member_of(id, state))
            .map(|member| (member.id.0.clone(), member))
            .collect();
        for member in known.values_mut().filter(|member| !alive.contains_key(&member.id.0)) {
            if member.status == MemberStatus::Leaving {
                left.insert(member.id.0.clone());
            }
            member.status = MemberStatus::Down;
        }
        left.retain(|id| !alive.contains_key(id));
        known.extend(alive);
        let members: Vec<Member> = known.values().cloned().collect();
        let members = if quorum::holds(&members, &left, &local) {
            members
        } else {
            tracing::warn!("this member reaches only a minority of the cluster: it hosts nothing until that heals");
            quorum::fenced(members, &local)
        };
        view.send_replace(Arc::new(ClusterView::new(members)));
        tokio::select! {
            changed = live.changed() => if changed.is_err() { return },
            () = stop.cancelled() => return,
        }
    }
}

/// The member a node's gossiped state announces, if it announced one this version reads.
fn member_of(id: &ChitchatId, state: &NodeState) -> Option<Member> {
    let text = state.get(ANNOUNCEMENT_KEY)?;
    match serde_json::from_str::<Announcement>(text) {
        Ok(announcement) => Some(Member::announced(NodeId(id.node_id.to_string()), announcement)),
        Err(e) => {
            tracing::warn!(member = %id.node_id, "ignoring a member whose announcement is unreadable: {e}");
            None
        }
    }
}

#[async_trait::async_trait]
impl Membership for GossipMembership {
    fn provider(&self) -> Provider {
        Provider::Gossip
    }

    fn subscribe(&self) -> watch::Receiver<Arc<ClusterView>> {
        self.view.subscribe()
    }

    async fn set_status(&self, status: MemberStatus) -> anyhow::Result<()> {
        self.chitchat.lock().await.self_node_state().set(ANNOUNCEMENT_KEY, to_json(&self.local.announcement(status)));
        Ok(())
    }

    async fn stop(&self) {
        if let Some(handle) = self.handle.lock().await.take()
            && let Err(e) = handle.shutdown().await
        {
            tracing::warn!("gossip did not stop cleanly: {e:#}");
        }
        self.stop.cancel();
        if let Some(follower) = self.follower.lock().await.take()
            && let Err(e) = follower.await
        {
            tracing::warn!("the gossip follower failed: {e}");
        }
    }
}
