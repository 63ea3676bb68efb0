//! Topics in a three-member cluster on a real PostgreSQL: callers deposit into accounts through
//! two members while the third is SIGKILLed; the `ledger` kind, subscribed to the accounts'
//! `money-deposited` events, ends up counting every acknowledged deposit exactly once.

use crate::support::cluster::{call, client};
use crate::support::component_path;
use crate::support::postgres::PostgresServer;
use crate::{CALL_TIMEOUT, Cluster, Discovery, wait_until};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const ACCOUNTS: usize = 20;
const CALLERS: usize = 8;

/// Per account: acknowledged deposits and their total.
type Acked = Arc<Mutex<BTreeMap<usize, (u64, i64)>>>;

/// Deposits until `stop`, each under its own `op`, asked again (through either member) until
/// acknowledged, so every deposit made is acknowledged exactly once.
async fn deposit_until(ports: [u16; 2], caller: usize, stop: Arc<AtomicBool>, acked: Acked) {
    let mut clients = [client(ports[0]).await, client(ports[1]).await];
    let mut n = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let account = (caller * 7 + n) % ACCOUNTS;
        let amount = 1 + (n % 5) as i64;
        let body = format!(r#"{{"amount":{amount},"op":"c{caller}-{n}"}}"#);
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            let client = &mut clients[attempt % 2];
            match call(client, "account", &format!("acc{account}"), "deposit", &body, CALL_TIMEOUT).await {
                Ok(_) => break,
                Err(status) => {
                    assert!(started.elapsed() < Duration::from_secs(60), "deposit c{caller}-{n}: {status}");
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
        let mut acked = acked.lock().unwrap();
        let entry = acked.entry(account).or_default();
        entry.0 += 1;
        entry.1 += amount;
        n += 1;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_ledger_counts_every_acknowledged_deposit_once_across_a_sigkill() {
    let postgres = PostgresServer::start();
    let mut cluster = Cluster::start(Discovery::Gossip, &postgres.url());
    let ports = cluster.ports();
    for (name, subscribe) in [("account", None), ("ledger", Some("money-deposited"))] {
        let path = component_path("rust", name);
        let mut args = vec!["kind", "push", name, path.to_str().unwrap()];
        args.extend(subscribe.iter().flat_map(|topic| ["--subscribe", topic]));
        let pushed = cluster.members[0].1.cli(&args);
        assert!(pushed.success, "push {name}: {}", pushed.stderr);
    }
    for (_, member) in &cluster.members {
        wait_until(Duration::from_secs(20), "account and ledger on every member", || {
            let listed = member.cli(&["kind", "ls"]).stdout;
            listed.contains("account") && listed.contains("money-deposited")
        });
    }

    let stop = Arc::new(AtomicBool::new(false));
    let acked: Acked = Arc::default();
    let callers: Vec<_> = (0..CALLERS)
        .map(|caller| tokio::spawn(deposit_until([ports[0], ports[1]], caller, Arc::clone(&stop), Arc::clone(&acked))))
        .collect();
    tokio::time::sleep(Duration::from_secs(2)).await;
    cluster.take(ports[2]).kill();
    tokio::time::sleep(Duration::from_secs(4)).await;
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.await.unwrap();
    }

    let acked = acked.lock().unwrap().clone();
    let made: u64 = acked.values().map(|(count, _)| count).sum();
    assert!(made > 100, "deposits were made through the kill: {made}");
    let mut probe = client(ports[0]).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    for (account, (count, total)) in &acked {
        let want = format!(r#"{{"deposits":{count},"total":{total}}}"#);
        loop {
            let got = call(&mut probe, "ledger", &format!("acc{account}"), "get", "", CALL_TIMEOUT).await;
            if got.as_ref().is_ok_and(|reply| *reply == want) {
                break;
            }
            assert!(Instant::now() < deadline, "ledger/acc{account}: {got:?}, expected {want}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let balance = call(&mut probe, "account", &format!("acc{account}"), "balance", "", CALL_TIMEOUT).await.unwrap();
        assert_eq!(balance, format!(r#"{{"balance":{total}}}"#), "acc{account}");
    }
    println!("events across SIGKILL: {made} acknowledged deposits into {} accounts, each counted once", acked.len());
    drop(cluster);
}
