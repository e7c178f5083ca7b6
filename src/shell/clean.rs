//! Clean tab: the proposed recipe with each step's evidence (accept or
//! reject each), the applied recipe as an editable list with undo/redo and
//! a before/after view of any step with its DuckDB SQL, the cleaned result
//! with its exports and its grid (`clean_grid`), and the processing log.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::clean_grid::CleanGrid;
use super::controller::{stored_recipe, Controller, RecipeChange};
use super::format;
use super::protocol::{ExportFormat, Sample, ViewRows};
use super::state::{Clean, PROPOSAL_SLOT};
use super::storage::DatasetRecord;
use crate::core::clean::auto::{Mode, Purpose};
use crate::core::clean::step::ADDABLE;
use crate::core::clean::{RunLog, Step};
use crate::core::{ColumnType, DatasetProfile};

#[derive(Properties, PartialEq)]
pub struct CleanProps {
    pub clean: Clean,
    pub record: DatasetRecord,
    pub profile: Rc<DatasetProfile>,
    /// The worker holds this dataset's rows.
    pub ready: bool,
    /// The client's other datasets (their recipes can be replayed here).
    pub others: Vec<DatasetRecord>,
    pub ctl: Controller,
}

/// A few rows as a table; given the rows `before` a step that kept every
/// row in place, the cells the step changed are marked (`data-changed`).
fn sample_table(caption: &str, testid: &'static str, s: &Sample, before: Option<&Sample>) -> Html {
    let before = before.filter(|b| b.total_rows == s.total_rows && b.rows.len() == s.rows.len());
    let was = |row: usize, col: usize| -> Option<&String> {
        let b = before?;
        let j = b.names.iter().position(|n| Some(n) == s.names.get(col))?;
        b.rows.get(row)?.get(j)
    };
    html! {
        <div class="sample" data-testid={testid}>
            <table class="mini">
                <caption>{ caption }</caption>
                <thead><tr>{ for s.names.iter().map(|n| html! { <th scope="col">{ n }</th> }) }</tr></thead>
                <tbody>
                    { for s.rows.iter().enumerate().map(|(i, r)| html! {
                        <tr>{ for r.iter().enumerate().map(|(j, c)| {
                            let changed = was(i, j).is_some_and(|b| b != c);
                            let before = was(i, j)
                                .filter(|_| changed)
                                .map(|b| if b.is_empty() { "—" } else { b.as_str() });
                            let (shown, title) = format::cell_view(c, before);
                            html! {
                                <td data-value={c.clone()} data-changed={changed.then_some("true")} {title}
                                    class={classes!(c.is_empty().then_some("missing"), changed.then_some("changed"))}>
                                    { shown }
                                </td>
                            }
                        }) }</tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn run_summary(log: &RunLog) -> String {
    format!(
        "{} rows × {} columns → {} rows × {} columns",
        format::int(log.rows_in),
        log.columns_in,
        format::int(log.rows_out),
        log.columns_out
    )
}

#[component]
pub fn CleanTab(props: &CleanProps) -> Html {
    let c = &props.clean;
    let ctl = &props.ctl;
    let recipe: Vec<Step> = c.recipe().to_vec();
    let rec = &props.record;
    let busy_hint = (!props.ready).then(|| {
        html! { <p class="muted">{"The rows are still loading; cleaning starts when they are ready."}</p> }
    });

    let on_mode = {
        let ctl = ctl.clone();
        Callback::from(move |e: Event| {
            let v = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
                .map(|s| s.value())
                .unwrap_or_default();
            ctl.set_clean_mode(if v == "thorough" {
                Mode::Thorough
            } else {
                Mode::Quick
            });
        })
    };
    let on_propose = {
        let (ctl, mode, steps) = (ctl.clone(), c.mode, recipe.clone());
        Callback::from(move |_| ctl.propose(mode, steps.clone()))
    };
    let change = |steps: Vec<Step>, how: RecipeChange| {
        let (ctl, rec) = (ctl.clone(), rec.clone());
        Callback::from(move |_: MouseEvent| ctl.apply_recipe(rec.clone(), steps.clone(), how))
    };
    let on_undo = change(
        c.history
            .get(c.at.wrapping_sub(1))
            .cloned()
            .unwrap_or_default(),
        RecipeChange::Undo,
    );
    let on_redo = change(
        c.history.get(c.at + 1).cloned().unwrap_or_default(),
        RecipeChange::Redo,
    );

    let accepted: Vec<Step> = c
        .proposals
        .iter()
        .filter(|(_, a)| *a)
        .map(|(p, _)| p.step.clone())
        .collect();
    let report = if c.proposals.is_empty() {
        html! {}
    } else {
        let mut with = recipe.clone();
        with.extend(accepted.iter().cloned());
        let n = accepted.len();
        html! {
            <section class="panel" data-testid="clean-report" aria-label="Proposed cleaning">
                <h2>{ format!("Proposed steps ({})", if c.mode == Mode::Quick { "quick: safe fixes" } else { "thorough" }) }</h2>
                <p class="muted">{"Each step says what was found and what it changes. Untick the ones you do not want, then apply."}</p>
                if c.proposals.iter().any(|(p, _)| p.purpose == Purpose::Prepare) {
                    <p class="muted small" data-testid="prepare-note">{"Steps marked “for models” (capping, encoding, scaling) prepare the data for a model and are not ticked: the Model tab prepares each model on its training rows by itself. Tick them only to download prepared data. None of them touches a column that looks like a target."}</p>
                }
                <ol class="proposals">
                    { for c.proposals.iter().enumerate().map(|(i, (p, on))| {
                        let toggle = {
                            let ctl = ctl.clone();
                            Callback::from(move |_| ctl.toggle_proposal(i))
                        };
                        // This step after the ticked ones above it, as
                        // applying would run it.
                        let mut steps = recipe.clone();
                        steps.extend(c.proposals.iter().take(i).filter(|(_, on)| *on).map(|(p, _)| p.step.clone()));
                        steps.push(p.step.clone());
                        let at = steps.len() - 1;
                        let slot = PROPOSAL_SLOT + i;
                        let preview = {
                            let ctl = ctl.clone();
                            Callback::from(move |_| ctl.preview_step(steps.clone(), at, slot))
                        };
                        html! {
                            <li data-testid="proposal" data-op={p.step.op()} data-accepted={on.to_string()}
                                data-purpose={if p.purpose == Purpose::Prepare { "prepare" } else { "clean" }}>
                                <label>
                                    <input type="checkbox" data-testid="proposal-accept" checked={*on} onchange={toggle} />
                                    <strong>{ p.step.describe() }</strong>
                                    if p.purpose == Purpose::Prepare {
                                        {" "}<span class="badge">{"for models"}</span>
                                    }
                                </label>
                                <p class="evidence" data-testid="proposal-evidence">{ p.sentence() }</p>
                                <button class="ghost small-button" data-testid="step-preview" onclick={preview}
                                    disabled={!props.ready}>{"Before / after"}</button>
                                { before_after(c, slot) }
                            </li>
                        }
                    }) }
                </ol>
                <button data-testid="clean-apply" disabled={n == 0 || !props.ready}
                    onclick={change(with, RecipeChange::Push)}>
                    { format!("Apply {n} step{}", if n == 1 { "" } else { "s" }) }
                </button>
            </section>
        }
    };

    let last_log = c
        .result
        .as_ref()
        .filter(|r| r.steps == recipe)
        .map(|r| r.log.clone());
    let steps_view = recipe.iter().enumerate().map(|(i, step)| {
        let counts = last_log.as_ref().and_then(|l| l.steps.get(i)).map(|r| {
            let mut parts = vec![r.effects()];
            if !r.detail.is_empty() && !parts.contains(&r.detail) {
                parts.push(r.detail.clone());
            }
            if !r.examples.is_empty() {
                let quoted: Vec<String> = r.examples.iter().map(|e| format!("\"{e}\"")).collect();
                parts.push(format!("for example {}", quoted.join(", ")));
            }
            html! {
                <span class="counts" data-testid="step-changed" data-value={r.cells_changed.to_string()}>{ parts.join(" · ") }</span>
            }
        });
        let without = {
            let mut s = recipe.clone();
            s.remove(i);
            s
        };
        let moved = |to: usize| {
            let mut s = recipe.clone();
            if to < s.len() {
                s.swap(i, to);
            }
            s
        };
        let preview = {
            let (ctl, steps) = (ctl.clone(), recipe.clone());
            Callback::from(move |_| ctl.preview_step(steps.clone(), i, i))
        };
        let edit = {
            let ctl = ctl.clone();
            let editing = c.editing == Some(i);
            Callback::from(move |_| ctl.edit_step((!editing).then_some(i)))
        };
        let editor = (c.editing == Some(i)).then(|| step_editor(ctl, rec, &recipe, i));
        let shown = before_after(c, i);
        html! {
            <li data-testid="clean-step" data-op={step.op()} data-index={i.to_string()}>
                <div class="step-line">
                    <span class="step-text">{ step.describe() }</span>
                    { counts.unwrap_or_default() }
                </div>
                <div class="step-buttons">
                    <button class="ghost" data-testid="step-preview" onclick={preview} disabled={!props.ready}>{"Before / after"}</button>
                    <button class="ghost" data-testid="step-edit" onclick={edit}>{"Edit"}</button>
                    <button class="ghost" data-testid="step-up" aria-label="Move this step up" disabled={i == 0}
                        onclick={change(moved(i.wrapping_sub(1)), RecipeChange::Push)}>{"↑"}</button>
                    <button class="ghost" data-testid="step-down" aria-label="Move this step down" disabled={i + 1 == recipe.len()}
                        onclick={change(moved(i + 1), RecipeChange::Push)}>{"↓"}</button>
                    <button class="ghost" data-testid="step-delete" onclick={change(without, RecipeChange::Push)}>{"Delete"}</button>
                </div>
                { editor.unwrap_or_default() }
                { shown }
            </li>
        }
    });

    let result = c.result.as_ref().filter(|r| r.steps == recipe).map(|r| {
        let raw = &props.profile;
        let name = rec.name.clone();
        let export = |format: ExportFormat| {
            let (ctl, name) = (ctl.clone(), name.clone());
            Callback::from(move |_| ctl.export(name.clone(), format))
        };
        let export_recipe = {
            let (ctl, name, steps) = (ctl.clone(), name.clone(), recipe.clone());
            Callback::from(move |_| ctl.export_recipe_json(&name, steps.clone()))
        };
        html! {
            <section class="panel" aria-label="Cleaned data">
                <h2>{"Cleaned data"}</h2>
                <p>
                    <span data-testid="clean-rows" data-value={r.profile.rows.to_string()}>
                        { format!("{} rows", format::int(r.profile.rows)) }</span>
                    {" × "}
                    <span data-testid="clean-cols" data-value={r.profile.columns.to_string()}>
                        { format!("{} columns", r.profile.columns) }</span>
                    <span class="muted">{ format!(" (raw file: {} rows × {} columns; it stays as loaded)", format::int(raw.rows), raw.columns) }</span>
                </p>
                <div class="exports" role="group" aria-label="Download the cleaned data">
                    <span class="muted">{"Cleaned data:"}</span>
                    <button class="ghost" data-testid="export-csv" onclick={export(ExportFormat::Csv)}
                        title="Text any spreadsheet opens; every value as written">{"CSV"}</button>
                    <button class="ghost" data-testid="export-json" onclick={export(ExportFormat::Json)}
                        title="One object per row; missing values as null">{"JSON"}</button>
                    <button class="ghost" data-testid="export-parquet" onclick={export(ExportFormat::Parquet)}
                        title="Parquet keeps each column's type; pandas, DuckDB, polars and Spark read it">{"Parquet"}</button>
                </div>
                <div class="exports" role="group" aria-label="Download the recipe">
                    <span class="muted">{"Recipe, to run again on the raw file:"}</span>
                    <button class="ghost" data-testid="export-recipe-json" onclick={export_recipe}
                        title="Replays here on another file, or with the command line: plainsight clean FILE --recipe R.json">{"JSON"}</button>
                    <button class="ghost" data-testid="export-recipe-sql" onclick={export(ExportFormat::Sql)}
                        title="One query: duckdb < recipe.sql next to the raw file">{"DuckDB SQL"}</button>
                    <button class="ghost" data-testid="export-recipe-pyspark" onclick={export(ExportFormat::PySpark)}
                        title="A Python script for Spark 4.3+: spark-submit recipe.py RAW.csv OUT.parquet">{"PySpark"}</button>
                    <button class="ghost" data-testid="export-recipe-polars" onclick={export(ExportFormat::Polars)}
                        title="A Python script for polars 2.1+: python recipe.polars.py RAW.csv OUT.parquet">{"polars"}</button>
                </div>
                <CleanGrid key={r.log.at.clone()} run={r.log.at.clone()} ctl={ctl.clone()}
                    names={r.profile.column_profiles.iter().map(|c| c.name.clone()).collect::<Vec<_>>()}
                    types={r.profile.column_profiles.iter().map(|c| c.dtype.as_str().to_string()).collect::<Vec<_>>()} />
            </section>
        }
    });

    let apply_again = (c.proposals.is_empty() && !recipe.is_empty()).then(|| {
        html! {
            <button class="ghost" data-testid="clean-apply" disabled={!props.ready}
                onclick={change(recipe.clone(), RecipeChange::Show)}>{"Run the recipe again"}</button>
        }
    });

    // The columns at the end of the recipe (what an added step sees).
    let columns: Vec<(String, ColumnType)> = c
        .result
        .as_ref()
        .filter(|r| r.steps == recipe)
        .map(|r| &r.profile)
        .unwrap_or(&props.profile)
        .column_profiles
        .iter()
        .map(|p| (p.name.clone(), p.dtype))
        .collect();
    let add = add_step(ctl, rec, &recipe, &columns, props.ready);
    let replay = replay(ctl, rec, &props.others, props.ready);

    html! {
        <div class="clean">
            { busy_hint.unwrap_or_default() }
            <div class="clean-actions">
                <label>{"Mode "}
                    <select data-testid="clean-mode" onchange={on_mode}>
                        <option value="quick" selected={c.mode == Mode::Quick}>{"Quick: safe fixes"}</option>
                        <option value="thorough" selected={c.mode == Mode::Thorough}>{"Thorough: also gaps, spellings, model steps"}</option>
                    </select>
                </label>
                <button data-testid="clean-auto" onclick={on_propose} disabled={!props.ready}>{"Propose a recipe"}</button>
                <button class="ghost" data-testid="undo" disabled={!c.can_undo() || !props.ready} onclick={on_undo}>{"Undo"}</button>
                <button class="ghost" data-testid="redo" disabled={!c.can_redo() || !props.ready} onclick={on_redo}>{"Redo"}</button>
            </div>
            { report }
            <section class="panel" aria-label="Recipe">
                <h2>{ format!("Recipe ({} step{})", recipe.len(), if recipe.len() == 1 { "" } else { "s" }) }</h2>
                if recipe.is_empty() {
                    <p class="muted">{"No steps yet. Propose a recipe: every step shows its evidence and waits for your OK. The raw file is never changed."}</p>
                } else {
                    <ol class="recipe" data-testid="recipe">{ for steps_view }</ol>
                    { apply_again.unwrap_or_default() }
                }
                { add }
                { replay }
            </section>
            { result.unwrap_or_default() }
            { run_log(&c.runs) }
        </div>
    }
}

fn select_value(e: &Event) -> String {
    e.target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlSelectElement>().ok())
        .map(|s| s.value())
        .unwrap_or_default()
}

/// "Add a step": an operation and a column; the step gets sensible
/// settings, runs at once, and can then be edited.
fn add_step(
    ctl: &Controller,
    rec: &DatasetRecord,
    recipe: &[Step],
    columns: &[(String, ColumnType)],
    ready: bool,
) -> Html {
    let op = NodeRef::default();
    let column = NodeRef::default();
    let onclick = {
        let (ctl, rec, recipe, columns) =
            (ctl.clone(), rec.clone(), recipe.to_vec(), columns.to_vec());
        let (op, column) = (op.clone(), column.clone());
        Callback::from(move |_| {
            let value = |r: &NodeRef| {
                r.cast::<web_sys::HtmlSelectElement>()
                    .map(|s| s.value())
                    .unwrap_or_default()
            };
            let (op, name) = (value(&op), value(&column));
            if op.is_empty() {
                return ctl.show_error(
                    "Choose an operation in “Add a step” first: nothing was added.".into(),
                );
            }
            let col = columns
                .iter()
                .find(|c| c.0 == name)
                .map(|c| (c.0.as_str(), c.1));
            match Step::template(&op, col) {
                Some(step) => {
                    let mut steps = recipe.clone();
                    steps.push(step);
                    ctl.apply_recipe(rec.clone(), steps, RecipeChange::Push);
                }
                None => ctl.show_error("Pick a column for this step first.".into()),
            }
        })
    };
    html! {
        <div class="add-step">
            <label>{"Add a step "}
                <select data-testid="add-op" ref={op}>
                    // Nothing is added by one click on "Add".
                    <option value="" selected=true>{"Choose an operation…"}</option>
                    { for ADDABLE.iter().map(|(op, label)| html! { <option value={*op}>{ *label }</option> }) }
                </select>
            </label>
            <label>{" on "}
                <select data-testid="add-column" ref={column}>
                    { for columns.iter().map(|(n, _)| html! { <option value={n.clone()}>{ n }</option> }) }
                </select>
            </label>
            <button class="ghost" data-testid="add-step" disabled={!ready} {onclick}>{"Add"}</button>
            <span class="muted small">{" (then Edit to change its settings)"}</span>
        </div>
    }
}

/// Replaying a recipe made elsewhere: from a recipe file, or from another
/// dataset of this client (e.g. last month's export).
fn replay(ctl: &Controller, rec: &DatasetRecord, others: &[DatasetRecord], ready: bool) -> Html {
    let with_recipes: Vec<&DatasetRecord> = others
        .iter()
        .filter(|o| o.id != rec.id && !stored_recipe(o).0.is_empty())
        .collect();
    let on_file = {
        let (ctl, rec) = (ctl.clone(), rec.clone());
        Callback::from(move |e: Event| {
            let input = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            let Some(input) = input else { return };
            if let Some(file) = input.files().and_then(|f| f.get(0)) {
                ctl.import_recipe(rec.clone(), file);
            }
            input.set_value("");
        })
    };
    let on_from = {
        let (ctl, rec) = (ctl.clone(), rec.clone());
        let others: Vec<DatasetRecord> = with_recipes.iter().map(|o| (*o).clone()).collect();
        Callback::from(move |e: Event| {
            let id = select_value(&e);
            if let Some(o) = others.iter().find(|o| o.id == id) {
                ctl.apply_recipe(rec.clone(), stored_recipe(o).0, RecipeChange::Push);
            }
        })
    };
    html! {
        <div class="replay">
            <label>{"Use a recipe file "}
                <input type="file" accept=".json,application/json" data-testid="recipe-input" onchange={on_file} disabled={!ready} />
            </label>
            if !with_recipes.is_empty() {
                <label>{" or the recipe of "}
                    <select data-testid="recipe-from" onchange={on_from} disabled={!ready}>
                        <option value="" selected=true>{"another dataset…"}</option>
                        { for with_recipes.iter().map(|o| html! { <option value={o.id.clone()}>{ &o.name }</option> }) }
                    </select>
                </label>
            }
        </div>
    }
}

/// The before/after tables of step `at`, when they are shown.
fn before_after(c: &Clean, at: usize) -> Html {
    let Some((_, p)) = c.step_preview.as_ref().filter(|(i, _)| *i == at) else {
        return html! {};
    };
    let sql = match &p.sql {
        Ok(text) => html! {
            <details class="step-sql" data-testid="step-sql" open=true>
                <summary>{"This step in the recipe's DuckDB SQL"}</summary>
                <pre tabindex="0"><code>{ text }</code></pre>
            </details>
        },
        Err(e) => html! {
            <p class="muted small" data-testid="step-sql-refused">
                { format!("No SQL for this step: {}", crate::messages::clean_error(e)) }
            </p>
        },
    };
    let shown = p.before.rows.len();
    // " (the first 12 shown)" when there are more than the table shows.
    let more = |total: usize| {
        if shown < total {
            format!(" (the first {shown} shown)")
        } else {
            String::new()
        }
    };
    let rows = |n: usize| format::count(n as u64, "row", "rows");
    let (kind, total, note) = match p.rows {
        ViewRows::Removed { total } => (
            "removed",
            total,
            format!(
                "The {} this step removes{}; the other {} go on.",
                rows(total),
                more(total),
                rows(p.after.total_rows)
            ),
        ),
        ViewRows::Changed { total } => (
            "changed",
            total,
            format!(
                "{} this step changes{}, before and after.",
                rows(total),
                more(total)
            ),
        ),
        ViewRows::First => {
            let added = p
                .after
                .names
                .iter()
                .filter(|n| !p.before.names.contains(n))
                .count();
            (
                "first",
                shown,
                if added > 0 {
                    format!(
                        "The first rows, before and after: this step adds {}.",
                        format::count(added as u64, "column", "columns")
                    )
                } else {
                    "The first rows, before and after (no value shown here changes).".to_string()
                },
            )
        }
    };
    let after = if kind == "removed" {
        html! {
            <div class="sample" data-testid="step-after">
                <p class="muted">{"Not in the result."}</p>
            </div>
        }
    } else {
        sample_table("After", "step-after", &p.after, Some(&p.before))
    };
    let before_caption = if kind == "removed" {
        "Removed"
    } else {
        "Before"
    };
    html! {
        <>
            <p class="muted small" data-testid="step-rows" data-shows={kind} data-total={total.to_string()}>{ note }</p>
            <div class="before-after">
                { sample_table(before_caption, "step-before", &p.before, None) }
                { after }
            </div>
            { sql }
        </>
    }
}

fn step_editor(ctl: &Controller, rec: &DatasetRecord, recipe: &[Step], i: usize) -> Html {
    let text = recipe
        .get(i)
        .and_then(|s| serde_json::to_string_pretty(s).ok())
        .unwrap_or_default();
    let area = NodeRef::default();
    let save = {
        let (ctl, rec, recipe, area) = (ctl.clone(), rec.clone(), recipe.to_vec(), area.clone());
        Callback::from(move |_| {
            let Some(el) = area.cast::<web_sys::HtmlTextAreaElement>() else {
                return;
            };
            match crate::core::clean::step_text::step_from_text(&el.value()) {
                Ok(step) => {
                    let mut steps = recipe.clone();
                    if let Some(slot) = steps.get_mut(i) {
                        *slot = step;
                    }
                    ctl.apply_recipe(rec.clone(), steps, RecipeChange::Push);
                }
                Err(e) => ctl.show_error(crate::messages::step_text_error(i, &e)),
            }
        })
    };
    let cancel = {
        let ctl = ctl.clone();
        Callback::from(move |_| {
            // Whatever the refused text caused is moot once it is dropped.
            ctl.clear_error();
            ctl.edit_step(None)
        })
    };
    html! {
        <div class="step-editor">
            <label for={format!("step-json-{i}")}>{"Settings of this step (JSON)"}</label>
            <textarea id={format!("step-json-{i}")} data-testid="step-json" ref={area} rows="6" defaultvalue={text} />
            <div class="row">
                <button data-testid="step-save" onclick={save}>{"Save and apply"}</button>
                <button class="ghost" onclick={cancel}>{"Cancel"}</button>
            </div>
        </div>
    }
}

fn run_log(runs: &[RunLog]) -> Html {
    if runs.is_empty() {
        return html! {};
    }
    html! {
        <section class="panel" aria-label="Processing log">
            <h2>{"Processing log"}</h2>
            <ol class="runs" reversed=true>
                { for runs.iter().rev().map(|r| html! {
                    <li data-testid="run" data-rows-in={r.rows_in.to_string()} data-rows-out={r.rows_out.to_string()}>
                        <details>
                            <summary>{ format!("{} — {}", format::when_iso(&r.at), run_summary(r)) }</summary>
                            <ol>{ for r.steps.iter().map(|s| html! {
                                <li>{ format!("{}: {}, rows {} → {}{}", s.description, format::count(s.cells_changed, "cell changed", "cells changed"),
                                    format::int(s.rows_before), format::int(s.rows_after),
                                    if s.detail.is_empty() { String::new() } else { format!(" ({})", s.detail) }) }</li>
                            }) }</ol>
                        </details>
                    </li>
                }) }
            </ol>
        </section>
    }
}
