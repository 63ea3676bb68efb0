//! `--seeds` takes a DNS name that resolves to several members, as a Kubernetes headless
//! Service's name does. Two members start alone, each a cluster of one; a third joins through
//! one name that resolves to both, and must reach both for the three to become one cluster
//! (one address alone would leave the other member out). They run in a network namespace
//! whose `/etc/hosts` gives the name both addresses (so, like the partition test, it needs
//! root).

use crate::support::netns::Netns;
use crate::support::process::{DevNode, granary_bin};
use std::time::{Duration, Instant};

const PORT: &str = "7300";
/// The first two are behind the name `granary-seeds`; the third joins through it.
const MEMBERS: [&str; 3] = ["127.0.0.2", "127.0.0.3", "127.0.0.4"];
const JOINER: usize = 2;

#[test]
fn members_join_through_a_name_that_resolves_to_several_of_them() {
    let netns = match Netns::create(0) {
        Ok(netns) => netns,
        Err(reason) => {
            println!("SKIPPED the DNS seeds test: {reason}");
            return;
        }
    };
    netns.hosts("127.0.0.1 localhost\n127.0.0.2 granary-seeds\n127.0.0.3 granary-seeds\n");
    let dirs: Vec<tempfile::TempDir> = MEMBERS.iter().map(|_| tempfile::tempdir().expect("temp dir")).collect();
    let members: Vec<DevNode> = MEMBERS
        .iter()
        .zip(&dirs)
        .enumerate()
        .map(|(at, (ip, dir))| {
            let listen = format!("{ip}:{PORT}");
            let mut args = vec![
                "node",
                "--cluster",
                "dns",
                "--provider",
                "gossip",
                "--gossip-interval",
                "100ms",
                "--listen",
                &listen,
                "--cluster-secret",
                "dns-test-secret",
                "--data-dir",
                dir.path().to_str().expect("UTF-8 path"),
            ];
            if at == JOINER {
                args.extend(["--seeds", "granary-seeds:7300"]);
            }
            DevNode::spawn_in_netns(&netns.name, &format!("http://{listen}"), &args)
        })
        .collect();

    let asked = format!("http://{}:{PORT}", MEMBERS[JOINER]);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let output = netns
            .command(&granary_bin())
            .args(["cluster", "status", "--json", "--server", &asked])
            .output()
            .expect("the CLI runs");
        let status: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_default();
        let up = status["members"]
            .as_array()
            .map_or(0, |members| members.iter().filter(|member| member["status"] == "up").count());
        if up == MEMBERS.len() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "three members up within 30 s, found {up}: {status}\n{}",
            members.iter().map(DevNode::log).collect::<Vec<_>>().join("\n---\n")
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for member in members {
        member.stop();
    }
}
