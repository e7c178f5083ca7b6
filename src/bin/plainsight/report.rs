//! `plainsight report`: the self-contained HTML report.

use plainsight::core::profile::profile_with;
use plainsight::core::runner::Threads;
use plainsight::messages;

use crate::args::ModelArgs;
use crate::io::{read_file, recipe_and_data};
use crate::train::leaderboard;

pub(crate) fn report_cmd(
    file: &str,
    recipe: Option<&str>,
    out_path: &str,
    train: Option<&ModelArgs>,
) -> i32 {
    use plainsight::core::clean::Recipe;
    use plainsight::core::report::{
        contents, report_html, ReportInput, ReportRequest,
    };
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
    // The Model section: the leaderboard trained on the cleaned data, as
    // `train --recipe` does (what is said along the way goes to stderr).
    let board = match train {
        Some(args) => {
            let cleaned = match plainsight::core::clean::recipe::run(&ds, &recipe.steps) {
                Ok((out, _)) => out,
                Err(e) => {
                    eprintln!("{}", messages::clean_error(&e));
                    return 1;
                }
            };
            match leaderboard(&cleaned, args, &|line| eprintln!("{line}")) {
                Ok(run) => Some(run.board()),
                Err(code) => return code,
            }
        }
        None => None,
    };
    let p = profile_with(&ds, &Threads);
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
        model: board.as_ref().map(|b| messages::report_model(b, None)),
        generated: &generated,
    });
    if let Err(e) = std::fs::write(out_path, html) {
        eprintln!("Could not write {out_path}: {e}.");
        return 1;
    }
    0
}
