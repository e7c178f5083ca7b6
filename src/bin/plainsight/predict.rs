//! `plainsight predict`: a saved model scores a file.

use std::io::{BufWriter, Write};

use plainsight::messages;

use crate::io::{display_name, print_json, read_file, recipe_and_data};

pub(crate) fn predict_cmd(
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
