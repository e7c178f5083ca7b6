//! Typed access to a dataset's columns, and the preview table: a sort order
//! and pages of display text, fast enough to call on every scroll.

use std::cmp::Ordering;

use polars_arrow::array::{Array, Utf8ViewArray, View};
use polars_core::prelude::*;

use crate::core::bytes;
use crate::core::infer::{format_date, format_datetime};
use crate::core::ingest::Dataset;
use crate::core::model::ColumnType;

/// One column's values, by type (see [`crate::core::ingest`] for storage).
#[derive(Clone, Copy)]
pub enum ColumnData<'a> {
    Integer(&'a Int64Chunked),
    Float(&'a Float64Chunked),
    Boolean(&'a BooleanChunked),
    /// Days since 1970-01-01.
    Date(&'a Int32Chunked),
    /// Microseconds since 1970-01-01T00:00:00.
    Datetime(&'a Int64Chunked),
    String(&'a StringChunked),
}

impl<'a> ColumnData<'a> {
    /// Column `index` of `ds`, or None when out of range or not stored as
    /// its type says.
    pub fn of(ds: &'a Dataset, index: usize) -> Option<ColumnData<'a>> {
        let series = ds.frame.columns().get(index)?.as_materialized_series();
        let data = match ds.types.get(index)? {
            ColumnType::Integer => ColumnData::Integer(series.i64().ok()?),
            ColumnType::Float => ColumnData::Float(series.f64().ok()?),
            ColumnType::Boolean => ColumnData::Boolean(series.bool().ok()?),
            ColumnType::Date => ColumnData::Date(series.i32().ok()?),
            ColumnType::Datetime => ColumnData::Datetime(series.i64().ok()?),
            ColumnType::String => ColumnData::String(series.str().ok()?),
        };
        Some(data)
    }

    pub fn len(&self) -> usize {
        match self {
            ColumnData::Integer(c) | ColumnData::Datetime(c) => c.len(),
            ColumnData::Float(c) => c.len(),
            ColumnData::Boolean(c) => c.len(),
            ColumnData::Date(c) => c.len(),
            ColumnData::String(c) => c.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_missing(&self, row: usize) -> bool {
        match self {
            ColumnData::Integer(c) | ColumnData::Datetime(c) => c.get(row).is_none(),
            ColumnData::Float(c) => c.get(row).is_none(),
            ColumnData::Boolean(c) => c.get(row).is_none(),
            ColumnData::Date(c) => c.get(row).is_none(),
            ColumnData::String(c) => c.get(row).is_none(),
        }
    }

    /// Display/machine text of one cell: "" for missing, integers as digits,
    /// floats shortest round-trip (`{}`), dates and datetimes ISO 8601.
    pub fn text(&self, row: usize) -> String {
        match self {
            ColumnData::Integer(c) => c.get(row).map(|v| v.to_string()),
            ColumnData::Float(c) => c.get(row).map(|v| v.to_string()),
            ColumnData::Boolean(c) => c.get(row).map(|v| v.to_string()),
            ColumnData::Date(c) => c.get(row).map(format_date),
            ColumnData::Datetime(c) => c.get(row).map(format_datetime),
            ColumnData::String(c) => c.get(row).map(str::to_string),
        }
        .unwrap_or_default()
    }

    /// A cell as a number on a continuous axis: numbers as they are, dates
    /// as days since 1970-01-01 (fractional for datetimes); None for missing
    /// cells, text and booleans.
    pub fn number(&self, row: usize) -> Option<f64> {
        match self {
            ColumnData::Integer(c) => c.get(row).map(|v| v as f64),
            ColumnData::Float(c) => c.get(row),
            ColumnData::Date(c) => c.get(row).map(f64::from),
            ColumnData::Datetime(c) => c.get(row).map(|us| us as f64 / 86_400_000_000.0),
            ColumnData::Boolean(_) | ColumnData::String(_) => None,
        }
    }

    /// Whether [`ColumnData::number`] reads this column.
    pub fn is_continuous(&self) -> bool {
        !matches!(self, ColumnData::Boolean(_) | ColumnData::String(_))
    }

    /// Whether two cells hold the same value (missing equals missing).
    pub fn cells_equal(&self, a: usize, b: usize) -> bool {
        match self {
            ColumnData::Integer(c) | ColumnData::Datetime(c) => c.get(a) == c.get(b),
            ColumnData::Float(c) => c.get(a) == c.get(b),
            ColumnData::Boolean(c) => c.get(a) == c.get(b),
            ColumnData::Date(c) => c.get(a) == c.get(b),
            ColumnData::String(c) => c.get(a) == c.get(b),
        }
    }
}

/// A text column's cells by row, read from its arrays directly:
/// `ChunkedArray::get` finds the chunk, casts it to its array type and
/// checks the row at every call (a third of a text column's profile when
/// its values are compared row by row).
pub struct TextCells<'a> {
    /// Each array with the row it starts at.
    arrays: Vec<(usize, &'a Utf8ViewArray)>,
}

impl<'a> TextCells<'a> {
    pub fn of(c: &'a StringChunked) -> TextCells<'a> {
        let mut start = 0;
        let arrays = c
            .downcast_iter()
            .map(|a| {
                let at = start;
                start += a.len();
                (at, a)
            })
            .collect();
        TextCells { arrays }
    }

    /// The array holding `row` and the row's index in it; None past the
    /// end.
    fn locate(&self, row: usize) -> Option<(&'a Utf8ViewArray, usize)> {
        let k = self.arrays.partition_point(|(start, _)| *start <= row);
        let &(start, array) = self.arrays.get(k.checked_sub(1)?)?;
        let i = row - start;
        (i < array.len()).then_some((array, i))
    }

    /// The text at `row`; None when missing or past the end.
    pub fn get(&self, row: usize) -> Option<&'a str> {
        let (array, i) = self.locate(row)?;
        array.is_valid(i).then(|| array.value(i))
    }

    /// Whether the texts at rows `a` and `b` are the same (both missing
    /// too), from their views first: a view holds the text's length and
    /// its first 4 bytes, and a text of up to 12 bytes whole, so most
    /// different texts differ there and equal short ones are equal there,
    /// without reading the text (a text column's profile compares every
    /// cell with the first of its value's hash run; reading both texts
    /// was most of that profile's own time).
    pub fn same(&self, a: usize, b: usize) -> bool {
        let present = |row| {
            let (array, i) = self.locate(row)?;
            let view = array.views().get(i).copied()?;
            array.is_valid(i).then_some((array, i, view))
        };
        let (x, y) = match (present(a), present(b)) {
            (Some(x), Some(y)) => (x, y),
            (x, y) => return x.is_none() && y.is_none(),
        };
        let (vx, vy) = (x.2, y.2);
        if vx.length != vy.length {
            return false;
        }
        if vx.length <= View::MAX_INLINE_SIZE {
            // The text is in the view after its length; only its own bytes
            // count (the padding after it is zero when the views were
            // checked, as every safe way of making an array does: so the
            // mask is not tested with other padding).
            let bits = 8 * vx.length;
            let text = |v: View| (v.as_u128() >> 32) & ((1u128 << bits) - 1);
            return text(vx) == text(vy);
        }
        if vx.prefix != vy.prefix {
            return false;
        }
        if std::ptr::eq(x.0, y.0) && vx.buffer_idx == vy.buffer_idx && vx.offset == vy.offset {
            return true;
        }
        bytes::same(x.0.value(x.1).as_bytes(), y.0.value(y.1).as_bytes())
    }
}

/// Compares two present values, or puts missing last.
fn order_missing_last<T>(
    a: Option<T>,
    b: Option<T>,
    descending: bool,
    cmp: impl Fn(&T, &T) -> Ordering,
) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => {
            let o = cmp(&x, &y);
            if descending {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

fn sorted_by<T: Copy>(
    values: Vec<Option<T>>,
    descending: bool,
    cmp: impl Fn(&T, &T) -> Ordering,
) -> Vec<u32> {
    let mut order: Vec<u32> = (0..values.len() as u32).collect();
    // `sort_by` is stable: equal values keep their file order.
    order.sort_by(|&a, &b| {
        let va = values.get(a as usize).copied().flatten();
        let vb = values.get(b as usize).copied().flatten();
        order_missing_last(va, vb, descending, &cmp)
    });
    order
}

/// Calls `f(row, value)` for each present cell of `c`, array by array
/// (values and validity side by side: the cell iterator, an `Option` a
/// cell, took several times as long).
pub fn each_present<T: PolarsNumericType>(
    c: &ChunkedArray<T>,
    mut f: impl FnMut(usize, T::Native),
) {
    each_present_while(c, |row, v| {
        f(row, v);
        true
    });
}

/// [`each_present`] until `f` says stop (false).
pub fn each_present_while<T: PolarsNumericType>(
    c: &ChunkedArray<T>,
    mut f: impl FnMut(usize, T::Native) -> bool,
) {
    let mut row = 0;
    for arr in c.downcast_iter() {
        let values = arr.values();
        match arr.validity().filter(|v| v.unset_bits() > 0) {
            Some(valid) => {
                for (k, (&v, ok)) in values.iter().zip(valid.iter()).enumerate() {
                    if ok && !f(row + k, v) {
                        return;
                    }
                }
            }
            None => {
                for (k, &v) in values.iter().enumerate() {
                    if !f(row + k, v) {
                        return;
                    }
                }
            }
        }
        row += values.len();
    }
}

/// The present values of a numeric column (integers as `f64`), in row
/// order: 8 bytes a value, read array by array; None for a column of
/// another type.
pub fn present_numbers(c: &ColumnData) -> Option<Vec<f64>> {
    match c {
        ColumnData::Integer(x) => {
            let mut out = Vec::with_capacity(x.len() - x.null_count());
            each_present(x, |_, v| out.push(v as f64));
            Some(out)
        }
        ColumnData::Float(x) => {
            let mut out = Vec::with_capacity(x.len() - x.null_count());
            each_present(x, |_, v| out.push(v));
            Some(out)
        }
        _ => None,
    }
}

/// Calls `f(row)` for each missing cell of column `index` of `ds` (as
/// [`ColumnData::is_missing`] says), array by array from the validity
/// bitmaps: a column without a missing cell costs nothing, and no cell is
/// looked up on its own.
pub fn for_each_missing(ds: &Dataset, index: usize, mut f: impl FnMut(usize)) {
    let Some(column) = ds.frame.columns().get(index) else {
        return;
    };
    let mut row = 0;
    for arr in column.as_materialized_series().chunks() {
        if let Some(valid) = arr.validity().filter(|v| v.unset_bits() > 0) {
            for (k, ok) in valid.iter().enumerate() {
                if !ok {
                    f(row + k);
                }
            }
        }
        row += arr.len();
    }
}

/// Row indices sorted by `column` (stable; missing values last in both
/// directions). Numbers sort as numbers, dates by date, text
/// lexicographically (by Unicode code points). An unknown column gives the
/// file order.
pub fn sort_order(ds: &Dataset, column: usize, descending: bool) -> Vec<u32> {
    let Some(data) = ColumnData::of(ds, column) else {
        return (0..ds.height() as u32).collect();
    };
    match data {
        ColumnData::Integer(c) | ColumnData::Datetime(c) => {
            sorted_by(c.iter().collect(), descending, |a, b| a.cmp(b))
        }
        ColumnData::Float(c) => sorted_by(c.iter().collect(), descending, |a, b| a.total_cmp(b)),
        ColumnData::Boolean(c) => sorted_by(c.iter().collect(), descending, |a, b| a.cmp(b)),
        ColumnData::Date(c) => sorted_by(c.iter().collect(), descending, |a, b| a.cmp(b)),
        ColumnData::String(c) => sorted_by(c.iter().collect(), descending, |a, b| a.cmp(b)),
    }
}

/// Display text of rows `offset..offset + limit` (of `order` when given,
/// else of the file order), one `Vec` per row, "" for missing cells.
/// O(limit × columns).
pub fn rows(ds: &Dataset, order: Option<&[u32]>, offset: usize, limit: usize) -> Vec<Vec<String>> {
    let columns: Vec<ColumnData> = (0..ds.width())
        .filter_map(|i| ColumnData::of(ds, i))
        .collect();
    let total = order.map_or(ds.height(), <[u32]>::len);
    let end = offset.saturating_add(limit).min(total);
    (offset.min(end)..end)
        .filter_map(|r| match order {
            Some(o) => o.get(r).map(|&i| i as usize),
            None => Some(r),
        })
        .filter(|&row| row < ds.height())
        .map(|row| columns.iter().map(|c| c.text(row)).collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::read_bytes;

    /// Equal texts and missing cells are the same; others are not.
    #[test]
    fn text_cells_same() {
        let c = StringChunked::from_iter_options(
            "t".into(),
            [
                Some("héllo wörld, long"),
                None,
                Some("héllo wörld, long"),
                None,
                Some("x"),
            ]
            .into_iter(),
        );
        let cells = TextCells::of(&c);
        assert!(cells.same(0, 2) && cells.same(1, 3) && !cells.same(0, 1) && !cells.same(0, 4));
    }

    /// `TextCells::same` (from the views) says what comparing the texts
    /// says, for texts around the 12 bytes a view holds, differing at
    /// each place, missing, and in several arrays (a dataset read in
    /// parts has one a part).
    #[test]
    fn same_texts_from_views_are_equal_texts() {
        let mut texts: Vec<Option<String>> = vec![None];
        for len in 0..=20 {
            let base: String = (0..len).map(|i| char::from(b'a' + i as u8)).collect();
            texts.push(Some(base.clone()));
            for at in 0..len {
                let mut b = base.clone().into_bytes();
                b[at] = b'Z';
                texts.push(Some(String::from_utf8(b).unwrap()));
            }
        }
        texts.push(Some("é".repeat(7)));
        let half = texts.len() / 2;
        let mut c =
            StringChunked::from_iter_options("t".into(), texts.iter().map(|t| t.as_deref()));
        // The same texts again, in two more arrays.
        for part in [&texts[..half], &texts[half..]] {
            let more =
                StringChunked::from_iter_options("t".into(), part.iter().map(|t| t.as_deref()));
            c.append(&more).unwrap();
        }
        assert!(c.chunks().len() >= 3);
        let cells = TextCells::of(&c);
        let n = c.len();
        assert_eq!(n, 2 * texts.len());
        let mut equal_pairs = 0;
        for a in 0..n {
            for b in 0..n {
                let want = cells.get(a) == cells.get(b);
                assert_eq!(
                    cells.same(a, b),
                    want,
                    "rows {a} and {b}: {:?} {:?}",
                    cells.get(a),
                    cells.get(b)
                );
                equal_pairs += usize::from(want);
            }
        }
        // Each text equals itself and its copy: the test saw equal pairs.
        assert!(equal_pairs >= 2 * n);
        // Past the end reads as missing, never as the empty text.
        assert!(cells.same(0, n) && !cells.same(1, n) && !cells.same(n, 1));
    }

    #[test]
    fn sort_and_page() {
        let ds = read_bytes(
            "t.csv",
            b"n,s,d\n3,b,2024-01-03\n,a,\n1,c,2024-01-01\n3,a,2024-01-02\n10,,2023-12-31\n",
        )
        .unwrap();
        assert_eq!(sort_order(&ds, 0, false), vec![2, 0, 3, 4, 1]);
        assert_eq!(sort_order(&ds, 0, true), vec![4, 0, 3, 2, 1]);
        assert_eq!(sort_order(&ds, 1, false), vec![1, 3, 0, 2, 4]);
        assert_eq!(sort_order(&ds, 2, true), vec![0, 3, 2, 4, 1]);
        let order = sort_order(&ds, 2, false);
        assert_eq!(
            rows(&ds, Some(&order), 0, 2),
            vec![vec!["10", "", "2023-12-31"], vec!["1", "c", "2024-01-01"]]
        );
        assert_eq!(rows(&ds, None, 1, 1), vec![vec!["", "a", ""]]);
        assert!(rows(&ds, None, 10, 5).is_empty());
        assert_eq!(rows(&ds, None, 4, usize::MAX).len(), 1);
    }
}
