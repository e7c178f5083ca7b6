//! Native command-line tool running the same core pipeline as the browser.
//!
//! ```text
//! plainsight profile FILE [--json]   profile a CSV/TSV/JSON/NDJSON file
//! plainsight propose FILE [--thorough] [--recipe-out R.json]
//!                                    the auto-clean report and recipe
//! plainsight clean RAW --recipe R.json -o OUT.csv [--json]
//!                                    replay a recipe, write the cleaned data
//! plainsight sql RAW --recipe R.json [-o OUT.sql]
//!                                    the recipe as DuckDB SQL reading RAW
//! plainsight trend FILE --date COL [--value COL] [--agg AGG] [--by day|week|month|quarter]
//!                                    a measure per period of a date column
//! plainsight group FILE --by COL[:PART] [--by ...] [--measure AGG:COL|rows ...]
//!                  [--sort N[:asc]] [--limit N]
//!                                    a measure per group of rows
//! plainsight report FILE [--recipe R.json] -o OUT.html
//!                                    the self-contained HTML report
//! plainsight sample                  print the bundled sample CSV
//! plainsight bench-data ROWS         print a deterministic benchmark CSV
//! ```
//!
//! On wasm32 this is an empty program (the browser uses `app` and `worker`).

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(cli::run(std::env::args().skip(1).collect()));
}

#[cfg(not(target_arch = "wasm32"))]
mod cli {
    use std::fs::File;
    use std::io::{self, BufWriter, Read, Write};

    use plainsight::core::ingest::{Dataset, Ingester};
    use plainsight::core::model::{ColumnProfile, DatasetProfile};
    use plainsight::core::profile::profile;
    use plainsight::core::sample::{bench_csv, marketing_csv};
    use plainsight::core::IngestError;
    use plainsight::messages;

    const USAGE: &str = "usage:
  plainsight profile FILE [--json]   profile a CSV, TSV, JSON or NDJSON file
  plainsight propose FILE [--thorough [--prepare]] [--recipe-out R.json]
                                     explain the proposed cleaning; save it as a recipe (the
                                     steps that prepare for a model only with --prepare)
  plainsight clean RAW --recipe R.json -o OUT [--json]
                                     run a recipe on RAW; write OUT as CSV (or JSON)
  plainsight sql RAW --recipe R.json [-o OUT.sql]
                                     the recipe as DuckDB SQL that cleans RAW the same way
  plainsight trend FILE --date COL [--value COL] [--agg sum|mean|count|min|max|median]
                   [--by day|week|month|quarter]
                                     the value per period of a date column (rows when no --value;
                                     the period length is chosen from the span when no --by)
  plainsight group FILE --by COL[:year|quarter|month|month_of_year|weekday] [--by ...]
                   [--measure AGG:COL|rows ...] [--sort N[:asc]] [--limit N]
                                     the measures per group (default: rows), sorted by the
                                     groups or by measure N (1-based, descending unless :asc)
  plainsight report FILE [--recipe R.json] -o OUT.html
                                     the self-contained HTML report (overview, alerts, columns,
                                     correlations, trend; the recipe's cleaning when given)
  plainsight train FILE [--target COL|--no-target] [--recipe R.json] [--budget SECS] [--seed N]
                   [--save-model M.psml [--model NAME]]
                                     the leaderboard of models (5-fold cross-validation and a
                                     held-out test split), the best model's feature importance;
                                     --save-model keeps the best (or NAME) model with its preprocessing;
                                     as on the page: budget 60 s, seed 42, identifiers and
                                     columns that leak the target left out (and said)
  plainsight predict M.psml FILE [--recipe R.json] -o OUT.csv
                                     score FILE (after the recipe the model learnt after) with a
                                     saved model: FILE's columns plus predicted_<target> and the
                                     probability of each class
  plainsight sample                  write the sample marketing CSV to stdout
  plainsight bench-data ROWS         write a benchmark CSV of ROWS rows to stdout";

    /// Bytes read per chunk (like the browser's `File.slice`).
    const CHUNK: usize = 4 << 20;

    /// Runs the command; returns the process exit code.
    pub fn run(args: Vec<String>) -> i32 {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match args.as_slice() {
            ["profile", file] => profile_cmd(file, false),
            ["profile", file, "--json"] | ["profile", "--json", file] => profile_cmd(file, true),
            ["propose", file, rest @ ..] => propose_cmd(file, rest),
            ["clean", raw, rest @ ..] => clean_cmd(raw, rest),
            ["sql", raw, rest @ ..] => sql_cmd(raw, rest),
            ["trend", file, rest @ ..] => trend_cmd(file, rest),
            ["group", file, rest @ ..] => group_cmd(file, rest),
            ["report", file, rest @ ..] => report_cmd(file, rest),
            ["train", file, rest @ ..] => train_cmd(file, rest),
            ["predict", model, file, rest @ ..] => predict_cmd(model, file, rest),
            ["sample"] => write_out(|out| out.write_all(marketing_csv().as_bytes())),
            ["bench-data", rows] => match rows.replace('_', "").parse::<usize>() {
                Ok(n) => write_out(|out| bench_csv(n, out)),
                Err(_) => usage(&format!("ROWS must be a whole number, not \"{rows}\"")),
            },
            ["help" | "--help" | "-h"] => {
                println!("{USAGE}");
                0
            }
            _ => usage("unknown command"),
        }
    }

    fn usage(problem: &str) -> i32 {
        eprintln!("plainsight: {problem}\n{USAGE}");
        2
    }

    fn write_out(f: impl FnOnce(&mut BufWriter<io::StdoutLock>) -> io::Result<()>) -> i32 {
        let mut out = BufWriter::new(io::stdout().lock());
        match f(&mut out).and_then(|()| out.flush()) {
            Ok(()) => 0,
            // A closed pipe (`| head`) is not worth a message.
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => 0,
            Err(e) => {
                eprintln!("plainsight: could not write the output: {e}");
                1
            }
        }
    }

    fn display_name(path: &str) -> &str {
        path.rsplit(['/', '\\']).next().unwrap_or(path)
    }

    /// Reads the file in chunks through the [`Ingester`].
    fn read_file(path: &str) -> Result<Dataset, String> {
        let name = display_name(path);
        let io_error = |e: io::Error| format!("Could not open {name}: {e}.");
        let mut file = File::open(path).map_err(io_error)?;
        let size = file.metadata().map_err(io_error)?.len();
        let ingest_error = |e: IngestError| messages::ingest_error(name, &e);
        let mut ingester = Ingester::new(name, size).map_err(ingest_error)?;
        let mut buf = vec![0u8; CHUNK];
        loop {
            let n = file.read(&mut buf).map_err(io_error)?;
            if n == 0 {
                break;
            }
            ingester
                .push(buf.get(..n).unwrap_or_default())
                .map_err(ingest_error)?;
        }
        ingester.finish().map_err(ingest_error)
    }

    /// The value after `flag` in `args`, if present.
    fn option<'a>(args: &[&'a str], flag: &str) -> Option<&'a str> {
        let at = args.iter().position(|a| *a == flag)?;
        args.get(at + 1).copied()
    }

    /// The file at `path`, after the recipe at `recipe` when given.
    fn read_cleaned(path: &str, recipe: Option<&str>) -> Result<Dataset, String> {
        match recipe {
            Some(r) => recipe_and_data(r, path).and_then(|(recipe, ds)| {
                plainsight::core::clean::recipe::run(&ds, &recipe.steps)
                    .map(|(out, _)| out)
                    .map_err(|e| messages::clean_error(&e))
            }),
            None => read_file(path),
        }
    }

    fn train_cmd(path: &str, rest: &[&str]) -> i32 {
        use plainsight::core::ml::automl::{Prepared, Run, Status};
        use plainsight::core::ml::task::{
            detect_task, plan, suggest_target, DEFAULT_BUDGET_SECS, DEFAULT_SEED,
        };
        let read = read_cleaned(path, option(rest, "--recipe"));
        let ds = match read {
            Ok(ds) => ds,
            Err(message) => {
                eprintln!("{message}");
                return 1;
            }
        };
        let p = profile(&ds);
        let target = if rest.contains(&"--no-target") {
            None
        } else {
            option(rest, "--target")
                .map(str::to_string)
                .or_else(|| suggest_target(&p))
        };
        let task = match detect_task(&p, target.as_deref()) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}", messages::target_error(&e));
                return 1;
            }
        };
        // One plan with the page: the features, and the leakage guard on
        // the same (bounded) correlations the Explore tab shows.
        let correlations = plainsight::core::explore::correlate::correlations(&ds);
        let plan = plan(&p, Some(&correlations), target.as_deref());
        for e in &plan.excluded {
            println!("left out {}: {}", e.column, e.reason);
        }
        for l in &plan.leaks {
            println!(
                "left out {}: it alone predicts the target almost perfectly ({} {:.3}), so it probably leaks the answer",
                l.feature, l.method, l.value
            );
        }
        // A value that does not read is an error, never the default.
        let seed = match option(rest, "--seed").map(str::parse::<u64>) {
            None => DEFAULT_SEED,
            Some(Ok(s)) => s,
            Some(Err(_)) => {
                return usage(&format!(
                    "--seed needs a whole number, not \"{}\"",
                    option(rest, "--seed").unwrap_or_default()
                ))
            }
        };
        let budget = match option(rest, "--budget").map(str::parse::<f64>) {
            None => DEFAULT_BUDGET_SECS,
            Some(Ok(b)) if b.is_finite() && b > 0.0 => b,
            Some(_) => {
                return usage(&format!(
                    "--budget needs a number of seconds above 0, not \"{}\"",
                    option(rest, "--budget").unwrap_or_default()
                ))
            }
        };
        let setup = match plan.setup(seed, budget) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{}", messages::target_error(&e));
                return 1;
            }
        };
        let prepared = match Prepared::new(&ds, setup) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("{}", messages::train_error(&e));
                return 1;
            }
        };
        let mut board = Run::new(prepared);
        let t0 = std::time::Instant::now();
        let clock = move || t0.elapsed().as_secs_f64();
        while let Some(progress) = board.step(&clock) {
            eprintln!(
                "[{}/{}] {} {}",
                progress.done, progress.total, progress.model, progress.phase
            );
        }
        let b = board.board();
        println!(
            "{} on {} rows ({} train, {} test), target {}",
            task.as_str(),
            b.rows,
            b.train_rows,
            b.test_rows,
            target.as_deref().unwrap_or("none")
        );
        for e in &b.entries {
            let metrics: Vec<String> = e
                .scores
                .iter()
                .flat_map(|s| s.named())
                .filter_map(|(n, v)| v.map(|v| format!("{n} {v:.4}")))
                .collect();
            let status = match &e.status {
                Status::Failed { error } => format!("failed: {error}"),
                Status::Skipped => "skipped".into(),
                _ => String::new(),
            };
            println!(
                "{:<28} cv {:>7} ± {:<7} test {}  {:.2} s  {}",
                e.label,
                e.cv_mean().map_or("-".into(), |v| format!("{v:.4}")),
                e.cv_std().map_or("-".into(), |v| format!("{v:.4}")),
                metrics.join(", "),
                e.train_secs,
                status
            );
        }
        if let Some(x) = &b.explanation {
            println!(
                "permutation importance ({}):",
                b.best.map_or("", |k| k.name())
            );
            for (f, m, sd) in x.importance.iter().take(10) {
                println!("  {f:<24} {m:.4} ± {sd:.4}");
            }
        }
        // The same warnings as the page's Model tab.
        for w in plainsight::core::ml::guard::warnings(&b) {
            println!(
                "warning ({}): {}",
                w.kind(),
                messages::model_warning(&w, &b.setup.task)
            );
        }
        if let Some(out) = option(rest, "--save-model") {
            let kind = match option(rest, "--model") {
                Some(name) => match plainsight::core::ml::models::ModelKind::from_name(name) {
                    Some(k) => Some(k),
                    None => return usage(&format!("no model named \"{name}\"")),
                },
                None => b.best,
            };
            let Some((kind, bytes)) = kind.and_then(|k| Some((k, board.model_bytes(k)?))) else {
                eprintln!("No trained model to save (it failed or was skipped).");
                return 1;
            };
            if let Err(e) = std::fs::write(out, bytes) {
                eprintln!("Could not write {out}: {e}");
                return 1;
            }
            println!("saved {} to {out}", kind.name());
        }
        0
    }

    fn predict_cmd(model_path: &str, path: &str, rest: &[&str]) -> i32 {
        use plainsight::core::ml::saved::SavedModel;
        let Some(out_path) = option(rest, "-o") else {
            return usage("predict needs -o OUT.csv");
        };
        let model = match std::fs::read(model_path) {
            Ok(bytes) => match SavedModel::from_bytes(&bytes) {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("{model_path}: {}", messages::load_error(&e));
                    return 1;
                }
            },
            Err(e) => {
                eprintln!("Could not read {model_path}: {e}");
                return 1;
            }
        };
        // The same pipeline as the page's "score a file": the recipe, then
        // the model (core::ml::score).
        let read = match option(rest, "--recipe") {
            Some(r) => recipe_and_data(r, path).map(|(recipe, ds)| (recipe.steps, ds)),
            None => read_file(path).map(|ds| (Vec::new(), ds)),
        };
        let (steps, raw) = match read {
            Ok(v) => v,
            Err(message) => {
                eprintln!("{message}");
                return 1;
            }
        };
        use plainsight::core::ml::score::{score, ScoreError};
        let (rows, ds) = match score(model.scorer(), raw, &steps) {
            Ok(v) => v,
            Err(ScoreError::Recipe(e)) => {
                eprintln!(
                    "The recipe cannot run on {}: {}",
                    display_name(path),
                    messages::clean_error(&e)
                );
                return 1;
            }
            Err(ScoreError::Prep(e)) => {
                eprintln!("{}", messages::prep_error(&e));
                return 1;
            }
            Err(ScoreError::Columns(e)) => {
                eprintln!("Could not add the predictions: {e}");
                return 1;
            }
        };
        let written = std::fs::File::create(out_path).and_then(|f| {
            let mut w = BufWriter::new(f);
            plainsight::core::clean::export::write_csv(&ds, &mut w)?;
            w.flush()
        });
        match written {
            Ok(()) => {
                println!(
                    "scored {rows} rows with {} into {out_path}",
                    model.kind.name()
                );
                0
            }
            Err(e) => {
                eprintln!("Could not write {out_path}: {e}");
                1
            }
        }
    }

    fn propose_cmd(path: &str, rest: &[&str]) -> i32 {
        use plainsight::core::clean::auto::{propose, Mode, Purpose};
        use plainsight::core::clean::Recipe;
        let known = ["--thorough", "--prepare", "--recipe-out"];
        if let Some(bad) = rest.iter().enumerate().find(|(i, a)| {
            !(known.contains(a) || *i > 0 && rest.get(i - 1) == Some(&"--recipe-out"))
        }) {
            return usage(&format!("unknown option {}", bad.1));
        }
        let mode = if rest.contains(&"--thorough") {
            Mode::Thorough
        } else {
            Mode::Quick
        };
        let ds = match read_file(path) {
            Ok(ds) => ds,
            Err(message) => {
                eprintln!("{message}");
                return 2;
            }
        };
        let proposals = propose(&ds, mode);
        let mut text = String::new();
        if proposals.is_empty() {
            text.push_str("Nothing to clean: no step proposed.\n");
        }
        // As on the page: steps that prepare for a model are left out unless
        // asked for.
        let prepare = rest.contains(&"--prepare");
        let kept =
            |p: &&plainsight::core::clean::auto::Proposal| prepare || p.purpose == Purpose::Clean;
        for (i, p) in proposals.iter().enumerate() {
            text.push_str(&format!(
                "{}. {}{}\n   {}\n",
                i + 1,
                p.step.describe(),
                match (p.purpose, prepare) {
                    (Purpose::Clean, _) => "",
                    (Purpose::Prepare, true) => " (for models)",
                    (Purpose::Prepare, false) => " (for models; left out: --prepare keeps it)",
                },
                p.sentence()
            ));
        }
        if let Some(out) = option(rest, "--recipe-out") {
            let recipe = Recipe::new(
                proposals
                    .iter()
                    .filter(kept)
                    .map(|p| p.step.clone())
                    .collect(),
            );
            if let Err(e) = std::fs::write(out, recipe.to_json()) {
                eprintln!("Could not write {out}: {e}.");
                return 1;
            }
        }
        write_out(|o| o.write_all(text.as_bytes()))
    }

    /// Reads the recipe file and the raw file (a message when either fails).
    fn recipe_and_data(
        recipe_path: &str,
        raw: &str,
    ) -> Result<(plainsight::core::clean::Recipe, Dataset), String> {
        let recipe_text = std::fs::read_to_string(recipe_path)
            .map_err(|e| format!("Could not open {}: {e}.", display_name(recipe_path)))?;
        let recipe = plainsight::core::clean::Recipe::from_json(&recipe_text).map_err(|e| {
            format!(
                "{}: {}",
                display_name(recipe_path),
                messages::clean_error(&e)
            )
        })?;
        Ok((recipe, read_file(raw)?))
    }

    fn report_cmd(file: &str, rest: &[&str]) -> i32 {
        use plainsight::core::clean::Recipe;
        use plainsight::core::report::{contents, report_html, ReportInput, ReportRequest};
        let Some(out_path) = option(rest, "-o") else {
            return usage("report needs -o OUT.html");
        };
        let read = match option(rest, "--recipe") {
            Some(path) => recipe_and_data(path, file),
            None => read_file(file).map(|ds| (Recipe::new(Vec::new()), ds)),
        };
        let (recipe, ds) = match read {
            Ok(r) => r,
            Err(message) => {
                eprintln!("{message}");
                return 2;
            }
        };
        let p = profile(&ds);
        let request = ReportRequest {
            recipe: recipe.steps,
            ..ReportRequest::default()
        };
        let contents = match contents(&ds, &p, None, None, request) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("{}", messages::clean_error(&e));
                return 2;
            }
        };
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let generated = chrono::DateTime::from_timestamp(secs, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default();
        let html = report_html(&ReportInput {
            profile: &p,
            contents: &contents,
            model: None,
            generated: &generated,
        });
        if let Err(e) = std::fs::write(out_path, html) {
            eprintln!("Could not write {out_path}: {e}.");
            return 1;
        }
        0
    }

    fn clean_cmd(raw: &str, rest: &[&str]) -> i32 {
        use plainsight::core::clean::export::{write_csv, write_json};
        use plainsight::core::clean::recipe::run;
        let (Some(recipe_path), Some(out_path)) = (option(rest, "--recipe"), option(rest, "-o"))
        else {
            return usage("clean needs --recipe R.json and -o OUT");
        };
        let json = rest.contains(&"--json");
        let (recipe, ds) = match recipe_and_data(recipe_path, raw) {
            Ok(r) => r,
            Err(message) => {
                eprintln!("{message}");
                return 2;
            }
        };
        let (out, log) = match run(&ds, &recipe.steps) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}", messages::clean_error(&e));
                return 2;
            }
        };
        drop(ds);
        let written = File::create(out_path).and_then(|f| {
            let mut w = BufWriter::new(f);
            if json {
                write_json(&out, &mut w)?;
            } else {
                write_csv(&out, &mut w)?;
            }
            w.flush()
        });
        if let Err(e) = written {
            eprintln!("Could not write {out_path}: {e}.");
            return 1;
        }
        for (i, s) in log.steps.iter().enumerate() {
            eprintln!(
                "{}. {}: {} cells changed, rows {} -> {}{}",
                i + 1,
                s.description,
                s.cells_changed,
                s.rows_before,
                s.rows_after,
                if s.detail.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", s.detail)
                }
            );
        }
        eprintln!(
            "{} rows in, {} rows out; wrote {out_path}",
            log.rows_in, log.rows_out
        );
        0
    }

    fn sql_cmd(raw: &str, rest: &[&str]) -> i32 {
        let Some(recipe_path) = option(rest, "--recipe") else {
            return usage("sql needs --recipe R.json");
        };
        let (recipe, ds) = match recipe_and_data(recipe_path, raw) {
            Ok(r) => r,
            Err(message) => {
                eprintln!("{message}");
                return 2;
            }
        };
        let sql = match plainsight::core::clean::sql::to_sql(&ds, raw, &recipe.steps) {
            Ok(sql) => sql,
            // The file itself, not a step, is what DuckDB cannot read alike.
            Err(plainsight::core::clean::CleanError::BadParameter {
                step: 0, message, ..
            }) => {
                eprintln!("Cannot export {} as SQL: {message}.", display_name(raw));
                return 2;
            }
            Err(e) => {
                eprintln!("{}", messages::clean_error(&e));
                return 2;
            }
        };
        match option(rest, "-o") {
            Some(out_path) => match std::fs::write(out_path, sql) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("Could not write {out_path}: {e}.");
                    1
                }
            },
            None => write_out(|out| out.write_all(sql.as_bytes())),
        }
    }

    /// (flag, value) pairs of `rest`, or a usage problem: every flag takes a
    /// value and must be one of `known`.
    fn flag_pairs<'a>(rest: &[&'a str], known: &[&str]) -> Result<Vec<(&'a str, &'a str)>, String> {
        rest.chunks(2)
            .map(|pair| match pair {
                [flag, value] if known.contains(flag) => Ok((*flag, *value)),
                [flag] if known.contains(flag) => Err(format!("{flag} needs a value")),
                [flag, ..] => Err(format!("unknown option {flag}")),
                [] => Err("missing option".to_string()),
            })
            .collect()
    }

    /// Lines of left-aligned columns separated by two spaces.
    fn table(header: Vec<String>, rows: &[Vec<String>]) -> String {
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: &[String]| {
            let mut s = cells
                .iter()
                .zip(&widths)
                .map(|(c, &w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ");
            s.truncate(s.trim_end().len());
            s.push('\n');
            s
        };
        let mut out = line(&header);
        for row in rows {
            out.push_str(&line(row));
        }
        out
    }

    fn read_or_exit(path: &str) -> Result<Dataset, i32> {
        read_file(path).map_err(|message| {
            eprintln!("{message}");
            2
        })
    }

    fn trend_cmd(path: &str, rest: &[&str]) -> i32 {
        use plainsight::core::explore::aggregate::Agg;
        use plainsight::core::explore::trend::{trend, Granularity};
        let pairs = match flag_pairs(rest, &["--date", "--value", "--agg", "--by"]) {
            Ok(p) => p,
            Err(problem) => return usage(&problem),
        };
        let get = |flag: &str| pairs.iter().rev().find(|p| p.0 == flag).map(|p| p.1);
        let Some(date) = get("--date") else {
            return usage("trend needs --date COL");
        };
        let agg = match get("--agg").map(|a| (a, Agg::parse(a))) {
            None => Agg::Sum,
            Some((_, Some(agg))) => agg,
            Some((a, None)) => return usage(&format!("unknown aggregation \"{a}\"")),
        };
        let by = match get("--by").map(|b| (b, Granularity::parse(b))) {
            None => None,
            Some((_, Some(g))) => Some(g),
            Some((b, None)) => return usage(&format!("unknown period \"{b}\"")),
        };
        let ds = match read_or_exit(path) {
            Ok(ds) => ds,
            Err(code) => return code,
        };
        let t = match trend(&ds, date, get("--value"), agg, by) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}", messages::explore_error(&e));
                return 2;
            }
        };
        let what = match &t.value {
            Some(v) => format!("{} {v}", t.agg.label()),
            None => "rows".to_string(),
        };
        let mut text = format!(
            "{what} per {} of {}, {} to {}{}\n\n",
            t.granularity.as_str(),
            t.date,
            t.first,
            t.last,
            if t.auto {
                " (period chosen from the span: the finest with at most about 100 periods)"
            } else {
                ""
            }
        );
        let rows: Vec<Vec<String>> = t
            .periods
            .iter()
            .map(|p| vec![p.label.clone(), p.rows.to_string(), num(p.value)])
            .collect();
        text.push_str(&table(
            vec!["period".into(), "rows".into(), what.clone()],
            &rows,
        ));
        if let Some(c) = &t.change {
            text.push_str(&format!(
                "\n{} against {}: {}{}\n",
                c.current,
                c.previous,
                match c.change_percent {
                    Some(p) => format!("{p:+.1}%"),
                    None => "no change to compute".to_string(),
                },
                if c.partial {
                    format!(" ({} is incomplete: the data ends {})", c.current, t.last)
                } else {
                    String::new()
                }
            ));
        }
        write_out(|o| o.write_all(text.as_bytes()))
    }

    fn group_cmd(path: &str, rest: &[&str]) -> i32 {
        use plainsight::core::explore::aggregate::Agg;
        use plainsight::core::explore::groupby::{group_by, DatePart, Dimension, Measure};
        let pairs = match flag_pairs(rest, &["--by", "--measure", "--sort", "--limit"]) {
            Ok(p) => p,
            Err(problem) => return usage(&problem),
        };
        let mut dims = Vec::new();
        let mut measures = Vec::new();
        let mut sort = None;
        let mut limit = 50;
        for (flag, value) in pairs {
            match flag {
                // A column whose name has a colon is taken whole.
                "--by" => dims.push(
                    match value
                        .rsplit_once(':')
                        .and_then(|(name, part)| Some((name, DatePart::parse(part)?)))
                    {
                        Some((name, part)) => Dimension::date_part(name, part),
                        None => Dimension::column(value),
                    },
                ),
                "--measure" => measures.push(match value.split_once(':') {
                    _ if value == "rows" => Measure::rows(),
                    Some((agg, column)) => match Agg::parse(agg) {
                        Some(agg) => Measure::of(agg, column),
                        None => return usage(&format!("unknown aggregation \"{agg}\"")),
                    },
                    None => return usage("a measure is AGG:COLUMN or rows"),
                }),
                "--sort" => {
                    let (n, asc) = match value.strip_suffix(":asc") {
                        Some(n) => (n, true),
                        None => (value.strip_suffix(":desc").unwrap_or(value), false),
                    };
                    match n.parse::<usize>() {
                        Ok(n) if n >= 1 => sort = Some((n - 1, !asc)),
                        _ => return usage("--sort takes a measure number from 1"),
                    }
                }
                _ => match value.parse::<usize>() {
                    Ok(n) => limit = n,
                    Err(_) => return usage("--limit takes a whole number"),
                },
            }
        }
        if dims.is_empty() {
            return usage("group needs --by COL");
        }
        if measures.is_empty() {
            measures.push(Measure::rows());
        }
        let ds = match read_or_exit(path) {
            Ok(ds) => ds,
            Err(code) => return code,
        };
        let t = match group_by(&ds, &dims, &measures, sort, limit) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}", messages::explore_error(&e));
                return 2;
            }
        };
        // The rows of each group, unless a measure already counts them.
        let show_rows = !measures.iter().any(|m| m.column.is_none());
        let mut header = t.dimensions.clone();
        if show_rows {
            header.push("rows".into());
        }
        header.extend(t.measures.iter().cloned());
        let rows: Vec<Vec<String>> = t
            .rows
            .iter()
            .map(|r| {
                let mut cells: Vec<String> = r.keys.iter().map(|k| cut(k, 30)).collect();
                if show_rows {
                    cells.push(r.rows.to_string());
                }
                cells.extend(r.values.iter().map(|v| num(*v)));
                cells
            })
            .collect();
        let mut text = table(header, &rows);
        if t.truncated {
            text.push_str(&format!(
                "\n{} of {} groups shown (--limit to show more)\n",
                t.rows.len(),
                t.groups
            ));
        }
        write_out(|o| o.write_all(text.as_bytes()))
    }

    fn profile_cmd(path: &str, json: bool) -> i32 {
        let ds = match read_file(path) {
            Ok(ds) => ds,
            Err(message) => {
                eprintln!("{message}");
                return 2;
            }
        };
        let p = profile(&ds);
        drop(ds);
        if json {
            match serde_json::to_string_pretty(&p) {
                Ok(text) => write_out(|out| writeln!(out, "{text}")),
                Err(e) => {
                    eprintln!("plainsight: could not write the profile: {e}");
                    1
                }
            }
        } else {
            write_out(|out| out.write_all(summary(&p).as_bytes()))
        }
    }

    fn num(v: Option<f64>) -> String {
        match v {
            Some(v) if v.is_finite() && v.abs() < 1e15 => {
                let s = format!("{v:.4}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            }
            Some(v) => v.to_string(),
            None => String::new(),
        }
    }

    fn cut(s: &str, n: usize) -> String {
        if s.chars().count() <= n {
            s.to_string()
        } else {
            let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
            t.push('…');
            t
        }
    }

    /// A readable summary: the file's facts, then one row per column.
    pub fn summary(p: &DatasetProfile) -> String {
        let f = &p.facts;
        let mut out = format!(
            "{}: {} rows × {} columns, {} ({}{}, {} line endings)\n",
            f.name,
            p.rows,
            p.columns,
            messages::bytes(f.size_bytes),
            f.encoding,
            match f.delimiter {
                Some('\t') => ", tab-separated".to_string(),
                Some(d) => format!(", delimiter '{d}'"),
                None => String::new(),
            },
            f.line_ending
        );
        out.push_str(&format!(
            "duplicate rows: {}   memory: {}\n\n",
            p.duplicate_rows,
            messages::bytes(p.memory_bytes)
        ));
        let header = [
            "column", "type", "count", "missing", "distinct", "mean", "std", "min", "p50", "max",
            "top",
        ];
        let rows: Vec<Vec<String>> = p.column_profiles.iter().map(column_row).collect();
        let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: Vec<String>| {
            let mut s = cells
                .iter()
                .zip(&widths)
                .map(|(c, &w)| format!("{c:<w$}"))
                .collect::<Vec<_>>()
                .join("  ");
            s.truncate(s.trim_end().len());
            s.push('\n');
            s
        };
        out.push_str(&line(header.iter().map(|h| h.to_string()).collect()));
        for row in rows {
            out.push_str(&line(row));
        }
        if !p.notes.is_empty() {
            out.push_str("\nnotes:\n");
            for n in &p.notes {
                out.push_str(&format!("- {}\n", n.message));
            }
        }
        out
    }

    fn column_row(c: &ColumnProfile) -> Vec<String> {
        let top = c
            .top
            .first()
            .map(|(v, n)| format!("{} ({n})", cut(v, 20)))
            .unwrap_or_default();
        vec![
            cut(&c.name, 24),
            c.dtype.as_str().to_string(),
            c.count.to_string(),
            c.missing.to_string(),
            c.distinct.to_string(),
            num(c.mean),
            num(c.std),
            cut(c.min.as_deref().unwrap_or(""), 20),
            num(c.p50),
            cut(c.max.as_deref().unwrap_or(""), 20),
            top,
        ]
    }
}
