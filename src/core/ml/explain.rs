//! Model-agnostic explanations: permutation importance and partial
//! dependence, as scikit-learn's `sklearn.inspection` defines them. The
//! model enters as a closure over feature columns, so any learner (and any
//! score) fits.

use serde::{Deserialize, Serialize};

use super::Rng;

/// How much a score drops when one feature's values are shuffled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Importance {
    /// The feature's column index.
    pub feature: usize,
    /// Mean over the repeats of (baseline score − permuted score).
    pub mean: f64,
    /// Population standard deviation (ddof = 0) of the same drops.
    pub std: f64,
}

/// Permutation importance of every column (`permutation_importance`): the
/// baseline `score(columns)` minus the score with that column's rows
/// shuffled, over `repeats` seeded shuffles (at least 1); the mean and the
/// population standard deviation of those drops, one [`Importance`] per
/// column in column order.
///
/// `score` must be higher-is-better (negate a loss) and deterministic: the
/// caller closes over the truth and the model. A column the score ignores
/// gets exactly 0. Each column's shuffles come from its own generator
/// derived from `seed`, so a column's result does not depend on the
/// others. Memory: one copy of the columns, the permuted column swapped in
/// and out.
pub fn permutation_importance(
    columns: &[Vec<f64>],
    score: &dyn Fn(&[Vec<f64>]) -> f64,
    repeats: usize,
    seed: u64,
) -> Vec<Importance> {
    if columns.is_empty() {
        return Vec::new();
    }
    let repeats = repeats.max(1);
    let baseline = score(columns);
    let mut seeds = Rng::new(seed);
    let mut work = columns.to_vec();
    let mut out = Vec::with_capacity(columns.len());
    for feature in 0..columns.len() {
        let mut rng = Rng::new(seeds.next_u64());
        let mut permuted = columns[feature].clone();
        let mut drops = Vec::with_capacity(repeats);
        for _ in 0..repeats {
            // Shuffling the previous permutation again is another uniform
            // permutation of the original column.
            for i in (1..permuted.len()).rev() {
                permuted.swap(i, rng.below(i + 1));
            }
            std::mem::swap(&mut work[feature], &mut permuted);
            drops.push(baseline - score(&work));
            std::mem::swap(&mut work[feature], &mut permuted);
        }
        let mean = drops.iter().sum::<f64>() / repeats as f64;
        let var = drops.iter().map(|d| (d - mean) * (d - mean)).sum::<f64>() / repeats as f64;
        out.push(Importance {
            feature,
            mean,
            std: var.sqrt(),
        });
    }
    out
}

/// Partial dependence of `predict` on column `feature` (scikit-learn's
/// `partial_dependence(kind="average", method="brute")`): for each value
/// of `grid`, the mean of `predict` over every row with that column set to
/// the value. `predict` returns one number per row (for a classifier, the
/// probability of the class of interest).
///
/// Empty when there are no rows or `feature` is not a column.
pub fn partial_dependence(
    columns: &[Vec<f64>],
    feature: usize,
    grid: &[f64],
    predict: &dyn Fn(&[Vec<f64>]) -> Vec<f64>,
) -> Vec<f64> {
    let rows = match columns.get(feature) {
        Some(col) if !col.is_empty() => col.len(),
        _ => return Vec::new(),
    };
    let mut work = columns.to_vec();
    grid.iter()
        .map(|&v| {
            work[feature] = vec![v; rows];
            let preds = predict(&work);
            if preds.is_empty() {
                0.0
            } else {
                preds.iter().sum::<f64>() / preds.len() as f64
            }
        })
        .collect()
}

/// The grid of a feature for [`partial_dependence`], as scikit-learn's
/// default (`grid_resolution = points`, `percentiles = (0.05, 0.95)`):
/// the sorted distinct values when there are fewer than `points` of them,
/// else `points` evenly spaced values from the 5th to the 95th percentile
/// (SciPy's `mquantiles`, α = β = 0.4, which scikit-learn uses). `NaN`s
/// are dropped; a single value when the two percentiles coincide (where
/// scikit-learn raises) or `points = 1`; empty for no values or
/// `points = 0`.
pub fn grid(values: &[f64], points: usize) -> Vec<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() || points == 0 {
        return Vec::new();
    }
    sorted.sort_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup();
    if distinct.len() < points || distinct.len() == 1 {
        return distinct;
    }
    let (lo, hi) = (mquantile(&sorted, 0.05), mquantile(&sorted, 0.95));
    if lo == hi || points == 1 {
        return vec![lo];
    }
    let step = (hi - lo) / (points - 1) as f64;
    (0..points)
        .map(|i| {
            if i == points - 1 {
                hi
            } else {
                lo + step * i as f64
            }
        })
        .collect()
}

/// SciPy's `mstats.mquantiles(sorted, p, alphap=0.4, betap=0.4)` of sorted
/// values (at least 2, so that the clamp below is well formed).
fn mquantile(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len() as f64;
    let m = 0.4 + p * (1.0 - 0.4 - 0.4);
    let aleph = n * p + m;
    let k = aleph.clamp(1.0, n - 1.0).floor();
    let gamma = (aleph - k).clamp(0.0, 1.0);
    let k = k as usize;
    (1.0 - gamma) * sorted[k - 1] + gamma * sorted[k]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_of_few_and_many_values() {
        assert_eq!(grid(&[3.0, f64::NAN, 1.0, 3.0], 5), vec![1.0, 3.0]);
        assert!(grid(&[], 5).is_empty());
        let g = grid(&(0..100).map(f64::from).collect::<Vec<_>>(), 10);
        assert_eq!(g.len(), 10);
        assert!(g[0] > 4.0 && g[9] < 95.0);
    }
}
