//! The page's state and the actions that change it (Yew's Reducible).

use std::rc::Rc;

use yew::prelude::*;

use super::protocol::SortKey;
use super::storage::{ClientRecord, DatasetRecord};
use crate::core::DatasetProfile;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum JobState {
    #[default]
    Idle,
    Running,
    Done,
    Error,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Idle => "idle",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Error => "error",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Job {
    pub state: JobState,
    /// What is being done, for people ("Reading sales.csv").
    pub label: String,
    /// 0..=1
    pub progress: f64,
    pub elapsed_ms: Option<f64>,
    pub wasm_memory: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Overview,
    Columns,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Preview {
    /// The dataset whose rows the worker holds (None while it loads).
    pub dataset: Option<String>,
    pub total: usize,
    pub offset: usize,
    pub rows: Rc<Vec<Vec<String>>>,
    pub sort: Option<SortKey>,
    /// The newest rows request; older answers are ignored.
    pub request: u32,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct State {
    /// Storage has been read (or failed): the page shows real content.
    pub ready: bool,
    pub clients: Vec<ClientRecord>,
    pub client: Option<String>,
    pub datasets: Vec<DatasetRecord>,
    pub selected: Option<String>,
    pub profile: Option<Rc<DatasetProfile>>,
    pub job: Job,
    pub error: Option<String>,
    /// A passing remark that is not an error (e.g. "a file is still loading").
    pub notice: Option<String>,
    pub tab: Tab,
    pub preview: Preview,
}

pub enum Action {
    /// Clients (and the selected client's datasets) as now stored.
    Workspace {
        clients: Vec<ClientRecord>,
        client: Option<String>,
        datasets: Vec<DatasetRecord>,
    },
    Datasets(Vec<DatasetRecord>),
    Select {
        id: Option<String>,
        profile: Option<Rc<DatasetProfile>>,
    },
    JobStart(String),
    JobProgress(f64),
    JobDone {
        elapsed_ms: f64,
        wasm_memory: u64,
    },
    JobFailed(String),
    JobCancelled,
    Error(Option<String>),
    Notice(Option<String>),
    /// The worker now holds the rows of this dataset.
    WorkerHolds {
        dataset: String,
        total: usize,
    },
    RowsRequested(u32),
    Rows {
        request: u32,
        offset: usize,
        total: usize,
        rows: Vec<Vec<String>>,
    },
    Sort(Option<SortKey>),
    Tab(Tab),
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        match action {
            Action::Workspace {
                clients,
                client,
                datasets,
            } => {
                s.ready = true;
                s.clients = clients;
                if s.client != client {
                    s.selected = None;
                    s.profile = None;
                    s.preview = Preview::default();
                }
                s.client = client;
                s.datasets = datasets;
                if let Some(sel) = &s.selected {
                    if !s.datasets.iter().any(|d| &d.id == sel) {
                        s.selected = None;
                        s.profile = None;
                    }
                }
            }
            Action::Datasets(d) => {
                s.datasets = d;
                if let Some(sel) = &s.selected {
                    if !s.datasets.iter().any(|d| &d.id == sel) {
                        s.selected = None;
                        s.profile = None;
                    }
                }
            }
            Action::Select { id, profile } => {
                if s.selected != id {
                    s.preview.sort = None;
                }
                s.selected = id;
                s.profile = profile;
            }
            Action::JobStart(label) => {
                s.job = Job {
                    state: JobState::Running,
                    label,
                    progress: 0.0,
                    ..s.job.clone()
                };
                s.error = None;
                s.notice = None;
            }
            Action::JobProgress(p) => s.job.progress = p.clamp(0.0, 1.0),
            Action::JobDone {
                elapsed_ms,
                wasm_memory,
            } => {
                s.job.state = JobState::Done;
                s.job.progress = 1.0;
                s.job.elapsed_ms = Some(elapsed_ms);
                s.job.wasm_memory = Some(wasm_memory);
            }
            Action::JobFailed(msg) => {
                s.job.state = JobState::Error;
                s.error = Some(msg);
            }
            Action::JobCancelled => {
                s.job.state = JobState::Idle;
                s.job.progress = 0.0;
                s.notice = Some("Loading was cancelled. Nothing was saved.".into());
            }
            Action::Error(e) => s.error = e,
            Action::Notice(n) => s.notice = n,
            Action::WorkerHolds { dataset, total } => {
                s.preview = Preview {
                    dataset: Some(dataset),
                    total,
                    offset: 0,
                    rows: Rc::new(Vec::new()),
                    sort: s.preview.sort,
                    request: s.preview.request,
                };
            }
            Action::RowsRequested(r) => s.preview.request = r,
            Action::Rows {
                request,
                offset,
                total,
                rows,
            } => {
                if request != s.preview.request {
                    return self;
                }
                s.preview.offset = offset;
                s.preview.total = total;
                s.preview.rows = Rc::new(rows);
            }
            Action::Sort(k) => s.preview.sort = k,
            Action::Tab(t) => s.tab = t,
        }
        Rc::new(s)
    }
}

impl State {
    pub fn selected_record(&self) -> Option<&DatasetRecord> {
        let id = self.selected.as_ref()?;
        self.datasets.iter().find(|d| &d.id == id)
    }

    pub fn worker_holds_selected(&self) -> bool {
        self.selected.is_some() && self.preview.dataset == self.selected
    }
}
