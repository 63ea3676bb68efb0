//! A `granary dev` node on its default store (redb, group-committed) is SIGKILLed while 64
//! clients add to 1000 counters. After a restart every acknowledged add is there, and the
//! surplus is no more than the adds that were in flight unacknowledged.

use crate::support::cluster::{call, client_at};
use crate::support::process::DevNode;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const CLIENTS: usize = 64;
const COUNTERS: usize = 1000;
const TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Ledger {
    acked: BTreeMap<usize, i64>,
    unacked: u64,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_adds_survive_a_sigkill_under_load_on_the_default_store() {
    let data = tempfile::tempdir().expect("temp dir");
    let node = DevNode::with_examples(data.path(), &[]);
    let stop = Arc::new(AtomicBool::new(false));
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut clients = Vec::new();
    for client in 0..CLIENTS {
        let mut grains = client_at(&node.server).await;
        let (stop, ledger) = (Arc::clone(&stop), Arc::clone(&ledger));
        clients.push(tokio::spawn(async move {
            let mut i = client * 7919 % COUNTERS;
            while !stop.load(Ordering::Relaxed) {
                i = (i * 31 + 17) % COUNTERS;
                let added = call(&mut grains, "counter", &format!("c{i}"), "add", r#"{"n":1}"#, TIMEOUT).await;
                let mut ledger = ledger.lock().unwrap();
                match added {
                    Ok(_) => *ledger.acked.entry(i).or_insert(0) += 1,
                    Err(_) => {
                        // The node is gone: this add may or may not have been applied.
                        ledger.unacked += 1;
                        return;
                    }
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(3)).await;
    node.kill();
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        client.await.expect("client task");
    }
    let Ledger { acked, unacked } = std::mem::take(&mut *ledger.lock().unwrap());
    let acked_total: i64 = acked.values().sum();
    assert!(acked_total > 1000, "the load ran: {acked_total} acknowledged adds");

    let node = DevNode::with_examples(data.path(), &[]);
    let mut grains = client_at(&node.server).await;
    let mut surplus = 0;
    for i in 0..COUNTERS {
        let reply = call(&mut grains, "counter", &format!("c{i}"), "get", "", TIMEOUT).await.expect("get");
        let total = serde_json::from_str::<serde_json::Value>(&reply).expect("JSON")["total"].as_i64().expect("total");
        let expected = acked.get(&i).copied().unwrap_or(0);
        assert!(total >= expected, "counter/c{i} lost acknowledged adds: {total} < {expected}");
        surplus += total - expected;
    }
    assert!(surplus <= unacked as i64, "only in-flight adds may have been applied: surplus {surplus} > {unacked}");
    println!(
        "SIGKILL ON REDB: {acked_total} acknowledged adds by {CLIENTS} clients over {COUNTERS} counters in 3 s, \
         {unacked} in flight at the kill, {surplus} of those applied; none acknowledged lost"
    );
    node.stop();
}
