//! Commands of the page: each one talks to storage and the worker and
//! dispatches actions to the state. Components only call these.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use futures::channel::mpsc;
use futures::StreamExt;
use gloo_worker::{Spawnable, WorkerBridge};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::Blob;
use yew::prelude::*;

use super::protocol::{FromWorker, JobId, SortKey, ToWorker};
use super::state::{Action, State, Tab};
use super::storage::{new_id, ClientRecord, DatasetRecord, Storage, StorageError};
use super::worker::DataWorker;
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
        });
        let ctl = Controller(inner);
        let weak = Rc::downgrade(&ctl.0);
        let bridge = DataWorker::spawner()
            .callback(move |out: FromWorker| {
                let Some(inner) = weak.upgrade() else { return };
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
                            FromWorker::Rows { .. } => return,
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
        });
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
            };
            match st.put_dataset(&rec, &blob).await {
                Ok(()) => {
                    ctl.refresh_workspace(Some(client)).await;
                    ctl.dispatch(Action::Select {
                        id: Some(rec.id.clone()),
                        profile: Some(Rc::new(profile)),
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
                ctl.worker_now_holds(rec.id, rec.rows as usize);
                ctl.dispatch(Action::JobDone {
                    elapsed_ms,
                    wasm_memory,
                });
            }
        });
    }

    fn worker_now_holds(&self, dataset: String, total: usize) {
        self.dispatch(Action::WorkerHolds { dataset, total });
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
            self.dispatch(Action::JobStart(format!("Reading {name}")));
            self.dispatch(Action::JobFailed(messages::ingest_error(name, &err)));
            return None;
        }
        self.0.busy.set(true);
        self.0.cancel.set(false);
        self.dispatch(Action::JobStart(format!("Reading {name}")));
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
