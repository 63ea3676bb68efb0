//! Uploaded components, content-addressed by sha256, under the node's data dir.

use std::io::Write;
use std::path::{Path, PathBuf};

pub struct ModuleStore {
    dir: PathBuf,
}

impl ModuleStore {
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(ModuleStore { dir })
    }

    /// The file of `version`, which must look like a sha256 in hex (it may come from a peer).
    fn path(&self, version: &str) -> std::io::Result<PathBuf> {
        let is_sha256 =
            version.len() == 64 && version.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if !is_sha256 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("{version:?} is not a module version"),
            ));
        }
        Ok(self.dir.join(format!("{version}.wasm")))
    }

    /// Stores `bytes` under `version` (their sha256), durably; storing the same bytes again does nothing.
    pub fn put(&self, version: &str, bytes: &[u8]) -> std::io::Result<()> {
        let path = self.path(version)?;
        if path.exists() {
            return Ok(());
        }
        write_durably(&path, bytes)
    }

    pub fn get(&self, version: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.path(version)?)
    }
}

/// Writes to a temporary file, syncs it, then renames it into place.
pub fn write_durably(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension("tmp");
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}
