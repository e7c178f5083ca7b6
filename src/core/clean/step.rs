//! The operations of a cleaning recipe: one typed step each, with its
//! parameters, serialised as `{"op": "<name>", ...}`.

use serde::{Deserialize, Serialize};

use super::transform::Transform;
use crate::core::model::ColumnType;

/// How missing cells are filled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Fill {
    /// Numeric columns; integer columns become float.
    Mean,
    /// Numeric columns (linear interpolation); integer columns become float.
    Median,
    /// The most frequent value (ties: the smallest), any type.
    Mode,
    /// A fixed value, written as text and read as the column's type.
    Constant { value: String },
    /// The last value above (file order).
    Forward,
    /// The next value below.
    Backward,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Case {
    Lower,
    Upper,
    /// First letter of each space-separated word upper case, the rest lower.
    Title,
}

/// Which values of a numeric column are outliers.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum OutlierRule {
    /// Outside [p25 - k·IQR, p75 + k·IQR] (Tukey's fences; k = 1.5).
    Iqr { k: f64 },
    /// |x - mean| / std > threshold (sample std; threshold 3).
    Zscore { threshold: f64 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutlierAction {
    /// Adds a boolean column `<column>_outlier`.
    Flag,
    /// Clamps to the bounds (winsorising); integer columns become float.
    Cap,
    /// Removes the rows.
    Remove,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scaling {
    /// (x - mean) / std, population std like scikit-learn's StandardScaler.
    Standard,
    /// (x - min) / (max - min).
    MinMax,
    /// (x - median) / IQR, like scikit-learn's RobustScaler.
    Robust,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePart {
    Year,
    Quarter,
    Month,
    Day,
    /// Monday = 0 … Sunday = 6 (pandas' `dayofweek`).
    Weekday,
}

impl DatePart {
    pub fn name(self) -> &'static str {
        match self {
            DatePart::Year => "year",
            DatePart::Quarter => "quarter",
            DatePart::Month => "month",
            DatePart::Day => "day",
            DatePart::Weekday => "weekday",
        }
    }
}

/// A row test for `filter`; rows where it holds are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Test {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Text contains the value (case-sensitive).
    Contains,
    IsMissing,
    NotMissing,
}

/// Spellings of one value: each of `values` becomes `into`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ValueGroup {
    pub into: String,
    pub values: Vec<String>,
}

/// The spellings merged in one column, as groups.
///
/// Written `{"column": …, "groups": [{"into": …, "values": […]}, …]}`;
/// recipes of schema version 1 had one group per step
/// (`{"column", "into", "values"}`), which still reads.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(from = "MergeRepr")]
pub struct Merge {
    pub column: String,
    pub groups: Vec<ValueGroup>,
}

/// Both ways a merge has been written.
#[derive(Deserialize)]
struct MergeRepr {
    column: String,
    #[serde(default)]
    groups: Vec<ValueGroup>,
    into: Option<String>,
    #[serde(default)]
    values: Vec<String>,
}

impl From<MergeRepr> for Merge {
    fn from(r: MergeRepr) -> Merge {
        let mut groups = r.groups;
        if let Some(into) = r.into {
            groups.insert(
                0,
                ValueGroup {
                    into,
                    values: r.values,
                },
            );
        }
        Merge {
            column: r.column,
            groups,
        }
    }
}

/// One step of a recipe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Step {
    /// Removes rows with a missing cell in any of `columns` (all when empty).
    DropMissingRows {
        #[serde(default)]
        columns: Vec<String>,
    },
    /// Removes columns whose share of missing cells is above `max_missing`.
    DropSparseColumns {
        max_missing: f64,
    },
    FillMissing {
        column: String,
        fill: Fill,
    },
    /// Removes rows equal to an earlier row (keeps the first).
    DropDuplicates,
    /// Trims spaces, tabs and line breaks around text (all text columns
    /// when `columns` is empty).
    Trim {
        #[serde(default)]
        columns: Vec<String>,
    },
    ChangeCase {
        column: String,
        case: Case,
    },
    /// Merges spellings of one value in one column: each group's `values`
    /// become its `into` (every group of the column in one step).
    MergeValues(Merge),
    /// Column names to snake_case, repeated names numbered.
    NormaliseNames,
    /// Converts a column; values that do not convert become missing.
    Cast {
        column: String,
        to: ColumnType,
    },
    Outliers {
        column: String,
        rule: OutlierRule,
        action: OutlierAction,
    },
    /// One 0/1 column per category: the `max_categories` most frequent,
    /// the rest in `<column>_other`. Replaces the column.
    OneHot {
        column: String,
        max_categories: usize,
    },
    /// Categories to 0, 1, 2… in `order` (sorted values when empty); other
    /// values become missing. Replaces the column.
    Ordinal {
        column: String,
        #[serde(default)]
        order: Vec<String>,
    },
    Scale {
        column: String,
        method: Scaling,
    },
    /// Makes a skewed measure more symmetric (log or Yeo-Johnson); the
    /// column becomes float.
    Transform {
        column: String,
        transform: Transform,
    },
    DropColumns {
        columns: Vec<String>,
    },
    /// Adds `<column>_<part>` integer columns.
    DateParts {
        column: String,
        parts: Vec<DatePart>,
    },
    Rename {
        column: String,
        to: String,
    },
    /// Keeps the rows where `column <test> value` holds.
    Filter {
        column: String,
        test: Test,
        #[serde(default)]
        value: String,
    },
}

impl Step {
    /// Whether the step's result for a row depends on the other rows
    /// (statistics, categories, duplicates, the order of rows or of dates):
    /// such a step needs the whole file at once, while the others give the
    /// same rows on any batch of rows ([`crate::core::stream`]).
    pub fn needs_every_row(&self) -> bool {
        match self {
            Step::DropMissingRows { .. }
            | Step::Trim { .. }
            | Step::ChangeCase { .. }
            | Step::MergeValues(_)
            | Step::NormaliseNames
            | Step::DropColumns { .. }
            | Step::DateParts { .. }
            | Step::Rename { .. }
            | Step::Filter { .. } => false,
            Step::FillMissing { fill, .. } => !matches!(fill, Fill::Constant { .. }),
            // Text read as dates takes its day/month order from the values.
            Step::Cast { to, .. } => matches!(to, ColumnType::Date | ColumnType::Datetime),
            Step::Ordinal { order, .. } => order.is_empty(),
            // log(1 + x) and a given λ work row by row; λ is fitted on the data.
            Step::Transform { transform, .. } => {
                matches!(transform, Transform::YeoJohnson { lambda: None })
            }
            Step::DropSparseColumns { .. }
            | Step::DropDuplicates
            | Step::Outliers { .. }
            | Step::OneHot { .. }
            | Step::Scale { .. } => true,
        }
    }

    /// The operation's name (`data-op` in the UI, `op` in JSON).
    pub fn op(&self) -> &'static str {
        match self {
            Step::DropMissingRows { .. } => "drop_missing_rows",
            Step::DropSparseColumns { .. } => "drop_sparse_columns",
            Step::FillMissing { .. } => "fill_missing",
            Step::DropDuplicates => "drop_duplicates",
            Step::Trim { .. } => "trim",
            Step::ChangeCase { .. } => "change_case",
            Step::MergeValues(_) => "merge_values",
            Step::NormaliseNames => "normalise_names",
            Step::Cast { .. } => "cast",
            Step::Outliers { .. } => "outliers",
            Step::OneHot { .. } => "one_hot",
            Step::Ordinal { .. } => "ordinal",
            Step::Scale { .. } => "scale",
            Step::Transform { .. } => "transform",
            Step::DropColumns { .. } => "drop_columns",
            Step::DateParts { .. } => "date_parts",
            Step::Rename { .. } => "rename",
            Step::Filter { .. } => "filter",
        }
    }

    /// The columns the step reads (that must exist when it runs).
    pub fn columns(&self) -> Vec<&str> {
        match self {
            Step::DropMissingRows { columns }
            | Step::Trim { columns }
            | Step::DropColumns { columns } => columns.iter().map(String::as_str).collect(),
            Step::DropSparseColumns { .. } | Step::DropDuplicates | Step::NormaliseNames => {
                Vec::new()
            }
            Step::FillMissing { column, .. }
            | Step::ChangeCase { column, .. }
            | Step::MergeValues(Merge { column, .. })
            | Step::Cast { column, .. }
            | Step::Outliers { column, .. }
            | Step::OneHot { column, .. }
            | Step::Ordinal { column, .. }
            | Step::Scale { column, .. }
            | Step::Transform { column, .. }
            | Step::DateParts { column, .. }
            | Step::Rename { column, .. }
            | Step::Filter { column, .. } => vec![column.as_str()],
        }
    }

    /// A short description for people, e.g. "Fill missing in age with the median".
    pub fn describe(&self) -> String {
        let list = |c: &[String]| {
            if c.is_empty() {
                "all columns".to_string()
            } else {
                c.join(", ")
            }
        };
        match self {
            Step::DropMissingRows { columns } => {
                format!("Remove rows with a missing value in {}", list(columns))
            }
            Step::DropSparseColumns { max_missing } => format!(
                "Remove columns with more than {}% missing",
                trim_number(max_missing * 100.0)
            ),
            Step::FillMissing { column, fill } => {
                let how = match fill {
                    Fill::Mean => "the mean".to_string(),
                    Fill::Median => "the median".to_string(),
                    Fill::Mode => "the most frequent value".to_string(),
                    Fill::Constant { value } => format!("\"{value}\""),
                    Fill::Forward => "the value above".to_string(),
                    Fill::Backward => "the value below".to_string(),
                };
                format!("Fill missing {column} with {how}")
            }
            Step::DropDuplicates => "Remove duplicate rows (keep the first)".to_string(),
            Step::Trim { columns } => {
                let what = if columns.is_empty() {
                    "all text columns".to_string()
                } else {
                    columns.join(", ")
                };
                format!("Trim spaces in {what}")
            }
            Step::ChangeCase { column, case } => {
                let case = match case {
                    Case::Lower => "lower case",
                    Case::Upper => "upper case",
                    Case::Title => "title case",
                };
                format!("Change {column} to {case}")
            }
            Step::MergeValues(Merge { column, groups }) => match groups.as_slice() {
                [one] => format!(
                    "Merge {} spellings in {column} into \"{}\"",
                    one.values.len(),
                    one.into
                ),
                _ => format!(
                    "Merge spellings in {column}: {} (into {}{})",
                    crate::core::format::count(groups.len() as u64, "group", "groups"),
                    groups
                        .iter()
                        .take(3)
                        .map(|g| format!("\"{}\"", g.into))
                        .collect::<Vec<_>>()
                        .join(", "),
                    if groups.len() > 3 {
                        format!(" and {} more", groups.len() - 3)
                    } else {
                        String::new()
                    }
                ),
            },
            Step::NormaliseNames => "Column names to snake_case".to_string(),
            Step::Cast { column, to } => format!("Convert {column} to {}", to.words()),
            Step::Outliers {
                column,
                rule,
                action,
            } => {
                let rule = match rule {
                    OutlierRule::Iqr { k } => {
                        format!("{} × IQR beyond the quartiles", trim_number(*k))
                    }
                    OutlierRule::Zscore { threshold } => {
                        format!("z-score above {}", trim_number(*threshold))
                    }
                };
                let action = match action {
                    OutlierAction::Flag => "Flag",
                    OutlierAction::Cap => "Cap",
                    OutlierAction::Remove => "Remove",
                };
                format!("{action} outliers in {column}: {rule}")
            }
            Step::OneHot {
                column,
                max_categories,
            } => format!("One-hot encode {column} (up to {max_categories} categories)"),
            Step::Ordinal { column, .. } => format!("Number the categories of {column}"),
            Step::Scale { column, method } => {
                let m = match method {
                    Scaling::Standard => "standard",
                    Scaling::MinMax => "min-max",
                    Scaling::Robust => "robust",
                };
                format!("Scale {column} ({m})")
            }
            Step::Transform { column, transform } => {
                format!("Transform {column} with {}", transform.describe())
            }
            Step::DropColumns { columns } => format!("Remove {}", columns.join(", ")),
            Step::DateParts { column, parts } => format!(
                "Add {} of {column}",
                parts
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Step::Rename { column, to } => format!("Rename {column} to {to}"),
            Step::Filter {
                column,
                test,
                value,
            } => {
                let t = match test {
                    Test::Eq => "=",
                    Test::Ne => "≠",
                    Test::Lt => "<",
                    Test::Le => "≤",
                    Test::Gt => ">",
                    Test::Ge => "≥",
                    Test::Contains => "contains",
                    Test::IsMissing => return format!("Keep rows where {column} is missing"),
                    Test::NotMissing => return format!("Keep rows where {column} is present"),
                };
                format!("Keep rows where {column} {t} {value}")
            }
        }
    }
}

/// The operations a user can add by hand, with a label for each.
pub const ADDABLE: [(&str, &str); 17] = [
    ("fill_missing", "Fill missing values"),
    ("drop_missing_rows", "Remove rows with missing values"),
    ("drop_sparse_columns", "Remove mostly-empty columns"),
    ("drop_duplicates", "Remove duplicate rows"),
    ("trim", "Trim spaces"),
    ("change_case", "Change case"),
    ("normalise_names", "Column names to snake_case"),
    ("cast", "Convert type"),
    ("outliers", "Handle outliers"),
    ("one_hot", "One-hot encode"),
    ("ordinal", "Number the categories"),
    ("scale", "Scale"),
    ("transform", "Transform a skewed measure"),
    ("drop_columns", "Remove the column"),
    ("date_parts", "Add date parts"),
    ("rename", "Rename the column"),
    ("filter", "Keep rows where…"),
];

impl Step {
    /// A step of operation `op` on `column` (of type `ty`) with sensible
    /// settings, for the user to adjust; None for an unknown operation or
    /// one that needs a column when none is given.
    pub fn template(op: &str, column: Option<(&str, ColumnType)>) -> Option<Step> {
        let col = column.map(|c| c.0.to_string());
        let ty = column.map(|c| c.1);
        let numeric = ty.is_some_and(ColumnType::is_numeric);
        Some(match op {
            "fill_missing" => Step::FillMissing {
                column: col?,
                fill: if numeric { Fill::Median } else { Fill::Mode },
            },
            "drop_missing_rows" => Step::DropMissingRows {
                columns: col.into_iter().collect(),
            },
            "drop_sparse_columns" => Step::DropSparseColumns { max_missing: 0.5 },
            "drop_duplicates" => Step::DropDuplicates,
            "trim" => Step::Trim {
                columns: col.into_iter().collect(),
            },
            "change_case" => Step::ChangeCase {
                column: col?,
                case: Case::Lower,
            },
            "normalise_names" => Step::NormaliseNames,
            "cast" => Step::Cast {
                column: col?,
                to: if ty == Some(ColumnType::String) {
                    ColumnType::Float
                } else {
                    ColumnType::String
                },
            },
            "outliers" => Step::Outliers {
                column: col?,
                rule: OutlierRule::Iqr { k: 1.5 },
                action: OutlierAction::Flag,
            },
            "one_hot" => Step::OneHot {
                column: col?,
                max_categories: 10,
            },
            "ordinal" => Step::Ordinal {
                column: col?,
                order: Vec::new(),
            },
            "scale" => Step::Scale {
                column: col?,
                method: Scaling::Standard,
            },
            // λ fitted on the data: any numbers, skewed either way.
            "transform" => Step::Transform {
                column: col?,
                transform: Transform::YeoJohnson { lambda: None },
            },
            "drop_columns" => Step::DropColumns {
                columns: vec![col?],
            },
            "date_parts" => Step::DateParts {
                column: col?,
                parts: vec![
                    DatePart::Year,
                    DatePart::Quarter,
                    DatePart::Month,
                    DatePart::Day,
                    DatePart::Weekday,
                ],
            },
            "rename" => {
                let c = col?;
                Step::Rename {
                    to: format!("{c}_renamed"),
                    column: c,
                }
            }
            "filter" => Step::Filter {
                column: col?,
                test: Test::NotMissing,
                value: String::new(),
            },
            _ => return None,
        })
    }
}

/// A number without needless decimals (1.5, 3, 0.25).
pub fn trim_number(v: f64) -> String {
    let s = format!("{:.4}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A column name in snake_case: lower-case letters and digits, each run of
/// anything else one underscore ("Unit Price (€)" → "unit_price"; "GmbH" →
/// "gmbh", camelCase is not split). Never empty ("column" when nothing is
/// left).
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut pending_sep = false;
    for c in name.chars() {
        if c.is_alphanumeric() {
            if pending_sep && !out.is_empty() {
                out.push('_');
            }
            pending_sep = false;
            out.extend(c.to_lowercase());
        } else {
            pending_sep = true;
        }
    }
    if out.is_empty() {
        "column".to_string()
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(snake_case("Unit Price (€)"), "unit_price");
        assert_eq!(snake_case("unitPrice"), "unitprice");
        assert_eq!(snake_case("Gamma GmbH"), "gamma_gmbh");
        assert_eq!(snake_case("  ID "), "id");
        assert_eq!(snake_case("Café-Name"), "café_name");
        assert_eq!(snake_case("%%"), "column");
        assert_eq!(snake_case("q1 2024"), "q1_2024");
        assert_eq!(trim_number(1.5), "1.5");
        assert_eq!(trim_number(50.0), "50");
    }

    #[test]
    fn json_shape() {
        let s = Step::FillMissing {
            column: "age".into(),
            fill: Fill::Constant { value: "0".into() },
        };
        let j = serde_json::to_string(&s).unwrap();
        assert_eq!(
            j,
            r#"{"op":"fill_missing","column":"age","fill":{"method":"constant","value":"0"}}"#
        );
        assert_eq!(serde_json::from_str::<Step>(&j).unwrap(), s);
        let d: Step = serde_json::from_str(r#"{"op":"drop_duplicates"}"#).unwrap();
        assert_eq!(d, Step::DropDuplicates);
    }

    #[test]
    fn templates_exist_for_every_addable_op() {
        for (op, _) in ADDABLE {
            let s = Step::template(op, Some(("x", ColumnType::Integer)))
                .unwrap_or_else(|| panic!("no template for {op}"));
            assert_eq!(s.op(), op);
        }
        assert_eq!(Step::template("fill_missing", None), None);
        assert_eq!(
            Step::template("drop_duplicates", None),
            Some(Step::DropDuplicates)
        );
        assert_eq!(Step::template("explode", None), None);
    }
}
