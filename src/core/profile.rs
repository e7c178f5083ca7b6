//! Column and dataset statistics, following pandas' definitions:
//! `count`/`isna`/`nunique`, `mean`, `std` (ddof 1), quantiles with linear
//! interpolation (numpy's default), `duplicated().sum()`.

use std::hash::BuildHasher;

use polars_arrow::array::Array;
use polars_core::prelude::{
    BooleanChunked, ChunkedArray, PlHashMap, PlRandomState, PolarsNumericType, StringChunked,
};

use crate::core::infer::{format_date, format_datetime};
use crate::core::ingest::Dataset;
use crate::core::model::{ColumnProfile, DatasetProfile, Histogram};
use crate::core::runner::{InTurn, Runner};
// Each column's present values sorted (by radix; a text column's hashes
// with their rows): one flat array gives the quantiles, the extremes, the
// distinct count and the most frequent values, where a hash map of a
// million distinct values would cost several times as much.
use crate::core::sort::{sort_values, RadixKey};
use crate::core::table::{each_present, each_present_while, ColumnData, TextCells};

/// Most values listed in `top`.
const TOP_N: usize = 10;

/// Profiles every column and the dataset as a whole.
pub fn profile(ds: &Dataset) -> DatasetProfile {
    profile_with(ds, &InTurn)
}

/// [`profile`] with its jobs (each column, and the duplicate rows) run
/// by `runner`: the command line profiles on every core.
pub fn profile_with<R: Runner>(ds: &Dataset, runner: &R) -> DatasetProfile {
    enum Done {
        Column(Option<Box<ColumnProfile>>),
        Duplicates(u64),
    }
    // The duplicate rows first: the longest job, so the columns fill in
    // around it.
    let done = runner.each(ds.width() + 1, &|job| match job.checked_sub(1) {
        None => Done::Duplicates(duplicate_rows(ds)),
        Some(i) => Done::Column(column_profile(ds, i).map(Box::new)),
    });
    let mut columns = Vec::with_capacity(ds.width());
    let mut duplicates = 0;
    for d in done {
        match d {
            Done::Column(c) => columns.push(c.map(|c| *c)),
            Done::Duplicates(n) => duplicates = n,
        }
    }
    put_together(ds, columns, duplicates)
}

/// [`profile`] of `ds`, the result of a recipe run on `before`, whose
/// profile is `known`: a column `ds` holds as `before` held it (the same
/// series, shared, so the same name and cells; the same type and date
/// format) takes its profile from `known`, the others are profiled; the
/// duplicate rows are counted again unless every column is shared. A
/// recipe that fills one column then profiles one column, not all.
pub fn profile_reusing(ds: &Dataset, before: &Dataset, known: &DatasetProfile) -> DatasetProfile {
    let kept = shared_columns(ds, before);
    let by_name: PlHashMap<&str, &ColumnProfile> = known
        .column_profiles
        .iter()
        .map(|p| (p.name.as_str(), p))
        .collect();
    let columns: Vec<Option<ColumnProfile>> = kept
        .iter()
        .enumerate()
        .map(|(i, &was)| {
            let name = ds.frame.columns().get(i)?.name().as_str();
            was.and_then(|_| by_name.get(name))
                .map(|&p| p.clone())
                .or_else(|| column_profile(ds, i))
        })
        .collect();
    let duplicates = if ds.height() == before.height()
        && ds.width() == before.width()
        && kept.iter().all(Option::is_some)
    {
        known.duplicate_rows
    } else {
        duplicate_rows(ds)
    };
    put_together(ds, columns, duplicates)
}

/// For each column of `ds`, the index of the column of `before` it is
/// (one series shared by both, with the same type and date format), if
/// any. A shared series cannot have changed: neither side may write to
/// it while the other holds it.
pub fn shared_columns(ds: &Dataset, before: &Dataset) -> Vec<Option<usize>> {
    fn series(d: &Dataset, i: usize) -> Option<&polars_core::prelude::Series> {
        d.frame.columns().get(i)?.as_series()
    }
    fn address(s: &polars_core::prelude::Series) -> usize {
        std::sync::Arc::as_ptr(&s.0) as *const () as usize
    }
    // `before`'s series by address (one look a column, however wide the
    // file); none when the rows differ (a series of other rows is another).
    let mut at: PlHashMap<usize, usize> = PlHashMap::default();
    if ds.height() == before.height() {
        for j in 0..before.width() {
            if let Some(s) = series(before, j) {
                at.insert(address(s), j);
            }
        }
    }
    (0..ds.width())
        .map(|i| {
            let j = *at.get(&address(series(ds, i)?))?;
            (ds.types.get(i) == before.types.get(j)
                && ds.date_formats.get(i) == before.date_formats.get(j))
            .then_some(j)
        })
        .collect()
}

/// Column `index`'s profile as [`profile`] gives it; None when there is
/// no such column or it is not stored as its type says (and [`profile`]
/// leaves it out). The browser's helper workers profile columns with it
/// (`shell::parts`).
pub fn column_profile(ds: &Dataset, index: usize) -> Option<ColumnProfile> {
    let data = ColumnData::of(ds, index)?;
    let name = ds.frame.columns().get(index)?.name().to_string();
    let date_format = ds.date_formats.get(index).cloned().flatten();
    Some(profile_column(name, date_format, ds.height(), data))
}

/// The dataset's profile from each column's ([`column_profile`], in the
/// columns' order) and its [`duplicate_rows`].
pub fn put_together(
    ds: &Dataset,
    columns: Vec<Option<ColumnProfile>>,
    duplicate_rows: u64,
) -> DatasetProfile {
    DatasetProfile {
        facts: ds.facts.clone(),
        rows: ds.height() as u64,
        columns: ds.width() as u64,
        duplicate_rows,
        memory_bytes: ds.memory_bytes(),
        column_profiles: columns.into_iter().flatten().collect(),
        notes: ds.notes.clone(),
    }
}

/// Distinct values and the most frequent ones (higher count first, ties in
/// first-seen order) from pairs sorted by key: a run of equal keys holds one
/// value, unless `same` (comparing the values at two rows) tells apart
/// values whose keys collide (hashes of text).
fn distinct_and_top<K: Copy + PartialEq>(
    pairs: impl IntoIterator<Item = (K, u32)>,
    same: impl Fn(u32, u32) -> bool,
) -> (u64, Vec<(K, u32, u64)>) {
    let mut distinct = 0u64;
    // (count, first row, key) of the top values, best first.
    let mut top: Vec<(u64, u32, K)> = Vec::with_capacity(TOP_N + 1);
    let mut offer = |count: u64, first: u32, key: K| {
        let rank = |e: &(u64, u32, K)| (std::cmp::Reverse(e.0), e.1);
        let entry = (count, first, key);
        if top.len() == TOP_N && top.last().is_some_and(|last| rank(&entry) >= rank(last)) {
            return;
        }
        let at = top.partition_point(|e| rank(e) < rank(&entry));
        top.insert(at, entry);
        top.truncate(TOP_N);
    };
    // The values of the current run of equal keys: (first row, count).
    let mut groups: Vec<(u32, u64)> = Vec::new();
    let mut run_key: Option<K> = None;
    for (key, row) in pairs {
        if run_key != Some(key) {
            if let Some(k) = run_key {
                for &(first, count) in &groups {
                    offer(count, first, k);
                }
            }
            distinct += groups.len() as u64;
            groups.clear();
            run_key = Some(key);
        }
        match groups.iter_mut().find(|g| same(g.0, row)) {
            Some(g) => {
                g.0 = g.0.min(row);
                g.1 += 1;
            }
            None => groups.push((row, 1)),
        }
    }
    if let Some(k) = run_key {
        for &(first, count) in &groups {
            offer(count, first, k);
        }
    }
    distinct += groups.len() as u64;
    (
        distinct,
        top.into_iter()
            .map(|(count, row, key)| (key, row, count))
            .collect(),
    )
}

/// [`distinct_and_top`] of a text column's sorted keys (a hash's high
/// bits, the row in the `mask` bits), its texts compared in the rows'
/// order: first every row is marked with the first row of its key's run,
/// then, in one pass over the rows, compared with it. In the keys' order
/// each comparison read two cells from anywhere in the column (a miss of
/// the memory cache a cell in a column of many values or of long texts:
/// most of a text column's profile in wasm); in the rows' order the cells
/// are read where they lie. When every row equals its run's first, each
/// run is one text (equal texts share a key), counted as it is; a run
/// whose texts differ (their hashes' high bits collided) sends the keys
/// through [`distinct_and_top`] again, which tells its texts apart.
/// Memory: 4 bytes a row, for the pass.
fn text_distinct_and_top(
    keys: &[u64],
    mask: u64,
    cells: &TextCells,
    rows: usize,
) -> (u64, Vec<(u64, u32, u64)>) {
    let pairs = || keys.iter().map(|&k| (k & !mask, (k & mask) as u32));
    // Each row's run's first row (`u32::MAX`: a missing cell).
    let mut first = vec![u32::MAX; rows];
    let mut run: Option<(u64, u32)> = None;
    for (key, row) in pairs() {
        let lead = match run {
            Some((k, lead)) if k == key => lead,
            _ => {
                run = Some((key, row));
                row
            }
        };
        if let Some(f) = first.get_mut(row as usize) {
            *f = lead;
        }
    }
    let one_text_a_run = first
        .iter()
        .enumerate()
        .all(|(row, &f)| f == u32::MAX || f as usize == row || cells.same(f as usize, row));
    drop(first);
    if one_text_a_run {
        distinct_and_top(pairs(), |_, _| true)
    } else {
        distinct_and_top(pairs(), |a, b| cells.same(a as usize, b as usize))
    }
}

/// Sum with Neumaier compensation (accurate to the last bits, like numpy's
/// pairwise sum for the sizes that matter), in any order.
pub(crate) fn accurate_sum(values: impl Iterator<Item = f64>) -> f64 {
    let mut sum = 0.0;
    let mut c = 0.0;
    for v in values {
        let t = sum + v;
        if sum.abs() >= v.abs() {
            c += (sum - t) + v;
        } else {
            c += (v - t) + sum;
        }
        sum = t;
    }
    if c.is_finite() {
        sum + c
    } else {
        sum
    }
}

/// Quantile `q` of sorted values, numpy's default linear interpolation.
pub fn quantile(sorted: &[f64], q: f64) -> Option<f64> {
    quantile_of(
        sorted.len(),
        |i| sorted.get(i).copied().unwrap_or(f64::NAN),
        q,
    )
}

/// [`quantile`]s `qs` of values in any order, found by selection in
/// place (`xs` is left partly ordered): no sorted copy and no sort's
/// second buffer. The same values as [`quantile`] of `xs` sorted by
/// `f64::total_cmp` (the k-th value in that order is one value however it
/// is found).
pub fn quantiles_selected(xs: &mut [f64], qs: &[f64]) -> Vec<Option<f64>> {
    let n = xs.len();
    // The order statistics the quantiles read, ascending.
    let mut need: Vec<usize> = qs
        .iter()
        .filter_map(|&q| rank(n, q))
        .flat_map(|(lo, _)| [lo, lo + 1])
        .filter(|&i| i < n)
        .collect();
    need.sort_unstable();
    need.dedup();
    let mut found: Vec<(usize, f64)> = Vec::with_capacity(need.len());
    // xs[..from] holds the `from` smallest values: the k-th (k >= from)
    // is the (k - from)-th of the rest.
    let mut from = 0;
    for k in need {
        let Some(rest) = xs.get_mut(from..) else {
            break;
        };
        let (_, &mut v, _) = rest.select_nth_unstable_by(k - from, f64::total_cmp);
        found.push((k, v));
        from = k + 1;
    }
    let at = |i: usize| found.iter().find(|f| f.0 == i).map_or(f64::NAN, |f| f.1);
    qs.iter().map(|&q| quantile_of(n, at, q)).collect()
}

/// [`quantile`] of `n` sorted values read through `at`.
fn quantile_of(n: usize, at: impl Fn(usize) -> f64, q: f64) -> Option<f64> {
    let (lo, t) = rank(n, q)?;
    let a = at(lo);
    Some(if lo + 1 < n {
        lerp(a, at(lo + 1), t)
    } else {
        a
    })
}

/// Position of quantile `q` among `n` sorted values: the lower index and the
/// fraction towards the next one (numpy's "linear" method).
fn rank(n: usize, q: f64) -> Option<(usize, f64)> {
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    Some((lo, h - lo as f64))
}

/// numpy's `_lerp`, which is exact at both ends.
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    if t == 0.0 || a == b {
        a
    } else if t < 0.5 {
        a + t * (b - a)
    } else {
        b - (1.0 - t) * (b - a)
    }
}

/// Equal-width histogram of the finite values: between 10 and 30 bins
/// (Sturges' rule inside that range); one bin when all values are equal.
pub fn histogram<I: Iterator<Item = f64>>(values: impl Fn() -> I) -> Option<Histogram> {
    let finite = || values().filter(|v| v.is_finite());
    let (mut n, mut min, mut max) = (0usize, f64::INFINITY, f64::NEG_INFINITY);
    for v in finite() {
        n += 1;
        min = min.min(v);
        max = max.max(v);
    }
    if n == 0 {
        return None;
    }
    if min == max {
        return Some(Histogram {
            edges: vec![min, max],
            counts: vec![n as u64],
        });
    }
    let sturges = (n as f64).log2().ceil() as usize + 1;
    let bins = sturges.clamp(10, 30);
    let width = (max - min) / bins as f64;
    let mut edges: Vec<f64> = (0..bins).map(|i| min + width * i as f64).collect();
    edges.push(max);
    let mut counts = vec![0u64; bins];
    for v in finite() {
        let i = (((v - min) / width) as usize).min(bins - 1);
        if let Some(c) = counts.get_mut(i) {
            *c += 1;
        }
    }
    Some(Histogram { edges, counts })
}

fn empty_profile(name: String, data: &ColumnData, date_format: Option<String>) -> ColumnProfile {
    ColumnProfile {
        name,
        dtype: match data {
            ColumnData::Integer(_) => crate::core::model::ColumnType::Integer,
            ColumnData::Float(_) => crate::core::model::ColumnType::Float,
            ColumnData::Boolean(_) => crate::core::model::ColumnType::Boolean,
            ColumnData::Date(_) => crate::core::model::ColumnType::Date,
            ColumnData::Datetime(_) => crate::core::model::ColumnType::Datetime,
            ColumnData::String(_) => crate::core::model::ColumnType::String,
        },
        date_format,
        count: 0,
        missing: 0,
        distinct: 0,
        mean: None,
        std: None,
        min: None,
        max: None,
        p25: None,
        p50: None,
        p75: None,
        top: Vec::new(),
        histogram: None,
        zeros: None,
    }
}

/// Fills the numeric statistics from the `n` non-missing values, sorted,
/// read through `at`.
fn numeric_stats(
    p: &mut ColumnProfile,
    n: usize,
    at: impl Fn(usize) -> f64,
    exact_sum: Option<f64>,
) {
    if n == 0 {
        return;
    }
    let values = || (0..n).map(&at);
    let mean = exact_sum.unwrap_or_else(|| accurate_sum(values())) / n as f64;
    p.mean = Some(mean);
    if n >= 2 {
        let var = accurate_sum(values().map(|v| (v - mean) * (v - mean))) / (n - 1) as f64;
        let std = var.sqrt();
        p.std = (!std.is_nan()).then_some(std);
    }
    p.p25 = quantile_of(n, &at, 0.25);
    p.p50 = quantile_of(n, &at, 0.5);
    p.p75 = quantile_of(n, &at, 0.75);
    p.histogram = histogram(values);
    p.zeros = Some(values().filter(|&v| v == 0.0).count() as u64);
}

fn profile_column(
    name: String,
    date_format: Option<String>,
    rows: usize,
    data: ColumnData,
) -> ColumnProfile {
    let mut p = empty_profile(name, &data, date_format);
    match data {
        ColumnData::Integer(c) => {
            let sorted = sorted_numbers(c, |v| v);
            let at = |i: usize| sorted.get(i).map_or(f64::NAN, |&v| v as f64);
            // Exact integer sum (pandas sums int64 exactly).
            let sum: i128 = sorted.iter().map(|&v| i128::from(v)).sum();
            numeric_stats(&mut p, sorted.len(), at, Some(sum as f64));
            p.min = sorted.first().map(|v| v.to_string());
            p.max = sorted.last().map(|v| v.to_string());
            counts_and_top_sorted(&mut p, &sorted, c, |v| v, |v| v.to_string());
        }
        ColumnData::Float(c) => {
            // -0.0 and 0.0 are one value, as in pandas (`==` merges them;
            // a quantile that falls on a zero is 0.0), and so is every NaN
            // (a cleaning step can make them; the parser reads none).
            let zero = |v: f64| {
                if v == 0.0 {
                    0.0
                } else if v.is_nan() {
                    f64::NAN
                } else {
                    v
                }
            };
            let sorted = sorted_numbers(c, zero);
            let at = |i: usize| sorted.get(i).copied().unwrap_or(f64::NAN);
            numeric_stats(&mut p, sorted.len(), at, None);
            p.min = sorted.first().map(|v| v.to_string());
            p.max = sorted.last().map(|v| v.to_string());
            counts_and_top_sorted(&mut p, &sorted, c, zero, |v| v.to_string());
        }
        ColumnData::Boolean(c) => boolean_counts(&mut p, c),
        ColumnData::Date(c) => {
            let sorted = sorted_numbers(c, |v| v);
            p.min = sorted.first().map(|&v| format_date(v));
            p.max = sorted.last().map(|&v| format_date(v));
            p.histogram = histogram(|| sorted.iter().map(|&v| f64::from(v)));
            counts_and_top_sorted(&mut p, &sorted, c, |v| v, format_date);
        }
        ColumnData::Datetime(c) => {
            let sorted = sorted_numbers(c, |v| v);
            p.min = sorted.first().map(|&v| format_datetime(v));
            p.max = sorted.last().map(|&v| format_datetime(v));
            // Microseconds to (fractional) days, like date columns.
            p.histogram = histogram(|| sorted.iter().map(|&v| v as f64 / 86_400e6));
            counts_and_top_sorted(&mut p, &sorted, c, |v| v, format_datetime);
        }
        ColumnData::String(c) => {
            // Text is grouped by a hash of it; equal hashes are checked.
            // Each present cell is one 8-byte key, its hash's high bits
            // and its row in the low bits (as the duplicate rows'): sorted,
            // a run of equal high bits holds one text (or texts told apart
            // by `same`), its rows in order. 8 bytes a cell and the radix
            // sort's 8, where (hash, row) pairs took 16 and 16.
            let state = PlRandomState::default();
            let mask = row_mask(rows);
            let mut keys = present_keys(c, mask, |s| state.hash_one(s));
            sort_values(&mut keys);
            let cells = TextCells::of(c);
            let text = |row: u32| cells.get(row as usize);
            let (distinct, top) = text_distinct_and_top(&keys, mask, &cells, rows);
            p.count = keys.len() as u64;
            p.distinct = distinct;
            p.top = top
                .into_iter()
                .filter_map(|(_, row, count)| Some((text(row)?.to_string(), count)))
                .collect();
        }
    }
    p.missing = (rows as u64).saturating_sub(p.count);
    p
}

/// Count, distinct and top values of a boolean column: the trues counted
/// from the bitmaps, the first of each value found in row order (no
/// memory a row).
fn boolean_counts(p: &mut ColumnProfile, c: &BooleanChunked) {
    let trues: usize = c
        .downcast_iter()
        .map(|a| match a.validity() {
            Some(valid) => (a.values() & valid).set_bits(),
            None => a.values().set_bits(),
        })
        .sum();
    let count = c.len() - c.null_count();
    let counts = [count - trues, trues];
    let mut first = [None, None];
    for (i, v) in c.iter().flatten().enumerate() {
        first[usize::from(v)].get_or_insert(i);
        if first.iter().all(Option::is_some) {
            break;
        }
    }
    let mut top: Vec<(usize, usize, bool)> = [false, true]
        .into_iter()
        .filter_map(|v| Some((counts[usize::from(v)], first[usize::from(v)]?, v)))
        .collect();
    top.sort_by_key(|&(count, first, _)| (std::cmp::Reverse(count), first));
    p.count = count as u64;
    p.distinct = top.len() as u64;
    p.top = top
        .into_iter()
        .map(|(count, _, v)| (v.to_string(), count as u64))
        .collect();
}

/// A numeric column's present values, each as `norm` makes it, sorted by
/// their order ([`RadixKey`]'s), read array by array: the values, then the
/// validity bitmap where there is one (the chunked iterator's `Option` a
/// cell was a tenth of a column's profile in wasm). The values and their
/// 8-byte sort keys (and as many for the radix sort), where the values
/// with their rows took 16 bytes a value and 16 for the sort;
/// the most frequent values' first rows are found by
/// [`counts_and_top_sorted`].
fn sorted_numbers<T>(c: &ChunkedArray<T>, norm: impl Fn(T::Native) -> T::Native) -> Vec<T::Native>
where
    T: PolarsNumericType,
    T::Native: RadixKey,
{
    let mut values = Vec::with_capacity(c.len() - c.null_count());
    each_present(c, |_, v| values.push(norm(v)));
    sort_values(&mut values);
    values
}

/// Count, distinct and top values (higher count first, ties in first-seen
/// order, as [`distinct_and_top`]) of a numeric column from its present
/// values `sorted` ([`sorted_numbers`] of `c` with `norm`); `show` gives a
/// value's text.
fn counts_and_top_sorted<T>(
    p: &mut ColumnProfile,
    sorted: &[T::Native],
    c: &ChunkedArray<T>,
    norm: impl Fn(T::Native) -> T::Native,
    show: impl Fn(T::Native) -> String,
) where
    T: PolarsNumericType,
    T::Native: RadixKey,
{
    let (distinct, top) = top_of_sorted(sorted, |seen| {
        each_present_while(c, |row, v| seen(row as u32, norm(v)))
    });
    p.count = sorted.len() as u64;
    p.distinct = distinct;
    p.top = top.into_iter().map(|(v, count)| (show(v), count)).collect();
}

/// The end of the run of key `k` that starts at `start` in `sorted`: by
/// steps that double, then a binary search (one comparison for a run of
/// one, O(log run) for a long one).
fn run_end<K: RadixKey>(sorted: &[K], start: usize, k: u64) -> usize {
    let (mut from, mut step) = (start + 1, 1);
    while sorted.get(from + step - 1).is_some_and(|x| x.key() == k) {
        from += step;
        step *= 2;
    }
    let to = (from + step - 1).min(sorted.len());
    from + sorted[from..to].partition_point(|x| x.key() == k)
}

/// Distinct values and the [`TOP_N`] most frequent ones with their counts
/// (higher count first, ties in first-seen order) of values `sorted` by
/// their keys; `in_order` gives the same values in row order to a
/// callback (`seen(index, value)`, which says whether to go on).
///
/// The counts come from the runs of equal keys; the first-seen order only
/// matters among the runs at least as frequent as the tenth most frequent
/// one, and those are found in row order by a binary search a value,
/// stopping once every run more frequent than it and enough of the runs
/// as frequent as it are seen (a column of distinct values stops after
/// ten rows). Bound: O(n log n) in the worst case (a frequent value seen
/// last, the values in no order), with no memory beyond the top's.
fn top_of_sorted<K: RadixKey>(
    sorted: &[K],
    in_order: impl FnOnce(&mut dyn FnMut(u32, K) -> bool),
) -> (u64, Vec<(K, u64)>) {
    let n = sorted.len();
    // The runs' counts: how many runs, and the TOP_N largest counts.
    let mut distinct = 0u64;
    let mut largest: Vec<usize> = Vec::with_capacity(TOP_N + 1);
    let mut i = 0;
    while i < n {
        let k = sorted[i].key();
        let end = run_end(sorted, i, k);
        let count = end - i;
        if largest.len() < TOP_N || largest.last().is_some_and(|&l| count > l) {
            let at = largest.partition_point(|&l| l >= count);
            largest.insert(at, count);
            largest.truncate(TOP_N);
        }
        distinct += 1;
        i = end;
    }
    let Some(&cut) = largest.last() else {
        return (0, Vec::new());
    };
    let above = largest.iter().filter(|&&l| l > cut).count();
    let tied = largest.len() - above;
    // (count, first index, value) of the runs in the top, as seen.
    let mut top: Vec<(usize, u32, K)> = Vec::with_capacity(TOP_N);
    let (mut above_seen, mut tied_seen) = (0, 0);
    // A value as the one before it is decided already (a column sorted or
    // grouped in row order costs a search a run, not a value).
    let mut last = None;
    in_order(&mut |index, v| {
        let k = v.key();
        if last.replace(k) == Some(k) {
            return true;
        }
        let lo = sorted.partition_point(|x| x.key() < k);
        // At least `c` values of key `k` (c ≥ 1).
        let at_least = |c: usize| sorted.get(lo + c - 1).is_some_and(|x| x.key() == k);
        let more = at_least(cut + 1);
        if (more || (tied_seen < tied && at_least(cut))) && !top.iter().any(|t| t.2.key() == k) {
            let count = run_end(sorted, lo, k) - lo;
            top.push((count, index, v));
            if more {
                above_seen += 1;
            } else {
                tied_seen += 1;
            }
        }
        above_seen < above || tied_seen < tied
    });
    top.sort_by_key(|&(count, first, _)| (std::cmp::Reverse(count), first));
    (
        distinct,
        top.into_iter()
            .map(|(count, _, v)| (v, count as u64))
            .collect(),
    )
}

/// A text column's present cells' keys, array by array: each one's
/// `hash` outside `mask` and its row inside it (see [`row_mask`]).
fn present_keys(c: &StringChunked, mask: u64, hash: impl Fn(&str) -> u64) -> Vec<u64> {
    let mut keys = Vec::with_capacity(c.len() - c.null_count());
    let mut row = 0u64;
    for array in c.downcast_iter() {
        let valid = array.validity();
        for (i, s) in array.values_iter().enumerate() {
            if valid.is_none_or(|v| v.get_bit(i)) {
                keys.push((hash(s) & !mask) | row);
            }
            row += 1;
        }
    }
    keys
}

/// The low bits that hold a row number below `rows` (at most 26 for
/// `ingest::MAX_ROWS`) in a key whose high bits are a hash's.
fn row_mask(rows: usize) -> u64 {
    let row_bits = 64 - (rows as u64).saturating_sub(1).leading_zeros();
    1u64.checked_shl(row_bits).map_or(u64::MAX, |m| m - 1)
}

/// A 64-bit hash of each row's values (missing hashes as its own value).
fn row_hashes(ds: &Dataset, columns: &[ColumnData]) -> Vec<u64> {
    let state = PlRandomState::default();
    // Every row's hash starts from this call's seed: from a fixed start, a
    // file's values could be chosen to share their hashes' high bits (the
    // duplicate rows keep only those) and make every row one run to compare.
    let mut hashes = vec![state.hash_one(0x5EED_u64); ds.height()];
    for data in columns {
        match data {
            ColumnData::Integer(c) | ColumnData::Datetime(c) => {
                mix_numbers(&mut hashes, c, |v| v as u64);
            }
            ColumnData::Float(c) => {
                mix_numbers(&mut hashes, c, |v| if v == 0.0 { 0 } else { v.to_bits() });
            }
            ColumnData::Boolean(c) => {
                for (h, v) in hashes.iter_mut().zip(c.iter()) {
                    mix(h, v.map_or(MISSING, u64::from));
                }
            }
            ColumnData::Date(c) => mix_numbers(&mut hashes, c, |v| v as u64),
            ColumnData::String(c) => {
                let mut hs = hashes.iter_mut();
                for array in c.downcast_iter() {
                    let valid = array.validity();
                    // The array's values first: zip takes from its first
                    // iterator first, and the hashes go on to the next array.
                    for (i, (s, h)) in array.values_iter().zip(hs.by_ref()).enumerate() {
                        let present = valid.is_none_or(|v| v.get_bit(i));
                        mix(h, if present { state.hash_one(s) } else { MISSING });
                    }
                }
            }
        }
    }
    hashes
}

fn mix(h: &mut u64, v: u64) {
    *h = (h.rotate_left(5) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
}

/// Missing is hashed as a value no number maps to in practice.
const MISSING: u64 = 0x5bd1_e995_5bd1_e995;

/// Mixes a numeric column's `key` of each value into its row's hash, array
/// by array (the values, then the validity bitmap where there is one).
fn mix_numbers<T: PolarsNumericType>(
    hashes: &mut [u64],
    c: &ChunkedArray<T>,
    key: impl Fn(T::Native) -> u64,
) {
    // The array's values first in each zip: zip takes from its first
    // iterator first, and the hashes go on to the next array.
    let mut hs = hashes.iter_mut();
    for array in c.downcast_iter() {
        let values = array.values().iter();
        match array.validity() {
            None => {
                for (&v, h) in values.zip(hs.by_ref()) {
                    mix(h, key(v));
                }
            }
            Some(valid) => {
                for ((&v, present), h) in values.zip(valid.iter()).zip(hs.by_ref()) {
                    mix(h, if present { key(v) } else { MISSING });
                }
            }
        }
    }
}

/// Rows equal to an earlier row, over the parsed values (pandas
/// `df.duplicated().sum()`; missing equals missing).
pub fn duplicate_rows(ds: &Dataset) -> u64 {
    if rows_all_differ(ds) {
        return 0;
    }
    hashed_duplicate_flags(ds).iter().filter(|d| **d).count() as u64
}

/// Whether some column's values rise, or fall, strictly from row to row
/// with none missing (a row number, an id given in order, a time stamp a
/// row): then no two rows are equal in it, nor whole. One pass over such a
/// column, and a few cells of the others (a pass stops at the first cell
/// that does not go on in order); the duplicate rows' hashes and sort are
/// then not needed.
pub fn rows_all_differ(ds: &Dataset) -> bool {
    fn strictly_ordered<T: PolarsNumericType>(c: &ChunkedArray<T>) -> bool {
        if c.null_count() > 0 || c.len() < 2 {
            return false;
        }
        let mut last: Option<T::Native> = None;
        // Rising (Some(true)) or falling, once two cells said which.
        let mut rising: Option<bool> = None;
        let mut ordered = true;
        each_present_while(c, |_, v| {
            if let Some(p) = last {
                let up = p < v;
                if !(up || p > v) || rising.is_some_and(|r| r != up) {
                    ordered = false;
                    return false;
                }
                rising = Some(up);
            }
            last = Some(v);
            true
        });
        ordered
    }
    (0..ds.width()).any(|i| match ColumnData::of(ds, i) {
        Some(ColumnData::Integer(c) | ColumnData::Datetime(c)) => strictly_ordered(c),
        Some(ColumnData::Float(c)) => strictly_ordered(c),
        Some(ColumnData::Date(c)) => strictly_ordered(c),
        _ => false,
    })
}

/// For each row, whether it equals an earlier row (pandas `df.duplicated()`).
///
/// Bound: one hash per row and one sort of the rows (by radix: n, or
/// n log n past `sort::RADIX_ROWS`); a row is compared cell by cell only
/// with the distinct rows of its hash, never with all earlier rows.
pub fn duplicate_flags(ds: &Dataset) -> Vec<bool> {
    if rows_all_differ(ds) {
        return vec![false; ds.height()];
    }
    hashed_duplicate_flags(ds)
}

/// [`duplicate_flags`] by the rows' hashes, whatever the columns hold.
fn hashed_duplicate_flags(ds: &Dataset) -> Vec<bool> {
    let columns: Vec<ColumnData> = (0..ds.width())
        .filter_map(|i| ColumnData::of(ds, i))
        .collect();
    // Each row's key: its hash's high bits, its row in the low bits (at
    // most 26 for MAX_ROWS). Sorted, equal rows come in runs of equal high
    // bits, each run in the rows' order; a run's rows need only be
    // compared with its earlier ones. The keys take the hashes' own array
    // (8 bytes a row) and the radix sort a second one up to
    // `sort::RADIX_ROWS` (16 bytes a row at the peak; 12 before, the hashes
    // and a u32 order).
    let mut keys = row_hashes(ds, &columns);
    let rows = keys.len();
    let mask = row_mask(rows);
    for (row, k) in keys.iter_mut().enumerate() {
        *k = (*k & !mask) | row as u64;
    }
    sort_values(&mut keys);
    let equal = |a: usize, b: usize| columns.iter().all(|c| c.cells_equal(a, b));
    let mut flags = vec![false; rows];
    // Hash of the current run, and its distinct rows (almost always one).
    let mut run_hash = None;
    let mut distinct: Vec<usize> = Vec::new();
    for &k in &keys {
        let row = (k & mask) as usize;
        let h = Some(k & !mask);
        if h != run_hash {
            run_hash = h;
            distinct.clear();
            distinct.push(row);
        } else if distinct.iter().any(|&d| equal(d, row)) {
            if let Some(f) = flags.get_mut(row) {
                *f = true;
            }
        } else {
            distinct.push(row);
        }
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::read_bytes;
    use crate::core::sort::sorted_pairs;

    /// Columns profiled on several threads give the profile of one
    /// thread, column for column (JSON, so a NaN equals a NaN).
    #[test]
    fn threads_profile_as_one() {
        let mut text = String::from("id,when,amount,who,flag\n");
        for i in 0..3000 {
            let j = i % 2900;
            text.push_str(&format!(
                "{j},2024-01-{:02},{}.25,p{},{}\n",
                1 + j % 28,
                j % 97,
                j % 13,
                j % 2 == 0
            ));
        }
        let ds = read_bytes("t.csv", text.as_bytes()).unwrap();
        let one = serde_json::to_string(&profile(&ds)).unwrap();
        let threads =
            serde_json::to_string(&profile_with(&ds, &crate::core::runner::Threads)).unwrap();
        assert_eq!(one, threads);
        assert!(one.contains("\"duplicate_rows\":100"), "{one}");
    }

    /// A result whose columns are the raw ones reordered, one renamed and
    /// one dropped, shares the others by index and keeps their profiles;
    /// its profile is the fresh one (the duplicate rows counted again
    /// when a column went).
    #[test]
    fn reused_profiles_follow_shared_columns() {
        let text = "a,b,c,d\n1,x,2024-01-02,true\n1,x,2024-01-02,true\n3,y,,false\n";
        let raw = read_bytes("t.csv", text.as_bytes()).unwrap();
        let known = profile(&raw);
        let mut out = raw.clone();
        out.frame = raw.frame.select(["d", "b", "a"]).unwrap();
        out.types = vec![raw.types[3], raw.types[1], raw.types[0]];
        out.date_formats = vec![None, None, None];
        out.frame.rename("b", "bee".into()).unwrap();
        assert_eq!(shared_columns(&out, &raw), vec![Some(3), None, Some(0)]);
        let json = |p: &DatasetProfile| serde_json::to_value(p).unwrap();
        assert_eq!(
            json(&profile_reusing(&out, &raw, &known)),
            json(&profile(&out))
        );
        // Every column shared, reordered: the duplicate rows are known.
        let mut all = raw.clone();
        all.frame = raw.frame.select(["d", "c", "b", "a"]).unwrap();
        all.types = vec![raw.types[3], raw.types[2], raw.types[1], raw.types[0]];
        all.date_formats = vec![None, raw.date_formats[2].clone(), None, None];
        let reused = profile_reusing(&all, &raw, &known);
        assert_eq!(reused.duplicate_rows, 1);
        assert_eq!(json(&reused), json(&profile(&all)));
        // Other rows share nothing.
        let fewer = Dataset {
            frame: raw.frame.head(Some(2)),
            ..raw.clone()
        };
        assert_eq!(shared_columns(&fewer, &raw), vec![None; 4]);
    }

    /// The top values from the sorted values alone (first-seen order
    /// found in row order) are those of the pairs with their rows, on
    /// columns of every shape: all distinct, few values, ties at the
    /// tenth place, the most frequent value seen last, -0.0 beside 0.0.
    #[test]
    fn top_from_sorted_values_as_from_pairs() {
        let shapes: Vec<Vec<f64>> = vec![
            (0..500).map(|i| ((i * 7919) % 500) as f64).collect(),
            (0..500).map(|i| (i % 3) as f64).collect(),
            (0..600).map(|i| ((i * 31) % 23) as f64).collect(),
            (0..600)
                .map(|i| if i < 590 { (i % 200) as f64 } else { -1.0 })
                .collect(),
            (0..400)
                .map(|i| match i % 5 {
                    0 => -0.0,
                    1 => 0.0,
                    _ => ((i * 13) % 17) as f64 / 4.0,
                })
                .collect(),
            vec![2.5],
            Vec::new(),
        ];
        for (k, xs) in shapes.iter().enumerate() {
            let zero = |v: f64| if v == 0.0 { 0.0 } else { v };
            let mut sorted: Vec<f64> = xs.iter().map(|&v| zero(v)).collect();
            sort_values(&mut sorted);
            let (distinct, top) = top_of_sorted(&sorted, |seen| {
                for (i, &v) in xs.iter().enumerate() {
                    if !seen(i as u32, zero(v)) {
                        break;
                    }
                }
            });
            // The pairs as before: -0.0 and 0.0 one run by `==`.
            let pairs = sorted_pairs(xs.iter().map(|&v| Some(v)));
            let (want_distinct, want_top) = distinct_and_top(pairs.iter().copied(), |_, _| true);
            let want: Vec<(f64, u64)> = want_top.iter().map(|&(v, _, c)| (zero(v), c)).collect();
            assert_eq!(distinct, want_distinct, "shape {k}");
            assert_eq!(top, want, "shape {k}");
            assert_eq!(
                top.len(),
                want_distinct.min(TOP_N as u64) as usize,
                "shape {k}"
            );
        }
        // Every NaN is one value in a float column's profile (the pairs'
        // `==` counted each NaN apart).
        let c = polars_core::prelude::Float64Chunked::from_vec(
            "f".into(),
            vec![f64::NAN, 1.0, -f64::NAN, 2.0, 1.0, f64::NAN, -0.0, 0.0],
        );
        let p = profile_column("f".into(), None, 8, ColumnData::Float(&c));
        assert_eq!(p.distinct, 4, "{p:?}");
        assert_eq!(
            p.top,
            vec![
                ("NaN".to_string(), 3),
                ("1".to_string(), 2),
                ("0".to_string(), 2),
                ("2".to_string(), 1)
            ]
        );
    }

    /// A boolean column's counts and top from its bitmaps are those of
    /// its pairs: ties in first-seen order, missing cells left out.
    #[test]
    fn boolean_counts_as_from_pairs() {
        let shapes: Vec<Vec<Option<bool>>> = vec![
            vec![None, Some(false), Some(true), Some(true), None, Some(false)],
            vec![Some(true), Some(false), Some(false)],
            vec![None, Some(true), Some(true)],
            vec![None, None],
            Vec::new(),
            (0..1000)
                .map(|i| (i % 7 != 0).then_some(i % 3 == 0))
                .collect(),
        ];
        for (k, cells) in shapes.into_iter().enumerate() {
            let mut c = BooleanChunked::from_iter(cells.iter().copied());
            // Two arrays, the second starting mid-byte.
            let cut = cells.len() / 2;
            if cut > 0 {
                let mut two = c.slice(0, cut);
                two.append(&c.slice(cut as i64, cells.len() - cut)).unwrap();
                c = two;
            }
            let mut p = empty_profile("b".into(), &ColumnData::Boolean(&c), None);
            boolean_counts(&mut p, &c);
            let pairs = sorted_pairs(cells.iter().copied());
            let (distinct, top) = distinct_and_top(pairs.iter().copied(), |_, _| true);
            let want: Vec<(String, u64)> =
                top.iter().map(|&(v, _, n)| (v.to_string(), n)).collect();
            assert_eq!(p.count, pairs.len() as u64, "shape {k}");
            assert_eq!(p.distinct, distinct, "shape {k}");
            assert_eq!(p.top, want, "shape {k}");
        }
    }

    /// A column in strict order (rising or falling, none missing) says
    /// at once that no row repeats; anything else (an equal neighbour, a
    /// missing cell, a turn, -0.0 beside 0.0, a NaN) leaves it to the
    /// hashes — and both ways give the same flags.
    #[test]
    fn a_column_in_strict_order_means_no_duplicate_rows() {
        let cases: [(&str, bool); 9] = [
            ("k,v\n1,a\n2,a\n5,a\n9,a\n", true),
            ("k,v\n9,a\n5,a\n2,a\n1,a\n", true),
            ("k,v\n2024-01-01,a\n2024-01-02,a\n2024-02-01,a\n", true),
            ("k,v\n0.5,a\n1.5,a\n1.75,a\n", true),
            ("k,v\n1,a\n2,a\n2,a\n3,a\n", false),
            ("k,v\n1,a\n,a\n3,a\n4,a\n", false),
            ("k,v\n1,a\n3,a\n2,a\n4,a\n", false),
            ("k,v\n-0.0,a\n0.0,a\n1.0,a\n", false),
            ("k,v\n1,a\n", false),
        ];
        for (text, differ) in cases {
            let ds = read_bytes("t.csv", text.as_bytes()).unwrap();
            assert_eq!(rows_all_differ(&ds), differ, "{text}");
            assert_eq!(duplicate_flags(&ds), hashed_duplicate_flags(&ds), "{text}");
        }
        // In order across several arrays (as after a read in parts), and
        // a turn at the last cell of the second array.
        let mut text = String::from("id,v\n");
        for i in 0..3000 {
            text.push_str(&format!("{},{}\n", 10 * i, i % 3));
        }
        let whole = read_bytes("t.csv", text.as_bytes()).unwrap();
        let mut ds = whole.clone();
        ds.frame = whole.frame.slice(0, 1000);
        ds.frame.vstack_mut(&whole.frame.slice(1000, 2000)).unwrap();
        assert!(
            ds.frame.columns()[0]
                .as_materialized_series()
                .chunks()
                .len()
                >= 2
        );
        assert!(rows_all_differ(&ds));
        assert_eq!(duplicate_rows(&ds), 0);
        // The second array starts below where the first ended: out of
        // order only where they meet.
        let mut turned = whole.clone();
        turned.frame = whole.frame.slice(1000, 2000);
        turned
            .frame
            .vstack_mut(&whole.frame.slice(0, 1000))
            .unwrap();
        assert!(!rows_all_differ(&turned));
        // At the last cell.
        let mut text_turned = text.clone();
        text_turned.push_str("5,0\n");
        let ds = read_bytes("t.csv", text_turned.as_bytes()).unwrap();
        assert!(!rows_all_differ(&ds));
        assert_eq!(duplicate_flags(&ds), hashed_duplicate_flags(&ds));
        // A NaN between rising numbers (a cleaned column may hold one;
        // the text "NaN" reads as missing).
        use polars_core::prelude::{DataFrame, Float64Chunked, IntoColumn, IntoSeries};
        let mut nan = whole.clone();
        let values = Float64Chunked::from_vec("id".into(), vec![1.0, f64::NAN, 2.0]);
        nan.frame = DataFrame::new(3, vec![values.into_series().into_column()]).unwrap();
        nan.types = vec![crate::core::model::ColumnType::Float];
        nan.date_formats = vec![None];
        assert!(!rows_all_differ(&nan));
    }

    /// Duplicate rows as pandas' `duplicated()` (the first of equal rows
    /// kept; missing equals missing, -0.0 equals 0.0), and the profile the
    /// same, when the columns are several arrays each (as after a read in
    /// parts).
    #[test]
    fn duplicates_and_profile_over_several_arrays() {
        let mut text = String::from("a,b,c,d\n");
        let mut keys = Vec::new();
        for i in 0..4000u64 {
            let r = (i * 2_654_435_761) % 61;
            let a = if r % 7 == 0 {
                String::new()
            } else {
                (r % 5).to_string()
            };
            let b = match r % 4 {
                0 => "0.0".to_string(),
                1 => "-0.0".to_string(),
                2 => String::new(),
                _ => format!("{}.5", r % 3),
            };
            let c = if r % 6 == 0 {
                String::new()
            } else {
                format!("t{}", r % 9)
            };
            let d = ["x", "y", "a text longer than twelve bytes"][(r % 3) as usize];
            text.push_str(&format!("{a},{b},{c},{d}\n"));
            let zero = b.trim_start_matches('-') == "0.0";
            keys.push((a, if zero { "0".to_string() } else { b }, c, d));
        }
        let one = read_bytes("t.csv", text.as_bytes()).unwrap();
        let mut ds = one.clone();
        let mut frame = one.frame.slice(0, 1500);
        frame.vstack_mut(&one.frame.slice(1500, 2500)).unwrap();
        assert_eq!(frame.first_col_n_chunks(), 2);
        ds.frame = frame;
        let mut seen = std::collections::HashSet::new();
        let expected: Vec<bool> = keys.into_iter().map(|k| !seen.insert(k)).collect();
        let found = duplicate_flags(&ds);
        assert_eq!(found, expected);
        let dups = expected.iter().filter(|d| **d).count();
        assert!(dups > 100 && dups < 4000 - 20, "{dups}");
        assert_eq!(duplicate_flags(&one), expected);
        // The same statistics (the memory held differs by the arrays').
        let json = |ds: &Dataset| {
            let p = profile(ds);
            serde_json::to_string(&(p.duplicate_rows, p.column_profiles)).unwrap()
        };
        assert_eq!(json(&ds), json(&one));
    }

    #[test]
    fn percentiles_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile(&v, 0.25), Some(1.75));
        assert_eq!(quantile(&v, 0.5), Some(2.5));
        assert_eq!(quantile(&v, 0.75), Some(3.25));
        assert_eq!(quantile(&[7.0], 0.25), Some(7.0));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn distinct_and_top_values() {
        // Ties in first-seen order; -0.0 and 0.0 are one value.
        let column = [3.0, 1.0, -0.0, 3.0, 0.0, 1.0, 2.0];
        let pairs = sorted_pairs(column.iter().map(|&v| Some(v)));
        let (distinct, top) = distinct_and_top(pairs.iter().copied(), |_, _| true);
        assert_eq!(distinct, 4);
        let top: Vec<(u32, u64)> = top.into_iter().map(|(_, r, n)| (r, n)).collect();
        assert_eq!(top, vec![(0, 2), (1, 2), (2, 2), (6, 1)]);
        // Colliding keys with different values stay apart.
        let words = ["a", "b", "a", "c"];
        let pairs: Vec<(u8, u32)> = (0..4).map(|r| (0, r)).collect();
        let (distinct, top) = distinct_and_top(pairs.iter().copied(), |x, y| {
            words[x as usize] == words[y as usize]
        });
        assert_eq!(distinct, 3);
        let top: Vec<(u32, u64)> = top.into_iter().map(|(_, r, n)| (r, n)).collect();
        assert_eq!(top, vec![(0, 2), (1, 1), (3, 1)]);
    }

    /// A text column's values counted in the rows' order give what
    /// comparing in the keys' order gives: when every run of equal keys
    /// is one text, and when the keys collide (texts of one length share
    /// a key here), missing cells and several arrays besides.
    #[test]
    fn text_values_counted_in_row_order() {
        use polars_core::prelude::NewChunkedArray;
        let words = ["ab", "cd", "ab", "long text, more than twelve", "ef"];
        let texts: Vec<Option<String>> = (0..500u32)
            .map(|i| {
                let r = i.wrapping_mul(2_654_435_761) >> 7;
                (r % 9 != 0).then(|| format!("{}{}", words[(r % 5) as usize], r % 3))
            })
            .collect();
        let mut c =
            StringChunked::from_iter_options("t".into(), texts[..200].iter().map(|t| t.as_deref()));
        c.append(&StringChunked::from_iter_options(
            "t".into(),
            texts[200..].iter().map(|t| t.as_deref()),
        ))
        .unwrap();
        let cells = TextCells::of(&c);
        let rows = texts.len();
        let mask = row_mask(rows);
        let distinct: Vec<&String> = {
            let mut d: Vec<&String> = texts.iter().flatten().collect();
            d.sort();
            d.dedup();
            d
        };
        assert!(distinct.len() > 5);
        let by_value = |t: &str| distinct.iter().position(|d| d.as_str() == t).unwrap() as u64;
        let by_length = |t: &str| t.len() as u64;
        for (name, hash) in [
            ("one key a text", &by_value as &dyn Fn(&str) -> u64),
            ("colliding keys", &by_length),
        ] {
            let mut keys: Vec<u64> = texts
                .iter()
                .enumerate()
                .filter_map(|(row, t)| Some((hash(t.as_deref()?) << 20) | row as u64))
                .collect();
            keys.sort_unstable();
            let want = distinct_and_top(
                keys.iter().map(|&k| (k & !mask, (k & mask) as u32)),
                |a, b| texts[a as usize] == texts[b as usize],
            );
            let got = text_distinct_and_top(&keys, mask, &cells, rows);
            assert_eq!(got, want, "{name}");
            assert_eq!(got.0, distinct.len() as u64, "{name}");
        }
    }

    #[test]
    fn histogram_bins() {
        let h = histogram(|| [5.0, 5.0].into_iter()).unwrap();
        assert_eq!((h.edges.len(), h.counts), (2, vec![2]));
        let v: Vec<f64> = (0..100).map(f64::from).collect();
        let h = histogram(|| v.iter().copied()).unwrap();
        assert_eq!(h.counts.len(), 10);
        assert_eq!(h.edges.len(), 11);
        assert_eq!(h.counts.iter().sum::<u64>(), 100);
    }

    #[test]
    fn small_profile() {
        let ds = read_bytes("t.csv", b"a,b\n1,x\n2,y\n1,x\n,NA\n,\n").unwrap();
        let p = profile(&ds);
        assert_eq!(p.rows, 5);
        assert_eq!(p.duplicate_rows, 2);
        let a = &p.column_profiles[0];
        assert_eq!((a.count, a.missing, a.distinct), (3, 2, 2));
        assert_eq!(a.min.as_deref(), Some("1"));
        assert_eq!(a.std, Some((1.0f64 / 3.0).sqrt()));
        let b = &p.column_profiles[1];
        assert_eq!(b.top.first(), Some(&("x".to_string(), 2)));
    }
}
