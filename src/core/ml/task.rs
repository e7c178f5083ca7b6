//! What to learn: the suggested target column, the task it makes, the
//! feature columns (identifiers left out, with the reason) and the leakage
//! guard (a feature that alone predicts the target almost perfectly).

use serde::{Deserialize, Serialize};

use crate::core::explore::correlate::Correlations;
use crate::core::model::{ColumnProfile, ColumnType, DatasetProfile};

/// Names that say "this is what to predict" (whole words of the name).
const TARGET_WORDS: [&str; 11] = [
    "target", "label", "class", "outcome", "churn", "churned", "price", "sales", "y", "survived",
    "default",
];

/// Integer targets with at most this many distinct values are classes.
pub const MAX_INTEGER_CLASSES: u64 = 20;

/// Most feature columns a model learns from. Explaining a model refits
/// nothing but predicts once per feature and repeat (permutation
/// importance) and per grid value (partial dependence), and a model's
/// input grows with its features (one-hot: up to 21 columns each): 100
/// features keep every job within a constant factor of the rows. Past it
/// the first usable columns in file order are kept; the others are left
/// out with the reason ([`features`], [`cap_features`]).
pub const MAX_FEATURES: usize = 100;

/// Most classes a target may have. Class probabilities are rows × classes
/// and every tree leaf holds one per class, so a text column with a
/// value per few rows would make a model quadratic in the rows.
pub const MAX_CLASSES: u64 = 100;

/// An association with the target at or above this alone predicts it:
/// the leakage guard warns.
pub const LEAKAGE: f64 = 0.98;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Task {
    Classification,
    Regression,
    /// No target: group the rows.
    Clustering,
}

impl Task {
    /// The metric the leaderboard is sorted by (higher is better).
    pub fn main_metric(&self) -> &'static str {
        match self {
            Task::Classification => "accuracy",
            Task::Regression => "r2",
            Task::Clustering => "silhouette",
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Task::Classification => "classification",
            Task::Regression => "regression",
            Task::Clustering => "clustering",
        }
    }
}

/// Why a column cannot be the target.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum TargetError {
    UnknownColumn {
        name: String,
    },
    /// Dates are not predicted here.
    NotPredictable {
        column: String,
        kind: String,
    },
    /// All missing, or one value only: nothing to learn.
    NoVariation {
        column: String,
    },
    /// More classes than [`MAX_CLASSES`].
    TooManyClasses {
        column: String,
        classes: u64,
        limit: u64,
    },
}

/// About one value per row: a row number, an id, a key.
pub fn identifier_like(c: &ColumnProfile) -> bool {
    matches!(c.dtype, ColumnType::Integer | ColumnType::String)
        && c.count > 20
        && c.distinct == c.count
}

/// Words of outcomes analysts predict besides [`TARGET_WORDS`]: a column
/// named with one looks like a target, so the cleaning does not prepare
/// it (capping, encoding, scaling) or remove it without asking.
const OUTCOME_WORDS: [&str; 8] = [
    "revenue",
    "profit",
    "income",
    "converted",
    "conversion",
    "conversions",
    "result",
    "response",
];

/// Whether a column's name says it is what a model would predict.
pub fn looks_like_target(name: &str) -> bool {
    words(name)
        .iter()
        .any(|w| TARGET_WORDS.contains(&w.as_str()) || OUTCOME_WORDS.contains(&w.as_str()))
}

fn words(name: &str) -> Vec<String> {
    name.split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn can_be_target(c: &ColumnProfile) -> bool {
    // Classes must recur to be learnt: at least two rows per class on
    // average (Debian's release list has a version per row, nearly).
    let classes = match c.dtype {
        ColumnType::Boolean | ColumnType::String => true,
        ColumnType::Integer => c.distinct <= MAX_INTEGER_CLASSES,
        _ => false,
    };
    !identifier_like(c)
        && !matches!(c.dtype, ColumnType::Date | ColumnType::Datetime)
        && c.distinct >= 2
        && (c.dtype.is_numeric() || c.distinct <= MAX_CLASSES)
        && (!classes || c.distinct * 2 <= c.count)
}

/// The target to suggest: the first column named like one (target, label,
/// class, outcome, churn, price, sales, …), else the last column; never an
/// identifier-like, date or constant column (then the one before it).
pub fn suggest_target(p: &DatasetProfile) -> Option<String> {
    let cols = &p.column_profiles;
    cols.iter()
        .find(|c| {
            can_be_target(c)
                && words(&c.name)
                    .iter()
                    .any(|w| TARGET_WORDS.contains(&w.as_str()))
        })
        .or_else(|| cols.iter().rev().find(|c| can_be_target(c)))
        .map(|c| c.name.clone())
}

/// The task a target makes: classes for booleans, text and integers with
/// few values; regression for other numbers; clustering without a target.
pub fn detect_task(p: &DatasetProfile, target: Option<&str>) -> Result<Task, TargetError> {
    let Some(name) = target else {
        return Ok(Task::Clustering);
    };
    let c = p
        .column_profiles
        .iter()
        .find(|c| c.name == name)
        .ok_or_else(|| TargetError::UnknownColumn {
            name: name.to_string(),
        })?;
    if c.distinct < 2 {
        return Err(TargetError::NoVariation {
            column: name.to_string(),
        });
    }
    match c.dtype {
        ColumnType::Boolean | ColumnType::String if c.distinct > MAX_CLASSES => {
            Err(TargetError::TooManyClasses {
                column: name.to_string(),
                classes: c.distinct,
                limit: MAX_CLASSES,
            })
        }
        ColumnType::Boolean | ColumnType::String => Ok(Task::Classification),
        ColumnType::Integer if c.distinct <= MAX_INTEGER_CLASSES => Ok(Task::Classification),
        ColumnType::Integer | ColumnType::Float => Ok(Task::Regression),
        ColumnType::Date | ColumnType::Datetime => Err(TargetError::NotPredictable {
            column: name.to_string(),
            kind: c.dtype.words().to_string(),
        }),
    }
}

/// A column left out of the features, and why (in words).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Excluded {
    pub column: String,
    pub reason: String,
}

/// The feature columns for `target`: every other column but identifiers,
/// constant and all-missing ones, at most [`MAX_FEATURES`] of them.
pub fn features(p: &DatasetProfile, target: Option<&str>) -> (Vec<String>, Vec<Excluded>) {
    let (mut kept, mut out) = (Vec::new(), Vec::new());
    for c in &p.column_profiles {
        if Some(c.name.as_str()) == target {
            continue;
        }
        let reason = if identifier_like(c) {
            Some(format!(
                "a different value in every row ({} of {}): an identifier, which would let a model memorise rows",
                c.distinct, c.count
            ))
        } else if c.count == 0 {
            Some("every value is missing".to_string())
        } else if c.distinct < 2 {
            Some("the same value in every row".to_string())
        } else {
            None
        };
        match reason {
            Some(reason) => out.push(Excluded {
                column: c.name.clone(),
                reason,
            }),
            None => kept.push(c.name.clone()),
        }
    }
    out.extend(cap_features(&mut kept));
    (kept, out)
}

/// Keeps the first [`MAX_FEATURES`] of `features`; the rest, with the
/// reason.
pub fn cap_features(features: &mut Vec<String>) -> Vec<Excluded> {
    let extra = features.split_off(features.len().min(MAX_FEATURES));
    extra
        .into_iter()
        .map(|column| Excluded {
            column,
            reason: format!(
                "past the first {MAX_FEATURES} usable columns: a model learns from at most {MAX_FEATURES}, so that training and explaining it stay quick"
            ),
        })
        .collect()
}

/// A feature that alone predicts the target almost perfectly.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Leak {
    pub feature: String,
    /// "pearson", "cramers_v" or "eta".
    pub method: String,
    pub value: f64,
}

/// Features whose association with `target` is at least [`LEAKAGE`]
/// (|Pearson r| for numbers, Cramér's V for categories, eta across).
pub fn leakage(c: &Correlations, target: &str) -> Vec<Leak> {
    c.top
        .iter()
        .filter(|p| p.method != "spearman" && p.value.abs() >= LEAKAGE)
        .filter_map(|p| {
            let feature = if p.a == target {
                &p.b
            } else if p.b == target {
                &p.a
            } else {
                return None;
            };
            Some(Leak {
                feature: feature.clone(),
                method: p.method.clone(),
                value: p.value,
            })
        })
        .collect()
}

/// The time budget of a run unless the user sets one (page and CLI).
pub const DEFAULT_BUDGET_SECS: f64 = 60.0;
/// The seed of a run unless the user sets one.
pub const DEFAULT_SEED: u64 = 42;

/// How a run on a dataset will learn, decided once for the page and the
/// CLI: the task, the features kept, and those left out with the reason
/// (identifiers, past [`MAX_FEATURES`], and — when correlations are known —
/// columns that leak the target).
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub target: Option<String>,
    pub task: Result<Task, TargetError>,
    pub features: Vec<String>,
    pub excluded: Vec<Excluded>,
    pub leaks: Vec<Leak>,
}

/// The plan for `target` (None: clustering) on data profiled as `p`;
/// `correlations` (of the same columns) turn on the leakage guard.
pub fn plan(p: &DatasetProfile, correlations: Option<&Correlations>, target: Option<&str>) -> Plan {
    let task = detect_task(p, target);
    let (kept, excluded) = features(p, target);
    let leaks = match (correlations, target) {
        (Some(c), Some(t)) => leakage(c, t),
        _ => Vec::new(),
    };
    let features = kept
        .into_iter()
        .filter(|f| !leaks.iter().any(|l| &l.feature == f))
        .collect();
    Plan {
        target: target.map(str::to_string),
        task,
        features,
        excluded,
        leaks,
    }
}

impl Plan {
    /// The run's setup, or why there can be none.
    pub fn setup(&self, seed: u64, budget_secs: f64) -> Result<super::automl::Setup, TargetError> {
        Ok(super::automl::Setup {
            target: self.target.clone(),
            task: self.task.clone()?,
            features: self.features.clone(),
            seed,
            budget_secs,
        })
    }
}
