//! A throwaway PostgreSQL server for tests: Debian's binaries, a temp dir, a free loopback port.

use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::Command;
use tempfile::TempDir;

/// Where Debian installs each PostgreSQL version's server binaries.
const DEBIAN_POSTGRESQL: &str = "/usr/lib/postgresql";
/// Free ports are picked before the server binds one; another process may take it first.
const START_ATTEMPTS: usize = 3;

/// A running server whose superuser `postgres` needs no password; stopped and deleted on drop.
pub struct PostgresServer {
    bin: PathBuf,
    dir: TempDir,
    port: u16,
    /// PostgreSQL refuses to run as root, so as root it runs as the `postgres` OS user.
    as_postgres_user: bool,
    /// Listened on beside loopback, trusting clients in its /24.
    also_on: Option<Ipv4Addr>,
}

impl PostgresServer {
    /// Initializes a cluster, starts it and creates the database `granary`.
    pub fn start() -> PostgresServer {
        PostgresServer::start_listening(None)
    }

    /// Like `start`, also listening on `address` (another network namespace's way in).
    pub fn start_also_on(address: Ipv4Addr) -> PostgresServer {
        PostgresServer::start_listening(Some(address))
    }

    fn start_listening(also_on: Option<Ipv4Addr>) -> PostgresServer {
        let bin = server_binaries();
        let as_postgres_user = running_as_root();
        // As root, /tmp rather than $TMPDIR: the postgres user must be able to reach the dir.
        let parent = if as_postgres_user { PathBuf::from("/tmp") } else { std::env::temp_dir() };
        let dir = tempfile::Builder::new().prefix("granary-pg-").tempdir_in(parent).expect("temp dir");
        if as_postgres_user {
            run(Command::new("chown").arg("postgres:postgres").arg(dir.path()));
        }
        let mut server = PostgresServer { bin, dir, port: 0, as_postgres_user, also_on };
        server.initdb();
        server.start_on_a_free_port();
        run(Command::new(server.bin.join("createdb")).args(server.client_args()).arg("granary"));
        server
    }

    /// `postgres://postgres@127.0.0.1:PORT/granary`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/granary", self.port)
    }

    /// The database URL through the extra address `start_also_on` listens on.
    pub fn url_at(&self, address: Ipv4Addr) -> String {
        format!("postgres://postgres@{address}:{}/granary", self.port)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn log_file(&self) -> PathBuf {
        self.dir.path().join("server.log")
    }

    /// A server binary, run as the `postgres` user when we are root.
    fn server_command(&self, name: &str) -> Command {
        let program = self.bin.join(name);
        if self.as_postgres_user {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        }
    }

    fn initdb(&self) {
        let mut initdb = self.server_command("initdb");
        // Trust on loopback only, and no fsync: a test database lives for seconds.
        initdb.arg("-D").arg(self.data_dir()).args(["-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
        run(&mut initdb);
        if let Some(address) = self.also_on {
            let [a, b, c, _] = address.octets();
            let hba = self.data_dir().join("pg_hba.conf");
            let mut rules = std::fs::read_to_string(&hba).expect("read pg_hba.conf");
            rules.push_str(&format!("host all all {a}.{b}.{c}.0/24 trust\n"));
            std::fs::write(&hba, rules).expect("write pg_hba.conf");
        }
    }

    fn start_on_a_free_port(&mut self) {
        for attempt in 1..=START_ATTEMPTS {
            self.port = free_port();
            let addresses = match self.also_on {
                Some(address) => format!("127.0.0.1,{address}"),
                None => "127.0.0.1".into(),
            };
            let options = format!(
                "-k {} -p {} -c listen_addresses={addresses} -c fsync=off",
                self.dir.path().display(),
                self.port
            );
            let mut pg_ctl = self.server_command("pg_ctl");
            pg_ctl.args(["start", "-w", "-t", "60", "-D"]).arg(self.data_dir()).arg("-l").arg(self.log_file());
            let started = pg_ctl.args(["-o", &options]).output().expect("pg_ctl runs");
            if started.status.success() {
                return;
            }
            let log = std::fs::read_to_string(self.log_file()).unwrap_or_default();
            assert!(attempt < START_ATTEMPTS, "PostgreSQL did not start: {}\n{log}", describe(&started));
        }
    }

    /// `createdb`/`psql` connection arguments.
    fn client_args(&self) -> Vec<String> {
        ["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", "postgres"].map(String::from).to_vec()
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        // Fast: roll back open transactions and disconnect clients instead of waiting for them.
        let mut stop = self.server_command("pg_ctl");
        stop.args(["stop", "-w", "-m", "fast", "-D"]).arg(self.data_dir());
        if let Err(e) = stop.output() {
            eprintln!("could not stop the test PostgreSQL: {e}");
        }
    }
}

/// The newest installed version's bin dir.
fn server_binaries() -> PathBuf {
    let versions = std::fs::read_dir(DEBIAN_POSTGRESQL).into_iter().flatten().flatten();
    let mut bins: Vec<(u32, PathBuf)> = versions
        .filter_map(|entry| Some((entry.file_name().to_str()?.parse().ok()?, entry.path().join("bin"))))
        .filter(|(_, bin)| bin.join("initdb").is_file() && bin.join("pg_ctl").is_file())
        .collect();
    bins.sort();
    match bins.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "no PostgreSQL server under {DEBIAN_POSTGRESQL}/VERSION/bin: \
             install Debian's postgresql (apt-get install postgresql)"
        ),
    }
}

fn running_as_root() -> bool {
    let id = Command::new("id").arg("-u").output().expect("`id -u` runs");
    String::from_utf8_lossy(&id.stdout).trim() == "0"
}

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").expect("bind a free port").local_addr().expect("bound address").port()
}

fn run(command: &mut Command) {
    let output = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(output.status.success(), "{command:?}: {}", describe(&output));
}

fn describe(output: &std::process::Output) -> String {
    format!("{}\n{}{}", output.status, String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}
