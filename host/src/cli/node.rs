//! `granary node`: one member of a cluster (membership provider, shared state), serving gRPC
//! (clients and peers) and optionally HTTP until SIGTERM, then leaving gracefully.

use super::serve::{ServeFlags, bind, serve};
use crate::cluster::{
    Cluster, EtcdMembership, EtcdSettings, GossipMembership, GossipSettings, LocalMember, MemberStatus, Membership,
};
use crate::config::NodeConfig;
use crate::ids::NodeId;
use crate::node::Node;
use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum Provider {
    /// This node alone.
    Single,
    /// Gossip with seed nodes (chitchat), no outside service.
    Gossip,
    /// Registered in etcd under a lease (`--etcd`): a dead node's key expires with it.
    Etcd,
}

#[derive(clap::Args)]
pub struct NodeArgs {
    /// A TOML file of these settings, keyed by flag name (`listen = "..."`, `seeds = [...]`);
    /// flags and GRANARY_* variables win over it.
    #[arg(long, env = "GRANARY_CONFIG")]
    config: Option<PathBuf>,
    /// The cluster's name: nodes only join members of the same cluster.
    #[arg(long, env = "GRANARY_CLUSTER", default_value = "granary")]
    cluster: String,
    /// Where uploaded modules, compiled artifacts and (with `--state redb`) state are kept.
    #[arg(long, env = "GRANARY_DATA_DIR", default_value = ".granary")]
    data_dir: PathBuf,
    /// gRPC address for clients and peers; gossip uses the UDP port of the same number.
    #[arg(long, env = "GRANARY_LISTEN", default_value = "127.0.0.1:7070")]
    listen: String,
    /// The address peers reach this node at (default: --listen).
    #[arg(long, env = "GRANARY_ADVERTISE")]
    advertise: Option<String>,
    /// How members find each other and detect failures.
    #[arg(long, env = "GRANARY_PROVIDER", value_enum, default_value = "single")]
    provider: Provider,
    /// Other nodes' --listen addresses to join through (gossip).
    #[arg(long, env = "GRANARY_SEEDS", value_delimiter = ',')]
    seeds: Vec<String>,
    /// etcd client URLs (etcd provider), e.g. `http://127.0.0.1:2379`.
    #[arg(long, env = "GRANARY_ETCD", value_delimiter = ',')]
    etcd: Vec<String>,
    /// Roles this node carries.
    #[arg(long, env = "GRANARY_ROLES", value_delimiter = ',')]
    roles: Vec<String>,
    /// Route messages but host no grains (a proxy); also implied by the `client` role.
    #[arg(long, env = "GRANARY_NO_HOSTING")]
    no_hosting: bool,
    /// Where grain state lives: `redb` (this node only) or `postgres://user@host:port/db`,
    /// shared by the cluster so state survives the loss of a node.
    #[arg(long, env = "GRANARY_STATE", default_value = "redb")]
    state: String,
    /// Also serve the HTTP/JSON gateway on this address.
    #[arg(long, env = "GRANARY_HTTP")]
    http: Option<String>,
    /// How often gossip runs; failure detection takes a few intervals.
    #[arg(long, env = "GRANARY_GOSSIP_INTERVAL", value_parser = super::duration::parse, default_value = "200ms")]
    gossip_interval: Duration,
    #[command(flatten)]
    serving: ServeFlags,
}

pub async fn run(args: NodeArgs) -> anyhow::Result<()> {
    if let Some(file) = &args.config {
        tracing::info!(config = %file.display(), "settings not given as flags were read from the config file");
    }
    let grpc_listener = bind(&args.listen).await?;
    let listen = grpc_listener.local_addr()?;
    let http_listener = match &args.http {
        Some(address) => Some(bind(address).await?),
        None => None,
    };
    let advertise = match &args.advertise {
        Some(address) => resolve(address)?,
        None => listen,
    };
    let local = LocalMember {
        id: NodeId(advertise.to_string()),
        roles: args.roles.iter().cloned().collect(),
        hosting: !args.no_hosting && !args.roles.iter().any(|role| role == "client"),
    };
    let membership: Arc<dyn Membership> = match args.provider {
        Provider::Single => Arc::new(crate::cluster::SingleMembership::new(local.clone())),
        Provider::Gossip => {
            let settings = GossipSettings {
                cluster: args.cluster.clone(),
                listen,
                advertise,
                seeds: args.seeds.clone(),
                gossip_interval: args.gossip_interval,
            };
            Arc::new(GossipMembership::start(local.clone(), settings, &chitchat::transport::UdpTransport).await?)
        }
        Provider::Etcd => {
            anyhow::ensure!(!args.etcd.is_empty(), "--provider etcd needs --etcd URL,...");
            let settings = EtcdSettings::new(args.cluster.clone(), args.etcd.clone());
            Arc::new(EtcdMembership::start(local.clone(), settings).await?)
        }
    };
    let provider = match args.provider {
        Provider::Single => "single",
        Provider::Gossip => "gossip",
        Provider::Etcd => "etcd",
    };
    let cluster = Cluster::new(args.cluster.clone(), provider, local, membership);
    let state = crate::state::open(&args.state, &args.data_dir).await?;
    let config = NodeConfig { max_module_bytes: args.serving.max_module_bytes()?, ..NodeConfig::new(&args.data_dir) };
    let node = Arc::new(Node::in_cluster(config, Arc::clone(&cluster), state)?);
    cluster.set_status(MemberStatus::Up).await?;
    serve(node, args.serving.tokens(), grpc_listener, http_listener).await
}

fn resolve(address: &str) -> anyhow::Result<SocketAddr> {
    use std::net::ToSocketAddrs;
    address
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve --advertise {address}"))?
        .next()
        .with_context(|| format!("--advertise {address} resolves to no address"))
}
