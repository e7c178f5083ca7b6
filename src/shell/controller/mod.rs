//! Commands of the page: each one talks to storage and the worker and
//! dispatches actions to the state. Components only call these.
//!
//! One room per feature over one request/reply module:
//! - [`request`]: the engine (the data worker) — spawning it, asking it,
//!   restarting it when it stops, and what the page shows vs what it holds.
//! - [`workspace`]: clients and the list of their datasets.
//! - [`load`]: reading files and stored datasets into the worker.
//! - [`clean`], [`explore`], [`model`]: the tabs' commands.
//! - [`download`]: every file the page hands to the user.
//! - [`backup`]: a client as one file, and restoring it.

mod backup;
mod clean;
mod download;
mod explore;
mod load;
mod model;
mod request;
mod workspace;

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::{mpsc, oneshot};
use yew::prelude::*;

use super::bridge::Engine;
use super::state::{Action, State, Tab};
use super::storage::{DatasetRecord, Storage, StorageError};
use crate::core::explore::alerts::AlertConfig;
use crate::protocol::{
    DatasetRef, Fault, FromWorker, LoadId, Reply, RequestId, RunId, WorkerError,
};

pub use download::{download, download_blob, ReportParts};
pub use load::stored_recipe;
pub use model::{model_versions, ModelVersion, MAX_MODEL_BYTES, MAX_VERSIONS};

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

type LoadSender = mpsc::UnboundedSender<FromWorker>;
type Answer = Result<Reply, WorkerError>;

struct Inner {
    dispatch: UseReducerDispatcher<State>,
    storage: RefCell<Option<Storage>>,
    /// The running worker (None between a stop and its restart).
    engine: RefCell<Option<Engine>>,
    /// Which engine is current: messages of an older one are ignored.
    generation: Cell<u32>,
    /// The fault a test asked for (`?fault=…`), for the first engine only.
    fault: Cell<Option<Fault>>,
    /// An engine was asked to warm up (the first only: `core::warm`).
    warm_asked: Cell<bool>,
    /// The file being read: its load, where its messages go, and its name.
    load: RefCell<Option<(LoadId, LoadSender, String)>>,
    /// A workbook waiting for the user to choose its sheet.
    book: RefCell<Option<load::PendingBook>>,
    /// One counter for loads, requests and runs.
    next_id: Cell<u32>,
    cancel: Cell<bool>,
    busy: Cell<bool>,
    /// Stored datasets being read again (`read_stored` under way): a
    /// request about the shown dataset waits for its rows meanwhile.
    rereading: Cell<u32>,
    /// Called when the current load ends.
    idle_waiters: RefCell<Vec<oneshot::Sender<()>>>,
    /// Requests awaiting the worker's answer, with what the worker does
    /// meanwhile (for the message when it stops).
    pending: RefCell<HashMap<RequestId, (oneshot::Sender<Answer>, &'static str)>>,
    /// The client the page shows.
    client: RefCell<Option<String>>,
    /// The dataset the page shows (by id).
    selected: RefCell<Option<String>>,
    /// The dataset the page shows, once the worker holds it: every request
    /// names it, and nothing is asked while it is `None`.
    shown: RefCell<Option<(DatasetRef, DatasetRecord)>>,
    /// A dataset the worker let go before the page showed it (it was read,
    /// and saved meanwhile): shown without its rows, and read again.
    released: RefCell<Option<DatasetRef>>,
    /// The alert thresholds in use (also in the state, for the view).
    alert_config: Cell<AlertConfig>,
    /// The training run the page follows, and the dataset it is about
    /// (its versions are saved there when the run finishes).
    ml_run: RefCell<Option<(RunId, DatasetRecord)>>,
    /// When the followed run started (ms since the epoch).
    ml_started: Cell<f64>,
    /// The storage key of the saved model the worker holds.
    loaded_model: RefCell<Option<String>>,
}

#[derive(Clone)]
pub struct Controller(Rc<Inner>);

impl PartialEq for Controller {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Controller {
    pub fn new(dispatch: UseReducerDispatcher<State>) -> Controller {
        let ctl = Controller(Rc::new(Inner {
            dispatch,
            storage: RefCell::new(None),
            engine: RefCell::new(None),
            generation: Cell::new(0),
            fault: Cell::new(fault_asked()),
            warm_asked: Cell::new(false),
            load: RefCell::new(None),
            book: RefCell::new(None),
            next_id: Cell::new(1),
            cancel: Cell::new(false),
            busy: Cell::new(false),
            rereading: Cell::new(0),
            idle_waiters: RefCell::new(Vec::new()),
            pending: RefCell::new(HashMap::new()),
            client: RefCell::new(None),
            selected: RefCell::new(None),
            shown: RefCell::new(None),
            released: RefCell::new(None),
            alert_config: Cell::new(AlertConfig::default()),
            ml_run: RefCell::new(None),
            ml_started: Cell::new(0.0),
            loaded_model: RefCell::new(None),
        }));
        ctl.spawn_engine();
        ctl
    }

    fn dispatch(&self, a: Action) {
        self.0.dispatch.dispatch(a);
    }

    fn next_id(&self) -> u32 {
        let id = self.0.next_id.get();
        self.0.next_id.set(id.wrapping_add(1));
        id
    }

    fn storage(&self) -> Option<Storage> {
        self.0.storage.borrow().clone()
    }

    fn storage_error(&self, action: &str, e: StorageError) {
        self.dispatch(Action::Error(Some(e.user_message(action))));
    }

    pub fn set_tab(&self, tab: Tab) {
        self.dispatch(Action::Tab(tab));
    }

    pub fn dismiss_error(&self) {
        self.dispatch(Action::Error(None));
    }

    pub fn dismiss_engine_error(&self) {
        self.dispatch(Action::Engine(None));
    }

    pub fn dismiss_tab_sync(&self) {
        self.dispatch(Action::TabSync(None));
    }

    pub fn dispatch_notice_clear(&self) {
        self.dispatch(Action::Notice(None));
    }

    pub fn show_error(&self, message: String) {
        self.dispatch(Action::Error(Some(message)));
    }

    pub fn clear_error(&self) {
        self.dispatch(Action::Error(None));
    }
}

/// `?fault=engine-crash`: the first worker panics while computing insights;
/// `?fault=engine-trap-reading`: it traps while reading a second file;
/// `?fault=small-memory`: its memory is taken to be 1 byte;
/// `?fault=helper-fails`: the insights' helper worker fails.
fn fault_asked() -> Option<Fault> {
    match asked("fault").as_deref() {
        Some("engine-crash") => Some(Fault::PanicInInsights),
        Some("engine-trap-reading") => Some(Fault::TrapReadingSecond),
        Some("small-memory") => Some(Fault::SmallMemory),
        Some("helper-fails") => Some(Fault::HelperFails),
        _ => None,
    }
}

/// The page's query parameter `name` (`?name=value`), if given.
fn asked(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

fn mark_ready() {
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-app-ready", "true");
    }
    crate::shell::mark("plainsight-ready");
}
