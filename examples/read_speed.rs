//! Times reading a delimited text into typed columns, whole (one thread, as
//! the worker reads today) and in parts (`core::parts`: one after another,
//! then a thread per part), interleaved, with the heap's peak of each; the
//! datasets must be equal.
//!
//! `cargo run --release --example read_speed -- FILE [RUNS] [PARTS]`
//! (`plainsight bench-data 1000000 > big.csv` makes one.)

use std::time::Instant;

use plainsight::core::parts::{read_in_parts, Cut, InTurn, Threads};

#[path = "support/counting.rs"]
mod counting;
use counting::{live, mb, peak, reset_peak, Counting};

#[global_allocator]
static ALLOC: Counting = Counting;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: read_speed FILE [RUNS] [PARTS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let parts: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(cores);
    let bytes = std::fs::read(&path).expect("a readable file");
    let name = std::path::Path::new(&path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let size = bytes.len() as u64;
    println!(
        "{name}: {:.1} MB, {parts} parts, {cores} cores; seconds (MB/s), heap peak while reading (MB, above what was held before)",
        size as f64 / 1e6
    );
    let mut whole_ds = None;
    for run in 1..=runs {
        let base = live();
        reset_peak();
        let t = Instant::now();
        let whole = plainsight::core::read_bytes(&name, &bytes).expect("a readable file");
        let whole_s = t.elapsed().as_secs_f64();
        let whole_peak = peak().saturating_sub(base);
        let height = whole.height();
        whole_ds.get_or_insert(whole);
        let mut line = format!(
            "run {run}: whole {whole_s:.3} s ({:.0}) peak {}",
            size as f64 / 1e6 / whole_s,
            mb(whole_peak)
        );
        for (label, threads) in [("in turn", false), ("threads", true)] {
            let base = live();
            reset_peak();
            let t = Instant::now();
            let cut = Cut::parts(parts);
            let read = if threads {
                read_in_parts(&name, size, &bytes[..], cut, &Threads)
            } else {
                read_in_parts(&name, size, &bytes[..], cut, &InTurn)
            };
            let s = t.elapsed().as_secs_f64();
            let ds = match read {
                Ok(Some(ds)) => ds,
                Ok(None) => {
                    println!("the file is read whole (too small, or not a delimited text)");
                    return;
                }
                Err(e) => panic!("reading in parts failed: {e:?}"),
            };
            let held = whole_ds.as_ref().expect("read whole first");
            assert_eq!(ds.height(), height);
            assert!(ds.frame.equals_missing(&held.frame), "the parts differ");
            assert_eq!(ds.types, held.types);
            assert_eq!(ds.notes, held.notes);
            line.push_str(&format!(
                "; {label} {s:.3} s ({:.0}) peak {}",
                size as f64 / 1e6 / s,
                mb(peak().saturating_sub(base))
            ));
        }
        println!("{line}");
    }
}
