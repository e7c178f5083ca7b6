//! Times the cleaning of one file (issue 16, goal 5): the quick and the
//! thorough proposal, then running the proposed recipe (the ticked steps,
//! as the Clean tab's Apply does, and every step), each with the heap's
//! peak beside the dataset's own size. E.g. on the 1,000,000-row benchmark
//! file (`plainsight bench-data 1000000 > big.csv`):
//!
//! `cargo run --release --example clean_speed -- FILE`
//!
//! `CLEAN_SPEED_TRACE=1` prints where the heap grows during the thorough
//! proposal (`CLEAN_SPEED_TRACE=ticked`: the ticked steps' run and the
//! profile of their result; the program's frames of each allocation that passes the last
//! printed size by 4 MB; with `CARGO_PROFILE_RELEASE_DEBUG=1` for names;
//! the first print loads the debug information, some 45 MB, which counts
//! in the later sizes).

use std::time::Instant;

use plainsight::core::clean::auto::{propose, Mode, Purpose};
use plainsight::core::clean::recipe::run;
use plainsight::core::clean::Step;

#[path = "support/counting.rs"]
mod counting;
use counting::{live, mb, peak, reset_peak, Counting};

#[global_allocator]
static ALLOC: Counting = Counting;

/// Whether `CLEAN_SPEED_TRACE` asks to trace `what` (`1` or `thorough`:
/// the thorough proposal; `ticked`: the ticked steps' run and profile).
fn trace(what: &str) -> bool {
    std::env::var("CLEAN_SPEED_TRACE").is_ok_and(|v| v == what || (v == "1" && what == "thorough"))
}

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: clean_speed FILE");
        std::process::exit(2);
    };
    let bytes = std::fs::read(&path).expect("readable file");
    let ds = plainsight::core::read_bytes(&path, &bytes).expect("a readable data file");
    drop(bytes);
    let held = live();
    println!(
        "{} rows × {} columns, {} held (Dataset::memory_bytes {})",
        ds.height(),
        ds.width(),
        mb(held),
        mb(ds.memory_bytes() as usize)
    );
    let phase = |name: &str, t: Instant| {
        println!(
            "{name}: {:.2} s, heap peak {} ({:.2}× the dataset held)",
            t.elapsed().as_secs_f64(),
            mb(peak()),
            peak() as f64 / held as f64
        );
    };
    // CLEAN_SPEED_ONLY=thorough: that proposal alone (for a heap profiler).
    let only_thorough = std::env::var("CLEAN_SPEED_ONLY").is_ok_and(|v| v == "thorough");
    let modes: &[Mode] = if only_thorough {
        &[Mode::Thorough]
    } else {
        &[Mode::Quick, Mode::Thorough]
    };
    let mut thorough = Vec::new();
    for &mode in modes {
        reset_peak();
        if trace("thorough") && mode == Mode::Thorough {
            counting::trace_from_here();
        }
        let t = Instant::now();
        let proposals = propose(&ds, mode);
        counting::TRACE.store(false, std::sync::atomic::Ordering::Relaxed);
        phase(&format!("propose {mode:?} ({} steps)", proposals.len()), t);
        thorough = proposals;
    }
    if only_thorough {
        return;
    }
    for p in &thorough {
        println!("  {:?}: {}", p.purpose, p.sentence());
    }
    let ticked: Vec<Step> = thorough
        .iter()
        .filter(|p| p.purpose == Purpose::Clean)
        .map(|p| p.step.clone())
        .collect();
    let every: Vec<Step> = thorough.iter().map(|p| p.step.clone()).collect();
    let known = plainsight::core::profile(&ds);
    for (name, steps) in [("ticked", ticked), ("every", every)] {
        reset_peak();
        if trace("ticked") && name == "ticked" {
            counting::trace_from_here();
        }
        let t = Instant::now();
        let (out, _) = run(&ds, &steps).expect("the proposed recipe runs");
        phase(&format!("run the {name} steps ({})", steps.len()), t);
        reset_peak();
        let t = Instant::now();
        // As the worker does: the columns the steps left alone keep the
        // raw data's profile.
        let p = plainsight::core::profile_reusing(&out, &ds, &known);
        counting::TRACE.store(false, std::sync::atomic::Ordering::Relaxed);
        phase(
            &format!("profile the result ({} columns)", p.column_profiles.len()),
            t,
        );
    }
}
