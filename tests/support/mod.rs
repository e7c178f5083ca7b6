//! Shared by the browser tests (`tests/browser.rs`) and the browser benchmark
//! (`benches/browser_ingest.rs`, which includes these files with `#[path]`).

pub mod server;
pub mod webdriver;
