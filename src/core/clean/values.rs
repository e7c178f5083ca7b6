//! One column's values, typed, for the cleaning steps to read and rewrite
//! (one column at a time), and back into a polars column. Numbers, dates
//! and booleans as plain vectors; text as the dataset holds it (polars'
//! string views, shared: reading a text column copies no text, and no step
//! keeps a `String` per cell).

use std::fmt::Write as _;

use polars_core::prelude::*;

use crate::core::infer::{format_date, format_datetime};
use crate::core::ingest::Dataset;
use crate::core::model::ColumnType;
use crate::core::table::ColumnData;

#[derive(Clone)]
pub enum Values {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    /// Days since 1970-01-01.
    Date(Vec<Option<i32>>),
    /// Microseconds since 1970-01-01T00:00:00.
    Datetime(Vec<Option<i64>>),
    Text(StringChunked),
}

impl PartialEq for Values {
    fn eq(&self, other: &Values) -> bool {
        match (self, other) {
            (Values::Int(a), Values::Int(b)) | (Values::Datetime(a), Values::Datetime(b)) => a == b,
            (Values::Float(a), Values::Float(b)) => a == b,
            (Values::Bool(a), Values::Bool(b)) => a == b,
            (Values::Date(a), Values::Date(b)) => a == b,
            (Values::Text(a), Values::Text(b)) => a.len() == b.len() && a.iter().eq(b.iter()),
            _ => false,
        }
    }
}

/// Every cell (polars' own `Debug` of a string column shows a few).
impl std::fmt::Debug for Values {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Values::Int(v) => f.debug_tuple("Int").field(v).finish(),
            Values::Float(v) => f.debug_tuple("Float").field(v).finish(),
            Values::Bool(v) => f.debug_tuple("Bool").field(v).finish(),
            Values::Date(v) => f.debug_tuple("Date").field(v).finish(),
            Values::Datetime(v) => f.debug_tuple("Datetime").field(v).finish(),
            Values::Text(v) => f
                .debug_tuple("Text")
                .field(&v.iter().collect::<Vec<_>>())
                .finish(),
        }
    }
}

/// A numeric column's cells, array by array (values and validity side by
/// side, faster than the cell iterator).
fn options<T: PolarsNumericType>(c: &ChunkedArray<T>) -> Vec<Option<T::Native>> {
    let mut out = Vec::with_capacity(c.len());
    for arr in c.downcast_iter() {
        match arr.validity() {
            Some(valid) if valid.unset_bits() > 0 => out.extend(
                arr.values()
                    .iter()
                    .zip(valid.iter())
                    .map(|(&v, ok)| ok.then_some(v)),
            ),
            _ => out.extend(arr.values().iter().map(|&v| Some(v))),
        }
    }
    out
}

/// A text column of `cells` (unnamed until [`Values::into_column`]).
pub fn texts<S: AsRef<str>>(cells: impl Iterator<Item = Option<S>>) -> Values {
    Values::Text(StringChunked::from_iter_options(PlSmallStr::EMPTY, cells))
}

impl Values {
    /// Column `index` of `ds` (None when out of range).
    pub fn of(ds: &Dataset, index: usize) -> Option<Values> {
        Some(match ColumnData::of(ds, index)? {
            ColumnData::Integer(c) => Values::Int(options(c)),
            ColumnData::Float(c) => Values::Float(options(c)),
            ColumnData::Boolean(c) => Values::Bool(c.iter().collect()),
            ColumnData::Date(c) => Values::Date(options(c)),
            ColumnData::Datetime(c) => Values::Datetime(options(c)),
            ColumnData::String(c) => Values::Text(c.clone()),
        })
    }

    pub fn column_type(&self) -> ColumnType {
        match self {
            Values::Int(_) => ColumnType::Integer,
            Values::Float(_) => ColumnType::Float,
            Values::Bool(_) => ColumnType::Boolean,
            Values::Date(_) => ColumnType::Date,
            Values::Datetime(_) => ColumnType::Datetime,
            Values::Text(_) => ColumnType::String,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Values::Int(v) | Values::Datetime(v) => v.len(),
            Values::Float(v) => v.len(),
            Values::Bool(v) => v.len(),
            Values::Date(v) => v.len(),
            Values::Text(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_missing(&self, row: usize) -> bool {
        match self {
            Values::Int(v) | Values::Datetime(v) => v.get(row).is_none_or(Option::is_none),
            Values::Float(v) => v.get(row).is_none_or(Option::is_none),
            Values::Bool(v) => v.get(row).is_none_or(Option::is_none),
            Values::Date(v) => v.get(row).is_none_or(Option::is_none),
            Values::Text(v) => row >= v.len() || v.get(row).is_none(),
        }
    }

    pub fn missing(&self) -> usize {
        fn go<T>(v: &[Option<T>]) -> usize {
            v.iter().filter(|x| x.is_none()).count()
        }
        match self {
            Values::Int(v) | Values::Datetime(v) => go(v),
            Values::Float(v) => go(v),
            Values::Bool(v) => go(v),
            Values::Date(v) => go(v),
            Values::Text(v) => v.null_count(),
        }
    }

    /// Whether each row has a value.
    pub fn present(&self) -> Vec<bool> {
        fn go<T>(v: &[Option<T>]) -> Vec<bool> {
            v.iter().map(Option::is_some).collect()
        }
        match self {
            Values::Int(v) | Values::Datetime(v) => go(v),
            Values::Float(v) => go(v),
            Values::Bool(v) => go(v),
            Values::Date(v) => go(v),
            Values::Text(v) => v.iter().map(|t| t.is_some()).collect(),
        }
    }

    /// Calls `f` with each cell's text, in row order, as [`Values::text`]
    /// gives it, without a `String` per cell (numbers are written into one
    /// buffer).
    pub fn for_each_text(&self, mut f: impl FnMut(Option<&str>)) {
        fn go<T: Copy>(
            v: &[Option<T>],
            show: impl Fn(T, &mut String),
            f: &mut impl FnMut(Option<&str>),
        ) {
            let mut buf = String::new();
            for x in v {
                match x {
                    Some(x) => {
                        buf.clear();
                        show(*x, &mut buf);
                        f(Some(&buf));
                    }
                    None => f(None),
                }
            }
        }
        match self {
            Values::Int(v) => go(v, |x, b| _ = write!(b, "{x}"), &mut f),
            Values::Float(v) => go(v, |x, b| _ = write!(b, "{x}"), &mut f),
            Values::Bool(v) => go(v, |x, b| _ = write!(b, "{x}"), &mut f),
            Values::Date(v) => go(v, |x, b| b.push_str(&format_date(x)), &mut f),
            Values::Datetime(v) => go(v, |x, b| b.push_str(&format_datetime(x)), &mut f),
            Values::Text(v) => v.iter().for_each(f),
        }
    }

    /// The values as numbers (numeric columns only; booleans as 0/1).
    pub fn numbers(&self) -> Option<Vec<Option<f64>>> {
        match self {
            Values::Int(v) => Some(v.iter().map(|x| x.map(|x| x as f64)).collect()),
            Values::Float(v) => Some(v.clone()),
            _ => None,
        }
    }

    /// [`Values::numbers`], without a copy of a float column.
    pub fn into_numbers(self) -> Option<Vec<Option<f64>>> {
        match self {
            Values::Float(v) => Some(v),
            other => other.numbers(),
        }
    }

    /// The text of each cell as the exports and the preview show it
    /// (None when missing).
    pub fn text(&self, row: usize) -> Option<String> {
        match self {
            Values::Int(v) => v.get(row).copied().flatten().map(|x| x.to_string()),
            Values::Float(v) => v.get(row).copied().flatten().map(|x| x.to_string()),
            Values::Bool(v) => v.get(row).copied().flatten().map(|x| x.to_string()),
            Values::Date(v) => v.get(row).copied().flatten().map(format_date),
            Values::Datetime(v) => v.get(row).copied().flatten().map(format_datetime),
            Values::Text(v) => (row < v.len())
                .then(|| v.get(row))
                .flatten()
                .map(str::to_string),
        }
    }

    /// Keeps the rows where `keep` is true.
    pub fn retain(&mut self, keep: &[bool]) {
        fn go<T>(v: &mut Vec<T>, keep: &[bool]) {
            let mut i = 0;
            v.retain(|_| {
                let k = keep.get(i).copied().unwrap_or(true);
                i += 1;
                k
            });
        }
        match self {
            Values::Int(v) | Values::Datetime(v) => go(v, keep),
            Values::Float(v) => go(v, keep),
            Values::Bool(v) => go(v, keep),
            Values::Date(v) => go(v, keep),
            Values::Text(v) => {
                let mask: BooleanChunked = (0..v.len())
                    .map(|i| keep.get(i).copied().unwrap_or(true))
                    .collect();
                // (The mask is as long as the column: the filter cannot fail.)
                if let Ok(kept) = v.filter(&mask) {
                    *v = kept;
                }
            }
        }
    }

    pub fn into_column(self, name: &str) -> Column {
        let name = PlSmallStr::from(name);
        let series = match self {
            Values::Int(v) | Values::Datetime(v) => {
                Int64Chunked::from_iter_options(name, v.into_iter()).into_series()
            }
            Values::Float(v) => {
                Float64Chunked::from_iter_options(name, v.into_iter()).into_series()
            }
            Values::Bool(v) => BooleanChunked::from_iter_options(name, v.into_iter()).into_series(),
            Values::Date(v) => Int32Chunked::from_iter_options(name, v.into_iter()).into_series(),
            Values::Text(v) => v.with_name(name).into_series(),
        };
        series.into_column()
    }
}
