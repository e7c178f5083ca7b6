//! Reading a delimited text in parts in the browser (issue 16, goal 3):
//! the data worker cuts the file (`core::parts::Plan`, from its head) and
//! starts one part worker per part — the same `worker.js`, started under
//! the name [`PART_ROLE`] — each reading its byte range of the `Blob` with
//! `FileReaderSync` through the core's `read_part`, and sending back its
//! `PartSummary`. The data worker puts the summaries together in order
//! (`Assembly`: a part whose first record was guessed wrong is read again
//! from where the part before it ended), sends the whole file's decisions
//! (`Typing`) and how the profile is shared out (`profile_shares`); each
//! part worker converts its cells and sends its table as bytes
//! (`core::frame_bytes`, transferred, not copied), a section per share
//! (`sections_of`); the data worker puts each section's parts end to end
//! (`frame_bytes::read_parts`), the sections side by side
//! (`join_sections`), `assemble`s and goes on as after a read in chunks.
//!
//! Anything that goes wrong in a part worker (it cannot start, a read
//! fails, a panic) reads the file whole, in chunks, as before: what a
//! file's own faults are is said by the whole read, as the core decides
//! (`Next::Whole`). For a dataset, the part workers then profile a share of
//! its columns each (`ToPart::Profile`: every part's section of that
//! share, moved to it as soon as the data worker has read it, before the
//! data worker reads its own) while the data worker profiles the rest and
//! the duplicate rows; each part worker is stopped once its share is in (or
//! at once when it has none, or the file is read to be scored).
//! A part worker is also the insights' helper (`shell::helper`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use polars_core::prelude::DataFrame;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, FileReaderSync, MessageEvent, Worker, WorkerOptions};

use crate::core::ingest::HEAD_BYTES;
use crate::core::parts::{
    assemble, browser_parts_table_bytes, join_sections, plan, profile_shares, read_part,
    sections_of, Assembly, Cut, Next, Part, PartReader, Source, Typing,
};
use crate::core::profile::{column_profile, duplicate_rows, put_together};
use crate::core::{frame_bytes, ColumnProfile, Dataset, DatasetProfile, IngestError};
use crate::protocol::{decode, encode, FromPart, ToPart};
use crate::shell::bridge::{unwire, wire};
use crate::shell::helper::spearman_job;
use crate::shell::js_message;
use crate::shell::worker::mark_memory;

/// The name a part worker is started under (`self.name` in the worker;
/// static/worker-loader.js knows it too).
pub const PART_ROLE: &str = "plainsight-part";

/// Bytes of a part read between two progress messages.
const PROGRESS_BYTES: u64 = 8 << 20;

/// A part worker not ready after this long (ms) makes the file read in
/// chunks (a worker that cannot start may say nothing at all).
const START_WAIT_MS: i32 = 30_000;

/// The part index under which the start's deadline is delivered.
const START_DEADLINE: usize = usize::MAX;

/// Bytes of the file read at once with `FileReaderSync` (each read is a
/// round trip to the browser's process: few large reads, not many small).
const BLOCK_BYTES: u64 = 16 << 20;

fn scope() -> web_sys::DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn io_error(e: JsValue) -> std::io::Error {
    std::io::Error::other(js_message(&e, "the browser could not read the file"))
}

// The part worker's side.

/// A file's bytes read with `FileReaderSync` (a worker may block) up to
/// `block_bytes` at a time.
struct BlobSource {
    blob: Blob,
    reader: FileReaderSync,
    block_bytes: u64,
    /// The block last read, and where it starts in the file.
    block: RefCell<Option<(u64, js_sys::Uint8Array)>>,
}

impl BlobSource {
    fn new(blob: Blob, block_bytes: u64) -> Result<BlobSource, String> {
        Ok(BlobSource {
            blob,
            reader: FileReaderSync::new().map_err(|e| io_error(e).to_string())?,
            block_bytes,
            block: RefCell::new(None),
        })
    }
}

impl Source for BlobSource {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let size = self.blob.size() as u64;
        if offset >= size || buf.is_empty() {
            return Ok(0);
        }
        let mut block = self.block.borrow_mut();
        let held = |b: &Option<(u64, js_sys::Uint8Array)>| {
            b.as_ref().is_some_and(|(from, bytes)| {
                offset >= *from && offset < from + bytes.length() as u64
            })
        };
        if !held(&block) {
            let end = offset.saturating_add(self.block_bytes).min(size);
            let slice = self
                .blob
                .slice_with_f64_and_f64(offset as f64, end as f64)
                .map_err(io_error)?;
            let bytes = self.reader.read_as_array_buffer(&slice).map_err(io_error)?;
            *block = Some((offset, js_sys::Uint8Array::new(&bytes)));
        }
        let Some((from, bytes)) = block.as_ref().filter(|_| held(&block)) else {
            return Ok(0);
        };
        let at = (offset - from) as u32;
        let n = ((bytes.length() - at) as usize).min(buf.len());
        bytes.subarray(at, at + n as u32).copy_to(&mut buf[..n]);
        Ok(n)
    }
}

/// A part's bytes, saying how far the part is read now and then.
struct PartSource {
    file: BlobSource,
    index: usize,
    /// Where the part starts, and the bytes read when progress was last said.
    from: u64,
    said: Cell<u64>,
}

impl Source for PartSource {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read_at(offset, buf)?;
        let done = (offset + n as u64).saturating_sub(self.from);
        if done >= self.said.get() + PROGRESS_BYTES {
            self.said.set(done);
            // A progress message lost only leaves the bar behind.
            let _ = to_data_worker(
                &FromPart::Progress {
                    index: self.index,
                    bytes: done,
                },
                None,
            );
        }
        Ok(n)
    }
}

thread_local! {
    /// The part read, until it is converted.
    static PART: RefCell<Option<Part>> = const { RefCell::new(None) };
}

/// Posts `msg` to the data worker: an error when it could not be (the
/// task then says `Failed`, a small message, so that the data worker does
/// not wait for an answer that never comes).
fn to_data_worker(msg: &FromPart, beside: Option<&JsValue>) -> Result<(), String> {
    let bytes =
        encode(msg).map_err(|e| format!("the part worker could not write its answer: {e}"))?;
    let (message, transfer) = wire(&bytes, beside);
    scope()
        .post_message_with_transfer(&message, &transfer)
        .map_err(|e| js_message(&e, "the part worker could not post its answer"))
}

/// Runs this worker as a part worker: reads a part when asked, converts
/// it when asked; says `Ready` first.
pub fn start_part() {
    std::panic::set_hook(Box::new(|info| {
        let _ = to_data_worker(
            &FromPart::Failed {
                reason: info.to_string(),
            },
            None,
        );
    }));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|e: MessageEvent| {
        let answer = match unwire(&e.data()) {
            Some((bytes, beside)) => match decode::<ToPart>(&bytes) {
                Ok(msg) => part_job(msg, beside),
                Err(e) => Err(format!("the part worker could not read its task: {e}")),
            },
            None => Err("the part worker was sent something that is not a task".into()),
        };
        if let Err(reason) = answer {
            let _ = to_data_worker(&FromPart::Failed { reason }, None);
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    let _ = to_data_worker(&FromPart::Ready, None);
}

fn part_job(msg: ToPart, beside: Option<JsValue>) -> Result<(), String> {
    match msg {
        ToPart::Read { plan, index, start } => {
            let blob = beside
                .and_then(|b| b.dyn_into::<Blob>().ok())
                .ok_or("the part worker was not given the file")?;
            let reader = match start {
                Some(start) => PartReader::starting_at(&plan, index, start),
                None => PartReader::new(&plan, index),
            };
            let source = PartSource {
                file: BlobSource::new(blob, BLOCK_BYTES)?,
                index,
                from: reader.offset(),
                said: Cell::new(0),
            };
            // A part read again replaces the first reading.
            PART.with(|p| p.borrow_mut().take());
            let part = read_part(&source, reader).map_err(|e| e.to_string())?;
            let summary = Box::new(part.summary.clone());
            PART.with(|p| *p.borrow_mut() = Some(part));
            to_data_worker(&FromPart::Read { summary }, None)?;
        }
        ToPart::Convert { typing, sections } => {
            let part = PART
                .with(|p| p.borrow_mut().take())
                .ok_or("the part worker holds no part to convert")?;
            let index = part.summary.index;
            let frame = part.convert(&typing).map_err(|e| format!("{e:?}"))?;
            let sections = sections_of(&frame, &sections)?;
            drop(frame);
            let tables = js_sys::Array::new();
            for section in &sections {
                tables.push(&table_bytes(section)?.into());
            }
            drop(sections);
            to_data_worker(&FromPart::Converted { index }, Some(&tables))?;
        }
        task @ ToPart::Profile { .. } => {
            let parts = tables_beside(beside, None)
                .ok_or("the part worker was not given the columns to profile")?
                .into_iter()
                .map(JsBytes::new)
                .collect();
            to_data_worker(&task.profiled(parts)?, None)?;
        }
        ToPart::Spearman { rows, columns } => {
            to_data_worker(&spearman_job(rows, columns, beside)?, None)?;
        }
    }
    Ok(())
}

// The data worker's side.

/// What a part worker said, or why it stopped.
pub type Heard = Result<(FromPart, Option<JsValue>), String>;

/// Where the part workers' messages go: the part's index and what it said.
pub type Deliver = Rc<dyn Fn(usize, Heard)>;

/// A part worker, stopped when dropped (also the insights' helper:
/// `shell::helper`).
pub struct PartWorker {
    worker: Worker,
    handlers: Option<Handlers>,
}

type Handlers = (
    Closure<dyn FnMut(MessageEvent)>,
    Closure<dyn FnMut(web_sys::ErrorEvent)>,
    Closure<dyn FnMut(web_sys::Event)>,
);

impl Drop for PartWorker {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.set_onmessageerror(None);
        self.worker.terminate();
        // Its handler may be running now (its message ended the read):
        // the handlers are let go in a later task.
        let handlers = self.handlers.take();
        let later = Closure::once_into_js(move || drop(handlers));
        let _ =
            scope().set_timeout_with_callback_and_timeout_and_arguments_0(later.unchecked_ref(), 0);
    }
}

impl PartWorker {
    /// Starts a part worker; what it says goes to `deliver` under `index`.
    pub fn spawn(index: usize, deliver: Deliver) -> Result<PartWorker, String> {
        let url = scope().location().href();
        let options = WorkerOptions::new();
        options.set_name(PART_ROLE);
        let worker = Worker::new_with_options(&url, &options)
            .map_err(|e| format!("a part worker could not start: {}", io_error(e)))?;
        let on_message = {
            let deliver = deliver.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
                let data = e.data();
                let heard = match unwire(&data) {
                    Some((bytes, beside)) => decode::<FromPart>(&bytes)
                        .map(|msg| (msg, beside))
                        .map_err(|e| format!("a part worker's message could not be read: {e}")),
                    // The loader reports a failed start as text.
                    None => Err(data
                        .as_string()
                        .unwrap_or_else(|| "a part worker sent something else".into())),
                };
                deliver(index, heard);
            })
        };
        let on_error = {
            let deliver = deliver.clone();
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                e.prevent_default();
                deliver(
                    index,
                    Err(format!("a part worker stopped: {}", e.message())),
                );
            })
        };
        // A message that could not be received (the module, a table).
        let on_message_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
            deliver(
                index,
                Err("a message to or from a part worker could not be received".into()),
            );
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        worker.set_onmessageerror(Some(on_message_error.as_ref().unchecked_ref()));
        let part = PartWorker {
            worker,
            handlers: Some((on_message, on_error, on_message_error)),
        };
        // Its loader (static/worker-loader.js) runs this worker's compiled
        // module: nothing is fetched or compiled again.
        part.worker
            .post_message(&wasm_bindgen::module())
            .map_err(|e| {
                format!(
                    "a part worker could not be given the engine: {}",
                    io_error(e)
                )
            })?;
        Ok(part)
    }

    /// Posts `msg`, with `beside` (a file, or bytes: transferred).
    pub fn send(&self, msg: &ToPart, beside: Option<&JsValue>) -> Result<(), String> {
        let bytes = encode(msg).map_err(|e| e.0)?;
        let (message, transfer) = wire(&bytes, beside);
        self.worker
            .post_message_with_transfer(&message, &transfer)
            .map_err(|e| io_error(e).to_string())
    }
}

/// Where a read in parts is after a part worker's message.
pub enum PartsStep {
    /// Bytes of the file read so far.
    Progress(u64),
    /// Nothing to tell.
    Wait,
    /// The file is read (and profiled when asked).
    Done(Box<ReadDone>),
    /// Read it whole instead (a bound passed, or a part worker failed:
    /// the reason, for the console).
    Whole(String),
    /// The file's error, found by the parts.
    Failed(IngestError),
}

/// A file read: its dataset, its profile when the part workers helped make
/// it, the parts it was read in (1: whole, in chunks), and when it was
/// read into typed columns (ms, `Date.now()`: before the profile).
pub struct ReadDone {
    pub ds: Dataset,
    pub profile: Option<DatasetProfile>,
    pub parts: usize,
    pub read_at: f64,
}

/// A file being read in parts, held by the data worker.
pub struct PartsRead {
    assembly: Assembly,
    blob: Blob,
    /// Each part's worker, until its table is in or it is not needed.
    workers: Vec<Option<PartWorker>>,
    /// Each part's bytes read.
    progress: Vec<u64>,
    /// Each part worker said it is ready.
    ready: Vec<bool>,
    typing: Option<Box<Typing>>,
    /// The tables' sections: each one's columns, and who profiles them
    /// (None: this worker; else the part worker of that index).
    sections: Vec<(Vec<usize>, Option<usize>)>,
    /// Each part's table as its worker sent it (outside this worker's
    /// memory), an array a section; read into one frame once all are in.
    tables: Vec<Option<Vec<js_sys::Uint8Array>>>,
    /// Profile the dataset read (with the part workers' help).
    profile: bool,
    profiling: Option<Profiling>,
}

/// A dataset read in parts being profiled: the part workers that read it
/// profile some of its columns each, the data worker the rest and the
/// duplicate rows.
struct Profiling {
    ds: Dataset,
    parts: usize,
    read_at: f64,
    columns: Vec<Option<ColumnProfile>>,
    duplicates: u64,
    /// The part workers still profiling, and their columns.
    waiting: Vec<(usize, Vec<usize>)>,
}

impl PartsRead {
    /// Starts reading `blob` (named `name`) in up to `parts` parts, each
    /// part worker's messages going to `deliver`; None when it is to be
    /// read whole (see `core::parts`).
    pub fn start(
        name: &str,
        blob: Blob,
        parts: usize,
        profile: bool,
        deliver: Deliver,
    ) -> Result<Option<PartsRead>, String> {
        let size = blob.size() as u64;
        let head = BlobSource::new(blob.clone(), HEAD_BYTES as u64)?;
        let Some(plan) = plan(name, size, &head, Cut::parts(parts)).map_err(|e| e.to_string())?
        else {
            return Ok(None);
        };
        let count = plan.ranges.len();
        let workers = (0..count)
            .map(|i| PartWorker::spawn(i, deliver.clone()).map(Some))
            .collect::<Result<Vec<_>, _>>()?;
        let deadline = Closure::once_into_js(move || {
            deliver(START_DEADLINE, Err("a part worker did not start".into()));
        });
        scope()
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                deadline.unchecked_ref(),
                START_WAIT_MS,
            )
            .map_err(|e| io_error(e).to_string())?;
        Ok(Some(PartsRead {
            assembly: Assembly::new(plan)
                .with_table_limit(browser_parts_table_bytes(crate::shell::device_memory_gib())),
            blob,
            workers,
            progress: vec![0; count],
            ready: vec![false; count],
            typing: None,
            sections: Vec::new(),
            tables: (0..count).map(|_| None).collect(),
            profile,
            profiling: None,
        }))
    }

    /// Takes what part `index`'s worker said.
    pub fn heard(&mut self, index: usize, heard: Heard) -> PartsStep {
        if self.profiling.is_some() {
            return self.heard_profiled(index, heard);
        }
        match self.take(index, heard) {
            Ok(step) => step,
            Err(why) => {
                self.workers.clear();
                PartsStep::Whole(why)
            }
        }
    }

    fn take(&mut self, index: usize, heard: Heard) -> Result<PartsStep, String> {
        if index == START_DEADLINE && self.ready.iter().all(|&r| r) {
            return Ok(PartsStep::Wait);
        }
        let (msg, beside) = heard?;
        match msg {
            FromPart::Ready => {
                if let Some(r) = self.ready.get_mut(index) {
                    *r = true;
                }
                self.send_read(index, None)?;
                Ok(PartsStep::Wait)
            }
            FromPart::Progress { bytes, .. } => {
                // A part read again says its bytes from its new start:
                // the bar never goes back.
                if let Some(p) = self.progress.get_mut(index) {
                    *p = (*p).max(bytes);
                }
                Ok(PartsStep::Progress(self.progress.iter().sum()))
            }
            FromPart::Read { summary } => {
                let range = self.assembly.plan().ranges.get(index).copied();
                if let (Some(p), Some((from, to))) = (self.progress.get_mut(index), range) {
                    *p = to - from;
                }
                match self.assembly.add(*summary) {
                    Ok(Next::Wait) => Ok(PartsStep::Progress(self.progress.iter().sum())),
                    Ok(Next::Redo { index, start }) => {
                        self.send_read(index, Some(start))?;
                        Ok(PartsStep::Wait)
                    }
                    Ok(Next::Convert(typing)) => {
                        for (i, worker) in self.workers.iter_mut().enumerate() {
                            if !typing.parts.contains(&i) {
                                *worker = None;
                            }
                        }
                        // The part workers that convert profile a share
                        // each; a table read to be scored is one section.
                        let helpers = if self.profile { typing.parts.len() } else { 0 };
                        self.sections = profile_shares(&typing.costs, helpers)
                            .into_iter()
                            .enumerate()
                            .filter(|(_, share)| !share.is_empty())
                            .map(|(k, share)| (share, k.checked_sub(1).map(|h| typing.parts[h])))
                            .collect();
                        let msg = ToPart::Convert {
                            typing: typing.clone(),
                            sections: self.sections.iter().map(|(s, _)| s.clone()).collect(),
                        };
                        for &i in &typing.parts {
                            self.worker(i)?.send(&msg, None)?;
                        }
                        self.typing = Some(typing);
                        Ok(PartsStep::Wait)
                    }
                    Ok(Next::Whole) => Err("a bound is passed: read whole".into()),
                    Err(e) => {
                        self.workers.clear();
                        Ok(PartsStep::Failed(e))
                    }
                }
            }
            FromPart::Converted { index } => {
                let sections = tables_beside(beside, Some(self.sections.len()))
                    .ok_or("a part worker's table is missing or not in its sections")?;
                *self
                    .tables
                    .get_mut(index)
                    .ok_or("a table of a part that is not there")? = Some(sections);
                self.assembled()
            }
            FromPart::Profiled { .. } => Err("a profile came before its columns".into()),
            FromPart::Spearman { .. } => Err("a part worker sent a Spearman matrix".into()),
            FromPart::Failed { reason } => Err(reason),
        }
    }

    /// The dataset once every part's table is in: each helper's section is
    /// read first and then sent to it (moved, not copied: it profiles while
    /// this worker reads the rest), then this worker's own; the columns are
    /// put back in order.
    fn assembled(&mut self) -> Result<PartsStep, String> {
        let Some(typing) = self.typing.as_ref() else {
            return Ok(PartsStep::Wait);
        };
        if typing
            .parts
            .iter()
            .any(|&i| self.tables.get(i).is_none_or(Option::is_none))
        {
            return Ok(PartsStep::Wait);
        }
        let tables: Vec<Vec<js_sys::Uint8Array>> = typing
            .parts
            .iter()
            .filter_map(|&i| self.tables.get_mut(i).and_then(Option::take))
            .collect();
        let typing = self.typing.take().ok_or("no decisions")?;
        let sections = std::mem::take(&mut self.sections);
        let parts = typing.parts.len();
        mark_memory("parts in");
        // Each column made once at its full length (`read_parts`), not
        // per part and then joined.
        let read = |k: usize| {
            let mut inputs: Vec<JsBytes> = tables
                .iter()
                .filter_map(|t| t.get(k).cloned())
                .map(JsBytes::new)
                .collect();
            frame_bytes::read_parts(&mut inputs)
        };
        let mut frames: Vec<Option<DataFrame>> = vec![None; sections.len()];
        let (mut mine, mut waiting) = (Vec::new(), Vec::new());
        let helpers_first = (0..sections.len()).filter(|&k| sections[k].1.is_some());
        for k in helpers_first.chain((0..sections.len()).filter(|&k| sections[k].1.is_none())) {
            frames[k] = Some(read(k)?);
            let (share, helper) = &sections[k];
            let Some(helper) = *helper else {
                mine.extend(share);
                continue;
            };
            let section: Vec<&js_sys::Uint8Array> =
                tables.iter().filter_map(|t| t.get(k)).collect();
            match self.send_profile(helper, &typing, share, &section) {
                Ok(()) => waiting.push((helper, share.clone())),
                Err(_) => mine.extend(share),
            }
        }
        drop(tables);
        mark_memory("columns");
        // The part workers given nothing are done.
        for (i, worker) in self.workers.iter_mut().enumerate() {
            if !waiting.iter().any(|(h, _)| *h == i) {
                *worker = None;
            }
        }
        let frames = frames
            .into_iter()
            .collect::<Option<Vec<_>>>()
            .ok_or("a section not read")?;
        let shares: Vec<Vec<usize>> = sections.into_iter().map(|(share, _)| share).collect();
        let frame = join_sections(typing.decided.kinds.len(), &shares, frames)?;
        let assembled = assemble(*typing, vec![frame]);
        mark_memory("assembled");
        let read_at = js_sys::Date::now();
        Ok(match assembled {
            Ok(ds) if self.profile => self.start_profile(ds, parts, read_at, mine, waiting),
            Ok(ds) => {
                self.workers.clear();
                PartsStep::Done(Box::new(ReadDone {
                    ds,
                    profile: None,
                    parts,
                    read_at,
                }))
            }
            Err(e) => PartsStep::Failed(e),
        })
    }

    /// Profiles `ds`: the duplicate rows and the columns `mine` here, while
    /// the part workers `waiting` profile theirs.
    fn start_profile(
        &mut self,
        ds: Dataset,
        parts: usize,
        read_at: f64,
        mine: Vec<usize>,
        waiting: Vec<(usize, Vec<usize>)>,
    ) -> PartsStep {
        let mut profiling = Profiling {
            columns: vec![None; ds.width()],
            duplicates: 0,
            waiting,
            parts,
            read_at,
            ds,
        };
        profiling.duplicates = duplicate_rows(&profiling.ds);
        mark_memory("duplicates");
        for i in mine {
            if let Some(slot) = profiling.columns.get_mut(i) {
                *slot = column_profile(&profiling.ds, i);
            }
        }
        mark_memory("own share");
        self.profiling = Some(profiling);
        self.profiled()
    }

    /// Sends part worker `helper` the columns `share` to profile: every
    /// part's `section` of them, moved to it (this worker has read them).
    fn send_profile(
        &self,
        helper: usize,
        typing: &Typing,
        share: &[usize],
        section: &[&js_sys::Uint8Array],
    ) -> Result<(), String> {
        let tables = js_sys::Array::new();
        for table in section {
            tables.push(table);
        }
        let msg = ToPart::profile_share(typing, share).ok_or("a share of columns not there")?;
        self.worker(helper)?.send(&msg, Some(&tables))
    }

    /// What a part worker said while the dataset is profiled: its
    /// columns' profiles; when it failed, the data worker profiles them.
    fn heard_profiled(&mut self, index: usize, heard: Heard) -> PartsStep {
        let Some(profiling) = self.profiling.as_mut() else {
            return PartsStep::Wait;
        };
        let Some(at) = profiling.waiting.iter().position(|(h, _)| *h == index) else {
            return PartsStep::Wait;
        };
        match heard {
            Ok((FromPart::Progress { .. }, _)) => return PartsStep::Wait,
            Ok((FromPart::Profiled { profiles }, _)) => {
                profiling.waiting.remove(at);
                for (i, profile) in profiles {
                    if let Some(slot) = profiling.columns.get_mut(i) {
                        *slot = profile;
                    }
                }
            }
            // Anything else: its columns are profiled here.
            _ => {
                let (_, share) = profiling.waiting.remove(at);
                for i in share {
                    if let Some(slot) = profiling.columns.get_mut(i) {
                        *slot = column_profile(&profiling.ds, i);
                    }
                }
            }
        }
        if let Some(worker) = self.workers.get_mut(index) {
            *worker = None;
        }
        self.profiled()
    }

    /// The dataset and its profile once every share is in.
    fn profiled(&mut self) -> PartsStep {
        if self
            .profiling
            .as_ref()
            .is_some_and(|p| !p.waiting.is_empty())
        {
            return PartsStep::Wait;
        }
        let Some(p) = self.profiling.take() else {
            return PartsStep::Wait;
        };
        self.workers.clear();
        let profile = put_together(&p.ds, p.columns, p.duplicates);
        mark_memory("put together");
        PartsStep::Done(Box::new(ReadDone {
            ds: p.ds,
            profile: Some(profile),
            parts: p.parts,
            read_at: p.read_at,
        }))
    }

    fn worker(&self, index: usize) -> Result<&PartWorker, String> {
        self.workers
            .get(index)
            .and_then(Option::as_ref)
            .ok_or_else(|| format!("part {index}'s worker is gone"))
    }

    fn send_read(&self, index: usize, start: Option<u64>) -> Result<(), String> {
        let msg = ToPart::Read {
            plan: self.assembly.plan().clone(),
            index,
            start,
        };
        self.worker(index)?.send(&msg, Some(&self.blob))
    }
}

/// A table's bytes in a JS array (outside this worker's memory): as
/// another worker sent them, read a piece at a time into the columns that
/// keep them, or as this worker writes them to send ([`table_bytes`]):
/// the bytes are never whole in wasm memory beside their table.
struct JsBytes {
    array: js_sys::Uint8Array,
    at: u32,
}

impl JsBytes {
    fn new(array: js_sys::Uint8Array) -> JsBytes {
        JsBytes { array, at: 0 }
    }

    /// The next `n` bytes of the array (read or written: `at` moves past
    /// them), or `short` when it does not hold them.
    fn next(&mut self, n: usize, short: &str) -> Result<js_sys::Uint8Array, String> {
        let end = u32::try_from(n)
            .ok()
            .and_then(|n| self.at.checked_add(n))
            .filter(|&end| end <= self.array.length())
            .ok_or(short)?;
        let piece = self.array.subarray(self.at, end);
        self.at = end;
        Ok(piece)
    }
}

impl frame_bytes::Input for JsBytes {
    fn left(&self) -> usize {
        self.array.length().saturating_sub(self.at) as usize
    }

    fn fill(&mut self, buf: &mut [u8]) -> Result<(), String> {
        self.next(buf.len(), "the table's bytes end early")?
            .copy_to(buf);
        Ok(())
    }
}

/// The frame's table (`frame_bytes`) written into a JS array made once at
/// its size, a piece at a time: never whole in wasm memory beside the
/// frame.
fn table_bytes(frame: &DataFrame) -> Result<js_sys::Uint8Array, String> {
    let size = frame_bytes::size(frame);
    let length = u32::try_from(size)
        .map_err(|_| format!("a table of {size} bytes is too large to pass to another worker"))?;
    let mut out = JsBytes::new(js_sys::Uint8Array::new_with_length(length));
    frame_bytes::write(frame, &mut out)?;
    if out.at != length {
        return Err(format!("a table of {size} bytes came out as {}", out.at));
    }
    Ok(out.array)
}

/// The tables posted beside a message (a JS array of `Uint8Array`s; `count`
/// of them when given); None when that is not what came.
fn tables_beside(beside: Option<JsValue>, count: Option<usize>) -> Option<Vec<js_sys::Uint8Array>> {
    let array = beside?.dyn_into::<js_sys::Array>().ok()?;
    if count.is_some_and(|n| n != array.length() as usize) {
        return None;
    }
    array
        .iter()
        .map(|t| t.dyn_into::<js_sys::Uint8Array>().ok())
        .collect()
}

/// [`table_bytes`] writes from the start of the array.
impl frame_bytes::Output for JsBytes {
    fn put(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.next(bytes.len(), "a table's bytes are longer than their size")?
            .copy_from(bytes);
        Ok(())
    }
}
