//! Evaluation metrics, defined as scikit-learn 1.x defines them:
//! classification (accuracy, balanced accuracy, macro F1, ROC AUC, log
//! loss, the confusion matrix), regression (R², RMSE, MAE) and clustering
//! (the silhouette).
//!
//! Values that can be undefined are `Option`s, never `NaN`: the results
//! cross the worker boundary as JSON.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Rng;

/// The metrics of a classifier on labelled rows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// Share of rows predicted right (`accuracy_score`).
    pub accuracy: f64,
    /// Mean recall over the classes present in the truth
    /// (`balanced_accuracy_score`, not adjusted).
    pub balanced_accuracy: f64,
    /// Unweighted mean F1 over the classes in the truth or the predictions
    /// (`f1_score(average="macro")`, `zero_division=0`).
    pub f1_macro: f64,
    /// `roc_auc_score` (binary; else one-vs-rest, macro average). `None`
    /// without probabilities, or when a class has no positive or no
    /// negative row in the truth.
    pub roc_auc: Option<f64>,
    /// `log_loss` of the probabilities. `None` without probabilities.
    pub log_loss: Option<f64>,
    /// `confusion[true][predicted]` counts, `n_classes` × `n_classes`.
    pub confusion: Vec<Vec<u64>>,
}

/// The metrics of a regressor.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegMetrics {
    /// Coefficient of determination `1 − SS_res / SS_tot` (`r2_score`);
    /// `None` when the truth is constant (or there are no rows).
    pub r2: Option<f64>,
    /// Root mean squared error (`root_mean_squared_error`).
    pub rmse: f64,
    /// Mean absolute error (`mean_absolute_error`).
    pub mae: f64,
}

/// The index of the largest value of `row`, the lowest index on ties
/// (`numpy.argmax`); `NaN`s never win. 0 for an empty or all-`NaN` row.
fn argmax(row: &[f64]) -> u32 {
    let mut best = 0;
    let mut best_value = f64::NEG_INFINITY;
    for (c, &p) in row.iter().enumerate() {
        if p > best_value {
            best = c;
            best_value = p;
        }
    }
    best as u32
}

/// Classification metrics of probabilities `proba` (one row per truth row,
/// `proba[row][class]`) against the true classes `truth` (`0..n_classes`).
///
/// The predicted class is the row's largest probability, the lowest class
/// on ties (scikit-learn's `predict` from `predict_proba`). ROC AUC and log
/// loss use the probabilities:
///
/// - ROC AUC with 2 classes is the AUC of `proba[row][1]` (ties count one
///   half: the Mann–Whitney statistic, equal to `roc_auc_score`); with more,
///   the unweighted mean of the one-vs-rest AUCs of every class
///   (`roc_auc_score(multi_class="ovr", average="macro")`, which expects
///   rows summing to 1). `None` when any class has no positive or no
///   negative row in the truth, or a probability used is not finite.
/// - Log loss is `log_loss(labels=range(n_classes))`: probabilities clipped
///   to `[ε, 1 − ε]` (ε = `f64::EPSILON`), rows renormalised to sum to 1,
///   then the mean of `−ln p[true class]`. (Recent scikit-learn releases
///   no longer renormalise; for rows that sum to 1 the two agree.)
///
/// Rows beyond the shorter of `truth` and `proba` are ignored; with no
/// rows the rates are 0 and ROC AUC and log loss `None`. Classes at or
/// above `n_classes` in the truth widen the confusion matrix.
pub fn classification(truth: &[u32], proba: &[Vec<f64>], n_classes: usize) -> ClassMetrics {
    let rows = truth.len().min(proba.len());
    let (truth, proba) = (&truth[..rows], &proba[..rows]);
    let pred: Vec<u32> = proba.iter().map(|row| argmax(row)).collect();
    let mut metrics = classification_from_labels(truth, &pred, n_classes);
    let k = metrics.confusion.len();
    metrics.roc_auc = roc_auc(truth, proba, k);
    metrics.log_loss = log_loss(truth, proba, k);
    metrics
}

/// Classification metrics of predicted classes `pred` against `truth`
/// (models without probabilities): accuracy, balanced accuracy, macro F1
/// and the confusion matrix as [`classification`]; ROC AUC and log loss
/// `None`. Rows beyond the shorter list are ignored.
pub fn classification_from_labels(truth: &[u32], pred: &[u32], n_classes: usize) -> ClassMetrics {
    let rows = truth.len().min(pred.len());
    let (truth, pred) = (&truth[..rows], &pred[..rows]);
    let k = truth
        .iter()
        .chain(pred)
        .map(|&c| c as usize + 1)
        .max()
        .unwrap_or(0)
        .max(n_classes);
    let mut confusion = vec![vec![0u64; k]; k];
    for (&t, &p) in truth.iter().zip(pred) {
        confusion[t as usize][p as usize] += 1;
    }
    let hits: u64 = (0..k).map(|c| confusion[c][c]).sum();
    let accuracy = if rows == 0 {
        0.0
    } else {
        hits as f64 / rows as f64
    };
    // Per class: true positives, support (row sums) and predicted
    // (column sums).
    let (mut recall_sum, mut present) = (0.0, 0usize);
    let (mut f1_sum, mut labels) = (0.0, 0usize);
    for c in 0..k {
        let tp = confusion[c][c] as f64;
        let support: u64 = confusion[c].iter().sum();
        let predicted: u64 = confusion.iter().map(|row| row[c]).sum();
        if support > 0 {
            recall_sum += tp / support as f64;
            present += 1;
        }
        if support > 0 || predicted > 0 {
            // 2·TP / (2·TP + FP + FN) = 2·TP / (support + predicted).
            f1_sum += 2.0 * tp / (support + predicted) as f64;
            labels += 1;
        }
    }
    let mean = |sum: f64, count: usize| if count == 0 { 0.0 } else { sum / count as f64 };
    ClassMetrics {
        accuracy,
        balanced_accuracy: mean(recall_sum, present),
        f1_macro: mean(f1_sum, labels),
        roc_auc: None,
        log_loss: None,
        confusion,
    }
}

/// The probability of `class` in `row` (0 when the row is shorter).
fn prob(row: &[f64], class: usize) -> f64 {
    row.get(class).copied().unwrap_or(0.0)
}

/// The area under the ROC curve of `scores` for the rows where `positive`
/// holds: the Mann–Whitney U over P·N with average ranks for ties. `None`
/// without positives, negatives, or with a non-finite score.
fn binary_auc(scores: &[f64], positive: impl Fn(usize) -> bool) -> Option<f64> {
    if scores.iter().any(|s| !s.is_finite()) {
        return None;
    }
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let (mut rank_sum, mut positives) = (0.0, 0usize);
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && scores[order[j + 1]] == scores[order[i]] {
            j += 1;
        }
        // Ranks i+1 ..= j+1 share their mean.
        let rank = (i + j + 2) as f64 / 2.0;
        for &r in &order[i..=j] {
            if positive(r) {
                rank_sum += rank;
                positives += 1;
            }
        }
        i = j + 1;
    }
    let negatives = scores.len() - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (p, n) = (positives as f64, negatives as f64);
    Some((rank_sum - p * (p + 1.0) / 2.0) / (p * n))
}

fn roc_auc(truth: &[u32], proba: &[Vec<f64>], k: usize) -> Option<f64> {
    if k < 2 || truth.is_empty() {
        return None;
    }
    if k == 2 {
        let scores: Vec<f64> = proba.iter().map(|row| prob(row, 1)).collect();
        return binary_auc(&scores, |r| truth[r] == 1);
    }
    let mut sum = 0.0;
    for c in 0..k {
        let scores: Vec<f64> = proba.iter().map(|row| prob(row, c)).collect();
        sum += binary_auc(&scores, |r| truth[r] as usize == c)?;
    }
    Some(sum / k as f64)
}

fn log_loss(truth: &[u32], proba: &[Vec<f64>], k: usize) -> Option<f64> {
    if proba.is_empty() {
        return None;
    }
    let eps = f64::EPSILON;
    let clip = |p: f64| p.clamp(eps, 1.0 - eps);
    let mut total = 0.0;
    for (&t, row) in truth.iter().zip(proba) {
        let sum: f64 = (0..k).map(|c| clip(prob(row, c))).sum();
        total -= (clip(prob(row, t as usize)) / sum).ln();
    }
    let loss = total / truth.len() as f64;
    loss.is_finite().then_some(loss)
}

/// Regression metrics of predictions `pred` against `truth`: R²
/// (`r2_score`, `None` instead of scikit-learn's forced 0 or 1 when the
/// truth is constant), RMSE and MAE. Rows beyond the shorter list are
/// ignored; no rows give RMSE and MAE 0 and R² `None`.
pub fn regression(truth: &[f64], pred: &[f64]) -> RegMetrics {
    let rows = truth.len().min(pred.len());
    let (truth, pred) = (&truth[..rows], &pred[..rows]);
    if rows == 0 {
        return RegMetrics {
            r2: None,
            rmse: 0.0,
            mae: 0.0,
        };
    }
    let n = rows as f64;
    let mean = truth.iter().sum::<f64>() / n;
    let (mut ss_res, mut ss_tot, mut abs) = (0.0, 0.0, 0.0);
    for (&t, &p) in truth.iter().zip(pred) {
        ss_res += (t - p) * (t - p);
        ss_tot += (t - mean) * (t - mean);
        abs += (t - p).abs();
    }
    RegMetrics {
        r2: (ss_tot > 0.0).then(|| 1.0 - ss_res / ss_tot),
        rmse: (ss_res / n).sqrt(),
        mae: abs / n,
    }
}

/// (predicted, residual = truth − predicted) per row, for a residual plot.
pub fn residuals(truth: &[f64], pred: &[f64]) -> Vec<(f64, f64)> {
    truth.iter().zip(pred).map(|(&t, &p)| (p, t - p)).collect()
}

/// The mean silhouette coefficient of the clustering `labels` of the rows
/// of `columns` under the Euclidean distance (`silhouette_score`): per row,
/// `(b − a) / max(a, b)` with `a` the mean distance to the other members of
/// its cluster and `b` the smallest mean distance to another cluster's
/// members; a row alone in its cluster scores 0 (as does a row with
/// `a = b = 0`).
///
/// With more than `max_rows` rows, the score is that of a seeded sample of
/// `max_rows` rows drawn without replacement (`silhouette_score(…,
/// sample_size=max_rows)`; the sample, not the rows, is what must hold 2
/// clusters or more). `None` with fewer than 2 clusters, when every row is
/// its own cluster, or when the score is not finite.
///
/// The columns must hold no `NaN` (impute missing values first). Rows
/// beyond the shorter of `labels` and the columns are ignored. Cost:
/// O(m² · d) for m rows (or `max_rows`) and d columns.
pub fn silhouette(columns: &[Vec<f64>], labels: &[u32], max_rows: usize, seed: u64) -> Option<f64> {
    let n = columns.iter().map(Vec::len).fold(labels.len(), usize::min);
    let mut rows: Vec<usize> = (0..n).collect();
    if n > max_rows {
        // Partial Fisher–Yates: the first max_rows of a seeded shuffle.
        let mut rng = Rng::new(seed);
        for i in 0..max_rows {
            let j = i + rng.below(n - i);
            rows.swap(i, j);
        }
        rows.truncate(max_rows);
        rows.sort_unstable();
    }
    let m = rows.len();
    // Clusters renumbered 0..c in label order.
    let mut ids: BTreeMap<u32, usize> = BTreeMap::new();
    for &r in &rows {
        ids.insert(labels[r], 0);
    }
    let c = ids.len();
    if c < 2 || c >= m {
        return None;
    }
    for (i, id) in ids.values_mut().enumerate() {
        *id = i;
    }
    let cluster: Vec<usize> = rows.iter().map(|&r| ids[&labels[r]]).collect();
    let mut sizes = vec![0usize; c];
    for &k in &cluster {
        sizes[k] += 1;
    }
    // Row-major copy of the sampled points.
    let d = columns.len();
    let points: Vec<f64> = rows
        .iter()
        .flat_map(|&r| columns.iter().map(move |col| col[r]))
        .collect();
    let point = |i: usize| &points[i * d..(i + 1) * d];
    let mut sums = vec![0.0; c];
    let mut total = 0.0;
    for i in 0..m {
        if sizes[cluster[i]] == 1 {
            continue;
        }
        sums.iter_mut().for_each(|s| *s = 0.0);
        let pi = point(i);
        for j in 0..m {
            let dist: f64 = pi
                .iter()
                .zip(point(j))
                .map(|(a, b)| (a - b) * (a - b))
                .sum::<f64>()
                .sqrt();
            sums[cluster[j]] += dist;
        }
        let own = cluster[i];
        let a = sums[own] / (sizes[own] - 1) as f64;
        let b = (0..c)
            .filter(|&k| k != own)
            .map(|k| sums[k] / sizes[k] as f64)
            .fold(f64::INFINITY, f64::min);
        let denominator = a.max(b);
        if denominator > 0.0 {
            total += (b - a) / denominator;
        }
    }
    let score = total / m as f64;
    score.is_finite().then_some(score)
}

/// Whether a larger value of the metric named `metric` is better: `false`
/// for the losses and errors (`log_loss`, `rmse`, `mae`, and names ending
/// in `_loss` or `_error`), `true` for the scores (`accuracy`,
/// `balanced_accuracy`, `f1_macro`, `roc_auc`, `r2`, `silhouette`, …).
pub fn higher_is_better(metric: &str) -> bool {
    let m = metric.to_ascii_lowercase();
    !(matches!(m.as_str(), "log_loss" | "rmse" | "mae" | "mse")
        || m.ends_with("_loss")
        || m.ends_with("_error"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_inputs_are_defined() {
        let m = classification(&[], &[], 2);
        assert_eq!((m.accuracy, m.roc_auc, m.log_loss), (0.0, None, None));
        assert_eq!(m.confusion, vec![vec![0, 0], vec![0, 0]]);
        let r = regression(&[], &[]);
        assert_eq!((r.r2, r.rmse, r.mae), (None, 0.0, 0.0));
        assert_eq!(regression(&[2.0, 2.0], &[1.0, 3.0]).r2, None);
        assert_eq!(silhouette(&[], &[], 10, 0), None);
        assert_eq!(silhouette(&[vec![0.0, 1.0]], &[0, 1], 10, 0), None);
    }

    #[test]
    fn metric_direction() {
        assert!(higher_is_better("roc_auc") && higher_is_better("r2"));
        assert!(!higher_is_better("log_loss") && !higher_is_better("rmse"));
    }
}
