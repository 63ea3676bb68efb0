//! The etcd provider's view: the member keys under the cluster's prefix, read once and then
//! watched from that revision on; a member whose key disappears stays in the view as `Down`,
//! and so does this node while it is fenced (its lease in doubt).

use super::member::{Announcement, ClusterView, Member, MemberStatus};
use super::quorum;
use crate::ids::NodeId;
use etcd_client::{Client, EventType, GetOptions, WatchOptions};
use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

/// How long to wait before reading the members again after losing the watch.
const RESYNC_DELAY: Duration = Duration::from_millis(500);

/// Every member seen so far, by id.
pub type Members = BTreeMap<String, Member>;

/// The members registered now, and the revision they were read at.
pub async fn snapshot(client: &mut Client, prefix: &str) -> Result<(Members, i64), etcd_client::Error> {
    let response = client.get(prefix, Some(GetOptions::new().with_prefix())).await?;
    let revision = response.header().map_or(0, |header| header.revision());
    let members = response
        .kvs()
        .iter()
        .filter_map(|kv| member_of(prefix, kv.key(), kv.value()))
        .map(|member| (member.id.0.clone(), member))
        .collect();
    Ok((members, revision))
}

pub fn view_of(members: &Members) -> ClusterView {
    ClusterView::new(members.values().cloned().collect())
}

/// What the follower watches and where it publishes.
pub struct Following {
    pub prefix: String,
    pub local: NodeId,
    /// True while this node's lease is in doubt: it then shows itself down.
    pub fenced: watch::Receiver<bool>,
    pub view: watch::Sender<Arc<ClusterView>>,
}

impl Following {
    fn publish(&self, members: &Members) {
        let view = view_of(members);
        let view =
            if *self.fenced.borrow() { ClusterView::new(quorum::fenced(view.members, &self.local)) } else { view };
        self.view.send_replace(Arc::new(view));
    }
}

/// Publishes a view on every change of the members' keys after `revision` or of the fence;
/// when the watch breaks, reads the members again (those gone meanwhile become `Down`) and
/// watches anew.
pub async fn follow(
    mut client: Client,
    mut following: Following,
    mut members: Members,
    mut revision: i64,
    stop: CancellationToken,
) {
    loop {
        let watched = tokio::select! {
            watched = watch_from(&mut client, &mut following, &mut members, revision) => watched,
            () = stop.cancelled() => return,
        };
        let Err(e) = watched;
        tracing::warn!("lost the etcd watch on {}: {e:#}", following.prefix);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = tokio::time::sleep(RESYNC_DELAY) => {}
                Ok(()) = following.fenced.changed() => {
                    following.publish(&members);
                    continue;
                }
            }
            match snapshot(&mut client, &following.prefix).await {
                Ok((current, at)) => {
                    for member in members.values_mut().filter(|member| !current.contains_key(&member.id.0)) {
                        member.status = MemberStatus::Down;
                    }
                    members.extend(current);
                    revision = at;
                    following.publish(&members);
                    break;
                }
                Err(e) => tracing::warn!("cannot read the members from etcd: {e}"),
            }
        }
    }
}

/// Applies watch events from `revision + 1` on (so none is missed since the snapshot).
async fn watch_from(
    client: &mut Client,
    following: &mut Following,
    members: &mut Members,
    revision: i64,
) -> anyhow::Result<Infallible> {
    let prefix = following.prefix.clone();
    let options = WatchOptions::new().with_prefix().with_start_revision(revision + 1);
    let mut stream = client.watch(prefix.as_str(), Some(options)).await?;
    loop {
        let response = tokio::select! {
            response = stream.message() => response?.ok_or_else(|| anyhow::anyhow!("etcd closed the watch"))?,
            Ok(()) = following.fenced.changed() => {
                following.publish(members);
                continue;
            }
        };
        if response.canceled() {
            anyhow::bail!("etcd cancelled the watch: {}", response.cancel_reason());
        }
        for event in response.events() {
            let Some(kv) = event.kv() else { continue };
            match event.event_type() {
                EventType::Put => {
                    if let Some(member) = member_of(&prefix, kv.key(), kv.value()) {
                        members.insert(member.id.0.clone(), member);
                    }
                }
                EventType::Delete => {
                    let id = std::str::from_utf8(kv.key()).ok().and_then(|key| key.strip_prefix(prefix.as_str()));
                    if let Some(member) = id.and_then(|id| members.get_mut(id)) {
                        member.status = MemberStatus::Down;
                    }
                }
            }
        }
        if !response.events().is_empty() {
            following.publish(members);
        }
    }
}

fn member_of(prefix: &str, key: &[u8], value: &[u8]) -> Option<Member> {
    let id = std::str::from_utf8(key).ok()?.strip_prefix(prefix)?;
    match serde_json::from_slice::<Announcement>(value) {
        Ok(announcement) => Some(Member::announced(NodeId(id.to_string()), announcement)),
        Err(e) => {
            tracing::warn!("ignoring member {id}: its etcd value is not an announcement: {e}");
            None
        }
    }
}
