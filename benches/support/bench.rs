//! What every in-browser benchmark shares: paths, the number of runs,
//! medians, the machine's description and the BENCHMARKS.md section each
//! one rewrites.

// Each benchmark uses a part of this.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

pub type BenchResult<T> = Result<T, Box<dyn std::error::Error>>;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The path in `var`, else `default` under the repository.
pub fn env_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join(default))
}

/// Fails with the script that prepares `path` when it is missing.
pub fn require(path: &Path, what: &str, script: &str) -> BenchResult<()> {
    if path.is_file() {
        Ok(())
    } else {
        Err(format!(
            "{} is missing ({what}); run {script}, which prepares it",
            path.display()
        )
        .into())
    }
}

/// `PLAINSIGHT_BENCH_RUNS`, at least 1 (`default` when unset).
pub fn runs(default: usize) -> usize {
    std::env::var("PLAINSIGHT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
        .max(1)
}

/// The median of the finite values (NaN when there are none).
pub fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| x.is_finite());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The 1-minute load average (Linux), to show when something else ran.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// What a figure was taken on: the commit, Chromium's version and the
/// machine's cores.
pub struct Setting {
    pub commit: String,
    pub chromium: String,
    pub cores: usize,
}

impl Setting {
    pub fn read() -> Setting {
        let output = |cmd: &mut std::process::Command| {
            cmd.output()
                .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
                .unwrap_or_default()
        };
        Setting {
            commit: output(
                std::process::Command::new("git")
                    .args(["describe", "--always", "--dirty"])
                    .current_dir(root()),
            ),
            chromium: output(std::process::Command::new("/usr/bin/chromium").arg("--version")),
            cores: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(0),
        }
    }
}

/// Replaces the section of BENCHMARKS.md between the `start` and `end`
/// markers (or appends one).
pub fn write_benchmarks(section: &str, (start, end): (&str, &str)) -> BenchResult<()> {
    let path = root().join("BENCHMARKS.md");
    let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Benchmarks\n".into());
    let block = format!("{start}\n{section}{end}");
    let new = match (old.find(start), old.find(end)) {
        (Some(a), Some(b)) if a < b => {
            format!("{}{block}{}", &old[..a], &old[b + end.len()..])
        }
        _ => format!("{}\n\n{block}\n", old.trim_end()),
    };
    std::fs::write(&path, new)?;
    eprintln!("updated {}", path.display());
    Ok(())
}

/// Prints `section`; with `--write` on the command line, also puts it into
/// BENCHMARKS.md between its markers.
pub fn publish(section: &str, marks: (&str, &str)) -> BenchResult<()> {
    println!("{section}");
    if std::env::args().any(|a| a == "--write") {
        write_benchmarks(section, marks)?;
    }
    Ok(())
}

/// The process's exit for a benchmark's result (`cargo bench` passes
/// `--bench`; there is nothing to filter).
pub fn exit(what: &str, result: BenchResult<()>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{what} failed: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Opens the built app at `url` and makes a client named "Benchmark",
/// waiting until it is selected (where every benchmark that loads a file
/// starts).
pub fn open_with_client(
    d: &crate::webdriver::Driver,
    url: &str,
    wait: std::time::Duration,
) -> crate::webdriver::WdResult<()> {
    // PLAINSIGHT_BENCH_WARM=off: the page does not warm its engine up
    // (`?warm=off`); PLAINSIGHT_BENCH_PARTS=off: it reads every file whole,
    // in one worker (`?parts=off`); PLAINSIGHT_BENCH_HELPERS=off: the data
    // worker computes the insights alone (`?helpers=off`); to compare.
    let off = |var: &str| std::env::var(var).is_ok_and(|v| v == "off");
    let cold = off("PLAINSIGHT_BENCH_WARM");
    let mut url = url.to_string();
    for (var, param) in [
        ("PLAINSIGHT_BENCH_WARM", "warm=off"),
        ("PLAINSIGHT_BENCH_PARTS", "parts=off"),
        ("PLAINSIGHT_BENCH_HELPERS", "helpers=off"),
    ] {
        if off(var) && !url.contains(param) {
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(param);
        }
    }
    d.goto(&url)?;
    d.wait_for("body[data-app-ready=true]", wait, |d| {
        Ok(d.exists("body[data-app-ready=true]")?.then_some(()))
    })?;
    d.find("[data-testid=client-new-name]")?
        .send_keys("Benchmark")?;
    d.click_when_ready("[data-testid=client-create]")?;
    d.wait_for("the Benchmark client to be selected", wait, |d| {
        let v = d.execute(
            "const s = document.querySelector('[data-testid=client-select]');
             const o = s && s.selectedOptions[0];
             return o ? o.text.trim() : null;",
            vec![],
        )?;
        Ok((v.as_str() == Some("Benchmark")).then_some(()))
    })?;
    if cold {
        return Ok(());
    }
    // The file is chosen once the engine has warmed up (`core::warm`), as
    // a person choosing a file would find it.
    let warm = d.engine_warm(wait)?;
    eprintln!(
        "  the engine warmed up in {} ms (longest step {} ms)",
        warm.0, warm.1
    );
    Ok(())
}

/// The name the app gives `csv`, and the selector of its dataset item once
/// it is shown (selected).
pub fn shown_item(csv: &Path) -> (String, String) {
    let name = csv
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let item = format!(
        "[data-testid=dataset-item][data-name={}][data-selected=true]",
        crate::webdriver::css_str(&name)
    );
    (name, item)
}
