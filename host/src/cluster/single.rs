//! `single`: a cluster of this node alone, up from the start; the default of `granary dev`.

use super::member::{ClusterView, Member, MemberStatus};
use super::membership::{LocalMember, Membership, Provider};
use std::sync::Arc;
use tokio::sync::watch;

/// Membership of one node.
pub struct SingleMembership {
    local: LocalMember,
    view: watch::Sender<Arc<ClusterView>>,
}

impl SingleMembership {
    /// `local`, alone and up.
    pub fn new(local: LocalMember) -> Self {
        let (view, _) = watch::channel(Arc::new(view_of(&local, MemberStatus::Up)));
        SingleMembership { local, view }
    }
}

fn view_of(local: &LocalMember, status: MemberStatus) -> ClusterView {
    ClusterView::new(vec![Member::announced(local.id.clone(), local.announcement(status))])
}

#[async_trait::async_trait]
impl Membership for SingleMembership {
    fn provider(&self) -> Provider {
        Provider::Single
    }

    fn subscribe(&self) -> watch::Receiver<Arc<ClusterView>> {
        self.view.subscribe()
    }

    async fn set_status(&self, status: MemberStatus) -> anyhow::Result<()> {
        self.view.send_replace(Arc::new(view_of(&self.local, status)));
        Ok(())
    }

    async fn stop(&self) {
        self.view.send_replace(Arc::new(view_of(&self.local, MemberStatus::Down)));
    }
}
