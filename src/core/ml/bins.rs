//! Features pre-binned once per dataset: every value becomes a `u8` bin
//! number so that trees search splits over per-bin histograms instead of
//! sorted values.
//!
//! Per feature, the present values get at most [`MAX_VALUE_BINS`] bins: one
//! per distinct value when there are that few (edges half-way between
//! neighbours), else bins between quantiles of the values (like
//! scikit-learn's `_BinMapper`). Missing values (`NaN`) get one more bin, the
//! last one of the feature. Infinite values fall into the first or last
//! value bin.

use super::MlError;

/// The most bins for present values of one feature (one more for missing).
pub const MAX_VALUE_BINS: usize = 255;

/// A table of features as bin numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct Binned {
    pub n_rows: usize,
    pub n_features: usize,
    /// Column-major: feature `f` of row `r` is `bins[f * n_rows + r]`.
    pub bins: Vec<u8>,
    /// Per feature, the upper edge of each value bin (inclusive): a value
    /// `v` falls into the first bin `b` with `v <= thresholds[f][b]`. The
    /// last edge is `+inf`.
    pub thresholds: Vec<Vec<f64>>,
}

impl Binned {
    /// Bins `columns` (one `Vec` per feature, all of the same length;
    /// `NaN` = missing) with at most `max_bins` value bins per feature
    /// (2 ..= [`MAX_VALUE_BINS`]).
    pub fn new(columns: &[Vec<f64>], max_bins: usize) -> Result<Binned, MlError> {
        if !(2..=MAX_VALUE_BINS).contains(&max_bins) {
            return Err(super::bad_param(
                "max_bins",
                max_bins,
                "must be between 2 and 255",
            ));
        }
        let n_features = columns.len();
        let n_rows = columns.first().map_or(0, Vec::len);
        if n_rows == 0 || n_features == 0 {
            return Err(MlError::Empty {
                rows: n_rows,
                features: n_features,
            });
        }
        for (f, col) in columns.iter().enumerate() {
            if col.len() != n_rows {
                return Err(MlError::LengthMismatch {
                    what: format!("feature {f}"),
                    expected: n_rows,
                    actual: col.len(),
                });
            }
        }
        let mut bins = vec![0u8; n_rows * n_features];
        let mut thresholds = Vec::with_capacity(n_features);
        for (f, col) in columns.iter().enumerate() {
            let edges = edges_of(col, max_bins);
            let missing = edges.len() as u8;
            let out = &mut bins[f * n_rows..(f + 1) * n_rows];
            for (o, &v) in out.iter_mut().zip(col) {
                *o = if v.is_nan() {
                    missing
                } else {
                    edges.partition_point(|&t| t < v) as u8
                };
            }
            thresholds.push(edges);
        }
        Ok(Binned {
            n_rows,
            n_features,
            bins,
            thresholds,
        })
    }

    /// The bins of feature `f`, one per row.
    pub fn column(&self, f: usize) -> &[u8] {
        &self.bins[f * self.n_rows..(f + 1) * self.n_rows]
    }

    /// The number of value bins of feature `f`; its missing bin has this
    /// number.
    pub fn missing_bin(&self, f: usize) -> u8 {
        self.thresholds[f].len() as u8
    }

    /// The number of bins of feature `f`, the missing bin included.
    pub fn n_bins(&self, f: usize) -> usize {
        self.thresholds[f].len() + 1
    }

    /// The bin of `value` for feature `f` (for rows not binned here).
    pub fn bin_of(&self, f: usize, value: f64) -> u8 {
        if value.is_nan() {
            self.missing_bin(f)
        } else {
            self.thresholds[f].partition_point(|&t| t < value) as u8
        }
    }
}

/// The upper edges of the value bins of one column (the last is `+inf`).
fn edges_of(col: &[f64], max_bins: usize) -> Vec<f64> {
    let mut values: Vec<f64> = col.iter().copied().filter(|v| !v.is_nan()).collect();
    values.sort_unstable_by(f64::total_cmp);
    let mut distinct = values.clone();
    distinct.dedup();
    let mut edges: Vec<f64> = if distinct.len() <= max_bins {
        distinct.windows(2).map(|w| midpoint(w[0], w[1])).collect()
    } else {
        // Quantiles at 1/max_bins … (max_bins-1)/max_bins, linear
        // interpolation (numpy's default), then without repeats.
        let n = values.len();
        let mut e: Vec<f64> = (1..max_bins)
            .map(|i| {
                let pos = i as f64 / max_bins as f64 * (n - 1) as f64;
                let lo = pos.floor() as usize;
                let hi = (lo + 1).min(n - 1);
                values[lo] + (values[hi] - values[lo]) * (pos - lo as f64)
            })
            .collect();
        e.dedup();
        e
    };
    edges.retain(|e| e.is_finite());
    edges.dedup();
    edges.push(f64::INFINITY);
    edges
}

/// Half-way between `a < b`, without overflow; `a` when they are too close
/// to have a value between them.
fn midpoint(a: f64, b: f64) -> f64 {
    let m = a + (b - a) / 2.0;
    if m.is_finite() && m < b {
        m
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_distinct_values_get_one_bin_each_and_missing_the_last() {
        let b = Binned::new(&[vec![3.0, 1.0, f64::NAN, 2.0, 1.0]], 255).unwrap();
        assert_eq!(b.thresholds[0], vec![1.5, 2.5, f64::INFINITY]);
        assert_eq!(b.column(0), &[2, 0, 3, 1, 0]);
        assert_eq!(b.missing_bin(0), 3);
        assert_eq!(b.bin_of(0, 1.5), 0);
        assert_eq!(b.bin_of(0, 1.6), 1);
        assert_eq!(b.bin_of(0, 99.0), 2);
        assert_eq!(b.bin_of(0, f64::NAN), 3);
    }

    #[test]
    fn many_values_get_quantile_bins() {
        let col: Vec<f64> = (0..10_000).map(|i| (i as f64).sqrt()).collect();
        let b = Binned::new(std::slice::from_ref(&col), 255).unwrap();
        assert_eq!(b.thresholds[0].len(), 255);
        // Roughly equal counts per bin.
        let mut counts = [0usize; 256];
        for &x in b.column(0) {
            counts[x as usize] += 1;
        }
        assert!(counts[..255].iter().all(|&c| (35..=45).contains(&c)));
        for (r, &v) in col.iter().enumerate() {
            assert_eq!(b.bin_of(0, v), b.column(0)[r]);
        }
    }

    #[test]
    fn bad_input_is_typed() {
        assert!(matches!(Binned::new(&[], 255), Err(MlError::Empty { .. })));
        assert!(matches!(
            Binned::new(&[vec![1.0], vec![1.0, 2.0]], 255),
            Err(MlError::LengthMismatch { .. })
        ));
        assert!(matches!(
            Binned::new(&[vec![1.0]], 300),
            Err(MlError::BadParam {
                name: "max_bins",
                ..
            })
        ));
    }
}
