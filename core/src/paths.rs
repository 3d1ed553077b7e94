//! Where Plumbline keeps its data on this machine.
//!
//! The desktop app and the CLI use the same per-user data directory, so `plumbline`
//! commands see what the app sees. `PLUMBLINE_DATA_DIR` overrides it (tests, portable
//! installs, several profiles side by side).

use std::path::PathBuf;

/// File name of the local database inside the data directory.
pub const DATABASE_FILE: &str = "plumbline.db";

/// The per-user data directory: `$PLUMBLINE_DATA_DIR`, else the platform's data dir
/// (`~/.local/share/plumbline` on Linux), else `./.plumbline`.
pub fn data_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PLUMBLINE_DATA_DIR").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    dirs::data_dir()
        .map(|d| d.join("plumbline"))
        .unwrap_or_else(|| PathBuf::from(".plumbline"))
}

/// The default local database path.
pub fn default_database() -> PathBuf {
    data_dir().join(DATABASE_FILE)
}

/// Writes `bytes` to a hidden file next to `path` and renames it into place, so a reader
/// never sees half a file and a failed write leaves no partial one behind.
pub fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    PendingFile::write(path, bytes)?.persist()
}

/// A file written next to its destination under a hidden name, not yet in place: it is
/// renamed into place by [`PendingFile::persist`] and removed if dropped before — so
/// work that is cancelled or fails between writing and recording a file leaves none.
#[derive(Debug)]
pub struct PendingFile {
    temp: std::path::PathBuf,
    path: std::path::PathBuf,
    persisted: bool,
}

impl PendingFile {
    pub fn write(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<Self> {
        let file_name = path.file_name().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name")
        })?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(file_name);
        temp_name.push(".part");
        let pending = Self {
            temp: path.with_file_name(temp_name),
            path: path.to_path_buf(),
            persisted: false,
        };
        // On failure `pending` is dropped, which removes what was written.
        std::fs::write(&pending.temp, bytes)?;
        Ok(pending)
    }

    /// Renames the file into place.
    pub fn persist(mut self) -> std::io::Result<()> {
        std::fs::rename(&self.temp, &self.path)?;
        self.persisted = true;
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.persisted {
            // Best effort: the file is hidden and its work is already failing.
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_file_lands_only_when_persisted() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("pack.zip");
        let pending = PendingFile::write(&path, b"bytes").expect("write");
        assert!(!path.exists(), "not in place before persist");
        drop(pending);
        assert_eq!(
            std::fs::read_dir(dir.path()).expect("dir").count(),
            0,
            "nothing left"
        );
        PendingFile::write(&path, b"bytes")
            .expect("write")
            .persist()
            .expect("persist");
        assert_eq!(std::fs::read(&path).expect("read"), b"bytes");
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 1);
        assert!(write_atomically(&dir.path().join("no/such/dir/x"), b"x").is_err());
    }
}
