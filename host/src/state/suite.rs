//! The behaviour every `StateStore` must show. Each implementation runs it: the embedded
//! ones from their unit tests, PostgreSQL from the integration tests (hence `pub`).

use super::{Claim, Epoch, Etag, StateError, StateStore, StoredState};
use crate::ids::GrainId;
use std::sync::Arc;

/// Every case that needs one open store. Each case uses grains of its own.
pub async fn run(store: Arc<dyn StateStore>) {
    etags_fence_stale_writes(store.as_ref()).await;
    a_newer_activation_fences_an_older_one(store.as_ref()).await;
    an_activation_that_never_saved_still_fences(store.as_ref()).await;
    loading_claims_no_epoch(store.as_ref()).await;
    concurrent_claims_get_distinct_increasing_epochs(Arc::clone(&store)).await;
    batch_mates_are_fenced_alone(store).await;
}

/// For durable stores: `open` opens the same store anew each time (same file, same database),
/// as a restarted node would; the store it returned before is dropped first.
pub async fn survives_reopening(open: impl AsyncFn() -> Arc<dyn StateStore>) {
    let grain = id("counter/reopened");
    let (first_epoch, etag) = {
        let store = open().await;
        let claim = store.activate(&grain).await.expect("activate");
        let etag = store.save(&grain, b"{\"total\":12}", None, claim.epoch).await.expect("first save");
        (claim.epoch, etag)
    };
    let store = open().await;
    assert_eq!(
        store.load(&grain).await.expect("load"),
        Some(StoredState { bytes: b"{\"total\":12}".to_vec(), etag }),
        "state survives reopening"
    );
    let claim = store.activate(&grain).await.expect("activate after reopening");
    assert!(claim.epoch > first_epoch, "epochs keep counting after reopening: {claim:?} after {first_epoch}");
    let fenced = store.save(&grain, b"old", Some(etag), first_epoch).await;
    assert!(matches!(fenced, Err(StateError::Fenced { .. })), "the epoch before reopening is fenced: {fenced:?}");
    store.save(&grain, b"new", Some(etag), claim.epoch).await.expect("the new epoch writes");
}

pub fn id(grain: &str) -> GrainId {
    grain.parse().expect("valid grain id")
}

/// Claims `grain` and checks that the claim carries `saved`.
async fn claim_expecting(store: &dyn StateStore, grain: &GrainId, saved: Option<&[u8]>) -> Claim {
    let claim = store.activate(grain).await.expect("activate");
    assert_eq!(claim.saved.as_ref().map(|s| s.bytes.as_slice()), saved, "claim of {grain} carries its state");
    claim
}

async fn etags_fence_stale_writes(store: &dyn StateStore) {
    let (alice, bob) = (id("counter/alice"), id("counter/bob"));
    assert_eq!(store.load(&alice).await.expect("load"), None, "a grain that never saved has no state");
    let epoch = claim_expecting(store, &alice, None).await.epoch;

    let v1 = store.save(&alice, b"one", None, epoch).await.expect("first write expects no state");
    let v2 = store.save(&alice, b"two", Some(v1), epoch).await.expect("write at the current etag");
    assert!(v2 > v1, "every write moves the etag forward");
    assert_eq!(store.load(&alice).await.expect("load"), Some(StoredState { bytes: b"two".to_vec(), etag: v2 }));

    let stale = store.save(&alice, b"stale", Some(v1), epoch).await;
    assert!(matches!(stale, Err(StateError::Conflict { .. })), "a stale etag is refused: {stale:?}");
    let blind = store.save(&alice, b"blind", None, epoch).await;
    assert!(matches!(blind, Err(StateError::Conflict { .. })), "a write expecting no state is refused: {blind:?}");
    let future = store.save(&alice, b"future", Some(Etag(v2.0 + 5)), epoch).await;
    assert!(matches!(future, Err(StateError::Conflict { .. })), "an unknown etag is refused: {future:?}");
    assert_eq!(
        store.load(&alice).await.expect("load").map(|s| s.bytes),
        Some(b"two".to_vec()),
        "refused writes change nothing"
    );

    assert_eq!(store.load(&bob).await.expect("load"), None, "grains do not share state");
    let bob_epoch = claim_expecting(store, &bob, None).await.epoch;
    store.save(&bob, b"", None, bob_epoch).await.expect("empty state is state");
    assert_eq!(store.load(&bob).await.expect("load").map(|s| s.bytes), Some(Vec::new()));
}

/// The partition case: the older activation still holds the current etag (nothing was
/// written since it loaded), yet its write is refused once a newer one claimed the grain.
async fn a_newer_activation_fences_an_older_one(store: &dyn StateStore) {
    let grain = id("counter/partitioned");
    let older = claim_expecting(store, &grain, None).await;
    let etag = store.save(&grain, b"older", None, older.epoch).await.expect("older writes while current");

    let newer = claim_expecting(store, &grain, Some(b"older")).await;
    assert!(newer.epoch > older.epoch, "a new activation gets a newer epoch: {newer:?} after {older:?}");
    let fenced = store.save(&grain, b"lost", Some(etag), older.epoch).await;
    let expected = StateError::Fenced { grain: grain.to_string(), epoch: older.epoch, current: newer.epoch };
    assert_eq!(fenced, Err(expected), "the older epoch is fenced although its etag is current");
    assert_eq!(store.load(&grain).await.expect("load").map(|s| s.bytes), Some(b"older".to_vec()), "nothing changed");

    let saved = store.save(&grain, b"newer", Some(etag), newer.epoch).await.expect("the newer epoch writes");
    let again = store.save(&grain, b"lost", Some(saved), older.epoch).await;
    assert!(matches!(again, Err(StateError::Fenced { .. })), "fencing is for good: {again:?}");
    assert_eq!(store.load(&grain).await.expect("load"), Some(StoredState { bytes: b"newer".to_vec(), etag: saved }));
}

/// The epoch is kept even for a grain that never saved, so its first writes are fenced too.
async fn an_activation_that_never_saved_still_fences(store: &dyn StateStore) {
    let grain = id("counter/fresh");
    let older = claim_expecting(store, &grain, None).await;
    let newer = claim_expecting(store, &grain, None).await;
    let fenced = store.save(&grain, b"lost", None, older.epoch).await;
    assert!(matches!(fenced, Err(StateError::Fenced { .. })), "the first write of a fenced activation: {fenced:?}");
    store.save(&grain, b"kept", None, newer.epoch).await.expect("the newer epoch writes first");
    assert_eq!(store.load(&grain).await.expect("load").map(|s| s.bytes), Some(b"kept".to_vec()));
}

async fn loading_claims_no_epoch(store: &dyn StateStore) {
    let grain = id("counter/inspected");
    let claim = claim_expecting(store, &grain, None).await;
    let etag = store.save(&grain, b"one", None, claim.epoch).await.expect("save");
    store.load(&grain).await.expect("load");
    store.save(&grain, b"two", Some(etag), claim.epoch).await.expect("a load does not fence the activation");
}

/// Claims raced from many tasks are serialized by the store: no epoch is handed out twice.
async fn concurrent_claims_get_distinct_increasing_epochs(store: Arc<dyn StateStore>) {
    const CLAIMS: usize = 16;
    let grain = id("counter/contended");
    let mut claims = tokio::task::JoinSet::new();
    for _ in 0..CLAIMS {
        let (store, grain) = (Arc::clone(&store), grain.clone());
        claims.spawn(async move { store.activate(&grain).await.expect("activate").epoch });
    }
    let mut epochs: Vec<Epoch> = claims.join_all().await;
    epochs.sort();
    epochs.dedup();
    assert_eq!(epochs.len(), CLAIMS, "every claim got its own epoch: {epochs:?}");
    let newest = *epochs.last().expect("claims were made");
    let next = store.activate(&grain).await.expect("activate").epoch;
    assert!(next > newest, "a later claim is newer than all of them: {next} after {newest}");
    for stale in epochs {
        let fenced = store.save(&grain, b"lost", None, stale).await;
        assert!(matches!(fenced, Err(StateError::Fenced { .. })), "epoch {stale} is fenced: {fenced:?}");
    }
}

/// 64 grains save at once, one of them with a stale etag: only that one is refused, whatever
/// batches the store makes of them, and every other save is there afterwards.
pub async fn batch_mates_are_fenced_alone(store: Arc<dyn StateStore>) {
    let grains: Vec<GrainId> = (0..64).map(|i| id(&format!("batch/g{i}"))).collect();
    let mut claims = Vec::new();
    for grain in &grains {
        claims.push(store.activate(grain).await.expect("activate"));
    }
    let stale = 7;
    let saves: Vec<_> = grains
        .iter()
        .zip(&claims)
        .enumerate()
        .map(|(i, (grain, claim))| {
            let (store, grain, epoch) = (Arc::clone(&store), grain.clone(), claim.epoch);
            let expected = (i == stale).then_some(Etag(99));
            tokio::spawn(async move { store.save(&grain, format!("state {i}").as_bytes(), expected, epoch).await })
        })
        .collect();
    for (i, save) in saves.into_iter().enumerate() {
        let outcome = save.await.expect("save task");
        if i == stale {
            assert!(matches!(outcome, Err(StateError::Conflict { .. })), "the stale save is refused: {outcome:?}");
        } else {
            assert_eq!(outcome, Ok(Etag(1)), "save {i} is unaffected by its batch-mate");
        }
    }
    for (i, grain) in grains.iter().enumerate() {
        let loaded = store.load(grain).await.expect("load").map(|state| state.bytes);
        let expected = (i != stale).then(|| format!("state {i}").into_bytes());
        assert_eq!(loaded, expected, "{grain} holds exactly its own save");
    }
}
