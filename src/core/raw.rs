//! Compact buffering of raw cell text while a file is read: one byte buffer
//! per column, each cell stored as its length (LEB128, one byte for cells
//! under 128 bytes) followed by its UTF-8 text. A million short cells cost
//! their text plus about a megabyte, instead of a `String` or an offset each.
//! Cells are read back in order, which is all the column builders need.

use crate::core::bytes;
use crate::core::error::IngestError;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawColumn {
    bytes: Vec<u8>,
    cells: usize,
}

impl RawColumn {
    pub fn new() -> Self {
        RawColumn::default()
    }

    /// Appends a cell.
    pub fn push(&mut self, cell: &str) -> Result<(), IngestError> {
        // Cells over 4 GiB are refused (far above what
        // [`crate::core::ingest::MAX_FILE_BYTES`] allows in one file).
        if u32::try_from(cell.len()).is_err() {
            return Err(IngestError::Internal {
                message: "a cell holds more than 4 GiB of text".to_string(),
            });
        }
        // The length takes up to 5 bytes; a short cell is copied as 16
        // bytes, then cut to its length.
        self.room_for(cell.len().max(16) + 5);
        let mut len = cell.len();
        while len >= 0x80 {
            self.bytes.push((len as u8 & 0x7f) | 0x80);
            len >>= 7;
        }
        self.bytes.push(len as u8);
        bytes::append(&mut self.bytes, cell.as_bytes());
        self.cells += 1;
        Ok(())
    }

    /// Appends an empty (missing) cell.
    pub fn push_empty(&mut self) {
        self.room_for(1);
        self.bytes.push(0);
        self.cells += 1;
    }

    /// Makes sure `need` more bytes fit, growing by a quarter rather than
    /// doubling: a million-row column would otherwise carry up to half its
    /// size in spare capacity, and wasm memory never shrinks back.
    fn room_for(&mut self, need: usize) {
        if self.bytes.capacity() - self.bytes.len() < need {
            let grow = (self.bytes.capacity() / 4).max(need).max(4096);
            self.bytes.reserve_exact(grow);
        }
    }

    /// Makes room for about `cells` more cells holding `bytes` more text,
    /// so a large file fills its columns without reallocating.
    pub fn reserve(&mut self, cells: usize, bytes: usize) {
        self.bytes.reserve_exact(cells + bytes);
    }

    /// Bytes of text held (with the length prefixes).
    pub fn text_len(&self) -> usize {
        self.bytes.len()
    }

    pub fn len(&self) -> usize {
        self.cells
    }

    pub fn is_empty(&self) -> bool {
        self.cells == 0
    }

    /// The first cell ("" when there is none).
    pub fn first(&self) -> &str {
        self.iter().next().unwrap_or("")
    }

    /// The cells in order.
    pub fn iter(&self) -> Cells<'_> {
        Cells {
            bytes: &self.bytes,
            left: self.cells,
        }
    }
}

/// Iterator over a [`RawColumn`]'s cells.
pub struct Cells<'a> {
    bytes: &'a [u8],
    left: usize,
}

impl<'a> Iterator for Cells<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let mut len = 0usize;
        let mut shift = 0;
        let mut used = 0;
        for &b in self.bytes.iter() {
            used += 1;
            len |= usize::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                break;
            }
            shift += 7;
        }
        let rest = self.bytes.get(used..).unwrap_or_default();
        let (text, rest) = rest.split_at(len.min(rest.len()));
        self.bytes = rest;
        // Only `push` writes text, always whole `&str`s: this never fails.
        Some(std::str::from_utf8(text).unwrap_or(""))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Cells<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_and_iterate() {
        let mut c = RawColumn::new();
        let long = "x".repeat(300);
        c.push("ab").unwrap();
        c.push_empty();
        c.push("é").unwrap();
        c.push(&long).unwrap();
        c.push("").unwrap();
        assert_eq!(c.len(), 5);
        assert_eq!(c.first(), "ab");
        let cells: Vec<&str> = c.iter().collect();
        assert_eq!(cells, vec!["ab", "", "é", long.as_str(), ""]);
        assert_eq!(c.iter().skip(2).len(), 3);
        assert_eq!(RawColumn::new().first(), "");
    }

    /// Every length around the short copies' words comes back whole.
    #[test]
    fn cells_of_every_short_length() {
        let mut c = RawColumn::new();
        let texts: Vec<String> = (0..40)
            .map(|n| (0..n).map(|i| char::from(b'a' + (i % 26) as u8)).collect())
            .collect();
        for t in &texts {
            c.push(t).unwrap();
            c.push("é€").unwrap();
        }
        let back: Vec<&str> = c.iter().collect();
        for (k, t) in texts.iter().enumerate() {
            assert_eq!(back[2 * k], t);
            assert_eq!(back[2 * k + 1], "é€");
        }
        assert_eq!(back.len(), 80);
    }
}
