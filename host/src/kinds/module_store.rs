//! Uploaded components, content-addressed by sha256, under the node's data dir.

use crate::ids::Version;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// A directory of `<sha256>.wasm` files.
pub struct ModuleStore {
    dir: PathBuf,
}

impl ModuleStore {
    /// The store under `dir`, created if missing.
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(ModuleStore { dir })
    }

    /// The file of `version` (only ever hex digits, so it stays in `dir`).
    fn path(&self, version: &Version) -> PathBuf {
        self.dir.join(format!("{version}.wasm"))
    }

    /// Stores `bytes` under `version` (their sha256), durably; storing the same bytes again does nothing.
    pub fn put(&self, version: &Version, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(version);
        if path.exists() {
            return Ok(());
        }
        write_durably(&path, bytes)
    }

    /// The bytes stored under `version`.
    pub fn get(&self, version: &Version) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(version))
    }
}

/// Writes to a temporary file of its own, syncs it, then renames it into place: two writers of
/// the same file (a push and a peer's announcement of the same module) never share one.
pub fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static WRITES: AtomicU64 = AtomicU64::new(0);
    let unique = WRITES.fetch_add(1, Ordering::Relaxed);
    let tmp = path.with_extension(format!("{}-{unique}.tmp", std::process::id()));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}
