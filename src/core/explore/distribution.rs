//! Box plots (Tukey): quartiles as pandas computes them (linear
//! interpolation), whiskers at the most extreme values within 1.5 IQR of
//! the quartiles, and the values beyond them as outliers.

use serde::{Deserialize, Serialize};

use crate::core::ingest::Dataset;
use crate::core::model::{ColumnProfile, DatasetProfile};
use crate::core::profile::quantile;
use crate::core::table::ColumnData;

/// Outliers kept for drawing; the count of all of them is kept too.
pub const MAX_OUTLIERS: usize = 200;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoxStats {
    pub column: String,
    /// Values counted (present and finite).
    pub count: u64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    /// The smallest value at or above `q1 - 1.5 IQR`.
    pub low: f64,
    /// The largest value at or below `q3 + 1.5 IQR`.
    pub high: f64,
    /// Values outside the whiskers, at most [`MAX_OUTLIERS`] of them spread
    /// evenly over the sorted outliers (the most extreme always kept).
    pub outliers: Vec<f64>,
    /// How many values are outside the whiskers.
    pub outlier_count: u64,
}

/// The box of sorted finite values.
pub fn box_of(column: &str, sorted: &[f64]) -> Option<BoxStats> {
    let (q1, median, q3) = (
        quantile(sorted, 0.25)?,
        quantile(sorted, 0.5)?,
        quantile(sorted, 0.75)?,
    );
    let iqr = q3 - q1;
    let (lo_fence, hi_fence) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
    // Quartiles of values near ±f64::MAX can overflow to infinities, which
    // put the low fence past every value: the last value then.
    let first_in = sorted
        .partition_point(|v| *v < lo_fence)
        .min(sorted.len() - 1);
    let past_in = sorted.partition_point(|v| *v <= hi_fence);
    let (low, high) = (sorted[first_in], sorted[past_in.max(first_in + 1) - 1]);
    let outside: Vec<f64> = sorted[..first_in]
        .iter()
        .chain(&sorted[past_in..])
        .copied()
        .collect();
    Some(BoxStats {
        column: column.to_string(),
        count: sorted.len() as u64,
        q1,
        median,
        q3,
        low,
        high,
        outlier_count: outside.len() as u64,
        outliers: spread(&outside, MAX_OUTLIERS),
    })
}

/// At most `n` values spread evenly over `v`, first and last included.
fn spread(v: &[f64], n: usize) -> Vec<f64> {
    if v.len() <= n {
        return v.to_vec();
    }
    (0..n)
        .map(|i| v[i * (v.len() - 1) / (n - 1).max(1)])
        .collect()
}

/// The quartiles a profile already computed for a column, over the values
/// it counted.
#[derive(Clone, Copy, Debug)]
pub struct Quartiles {
    pub count: u64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
}

impl Quartiles {
    /// The profile's quartiles of a numeric column (None for others).
    pub fn of(p: &ColumnProfile) -> Option<Quartiles> {
        if !p.dtype.is_numeric() {
            return None;
        }
        let q = Quartiles {
            count: p.count,
            q1: p.p25?,
            median: p.p50?,
            q3: p.p75?,
        };
        // Overflowed quartiles (values near ±f64::MAX) take the sorted
        // path, which handles them.
        (q.q1.is_finite() && q.median.is_finite() && q.q3.is_finite() && q.q1 <= q.q3).then_some(q)
    }
}

/// The box of column `index` when it is numeric. With `known` quartiles
/// over the same values (the column's profile, when every value it counted
/// is finite), no sort is needed: one pass finds the whiskers and the
/// outliers, and only the outliers are sorted; otherwise the finite values
/// are sorted (cells × log rows).
pub fn box_stats(ds: &Dataset, index: usize, known: Option<Quartiles>) -> Option<BoxStats> {
    let data = ColumnData::of(ds, index)?;
    if !matches!(data, ColumnData::Integer(_) | ColumnData::Float(_)) {
        return None;
    }
    // Read in order (a cell at a time through `ColumnData::number` looks
    // up its chunk each time).
    let mut values: Vec<f64> = Vec::with_capacity(data.len());
    crate::core::explore::aggregate::for_each_present(&data, |_, v| {
        if v.is_finite() {
            values.push(v);
        }
    });
    // The column's own name: `ds.names()` would copy every name for each
    // column (quadratic in the width).
    let name = ds.frame.columns().get(index)?.name().to_string();
    match known {
        Some(q) if q.count == values.len() as u64 && !values.is_empty() => {
            Some(box_from_quartiles(&name, &values, q))
        }
        _ => {
            values.sort_unstable_by(f64::total_cmp);
            box_of(&name, &values)
        }
    }
}

/// [`box_of`] of `values` (finite, in any order) whose quartiles are
/// known: the same box, without sorting them.
fn box_from_quartiles(column: &str, values: &[f64], q: Quartiles) -> BoxStats {
    let iqr = q.q3 - q.q1;
    let (lo_fence, hi_fence) = (q.q1 - 1.5 * iqr, q.q3 + 1.5 * iqr);
    // As in the sorted array: the first value at or above the low fence and
    // the last at or below the high one (by total order, so -0.0 < 0.0).
    let mut low: Option<f64> = None;
    let mut high: Option<f64> = None;
    let mut outside = Vec::new();
    for &v in values {
        if v >= lo_fence && low.is_none_or(|l| v.total_cmp(&l).is_lt()) {
            low = Some(v);
        }
        if v <= hi_fence && high.is_none_or(|h| v.total_cmp(&h).is_gt()) {
            high = Some(v);
        }
        if v < lo_fence || v > hi_fence {
            outside.push(v);
        }
    }
    outside.sort_unstable_by(f64::total_cmp);
    // The quartiles lie within the values, so a value is at or above the
    // low fence and one at or below the high fence.
    let low = low.unwrap_or(q.q1);
    let high = high.unwrap_or(q.q3);
    BoxStats {
        column: column.to_string(),
        count: values.len() as u64,
        q1: q.q1,
        median: q.median,
        q3: q.q3,
        low,
        high: if high.total_cmp(&low).is_lt() {
            low
        } else {
            high
        },
        outlier_count: outside.len() as u64,
        outliers: spread(&outside, MAX_OUTLIERS),
    }
}

/// The boxes of every numeric column, in dataset order; `profile` (of the
/// same data) gives the quartiles it computed, so most columns are not
/// sorted again.
pub fn boxes(ds: &Dataset, profile: &DatasetProfile) -> Vec<BoxStats> {
    (0..ds.width())
        .filter_map(|i| {
            let known = profile
                .column_profiles
                .get(i)
                .filter(|p| ds.frame.columns().get(i).map(|c| c.name().as_str()) == Some(&p.name))
                .and_then(Quartiles::of);
            box_stats(ds, i, known)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tukey_box_with_outliers() {
        // pandas: quantiles 2.75, 5.5, 8.25 -> IQR 5.5, fences -5.5 and 16.5.
        let mut v: Vec<f64> = (1..=10).map(f64::from).collect();
        v.push(100.0);
        v.insert(0, -50.0);
        let b = box_of("x", &v).unwrap();
        assert_eq!((b.q1, b.median, b.q3), (2.75, 5.5, 8.25));
        assert_eq!((b.low, b.high), (1.0, 10.0));
        assert_eq!(b.outliers, vec![-50.0, 100.0]);
        assert_eq!(b.outlier_count, 2);
    }

    /// The box from known quartiles, without a sort, is the sorted box bit
    /// for bit: ties, -0.0 beside 0.0, outliers on both sides, constants.
    #[test]
    fn known_quartiles_give_the_sorted_box() {
        let mut rng = crate::core::rng::Rng::new(16);
        let mut with_outliers = 0;
        for case in 0..3000 {
            let n = 1 + rng.below(if case % 10 == 0 { 2000 } else { 60 });
            let kind = case % 4;
            let mut v: Vec<f64> = (0..n)
                .map(|_| match kind {
                    0 => rng.below(5) as f64 - 2.0,
                    1 => [-0.0, 0.0, 1.0][rng.below(3)],
                    2 => (rng.unit() - 0.5) * 10f64.powi(rng.below(12) as i32),
                    _ => 7.25,
                })
                .collect();
            let mut sorted = v.clone();
            sorted.sort_unstable_by(f64::total_cmp);
            let want = box_of("x", &sorted).unwrap();
            let q = Quartiles {
                count: n as u64,
                q1: quantile(&sorted, 0.25).unwrap(),
                median: quantile(&sorted, 0.5).unwrap(),
                q3: quantile(&sorted, 0.75).unwrap(),
            };
            // Any order: the values as read.
            for i in (1..v.len()).rev() {
                v.swap(i, rng.below(i + 1));
            }
            let got = box_from_quartiles("x", &v, q);
            assert_eq!(got, want, "case {case}: {v:?}");
            let bits = |b: &BoxStats| (b.low.to_bits(), b.high.to_bits());
            assert_eq!(bits(&got), bits(&want), "case {case}: {v:?}");
            with_outliers += usize::from(want.outlier_count > 0);
        }
        assert!(
            with_outliers > 300,
            "only {with_outliers} cases had outliers"
        );
    }

    /// Values near ±f64::MAX overflow the quartiles' interpolation: the box
    /// is still drawn from the values, never an index past them.
    #[test]
    fn overflowing_quartiles_do_not_panic() {
        for v in [vec![-1e308, 1e308], vec![-1e308, 1e308, 1e308]] {
            let b = box_of("x", &v).expect("a box");
            assert!(v.contains(&b.low) && v.contains(&b.high), "{b:?}");
        }
    }

    #[test]
    fn one_value_and_spread() {
        let b = box_of("x", &[3.0]).unwrap();
        assert_eq!(
            (b.low, b.q1, b.median, b.q3, b.high),
            (3.0, 3.0, 3.0, 3.0, 3.0)
        );
        assert!(box_of("x", &[]).is_none());
        let v: Vec<f64> = (0..1000).map(f64::from).collect();
        let s = spread(&v, 200);
        assert_eq!(s.len(), 200);
        assert_eq!((s[0], s[199]), (0.0, 999.0));
    }
}
