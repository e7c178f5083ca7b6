//! Plainsight: a private, in-browser data-analytics app.
//!
//! - [`core`]: the pure engine (ingest, types, profile, table views, sample data).
//!   It knows nothing of the browser and builds and tests natively.
//! - [`messages`]: typed engine errors turned into sentences for people.
//! - [`protocol`]: the page↔worker messages and their wire form (CBOR).
//! - `shell` (wasm32 only): the Yew UI, the Web Worker and the IndexedDB storage.

pub mod core;
pub mod messages;
pub mod protocol;

#[cfg(target_arch = "wasm32")]
pub mod shell;
