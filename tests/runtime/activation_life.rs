//! The life of one activation, on a fake instance in real time with short timeouts: it idles
//! out after its receive timeout (or the one its grain set) and not before, stops when its kind
//! is superseded or its grain moves, and then hands back, in order, every message it did not run.

use granary::activation::{Activation, ActivationStats, Directory, Instance, Leftovers, Pid, Started, Stop, Turns};
use granary::error::CallError;
use granary::ids::{ActivationId, GrainId, Version};
use granary::message::{Envelope, Origin};
use granary::runtime::Fault;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The kind's receive timeout where a test does not wait for it.
const IDLE: Duration = Duration::from_secs(60);
/// The receive timeout a grain sets with `set-timeout`.
const GRAIN_TIMEOUT: Duration = Duration::from_millis(300);

/// Records what it ran; `set-timeout` sets a receive timeout of [`GRAIN_TIMEOUT`].
struct FakeInstance {
    log: Arc<Mutex<Vec<String>>>,
    receive_timeout: Option<Duration>,
}

impl Instance for FakeInstance {
    async fn handle(
        &mut self,
        method: &str,
        _payload: &[u8],
        _origin: Origin,
    ) -> Result<Result<Vec<u8>, String>, Fault> {
        self.log.lock().unwrap().push(method.to_string());
        if method == "set-timeout" {
            self.receive_timeout = Some(GRAIN_TIMEOUT);
        }
        Ok(Ok(method.as_bytes().to_vec()))
    }

    async fn deactivate(self) -> Result<(), Fault> {
        self.log.lock().unwrap().push("deactivate".into());
        Ok(())
    }

    fn receive_timeout(&self) -> Option<Duration> {
        self.receive_timeout
    }

    fn is_stale(&self) -> bool {
        false
    }

    fn memory_bytes(&self) -> u64 {
        0
    }
}

/// One activation of `fake/a` running on a fake instance.
struct Harness {
    pid: Pid<FakeInstance>,
    directory: Arc<Directory<FakeInstance>>,
    log: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<Leftovers>,
    superseded: Option<oneshot::Sender<()>>,
    moved: Option<oneshot::Sender<()>>,
}

fn grain() -> GrainId {
    GrainId::new("fake", "a").expect("grain id")
}

impl Harness {
    /// Starts the activation with `idle_timeout` as its kind's receive timeout.
    fn start(idle_timeout: Duration) -> Harness {
        let directory = Arc::new(Directory::new(16));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (superseded, superseded_rx) = oneshot::channel::<()>();
        let (moved, moved_rx) = oneshot::channel::<()>();
        let instance = FakeInstance { log: Arc::clone(&log), receive_timeout: None };
        let started = Started {
            instance,
            version: Version::of(b"fake"),
            idle_timeout,
            superseded: Box::pin(async move {
                superseded_rx.await.ok();
            }),
            moved: Box::pin(async move {
                moved_rx.await.ok();
            }),
        };
        let mut task = None;
        let pid = directory.get_or_activate(&grain(), |activation| {
            let (mailbox, inbox) = mpsc::channel(16);
            let (stats, turns) = (Arc::new(ActivationStats::default()), Arc::new(Turns::default()));
            let activation_task = Activation::new(
                grain(),
                activation,
                Arc::clone(&directory),
                inbox,
                Arc::clone(&stats),
                Arc::clone(&turns),
            );
            task = Some(tokio::spawn(activation_task.run(async { Ok(started) }, CancellationToken::new())));
            Pid { activation, mailbox, turns, stats }
        });
        assert_eq!(pid.activation, ActivationId(1));
        Harness {
            pid,
            directory,
            log,
            task: task.expect("the directory activated"),
            superseded: Some(superseded),
            moved: Some(moved),
        }
    }

    /// Posts a request for `method` and returns where its reply comes.
    async fn post(&self, method: &str) -> oneshot::Receiver<Result<Vec<u8>, CallError>> {
        let (reply, answer) = oneshot::channel();
        let origin = Origin::external(Instant::now() + Duration::from_secs(3600));
        let envelope = Envelope { method: method.into(), payload: Vec::new(), origin, reply: Some(reply) };
        self.pid.post(envelope).await.expect("the mailbox takes it");
        answer
    }

    async fn call(&self, method: &str) -> Vec<u8> {
        self.post(method).await.await.expect("answered").expect("handled")
    }

    fn ran(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }
}

#[tokio::test]
async fn an_idle_activation_stops_after_its_receive_timeout_and_not_before() {
    let idle = Duration::from_millis(800);
    let mut harness = Harness::start(idle);
    // Its idle deadline is set after this turn, so it lies at least `idle` after `sent`.
    let sent = Instant::now();
    assert_eq!(harness.call("ping").await, b"ping");
    tokio::time::sleep(idle / 2).await;
    let finished = harness.task.is_finished();
    if sent.elapsed() < idle {
        assert!(!finished, "still live before its receive timeout");
        assert_eq!(harness.directory.len(), 1);
    }
    let leftovers =
        tokio::time::timeout(idle * 20, &mut harness.task).await.expect("it stops once idle").expect("the task ends");
    assert!(sent.elapsed() >= idle, "it stopped at the timeout, not before");
    assert_eq!(leftovers.stop, Stop::Idle);
    assert!(leftovers.messages.is_empty());
    assert_eq!(harness.ran(), ["ping", "deactivate"]);
    assert!(harness.directory.is_empty(), "it left the directory");
}

#[tokio::test]
async fn a_receive_timeout_the_grain_set_replaces_the_kinds() {
    let mut harness = Harness::start(IDLE);
    let sent = Instant::now();
    harness.call("set-timeout").await;
    let leftovers = tokio::time::timeout(IDLE / 2, &mut harness.task)
        .await
        .expect("it stops after the grain's timeout, long before the kind's")
        .expect("the task ends");
    assert_eq!(leftovers.stop, Stop::Idle);
    assert!(sent.elapsed() >= GRAIN_TIMEOUT, "not before the grain's timeout");
}

#[tokio::test]
async fn a_superseded_activation_hands_back_its_queued_messages_in_order() {
    let mut harness = Harness::start(IDLE);
    harness.call("first").await;
    // Queued while the activation's task is not running: it stops before running them.
    let answers = [harness.post("a").await, harness.post("b").await, harness.post("c").await];
    harness.superseded.take().expect("once").send(()).ok();
    let leftovers = (&mut harness.task).await.expect("the task ends");
    assert_eq!(leftovers.stop, Stop::Reload);
    let methods: Vec<&str> = leftovers.messages.iter().map(|envelope| envelope.method.as_str()).collect();
    assert_eq!(methods, ["a", "b", "c"], "every queued message comes back, oldest first");
    assert_eq!(harness.ran(), ["first", "deactivate"], "none of them ran on the old version");
    assert!(harness.directory.is_empty());
    drop(leftovers);
    for answer in answers {
        assert!(answer.await.is_err(), "dropping the leftovers leaves their senders unanswered, not answered twice");
    }
}

#[tokio::test]
async fn a_moved_activation_hands_over_what_it_held() {
    let mut harness = Harness::start(IDLE);
    let answer = harness.post("queued").await;
    harness.moved.take().expect("once").send(()).ok();
    let leftovers = (&mut harness.task).await.expect("the task ends");
    assert_eq!(leftovers.stop, Stop::Handover);
    assert_eq!(leftovers.messages.len(), 1);
    let envelope = leftovers.messages.into_iter().next().expect("one message");
    envelope.answer(Ok(b"ran elsewhere".to_vec()));
    assert_eq!(answer.await.expect("answered").expect("ok"), b"ran elsewhere");
    assert_eq!(harness.ran(), ["deactivate"]);
}
