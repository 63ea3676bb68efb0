//! How clients reach a node: the public gRPC API (`granary.v1`, with reflection of it alone)
//! and the HTTP/JSON gateway, optionally over TLS. Peers never come this way: they use the
//! peer port (see [`crate::cluster::transport`]).

pub mod auth;
mod convert;
mod dashboard;
pub mod grpc;
mod health;
pub mod http;
mod metrics;
mod status;
pub mod tls;
mod watch;

use crate::node::Node;
use std::sync::Arc;

/// What every API surface needs: the node and the tokens that guard it.
#[derive(Clone)]
pub struct ApiContext {
    /// The node served.
    pub node: Arc<Node>,
    /// The tokens requests must carry.
    pub tokens: auth::Tokens,
}

/// Turns Nagle's algorithm off on an accepted connection: a reply written in several small
/// pieces would otherwise wait for the client's (delayed) ACK.
fn no_delay(stream: &tokio::net::TcpStream) {
    if let Err(e) = stream.set_nodelay(true) {
        tracing::debug!("cannot set TCP_NODELAY on an accepted connection: {e}");
    }
}
