//! The main window opens where the operator left it: its size, position and whether it
//! was maximised are saved to `window.json` in the data directory when it closes, and put
//! back at start — unless the saved place is on no monitor connected now (a laptop
//! undocked from its second screen), in which case only the size is kept.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use tauri::{Manager, PhysicalPosition, PhysicalSize, Runtime, WebviewWindow, WindowEvent};

/// The file, next to the database.
pub const FILE_NAME: &str = "window.json";

/// The window's outer geometry, in physical pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Geometry {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
    pub maximized: bool,
}

/// A monitor's area, in physical pixels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Area {
    pub x: i32,
    pub y: i32,
    pub width: u32,
    pub height: u32,
}

/// What to do with a saved geometry at start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Restore {
    pub size: Option<(u32, u32)>,
    pub position: Option<(i32, i32)>,
    pub maximize: bool,
}

/// Smallest window worth restoring (the window's own minimum is larger).
const MIN_SIDE: u32 = 200;
/// How much of the title bar must be on a monitor for the position to be kept.
const VISIBLE: i64 = 64;

/// Decides what of `saved` to apply on these monitors: the size when it is sane (and no
/// larger than the largest monitor), the position only when the window's top edge lies
/// on a monitor, so it can be grabbed.
pub fn plan(saved: &Geometry, monitors: &[Area]) -> Restore {
    let largest = monitors
        .iter()
        .map(|m| (m.width, m.height))
        .max_by_key(|(w, h)| u64::from(*w) * u64::from(*h));
    let size = match largest {
        Some((w, h)) if saved.width >= MIN_SIDE && saved.height >= MIN_SIDE => {
            Some((saved.width.min(w), saved.height.min(h)))
        }
        None if saved.width >= MIN_SIDE && saved.height >= MIN_SIDE => {
            Some((saved.width, saved.height))
        }
        _ => None,
    };
    let (width, _) = size.unwrap_or((saved.width, saved.height));
    let grabbable = monitors.iter().any(|m| {
        let (left, top) = (i64::from(m.x), i64::from(m.y));
        let (right, bottom) = (left + i64::from(m.width), top + i64::from(m.height));
        let (x, y) = (i64::from(saved.x), i64::from(saved.y));
        let visible = (x + i64::from(width)).min(right) - x.max(left);
        y >= top && y < bottom - VISIBLE / 2 && visible >= VISIBLE
    });
    Restore {
        size,
        position: grabbable.then_some((saved.x, saved.y)),
        maximize: saved.maximized,
    }
}

pub fn read(path: &Path) -> Option<Geometry> {
    let text = std::fs::read_to_string(path).ok()?;
    match serde_json::from_str(&text) {
        Ok(geometry) => Some(geometry),
        Err(error) => {
            tracing::warn!(%error, path = %path.display(), "ignoring a damaged window state");
            None
        }
    }
}

pub fn write(path: &Path, geometry: &Geometry) {
    let saved = serde_json::to_vec_pretty(geometry)
        .map_err(std::io::Error::other)
        .and_then(|bytes| plumbline_core::paths::write_atomically(path, &bytes));
    if let Err(error) = saved {
        tracing::warn!(%error, path = %path.display(), "cannot save the window state");
    }
}

fn current<R: Runtime>(window: &WebviewWindow<R>) -> Option<Geometry> {
    let maximized = window.is_maximized().unwrap_or(false);
    let position = window.outer_position().ok()?;
    let size = window.inner_size().ok()?;
    Some(Geometry {
        x: position.x,
        y: position.y,
        width: size.width,
        height: size.height,
        maximized,
    })
}

/// The geometry to save: while maximised, the last normal one (so un-maximising next
/// time goes back to it), with the maximised flag.
#[derive(Debug, Default)]
struct Tracker {
    normal: Option<Geometry>,
}

/// Restores the main window's geometry from `dir` and saves it there when it closes.
pub fn manage<R: Runtime>(app: &tauri::App<R>, dir: PathBuf) {
    let Some(window) = app.get_webview_window("main") else {
        return;
    };
    let path = dir.join(FILE_NAME);
    if let Some(saved) = read(&path) {
        let monitors: Vec<Area> = window
            .available_monitors()
            .unwrap_or_default()
            .iter()
            .map(|m| Area {
                x: m.position().x,
                y: m.position().y,
                width: m.size().width,
                height: m.size().height,
            })
            .collect();
        let restore = plan(&saved, &monitors);
        // A window manager may refuse a geometry; the window then keeps its default.
        let warn = |what: &str, result: tauri::Result<()>| {
            if let Err(error) = result {
                tracing::warn!(%error, "cannot restore the window's {what}");
            }
        };
        if let Some((width, height)) = restore.size {
            warn("size", window.set_size(PhysicalSize::new(width, height)));
        }
        if let Some((x, y)) = restore.position {
            warn("position", window.set_position(PhysicalPosition::new(x, y)));
        }
        if restore.maximize {
            warn("maximized state", window.maximize());
        }
    }
    let tracker = Mutex::new(Tracker::default());
    let watched = window.clone();
    window.on_window_event(move |event| match event {
        WindowEvent::Moved(_) | WindowEvent::Resized(_) => {
            if let Some(geometry) = current(&watched).filter(|g| !g.maximized) {
                if let Ok(mut tracker) = tracker.lock() {
                    tracker.normal = Some(geometry);
                }
            }
        }
        WindowEvent::CloseRequested { .. } => {
            let Some(now) = current(&watched) else {
                return;
            };
            let normal = tracker.lock().ok().and_then(|t| t.normal);
            let geometry = match normal {
                Some(normal) if now.maximized => Geometry {
                    maximized: true,
                    ..normal
                },
                _ => now,
            };
            // write() says why when the folder cannot be made either.
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).ok();
            }
            write(&path, &geometry);
        }
        _ => {}
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCREEN: Area = Area {
        x: 0,
        y: 0,
        width: 1920,
        height: 1080,
    };
    const RIGHT: Area = Area {
        x: 1920,
        y: 0,
        width: 2560,
        height: 1440,
    };

    fn saved(x: i32, y: i32, width: u32, height: u32) -> Geometry {
        Geometry {
            x,
            y,
            width,
            height,
            maximized: false,
        }
    }

    #[test]
    fn a_window_on_a_connected_monitor_comes_back_where_it_was() {
        let restore = plan(&saved(2100, 40, 1400, 900), &[SCREEN, RIGHT]);
        assert_eq!(restore.size, Some((1400, 900)));
        assert_eq!(restore.position, Some((2100, 40)));
        assert!(!restore.maximize);
    }

    #[test]
    fn a_window_left_on_an_unplugged_monitor_keeps_only_its_size() {
        let restore = plan(&saved(2100, 40, 1400, 900), &[SCREEN]);
        assert_eq!(restore.size, Some((1400, 900)));
        assert_eq!(restore.position, None);
    }

    #[test]
    fn sizes_larger_than_any_monitor_shrink_and_tiny_ones_are_ignored() {
        let restore = plan(&saved(0, 0, 5000, 3000), &[SCREEN, RIGHT]);
        assert_eq!(restore.size, Some((2560, 1440)));
        assert_eq!(plan(&saved(0, 0, 50, 40), &[SCREEN]).size, None);
    }

    #[test]
    fn a_title_bar_off_screen_is_not_restored() {
        assert_eq!(plan(&saved(100, -300, 800, 600), &[SCREEN]).position, None);
        assert_eq!(plan(&saved(1900, 10, 800, 600), &[SCREEN]).position, None);
        assert_eq!(
            plan(&saved(1800, 10, 800, 600), &[SCREEN]).position,
            Some((1800, 10)),
            "120 px of title bar is enough to grab"
        );
    }

    #[test]
    fn the_file_round_trips_and_damage_is_ignored() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join(FILE_NAME);
        let geometry = Geometry {
            maximized: true,
            ..saved(10, 20, 1300, 850)
        };
        write(&path, &geometry);
        assert_eq!(read(&path), Some(geometry));
        std::fs::write(&path, b"{ not json").expect("write");
        assert_eq!(read(&path), None);
        assert_eq!(read(&dir.path().join("missing.json")), None);
    }
}
