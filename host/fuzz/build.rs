//! The message types of the public API and the peer protocol, generated from host/proto by
//! the same prost version the node uses: the decoders fuzzed are the node's.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    if std::env::var_os("PROTOC").is_none() {
        // SAFETY: build scripts are single-threaded; nothing else reads the environment concurrently.
        unsafe { std::env::set_var("PROTOC", protoc_bin_vendored::protoc_bin_path()?) };
    }
    prost_build::compile_protos(
        &["../proto/granary/v1/granary.proto", "../proto/granary/cluster/v1/cluster.proto"],
        &["../proto"],
    )?;
    Ok(())
}
