//! gRPC server reflection: a generic client can discover the public API without the .proto,
//! and only the public API: the peer protocol is not listed on the public port.

use crate::support::process::DevNode;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

async fn ask(
    client: &mut ServerReflectionClient<tonic::transport::Channel>,
    request: MessageRequest,
) -> MessageResponse {
    asked(client, request).await.expect("reflection answers")
}

async fn asked(
    client: &mut ServerReflectionClient<tonic::transport::Channel>,
    request: MessageRequest,
) -> Result<MessageResponse, tonic::Status> {
    let request = ServerReflectionRequest { host: String::new(), message_request: Some(request) };
    let within = std::time::Duration::from_secs(20);
    let call = client.server_reflection_info(tokio_stream::iter([request]));
    let mut replies =
        tokio::time::timeout(within, call).await.expect("reflection answers").expect("reflection call").into_inner();
    let reply = tokio::time::timeout(within, replies.message()).await.expect("a reply in time")?;
    Ok(reply.expect("one reply").message_response.expect("a response"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reflection_lists_and_describes_the_services() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::start(data.path(), &[]);
    let channel = tonic::transport::Channel::from_shared(node.server.clone()).expect("address").connect().await;
    let mut client = ServerReflectionClient::new(channel.expect("connect"));

    let MessageResponse::ListServicesResponse(list) =
        ask(&mut client, MessageRequest::ListServices(String::new())).await
    else {
        panic!("expected a service list");
    };
    let mut names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
    names.sort();
    assert_eq!(
        names,
        ["granary.v1.Grains", "granary.v1.Kinds", "granary.v1.Node", "grpc.reflection.v1.ServerReflection"],
        "reflection lists the public services and nothing else"
    );
    let peer = asked(&mut client, MessageRequest::FileContainingSymbol("granary.cluster.v1.Peer".into())).await;
    let peer_described = matches!(peer, Ok(MessageResponse::FileDescriptorResponse(_)));
    assert!(!peer_described, "the peer protocol is not described on the public port: {peer:?}");

    let described = ask(&mut client, MessageRequest::FileContainingSymbol("granary.v1.Grains".into())).await;
    let MessageResponse::FileDescriptorResponse(files) = described else { panic!("expected descriptors") };
    let descriptor = files.file_descriptor_proto.concat();
    let text = String::from_utf8_lossy(&descriptor);
    assert!(text.contains("granary/v1/granary.proto") && text.contains("CallRequest"), "descriptor names the API");
    node.stop();
}

/// grpcio-reflection speaks v1alpha: the stock Python client lists the services, finds the
/// Grains service's descriptor and, with the types it got that way, calls a grain.
#[test]
fn a_v1alpha_client_discovers_and_calls_a_grain() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &[]);
    let python = crate::support::python_tools();
    let script = crate::support::repo_root().join("tests/e2e/reflection_v1alpha.py");
    let target = node.server.trim_start_matches("http://");
    let output = std::process::Command::new(python).arg(script).arg(target).output().expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the v1alpha client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("granary.v1.Grains"), "services listed: {stdout}");
    assert!(stdout.contains(r#"reply {"total":3}"#), "the grain answered through reflected types: {stdout}");
    node.stop();
}
