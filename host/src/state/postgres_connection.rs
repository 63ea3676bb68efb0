//! The pool of connections to the PostgreSQL database a cluster shares, and how its errors
//! read: one line, naming the server but never the password.

use super::StateError;
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
/// Every statement is prepared once per connection, and its generic plan is index lookups by
/// key; left to choose, PostgreSQL plans the batched save afresh at each execution, which cost
/// more than running it (PD: 1.5k against 3.4k adds/s for one grain, 33k against 48k for 64).
/// Added to the URL's own `options`.
const GENERIC_PLANS: &str = "-c plan_cache_mode=force_generic_plan";

/// The pool and what messages name it by.
pub(super) struct Connection {
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

/// The connection settings of `url`, with the defaults above where it sets none.
fn config_of(url: &str) -> Result<tokio_postgres::Config, StateError> {
    let mut config: tokio_postgres::Config =
        url.parse().map_err(|e| StateError::Backend(format!("bad PostgreSQL URL: {}", describe(&e))))?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let options = match config.get_options() {
        Some(own) => format!("{own} {GENERIC_PLANS}"),
        None => GENERIC_PLANS.to_string(),
    };
    config.options(&options);
    Ok(config)
}

impl Connection {
    /// A pool for `url` (`postgres://user[:password]@host:port/db`); connects on first use.
    pub(super) fn open(url: &str) -> Result<Self, StateError> {
        let config = config_of(url)?;
        let server = server_of(&config);
        let manager = Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| StateError::Backend(format!("cannot set up connections to PostgreSQL: {e}")))?;
        Ok(Connection { pool, server })
    }

    pub(super) async fn client(&self) -> Result<deadpool_postgres::Object, StateError> {
        self.pool.get().await.map_err(|e| {
            let cause = match &e {
                deadpool_postgres::PoolError::Backend(inner) => describe(inner),
                other => describe(other),
            };
            StateError::Backend(format!("cannot reach PostgreSQL at {}: {cause}", self.server))
        })
    }

    pub(super) fn failed(&self, error: &tokio_postgres::Error) -> StateError {
        StateError::Backend(format!("PostgreSQL at {}: {}", self.server, describe(error)))
    }

    /// Runs one statement and returns its rows.
    pub(super) async fn query(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, StateError> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(|e| self.failed(&e))?;
        client.query(&statement, params).await.map_err(|e| self.failed(&e))
    }

    /// Runs one statement and returns how many rows it changed.
    pub(super) async fn execute(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, StateError> {
        let client = self.client().await?;
        let statement = client.prepare_cached(sql).await.map_err(|e| self.failed(&e))?;
        client.execute(&statement, params).await.map_err(|e| self.failed(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connections_ask_for_generic_plans_and_keep_the_urls_own_options() {
        let plain = config_of("postgres://granary@127.0.0.1:5432/grains").expect("parses");
        assert_eq!(plain.get_options(), Some(GENERIC_PLANS));
        assert_eq!(plain.get_connect_timeout(), Some(&CONNECT_TIMEOUT));
        let own = config_of("postgres://granary@127.0.0.1/grains?options=-c%20search_path%3Dgrains&connect_timeout=3")
            .expect("parses");
        assert_eq!(own.get_options(), Some(format!("-c search_path=grains {GENERIC_PLANS}").as_str()));
        assert_eq!(own.get_connect_timeout(), Some(&Duration::from_secs(3)));
    }
}
