//! `granary call` and `granary send`: one message to a grain through a node's gRPC API.

use super::duration;
use crate::api::proto::grains_client::GrainsClient;
use crate::api::proto::{CallRequest, GrainRef, SendRequest};
use crate::ids::GrainId;
use anyhow::Context;
use std::io::Write;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Target {
    /// The grain, as kind/identity.
    grain: GrainId,
    /// The method to invoke.
    method: String,
    /// The payload (JSON by convention); empty if omitted.
    payload: Option<String>,
    /// The node to talk to.
    #[arg(long, env = "GRANARY_SERVER", default_value = "http://127.0.0.1:7070")]
    server: String,
    /// How long to wait for the reply.
    #[arg(long, value_parser = duration::parse, default_value = "30s")]
    timeout: Duration,
}

#[derive(clap::Args)]
pub struct CallArgs {
    #[command(flatten)]
    target: Target,
}

#[derive(clap::Args)]
pub struct SendArgs {
    #[command(flatten)]
    target: Target,
}

impl Target {
    async fn client(&self) -> anyhow::Result<GrainsClient<tonic::transport::Channel>> {
        GrainsClient::connect(self.server.clone())
            .await
            .with_context(|| format!("cannot reach a node at {}", self.server))
    }

    fn grain_ref(&self) -> Option<GrainRef> {
        Some(GrainRef {
            kind: self.grain.kind().to_string(),
            identity: self.grain.identity().to_string(),
        })
    }

    fn payload(&self) -> Vec<u8> {
        self.payload.clone().unwrap_or_default().into_bytes()
    }
}

fn status_line(status: tonic::Status) -> anyhow::Error {
    anyhow::anyhow!("{} ({:?})", status.message(), status.code())
}

pub async fn call(args: CallArgs) -> anyhow::Result<()> {
    let target = args.target;
    let mut request = tonic::Request::new(CallRequest {
        grain: target.grain_ref(),
        method: target.method.clone(),
        payload: target.payload(),
    });
    request.set_timeout(target.timeout);
    let reply = target
        .client()
        .await?
        .call(request)
        .await
        .map_err(status_line)?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&reply.into_inner().payload)?;
    stdout.write_all(b"\n")?;
    Ok(())
}

pub async fn send(args: SendArgs) -> anyhow::Result<()> {
    let target = args.target;
    let mut request = tonic::Request::new(SendRequest {
        grain: target.grain_ref(),
        method: target.method.clone(),
        payload: target.payload(),
    });
    request.set_timeout(target.timeout);
    target
        .client()
        .await?
        .send(request)
        .await
        .map_err(status_line)?;
    Ok(())
}
