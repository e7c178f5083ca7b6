//! Bounded work on any input (issue 13): every step whose cost grows
//! faster than its input checks the size first and says so when a bound is
//! hit. Each test here is an input that, before its bound, made the engine
//! allocate without bound, run for hours or panic.

use std::time::Instant;

use plainsight::core::clean::apply::apply;
use plainsight::core::clean::auto::{propose, Mode};
use plainsight::core::clean::{CleanError, Step, MAX_NEW_COLUMNS};
use plainsight::core::csv::CHECK_CELLS;
use plainsight::core::explore::alerts::AlertConfig;
use plainsight::core::explore::correlate::{correlations_within, MAX_PAIR_COLUMNS};
use plainsight::core::explore::insights;
use plainsight::core::ingest::{read_bytes, MAX_CELLS, MAX_ROWS, MAX_TABLE_BYTES};
use plainsight::core::ml::automl::{Prepared, Run, Setup};
use plainsight::core::ml::models::{self, Labels, Model, ModelKind};
use plainsight::core::ml::prep::{Encoder, Encoding, Feature, Schema};
use plainsight::core::ml::saved::{LoadError, SavedModel};
use plainsight::core::ml::task::{
    detect_task, features, TargetError, Task, MAX_CLASSES, MAX_FEATURES,
};
use plainsight::core::ml::tree::{Node, Tree};
use plainsight::core::profile::profile;
use plainsight::core::IngestError;
use plainsight::messages;

/// `n` numeric columns × 3 rows: column `i` is constant when `i % 3 == 0`,
/// missing a value when `i % 5 == 1`, else three different numbers.
fn wide_numeric_csv(n: usize) -> Vec<u8> {
    let mut text = String::new();
    let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    text.push_str(&names.join(","));
    text.push('\n');
    for r in 0..3 {
        let cells: Vec<String> = (0..n)
            .map(|i| match (i % 3, i % 5, r) {
                (0, _, _) => "7".to_string(),
                (_, 1, 0) => String::new(),
                _ => ((i * 7 + r * 13) % 101 + r).to_string(),
            })
            .collect();
        text.push_str(&cells.join(","));
        text.push('\n');
    }
    text.into_bytes()
}

/// The columns the correlations should keep: varying and complete ones
/// first (all have 3 values), in file order, then the rest.
fn expected_kept(n: usize, limit: usize) -> Vec<String> {
    (0..n)
        .filter(|i| i % 3 != 0 && i % 5 != 1)
        .take(limit)
        .map(|i| format!("c{i}"))
        .collect()
}

#[test]
fn correlations_of_16384_numeric_columns_are_capped_and_say_so() {
    let bytes = wide_numeric_csv(16_384);
    assert!(
        bytes.len() > 150_000 && bytes.len() < 400_000,
        "{}",
        bytes.len()
    );
    let t0 = Instant::now();
    let ds = read_bytes("wide.csv", &bytes).unwrap();
    let read = t0.elapsed().as_secs_f64();
    assert_eq!((ds.width(), ds.height()), (16_384, 3));
    let p = profile(&ds);
    let profiled = t0.elapsed().as_secs_f64();
    let ins = insights(&ds, &p, &AlertConfig::default());
    let total = t0.elapsed().as_secs_f64();
    eprintln!(
        "16,384 columns: read {read:.2} s, profile {:.2} s, insights {:.2} s",
        profiled - read,
        total - profiled
    );
    // The whole pipeline (native test build) in seconds: the box plots
    // once copied every column name for each column (50 s here).
    assert!(total.is_finite() && total < 10.0, "took {total} s");
    let c = &ins.correlations;
    assert_eq!(c.numeric, expected_kept(16_384, MAX_PAIR_COLUMNS));
    assert_eq!(c.numeric_left_out.len(), 16_384 - MAX_PAIR_COLUMNS);
    assert!(c.numeric_left_out.contains(&"c0".to_string()));
    assert!(c.numeric_left_out.contains(&"c16383".to_string()));
    assert_eq!(c.pearson.len(), MAX_PAIR_COLUMNS);
    assert!(c.pearson.iter().all(|r| r.len() == MAX_PAIR_COLUMNS));
    assert!(c.spearman.iter().all(|r| r.len() == MAX_PAIR_COLUMNS));
    assert!(c.top.len() <= MAX_PAIR_COLUMNS * (MAX_PAIR_COLUMNS - 1) / 2);
    assert!(!c.top.is_empty());
    assert!(c
        .top
        .iter()
        .all(|p| p.value.is_finite() && p.value.abs() <= 1.0));
    // High-correlation alerts come from the kept columns only.
    for a in ins.alerts.iter().filter(|a| a.kind == "high-correlation") {
        assert!(c.numeric.contains(a.column.as_ref().unwrap()), "{a:?}");
    }
    assert_eq!(ins.missing.columns.len(), 16_384);
    // The proposed cleaning, a step per column, replaces each column in
    // place (each step once copied the whole frame and every name).
    let t1 = Instant::now();
    let proposals = propose(&ds, Mode::Thorough);
    let proposing = t1.elapsed().as_secs_f64();
    eprintln!(
        "16,384 columns: propose {proposing:.2} s ({} steps)",
        proposals.len()
    );
    assert!(proposals.len() > 10_000);
    // 179 s before (a copy of the frame and of every name per step).
    assert!(
        proposing.is_finite() && proposing < 90.0,
        "took {proposing} s"
    );
    let note = messages::correlation_coverage(c).expect("a sentence about the left-out columns");
    assert!(
        note.contains("cover 50 of 16,384 numeric columns"),
        "{note}"
    );
    assert!(note.contains("left out: c0, c1, c3"), "{note}");
    assert!(note.contains("and 16,322 more"), "{note}");
}

#[test]
fn correlations_keep_the_most_complete_columns() {
    // a: one missing; b, d: complete and varying; c: constant. Text: x is
    // missing twice, y and z complete.
    let text = "a,b,c,d,x,y,z\n\
                ,1,5,2,p,u,k\n\
                2,2,5,1,,u,k\n\
                3,3,5,4,,v,m\n\
                4,5,5,3,q,v,m\n\
                5,4,5,5,p,u,k\n\
                6,6,5,6,q,v,m\n";
    let ds = read_bytes("t.csv", text.as_bytes()).unwrap();
    let c = correlations_within(&ds, 2);
    assert_eq!(c.numeric, vec!["b", "d"]);
    assert_eq!(c.numeric_left_out, vec!["a", "c"]);
    assert_eq!(c.categorical, vec!["y", "z"]);
    assert_eq!(c.categorical_left_out, vec!["x"]);
    assert_eq!(c.eta.len(), 2);
    assert!(c.eta.iter().all(|r| r.len() == 2));
    let note = messages::correlation_coverage(&c).unwrap();
    assert!(note.contains("cover 2 of 4 numeric columns"), "{note}");
    assert!(note.contains("cover 2 of 3 categorical columns"), "{note}");
    // Within the limit, nothing is left out and nothing is said.
    let all = correlations_within(&ds, MAX_PAIR_COLUMNS);
    assert_eq!(all.numeric.len(), 4);
    assert!(all.numeric_left_out.is_empty() && all.categorical_left_out.is_empty());
    assert_eq!(messages::correlation_coverage(&all), None);
}

// ------------------------------------------------------------ ingest

/// A 16,384-column header, then `rows` rows of one field each.
fn short_rows_under_wide_header(rows: usize) -> Vec<u8> {
    let mut text: Vec<u8> = (0..16_384)
        .map(|i| format!("c{i}"))
        .collect::<Vec<_>>()
        .join(",")
        .into_bytes();
    text.push(b'\n');
    for r in 0..rows {
        text.extend_from_slice(format!("{r}\n").as_bytes());
    }
    text
}

#[test]
fn short_rows_padded_to_a_wide_header_stop_at_the_memory_bound() {
    let bytes = short_rows_under_wide_header(12_000);
    assert!(bytes.len() < 500_000, "{}", bytes.len());
    // Each padded cell would be a missing text cell once built: 16 bytes,
    // its length byte and 4 for a category code, so 3 GB pass after about
    // 8,719 rows of 16,384 cells; the estimate runs every CHECK_CELLS
    // cells (64 rows here).
    let err = read_bytes("short.csv", &bytes).unwrap_err();
    let IngestError::TooMuchMemory {
        row,
        line,
        columns,
        bytes,
        limit,
    } = err
    else {
        panic!("{err:?}");
    };
    assert_eq!((columns, limit, line), (16_384, MAX_TABLE_BYTES, row + 1));
    let per_row = 21 * 16_384;
    let least = MAX_TABLE_BYTES / per_row;
    let most = least + 2 + CHECK_CELLS / 16_384;
    assert!(
        (least..=most).contains(&row),
        "row {row}, not within {least}..={most}"
    );
    assert!(
        bytes > limit && bytes <= limit + per_row * (most - least),
        "{bytes}"
    );
    let text = messages::ingest_error("short.csv", &err);
    assert!(text.contains(&format!("line {line} (row {row})")), "{text}");
    assert!(
        text.contains("3.0 GB") && text.contains("16384 columns"),
        "{text}"
    );
    assert!(text.contains("as many fields as the header"), "{text}");
    // Below the bound the same shape reads, padded.
    let ds = read_bytes("short.csv", &short_rows_under_wide_header(100)).unwrap();
    assert_eq!((ds.width(), ds.height()), (16_384, 100));
}

#[test]
fn a_column_longer_than_the_row_bound_stops_there() {
    // A one-column file of MAX_ROWS + 2 one-digit rows (100 MB): its
    // memory estimate stays far under the budget, the row bound stops it.
    let rows = MAX_ROWS as usize + 2;
    let mut bytes = Vec::with_capacity(2 * rows + 2);
    bytes.extend_from_slice(b"a\n");
    for r in 0..rows {
        bytes.extend_from_slice(if r % 2 == 0 { b"1\n" } else { b"2\n" });
    }
    let err = read_bytes("long.csv", &bytes).unwrap_err();
    assert_eq!(
        err,
        IngestError::TooManyRows {
            row: MAX_ROWS + 1,
            line: Some(MAX_ROWS + 2),
            limit: MAX_ROWS,
        }
    );
    let text = messages::ingest_error("long.csv", &err);
    assert!(
        text.contains("line 50000002 (row 50000001)") && text.contains("50,000,000 rows"),
        "{text}"
    );
}

/// `rows` records `{"a": r}`, then one with `keys` new keys.
fn late_keys(rows: usize, keys: usize, ndjson: bool) -> Vec<u8> {
    let mut records: Vec<String> = (0..rows).map(|r| format!("{{\"a\":{r}}}")).collect();
    let late: Vec<String> = (0..keys).map(|k| format!("\"k{k}\":1")).collect();
    records.push(format!("{{{}}}", late.join(",")));
    let text = if ndjson {
        records.join("\n")
    } else {
        format!("[{}]", records.join(",\n"))
    };
    text.into_bytes()
}

#[test]
fn late_json_keys_stop_at_the_cell_bound() {
    // Record 60,001 adds keys; each adds a cell to the 60,000 records
    // before: the 1,667th column passes 100,000,000 cells.
    for (name, ndjson, line) in [
        ("late.ndjson", true, Some(60_001)),
        ("late.json", false, None),
    ] {
        let bytes = late_keys(60_000, 2_000, ndjson);
        assert!(bytes.len() < 1_000_000, "{}", bytes.len());
        let err = read_bytes(name, &bytes).unwrap_err();
        assert_eq!(
            err,
            IngestError::TooManyCells {
                row: 60_001,
                line,
                columns: 1_667,
                limit: MAX_CELLS,
            },
            "{name}"
        );
        let text = messages::ingest_error(name, &err);
        let at = if ndjson {
            "line 60001 (row 60001)"
        } else {
            "record 60001"
        };
        assert!(text.contains(at), "{text}");
        // Fewer late keys read.
        let ds = read_bytes(name, &late_keys(60_000, 100, ndjson)).unwrap();
        assert_eq!((ds.width(), ds.height()), (101, 60_001));
    }
}

// ------------------------------------------------------------ cleaning

/// A text column `v` with `n` distinct values (each twice).
fn many_categories(n: usize) -> plainsight::core::Dataset {
    let mut text = String::from("v,x\n");
    for i in 0..2 * n {
        text.push_str(&format!("cat{},{}\n", i % n, i));
    }
    read_bytes("cats.csv", text.as_bytes()).unwrap()
}

#[test]
fn one_hot_refuses_more_columns_than_a_step_may_make() {
    let ds = many_categories(150);
    let step = |max_categories| Step::OneHot {
        column: "v".into(),
        max_categories,
    };
    let mut d = ds.clone();
    let err = apply(&mut d, &step(1_000_000)).unwrap_err();
    assert_eq!(
        err,
        CleanError::TooWide {
            step: 0,
            op: "one_hot".into(),
            column: "v".into(),
            columns: 150,
            limit: MAX_NEW_COLUMNS,
        }
    );
    assert_eq!(d.width(), 2, "nothing changed");
    let text = messages::clean_error(&err.clone().at_step(3));
    assert!(
        text.starts_with("Step 3 (one hot) would turn \"v\" into 150 columns"),
        "{text}"
    );
    assert!(text.contains("99 or fewer"), "{text}");
    // The same refusal in a recipe, at its step, and as SQL.
    assert!(matches!(
        plainsight::core::clean::recipe::run(&ds, &[Step::DropDuplicates, step(500)]),
        Err(CleanError::TooWide { step: 2, .. })
    ));
    assert!(matches!(
        plainsight::core::clean::sql::to_sql(&ds, "cats.csv", &[step(500)]),
        Err(CleanError::TooWide { columns: 150, .. })
    ));
    // 99 kept + "other" = 100 columns: allowed.
    let mut d = ds.clone();
    apply(&mut d, &step(MAX_NEW_COLUMNS - 1)).unwrap();
    assert_eq!(d.width(), 1 + MAX_NEW_COLUMNS);
    // The proposer never offers a one-hot past the bound.
    for p in propose(&many_categories(MAX_NEW_COLUMNS + 5), Mode::Thorough) {
        assert!(!matches!(p.step, Step::OneHot { .. }), "{:?}", p.step);
    }
}

// ------------------------------------------------------------ models

/// `n` rows × `width` numeric features `f0..` and a yes/no `target`.
fn wide_table(rows: usize, width: usize) -> plainsight::core::Dataset {
    let mut text: Vec<String> = (0..width).map(|i| format!("f{i}")).collect();
    text.push("target".into());
    let mut out = text.join(",");
    out.push('\n');
    for r in 0..rows {
        let mut cells: Vec<String> = (0..width)
            .map(|i| ((r * 31 + i * 17) % 97 % 10).to_string())
            .collect();
        cells.push(if r % 2 == 0 { "yes" } else { "no" }.into());
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    read_bytes("wide.csv", out.as_bytes()).unwrap()
}

#[test]
fn models_learn_from_at_most_max_features_and_say_which_were_left_out() {
    let ds = wide_table(40, MAX_FEATURES + 50);
    let p = profile(&ds);
    let (kept, excluded) = features(&p, Some("target"));
    assert_eq!(kept.len(), MAX_FEATURES);
    assert_eq!(kept.first().map(String::as_str), Some("f0"));
    assert_eq!(excluded.len(), 50);
    assert_eq!(excluded[0].column, format!("f{MAX_FEATURES}"));
    assert!(
        excluded[0].reason.contains("at most 100"),
        "{}",
        excluded[0].reason
    );
    // A setup that asks for more (an older page, the CLI) is capped too.
    let all: Vec<String> = (0..MAX_FEATURES + 50).map(|i| format!("f{i}")).collect();
    let setup = Setup {
        target: Some("target".into()),
        task: Task::Classification,
        features: all,
        seed: 1,
        budget_secs: 0.0,
    };
    let prepared = Prepared::new(&ds, setup).unwrap();
    assert_eq!(prepared.schema.features.len(), MAX_FEATURES);
    assert_eq!(prepared.setup.features.len(), MAX_FEATURES);
    let run = Run::new(prepared);
    let board = run.board();
    assert_eq!(board.left_out.len(), 50);
    assert_eq!(board.left_out[49].column, format!("f{}", MAX_FEATURES + 49));
}

#[test]
fn a_text_target_with_too_many_classes_is_refused() {
    let ds = many_categories(MAX_CLASSES as usize + 1);
    let p = profile(&ds);
    assert_eq!(
        detect_task(&p, Some("v")),
        Err(TargetError::TooManyClasses {
            column: "v".into(),
            classes: MAX_CLASSES + 1,
            limit: MAX_CLASSES,
        })
    );
    let text = messages::target_error(&detect_task(&p, Some("v")).unwrap_err());
    assert!(text.contains("at most 100 classes"), "{text}");
    assert_ne!(
        plainsight::core::ml::task::suggest_target(&p).as_deref(),
        Some("v")
    );
    let ds = many_categories(MAX_CLASSES as usize);
    assert_eq!(
        detect_task(&profile(&ds), Some("v")),
        Ok(Task::Classification)
    );
}

// ------------------------------------------------------------ saved models

/// 40 rows, two numeric features, two classes.
fn xy() -> (Vec<Vec<f64>>, Vec<u32>) {
    let a: Vec<f64> = (0..40).map(|i| (i % 10) as f64).collect();
    let b: Vec<f64> = (0..40).map(|i| ((i * 7) % 13) as f64).collect();
    let y: Vec<u32> = (0..40).map(|i| u32::from(i % 10 >= 5)).collect();
    (vec![a, b], y)
}

/// A saved classifier over features `a` and `b`.
fn saved(kind: ModelKind, model: Model) -> SavedModel {
    let names = ["a", "b"];
    SavedModel {
        kind,
        setup: Setup {
            target: Some("t".into()),
            task: Task::Classification,
            features: names.iter().map(|n| n.to_string()).collect(),
            seed: 1,
            budget_secs: 1.0,
        },
        schema: Schema {
            features: names
                .iter()
                .map(|n| Feature::Number {
                    name: n.to_string(),
                })
                .collect(),
        },
        target: "t".into(),
        classes: vec!["no".into(), "yes".into()],
        encoder: Encoder {
            columns: vec![
                Encoding::Number {
                    median: 0.0,
                    mean: 0.0,
                    std: 1.0,
                };
                2
            ],
        },
        model,
    }
}

fn fitted(kind: ModelKind) -> SavedModel {
    let (x, y) = xy();
    let m = models::fit(
        kind,
        &x,
        Labels::Classes {
            y: &y,
            n_classes: 2,
        },
        1,
    )
    .unwrap();
    saved(kind, m)
}

fn damaged(m: &SavedModel) -> String {
    match SavedModel::from_bytes(&m.to_bytes()) {
        Err(LoadError::Damaged { why }) => why,
        other => panic!("expected a damaged model, got {:?}", other.map(|m| m.kind)),
    }
}

fn tree_of(nodes: Vec<Node>) -> SavedModel {
    saved(
        ModelKind::DecisionTree,
        Model::Tree {
            tree: Tree { nodes },
            n_classes: Some(2),
        },
    )
}

fn split(feature: usize, left: usize, right: usize) -> Node {
    Node::Split {
        feature,
        bin: 0,
        threshold: 0.5,
        missing_left: false,
        left,
        right,
    }
}

fn leaf(value: &[f64]) -> Node {
    Node::Leaf {
        value: value.to_vec(),
    }
}

#[test]
fn valid_models_still_read() {
    for kind in [
        ModelKind::Baseline,
        ModelKind::LogisticRegression,
        ModelKind::NaiveBayes,
        ModelKind::Knn,
        ModelKind::DecisionTree,
        ModelKind::RandomForest,
        ModelKind::GradientBoosting,
    ] {
        let m = fitted(kind);
        assert_eq!(
            SavedModel::from_bytes(&m.to_bytes()).as_ref(),
            Ok(&m),
            "{kind:?}"
        );
    }
    let good = tree_of(vec![split(1, 1, 2), leaf(&[0.2, 0.8]), leaf(&[0.9, 0.1])]);
    assert!(SavedModel::from_bytes(&good.to_bytes()).is_ok());
}

#[test]
fn crafted_saved_models_are_refused_without_panic() {
    let p = [0.5, 0.5];
    // Tree structure: a child pointing backwards, out of range, a feature
    // past the schema's width, leaves of the wrong width.
    let cases: Vec<(&str, SavedModel)> = vec![
        (
            "child backwards",
            tree_of(vec![split(0, 0, 2), leaf(&p), leaf(&p)]),
        ),
        (
            "child out of range",
            tree_of(vec![split(0, 1, 9), leaf(&p), leaf(&p)]),
        ),
        (
            "feature past the schema",
            tree_of(vec![split(2, 1, 2), leaf(&p), leaf(&p)]),
        ),
        (
            "leaf too narrow",
            tree_of(vec![split(0, 1, 2), leaf(&[1.0]), leaf(&p)]),
        ),
        ("leaf empty", tree_of(vec![leaf(&[])])),
    ];
    for (what, m) in &cases {
        let why = damaged(m);
        assert!(!why.is_empty(), "{what}");
    }
    assert!(damaged(&cases[0].1).contains("node 0 is malformed"));
    // Shapes against the encoder's width and the classes.
    let mut m = fitted(ModelKind::LogisticRegression);
    if let Model::Logistic { coef, .. } = &mut m.model {
        coef[1].push(1.0);
    }
    damaged(&m);
    let mut m = fitted(ModelKind::Knn);
    if let Model::Knn { y, .. } = &mut m.model {
        y[3] = 7.0; // a class past the two
    }
    damaged(&m);
    let mut m = fitted(ModelKind::Knn);
    if let Model::Knn { columns, y, .. } = &mut m.model {
        // More stored rows than k-NN keeps.
        let n = plainsight::core::ml::models::KNN_MAX_ROWS + 1;
        *columns = vec![vec![0.0; n]; 2];
        *y = vec![0.0; n];
    }
    damaged(&m);
    let mut m = fitted(ModelKind::NaiveBayes);
    m.schema.features.pop();
    m.encoder.columns.pop();
    m.setup.features.pop();
    assert!(
        damaged(&m).contains("does not fit"),
        "naive Bayes for 2 columns read as 1"
    );
    let mut m = fitted(ModelKind::Baseline);
    m.classes.push("maybe".into());
    damaged(&m);
    let mut m = fitted(ModelKind::RandomForest);
    m.classes.truncate(1);
    damaged(&m);
    let mut m = fitted(ModelKind::GradientBoosting);
    if let Model::Boosting(b) = &mut m.model {
        b.baseline.push(0.0);
    }
    damaged(&m);
    let m = saved(
        ModelKind::KMeans,
        Model::KMeans {
            centroids: vec![vec![0.0; 3]],
            inertia: 0.0,
        },
    );
    damaged(&m);
    // A one-hot encoding wider than its categories (a million columns
    // per row when scoring).
    let mut m = fitted(ModelKind::DecisionTree);
    m.schema.features[0] = Feature::Category {
        name: "a".into(),
        categories: vec!["x".into()],
    };
    m.encoder.columns[0] = Encoding::OneHot {
        levels: 1_000_000,
        seen: vec![false; 1_000_000],
    };
    assert!(damaged(&m).contains("encoding"));
}

#[test]
fn truncated_and_garbled_model_bytes_are_refused() {
    let bytes = fitted(ModelKind::RandomForest).to_bytes();
    for cut in (0..bytes.len()).step_by(bytes.len() / 97 + 1) {
        assert!(
            SavedModel::from_bytes(&bytes[..cut]).is_err(),
            "cut at {cut}"
        );
    }
    // Every byte flipped in turn, over the first 2,000: an error or a
    // model that passed the checks, never a panic.
    for i in 6..bytes.len().min(2_000) {
        let mut b = bytes.clone();
        b[i] ^= 0xA5;
        if let Ok(m) = SavedModel::from_bytes(&b) {
            let ds = read_bytes("x.csv", b"a,b\n1,2\n,3\n").unwrap();
            let _ = m.scorer().predict(&ds);
        }
    }
}

/// CBOR: a header with major type `major` and argument `n`.
fn cbor_head(major: u8, n: u64) -> Vec<u8> {
    let mut v = vec![(major << 5) | 27];
    v.extend_from_slice(&n.to_be_bytes());
    v
}

#[test]
fn huge_declared_lengths_are_refused() {
    let mut prefix = b"PSML".to_vec();
    prefix.extend_from_slice(&2u16.to_le_bytes());
    // A map, an array and a byte string each declaring 2^61 entries.
    for major in [5u8, 4, 2] {
        let mut b = prefix.clone();
        b.extend(cbor_head(major, 1 << 61));
        b.extend_from_slice(&[0; 16]);
        assert!(
            matches!(SavedModel::from_bytes(&b), Err(LoadError::Damaged { .. })),
            "major {major}"
        );
    }
    // Inside a valid model: the tree's leaves as a 2-byte index into one
    // shared row of 100 values, 8 million of them: 6.4 GB once copied out.
    let m = tree_of(vec![split(0, 1, 2), leaf(&[0.5, 0.5]), leaf(&[0.5, 0.5])]);
    let bytes = m.to_bytes();
    let mut v: ciborium::Value = ciborium::from_reader(&bytes[6..]).unwrap();
    let leaves = 8 << 20;
    let packed = find_map_with(&mut v, "threshold").expect("the packed tree");
    for (k, val) in packed.iter_mut() {
        match k.as_text() {
            Some("kind") => *val = ciborium::Value::Bytes(vec![0; leaves]),
            Some("feature" | "bin" | "threshold" | "left" | "right") => {
                *val = ciborium::Value::Bytes(Vec::new())
            }
            Some("width") => *val = ciborium::Value::Integer(100.into()),
            Some("values") => *val = ciborium::Value::Bytes(vec![0; 800]),
            Some("index_width") => *val = ciborium::Value::Integer(2.into()),
            Some("index") => *val = ciborium::Value::Bytes(vec![0; 2 * leaves]),
            _ => {}
        }
    }
    let mut crafted = bytes[..6].to_vec();
    ciborium::into_writer(&v, &mut crafted).unwrap();
    match SavedModel::from_bytes(&crafted) {
        Err(LoadError::Damaged { why }) => assert!(why.contains("leaf values"), "{why}"),
        other => panic!("{:?}", other.map(|m| m.kind)),
    }
}

/// The first map (depth first) that has the key `key`.
fn find_map_with<'a>(
    v: &'a mut ciborium::Value,
    key: &str,
) -> Option<&'a mut Vec<(ciborium::Value, ciborium::Value)>> {
    match v {
        ciborium::Value::Map(m) => {
            if m.iter().any(|(k, _)| k.as_text() == Some(key)) {
                return Some(m);
            }
            m.iter_mut().find_map(|(_, v)| find_map_with(v, key))
        }
        ciborium::Value::Array(a) => a.iter_mut().find_map(|v| find_map_with(v, key)),
        _ => None,
    }
}

#[test]
fn cli_predict_refuses_a_crafted_model() {
    let dir = std::env::temp_dir().join(format!("plainsight-bounds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let model = dir.join("backwards.psml");
    let data = dir.join("rows.csv");
    std::fs::write(
        &model,
        tree_of(vec![split(0, 0, 2), leaf(&[0.5, 0.5]), leaf(&[0.5, 0.5])]).to_bytes(),
    )
    .unwrap();
    std::fs::write(&data, "a,b\n1,2\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_plainsight"))
        .arg("predict")
        .arg(&model)
        .arg(&data)
        .arg("-o")
        .arg(dir.join("out.csv"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(out.status.code().is_some(), "exited by a signal: {stderr}");
    assert!(
        stderr.contains("This saved model cannot be used: it is damaged"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn knn_is_not_fitted_on_more_columns_than_its_search_handles() {
    use plainsight::core::ml::models::KNN_MAX_COLUMNS;
    use plainsight::core::ml::MlError;
    let y: Vec<u32> = (0..40).map(|i| i % 2).collect();
    let wide: Vec<Vec<f64>> = (0..KNN_MAX_COLUMNS + 1)
        .map(|c| (0..40).map(|r| ((r * 7 + c) % 11) as f64).collect())
        .collect();
    let err = models::fit(
        ModelKind::Knn,
        &wide,
        Labels::Classes {
            y: &y,
            n_classes: 2,
        },
        1,
    )
    .unwrap_err();
    assert_eq!(
        err,
        MlError::TooWide {
            model: ModelKind::Knn.name().to_string(),
            columns: KNN_MAX_COLUMNS + 1,
            limit: KNN_MAX_COLUMNS,
        }
    );
    assert!(messages::ml_error(&err).contains("at most 32 columns"));
    assert!(models::fit(
        ModelKind::Knn,
        &wide[..KNN_MAX_COLUMNS],
        Labels::Classes {
            y: &y,
            n_classes: 2
        },
        1
    )
    .is_ok());
}
