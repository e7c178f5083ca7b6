//! Machine learning on tables: one histogram-based tree learner serving
//! classification and regression trees, the random forest and gradient
//! boosting (the design of LightGBM and scikit-learn's
//! `HistGradientBoosting*`).
//!
//! - [`bins`]: features pre-binned once per dataset into at most 255 value
//!   bins (quantiles, or the distinct values when fewer) plus a missing bin.
//! - [`tree`]: the learner. Split search over per-bin histograms of
//!   statistics (class weights for Gini, weighted sums for squared error,
//!   gradient and hessian sums for boosting); random feature subsets per
//!   split; the histogram of the larger child derived as parent minus the
//!   smaller child (the subtraction trick); a learnt default direction for
//!   missing values at every split.
//! - [`forest`]: random forests (bootstrap, scikit-learn's defaults).
//! - [`boost`]: gradient boosting (squared error, binary log loss, softmax).
//! - [`task`]: the suggested target, the task, the features and the
//!   leakage guard.
//! - [`prep`]: columns to model input (categories, missing values,
//!   scaling), fitted on the training rows only.
//! - [`models`]: every model on the leaderboard and the library that fits
//!   it (linfa for the linear models and naive Bayes; [`kmeans`] and
//!   [`knn`] ours, over [`distance`]'s tiles).
//! - [`split`]: seeded train/test splits and k-fold cross-validation,
//!   optionally stratified by class.
//! - [`metrics`]: evaluation metrics as scikit-learn defines them
//!   (classification, regression, the silhouette of a clustering).
//! - [`explain`]: permutation importance and partial dependence of any
//!   model given as a closure.
//! - [`saved`]: a fitted model with its preprocessing, alone, and its
//!   byte form (saved model versions).
//! - [`guard`]: the warnings of a finished leaderboard (leakage, few
//!   rows or few of a class, undefined folds, nothing beats the baseline).
//! - [`automl`]: the leaderboard (cross-validation, test scores, time
//!   budget, one job at a time), the best model's explanation, what-if
//!   and scoring new files.
//!
//! Features are columns of `f64` (`NaN` = missing); classes are `u32`
//! labels `0..n_classes`. Everything is seeded and reproducible.

pub mod automl;
pub mod bins;
pub mod boost;
pub mod distance;
pub mod explain;
pub mod forest;
pub mod guard;
pub mod kmeans;
pub mod knn;
pub mod metrics;
pub mod models;
pub mod prep;
pub mod saved;
pub mod score;
pub mod speed;
pub mod split;
pub mod task;
pub mod tree;

use serde::{Deserialize, Serialize};

/// Why a model cannot be fitted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum MlError {
    /// No rows, or no feature columns.
    Empty { rows: usize, features: usize },
    /// A column, target or weight vector whose length differs from the
    /// number of rows; `what` names it ("feature 3", "targets", …).
    LengthMismatch {
        what: String,
        expected: usize,
        actual: usize,
    },
    /// The training rows hold a single class: there is nothing to learn.
    OneClass { class: u32 },
    /// A class label at or above the declared number of classes.
    BadClass {
        row: usize,
        class: u32,
        n_classes: usize,
    },
    /// A training row index beyond the data.
    BadRow { row: usize, rows: usize },
    /// A target that is not a finite number (regression, boosting).
    BadTarget { row: usize },
    /// A parameter outside its range: which one, its value and why.
    BadParam {
        name: &'static str,
        value: String,
        why: &'static str,
    },
    /// The library fitting `model` failed (linfa's message).
    Library { model: String, message: String },
    /// More input columns than `model` handles within its bound.
    TooWide {
        model: String,
        columns: usize,
        limit: usize,
    },
}

impl std::fmt::Display for MlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MlError::Empty { rows, features } => {
                write!(f, "nothing to learn from: {rows} rows, {features} features")
            }
            MlError::LengthMismatch {
                what,
                expected,
                actual,
            } => write!(f, "{what} has {actual} values, expected {expected}"),
            MlError::OneClass { class } => {
                write!(f, "the training rows hold one class only ({class})")
            }
            MlError::BadClass {
                row,
                class,
                n_classes,
            } => write!(f, "row {row} has class {class}, not below {n_classes}"),
            MlError::BadRow { row, rows } => write!(f, "row {row} is beyond the {rows} rows"),
            MlError::BadTarget { row } => write!(f, "row {row} has no finite target"),
            MlError::BadParam { name, value, why } => {
                write!(f, "parameter {name} = {value}: {why}")
            }
            MlError::Library { model, message } => write!(f, "{model} failed: {message}"),
            MlError::TooWide {
                model,
                columns,
                limit,
            } => write!(f, "{model} takes at most {limit} columns, not {columns}"),
        }
    }
}

impl std::error::Error for MlError {}

pub(crate) fn bad_param(name: &'static str, value: impl ToString, why: &'static str) -> MlError {
    MlError::BadParam {
        name,
        value: value.to_string(),
        why,
    }
}

pub(crate) use crate::core::rng::Rng;

/// At most `max` of `rows`: a seeded sample (partial Fisher–Yates), in
/// ascending order; all of them when there are no more than `max`.
pub fn sample_rows(rows: &[u32], max: usize, seed: u64) -> Vec<u32> {
    if rows.len() <= max {
        return rows.to_vec();
    }
    let mut v = rows.to_vec();
    let mut rng = Rng::new(seed);
    for i in 0..max {
        let j = i + rng.below(v.len() - i);
        v.swap(i, j);
    }
    v.truncate(max);
    v.sort_unstable();
    v
}

/// Checks that every row index is below `rows` and the list is not empty.
pub(crate) fn check_rows(train: &[u32], rows: usize, features: usize) -> Result<(), MlError> {
    if train.is_empty() || features == 0 {
        return Err(MlError::Empty {
            rows: train.len(),
            features,
        });
    }
    if let Some(&r) = train.iter().find(|&&r| r as usize >= rows) {
        return Err(MlError::BadRow {
            row: r as usize,
            rows,
        });
    }
    Ok(())
}
