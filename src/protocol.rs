//! The messages between the page and the data worker, and their wire form.
//!
//! Invariants (ARCHITECTURE.md, "The page↔worker protocol"):
//! - Every request that reads data names the dataset it is about
//!   ([`DatasetRef`]: the stored id and the load that put it in the worker).
//!   The worker answers [`WorkerError::NotLoaded`] when it holds another one,
//!   so one client's numbers never answer a question about another's.
//! - Messages cross as CBOR ([`encode`] / [`decode`]): self-describing, so
//!   the recipe's tagged enums read back, and non-finite numbers (an R² that
//!   is NaN) cross faithfully. Decoding never panics: unreadable bytes are a
//!   [`DecodeError`] the receiver reports.
//! - Errors cross typed ([`WorkerError`]); only `crate::messages` makes
//!   sentences of them, on the page's side.
//!
//! This module is plain serde data over the core's types, so it builds
//! natively too (the fuzz target and the round-trip tests use it).

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::core::clean::auto::{Mode, Proposal};
use crate::core::clean::{CleanError, RunLog, Step};
use crate::core::explore::aggregate::ExploreError;
use crate::core::explore::alerts::AlertConfig;
use crate::core::explore::{Answer, Insights, Query};
use crate::core::ml::automl::{Board, Explanation, Setup, TrainError, WhatIf};
use crate::core::ml::prep::PrepError;
use crate::core::ml::saved::LoadError;
use crate::core::report::{ReportContents, ReportRequest};
use crate::core::workbook::SheetInfo;
use crate::core::{DatasetProfile, IngestError};

/// The build both sides were compiled from (build.rs: a hash of the
/// sources). The page and the worker exchange it first; a worker of
/// another build is not used.
pub const BUILD_ID: &str = env!("PLAINSIGHT_BUILD_ID");

/// One file being read into the worker: the page numbers them, so late
/// answers to an old (cancelled, superseded) load are told apart.
pub type LoadId = u32;

/// A request awaiting its one reply.
pub type RequestId = u32;

/// A training run: its `Training` boards carry it. Distinct from request
/// ids (a run has many answers).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RunId(pub u32);

/// The dataset a request is about: its stored id and the load that put its
/// rows into the worker.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetRef {
    pub id: String,
    pub load: LoadId,
}

/// Which fitted model a request means.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ModelRef {
    /// A model of this session's run, by name ("random_forest").
    Run(String),
    /// A saved model, by its storage key, loaded with `Ask::LoadModel`.
    Saved(String),
}

/// Faults a test can ask the worker to have (`?fault=…` on the page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Fault {
    /// Panic while computing the insights (the first time only: the page
    /// sends the fault to its first worker only).
    PanicInInsights,
    /// Trap (as a file too big for the worker's memory does: no panic, the
    /// worker just stops) while reading a file when a dataset is already
    /// held (the first time only).
    TrapReadingSecond,
    /// Take the worker's memory to be 1 byte: every dataset's file read
    /// while another is held lets the held one go first (as two 1 GB files
    /// do).
    SmallMemory,
    /// The insights' helper worker is given a task it cannot do (it says
    /// it failed, and the data worker computes the matrix itself).
    HelperFails,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ToWorker {
    /// The page's build and the faults a test asked for: the page's first
    /// message, sent once the worker's `Hello` named the same build; `warm`:
    /// warm the engine up until the first file comes (`core::warm`);
    /// `helpers`: a helper worker may compute a large dataset's Spearman
    /// matrix (`shell::helper`).
    Hello {
        build: String,
        fault: Option<Fault>,
        warm: bool,
        helpers: bool,
    },
    /// Start reading a file of `size` bytes named `name`, for `purpose`.
    Begin {
        load: LoadId,
        name: String,
        size: u64,
        purpose: Purpose,
        /// A workbook's sheet to read; None: ask ([`FromWorker::Sheets`])
        /// when several sheets hold data (a file to score: the first).
        sheet: Option<String>,
    },
    /// The next slice of the file, in order.
    Chunk {
        load: LoadId,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// All bytes sent: parse the rest, profile, and hold the data.
    Finish { load: LoadId },
    /// Read the file (a `Blob`, posted beside this message) in up to
    /// `parts` parts at once (`shell::parts`); the worker answers
    /// `Progress` and `Loaded` as for chunks, or `SendChunks` when the
    /// file is to be sent in chunks after all.
    ReadFile {
        load: LoadId,
        name: String,
        size: u64,
        purpose: Purpose,
        parts: usize,
    },
    /// Forget the load's partial data.
    Cancel { load: LoadId },
    /// A question about the dataset `about`; one `Reply` answers it.
    Ask {
        request: RequestId,
        about: DatasetRef,
        ask: Ask,
    },
    /// Build a leaderboard on `about` after `steps` (the applied recipe);
    /// answers come as `Training` boards of this run.
    Train {
        run: RunId,
        about: DatasetRef,
        setup: Setup,
        steps: Vec<Step>,
    },
    /// Stop training after the current job (the board so far is kept).
    StopTraining { run: RunId },
    /// Time the tree learners on generated data (`core::ml::speed`).
    BenchTrees { rows: usize },
}

/// What a file is read for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Purpose {
    /// To become the dataset the worker holds, stored under this id (with
    /// the load, the `DatasetRef` later requests name).
    Dataset { id: String },
    /// To be scored by a model (`Ask::Predict`); the held dataset stays.
    Score,
}

/// The questions about a dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Ask {
    /// A window of the preview table.
    Rows {
        offset: usize,
        limit: usize,
        sort: Option<SortKey>,
        #[serde(default)]
        filter: Option<RowFilter>,
    },
    /// Propose a cleaning recipe after `steps` (the applied recipe).
    Propose { mode: Mode, steps: Vec<Step> },
    /// Run a recipe on the raw data; the worker keeps the result.
    Clean { steps: Vec<Step> },
    /// The data after `steps[..index]` and after `steps[..=index]`.
    StepPreview { steps: Vec<Step>, index: usize },
    /// A window of the last recipe result, each cell beside its raw cell;
    /// with `next_change`, the window of `limit` rows (on a multiple of
    /// `limit`) holding the first changed row at or after `offset`.
    CleanRows {
        offset: usize,
        limit: usize,
        next_change: bool,
    },
    /// The cleaned data (or the recipe as SQL) as a file.
    Export { format: ExportFormat },
    /// The raw rows as Parquet with what the dataset had (its first file's
    /// facts, notes, profile and `steps`, the applied recipe); `saved`:
    /// when (ISO 8601).
    SaveDataset { steps: Vec<Step>, saved: String },
    /// The insights of the raw data under these alert thresholds.
    Alerts { config: AlertConfig },
    /// What the report shows besides the profile (`core::report::contents`);
    /// the page draws it (its charts measure text with the page's fonts).
    Report { request: Box<ReportRequest> },
    /// A chart of columns the user picked.
    Explore { query: Query },
    /// The prediction of a model for one row of text cells.
    WhatIf { model: ModelRef, cells: Vec<String> },
    /// The permutation importance and partial dependence of a model of
    /// this session's run (by name).
    Explain { model: String },
    /// A model of the run in its saved form (`core::ml::saved`).
    ExportModel { model: String },
    /// Hold a saved model (its bytes from storage) under `key`.
    LoadModel {
        key: String,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// Score a new file (read from `Begin`…`Finish` of `file`, streamed
    /// like a load) with a model: the recipe, then the model; a CSV.
    Predict {
        model: ModelRef,
        file: LoadId,
        steps: Vec<Step>,
    },
}

impl Ask {
    /// What the worker is doing while it answers (for the page's message
    /// when the worker stops).
    pub fn doing(&self) -> &'static str {
        match self {
            Ask::Rows { .. } => "reading rows for the preview",
            Ask::Propose { .. } => "proposing a cleaning recipe",
            Ask::Clean { .. } => "running the cleaning recipe",
            Ask::StepPreview { .. } => "previewing a cleaning step",
            Ask::CleanRows { .. } => "reading rows of the cleaned data",
            Ask::Export { .. } => "writing the export",
            Ask::SaveDataset { .. } => "writing the dataset as Parquet",
            Ask::Alerts { .. } => "computing the alerts and correlations",
            Ask::Report { .. } => "gathering the report",
            Ask::Explore { .. } => "drawing a chart",
            Ask::WhatIf { .. } => "answering the what-if",
            Ask::Explain { .. } => "explaining a model",
            Ask::ExportModel { .. } => "saving a model",
            Ask::LoadModel { .. } => "loading a saved model",
            Ask::Predict { .. } => "scoring a file",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportFormat {
    Csv,
    Json,
    /// The cleaned data as Parquet, with the recipe in its metadata.
    Parquet,
    /// The recipe the worker last ran, as DuckDB SQL over the raw file.
    Sql,
    /// The same as a PySpark script (reads the raw file, writes Parquet).
    PySpark,
    /// The same as polars (Python) code (reads the raw file, writes Parquet).
    Polars,
}

/// A few rows of some columns, as display text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub names: Vec<String>,
    pub rows: Vec<Vec<String>>,
    pub total_rows: usize,
}

/// A step seen from the data: the rows it changes before and after it, and
/// its part of the recipe's DuckDB SQL (or why the export refuses it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepView {
    pub before: Sample,
    pub after: Sample,
    pub sql: Result<String, crate::core::clean::CleanError>,
    /// Which rows the tables show.
    pub rows: ViewRows,
}

/// The rows a step's before/after shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ViewRows {
    /// The first rows (the step added columns, or changed nothing shown).
    First,
    /// The first of the `total` rows whose shown cells it changed.
    Changed { total: usize },
    /// The first of the `total` rows it removed (`after` is empty).
    Removed { total: usize },
}

/// Only the rows whose cell in `column` reads `value` (display text; empty:
/// missing), e.g. from a click on a bar.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RowFilter {
    pub column: usize,
    pub value: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SortKey {
    pub column: usize,
    pub descending: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromWorker {
    /// The worker's build: its first message, sent as soon as it runs.
    Hello { build: String },
    /// A chunk was taken in; `bytes_done` bytes of the file are read.
    Progress { load: LoadId, bytes_done: u64 },
    /// The file is read; a dataset is profiled and now held (a file to
    /// score has no profile: it is kept for the `Predict` that follows).
    Loaded {
        load: LoadId,
        profile: Option<Box<DatasetProfile>>,
        elapsed_ms: f64,
        /// Of it, reading the file into typed columns (before the profile).
        read_ms: f64,
        /// The parts it was read in at once (1: whole, in chunks).
        parts: usize,
        wasm_memory: u64,
        /// The worker's wasm memory (bytes) after each step of the load
        /// that may grow it, in order (for the benchmarks: which step
        /// sets the peak).
        memory_marks: Vec<(String, u64)>,
    },
    /// The file could not be read.
    LoadFailed { load: LoadId, error: IngestError },
    /// The file of a `ReadFile` is not read in parts (not a delimited text
    /// in UTF-8, or a part failed): send it with `Begin` and chunks.
    SendChunks { load: LoadId },
    /// The held dataset was let go before `load` was read, to leave the
    /// read its memory (`core::ingest::reads_beside`): nothing is answered
    /// about it until it is read again.
    Released { load: LoadId, about: DatasetRef },
    /// The file is a workbook with several sheets of data and none was
    /// named: the load ends here, and the page asks which one.
    Sheets {
        load: LoadId,
        sheets: Vec<SheetInfo>,
    },
    /// The answer to one `Ask`.
    Reply {
        request: RequestId,
        reply: Result<Reply, WorkerError>,
    },
    /// Training progress: the board so far.
    Training { run: RunId, board: Box<Board> },
    /// Training could not start.
    TrainFailed { run: RunId, error: WorkerError },
    /// The timing, or the learner's error (its terse `Display`: `MlError`
    /// borrows static names, so it does not cross as data).
    BenchTrees {
        timing: Result<crate::core::ml::speed::Timing, String>,
    },
    /// The engine's warm-up (`core::warm`) ran to its end, in `ms`, its
    /// longest step `longest_ms` (a message waited that long at most),
    /// with the messages a file of its generated text would get
    /// ([`warm_samples`]): the page decodes them, to warm its side up.
    Warmed {
        ms: f64,
        longest_ms: f64,
        samples: Vec<serde_bytes::ByteBuf>,
    },
    /// The worker is stopping because of a bug (its panic message); the
    /// page restarts it.
    Crashed { message: String },
    /// A message from the page could not be read (another build?).
    Unreadable { reason: String },
}

/// The answers to `Ask`s, in the same order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Reply {
    Rows {
        offset: usize,
        total: usize,
        rows: Vec<Vec<String>>,
    },
    Proposed(Vec<Proposal>),
    /// A recipe ran: its log, the cleaned data's profile and first rows.
    Cleaned {
        log: RunLog,
        profile: Box<DatasetProfile>,
        elapsed_ms: f64,
        wasm_memory: u64,
    },
    StepPreview(Box<StepView>),
    /// Rows `offset..` of the cleaned data (`total` rows in all).
    CleanRows {
        offset: usize,
        total: usize,
        rows: Vec<Vec<crate::core::clean::diff::Cell>>,
        /// The changed row sought (`next_change`); None when there is
        /// none, and then `rows` is empty.
        found: Option<usize>,
    },
    Exported(#[serde(with = "serde_bytes")] Vec<u8>),
    /// The insights, the worker's wasm memory once they were computed (it
    /// only grows, so this is its peak so far), and whether a helper
    /// worker computed their Spearman matrix (`shell::helper`).
    Insights(Box<Insights>, u64, bool),
    Report(Box<ReportContents>),
    Explored(Box<Answer>),
    WhatIf(WhatIf),
    /// A model's explanation (`Ask::Explain`), with its name.
    Explained {
        model: String,
        explanation: Explanation,
    },
    ModelBytes(#[serde(with = "serde_bytes")] Vec<u8>),
    ModelLoaded,
    /// A scored file as CSV: the new file's columns and the predictions.
    Predicted {
        rows: usize,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
}

/// Why the worker could not answer, typed; `messages::worker_error` says
/// it in a sentence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum WorkerError {
    /// The worker holds another dataset (or none): the one asked about is
    /// still loading, or another was opened since.
    NotLoaded {
        wanted: DatasetRef,
        holds: Option<DatasetRef>,
    },
    /// A file to score could not be read.
    Ingest {
        file: String,
        error: IngestError,
    },
    /// The recipe could not run.
    Clean(CleanError),
    /// The recipe a model learnt after cannot run on a new file.
    RecipeOnNewFile {
        file: String,
        error: CleanError,
    },
    /// No cleaned data to export yet.
    NotCleaned,
    Explore(ExploreError),
    Train(TrainError),
    /// The data cannot be turned into the model's input.
    Prep(PrepError),
    /// Stored model bytes cannot be used.
    ModelLoad(LoadError),
    /// The model is not trained in this session (yet, or any more).
    NotTrained {
        model: String,
    },
    /// The saved model asked for is not the one held (another was loaded).
    SavedNotLoaded,
    /// The file to score named in `Predict` is not the one the worker read.
    NoFileToScore,
    /// Writing an export failed.
    Write {
        message: String,
    },
}

/// Why bytes are not a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError(pub String);

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "unreadable message: {}", self.0)
    }
}

impl std::error::Error for DecodeError {}

/// The messages from the worker a file of `profile` and `insights` gets
/// (its profile, its insights, a window of rows), encoded: the page
/// decodes them once before the first file (`FromWorker::Warmed`).
///
/// Why: Chromium compiles a wasm function at its first call, on the
/// thread that calls it. The decoder of a profile is one large function
/// (serde's code for every field, inlined): decoding the first file's
/// profile took 40–55 ms of the page's thread, most of it compiling, in
/// the frame the profile is shown in (BENCHMARKS.md, goal 9).
pub fn warm_samples(profile: DatasetProfile, insights: Insights) -> Vec<serde_bytes::ByteBuf> {
    let rows = vec![profile
        .column_profiles
        .iter()
        .map(|c| c.top.first().map(|(v, _)| v.clone()).unwrap_or_default())
        .collect()];
    let messages = [
        FromWorker::Loaded {
            load: 0,
            profile: Some(Box::new(profile)),
            elapsed_ms: 0.0,
            read_ms: 0.0,
            parts: 1,
            wasm_memory: 0,
            memory_marks: vec![("read".to_string(), 0)],
        },
        FromWorker::Reply {
            request: 0,
            reply: Ok(Reply::Insights(Box::new(insights), 0, false)),
        },
        FromWorker::Reply {
            request: 0,
            reply: Ok(Reply::Rows {
                offset: 0,
                total: 1,
                rows,
            }),
        },
    ];
    messages
        .iter()
        .filter_map(|m| encode(m).ok())
        .map(serde_bytes::ByteBuf::from)
        .collect()
}

/// A message as bytes (CBOR).
pub fn encode<T: Serialize>(msg: &T) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    ciborium::into_writer(msg, &mut out).map_err(|e| DecodeError(e.to_string()))?;
    Ok(out)
}

/// Bytes as a message; any bytes give a message or a `DecodeError`.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    ciborium::from_reader(bytes).map_err(|e| DecodeError(e.to_string()))
}

/// The data worker to a part worker (`shell::parts`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum ToPart {
    /// Read part `index` of `plan`'s file (a `Blob` posted beside), from
    /// `start` when it is known (read again), else from the first record
    /// after its range's first line break.
    Read {
        plan: crate::core::parts::Plan,
        index: usize,
        start: Option<u64>,
    },
    /// Convert the cells read with the whole file's decisions; the table
    /// comes back beside `Converted` as the bytes (`core::frame_bytes`) of
    /// its `sections`, an array each (`core::parts::sections_of`: the
    /// columns of each share of the profile).
    Convert {
        typing: Box<crate::core::parts::Typing>,
        sections: Vec<Vec<usize>>,
    },
    /// Profile the columns `columns` (their indices in the dataset), posted
    /// beside as every part's table of those columns (an array each, in the
    /// parts' order), whose types and date formats these are
    /// (`core::profile::column_profile`).
    Profile {
        facts: Box<crate::core::FileFacts>,
        columns: Vec<usize>,
        types: Vec<crate::core::ColumnType>,
        date_formats: Vec<Option<String>>,
    },
    /// Compute the Spearman matrix (`core::explore::correlate::
    /// spearman_matrix`) of `columns` numeric columns of `rows` rows each,
    /// posted beside as one run of `f64` (column after column, NaN where
    /// missing). Sent to a helper worker started for it while the data
    /// worker computes the rest of the insights.
    Spearman { rows: usize, columns: usize },
}

impl ToPart {
    /// The task of profiling the columns `share` of the table `typing`
    /// types (their sections of every part go beside it); None when a
    /// column is not there.
    pub fn profile_share(typing: &crate::core::parts::Typing, share: &[usize]) -> Option<ToPart> {
        let decided = &typing.decided;
        Some(ToPart::Profile {
            facts: Box::new(typing.facts.clone()),
            columns: share.to_vec(),
            types: share
                .iter()
                .map(|&i| decided.kinds.get(i).map(|k| k.column_type()))
                .collect::<Option<_>>()?,
            date_formats: share
                .iter()
                .map(|&i| decided.date_formats.get(i).cloned())
                .collect::<Option<_>>()?,
        })
    }

    /// A `Profile` task done where it was sent: its columns read from
    /// every part's table of them (`frame_bytes`, in the parts' order;
    /// let go once read), each profiled. The part worker's work, and the
    /// tests' of it.
    pub fn profiled<I: crate::core::frame_bytes::Input>(
        self,
        mut parts: Vec<I>,
    ) -> Result<FromPart, String> {
        let ToPart::Profile {
            facts,
            columns,
            types,
            date_formats,
        } = self
        else {
            return Err("the part worker was sent another task than a profile".into());
        };
        let frame = crate::core::frame_bytes::read_parts(&mut parts)?;
        drop(parts);
        let n = columns.len();
        if frame.width() != n || types.len() != n || date_formats.len() != n {
            return Err("the columns to profile do not match their types".into());
        }
        let ds = crate::core::Dataset {
            facts: *facts,
            frame,
            types,
            date_formats,
            notes: Vec::new(),
        };
        let profiles = columns
            .iter()
            .enumerate()
            .map(|(k, &index)| (index, crate::core::profile::column_profile(&ds, k)))
            .collect();
        Ok(FromPart::Profiled { profiles })
    }
}

/// A part worker to the data worker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum FromPart {
    /// The part worker runs.
    Ready,
    /// `bytes` of the part's range are read.
    Progress { index: usize, bytes: u64 },
    /// The part is read.
    Read {
        summary: Box<crate::core::parts::PartSummary>,
    },
    /// The part's table, posted beside as the bytes of its sections (an
    /// array each).
    Converted { index: usize },
    /// The profiles of the columns asked for (by index in the dataset).
    Profiled {
        profiles: Vec<(usize, Option<crate::core::ColumnProfile>)>,
    },
    /// The Spearman matrix asked for (`columns × columns`).
    Spearman { matrix: Vec<Vec<Option<f64>>> },
    /// The part could not be read or converted (the file is then read
    /// whole, which says where when the file itself is at fault).
    Failed { reason: String },
}

/// A message from the page, from bytes.
pub fn decode_to_worker(bytes: &[u8]) -> Result<ToWorker, DecodeError> {
    decode(bytes)
}

/// A message from the worker, from bytes.
pub fn decode_from_worker(bytes: &[u8]) -> Result<FromWorker, DecodeError> {
    decode(bytes)
}

/// The fuzz harness of the messages (`fuzz/fuzz_targets/protocol.rs`, and
/// `tests/fuzz_replay.rs` on stable): any bytes decode as a message to the
/// worker and as one from it, or fail with a `DecodeError`, never a panic;
/// a message that decodes writes back to bytes that read as the same
/// message (compared as bytes, since NaN is not equal to itself). Returns
/// whether the bytes were a message either way.
pub fn fuzz_messages(bytes: &[u8]) -> bool {
    fn stable<T: Serialize>(msg: &T, decode: fn(&[u8]) -> Result<T, DecodeError>) {
        let once = encode(msg).expect("a message that was read can be written");
        let back = decode(&once).expect("a written message reads back");
        let twice = encode(&back).expect("and writes again");
        assert_eq!(once, twice, "a message changed on its way back");
    }
    let to = decode_to_worker(bytes).map(|m| stable(&m, decode_to_worker));
    let from = decode_from_worker(bytes).map(|m| stable(&m, decode_from_worker));
    to.is_ok() || from.is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::fuzzing::assert_same_dataset;
    use crate::core::parts::tests::delimited_fixtures;
    use crate::core::parts::{
        assemble, join_sections, profile_shares, read_part, sections_of, Assembly, Cut, Next, Part,
        PartReader, PartSummary, Plan,
    };
    use crate::core::profile::{duplicate_rows, profile, put_together};
    use crate::core::{frame_bytes, read_bytes, Dataset};

    /// Through its bytes, as a message crosses between workers.
    fn crossed<T: Serialize + DeserializeOwned>(msg: &T) -> T {
        decode(&encode(msg).expect("written")).expect("read back")
    }

    /// The browser's read in parts (`shell::parts`), message by message:
    /// each message through its bytes, each part's table through
    /// `frame_bytes`. None when the file is read whole.
    fn through_messages(
        name: &str,
        bytes: &[u8],
        parts: usize,
    ) -> Option<Result<Dataset, IngestError>> {
        let cut = Cut {
            parts,
            min_part_bytes: 1,
        };
        let plan = Plan::new(name, bytes, bytes.len() as u64, cut)?;
        let read = |index: usize, start: Option<u64>| -> (Part, PartSummary) {
            let sent = ToPart::Read {
                plan: plan.clone(),
                index,
                start,
            };
            let ToPart::Read { plan, index, start } = crossed(&sent) else {
                panic!("a read became another message")
            };
            let reader = match start {
                Some(start) => PartReader::starting_at(&plan, index, start),
                None => PartReader::new(&plan, index),
            };
            let part = read_part(bytes, reader).expect("read from memory");
            let said = FromPart::Read {
                summary: Box::new(part.summary.clone()),
            };
            let FromPart::Read { summary } = crossed(&said) else {
                panic!("a summary became another message")
            };
            (part, *summary)
        };
        let mut assembly = Assembly::new(plan.clone());
        let mut held: Vec<Option<Part>> = Vec::new();
        let mut next = Next::Wait;
        for index in 0..plan.ranges.len() {
            let (part, summary) = read(index, None);
            held.push(Some(part));
            next = match assembly.add(summary) {
                Ok(next) => next,
                Err(e) => return Some(Err(e)),
            };
        }
        loop {
            match next {
                Next::Redo { index, start } => {
                    let (part, summary) = read(index, Some(start));
                    held[index] = Some(part);
                    next = match assembly.add(summary) {
                        Ok(next) => next,
                        Err(e) => return Some(Err(e)),
                    };
                }
                Next::Whole => return None,
                Next::Wait => panic!("a part was not read"),
                Next::Convert(typing) => {
                    let shares: Vec<Vec<usize>> = profile_shares(&typing.costs, typing.parts.len())
                        .into_iter()
                        .filter(|s| !s.is_empty())
                        .collect();
                    let ToPart::Convert {
                        typing: sent,
                        sections,
                    } = crossed(&ToPart::Convert {
                        typing,
                        sections: shares.clone(),
                    })
                    else {
                        panic!("a conversion became another message")
                    };
                    // Each part's table: its sections' bytes.
                    let mut tables: Vec<Vec<Vec<u8>>> = Vec::new();
                    for &i in &sent.parts {
                        let part = held[i].take().expect("each part converted once");
                        let frame = match part.convert(&sent) {
                            Ok(t) => t,
                            Err(e) => return Some(Err(e)),
                        };
                        let table = sections_of(&frame, &sections)
                            .expect("sections")
                            .iter()
                            .map(|section| frame_bytes::to_bytes(section).expect("written"))
                            .collect();
                        let said = FromPart::Converted { index: i };
                        assert_eq!(crossed(&said), said);
                        tables.push(table);
                    }
                    // Every section read from every part, then joined.
                    let frames = (0..sections.len())
                        .map(|k| {
                            let mut inputs: Vec<&[u8]> =
                                tables.iter().map(|t| t[k].as_slice()).collect();
                            frame_bytes::read_parts(&mut inputs).expect("read back")
                        })
                        .collect();
                    // Each section profiled where it is sent: the task as a
                    // message, every part's bytes of its columns beside.
                    let mut columns = vec![None; sent.decided.kinds.len()];
                    for (k, share) in sections.iter().enumerate() {
                        let task = ToPart::profile_share(&sent, share).expect("a share's task");
                        let inputs: Vec<&[u8]> = tables.iter().map(|t| t[k].as_slice()).collect();
                        let said = crossed(&task).profiled(inputs).expect("profiled");
                        let FromPart::Profiled { profiles } = crossed(&said) else {
                            panic!("profiles became another message")
                        };
                        for (i, p) in profiles {
                            columns[i] = p;
                        }
                    }
                    let frame =
                        join_sections(sent.decided.kinds.len(), &sections, frames).expect("joined");
                    let read = assemble(*sent, vec![frame]);
                    if let Ok(ds) = &read {
                        let shared = put_together(ds, columns, duplicate_rows(ds));
                        assert_eq!(
                            encode(&shared).expect("written"),
                            encode(&profile(ds)).expect("written"),
                            "{name}: the profile of the parts' sections differs"
                        );
                    }
                    return Some(read);
                }
            }
        }
    }

    /// The profile the part workers help make (`shell::parts`): the
    /// columns shared out, each share crossing as a message and two parts'
    /// tables of its columns (the rows cut in two), profiled there; put
    /// together with the duplicate rows, it is the profile of the whole
    /// dataset (compared as bytes: NaN ≠ NaN).
    #[test]
    fn a_profile_shared_out_is_the_whole_profile() {
        let mut profiled = 0;
        for path in delimited_fixtures() {
            let bytes = std::fs::read(&path).expect("fixture");
            let name = path.file_name().and_then(|n| n.to_str()).expect("name");
            let Ok(ds) = read_bytes(name, &bytes) else {
                continue;
            };
            let width = ds.width();
            let mut columns = vec![None; width];
            for share in [
                (0..width).filter(|i| i % 2 == 0).collect::<Vec<_>>(),
                (0..width).filter(|i| i % 2 == 1).collect(),
            ] {
                if share.is_empty() {
                    continue;
                }
                let sub = share
                    .iter()
                    .map(|&i| ds.frame.columns()[i].clone())
                    .collect();
                let sub = polars_core::prelude::DataFrame::new(ds.height(), sub).expect("columns");
                let half = ds.height() / 2;
                let tables: Vec<Vec<u8>> = [
                    sub.slice(0, half),
                    sub.slice(half as i64, ds.height() - half),
                ]
                .iter()
                .map(|part| frame_bytes::to_bytes(part).expect("written"))
                .collect();
                let sent = ToPart::Profile {
                    facts: Box::new(ds.facts.clone()),
                    columns: share.clone(),
                    types: share.iter().map(|&i| ds.types[i]).collect(),
                    date_formats: share.iter().map(|&i| ds.date_formats[i].clone()).collect(),
                };
                let parts: Vec<&[u8]> = tables.iter().map(Vec::as_slice).collect();
                let said = crossed(&sent).profiled(parts).expect("profiled");
                let FromPart::Profiled { profiles } = crossed(&said) else {
                    panic!("profiles became another message")
                };
                for (i, p) in profiles {
                    columns[i] = p;
                }
            }
            let shared = put_together(&ds, columns, duplicate_rows(&ds));
            assert_eq!(
                encode(&shared).expect("written"),
                encode(&profile(&ds)).expect("written"),
                "{name}: the profile shared out differs"
            );
            profiled += 1;
        }
        assert!(profiled >= 50, "{profiled} fixtures profiled");
    }

    /// A profile task refuses columns that are not the ones it names (the
    /// data worker sent the wrong sections): an error, not profiles of
    /// other columns under their names.
    #[test]
    fn a_profile_task_refuses_other_columns() {
        let ds = read_bytes("t.csv", b"a,b\n1,x\n2,y\n").expect("read");
        let table = frame_bytes::to_bytes(&ds.frame).expect("written");
        let task = |columns: Vec<usize>| ToPart::Profile {
            facts: Box::new(ds.facts.clone()),
            types: columns.iter().map(|&i| ds.types[i]).collect(),
            date_formats: columns.iter().map(|_| None).collect(),
            columns,
        };
        let wrong = task(vec![1]).profiled(vec![table.as_slice()]);
        assert!(
            wrong.is_err_and(|e| e.contains("do not match")),
            "two columns profiled as one"
        );
        let Ok(FromPart::Profiled { profiles }) = task(vec![0, 1]).profiled(vec![table.as_slice()])
        else {
            panic!("the columns it names are profiled")
        };
        let indexes: Vec<usize> = profiles.iter().map(|(i, _)| *i).collect();
        assert_eq!(indexes, [0, 1]);
        assert!(profiles.iter().all(|(_, p)| p.is_some()));
        let other = ToPart::Spearman {
            rows: 0,
            columns: 0,
        };
        assert!(other.profiled(Vec::<&[u8]>::new()).is_err());
    }

    /// The insights with their Spearman matrix handed out to a helper
    /// worker (`shell::worker`): the columns' numbers as the bytes of one
    /// run of `f64`, the task and the answer crossing as messages, are the
    /// insights computed in one place, on every delimited fixture.
    #[test]
    fn a_spearman_matrix_handed_out_gives_the_same_insights() {
        use crate::core::explore::alerts::AlertConfig;
        use crate::core::explore::correlate::{numbers_of, spearman_matrix};
        use crate::core::explore::{insights, InsightsRun};
        let mut handed = 0;
        for path in delimited_fixtures() {
            let bytes = std::fs::read(&path).expect("fixture");
            let name = path.file_name().and_then(|n| n.to_str()).expect("name");
            let Ok(ds) = read_bytes(name, &bytes) else {
                continue;
            };
            let profile = crate::core::profile(&ds);
            let config = AlertConfig::default();
            let mut run = InsightsRun::new(None, config);
            let Some(columns) = run.hand_out_spearman(&ds, 0, usize::MAX) else {
                continue;
            };
            let rows = ds.height();
            let run_of_f64: Vec<u8> = columns
                .iter()
                .flat_map(|&i| numbers_of(&ds, i))
                .flat_map(f64::to_le_bytes)
                .collect();
            let ToPart::Spearman { rows, columns: n } = crossed(&ToPart::Spearman {
                rows,
                columns: columns.len(),
            }) else {
                panic!("a task became another message")
            };
            assert_eq!(run_of_f64.len(), rows * n * 8);
            let numbers = |k: usize| {
                run_of_f64[k * rows * 8..(k + 1) * rows * 8]
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect()
            };
            let said = FromPart::Spearman {
                matrix: spearman_matrix(n, numbers),
            };
            let FromPart::Spearman { matrix } = crossed(&said) else {
                panic!("a matrix became another message")
            };
            while !run.waiting() {
                assert!(run.step(&ds, &profile).is_none(), "{name}: done without it");
            }
            assert!(run.spearman_in(matrix), "{name}: the matrix was refused");
            assert_eq!(
                encode(&run.run(&ds, &profile)).expect("written"),
                encode(&insights(&ds, &profile, &config)).expect("written"),
                "{name}: the insights differ"
            );
            handed += 1;
        }
        assert!(handed >= 20, "{handed} fixtures handed out");
    }

    /// Every delimited fixture read in parts through the messages the
    /// part workers exchange reads as it reads whole.
    #[test]
    fn parts_through_messages_read_as_whole() {
        let mut read = 0;
        for path in delimited_fixtures() {
            let bytes = std::fs::read(&path).expect("fixture");
            let name = path.file_name().and_then(|n| n.to_str()).expect("name");
            for parts in [2, 3, 5] {
                let Some(parted) = through_messages(name, &bytes, parts) else {
                    continue;
                };
                read += 1;
                match (read_bytes(name, &bytes), parted) {
                    (Ok(whole), Ok(parted)) => assert_same_dataset(&whole, &parted),
                    (Err(a), Err(b)) => assert_eq!(a, b, "{name} in {parts} parts"),
                    (a, b) => panic!(
                        "{name} in {parts} parts: whole {:?}, parted {:?}",
                        a.is_ok(),
                        b.is_ok()
                    ),
                }
            }
        }
        assert!(read >= 150, "{read} fixtures read in parts");
    }
}
