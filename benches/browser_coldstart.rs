//! Cold start: the built app opened on localhost in a fresh headless
//! Chromium profile (an empty cache, no service worker yet), until the app
//! is drawn and its engine runs. Several builds can be set side by side in
//! one session, each opened in turn in every run (`PLAINSIGHT_DISTS`), to
//! compare how the wasm is optimised.
//!
//! Per open, from the page's performance timeline (milliseconds since the
//! navigation started):
//! - first contentful paint: index.html's boot screen;
//! - app drawn: `plainsight-drawn`, the app's first render replaced the
//!   boot screen (the page's wasm downloaded, compiled and ran);
//! - largest contentful paint: the browser's own mark of the main view
//!   painted;
//! - workspace ready: `plainsight-ready`, the saved clients read from
//!   IndexedDB (`body[data-app-ready]`);
//! - engine started: `plainsight-engine`, the worker's wasm (the engine)
//!   compiled and said hello; until then a dropped file waits.
//!
//! `scripts/bench-coldstart.sh` builds the app and runs this. Environment:
//! `PLAINSIGHT_BENCH_RUNS` (default 5); `PLAINSIGHT_DISTS`, space-separated
//! `label=path` pairs (default `shipped=dist`).

#[path = "support/bench.rs"]
mod bench;
#[path = "../tests/support/server.rs"]
mod server;
#[path = "../tests/support/webdriver.rs"]
mod webdriver;

use bench::{load_average, median, root, BenchResult, Setting};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;
use webdriver::{Driver, WdError};

const START_MARK: &str = "<!-- browser-coldstart:start -->";
const END_MARK: &str = "<!-- browser-coldstart:end -->";
const COMMAND: &str = "scripts/bench-coldstart.sh --write";
/// The app must be drawn and its engine running within this.
const START_WAIT: Duration = Duration::from_secs(120);

/// One build to open.
struct Build {
    label: String,
    dist: PathBuf,
    app_wasm: Size,
    worker_wasm: Size,
}

/// A file's bytes as shipped and gzipped (what a static host sends).
#[derive(Clone, Copy)]
struct Size {
    raw: u64,
    gzip: u64,
}

impl Size {
    fn of(path: &Path) -> BenchResult<Size> {
        let raw = std::fs::metadata(path)?.len();
        let out = std::process::Command::new("gzip")
            .args(["-9", "-c"])
            .arg(path)
            .output()?;
        if !out.status.success() {
            return Err(format!("gzip could not read {}", path.display()).into());
        }
        Ok(Size {
            raw,
            gzip: out.stdout.len() as u64,
        })
    }

    fn cell(&self) -> String {
        format!(
            "{:.2} ({:.2})",
            self.raw as f64 / 1e6,
            self.gzip as f64 / 1e6
        )
    }
}

/// The one `*_bg.wasm` of `dist` whose name starts with `prefix`.
fn wasm_of(dist: &Path, prefix: &str) -> BenchResult<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dist)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        if name.starts_with(prefix) && name.ends_with("_bg.wasm") {
            found.push(path);
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        n => Err(format!(
            "{} holds {n} files {prefix}…_bg.wasm; build it again (scripts/bench-coldstart.sh builds dist/)",
            dist.display()
        )
        .into()),
    }
}

fn builds() -> BenchResult<Vec<Build>> {
    let spec = std::env::var("PLAINSIGHT_DISTS").unwrap_or_else(|_| "shipped=dist".into());
    let mut out = Vec::new();
    for pair in spec.split_whitespace() {
        let (label, path) = pair
            .split_once('=')
            .ok_or_else(|| format!("PLAINSIGHT_DISTS: \"{pair}\" is not label=path"))?;
        let dist = match PathBuf::from(path) {
            p if p.is_absolute() => p,
            p => root().join(p),
        };
        bench::require(
            &dist.join("index.html"),
            "a built app",
            "scripts/bench-coldstart.sh",
        )?;
        out.push(Build {
            label: label.to_string(),
            app_wasm: Size::of(&wasm_of(&dist, "app")?)?,
            worker_wasm: Size::of(&wasm_of(&dist, "worker")?)?,
            dist,
        });
    }
    if out.is_empty() {
        return Err("PLAINSIGHT_DISTS names no build".into());
    }
    Ok(out)
}

/// Milliseconds since navigation; NaN where the page has no such entry.
struct Open {
    fcp: f64,
    drawn: f64,
    lcp: f64,
    ready: f64,
    engine: f64,
}

/// Reads the timeline once the app is ready and its engine started. The
/// largest contentful paint comes only through a buffered observer.
const READ_TIMELINE: &str = "
    const done = arguments[arguments.length - 1];
    const at = n => { const e = performance.getEntriesByName(n); return e.length ? e[0].startTime : null; };
    const read = lcp => done({
        fcp: at('first-contentful-paint'), drawn: at('plainsight-drawn'),
        ready: at('plainsight-ready'), engine: at('plainsight-engine'), lcp });
    try {
        new PerformanceObserver(l => {
            const es = l.getEntries();
            read(es.length ? es[es.length - 1].startTime : null);
        }).observe({ type: 'largest-contentful-paint', buffered: true });
    } catch (e) { read(null); }";

fn open(d: &Driver, url: &str) -> BenchResult<Open> {
    d.goto(url)?;
    d.wait_for("the app ready and its engine started", START_WAIT, |d| {
        if let Some(why) = d.page_error() {
            return Err(WdError::new("app error", why));
        }
        let v = d.execute(
            "return !!document.querySelector('body[data-app-ready=true]')
                 && performance.getEntriesByName('plainsight-engine').length > 0;",
            vec![],
        )?;
        Ok((v.as_bool() == Some(true)).then_some(()))
    })?;
    let t = d.execute_async(READ_TIMELINE, vec![])?;
    let ms = |name: &str| t.get(name).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let open = Open {
        fcp: ms("fcp"),
        drawn: ms("drawn"),
        lcp: ms("lcp"),
        ready: ms("ready"),
        engine: ms("engine"),
    };
    for (what, v) in [
        ("app drawn", open.drawn),
        ("workspace ready", open.ready),
        ("engine started", open.engine),
    ] {
        if !v.is_finite() {
            return Err(
                format!("the page has no {what} mark: is {url} a build of this commit?").into(),
            );
        }
    }
    Ok(open)
}

fn ms(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.0}")
    } else {
        "—".into()
    }
}

fn table(builds: &[Build], opens: &[Vec<Open>]) -> String {
    let mut out = String::from(
        "| build | app wasm MB (gzip) | worker wasm MB (gzip) | first contentful paint (boot screen) ms | app drawn ms | largest contentful paint ms | workspace ready ms | engine started ms |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for (b, runs) in builds.iter().zip(opens) {
        let m = |get: fn(&Open) -> f64| ms(median(runs.iter().map(get).collect()));
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            b.label,
            b.app_wasm.cell(),
            b.worker_wasm.cell(),
            m(|o| o.fcp),
            m(|o| o.drawn),
            m(|o| o.lcp),
            m(|o| o.ready),
            m(|o| o.engine),
        ));
    }
    out
}

fn run() -> BenchResult<()> {
    let builds = builds()?;
    let srv = server::serve(
        builds
            .iter()
            .map(|b| (format!("/{}/", b.label), b.dist.clone()))
            .collect(),
    )?;
    let n_runs = bench::runs(5);
    let mut opens: Vec<Vec<Open>> = builds.iter().map(|_| Vec::new()).collect();
    let mut loads = Vec::new();
    for i in 0..n_runs {
        let before = load_average();
        // Each run opens the builds in another order, so a drift of the
        // machine falls on each alike.
        for k in 0..builds.len() {
            let j = (i + k) % builds.len();
            let b = &builds[j];
            let d = Driver::start(&format!("coldstart-{}-{i}", b.label))?;
            let o = open(&d, &srv.url(&format!("/{}/", b.label)))?;
            eprintln!(
                "run {}/{n_runs} {}: drawn {} ms, ready {} ms, engine {} ms",
                i + 1,
                b.label,
                ms(o.drawn),
                ms(o.ready),
                ms(o.engine)
            );
            opens[j].push(o);
        }
        loads.push(format!("{before} → {}", load_average()));
    }
    let on = Setting::read();
    let section = format!(
        "## Cold start on localhost, empty cache\n\n\
         Command: `{COMMAND}` at commit `{}` ({}, headless, {} cores); \
         medians of {n_runs} opens of each build, each in a fresh browser profile; \
         machine load before → after each run: {}.\n\n{}\n\
         - Times are from the page's performance timeline, in ms since navigation: the boot \
         screen of index.html paints first; the app is drawn when its wasm has been fetched, \
         compiled and has rendered once (`plainsight-drawn`); the workspace is ready when the \
         saved clients are read (`body[data-app-ready]`); the engine started when the worker's \
         wasm said hello (`plainsight-engine`). Sizes are the files in `dist/` and the same \
         gzipped (`gzip -9`), what a static host sends.\n",
        on.commit,
        on.chromium,
        on.cores,
        loads.join(" / "),
        table(&builds, &opens),
    );
    bench::publish(&section, (START_MARK, END_MARK))?;
    Ok(())
}

fn main() -> ExitCode {
    bench::exit("cold-start benchmark", run())
}
