//! Gradient boosting over [`super::tree`] (scikit-learn's
//! `HistGradientBoosting*` and LightGBM): each iteration fits one tree per
//! output to the loss's gradients and hessians; leaves take the Newton step
//! `-G / (H + l2)`, shrunk by the learning rate. Losses: squared error
//! (regression), log loss (two classes), softmax (more classes; one tree
//! per class and iteration). Defaults follow scikit-learn: 100 iterations,
//! learning rate 0.1, 31 leaves grown best first, 20 rows per leaf, no l2.
//! No early stopping.

use serde::{Deserialize, Serialize};

use super::bins::Binned;
use super::forest::{argmax, check_targets, classes_of};
use super::tree::{self, Node, Targets, Tree, TreeParams};
use super::{bad_param, check_rows, MlError};

/// The loss being minimised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Loss {
    Squared,
    /// Binary log loss; the raw prediction is the log-odds of class 1.
    LogLoss,
    /// Multinomial log loss; one raw prediction per class.
    Softmax {
        n_classes: usize,
    },
}

/// The booster's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct BoostParams {
    pub n_iter: usize,
    pub learning_rate: f64,
    /// `None` = no limit (then grow depth first, bounded by `max_depth`).
    pub max_leaf_nodes: Option<usize>,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    /// L2 regularisation of the leaf values (λ in `-G / (H + λ)`).
    pub l2: f64,
    /// Features per split; `None` = all.
    pub max_features: Option<usize>,
    pub seed: u64,
}

impl Default for BoostParams {
    fn default() -> Self {
        BoostParams {
            n_iter: 100,
            learning_rate: 0.1,
            max_leaf_nodes: Some(31),
            max_depth: None,
            min_samples_leaf: 20,
            l2: 0.0,
            max_features: None,
            seed: 0,
        }
    }
}

/// A fitted booster: `baseline` plus the sum of the trees' leaves (already
/// shrunk by the learning rate), per output.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GradientBoosting {
    pub loss: Loss,
    pub baseline: Vec<f64>,
    /// Per iteration, one tree per output.
    pub trees: Vec<Vec<Tree>>,
}

impl GradientBoosting {
    /// Fits a regressor (squared error) on rows `train` of `binned`.
    pub fn fit_regressor(
        binned: &Binned,
        y: &[f64],
        train: &[u32],
        params: &BoostParams,
    ) -> Result<GradientBoosting, MlError> {
        check_targets(y.len(), binned)?;
        check_rows(train, binned.n_rows, binned.n_features)?;
        if let Some(&r) = train.iter().find(|&&r| !y[r as usize].is_finite()) {
            return Err(MlError::BadTarget { row: r as usize });
        }
        let mean = train.iter().map(|&r| y[r as usize]).sum::<f64>() / train.len() as f64;
        fit(
            binned,
            train,
            params,
            Loss::Squared,
            vec![mean],
            |raw, r, g, h| {
                g[0] = raw[0] - y[r];
                h[0] = 1.0;
            },
        )
    }

    /// Fits a classifier (log loss for two classes, softmax for more) on
    /// rows `train` of `binned`; `labels` are classes `0..n`.
    pub fn fit_classifier(
        binned: &Binned,
        labels: &[u32],
        train: &[u32],
        params: &BoostParams,
    ) -> Result<GradientBoosting, MlError> {
        check_targets(labels.len(), binned)?;
        check_rows(train, binned.n_rows, binned.n_features)?;
        let k = classes_of(labels, train)?;
        let mut freq = vec![0.0; k];
        for &r in train {
            freq[labels[r as usize] as usize] += 1.0;
        }
        let n = train.len() as f64;
        let clip = |p: f64| p.clamp(1e-15, 1.0 - 1e-15);
        if k == 2 {
            let p = clip(freq[1] / n);
            fit(
                binned,
                train,
                params,
                Loss::LogLoss,
                vec![(p / (1.0 - p)).ln()],
                |raw, r, g, h| {
                    let p = sigmoid(raw[0]);
                    g[0] = p - (labels[r] == 1) as u8 as f64;
                    h[0] = (p * (1.0 - p)).max(1e-16);
                },
            )
        } else {
            let base: Vec<f64> = freq.iter().map(|f| clip(f / n).ln()).collect();
            let mut p = vec![0.0; k];
            fit(
                binned,
                train,
                params,
                Loss::Softmax { n_classes: k },
                base,
                move |raw, r, g, h| {
                    softmax(raw, &mut p);
                    for c in 0..k {
                        g[c] = p[c] - (labels[r] as usize == c) as u8 as f64;
                        h[c] = (p[c] * (1.0 - p[c])).max(1e-16);
                    }
                },
            )
        }
    }

    /// The raw predictions (before the link) for one row of raw features.
    pub fn raw(&self, row: &[f64]) -> Vec<f64> {
        let mut out = self.baseline.clone();
        for iteration in &self.trees {
            for (o, t) in out.iter_mut().zip(iteration) {
                *o += t.predict_row(row)[0];
            }
        }
        out
    }

    /// Class probabilities (classifiers) or the predicted value.
    pub fn predict_proba(&self, row: &[f64]) -> Vec<f64> {
        let raw = self.raw(row);
        match self.loss {
            Loss::Squared => raw,
            Loss::LogLoss => {
                let p = sigmoid(raw[0]);
                vec![1.0 - p, p]
            }
            Loss::Softmax { n_classes } => {
                let mut p = vec![0.0; n_classes];
                softmax(&raw, &mut p);
                p
            }
        }
    }

    /// The predicted class (as a number) or value.
    pub fn predict(&self, row: &[f64]) -> f64 {
        let p = self.predict_proba(row);
        match self.loss {
            Loss::Squared => p[0],
            _ => argmax(&p) as f64,
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn softmax(raw: &[f64], p: &mut [f64]) {
    let m = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut s = 0.0;
    for (pi, r) in p.iter_mut().zip(raw) {
        *pi = (r - m).exp();
        s += *pi;
    }
    p.iter_mut().for_each(|x| *x /= s);
}

/// The boosting loop. `grad_hess(raw, row, g, h)` writes the gradients and
/// hessians of every output for `row` given its raw predictions.
fn fit(
    binned: &Binned,
    train: &[u32],
    params: &BoostParams,
    loss: Loss,
    baseline: Vec<f64>,
    mut grad_hess: impl FnMut(&[f64], usize, &mut [f64], &mut [f64]),
) -> Result<GradientBoosting, MlError> {
    if params.n_iter == 0 {
        return Err(bad_param("n_iter", 0, "must be at least 1"));
    }
    if !(params.learning_rate.is_finite() && params.learning_rate > 0.0) {
        return Err(bad_param(
            "learning_rate",
            params.learning_rate,
            "must be a positive number",
        ));
    }
    if !(params.l2.is_finite() && params.l2 >= 0.0) {
        return Err(bad_param(
            "l2",
            params.l2,
            "must be a finite number, 0 or more",
        ));
    }
    let checked = TreeParams {
        max_depth: params.max_depth,
        min_samples_leaf: params.min_samples_leaf,
        max_features: params.max_features,
        max_leaf_nodes: params.max_leaf_nodes,
        min_gain: 0.0,
        seed: params.seed,
    }
    .check(binned.n_features)?;
    let k = baseline.len();
    let n = binned.n_rows;
    // Raw predictions, gradients and hessians: per output, one per row.
    let mut raw: Vec<f64> = baseline
        .iter()
        .flat_map(|&b| std::iter::repeat_n(b, n))
        .collect();
    let mut grad = vec![0.0; k * n];
    let mut hess = vec![0.0; k * n];
    let (mut rr, mut g, mut h) = (vec![0.0; k], vec![0.0; k], vec![0.0; k]);
    let mut trees = Vec::with_capacity(params.n_iter);
    for it in 0..params.n_iter {
        for &r in train {
            let r = r as usize;
            for c in 0..k {
                rr[c] = raw[c * n + r];
            }
            grad_hess(&rr, r, &mut g, &mut h);
            for c in 0..k {
                grad[c * n + r] = g[c];
                hess[c * n + r] = h[c];
            }
        }
        let mut iteration = Vec::with_capacity(k);
        for c in 0..k {
            let targets = Targets::Gradients {
                grad: &grad[c * n..(c + 1) * n],
                hess: &hess[c * n..(c + 1) * n],
                l2: params.l2,
            };
            let seed = params.seed.wrapping_add((it * k + c) as u64);
            let mut fitted =
                tree::fit_with_leaves(binned, targets, train, None, &checked.with_seed(seed))?;
            for node in &mut fitted.tree.nodes {
                if let Node::Leaf { value } = node {
                    value[0] *= params.learning_rate;
                }
            }
            let out = &mut raw[c * n..(c + 1) * n];
            for (node, range) in &fitted.leaves {
                let Node::Leaf { value } = &fitted.tree.nodes[*node] else {
                    unreachable!("leaves are leaf nodes")
                };
                for &r in &fitted.rows[range.clone()] {
                    out[r as usize] += value[0];
                }
            }
            iteration.push(fitted.tree);
        }
        trees.push(iteration);
    }
    Ok(GradientBoosting {
        loss,
        baseline,
        trees,
    })
}
