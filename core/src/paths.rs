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
