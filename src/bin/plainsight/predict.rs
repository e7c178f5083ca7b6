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
    let in_batches = match step_needing_every_row(&steps) {
        Some(i) => {
            eprintln!(
                "Note: step {} of the recipe ({}) uses every row of the file, so {name} is read whole; a recipe without such steps scores a CSV or TSV file of any size in batches.",
                i + 1,
                steps.get(i).map_or("", Step::op).replace('_', " "),
            );
            Ok(None)
        }
        None => batches(model.scorer(), &steps, path, out_path, batch_rows),
    };
    let scored = match in_batches {
        Ok(Some(rows)) => Ok(rows),
        Ok(None) => whole(model.scorer(), &steps, path, out_path),
        Err(message) => Err(message),
    };
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
            // A half-written output is not left behind as if it were whole.
            let _ = std::fs::remove_file(out_path);
            1
        }
    }
}

/// Scores a delimited text in batches; `Ok(None)` for other files.
fn batches(
    scorer: Scorer,
    steps: &[Step],
    path: &str,
    out_path: &str,
    batch_rows: usize,
) -> Result<Option<usize>, String> {
    let name = display_name(path);
    let size = std::fs::metadata(path)
        .map_err(|e| format!("Could not open {name}: {e}."))?
        .len();
    let out = File::create(out_path).map_err(|e| format!("Could not write {out_path}: {e}"))?;
    let mut out = BufWriter::new(out);
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
fn whole(scorer: Scorer, steps: &[Step], path: &str, out_path: &str) -> Result<usize, String> {
    let raw = read_file(path)?;
    let (rows, ds) = score(scorer, raw, steps).map_err(|e| score_message(display_name(path), &e))?;
    let written = File::create(out_path).and_then(|f| {
        let mut w = BufWriter::new(f);
        plainsight::core::clean::export::write_csv(&ds, &mut w)?;
        w.flush()
    });
    written.map_err(|e| format!("Could not write {out_path}: {e}"))?;
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
