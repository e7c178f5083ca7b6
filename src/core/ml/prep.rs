//! From a dataset to numbers a model learns from, fitted on the training
//! rows only and applied unchanged to validation rows and new files.
//!
//! Two layers:
//! - [`Schema`]: which columns are features and how each is read: numbers
//!   (integers, floats, booleans as 0/1, dates as days since 1970) or
//!   categories (text: the [`MAX_CATEGORIES`] most frequent values of the
//!   training rows get codes `0..n`, every other value the code `n`,
//!   "other"); missing cells are `NaN`. The target's classes or kind.
//! - [`Encoder`]: the recipe steps a model family needs, with their
//!   statistics frozen from the training rows: one-hot encoding of
//!   categories for every model; for linear models, k-NN, naive Bayes and
//!   k-means also filling missing numbers with the training median and
//!   standard scaling by the training mean and standard deviation. Trees
//!   take numbers as they are (they learn where missing values go).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::core::clean::step::{Fill, Scaling, Step};
use crate::core::ingest::Dataset;
use crate::core::table::ColumnData;

use super::task::Task;

/// Categories beyond this many (by frequency in the training rows) share
/// one "other" code.
pub const MAX_CATEGORIES: usize = 20;

/// Why a dataset cannot be turned into model input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PrepError {
    /// A column the model needs is not in the data (a new file without it).
    MissingColumn { column: String },
    /// No row has a target value.
    NoTargetRows { column: String },
    /// The target column is numeric text that does not read as numbers.
    TargetNotNumeric { column: String, row: usize },
}

impl std::fmt::Display for PrepError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PrepError::MissingColumn { column } => write!(f, "column '{column}' is missing"),
            PrepError::NoTargetRows { column } => {
                write!(f, "every value of the target '{column}' is missing")
            }
            PrepError::TargetNotNumeric { column, row } => {
                write!(f, "target '{column}' row {row} is not a number")
            }
        }
    }
}

/// A typed what-if value the model cannot read as typed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CellNote {
    NotANumber {
        feature: String,
        text: String,
    },
    NotADate {
        feature: String,
        text: String,
    },
    /// Not among the categories seen in training: read as "other".
    UnknownCategory {
        feature: String,
        text: String,
    },
}

/// How one feature column is read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Feature {
    Number {
        name: String,
    },
    /// A date or date-time, read as days since 1970-01-01 (fractional for
    /// a time of day), shown and typed as ISO text.
    Date {
        name: String,
    },
    Category {
        name: String,
        /// Most frequent first; codes are positions, `len()` = other.
        categories: Vec<String>,
    },
}

impl Feature {
    pub fn name(&self) -> &str {
        match self {
            Feature::Number { name } | Feature::Date { name } | Feature::Category { name, .. } => {
                name
            }
        }
    }
}

/// What is predicted.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// Classes `0..classes.len()` in this order (sorted text of the values).
    Classes {
        name: String,
        classes: Vec<String>,
    },
    Number {
        name: String,
    },
}

impl Target {
    pub fn name(&self) -> &str {
        match self {
            Target::Classes { name, .. } | Target::Number { name } => name,
        }
    }
}

fn column<'a>(ds: &'a Dataset, name: &str) -> Result<ColumnData<'a>, PrepError> {
    ds.names()
        .iter()
        .position(|n| n == name)
        .and_then(|i| ColumnData::of(ds, i))
        .ok_or_else(|| PrepError::MissingColumn {
            column: name.to_string(),
        })
}

/// Date or date-time text (year first, as ISO 8601) as days since
/// 1970-01-01; `NaN` when empty or not a date.
fn date_days(t: &str) -> f64 {
    crate::core::infer::parse_datetime_micros(t.trim(), crate::core::infer::DateOrder::Ymd)
        .map_or(f64::NAN, |us| us as f64 / 86_400_000_000.0)
}

/// Days since 1970-01-01 as ISO text: the date, with the time of day
/// (to the minute) when there is one.
pub fn date_text(days: f64) -> String {
    if !days.is_finite() {
        return String::new();
    }
    let day = days.floor();
    let minutes = ((days - day) * 1440.0).round() as i64;
    let date = crate::core::infer::format_date(day as i32 + (minutes >= 1440) as i32);
    if minutes == 0 || minutes >= 1440 {
        date
    } else {
        format!("{date} {:02}:{:02}", minutes / 60, minutes % 60)
    }
}

/// A cell as a number: numbers, booleans as 0/1, dates as days, text that
/// reads as a number; None otherwise.
fn number(c: &ColumnData, row: usize) -> Option<f64> {
    match c {
        ColumnData::Boolean(b) => b.get(row).map(|v| v as u8 as f64),
        ColumnData::String(s) => s.get(row).and_then(|t| t.trim().parse().ok()),
        _ => c.number(row),
    }
    .filter(|v: &f64| v.is_finite())
}

/// The values of the target column: class codes or numbers, `None` where
/// missing, with the [`Target`] that reads them.
pub fn read_target(
    ds: &Dataset,
    name: &str,
    task: &Task,
) -> Result<(Target, Vec<Option<f64>>), PrepError> {
    let c = column(ds, name)?;
    let n = c.len();
    let values: Vec<Option<f64>>;
    let target = match task {
        Task::Classification => {
            let texts: Vec<Option<String>> = (0..n)
                .map(|r| (!c.is_missing(r)).then(|| c.text(r)))
                .collect();
            let mut classes: Vec<String> = texts.iter().flatten().cloned().collect();
            classes.sort_unstable();
            classes.dedup();
            // Numbers sort as numbers (2 before 10).
            if classes.iter().all(|t| t.parse::<f64>().is_ok()) {
                classes.sort_by(|a, b| {
                    let (a, b) = (a.parse::<f64>().unwrap_or(0.0), b.parse().unwrap_or(0.0));
                    a.total_cmp(&b)
                });
            }
            let code: HashMap<&str, usize> = classes
                .iter()
                .enumerate()
                .map(|(i, t)| (t.as_str(), i))
                .collect();
            values = texts
                .iter()
                .map(|t| t.as_deref().map(|t| code[t] as f64))
                .collect();
            Target::Classes {
                name: name.to_string(),
                classes,
            }
        }
        Task::Regression | Task::Clustering => {
            let mut v = Vec::with_capacity(n);
            for r in 0..n {
                if c.is_missing(r) {
                    v.push(None);
                } else {
                    match number(&c, r) {
                        Some(x) => v.push(Some(x)),
                        None => {
                            return Err(PrepError::TargetNotNumeric {
                                column: name.to_string(),
                                row: r + 1,
                            })
                        }
                    }
                }
            }
            values = v;
            Target::Number {
                name: name.to_string(),
            }
        }
    };
    if values.iter().all(Option::is_none) {
        return Err(PrepError::NoTargetRows {
            column: name.to_string(),
        });
    }
    Ok((target, values))
}

/// The feature columns and how each is read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    pub features: Vec<Feature>,
}

impl Schema {
    /// Reads each of `features` as a number or, for text, as categories
    /// counted on the `train` rows only.
    pub fn fit(ds: &Dataset, features: &[String], train: &[u32]) -> Result<Schema, PrepError> {
        let mut out = Vec::with_capacity(features.len());
        for name in features {
            let c = column(ds, name)?;
            let feature = match c {
                ColumnData::String(s) => {
                    let mut counts: HashMap<&str, u64> = HashMap::new();
                    for &r in train {
                        if let Some(t) = s.get(r as usize) {
                            *counts.entry(t).or_default() += 1;
                        }
                    }
                    let mut ranked: Vec<(&str, u64)> = counts.into_iter().collect();
                    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
                    Feature::Category {
                        name: name.clone(),
                        categories: ranked
                            .into_iter()
                            .take(MAX_CATEGORIES)
                            .map(|(t, _)| t.to_string())
                            .collect(),
                    }
                }
                ColumnData::Date(_) | ColumnData::Datetime(_) => {
                    Feature::Date { name: name.clone() }
                }
                _ => Feature::Number { name: name.clone() },
            };
            out.push(feature);
        }
        Ok(Schema { features: out })
    }

    /// The features of every row of `ds` as columns (`NaN` = missing;
    /// categories as codes). `ds` may be a new file: columns are found by
    /// name and read as the schema says, whatever their type there.
    pub fn read(&self, ds: &Dataset) -> Result<Vec<Vec<f64>>, PrepError> {
        self.features
            .iter()
            .map(|f| {
                let c = column(ds, f.name())?;
                let n = c.len();
                Ok(match f {
                    Feature::Number { .. } => {
                        (0..n).map(|r| number(&c, r).unwrap_or(f64::NAN)).collect()
                    }
                    // A new file may hold the dates as text.
                    Feature::Date { .. } => (0..n)
                        .map(|r| match &c {
                            ColumnData::String(s) => s.get(r).map_or(f64::NAN, date_days),
                            _ => number(&c, r).unwrap_or(f64::NAN),
                        })
                        .collect(),
                    Feature::Category { categories, .. } => {
                        let code: HashMap<&str, usize> = categories
                            .iter()
                            .enumerate()
                            .map(|(i, t)| (t.as_str(), i))
                            .collect();
                        (0..n)
                            .map(|r| {
                                if c.is_missing(r) {
                                    f64::NAN
                                } else {
                                    let t = c.text(r);
                                    *code.get(t.as_str()).unwrap_or(&categories.len()) as f64
                                }
                            })
                            .collect()
                    }
                })
            })
            .collect()
    }

    /// One row's features from text (the what-if form): numbers parsed,
    /// categories looked up; empty or unreadable = missing.
    pub fn row_from_text(&self, cells: &[String]) -> Vec<f64> {
        self.features
            .iter()
            .zip(cells)
            .map(|(f, t)| match f {
                Feature::Number { .. } => t.trim().parse().unwrap_or(f64::NAN),
                Feature::Date { .. } => date_days(t),
                Feature::Category { .. } if t.is_empty() => f64::NAN,
                Feature::Category { categories, .. } => categories
                    .iter()
                    .position(|c| c == t)
                    .unwrap_or(categories.len())
                    as f64,
            })
            .collect()
    }

    /// What is wrong with typed `cells` (one per feature): text that is
    /// not a number or date (read as missing), a category not seen in
    /// training (read as "other").
    pub fn check_text(&self, cells: &[String]) -> Vec<CellNote> {
        self.features
            .iter()
            .zip(cells)
            .filter(|(_, t)| !t.trim().is_empty())
            .filter_map(|(f, t)| {
                let feature = f.name().to_string();
                let text = t.clone();
                match f {
                    Feature::Number { .. } if t.trim().parse::<f64>().is_err() => {
                        Some(CellNote::NotANumber { feature, text })
                    }
                    Feature::Date { .. } if date_days(t).is_nan() => {
                        Some(CellNote::NotADate { feature, text })
                    }
                    Feature::Category { categories, .. } if !categories.contains(t) => {
                        Some(CellNote::UnknownCategory { feature, text })
                    }
                    _ => None,
                }
            })
            .collect()
    }

    /// The text of a raw value of feature `f` (a category's name, a
    /// number), "" when missing.
    pub fn value_text(&self, f: usize, v: f64) -> String {
        if v.is_nan() {
            return String::new();
        }
        match &self.features[f] {
            Feature::Number { .. } => crate::core::clean::step::trim_number(v),
            Feature::Date { .. } => date_text(v),
            Feature::Category { categories, .. } => categories
                .get(v as usize)
                .cloned()
                .unwrap_or_else(|| "(other)".to_string()),
        }
    }
}

/// Which inputs a model takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Numbers as they are, missing kept; categories one-hot.
    Trees,
    /// Missing numbers filled with the training median, numbers scaled to
    /// mean 0 and standard deviation 1; categories one-hot.
    Scaled,
}

/// One feature's frozen preprocessing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Encoding {
    Number {
        median: f64,
        mean: f64,
        std: f64,
    },
    /// Codes `0..levels` to one 0/1 column each (the last is "other");
    /// missing = all zeros. `seen`: which levels the training rows hold;
    /// scaled models get the seen ones but the first (its effect is the
    /// intercept's), so the columns are never collinear.
    OneHot {
        levels: usize,
        seen: Vec<bool>,
    },
}

/// The preprocessing of every feature, fitted on the training rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Encoder {
    pub columns: Vec<Encoding>,
}

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_unstable_by(f64::total_cmp);
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

impl Encoder {
    /// Fits on rows `train` of the raw columns `raw` (from
    /// [`Schema::read`]).
    pub fn fit(schema: &Schema, raw: &[Vec<f64>], train: &[u32]) -> Encoder {
        let columns = schema
            .features
            .iter()
            .zip(raw)
            .map(|(f, col)| match f {
                Feature::Category { categories, .. } => {
                    let levels = categories.len() + 1;
                    let mut seen = vec![false; levels];
                    for &r in train {
                        let v = col[r as usize];
                        if !v.is_nan() {
                            seen[(v as usize).min(levels - 1)] = true;
                        }
                    }
                    Encoding::OneHot { levels, seen }
                }
                Feature::Number { .. } | Feature::Date { .. } => {
                    let present: Vec<f64> = train
                        .iter()
                        .map(|&r| col[r as usize])
                        .filter(|v| !v.is_nan())
                        .collect();
                    let med = median(present);
                    let n = train.len().max(1) as f64;
                    let fill = |v: f64| if v.is_nan() { med } else { v };
                    let mean = train.iter().map(|&r| fill(col[r as usize])).sum::<f64>() / n;
                    let var = train
                        .iter()
                        .map(|&r| (fill(col[r as usize]) - mean).powi(2))
                        .sum::<f64>()
                        / n;
                    let std = if var > 0.0 && var.is_finite() {
                        var.sqrt()
                    } else {
                        1.0
                    };
                    Encoding::Number {
                        median: med,
                        mean,
                        std,
                    }
                }
            })
            .collect();
        Encoder { columns }
    }

    /// The model input for `family`: one column per number, `levels` per
    /// category.
    pub fn encode(&self, raw: &[Vec<f64>], family: Family) -> Vec<Vec<f64>> {
        let mut out = Vec::new();
        for (enc, col) in self.columns.iter().zip(raw) {
            match *enc {
                Encoding::Number { median, mean, std } => out.push(match family {
                    Family::Trees => col.clone(),
                    Family::Scaled => col
                        .iter()
                        .map(|&v| (if v.is_nan() { median } else { v } - mean) / std)
                        .collect(),
                }),
                Encoding::OneHot { levels, ref seen } => {
                    for level in Self::levels(levels, seen, family) {
                        out.push(
                            col.iter()
                                .map(|&v| (v == level as f64) as u8 as f64)
                                .collect(),
                        );
                    }
                }
            }
        }
        out
    }

    /// The one-hot levels a family gets: all for trees; the seen ones but
    /// the first for scaled models.
    fn levels(levels: usize, seen: &[bool], family: Family) -> Vec<usize> {
        match family {
            Family::Trees => (0..levels).collect(),
            Family::Scaled => (0..levels).filter(|&l| seen[l]).skip(1).collect(),
        }
    }

    /// The raw feature each encoded column of `family` comes from.
    pub fn sources(&self, family: Family) -> Vec<usize> {
        let mut out = Vec::new();
        for (f, enc) in self.columns.iter().enumerate() {
            let n = match enc {
                Encoding::Number { .. } => 1,
                Encoding::OneHot { levels, seen } => Self::levels(*levels, seen, family).len(),
            };
            out.extend(std::iter::repeat_n(f, n));
        }
        out
    }

    /// The preprocessing as recipe steps with the training statistics
    /// written in (a median fill is a constant fill of that median), for
    /// `family`.
    pub fn steps(&self, schema: &Schema, family: Family) -> Vec<Step> {
        let mut steps = Vec::new();
        for (f, enc) in schema.features.iter().zip(&self.columns) {
            match enc {
                Encoding::OneHot { levels, .. } => steps.push(Step::OneHot {
                    column: f.name().to_string(),
                    max_categories: levels - 1,
                }),
                Encoding::Number { median, .. } if family == Family::Scaled => {
                    steps.push(Step::FillMissing {
                        column: f.name().to_string(),
                        fill: Fill::Constant {
                            value: crate::core::clean::step::trim_number(*median),
                        },
                    });
                    steps.push(Step::Scale {
                        column: f.name().to_string(),
                        method: Scaling::Standard,
                    });
                }
                Encoding::Number { .. } => {}
            }
        }
        steps
    }
}

/// Rows `rows` of every column.
pub fn take(columns: &[Vec<f64>], rows: &[u32]) -> Vec<Vec<f64>> {
    columns
        .iter()
        .map(|c| rows.iter().map(|&r| c[r as usize]).collect())
        .collect()
}
