//! Generates the baseline echo service (`proto/granary/bench/v1/echo.proto`) the remote-call
//! scenario is measured against. Uses `$PROTOC` if set, else the vendored protoc.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PROTOC").is_none() {
        let protoc = protoc_bin_vendored::protoc_bin_path()?;
        // SAFETY: build scripts are single-threaded; nothing else reads the environment concurrently.
        unsafe { std::env::set_var("PROTOC", protoc) };
    }
    tonic_prost_build::configure().compile_protos(&["proto/granary/bench/v1/echo.proto"], &["proto"])?;
    Ok(())
}
