//! Members prove who they are before they count. When the transport authenticates, a member
//! that membership announces (gossip, etcd) is shown as `Joining`, and so owns no grain, until
//! this node has checked over its peer port that it answers with its name and holds the
//! cluster's credentials (a certificate signed by the CA, the secret). A member of another
//! CA or cluster, or a stranger announcing itself, is never counted.

use super::member::{ClusterView, MemberStatus};
use super::transport::Transport;
use crate::ids::NodeId;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// How often an unverified member is asked again.
const RETRY: Duration = Duration::from_secs(1);

/// A member as checked: its name at its peer address.
type Checked = (NodeId, SocketAddr);

/// Publishes `views` with every member this node has not verified shown as joining, until
/// `stop`; asks unverified members over `transport` as they appear and every second after.
pub async fn verify_members(
    local: NodeId,
    mut views: watch::Receiver<Arc<ClusterView>>,
    transport: Arc<dyn Transport>,
    published: watch::Sender<Arc<ClusterView>>,
    stop: CancellationToken,
) {
    let mut verified: HashSet<Checked> = HashSet::new();
    let mut refused: HashMap<Checked, String> = HashMap::new();
    let mut asking: JoinSet<(Checked, anyhow::Result<()>)> = JoinSet::new();
    let mut in_flight: HashSet<Checked> = HashSet::new();
    let mut last_asked: HashMap<Checked, tokio::time::Instant> = HashMap::new();
    let mut retry = tokio::time::interval(RETRY);
    loop {
        let view = Arc::clone(&views.borrow_and_update());
        let present: HashSet<Checked> = view
            .members
            .iter()
            .filter(|member| member.id != local && member.status != MemberStatus::Down)
            .map(|member| (member.id.clone(), member.peer))
            .collect();
        verified.retain(|member| present.contains(member));
        last_asked.retain(|member, _| present.contains(member));
        for member in present.iter().filter(|member| !verified.contains(*member)) {
            if in_flight.contains(member) || last_asked.get(member).is_some_and(|asked| asked.elapsed() < RETRY) {
                continue;
            }
            in_flight.insert(member.clone());
            last_asked.insert(member.clone(), tokio::time::Instant::now());
            let (transport, member) = (Arc::clone(&transport), member.clone());
            asking.spawn(async move {
                let outcome = transport.verify(member.1, &member.0).await;
                (member, outcome)
            });
        }
        published.send_replace(Arc::new(counted(&view, &local, &verified)));
        tokio::select! {
            () = stop.cancelled() => break,
            changed = views.changed() => if changed.is_err() { break },
            Some(Ok((member, outcome))) = asking.join_next() => {
                in_flight.remove(&member);
                match outcome {
                    Ok(()) => {
                        tracing::info!(member = %member.0, peer = %member.1, "member verified");
                        refused.remove(&member);
                        verified.insert(member);
                    }
                    Err(e) => {
                        let why = format!("{e:#}");
                        if refused.get(&member) != Some(&why) {
                            tracing::warn!(member = %member.0, peer = %member.1, "member not counted: {why}");
                            refused.insert(member, why);
                        }
                    }
                }
            }
            _ = retry.tick() => {}
        }
    }
    asking.shutdown().await;
}

/// `view` with every member other than `local` that is not verified shown as joining.
fn counted(view: &ClusterView, local: &NodeId, verified: &HashSet<Checked>) -> ClusterView {
    let mut view = view.clone();
    for member in view.members.iter_mut().filter(|member| &member.id != local) {
        if member.status != MemberStatus::Down && !verified.contains(&(member.id.clone(), member.peer)) {
            member.status = MemberStatus::Joining;
        }
    }
    view
}
