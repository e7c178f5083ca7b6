//! JSON input: an array of flat objects, a stream of objects (NDJSON, one per
//! line, or several top-level objects in a `.json` file).
//!
//! Keys become columns in first-seen order; a key missing from a record is a
//! missing value, `null` is missing, nested objects/arrays are kept as their
//! JSON text. Values are buffered as text and typed by the same whole-column
//! inference as CSV cells (so `"12"` and `12` both count as integers).

use std::collections::HashMap;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::core::csv::MAX_COLUMNS;
use crate::core::error::IngestError;
use crate::core::ingest::{MAX_CELLS, MAX_ROWS};
use crate::core::raw::RawColumn;

/// Prefix of serde errors that are really shape errors (`JsonShape`).
const SHAPE: &str = "\u{1}shape:";

/// One top-level element: a record (keys in file order) or something else.
enum Element {
    Record(Vec<(String, Value)>),
}

struct ElementVisitor;

fn shape_error<E: de::Error>(found: &str) -> E {
    E::custom(format!("{SHAPE}{found}"))
}

impl<'de> Visitor<'de> for ElementVisitor {
    type Value = Element;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Element, A::Error> {
        let mut fields = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let value: Value = map.next_value()?;
            fields.push((key, value));
        }
        Ok(Element::Record(fields))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Element, A::Error> {
        Err(shape_error("an array (a list of lists)"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Element, E> {
        Err(shape_error("true/false"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Element, E> {
        Err(shape_error("a number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Element, E> {
        Err(shape_error("a number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Element, E> {
        Err(shape_error("a number"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Element, E> {
        Err(shape_error("a text value"))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Element, E> {
        Err(shape_error("null"))
    }
}

impl<'de> Deserialize<'de> for Element {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Element, D::Error> {
        d.deserialize_any(ElementVisitor)
    }
}

/// Visits a top-level array, adding each record to the table as it is read
/// (the records are never all held as `Value`s at once).
struct ArraySeed<'t> {
    table: &'t mut JsonTable,
    /// An error from the table (too many columns), reported after serde unwinds.
    failure: &'t mut Option<IngestError>,
}

impl<'de> DeserializeSeed<'de> for ArraySeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArraySeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(Element::Record(fields)) = seq.next_element::<Element>()? {
            if let Err(e) = self.table.add_row(fields) {
                *self.failure = Some(e);
                return Err(de::Error::custom("stopped"));
            }
        }
        Ok(())
    }
}

/// Records read so far, as raw text columns.
#[derive(Default)]
pub struct JsonTable {
    pub names: Vec<String>,
    index: HashMap<String, usize>,
    pub columns: Vec<RawColumn>,
    pub rows: usize,
    /// When the records were a list inside a wrapping object
    /// (`{"data": [{...}, ...]}`), the key of that list.
    pub records_key: Option<String>,
}

impl JsonTable {
    /// Adds one record; every column gets a cell (a new key also one for
    /// each earlier record), so the cells are checked against
    /// [`MAX_CELLS`] before the row and before each new column.
    fn add_row(&mut self, fields: Vec<(String, Value)>) -> Result<(), IngestError> {
        let row = self.rows as u64 + 1;
        let too_many = |columns: usize| IngestError::TooManyCells {
            row,
            line: None,
            columns,
            limit: MAX_CELLS,
        };
        if row > MAX_ROWS {
            return Err(IngestError::TooManyRows {
                row,
                line: None,
                limit: MAX_ROWS,
            });
        }
        if row * self.columns.len() as u64 > MAX_CELLS {
            return Err(too_many(self.columns.len()));
        }
        for (key, value) in fields {
            let i = match self.index.get(&key) {
                Some(&i) => i,
                None => {
                    if self.columns.len() >= MAX_COLUMNS {
                        return Err(IngestError::TooManyColumns {
                            found: self.columns.len() + 1,
                            limit: MAX_COLUMNS,
                        });
                    }
                    if row * (self.columns.len() as u64 + 1) > MAX_CELLS {
                        return Err(too_many(self.columns.len() + 1));
                    }
                    // A new key: earlier records lacked it.
                    let mut column = RawColumn::new();
                    for _ in 0..self.rows {
                        column.push_empty();
                    }
                    self.columns.push(column);
                    self.names.push(key.clone());
                    self.index.insert(key, self.columns.len() - 1);
                    self.columns.len() - 1
                }
            };
            let Some(column) = self.columns.get_mut(i) else {
                continue;
            };
            if column.len() > self.rows {
                // Duplicate key in one object: the first value wins.
                continue;
            }
            match value {
                Value::Null => column.push_empty(),
                Value::Bool(b) => column.push(if b { "true" } else { "false" })?,
                Value::Number(n) => column.push(&n.to_string())?,
                Value::String(s) => column.push(&s)?,
                nested => column.push(&nested.to_string())?,
            }
        }
        self.rows += 1;
        for column in &mut self.columns {
            if column.len() < self.rows {
                column.push_empty();
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<JsonTable, IngestError> {
        if self.rows == 0 || self.columns.is_empty() {
            return Err(IngestError::Empty);
        }
        Ok(self)
    }
}

/// The message of a serde_json error without its " at line L column C" tail.
fn bare_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

/// Turns a serde_json error into ours; `line_offset` is added to its line.
fn convert(e: &serde_json::Error, line_offset: u64) -> IngestError {
    let message = bare_message(e);
    let line = e.line() as u64 + line_offset;
    match message.strip_prefix(SHAPE) {
        Some(found) => IngestError::JsonShape {
            line,
            found: found.to_string(),
        },
        None => IngestError::JsonSyntax {
            line,
            column: e.column() as u64,
            message,
        },
    }
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "a text value",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads a whole `.json` document.
pub fn parse_document(text: &str) -> Result<JsonTable, IngestError> {
    let mut table = JsonTable::default();
    match text.trim_start().as_bytes().first() {
        None => return Err(IngestError::Empty),
        Some(b'[') => {
            let mut failure = None;
            let mut de = serde_json::Deserializer::from_str(text);
            let result = ArraySeed {
                table: &mut table,
                failure: &mut failure,
            }
            .deserialize(&mut de)
            .and_then(|()| de.end());
            if let Some(e) = failure {
                return Err(e);
            }
            result.map_err(|e| convert(&e, 0))?;
        }
        Some(b'{') => {
            // An object wrapping the records, as many exports and APIs write
            // them (`{"data": [{...}, ...]}`): read its longest list of objects.
            if let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(text) {
                let records_key = map
                    .iter()
                    .filter_map(|(key, v)| match v {
                        Value::Array(items)
                            if !items.is_empty() && items.iter().all(Value::is_object) =>
                        {
                            Some((key, items.len()))
                        }
                        _ => None,
                    })
                    .max_by_key(|&(_, len)| len)
                    .map(|(key, _)| key.clone());
                if let Some(key) = records_key {
                    // Take the list out of the object: no copy of its values.
                    if let Some(Value::Array(items)) = map.remove(&key) {
                        for item in items {
                            if let Value::Object(fields) = item {
                                table.add_row(fields.into_iter().collect())?;
                            }
                        }
                    }
                    table.records_key = Some(key);
                    return table.finish();
                }
            }
            // One object, or several objects one after another.
            let stream = serde_json::Deserializer::from_str(text).into_iter::<Element>();
            for item in stream {
                match item {
                    Ok(Element::Record(fields)) => table.add_row(fields)?,
                    Err(e) => return Err(convert(&e, 0)),
                }
            }
        }
        Some(_) => {
            let v: Value = serde_json::from_str(text).map_err(|e| convert(&e, 0))?;
            return Err(IngestError::JsonShape {
                line: 1,
                found: describe(&v).to_string(),
            });
        }
    }
    table.finish()
}

/// NDJSON read line by line as bytes arrive.
#[derive(Default)]
pub struct NdjsonSink {
    partial: Vec<u8>,
    /// Lines completed so far.
    line: u64,
    table: JsonTable,
    pub any_windows_1252: bool,
}

impl NdjsonSink {
    pub fn push(&mut self, mut input: &[u8]) -> Result<(), IngestError> {
        while let Some(nl) = input.iter().position(|&b| b == b'\n') {
            let (line, rest) = input.split_at(nl);
            input = rest.get(1..).unwrap_or_default();
            if self.partial.is_empty() {
                self.line(line)?;
            } else {
                let mut whole = std::mem::take(&mut self.partial);
                whole.extend_from_slice(line);
                self.line(&whole)?;
            }
        }
        self.partial.extend_from_slice(input);
        Ok(())
    }

    fn line(&mut self, bytes: &[u8]) -> Result<(), IngestError> {
        self.line += 1;
        let decoded;
        let text = match std::str::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                self.any_windows_1252 = true;
                decoded = encoding_rs::WINDOWS_1252
                    .decode_without_bom_handling(bytes)
                    .0;
                &*decoded
            }
        };
        if text.trim().is_empty() {
            return Ok(());
        }
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = Element::deserialize(&mut de).and_then(|e| de.end().map(|()| e));
        match parsed {
            Ok(Element::Record(fields)) => self.table.add_row(fields).map_err(|e| match e {
                IngestError::TooManyCells {
                    row,
                    columns,
                    limit,
                    ..
                } => IngestError::TooManyCells {
                    row,
                    line: Some(self.line),
                    columns,
                    limit,
                },
                IngestError::TooManyRows { row, limit, .. } => IngestError::TooManyRows {
                    row,
                    line: Some(self.line),
                    limit,
                },
                other => other,
            }),
            Err(e) => Err(convert(&e, self.line - 1)),
        }
    }

    pub fn finish(mut self) -> Result<JsonTable, IngestError> {
        let rest = std::mem::take(&mut self.partial);
        self.line(&rest)?;
        self.table.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn array_keeps_key_order_and_nesting() {
        let t = parse_document(r#"[{"b":1,"a":{"x":[1,2]}},{"c":null,"b":2}]"#).unwrap();
        assert_eq!(t.names, vec!["b", "a", "c"]);
        assert_eq!(t.columns[1].first(), r#"{"x":[1,2]}"#);
        assert_eq!(t.columns[1].iter().nth(1).unwrap(), "");
        assert_eq!(t.rows, 2);
    }

    #[test]
    fn records_inside_a_wrapping_object() {
        let t = parse_document(r#"{"meta": {"n": 2}, "data": [{"a": 1, "b": "x"}, {"a": 2}]}"#)
            .unwrap();
        assert_eq!(t.rows, 2);
        assert_eq!(t.records_key.as_deref(), Some("data"));
        assert!(t.names.contains(&"a".to_string()) && t.names.contains(&"b".to_string()));
        // A single flat object is still one record.
        let t = parse_document(r#"{"a": 1, "b": [1, 2]}"#).unwrap();
        assert_eq!((t.rows, t.records_key.clone()), (1, None));
    }

    #[test]
    fn errors() {
        assert!(matches!(
            parse_document("[{\"a\":1},\n[1,2]]"),
            Err(IngestError::JsonShape { line: 2, .. })
        ));
        assert!(matches!(
            parse_document("42"),
            Err(IngestError::JsonShape { line: 1, .. })
        ));
        assert!(matches!(
            parse_document("[{\"a\":1},\n{\"a\":}]"),
            Err(IngestError::JsonSyntax { line: 2, .. })
        ));
        assert!(matches!(parse_document("[]"), Err(IngestError::Empty)));
        let mut s = NdjsonSink::default();
        assert!(matches!(
            s.push(b"{\"a\":1}\n\n{\"a\":2\n"),
            Err(IngestError::JsonSyntax { line: 3, .. })
        ));
        let mut s = NdjsonSink::default();
        s.push(b"{\"a\":1}\n[1]").unwrap();
        assert!(matches!(
            s.finish(),
            Err(IngestError::JsonShape { line: 2, .. })
        ));
    }
}
