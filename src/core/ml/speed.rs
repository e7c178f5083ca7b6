//! The learners' speed benchmark, shared by the native examples
//! (`examples/ml_speed.rs`, `examples/models_speed.rs`) and the browser
//! (`?bench=trees`): a generated binary task, 100,000 rows × 20 features
//! (seeded, 2% of feature 0 missing), a random forest of 100 trees and 100
//! iterations of gradient boosting fitted on all rows, then on the features
//! filled and scaled as the leaderboard does ([`scaled`]) k-means (k = 8,
//! 3 starts) and k-NN's prediction of 1,000 rows (20,000 kept);
//! single-threaded. `tests/data/ml/sklearn_speed.py` and
//! `sklearn_models_speed.py` time scikit-learn on the same data.

use serde::{Deserialize, Serialize};

use super::bins::Binned;
use super::boost::{BoostParams, GradientBoosting};
use super::forest::{ForestParams, RandomForest};
use super::models::{fit, Labels, ModelKind, Prediction};
use super::{MlError, Rng};

pub const ROWS: usize = 100_000;
pub const FEATURES: usize = 20;

fn normal(rng: &mut Rng) -> f64 {
    // ((x >> 11) + 0.5) / 2^53: never 0, so the logarithm is finite.
    let mut uniform = || ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    let (a, b) = (uniform(), uniform());
    (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
}

/// Features (columns) and labels: a non-linear function of the first six
/// features plus noise; the others are noise.
pub fn generate(rows: usize) -> (Vec<Vec<f64>>, Vec<u32>) {
    let mut rng = Rng::new(42);
    let mut x: Vec<Vec<f64>> = (0..FEATURES)
        .map(|_| (0..rows).map(|_| normal(&mut rng)).collect())
        .collect();
    let y = (0..rows)
        .map(|r| {
            let s = x[0][r] + 0.5 * x[1][r] * x[1][r] - x[2][r] * x[3][r]
                + (3.0 * x[4][r]).sin()
                + 0.3 * x[5][r]
                + 0.5 * normal(&mut rng);
            (s > 0.5) as u32
        })
        .collect();
    for v in x[0].iter_mut() {
        if ((rng.next_u64() >> 11) as f64 + 0.5) / ((1u64 << 53) as f64) < 0.02 {
            *v = f64::NAN;
        }
    }
    (x, y)
}

/// The columns with missing values filled with the median and standard
/// scaled (population deviation), as the leaderboard prepares the inputs
/// of k-NN and k-means (and scikit-learn's `SimpleImputer` +
/// `StandardScaler`).
pub fn scaled(x: &[Vec<f64>]) -> Vec<Vec<f64>> {
    x.iter()
        .map(|c| {
            let mut present: Vec<f64> = c.iter().copied().filter(|v| !v.is_nan()).collect();
            present.sort_by(f64::total_cmp);
            let median = present.get(present.len() / 2).copied().unwrap_or(0.0);
            let filled: Vec<f64> = c
                .iter()
                .map(|&v| if v.is_nan() { median } else { v })
                .collect();
            let n = filled.len().max(1) as f64;
            let mean = filled.iter().sum::<f64>() / n;
            let sd = (filled.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n)
                .sqrt()
                .max(1e-12);
            filled.iter().map(|v| (v - mean) / sd).collect()
        })
        .collect()
}

/// Rows k-NN predicts in the benchmark.
pub const KNN_QUERIES: usize = 1_000;

/// Seconds each step took.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timing {
    pub rows: usize,
    pub binning: f64,
    pub forest: f64,
    pub boosting: f64,
    /// Training accuracy on every 10th row, as a sanity check.
    pub forest_accuracy: f64,
    pub boosting_accuracy: f64,
    /// k-means, k = 8, 3 starts, and its inertia.
    pub kmeans: f64,
    pub kmeans_inertia: f64,
    /// k-NN's prediction of the first 1,000 rows, and its accuracy on them.
    pub knn_predict: f64,
    pub knn_accuracy: f64,
}

/// Times binning, the forest and the booster on `generate(rows)`; `now`
/// gives seconds on any clock.
pub fn run(rows: usize, now: &dyn Fn() -> f64) -> Result<Timing, MlError> {
    let (x, y) = generate(rows);
    let train: Vec<u32> = (0..rows as u32).collect();
    let t = now();
    let binned = Binned::new(&x, 255)?;
    let binning = now() - t;
    let t = now();
    let rf = RandomForest::fit_classifier(&binned, &y, &train, &ForestParams::default())?;
    let forest = now() - t;
    let t = now();
    let gb = GradientBoosting::fit_classifier(&binned, &y, &train, &BoostParams::default())?;
    let boosting = now() - t;
    let row = |r: usize| -> Vec<f64> { x.iter().map(|c| c[r]).collect() };
    let acc = |p: &dyn Fn(&[f64]) -> f64| {
        let checked: Vec<usize> = (0..rows).step_by(10).collect();
        checked
            .iter()
            .filter(|&&r| p(&row(r)) == y[r] as f64)
            .count() as f64
            / checked.len().max(1) as f64
    };
    let forest_accuracy = acc(&|r| rf.predict(r));
    let boosting_accuracy = acc(&|r| gb.predict(r));
    drop((rf, gb, binned));
    let xs = scaled(&x);
    let t = now();
    let km = fit(ModelKind::KMeans, &xs, Labels::Groups { k: 8 }, 0)?;
    let kmeans = now() - t;
    let kmeans_inertia = match km {
        super::models::Model::KMeans { inertia, .. } => inertia,
        _ => f64::NAN,
    };
    let classes = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    let knn = fit(ModelKind::Knn, &xs, classes, 0)?;
    let queries = KNN_QUERIES.min(rows);
    let query: Vec<Vec<f64>> = xs.iter().map(|c| c[..queries].to_vec()).collect();
    let t = now();
    let predicted = knn.predict(&query);
    let knn_predict = now() - t;
    let knn_accuracy = match predicted {
        Prediction::Proba(p) => {
            p.iter()
                .zip(&y)
                .filter(|(p, &y)| (p.get(1).copied().unwrap_or(0.0) > 0.5) as u32 == y)
                .count() as f64
                / queries.max(1) as f64
        }
        _ => f64::NAN,
    };
    Ok(Timing {
        rows,
        binning,
        forest,
        boosting,
        forest_accuracy,
        boosting_accuracy,
        kmeans,
        kmeans_inertia,
        knn_predict,
        knn_accuracy,
    })
}
