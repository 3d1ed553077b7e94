//! Support for end-to-end tests that cross process boundaries (`tests/tests/`): the real
//! desktop app under Xvfb, driven through tauri-driver and WebKitWebDriver; a team of
//! CLI devices syncing through a real `plumbline-server` ([`team`]); the fake Microsoft
//! Graph as a process of its own ([`graph`]).
//!
//! The WebDriver client is a few W3C endpoints over reqwest — enough for our flows — so
//! the workspace does not compile a second TLS stack for a loopback connection.

pub mod agent;
pub mod driver;
pub mod graph;
pub mod receiver;
pub mod smtp;
pub mod team;
pub mod webdriver;
