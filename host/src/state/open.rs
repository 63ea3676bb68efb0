//! Opens a node's state store from a spec: the embedded redb file or a shared PostgreSQL.

use super::{PostgresStateStore, RedbStateStore, StateStore};
use anyhow::Context;
use std::path::Path;
use std::sync::Arc;

/// The embedded store's file in a node's data dir.
pub const REDB_FILE: &str = "state.redb";

/// `redb`: the embedded store at `data_dir/state.redb` (the dir is created if missing), for
/// one node. `postgres://user@host:port/db` (or `postgresql://`): a PostgreSQL database that
/// every node of a cluster shares.
pub async fn open(spec: &str, data_dir: &Path) -> anyhow::Result<Arc<dyn StateStore>> {
    if spec == "redb" {
        std::fs::create_dir_all(data_dir).with_context(|| format!("cannot create data dir {}", data_dir.display()))?;
        return Ok(Arc::new(RedbStateStore::open(&data_dir.join(REDB_FILE))?));
    }
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        return Ok(Arc::new(PostgresStateStore::connect(spec).await?));
    }
    anyhow::bail!("unknown state store {spec:?}: expected `redb` or a URL postgres://user@host:port/db")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::suite::id;

    #[tokio::test]
    async fn redb_opens_the_file_in_the_data_dir() {
        let dir = tempfile::tempdir().expect("temp dir");
        let data_dir = dir.path().join("node");
        let store = open("redb", &data_dir).await.expect("redb opens");
        let claim = store.activate(&id("counter/a")).await.expect("activate");
        store.save(&id("counter/a"), b"1", None, claim.epoch).await.expect("save");
        drop(store);
        assert!(data_dir.join("state.redb").is_file(), "the store is DATA_DIR/state.redb");
        let reopened = RedbStateStore::open(&data_dir.join("state.redb")).expect("reopen");
        assert_eq!(reopened.load(&id("counter/a")).await.expect("load").map(|s| s.bytes), Some(b"1".to_vec()));
    }

    #[tokio::test]
    async fn an_unreachable_postgres_is_reported_with_its_address() {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            listener.local_addr().expect("address").port()
        };
        let dir = tempfile::tempdir().expect("temp dir");
        for scheme in ["postgres", "postgresql"] {
            let url = format!("{scheme}://granary:secret@127.0.0.1:{port}/grains");
            let error = open(&url, dir.path()).await.err().expect("nothing listens there").to_string();
            assert!(error.contains(&format!("cannot reach PostgreSQL at 127.0.0.1:{port}/grains")), "{error}");
            assert!(!error.contains("secret"), "the password stays out of messages: {error}");
        }
    }

    #[tokio::test]
    async fn other_specs_are_refused() {
        let dir = tempfile::tempdir().expect("temp dir");
        for spec in ["", "sqlite://x", "REDB", "postgres://bad url:x"] {
            assert!(open(spec, dir.path()).await.is_err(), "{spec:?} is refused");
        }
    }
}
