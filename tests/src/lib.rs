//! End-to-end tests that cross process boundaries live in `tests/tests/`: the desktop
//! app under Xvfb driven through tauri-driver and WebKitWebDriver, and (later) sync
//! between desktops through a real server process.
