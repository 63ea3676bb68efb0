//! `etcd`: membership kept in etcd. Each member's key lives under a lease that this node keeps
//! alive, so the key vanishes when the node dies (after the lease's TTL) or stops (at once,
//! by revoking the lease); every member watches the keys to build its view.

use super::etcd_view::{self, Announcement};
use super::member::{ClusterView, MemberStatus};
use super::membership::{LocalMember, Membership};
use anyhow::Context;
use etcd_client::{Client, ConnectOptions, PutOptions};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a dead node's key outlives it: the time peers take to see it go down.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(3);
/// How long to wait for etcd while starting, so an unreachable etcd fails fast.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(5);

/// How the etcd provider is set up.
pub struct EtcdSettings {
    pub cluster: String,
    /// etcd client URLs, e.g. `http://127.0.0.1:2379`.
    pub endpoints: Vec<String>,
    /// The member key's lease TTL (whole seconds; etcd rounds up to its own minimum).
    pub lease_ttl: Duration,
}

impl EtcdSettings {
    pub fn new(cluster: String, endpoints: Vec<String>) -> Self {
        EtcdSettings { cluster, endpoints, lease_ttl: DEFAULT_LEASE_TTL }
    }
}

pub struct EtcdMembership {
    client: Client,
    key: String,
    lease: i64,
    local: LocalMember,
    view: watch::Sender<Arc<ClusterView>>,
    keep_alive: JoinHandle<()>,
    follower: JoinHandle<()>,
}

impl EtcdMembership {
    /// Registers this node as `Joining` under a fresh lease and starts following the members.
    pub async fn start(local: LocalMember, settings: EtcdSettings) -> anyhow::Result<Self> {
        let endpoints = settings.endpoints.join(",");
        let ttl = i64::try_from(settings.lease_ttl.as_secs().max(1)).context("lease TTL too long")?;
        let prefix = format!("/granary/{}/members/", settings.cluster);
        let key = format!("{prefix}{}", local.id.0);
        let startup = async {
            let options = ConnectOptions::new().with_connect_timeout(STARTUP_TIMEOUT);
            let mut client = Client::connect(&settings.endpoints, Some(options)).await?;
            let lease = client.lease_grant(ttl, None).await?.id();
            let announcement = Announcement::of(&local, MemberStatus::Joining).to_json();
            client.put(key.as_str(), announcement, Some(PutOptions::new().with_lease(lease))).await?;
            let (members, revision) = etcd_view::snapshot(&mut client, &prefix).await?;
            anyhow::Ok((client, lease, members, revision))
        };
        let (client, lease, members, revision) = tokio::time::timeout(STARTUP_TIMEOUT, startup)
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {STARTUP_TIMEOUT:?}"))
            .and_then(|started| started)
            .with_context(|| format!("cannot register with etcd at {endpoints}"))?;
        let (view, _) = watch::channel(Arc::new(etcd_view::view_of(&members)));
        let keep_alive = tokio::spawn(keep_lease_alive(client.clone(), lease, settings.lease_ttl / 3));
        let follower = tokio::spawn(etcd_view::follow(client.clone(), prefix, members, revision, view.clone()));
        Ok(EtcdMembership { client, key, lease, local, view, keep_alive, follower })
    }
}

/// Renews the lease every `interval`, reconnecting when the stream breaks. If etcd reports
/// the lease gone, this node has dropped out of every view, which only a restart repairs, so
/// it says so loudly.
async fn keep_lease_alive(mut client: Client, lease: i64, interval: Duration) {
    loop {
        match renew_while_connected(&mut client, lease, interval).await {
            Ok(()) => {
                tracing::error!("the etcd lease expired: peers now see this node as down");
                return;
            }
            Err(e) => tracing::warn!("cannot renew the etcd lease, retrying: {e:#}"),
        }
        tokio::time::sleep(interval).await;
    }
}

/// Renews every `interval` until the stream breaks (an error) or the lease is gone (`Ok`).
async fn renew_while_connected(client: &mut Client, lease: i64, interval: Duration) -> anyhow::Result<()> {
    let (mut keeper, mut responses) = client.lease_keep_alive(lease).await?;
    loop {
        keeper.keep_alive().await?;
        let response = responses.message().await?.context("etcd closed the keep-alive stream")?;
        if response.ttl() <= 0 {
            return Ok(());
        }
        tokio::time::sleep(interval).await;
    }
}

#[async_trait::async_trait]
impl Membership for EtcdMembership {
    fn subscribe(&self) -> watch::Receiver<Arc<ClusterView>> {
        self.view.subscribe()
    }

    async fn set_status(&self, status: MemberStatus) -> anyhow::Result<()> {
        let announcement = Announcement::of(&self.local, status).to_json();
        let options = PutOptions::new().with_lease(self.lease);
        self.client.clone().put(self.key.as_str(), announcement, Some(options)).await?;
        Ok(())
    }

    async fn stop(&self) {
        self.keep_alive.abort();
        // Revoking deletes the key now, rather than when the lease runs out.
        if let Err(e) = self.client.clone().lease_revoke(self.lease).await {
            tracing::warn!("cannot revoke the etcd lease (peers see this node down when it expires): {e}");
        }
        self.follower.abort();
    }
}
