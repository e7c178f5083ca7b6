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

use polars_arrow::bitmap::Bitmap;
use polars_core::prelude::*;

const MAGIC: &[u8; 4] = b"PSF1";

const INT64: u8 = 1;
const INT32: u8 = 2;
const FLOAT64: u8 = 3;
const BOOLEAN: u8 = 4;
const STRING: u8 = 5;

/// The frame's columns as bytes.
pub fn to_bytes(frame: &DataFrame) -> Result<Vec<u8>, String> {
    let rows = frame.height();
    // Numbers take 8 bytes a row, text its bytes and 4 a row: about what
    // the frame holds, and a bit per row of validity.
    let mut out =
        Vec::with_capacity(16 + frame.estimated_size() + frame.width() * rows.div_ceil(8));
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
            put_bits(
                &mut out,
                series.is_not_null().into_iter().map(|b| b == Some(true)),
            );
        }
        let internal = |e: PolarsError| e.to_string();
        match tag {
            // The stored values, under missing ones too (their validity
            // says they are missing).
            INT64 => {
                for array in series.i64().map_err(internal)?.downcast_iter() {
                    out.extend(array.values().iter().flat_map(|v| v.to_le_bytes()));
                }
            }
            INT32 => {
                for array in series.i32().map_err(internal)?.downcast_iter() {
                    out.extend(array.values().iter().flat_map(|v| v.to_le_bytes()));
                }
            }
            FLOAT64 => {
                for array in series.f64().map_err(internal)?.downcast_iter() {
                    out.extend(array.values().iter().flat_map(|v| v.to_le_bytes()));
                }
            }
            BOOLEAN => {
                let values = series.bool().map_err(internal)?;
                put_bits(&mut out, values.iter().map(|b| b == Some(true)));
            }
            _ => {
                let text = series.str().map_err(internal)?;
                let total: usize = text.iter().map(|s| s.map_or(0, str::len)).sum();
                out.extend_from_slice(&(total as u64).to_le_bytes());
                for s in text.iter().flatten() {
                    out.extend_from_slice(s.as_bytes());
                }
                for s in text.iter() {
                    put_u32(&mut out, s.map_or(0, str::len))?;
                }
            }
        }
    }
    Ok(out)
}

fn put_u32(out: &mut Vec<u8>, n: usize) -> Result<(), String> {
    let n = u32::try_from(n).map_err(|_| format!("a length of {n} bytes is too long"))?;
    out.extend_from_slice(&n.to_le_bytes());
    Ok(())
}

/// One bit per value, the first in the lowest bit.
fn put_bits(out: &mut Vec<u8>, bits: impl Iterator<Item = bool>) {
    let (mut byte, mut used) = (0u8, 0);
    for bit in bits {
        byte |= u8::from(bit) << used;
        used += 1;
        if used == 8 {
            out.push(byte);
            (byte, used) = (0, 0);
        }
    }
    if used > 0 {
        out.push(byte);
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
                let present = |i: usize| validity.as_ref().is_none_or(|v| v.get_bit(i));
                BooleanChunked::from_iter_options(
                    name,
                    (0..rows).map(|i| present(i).then(|| values.get_bit(i))),
                )
                .into_series()
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
    let mut cells = Vec::with_capacity(rows);
    let mut from = 0usize;
    for (i, b) in lengths.chunks_exact(4).enumerate() {
        let length = u32::from_le_bytes(b.try_into().unwrap_or([0; 4])) as usize;
        let cell = from
            .checked_add(length)
            .and_then(|to| text.get(from..to))
            .ok_or_else(|| format!("column {name}'s cell {i} is cut in the middle"))?;
        from += length;
        cells.push(validity.is_none_or(|v| v.get_bit(i)).then_some(cell));
    }
    if from != text.len() {
        return Err(format!("column {name}'s text is longer than its cells"));
    }
    Ok(StringChunked::from_iter_options(name, cells.into_iter()).into_series())
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
        let mut two = frame.slice(0, 100);
        two.vstack_mut(&frame.slice(100, 200)).unwrap();
        assert!(from_bytes(&to_bytes(&two).unwrap())
            .unwrap()
            .equals_missing(&frame));
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
