//! The persisted list of kinds: name -> current version, earlier versions, settings, upload time.

use super::module_store::write_durably;
use crate::config::{DEFAULT_MAX_STATE, KindSettings, Subscription};
use crate::ids::{KindName, Version};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Earlier versions kept per kind for rollback.
const HISTORY: usize = 10;

/// One kind as persisted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KindRecord {
    /// The current version.
    pub version: Version,
    /// Earlier versions, most recent last.
    pub previous: Vec<Version>,
    pub idle_timeout_ms: u64,
    pub max_memory_bytes: u64,
    pub time_limit_ms: u64,
    /// Absent in catalogs written before kinds had roles.
    #[serde(default)]
    pub roles: Vec<String>,
    /// Absent in catalogs written before kinds had quotas (no limit).
    #[serde(default)]
    pub max_live: u32,
    /// Absent in catalogs written before kinds had a state limit (the default).
    #[serde(default = "default_max_state")]
    pub max_state_bytes: u64,
    /// Absent in catalogs written before HTTP grants (none).
    #[serde(default)]
    pub allow_http: Vec<String>,
    /// Absent in catalogs written before topics (none): `TOPIC` or `TOPIC:FIELD`.
    #[serde(default)]
    pub subscribe: Vec<String>,
    pub uploaded_at_unix_ms: u64,
}

fn default_max_state() -> u64 {
    DEFAULT_MAX_STATE
}

impl KindRecord {
    /// A kind first pushed as `version` with `settings`.
    pub fn new(version: Version, settings: &KindSettings, uploaded_at_unix_ms: u64) -> Self {
        KindRecord {
            version,
            previous: Vec::new(),
            idle_timeout_ms: millis(settings.idle_timeout),
            max_memory_bytes: settings.max_memory,
            time_limit_ms: millis(settings.time_limit),
            roles: settings.roles.iter().cloned().collect(),
            max_live: settings.max_live,
            max_state_bytes: settings.max_state,
            allow_http: settings.allow_http.iter().cloned().collect(),
            subscribe: settings.subscribe.iter().map(ToString::to_string).collect(),
            uploaded_at_unix_ms,
        }
    }

    /// The settings the record holds.
    pub fn settings(&self) -> KindSettings {
        KindSettings {
            idle_timeout: Duration::from_millis(self.idle_timeout_ms),
            max_memory: self.max_memory_bytes,
            time_limit: Duration::from_millis(self.time_limit_ms),
            roles: self.roles.iter().cloned().collect(),
            max_live: self.max_live,
            max_state: self.max_state_bytes,
            allow_http: self.allow_http.iter().cloned().collect(),
            // Checked at push; one that no longer reads subscribes to nothing.
            subscribe: self.subscribe.iter().filter_map(|text| Subscription::parse(text).ok()).collect(),
        }
    }

    /// This record moved on to `version` with `settings`, remembering the version it replaces.
    pub fn advanced(&self, version: Version, settings: &KindSettings, uploaded_at_unix_ms: u64) -> Self {
        let mut previous = self.previous.clone();
        if self.version != version {
            previous.push(self.version.clone());
        }
        if previous.len() > HISTORY {
            previous.remove(0);
        }
        KindRecord { previous, ..KindRecord::new(version, settings, uploaded_at_unix_ms) }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The catalog file, rewritten whole on every change (kinds change rarely).
pub struct Catalog {
    path: PathBuf,
}

impl Catalog {
    /// The catalog in the file at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Catalog { path: path.into() }
    }

    /// Every kind as last saved (none if the file does not exist yet).
    pub fn load(&self) -> anyhow::Result<BTreeMap<KindName, KindRecord>> {
        match std::fs::read(&self.path) {
            Ok(bytes) => Ok(serde_json::from_slice(&bytes)
                .map_err(|e| anyhow::anyhow!("corrupt kind catalog {}: {e}", self.path.display()))?),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(anyhow::anyhow!("cannot read kind catalog {}: {e}", self.path.display())),
        }
    }

    /// Replaces the file with `records`, durably.
    pub fn save(&self, records: &BTreeMap<KindName, KindRecord>) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(records).map_err(std::io::Error::other)?;
        write_durably(&self.path, &bytes)
    }
}
