//! What a finished leaderboard should warn of before anyone trusts it:
//! a feature that alone explains the target (leakage), too few rows or too
//! few of a class for the scores to mean much, folds where the metric is
//! undefined, and no model better than the baseline. One function over the
//! board, so the page and the CLI warn alike.

use serde::{Deserialize, Serialize};

use super::automl::Board;
use super::models::ModelKind;
use super::task::Task;

/// Fewer rows with a target than this: scores vary a lot between splits.
pub const FEW_ROWS: usize = 100;
/// Fewer rows of a class than this: its test and fold shares are a handful.
pub const FEW_PER_CLASS: usize = 10;
/// A feature whose importance is at least this many times the next one's
/// (and at least [`LEAK_MIN`]) carries the answer on its own.
pub const LEAK_RATIO: f64 = 10.0;
/// The smallest importance (in the main metric's units) called a leak.
pub const LEAK_MIN: f64 = 0.05;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ModelWarning {
    /// One feature's permutation importance dwarfs all others'.
    Leakage {
        feature: String,
        importance: f64,
        /// The next largest importance (0 when it is not positive).
        next: f64,
    },
    FewRows {
        rows: usize,
    },
    /// Classes with fewer than [`FEW_PER_CLASS`] rows, with their counts.
    FewPerClass {
        classes: Vec<(String, usize)>,
    },
    /// Folds (numbered from 1) where the main metric is undefined for some
    /// model: the target takes one value there.
    ConstantFold {
        folds: Vec<usize>,
    },
    /// No model beats the baseline (a constant guess) by more than the
    /// spread of its own scores between folds: `model` is the best one
    /// (its label), `margin` its lead in cross-validated score (≤ 0 when
    /// the baseline ranks first).
    BaselineBest {
        model: String,
        margin: f64,
    },
}

impl ModelWarning {
    /// The `data-kind` of the page's `model-warning`.
    pub fn kind(&self) -> &'static str {
        match self {
            ModelWarning::Leakage { .. } => "leakage",
            ModelWarning::FewRows { .. } => "few-rows",
            ModelWarning::FewPerClass { .. } => "few-per-class",
            ModelWarning::ConstantFold { .. } => "constant-fold",
            ModelWarning::BaselineBest { .. } => "baseline-best",
        }
    }
}

/// The warnings of `board` (the data ones as soon as it starts; the
/// importance and baseline ones once it has an explanation or a winner).
pub fn warnings(board: &Board) -> Vec<ModelWarning> {
    let mut out = Vec::new();
    if board.setup.task == Task::Clustering {
        return out;
    }
    if let Some(top) = board.explanation.as_ref().map(|x| &x.importance) {
        if let [(feature, importance, _), rest @ ..] = top.as_slice() {
            let next = rest.iter().map(|(_, v, _)| *v).fold(0.0f64, f64::max);
            if !rest.is_empty()
                && importance.is_finite()
                && *importance >= LEAK_MIN
                && *importance >= LEAK_RATIO * next.max(LEAK_MIN / LEAK_RATIO)
            {
                out.push(ModelWarning::Leakage {
                    feature: feature.clone(),
                    importance: *importance,
                    next,
                });
            }
        }
    }
    if board.rows < FEW_ROWS {
        out.push(ModelWarning::FewRows { rows: board.rows });
    }
    let few: Vec<(String, usize)> = board
        .classes
        .iter()
        .zip(&board.class_counts)
        .filter(|(_, n)| **n < FEW_PER_CLASS)
        .map(|(c, n)| (c.clone(), *n))
        .collect();
    if !few.is_empty() {
        out.push(ModelWarning::FewPerClass { classes: few });
    }
    let mut folds: Vec<usize> = board
        .entries
        .iter()
        .flat_map(|e| {
            e.cv.iter()
                .enumerate()
                .filter(|(_, v)| !v.is_finite())
                .map(|(i, _)| i + 1)
        })
        .collect();
    folds.sort_unstable();
    folds.dedup();
    if !folds.is_empty() {
        out.push(ModelWarning::ConstantFold { folds });
    }
    if board.finished {
        let baseline = board
            .entries
            .iter()
            .find(|e| e.model == ModelKind::Baseline);
        let best = board
            .entries
            .iter()
            .filter(|e| e.model != ModelKind::Baseline)
            .filter_map(|e| Some((e, finite_mean(&e.cv)?)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let (Some(base), Some((best, score))) = (baseline.and_then(|b| finite_mean(&b.cv)), best)
        {
            let margin = score - base;
            if margin <= MIN_LEAD.max(finite_std(&best.cv)) {
                out.push(ModelWarning::BaselineBest {
                    model: best.label.clone(),
                    margin,
                });
            }
        }
    }
    out
}

/// The smallest lead over the baseline that counts as learning something
/// (in the main metric's units), whatever the folds' spread.
pub const MIN_LEAD: f64 = 0.01;

/// The mean of the finite values of `v` (undefined folds left out).
fn finite_mean(v: &[f64]) -> Option<f64> {
    let (sum, n) = v
        .iter()
        .filter(|x| x.is_finite())
        .fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The standard deviation of the finite values of `v` (0 when none).
fn finite_std(v: &[f64]) -> f64 {
    let Some(m) = finite_mean(v) else { return 0.0 };
    let (sq, n) = v
        .iter()
        .filter(|x| x.is_finite())
        .fold((0.0, 0usize), |(s, n), x| (s + (x - m).powi(2), n + 1));
    (sq / n as f64).sqrt()
}
