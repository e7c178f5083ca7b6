//! Heap use of the core on one file, phase by phase: a counting allocator
//! records the live bytes and the peak while the file is read in 4 MiB
//! chunks (as the worker does), after reading, while profiling, and while
//! finding correlations and alerts.
//!
//! `cargo run --release --example heap -- FILE`

use std::io::Read;

#[path = "support/counting.rs"]
mod counting;
use counting::{live, mb, peak, reset_peak, Counting};

#[global_allocator]
static ALLOC: Counting = Counting;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: heap FILE");
        std::process::exit(2);
    };
    let mut file = std::fs::File::open(&path).expect("open");
    let size = file.metadata().expect("metadata").len();
    let name = std::path::Path::new(&path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut ing = plainsight::core::ingest::Ingester::new(&name, size).expect("ingester");
    let mut chunk = vec![0u8; 4 << 20];
    loop {
        let n = file.read(&mut chunk).expect("read");
        if n == 0 {
            break;
        }
        ing.push(&chunk[..n]).expect("push");
    }
    let reading = peak();
    println!("file: {}", mb(size as usize));
    println!("peak while reading: {}", mb(reading));
    reset_peak();
    let ds = ing.finish().expect("finish");
    println!("peak while building columns: {}", mb(peak()));
    let held = live();
    println!(
        "dataset held: {} (polars estimate of the columns: {})",
        mb(held),
        mb(ds.frame.estimated_size())
    );
    reset_peak();
    let p = plainsight::core::profile::profile(&ds);
    println!(
        "peak while profiling: {} ({} columns profiled)",
        mb(peak()),
        p.column_profiles.len()
    );
    reset_peak();
    let started = std::time::Instant::now();
    let corr = plainsight::core::explore::correlate::correlations(&ds);
    let found = plainsight::core::explore::alerts::alerts(&ds, &p, &corr, &Default::default());
    println!(
        "peak while finding correlations and alerts: {} ({} alerts, {:.1} s)",
        mb(peak()),
        found.len(),
        started.elapsed().as_secs_f64()
    );
}
