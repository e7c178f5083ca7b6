//! The leaderboard: every model of the task cross-validated (5 folds of the
//! training split, stratified for classes) and scored once on the held-out
//! test split, one small job at a time so a caller (the worker) can report
//! progress, honour a time budget and stop between jobs; then the best
//! model explained (permutation importance, partial dependence).

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};

use crate::core::ingest::Dataset;

use super::explain;
use super::metrics::{self, ClassMetrics, RegMetrics};
use super::models::{self, Labels, Model, ModelKind, Prediction};
use super::prep::{self, Encoder, Family, PrepError, Schema, Target};
use super::saved::{SavedModel, Scorer};
use super::split;
use super::task::Task;
use super::MlError;

/// Share of the rows held out for the test split.
pub const TEST_FRACTION: f64 = 0.2;
/// Cross-validation folds.
pub const FOLDS: usize = 5;
/// k-means tries k = 2..=MAX_K.
pub const MAX_K: usize = 8;
/// Silhouettes are measured on at most this many rows (a seeded sample):
/// the silhouette compares every pair of them (m² distances), so this caps
/// it at 4 million whatever the rows.
pub const SILHOUETTE_ROWS: usize = 2_000;
/// Permutation importance and partial dependence use at most this many
/// test rows (a seeded sample). With at most
/// [`super::task::MAX_FEATURES`] features the explanation predicts at most
/// `MAX_FEATURES × REPEATS + PD_FEATURES × 20` times on these rows.
pub const EXPLAIN_ROWS: usize = 2_000;
/// Partial dependence is drawn for this many top features.
pub const PD_FEATURES: usize = 3;
/// Permutation importance repeats.
pub const REPEATS: usize = 5;

/// What to learn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Setup {
    pub target: Option<String>,
    pub task: Task,
    pub features: Vec<String>,
    pub seed: u64,
    /// Stop starting new models after this many seconds (the baseline
    /// always runs).
    pub budget_secs: f64,
}

/// Why training cannot start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TrainError {
    Prep(PrepError),
    NoFeatures,
    /// Fewer rows with a target than the split and folds need.
    TooFewRows {
        rows: usize,
        needed: usize,
    },
    /// A class with fewer than 2 rows cannot be in both splits.
    TinyClass {
        class: String,
        rows: usize,
    },
}

impl From<PrepError> for TrainError {
    fn from(e: PrepError) -> Self {
        TrainError::Prep(e)
    }
}

/// The test-split scores of one model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scores {
    Classification(ClassMetrics),
    Regression {
        #[serde(flatten)]
        metrics: RegMetrics,
        /// (predicted, actual − predicted) of up to 2,000 test rows.
        residuals: Vec<(f64, f64)>,
    },
    Clustering(Clustering),
}

impl Scores {
    /// The task's main metric (higher is better): accuracy, R² or the
    /// silhouette.
    pub fn main(&self) -> Option<f64> {
        match self {
            Scores::Classification(m) => Some(m.accuracy),
            Scores::Regression { metrics, .. } => metrics.r2,
            Scores::Clustering(c) => c.silhouette,
        }
    }

    /// The named metrics shown on the leaderboard (`data-metric`).
    pub fn named(&self) -> Vec<(&'static str, Option<f64>)> {
        match self {
            Scores::Classification(m) => vec![
                ("accuracy", Some(m.accuracy)),
                ("balanced_accuracy", Some(m.balanced_accuracy)),
                ("f1", Some(m.f1_macro)),
                ("roc_auc", m.roc_auc),
                ("log_loss", m.log_loss),
            ],
            Scores::Regression { metrics, .. } => vec![
                ("r2", metrics.r2),
                ("rmse", Some(metrics.rmse)),
                ("mae", Some(metrics.mae)),
            ],
            Scores::Clustering(c) => vec![("silhouette", c.silhouette)],
        }
    }
}

/// k-means' result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clustering {
    pub k: usize,
    pub silhouette: Option<f64>,
    pub sizes: Vec<u64>,
    /// Per cluster, per feature: the mean of the rows in it (numbers in
    /// their own units; categories as the most common one).
    pub centroids: Vec<Vec<String>>,
    /// (k, silhouette, inertia) for every k tried: the elbow curve.
    pub curve: Vec<(usize, Option<f64>, f64)>,
}

/// One leaderboard row.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub model: ModelKind,
    pub label: String,
    pub library: String,
    /// The main metric on each validation fold.
    pub cv: Vec<f64>,
    pub scores: Option<Scores>,
    /// Seconds spent fitting (all folds and the final fit).
    pub train_secs: f64,
    pub status: Status,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Status {
    Waiting,
    Running,
    Done,
    /// Fitting failed: why (the model's error, in words).
    Failed {
        error: String,
    },
    /// Not started: the time budget was used.
    Skipped,
}

impl Entry {
    pub fn cv_mean(&self) -> Option<f64> {
        (!self.cv.is_empty()).then(|| self.cv.iter().sum::<f64>() / self.cv.len() as f64)
    }

    pub fn cv_std(&self) -> Option<f64> {
        let m = self.cv_mean()?;
        Some((self.cv.iter().map(|v| (v - m).powi(2)).sum::<f64>() / self.cv.len() as f64).sqrt())
    }
}

/// The explanation of the chosen model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// Per feature (by name), the drop of the main metric when its values
    /// are shuffled: mean and standard deviation over repeats; largest
    /// first.
    pub importance: Vec<(String, f64, f64)>,
    /// For the top features: (feature, grid values as text, grid values as
    /// numbers, mean prediction at each; classes: probability of the
    /// first class for two, else of the most common).
    pub dependence: Vec<Dependence>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dependence {
    pub feature: String,
    /// Whether the feature is a number (drawn as a curve; categories as
    /// bars).
    #[serde(default)]
    pub numeric: bool,
    /// Whether the feature's values are days since 1970-01-01.
    #[serde(default)]
    pub dates: bool,
    pub labels: Vec<String>,
    pub values: Vec<f64>,
    pub mean: Vec<f64>,
    /// What `mean` is ("predicted price", "probability of 'yes'").
    pub of: String,
}

enum Job {
    Fold { kind: ModelKind, fold: usize },
    Final { kind: ModelKind },
    KMeans { k: usize },
    Explain,
}

/// What one step did, for progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub model: String,
    /// "fold 2 of 5", "final fit", "k = 3", "explaining".
    pub phase: String,
    pub done: usize,
    pub total: usize,
}

/// Data ready to learn from: the rows with a target, split, read.
pub struct Prepared {
    pub setup: Setup,
    pub schema: Schema,
    pub target: Option<Target>,
    /// Rows of the dataset used (those with a target), ascending.
    pub rows: Vec<u32>,
    /// Raw features of `rows` (compact: index i is `rows[i]`).
    pub raw: Vec<Vec<f64>>,
    /// Class codes or numbers of `rows`.
    pub y: Vec<f64>,
    pub n_classes: usize,
    /// Compact indices.
    pub train: Vec<u32>,
    pub test: Vec<u32>,
    /// Folds of `train` (compact indices).
    pub folds: Vec<(Vec<u32>, Vec<u32>)>,
    pub encoder: Encoder,
    /// Features of the setup past [`super::task::MAX_FEATURES`], not
    /// learnt from, with the reason.
    pub left_out: Vec<super::task::Excluded>,
}

impl Prepared {
    /// Bound: at most [`super::task::MAX_FEATURES`] features are read
    /// (a setup with more keeps the first and records the others in
    /// [`Prepared::left_out`]), so every later job is linear in the rows.
    pub fn new(ds: &Dataset, mut setup: Setup) -> Result<Prepared, TrainError> {
        if setup.features.is_empty() {
            return Err(TrainError::NoFeatures);
        }
        let left_out = super::task::cap_features(&mut setup.features);
        let n_all = ds.height();
        let (target, values) = match (&setup.target, &setup.task) {
            (Some(t), task) if *task != Task::Clustering => {
                let (target, v) = prep::read_target(ds, t, task)?;
                (Some(target), v)
            }
            _ => (None, vec![Some(0.0); n_all]),
        };
        let rows: Vec<u32> = (0..n_all as u32)
            .filter(|&r| values[r as usize].is_some())
            .collect();
        let y: Vec<f64> = rows
            .iter()
            .map(|&r| values[r as usize].unwrap_or(0.0))
            .collect();
        let n = rows.len();
        let needed = if setup.task == Task::Clustering {
            MAX_K.min(3) + 1
        } else {
            FOLDS * 2
        };
        if n < needed {
            return Err(TrainError::TooFewRows { rows: n, needed });
        }
        let n_classes = match &target {
            Some(Target::Classes { classes, .. }) => classes.len(),
            _ => 0,
        };
        let strata: Option<Vec<u32>> =
            (n_classes > 0).then(|| y.iter().map(|&c| c as u32).collect());
        if let (Some(s), Some(Target::Classes { classes, .. })) = (&strata, &target) {
            let mut counts = vec![0usize; n_classes];
            s.iter().for_each(|&c| counts[c as usize] += 1);
            if let Some((c, &k)) = counts.iter().enumerate().find(|(_, &k)| k > 0 && k < 2) {
                return Err(TrainError::TinyClass {
                    class: classes[c].clone(),
                    rows: k,
                });
            }
        }
        let (train, test) = if setup.task == Task::Clustering {
            // Clustering has no held-out rows: every row is grouped.
            ((0..n as u32).collect(), Vec::new())
        } else {
            split::train_test_split(n, TEST_FRACTION, strata.as_deref(), setup.seed)
        };
        let folds = if setup.task == Task::Clustering {
            Vec::new()
        } else {
            let train_strata: Option<Vec<u32>> = strata
                .as_ref()
                .map(|s| train.iter().map(|&r| s[r as usize]).collect());
            split::k_fold(train.len(), FOLDS, train_strata.as_deref(), setup.seed)
                .into_iter()
                .map(|(a, b)| {
                    (
                        a.iter().map(|&i| train[i as usize]).collect(),
                        b.iter().map(|&i| train[i as usize]).collect(),
                    )
                })
                .collect()
        };
        // Categories are counted on the training rows only.
        let train_rows: Vec<u32> = train.iter().map(|&i| rows[i as usize]).collect();
        let schema = Schema::fit(ds, &setup.features, &train_rows)?;
        let all = schema.read(ds)?;
        let raw = prep::take(&all, &rows);
        drop(all);
        let encoder = Encoder::fit(&schema, &raw, &train);
        Ok(Prepared {
            setup,
            schema,
            target,
            rows,
            raw,
            y,
            n_classes,
            train,
            test,
            folds,
            encoder,
            left_out,
        })
    }

    fn labels<'a>(&self, y: &'a [u32], v: &'a [f64], k: usize) -> Labels<'a> {
        match self.setup.task {
            Task::Classification => Labels::Classes {
                y,
                n_classes: self.n_classes,
            },
            Task::Regression => Labels::Values(v),
            Task::Clustering => Labels::Groups { k },
        }
    }

    /// Fits `kind` on the compact rows `fit_rows` with an encoder fitted on
    /// them, and scores it on `eval_rows`.
    fn fit_eval(
        &self,
        kind: ModelKind,
        fit_rows: &[u32],
        eval_rows: &[u32],
    ) -> Result<(Encoder, Model, Scores), MlError> {
        let encoder = Encoder::fit(&self.schema, &self.raw, fit_rows);
        let x = encoder.encode(&prep::take(&self.raw, fit_rows), kind.family());
        let yv: Vec<f64> = fit_rows.iter().map(|&r| self.y[r as usize]).collect();
        let yc: Vec<u32> = yv.iter().map(|&v| v as u32).collect();
        let model = models::fit(kind, &x, self.labels(&yc, &yv, 0), self.setup.seed)?;
        drop(x);
        let scores = self.score(&encoder, &model, kind.family(), eval_rows);
        Ok((encoder, model, scores))
    }

    fn score(&self, encoder: &Encoder, model: &Model, family: Family, rows: &[u32]) -> Scores {
        let x = encoder.encode(&prep::take(&self.raw, rows), family);
        let truth: Vec<f64> = rows.iter().map(|&r| self.y[r as usize]).collect();
        self.scores_of(&truth, &model.predict(&x))
    }

    fn scores_of(&self, truth: &[f64], p: &Prediction) -> Scores {
        match p {
            Prediction::Proba(proba) => {
                let t: Vec<u32> = truth.iter().map(|&v| v as u32).collect();
                Scores::Classification(metrics::classification(&t, proba, self.n_classes))
            }
            Prediction::Values(v) => Scores::Regression {
                metrics: metrics::regression(truth, v),
                residuals: truth
                    .iter()
                    .zip(v)
                    .take(2_000)
                    .map(|(t, p)| (*p, t - p))
                    .collect(),
            },
            Prediction::Clusters(_) => unreachable!("clusters are scored by silhouette"),
        }
    }
}

/// A fitted model of the run (the best, or one picked), borrowed.
pub struct Chosen<'a> {
    pub kind: ModelKind,
    pub encoder: &'a Encoder,
    pub model: &'a Model,
}

/// A leaderboard being built, one job per [`Run::step`].
pub struct Run {
    pub prepared: Prepared,
    pub entries: Vec<Entry>,
    jobs: VecDeque<Job>,
    total: usize,
    done: usize,
    /// Per model kind: the fitted final model (kept for the best).
    finals: Vec<(ModelKind, Encoder, Model)>,
    kmeans: Vec<(usize, Option<f64>, f64, Encoder, Model)>,
    pub explanation: Option<Explanation>,
    started: Option<f64>,
}

impl Run {
    pub fn new(prepared: Prepared) -> Run {
        let kinds = ModelKind::for_task(&prepared.setup.task);
        let mut jobs = VecDeque::new();
        if prepared.setup.task == Task::Clustering {
            let max_k = MAX_K.min(prepared.rows.len() - 1);
            for k in 2..=max_k {
                jobs.push_back(Job::KMeans { k });
            }
        } else {
            for &kind in &kinds {
                for fold in 0..prepared.folds.len() {
                    jobs.push_back(Job::Fold { kind, fold });
                }
                jobs.push_back(Job::Final { kind });
            }
        }
        jobs.push_back(Job::Explain);
        let entries = kinds
            .iter()
            .map(|&k| Entry {
                model: k,
                label: k.label(&prepared.setup.task).to_string(),
                library: k.library().to_string(),
                cv: Vec::new(),
                scores: None,
                train_secs: 0.0,
                status: Status::Waiting,
            })
            .collect();
        let total = jobs.len();
        Run {
            prepared,
            entries,
            jobs,
            total,
            done: 0,
            finals: Vec::new(),
            kmeans: Vec::new(),
            explanation: None,
            started: None,
        }
    }

    pub fn is_done(&self) -> bool {
        self.jobs.is_empty()
    }

    fn entry(&mut self, kind: ModelKind) -> &mut Entry {
        self.entries
            .iter_mut()
            .find(|e| e.model == kind)
            .expect("every job's model has an entry")
    }

    /// Runs the next job; `now` gives seconds on any clock. Returns what
    /// was done, or None when finished.
    pub fn step(&mut self, now: &dyn Fn() -> f64) -> Option<Progress> {
        let job = self.jobs.pop_front()?;
        let t0 = now();
        let started = *self.started.get_or_insert(t0);
        self.done += 1;
        let (kind, phase) = match job {
            Job::Fold { kind, fold } => {
                let budget = self.prepared.setup.budget_secs;
                let entry = self.entry(kind);
                if fold == 0 && kind != ModelKind::Baseline && t0 - started > budget {
                    entry.status = Status::Skipped;
                    self.skip_rest(kind);
                    return Some(self.progress(kind, "skipped (time budget used)".into()));
                }
                if matches!(entry.status, Status::Failed { .. }) {
                    return Some(self.progress(kind, format!("fold {} of {}", fold + 1, FOLDS)));
                }
                entry.status = Status::Running;
                let (fit_rows, eval_rows) = self.prepared.folds[fold].clone();
                let result = self.prepared.fit_eval(kind, &fit_rows, &eval_rows);
                let secs = now() - t0;
                let entry = self.entry(kind);
                entry.train_secs += secs;
                match result {
                    Ok((_, _, s)) => entry.cv.push(s.main().unwrap_or(f64::NAN)),
                    Err(error) => {
                        entry.status = Status::Failed {
                            error: error.to_string(),
                        };
                        self.skip_rest(kind);
                    }
                }
                (
                    kind,
                    format!("fold {} of {}", fold + 1, self.prepared.folds.len()),
                )
            }
            Job::Final { kind } => {
                let train = self.prepared.train.clone();
                let test = self.prepared.test.clone();
                let result = self.prepared.fit_eval(kind, &train, &test);
                let secs = now() - t0;
                let entry = self.entry(kind);
                entry.train_secs += secs;
                match result {
                    Ok((enc, model, scores)) => {
                        entry.scores = Some(scores);
                        entry.status = Status::Done;
                        self.finals.push((kind, enc, model));
                    }
                    Err(error) => {
                        entry.status = Status::Failed {
                            error: error.to_string(),
                        }
                    }
                }
                (kind, "final fit".into())
            }
            Job::KMeans { k } => {
                let kind = ModelKind::KMeans;
                self.entry(kind).status = Status::Running;
                let p = &self.prepared;
                let x = p.encoder.encode(&p.raw, Family::Scaled);
                match models::fit(kind, &x, Labels::Groups { k }, p.setup.seed) {
                    Ok(model) => {
                        let labels: Vec<u32> = match model.predict(&x) {
                            Prediction::Clusters(c) => c,
                            _ => unreachable!(),
                        };
                        let sil = metrics::silhouette(&x, &labels, SILHOUETTE_ROWS, p.setup.seed);
                        let inertia = match &model {
                            Model::KMeans { inertia, .. } => *inertia,
                            _ => 0.0,
                        };
                        let enc = p.encoder.clone();
                        self.kmeans.push((k, sil, inertia, enc, model));
                    }
                    Err(error) => {
                        self.entry(kind).status = Status::Failed {
                            error: error.to_string(),
                        }
                    }
                }
                let secs = now() - t0;
                self.entry(kind).train_secs += secs;
                (kind, format!("k = {k}"))
            }
            Job::Explain => {
                if self.prepared.setup.task == Task::Clustering {
                    self.finish_clustering();
                }
                self.explain();
                let kind = self.best().map_or(ModelKind::Baseline, |b| b.model);
                (kind, "explaining".into())
            }
        };
        Some(self.progress(kind, phase))
    }

    fn progress(&self, kind: ModelKind, phase: String) -> Progress {
        Progress {
            model: kind.name().to_string(),
            phase,
            done: self.done,
            total: self.total,
        }
    }

    /// Drops the remaining jobs of `kind`.
    fn skip_rest(&mut self, kind: ModelKind) {
        let before = self.jobs.len();
        self.jobs.retain(
            |j| !matches!(j, Job::Fold { kind: k, .. } | Job::Final { kind: k } if *k == kind),
        );
        self.done += before - self.jobs.len();
    }

    /// Stops: every model not finished is marked skipped.
    pub fn cancel(&mut self) {
        self.jobs.clear();
        for e in &mut self.entries {
            if matches!(e.status, Status::Waiting | Status::Running) {
                e.status = Status::Skipped;
            }
        }
    }

    fn finish_clustering(&mut self) {
        let Some(best) = self
            .kmeans
            .iter()
            .enumerate()
            .max_by(|a, b| {
                let (x, y) = (a.1 .1.unwrap_or(-2.0), b.1 .1.unwrap_or(-2.0));
                x.total_cmp(&y)
            })
            .map(|(i, _)| i)
        else {
            return;
        };
        let curve = self
            .kmeans
            .iter()
            .map(|(k, s, i, _, _)| (*k, *s, *i))
            .collect();
        let (k, sil, _, enc, model) = self.kmeans.swap_remove(best);
        let p = &self.prepared;
        let x = enc.encode(&p.raw, Family::Scaled);
        let labels = match model.predict(&x) {
            Prediction::Clusters(c) => c,
            _ => unreachable!(),
        };
        let mut sizes = vec![0u64; k];
        labels.iter().for_each(|&c| sizes[c as usize] += 1);
        let centroids = (0..k as u32)
            .map(|c| {
                let members: Vec<u32> = (0..labels.len() as u32)
                    .filter(|&r| labels[r as usize] == c)
                    .collect();
                describe_group(&p.schema, &p.raw, &members)
            })
            .collect();
        let entry = self.entry(ModelKind::KMeans);
        entry.scores = Some(Scores::Clustering(Clustering {
            k,
            silhouette: sil,
            sizes,
            centroids,
            curve,
        }));
        entry.cv = sil.into_iter().collect();
        if !matches!(entry.status, Status::Failed { .. }) {
            entry.status = Status::Done;
        }
        self.finals.push((ModelKind::KMeans, enc, model));
    }

    /// The entries sorted by the main metric (cross-validated mean; then
    /// the test score), best first; unfinished last.
    pub fn ranked(&self) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.entries.iter().collect();
        let key = |e: &Entry| -> f64 {
            if e.status != Status::Done {
                return f64::NEG_INFINITY;
            }
            e.cv_mean()
                .filter(|v| v.is_finite())
                .or_else(|| e.scores.as_ref().and_then(Scores::main))
                .unwrap_or(f64::NEG_INFINITY)
        };
        v.sort_by(|a, b| key(b).total_cmp(&key(a)));
        v
    }

    pub fn best(&self) -> Option<&Entry> {
        self.ranked().into_iter().find(|e| e.status == Status::Done)
    }

    /// The best model, fitted on the training split.
    pub fn chosen(&self) -> Option<Chosen<'_>> {
        self.model_of(self.best()?.model)
    }

    /// The fitted model of `kind`, if trained.
    pub fn model_of(&self, kind: ModelKind) -> Option<Chosen<'_>> {
        self.finals
            .iter()
            .find(|(k, _, _)| *k == kind)
            .map(|(kind, encoder, model)| Chosen {
                kind: *kind,
                encoder,
                model,
            })
    }

    /// The explanation of the fitted model of `kind` (the best model's is
    /// made at the end of the run; another's when the user selects it).
    pub fn explain_of(&self, kind: ModelKind) -> Option<Explanation> {
        if self.best().map(|e| e.model) == Some(kind) {
            if let Some(x) = &self.explanation {
                return Some(x.clone());
            }
        }
        Some(explain_model(&self.prepared, &self.model_of(kind)?))
    }

    fn explain(&mut self) {
        let Some(chosen) = self.chosen() else {
            return;
        };
        let explanation = explain_model(&self.prepared, &chosen);
        self.explanation = Some(explanation);
    }
}

fn describe_group(schema: &Schema, raw: &[Vec<f64>], members: &[u32]) -> Vec<String> {
    schema
        .features
        .iter()
        .enumerate()
        .map(|(f, feature)| {
            let vals: Vec<f64> = members
                .iter()
                .map(|&r| raw[f][r as usize])
                .filter(|v| !v.is_nan())
                .collect();
            if vals.is_empty() {
                return String::new();
            }
            match feature {
                prep::Feature::Number { .. } => {
                    crate::core::format::num(vals.iter().sum::<f64>() / vals.len() as f64)
                }
                prep::Feature::Date { .. } => {
                    prep::date_text(vals.iter().sum::<f64>() / vals.len() as f64)
                }
                prep::Feature::Category { categories, .. } => {
                    let mut counts = vec![0u64; categories.len() + 1];
                    vals.iter()
                        .for_each(|&v| counts[(v as usize).min(categories.len())] += 1);
                    let top = counts
                        .iter()
                        .enumerate()
                        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(&a.0)))
                        .map_or(0, |(i, _)| i);
                    schema.value_text(f, top as f64)
                }
            }
        })
        .collect()
}

/// Which number of a prediction partial dependence averages.
type Pick = Box<dyn Fn(&Prediction) -> Vec<f64>>;

/// Permutation importance (test rows; for clustering, all rows and the
/// agreement with the clusters found) and partial dependence of the top
/// features.
pub fn explain_model(p: &Prepared, chosen: &Chosen) -> Explanation {
    let family = chosen.kind.family();
    let pool: &[u32] = if p.test.is_empty() { &p.train } else { &p.test };
    let rows = super::sample_rows(pool, EXPLAIN_ROWS, p.setup.seed ^ 0x9e37_79b9);
    let raw = prep::take(&p.raw, &rows);
    let truth: Vec<f64> = rows.iter().map(|&r| p.y[r as usize]).collect();
    let predict = |cols: &[Vec<f64>]| chosen.model.predict(&chosen.encoder.encode(cols, family));
    let clusters: Vec<f64> = predict(&raw).point();
    let score = |cols: &[Vec<f64>]| -> f64 {
        let pred = predict(cols);
        match p.setup.task {
            Task::Clustering => {
                let pt = pred.point();
                pt.iter().zip(&clusters).filter(|(a, b)| a == b).count() as f64
                    / pt.len().max(1) as f64
            }
            _ => p.scores_of(&truth, &pred).main().unwrap_or(0.0),
        }
    };
    let imp = explain::permutation_importance(&raw, &score, REPEATS, p.setup.seed);
    let mut importance: Vec<(String, f64, f64)> = imp
        .iter()
        .map(|i| {
            (
                p.schema.features[i.feature].name().to_string(),
                i.mean,
                i.std,
            )
        })
        .collect();
    importance.sort_by(|a, b| b.1.total_cmp(&a.1));
    let (of, pick): (String, Pick) = match (&p.target, p.setup.task.clone()) {
        (Some(Target::Classes { classes, name }), _) => {
            let c = if classes.len() == 2 { 1 } else { 0 };
            (
                format!("probability that {name} is '{}'", classes[c]),
                Box::new(move |pr: &Prediction| match pr {
                    Prediction::Proba(pp) => pp.iter().map(|r| r[c]).collect(),
                    other => other.point(),
                }),
            )
        }
        (Some(t), _) => (
            format!("predicted {}", t.name()),
            Box::new(|pr: &Prediction| pr.point()),
        ),
        (None, _) => (
            "cluster".to_string(),
            Box::new(|pr: &Prediction| pr.point()),
        ),
    };
    let dependence = if p.setup.task == Task::Clustering {
        Vec::new()
    } else {
        importance
            .iter()
            .take(PD_FEATURES)
            .filter_map(|(name, _, _)| {
                let f = p.schema.features.iter().position(|x| x.name() == name)?;
                let grid = explain::grid(&raw[f], 20);
                if grid.len() < 2 {
                    return None;
                }
                let mean = explain::partial_dependence(&raw, f, &grid, &|cols: &[Vec<f64>]| {
                    pick(&predict(cols))
                });
                Some(Dependence {
                    feature: name.clone(),
                    numeric: !matches!(p.schema.features[f], prep::Feature::Category { .. }),
                    dates: matches!(p.schema.features[f], prep::Feature::Date { .. }),
                    labels: grid
                        .iter()
                        .map(|&v| match &p.schema.features[f] {
                            prep::Feature::Number { .. } => crate::core::format::num(v),
                            _ => p.schema.value_text(f, v),
                        })
                        .collect(),
                    values: grid,
                    mean,
                    of: of.clone(),
                })
            })
            .collect()
    };
    Explanation {
        importance,
        dependence,
    }
}

/// Everything the page shows of a run (and stores with a model version).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Board {
    pub setup: Setup,
    /// Rows with a target, and the split sizes.
    pub rows: usize,
    pub train_rows: usize,
    pub test_rows: usize,
    /// The classes in code order (classification).
    pub classes: Vec<String>,
    /// Rows of each class, in the order of `classes`.
    #[serde(default)]
    pub class_counts: Vec<usize>,
    /// Ranked, best first.
    pub entries: Vec<Entry>,
    pub best: Option<ModelKind>,
    pub progress: Option<Progress>,
    pub explanation: Option<Explanation>,
    /// The preprocessing of the best model as recipe steps (training
    /// statistics written in).
    pub prep: Vec<crate::core::clean::Step>,
    /// A test row's features as text, to start the what-if form from.
    pub example: Vec<String>,
    pub finished: bool,
    pub cancelled: bool,
    /// Features asked for but left out (past
    /// [`super::task::MAX_FEATURES`]), with the reason.
    #[serde(default)]
    pub left_out: Vec<super::task::Excluded>,
    /// Per feature, the input the what-if form offers (empty on boards
    /// saved before it existed: text inputs then).
    #[serde(default)]
    pub inputs: Vec<InputSpec>,
}

impl Board {
    /// Whether the run is still going (neither finished nor stopped).
    pub fn running(&self) -> bool {
        !self.finished && !self.cancelled
    }
}

/// A prediction for one row (the what-if form).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WhatIf {
    /// "yes", "1,234.5", "cluster 2".
    pub headline: String,
    /// Per class its probability (classification), best first.
    pub proba: Vec<(String, f64)>,
    /// The prediction as a number: the value (regression) or the
    /// probability of the headline class (classification).
    #[serde(default)]
    pub value: Option<f64>,
    /// What was wrong with the typed inputs (the prediction read those as
    /// missing, or an unknown category as "other").
    #[serde(default)]
    pub notes: Vec<super::prep::CellNote>,
}

/// The input the what-if form offers for a feature, from the training
/// rows: a number or date within their range, or one of their categories.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputSpec {
    Number {
        min: f64,
        max: f64,
    },
    /// ISO dates.
    Date {
        min: String,
        max: String,
    },
    Category {
        values: Vec<String>,
    },
}

/// The what-if inputs of `p`'s features, from its training rows.
fn input_specs(p: &Prepared) -> Vec<InputSpec> {
    use super::prep::{date_text, Feature};
    p.schema
        .features
        .iter()
        .enumerate()
        .map(|(f, feature)| {
            let (lo, hi) = p
                .train
                .iter()
                .filter_map(|&r| p.raw.get(f)?.get(r as usize).copied())
                .filter(|v| v.is_finite())
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                    (lo.min(v), hi.max(v))
                });
            let (lo, hi) = if lo <= hi {
                (lo, hi)
            } else {
                (f64::NAN, f64::NAN)
            };
            match feature {
                Feature::Number { .. } => InputSpec::Number { min: lo, max: hi },
                Feature::Date { .. } => InputSpec::Date {
                    min: date_text(lo.floor()),
                    max: date_text(hi.floor()),
                },
                Feature::Category { categories, .. } => InputSpec::Category {
                    values: categories.clone(),
                },
            }
        })
        .collect()
}

impl Run {
    pub fn board(&self) -> Board {
        let p = &self.prepared;
        let best = self.best().map(|e| e.model);
        let family = best.map_or(Family::Trees, ModelKind::family);
        let example_row = p.test.first().or(p.train.first()).copied().unwrap_or(0) as usize;
        let example = (0..p.schema.features.len())
            .map(|f| {
                p.raw
                    .get(f)
                    .and_then(|c| c.get(example_row))
                    .map_or(String::new(), |&v| p.schema.value_text(f, v))
            })
            .collect();
        Board {
            setup: p.setup.clone(),
            rows: p.rows.len(),
            train_rows: p.train.len(),
            test_rows: p.test.len(),
            classes: match &p.target {
                Some(Target::Classes { classes, .. }) => classes.clone(),
                _ => Vec::new(),
            },
            class_counts: match &p.target {
                Some(Target::Classes { classes, .. }) => {
                    let mut n = vec![0; classes.len()];
                    for &y in &p.y {
                        if let Some(c) = n.get_mut(y as usize) {
                            *c += 1;
                        }
                    }
                    n
                }
                _ => Vec::new(),
            },
            entries: self.ranked().into_iter().cloned().collect(),
            best,
            progress: None,
            explanation: self.explanation.clone(),
            prep: self
                .chosen()
                .map(|c| c.encoder.steps(&p.schema, family))
                .unwrap_or_default(),
            example,
            finished: self.is_done(),
            cancelled: false,
            left_out: p.left_out.clone(),
            inputs: input_specs(p),
        }
    }

    /// Model `kind` with its preprocessing, if trained.
    pub fn scorer(&self, kind: ModelKind) -> Option<Scorer<'_>> {
        let chosen = self.model_of(kind)?;
        let p = &self.prepared;
        Some(Scorer {
            kind,
            schema: &p.schema,
            target: p.target.as_ref().map_or("cluster", |t| t.name()),
            classes: match &p.target {
                Some(Target::Classes { classes, .. }) => classes,
                _ => &[],
            },
            encoder: chosen.encoder,
            model: chosen.model,
        })
    }

    /// Model `kind` as a saved model (scores on its own).
    pub fn saved(&self, kind: ModelKind) -> Option<SavedModel> {
        Some(self.scorer(kind)?.to_saved(&self.prepared.setup))
    }

    /// Model `kind`'s saved byte form ([`SavedModel::to_bytes`]), written
    /// from the run's own model without copying it.
    pub fn model_bytes(&self, kind: ModelKind) -> Option<Vec<u8>> {
        Some(self.scorer(kind)?.to_bytes(&self.prepared.setup))
    }

    /// The prediction of model `kind` for one row given as text.
    pub fn what_if(&self, kind: ModelKind, cells: &[String]) -> Option<WhatIf> {
        Some(self.scorer(kind)?.what_if(cells))
    }

    /// Scores a new dataset (already through the recipe) with model
    /// `kind`: the predicted value per row, and per class probabilities.
    pub fn predict(&self, kind: ModelKind, ds: &Dataset) -> Result<Scored, PrepError> {
        let scorer = self.scorer(kind).ok_or_else(|| PrepError::MissingColumn {
            column: kind.name().to_string(),
        })?;
        scorer.predict(ds)
    }
}

/// Predicted columns for a scored file: (name, text per row).
#[derive(Clone, Debug, PartialEq)]
pub struct Scored {
    pub columns: Vec<(String, Vec<String>)>,
    pub rows: usize,
}
