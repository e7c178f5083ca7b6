//! `plainsight predict`: a saved model scores a file — a CSV or TSV file
//! of any size in batches of rows (`core::ml::score::score_in_batches`),
//! anything else whole (`core::ml::score::score`); the same pipeline on
//! every batch as on the whole file.

use std::fs::File;
use std::io::{BufWriter, Write};

use plainsight::core::clean::Step;
use plainsight::core::ml::saved::{SavedModel, Scorer};
use plainsight::core::ml::score::{
    score, score_in_batches, step_needing_every_row, ScoreError, StreamError,
};
use plainsight::messages;

use crate::io::{display_name, print_json, progress_bar, read_file, read_recipe};

pub(crate) fn predict_cmd(
    model_path: &str,
    path: &str,
    recipe: Option<&str>,
    out_path: &str,
    json: bool,
    batch_rows: usize,
) -> i32 {
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
    let steps = match recipe.map(read_recipe).transpose() {
        Ok(r) => r.map(|r| r.steps).unwrap_or_default(),
        Err(message) => {
            eprintln!("{message}");
            return 1;
        }
    };
    let name = display_name(path);
    if same_file(path, out_path) {
        eprintln!("{out_path} is the file being scored: choose another output file with -o.");
        return 1;
    }
    // Written beside the output and renamed over it once whole, so a
    // failed run leaves whatever was there before.
    let out = Output::new(out_path);
    let regular = std::fs::metadata(path).map_or(true, |m| m.is_file());
    let in_batches = match step_needing_every_row(&steps) {
        _ if !regular => {
            // A pipe can be read only once; batches read the file twice.
            eprintln!(
                "Note: {name} is not a regular file (a pipe?), so it is read whole; save it as a file to score a file of any size in batches."
            );
            Ok(None)
        }
        Some(i) => {
            eprintln!(
                "Note: step {} of the recipe ({}) uses every row of the file, so {name} is read whole; a recipe without such steps scores a CSV or TSV file of any size in batches.",
                i + 1,
                steps.get(i).map_or("", Step::op).replace('_', " "),
            );
            Ok(None)
        }
        None => batches(model.scorer(), &steps, path, &out, batch_rows),
    };
    let scored = match in_batches {
        Ok(Some(rows)) => Ok(rows),
        Ok(None) => whole(model.scorer(), &steps, path, &out),
        Err(message) => Err(message),
    }
    .and_then(|rows| out.finish().map(|()| rows));
    match scored {
        Ok(rows) if json => print_json(&serde_json::json!({
            "rows": rows,
            "model": model.kind.name(),
            "out": out_path,
        })),
        Ok(rows) => {
            println!(
                "scored {rows} rows with {} into {out_path}",
                model.kind.name()
            );
            0
        }
        Err(message) => {
            eprintln!("{message}");
            out.abandon();
            1
        }
    }
}

/// Whether `a` and `b` name the same existing file.
fn same_file(a: &str, b: &str) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Where the scored rows go: a temporary file beside `path`, renamed over
/// it when the run succeeds (a device or pipe such as /dev/stdout is
/// written directly).
struct Output {
    path: String,
    write_to: String,
}

impl Output {
    fn new(path: &str) -> Output {
        let special = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
        let write_to = if special {
            path.to_string()
        } else {
            format!("{path}.{}.partial", std::process::id())
        };
        Output {
            path: path.to_string(),
            write_to,
        }
    }

    fn create(&self) -> Result<BufWriter<File>, String> {
        File::create(&self.write_to)
            .map(BufWriter::new)
            .map_err(|e| format!("Could not write {}: {e}", self.path))
    }

    /// The output whole: in its place.
    fn finish(&self) -> Result<(), String> {
        if self.write_to == self.path {
            return Ok(());
        }
        std::fs::rename(&self.write_to, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&self.write_to);
            format!("Could not write {}: {e}", self.path)
        })
    }

    /// The run failed: its partial output goes, the output path is untouched.
    fn abandon(&self) {
        if self.write_to != self.path {
            let _ = std::fs::remove_file(&self.write_to);
        }
    }
}

/// Scores a delimited text in batches; `Ok(None)` for other files.
fn batches(
    scorer: Scorer,
    steps: &[Step],
    path: &str,
    output: &Output,
    batch_rows: usize,
) -> Result<Option<usize>, String> {
    let name = display_name(path);
    let out_path = output.path.as_str();
    let size = std::fs::metadata(path)
        .map_err(|e| format!("Could not open {name}: {e}."))?
        .len();
    let mut out = output.create()?;
    // Two passes over the file: typing the columns, then scoring.
    let bar = progress_bar(size, size.saturating_mul(2), "scoring");
    bar.set_message(name.to_string());
    let scored = score_in_batches(
        scorer,
        steps,
        name,
        || File::open(path),
        &mut out,
        batch_rows,
        &mut |n| bar.inc(n),
    );
    bar.finish_and_clear();
    let rows = scored.map_err(|e| match e {
        StreamError::Read(e) => messages::ingest_error(name, &e),
        StreamError::Input(e) => format!("Could not read {name}: {e}."),
        StreamError::Output(e) => format!("Could not write {out_path}: {e}"),
        StreamError::Score(e) => score_message(name, &e),
    })?;
    out.flush()
        .map_err(|e| format!("Could not write {out_path}: {e}"))?;
    Ok(rows)
}

/// Reads the file whole and scores it.
fn whole(scorer: Scorer, steps: &[Step], path: &str, output: &Output) -> Result<usize, String> {
    let raw = read_file(path)?;
    let (rows, ds) = score(scorer, raw, steps).map_err(|e| score_message(display_name(path), &e))?;
    let mut w = output.create()?;
    plainsight::core::clean::export::write_csv(&ds, &mut w)
        .and_then(|()| w.flush())
        .map_err(|e| format!("Could not write {}: {e}", output.path))?;
    Ok(rows)
}

fn score_message(name: &str, e: &ScoreError) -> String {
    match e {
        ScoreError::Recipe(e) => format!(
            "The recipe cannot run on {name}: {}",
            messages::clean_error(e)
        ),
        ScoreError::Prep(e) => messages::prep_error(e),
        ScoreError::Columns(e) => format!("Could not add the predictions: {e}"),
    }
}
