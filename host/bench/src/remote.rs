//! P3 remote: calls made on one member to counters owned by another, over loopback, next to
//! a raw tonic stream echo with the same batching and id matching on the same loopback (like
//! for like), one call at a time and many in flight; and, as before, to a unary echo.

use super::cluster_pair::ClusterPair;
use super::echo::{EchoServer, echo};
use super::load::{callers, counter_callers, sequential, timed_calls};
use super::report::{Better, Curve, Figures, Goal, ScenarioReport};
use super::setup::{Options, counter_component, counter_grain};
use super::stats::Latencies;
use super::stream_echo::StreamEcho;
use std::sync::Arc;

/// Calls in flight at once in the pipelined figures, each caller on its own grain.
const IN_FLIGHT: usize = 256;
/// What the echo carries: the size of the counter's reply to `get`.
const REPLY: &[u8] = b"{\"total\":0}";

pub async fn run(options: &Options) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let sequential_calls = options.size(500, 5_000);
    let pipelined_calls = options.size(5_120, 51_200);
    let pair = ClusterPair::start(&component, IN_FLIGHT as u32 + 16).await?;
    let echo_server = EchoServer::start().await?;
    let client = echo_server.client().await?;
    let stream = Arc::new(StreamEcho::open(echo_server.client().await?).await?);
    let caller = &pair.caller;
    let grain = counter_grain("remote");
    // Warm-up: links open, grains activate, outside the measurement.
    sequential(500, || caller.call(&grain, "get", Vec::new(), None)).await?;
    sequential(500, || echo(&client, REPLY)).await?;
    sequential(500, || stream.echo(REPLY)).await?;

    let mut figures = Figures::default();
    let mut last = (Latencies::default(), Latencies::default());
    for repetition in 0..options.repetitions {
        let stream_side = sequential(sequential_calls, || stream.echo(REPLY));
        let granary_side = sequential(sequential_calls, || caller.call(&grain, "get", Vec::new(), None));
        // Which side goes first alternates between repetitions.
        let ((stream_one, stream_rate), (one, rate)) = if repetition % 2 == 0 {
            let floor = stream_side.await?;
            (floor, granary_side.await?)
        } else {
            let measured = granary_side.await?;
            (stream_side.await?, measured)
        };
        figures.record("calls/s, 1 in flight", "/s", Better::Higher, rate, Some(stream_rate));
        figures.record("p50 latency, 1 in flight", "us", Better::Lower, one.p50_us(), Some(stream_one.p50_us()));
        figures.record("p99 latency, 1 in flight", "us", Better::Lower, one.p99_us(), Some(stream_one.p99_us()));

        let per_caller = pipelined_calls / IN_FLIGHT;
        let (stream_many, stream_many_rate) = callers(IN_FLIGHT, |_, start| {
            let stream = Arc::clone(&stream);
            async move {
                start.wait().await;
                timed_calls(per_caller, || stream.echo(REPLY)).await
            }
        })
        .await?;
        let (many, many_rate) = counter_callers(caller, IN_FLIGHT, per_caller, "remote", "get", b"").await?;
        let label = format!("{IN_FLIGHT} in flight");
        figures.record(&format!("calls/s, {label}"), "/s", Better::Higher, many_rate, Some(stream_many_rate));
        figures.record(
            &format!("p50 latency, {label}"),
            "us",
            Better::Lower,
            many.p50_us(),
            Some(stream_many.p50_us()),
        );
        figures.record(
            &format!("p99 latency, {label}"),
            "us",
            Better::Lower,
            many.p99_us(),
            Some(stream_many.p99_us()),
        );
        let (_, unary_rate) = sequential(sequential_calls, || echo(&client, REPLY)).await?;
        figures.record(
            &format!("calls/s {label} vs tonic unary 1 in flight"),
            "/s",
            Better::Higher,
            many_rate,
            Some(unary_rate),
        );
        last = (one, stream_one);
    }
    let goal_metric = format!("calls/s, {IN_FLIGHT} in flight");
    let ratio = figures.ratio(&goal_metric).unwrap_or(f64::NAN);
    let hosted = pair.host.grains().len();
    pair.shutdown().await;
    Ok(ScenarioReport {
        id: "P3",
        title: "remote call",
        setup: "two members in one process; tonic peer stream on loopback with the cluster secret; state: memory"
            .into(),
        baseline: "raw tonic stream echo, same batching and id matching, same loopback".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: Some(Goal {
            text: "pipelined throughput ≥ 0.5x the raw stream echo, like for like",
            measured: format!("{ratio:.2}x"),
            met: ratio >= 0.5,
        }),
        notes: vec![format!(
            "two gossip members in one process on 127.0.0.1; the calling member hosts nothing, the other \
             hosted {hosted} grains; every call crosses the batched gRPC stream; method `get`"
        )],
        curves: vec![
            Curve::latency("p3-remote-call", "granary, 1 in flight", &last.0),
            Curve::latency("p3-remote-call", "tonic stream echo, 1 in flight", &last.1),
        ],
    })
}
