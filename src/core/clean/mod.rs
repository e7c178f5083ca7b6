//! Cleaning: typed steps ([`step`]), their semantics ([`apply`]), recipes
//! that replay on any file with the same columns ([`recipe`]), the proposed
//! recipe with its evidence ([`auto`]), near-duplicate categories
//! ([`cluster`]) and the exports ([`export`], [`sql`]); a step written by
//! hand is read by [`step_text`].

pub mod apply;
pub mod auto;
pub mod cluster;
pub mod diff;
pub mod export;
pub mod recipe;
pub mod sql;
pub mod step;
pub mod step_text;
pub mod transform;
pub mod values;

use serde::{Deserialize, Serialize};

use crate::core::model::ColumnType;

pub use apply::StepReport;
pub use recipe::{Recipe, RunLog};
pub use step::{Merge, Step, ValueGroup};

/// Most columns one step may create from one column (one-hot: the kept
/// categories plus "other"). Each is a full column of the rows, so the
/// width of the data stays within a constant factor of the input's; the
/// proposer offers one-hot only far below it (`auto`).
pub const MAX_NEW_COLUMNS: usize = 100;

/// Why a step or a recipe could not run. `step` is 1-based (0: not known).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum CleanError {
    /// The step names a column the data does not have (at that point).
    MissingColumn {
        step: usize,
        op: String,
        column: String,
        available: Vec<String>,
    },
    /// The column's type does not fit the operation.
    WrongType {
        step: usize,
        op: String,
        column: String,
        found: ColumnType,
        needs: String,
    },
    /// A parameter out of range or not readable.
    BadParameter {
        step: usize,
        op: String,
        message: String,
    },
    /// A step would create more than `limit` columns from one column (one
    /// per distinct value kept): `columns` is how many it would create.
    TooWide {
        step: usize,
        op: String,
        column: String,
        columns: usize,
        limit: usize,
    },
    /// A recipe file that is not a recipe (JSON, schema version, an unknown
    /// operation).
    BadRecipe {
        message: String,
    },
    /// Step `step` of a recipe file (0: a step edited alone) is not the
    /// settings of a step.
    BadStepText {
        step: usize,
        error: step_text::StepTextError,
    },
    Internal {
        message: String,
    },
}

impl CleanError {
    /// The same error, placed at step `n` (1-based) of a recipe.
    pub fn at_step(mut self, n: usize) -> CleanError {
        match &mut self {
            CleanError::MissingColumn { step, .. }
            | CleanError::WrongType { step, .. }
            | CleanError::BadParameter { step, .. }
            | CleanError::TooWide { step, .. }
            | CleanError::BadStepText { step, .. } => *step = n,
            CleanError::BadRecipe { .. } | CleanError::Internal { .. } => {}
        }
        self
    }
}

impl std::fmt::Display for CleanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Terse, for logs and tests; `crate::messages::clean_error` says it
        // for people.
        match self {
            CleanError::MissingColumn {
                step, op, column, ..
            } => write!(f, "step {step} ({op}): no column {column:?}"),
            CleanError::WrongType {
                step,
                op,
                column,
                found,
                needs,
            } => write!(
                f,
                "step {step} ({op}): {column:?} is {}, needs {needs}",
                found.as_str()
            ),
            CleanError::BadParameter { step, op, message } => {
                write!(f, "step {step} ({op}): {message}")
            }
            CleanError::TooWide {
                step,
                op,
                column,
                columns,
                limit,
            } => write!(
                f,
                "step {step} ({op}): {column:?} would make {columns} columns (limit {limit})"
            ),
            CleanError::BadRecipe { message } => write!(f, "bad recipe: {message}"),
            CleanError::BadStepText { step, error } => write!(f, "step {step}: {error:?}"),
            CleanError::Internal { message } => write!(f, "internal: {message}"),
        }
    }
}

impl std::error::Error for CleanError {}
