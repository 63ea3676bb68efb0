//! The node's kinds by name: the current version of each.

use crate::config::KindSettings;
use crate::ids::validate_kind_name;
use crate::runtime::{Kind, KindCompiler, KindError};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub struct KindRegistry {
    compiler: KindCompiler,
    kinds: RwLock<HashMap<String, Arc<Kind>>>,
}

/// Why a kind could not be installed.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    #[error(transparent)]
    BadName(#[from] crate::ids::GrainIdError),
    #[error(transparent)]
    BadModule(#[from] KindError),
}

impl KindRegistry {
    pub fn new(compiler: KindCompiler) -> Self {
        KindRegistry {
            compiler,
            kinds: RwLock::new(HashMap::new()),
        }
    }

    /// Checks, compiles and installs `bytes` as kind `name`. CPU-heavy: run it off the executor.
    /// A refused module leaves the registry untouched.
    pub fn install(
        &self,
        name: &str,
        bytes: &[u8],
        settings: KindSettings,
    ) -> Result<Arc<Kind>, InstallError> {
        validate_kind_name(name)?;
        let kind = Arc::new(self.compiler.compile(name, bytes, settings)?);
        self.kinds
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(name.to_string(), Arc::clone(&kind));
        Ok(kind)
    }

    /// The current version of kind `name`.
    pub fn get(&self, name: &str) -> Option<Arc<Kind>> {
        self.kinds
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(name)
            .cloned()
    }

    /// All kinds, sorted by name.
    pub fn list(&self) -> Vec<Arc<Kind>> {
        let kinds = self
            .kinds
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut list: Vec<Arc<Kind>> = kinds.values().cloned().collect();
        list.sort_by(|a, b| a.name().cmp(b.name()));
        list
    }
}
