//! Multi-process cluster tests: real `granary node` processes on loopback (gossiping, or
//! registered in a real etcd), grain state in a real PostgreSQL started by the harness,
//! driven through the public gRPC API.
#![allow(clippy::unwrap_used)] // a test may panic where it must not fail

#[path = "../support/mod.rs"]
mod support;

mod dns_seeds;
mod events;
mod partition;
mod reminders;
mod stopping_and_trust;
mod traces;
mod typed;
mod watch;

use granary::proto::api::grains_client::GrainsClient;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::cluster::{call, client, free_port, live_grains, retried_messages, start_member, start_member_with};
use support::component_path;
use support::etcd::EtcdServer;
use support::postgres::PostgresServer;
use support::process::DevNode;
use tonic::transport::Channel;
use tonic_types::StatusExt;

const COUNTERS: usize = 1000;
pub(crate) const CALL_TIMEOUT: Duration = Duration::from_secs(10);

/// How the members find each other.
enum Discovery {
    /// Gossip, seeded with the first member.
    Gossip,
    /// Registered in the etcd at this URL.
    Etcd(String),
}

impl Discovery {
    fn name(&self) -> &'static str {
        match self {
            Discovery::Gossip => "gossip",
            Discovery::Etcd(_) => "etcd",
        }
    }
}

struct Cluster {
    discovery: Discovery,
    state: String,
    members: Vec<(u16, DevNode)>,
    dirs: HashMap<u16, tempfile::TempDir>,
}

impl Cluster {
    /// Three members sharing `state`, the counter kind pushed through the first.
    fn start(discovery: Discovery, state: &str) -> Cluster {
        let mut cluster = Cluster { discovery, state: state.to_string(), members: Vec::new(), dirs: HashMap::new() };
        for _ in 0..3 {
            cluster.add();
        }
        let counter = component_path("rust", "counter");
        let pushed = cluster.members[0].1.cli(&["kind", "push", "counter", counter.to_str().expect("UTF-8 path")]);
        assert!(pushed.success, "push: {}", pushed.stderr);
        for (_, member) in &cluster.members {
            wait_until(Duration::from_secs(20), "the kind on every member", || {
                member.cli(&["kind", "ls"]).stdout.contains("counter")
            });
        }
        cluster
    }

    /// Starts one more member.
    fn add(&mut self) -> u16 {
        let port = free_port();
        self.dirs.insert(port, tempfile::tempdir().expect("temp dir"));
        let member = self.start_on(port);
        self.members.push((port, member));
        port
    }

    /// Starts a member on `port` with its data dir; gossip seeds are the other members.
    fn start_on(&self, port: u16) -> DevNode {
        let dir = self.dirs[&port].path();
        match &self.discovery {
            Discovery::Gossip => {
                let seeds: Vec<u16> = self.ports().into_iter().filter(|seed| *seed != port).collect();
                start_member(dir, port, &seeds, &self.state)
            }
            Discovery::Etcd(url) => start_member_with(dir, port, &self.state, &["--provider", "etcd", "--etcd", url]),
        }
    }

    /// Stops the member on `port` gracefully (SIGTERM) and starts it again on the same port
    /// and data dir.
    fn restart(&mut self, port: u16) {
        let at = self.members.iter().position(|(p, _)| *p == port).expect("member");
        let (_, member) = self.members.remove(at);
        member.stop();
        let member = self.start_on(port);
        self.members.insert(at, (port, member));
    }

    fn ports(&self) -> Vec<u16> {
        self.members.iter().map(|(port, _)| *port).collect()
    }

    fn take(&mut self, port: u16) -> DevNode {
        let at = self.members.iter().position(|(p, _)| *p == port).expect("member");
        self.members.remove(at).1
    }
}

/// Polls `check` (blocking) until it holds, failing after `within`.
pub(crate) fn wait_until(within: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !check() {
        assert!(Instant::now() < deadline, "no {what} within {within:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Adds 1 to every counter through the members in turn; returns the acknowledged totals.
async fn add_one_to_each(ports: &[u16]) -> BTreeMap<usize, i64> {
    let mut clients = Vec::new();
    for port in ports {
        clients.push(client(*port).await);
    }
    let mut totals = BTreeMap::new();
    let members = clients.len();
    for i in 0..COUNTERS {
        let client = &mut clients[i % members];
        let reply = call(client, "counter", &format!("c{i}"), "add", r#"{"n":1}"#, CALL_TIMEOUT).await;
        assert!(reply.is_ok(), "add to counter/c{i}: {reply:?}");
        totals.insert(i, 1);
    }
    totals
}

/// Every identity is live on exactly one member.
async fn assert_live_once(ports: &[u16], expected: usize) -> HashMap<u16, usize> {
    let mut seen = HashSet::new();
    let mut per_member = HashMap::new();
    for port in ports {
        let grains = live_grains(*port).await;
        per_member.insert(*port, grains.len());
        for grain in grains {
            assert!(seen.insert(grain.clone()), "{grain} is live on two members");
        }
    }
    assert_eq!(seen.len(), expected, "live grains across members: {per_member:?}");
    per_member
}

/// Reads every counter's total through `port`, retrying each until `within` has passed. Each
/// is read with an add of 0, a write: an activation left behind by a membership change, whose
/// epoch a newer activation has since fenced off, cannot answer from its stale memory (its
/// save is refused, it is discarded, and the retry starts from the store). What is checked is
/// the durable state; a plain `get` may read such a stale activation (see the README).
async fn totals(port: u16, within: Duration) -> BTreeMap<usize, i64> {
    let mut client = client(port).await;
    let deadline = Instant::now() + within;
    let mut totals = BTreeMap::new();
    for i in 0..COUNTERS {
        loop {
            match call(&mut client, "counter", &format!("c{i}"), "add", r#"{"n":0}"#, CALL_TIMEOUT).await {
                Ok(reply) => {
                    let value: serde_json::Value = serde_json::from_str(&reply).expect("JSON reply");
                    totals.insert(i, value["total"].as_i64().expect("total"));
                    break;
                }
                Err(status) => {
                    assert!(Instant::now() < deadline, "counter/c{i} did not answer: {status}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
    totals
}

/// What load callers saw: acknowledged adds per counter, failed adds, the slowest add.
#[derive(Clone, Default)]
struct Ledger {
    acked: BTreeMap<usize, i64>,
    failed: u64,
    /// Of the failed: those the member called refused before running them, because it was
    /// down or shutting down.
    refused: u64,
    /// The other failures, by code and message.
    other_failures: BTreeMap<String, u64>,
    slowest_ms: u64,
}

/// Callers adding 1 to pseudo-random counters, each call through the next of `ports`.
struct Load {
    stop: Arc<AtomicBool>,
    ledger: Arc<Mutex<Ledger>>,
    callers: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    async fn start(ports: &[u16], callers: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let ledger = Arc::new(Mutex::new(Ledger::default()));
        let mut handles = Vec::new();
        for caller in 0..callers {
            let mut clients = Vec::new();
            for port in ports {
                clients.push(client(*port).await);
            }
            let (stop, ledger) = (Arc::clone(&stop), Arc::clone(&ledger));
            handles.push(tokio::spawn(async move {
                let mut i = caller * 61;
                let mut turn = caller;
                while !stop.load(Ordering::Relaxed) {
                    i = (i * 31 + 17) % COUNTERS;
                    turn += 1;
                    let at = turn % clients.len();
                    let client = &mut clients[at];
                    add_one(client, i, &ledger).await;
                }
            }));
        }
        Load { stop, ledger, callers: handles }
    }

    async fn finish(mut self) -> Ledger {
        self.stop.store(true, Ordering::Relaxed);
        for caller in std::mem::take(&mut self.callers) {
            caller.await.expect("caller");
        }
        self.ledger.lock().unwrap().clone()
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Adds 1 to counter `i` and records the outcome in `ledger`; pauses after a failure, so a
/// dead member does not turn the caller into a busy loop.
async fn add_one(client: &mut GrainsClient<Channel>, i: usize, ledger: &Mutex<Ledger>) {
    let started = Instant::now();
    let outcome = call(client, "counter", &format!("c{i}"), "add", r#"{"n":1}"#, CALL_TIMEOUT).await;
    let failed = outcome.is_err();
    {
        let mut ledger = ledger.lock().unwrap();
        ledger.slowest_ms = ledger.slowest_ms.max(started.elapsed().as_millis() as u64);
        match outcome {
            Ok(_) => *ledger.acked.entry(i).or_insert(0) += 1,
            Err(status) => {
                ledger.failed += 1;
                // Refused unrun: the member was down (no connection) or said so in the error's
                // detail; never told apart by the message text.
                let not_run = status.code() == tonic::Code::Unavailable
                    && status.get_details_error_info().is_none_or(|info| info.reason == "NOT_RUN");
                if not_run {
                    ledger.refused += 1;
                } else {
                    *ledger.other_failures.entry(format!("{:?}: {}", status.code(), status.message())).or_insert(0) +=
                        1;
                }
            }
        }
    }
    if failed {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Reads every total through `port`: none below its acknowledged adds, and no more above them
/// than adds that failed (which may or may not have run). Returns that surplus.
async fn assert_no_acknowledged_add_lost(port: u16, acked: &BTreeMap<usize, i64>, failed: u64) -> i64 {
    let answered = totals(port, Duration::from_secs(30)).await;
    let lost: Vec<_> = acked.iter().filter(|(i, n)| answered.get(i).copied().unwrap_or(0) < **n).collect();
    assert!(lost.is_empty(), "acknowledged adds lost: {lost:?}");
    let surplus: i64 = acked.iter().map(|(i, n)| answered[i] - n).sum();
    assert!(surplus <= failed as i64, "only failed (unacknowledged) adds may have been applied: {surplus} > {failed}");
    surplus
}

/// How many members `node` sees up.
fn members_up(node: &DevNode) -> usize {
    let status = node.cli(&["cluster", "status", "--json"]);
    let status: serde_json::Value = serde_json::from_str(&status.stdout).unwrap_or_default();
    status["members"].as_array().map_or(0, |members| members.iter().filter(|m| m["status"] == "up").count())
}

/// Waits until every member of `cluster` sees exactly `members` members up.
fn wait_for_views(cluster: &Cluster, members: usize) {
    wait_until(Duration::from_secs(30), &format!("{members} members up in every view"), || {
        cluster.members.iter().all(|(_, member)| members_up(member) == members)
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_gossip_members_share_counters_and_survive_a_sigkill_under_load() {
    let postgres = PostgresServer::start();
    share_counters_and_survive_a_sigkill_under_load(Cluster::start(Discovery::Gossip, &postgres.url())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_etcd_members_share_counters_and_survive_a_sigkill_under_load() {
    let postgres = PostgresServer::start();
    let etcd = EtcdServer::start();
    share_counters_and_survive_a_sigkill_under_load(Cluster::start(Discovery::Etcd(etcd.url()), &postgres.url())).await;
}

/// 1000 counters through three members, then one member SIGKILLed while 16 callers add
/// through the other two: every grain answers again and no acknowledged add is lost.
async fn share_counters_and_survive_a_sigkill_under_load(mut cluster: Cluster) {
    let ports = cluster.ports();

    let mut acked = add_one_to_each(&ports).await;
    let spread = assert_live_once(&ports, COUNTERS).await;
    assert!(spread.values().all(|&n| n > COUNTERS / 6), "grains spread over the members: {spread:?}");

    // Load: 16 callers add to random counters through the two members that stay.
    let survivors = [ports[0], ports[1]];
    let load = Load::start(&survivors, 16).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let retried_before = retried_messages(survivors[0]).await + retried_messages(survivors[1]).await;
    let lost_grains = live_grains(ports[2]).await;
    let victim = cluster.take(ports[2]);
    let killed_at = Instant::now();
    victim.kill();
    // How long until every grain the victim held answers again, from a survivor.
    let mut probe = client(survivors[0]).await;
    for grain in &lost_grains {
        let identity = grain.strip_prefix("counter/").expect("a counter");
        // A read in flight to the killed member fails as "may have run"; reading again is safe.
        loop {
            match call(&mut probe, "counter", identity, "get", "", Duration::from_secs(30)).await {
                Ok(_) => break,
                Err(status) => {
                    assert!(killed_at.elapsed() < Duration::from_secs(30), "{grain} after the kill: {status}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }
    let recovered_after = killed_at.elapsed();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let Ledger { acked: load_acked, failed, slowest_ms, .. } = load.finish().await;
    let retried = retried_messages(survivors[0]).await + retried_messages(survivors[1]).await - retried_before;
    for (i, n) in &load_acked {
        *acked.entry(*i).or_insert(0) += n;
    }

    let surplus = assert_no_acknowledged_add_lost(survivors[0], &acked, failed).await;
    assert_live_once(&survivors, COUNTERS).await;
    println!(
        "SIGKILL under load ({}): {} acknowledged adds, {failed} failed, {retried} retried by the members \
         (asked again with a fresh view), {surplus} applied but unacknowledged, slowest add {slowest_ms} ms; the {} grains of the killed member all answered {recovered_after:.2?} after the kill",
        cluster.discovery.name(),
        load_acked.values().sum::<i64>(),
        lost_grains.len()
    );
    drop(cluster);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_joining_member_takes_over_grains_and_a_leaving_one_hands_them_over() {
    let postgres = PostgresServer::start();
    let mut cluster = Cluster::start(Discovery::Gossip, &postgres.url());
    let acked = add_one_to_each(&cluster.ports()).await;

    let newcomer = cluster.add();
    wait_until(Duration::from_secs(20), "the kind on the newcomer", || {
        cluster.members[3].1.cli(&["kind", "ls"]).stdout.contains("counter")
    });
    // Until every view holds the newcomer, a member that sees it late moves grains again.
    wait_for_views(&cluster, 4);
    let moved = totals(newcomer, Duration::from_secs(30)).await;
    assert_eq!(moved, acked, "every total survives the move");
    let spread = assert_live_once(&cluster.ports(), COUNTERS).await;
    assert!(spread[&newcomer] > COUNTERS / 8, "the newcomer owns its share: {spread:?}");

    // A graceful stop (SIGTERM) hands the leaver's grains over: none lost, none live twice.
    let leaver = cluster.ports()[1];
    cluster.take(leaver).stop();
    wait_for_views(&cluster, 3);
    let after = totals(cluster.ports()[0], Duration::from_secs(30)).await;
    assert_eq!(after, acked, "every total survives the hand-over");
    assert_live_once(&cluster.ports(), COUNTERS).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_rolling_restart_under_load_loses_no_acknowledged_add() {
    let postgres = PostgresServer::start();
    let etcd = EtcdServer::start();
    let mut cluster = Cluster::start(Discovery::Etcd(etcd.url()), &postgres.url());
    let ports = cluster.ports();
    let mut acked = add_one_to_each(&ports).await;

    // Each member in turn stops gracefully (SIGTERM: leave, hand over) and starts again,
    // while 12 callers add through all three.
    let load = Load::start(&ports, 12).await;
    let started = Instant::now();
    for port in &ports {
        tokio::time::sleep(Duration::from_secs(1)).await;
        cluster.restart(*port);
        wait_for_views(&cluster, 3);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let took = started.elapsed();
    let Ledger { acked: load_acked, failed, refused, other_failures, slowest_ms } = load.finish().await;
    for (i, n) in &load_acked {
        *acked.entry(*i).or_insert(0) += n;
    }
    let surplus = assert_no_acknowledged_add_lost(ports[0], &acked, failed).await;
    assert_live_once(&ports, COUNTERS).await;
    println!(
        "ROLLING RESTART (etcd): 3 members restarted one by one in {took:.2?} under load: {} acknowledged adds, \
         {failed} failed ({refused} refused unrun by the member that was restarting, others: {other_failures:?}), {surplus} applied but unacknowledged, slowest add \
         {slowest_ms} ms; no acknowledged add lost",
        load_acked.values().sum::<i64>()
    );
}

/// The version of `kind` current on `node`, if it has the kind.
fn current_version(node: &DevNode, kind: &str) -> Option<String> {
    let listed = node.cli(&["kind", "ls", "--json"]);
    let kinds: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap_or_default();
    let kinds = kinds.as_array().cloned().unwrap_or_default();
    kinds.iter().find(|k| k["name"] == kind).and_then(|k| k["version"].as_str()).map(str::to_string)
}

/// How many kind versions peers announced `node` installed: those whose module it fetched, and
/// those it already held.
fn installs_announced(node: &DevNode) -> (usize, usize) {
    let log = node.log();
    let installs: Vec<&str> = log.lines().filter(|line| line.contains("kind announced by a peer")).collect();
    let fetched = installs.iter().filter(|line| line.contains("fetched=true")).count();
    (fetched, installs.len() - fetched)
}

#[test]
fn pushes_and_rollbacks_reach_every_member_and_modules_move_by_content_hash() {
    let dirs: Vec<tempfile::TempDir> = (0..2).map(|_| tempfile::tempdir().expect("temp dir")).collect();
    let (first, second) = (free_port(), free_port());
    let one = start_member(dirs[0].path(), first, &[], "redb");
    let two = start_member(dirs[1].path(), second, &[first], "redb");
    wait_until(Duration::from_secs(20), "both members up", || members_up(&one) == 2 && members_up(&two) == 2);

    let bytes = std::fs::read(component_path("rust", "counter")).expect("counter component");
    let newer = support::new_version_of(&bytes, "v2");
    let v2_file = dirs[0].path().join("counter-v2.wasm");
    std::fs::write(&v2_file, &newer).expect("write v2");
    let counter = component_path("rust", "counter");
    assert!(one.cli(&["kind", "push", "counter", counter.to_str().expect("UTF-8 path")]).success);
    let v1 = current_version(&one, "counter").expect("v1 on the first member");
    // The member logs how it installed a version just after making it current.
    wait_until(Duration::from_secs(20), "v1 installed on the second member", || {
        current_version(&two, "counter") == Some(v1.clone()) && installs_announced(&two) != (0, 0)
    });
    assert_eq!(installs_announced(&two).0, 1, "the second member fetched v1 from the first:\n{}", two.log());

    // Quotas and grants travel with the version, like every other setting.
    let limits = ["--max-live", "7", "--max-state", "1MiB", "--allow-http", "example.com,127.0.0.1:9"];
    let mut push_v2 = vec!["kind", "push", "counter", v2_file.to_str().expect("UTF-8 path")];
    push_v2.extend(limits);
    assert!(two.cli(&push_v2).success);
    let v2 = current_version(&two, "counter").expect("v2 on the second member");
    assert_ne!(v1, v2);
    wait_until(Duration::from_secs(20), "v2 on the first member", || {
        current_version(&one, "counter") == Some(v2.clone())
    });
    let listed: serde_json::Value =
        serde_json::from_str(&one.cli(&["kind", "ls", "--json"]).stdout).expect("kind ls --json");
    let settings =
        &listed.as_array().expect("kinds").iter().find(|k| k["name"] == "counter").expect("counter")["settings"];
    assert_eq!(settings["max_live"], 7, "{settings}");
    assert_eq!(settings["max_state_bytes"], 1024 * 1024, "{settings}");
    assert_eq!(settings["allow_http"]["hosts"], serde_json::json!(["127.0.0.1:9", "example.com"]), "{settings}");

    // A rollback is announced as the earlier version, which every member already holds.
    assert!(one.cli(&["kind", "rollback", "counter"]).success);
    wait_until(Duration::from_secs(20), "v1 installed again on the second member", || {
        let (fetched, held) = installs_announced(&two);
        current_version(&two, "counter") == Some(v1.clone()) && fetched + held >= 2
    });
    let (fetched, held) = installs_announced(&two);
    assert!(fetched == 1 && held >= 1, "the rollback needed no transfer:\n{}", two.log());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_routes_but_hosts_nothing_and_grains_call_each_other_across_members() {
    let dirs: Vec<tempfile::TempDir> = (0..3).map(|_| tempfile::tempdir().expect("temp dir")).collect();
    let (first, second, proxy_port) = (free_port(), free_port(), free_port());
    let one = start_member(dirs[0].path(), first, &[], "redb");
    let two = start_member(dirs[1].path(), second, &[first], "redb");
    let seeds = format!("127.0.0.1:{first}");
    let proxy = start_member_with(
        dirs[2].path(),
        proxy_port,
        "redb",
        &["--provider", "gossip", "--seeds", &seeds, "--no-hosting"],
    );
    wait_until(Duration::from_secs(20), "three members up", || members_up(&proxy) == 3);
    for kind in ["account", "transfer"] {
        let path = component_path("rust", kind);
        assert!(proxy.cli(&["kind", "push", kind, path.to_str().expect("UTF-8 path")]).success, "push {kind}");
    }
    for node in [&one, &two] {
        wait_until(Duration::from_secs(20), "the kinds on every member", || {
            current_version(node, "account").is_some() && current_version(node, "transfer").is_some()
        });
    }

    // Everything goes through the proxy; transfers call accounts wherever they live.
    const ACCOUNTS: usize = 20;
    let mut client = client(proxy_port).await;
    for i in 0..ACCOUNTS {
        call(&mut client, "account", &format!("a{i}"), "deposit", r#"{"amount":1000}"#, CALL_TIMEOUT)
            .await
            .expect("deposit");
    }
    for i in 0..ACCOUNTS {
        let request = format!(r#"{{"from":"a{i}","to":"a{}","amount":10}}"#, (i + 1) % ACCOUNTS);
        call(&mut client, "transfer", &format!("t{i}"), "transfer", &request, CALL_TIMEOUT).await.expect("transfer");
    }
    for i in 0..ACCOUNTS {
        let balance =
            call(&mut client, "account", &format!("a{i}"), "balance", "", CALL_TIMEOUT).await.expect("balance");
        assert_eq!(balance, r#"{"balance":1000}"#, "account a{i} gave 10 and received 10");
    }

    assert!(live_grains(proxy_port).await.is_empty(), "the proxy hosts nothing");
    let mut placed: [HashSet<String>; 2] = Default::default();
    for (at, port) in [first, second].into_iter().enumerate() {
        placed[at].extend(live_grains(port).await);
    }
    assert_eq!(placed[0].len() + placed[1].len(), 2 * ACCOUNTS, "every grain live on one hosting member");
    let across = (0..ACCOUNTS).filter(|i| {
        let transfer_on_first = placed[0].contains(&format!("transfer/t{i}"));
        let from_on_first = placed[0].contains(&format!("account/a{i}"));
        transfer_on_first != from_on_first
    });
    assert!(across.count() > 0, "some transfers called an account on the other member");
}

#[test]
fn a_member_reads_its_settings_from_a_config_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (first, second) = (free_port(), free_port());
    let config = |port: u16, seeds: &str| {
        let file = dir.path().join(format!("node-{port}.toml"));
        let data = dir.path().join(format!("data-{port}"));
        let text = format!(
            "cluster = \"configured\"\nprovider = \"gossip\"\nlisten = \"127.0.0.1:{port}\"\n\
             data-dir = {data:?}\nseeds = [{seeds}]\nroles = [\"edge\", \"worker\"]\n"
        );
        std::fs::write(&file, text).expect("write config");
        file.to_str().expect("UTF-8 path").to_string()
    };
    let one = DevNode::spawn(&["node", "--config", &config(first, "")]);
    let two = DevNode::spawn(&["node", "--config", &config(second, &format!("\"127.0.0.1:{first}\""))]);
    wait_until(Duration::from_secs(20), "both members up", || {
        let status = two.cli(&["cluster", "status", "--json"]);
        let status: serde_json::Value = serde_json::from_str(&status.stdout).unwrap_or_default();
        status["cluster"] == "configured"
            && status["members"].as_array().is_some_and(|members| {
                members.len() == 2
                    && members
                        .iter()
                        .all(|m| m["status"] == "up" && m["roles"] == serde_json::json!(["edge", "worker"]))
            })
    });
    one.stop();
    two.stop();
}
