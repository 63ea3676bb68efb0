//! One suite for both peer links, the in-memory one and tonic on loopback (with a cluster
//! secret): real nodes in one process forward calls and one-way messages to the member that
//! owns the grain, pass errors back as they are, spread kinds, count grains across members,
//! and fail a message that may have run instead of sending it twice.

use crate::support::eventually;
use crate::support::in_process::{InProcess, Link};
use granary::error::CallError;
use std::time::Duration;

async fn forwards_calls_sends_errors_kinds_and_counts(link: Link) {
    let cluster = InProcess::start(2, link).await;
    let (caller, owner) = (&cluster.nodes[0], &cluster.nodes[1]);
    let grain = cluster.owned_by(1, "counter");

    let reply = caller.call(&grain, "add", br#"{"n":2}"#.to_vec(), None).await.expect("a forwarded call");
    assert_eq!(reply, br#"{"total":2}"#);
    assert!(owner.grains().iter().any(|listing| listing.grain == grain), "the owner hosts it");
    assert!(caller.grains().is_empty(), "the caller hosts nothing");
    assert!(caller.router().traffic().forwarded() >= 1);

    caller.send(&grain, "add", br#"{"n":3}"#.to_vec(), None).await.expect("a forwarded send");
    eventually(Duration::from_secs(10), "the one-way add applied", async || {
        owner.call(&grain, "get", Vec::new(), None).await.ok().as_deref() == Some(br#"{"total":5}"#.as_slice())
    })
    .await;

    let error = caller.call(&grain, "no-such-method", Vec::new(), None).await.expect_err("the grain refuses it");
    assert!(matches!(&error, CallError::Failed(why) if why.contains("no-such-method")), "{error:?}");
    // x on the owner calls y on the caller's member, which calls x again: the chain crosses
    // the link both ways and the cycle is refused.
    let (x, y) = (cluster.owned_by(1, "probe"), cluster.owned_by(0, "probe"));
    let cycle = format!(r#"{{"target":"{y}","method":"call","payload":{{"target":"{x}","method":"whoami"}}}}"#);
    let error = caller.call(&x, "call", cycle.into_bytes(), None).await.expect_err("a cycle across members");
    let chain = format!("call cycle rejected: {x} -> {y} -> {x}");
    assert!(matches!(&error, CallError::Failed(why) if why.contains(&chain)), "{error:?}");

    let account = crate::support::component("rust", "account");
    caller.push_kind("account", account, Default::default()).await.expect("push on the first member");
    eventually(Duration::from_secs(20), "the kind announced to the other member", async || {
        owner.kinds().get("account").is_some()
    })
    .await;

    let status = caller.cluster_status().await;
    let counted = status.members.iter().find(|member| member.id == cluster.id(1)).expect("the owner listed");
    let counts = counted.grains_per_kind.as_ref().expect("the owner answered over the peer link");
    assert!(counts.get("counter").copied().unwrap_or(0) >= 1, "{counts:?}");
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_transport_passes_the_suite() {
    forwards_calls_sends_errors_kinds_and_counts(Link::Memory).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tonic_transport_passes_the_suite() {
    forwards_calls_sends_errors_kinds_and_counts(Link::Tonic).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn memory_transport_fails_a_message_whose_reply_was_lost_as_may_have_run() {
    let cluster = InProcess::start(2, Link::Memory).await;
    let grain = cluster.owned_by(1, "counter");
    cluster.network.lose_replies_from(cluster.nodes[1].cluster().local().peer);
    let error = cluster.nodes[0].call(&grain, "add", br#"{"n":1}"#.to_vec(), None).await.expect_err("no reply");
    assert!(matches!(error, CallError::MayHaveRun(_)), "{error:?}");
    eventually(Duration::from_secs(10), "the add ran on the owner", async || {
        cluster.nodes[1].call(&grain, "get", Vec::new(), None).await.ok().as_deref()
            == Some(br#"{"total":1}"#.as_slice())
    })
    .await;
    cluster.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tonic_transport_fails_a_message_in_flight_on_a_closing_link_as_may_have_run() {
    let cluster = InProcess::start(2, Link::Tonic).await;
    let grain = cluster.owned_by(1, "chaos");
    let caller = std::sync::Arc::clone(&cluster.nodes[0]);
    let looping = tokio::spawn(async move { caller.call(&grain, "loop", Vec::new(), None).await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The owner's peer port closes while the grain runs the message.
    let owner = std::sync::Arc::clone(&cluster.nodes[1]);
    let closing = tokio::spawn(async move { owner.cluster().transport().shutdown().await });
    let error = looping.await.expect("the caller").expect_err("the link closed");
    assert!(matches!(error, CallError::MayHaveRun(_)), "{error:?}");
    closing.await.expect("the transport stops");
    cluster.shutdown().await;
}
