//! Typed calls across members: three gossiping members on a real PostgreSQL, the JavaScript
//! `counter-caller` adding through its imported `counter` interface into Rust `typed-counter`
//! grains, callers and counters spread over the members by placement, so a typed call often
//! travels to another member, and a misfit JSON call through any member is refused alike.

use crate::support::cluster::{call, client, live_grains};
use crate::support::component_path;
use crate::support::postgres::PostgresServer;
use crate::{CALL_TIMEOUT, Cluster, Discovery, wait_until};
use std::collections::HashMap;
use std::time::Duration;

const PAIRS: usize = 12;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn typed_calls_reach_counters_on_other_members() {
    let postgres = PostgresServer::start();
    let cluster = Cluster::start(Discovery::Gossip, &postgres.url());
    let ports = cluster.ports();
    for (lang, name) in [("rust", "typed-counter"), ("js", "counter-caller")] {
        let path = component_path(lang, name);
        let pushed = cluster.members[0].1.cli(&["kind", "push", name, path.to_str().unwrap()]);
        assert!(pushed.success, "push {name}: {}", pushed.stderr);
    }
    for (_, member) in &cluster.members {
        wait_until(Duration::from_secs(60), "both kinds on every member", || {
            let listed = member.cli(&["kind", "ls"]).stdout;
            listed.contains("typed-counter") && listed.contains("counter-caller")
        });
    }

    let mut first = client(ports[0]).await;
    for pair in 0..PAIRS {
        for n in [5, 7] {
            let body = format!(r#"{{"counter":"k{pair}","n":{n}}}"#);
            let reply = call(&mut first, "counter-caller", &format!("c{pair}"), "add", &body, CALL_TIMEOUT).await;
            assert!(reply.is_ok(), "caller c{pair} adds {n}: {reply:?}");
        }
    }
    for (i, port) in ports.iter().enumerate() {
        let mut member = client(*port).await;
        for pair in 0..PAIRS {
            let total = call(&mut member, "typed-counter", &format!("k{pair}"), "get", "", CALL_TIMEOUT).await.unwrap();
            assert_eq!(total, "12", "typed-counter/k{pair} through member {i}");
        }
        let refused = call(&mut member, "typed-counter", "k0", "add", r#"{"n":"x"}"#, CALL_TIMEOUT).await.unwrap_err();
        assert_eq!(refused.code(), tonic::Code::InvalidArgument, "member {i}: {refused}");
        assert!(refused.message().contains("n: expected s64, got string"), "member {i}: {}", refused.message());
    }

    // Where each grain lives: some caller's counter lived on another member than the caller.
    let mut home: HashMap<String, usize> = HashMap::new();
    for (i, port) in ports.iter().enumerate() {
        for grain in live_grains(*port).await {
            home.insert(grain, i);
        }
    }
    let crossed = (0..PAIRS)
        .filter(|pair| home.get(&format!("counter-caller/c{pair}")) != home.get(&format!("typed-counter/k{pair}")))
        .count();
    assert!(crossed > 0, "with {PAIRS} pairs over three members some typed calls cross members: {home:?}");
}
