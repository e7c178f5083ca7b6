//! Reading files and stored datasets into the worker, and the preview rows.

use std::rc::Rc;

use futures::channel::mpsc;
use futures::StreamExt;
use gloo::timers::future::TimeoutFuture;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::Blob;

use super::{Controller, RecipeChange};
use crate::core::clean::{Recipe, RunLog, Step};
use crate::core::workbook::SheetInfo;
use crate::core::{ingest::MAX_FILE_BYTES, sample, DatasetProfile, IngestError};
use crate::messages;
use crate::protocol::{
    Ask, DatasetRef, FromWorker, LoadId, Purpose, Reply, RowFilter, SortKey, ToWorker,
};
use crate::shell::state::{Action, SheetPick};
use crate::shell::storage::{new_id, DatasetRecord};

/// Bytes per slice handed to the worker.
const CHUNK: f64 = 4.0 * 1024.0 * 1024.0;

/// How often a read in parts looks whether it was cancelled (ms).
const CANCEL_CHECK_MS: u32 = 150;

enum JobError {
    Cancelled,
    /// A workbook with several sheets of data: which one?
    Choose(Vec<SheetInfo>),
    Ingest(IngestError),
    Browser(String),
    /// The engine stopped during the load (its banner says why).
    Stopped,
}

fn js_err(v: wasm_bindgen::JsValue) -> JobError {
    JobError::Browser(crate::shell::js_message(
        &v,
        "the browser could not read the file",
    ))
}

/// Why a stored dataset is read into the worker.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Reread {
    /// The user opened it.
    Opened,
    /// It is shown but not held after another file's read: picked during
    /// that read, or let go to make room for it.
    AfterLoad,
    /// The engine stopped and a new one started.
    Recovering,
}

/// Which file a read is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum ReadOf {
    /// One the user chose (to keep or to score).
    NewFile,
    /// A saved dataset's stored file, read again.
    Saved(Reread),
}

/// How a load ended that did not fail (failures are shown already).
pub(super) enum Ingested {
    Read(Read),
    /// A workbook whose sheets the user is now asked to choose from.
    Choose,
    Failed,
}

/// A workbook waiting for its sheet to be chosen.
pub(super) struct PendingBook {
    client: String,
    name: String,
    blob: Blob,
}

/// A file read by the worker: its load, profile (none for a file to
/// score), time taken and the worker's memory.
pub(super) struct Read {
    pub load: LoadId,
    pub profile: Option<DatasetProfile>,
    pub elapsed_ms: f64,
    pub read_ms: f64,
    /// The parts it was read in at once (1: whole).
    pub parts: usize,
    pub wasm_memory: u64,
    /// The worker's memory after each step of the load.
    pub memory_marks: Vec<(String, u64)>,
}

impl Controller {
    /// The page now shows dataset `id` (or none): until the worker holds
    /// it, nothing is asked about it.
    pub(super) fn select(&self, id: Option<String>) {
        let same = self.0.shown.borrow().as_ref().map(|(a, _)| &a.id) == id.as_ref();
        if !same {
            *self.0.shown.borrow_mut() = None;
            // The worker drops a run with its dataset (the page says so).
            let other = self.0.ml_run.borrow().as_ref().map(|(_, r)| &r.id) != id.as_ref();
            if other {
                *self.0.ml_run.borrow_mut() = None;
            }
        }
        *self.0.selected.borrow_mut() = id;
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

    /// Reads, profiles and saves a file the user gave us. It is shown when
    /// the page still shows its client when it is read; else it is saved
    /// to its client and the page says so.
    pub fn load_blob(&self, client: Option<String>, name: String, blob: Blob) {
        self.load_sheet(client, name, blob, None);
    }

    /// Reads the chosen sheet of the workbook waiting for it.
    pub fn open_sheet(&self, sheet: String) {
        let Some(book) = self.0.book.borrow_mut().take() else {
            return;
        };
        self.dispatch(Action::SheetPick(None));
        self.load_sheet(Some(book.client), book.name, book.blob, Some(sheet));
    }

    /// Forgets the workbook waiting for its sheet; the shown dataset is
    /// read again if the worker let it go to open the workbook.
    pub fn cancel_sheet(&self) {
        self.forget_sheet();
        self.after_load();
    }

    fn forget_sheet(&self) {
        *self.0.book.borrow_mut() = None;
        self.dispatch(Action::SheetPick(None));
    }

    /// [`Controller::load_blob`], with a workbook's sheet (None: ask when
    /// several sheets hold data).
    fn load_sheet(&self, client: Option<String>, name: String, blob: Blob, sheet: Option<String>) {
        if self.0.busy.get() {
            self.dispatch(Action::Notice(Some(format!(
                "Still loading the previous file; {name} was not loaded. Wait for it to finish or cancel it, then drop {name} again."
            ))));
            return;
        }
        if sheet.is_none() && self.0.book.borrow().is_some() {
            // Another file dropped while a workbook's sheet was asked for:
            // the user moved on.
            self.forget_sheet();
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
            let id = new_id("d");
            let purpose = Purpose::Dataset { id: id.clone() };
            let read = match ctl
                .run_ingest(&name, &blob, purpose, sheet.clone(), ReadOf::NewFile)
                .await
            {
                Ingested::Read(read) => read,
                Ingested::Choose => {
                    // The shown dataset is not read again yet: the sheet
                    // chosen is read next (cancelling reads it again).
                    *ctl.0.book.borrow_mut() = Some(PendingBook { client, name, blob });
                    return;
                }
                Ingested::Failed => return ctl.after_load(),
            };
            let Some(profile) = read.profile else { return };
            let Some(st) = ctl.storage() else { return };
            let profile_json = match serde_json::to_string(&profile) {
                Ok(j) => j,
                Err(e) => {
                    ctl.dispatch(Action::JobFailed(format!("Could not save {name}: {e}.")));
                    return ctl.after_load();
                }
            };
            let rec = DatasetRecord {
                id,
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
                revision: 0,
                sheet: sheet
                    .or_else(|| profile.facts.sheet.clone())
                    .unwrap_or_default(),
            };
            if let Err(e) = st.put_dataset(&rec, &blob).await {
                ctl.dispatch(Action::JobFailed(
                    e.user_message(&format!("save {name} in this browser")),
                ));
                return ctl.after_load();
            }
            ctl.dispatch(Action::JobRead {
                read_ms: read.read_ms,
                parts: read.parts,
                memory_marks: read.memory_marks.clone(),
            });
            ctl.dispatch(Action::JobDone {
                elapsed_ms: read.elapsed_ms,
                wasm_memory: read.wasm_memory,
            });
            if ctl.client().as_deref() != Some(client.as_str()) {
                // The user went to another client meanwhile: the file is
                // kept where it was dropped, and the page stays where it is.
                ctl.dispatch(Action::Notice(Some(format!(
                    "{name} is read and saved with the client it was dropped on; open that client to see it."
                ))));
                return ctl.after_load();
            }
            ctl.refresh_workspace(Some(client)).await;
            ctl.select(Some(rec.id.clone()));
            // A dataset saved whole comes with its recipe: applied again.
            let carried = carried_steps(&profile);
            ctl.dispatch(Action::Select {
                id: Some(rec.id.clone()),
                profile: Some(Rc::new(profile)),
            });
            ctl.dispatch(Action::CleanLoad {
                dataset: rec.id.clone(),
                steps: Vec::new(),
                runs: Vec::new(),
            });
            ctl.worker_now_holds(
                DatasetRef {
                    id: rec.id.clone(),
                    load: read.load,
                },
                rec.clone(),
            );
            match carried {
                Ok(steps) if !steps.is_empty() => {
                    ctl.apply_recipe(rec, steps, RecipeChange::Push)
                }
                Ok(_) => {}
                Err(why) => ctl.dispatch(Action::Notice(Some(format!(
                    "{name} was saved with a recipe that could not be read ({why}); the data is loaded without it."
                )))),
            }
        });
    }

    /// After a load that did not end in showing its file (or a file read
    /// to be scored): when the page shows a dataset the worker does not
    /// hold (picked during the read), read that one now.
    pub(super) fn after_load(&self) {
        if self.0.shown.borrow().is_some() {
            return;
        }
        let Some(selected) = self.0.selected.borrow().clone() else {
            return;
        };
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            let Some(client) = ctl.client() else { return };
            if let Ok(list) = st.datasets(&client).await {
                if let Some(rec) = list.into_iter().find(|d| d.id == selected) {
                    ctl.read_stored(rec, Reread::AfterLoad).await;
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
        self.select(Some(rec.id.clone()));
        self.dispatch(Action::Select {
            id: Some(rec.id.clone()),
            profile,
        });
        let (steps, runs) = stored_recipe(&rec);
        self.dispatch(Action::CleanLoad {
            dataset: rec.id.clone(),
            steps,
            runs,
        });
        if self.0.shown.borrow().is_some() {
            return; // the worker holds it already
        }
        if self.0.busy.get() {
            self.dispatch(Action::Notice(Some(format!(
                "The profile of {} is shown; its rows will be read when the current file has finished loading.",
                rec.name
            ))));
            return;
        }
        let ctl = self.clone();
        spawn_local(async move {
            ctl.read_stored(rec, Reread::Opened).await;
        });
    }

    /// Reads a stored dataset into the worker and shows it (with its
    /// recipe applied) if the page still shows it. True when it is shown.
    pub(super) async fn read_stored(&self, rec: DatasetRecord, why: Reread) -> bool {
        self.0.rereading.set(self.0.rereading.get() + 1);
        let shown = self.read_stored_now(rec, why).await;
        self.0
            .rereading
            .set(self.0.rereading.get().saturating_sub(1));
        shown
    }

    async fn read_stored_now(&self, rec: DatasetRecord, why: Reread) -> bool {
        let Some(st) = self.storage() else {
            return false;
        };
        let blob = match st.file(&rec.id).await {
            Ok(Some(b)) => b,
            Ok(None) => {
                self.dispatch(Action::Error(Some(format!(
                    "The stored copy of {} is missing. Delete the dataset and load the file again.",
                    rec.name
                ))));
                return false;
            }
            Err(e) => {
                self.storage_error(&format!("read {}", rec.name), e);
                return false;
            }
        };
        // A recovery after a crash and `after_load` can both want the shown
        // dataset read again: the one that comes second finds it held.
        self.until_reader_free().await;
        if self.holds(&rec.id) {
            return true;
        }
        let purpose = Purpose::Dataset { id: rec.id.clone() };
        let sheet = (!rec.sheet.is_empty()).then(|| rec.sheet.clone());
        let Ingested::Read(read) = self
            .run_ingest(&rec.name, &blob, purpose, sheet, ReadOf::Saved(why))
            .await
        else {
            return false;
        };
        if self.0.selected.borrow().as_deref() != Some(rec.id.as_str()) {
            self.after_load();
            return false;
        }
        if rec.profile().is_none() {
            if let Some(fresh) = read.profile {
                self.dispatch(Action::Select {
                    id: Some(rec.id.clone()),
                    profile: Some(Rc::new(fresh)),
                });
            }
        }
        self.dispatch(Action::JobRead {
            read_ms: read.read_ms,
            parts: read.parts,
            memory_marks: read.memory_marks,
        });
        self.dispatch(Action::JobDone {
            elapsed_ms: read.elapsed_ms,
            wasm_memory: read.wasm_memory,
        });
        let (steps, runs) = stored_recipe(&rec);
        if why == Reread::Recovering {
            // The page's recipe history stays; the worker runs the applied one.
            self.dispatch(Action::CleanLoad {
                dataset: rec.id.clone(),
                steps: steps.clone(),
                runs: runs.clone(),
            });
        }
        self.worker_now_holds(
            DatasetRef {
                id: rec.id.clone(),
                load: read.load,
            },
            rec.clone(),
        );
        if !steps.is_empty() {
            self.apply_recipe(rec, steps, RecipeChange::Show);
        }
        true
    }

    /// Whether the worker holds dataset `id` for the page.
    fn holds(&self, id: &str) -> bool {
        self.0
            .shown
            .borrow()
            .as_ref()
            .is_some_and(|(about, _)| about.id == id)
    }

    /// Resolves when no file is being read (several waiters may wake at
    /// once: each checks again, and the first to go on claims the reader
    /// without awaiting in between).
    async fn until_reader_free(&self) {
        while self.0.busy.get() {
            self.until_idle().await;
        }
    }

    fn worker_now_holds(&self, about: DatasetRef, rec: DatasetRecord) {
        if self.0.released.borrow().as_ref() == Some(&about) {
            // Let go while it was saved, to read a later file.
            *self.0.released.borrow_mut() = None;
            return self.after_load();
        }
        let total = rec.rows as usize;
        let id = rec.id.clone();
        *self.0.shown.borrow_mut() = Some((about, rec));
        self.dispatch(Action::WorkerHolds {
            dataset: id.clone(),
            total,
        });
        // The alerts follow the profile (correlations take a moment).
        self.refresh_insights(id);
    }

    /// Asks the worker for preview rows.
    pub fn request_rows(
        &self,
        offset: usize,
        limit: usize,
        sort: Option<SortKey>,
        filter: Option<RowFilter>,
    ) {
        let request = self.next_id();
        self.dispatch(Action::RowsRequested(request));
        let ctl = self.clone();
        spawn_local(async move {
            if let Ok(Reply::Rows {
                offset,
                total,
                rows,
            }) = ctl
                .ask(Ask::Rows {
                    offset,
                    limit,
                    sort,
                    filter,
                })
                .await
            {
                ctl.dispatch(Action::Rows {
                    request,
                    offset,
                    total,
                    rows,
                });
            }
        });
    }

    pub fn set_sort(&self, sort: Option<SortKey>) {
        self.dispatch(Action::Sort(sort));
    }

    /// Shows only the rows where `column` reads `value` in the Overview's
    /// table (a click on a bar), or every row again with None.
    pub fn show_rows_where(&self, filter: Option<RowFilter>) {
        let shown = filter.is_some();
        self.dispatch(Action::RowFilter(filter));
        if shown {
            self.dispatch(Action::Tab(crate::shell::state::Tab::Overview));
        }
    }

    /// Streams `blob` to the worker in slices, waits for it to be read.
    /// Shows progress; turns every failure into a message.
    pub(super) async fn run_ingest(
        &self,
        name: &str,
        blob: &Blob,
        purpose: Purpose,
        sheet: Option<String>,
        read: ReadOf,
    ) -> Ingested {
        // A stored dataset read again after another file's read keeps that
        // read's error or notice shown.
        let again = read == ReadOf::Saved(Reread::AfterLoad);
        let size = blob.size();
        // One file at a time: a second read would take over the first's
        // channel, and the first would end as if the engine had stopped.
        self.until_reader_free().await;
        self.dispatch(match purpose {
            Purpose::Dataset { .. } if again => Action::JobAgain(format!("Reading {name} again")),
            Purpose::Dataset { .. } => Action::JobStart(format!("Reading {name}"), true),
            Purpose::Score => Action::JobStart(format!("Reading {name} to score it"), true),
        });
        if size as u64 > MAX_FILE_BYTES {
            let err = IngestError::TooLarge {
                size: size as u64,
                limit: MAX_FILE_BYTES,
            };
            self.dispatch(Action::JobFailed(messages::ingest_error(name, &err)));
            return Ingested::Failed;
        }
        self.0.busy.set(true);
        self.0.cancel.set(false);
        let result = self.stream(name, blob, size, purpose, sheet).await;
        *self.0.load.borrow_mut() = None;
        self.0.busy.set(false);
        for waiter in self.0.idle_waiters.borrow_mut().drain(..) {
            let _ = waiter.send(());
        }
        match result {
            Ok(r) => return Ingested::Read(r),
            Err(JobError::Choose(sheets)) => {
                self.dispatch(Action::SheetPick(Some(Rc::new(SheetPick {
                    file: name.to_string(),
                    sheets,
                }))));
                return Ingested::Choose;
            }
            Err(JobError::Cancelled) => {
                let saved = read != ReadOf::NewFile;
                self.dispatch(Action::JobCancelled(messages::load_cancelled(name, saved)));
            }
            Err(JobError::Ingest(e)) => {
                self.dispatch(Action::JobFailed(messages::ingest_error(name, &e)));
            }
            Err(JobError::Browser(why)) => {
                self.dispatch(Action::JobFailed(format!(
                    "The browser could not read {name} ({why}). Check that the file is still there and try again."
                )));
            }
            // calamine or the Parquet reader can panic on a damaged file,
            // which stops the worker: loading it again would stop it again.
            Err(JobError::Stopped) if crate::core::ingest::read_whole(name).is_some() => {
                let damaged = crate::core::ingest::reader_stopped(name);
                self.dispatch(Action::JobFailed(messages::ingest_error(name, &damaged)));
            }
            Err(JobError::Stopped) => {
                self.dispatch(Action::JobFailed(format!(
                    "{name} was not read: the engine stopped while reading it (see the message above). Load it once more; if it stops again, {name} needs more memory than a browser page has: split it into smaller files."
                )));
            }
        }
        Ingested::Failed
    }

    async fn stream(
        &self,
        name: &str,
        blob: &Blob,
        size: f64,
        purpose: Purpose,
        sheet: Option<String>,
    ) -> Result<Read, JobError> {
        let load = self.next_id();
        let (tx, mut rx) = mpsc::unbounded::<FromWorker>();
        *self.0.load.borrow_mut() = Some((load, tx, name.to_string()));

        if let Some(parts) = parts_for(name, size, sheet.is_some()) {
            self.send_with(
                ToWorker::ReadFile {
                    load,
                    name: name.to_string(),
                    size: size as u64,
                    purpose: purpose.clone(),
                    parts,
                },
                Some(blob.into()),
            );
            match self.await_parts(size, &mut rx).await {
                // Not read in parts: sent in chunks below.
                Ok(None) => {}
                Ok(Some(read)) => return Ok(read),
                Err(e) => {
                    self.send(ToWorker::Cancel { load });
                    return Err(e);
                }
            }
        }
        self.send(ToWorker::Begin {
            load,
            name: name.to_string(),
            size: size as u64,
            purpose,
            sheet,
        });
        let read = self.send_chunks(load, blob, size, &mut rx).await;
        if read.is_err() {
            // However the read ended (the browser could not read the file,
            // the worker refused it, the user cancelled), the worker lets
            // it go: it runs nothing else while a file is being read.
            self.send(ToWorker::Cancel { load });
        }
        read
    }

    /// Follows a file the worker reads in parts (`ToWorker::ReadFile`):
    /// the file read, or None when the worker asks for its chunks instead.
    /// A cancel is seen within [`CANCEL_CHECK_MS`], however long the
    /// worker is silent (converting, profiling).
    async fn await_parts(
        &self,
        size: f64,
        rx: &mut mpsc::UnboundedReceiver<FromWorker>,
    ) -> Result<Option<Read>, JobError> {
        use futures::future::{select, Either};
        loop {
            let heard = match select(rx.next(), TimeoutFuture::new(CANCEL_CHECK_MS)).await {
                Either::Left((heard, _)) => heard,
                Either::Right(_) if self.0.cancel.get() => return Err(JobError::Cancelled),
                Either::Right(_) => continue,
            };
            match heard {
                Some(FromWorker::SendChunks { .. }) => return Ok(None),
                Some(FromWorker::Progress { bytes_done, .. }) => {
                    if self.0.cancel.get() {
                        return Err(JobError::Cancelled);
                    }
                    self.dispatch(Action::JobProgress(done_share(bytes_done, size)));
                }
                other => return read_ended(other).map(Some),
            }
        }
    }

    /// Sends the file's chunks and `Finish` for `load`, and reads the
    /// worker's answer.
    async fn send_chunks(
        &self,
        load: LoadId,
        blob: &Blob,
        size: f64,
        rx: &mut mpsc::UnboundedReceiver<FromWorker>,
    ) -> Result<Read, JobError> {
        expect_progress(rx).await?;
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
                return Err(JobError::Cancelled);
            }
            let buf = reading.await.map_err(js_err)?;
            let bytes = js_sys::Uint8Array::new(&buf).to_vec();
            offset += bytes.len() as f64;
            self.send(ToWorker::Chunk { load, bytes });
            if offset < size {
                pending = Some(read(offset)?);
            }
            let done = expect_progress(rx).await?;
            self.dispatch(Action::JobProgress(done_share(done, size)));
        }
        self.send(ToWorker::Finish { load });
        read_ended(rx.next().await)
    }
}

/// How many parts a file is read in at once, when it may be
/// (`core::parts`; the worker decides from its head): a file of two
/// parts' worth of bytes or more, not a workbook's sheet, on a machine of
/// several cores and of the memory its parts take at once
/// (`browser_parts_max_bytes`), unless the page is asked `?parts=off` (to
/// compare).
fn parts_for(name: &str, size: f64, sheet: bool) -> Option<usize> {
    use crate::core::parts::{browser_parts_max_bytes, Cut, MIN_PART_BYTES};
    let navigator = web_sys::window()?.navigator();
    if sheet
        || size < (2 * MIN_PART_BYTES) as f64
        || size > browser_parts_max_bytes(crate::shell::device_memory_gib()) as f64
        || crate::core::ingest::read_whole(name).is_some()
        || super::asked("parts").as_deref() == Some("off")
    {
        return None;
    }
    let cores = navigator.hardware_concurrency() as usize;
    (Cut::parts(cores).count(size as u64) >= 2).then_some(cores)
}

/// The share of a file of `size` bytes that `done` bytes are.
fn done_share(done: u64, size: f64) -> f64 {
    if size > 0.0 {
        done as f64 / size
    } else {
        1.0
    }
}

/// The worker's last word on a load: the file read, or why not.
fn read_ended(msg: Option<FromWorker>) -> Result<Read, JobError> {
    match msg {
        Some(FromWorker::Loaded {
            load,
            profile,
            elapsed_ms,
            read_ms,
            parts,
            wasm_memory,
            memory_marks,
        }) => Ok(Read {
            load,
            profile: profile.map(|p| *p),
            elapsed_ms,
            read_ms,
            parts,
            wasm_memory,
            memory_marks,
        }),
        Some(FromWorker::LoadFailed { error, .. }) => Err(JobError::Ingest(error)),
        Some(FromWorker::Sheets { sheets, .. }) => Err(JobError::Choose(sheets)),
        _ => Err(JobError::Stopped),
    }
}

async fn expect_progress(rx: &mut mpsc::UnboundedReceiver<FromWorker>) -> Result<u64, JobError> {
    match rx.next().await {
        Some(FromWorker::Progress { bytes_done, .. }) => Ok(bytes_done),
        Some(FromWorker::LoadFailed { error, .. }) => Err(JobError::Ingest(error)),
        _ => Err(JobError::Stopped),
    }
}

/// The recipe and processing log stored with a dataset.
/// The recipe a dataset saved whole carries (none for other files).
fn carried_steps(profile: &DatasetProfile) -> Result<Vec<Step>, String> {
    match profile.facts.carried.as_deref() {
        Some(c) if !c.recipe.is_empty() => Recipe::from_json(&c.recipe)
            .map(|r| r.steps)
            .map_err(|e| messages::clean_error(&e)),
        _ => Ok(Vec::new()),
    }
}

pub fn stored_recipe(rec: &DatasetRecord) -> (Vec<Step>, Vec<RunLog>) {
    let steps = Recipe::from_json(&rec.recipe)
        .map(|r| r.steps)
        .unwrap_or_default();
    let runs = serde_json::from_str(&rec.runs).unwrap_or_default();
    (steps, runs)
}
