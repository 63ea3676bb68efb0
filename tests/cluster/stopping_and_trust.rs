//! A whole cluster stopped at once stops within its drain limit, and a member whose
//! certificate another CA signed never joins the placement of a mutual-TLS cluster.

use crate::support::cluster::{call, client, free_port, start_member_with};
use crate::support::component_path;
use crate::support::process::DevNode;
use crate::support::tls::TestCa;
use crate::{CALL_TIMEOUT, wait_until};
use std::time::{Duration, Instant};

/// The drain limit the members run with.
const DRAIN: Duration = Duration::from_secs(20);

/// Member statuses as `node` sees them, by member name.
fn statuses(node: &DevNode) -> Vec<(String, String)> {
    let status = node.cli(&["cluster", "status", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&status.stdout).unwrap_or_default();
    let members = status["members"].as_array().cloned().unwrap_or_default();
    members
        .iter()
        .map(|m| {
            (m["id"].as_str().unwrap_or_default().to_string(), m["status"].as_str().unwrap_or_default().to_string())
        })
        .collect()
}

fn count_up(node: &DevNode) -> usize {
    statuses(node).iter().filter(|(_, status)| status == "up").count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_member_stopped_at_once_exits_within_the_drain_limit() {
    let dirs: Vec<tempfile::TempDir> = (0..4).map(|_| tempfile::tempdir().expect("temp dir")).collect();
    let ports: Vec<u16> = (0..4).map(|_| free_port()).collect();
    let drain = format!("{}s", DRAIN.as_secs());
    let seed = format!("127.0.0.1:{}", ports[0]);
    let mut members: Vec<DevNode> = ports
        .iter()
        .zip(&dirs)
        .enumerate()
        .map(|(at, (port, dir))| {
            let mut args = vec!["--provider", "gossip", "--gossip-interval", "100ms", "--drain-timeout", &drain];
            if at > 0 {
                args.extend(["--seeds", &seed]);
            }
            start_member_with(dir.path(), *port, "redb", &args)
        })
        .collect();
    wait_until(Duration::from_secs(30), "four members up", || members.iter().all(|member| count_up(member) == 4));
    let counter = component_path("rust", "counter");
    assert!(members[0].cli(&["kind", "push", "counter", counter.to_str().expect("UTF-8")]).success);
    wait_until(Duration::from_secs(30), "the kind on every member", || {
        members.iter().all(|member| member.cli(&["kind", "ls"]).stdout.contains("counter"))
    });
    let mut grains = client(ports[1]).await;
    for i in 0..200 {
        call(&mut grains, "counter", &format!("c{i}"), "add", r#"{"n":1}"#, CALL_TIMEOUT).await.expect("add");
    }

    let stopped_at = Instant::now();
    for member in &members {
        member.terminate();
    }
    for member in &mut members {
        let exit = member.wait_exit(DRAIN + Duration::from_secs(5));
        let log = member.log();
        assert!(exit.is_some_and(|status| status.success()), "every member exits, cleanly:\n{log}");
        assert!(!log.contains("drain limit"), "each finished its shutdown within the drain limit:\n{log}");
    }
    println!("ALL MEMBERS STOPPED AT ONCE: the last exited {:.2?} after SIGTERM", stopped_at.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_with_a_foreign_certificate_is_refused() {
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("temp dir")).collect();
    let (a, b, c) = (free_port(), free_port(), free_port());
    let seed = format!("127.0.0.1:{a}");
    let gossip = ["--provider", "gossip", "--gossip-interval", "100ms"];
    let one = start_member_with(dirs[0].path(), a, "redb", &gossip);
    let mut seeded = gossip.to_vec();
    seeded.extend(["--seeds", &seed]);
    let two = start_member_with(dirs[1].path(), b, "redb", &seeded);
    // The same cluster name and seeds, but a certificate of another CA.
    let foreign = TestCa::new("a foreign CA");
    let cert = foreign.issue("intruder", &["test"]);
    let listen = format!("127.0.0.1:{c}");
    let mut args: Vec<String> = ["node", "--cluster", "test", "--listen", &listen, "--state", "redb", "--data-dir"]
        .iter()
        .map(|arg| arg.to_string())
        .collect();
    args.push(dirs[2].path().to_str().expect("UTF-8").into());
    args.extend(seeded.iter().map(|arg| arg.to_string()));
    args.extend(cert.node_flags(&foreign.ca));
    let intruder = DevNode::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>());

    wait_until(Duration::from_secs(30), "the two members to count each other", || {
        count_up(&one) == 2 && count_up(&two) == 2
    });
    let intruder_id = listen.clone();
    wait_until(Duration::from_secs(30), "the members to refuse the intruder", || {
        one.log().contains("member not counted") && two.log().contains("member not counted")
    });
    for member in [&one, &two] {
        let seen = statuses(member);
        let intruder_seen = seen.iter().find(|(id, _)| *id == intruder_id);
        assert!(
            intruder_seen.is_none_or(|(_, status)| status == "joining"),
            "the intruder never counts as up: {seen:?}"
        );
    }
    assert!(intruder.log().contains("member not counted"), "the intruder cannot verify them either");
    // It refuses the others while it is still starting; it counts itself up once it has started.
    wait_until(Duration::from_secs(30), "the intruder to count itself up", || {
        statuses(&intruder).iter().any(|(id, status)| *id == intruder_id && status == "up")
    });
    assert_eq!(count_up(&intruder), 1, "the intruder counts only itself: {:?}", statuses(&intruder));

    let counter = component_path("rust", "counter");
    assert!(one.cli(&["kind", "push", "counter", counter.to_str().expect("UTF-8")]).success);
    wait_until(Duration::from_secs(30), "the kind on the second member", || {
        two.cli(&["kind", "ls"]).stdout.contains("counter")
    });
    let mut grains = client(a).await;
    for i in 0..100 {
        let reply = call(&mut grains, "counter", &format!("c{i}"), "add", r#"{"n":1}"#, CALL_TIMEOUT).await;
        assert!(reply.is_ok(), "no grain is placed on the intruder: counter/c{i}: {reply:?}");
    }
    assert!(intruder.cli(&["grains", "ls", "--json"]).stdout.trim() == "[]", "the intruder hosts nothing");
}
