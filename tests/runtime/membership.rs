//! The same membership scenarios for every provider: `single`, `gossip` (real UDP on loopback)
//! and `etcd` (a real etcd server). Each prints how long its members took to see another go
//! down, after a graceful stop and (gossip, etcd) after a SIGKILLed `granary node`.

use crate::support::cluster::{free_port, start_member_with};
use crate::support::etcd::EtcdServer;
use crate::support::eventually;
use crate::support::process::DevNode;
use granary::cluster::{
    ClusterView, EtcdMembership, EtcdSettings, GossipMembership, GossipSettings, LocalMember, MemberStatus, Membership,
    SingleMembership,
};
use granary::ids::NodeId;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

/// How long any member may take to see a change.
const WITHIN: Duration = Duration::from_secs(30);
const GOSSIP_INTERVAL: Duration = Duration::from_millis(100);
/// The cluster `start_member_with` nodes join.
const CLUSTER: &str = "test";

struct TestMember {
    local: LocalMember,
    membership: Box<dyn Membership>,
}

impl TestMember {
    fn sees(&self, id: &NodeId, status: MemberStatus) -> bool {
        self.membership.subscribe().borrow().member(id).is_some_and(|member| member.status == status)
    }
}

/// A member at `address` carrying the role `role-<address>`, so roles tell members apart.
fn local_member(address: SocketAddr) -> LocalMember {
    LocalMember {
        id: NodeId(address.to_string()),
        peer: address,
        roles: BTreeSet::from([format!("role-{address}")]),
        hosting: true,
    }
}

fn loopback(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

// The scenarios, the same for every provider.

/// Every member announces `Up`, then each sees all of them up with their roles.
async fn all_see_each_other_up(members: &[TestMember]) {
    for member in members {
        member.membership.set_status(MemberStatus::Up).await.expect("announce up");
    }
    let expected: Vec<_> = members.iter().map(|member| (member.local.id.clone(), member.local.roles.clone())).collect();
    let all_up = |view: &ClusterView| {
        expected.iter().all(|(id, roles)| {
            view.member(id).is_some_and(|member| member.status == MemberStatus::Up && &member.roles == roles)
        })
    };
    eventually(WITHIN, "every member up with its roles in every view", async || {
        members.iter().all(|member| all_up(&member.membership.subscribe().borrow()))
    })
    .await;
}

/// `subject` announces `Leaving`; every observer sees it.
async fn leaving_is_seen(subject: &TestMember, observers: &[&TestMember]) {
    subject.membership.set_status(MemberStatus::Leaving).await.expect("announce leaving");
    let id = &subject.local.id;
    eventually(WITHIN, "the leaver seen leaving", async || {
        observers.iter().all(|observer| observer.sees(id, MemberStatus::Leaving))
    })
    .await;
}

/// `subject` stops; returns how long until every observer saw it down.
async fn stop_is_seen_as_down(subject: TestMember, observers: &[&TestMember]) -> Duration {
    let stopped_at = Instant::now();
    subject.membership.stop().await;
    until_seen_down(&subject.local.id, observers).await;
    stopped_at.elapsed()
}

/// SIGKILLs `node` (a member known as `id`) once every observer sees it up; returns how long
/// until every observer saw it down.
async fn kill_is_seen_as_down(node: DevNode, id: &NodeId, observers: &[&TestMember]) -> Duration {
    eventually(WITHIN, "the node to kill seen up", async || {
        observers.iter().all(|observer| observer.sees(id, MemberStatus::Up))
    })
    .await;
    let killed_at = Instant::now();
    node.kill();
    until_seen_down(id, observers).await;
    killed_at.elapsed()
}

async fn until_seen_down(id: &NodeId, observers: &[&TestMember]) {
    eventually(WITHIN, "the member seen down", async || {
        observers.iter().all(|observer| observer.sees(id, MemberStatus::Down))
    })
    .await;
}

/// Runs the shared scenarios on three members: all up, the last leaves, then stops.
async fn three_members_join_leave_and_stop(provider: &str, mut members: Vec<TestMember>) {
    all_see_each_other_up(&members).await;
    let subject = members.pop().expect("three members");
    let observers: Vec<&TestMember> = members.iter().collect();
    leaving_is_seen(&subject, &observers).await;
    let detected = stop_is_seen_as_down(subject, &observers).await;
    println!("DETECTION {provider}: a stopped member was down in every view after {detected:.2?}");
}

// The providers.

#[tokio::test]
async fn single_sees_itself_up_leaving_and_down() {
    let local = local_member(loopback(free_port()));
    let member = TestMember { membership: Box::new(SingleMembership::new(local.clone())), local };
    all_see_each_other_up(std::slice::from_ref(&member)).await;
    leaving_is_seen(&member, &[&member]).await;
    let id = member.local.id.clone();
    let view = member.membership.subscribe();
    member.membership.stop().await;
    assert_eq!(view.borrow().member(&id).map(|member| member.status), Some(MemberStatus::Down));
    println!("DETECTION single: a stopped member is down in its own view at once");
}

async fn gossip_member(port: u16, seed: Option<u16>) -> TestMember {
    let address = loopback(port);
    let local = local_member(address);
    let settings = GossipSettings {
        cluster: CLUSTER.into(),
        listen: address,
        advertise: address,
        seeds: seed.map(|seed| loopback(seed).to_string()).into_iter().collect(),
        gossip_interval: GOSSIP_INTERVAL,
    };
    let membership = GossipMembership::start_udp(local.clone(), settings).await.expect("gossip starts");
    TestMember { local, membership: Box::new(membership) }
}

async fn gossip_trio() -> Vec<TestMember> {
    let seed = free_port();
    vec![
        gossip_member(seed, None).await,
        gossip_member(free_port(), Some(seed)).await,
        gossip_member(free_port(), Some(seed)).await,
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gossip_members_see_each_other_join_leave_and_stop() {
    three_members_join_leave_and_stop("gossip", gossip_trio().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gossip_members_see_a_sigkilled_node_down() {
    let members = gossip_trio().await;
    all_see_each_other_up(&members).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let seed = members[0].local.id.0.clone();
    let interval = format!("{}ms", GOSSIP_INTERVAL.as_millis());
    let args = ["--provider", "gossip", "--seeds", &seed, "--gossip-interval", &interval];
    let node = start_member_with(dir.path(), port, "redb", &args);
    let observers: Vec<&TestMember> = members.iter().collect();
    let detected = kill_is_seen_as_down(node, &NodeId(loopback(port).to_string()), &observers).await;
    println!("DETECTION gossip: a SIGKILLed node was down in every view after {detected:.2?}");
}

async fn etcd_member(etcd: &EtcdServer) -> TestMember {
    let local = local_member(loopback(free_port()));
    let settings = EtcdSettings::new(CLUSTER.into(), vec![etcd.url()]);
    let membership = EtcdMembership::start(local.clone(), settings).await.expect("etcd membership starts");
    TestMember { local, membership: Box::new(membership) }
}

async fn etcd_trio(etcd: &EtcdServer) -> Vec<TestMember> {
    vec![etcd_member(etcd).await, etcd_member(etcd).await, etcd_member(etcd).await]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etcd_members_see_each_other_join_leave_and_stop() {
    let etcd = EtcdServer::start();
    three_members_join_leave_and_stop("etcd", etcd_trio(&etcd).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn etcd_members_see_a_sigkilled_node_down() {
    let etcd = EtcdServer::start();
    let members = etcd_trio(&etcd).await;
    all_see_each_other_up(&members).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let url = etcd.url();
    let node = start_member_with(dir.path(), port, "redb", &["--provider", "etcd", "--etcd", &url]);
    let observers: Vec<&TestMember> = members.iter().collect();
    let detected = kill_is_seen_as_down(node, &NodeId(loopback(port).to_string()), &observers).await;
    println!("DETECTION etcd: a SIGKILLed node was down in every view after {detected:.2?} (lease TTL 3 s)");
}

#[tokio::test]
async fn etcd_unreachable_is_a_clear_error() {
    let local = local_member(loopback(free_port()));
    let endpoint = format!("http://127.0.0.1:{}", free_port());
    let settings = EtcdSettings::new(CLUSTER.into(), vec![endpoint.clone()]);
    let error = EtcdMembership::start(local, settings).await.err().expect("no etcd there");
    let message = format!("{error:#}");
    assert!(message.contains(&format!("cannot register with etcd at {endpoint}")), "{message}");
}
