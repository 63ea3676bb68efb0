//! Rendezvous (highest random weight) hashing: the owner of `kind/identity` is the member
//! that can host the kind and scores highest for it. A join or leave moves only the grains
//! whose top scorer changed, about 1/N of them.

use super::member::{ClusterView, Member};
use crate::ids::{GrainId, NodeId};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;

/// The member that owns `grain`, among those that can host a kind needing `roles`.
pub fn owner<'a>(view: &'a ClusterView, grain: &GrainId, roles: &BTreeSet<String>) -> Option<&'a Member> {
    view.members
        .iter()
        .filter(|member| member.can_host(roles))
        .max_by_key(|member| (score(&member.id, grain), &member.id.0))
}

/// A stable 64-bit score of (member, grain): the same on every node, platform and build.
fn score(member: &NodeId, grain: &GrainId) -> u64 {
    let digest = Sha256::new()
        .chain_update(member.0.as_bytes())
        .chain_update([0xff])
        .chain_update(grain.kind().as_str().as_bytes())
        .chain_update(b"/")
        .chain_update(grain.identity().as_bytes())
        .finalize();
    u64::from_be_bytes(digest[..8].try_into().expect("a sha256 digest has 8 bytes"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::member::{Member, MemberStatus};

    fn view(ids: &[&str]) -> ClusterView {
        ClusterView::new(
            ids.iter()
                .map(|id| Member {
                    id: NodeId(id.to_string()),
                    peer: "127.0.0.1:1".parse().expect("an address"),
                    roles: BTreeSet::new(),
                    status: MemberStatus::Up,
                    hosting: true,
                })
                .collect(),
        )
    }

    fn grains(n: usize) -> Vec<GrainId> {
        (0..n).map(|i| GrainId::new("counter", format!("c{i}")).unwrap()).collect()
    }

    #[test]
    fn spreads_grains_evenly_and_moves_few_on_join() {
        let none = BTreeSet::new();
        let three = view(&["a:1", "b:1", "c:1"]);
        let four = view(&["a:1", "b:1", "c:1", "d:1"]);
        let grains = grains(3000);
        let mut per_member = std::collections::HashMap::new();
        let mut moved = 0;
        for grain in &grains {
            let before = &owner(&three, grain, &none).unwrap().id;
            *per_member.entry(before.clone()).or_insert(0) += 1;
            let after = &owner(&four, grain, &none).unwrap().id;
            if before != after {
                assert_eq!(after.0, "d:1", "a grain only moves to the new member");
                moved += 1;
            }
        }
        assert!(per_member.values().all(|&n| (800..1200).contains(&n)), "{per_member:?}");
        assert!((550..950).contains(&moved), "about a quarter moves: {moved}");
    }

    #[test]
    fn only_members_that_can_host_own() {
        let mut view = view(&["a:1", "b:1", "proxy:1"]);
        view.members[0].roles.insert("gpu".into());
        view.members[2].hosting = false;
        view.members[1].status = MemberStatus::Leaving;
        let gpu = BTreeSet::from(["gpu".to_string()]);
        for grain in grains(100) {
            assert_eq!(owner(&view, &grain, &BTreeSet::new()).unwrap().id.0, "a:1");
            assert_eq!(owner(&view, &grain, &gpu).unwrap().id.0, "a:1");
        }
        view.members[0].status = MemberStatus::Down;
        assert_eq!(owner(&view, &grains(1)[0], &BTreeSet::new()), None);
    }
}
