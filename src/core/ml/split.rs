//! Seeded, reproducible row splits for model evaluation: a train/test
//! split and k-fold cross-validation, both optionally stratified by class.
//!
//! Rows are indices `0..n` (`u32`, like the training rows of the learners).
//! Every list returned is sorted ascending. The same seed gives the same
//! split; different seeds shuffle differently.

use std::collections::BTreeMap;

use super::Rng;

/// Shuffles `rows` in place (Fisher–Yates with the seeded generator).
fn shuffle(rows: &mut [u32], rng: &mut Rng) {
    for i in (1..rows.len()).rev() {
        rows.swap(i, rng.below(i + 1));
    }
}

/// The rows `0..n` grouped by stratum (ascending label, rows ascending).
/// Rows beyond `strata.len()` share one extra group (label `u32::MAX`
/// unless that label is used); labels beyond `n` are ignored.
fn groups(n: usize, strata: &[u32]) -> Vec<Vec<u32>> {
    let mut by_label: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for r in 0..n {
        let label = strata.get(r).copied().unwrap_or(u32::MAX);
        by_label.entry(label).or_default().push(r as u32);
    }
    by_label.into_values().collect()
}

/// How many of a group's `count` rows go to the test side:
/// `round(test_fraction · count)` (half away from zero), kept within
/// `1 ..= count − 1` when the group has at least 2 rows; a group of one row
/// stays on the training side.
fn test_count(count: usize, test_fraction: f64) -> usize {
    let fraction = if test_fraction.is_finite() {
        test_fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if count < 2 {
        return 0;
    }
    ((fraction * count as f64).round() as usize).clamp(1, count - 1)
}

/// Splits the rows `0..n` into (train, test), shuffled with `seed`.
///
/// Without `strata`, `round(test_fraction · n)` rows go to test (at least
/// one to each side when `n ≥ 2`). With `strata` (one class label per
/// row), the split is stratified like scikit-learn's
/// `train_test_split(stratify=…)`: each class contributes
/// `round(test_fraction · class_count)` of its rows to test — at least one
/// to each side when the class has 2 rows or more; a class of a single row
/// stays in train — and the rest to train, so each class keeps its share
/// on both sides to within one row. Rounding is half away from zero;
/// `test_fraction` is clamped to [0, 1] (non-finite counts as 0).
///
/// Both lists are sorted ascending; `n = 0` gives two empty lists.
pub fn train_test_split(
    n: usize,
    test_fraction: f64,
    strata: Option<&[u32]>,
    seed: u64,
) -> (Vec<u32>, Vec<u32>) {
    let mut rng = Rng::new(seed);
    let groups = match strata {
        Some(labels) => groups(n, labels),
        None => vec![(0..n as u32).collect()],
    };
    let (mut train, mut test) = (Vec::with_capacity(n), Vec::new());
    for mut rows in groups {
        shuffle(&mut rows, &mut rng);
        let k = test_count(rows.len(), test_fraction);
        test.extend_from_slice(&rows[..k]);
        train.extend_from_slice(&rows[k..]);
    }
    train.sort_unstable();
    test.sort_unstable();
    (train, test)
}

/// K-fold cross-validation over the rows `0..n`: `k` (train, validation)
/// pairs in which every row is in exactly one validation fold and in the
/// training rows of every other fold. `k` is clamped to `[2, n]`; fewer
/// than 2 rows give no folds.
///
/// Without `strata`, the shuffled rows are cut into `k` consecutive folds
/// whose sizes differ by at most one (the first `n mod k` one larger), as
/// scikit-learn's `KFold(shuffle=True)`. With `strata` (one class label per
/// row), like `StratifiedKFold(shuffle=True)`: each class's rows are
/// shuffled and, class after class, dealt round-robin across the folds, so
/// every fold holds each class to within one row of its share and the fold
/// sizes differ by at most one.
///
/// All lists are sorted ascending.
pub fn k_fold(n: usize, k: usize, strata: Option<&[u32]>, seed: u64) -> Vec<(Vec<u32>, Vec<u32>)> {
    if n < 2 {
        return Vec::new();
    }
    let k = k.clamp(2, n);
    let mut rng = Rng::new(seed);
    let mut fold_of = vec![0usize; n];
    match strata {
        Some(labels) => {
            let mut next = 0;
            for mut rows in groups(n, labels) {
                shuffle(&mut rows, &mut rng);
                for r in rows {
                    fold_of[r as usize] = next;
                    next = (next + 1) % k;
                }
            }
        }
        None => {
            let mut rows: Vec<u32> = (0..n as u32).collect();
            shuffle(&mut rows, &mut rng);
            let (size, extra) = (n / k, n % k);
            let mut start = 0;
            for fold in 0..k {
                let len = size + usize::from(fold < extra);
                for &r in &rows[start..start + len] {
                    fold_of[r as usize] = fold;
                }
                start += len;
            }
        }
    }
    (0..k)
        .map(|fold| {
            let (validation, train): (Vec<u32>, Vec<u32>) =
                (0..n as u32).partition(|&r| fold_of[r as usize] == fold);
            (train, validation)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_and_empty_inputs() {
        assert_eq!(train_test_split(0, 0.25, None, 1), (vec![], vec![]));
        assert_eq!(train_test_split(1, 0.9, None, 1), (vec![0], vec![]));
        let (train, test) = train_test_split(2, 0.0, None, 1);
        assert_eq!((train.len(), test.len()), (1, 1));
        assert!(k_fold(1, 5, None, 1).is_empty());
        assert_eq!(k_fold(3, 10, None, 1).len(), 3);
        assert_eq!(k_fold(5, 0, None, 1).len(), 2);
    }
}
