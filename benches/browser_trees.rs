//! In-browser timing of the tree learners: the built app opened with
//! `?bench=trees` generates the benchmark data of `core::ml::speed`
//! (100,000 rows × 20 features) in its worker and fits a random forest of
//! 100 trees and 100 iterations of gradient boosting there, then k-means
//! (k = 8, 3 starts) and k-NN's prediction of 1,000 rows on the scaled
//! features (wasm, one thread); the `bench-trees` hook carries the seconds.
//! Compare with `tests/data/ml/sklearn_speed.py` and
//! `sklearn_models_speed.py` (scikit-learn, one thread, same data written
//! by `cargo run --release --example ml_speed -- --csv FILE`).
//!
//! `scripts/bench-trees.sh` builds the app and runs this. Environment:
//! `PLAINSIGHT_BENCH_RUNS` (default 3), `PLAINSIGHT_DIST` (default `dist/`).

#[path = "support/bench.rs"]
mod bench;
#[path = "../tests/support/server.rs"]
mod server;
#[path = "../tests/support/webdriver.rs"]
mod webdriver;

use bench::{env_path, median, BenchResult};
use std::process::ExitCode;
use std::time::Duration;
use webdriver::Driver;

/// Generating and fitting must finish within this.
const FIT_WAIT: Duration = Duration::from_secs(1800);

fn run() -> BenchResult<()> {
    let dist = env_path("PLAINSIGHT_DIST", "dist");
    let srv = server::serve(vec![("/".into(), dist)])?;
    let runs = bench::runs(3);
    let (mut forest, mut boosting, mut binning) = (Vec::new(), Vec::new(), Vec::new());
    let (mut kmeans, mut knn) = (Vec::new(), Vec::new());
    for i in 1..=runs {
        let d = Driver::start(&format!("trees-{i}"))?;
        d.goto(&srv.url("/?bench=trees"))?;
        let figures = d.wait_for("the tree timing (bench-trees)", FIT_WAIT, |d| {
            if d.attr_of("[data-testid=bench-trees]", "data-error")?
                .is_some()
            {
                let text = d.text_of("[data-testid=bench-trees]")?.unwrap_or_default();
                return Err(webdriver::WdError::new("bench", text));
            }
            let get = |name: &str| -> webdriver::WdResult<Option<f64>> {
                Ok(d.attr_of("[data-testid=bench-trees]", name)?
                    .and_then(|v| v.parse().ok()))
            };
            Ok(
                match (
                    get("data-binning")?,
                    get("data-forest")?,
                    get("data-boosting")?,
                    get("data-kmeans")?,
                    get("data-knn")?,
                ) {
                    (Some(a), Some(b), Some(c), Some(k), Some(n)) => Some((a, b, c, k, n)),
                    _ => None,
                },
            )
        })?;
        eprintln!(
            "run {i}/{runs}: binning {:.2} s, forest {:.2} s, boosting {:.2} s, k-means {:.2} s, k-NN {:.3} s",
            figures.0, figures.1, figures.2, figures.3, figures.4
        );
        binning.push(figures.0);
        forest.push(figures.1);
        boosting.push(figures.2);
        kmeans.push(figures.3);
        knn.push(figures.4);
    }
    println!("| step (100,000 × 20, wasm, one thread) | median of {runs} |");
    println!("|---|---|");
    println!("| binning | {:.2} s |", median(binning));
    println!("| random forest, 100 trees | {:.2} s |", median(forest));
    println!(
        "| gradient boosting, 100 iterations | {:.2} s |",
        median(boosting)
    );
    println!("| k-means, k = 8, 3 starts | {:.2} s |", median(kmeans));
    println!(
        "| k-NN, predict 1,000 rows (20,000 kept) | {:.3} s |",
        median(knn)
    );
    Ok(())
}

fn main() -> ExitCode {
    bench::exit("tree benchmark", run())
}
