//! Generates the gRPC server and client from proto/ (needs `protoc`: Debian's protobuf-compiler).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tonic_prost_build::configure()
        .compile_protos(&["proto/granary/v1/granary.proto"], &["proto"])?;
    Ok(())
}
