//! A `StateStore` shared by every node of a cluster: one PostgreSQL table.
//!
//! Each operation is one SQL statement, so two nodes racing for a grain are fenced by the
//! database's row locks, not by anything in this process.

use super::{Claim, Epoch, Etag, StateError, StateStore, StoredState, refusal};
use crate::ids::GrainId;
use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use std::error::Error;
use std::time::Duration;
use tokio_postgres::config::Host;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

/// Connections per node; a turn holds one for a single statement.
const POOL_SIZE: usize = 16;
/// How long to wait for PostgreSQL when the URL sets no `connect_timeout`.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Creating the table under an advisory lock: concurrent `CREATE TABLE IF NOT EXISTS` from
/// nodes starting together can otherwise fail on PostgreSQL's catalog. One simple query runs
/// as one transaction, so the lock is released when the table is there.
const CREATE_TABLE: &str = "
    SELECT pg_advisory_xact_lock(hashtext('granary_grain_state'));
    CREATE TABLE IF NOT EXISTS granary_grain_state (
        kind     text   NOT NULL,
        identity text   NOT NULL,
        bytes    bytea,
        etag     bigint,
        epoch    bigint NOT NULL,
        PRIMARY KEY (kind, identity),
        CHECK ((bytes IS NULL) = (etag IS NULL)),
        CHECK (etag > 0 AND epoch > 0)
    )";

const LOAD: &str = "SELECT bytes, etag FROM granary_grain_state WHERE kind = $1 AND identity = $2";

/// Claims the next epoch, creating the row (no state yet) for a grain never activated.
const ACTIVATE: &str = "
    INSERT INTO granary_grain_state (kind, identity, epoch) VALUES ($1, $2, 1)
    ON CONFLICT (kind, identity) DO UPDATE SET epoch = granary_grain_state.epoch + 1
    RETURNING bytes, etag, epoch";

/// Writes only at the current epoch and etag. Every claimed grain has a row, so a write that
/// finds none was never entitled to one.
const SAVE: &str = "
    UPDATE granary_grain_state SET bytes = $3, etag = COALESCE(etag, 0) + 1
    WHERE kind = $1 AND identity = $2 AND epoch = $4 AND etag IS NOT DISTINCT FROM $5
    RETURNING etag";

/// What a refused write is explained with.
const CURRENT: &str = "SELECT etag, epoch FROM granary_grain_state WHERE kind = $1 AND identity = $2";

/// Grain state in a PostgreSQL database a cluster shares; the database does the fencing.
pub struct PostgresStateStore {
    pool: Pool,
    /// `host:port/db`, for messages (the URL may hold a password).
    server: String,
}

/// An error and its causes on one line: tokio-postgres keeps the server's message in the cause.
fn describe(error: &dyn Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        cause = inner.source();
    }
    text
}

/// `host:port,.../db`; as in libpq, a single port applies to every host.
fn server_of(config: &tokio_postgres::Config) -> String {
    let ports = config.get_ports();
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = ports.get(i).or(ports.first()).copied().unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(dir) => format!("{}:{port}", dir.display()),
            }
        })
        .collect();
    format!("{}/{}", hosts.join(","), config.get_dbname().unwrap_or_default())
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
    /// Connects to `url` (`postgres://user[:password]@host:port/db`) and creates the state
    /// table if it is missing.
    pub async fn connect(url: &str) -> Result<Self, StateError> {
        let mut config: tokio_postgres::Config =
            url.parse().map_err(|e| StateError::Backend(format!("bad PostgreSQL URL: {}", describe(&e))))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let server = server_of(&config);
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StateError::Backend(format!("cannot set up connections to PostgreSQL: {e}")))?;
        let store = PostgresStateStore { pool, server };
        store.client().await?.batch_execute(CREATE_TABLE).await.map_err(|e| store.failed(&e))?;
        Ok(store)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, StateError> {
        self.pool.get().await.map_err(|e| {
            let cause = match &e {
                deadpool_postgres::PoolError::Backend(inner) => describe(inner),
                other => describe(other),
            };
            StateError::Backend(format!("cannot reach PostgreSQL at {}: {cause}", self.server))
        })
    }

    fn failed(&self, error: &tokio_postgres::Error) -> StateError {
        StateError::Backend(format!("PostgreSQL at {}: {}", self.server, describe(error)))
    }

    /// Runs one statement and returns its row, if any.
    async fn query_opt(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>, StateError> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(|e| self.failed(&e))?;
        client.query_opt(&statement, params).await.map_err(|e| self.failed(&e))
    }

    /// Runs one statement that always returns exactly one row.
    async fn query_one(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row, StateError> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(|e| self.failed(&e))?;
        client.query_one(&statement, params).await.map_err(|e| self.failed(&e))
    }
}

#[async_trait::async_trait]
impl StateStore for PostgresStateStore {
    async fn load(&self, grain: &GrainId) -> Result<Option<StoredState>, StateError> {
        let row = self.query_opt(LOAD, &[&grain.kind().as_str(), &grain.identity()]).await?;
        Ok(row.and_then(|row| stored_state(row.get("bytes"), row.get("etag"))))
    }

    async fn activate(&self, grain: &GrainId) -> Result<Claim, StateError> {
        let row = self.query_one(ACTIVATE, &[&grain.kind().as_str(), &grain.identity()]).await?;
        Ok(Claim { epoch: Epoch(from_sql(row.get("epoch"))), saved: stored_state(row.get("bytes"), row.get("etag")) })
    }

    async fn save(
        &self,
        grain: &GrainId,
        bytes: &[u8],
        expected: Option<Etag>,
        epoch: Epoch,
    ) -> Result<Etag, StateError> {
        let expected_sql = expected.map(|Etag(v)| to_sql(v)).transpose()?;
        let params: [&(dyn ToSql + Sync); 5] =
            [&grain.kind().as_str(), &grain.identity(), &bytes, &to_sql(epoch.0)?, &expected_sql];
        if let Some(row) = self.query_opt(SAVE, &params).await? {
            return Ok(Etag(from_sql(row.get("etag"))));
        }
        // Refused. Epochs and etags only grow, so reading them now still shows why.
        let row = self.query_opt(CURRENT, &[&grain.kind().as_str(), &grain.identity()]).await?;
        let (current, actual) = row.map_or((Epoch::default(), None), |row| {
            (Epoch(from_sql(row.get("epoch"))), row.get::<_, Option<i64>>("etag").map(|v| Etag(from_sql(v))))
        });
        // Both can match only for an epoch this database never handed out (one from another
        // store): it was not the grain's current epoch when the write was refused.
        Err(refusal(grain, (epoch, expected), (current, actual)).unwrap_or(StateError::Fenced {
            grain: grain.to_string(),
            epoch,
            current,
        }))
    }
}
