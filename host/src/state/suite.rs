//! The behaviour every `StateStore` must show; each implementation runs it.

use super::{Etag, StateError, StateStore, StoredState};
use crate::ids::GrainId;

pub async fn run(store: &dyn StateStore) {
    let alice: GrainId = "counter/alice".parse().expect("valid id");
    let bob: GrainId = "counter/bob".parse().expect("valid id");

    assert_eq!(store.load(&alice).await.expect("load"), None, "a grain that never saved has no state");

    let v1 = store.save(&alice, b"one", None).await.expect("first write expects no state");
    let v2 = store.save(&alice, b"two", Some(v1)).await.expect("write at the current etag");
    assert!(v2 > v1, "every write moves the etag forward");
    assert_eq!(store.load(&alice).await.expect("load"), Some(StoredState { bytes: b"two".to_vec(), etag: v2 }));

    let stale = store.save(&alice, b"stale", Some(v1)).await;
    assert!(matches!(stale, Err(StateError::Conflict { .. })), "a stale etag is refused: {stale:?}");
    let blind = store.save(&alice, b"blind", None).await;
    assert!(matches!(blind, Err(StateError::Conflict { .. })), "a write expecting no state is refused: {blind:?}");
    let future = store.save(&alice, b"future", Some(Etag(v2.0 + 5))).await;
    assert!(matches!(future, Err(StateError::Conflict { .. })), "an unknown etag is refused: {future:?}");
    assert_eq!(
        store.load(&alice).await.expect("load").map(|s| s.bytes),
        Some(b"two".to_vec()),
        "refused writes change nothing"
    );

    assert_eq!(store.load(&bob).await.expect("load"), None, "grains do not share state");
    store.save(&bob, b"", None).await.expect("empty state is state");
    assert_eq!(store.load(&bob).await.expect("load").map(|s| s.bytes), Some(Vec::new()));
}
