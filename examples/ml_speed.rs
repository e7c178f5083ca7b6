//! Times the tree learners on a generated binary task, 100,000 rows × 20
//! features (seeded, 2% of feature 0 missing): binning, a random forest of
//! 100 trees and 100 iterations of gradient boosting, each fitted on all
//! rows, single-threaded.
//!
//! `cargo run --release --example ml_speed [-- --csv FILE]`
//!
//! With `--csv FILE` it also writes the data (features f0.., target y) for
//! `tests/data/ml/sklearn_speed.py`, which times scikit-learn on it.

use std::io::Write;
use std::time::Instant;

use plainsight::core::ml::bins::Binned;
use plainsight::core::ml::boost::{BoostParams, GradientBoosting};
use plainsight::core::ml::forest::{ForestParams, RandomForest};

const ROWS: usize = 100_000;
const FEATURES: usize = 20;

/// splitmix64 and Box–Muller normals.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

/// Features (columns) and labels: a non-linear function of the first six
/// features plus noise; the others are noise.
fn generate() -> (Vec<Vec<f64>>, Vec<u32>) {
    let mut rng = Rng(42);
    let mut x: Vec<Vec<f64>> = (0..FEATURES)
        .map(|_| (0..ROWS).map(|_| rng.normal()).collect())
        .collect();
    let y = (0..ROWS)
        .map(|r| {
            let s = x[0][r] + 0.5 * x[1][r] * x[1][r] - x[2][r] * x[3][r]
                + (3.0 * x[4][r]).sin()
                + 0.3 * x[5][r]
                + 0.5 * rng.normal();
            (s > 0.5) as u32
        })
        .collect();
    for v in x[0].iter_mut() {
        if rng.uniform() < 0.02 {
            *v = f64::NAN;
        }
    }
    (x, y)
}

fn write_csv(path: &str, x: &[Vec<f64>], y: &[u32]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("writable file"));
    let header: Vec<String> = (0..FEATURES).map(|f| format!("f{f}")).collect();
    writeln!(out, "{},y", header.join(",")).unwrap();
    for r in 0..ROWS {
        for col in x {
            let v = col[r];
            if v.is_nan() {
                write!(out, ",").unwrap();
            } else {
                write!(out, "{v:?},").unwrap();
            }
        }
        writeln!(out, "{}", y[r]).unwrap();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (x, y) = generate();
    if let Some(i) = args.iter().position(|a| a == "--csv") {
        write_csv(args.get(i + 1).expect("--csv FILE"), &x, &y);
    }
    let train: Vec<u32> = (0..ROWS as u32).collect();
    let t = Instant::now();
    let binned = Binned::new(&x, 255).expect("binnable");
    println!("binning {ROWS} x {FEATURES}: {:.2?}", t.elapsed());

    let t = Instant::now();
    let rf = RandomForest::fit_classifier(&binned, &y, &train, &ForestParams::default())
        .expect("a forest");
    let rf_time = t.elapsed();
    let leaves: usize = rf.trees.iter().map(|t| t.n_leaves()).sum();
    println!(
        "random forest, 100 trees: {rf_time:.2?} ({} leaves per tree on average)",
        leaves / rf.trees.len()
    );

    let t = Instant::now();
    let gb = GradientBoosting::fit_classifier(&binned, &y, &train, &BoostParams::default())
        .expect("a booster");
    println!("gradient boosting, 100 iterations: {:.2?}", t.elapsed());

    // Training accuracy, as a sanity check.
    let row = |r: usize| -> Vec<f64> { x.iter().map(|c| c[r]).collect() };
    let acc = |p: &dyn Fn(&[f64]) -> f64| {
        (0..ROWS)
            .step_by(10)
            .filter(|&r| p(&row(r)) == y[r] as f64)
            .count() as f64
            / (ROWS / 10) as f64
    };
    println!(
        "training accuracy (every 10th row): forest {:.3}, boosting {:.3}",
        acc(&|r| rf.predict(r)),
        acc(&|r| gb.predict(r))
    );
}
