//! In-browser explore benchmark: the built app's alerts, correlations,
//! charts and report on a 1,000,000-row × 20-column CSV, beside DuckDB-WASM's
//! `SUMMARIZE` on the same file, in one headless Chromium session per run.
//!
//! Run it with `scripts/bench-explore.sh` (it makes the CSV and installs
//! DuckDB-WASM first). Each run
//! 1. loads the app, creates a client, and installs a probe in the page that
//!    timestamps with `performance.now()` (MutationObserver + animation
//!    frames, so the driver's polling does not blur the figures): the file
//!    chosen in `upload-input`; the profile shown (`dataset-rows`, job done);
//!    the alerts and correlations ready (`alerts-pending` gone, an `alert`
//!    shown);
//! 2. clicks the Explore tab and times until every `[data-testid=chart]`
//!    of the tab says it was drawn (`data-dpr`, checked every animation
//!    frame, then 1.5 s without a new chart; its canvas's pixels are read
//!    back then, outside the frames measured, and counted painted) and
//!    the longest time between two animation frames after the click; the
//!    same for the Columns tab, then the Clean, Model and Overview tabs'
//!    longest gap in the 2 s after their click;
//! 3. clicks `export-report`, if this build has it, and times until the
//!    HTML file is in the downloads folder (wall clock from the driver,
//!    polled every 75 ms) and until the page made its blob URL (in the page);
//!    a build without the hook is reported as such, with no time;
//! 4. opens `/bench/duckdb.html` in the same tab, gives it the same file,
//!    and reads DuckDB-WASM's start, load (`CREATE TABLE t AS SELECT * FROM
//!    read_csv_auto('f.csv')`) and `SUMMARIZE t` times (3 repeats).
//!
//! Given a `.parquet` file (`PLAINSIGHT_BENCH_CSV=….parquet`, as
//! `scripts/bench-parquet.sh` does), the same steps run on it (DuckDB-WASM
//! with `read_parquet`), and `--write` fills the browser-parquet section;
//! given a `.xlsx` file (`scripts/bench-xlsx-browser.sh`), DuckDB-WASM
//! loads its `excel` extension and uses `read_xlsx`, and `--write` fills
//! the browser-xlsx section.
//!
//! It prints markdown tables; with `--write` it also puts them into
//! BENCHMARKS.md between the browser-explore markers. With
//! `--make-data PATH [ROWS]` it only writes the CSV (default 1,000,000 rows).
//!
//! Environment: `PLAINSIGHT_BENCH_RUNS` (default 3), `PLAINSIGHT_DIST`
//! (default `dist/`), `PLAINSIGHT_BENCH_CSV` (default
//! `target/bench-1m-20.csv`), `PLAINSIGHT_NODE_MODULES` (default
//! `.tools/node_modules`, which holds `@duckdb/duckdb-wasm`),
//! `PLAINSIGHT_BENCH_CPU_PROFILE` (a path: the page's CPU profile from the
//! file chosen through the tab switches after the alerts is written there, Chrome's `.cpuprofile` JSON;
//! `scripts/cpuprofile-top.py` lists its longest busy stretches),
//! `PLAINSIGHT_BENCH_WORKER_PROFILE` (a folder: the same for each worker —
//! the data worker, its part workers and helper — through
//! `scripts/worker-profile.mjs`, which needs Node.js 20 or later; the part
//! workers are then kept, idle, until the alerts, so memory is not a
//! normal run's; the wasm is named only in a build whose worker wasm kept
//! its names, e.g. target/wasm-bindgen/release/worker_bg.wasm in a copy of
//! dist/), `PLAINSIGHT_BENCH_TRACE` (a folder: the browser's trace from the
//! file chosen through the tab switches, `trace.json`, through `scripts/page-trace.mjs`;
//! `scripts/trace-frames.py DIR/trace.json` lists the page's long tasks,
//! each with the time its thread ran in it and what the browser did).

#[path = "support/bench.rs"]
mod bench;
#[path = "support/explore_data.rs"]
mod explore_data;
#[path = "../tests/support/server.rs"]
mod server;
#[path = "../tests/support/webdriver.rs"]
mod webdriver;

use bench::{env_path, load_average, median, root, BenchResult, Setting};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use webdriver::{css_str, Driver, WdError, WdResult, WAIT};

/// Files up to this size are also loaded a second and a third time: every
/// file the app reads (at most 1 GiB). The worker lets the shown dataset go
/// when the next file would not fit beside it, so two 1 GB files load in
/// one session (before, the second ran the engine out of memory).
const LATER_FILES_MAX_BYTES: u64 = 2_000_000_000;

/// Loading and checking 1M × 20 must finish within this, or the run fails.
const JOB_WAIT: Duration = Duration::from_secs(900);
/// Charts must show up within this after their tab is opened.
const CHART_WAIT: Duration = Duration::from_secs(300);
/// All charts drawn and no new one for this long: the tab is drawn.
const CHART_SETTLE_MS: f64 = 1500.0;
/// Where the figures go in BENCHMARKS.md, and the command that wrote them:
/// for the CSV, then for the Parquet file.
const MARKS: [(&str, &str, &str); 3] = [
    (
        "<!-- browser-explore:start -->",
        "<!-- browser-explore:end -->",
        "scripts/bench-explore.sh --write",
    ),
    (
        "<!-- browser-parquet:start -->",
        "<!-- browser-parquet:end -->",
        "scripts/bench-parquet.sh --write",
    ),
    (
        "<!-- browser-xlsx:start -->",
        "<!-- browser-xlsx:end -->",
        "scripts/bench-xlsx-browser.sh --write",
    ),
];

fn require(path: &Path, what: &str) -> BenchResult<()> {
    bench::require(path, what, "scripts/bench-explore.sh")
}

/// Installed once the app is ready, before the upload. `window.__explore.t`
/// collects `performance.now()` stamps: `chosen` (the file input changed),
/// `profile`, `alerts`, `tab_<name>` (a tab clicked), `report_click`,
/// `report_blob` (the page made a blob URL after the click). `gap` is the
/// longest time between two animation frames up to the alerts, `gap_at` the
/// frame it started from.
const PAGE_PROBE: &str = r#"
    const item = arguments[0];
    const B = window.__explore = { t: {}, gap: 0, gap_at: 0, last: performance.now(), alerts: 0 };
    document.addEventListener('change', (e) => {
        if (e.target.matches && e.target.matches('[data-testid=upload-input]')) B.t.chosen = performance.now();
    }, true);
    document.addEventListener('click', (e) => {
        const el = e.target.closest ? e.target : e.target.parentElement;
        const tab = el && el.closest('[data-testid=tab]');
        if (tab) B.t['tab_' + tab.getAttribute('data-tab')] = performance.now();
        if (el && el.closest('[data-testid=export-report]')) B.t.report_click = performance.now();
    }, true);
    const createObjectURL = URL.createObjectURL;
    URL.createObjectURL = function (obj) {
        if (B.t.report_click !== undefined && B.t.report_blob === undefined) {
            B.t.report_blob = performance.now();
            B.report_type = obj && obj.type;
        }
        return createObjectURL.apply(this, arguments);
    };
    const check = () => {
        if (B.t.chosen === undefined || B.t.alerts !== undefined) return;
        const now = performance.now();
        const job = document.querySelector('[data-testid=job-status]');
        if (B.t.profile === undefined && document.querySelector(item)
            && document.querySelector('[data-testid=dataset-rows]')
            && job && job.getAttribute('data-state') === 'done') {
            B.t.profile = now;
        }
        if (B.t.profile !== undefined && !document.querySelector('[data-testid=alerts-pending]')
            && document.querySelector('[data-testid=alert]')) {
            B.t.alerts = now;
            B.alerts = document.querySelectorAll('[data-testid=alert]').length;
        }
    };
    new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true });
    const frame = () => {
        const now = performance.now();
        if (now - B.last > B.gap) { B.gap = now - B.last; B.gap_at = B.last; }
        B.last = now;
        if (B.t.alerts === undefined) requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
    // Chromium's long animation frames (over 50 ms) from the file chosen
    // on: how much of each was script, and how much style, layout and paint.
    B.frames = [];
    try {
        new PerformanceObserver((list) => {
            for (const e of list.getEntries()) {
                if (B.t.chosen === undefined || e.startTime + e.duration < B.t.chosen) continue;
                const end = e.startTime + e.duration;
                B.frames.push({
                    at: e.startTime - B.t.chosen, ms: e.duration,
                    style_layout_ms: e.styleAndLayoutStart ? end - e.styleAndLayoutStart : 0,
                    render_ms: e.renderStart ? end - e.renderStart : 0,
                    scripts: e.scripts.map((s) => s.invoker + ' ' + Math.round(s.duration) + ' ms'
                        + (s.forcedStyleAndLayoutDuration ? ' (forced style + layout '
                           + Math.round(s.forcedStyleAndLayoutDuration) + ' ms)' : '')),
                });
            }
        }).observe({ type: 'long-animation-frame', buffered: false });
    } catch (_) { /* not in this browser */ }"#;

/// Watches the charts of the visible tab panel every animation frame:
/// `window.__charts.done` is the stamp at which every chart there said it
/// was drawn (`chart[data-dpr]`, set in the task that draws it; cleared
/// when a new chart appears undrawn) — their pixels are read once, after
/// they settle ([`PAINTED_PROBE`]), since reading a canvas back inside a
/// frame cost the page's thread 8-17 ms in the frames this measures;
/// `window.__charts.gap` the longest time between two animation frames from
/// the tab's click on (the first counted from the click itself; with
/// `arguments[1]`, ms, only the gaps that start within that long after the
/// click). `arguments[2]` false: no charts are watched, no pixels read.
const CHART_PROBE: &str = r#"
    const tab = 'tab_' + arguments[0];
    const watch = arguments[1];
    const charts_too = arguments[2];
    const W = window.__charts = { n: 0, drawn: 0, done: undefined, run: true, kinds: [],
                                  installed: performance.now(), gap: 0, last: undefined,
                                  since_click: 0 };
    const drawn = (ch) => ch.hasAttribute('data-dpr');
    const frame = () => {
        if (!W.run) return;
        // Only the charts shown after this tab's click count.
        const clicked = window.__explore.t[tab];
        if (clicked === undefined || clicked < W.installed) { requestAnimationFrame(frame); return; }
        const now = performance.now();
        if (W.last === undefined) W.last = clicked;
        const counted = watch === null || W.last - clicked <= watch;
        if (counted && now - W.last > W.gap) W.gap = now - W.last;
        W.last = now;
        W.since_click = now - clicked;
        if (!charts_too) { requestAnimationFrame(frame); return; }
        const charts = Array.from(document.querySelectorAll(
            'section[role=tabpanel]:not([hidden]) [data-testid=chart]'));
        const n = charts.length;
        let p = 0;
        for (const ch of charts) if (drawn(ch)) p++;
        if (n > 0 && p === n) {
            if (W.done === undefined || W.n !== n) W.done = performance.now();
        } else {
            W.done = undefined;
        }
        W.n = n; W.drawn = p;
        W.kinds = charts.map((ch) => ch.getAttribute('data-kind'));
        requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);"#;

/// The charts of the visible tab panel whose canvas has a painted pixel
/// (read back once, after the charts settled).
const PAINTED_PROBE: &str = r#"
    let painted = 0;
    for (const ch of document.querySelectorAll(
            'section[role=tabpanel]:not([hidden]) [data-testid=chart]')) {
        const c = ch.querySelector('canvas');
        const ctx = c && c.width && c.height ? c.getContext('2d') : null;
        if (!ctx) continue;
        const px = ctx.getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) { painted++; break; }
    }
    return painted;"#;

struct Charts {
    /// From the tab click to the last chart painted, ms (None: none drawn).
    ms: Option<f64>,
    /// The longest time between two animation frames from the click until
    /// the charts settled, ms (None: the page never saw the click).
    gap_ms: Option<f64>,
    count: usize,
    painted: usize,
    kinds: Vec<String>,
}

enum Report {
    /// The build has no `export-report` hook.
    Missing,
    Done {
        /// Click to the downloaded file complete on disk (driver clock).
        wall_ms: f64,
        /// Click to the page's blob URL (page clock), if it made one.
        blob_ms: Option<f64>,
        bytes: u64,
        name: String,
    },
    Failed(String),
}

struct AppRun {
    /// Page clock, ms from the file chosen.
    profile_ms: f64,
    alerts_ms: f64,
    /// `job-status[data-elapsed-ms]` (ingest + profile in the worker).
    ingest_elapsed_ms: f64,
    wasm_memory_profile: Option<u64>,
    wasm_memory_end: Option<u64>,
    rows: String,
    cols: String,
    alerts: u64,
    alert_kinds: Vec<String>,
    corr_pairs: usize,
    gap_ms: f64,
    wall_alerts_s: f64,
    explore: Charts,
    columns: Charts,
    /// Each tab clicked after the alerts, with the longest time between two
    /// animation frames after its click, ms (Explore and Columns until their
    /// charts settled, the others for [`SWITCH_WATCH_MS`]).
    switches: Vec<(&'static str, f64)>,
    report: Report,
    /// Two more copies of the file, the third chosen as soon as the
    /// second's profile shows (its insights then start): each file chosen
    /// → its profile shown, ms, driver clock; None for a file too large to
    /// be read beside another ([`LATER_FILES_MAX_BYTES`]).
    later: Option<(f64, f64)>,
    /// `job-status[data-read-parts]`: the parts the file was read in at
    /// once (1: whole; empty for a build without the hook).
    read_parts: String,
    /// The same file read whole (`?parts=off`) after DuckDB-WASM in the
    /// same session: file chosen → profile shown, ms; None when the file
    /// was read whole anyway.
    whole_profile_ms: Option<f64>,
}

struct DuckRun {
    version: String,
    package: String,
    types: Vec<String>,
    start_ms: f64,
    load_ms: f64,
    summarize_ms: Vec<f64>,
    rows: u64,
    columns: usize,
    memory_load: Option<f64>,
    memory_summarize: Option<f64>,
}

fn stamp(t: &Value, name: &str) -> Option<f64> {
    t.get(name).and_then(Value::as_f64)
}

fn wasm_memory(d: &Driver) -> Result<Option<u64>, WdError> {
    Ok(d.attr_of("[data-testid=job-status]", "data-wasm-memory")?
        .and_then(|v| v.parse().ok())
        .filter(|&v| v > 0))
}

/// Stops the previous tab's probe, installs [`CHART_PROBE`] for the tab
/// `name` (`watch`: ms, or null; `charts`: watch its charts too) and clicks
/// the tab.
fn click_watched(d: &Driver, name: &str, watch: Value, charts: bool) -> BenchResult<()> {
    d.execute("if (window.__charts) window.__charts.run = false;", vec![])?;
    d.execute(CHART_PROBE, vec![json!(name), watch, json!(charts)])?;
    d.click_when_ready(&format!("[data-testid=tab][data-tab={}]", css_str(name)))?;
    Ok(())
}

/// Clicks the tab `name` and waits until its charts are drawn.
fn time_charts(d: &Driver, name: &str) -> BenchResult<Charts> {
    click_watched(d, name, Value::Null, true)?;
    let started = Instant::now();
    let state = d.wait_for(&format!("the charts of the {name} tab"), CHART_WAIT, |d| {
        let v = d.execute(
            "const W = window.__charts;
             return { n: W.n, done: W.done === undefined ? null : W.done,
                      now: performance.now(), kinds: W.kinds,
                      gap: W.last === undefined ? null : W.gap };",
            vec![],
        )?;
        let settled = v["done"]
            .as_f64()
            .zip(v["now"].as_f64())
            .is_some_and(|(done, now)| now - done >= CHART_SETTLE_MS);
        // No chart at all after a while: report none rather than fail.
        let nothing = v["n"].as_u64() == Some(0) && started.elapsed() > Duration::from_secs(60);
        Ok((settled || nothing).then_some(v))
    })?;
    let t = d.execute("return window.__explore.t;", vec![])?;
    d.execute("window.__charts.run = false;", vec![])?;
    let painted = d
        .execute(PAINTED_PROBE, vec![])?
        .as_u64()
        .ok_or("the painted-pixels probe returned no count")? as usize;
    let clicked = stamp(&t, &format!("tab_{name}"));
    let count = state["n"].as_u64().unwrap_or(0) as usize;
    if painted != count {
        eprintln!("  {name}: {painted} of {count} charts painted; no time is given for the tab");
    }
    Ok(Charts {
        // A tab whose charts did not all paint has no time.
        ms: state["done"]
            .as_f64()
            .zip(clicked)
            .filter(|_| painted == count)
            .map(|(done, click)| done - click),
        gap_ms: state["gap"].as_f64(),
        count,
        painted,
        kinds: state["kinds"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|k| k.as_str().unwrap_or("?").to_string())
                    .collect()
            })
            .unwrap_or_default(),
    })
}

/// How long a tab without charts to wait for is watched after its click.
const SWITCH_WATCH_MS: f64 = 2000.0;

/// Clicks the tab `name` and returns the longest time between two animation
/// frames in the [`SWITCH_WATCH_MS`] after the click (page clock), ms.
fn time_switch(d: &Driver, name: &str) -> BenchResult<f64> {
    click_watched(d, name, json!(SWITCH_WATCH_MS), false)?;
    let gap = d.wait_for(&format!("{SWITCH_WATCH_MS} ms of the {name} tab"), WAIT, |d| {
        let v = d.execute(
            "const W = window.__charts; return { since: W.since_click, gap: W.gap, seen: W.last !== undefined };",
            vec![],
        )?;
        let watched = v["seen"].as_bool() == Some(true)
            && v["since"].as_f64().is_some_and(|s| s >= SWITCH_WATCH_MS);
        Ok(watched.then(|| v["gap"].as_f64()).flatten())
    })?;
    d.execute("window.__charts.run = false;", vec![])?;
    Ok(gap)
}

/// Clicks `export-report` (on the Explore tab, else on the Overview) and
/// waits for the HTML file in the downloads folder.
fn time_report(d: &Driver) -> BenchResult<Report> {
    const HOOK: &str = "[data-testid=export-report]";
    let visible = |d: &Driver| -> BenchResult<bool> {
        let v = d.execute(
            "return Array.from(document.querySelectorAll(arguments[0]))
                 .some((e) => e.getClientRects().length > 0);",
            vec![json!(HOOK)],
        )?;
        Ok(v.as_bool() == Some(true))
    };
    if !visible(d)? {
        d.click_when_ready("[data-testid=tab][data-tab=overview]")?;
        if !visible(d)? {
            return Ok(if d.exists(HOOK)? {
                Report::Failed(
                    "`export-report` is in the page but not shown on the Explore or Overview tab"
                        .into(),
                )
            } else {
                Report::Missing
            });
        }
    }
    let dir = d.downloads_dir();
    let before: Vec<_> = std::fs::read_dir(&dir)
        .map(|r| r.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    let started = Instant::now();
    d.click_when_ready(HOOK)?;
    let found = d.wait_for("the report download", JOB_WAIT, |_| {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(None);
        };
        for e in entries.flatten() {
            let name = e.file_name();
            let s = name.to_string_lossy().into_owned();
            if before.contains(&name) || s.ends_with(".crdownload") || s.starts_with('.') {
                continue;
            }
            if s.to_ascii_lowercase().ends_with(".html") || s.to_ascii_lowercase().ends_with(".htm")
            {
                let bytes = e.metadata().map(|m| m.len()).unwrap_or(0);
                return Ok(Some((s, bytes)));
            }
        }
        Ok(None)
    });
    let (name, bytes) = match found {
        Ok(v) => v,
        Err(e) => return Ok(Report::Failed(e.to_string())),
    };
    let wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    let t = d.execute("return window.__explore.t;", vec![])?;
    let blob_ms = stamp(&t, "report_blob")
        .zip(stamp(&t, "report_click"))
        .map(|(b, c)| b - c);
    Ok(Report::Done {
        wall_ms,
        blob_ms,
        bytes,
        name,
    })
}

fn run_app(d: &Driver, app_url: &str, csv: &Path) -> BenchResult<AppRun> {
    bench::open_with_client(d, app_url, WAIT)?;

    let (name, item) = bench::shown_item(csv);
    d.execute(PAGE_PROBE, vec![json!(item)])?;
    let profile_to = std::env::var_os("PLAINSIGHT_BENCH_CPU_PROFILE").map(PathBuf::from);
    if profile_to.is_some() {
        d.cdp("Profiler.enable", json!({}))?;
        d.cdp("Profiler.setSamplingInterval", json!({ "interval": 200 }))?;
        d.cdp("Profiler.start", json!({}))?;
    }
    let worker_profiles = match std::env::var_os("PLAINSIGHT_BENCH_WORKER_PROFILE") {
        Some(dir) => Some(SideScript::start(d, "worker-profile.mjs", Path::new(&dir))?),
        None => None,
    };
    let trace = match std::env::var_os("PLAINSIGHT_BENCH_TRACE") {
        Some(dir) => Some(SideScript::start(d, "page-trace.mjs", Path::new(&dir))?),
        None => None,
    };
    let started = Instant::now();
    d.find("[data-testid=upload-input]")?
        .send_keys(&csv.to_string_lossy())?;

    let mut wasm_memory_profile = None;
    let t = d.wait_for(
        &format!("the profile, alerts and correlations of {name}"),
        JOB_WAIT,
        |d| {
            let t = page_stamps(d, &name)?;
            if wasm_memory_profile.is_none() && stamp(&t, "profile").is_some() {
                wasm_memory_profile = wasm_memory(d)?;
            }
            Ok(stamp(&t, "alerts").map(|_| t))
        },
    )?;
    let wall_alerts_s = started.elapsed().as_secs_f64();
    let chosen = stamp(&t, "chosen").ok_or("the page saw no file chosen")?;
    let probe = d.execute(
        "const B = window.__explore; return { gap: B.gap, gap_at: B.gap_at, alerts: B.alerts, frames: B.frames };",
        vec![],
    )?;
    let gap_ms = probe["gap"]
        .as_f64()
        .ok_or("the page's frame probe has no gap")?;
    eprintln!(
        "  longest main-thread gap {:.0} ms, from {:.0} ms after the file was chosen (profile shown at {:.0}, alerts at {:.0})",
        gap_ms,
        probe["gap_at"].as_f64().unwrap_or(f64::NAN) - chosen,
        stamp(&t, "profile").unwrap_or(f64::NAN) - chosen,
        stamp(&t, "alerts").unwrap_or(f64::NAN) - chosen,
    );
    print_long_frames(
        &probe["frames"],
        0.0,
        stamp(&t, "alerts").map_or(f64::INFINITY, |a| a - chosen),
    );
    let attr = |hook: &str, name: &str| -> BenchResult<String> {
        d.attr_of(&format!("[data-testid={hook}]"), name)?
            .filter(|v| !v.is_empty())
            .ok_or_else(|| format!("[data-testid={hook}] has no {name}").into())
    };
    let ingest_elapsed_ms = attr("job-status", "data-elapsed-ms")?.parse()?;
    let read_parts = attr("job-status", "data-read-parts").unwrap_or_default();
    eprintln!(
        "  read into typed columns in {:?} ms, {read_parts} parts",
        attr("job-status", "data-read-ms").ok()
    );
    let rows = attr("dataset-rows", "data-value")?;
    let cols = attr("dataset-cols", "data-value")?;
    let mut alert_kinds: Vec<String> = d
        .attrs_of("[data-testid=alert]", "data-kind")?
        .into_iter()
        .flatten()
        .collect();
    alert_kinds.sort();
    alert_kinds.dedup();

    eprintln!(
        "  profile {:.2} s, alerts + correlations {:.2} s after it (Spearman in a helper worker: {}); Explore…",
        (stamp(&t, "profile").unwrap_or(f64::NAN) - chosen) / 1000.0,
        (stamp(&t, "alerts").unwrap_or(f64::NAN) - stamp(&t, "profile").unwrap_or(f64::NAN))
            / 1000.0,
        attr("job-status", "data-insights-helper").unwrap_or_default()
    );
    let explore = time_charts(d, "explore")?;
    let corr_pairs = d.count("[data-testid=corr-pair]")?;
    eprintln!(
        "  Explore: {} of {} charts in {:?} ms; report…",
        explore.painted, explore.count, explore.ms
    );
    let report = time_report(d)?;
    eprintln!("  Columns…");
    let columns = time_charts(d, "columns")?;
    let wasm_memory_end = wasm_memory(d)?;
    let mut switches = vec![
        ("Explore", explore.gap_ms.unwrap_or(f64::NAN)),
        ("Columns", columns.gap_ms.unwrap_or(f64::NAN)),
    ];
    for (label, tab) in [
        ("Clean", "clean"),
        ("Model", "model"),
        ("Overview", "overview"),
    ] {
        switches.push((label, time_switch(d, tab)?));
    }
    eprintln!(
        "  tab switches, longest gap after the click: {}",
        switches
            .iter()
            .map(|(l, g)| format!("{l} {g:.0} ms"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let clicks = d.execute(
        "const B = window.__explore;
         const draws = performance.getEntriesByType('measure')
             .filter(e => e.name.startsWith('plainsight-draw '))
             .map(e => [e.name.slice(16), e.startTime, e.duration]);
         const report = performance.getEntriesByName('plainsight-report')
             .map(e => e.duration);
         return { t: B.t, frames: B.frames, draws, report };",
        vec![],
    )?;
    const TABS: [&str; 5] = ["explore", "columns", "clean", "model", "overview"];
    for (i, tab) in TABS.iter().enumerate() {
        if let Some(click) = stamp(&clicks["t"], &format!("tab_{tab}")) {
            eprintln!("  after the {tab} tab's click ({:.0} ms):", click - chosen);
            print_long_frames(&clicks["frames"], click - chosen, click - chosen + 3000.0);
            // The charts drawn until the next tab's click.
            let next = TABS[i + 1..]
                .iter()
                .find_map(|t| stamp(&clicks["t"], &format!("tab_{t}")))
                .unwrap_or(f64::INFINITY);
            print_draws(&clicks["draws"], click, next);
        }
    }
    // The report's writing (`plainsight-report`: a task of the page's).
    if let Some(ms) = clicks["report"].as_array().filter(|r| !r.is_empty()) {
        let ms: Vec<String> = ms
            .iter()
            .filter_map(Value::as_f64)
            .map(|m| format!("{m:.1}"))
            .collect();
        eprintln!("  the report written on the page in {} ms", ms.join(", "));
    }
    // The profiles and the trace cover the file chosen to the last tab
    // switch, then stop.
    if let Some(path) = &profile_to {
        let profile = d.cdp("Profiler.stop", json!({}))?;
        std::fs::write(path, serde_json::to_vec(&profile["profile"])?)?;
        eprintln!("  the page's CPU profile: {}", path.display());
    }
    if let Some(p) = worker_profiles {
        p.stop()?;
    }
    if let Some(t) = trace {
        t.stop()?;
        eprintln!("  the browser's trace: scripts/trace-frames.py lists the page's long tasks");
    }
    let later = if std::fs::metadata(csv)?.len() <= LATER_FILES_MAX_BYTES {
        eprintln!("  a second and a third file…");
        Some(time_later_files(d, csv)?)
    } else {
        None
    };
    Ok(AppRun {
        profile_ms: stamp(&t, "profile").ok_or("no profile stamp")? - chosen,
        alerts_ms: stamp(&t, "alerts").ok_or("no alerts stamp")? - chosen,
        ingest_elapsed_ms,
        wasm_memory_profile,
        wasm_memory_end,
        rows,
        cols,
        alerts: probe["alerts"]
            .as_u64()
            .ok_or("the page's frame probe has no alerts count")?,
        alert_kinds,
        corr_pairs,
        gap_ms,
        wall_alerts_s,
        explore,
        columns,
        switches,
        report,
        later,
        read_parts,
        whole_profile_ms: None,
    })
}

/// Prints the three longest of the page probe's long animation frames
/// (`frames`) that ended after `from` and started before `to`, ms after the
/// file was chosen.
fn print_long_frames(frames: &Value, from: f64, to: f64) {
    let Some(frames) = frames.as_array() else {
        return;
    };
    let mut frames: Vec<&Value> = frames
        .iter()
        .filter(|f| {
            // The frame that holds the click starts a little before its
            // stamp: a frame counts when it ends after `from`.
            let at = f["at"].as_f64().unwrap_or(f64::NAN);
            let ms = f["ms"].as_f64().unwrap_or(0.0);
            at + ms >= from && at <= to
        })
        .collect();
    frames.sort_by(|a, b| {
        b["ms"]
            .as_f64()
            .partial_cmp(&a["ms"].as_f64())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    for f in frames.iter().take(3) {
        eprintln!(
            "    long frame {:.0} ms at {:.0} ms: style + layout + paint {:.0} ms (render steps {:.0} ms); scripts {}",
            f["ms"].as_f64().unwrap_or(f64::NAN),
            f["at"].as_f64().unwrap_or(f64::NAN),
            f["style_layout_ms"].as_f64().unwrap_or(f64::NAN),
            f["render_ms"].as_f64().unwrap_or(f64::NAN),
            f["scripts"]
        );
    }
}

/// Prints the charts drawn (`plainsight-draw <kind>` measures: [kind,
/// start, ms]) that started between `from` and `to` (page clock), in the
/// order drawn, and the longest.
fn print_draws(draws: &Value, from: f64, to: f64) {
    let Some(draws) = draws.as_array() else {
        return;
    };
    let drawn: Vec<(&str, f64)> = draws
        .iter()
        .filter_map(|e| Some((e[0].as_str()?, e[1].as_f64()?, e[2].as_f64()?)))
        .filter(|(_, at, _)| (from..=to).contains(at))
        .map(|(kind, _, ms)| (kind, ms))
        .collect();
    if drawn.is_empty() {
        return;
    }
    let longest = drawn.iter().map(|d| d.1).fold(0.0, f64::max);
    eprintln!(
        "    {} charts drawn, the longest {longest:.1} ms: {}",
        drawn.len(),
        drawn
            .iter()
            .map(|(k, ms)| format!("{k} {ms:.1}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
}

/// The page probe's stamps so far; an error when the app failed to load
/// `name`.
fn page_stamps(d: &Driver, name: &str) -> WdResult<Value> {
    let v = d.execute(
        "const j = document.querySelector('[data-testid=job-status]');
         return [j ? j.getAttribute('data-state') : null, window.__explore.t];",
        vec![],
    )?;
    if v[0].as_str() == Some("error") {
        return Err(WdError::new(
            "app error",
            format!("the app failed to load {name}: {:?}", d.page_error()),
        ));
    }
    Ok(v[1].clone())
}

/// File chosen → profile shown (ms, page clock) in the app at `app_url`.
fn time_profile(d: &Driver, app_url: &str, csv: &Path) -> BenchResult<f64> {
    bench::open_with_client(d, app_url, WAIT)?;
    let (name, item) = bench::shown_item(csv);
    d.execute(PAGE_PROBE, vec![json!(item)])?;
    d.find("[data-testid=upload-input]")?
        .send_keys(&csv.to_string_lossy())?;
    let t = d.wait_for(&format!("the profile of {name} (whole)"), JOB_WAIT, |d| {
        let t = page_stamps(d, &name)?;
        Ok(stamp(&t, "profile").map(|_| t))
    })?;
    let chosen = stamp(&t, "chosen").ok_or("the page saw no file chosen")?;
    let read = d.attr_of("[data-testid=job-status]", "data-read-ms")?;
    let elapsed = d.attr_of("[data-testid=job-status]", "data-elapsed-ms")?;
    eprintln!(
        "  whole: read into typed columns in {read:?} ms; read and profiled in {elapsed:?} ms"
    );
    Ok(stamp(&t, "profile").ok_or("no profile stamp")? - chosen)
}

/// Loads two more copies of `csv` (hard links beside it, `second-…` and
/// `third-…`), the third chosen the moment the second's profile shows,
/// while the second's insights are computed: (second, third) file chosen →
/// profile shown, ms. The third shows what a new file waits for the last
/// one's insights.
fn time_later_files(d: &Driver, csv: &Path) -> BenchResult<(f64, f64)> {
    let name = csv.file_name().unwrap_or_default().to_string_lossy();
    let dir = root().join("target/bench-later");
    std::fs::create_dir_all(&dir)?;
    let mut times = Vec::new();
    for which in ["second", "third"] {
        let copy = dir.join(format!("{which}-{name}"));
        // Made anew: the file may have been written again since.
        let _ = std::fs::remove_file(&copy);
        std::fs::hard_link(csv, &copy).or_else(|_| std::fs::copy(csv, &copy).map(drop))?;
        let (copy_name, shown) = bench::shown_item(&copy);
        let fact = format!(
            "[data-testid=fact][data-fact=name][data-value={}]",
            css_str(&copy_name)
        );
        let started = Instant::now();
        d.find("[data-testid=upload-input]")?
            .send_keys(&copy.to_string_lossy())?;
        d.wait_for(&format!("the profile of {copy_name}"), JOB_WAIT, |d| {
            let state = d.attr_of("[data-testid=job-status]", "data-state")?;
            if state.as_deref() == Some("error") {
                return Err(WdError::new("app error", format!("{:?}", d.page_error())));
            }
            Ok(
                (state.as_deref() == Some("done") && d.exists(&shown)? && d.exists(&fact)?)
                    .then_some(()),
            )
        })?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        eprintln!(
            "  {which}: read into typed columns in {:?} ms, {:?} parts; read and profiled in {:?} ms",
            d.attr_of("[data-testid=job-status]", "data-read-ms")?,
            d.attr_of("[data-testid=job-status]", "data-read-parts")?,
            d.attr_of("[data-testid=job-status]", "data-elapsed-ms")?
        );
    }
    // The third file's insights end before DuckDB-WASM runs in this tab.
    d.wait_for("the third file's alerts", JOB_WAIT, |d| {
        Ok((!d.exists("[data-testid=alerts-pending]")?).then_some(()))
    })?;
    Ok((times[0], times[1]))
}

fn run_duckdb(d: &Driver, url: &str, csv: &Path) -> BenchResult<DuckRun> {
    d.goto(url)?;
    d.wait_for("the DuckDB page's script", WAIT, |d| {
        Ok(d.exists("[data-testid=bench-result][data-ready=true]")?
            .then_some(()))
    })?;
    d.find("[data-testid=bench-input]")?
        .send_keys(&csv.to_string_lossy())?;
    let v = d
        .wait_for("the DuckDB-WASM baseline to finish", JOB_WAIT, |d| match d
            .attr_of("[data-testid=bench-result]", "data-state")?
            .as_deref()
        {
            Some("done") => Ok(Some(())),
            Some("error") => Err(WdError::new(
                "duckdb error",
                d.text_of("[data-testid=bench-result]")?.unwrap_or_default(),
            )),
            _ => Ok(None),
        })
        .and_then(|()| {
            d.attr_of("[data-testid=bench-result]", "data-json")
                .map(|s| s.unwrap_or_default())
        })?;
    let r: Value = serde_json::from_str(&v)?;
    Ok(DuckRun {
        version: r["version"].as_str().unwrap_or("?").to_string(),
        package: r["package"].as_str().unwrap_or("?").to_string(),
        types: r["types"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|t| t.as_str().unwrap_or("?").to_string())
                    .collect()
            })
            .unwrap_or_default(),
        start_ms: r["start_ms"].as_f64().unwrap_or(f64::NAN),
        load_ms: r["load_ms"].as_f64().unwrap_or(f64::NAN),
        summarize_ms: r["summarize_ms"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default(),
        rows: r["rows"].as_u64().unwrap_or(0),
        columns: r["types"].as_array().map_or(0, Vec::len),
        memory_load: r["memory_after_load"].as_f64(),
        memory_summarize: r["memory_after_summarize"].as_f64(),
    })
}

fn secs(ms: f64) -> String {
    if ms.is_finite() {
        format!("{:.2}", ms / 1000.0)
    } else {
        "—".into()
    }
}

fn mb(bytes: Option<f64>) -> String {
    bytes.map_or("—".into(), |b| format!("{:.0}", b / 1e6))
}

/// One row of app figures (ms, bytes); NaN where not measured.
struct AppFigures {
    profile: f64,
    alerts_after_profile: f64,
    alerts: f64,
    explore: f64,
    columns: f64,
    report: f64,
    memory: f64,
}

impl AppFigures {
    fn of(a: &AppRun) -> Self {
        AppFigures {
            profile: a.profile_ms,
            alerts_after_profile: a.alerts_ms - a.profile_ms,
            alerts: a.alerts_ms,
            explore: a.explore.ms.unwrap_or(f64::NAN),
            columns: a.columns.ms.unwrap_or(f64::NAN),
            report: match a.report {
                Report::Done { wall_ms, .. } => wall_ms,
                _ => f64::NAN,
            },
            memory: a
                .wasm_memory_end
                .or(a.wasm_memory_profile)
                .map_or(f64::NAN, |m| m as f64),
        }
    }

    fn row(&self, label: &str, report_missing: bool) -> String {
        let report = if report_missing {
            "not in build".into()
        } else {
            secs(self.report)
        };
        format!(
            "| {label} | {} | {} | {} | {} | {} | {report} | {} |\n",
            secs(self.profile),
            secs(self.alerts_after_profile),
            secs(self.alerts),
            secs(self.explore),
            secs(self.columns),
            mb(self.memory.is_finite().then_some(self.memory)),
        )
    }
}

struct DuckFigures {
    start: f64,
    load: f64,
    first: f64,
    warm: f64,
    total: f64,
    memory: f64,
}

impl DuckFigures {
    fn of(r: &DuckRun) -> Self {
        let first = r.summarize_ms.first().copied().unwrap_or(f64::NAN);
        DuckFigures {
            start: r.start_ms,
            load: r.load_ms,
            first,
            warm: median(r.summarize_ms.iter().skip(1).copied().collect()),
            total: r.load_ms + first,
            memory: r.memory_summarize.or(r.memory_load).unwrap_or(f64::NAN),
        }
    }

    fn row(&self, label: &str) -> String {
        format!(
            "| {label} | {} | {} | {} | {} | {} | {} |\n",
            secs(self.start),
            secs(self.load),
            secs(self.first),
            secs(self.warm),
            secs(self.total),
            mb(self.memory.is_finite().then_some(self.memory)),
        )
    }
}

fn tables(runs: &[(AppRun, DuckRun)], reader: &str) -> String {
    let apps: Vec<&AppRun> = runs.iter().map(|(a, _)| a).collect();
    let mut out = app_table(&apps);
    let duck: Vec<DuckFigures> = runs.iter().map(|(_, r)| DuckFigures::of(r)).collect();
    let repeats = runs[0].1.summarize_ms.len();
    out.push_str(&format!(
        "\nDuckDB-WASM {} (DuckDB {}) in the same session (page clock):\n\n\
         | run | start (worker + wasm) s | load: `CREATE TABLE t AS SELECT * FROM {reader}` s | first `SUMMARIZE t` s | later `SUMMARIZE t` s (median of {}) | load + first SUMMARIZE s | DuckDB memory MB |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
        runs[0].1.package,
        runs[0].1.version,
        repeats.saturating_sub(1),
    ));
    for (i, f) in duck.iter().enumerate() {
        out.push_str(&f.row(&(i + 1).to_string()));
    }
    let m = |get: fn(&DuckFigures) -> f64| median(duck.iter().map(get).collect());
    if duck.len() > 1 {
        let med = DuckFigures {
            start: m(|f| f.start),
            load: m(|f| f.load),
            first: m(|f| f.first),
            warm: m(|f| f.warm),
            total: m(|f| f.total),
            memory: m(|f| f.memory),
        };
        out.push_str(&med.row("**median**"));
    }
    out
}

/// The app's table: one row per run, and the medians.
fn app_table(runs: &[&AppRun]) -> String {
    let report_missing = runs.iter().all(|a| matches!(a.report, Report::Missing));
    let app: Vec<AppFigures> = runs.iter().map(|a| AppFigures::of(a)).collect();
    let mut out = String::from(
        "App (times from the file chosen in `upload-input`, page clock):\n\n\
         | run | profile shown s | alerts + correlations after the profile s | file → alerts ready s | Explore tab → charts drawn s | Columns tab → charts drawn s | `export-report` → HTML downloaded s | worker wasm memory MB |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (i, f) in app.iter().enumerate() {
        out.push_str(&f.row(&(i + 1).to_string(), report_missing));
    }
    let m = |get: fn(&AppFigures) -> f64| median(app.iter().map(get).collect());
    if app.len() > 1 {
        let med = AppFigures {
            profile: m(|f| f.profile),
            alerts_after_profile: m(|f| f.alerts_after_profile),
            alerts: m(|f| f.alerts),
            explore: m(|f| f.explore),
            columns: m(|f| f.columns),
            report: m(|f| f.report),
            memory: m(|f| f.memory),
        };
        out.push_str(&med.row("**median**", report_missing));
    }
    out
}

fn notes(size: u64, runs: &[(AppRun, DuckRun)], loads: &[(String, String)]) -> String {
    let (app, duck) = &runs[0];
    let join = |v: Vec<String>| v.join(" / ");
    let report = match &app.report {
        Report::Missing => "- `export-report`: this build has no such hook, so the report \
                            step was not measured."
            .to_string(),
        Report::Failed(e) => format!("- `export-report`: the download did not arrive: {e}."),
        Report::Done {
            blob_ms,
            bytes,
            name,
            ..
        } => format!(
            "- `export-report`: from the click to `{name}` ({:.1} MB) complete in the downloads \
             folder, driver clock polled every 75 ms; the page made the blob URL {} s after the click.",
            *bytes as f64 / 1e6,
            blob_ms.map_or("—".into(), secs),
        ),
    };
    let later = if runs.iter().all(|(a, _)| a.later.is_some()) {
        let later = |pick: fn(&(f64, f64)) -> f64| {
            join(
                runs.iter()
                    .map(|(a, _)| a.later.as_ref().map_or("—".into(), |l| secs(pick(l))))
                    .collect(),
            )
        };
        format!(
            "- A second and a third copy of the file, the third chosen the moment the second's \
             profile showed (its insights then computed), file chosen → profile shown (driver \
             clock, per run): second {}; third {} s — against the first file's profile {} s.",
            later(|l| l.0),
            later(|l| l.1),
            join(runs.iter().map(|(a, _)| secs(a.profile_ms)).collect()),
        )
    } else {
        format!(
            "- No second and third file: over {:.0} MB.",
            LATER_FILES_MAX_BYTES as f64 / 1e6
        )
    };
    let parts = if runs.iter().all(|(a, _)| a.whole_profile_ms.is_some()) {
        format!(
            "- Read in parts: the app read the file in {} parts at once, a worker each \
             (`job-status[data-read-parts]`; `navigator.hardwareConcurrency` parts at most); \
             file chosen → profile shown {} s. The same file read whole in one worker \
             (`?parts=off`, after DuckDB-WASM in the same session; each page's file is chosen \
             once its engine has warmed up, `body[data-engine-warm-ms]`, unless \
             `PLAINSIGHT_BENCH_WARM=off`): {} s (per run).",
            join(runs.iter().map(|(a, _)| a.read_parts.clone()).collect()),
            join(runs.iter().map(|(a, _)| secs(a.profile_ms)).collect()),
            join(
                runs.iter()
                    .map(|(a, _)| a.whole_profile_ms.map_or("—".into(), secs))
                    .collect()
            ),
        )
    } else {
        format!(
            "- Read whole, in one worker (`job-status[data-read-parts]`: {}).",
            join(runs.iter().map(|(a, _)| a.read_parts.clone()).collect())
        )
    };
    let charts = |c: &Charts| {
        let mut kinds = c.kinds.clone();
        kinds.sort();
        let mut counted: Vec<String> = Vec::new();
        for k in &kinds {
            let n = kinds.iter().filter(|x| *x == k).count();
            let s = format!("{n} {k}");
            if !counted.contains(&s) {
                counted.push(s);
            }
        }
        format!(
            "{} charts ({}), {} painted",
            c.count,
            if counted.is_empty() {
                "none".into()
            } else {
                counted.join(", ")
            },
            c.painted
        )
    };
    format!(
        "- Each run is a fresh browser profile: the app first, then DuckDB-WASM in the same tab. \
         The app's file is chosen once its engine has warmed up (`body[data-engine-warm-ms]`, \
         0.2–0.4 s after the page starts it; `PLAINSIGHT_BENCH_WARM=off` chooses it at once), \
         as DuckDB-WASM's is loaded once DuckDB has started.\n\
         - File: {size} bytes, {} rows × {} columns (the app); DuckDB read {} rows × {} columns.\n\
         - The app's stamps are `performance.now()` in the page, taken by a MutationObserver \
         (profile: the dataset selected, `dataset-rows` shown and `job-status` done; alerts: \
         `alerts-pending` gone and an `alert` shown) — not by the driver's polling. \
         `job-status[data-elapsed-ms]` (ingest + profile in the worker): {} s. \
         Seen from WebDriver, file chosen → alerts ready: {} s.\n\
         - Alerts: {} ({}); {} `corr-pair` rows on the Explore tab.\n\
         - Charts: timed from the tab's click to the animation frame in which every \
         `[data-testid=chart]` of the tab said it was drawn (`data-dpr`), with no new chart for \
         {CHART_SETTLE_MS:.0} ms after; then each canvas's pixels are read back and it counts \
         as painted when one is not transparent. Explore: {}. Columns: {} (a hidden tab's charts are \
         drawn when it is shown, not before).\n\
         {report}\n\
         {later}\n\
         {parts}\n\
         - Worker wasm memory is `job-status[data-wasm-memory]` at the end of the run \
         ({} MB when the profile showed): wasm memory only grows, and the insights' answer \
         updates it, so this is the worker's peak with the alerts and correlations (before the \
         later files).\n\
         - Longest main-thread gap (animation frames) from file chosen to alerts ready: {} ms; \
         after each tab's click (Explore and Columns until their charts settled, the others \
         for {SWITCH_WATCH_MS:.0} ms): {}.\n\
         - DuckDB-WASM: `duckdb-browser-eh.worker.js` + `duckdb-eh.wasm` from npm, served \
         locally (no CDN); the file is registered as a browser file handle \
         (`BROWSER_FILEREADER`, direct I/O), so DuckDB reads it from disk like the app does. \
         SUMMARIZE runs {} times ({} s). DuckDB memory is the sum of `duckdb_memory()` after \
         SUMMARIZE ({} MB after the load). The app's `file → alerts ready` and DuckDB's \
         `load + first SUMMARIZE` are the nearest like-for-like totals: both read and type the \
         file and compute per-column statistics; the app also computes the full profile \
         (exact quantiles, top values, duplicates), the alerts and all-pairs correlations, \
         which SUMMARIZE does not.\n\
         - Machine load (1-minute load average) before → after each run: {}; above the core \
         count, something else competed for the CPU and the times are inflated.\n",
        app.rows,
        app.cols,
        duck.rows,
        duck.columns,
        join(
            runs.iter()
                .map(|(a, _)| secs(a.ingest_elapsed_ms))
                .collect()
        ),
        join(
            runs.iter()
                .map(|(a, _)| format!("{:.2}", a.wall_alerts_s))
                .collect()
        ),
        app.alerts,
        app.alert_kinds.join(", "),
        app.corr_pairs,
        charts(&app.explore),
        charts(&app.columns),
        join(
            runs.iter()
                .map(|(a, _)| mb(a.wasm_memory_profile.map(|m| m as f64)))
                .collect()
        ),
        join(
            runs.iter()
                .map(|(a, _)| format!("{:.0}", a.gap_ms))
                .collect()
        ),
        join(
            runs.iter()
                .map(|(a, _)| a
                    .switches
                    .iter()
                    .map(|(l, g)| format!("{l} {g:.0}"))
                    .collect::<Vec<_>>()
                    .join(", "))
                .collect()
        ),
        duck.summarize_ms.len(),
        join(duck.summarize_ms.iter().map(|&ms| secs(ms)).collect()),
        mb(duck.memory_load),
        join(loads.iter().map(|(a, b)| format!("{a} → {b}")).collect()),
    )
}

fn make_data(args: &[String]) -> BenchResult<()> {
    let i = args.iter().position(|a| a == "--make-data").unwrap_or(0);
    let path = args
        .get(i + 1)
        .map(PathBuf::from)
        .ok_or("--make-data needs a PATH")?;
    let rows: usize = match args.get(i + 2) {
        Some(n) if !n.starts_with('-') => n.replace('_', "").parse()?,
        _ => 1_000_000,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let partial = path.with_extension("csv.partial");
    let mut out = std::io::BufWriter::new(std::fs::File::create(&partial)?);
    explore_data::write_csv(rows, &mut out)?;
    std::io::Write::flush(&mut out)?;
    drop(out);
    std::fs::rename(&partial, &path)?;
    eprintln!("wrote {} ({rows} rows)", path.display());
    Ok(())
}

fn run() -> BenchResult<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--make-data") {
        return make_data(&args);
    }
    let dist = env_path("PLAINSIGHT_DIST", "dist");
    let csv = env_path("PLAINSIGHT_BENCH_CSV", "target/bench-1m-20.csv");
    require(&csv, "the benchmark CSV")?;
    let csv = csv.canonicalize()?;
    let modules = env_path("PLAINSIGHT_NODE_MODULES", ".tools/node_modules");
    require(&dist.join("index.html"), "the built app")?;
    for f in [
        "@duckdb/duckdb-wasm/dist/duckdb-browser.mjs",
        "@duckdb/duckdb-wasm/dist/duckdb-browser-eh.worker.js",
        "@duckdb/duckdb-wasm/dist/duckdb-eh.wasm",
        "apache-arrow/Arrow.dom.mjs",
    ] {
        require(&modules.join(f), "DuckDB-WASM from npm")?;
    }
    let size = std::fs::metadata(&csv)?.len();
    let extension = csv
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    // 0: CSV, 1: Parquet, 2: xlsx.
    let kind = match extension.as_deref() {
        Some("parquet") => 1,
        Some("xlsx") => 2,
        _ => 0,
    };
    let (start, end, command) = MARKS[kind];
    let (title, reader, made, tried) = match kind {
        1 => (
            "## Profile a Parquet file: alerts, correlations, charts — 1M × 20, vs DuckDB-WASM SUMMARIZE",
            "read_parquet('f.parquet')",
            "the CSV below written as Parquet by DuckDB (`COPY … TO 'target/bench-1m-20.parquet' (FORMAT parquet)`, snappy)",
            " (from a browser file handle and from an in-memory buffer alike, on snappy and on uncompressed files)",
        ),
        2 => (
            "## Profile an Excel file: alerts, correlations, charts — 100,000 × 20 .xlsx, vs DuckDB-WASM read_xlsx",
            "read_xlsx('f.xlsx')",
            "the first 100,000 rows of the CSV of the explore section written by pandas' `to_excel` (openpyxl); DuckDB-WASM loads its `excel` extension first (`INSTALL excel; LOAD excel`)",
            " (the `excel` extension is fetched from extensions.duckdb.org when loaded; the app needs no download)",
        ),
        _ => (
            "## Explore: alerts, correlations, charts — 1M × 20, vs DuckDB-WASM SUMMARIZE",
            "read_csv_auto('f.csv')",
            "`cargo bench --bench browser_explore -- --make-data target/bench-1m-20.csv`",
            "",
        ),
    };

    let srv = server::serve(vec![
        ("/".into(), dist),
        ("/bench/".into(), root().join("bench")),
        ("/bench/node_modules/".into(), modules),
    ])?;
    let n_runs = bench::runs(3);
    let mut runs = Vec::new();
    let mut loads = Vec::new();
    // DuckDB-WASM's failure on the file (the app's figures still count).
    let mut duck_failed: Option<(Vec<AppRun>, String)> = None;
    for i in 1..=n_runs {
        let load_before = load_average();
        let d = Driver::start(&format!("explore-{i}"))?;
        eprintln!(
            "run {i}/{n_runs}: loading {} ({:.1} MB) into the app…",
            csv.display(),
            size as f64 / 1e6
        );
        let app = run_app(&d, &srv.url("/"), &csv)?;
        eprintln!("  app done; DuckDB-WASM…");
        let duck = match run_duckdb(&d, &srv.url("/bench/duckdb.html"), &csv) {
            Ok(duck) => duck,
            Err(e) if kind > 0 => {
                eprintln!("  DuckDB-WASM failed: {e}");
                let (apps, _) = duck_failed.get_or_insert_with(|| (Vec::new(), e.to_string()));
                apps.push(app);
                loads.push((load_before, load_average()));
                continue;
            }
            Err(e) => return Err(e),
        };
        eprintln!(
            "  DuckDB load {} s, SUMMARIZE {:?} ms; types {}",
            secs(duck.load_ms),
            duck.summarize_ms,
            duck.types.join(", ")
        );
        let mut app = app;
        if app.read_parts.parse::<usize>().is_ok_and(|p| p > 1) {
            eprintln!("  the app again, reading the file whole (?parts=off)…");
            let whole = time_profile(&d, &srv.url("/?parts=off"), &csv)?;
            eprintln!("  whole: profile {} s", secs(whole));
            app.whole_profile_ms = Some(whole);
        }
        runs.push((app, duck));
        loads.push((load_before, load_average()));
    }

    let Setting {
        commit,
        chromium,
        cores,
    } = Setting::read();
    let dist_note = std::env::var("PLAINSIGHT_DIST")
        .map(|d| format!(" with `PLAINSIGHT_DIST={d}`"))
        .unwrap_or_default();
    if let Some((apps, why)) = duck_failed {
        let apps: Vec<&AppRun> = apps.iter().collect();
        let section = format!(
            "{title}\n\n\
             Command: `{command}`{dist_note} at commit `{commit}` ({chromium}, headless, {cores} cores); \
             the file ({:.1} MB) comes from {made}.\n\n{}\n\
             DuckDB-WASM could not read the file in the same session: `{reader}` failed with \
             \"{why}\"{tried}, so there is no DuckDB figure to set beside the \
             app's; the CSV section above has DuckDB-WASM on the same data. Machine load before → \
             after each run: {}.\n",
            size as f64 / 1e6,
            app_table(&apps),
            loads
                .iter()
                .map(|(a, b)| format!("{a} → {b}"))
                .collect::<Vec<_>>()
                .join(" / "),
        );
        bench::publish(&section, (start, end))?;
        return Ok(());
    }
    let section = format!(
        "{title}\n\n\
         Command: `{command}`{dist_note} at commit `{commit}` ({chromium}, headless, {cores} cores); \
         the file comes from {made}.\n\n{}\n{}",
        tables(&runs, reader),
        notes(size, &runs, &loads),
    );
    bench::publish(&section, (start, end))?;
    Ok(())
}

fn main() -> ExitCode {
    bench::exit("explore benchmark", run())
}

/// A Node.js script of scripts/ beside the session, from the file chosen
/// to the alerts, writing into a folder: `worker-profile.mjs`, the CPU
/// profiles of the page's workers (the data worker, its part workers and
/// helper; PLAINSIGHT_BENCH_WORKER_PROFILE=DIR), or `page-trace.mjs`, the
/// browser's trace (PLAINSIGHT_BENCH_TRACE=DIR).
struct SideScript {
    child: std::process::Child,
    script: &'static str,
}

impl SideScript {
    fn start(d: &Driver, script: &'static str, dir: &Path) -> BenchResult<SideScript> {
        use std::io::BufRead;
        let address = d
            .debugger_address()
            .ok_or("chromedriver did not say the browser's debugger address")?;
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scripts")
            .join(script);
        let mut child = std::process::Command::new("node")
            .arg("--experimental-websocket")
            .arg(path)
            .arg(address)
            .arg(dir)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot start node for the worker profiles: {e}"))?;
        let mut line = String::new();
        let stdout = child.stdout.take().ok_or("no stdout from node")?;
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        if line.trim() != "ready" {
            return Err(format!("{script} did not start: {line:?}").into());
        }
        Ok(SideScript { child, script })
    }

    fn stop(mut self) -> BenchResult<()> {
        use std::io::Write;
        if let Some(mut stdin) = self.child.stdin.take() {
            stdin.write_all(b"stop\n")?;
        }
        let status = self.child.wait()?;
        if !status.success() {
            return Err(format!("{} ended with {status}", self.script).into());
        }
        Ok(())
    }
}
