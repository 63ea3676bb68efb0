//! What a peer sends on the peer port: request batches, kind announcements and module chunks,
//! decoded as the node decodes them, then checked as the node checks them (grain ids, kind
//! names, versions).
#![no_main]

#[allow(dead_code)] // every message type is generated; the target decodes a few
mod proto {
    include!(concat!(env!("OUT_DIR"), "/granary.cluster.v1.rs"));
}

use granary_wire::ids::{GrainId, KindName, Version};
use prost::Message;

fn grain(grain: Option<&proto::GrainRef>) {
    if let Some(grain) = grain {
        let id = GrainId::new(grain.kind.as_str(), grain.identity.as_str());
        if let Ok(id) = id {
            assert_eq!(id.to_string(), format!("{}/{}", grain.kind, grain.identity));
        }
    }
}

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let Some((&which, bytes)) = bytes.split_first() else { return };
    match which % 4 {
        0 => {
            if let Ok(batch) = proto::RequestBatch::decode(bytes) {
                for request in &batch.requests {
                    grain(request.grain.as_ref());
                    request.chain.iter().for_each(|link| grain(Some(link)));
                }
            }
        }
        1 => {
            if let Ok(announcement) = proto::KindAnnouncement::decode(bytes) {
                announcement.name.parse::<KindName>().ok();
                announcement.version.parse::<Version>().ok();
            }
        }
        2 => {
            if let Ok(batch) = proto::ReplyBatch::decode(bytes) {
                batch.encode_to_vec();
            }
        }
        _ => {
            proto::ModuleChunk::decode(bytes).ok();
            proto::HelloRequest::decode(bytes).ok();
        }
    }
});
