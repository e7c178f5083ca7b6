//! How the engine's independent jobs run: one after another in the
//! calling thread ([`InTurn`], the worker's way: wasm has no threads of its
//! own), or each group on a thread of its own ([`Threads`], natively: the
//! command line). Reading in parts (`core::parts`) and the profile's
//! columns (`core::profile::profile_with`) take a runner.

/// Runs jobs: one after another, or at once.
pub trait Runner {
    /// How many jobs run at once: callers group their work into this many
    /// jobs, so that no more than this many hold their memory at a time.
    fn width(&self) -> usize;

    /// Each job's result, in the jobs' order; the jobs all at once.
    fn run<T: Send, R: Send>(&self, jobs: Vec<T>, job: &(dyn Fn(T) -> R + Sync)) -> Vec<R>;

    /// `job(i)` for each `i` in `0..n`, in order of `i`; [`Runner::width`]
    /// at a time, each taking the next `i` when it is done (work of uneven
    /// items spread evenly, and no more than `width` holding memory).
    fn each<R: Send>(&self, n: usize, job: &(dyn Fn(usize) -> R + Sync)) -> Vec<R>;
}

/// One job after another, in the calling thread.
pub struct InTurn;

impl Runner for InTurn {
    fn width(&self) -> usize {
        1
    }

    fn run<T: Send, R: Send>(&self, jobs: Vec<T>, job: &(dyn Fn(T) -> R + Sync)) -> Vec<R> {
        jobs.into_iter().map(job).collect()
    }

    fn each<R: Send>(&self, n: usize, job: &(dyn Fn(usize) -> R + Sync)) -> Vec<R> {
        (0..n).map(job).collect()
    }
}

/// Each job on a thread of its own, all at once; [`Runner::width`] is the
/// machine's cores (natively only: the browser runs parts in workers).
#[cfg(not(target_arch = "wasm32"))]
pub struct Threads;

#[cfg(not(target_arch = "wasm32"))]
impl Runner for Threads {
    fn width(&self) -> usize {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    }

    fn run<T: Send, R: Send>(&self, jobs: Vec<T>, job: &(dyn Fn(T) -> R + Sync)) -> Vec<R> {
        std::thread::scope(|scope| {
            let running: Vec<_> = jobs
                .into_iter()
                .map(|j| scope.spawn(move || job(j)))
                .collect();
            running
                .into_iter()
                .map(|r| r.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    fn each<R: Send>(&self, n: usize, job: &(dyn Fn(usize) -> R + Sync)) -> Vec<R> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let next = AtomicUsize::new(0);
        let take = || {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    return done;
                }
                done.push((i, job(i)));
            }
        };
        let mut done: Vec<(usize, R)> = self
            .run(vec![(); self.width().min(n)], &|()| take())
            .into_iter()
            .flatten()
            .collect();
        done.sort_by_key(|(i, _)| *i);
        done.into_iter().map(|(_, r)| r).collect()
    }
}
