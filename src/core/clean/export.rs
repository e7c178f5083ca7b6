//! The cleaned data as files: CSV (RFC 4180, safe to open in a spreadsheet),
//! JSON (an array of records with typed values) and Parquet (typed columns).

use std::io::{self, Write};

use crate::core::ingest::Dataset;
use crate::core::table::ColumnData;

/// Where a written Parquet file's footer keeps the recipe that made it.
pub const PARQUET_RECIPE_KEY: &str = "plainsight.recipe";

/// Writes `ds` as Parquet with its types (`core::columnar::write_parquet`),
/// the recipe that made it (`steps`, as recipe JSON) in the footer.
pub fn write_parquet(ds: &Dataset, steps: &[crate::core::clean::Step]) -> Result<Vec<u8>, String> {
    let recipe = crate::core::clean::Recipe::new(steps.to_vec()).to_json();
    crate::core::columnar::write_parquet(ds, vec![(PARQUET_RECIPE_KEY.to_string(), recipe)])
}

/// Writes the raw rows of a dataset as Parquet with what it had — the file
/// it was first read from, its notes, its profile and the applied recipe
/// (`steps`) — so that opening the file (in another client or browser)
/// gives the same dataset with its recipe applied again.
pub fn write_dataset(
    raw: &Dataset,
    profile: &crate::core::model::DatasetProfile,
    steps: &[crate::core::clean::Step],
    saved: String,
) -> Result<Vec<u8>, String> {
    let recipe = if steps.is_empty() {
        String::new()
    } else {
        crate::core::clean::Recipe::new(steps.to_vec()).to_json()
    };
    crate::core::columnar::write_dataset(raw, profile, recipe, steps.len(), saved)
}

/// Whether `s` is a plain decimal number (`-1`, `+2.5`, `.5`, `1e-3`), which
/// a spreadsheet reads as a number, not a formula.
fn plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let mut n = digits(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        n += digits(&mut i);
    }
    if n == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// A text cell made safe for spreadsheets (OWASP CSV injection): text that
/// starts with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading
/// `'`, unless it is a plain number.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') if !plain_number(cell) => {
            std::borrow::Cow::Owned(format!("'{cell}"))
        }
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

/// One CSV field: quoted when it holds a comma, a quote or a line break.
fn field(out: &mut impl Write, cell: &str) -> io::Result<()> {
    if cell.contains([',', '"', '\n', '\r']) {
        out.write_all(b"\"")?;
        out.write_all(cell.replace('"', "\"\"").as_bytes())?;
        out.write_all(b"\"")
    } else {
        out.write_all(cell.as_bytes())
    }
}

/// Writes `ds` as CSV: a header row, comma-separated, CRLF line ends,
/// missing cells empty, numbers and ISO dates as the app shows them.
pub fn write_csv(ds: &Dataset, out: &mut impl Write) -> io::Result<()> {
    write_csv_header(ds, out)?;
    write_csv_rows(ds, out)
}

/// The header row of [`write_csv`].
pub fn write_csv_header(ds: &Dataset, out: &mut impl Write) -> io::Result<()> {
    let names = ds.names();
    for (i, name) in names.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        field(out, &defuse(name))?;
    }
    out.write_all(b"\r\n")
}

/// The rows of [`write_csv`], without the header (a batch after the first).
pub fn write_csv_rows(ds: &Dataset, out: &mut impl Write) -> io::Result<()> {
    let columns: Vec<ColumnData> = (0..ds.width())
        .filter_map(|i| ColumnData::of(ds, i))
        .collect();
    for row in 0..ds.height() {
        for (i, c) in columns.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            let text = c.text(row);
            if matches!(c, ColumnData::String(_)) {
                field(out, &defuse(&text))?;
            } else {
                field(out, &text)?;
            }
        }
        out.write_all(b"\r\n")?;
    }
    Ok(())
}

/// Writes `ds` as a JSON array of objects: numbers as numbers (non-finite
/// ones as null), booleans, dates as ISO text, missing as null.
pub fn write_json(ds: &Dataset, out: &mut impl Write) -> io::Result<()> {
    let keys: Vec<String> = ds
        .names()
        .iter()
        .map(|n| serde_json::to_string(n).unwrap_or_default())
        .collect();
    let columns: Vec<ColumnData> = (0..ds.width())
        .filter_map(|i| ColumnData::of(ds, i))
        .collect();
    out.write_all(b"[")?;
    for row in 0..ds.height() {
        out.write_all(if row == 0 { b"\n{" } else { b",\n{" })?;
        for (i, (key, c)) in keys.iter().zip(&columns).enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(key.as_bytes())?;
            out.write_all(b":")?;
            let value = if c.is_missing(row) {
                "null".to_string()
            } else {
                match c {
                    ColumnData::Integer(_) | ColumnData::Boolean(_) => c.text(row),
                    ColumnData::Float(f) => f
                        .get(row)
                        .and_then(serde_json::Number::from_f64)
                        .map_or_else(|| "null".to_string(), |n| n.to_string()),
                    _ => serde_json::to_string(&c.text(row)).unwrap_or_default(),
                }
            };
            out.write_all(value.as_bytes())?;
        }
        out.write_all(b"}")?;
    }
    out.write_all(b"\n]\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_defused_numbers_are_not() {
        assert_eq!(defuse("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(defuse("+cmd"), "'+cmd");
        assert_eq!(defuse("-x"), "'-x");
        assert_eq!(defuse("@here"), "'@here");
        assert_eq!(defuse("\tx"), "'\tx");
        assert_eq!(defuse("\rx"), "'\rx");
        assert_eq!(defuse("-1"), "-1");
        assert_eq!(defuse("+2.5"), "+2.5");
        assert_eq!(defuse("-1e5"), "-1e5");
        assert_eq!(defuse("-"), "'-");
        assert_eq!(defuse("-1-1"), "'-1-1");
        assert_eq!(defuse("plain"), "plain");
    }
}
