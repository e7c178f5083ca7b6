//! Scoring a new file: the one pipeline the CLI (`plainsight predict`) and
//! the worker (`Ask::Predict`) both run — the recipe the model learnt
//! after, then the model — giving the file's columns with the predictions.

use crate::core::clean::recipe::run;
use crate::core::clean::{CleanError, Step};
use crate::core::ml::prep::PrepError;
use crate::core::ml::saved::{add_predictions, Scorer};
use crate::core::Dataset;

/// Why a file cannot be scored.
#[derive(Clone, Debug, PartialEq)]
pub enum ScoreError {
    /// The recipe cannot run on the new file.
    Recipe(CleanError),
    /// The file lacks what the model reads.
    Prep(PrepError),
    /// The predictions could not be added as columns.
    Columns(String),
}

impl std::fmt::Display for ScoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScoreError::Recipe(e) => write!(f, "recipe: {e:?}"),
            ScoreError::Prep(e) => write!(f, "model input: {e:?}"),
            ScoreError::Columns(m) => write!(f, "prediction columns: {m}"),
        }
    }
}

impl std::error::Error for ScoreError {}

/// `data` after `steps`, scored by `scorer`: the rows scored and the data
/// with `predicted_<target>` (and `probability_<class>`) columns added.
pub fn score(
    scorer: Scorer,
    data: Dataset,
    steps: &[Step],
) -> Result<(usize, Dataset), ScoreError> {
    let mut ds = if steps.is_empty() {
        data
    } else {
        run(&data, steps).map_err(ScoreError::Recipe)?.0
    };
    let scored = scorer.predict(&ds).map_err(ScoreError::Prep)?;
    let rows = scored.rows;
    add_predictions(&mut ds, scored).map_err(ScoreError::Columns)?;
    Ok((rows, ds))
}
