//! `granary node`: one member of a cluster (membership provider, shared state), serving the
//! public API on `--listen` (and HTTP on `--http`), and its peers on `--peer-listen`, behind
//! mutual TLS or the cluster secret, until SIGTERM; then leaving gracefully.

use super::duration;
use super::serve::{ServeFlags, bind, serve};
use anyhow::Context;
use granary::cluster::transport::{PeerSecurity, TlsFiles, TonicTransport};
use granary::cluster::{
    Cluster, EtcdMembership, EtcdSettings, GossipMembership, GossipSettings, LocalMember, MemberStatus, Membership,
};
use granary::ids::NodeId;
use granary::node::Node;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
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
    /// The cluster's name: nodes only join members of the same cluster, and with TLS every
    /// member's certificate carries it as a DNS name.
    #[arg(long, env = "GRANARY_CLUSTER", default_value = "granary")]
    cluster: String,
    /// This member's name in the cluster (default: its advertised address).
    #[arg(long, env = "GRANARY_NAME")]
    name: Option<String>,
    /// Where uploaded modules, compiled artifacts and (with `--state redb`) state are kept.
    #[arg(long, env = "GRANARY_DATA_DIR", default_value = ".granary")]
    data_dir: PathBuf,
    /// The public gRPC address, for clients; gossip uses the UDP port of the same number.
    #[arg(long, env = "GRANARY_LISTEN", default_value = "127.0.0.1:7070")]
    listen: String,
    /// The peer port, for other members only (default: --listen's address, a port the system
    /// picks; members learn it through membership). Not opened with `--provider single`.
    #[arg(long, env = "GRANARY_PEER_LISTEN")]
    peer_listen: Option<String>,
    /// The address other members reach this node at: HOST:PORT, PORT being the gossip port
    /// (default: --listen); the peer port is announced on the same host.
    #[arg(long, env = "GRANARY_ADVERTISE")]
    advertise: Option<String>,
    /// How members find each other and detect failures.
    #[arg(long, env = "GRANARY_PROVIDER", value_enum, default_value = "single")]
    provider: Provider,
    /// Other members' --listen addresses to join through (gossip); a DNS name that resolves
    /// to several addresses (a headless Service) names them all.
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
    #[arg(long, env = "GRANARY_GOSSIP_INTERVAL", value_parser = duration::parse, default_value = "200ms")]
    gossip_interval: Duration,
    /// The CA (PEM) that signs every member's certificate: with --tls-cert and --tls-key,
    /// members speak mutual TLS on the peer port and refuse any other certificate.
    #[arg(long, env = "GRANARY_TLS_CA")]
    tls_ca: Option<PathBuf>,
    /// A secret every member holds: the peer port refuses requests without it (a bearer
    /// credential; with TLS as well, both are needed).
    #[arg(long, env = "GRANARY_CLUSTER_SECRET", hide_env_values = true)]
    cluster_secret: Option<String>,
    /// Serve the public gRPC port and HTTP gateway over TLS too, with --tls-cert and --tls-key.
    #[arg(long, env = "GRANARY_PUBLIC_TLS")]
    public_tls: bool,
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
    let id = NodeId(args.name.clone().unwrap_or_else(|| advertise.to_string()));
    let hosting = !args.no_hosting && !args.roles.iter().any(|role| role == "client");
    let roles = args.roles.iter().cloned().collect();
    let config = args.serving.node_config(&args.data_dir)?;
    let state = granary::state::open(&args.state, &args.data_dir).await?;
    let cluster = match args.provider {
        Provider::Single => Cluster::single(id),
        Provider::Gossip | Provider::Etcd => join(&args, id, roles, hosting, listen, advertise).await?,
    };
    let node = Arc::new(Node::in_cluster(config, Arc::clone(&cluster), state)?);
    cluster.set_status(MemberStatus::Up).await?;
    serve(node, args.serving, args.public_tls, grpc_listener, http_listener).await
}

/// Opens the peer port and joins the cluster through gossip or etcd.
async fn join(
    args: &NodeArgs,
    id: NodeId,
    roles: std::collections::BTreeSet<String>,
    hosting: bool,
    listen: SocketAddr,
    advertise: SocketAddr,
) -> anyhow::Result<Arc<Cluster>> {
    let security = peer_security(args)?;
    let peer_listener = bind(&args.peer_listen.clone().unwrap_or_else(|| format!("{}:0", listen.ip()))).await?;
    let bound = peer_listener.local_addr()?;
    let peer = if bound.ip().is_unspecified() { SocketAddr::new(advertise.ip(), bound.port()) } else { bound };
    if !security.is_authenticated() {
        tracing::warn!(
            "peer traffic is unauthenticated: anyone who reaches the peer port {peer} can run grains; start every \
             member with --tls-cert, --tls-key and --tls-ca, or with --cluster-secret"
        );
    }
    let local = LocalMember { id, peer, roles, hosting };
    let membership: Arc<dyn Membership> = if args.provider == Provider::Gossip {
        let settings = GossipSettings {
            cluster: args.cluster.clone(),
            listen,
            advertise,
            seeds: args.seeds.clone(),
            gossip_interval: args.gossip_interval,
        };
        Arc::new(GossipMembership::start_udp(local.clone(), settings).await?)
    } else {
        anyhow::ensure!(!args.etcd.is_empty(), "--provider etcd needs --etcd URL,...");
        let settings = EtcdSettings::new(args.cluster.clone(), args.etcd.clone());
        Arc::new(EtcdMembership::start(local.clone(), settings).await?)
    };
    let transport = Arc::new(TonicTransport::new(peer_listener, peer, security));
    Ok(Cluster::new(args.cluster.clone(), local, membership, transport))
}

/// What this member requires of its peers and presents to them.
fn peer_security(args: &NodeArgs) -> anyhow::Result<PeerSecurity> {
    let tls = match (&args.serving.tls_cert, &args.serving.tls_key, &args.tls_ca) {
        (Some(cert), Some(key), Some(ca)) => Some(TlsFiles { cert: cert.clone(), key: key.clone(), ca: ca.clone() }),
        (Some(_), _, None) => anyhow::bail!(
            "--tls-cert on a cluster member needs --tls-ca too: the CA that signs every member's certificate"
        ),
        (None, _, Some(_)) => anyhow::bail!("--tls-ca needs --tls-cert and --tls-key: this member's own certificate"),
        _ => None,
    };
    PeerSecurity::new(&args.cluster, tls.as_ref(), args.cluster_secret.clone())
}

fn resolve(address: &str) -> anyhow::Result<SocketAddr> {
    use std::net::ToSocketAddrs;
    address
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve --advertise {address}"))?
        .next()
        .with_context(|| format!("--advertise {address} resolves to no address"))
}
