//! One column's values, typed, for the cleaning steps to read and rewrite
//! (one column at a time), and back into a polars column. Numbers, dates
//! and booleans as plain vectors; text as the dataset holds it (polars'
//! string views, shared: reading a text column copies no text, and no step
//! keeps a `String` per cell).

use std::borrow::Cow;
use std::fmt::Write as _;

use polars_arrow::array::{Array, PrimitiveArray, Utf8ViewArray, View};
use polars_arrow::bitmap::MutableBitmap;
use polars_arrow::datatypes::ArrowDataType;
use polars_buffer::Buffer;
use polars_core::prelude::*;

use crate::core::infer::{format_date, format_datetime};
use crate::core::ingest::Dataset;
use crate::core::model::ColumnType;
use crate::core::table::{self, ColumnData};

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

/// Text column `v` with each cell as `f` makes it (a missing cell is
/// `None`), sharing `v`'s text: a cell kept as it is, or cut to a part of
/// itself (trimmed), points into `v`'s bytes, and a text from elsewhere
/// that `f` lends (a merge's value, a fill's) is written once per array;
/// only a text `f` makes (`Cow::Owned`) is written per cell. A step that
/// changes a few cells of a long text column so costs its views (16 bytes
/// a row), not a copy of its text.
pub fn map_texts<'a>(
    v: &'a StringChunked,
    mut f: impl FnMut(Option<&'a str>) -> Option<Cow<'a, str>>,
) -> PolarsResult<Values> {
    let mut arrays = Vec::with_capacity(v.chunks().len());
    for array in v.downcast_iter() {
        let old_views = array.views();
        let old_buffers = array.data_buffers();
        // Texts not in `v` go to buffers after its own (a new one when one
        // would pass the 4 GiB a view's offset reaches).
        let first_new = old_buffers.len() as u32;
        let mut new: Vec<Vec<u8>> = Vec::new();
        let mut used = vec![false; old_buffers.len()];
        // A lent text's view, by its address and length.
        let mut lent: PlHashMap<(usize, usize), View> = PlHashMap::default();
        let mut views = Vec::with_capacity(array.len());
        let mut valid = MutableBitmap::with_capacity(array.len());
        for (i, old) in old_views.iter().enumerate() {
            let cell = array.is_valid(i).then(|| array.value(i));
            let out = f(cell);
            valid.push(out.is_some());
            let Some(out) = out else {
                views.push(View::default());
                continue;
            };
            let text = out.as_bytes();
            if text.len() <= View::MAX_INLINE_SIZE as usize {
                views.push(View::new_from_bytes(text, 0, 0));
                continue;
            }
            let (at, length) = (text.as_ptr() as usize, text.len());
            // Within its own cell (longer still, so in a buffer of `v`).
            if let (Cow::Borrowed(_), Some(cell)) = (&out, cell) {
                let from = cell.as_ptr() as usize;
                if at >= from && at + length <= from + cell.len() {
                    let offset = old.offset + (at - from) as u32;
                    views.push(View::new_from_bytes(text, old.buffer_idx, offset));
                    used[old.buffer_idx as usize] = true;
                    continue;
                }
            }
            let borrowed = matches!(out, Cow::Borrowed(_));
            if let Some(view) = borrowed.then(|| lent.get(&(at, length))).flatten() {
                views.push(*view);
                continue;
            }
            if new
                .last()
                .is_none_or(|b| b.len() + length > u32::MAX as usize)
            {
                new.push(Vec::new());
            }
            let index = first_new + new.len() as u32 - 1;
            let Some(buffer) = new.last_mut() else {
                polars_bail!(ComputeError: "no buffer for new text")
            };
            let view = View::new_from_bytes(text, index, buffer.len() as u32);
            buffer.extend_from_slice(text);
            if borrowed {
                lent.insert((at, length), view);
            }
            views.push(view);
        }
        // Buffers of `v` that no view points at any more are left out
        // (a case change of every long cell keeps none of them).
        let mut to = Vec::with_capacity(used.len());
        let mut buffers: Vec<Buffer<u8>> = Vec::new();
        for (b, &u) in old_buffers.iter().zip(&used) {
            to.push(buffers.len() as u32);
            if u {
                buffers.push(b.clone());
            }
        }
        let kept = buffers.len() as u32;
        if kept < first_new {
            for view in views
                .iter_mut()
                .filter(|w| w.length > View::MAX_INLINE_SIZE)
            {
                view.buffer_idx = match to.get(view.buffer_idx as usize) {
                    Some(&n) => n,
                    None => view.buffer_idx - first_new + kept,
                };
            }
        }
        buffers.extend(new.into_iter().map(Buffer::from));
        // Every view was made above from its own bytes: checked anyway (a
        // pass over the views).
        arrays.push(Utf8ViewArray::try_new(
            ArrowDataType::Utf8View,
            Buffer::from(views),
            Buffer::from(buffers),
            valid.into(),
        )?);
    }
    Ok(Values::Text(StringChunked::from_chunk_iter(
        PlSmallStr::EMPTY,
        arrays,
    )))
}

/// The present values of numeric column `index` of `ds` (integers as
/// `f64`), in row order: 8 bytes a value, where [`Values`] holds 16 a row;
/// None for a column of another type.
pub fn present_numbers(ds: &Dataset, index: usize) -> Option<Vec<f64>> {
    table::present_numbers(&ColumnData::of(ds, index)?)
}

/// Numeric column `index` of `ds` as floats: a float column shared (no
/// copy), an integer one converted array by array (8 bytes a row and its
/// validity, where [`Values`] holds 16); None for a column of another type.
pub fn float_column(ds: &Dataset, index: usize) -> Option<Float64Chunked> {
    match ColumnData::of(ds, index)? {
        ColumnData::Float(c) => Some(c.clone()),
        ColumnData::Integer(c) => {
            let arrays = c.downcast_iter().map(|a| {
                let values: Vec<f64> = a.values().iter().map(|&x| x as f64).collect();
                PrimitiveArray::from_vec(values).with_validity(a.validity().cloned())
            });
            Some(Float64Chunked::from_chunk_iter(c.name().clone(), arrays))
        }
        _ => None,
    }
}

/// The present values of `c`, in row order.
pub fn present_floats(c: &Float64Chunked) -> Vec<f64> {
    table::present_numbers(&ColumnData::Float(c)).unwrap_or_default()
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

    /// [`Values::numbers`], without a copy (an integer column's values
    /// are converted where they are).
    pub fn into_numbers(self) -> Option<Vec<Option<f64>>> {
        match self {
            Values::Float(v) => Some(v),
            Values::Int(v) => Some(v.into_iter().map(|x| x.map(|x| x as f64)).collect()),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Two arrays of short and long cells, spaces around some, one missing.
    fn column() -> StringChunked {
        let cells = |from: usize, to: usize| -> StringChunked {
            StringChunked::from_iter_options(
                "t".into(),
                (from..to).map(|i| match i % 4 {
                    0 => Some(format!("a long spelling number {}", i % 3)),
                    1 => Some(format!("  padded long cell {i}  ")),
                    2 => Some(format!("s{}", i % 5)),
                    _ => None,
                }),
            )
        };
        let mut c = cells(0, 50);
        c.append(&cells(50, 100)).unwrap();
        assert_eq!(c.chunks().len(), 2);
        c
    }

    fn cells(v: &Values) -> Vec<Option<String>> {
        (0..v.len()).map(|i| v.text(i)).collect()
    }

    fn buffers(v: &Values) -> Vec<usize> {
        let Values::Text(c) = v else { panic!("text") };
        c.downcast_iter()
            .map(|a| a.data_buffers().iter().map(|b| b.len()).sum())
            .collect()
    }

    #[test]
    fn mapped_text_shares_the_cells_bytes() {
        let c = column();
        let before = buffers(&Values::Text(c.clone()));
        let into = "one spelling for all of them".to_string();
        // A merge: lent text, written once per array; the rest shared.
        let merged = map_texts(&c, |cell| {
            cell.map(|s| {
                Cow::Borrowed(if s.starts_with("a long") {
                    into.as_str()
                } else {
                    s
                })
            })
        })
        .unwrap();
        let want: Vec<Option<String>> = c
            .iter()
            .map(|s| {
                s.map(|s| {
                    if s.starts_with("a long") {
                        into.clone()
                    } else {
                        s.to_string()
                    }
                })
            })
            .collect();
        assert_eq!(cells(&merged), want);
        let after = buffers(&merged);
        assert_eq!(
            after,
            before.iter().map(|b| b + into.len()).collect::<Vec<_>>()
        );
        // Trimmed: parts of the cells themselves, nothing written.
        let trimmed = map_texts(&c, |cell| cell.map(|s| Cow::Borrowed(s.trim()))).unwrap();
        let want: Vec<Option<String>> = c.iter().map(|s| s.map(|s| s.trim().to_string())).collect();
        assert_eq!(cells(&trimmed), want);
        assert_eq!(buffers(&trimmed), before);
        // Made text (a case change), and a missing cell filled.
        let made = map_texts(&c, |cell| {
            Some(match cell {
                Some(s) => Cow::Owned(s.to_uppercase()),
                None => Cow::Borrowed("filled"),
            })
        })
        .unwrap();
        let want: Vec<Option<String>> = c
            .iter()
            .map(|s| Some(s.map_or("filled".to_string(), str::to_uppercase)))
            .collect();
        assert_eq!(cells(&made), want);
        assert_eq!(made.missing(), 0);
        // No cell of `c` is kept: its bytes are not either, only the long
        // cells made, array by array.
        let long_made = |from: usize, to: usize| -> usize {
            want[from..to]
                .iter()
                .flatten()
                .map(String::len)
                .filter(|&n| n > View::MAX_INLINE_SIZE as usize)
                .sum()
        };
        assert_eq!(buffers(&made), vec![long_made(0, 50), long_made(50, 100)]);
        // Nothing changed but a cell made missing.
        let fewer = map_texts(&c, |cell| cell.filter(|s| *s != "s0").map(Cow::Borrowed)).unwrap();
        let want: Vec<Option<String>> = c
            .iter()
            .map(|s| s.filter(|s| *s != "s0").map(str::to_string))
            .collect();
        assert_eq!(cells(&fewer), want);
        assert_eq!(buffers(&fewer), before);
    }
}
