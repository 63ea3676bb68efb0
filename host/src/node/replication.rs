//! Kinds are cluster-wide: a push or rollback made through any member is announced to every
//! other member that is up (name, version = content hash, settings), which fetch the module
//! from the announcer only if they do not hold that version; a removal is passed on too. Each
//! member announces every kind it holds to a member that comes up, so one that missed a push
//! catches up. A member that has just come up itself only listens: its catalog may be stale.

use super::Pushed;
use crate::cluster::Cluster;
use crate::cluster::transport::KindAnnouncement;
use crate::config::KindSettingsUpdate;
use crate::ids::{KindName, NodeId};
use crate::kinds::{KindRegistry, RegistryError};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The node's side of keeping kinds the same on every member; it owns every task it starts.
pub struct Replication {
    cluster: Arc<Cluster>,
    kinds: Arc<KindRegistry>,
    max_module_bytes: usize,
    tasks: TaskTracker,
    stop: CancellationToken,
}

/// Checks, compiles and makes `bytes` the current version of `name`, off the async executor.
pub async fn install(
    kinds: &Arc<KindRegistry>,
    name: KindName,
    bytes: Vec<u8>,
    update: KindSettingsUpdate,
) -> Result<Pushed, RegistryError> {
    let kinds = Arc::clone(kinds);
    tokio::task::spawn_blocking(move || kinds.push(&name, &bytes, &update))
        .await
        .map_err(|e| RegistryError::Storage(format!("the kind's compilation stopped: {e}")))?
}

impl Replication {
    /// Replication of `kinds` across `cluster`; a member of a cluster of more than itself also
    /// announces its kinds to every member that comes up.
    pub fn start(cluster: Arc<Cluster>, kinds: Arc<KindRegistry>, max_module_bytes: usize) -> Arc<Self> {
        let replication = Arc::new(Replication {
            cluster,
            kinds,
            max_module_bytes,
            tasks: TaskTracker::new(),
            stop: CancellationToken::new(),
        });
        if replication.cluster.provider() != crate::cluster::Provider::Single {
            replication.tasks.spawn(Arc::clone(&replication).seed_newcomers());
        }
        replication
    }

    /// Announces the current version of `name` to every other member that is up, in the
    /// background; a failure is logged (the member gets the kind again when it next comes up).
    pub fn announce(&self, name: &KindName) {
        for peer in self.others_up() {
            let announcement = self.announcement(name);
            let (cluster, name) = (Arc::clone(&self.cluster), name.clone());
            self.tasks.spawn(async move {
                let Some(announcement) = announcement else { return };
                match cluster.transport().announce_kind(peer, &announcement).await {
                    Ok(fetched) => tracing::debug!(%peer, kind = name.as_str(), fetched, "kind announced"),
                    Err(e) => tracing::warn!(%peer, kind = name.as_str(), "cannot announce a kind to a peer: {e:#}"),
                }
            });
        }
    }

    /// Removes `name` on every other member that is up, in the background.
    pub fn remove(&self, name: &KindName) {
        for peer in self.others_up() {
            let (cluster, name) = (Arc::clone(&self.cluster), name.clone());
            self.tasks.spawn(async move {
                if let Err(e) = cluster.transport().remove_kind(peer, &name).await {
                    tracing::warn!(%peer, kind = name.as_str(), "cannot remove a kind on a peer: {e:#}");
                }
            });
        }
    }

    /// Installs a kind version a peer announced, fetching its module from the announcer only if
    /// this member does not hold it; returns whether it fetched. Not announced again.
    pub async fn install_announced(&self, announcement: KindAnnouncement) -> anyhow::Result<bool> {
        let KindAnnouncement { name, version, settings, source } = announcement;
        let (bytes, fetched) = match self.kinds.module(&version) {
            Ok(bytes) => (bytes, false),
            Err(_) => {
                let bytes = self.cluster.transport().fetch_module(source, &version, self.max_module_bytes).await?;
                (bytes, true)
            }
        };
        // The member it was pushed through checked the reload (or was told to force it).
        let update = KindSettingsUpdate { force: true, ..settings.into() };
        let pushed = install(&self.kinds, name.clone(), bytes, update).await?;
        tracing::info!(
            kind = name.as_str(),
            version = pushed.kind.version().short(),
            fetched,
            "kind announced by a peer"
        );
        Ok(fetched)
    }

    /// Stops announcing and awaits every announcement in flight.
    pub async fn shutdown(&self) {
        self.stop.cancel();
        self.tasks.close();
        self.tasks.wait().await;
    }

    fn announcement(&self, name: &KindName) -> Option<KindAnnouncement> {
        let kind = self.kinds.get(name.as_str())?;
        Some(KindAnnouncement {
            name: name.clone(),
            version: kind.version().clone(),
            settings: kind.settings().clone(),
            source: self.cluster.local().peer,
        })
    }

    fn others_up(&self) -> Vec<SocketAddr> {
        let local = self.cluster.local_id();
        self.cluster.view().up().filter(|member| &member.id != local).map(|member| member.peer).collect()
    }

    /// Announces every kind this member holds to each member that comes up, until stopped.
    async fn seed_newcomers(self: Arc<Self>) {
        let mut views = self.cluster.subscribe();
        let local = self.cluster.local_id().clone();
        let up_in = |view: &crate::cluster::ClusterView| -> BTreeSet<(NodeId, SocketAddr)> {
            view.up().map(|member| (member.id.clone(), member.peer)).collect()
        };
        let mut up = up_in(&views.borrow_and_update());
        loop {
            tokio::select! {
                changed = views.changed() => if changed.is_err() { return },
                () = self.stop.cancelled() => return,
            }
            let now_up = up_in(&views.borrow_and_update());
            let was_up = up.iter().any(|(id, _)| id == &local);
            let is_up = now_up.iter().any(|(id, _)| id == &local);
            if was_up && is_up {
                for (newcomer, peer) in now_up.difference(&up).filter(|(id, _)| id != &local) {
                    for kind in self.kinds.list() {
                        let Some(announcement) = self.announcement(&kind.name) else { continue };
                        let announced = tokio::select! {
                            announced = self.cluster.transport().announce_kind(*peer, &announcement) => announced,
                            () = self.stop.cancelled() => return,
                        };
                        if let Err(e) = announced {
                            tracing::warn!(peer = %newcomer, kind = kind.name.as_str(), "cannot give a kind to a new member: {e:#}");
                        }
                    }
                }
            }
            up = now_up;
        }
    }
}
