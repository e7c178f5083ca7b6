//! One column's values as plain vectors, for the cleaning steps to read and
//! rewrite (one column at a time), and back into a polars column.

use polars_core::prelude::*;

use crate::core::infer::{format_date, format_datetime};
use crate::core::ingest::Dataset;
use crate::core::model::ColumnType;
use crate::core::table::ColumnData;

#[derive(Clone, Debug, PartialEq)]
pub enum Values {
    Int(Vec<Option<i64>>),
    Float(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    /// Days since 1970-01-01.
    Date(Vec<Option<i32>>),
    /// Microseconds since 1970-01-01T00:00:00.
    Datetime(Vec<Option<i64>>),
    Text(Vec<Option<String>>),
}

impl Values {
    /// Column `index` of `ds` (None when out of range).
    pub fn of(ds: &Dataset, index: usize) -> Option<Values> {
        Some(match ColumnData::of(ds, index)? {
            ColumnData::Integer(c) => Values::Int(c.iter().collect()),
            ColumnData::Float(c) => Values::Float(c.iter().collect()),
            ColumnData::Boolean(c) => Values::Bool(c.iter().collect()),
            ColumnData::Date(c) => Values::Date(c.iter().collect()),
            ColumnData::Datetime(c) => Values::Datetime(c.iter().collect()),
            ColumnData::String(c) => {
                Values::Text(c.iter().map(|v| v.map(str::to_string)).collect())
            }
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
            Values::Text(v) => v.get(row).is_none_or(Option::is_none),
        }
    }

    pub fn missing(&self) -> usize {
        (0..self.len()).filter(|&r| self.is_missing(r)).count()
    }

    /// The values as numbers (numeric columns only; booleans as 0/1).
    pub fn numbers(&self) -> Option<Vec<Option<f64>>> {
        match self {
            Values::Int(v) => Some(v.iter().map(|x| x.map(|x| x as f64)).collect()),
            Values::Float(v) => Some(v.clone()),
            _ => None,
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
            Values::Text(v) => v.get(row).cloned().flatten(),
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
            Values::Text(v) => go(v, keep),
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
            Values::Text(v) => {
                StringChunked::from_iter_options(name, v.iter().map(|s| s.as_deref())).into_series()
            }
        };
        series.into_column()
    }
}
