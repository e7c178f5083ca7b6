//! Times trends and group-bys on one file (after reading it), e.g. the
//! 1,000,000-row benchmark file:
//!
//! `cargo run --release --example explore_speed -- FILE`
//! (`plainsight bench-data 1000000 > big.csv` makes one.)
//!
//! It uses the first date column, the first numeric column and the first
//! three text columns of the file.

use std::time::Instant;

use plainsight::core::explore::aggregate::{numeric_columns, Agg};
use plainsight::core::explore::groupby::{group_by, DatePart, Dimension, Measure};
use plainsight::core::explore::trend::{default_date_column, trend};
use plainsight::core::model::ColumnType;

fn main() {
    let path = std::env::args().nth(1).expect("usage: explore_speed FILE");
    let bytes = std::fs::read(&path).expect("readable file");
    let t = Instant::now();
    let ds = plainsight::core::read_bytes(&path, &bytes).expect("a readable data file");
    drop(bytes);
    println!("read {} rows in {:.2?}", ds.height(), t.elapsed());
    // The insights, part by part.
    let t = Instant::now();
    let p = plainsight::core::profile(&ds);
    println!("profile: {:.2?}", t.elapsed());
    let t = Instant::now();
    let threads = plainsight::core::profile::profile_with(&ds, &plainsight::core::runner::Threads);
    println!("profile on every core: {:.2?}", t.elapsed());
    assert_eq!(
        serde_json::to_string(&threads).ok(),
        serde_json::to_string(&p).ok(),
        "the threads' profile differs"
    );
    // Each phase of the correlations on its own (Pearson, Spearman, the
    // categories), then all of them at once.
    let mut run = plainsight::core::explore::correlate::CorrelationRun::new(
        &ds,
        plainsight::core::explore::correlate::MAX_PAIR_COLUMNS,
    );
    for phase in ["pearson", "spearman", "categories"] {
        let t = Instant::now();
        run.step(&ds);
        println!("  correlations, {phase}: {:.2?}", t.elapsed());
    }
    let t = Instant::now();
    let corr = plainsight::core::explore::correlate::correlations(&ds);
    println!(
        "correlations ({} numeric, {} categorical): {:.2?}",
        corr.numeric.len(),
        corr.categorical.len(),
        t.elapsed()
    );
    let t = Instant::now();
    let found = plainsight::core::explore::alerts::alerts(
        &ds,
        &p,
        &corr,
        &plainsight::core::explore::alerts::AlertConfig::default(),
    );
    println!("alerts ({}): {:.2?}", found.len(), t.elapsed());
    let t = Instant::now();
    let boxes = plainsight::core::explore::distribution::boxes(&ds, &p);
    println!("box plots ({}): {:.2?}", boxes.len(), t.elapsed());
    let t = Instant::now();
    let m = plainsight::core::explore::missing::missing_matrix(&ds);
    println!(
        "missing matrix ({} columns): {:.2?}",
        m.columns.len(),
        t.elapsed()
    );
    let date = default_date_column(&ds).expect("a date column");
    let value = numeric_columns(&ds)
        .into_iter()
        .next()
        .expect("a numeric column");
    let text: Vec<String> = ds
        .names()
        .into_iter()
        .zip(&ds.types)
        .filter(|(_, t)| **t == ColumnType::String)
        .map(|(n, _)| n)
        .take(3)
        .collect();
    for agg in [Agg::Sum, Agg::Median] {
        let t = Instant::now();
        let tr = trend(&ds, &date, Some(&value), agg, None).expect("a trend");
        println!(
            "trend {} of {value} by {} ({} periods): {:.2?}",
            agg.as_str(),
            tr.granularity.as_str(),
            tr.periods.len(),
            t.elapsed()
        );
    }
    let measures = [
        Measure::rows(),
        Measure::of(Agg::Sum, &value),
        Measure::of(Agg::Mean, &value),
        Measure::of(Agg::Median, &value),
    ];
    let mut dims: Vec<Dimension> = text.iter().map(|c| Dimension::column(c)).collect();
    dims.push(Dimension::date_part(&date, DatePart::Month));
    for k in 1..=dims.len() {
        let t = Instant::now();
        let g = group_by(&ds, &dims[..k], &measures, Some((1, true)), 100).expect("a table");
        println!(
            "group by {:?}: {} groups in {:.2?}",
            g.dimensions,
            g.groups,
            t.elapsed()
        );
    }
}
