//! The request/reply module: the page's one way to talk to the engine.
//!
//! - `ask` names the dataset the page shows (`shown`); nothing is asked
//!   while the worker does not hold it, and the worker checks it again.
//! - Every ask has a timeout; a worker that stops (crash, out of memory,
//!   unreadable messages) or does not answer is replaced by a fresh one,
//!   every waiting request ends, and the dataset the page showed is read
//!   again from storage (the `engine-error` banner says so, and
//!   `data-recovered` turns true when it is back).

use std::rc::Rc;

use futures::channel::oneshot;
use futures::future::{select, Either};
use gloo::timers::future::TimeoutFuture;
use wasm_bindgen_futures::spawn_local;

use super::{Answer, Controller};
use crate::messages;
use crate::protocol::{Ask, DatasetRef, FromWorker, Reply, ToWorker, WorkerError, BUILD_ID};
use crate::shell::bridge::{Engine, Incoming};
use crate::shell::state::Action;

/// How long a question may take before the engine counts as stopped.
const ASK_TIMEOUT_MS: u32 = 180_000;

/// Why an ask has no answer.
pub(super) enum AskError {
    /// The worker answered with an error.
    Worker(WorkerError),
    /// The engine stopped meanwhile (the `engine-error` banner says so).
    Stopped,
}

impl AskError {
    /// The sentence for the page; `None` when the engine banner says it.
    pub(super) fn sentence(&self) -> Option<String> {
        match self {
            AskError::Worker(e) => Some(messages::worker_error(e)),
            AskError::Stopped => None,
        }
    }
}

impl Controller {
    /// Starts a fresh worker (the fault a test asked for goes to the first).
    pub(super) fn spawn_engine(&self) {
        let generation = self.0.generation.get().wrapping_add(1);
        self.0.generation.set(generation);
        let weak = Rc::downgrade(&self.0);
        let deliver: Rc<dyn Fn(Incoming)> = Rc::new(move |incoming| {
            let Some(inner) = weak.upgrade() else { return };
            let ctl = Controller(inner);
            if ctl.0.generation.get() == generation {
                ctl.incoming(incoming);
            }
        });
        match Engine::spawn(deliver) {
            Ok(engine) => {
                let _ = engine.send(&ToWorker::Hello {
                    build: BUILD_ID.to_string(),
                    fault: self.0.fault.take(),
                    // The first engine only (one restarted after a crash
                    // does not run it again: were the warm-up the cause, it
                    // would stop every engine); `?warm=off`: not (to
                    // compare).
                    warm: !self.0.warm_asked.replace(true)
                        && super::asked("warm").as_deref() != Some("off"),
                    // `?helpers=off`: the insights in the data worker alone.
                    helpers: super::asked("helpers").as_deref() != Some("off"),
                });
                *self.0.engine.borrow_mut() = Some(engine);
            }
            Err(why) => self.dispatch(Action::Engine(Some(messages::engine_failed(&why)))),
        }
    }

    pub(super) fn send(&self, msg: ToWorker) {
        self.send_with(msg, None);
    }

    /// Sends `msg` with `beside` (a file: `ToWorker::ReadFile`).
    pub(super) fn send_with(&self, msg: ToWorker, beside: Option<wasm_bindgen::JsValue>) {
        let sent = match self.0.engine.borrow().as_ref() {
            Some(engine) => engine.send_with(&msg, beside),
            None => Err("the engine is not running".into()),
        };
        if let Err(why) = sent {
            self.dispatch(Action::Error(Some(messages::engine_failed(&why))));
        }
    }

    fn incoming(&self, incoming: Incoming) {
        match incoming {
            Incoming::Message(msg) => self.message(*msg),
            Incoming::Unreadable(why) => {
                self.engine_stopped(None, &format!("its answer could not be read: {why}"))
            }
            Incoming::Stopped(why) => {
                web_sys::console::error_1(&format!("Plainsight engine: {why}").into());
                self.engine_stopped(None, &messages::stop_reason(&why))
            }
            Incoming::OtherBuild(theirs) => {
                self.dispatch(Action::Engine(Some(messages::other_build(
                    BUILD_ID, &theirs,
                ))));
            }
        }
    }

    fn message(&self, msg: FromWorker) {
        match msg {
            FromWorker::Reply { request, reply } => {
                if let Some((tx, _)) = self.0.pending.borrow_mut().remove(&request) {
                    let _ = tx.send(reply);
                }
            }
            FromWorker::Progress { load, .. }
            | FromWorker::Loaded { load, .. }
            | FromWorker::LoadFailed { load, .. }
            | FromWorker::SendChunks { load }
            | FromWorker::Sheets { load, .. } => {
                if let Some((current, tx, _)) = self.0.load.borrow().as_ref() {
                    if *current == load {
                        let _ = tx.unbounded_send(msg);
                    }
                }
            }
            FromWorker::Released { about, .. } => self.released(&about),
            FromWorker::Training { run, board } => self.training(run, *board),
            FromWorker::TrainFailed { run, error } => {
                if self.following(run) {
                    self.dispatch(Action::MlError(Some(messages::worker_error(&error))));
                }
            }
            FromWorker::BenchTrees { timing } => self.dispatch(Action::BenchTrees(timing)),
            FromWorker::Crashed { message } => {
                web_sys::console::error_1(&format!("Plainsight engine: {message}").into());
                self.engine_stopped(None, &messages::crash_reason(&message))
            }
            FromWorker::Unreadable { reason } => self.engine_stopped(
                None,
                &format!("it could not read the page's message: {reason}"),
            ),
            FromWorker::Warmed {
                ms,
                longest_ms,
                samples,
            } => spawn_local(async move {
                crate::shell::bridge::warm_decoders(samples).await;
                mark_warmed(ms, longest_ms);
            }),
            // The bridge answers hellos itself.
            FromWorker::Hello { .. } => {}
        }
    }

    /// The worker let dataset `about` go to read the current file: nothing
    /// is asked about it until it is read again (`after_load` does, if the
    /// file read is not shown instead), and its training run has ended (the
    /// page says so if it was still going). A dataset just read and not
    /// yet shown (saved meanwhile) is remembered: it is not taken as held
    /// when it is shown.
    fn released(&self, about: &DatasetRef) {
        if self.0.ml_run.borrow().as_ref().map(|(_, r)| &r.id) == Some(&about.id) {
            *self.0.ml_run.borrow_mut() = None;
        }
        let shown = self.0.shown.borrow().as_ref().map(|(a, _)| a.clone());
        if shown.as_ref() != Some(about) {
            *self.0.released.borrow_mut() = Some(about.clone());
            return;
        }
        *self.0.shown.borrow_mut() = None;
        let file = self.0.load.borrow().as_ref().map(|(_, _, n)| n.clone());
        self.dispatch(Action::WorkerReleased {
            stopped: messages::training_released(file.as_deref().unwrap_or("another file")),
        });
    }

    /// The dataset the page shows, if the worker holds it.
    pub(super) fn about(&self) -> Result<DatasetRef, WorkerError> {
        match self.0.shown.borrow().as_ref() {
            Some((about, _)) => Ok(about.clone()),
            None => Err(not_loaded(
                self.0.selected.borrow().clone().unwrap_or_default(),
            )),
        }
    }

    /// The dataset the page shows, once the worker holds it: while its
    /// rows are read (a stored dataset read again after a reload, or any
    /// file read), a request waits for them instead of failing; it fails
    /// when no read is under way, or the page shows another dataset by
    /// then.
    async fn shown_about(&self) -> Result<DatasetRef, WorkerError> {
        let wanted = self.0.selected.borrow().clone();
        let mut waited = 0;
        loop {
            // As long as any request waits for its answer, no longer.
            let reading =
                (self.0.busy.get() || self.0.rereading.get() > 0) && waited < ASK_TIMEOUT_MS;
            let same = *self.0.selected.borrow() == wanted;
            match self.about() {
                Ok(about) if Some(&about.id) == wanted.as_ref() => return Ok(about),
                Err(_) if reading && same => {
                    TimeoutFuture::new(READ_POLL_MS).await;
                    waited += READ_POLL_MS;
                }
                Ok(_) | Err(_) => return Err(not_loaded(wanted.unwrap_or_default())),
            }
        }
    }

    /// Asks about the dataset the page shows and awaits the answer.
    pub(super) async fn ask(&self, ask: Ask) -> Result<Reply, AskError> {
        let about = self.shown_about().await.map_err(AskError::Worker)?;
        let request = self.next_id();
        let doing = ask.doing();
        let (tx, rx) = oneshot::channel::<Answer>();
        self.0.pending.borrow_mut().insert(request, (tx, doing));
        self.send(ToWorker::Ask {
            request,
            about,
            ask,
        });
        match select(rx, TimeoutFuture::new(ASK_TIMEOUT_MS)).await {
            Either::Left((Ok(answer), _)) => answer.map_err(AskError::Worker),
            Either::Left((Err(_), _)) => Err(AskError::Stopped),
            Either::Right(_) => {
                if self.0.pending.borrow().contains_key(&request) {
                    self.engine_stopped(
                        Some(doing),
                        &format!(
                            "it did not answer within {} minutes",
                            ASK_TIMEOUT_MS / 60_000
                        ),
                    );
                }
                Err(AskError::Stopped)
            }
        }
    }

    /// The engine stopped: say so, end every waiting request, start a new
    /// one and read the shown dataset again.
    pub(super) fn engine_stopped(&self, doing: Option<&'static str>, why: &str) {
        // What timed out, else the file being read (named: the dataset
        // shown is another one), else a question or training.
        let reading = self
            .0
            .load
            .borrow()
            .as_ref()
            .map(|(_, _, name)| format!("reading {name}"));
        let doing = doing.map(str::to_string).or(reading).or_else(|| {
            self.0
                .pending
                .borrow()
                .values()
                .next()
                .map(|(_, d)| *d)
                .or_else(|| self.0.ml_run.borrow().as_ref().map(|_| "training models"))
                .map(str::to_string)
        });
        // Ignore whatever the old engine still says; stop it after this
        // message's handling (its handlers are running now).
        self.0
            .generation
            .set(self.0.generation.get().wrapping_add(1));
        let old = self.0.engine.borrow_mut().take();
        spawn_local(async move { drop(old) });
        self.0.pending.borrow_mut().clear();
        *self.0.load.borrow_mut() = None;
        *self.0.loaded_model.borrow_mut() = None;
        if self.0.ml_run.borrow_mut().take().is_some() {
            self.dispatch(Action::MlError(Some(messages::training_stopped())));
        }
        let shown = self.0.shown.borrow_mut().take();
        self.dispatch(Action::Engine(Some(messages::engine_stopped(
            doing.as_deref(),
            why,
        ))));
        self.spawn_engine();
        let Some((_, rec)) = shown else {
            return self.dispatch(Action::EngineRecovered);
        };
        {
            let ctl = self.clone();
            spawn_local(async move {
                ctl.until_idle().await;
                if ctl.0.selected.borrow().as_deref() == Some(rec.id.as_str())
                    && ctl.read_stored(rec, super::load::Reread::Recovering).await
                {
                    ctl.dispatch(Action::EngineRecovered);
                }
            });
        }
    }

    /// Resolves when no file is being read.
    pub(super) async fn until_idle(&self) {
        if !self.0.busy.get() {
            return;
        }
        let (tx, rx) = oneshot::channel();
        self.0.idle_waiters.borrow_mut().push(tx);
        let _ = rx.await;
    }
}

/// Dataset `id` is not held by the worker (for the page: its rows are
/// not loaded yet).
pub(super) fn not_loaded(id: String) -> WorkerError {
    WorkerError::NotLoaded {
        wanted: DatasetRef { id, load: 0 },
        holds: None,
    }
}

/// How often a request waiting for its dataset's rows looks again, ms.
const READ_POLL_MS: u32 = 50;

/// Says on the page that the engine (and the page's decoders) warmed up,
/// and in how long
/// (`body[data-engine-warm-ms]`, its longest step in
/// `data-engine-warm-step-ms`): the benchmarks choose their file after it,
/// as a person would.
fn mark_warmed(ms: f64, longest_ms: f64) {
    if let Some(body) = gloo::utils::document().body() {
        let _ = body.set_attribute("data-engine-warm-ms", &format!("{ms:.0}"));
        let _ = body.set_attribute("data-engine-warm-step-ms", &format!("{longest_ms:.0}"));
    }
}
