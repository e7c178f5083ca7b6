//! Native command-line tool running the same core pipeline as the browser:
//! `plainsight --help` lists the commands, `plainsight COMMAND --help` their
//! arguments (clap). Every command that prints a result takes `--json`.
//! Exit codes: 0 done, 1 the input could not be used or the output not
//! written, 2 the command line is wrong.
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

    use clap::{Parser, Subcommand};

    /// Plainsight on the command line: the same engine as the page, on
    /// files on this computer.
    ///
    /// Exit codes: 0 done; 1 the input could not be used (a file that does
    /// not read, a recipe that cannot run, a target that cannot be learnt)
    /// or the output could not be written; 2 the command line is wrong.
    #[derive(Parser, Debug)]
    #[command(name = "plainsight", version, about, long_about)]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand, Debug)]
    enum Command {
        /// Profile a CSV, TSV, JSON or NDJSON file.
        Profile {
            file: String,
            /// The whole profile as JSON.
            #[arg(long)]
            json: bool,
        },
        /// Explain the proposed cleaning; save it as a recipe.
        Propose {
            file: String,
            /// Also fill gaps, merge spellings and offer steps for models.
            #[arg(long)]
            thorough: bool,
            /// Keep the steps that prepare for a model (capping, encoding,
            /// scaling) in the saved recipe.
            #[arg(long, requires = "thorough")]
            prepare: bool,
            /// Write the recipe here (JSON).
            #[arg(long, value_name = "R.json")]
            recipe_out: Option<String>,
            /// The proposals as JSON.
            #[arg(long)]
            json: bool,
        },
        /// Run a recipe on RAW and write the cleaned data.
        Clean {
            raw: String,
            #[arg(long, value_name = "R.json")]
            recipe: String,
            #[arg(short = 'o', value_name = "OUT")]
            out: String,
            /// Write OUT as JSON records instead of CSV.
            #[arg(long)]
            json: bool,
        },
        /// The recipe as DuckDB SQL that cleans RAW the same way.
        Sql {
            raw: String,
            #[arg(long, value_name = "R.json")]
            recipe: String,
            /// Write the SQL here instead of to the standard output.
            #[arg(short = 'o', value_name = "OUT.sql")]
            out: Option<String>,
        },
        /// A measure per period of a date column (rows when no --value; the
        /// period is chosen from the span when no --by).
        Trend {
            file: String,
            #[arg(long, value_name = "COL")]
            date: String,
            #[arg(long, value_name = "COL")]
            value: Option<String>,
            /// sum, mean, median, min, max or count.
            #[arg(long, default_value = "sum")]
            agg: String,
            /// day, week, month or quarter.
            #[arg(long, value_name = "PERIOD")]
            by: Option<String>,
            /// The trend as JSON.
            #[arg(long)]
            json: bool,
        },
        /// Measures per group of rows (default: rows), sorted by the groups
        /// or by measure N.
        Group {
            file: String,
            /// A column, or COL:year|quarter|month|month_of_year|weekday.
            #[arg(long = "by", value_name = "COL[:PART]", required = true)]
            by: Vec<String>,
            /// AGG:COL or rows.
            #[arg(long = "measure", value_name = "AGG:COL|rows")]
            measure: Vec<String>,
            /// N or N:asc — sort by measure N (from 1; descending unless :asc).
            #[arg(long, value_name = "N[:asc]")]
            sort: Option<String>,
            #[arg(long, default_value_t = 50)]
            limit: usize,
            /// The table as JSON.
            #[arg(long)]
            json: bool,
        },
        /// The self-contained HTML report (overview, alerts, columns,
        /// correlations, trend; the recipe's cleaning when given).
        Report {
            file: String,
            #[arg(long, value_name = "R.json")]
            recipe: Option<String>,
            #[arg(short = 'o', value_name = "OUT.html")]
            out: String,
        },
        /// The leaderboard of models (5-fold cross-validation and a held-out
        /// test split) and the best model's feature importance; as on the
        /// page: identifiers and columns that leak the target left out.
        Train {
            file: String,
            #[command(flatten)]
            args: TrainArgs,
        },
        /// Score FILE (after the recipe the model learnt after) with a saved
        /// model: FILE's columns plus the predictions.
        Predict {
            model: String,
            file: String,
            #[arg(long, value_name = "R.json")]
            recipe: Option<String>,
            #[arg(short = 'o', value_name = "OUT.csv")]
            out: String,
            /// What was scored, as JSON.
            #[arg(long)]
            json: bool,
        },
        /// Write the sample marketing CSV to the standard output.
        Sample,
        /// Write a deterministic benchmark CSV of ROWS rows.
        BenchData {
            #[arg(value_parser = whole_number)]
            rows: usize,
        },
    }

    use plainsight::core::ml::task::{DEFAULT_BUDGET_SECS, DEFAULT_SEED};

    fn positive_secs(s: &str) -> Result<f64, String> {
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
            _ => Err(format!("needs a number of seconds above 0, not \"{s}\"")),
        }
    }

    fn whole_number(s: &str) -> Result<usize, String> {
        s.replace('_', "")
            .parse::<usize>()
            .map_err(|_| format!("must be a whole number, not \"{s}\""))
    }

    /// Bytes read per chunk (like the browser's `File.slice`).
    const CHUNK: usize = 4 << 20;

    /// Runs the command; returns the process exit code.
    pub fn run(args: Vec<String>) -> i32 {
        let cli = match Cli::try_parse_from(std::iter::once("plainsight".to_string()).chain(args)) {
            Ok(c) => c,
            Err(e) => {
                let _ = e.print();
                // Help and version are not errors.
                return if e.use_stderr() { 2 } else { 0 };
            }
        };
        match cli.command {
            Command::Profile { file, json } => profile_cmd(&file, json),
            Command::Propose {
                file,
                thorough,
                prepare,
                recipe_out,
                json,
            } => propose_cmd(&file, thorough, prepare, recipe_out.as_deref(), json),
            Command::Clean {
                raw,
                recipe,
                out,
                json,
            } => clean_cmd(&raw, &recipe, &out, json),
            Command::Sql { raw, recipe, out } => sql_cmd(&raw, &recipe, out.as_deref()),
            Command::Trend {
                file,
                date,
                value,
                agg,
                by,
                json,
            } => trend_cmd(&file, &date, value.as_deref(), &agg, by.as_deref(), json),
            Command::Group {
                file,
                by,
                measure,
                sort,
                limit,
                json,
            } => group_cmd(&file, &by, &measure, sort.as_deref(), limit, json),
            Command::Report { file, recipe, out } => report_cmd(&file, recipe.as_deref(), &out),
            Command::Train { file, args } => train_cmd(&file, args),
            Command::Predict {
                model,
                file,
                recipe,
                out,
                json,
            } => predict_cmd(&model, &file, recipe.as_deref(), &out, json),
            Command::Sample => write_out(|out| out.write_all(marketing_csv().as_bytes())),
            Command::BenchData { rows } => write_out(|out| bench_csv(rows, out)),
        }
    }

    /// The options of `train`.
    #[derive(clap::Args, Debug)]
    struct TrainArgs {
        /// The column to predict (default: suggested from the data).
        #[arg(long, value_name = "COL", conflicts_with = "no_target")]
        target: Option<String>,
        /// No target: group similar rows (clustering).
        #[arg(long)]
        no_target: bool,
        #[arg(long, value_name = "R.json")]
        recipe: Option<String>,
        /// Seconds for the whole run (above 0).
        #[arg(long, value_name = "SECS", default_value_t = DEFAULT_BUDGET_SECS, value_parser = positive_secs, allow_negative_numbers = true)]
        budget: f64,
        #[arg(long, default_value_t = DEFAULT_SEED)]
        seed: u64,
        /// Keep the best (or --model) model with its preprocessing.
        #[arg(long, value_name = "M.psml")]
        save_model: Option<String>,
        #[arg(long, value_name = "NAME", requires = "save_model")]
        model: Option<String>,
        /// The leaderboard as JSON.
        #[arg(long)]
        json: bool,
    }

    /// A usage problem clap cannot see (a value that reads but means
    /// nothing): said like clap's, exit code 2.
    fn usage(problem: &str) -> i32 {
        eprintln!("error: {problem}\n\nFor more information, try '--help'.");
        2
    }

    /// Writes `value` as pretty JSON to the standard output.
    fn print_json<T: serde::Serialize>(value: &T) -> i32 {
        match serde_json::to_string_pretty(value) {
            Ok(text) => write_out(|out| writeln!(out, "{text}")),
            Err(e) => {
                eprintln!("plainsight: could not write JSON: {e}");
                1
            }
        }
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

    fn train_cmd(path: &str, a: TrainArgs) -> i32 {
        use plainsight::core::ml::automl::{Prepared, Run, Status};
        use plainsight::core::ml::task::{detect_task, plan, suggest_target};
        // With --json the standard output holds the JSON only; what is said
        // along the way goes to the standard error.
        let say = |line: String| {
            if a.json {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
        };
        let read = read_cleaned(path, a.recipe.as_deref());
        let ds = match read {
            Ok(ds) => ds,
            Err(message) => {
                eprintln!("{message}");
                return 1;
            }
        };
        let p = profile(&ds);
        let target = if a.no_target {
            None
        } else {
            a.target.clone().or_else(|| suggest_target(&p))
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
            say(format!("left out {}: {}", e.column, e.reason));
        }
        for l in &plan.leaks {
            say(format!(
                "left out {}: it alone predicts the target almost perfectly ({} {:.3}), so it probably leaks the answer",
                l.feature, l.method, l.value
            ));
        }
        let setup = match plan.setup(a.seed, a.budget) {
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
        // A progress bar on a terminal (nothing when the error output is a
        // file or a pipe).
        let bar = indicatif::ProgressBar::new(1).with_style(
            indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg} ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        while let Some(progress) = board.step(&clock) {
            bar.set_length(progress.total as u64);
            bar.set_position(progress.done as u64);
            bar.set_message(format!(
                "{} {}",
                progress.model.replace('_', " "),
                progress.phase
            ));
        }
        bar.finish_and_clear();
        let b = board.board();
        if a.json {
            let code = print_json(&b);
            if code != 0 {
                return code;
            }
        }
        if !a.json {
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
        }
        // The same warnings as the page's Model tab.
        for w in plainsight::core::ml::guard::warnings(&b) {
            say(format!(
                "warning ({}): {}",
                w.kind(),
                messages::model_warning(&w, &b.setup.task)
            ));
        }
        if let Some(out) = &a.save_model {
            let kind = match &a.model {
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
            say(format!("saved {} to {out}", kind.name()));
        }
        0
    }

    fn predict_cmd(
        model_path: &str,
        path: &str,
        recipe: Option<&str>,
        out_path: &str,
        json: bool,
    ) -> i32 {
        use plainsight::core::ml::saved::SavedModel;
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
        let read = match recipe {
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
            Ok(()) if json => print_json(&serde_json::json!({
                "rows": rows,
                "model": model.kind.name(),
                "out": out_path,
            })),
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

    fn propose_cmd(
        path: &str,
        thorough: bool,
        prepare: bool,
        recipe_out: Option<&str>,
        json: bool,
    ) -> i32 {
        use plainsight::core::clean::auto::{propose, Mode, Purpose};
        use plainsight::core::clean::Recipe;
        let mode = if thorough {
            Mode::Thorough
        } else {
            Mode::Quick
        };
        let ds = match read_file(path) {
            Ok(ds) => ds,
            Err(message) => {
                eprintln!("{message}");
                return 1;
            }
        };
        let proposals = propose(&ds, mode);
        let mut text = String::new();
        if proposals.is_empty() {
            text.push_str("Nothing to clean: no step proposed.\n");
        }
        // As on the page: steps that prepare for a model are left out unless
        // asked for.
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
        if let Some(out) = recipe_out {
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
        if json {
            return print_json(&proposals);
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

    fn report_cmd(file: &str, recipe: Option<&str>, out_path: &str) -> i32 {
        use plainsight::core::clean::Recipe;
        use plainsight::core::report::{contents, report_html, ReportInput, ReportRequest};
        let read = match recipe {
            Some(path) => recipe_and_data(path, file),
            None => read_file(file).map(|ds| (Recipe::new(Vec::new()), ds)),
        };
        let (recipe, ds) = match read {
            Ok(r) => r,
            Err(message) => {
                eprintln!("{message}");
                return 1;
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
                return 1;
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

    fn clean_cmd(raw: &str, recipe_path: &str, out_path: &str, json: bool) -> i32 {
        use plainsight::core::clean::export::{write_csv, write_json};
        use plainsight::core::clean::recipe::run;
        let (recipe, ds) = match recipe_and_data(recipe_path, raw) {
            Ok(r) => r,
            Err(message) => {
                eprintln!("{message}");
                return 1;
            }
        };
        let (out, log) = match run(&ds, &recipe.steps) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}", messages::clean_error(&e));
                return 1;
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

    fn sql_cmd(raw: &str, recipe_path: &str, out: Option<&str>) -> i32 {
        let (recipe, ds) = match recipe_and_data(recipe_path, raw) {
            Ok(r) => r,
            Err(message) => {
                eprintln!("{message}");
                return 1;
            }
        };
        let sql = match plainsight::core::clean::sql::to_sql(&ds, raw, &recipe.steps) {
            Ok(sql) => sql,
            // The file itself, not a step, is what DuckDB cannot read alike.
            Err(plainsight::core::clean::CleanError::BadParameter {
                step: 0, message, ..
            }) => {
                eprintln!("Cannot export {} as SQL: {message}.", display_name(raw));
                return 1;
            }
            Err(e) => {
                eprintln!("{}", messages::clean_error(&e));
                return 1;
            }
        };
        match out {
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
            1
        })
    }

    fn trend_cmd(
        path: &str,
        date: &str,
        value: Option<&str>,
        agg: &str,
        by: Option<&str>,
        json: bool,
    ) -> i32 {
        use plainsight::core::explore::aggregate::Agg;
        use plainsight::core::explore::trend::{trend, Granularity};
        let Some(agg) = Agg::parse(agg) else {
            return usage(&format!(
                "unknown aggregation \"{agg}\" (sum, mean, median, min, max or count)"
            ));
        };
        let by = match by.map(|b| (b, Granularity::parse(b))) {
            None => None,
            Some((_, Some(g))) => Some(g),
            Some((b, None)) => {
                return usage(&format!(
                    "unknown period \"{b}\" (day, week, month or quarter)"
                ))
            }
        };
        let ds = match read_or_exit(path) {
            Ok(ds) => ds,
            Err(code) => return code,
        };
        let t = match trend(&ds, date, value, agg, by) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}", messages::explore_error(&e));
                return 1;
            }
        };
        if json {
            return print_json(&t);
        }
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

    fn group_cmd(
        path: &str,
        by: &[String],
        measure: &[String],
        sort: Option<&str>,
        limit: usize,
        json: bool,
    ) -> i32 {
        use plainsight::core::explore::aggregate::Agg;
        use plainsight::core::explore::groupby::{group_by, DatePart, Dimension, Measure};
        // A column whose name has a colon is taken whole.
        let dims: Vec<Dimension> = by
            .iter()
            .map(|value| {
                match value
                    .rsplit_once(':')
                    .and_then(|(name, part)| Some((name, DatePart::parse(part)?)))
                {
                    Some((name, part)) => Dimension::date_part(name, part),
                    None => Dimension::column(value),
                }
            })
            .collect();
        let mut measures = Vec::new();
        for value in measure {
            measures.push(match value.split_once(':') {
                _ if value == "rows" => Measure::rows(),
                Some((agg, column)) => match Agg::parse(agg) {
                    Some(agg) => Measure::of(agg, column),
                    None => return usage(&format!("unknown aggregation \"{agg}\"")),
                },
                None => return usage(&format!("a measure is AGG:COLUMN or rows, not \"{value}\"")),
            });
        }
        let sort = match sort {
            None => None,
            Some(value) => {
                let (n, asc) = match value.strip_suffix(":asc") {
                    Some(n) => (n, true),
                    None => (value.strip_suffix(":desc").unwrap_or(value), false),
                };
                match n.parse::<usize>() {
                    Ok(n) if n >= 1 => Some((n - 1, !asc)),
                    _ => {
                        return usage(&format!(
                            "--sort takes a measure number from 1, not \"{value}\""
                        ))
                    }
                }
            }
        };
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
                return 1;
            }
        };
        if json {
            return print_json(&t);
        }
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
                return 1;
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
