//! Scripted multi-member scenarios in one process, over the in-memory peer link: a member
//! whose view lags forwards to an old owner, is told "not here" and asks again until its view
//! catches up; a member that joins takes over its grains, their state with them; a member
//! that dies has its grains started again elsewhere from their saved state; a member is ready
//! only while it holds every kind the others hold and is not draining.

use crate::support::eventually;
use crate::support::in_process::{InProcess, Link};
use granary::cluster::Placement;
use granary::ids::GrainId;
use std::collections::{BTreeSet, HashSet};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_with_a_stale_view_is_told_not_here_and_retries_until_it_catches_up() {
    let mut cluster = InProcess::start(2, Link::Memory).await;
    let lagging = cluster.id(0);
    cluster.world.freeze(&lagging);
    let newcomer = cluster.add().await;
    // A grain the newcomer owns, which the lagging member still places on member 1.
    let grain = (0..10_000)
        .map(|i| GrainId::new("counter", format!("g{i}")).expect("grain id"))
        .find(|grain| {
            let stale = cluster.nodes[0].cluster().placement(grain, &BTreeSet::new());
            let fresh = cluster.nodes[1].cluster().placement(grain, &BTreeSet::new());
            matches!(stale, Placement::Remote { ref owner, .. } if *owner == cluster.id(1))
                && matches!(fresh, Placement::Remote { ref owner, .. } if *owner == cluster.id(newcomer))
        })
        .expect("some grain moved to the newcomer");
    let caller = std::sync::Arc::clone(&cluster.nodes[0]);
    let target = grain.clone();
    let add = tokio::spawn(async move { caller.call(&target, "add", br#"{"n":1}"#.to_vec(), None).await });
    eventually(Duration::from_secs(10), "the lagging member to retry", async || {
        cluster.nodes[0].router().traffic().retried() > 0
    })
    .await;
    assert!(!add.is_finished(), "member 1 refused it as not its own: it waits for a fresh view");
    cluster.world.thaw(&lagging);
    assert_eq!(add.await.expect("the caller").expect("delivered after the view caught up"), br#"{"total":1}"#);
    assert!(cluster.nodes[newcomer].grains().iter().any(|listing| listing.grain == grain), "the newcomer runs it");
    assert!(cluster.nodes[1].grains().iter().all(|listing| listing.grain != grain), "member 1 never did");
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_joining_member_takes_over_its_grains_with_their_state() {
    let mut cluster = InProcess::start(2, Link::Memory).await;
    let grains: Vec<GrainId> = (0..60).map(|i| GrainId::new("counter", format!("c{i}")).expect("grain id")).collect();
    for (i, grain) in grains.iter().enumerate() {
        let payload = format!(r#"{{"n":{}}}"#, i + 1).into_bytes();
        cluster.nodes[i % 2].call(grain, "add", payload, None).await.expect("add");
    }
    let newcomer = cluster.add().await;
    cluster.settle().await;
    for (i, grain) in grains.iter().enumerate() {
        let reply = cluster.nodes[(i + 1) % 3].call(grain, "get", Vec::new(), None).await.expect("get");
        assert_eq!(reply, format!(r#"{{"total":{}}}"#, i + 1).into_bytes(), "{grain} kept its total");
    }
    let mut seen = HashSet::new();
    for node in &cluster.nodes {
        for listing in node.grains() {
            assert!(seen.insert(listing.grain.clone()), "{} is live on two members", listing.grain);
        }
    }
    assert!(!cluster.nodes[newcomer].grains().is_empty(), "the newcomer took its share");
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_members_grains_start_again_elsewhere_with_their_state() {
    let cluster = InProcess::start(3, Link::Memory).await;
    let grain = cluster.owned_by(1, "counter");
    let added = cluster.nodes[0].call(&grain, "add", br#"{"n":7}"#.to_vec(), None).await.expect("add");
    assert_eq!(added, br#"{"total":7}"#);
    // Member 1 dies: nothing reaches it any more, and the others see it down.
    let dead = cluster.nodes[1].cluster().local().peer;
    for survivor in [0, 2] {
        cluster.network.cut(cluster.nodes[survivor].cluster().local().peer, dead);
    }
    cluster.world.kill(&cluster.id(1));
    let reply = cluster.nodes[0].call(&grain, "get", Vec::new(), None).await.expect("answered by a survivor");
    assert_eq!(reply, br#"{"total":7}"#, "the saved state came along");
    assert!(
        cluster.nodes[0].grains().iter().chain(cluster.nodes[2].grains().iter()).any(|listing| listing.grain == grain),
        "a survivor runs it now"
    );
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_is_ready_only_once_it_holds_every_kind_and_unready_once_it_drains() {
    let mut cluster = InProcess::start(1, Link::Memory).await;
    // Member 0 does not see the newcomer come up yet, so it gives it none of its kinds.
    let first = cluster.id(0);
    cluster.world.freeze(&first);
    let newcomer = cluster.add().await;
    let probe: granary::ids::KindName = "probe".parse().expect("kind name");
    cluster.nodes[newcomer].kinds().remove(&probe).expect("removed here alone, as if it had missed the push");
    eventually(Duration::from_secs(10), "the member missing a kind to say which", async || {
        let reasons = cluster.nodes[newcomer].unready_reasons().await;
        reasons.len() == 1 && reasons[0].starts_with("kinds not held yet: probe@")
    })
    .await;
    // Once member 0 sees the newcomer up, it gives it every kind it holds.
    cluster.world.thaw(&first);
    eventually(Duration::from_secs(10), "the newcomer to be ready once given the kind", async || {
        cluster.nodes[newcomer].unready_reasons().await.is_empty()
    })
    .await;
    assert!(cluster.nodes[newcomer].kinds().get("probe").is_some(), "it holds the kind again");
    eventually(Duration::from_secs(10), "the other member to be ready", async || {
        cluster.nodes[0].unready_reasons().await.is_empty()
    })
    .await;
    cluster.nodes[0].begin_drain();
    assert_eq!(cluster.nodes[0].unready_reasons().await, ["draining"], "a drain turns it unready at once");
    cluster.shutdown().await;
}
