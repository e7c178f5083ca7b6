//! The profile's quality warnings (ydata-profiling's alerts), each with
//! its evidence and, where the cleaning engine has a fix, a recipe step.

use serde::{Deserialize, Serialize};

use super::correlate::Correlations;
use crate::core::clean::apply::Moments;
use crate::core::clean::step::{trim_number, Fill, Step};
use crate::core::format::short;
use crate::core::infer::{parse_f64, reads_as_date, trim_cell};
use crate::core::ingest::Dataset;
use crate::core::ml::task::looks_like_target;
use crate::core::model::{ColumnProfile, ColumnType, DatasetProfile};
use crate::core::table::{present_numbers, ColumnData};

/// Thresholds of the alerts (shares are 0..=1).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertConfig {
    /// `missing` above this share of the rows.
    pub missing: f64,
    /// `high-cardinality`: a text column with more distinct values.
    pub high_cardinality: u64,
    /// `skewed`: |skewness| above this.
    pub skew: f64,
    /// `zeros`: share of zeros above this.
    pub zeros: f64,
    /// `imbalance`: the most frequent category's share above this.
    pub imbalance: f64,
    /// `high-correlation`: |r| (or Cramér's V, eta) above this.
    pub correlation: f64,
    /// `date-as-text`: share of the text values that read as dates at least
    /// this; `mixed`: the share that read as numbers between 1 - this and
    /// this (codes like "008", all digits, are not mixed).
    pub text_types: f64,
}

impl Default for AlertConfig {
    fn default() -> Self {
        AlertConfig {
            missing: 0.05,
            high_cardinality: 50,
            skew: 1.0,
            zeros: 0.1,
            imbalance: 0.8,
            correlation: 0.9,
            text_types: 0.9,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Info,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// The contract's kind: constant, missing, high-cardinality, unique,
    /// skewed, zeros, imbalance, duplicates, high-correlation,
    /// date-as-text, mixed, infinite.
    pub kind: String,
    /// The column (None for the dataset as a whole).
    pub column: Option<String>,
    /// The other column of a pair (high-correlation).
    pub other: Option<String>,
    pub severity: Severity,
    /// One sentence with the evidence.
    pub message: String,
    /// A cleaning step that fixes it, where there is one.
    pub fix: Option<Step>,
}

fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn pct(v: f64) -> String {
    format!("{}%", trim_number((v * 1000.0).round() / 10.0))
}

/// How many present text values there are, and how many read as numbers
/// and as dates. A column whose every distinct value is among its
/// profile's top values (`profile`: a few categories) is read from those,
/// each value once, weighed by its count; else cell by cell.
fn text_shapes(c: &ColumnData, profile: &ColumnProfile) -> (usize, usize, usize) {
    let ColumnData::String(cells) = c else {
        return (0, 0, 0);
    };
    let (mut n, mut numbers, mut dates) = (0, 0, 0);
    let mut see = |cell: &str, times: usize| {
        let t = trim_cell(cell);
        n += times;
        if parse_f64(t).is_some() {
            numbers += times;
        } else if reads_as_date(t) {
            dates += times;
        }
    };
    let listed: u64 = profile.top.iter().map(|t| t.1).sum();
    if profile.distinct == profile.top.len() as u64 && listed == profile.count {
        for (value, times) in &profile.top {
            see(value, *times as usize);
        }
    } else {
        for cell in cells.iter().flatten() {
            see(cell, 1);
        }
    }
    (n, numbers, dates)
}

/// The alerts of a dataset, most severe first (then in column order). Of
/// the correlations only the pairs (`corr.top`) are read, not the Spearman
/// matrix: the insights compute the alerts while a helper computes it.
pub fn alerts(
    ds: &Dataset,
    p: &DatasetProfile,
    corr: &Correlations,
    cfg: &AlertConfig,
) -> Vec<Alert> {
    let mut out = Vec::new();
    let rows = p.rows;
    let mut push =
        |kind: &str, column: Option<&str>, severity, message: String, fix: Option<Step>| {
            out.push(Alert {
                kind: kind.to_string(),
                column: column.map(str::to_string),
                other: None,
                severity,
                message,
                fix,
            });
        };
    if p.duplicate_rows > 0 {
        push(
            "duplicates",
            None,
            Severity::Warning,
            format!(
                "{} of {} rows ({}) repeat an earlier row exactly.",
                crate::core::format::int(p.duplicate_rows),
                crate::core::format::int(rows),
                pct(share(p.duplicate_rows, rows))
            ),
            Some(Step::DropDuplicates),
        );
    }
    for (i, c) in p.column_profiles.iter().enumerate() {
        let name = c.name.as_str();
        let data = ColumnData::of(ds, i);
        if c.count > 0 && c.distinct == 1 {
            let v = c.top.first().map(|t| t.0.clone()).unwrap_or_default();
            push(
                "constant",
                Some(name),
                Severity::Warning,
                format!("{name} has the same value (\"{v}\") in every row that has one."),
                Some(Step::DropColumns {
                    columns: vec![name.to_string()],
                }),
            );
        }
        let miss = share(c.missing, rows);
        if c.missing > 0 && miss > cfg.missing {
            let fix = (c.count > 0).then(|| Step::FillMissing {
                column: name.to_string(),
                fill: if c.dtype.is_numeric() {
                    Fill::Median
                } else {
                    Fill::Mode
                },
            });
            push(
                "missing",
                Some(name),
                Severity::Warning,
                format!(
                    "{name} is missing in {} of {rows} rows ({}).",
                    c.missing,
                    pct(miss)
                ),
                fix,
            );
        }
        if rows >= 2
            && c.distinct == rows
            && c.count == rows
            && matches!(c.dtype, ColumnType::Integer | ColumnType::String)
        {
            push(
                "unique",
                Some(name),
                Severity::Info,
                format!("{name} has a different value in every row: an identifier, not a measure."),
                Some(Step::DropColumns {
                    columns: vec![name.to_string()],
                }),
            );
        } else if c.dtype == ColumnType::String && c.distinct > cfg.high_cardinality {
            push(
                "high-cardinality",
                Some(name),
                Severity::Info,
                format!(
                    "{name} has {} distinct values: too many to treat as categories.",
                    c.distinct
                ),
                None,
            );
        }
        if c.dtype.is_numeric() {
            let nums = data.as_ref().and_then(present_numbers).unwrap_or_default();
            // The skewness needs no sort; the median is the profile's.
            if let Some(st) = Moments::of(&nums) {
                if st.skew.is_finite() && st.skew.abs() > cfg.skew {
                    push(
                        "skewed",
                        Some(name),
                        Severity::Info,
                        format!(
                            "{name} is skewed (skewness {}): the mean ({}) and the median ({}) differ, so the median describes it better.",
                            short(st.skew),
                            short(st.mean),
                            short(c.p50.unwrap_or(f64::NAN))
                        ),
                        // No fix: scaling does not remove skew.
                        None,
                    );
                }
            }
            let infinite = nums.iter().filter(|v| v.is_infinite()).count();
            if infinite > 0 {
                push(
                    "infinite",
                    Some(name),
                    Severity::Warning,
                    format!(
                        "{name} has {infinite} infinite value{}.",
                        if infinite == 1 { "" } else { "s" }
                    ),
                    None,
                );
            }
            if let Some(z) = c.zeros {
                let zs = share(z, c.count);
                if z > 0 && zs > cfg.zeros {
                    push(
                        "zeros",
                        Some(name),
                        Severity::Info,
                        format!("{name} is zero in {z} of {} values ({}).", c.count, pct(zs)),
                        None,
                    );
                }
            }
        }
        if matches!(c.dtype, ColumnType::String | ColumnType::Boolean)
            && c.distinct >= 2
            && c.distinct <= cfg.high_cardinality
        {
            if let Some((top, n)) = c.top.first() {
                let s = share(*n, c.count);
                if s > cfg.imbalance {
                    push(
                        "imbalance",
                        Some(name),
                        Severity::Info,
                        format!(
                            "{name} is imbalanced: \"{top}\" is {} of its values.",
                            pct(s)
                        ),
                        None,
                    );
                }
            }
        }
        if c.dtype == ColumnType::String {
            let (n, numbers, dates) = data.as_ref().map(|d| text_shapes(d, c)).unwrap_or_default();
            let (sn, sd) = (
                share(numbers as u64, n as u64),
                share(dates as u64, n as u64),
            );
            if n > 0 && sd >= cfg.text_types {
                push(
                    "date-as-text",
                    Some(name),
                    Severity::Warning,
                    format!(
                        "{name} holds dates stored as text ({} of its values read as dates).",
                        pct(sd)
                    ),
                    Some(Step::Cast {
                        column: name.to_string(),
                        to: ColumnType::Date,
                    }),
                );
            } else if n > 0 && sn >= 1.0 - cfg.text_types && sn < cfg.text_types {
                // Truly mixed: a cast would lose too much, so no fix.
                push(
                    "mixed",
                    Some(name),
                    Severity::Warning,
                    format!(
                        "{name} mixes numbers and text: {} of its values are numbers, the rest are not.",
                        pct(sn)
                    ),
                    None,
                );
            }
        }
    }
    for pair in &corr.top {
        if pair.value.abs() <= cfg.correlation {
            break;
        }
        let method = match pair.method.as_str() {
            "pearson" => "r",
            "cramers_v" => "Cramér's V",
            _ => "η",
        };
        out.push(Alert {
            kind: "high-correlation".to_string(),
            column: Some(pair.a.clone()),
            other: Some(pair.b.clone()),
            severity: Severity::Info,
            message: format!(
                "{} and {} are strongly related ({method} = {}): one of them may be redundant.",
                pair.a,
                pair.b,
                trim_number((pair.value * 100.0).round() / 100.0)
            ),
            // The fix keeps the column that looks like a target (revenue,
            // churn…): the other one goes; none when both do. Between two
            // categories, the one with fewer values goes: a campaign that
            // fixes its channel holds the channel too, not the other way.
            fix: {
                let distinct = |name: &str| {
                    p.column_profiles
                        .iter()
                        .find(|c| c.name == name)
                        .map_or(0, |c| c.distinct)
                };
                let mut order = [&pair.b, &pair.a];
                if pair.method == "cramers_v" && distinct(&pair.a) < distinct(&pair.b) {
                    order.swap(0, 1);
                }
                order
            }
            .into_iter()
            .find(|c| !looks_like_target(c))
            .map(|c| Step::DropColumns {
                columns: vec![c.clone()],
            }),
        });
    }
    out.sort_by_key(|a| a.severity);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A few categories' shapes read from the profile's top values are the
    /// shapes cell by cell (the profile's top cleared), for columns of a
    /// few values and of many, with spaces and missing cells.
    #[test]
    fn text_shapes_from_the_top_values_are_the_cells_shapes() {
        let mut text = String::from("few,many,dates\n");
        for r in 0..300 {
            let few = [" 12 ", "x", "2024-01-05", "", "3.5"][r % 5];
            let many = if r % 4 == 0 {
                format!("{r}")
            } else {
                format!("v{r}")
            };
            let date = format!("2024-02-{:02}", 1 + r % 20);
            text += &format!("{few},{many},{date}\n");
        }
        let ds = crate::core::read_bytes("t.csv", text.as_bytes()).unwrap();
        let profile = crate::core::profile(&ds);
        let mut from_top = 0;
        for (i, c) in profile.column_profiles.iter().enumerate() {
            let data = ColumnData::of(&ds, i).unwrap();
            if !matches!(data, ColumnData::String(_)) {
                continue;
            }
            let shapes = text_shapes(&data, c);
            let cells = text_shapes(
                &data,
                &ColumnProfile {
                    top: Vec::new(),
                    ..c.clone()
                },
            );
            assert_eq!(shapes, cells, "{}", c.name);
            from_top += usize::from(c.distinct == c.top.len() as u64);
        }
        assert!(from_top >= 1, "no column read from its top values");
        // The few column: 240 present, 120 numbers, 60 dates.
        let few = ColumnData::of(&ds, 0).unwrap();
        assert_eq!(
            text_shapes(&few, &profile.column_profiles[0]),
            (240, 120, 60)
        );
    }
}
