//! `granary cluster watch` against a real gossip member: the members first, then a member
//! joining and coming up, then the same member SIGKILLed and found unreachable; `cluster
//! status` names the leader, the lowest-ordered member up.

use crate::support::cluster::{free_port, start_member};
use crate::support::process::granary_bin;
use crate::wait_until;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Whether a watch line says `event` of member `id` (`<time> <event> <member> ...`).
fn says(lines: &Mutex<Vec<String>>, event: &str, id: &str) -> bool {
    lines.lock().unwrap().iter().any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.get(1) == Some(&event) && fields.get(2) == Some(&id)
    })
}

#[test]
fn cluster_watch_prints_member_events_as_they_happen_and_status_names_the_leader() {
    let dirs: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().unwrap()).collect();
    let (first, second) = (free_port(), free_port());
    let (first_id, second_id) = (format!("127.0.0.1:{first}"), format!("127.0.0.1:{second}"));
    let one = start_member(dirs[0].path(), first, &[], "redb");

    let mut watch = Command::new(granary_bin())
        .args(["cluster", "watch"])
        .env("GRANARY_SERVER", &one.server)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = Arc::new(Mutex::new(Vec::new()));
    let collected = Arc::clone(&lines);
    let stdout = watch.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            collected.lock().unwrap().push(line);
        }
    });
    wait_until(Duration::from_secs(20), "the first member in the watch", || says(&lines, "member", &first_id));

    let two = start_member(dirs[1].path(), second, &[first], "redb");
    wait_until(Duration::from_secs(30), "the second member joined and up", || {
        says(&lines, "joined", &second_id) && says(&lines, "up", &second_id)
    });
    let status = one.cli(&["cluster", "status"]);
    let leader = first_id.clone().min(second_id.clone());
    assert!(status.stdout.contains(&format!("leader: {leader}")), "{}", status.stdout);
    let json: serde_json::Value = serde_json::from_str(&one.cli(&["cluster", "status", "--json"]).stdout).unwrap();
    assert_eq!(json["leader"], leader.as_str());

    two.kill();
    wait_until(Duration::from_secs(30), "the killed member unreachable", || says(&lines, "unreachable", &second_id));
    assert!(!says(&lines, "leaving", &second_id), "a SIGKILLed member never says it is leaving");
    let after = lines.lock().unwrap().join("\n");
    assert!(after.contains(&format!("leader={first_id}")), "the survivor leads once the other is gone:\n{after}");
    watch.kill().ok();
    watch.wait().ok();
}
