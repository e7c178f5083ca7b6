//! The page's state and the actions that change it (Yew's Reducible).

use std::rc::Rc;

use yew::prelude::*;

use super::protocol::{RowFilter, RunId, SortKey, StepView};
use super::storage::{ClientRecord, DatasetRecord};
use crate::core::clean::auto::{Mode, Proposal, Purpose};
use crate::core::clean::{RunLog, Step};
use crate::core::explore::alerts::AlertConfig;
use crate::core::explore::{Answer, Insights};
use crate::core::ml::automl::{Board, Explanation, WhatIf};
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
    /// A file's load: the part of `elapsed_ms` spent reading it into typed
    /// columns (the rest is the profile).
    pub read_ms: Option<f64>,
    /// A file's load: the parts it was read in at once (1: whole).
    pub read_parts: Option<usize>,
    /// The last load's worker memory after each step (benchmarks).
    pub memory_marks: Vec<(String, u64)>,
    pub wasm_memory: Option<u64>,
    /// The last insights' Spearman matrix came from a helper worker
    /// (`shell::helper`); None before any insights.
    pub insights_helper: Option<bool>,
    /// Reading a file can be cancelled; cleaning steps are quick.
    pub cancellable: bool,
}

impl Job {
    /// A new job `label` runs: no progress or reading time yet; the last
    /// job's elapsed time and memory stay until it reports its own.
    fn start(&mut self, label: String, cancellable: bool) {
        *self = Job {
            state: JobState::Running,
            label,
            cancellable,
            progress: 0.0,
            read_ms: None,
            read_parts: None,
            memory_marks: Vec::new(),
            ..self.clone()
        };
    }
}

/// The status bar's label while models are trained.
const TRAINING: &str = "Training models";

/// Runs kept in a dataset's processing log.
pub const MAX_RUNS: usize = 50;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Tab {
    #[default]
    Overview,
    Columns,
    Clean,
    Explore,
    Model,
}

/// The Model tab: the leaderboard being built or last built in this
/// session, and what was asked of its models.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Ml {
    /// The dataset this belongs to.
    pub dataset: Option<String>,
    /// The worker's run of the live board.
    pub run: Option<RunId>,
    /// The board from the worker (its models can predict).
    pub board: Option<Rc<Board>>,
    pub error: Option<String>,
    /// The model the what-if form and predictions use (name).
    pub selected: Option<String>,
    pub what_if: Option<WhatIf>,
    /// The explanation of a model the user selected (the best model's is
    /// on the board), by its name.
    pub explained: Option<(String, Rc<Explanation>)>,
    /// The model being explained.
    pub explaining: Option<String>,
    /// The last scored file: its download name, rows and CSV bytes.
    pub predicted: Option<Rc<(String, usize, Vec<u8>)>>,
}

/// The Clean tab: proposals, the applied recipe with its undo history, the
/// processing log and the cleaned result.
#[derive(Clone, Debug, PartialEq)]
pub struct Clean {
    /// The dataset this belongs to.
    pub dataset: Option<String>,
    pub mode: Mode,
    /// Proposed steps and whether each is accepted.
    pub proposals: Vec<(Proposal, bool)>,
    /// Recipe versions; `history[at]` is the applied recipe.
    pub history: Vec<Vec<Step>>,
    pub at: usize,
    /// Runs of the recipe, newest last.
    pub runs: Vec<RunLog>,
    /// The cleaned data of the applied recipe, when the worker has run it.
    pub result: Option<Rc<CleanResult>>,
    /// Before/after of one step, by where it is shown: a step of the
    /// applied recipe by its index, proposal `i` as [`PROPOSAL_SLOT`] + `i`.
    pub step_preview: Option<(usize, Rc<StepView>)>,
    /// A step whose parameters are being edited.
    pub editing: Option<usize>,
}

/// Where the before/after of proposals is kept in `Clean::step_preview`
/// (past any recipe's steps).
pub const PROPOSAL_SLOT: usize = 1 << 20;

#[derive(Clone, Debug, PartialEq)]
pub struct CleanResult {
    pub steps: Vec<Step>,
    pub log: RunLog,
    pub profile: DatasetProfile,
}

impl Default for Clean {
    fn default() -> Self {
        Clean {
            dataset: None,
            mode: Mode::Quick,
            proposals: Vec::new(),
            history: vec![Vec::new()],
            at: 0,
            runs: Vec::new(),
            result: None,
            step_preview: None,
            editing: None,
        }
    }
}

impl Clean {
    pub fn recipe(&self) -> &[Step] {
        self.history
            .get(self.at)
            .map(Vec::as_slice)
            .unwrap_or_default()
    }
    pub fn can_undo(&self) -> bool {
        self.at > 0
    }
    pub fn can_redo(&self) -> bool {
        self.at + 1 < self.history.len()
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Preview {
    /// The dataset whose rows the worker holds (None while it loads).
    pub dataset: Option<String>,
    pub total: usize,
    pub offset: usize,
    pub rows: Rc<Vec<Vec<String>>>,
    pub sort: Option<SortKey>,
    /// Only the rows where a column reads a value (a clicked bar).
    pub filter: Option<RowFilter>,
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
    /// A workbook's sheets to choose from before it is read.
    pub sheet_pick: Option<Rc<SheetPick>>,
    pub tab: Tab,
    pub preview: Preview,
    pub clean: Clean,
    /// The alerts, correlations, box plots and missing matrix of a dataset
    /// (by id), once the worker has them.
    pub insights: Option<(String, Rc<Insights>)>,
    /// The alert thresholds in use.
    pub alert_config: AlertConfig,
    /// The charts the user asked for on the Explore tab (one per kind), of
    /// a dataset (by id); and the last query's error.
    pub explored: Option<(String, Vec<Rc<Answer>>)>,
    pub explore_error: Option<String>,
    pub ml: Ml,
    /// The tree learners' timing (`?bench=trees`).
    pub bench_trees: Option<Result<crate::core::ml::speed::Timing, String>>,
    /// The engine stopped (or cannot start): what happened, and whether the
    /// dataset the page shows has been read again since.
    pub engine: Option<EngineNotice>,
    /// A newer Plainsight in another tab closed this tab's storage.
    pub outdated: bool,
    /// What another tab changed in the client shown (`tab-sync`).
    pub tab_sync: Option<String>,
}

/// A workbook with several sheets of data, before one is read.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetPick {
    pub file: String,
    pub sheets: Vec<crate::core::workbook::SheetInfo>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EngineNotice {
    pub message: String,
    pub recovered: bool,
}

pub enum Action {
    /// Storage was closed for a newer version in another tab.
    Outdated,
    /// Another tab stored a change of the shown client (or the notice is
    /// dismissed).
    TabSync(Option<String>),
    /// The engine stopped (a sentence) or the banner is dismissed.
    Engine(Option<String>),
    /// The dataset the page shows is back in a fresh engine.
    EngineRecovered,
    BenchTrees(Result<crate::core::ml::speed::Timing, String>),
    /// Training starts on a dataset (by id) as run `run`.
    MlStart(String, RunId),
    /// The worker's board of run `run`.
    MlBoard(RunId, Board),
    MlError(Option<String>),
    MlSelect(Option<String>),
    MlWhatIf(Option<WhatIf>),
    /// A model's explanation is being made.
    MlExplaining(String),
    /// A model's explanation (None: it could not be made).
    MlExplained(String, Option<Rc<Explanation>>),
    MlPredicted(Option<Rc<(String, usize, Vec<u8>)>>),
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
    /// A job starts: its label, and whether it can be cancelled.
    JobStart(String, bool),
    /// A file is read again after the last job (a cancellable read), whose
    /// error or notice stays shown.
    JobAgain(String),
    JobProgress(f64),
    /// A load's reading time (ms), the parts it was read in and the
    /// worker's memory after each step (before its `JobDone`).
    JobRead {
        read_ms: f64,
        parts: usize,
        memory_marks: Vec<(String, u64)>,
    },
    JobDone {
        elapsed_ms: f64,
        wasm_memory: u64,
    },
    JobFailed(String),
    /// A file's read was cancelled; what to tell.
    JobCancelled(String),
    Error(Option<String>),
    Notice(Option<String>),
    /// Ask which sheet of a workbook to read (None: the question is gone).
    SheetPick(Option<Rc<SheetPick>>),
    /// The worker let the shown dataset's rows go (to read another file),
    /// with its training run: `stopped` says so if the run was still going.
    WorkerReleased {
        stopped: String,
    },
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
    RowFilter(Option<RowFilter>),
    Tab(Tab),
    /// The stored recipe and log of a dataset (on opening it).
    CleanLoad {
        dataset: String,
        steps: Vec<Step>,
        runs: Vec<RunLog>,
    },
    CleanMode(Mode),
    Proposed(Vec<Proposal>),
    ToggleProposal(usize),
    /// A new applied recipe (drops the redo versions, clears proposals).
    RecipePush(Vec<Step>),
    /// The applied recipe as it ran, with what its steps fitted written in
    /// (replaces the history's entry, not a new one).
    RecipeFitted(Vec<Step>),
    Undo,
    Redo,
    CleanResult(Rc<CleanResult>),
    RunLogged(RunLog),
    StepPreview(Option<(usize, Rc<StepView>)>),
    /// A dataset's insights, the worker's wasm memory then, and whether a
    /// helper worker computed their Spearman matrix.
    Insights(String, Rc<Insights>, u64, bool),
    AlertConfig(AlertConfig),
    Explored(String, Answer),
    ExploreError(Option<String>),
    Editing(Option<usize>),
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
                    s.clean = Clean::default();
                    // The worker holds one dataset and its run: opening
                    // another drops them. Back on this one, the Model tab
                    // shows the saved version (as after a reload), whose
                    // models answer what-if and scoring; a run still going
                    // on has stopped, and the page says so.
                    let running =
                        s.ml.run.is_some() && s.ml.board.as_ref().is_none_or(|b| b.running());
                    if running {
                        s.notice = Some(
                            "Training stopped: another dataset was opened, and this page's worker holds one dataset at a time. Models that finished were not saved; train again on that dataset to get them.".into(),
                        );
                        if s.job.label.starts_with(TRAINING) {
                            s.job.state = JobState::Idle;
                        }
                    }
                    s.ml = Ml::default();
                }
                s.selected = id;
                s.profile = profile;
            }
            Action::JobStart(label, cancellable) => {
                s.job.start(label, cancellable);
                s.error = None;
                s.notice = None;
            }
            Action::JobAgain(label) => s.job.start(label, true),
            Action::JobProgress(p) => s.job.progress = p.clamp(0.0, 1.0),
            Action::JobRead {
                read_ms,
                parts,
                memory_marks,
            } => {
                s.job.read_ms = Some(read_ms);
                s.job.read_parts = Some(parts);
                s.job.memory_marks = memory_marks;
            }
            Action::JobDone {
                elapsed_ms,
                wasm_memory,
            } => {
                s.job.state = JobState::Done;
                s.job.progress = 1.0;
                s.job.elapsed_ms = Some(elapsed_ms);
                // 0: the job did not measure it (keep the last figure).
                if wasm_memory > 0 {
                    s.job.wasm_memory = Some(wasm_memory);
                }
            }
            Action::JobFailed(msg) => {
                s.job.state = JobState::Error;
                s.error = Some(msg);
            }
            Action::JobCancelled(notice) => {
                s.job.state = JobState::Idle;
                s.job.progress = 0.0;
                s.notice = Some(notice);
            }
            Action::Error(e) => s.error = e,
            Action::Notice(n) => s.notice = n,
            Action::SheetPick(pick) => {
                if pick.is_some() {
                    // The load stopped to ask; nothing runs meanwhile.
                    s.job.state = JobState::Idle;
                    s.job.progress = 0.0;
                }
                s.sheet_pick = pick;
            }
            Action::WorkerHolds { dataset, total } => {
                s.preview = Preview {
                    dataset: Some(dataset),
                    total,
                    offset: 0,
                    rows: Rc::new(Vec::new()),
                    sort: s.preview.sort,
                    filter: None,
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
            Action::RowFilter(f) => s.preview.filter = f,
            Action::Tab(t) => s.tab = t,
            Action::CleanLoad {
                dataset,
                steps,
                runs,
            } => {
                s.clean = Clean {
                    dataset: Some(dataset),
                    mode: s.clean.mode,
                    history: vec![steps],
                    runs,
                    ..Clean::default()
                };
            }
            Action::CleanMode(m) => s.clean.mode = m,
            Action::Proposed(p) => {
                // A proposal's before/after belongs to the list it was shown for.
                s.clean.step_preview = None;
                s.clean.proposals = p
                    .into_iter()
                    .map(|p| {
                        let ticked = p.purpose == Purpose::Clean;
                        (p, ticked)
                    })
                    .collect();
            }
            Action::ToggleProposal(i) => {
                if let Some(p) = s.clean.proposals.get_mut(i) {
                    p.1 = !p.1;
                }
                // The proposals' before/after ran after the ticked ones.
                if s.clean
                    .step_preview
                    .as_ref()
                    .is_some_and(|(slot, _)| *slot >= PROPOSAL_SLOT)
                {
                    s.clean.step_preview = None;
                }
            }
            Action::RecipeFitted(steps) => {
                if let Some(slot) = s.clean.history.get_mut(s.clean.at) {
                    *slot = steps;
                }
            }
            Action::RecipePush(steps) => {
                let c = &mut s.clean;
                c.history.truncate(c.at + 1);
                c.history.push(steps);
                c.at = c.history.len() - 1;
                c.proposals.clear();
                c.step_preview = None;
                c.editing = None;
            }
            Action::Undo => {
                if s.clean.can_undo() {
                    s.clean.at -= 1;
                    s.clean.step_preview = None;
                    s.clean.editing = None;
                }
            }
            Action::Redo => {
                if s.clean.can_redo() {
                    s.clean.at += 1;
                    s.clean.step_preview = None;
                    s.clean.editing = None;
                }
            }
            Action::CleanResult(r) => s.clean.result = Some(r),
            Action::RunLogged(log) => {
                s.clean.runs.push(log);
                let extra = s.clean.runs.len().saturating_sub(MAX_RUNS);
                s.clean.runs.drain(..extra);
            }
            Action::StepPreview(p) => s.clean.step_preview = p,
            Action::Insights(id, i, wasm_memory, helped) => {
                s.insights = Some((id, i));
                s.job.insights_helper = Some(helped);
                // The worker's memory only grows: its peak, now with the
                // insights' own.
                s.job.wasm_memory = s.job.wasm_memory.max(Some(wasm_memory).filter(|&m| m > 0));
            }
            Action::AlertConfig(c) => s.alert_config = c,
            Action::Explored(id, answer) => {
                let mut answers = match s.explored.take() {
                    Some((known, a)) if known == id => a,
                    _ => Vec::new(),
                };
                answers.retain(|a| a.kind() != answer.kind());
                answers.push(Rc::new(answer));
                s.explored = Some((id, answers));
                s.explore_error = None;
            }
            Action::ExploreError(e) => s.explore_error = e,
            Action::MlStart(dataset, run) => {
                s.ml = Ml {
                    dataset: Some(dataset),
                    run: Some(run),
                    ..Ml::default()
                };
                // The status bar tells of the job running now.
                s.job = Job {
                    state: JobState::Running,
                    label: TRAINING.into(),
                    progress: 0.0,
                    elapsed_ms: None,
                    cancellable: false,
                    ..s.job.clone()
                };
            }
            Action::MlBoard(run, board) => {
                if s.ml.run == Some(run) && s.job.label.starts_with(TRAINING) {
                    if let Some(p) = board.progress.as_ref().filter(|p| p.total > 0) {
                        s.job.progress = p.done as f64 / p.total as f64;
                        s.job.label = format!("{TRAINING}: {} ({})", p.model, p.phase);
                    }
                    if board.finished {
                        s.job.label = TRAINING.into();
                        s.job.progress = 1.0;
                        s.job.state = if board.cancelled {
                            JobState::Idle
                        } else {
                            JobState::Done
                        };
                    }
                }
                if s.ml.run == Some(run) {
                    if s.ml.selected.is_none() || board.finished {
                        s.ml.selected =
                            s.ml.selected
                                .clone()
                                .filter(|_| !board.finished)
                                .or_else(|| board.best.map(|b| b.name().to_string()));
                    }
                    s.ml.board = Some(Rc::new(board));
                }
            }
            Action::MlError(e) => {
                if e.is_some()
                    && s.job.state == JobState::Running
                    && s.job.label.starts_with(TRAINING)
                {
                    s.job.state = JobState::Error;
                }
                s.ml.error = e;
            }
            Action::BenchTrees(t) => s.bench_trees = Some(t),
            // The what-if answer stays: the form asks again when the model
            // it uses changes (picking the baseline keeps the best).
            Action::MlSelect(m) => s.ml.selected = m,
            Action::MlWhatIf(w) => s.ml.what_if = w,
            Action::MlExplaining(m) => s.ml.explaining = Some(m),
            Action::MlExplained(m, x) => {
                if s.ml.explaining.as_ref() == Some(&m) {
                    s.ml.explaining = None;
                }
                s.ml.explained = x.map(|x| (m, x));
            }
            Action::MlPredicted(p) => s.ml.predicted = p,
            Action::Editing(e) => s.clean.editing = e,
            Action::Engine(message) => {
                s.engine = message.map(|message| EngineNotice {
                    message,
                    recovered: false,
                });
                // Rows, alerts and charts asked of the old engine will not come.
                s.preview.dataset = None;
            }
            // Rows, alerts and charts wait until it is read again.
            Action::WorkerReleased { stopped } => {
                s.preview.dataset = None;
                let running = s.ml.run.is_some() && s.ml.board.as_ref().is_none_or(|b| b.running());
                if running {
                    if s.job.state == JobState::Running && s.job.label.starts_with(TRAINING) {
                        s.job.state = JobState::Error;
                    }
                    s.ml.error = Some(stopped);
                }
            }
            Action::Outdated => s.outdated = true,
            Action::TabSync(t) => s.tab_sync = t,
            Action::EngineRecovered => {
                if let Some(e) = s.engine.as_mut() {
                    e.recovered = true;
                }
            }
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
