//! Real `granary` processes: a dev node on port 0 and CLI invocations against it.

use super::{component_path, repo_root};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub fn granary_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_granary"))
}

/// A running `granary dev` whose log is collected.
pub struct DevNode {
    child: Child,
    /// The gRPC address, `http://127.0.0.1:PORT`.
    pub server: String,
    /// The HTTP gateway address, `http://127.0.0.1:PORT`.
    pub http: String,
    log: Arc<Mutex<String>>,
}

impl DevNode {
    /// Starts `granary dev` on free ports with the Rust examples as kinds.
    pub fn with_examples(data_dir: &Path, extra_args: &[&str]) -> DevNode {
        let kinds = component_path("rust", "counter").parent().expect("grains dir").to_path_buf();
        let mut args = vec!["--kinds", kinds.to_str().expect("UTF-8 path")];
        args.extend_from_slice(extra_args);
        DevNode::start(data_dir, &args)
    }

    /// Starts `granary dev` on free ports.
    pub fn start(data_dir: &Path, extra_args: &[&str]) -> DevNode {
        let data_dir = data_dir.to_str().expect("UTF-8 path");
        let mut args = vec!["dev", "--listen", "127.0.0.1:0", "--http", "127.0.0.1:0", "--data-dir", data_dir];
        args.extend_from_slice(extra_args);
        DevNode::spawn(&args)
    }

    /// Runs `granary <args>` (a `dev` or `node` command) and waits until it listens.
    pub fn spawn(args: &[&str]) -> DevNode {
        DevNode::spawn_command(Command::new(granary_bin()), args)
    }

    /// Runs `granary <args>` inside the network namespace `netns`; `server` is then the
    /// address it is reached at from here.
    pub fn spawn_in_netns(netns: &str, server: &str, args: &[&str]) -> DevNode {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", netns]).arg(granary_bin());
        let mut node = DevNode::spawn_command(command, args);
        node.server = server.to_string();
        node
    }

    fn spawn_command(mut command: Command, args: &[&str]) -> DevNode {
        let mut child = command
            .args(args)
            .env("RUST_LOG", "info,granary=debug")
            .current_dir(repo_root())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("granary dev starts");
        let stderr = child.stderr.take().expect("piped stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (address_tx, address_rx) = std::sync::mpsc::channel();
        let collected = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                // Logged first, so the line is in the log once the address is known.
                {
                    let mut log = collected.lock().expect("log lock");
                    log.push_str(&line);
                    log.push('\n');
                }
                if let Some((_, rest)) = line.split_once("listening on ") {
                    let grpc = rest.split_whitespace().next().unwrap_or_default().to_string();
                    let http = rest.split_once("http=").map(|(_, h)| h.split_whitespace().next().unwrap_or_default());
                    address_tx.send((grpc, http.unwrap_or_default().to_string())).ok();
                }
            }
        });
        let (server, http) = address_rx.recv_timeout(Duration::from_secs(60)).unwrap_or_else(|_| {
            panic!("granary dev did not report its address; log:\n{}", log.lock().expect("log lock"))
        });
        DevNode { child, server, http, log }
    }

    /// Runs `granary <args>` against this node (through `GRANARY_SERVER`).
    pub fn cli(&self, args: &[&str]) -> CliOutput {
        let output = Command::new(granary_bin())
            .args(args)
            .env("GRANARY_SERVER", &self.server)
            .output()
            .expect("granary CLI runs");
        CliOutput::from(output)
    }

    pub fn log(&self) -> String {
        self.log.lock().expect("log lock").clone()
    }

    /// Waits until the node's log contains `needle`.
    pub fn wait_for_log(&self, needle: &str, within: Duration) {
        let deadline = Instant::now() + within;
        while !self.log().contains(needle) {
            assert!(Instant::now() < deadline, "no {needle:?} in the node log within {within:?}:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGTERM, then wait for the process to exit on its own.
    pub fn stop(mut self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        assert!(status.success(), "kill -TERM {pid}");
        let exit = self.child.wait().expect("node exits");
        assert!(exit.success(), "graceful stop exits 0, got {exit}; log:\n{}", self.log());
    }

    /// Sends SIGTERM and returns at once.
    pub fn terminate(&self) {
        let pid = self.child.id().to_string();
        let status = Command::new("kill").args(["-TERM", &pid]).status().expect("kill runs");
        assert!(status.success(), "kill -TERM {pid}");
    }

    /// Waits up to `within` for the process to exit; its exit status, or `None` if it still runs.
    pub fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait") {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// SIGKILL: no chance to deactivate anything.
    pub fn kill(mut self) {
        self.child.kill().expect("SIGKILL");
        self.child.wait().expect("reaped");
    }
}

impl Drop for DevNode {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Runs `granary <args>` with no server preset.
pub fn granary_cli(args: &[&str]) -> CliOutput {
    CliOutput::from(
        Command::new(granary_bin()).args(args).env_remove("GRANARY_SERVER").output().expect("granary CLI runs"),
    )
}

pub struct CliOutput {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for CliOutput {
    fn from(output: Output) -> Self {
        CliOutput {
            success: output.status.success(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl CliOutput {
    /// The reply line of a call that must succeed.
    pub fn reply(&self) -> &str {
        assert!(self.success, "call failed: {}", self.stderr);
        self.stdout.trim_end()
    }
}
