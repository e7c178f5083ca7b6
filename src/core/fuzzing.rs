//! The fuzzing harnesses: one function per fuzz target, called by the
//! `cargo fuzz` targets in `fuzz/` (nightly, libFuzzer) and by
//! `tests/fuzz_replay.rs` (stable), which replays every committed corpus
//! file and crash fixture through the same code.
//!
//! Each function takes arbitrary bytes, drives the engine the way the app
//! does and panics only when an invariant breaks — a panic is what a fuzzer
//! reports. Bad input itself must come back as a typed error: an
//! `IngestError`, a `CleanError`, a `LoadError`.

use std::sync::OnceLock;

use crate::core::clean::recipe::{run, Recipe, RunLog};
use crate::core::clean::values::Values;
use crate::core::clean::CleanError;
use crate::core::error::IngestError;
use crate::core::ingest::{read_bytes, Dataset, Ingester};
use crate::core::ml::automl::Scored;
use crate::core::ml::prep::Feature;
use crate::core::ml::saved::{LoadError, SavedModel};
use crate::core::model::{FileFacts, Format};
use crate::core::parts::{read_in_parts, Cut, Failed, InTurn};
use crate::core::profile::profile;
use crate::core::rng::Rng;

/// The file names the ingest target picks from (by the first byte).
pub const INGEST_NAMES: [&str; 10] = [
    "data.csv",
    "data.tsv",
    "data.json",
    "data.ndjson",
    "data.txt",
    "data.xlsx",
    "data.xls",
    "data.ods",
    "data.parquet",
    "data.feather",
];

/// A body at least this long is what a "large" ingest input (first byte's
/// top bit set) is repeated to, so that it streams past the ingest's
/// 64 KiB head and its chunks go through the body readers.
pub const LARGE_BYTES: usize = 96 * 1024;

/// How the ingest target reads `data`: the file name, the file's bytes
/// and the chunk lengths it is pushed in.
///
/// Byte 0: bits 0–3 pick the name from [`INGEST_NAMES`] (modulo its
/// length; corpora from before the Parquet and Feather names read bits
/// 0–2 alike where bit 3 is clear), bits 4–6 the parts a delimited text
/// is also read in (2–9, `core::parts`), bit 7
/// repeats the body to [`LARGE_BYTES`]. Byte 1: the chunk lengths (bits
/// 0–4: the longest chunk is `2^k` bytes, bits 5–7 seed their draw). The
/// rest is the file.
pub struct IngestCase {
    pub name: &'static str,
    pub body: Vec<u8>,
    pub chunks: Vec<usize>,
    pub parts: usize,
}

impl IngestCase {
    pub fn new(data: &[u8]) -> IngestCase {
        let b0 = data.first().copied().unwrap_or(0);
        let b1 = data.get(1).copied().unwrap_or(0);
        let name = INGEST_NAMES[usize::from(b0 & 15) % INGEST_NAMES.len()];
        let mut body = data.get(2..).unwrap_or_default().to_vec();
        if b0 & 0x80 != 0 && !body.is_empty() {
            let unit = body.clone();
            while body.len() < LARGE_BYTES {
                body.extend_from_slice(&unit);
            }
        }
        let longest = 1usize << (b1 & 0x1F).min(17);
        let mut rng = Rng::new(u64::from(b1 >> 5));
        let mut chunks = Vec::new();
        let mut left = body.len();
        while left > 0 {
            let n = (1 + rng.below(longest)).min(left);
            chunks.push(n);
            left -= n;
        }
        IngestCase {
            name,
            body,
            chunks,
            parts: 2 + usize::from(b0 >> 4 & 7),
        }
    }
}

/// The `ingest` target: `data` (see [`IngestCase`]) through
/// [`Ingester::new`], `push` in chunks and `finish`, then [`profile`] when
/// it loaded. Checks that the chunks do not change the outcome (the same
/// dataset or the same error as one whole read), nor reading it in parts
/// (of any size: a part may start anywhere), and that a loaded dataset
/// and its profile agree on its shape.
pub fn ingest(data: &[u8]) -> Result<Dataset, IngestError> {
    let case = IngestCase::new(data);
    let chunked = push_chunks(&case);
    let whole = read_bytes(case.name, &case.body);
    match (&chunked, &whole) {
        (Ok(a), Ok(b)) => assert_same_dataset(a, b),
        (Err(a), Err(b)) => assert_eq!(a, b, "chunked and whole reads fail differently"),
        (a, b) => panic!(
            "chunked and whole reads differ: {:?} vs {:?}",
            a.as_ref().err(),
            b.as_ref().err()
        ),
    }
    in_parts_as_whole(&case, &whole);
    if let Ok(ds) = &chunked {
        check_dataset(ds);
        assert_eq!(ds.facts.size_bytes, case.body.len() as u64);
    }
    chunked
}

/// Read in parts, the case gives `whole`'s dataset or error (when it is
/// read in parts at all).
fn in_parts_as_whole(case: &IngestCase, whole: &Result<Dataset, IngestError>) {
    let cut = Cut {
        parts: case.parts,
        min_part_bytes: 1,
    };
    let size = case.body.len() as u64;
    match (
        read_in_parts(case.name, size, &case.body[..], cut, &InTurn),
        whole,
    ) {
        (Ok(None), _) => {}
        (Ok(Some(a)), Ok(b)) => assert_same_dataset(&a, b),
        (Err(Failed::Ingest(a)), Err(b)) => {
            assert_eq!(&a, b, "parts and whole reads fail differently")
        }
        (a, b) => panic!(
            "parts and whole reads differ: {:?} vs {:?}",
            a.map(|d| d.map(|d| d.height())),
            b.as_ref().map(Dataset::height)
        ),
    }
}

fn push_chunks(case: &IngestCase) -> Result<Dataset, IngestError> {
    let mut ingester = Ingester::new(case.name, case.body.len() as u64)?;
    let mut at = 0;
    for &n in &case.chunks {
        ingester.push(&case.body[at..at + n])?;
        at += n;
    }
    ingester.finish()
}

/// Every column's values, comparable (floats by their text, so NaN
/// equals NaN).
fn column_texts(ds: &Dataset) -> Vec<String> {
    (0..ds.width())
        .map(|i| format!("{:?}", Values::of(ds, i)))
        .collect()
}

/// The same facts, names, types, date formats, notes and values (each
/// cell's text, so a NaN equals a NaN and an integer is not a float).
pub(crate) fn assert_same_dataset(a: &Dataset, b: &Dataset) {
    assert_eq!(a.facts, b.facts, "chunks or parts changed the file facts");
    assert_eq!(
        a.names(),
        b.names(),
        "chunks or parts changed the column names"
    );
    assert_eq!(a.types, b.types, "chunks or parts changed the column types");
    assert_eq!(
        a.date_formats, b.date_formats,
        "chunks or parts changed the date formats"
    );
    assert_eq!(a.notes, b.notes, "chunks or parts changed the notes");
    assert_eq!(
        column_texts(a),
        column_texts(b),
        "chunks or parts changed the values"
    );
}

/// A dataset's parts agree on its shape, and its profile too.
fn check_dataset(ds: &Dataset) {
    assert_eq!(ds.types.len(), ds.frame.width(), "one type per column");
    assert_eq!(
        ds.date_formats.len(),
        ds.width(),
        "one date format per column"
    );
    let p = profile(ds);
    assert_eq!(p.rows, ds.height() as u64);
    assert_eq!(
        p.column_profiles.len(),
        ds.width(),
        "one profile per column"
    );
    for c in &p.column_profiles {
        assert!(
            c.count + c.missing == p.rows,
            "{}: count + missing = rows",
            c.name
        );
    }
}

/// The fixed dataset recipes run on: `tests/data/clean/messy.csv`
/// (numbers, text with spelling variants, spaces, missing cells).
pub fn recipe_dataset() -> &'static Dataset {
    static DATASET: OnceLock<Dataset> = OnceLock::new();
    DATASET.get_or_init(|| {
        read_bytes(
            "messy.csv",
            include_bytes!("../../tests/data/clean/messy.csv"),
        )
        .expect("the recipe fixture loads")
    })
}

/// The `recipe` target: `text` through [`Recipe::from_json`] and, when it
/// parses, [`run`] on [`recipe_dataset`], then [`profile`] of the result.
/// `None` when `text` is not UTF-8. Checks that a parsed recipe writes and
/// reads back the same and that the run's log fits its result.
pub fn recipe(text: &[u8]) -> Option<Result<(Dataset, RunLog), CleanError>> {
    let text = std::str::from_utf8(text).ok()?;
    let recipe = match Recipe::from_json(text) {
        Ok(r) => r,
        Err(e) => return Some(Err(e)),
    };
    assert_eq!(
        Recipe::from_json(&recipe.to_json()).as_ref(),
        Ok(&recipe),
        "a recipe reads back as written"
    );
    let ds = recipe_dataset();
    let outcome = run(ds, &recipe.steps);
    if let Ok((out, log)) = &outcome {
        assert_eq!(log.rows_in, ds.height() as u64);
        assert_eq!(log.steps.len(), recipe.steps.len(), "one report per step");
        assert_eq!(log.rows_out, out.height() as u64);
        assert_eq!(log.columns_out, out.width() as u64);
        check_dataset(out);
    }
    Some(outcome)
}

/// Rows scored by the `saved_model` target.
pub const SCORED_ROWS: usize = 3;

/// The `saved_model` target: `bytes` through [`SavedModel::from_bytes`]
/// and, when they read, the model written and read back and
/// [`SCORED_ROWS`] rows scored with its scorer, both as what-if rows and
/// as a dataset with the model's feature columns.
pub fn saved_model(bytes: &[u8]) -> Result<(SavedModel, Scored), LoadError> {
    let model = SavedModel::from_bytes(bytes)?;
    if let Err(e) = SavedModel::from_bytes(&model.to_bytes()) {
        panic!("a model that was read does not read back once written: {e}");
    }
    let scorer = model.scorer();
    let features = &model.schema.features;
    for row in 0..SCORED_ROWS {
        let cells: Vec<String> = features.iter().map(|f| cell_text(f, row)).collect();
        scorer.what_if(&cells);
    }
    let ds = feature_dataset(features);
    let scored = scorer
        .predict(&ds)
        .unwrap_or_else(|e| panic!("a dataset with the model's columns does not score: {e:?}"));
    assert_eq!(scored.rows, SCORED_ROWS);
    for (name, values) in &scored.columns {
        assert_eq!(values.len(), SCORED_ROWS, "{name}: one value per row");
    }
    Ok((model, scored))
}

/// Row `row` of feature `f` as typed text: a known value, missing, an
/// unknown one.
fn cell_text(f: &Feature, row: usize) -> String {
    match (f, row) {
        (_, 1) => String::new(),
        (Feature::Number { .. }, 0) => "1.5".to_string(),
        (Feature::Date { .. }, 0) => "2024-02-29".to_string(),
        (Feature::Category { categories, .. }, 0) => {
            categories.first().cloned().unwrap_or_default()
        }
        (Feature::Number { .. }, _) => "-1e300".to_string(),
        (Feature::Date { .. }, _) => "1900-01-01T12:00".to_string(),
        (Feature::Category { .. }, _) => "never seen".to_string(),
    }
}

/// A dataset of [`SCORED_ROWS`] rows with one column per distinct feature
/// name, typed as the feature (numbers, dates, text).
fn feature_dataset(features: &[Feature]) -> Dataset {
    let mut columns = Vec::new();
    let mut types = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in features {
        if !seen.insert(f.name()) {
            continue;
        }
        let values = match f {
            Feature::Number { .. } => Values::Float(vec![Some(1.5), None, Some(-1e300)]),
            Feature::Date { .. } => Values::Date(vec![Some(19_782), None, Some(-25_567)]),
            Feature::Category { .. } => Values::Text(
                (0..SCORED_ROWS)
                    .map(|r| Some(cell_text(f, r)).filter(|t| !t.is_empty()))
                    .collect(),
            ),
        };
        types.push(values.column_type());
        columns.push(values.into_column(f.name()));
    }
    let width = columns.len();
    Dataset {
        facts: FileFacts {
            name: "rows.csv".to_string(),
            size_bytes: 0,
            format: Format::Csv,
            encoding: "UTF-8".to_string(),
            delimiter: Some(','),
            has_header: true,
            line_ending: "LF".to_string(),
            sheet: None,
            carried: None,
        },
        frame: polars_core::prelude::DataFrame::new(SCORED_ROWS, columns)
            .expect("distinct names of equal length"),
        types,
        date_formats: vec![None; width],
        notes: Vec::new(),
    }
}
