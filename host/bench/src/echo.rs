//! A plain tonic unary echo service on loopback: the floor for remote calls.

use anyhow::Context;
use std::pin::Pin;
use tokio::net::TcpListener;
use tokio_stream::Stream;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status, Streaming};

mod proto {
    tonic::include_proto!("granary.bench.v1");
}

pub use proto::{EchoBatch, EchoMessage, Echoed};
pub type EchoClient = proto::echo_client::EchoClient<tonic::transport::Channel>;

struct Echo;

#[tonic::async_trait]
impl proto::echo_server::Echo for Echo {
    async fn echo(&self, request: Request<EchoMessage>) -> Result<Response<EchoMessage>, Status> {
        Ok(Response::new(request.into_inner()))
    }

    type StreamStream = Pin<Box<dyn Stream<Item = Result<EchoBatch, Status>> + Send>>;

    async fn stream(&self, request: Request<Streaming<EchoBatch>>) -> Result<Response<Self::StreamStream>, Status> {
        Ok(Response::new(Box::pin(request.into_inner())))
    }
}

/// An echo server on a loopback port, stopped when dropped.
pub struct EchoServer {
    pub address: std::net::SocketAddr,
    stop: CancellationToken,
}

impl EchoServer {
    pub async fn start() -> anyhow::Result<EchoServer> {
        let listener = TcpListener::bind("127.0.0.1:0").await.context("cannot bind the echo server")?;
        let address = listener.local_addr()?;
        let stop = CancellationToken::new();
        let serving = tonic::transport::Server::builder()
            .add_service(proto::echo_server::EchoServer::new(Echo))
            .serve_with_incoming_shutdown(
                TcpIncoming::from(listener).with_nodelay(Some(true)),
                stop.clone().cancelled_owned(),
            );
        tokio::spawn(async move {
            if let Err(e) = serving.await {
                tracing::warn!("echo server stopped: {e}");
            }
        });
        Ok(EchoServer { address, stop })
    }

    pub async fn client(&self) -> anyhow::Result<EchoClient> {
        EchoClient::connect(format!("http://{}", self.address)).await.context("cannot connect to the echo server")
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// One echo of `payload`. The client is cloned first (a cheap channel handle), which is how
/// tonic clients are shared between concurrent calls.
pub fn echo(
    client: &EchoClient,
    payload: &[u8],
) -> impl Future<Output = Result<Response<EchoMessage>, Status>> + Send + 'static {
    let mut client = client.clone();
    let request = EchoMessage { payload: payload.to_vec() };
    async move { client.echo(request).await }
}
