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
    let file_name = path
        .file_name()
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file name"))?;
    let mut temp_name = std::ffi::OsString::from(".");
    temp_name.push(file_name);
    temp_name.push(".part");
    let temp = path.with_file_name(temp_name);
    std::fs::write(&temp, bytes)
        .and_then(|()| std::fs::rename(&temp, path))
        .inspect_err(|_| {
            // Best effort: the write already failed, and that is the error to report.
            let _ = std::fs::remove_file(&temp);
        })
}
