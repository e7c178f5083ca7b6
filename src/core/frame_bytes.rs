//! A typed table as bytes, to move between workers (a part read in one
//! worker is put together with the others in another; wasm memories are
//! not shared). Only the engine's own column storage is written: `Int64`,
//! `Int32` (dates), `Float64`, `Boolean` and `String` (see
//! `table::ColumnData`); another type is refused, never guessed.
//!
//! Layout, little-endian: `PSF1`, the columns (u32) and rows (u64), then
//! per column its name (u32 length + UTF-8), a type tag (u8), a validity
//! flag (u8) and, when set, one bit per row (1: present); then the values:
//! 8 or 4 bytes per row for numbers, one bit per row for booleans, and for
//! text the bytes (u64 length) followed by one u32 length per row.
//!
//! Reading checks every length against the bytes there are: damaged bytes
//! are an error, never a panic.

use polars_arrow::array::{Array, BooleanArray, MutableBinaryViewArray};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::datatypes::ArrowDataType;
use polars_core::prelude::*;

const MAGIC: &[u8; 4] = b"PSF1";

const INT64: u8 = 1;
const INT32: u8 = 2;
const FLOAT64: u8 = 3;
const BOOLEAN: u8 = 4;
const STRING: u8 = 5;

/// The frame's columns as bytes.
///
/// Written array by array: numbers as their stored values, bits as the
/// bitmaps' bytes when they fall on a byte, text as each array's values in
/// order (a cell's `Option` through the chunked iterator cost more than the
/// copy itself in wasm).
pub fn to_bytes(frame: &DataFrame) -> Result<Vec<u8>, String> {
    let rows = frame.height();
    let mut out = Vec::with_capacity(size_hint(frame));
    out.extend_from_slice(MAGIC);
    put_u32(&mut out, frame.width())?;
    out.extend_from_slice(&(rows as u64).to_le_bytes());
    for column in frame.columns() {
        let series = column.as_materialized_series();
        let name = series.name().as_str();
        put_u32(&mut out, name.len())?;
        out.extend_from_slice(name.as_bytes());
        let tag = match series.dtype() {
            DataType::Int64 => INT64,
            DataType::Int32 => INT32,
            DataType::Float64 => FLOAT64,
            DataType::Boolean => BOOLEAN,
            DataType::String => STRING,
            other => return Err(format!("column {name} is stored as {other}")),
        };
        out.push(tag);
        let nulls = series.null_count();
        out.push(u8::from(nulls > 0));
        if nulls > 0 {
            let mut bits = Bits::new(&mut out);
            for array in series.chunks() {
                match array.validity() {
                    Some(valid) => bits.bitmap(valid),
                    None => bits.ones(array.len()),
                }
            }
            bits.finish();
        }
        let internal = |e: PolarsError| e.to_string();
        match tag {
            // The stored values, under missing ones too (their validity
            // says they are missing).
            INT64 => {
                for array in series.i64().map_err(internal)?.downcast_iter() {
                    put_values(&mut out, array.values(), |v| v.to_le_bytes());
                }
            }
            INT32 => {
                for array in series.i32().map_err(internal)?.downcast_iter() {
                    put_values(&mut out, array.values(), |v| v.to_le_bytes());
                }
            }
            FLOAT64 => {
                for array in series.f64().map_err(internal)?.downcast_iter() {
                    put_values(&mut out, array.values(), |v| v.to_le_bytes());
                }
            }
            BOOLEAN => {
                let mut bits = Bits::new(&mut out);
                for array in series.bool().map_err(internal)?.downcast_iter() {
                    bits.bitmap(array.values());
                }
                bits.finish();
            }
            _ => put_text(&mut out, series.str().map_err(internal)?)?,
        }
    }
    Ok(out)
}

/// About the bytes [`to_bytes`] writes (exact but for the names and the
/// text of missing cells): room made once, not by doubling.
fn size_hint(frame: &DataFrame) -> usize {
    let rows = frame.height();
    let bits = rows.div_ceil(8);
    16 + frame
        .columns()
        .iter()
        .map(|c| {
            let s = c.as_materialized_series();
            let values = match s.dtype() {
                DataType::Int64 | DataType::Float64 => 8 * rows,
                DataType::Int32 => 4 * rows,
                DataType::Boolean => bits,
                DataType::String => s.str().map_or(0, |t| {
                    8 + 4 * rows
                        + t.downcast_iter()
                            .map(|a| a.total_bytes_len())
                            .sum::<usize>()
                }),
                _ => 0,
            };
            6 + s.name().len() + bits + values
        })
        .sum::<usize>()
}

/// Fixed-width values, each as `bytes` gives it.
fn put_values<T: Copy, const N: usize>(
    out: &mut Vec<u8>,
    values: &[T],
    bytes: impl Fn(T) -> [u8; N],
) {
    let at = out.len();
    out.resize(at + N * values.len(), 0);
    for (to, &v) in out[at..].chunks_exact_mut(N).zip(values) {
        to.copy_from_slice(&bytes(v));
    }
}

/// A text column: its bytes (a missing cell none), then each row's length.
fn put_text(out: &mut Vec<u8>, text: &StringChunked) -> Result<(), String> {
    let total_at = out.len();
    out.extend_from_slice(&0u64.to_le_bytes());
    let mut lengths: Vec<u32> = Vec::with_capacity(text.len());
    let too_long = |n: usize| format!("a length of {n} bytes is too long");
    for array in text.downcast_iter() {
        let valid = array.validity();
        for (i, s) in array.values_iter().enumerate() {
            let s = if valid.is_none_or(|v| v.get_bit(i)) {
                s
            } else {
                ""
            };
            out.extend_from_slice(s.as_bytes());
            lengths.push(u32::try_from(s.len()).map_err(|_| too_long(s.len()))?);
        }
    }
    let total = (out.len() - total_at - 8) as u64;
    out[total_at..total_at + 8].copy_from_slice(&total.to_le_bytes());
    put_values(out, &lengths, u32::to_le_bytes);
    Ok(())
}

fn put_u32(out: &mut Vec<u8>, n: usize) -> Result<(), String> {
    let n = u32::try_from(n).map_err(|_| format!("a length of {n} bytes is too long"))?;
    out.extend_from_slice(&n.to_le_bytes());
    Ok(())
}

/// Bits appended one bitmap after another, the first in the lowest bit of
/// its byte; a bitmap that starts on a byte while the bits written so far
/// end on one is copied by bytes.
struct Bits<'a> {
    out: &'a mut Vec<u8>,
    byte: u8,
    used: u32,
}

impl<'a> Bits<'a> {
    fn new(out: &'a mut Vec<u8>) -> Bits<'a> {
        Bits {
            out,
            byte: 0,
            used: 0,
        }
    }

    fn bit(&mut self, bit: bool) {
        self.byte |= u8::from(bit) << self.used;
        self.used += 1;
        if self.used == 8 {
            self.out.push(self.byte);
            (self.byte, self.used) = (0, 0);
        }
    }

    fn bitmap(&mut self, bitmap: &Bitmap) {
        let (bytes, offset, len) = bitmap.as_slice();
        if self.used == 0 && offset == 0 {
            let whole = len / 8;
            self.out.extend_from_slice(&bytes[..whole]);
            for i in whole * 8..len {
                self.bit(bytes[i / 8] >> (i % 8) & 1 == 1);
            }
        } else {
            for bit in bitmap.iter() {
                self.bit(bit);
            }
        }
    }

    fn ones(&mut self, n: usize) {
        let mut left = n;
        while left > 0 && self.used != 0 {
            self.bit(true);
            left -= 1;
        }
        self.out.resize(self.out.len() + left / 8, 0xff);
        for _ in 0..left % 8 {
            self.bit(true);
        }
    }

    fn finish(self) {
        if self.used > 0 {
            self.out.push(self.byte);
        }
    }
}

/// Reads bytes in order, each read checked against what is left.
struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        if n > self.bytes.len() {
            return Err(format!(
                "the table's bytes end early ({n} more wanted, {} left)",
                self.bytes.len()
            ));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.take(1)?[0])
    }

    fn u32(&mut self) -> Result<usize, String> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
    }

    fn u64(&mut self) -> Result<usize, String> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        usize::try_from(u64::from_le_bytes(b)).map_err(|_| "a length is too large".to_string())
    }

    /// `count` items of `size` bytes.
    fn items(&mut self, count: usize, size: usize) -> Result<&'a [u8], String> {
        let n = count
            .checked_mul(size)
            .ok_or_else(|| "a length is too large".to_string())?;
        self.take(n)
    }

    /// One bit per row.
    fn bits(&mut self, rows: usize) -> Result<Bitmap, String> {
        let bytes = self.take(rows.div_ceil(8))?;
        Bitmap::try_new(bytes.to_vec(), rows).map_err(|e| e.to_string())
    }
}

/// The frame [`to_bytes`] wrote.
pub fn from_bytes(bytes: &[u8]) -> Result<DataFrame, String> {
    let mut at = Cursor { bytes };
    if at.take(4)? != MAGIC {
        return Err("these bytes are not a table".to_string());
    }
    let width = at.u32()?;
    let rows = at.u64()?;
    if width == 0 && rows > 0 {
        return Err(format!("a table of no columns says it has {rows} rows"));
    }
    // A column takes 6 bytes at least: no more are made room for.
    let mut columns = Vec::with_capacity(width.min(at.bytes.len() / 6));
    for _ in 0..width {
        let length = at.u32()?;
        let name = std::str::from_utf8(at.take(length)?)
            .map_err(|_| "a column's name is not UTF-8".to_string())?;
        let name = PlSmallStr::from_str(name);
        let tag = at.u8()?;
        let validity = match at.u8()? {
            0 => None,
            _ => Some(at.bits(rows)?),
        };
        let series = match tag {
            INT64 => {
                let values = at
                    .items(rows, 8)?
                    .chunks_exact(8)
                    .map(|b| i64::from_le_bytes(b.try_into().unwrap_or([0; 8])));
                Int64Chunked::from_vec_validity(name, values.collect(), validity).into_series()
            }
            INT32 => {
                let values = at
                    .items(rows, 4)?
                    .chunks_exact(4)
                    .map(|b| i32::from_le_bytes(b.try_into().unwrap_or([0; 4])));
                Int32Chunked::from_vec_validity(name, values.collect(), validity).into_series()
            }
            FLOAT64 => {
                let values = at
                    .items(rows, 8)?
                    .chunks_exact(8)
                    .map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8])));
                Float64Chunked::from_vec_validity(name, values.collect(), validity).into_series()
            }
            BOOLEAN => {
                let values = at.bits(rows)?;
                let array = BooleanArray::new(ArrowDataType::Boolean, values, validity);
                BooleanChunked::with_chunk(name, array).into_series()
            }
            STRING => strings(&mut at, name, rows, validity.as_ref())?,
            other => return Err(format!("a column of unknown type {other}")),
        };
        columns.push(series.into_column());
    }
    if !at.bytes.is_empty() {
        return Err(format!("{} bytes after the table", at.bytes.len()));
    }
    DataFrame::new(rows, columns).map_err(|e| e.to_string())
}

/// A text column: its bytes, then each row's length.
fn strings(
    at: &mut Cursor<'_>,
    name: PlSmallStr,
    rows: usize,
    validity: Option<&Bitmap>,
) -> Result<Series, String> {
    let total = at.u64()?;
    let text = at.take(total)?;
    let text =
        std::str::from_utf8(text).map_err(|_| format!("column {name}'s text is not UTF-8"))?;
    let lengths = at.items(rows, 4)?;
    let mut cells = MutableBinaryViewArray::<str>::with_capacity(rows);
    let mut from = 0usize;
    for (i, b) in lengths.chunks_exact(4).enumerate() {
        let length = u32::from_le_bytes(b.try_into().unwrap_or([0; 4])) as usize;
        let cell = from
            .checked_add(length)
            .and_then(|to| text.get(from..to))
            .ok_or_else(|| format!("column {name}'s cell {i} is cut in the middle"))?;
        from += length;
        cells.push_value_ignore_validity(cell);
    }
    if from != text.len() {
        return Err(format!("column {name}'s text is longer than its cells"));
    }
    let array = cells.freeze().with_validity(validity.cloned());
    Ok(StringChunked::with_chunk(name, array).into_series())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> DataFrame {
        let n = 300;
        let cols = vec![
            Int64Chunked::from_iter_options(
                "i".into(),
                (0..n).map(|i| (i % 7 != 3).then_some(i as i64 * -3)),
            )
            .into_series()
            .into_column(),
            Int32Chunked::from_vec("d".into(), (0..n).map(|i| i as i32 - 100).collect())
                .into_series()
                .into_column(),
            Float64Chunked::from_iter_options(
                "f".into(),
                (0..n).map(|i| (i % 5 != 0).then_some(i as f64 / 3.0)),
            )
            .into_series()
            .into_column(),
            BooleanChunked::from_iter_options(
                "b".into(),
                (0..n).map(|i| (i % 11 != 0).then_some(i % 2 == 0)),
            )
            .into_series()
            .into_column(),
            StringChunked::from_iter_options(
                "s é".into(),
                (0..n).map(|i| (i % 13 != 1).then(|| "ab€".repeat(i % 4))),
            )
            .into_series()
            .into_column(),
        ];
        DataFrame::new(n, cols).unwrap()
    }

    #[test]
    fn a_frame_reads_back_equal() {
        let frame = sample();
        let back = from_bytes(&to_bytes(&frame).unwrap()).unwrap();
        assert!(back.equals_missing(&frame), "{back}\n{frame}");
        assert_eq!(back.get_column_names(), frame.get_column_names());
        assert_eq!(back.dtypes(), frame.dtypes());
        // An empty frame and one of several chunks.
        let empty = frame.slice(0, 0);
        assert!(from_bytes(&to_bytes(&empty).unwrap())
            .unwrap()
            .equals_missing(&empty));
        // Chunks whose bits start mid-byte, on a byte (copied by bytes),
        // and one without missing cells before one with (all ones, then
        // bits from the fourth).
        for cut in [100, 96, 3, 299] {
            let mut two = frame.slice(0, cut);
            two.vstack_mut(&frame.slice(cut as i64, 300 - cut)).unwrap();
            assert_eq!(two.first_col_n_chunks(), 2);
            let back = from_bytes(&to_bytes(&two).unwrap()).unwrap();
            assert!(back.equals_missing(&frame), "cut at {cut}: {back}");
        }
    }

    #[test]
    fn damaged_bytes_are_an_error_not_a_panic() {
        let bytes = to_bytes(&sample()).unwrap();
        for cut in 0..bytes.len() {
            assert!(from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(from_bytes(&longer).is_err());
        // No columns but rows; a width far beyond the bytes.
        let mut none = MAGIC.to_vec();
        none.extend_from_slice(&0u32.to_le_bytes());
        none.extend_from_slice(&u64::from(u32::MAX).to_le_bytes());
        assert!(from_bytes(&none).is_err());
        let mut wide = bytes.clone();
        wide[4..8].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(from_bytes(&wide).is_err());
        // Every byte changed in turn: an error or a table, never a panic.
        for i in 0..bytes.len() {
            let mut changed = bytes.clone();
            changed[i] ^= 0xA5;
            let _ = from_bytes(&changed);
        }
    }

    #[test]
    fn other_storage_is_refused() {
        let frame = DataFrame::new(
            2,
            vec![Float32Chunked::from_vec("u".into(), vec![1.0, 2.0])
                .into_series()
                .into_column()],
        )
        .unwrap();
        assert!(to_bytes(&frame).unwrap_err().contains("column u"));
    }
}
