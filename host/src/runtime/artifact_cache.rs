//! Compiled components on disk, keyed by content hash and engine settings.
//!
//! Compiling a 17 MB Python grain takes about 10 s; loading its artifact takes milliseconds.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use wasmtime::Engine;
use wasmtime::component::Component;

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

    fn path(&self, content_hash: &str) -> PathBuf {
        self.dir.join(format!("{content_hash}-{}.cwasm", self.engine_key))
    }

    /// The compiled component for `content_hash`, compiling and storing it on a miss.
    /// A corrupt or incompatible artifact is replaced.
    pub fn load_or_compile(&self, engine: &Engine, content_hash: &str, bytes: &[u8]) -> anyhow::Result<Component> {
        let path = self.path(content_hash);
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
        let component = Component::new(engine, bytes).map_err(|e| anyhow::anyhow!("{e:#}"))?;
        if let Err(e) = store(&path, &component) {
            tracing::warn!(path = %path.display(), "cannot cache compiled artifact: {e:#}");
        }
        Ok(component)
    }
}

fn store(path: &Path, component: &Component) -> anyhow::Result<()> {
    let bytes = component.serialize().map_err(|e| anyhow::anyhow!("{e}"))?;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}
