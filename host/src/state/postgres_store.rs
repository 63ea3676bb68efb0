//! A `StateStore` shared by every node of a cluster: one PostgreSQL table.
//!
//! Saves and epoch claims are group-committed: those that arrive together go as one statement
//! over arrays, one round trip and one commit, with the fencing result of every row. Each is
//! still one SQL statement, so two nodes racing for a grain are fenced by the database's row
//! locks, not by anything in this process.

use super::group_commit::{Batcher, CommitTotals};
use super::postgres_connection::Connection;
use super::postgres_schema;
use super::{Claim, Epoch, Etag, StateError, StateStore, StoredState, refusal};
use crate::ids::GrainId;
use std::sync::Arc;
use tokio::sync::oneshot;

const LOAD: &str = "SELECT bytes, etag FROM granary_grain_state WHERE kind = $1 AND identity = $2";

/// Claims the next epoch of every grain in the batch (each once), creating the row (no state
/// yet) for a grain never activated.
const ACTIVATE: &str = "
    INSERT INTO granary_grain_state (kind, identity, epoch)
    SELECT kind, identity, 1 FROM unnest($1::text[], $2::text[]) AS claim(kind, identity)
    ON CONFLICT (kind, identity) DO UPDATE SET epoch = granary_grain_state.epoch + 1
    RETURNING kind, identity, bytes, etag, epoch";

/// Writes each row of the batch (each grain once) only at its current epoch and etag. Every
/// claimed grain has a row, so a write that finds none was never entitled to one. For every
/// input row: its new etag if written, else the epoch and etag that refused it (read in the
/// same snapshot, before the update).
const SAVE: &str = "
    WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::bigint[], $5::bigint[])
            WITH ORDINALITY AS write(kind, identity, bytes, epoch, expected, n)
    ), written AS (
        UPDATE granary_grain_state AS state SET bytes = input.bytes, etag = COALESCE(state.etag, 0) + 1
        FROM input
        WHERE state.kind = input.kind AND state.identity = input.identity
          AND state.epoch = input.epoch AND state.etag IS NOT DISTINCT FROM input.expected
        RETURNING input.n, state.etag
    )
    SELECT input.n, written.etag AS written, state.etag AS etag, state.epoch AS epoch
    FROM input
    LEFT JOIN written ON written.n = input.n
    LEFT JOIN granary_grain_state AS state ON state.kind = input.kind AND state.identity = input.identity";

/// Grain state in a PostgreSQL database a cluster shares; the database does the fencing.
pub struct PostgresStateStore {
    pub(super) connection: Arc<Connection>,
    claims: Batcher<ClaimWrite>,
    saves: Batcher<SaveWrite>,
}

struct ClaimWrite {
    grain: GrainId,
    reply: oneshot::Sender<Result<Claim, StateError>>,
}

struct SaveWrite {
    grain: GrainId,
    bytes: Vec<u8>,
    expected: Option<Etag>,
    epoch: Epoch,
    reply: oneshot::Sender<Result<Etag, StateError>>,
}

/// Epochs and etags count up from 1 and are `bigint` in the table.
fn to_sql(value: u64) -> Result<i64, StateError> {
    i64::try_from(value).map_err(|_| StateError::Backend(format!("{value} is out of PostgreSQL's bigint range")))
}

fn from_sql(value: i64) -> u64 {
    value.try_into().expect("the table's checks keep epochs and etags positive")
}

/// A row's state: both columns are set once the grain saved.
fn stored_state(bytes: Option<Vec<u8>>, etag: Option<i64>) -> Option<StoredState> {
    Some(StoredState { bytes: bytes?, etag: Etag(from_sql(etag?)) })
}

impl PostgresStateStore {
    /// Connects to `url` (`postgres://user[:password]@host:port/db`) and creates the tables
    /// if they are missing.
    pub async fn connect(url: &str) -> Result<Self, StateError> {
        let connection = Arc::new(Connection::open(url)?);
        postgres_schema::create(&connection).await?;
        let claiming = Arc::clone(&connection);
        let claims = Batcher::start(Some(|a: &ClaimWrite, b: &ClaimWrite| a.grain == b.grain), move |batch| {
            let connection = Arc::clone(&claiming);
            async move { connection.claim(batch).await }
        });
        let saving = Arc::clone(&connection);
        let saves = Batcher::start(Some(|a: &SaveWrite, b: &SaveWrite| a.grain == b.grain), move |batch| {
            let connection = Arc::clone(&saving);
            async move { connection.save(batch).await }
        });
        Ok(PostgresStateStore { connection, claims, saves })
    }
}

impl Connection {
    /// Claims the next epoch of every grain in `batch` in one statement, and answers each.
    async fn claim(&self, batch: Vec<ClaimWrite>) {
        let kinds: Vec<&str> = batch.iter().map(|write| write.grain.kind().as_str()).collect();
        let identities: Vec<&str> = batch.iter().map(|write| write.grain.identity()).collect();
        let rows = self.query(ACTIVATE, &[&kinds, &identities]).await;
        let mut claims: std::collections::HashMap<(String, String), Claim> = match rows {
            Ok(rows) => rows
                .into_iter()
                .map(|row| {
                    let claim = Claim {
                        epoch: Epoch(from_sql(row.get("epoch"))),
                        saved: stored_state(row.get("bytes"), row.get("etag")),
                    };
                    ((row.get("kind"), row.get("identity")), claim)
                })
                .collect(),
            Err(error) => {
                for write in batch {
                    write.reply.send(Err(error.clone())).ok();
                }
                return;
            }
        };
        for write in batch {
            let key = (write.grain.kind().to_string(), write.grain.identity().to_string());
            let claim = claims
                .remove(&key)
                .ok_or_else(|| StateError::Backend(format!("no claim came back for {}", write.grain)));
            write.reply.send(claim).ok();
        }
    }

    /// Writes every save of `batch` in one statement, each fenced on its own, and answers each.
    async fn save(&self, batch: Vec<SaveWrite>) {
        let outcome = async {
            let kinds: Vec<&str> = batch.iter().map(|write| write.grain.kind().as_str()).collect();
            let identities: Vec<&str> = batch.iter().map(|write| write.grain.identity()).collect();
            let bytes: Vec<&[u8]> = batch.iter().map(|write| write.bytes.as_slice()).collect();
            let epochs = batch.iter().map(|write| to_sql(write.epoch.0)).collect::<Result<Vec<i64>, _>>()?;
            let expected = batch
                .iter()
                .map(|write| write.expected.map(|Etag(v)| to_sql(v)).transpose())
                .collect::<Result<Vec<Option<i64>>, _>>()?;
            self.query(SAVE, &[&kinds, &identities, &bytes, &epochs, &expected]).await
        }
        .await;
        let mut rows = match outcome {
            Ok(rows) => rows,
            Err(error) => {
                for write in batch {
                    write.reply.send(Err(error.clone())).ok();
                }
                return;
            }
        };
        rows.sort_by_key(|row| row.get::<_, i64>("n"));
        for (write, row) in batch.into_iter().zip(rows) {
            let outcome = match row.get::<_, Option<i64>>("written") {
                Some(etag) => Ok(Etag(from_sql(etag))),
                None => {
                    let current = row.get::<_, Option<i64>>("epoch").map_or(Epoch::default(), |e| Epoch(from_sql(e)));
                    let actual = row.get::<_, Option<i64>>("etag").map(|v| Etag(from_sql(v)));
                    // Both can match only for an epoch this database never handed out (one from
                    // another store): it was not the grain's current epoch when it was refused.
                    Err(refusal(&write.grain, (write.epoch, write.expected), (current, actual))
                        .unwrap_or(StateError::Fenced { grain: write.grain.to_string(), epoch: write.epoch, current }))
                }
            };
            write.reply.send(outcome).ok();
        }
    }
}

impl PostgresStateStore {
    async fn submit<T>(
        &self,
        submitted: impl FnOnce(oneshot::Sender<Result<T, StateError>>) -> bool,
    ) -> Result<T, StateError> {
        let (reply, outcome) = oneshot::channel();
        if !submitted(reply) {
            return Err(StateError::Backend("the state store has stopped".into()));
        }
        outcome.await.map_err(|_| StateError::Backend("the state store failed while committing".into()))?
    }
}

#[async_trait::async_trait]
impl StateStore for PostgresStateStore {
    fn name(&self) -> &'static str {
        "postgres"
    }

    fn commits(&self) -> Option<CommitTotals> {
        Some(self.saves.stats().totals().and(self.claims.stats().totals()))
    }

    async fn load(&self, grain: &GrainId) -> Result<Option<StoredState>, StateError> {
        let rows = self.connection.query(LOAD, &[&grain.kind().as_str(), &grain.identity()]).await?;
        Ok(rows.into_iter().next().and_then(|row| stored_state(row.get("bytes"), row.get("etag"))))
    }

    async fn activate(&self, grain: &GrainId) -> Result<Claim, StateError> {
        self.submit(|reply| self.claims.submit(ClaimWrite { grain: grain.clone(), reply })).await
    }

    async fn save(
        &self,
        grain: &GrainId,
        bytes: &[u8],
        expected: Option<Etag>,
        epoch: Epoch,
    ) -> Result<Etag, StateError> {
        let write = |reply| SaveWrite { grain: grain.clone(), bytes: bytes.to_vec(), expected, epoch, reply };
        self.submit(|reply| self.saves.submit(write(reply))).await
    }
}
