//! Traces across members: two members export a span per turn to an OTLP collector the test
//! runs. Transfers (each three grains: the transfer and two accounts, spread over both members)
//! started with a caller's `traceparent` each make one trace: the transfer's turn is a child
//! of the caller's span, and both account turns children of the transfer's, wherever they ran.

use crate::support::cluster::{client, free_port, start_member_with};
use crate::support::component_path;
use crate::{members_up, wait_until};
use granary::proto::api::{CallRequest, GrainRef};
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_server::{TraceService, TraceServiceServer};
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::common::v1::{KeyValue, any_value::Value};
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The span the test's caller is in: the parent of every transfer's turn.
const CALLER_SPAN: &str = "00000000000000c1";
const TRANSFERS: u32 = 8;

/// One span as the collector received it.
#[derive(Clone, Debug)]
struct Collected {
    node: String,
    trace_id: String,
    span_id: String,
    parent: String,
    grain: String,
    outcome: String,
}

#[derive(Clone, Default)]
struct Collector {
    spans: Arc<Mutex<Vec<Collected>>>,
}

fn text(attributes: &[KeyValue], key: &str) -> String {
    let value = attributes.iter().find(|kv| kv.key == key).and_then(|kv| kv.value.as_ref());
    match value.and_then(|value| value.value.as_ref()) {
        Some(Value::StringValue(text)) => text.clone(),
        _ => String::new(),
    }
}

#[tonic::async_trait]
impl TraceService for Collector {
    async fn export(
        &self,
        request: tonic::Request<ExportTraceServiceRequest>,
    ) -> Result<tonic::Response<ExportTraceServiceResponse>, tonic::Status> {
        let mut spans = self.spans.lock().expect("spans");
        for resource_spans in request.into_inner().resource_spans {
            let node = text(&resource_spans.resource.map(|r| r.attributes).unwrap_or_default(), "service.instance.id");
            for span in resource_spans.scope_spans.into_iter().flat_map(|scope| scope.spans) {
                spans.push(Collected {
                    node: node.clone(),
                    trace_id: hex::encode(&span.trace_id),
                    span_id: hex::encode(&span.span_id),
                    parent: hex::encode(&span.parent_span_id),
                    grain: text(&span.attributes, "granary.grain"),
                    outcome: text(&span.attributes, "granary.outcome"),
                });
            }
        }
        Ok(tonic::Response::new(ExportTraceServiceResponse { partial_success: None }))
    }
}

async fn call(port: u16, kind: &str, identity: &str, method: &str, payload: &str, trace: Option<&str>) {
    let mut request = tonic::Request::new(CallRequest {
        grain: Some(GrainRef { kind: kind.into(), identity: identity.into() }),
        method: method.into(),
        payload: payload.as_bytes().to_vec(),
    });
    if let Some(trace) = trace {
        request.metadata_mut().insert("traceparent", trace.parse().expect("ASCII"));
    }
    client(port).await.call(request).await.unwrap_or_else(|e| panic!("{kind}/{identity} {method}: {e}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_trace_follows_a_transfer_across_members_and_grains() {
    let collector = Collector::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("collector port");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    let serving = tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(TraceServiceServer::new(collector.clone()))
            .serve_with_incoming(tokio_stream::wrappers::TcpListenerStream::new(listener)),
    );

    let (a, b) = (free_port(), free_port());
    let dirs = [tempfile::tempdir().expect("temp dir"), tempfile::tempdir().expect("temp dir")];
    let seed = format!("127.0.0.1:{a}");
    let otlp = ["--otlp-endpoint", endpoint.as_str(), "--provider", "gossip", "--gossip-interval", "100ms"];
    let first = start_member_with(dirs[0].path(), a, "redb", &otlp);
    let mut joining = otlp.to_vec();
    joining.extend(["--seeds", &seed]);
    let second = start_member_with(dirs[1].path(), b, "redb", &joining);
    wait_until(Duration::from_secs(30), "both members up", || members_up(&first) == 2 && members_up(&second) == 2);
    for kind in ["account", "transfer"] {
        let path = component_path("rust", kind);
        assert!(first.cli(&["kind", "push", kind, path.to_str().expect("UTF-8 path")]).success, "push {kind}");
        wait_until(Duration::from_secs(30), "the kind on the other member", || {
            second.cli(&["kind", "ls"]).stdout.contains(kind)
        });
    }

    let trace_of = |i: u32| format!("{:032x}", 0x7a11_0000 + i);
    for i in 0..TRANSFERS {
        call(a, "account", &format!("from-{i}"), "deposit", r#"{"amount":100}"#, None).await;
        let traceparent = format!("00-{}-{CALLER_SPAN}-01", trace_of(i));
        let transfer = r#"{"from":"from-I","to":"to-I","amount":30}"#.replace('I', &i.to_string());
        call(b, "transfer", &format!("t-{i}"), "transfer", &transfer, Some(&traceparent)).await;
    }
    // A stop exports what is left.
    first.stop();
    second.stop();

    let spans = collector.spans.lock().expect("spans").clone();
    let mut across_members = 0;
    for i in 0..TRANSFERS {
        let trace: Vec<&Collected> = spans.iter().filter(|span| span.trace_id == trace_of(i)).collect();
        let grains: BTreeSet<&str> = trace.iter().map(|span| span.grain.as_str()).collect();
        let expected =
            BTreeSet::from([format!("transfer/t-{i}"), format!("account/from-{i}"), format!("account/to-{i}")]);
        assert_eq!(
            grains,
            expected.iter().map(String::as_str).collect(),
            "the three grains of transfer {i}: {trace:?}"
        );
        let root = trace.iter().find(|span| span.grain.starts_with("transfer/")).expect("the transfer's span");
        assert_eq!(root.parent, CALLER_SPAN, "the transfer's turn is a child of the caller's span");
        for account in trace.iter().filter(|span| span.grain.starts_with("account/")) {
            assert_eq!(account.parent, root.span_id, "an account's turn is a child of the transfer's: {trace:?}");
        }
        assert!(trace.iter().all(|span| span.outcome == "ok"), "{trace:?}");
        let nodes: BTreeSet<&str> = trace.iter().map(|span| span.node.as_str()).collect();
        across_members += usize::from(nodes.len() == 2);
    }
    assert!(across_members > 0, "some transfer's trace spans both members: {spans:?}");
    serving.abort();
}
