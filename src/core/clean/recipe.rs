//! Recipes: an ordered, versioned list of steps, serialised as JSON, and
//! running one on a dataset with a processing log.

use serde::{Deserialize, Serialize};

use super::apply::{apply, StepReport};
use super::step::Step;
use super::step_text::step_from_value;
use super::CleanError;
use crate::core::ingest::Dataset;

/// The recipe format written by this version. 2: `merge_values` holds
/// every group of spellings of its column (`groups`), and `transform`
/// exists. Version 1 recipes read unchanged (one group per merge).
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recipe {
    pub schema_version: u32,
    pub steps: Vec<Step>,
}

impl Default for Recipe {
    fn default() -> Self {
        Recipe {
            schema_version: SCHEMA_VERSION,
            steps: Vec::new(),
        }
    }
}

impl Recipe {
    pub fn new(steps: Vec<Step>) -> Recipe {
        Recipe {
            schema_version: SCHEMA_VERSION,
            steps,
        }
    }

    /// Reads a recipe file, checking its schema version.
    pub fn from_json(text: &str) -> Result<Recipe, CleanError> {
        #[derive(Deserialize)]
        struct Version {
            schema_version: Option<u32>,
        }
        let version: Version = serde_json::from_str(text).map_err(|e| CleanError::BadRecipe {
            message: format!("it is not a recipe file ({e})"),
        })?;
        match version.schema_version {
            None => {
                return Err(CleanError::BadRecipe {
                    message: "it has no schema_version".to_string(),
                })
            }
            Some(v) if v > SCHEMA_VERSION => {
                return Err(CleanError::BadRecipe {
                    message: format!(
                        "it was written by a newer Plainsight (recipe version {v}; this one reads up to {SCHEMA_VERSION})"
                    ),
                })
            }
            Some(_) => {}
        }
        #[derive(Deserialize)]
        struct Steps {
            steps: Vec<serde_json::Value>,
        }
        let Steps { steps } = serde_json::from_str(text).map_err(|e| CleanError::BadRecipe {
            message: format!("it has no list of steps ({e})"),
        })?;
        let steps = steps
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                step_from_value(v).map_err(|error| CleanError::BadStepText { step: i + 1, error })
            })
            .collect::<Result<Vec<Step>, CleanError>>()?;
        Ok(Recipe::new(steps))
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// One run of a recipe: rows in and out, and what each step did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunLog {
    /// When it ran (ISO 8601), filled in by the caller (the core has no clock).
    #[serde(default)]
    pub at: String,
    pub rows_in: u64,
    pub rows_out: u64,
    pub columns_in: u64,
    pub columns_out: u64,
    pub steps: Vec<StepReport>,
}

impl RunLog {
    /// `steps` (the recipe this log ran) with what they fitted written in:
    /// the same result on this data, and no refitting on another file.
    pub fn fitted_steps(&self, steps: &[Step]) -> Vec<Step> {
        steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                self.steps
                    .get(i)
                    .and_then(|r| r.fitted.clone())
                    .unwrap_or_else(|| s.clone())
            })
            .collect()
    }
}

/// Where each cell of a recipe's result came from in the raw data.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lineage {
    /// The raw row of each row of the result.
    pub rows: Vec<u32>,
    /// The raw column of each column of the result (through renames);
    /// None for a column a step made (one-hot, date parts, flags).
    pub columns: Vec<Option<usize>>,
}

/// Runs `steps` in order on a copy of `ds`. The first step that cannot run
/// stops the run with its error (placed at its 1-based position).
pub fn run(ds: &Dataset, steps: &[Step]) -> Result<(Dataset, RunLog), CleanError> {
    run_traced(ds, steps).map(|(out, log, _)| (out, log))
}

/// [`run`], with the [`Lineage`] of the result (for the page's grid of the
/// cleaned data, which marks the cells a recipe changed).
///
/// Bound: one pass over the row numbers per step that removes rows, and a
/// hash of the names per step.
pub fn run_traced(ds: &Dataset, steps: &[Step]) -> Result<(Dataset, RunLog, Lineage), CleanError> {
    let mut out = ds.clone();
    let mut log = RunLog {
        rows_in: ds.height() as u64,
        columns_in: ds.width() as u64,
        ..RunLog::default()
    };
    let mut lineage = Lineage {
        rows: (0..ds.height() as u32).collect(),
        columns: (0..ds.width()).map(Some).collect(),
    };
    for (i, step) in steps.iter().enumerate() {
        let names_before = out.names();
        let mut report = apply(&mut out, step).map_err(|e| e.at_step(i + 1))?;
        if let Some(kept) = report.kept.take() {
            let mut k = kept.iter();
            lineage.rows.retain(|_| k.next().copied().unwrap_or(false));
        }
        lineage.columns = match step {
            // Renames keep each column in its place.
            Step::Rename { .. } | Step::NormaliseNames => lineage.columns,
            _ => {
                let at: std::collections::HashMap<&String, usize> = names_before
                    .iter()
                    .enumerate()
                    .map(|(j, n)| (n, j))
                    .collect();
                out.names()
                    .iter()
                    .map(|n| {
                        at.get(n)
                            .and_then(|&j| lineage.columns.get(j).copied().flatten())
                    })
                    .collect()
            }
        };
        log.steps.push(report);
    }
    log.rows_out = out.height() as u64;
    log.columns_out = out.width() as u64;
    Ok((out, log, lineage))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::clean::transform::{fit_yeo_johnson, Transform};

    /// A Yeo-Johnson step without λ fits it once: the fitted steps hold
    /// it, give the same result, and another file gets the same transform
    /// instead of a λ of its own.
    #[test]
    fn fitted_lambda_is_written_into_the_recipe() {
        let read = |text: &str| crate::core::read_bytes("s.csv", text.as_bytes()).unwrap();
        let skewed = read("x\n1\n2\n2\n3\n3\n3\n4\n8\n20\n90\n");
        let steps = vec![Step::Transform {
            column: "x".into(),
            transform: Transform::YeoJohnson { lambda: None },
        }];
        let (out, log) = run(&skewed, &steps).unwrap();
        let fitted = log.fitted_steps(&steps);
        let xs = [1.0, 2.0, 2.0, 3.0, 3.0, 3.0, 4.0, 8.0, 20.0, 90.0];
        let lambda = fit_yeo_johnson(&xs).unwrap();
        assert_eq!(
            fitted,
            vec![Step::Transform {
                column: "x".into(),
                transform: Transform::yeo_johnson(lambda),
            }]
        );
        let (again, log2) = run(&skewed, &fitted).unwrap();
        assert!(again.frame.equals_missing(&out.frame));
        assert!(
            log2.steps[0].fitted.is_none(),
            "a given λ is not fitted again"
        );
        // Another file: the recipe's λ, not one fitted on it.
        let other = read("x\n5\n6\n7\n");
        let (scored, _) = run(&other, &fitted).unwrap();
        let want = Transform::yeo_johnson(lambda).of(6.0);
        let got = crate::core::clean::values::Values::of(&scored, 0)
            .and_then(|v| v.numbers())
            .unwrap();
        assert_eq!(got[1], Some(want));
    }
}
