//! A delimited text read in parts at once (issue 16, goal 3): the file's
//! bytes are cut into ranges, each read on its own (a thread each on the
//! command line, a worker each in the browser) into raw columns and type
//! evidence; the evidence is merged and decided once, for the whole file,
//! each part converts its cells with those decisions, and the typed parts
//! are put end to end. The result is what a whole read gives (tests compare
//! the two on the fixtures and on generated text).
//!
//! Where a part starts is a guess: at the first record after the first line
//! break at or after its range's start (DuckDB's parallel CSV reader
//! guesses the same way). A part reads the records that start inside its
//! range, the last one to its end past the range, and says where the next
//! record starts. A line break inside a quoted field makes a wrong guess;
//! it shows when the parts are put together in order — the part before
//! ends, by its own reading, where the next truly starts — and that part is
//! read again from there ([`Next::Redo`]); a part whose range holds no
//! record start is left out.
//!
//! Not read in parts: anything but a delimited text in UTF-8 (or
//! Windows-1252), a file under two parts' worth of bytes
//! ([`MIN_PART_BYTES`]), a file whose first record is not in its first
//! [`HEAD_BYTES`] bytes; and a file the parts find past a bound (rows,
//! memory): [`Next::Whole`] says to read it whole, which stops where the
//! bound is passed and says where.
//!
//! The steps are the shells' to schedule: [`read_in_parts`] runs them with
//! a [`Runner`] (the command line's threads, or one after another); the
//! browser's worker sends each part to a worker of its own.

use polars_core::prelude::*;
use serde::{Deserialize, Serialize};

use crate::core::csv::{
    field_text, is_break, ColumnSize, CsvSink, CsvTable, Endings, Field, Fields, Numbers, Place,
    Tokenizer, MAX_COLUMNS,
};
use crate::core::error::IngestError;
use crate::core::infer::{Inference, Kind, Span};
use crate::core::ingest::{
    convert, decide, delimited_facts, dialect, first_present, layout, read_whole,
    says_time_or_date, unique_names, Dataset, Decided, Encoding, TextKind, HEAD_BYTES,
    MAX_FILE_BYTES, MAX_ROWS, MAX_TABLE_BYTES,
};
use crate::core::model::{ColumnType, FileFacts};
use crate::core::raw::RawColumn;
#[cfg(not(target_arch = "wasm32"))]
pub use crate::core::runner::Threads;
pub use crate::core::runner::{InTurn, Runner};

/// Fewest bytes a part has: below, starting a worker costs more than it
/// saves.
pub const MIN_PART_BYTES: u64 = 8 << 20;

/// Most parts a file is read in.
pub const MOST_PARTS: usize = 16;

/// Bytes of a part read before its columns are sized for the whole part.
const SAMPLE_BYTES: u64 = 64 * 1024;

/// How many parts a file may be cut into, of at least how many bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cut {
    pub parts: usize,
    pub min_part_bytes: u64,
}

impl Cut {
    /// At most `parts` parts of at least [`MIN_PART_BYTES`].
    pub fn parts(parts: usize) -> Cut {
        Cut {
            parts,
            min_part_bytes: MIN_PART_BYTES,
        }
    }

    /// How many parts a file of `size` bytes is cut into (under 2: it is
    /// read whole).
    pub fn count(&self, size: u64) -> usize {
        self.parts
            .min(MOST_PARTS)
            .min(usize::try_from(size / self.min_part_bytes.max(1)).unwrap_or(usize::MAX))
    }
}

/// The share of a device's memory a read in parts may take at its peak.
const DEVICE_SHARE: f64 = 0.6;

/// `device_gib` (`navigator.deviceMemory`: Chromium's, a power of two from
/// 0.25 to 8; None in other browsers) as the bytes a read in parts may
/// take at its peak, when it says.
fn device_budget(device_gib: Option<f64>) -> Option<f64> {
    device_gib
        .filter(|gib| gib.is_finite() && *gib > 0.0)
        .map(|gib| gib * (1u64 << 30) as f64 * DEVICE_SHARE)
}

/// Most bytes of a file the browser reads in parts, on a device of
/// `device_gib` GiB of memory (None: 512 MB, as every browser read before
/// this bound was measured). Reading in parts holds more at once than a
/// whole read — each part worker's own memory, the parts' tables on their
/// way, and the data worker's table put together from them: the 1 GB
/// benchmark file read in 2 parts took Chromium's page process to 4.4 GB
/// at its peak, against 2.1 GB read whole (BENCHMARKS.md, goal 6), so a
/// file is read in parts when about 4.5 times its bytes fit in 60% of the
/// device's memory: any file on 8 GiB, 570 MB on 4 GiB. Decided before
/// reading, from the file's size; [`browser_parts_table_bytes`] checks the
/// table once the parts are read.
pub fn browser_parts_max_bytes(device_gib: Option<f64>) -> u64 {
    const PEAK_PER_FILE_BYTE: f64 = 4.5;
    match device_budget(device_gib) {
        Some(budget) => (budget / PEAK_PER_FILE_BYTE) as u64,
        None => 512 << 20,
    }
}

/// Most memory a table read in parts in the browser may be estimated at
/// (as a whole read estimates it: [`Assembly::with_table_limit`]; past it
/// the file is read whole), on a device of `device_gib` GiB: the 1 GB
/// benchmark file, estimated at 2.7 GB, peaked at 4.4 GB in parts, 1.6
/// times its estimate, so a table is read in parts when 1.6 times its
/// estimate fits in 60% of the device's memory — every table a whole read
/// allows on 8 GiB, 1.6 GB on 4 GiB —, and up to half a whole read's
/// bound when the browser does not say. For a file whose table is large
/// for its bytes (short numbers: 16 bytes a cell from 2 in the file),
/// which the file's size ([`browser_parts_max_bytes`]) does not tell.
pub fn browser_parts_table_bytes(device_gib: Option<f64>) -> u64 {
    const PEAK_PER_TABLE_BYTE: f64 = 1.6;
    match device_budget(device_gib) {
        Some(budget) => ((budget / PEAK_PER_TABLE_BYTE) as u64).min(MAX_TABLE_BYTES),
        None => MAX_TABLE_BYTES / 2,
    }
}

/// How a file is cut into parts, decided from its first bytes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub name: String,
    pub size: u64,
    encoding: Encoding,
    /// Where the records start (after byte-order marks).
    pub text_start: u64,
    pub delimiter: u8,
    /// Fields in the first record.
    pub width: usize,
    /// The columns whose numbers may be times, by the first record read as
    /// their names: the parts measure the range of these.
    time_columns: Vec<bool>,
    /// Each part's bytes: the records that start in a range are its part's.
    pub ranges: Vec<(u64, u64)>,
}

impl Plan {
    /// How a file of `size` bytes whose first bytes are `head` (at least
    /// [`HEAD_BYTES`] of them, or the whole file) is read in parts as `cut`
    /// allows; None when it is read whole (see the module's notes).
    pub fn new(file_name: &str, head: &[u8], size: u64, cut: Cut) -> Option<Plan> {
        let parts = cut.count(size);
        if parts < 2 || size > MAX_FILE_BYTES || read_whole(file_name).is_some() {
            return None;
        }
        // The head is the whole file only below HEAD_BYTES, as for the
        // whole read (which has then read every byte).
        let complete = head.len() < HEAD_BYTES && head.len() as u64 >= size;
        let d = dialect(file_name, head, complete).ok()?;
        let (TextKind::Delimited(delimiter), None) = (d.kind, d.decoder.as_ref()) else {
            return None;
        };
        let (first, first_at) = first_record(&d.text[d.in_text.min(d.text.len())..], delimiter)?;
        if first.len() > MAX_COLUMNS {
            return None;
        }
        let time_columns = unique_names(first.clone(), &mut Vec::new())
            .iter()
            .map(|name| {
                let (time, date) = says_time_or_date(name);
                time || date
            })
            .collect();
        let text_start = d.csv_start;
        let length = size - text_start;
        let bound = |i: usize| text_start + (u128::from(length) * i as u128 / parts as u128) as u64;
        // The first part holds the first record (after any blank lines).
        if text_start + first_at >= bound(1) {
            return None;
        }
        Some(Plan {
            name: file_name.to_string(),
            size,
            encoding: d.encoding,
            text_start,
            delimiter,
            width: first.len(),
            time_columns,
            ranges: (0..parts).map(|i| (bound(i), bound(i + 1))).collect(),
        })
    }
}

/// The first record's fields and where it starts in `text`, when it ends
/// inside `text`.
fn first_record(text: &[u8], delimiter: u8) -> Option<(Vec<String>, u64)> {
    struct First {
        fields: Vec<String>,
        done: bool,
        at: u64,
    }
    impl Fields for First {
        fn field(&mut self, field: Field<'_>, _: Place) -> Result<(), IngestError> {
            if !self.done {
                let mut buf = String::new();
                self.fields.push(field_text(field, &mut buf).0.to_string());
            }
            Ok(())
        }
        fn end_record(&mut self, record: Place) -> Result<(), IngestError> {
            if !self.done {
                self.at = record.byte;
            }
            self.done = true;
            Ok(())
        }
    }
    let mut first = First {
        fields: Vec::new(),
        done: false,
        at: 0,
    };
    Tokenizer::new(delimiter, 0).feed(text, &mut first).ok()?;
    first.done.then_some((first.fields, first.at))
}

/// Lines a part passes over when guessing where its first record starts.
const MAX_TRIES: usize = 64;

/// Bytes looked at to count a guessed record's fields.
const WIDTH_BYTES: usize = 64 * 1024;

/// The fields of the record at the start of `text` (quotes read as the
/// tokenizer reads them), when it ends within its first [`WIDTH_BYTES`].
fn record_width(text: &[u8], delimiter: u8) -> Option<usize> {
    struct Count {
        fields: usize,
        done: bool,
    }
    impl Fields for Count {
        fn field(&mut self, _: Field<'_>, _: Place) -> Result<(), IngestError> {
            self.fields += 1;
            Ok(())
        }
        fn end_record(&mut self, _: Place) -> Result<(), IngestError> {
            self.done = true;
            Ok(())
        }
    }
    let mut tokens = Tokenizer::new(delimiter, 0);
    // The record at byte 0 only.
    tokens.stop_before(1);
    let mut count = Count {
        fields: 0,
        done: false,
    };
    let text = text.get(..WIDTH_BYTES).unwrap_or(text);
    tokens.feed(text, &mut count).ok()?;
    count.done.then_some(count.fields)
}

/// Reads one part: push its bytes from [`PartReader::offset`] on, in
/// order, while it asks for more; then [`PartReader::finish`].
pub struct PartReader {
    index: usize,
    range: (u64, u64),
    /// The file offset of the next byte pushed.
    at: u64,
    state: Reading,
    delimiter: u8,
    width: usize,
    time_columns: Vec<bool>,
    /// Guesses passed over so far.
    tries: usize,
    /// The file's size as planned: bytes past it (a file that grew since)
    /// are not read.
    size: u64,
}

enum Reading {
    /// Looking for the first line break at or after the range's start less
    /// one (a record starting right at the range's start follows one).
    Break,
    /// Past the line breaks after it.
    Breaks,
    Records {
        sink: Box<CsvSink>,
        start: u64,
        /// The columns were sized for the part ([`CsvSink::reserve_for`]).
        sized: bool,
    },
    /// No record starts in the range.
    Nothing,
    /// After `records` records of these sizes.
    Failed {
        error: IngestError,
        start: u64,
        records: usize,
        sizes: Vec<ColumnSize>,
    },
}

impl PartReader {
    /// Part `index` of `plan`, its start guessed (the first part's is
    /// known).
    pub fn new(plan: &Plan, index: usize) -> PartReader {
        let range = plan.ranges.get(index).copied().unwrap_or((0, 0));
        let mut reader = PartReader {
            index,
            range,
            at: range.0.saturating_sub(1).max(plan.text_start),
            state: Reading::Break,
            delimiter: plan.delimiter,
            width: plan.width,
            time_columns: plan.time_columns.clone(),
            tries: 0,
            size: plan.size,
        };
        if index == 0 {
            reader.at = plan.text_start;
            reader.state = Reading::Records {
                sink: Box::new(CsvSink::first_part(
                    plan.delimiter,
                    plan.text_start,
                    range.1,
                )),
                start: plan.text_start,
                sized: false,
            };
        }
        reader
    }

    /// Part `index` of `plan` read again from `start`, where a record is
    /// known to start ([`Next::Redo`]).
    pub fn starting_at(plan: &Plan, index: usize, start: u64) -> PartReader {
        let mut reader = PartReader::new(plan, index);
        if index > 0 {
            reader.begin(start);
        }
        reader
    }

    fn begin(&mut self, start: u64) {
        self.at = start;
        self.state = if start < self.range.1 {
            Reading::Records {
                sink: Box::new(CsvSink::part(
                    self.delimiter,
                    start,
                    self.width,
                    self.range.1,
                )),
                start,
                sized: false,
            }
        } else {
            Reading::Nothing
        };
    }

    /// The file offset of the next byte to push.
    pub fn offset(&self) -> u64 {
        self.at
    }

    /// Bytes left to push at most: up to the file's size as planned.
    pub fn left(&self) -> u64 {
        self.size.saturating_sub(self.at)
    }

    /// Reads the next bytes; false once it needs no more (its last record
    /// ended past the range, or it failed).
    pub fn push(&mut self, mut bytes: &[u8]) -> bool {
        loop {
            match &mut self.state {
                Reading::Break => match bytes.iter().position(|&b| is_break(b)) {
                    Some(i) => {
                        self.at += i as u64 + 1;
                        bytes = &bytes[i + 1..];
                        self.state = Reading::Breaks;
                    }
                    None => {
                        self.at += bytes.len() as u64;
                        return self.looking();
                    }
                },
                Reading::Breaks => match bytes.iter().position(|&b| !is_break(b)) {
                    Some(i) => {
                        let start = self.at + i as u64;
                        bytes = &bytes[i..];
                        // A record of another width than the file's is most
                        // likely a line of a quoted field: guess again at
                        // the next line (a wrong guess is still read again
                        // later; this only makes it rarer).
                        let other_width =
                            record_width(bytes, self.delimiter).is_some_and(|w| w != self.width);
                        if other_width && self.tries < MAX_TRIES && start < self.range.1 {
                            self.tries += 1;
                            self.at = start;
                            self.state = Reading::Break;
                            continue;
                        }
                        self.begin(start);
                    }
                    None => {
                        self.at += bytes.len() as u64;
                        return self.looking();
                    }
                },
                Reading::Records { sink, start, sized } => {
                    self.at += bytes.len() as u64;
                    if let Err(error) = sink.push(bytes) {
                        self.state = Reading::Failed {
                            error,
                            start: *start,
                            records: sink.records(),
                            sizes: sink.column_sizes(),
                        };
                        return false;
                    }
                    // Sized once a sample of its records is read.
                    if !*sized && self.at - *start >= SAMPLE_BYTES {
                        sink.reserve_for(self.range.1.saturating_sub(*start));
                        *sized = true;
                    }
                    return sink.stopped().is_none();
                }
                Reading::Nothing | Reading::Failed { .. } => return false,
            }
        }
    }

    /// Still looking for the first record: false (and nothing to read)
    /// once past the range.
    fn looking(&mut self) -> bool {
        if self.at >= self.range.1 {
            self.state = Reading::Nothing;
            return false;
        }
        true
    }

    /// The part, after the file's last byte or once it asked for no more.
    pub fn finish(self) -> Part {
        let empty = |start: Option<u64>, failed: Option<(IngestError, usize, Vec<ColumnSize>)>| {
            let (error, records, sizes) = match failed {
                Some((error, records, sizes)) => (Some(error), records, sizes),
                None => (None, 0, Vec::new()),
            };
            Part {
                summary: PartSummary {
                    index: self.index,
                    start,
                    end: self.range.1,
                    records,
                    sizes,
                    error,
                    ..PartSummary::default()
                },
                columns: Vec::new(),
                numbers: Vec::new(),
            }
        };
        let (sink, start) = match self.state {
            Reading::Records { sink, start, .. } => (sink, start),
            Reading::Failed {
                error,
                start,
                records,
                sizes,
            } => return empty(Some(start), Some((error, records, sizes))),
            Reading::Break | Reading::Breaks | Reading::Nothing => return empty(None, None),
        };
        let (records, sizes) = (sink.records(), sink.column_sizes());
        let (table, end) = match sink.finish_part() {
            Ok(done) => done,
            Err(error) => return empty(Some(start), Some((error, records, sizes))),
        };
        let CsvTable {
            columns,
            inferences,
            numbers,
            records,
            any_windows_1252,
            short_rows,
            first_short_line,
            ..
        } = table;
        // The first part's first record may be the header: its cells are
        // not evidence (the sink kept them apart) nor examples.
        let skip = usize::from(self.index == 0);
        let examples = columns
            .iter()
            .map(|c| first_present(c, skip).map(str::to_string))
            .collect();
        let spans = columns
            .iter()
            .zip(&inferences)
            .zip(&self.time_columns)
            .map(|((column, inference), &time)| {
                let numeric = matches!(inference.decide().kind, Kind::Integer | Kind::Float);
                if time && numeric {
                    Span::of(column.iter().skip(skip))
                } else {
                    Span::default()
                }
            })
            .collect();
        let first_record = if self.index == 0 {
            columns.iter().map(|c| c.first().to_string()).collect()
        } else {
            Vec::new()
        };
        Part {
            summary: PartSummary {
                index: self.index,
                start: Some(start),
                end: end.stopped.unwrap_or(self.at),
                breaks: end.breaks,
                endings: end.endings,
                records,
                sizes: end.sizes,
                inferences,
                spans,
                examples,
                first_record,
                short_rows,
                first_short_line,
                any_windows_1252,
                any_content: end.any_content,
                error: None,
            },
            columns,
            numbers,
        }
    }
}

/// A part read: what the merge needs to know of it ([`PartSummary`],
/// small) and its cells, until they are converted.
pub struct Part {
    pub summary: PartSummary,
    columns: Vec<RawColumn>,
    numbers: Vec<Numbers>,
}

/// What a part found: where it starts and ends, its records' count and
/// lines, each column's type evidence, and its error if any.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct PartSummary {
    pub index: usize,
    /// Where its first record starts; None when none starts in its range.
    pub start: Option<u64>,
    /// Where the record after its last starts, or the text's end.
    pub end: u64,
    /// Line breaks from its start to its end.
    pub breaks: u64,
    pub endings: Endings,
    pub records: usize,
    pub sizes: Vec<ColumnSize>,
    /// Each column's evidence (the first part: after its first record).
    pub inferences: Vec<Inference>,
    /// The range of each column's numbers, for columns whose name may say
    /// time (else empty).
    pub spans: Vec<Span>,
    /// Each column's first cell that is not missing (trimmed).
    pub examples: Vec<Option<String>>,
    /// The first part: its first record (the header, perhaps).
    pub first_record: Vec<String>,
    /// Records with fewer fields than the first, and the line (in the
    /// part, from 1) of the first one.
    pub short_rows: u64,
    pub first_short_line: u64,
    pub any_windows_1252: bool,
    /// Anything but spaces, tabs and line breaks was read.
    pub any_content: bool,
    /// Where the reading failed (lines in the part, from 1); `records`
    /// and `sizes` are then what was read before.
    pub error: Option<IngestError>,
}

impl Part {
    /// Its cells as typed columns, as `typing` decided for the whole file.
    pub fn convert(self, typing: &Typing) -> Result<DataFrame, IngestError> {
        let first = self.summary.index == 0;
        let start = usize::from(first && typing.facts.has_header);
        // The first part's numbers start after its first record: when that
        // is data, its columns are converted from their text.
        let numbers = if first && start == 0 {
            Vec::new()
        } else {
            self.numbers
        };
        convert(
            typing.facts.clone(),
            typing.decided.clone(),
            self.columns,
            numbers,
            start,
        )
        .map(|d| d.frame)
    }
}

/// How every part's cells become typed columns, decided over the whole
/// file; and which parts hold its records, in order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Typing {
    pub facts: FileFacts,
    pub decided: Decided,
    pub parts: Vec<usize>,
    /// Each column's bytes once typed, roughly (8 a number, a text's
    /// bytes and 16 a cell): what its profile costs, to share the
    /// profile out before the columns exist ([`profile_shares`]).
    pub costs: Vec<u64>,
}

/// What to do after a part's summary came in.
#[derive(Clone, Debug)]
pub enum Next {
    /// Parts are still out.
    Wait,
    /// Read part `index` again from `start` (its first record's start
    /// was guessed wrong; this one is known).
    Redo { index: usize, start: u64 },
    /// Convert the parts [`Typing::parts`] names, then [`assemble`].
    Convert(Box<Typing>),
    /// Read the file whole instead (a bound is passed: the whole read says
    /// where).
    Whole,
}

/// The parts' summaries, put together as they come.
pub struct Assembly {
    plan: Plan,
    parts: Vec<Option<PartSummary>>,
    /// Most memory the table may be estimated at to be read in parts
    /// (past it: [`Next::Whole`]).
    table_limit: u64,
}

impl Assembly {
    pub fn new(plan: Plan) -> Assembly {
        Assembly {
            parts: vec![None; plan.ranges.len()],
            plan,
            table_limit: MAX_TABLE_BYTES,
        }
    }

    /// Reads in parts only a table estimated at `bytes` at most (and at
    /// most [`MAX_TABLE_BYTES`]); a larger one is read whole. The browser
    /// holds more at once reading in parts than whole:
    /// [`browser_parts_table_bytes`].
    pub fn with_table_limit(mut self, bytes: u64) -> Assembly {
        self.table_limit = bytes.min(MAX_TABLE_BYTES);
        self
    }

    pub fn plan(&self) -> &Plan {
        &self.plan
    }

    /// Takes a part's summary (a part read again replaces the first
    /// reading): what to do next; the file's error when a part that holds
    /// records found one.
    pub fn add(&mut self, summary: PartSummary) -> Result<Next, IngestError> {
        let index = summary.index;
        let Some(slot) = self.parts.get_mut(index) else {
            return Err(IngestError::Internal {
                message: format!(
                    "a part {index} of a file read in {} parts",
                    self.plan.ranges.len()
                ),
            });
        };
        *slot = Some(summary);
        let mut used: Vec<&PartSummary> = Vec::new();
        // Where the next record starts, and the lines before it.
        let (mut cursor, mut lines) = (self.plan.text_start, 0u64);
        for (k, part) in self.parts.iter().enumerate() {
            let Some(part) = part else {
                return Ok(Next::Wait);
            };
            let range_end = self.plan.ranges.get(k).map_or(0, |r| r.1);
            if k > 0 && part.start != Some(cursor) {
                if cursor >= range_end {
                    // No record starts in its range.
                    continue;
                }
                return Ok(Next::Redo {
                    index: k,
                    start: cursor,
                });
            }
            if let Some(error) = &part.error {
                // A bound passed before the error is what a whole read
                // stops at.
                used.push(part);
                if over_bounds(&used, self.table_limit) {
                    return Ok(Next::Whole);
                }
                return match at_line(error.clone(), lines) {
                    Some(error) => Err(error),
                    None => Ok(Next::Whole),
                };
            }
            lines += part.breaks;
            cursor = part.end;
            used.push(part);
        }
        self.typing(&used)
    }

    /// The decisions for the whole file, from its parts in order.
    fn typing(&self, used: &[&PartSummary]) -> Result<Next, IngestError> {
        let Some(first) = used.first() else {
            return Err(IngestError::Empty);
        };
        if !used.iter().any(|p| p.any_content) {
            return Err(IngestError::Empty);
        }
        if over_bounds(used, self.table_limit) {
            return Ok(Next::Whole);
        }
        let records: usize = used.iter().map(|p| p.records).sum();
        let width = first.inferences.len();
        let mut inferences = first.inferences.clone();
        let mut spans = vec![Span::default(); width];
        let mut examples: Vec<Option<String>> = vec![None; width];
        let (mut short_rows, mut first_short_line, mut lines) = (0, 0, 0);
        let mut endings = Endings::default();
        let mut any_windows_1252 = false;
        for (k, part) in used.iter().enumerate() {
            if k > 0 {
                for (merged, next) in inferences.iter_mut().zip(&part.inferences) {
                    *merged = merged.merge(*next);
                }
            }
            for (merged, next) in spans.iter_mut().zip(&part.spans) {
                *merged = merged.merge(*next);
            }
            for (example, next) in examples.iter_mut().zip(&part.examples) {
                if example.is_none() {
                    example.clone_from(next);
                }
            }
            if short_rows == 0 && part.short_rows > 0 {
                first_short_line = part.first_short_line + lines;
            }
            short_rows += part.short_rows;
            lines += part.breaks;
            endings = endings.then(part.endings);
            any_windows_1252 |= part.any_windows_1252;
        }
        let one_cell = |cell: &str| {
            let mut column = RawColumn::new();
            column.push(cell).map(|_| column)
        };
        let columns = first
            .first_record
            .iter()
            .map(|cell| one_cell(cell))
            .collect::<Result<Vec<_>, _>>()?;
        let table = CsvTable {
            batches: Vec::new(),
            columns,
            inferences,
            numbers: Vec::new(),
            spans,
            records,
            any_windows_1252,
            line_ending: endings.label(),
            short_rows,
            first_short_line,
        };
        let facts: FileFacts = delimited_facts(
            &self.plan.name,
            self.plan.size,
            self.plan.encoding.label(any_windows_1252),
            self.plan.delimiter,
            &table.line_ending,
        );
        let (layout, heads) = layout(table, facts)?;
        // An example of each column's values (for the notes on dates): the
        // first that is not missing, the first record's when it is data.
        let examples = examples
            .into_iter()
            .zip(&heads)
            .map(|(example, head)| {
                let data = (!layout.facts.has_header).then(|| first_present(head, 0));
                match data.flatten().or(example.as_deref()) {
                    Some(example) => one_cell(example),
                    None => Ok(RawColumn::new()),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let decided = decide(
            layout.names,
            &examples,
            layout.inferences,
            0,
            Some(&layout.spans),
            layout.notes,
        );
        let sizes = merged_sizes(used);
        let costs = decided
            .kinds
            .iter()
            .enumerate()
            .map(|(i, kind)| {
                let text = matches!(kind.column_type(), ColumnType::String);
                let size = sizes.get(i).map_or(0, |s| s.text);
                let cells = records as u64;
                (if text { size + 16 * cells } else { 8 * cells }).max(1)
            })
            .collect();
        Ok(Next::Convert(Box::new(Typing {
            facts: layout.facts,
            decided,
            parts: used.iter().map(|p| p.index).collect(),
            costs,
        })))
    }
}

/// Whether the parts' records (in order) pass a bound of a whole read:
/// its rows, or the memory its table is estimated at (each column's sizes
/// added up part after part, as one reading would hold them) against
/// `table_limit` (the whole read's, or a lower one: see
/// [`Assembly::with_table_limit`]). The browser's data worker itself holds
/// no more than a whole read would: the parts' tables stay outside its
/// memory (transferred bytes) while it reads them into one.
fn over_bounds(parts: &[&PartSummary], table_limit: u64) -> bool {
    let (records, bytes) = estimate(parts);
    records as u64 > MAX_ROWS || bytes > table_limit
}

/// The parts' records and the memory their table is estimated at, as one
/// reading of them would estimate it.
fn estimate(parts: &[&PartSummary]) -> (usize, u64) {
    let records: usize = parts.iter().map(|p| p.records).sum();
    let sizes = merged_sizes(parts);
    (records, sizes.iter().map(ColumnSize::larger).sum())
}

/// Each column's sizes added up part after part, as one reading of the
/// parts' records would hold them.
fn merged_sizes(parts: &[&PartSummary]) -> Vec<ColumnSize> {
    let width = parts.iter().map(|p| p.sizes.len()).max().unwrap_or(0);
    let mut sizes = vec![ColumnSize::NONE; width];
    for part in parts {
        for (merged, size) in sizes.iter_mut().zip(&part.sizes) {
            *merged = merged.then(*size);
        }
    }
    sizes
}

/// The profile of a table read in parts, shared out before its columns
/// exist: share 0 is the data worker's (it also reads every part's table
/// and finds the duplicate rows, weighed as four columns of average
/// cost), share k the k-th helper's (a part worker, which reads only its
/// own columns' bytes). Each column goes to the share with the least cost
/// so far, the costliest first; each share lists its columns in the
/// table's order, and a share may be empty.
pub fn profile_shares(costs: &[u64], helpers: usize) -> Vec<Vec<usize>> {
    let width = costs.len();
    let mut load = vec![0u64; helpers + 1];
    load[0] = 4 * costs.iter().sum::<u64>() / width.max(1) as u64;
    let mut shares: Vec<Vec<usize>> = vec![Vec::new(); helpers + 1];
    let mut order: Vec<usize> = (0..width).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(costs[i]));
    for i in order {
        let least = (0..load.len()).min_by_key(|&k| load[k]).unwrap_or(0);
        load[least] += costs[i];
        shares[least].push(i);
    }
    for share in &mut shares {
        share.sort_unstable();
    }
    shares
}

/// A part's table cut into sections, one a share's columns (in the
/// share's order; an empty share is refused: a table of rows and no
/// columns cannot be read back): each profiling worker is sent its section
/// of every part, the data worker reads them all ([`join_sections`]).
pub fn sections_of(frame: &DataFrame, shares: &[Vec<usize>]) -> Result<Vec<DataFrame>, String> {
    shares
        .iter()
        .map(|share| {
            if share.is_empty() {
                return Err("a share of no columns".to_string());
            }
            let columns = share
                .iter()
                .map(|&i| {
                    frame.columns().get(i).cloned().ok_or_else(|| {
                        format!("a share names column {i} of a table of {}", frame.width())
                    })
                })
                .collect::<Result<Vec<_>, String>>()?;
            DataFrame::new(frame.height(), columns).map_err(|e| e.to_string())
        })
        .collect()
}

/// The sections' columns ([`sections_of`], each read from every part) put
/// back in the table's order: each of the table's `width` columns in
/// exactly one share.
pub fn join_sections(
    width: usize,
    shares: &[Vec<usize>],
    sections: Vec<DataFrame>,
) -> Result<DataFrame, String> {
    if sections.len() != shares.len() {
        return Err(format!(
            "{} sections for {} shares",
            sections.len(),
            shares.len()
        ));
    }
    let mut slots: Vec<Option<Column>> = vec![None; width];
    let mut height = None;
    for (share, section) in shares.iter().zip(sections) {
        if share.is_empty() {
            continue;
        }
        if height.is_some_and(|h| h != section.height()) {
            return Err("the sections have different rows".to_string());
        }
        height = Some(section.height());
        if section.width() != share.len() {
            return Err("a section's columns are not its share's".to_string());
        }
        for (&i, column) in share.iter().zip(section.into_columns()) {
            match slots.get_mut(i) {
                Some(slot @ None) => *slot = Some(column),
                _ => return Err(format!("column {i} is in no share or in two")),
            }
        }
    }
    let columns = slots
        .into_iter()
        .collect::<Option<Vec<_>>>()
        .ok_or("a column is in no share")?;
    DataFrame::new(height.unwrap_or(0), columns).map_err(|e| e.to_string())
}

/// A part's error at the file's lines (`lines` before the part); None for
/// a bound passed (read whole, which says where).
fn at_line(error: IngestError, lines: u64) -> Option<IngestError> {
    Some(match error {
        IngestError::Ragged {
            line,
            byte,
            expected,
            found,
        } => IngestError::Ragged {
            line: line + lines,
            byte,
            expected,
            found,
        },
        IngestError::UnclosedQuote { line } => IngestError::UnclosedQuote { line: line + lines },
        IngestError::TooManyRows { .. }
        | IngestError::TooMuchMemory { .. }
        | IngestError::TooManyCells { .. } => return None,
        other => other,
    })
}

/// The typed parts end to end: the dataset.
pub fn assemble(typing: Typing, frames: Vec<DataFrame>) -> Result<Dataset, IngestError> {
    let internal = |e: PolarsError| IngestError::Internal {
        message: e.to_string(),
    };
    let mut frames = frames.into_iter();
    let Some(mut frame) = frames.next() else {
        return Err(IngestError::Empty);
    };
    for next in frames {
        frame.vstack_mut_owned(next).map_err(internal)?;
    }
    frame.rechunk_mut();
    let Decided {
        kinds,
        date_formats,
        notes,
        ..
    } = typing.decided;
    Ok(Dataset {
        facts: typing.facts,
        frame,
        types: kinds.iter().map(|k| k.column_type()).collect(),
        date_formats,
        notes,
    })
}

/// Bytes of a file, read at any offset (from several threads at once when
/// it is `Sync`: [`read_in_parts`]).
pub trait Source {
    /// Reads into `buf` from `offset`: how many bytes (0 at the end).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize>;
}

impl Source for [u8] {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> std::io::Result<usize> {
        let from = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.len());
        let n = buf.len().min(self.len() - from);
        buf[..n].copy_from_slice(&self[from..from + n]);
        Ok(n)
    }
}

/// Why reading in parts failed.
#[derive(Debug)]
pub enum Failed {
    Read(std::io::Error),
    Ingest(IngestError),
}

impl From<IngestError> for Failed {
    fn from(e: IngestError) -> Failed {
        Failed::Ingest(e)
    }
}

/// Bytes handed to a part at a time.
const READ_BYTES: usize = 1 << 20;

/// Reads the delimited text `source` (of `size` bytes, named `file_name`)
/// in parts as `cut` allows, run by `runner`: the dataset, or None when
/// it is to be read whole (see the module's notes).
pub fn read_in_parts<S: Source + Sync + ?Sized, R: Runner>(
    file_name: &str,
    size: u64,
    source: &S,
    cut: Cut,
    runner: &R,
) -> Result<Option<Dataset>, Failed> {
    let Some(plan) = plan(file_name, size, source, cut).map_err(Failed::Read)? else {
        return Ok(None);
    };
    let readers = (0..plan.ranges.len())
        .map(|i| PartReader::new(&plan, i))
        .collect();
    let mut read = runner
        .run(readers, &|reader| read_part(source, reader))
        .into_iter()
        .collect::<Result<Vec<Part>, _>>()
        .map_err(Failed::Read)?;
    let mut assembly = Assembly::new(plan);
    let mut next = Next::Wait;
    for part in &read {
        next = assembly.add(part.summary.clone())?;
    }
    loop {
        match next {
            Next::Wait => {
                return Err(Failed::Ingest(IngestError::Internal {
                    message: "a part of the file was not read".to_string(),
                }))
            }
            Next::Redo { index, start } => {
                let part = read_part(
                    source,
                    PartReader::starting_at(assembly.plan(), index, start),
                )
                .map_err(Failed::Read)?;
                next = assembly.add(part.summary.clone())?;
                if let Some(slot) = read.get_mut(index) {
                    *slot = part;
                }
            }
            Next::Whole => return Ok(None),
            Next::Convert(typing) => {
                let mut slots: Vec<Option<Part>> = read.into_iter().map(Some).collect();
                let chosen: Vec<Part> = typing
                    .parts
                    .iter()
                    .filter_map(|&i| slots.get_mut(i).and_then(Option::take))
                    .collect();
                drop(slots);
                let frames = runner
                    .run(chosen, &|part| part.convert(&typing))
                    .into_iter()
                    .collect::<Result<Vec<_>, _>>()?;
                return Ok(Some(assemble(*typing, frames)?));
            }
        }
    }
}

/// How the file `source` (of `size` bytes, named `file_name`) is read in
/// parts as `cut` allows, from its head ([`Plan::new`]); None when it is
/// read whole. The command line's threads and the browser's data worker
/// both plan this way.
pub fn plan<S: Source + ?Sized>(
    file_name: &str,
    size: u64,
    source: &S,
    cut: Cut,
) -> std::io::Result<Option<Plan>> {
    let mut head = vec![0; HEAD_BYTES.min(usize::try_from(size).unwrap_or(HEAD_BYTES))];
    let n = read_full(source, 0, &mut head)?;
    head.truncate(n);
    Ok(Plan::new(file_name, &head, size, cut))
}

/// Reads `buf.len()` bytes from `offset`, or up to the end.
fn read_full<S: Source + ?Sized>(
    source: &S,
    offset: u64,
    buf: &mut [u8],
) -> std::io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let n = match source.read_at(offset + done as u64, &mut buf[done..]) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if n == 0 {
            break;
        }
        done += n;
    }
    Ok(done)
}

/// One part, read from `source` (a thread's or a part worker's).
pub fn read_part<S: Source + ?Sized>(source: &S, mut reader: PartReader) -> std::io::Result<Part> {
    let mut buf = vec![0; READ_BYTES];
    loop {
        let want = usize::try_from(reader.left()).map_or(READ_BYTES, |l| l.min(READ_BYTES));
        let n = read_full(source, reader.offset(), &mut buf[..want])?;
        if n == 0 || !reader.push(&buf[..n]) {
            break;
        }
    }
    Ok(reader.finish())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::infer::Inference;
    use crate::core::ingest::read_bytes;
    use crate::core::rng::Rng;

    /// The profile's shares: every column in exactly one, each in the
    /// table's order; the data worker's share (it reads every table and
    /// finds the duplicate rows) carries less; no helper: one share.
    #[test]
    fn profile_shares_cover_every_column_once() {
        let mut rng = Rng::new(7);
        for width in [0usize, 1, 2, 3, 12, 20, 101] {
            for helpers in 0..4 {
                let costs: Vec<u64> = (0..width).map(|_| 1 + rng.below(1000) as u64).collect();
                let shares = profile_shares(&costs, helpers);
                assert_eq!(shares.len(), helpers + 1);
                let mut seen: Vec<usize> = shares.concat();
                assert!(shares.iter().all(|s| s.windows(2).all(|w| w[0] < w[1])));
                seen.sort_unstable();
                assert_eq!(seen, (0..width).collect::<Vec<_>>(), "{width} × {helpers}");
                if helpers == 0 {
                    assert_eq!(shares[0].len(), width);
                }
            }
        }
        // Twelve equal columns, two helpers: 16 columns' work in three, the
        // data worker's four of it its own.
        let shares = profile_shares(&[10; 12], 2);
        let lens: Vec<usize> = shares.iter().map(Vec::len).collect();
        assert_eq!(lens, vec![2, 5, 5]);
    }

    /// A table cut into sections and joined again is the table; a column
    /// in two shares or in none is an error.
    #[test]
    fn sections_join_into_the_table() {
        let bytes = b"a,b,c,d\n1,x,2.5,true\n2,,3.5,false\n3,z,,true\n";
        let ds = read_bytes("t.csv", bytes).expect("read");
        let shares = vec![vec![1], vec![0, 3], vec![2]];
        let sections = sections_of(&ds.frame, &shares).expect("sections");
        assert_eq!(sections[1].width(), 2);
        let joined = join_sections(4, &shares, sections.clone()).expect("joined");
        assert!(joined.equals_missing(&ds.frame));
        let twice = vec![vec![1], vec![0, 1], vec![2]];
        assert!(join_sections(4, &twice, sections.clone()).is_err());
        // Too few or too many sections, a column in none, a section of
        // other rows or of other columns than its share.
        assert!(join_sections(4, &shares, sections[..2].to_vec()).is_err());
        let more = [sections.clone(), sections[..1].to_vec()].concat();
        assert!(join_sections(4, &shares, more).is_err());
        let none = vec![vec![1], vec![0], vec![2]];
        let fewer = sections_of(&ds.frame, &none).expect("sections");
        assert!(join_sections(4, &none, fewer).is_err());
        let mut shorter = sections.clone();
        shorter[2] = shorter[2].slice(0, 2);
        assert!(join_sections(4, &shares, shorter).is_err());
        let wide = vec![vec![1], vec![0], vec![2]];
        assert!(join_sections(4, &wide, sections.clone()).is_err());
        assert!(sections_of(&ds.frame, &[vec![4]]).is_err());
        assert!(sections_of(&ds.frame, &[vec![0, 1, 2, 3], vec![]]).is_err());
    }

    /// Reads `bytes` in `parts` parts of any size (one after another).
    fn in_parts(name: &str, bytes: &[u8], parts: usize) -> Result<Option<Dataset>, IngestError> {
        let cut = Cut {
            parts,
            min_part_bytes: 1,
        };
        match read_in_parts(name, bytes.len() as u64, bytes, cut, &InTurn) {
            Ok(read) => Ok(read),
            Err(Failed::Ingest(e)) => Err(e),
            Err(Failed::Read(e)) => panic!("reading from memory failed: {e}"),
        }
    }

    /// The same dataset, or the same error; false when it was read whole
    /// instead (a bound, or not a delimited text).
    fn same_as_whole(name: &str, bytes: &[u8], parts: usize) -> bool {
        let whole = read_bytes(name, bytes);
        let parted = match in_parts(name, bytes, parts) {
            Ok(None) => return false,
            Ok(Some(ds)) => Ok(ds),
            Err(e) => Err(e),
        };
        let what = format!("{name} in {parts} parts");
        match (whole, parted) {
            (Ok(a), Ok(b)) => {
                eprintln!("comparing {what}");
                crate::core::fuzzing::assert_same_dataset(&a, &b);
                for column in b.frame.columns() {
                    assert_eq!(column.n_chunks(), 1, "{what}: {}", column.name());
                }
            }
            (Err(a), Err(b)) => assert_eq!(a, b, "{what}"),
            (a, b) => panic!(
                "{what}: whole {:?}, in parts {:?}",
                a.map(|d| d.height()),
                b.map(|d| d.height())
            ),
        }
        true
    }

    /// Every delimited text among the fixtures reads in parts as it reads
    /// whole, cut in 2 to 7 parts (so parts start inside quoted fields,
    /// at blank lines, in the header's line).
    /// Every delimited text among the fixtures (csv, tsv, txt; in
    /// tests/data and its folders), in order.
    pub(crate) fn delimited_fixtures() -> Vec<std::path::PathBuf> {
        let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data"));
        let list = |dir: &std::path::Path| -> Vec<std::path::PathBuf> {
            std::fs::read_dir(dir)
                .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
                .unwrap_or_default()
        };
        let mut files: Vec<_> = list(dir)
            .into_iter()
            .flat_map(|p| if p.is_dir() { list(&p) } else { vec![p] })
            .filter(|p| {
                p.extension()
                    .is_some_and(|x| matches!(x.to_str(), Some("csv" | "tsv" | "txt")))
            })
            .collect();
        files.sort();
        files
    }

    #[test]
    fn fixtures_read_as_whole() {
        let files = delimited_fixtures();
        let mut read = 0;
        for path in &files {
            let bytes = std::fs::read(path).unwrap();
            let name = path.file_name().unwrap().to_str().unwrap();
            for parts in 2..=7 {
                read += usize::from(same_as_whole(name, &bytes, parts));
            }
        }
        assert!(files.len() >= 60, "{} fixtures", files.len());
        assert!(read >= files.len() * 4, "{read} read in parts");
    }

    /// A random cell: numbers, dates, words, quoted text with delimiters,
    /// quotes and line breaks, missing cells.
    fn cell(rng: &mut Rng, kind: usize) -> String {
        match (kind + rng.below(20) / 19) % 6 {
            0 => format!("{}", rng.below(2000) as i64 - 1000),
            1 => format!("{}.{}", rng.below(100), rng.below(100)),
            2 => format!("2024-{:02}-{:02}", 1 + rng.below(12), 1 + rng.below(28)),
            3 => ["a", "b b", "", "NA", "x1"][rng.below(5)].to_string(),
            4 => ["\"q,\nr\"", "\"s\"\"t\"", "\"\r\n\"", "\"u\""][rng.below(4)].to_string(),
            _ => ["true", "false", ""][rng.below(3)].to_string(),
        }
    }

    /// Generated text (line endings, blank lines, short and long rows,
    /// quoted line breaks) reads in parts as whole, in any number of parts.
    #[test]
    fn generated_text_reads_as_whole() {
        let mut rng = Rng::new(16);
        let mut read = 0;
        for case in 0..300 {
            let width = 1 + rng.below(5);
            let kinds: Vec<usize> = (0..width).map(|_| rng.below(6)).collect();
            let ending = ["\n", "\r\n", "\r"][rng.below(3)];
            let mut text = String::new();
            // A byte-order mark, blank lines or lines of spaces first.
            match rng.below(8) {
                0 => text.push('\u{feff}'),
                1 => text.push_str(&ending.repeat(1 + rng.below(40))),
                2 => text.push_str(&format!("  {ending}").repeat(1 + rng.below(40))),
                _ => {}
            }
            if rng.below(2) == 0 {
                text.push_str(
                    &(0..width)
                        .map(|i| format!("c{i}"))
                        .collect::<Vec<_>>()
                        .join(","),
                );
                text.push_str(ending);
            }
            for _ in 0..rng.below(60) {
                let mut n = width;
                if rng.below(30) == 0 {
                    n = 1 + rng.below(width + 1);
                }
                let row: Vec<String> = (0..n).map(|i| cell(&mut rng, kinds[i % width])).collect();
                text.push_str(&row.join(","));
                if rng.below(15) == 0 {
                    text.push_str(ending);
                }
                text.push_str(ending);
            }
            if rng.below(20) == 0 {
                text.push_str("\"open");
            }
            let name = format!("case{case}.csv");
            for parts in [2, 3, 5, 11] {
                read += usize::from(same_as_whole(&name, text.as_bytes(), parts));
            }
        }
        assert!(read > 600, "{read} read in parts");
    }

    /// Threads give what one part after another gives.
    #[test]
    fn threads_read_as_in_turn() {
        let mut text = String::from("when,amount,who\n");
        for i in 0..5000 {
            text.push_str(&format!("2024-01-{:02},{}.5,\"p{i}\"\n", 1 + i % 28, i));
        }
        let cut = Cut {
            parts: 4,
            min_part_bytes: 1,
        };
        let size = text.len() as u64;
        let read = |runner: &dyn Fn() -> Result<Option<Dataset>, Failed>| match runner() {
            Ok(Some(ds)) => ds,
            _ => panic!("not read in parts"),
        };
        let threads = read(&|| read_in_parts("t.csv", size, text.as_bytes(), cut, &Threads));
        let in_turn = read(&|| read_in_parts("t.csv", size, text.as_bytes(), cut, &InTurn));
        assert_eq!(threads.height(), 5000);
        assert!(threads.frame.equals_missing(&in_turn.frame));
        assert!(same_as_whole("t.csv", text.as_bytes(), 4));
    }

    /// The merged evidence of two runs of cells decides as feeding them
    /// all in turn does.
    #[test]
    fn merged_evidence_decides_as_one() {
        let pool = [
            "1",
            "-0",
            "007",
            "2.5",
            "3,5",
            "1e3",
            "99999999999999999999",
            "true",
            "no",
            "",
            "NA",
            "2024-03-05",
            "2024-13-05",
            "05/03/2024",
            "13/03/2024",
            "03/13/2024",
            "2024-03-05T10:00",
            "2024-03-05 10:00:30",
            "2024-03-05T10:00+01:00",
            "Mar 5, 2024",
            "5 Mar 2024",
            "x",
            "2024-W10-2",
        ];
        let mut rng = Rng::new(7);
        for _ in 0..20_000 {
            let comma = rng.below(2) == 0;
            let cells: Vec<&str> = (0..rng.below(8))
                .map(|_| pool[rng.below(pool.len())])
                .collect();
            let cut = rng.below(cells.len() + 1);
            let feed = |cells: &[&str]| {
                let mut inf = Inference::new(comma);
                for c in cells {
                    inf.feed(c);
                }
                inf
            };
            let mut whole = feed(&cells);
            let mut merged = feed(&cells[..cut]).merge(feed(&cells[cut..]));
            assert_eq!(whole.decide(), merged.decide(), "{cells:?} cut at {cut}");
            assert_eq!(whole.non_missing, merged.non_missing);
            // Fed more after the merge (the header row tried on it).
            let more = pool[rng.below(pool.len())];
            whole.feed(more);
            merged.feed(more);
            assert_eq!(
                whole.decide(),
                merged.decide(),
                "{cells:?} cut at {cut}, then {more}"
            );
        }
    }

    /// `bytes` read in `parts` parts and put together, each part read again
    /// as the assembly asks: what it says then, and how many were read again.
    fn put_together(name: &str, bytes: &[u8], parts: usize) -> (Next, usize) {
        let cut = Cut {
            parts,
            min_part_bytes: 1,
        };
        let plan = Plan::new(name, bytes, bytes.len() as u64, cut).unwrap();
        let mut assembly = Assembly::new(plan.clone());
        let mut next = Next::Wait;
        for i in 0..plan.ranges.len() {
            let part = read_part(bytes, PartReader::new(&plan, i)).unwrap();
            next = assembly.add(part.summary).unwrap();
        }
        let mut redo = 0;
        while let Next::Redo { index, start } = next {
            redo += 1;
            let part = read_part(bytes, PartReader::starting_at(&plan, index, start)).unwrap();
            next = assembly.add(part.summary).unwrap();
        }
        (next, redo)
    }

    /// A part guessed to start inside a quoted field is read again from
    /// where the part before it ended.
    #[test]
    fn wrong_guess_is_read_again() {
        // Every line inside the quotes has the file's two fields: no
        // guess can be told wrong before the parts are put together.
        let mut text = String::from("id,note\n");
        for i in 0..200 {
            text.push_str(&format!("{i},\"line one, {i}\nline two, {i}\nend,\"\n"));
        }
        let bytes = text.as_bytes();
        let (next, redo) = put_together("q.csv", bytes, 4);
        assert!(redo > 0, "every guess was right");
        assert!(matches!(next, Next::Convert(_)));
        assert!(same_as_whole("q.csv", bytes, 4));
    }

    /// Lines of a quoted field of another width than the file's records
    /// are passed over when a part guesses its start: no part is read
    /// again.
    #[test]
    fn guesses_pass_over_quoted_lines() {
        let mut text = String::from("id,note\n");
        for i in 0..5000 {
            text.push_str(&format!("{i},\"l1\nl2\nl3\nl4\"\n"));
        }
        let bytes = text.as_bytes();
        let (next, redo) = put_together("n.csv", bytes, 8);
        assert_eq!(redo, 0);
        assert!(matches!(next, Next::Convert(_)), "{next:?}");
        assert!(same_as_whole("n.csv", bytes, 8));
        assert_eq!(record_width(b"a,\"b\nc\",d\ne", b','), Some(3));
        assert_eq!(record_width(b"a,\"b", b','), None);
    }

    /// A file that grew after it was planned is read as it was planned:
    /// its stated size, not the bytes after.
    #[test]
    fn read_as_planned() {
        let mut text = String::from("a,b\n");
        for i in 0..3000 {
            text.push_str(&format!("{i},x{i}\n"));
        }
        let grown = format!("{text}9999,late\n");
        let cut = Cut {
            parts: 3,
            min_part_bytes: 1,
        };
        let read = read_in_parts("g.csv", text.len() as u64, grown.as_bytes(), cut, &InTurn);
        let Ok(Some(ds)) = read else {
            panic!("not read in parts");
        };
        let whole = read_bytes("g.csv", text.as_bytes()).unwrap();
        assert_eq!(ds.height(), 3000);
        assert!(ds.frame.equals_missing(&whole.frame));
    }

    /// A ragged row or an open quote in a later part is the file's error,
    /// at the file's line.
    #[test]
    fn errors_at_the_files_lines() {
        let mut text = String::from("a,b\n");
        for i in 0..100 {
            text.push_str(&format!("{i},{i}\n"));
        }
        text.push_str("1,2,3\n4,5\n");
        assert!(same_as_whole("r.csv", text.as_bytes(), 3));
        match in_parts("r.csv", text.as_bytes(), 3) {
            Err(IngestError::Ragged { line, .. }) => assert_eq!(line, 102),
            other => panic!("{:?}", other.map(|d| d.map(|d| d.height()))),
        }
        let open = format!("{}\"open,1\n", &text[..text.len() - 12]);
        assert!(same_as_whole("o.csv", open.as_bytes(), 3));
    }

    /// The delimiter is sniffed on the file's first 64 KiB whether it is
    /// read whole or in parts, with a byte-order mark (which a whole read
    /// skipped before counting) and at exactly 64 KiB.
    #[test]
    fn delimiter_sniffed_on_the_same_bytes() {
        let wide = format!("a,b;c;{}\n", "d".repeat(1300));
        for (bom, exact) in [(true, false), (false, true)] {
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            for _ in 0..49 {
                text.push_str(&wide);
            }
            let mut last = String::from("a,b;c");
            let target = if exact { HEAD_BYTES } else { HEAD_BYTES + 2 };
            while text.len() + last.len() + 1 < target {
                last.push('e');
            }
            text.push_str(&last);
            if !exact {
                text.push('\n');
                for _ in 0..10 {
                    text.push_str("a,b;c;x\n");
                }
            }
            assert!(
                same_as_whole("w.csv", text.as_bytes(), 2),
                "bom {bom}, exact {exact}"
            );
        }
    }

    /// A first part of blank lines or spaces only: the whole file decides
    /// whether it is empty, and a first record after the first part's range
    /// makes the file read whole.
    #[test]
    fn leading_blank_lines_and_spaces() {
        let blank = format!("{}a,b\n1,2\n3,4\n", "\n".repeat(12));
        assert!(
            !same_as_whole("b.csv", blank.as_bytes(), 2),
            "read in parts"
        );
        let spaces = format!("{}{}", "  \n".repeat(1000), "a\n".repeat(10));
        assert!(same_as_whole("s.csv", spaces.as_bytes(), 2));
        let nothing = " \n\t\n".repeat(100);
        assert!(same_as_whole("n.csv", nothing.as_bytes(), 3));
    }

    /// A part's summary: `records` records, all integers.
    fn summary(index: usize, start: u64, end: u64, records: usize) -> PartSummary {
        PartSummary {
            index,
            start: Some(start),
            end,
            records,
            sizes: vec![ColumnSize {
                cells: records as u64,
                text: records as u64 * 3,
                numbers: records as u64 * 8,
                kind: crate::core::csv::NumbersKind::Ints {
                    minus_zero: false,
                    any: true,
                },
            }],
            inferences: vec![Inference::new(false)],
            spans: vec![Span::default()],
            examples: vec![Some("1".to_string())],
            first_record: if index == 0 {
                vec!["a".to_string()]
            } else {
                Vec::new()
            },
            any_content: true,
            ..PartSummary::default()
        }
    }

    /// The parts' sizes add up as one reading's: a column of numbers in
    /// every part stays numbers (16 bytes a cell once built), not text (20
    /// and its text) — the 1 GB benchmark file was estimated at 3.4 GB in
    /// parts against 2.7 GB whole, so it was read in parts to the end and
    /// then read again whole.
    #[test]
    fn the_parts_sizes_add_up_as_one_reading() {
        use crate::core::csv::NumbersKind::{self, *};
        let kinds: [NumbersKind; 6] = [
            Ints {
                minus_zero: false,
                any: false,
            },
            Ints {
                minus_zero: false,
                any: true,
            },
            Ints {
                minus_zero: true,
                any: true,
            },
            Floats,
            Times,
            Gone,
        ];
        for kind in kinds {
            let a = ColumnSize {
                cells: 5,
                text: 9,
                numbers: 40,
                kind,
            };
            assert_eq!(ColumnSize::NONE.then(a), a, "{kind:?}");
        }
        let (a, b) = (summary(0, 0, 100, 10), summary(1, 100, 200, 30));
        let whole = a.sizes[0].then(b.sizes[0]);
        assert!(whole.kind.numeric());
        assert_eq!(whole.larger(), 16 * 40, "built as numbers: 16 bytes a cell");
        assert_eq!(estimate(&[&a, &b]), (40, whole.larger()));
    }

    /// The plan of a 300-byte, one-column UTF-8 file cut into `ranges`.
    fn one_column_plan(ranges: Vec<(u64, u64)>) -> Plan {
        Plan {
            name: "big.csv".to_string(),
            size: 300,
            encoding: Encoding::Utf8,
            text_start: 0,
            delimiter: b',',
            width: 1,
            time_columns: vec![false],
            ranges,
        }
    }

    /// Once read, a table is kept from parts when 1.6 times its estimate
    /// does not fit the device: every table a whole read allows on 8 GiB.
    #[test]
    fn the_device_bounds_a_table_read_in_parts() {
        assert_eq!(browser_parts_table_bytes(Some(8.0)), MAX_TABLE_BYTES);
        let four = browser_parts_table_bytes(Some(4.0));
        assert!((1_500_000_000..1_700_000_000).contains(&four), "{four}");
        for unknown in [None, Some(0.0), Some(f64::NAN), Some(-1.0)] {
            assert_eq!(browser_parts_table_bytes(unknown), MAX_TABLE_BYTES / 2);
        }
    }

    /// The browser reads a file in parts when its parts' peak fits the
    /// device: any file on 8 GiB, about half a GiB on 4, 34 MB on a quarter,
    /// 512 MB unknown.
    #[test]
    fn the_device_bounds_a_read_in_parts() {
        assert!(browser_parts_max_bytes(Some(8.0)) >= MAX_FILE_BYTES);
        let four = browser_parts_max_bytes(Some(4.0));
        assert!((500 << 20..600 << 20).contains(&four), "{four}");
        assert!(browser_parts_max_bytes(Some(0.25)) < 40 << 20);
        for unknown in [None, Some(0.0), Some(f64::NAN), Some(-1.0)] {
            assert_eq!(browser_parts_max_bytes(unknown), 512 << 20, "{unknown:?}");
        }
    }

    /// A table estimated at the whole read's memory bound is read in parts
    /// (also past half of it, the bound before the parts' tables stayed
    /// outside the data worker's memory), one a byte past it whole (which
    /// says where).
    #[test]
    fn a_table_past_the_memory_bound_reads_whole() {
        let plan = one_column_plan(vec![(0, 150), (150, 300)]);
        let a = summary(0, 0, 150, 10);
        let sized = |bytes: u64| {
            let mut b = summary(1, 150, 300, 10);
            b.sizes[0].text = bytes;
            b.sizes[0].numbers = bytes;
            b
        };
        let estimated = |bytes: u64| estimate(&[&a, &sized(bytes)]).1;
        // The most bytes whose table is estimated within the bound.
        let (mut lo, mut hi) = (0, MAX_TABLE_BYTES);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if estimated(mid) <= MAX_TABLE_BYTES {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        assert!(estimated(lo) > MAX_TABLE_BYTES / 2 && estimated(lo) <= MAX_TABLE_BYTES);
        assert!(estimated(lo + 1) > MAX_TABLE_BYTES);
        let mut within = Assembly::new(plan.clone());
        assert!(matches!(within.add(a.clone()), Ok(Next::Wait)));
        assert!(matches!(within.add(sized(lo)), Ok(Next::Convert(_))));
        let mut past = Assembly::new(plan.clone());
        assert!(matches!(past.add(a.clone()), Ok(Next::Wait)));
        assert!(matches!(past.add(sized(lo + 1)), Ok(Next::Whole)));
        // A lower limit (the device's: `browser_parts_table_bytes`) holds
        // at its own edge.
        let limit = estimated(lo) / 2;
        let mut lower = Assembly::new(plan.clone()).with_table_limit(limit);
        assert!(matches!(lower.add(a.clone()), Ok(Next::Wait)));
        assert!(matches!(lower.add(sized(lo)), Ok(Next::Whole)));
        let b = summary(1, 150, 300, 10);
        let mut fits = Assembly::new(plan).with_table_limit(estimate(&[&a, &b]).1);
        assert!(matches!(fits.add(a), Ok(Next::Wait)));
        assert!(matches!(fits.add(b), Ok(Next::Convert(_))));
    }

    /// Parts past the rows bound are read whole (which says where), also
    /// when a later part found an error: the whole read stops at the bound
    /// first.
    #[test]
    fn bounds_passed_read_whole() {
        let plan = one_column_plan(vec![(0, 100), (100, 200), (200, 300)]);
        let half = usize::try_from(MAX_ROWS / 2).unwrap();
        let mut a = Assembly::new(plan.clone());
        a.add(summary(0, 0, 100, half)).unwrap();
        a.add(summary(1, 100, 200, half)).unwrap();
        assert!(matches!(a.add(summary(2, 200, 300, 10)), Ok(Next::Whole)));
        let mut a = Assembly::new(plan.clone());
        a.add(summary(0, 0, 100, half)).unwrap();
        a.add(summary(1, 100, 200, half + 10)).unwrap();
        let mut failed = summary(2, 200, 300, 5);
        failed.error = Some(IngestError::Ragged {
            line: 6,
            byte: 250,
            expected: 1,
            found: 2,
        });
        assert!(matches!(a.add(failed.clone()), Ok(Next::Whole)));
        // Within the bounds the error is the file's, at the file's line.
        let mut a = Assembly::new(plan);
        let mut first = summary(0, 0, 100, 10);
        first.breaks = 10;
        a.add(first).unwrap();
        a.add(summary(1, 100, 200, 10)).unwrap();
        match a.add(failed) {
            Err(IngestError::Ragged { line, .. }) => assert_eq!(line, 16),
            other => panic!("{other:?}"),
        }
    }

    /// Sizes add up as one reading's: numbers that change kind between
    /// parts (integers, then dates) are given up, as one reading gives
    /// them up.
    #[test]
    fn sizes_add_up_as_one_reading() {
        use crate::core::csv::NumbersKind::*;
        let ints = Ints {
            minus_zero: false,
            any: true,
        };
        let minus_zero = Ints {
            minus_zero: true,
            any: true,
        };
        let none = Ints {
            minus_zero: false,
            any: false,
        };
        assert_eq!(ints.then(Times), Gone);
        assert_eq!(Times.then(ints), Gone);
        assert_eq!(none.then(Times), Times);
        assert_eq!(Times.then(none), Times);
        assert_eq!(ints.then(Floats), Floats);
        assert_eq!(minus_zero.then(Floats), Gone);
        assert_eq!(Floats.then(minus_zero), Floats);
        assert_eq!(ints.then(minus_zero), minus_zero);
        // Against one reading of the concatenated cells.
        let cells = ["1", "-0", "", "2.5", "2024-01-05", "NA", "7"];
        let mut rng = Rng::new(3);
        for _ in 0..2000 {
            let n = rng.below(7);
            let run: Vec<&str> = (0..n).map(|_| cells[rng.below(cells.len())]).collect();
            let cut = rng.below(n + 1);
            let kind = |cells: &[&str]| {
                let mut inf = Inference::new(false);
                let mut numbers = Numbers::new();
                for c in cells {
                    numbers.push(inf.feed(c));
                }
                numbers.kind()
            };
            // Exact when it says numbers; given up it may be numbers in
            // one reading (the estimate is then higher, never lower).
            let merged = kind(&run[..cut]).then(kind(&run[cut..]));
            if merged.numeric() || !kind(&run).numeric() {
                assert_eq!(merged, kind(&run), "{run:?} cut at {cut}");
            }
        }
    }
}
