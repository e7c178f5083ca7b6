//! Times the tree learners natively on the benchmark data of
//! `plainsight::core::ml::speed` (100,000 rows × 20 features): binning, a
//! random forest of 100 trees and 100 iterations of gradient boosting,
//! single-threaded. The browser runs the same with `?bench=trees`.
//!
//! `cargo run --release --example ml_speed [-- --csv FILE] [-- --boosting]`
//!
//! With `--csv FILE` it also writes the data (features f0.., target y) for
//! `tests/data/ml/sklearn_speed.py`, which times scikit-learn on it.

use std::io::Write;
use std::time::Instant;

use plainsight::core::ml::speed::{generate, run, FEATURES, ROWS};

fn write_csv(path: &str, x: &[Vec<f64>], y: &[u32]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("writable file"));
    let header: Vec<String> = (0..FEATURES).map(|f| format!("f{f}")).collect();
    writeln!(out, "{},y", header.join(",")).unwrap();
    for r in 0..y.len() {
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
    if let Some(i) = args.iter().position(|a| a == "--csv") {
        let (x, y) = generate(ROWS);
        write_csv(args.get(i + 1).expect("--csv FILE"), &x, &y);
    }
    // `--sizes`: the stored size of the fitted forest and booster (what a
    // saved model version keeps, `core::ml::saved`).
    if args.iter().any(|a| a == "--sizes") {
        use plainsight::core::ml::bins::Binned;
        use plainsight::core::ml::boost::{BoostParams, GradientBoosting};
        use plainsight::core::ml::forest::{ForestParams, RandomForest};
        let (x, y) = generate(ROWS);
        let binned = Binned::new(&x, 255).expect("binnable");
        let train: Vec<u32> = (0..ROWS as u32).collect();
        let size = |v: &dyn erased::Ser| v.bytes() as f64 / 1e6;
        let rf = RandomForest::fit_classifier(&binned, &y, &train, &ForestParams::default())
            .expect("the forest fits");
        let nodes: usize = rf.trees.iter().map(|t| t.nodes.len()).sum();
        println!("random forest: {nodes} nodes, {:.1} MB stored", size(&rf));
        let gb = GradientBoosting::fit_classifier(&binned, &y, &train, &BoostParams::default())
            .expect("the booster fits");
        println!("gradient boosting: {:.2} MB stored", size(&gb));
        return;
    }
    // `--boosting`: only the booster, ten times (for a profiler).
    if args.iter().any(|a| a == "--boosting") {
        use plainsight::core::ml::bins::Binned;
        use plainsight::core::ml::boost::{BoostParams, GradientBoosting};
        let (x, y) = generate(ROWS);
        let binned = Binned::new(&x, 255).expect("binnable");
        let train: Vec<u32> = (0..ROWS as u32).collect();
        for _ in 0..10 {
            let t = Instant::now();
            GradientBoosting::fit_classifier(&binned, &y, &train, &BoostParams::default())
                .expect("the booster fits");
            println!(
                "gradient boosting, 100 iterations: {:.2} s",
                t.elapsed().as_secs_f64()
            );
        }
        return;
    }
    let t0 = Instant::now();
    let t = run(ROWS, &|| t0.elapsed().as_secs_f64()).expect("the learners fit");
    println!("binning {ROWS} x {FEATURES}: {:.2} s", t.binning);
    println!("random forest, 100 trees: {:.2} s", t.forest);
    println!("gradient boosting, 100 iterations: {:.2} s", t.boosting);
    println!(
        "training accuracy (every 10th row): forest {:.3}, boosting {:.3}",
        t.forest_accuracy, t.boosting_accuracy
    );
}

mod erased {
    /// Anything serde can write, measured as CBOR (the saved form).
    pub trait Ser {
        fn bytes(&self) -> usize;
    }
    impl<T: serde::Serialize> Ser for T {
        fn bytes(&self) -> usize {
            let mut out = Vec::new();
            ciborium::into_writer(self, &mut out).expect("writes to memory");
            out.len()
        }
    }
}
