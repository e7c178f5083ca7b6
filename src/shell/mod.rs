//! The browser shell: a thin Yew UI over the engine. The data lives in the
//! worker ([`worker`]); the page holds only profiles and a window of rows.

pub mod app;
pub mod bridge;
pub mod chart;
pub mod clean;
pub mod clean_grid;
pub mod columns;
pub mod controller;
pub mod explore;
pub mod format;
pub mod model;
pub mod overview;
pub mod protocol;
pub mod pwa;
pub mod sidebar;
pub mod state;
pub mod storage;
pub mod table;
pub mod tabsync;
pub mod worker;

/// Mounts the app on the page.
pub fn start() {
    yew::Renderer::<app::App>::new().render();
}
