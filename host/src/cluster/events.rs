//! Member events, read from how one view of the cluster differs from the next (joined, up,
//! leaving, down, unreachable), and the leader: the lowest-ordered member that is up, overall
//! and per role.

use super::member::{ClusterView, Member, MemberStatus};
use crate::ids::NodeId;
use std::collections::BTreeMap;

/// What happened to a member.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemberEvent {
    /// It appeared in the view (or came back after it was down).
    Joined,
    /// It serves.
    Up,
    /// It is stopping gracefully, handing its grains over.
    Leaving,
    /// It is gone: it left, or was removed after it became unreachable.
    Down,
    /// It was found dead, or cut off, without leaving.
    Unreachable,
}

impl MemberEvent {
    /// The event as a word.
    pub fn as_str(self) -> &'static str {
        match self {
            MemberEvent::Joined => "joined",
            MemberEvent::Up => "up",
            MemberEvent::Leaving => "leaving",
            MemberEvent::Down => "down",
            MemberEvent::Unreachable => "unreachable",
        }
    }
}

/// The event a member's move from `before` (absent: it is new) to `after` amounts to.
fn moved(before: Option<MemberStatus>, after: MemberStatus) -> Vec<MemberEvent> {
    use MemberStatus::{Down, Joining, Leaving, Up};
    match (before, after) {
        (Some(old), new) if old == new => vec![],
        (None | Some(Down), Joining) => vec![MemberEvent::Joined],
        (None | Some(Down), Up) => vec![MemberEvent::Joined, MemberEvent::Up],
        (None, Leaving) => vec![MemberEvent::Joined, MemberEvent::Leaving],
        (None, Down) => vec![MemberEvent::Joined, MemberEvent::Unreachable],
        (Some(_), Up) => vec![MemberEvent::Up],
        (Some(_), Leaving) => vec![MemberEvent::Leaving],
        (Some(Leaving), Down) => vec![MemberEvent::Down],
        (Some(_), Down) => vec![MemberEvent::Unreachable],
        (Some(_), Joining) => vec![MemberEvent::Joined],
    }
}

/// What happened between two views, member by member in id order: members that vanished
/// from the view are down (unreachable first, unless they were leaving or already down).
pub fn changes(before: &ClusterView, after: &ClusterView) -> Vec<(MemberEvent, Member)> {
    let mut events = Vec::new();
    for member in &after.members {
        let old = before.member(&member.id).map(|old| old.status);
        events.extend(moved(old, member.status).into_iter().map(|event| (event, member.clone())));
    }
    for gone in before.members.iter().filter(|old| after.member(&old.id).is_none()) {
        if !matches!(gone.status, MemberStatus::Leaving | MemberStatus::Down) {
            events.push((MemberEvent::Unreachable, gone.clone()));
        }
        if gone.status != MemberStatus::Down {
            events.push((MemberEvent::Down, Member { status: MemberStatus::Down, ..gone.clone() }));
        }
    }
    events
}

/// The leader: the lowest-ordered member that is up.
pub fn leader(view: &ClusterView) -> Option<&NodeId> {
    view.up().next().map(|member| &member.id)
}

/// The leader of each role: the lowest-ordered member up that carries it.
pub fn role_leaders(view: &ClusterView) -> BTreeMap<String, NodeId> {
    let mut leaders = BTreeMap::new();
    for member in view.up() {
        for role in &member.roles {
            leaders.entry(role.clone()).or_insert_with(|| member.id.clone());
        }
    }
    leaders
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, status: MemberStatus, roles: &[&str]) -> Member {
        Member {
            id: NodeId(id.into()),
            peer: "127.0.0.1:1".parse().expect("an address"),
            roles: roles.iter().map(|role| role.to_string()).collect(),
            status,
            hosting: true,
        }
    }

    fn events(before: &[Member], after: &[Member]) -> Vec<(String, &'static str)> {
        let (before, after) = (ClusterView::new(before.to_vec()), ClusterView::new(after.to_vec()));
        changes(&before, &after).into_iter().map(|(event, member)| (member.id.0, event.as_str())).collect()
    }

    #[test]
    fn views_differ_by_the_events_members_went_through() {
        use MemberStatus::{Down, Joining, Leaving, Up};
        let a = |status| member("a", status, &[]);
        let b = |status| member("b", status, &[]);
        assert_eq!(events(&[a(Up)], &[a(Up), b(Joining)]), [("b".into(), "joined")]);
        assert_eq!(events(&[a(Up)], &[a(Up), b(Up)]), [("b".into(), "joined"), ("b".into(), "up")]);
        assert_eq!(events(&[a(Up), b(Up)], &[a(Up), b(Leaving)]), [("b".into(), "leaving")]);
        assert_eq!(events(&[a(Up), b(Leaving)], &[a(Up), b(Down)]), [("b".into(), "down")]);
        assert_eq!(events(&[a(Up), b(Up)], &[a(Up), b(Down)]), [("b".into(), "unreachable")]);
        assert_eq!(events(&[a(Up), b(Up)], &[a(Up)]), [("b".into(), "unreachable"), ("b".into(), "down")]);
        assert_eq!(events(&[a(Up), b(Leaving)], &[a(Up)]), [("b".into(), "down")]);
        assert_eq!(events(&[a(Up), b(Down)], &[a(Up)]), []);
        assert_eq!(events(&[a(Up), b(Down)], &[a(Up), b(Up)]), [("b".into(), "joined"), ("b".into(), "up")]);
        assert_eq!(events(&[a(Up)], &[a(Up)]), []);
    }

    #[test]
    fn the_leader_is_the_lowest_member_up_overall_and_per_role() {
        let view = ClusterView::new(vec![
            member("a", MemberStatus::Leaving, &["x"]),
            member("c", MemberStatus::Up, &["x", "y"]),
            member("b", MemberStatus::Up, &["y"]),
        ]);
        assert_eq!(leader(&view), Some(&NodeId("b".into())));
        let roles = role_leaders(&view);
        assert_eq!(roles.get("x"), Some(&NodeId("c".into())), "a is leaving");
        assert_eq!(roles.get("y"), Some(&NodeId("b".into())));
        assert_eq!(leader(&ClusterView::default()), None);
    }
}
