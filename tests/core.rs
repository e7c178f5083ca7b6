//! Data-driven tests of the engine against the fixtures of `tests/data`.
//!
//! Every fixture has a `<fixture>.expected.json` written by
//! `tests/data/make_expected.py` from pandas: either the expected statistics
//! or the expected error. Counts must match exactly, floats to 1e-9 relative.

use std::path::{Path, PathBuf};

use plainsight::core::ingest::{read_bytes, Dataset, Ingester};
use plainsight::core::profile::profile;
use plainsight::core::table::rows;
use plainsight::core::IngestError;
use serde_json::Value;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

/// (file name, bytes, expected JSON) of every fixture.
fn fixtures() -> Vec<(String, Vec<u8>, Value)> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(data_dir())
        .expect("tests/data exists")
        .map(|e| e.expect("readable entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".expected.json") || name.ends_with(".py") {
            continue;
        }
        let expected_path = data_dir().join(format!("{name}.expected.json"));
        let expected_text = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{name} has no {name}.expected.json"));
        let expected: Value = serde_json::from_str(&expected_text).unwrap();
        out.push((name, std::fs::read(&path).unwrap(), expected));
    }
    assert!(out.len() >= 29, "only {} fixtures found", out.len());
    out
}

fn close(actual: f64, expected: f64) -> bool {
    if actual == expected {
        return true;
    }
    let scale = actual.abs().max(expected.abs());
    (actual - expected).abs() <= 1e-9 * scale
}

/// Checks an expected error: same variant, same value for every listed field.
fn check_error(name: &str, err: &IngestError, expected: &Value) {
    let want = expected["error"].as_str().unwrap();
    let actual = serde_json::to_value(err).unwrap();
    let (variant, fields) = match &actual {
        Value::String(v) => (v.clone(), Value::Null),
        Value::Object(m) => {
            let (k, v) = m.iter().next().unwrap();
            (k.clone(), v.clone())
        }
        other => panic!("{name}: odd error shape {other}"),
    };
    assert_eq!(variant, want, "{name}: got {err:?}");
    for (key, value) in expected.as_object().unwrap() {
        if key == "error" {
            continue;
        }
        assert_eq!(&fields[key], value, "{name}: field {key} of {err:?}");
    }
}

fn check_stats(name: &str, ds: &Dataset, expected: &Value) {
    let p = profile(ds);
    assert_eq!(p.rows, expected["rows"].as_u64().unwrap(), "{name}: rows");
    assert_eq!(
        p.columns,
        expected["columns"].as_u64().unwrap(),
        "{name}: columns"
    );
    assert_eq!(
        p.duplicate_rows,
        expected["duplicate_rows"].as_u64().unwrap(),
        "{name}: duplicate_rows"
    );
    let facts = serde_json::to_value(&p.facts).unwrap();
    for (key, value) in expected["facts"].as_object().unwrap() {
        assert_eq!(&facts[key], value, "{name}: facts.{key}");
    }
    for kind in expected["notes"].as_array().unwrap() {
        assert!(
            p.notes
                .iter()
                .any(|n| Some(n.kind.as_str()) == kind.as_str()),
            "{name}: note {kind} missing from {:?}",
            p.notes
        );
    }
    let columns = expected["column_stats"].as_array().unwrap();
    assert_eq!(
        columns.len(),
        p.column_profiles.len(),
        "{name}: column count"
    );
    for (exp, got) in columns.iter().zip(&p.column_profiles) {
        let col = format!("{name}: column {}", got.name);
        assert_eq!(exp["name"].as_str(), Some(got.name.as_str()), "{col}: name");
        assert_eq!(
            exp["type"].as_str(),
            Some(got.dtype.as_str()),
            "{col}: type"
        );
        for (key, actual) in [
            ("count", got.count),
            ("missing", got.missing),
            ("distinct", got.distinct),
        ] {
            assert_eq!(exp[key].as_u64(), Some(actual), "{col}: {key}");
        }
        for (key, actual) in [
            ("mean", got.mean),
            ("std", got.std),
            ("p25", got.p25),
            ("p50", got.p50),
            ("p75", got.p75),
        ] {
            match (exp.get(key).and_then(Value::as_f64), actual) {
                (Some(e), Some(a)) => assert!(close(a, e), "{col}: {key} {a} != {e}"),
                (None, None) => {}
                (e, a) => panic!("{col}: {key} expected {e:?}, got {a:?}"),
            }
        }
        for (key, actual) in [("min", &got.min), ("max", &got.max)] {
            match exp.get(key).and_then(Value::as_str) {
                Some(e) => assert_eq!(actual.as_deref(), Some(e), "{col}: {key}"),
                // Strings and booleans have no min/max in the contract.
                None => assert!(
                    actual.is_none() || !got.dtype.is_numeric(),
                    "{col}: unexpected {key} {actual:?}"
                ),
            }
        }
        if let Some(top) = exp.get("top").and_then(Value::as_str) {
            assert_eq!(
                got.top.first().map(|(v, _)| v.as_str()),
                Some(top),
                "{col}: top"
            );
        }
    }
}

#[test]
fn fixtures_match_pandas() {
    for (name, bytes, expected) in fixtures() {
        let result = read_bytes(&name, &bytes);
        if expected.get("error").is_some() {
            match result {
                Err(e) => check_error(&name, &e, &expected),
                Ok(ds) => panic!("{name}: expected an error, read {} rows", ds.height()),
            }
        } else {
            match result {
                Ok(ds) => check_stats(&name, &ds, &expected),
                Err(e) => panic!("{name}: {e:?}"),
            }
        }
    }
}

/// Reads `bytes` pushed in chunks of `chunk` bytes.
fn read_chunked(name: &str, bytes: &[u8], chunk: usize) -> Result<Dataset, IngestError> {
    let mut ing = Ingester::new(name, bytes.len() as u64)?;
    for part in bytes.chunks(chunk) {
        ing.push(part)?;
    }
    assert_eq!(ing.bytes_seen(), bytes.len() as u64);
    ing.finish()
}

/// Everything observable about a read, for comparing two reads.
fn summary(r: &Result<Dataset, IngestError>) -> String {
    match r {
        Err(e) => format!("error {e:?}"),
        Ok(ds) => format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
            ds.facts,
            ds.names(),
            ds.types,
            ds.date_formats,
            ds.notes,
            rows(ds, None, 0, usize::MAX)
        ),
    }
}

#[test]
fn truncation_and_chunking_never_panic_and_agree() {
    for (name, bytes, _) in fixtures() {
        let mut lengths: Vec<usize> = (0..=bytes.len().min(200)).collect();
        lengths.push(bytes.len());
        for len in lengths {
            let part = &bytes[..len];
            let reference = summary(&read_chunked(&name, part, 4096));
            for chunk in [1, 7] {
                let got = summary(&read_chunked(&name, part, chunk));
                assert_eq!(got, reference, "{name} cut at {len}, chunks of {chunk}");
            }
        }
    }
}

#[test]
fn preview_rows_show_machine_text() {
    let ds = read_bytes(
        "datetimes.csv",
        &std::fs::read(data_dir().join("datetimes.csv")).unwrap(),
    )
    .unwrap();
    let page = rows(&ds, None, 2, 3);
    assert_eq!(
        page,
        vec![
            vec!["3", "2024-03-06T23:59:59.250"],
            vec!["4", "2024-03-07T00:00:00"],
            vec!["5", ""],
        ]
    );
}
