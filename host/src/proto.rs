//! The wire types generated from `host/proto/`: a leaf every layer may use, never edited by hand.

/// The public API, `granary.v1` (`Grains`, `Kinds`, `Node`), served on the public port.
#[allow(missing_docs)]
pub mod api {
    tonic::include_proto!("granary.v1");

    /// The encoded descriptors of the public API: all that reflection lists.
    pub const DESCRIPTOR_SET: &[u8] = tonic::include_file_descriptor_set!("granary_descriptor");
}

/// The peer protocol, `granary.cluster.v1`, served on the peer port to members only.
#[allow(missing_docs)]
pub mod cluster {
    tonic::include_proto!("granary.cluster.v1");
}
