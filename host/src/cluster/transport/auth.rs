//! How members prove they belong: mutual TLS with certificates signed by the cluster's CA
//! (`--tls-cert`, `--tls-key`, `--tls-ca`), the cluster secret as a bearer credential
//! (`--cluster-secret`), or both. Members check each other's certificates against the CA and
//! the cluster's name, which every member certificate carries as a DNS name.

use crate::ids::NodeId;
use anyhow::Context;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::path::PathBuf;
use tonic::metadata::MetadataMap;
use tonic::transport::{Certificate, ClientTlsConfig, Identity, ServerTlsConfig};
use tonic::{Request, Status};

/// PEM files of a node's TLS identity and the CA it trusts.
#[derive(Clone, Debug)]
pub struct TlsFiles {
    /// The node's certificate (chain).
    pub cert: PathBuf,
    /// Its private key.
    pub key: PathBuf,
    /// The CA that signs every member's certificate.
    pub ca: PathBuf,
}

impl TlsFiles {
    /// The CA certificate.
    pub fn ca(&self) -> anyhow::Result<Certificate> {
        let ca = std::fs::read(&self.ca).with_context(|| format!("cannot read --tls-ca {}", self.ca.display()))?;
        Ok(Certificate::from_pem(ca))
    }

    /// The node's identity: certificate and key.
    pub fn identity(&self) -> anyhow::Result<Identity> {
        let cert =
            std::fs::read(&self.cert).with_context(|| format!("cannot read --tls-cert {}", self.cert.display()))?;
        let key = std::fs::read(&self.key).with_context(|| format!("cannot read --tls-key {}", self.key.display()))?;
        Ok(Identity::from_pem(cert, key))
    }
}

#[derive(Clone)]
struct Tls {
    identity: Identity,
    ca: Certificate,
}

/// What a member presents to its peers and requires of them.
#[derive(Clone, Default)]
pub struct PeerSecurity {
    tls: Option<Tls>,
    secret: Option<String>,
    /// The DNS name member certificates carry: the cluster's name.
    peer_name: String,
}

impl PeerSecurity {
    /// Security for members of `cluster`: mutual TLS from `tls`, the bearer `secret`, both, or
    /// neither (unauthenticated: for a test, or a network nobody else can reach).
    pub fn new(cluster: &str, tls: Option<&TlsFiles>, secret: Option<String>) -> anyhow::Result<Self> {
        let tls = match tls {
            Some(files) => Some(Tls { identity: files.identity()?, ca: files.ca()? }),
            None => None,
        };
        if let Some(secret) = &secret {
            anyhow::ensure!(!secret.is_empty(), "--cluster-secret must not be empty");
            anyhow::ensure!(
                secret.bytes().all(|b| b.is_ascii_graphic()),
                "--cluster-secret must be printable ASCII without spaces"
            );
        }
        Ok(PeerSecurity { tls, secret, peer_name: cluster.to_string() })
    }

    /// Whether peers must prove anything at all.
    pub fn is_authenticated(&self) -> bool {
        self.tls.is_some() || self.secret.is_some()
    }

    /// Whether the peer port speaks TLS.
    pub fn uses_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// The peer port's TLS: this node's identity, and client certificates required, signed by the CA.
    pub(super) fn server_tls(&self) -> Option<ServerTlsConfig> {
        let tls = self.tls.as_ref()?;
        Some(ServerTlsConfig::new().identity(tls.identity.clone()).client_ca_root(tls.ca.clone()))
    }

    /// TLS towards a peer: its certificate must chain to the CA and name the cluster; this
    /// node presents its own.
    pub(super) fn client_tls(&self) -> Option<ClientTlsConfig> {
        let tls = self.tls.as_ref()?;
        Some(
            ClientTlsConfig::new()
                .ca_certificate(tls.ca.clone())
                .identity(tls.identity.clone())
                .domain_name(self.peer_name.clone()),
        )
    }

    /// Refuses a request that lacks the cluster secret, when there is one.
    #[allow(clippy::result_large_err)]
    pub(super) fn check(&self, metadata: &MetadataMap) -> Result<(), Status> {
        let Some(secret) = &self.secret else { return Ok(()) };
        let given = metadata
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .ok_or_else(|| Status::unauthenticated("the peer port needs the cluster secret"))?;
        if constant_time_eq(given.as_bytes(), secret.as_bytes()) {
            Ok(())
        } else {
            Err(Status::unauthenticated("wrong cluster secret"))
        }
    }

    /// The proof, under the cluster secret, that the member `name` holds it, answering
    /// `challenge`; empty without a secret.
    pub(super) fn prove(&self, challenge: &[u8], name: &str) -> Vec<u8> {
        match &self.secret {
            Some(secret) => proof_mac(secret, challenge, name).finalize().into_bytes().to_vec(),
            None => Vec::new(),
        }
    }

    /// Checks a peer's answer to `challenge`: the name it gave must be `expected`, and with a
    /// cluster secret its proof must be right.
    pub(super) fn check_hello(
        &self,
        challenge: &[u8],
        expected: &NodeId,
        name: &str,
        proof: &[u8],
    ) -> anyhow::Result<()> {
        anyhow::ensure!(name == expected.0, "it answers as member {name:?}, not {expected}");
        if let Some(secret) = &self.secret {
            proof_mac(secret, challenge, name)
                .verify_slice(proof)
                .map_err(|_| anyhow::anyhow!("it does not hold this cluster's secret"))?;
        }
        Ok(())
    }

    /// Adds the cluster secret, if there is one, to a request for a peer.
    pub(super) fn attach<T>(&self, request: &mut Request<T>) {
        if let Some(secret) = &self.secret {
            let value = format!("Bearer {secret}").parse().expect("the secret was checked to be printable ASCII");
            request.metadata_mut().insert("authorization", value);
        }
    }
}

fn proof_mac(secret: &str, challenge: &[u8], name: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(b"granary hello\0");
    mac.update(challenge);
    mac.update(name.as_bytes());
    mac
}

/// Compares without returning early, so timing does not reveal how much of a secret matched.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}
