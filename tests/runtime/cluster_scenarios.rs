//! Scripted cluster scenarios in one process: gossip members over chitchat's in-memory
//! transport, where links can be cut and healed at will. After each step every member's
//! placement must converge: each grain owned by exactly one member that all others agree on.

use crate::support::eventually;
use chitchat::transport::ChannelTransport;
use granary::cluster::Transport;
use granary::cluster::transport::MemoryNetwork;
use granary::cluster::{Cluster, GossipMembership, GossipSettings, LocalMember, MemberStatus, Placement};
use granary::ids::{GrainId, NodeId};
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

const WITHIN: Duration = Duration::from_secs(30);
const GOSSIP_INTERVAL: Duration = Duration::from_millis(50);
const GRAINS: usize = 1000;

struct Scenario {
    transport: ChannelTransport,
    /// The members' peer links (unused by placement, which these scenarios check).
    network: Arc<MemoryNetwork>,
    members: BTreeMap<SocketAddr, Arc<Cluster>>,
    grains: Vec<GrainId>,
}

impl Scenario {
    async fn with_members(count: u16) -> Scenario {
        let grains = (0..GRAINS).map(|i| GrainId::new("counter", format!("c{i}")).expect("grain id")).collect();
        let mut scenario = Scenario {
            transport: ChannelTransport::default(),
            network: Arc::default(),
            members: BTreeMap::new(),
            grains,
        };
        for _ in 0..count {
            scenario.add().await;
        }
        scenario
    }

    /// Starts one more member, seeded with the first, and announces it up.
    async fn add(&mut self) -> SocketAddr {
        let address = SocketAddr::from(([10, 0, 0, 1], 7000 + self.members.len() as u16));
        let peers = self.network.transport();
        let local = LocalMember {
            id: NodeId(address.to_string()),
            peer: peers.local_address(),
            roles: BTreeSet::new(),
            hosting: true,
        };
        let settings = GossipSettings {
            cluster: "scripted".into(),
            listen: address,
            advertise: address,
            seeds: self.members.keys().next().map(ToString::to_string).into_iter().collect(),
            gossip_interval: GOSSIP_INTERVAL,
        };
        let membership = GossipMembership::start(local.clone(), settings, &self.transport).await.expect("gossip");
        let cluster = Cluster::new("scripted".into(), local, Arc::new(membership), Arc::new(peers));
        cluster.set_status(MemberStatus::Up).await.expect("announce up");
        self.members.insert(address, cluster);
        address
    }

    async fn remove(&mut self, address: SocketAddr) {
        let member = self.members.remove(&address).expect("a member");
        member.set_status(MemberStatus::Leaving).await.expect("announce leaving");
        member.stop().await;
    }

    /// Cuts (or heals) every link between `address` and the other members.
    async fn isolate(&self, address: SocketAddr, cut: bool) {
        for other in self.members.keys().filter(|other| **other != address) {
            if cut {
                self.transport.remove_link(address, *other).await;
            } else {
                self.transport.add_link(address, *other).await;
            }
        }
    }

    /// Waits until every member in `side` agrees on one owner per grain, an owner among
    /// `owners`, all of which it sees up, and the members outside `owners` host nothing.
    async fn converges(&self, side: &[SocketAddr], owners: &[SocketAddr], what: &str) -> BTreeMap<GrainId, NodeId> {
        let mut agreed = BTreeMap::new();
        eventually(WITHIN, what, async || {
            let outsiders_host_nothing =
                self.members.iter().filter(|(address, _)| !owners.contains(address)).all(|(_, member)| {
                    self.grains.iter().all(|grain| member.placement(grain, &BTreeSet::new()) != Placement::Local)
                });
            let owners_up = side.iter().all(|address| {
                let view = self.members[address].view();
                owners
                    .iter()
                    .all(|owner| view.member(&NodeId(owner.to_string())).is_some_and(|m| m.status == MemberStatus::Up))
            });
            match self.agreed_owners(side) {
                Some(found)
                    if owners_up
                        && outsiders_host_nothing
                        && found.values().all(|owner| owners.iter().any(|o| o.to_string() == owner.0)) =>
                {
                    agreed = found;
                    true
                }
                _ => false,
            }
        })
        .await;
        agreed
    }

    /// Each grain's owner, if every member of `side` places it on the same member, and that
    /// member places it locally.
    fn agreed_owners(&self, side: &[SocketAddr]) -> Option<BTreeMap<GrainId, NodeId>> {
        let mut owners = BTreeMap::new();
        for grain in &self.grains {
            let mut owner = None;
            for address in side {
                let seen = match self.members[address].placement(grain, &BTreeSet::new()) {
                    Placement::Local => NodeId(address.to_string()),
                    Placement::Remote { owner, .. } => owner,
                    Placement::Nowhere => return None,
                };
                if owner.get_or_insert_with(|| seen.clone()) != &seen {
                    return None;
                }
            }
            owners.insert(grain.clone(), owner?);
        }
        Some(owners)
    }

    fn addresses(&self) -> Vec<SocketAddr> {
        self.members.keys().copied().collect()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joining_member_takes_only_its_own_share() {
    let mut scenario = Scenario::with_members(3).await;
    let all = scenario.addresses();
    let before = scenario.converges(&all, &all, "three members agree").await;
    let newcomer = scenario.add().await;
    let all = scenario.addresses();
    let after = scenario.converges(&all, &all, "four members agree").await;
    let moved: Vec<_> = before.iter().filter(|(grain, owner)| &after[*grain] != *owner).collect();
    assert!(moved.len() > GRAINS / 8, "the newcomer takes a share: {} moved", moved.len());
    for (grain, _) in moved {
        assert_eq!(after[grain].0, newcomer.to_string(), "{grain} moved between members that stayed");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leaving_member_hands_its_grains_to_the_others() {
    let mut scenario = Scenario::with_members(3).await;
    let all = scenario.addresses();
    let before = scenario.converges(&all, &all, "three members agree").await;
    let leaver = all[2];
    scenario.remove(leaver).await;
    let rest = scenario.addresses();
    let after = scenario.converges(&rest, &rest, "the two that stay agree").await;
    for (grain, owner) in &before {
        if owner.0 != leaver.to_string() {
            assert_eq!(&after[grain], owner, "{grain} moved though its owner stayed");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_cut_off_hosts_nothing_until_the_link_heals() {
    let scenario = Scenario::with_members(3).await;
    let all = scenario.addresses();
    scenario.converges(&all, &all, "three members agree").await;
    let cut_off = all[1];
    let majority: Vec<SocketAddr> = all.iter().copied().filter(|address| *address != cut_off).collect();
    scenario.isolate(cut_off, true).await;
    // The majority takes the cut-off member's grains; the cut-off member, alone in a
    // minority, places every grain elsewhere and so hosts none of them.
    scenario.converges(&majority, &majority, "the majority owns every grain").await;
    let member = &scenario.members[&cut_off];
    eventually(WITHIN, "the cut-off member to fence itself", async || {
        member.view().member(member.local_id()).is_some_and(|me| me.status == MemberStatus::Down)
    })
    .await;
    scenario.isolate(cut_off, false).await;
    scenario.converges(&all, &all, "all three agree again after healing").await;
}
