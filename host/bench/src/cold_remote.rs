//! P2R cold activation across members: a member that hosts no grains sends the first message
//! to new identities, so each one is placed on the other member, crosses the peer stream,
//! activates there and replies; next to the same first message sent on the hosting member
//! itself, in the same run.

use super::cluster_pair::ClusterPair;
use super::load::sequential;
use super::report::{Better, Curve, Figures, ScenarioReport};
use super::setup::{Options, counter_component, counter_grain};
use super::stats::Latencies;
use granary::node::Node;

/// `count` first messages from `node`, one after another, each to an identity never used.
async fn first_calls(node: &Node, options: &Options, label: &str, count: usize) -> anyhow::Result<(Latencies, f64)> {
    let mut identities = (0..count).map(|i| counter_grain(options.unique(&format!("{label}-{i}"))));
    sequential(count, || {
        let grain = identities.next().expect("one identity per call");
        async move { node.call(&grain, "get", Vec::new(), None).await }
    })
    .await
}

pub async fn run(options: &Options) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let per_repetition = options.size(200, 1_000);
    // Every activation stays live for the run: two sides, the warm-up, and room to spare.
    let slots = u32::try_from(per_repetition * 2 * (options.repetitions + 1))? + 64;
    let pair = ClusterPair::start(&component, slots).await?;
    // Warm-up: the peer link opens and the host's pool is touched, outside the measurement.
    first_calls(&pair.caller, options, "warmup-remote", per_repetition.min(100)).await?;
    first_calls(&pair.host, options, "warmup-local", per_repetition.min(100)).await?;

    let mut figures = Figures::default();
    let mut last = (Latencies::default(), Latencies::default());
    for repetition in 0..options.repetitions {
        let (remote_label, local_label) = (format!("remote-{repetition}"), format!("local-{repetition}"));
        let remote_side = first_calls(&pair.caller, options, &remote_label, per_repetition);
        let local_side = first_calls(&pair.host, options, &local_label, per_repetition);
        // Which side goes first alternates between repetitions.
        let ((remote, remote_rate), (local, local_rate)) = if repetition % 2 == 0 {
            let measured = remote_side.await?;
            (measured, local_side.await?)
        } else {
            let floor = local_side.await?;
            (remote_side.await?, floor)
        };
        figures.record("p50 latency", "us", Better::Lower, remote.p50_us(), Some(local.p50_us()));
        figures.record("p99 latency", "us", Better::Lower, remote.p99_us(), Some(local.p99_us()));
        figures.record("activations/s, one at a time", "/s", Better::Higher, remote_rate, Some(local_rate));
        last = (remote, local);
    }
    pair.shutdown().await;
    Ok(ScenarioReport {
        id: "P2R",
        title: "cold activation across members",
        setup: "two gossip members in one process on loopback, peer stream with the cluster secret, no TLS; \
                state: memory"
            .into(),
        baseline: "the same first message sent on the hosting member itself".into(),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: None,
        notes: vec![format!(
            "{per_repetition} new identities per repetition and side, one at a time; the calling member hosts no \
             grains, so each first message is placed on the other member, activates there and replies"
        )],
        curves: vec![
            Curve::latency("p2r-cold-across-members", "across members", &last.0),
            Curve::latency("p2r-cold-across-members", "on the hosting member", &last.1),
        ],
    })
}
