//! Real `granary node` processes forming a cluster on loopback, and a gRPC client to them.

use super::process::DevNode;
use super::tls::{TestCa, TestCert};
use granary::proto::api::grains_client::GrainsClient;
use granary::proto::api::node_client::NodeClient;
use granary::proto::api::{CallRequest, GrainRef, ListGrainsRequest, NodeInfoRequest};
use std::net::{TcpListener, UdpSocket};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;
use tonic::transport::Channel;

/// A port free for both TCP (gRPC) and UDP (gossip), as a node needs.
pub fn free_port() -> u16 {
    loop {
        let tcp = TcpListener::bind("127.0.0.1:0").expect("bind a TCP port");
        let port = tcp.local_addr().expect("local addr").port();
        if UdpSocket::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// Starts a gossip member on `port`, joining through `seeds`, with state in `state`.
pub fn start_member(data_dir: &Path, port: u16, seeds: &[u16], state: &str) -> DevNode {
    let seeds: Vec<String> = seeds.iter().map(|seed| format!("127.0.0.1:{seed}")).collect();
    let seeds = seeds.join(",");
    let mut provider = vec!["--provider", "gossip"];
    if !seeds.is_empty() {
        provider.extend(["--seeds", &seeds]);
    }
    start_member_with(data_dir, port, state, &provider)
}

/// Starts a member of the cluster `test` on `port` with state in `state`; `provider_args`
/// say how it finds the others.
pub fn start_member_with(data_dir: &Path, port: u16, state: &str, provider_args: &[&str]) -> DevNode {
    let listen = format!("127.0.0.1:{port}");
    let tls = member_tls();
    let mut args = vec!["node", "--cluster", "test", "--listen", &listen, "--state", state];
    args.extend(["--data-dir", data_dir.to_str().expect("UTF-8 path")]);
    args.extend(tls.iter().map(String::as_str));
    args.extend_from_slice(provider_args);
    DevNode::spawn(&args)
}

/// The flags that make a test member speak mutual TLS with its peers: one test CA for the
/// whole test binary, and a member certificate for the clusters `test` and `partition`.
pub fn member_tls() -> Vec<String> {
    static PKI: OnceLock<(TestCa, TestCert)> = OnceLock::new();
    let (ca, member) = PKI.get_or_init(|| {
        let ca = TestCa::new("granary test CA");
        let member = ca.issue("member", &["test", "partition"]);
        (ca, member)
    });
    member.node_flags(&ca.ca)
}

pub async fn client(port: u16) -> GrainsClient<Channel> {
    client_at(&format!("http://127.0.0.1:{port}")).await
}

/// A client of the member at `server` (`http://HOST:PORT`).
pub async fn client_at(server: &str) -> GrainsClient<Channel> {
    let channel = Channel::from_shared(server.to_string())
        .expect("address")
        .connect_timeout(Duration::from_secs(2))
        .connect()
        .await
        .expect("connect to a member");
    GrainsClient::new(channel)
}

/// Calls `kind/identity` through `client`, with a deadline of `timeout`.
pub async fn call(
    client: &mut GrainsClient<Channel>,
    kind: &str,
    identity: &str,
    method: &str,
    payload: &str,
    timeout: Duration,
) -> Result<String, tonic::Status> {
    let mut request = tonic::Request::new(CallRequest {
        grain: Some(GrainRef { kind: kind.into(), identity: identity.into() }),
        method: method.into(),
        payload: payload.as_bytes().to_vec(),
    });
    request.set_timeout(timeout);
    let reply = client.call(request).await?.into_inner();
    Ok(String::from_utf8(reply.payload).expect("UTF-8 reply"))
}

/// The identities live on the member at `port`.
pub async fn live_grains(port: u16) -> Vec<String> {
    live_grains_at(&format!("http://127.0.0.1:{port}")).await
}

/// The identities live on the member at `server` (`http://HOST:PORT`).
pub async fn live_grains_at(server: &str) -> Vec<String> {
    let reply = client_at(server).await.list_grains(ListGrainsRequest::default()).await.expect("list grains");
    reply
        .into_inner()
        .grains
        .into_iter()
        .filter_map(|g| g.grain.map(|g| format!("{}/{}", g.kind, g.identity)))
        .collect()
}

/// Messages the member at `port` has asked again with a fresh view, so far.
pub async fn retried_messages(port: u16) -> u64 {
    let channel = Channel::from_shared(format!("http://127.0.0.1:{port}")).expect("address").connect_lazy();
    let reply = NodeClient::new(channel).node_info(NodeInfoRequest::default()).await.expect("node info");
    reply.into_inner().retried_messages
}
