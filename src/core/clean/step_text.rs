//! Reading a step (or a recipe's steps) that a person wrote as JSON:
//! where the text is wrong and how, and keys that no step has.
//!
//! serde ignores keys a struct does not name, so `{"op": "scale",
//! "colum": "x", "column": "y"}` would silently scale `y`; and its
//! messages ("EOF while parsing a value at line 1 column 47") are written
//! for programmers. [`step_from_text`] reads the step, then writes it back
//! and names every key of the text that did not survive the round trip.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::step::Step;
use crate::core::model::ColumnType;

/// Why a step's text is not a step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum StepTextError {
    /// Not JSON: `what` went wrong at `line`, `column` (from 1).
    Syntax {
        line: usize,
        column: usize,
        what: String,
    },
    /// JSON, but not the settings of a step (`what`: in words).
    NotAStep { what: String },
    /// Keys that no setting of this step has (dotted paths, "fill.valeu");
    /// `known`: the keys the step has.
    UnknownKeys {
        keys: Vec<String>,
        known: Vec<String>,
    },
}

/// The step written in `text`.
pub fn step_from_text(text: &str) -> Result<Step, StepTextError> {
    if text.trim().is_empty() {
        return Err(StepTextError::NotAStep {
            what: "the text is empty: write the step's settings".into(),
        });
    }
    let value: Value = serde_json::from_str(text).map_err(|e| StepTextError::Syntax {
        line: e.line(),
        column: e.column(),
        what: syntax_problem(&e),
    })?;
    step_from_value(value)
}

/// The step in `value`, refusing keys it does not use.
pub fn step_from_value(value: Value) -> Result<Step, StepTextError> {
    let step: Step = match serde_json::from_value(value.clone()) {
        Ok(step) => step,
        // A misspelt key usually shows as a missing one: name it, with
        // the keys this kind of step has (from its template).
        Err(e) => {
            let missing = e.to_string().starts_with("missing field");
            return Err(misspelt(&value)
                .filter(|_| missing)
                .unwrap_or(StepTextError::NotAStep {
                    what: value_problem(&e),
                }));
        }
    };
    let written = serde_json::to_value(&step).unwrap_or(Value::Null);
    let mut keys = Vec::new();
    // A merge of recipe version 1 had `into` and `values` at the top
    // (`values` alone is read by nothing, so it is not allowed alone).
    let legacy: &[&str] = if matches!(step, Step::MergeValues(_)) && value.get("into").is_some() {
        &["into", "values"]
    } else {
        &[]
    };
    unknown_keys(&value, &written, "", legacy, &mut keys);
    if keys.is_empty() {
        Ok(step)
    } else {
        Err(StepTextError::UnknownKeys {
            keys,
            known: setting_names(&written),
        })
    }
}

/// The top-level keys of `value` that a step of its `op` does not have,
/// when there are any and the op is known.
fn misspelt(value: &Value) -> Option<StepTextError> {
    let op = value.get("op")?.as_str()?;
    let template = Step::template(op, Some(("x", ColumnType::Integer)))?;
    let known = setting_names(&serde_json::to_value(&template).ok()?);
    let keys: Vec<String> = setting_names(value)
        .into_iter()
        .filter(|k| !known.contains(k))
        .collect();
    (!keys.is_empty()).then_some(StepTextError::UnknownKeys { keys, known })
}

/// The settings of a step as written (its top-level keys but "op").
fn setting_names(written: &Value) -> Vec<String> {
    match written {
        Value::Object(w) => w.keys().filter(|k| *k != "op").cloned().collect(),
        _ => Vec::new(),
    }
}

/// Keys of `read` (non-null) that `written` lacks, with their paths.
fn unknown_keys(
    read: &Value,
    written: &Value,
    path: &str,
    allowed: &[&str],
    out: &mut Vec<String>,
) {
    match (read, written) {
        (Value::Object(r), Value::Object(w)) => {
            for (k, v) in r {
                let here = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                match w.get(k) {
                    Some(wv) => unknown_keys(v, wv, &here, &[], out),
                    None if v.is_null() || allowed.contains(&k.as_str()) => {}
                    None => out.push(here),
                }
            }
        }
        (Value::Array(r), Value::Array(w)) => {
            for (i, (rv, wv)) in r.iter().zip(w).enumerate() {
                unknown_keys(rv, wv, &format!("{path}[{}]", i + 1), &[], out);
            }
        }
        _ => {}
    }
}

/// serde_json's syntax message in words, without its position.
fn syntax_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    if e.classify() == Category::Eof {
        return "the text ends too early: a closing } or ] or \" is missing".into();
    }
    let raw = e.to_string();
    let raw = raw.split(" at line ").next().unwrap_or(&raw);
    match raw {
        "trailing comma" => "there is a comma before a closing } or ]: remove it".into(),
        "key must be a string" => "a setting's name must be in double quotes".into(),
        "expected `,` or `}`" => "a comma or a closing } is missing".into(),
        "expected `,` or `]`" => "a comma or a closing ] is missing".into(),
        "expected `:`" => "a colon is missing after a setting's name".into(),
        "expected value" => "a value is missing or is not JSON (text needs double quotes)".into(),
        "trailing characters" => "there is more text after the step's closing }".into(),
        other => other.to_string(),
    }
}

/// serde's message about a step's settings in words.
fn value_problem(e: &serde_json::Error) -> String {
    let raw = e.to_string();
    if raw.starts_with("missing field `op`") {
        return "the step has no \"op\" (which operation it is)".into();
    }
    if let Some(rest) = raw.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return format!("the setting \"{field}\" is missing");
    }
    if let Some(rest) = raw.strip_prefix("unknown variant `") {
        let mut parts = rest.splitn(2, '`');
        let got = parts.next().unwrap_or_default();
        let allowed: Vec<&str> = parts
            .next()
            .unwrap_or_default()
            .split('`')
            .skip(1)
            .step_by(2)
            .collect();
        return format!(
            "\"{got}\" is not one of the choices ({})",
            allowed.join(", ")
        );
    }
    if let Some(rest) = raw.strip_prefix("invalid type: ") {
        // "string \"a\", expected f64" → "a text (\"a\") where a number belongs"
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!("{} where {} belongs", got, expected_words(want));
    }
    raw
}

fn expected_words(want: &str) -> &str {
    match want {
        "f64" | "f32" => "a number",
        "u32" | "u64" | "usize" | "i64" | "i32" => "a whole number",
        "a string" => "text in double quotes",
        "a sequence" => "a list in [ ]",
        "a boolean" => "true or false",
        "" => "another value",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typo_key_is_named_not_ignored() {
        let err =
            step_from_text(r#"{"op": "scale", "colum": "x", "column": "y", "method": "standard"}"#)
                .unwrap_err();
        assert_eq!(
            err,
            StepTextError::UnknownKeys {
                keys: vec!["colum".into()],
                known: vec!["column".into(), "method".into()]
            }
        );
        let err = step_from_text(
            r#"{"op": "fill_missing", "column": "age", "fill": {"method": "constant", "valeu": "0", "value": "1"}}"#,
        )
        .unwrap_err();
        assert!(
            matches!(&err, StepTextError::UnknownKeys { keys, .. } if keys == &["fill.valeu"]),
            "{err:?}"
        );
    }

    #[test]
    fn good_steps_and_old_merges_read() {
        let s = step_from_text(r#"{"op": "drop_duplicates"}"#).unwrap();
        assert_eq!(s, Step::DropDuplicates);
        let v1 = r#"{"op": "merge_values", "column": "c", "into": "DE", "values": ["de"]}"#;
        assert!(step_from_text(v1).is_ok());
        // `values` without `into` is read by nothing: refused, not dropped.
        let stray = r#"{"op": "merge_values", "column": "c", "groups": [], "values": ["x"]}"#;
        assert!(matches!(
            step_from_text(stray),
            Err(StepTextError::UnknownKeys { keys, .. }) if keys == ["values"]
        ));
        // A wrong value is said as such, even with an extra key around.
        assert!(matches!(
            step_from_text(r#"{"op": "scale", "column": "x", "method": "standrd", "note": 1}"#),
            Err(StepTextError::NotAStep { what }) if what.contains("standrd")
        ));
        // A null for an optional setting is not an unknown key.
        let yj = r#"{"op": "transform", "column": "x", "transform": {"kind": "yeo_johnson", "lambda": null}}"#;
        assert!(step_from_text(yj).is_ok(), "{:?}", step_from_text(yj));
    }

    #[test]
    fn syntax_errors_have_a_place_and_words() {
        match step_from_text("{\"op\": \"scale\",\n \"column\": \"x\"") {
            Err(StepTextError::Syntax { line, what, .. }) => {
                assert_eq!(line, 2);
                assert!(what.contains("ends too early"), "{what}");
            }
            other => panic!("{other:?}"),
        }
        match step_from_text(r#"{"op": "scale", "column": "x",}"#) {
            Err(StepTextError::Syntax { what, .. }) => assert!(what.contains("comma"), "{what}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_settings_say_which() {
        match step_from_text(r#"{"op": "fil_missing", "column": "x"}"#) {
            Err(StepTextError::NotAStep { what }) => {
                assert!(
                    what.starts_with("\"fil_missing\" is not one of the choices (")
                        && what.contains(", fill_missing,"),
                    "{what}"
                )
            }
            other => panic!("{other:?}"),
        }
        // "colum" for "column": the misspelt key is named, not the missing one.
        match step_from_text(r#"{"op": "scale", "colum": "x", "method": "standard"}"#) {
            Err(StepTextError::UnknownKeys { keys, known }) => {
                assert_eq!(keys, ["colum"]);
                assert!(known.contains(&"column".to_string()), "{known:?}");
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            step_from_text("  "),
            Err(StepTextError::NotAStep { what }) if what.contains("empty")
        ));
        match step_from_text(r#"{"op": "scale", "method": "standard"}"#) {
            Err(StepTextError::NotAStep { what }) => {
                assert_eq!(what, "the setting \"column\" is missing")
            }
            other => panic!("{other:?}"),
        }
    }
}
