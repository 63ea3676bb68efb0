//! PA external API: adds to 1000 counters through the public ports, gRPC and HTTP, of a node
//! on each store. First the most the port takes (64 connections, closed loop), then fixed
//! open-loop rates of 10, 50, 80 and 95% of it, with latency counted from each add's intended
//! send time into an HDR histogram. The load runs in the same process as the node, so the two
//! share this machine's cores.

use super::report::{Better, Figures, Goal, ScenarioReport};
use super::setup::{BenchNode, Options, counter_component};
use super::store::StoreSpec;
use futures_util::future::join_all;
use granary::api::auth::Tokens;
use granary::api::{ApiContext, grpc, http};
use granary::proto::api::grains_client::GrainsClient;
use granary::proto::api::{CallRequest, GrainRef};
use hdrhistogram::Histogram;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tonic::transport::Channel;

const CONNECTIONS: usize = 64;
const COUNTERS: usize = 1000;
const LOADS: [f64; 4] = [0.10, 0.50, 0.80, 0.95];

/// One way in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Port {
    Grpc,
    Http,
}

impl Port {
    fn name(self) -> &'static str {
        match self {
            Port::Grpc => "gRPC",
            Port::Http => "HTTP",
        }
    }
}

/// A client of one port, one connection each.
enum Client {
    Grpc(GrainsClient<Channel>),
    Http(reqwest::Client, String),
}

impl Client {
    async fn connect(port: Port, grpc: &str, http: &str) -> anyhow::Result<Client> {
        Ok(match port {
            Port::Grpc => Client::Grpc(GrainsClient::new(Channel::from_shared(grpc.to_string())?.connect().await?)),
            Port::Http => Client::Http(reqwest::Client::builder().pool_max_idle_per_host(1).build()?, http.to_string()),
        })
    }

    async fn call(&mut self, counter: usize, method: &str) -> anyhow::Result<()> {
        let payload = if method == "add" { br#"{"n":1}"#.to_vec() } else { Vec::new() };
        let identity = format!("api-{counter}");
        match self {
            Client::Grpc(client) => {
                let grain = Some(GrainRef { kind: "counter".into(), identity });
                client.call(CallRequest { grain, method: method.into(), payload }).await?;
            }
            Client::Http(client, base) => {
                let url = format!("{base}/v1/grains/counter/{identity}/{method}");
                let reply = client.post(url).body(payload).send().await?;
                anyhow::ensure!(reply.status().is_success(), "HTTP {}", reply.status());
                reply.bytes().await?;
            }
        }
        Ok(())
    }
}

/// Calls/s of `method` by `CONNECTIONS` clients in a closed loop for `length`.
async fn most(clients: &mut [Client], method: &'static str, length: Duration) -> anyhow::Result<f64> {
    let until = Instant::now() + length;
    let started = Instant::now();
    let done: Vec<anyhow::Result<u64>> = join_all(clients.iter_mut().enumerate().map(|(index, client)| async move {
        let mut calls = 0u64;
        while Instant::now() < until {
            client.call((index * 7 + calls as usize * CONNECTIONS) % COUNTERS, method).await?;
            calls += 1;
        }
        Ok(calls)
    }))
    .await;
    let mut calls = 0;
    for outcome in done {
        calls += outcome?;
    }
    Ok(calls as f64 / started.elapsed().as_secs_f64())
}

/// Adds at `rate` for `length`, open loop: each client sends every `CONNECTIONS`-th add at its
/// intended time; returns the latencies from those times.
async fn open_loop(clients: &mut [Client], rate: f64, length: Duration) -> anyhow::Result<Histogram<u64>> {
    let histogram = Arc::new(Mutex::new(Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?));
    let period = Duration::from_secs_f64(CONNECTIONS as f64 / rate);
    let began = Instant::now() + Duration::from_millis(20);
    let done = join_all(clients.iter_mut().enumerate().map(|(index, client)| {
        let histogram = Arc::clone(&histogram);
        async move {
            let offset = period.mul_f64(index as f64 / CONNECTIONS as f64);
            for round in 0u32.. {
                let at = offset + period * round;
                if at >= length {
                    break;
                }
                tokio::time::sleep_until(began + at).await;
                client.call((index + round as usize * CONNECTIONS) % COUNTERS, "add").await?;
                let micros = u64::try_from((began.elapsed() - at).as_micros()).unwrap_or(u64::MAX);
                histogram.lock().expect("histogram lock").saturating_record(micros.max(1));
            }
            anyhow::Ok(())
        }
    }))
    .await;
    for outcome in done {
        outcome?;
    }
    let histogram = histogram.lock().expect("histogram lock").clone();
    Ok(histogram)
}

pub async fn run_on(options: &Options, store: &StoreSpec) -> anyhow::Result<ScenarioReport> {
    let component = counter_component(&options.grains, "rust")?;
    let bench = BenchNode::on_store(&component, COUNTERS as u32 + 8, store).await?;
    let api = ApiContext { node: Arc::clone(&bench.node), tokens: Tokens::default() };
    let (grpc_listener, http_listener) =
        (TcpListener::bind("127.0.0.1:0").await?, TcpListener::bind("127.0.0.1:0").await?);
    let grpc_address = format!("http://{}", grpc_listener.local_addr()?);
    let http_address = format!("http://{}", http_listener.local_addr()?);
    let stop = CancellationToken::new();
    let servers = tokio::spawn({
        let (api, stop) = (api.clone(), stop.clone());
        async move {
            let grpc = grpc::serve(api.clone(), grpc_listener, None, stop.clone().cancelled_owned());
            let http = http::serve(api, http_listener, None, stop.cancelled_owned());
            tokio::try_join!(grpc, http).map(|_| ())
        }
    });
    let length = options.size(Duration::from_millis(500), Duration::from_secs(2));
    let mut figures = Figures::default();
    let mut at_half = Vec::new();
    for repetition in 0..options.repetitions {
        // Which port goes first alternates between repetitions.
        let ports = if repetition % 2 == 0 { [Port::Grpc, Port::Http] } else { [Port::Http, Port::Grpc] };
        for port in ports {
            let mut clients = Vec::with_capacity(CONNECTIONS);
            for _ in 0..CONNECTIONS {
                clients.push(Client::connect(port, &grpc_address, &http_address).await?);
            }
            let gets = most(&mut clients, "get", length).await?;
            let adds = most(&mut clients, "add", length).await?;
            let name = port.name();
            figures.record(
                &format!("{name} most adds/s, {CONNECTIONS} connections"),
                "/s",
                Better::Higher,
                adds,
                Some(gets),
            );
            for load in LOADS {
                let histogram = open_loop(&mut clients, adds * load, length).await?;
                let percent = (load * 100.0).round();
                let p50 = histogram.value_at_quantile(0.5) as f64;
                let p99 = histogram.value_at_quantile(0.99) as f64;
                figures.record(&format!("{name} p50 at {percent}% of most"), "us", Better::Lower, p50, None);
                figures.record(&format!("{name} p99 at {percent}% of most"), "us", Better::Lower, p99, None);
                if load == 0.50 {
                    at_half.push((name, p99));
                }
            }
        }
    }
    stop.cancel();
    servers.await??;
    bench.shutdown().await;
    let worst_half = at_half.iter().map(|(_, p99)| *p99).fold(0.0, f64::max) / 1e3;
    let http_ratio = figures.ratio(&format!("HTTP most adds/s, {CONNECTIONS} connections")).unwrap_or(f64::NAN);
    Ok(ScenarioReport {
        id: "PA",
        title: "external API",
        setup: format!("gRPC and HTTP on loopback, load from the same process; state: {}", store.name()),
        baseline: format!("`get` (no state write) through the same port, {CONNECTIONS} connections"),
        repetitions: options.repetitions,
        figures: figures.finish(),
        goal: (store == &StoreSpec::Redb).then(|| Goal {
            text: "p99 ≤ 10 ms at 50% of the most, gRPC and HTTP; HTTP adds ≥ 0.5x gets",
            measured: format!("worst p99 {worst_half:.1} ms; HTTP adds {http_ratio:.2}x gets"),
            met: worst_half <= 10.0 && http_ratio >= 0.5,
        }),
        notes: vec![
            format!(
                "{CONNECTIONS} connections over {COUNTERS} counters; the most is a closed loop for {length:?}, each \
                 open-loop rate runs {length:?} with latency from the intended send time (HDR histogram)"
            ),
            "the load generator shares the node's cores here, which costs the adds (more work per request) \
             more than the gets; the README also gives the ratio under wrk in a process of its own"
                .to_string(),
        ],
        curves: Vec::new(),
    })
}
