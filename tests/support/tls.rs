//! Test certificates made on the spot with rcgen: a CA, and member certificates it signs,
//! written as PEM files into a temporary folder. Nothing secret is checked in.

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use std::path::{Path, PathBuf};

/// A CA and the folder its files live in.
pub struct TestCa {
    dir: tempfile::TempDir,
    issuer: CertifiedIssuer<'static, KeyPair>,
    /// The CA certificate (PEM).
    pub ca: PathBuf,
}

/// A certificate and its key, as PEM files.
pub struct TestCert {
    pub cert: PathBuf,
    pub key: PathBuf,
}

impl TestCa {
    /// A new CA named `name`.
    pub fn new(name: &str) -> TestCa {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(rcgen::DnType::CommonName, name);
        let issuer =
            CertifiedIssuer::self_signed(params, KeyPair::generate().expect("CA key")).expect("CA certificate");
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, issuer.pem()).expect("write the CA");
        TestCa { dir, issuer, ca }
    }

    /// A certificate signed by this CA, valid for `names` (DNS names or IP addresses).
    pub fn issue(&self, file_stem: &str, names: &[&str]) -> TestCert {
        let names: Vec<String> = names.iter().map(|name| name.to_string()).collect();
        let params = CertificateParams::new(names).expect("certificate params");
        let key = KeyPair::generate().expect("key");
        let cert = params.signed_by(&key, &*self.issuer).expect("signed certificate");
        let cert_path = self.dir.path().join(format!("{file_stem}.pem"));
        let key_path = self.dir.path().join(format!("{file_stem}.key"));
        std::fs::write(&cert_path, cert.pem()).expect("write the certificate");
        std::fs::write(&key_path, key.serialize_pem()).expect("write the key");
        TestCert { cert: cert_path, key: key_path }
    }

    /// Where its files are.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl TestCert {
    /// The flags that give a node this certificate, with `ca` as the cluster's CA.
    pub fn node_flags(&self, ca: &Path) -> Vec<String> {
        vec![
            "--tls-cert".into(),
            self.cert.to_str().expect("UTF-8 path").into(),
            "--tls-key".into(),
            self.key.to_str().expect("UTF-8 path").into(),
            "--tls-ca".into(),
            ca.to_str().expect("UTF-8 path").into(),
        ]
    }
}
