//! The data worker: owns the parsed dataset and does the heavy work (parse,
//! profile, sort) off the page's thread so the page never freezes.

use gloo_worker::{HandlerId, Worker, WorkerScope};
use wasm_bindgen::JsCast;

use super::protocol::{ExportFormat, FromWorker, JobId, Json, ModelRef, Sample, SortKey, ToWorker};
use crate::core::clean::apply::apply;
use crate::core::clean::auto::propose;
use crate::core::clean::export::{write_csv, write_json};
use crate::core::clean::recipe::run;
use crate::core::clean::{CleanError, Step};
use crate::core::explore::alerts::alerts;
use crate::core::explore::{answer, insights, Insights};
use crate::core::ml::automl::{Prepared, Run};
use crate::core::ml::models::ModelKind;
use crate::core::ml::saved::{SavedModel, Scorer};
use crate::core::table::ColumnData;
use crate::core::{self, Dataset, IngestError, Ingester};
use crate::messages;

pub struct DataWorker {
    /// The file being read, if any.
    reading: Option<(JobId, Ingester, f64)>,
    /// The dataset the page is looking at.
    current: Option<Dataset>,
    /// Sort order cached for `current`.
    order: Option<(SortKey, Vec<u32>)>,
    /// The last recipe run on `current`, and its result.
    cleaned: Option<(Vec<Step>, Dataset)>,
    /// The profile of `current`.
    profile: Option<core::DatasetProfile>,
    /// The insights of `current` (alerts follow the thresholds asked for;
    /// the rest is computed once).
    insights: Option<Insights>,
    /// The leaderboard being built or last built: its run number, who
    /// asked, the run, and whether it was told to stop.
    training: Option<Training>,
    /// A saved model loaded from storage, under its key.
    saved: Option<(String, SavedModel)>,
}

pub struct Training {
    run: u32,
    asker: HandlerId,
    board: Run,
    stop: bool,
}

/// The worker's messages to itself.
pub enum Tick {
    /// Run the next training job of this run (ticks of an older run stop).
    Train(u32),
}

/// Rows shown in a cleaning sample.
const SAMPLE_ROWS: usize = 12;
/// Columns shown in a step's before/after view when the step names none.
const SAMPLE_COLUMNS: usize = 8;

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
fn step_preview(
    raw: &Dataset,
    steps: &[Step],
    index: usize,
) -> Result<(Sample, Sample), CleanError> {
    let step = steps.get(index).ok_or_else(|| CleanError::Internal {
        message: format!("no step {}", index + 1),
    })?;
    let (before, _) = run(raw, steps.get(..index).unwrap_or_default())?;
    let mut after = before.clone();
    let report = apply(&mut after, step).map_err(|e| e.at_step(index + 1))?;
    let mut names: Vec<String> = step.columns().iter().map(|c| c.to_string()).collect();
    names.extend(report.columns_added.iter().cloned());
    if names.is_empty() {
        names = before.names().into_iter().take(SAMPLE_COLUMNS).collect();
    }
    let first: Vec<usize> = (0..SAMPLE_ROWS).collect();
    // The columns shown on both sides, to find the rows the step changed.
    let (before_names, after_names) = (before.names(), after.names());
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
    // Rows are compared one by one and the scan stops at the first few:
    // a million-row column is never copied as text.
    let rows = if before.height() == after.height() && !added {
        let changed: Vec<usize> = (0..before.height())
            .filter(|&r| shared.iter().any(|(b, a)| b.text(r) != a.text(r)))
            .take(SAMPLE_ROWS)
            .collect();
        if changed.is_empty() {
            first
        } else {
            changed
        }
    } else {
        first
    };
    Ok((
        sample(&before, &names, &rows),
        sample(&after, &names, &rows),
    ))
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map(|b| b.byte_length() as u64)
        .unwrap_or(0)
}

/// Schedules the next training job as a new task (setTimeout 0), so that
/// messages that arrived meanwhile (stop) are handled first.
fn next_tick(scope: &WorkerScope<DataWorker>, run: u32) {
    let scope = scope.clone();
    gloo::timers::callback::Timeout::new(0, move || scope.send_message(Tick::Train(run))).forget();
}

/// The data a model learns from: the raw data after `steps`.
fn recipe_data<'a>(
    raw: &'a Dataset,
    cleaned: Option<&'a (Vec<Step>, Dataset)>,
    steps: &[Step],
) -> Result<std::borrow::Cow<'a, Dataset>, CleanError> {
    if steps.is_empty() {
        return Ok(std::borrow::Cow::Borrowed(raw));
    }
    if let Some((s, ds)) = cleaned {
        if s == steps {
            return Ok(std::borrow::Cow::Borrowed(ds));
        }
    }
    Ok(std::borrow::Cow::Owned(run(raw, steps)?.0))
}

/// Reads a new file, runs the recipe and scores it: the file's columns
/// (after the recipe) and the predictions, as CSV.
fn score_file(
    scorer: Scorer,
    name: &str,
    bytes: &[u8],
    steps: &[Step],
) -> Result<(usize, Vec<u8>), String> {
    let mut ing =
        Ingester::new(name, bytes.len() as u64).map_err(|e| messages::ingest_error(name, &e))?;
    ing.push(bytes)
        .map_err(|e| messages::ingest_error(name, &e))?;
    let ds = ing.finish().map_err(|e| messages::ingest_error(name, &e))?;
    let mut ds = if steps.is_empty() {
        ds
    } else {
        run(&ds, steps)
            .map_err(|e| {
                format!(
                    "The cleaning recipe the model learnt after cannot run on {name}: {}",
                    messages::clean_error(&e)
                )
            })?
            .0
    };
    let scored = scorer.predict(&ds).map_err(|e| messages::prep_error(&e))?;
    let rows = scored.rows;
    crate::core::ml::saved::add_predictions(&mut ds, scored)?;
    let mut out = Vec::new();
    write_csv(&ds, &mut out).map_err(|e| e.to_string())?;
    Ok((rows, out))
}

fn not_trained(model: &str) -> String {
    format!("The model '{model}' is not trained in this session yet: train (or retrain) first.")
}

impl DataWorker {
    /// The run that trained the model named `name`, and its kind (whether
    /// it finished is for the run to say).
    fn trained(&self, name: &str) -> Option<(&Run, ModelKind)> {
        self.training
            .as_ref()
            .map(|t| &t.board)
            .zip(ModelKind::from_name(name))
    }

    /// The model a request means, or why it is not here.
    fn scorer(&self, model: &ModelRef) -> Result<Scorer<'_>, String> {
        match model {
            ModelRef::Run(name) => self
                .trained(name)
                .and_then(|(run, kind)| run.scorer(kind))
                .ok_or_else(|| not_trained(name)),
            ModelRef::Saved(key) => match &self.saved {
                Some((k, m)) if k == key => Ok(m.scorer()),
                _ => Err("That saved model is not loaded any more (another one was opened since). Try again.".into()),
            },
        }
    }
}

impl Worker for DataWorker {
    type Message = Tick;
    type Input = ToWorker;
    type Output = FromWorker;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        DataWorker {
            reading: None,
            current: None,
            order: None,
            cleaned: None,
            profile: None,
            insights: None,
            training: None,
            saved: None,
        }
    }

    fn update(&mut self, scope: &WorkerScope<Self>, msg: Self::Message) {
        match msg {
            Tick::Train(run) => {
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
                scope.respond(
                    t.asker,
                    FromWorker::Training {
                        run: t.run,
                        board: Json(board),
                    },
                );
                if !t.board.is_done() {
                    next_tick(scope, run);
                }
            }
        }
    }

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        match msg {
            ToWorker::Begin { job, name, size } => match Ingester::new(&name, size) {
                Ok(ing) => {
                    self.reading = Some((job, ing, now_ms()));
                    scope.respond(id, FromWorker::Progress { job, bytes_done: 0 });
                }
                Err(error) => {
                    self.reading = None;
                    scope.respond(id, FromWorker::Failed { job, error });
                }
            },
            ToWorker::Chunk { job, bytes } => {
                let Some((current_job, ing, _)) = self.reading.as_mut() else {
                    return;
                };
                if *current_job != job {
                    return;
                }
                match ing.push(&bytes) {
                    Ok(()) => {
                        let bytes_done = ing.bytes_seen();
                        scope.respond(id, FromWorker::Progress { job, bytes_done });
                    }
                    Err(error) => {
                        self.reading = None;
                        scope.respond(id, FromWorker::Failed { job, error });
                    }
                }
            }
            ToWorker::Finish { job } => {
                let Some((current_job, ing, started)) = self.reading.take() else {
                    return;
                };
                if current_job != job {
                    self.reading = Some((current_job, ing, started));
                    return;
                }
                let result: Result<Dataset, IngestError> = ing.finish();
                match result {
                    Ok(ds) => {
                        let profile = Box::new(core::profile(&ds));
                        // Drop the previous dataset before keeping the new one.
                        self.cleaned = None;
                        self.training = None;
                        self.insights = None;
                        self.current = Some(ds);
                        self.order = None;
                        self.profile = Some((*profile).clone());
                        let elapsed_ms = now_ms() - started;
                        scope.respond(
                            id,
                            FromWorker::Profiled {
                                job,
                                profile,
                                elapsed_ms,
                                wasm_memory: wasm_memory_bytes(),
                            },
                        );
                    }
                    Err(error) => scope.respond(id, FromWorker::Failed { job, error }),
                }
            }
            ToWorker::Cancel { job } => {
                if matches!(&self.reading, Some((j, _, _)) if *j == job) {
                    self.reading = None;
                }
            }
            ToWorker::Rows {
                request,
                offset,
                limit,
                sort,
            } => {
                let Some(ds) = self.current.as_ref() else {
                    scope.respond(
                        id,
                        FromWorker::Rows {
                            request,
                            offset,
                            total: 0,
                            rows: Vec::new(),
                        },
                    );
                    return;
                };
                let total = ds.frame.height();
                if let Some(key) = sort {
                    let stale = !matches!(&self.order, Some((k, _)) if *k == key);
                    if stale {
                        let order = core::table::sort_order(ds, key.column, key.descending);
                        self.order = Some((key, order));
                    }
                }
                let order = match (sort, &self.order) {
                    (Some(_), Some((_, o))) => Some(o.as_slice()),
                    _ => None,
                };
                let rows = core::table::rows(ds, order, offset, limit);
                scope.respond(
                    id,
                    FromWorker::Rows {
                        request,
                        offset,
                        total,
                        rows,
                    },
                );
            }
            ToWorker::Propose {
                request,
                mode,
                steps: Json(steps),
            } => {
                let Some(raw) = self.current.as_ref() else {
                    return scope.respond(id, FromWorker::NoData { request });
                };
                let answer = match run(raw, &steps) {
                    Ok((ds, _)) => FromWorker::Proposed {
                        request,
                        proposals: Json(propose(&ds, mode)),
                    },
                    Err(error) => FromWorker::CleanFailed {
                        request,
                        error: Json(error),
                    },
                };
                scope.respond(id, answer);
            }
            ToWorker::Clean {
                request,
                steps: Json(steps),
            } => {
                let started = now_ms();
                let Some(raw) = self.current.as_ref() else {
                    return scope.respond(id, FromWorker::NoData { request });
                };
                match run(raw, &steps) {
                    Ok((ds, log)) => {
                        let profile = Box::new(core::profile(&ds));
                        let names = ds.names();
                        let sample = sample(&ds, &names, &(0..SAMPLE_ROWS).collect::<Vec<_>>());
                        self.cleaned = Some((steps, ds));
                        scope.respond(
                            id,
                            FromWorker::Cleaned {
                                request,
                                log: Json(log),
                                profile,
                                sample,
                                elapsed_ms: now_ms() - started,
                                wasm_memory: wasm_memory_bytes(),
                            },
                        );
                    }
                    Err(error) => scope.respond(
                        id,
                        FromWorker::CleanFailed {
                            request,
                            error: Json(error),
                        },
                    ),
                }
            }
            ToWorker::StepPreview {
                request,
                steps: Json(steps),
                index,
            } => {
                let Some(raw) = self.current.as_ref() else {
                    return scope.respond(id, FromWorker::NoData { request });
                };
                let answer = match step_preview(raw, &steps, index) {
                    Ok((before, after)) => FromWorker::StepPreview {
                        request,
                        before,
                        after,
                    },
                    Err(error) => FromWorker::CleanFailed {
                        request,
                        error: Json(error),
                    },
                };
                scope.respond(id, answer);
            }
            ToWorker::Alerts {
                request,
                config: Json(config),
            } => {
                let (Some(ds), Some(p)) = (self.current.as_ref(), self.profile.as_ref()) else {
                    return scope.respond(id, FromWorker::NoData { request });
                };
                let found = match self.insights.take() {
                    Some(mut known) => {
                        known.alerts = alerts(ds, p, &known.correlations, &config);
                        known
                    }
                    None => insights(ds, p, &config),
                };
                scope.respond(
                    id,
                    FromWorker::Alerts {
                        request,
                        insights: Json(found.clone()),
                    },
                );
                self.insights = Some(found);
            }
            ToWorker::Explore {
                request,
                query: Json(query),
            } => {
                let Some(ds) = self.current.as_ref() else {
                    return scope.respond(id, FromWorker::NoData { request });
                };
                let reply = match answer(ds, &query) {
                    Ok(a) => FromWorker::Explored {
                        request,
                        answer: Json(a),
                    },
                    Err(e) => FromWorker::ExploreFailed {
                        request,
                        error: Json(e),
                    },
                };
                scope.respond(id, reply);
            }
            ToWorker::Train {
                run: run_id,
                setup: Json(setup),
                steps: Json(steps),
            } => {
                self.training = None;
                let Some(raw) = self.current.as_ref() else {
                    return scope.respond(id, FromWorker::NoData { request: run_id });
                };
                let prepared = match recipe_data(raw, self.cleaned.as_ref(), &steps) {
                    Ok(ds) => Prepared::new(&ds, setup),
                    Err(e) => {
                        return scope.respond(
                            id,
                            FromWorker::CleanFailed {
                                request: run_id,
                                error: Json(e),
                            },
                        )
                    }
                };
                match prepared {
                    Ok(p) => {
                        let board = Run::new(p);
                        scope.respond(
                            id,
                            FromWorker::Training {
                                run: run_id,
                                board: Json(board.board()),
                            },
                        );
                        self.training = Some(Training {
                            run: run_id,
                            asker: id,
                            board,
                            stop: false,
                        });
                        next_tick(scope, run_id);
                    }
                    Err(e) => scope.respond(
                        id,
                        FromWorker::TrainFailed {
                            run: run_id,
                            error: Json(e),
                        },
                    ),
                }
            }
            ToWorker::BenchTrees { request, rows } => {
                let clock = || now_ms() / 1000.0;
                let reply = match crate::core::ml::speed::run(rows, &clock) {
                    Ok(timing) => FromWorker::BenchTrees {
                        request,
                        timing: Json(timing),
                    },
                    Err(e) => FromWorker::MlFailed {
                        request,
                        message: e.to_string(),
                    },
                };
                scope.respond(id, reply);
            }
            ToWorker::StopTraining { run } => {
                if let Some(t) = self.training.as_mut() {
                    if t.run == run {
                        t.stop = true;
                    }
                }
            }
            ToWorker::WhatIf {
                request,
                model,
                cells,
            } => {
                let reply = match self.scorer(&model) {
                    Ok(scorer) => FromWorker::WhatIf {
                        request,
                        answer: Json(scorer.what_if(&cells)),
                    },
                    Err(message) => FromWorker::MlFailed { request, message },
                };
                scope.respond(id, reply);
            }
            ToWorker::Predict {
                request,
                model,
                name,
                bytes,
                steps: Json(steps),
            } => {
                let result = self
                    .scorer(&model)
                    .and_then(|scorer| score_file(scorer, &name, &bytes, &steps));
                scope.respond(
                    id,
                    match result {
                        Ok((rows, bytes)) => FromWorker::Predicted {
                            request,
                            rows,
                            bytes,
                        },
                        Err(message) => FromWorker::MlFailed { request, message },
                    },
                );
            }
            ToWorker::ExportModel { request, model } => {
                let bytes = self
                    .trained(&model)
                    .and_then(|(run, kind)| run.model_bytes(kind));
                let reply = match bytes {
                    Some(bytes) => FromWorker::ModelBytes { request, bytes },
                    None => FromWorker::MlFailed {
                        request,
                        message: not_trained(&model),
                    },
                };
                scope.respond(id, reply);
            }
            ToWorker::LoadModel {
                request,
                key,
                bytes,
            } => {
                let reply = match SavedModel::from_bytes(&bytes) {
                    Ok(m) => {
                        self.saved = Some((key, m));
                        FromWorker::ModelLoaded { request }
                    }
                    Err(e) => FromWorker::MlFailed {
                        request,
                        message: messages::load_error(&e),
                    },
                };
                scope.respond(id, reply);
            }
            ToWorker::Export { request, format } => {
                let (Some(raw), Some((steps, ds))) = (self.current.as_ref(), self.cleaned.as_ref())
                else {
                    return scope.respond(id, FromWorker::NoData { request });
                };
                let mut bytes = Vec::new();
                let written = match format {
                    ExportFormat::Csv => write_csv(ds, &mut bytes).map_err(|e| e.to_string()),
                    ExportFormat::Json => write_json(ds, &mut bytes).map_err(|e| e.to_string()),
                    ExportFormat::Sql => {
                        match crate::core::clean::sql::to_sql(raw, &raw.facts.name, steps) {
                            Ok(sql) => {
                                bytes = sql.into_bytes();
                                Ok(())
                            }
                            Err(error) => {
                                return scope.respond(
                                    id,
                                    FromWorker::CleanFailed {
                                        request,
                                        error: Json(error),
                                    },
                                )
                            }
                        }
                    }
                };
                let answer = match written {
                    Ok(()) => FromWorker::Exported { request, bytes },
                    Err(message) => FromWorker::CleanFailed {
                        request,
                        error: Json(CleanError::Internal { message }),
                    },
                };
                scope.respond(id, answer);
            }
        }
    }
}
