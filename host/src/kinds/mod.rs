//! The node's kinds: push (hot reload), rollback and removal, persisted across restarts.
//!
//! Each kind name has a watch channel carrying its current version. An activation
//! subscribes when it starts; when the version changes it finishes its message,
//! deactivates, and hands its queued messages to an activation of the new version.

mod catalog;
mod module_store;

use crate::config::{KindSettings, KindSettingsUpdate};
use crate::ids::{GrainIdError, KindName, Version};
use crate::runtime::{HttpGrants, Kind, KindCompiler, KindError};
use crate::typed::{TypedInterface, compat};
use catalog::{Catalog, KindRecord};
use module_store::ModuleStore;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio::sync::watch;

/// Why a kind operation was refused. The registry is unchanged when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The name is not a valid kind name.
    #[error(transparent)]
    BadName(#[from] GrainIdError),
    /// The module cannot be a kind.
    #[error(transparent)]
    BadModule(#[from] KindError),
    /// The settings are out of bounds.
    #[error("invalid kind settings: {0}")]
    BadSettings(String),
    /// A reload of a typed kind that removes or changes functions callers may use.
    #[error(
        "refusing to replace typed kind {name:?}: the new version {} (compatible means every function stays, with the same parameters and result; push with --force to replace it anyway)",
        breaks.join("; ")
    )]
    Incompatible {
        /// The kind.
        name: String,
        /// What the new version removes or changes.
        breaks: Vec<String>,
    },
    /// No kind of that name.
    #[error("unknown kind {0:?}")]
    NotFound(String),
    /// A rollback with nothing to go back to.
    #[error("kind {0:?} has no earlier version to roll back to")]
    NoPrevious(String),
    /// The module or catalog could not be written or read.
    #[error("cannot store kind: {0}")]
    Storage(String),
}

/// Sees each new current version of one kind (`None` once it is removed).
pub type KindVersions = watch::Receiver<Option<Arc<Kind>>>;

/// What a listing shows of a kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindInfo {
    /// The kind's name.
    pub name: KindName,
    /// Its current version.
    pub version: Version,
    /// Earlier versions, most recent last.
    pub previous: Vec<Version>,
    /// Its settings.
    pub settings: KindSettings,
    /// When the current version was pushed.
    pub uploaded_at_unix_ms: u64,
}

/// What `describe` shows of one version of a kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindDescription {
    /// The kind's name.
    pub name: KindName,
    /// The version described.
    pub version: Version,
    /// Its exported interfaces as WIT; `None` for a kind of the `grain` world.
    pub wit: Option<String>,
}

/// Fewest hex digits a version prefix must have to name a version.
const MIN_VERSION_PREFIX: usize = 4;

/// The outcome of a push.
pub struct Pushed {
    /// The kind now current.
    pub kind: Arc<Kind>,
    /// The same bytes and settings were already current: nothing changed.
    pub unchanged: bool,
}

#[derive(Default)]
struct Live {
    records: BTreeMap<KindName, KindRecord>,
    current: HashMap<KindName, watch::Sender<Option<Arc<Kind>>>>,
}

/// The node's kinds by name, each with its current version and history.
pub struct KindRegistry {
    compiler: KindCompiler,
    modules: ModuleStore,
    catalog: Catalog,
    defaults: KindSettings,
    max_memory: u64,
    live: Mutex<Live>,
}

fn now_unix_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn storage(e: impl std::fmt::Display) -> RegistryError {
    RegistryError::Storage(e.to_string())
}

impl KindRegistry {
    /// Opens the registry under `data_dir` and loads every persisted kind's current version
    /// (from the compiled-artifact cache when it is there).
    pub fn open(
        compiler: KindCompiler,
        data_dir: &Path,
        defaults: KindSettings,
        max_memory: u64,
    ) -> anyhow::Result<Self> {
        let registry = KindRegistry {
            compiler,
            modules: ModuleStore::open(data_dir.join("modules"))?,
            catalog: Catalog::new(data_dir.join("kinds.json")),
            defaults,
            max_memory,
            live: Mutex::new(Live::default()),
        };
        let records = registry.catalog.load()?;
        let mut live = registry.lock();
        for (name, record) in &records {
            match registry.load_version(name, &record.version, record.settings()) {
                Ok(kind) => {
                    live.current.insert(name.clone(), watch::Sender::new(Some(kind)));
                }
                Err(e) => tracing::error!(kind = name.as_str(), "cannot load kind version {}: {e}", record.version),
            }
        }
        live.records = records;
        drop(live);
        Ok(registry)
    }

    fn lock(&self) -> MutexGuard<'_, Live> {
        self.live.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn load_version(
        &self,
        name: &KindName,
        version: &Version,
        settings: KindSettings,
    ) -> Result<Arc<Kind>, RegistryError> {
        let bytes = self.modules.get(version).map_err(|e| storage(format!("module {version}: {e}")))?;
        Ok(Arc::new(self.compiler.compile(name, &bytes, settings)?))
    }

    fn settings_for(&self, name: &KindName, update: &KindSettingsUpdate) -> Result<KindSettings, RegistryError> {
        let base = self.lock().records.get(name).map_or_else(|| self.defaults.clone(), KindRecord::settings);
        let settings = updated(base, update);
        if settings.max_memory > self.max_memory {
            return Err(RegistryError::BadSettings(format!(
                "max memory {} exceeds the node's limit of {} bytes",
                settings.max_memory, self.max_memory
            )));
        }
        HttpGrants::new(&settings.allow_http).map_err(RegistryError::BadSettings)?;
        if settings.max_state == 0 {
            return Err(RegistryError::BadSettings("max state must be above zero".into()));
        }
        if settings.idle_timeout.is_zero() || settings.time_limit.is_zero() {
            return Err(RegistryError::BadSettings("idle timeout and time limit must be above zero".into()));
        }
        Ok(settings)
    }

    /// Checks, compiles and makes `bytes` the current version of kind `name`.
    /// CPU-heavy (compiling): run it off the async executor.
    pub fn push(&self, name: &KindName, bytes: &[u8], update: &KindSettingsUpdate) -> Result<Pushed, RegistryError> {
        let settings = self.settings_for(name, update)?;
        if let Some(kind) = self.get(name.as_str())
            && *kind.version() == Version::of(bytes)
            && *kind.settings() == settings
        {
            return Ok(Pushed { kind, unchanged: true });
        }
        let kind = Arc::new(self.compiler.compile(name, bytes, settings.clone())?);
        if !update.force {
            self.check_reload(name, &kind)?;
        }
        self.modules.put(kind.version(), bytes).map_err(storage)?;
        self.make_current(name, &kind, |previous| match previous {
            Some(record) => record.advanced(kind.version().clone(), &settings, now_unix_ms()),
            None => KindRecord::new(kind.version().clone(), &settings, now_unix_ms()),
        })?;
        Ok(Pushed { kind, unchanged: false })
    }

    /// Refuses `kind` as the next version of `name` when the current one is typed and `kind`
    /// removes or changes one of its functions.
    fn check_reload(&self, name: &KindName, kind: &Kind) -> Result<(), RegistryError> {
        let Some(current) = self.get(name.as_str()) else { return Ok(()) };
        let Some(old) = current.typed() else { return Ok(()) };
        let new = kind.typed().map_or(&[][..], TypedInterface::interfaces);
        let breaks = compat::breaking_changes(old.interfaces(), new);
        if breaks.is_empty() { Ok(()) } else { Err(RegistryError::Incompatible { name: name.to_string(), breaks }) }
    }

    /// Makes the previous version of `name` current again (its settings are the current ones).
    pub fn rollback(&self, name: &KindName) -> Result<Arc<Kind>, RegistryError> {
        let record = self.lock().records.get(name).cloned().ok_or_else(|| RegistryError::NotFound(name.to_string()))?;
        let mut previous = record.previous.clone();
        let version = previous.pop().ok_or_else(|| RegistryError::NoPrevious(name.to_string()))?;
        let kind = self.load_version(name, &version, record.settings())?;
        self.make_current(name, &kind, |_| KindRecord { version: version.clone(), previous, ..record.clone() })?;
        Ok(kind)
    }

    /// Removes kind `name`; its live activations deactivate and new messages find no kind.
    pub fn remove(&self, name: &KindName) -> Result<(), RegistryError> {
        let mut live = self.lock();
        let mut records = live.records.clone();
        records.remove(name).ok_or_else(|| RegistryError::NotFound(name.to_string()))?;
        self.catalog.save(&records).map_err(storage)?;
        live.records = records;
        if let Some(current) = live.current.get(name) {
            current.send_replace(None);
        }
        Ok(())
    }

    /// Persists the new record, then publishes `kind` to new and live activations.
    fn make_current(
        &self,
        name: &KindName,
        kind: &Arc<Kind>,
        record: impl FnOnce(Option<&KindRecord>) -> KindRecord,
    ) -> Result<(), RegistryError> {
        let mut live = self.lock();
        let mut records = live.records.clone();
        let next = record(records.get(name));
        records.insert(name.clone(), next);
        self.catalog.save(&records).map_err(storage)?;
        live.records = records;
        live.current
            .entry(name.clone())
            .or_insert_with(|| watch::Sender::new(None))
            .send_replace(Some(Arc::clone(kind)));
        Ok(())
    }

    /// The module bytes of `version`, as uploaded.
    pub fn module(&self, version: &Version) -> std::io::Result<Vec<u8>> {
        self.modules.get(version)
    }

    /// The current version of kind `name`.
    pub fn get(&self, name: &str) -> Option<Arc<Kind>> {
        self.lock().current.get(name).and_then(|current| current.borrow().clone())
    }

    /// The current version of `name` and a receiver that sees every later change.
    pub fn subscribe(&self, name: &str) -> Option<(Arc<Kind>, KindVersions)> {
        let live = self.lock();
        let mut receiver = live.current.get(name)?.subscribe();
        let kind = receiver.borrow_and_update().clone()?;
        Some((kind, receiver))
    }

    /// The interface version `version` (a prefix of one; `None`: the current one) of kind
    /// `name` exports, read with the version when it was loaded, or from its module when it
    /// is an earlier one.
    pub fn describe(&self, name: &str, version: Option<&str>) -> Result<KindDescription, RegistryError> {
        let (name, record) = {
            let live = self.lock();
            let (name, record) =
                live.records.get_key_value(name).ok_or_else(|| RegistryError::NotFound(name.to_string()))?;
            (name.clone(), record.clone())
        };
        let version = match version {
            None => record.version.clone(),
            Some(prefix) => std::iter::once(&record.version)
                .chain(record.previous.iter().rev())
                .find(|known| prefix.len() >= MIN_VERSION_PREFIX && known.as_str().starts_with(prefix))
                .cloned()
                .ok_or_else(|| RegistryError::NotFound(format!("{name} version {prefix}")))?,
        };
        let wit = match self.get(name.as_str()).filter(|current| *current.version() == version) {
            Some(current) => current.typed().map(|typed| typed.wit().to_string()),
            None => {
                let bytes = self.modules.get(&version).map_err(|e| storage(format!("module {version}: {e}")))?;
                crate::typed::describe::exported_wit(&bytes).map_err(RegistryError::Storage)?
            }
        };
        Ok(KindDescription { name, version, wit })
    }

    /// The kinds subscribed to `topic`, by name.
    pub fn subscribers_of(&self, topic: &str) -> Vec<String> {
        self.lock()
            .records
            .iter()
            .filter(|(_, record)| record.settings().subscribe.iter().any(|subscription| subscription.topic == topic))
            .map(|(name, _)| name.to_string())
            .collect()
    }

    /// Every kind, sorted by name.
    pub fn list(&self) -> Vec<KindInfo> {
        self.lock()
            .records
            .iter()
            .map(|(name, record)| KindInfo {
                name: name.clone(),
                version: record.version.clone(),
                previous: record.previous.clone(),
                settings: record.settings(),
                uploaded_at_unix_ms: record.uploaded_at_unix_ms,
            })
            .collect()
    }
}

/// `base` with the fields `update` sets.
fn updated(base: KindSettings, update: &KindSettingsUpdate) -> KindSettings {
    KindSettings {
        idle_timeout: update.idle_timeout.unwrap_or(base.idle_timeout),
        max_memory: update.max_memory.unwrap_or(base.max_memory),
        time_limit: update.time_limit.unwrap_or(base.time_limit),
        roles: update.roles.clone().unwrap_or(base.roles),
        max_live: update.max_live.unwrap_or(base.max_live),
        max_state: update.max_state.unwrap_or(base.max_state),
        allow_http: update.allow_http.clone().unwrap_or(base.allow_http),
        subscribe: update.subscribe.clone().unwrap_or(base.subscribe),
    }
}
