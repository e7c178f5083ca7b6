//! What every export decides from running a step on the file, in one place,
//! so the SQL and the polars code cannot drift apart: the columns a step
//! touches, and the choices frozen from the data (one-hot categories, the
//! codes of an ordinal encoding, sparse columns, a fitted λ, the day/month
//! order of a cast).

use std::collections::{BTreeMap, HashSet};

use super::{index, text_date_order, values};
use crate::core::clean::apply::OneHotPlan;
use crate::core::clean::step::{Merge, OutlierAction};
use crate::core::clean::transform::Transform;
use crate::core::clean::values::Values;
use crate::core::clean::CleanError;
use crate::core::infer::DateOrder;
use crate::core::ingest::Dataset;
use crate::core::model::ColumnType;

/// The columns a drop of rows with missing values looks at (all when none
/// are named).
pub(super) fn missing_rows_columns(columns: &[String], before: &Dataset) -> Vec<String> {
    if columns.is_empty() {
        before.names()
    } else {
        columns.to_vec()
    }
}

/// The columns of `before` that `after` no longer has.
pub(super) fn removed_columns(before: &Dataset, after: &Dataset) -> Vec<String> {
    let kept: HashSet<String> = after.names().into_iter().collect();
    before
        .names()
        .into_iter()
        .filter(|c| !kept.contains(c))
        .collect()
}

/// The columns a trim works on (the text columns when none are named).
pub(super) fn trim_columns(columns: &[String], before: &Dataset) -> Vec<String> {
    if columns.is_empty() {
        before
            .names()
            .into_iter()
            .zip(&before.types)
            .filter(|(_, t)| **t == ColumnType::String)
            .map(|(c, _)| c)
            .collect()
    } else {
        columns.to_vec()
    }
}

/// The spellings of each group of a merge and what they become; a spelling
/// in two groups goes to the first (as in `apply`). Groups left with no
/// spelling are left out.
pub(super) fn merge_groups(merge: &Merge) -> Vec<(Vec<&str>, &str)> {
    let mut seen = HashSet::new();
    merge
        .groups
        .iter()
        .filter_map(|g| {
            let list: Vec<&str> = g
                .values
                .iter()
                .map(String::as_str)
                .filter(|v| seen.insert(*v))
                .collect();
            (!list.is_empty()).then_some((list, g.into.as_str()))
        })
        .collect()
}

/// Whether column `i` of `ds` has no value at all.
pub(super) fn all_missing(ds: &Dataset, i: usize) -> Result<bool, CleanError> {
    Ok(values(ds, i)?.missing() == ds.height())
}

/// The day/month order a cast of text column `i` to dates reads in, frozen
/// from the values.
pub(super) fn cast_order(before: &Dataset, i: usize) -> Result<&'static str, CleanError> {
    Ok(match text_date_order(&values(before, i)?) {
        DateOrder::Ymd => "ymd",
        DateOrder::Dmy => "dmy",
        DateOrder::Mdy => "mdy",
    })
}

/// A one-hot encoding as run on the file.
pub(super) struct OneHot {
    pub i: usize,
    pub ty: ColumnType,
    /// The categories kept, as text, most frequent first.
    pub kept: Vec<String>,
    /// Their columns' names.
    pub names: Vec<String>,
    /// The name of the column of the other categories, if any.
    pub other: Option<String>,
    /// The comment that says what was frozen.
    pub comment: String,
}

pub(super) fn one_hot(
    before: &Dataset,
    column: &str,
    max_categories: usize,
) -> Result<OneHot, CleanError> {
    let i = index(before, column)?;
    let plan = OneHotPlan::of(
        before,
        "one_hot",
        column,
        max_categories,
        &values(before, i)?,
    )?;
    let comment = format!(
        "Frozen: the {} most frequent categor{} of {column} in this file{}.",
        plan.kept.len(),
        if plan.kept.len() == 1 { "y" } else { "ies" },
        if plan.other {
            "; the rest are \"other\""
        } else {
            ""
        }
    );
    let mut names = plan.names;
    let other = plan.other.then(|| names.pop()).flatten();
    Ok(OneHot {
        i,
        ty: before.types[i],
        names,
        other,
        kept: plan.kept,
        comment,
    })
}

/// The code of each category of an ordinal encoding (the last place it has
/// in `order`; without an order, the natural order the run chose, read off
/// its result), and the comment saying so when it was frozen.
pub(super) fn ordinal_codes(
    before: &Dataset,
    after: &Dataset,
    column: &str,
    order: &[String],
) -> Result<(BTreeMap<i64, String>, Option<String>), CleanError> {
    let i = index(before, column)?;
    let mut codes: BTreeMap<i64, String> = BTreeMap::new();
    if order.is_empty() {
        let (b, a) = (values(before, i)?, values(after, i)?);
        if let Values::Int(codes_after) = &a {
            // Each code stands for one value: its text is written once.
            let mut row = 0;
            b.for_each_text(|text| {
                if let (Some(Some(code)), Some(text)) = (codes_after.get(row), text) {
                    codes.entry(*code).or_insert_with(|| text.to_string());
                }
                row += 1;
            });
        }
        let comment =
            format!("Frozen: the values of {column} in this file, in their natural order.");
        return Ok((codes, Some(comment)));
    }
    let mut last: BTreeMap<&str, i64> = BTreeMap::new();
    for (k, s) in order.iter().enumerate() {
        last.insert(s.as_str(), k as i64);
    }
    for (s, k) in last {
        codes.insert(k, s.to_string());
    }
    Ok((codes, None))
}

/// The transform as run on the file (a λ the step fits, fitted on it), and
/// the comment saying so when it was fitted here.
pub(super) fn fitted_transform(
    before: &Dataset,
    column: &str,
    transform: Transform,
) -> Result<(Transform, Option<String>), CleanError> {
    let i = index(before, column)?;
    let xs: Vec<f64> = values(before, i)?
        .numbers()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    let fitted = transform.fit(&xs).unwrap_or(transform);
    let comment = (fitted != transform)
        .then(|| format!("Frozen: {}, fitted on this file.", fitted.describe()));
    Ok((fitted, comment))
}

/// Why an outlier step does nothing on this file, if it does nothing: no
/// values, or (capping) no outlier, so the run keeps the whole numbers.
pub(super) fn outliers_skipped(
    before: &Dataset,
    after: &Dataset,
    column: &str,
    action: OutlierAction,
) -> Result<Option<String>, CleanError> {
    let i = index(before, column)?;
    if all_missing(before, i)? {
        return Ok(Some("the column has no values".to_string()));
    }
    if action == OutlierAction::Cap && after.types[i] != ColumnType::Float {
        return Ok(Some(format!(
            "no value of {column} is an outlier in this file, so Plainsight keeps its whole numbers (frozen)"
        )));
    }
    Ok(None)
}
