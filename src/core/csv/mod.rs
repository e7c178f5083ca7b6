//! Streaming CSV/TSV reading on top of `csv-core`, with delimiter sniffing
//! and positions (physical line, byte) for error messages.
//!
//! Bytes arrive as UTF-8 (already transcoded from UTF-16) or as raw bytes
//! that are UTF-8 or Windows-1252; each field is decoded on its own, so a
//! Windows-1252 byte late in the file is still read correctly.

use serde::{Deserialize, Serialize};

use crate::core::error::IngestError;
use crate::core::infer::{Cell, Inference, Span};
use crate::core::ingest::{MAX_CELLS, MAX_ROWS, MAX_TABLE_BYTES};
use crate::core::raw::RawColumn;

mod numbers;
mod tokenizer;

pub(crate) use numbers::Numbers;
pub use numbers::NumbersKind;
pub(crate) use tokenizer::is_break;
pub use tokenizer::{Endings, Field, Fields, Place, Tokenizer};

/// Most columns a file may have.
pub const MAX_COLUMNS: usize = 16_384;

/// Cells read between two estimates of the table's memory
/// ([`MAX_TABLE_BYTES`]): a reading of every column's size, so the table
/// passes the bound by at most this many cells and a record's (about 21
/// bytes each, plus their text) before it is refused.
pub const CHECK_CELLS: u64 = 1 << 20;

/// Candidate delimiters, in order of preference on ties.
const DELIMITERS: [u8; 4] = [b',', b'\t', b';', b'|'];

/// Records looked at when sniffing the delimiter.
const SNIFF_RECORDS: usize = 50;

/// Picks the delimiter whose field counts are most consistent over the first
/// records of `head` (quotes respected), preferring more fields on ties.
/// `complete`: `head` is the whole file (else its last record is cut off
/// and ignored). Falls back to a comma (a one-column file).
pub fn sniff_delimiter(head: &[u8], complete: bool) -> u8 {
    let mut best = (b',', 0.0f64, 0usize);
    for &d in &DELIMITERS {
        let counts = field_counts(head, d, complete);
        if counts.is_empty() {
            continue;
        }
        // Most common field count and how often it occurs.
        let mut tally: Vec<(usize, usize)> = Vec::new();
        for &c in &counts {
            match tally.iter_mut().find(|(v, _)| *v == c) {
                Some(t) => t.1 += 1,
                None => tally.push((c, 1)),
            }
        }
        let (mode, freq) = tally
            .iter()
            .copied()
            .max_by_key(|&(v, n)| (n, v))
            .unwrap_or((1, 0));
        if mode < 2 {
            continue;
        }
        let consistency = freq as f64 / counts.len() as f64;
        if consistency > best.1 || (consistency == best.1 && mode > best.2) {
            best = (d, consistency, mode);
        }
    }
    best.0
}

/// Field counts per record for delimiter `d` (blank lines skipped).
fn field_counts(head: &[u8], d: u8, complete: bool) -> Vec<usize> {
    let mut counts = Vec::new();
    let mut fields = 1;
    let mut in_quote = false;
    let mut at_field_start = true;
    let mut line_has_content = false;
    for &b in head {
        if counts.len() >= SNIFF_RECORDS {
            return counts;
        }
        if in_quote {
            if b == b'"' {
                in_quote = false;
            }
            continue;
        }
        match b {
            b'"' if at_field_start => {
                in_quote = true;
                line_has_content = true;
                at_field_start = false;
            }
            b'\n' | b'\r' => {
                if line_has_content {
                    counts.push(fields);
                }
                fields = 1;
                at_field_start = true;
                line_has_content = false;
            }
            _ if b == d => {
                fields += 1;
                at_field_start = true;
                line_has_content = true;
            }
            _ => {
                at_field_start = false;
                line_has_content = true;
            }
        }
    }
    if complete && line_has_content && !in_quote {
        counts.push(fields);
    }
    counts
}

/// A field's text: as it is when UTF-8, else read as Windows-1252 into
/// `buf` (then true).
pub(crate) fn field_text<'a>(field: Field<'a>, buf: &'a mut String) -> (&'a str, bool) {
    let bytes = match field {
        Field::Text(text) => return (text, false),
        Field::Bytes(bytes) => bytes,
    };
    match std::str::from_utf8(bytes) {
        Ok(text) => (text, false),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            buf.clear();
            buf.push_str(&text);
            (buf, true)
        }
    }
}

/// What the CSV reader hands back at the end.
pub struct CsvTable {
    /// Whole batches not yet taken ([`Keep::Batches`]; else none), before
    /// `columns`.
    pub batches: Vec<Vec<RawColumn>>,
    /// All records, the first one (maybe a header) included ([`Keep::All`];
    /// [`Keep::FirstRecord`]: the first record only; [`Keep::Batches`]: the
    /// records after the last batch).
    pub columns: Vec<RawColumn>,
    /// Type evidence of each column's cells after the first record.
    pub inferences: Vec<Inference>,
    /// Each column's numbers after the first record, while it may be
    /// numbers ([`Keep::All`]; else none).
    pub(crate) numbers: Vec<Numbers>,
    /// The range of each column's numbers after the first record
    /// ([`Keep::FirstRecord`]; else none).
    pub spans: Vec<Span>,
    pub records: usize,
    pub any_windows_1252: bool,
    pub line_ending: String,
    /// Records with fewer fields than the first (padded with missing cells),
    /// and the line of the first one.
    pub short_rows: u64,
    pub first_short_line: u64,
}

/// Which records a [`CsvSink`] keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Every record, for one table.
    All,
    /// Only the first (the header, or the first row), while every cell
    /// still feeds its column's type evidence: a survey of a file of any
    /// size in the memory of one record.
    FirstRecord,
    /// Every record, handed on in batches of this many records
    /// ([`CsvSink::take_batches`]); the memory of one batch or two.
    Batches(usize),
}

pub struct CsvSink {
    tokens: Tokenizer,
    rows: Rows,
    /// The file offset of the first byte.
    start_byte: u64,
    /// A text without records or content is refused at its end; a part
    /// of a file read in parts leaves that to the whole file.
    whole: bool,
}

/// The records' fields, gathered into columns.
struct Rows {
    keep: Keep,
    /// The first record may be a header (its cells feed no evidence);
    /// false in the parts of a file read in parts after the first.
    head: bool,
    /// Records handed on in batches so far.
    drained: usize,
    /// Whole batches not yet taken.
    ready: Vec<Vec<RawColumn>>,
    fields_in_record: usize,
    expected: Option<usize>,
    columns: Vec<RawColumn>,
    inferences: Vec<Inference>,
    numbers: Vec<Numbers>,
    spans: Vec<Span>,
    records: usize,
    any_windows_1252: bool,
    short_rows: u64,
    first_short_line: u64,
    decode_buf: String,
    /// `3,5` may be a number (the delimiter is not a comma).
    decimal_comma: bool,
    /// Cells held (since the last batch) at which the table's memory is
    /// estimated next.
    next_check: u64,
}

impl CsvSink {
    /// `start_byte`: offset of the text in the file (a BOM's length), so
    /// error positions are file offsets.
    pub fn new(delimiter: u8, start_byte: u64) -> Self {
        CsvSink::keeping(delimiter, start_byte, Keep::All)
    }

    pub fn keeping(delimiter: u8, start_byte: u64, keep: Keep) -> Self {
        CsvSink {
            tokens: Tokenizer::new(delimiter, start_byte),
            start_byte,
            whole: true,
            rows: Rows {
                keep,
                head: true,
                drained: 0,
                ready: Vec::new(),
                fields_in_record: 0,
                expected: None,
                columns: Vec::new(),
                inferences: Vec::new(),
                numbers: Vec::new(),
                spans: Vec::new(),
                records: 0,
                any_windows_1252: false,
                short_rows: 0,
                first_short_line: 0,
                decode_buf: String::new(),
                decimal_comma: delimiter != b',',
                next_check: CHECK_CELLS,
            },
        }
    }

    /// A part of a file read in parts ([`crate::core::parts`]) after the
    /// first: every record is data, of `width` fields, and no record that
    /// starts at or after byte `stop` is read.
    pub(crate) fn part(delimiter: u8, start_byte: u64, width: usize, stop: u64) -> Self {
        let mut sink = CsvSink::new(delimiter, start_byte);
        sink.tokens.stop_before(stop);
        sink.whole = false;
        let rows = &mut sink.rows;
        rows.head = false;
        rows.expected = Some(width);
        for _ in 0..width {
            rows.columns.push(RawColumn::new());
            rows.inferences.push(Inference::new(rows.decimal_comma));
            rows.numbers.push(Numbers::new());
        }
        sink
    }

    /// The first part of a file read in parts: read as a whole file is,
    /// but no record that starts at or after byte `stop`.
    pub(crate) fn first_part(delimiter: u8, start_byte: u64, stop: u64) -> Self {
        let mut sink = CsvSink::new(delimiter, start_byte);
        sink.tokens.stop_before(stop);
        sink.whole = false;
        sink
    }

    /// Records read so far.
    pub(crate) fn records(&self) -> usize {
        self.rows.records
    }

    /// Where the first record not read starts, when the reading stopped
    /// before it ([`CsvSink::part`]).
    pub(crate) fn stopped(&self) -> Option<u64> {
        self.tokens.stopped()
    }

    /// Each column's cells and memory so far.
    pub(crate) fn column_sizes(&self) -> Vec<ColumnSize> {
        (0..self.rows.columns.len())
            .map(|i| self.rows.column_size(i))
            .collect()
    }

    /// Sizes the columns for a text of about `expected` bytes, extrapolating
    /// from what was read so far (called once, after the head of the file).
    pub fn reserve_for(&mut self, expected: u64) {
        let rows = &mut self.rows;
        if rows.keep != Keep::All {
            return;
        }
        let seen = (self.tokens.bytes_read() - self.start_byte).max(1) as f64;
        let factor = expected as f64 / seen;
        if factor < 2.0 || rows.records < 2 {
            return;
        }
        // 10 % more than the head suggests: most files are that regular.
        let scale = factor * 1.1;
        // Never more than the table may take while read (what is
        // reserved: text and numbers; short rows under a wide header would
        // project terabytes). The bound itself is checked as reading goes.
        if rows.reading_bytes() as f64 * scale > MAX_TABLE_BYTES as f64 {
            return;
        }
        for (i, column) in rows.columns.iter_mut().enumerate() {
            let cells = (column.len() as f64 * scale) as usize;
            let bytes = (column.text_len() as f64 * scale) as usize;
            column.reserve(cells, bytes);
            if let Some(numbers) = rows.numbers.get_mut(i) {
                numbers.reserve(cells);
            }
        }
    }

    pub fn push(&mut self, input: &[u8]) -> Result<(), IngestError> {
        if input.is_empty() {
            return Ok(());
        }
        self.tokens.feed(input, &mut self.rows)
    }

    /// The whole batches read so far ([`Keep::Batches`]), in order; the
    /// rest comes with [`CsvSink::finish`].
    pub fn take_batches(&mut self) -> Vec<Vec<RawColumn>> {
        std::mem::take(&mut self.rows.ready)
    }

    pub fn finish(self) -> Result<CsvTable, IngestError> {
        self.finish_part().map(|(table, _)| table)
    }

    /// Ends the text, or the part of it ([`CsvSink::part`], which may
    /// hold no record), with how it ended.
    pub(crate) fn finish_part(mut self) -> Result<(CsvTable, PartEnd), IngestError> {
        if let Some(line) = self.tokens.open_quote() {
            return Err(IngestError::UnclosedQuote { line });
        }
        self.tokens.finish(&mut self.rows)?;
        let end = PartEnd {
            stopped: self.tokens.stopped(),
            breaks: self.tokens.breaks(),
            endings: self.tokens.endings(),
            sizes: self.column_sizes(),
            any_content: self.tokens.any_content(),
        };
        let rows = self.rows;
        if self.whole && (!self.tokens.any_content() || rows.records == 0) {
            return Err(IngestError::Empty);
        }
        let table = CsvTable {
            line_ending: self.tokens.line_ending(),
            batches: rows.ready,
            columns: rows.columns,
            inferences: rows.inferences,
            numbers: rows.numbers,
            spans: rows.spans,
            records: rows.records,
            any_windows_1252: rows.any_windows_1252,
            short_rows: rows.short_rows,
            first_short_line: rows.first_short_line,
        };
        Ok((table, end))
    }
}

/// How a text or a part of it ended ([`CsvSink::finish_part`]).
pub(crate) struct PartEnd {
    /// Where the first record not read starts ([`CsvSink::part`]); None
    /// when the text ended first.
    pub stopped: Option<u64>,
    /// Line breaks read (CRLF counts once).
    pub breaks: u64,
    pub endings: Endings,
    pub sizes: Vec<ColumnSize>,
    /// Anything but spaces, tabs and line breaks was read.
    pub any_content: bool,
}

impl Rows {
    /// Column `i`'s size so far.
    fn column_size(&self, i: usize) -> ColumnSize {
        let Some(column) = self.columns.get(i) else {
            return ColumnSize::default();
        };
        let numbers = self.numbers.get(i);
        ColumnSize {
            cells: column.len() as u64,
            text: column.text_len() as u64,
            numbers: numbers.map_or(0, |n| n.held().0),
            kind: numbers.map_or(NumbersKind::Gone, Numbers::kind),
        }
    }

    /// The memory the columns read so far take while read.
    fn reading_bytes(&self) -> u64 {
        (0..self.columns.len())
            .map(|i| self.column_size(i).bytes().0)
            .sum()
    }

    /// The memory the table read so far would take, each column at its
    /// larger moment, while read or once built.
    fn table_bytes(&self) -> u64 {
        (0..self.columns.len())
            .map(|i| self.column_size(i).larger())
            .sum()
    }
}

/// A column's cells and memory while read: what [`MAX_TABLE_BYTES`] is
/// estimated from, and what the parts of a file read in parts add up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSize {
    pub cells: u64,
    /// Bytes of text held (with the lengths).
    pub text: u64,
    /// Bytes of numbers held (values and missing bits).
    pub numbers: u64,
    /// What they are: given up (a cell that is not one), not kept, or
    /// still numbers.
    pub kind: NumbersKind,
}

impl ColumnSize {
    /// No cells yet: where the parts' sizes start adding up
    /// (`NONE.then(a)` is `a`; the default's kind is `Gone`, which would
    /// count every numeric column as text).
    pub const NONE: ColumnSize = ColumnSize {
        cells: 0,
        text: 0,
        numbers: 0,
        kind: NumbersKind::Ints {
            minus_zero: false,
            any: false,
        },
    };

    /// Whether the column still becomes numbers.
    fn numeric(&self) -> bool {
        self.kind.numeric()
    }

    /// Its memory (reading, built): while read, its text (with the
    /// lengths) and its numbers; once built and worked on, as
    /// [`MAX_TABLE_BYTES`] says. From the cells' count and lengths (not the
    /// buffers' spare room, so the same text always gives the same figure).
    pub fn bytes(&self) -> (u64, u64) {
        let numbers = if self.kind == NumbersKind::Gone {
            0
        } else {
            self.numbers
        };
        let built = if self.numeric() {
            16 * self.cells
        } else {
            20 * self.cells + self.text
        };
        (self.text + numbers, built)
    }

    /// The larger of the two.
    pub fn larger(&self) -> u64 {
        let (reading, built) = self.bytes();
        reading.max(built)
    }

    /// The column's size over this part of the file and the next.
    pub fn then(self, next: ColumnSize) -> ColumnSize {
        ColumnSize {
            cells: self.cells + next.cells,
            text: self.text + next.text,
            numbers: self.numbers + next.numbers,
            kind: self.kind.then(next.kind),
        }
    }
}

impl Fields for Rows {
    fn field(&mut self, field: Field<'_>, record: Place) -> Result<(), IngestError> {
        let index = self.fields_in_record;
        self.fields_in_record += 1;
        match self.expected {
            None => {
                if self.columns.len() >= MAX_COLUMNS {
                    return Err(IngestError::TooManyColumns {
                        found: self.columns.len() + 1,
                        limit: MAX_COLUMNS,
                    });
                }
                self.columns.push(RawColumn::new());
                self.inferences.push(Inference::new(self.decimal_comma));
                if self.keep == Keep::All {
                    self.numbers.push(Numbers::new());
                }
                if self.keep == Keep::FirstRecord {
                    self.spans.push(Span::default());
                }
            }
            // Extra fields: counted for the error, not kept.
            Some(n) if index >= n => return Ok(()),
            // A new record makes `n` more cells (short ones padded):
            // refused before any is built past the bound.
            Some(_) if self.keep == Keep::FirstRecord => {}
            // Batches (scoring a file of any length) are sized by the
            // caller within MAX_CELLS, and cleared as they go.
            Some(n) if matches!(self.keep, Keep::Batches(_)) => {
                if index == 0 && ((self.records - self.drained) as u64 + 1) * n as u64 > MAX_CELLS {
                    return Err(IngestError::TooManyCells {
                        row: self.records as u64,
                        line: Some(record.line),
                        columns: n,
                        limit: MAX_CELLS,
                    });
                }
            }
            // One table: a new record makes `n` more cells (short ones
            // padded); now and then, the memory the table would take is
            // estimated, and reading stops past the bound.
            Some(n) if index == 0 => {
                if self.records as u64 > MAX_ROWS {
                    return Err(IngestError::TooManyRows {
                        row: self.records as u64,
                        line: Some(record.line),
                        limit: MAX_ROWS,
                    });
                }
                let cells = (self.records - self.drained) as u64 * n as u64;
                if cells >= self.next_check {
                    let bytes = self.table_bytes();
                    if bytes > MAX_TABLE_BYTES {
                        return Err(IngestError::TooMuchMemory {
                            row: self.records as u64,
                            line: record.line,
                            columns: n,
                            bytes,
                            limit: MAX_TABLE_BYTES,
                        });
                    }
                    self.next_check = cells + CHECK_CELLS;
                }
            }
            Some(_) => {}
        }
        let (Some(column), Some(inference)) =
            (self.columns.get_mut(index), self.inferences.get_mut(index))
        else {
            return Ok(());
        };
        let (text, windows_1252) = field_text(field, &mut self.decode_buf);
        self.any_windows_1252 |= windows_1252;
        // The first record may be a header: its types are judged apart.
        if self.records > 0 || !self.head {
            let cell = inference.feed(text);
            if let Some(numbers) = self.numbers.get_mut(index) {
                numbers.push(cell);
            }
            if let Some(span) = self.spans.get_mut(index) {
                span.feed(text);
                return Ok(());
            }
        }
        column.push(text)
    }

    fn end_record(&mut self, record: Place) -> Result<(), IngestError> {
        let found = self.fields_in_record;
        self.fields_in_record = 0;
        match self.expected {
            None => self.expected = Some(found),
            Some(expected) if found > expected => {
                return Err(IngestError::Ragged {
                    line: record.line,
                    byte: record.byte,
                    expected,
                    found,
                });
            }
            Some(expected) => {
                if found < expected {
                    if self.short_rows == 0 {
                        self.first_short_line = record.line;
                    }
                    self.short_rows += 1;
                    if self.keep != Keep::FirstRecord {
                        for column in self.columns.iter_mut().skip(found) {
                            column.push_empty();
                        }
                        for numbers in self.numbers.iter_mut().skip(found) {
                            numbers.push(Cell::Missing);
                        }
                    }
                }
            }
        }
        self.records += 1;
        if let Keep::Batches(rows) = self.keep {
            if self.records - self.drained >= rows.max(1) {
                self.drained = self.records;
                self.next_check = CHECK_CELLS;
                let batch = self.columns.iter_mut().map(std::mem::take).collect();
                self.ready.push(batch);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &[u8], chunk: usize) -> Result<CsvTable, IngestError> {
        let d = sniff_delimiter(text, true);
        let mut sink = CsvSink::new(d, 0);
        for c in text.chunks(chunk.max(1)) {
            sink.push(c)?;
        }
        sink.finish()
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_delimiter(b"a,b,c\n1,2,3\n", true), b',');
        assert_eq!(sniff_delimiter(b"a;b;c\n1,5;2,5;3\n", true), b';');
        assert_eq!(sniff_delimiter(b"a\tb\n1\t2\n", true), b'\t');
        assert_eq!(sniff_delimiter(b"a|b\n\"x|y\"|2\n", true), b'|');
        assert_eq!(sniff_delimiter(b"\"a,b\";c\n\"1,2\";3\n", true), b';');
        assert_eq!(sniff_delimiter(b"just one column\nvalue\n", true), b',');
    }

    #[test]
    fn positions_and_ragged() {
        let text = b"a,b\r\n1,2\r\n\r\n\"x\ny\",3\r\n4,5,6\r\n";
        for chunk in [1, 3, 100] {
            match parse(text, chunk) {
                Err(IngestError::Ragged {
                    line,
                    byte,
                    expected,
                    found,
                }) => {
                    assert_eq!((line, expected, found), (6, 2, 3), "chunk {chunk}");
                    assert_eq!(byte, 21);
                }
                other => panic!("unexpected {:?}", other.map(|t| t.records)),
            }
        }
    }

    #[test]
    fn quotes_and_endings() {
        let t = parse(b"a,b\r1,\"x,\"\"y\"\"\"\r2,z", 2).unwrap();
        assert_eq!(t.records, 3);
        assert_eq!(t.columns[1].iter().nth(1).unwrap(), "x,\"y\"");
        assert_eq!(t.line_ending, "CR");
        assert!(matches!(
            parse(b"a,b\n1,\"open\n2,3\n", 5),
            Err(IngestError::UnclosedQuote { line: 2 })
        ));
        assert!(matches!(parse(b" \n\n", 5), Err(IngestError::Empty)));
        let t = parse(b"a,b,c\n1,2\n", 5).unwrap();
        assert_eq!(t.short_rows, 1);
        assert_eq!(t.columns[2].iter().nth(1).unwrap(), "");
    }
}
