//! A throwaway etcd server for tests: Debian's etcd-server, a temp dir, free loopback ports.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;

const ETCD: &str = "/usr/bin/etcd";
const READY_TIMEOUT: Duration = Duration::from_secs(30);

/// A single-member etcd on loopback; killed and deleted on drop.
pub struct EtcdServer {
    child: Child,
    client_port: u16,
    dir: TempDir,
}

impl EtcdServer {
    /// Starts etcd and waits until it reports itself healthy.
    pub fn start() -> EtcdServer {
        EtcdServer::start_listening(None)
    }

    /// Like `start`, also serving clients on `address` (another network namespace's way in).
    pub fn start_also_on(address: Ipv4Addr) -> EtcdServer {
        EtcdServer::start_listening(Some(address))
    }

    fn start_listening(also_on: Option<Ipv4Addr>) -> EtcdServer {
        assert!(Path::new(ETCD).is_file(), "no {ETCD}: install Debian's etcd-server (apt-get install etcd-server)");
        let dir = tempfile::Builder::new().prefix("granary-etcd-").tempdir().expect("temp dir");
        let (client_port, peer_port) = (free_port(), free_port());
        let client = format!("http://127.0.0.1:{client_port}");
        let listen_client = match also_on {
            Some(address) => format!("{client},http://{address}:{client_port}"),
            None => client.clone(),
        };
        let peer = format!("http://127.0.0.1:{peer_port}");
        let log = std::fs::File::create(dir.path().join("etcd.log")).expect("etcd log file");
        let child = Command::new(ETCD)
            .args(["--name", "default", "--data-dir"])
            .arg(dir.path().join("data"))
            .args(["--listen-client-urls", &listen_client, "--advertise-client-urls", &client])
            .args(["--listen-peer-urls", &peer, "--initial-advertise-peer-urls", &peer])
            .args(["--initial-cluster", &format!("default={peer}")])
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("{ETCD} does not start: {e}"));
        let mut server = EtcdServer { child, client_port, dir };
        server.wait_until_healthy();
        server
    }

    /// The client URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.client_port)
    }

    /// The client URL through the extra address `start_also_on` listens on.
    pub fn url_at(&self, address: Ipv4Addr) -> String {
        format!("http://{address}:{}", self.client_port)
    }

    fn wait_until_healthy(&mut self) {
        let deadline = Instant::now() + READY_TIMEOUT;
        while !health_says_true(self.client_port) {
            if let Some(exit) = self.child.try_wait().expect("etcd status") {
                panic!("etcd exited with {exit}:\n{}", self.log());
            }
            assert!(Instant::now() < deadline, "etcd not healthy within {READY_TIMEOUT:?}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("etcd.log")).unwrap_or_default()
    }
}

impl Drop for EtcdServer {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// `GET /health` answers `{"health":"true"}` once etcd has a leader and serves requests.
fn health_says_true(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else { return false };
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok();
    let request = format!("GET /health HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    let mut reply = String::new();
    stream.write_all(request.as_bytes()).is_ok()
        && stream.read_to_string(&mut reply).is_ok()
        && reply.contains(r#""health":"true""#)
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().expect("bound address").port()
}
