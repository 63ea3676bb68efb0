//! `scripted`: in-memory membership for tests, in one process. Members of one
//! [`ScriptedWorld`] see each other's announcements at once; a test can kill a member (peers see
//! it down, as after a crash) or freeze one member's view, so members disagree for a while
//! about who owns what.

use super::member::{ClusterView, Member, MemberStatus};
use super::membership::{LocalMember, Membership, Provider};
use crate::ids::NodeId;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// The members of one in-process cluster and every member's view.
#[derive(Default)]
pub struct ScriptedWorld {
    state: Mutex<World>,
}

#[derive(Default)]
struct World {
    members: BTreeMap<NodeId, Member>,
    views: BTreeMap<NodeId, watch::Sender<Arc<ClusterView>>>,
    frozen: BTreeSet<NodeId>,
}

impl World {
    fn publish(&self) {
        let view = Arc::new(ClusterView::new(self.members.values().cloned().collect()));
        for (id, sender) in &self.views {
            if !self.frozen.contains(id) {
                sender.send_replace(Arc::clone(&view));
            }
        }
    }
}

impl ScriptedWorld {
    fn lock(&self) -> std::sync::MutexGuard<'_, World> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds `local` to the world as `Joining`; its view starts with every member so far.
    pub fn join(self: &Arc<Self>, local: LocalMember) -> ScriptedMembership {
        let mut world = self.lock();
        world
            .members
            .insert(local.id.clone(), Member::announced(local.id.clone(), local.announcement(MemberStatus::Joining)));
        world.views.insert(local.id.clone(), watch::Sender::new(Arc::default()));
        world.publish();
        ScriptedMembership { world: Arc::clone(self), local }
    }

    /// Marks `id` down in every view, as peers see a member that died.
    pub fn kill(&self, id: &NodeId) {
        self.set(id, MemberStatus::Down);
    }

    /// Stops updating `id`'s view until [`ScriptedWorld::thaw`].
    pub fn freeze(&self, id: &NodeId) {
        self.lock().frozen.insert(id.clone());
    }

    /// Updates `id`'s view again, to the world as it is now.
    pub fn thaw(&self, id: &NodeId) {
        let mut world = self.lock();
        world.frozen.remove(id);
        world.publish();
    }

    fn set(&self, id: &NodeId, status: MemberStatus) {
        let mut world = self.lock();
        if let Some(member) = world.members.get_mut(id) {
            member.status = status;
        }
        world.publish();
    }
}

/// One member's membership in a [`ScriptedWorld`].
pub struct ScriptedMembership {
    world: Arc<ScriptedWorld>,
    local: LocalMember,
}

#[async_trait::async_trait]
impl Membership for ScriptedMembership {
    fn provider(&self) -> Provider {
        Provider::Scripted
    }

    fn subscribe(&self) -> watch::Receiver<Arc<ClusterView>> {
        self.world.lock().views.get(&self.local.id).expect("a joined member has a view").subscribe()
    }

    async fn set_status(&self, status: MemberStatus) -> anyhow::Result<()> {
        self.world.set(&self.local.id, status);
        Ok(())
    }

    async fn stop(&self) {
        self.world.set(&self.local.id, MemberStatus::Down);
    }
}
