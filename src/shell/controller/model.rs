//! The Model tab's commands: train, stop, save each finished board as a
//! version with its models, use a run's or a saved model (what-if, score a
//! file).

use std::rc::Rc;

use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::download::{base_name, bytes_blob, describe_js};
use super::load::{stored_recipe, Ingested, ReadOf};
use super::request::AskError;
use super::Controller;
use crate::core::clean::Step;
use crate::core::ml::automl::{Board, Setup, Status};
use crate::protocol::{Ask, ModelRef, Purpose, Reply, RunId, ToWorker};
use crate::shell::state::Action;
use crate::shell::storage::{model_key, Changed, DatasetRecord, Extra, StorageError};

/// One saved model version: when, what it learnt, how it scored, and which
/// of its fitted models are kept (their bytes are in the `models` store).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ModelVersion {
    pub version: u32,
    /// ISO 8601 time of saving.
    pub saved: String,
    /// The applied recipe it learnt after.
    pub steps: Vec<Step>,
    pub board: Board,
    /// The models kept with their size in bytes (versions saved before
    /// models were kept have none).
    #[serde(default)]
    pub kept: Vec<(String, u64)>,
    /// Models not kept, and why (too large).
    #[serde(default)]
    pub not_kept: Vec<(String, String)>,
}

impl ModelVersion {
    pub fn keeps(&self, model: &str) -> bool {
        self.kept.iter().any(|(m, _)| m == model)
    }
}

/// A model above this many bytes is not kept (a forest fully grown on
/// many rows): its scores are, and training again recreates it.
pub const MAX_MODEL_BYTES: usize = 64 << 20;

/// Versions kept per dataset (oldest dropped first).
pub const MAX_VERSIONS: usize = 20;

/// The saved model versions of a dataset, oldest first (none when the
/// stored list cannot be read: see [`stored_versions`]).
pub fn model_versions(rec: &DatasetRecord) -> Vec<ModelVersion> {
    stored_versions(rec).unwrap_or_default()
}

/// The saved model versions of a dataset, refusing a list that cannot be
/// read (so a save never starts again at version 1 over its models).
pub fn stored_versions(rec: &DatasetRecord) -> Result<Vec<ModelVersion>, StorageError> {
    if rec.models.trim().is_empty() {
        return Ok(Vec::new());
    }
    serde_json::from_str(&rec.models)
        .map_err(|e| StorageError::Unreadable(format!("its list of model versions: {e}")))
}

/// "The engine stopped" when the banner already says why.
fn stopped(e: AskError) -> String {
    e.sentence().unwrap_or_else(|| {
        "The engine stopped (see the message above); your data and saved models are safe. Try again.".into()
    })
}

impl Controller {
    /// Whether the page follows training run `run`.
    pub(super) fn following(&self, run: RunId) -> bool {
        self.0.ml_run.borrow().as_ref().map(|(r, _)| *r) == Some(run)
    }

    /// A board from the worker: shown, and saved once finished.
    pub(super) fn training(&self, run: RunId, board: Board) {
        let done = self.following(run) && board.finished && !board.cancelled;
        if done {
            self.save_model(board.clone());
        }
        self.dispatch(Action::MlBoard(run, board));
        if done {
            // The status bar says how long the run took, like other jobs.
            self.dispatch(Action::JobDone {
                elapsed_ms: js_sys::Date::now() - self.0.ml_started.get(),
                wasm_memory: 0,
            });
        }
    }

    /// Starts building a leaderboard on the data after `steps`.
    pub fn train(&self, rec: DatasetRecord, setup: Setup, steps: Vec<Step>) {
        let about = match self.about() {
            Ok(a) if a.id == rec.id => a,
            Ok(_) | Err(_) => {
                return self.dispatch(Action::MlError(Some(stopped(AskError::Worker(
                    super::request::not_loaded(rec.id.clone()),
                )))))
            }
        };
        let run = RunId(self.next_id());
        *self.0.ml_run.borrow_mut() = Some((run, rec.clone()));
        self.0.ml_started.set(js_sys::Date::now());
        self.dispatch(Action::MlStart(rec.id.clone(), run));
        self.send(ToWorker::Train {
            run,
            about,
            setup,
            steps,
        });
    }

    /// Forgets the what-if answer and the scored file (another model is
    /// in use).
    pub fn clear_use(&self) {
        self.dispatch(Action::MlWhatIf(None));
        self.dispatch(Action::MlPredicted(None));
    }

    /// The model the what-if form and predictions use.
    pub fn select_model(&self, model: Option<String>) {
        self.dispatch(Action::MlSelect(model));
    }

    /// Stops the run after the job in progress.
    pub fn stop_training(&self) {
        if let Some((run, _)) = self.0.ml_run.borrow().as_ref() {
            self.send(ToWorker::StopTraining { run: *run });
        }
    }

    /// Saves a finished board as the dataset's next model version, with
    /// every finished model's fitted form (so a reload can still use them).
    fn save_model(&self, board: Board) {
        let Some((_, rec)) = self.0.ml_run.borrow().clone() else {
            return;
        };
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            // The fitted models first (from the worker), then one write.
            let mut kept = Vec::new();
            let mut not_kept = Vec::new();
            let mut blobs = Vec::new();
            for e in board.entries.iter().filter(|e| e.status == Status::Done) {
                let name = e.model.name().to_string();
                let answer = ctl
                    .ask(Ask::ExportModel {
                        model: name.clone(),
                    })
                    .await;
                match answer {
                    Ok(Reply::ModelBytes(bytes)) if bytes.len() <= MAX_MODEL_BYTES => {
                        kept.push((name, bytes.len() as u64));
                        blobs.push(bytes);
                    }
                    Ok(Reply::ModelBytes(bytes)) => not_kept.push((
                        name,
                        format!(
                            "too large to keep ({} MB; at most {} MB)",
                            bytes.len() >> 20,
                            MAX_MODEL_BYTES >> 20
                        ),
                    )),
                    Ok(_) => not_kept.push((name, "the engine gave another answer".into())),
                    Err(e) => not_kept.push((name, stopped(e))),
                }
            }
            let mut blobs_of = Vec::new();
            for ((name, _), bytes) in kept.iter().zip(blobs) {
                match bytes_blob(&bytes) {
                    Ok(b) => blobs_of.push((name.clone(), b)),
                    Err(e) => {
                        return ctl.dispatch(Action::MlError(Some(format!(
                            "Could not save the model: {e}"
                        ))))
                    }
                }
            }
            // The next version of the list as stored now (another tab may
            // have saved one meanwhile), with its models, in one write.
            let saved = st
                .update_dataset(&rec.id, Changed::Models, |stored| {
                    let mut versions = stored_versions(stored)?;
                    let version = versions.last().map_or(1, |v| v.version + 1);
                    let (steps, _) = stored_recipe(stored);
                    let mut writes: Vec<Extra> = blobs_of
                        .into_iter()
                        .map(|(name, b)| Extra::PutModel(model_key(&stored.id, version, &name), b))
                        .collect();
                    versions.push(ModelVersion {
                        version,
                        saved: String::from(js_sys::Date::new_0().to_iso_string()),
                        steps,
                        board,
                        kept,
                        not_kept,
                    });
                    let extra = versions.len().saturating_sub(MAX_VERSIONS);
                    writes.extend(
                        versions
                            .drain(..extra)
                            .map(|v| Extra::DropModels(model_key(&stored.id, v.version, ""))),
                    );
                    stored.models = serde_json::to_string(&versions)
                        .map_err(|e| StorageError::Failed(e.to_string()))?;
                    Ok(writes)
                })
                .await;
            if let Err(e) = saved {
                ctl.dispatch(Action::MlError(Some(e.user_message("save the model"))));
                return;
            }
            ctl.refresh_workspace(Some(rec.client_id.clone())).await;
        });
    }

    /// Makes the worker hold the kept model under `key` (read from
    /// storage) unless it already does.
    async fn load_saved(&self, key: &str) -> Result<(), String> {
        if self.0.loaded_model.borrow().as_deref() == Some(key) {
            return Ok(());
        }
        let st = self
            .storage()
            .ok_or_else(|| "The browser's storage is not open, so the saved model cannot be read. Reload the page.".to_string())?;
        let blob = match st.model(key).await {
            Ok(Some(b)) => b,
            Ok(None) => return Err("This saved model is no longer in the browser's storage (it may have been cleared). Its scores are still shown; press “Train again” to recreate it.".into()),
            Err(e) => return Err(e.user_message("read the saved model")),
        };
        let buffer = JsFuture::from(blob.array_buffer()).await.map_err(|e| {
            format!(
                "The browser could not read the saved model: {}",
                describe_js(e)
            )
        })?;
        let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
        match self
            .ask(Ask::LoadModel {
                key: key.to_string(),
                bytes,
            })
            .await
        {
            Ok(_) => {
                *self.0.loaded_model.borrow_mut() = Some(key.to_string());
                Ok(())
            }
            Err(e) => Err(stopped(e)),
        }
    }

    /// The permutation importance and partial dependence of `model` of
    /// this session's run.
    pub fn explain(&self, model: String) {
        let ctl = self.clone();
        spawn_local(async move {
            ctl.dispatch(Action::MlExplaining(model.clone()));
            match ctl
                .ask(Ask::Explain {
                    model: model.clone(),
                })
                .await
            {
                Ok(Reply::Explained { model, explanation }) => {
                    ctl.dispatch(Action::MlExplained(model, Some(Rc::new(explanation))))
                }
                Ok(_) => ctl.dispatch(Action::MlExplained(model, None)),
                Err(e) => {
                    ctl.dispatch(Action::MlExplained(model, None));
                    ctl.dispatch(Action::MlError(Some(stopped(e))));
                }
            }
        });
    }

    /// The prediction of `model` for one row of text cells.
    pub fn what_if(&self, model: ModelRef, cells: Vec<String>) {
        let ctl = self.clone();
        spawn_local(async move {
            if let ModelRef::Saved(key) = &model {
                if let Err(message) = ctl.load_saved(key).await {
                    return ctl.dispatch(Action::MlError(Some(message)));
                }
            }
            ctl.dispatch(Action::MlError(None));
            match ctl.ask(Ask::WhatIf { model, cells }).await {
                Ok(Reply::WhatIf(a)) => ctl.dispatch(Action::MlWhatIf(Some(a))),
                Ok(_) => {}
                Err(e) => ctl.dispatch(Action::MlError(Some(stopped(e)))),
            }
        });
    }

    /// Scores a new file with `model` (after the recipe `steps`): the file
    /// is streamed to the worker in slices like a load, then scored there.
    pub fn predict(&self, model: ModelRef, file: web_sys::File, steps: Vec<Step>) {
        if self.0.busy.get() {
            return self.dispatch(Action::Notice(Some(
                "A file is still loading; score this file when it has finished.".into(),
            )));
        }
        let ctl = self.clone();
        spawn_local(async move {
            let name = file.name();
            ctl.dispatch(Action::MlPredicted(None));
            ctl.dispatch(Action::MlError(None));
            if let ModelRef::Saved(key) = &model {
                if let Err(message) = ctl.load_saved(key).await {
                    return ctl.dispatch(Action::MlError(Some(message)));
                }
            }
            let Ingested::Read(read) = ctl
                .run_ingest(&name, &file, Purpose::Score, None, ReadOf::NewFile)
                .await
            else {
                return ctl.after_load();
            };
            let answer = ctl
                .ask(Ask::Predict {
                    model,
                    file: read.load,
                    steps,
                })
                .await;
            match answer {
                Ok(Reply::Predicted { rows, bytes }) => {
                    let out = format!("{}-predictions.csv", base_name(&name));
                    ctl.dispatch(Action::MlPredicted(Some(Rc::new((out, rows, bytes)))));
                    ctl.dispatch(Action::JobDone {
                        elapsed_ms: read.elapsed_ms,
                        wasm_memory: read.wasm_memory,
                    });
                }
                Ok(_) => {}
                Err(e) => {
                    // The file was read; why it cannot be scored is on the Model tab.
                    ctl.dispatch(Action::MlError(Some(stopped(e))));
                    ctl.dispatch(Action::JobDone {
                        elapsed_ms: read.elapsed_ms,
                        wasm_memory: read.wasm_memory,
                    });
                }
            }
            // Another dataset opened meanwhile waits for its rows.
            ctl.after_load();
        });
    }
}
