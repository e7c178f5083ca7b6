//! The models on the leaderboard, which library fits each, and one enum of
//! fitted models that predict and serialise (for storage).
//!
//! | model | fitted by |
//! |---|---|
//! | baseline (majority class / mean) | here |
//! | logistic regression | linfa-logistic (L-BFGS, L2 α = 1) |
//! | linear regression | linfa-linear (least squares) |
//! | ridge regression | linfa-linear (least squares on the centred data with √α·I rows; α = 1 as scikit-learn's `Ridge`) |
//! | Gaussian naive Bayes | linfa-bayes |
//! | k-nearest neighbours (k = 5) | ours: brute force (`ml::knn`) |
//! | k-means | ours: scikit-learn's greedy k-means++ and Lloyd (`ml::kmeans`) |
//! | decision tree, random forest, gradient boosting | [`super::tree`] (our histogram learner) |
//!
//! linfa's fitted linear models are kept as their coefficients, k-means as
//! its centroids (prediction is the nearest centroid), k-NN as its
//! training rows; naive Bayes as linfa's model (serde).

use linfa::prelude::*;
use ndarray::{Array1, Array2};
use serde::{Deserialize, Serialize};

use super::bins::Binned;
use super::boost::{BoostParams, GradientBoosting};
use super::forest::{ForestParams, RandomForest};
use super::prep::Family;
use super::task::Task;
use super::tree::{self, Targets, Tree, TreeParams};
use super::MlError;

/// k of k-nearest neighbours (scikit-learn's default).
pub const KNN_K: usize = 5;

/// k-NN learns from at most this many input columns. It compares a query
/// with every kept row (`ml::knn`), and explaining a model predicts
/// hundreds of times: past this width k-NN is not fitted (it fails on the
/// leaderboard with the reason) rather than run for hours.
pub const KNN_MAX_COLUMNS: usize = 32;

/// k-NN searches at most this many training rows (a seeded sample above),
/// so a prediction costs at most this many distances over the model's
/// columns (themselves bounded by [`super::task::MAX_FEATURES`]): linear
/// in the rows scored. A saved model storing more is refused.
pub const KNN_MAX_ROWS: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    Baseline,
    LogisticRegression,
    LinearRegression,
    Ridge,
    DecisionTree,
    RandomForest,
    GradientBoosting,
    Knn,
    NaiveBayes,
    KMeans,
}

impl ModelKind {
    /// The model's name (`data-model` on the leaderboard).
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Baseline => "baseline",
            ModelKind::LogisticRegression => "logistic_regression",
            ModelKind::LinearRegression => "linear_regression",
            ModelKind::Ridge => "ridge",
            ModelKind::DecisionTree => "decision_tree",
            ModelKind::RandomForest => "random_forest",
            ModelKind::GradientBoosting => "gradient_boosting",
            ModelKind::Knn => "knn",
            ModelKind::NaiveBayes => "naive_bayes",
            ModelKind::KMeans => "kmeans",
        }
    }

    pub fn from_name(name: &str) -> Option<ModelKind> {
        ModelKind::ALL.into_iter().find(|k| k.name() == name)
    }

    const ALL: [ModelKind; 10] = [
        ModelKind::Baseline,
        ModelKind::LogisticRegression,
        ModelKind::LinearRegression,
        ModelKind::Ridge,
        ModelKind::DecisionTree,
        ModelKind::RandomForest,
        ModelKind::GradientBoosting,
        ModelKind::Knn,
        ModelKind::NaiveBayes,
        ModelKind::KMeans,
    ];

    /// What a person reads.
    pub fn label(self, task: &Task) -> &'static str {
        match (self, task) {
            (ModelKind::Baseline, Task::Classification) => "Baseline (majority class)",
            (ModelKind::Baseline, _) => "Baseline (mean)",
            (ModelKind::LogisticRegression, _) => "Logistic regression",
            (ModelKind::LinearRegression, _) => "Linear regression",
            (ModelKind::Ridge, _) => "Ridge regression",
            (ModelKind::DecisionTree, _) => "Decision tree",
            (ModelKind::RandomForest, _) => "Random forest",
            (ModelKind::GradientBoosting, _) => "Gradient boosting",
            (ModelKind::Knn, _) => "k-nearest neighbours",
            (ModelKind::NaiveBayes, _) => "Gaussian naive Bayes",
            (ModelKind::KMeans, _) => "k-means",
        }
    }

    /// Its settings (hyper-parameters), for people.
    pub fn settings(self, task: &Task) -> &'static str {
        match (self, task) {
            (ModelKind::Baseline, Task::Classification) => "predicts the training class shares",
            (ModelKind::Baseline, _) => "predicts the training mean",
            (ModelKind::LogisticRegression, _) => {
                "L2 penalty 1, L-BFGS (at most 200 iterations), scaled inputs"
            }
            (ModelKind::LinearRegression, _) => "least squares, scaled inputs",
            (ModelKind::Ridge, _) => "α = 1, scaled inputs",
            (ModelKind::DecisionTree, _) => "grown fully, 255 bins per feature",
            (ModelKind::RandomForest, Task::Classification) => {
                "100 trees, bootstrap, √features per split, grown fully"
            }
            (ModelKind::RandomForest, _) => "100 trees, bootstrap, all features, grown fully",
            (ModelKind::GradientBoosting, _) => {
                "100 rounds, learning rate 0.1, 31 leaves, 20 rows per leaf"
            }
            (ModelKind::Knn, _) => "k = 5, Euclidean on scaled inputs, ≤ 20,000 rows kept",
            (ModelKind::NaiveBayes, _) => "Gaussian, scaled inputs",
            (ModelKind::KMeans, _) => "k = 2…8 by silhouette, 3 restarts, scaled inputs",
        }
    }

    /// The library that fits it.
    pub fn library(self) -> &'static str {
        match self {
            ModelKind::Baseline => "Plainsight",
            ModelKind::LogisticRegression => "linfa-logistic",
            ModelKind::LinearRegression => "linfa-linear",
            ModelKind::Ridge => "linfa-linear",
            ModelKind::NaiveBayes => "linfa-bayes",
            ModelKind::Knn => "Plainsight (brute force)",
            ModelKind::KMeans => "Plainsight (k-means++, Lloyd)",
            ModelKind::DecisionTree | ModelKind::RandomForest | ModelKind::GradientBoosting => {
                "Plainsight (histogram trees)"
            }
        }
    }

    /// The inputs it takes.
    pub fn family(self) -> Family {
        match self {
            ModelKind::DecisionTree | ModelKind::RandomForest | ModelKind::GradientBoosting => {
                Family::Trees
            }
            _ => Family::Scaled,
        }
    }

    /// The models tried for a task, quickest first.
    pub fn for_task(task: &Task) -> Vec<ModelKind> {
        match task {
            Task::Classification => vec![
                ModelKind::Baseline,
                ModelKind::NaiveBayes,
                ModelKind::LogisticRegression,
                ModelKind::DecisionTree,
                ModelKind::Knn,
                ModelKind::GradientBoosting,
                ModelKind::RandomForest,
            ],
            Task::Regression => vec![
                ModelKind::Baseline,
                ModelKind::LinearRegression,
                ModelKind::Ridge,
                ModelKind::DecisionTree,
                ModelKind::Knn,
                ModelKind::GradientBoosting,
                ModelKind::RandomForest,
            ],
            Task::Clustering => vec![ModelKind::KMeans],
        }
    }
}

/// What a model learns from: one entry per training row.
#[derive(Clone, Copy, Debug)]
pub enum Labels<'a> {
    Classes {
        y: &'a [u32],
        n_classes: usize,
    },
    Values(&'a [f64]),
    /// Clustering: `k` groups.
    Groups {
        k: usize,
    },
}

/// A fitted model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "model", rename_all = "snake_case")]
pub enum Model {
    /// Always these class probabilities (the training frequencies).
    Prior {
        proba: Vec<f64>,
    },
    /// Always the training mean.
    Mean {
        value: f64,
    },
    /// `x · coef + intercept`.
    Linear {
        coef: Vec<f64>,
        intercept: f64,
    },
    /// Per class `x · coef[c] + intercept[c]`, through the logistic
    /// function (one row: the probability of class 1) or softmax.
    Logistic {
        coef: Vec<Vec<f64>>,
        intercept: Vec<f64>,
        n_classes: usize,
    },
    NaiveBayes {
        nb: linfa_bayes::GaussianNb<f64, usize>,
        n_classes: usize,
    },
    /// The training rows (as columns) and their targets.
    Knn {
        k: usize,
        columns: Vec<Vec<f64>>,
        y: Vec<f64>,
        n_classes: Option<usize>,
    },
    KMeans {
        centroids: Vec<Vec<f64>>,
        inertia: f64,
    },
    Tree {
        tree: Tree,
        n_classes: Option<usize>,
    },
    Forest(RandomForest),
    Boosting(GradientBoosting),
}

/// Predictions for many rows.
#[derive(Clone, Debug, PartialEq)]
pub enum Prediction {
    /// Per row, the probability of each class.
    Proba(Vec<Vec<f64>>),
    Values(Vec<f64>),
    Clusters(Vec<u32>),
}

impl Prediction {
    /// Per row the predicted class, value or cluster as a number.
    pub fn point(&self) -> Vec<f64> {
        match self {
            Prediction::Proba(p) => p.iter().map(|p| super::forest::argmax(p) as f64).collect(),
            Prediction::Values(v) => v.clone(),
            Prediction::Clusters(c) => c.iter().map(|&c| c as f64).collect(),
        }
    }
}

fn lib_err(model: ModelKind, e: impl std::fmt::Display) -> MlError {
    MlError::Library {
        model: model.name().to_string(),
        message: e.to_string(),
    }
}

/// Row-major matrix of columns.
fn matrix(columns: &[Vec<f64>]) -> Array2<f64> {
    let n = columns.first().map_or(0, Vec::len);
    Array2::from_shape_fn((n, columns.len()), |(i, j)| columns[j][i])
}

fn rows_of(columns: &[Vec<f64>]) -> usize {
    columns.first().map_or(0, Vec::len)
}

fn all_rows(n: usize) -> Vec<u32> {
    (0..n as u32).collect()
}

fn check(columns: &[Vec<f64>], targets: usize) -> Result<usize, MlError> {
    let n = rows_of(columns);
    if n == 0 || columns.is_empty() {
        return Err(MlError::Empty {
            rows: n,
            features: columns.len(),
        });
    }
    if let Some((i, c)) = columns.iter().enumerate().find(|(_, c)| c.len() != n) {
        return Err(MlError::LengthMismatch {
            what: format!("feature {i}"),
            expected: n,
            actual: c.len(),
        });
    }
    if targets != usize::MAX && targets != n {
        return Err(MlError::LengthMismatch {
            what: "targets".into(),
            expected: n,
            actual: targets,
        });
    }
    Ok(n)
}

fn dot(row: &[f64], coef: &[f64]) -> f64 {
    row.iter().zip(coef).map(|(a, b)| a * b).sum()
}

fn softmax(z: &mut [f64]) {
    let m = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for v in z.iter_mut() {
        *v = (*v - m).exp();
        s += *v;
    }
    z.iter_mut().for_each(|v| *v /= s);
}

/// Fits `kind` on `columns` (the training rows only, encoded for the
/// model's family) and `labels`.
pub fn fit(
    kind: ModelKind,
    columns: &[Vec<f64>],
    labels: Labels,
    seed: u64,
) -> Result<Model, MlError> {
    let n_targets = match labels {
        Labels::Classes { y, .. } => y.len(),
        Labels::Values(y) => y.len(),
        Labels::Groups { .. } => usize::MAX,
    };
    let n = check(columns, n_targets)?;
    if let Labels::Classes { y, n_classes } = labels {
        if let Some((row, &class)) = y.iter().enumerate().find(|(_, &c)| c as usize >= n_classes) {
            return Err(MlError::BadClass {
                row,
                class,
                n_classes,
            });
        }
        if y.iter().all(|&c| c == y[0]) {
            return Err(MlError::OneClass { class: y[0] });
        }
    }
    if let Labels::Values(y) = labels {
        if let Some(row) = y.iter().position(|v| !v.is_finite()) {
            return Err(MlError::BadTarget { row });
        }
    }
    match (kind, labels) {
        (ModelKind::Baseline, Labels::Classes { y, n_classes }) => {
            let mut proba = vec![0.0; n_classes];
            for &c in y {
                proba[c as usize] += 1.0;
            }
            proba.iter_mut().for_each(|p| *p /= n as f64);
            Ok(Model::Prior { proba })
        }
        (ModelKind::Baseline, Labels::Values(y)) => Ok(Model::Mean {
            value: y.iter().sum::<f64>() / n as f64,
        }),
        (ModelKind::LinearRegression, Labels::Values(y)) => {
            ridge(kind, columns, y, LSTSQ_ALPHA * rows_of(columns) as f64)
        }
        (ModelKind::Ridge, Labels::Values(y)) => ridge(kind, columns, y, RIDGE_ALPHA),
        (ModelKind::LogisticRegression, Labels::Classes { y, n_classes }) => {
            logistic(columns, y, n_classes)
        }
        (ModelKind::NaiveBayes, Labels::Classes { y, n_classes }) => {
            let targets: Array1<usize> = y.iter().map(|&c| c as usize).collect();
            let data = DatasetBase::new(matrix(columns), targets);
            let nb = linfa_bayes::GaussianNb::params()
                .fit(&data)
                .map_err(|e| lib_err(kind, e))?;
            Ok(Model::NaiveBayes { nb, n_classes })
        }
        (ModelKind::Knn, Labels::Classes { .. } | Labels::Values(_)) => {
            if columns.len() > KNN_MAX_COLUMNS {
                return Err(MlError::TooWide {
                    model: kind.name().to_string(),
                    columns: columns.len(),
                    limit: KNN_MAX_COLUMNS,
                });
            }
            let (y, n_classes): (Vec<f64>, Option<usize>) = match labels {
                Labels::Classes { y, n_classes } => {
                    (y.iter().map(|&c| c as f64).collect(), Some(n_classes))
                }
                Labels::Values(y) => (y.to_vec(), None),
                Labels::Groups { .. } => unreachable!(),
            };
            let keep = super::sample_rows(&all_rows(n), KNN_MAX_ROWS, seed);
            Ok(Model::Knn {
                k: KNN_K.min(keep.len()),
                columns: super::prep::take(columns, &keep),
                y: keep.iter().map(|&r| y[r as usize]).collect(),
                n_classes,
            })
        }
        (ModelKind::KMeans, Labels::Groups { k }) => {
            let params = super::kmeans::KMeansParams {
                k,
                seed,
                ..super::kmeans::KMeansParams::default()
            };
            let m = super::kmeans::fit(columns, &params).map_err(|e| lib_err(kind, e))?;
            Ok(Model::KMeans {
                centroids: m.centroids,
                inertia: m.inertia,
            })
        }
        (ModelKind::DecisionTree, labels) => {
            let binned = Binned::new(columns, 255)?;
            let params = TreeParams {
                seed,
                ..TreeParams::default()
            }
            .check(columns.len())?;
            let rows = all_rows(n);
            let (targets, n_classes) = match labels {
                Labels::Classes { y, n_classes } => (
                    Targets::Classes {
                        labels: y,
                        n_classes,
                    },
                    Some(n_classes),
                ),
                Labels::Values(y) => (Targets::Values(y), None),
                Labels::Groups { .. } => return Err(wrong_task(kind)),
            };
            let tree = tree::fit(&binned, targets, &rows, None, &params)?;
            Ok(Model::Tree { tree, n_classes })
        }
        (ModelKind::RandomForest, labels) => {
            let binned = Binned::new(columns, 255)?;
            let params = ForestParams {
                seed,
                ..ForestParams::default()
            };
            let rows = all_rows(n);
            Ok(Model::Forest(match labels {
                Labels::Classes { y, .. } => {
                    RandomForest::fit_classifier(&binned, y, &rows, &params)?
                }
                Labels::Values(y) => RandomForest::fit_regressor(&binned, y, &rows, &params)?,
                Labels::Groups { .. } => return Err(wrong_task(kind)),
            }))
        }
        (ModelKind::GradientBoosting, labels) => {
            let binned = Binned::new(columns, 255)?;
            let params = BoostParams {
                seed,
                ..BoostParams::default()
            };
            let rows = all_rows(n);
            Ok(Model::Boosting(match labels {
                Labels::Classes { y, .. } => {
                    GradientBoosting::fit_classifier(&binned, y, &rows, &params)?
                }
                Labels::Values(y) => GradientBoosting::fit_regressor(&binned, y, &rows, &params)?,
                Labels::Groups { .. } => return Err(wrong_task(kind)),
            }))
        }
        _ => Err(wrong_task(kind)),
    }
}

fn wrong_task(kind: ModelKind) -> MlError {
    MlError::BadParam {
        name: "model",
        value: kind.name().to_string(),
        why: "does not serve this task",
    }
}

fn linear(kind: ModelKind, coef: Vec<f64>, intercept: f64) -> Result<Model, MlError> {
    if !intercept.is_finite() || coef.iter().any(|c| !c.is_finite()) {
        return Err(lib_err(kind, "the coefficients are not finite numbers"));
    }
    Ok(Model::Linear { coef, intercept })
}

/// scikit-learn's `Ridge(alpha=1)`: minimises |y - Xw - b|² + α|w|².
pub const RIDGE_ALPHA: f64 = 1.0;

/// Least squares as scikit-learn's `LinearRegression` solves it (lstsq:
/// the smallest coefficients among the best fits) when columns are
/// collinear, e.g. every one-hot column of a category, or a campaign that
/// fixes its channel: a ridge this small per row changes a well-posed fit
/// by about 1e-8 for scaled measures (a one-hot column of a category seen
/// in k of n rows shrinks by about 1e-8·n/k), and keeps the directions the
/// data cannot tell apart at zero. Plain normal equations gave
/// coefficients of 1e27 that cancel on the training rows, and a
/// permutation importance of 1e27 when one is shuffled.
const LSTSQ_ALPHA: f64 = 1e-8;

/// Ridge regression as least squares (linfa-linear) on the centred data
/// with √α·I appended as rows: the closed form scikit-learn solves, in one
/// QR solve. (linfa-elasticnet's coordinate descent took 40 s on 100,000
/// rows for the same answer.)
fn ridge(kind: ModelKind, columns: &[Vec<f64>], y: &[f64], alpha: f64) -> Result<Model, MlError> {
    let (n, d) = (rows_of(columns), columns.len());
    let means: Vec<f64> = columns
        .iter()
        .map(|c| c.iter().sum::<f64>() / n as f64)
        .collect();
    let y_mean = y.iter().sum::<f64>() / n as f64;
    let root = alpha.sqrt();
    let x = Array2::from_shape_fn((n + d, d), |(i, j)| {
        if i < n {
            columns[j][i] - means[j]
        } else if i - n == j {
            root
        } else {
            0.0
        }
    });
    let t: Array1<f64> = (0..n + d)
        .map(|i| if i < n { y[i] - y_mean } else { 0.0 })
        .collect();
    let m = linfa_linear::LinearRegression::new()
        .with_intercept(false)
        .fit(&DatasetBase::new(x, t))
        .map_err(|e| lib_err(kind, e))?;
    let coef = m.params().to_vec();
    let intercept = y_mean - dot(&means, &coef);
    linear(kind, coef, intercept)
}

fn logistic(columns: &[Vec<f64>], y: &[u32], n_classes: usize) -> Result<Model, MlError> {
    let kind = ModelKind::LogisticRegression;
    let x = matrix(columns);
    let present: Vec<usize> = {
        let mut seen = vec![false; n_classes];
        y.iter().for_each(|&c| seen[c as usize] = true);
        (0..n_classes).filter(|&c| seen[c]).collect()
    };
    let d = columns.len();
    // linfa minimises the summed loss, so its gradient grows with the rows
    // and its default tolerance (1e-4 on that sum) ran every iteration on
    // large data: 4.75 s on 100,000 rows against scikit-learn's 0.08 s. A
    // tolerance per row (1e-5 on the mean loss's gradient norm, a tenth of
    // scikit-learn's on its largest component) stops in 0.12 s with
    // scikit-learn's scores on the fixtures.
    let tolerance = 1e-5 * y.len().max(1) as f64;
    let (coef, intercept) = if present.len() == 2 {
        // Two classes: the model gives the probability of the larger one.
        let targets: Array1<usize> = y.iter().map(|&c| c as usize).collect();
        let m = linfa_logistic::LogisticRegression::default()
            .max_iterations(200)
            .gradient_tolerance(tolerance)
            .fit(&DatasetBase::new(x, targets))
            .map_err(|e| lib_err(kind, e))?;
        let (w, b) = (m.params().to_vec(), m.intercept());
        // linfa's "positive" class is the more frequent one (the first seen
        // on ties); the model gives its probability. Per class: the other
        // gets zeros (softmax of (0, z) is the logistic function of z).
        let (pos, neg) = (m.labels().pos.class, m.labels().neg.class);
        let mut coef = vec![vec![0.0; d]; n_classes];
        let mut intercept = vec![f64::NEG_INFINITY; n_classes];
        intercept[neg] = 0.0;
        coef[pos] = w;
        intercept[pos] = b;
        (coef, intercept)
    } else {
        let targets: Array1<usize> = y.iter().map(|&c| c as usize).collect();
        let m = linfa_logistic::MultiLogisticRegression::default()
            .max_iterations(200)
            .gradient_tolerance(tolerance)
            .fit(&DatasetBase::new(x, targets))
            .map_err(|e| lib_err(kind, e))?;
        let (w, b) = (m.params(), m.intercept());
        let mut coef = vec![vec![0.0; d]; n_classes];
        let mut intercept = vec![f64::NEG_INFINITY; n_classes];
        for (j, &class) in m.classes().iter().enumerate() {
            coef[class] = w.column(j).to_vec();
            intercept[class] = b[j];
        }
        (coef, intercept)
    };
    if coef.iter().flatten().any(|c| !c.is_finite()) {
        return Err(lib_err(kind, "the coefficients are not finite numbers"));
    }
    Ok(Model::Logistic {
        coef,
        intercept,
        n_classes,
    })
}

impl Model {
    /// That the model takes `width` encoded columns and gives `classes`
    /// classes (0: a regression or clustering): every shape prediction
    /// relies on, checked when a saved model is read (its parts come from
    /// bytes). The reason when not.
    pub fn fits(&self, width: usize, classes: usize) -> Result<(), &'static str> {
        let trees_ok = |t: &Tree, leaf: usize| {
            t.max_feature().is_none_or(|f| f < width) && t.leaf_widths_are(leaf)
        };
        // Leaves hold one value per class, or one number.
        let leaf = classes.max(1);
        let ok = match self {
            Model::Prior { proba } => classes > 0 && proba.len() == classes,
            Model::Mean { .. } => classes == 0,
            Model::Linear { coef, .. } => classes == 0 && coef.len() == width,
            Model::Logistic {
                coef,
                intercept,
                n_classes,
            } => {
                *n_classes == classes
                    && coef.len() == classes
                    && intercept.len() == classes
                    && coef.iter().all(|c| c.len() == width)
            }
            Model::NaiveBayes { nb, n_classes } => {
                *n_classes == classes && naive_bayes_fits(nb, width, classes)
            }
            Model::Knn {
                k,
                columns,
                y,
                n_classes,
            } => {
                let labels_ok = match n_classes {
                    Some(c) => {
                        *c == classes
                            && y.iter()
                                .all(|v| v.fract() == 0.0 && *v >= 0.0 && *v < *c as f64)
                    }
                    None => classes == 0,
                };
                (1..=KNN_MAX_ROWS).contains(k)
                    && (1..=KNN_MAX_ROWS).contains(&y.len())
                    && columns.len() == width
                    && columns.iter().all(|c| c.len() == y.len())
                    // Kept rows are finite (scaled, filled) when fitted.
                    && columns.iter().flatten().all(|v| v.is_finite())
                    && labels_ok
            }
            Model::KMeans { centroids, .. } => {
                classes == 0 && !centroids.is_empty() && centroids.iter().all(|c| c.len() == width)
            }
            Model::Tree { tree, n_classes } => {
                n_classes.unwrap_or(0) == classes && trees_ok(tree, leaf)
            }
            // Forests and boosting count the classes up to the largest
            // one their training rows hold: at most all of them.
            Model::Forest(f) => {
                let leaf = match f.task {
                    super::forest::Task::Classification { n_classes } => {
                        (2..=classes).contains(&n_classes).then_some(n_classes)
                    }
                    super::forest::Task::Regression => (classes == 0).then_some(1),
                };
                leaf.is_some_and(|leaf| {
                    !f.trees.is_empty() && f.trees.iter().all(|t| trees_ok(t, leaf))
                })
            }
            Model::Boosting(b) => {
                let outputs = match b.loss {
                    super::boost::Loss::Squared => (classes == 0).then_some(1),
                    super::boost::Loss::LogLoss => (classes >= 2).then_some(1),
                    super::boost::Loss::Softmax { n_classes } => {
                        (3..=classes).contains(&n_classes).then_some(n_classes)
                    }
                };
                outputs.is_some_and(|o| {
                    b.baseline.len() == o
                        && b.trees
                            .iter()
                            .all(|it| it.len() == o && it.iter().all(|t| trees_ok(t, 1)))
                })
            }
        };
        if ok {
            Ok(())
        } else {
            Err("the model does not fit its encoded columns or classes")
        }
    }

    /// Predictions for every row of `columns` (encoded like the training
    /// input).
    pub fn predict(&self, columns: &[Vec<f64>]) -> Prediction {
        let n = rows_of(columns);
        let row = |i: usize| -> Vec<f64> { columns.iter().map(|c| c[i]).collect() };
        match self {
            Model::Prior { proba } => Prediction::Proba(vec![proba.clone(); n]),
            Model::Mean { value } => Prediction::Values(vec![*value; n]),
            Model::Linear { coef, intercept } => {
                Prediction::Values((0..n).map(|i| dot(&row(i), coef) + intercept).collect())
            }
            Model::Logistic {
                coef, intercept, ..
            } => Prediction::Proba(
                (0..n)
                    .map(|i| {
                        let r = row(i);
                        let mut z: Vec<f64> = coef
                            .iter()
                            .zip(intercept)
                            .map(|(w, b)| {
                                if b.is_finite() {
                                    dot(&r, w) + b
                                } else {
                                    f64::NEG_INFINITY
                                }
                            })
                            .collect();
                        softmax(&mut z);
                        z
                    })
                    .collect(),
            ),
            Model::NaiveBayes { nb, n_classes } => {
                use linfa_bayes::NaiveBayes;
                if n == 0 {
                    return Prediction::Proba(Vec::new());
                }
                let x = matrix(columns);
                let (p, classes) = nb.predict_proba(x.view());
                Prediction::Proba(
                    p.rows()
                        .into_iter()
                        .map(|r| {
                            let mut out = vec![0.0; *n_classes];
                            for (j, &&c) in classes.iter().enumerate() {
                                out[c] = if r[j].is_finite() { r[j] } else { 0.0 };
                            }
                            out
                        })
                        .collect(),
                )
            }
            Model::Knn {
                k,
                columns: train,
                y,
                n_classes,
            } => knn(*k, train, y, *n_classes, columns),
            Model::KMeans { centroids, .. } => Prediction::Clusters(
                (0..n)
                    .map(|i| super::kmeans::nearest(centroids, &row(i)))
                    .collect(),
            ),
            Model::Tree { tree, n_classes } => {
                let out: Vec<Vec<f64>> =
                    (0..n).map(|i| tree.predict_row(&row(i)).to_vec()).collect();
                match n_classes {
                    Some(_) => Prediction::Proba(out),
                    None => Prediction::Values(out.into_iter().map(|v| v[0]).collect()),
                }
            }
            Model::Forest(f) => match f.task {
                super::forest::Task::Classification { .. } => {
                    Prediction::Proba((0..n).map(|i| f.predict_proba(&row(i))).collect())
                }
                super::forest::Task::Regression => {
                    Prediction::Values((0..n).map(|i| f.predict(&row(i))).collect())
                }
            },
            Model::Boosting(b) => match b.loss {
                super::boost::Loss::Squared => {
                    Prediction::Values((0..n).map(|i| b.predict(&row(i))).collect())
                }
                _ => Prediction::Proba((0..n).map(|i| b.predict_proba(&row(i))).collect()),
            },
        }
    }
}

/// That a Gaussian naive Bayes (read from bytes) has a mean and a
/// variance per column for each class, and class codes below `classes`:
/// linfa's fields are private, so they are read through its serde form.
fn naive_bayes_fits(
    nb: &linfa_bayes::GaussianNb<f64, usize>,
    width: usize,
    classes: usize,
) -> bool {
    let Ok(serde_json::Value::Object(top)) = serde_json::to_value(nb) else {
        return false;
    };
    let Some(serde_json::Value::Object(info)) = top.get("class_info") else {
        return false;
    };
    let length = |v: Option<&serde_json::Value>| {
        v.and_then(|a| a.get("dim"))
            .and_then(|d| d.get(0))
            .and_then(serde_json::Value::as_u64)
    };
    !info.is_empty()
        && info.len() <= classes
        && info.iter().all(|(label, class)| {
            label.parse::<usize>().is_ok_and(|l| l < classes)
                && length(class.get("theta")) == Some(width as u64)
                && length(class.get("sigma")) == Some(width as u64)
        })
}

fn knn(
    k: usize,
    train: &[Vec<f64>],
    y: &[f64],
    n_classes: Option<usize>,
    query: &[Vec<f64>],
) -> Prediction {
    let near = super::knn::nearest(train, query, k);
    match n_classes {
        Some(nc) => Prediction::Proba(
            near.iter()
                .map(|rows| {
                    let mut p = vec![0.0; nc];
                    let m = rows.len().max(1) as f64;
                    for &r in rows {
                        p[y[r as usize] as usize] += 1.0 / m;
                    }
                    p
                })
                .collect(),
        ),
        None => Prediction::Values(
            near.iter()
                .map(|rows| {
                    let m = rows.len().max(1) as f64;
                    rows.iter().map(|&r| y[r as usize]).sum::<f64>() / m
                })
                .collect(),
        ),
    }
}
