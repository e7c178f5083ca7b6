//! Box plots (Tukey): quartiles as pandas computes them (linear
//! interpolation), whiskers at the most extreme values within 1.5 IQR of
//! the quartiles, and the values beyond them as outliers.

use serde::{Deserialize, Serialize};

use crate::core::ingest::Dataset;
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
    let first_in = sorted.partition_point(|v| *v < lo_fence);
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

/// The box of column `index` when it is numeric.
pub fn box_stats(ds: &Dataset, index: usize) -> Option<BoxStats> {
    let data = ColumnData::of(ds, index)?;
    if !matches!(data, ColumnData::Integer(_) | ColumnData::Float(_)) {
        return None;
    }
    let mut values: Vec<f64> = (0..data.len())
        .filter_map(|r| data.number(r))
        .filter(|v| v.is_finite())
        .collect();
    values.sort_unstable_by(f64::total_cmp);
    // The column's own name: `ds.names()` would copy every name for each
    // column (quadratic in the width).
    let name = ds.frame.columns().get(index)?.name().to_string();
    box_of(&name, &values)
}

/// The boxes of every numeric column, in dataset order.
pub fn boxes(ds: &Dataset) -> Vec<BoxStats> {
    (0..ds.width()).filter_map(|i| box_stats(ds, i)).collect()
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
