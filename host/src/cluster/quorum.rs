//! Keep-majority split-brain resolution for gossip, as Akka's split brain resolver does it:
//! a member that can reach only a minority of the cluster stops hosting, so after a partition
//! settles every grain is live on one side only.

use super::member::{Member, MemberStatus};
use crate::ids::NodeId;
use std::collections::BTreeSet;

/// Whether the side `local` is on may keep hosting: it reaches a strict majority of the
/// members that have not left, or exactly half of them including the lowest id (the tie-break
/// both sides of an even split agree on). `left` names members that said they were leaving
/// before they went away, which no longer count.
pub fn holds(members: &[Member], left: &BTreeSet<String>, local: &NodeId) -> bool {
    let counted: Vec<&Member> = members.iter().filter(|member| !left.contains(&member.id.0)).collect();
    let reachable = counted.iter().filter(|member| member.status != MemberStatus::Down).count();
    if !counted.iter().any(|member| &member.id == local) {
        return true;
    }
    let lowest_reachable =
        counted.iter().min_by(|a, b| a.id.0.cmp(&b.id.0)).is_some_and(|m| m.status != MemberStatus::Down);
    2 * reachable > counted.len() || (2 * reachable == counted.len() && lowest_reachable)
}

/// `members` with `local` marked down: the view a member on the minority side publishes.
pub fn fenced(mut members: Vec<Member>, local: &NodeId) -> Vec<Member> {
    for member in members.iter_mut().filter(|member| &member.id == local) {
        member.status = MemberStatus::Down;
    }
    members
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(id: &str, status: MemberStatus) -> Member {
        Member {
            id: NodeId(id.into()),
            peer: "127.0.0.1:1".parse().expect("an address"),
            roles: BTreeSet::new(),
            status,
            hosting: true,
        }
    }

    fn local(id: &str) -> NodeId {
        NodeId(id.into())
    }

    #[test]
    fn a_majority_keeps_hosting_and_a_minority_does_not() {
        let members = [member("a", MemberStatus::Up), member("b", MemberStatus::Up), member("c", MemberStatus::Down)];
        assert!(holds(&members, &BTreeSet::new(), &local("a")));
        let cut_off = [member("a", MemberStatus::Down), member("b", MemberStatus::Down), member("c", MemberStatus::Up)];
        assert!(!holds(&cut_off, &BTreeSet::new(), &local("c")));
    }

    #[test]
    fn an_even_split_is_won_by_the_side_with_the_lowest_id() {
        let with_lowest = [member("a", MemberStatus::Up), member("b", MemberStatus::Down)];
        assert!(holds(&with_lowest, &BTreeSet::new(), &local("a")));
        let without = [member("a", MemberStatus::Down), member("b", MemberStatus::Up)];
        assert!(!holds(&without, &BTreeSet::new(), &local("b")));
    }

    #[test]
    fn members_that_left_no_longer_count() {
        let members = [member("a", MemberStatus::Down), member("b", MemberStatus::Down), member("c", MemberStatus::Up)];
        let left = BTreeSet::from(["a".to_string(), "b".to_string()]);
        assert!(holds(&members, &left, &local("c")));
    }

    #[test]
    fn fencing_marks_only_the_local_member_down() {
        let members = vec![member("a", MemberStatus::Up), member("b", MemberStatus::Up)];
        let fenced = fenced(members, &local("b"));
        assert_eq!(fenced[0].status, MemberStatus::Up);
        assert_eq!(fenced[1].status, MemberStatus::Down);
    }
}
