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
}

/// About one value per row: a row number, an id, a key.
pub fn identifier_like(c: &ColumnProfile) -> bool {
    matches!(c.dtype, ColumnType::Integer | ColumnType::String)
        && c.count > 20
        && c.distinct == c.count
}

fn words(name: &str) -> Vec<String> {
    name.split(|ch: char| !ch.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn can_be_target(c: &ColumnProfile) -> bool {
    !identifier_like(c)
        && !matches!(c.dtype, ColumnType::Date | ColumnType::Datetime)
        && c.distinct >= 2
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
        ColumnType::Boolean | ColumnType::String => Ok(Task::Classification),
        ColumnType::Integer if c.distinct <= MAX_INTEGER_CLASSES => Ok(Task::Classification),
        ColumnType::Integer | ColumnType::Float => Ok(Task::Regression),
        ColumnType::Date | ColumnType::Datetime => Err(TargetError::NotPredictable {
            column: name.to_string(),
            kind: c.dtype.as_str().to_string(),
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
/// constant and all-missing ones.
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
    (kept, out)
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
