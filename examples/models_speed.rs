//! Times every leaderboard model's fit natively (one thread) on the tree
//! benchmark data (`core::ml::speed`: 100,000 rows × 20 features, binary;
//! missing values filled with the median and features standard-scaled for
//! the scaled models, as the leaderboard does), plus k-NN's prediction of
//! 1,000 rows and k-means (k = 8) on the features. Regression models learn
//! feature 5 from the others.
//!
//! `cargo run --release --example models_speed`; scikit-learn's
//! counterparts: `python3 tests/data/ml/sklearn_models_speed.py FILE` on
//! the CSV of `cargo run --release --example ml_speed -- --csv FILE`.

use std::time::Instant;

use plainsight::core::ml::models::{fit, Labels, ModelKind};
use plainsight::core::ml::speed::{generate, scaled, ROWS};

fn time(label: &str, f: impl FnOnce()) {
    let t = Instant::now();
    f();
    println!("{label:<40} {:>8.2} s", t.elapsed().as_secs_f64());
}

fn main() {
    let (x, y) = generate(ROWS);
    let xs = scaled(&x);
    let classes = Labels::Classes {
        y: &y,
        n_classes: 2,
    };
    // Regression: feature 5 from the others.
    let target: Vec<f64> = xs[5].clone();
    let others: Vec<Vec<f64>> = xs
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 5)
        .map(|(_, c)| c.clone())
        .collect();
    let raw_others: Vec<Vec<f64>> = x
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 5)
        .map(|(_, c)| c.clone())
        .collect();
    println!("fit on {ROWS} rows x 20 features (one thread):");
    for kind in [
        ModelKind::LogisticRegression,
        ModelKind::NaiveBayes,
        ModelKind::Knn,
        ModelKind::DecisionTree,
    ] {
        let input = if kind == ModelKind::DecisionTree {
            &x
        } else {
            &xs
        };
        time(&format!("classification: {}", kind.name()), || {
            fit(kind, input, classes, 0).expect("fits");
        });
    }
    for kind in [
        ModelKind::LinearRegression,
        ModelKind::Ridge,
        ModelKind::DecisionTree,
    ] {
        let input = if kind == ModelKind::DecisionTree {
            &raw_others
        } else {
            &others
        };
        time(&format!("regression: {}", kind.name()), || {
            fit(kind, input, Labels::Values(&target), 0).expect("fits");
        });
    }
    let knn = fit(ModelKind::Knn, &xs, classes, 0).expect("fits");
    let query: Vec<Vec<f64>> = xs.iter().map(|c| c[..1000].to_vec()).collect();
    time("k-NN: predict 1,000 rows (20,000 kept)", || {
        knn.predict(&query);
    });
    time("k-means, k = 8 (3 starts)", || {
        fit(ModelKind::KMeans, &xs, Labels::Groups { k: 8 }, 0).expect("fits");
    });
}
