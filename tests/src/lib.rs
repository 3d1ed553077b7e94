//! Support for end-to-end tests that cross process boundaries (`tests/tests/`): the real
//! desktop app under Xvfb, driven through tauri-driver and WebKitWebDriver; a team of
//! CLI devices syncing through a real `plumbline-server` ([`team`]).
//!
//! The WebDriver client is a few W3C endpoints over reqwest — enough for our flows — so
//! the workspace does not compile a second TLS stack for a loopback connection.

pub mod driver;
pub mod team;
pub mod webdriver;
