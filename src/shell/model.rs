//! Model tab: pick a target (or none), train a leaderboard of models in the
//! worker under a time budget (progress, stop), read each model's scores,
//! the best model's explanation, ask it "what if", score a new file, and
//! find earlier versions again after a reload.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::chart::{Chart, ChartData};
use super::controller::{download, model_versions, Controller, ModelVersion};
use super::format;
use super::protocol::ModelRef;
use super::state::Ml;
use super::storage::model_key;
use super::storage::DatasetRecord;
use crate::core::clean::Step;
use crate::core::explore::correlate::Correlations;
use crate::core::explore::scatter::Scatter;
use crate::core::ml::automl::{Board, Entry, Explanation, InputSpec, Scores, Status, WhatIf};
use crate::core::ml::guard::warnings;
use crate::core::ml::models::ModelKind;
use crate::core::ml::task::{plan, suggest_target, Task, DEFAULT_BUDGET_SECS, DEFAULT_SEED};
use crate::core::DatasetProfile;
use crate::messages;

#[derive(Properties, PartialEq)]
pub struct ModelProps {
    /// The profile of the data models learn from (after the recipe).
    pub profile: Rc<DatasetProfile>,
    pub record: DatasetRecord,
    /// The applied recipe (models learn from its result).
    pub steps: Vec<Step>,
    /// For the leakage guard, once computed.
    pub correlations: Option<Correlations>,
    pub ml: Ml,
    /// Whether the worker holds this dataset's rows.
    pub ready: bool,
    pub ctl: Controller,
}

fn metric_label(name: &str) -> &'static str {
    match name {
        "accuracy" => "Accuracy",
        "balanced_accuracy" => "Balanced acc.",
        "f1" => "Macro F1",
        "roc_auc" => "ROC AUC",
        "log_loss" => "Log loss",
        "r2" => "R²",
        "rmse" => "RMSE",
        "mae" => "MAE",
        "silhouette" => "Silhouette",
        _ => "",
    }
}

/// A score as shown: three decimals for bounded scores, else the number.
fn shown(metric: &str, v: f64) -> String {
    match metric {
        // Errors in the target's units: two decimals down the column,
        // thousands separated.
        "rmse" | "mae" if v.is_finite() => {
            let s = format!("{:.2}", v.abs());
            let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
            let sign = if v < 0.0 { "-" } else { "" };
            format!("{sign}{}.{frac}", format::int(int.parse().unwrap_or(0)))
        }
        "rmse" | "mae" => format!("{v}"),
        // Scores: three decimals, and no "-0.000".
        _ => match format!("{v:.3}") {
            z if z == "-0.000" => "0.000".to_string(),
            s => s,
        },
    }
}

/// Why a score can be undefined, for the task.
fn constant_reason(task: &Task) -> &'static str {
    match task {
        Task::Regression => " (R² needs a target that varies there, and it is constant)",
        _ => "",
    }
}

/// The cross-validated score: mean ± spread over the folds where it is
/// defined, and which folds it is not ("—" with the reason when none is).
fn cv_cell(e: &Entry, task: &Task) -> Html {
    let undefined: Vec<String> =
        e.cv.iter()
            .enumerate()
            .filter(|(_, v)| !v.is_finite())
            .map(|(i, _)| (i + 1).to_string())
            .collect();
    let defined: Vec<f64> = e.cv.iter().copied().filter(|v| v.is_finite()).collect();
    let score = if defined.is_empty() {
        "—".to_string()
    } else {
        let n = defined.len() as f64;
        let mean = defined.iter().sum::<f64>() / n;
        let sd = (defined.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        format!("{mean:.3} ± {sd:.3}")
    };
    if undefined.is_empty() {
        return html! { { score } };
    }
    let name = metric_label(task.main_metric());
    let folds = if undefined.len() == 1 {
        "fold"
    } else {
        "folds"
    };
    html! {
        <>
            { score }
            <br />
            <span class="small" data-testid="cv-undefined" data-folds={undefined.join(",")}>
                { format!("{name} undefined in {folds} {}{}", undefined.join(", "), constant_reason(task)) }
            </span>
        </>
    }
}

fn select_value(e: &Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

fn input_value(e: &Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

#[component]
pub fn ModelTab(props: &ModelProps) -> Html {
    let p = &props.profile;
    // None: the suggestion; Some(None): no target (clustering).
    let target = use_state(|| None::<Option<String>>);
    let budget = use_state(|| DEFAULT_BUDGET_SECS);
    // The target in use: the user's pick, else the suggestion (re-read when
    // the columns change).
    let chosen: Option<String> = match &*target {
        Some(t)
            if t.as_ref()
                .is_none_or(|t| p.column_profiles.iter().any(|c| &c.name == t)) =>
        {
            t.clone()
        }
        _ => suggest_target(p),
    };
    // One plan with the CLI: task, features, and the leakage guard.
    let plan = plan(p, props.correlations.as_ref(), chosen.as_deref());
    let (task, kept, excluded, leaks) = (
        plan.task.clone(),
        &plan.features,
        &plan.excluded,
        &plan.leaks,
    );
    let ml = &props.ml;
    let live = ml
        .board
        .as_ref()
        .filter(|_| ml.dataset.as_deref() == Some(props.record.id.as_str()))
        .cloned();
    let versions = model_versions(&props.record);
    let shown_version = use_state(|| None::<u32>);
    let running = live.as_ref().is_some_and(|b| b.running());

    let on_target = {
        let target = target.clone();
        Callback::from(move |e: Event| {
            let v = select_value(&e);
            target.set(Some((!v.is_empty()).then_some(v)));
        })
    };
    let on_budget = {
        let budget = budget.clone();
        Callback::from(move |e: Event| {
            if let Ok(v) = input_value(&e).trim().parse::<f64>() {
                budget.set(v.clamp(1.0, 3600.0));
            }
        })
    };
    let on_train = {
        let (ctl, rec, steps) = (props.ctl.clone(), props.record.clone(), props.steps.clone());
        let (plan, budget) = (plan.clone(), *budget);
        let shown_version = shown_version.clone();
        Callback::from(move |_| {
            let Ok(setup) = plan.setup(DEFAULT_SEED, budget) else {
                return;
            };
            shown_version.set(None);
            ctl.train(rec.clone(), setup, steps.clone());
        })
    };
    let on_stop = {
        let ctl = props.ctl.clone();
        Callback::from(move |_| ctl.stop_training())
    };

    // The board shown: a saved version picked, else the live one, else the
    // newest saved version.
    let stored: Option<&ModelVersion> = match *shown_version {
        Some(v) => versions.iter().find(|m| m.version == v),
        None if live.is_none() => versions.last(),
        None => None,
    };
    let board: Option<Rc<Board>> = match stored {
        Some(v) => Some(Rc::new(v.board.clone())),
        None => live.clone(),
    };

    html! {
        <div class="ml">
            <div class="card ml-setup">
                <h2>{"What to learn"}</h2>
                <div class="ml-controls">
                    <label>{"Target "}
                        <select data-testid="ml-target" onchange={on_target} disabled={running}>
                            <option value="" selected={chosen.is_none()}>{"(none: group similar rows)"}</option>
                            { for p.column_profiles.iter().map(|c| html! {
                                <option value={c.name.clone()} selected={chosen.as_deref() == Some(c.name.as_str())}>{ &c.name }</option>
                            }) }
                        </select>
                    </label>
                    { match &task {
                        Ok(t) => html! {
                            <span class="badge" data-testid="ml-task" data-value={t.as_str()}>{ task_label(t) }</span>
                        },
                        Err(e) => html! {
                            <>
                            <span class="badge warn" data-testid="ml-task" data-value="">{"cannot learn this"}</span>
                            <p class="error-text" role="alert">{ messages::target_error(e) }</p>
                            </>
                        },
                    } }
                    <label>{"Time budget "}
                        <input type="number" min="1" max="3600" step="1" value={budget.to_string()}
                            data-testid="ml-budget" onchange={on_budget} disabled={running} style="width:5em" />
                        {" s"}</label>
                    <button class="primary" data-testid="ml-train" onclick={on_train}
                        disabled={running || task.is_err() || !props.ready || kept.is_empty()}>
                        { if live.is_some() || !versions.is_empty() { "Train again" } else { "Train models" } }</button>
                    if running {
                        <button data-testid="ml-cancel" onclick={on_stop}>{"Stop"}</button>
                    }
                </div>
                <p class="small">
                    { format!("Learns from {} column{}: {}.", kept.len(), if kept.len() == 1 { "" } else { "s" }, kept.join(", ")) }
                    { for excluded.iter().map(|e| html! { <><br />{ format!("Left out '{}': {}.", e.column, e.reason) }</> }) }
                </p>
                { for leaks.iter().map(|l| html! {
                    <p class="warn-text" data-testid="ml-leak" data-feature={l.feature.clone()}>
                        { format!("'{}' alone predicts the target almost perfectly ({} {}): it probably leaks the answer (recorded after the outcome, or derived from it), so it is left out. Remove it from the data if it is not known when predicting.",
                            l.feature, l.method.replace('_', " "), format::num(l.value)) }
                    </p>
                }) }
                if !props.ready {
                    <p class="small">{"The rows are still loading; training starts when they are in."}</p>
                }
                <p class="small">{ match &task {
                    Ok(Task::Classification) | Err(_) => "Models are trained in this page's background worker: 80% of the rows (stratified by class, so each class keeps its share) learn with 5-fold cross-validation, 20% are held out to test. Nothing leaves this browser.",
                    Ok(Task::Regression) => "Models are trained in this page's background worker: 80% of the rows (drawn at random) learn with 5-fold cross-validation, 20% are held out to test. Nothing leaves this browser.",
                    Ok(Task::Clustering) => "Models are trained in this page's background worker on every row, for several numbers of clusters, each scored by its silhouette. Nothing leaves this browser.",
                } }</p>
            </div>
            if let Some(err) = &ml.error {
                <p class="error-text card" role="alert" data-testid="ml-error">{ err }</p>
            }
            if let Some(b) = &board {
                <BoardView board={b.clone()} ml={ml.clone()} dataset={props.record.id.clone()}
                    ctl={props.ctl.clone()} steps={props.steps.clone()} ready={props.ready}
                    version={stored.cloned()} />
            } else {
                <p class="empty small">{"No model yet. Pick a target and press “Train models”: a baseline, linear models, trees, forests, boosting, k-NN and naive Bayes are compared on the same rows."}</p>
            }
            if !versions.is_empty() {
                <div class="card">
                    <h3>{"Saved versions"}</h3>
                    <table class="grid">
                        <thead><tr><th>{"Version"}</th><th>{"Saved"}</th><th>{"Target"}</th><th>{"Best model"}</th><th>{"Score"}</th><th>{"Learnt from"}</th><th>{"Budget"}</th><th>{"Models kept"}</th><th></th><th title="For plainsight predict, which scores files of any size outside the browser">{"Download"}</th></tr></thead>
                        <tbody>
                        { for versions.iter().rev().map(|v| {
                            let best = v.board.entries.first();
                            let metric = v.board.setup.task.main_metric();
                            let score = best.and_then(|e| e.scores.as_ref()).and_then(Scores::main);
                            let n = v.version;
                            let onclick = {
                                let shown_version = shown_version.clone();
                                Callback::from(move |_| shown_version.set(Some(n)))
                            };
                            // The best model this version kept (the baseline
                            // only when nothing else was kept).
                            let kept_names = || {
                                v.board
                                    .entries
                                    .iter()
                                    .map(|e| e.model.name())
                                    .filter(|m| v.keeps(m))
                            };
                            let best_kept = kept_names()
                                .find(|m| *m != "baseline")
                                .or_else(|| kept_names().next())
                                .map(str::to_string);
                            let on_model = best_kept.clone().map(|model| {
                                let ctl = props.ctl.clone();
                                let (id, name) = (props.record.id.clone(), props.record.name.clone());
                                Callback::from(move |_| ctl.download_model(id.clone(), name.clone(), n, model.clone()))
                            });
                            let on_recipe = {
                                let ctl = props.ctl.clone();
                                let name = props.record.name.clone();
                                let steps = v.steps.clone();
                                Callback::from(move |_| ctl.export_version_recipe(&name, n, steps.clone()))
                            };
                            html! {
                                <tr data-testid="model-version" data-version={n.to_string()} data-kept={v.kept.len().to_string()}>
                                    <td>{ format!("v{n}") }</td>
                                    <td>{ format::when_iso(&v.saved) }</td>
                                    <td>{ v.board.setup.target.clone().unwrap_or_else(|| "(none)".into()) }</td>
                                    <td>{ best.map(|e| e.label.clone()).unwrap_or_default() }</td>
                                    <td>{ format!("{} {}", metric_label(metric), score.map(|v| shown(metric, v)).unwrap_or_default()) }</td>
                                    <td data-testid="model-version-input" title={format!("Columns: {}", v.board.setup.features.join(", "))}>
                                        { format!(
                                            "{} rows, {} column{}, recipe of {} step{}",
                                            format::int(v.board.rows as u64),
                                            v.board.setup.features.len(),
                                            if v.board.setup.features.len() == 1 { "" } else { "s" },
                                            v.steps.len(),
                                            if v.steps.len() == 1 { "" } else { "s" },
                                        ) }
                                    </td>
                                    <td class="num">{ format!("{} s", v.board.setup.budget_secs) }</td>
                                    <td class="num">{ v.kept.len() }</td>
                                    <td><button class="link" data-testid="model-version-show" {onclick}>{"Show"}</button></td>
                                    <td>
                                        if let (Some(model), Some(on_model)) = (best_kept.as_ref(), on_model) {
                                            <button class="link" data-testid="model-version-download" data-model={model.clone()} onclick={on_model}
                                                title={format!("{model}, the best model this version kept, as a .psml file: plainsight predict scores a file of any size with it")}>{"Model"}</button>
                                            {" · "}
                                        }
                                        <button class="link" data-testid="model-version-recipe" onclick={on_recipe}
                                            title="The recipe the model learnt after, as JSON: plainsight predict --recipe runs it first">{"Recipe"}</button>
                                    </td>
                                </tr>
                            }
                        }) }
                        </tbody>
                    </table>
                </div>
            }
        </div>
    }
}

fn task_label(t: &Task) -> &'static str {
    match t {
        Task::Classification => "classification",
        Task::Regression => "regression",
        Task::Clustering => "clustering",
    }
}

#[derive(Properties, PartialEq)]
struct BoardProps {
    board: Rc<Board>,
    /// The saved version shown (its kept models are read from storage),
    /// or none for the live board (its models are in the worker).
    version: Option<ModelVersion>,
    dataset: String,
    ml: Ml,
    ctl: Controller,
    steps: Vec<Step>,
    /// Whether the worker holds the dataset's rows (a what-if needs them).
    ready: bool,
}

#[component]
fn BoardView(props: &BoardProps) -> Html {
    let b = &props.board;
    let task = &b.setup.task;
    let metrics: Vec<&'static str> = match task {
        Task::Classification => vec!["accuracy", "balanced_accuracy", "f1", "roc_auc", "log_loss"],
        Task::Regression => vec!["r2", "rmse", "mae"],
        Task::Clustering => vec!["silhouette"],
    };
    // A saved version's pick among its kept models (the best by default).
    let picked = use_state(|| None::<String>);
    {
        let picked = picked.clone();
        use_effect_with(props.version.as_ref().map(|v| v.version), move |_| {
            picked.set(None);
        });
    }
    let best = b.best.map(|k| k.name().to_string());
    let selected = match &props.version {
        Some(v) => (*picked)
            .clone()
            .or_else(|| best.clone())
            .filter(|m| v.keeps(m)),
        None => props.ml.selected.clone(),
    };
    // The model whose test details are shown.
    let detailed = selected.clone().or(best.clone());
    // The model the what-if form and scoring use: the selected one, but
    // not the baseline (a yardstick that predicts one value for every
    // row) unless it is the best there is.
    let baseline = ModelKind::Baseline.name();
    let picked_baseline =
        selected.as_deref() == Some(baseline) && best.as_deref().is_some_and(|b| b != baseline);
    let usable = if picked_baseline {
        best.clone()
    } else {
        selected.clone()
    };
    let baseline_note = if picked_baseline {
        "The baseline only gives every row the same answer, so the what-if form and scoring keep the best model. "
    } else {
        ""
    };
    // The model the what-if form and scoring use, and the recipe it
    // learnt after.
    let in_use: Option<(ModelRef, String, Vec<Step>, String)> = match &props.version {
        Some(v) => usable.clone().map(|m| {
            (
                ModelRef::Saved(model_key(&props.dataset, v.version, &m)),
                m,
                v.steps.clone(),
                format!(
                    "{baseline_note}From saved version v{}, trained {}: scoring uses that version's model and the recipe as it was then.",
                    v.version,
                    format::when_iso(&v.saved)
                ),
            )
        }),
        None if b.finished => usable.clone().map(|m| {
            (
                ModelRef::Run(m.clone()),
                m,
                props.steps.clone(),
                if b.cancelled {
                    format!("{baseline_note}From this training run (stopped, so not saved: train again to keep it).")
                } else {
                    format!("{baseline_note}From this training run, saved as the newest version.")
                },
            )
        }),
        None => None,
    };
    let on_pick = {
        let (ctl, picked, version) = (props.ctl.clone(), picked.clone(), props.version.clone());
        Callback::from(move |name: String| match &version {
            Some(v) if v.keeps(&name) => picked.set(Some(name)),
            Some(_) => {}
            None => ctl.select_model(Some(name)),
        })
    };
    let state = if b.cancelled {
        "cancelled"
    } else if b.finished {
        "done"
    } else {
        "running"
    };
    let progress = b.progress.as_ref();
    // The explanation shown: the best model's (on the board), or the
    // selected model's once the worker has made it.
    let other = match (&props.version, &selected) {
        (None, Some(m)) if b.finished && Some(m.as_str()) != b.best.map(|k| k.name()) => {
            Some(m.clone())
        }
        _ => None,
    };
    let explained: Option<(Rc<Explanation>, ModelKind)> = match &other {
        None => b
            .explanation
            .clone()
            .zip(b.best)
            .map(|(x, k)| (Rc::new(x), k)),
        Some(m) => props
            .ml
            .explained
            .as_ref()
            .filter(|(name, _)| name == m)
            .and_then(|(_, x)| Some((x.clone(), ModelKind::from_name(m)?))),
    };
    let waiting = other.clone().filter(|_| explained.is_none());
    {
        let (ctl, asked) = (props.ctl.clone(), props.ml.explaining.clone());
        use_effect_with(waiting.clone(), move |waiting| {
            if let Some(m) = waiting {
                if asked.as_ref() != Some(m) {
                    ctl.explain(m.clone());
                }
            }
        });
    }
    html! {
        <>
        <div class="card">
            <h2>{ if let Some(v) = &props.version {
                format!("Leaderboard — saved version v{} ({})", v.version, format::when_iso(&v.saved))
            } else { "Leaderboard".to_string() } }</h2>
            <p class="small" data-testid="ml-progress" data-state={state}>
                { match (state, progress) {
                    ("running", Some(pr)) => format!("Training: {} — {} (step {} of {}).", pr.model.replace('_', " "), pr.phase, pr.done, pr.total),
                    ("running", None) => "Starting…".to_string(),
                    ("cancelled", _) => "Stopped: the models finished before the stop are shown.".to_string(),
                    _ => format!("{} rows: {} to learn from, {} held out to test. Sorted by {} (5-fold cross-validation mean on the learning rows); the test columns score each model once on the held-out rows.",
                        format::int(b.rows as u64), format::int(b.train_rows as u64), format::int(b.test_rows as u64), metric_label(task.main_metric())),
                } }
            </p>
            if state == "running" {
                <progress max={progress.map_or(1, |p| p.total).to_string()} value={progress.map_or(0, |p| p.done).to_string()} />
            }
            { for warnings(b).iter().map(|w| html! {
                <p class="warn-text" role="note" data-testid="model-warning" data-kind={w.kind()}>
                    { crate::messages::model_warning(w, task) }
                </p>
            }) }
            if let Some(v) = &props.version {
                if v.kept.is_empty() {
                    <p class="small">{"This version was saved earlier with its scores only: to score new rows, press “Train again” (same rows, same seed: the same models)."}</p>
                } else {
                    <p class="small">{ format!("This version was saved with its fitted models ({} kept): click a model's row to use it below. {}",
                        v.kept.len(),
                        match v.steps.len() {
                            0 => "It learnt from the data as loaded (no cleaning recipe), and scores new files as they are.".to_string(),
                            n => format!("New files go through the cleaning recipe it learnt after ({n} step{}), even if the recipe has changed since.", if n == 1 { "" } else { "s" }),
                        }) }</p>
                }
                { for v.not_kept.iter().map(|(m, why)| html! {
                    <p class="small warn-text">{ format!("{} was not kept: {why}. Train again to use it.", ModelKind::from_name(m).map_or(m.as_str(), |k| k.label(task))) }</p>
                }) }
            }
            <table class="grid leaderboard">
                <thead><tr>
                    <th>{"Model"}</th><th>{ format!("CV {}", metric_label(task.main_metric())) }</th>
                    { for metrics.iter().map(|m| html! { <th>{ format!("Test {}", metric_label(m)) }</th> }) }
                    <th>{"Time"}</th><th>{"Status"}</th>
                </tr></thead>
                <tbody>
                { for b.entries.iter().map(|e| entry_row(e, task, &metrics, selected.as_deref(), &on_pick)) }
                </tbody>
            </table>
        </div>
        if b.finished || b.cancelled {
            <Details board={b.clone()} selected={detailed} />
        }
        { explained.map(|(x, model)| explanation_card(&x, model, task)).unwrap_or_default() }
        if let Some(m) = waiting {
            <div class="card">
                <h3>{ format!("What drives the {}", ModelKind::from_name(&m).map_or(m.as_str(), |k| k.label(task))) }</h3>
                <p class="muted" data-testid="explain-pending" data-model={m.clone()}>{"Shuffling each column on the test rows to see how much the score drops…"}</p>
            </div>
        }
        if let Some((model, name, steps, origin)) = in_use {
            <Use board={b.clone()} {model} {name} ml={props.ml.clone()} ctl={props.ctl.clone()} {steps} {origin} ready={props.ready} />
        }
        </>
    }
}

/// What drives `model`: permutation importance and partial dependence.
fn explanation_card(x: &Explanation, model: ModelKind, task: &Task) -> Html {
    if model == ModelKind::Baseline {
        return html! {
            <div class="card" data-testid="explanation" data-model={model.name()}>
                <h3>{ format!("What drives the {}", model.label(task)) }</h3>
                <p class="small">{"Nothing: the baseline gives every row the same answer (the training rows' mean or most common class). It is the yardstick the other models have to beat."}</p>
            </div>
        };
    }
    // Bars in proportion to the largest drop (a column whose shuffling
    // helps, below 0, gets none).
    let max = x
        .importance
        .iter()
        .map(|i| i.1)
        .filter(|m| m.is_finite())
        .fold(1e-12, f64::max);
    html! {
        <div class="card" data-testid="explanation" data-model={model.name()}>
                <h3>{ format!("What drives the {} ({})", model.label(task), "permutation importance on the test rows") }</h3>
                <p class="small">{ format!("How much {} drops when one column's values are shuffled (mean of 5 shuffles ± spread). Near 0: the model does not use it.", metric_label(task.main_metric())) }</p>
                <table class="grid">
                    <tbody>
                    { for x.importance.iter().map(|(f, m, sd)| {
                        let width = if m.is_finite() { (m / max * 100.0).clamp(0.0, 100.0) } else { 0.0 };
                        html! {
                            <tr data-testid="feature-importance" data-feature={f.clone()} data-value={m.to_string()}>
                                <td>{ f }</td>
                                <td class="bar-cell"><span class="bar" style={format!("width:{width:.1}%")}></span></td>
                                <td class="num" title={format!("{m} ± {sd}")}>{ format!("{} ± {}", format::short(*m), format::short(*sd)) }</td>
                            </tr>
                        }
                    }) }
                    </tbody>
                </table>
                { for x.dependence.iter().map(|d| html! {
                    <Chart kind="partial-dependence" column={d.feature.clone()}
                        title={format!("Partial dependence: {} by {}", d.of, d.feature)}
                        data={if d.numeric {
                            ChartData::Curve {
                                x: d.feature.clone(),
                                y: d.of.clone(),
                                points: d.values.iter().copied().zip(d.mean.iter().copied()).collect(),
                                dates: d.dates,
                            }
                        } else {
                            ChartData::Groups {
                                measure: d.of.clone(),
                                bars: d.labels.iter().cloned().zip(d.mean.iter().map(|v| Some(*v))).collect(),
                            }
                        }} />
                }) }
            </div>
    }
}

fn entry_row(
    e: &Entry,
    task: &Task,
    metrics: &[&'static str],
    selected: Option<&str>,
    on_pick: &Callback<String>,
) -> Html {
    let named = e.scores.as_ref().map(Scores::named).unwrap_or_default();
    let status = match &e.status {
        Status::Waiting => "waiting".to_string(),
        Status::Running => "training…".to_string(),
        Status::Done => "trained".to_string(),
        Status::Failed { error } => format!("failed: {error}"),
        Status::Skipped => "not trained (time budget or stopped)".to_string(),
    };
    let state = match &e.status {
        Status::Waiting => "waiting",
        Status::Running => "running",
        Status::Done => "done",
        Status::Failed { .. } => "failed",
        Status::Skipped => "skipped",
    };
    let name = e.model.name().to_string();
    let is_selected = selected == Some(name.as_str());
    let onclick = {
        let (on_pick, name) = (on_pick.clone(), name.clone());
        let done = e.status == Status::Done;
        Callback::from(move |_| {
            if done {
                on_pick.emit(name.clone());
            }
        })
    };
    html! {
        <tr data-testid="leaderboard-row" data-model={name.clone()} data-status={state}
            class={classes!(is_selected.then_some("selected"))} aria-selected={is_selected.to_string()} {onclick}>
            <td><strong>{ &e.label }</strong><br /><span class="small" data-testid="model-settings">{ format!("{} · {}", e.library, e.model.settings(task)) }</span></td>
            <td class="num" data-label={format!("CV {}", metric_label(task.main_metric()))}>{ cv_cell(e, task) }</td>
            { for metrics.iter().map(|m| {
                let v = named.iter().find(|(n, _)| n == m).and_then(|(_, v)| *v);
                let label = format!("Test {}", metric_label(m));
                match v {
                    Some(v) if v.is_finite() => html! { <td class="num" data-label={label} data-metric={*m} data-value={v.to_string()}>{ shown(m, v) }</td> },
                    Some(_) => html! {
                        <td class="num" data-label={label} data-metric={*m} data-undefined="true"
                            title={format!("{} is undefined on the test rows{}", metric_label(m), constant_reason(task))}>{"—"}</td>
                    },
                    None => html! { <td class="num" data-label={label}>{"—"}</td> },
                }
            }) }
            <td class="num" data-label="Time">{ if e.train_secs > 0.0 { format!("{:.2} s", e.train_secs) } else { String::new() } }</td>
            <td class="small" data-label="Status">{ status }</td>
        </tr>
    }
}

/// The what-if input of feature `f`: a list of the categories seen in
/// training, a number or date bounded by the training range, or text.
fn what_if_input(
    f: &str,
    spec: Option<&InputSpec>,
    value: String,
    set: impl Fn(String) + 'static,
) -> Html {
    let set = Rc::new(set);
    let on_input = {
        let set = set.clone();
        Callback::from(move |e: InputEvent| set(input_value(&e)))
    };
    let input = match spec {
        Some(InputSpec::Category { values }) => {
            let on_change = Callback::from(move |e: Event| set(select_value(&e)));
            let unknown = !value.is_empty() && !values.contains(&value);
            html! {
                <select data-testid="what-if-input" data-feature={f.to_string()} onchange={on_change}>
                    <option value="" selected={value.is_empty()}>{"(missing)"}</option>
                    { for values.iter().map(|v| html! { <option value={v.clone()} selected={*v == value}>{ v }</option> }) }
                    if unknown {
                        <option value={value.clone()} selected=true>{ format!("{value} (not seen in training)") }</option>
                    }
                </select>
            }
        }
        Some(InputSpec::Number { min, max }) if min.is_finite() && max.is_finite() => {
            let range = format!("{} to {}", format::short(*min), format::short(*max));
            let outside = value
                .trim()
                .parse::<f64>()
                .is_ok_and(|v| v < *min || v > *max);
            html! {
                <>
                <input type="number" step="any" data-testid="what-if-input" data-feature={f.to_string()}
                    value={value} oninput={on_input} />
                { range_note(f, &range, outside) }
                </>
            }
        }
        Some(InputSpec::Date { min, max }) if !min.is_empty() => {
            let day = value.get(..10).unwrap_or(&value).to_string();
            // ISO dates compare as text.
            let outside = !day.is_empty()
                && (day.as_str() < min.get(..10).unwrap_or(min)
                    || day.as_str() > max.get(..10).unwrap_or(max));
            html! {
                <>
                <input type="date" data-testid="what-if-input" data-feature={f.to_string()}
                    value={day} oninput={on_input} />
                { range_note(f, &format!("{min} to {max}"), outside) }
                </>
            }
        }
        _ => html! {
            <input type="text" data-testid="what-if-input" data-feature={f.to_string()}
                value={value} oninput={on_input} />
        },
    };
    html! { <label>{ f }{ input }</label> }
}

/// Under a number or date input: the training range, and a warning when
/// the value typed is outside it.
fn range_note(f: &str, range: &str, outside: bool) -> Html {
    if outside {
        html! {
            <span class="warn-text small" data-testid="what-if-outside" data-feature={f.to_string()}>
                { format!("outside the training range ({range}): the model has seen nothing like it, so the prediction is a guess") }
            </span>
        }
    } else {
        html! { <span class="muted small">{ format!("trained on {range}") }</span> }
    }
}

/// The starting prediction, this one and the change (in the value, or in
/// the probability of the class the starting row was given), with the
/// change as a number.
fn what_if_delta(start: &WhatIf, now: &WhatIf) -> Option<(String, f64)> {
    let was = start.value?;
    let sign = |d: f64| if d >= 0.0 { "+" } else { "−" };
    if now.proba.is_empty() {
        let is = now.value?;
        let d = is - was;
        let text = if d == 0.0 {
            format!("Unchanged from the starting row's {}.", format::short(was))
        } else {
            format!(
                "From {} for the starting row to {} ({}{}).",
                format::short(was),
                format::short(is),
                sign(d),
                format::short(d.abs())
            )
        };
        return Some((text, d));
    }
    let class = &start.headline;
    let is = now.proba.iter().find(|(c, _)| c == class)?.1;
    let d = is - was;
    let verdict = if now.headline == *class {
        String::new()
    } else {
        format!(" The prediction is now {}.", now.headline)
    };
    Some((
        format!(
            "The chance of {class} goes from {:.1}% for the starting row to {:.1}% ({}{:.1} points).{verdict}",
            was * 100.0,
            is * 100.0,
            sign(d),
            (d * 100.0).abs()
        ),
        d,
    ))
}

#[derive(Properties, PartialEq)]
struct DetailsProps {
    board: Rc<Board>,
    selected: Option<String>,
}

/// The selected model's confusion matrix, residual plot or clusters.
#[component]
fn Details(props: &DetailsProps) -> Html {
    let b = &props.board;
    let Some(e) = b
        .entries
        .iter()
        .find(|e| Some(e.model.name()) == props.selected.as_deref())
    else {
        return html! {};
    };
    let Some(scores) = &e.scores else {
        return html! {};
    };
    let body = match scores {
        Scores::Classification(m) => {
            let rows: Vec<String> = b.classes.clone();
            let values = m
                .confusion
                .iter()
                .map(|r| {
                    let total: u64 = r.iter().sum();
                    r.iter()
                        .map(|&c| (total > 0).then(|| c as f64 / total as f64))
                        .collect()
                })
                .collect();
            html! {
                <>
                <table class="grid confusion" data-testid="confusion-matrix">
                    <thead><tr><th>{"actual \\ predicted"}</th>{ for rows.iter().map(|c| html! { <th>{ c }</th> }) }</tr></thead>
                    <tbody>
                    { for m.confusion.iter().enumerate().map(|(i, r)| html! {
                        <tr><th>{ rows.get(i).cloned().unwrap_or_default() }</th>
                            { for r.iter().map(|c| html! { <td class="num">{ format::int(*c) }</td> }) }</tr>
                    }) }
                    </tbody>
                </table>
                <Chart kind="confusion" column={e.model.name()} title={format!("Confusion matrix (share of each actual class): {}", e.label)}
                    data={ChartData::Heatmap { rows: rows.clone(), cols: rows, values, signed: false }} />
                </>
            }
        }
        Scores::Regression { residuals, .. } => html! {
            <Chart kind="residuals" column={e.model.name()} title={format!("Residuals on the test rows: {}", e.label)}
                data={ChartData::Scatter(Scatter {
                    x: "predicted".into(),
                    y: "actual − predicted".into(),
                    x_dates: false,
                    y_dates: false,
                    colour: None,
                    points: residuals.iter().filter(|(a, b)| a.is_finite() && b.is_finite()).map(|&(a, b)| (a, b, None)).collect(),
                    total: residuals.len() as u64,
                    sampled: b.test_rows > residuals.len(),
                })} />
        },
        Scores::Clustering(c) => html! {
            <>
            <p>{ format!("{} groups (k chosen by the best silhouette over k = 2…{}).", c.k, c.curve.last().map_or(c.k, |x| x.0)) }</p>
            <table class="grid" data-testid="clusters">
                <thead><tr><th>{"Cluster"}</th><th>{"Rows"}</th>{ for b.setup.features.iter().map(|f| html! { <th>{ f }</th> }) }</tr></thead>
                <tbody>
                { for c.centroids.iter().enumerate().map(|(i, row)| html! {
                    <tr data-testid="cluster" data-size={c.sizes.get(i).copied().unwrap_or(0).to_string()}>
                        <td>{ i + 1 }</td><td class="num">{ format::int(c.sizes.get(i).copied().unwrap_or(0)) }</td>
                        { for row.iter().map(|v| html! { <td>{ v }</td> }) }
                    </tr>
                }) }
                </tbody>
            </table>
            <Chart kind="elbow" column="kmeans" title="Elbow curve: within-cluster sum of squares by k"
                data={ChartData::Groups {
                    measure: "inertia".into(),
                    bars: c.curve.iter().map(|(k, _, inertia)| (format!("k = {k}"), Some(*inertia))).collect(),
                }} />
            </>
        },
    };
    html! {
        <div class="card" data-testid="model-details" data-model={e.model.name()}>
            <h3>{ format!("{} on the test rows", e.label) }</h3>
            { body }
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct UseProps {
    board: Rc<Board>,
    model: ModelRef,
    /// The model's name ("random_forest").
    name: String,
    ml: Ml,
    ctl: Controller,
    /// The recipe the model learnt after (new files go through it).
    steps: Vec<Step>,
    /// Where the model comes from, for people (this run, or which saved
    /// version).
    origin: String,
    /// Whether the worker holds the dataset's rows.
    ready: bool,
}

/// The what-if form and scoring a new file with the selected model.
#[component]
fn Use(props: &UseProps) -> Html {
    let b = &props.board;
    let cells = use_state(|| b.example.clone());
    // The starting row's prediction, asked once per model: later answers
    // show their change from it (`what-if-delta`).
    let start = use_state(|| None::<WhatIf>);
    {
        let (ctl, model, example, start) = (
            props.ctl.clone(),
            props.model.clone(),
            b.example.clone(),
            start.clone(),
        );
        // Asked once the worker holds the rows (after a switch of dataset
        // it reads them again first).
        use_effect_with((props.model.clone(), props.ready), move |(_, ready)| {
            start.set(None);
            if *ready {
                ctl.what_if(model, example);
            }
        });
    }
    {
        let start = start.clone();
        use_effect_with(props.ml.what_if.clone(), move |w| {
            if let (None, Some(w)) = (start.as_ref(), w) {
                start.set(Some(w.clone()));
            }
        });
    }
    {
        let (cells, example) = (cells.clone(), b.example.clone());
        use_effect_with(b.example.clone(), move |_| {
            cells.set(example);
        });
    }
    {
        // Answers of another model do not belong here.
        let ctl = props.ctl.clone();
        use_effect_with(props.model.clone(), move |_| ctl.clear_use());
    }
    let label = b
        .entries
        .iter()
        .find(|e| e.model.name() == props.name)
        .map(|e| e.label.clone())
        .unwrap_or_default();
    let on_what_if = {
        let (ctl, model, cells) = (props.ctl.clone(), props.model.clone(), cells.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            ctl.what_if(model.clone(), (*cells).clone());
        })
    };
    let on_file = {
        let (ctl, model, steps) = (props.ctl.clone(), props.model.clone(), props.steps.clone());
        Callback::from(move |e: Event| {
            let Some(input) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            else {
                return;
            };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                ctl.predict(model.clone(), file, steps.clone());
            }
            input.set_value("");
        })
    };
    let on_export = {
        let (ctl, predicted) = (props.ctl.clone(), props.ml.predicted.clone());
        Callback::from(move |_| {
            if let Some(p) = &predicted {
                if let Err(e) = download(&p.0, "text/csv", &p.2) {
                    ctl.show_error(e);
                }
            }
        })
    };
    html! {
        <div class="card ml-use" data-testid="model-use" data-model={props.name.clone()}
            data-source={match &props.model { ModelRef::Run(_) => "run", ModelRef::Saved(_) => "saved" }}>
            <h3>{ format!("Use the {}", label) }</h3>
            <p class="small" data-testid="model-use-origin">{ &props.origin }</p>
            <form onsubmit={on_what_if} data-testid="what-if">
                <p class="small">{"What if: change any input of this row (taken from the test rows) and see the prediction. Empty = missing."}</p>
                <div class="what-if-grid">
                { for b.setup.features.iter().enumerate().map(|(i, f)| {
                    let set = {
                        let cells = cells.clone();
                        move |v: String| {
                            let mut c = (*cells).clone();
                            if let Some(slot) = c.get_mut(i) {
                                *slot = v;
                            }
                            cells.set(c);
                        }
                    };
                    let value = cells.get(i).cloned().unwrap_or_default();
                    what_if_input(f, b.inputs.get(i), value, set)
                }) }
                </div>
                <button type="submit" data-testid="what-if-run" disabled={!props.ready}>{"Predict this row"}</button>
                if let Some(w) = &props.ml.what_if {
                    { for w.notes.iter().map(|n| html! {
                        <p class="warn-text small" data-testid="what-if-note">{ messages::cell_note(n) }</p>
                    }) }
                    <p data-testid="what-if-result" data-value={w.headline.clone()}>
                        <strong>{ format!("Prediction: {}", w.headline) }</strong>
                        { for w.proba.iter().take(5).map(|(c, p)| html! { <span class="small">{ format!("  {c}: {:.1}%", p * 100.0) }</span> }) }
                    </p>
                    if let Some((text, change)) = start.as_ref().and_then(|s| what_if_delta(s, w)) {
                        <p class="small" data-testid="what-if-delta" data-value={change.to_string()}>{ text }</p>
                    }
                }
            </form>
            <h3>{"Score a new file"}</h3>
            <p class="small">{"A CSV or JSON file with the same columns (the target may be missing): the cleaning recipe and this model run on it here, and you download it with the predictions added."}</p>
            <input type="file" accept=".csv,.tsv,.txt,.json,.ndjson,.xlsx,.xlsm,.xlsb,.xls,.ods,.parquet,.pq,.arrow,.feather,.arrows,.ipc" data-testid="predict-input" onchange={on_file}
                aria-label="Score a new file: choose a CSV or JSON file" />
            if let Some(p) = &props.ml.predicted {
                <p data-testid="predicted" data-rows={p.1.to_string()}>
                    { format!("Scored {} rows. ", format::int(p.1 as u64)) }
                    <button class="primary" data-testid="export-predictions" onclick={on_export}>{ format!("Download {}", p.0) }</button>
                </p>
            }
        </div>
    }
}
