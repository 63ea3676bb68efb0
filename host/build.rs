//! Generates the gRPC server and client from proto/. Uses `$PROTOC` if set, else the
//! protoc binary shipped by the protoc-bin-vendored crate, so no system package is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PROTOC").is_none() {
        let protoc = protoc_bin_vendored::protoc_bin_path()?;
        // SAFETY: build scripts are single-threaded; nothing else reads the environment concurrently.
        unsafe { std::env::set_var("PROTOC", protoc) };
    }
    tonic_prost_build::configure()
        .compile_protos(&["proto/granary/v1/granary.proto"], &["proto"])?;
    Ok(())
}
