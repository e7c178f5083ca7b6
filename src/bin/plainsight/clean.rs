//! `plainsight propose`, `clean` and `sql`: the cleaning recipe proposed,
//! run, and written as DuckDB SQL.

use std::fs::File;
use std::io::{BufWriter, Write};

use plainsight::messages;

use crate::args::Engine;
use plainsight::core::clean::sql::Target;
use crate::io::{display_name, print_json, read_file, recipe_and_data, write_out};

pub(crate) fn propose_cmd(
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

pub(crate) fn clean_cmd(raw: &str, recipe_path: &str, out_path: &str, json: bool) -> i32 {
    use plainsight::core::clean::export::{write_csv, write_json, write_parquet};
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
    let parquet = plainsight::core::ingest::extension(out_path) == "parquet";
    let written = File::create(out_path).and_then(|f| {
        let mut w = BufWriter::new(f);
        if parquet {
            let bytes = write_parquet(&out, &recipe.steps).map_err(std::io::Error::other)?;
            w.write_all(&bytes)?;
        } else if json {
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

pub(crate) fn sql_cmd(raw: &str, recipe_path: &str, engine: Engine, out: Option<&str>) -> i32 {
    let (recipe, ds) = match recipe_and_data(recipe_path, raw) {
        Ok(r) => r,
        Err(message) => {
            eprintln!("{message}");
            return 1;
        }
    };
    let (target, what) = match engine {
        Engine::Duckdb => (Target::DuckDb, "SQL"),
        Engine::Pyspark => (Target::PySpark, "PySpark"),
        Engine::Polars => (Target::Polars, "polars code"),
    };
    let sql = match plainsight::core::clean::sql::export(target, &ds, raw, &recipe.steps) {
        Ok(sql) => sql,
        // The file itself, not a step, is what the engine cannot read alike.
        Err(plainsight::core::clean::CleanError::BadParameter {
            step: 0, message, ..
        }) => {
            eprintln!("Cannot export {} as {what}: {message}.", display_name(raw));
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
