//! A member cut off by a network partition: three real `granary node` processes, the third in
//! its own network namespace, joined to the others by one veth link (peers, etcd) and to the
//! shared PostgreSQL by another. Taking the first link down cuts it off from the cluster while
//! it can still write state, the case fencing exists for. Needs root; skipped otherwise.

use super::{COUNTERS, Ledger, add_one, add_one_to_each, members_up, totals, wait_until};
use crate::support::cluster::{call, client, client_at, free_port, live_grains, live_grains_at, member_tls};
use crate::support::component_path;
use crate::support::etcd::EtcdServer;
use crate::support::netns::Netns;
use crate::support::postgres::PostgresServer;
use crate::support::process::DevNode;
use granary::proto::api::grains_client::GrainsClient;
use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tonic::transport::Channel;

/// The link that carries peer and membership traffic, and the one to PostgreSQL.
const CLUSTER_LINK: usize = 0;
const STATE_LINK: usize = 1;
const CALL_TIMEOUT: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_etcd_member_cut_off_hosts_nothing_and_writes_nothing_stale() {
    cut_off_member_scenario(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_gossip_member_cut_off_hosts_nothing_and_writes_nothing_stale() {
    cut_off_member_scenario(false).await;
}

async fn cut_off_member_scenario(etcd_provider: bool) {
    let provider = if etcd_provider { "etcd" } else { "gossip" };
    let netns = match Netns::create(2) {
        Ok(netns) => netns,
        Err(reason) => {
            println!("SKIPPED the {provider} partition test: {reason}");
            return;
        }
    };
    let (cluster_link, state_link) = (&netns.links[CLUSTER_LINK], &netns.links[STATE_LINK]);
    let postgres = PostgresServer::start_also_on(state_link.host_ip);
    let etcd = etcd_provider.then(|| EtcdServer::start_also_on(cluster_link.host_ip));

    // A and B here, C in the namespace; each listens on every address and is known to peers
    // by its address on the cluster link.
    let (a, b, c) = (free_port(), free_port(), free_port());
    let seed = format!("{}:{a}", cluster_link.host_ip);
    let discovery: Vec<String> = match &etcd {
        Some(etcd) => vec!["--provider".into(), "etcd".into(), "--etcd".into(), etcd.url_at(cluster_link.host_ip)],
        None => vec!["--provider".into(), "gossip".into(), "--gossip-interval".into(), "100ms".into()],
    };
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("temp dir")).collect();
    let args = |port: u16, advertise: String, state: String, dir: usize, seeds: bool| {
        let mut args = vec!["node".to_string(), "--cluster".into(), "partition".into()];
        args.extend([
            "--listen".into(),
            format!("0.0.0.0:{port}"),
            "--advertise".into(),
            format!("{advertise}:{port}"),
        ]);
        args.extend(["--state".into(), state, "--data-dir".into(), dirs[dir].path().display().to_string()]);
        args.extend(discovery.iter().cloned());
        args.extend(member_tls());
        if seeds && !etcd_provider {
            args.extend(["--seeds".into(), seed.clone()]);
        }
        args
    };
    let spawn = |args: Vec<String>| DevNode::spawn(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let node_a = spawn(args(a, cluster_link.host_ip.to_string(), postgres.url(), 0, false));
    let node_b = spawn(args(b, cluster_link.host_ip.to_string(), postgres.url(), 1, true));
    let c_args = args(c, cluster_link.ns_ip.to_string(), postgres.url_at(state_link.host_ip), 2, true);
    let c_server = format!("http://{}:{c}", cluster_link.ns_ip);
    let node_c =
        DevNode::spawn_in_netns(&netns.name, &c_server, &c_args.iter().map(String::as_str).collect::<Vec<_>>());
    let c_id = format!("{}:{c}", cluster_link.ns_ip);

    let counter = component_path("rust", "counter");
    let pushed = node_a.cli(&["kind", "push", "counter", counter.to_str().expect("UTF-8 path")]);
    assert!(pushed.success, "push: {}", pushed.stderr);
    for node in [&node_a, &node_b, &node_c] {
        wait_until(Duration::from_secs(30), &format!("the kind on {}", node.server), || {
            node.cli(&["kind", "ls"]).stdout.contains("counter")
        });
    }
    wait_until(Duration::from_secs(30), "three members up", || members_up(&node_a) == 3);
    let mut acked = add_one_to_each(&[a, b]).await;
    let on_c: Vec<String> = live_grains_at(&c_server).await;
    assert!(on_c.len() > COUNTERS / 6, "the cut-off member holds its share: {}", on_c.len());
    let c_counters: Vec<usize> = on_c
        .iter()
        .map(|grain| grain.strip_prefix("counter/c").and_then(|i| i.parse().ok()).expect("counter"))
        .collect();

    // Load on both sides: callers through A and B on every counter, and one caller inside
    // the namespace through C on the counters C held.
    let stop = Arc::new(AtomicBool::new(false));
    let _stop_callers = StopOnDrop(Arc::clone(&stop));
    let majority_ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut callers = Vec::new();
    for caller in 0..8 {
        let (stop, ledger, port) = (Arc::clone(&stop), Arc::clone(&majority_ledger), [a, b][caller % 2]);
        callers.push(tokio::spawn(async move {
            let mut client = client(port).await;
            add_until_stopped(&mut client, (0..COUNTERS).collect(), caller, &stop, &ledger).await;
        }));
    }
    let minority_ledger = Arc::new(Mutex::new(Ledger::default()));
    let inside = {
        let (stop, ledger) = (Arc::clone(&stop), Arc::clone(&minority_ledger));
        let server = format!("http://127.0.0.1:{c}");
        netns.run_inside(move || async move {
            let mut client = client_at(&server).await;
            add_until_stopped(&mut client, c_counters, 0, &stop, &ledger).await;
        })
    };
    tokio::time::sleep(Duration::from_secs(1)).await;

    netns.set_link(CLUSTER_LINK, false);
    let cut_at = Instant::now();
    // Converged: A and B see C down and answer for all of C's grains, and C hosts nothing.
    wait_until(Duration::from_secs(30), "A and B to see C down", || {
        member_status(&node_a, &c_id) == "down" && member_status(&node_b, &c_id) == "down"
    });
    let seen_down = cut_at.elapsed();
    let mut probe = client(a).await;
    for grain in &on_c {
        let identity = grain.strip_prefix("counter/").expect("a counter");
        wait_for_answer(&mut probe, identity).await;
    }
    let answered = cut_at.elapsed();
    let c_live = Arc::new(Mutex::new(Vec::new()));
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let server = format!("http://127.0.0.1:{c}");
        let found = Arc::clone(&c_live);
        netns
            .run_inside(move || async move { *found.lock().unwrap() = live_grains_at(&server).await })
            .join()
            .expect("list C's grains from inside");
        if c_live.lock().unwrap().is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "C still hosts {} grains while cut off", c_live.lock().unwrap().len());
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let emptied = cut_at.elapsed();
    let mut majority_live = HashSet::new();
    for port in [a, b] {
        majority_live.extend(live_grains(port).await);
    }
    assert!(on_c.iter().all(|grain| majority_live.contains(grain)), "A and B host every grain C held");
    tokio::time::sleep(Duration::from_secs(2)).await;

    netns.set_link(CLUSTER_LINK, true);
    let healed_at = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(30);
    while ![&node_a, &node_b, &node_c].iter().all(|node| members_up(node) == 3) {
        let views: Vec<_> =
            [&node_a, &node_b, &node_c].iter().map(|node| cluster_status(node)["members"].clone()).collect();
        assert!(Instant::now() < deadline, "C not back up in every view: {views:?}\nC's log:\n{}", node_c.log());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let rejoined = healed_at.elapsed();
    tokio::time::sleep(Duration::from_secs(1)).await;
    stop.store(true, Ordering::Relaxed);
    for caller in callers {
        caller.await.expect("caller");
    }
    inside.join().expect("caller inside the namespace");

    let majority = std::mem::take(&mut *majority_ledger.lock().unwrap());
    let minority = std::mem::take(&mut *minority_ledger.lock().unwrap());
    for ledger in [&majority, &minority] {
        for (i, n) in &ledger.acked {
            *acked.entry(*i).or_insert(0) += n;
        }
    }
    let failed = majority.failed + minority.failed;
    let final_totals = totals(a, Duration::from_secs(30)).await;
    let lost: Vec<_> = acked.iter().filter(|(i, n)| final_totals.get(i).copied().unwrap_or(0) < **n).collect();
    assert!(lost.is_empty(), "acknowledged adds lost (a stale write won): {lost:?}");
    let surplus: i64 = acked.iter().map(|(i, n)| final_totals[i] - n).sum();
    assert!(surplus <= failed as i64, "only failed adds may have been applied: {surplus} > {failed}");
    println!(
        "PARTITION ({provider}): C cut off; A and B saw it down after {seen_down:.2?}, answered for its {} grains \
         after {answered:.2?}; C hosted nothing after {emptied:.2?}; back in every view {rejoined:.2?} after healing. \
         Adds acknowledged: {} through A/B, {} through C; failed: {} through A/B, {} through C; {surplus} applied \
         but unacknowledged; no acknowledged add lost",
        on_c.len(),
        majority.acked.values().sum::<i64>(),
        minority.acked.values().sum::<i64>(),
        majority.failed,
        minority.failed,
    );
    drop((node_a, node_b, node_c, etcd, postgres));
}

/// Adds 1 to counters from `counters` in a pseudo-random order until `stop`.
async fn add_until_stopped(
    client: &mut GrainsClient<Channel>,
    counters: Vec<usize>,
    seed: usize,
    stop: &AtomicBool,
    ledger: &Mutex<Ledger>,
) {
    let mut i = seed * 61;
    while !stop.load(Ordering::Relaxed) {
        i = (i * 31 + 17) % counters.len();
        add_one(client, counters[i], ledger).await;
    }
}

/// Stops the callers when dropped, so a failing assertion does not leave them running.
struct StopOnDrop(Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

async fn wait_for_answer(client: &mut GrainsClient<Channel>, identity: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while let Err(status) = call(client, "counter", identity, "get", "", CALL_TIMEOUT).await {
        assert!(Instant::now() < deadline, "counter/{identity} after the cut: {status}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn cluster_status(node: &DevNode) -> serde_json::Value {
    serde_json::from_str(&node.cli(&["cluster", "status", "--json"]).stdout).unwrap_or_default()
}

fn member_status(node: &DevNode, id: &str) -> String {
    let status = cluster_status(node);
    let members = status["members"].as_array().cloned().unwrap_or_default();
    let member = members.iter().find(|member| member["id"] == id || member["address"] == id);
    member.and_then(|member| member["status"].as_str()).unwrap_or("unknown").to_string()
}
