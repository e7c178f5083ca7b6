//! The data worker: holds the dataset the page shows and does the heavy
//! work (parse, profile, clean, explore, train) off the page's thread.
//!
//! It answers only about the dataset it holds: every `Ask` names a
//! `DatasetRef`, and a mismatch is `WorkerError::NotLoaded`. Messages
//! arrive and leave as CBOR bytes (`crate::protocol`); bytes it cannot read
//! are answered with `Unreadable`, and a panic is reported as `Crashed`
//! before the worker stops, so the page can restart it.
//!
//! Long work runs a part per task (setTimeout 0), so messages that arrive
//! meanwhile are handled between parts: a leaderboard a model at a time,
//! the insights a part at a time (`InsightsRun`), paused while a file is
//! read so that a new file does not wait for the last one's insights; on
//! a large dataset a helper worker computes their Spearman matrix
//! meanwhile (`shell::helper`).

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::clean::apply::apply;
use crate::core::clean::auto::propose;
use crate::core::clean::diff::{self, compare};
use crate::core::clean::export::{write_csv, write_json};
use crate::core::clean::recipe::{run, run_traced, Lineage};
use crate::core::clean::sql::{last_step_sql, Target};
use crate::core::clean::{CleanError, RunLog, Step};
use crate::core::explore::alerts::AlertConfig;
use crate::core::explore::{answer, insights_reusing, Insights, InsightsRun};
use crate::core::ml::automl::{Prepared, Run};
use crate::core::ml::models::ModelKind;
use crate::core::ml::saved::{SavedModel, Scorer};
use crate::core::ml::score::{score, ScoreError};
use crate::core::report::contents;
use crate::core::table::ColumnData;
use crate::core::warm::Warmup;
use crate::core::workbook::{Opened, SheetChoice};
use crate::core::{self, Dataset, DatasetProfile, IngestError, Ingester};
use crate::protocol::{
    decode_to_worker, encode, warm_samples, Ask, DatasetRef, ExportFormat, Fault, FromWorker,
    LoadId, ModelRef, Purpose, Reply, RequestId, RowFilter, RunId, Sample, SortKey, StepView,
    ToWorker, ViewRows, WorkerError, BUILD_ID,
};
use crate::shell::bridge::{unwire, wire};
use crate::shell::helper::{self, Said, SpearmanHelper};
use crate::shell::parts::{start_part, Deliver, Heard, PartsRead, PartsStep, ReadDone, PART_ROLE};

/// The file being read.
struct Reading {
    load: LoadId,
    name: String,
    purpose: Purpose,
    how: How,
    started: f64,
}

/// How a file is read: sent in chunks, or read in parts by part workers.
enum How {
    Chunks(Ingester),
    Parts(Box<PartsRead>),
}

/// The dataset the worker holds, with what it computed about it.
struct Held {
    about: DatasetRef,
    raw: Dataset,
    profile: DatasetProfile,
    /// Sort order cached for the preview.
    order: Option<(RowsKey, Vec<u32>)>,
    /// The last recipe run, and its result.
    cleaned: Option<Cleaned>,
    /// Alerts follow the thresholds asked for; the rest is computed once.
    insights: Option<Insights>,
    /// Their Spearman matrix came from the helper worker.
    insights_helped: bool,
}

impl Held {
    /// The memory its tables take (the raw and the cleaned data, and the
    /// preview's order).
    fn memory_bytes(&self) -> u64 {
        let cleaned = self.cleaned.as_ref().map_or(0, |c| c.data.memory_bytes());
        let order = self.order.as_ref().map_or(0, |(_, o)| 4 * o.len() as u64);
        self.raw.memory_bytes() + cleaned + order
    }
}

/// What the preview's rows are cut by: a sort and a filter.
type RowsKey = (Option<SortKey>, Option<RowFilter>);

/// A recipe the worker ran on the held data: its steps, log and result.
struct Cleaned {
    steps: Vec<Step>,
    log: RunLog,
    data: Dataset,
    /// Where each cell of `data` came from in the raw data.
    lineage: Lineage,
}

/// The leaderboard being built or last built, on which dataset.
struct Training {
    run: RunId,
    about: DatasetRef,
    board: Run,
    stop: bool,
}

/// The insights being computed for the held dataset, and the requests
/// waiting for them.
struct InsightsJob {
    about: DatasetRef,
    requests: Vec<RequestId>,
    run: InsightsRun,
    /// The Spearman matrix came from the helper.
    helped: bool,
}

#[derive(Default)]
pub struct DataWorker {
    reading: Option<Reading>,
    insights: Option<InsightsJob>,
    /// A task to run the insights' next part is scheduled.
    insights_scheduled: bool,
    held: Option<Held>,
    training: Option<Training>,
    /// A saved model loaded from storage, under its key.
    saved: Option<(String, SavedModel)>,
    /// A file read to be scored: its load and data.
    to_score: Option<(LoadId, String, Dataset)>,
    fault: Option<Fault>,
    /// The page asked for no helper worker (`?helpers=off`).
    no_helpers: bool,
    /// The insights' helper worker, started early or computing a
    /// dataset's Spearman matrix (`shell::helper`).
    helper: Option<SpearmanHelper>,
    /// The engine's warm-up (`core::warm`), until it is done or a file
    /// comes, with when it started and its longest step, ms.
    warmup: Option<(Warmup, f64, f64)>,
}

thread_local! {
    static WORKER: RefCell<DataWorker> = RefCell::new(DataWorker::default());
}

/// Starts the worker: reports panics, reads messages. Started under
/// `parts::PART_ROLE`, it reads a part of a file for a data worker instead.
pub fn start() {
    if scope().name() == PART_ROLE {
        return start_part();
    }
    std::panic::set_hook(Box::new(|info| {
        post(&FromWorker::Crashed {
            message: info.to_string(),
        });
    }));
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(|e: web_sys::MessageEvent| {
            let msg = match unwire(&e.data()) {
                Some((bytes, beside)) => decode_to_worker(&bytes)
                    .map(|msg| (msg, beside))
                    .map_err(|e| e.to_string()),
                None => Err("not a byte message".to_string()),
            };
            match msg {
                Ok((msg, beside)) => WORKER.with(|w| w.borrow_mut().received(msg, beside)),
                Err(reason) => post(&FromWorker::Unreadable { reason }),
            }
        });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // The first message names this build: the page sends nothing to a
    // worker of another one.
    post(&FromWorker::Hello {
        build: BUILD_ID.to_string(),
    });
}

fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Sends `msg` to the page (its bytes are transferred, not copied).
fn post(msg: &FromWorker) {
    let bytes = match encode(msg) {
        Ok(b) => b,
        Err(e) => {
            let reason = format!("the engine could not write its answer: {e}");
            match encode(&FromWorker::Unreadable { reason }) {
                Ok(b) => b,
                Err(_) => return,
            }
        }
    };
    let (message, transfer) = wire(&bytes, None);
    let _ = scope().post_message_with_transfer(&message, &transfer);
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

thread_local! {
    /// [`mark_memory`]'s marks of the load under way.
    static MARKS: RefCell<Vec<(String, u64)>> = const { RefCell::new(Vec::new()) };
}

/// Notes the wasm memory after `step` of the load under way (sent with
/// `Loaded`).
pub(super) fn mark_memory(step: &str) {
    MARKS.with(|m| m.borrow_mut().push((step.to_string(), wasm_memory_bytes())));
}

fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map(|b| b.byte_length() as u64)
        .unwrap_or(0)
}

/// Runs `work` on the worker as a new task (setTimeout 0), so that
/// messages that arrived meanwhile (stop, a new file) are handled first.
fn as_next_task(work: impl FnOnce(&mut DataWorker) + 'static) {
    after_ms(0, work);
}

/// Runs `work` on the worker as a task `ms` milliseconds from now.
fn after_ms(ms: i32, work: impl FnOnce(&mut DataWorker) + 'static) {
    let tick = Closure::once_into_js(move || {
        WORKER.with(|w| work(&mut w.borrow_mut()));
    });
    let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(tick.unchecked_ref(), ms);
}

/// Schedules the next training job of `run` as a new task.
fn next_tick(run: RunId) {
    as_next_task(move |w| w.tick(run));
}

/// Rows shown in a cleaning sample.
const SAMPLE_ROWS: usize = 12;
/// Columns shown in a step's before/after view when the step names none.
const SAMPLE_COLUMNS: usize = 8;
/// Rows of the cleaned-data grid sent at once (a page of the grid).
const MAX_GRID_ROWS: usize = 200;

/// Rows `rows` of the columns named `names` (those that exist) of `ds`.
fn sample(ds: &Dataset, names: &[String], rows: &[usize]) -> Sample {
    let all = ds.names();
    let mut shown = Vec::new();
    let mut columns = Vec::new();
    for n in names {
        if let Some(i) = all.iter().position(|a| a == n) {
            if let Some(c) = ColumnData::of(ds, i) {
                shown.push(n.clone());
                columns.push(c);
            }
        }
    }
    let rows = rows
        .iter()
        .filter(|&&r| r < ds.height())
        .map(|&r| columns.iter().map(|c| c.text(r)).collect())
        .collect();
    Sample {
        names: shown,
        rows,
        total_rows: ds.height(),
    }
}

/// The data before and after step `index` of `steps`, on the rows it
/// changes (or the first rows when it removes rows).
fn step_preview(raw: &Dataset, steps: &[Step], index: usize) -> Result<StepView, CleanError> {
    let step = steps.get(index).ok_or_else(|| CleanError::Internal {
        message: format!("no step {}", index + 1),
    })?;
    let upto = steps.get(..=index).unwrap_or_default();
    // One run gives the step's SQL and the data around it; when the SQL
    // export refuses (a file DuckDB cannot read alike, a step it cannot
    // reproduce), the data comes from a plain run and the reason is shown.
    let (before, after, sql, kept) = match last_step_sql(raw, &raw.facts.name, upto) {
        Ok(last) => (last.before, last.after, Ok(last.sql), last.report.kept),
        Err(refused) => {
            let (before, _) = run(raw, steps.get(..index).unwrap_or_default())?;
            let mut after = before.clone();
            let report = apply(&mut after, step).map_err(|e| e.at_step(index + 1))?;
            (before, after, Err(refused), report.kept)
        }
    };
    let (before_names, after_names) = (before.names(), after.names());
    let mut names: Vec<String> = step.columns().iter().map(|c| c.to_string()).collect();
    names.extend(
        after_names
            .iter()
            .filter(|n| !before_names.contains(n))
            .cloned(),
    );
    if names.is_empty() {
        names = before.names().into_iter().take(SAMPLE_COLUMNS).collect();
    }
    // A step that removed rows shows the rows it removed: which ones, the
    // step's own report says.
    if after.height() < before.height() {
        if let Some(kept) = kept {
            let gone: Vec<usize> = (0..before.height())
                .filter(|&r| !kept.get(r).copied().unwrap_or(true))
                .collect();
            let shown: Vec<usize> = gone.iter().copied().take(SAMPLE_ROWS).collect();
            return Ok(StepView {
                before: sample(&before, &names, &shown),
                after: sample(&after, &names, &[]),
                sql,
                rows: ViewRows::Removed { total: gone.len() },
            });
        }
    }
    let first: Vec<usize> = (0..SAMPLE_ROWS.min(before.height())).collect();
    // The columns shown on both sides, to find the rows the step changed.
    let index = |all: &[String], n: &String| all.iter().position(|a| a == n);
    let shared: Vec<(ColumnData, ColumnData)> = names
        .iter()
        .filter_map(|n| {
            let b = ColumnData::of(&before, index(&before_names, n)?)?;
            let a = ColumnData::of(&after, index(&after_names, n)?)?;
            Some((b, a))
        })
        .collect();
    let added = names.iter().any(|n| index(&before_names, n).is_none());
    // Every row is compared, one at a time (a million-row column is never
    // copied as text), to say how many changed; the first few are shown.
    let (rows, view) = if before.height() == after.height() && !added {
        let mut total = 0;
        let mut changed = Vec::new();
        for r in 0..before.height() {
            if shared.iter().any(|(b, a)| b.text(r) != a.text(r)) {
                total += 1;
                if changed.len() < SAMPLE_ROWS {
                    changed.push(r);
                }
            }
        }
        if changed.is_empty() {
            (first, ViewRows::First)
        } else {
            (changed, ViewRows::Changed { total })
        }
    } else {
        (first, ViewRows::First)
    };
    Ok(StepView {
        before: sample(&before, &names, &rows),
        after: sample(&after, &names, &rows),
        sql,
        rows: view,
    })
}

/// The data a model learns from: the raw data after `steps`.
fn recipe_data<'a>(
    raw: &'a Dataset,
    cleaned: Option<&'a Cleaned>,
    steps: &[Step],
) -> Result<std::borrow::Cow<'a, Dataset>, CleanError> {
    if steps.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(raw));
    }
    if let Some(c) = cleaned {
        if c.steps == steps {
            return Ok(std::borrow::Cow::Borrowed(&c.data));
        }
    }
    Ok(std::borrow::Cow::Owned(run(raw, steps)?.0))
}

impl DataWorker {
    fn received(&mut self, msg: ToWorker, beside: Option<JsValue>) {
        // Work of the page's own ends the warm-up: it warms the engine up
        // itself, and goes first.
        if !matches!(msg, ToWorker::Hello { .. }) {
            self.warmup = None;
        }
        self.handle(msg, beside);
        // A file read to its end (or given up) lets the insights go on.
        self.schedule_insights();
    }

    /// Handles `msg`; `beside` is what was posted with it (the file of a
    /// `ReadFile`).
    fn handle(&mut self, msg: ToWorker, beside: Option<JsValue>) {
        match msg {
            // The page's first message, sent once it has our Hello.
            ToWorker::Hello {
                fault,
                warm,
                helpers,
                ..
            } => {
                self.fault = fault;
                self.no_helpers = !helpers;
                if warm {
                    self.warmup = Warmup::new().map(|w| (w, now_ms(), 0.0));
                    as_next_task(DataWorker::warm_up);
                }
            }
            ToWorker::Begin {
                load,
                name,
                size,
                purpose,
                sheet,
            } => self.begin(load, name, size, purpose, sheet),
            ToWorker::Chunk { load, bytes } => self.chunk(load, &bytes),
            ToWorker::ReadFile {
                load,
                name,
                size,
                purpose,
                parts,
            } => self.read_file(load, name, size, purpose, parts, beside),
            ToWorker::Finish { load } => self.finish(load),
            ToWorker::Cancel { load } => {
                if self.reading.as_ref().is_some_and(|r| r.load == load) {
                    self.reading = None;
                    self.stop_idle_helper();
                }
            }
            ToWorker::Ask {
                request,
                about,
                ask: Ask::Alerts { config },
            } => self.ask_insights(request, about, config),
            ToWorker::Ask {
                request,
                about,
                ask,
            } => {
                let reply = self.answer(&about, ask);
                post(&FromWorker::Reply { request, reply });
            }
            ToWorker::Train {
                run,
                about,
                setup,
                steps,
            } => self.train(run, about, setup, &steps),
            ToWorker::StopTraining { run } => {
                if let Some(t) = self.training.as_mut().filter(|t| t.run == run) {
                    t.stop = true;
                }
            }
            ToWorker::BenchTrees { rows } => {
                let clock = || now_ms() / 1000.0;
                post(&FromWorker::BenchTrees {
                    timing: crate::core::ml::speed::run(rows, &clock).map_err(|e| e.to_string()),
                });
            }
        }
    }

    fn begin(
        &mut self,
        load: LoadId,
        name: String,
        size: u64,
        purpose: Purpose,
        sheet: Option<String>,
    ) {
        let sheet = match (sheet, &purpose) {
            (Some(s), _) => SheetChoice::Named(s),
            (None, Purpose::Dataset { .. }) => SheetChoice::Ask,
            (None, Purpose::Score) => SheetChoice::First,
        };
        match Ingester::new(&name, size).map(|i| i.with_sheet(sheet)) {
            Ok(ingester) => {
                let reading = Reading {
                    load,
                    name,
                    purpose,
                    how: How::Chunks(ingester),
                    started: now_ms(),
                };
                self.start_reading(reading, size);
            }
            Err(error) => self.load_failed(load, error),
        }
    }

    /// Reads a file of `size` bytes as `reading` says, first making room
    /// for a dataset's; tells the page it started.
    fn start_reading(&mut self, reading: Reading, size: u64) {
        let load = reading.load;
        MARKS.with(|m| m.borrow_mut().clear());
        mark_memory("start");
        if matches!(reading.purpose, Purpose::Dataset { .. }) {
            self.make_room(load, size);
            // Running by the time its insights are asked for.
            if size >= helper::START_EARLY_BYTES {
                self.start_helper();
            }
        }
        self.reading = Some(reading);
        post(&FromWorker::Progress {
            load,
            bytes_done: 0,
        });
    }

    /// Lets the held dataset (and its run and insights) go when it and a
    /// file of `size` bytes would not fit in memory together, and tells
    /// the page, which reads it again if the new file is not shown.
    fn make_room(&mut self, load: LoadId, size: u64) {
        let budget = match self.fault {
            Some(Fault::SmallMemory) => 1,
            _ => core::ingest::WORKER_MEMORY_BYTES,
        };
        let held = self.held.as_ref().map_or(0, |h| h.memory_bytes());
        if self.held.is_none() || core::ingest::reads_beside(held, size, budget) {
            return;
        }
        if let Some(h) = self.held.take() {
            self.training = None;
            self.end_insights();
            post(&FromWorker::Released {
                load,
                about: h.about,
            });
        }
    }

    fn chunk(&mut self, load: LoadId, bytes: &[u8]) {
        let Some(r) = self.reading.as_mut().filter(|r| r.load == load) else {
            return;
        };
        let How::Chunks(ingester) = &mut r.how else {
            return;
        };
        match ingester.push(bytes) {
            Ok(()) => post(&FromWorker::Progress {
                load,
                bytes_done: ingester.bytes_seen(),
            }),
            Err(error) => self.load_failed(load, error),
        }
    }

    fn finish(&mut self, load: LoadId) {
        if self.reading.as_ref().is_none_or(|r| r.load != load) {
            return;
        }
        let Some(r) = self.reading.take() else { return };
        if self.held.is_some() && self.fault == Some(Fault::TrapReadingSecond) {
            // A trap, not a panic: no `Crashed` message, the worker stops.
            std::process::abort();
        }
        let How::Chunks(ingester) = r.how else { return };
        match ingester.finish_or_choose() {
            Ok(Opened::Dataset(ds)) => {
                mark_memory("read");
                let read = ReadDone {
                    ds: *ds,
                    profile: None,
                    parts: 1,
                    read_at: now_ms(),
                };
                self.keep(load, r.name, r.purpose, read, r.started)
            }
            Ok(Opened::Choose(sheets)) => post(&FromWorker::Sheets { load, sheets }),
            Err(error) => self.load_failed(load, error),
        }
    }

    /// Reads `file` in parts (`shell::parts`) when it is a delimited text
    /// large enough; else asks the page for its chunks.
    fn read_file(
        &mut self,
        load: LoadId,
        name: String,
        size: u64,
        purpose: Purpose,
        parts: usize,
        file: Option<JsValue>,
    ) {
        let Some(blob) = file.and_then(|f| f.dyn_into::<web_sys::Blob>().ok()) else {
            return post(&FromWorker::SendChunks { load });
        };
        let deliver: Deliver = Rc::new(move |index, heard| {
            WORKER.with(|w| w.borrow_mut().part_said(load, index, heard));
        });
        let started = now_ms();
        let profile = matches!(purpose, Purpose::Dataset { .. });
        match PartsRead::start(&name, blob, parts, profile, deliver) {
            Ok(Some(read)) => {
                let reading = Reading {
                    load,
                    name,
                    purpose,
                    how: How::Parts(Box::new(read)),
                    started,
                };
                self.start_reading(reading, size);
            }
            Ok(None) => post(&FromWorker::SendChunks { load }),
            Err(why) => {
                web_sys::console::warn_1(&format!("Plainsight reads {name} whole: {why}").into());
                post(&FromWorker::SendChunks { load });
            }
        }
    }

    /// What a part worker of `load`'s read said.
    fn part_said(&mut self, load: LoadId, index: usize, heard: Heard) {
        let Some(r) = self.reading.as_mut().filter(|r| r.load == load) else {
            return;
        };
        let How::Parts(read) = &mut r.how else { return };
        match read.heard(index, heard) {
            PartsStep::Wait => {}
            PartsStep::Progress(bytes_done) => post(&FromWorker::Progress { load, bytes_done }),
            PartsStep::Done(read) => {
                if let Some(r) = self.reading.take() {
                    self.keep(load, r.name, r.purpose, *read, r.started);
                }
            }
            PartsStep::Whole(why) => {
                if let Some(r) = self.reading.take() {
                    let warning = format!("Plainsight reads {} whole: {why}", r.name);
                    web_sys::console::warn_1(&warning.into());
                }
                post(&FromWorker::SendChunks { load });
            }
            PartsStep::Failed(error) => self.load_failed(load, error),
        }
        // A read ended lets the insights go on.
        self.schedule_insights();
    }

    /// Holds (or keeps to score) the dataset `load` read, profiled, and
    /// tells the page.
    fn keep(&mut self, load: LoadId, name: String, purpose: Purpose, read: ReadDone, started: f64) {
        let ReadDone {
            ds,
            profile: profiled,
            parts,
            read_at,
        } = read;
        let read_ms = read_at - started;
        let profile = match purpose {
            Purpose::Score => {
                self.to_score = Some((load, name, ds));
                None
            }
            Purpose::Dataset { id } => {
                // Drop the previous dataset (and its run) before keeping this one.
                self.held = None;
                self.training = None;
                self.end_insights();
                let profile = profiled.unwrap_or_else(|| core::profile(&ds));
                mark_memory("profiled");
                self.held = Some(Held {
                    about: DatasetRef { id, load },
                    raw: ds,
                    profile: profile.clone(),
                    order: None,
                    cleaned: None,
                    insights: None,
                    insights_helped: false,
                });
                Some(Box::new(profile))
            }
        };
        post(&FromWorker::Loaded {
            load,
            profile,
            elapsed_ms: now_ms() - started,
            read_ms,
            parts,
            wasm_memory: wasm_memory_bytes(),
            memory_marks: MARKS.with(|m| std::mem::take(&mut *m.borrow_mut())),
        });
    }

    /// The held dataset if it is the one asked about.
    fn held(&mut self, about: &DatasetRef) -> Result<&mut Held, WorkerError> {
        match self.held.as_mut() {
            Some(h) if &h.about == about => Ok(h),
            other => Err(WorkerError::NotLoaded {
                wanted: about.clone(),
                holds: other.map(|h| h.about.clone()),
            }),
        }
    }

    fn answer(&mut self, about: &DatasetRef, ask: Ask) -> Result<Reply, WorkerError> {
        match ask {
            Ask::Rows {
                offset,
                limit,
                sort,
                filter,
            } => rows(self.held(about)?, offset, limit, sort, filter),
            Ask::Propose { mode, steps } => {
                let h = self.held(about)?;
                let (ds, _) = run(&h.raw, &steps).map_err(WorkerError::Clean)?;
                Ok(Reply::Proposed(propose(&ds, mode)))
            }
            Ask::Clean { steps } => clean(self.held(about)?, steps),
            Ask::StepPreview { steps, index } => {
                let h = self.held(about)?;
                let view = step_preview(&h.raw, &steps, index).map_err(WorkerError::Clean)?;
                Ok(Reply::StepPreview(Box::new(view)))
            }
            Ask::CleanRows {
                offset,
                limit,
                next_change,
            } => {
                let h = self.held(about)?;
                let c = h.cleaned.as_ref().ok_or(WorkerError::NotCleaned)?;
                let limit = limit.clamp(1, MAX_GRID_ROWS);
                let (offset, found) = if next_change {
                    match diff::next_change(&h.raw, &c.data, &c.lineage, offset) {
                        Some(r) => (r / limit * limit, Some(r)),
                        None => {
                            return Ok(Reply::CleanRows {
                                offset,
                                total: c.data.height(),
                                rows: Vec::new(),
                                found: None,
                            })
                        }
                    }
                } else {
                    (offset, None)
                };
                Ok(Reply::CleanRows {
                    offset,
                    total: c.data.height(),
                    rows: compare(&h.raw, &c.data, &c.lineage, offset, limit),
                    found,
                })
            }
            Ask::Export { format } => export(self.held(about)?, format),
            Ask::SaveDataset { steps, saved } => {
                let h = self.held(about)?;
                crate::core::clean::export::write_dataset(&h.raw, &h.profile, &steps, saved)
                    .map(Reply::Exported)
                    .map_err(|message| WorkerError::Write { message })
            }
            // Not reached: `handle` gives it to `ask_insights`, which
            // answers a part at a time. Answered whole all the same.
            Ask::Alerts { config } => {
                let h = self.held(about)?;
                let helped = h.insights.is_some() && h.insights_helped;
                let found = insights_reusing(&h.raw, &h.profile, h.insights.clone(), &config);
                h.insights = Some(found.clone());
                h.insights_helped = helped;
                Ok(Reply::Insights(
                    Box::new(found),
                    wasm_memory_bytes(),
                    helped,
                ))
            }
            Ask::Report { request } => {
                // The insights the job is computing are the report's.
                self.finish_insights(about);
                let h = self.held(about)?;
                let ran = match &h.cleaned {
                    Some(c) if c.steps == request.recipe => Some(&c.log),
                    _ => None,
                };
                let helped = h.insights.is_some() && h.insights_helped;
                let found = contents(&h.raw, &h.profile, h.insights.take(), ran, *request)
                    .map_err(WorkerError::Clean)?;
                h.insights = Some(found.insights.clone());
                h.insights_helped = helped;
                Ok(Reply::Report(Box::new(found)))
            }
            Ask::Explore { query } => {
                let h = self.held(about)?;
                answer(&h.raw, &query)
                    .map(|a| Reply::Explored(Box::new(a)))
                    .map_err(WorkerError::Explore)
            }
            Ask::WhatIf { model, cells } => {
                let scorer = self.scorer(about, &model)?;
                Ok(Reply::WhatIf(scorer.what_if(&cells)))
            }
            Ask::Explain { model } => {
                let (run, kind) = self.trained(about, &model)?;
                let explanation = run.explain_of(kind).ok_or(WorkerError::NotTrained {
                    model: model.clone(),
                })?;
                Ok(Reply::Explained { model, explanation })
            }
            Ask::ExportModel { model } => {
                let (run, kind) = self.trained(about, &model)?;
                run.model_bytes(kind)
                    .map(Reply::ModelBytes)
                    .ok_or(WorkerError::NotTrained { model })
            }
            Ask::LoadModel { key, bytes } => {
                self.held(about)?;
                let m = SavedModel::from_bytes(&bytes).map_err(WorkerError::ModelLoad)?;
                self.saved = Some((key, m));
                Ok(Reply::ModelLoaded)
            }
            Ask::Predict { model, file, steps } => {
                let (name, data) = match self.to_score.take() {
                    Some((load, name, data)) if load == file => (name, data),
                    _ => return Err(WorkerError::NoFileToScore),
                };
                let scorer = self.scorer(about, &model)?;
                let (rows, ds) = score(scorer, data, &steps).map_err(|e| match e {
                    ScoreError::Recipe(error) => WorkerError::RecipeOnNewFile { file: name, error },
                    ScoreError::Prep(e) => WorkerError::Prep(e),
                    ScoreError::Columns(message) => WorkerError::Write { message },
                })?;
                let mut bytes = Vec::new();
                write_csv(&ds, &mut bytes).map_err(|e| WorkerError::Write {
                    message: e.to_string(),
                })?;
                Ok(Reply::Predicted { rows, bytes })
            }
        }
    }

    /// The run on `about` that trained the model named `name`, and its kind.
    fn trained(
        &mut self,
        about: &DatasetRef,
        name: &str,
    ) -> Result<(&Run, ModelKind), WorkerError> {
        self.held(about)?;
        let not_trained = || WorkerError::NotTrained {
            model: name.to_string(),
        };
        let kind = ModelKind::from_name(name).ok_or_else(not_trained)?;
        match &self.training {
            Some(t) if &t.about == about => Ok((&t.board, kind)),
            _ => Err(not_trained()),
        }
    }

    /// The model a request means, or why it is not here.
    fn scorer(&mut self, about: &DatasetRef, model: &ModelRef) -> Result<Scorer<'_>, WorkerError> {
        match model {
            ModelRef::Run(name) => {
                let (run, kind) = self.trained(about, name)?;
                run.scorer(kind).ok_or_else(|| WorkerError::NotTrained {
                    model: name.clone(),
                })
            }
            ModelRef::Saved(key) => {
                self.held(about)?;
                match &self.saved {
                    Some((k, m)) if k == key => Ok(m.scorer()),
                    _ => Err(WorkerError::SavedNotLoaded),
                }
            }
        }
    }

    fn train(
        &mut self,
        run: RunId,
        about: DatasetRef,
        setup: crate::core::ml::automl::Setup,
        steps: &[Step],
    ) {
        self.training = None;
        let prepared = match self.held(&about) {
            Ok(h) => recipe_data(&h.raw, h.cleaned.as_ref(), steps)
                .map_err(WorkerError::Clean)
                .and_then(|ds| Prepared::new(&ds, setup).map_err(WorkerError::Train)),
            Err(e) => Err(e),
        };
        match prepared {
            Ok(p) => {
                let board = Run::new(p);
                post(&FromWorker::Training {
                    run,
                    board: Box::new(board.board()),
                });
                self.training = Some(Training {
                    run,
                    about,
                    board,
                    stop: false,
                });
                next_tick(run);
            }
            Err(error) => post(&FromWorker::TrainFailed { run, error }),
        }
    }

    /// Starts the insights of the held dataset (or joins the job already
    /// computing them, whose alerts then follow `config`).
    fn ask_insights(&mut self, request: RequestId, about: DatasetRef, config: AlertConfig) {
        let held = self
            .held(&about)
            .map(|h| (h.insights.clone(), h.insights_helped));
        if self.fault == Some(Fault::PanicInInsights) {
            self.fault = None;
            if held.is_ok() {
                panic!("fault injected for a test: the engine stops while computing the insights");
            }
        }
        let (known, helped) = match held {
            Ok(known) => known,
            // Not the held dataset: said, and the held one's job goes on.
            Err(e) => {
                return post(&FromWorker::Reply {
                    request,
                    reply: Err(e),
                })
            }
        };
        if let Some(job) = self.insights.as_mut().filter(|j| j.about == about) {
            job.requests.push(request);
            job.run.set_config(config);
            return;
        }
        // A job about another dataset (no longer held) ends.
        self.end_insights();
        let has_known = known.is_some();
        self.insights = Some(InsightsJob {
            about,
            requests: vec![request],
            run: InsightsRun::new(known, config),
            // Only the alerts are computed again when they are known.
            helped: helped && has_known,
        });
        self.hand_out_spearman();
    }

    /// Starts the insights' helper worker, unless one runs or the page
    /// asked for none.
    fn start_helper(&mut self) {
        if self.helper.is_some() || self.no_helpers {
            return;
        }
        let deliver: Deliver = Rc::new(move |_, heard| {
            WORKER.with(|w| w.borrow_mut().helper_said(heard));
        });
        let faulty = self.fault == Some(Fault::HelperFails);
        match SpearmanHelper::start(deliver, faulty) {
            Ok(helper) => self.helper = Some(helper),
            Err(why) => warn_one_worker(&why),
        }
    }

    /// A read that ended without a dataset: the page is told why, and the
    /// helper started for the dataset it would have made is stopped.
    fn load_failed(&mut self, load: LoadId, error: IngestError) {
        self.reading = None;
        MARKS.with(|m| m.borrow_mut().clear());
        self.stop_idle_helper();
        post(&FromWorker::LoadFailed { load, error });
    }

    /// Stops the helper when it computes nothing (started for a file's
    /// dataset; a later dataset's insights start one again).
    fn stop_idle_helper(&mut self) {
        if self
            .helper
            .as_ref()
            .is_some_and(|h| h.working_for().is_none())
        {
            self.helper = None;
        }
    }

    /// Nothing to do for the insights until the helper answers.
    fn insights_wait(&self) -> bool {
        self.insights.as_ref().is_some_and(|j| {
            j.run.waiting() && self.helper.as_ref().is_some_and(|h| h.computing(&j.about))
        })
    }

    /// Takes the insights job's Spearman matrix back from the helper
    /// (stopped; `why` it failed, for the console): it is computed here.
    fn take_back(&mut self, why: Option<&str>) {
        let Some(job) = self.insights.as_mut() else {
            return;
        };
        if let Some(why) = why {
            warn_one_worker(why);
        }
        if self.helper.as_ref().and_then(|h| h.working_for()) == Some(&job.about) {
            self.helper = None;
        }
        job.run.spearman_here();
    }

    /// Hands the new insights job's Spearman matrix to the helper worker
    /// (started now if none runs) when the dataset is large enough
    /// (`shell::helper`); an idle helper is stopped when it is not.
    fn hand_out_spearman(&mut self) {
        let (Some(job), Some(h)) = (self.insights.as_mut(), self.held.as_ref()) else {
            return;
        };
        let columns = match self.no_helpers || h.about != job.about {
            true => None,
            false => job
                .run
                .hand_out_spearman(&h.raw, helper::MIN_CELLS, helper::MAX_CELLS),
        };
        let Some(columns) = columns else {
            // An idle helper is not needed (unless it was started for the
            // file being read).
            if self.reading.is_none() {
                self.stop_idle_helper();
            }
            return;
        };
        self.start_helper();
        let (Some(job), Some(h)) = (self.insights.as_ref(), self.held.as_ref()) else {
            return;
        };
        // (Not posted while a file is read: that read comes first.)
        let send_now = self.reading.is_none();
        let about = job.about.clone();
        let asked = match self.helper.as_mut() {
            Some(helper) => helper.ask(about.clone(), columns, &h.raw, send_now),
            None => Err("no helper worker could start".into()),
        };
        if let Err(why) = asked {
            return self.take_back(Some(&why));
        }
        // A helper silent for too long (no answer, no error) is given up.
        after_ms(helper::ANSWER_WAIT_MS, move |w| {
            if w.helper.as_ref().and_then(|h| h.working_for()) == Some(&about) {
                let waited = helper::ANSWER_WAIT_MS / 1000;
                w.take_back(Some(&format!("the helper did not answer in {waited} s")));
                w.helper = None;
                w.schedule_insights();
            }
        });
    }

    /// What the insights' helper said.
    fn helper_said(&mut self, heard: Heard) {
        let Some(helper) = self.helper.as_mut() else {
            return;
        };
        let (held, reading) = (self.held.as_ref(), self.reading.is_some());
        let said = helper.heard(heard, |about| match held.filter(|h| &h.about == about) {
            // A file read comes first (and a dataset's ends this job).
            Some(_) if reading => Err("a file is being read".to_string()),
            Some(h) => Ok(&h.raw),
            None => Err("its dataset is no longer held".to_string()),
        });
        let job_about = self.insights.as_ref().map(|j| j.about.clone());
        match said {
            Said::Wait => return,
            Said::Matrix(about, matrix) => {
                self.helper = None;
                if let Some(job) = self.insights.as_mut().filter(|j| j.about == about) {
                    job.helped = job.run.spearman_in(matrix);
                    if !job.helped {
                        self.take_back(Some("the helper's matrix did not fit"));
                    }
                }
            }
            Said::Failed(about, why) => {
                self.helper = None;
                if about.is_some() && about == job_about {
                    self.take_back(Some(&why));
                } else {
                    warn_one_worker(&why);
                }
            }
        }
        self.schedule_insights();
    }

    /// Runs the held dataset's insights job to its end now (the report
    /// needs them), answering its requests; not while a file is read.
    fn finish_insights(&mut self, about: &DatasetRef) {
        if self.reading.is_some() {
            return;
        }
        // Each part moves the job on, or ends it (a Spearman matrix not
        // back from the helper when all else is done is computed here).
        while let Some(job) = self.insights.as_ref().filter(|j| &j.about == about) {
            if job.run.waiting() {
                self.take_back(None);
            }
            self.insights_part_now();
        }
    }

    /// Ends the insights job, if any, answering its requests that its
    /// dataset is no longer held.
    fn end_insights(&mut self) {
        if let Some(job) = self.insights.take() {
            // Its helper's work is not wanted.
            if self.helper.as_ref().and_then(|h| h.working_for()) == Some(&job.about) {
                self.helper = None;
            }
            let holds = self.held.as_ref().map(|h| h.about.clone());
            for request in job.requests {
                let reply = Err(WorkerError::NotLoaded {
                    wanted: job.about.clone(),
                    holds: holds.clone(),
                });
                post(&FromWorker::Reply { request, reply });
            }
        }
    }

    /// Schedules the insights' next part, unless one is scheduled, there
    /// is none, a file is being read (it goes first), or the job waits for
    /// its helper (whose answer schedules it).
    fn schedule_insights(&mut self) {
        let ready = self.insights.is_some() && !self.insights_wait();
        if ready && self.reading.is_none() && !self.insights_scheduled {
            self.insights_scheduled = true;
            as_next_task(DataWorker::insights_part);
        }
    }

    /// Runs the insights' next part; the answer goes to every request
    /// waiting once the last part is done.
    fn insights_part(&mut self) {
        self.insights_scheduled = false;
        self.insights_part_now();
        self.schedule_insights();
    }

    /// The insights' next part, unless a file is being read.
    fn insights_part_now(&mut self) {
        if self.reading.is_some() {
            return;
        }
        if self.insights.as_ref().is_some_and(|j| j.run.waiting()) && !self.insights_wait() {
            // Its helper has not started by now: computed here.
            self.take_back(Some("the helper had not started"));
        }
        let Some(job) = self.insights.as_mut() else {
            return;
        };
        let Some(h) = self.held.as_mut().filter(|h| h.about == job.about) else {
            return self.end_insights();
        };
        if let Some(found) = job.run.step(&h.raw, &h.profile) {
            h.insights = Some(found.clone());
            h.insights_helped = job.helped;
            if let Some(job) = self.insights.take() {
                for request in job.requests {
                    let reply = Ok(Reply::Insights(
                        Box::new(found.clone()),
                        wasm_memory_bytes(),
                        job.helped,
                    ));
                    post(&FromWorker::Reply { request, reply });
                }
            }
        }
    }

    /// Runs the warm-up's next step (`core::warm`) as a task of its own,
    /// so that a message waits for one step at most.
    fn warm_up(&mut self) {
        let Some((w, started, longest)) = self.warmup.as_mut() else {
            return;
        };
        let t = now_ms();
        let more = w.step();
        *longest = longest.max(now_ms() - t);
        if more {
            return as_next_task(DataWorker::warm_up);
        }
        // Said only when every step ran (a test and the benchmarks wait
        // for it); a failed one is a bug, said in the console.
        if w.failed() {
            web_sys::console::warn_1(&"Plainsight: the engine's warm-up failed".into());
        } else {
            post(&FromWorker::Warmed {
                ms: now_ms() - *started,
                longest_ms: *longest,
                samples: w
                    .take_found()
                    .map(|found| {
                        let (profile, insights) = *found;
                        warm_samples(profile, insights)
                    })
                    .unwrap_or_default(),
            });
        }
        self.warmup = None;
    }

    /// Runs the next training job of `run` (ticks of an older run stop).
    fn tick(&mut self, run: RunId) {
        let Some(t) = self.training.as_mut().filter(|t| t.run == run) else {
            return;
        };
        // Stopped: the models finished so far stay; else one job.
        let progress = if t.stop {
            t.board.cancel();
            None
        } else {
            t.board.step(&|| now_ms() / 1000.0)
        };
        let mut board = t.board.board();
        board.progress = progress;
        board.cancelled = t.stop;
        post(&FromWorker::Training {
            run,
            board: Box::new(board),
        });
        if !t.board.is_done() {
            next_tick(run);
        }
    }
}

fn rows(
    h: &mut Held,
    offset: usize,
    limit: usize,
    sort: Option<SortKey>,
    filter: Option<RowFilter>,
) -> Result<Reply, WorkerError> {
    // The rows in view, in order: cached per sort and filter (one sort and
    // one pass over the column's text when either changes).
    let key = (sort, filter);
    if key == (None, None) {
        h.order = None;
    } else if !matches!(&h.order, Some((k, _)) if *k == key) {
        let mut order: Vec<u32> = match key.0 {
            Some(k) => core::table::sort_order(&h.raw, k.column, k.descending),
            None => (0..h.raw.frame.height() as u32).collect(),
        };
        if let Some(f) = &key.1 {
            match ColumnData::of(&h.raw, f.column) {
                Some(c) => order.retain(|&r| c.text(r as usize) == f.value),
                None => order.clear(),
            }
        }
        h.order = Some((key, order));
    }
    let order = h.order.as_ref().map(|(_, o)| o.as_slice());
    let total = order.map_or(h.raw.frame.height(), <[u32]>::len);
    let rows = core::table::rows(&h.raw, order, offset, limit);
    Ok(Reply::Rows {
        offset,
        total,
        rows,
    })
}

fn clean(h: &mut Held, steps: Vec<Step>) -> Result<Reply, WorkerError> {
    let started = now_ms();
    // The previous result goes before this run (it may be as large as the
    // data); should this run fail, it is made again from its steps (its
    // log kept as the page was sent it).
    let previous = h.cleaned.take().map(|c| (c.steps, c.log));
    let (ds, log, lineage) = match run_traced(&h.raw, &steps) {
        Ok(ran) => ran,
        Err(e) => {
            h.cleaned = previous.and_then(|(steps, log)| {
                let (data, _, lineage) = run_traced(&h.raw, &steps).ok()?;
                Some(Cleaned {
                    steps,
                    log,
                    data,
                    lineage,
                })
            });
            return Err(WorkerError::Clean(e));
        }
    };
    // The columns the steps left as they were keep their profile.
    let profile = Box::new(core::profile_reusing(&ds, &h.raw, &h.profile));
    h.cleaned = Some(Cleaned {
        // As the page keeps them: with what the steps fitted written in.
        steps: log.fitted_steps(&steps),
        log: log.clone(),
        data: ds,
        lineage,
    });
    Ok(Reply::Cleaned {
        log,
        profile,
        elapsed_ms: now_ms() - started,
        wasm_memory: wasm_memory_bytes(),
    })
}

fn export(h: &mut Held, format: ExportFormat) -> Result<Reply, WorkerError> {
    let Some(Cleaned {
        steps, data: ds, ..
    }) = h.cleaned.as_ref()
    else {
        return Err(WorkerError::NotCleaned);
    };
    let write = |e: std::io::Error| WorkerError::Write {
        message: e.to_string(),
    };
    let mut bytes = Vec::new();
    match format {
        ExportFormat::Csv => write_csv(ds, &mut bytes).map_err(write)?,
        ExportFormat::Json => write_json(ds, &mut bytes).map_err(write)?,
        ExportFormat::Parquet => {
            bytes = crate::core::clean::export::write_parquet(ds, steps)
                .map_err(|message| WorkerError::Write { message })?
        }
        ExportFormat::Sql | ExportFormat::PySpark | ExportFormat::Polars => {
            let target = match format {
                ExportFormat::PySpark => Target::PySpark,
                ExportFormat::Polars => Target::Polars,
                _ => Target::DuckDb,
            };
            bytes = crate::core::clean::sql::export(target, &h.raw, &h.raw.facts.name, steps)
                .map_err(WorkerError::Clean)?
                .into_bytes()
        }
    }
    Ok(Reply::Exported(bytes))
}

/// Says in the console that the insights are computed in the data worker
/// alone, and why (a helper worker failed).
fn warn_one_worker(why: &str) {
    let warning = format!("Plainsight computes the correlations in one worker: {why}");
    web_sys::console::warn_1(&warning.into());
}
