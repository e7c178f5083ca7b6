//! A counting allocator for the examples that measure memory: the live
//! bytes and the peak since the last [`reset_peak`].

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Counting;

pub static LIVE: AtomicUsize = AtomicUsize::new(0);
pub static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
            trace(live, layout.size());
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
                trace(live + layout.size(), new_size);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

/// The bytes allocated now.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The most allocated at once since the last reset.
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Starts a new phase: its peak counts from what is allocated now.
pub fn reset_peak() {
    PEAK.store(live(), Ordering::Relaxed);
}

pub fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

/// Set to print where the heap grows past each new peak (by at least
/// 4 MB over the last one printed): the program's own frames of the
/// allocation's stack (build with `CARGO_PROFILE_RELEASE_DEBUG=1`).
pub static TRACE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
static TRACED: AtomicUsize = AtomicUsize::new(0);
thread_local! {
    static IN_TRACE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn trace(live: usize, size: usize) {
    if !TRACE.load(Ordering::Relaxed) || live < TRACED.load(Ordering::Relaxed) + (4 << 20) {
        return;
    }
    if IN_TRACE.with(|t| t.replace(true)) {
        return;
    }
    TRACED.store(live, Ordering::Relaxed);
    let bt = std::backtrace::Backtrace::force_capture().to_string();
    let frames: Vec<&str> = bt
        .lines()
        .filter(|l| l.contains("plainsight::") && !l.contains("counting"))
        .map(str::trim)
        .take(8)
        .collect();
    eprintln!(
        "live {} (+{}):\n  {}",
        mb(live),
        mb(size),
        frames.join("\n  ")
    );
    IN_TRACE.with(|t| t.set(false));
}

/// Starts tracing from the heap as it is now.
#[allow(dead_code)] // (Used by some of the examples that share this file.)
pub fn trace_from_here() {
    TRACED.store(live(), Ordering::Relaxed);
    TRACE.store(true, Ordering::Relaxed);
}
