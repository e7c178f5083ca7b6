//! In-browser ingest benchmark: the built app against PapaParse, in one
//! headless Chromium session.
//!
//! Run it with `scripts/bench-browser.sh` (it builds `dist/`, makes the
//! 1,000,000-row CSV and installs PapaParse first). It
//! 1. loads the app, creates a client, loads the CSV through `upload-input`,
//!    waits for `job-status` done and reads `data-elapsed-ms` (ingest +
//!    profile in the worker) and `data-wasm-memory`, while a
//!    requestAnimationFrame probe in the page and `performance.now()` probes
//!    through WebDriver measure how long the page's main thread froze;
//! 2. opens `/bench/`, gives it the same file, and reads the time PapaParse
//!    (`header: true, dynamicTyping: true`, in a dedicated worker) takes.
//!
//! It prints a markdown table; with `--write` it also puts the table and the
//! command into BENCHMARKS.md, between the browser-bench markers.
//!
//! Environment: `PLAINSIGHT_BENCH_RUNS` (default 3), `PLAINSIGHT_DIST` (default `dist/`), `PLAINSIGHT_BENCH_CSV`
//! (default `target/bench-1m.csv`), `PLAINSIGHT_PAPAPARSE` (default
//! `.tools/node_modules/papaparse/papaparse.min.js`).

#[path = "support/bench.rs"]
mod bench;
#[path = "../tests/support/server.rs"]
mod server;
#[path = "../tests/support/webdriver.rs"]
mod webdriver;

use bench::{env_path, median, root, BenchResult, Setting};
use serde_json::json;
use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};
use webdriver::{Driver, WdError, WAIT};

/// Loading 100 MB must finish within this, or the run fails.
const JOB_WAIT: Duration = Duration::from_secs(900);
/// How often the benchmark probes the page while the app works.
const PROBE_EVERY: Duration = Duration::from_millis(200);
const START_MARK: &str = "<!-- browser-bench:start -->";
const END_MARK: &str = "<!-- browser-bench:end -->";
const COMMAND: &str = "scripts/bench-browser.sh --write";

fn require(path: &Path, what: &str) -> BenchResult<()> {
    bench::require(path, what, "scripts/bench-browser.sh")
}

struct AppRun {
    elapsed_ms: f64,
    read_ms: f64,
    /// `job-status[data-read-parts]`: the parts read at once.
    parts: String,
    wasm_memory: u64,
    rows: String,
    wall_s: f64,
    raf_gap_ms: f64,
    probe_max_ms: f64,
}

struct PapaRun {
    ms: f64,
    rows: String,
}

/// Installs a requestAnimationFrame probe: `window.__bench_gap.max` is the
/// longest time between two frames, i.e. the longest main-thread freeze.
const RAF_PROBE: &str = "
    const g = window.__bench_gap = { max: 0, last: performance.now(), run: true };
    const tick = () => {
        const now = performance.now();
        if (now - g.last > g.max) g.max = now - g.last;
        g.last = now;
        if (g.run) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);";

fn run_app(d: &Driver, app_url: &str, csv: &Path) -> BenchResult<AppRun> {
    bench::open_with_client(d, app_url, WAIT)?;

    let (name, item) = bench::shown_item(csv);
    d.execute(RAF_PROBE, vec![])?;
    let started = Instant::now();
    d.find("[data-testid=upload-input]")?
        .send_keys(&csv.to_string_lossy())?;

    // Probe the page every PROBE_EVERY until the job is done; each probe is a
    // script that runs on the main thread, so a frozen page answers late.
    let mut next_probe = Instant::now();
    let mut probe_max = Duration::ZERO;
    d.wait_for(&format!("job-status done for {name} and {item}"), JOB_WAIT, |d| {
        if Instant::now() < next_probe {
            return Ok(None);
        }
        let sent = Instant::now();
        next_probe = sent + PROBE_EVERY;
        let v = d.execute(
            "const j = document.querySelector('[data-testid=job-status]');
             return [j ? j.getAttribute('data-state') : null, !!document.querySelector(arguments[0])];",
            vec![json!(item)],
        )?;
        probe_max = probe_max.max(sent.elapsed());
        match v[0].as_str() {
            Some("error") => Err(WdError::new(
                "app error",
                format!("the app failed to load {name}: {:?}", d.page_error()),
            )),
            Some("done") if v[1].as_bool() == Some(true) => Ok(Some(())),
            _ => Ok(None),
        }
    })?;
    let wall_s = started.elapsed().as_secs_f64();
    let raf = d.execute(
        "window.__bench_gap.run = false; return window.__bench_gap.max;",
        vec![],
    )?;
    let attr = |hook: &str, name: &str| -> BenchResult<String> {
        d.attr_of(&format!("[data-testid={hook}]"), name)?
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("[data-testid={hook}] has no {name}").into())
    };
    Ok(AppRun {
        elapsed_ms: attr("job-status", "data-elapsed-ms")?.parse()?,
        read_ms: attr("job-status", "data-read-ms")?.parse()?,
        parts: attr("job-status", "data-read-parts")?,
        wasm_memory: attr("job-status", "data-wasm-memory")?.parse()?,
        rows: attr("dataset-rows", "data-value")?,
        wall_s,
        raf_gap_ms: raf.as_f64().unwrap_or(f64::NAN),
        probe_max_ms: probe_max.as_secs_f64() * 1000.0,
    })
}

fn run_papaparse(d: &Driver, bench_url: &str, csv: &Path) -> BenchResult<PapaRun> {
    d.goto(bench_url)?;
    d.find("[data-testid=bench-input]")?
        .send_keys(&csv.to_string_lossy())?;
    d.wait_for("the PapaParse baseline to finish", JOB_WAIT, |d| {
        match d
            .attr_of("[data-testid=bench-result]", "data-state")?
            .as_deref()
        {
            Some("done") => Ok(Some(())),
            Some("error") => Err(WdError::new(
                "bench error",
                d.text_of("[data-testid=bench-result]")?.unwrap_or_default(),
            )),
            _ => Ok(None),
        }
    })?;
    let ms = d
        .attr_of("[data-testid=bench-result]", "data-value")?
        .unwrap_or_default()
        .parse()?;
    let rows = d
        .attr_of("[data-testid=bench-result]", "data-rows")?
        .unwrap_or_default();
    Ok(PapaRun { ms, rows })
}

/// One row of figures; `app`/`papa` times in ms, memory in bytes.
struct Figures {
    app_ms: f64,
    read_ms: f64,
    wasm_memory: f64,
    gap_ms: f64,
    papa_ms: f64,
}

fn row(label: &str, mb: f64, f: &Figures) -> String {
    format!(
        "| {label} | {mb:.1} | {:.2} | {:.1} | {:.2} | {:.1} | {:.0} | {:.0} | {:.2} | {:.1} |\n",
        f.app_ms / 1000.0,
        mb / (f.app_ms / 1000.0),
        f.read_ms / 1000.0,
        mb / (f.read_ms / 1000.0),
        f.wasm_memory / 1e6,
        f.gap_ms,
        f.papa_ms / 1000.0,
        mb / (f.papa_ms / 1000.0),
    )
}

fn table(size_bytes: u64, runs: &[(AppRun, PapaRun)]) -> String {
    let mb = size_bytes as f64 / 1e6;
    let figures: Vec<Figures> = runs
        .iter()
        .map(|(a, p)| Figures {
            app_ms: a.elapsed_ms,
            read_ms: a.read_ms,
            wasm_memory: a.wasm_memory as f64,
            gap_ms: a.raf_gap_ms,
            papa_ms: p.ms,
        })
        .collect();
    let mut out = String::from(
        "| run | file size MB | app time s | app MB/s | of it, reading s | reading MB/s | app peak wasm memory MB | longest main-thread gap ms | PapaParse time s | PapaParse MB/s |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (i, f) in figures.iter().enumerate() {
        out.push_str(&row(&(i + 1).to_string(), mb, f));
    }
    if figures.len() > 1 {
        let med = Figures {
            app_ms: median(figures.iter().map(|f| f.app_ms).collect()),
            read_ms: median(figures.iter().map(|f| f.read_ms).collect()),
            wasm_memory: median(figures.iter().map(|f| f.wasm_memory).collect()),
            gap_ms: median(figures.iter().map(|f| f.gap_ms).collect()),
            papa_ms: median(figures.iter().map(|f| f.papa_ms).collect()),
        };
        out.push_str(&row("**median**", mb, &med));
    }
    out
}

fn notes(size_bytes: u64, runs: &[(AppRun, PapaRun)]) -> String {
    let (app, papa) = &runs[0];
    let wall: Vec<String> = runs
        .iter()
        .map(|(a, _)| format!("{:.2}", a.wall_s))
        .collect();
    let probe = runs.iter().map(|(a, _)| a.probe_max_ms).fold(0.0, f64::max);
    format!(
        "- Each run is a fresh browser profile: the app loads the file, then PapaParse parses it in the same session.\n\
         - File: {size_bytes} bytes; the app read {} rows (PapaParse: {} records, which counts the trailing empty line).\n\
         - App time is `job-status[data-elapsed-ms]`: reading, type inference and the full profile in the app's worker; \
         reading is `job-status[data-read-ms]`, the file read into typed columns (parse and type inference) before the profile. \
         From file chosen to job done, seen from WebDriver: {} s.\n\
         - Read in {} part(s) at once, a worker each (`job-status[data-read-parts]`; `PLAINSIGHT_BENCH_PARTS=off` \
         reads whole, in one worker: `?parts=off`); the file is chosen once the engine has warmed up \
         (`body[data-engine-warm-ms]`), unless `PLAINSIGHT_BENCH_WARM=off` (`?warm=off`): warm-up {}.\n\
         - App memory is `job-status[data-wasm-memory]` after the job: wasm memory only grows, so it is the worker's peak.\n\
         - PapaParse time is parsing only (`header: true, dynamicTyping: true`, in a dedicated worker), no profile.\n\
         - Main-thread gap: the longest time between two animation frames while the app worked; \
         the slowest answer to a WebDriver script probe (one every 200 ms) was {probe:.0} ms.\n",
        app.rows,
        papa.rows,
        wall.join(" / "),
        app.parts,
        if std::env::var("PLAINSIGHT_BENCH_WARM").is_ok_and(|v| v == "off") {
            "off"
        } else {
            "on"
        },
    )
}

fn run() -> BenchResult<()> {
    let dist = env_path("PLAINSIGHT_DIST", "dist");
    let csv = env_path("PLAINSIGHT_BENCH_CSV", "target/bench-1m.csv").canonicalize()?;
    let papa = env_path(
        "PLAINSIGHT_PAPAPARSE",
        ".tools/node_modules/papaparse/papaparse.min.js",
    );
    require(&dist.join("index.html"), "the built app")?;
    require(&csv, "the benchmark CSV")?;
    require(&papa, "PapaParse from npm")?;
    let size = std::fs::metadata(&csv)?.len();

    let srv = server::serve(vec![
        ("/".into(), dist),
        ("/bench/".into(), root().join("bench")),
        ("/bench/papaparse.min.js".into(), papa),
    ])?;
    let n_runs = bench::runs(3);
    let mut runs = Vec::new();
    for i in 1..=n_runs {
        // A fresh profile per run, so stored datasets do not pile up.
        let d = Driver::start(&format!("bench-{i}"))?;
        eprintln!(
            "run {i}/{n_runs}: loading {} ({:.1} MB) into the app…",
            csv.display(),
            size as f64 / 1e6
        );
        let app = run_app(&d, &srv.url("/"), &csv)?;
        eprintln!("  app done in {:.2} s; PapaParse…", app.elapsed_ms / 1000.0);
        let papa = run_papaparse(&d, &srv.url("/bench/"), &csv)?;
        eprintln!("  PapaParse done in {:.2} s", papa.ms / 1000.0);
        runs.push((app, papa));
    }

    let Setting {
        commit,
        chromium,
        cores,
    } = Setting::read();
    let section = format!(
        "## In-browser ingest: 1,000,000 rows × 12 columns\n\n\
         Command: `{COMMAND}` at commit `{commit}` ({chromium}, headless, {cores} cores).\n\n{}\n{}",
        table(size, &runs),
        notes(size, &runs),
    );
    bench::publish(&section, (START_MARK, END_MARK))?;
    Ok(())
}

fn main() -> ExitCode {
    bench::exit("browser benchmark", run())
}
