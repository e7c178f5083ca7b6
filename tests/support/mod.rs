//! Shared by the browser tests (`tests/browser.rs`, `tests/pwa.rs`) and the browser benchmark
//! (`benches/browser_ingest.rs`, which includes these files with `#[path]`).

pub mod app;
pub mod server;
pub mod webdriver;
