//! A network namespace joined to this one by veth pairs, so a test can cut a node off by
//! taking a link down. Needs root; `create` says why not otherwise.

use std::future::Future;
use std::net::Ipv4Addr;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};

/// One veth pair: `host_ip` on this side, `ns_ip` inside the namespace.
pub struct Link {
    host_interface: String,
    pub host_ip: Ipv4Addr,
    pub ns_ip: Ipv4Addr,
}

pub struct Netns {
    pub name: String,
    pub links: Vec<Link>,
}

impl Netns {
    /// A namespace with `links` veth pairs, each its own /30 (10.(201+i).N.0/30, N from the
    /// process id and a count, so concurrent tests do not collide). Err says why it cannot be made.
    pub fn create(links: u8) -> Result<Netns, String> {
        let uid = Command::new("id").arg("-u").output().map_err(|e| format!("`id -u`: {e}"))?;
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            return Err("network namespaces need root".into());
        }
        static CREATED: AtomicU32 = AtomicU32::new(0);
        let unique = std::process::id() * 8 + CREATED.fetch_add(1, Ordering::Relaxed);
        let name = format!("granary-test-{unique}");
        ip(&["netns", "add", &name])?;
        let mut netns = Netns { name, links: Vec::new() };
        let subnet = (unique % 250 + 1) as u8;
        for i in 0..links {
            let host_interface = format!("grh{i}-{unique}");
            let ns_interface = format!("grn{i}-{unique}");
            let link = Link {
                host_interface: host_interface.clone(),
                host_ip: Ipv4Addr::new(10, 201 + i, subnet, 1),
                ns_ip: Ipv4Addr::new(10, 201 + i, subnet, 2),
            };
            ip(&["link", "add", &host_interface, "type", "veth", "peer", "name", &ns_interface])?;
            netns.links.push(link);
            let link = netns.links.last().expect("just pushed");
            ip(&["link", "set", &ns_interface, "netns", &netns.name])?;
            ip(&["addr", "add", &format!("{}/30", link.host_ip), "dev", &host_interface])?;
            ip(&["link", "set", &host_interface, "up"])?;
            netns.inside(&["ip", "addr", "add", &format!("{}/30", link.ns_ip), "dev", &ns_interface])?;
            netns.inside(&["ip", "link", "set", &ns_interface, "up"])?;
        }
        netns.inside(&["ip", "link", "set", "lo", "up"])?;
        Ok(netns)
    }

    /// Takes link `i` down (cutting the namespace off through it) or up again.
    pub fn set_link(&self, i: usize, up: bool) {
        let state = if up { "up" } else { "down" };
        ip(&["link", "set", &self.links[i].host_interface, state]).expect("set the link state");
    }

    /// Runs `future` (made by `make`) on a thread that has entered the namespace, so every
    /// socket it opens is inside; returns its output.
    pub fn run_inside<T, F, Fut>(&self, make: F) -> std::thread::JoinHandle<T>
    where
        T: Send + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = T>,
    {
        let path = format!("/run/netns/{}", self.name);
        std::thread::spawn(move || {
            let namespace = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            // SAFETY: setns only changes this thread's network namespace; the fd is valid.
            let entered = unsafe { libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(entered, 0, "setns {path}: {}", std::io::Error::last_os_error());
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(make())
        })
    }

    /// Gives programs run inside (through `ip netns exec`) these `/etc/hosts` lines.
    pub fn hosts(&self, lines: &str) {
        let dir = format!("/etc/netns/{}", self.name);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{dir}: {e}"));
        std::fs::write(format!("{dir}/hosts"), lines).unwrap_or_else(|e| panic!("{dir}/hosts: {e}"));
    }

    /// `program` to be run inside the namespace.
    pub fn command(&self, program: &std::path::Path) -> Command {
        let mut command = Command::new("ip");
        command.args(["netns", "exec", &self.name]).arg(program);
        command
    }

    fn inside(&self, command: &[&str]) -> Result<(), String> {
        let mut args = vec!["netns", "exec", &self.name];
        args.extend_from_slice(command);
        ip(&args)
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        // Deleting an interface deletes its veth peer too.
        for link in &self.links {
            ip(&["link", "del", &link.host_interface]).ok();
        }
        ip(&["netns", "del", &self.name]).ok();
        std::fs::remove_dir_all(format!("/etc/netns/{}", self.name)).ok();
    }
}

fn ip(args: &[&str]) -> Result<(), String> {
    let output = Command::new("ip").args(args).output().map_err(|e| format!("`ip` does not run: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("ip {}: {}", args.join(" "), String::from_utf8_lossy(&output.stderr).trim()))
    }
}
