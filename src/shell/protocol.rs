//! Messages between the page and the data worker. They cross the worker
//! boundary with bincode, so keep them to plain serde data (no untagged enums,
//! no `serde_json::Value`).

use serde::{Deserialize, Serialize};

use crate::core::{DatasetProfile, IngestError};

/// A job is one file being read: the page numbers them so late answers to an
/// old (cancelled) job can be told apart.
pub type JobId = u32;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ToWorker {
    /// Start reading a file of `size` bytes named `name`.
    Begin { job: JobId, name: String, size: u64 },
    /// The next slice of the file, in order.
    /// (`serde_bytes`: one copy, not a byte-by-byte sequence.)
    Chunk {
        job: JobId,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// All bytes sent: parse the rest, profile, and keep the data.
    Finish { job: JobId },
    /// Forget the job's partial data.
    Cancel { job: JobId },
    /// A window of the preview table of the data the worker holds.
    Rows {
        request: u32,
        offset: usize,
        limit: usize,
        sort: Option<SortKey>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortKey {
    pub column: usize,
    pub descending: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum FromWorker {
    /// A chunk was taken in; `bytes_done` bytes of the file are read so far.
    Progress { job: JobId, bytes_done: u64 },
    /// The file is read and profiled; the worker now holds its data.
    Profiled {
        job: JobId,
        profile: Box<DatasetProfile>,
        elapsed_ms: f64,
        wasm_memory: u64,
    },
    /// The file could not be read.
    Failed { job: JobId, error: IngestError },
    /// Rows of the preview, as display text.
    Rows {
        request: u32,
        offset: usize,
        total: usize,
        rows: Vec<Vec<String>>,
    },
}
