//! The Clean tab's commands: propose, apply (push, undo, redo, show),
//! import a recipe, preview a step, page through the cleaned data.

use std::rc::Rc;

use wasm_bindgen_futures::{spawn_local, JsFuture};
use yew::Callback;

use super::request::AskError;
use super::{Controller, RecipeChange};
use crate::core::clean::auto::Mode;
use crate::core::clean::{Recipe, RunLog, Step};
use crate::messages;
use crate::protocol::{Ask, Reply};
use crate::shell::clean_grid::GridPage;
use crate::shell::state::{Action, CleanResult, MAX_RUNS};
use crate::shell::storage::{Changed, DatasetRecord, StorageError};

impl Controller {
    /// A failed request as the running job's failure (or, with no job, as
    /// a message).
    pub(super) fn failed(&self, err: AskError, job: bool) {
        let msg = err.sentence().unwrap_or_else(|| {
            "The engine stopped (see the message above); your data and recipes are saved.".into()
        });
        self.dispatch(if job {
            Action::JobFailed(msg)
        } else {
            Action::Error(Some(msg))
        });
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
            match ctl.ask(Ask::Propose { mode, steps }).await {
                Ok(Reply::Proposed(proposals)) => {
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
                Ok(_) => {}
                Err(e) => ctl.failed(e, true),
            }
        });
    }

    /// Makes `steps` the applied recipe of `rec`: runs it in the worker,
    /// shows the result, logs the run and saves recipe and log (except for
    /// `Show`). On failure nothing is saved and the message says which step.
    pub fn apply_recipe(&self, rec: DatasetRecord, steps: Vec<Step>, change: RecipeChange) {
        if self.0.busy.get() {
            return self.dispatch(Action::Notice(Some(
                "A file is still loading; apply the recipe when it has finished.".into(),
            )));
        }
        let ctl = self.clone();
        spawn_local(async move {
            ctl.dispatch(Action::JobStart(format!("Cleaning {}", rec.name), false));
            let answer = ctl
                .ask(Ask::Clean {
                    steps: steps.clone(),
                })
                .await;
            let (mut log, profile, elapsed_ms, wasm_memory) = match answer {
                Ok(Reply::Cleaned {
                    log,
                    profile,
                    elapsed_ms,
                    wasm_memory,
                }) => (log, profile, elapsed_ms, wasm_memory),
                Ok(_) => return,
                Err(e) => return ctl.failed(e, true),
            };
            // When it ran (also what tells one result from the next).
            log.at = String::from(js_sys::Date::new_0().to_iso_string());
            // What the steps fitted (a Yeo-Johnson λ) is kept in the recipe,
            // so a later run or a scored file gets the same transform; a
            // recipe stored before (or undone to) without it gets it now.
            let fitted = log.fitted_steps(&steps);
            let refitted = fitted != steps;
            let steps = fitted;
            match change {
                RecipeChange::Push => ctl.dispatch(Action::RecipePush(steps.clone())),
                RecipeChange::Undo => ctl.dispatch(Action::Undo),
                RecipeChange::Redo => ctl.dispatch(Action::Redo),
                RecipeChange::Show => {}
            }
            if refitted && change != RecipeChange::Push {
                ctl.dispatch(Action::RecipeFitted(steps.clone()));
            }
            ctl.dispatch(Action::CleanResult(Rc::new(CleanResult {
                steps: steps.clone(),
                log: log.clone(),
                profile: *profile,
            })));
            if change != RecipeChange::Show || refitted {
                ctl.dispatch(Action::RunLogged(log.clone()));
                let Some(st) = ctl.storage() else { return };
                // Only the recipe and the log change, on the stored record
                // as it is now (another tab may have saved a model).
                let saved = st
                    .update_dataset(&rec.id, Changed::Recipe, |stored| {
                        let mut runs = stored_runs(stored)?;
                        runs.push(log);
                        let extra = runs.len().saturating_sub(MAX_RUNS);
                        runs.drain(..extra);
                        stored.recipe = Recipe::new(steps).to_json();
                        stored.runs = serde_json::to_string(&runs)
                            .map_err(|e| StorageError::Failed(e.to_string()))?;
                        Ok(Vec::new())
                    })
                    .await;
                if let Err(e) = saved {
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
    pub fn import_recipe(&self, rec: DatasetRecord, file: web_sys::File) {
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
                Ok(recipe) => ctl.apply_recipe(rec, recipe.steps, RecipeChange::Push),
                Err(e) => ctl.show_error(format!("{name}: {}", messages::clean_error(&e))),
            }
        });
    }

    /// Rows `offset..offset + limit` of the last recipe result, each cell
    /// beside its raw cell, given to `done` with the offset and the total.
    pub fn clean_rows(
        &self,
        offset: usize,
        limit: usize,
        next_change: bool,
        done: Callback<GridPage>,
    ) {
        let ctl = self.clone();
        spawn_local(async move {
            let ask = Ask::CleanRows {
                offset,
                limit,
                next_change,
            };
            match ctl.ask(ask).await {
                Ok(Reply::CleanRows {
                    offset,
                    total,
                    rows,
                    found,
                }) => done.emit(GridPage {
                    offset,
                    total,
                    rows: Rc::new(rows),
                    found,
                }),
                Ok(_) => {}
                Err(e) => ctl.failed(e, false),
            }
        });
    }

    /// Shows the data before and after step `index` of `steps` where
    /// `slot` is (see `Clean::step_preview`).
    pub fn preview_step(&self, steps: Vec<Step>, index: usize, slot: usize) {
        let ctl = self.clone();
        spawn_local(async move {
            match ctl.ask(Ask::StepPreview { steps, index }).await {
                Ok(Reply::StepPreview(view)) => {
                    ctl.dispatch(Action::StepPreview(Some((slot, Rc::from(view)))));
                }
                Ok(_) => {}
                Err(e) => ctl.failed(e, false),
            }
        });
    }
}

/// The processing log stored with a dataset, refusing one that cannot be
/// read (so it is never replaced by a shorter one).
fn stored_runs(rec: &DatasetRecord) -> Result<Vec<RunLog>, StorageError> {
    if rec.runs.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(&rec.runs)
        .map_err(|e| StorageError::Unreadable(format!("its processing log: {e}")))
}
