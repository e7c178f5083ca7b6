//! Compact buffering of raw cell text while a file is read: one `String` and
//! one end offset per cell, per column, instead of a `String` per cell.

use crate::core::error::IngestError;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct RawColumn {
    text: String,
    ends: Vec<u32>,
}

impl RawColumn {
    pub fn new() -> Self {
        RawColumn::default()
    }

    /// Appends a cell. Fails (rather than wrapping) past 4 GiB of text in one
    /// column, far above what [`crate::core::ingest::MAX_FILE_BYTES`] allows.
    pub fn push(&mut self, cell: &str) -> Result<(), IngestError> {
        // Grow by a quarter rather than doubling: a million-row column
        // would otherwise carry up to half its size in spare capacity, and
        // wasm memory never shrinks back.
        if self.text.capacity() - self.text.len() < cell.len() {
            let grow = (self.text.capacity() / 4).max(cell.len()).max(4096);
            self.text.reserve_exact(grow);
        }
        if self.ends.capacity() == self.ends.len() {
            self.ends
                .reserve_exact((self.ends.capacity() / 4).max(1024));
        }
        self.text.push_str(cell);
        let end = u32::try_from(self.text.len()).map_err(|_| IngestError::Internal {
            message: "a column holds more than 4 GiB of text".to_string(),
        })?;
        self.ends.push(end);
        Ok(())
    }

    /// Makes room for about `cells` more cells holding `bytes` more text,
    /// so a large file fills its columns without reallocating.
    pub fn reserve(&mut self, cells: usize, bytes: usize) {
        self.ends.reserve_exact(cells);
        self.text.reserve_exact(bytes);
    }

    /// Bytes of text held.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Appends an empty (missing) cell.
    pub fn push_empty(&mut self) {
        let end = self.ends.last().copied().unwrap_or(0);
        self.ends.push(end);
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// The text of cell `i` ("" when out of range).
    pub fn get(&self, i: usize) -> &str {
        let Some(&end) = self.ends.get(i) else {
            return "";
        };
        let start = if i == 0 {
            0
        } else {
            self.ends.get(i - 1).copied().unwrap_or(0)
        };
        self.text.get(start as usize..end as usize).unwrap_or("")
    }

    /// Cells `from..` in order.
    pub fn iter_from(&self, from: usize) -> impl Iterator<Item = &str> + '_ {
        (from..self.len()).map(move |i| self.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_and_get() {
        let mut c = RawColumn::new();
        c.push("ab").unwrap();
        c.push_empty();
        c.push("é").unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c.get(0), "ab");
        assert_eq!(c.get(1), "");
        assert_eq!(c.get(2), "é");
        assert_eq!(c.get(3), "");
        assert_eq!(c.iter_from(1).collect::<Vec<_>>(), vec!["", "é"]);
    }
}
