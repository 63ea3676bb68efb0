//! What a client sends on the public gRPC port: calls, sends and kind pushes, decoded as the
//! node decodes them, then checked as the node checks them.
#![no_main]

#[allow(dead_code)] // every message type is generated; the target decodes a few
mod proto {
    include!(concat!(env!("OUT_DIR"), "/granary.v1.rs"));
}

use granary_wire::ids::{GrainId, KindName};
use prost::Message;

fn grain(grain: Option<proto::GrainRef>) {
    if let Some(grain) = grain {
        GrainId::new(grain.kind, grain.identity).ok();
    }
}

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let Some((&which, bytes)) = bytes.split_first() else { return };
    match which % 3 {
        0 => {
            if let Ok(call) = proto::CallRequest::decode(bytes) {
                grain(call.grain);
            }
        }
        1 => {
            if let Ok(send) = proto::SendRequest::decode(bytes) {
                grain(send.grain);
            }
        }
        _ => {
            if let Ok(chunk) = proto::PushKindChunk::decode(bytes)
                && let Some(proto::push_kind_chunk::Part::Header(header)) = chunk.part
            {
                header.name.parse::<KindName>().ok();
            }
        }
    }
});
