//! Durable reminders in a three-member cluster on a real PostgreSQL: tickers owned by a member
//! that is SIGKILLed resume ticking on their new owner, within the failure-detection time plus
//! one period, and never count a tick twice.

use crate::support::cluster::{call, client};
use crate::support::component_path;
use crate::support::postgres::PostgresServer;
use crate::support::process::granary_bin;
use crate::{CALL_TIMEOUT, Cluster, Discovery, wait_until};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PERIOD_MS: u64 = 500;
/// Room for polling and a loaded CI machine, beyond detection plus one period.
const SLACK: Duration = Duration::from_secs(2);

async fn ticks(port: u16, identity: &str) -> Option<u64> {
    let reply = call(&mut client(port).await, "ticker", identity, "get", "", CALL_TIMEOUT).await.ok()?;
    serde_json::from_str::<serde_json::Value>(&reply).ok()?["ticks"].as_u64()
}

/// When `granary cluster watch` against `server` first prints that `member` is unreachable.
fn watch_for_unreachable(server: &str, member: String) -> (std::process::Child, Arc<Mutex<Option<Instant>>>) {
    let mut watch = Command::new(granary_bin())
        .args(["cluster", "watch"])
        .env("GRANARY_SERVER", server)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let seen = Arc::new(Mutex::new(None));
    let noted = Arc::clone(&seen);
    let stdout = watch.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            if fields.get(1) == Some(&"unreachable") && fields.get(2) == Some(&member.as_str()) {
                noted.lock().unwrap().get_or_insert_with(Instant::now);
            }
        }
    });
    (watch, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tickers_resume_on_the_new_owner_after_their_owner_is_sigkilled() {
    let postgres = PostgresServer::start();
    let mut cluster = Cluster::start(Discovery::Gossip, &postgres.url());
    let ports = cluster.ports();
    let ticker = component_path("rust", "ticker");
    let pushed = cluster.members[0].1.cli(&["kind", "push", "ticker", ticker.to_str().unwrap()]);
    assert!(pushed.success, "push: {}", pushed.stderr);
    for (_, member) in &cluster.members {
        wait_until(Duration::from_secs(20), "the ticker kind on every member", || {
            member.cli(&["kind", "ls"]).stdout.contains("ticker")
        });
    }

    let mut first = client(ports[0]).await;
    let start = format!(r#"{{"period_ms":{PERIOD_MS}}}"#);
    for i in 0..24 {
        call(&mut first, "ticker", &format!("t{i}"), "start", &start, CALL_TIMEOUT).await.expect("start");
    }
    let on_victim: Vec<String> = crate::support::cluster::live_grains(ports[2])
        .await
        .into_iter()
        .filter_map(|grain| grain.strip_prefix("ticker/").map(str::to_string))
        .collect();
    assert!(!on_victim.is_empty(), "some tickers live on the member to be killed");
    for identity in &on_victim {
        let mut seen = 0;
        for _ in 0..100 {
            seen = ticks(ports[0], identity).await.unwrap_or(0);
            if seen >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(seen >= 2, "{identity} ticks before the kill");
    }

    let victim_id = format!("127.0.0.1:{}", ports[2]);
    let (mut watch, unreachable) = watch_for_unreachable(&cluster.members[0].1.server, victim_id);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut at_kill = Vec::new();
    for identity in &on_victim {
        at_kill.push(ticks(ports[0], identity).await.expect("ticks before the kill"));
    }
    let victim = cluster.take(ports[2]);
    let killed_at = Instant::now();
    victim.kill();

    let mut resumed = Vec::new();
    for (identity, before) in on_victim.iter().zip(&at_kill) {
        loop {
            if ticks(ports[0], identity).await.is_some_and(|now| now > *before) {
                resumed.push(killed_at.elapsed());
                break;
            }
            assert!(killed_at.elapsed() < Duration::from_secs(60), "{identity} never ticked again after the kill");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    let detected = unreachable.lock().unwrap().expect("the survivors found the victim unreachable") - killed_at;
    let slowest = resumed.iter().max().copied().unwrap();
    let bound = detected + Duration::from_millis(PERIOD_MS) + SLACK;
    assert!(
        slowest <= bound,
        "tickers resumed {slowest:?} after the kill; detection took {detected:?}, period {PERIOD_MS} ms"
    );
    // Ticks go on at the period on the new owner, each counted once.
    let before = ticks(ports[0], &on_victim[0]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(PERIOD_MS * 6)).await;
    let after = ticks(ports[0], &on_victim[0]).await.unwrap();
    assert!((3..=8).contains(&(after - before)), "{} ticks in 6 periods on the new owner", after - before);
    println!(
        "reminders after SIGKILL: {} tickers of the killed member resumed {slowest:.2?} after the kill \
         (detection {detected:.2?}, period {PERIOD_MS} ms)",
        on_victim.len()
    );
    watch.kill().ok();
    watch.wait().ok();
    drop(cluster);
}
