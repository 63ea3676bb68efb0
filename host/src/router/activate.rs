//! Starting a grain's activation on this node, and taking back what it held when it stops:
//! the activation knows nothing of routing, so its leftovers come back here to be delivered
//! again (to its next activation, or to its new owner) or refused when the node stops.

use super::Router;
use crate::activation::{Activation, ActivationStats, Leftovers, Pid, Started, Stop, Turns};
use crate::error::CallError;
use crate::ids::GrainId;
use crate::runtime::{GrainHost, GrainInstance, GrainState};
use std::future::Future;
use std::sync::Arc;
use tokio::sync::mpsc;

impl Router {
    /// The live activation of `target`, starting one if there is none.
    pub(super) fn resolve(&self, target: &GrainId) -> Pid {
        self.directory.get_or_activate(target, |activation| {
            let (mailbox, inbox) = mpsc::channel(self.mailbox_capacity);
            let known = self.kinds.get(target.kind().as_str()).is_some();
            let stats = Arc::new(ActivationStats::new(
                known.then(|| self.metrics.kind(target.kind())).flatten(),
                Some(Arc::clone(&self.budget)),
            ));
            let turns = Arc::new(Turns::default());
            let task = Activation::new(
                target.clone(),
                activation,
                Arc::clone(&self.directory),
                inbox,
                Arc::clone(&stats),
                Arc::clone(&turns),
            );
            let start = self.start_instance(target.clone(), Arc::clone(&turns), Arc::clone(&stats));
            let (router, grain, shutdown) = (self.arc(), target.clone(), self.shutdown.clone());
            self.activations.spawn(async move {
                let leftovers = task.run(start, shutdown).await;
                if leftovers.stop != Stop::NotStarted
                    && let Some(metrics) = router.metrics.kind(grain.kind())
                {
                    metrics.deactivated(leftovers.stop.as_str());
                }
                router.take_back(&grain, leftovers).await;
            });
            Pid { activation, mailbox, turns, stats }
        })
    }

    /// Subscribes to the kind's current version, makes room for it, claims the grain's next
    /// epoch with its state, instantiates and activates; the activation stops when the version
    /// changes or the grain moves to another member.
    fn start_instance(
        &self,
        grain: GrainId,
        turns: Arc<Turns>,
        stats: Arc<ActivationStats>,
    ) -> impl Future<Output = Result<Started<GrainInstance>, CallError>> + Send + 'static {
        let (kinds, state, cluster) = (Arc::clone(&self.kinds), Arc::clone(&self.state), Arc::clone(&self.cluster));
        let router = self.arc();
        async move {
            let unknown = || CallError::UnknownKind(grain.kind().to_string());
            let (kind, mut changes) = kinds.subscribe(grain.kind().as_str()).ok_or_else(unknown)?;
            // A call that comes after a push must not run inline on this older version.
            let watching = changes.clone();
            turns.track_version(move || !watching.has_changed().unwrap_or(true));
            let room = router.make_room(&grain, &kind).await?;
            let claim = state
                .activate(&grain)
                .await
                .map_err(|e| CallError::Unavailable(format!("cannot load state of {grain}: {e}")))?;
            let settings = kind.settings();
            let moved = Box::pin(cluster.until_moved(grain.clone(), settings.roles.clone()));
            let host: Arc<dyn GrainHost> = router;
            let store_data = GrainState::new(grain, host, claim, settings, kind.http_grants().clone());
            let instance = GrainInstance::start(&kind, store_data).await?;
            kind.started_with_memory(instance.memory_bytes());
            stats.instance_started(instance.memory_bytes());
            drop(room);
            let superseded = Box::pin(async move {
                // A new version, or the kind removed (the sender gone): either way, stop.
                changes.changed().await.ok();
            });
            Ok(Started {
                instance,
                version: kind.version().clone(),
                idle_timeout: settings.idle_timeout,
                superseded,
                moved,
            })
        }
    }

    /// Delivers what a stopped activation of `grain` still held to its next activation (or its
    /// new owner); when the node is stopping, refuses it as not run.
    async fn take_back(&self, grain: &GrainId, leftovers: Leftovers) {
        for envelope in leftovers.messages {
            if leftovers.stop == Stop::Shutdown {
                envelope.answer(Err(CallError::Unavailable("node is shutting down".into())));
            } else if let Err(error) = self.deliver(grain, envelope).await {
                tracing::warn!(%grain, "could not deliver a message the stopped activation held: {error}");
            }
        }
    }
}
