//! `granary publish TOPIC KEY [PAYLOAD]`: publishes an event through a node's gRPC API and
//! prints its sequence number on (topic, key) once it is durable.

use super::client::{Connection, status_line};
use granary::proto::api::PublishRequest;

#[derive(clap::Args)]
pub struct PublishArgs {
    /// The topic.
    topic: String,
    /// The event's key: by default the identity of the grain that receives it.
    key: String,
    /// The payload (JSON by convention); empty if omitted.
    payload: Option<String>,
    #[command(flatten)]
    connection: Connection,
    /// Bearer token, needed when the node was started with a call token.
    #[arg(long, env = "GRANARY_CALL_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

pub async fn run(args: PublishArgs) -> anyhow::Result<()> {
    let message = PublishRequest {
        topic: args.topic.clone(),
        key: args.key.clone(),
        payload: args.payload.clone().unwrap_or_default().into_bytes(),
    };
    let request = args.connection.request(message, args.token.as_deref())?;
    let reply = args.connection.grains().await?.publish(request).await.map_err(status_line)?;
    println!("{}", serde_json::json!({"sequence": reply.into_inner().sequence}));
    Ok(())
}
