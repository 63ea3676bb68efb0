//! Generates the gRPC server and client, and the descriptor set served by reflection, from
//! proto/. Uses `$PROTOC` if set, else the protoc shipped by the protoc-bin-vendored crate.

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
    // `granary bench`'s baseline service; not part of the node's API or its reflection.
    tonic_prost_build::configure().compile_protos(&["proto/granary/bench/v1/echo.proto"], &["proto"])?;
    Ok(())
}
