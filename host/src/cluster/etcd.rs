//! `etcd`: membership kept in etcd. Each member's key lives under a lease that this node keeps
//! alive, so the key vanishes when the node dies (after the lease's TTL) or stops (at once,
//! by revoking the lease); every member watches the keys to build its view. A node that loses
//! its lease fences itself and registers again.

use super::etcd_view;
use super::member::{ClusterView, MemberStatus};
use super::membership::{LocalMember, Membership, Provider};
use anyhow::Context;
use etcd_client::{Client, ConnectOptions, LeaseKeepAliveStream, LeaseKeeper, PutOptions};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// How long a dead node's key outlives it: the time peers take to see it go down.
pub const DEFAULT_LEASE_TTL: Duration = Duration::from_secs(3);
/// How long to wait for etcd while starting, so an unreachable etcd fails fast.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(5);

/// How the etcd provider is set up.
pub struct EtcdSettings {
    /// The cluster's name: its members register under `/granary/<cluster>/members/`.
    pub cluster: String,
    /// etcd client URLs, e.g. `http://127.0.0.1:2379`.
    pub endpoints: Vec<String>,
    /// The member key's lease TTL (whole seconds; etcd rounds up to its own minimum).
    pub lease_ttl: Duration,
}

impl EtcdSettings {
    /// Settings for `cluster` at `endpoints`, with the default lease TTL.
    pub fn new(cluster: String, endpoints: Vec<String>) -> Self {
        EtcdSettings { cluster, endpoints, lease_ttl: DEFAULT_LEASE_TTL }
    }
}

/// Membership registered in etcd.
pub struct EtcdMembership {
    registration: Arc<Registration>,
    view: watch::Sender<Arc<ClusterView>>,
    tasks: tokio::sync::Mutex<Vec<JoinHandle<()>>>,
    stop: CancellationToken,
}

/// This node's key in etcd: the lease it lives under and the status it announces.
struct Registration {
    client: Client,
    key: String,
    local: LocalMember,
    ttl: Duration,
    lease: AtomicI64,
    status: Mutex<MemberStatus>,
}

impl Registration {
    /// Puts the key, with the status last announced, under a fresh lease.
    async fn register(&self) -> anyhow::Result<()> {
        let ttl = i64::try_from(self.ttl.as_secs().max(1)).unwrap_or(i64::MAX);
        let lease = self.client.clone().lease_grant(ttl, None).await?.id();
        self.lease.store(lease, Ordering::SeqCst);
        self.put().await
    }

    async fn announce(&self, status: MemberStatus) -> anyhow::Result<()> {
        *self.status.lock().expect("status lock") = status;
        self.put().await
    }

    async fn put(&self) -> anyhow::Result<()> {
        let status = *self.status.lock().expect("status lock");
        let announcement = serde_json::to_string(&self.local.announcement(status))?;
        let options = PutOptions::new().with_lease(self.lease.load(Ordering::SeqCst));
        self.client.clone().put(self.key.as_str(), announcement, Some(options)).await?;
        Ok(())
    }
}

impl EtcdMembership {
    /// Registers this node as `Joining` under a fresh lease and starts following the members.
    pub async fn start(local: LocalMember, settings: EtcdSettings) -> anyhow::Result<Self> {
        let endpoints = settings.endpoints.join(",");
        let prefix = format!("/granary/{}/members/", settings.cluster);
        let key = format!("{prefix}{}", local.id.0);
        let local_id = local.id.clone();
        let startup = async {
            let options = ConnectOptions::new().with_connect_timeout(STARTUP_TIMEOUT);
            let mut client = Client::connect(&settings.endpoints, Some(options)).await?;
            let registration = Registration {
                client: client.clone(),
                key,
                local,
                ttl: settings.lease_ttl,
                lease: AtomicI64::new(0),
                status: Mutex::new(MemberStatus::Joining),
            };
            registration.register().await?;
            let (members, revision) = etcd_view::snapshot(&mut client, &prefix).await?;
            anyhow::Ok((registration, members, revision))
        };
        let (registration, members, revision) = tokio::time::timeout(STARTUP_TIMEOUT, startup)
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {STARTUP_TIMEOUT:?}"))
            .and_then(|started| started)
            .with_context(|| format!("cannot register with etcd at {endpoints}"))?;
        let registration = Arc::new(registration);
        let (fence, fenced) = watch::channel(false);
        let (view, _) = watch::channel(Arc::new(etcd_view::view_of(&members)));
        let stop = CancellationToken::new();
        let keep_alive = tokio::spawn(keep_registered(Arc::clone(&registration), fence, stop.clone()));
        let following = etcd_view::Following { prefix, local: local_id, fenced, view: view.clone() };
        let follower =
            tokio::spawn(etcd_view::follow(registration.client.clone(), following, members, revision, stop.clone()));
        Ok(EtcdMembership { registration, view, tasks: tokio::sync::Mutex::new(vec![keep_alive, follower]), stop })
    }
}

/// Keeps this node's key alive. When renewals stop getting through for nearly the lease's
/// TTL, peers are about to see this node down and take its grains, so it fences itself
/// (hosts nothing) first; once etcd answers again it registers anew under a fresh lease.
async fn keep_registered(registration: Arc<Registration>, fence: watch::Sender<bool>, stop: CancellationToken) {
    let interval = registration.ttl / 3;
    let mut renewing = None;
    let mut last_renewed = Instant::now();
    loop {
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            () = stop.cancelled() => return,
        }
        let lease = registration.lease.load(Ordering::SeqCst);
        match tokio::time::timeout(interval, renew(&registration.client, lease, &mut renewing)).await {
            Ok(Ok(true)) => {
                last_renewed = Instant::now();
                fence.send_if_modified(|fenced| std::mem::replace(fenced, false));
            }
            Ok(Ok(false)) => {
                fence.send_replace(true);
                renewing = None;
                match registration.register().await {
                    Ok(()) => {
                        tracing::info!("registered with etcd again under a fresh lease");
                        last_renewed = Instant::now();
                        fence.send_replace(false);
                    }
                    Err(e) => tracing::warn!("the etcd lease expired and registering again failed: {e}"),
                }
            }
            Ok(Err(e)) => {
                renewing = None;
                tracing::warn!("cannot renew the etcd lease, retrying: {e:#}");
            }
            Err(_) => renewing = None,
        }
        if last_renewed.elapsed() + interval >= registration.ttl && !*fence.borrow() {
            tracing::error!(
                "etcd has not renewed this node's lease for {:?}: hosting nothing until it does",
                last_renewed.elapsed()
            );
            fence.send_replace(true);
        }
    }
}

/// One renewal over the open keep-alive stream (opened first if need be): whether the lease
/// is still alive.
async fn renew(
    client: &Client,
    lease: i64,
    renewing: &mut Option<(LeaseKeeper, LeaseKeepAliveStream)>,
) -> anyhow::Result<bool> {
    if renewing.is_none() {
        match client.clone().lease_keep_alive(lease).await {
            Ok(stream) => *renewing = Some(stream),
            // The stream cannot open on an expired lease; ask whether that is why.
            Err(e) => {
                let remaining = client.clone().lease_time_to_live(lease, None).await?.ttl();
                return if remaining <= 0 { Ok(false) } else { Err(e.into()) };
            }
        }
    }
    let (keeper, responses) = renewing.as_mut().expect("opened above");
    keeper.keep_alive().await?;
    let response = responses.message().await?.context("etcd closed the keep-alive stream")?;
    Ok(response.ttl() > 0)
}

#[async_trait::async_trait]
impl Membership for EtcdMembership {
    fn provider(&self) -> Provider {
        Provider::Etcd
    }

    fn subscribe(&self) -> watch::Receiver<Arc<ClusterView>> {
        self.view.subscribe()
    }

    async fn set_status(&self, status: MemberStatus) -> anyhow::Result<()> {
        self.registration.announce(status).await?;
        Ok(())
    }

    async fn stop(&self) {
        self.stop.cancel();
        for task in self.tasks.lock().await.drain(..) {
            if let Err(e) = task.await {
                tracing::warn!("an etcd membership task failed: {e}");
            }
        }
        // Revoking deletes the key now, rather than when the lease runs out.
        let lease = self.registration.lease.load(Ordering::SeqCst);
        let mut client = self.registration.client.clone();
        match tokio::time::timeout(STARTUP_TIMEOUT, client.lease_revoke(lease)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!("cannot revoke the etcd lease (peers see this node down when it expires): {e}")
            }
            Err(_) => {
                tracing::warn!("etcd did not answer the lease revocation; peers see this node down when it expires")
            }
        }
    }
}
