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

use polars_arrow::array::{Array, BooleanArray, Utf8ViewArray, View};
use polars_arrow::bitmap::{Bitmap, MutableBitmap};
use polars_arrow::datatypes::ArrowDataType;
use polars_buffer::Buffer;
use polars_core::prelude::*;

use crate::core::bytes;

const MAGIC: &[u8; 4] = b"PSF1";

const INT64: u8 = 1;
const INT32: u8 = 2;
const FLOAT64: u8 = 3;
const BOOLEAN: u8 = 4;
const STRING: u8 = 5;

/// Where [`write`] puts a table's bytes, in order: a part worker writes
/// its table straight into the bytes it sends (outside its own memory) a
/// piece at a time, so the table's bytes are never held whole beside the
/// table.
pub trait Output {
    /// Appends `bytes`.
    fn put(&mut self, bytes: &[u8]) -> Result<(), String>;
}

impl Output for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.extend_from_slice(bytes);
        Ok(())
    }
}

/// The frame's columns as bytes: [`write`] into one buffer.
pub fn to_bytes(frame: &DataFrame) -> Result<Vec<u8>, String> {
    let size = usize::try_from(size(frame)).map_err(|_| "the table is too large".to_string())?;
    let mut out = Vec::with_capacity(size);
    write(frame, &mut out)?;
    Ok(out)
}

/// The number of bytes [`write`] writes of `frame` (for a column of a
/// type it refuses, its header only).
/// (In 64 bits: views that share their bytes may add up to more than a
/// wasm32 `usize`; the caller refuses what it cannot hold.)
pub fn size(frame: &DataFrame) -> u64 {
    let rows = frame.height() as u64;
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
                DataType::String => s.str().map_or(0, |t| 8 + 4 * rows + text_bytes(t)),
                _ => 0,
            };
            let validity = if s.null_count() > 0 { bits } else { 0 };
            6 + s.name().len() as u64 + validity + values
        })
        .sum::<u64>()
}

/// The bytes of a text column's present cells.
fn text_bytes(text: &StringChunked) -> u64 {
    text.downcast_iter()
        .map(|a| {
            let views = a.views().iter();
            match a.validity().filter(|v| v.unset_bits() > 0) {
                Some(valid) => views
                    .zip(valid.iter())
                    .map(|(v, ok)| if ok { u64::from(v.length) } else { 0 })
                    .sum::<u64>(),
                None => views.map(|v| u64::from(v.length)).sum::<u64>(),
            }
        })
        .sum()
}

/// Writes the frame's columns to `out` in pieces of one to two [`PIECE`]s
/// (a validity or boolean bitmap whole; a cell longer than a piece on its
/// own).
///
/// Written array by array: numbers as their stored values, bits as the
/// bitmaps' bytes when they fall on a byte, text as each array's values in
/// order (a cell's `Option` through the chunked iterator cost more than the
/// copy itself in wasm).
pub fn write(frame: &DataFrame, out: &mut impl Output) -> Result<(), String> {
    let rows = frame.height();
    let mut w = Staged {
        out,
        stage: Vec::with_capacity(2 * PIECE),
    };
    w.bytes(MAGIC)?;
    w.u32(frame.width())?;
    w.bytes(&(rows as u64).to_le_bytes())?;
    for column in frame.columns() {
        let series = column.as_materialized_series();
        let name = series.name().as_str();
        w.u32(name.len())?;
        w.bytes(name.as_bytes())?;
        let tag = match series.dtype() {
            DataType::Int64 => INT64,
            DataType::Int32 => INT32,
            DataType::Float64 => FLOAT64,
            DataType::Boolean => BOOLEAN,
            DataType::String => STRING,
            other => return Err(format!("column {name} is stored as {other}")),
        };
        let nulls = series.null_count();
        w.bytes(&[tag, u8::from(nulls > 0)])?;
        if nulls > 0 {
            let mut bits = Bits::new(&mut w.stage);
            for array in series.chunks() {
                match array.validity() {
                    Some(valid) => bits.bitmap(valid),
                    None => bits.ones(array.len()),
                }
            }
            bits.finish();
            w.flush_if_full()?;
        }
        let internal = |e: PolarsError| e.to_string();
        match tag {
            // The stored values, under missing ones too (their validity
            // says they are missing).
            INT64 => {
                for array in series.i64().map_err(internal)?.downcast_iter() {
                    w.values(array.values(), |v| v.to_le_bytes())?;
                }
            }
            INT32 => {
                for array in series.i32().map_err(internal)?.downcast_iter() {
                    w.values(array.values(), |v| v.to_le_bytes())?;
                }
            }
            FLOAT64 => {
                for array in series.f64().map_err(internal)?.downcast_iter() {
                    w.values(array.values(), |v| v.to_le_bytes())?;
                }
            }
            BOOLEAN => {
                let mut bits = Bits::new(&mut w.stage);
                for array in series.bool().map_err(internal)?.downcast_iter() {
                    bits.bitmap(array.values());
                }
                bits.finish();
                w.flush_if_full()?;
            }
            _ => put_text(&mut w, series.str().map_err(internal)?)?,
        }
    }
    w.flush()
}

/// The bytes on their way to an [`Output`], gathered into pieces of about
/// [`PIECE`] (a call per value would cost more than the copy).
struct Staged<'a, O: Output> {
    out: &'a mut O,
    stage: Vec<u8>,
}

impl<O: Output> Staged<'_, O> {
    fn flush(&mut self) -> Result<(), String> {
        if !self.stage.is_empty() {
            self.out.put(&self.stage)?;
            self.stage.clear();
        }
        Ok(())
    }

    fn flush_if_full(&mut self) -> Result<(), String> {
        if self.stage.len() >= PIECE {
            self.flush()?;
        }
        Ok(())
    }

    fn bytes(&mut self, bytes: &[u8]) -> Result<(), String> {
        if self.stage.len() + bytes.len() > PIECE {
            self.flush()?;
            if bytes.len() > PIECE {
                // A long cell: straight out, not through the stage.
                return self.out.put(bytes);
            }
        }
        bytes::append(&mut self.stage, bytes);
        Ok(())
    }

    fn u32(&mut self, n: usize) -> Result<(), String> {
        let n = u32::try_from(n).map_err(|_| format!("a length of {n} bytes is too long"))?;
        self.bytes(&n.to_le_bytes())
    }

    /// Fixed-width values, each as `bytes` gives it.
    fn values<T: Copy, const N: usize>(
        &mut self,
        values: &[T],
        bytes: impl Fn(T) -> [u8; N],
    ) -> Result<(), String> {
        for piece in values.chunks(PIECE / N) {
            let at = self.stage.len();
            self.stage.resize(at + N * piece.len(), 0);
            for (to, &v) in self.stage[at..].chunks_exact_mut(N).zip(piece) {
                to.copy_from_slice(&bytes(v));
            }
            self.flush_if_full()?;
        }
        Ok(())
    }
}

/// A text column: its bytes (a missing cell none), then each row's length.
fn put_text<O: Output>(w: &mut Staged<'_, O>, text: &StringChunked) -> Result<(), String> {
    w.bytes(&text_bytes(text).to_le_bytes())?;
    for array in text.downcast_iter() {
        let valid = array.validity();
        for (i, s) in array.values_iter().enumerate() {
            if valid.is_none_or(|v| v.get_bit(i)) {
                w.bytes(s.as_bytes())?;
            }
        }
    }
    for array in text.downcast_iter() {
        let valid = array.validity();
        for (i, view) in array.views().iter().enumerate() {
            let length = if valid.is_none_or(|v| v.get_bit(i)) {
                view.length
            } else {
                0
            };
            w.stage.extend_from_slice(&length.to_le_bytes());
            if w.stage.len() >= PIECE {
                w.flush()?;
            }
        }
    }
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

/// Where [`read`] takes a table's bytes from, in order: the data worker
/// reads a part's table from the bytes the part worker sent (outside its
/// own memory) a piece at a time, each piece copied into the column that
/// keeps it, so the table's bytes are never held whole beside the table.
pub trait Input {
    /// The bytes not read yet.
    fn left(&self) -> usize;
    /// Fills `buf` with the next `buf.len()` bytes; called only when
    /// [`Input::left`] has them.
    fn fill(&mut self, buf: &mut [u8]) -> Result<(), String>;
}

impl Input for &[u8] {
    fn left(&self) -> usize {
        self.len()
    }

    fn fill(&mut self, buf: &mut [u8]) -> Result<(), String> {
        let (head, rest) = self.split_at(buf.len());
        buf.copy_from_slice(head);
        *self = rest;
        Ok(())
    }
}

/// Bytes converted at a time (a numbers column or text lengths are read
/// and written through a buffer this size).
const PIECE: usize = 1 << 16;

/// Reads bytes in order, each read checked against what is left.
struct Cursor<'a, I: Input> {
    input: &'a mut I,
}

impl<I: Input> Cursor<'_, I> {
    /// Checks that `count` items of `size` bytes are left: the bytes'
    /// own lengths are checked before memory is made for them.
    fn need(&self, count: usize, size: usize) -> Result<usize, String> {
        let n = count
            .checked_mul(size)
            .ok_or_else(|| "a length is too large".to_string())?;
        let left = self.input.left();
        if n > left {
            return Err(format!(
                "the table's bytes end early ({n} more wanted, {left} left)"
            ));
        }
        Ok(n)
    }

    /// The next `n` bytes.
    fn take(&mut self, n: usize) -> Result<Vec<u8>, String> {
        self.need(n, 1)?;
        let mut out = vec![0u8; n];
        self.input.fill(&mut out)?;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        self.need(N, 1)?;
        let mut out = [0u8; N];
        self.input.fill(&mut out)?;
        Ok(out)
    }

    fn u8(&mut self) -> Result<u8, String> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<usize, String> {
        Ok(u32::from_le_bytes(self.array()?) as usize)
    }

    fn u64(&mut self) -> Result<usize, String> {
        usize::try_from(u64::from_le_bytes(self.array()?))
            .map_err(|_| "a length is too large".to_string())
    }

    /// `count` values of `N` bytes each, as `from` reads them, appended
    /// to `out`.
    fn values<T, const N: usize>(
        &mut self,
        out: &mut Vec<T>,
        count: usize,
        from: impl Fn([u8; N]) -> T,
    ) -> Result<(), String> {
        self.need(count, N)?;
        out.reserve(count);
        let mut piece = vec![0u8; (PIECE / N * N).min(count * N)];
        let mut left = count;
        while left > 0 {
            let n = left.min(PIECE / N);
            let buf = &mut piece[..n * N];
            self.input.fill(buf)?;
            out.extend(
                buf.chunks_exact(N)
                    .map(|b| from(b.try_into().unwrap_or([0; N]))),
            );
            left -= n;
        }
        Ok(())
    }

    /// One bit per row.
    fn bits(&mut self, rows: usize) -> Result<Bitmap, String> {
        let bytes = self.take(rows.div_ceil(8))?;
        Bitmap::try_new(bytes, rows).map_err(|e| e.to_string())
    }
}

/// The frame [`to_bytes`] wrote.
pub fn from_bytes(mut bytes: &[u8]) -> Result<DataFrame, String> {
    read(&mut bytes)
}

/// The frame [`to_bytes`] wrote, read from `input` (all of it).
pub fn read(input: &mut impl Input) -> Result<DataFrame, String> {
    read_parts(std::slice::from_mut(input))
}

/// One frame of the tables [`to_bytes`] wrote of a file's parts, in
/// order (the same columns in each): each column is made once at its full
/// length, a part after another, so no part's columns are held beside the
/// whole and nothing is copied again to join them.
pub fn read_parts<I: Input>(inputs: &mut [I]) -> Result<DataFrame, String> {
    let mut parts = Vec::with_capacity(inputs.len());
    let mut width = None;
    let mut total = 0usize;
    for input in inputs.iter_mut() {
        let mut at = Cursor { input };
        if at.array::<4>()? != *MAGIC {
            return Err("these bytes are not a table".to_string());
        }
        let columns = at.u32()?;
        let rows = at.u64()?;
        if columns == 0 && rows > 0 {
            return Err(format!("a table of no columns says it has {rows} rows"));
        }
        if width.is_some_and(|w| w != columns) {
            return Err("the parts' tables have different columns".to_string());
        }
        width = Some(columns);
        total = total
            .checked_add(rows)
            .ok_or_else(|| "a length is too large".to_string())?;
        parts.push((at, rows));
    }
    let width = width.unwrap_or(0);
    // A column takes 6 bytes at least: no more are made room for.
    let room = parts.first().map_or(0, |(at, _)| at.input.left() / 6);
    let mut columns = Vec::with_capacity(width.min(room));
    for _ in 0..width {
        columns.push(column(&mut parts, total)?.into_column());
    }
    for (at, _) in &parts {
        let left = at.input.left();
        if left > 0 {
            return Err(format!("{left} bytes after the table"));
        }
    }
    DataFrame::new(total, columns).map_err(|e| e.to_string())
}

/// The values of one column, part after part.
enum Values {
    Int64(Vec<i64>),
    Int32(Vec<i32>),
    Float64(Vec<f64>),
    Boolean(MutableBitmap),
    /// The views, and each part's bytes of its long cells.
    String(Vec<View>, Vec<Buffer<u8>>),
}

/// The next column of every part, joined.
fn column<I: Input>(parts: &mut [(Cursor<'_, I>, usize)], total: usize) -> Result<Series, String> {
    let mut name: Option<String> = None;
    let mut values: Option<Values> = None;
    // Made once a part has a missing cell (the parts before all present).
    let mut validity: Option<MutableBitmap> = None;
    let mut before = 0usize;
    // `count` items of `size` bytes, when the parts' bytes left hold them.
    let left: usize = parts.iter().map(|(at, _)| at.input.left()).sum();
    let room = |count: usize, size: usize| -> Result<usize, String> {
        match count.checked_mul(size) {
            Some(n) if n <= left => Ok(count),
            _ => Err(format!(
                "the table's bytes end early ({total} rows in {left} bytes)"
            )),
        }
    };
    for (at, rows) in parts.iter_mut() {
        let rows = *rows;
        let length = at.u32()?;
        let this = String::from_utf8(at.take(length)?)
            .map_err(|_| "a column's name is not UTF-8".to_string())?;
        if name.as_ref().is_some_and(|n| *n != this) {
            return Err(format!(
                "the parts' tables differ: {this} is not {}",
                name.unwrap_or_default()
            ));
        }
        let tag = at.u8()?;
        match at.u8()? {
            0 => {
                if let Some(v) = validity.as_mut() {
                    v.extend_constant(rows, true);
                }
            }
            _ => {
                let bits = at.bits(rows)?;
                if validity.is_none() {
                    let mut v = MutableBitmap::with_capacity(room(total.div_ceil(8), 1)? * 8);
                    v.extend_constant(before, true);
                    validity = Some(v);
                }
                if let Some(v) = validity.as_mut() {
                    v.extend_from_bitmap(&bits);
                }
            }
        }
        if values.is_none() {
            // Room for every part's rows at once (the bytes left must
            // hold them: damaged lengths make no room).
            values = Some(match tag {
                INT64 => Values::Int64(Vec::with_capacity(room(total, 8)?)),
                INT32 => Values::Int32(Vec::with_capacity(room(total, 4)?)),
                FLOAT64 => Values::Float64(Vec::with_capacity(room(total, 8)?)),
                BOOLEAN => Values::Boolean(MutableBitmap::with_capacity(
                    room(total.div_ceil(8), 1)? * 8,
                )),
                // (A length of 4 bytes a row.)
                STRING => Values::String(Vec::with_capacity(room(total, 4)?), Vec::new()),
                other => return Err(format!("a column of unknown type {other}")),
            });
        }
        let Some(values) = values.as_mut() else {
            return Err("no values".to_string());
        };
        match (tag, values) {
            (INT64, Values::Int64(out)) => at.values(out, rows, i64::from_le_bytes)?,
            (INT32, Values::Int32(out)) => at.values(out, rows, i32::from_le_bytes)?,
            (FLOAT64, Values::Float64(out)) => at.values(out, rows, f64::from_le_bytes)?,
            (BOOLEAN, Values::Boolean(out)) => out.extend_from_bitmap(&at.bits(rows)?),
            (STRING, Values::String(views, buffers)) => {
                strings(at, &this, rows, views, buffers)?;
            }
            _ => return Err(format!("the parts' tables store {this} as different types")),
        }
        name = Some(this);
        before += rows;
    }
    let name = PlSmallStr::from_string(name.unwrap_or_default());
    let validity: Option<Bitmap> = validity.map(Into::into);
    Ok(match values {
        Some(Values::Int64(v)) => Int64Chunked::from_vec_validity(name, v, validity).into_series(),
        Some(Values::Int32(v)) => Int32Chunked::from_vec_validity(name, v, validity).into_series(),
        Some(Values::Float64(v)) => {
            Float64Chunked::from_vec_validity(name, v, validity).into_series()
        }
        Some(Values::Boolean(v)) => {
            let array = BooleanArray::new(ArrowDataType::Boolean, v.into(), validity);
            BooleanChunked::with_chunk(name, array).into_series()
        }
        Some(Values::String(views, buffers)) => {
            let array = Utf8ViewArray::try_new(
                ArrowDataType::Utf8View,
                Buffer::from(views),
                Buffer::from(buffers),
                validity,
            )
            .map_err(|e| format!("column {name}: {e}"))?;
            StringChunked::with_chunk(name, array).into_series()
        }
        // (A frame of no parts has no columns.)
        None => return Err("a column in no table".to_string()),
    })
}

/// A view that holds `text` (at most 12 bytes) itself, its bytes put in
/// with fixed-size copies (`View::new_from_bytes` copies them with wasm's
/// `memory.copy`, a call, once a cell).
fn inline_view(text: &[u8]) -> View {
    debug_assert!(text.len() <= View::MAX_INLINE_SIZE as usize);
    let word = bytes::padded(text).unwrap_or_default();
    View {
        length: text.len() as u32,
        prefix: word as u32,
        buffer_idx: (word >> 32) as u32,
        offset: (word >> 64) as u32,
    }
}

/// Whether a character starts at `i` of UTF-8 `text` (or it ends there).
fn starts_char(text: &[u8], i: usize) -> bool {
    // Not a continuation byte (0b10xx_xxxx).
    text.get(i).is_none_or(|&b| (b as i8) >= -0x40)
}

/// A part of a text column: its bytes, then each row's length; the views
/// appended to `views`, the bytes to `buffers`. The bytes become the
/// column's own buffer: each cell longer than a view holds is moved down
/// over the bytes of the short cells before it (which the views hold
/// themselves), so the text is neither copied nor kept twice.
fn strings<I: Input>(
    at: &mut Cursor<'_, I>,
    name: &str,
    rows: usize,
    views: &mut Vec<View>,
    buffers: &mut Vec<Buffer<u8>>,
) -> Result<(), String> {
    let total = at.u64()?;
    // Each cell's UTF-8 is checked once, where the array is made
    // (`Utf8ViewArray::try_new`, every view): checking the text whole here
    // too took 66 ms of a profiling worker's 938 ms (1M x 12, in wasm).
    let mut text = at.take(total)?;
    let mut lengths = Vec::new();
    at.values(&mut lengths, rows, u32::from_le_bytes)?;
    let index = u32::try_from(buffers.len()).map_err(|_| "too many parts".to_string())?;
    views.reserve(rows);
    let (mut from, mut kept) = (0usize, 0usize);
    for (i, &length) in lengths.iter().enumerate() {
        let length = length as usize;
        let cut = || format!("column {name}'s cell {i} is cut in the middle");
        let to = from.checked_add(length).ok_or_else(cut)?;
        // A cell is whole characters (the bytes from `from` on are not
        // moved yet; what is not UTF-8 is refused with the array).
        if to > text.len() || !starts_char(&text, to) || !starts_char(&text, from) {
            return Err(cut());
        }
        if length <= View::MAX_INLINE_SIZE as usize {
            views.push(inline_view(&text[from..to]));
        } else {
            let offset = u32::try_from(kept)
                .map_err(|_| format!("column {name}'s text is too long for one buffer"))?;
            text.copy_within(from..to, kept);
            views.push(View::new_from_bytes(
                &text[kept..kept + length],
                index,
                offset,
            ));
            kept += length;
        }
        from = to;
    }
    if from != text.len() {
        return Err(format!("column {name}'s text is longer than its cells"));
    }
    drop(lengths);
    if kept > 0 {
        text.truncate(kept);
        text.shrink_to_fit();
        buffers.push(Buffer::from(text));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A short cell's view, made with fixed-size copies, is polars' own.
    #[test]
    fn inline_views_are_polars_views() {
        for n in 0..=12usize {
            let text: Vec<u8> = (0..n).map(|i| b'a' + i as u8).collect();
            assert_eq!(
                inline_view(&text).as_u128(),
                View::new_from_bytes(&text, 0, 0).as_u128(),
                "{n} bytes"
            );
        }
    }

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

    /// Keeps what [`write`] puts, and each piece's size.
    #[derive(Default)]
    struct PiecesOut {
        bytes: Vec<u8>,
        pieces: Vec<usize>,
    }

    impl Output for PiecesOut {
        fn put(&mut self, bytes: &[u8]) -> Result<(), String> {
            self.pieces.push(bytes.len());
            self.bytes.extend_from_slice(bytes);
            Ok(())
        }
    }

    #[test]
    fn written_in_pieces_of_the_size_said() {
        // Many rows (several pieces a column), missing cells, two chunks,
        // and one cell longer than a piece.
        let n = 40_000;
        let mut frame = DataFrame::new(
            n,
            vec![
                Float64Chunked::from_iter_options(
                    "f".into(),
                    (0..n).map(|i| (i % 9 != 0).then_some(i as f64)),
                )
                .into_series()
                .into_column(),
                StringChunked::from_iter_options(
                    "s".into(),
                    (0..n).map(|i| match i {
                        7 => Some("x".repeat(3 * PIECE)),
                        _ => (i % 5 != 0).then(|| format!("cell {i}")),
                    }),
                )
                .into_series()
                .into_column(),
            ],
        )
        .unwrap();
        frame.vstack_mut(&frame.slice(0, 3)).unwrap();
        for f in [frame.clone(), sample(), sample().slice(0, 0)] {
            let mut out = PiecesOut::default();
            write(&f, &mut out).unwrap();
            assert_eq!(out.bytes.len() as u64, size(&f), "the size said");
            assert_eq!(out.bytes, to_bytes(&f).unwrap());
            assert!(from_bytes(&out.bytes).unwrap().equals_missing(&f));
        }
        let mut out = PiecesOut::default();
        write(&frame, &mut out).unwrap();
        // Pieces of at most two PIECEs (a bitmap of these rows is less),
        // but for the long cell sent on its own.
        let big: Vec<usize> = out
            .pieces
            .iter()
            .copied()
            .filter(|&p| p > 2 * PIECE)
            .collect();
        assert_eq!(big, vec![3 * PIECE], "{:?}", out.pieces);
        assert!(
            out.pieces.len() >= out.bytes.len() / (2 * PIECE),
            "{:?}",
            out.pieces
        );
    }

    /// Serves its bytes in pieces of at most `most` (as the data worker's
    /// input copies pieces out of a part's bytes).
    struct Pieces<'a> {
        bytes: &'a [u8],
        most: usize,
        biggest: usize,
    }

    impl Input for Pieces<'_> {
        fn left(&self) -> usize {
            self.bytes.len()
        }

        fn fill(&mut self, buf: &mut [u8]) -> Result<(), String> {
            self.biggest = self.biggest.max(buf.len());
            for piece in buf.chunks_mut(self.most) {
                let (head, rest) = self.bytes.split_at(piece.len());
                piece.copy_from_slice(head);
                self.bytes = rest;
            }
            Ok(())
        }
    }

    #[test]
    fn read_from_pieces_and_text_kept_once() {
        let n = 100_000;
        let long = |i: usize| format!("cell {i} is longer than a view holds");
        let frame = DataFrame::new(
            n,
            vec![
                Float64Chunked::from_vec("f".into(), (0..n).map(|i| i as f64).collect())
                    .into_series()
                    .into_column(),
                // Short and long cells mixed, a missing one among them.
                StringChunked::from_iter_options(
                    "t".into(),
                    (0..n).map(|i| match i % 3 {
                        0 => Some(long(i)),
                        1 => Some(format!("{}", i % 10)),
                        _ => (i % 7 != 2).then(|| "é".repeat(i % 9)),
                    }),
                )
                .into_series()
                .into_column(),
                StringChunked::from_iter_values(
                    "short".into(),
                    (0..n).map(|i| format!("c{}", i % 5)),
                )
                .into_series()
                .into_column(),
            ],
        )
        .unwrap();
        let bytes = to_bytes(&frame).unwrap();
        let mut input = Pieces {
            bytes: &bytes,
            most: 7,
            biggest: 0,
        };
        let back = read(&mut input).unwrap();
        assert!(back.equals_missing(&frame));
        // Numbers and lengths come a piece at a time, never the whole
        // column's bytes; the text (read whole) is what the column keeps.
        let text: usize = frame
            .column("t")
            .unwrap()
            .str()
            .unwrap()
            .iter()
            .flatten()
            .map(str::len)
            .sum();
        assert!(text > PIECE && text > 8 * n);
        assert_eq!(input.biggest, text);
        let buffer = |c: &str| -> usize {
            let s = back.column(c).unwrap().str().unwrap().clone();
            s.downcast_iter().map(|a| a.total_buffer_len()).sum()
        };
        let longer: usize = (0..n)
            .filter(|i| i % 3 == 0)
            .map(|i| long(i).len())
            .sum::<usize>()
            + (0..n)
                .filter(|&i| i % 3 == 2 && i % 7 != 2 && 2 * (i % 9) > 12)
                .map(|i| 2 * (i % 9))
                .sum::<usize>();
        assert_eq!(buffer("t"), longer);
        assert_eq!(buffer("short"), 0);
    }

    #[test]
    fn parts_read_into_one_frame() {
        let frame = sample();
        // Parts with and without missing cells, long text in some only,
        // one part empty.
        for cuts in [vec![0, 120, 300], vec![0, 1, 1, 299, 300], vec![0, 300]] {
            let bytes: Vec<Vec<u8>> = cuts
                .windows(2)
                .map(|w| to_bytes(&frame.slice(w[0] as i64, w[1] - w[0])).unwrap())
                .collect();
            let mut inputs: Vec<&[u8]> = bytes.iter().map(Vec::as_slice).collect();
            let back = read_parts(&mut inputs).unwrap();
            assert!(back.equals_missing(&frame), "{cuts:?}: {back}");
            assert_eq!(back.first_col_n_chunks(), 1);
            assert_eq!(back.dtypes(), frame.dtypes());
        }
        // Parts of other tables are refused.
        let other = to_bytes(&frame.select(["i", "d"]).unwrap()).unwrap();
        let renamed = {
            let mut f = frame.slice(0, 10);
            f.rename("i", "j".into()).unwrap();
            to_bytes(&f).unwrap()
        };
        let whole = to_bytes(&frame).unwrap();
        // A part that says it has far more rows than its bytes hold: an
        // error, no room made for them.
        let mut huge = MAGIC.to_vec();
        huge.extend_from_slice(&5u32.to_le_bytes());
        huge.extend_from_slice(&(1u64 << 40).to_le_bytes());
        for bad in [&other, &renamed, &huge] {
            let mut inputs = vec![whole.as_slice(), bad.as_slice()];
            assert!(read_parts(&mut inputs).is_err());
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
        // Text that is not UTF-8, in a cell a view holds and in a longer
        // one; a character cut between two cells.
        let texts = ["ab", "a cell longer than a view holds", "é"];
        let frame = DataFrame::new(
            3,
            vec![StringChunked::from_slice("t".into(), &texts)
                .into_series()
                .into_column()],
        )
        .unwrap();
        let good = to_bytes(&frame).unwrap();
        assert!(from_bytes(&good).unwrap().equals_missing(&frame));
        let at = |needle: &[u8]| {
            good.windows(needle.len())
                .position(|w| w == needle)
                .expect("the text is there")
        };
        for needle in [&b"ab"[..], b"longer", "é".as_bytes()] {
            let mut bad = good.clone();
            bad[at(needle)] = 0xFF;
            assert!(from_bytes(&bad).is_err(), "{needle:?} made not UTF-8");
        }
        // The lengths 2, 31, 2 become 2, 32, 1: "é" cut in two.
        let lengths = good.len() - 12;
        let mut cut = good.clone();
        cut[lengths + 4..lengths + 8].copy_from_slice(&32u32.to_le_bytes());
        cut[lengths + 8..].copy_from_slice(&1u32.to_le_bytes());
        assert!(from_bytes(&cut).is_err(), "a character cut between cells");
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
