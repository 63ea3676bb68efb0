//! Nothing reaches a grain around the call token: the public port serves no peer protocol, a
//! dev node opens no peer port, and a cluster member's peer port answers only callers with the
//! cluster secret, or with a certificate signed by the cluster's CA. These tests speak the peer
//! protocol themselves, as a stranger would.

use crate::support::cluster::free_port;
use crate::support::process::DevNode;
use crate::support::tls::TestCa;
use granary::proto::api::grains_client::GrainsClient;
use granary::proto::api::{CallRequest, GrainRef};
use granary::proto::cluster::peer_client::PeerClient;
use granary::proto::cluster::{self as wire, CatalogRequest, GrainCountsRequest, HelloRequest, RequestBatch};
use std::time::Duration;
use tonic::transport::{Certificate, Channel, ClientTlsConfig, Endpoint, Identity};
use tonic::{Code, Request, Status};

async fn channel(endpoint: Endpoint) -> Result<Channel, tonic::transport::Error> {
    endpoint.connect_timeout(Duration::from_secs(5)).connect().await
}

fn plain(address: &str) -> Endpoint {
    Endpoint::from_shared(format!("http://{address}")).expect("address")
}

/// `counter/vault add {"n":1000}` as a peer would send it, and the outcome it gets.
async fn exchange_add(client: &mut PeerClient<Channel>, secret: Option<&str>) -> Result<Vec<u8>, Status> {
    let request = wire::Request {
        id: 1,
        grain: Some(wire::GrainRef { kind: "counter".into(), identity: "vault".into() }),
        method: "add".into(),
        payload: br#"{"n":1000}"#.to_vec(),
        timeout_ms: 10_000,
        chain: Vec::new(),
        one_way: false,
        traceparent: String::new(),
    };
    let mut request = Request::new(tokio_stream::iter([RequestBatch { requests: vec![request] }]));
    if let Some(secret) = secret {
        request.metadata_mut().insert("authorization", format!("Bearer {secret}").parse().expect("ASCII"));
    }
    let mut replies = client.exchange(request).await?.into_inner();
    let batch = tokio::time::timeout(Duration::from_secs(20), replies.message())
        .await
        .expect("a reply in time")?
        .expect("one batch");
    match batch.replies.into_iter().next().and_then(|reply| reply.outcome) {
        Some(wire::reply::Outcome::Payload(payload)) => Ok(payload),
        other => panic!("unexpected outcome {other:?}"),
    }
}

/// The peer address a member announces, from its cluster status, once it sees itself up.
fn peer_address(node: &DevNode, extra: &[&str]) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let mut args = vec!["cluster", "status", "--json"];
        args.extend_from_slice(extra);
        let status = node.cli(&args);
        let status: serde_json::Value = serde_json::from_str(&status.stdout).unwrap_or_default();
        let me = &status["members"][0];
        if let (Some(address), Some("up")) = (me["peer_address"].as_str(), me["status"].as_str()) {
            return address.to_string();
        }
        assert!(std::time::Instant::now() < deadline, "no cluster status: {}", node.log());
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dev_node_serves_no_peer_protocol_and_its_calls_need_the_token() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &["--call-token", "s3cret", "--admin-token", "adm1n"]);
    assert!(node.log().contains("peer=off"), "a dev node opens no peer port:\n{}", node.log());
    let public = node.server.trim_start_matches("http://").to_string();

    let mut stranger = PeerClient::new(channel(plain(&public)).await.expect("connect"));
    let refused = exchange_add(&mut stranger, None).await.expect_err("no peer protocol on the public port");
    assert_eq!(refused.code(), Code::Unimplemented, "{refused:?}");
    let hello = stranger.hello(HelloRequest { challenge: vec![1] }).await.expect_err("no peer protocol at all");
    assert_eq!(hello.code(), Code::Unimplemented);

    let mut grains = GrainsClient::new(channel(plain(&public)).await.expect("connect"));
    let call = CallRequest {
        grain: Some(GrainRef { kind: "counter".into(), identity: "vault".into() }),
        method: "add".into(),
        payload: br#"{"n":1000}"#.to_vec(),
    };
    let denied = grains.call(call).await.expect_err("the call token is needed");
    assert_eq!(denied.code(), Code::PermissionDenied);
    assert_eq!(node.cli(&["call", "counter/vault", "get", "--token", "s3cret"]).reply(), r#"{"total":0}"#);
    node.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_peer_port_needs_the_cluster_secret() {
    let data = tempfile::tempdir().expect("temp dir");
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let counter = crate::support::component_path("rust", "counter");
    let kinds = counter.parent().expect("grains dir").to_str().expect("UTF-8").to_string();
    let node = DevNode::spawn(&[
        "node",
        "--provider",
        "gossip",
        "--cluster",
        "test",
        "--listen",
        &listen,
        "--data-dir",
        data.path().to_str().expect("UTF-8"),
        "--cluster-secret",
        "right-secret",
        "--call-token",
        "s3cret",
    ]);
    assert!(!node.log().contains("unauthenticated"), "a member with a secret does not warn:\n{}", node.log());
    let pushed = node.cli(&["kind", "push", "counter", &format!("{kinds}/counter.wasm")]);
    assert!(pushed.success, "{}", pushed.stderr);
    let peer = peer_address(&node, &[]);
    assert_ne!(peer, listen, "the peer port is not the public one");

    let mut stranger = PeerClient::new(channel(plain(&peer)).await.expect("connect"));
    for secret in [None, Some("wrong-secret")] {
        let refused = exchange_add(&mut stranger, secret).await.expect_err("refused without the secret");
        assert_eq!(refused.code(), Code::Unauthenticated, "{refused:?}");
        let mut counts = Request::new(GrainCountsRequest {});
        let mut catalog = Request::new(CatalogRequest {});
        if let Some(secret) = secret {
            let bearer: tonic::metadata::MetadataValue<_> = format!("Bearer {secret}").parse().expect("ASCII");
            counts.metadata_mut().insert("authorization", bearer.clone());
            catalog.metadata_mut().insert("authorization", bearer);
        }
        assert_eq!(stranger.grain_counts(counts).await.expect_err("refused").code(), Code::Unauthenticated);
        assert_eq!(stranger.catalog(catalog).await.expect_err("refused").code(), Code::Unauthenticated);
    }
    // Hello answers anyone, with a proof a stranger cannot check without the secret.
    let hello = stranger.hello(HelloRequest { challenge: vec![7; 32] }).await.expect("hello").into_inner();
    assert_eq!(hello.name, listen);
    assert_eq!(hello.proof.len(), 32);
    assert_eq!(node.cli(&["call", "counter/vault", "get", "--token", "s3cret"]).reply(), r#"{"total":0}"#);

    // A member holding the secret is served: the secret, not the port, is what lets it in.
    let added = exchange_add(&mut stranger, Some("right-secret")).await.expect("a member is served");
    assert_eq!(added, br#"{"total":1000}"#);
    let mut public = PeerClient::new(channel(plain(&listen)).await.expect("connect"));
    let refused = exchange_add(&mut public, Some("right-secret")).await.expect_err("no peer protocol publicly");
    assert_eq!(refused.code(), Code::Unimplemented);
    node.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_members_peer_port_needs_a_certificate_of_the_clusters_ca() {
    let ours = TestCa::new("cluster CA");
    let foreign = TestCa::new("someone else's CA");
    let member = ours.issue("member", &["test", "localhost", "127.0.0.1"]);
    let data = tempfile::tempdir().expect("temp dir");
    let listen = format!("127.0.0.1:{}", free_port());
    let mut args: Vec<String> =
        ["node", "--provider", "gossip", "--cluster", "test", "--listen", &listen, "--data-dir"]
            .iter()
            .map(|arg| arg.to_string())
            .collect();
    args.push(data.path().to_str().expect("UTF-8").into());
    args.extend(member.node_flags(&ours.ca));
    args.push("--public-tls".into());
    let node = DevNode::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(node.server.starts_with("https://"), "the public port serves TLS: {}", node.server);

    // The CLI reaches the public port over TLS with the CA, and not without it.
    let ca = ours.ca.to_str().expect("UTF-8");
    let peer = peer_address(&node, &["--ca", ca]);
    assert!(!node.cli(&["cluster", "status"]).success, "the system roots do not trust a test CA");
    let counter = crate::support::component_path("rust", "counter");
    let pushed = node.cli(&["kind", "push", "counter", counter.to_str().expect("UTF-8"), "--ca", ca]);
    assert!(pushed.success, "{}", pushed.stderr);

    let tls = |ca: &TestCa, client: Option<&crate::support::tls::TestCert>| {
        let mut tls = ClientTlsConfig::new()
            .ca_certificate(Certificate::from_pem(std::fs::read(&ca.ca).expect("CA")))
            .domain_name("test");
        if let Some(client) = client {
            let identity = Identity::from_pem(
                std::fs::read(&client.cert).expect("certificate"),
                std::fs::read(&client.key).expect("key"),
            );
            tls = tls.identity(identity);
        }
        Endpoint::from_shared(format!("https://{peer}")).expect("address").tls_config(tls).expect("TLS")
    };
    let hello = || HelloRequest { challenge: vec![3; 32] };

    let colleague = ours.issue("colleague", &["test"]);
    let mut member_client = PeerClient::new(channel(tls(&ours, Some(&colleague))).await.expect("a member connects"));
    assert_eq!(member_client.hello(hello()).await.expect("served").into_inner().name, listen);
    assert_eq!(
        exchange_add(&mut member_client, None).await.expect("a member is served"),
        br#"{"total":1000}"#.to_vec()
    );

    // A certificate of another CA, or none, is refused in the handshake.
    let stranger = foreign.issue("stranger", &["test"]);
    for client in [Some(&stranger), None] {
        let refused = match channel(tls(&ours, client)).await {
            Err(_) => true,
            Ok(channel) => PeerClient::new(channel).hello(hello()).await.is_err(),
        };
        assert!(refused, "a caller without a certificate of the cluster's CA is refused");
    }
    // And this member does not trust a peer port whose certificate another CA signed.
    let wrong_server = match channel(tls(&foreign, Some(&stranger))).await {
        Err(_) => true,
        Ok(channel) => PeerClient::new(channel).hello(hello()).await.is_err(),
    };
    assert!(wrong_server, "a client of another CA does not accept this member's certificate either");
    node.stop();
}
