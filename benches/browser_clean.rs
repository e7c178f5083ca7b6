//! In-browser timing of the cleaning (issue 16, goal 5): the built app
//! loads a CSV file (`PLAINSIGHT_BENCH_CSV`, default the 1,000,000-row ×
//! 12-column `target/bench-1m.csv` that `scripts/bench-browser.sh` makes),
//! then on the Clean tab proposes a thorough recipe and applies its ticked
//! steps, as a user does. Each figure is the app's own
//! `job-status[data-elapsed-ms]` (the proposal: from the page's request to
//! its answer; the apply: the worker running the recipe and profiling the
//! result), and the worker's wasm memory (`data-wasm-memory`, which only
//! grows: its peak) after the load (and after each of its steps:
//! `data-wasm-memory-marks`), after the insights and after the apply.
//!
//! `PLAINSIGHT_DIST=dist cargo bench --bench browser_clean` (a release
//! build in dist/: `trunk build --release --offline`); natively, the same
//! steps: `cargo run --release --example clean_speed -- FILE`.
//! Environment: `PLAINSIGHT_BENCH_RUNS` (default 3).

#[path = "support/bench.rs"]
mod bench;
#[path = "../tests/support/server.rs"]
mod server;
#[path = "../tests/support/webdriver.rs"]
mod webdriver;

use std::process::ExitCode;
use std::time::Duration;

use bench::{env_path, median, BenchResult};
use webdriver::{Driver, WdError};

/// Loading, proposing or applying must finish within this.
const WAIT: Duration = Duration::from_secs(600);

struct Run {
    load_ms: f64,
    /// The worker's wasm memory when the profile is shown, and after each
    /// step of the load (`data-wasm-memory-marks`).
    memory_read: f64,
    marks: String,
    /// After the Overview's insights too.
    memory_loaded: f64,
    propose_ms: f64,
    steps: usize,
    apply_ms: f64,
    memory_applied: f64,
}

/// Waits until the job named `label…` is done and returns its
/// `data-elapsed-ms` (an error when it failed).
fn job_done(d: &Driver, label: &str) -> BenchResult<f64> {
    let ms = d.wait_for(&format!("the job {label:?} to be done"), WAIT, |d| {
        let state = d.attr_of("[data-testid=job-status]", "data-state")?;
        let text = d.text_of("[data-testid=job-status]")?.unwrap_or_default();
        if state.as_deref() == Some("error") {
            return Err(WdError::new("job", format!("{label}: {text}")));
        }
        if state.as_deref() != Some("done") || !text.contains(label) {
            return Ok(None);
        }
        Ok(d.attr_of("[data-testid=job-status]", "data-elapsed-ms")?
            .and_then(|v| v.parse::<f64>().ok()))
    })?;
    Ok(ms)
}

fn memory_mb(d: &Driver) -> BenchResult<f64> {
    let m = d
        .attr_of("[data-testid=job-status]", "data-wasm-memory")?
        .and_then(|v| v.parse::<f64>().ok())
        .ok_or("job-status has no data-wasm-memory")?;
    Ok(m / 1e6)
}

fn run_once(d: &Driver, app_url: &str, csv: &std::path::Path) -> BenchResult<Run> {
    bench::open_with_client(d, app_url, WAIT)?;
    let (name, item) = bench::shown_item(csv);
    d.find("[data-testid=upload-input]")?
        .send_keys(&csv.to_string_lossy())?;
    d.wait_for(&format!("{name} to be shown"), WAIT, |d| {
        Ok(d.exists(&item)?.then_some(()))
    })?;
    let load_ms = job_done(d, &name)?;
    let memory_read = memory_mb(d)?;
    let marks = d
        .attr_of("[data-testid=job-status]", "data-wasm-memory-marks")?
        .unwrap_or_default();
    // The Overview's insights run after the load: wait for them, so the
    // proposal does not share the worker with them.
    d.wait_for("the alerts", WAIT, |d| {
        Ok(d.exists("[data-testid=alert]")?.then_some(()))
    })?;
    let memory_loaded = memory_mb(d)?;
    d.click_when_ready("[data-testid=tab][data-tab=clean]")?;
    d.wait_for("the Clean tab", WAIT, |d| {
        Ok(d.exists("[data-testid=clean-mode]")?.then_some(()))
    })?;
    let chosen = d.execute(
        "const s = document.querySelector('[data-testid=clean-mode]');
         s.value = 'thorough';
         s.dispatchEvent(new Event('change', { bubbles: true }));
         return s.value;",
        vec![],
    )?;
    if chosen.as_str() != Some("thorough") {
        return Err("the Clean tab has no thorough mode".into());
    }
    d.click_when_ready("[data-testid=clean-auto]")?;
    let propose_ms = job_done(d, "Proposing a cleaning recipe")?;
    let steps = d.count("[data-testid=proposal]")?;
    if steps == 0 {
        return Err("the thorough proposal has no steps".into());
    }
    d.click_when_ready("[data-testid=clean-apply]")?;
    let apply_ms = job_done(d, &format!("Cleaning {name}"))?;
    let memory_applied = memory_mb(d)?;
    Ok(Run {
        load_ms,
        memory_read,
        marks,
        memory_loaded,
        propose_ms,
        steps,
        apply_ms,
        memory_applied,
    })
}

fn run() -> BenchResult<()> {
    let dist = env_path("PLAINSIGHT_DIST", "dist");
    let csv = env_path("PLAINSIGHT_BENCH_CSV", "target/bench-1m.csv");
    bench::require(&csv, "the benchmark file", "scripts/bench-browser.sh")?;
    let srv = server::serve(vec![("/".into(), dist)])?;
    let runs = bench::runs(3);
    let size_mb = std::fs::metadata(&csv)?.len() as f64 / 1e6;
    let mut all = Vec::new();
    for i in 1..=runs {
        let d = Driver::start(&format!("clean-{i}"))?;
        let r = run_once(&d, &srv.url("/"), &csv)?;
        eprintln!(
            "run {i}/{runs}: load {:.2} s ({:.0} MB; {:.0} MB with the insights), thorough proposal {:.2} s ({} steps), apply {:.2} s ({:.0} MB)",
            r.load_ms / 1000.0,
            r.memory_read,
            r.memory_loaded,
            r.propose_ms / 1000.0,
            r.steps,
            r.apply_ms / 1000.0,
            r.memory_applied
        );
        eprintln!(
            "  the worker's memory after each step of the load: {}",
            r.marks
        );
        all.push(r);
    }
    let m = |f: fn(&Run) -> f64| median(all.iter().map(f).collect());
    println!(
        "{} ({size_mb:.1} MB), median of {runs}, load average {}:",
        csv.display(),
        bench::load_average()
    );
    println!("| step | seconds | worker's wasm memory after it |");
    println!("|---|---:|---:|");
    println!(
        "| load + profile | {:.2} | {:.0} MB |",
        m(|r| r.load_ms) / 1000.0,
        m(|r| r.memory_read)
    );
    println!(
        "| the Overview's insights | | {:.0} MB |",
        m(|r| r.memory_loaded)
    );
    println!(
        "| thorough proposal ({} steps) | {:.2} | |",
        all.first().map_or(0, |r| r.steps),
        m(|r| r.propose_ms) / 1000.0
    );
    println!(
        "| apply the ticked steps (recipe + profile of the result) | {:.2} | {:.0} MB |",
        m(|r| r.apply_ms) / 1000.0,
        m(|r| r.memory_applied)
    );
    Ok(())
}

fn main() -> ExitCode {
    bench::exit("cleaning benchmark", run())
}
