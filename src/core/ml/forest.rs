//! Random forests over [`super::tree`]: every tree fits a bootstrap sample
//! of the training rows (drawn with the seeded generator, repeats as
//! weights) and looks at a random subset of the features at each split.
//! Defaults follow scikit-learn: √d features per split for classification,
//! all of them for regression, unlimited depth, one row per leaf.
//! Classification averages the trees' class proportions (scikit-learn's
//! `predict_proba`); regression averages their means.

use serde::{Deserialize, Serialize};

use super::bins::Binned;
use super::tree::{self, CheckedTreeParams, Targets, Tree, TreeParams};
use super::{bad_param, check_rows, MlError, Rng};

/// How many features each split looks at.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// ⌊√d⌋, at least 1 (scikit-learn's classification default).
    Sqrt,
    /// All `d` (scikit-learn's regression default).
    All,
    /// ⌊fraction · d⌋, at least 1; the fraction in (0, 1].
    Fraction(f64),
    /// Exactly this many (1 ..= d).
    Count(usize),
}

impl MaxFeatures {
    /// The count for `d` features.
    pub fn resolve(self, d: usize) -> Result<usize, MlError> {
        match self {
            MaxFeatures::Sqrt => Ok(((d as f64).sqrt().floor() as usize).max(1)),
            MaxFeatures::All => Ok(d),
            MaxFeatures::Fraction(x) if x > 0.0 && x <= 1.0 => {
                Ok(((x * d as f64).floor() as usize).max(1))
            }
            MaxFeatures::Fraction(x) => Err(bad_param(
                "max_features",
                x,
                "a fraction must be above 0 and at most 1",
            )),
            MaxFeatures::Count(m) if (1..=d).contains(&m) => Ok(m),
            MaxFeatures::Count(m) => Err(bad_param(
                "max_features",
                m,
                "must be between 1 and the number of features",
            )),
        }
    }
}

/// The forest's parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct ForestParams {
    pub n_trees: usize,
    pub max_depth: Option<usize>,
    pub min_samples_leaf: usize,
    /// `None`: √d for classification, all for regression.
    pub max_features: Option<MaxFeatures>,
    /// Whether each tree fits a bootstrap sample (else all training rows).
    pub bootstrap: bool,
    pub seed: u64,
}

impl Default for ForestParams {
    fn default() -> Self {
        ForestParams {
            n_trees: 100,
            max_depth: None,
            min_samples_leaf: 1,
            max_features: None,
            bootstrap: true,
            seed: 0,
        }
    }
}

/// What a model predicts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Task {
    Classification { n_classes: usize },
    Regression,
}

/// A fitted random forest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RandomForest {
    pub task: Task,
    pub trees: Vec<Tree>,
}

/// The number of classes (largest label + 1) of `labels`, checking that
/// the training rows hold at least two.
pub(crate) fn classes_of(labels: &[u32], train: &[u32]) -> Result<usize, MlError> {
    let first = labels[train[0] as usize];
    if train.iter().all(|&r| labels[r as usize] == first) {
        return Err(MlError::OneClass { class: first });
    }
    Ok(labels.iter().max().map_or(0, |&m| m as usize + 1))
}

pub(crate) fn check_targets(len: usize, binned: &Binned) -> Result<(), MlError> {
    if len != binned.n_rows {
        return Err(MlError::LengthMismatch {
            what: "targets".into(),
            expected: binned.n_rows,
            actual: len,
        });
    }
    Ok(())
}

impl RandomForest {
    /// Fits a classifier on rows `train` of `binned`; `labels` (one per
    /// row of `binned`) are classes `0..n`.
    pub fn fit_classifier(
        binned: &Binned,
        labels: &[u32],
        train: &[u32],
        params: &ForestParams,
    ) -> Result<RandomForest, MlError> {
        check_targets(labels.len(), binned)?;
        check_rows(train, binned.n_rows, binned.n_features)?;
        let n_classes = classes_of(labels, train)?;
        let m = params.max_features.unwrap_or(MaxFeatures::Sqrt);
        let targets = Targets::Classes { labels, n_classes };
        let trees = fit_trees(binned, targets, train, params, m)?;
        Ok(RandomForest {
            task: Task::Classification { n_classes },
            trees,
        })
    }

    /// Fits a regressor on rows `train` of `binned`; `y` holds one number
    /// per row of `binned` (finite on the training rows).
    pub fn fit_regressor(
        binned: &Binned,
        y: &[f64],
        train: &[u32],
        params: &ForestParams,
    ) -> Result<RandomForest, MlError> {
        check_targets(y.len(), binned)?;
        check_rows(train, binned.n_rows, binned.n_features)?;
        let m = params.max_features.unwrap_or(MaxFeatures::All);
        let trees = fit_trees(binned, Targets::Values(y), train, params, m)?;
        Ok(RandomForest {
            task: Task::Regression,
            trees,
        })
    }

    /// The mean of the trees' leaf values for one row of raw features:
    /// class probabilities, or the one predicted number.
    pub fn predict_proba(&self, row: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.trees[0].predict_row(row).len()];
        for t in &self.trees {
            for (o, v) in out.iter_mut().zip(t.predict_row(row)) {
                *o += v;
            }
        }
        let n = self.trees.len() as f64;
        out.iter_mut().for_each(|o| *o /= n);
        out
    }

    /// The predicted class (as a number; the first of equally likely ones)
    /// or value for one row of raw features.
    pub fn predict(&self, row: &[f64]) -> f64 {
        let p = self.predict_proba(row);
        match self.task {
            Task::Regression => p[0],
            Task::Classification { .. } => argmax(&p) as f64,
        }
    }
}

/// The index of the largest value (the first on ties).
pub fn argmax(p: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in p.iter().enumerate() {
        if v > p[best] {
            best = i;
        }
    }
    best
}

fn fit_trees(
    binned: &Binned,
    targets: Targets,
    train: &[u32],
    params: &ForestParams,
    max_features: MaxFeatures,
) -> Result<Vec<Tree>, MlError> {
    if params.n_trees == 0 {
        return Err(bad_param("n_trees", 0, "must be at least 1"));
    }
    let d = binned.n_features;
    let checked: CheckedTreeParams = TreeParams {
        max_depth: params.max_depth,
        min_samples_leaf: params.min_samples_leaf,
        max_features: Some(max_features.resolve(d)?),
        max_leaf_nodes: None,
        min_gain: 0.0,
        seed: params.seed,
    }
    .check(d)?;
    let mut rng = Rng::new(params.seed);
    let mut counts = vec![0u32; binned.n_rows];
    let mut trees = Vec::with_capacity(params.n_trees);
    for _ in 0..params.n_trees {
        let seed = rng.next_u64();
        let tree = if params.bootstrap {
            let mut draw = Rng::new(seed ^ 0x5EED_B007_57A9_0001);
            for _ in 0..train.len() {
                counts[train[draw.below(train.len())] as usize] += 1;
            }
            let mut rows = Vec::with_capacity(train.len());
            let mut weights = Vec::with_capacity(train.len());
            for &r in train {
                let c = &mut counts[r as usize];
                if *c > 0 {
                    rows.push(r);
                    weights.push(*c as f64);
                    *c = 0;
                }
            }
            tree::fit(
                binned,
                targets,
                &rows,
                Some(&weights),
                &checked.with_seed(seed),
            )?
        } else {
            tree::fit(binned, targets, train, None, &checked.with_seed(seed))?
        };
        trees.push(tree);
    }
    Ok(trees)
}
