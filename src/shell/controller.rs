//! Commands of the page: each one talks to storage and the worker and
//! dispatches actions to the state. Components only call these.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::oneshot;

use futures::channel::mpsc;
use futures::StreamExt;
use gloo_worker::{Spawnable, WorkerBridge};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::Blob;
use yew::prelude::*;

use super::format;
use super::protocol::{ExportFormat, FromWorker, JobId, Json, ModelRef, SortKey, ToWorker};
use super::state::{Action, CleanResult, State, Tab, MAX_RUNS};
use super::storage::{model_key, new_id, ClientRecord, DatasetRecord, Storage, StorageError};
use super::worker::DataWorker;
use crate::core::clean::auto::Mode;
use crate::core::clean::{Recipe, RunLog, Step};
use crate::core::explore::alerts::AlertConfig;
use crate::core::explore::trend::Trend;
use crate::core::explore::{Answer, Query};
use crate::core::ml::automl::{Board, Setup, Status};
use crate::core::report::{report_html, ReportInput};
use crate::core::{ingest::MAX_FILE_BYTES, sample, DatasetProfile, IngestError};
use crate::messages;

/// Bytes per slice handed to the worker.
const CHUNK: f64 = 4.0 * 1024.0 * 1024.0;

type JobSender = mpsc::UnboundedSender<FromWorker>;

struct Inner {
    dispatch: UseReducerDispatcher<State>,
    storage: RefCell<Option<Storage>>,
    bridge: RefCell<Option<WorkerBridge<DataWorker>>>,
    job: RefCell<Option<(JobId, JobSender)>>,
    next_job: Cell<JobId>,
    next_request: Cell<u32>,
    cancel: Cell<bool>,
    busy: Cell<bool>,
    /// Cleaning requests awaiting the worker's answer.
    pending: RefCell<HashMap<u32, oneshot::Sender<FromWorker>>>,
    /// The alert thresholds in use (also in the state, for the view).
    alert_config: Cell<AlertConfig>,
    /// The training run the page follows, and the dataset it is about
    /// (its versions are saved there when the run finishes).
    ml_run: RefCell<Option<(u32, DatasetRecord)>>,
    /// The storage key of the saved model the worker holds.
    loaded_model: RefCell<Option<String>>,
}

/// What the page knows that goes into a report.
pub struct ReportParts {
    pub profile: Rc<DatasetProfile>,
    /// The trend on the Explore tab, if one was drawn; else this query.
    pub trend: Option<Trend>,
    pub trend_query: Option<Query>,
    pub recipe: Vec<Step>,
    pub last_run: Option<RunLog>,
}

/// How the applied recipe changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecipeChange {
    /// A new version (apply, edit, delete, reorder).
    Push,
    Undo,
    Redo,
    /// Shown again (after opening the dataset): not logged, not saved.
    Show,
}

#[derive(Clone)]
pub struct Controller(Rc<Inner>);

impl PartialEq for Controller {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

enum JobError {
    Cancelled,
    Ingest(IngestError),
    Browser(String),
}

fn js_err(v: wasm_bindgen::JsValue) -> JobError {
    JobError::Browser(
        v.dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| v.as_string())
            .unwrap_or_else(|| "the browser could not read the file".into()),
    )
}

impl Controller {
    pub fn new(dispatch: UseReducerDispatcher<State>) -> Controller {
        let inner = Rc::new(Inner {
            dispatch,
            storage: RefCell::new(None),
            bridge: RefCell::new(None),
            job: RefCell::new(None),
            next_job: Cell::new(1),
            next_request: Cell::new(1),
            cancel: Cell::new(false),
            busy: Cell::new(false),
            pending: RefCell::new(HashMap::new()),
            alert_config: Cell::new(AlertConfig::default()),
            ml_run: RefCell::new(None),
            loaded_model: RefCell::new(None),
        });
        let ctl = Controller(inner);
        let weak = Rc::downgrade(&ctl.0);
        let bridge = DataWorker::spawner()
            .callback(move |out: FromWorker| {
                let Some(inner) = weak.upgrade() else { return };
                let following = inner.ml_run.borrow().as_ref().map(|(r, _)| *r);
                match out {
                    FromWorker::Training { run, board: Json(board) } => {
                        if Some(run) == following && board.finished && !board.cancelled {
                            Controller(inner.clone()).save_model(board.clone());
                        }
                        inner.dispatch.dispatch(Action::MlBoard(run, board));
                        return;
                    }
                    FromWorker::TrainFailed { run, error: Json(error) } => {
                        if Some(run) == following {
                            inner
                                .dispatch
                                .dispatch(Action::MlError(Some(messages::train_error(&error))));
                        }
                        return;
                    }
                    _ => {}
                }
                if let Some(request) = out.request() {
                    if Some(request) == following && !inner.pending.borrow().contains_key(&request) {
                        let msg = match &out {
                            FromWorker::CleanFailed { error, .. } => format!(
                                "The cleaning recipe could not run before training: {}",
                                messages::clean_error(&error.0)
                            ),
                            _ => "The rows of this dataset are not loaded yet. Wait until it has finished loading (see the status bar), then train again.".to_string(),
                        };
                        inner.dispatch.dispatch(Action::MlError(Some(msg)));
                        return;
                    }
                    if let Some(tx) = inner.pending.borrow_mut().remove(&request) {
                        let _ = tx.send(out);
                    }
                    return;
                }
                match out {
                    FromWorker::Rows {
                        request,
                        offset,
                        total,
                        rows,
                    } => {
                        inner.dispatch.dispatch(Action::Rows {
                            request,
                            offset,
                            total,
                            rows,
                        });
                    }
                    other => {
                        let job = match &other {
                            FromWorker::Progress { job, .. }
                            | FromWorker::Profiled { job, .. }
                            | FromWorker::Failed { job, .. } => *job,
                            _ => return,
                        };
                        if let Some((current, tx)) = inner.job.borrow().as_ref() {
                            if *current == job {
                                let _ = tx.unbounded_send(other);
                            }
                        }
                    }
                }
            })
            .spawn("./worker.js");
        *ctl.0.bridge.borrow_mut() = Some(bridge);
        ctl
    }

    fn dispatch(&self, a: Action) {
        self.0.dispatch.dispatch(a);
    }

    fn send(&self, msg: ToWorker) {
        if let Some(b) = self.0.bridge.borrow().as_ref() {
            b.send(msg);
        }
    }

    fn storage(&self) -> Option<Storage> {
        self.0.storage.borrow().clone()
    }

    fn storage_error(&self, action: &str, e: StorageError) {
        self.dispatch(Action::Error(Some(e.user_message(action))));
    }

    /// Opens storage and shows the stored workspace.
    pub fn start(&self) {
        let ctl = self.clone();
        spawn_local(async move {
            match Storage::open().await {
                Ok(st) => {
                    *ctl.0.storage.borrow_mut() = Some(st);
                    let wanted = Storage::selected_client();
                    ctl.refresh_workspace(wanted).await;
                }
                Err(e) => {
                    ctl.dispatch(Action::Workspace {
                        clients: vec![],
                        client: None,
                        datasets: vec![],
                    });
                    ctl.storage_error("open your saved workspaces", e);
                }
            }
            mark_ready();
            ctl.bench_trees_if_asked().await;
        });
    }

    /// `?bench=trees[&rows=N]`: times the tree learners in the worker on
    /// the benchmark data and shows the figures (`bench-trees` hook).
    async fn bench_trees_if_asked(&self) {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
            return;
        };
        if params.get("bench").as_deref() != Some("trees") {
            return;
        }
        let rows = params
            .get("rows")
            .and_then(|r| r.parse().ok())
            .unwrap_or(crate::core::ml::speed::ROWS);
        let answer = self
            .ask(|request| ToWorker::BenchTrees { request, rows })
            .await;
        let shown = match answer {
            Some(FromWorker::BenchTrees {
                timing: Json(t), ..
            }) => Ok(t),
            Some(FromWorker::MlFailed { message, .. }) => Err(message),
            _ => Err("the worker did not answer".to_string()),
        };
        self.dispatch(Action::BenchTrees(shown));
    }

    /// Reads clients and the datasets of `client` (or of the first client).
    async fn refresh_workspace(&self, client: Option<String>) {
        let Some(st) = self.storage() else { return };
        let clients = match st.clients().await {
            Ok(c) => c,
            Err(e) => return self.storage_error("read your workspaces", e),
        };
        let client = client
            .filter(|id| clients.iter().any(|c| &c.id == id))
            .or_else(|| clients.first().map(|c| c.id.clone()));
        let datasets = match &client {
            Some(id) => match st.datasets(id).await {
                Ok(d) => d,
                Err(e) => return self.storage_error("read this client's datasets", e),
            },
            None => vec![],
        };
        Storage::set_selected_client(client.as_deref());
        self.dispatch(Action::Workspace {
            clients,
            client,
            datasets,
        });
    }

    pub fn create_client(&self, name: String) {
        let name = name.trim().to_string();
        if name.is_empty() {
            self.dispatch(Action::Error(Some(
                "Type a name for the new client first (for example \"Acme Ltd\"), then press Create.".into(),
            )));
            return;
        }
        let ctl = self.clone();
        spawn_local(async move {
            let _ = ctl.create_client_now(name).await;
        });
    }

    async fn create_client_now(&self, name: String) -> Option<String> {
        let st = self.storage()?;
        let rec = ClientRecord {
            id: new_id("c"),
            name,
            created_ms: js_sys::Date::now(),
        };
        if let Err(e) = st.put_client(&rec).await {
            self.storage_error("create the client", e);
            return None;
        }
        self.dispatch(Action::Error(None));
        self.refresh_workspace(Some(rec.id.clone())).await;
        Some(rec.id)
    }

    pub fn rename_client(&self, id: String, name: String) {
        let name = name.trim().to_string();
        if name.is_empty() {
            self.dispatch(Action::Error(Some(
                "Type the new name for this client first.".into(),
            )));
            return;
        }
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            let Ok(clients) = st.clients().await else {
                return;
            };
            let Some(mut rec) = clients.into_iter().find(|c| c.id == id) else {
                return;
            };
            rec.name = name;
            if let Err(e) = st.put_client(&rec).await {
                return ctl.storage_error("rename the client", e);
            }
            ctl.refresh_workspace(Some(id)).await;
        });
    }

    pub fn switch_client(&self, id: String) {
        let ctl = self.clone();
        spawn_local(async move { ctl.refresh_workspace(Some(id)).await });
    }

    pub fn delete_client(&self, id: String) {
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            if let Err(e) = st.delete_client(&id).await {
                return ctl.storage_error("delete the client", e);
            }
            ctl.refresh_workspace(None).await;
        });
    }

    pub fn delete_dataset(&self, client: String, id: String) {
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            if let Err(e) = st.delete_dataset(&id).await {
                return ctl.storage_error("delete the dataset", e);
            }
            ctl.dispatch(Action::Select {
                id: None,
                profile: None,
            });
            ctl.refresh_workspace(Some(client)).await;
        });
    }

    pub fn set_tab(&self, tab: Tab) {
        self.dispatch(Action::Tab(tab));
    }

    pub fn dismiss_error(&self) {
        self.dispatch(Action::Error(None));
    }

    pub fn cancel_job(&self) {
        if self.0.busy.get() {
            self.0.cancel.set(true);
        }
    }

    /// Loads the bundled sample into the current (or a new) client.
    pub fn load_sample(&self, client: Option<String>) {
        let text = sample::marketing_csv();
        let parts = js_sys::Array::new();
        parts.push(&wasm_bindgen::JsValue::from_str(&text));
        let opts = web_sys::BlobPropertyBag::new();
        opts.set_type("text/csv");
        match Blob::new_with_str_sequence_and_options(&parts, &opts) {
            Ok(blob) => self.load_blob(client, sample::SAMPLE_FILE_NAME.to_string(), blob),
            Err(_) => self.dispatch(Action::Error(Some(
                "Could not create the sample data in this browser.".into(),
            ))),
        }
    }

    /// Reads, profiles and saves a file the user gave us.
    pub fn load_blob(&self, client: Option<String>, name: String, blob: Blob) {
        if self.0.busy.get() {
            self.dispatch(Action::Notice(Some(format!(
                "Still loading the previous file; {name} was not loaded. Wait for it to finish or cancel it, then drop {name} again."
            ))));
            return;
        }
        let ctl = self.clone();
        spawn_local(async move {
            let client = match client {
                Some(c) => c,
                None => match ctl.create_client_now("My workspace".into()).await {
                    Some(c) => c,
                    None => return,
                },
            };
            let size = blob.size();
            let Some((profile, elapsed_ms, wasm_memory)) = ctl.run_ingest(&name, &blob).await
            else {
                return;
            };
            let Some(st) = ctl.storage() else { return };
            let profile_json = match serde_json::to_string(&profile) {
                Ok(j) => j,
                Err(e) => {
                    return ctl.dispatch(Action::JobFailed(format!("Could not save {name}: {e}.")))
                }
            };
            let rec = DatasetRecord {
                id: new_id("d"),
                client_id: client.clone(),
                name: name.clone(),
                size,
                loaded_ms: js_sys::Date::now(),
                rows: profile.rows as f64,
                cols: profile.columns as f64,
                profile: profile_json,
                recipe: String::new(),
                runs: String::new(),
                models: String::new(),
            };
            match st.put_dataset(&rec, &blob).await {
                Ok(()) => {
                    ctl.refresh_workspace(Some(client)).await;
                    ctl.dispatch(Action::Select {
                        id: Some(rec.id.clone()),
                        profile: Some(Rc::new(profile)),
                    });
                    ctl.dispatch(Action::CleanLoad {
                        dataset: rec.id.clone(),
                        steps: Vec::new(),
                        runs: Vec::new(),
                    });
                    ctl.worker_now_holds(rec.id, rec.rows as usize);
                    ctl.dispatch(Action::JobDone {
                        elapsed_ms,
                        wasm_memory,
                    });
                }
                Err(e) => {
                    ctl.dispatch(Action::JobFailed(
                        e.user_message(&format!("save {name} in this browser")),
                    ));
                }
            }
        });
    }

    /// Shows a stored dataset: its profile at once, then its rows (re-read
    /// from the stored bytes by the worker).
    pub fn open_dataset(&self, rec: DatasetRecord) {
        let profile = rec.profile().map(Rc::new);
        if profile.is_none() {
            self.dispatch(Action::Error(Some(format!(
                "The saved profile of {} could not be read; it is being read again from the stored file.",
                rec.name
            ))));
        }
        self.dispatch(Action::Select {
            id: Some(rec.id.clone()),
            profile: profile.clone(),
        });
        let (steps, runs) = stored_recipe(&rec);
        self.dispatch(Action::CleanLoad {
            dataset: rec.id.clone(),
            steps: steps.clone(),
            runs: runs.clone(),
        });
        if self.0.busy.get() {
            self.dispatch(Action::Notice(Some(format!(
                "The profile of {} is shown; its rows will be read when the current file has finished loading. Click the dataset again then.",
                rec.name
            ))));
            return;
        }
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            let blob = match st.file(&rec.id).await {
                Ok(Some(b)) => b,
                Ok(None) => {
                    return ctl.dispatch(Action::Error(Some(format!(
                    "The stored copy of {} is missing. Delete the dataset and load the file again.",
                    rec.name
                ))))
                }
                Err(e) => return ctl.storage_error(&format!("read {}", rec.name), e),
            };
            if let Some((fresh, elapsed_ms, wasm_memory)) = ctl.run_ingest(&rec.name, &blob).await {
                if profile.is_none() {
                    ctl.dispatch(Action::Select {
                        id: Some(rec.id.clone()),
                        profile: Some(Rc::new(fresh)),
                    });
                }
                ctl.worker_now_holds(rec.id.clone(), rec.rows as usize);
                ctl.dispatch(Action::JobDone {
                    elapsed_ms,
                    wasm_memory,
                });
                if !steps.is_empty() {
                    ctl.apply_recipe(rec, steps, runs, RecipeChange::Show);
                }
            }
        });
    }

    fn worker_now_holds(&self, dataset: String, total: usize) {
        self.dispatch(Action::WorkerHolds {
            dataset: dataset.clone(),
            total,
        });
        // The alerts follow the profile (correlations take a moment).
        self.refresh_insights(dataset);
    }

    /// Asks the worker for the insights of `dataset` under the current
    /// alert thresholds.
    pub fn refresh_insights(&self, dataset: String) {
        let ctl = self.clone();
        let config = self.0.alert_config.get();
        spawn_local(async move {
            if let Some(FromWorker::Alerts {
                insights: Json(insights),
                ..
            }) = ctl
                .ask(|request| ToWorker::Alerts {
                    request,
                    config: Json(config),
                })
                .await
            {
                ctl.dispatch(Action::Insights(dataset, Rc::new(insights)));
            }
        });
    }

    /// New alert thresholds: the alerts are computed again.
    pub fn set_alert_config(&self, dataset: Option<String>, config: AlertConfig) {
        self.0.alert_config.set(config);
        self.dispatch(Action::AlertConfig(config));
        if let Some(id) = dataset {
            self.refresh_insights(id);
        }
    }

    /// Asks the worker for a chart of the columns the user picked.
    pub fn explore(&self, dataset: String, query: Query) {
        let ctl = self.clone();
        spawn_local(async move {
            match ctl
                .ask(|request| ToWorker::Explore {
                    request,
                    query: Json(query),
                })
                .await
            {
                Some(FromWorker::Explored {
                    answer: Json(answer),
                    ..
                }) => ctl.dispatch(Action::Explored(dataset, answer)),
                Some(FromWorker::ExploreFailed {
                    error: Json(error), ..
                }) => ctl.dispatch(Action::ExploreError(Some(messages::explore_error(&error)))),
                Some(FromWorker::NoData { .. }) => ctl.dispatch(Action::ExploreError(Some(
                    "The data is still loading; try again in a moment.".into(),
                ))),
                _ => {}
            }
        });
    }

    /// Asks the worker for preview rows.
    pub fn request_rows(&self, offset: usize, limit: usize, sort: Option<SortKey>) {
        let request = self.0.next_request.get();
        self.0.next_request.set(request.wrapping_add(1));
        self.dispatch(Action::RowsRequested(request));
        self.send(ToWorker::Rows {
            request,
            offset,
            limit,
            sort,
        });
    }

    pub fn set_sort(&self, sort: Option<SortKey>) {
        self.dispatch(Action::Sort(sort));
    }

    /// Streams `blob` to the worker in slices, waits for its profile.
    /// Shows progress; turns every failure into a message.
    async fn run_ingest(&self, name: &str, blob: &Blob) -> Option<(DatasetProfile, f64, u64)> {
        let size = blob.size();
        if size as u64 > MAX_FILE_BYTES {
            let err = IngestError::TooLarge {
                size: size as u64,
                limit: MAX_FILE_BYTES,
            };
            self.dispatch(Action::JobStart(format!("Reading {name}"), true));
            self.dispatch(Action::JobFailed(messages::ingest_error(name, &err)));
            return None;
        }
        self.0.busy.set(true);
        self.0.cancel.set(false);
        self.dispatch(Action::JobStart(format!("Reading {name}"), true));
        let result = self.stream(name, blob, size).await;
        *self.0.job.borrow_mut() = None;
        self.0.busy.set(false);
        match result {
            Ok(r) => Some(r),
            Err(JobError::Cancelled) => {
                self.dispatch(Action::JobCancelled);
                None
            }
            Err(JobError::Ingest(e)) => {
                self.dispatch(Action::JobFailed(messages::ingest_error(name, &e)));
                None
            }
            Err(JobError::Browser(why)) => {
                self.dispatch(Action::JobFailed(format!(
                    "The browser could not read {name} ({why}). Check that the file is still there and try again."
                )));
                None
            }
        }
    }

    async fn stream(
        &self,
        name: &str,
        blob: &Blob,
        size: f64,
    ) -> Result<(DatasetProfile, f64, u64), JobError> {
        let job = self.0.next_job.get();
        self.0.next_job.set(job.wrapping_add(1));
        let (tx, mut rx) = mpsc::unbounded::<FromWorker>();
        *self.0.job.borrow_mut() = Some((job, tx));

        self.send(ToWorker::Begin {
            job,
            name: name.to_string(),
            size: size as u64,
        });
        self.expect_progress(&mut rx).await?;
        // Read the next slice while the worker parses the current one.
        let read = |start: f64| -> Result<JsFuture, JobError> {
            let end = (start + CHUNK).min(size);
            let slice = blob.slice_with_f64_and_f64(start, end).map_err(js_err)?;
            Ok(JsFuture::from(slice.array_buffer()))
        };
        let mut offset = 0.0;
        let mut pending = if size > 0.0 { Some(read(0.0)?) } else { None };
        while let Some(reading) = pending.take() {
            if self.0.cancel.get() {
                self.send(ToWorker::Cancel { job });
                return Err(JobError::Cancelled);
            }
            let buf = reading.await.map_err(js_err)?;
            let bytes = js_sys::Uint8Array::new(&buf).to_vec();
            offset += bytes.len() as f64;
            self.send(ToWorker::Chunk { job, bytes });
            if offset < size {
                pending = Some(read(offset)?);
            }
            let done = self.expect_progress(&mut rx).await?;
            self.dispatch(Action::JobProgress(if size > 0.0 {
                done as f64 / size
            } else {
                1.0
            }));
        }
        self.send(ToWorker::Finish { job });
        match rx.next().await {
            Some(FromWorker::Profiled {
                profile,
                elapsed_ms,
                wasm_memory,
                ..
            }) => Ok((*profile, elapsed_ms, wasm_memory)),
            Some(FromWorker::Failed { error, .. }) => Err(JobError::Ingest(error)),
            _ => Err(JobError::Browser(
                "the background worker stopped answering".into(),
            )),
        }
    }

    async fn expect_progress(
        &self,
        rx: &mut mpsc::UnboundedReceiver<FromWorker>,
    ) -> Result<u64, JobError> {
        match rx.next().await {
            Some(FromWorker::Progress { bytes_done, .. }) => Ok(bytes_done),
            Some(FromWorker::Failed { error, .. }) => Err(JobError::Ingest(error)),
            _ => Err(JobError::Browser(
                "the background worker stopped answering".into(),
            )),
        }
    }
}

/// The recipe and processing log stored with a dataset.
pub fn stored_recipe(rec: &DatasetRecord) -> (Vec<Step>, Vec<RunLog>) {
    let steps = Recipe::from_json(&rec.recipe)
        .map(|r| r.steps)
        .unwrap_or_default();
    let runs = serde_json::from_str(&rec.runs).unwrap_or_default();
    (steps, runs)
}

/// Offers `bytes` as a file download named `name`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    download_blob(name, &typed_blob(bytes, mime)?)
}

fn typed_blob(bytes: &[u8], mime: &str) -> Result<Blob, String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::new();
    parts.push(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(describe_js)
}

/// Bytes as a Blob (what IndexedDB stores).
fn bytes_blob(bytes: &[u8]) -> Result<Blob, String> {
    typed_blob(bytes, "application/octet-stream")
}

fn describe_js(v: wasm_bindgen::JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "the browser refused".into())
}

/// Offers `blob` as a file download named `name`.
pub fn download_blob(name: &str, blob: &Blob) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(describe_js)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(describe_js)?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    if let Some(body) = document.body() {
        let _ = body.append_child(&a);
    }
    a.click();
    a.remove();
    // Let the download start before the URL goes.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
    Ok(())
}

/// `sales.csv` → `sales`.
fn base_name(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((base, _)) if !base.is_empty() => base,
        _ => name,
    }
}

/// One saved model version: when, what it learnt, how it scored, and which
/// of its fitted models are kept (their bytes are in the `models` store).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelVersion {
    pub version: u32,
    /// ISO 8601 time of saving.
    pub saved: String,
    /// The applied recipe it learnt after.
    pub steps: Vec<Step>,
    pub board: Board,
    /// The models kept with their size in bytes (versions saved before
    /// models were kept have none).
    #[serde(default)]
    pub kept: Vec<(String, u64)>,
    /// Models not kept, and why (too large).
    #[serde(default)]
    pub not_kept: Vec<(String, String)>,
}

impl ModelVersion {
    pub fn keeps(&self, model: &str) -> bool {
        self.kept.iter().any(|(m, _)| m == model)
    }
}

/// A model above this many bytes is not kept (a forest fully grown on
/// many rows): its scores are, and training again recreates it.
pub const MAX_MODEL_BYTES: usize = 64 << 20;

/// Versions kept per dataset (oldest dropped first).
pub const MAX_VERSIONS: usize = 20;

/// The saved model versions of a dataset, oldest first.
pub fn model_versions(rec: &DatasetRecord) -> Vec<ModelVersion> {
    serde_json::from_str(&rec.models).unwrap_or_default()
}

impl Controller {
    /// Starts building a leaderboard on the data after `steps`.
    pub fn train(&self, rec: DatasetRecord, setup: Setup, steps: Vec<Step>) {
        let run = self.0.next_request.get();
        self.0.next_request.set(run.wrapping_add(1));
        *self.0.ml_run.borrow_mut() = Some((run, rec.clone()));
        self.dispatch(Action::MlStart(rec.id.clone(), run));
        self.send(ToWorker::Train {
            run,
            setup: Json(setup),
            steps: Json(steps),
        });
    }

    /// Forgets the what-if answer and the scored file (another model is
    /// in use).
    pub fn clear_use(&self) {
        self.dispatch(Action::MlWhatIf(None));
        self.dispatch(Action::MlPredicted(None));
    }

    /// The model the what-if form and predictions use.
    pub fn select_model(&self, model: Option<String>) {
        self.dispatch(Action::MlSelect(model));
    }

    /// Stops the run after the job in progress.
    pub fn stop_training(&self) {
        if let Some((run, _)) = self.0.ml_run.borrow().as_ref() {
            self.send(ToWorker::StopTraining { run: *run });
        }
    }

    /// Saves a finished board as the dataset's next model version, with
    /// every finished model's fitted form (so a reload can still use them).
    fn save_model(&self, board: Board) {
        let Some((_, rec)) = self.0.ml_run.borrow().clone() else {
            return;
        };
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            // The fitted models first (from the worker), then one write.
            let mut kept = Vec::new();
            let mut not_kept = Vec::new();
            let mut blobs = Vec::new();
            for e in board.entries.iter().filter(|e| e.status == Status::Done) {
                let name = e.model.name().to_string();
                let answer = ctl
                    .ask(|request| ToWorker::ExportModel {
                        request,
                        model: name.clone(),
                    })
                    .await;
                match answer {
                    Some(FromWorker::ModelBytes { bytes, .. })
                        if bytes.len() <= MAX_MODEL_BYTES =>
                    {
                        kept.push((name, bytes.len() as u64));
                        blobs.push(bytes);
                    }
                    Some(FromWorker::ModelBytes { bytes, .. }) => not_kept.push((
                        name,
                        format!(
                            "too large to keep ({} MB; at most {} MB)",
                            bytes.len() >> 20,
                            MAX_MODEL_BYTES >> 20
                        ),
                    )),
                    Some(FromWorker::MlFailed { message, .. }) => not_kept.push((name, message)),
                    _ => not_kept.push((name, "the worker did not answer".into())),
                }
            }
            // The stored record may have changed (recipe saved) since.
            let mut rec = match st.datasets(&rec.client_id).await {
                Ok(list) => list.into_iter().find(|d| d.id == rec.id).unwrap_or(rec),
                Err(_) => rec,
            };
            let (steps, _) = stored_recipe(&rec);
            let mut versions = model_versions(&rec);
            let version = versions.last().map_or(1, |v| v.version + 1);
            let mut add = Vec::new();
            for ((name, _), bytes) in kept.iter().zip(blobs) {
                match bytes_blob(&bytes) {
                    Ok(b) => add.push((model_key(&rec.id, version, name), b)),
                    Err(e) => {
                        return ctl.dispatch(Action::MlError(Some(format!(
                            "Could not save the model: {e}"
                        ))))
                    }
                }
            }
            versions.push(ModelVersion {
                version,
                saved: String::from(js_sys::Date::new_0().to_iso_string()),
                steps,
                board,
                kept,
                not_kept,
            });
            let extra = versions.len().saturating_sub(MAX_VERSIONS);
            let dropped: Vec<String> = versions
                .drain(..extra)
                .map(|v| model_key(&rec.id, v.version, ""))
                .collect();
            rec.models = serde_json::to_string(&versions).unwrap_or_default();
            if let Err(e) = st.put_models(&rec, &add, &dropped).await {
                ctl.dispatch(Action::MlError(Some(e.user_message("save the model"))));
                return;
            }
            ctl.refresh_workspace(Some(rec.client_id.clone())).await;
        });
    }

    /// Makes the worker hold the kept model under `key` (read from
    /// storage) unless it already does.
    async fn load_saved(&self, key: &str) -> Result<(), String> {
        if self.0.loaded_model.borrow().as_deref() == Some(key) {
            return Ok(());
        }
        let st = self
            .storage()
            .ok_or_else(|| "The browser's storage is not open, so the saved model cannot be read. Reload the page.".to_string())?;
        let blob = match st.model(key).await {
            Ok(Some(b)) => b,
            Ok(None) => return Err("This saved model is no longer in the browser's storage (it may have been cleared). Its scores are still shown; press “Train again” to recreate it.".into()),
            Err(e) => return Err(e.user_message("read the saved model")),
        };
        let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|e| {
            format!(
                "The browser could not read the saved model: {}",
                describe_js(e)
            )
        })?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        let answer = self
            .ask(|request| ToWorker::LoadModel {
                request,
                key: key.to_string(),
                bytes,
            })
            .await;
        match answer {
            Some(FromWorker::ModelLoaded { .. }) => {
                *self.0.loaded_model.borrow_mut() = Some(key.to_string());
                Ok(())
            }
            Some(FromWorker::MlFailed { message, .. }) => Err(message),
            _ => Err("The background worker stopped answering. Reload the page; your data and models are saved.".into()),
        }
    }

    /// The prediction of `model` for one row of text cells.
    pub fn what_if(&self, model: ModelRef, cells: Vec<String>) {
        let ctl = self.clone();
        spawn_local(async move {
            if let ModelRef::Saved(key) = &model {
                if let Err(message) = ctl.load_saved(key).await {
                    return ctl.dispatch(Action::MlError(Some(message)));
                }
            }
            ctl.dispatch(Action::MlError(None));
            let answer = ctl
                .ask(|request| ToWorker::WhatIf {
                    request,
                    model,
                    cells,
                })
                .await;
            match answer {
                Some(FromWorker::WhatIf {
                    answer: Json(a), ..
                }) => ctl.dispatch(Action::MlWhatIf(Some(a))),
                Some(FromWorker::MlFailed { message, .. }) => {
                    ctl.dispatch(Action::MlError(Some(message)))
                }
                _ => ctl.dispatch(Action::MlError(Some(
                    "The background worker stopped answering. Reload the page; your data and models are saved.".into(),
                ))),
            }
        });
    }

    /// Scores a new file with `model` (after the recipe `steps`).
    pub fn predict(&self, model: ModelRef, file: web_sys::File, steps: Vec<Step>) {
        let ctl = self.clone();
        spawn_local(async move {
            let name = file.name();
            ctl.dispatch(Action::MlPredicted(None));
            ctl.dispatch(Action::MlError(None));
            let buffer = match JsFuture::from(file.array_buffer()).await {
                Ok(b) => b,
                Err(e) => {
                    return ctl.dispatch(Action::MlError(Some(format!(
                        "The browser could not read {name}: {}",
                        describe_js(e)
                    ))))
                }
            };
            let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
            if let ModelRef::Saved(key) = &model {
                if let Err(message) = ctl.load_saved(key).await {
                    return ctl.dispatch(Action::MlError(Some(message)));
                }
            }
            let sent_name = name.clone();
            let answer = ctl
                .ask(|request| ToWorker::Predict {
                    request,
                    model,
                    name: sent_name,
                    bytes,
                    steps: Json(steps),
                })
                .await;
            match answer {
                Some(FromWorker::Predicted { rows, bytes, .. }) => {
                    let out = format!("{}-predictions.csv", base_name(&name));
                    ctl.dispatch(Action::MlPredicted(Some(Rc::new((out, rows, bytes)))));
                }
                Some(FromWorker::MlFailed { message, .. }) => {
                    ctl.dispatch(Action::MlError(Some(message)))
                }
                _ => ctl.dispatch(Action::MlError(Some(
                    "The background worker stopped answering. Reload the page; your data and models are saved.".into(),
                ))),
            }
        });
    }

    /// Sends a cleaning request and awaits its answer.
    async fn ask(&self, make: impl FnOnce(u32) -> ToWorker) -> Option<FromWorker> {
        let request = self.0.next_request.get();
        self.0.next_request.set(request.wrapping_add(1));
        let (tx, rx) = oneshot::channel();
        self.0.pending.borrow_mut().insert(request, tx);
        self.send(make(request));
        rx.await.ok()
    }

    /// Turns a failed cleaning answer into the job's error message (or just
    /// a message when no job was running, e.g. an export).
    fn clean_failed(&self, answer: Option<FromWorker>) {
        self.clean_failed_as(answer, true);
    }

    fn clean_failed_as(&self, answer: Option<FromWorker>, job: bool) {
        let msg = match answer {
            Some(FromWorker::CleanFailed { error, .. }) => messages::clean_error(&error.0),
            Some(FromWorker::NoData { .. }) => {
                "The rows of this dataset are not loaded yet. Wait until it has finished loading (see the status bar), then try again.".to_string()
            }
            _ => "The background worker stopped answering. Reload the page; your data and recipes are saved.".to_string(),
        };
        self.dispatch(if job {
            Action::JobFailed(msg)
        } else {
            Action::Error(Some(msg))
        });
    }

    pub fn show_error(&self, message: String) {
        self.dispatch(Action::Error(Some(message)));
    }

    pub fn set_clean_mode(&self, mode: Mode) {
        self.dispatch(Action::CleanMode(mode));
    }

    pub fn toggle_proposal(&self, index: usize) {
        self.dispatch(Action::ToggleProposal(index));
    }

    pub fn edit_step(&self, index: Option<usize>) {
        self.dispatch(Action::Editing(index));
    }

    /// Proposes a recipe (continuing the applied `steps`).
    pub fn propose(&self, mode: Mode, steps: Vec<Step>) {
        if self.0.busy.get() {
            return self.dispatch(Action::Notice(Some(
                "A file is still loading; propose a recipe when it has finished.".into(),
            )));
        }
        let ctl = self.clone();
        spawn_local(async move {
            ctl.dispatch(Action::JobStart(
                "Proposing a cleaning recipe".into(),
                false,
            ));
            let started = js_sys::Date::now();
            let steps = Json(steps);
            match ctl
                .ask(|request| ToWorker::Propose {
                    request,
                    mode,
                    steps,
                })
                .await
            {
                Some(FromWorker::Proposed {
                    proposals: Json(proposals),
                    ..
                }) => {
                    if proposals.is_empty() {
                        ctl.dispatch(Action::Notice(Some(
                            "Nothing to propose: no problem found that this mode fixes.".into(),
                        )));
                    }
                    ctl.dispatch(Action::Proposed(proposals));
                    ctl.dispatch(Action::JobDone {
                        elapsed_ms: js_sys::Date::now() - started,
                        wasm_memory: 0,
                    });
                }
                other => ctl.clean_failed(other),
            }
        });
    }

    /// Makes `steps` the applied recipe of `rec`: runs it in the worker,
    /// shows the result, logs the run and saves recipe and log (except for
    /// `Show`). On failure nothing is saved and the message says which step.
    pub fn apply_recipe(
        &self,
        rec: DatasetRecord,
        steps: Vec<Step>,
        runs: Vec<RunLog>,
        change: RecipeChange,
    ) {
        if self.0.busy.get() {
            return self.dispatch(Action::Notice(Some(
                "A file is still loading; apply the recipe when it has finished.".into(),
            )));
        }
        let ctl = self.clone();
        spawn_local(async move {
            ctl.dispatch(Action::JobStart(format!("Cleaning {}", rec.name), false));
            let sent = Json(steps.clone());
            let answer = ctl
                .ask(|request| ToWorker::Clean {
                    request,
                    steps: sent,
                })
                .await;
            let Some(FromWorker::Cleaned {
                log: Json(mut log),
                profile,
                sample,
                elapsed_ms,
                wasm_memory,
                ..
            }) = answer
            else {
                return ctl.clean_failed(answer);
            };
            match change {
                RecipeChange::Push => ctl.dispatch(Action::RecipePush(steps.clone())),
                RecipeChange::Undo => ctl.dispatch(Action::Undo),
                RecipeChange::Redo => ctl.dispatch(Action::Redo),
                RecipeChange::Show => {}
            }
            ctl.dispatch(Action::CleanResult(Rc::new(CleanResult {
                steps: steps.clone(),
                log: log.clone(),
                profile: *profile,
                sample,
            })));
            if change != RecipeChange::Show {
                log.at = String::from(js_sys::Date::new_0().to_iso_string());
                ctl.dispatch(Action::RunLogged(log.clone()));
                let mut runs = runs;
                runs.push(log);
                let extra = runs.len().saturating_sub(MAX_RUNS);
                runs.drain(..extra);
                let mut rec = rec;
                rec.recipe = Recipe::new(steps).to_json();
                rec.runs = serde_json::to_string(&runs).unwrap_or_default();
                let Some(st) = ctl.storage() else { return };
                if let Err(e) = st.put_dataset_record(&rec).await {
                    ctl.dispatch(Action::JobFailed(e.user_message("save the recipe")));
                    return;
                }
                ctl.refresh_workspace(Some(rec.client_id.clone())).await;
            }
            ctl.dispatch(Action::JobDone {
                elapsed_ms,
                wasm_memory,
            });
        });
    }

    /// Replaces the applied recipe by one read from a recipe file (exported
    /// from Plainsight). A file that is not a recipe, or a recipe that needs
    /// columns this data lacks, is explained and changes nothing.
    pub fn import_recipe(&self, rec: DatasetRecord, runs: Vec<RunLog>, file: web_sys::File) {
        let ctl = self.clone();
        spawn_local(async move {
            let name = file.name();
            let text = match JsFuture::from(file.text()).await {
                Ok(t) => t.as_string().unwrap_or_default(),
                Err(_) => {
                    return ctl.show_error(format!(
                        "The browser could not read {name}. Check the file and try again."
                    ))
                }
            };
            match Recipe::from_json(&text) {
                Ok(recipe) => ctl.apply_recipe(rec, recipe.steps, runs, RecipeChange::Push),
                Err(e) => ctl.show_error(format!("{name}: {}", messages::clean_error(&e))),
            }
        });
    }

    /// Shows the data before and after step `index` of `steps`.
    pub fn preview_step(&self, steps: Vec<Step>, index: usize) {
        let ctl = self.clone();
        spawn_local(async move {
            let steps = Json(steps);
            match ctl
                .ask(|request| ToWorker::StepPreview {
                    request,
                    steps,
                    index,
                })
                .await
            {
                Some(FromWorker::StepPreview { before, after, .. }) => {
                    ctl.dispatch(Action::StepPreview(Some((index, Rc::new((before, after))))));
                }
                other => ctl.clean_failed_as(other, false),
            }
        });
    }

    /// Downloads the cleaned data (or the recipe as SQL) of `dataset_name`.
    pub fn export(&self, dataset_name: String, format: ExportFormat) {
        let ctl = self.clone();
        spawn_local(async move {
            let (suffix, mime) = match format {
                ExportFormat::Csv => ("cleaned.csv", "text/csv"),
                ExportFormat::Json => ("cleaned.json", "application/json"),
                ExportFormat::Sql => ("recipe.sql", "application/sql"),
            };
            match ctl
                .ask(|request| ToWorker::Export { request, format })
                .await
            {
                Some(FromWorker::Exported { bytes, .. }) => {
                    let name = format!("{}.{suffix}", base_name(&dataset_name));
                    if let Err(why) = download(&name, mime, &bytes) {
                        ctl.dispatch(Action::Error(Some(format!(
                            "Could not save {name} ({why}). Try again."
                        ))));
                    }
                }
                other => ctl.clean_failed_as(other, false),
            }
        });
    }

    /// Downloads the self-contained HTML report of a dataset: the page asks
    /// the worker for the insights (and the trend when there is none yet),
    /// then writes the report here (the charts are drawn as SVG, which needs
    /// the page's fonts).
    pub fn export_report(&self, dataset_name: String, parts: ReportParts) {
        let ctl = self.clone();
        spawn_local(async move {
            let started = js_sys::Date::now();
            ctl.dispatch(Action::JobStart("Writing the report".into(), false));
            let config = ctl.0.alert_config.get();
            let insights = match ctl
                .ask(|request| ToWorker::Alerts {
                    request,
                    config: Json(config),
                })
                .await
            {
                Some(FromWorker::Alerts {
                    insights: Json(i), ..
                }) => i,
                _ => {
                    ctl.dispatch(Action::JobFailed(format!(
                        "The report for {dataset_name} could not be written: the data is not loaded yet. Wait until it shows, then try again."
                    )));
                    return;
                }
            };
            let mut trend = parts.trend;
            if trend.is_none() {
                if let Some(q) = parts.trend_query {
                    if let Some(FromWorker::Explored {
                        answer: Json(Answer::Trend(t)),
                        ..
                    }) = ctl
                        .ask(|request| ToWorker::Explore {
                            request,
                            query: Json(q),
                        })
                        .await
                    {
                        trend = Some(t);
                    }
                }
            }
            let generated = format::when(js_sys::Date::now());
            let html = report_html(&ReportInput {
                profile: &parts.profile,
                insights: &insights,
                trend: trend.as_ref(),
                recipe: &parts.recipe,
                last_run: parts.last_run.as_ref(),
                generated: &generated,
            });
            let name = format!("{}-report.html", base_name(&dataset_name));
            match download(&name, "text/html", html.as_bytes()) {
                Ok(()) => ctl.dispatch(Action::JobDone {
                    elapsed_ms: js_sys::Date::now() - started,
                    wasm_memory: 0,
                }),
                Err(why) => ctl.dispatch(Action::JobFailed(format!(
                    "Could not save {name} ({why}). Try again."
                ))),
            }
        });
    }

    /// Downloads the recipe as JSON.
    pub fn export_recipe_json(&self, dataset_name: &str, steps: Vec<Step>) {
        let name = format!("{}.recipe.json", base_name(dataset_name));
        if let Err(why) = download(
            &name,
            "application/json",
            Recipe::new(steps).to_json().as_bytes(),
        ) {
            self.dispatch(Action::Error(Some(format!(
                "Could not save {name} ({why}). Try again."
            ))));
        }
    }
}

fn mark_ready() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-app-ready", "true");
    }
}

impl Controller {
    pub fn dispatch_notice_clear(&self) {
        self.dispatch(Action::Notice(None));
    }
}
