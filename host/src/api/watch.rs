//! `Node.WatchCluster`: every member when the watch begins, then each member event as this
//! node's view of the cluster changes, until the client hangs up.

use super::convert;
use crate::cluster::{ClusterView, Member, Provider, changes, leader};
use crate::node::Node;
use crate::proto::api as proto;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;
use tokio_stream::Stream;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

/// The events a watch streams.
pub type ClusterEvents = Pin<Box<dyn Stream<Item = Result<proto::ClusterEvent, Status>> + Send>>;

fn now_unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn event(what: &str, member: &Member, has_peers: bool, view: &ClusterView) -> Result<proto::ClusterEvent, Status> {
    Ok(proto::ClusterEvent {
        event: what.to_string(),
        member: Some(convert::event_member(member, has_peers)),
        at_unix_ms: now_unix_ms(),
        leader: leader(view).map(ToString::to_string),
    })
}

/// Streams `node`'s member events from now on.
pub fn watch(node: &Node) -> ClusterEvents {
    let cluster = Arc::clone(node.cluster());
    let has_peers = cluster.provider() != Provider::Single;
    let mut views = cluster.subscribe();
    let (events, stream) = mpsc::channel(64);
    tokio::spawn(async move {
        let mut before = views.borrow_and_update().clone();
        for member in &before.members {
            if events.send(event("member", member, has_peers, &before)).await.is_err() {
                return;
            }
        }
        loop {
            tokio::select! {
                changed = views.changed() => if changed.is_err() { return },
                () = events.closed() => return,
            }
            let after = views.borrow_and_update().clone();
            for (what, member) in changes(&before, &after) {
                if events.send(event(what.as_str(), &member, has_peers, &after)).await.is_err() {
                    return;
                }
            }
            before = after;
        }
    });
    Box::pin(ReceiverStream::new(stream))
}
