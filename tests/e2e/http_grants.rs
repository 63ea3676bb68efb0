//! Outbound HTTP from a Python grain on a real `granary dev`: through `wasi:http` to the host
//! its kind was granted at push, never to another host, never for a kind without a grant, and
//! a request that hangs counts against the turn's time limit.

use crate::support::component_path;
use crate::support::process::DevNode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// An HTTP server on loopback answering every request with `body`, or never answering at
/// all when `body` is `None`; counts the connections it accepted.
async fn server(body: Option<&'static str>) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let accepted = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&accepted);
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            tokio::spawn(async move {
                // The fetcher's GET has no body: its head ends with a blank line.
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") && socket.read_exact(&mut byte).await.is_ok() {
                    head.push(byte[0]);
                }
                let Some(body) = body else {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    return;
                };
                let reply =
                    format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}", body.len());
                socket.write_all(reply.as_bytes()).await.ok();
            });
        }
    });
    (port, accepted)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grain_reaches_only_the_hosts_its_kind_was_granted() {
    let (granted, granted_hits) = server(Some("hello from the granted host")).await;
    let (other, other_hits) = server(Some("must never be reached")).await;
    let (silent, _) = server(None).await;
    let data = tempfile::tempdir().unwrap();
    let node = DevNode::start(data.path(), &[]);
    let fetcher = component_path("python", "fetcher");
    let fetcher = fetcher.to_str().unwrap();
    let grant = format!("127.0.0.1:{granted},127.0.0.1:{silent}");
    for (kind, flags) in
        [("fetcher", vec!["--allow-http", grant.as_str(), "--time-limit", "2s"]), ("ungranted", vec![])]
    {
        let mut args = vec!["kind", "push", kind, fetcher];
        args.extend(flags);
        let pushed = node.cli(&args);
        assert!(pushed.success, "push {kind}: {}", pushed.stderr);
    }
    let listed = node.cli(&["kind", "ls", "--json"]);
    assert!(listed.stdout.contains(&format!("127.0.0.1:{granted}")), "the grant is listed: {}", listed.stdout);

    let get = |kind: &str, port: u16| {
        let payload = format!(r#"{{"url":"http://127.0.0.1:{port}/hello"}}"#);
        node.cli(&["call", &format!("{kind}/a"), "get", &payload])
    };
    let allowed = get("fetcher", granted);
    assert!(allowed.reply().contains("hello from the granted host"), "{}", allowed.stdout);
    assert!(allowed.reply().contains(r#""status":200"#), "{}", allowed.stdout);
    assert_eq!(granted_hits.load(Ordering::SeqCst), 1);

    let refused = get("fetcher", other);
    assert!(!refused.success, "another host is refused");
    assert!(refused.stderr.contains("HttpRequestDenied"), "the refusal is clear: {}", refused.stderr);
    let ungranted = get("ungranted", granted);
    assert!(!ungranted.success, "a kind without a grant reaches no host");
    assert!(ungranted.stderr.contains("HttpRequestDenied"), "{}", ungranted.stderr);
    assert_eq!(other_hits.load(Ordering::SeqCst), 0, "a refused request never connects");
    assert_eq!(granted_hits.load(Ordering::SeqCst), 1, "nor does an ungranted kind's");

    let started = Instant::now();
    let hung = get("fetcher", silent);
    assert!(!hung.success, "a request that never gets an answer ends with the turn");
    assert!(hung.stderr.contains("time limit"), "{}", hung.stderr);
    assert!(started.elapsed() < Duration::from_secs(8), "cut off near the 2 s limit: {:?}", started.elapsed());
    let again = get("fetcher", granted);
    assert!(again.reply().contains("hello from the granted host"), "the kind keeps serving: {}", again.stdout);
}
