//! Applying one step to a dataset: the semantics of every operation, and
//! what it changed (counted for the report and the processing log).

use std::borrow::Cow;
use std::cmp::Ordering;
use std::hash::{BuildHasher, Hash};

use polars_core::prelude::PlHashMap as HashMap;

use polars_arrow::array::PrimitiveArray;
use polars_core::prelude::*;
use serde::{Deserialize, Serialize};

use super::step::{
    snake_case, Case, DatePart, Fill, Merge, OutlierAction, OutlierRule, Scaling, Step, Test,
};
use super::transform::Transform;
use super::values::{float_column, map_texts, present_floats, texts, Values};
use super::CleanError;
use crate::core::infer::{
    format_date, parse_bool, parse_date_days, parse_datetime_micros, parse_f64, parse_i64,
    trim_cell, DateOrder, Inference, Kind,
};
use crate::core::ingest::Dataset;
use crate::core::model::ColumnType;
use crate::core::profile::{accurate_sum, duplicate_flags, quantile, quantiles_selected};
use crate::core::table::each_present;

/// What one step did.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StepReport {
    pub op: String,
    /// The step in words ("Fill missing age with the median").
    pub description: String,
    /// Cells whose value changed (filled, trimmed, merged, capped…).
    pub cells_changed: u64,
    pub rows_before: u64,
    pub rows_after: u64,
    pub columns_added: Vec<String>,
    pub columns_removed: Vec<String>,
    /// The evidence or parameters computed on the data ("median 34").
    pub detail: String,
    /// Values that failed to convert (a cast), a few of them.
    pub examples: Vec<String>,
    /// The rows kept, when the step removed some (for `recipe::run`'s
    /// lineage; never stored or sent).
    #[serde(skip)]
    pub kept: Option<Vec<bool>>,
    /// The step with what it fitted on the data written in (a Yeo-Johnson
    /// λ it was not given), when it fitted something: the recipe keeps
    /// this form, so the next run, and a file scored later, get the same
    /// transform ([`super::recipe::RunLog::fitted_steps`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted: Option<Step>,
}

impl StepReport {
    /// What the step did, in words: "5 cells changed, 2 rows removed";
    /// the detail when nothing was counted.
    pub fn effects(&self) -> String {
        let mut effects = Vec::new();
        if self.cells_changed > 0 {
            effects.push(plural(self.cells_changed, "cell", "cells") + " changed");
        }
        let removed = self.rows_before.saturating_sub(self.rows_after);
        if removed > 0 {
            effects.push(plural(removed, "row", "rows") + " removed");
        }
        if !self.columns_removed.is_empty() {
            effects.push(format!("removed {}", self.columns_removed.join(", ")));
        }
        if !self.columns_added.is_empty() {
            let n = self.columns_added.len() as u64;
            effects.push(plural(n, "column", "columns") + " added");
        }
        if effects.is_empty() {
            effects.push(if self.detail.is_empty() {
                "nothing changed".to_string()
            } else {
                self.detail.clone()
            });
        }
        effects.join(", ")
    }
}

/// "1 cell", "3 cells".
pub fn plural(n: u64, one: &str, many: &str) -> String {
    crate::core::format::count(n, one, many)
}

/// Characters `trim` removes around text.
pub const TRIM_CHARS: [char; 4] = [' ', '\t', '\n', '\r'];

/// Most examples kept in a report.
const EXAMPLES: usize = 5;

/// The index of `column`, found without copying the names (a recipe or a
/// proposal looks up one column per step: copying every name each time
/// would be quadratic in the width).
pub(super) fn index_of(ds: &Dataset, op: &str, column: &str) -> Result<usize, CleanError> {
    ds.frame
        .columns()
        .iter()
        .position(|c| c.name().as_str() == column)
        .ok_or_else(|| CleanError::MissingColumn {
            step: 0,
            op: op.to_string(),
            column: column.to_string(),
            available: ds.names(),
        })
}

fn values(ds: &Dataset, index: usize) -> Result<Values, CleanError> {
    Values::of(ds, index).ok_or_else(|| CleanError::Internal {
        message: format!("column {index} is not readable"),
    })
}

fn wrong_type(op: &str, column: &str, found: ColumnType, needs: &str) -> CleanError {
    CleanError::WrongType {
        step: 0,
        op: op.to_string(),
        column: column.to_string(),
        found,
        needs: needs.to_string(),
    }
}

fn bad(op: &str, message: String) -> CleanError {
    CleanError::BadParameter {
        step: 0,
        op: op.to_string(),
        message,
    }
}

fn internal(e: PolarsError) -> CleanError {
    CleanError::Internal {
        message: e.to_string(),
    }
}

/// Rebuilds `ds.frame` from its columns after an edit.
fn rebuild(ds: &mut Dataset, columns: Vec<Column>, height: usize) -> Result<(), CleanError> {
    ds.frame = DataFrame::new(height, columns).map_err(internal)?;
    Ok(())
}

/// Replaces column `index` by `values` (same name), in place: the other
/// columns are not copied, so a recipe or a proposal with a step per
/// column stays linear in the width.
fn replace(ds: &mut Dataset, index: usize, values: Values) -> Result<(), CleanError> {
    let name = name_at(ds, index)?;
    let ty = values.column_type();
    put(ds, index, values.into_column(&name), ty)
}

/// The name of column `index` of `ds`.
fn name_at(ds: &Dataset, index: usize) -> Result<PlSmallStr, CleanError> {
    ds.frame
        .columns()
        .get(index)
        .map(|c| c.name().clone())
        .ok_or_else(|| CleanError::Internal {
            message: format!("no column {index}"),
        })
}

/// [`replace`] with numbers as polars holds them (the column's name kept).
fn replace_floats(ds: &mut Dataset, index: usize, c: Float64Chunked) -> Result<(), CleanError> {
    let name = name_at(ds, index)?;
    put(
        ds,
        index,
        c.with_name(name).into_column(),
        ColumnType::Float,
    )
}

fn put(ds: &mut Dataset, index: usize, column: Column, ty: ColumnType) -> Result<(), CleanError> {
    ds.frame.replace_column(index, column).map_err(internal)?;
    if ds.types.get(index) != Some(&ty) {
        if let Some(f) = ds.date_formats.get_mut(index) {
            *f = None;
        }
    }
    if let Some(t) = ds.types.get_mut(index) {
        *t = ty;
    }
    Ok(())
}

/// Inserts a new column at `index`, with a name not yet used.
fn insert(
    ds: &mut Dataset,
    index: usize,
    name: &str,
    values: Values,
) -> Result<String, CleanError> {
    let height = ds.height();
    let name = unused_name(&ds.names(), name);
    let mut columns = ds.frame.columns().to_vec();
    let at = index.min(columns.len());
    ds.types.insert(at, values.column_type());
    ds.date_formats.insert(at, None);
    columns.insert(at, values.into_column(&name));
    rebuild(ds, columns, height)?;
    Ok(name)
}

fn remove(ds: &mut Dataset, index: usize) -> Result<String, CleanError> {
    let height = ds.height();
    let mut columns = ds.frame.columns().to_vec();
    if index >= columns.len() {
        return Err(CleanError::Internal {
            message: format!("no column {index}"),
        });
    }
    let removed = columns.remove(index);
    ds.types.remove(index);
    ds.date_formats.remove(index);
    rebuild(ds, columns, height)?;
    Ok(removed.name().to_string())
}

/// `name`, or `name_2`, `name_3`… when taken.
fn unused_name(taken: &[String], name: &str) -> String {
    if !taken.iter().any(|t| t == name) {
        return name.to_string();
    }
    (2..)
        .map(|i| format!("{name}_{i}"))
        .find(|n| !taken.iter().any(|t| t == n))
        .unwrap_or_else(|| name.to_string())
}

/// Keeps the rows where `keep` is true, noting which in the report.
fn keep_rows(ds: &mut Dataset, keep: Vec<bool>, r: &mut StepReport) -> Result<(), CleanError> {
    if keep.iter().all(|k| *k) {
        return Ok(());
    }
    let mask = BooleanChunked::from_slice(PlSmallStr::from("keep"), &keep);
    ds.frame = ds.frame.filter(&mask).map_err(internal)?;
    r.kept = Some(keep);
    Ok(())
}

/// Non-missing numbers, sorted.
fn sorted_numbers(v: &[Option<f64>]) -> Vec<f64> {
    let mut s: Vec<f64> = Vec::with_capacity(v.iter().filter(|x| x.is_some()).count());
    s.extend(v.iter().flatten());
    crate::core::sort::sort_values(&mut s);
    s
}

/// Summary statistics of a numeric column (non-missing values).
#[derive(Clone, Copy, Debug, Default)]
pub struct Stats {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n - 1).
    pub std: f64,
    /// Population standard deviation (n).
    pub std_pop: f64,
    pub min: f64,
    pub max: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    /// Adjusted Fisher-Pearson skewness (pandas' `skew`), 0 when undefined.
    pub skew: f64,
}

pub fn stats(v: &[Option<f64>]) -> Option<Stats> {
    stats_sorted(&sorted_numbers(v))
}

/// [`Stats`] of a float column's present values.
fn float_stats(c: &Float64Chunked) -> Option<Stats> {
    stats_of(present_floats(c))
}

/// The median of present values in any order (numpy's: the mean of the
/// two middle ones of an even count), by selection, in place.
fn median(mut xs: Vec<f64>) -> Option<f64> {
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let mid = (n - 1) / 2;
    let (_, &mut lo, above) = xs.select_nth_unstable_by(mid, f64::total_cmp);
    Some(if n.is_multiple_of(2) {
        let hi = above.iter().copied().min_by(f64::total_cmp).unwrap_or(lo);
        quantile(&[lo, hi], 0.5).unwrap_or(lo)
    } else {
        lo
    })
}

/// [`Stats`] of present values in any order (sorted here, in place).
pub fn stats_of(mut xs: Vec<f64>) -> Option<Stats> {
    // The moments in the values' order, the quartiles by selection: no
    // sort and no second buffer (8 bytes a value less at the peak).
    let m = Moments::of(&xs)?;
    // The extremes in `total_cmp`'s order, as a sort gives them.
    let first = *xs.first()?;
    let (min, max) = xs.iter().fold((first, first), |(lo, hi), &x| {
        (
            if x.total_cmp(&lo).is_lt() { x } else { lo },
            if x.total_cmp(&hi).is_gt() { x } else { hi },
        )
    });
    let q = quantiles_selected(&mut xs, &[0.25, 0.5, 0.75]);
    let q = |i: usize| q.get(i).copied().flatten().unwrap_or(f64::NAN);
    Some(Stats::of(m, (min, max), [q(0), q(1), q(2)]))
}

/// [`Stats`] of numbers sorted ascending (by `sort::sort_values`).
pub fn stats_sorted(sorted: &[f64]) -> Option<Stats> {
    let m = Moments::of(sorted)?;
    let q = |p| quantile(sorted, p).unwrap_or(f64::NAN);
    let extremes = (
        sorted.first().copied().unwrap_or(f64::NAN),
        sorted.last().copied().unwrap_or(f64::NAN),
    );
    Some(Stats::of(m, extremes, [q(0.25), q(0.5), q(0.75)]))
}

impl Stats {
    /// The statistics from the moments, the extremes and the quartiles.
    fn of(m: Moments, (min, max): (f64, f64), [p25, p50, p75]: [f64; 3]) -> Stats {
        Stats {
            n: m.n,
            mean: m.mean,
            std: m.std,
            std_pop: m.std_pop,
            min,
            max,
            p25,
            p50,
            p75,
            skew: m.skew,
        }
    }
}

/// The moments of [`Stats`], which need no sort: one pass for the mean,
/// one for the second and third central moments (compensated sums).
#[derive(Clone, Copy, Debug)]
pub struct Moments {
    pub n: usize,
    pub mean: f64,
    pub std: f64,
    pub std_pop: f64,
    pub skew: f64,
}

impl Moments {
    /// The moments of `values` (in any order; None when empty).
    pub fn of(values: &[f64]) -> Option<Moments> {
        let n = values.len();
        if n == 0 {
            return None;
        }
        let nf = n as f64;
        let mean = accurate_sum(values.iter().copied()) / nf;
        let m2 = accurate_sum(values.iter().map(|x| (x - mean).powi(2)));
        let m3 = accurate_sum(values.iter().map(|x| (x - mean).powi(3)));
        let std = if n > 1 {
            (m2 / (nf - 1.0)).sqrt()
        } else {
            f64::NAN
        };
        let skew = if n > 2 && m2 > 0.0 {
            let g1 = (m3 / nf) / (m2 / nf).powf(1.5);
            g1 * (nf * (nf - 1.0)).sqrt() / (nf - 2.0)
        } else {
            0.0
        };
        Some(Moments {
            n,
            mean,
            std,
            std_pop: (m2 / nf).sqrt(),
            skew,
        })
    }
}

/// The most frequent value (ties: the smallest), over the cells' keys.
fn mode_of<T: Clone + Eq + std::hash::Hash>(
    cells: impl Iterator<Item = T>,
    cmp: impl Fn(&T, &T) -> Ordering,
) -> Option<T> {
    count_values(cells)
        .into_iter()
        .max_by(|(a, na), (b, nb)| na.cmp(nb).then_with(|| cmp(b, a)))
        .map(|(v, _)| v)
}

/// A number in a step's detail: three significant figures, as in every
/// sentence (the exact value is in the data and the SQL).
fn show(v: f64) -> String {
    crate::core::format::short(v)
}

/// Reads `text` as a value of type `ty` (for constants and filters).
fn parse_as(ty: ColumnType, text: &str) -> Option<Values> {
    let t = trim_cell(text);
    Some(match ty {
        ColumnType::Integer => Values::Int(vec![Some(parse_i64(t)?)]),
        ColumnType::Float => Values::Float(vec![Some(parse_f64(t)?)]),
        ColumnType::Boolean => Values::Bool(vec![Some(parse_bool_loose(t)?)]),
        ColumnType::Date => Values::Date(vec![Some(parse_date_days(t, DateOrder::Ymd)?)]),
        ColumnType::Datetime => {
            Values::Datetime(vec![Some(parse_datetime_micros(t, DateOrder::Ymd)?)])
        }
        ColumnType::String => texts(std::iter::once(Some(text))),
    })
}

/// true/false, yes/no, 1/0, in any case.
pub fn parse_bool_loose(s: &str) -> Option<bool> {
    parse_bool(s).or_else(|| match s.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    })
}

/// Title case: each space-separated word's first letter upper case, the
/// rest lower case.
pub fn title_case(s: &str) -> String {
    s.split(' ')
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first
                    .to_uppercase()
                    .chain(cs.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<String>>()
        .join(" ")
}

/// A float as a key: its bits, every NaN as one (they share a text).
fn float_key(x: f64) -> u64 {
    if x.is_nan() {
        f64::NAN.to_bits()
    } else {
        x.to_bits()
    }
}

/// How often each value occurs, counted by value (no text made per cell).
fn count_values<K: Hash + Eq>(cells: impl Iterator<Item = K>) -> HashMap<K, u64> {
    let mut counts: HashMap<K, u64> = HashMap::default();
    for c in cells {
        *counts.entry(c).or_insert(0) += 1;
    }
    counts
}

/// `cell` in `case`; borrowed when it is already so.
fn change_case(cell: &str, case: Case) -> Cow<'_, str> {
    // (No shortcut on "has no upper case letter": a title-case letter
    // such as "ǅ" is neither, and still changes.)
    let new = match case {
        Case::Lower => cell.to_lowercase(),
        Case::Upper => cell.to_uppercase(),
        Case::Title => title_case(cell),
    };
    if new == cell {
        Cow::Borrowed(cell)
    } else {
        Cow::Owned(new)
    }
}

/// Categories of a column as text, most frequent first (ties by text).
///
/// Counted by value, then each distinct value written once (values with
/// one text count as one category).
pub fn categories(v: &Values) -> Vec<(String, u64)> {
    fn as_text<K>(counts: HashMap<K, u64>, show: impl Fn(K) -> String) -> Vec<(String, u64)> {
        let mut merged: HashMap<String, u64> = HashMap::default();
        for (k, n) in counts {
            *merged.entry(show(k)).or_insert(0) += n;
        }
        merged.into_iter().collect()
    }
    let mut out = match v {
        Values::Int(x) => as_text(count_values(x.iter().flatten()), |k| k.to_string()),
        Values::Float(x) => as_text(
            count_values(x.iter().flatten().map(|&x| float_key(x))),
            |k| f64::from_bits(k).to_string(),
        ),
        Values::Bool(x) => as_text(count_values(x.iter().flatten()), |k| k.to_string()),
        Values::Date(x) => as_text(count_values(x.iter().flatten()), |k| format_date(*k)),
        Values::Datetime(x) => as_text(count_values(x.iter().flatten()), |k| {
            crate::core::infer::format_datetime(*k)
        }),
        Values::Text(x) => count_values(x.iter().flatten())
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect(),
    };
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// Whether every present value differs from the others (stops at the
/// first repeat; counted by value, as [`distinct_count`]).
///
/// Memory: the first 65,536 cells are checked in a set that grows as it
/// needs (most columns repeat a value by then); past them the set is
/// made once for every present cell (no doubling, whose old and new
/// tables together took 1.5 times the set). Text is first checked by a
/// 64-bit hash of each cell (8 bytes, not a 16-byte slice); only when two
/// hashes meet is it checked again by the texts themselves (a column
/// with a repeat far down is read twice).
pub fn all_distinct(v: &Values) -> bool {
    // Counted only when the first cells hold no repeat.
    let present = || v.len() - v.missing();
    match v {
        Values::Int(x) | Values::Datetime(x) => all_distinct_in(x.iter().flatten(), present),
        Values::Float(x) => all_distinct_in(x.iter().flatten().map(|&x| float_key(x)), present),
        Values::Bool(x) => all_distinct_in(x.iter().flatten(), present),
        Values::Date(x) => all_distinct_in(x.iter().flatten(), present),
        Values::Text(x) => {
            let state = PlRandomState::default();
            all_distinct_in(x.iter().flatten().map(|s| state.hash_one(s)), present)
                || all_distinct_in(x.iter().flatten(), present)
        }
    }
}

/// Whether the `cells` (`count()` of them) are all different (see
/// [`all_distinct`]).
fn all_distinct_in<K: Hash + Eq>(
    mut cells: impl Iterator<Item = K>,
    count: impl Fn() -> usize,
) -> bool {
    const FIRST: usize = 1 << 16;
    let mut seen: polars_core::prelude::PlHashSet<K> = Default::default();
    if !cells.by_ref().take(FIRST).all(|c| seen.insert(c)) {
        return false;
    }
    seen.reserve(count().saturating_sub(seen.len()));
    cells.all(|c| seen.insert(c))
}

/// How many categories [`categories`] would list, counting no further
/// than `at_most + 1` (a bound the caller compares with). Counted by
/// value: numbers, dates and booleans write distinct values as distinct
/// texts, every NaN as one.
pub fn distinct_count(v: &Values, at_most: usize) -> usize {
    match v {
        Values::Int(x) | Values::Datetime(x) => count_distinct(x.iter().flatten(), at_most),
        Values::Float(x) => count_distinct(x.iter().flatten().map(|&x| float_key(x)), at_most),
        Values::Bool(x) => count_distinct(x.iter().flatten(), at_most),
        Values::Date(x) => count_distinct(x.iter().flatten(), at_most),
        Values::Text(x) => count_distinct(x.iter().flatten(), at_most),
    }
}

/// [`distinct_count`] of a numeric column's present values.
pub fn distinct_numbers(xs: &[f64], at_most: usize) -> usize {
    count_distinct(xs.iter().map(|&x| float_key(x)), at_most)
}

fn count_distinct<K: Hash + Eq>(cells: impl Iterator<Item = K>, at_most: usize) -> usize {
    let mut seen: polars_core::prelude::PlHashSet<K> = Default::default();
    for c in cells {
        if seen.insert(c) && seen.len() > at_most {
            break;
        }
    }
    seen.len()
}

/// The outlier bounds of a numeric column under `rule`.
pub fn outlier_bounds(st: &Stats, rule: OutlierRule) -> (f64, f64) {
    match rule {
        OutlierRule::Iqr { k } => {
            let iqr = st.p75 - st.p25;
            (st.p25 - k * iqr, st.p75 + k * iqr)
        }
        OutlierRule::Zscore { threshold } => {
            (st.mean - threshold * st.std, st.mean + threshold * st.std)
        }
    }
}

/// The report a step starts with, once every column it names is found.
fn start(ds: &Dataset, step: &Step) -> Result<StepReport, CleanError> {
    let op = step.op();
    // Every named column must exist before anything changes.
    for c in step.columns() {
        index_of(ds, op, c)?;
    }
    Ok(StepReport {
        op: op.to_string(),
        description: step.describe(),
        rows_before: ds.height() as u64,
        ..StepReport::default()
    })
}

/// What a one-hot step makes of a column: the categories kept (most
/// frequent first), whether the rest go to an "other" column, and the new
/// columns' names (free in the data once the column is removed): what
/// `apply` builds and the SQL export freezes.
pub(crate) struct OneHotPlan {
    pub kept: Vec<String>,
    pub other: bool,
    /// The number of categories.
    pub categories: usize,
    /// One per kept category, then "other"'s.
    pub names: Vec<String>,
}

impl OneHotPlan {
    pub(crate) fn of(
        ds: &Dataset,
        op: &str,
        column: &str,
        max_categories: usize,
        v: &Values,
    ) -> Result<OneHotPlan, CleanError> {
        if max_categories == 0 {
            return Err(bad(op, "keep at least one category".to_string()));
        }
        let cats = categories(v);
        let kept: Vec<String> = cats
            .iter()
            .take(max_categories)
            .map(|c| c.0.clone())
            .collect();
        let other = cats.len() > kept.len();
        check_width(op, column, kept.len() + usize::from(other))?;
        let mut taken: Vec<String> = ds.names().into_iter().filter(|n| n != column).collect();
        let wanted = kept
            .iter()
            .map(|cat| one_hot_name(column, cat))
            .chain(other.then(|| format!("{column}_other")));
        let mut names = Vec::new();
        for want in wanted {
            let name = unused_name(&taken, &want);
            taken.push(name.clone());
            names.push(name);
        }
        Ok(OneHotPlan {
            kept,
            other,
            categories: cats.len(),
            names,
        })
    }

    fn report(&self, column: &str, r: &mut StepReport) {
        let n = self.categories;
        r.detail = format!(
            "{n} categor{}{}",
            if n == 1 { "y" } else { "ies" },
            if self.other {
                format!("; {} rarest in {column}_other", n - self.kept.len())
            } else {
                String::new()
            }
        );
        r.columns_removed.push(column.to_string());
        r.columns_added.extend(self.names.iter().cloned());
    }
}

/// The report `apply` would give, without making the step's columns, for
/// the steps that only add columns from one (one-hot); None for the
/// others. The proposer's dry run of a step for models, which it does not
/// keep, needs only the report: a one-hot step of 8 categories would make
/// 8 columns of the rows.
pub fn report_without_data(ds: &Dataset, step: &Step) -> Option<Result<StepReport, CleanError>> {
    let Step::OneHot {
        column,
        max_categories,
    } = step
    else {
        return None;
    };
    Some((|| {
        let mut r = start(ds, step)?;
        let i = index_of(ds, step.op(), column)?;
        let plan = OneHotPlan::of(ds, step.op(), column, *max_categories, &values(ds, i)?)?;
        plan.report(column, &mut r);
        finish(ds, r)
    })())
}

/// Applies `step` to `ds` in place.
pub fn apply(ds: &mut Dataset, step: &Step) -> Result<StepReport, CleanError> {
    let op = step.op();
    let mut r = start(ds, step)?;
    match step {
        Step::DropMissingRows { columns } => {
            let idx: Vec<usize> = if columns.is_empty() {
                (0..ds.width()).collect()
            } else {
                columns
                    .iter()
                    .map(|c| index_of(ds, op, c))
                    .collect::<Result<_, _>>()?
            };
            let cols: Vec<Values> = idx
                .iter()
                .map(|&i| values(ds, i))
                .collect::<Result<_, _>>()?;
            let mut keep = vec![true; ds.height()];
            for c in &cols {
                for (k, present) in keep.iter_mut().zip(c.present()) {
                    *k &= present;
                }
            }
            keep_rows(ds, keep, &mut r)?;
        }
        Step::DropSparseColumns { max_missing } => {
            if !(0.0..=1.0).contains(max_missing) {
                return Err(bad(
                    op,
                    format!("the missing share must be between 0 and 1, not {max_missing}"),
                ));
            }
            let height = ds.height().max(1) as f64;
            let mut i = 0;
            while i < ds.width() {
                let share = values(ds, i)?.missing() as f64 / height;
                if share > *max_missing {
                    r.columns_removed.push(remove(ds, i)?);
                } else {
                    i += 1;
                }
            }
        }
        Step::FillMissing { column, fill } => {
            let i = index_of(ds, op, column)?;
            let average = matches!(fill, Fill::Mean | Fill::Median);
            match (fill, average.then(|| float_column(ds, i)).flatten()) {
                // Numbers as polars holds them (a float column shared).
                (Fill::Mean | Fill::Median, Some(nums)) => fill_average(nums, fill, &mut r)
                    .map_or(Ok(()), |filled| replace_floats(ds, i, filled))?,
                _ => {
                    let v = values(ds, i)?;
                    if let Some(filled) = fill_missing(op, column, v, fill, &mut r)? {
                        replace(ds, i, filled)?;
                    }
                }
            }
        }
        Step::DropDuplicates => {
            let keep: Vec<bool> = duplicate_flags(ds).into_iter().map(|d| !d).collect();
            keep_rows(ds, keep, &mut r)?;
        }
        Step::Trim { columns } => {
            let idx: Vec<usize> = if columns.is_empty() {
                (0..ds.width())
                    .filter(|&i| ds.types.get(i) == Some(&ColumnType::String))
                    .collect()
            } else {
                columns
                    .iter()
                    .map(|c| index_of(ds, op, c))
                    .collect::<Result<_, _>>()?
            };
            for i in idx {
                let Values::Text(v) = values(ds, i)? else {
                    let name = ds.names().get(i).cloned().unwrap_or_default();
                    return Err(wrong_type(op, &name, ds.types[i], "text"));
                };
                let trim = |cell: &str| cell.trim_matches(TRIM_CHARS).len() != cell.len();
                let changed = v.iter().flatten().filter(|c| trim(c)).count() as u64;
                if changed > 0 {
                    r.cells_changed += changed;
                    let trimmed =
                        map_texts(&v, |c| c.map(|c| Cow::Borrowed(c.trim_matches(TRIM_CHARS))))
                            .map_err(internal)?;
                    replace(ds, i, trimmed)?;
                }
            }
        }
        Step::ChangeCase { column, case } => {
            let i = index_of(ds, op, column)?;
            let Values::Text(v) = values(ds, i)? else {
                return Err(wrong_type(op, column, ds.types[i], "text"));
            };
            let mut changed = 0;
            let out = map_texts(&v, |cell| {
                let new = change_case(cell?, *case);
                if let Cow::Owned(_) = new {
                    changed += 1;
                }
                Some(new)
            })
            .map_err(internal)?;
            r.cells_changed = changed;
            replace(ds, i, out)?;
        }
        Step::MergeValues(Merge { column, groups }) => {
            let i = index_of(ds, op, column)?;
            let Values::Text(v) = values(ds, i)? else {
                return Err(wrong_type(op, column, ds.types[i], "text"));
            };
            // Each spelling to its value (a spelling in two groups: the
            // first group's).
            let mut to: HashMap<&str, &str> = HashMap::default();
            for g in groups {
                for from in &g.values {
                    to.entry(from.as_str()).or_insert(g.into.as_str());
                }
            }
            let mut changed = 0;
            let out = map_texts(&v, |cell| {
                let cell = cell?;
                Some(Cow::Borrowed(match to.get(cell) {
                    Some(into) if *into != cell => {
                        changed += 1;
                        *into
                    }
                    _ => cell,
                }))
            })
            .map_err(internal)?;
            r.cells_changed = changed;
            r.detail = crate::core::format::count(groups.len() as u64, "group", "groups");
            replace(ds, i, out)?;
        }
        Step::NormaliseNames => {
            let old = ds.names();
            let mut new: Vec<String> = Vec::with_capacity(old.len());
            for name in &old {
                let n = unused_name(&new, &snake_case(name));
                new.push(n);
            }
            let renamed = old.iter().zip(&new).filter(|(a, b)| a != b).count();
            ds.frame.set_column_names(&new).map_err(internal)?;
            r.detail = format!("{renamed} of {} names changed", old.len());
        }
        Step::Cast { column, to } => {
            let i = index_of(ds, op, column)?;
            let v = values(ds, i)?;
            let (out, failed) = cast(op, column, &v, *to)?;
            // The values lost: those that did not convert.
            r.cells_changed = failed.0;
            r.detail = format!(
                "{} value{} did not convert and became missing",
                failed.0,
                if failed.0 == 1 { "" } else { "s" }
            );
            r.examples = failed.1;
            replace(ds, i, out)?;
        }
        Step::Outliers {
            column,
            rule,
            action,
        } => {
            match rule {
                OutlierRule::Iqr { k } if k.partial_cmp(&0.0) != Some(Ordering::Greater) => {
                    return Err(bad(op, format!("k must be above 0, not {k}")))
                }
                OutlierRule::Zscore { threshold }
                    if threshold.partial_cmp(&0.0) != Some(Ordering::Greater) =>
                {
                    return Err(bad(
                        op,
                        format!("the threshold must be above 0, not {threshold}"),
                    ))
                }
                _ => {}
            }
            let i = index_of(ds, op, column)?;
            let Some(nums) = float_column(ds, i) else {
                return Err(wrong_type(op, column, ds.types[i], "numbers"));
            };
            let Some(st) = float_stats(&nums) else {
                r.detail = "no values".to_string();
                return finish(ds, r);
            };
            let (lo, hi) = outlier_bounds(&st, *rule);
            let is_out = |x: Option<f64>| x.is_some_and(|x| x < lo || x > hi);
            let mut count = 0;
            each_present(&nums, |_, x| count += usize::from(x < lo || x > hi));
            r.detail = format!(
                "bounds {} to {}; {count} outlier{}",
                show(lo),
                show(hi),
                if count == 1 { "" } else { "s" }
            );
            match action {
                OutlierAction::Flag => {
                    let flags: Vec<Option<bool>> =
                        nums.iter().map(|x| x.map(|x| x < lo || x > hi)).collect();
                    drop(nums);
                    let name =
                        insert(ds, i + 1, &format!("{column}_outlier"), Values::Bool(flags))?;
                    r.columns_added.push(name);
                }
                OutlierAction::Cap => {
                    // (Not `clamp`: bounds are NaN when the std is, e.g.
                    // for one value; then nothing is out and nothing moves.)
                    let cap = |x: f64| {
                        if x < lo {
                            lo
                        } else if x > hi {
                            hi
                        } else {
                            x
                        }
                    };
                    r.cells_changed = count as u64;
                    if count > 0 {
                        replace_floats(ds, i, nums.apply_values(cap))?;
                    }
                }
                OutlierAction::Remove => {
                    let keep: Vec<bool> = nums.iter().map(|x| !is_out(x)).collect();
                    keep_rows(ds, keep, &mut r)?;
                }
            }
        }
        Step::OneHot {
            column,
            max_categories,
        } => {
            let i = index_of(ds, op, column)?;
            let v = values(ds, i)?;
            let plan = OneHotPlan::of(ds, op, column, *max_categories, &v)?;
            plan.report(column, &mut r);
            // Each row's category: its place among the kept ones, the
            // number kept for any other value, u32::MAX when missing
            // (4 bytes a row: at most MAX_NEW_COLUMNS are kept).
            let place: HashMap<&str, u32> = (0..)
                .zip(&plan.kept)
                .map(|(k, c)| (c.as_str(), k))
                .collect();
            let other_code = plan.kept.len() as u32;
            let mut codes: Vec<u32> = Vec::with_capacity(v.len());
            v.for_each_text(|t| {
                codes.push(t.map_or(u32::MAX, |t| place.get(t).copied().unwrap_or(other_code)));
            });
            drop(v);
            remove(ds, i)?;
            // One 0/1 column per kept category, then "other"; the plan's
            // names are still free, so `insert` keeps them.
            for ((k, name), at) in (0..).zip(&plan.names).zip(i..) {
                let col: Vec<Option<i64>> =
                    codes.iter().map(|&c| Some(i64::from(c == k))).collect();
                insert(ds, at, name, Values::Int(col))?;
            }
        }
        Step::Ordinal { column, order } => {
            let i = index_of(ds, op, column)?;
            let v = values(ds, i)?;
            let order: Vec<String> = if order.is_empty() {
                // The values in their natural order: numbers by value,
                // dates by date (ISO text sorts by date), text by bytes.
                let mut c: Vec<String> = categories(&v).into_iter().map(|c| c.0).collect();
                if v.numbers().is_some() {
                    let num = |s: &String| parse_f64(s).unwrap_or(f64::NAN);
                    c.sort_by(|a, b| num(a).total_cmp(&num(b)));
                } else {
                    c.sort();
                }
                c
            } else {
                order.clone()
            };
            let code: HashMap<&str, i64> = order
                .iter()
                .enumerate()
                .map(|(n, s)| (s.as_str(), n as i64))
                .collect();
            let mut unknown = 0u64;
            let mut out: Vec<Option<i64>> = Vec::with_capacity(v.len());
            v.for_each_text(|t| {
                out.push(t.and_then(|t| {
                    let c = code.get(t).copied();
                    if c.is_none() {
                        unknown += 1;
                    }
                    c
                }));
            });
            r.cells_changed = out.iter().flatten().count() as u64;
            r.detail = format!(
                "{} categories: {}{}",
                order.len(),
                order
                    .iter()
                    .take(8)
                    .enumerate()
                    .map(|(n, s)| format!("{s} = {n}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                if unknown > 0 {
                    format!("; {unknown} other values became missing")
                } else {
                    String::new()
                }
            );
            replace(ds, i, Values::Int(out))?;
        }
        Step::Scale { column, method } => {
            let i = index_of(ds, op, column)?;
            let Some(nums) = float_column(ds, i) else {
                return Err(wrong_type(op, column, ds.types[i], "numbers"));
            };
            if let Some(st) = float_stats(&nums) {
                let (center, scale) = scale_params(&st, *method);
                r.detail = format!("centre {}, scale {}", show(center), show(scale));
                // A value whose scaled value differs (NaN always) is
                // changed.
                let to = |x: f64| (x - center) / scale;
                let mut changed = 0;
                each_present(&nums, |_, x| changed += u64::from(to(x) != x));
                r.cells_changed = changed;
                replace_floats(ds, i, nums.apply_values(to))?;
            } else {
                r.detail = "no values".to_string();
            }
        }
        Step::Transform { column, transform } => {
            let i = index_of(ds, op, column)?;
            let v = values(ds, i)?;
            let ty = v.column_type();
            let Some(nums) = v.into_numbers() else {
                return Err(wrong_type(op, column, ty, "numbers"));
            };
            if let Some(why) = nums.iter().flatten().find_map(|&x| transform.refuses(x)) {
                return Err(bad(op, format!("{column}: {why}")));
            }
            let xs: Vec<f64> = nums.iter().flatten().copied().collect();
            let given = *transform;
            let Some(transform) = transform.fit(&xs) else {
                return Err(bad(
                    op,
                    format!("{column}: λ cannot be fitted on fewer than two different values"),
                ));
            };
            if transform != given {
                r.fitted = Some(Step::Transform {
                    column: column.clone(),
                    transform,
                });
            }
            if let Some(why) = xs.iter().find_map(|&x| transform.refuses(x)) {
                return Err(bad(op, format!("{column}: {why}")));
            }
            let out: Vec<Option<f64>> = nums.iter().map(|x| x.map(|x| transform.of(x))).collect();
            r.cells_changed = nums
                .iter()
                .zip(&out)
                .filter(|(a, b)| a.is_some() && a != b)
                .count() as u64;
            if let (Some(before), Some(after)) = (stats(&nums), stats(&out)) {
                r.detail = match transform {
                    Transform::YeoJohnson { lambda: Some(l) } => format!(
                        "λ = {}; skew {} → {}",
                        show(l),
                        show(before.skew),
                        show(after.skew)
                    ),
                    _ => format!("skew {} → {}", show(before.skew), show(after.skew)),
                };
            }
            replace(ds, i, Values::Float(out))?;
        }
        Step::DropColumns { columns } => {
            for c in columns {
                let i = index_of(ds, op, c)?;
                r.columns_removed.push(remove(ds, i)?);
            }
        }
        Step::DateParts { column, parts } => {
            let i = index_of(ds, op, column)?;
            let days: Vec<Option<i32>> = match values(ds, i)? {
                Values::Date(v) => v,
                Values::Datetime(v) => v
                    .iter()
                    .map(|x| x.map(|m| m.div_euclid(86_400_000_000) as i32))
                    .collect(),
                other => return Err(wrong_type(op, column, other.column_type(), "dates")),
            };
            for (at, part) in (i + 1..).zip(parts) {
                let col: Vec<Option<i64>> = days
                    .iter()
                    .map(|d| d.map(|d| date_part(d, *part)))
                    .collect();
                let name = insert(
                    ds,
                    at,
                    &format!("{column}_{}", part.name()),
                    Values::Int(col),
                )?;
                r.columns_added.push(name);
            }
        }
        Step::Rename { column, to } => {
            if to.trim().is_empty() {
                return Err(bad(op, "the new name is empty".to_string()));
            }
            if to != column && ds.names().iter().any(|n| n == to) {
                return Err(bad(op, format!("a column named \"{to}\" already exists")));
            }
            ds.frame
                .rename(column, PlSmallStr::from(to.as_str()))
                .map_err(internal)?;
        }
        Step::Filter {
            column,
            test,
            value,
        } => {
            let i = index_of(ds, op, column)?;
            let v = values(ds, i)?;
            let keep = filter_mask(op, column, &v, *test, value)?;
            keep_rows(ds, keep, &mut r)?;
        }
    }
    finish(ds, r)
}

fn finish(ds: &Dataset, mut r: StepReport) -> Result<StepReport, CleanError> {
    r.rows_after = ds.height() as u64;
    Ok(r)
}

/// `<column>_<value>` for a one-hot column.
/// Refuses a step that would create more than
/// [`super::MAX_NEW_COLUMNS`] columns from `column`.
pub fn check_width(op: &str, column: &str, columns: usize) -> Result<(), CleanError> {
    if columns > super::MAX_NEW_COLUMNS {
        return Err(CleanError::TooWide {
            step: 0,
            op: op.to_string(),
            column: column.to_string(),
            columns,
            limit: super::MAX_NEW_COLUMNS,
        });
    }
    Ok(())
}

fn one_hot_name(column: &str, value: &str) -> String {
    format!("{column}_{}", snake_case(value))
}

/// Centre and scale of a scaling method (a zero scale becomes 1).
pub fn scale_params(st: &Stats, method: Scaling) -> (f64, f64) {
    let (center, scale) = match method {
        Scaling::Standard => (st.mean, st.std_pop),
        Scaling::MinMax => (st.min, st.max - st.min),
        Scaling::Robust => (st.p50, st.p75 - st.p25),
    };
    (
        center,
        if scale == 0.0 || !scale.is_finite() {
            1.0
        } else {
            scale
        },
    )
}

/// A calendar part of a day number.
pub fn date_part(days: i32, part: DatePart) -> i64 {
    use chrono::Datelike;
    let date = chrono::NaiveDate::from_ymd_opt(1970, 1, 1)
        .and_then(|d| d.checked_add_signed(chrono::Duration::days(i64::from(days))));
    let Some(d) = date else {
        return 0;
    };
    match part {
        DatePart::Year => i64::from(d.year()),
        DatePart::Quarter => i64::from((d.month() - 1) / 3 + 1),
        DatePart::Month => i64::from(d.month()),
        DatePart::Day => i64::from(d.day()),
        DatePart::Weekday => i64::from(d.weekday().num_days_from_monday()),
    }
}

/// A numeric column's missing cells filled with its mean or median (None
/// when it has no values).
///
/// Memory: the mean reads the column in place; the median copies its
/// present values (8 bytes each) and selects the middle ones, without a
/// sort's second buffer.
fn fill_average(nums: Float64Chunked, fill: &Fill, r: &mut StepReport) -> Option<Float64Chunked> {
    let average = match fill {
        Fill::Median => median(present_floats(&nums)).map(|m| (m, "median")),
        _ => {
            let n = nums.len() - nums.null_count();
            let sum = accurate_sum(nums.downcast_iter().flat_map(|a| a.non_null_values_iter()));
            (n > 0).then(|| (sum / n as f64, "mean"))
        }
    };
    let Some((with, what)) = average else {
        r.detail = "no values to compute from".to_string();
        return None;
    };
    r.detail = format!("{what} {}", show(with));
    r.cells_changed = nums.null_count() as u64;
    let filled = nums.downcast_iter().map(|a| match a.validity() {
        Some(valid) => PrimitiveArray::from_vec(
            a.values()
                .iter()
                .zip(valid.iter())
                .map(|(&x, ok)| if ok { x } else { with })
                .collect(),
        ),
        // Nothing missing: the array as it is (shared).
        None => a.clone(),
    });
    Some(Float64Chunked::from_chunk_iter(nums.name().clone(), filled))
}

fn fill_missing(
    op: &str,
    column: &str,
    v: Values,
    fill: &Fill,
    r: &mut StepReport,
) -> Result<Option<Values>, CleanError> {
    let missing = v.missing() as u64;
    match fill {
        // A numeric column is filled by `fill_average` (as floats).
        Fill::Mean | Fill::Median => Err(wrong_type(op, column, v.column_type(), "numbers")),
        Fill::Mode => {
            let (out, shown) = match v {
                Values::Int(x) => {
                    let m = mode_of(x.iter().flatten().copied(), i64::cmp);
                    (Values::Int(fill_vec(x, m)), m.map(|m| m.to_string()))
                }
                Values::Float(x) => {
                    // -0.0 and 0.0 count as one value.
                    let key = |v: f64| {
                        if v == 0.0 {
                            0.0f64.to_bits()
                        } else {
                            v.to_bits()
                        }
                    };
                    let m = mode_of(x.iter().flatten().map(|&v| key(v)), |a, b| {
                        f64::from_bits(*a).total_cmp(&f64::from_bits(*b))
                    })
                    .map(f64::from_bits);
                    (Values::Float(fill_vec(x, m)), m.map(|m| m.to_string()))
                }
                Values::Bool(x) => {
                    let m = mode_of(x.iter().flatten().copied(), bool::cmp);
                    (Values::Bool(fill_vec(x, m)), m.map(|m| m.to_string()))
                }
                Values::Date(x) => {
                    let m = mode_of(x.iter().flatten().copied(), i32::cmp);
                    (Values::Date(fill_vec(x, m)), m.map(format_date))
                }
                Values::Datetime(x) => {
                    let m = mode_of(x.iter().flatten().copied(), i64::cmp);
                    let shown = m.map(crate::core::infer::format_datetime);
                    (Values::Datetime(fill_vec(x, m)), shown)
                }
                Values::Text(x) => {
                    let m = mode_of(x.iter().flatten(), |a: &&str, b: &&str| a.cmp(b));
                    (
                        map_texts(&x, |t| t.or(m).map(Cow::Borrowed)).map_err(internal)?,
                        m.map(str::to_string),
                    )
                }
            };
            match shown {
                Some(m) => {
                    r.detail = format!("most frequent value {m}");
                    r.cells_changed = missing;
                    Ok(Some(out))
                }
                None => {
                    r.detail = "no values to compute from".to_string();
                    Ok(None)
                }
            }
        }
        Fill::Constant { value } => {
            let ty = v.column_type();
            let Some(c) = parse_as(ty, value) else {
                return Err(bad(
                    op,
                    format!("\"{value}\" is not a {} value for {column}", ty.as_str()),
                ));
            };
            r.detail = format!("value {value}");
            r.cells_changed = missing;
            Ok(Some(fill_const(v, c)?))
        }
        Fill::Forward | Fill::Backward => {
            let forward = *fill == Fill::Forward;
            let (out, changed) = fill_along(v, forward);
            r.cells_changed = changed;
            Ok(Some(out))
        }
    }
}

fn fill_vec<T: Clone>(v: Vec<Option<T>>, with: Option<T>) -> Vec<Option<T>> {
    v.into_iter().map(|x| x.or_else(|| with.clone())).collect()
}

/// Fills missing cells of `v` with the single value in `c` (same type).
fn fill_const(v: Values, c: Values) -> Result<Values, CleanError> {
    fn first<T: Clone>(c: &[Option<T>]) -> Option<T> {
        c.first().cloned().flatten()
    }
    Ok(match (v, c) {
        (Values::Int(x), Values::Int(c)) => Values::Int(fill_vec(x, first(&c))),
        (Values::Datetime(x), Values::Datetime(c)) => Values::Datetime(fill_vec(x, first(&c))),
        (Values::Float(x), Values::Float(c)) => Values::Float(fill_vec(x, first(&c))),
        (Values::Bool(x), Values::Bool(c)) => Values::Bool(fill_vec(x, first(&c))),
        (Values::Date(x), Values::Date(c)) => Values::Date(fill_vec(x, first(&c))),
        (Values::Text(x), Values::Text(c)) => {
            let with = c.iter().next().flatten();
            map_texts(&x, |t| t.or(with).map(Cow::Borrowed)).map_err(internal)?
        }
        (v, _) => v,
    })
}

/// Forward (or backward) fill; returns the cells filled.
fn fill_along(v: Values, forward: bool) -> (Values, u64) {
    fn go<T: Clone>(mut x: Vec<Option<T>>, forward: bool) -> (Vec<Option<T>>, u64) {
        let mut last: Option<T> = None;
        let mut changed = 0;
        let n = x.len();
        for k in 0..n {
            let i = if forward { k } else { n - 1 - k };
            if let Some(cell) = x.get_mut(i) {
                match cell {
                    Some(v) => last = Some(v.clone()),
                    None => {
                        if last.is_some() {
                            *cell = last.clone();
                            changed += 1;
                        }
                    }
                }
            }
        }
        (x, changed)
    }
    match v {
        Values::Int(x) => {
            let (x, n) = go(x, forward);
            (Values::Int(x), n)
        }
        Values::Datetime(x) => {
            let (x, n) = go(x, forward);
            (Values::Datetime(x), n)
        }
        Values::Float(x) => {
            let (x, n) = go(x, forward);
            (Values::Float(x), n)
        }
        Values::Bool(x) => {
            let (x, n) = go(x, forward);
            (Values::Bool(x), n)
        }
        Values::Date(x) => {
            let (x, n) = go(x, forward);
            (Values::Date(x), n)
        }
        Values::Text(x) => {
            let (cells, n) = go(x.iter().collect(), forward);
            (texts(cells.into_iter()), n)
        }
    }
}

/// The date order and kind a text column's values read as, if any.
fn date_kind(texts: &StringChunked) -> Option<Kind> {
    let mut inf = Inference::new(false);
    for t in texts.iter().flatten() {
        inf.feed(t);
    }
    // Only the date evidence matters here: judge the non-numbers alone.
    let k = inf.decide().kind;
    matches!(k, Kind::Date(_) | Kind::Datetime(_)).then_some(k)
}

/// Reads each text cell (trimmed) with `parse`; cells that do not read
/// are passed to `fail` and become missing.
fn parse_texts<T>(
    x: &StringChunked,
    parse: impl Fn(&str) -> Option<T>,
    fail: &mut impl FnMut(Option<String>),
) -> Vec<Option<T>> {
    x.iter()
        .map(|t| {
            let t = t?;
            let p = parse(trim_cell(t));
            if p.is_none() {
                fail(Some(t.to_string()));
            }
            p
        })
        .collect()
}

/// Converts a column to `to`. Returns the new values and the values that
/// failed (count, a few distinct examples).
pub fn cast(
    op: &str,
    column: &str,
    v: &Values,
    to: ColumnType,
) -> Result<(Values, (u64, Vec<String>)), CleanError> {
    let from = v.column_type();
    let n = v.len();
    let mut failed = 0u64;
    let mut examples: Vec<String> = Vec::new();
    let mut fail = |text: Option<String>| {
        failed += 1;
        if let Some(t) = text {
            if examples.len() < EXAMPLES && !examples.contains(&t) {
                examples.push(t);
            }
        }
    };
    let refuse = || {
        Err(wrong_type(
            op,
            column,
            from,
            &format!("a type that converts to {}", to.as_str()),
        ))
    };
    let out = match (v, to) {
        (Values::Text(x), ColumnType::String) => Values::Text(x.clone()),
        (_, ColumnType::String) => {
            let mut b = StringChunkedBuilder::new(PlSmallStr::EMPTY, n);
            v.for_each_text(|t| b.append_option(t));
            Values::Text(b.finish())
        }
        (Values::Text(x), ColumnType::Integer) => Values::Int(parse_texts(x, parse_i64, &mut fail)),
        (Values::Text(x), ColumnType::Float) => Values::Float(parse_texts(x, parse_f64, &mut fail)),
        (Values::Text(x), ColumnType::Boolean) => {
            Values::Bool(parse_texts(x, parse_bool_loose, &mut fail))
        }
        (Values::Text(x), ColumnType::Date | ColumnType::Datetime) => {
            let order = match date_kind(x) {
                Some(Kind::Date(o) | Kind::Datetime(o)) => o,
                _ => DateOrder::Ymd,
            };
            if to == ColumnType::Date {
                let day = |t: &str| {
                    parse_date_days(t, order).or_else(|| {
                        parse_datetime_micros(t, order).map(|m| m.div_euclid(86_400_000_000) as i32)
                    })
                };
                Values::Date(parse_texts(x, day, &mut fail))
            } else {
                Values::Datetime(parse_texts(
                    x,
                    |t| parse_datetime_micros(t, order),
                    &mut fail,
                ))
            }
        }
        (Values::Int(x), ColumnType::Integer) => Values::Int(x.clone()),
        (Values::Int(x), ColumnType::Float) => {
            Values::Float(x.iter().map(|v| v.map(|v| v as f64)).collect())
        }
        (Values::Int(x), ColumnType::Boolean) => Values::Bool(
            x.iter()
                .map(|v| {
                    let v = (*v)?;
                    match v {
                        0 => Some(false),
                        1 => Some(true),
                        other => {
                            fail(Some(other.to_string()));
                            None
                        }
                    }
                })
                .collect(),
        ),
        (Values::Float(x), ColumnType::Float) => Values::Float(x.clone()),
        (Values::Float(x), ColumnType::Integer) => Values::Int(
            x.iter()
                .map(|v| {
                    let v = (*v)?;
                    // Whole numbers only, within the integer range.
                    if v.fract() == 0.0
                        && (-9.007_199_254_740_992e15..=9.007_199_254_740_992e15).contains(&v)
                    {
                        Some(v as i64)
                    } else {
                        fail(Some(v.to_string()));
                        None
                    }
                })
                .collect(),
        ),
        (Values::Bool(x), ColumnType::Boolean) => Values::Bool(x.clone()),
        (Values::Bool(x), ColumnType::Integer) => {
            Values::Int(x.iter().map(|v| v.map(i64::from)).collect())
        }
        (Values::Bool(x), ColumnType::Float) => Values::Float(
            x.iter()
                .map(|v| v.map(|b| if b { 1.0 } else { 0.0 }))
                .collect(),
        ),
        (Values::Date(x), ColumnType::Date) => Values::Date(x.clone()),
        (Values::Date(x), ColumnType::Datetime) => Values::Datetime(
            x.iter()
                .map(|d| d.map(|d| i64::from(d) * 86_400_000_000))
                .collect(),
        ),
        (Values::Datetime(x), ColumnType::Datetime) => Values::Datetime(x.clone()),
        (Values::Datetime(x), ColumnType::Date) => Values::Date(
            x.iter()
                .map(|m| m.map(|m| m.div_euclid(86_400_000_000) as i32))
                .collect(),
        ),
        _ => return refuse(),
    };
    Ok((out, (failed, examples)))
}

/// Which rows a filter keeps.
fn filter_mask(
    op: &str,
    column: &str,
    v: &Values,
    test: Test,
    value: &str,
) -> Result<Vec<bool>, CleanError> {
    let n = v.len();
    match test {
        Test::IsMissing => return Ok(v.present().into_iter().map(|p| !p).collect()),
        Test::NotMissing => return Ok(v.present()),
        Test::Contains => {
            let Values::Text(x) = v else {
                return Err(wrong_type(op, column, v.column_type(), "text"));
            };
            return Ok(x
                .iter()
                .map(|t| t.is_some_and(|t| t.contains(value)))
                .collect());
        }
        _ => {}
    }
    let ty = v.column_type();
    let Some(c) = parse_as(ty, value) else {
        return Err(bad(
            op,
            format!("\"{value}\" is not a {} value for {column}", ty.as_str()),
        ));
    };
    let holds = |o: Ordering| match test {
        Test::Eq => o == Ordering::Equal,
        Test::Ne => o != Ordering::Equal,
        Test::Lt => o == Ordering::Less,
        Test::Le => o != Ordering::Greater,
        Test::Gt => o == Ordering::Greater,
        Test::Ge => o != Ordering::Less,
        _ => false,
    };
    fn mask<T: Copy>(
        x: &[Option<T>],
        c: Option<T>,
        cmp: impl Fn(&T, &T) -> Ordering,
        holds: impl Fn(Ordering) -> bool,
    ) -> Vec<bool> {
        x.iter()
            .map(|v| match (v, c) {
                (Some(v), Some(c)) => holds(cmp(v, &c)),
                _ => false,
            })
            .collect()
    }
    Ok(match (v, c) {
        (Values::Int(x), Values::Int(c)) | (Values::Datetime(x), Values::Datetime(c)) => {
            mask(x, c.first().copied().flatten(), i64::cmp, holds)
        }
        (Values::Float(x), Values::Float(c)) => mask(
            x,
            c.first().copied().flatten(),
            |a, b| a.partial_cmp(b).unwrap_or(Ordering::Less),
            holds,
        ),
        (Values::Bool(x), Values::Bool(c)) => {
            mask(x, c.first().copied().flatten(), bool::cmp, holds)
        }
        (Values::Date(x), Values::Date(c)) => {
            mask(x, c.first().copied().flatten(), i32::cmp, holds)
        }
        (Values::Text(x), Values::Text(c)) => {
            let c = c.iter().next().flatten().unwrap_or_default();
            x.iter()
                .map(|t| t.is_some_and(|t| holds(t.cmp(c))))
                .collect()
        }
        _ => vec![true; n],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::rng::Rng;

    /// Categories as they were counted before: each cell's text.
    fn by_text(v: &Values) -> Vec<(String, u64)> {
        let mut counts: std::collections::HashMap<String, u64> = Default::default();
        for r in 0..v.len() {
            if let Some(t) = v.text(r) {
                *counts.entry(t).or_insert(0) += 1;
            }
        }
        let mut out: Vec<(String, u64)> = counts.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    /// The median by selection is the sorted values' quantile 0.5, to
    /// the bit (odd and even counts, repeats, infinities).
    #[test]
    fn median_by_selection_is_the_sorted_quantile() {
        let shapes: Vec<Vec<f64>> = vec![
            vec![3.0],
            vec![2.0, -1.0],
            (0..1001).map(|i| ((i * 37) % 101) as f64 / 7.0).collect(),
            (0..1000).map(|i| ((i * 37) % 101) as f64 / 7.0).collect(),
            vec![f64::INFINITY, 1.0, f64::NEG_INFINITY, 2.0],
            vec![5.0, 5.0, 5.0, 1e300, -1e300, 5.0],
        ];
        for xs in shapes {
            let mut sorted = xs.clone();
            crate::core::sort::sort_values(&mut sorted);
            let want = quantile(&sorted, 0.5).unwrap();
            assert_eq!(
                median(xs.clone()).unwrap().to_bits(),
                want.to_bits(),
                "{xs:?}"
            );
        }
        assert_eq!(median(Vec::new()), None);
    }

    /// The statistics of values in any order (quartiles by selection,
    /// moments in the values' order) are those of the values sorted: the
    /// extremes and quartiles to the bit, the moments to rounding.
    #[test]
    fn stats_in_any_order_are_the_sorted_ones() {
        let shapes: Vec<Vec<f64>> = vec![
            vec![3.0],
            vec![2.0, -1.0],
            vec![1.0, 1.0, 1.0],
            (0..1001).map(|i| ((i * 37) % 101) as f64 / 7.0).collect(),
            (0..1000)
                .map(|i| ((i * 7919) % 1000) as f64 - 500.0)
                .collect(),
            vec![f64::INFINITY, 1.0, f64::NEG_INFINITY, 2.0],
            vec![0.0, -0.0, 1.0, -0.0, 0.0, -1.0, 0.0],
            vec![f64::NAN, 1.0, 2.0, -f64::NAN, 3.0],
            (0..50_000).map(|i| ((i * 31) % 977) as f64 * 1.5).collect(),
        ];
        for xs in shapes {
            let mut sorted = xs.clone();
            crate::core::sort::sort_values(&mut sorted);
            let want = stats_sorted(&sorted).unwrap();
            let got = stats_of(xs.clone()).unwrap();
            let bits = |s: &Stats| [s.min, s.max, s.p25, s.p50, s.p75].map(f64::to_bits);
            assert_eq!(bits(&got), bits(&want), "{xs:?}");
            assert_eq!(got.n, want.n);
            for (a, b) in [
                (got.mean, want.mean),
                (got.std, want.std),
                (got.std_pop, want.std_pop),
                (got.skew, want.skew),
            ] {
                let close = (a.is_nan() && b.is_nan())
                    || a == b
                    || (a.is_finite()
                        && b.is_finite()
                        && (a - b).abs() <= 1e-12 * b.abs().max(1.0));
                assert!(close, "{a} against {b} for {xs:?}");
            }
            // Quantiles anywhere, in any order asked, by selection.
            let qs = [0.0, 0.1, 0.25, 0.5, 0.5, 0.9, 0.99, 1.0, 0.3];
            let mut work = xs.clone();
            let found = quantiles_selected(&mut work, &qs);
            for (q, f) in qs.iter().zip(found) {
                let f = f.expect("a quantile of values");
                let w = quantile(&sorted, *q).unwrap();
                assert_eq!(f.to_bits(), w.to_bits(), "q {q} of {xs:?}");
            }
        }
        assert!(stats_of(Vec::new()).is_none());
        assert_eq!(quantiles_selected(&mut [], &[0.5]), vec![None]);
    }

    /// A column is all distinct or not however far its first repeat is
    /// (within the first set's 65,536 cells or past it), for text and for
    /// numbers.
    #[test]
    fn all_distinct_near_and_far() {
        let n = 70_000usize;
        for repeat_at in [None, Some(10), Some(60_000), Some(69_999)] {
            let mut csv = String::from("a,t\n");
            for i in 0..n {
                let v = match repeat_at {
                    Some(r) if i == r => 3,
                    _ => i,
                };
                csv.push_str(&format!("{v},v{v}\n"));
            }
            let want = repeat_at.is_none();
            let ds = crate::core::read_bytes("d.csv", csv.as_bytes()).unwrap();
            assert_eq!(ds.types, vec![ColumnType::Integer, ColumnType::String]);
            for i in 0..2 {
                let v = values(&ds, i).unwrap();
                assert_eq!(
                    all_distinct(&v),
                    want,
                    "column {i}, repeat at {repeat_at:?}"
                );
            }
        }
    }

    /// Title-case letters (neither upper nor lower case) still change.
    #[test]
    fn change_case_counts_title_case_letters() {
        let csv = "c\nǅemal\nabc\nABC\n\nǈ\n";
        let ds = crate::core::read_bytes("s.csv", csv.as_bytes()).unwrap();
        for (case, changed, first) in [(Case::Lower, 3, "ǆemal"), (Case::Upper, 3, "ǄEMAL")] {
            let mut out = ds.clone();
            let step = Step::ChangeCase {
                column: "c".into(),
                case,
            };
            let r = apply(&mut out, &step).unwrap();
            assert_eq!(r.cells_changed, changed, "{case:?}");
            let v = Values::of(&out, 0).unwrap();
            assert_eq!(v.text(0).as_deref(), Some(first), "{case:?}");
        }
    }

    /// A one-hot step's report without its columns is the report of the
    /// step run: names taken by other columns (`c_a` exists), an "other"
    /// column, missing cells, a numeric column, and the errors.
    #[test]
    fn one_hot_reports_the_same_without_its_columns() {
        let csv = "c,c_a,n,c_other\na,1,1,x\nb,2,2,x\na,3,,x\n,4,1,x\nc,5,3,x\na,6,1,x\n";
        let ds = crate::core::read_bytes("s.csv", csv.as_bytes()).unwrap();
        for (column, max) in [
            ("c", 10),
            ("c", 1),
            ("c", 2),
            ("n", 2),
            ("c_a", 3),
            ("c", 0),
        ] {
            let step = Step::OneHot {
                column: column.into(),
                max_categories: max,
            };
            let without = report_without_data(&ds, &step).expect("one-hot has one");
            let mut run = ds.clone();
            let with = apply(&mut run, &step);
            assert_eq!(without, with, "{column}, at most {max}");
            if let Ok(r) = with {
                assert!(!r.columns_added.is_empty());
                assert_eq!(
                    run.names()
                        .iter()
                        .filter(|n| r.columns_added.contains(n))
                        .count(),
                    r.columns_added.len(),
                    "{column}: the names reported are the columns made"
                );
            }
        }
        let missing = Step::OneHot {
            column: "nope".into(),
            max_categories: 3,
        };
        assert!(matches!(
            report_without_data(&ds, &missing),
            Some(Err(CleanError::MissingColumn { .. }))
        ));
        assert!(report_without_data(&ds, &Step::DropDuplicates).is_none());
    }

    /// Counting by value gives the categories that counting by text gives,
    /// and `distinct_count` / `all_distinct` agree with them, for every
    /// type: NaN (two payloads), -0.0 and 0.0, missing cells, dates out of
    /// the calendar's range.
    #[test]
    fn categories_by_value_are_the_categories_by_text() {
        let mut rng = Rng::new(7);
        for case in 0..300 {
            let n = [0, 1, 2, 5, 40, 300][rng.below(6)];
            let spread = 1 + rng.below(50);
            let cell = |rng: &mut Rng| (rng.below(8) != 0).then(|| rng.below(spread));
            let v = match case % 6 {
                0 => Values::Int(
                    (0..n)
                        .map(|_| cell(&mut rng).map(|x| x as i64 - 20))
                        .collect(),
                ),
                1 => Values::Float(
                    (0..n)
                        .map(|_| {
                            cell(&mut rng).map(|x| match x % 7 {
                                0 => f64::NAN,
                                1 => f64::from_bits(0x7ff8_0000_0000_0001),
                                2 => -0.0,
                                3 => 0.0,
                                _ => x as f64 / 4.0,
                            })
                        })
                        .collect(),
                ),
                2 => Values::Bool((0..n).map(|_| cell(&mut rng).map(|x| x % 2 == 0)).collect()),
                3 => Values::Date(
                    (0..n)
                        .map(|_| {
                            cell(&mut rng).map(|x| {
                                if x % 5 == 0 {
                                    i32::MAX - x as i32
                                } else {
                                    x as i32 * 40
                                }
                            })
                        })
                        .collect(),
                ),
                4 => Values::Datetime(
                    (0..n)
                        .map(|_| cell(&mut rng).map(|x| x as i64 * 3_600_000_123))
                        .collect(),
                ),
                _ => super::super::values::texts(
                    (0..n).map(|_| cell(&mut rng).map(|x| format!("v{}", x % 13))),
                ),
            };
            let want = by_text(&v);
            assert_eq!(categories(&v), want, "case {case}: {v:?}");
            for at_most in [0, 1, 2, 10, 1000] {
                assert_eq!(
                    distinct_count(&v, at_most),
                    want.len().min(at_most + 1),
                    "case {case}, at most {at_most}"
                );
            }
            let present = v.len() - v.missing();
            assert_eq!(all_distinct(&v), want.len() == present, "case {case}");
        }
    }
}
