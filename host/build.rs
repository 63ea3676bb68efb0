//! Generates the wire types from proto/: the public API (`granary.v1`, with the descriptor set
//! served by reflection) and the peer protocol (`granary.cluster.v1`). Uses `$PROTOC` if set,
//! else the protoc shipped by the protoc-bin-vendored crate.

use std::path::PathBuf;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PROTOC").is_none() {
        let protoc = protoc_bin_vendored::protoc_bin_path()?;
        // SAFETY: build scripts are single-threaded; nothing else reads the environment concurrently.
        unsafe { std::env::set_var("PROTOC", protoc) };
    }
    let out_dir = PathBuf::from(std::env::var("OUT_DIR")?);
    tonic_prost_build::configure()
        .file_descriptor_set_path(out_dir.join("granary_descriptor.bin"))
        // Listings are also served as JSON by the HTTP gateway and `--json` in the CLI.
        .type_attribute(".", "#[derive(serde::Serialize)]")
        .compile_protos(&["proto/granary/v1/granary.proto"], &["proto"])?;
    tonic_prost_build::configure().compile_protos(&["proto/granary/cluster/v1/cluster.proto"], &["proto"])?;
    Ok(())
}
