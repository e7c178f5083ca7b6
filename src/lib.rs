//! Plainsight: a private, in-browser data-analytics app.
//!
//! - [`core`]: the pure engine (ingest, types, profile, table views, sample data).
//!   It knows nothing of the browser and builds and tests natively.
//! - [`messages`]: typed engine errors turned into sentences for people.
//! - `shell` (wasm32 only): the Yew UI, the Web Worker and the IndexedDB storage.

pub mod core;
pub mod messages;

#[cfg(target_arch = "wasm32")]
pub mod shell;
