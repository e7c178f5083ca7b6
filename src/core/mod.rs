//! The pure engine. Invariant: nothing in here knows of the browser (no UI
//! framework, no web or JS bindings); it builds and tests natively with
//! `cargo test`.

pub mod backup;
pub mod bytes;
pub mod chart;
pub mod clean;
pub mod columnar;
pub mod csv;
pub mod error;
pub mod explore;
pub mod format;
pub mod frame_bytes;
pub mod fuzzing;
pub mod infer;
pub mod ingest;
pub mod json;
pub mod ml;
pub mod model;
pub mod parts;
pub mod profile;
pub mod raw;
pub mod report;
pub mod rng;
pub mod runner;
pub mod sample;
pub mod sort;
pub mod stream;
pub mod table;
pub mod warm;
pub mod workbook;

pub use error::IngestError;
pub use ingest::{read_bytes, Dataset, Ingester};
pub use model::*;
pub use profile::{profile, profile_reusing};
