//! How CLI commands reach a node: server address (`http://` or `https://`), the CA to trust,
//! token, timeout; and a failed request as one line that says whether the message ran.

use super::duration;
use anyhow::Context;
use granary::proto::api::grains_client::GrainsClient;
use granary::proto::api::kinds_client::KindsClient;
use granary::proto::api::node_client::NodeClient;
use std::path::PathBuf;
use std::time::Duration;
use tonic::transport::{Certificate, Channel, ClientTlsConfig};
use tonic_types::StatusExt;

/// A node to talk to, with the token a command sends.
#[derive(clap::Args, Clone)]
pub struct Connection {
    /// The node's public gRPC address: `http://HOST:PORT`, or `https://HOST:PORT` when the
    /// node serves TLS.
    #[arg(long, env = "GRANARY_SERVER", default_value = "http://127.0.0.1:7070")]
    pub server: String,
    /// The CA certificate (PEM) to trust for an `https://` server, instead of the system's.
    #[arg(long, env = "GRANARY_CA")]
    pub ca: Option<PathBuf>,
    /// How long to wait for the node's answer (default 30s; 10m for `kind push`, since
    /// compiling a 20 MB Python or JavaScript component can take half a minute on a busy node).
    #[arg(long, value_parser = duration::parse)]
    pub timeout: Option<Duration>,
}

/// How long a command waits when `--timeout` is not given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl Connection {
    async fn channel(&self) -> anyhow::Result<Channel> {
        let mut endpoint = Channel::from_shared(self.server.clone())
            .with_context(|| format!("{:?} is not a server address like http://127.0.0.1:7070", self.server))?;
        if self.server.starts_with("https://") {
            let tls = match &self.ca {
                Some(ca) => {
                    let pem = std::fs::read(ca).with_context(|| format!("cannot read --ca {}", ca.display()))?;
                    ClientTlsConfig::new().ca_certificate(Certificate::from_pem(pem))
                }
                None => ClientTlsConfig::new().with_native_roots(),
            };
            endpoint = endpoint.tls_config(tls).context("cannot set up TLS")?;
        }
        endpoint.connect().await.with_context(|| format!("cannot reach a node at {}", self.server))
    }

    pub async fn grains(&self) -> anyhow::Result<GrainsClient<Channel>> {
        Ok(GrainsClient::new(self.channel().await?))
    }

    pub async fn kinds(&self) -> anyhow::Result<KindsClient<Channel>> {
        // Large modules (Python and JavaScript grains are ~20 MB) are streamed in chunks.
        Ok(KindsClient::new(self.channel().await?))
    }

    pub async fn node(&self) -> anyhow::Result<NodeClient<Channel>> {
        Ok(NodeClient::new(self.channel().await?))
    }

    /// A request carrying this connection's timeout and, if given, the bearer token.
    pub fn request<T>(&self, message: T, token: Option<&str>) -> anyhow::Result<tonic::Request<T>> {
        self.request_waiting(message, token, DEFAULT_TIMEOUT)
    }

    /// A request for a stream that lasts until the client stops it: no deadline unless
    /// `--timeout` was given.
    pub fn open_ended<T>(&self, message: T) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        if let Some(timeout) = self.timeout {
            request.set_timeout(timeout);
        }
        request
    }

    /// Like `request`, waiting `default` unless `--timeout` was given.
    pub fn request_waiting<T>(
        &self,
        message: T,
        token: Option<&str>,
        default: Duration,
    ) -> anyhow::Result<tonic::Request<T>> {
        let mut request = tonic::Request::new(message);
        request.set_timeout(self.timeout.unwrap_or(default));
        if let Some(token) = token {
            let value = format!("Bearer {token}").parse().context("the token must be printable ASCII")?;
            request.metadata_mut().insert("authorization", value);
        }
        Ok(request)
    }
}

/// A failed request as one line, with whether the message ran when the node said so.
pub fn status_line(status: tonic::Status) -> anyhow::Error {
    let ran = status.get_details_error_info().map(|info| match info.reason.as_str() {
        "NOT_RUN" => "; not run, safe to send again",
        "MAY_HAVE_RUN" => "; it may have run",
        "RAN" => "; it ran",
        _ => "",
    });
    anyhow::anyhow!("{} ({:?}){}", status.message(), status.code(), ran.unwrap_or(""))
}
