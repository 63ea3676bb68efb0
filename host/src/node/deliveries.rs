//! The deliveries of a background loop (reminder ticks, event streams): each on a task of its
//! own, at most so many at once, each ended early when the loop stops, and all awaited before
//! the loop returns, so that a stopped loop leaves no task holding the router.

use std::future::Future;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The deliveries of one loop, stopped by the loop's token.
pub struct Deliveries {
    slots: Arc<Semaphore>,
    tasks: TaskTracker,
    stop: CancellationToken,
}

impl Deliveries {
    /// At most `at_once` deliveries under way; `stop` ends those still running.
    pub fn new(at_once: usize, stop: CancellationToken) -> Self {
        Deliveries { slots: Arc::new(Semaphore::new(at_once)), tasks: TaskTracker::new(), stop }
    }

    /// Starts `delivery` on a task of its own once fewer than the limit are under way.
    pub async fn start(&self, delivery: impl Future<Output = ()> + Send + 'static) {
        let slot = Arc::clone(&self.slots).acquire_owned().await.expect("the slots are never closed");
        let stop = self.stop.clone();
        self.tasks.spawn(async move {
            tokio::select! {
                () = delivery => {}
                () = stop.cancelled() => {}
            }
            drop(slot);
        });
    }

    /// Waits for every delivery to end (at once, if the loop was stopped).
    pub async fn finish(self) {
        self.tasks.close();
        self.tasks.wait().await;
    }
}
