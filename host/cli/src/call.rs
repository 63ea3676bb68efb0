//! `granary call` and `granary send`: one message to a grain through a node's gRPC API.

use super::client::{Connection, status_line};
use granary::ids::GrainId;
use granary::proto::api::{CallRequest, GrainRef, SendRequest};
use std::io::Write;

#[derive(clap::Args)]
pub struct MessageArgs {
    /// The grain, as kind/identity.
    grain: GrainId,
    /// The method to invoke.
    method: String,
    /// The payload (JSON by convention); empty if omitted.
    payload: Option<String>,
    #[command(flatten)]
    connection: Connection,
    /// Bearer token, needed when the node was started with a call token.
    #[arg(long, env = "GRANARY_CALL_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

impl MessageArgs {
    fn grain_ref(&self) -> Option<GrainRef> {
        Some(GrainRef { kind: self.grain.kind().to_string(), identity: self.grain.identity().to_string() })
    }

    fn payload(&self) -> Vec<u8> {
        self.payload.clone().unwrap_or_default().into_bytes()
    }
}

pub async fn call(args: MessageArgs) -> anyhow::Result<()> {
    let message = CallRequest { grain: args.grain_ref(), method: args.method.clone(), payload: args.payload() };
    let request = args.connection.request(message, args.token.as_deref())?;
    let reply = args.connection.grains().await?.call(request).await.map_err(status_line)?;
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&reply.into_inner().payload)?;
    stdout.write_all(b"\n")?;
    Ok(())
}

pub async fn send(args: MessageArgs) -> anyhow::Result<()> {
    let message = SendRequest { grain: args.grain_ref(), method: args.method.clone(), payload: args.payload() };
    let request = args.connection.request(message, args.token.as_deref())?;
    args.connection.grains().await?.send(request).await.map_err(status_line)?;
    Ok(())
}
