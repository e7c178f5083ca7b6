//! Heap use of the core on one file, phase by phase: a counting allocator
//! records the live bytes and the peak while the file is read in 4 MiB
//! chunks (as the worker does), after reading, while profiling, and while
//! finding correlations and alerts.
//!
//! `cargo run --release --example heap -- FILE`

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let live = LIVE.fetch_add(new_size - layout.size(), Ordering::Relaxed)
                    + (new_size - layout.size());
                // A moving realloc holds both blocks for a moment.
                PEAK.fetch_max(live + layout.size(), Ordering::Relaxed);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

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
    let reading = PEAK.load(Ordering::Relaxed);
    println!("file: {}", mb(size as usize));
    println!("peak while reading: {}", mb(reading));
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let ds = ing.finish().expect("finish");
    println!(
        "peak while building columns: {}",
        mb(PEAK.load(Ordering::Relaxed))
    );
    let held = LIVE.load(Ordering::Relaxed);
    println!(
        "dataset held: {} (polars estimate of the columns: {})",
        mb(held),
        mb(ds.frame.estimated_size())
    );
    PEAK.store(held, Ordering::Relaxed);
    let p = plainsight::core::profile::profile(&ds);
    println!(
        "peak while profiling: {} ({} columns profiled)",
        mb(PEAK.load(Ordering::Relaxed)),
        p.column_profiles.len()
    );
    PEAK.store(LIVE.load(Ordering::Relaxed), Ordering::Relaxed);
    let started = std::time::Instant::now();
    let corr = plainsight::core::explore::correlate::correlations(&ds);
    let found = plainsight::core::explore::alerts::alerts(&ds, &p, &corr, &Default::default());
    println!(
        "peak while finding correlations and alerts: {} ({} alerts, {:.1} s)",
        mb(PEAK.load(Ordering::Relaxed)),
        found.len(),
        started.elapsed().as_secs_f64()
    );
}
