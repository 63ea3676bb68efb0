//! How clients reach a node: the gRPC API (with reflection) and the HTTP/JSON gateway.

pub mod auth;
mod cluster_status;
mod convert;
pub mod grpc;
pub mod http;
mod remote;
pub mod replicate;
mod status;

use crate::node::Node;
use std::sync::Arc;

/// Generated from proto/granary/v1/granary.proto.
pub mod proto {
    tonic::include_proto!("granary.v1");

    /// The encoded descriptors, served by gRPC reflection.
    pub const DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("granary_descriptor");
}

/// What every API surface needs: the node and the tokens that guard it.
#[derive(Clone)]
pub struct ApiContext {
    pub node: Arc<Node>,
    pub tokens: auth::Tokens,
}
