//! How CLI commands reach a node: server address, token, timeout.

use super::duration;
use crate::api::proto::grains_client::GrainsClient;
use crate::api::proto::kinds_client::KindsClient;
use crate::api::proto::remote_client::RemoteClient;
use anyhow::Context;
use std::time::Duration;
use tonic::transport::Channel;

/// A node to talk to, with the token a command sends.
#[derive(clap::Args, Clone)]
pub struct Connection {
    /// The node's gRPC address.
    #[arg(long, env = "GRANARY_SERVER", default_value = "http://127.0.0.1:7070")]
    pub server: String,
    /// How long to wait for the node's answer (default 30s; 10m for `kind push`, since
    /// compiling a 20 MB Python or JavaScript component can take half a minute on a busy node).
    #[arg(long, value_parser = duration::parse)]
    pub timeout: Option<Duration>,
}

/// How long a command waits when `--timeout` is not given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl Connection {
    async fn channel(&self) -> anyhow::Result<Channel> {
        Channel::from_shared(self.server.clone())
            .with_context(|| format!("{:?} is not a server address like http://127.0.0.1:7070", self.server))?
            .connect()
            .await
            .with_context(|| format!("cannot reach a node at {}", self.server))
    }

    pub async fn grains(&self) -> anyhow::Result<GrainsClient<Channel>> {
        Ok(GrainsClient::new(self.channel().await?))
    }

    pub async fn kinds(&self) -> anyhow::Result<KindsClient<Channel>> {
        // Large modules (Python and JavaScript grains are ~20 MB) are streamed in chunks.
        Ok(KindsClient::new(self.channel().await?))
    }

    pub async fn remote(&self) -> anyhow::Result<RemoteClient<Channel>> {
        Ok(RemoteClient::new(self.channel().await?))
    }

    /// A request carrying this connection's timeout and, if given, the bearer token.
    pub fn request<T>(&self, message: T, token: Option<&str>) -> anyhow::Result<tonic::Request<T>> {
        self.request_waiting(message, token, DEFAULT_TIMEOUT)
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

/// A failed request as one line.
pub fn status_line(status: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{} ({:?})", status.message(), status.code())
}
