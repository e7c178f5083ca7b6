//! Messages between the page and the data worker. They cross the worker
//! boundary with bincode, so keep them to plain serde data (no untagged enums,
//! no `serde_json::Value`).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::core::clean::auto::{Mode, Proposal};
use crate::core::clean::{CleanError, RunLog, Step};
use crate::core::explore::aggregate::ExploreError;
use crate::core::explore::alerts::AlertConfig;
use crate::core::explore::{Answer, Insights, Query};
use crate::core::ml::automl::{Board, Setup, TrainError, WhatIf};
use crate::core::{DatasetProfile, IngestError};

/// A value carried as JSON text inside a message: the recipe types use
/// internally tagged enums (`{"op": ...}`), which bincode cannot read.
#[derive(Clone, Debug, PartialEq)]
pub struct Json<T>(pub T);

impl<T: Serialize> Serialize for Json<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(&self.0).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Json<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        serde_json::from_str(&text)
            .map(Json)
            .map_err(serde::de::Error::custom)
    }
}

/// A job is one file being read: the page numbers them so late answers to an
/// old (cancelled) job can be told apart.
pub type JobId = u32;

/// Which fitted model a request means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ModelRef {
    /// A model of this session's run, by name ("random_forest").
    Run(String),
    /// A saved model, by its storage key, loaded with `LoadModel`.
    Saved(String),
}

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
    /// Propose a cleaning recipe for the raw data (after `steps`, the recipe
    /// already applied).
    Propose {
        request: u32,
        mode: Mode,
        steps: Json<Vec<Step>>,
    },
    /// Run a recipe on the raw data; the worker keeps the result.
    Clean {
        request: u32,
        steps: Json<Vec<Step>>,
    },
    /// The rows around one step: the data after `steps[..index]` and after
    /// `steps[..=index]`.
    StepPreview {
        request: u32,
        steps: Json<Vec<Step>>,
        index: usize,
    },
    /// The cleaned data (or the recipe as SQL) as a file.
    Export { request: u32, format: ExportFormat },
    /// The quality alerts of the raw data (with the correlations, box
    /// plots and missing matrix they come with), under these thresholds.
    Alerts {
        request: u32,
        config: Json<AlertConfig>,
    },
    /// A chart of columns the user picked.
    Explore { request: u32, query: Json<Query> },
    /// Build a leaderboard on the data after `steps` (the applied recipe);
    /// answers come as `Training` messages of this `run`, then `Trained`.
    Train {
        run: u32,
        setup: Json<Setup>,
        steps: Json<Vec<Step>>,
    },
    /// Stop training after the current job (the board so far is kept).
    StopTraining { run: u32 },
    /// The prediction of a trained model for one row of text cells.
    WhatIf {
        request: u32,
        model: ModelRef,
        cells: Vec<String>,
    },
    /// A model of the run in its saved form (`core::ml::saved`): answers
    /// `ModelBytes` or `MlFailed`.
    ExportModel { request: u32, model: String },
    /// Hold a saved model (its bytes from storage) under `key` for
    /// `ModelRef::Saved(key)`: answers `ModelLoaded` or `MlFailed`.
    LoadModel {
        request: u32,
        key: String,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// Time the tree learners on the generated benchmark data
    /// (`core::ml::speed`, `rows` rows): answers `BenchTrees`.
    BenchTrees { request: u32, rows: usize },
    /// Score a new file (whole bytes) with a trained model: the recipe,
    /// then the model; answers `Predicted` (a CSV) or `MlFailed`.
    Predict {
        request: u32,
        model: ModelRef,
        name: String,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        steps: Json<Vec<Step>>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    Csv,
    Json,
    /// The recipe the worker last ran, as DuckDB SQL over the raw file.
    Sql,
}

/// A few rows of some columns, as display text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub names: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total_rows: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortKey {
    pub column: usize,
    pub descending: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum FromWorker {
    /// A chunk was taken in; `bytes_done` bytes of the file are read so far.
    Progress {
        job: JobId,
        bytes_done: u64,
    },
    /// The file is read and profiled; the worker now holds its data.
    Profiled {
        job: JobId,
        profile: Box<DatasetProfile>,
        elapsed_ms: f64,
        wasm_memory: u64,
    },
    /// The file could not be read.
    Failed {
        job: JobId,
        error: IngestError,
    },
    /// Rows of the preview, as display text.
    Rows {
        request: u32,
        offset: usize,
        total: usize,
        rows: Vec<Vec<String>>,
    },
    Proposed {
        request: u32,
        proposals: Json<Vec<Proposal>>,
    },
    /// A recipe ran: its log, the cleaned data's profile and first rows.
    Cleaned {
        request: u32,
        log: Json<RunLog>,
        profile: Box<DatasetProfile>,
        sample: Sample,
        elapsed_ms: f64,
        wasm_memory: u64,
    },
    StepPreview {
        request: u32,
        before: Sample,
        after: Sample,
    },
    Exported {
        request: u32,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    Alerts {
        request: u32,
        insights: Json<Insights>,
    },
    Explored {
        request: u32,
        answer: Json<Answer>,
    },
    /// An explore query could not be answered.
    ExploreFailed {
        request: u32,
        error: Json<ExploreError>,
    },
    /// Training progress: the board so far.
    Training {
        run: u32,
        board: Json<Board>,
    },
    /// Training could not start.
    TrainFailed {
        run: u32,
        error: Json<TrainError>,
    },
    WhatIf {
        request: u32,
        answer: Json<WhatIf>,
    },
    /// A scored file as CSV: the new file's columns and the predictions.
    Predicted {
        request: u32,
        rows: usize,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    BenchTrees {
        request: u32,
        timing: Json<crate::core::ml::speed::Timing>,
    },
    /// A model in its saved form.
    ModelBytes {
        request: u32,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// A saved model is held and answers `ModelRef::Saved` requests.
    ModelLoaded {
        request: u32,
    },
    /// A model request could not be served: what, in a sentence.
    MlFailed {
        request: u32,
        message: String,
    },
    /// A cleaning request could not run.
    CleanFailed {
        request: u32,
        error: Json<CleanError>,
    },
    /// The worker does not hold the data the request needs.
    NoData {
        request: u32,
    },
}

impl FromWorker {
    /// The request a cleaning answer belongs to.
    pub fn request(&self) -> Option<u32> {
        match self {
            FromWorker::Proposed { request, .. }
            | FromWorker::Cleaned { request, .. }
            | FromWorker::StepPreview { request, .. }
            | FromWorker::Exported { request, .. }
            | FromWorker::Alerts { request, .. }
            | FromWorker::Explored { request, .. }
            | FromWorker::ExploreFailed { request, .. }
            | FromWorker::CleanFailed { request, .. }
            | FromWorker::WhatIf { request, .. }
            | FromWorker::Predicted { request, .. }
            | FromWorker::MlFailed { request, .. }
            | FromWorker::BenchTrees { request, .. }
            | FromWorker::ModelBytes { request, .. }
            | FromWorker::ModelLoaded { request }
            | FromWorker::NoData { request } => Some(*request),
            _ => None,
        }
    }
}
