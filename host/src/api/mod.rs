//! How clients reach a node: the gRPC API.

pub mod grpc;
mod status;

/// Generated from proto/granary/v1/granary.proto.
pub mod proto {
    tonic::include_proto!("granary.v1");
}
