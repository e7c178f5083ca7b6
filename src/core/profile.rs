//! Column and dataset statistics, following pandas' definitions:
//! `count`/`isna`/`nunique`, `mean`, `std` (ddof 1), quantiles with linear
//! interpolation (numpy's default), `duplicated().sum()`.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash};

use polars_core::prelude::PlRandomState;

use crate::core::infer::{format_date, format_datetime};
use crate::core::ingest::Dataset;
use crate::core::model::{ColumnProfile, DatasetProfile, Histogram};
use crate::core::table::ColumnData;

/// A hash map with a fast, non-cryptographic hasher (SipHash dominated the
/// profile of a million-row file).
type FastMap<K, V> = HashMap<K, V, PlRandomState>;

/// Most values listed in `top`.
const TOP_N: usize = 10;

/// Profiles every column and the dataset as a whole.
pub fn profile(ds: &Dataset) -> DatasetProfile {
    let names = ds.names();
    let column_profiles = (0..ds.width())
        .filter_map(|i| {
            let data = ColumnData::of(ds, i)?;
            let name = names.get(i).cloned().unwrap_or_default();
            let date_format = ds.date_formats.get(i).cloned().flatten();
            Some(profile_column(name, date_format, ds.height(), data))
        })
        .collect();
    DatasetProfile {
        facts: ds.facts.clone(),
        rows: ds.height() as u64,
        columns: ds.width() as u64,
        duplicate_rows: duplicate_rows(ds),
        memory_bytes: ds.frame.estimated_size() as u64,
        column_profiles,
        notes: ds.notes.clone(),
    }
}

/// Counts of each distinct value, most frequent first, ties in first-seen
/// order, and the number of distinct values. Keeps only the top values
/// while scanning the counts, so a column of a million distinct values
/// needs no second copy of them.
fn value_counts<K: Hash + Eq + Copy>(values: impl Iterator<Item = K>) -> (u64, Vec<(K, u64)>) {
    // (count, first row seen); u32 halves the entries (rows fit: 1 GiB files).
    let mut counts: FastMap<K, (u32, u32)> = FastMap::default();
    for (i, v) in values.enumerate() {
        counts.entry(v).or_insert((0, i as u32)).0 += 1;
    }
    let distinct = counts.len() as u64;
    // Rank: higher count first, then earlier first-seen row.
    let rank = |(_, (n, first)): &(K, (u32, u32))| (std::cmp::Reverse(*n), *first);
    let mut top: Vec<(K, (u32, u32))> = Vec::with_capacity(TOP_N + 1);
    for entry in counts {
        if top.len() == TOP_N && top.last().is_some_and(|last| rank(&entry) >= rank(last)) {
            continue;
        }
        let at = top.partition_point(|e| rank(e) < rank(&entry));
        top.insert(at, entry);
        top.truncate(TOP_N);
    }
    (
        distinct,
        top.into_iter()
            .map(|(k, (n, _))| (k, u64::from(n)))
            .collect(),
    )
}

/// Sum with Neumaier compensation (accurate to the last bits, like numpy's
/// pairwise sum for the sizes that matter).
fn accurate_sum(values: &[f64]) -> f64 {
    let mut sum = 0.0;
    let mut c = 0.0;
    for &v in values {
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
    let (lo, t) = rank(sorted.len(), q)?;
    let a = *sorted.get(lo)?;
    Some(match sorted.get(lo + 1) {
        Some(&b) => lerp(a, b, t),
        None => a,
    })
}

/// The same quantile as [`quantile`] from values in any order, by selection
/// (linear time instead of a sort). Reorders `values`.
pub fn quantile_select(values: &mut [f64], q: f64) -> Option<f64> {
    let (lo, t) = rank(values.len(), q)?;
    let (_, &mut a, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    // The next order statistic is the smallest value above the lo-th.
    Some(match above.iter().copied().min_by(f64::total_cmp) {
        Some(b) => lerp(a, b, t),
        None => a,
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
pub fn histogram(values: &[f64]) -> Option<Histogram> {
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let min = finite.iter().copied().reduce(f64::min)?;
    let max = finite.iter().copied().reduce(f64::max)?;
    if min == max {
        return Some(Histogram {
            edges: vec![min, max],
            counts: vec![finite.len() as u64],
        });
    }
    let sturges = (finite.len() as f64).log2().ceil() as usize + 1;
    let bins = sturges.clamp(10, 30);
    let width = (max - min) / bins as f64;
    let mut edges: Vec<f64> = (0..bins).map(|i| min + width * i as f64).collect();
    edges.push(max);
    let mut counts = vec![0u64; bins];
    for v in finite {
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

/// Fills the numeric statistics from the non-missing values.
fn numeric_stats(p: &mut ColumnProfile, values: &[f64], exact_sum: Option<f64>) {
    let n = values.len();
    if n == 0 {
        return;
    }
    let mean = exact_sum.unwrap_or_else(|| accurate_sum(values)) / n as f64;
    p.mean = Some(mean);
    if n >= 2 {
        let squares: Vec<f64> = values.iter().map(|v| (v - mean) * (v - mean)).collect();
        let var = accurate_sum(&squares) / (n - 1) as f64;
        let std = var.sqrt();
        p.std = (!std.is_nan()).then_some(std);
    }
    let mut scratch = values.to_vec();
    p.p25 = quantile_select(&mut scratch, 0.25);
    p.p50 = quantile_select(&mut scratch, 0.5);
    p.p75 = quantile_select(&mut scratch, 0.75);
    p.histogram = histogram(values);
    p.zeros = Some(values.iter().filter(|&&v| v == 0.0).count() as u64);
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
            let ints: Vec<i64> = c.iter().flatten().collect();
            let values: Vec<f64> = ints.iter().map(|&v| v as f64).collect();
            // Exact integer sum (pandas sums int64 exactly).
            let sum: i128 = ints.iter().map(|&v| i128::from(v)).sum();
            numeric_stats(&mut p, &values, Some(sum as f64));
            p.min = ints.iter().min().map(i64::to_string);
            p.max = ints.iter().max().map(i64::to_string);
            let (distinct, top) = value_counts(ints.iter().copied());
            p.distinct = distinct;
            p.top = top.into_iter().map(|(v, n)| (v.to_string(), n)).collect();
            p.count = ints.len() as u64;
        }
        ColumnData::Float(c) => {
            let values: Vec<f64> = c.iter().flatten().collect();
            numeric_stats(&mut p, &values, None);
            p.min = values
                .iter()
                .copied()
                .reduce(f64::min)
                .map(|v| v.to_string());
            p.max = values
                .iter()
                .copied()
                .reduce(f64::max)
                .map(|v| v.to_string());
            // -0.0 and 0.0 are one value, as in pandas.
            let key = |v: f64| if v == 0.0 { 0u64 } else { v.to_bits() };
            let (distinct, top) = value_counts(values.iter().map(|&v| key(v)));
            p.distinct = distinct;
            p.top = top
                .into_iter()
                .map(|(bits, n)| (f64::from_bits(bits).to_string(), n))
                .collect();
            p.count = values.len() as u64;
        }
        ColumnData::Boolean(c) => {
            let values: Vec<bool> = c.iter().flatten().collect();
            let (distinct, top) = value_counts(values.iter().copied());
            p.distinct = distinct;
            p.top = top.into_iter().map(|(v, n)| (v.to_string(), n)).collect();
            p.count = values.len() as u64;
        }
        ColumnData::Date(c) => {
            let values: Vec<i32> = c.iter().flatten().collect();
            p.min = values.iter().min().map(|&d| format_date(d));
            p.max = values.iter().max().map(|&d| format_date(d));
            let days: Vec<f64> = values.iter().map(|&d| f64::from(d)).collect();
            p.histogram = histogram(&days);
            let (distinct, top) = value_counts(values.iter().copied());
            p.distinct = distinct;
            p.top = top.into_iter().map(|(v, n)| (format_date(v), n)).collect();
            p.count = values.len() as u64;
        }
        ColumnData::Datetime(c) => {
            let values: Vec<i64> = c.iter().flatten().collect();
            p.min = values.iter().min().map(|&d| format_datetime(d));
            p.max = values.iter().max().map(|&d| format_datetime(d));
            // Microseconds to (fractional) days, like date columns.
            let days: Vec<f64> = values.iter().map(|&d| d as f64 / 86_400e6).collect();
            p.histogram = histogram(&days);
            let (distinct, top) = value_counts(values.iter().copied());
            p.distinct = distinct;
            p.top = top
                .into_iter()
                .map(|(v, n)| (format_datetime(v), n))
                .collect();
            p.count = values.len() as u64;
        }
        ColumnData::String(c) => {
            let (distinct, top) = value_counts(c.iter().flatten());
            p.distinct = distinct;
            p.top = top.into_iter().map(|(v, n)| (v.to_string(), n)).collect();
            p.count = (c.len() - c.null_count()) as u64;
        }
    }
    p.missing = (rows as u64).saturating_sub(p.count);
    p
}

/// A 64-bit hash of each row's values (missing hashes as its own value).
fn row_hashes(ds: &Dataset, columns: &[ColumnData]) -> Vec<u64> {
    let mut hashes = vec![0u64; ds.height()];
    let state = PlRandomState::default();
    fn mix(h: &mut u64, v: u64) {
        *h = (h.rotate_left(5) ^ v).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    // Missing is hashed as a value no number maps to in practice.
    const MISSING: u64 = 0x5bd1_e995_5bd1_e995;
    for data in columns {
        let hs = hashes.iter_mut();
        match data {
            ColumnData::Integer(c) | ColumnData::Datetime(c) => {
                for (h, v) in hs.zip(c.iter()) {
                    mix(h, v.map_or(MISSING, |v| v as u64));
                }
            }
            ColumnData::Float(c) => {
                for (h, v) in hs.zip(c.iter()) {
                    let bits = v.map_or(MISSING, |v| if v == 0.0 { 0 } else { v.to_bits() });
                    mix(h, bits);
                }
            }
            ColumnData::Boolean(c) => {
                for (h, v) in hs.zip(c.iter()) {
                    mix(h, v.map_or(MISSING, u64::from));
                }
            }
            ColumnData::Date(c) => {
                for (h, v) in hs.zip(c.iter()) {
                    mix(h, v.map_or(MISSING, |v| v as u64));
                }
            }
            ColumnData::String(c) => {
                for (h, v) in hs.zip(c.iter()) {
                    let hv = v.map_or(MISSING, |s| state.hash_one(s));
                    mix(h, hv);
                }
            }
        }
    }
    hashes
}

/// Rows equal to an earlier row, over the parsed values (pandas
/// `df.duplicated().sum()`; missing equals missing).
pub fn duplicate_rows(ds: &Dataset) -> u64 {
    let columns: Vec<ColumnData> = (0..ds.width())
        .filter_map(|i| ColumnData::of(ds, i))
        .collect();
    let hashes = row_hashes(ds, &columns);
    // Rows in order of their hash (then of position): equal rows have equal
    // hashes, so each row need only be compared with the earlier rows of its
    // run. Two flat arrays instead of a hash map of a million entries.
    let mut order: Vec<u32> = (0..hashes.len() as u32).collect();
    order.sort_unstable_by_key(|&r| (hashes.get(r as usize).copied().unwrap_or(0), r));
    let equal = |a: usize, b: usize| columns.iter().all(|c| c.cells_equal(a, b));
    let mut duplicates = 0;
    // Hash of the current run, and its distinct rows (almost always one).
    let mut run_hash = None;
    let mut distinct: Vec<usize> = Vec::new();
    for &r in &order {
        let row = r as usize;
        let h = hashes.get(row).copied();
        if h != run_hash {
            run_hash = h;
            distinct.clear();
            distinct.push(row);
        } else if distinct.iter().any(|&d| equal(d, row)) {
            duplicates += 1;
        } else {
            distinct.push(row);
        }
    }
    duplicates
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::read_bytes;

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
    fn selection_equals_sorting() {
        // A scrambled sequence with repeats and negative values.
        let values: Vec<f64> = (0..1001)
            .map(|i| ((i * 7919) % 211) as f64 - 50.5)
            .collect();
        let mut sorted = values.clone();
        sorted.sort_unstable_by(f64::total_cmp);
        for q in [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0] {
            let mut scratch = values.clone();
            assert_eq!(
                quantile_select(&mut scratch, q),
                quantile(&sorted, q),
                "q = {q}"
            );
        }
        assert_eq!(quantile_select(&mut [], 0.5), None);
        assert_eq!(quantile_select(&mut [3.0], 0.75), Some(3.0));
    }

    #[test]
    fn histogram_bins() {
        let h = histogram(&[5.0, 5.0]).unwrap();
        assert_eq!((h.edges.len(), h.counts), (2, vec![2]));
        let v: Vec<f64> = (0..100).map(f64::from).collect();
        let h = histogram(&v).unwrap();
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
