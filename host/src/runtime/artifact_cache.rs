//! Compiled components on disk, keyed by content hash and engine settings.
//!
//! Compiling a 17 MB Python grain takes about 10 s; loading its artifact takes milliseconds.

use crate::ids::Version;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

/// A directory of compiled components for one engine configuration.
pub struct ArtifactCache {
    dir: PathBuf,
    engine_key: String,
}

impl ArtifactCache {
    /// A cache under `dir` for artifacts this `engine` can load.
    pub fn new(dir: impl Into<PathBuf>, engine: &Engine) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        let mut hasher = DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut hasher);
        Ok(ArtifactCache { dir, engine_key: format!("{:016x}", hasher.finish()) })
    }

    fn path(&self, version: &Version) -> PathBuf {
        self.dir.join(format!("{version}-{}.cwasm", self.engine_key))
    }

    /// The compiled component of `version`, compiling and storing it on a miss.
    /// A corrupt or incompatible artifact is replaced.
    pub fn load_or_compile(&self, engine: &Engine, version: &Version, bytes: &[u8]) -> anyhow::Result<Component> {
        let path = self.path(version);
        if path.exists() {
            // SAFETY: the file was written by `store` below from `Component::serialize` of
            // this engine configuration (the engine key is in its name), under the node's data dir.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(component) => return Ok(component),
                Err(e) => {
                    tracing::warn!(path = %path.display(), "recompiling unusable artifact: {e}")
                }
            }
        }
        let component = Component::new(engine, bytes)?;
        if let Err(e) = store(&path, &component) {
            tracing::warn!(path = %path.display(), "cannot cache compiled artifact: {e:#}");
        }
        Ok(component)
    }
}

fn store(path: &Path, component: &Component) -> anyhow::Result<()> {
    let bytes = component.serialize()?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
