//! Native command-line tool running the same core pipeline as the browser:
//! `plainsight --help` lists the commands, `plainsight COMMAND --help` their
//! arguments (clap). Every command that prints a result takes `--json`.
//! Exit codes: 0 done, 1 the input could not be used or the output not
//! written, 2 the command line is wrong.
//!
//! One file per command (profile, clean — propose, clean, sql —, explore —
//! trend, group —, report, train, predict); `args` is the command line,
//! `io` the reading and writing they share, `text` the terminal tables.
//!
//! On wasm32 this is an empty program (the browser uses `app` and `worker`).

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    std::process::exit(run(std::env::args().skip(1).collect()));
}

/// Items for the native build only (clap and indicatif are native
/// dependencies).
macro_rules! native {
    ($($item:item)*) => { $(#[cfg(not(target_arch = "wasm32"))] $item)* };
}

native! {
    mod args;
    mod clean;
    mod explore;
    mod io;
    mod predict;
    mod profile;
    mod report;
    mod text;
    mod train;

    use std::io::Write;

    use args::{Cli, Command};
    use clap::Parser;
    use plainsight::core::sample::{bench_csv, marketing_csv};

    /// Runs the command; returns the process exit code.
    fn run(args: Vec<String>) -> i32 {
        let cli = match Cli::try_parse_from(std::iter::once("plainsight".to_string()).chain(args)) {
            Ok(c) => c,
            Err(e) => {
                let _ = e.print();
                // Help and version are not errors.
                return if e.use_stderr() { 2 } else { 0 };
            }
        };
        io::set_sheet(cli.sheet.clone());
        match cli.command {
            Command::Profile { file, json } => profile::profile_cmd(&file, json),
            Command::Propose {
                file,
                thorough,
                prepare,
                recipe_out,
                json,
            } => clean::propose_cmd(&file, thorough, prepare, recipe_out.as_deref(), json),
            Command::Clean {
                raw,
                recipe,
                out,
                json,
            } => clean::clean_cmd(&raw, &recipe, &out, json),
            Command::Sql {
                raw,
                recipe,
                engine,
                out,
            } => clean::sql_cmd(&raw, &recipe, engine, out.as_deref()),
            Command::Trend {
                file,
                date,
                value,
                agg,
                by,
                json,
            } => explore::trend_cmd(&file, &date, value.as_deref(), &agg, by.as_deref(), json),
            Command::Group {
                file,
                by,
                measure,
                sort,
                limit,
                json,
            } => explore::group_cmd(&file, &by, &measure, sort.as_deref(), limit, json),
            Command::Report {
                file,
                recipe,
                out,
                train,
                model_args,
            } => {
                // Choosing the target is asking for the model section.
                let train = train || model_args.target.is_some() || model_args.no_target;
                report::report_cmd(&file, recipe.as_deref(), &out, train.then_some(&model_args))
            }
            Command::Train { file, args } => train::train_cmd(&file, args),
            Command::Predict {
                model,
                file,
                recipe,
                out,
                json,
                batch_rows,
            } => predict::predict_cmd(&model, &file, recipe.as_deref(), &out, json, batch_rows),
            Command::Sample => io::write_out(|out| out.write_all(marketing_csv().as_bytes())),
            Command::BenchData { rows } => io::write_out(|out| bench_csv(rows, out)),
        }
    }
}
