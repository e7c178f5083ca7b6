//! Reading a file into a [`Dataset`]: push-based, so the browser can feed
//! `File.slice` chunks and memory stays near the size of the columns.
//!
//! Pipeline: the first [`HEAD_BYTES`] are buffered to detect the encoding
//! (BOM), binary content and, for CSV, the delimiter; from then on every
//! chunk is transcoded (UTF-16 only) and handed to the format's reader,
//! which buffers raw cell text per column. [`Ingester::finish`] decides the
//! header and every column's type over the whole column, and builds the
//! polars `DataFrame`.
//!
//! Column storage: integers `Int64`, floats `Float64`, booleans `Boolean`,
//! strings `String`, dates `Int32` days since 1970-01-01 and datetimes
//! `Int64` microseconds since 1970-01-01T00:00:00 (UTC when the text had an
//! offset). [`Dataset::types`] tells which is which.

use polars_core::prelude::*;
use serde::{Deserialize, Serialize};

use crate::core::columnar;
use crate::core::csv::{sniff_delimiter, CsvSink, CsvTable, Keep, Numbers};
use crate::core::error::IngestError;
use crate::core::infer::{
    code_word, is_na, name_words, parse_bool, parse_date_days, parse_datetime_micros, parse_f64,
    parse_f64_comma, parse_i64, trim_cell, DateOrder, Decision, Inference, Kind, Span,
};
use crate::core::json::{parse_document, JsonTable, NdjsonSink};
use crate::core::model::{ColumnType, FileFacts, Format, Note};
use crate::core::raw::RawColumn;
use crate::core::workbook::{self, Opened, SheetChoice};

/// Largest file accepted (checked against the declared size before reading).
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// The worker's peak memory per byte of a delimited text while it is read
/// and profiled, as measured (BENCHMARKS.md, in-browser ingest: 219 MB for
/// a 100.9 MB file of 12 columns; the numbers are kept beside the text
/// while a column's type is decided).
pub const READ_MEMORY_PER_BYTE: f64 = 2.2;

/// About how much memory reading a file of `size` bytes takes.
pub fn memory_to_read(size: u64) -> u64 {
    (size as f64 * READ_MEMORY_PER_BYTE) as u64
}

/// Most memory a delimited text's table may take, as the CSV reader
/// estimates it from what it has read (checked every
/// [`crate::core::csv::CHECK_CELLS`] cells): each column at its larger
/// moment, either while read (its cells' text, a byte each for their
/// lengths, and 8 bytes a number while the column may be numbers) or once
/// built and worked on: a number 8 bytes held and 8 more while the
/// correlations copy it (or 4 for its rank); a text cell (a missing one
/// too) 16 bytes and its text, and 4 more for its category code. wasm32
/// addresses at most 4 GiB. The 1 GB benchmark file (10,000,000 rows × 12
/// columns) is estimated at about 2.7 GB; natively it peaks at 2.0 GB while
/// read, holds 1.4 GB after, and peaks at 2.05 GB while correlated.
pub const MAX_TABLE_BYTES: u64 = 3_000_000_000;

/// Most rows a table may have: a column is sorted as (key, row) pairs of
/// 16 bytes in one block of memory, which wasm32 allows up to 2 GiB (a
/// growing block may ask for twice its length), so 50 million rows keep
/// that block under 1 GB.
pub const MAX_ROWS: u64 = 50_000_000;

/// Most cells (rows × columns) a JSON, workbook or columnar table may
/// have, checked before a row's cells are built (JSON: each record, and
/// each new key, which adds a cell to every earlier record). A built
/// column costs 8 bytes a cell for numbers and 16 (a string view) plus the
/// text for text, and the values read wait beside it: 100 million cells
/// are 0.8–1.6 GB built, so a table at the limit still fits in wasm32's
/// 4 GiB beside the reader's buffers, while a 1 MB JSON file with a late
/// key (a cell for every earlier record) would otherwise ask for billions.
/// Delimited text is bounded by [`MAX_TABLE_BYTES`] instead.
pub const MAX_CELLS: u64 = 100_000_000;

/// Bytes buffered before the encoding, binary check and delimiter are decided.
pub(crate) const HEAD_BYTES: usize = 64 * 1024;

/// Bytes checked for NUL and control bytes.
const BINARY_CHECK_BYTES: usize = 8 * 1024;

/// Chunk size used by [`read_bytes`].
const CHUNK_BYTES: usize = 1 << 20;

/// A parsed file: its facts, the columns (in a polars `DataFrame`) and what
/// the engine decided along the way.
#[derive(Clone, Debug)]
pub struct Dataset {
    pub facts: FileFacts,
    pub frame: DataFrame,
    /// One per column of `frame`, in order.
    pub types: Vec<ColumnType>,
    /// For date/datetime columns, the recognised format (chrono syntax).
    pub date_formats: Vec<Option<String>>,
    pub notes: Vec<Note>,
}

impl Dataset {
    pub fn height(&self) -> usize {
        self.frame.height()
    }

    pub fn width(&self) -> usize {
        self.types.len()
    }

    /// Column names in order.
    pub fn names(&self) -> Vec<String> {
        self.frame
            .columns()
            .iter()
            .map(|c| c.name().to_string())
            .collect()
    }

    /// The memory its columns take: polars' estimate, which counts a text
    /// column's bytes but not its 16-byte view per cell, plus those views.
    pub fn memory_bytes(&self) -> u64 {
        let views: usize = self
            .frame
            .columns()
            .iter()
            .filter(|c| matches!(c.dtype(), DataType::String))
            .map(|c| 16 * c.len())
            .sum();
        (self.frame.estimated_size() + views) as u64
    }
}

/// Most memory the worker lets a dataset it holds and a file it reads
/// take together: past it, the held dataset is let go before the read
/// starts (the page reads it again from its stored file when the new one
/// does not become the shown dataset). wasm32 addresses 4 GiB; two 1 GB
/// files (1.4 GB held, 2.2 GB while read) do not fit in it together.
pub const WORKER_MEMORY_BYTES: u64 = 3_000_000_000;

/// Whether a file of `size` bytes can be read while a dataset taking
/// `held` bytes stays in memory, under `budget` bytes
/// ([`WORKER_MEMORY_BYTES`] but in tests).
pub fn reads_beside(held: u64, size: u64, budget: u64) -> bool {
    held.saturating_add(memory_to_read(size)) <= budget
}

/// What the file name says about the format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Declared {
    Csv,
    Tsv,
    /// `.txt`: delimited text, delimiter sniffed.
    Text,
    Json,
    Ndjson,
    /// A spreadsheet (xlsx, xlsm, xlsb, xls, ods), read whole.
    Workbook(Format),
    /// Parquet or Arrow IPC, read whole, then column by column.
    Columnar(Format),
    /// No or unknown extension: look at the content.
    Unknown,
}

/// The file name's extension, lower-case ("" for none or a dot file).
pub fn extension(file_name: &str) -> String {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext.to_ascii_lowercase(),
        _ => String::new(),
    }
}

/// The format of a file read whole (a workbook or a Parquet/Arrow file),
/// by its name; None for text, which is read as a stream.
pub fn read_whole(file_name: &str) -> Option<Format> {
    match declared_format(file_name) {
        Ok(Declared::Workbook(f) | Declared::Columnar(f)) => Some(f),
        _ => None,
    }
}

/// What to say when the reader of a file read whole stopped on it (a
/// panic, which in the browser stops the worker).
pub fn reader_stopped(file_name: &str) -> IngestError {
    match read_whole(file_name) {
        Some(format @ (Format::Parquet | Format::Arrow)) => IngestError::ColumnarDamaged {
            format,
            detail: columnar::READER_STOPPED.to_string(),
        },
        _ => IngestError::WorkbookDamaged {
            detail: workbook::READER_STOPPED.to_string(),
        },
    }
}

fn declared_format(file_name: &str) -> Result<Declared, IngestError> {
    let ext = extension(file_name);
    if let Some(format) = workbook::format_of(&ext) {
        return Ok(Declared::Workbook(format));
    }
    if let Some(format) = columnar::format_of(&ext) {
        return Ok(Declared::Columnar(format));
    }
    Ok(match ext.as_str() {
        "csv" => Declared::Csv,
        "tsv" | "tab" => Declared::Tsv,
        "txt" => Declared::Text,
        "json" => Declared::Json,
        "ndjson" | "jsonl" => Declared::Ndjson,
        "numbers" | "pdf" | "doc" | "docx" | "ppt" | "pptx" | "zip" | "gz" | "bz2" | "xz"
        | "7z" | "rar" | "tar" | "avro" | "orc" | "sav" | "dta" | "sas7bdat" | "rds" | "rdata"
        | "sqlite" | "db" | "png" | "jpg" | "jpeg" | "gif" | "webp" | "bmp" | "svg" | "mp3"
        | "mp4" | "exe" => return Err(IngestError::UnsupportedFormat { extension: ext }),
        _ => Declared::Unknown,
    })
}

/// The text encoding, decided from the first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Encoding {
    /// UTF-8 without BOM; fields that are not UTF-8 are read as Windows-1252.
    Utf8,
    Utf8Bom,
    Utf16Le,
    Utf16Be,
}

impl Encoding {
    fn detect(head: &[u8]) -> (Encoding, usize) {
        match head {
            [0xEF, 0xBB, 0xBF, ..] => (Encoding::Utf8Bom, 3),
            [0xFF, 0xFE, ..] => (Encoding::Utf16Le, 2),
            [0xFE, 0xFF, ..] => (Encoding::Utf16Be, 2),
            _ => (Encoding::Utf8, 0),
        }
    }

    /// The UTF-16 encoding it is, if any (read through a decoder).
    fn utf16(self) -> Option<&'static encoding_rs::Encoding> {
        match self {
            Encoding::Utf16Le => Some(encoding_rs::UTF_16LE),
            Encoding::Utf16Be => Some(encoding_rs::UTF_16BE),
            Encoding::Utf8 | Encoding::Utf8Bom => None,
        }
    }

    pub(crate) fn label(self, any_windows_1252: bool) -> &'static str {
        match self {
            _ if any_windows_1252 => "Windows-1252",
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf8Bom => "UTF-8 (BOM)",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }
}

/// The first byte that makes the text look binary: NUL or a control byte
/// other than tab, newline, carriage return and form feed.
fn binary_offset(text: &[u8]) -> Option<usize> {
    text.iter()
        .take(BINARY_CHECK_BYTES)
        .position(|&b| b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C))
}

enum Sink {
    Csv(Box<CsvSink>, u8),
    /// A whole JSON document, buffered (decoded) until the end.
    Json(Vec<u8>),
    Ndjson(NdjsonSink),
}

impl Sink {
    fn push(&mut self, bytes: &[u8]) -> Result<(), IngestError> {
        match self {
            Sink::Csv(s, _) => s.push(bytes),
            Sink::Json(buf) => {
                buf.extend_from_slice(bytes);
                Ok(())
            }
            Sink::Ndjson(s) => s.push(bytes),
        }
    }
}

struct Body {
    encoding: Encoding,
    /// Transcoder for UTF-16 input.
    decoder: Option<encoding_rs::Decoder>,
    decoded: Vec<u8>,
    sink: Sink,
}

impl Body {
    fn push(&mut self, bytes: &[u8], last: bool) -> Result<(), IngestError> {
        let Some(decoder) = self.decoder.as_mut() else {
            return self.sink.push(bytes);
        };
        let needed = decoder
            .max_utf8_buffer_length(bytes.len())
            .unwrap_or(bytes.len().saturating_mul(3).saturating_add(16));
        self.decoded.resize(needed, 0);
        let (_, _, written, _) = decoder.decode_to_utf8(bytes, &mut self.decoded, last);
        let out = std::mem::take(&mut self.decoded);
        let result = self.sink.push(out.get(..written).unwrap_or_default());
        self.decoded = out;
        result
    }
}

enum State {
    /// Collecting the first bytes.
    Head(Vec<u8>),
    /// A workbook: every byte, read at the end.
    Whole(Vec<u8>),
    Body(Box<Body>),
    /// A push failed; the same error is returned from then on.
    Failed(IngestError),
}

/// How a text file is read, as its head says.
pub(crate) struct Dialect {
    pub encoding: Encoding,
    /// The byte-order mark's length in the file.
    pub bom_len: usize,
    /// Transcoder for UTF-16 input.
    pub decoder: Option<encoding_rs::Decoder>,
    /// The head's text after the byte-order mark (decoded from UTF-16).
    pub text: Vec<u8>,
    /// Where a delimited text's records start in the file (after a
    /// second byte-order mark, skipped as csv-core did).
    pub csv_start: u64,
    /// That second mark's length in `text`.
    pub in_text: usize,
    pub kind: TextKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TextKind {
    Json,
    Ndjson,
    /// With this delimiter.
    Delimited(u8),
}

/// The encoding and kind of a text file from its first bytes (`complete`:
/// they are the whole file); refused when they are not text.
pub(crate) fn dialect(
    file_name: &str,
    head: &[u8],
    complete: bool,
) -> Result<Dialect, IngestError> {
    dialect_of(declared_format(file_name)?, head, complete)
}

fn dialect_of(declared: Declared, head: &[u8], complete: bool) -> Result<Dialect, IngestError> {
    let (encoding, bom_len) = Encoding::detect(head);
    let rest = head.get(bom_len..).unwrap_or_default();
    let mut decoder = encoding
        .utf16()
        .map(encoding_rs::Encoding::new_decoder_without_bom_handling);
    if decoder.is_none() {
        if let Some(offset) = binary_offset(rest) {
            return Err(IngestError::Binary {
                offset: (offset + bom_len) as u64,
            });
        }
    }
    // Decoded text of the head, for sniffing.
    let text: Vec<u8> = match decoder.as_mut() {
        Some(d) => {
            let mut out = vec![0; d.max_utf8_buffer_length(rest.len()).unwrap_or(0)];
            // Not `last` even when complete: `finish` flushes the decoder.
            let (_, _, written, _) = d.decode_to_utf8(rest, &mut out, false);
            out.truncate(written);
            out
        }
        None => rest.to_vec(),
    };
    let first = text.iter().find(|b| !b.is_ascii_whitespace()).copied();
    let looks_json = matches!(first, Some(b'[' | b'{'));
    // A second byte-order mark at the start of a delimited text is
    // skipped too (as csv-core, the reader before ours, did): its
    // length in the file, and in the text.
    let (second_bom, in_text) = match text.starts_with(b"\xef\xbb\xbf") {
        true if decoder.is_some() => (2, 3),
        true => (3, 3),
        false => (0, 0),
    };
    let kind = match declared {
        Declared::Json => TextKind::Json,
        Declared::Ndjson => TextKind::Ndjson,
        // A document starting with `{` is read as a stream of objects,
        // which covers one object per line too.
        Declared::Unknown if looks_json => TextKind::Json,
        Declared::Tsv => TextKind::Delimited(b'\t'),
        Declared::Csv
        | Declared::Text
        | Declared::Unknown
        | Declared::Workbook(_)
        | Declared::Columnar(_) => {
            // Sniffed on the text of the file's first HEAD_BYTES bytes,
            // however many bytes the head holds (its chunks, a part's plan).
            let in_head = HEAD_BYTES.saturating_sub(bom_len).min(rest.len());
            let window = match encoding.utf16() {
                Some(utf16) => {
                    let head = rest.get(..in_head).unwrap_or_default();
                    let (decoded, _) = utf16.decode_without_bom_handling(head);
                    std::borrow::Cow::Owned(decoded.into_owned().into_bytes())
                }
                None => std::borrow::Cow::Borrowed(text.get(..in_head).unwrap_or(&text)),
            };
            TextKind::Delimited(sniff_delimiter(&window, complete))
        }
    };
    Ok(Dialect {
        encoding,
        bom_len,
        decoder,
        text,
        csv_start: (bom_len + second_bom) as u64,
        in_text,
        kind,
    })
}

/// Push-based reader: `new`, `push` chunks in order, `finish`.
pub struct Ingester {
    name: String,
    declared: Declared,
    declared_size: u64,
    seen: u64,
    state: State,
    sheet: SheetChoice,
    /// Which records a delimited text keeps ([`crate::core::stream`]).
    keep: Keep,
}

impl Ingester {
    /// Checks the name and declared size before any byte is read.
    pub fn new(file_name: &str, declared_size: u64) -> Result<Ingester, IngestError> {
        if declared_size > MAX_FILE_BYTES {
            return Err(IngestError::TooLarge {
                size: declared_size,
                limit: MAX_FILE_BYTES,
            });
        }
        let declared = declared_format(file_name)?;
        let state = match declared {
            Declared::Workbook(_) | Declared::Columnar(_) => State::Whole(Vec::new()),
            _ => State::Head(Vec::new()),
        };
        Ok(Ingester {
            name: file_name.to_string(),
            declared,
            declared_size,
            seen: 0,
            state,
            sheet: SheetChoice::First,
            keep: Keep::All,
        })
    }

    /// A reader for [`crate::core::stream`]: a delimited text of any size
    /// (no [`MAX_FILE_BYTES`]) whose records are kept as `keep` says.
    pub(crate) fn streaming(file_name: &str, keep: Keep) -> Result<Ingester, IngestError> {
        let mut ingester = Ingester::new(file_name, 0)?;
        ingester.keep = keep;
        Ok(ingester)
    }

    /// The whole batches of rows read so far ([`Keep::Batches`]).
    pub(crate) fn take_batches(&mut self) -> Vec<Vec<RawColumn>> {
        match &mut self.state {
            State::Body(body) => match &mut body.sink {
                Sink::Csv(csv, _) => csv.take_batches(),
                _ => Vec::new(),
            },
            _ => Vec::new(),
        }
    }

    /// Whether the file is read as a delimited text (so far: a file whose
    /// head is still being collected may yet turn out JSON).
    pub(crate) fn streams(&self) -> bool {
        match &self.state {
            State::Body(body) => matches!(body.sink, Sink::Csv(..)),
            State::Whole(_) => false,
            State::Head(_) | State::Failed(_) => {
                matches!(
                    self.declared,
                    Declared::Csv | Declared::Tsv | Declared::Text | Declared::Unknown
                )
            }
        }
    }

    /// Ends a delimited text: what its reader kept, and the file's facts
    /// (`has_header` as the caller decides it). None for any other file.
    pub(crate) fn finish_delimited(mut self) -> Result<Option<(CsvTable, FileFacts)>, IngestError> {
        if matches!(self.state, State::Whole(_)) {
            return Ok(None);
        }
        let Body { encoding, sink, .. } = self.end_text()?;
        let Sink::Csv(csv, delimiter) = sink else {
            return Ok(None);
        };
        let table = csv.finish()?;
        let facts = self.csv_facts(encoding, &table, delimiter);
        Ok(Some((table, facts)))
    }

    /// The facts of a delimited text read into `table` (`has_header` is
    /// decided by [`layout`]).
    fn csv_facts(&self, encoding: Encoding, table: &CsvTable, delimiter: u8) -> FileFacts {
        let label = encoding.label(table.any_windows_1252);
        delimited_facts(&self.name, self.seen, label, delimiter, &table.line_ending)
    }

    /// Pushes every byte of an in-memory file, in chunks.
    pub fn push_all(mut self, bytes: &[u8]) -> Result<Self, IngestError> {
        for chunk in bytes.chunks(CHUNK_BYTES) {
            self.push(chunk)?;
        }
        Ok(self)
    }

    /// Which sheet of a workbook to read (other files ignore it).
    pub fn with_sheet(mut self, sheet: SheetChoice) -> Self {
        self.sheet = sheet;
        self
    }

    /// Bytes pushed so far.
    pub fn bytes_seen(&self) -> u64 {
        self.seen
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), IngestError> {
        self.seen += chunk.len() as u64;
        if self.seen > MAX_FILE_BYTES && self.keep == Keep::All {
            let err = IngestError::TooLarge {
                size: self.seen,
                limit: MAX_FILE_BYTES,
            };
            self.state = State::Failed(err.clone());
            return Err(err);
        }
        let result = match &mut self.state {
            State::Failed(e) => return Err(e.clone()),
            State::Whole(bytes) => {
                bytes.extend_from_slice(chunk);
                Ok(())
            }
            State::Head(head) => {
                head.extend_from_slice(chunk);
                if head.len() < HEAD_BYTES {
                    return Ok(());
                }
                let head = std::mem::take(head);
                self.start(head, false)
            }
            State::Body(body) => body.push(chunk, false),
        };
        if let Err(e) = &result {
            self.state = State::Failed(e.clone());
        }
        result
    }

    /// Decides encoding and format from the head, then feeds it on.
    fn start(&mut self, head: Vec<u8>, complete: bool) -> Result<(), IngestError> {
        let Dialect {
            encoding,
            bom_len,
            decoder,
            text,
            csv_start,
            in_text,
            kind,
        } = dialect_of(self.declared, &head, complete)?;
        let sink = match kind {
            TextKind::Json => Sink::Json(Vec::new()),
            TextKind::Ndjson => Sink::Ndjson(NdjsonSink::default()),
            TextKind::Delimited(d) => {
                Sink::Csv(Box::new(CsvSink::keeping(d, csv_start, self.keep)), d)
            }
        };
        let mut body = Box::new(Body {
            encoding,
            decoder,
            decoded: Vec::new(),
            sink,
        });
        let skip = if matches!(body.sink, Sink::Csv(..)) {
            in_text
        } else {
            0
        };
        body.sink.push(text.get(skip..).unwrap_or_default())?;
        if let Sink::Csv(csv, _) = &mut body.sink {
            // Text expected in the whole file, scaled like the head was by
            // decoding (UTF-16 halves, UTF-8 stays).
            let rest = head.len().saturating_sub(bom_len);
            let ratio = text.len() as f64 / rest.max(1) as f64;
            let expected = self.declared_size.saturating_sub(bom_len as u64) as f64 * ratio;
            csv.reserve_for(expected as u64);
        }
        self.state = State::Body(body);
        Ok(())
    }

    /// Reads what is left; a workbook's first sheet with data when the
    /// sheet choice is [`SheetChoice::Ask`].
    pub fn finish(mut self) -> Result<Dataset, IngestError> {
        if self.sheet == SheetChoice::Ask {
            self.sheet = SheetChoice::First;
        }
        match self.finish_or_choose()? {
            Opened::Dataset(ds) => Ok(*ds),
            Opened::Choose(_) => Err(IngestError::Internal {
                message: "no sheet chosen".to_string(),
            }),
        }
    }

    /// Reads what is left, or (a workbook with several sheets of data and
    /// [`SheetChoice::Ask`]) lists the sheets to choose from.
    pub fn finish_or_choose(mut self) -> Result<Opened, IngestError> {
        if let State::Whole(bytes) = &mut self.state {
            let bytes = std::mem::take(bytes);
            if bytes.is_empty() {
                return Err(IngestError::Empty);
            }
            return match self.declared {
                Declared::Workbook(format) => {
                    workbook::read(&self.name, format, &bytes, &self.sheet)
                }
                Declared::Columnar(format) => columnar::read(&self.name, format, bytes)
                    .map(|ds| Opened::Dataset(Box::new(ds))),
                _ => Err(IngestError::Internal {
                    message: "whole-file state for a text file".to_string(),
                }),
            };
        }
        let Body { encoding, sink, .. } = self.end_text()?;
        self.finish_text(encoding, sink)
            .map(|ds| Opened::Dataset(Box::new(ds)))
    }

    /// Ends a text file: its reader with every byte read.
    fn end_text(&mut self) -> Result<Body, IngestError> {
        let state = std::mem::replace(&mut self.state, State::Head(Vec::new()));
        let mut body = match state {
            State::Failed(e) => return Err(e),
            State::Whole(_) => {
                return Err(IngestError::Internal {
                    message: "a file read whole ended as text".to_string(),
                })
            }
            State::Head(head) => {
                if head.is_empty() {
                    return Err(IngestError::Empty);
                }
                self.start(head, true)?;
                match std::mem::replace(&mut self.state, State::Head(Vec::new())) {
                    State::Body(b) => b,
                    _ => {
                        return Err(IngestError::Internal {
                            message: "reader did not start".to_string(),
                        })
                    }
                }
            }
            State::Body(b) => b,
        };
        // Flush the transcoder.
        if body.decoder.is_some() {
            body.push(&[], true)?;
        }
        Ok(*body)
    }

    /// The facts of a text file read as `format`.
    fn text_facts(
        &self,
        format: Format,
        encoding_label: &str,
        delimiter: Option<char>,
        has_header: bool,
        line_ending: &str,
    ) -> FileFacts {
        FileFacts {
            name: self.name.clone(),
            size_bytes: self.seen,
            format,
            encoding: encoding_label.to_string(),
            delimiter,
            has_header,
            line_ending: line_ending.to_string(),
            sheet: None,
            carried: None,
        }
    }

    fn finish_text(&self, encoding: Encoding, sink: Sink) -> Result<Dataset, IngestError> {
        match sink {
            Sink::Csv(csv, delimiter) => {
                let table = csv.finish()?;
                let facts = self.csv_facts(encoding, &table, delimiter);
                build_csv(table, facts)
            }
            Sink::Json(bytes) => {
                let (text, any_1252) = match String::from_utf8(bytes) {
                    Ok(t) => (t, false),
                    Err(e) => {
                        let bytes = e.into_bytes();
                        let (t, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(&bytes);
                        (t.into_owned(), true)
                    }
                };
                let line_ending = line_ending_of(text.as_bytes());
                let table = parse_document(&text)?;
                drop(text);
                let facts = self.text_facts(
                    Format::Json,
                    encoding.label(any_1252),
                    None,
                    true,
                    &line_ending,
                );
                build_json(table, facts)
            }
            Sink::Ndjson(nd) => {
                let any_1252 = nd.any_windows_1252;
                let table = nd.finish()?;
                let facts =
                    self.text_facts(Format::Ndjson, encoding.label(any_1252), None, true, "LF");
                build_json(table, facts)
            }
        }
    }
}

/// The facts of a delimited text of `size` bytes (`has_header` is
/// decided by [`layout`]).
pub(crate) fn delimited_facts(
    name: &str,
    size: u64,
    encoding_label: &str,
    delimiter: u8,
    line_ending: &str,
) -> FileFacts {
    FileFacts {
        name: name.to_string(),
        size_bytes: size,
        format: if delimiter == b'\t' {
            Format::Tsv
        } else {
            Format::Csv
        },
        encoding: encoding_label.to_string(),
        delimiter: Some(delimiter as char),
        has_header: true,
        line_ending: line_ending.to_string(),
        sheet: None,
        carried: None,
    }
}

/// Line ending style of a (JSON) text.
pub(crate) fn line_ending_of(text: &[u8]) -> String {
    let (mut crlf, mut lf, mut cr) = (0, 0, 0);
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'\r' if text.get(i + 1) == Some(&b'\n') => {
                crlf += 1;
                i += 1;
            }
            b'\r' => cr += 1,
            b'\n' => lf += 1,
            _ => {}
        }
        i += 1;
    }
    match (crlf > 0, lf > 0, cr > 0) {
        (false, false, false) => "none",
        (true, false, false) => "CRLF",
        (false, true, false) => "LF",
        (false, false, true) => "CR",
        _ => "mixed",
    }
    .to_string()
}

/// Reads a whole in-memory file (convenience for tests and small inputs).
pub fn read_bytes(file_name: &str, bytes: &[u8]) -> Result<Dataset, IngestError> {
    Ingester::new(file_name, bytes.len() as u64)?
        .push_all(bytes)?
        .finish()
}

// ------------------------------------------------------------ building

fn infer(column: &RawColumn, from: usize, decimal_comma: bool) -> Inference {
    let mut inf = Inference::new(decimal_comma);
    for cell in column.iter().skip(from) {
        inf.feed(cell);
    }
    inf
}

fn build_csv(mut table: CsvTable, facts: FileFacts) -> Result<Dataset, IngestError> {
    let numbers = std::mem::take(&mut table.numbers);
    let (layout, columns) = layout(table, facts)?;
    let start = usize::from(layout.facts.has_header);
    // The numbers gathered while reading start after the first record.
    let numbers = if start == 1 { numbers } else { Vec::new() };
    build(
        layout.facts,
        layout.names,
        columns,
        numbers,
        layout.inferences,
        start,
        layout.notes,
    )
}

/// How a table's column names are found.
pub(crate) enum HeaderRule {
    /// The first row is a header unless it fits the columns' types.
    Detect,
    /// The first row is the header.
    FirstRow,
    /// The names are known; every row is data.
    Names(Vec<String>),
}

/// Builds a table from columns of raw cells (the first row perhaps the
/// header), as the CSV reader does after reading.
pub(crate) fn build_table(
    columns: Vec<RawColumn>,
    rule: HeaderRule,
    notes: Vec<Note>,
    facts: impl FnOnce(bool) -> FileFacts,
) -> Result<Dataset, IngestError> {
    let rows = columns.first().map_or(0, RawColumn::len);
    match rule {
        HeaderRule::Names(names) => {
            if rows == 0 {
                return Err(IngestError::HeaderOnly {
                    columns: names.len(),
                });
            }
            let mut notes = notes;
            let names = unique_names(names, &mut notes);
            let inferences = columns.iter().map(|c| infer(c, 0, false)).collect();
            build(
                facts(true),
                names,
                columns,
                Vec::new(),
                inferences,
                0,
                notes,
            )
        }
        HeaderRule::Detect | HeaderRule::FirstRow => {
            if rows < 2 {
                return Err(IngestError::HeaderOnly {
                    columns: columns.len(),
                });
            }
            let body: Vec<Inference> = columns.iter().map(|c| infer(c, 1, false)).collect();
            let has_header = matches!(rule, HeaderRule::FirstRow) || has_header(&body, &columns);
            with_header(columns, body, has_header, notes, facts)
        }
    }
}

/// No header when every typed column's first cell fits its type (and at
/// least one such first cell is a value): e.g. `1,2.5,2024-01-01`.
/// `body`: the types of the rows after the first.
fn has_header(body: &[Inference], columns: &[RawColumn]) -> bool {
    let mut evidence = false;
    let mut first_fits = true;
    for (b, c) in body.iter().zip(columns) {
        if b.decide().kind == Kind::String {
            continue;
        }
        if is_na(trim_cell(c.first())) {
            continue;
        }
        let mut with_first = *b;
        with_first.feed(c.first());
        if with_first.decide().kind.column_type() == ColumnType::String {
            first_fits = false;
        } else {
            evidence = true;
        }
    }
    !(evidence && first_fits)
}

/// Names the columns from the first row, or `column_N` when it is data.
fn with_header(
    columns: Vec<RawColumn>,
    body: Vec<Inference>,
    has_header: bool,
    mut notes: Vec<Note>,
    facts: impl FnOnce(bool) -> FileFacts,
) -> Result<Dataset, IngestError> {
    let (names, inferences, start) = header_names(&columns, body, has_header, &mut notes);
    build(
        facts(has_header),
        names,
        columns,
        Vec::new(),
        inferences,
        start,
        notes,
    )
}

/// The names, each column's evidence and the first data row, with the
/// first row a header or data.
fn header_names(
    columns: &[RawColumn],
    body: Vec<Inference>,
    has_header: bool,
    notes: &mut Vec<Note>,
) -> (Vec<String>, Vec<Inference>, usize) {
    if has_header {
        let raw: Vec<String> = columns.iter().map(|c| c.first().to_string()).collect();
        return (unique_names(raw, notes), body, 1);
    }
    notes.insert(0, Note {
        column: None,
        kind: "no-header".to_string(),
        message: "The first row holds data, not column names, so the columns are named column_1, column_2, …".to_string(),
    });
    let names = (1..=columns.len()).map(|i| format!("column_{i}")).collect();
    let with_first = body
        .iter()
        .zip(columns)
        .map(|(inf, c)| {
            let mut inf = *inf;
            inf.feed(c.first());
            inf
        })
        .collect();
    (names, with_first, 0)
}

/// How the rows of a delimited text become a table, decided over the whole
/// file from a survey of it ([`Keep::FirstRecord`]): the header, the
/// column names, each column's type evidence and the reading's notes.
#[derive(Clone, Debug)]
pub struct Layout {
    pub facts: FileFacts,
    pub names: Vec<String>,
    pub inferences: Vec<Inference>,
    /// The range of each column's numbers.
    pub spans: Vec<Span>,
    pub notes: Vec<Note>,
    /// Data rows in the file.
    pub rows: usize,
}

/// The layout of a delimited text read into `table` (a whole read, or a
/// survey), with the columns it kept.
pub(crate) fn layout(
    table: CsvTable,
    mut facts: FileFacts,
) -> Result<(Layout, Vec<RawColumn>), IngestError> {
    let CsvTable {
        columns,
        inferences,
        mut spans,
        records,
        short_rows,
        first_short_line,
        ..
    } = table;
    if records < 2 {
        return Err(IngestError::HeaderOnly {
            columns: columns.len(),
        });
    }
    let mut notes = Vec::new();
    if short_rows > 0 {
        notes.push(Note {
            column: None,
            kind: "short-rows".to_string(),
            message: format!(
                "{short_rows} row{} had fewer fields than the header (first at line {first_short_line}); the missing fields are treated as empty.",
                if short_rows == 1 { "" } else { "s" }
            ),
        });
    }
    let has_header = has_header(&inferences, &columns);
    let (names, inferences, start) = header_names(&columns, inferences, has_header, &mut notes);
    if start == 0 {
        for (span, column) in spans.iter_mut().zip(&columns) {
            span.feed(column.first());
        }
    }
    facts.has_header = has_header;
    let layout = Layout {
        facts,
        names,
        inferences,
        spans,
        notes,
        rows: records - start,
    };
    Ok((layout, columns))
}

fn build_json(table: JsonTable, facts: FileFacts) -> Result<Dataset, IngestError> {
    let JsonTable {
        names,
        columns,
        records_key,
        ..
    } = table;
    let inferences = columns.iter().map(|c| infer(c, 0, false)).collect();
    let mut notes = Vec::new();
    if let Some(key) = records_key {
        notes.push(Note {
            column: None,
            kind: "json-records-key".to_string(),
            message: format!(
                "The file is one object; its records were read from the list under \"{key}\"."
            ),
        });
    }
    let names = unique_names(names, &mut notes);
    build(facts, names, columns, Vec::new(), inferences, 0, notes)
}

/// Gives empty names `column_N` and repeated names a `.1`, `.2` suffix
/// (like pandas), with a note for each change.
pub(crate) fn unique_names(raw: Vec<String>, notes: &mut Vec<Note>) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    let mut taken = std::collections::HashSet::new();
    for (i, name) in raw.into_iter().enumerate() {
        let mut candidate = if name.trim().is_empty() {
            format!("column_{}", i + 1)
        } else {
            name.clone()
        };
        let mut n = 1;
        let base = candidate.clone();
        while taken.contains(&candidate) {
            candidate = format!("{base}.{n}");
            n += 1;
        }
        if candidate != name {
            let message = if name.trim().is_empty() {
                format!(
                    "Column {} has no name in the file; it is called \"{candidate}\".",
                    i + 1
                )
            } else {
                format!(
                    "Column {} repeats the name \"{name}\"; it is called \"{candidate}\".",
                    i + 1
                )
            };
            notes.push(Note {
                column: Some(candidate.clone()),
                kind: "renamed-header".to_string(),
                message,
            });
        }
        taken.insert(candidate.clone());
        out.push(candidate);
    }
    out
}

/// `numbers`: gathered while reading ([`convert`]), or none.
fn build(
    facts: FileFacts,
    names: Vec<String>,
    raw: Vec<RawColumn>,
    numbers: Vec<Numbers>,
    inferences: Vec<Inference>,
    start: usize,
    notes: Vec<Note>,
) -> Result<Dataset, IngestError> {
    let decided = decide(names, &raw, inferences, start, None, notes);
    convert(facts, decided, raw, numbers, start)
}

/// What reading decided about each column: its kind and date format, with
/// the notes that say so.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Decided {
    pub names: Vec<String>,
    pub kinds: Vec<Kind>,
    pub date_formats: Vec<Option<String>>,
    pub notes: Vec<Note>,
}

/// Each column's kind from its type evidence, its name and (numbers that
/// are times) the range of its numbers: `spans` when given, else the
/// cells after `start`.
pub(crate) fn decide(
    names: Vec<String>,
    raw: &[RawColumn],
    inferences: Vec<Inference>,
    start: usize,
    spans: Option<&[Span]>,
    mut notes: Vec<Note>,
) -> Decided {
    let mut kinds = Vec::with_capacity(raw.len());
    let mut date_formats = Vec::with_capacity(raw.len());
    for (i, ((name, column), inference)) in names.iter().zip(raw).zip(inferences).enumerate() {
        let mut decision = inference.decide();
        let numeric = matches!(
            decision.kind,
            Kind::Integer | Kind::Float | Kind::FloatComma
        );
        if let (true, Some(word)) = (numeric, code_word(name)) {
            notes.push(Note {
                column: Some(name.clone()),
                kind: "kept-as-text".to_string(),
                message: format!(
                    "\"{name}\" holds numbers, but its name says {} ('{word}'): it was kept as text, so \"2.0\" stays \"2.0\" and \"1.10\" is not 1.1. Change its type on the Clean tab to count with it.",
                    if matches!(word, "version" | "versions" | "ver" | "vers") {
                        "versions"
                    } else {
                        "codes"
                    }
                ),
            });
            decision.kind = Kind::String;
        }
        let span = spans.and_then(|s| s.get(i).copied());
        if let Some((kind, note)) = numbers_as_time(name, column, start, span, decision.kind) {
            decision.kind = kind;
            decision.date_format = Some(
                match kind {
                    Kind::UnixSeconds => "Unix seconds",
                    Kind::UnixMillis => "Unix milliseconds",
                    _ => "spreadsheet serial days",
                }
                .to_string(),
            );
            notes.push(note);
        }
        if let Some(note) = date_notes(name, column, start, &decision) {
            notes.extend(note);
        }
        if decision.ambiguous_order {
            notes.push(Note {
                column: Some(name.clone()),
                kind: "ambiguous-date-order".to_string(),
                message: format!(
                    "In \"{name}\" every date reads both as day/month and as month/day; month first (MM/DD, as in the US) was assumed."
                ),
            });
        }
        if decision.kind == Kind::FloatComma {
            notes.push(Note {
                column: Some(name.clone()),
                kind: "decimal-comma".to_string(),
                message: format!(
                    "\"{name}\" uses a decimal comma (3,5 = 3.5); it was read as numbers."
                ),
            });
        }
        kinds.push(decision.kind);
        date_formats.push(decision.date_format);
    }
    Decided {
        names,
        kinds,
        date_formats,
        notes,
    }
}

/// The columns' cells after `start`, converted as `decided` says; a
/// column whose numbers were gathered while reading (`numbers`, for the
/// same rows) is built from them when its type is theirs.
pub(crate) fn convert(
    facts: FileFacts,
    decided: Decided,
    raw: Vec<RawColumn>,
    numbers: Vec<Numbers>,
    start: usize,
) -> Result<Dataset, IngestError> {
    let height = raw.first().map_or(0, |c| c.len().saturating_sub(start));
    let Decided {
        names,
        kinds,
        date_formats,
        notes,
    } = decided;
    let mut columns = Vec::with_capacity(raw.len());
    let mut numbers = numbers.into_iter();
    for ((name, column), kind) in names.iter().zip(raw).zip(&kinds) {
        let gathered = numbers.next().and_then(|n| {
            let name = PlSmallStr::from(name.as_str());
            match kind {
                Kind::Integer => n.ints(name),
                Kind::Float => n.floats(name),
                Kind::Date(DateOrder::Ymd) => n.dates(name),
                Kind::Datetime(DateOrder::Ymd) => n.datetimes(name),
                _ => None,
            }
        });
        columns.push(match gathered {
            Some(series) => series.into_column(),
            None => convert_column(name, &column, start, *kind),
        });
        drop(column);
    }
    let frame = DataFrame::new(height, columns).map_err(|e| IngestError::Internal {
        message: e.to_string(),
    })?;
    Ok(Dataset {
        facts,
        frame,
        types: kinds.iter().map(|k| k.column_type()).collect(),
        date_formats,
        notes,
    })
}

/// 1970-01-01 as a spreadsheet serial day (days since 1899-12-30).
const EXCEL_UNIX_EPOCH: f64 = 25_569.0;

/// Numbers that are times, by the column's name and the values' range:
/// Unix seconds (1973–2099) or milliseconds under a name that says time,
/// spreadsheet serial days (1954–2119) under a name that says date.
/// `span`: the range of the column's numbers when known (else found from
/// the cells after `start`).
fn numbers_as_time(
    name: &str,
    raw: &RawColumn,
    start: usize,
    span: Option<Span>,
    kind: Kind,
) -> Option<(Kind, Note)> {
    if !matches!(kind, Kind::Integer | Kind::Float) {
        return None;
    }
    let (says_time, says_date) = says_time_or_date(name);
    if !says_time && !says_date {
        return None;
    }
    let span = span.unwrap_or_else(|| Span::of(raw.iter().skip(start)));
    let Span {
        lo,
        hi,
        fractional,
        any,
        numeric,
    } = span;
    if !any || !numeric {
        return None;
    }
    let note = |kind: &str, message: String| Note {
        column: Some(name.to_string()),
        kind: kind.to_string(),
        message,
    };
    let unix = |unit: &str| {
        format!(
            "\"{name}\" holds Unix times in {unit} (its name says time, and every value falls between 1973 and 2099): they were read as date-times in UTC. Change its type on the Clean tab to keep the numbers."
        )
    };
    if says_time && kind == Kind::Integer && lo >= 1e8 && hi <= 4.1e9 {
        return Some((Kind::UnixSeconds, note("unix-time", unix("seconds"))));
    }
    if says_time && kind == Kind::Integer && lo >= 1e11 && hi <= 4.1e12 {
        return Some((Kind::UnixMillis, note("unix-time", unix("milliseconds"))));
    }
    if says_date && lo >= 20_000.0 && hi <= 80_000.0 {
        return Some((
            Kind::ExcelSerial {
                with_time: fractional,
            },
            note(
                "excel-serial",
                format!(
                    "\"{name}\" holds spreadsheet serial numbers (its name says date, and every value falls between 1954 and 2119): they were read as {} counted from 1899-12-30, as Excel and LibreOffice count. Change its type on the Clean tab to keep the numbers.",
                    if fractional { "date-times" } else { "dates" }
                ),
            ),
        ));
    }
    None
}

/// Whether a column's name says time (Unix times) or date (spreadsheet
/// serial days): only then may its numbers be read as times.
pub(crate) fn says_time_or_date(name: &str) -> (bool, bool) {
    let words = name_words(name);
    let says = |list: &[&str]| words.iter().any(|w| list.contains(&w.as_str()));
    (
        says(&["timestamp", "ts", "epoch", "unix", "time", "datetime", "at"]),
        says(&["date", "dated", "day"]),
    )
}

/// A column's first cell after `start` that is not missing, trimmed: the
/// example the notes on its reading show.
pub(crate) fn first_present(raw: &RawColumn, start: usize) -> Option<&str> {
    raw.iter().skip(start).map(trim_cell).find(|t| !is_na(t))
}

/// What a date column's reading should tell: the pattern when it is not
/// ISO 8601, a two-digit year's pivot, offsets converted to UTC.
fn date_notes(name: &str, raw: &RawColumn, start: usize, d: &Decision) -> Option<Vec<Note>> {
    if !matches!(d.kind, Kind::Date(_) | Kind::Datetime(_)) {
        return None;
    }
    let format = d.date_format.as_deref().unwrap_or("");
    let example = first_present(raw, start).unwrap_or("");
    let note = |kind: &str, message: String| Note {
        column: Some(name.to_string()),
        kind: kind.to_string(),
        message,
    };
    let mut out = Vec::new();
    if !format.starts_with("%Y-%m-%d") {
        out.push(note(
            "date-format",
            format!(
                "\"{name}\" was read as {} written like \"{example}\" ({}): every value in the column fits that pattern.",
                if matches!(d.kind, Kind::Date(_)) { "dates" } else { "date-times" },
                describe_date_format(format)
            ),
        ));
    }
    if d.two_digit_year {
        out.push(note(
            "two-digit-year",
            format!(
                "\"{name}\" writes years with two digits: 00–68 were read as 2000–2068 and 69–99 as 1969–1999 (the pivot Python and pandas use)."
            ),
        ));
    }
    if d.offsets {
        out.push(note(
            "utc-offset",
            format!(
                "\"{name}\" has times with UTC offsets (such as \"{example}\"): they were converted to UTC, so times from different zones compare."
            ),
        ));
    }
    Some(out)
}

/// A chrono date pattern in words ("%b %d, %Y": "month name, day, year").
fn describe_date_format(f: &str) -> String {
    let mut parts = Vec::new();
    let mut chars = f.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            continue;
        }
        let part = match chars.next() {
            Some('Y') => "year",
            Some('y') => "two-digit year",
            Some('m') => "month number",
            // Month names are read in full or abbreviated alike.
            Some('b') | Some('B') => "month name",
            Some('d') => "day",
            Some('a') | Some('A') => "weekday",
            Some('G') => "ISO week-numbering year",
            Some('V') => "ISO week",
            Some('u') => "weekday number",
            Some('H') => "hour",
            Some('M') => "minute",
            Some('S') => "second",
            _ => continue,
        };
        parts.push(part);
    }
    if parts.is_empty() {
        f.to_string()
    } else {
        format!("{}; {f}", parts.join(", "))
    }
}

/// Converts raw text cells to a typed polars column.
fn convert_column(name: &str, raw: &RawColumn, start: usize, kind: Kind) -> Column {
    let name = PlSmallStr::from(name);
    // Trimmed, non-missing cells.
    let cells = || {
        raw.iter().skip(start).map(|c| {
            let t = trim_cell(c);
            (!is_na(t)).then_some(t)
        })
    };
    let series = match kind {
        Kind::Boolean => {
            BooleanChunked::from_iter_options(name, cells().map(|c| c.and_then(parse_bool)))
                .into_series()
        }
        Kind::Integer => {
            Int64Chunked::from_iter_options(name, cells().map(|c| c.and_then(parse_i64)))
                .into_series()
        }
        Kind::Float => {
            Float64Chunked::from_iter_options(name, cells().map(|c| c.and_then(parse_f64)))
                .into_series()
        }
        Kind::FloatComma => Float64Chunked::from_iter_options(
            name,
            cells().map(|c| c.and_then(|c| parse_f64_comma(c).or_else(|| parse_f64(c)))),
        )
        .into_series(),
        Kind::Date(order) => Int32Chunked::from_iter_options(
            name,
            cells().map(|c| c.and_then(|c| parse_date_days(c, order))),
        )
        .into_series(),
        Kind::Datetime(order) => Int64Chunked::from_iter_options(
            name,
            cells().map(|c| c.and_then(|c| parse_datetime_micros(c, order))),
        )
        .into_series(),
        Kind::UnixSeconds | Kind::UnixMillis => {
            let scale = if kind == Kind::UnixSeconds {
                1_000_000
            } else {
                1_000
            };
            Int64Chunked::from_iter_options(
                name,
                cells().map(|c| c.and_then(parse_i64).and_then(|v| v.checked_mul(scale))),
            )
            .into_series()
        }
        Kind::ExcelSerial { with_time: false } => Int32Chunked::from_iter_options(
            name,
            cells().map(|c| c.and_then(parse_f64).map(|v| (v - EXCEL_UNIX_EPOCH) as i32)),
        )
        .into_series(),
        Kind::ExcelSerial { with_time: true } => Int64Chunked::from_iter_options(
            name,
            cells().map(|c| {
                c.and_then(parse_f64)
                    .map(|v| ((v - EXCEL_UNIX_EPOCH) * 86_400_000_000.0).round() as i64)
            }),
        )
        .into_series(),
        Kind::String => StringChunked::from_iter_options(
            name,
            raw.iter()
                .skip(start)
                .map(|c| (!is_na(trim_cell(c))).then_some(c)),
        )
        .into_series(),
    };
    series.into_column()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The numbers gathered while reading make the same column, bit for
    /// bit (-0.0 included), as converting the text after reading.
    #[test]
    fn gathered_numbers_equal_the_texts_conversion() {
        use crate::core::rng::Rng;
        let numeric = [
            "1",
            "-0",
            "0",
            " 42 ",
            "+7",
            "-12",
            "1.5",
            "-0.0",
            "1e3",
            "NA",
            "",
            "inf",
            "-inf",
            ".5",
            "99999999999999999999",
            "9007199254740993",
            "-9223372036854775808",
        ];
        let other = ["x", "1,5", "007", "true", "05/03/2024"];
        let dates = [
            "2024-01-02",
            "1969-12-31",
            "2024-03-05 09:15:30",
            "2024-03-05T23:59:59.250",
            "2024-03-05T10:00:00+02:00",
            "Jan 1 2000",
            "2024-W10-2",
            "NA",
            "",
            "0001-01-01",
            "2024-02-30",
        ];
        let mut rng = Rng::new(11);
        let mut built = [0usize; 4];
        for case in 0..4000 {
            let pool: &[&str] = if case % 3 == 0 { &dates } else { &numeric };
            let cells: Vec<&str> = (0..1 + rng.below(10))
                .map(|_| {
                    if case % 5 == 0 && rng.below(4) == 0 {
                        other[rng.below(other.len())]
                    } else {
                        pool[rng.below(pool.len())]
                    }
                })
                .collect();
            let mut raw = RawColumn::new();
            raw.push("header").unwrap();
            let mut inference = Inference::new(false);
            let mut numbers = Numbers::new();
            for c in &cells {
                raw.push(c).unwrap();
                numbers.push(inference.feed(c));
            }
            let kind = inference.decide().kind;
            let want = convert_column("c", &raw, 1, kind);
            let got = match kind {
                Kind::Integer => numbers.ints("c".into()),
                Kind::Float => numbers.floats("c".into()),
                Kind::Date(DateOrder::Ymd) => numbers.dates("c".into()),
                Kind::Datetime(DateOrder::Ymd) => numbers.datetimes("c".into()),
                _ => None,
            };
            let Some(got) = got else {
                continue;
            };
            built[match kind {
                Kind::Integer => 0,
                Kind::Float => 1,
                Kind::Date(_) => 2,
                _ => 3,
            }] += 1;
            let want = want.as_materialized_series();
            assert_eq!(got.dtype(), want.dtype(), "{cells:?}");
            assert_eq!(got.len(), want.len(), "{cells:?}");
            for i in 0..got.len() {
                let (g, w) = (got.get(i).unwrap(), want.get(i).unwrap());
                match (g.extract::<f64>(), w.extract::<f64>()) {
                    (Some(g), Some(w)) => assert_eq!(g.to_bits(), w.to_bits(), "{cells:?}"),
                    (g, w) => assert_eq!(g.is_some(), w.is_some(), "{cells:?}"),
                }
            }
        }
        assert!(
            built[0] > 200 && built[1] > 1000,
            "columns built: {built:?}"
        );
    }

    /// Debian's release list (distro-info-data): versions stay as written,
    /// with the reason noted; the cleaning does not offer to make them
    /// numbers again.
    #[test]
    fn versions_and_codes_stay_text() {
        let csv = "version,codename,area_code,units\n1.1,Buzz,212,3\n2.0,Hamm,044,4\n\
                   1.10,X,415,5\n10,Buster,030,6\n11,Bullseye,617,7\n12,Bookworm,1,8\n";
        let ds = read_bytes("debian.csv", csv.as_bytes()).unwrap();
        assert_eq!(ds.types[0], ColumnType::String);
        assert_eq!(ds.types[2], ColumnType::String);
        assert_eq!(ds.types[3], ColumnType::Integer);
        let version = crate::core::table::rows(&ds, None, 0, 6);
        let cells: Vec<String> = version.iter().map(|r| r[0].clone()).collect();
        assert_eq!(cells, ["1.1", "2.0", "1.10", "10", "11", "12"]);
        let notes: Vec<&Note> = ds
            .notes
            .iter()
            .filter(|n| n.kind == "kept-as-text")
            .collect();
        assert_eq!(notes.len(), 1, "{:?}", ds.notes);
        assert_eq!(notes[0].column.as_deref(), Some("version"));
        assert!(
            notes[0].message.contains("versions"),
            "{}",
            notes[0].message
        );
        use crate::core::clean::auto::{propose, Mode};
        let proposals = propose(&ds, Mode::Thorough);
        // Nothing turns them into numbers or fills them with a statistic.
        assert!(
            !proposals.iter().any(|p| p.evidence.starts_with("version")
                && !matches!(p.step, crate::core::clean::Step::OneHot { .. })),
            "{proposals:?}"
        );
    }

    #[test]
    fn formats_from_names() {
        assert_eq!(declared_format("a.CSV").ok(), Some(Declared::Csv));
        assert_eq!(declared_format("dir.v2/data").ok(), Some(Declared::Unknown));
        assert_eq!(declared_format(".hidden").ok(), Some(Declared::Unknown));
        assert_eq!(
            declared_format("Book.XLSX").ok(),
            Some(Declared::Workbook(Format::Xlsx))
        );
        assert_eq!(
            declared_format("sheet.ods").ok(),
            Some(Declared::Workbook(Format::Ods))
        );
        assert_eq!(
            declared_format("data.parquet").ok(),
            Some(Declared::Columnar(Format::Parquet))
        );
        assert_eq!(
            declared_format("data.feather").ok(),
            Some(Declared::Columnar(Format::Arrow))
        );
        assert!(matches!(
            declared_format("data.avro"),
            Err(IngestError::UnsupportedFormat { .. })
        ));
    }

    #[test]
    fn too_large_before_reading() {
        assert!(matches!(
            Ingester::new("big.csv", MAX_FILE_BYTES + 1),
            Err(IngestError::TooLarge { .. })
        ));
    }

    #[test]
    fn header_detection() {
        let ds = read_bytes("a.csv", b"1,2.5,x\n3,4.5,y\n").unwrap();
        assert!(!ds.facts.has_header);
        assert_eq!(ds.height(), 2);
        assert_eq!(ds.names(), vec!["column_1", "column_2", "column_3"]);
        let ds = read_bytes("a.csv", b"id,v,v\n3,4.5,y\n").unwrap();
        assert!(ds.facts.has_header);
        assert_eq!(ds.names(), vec!["id", "v", "v.1"]);
        assert_eq!(
            ds.types,
            vec![ColumnType::Integer, ColumnType::Float, ColumnType::String]
        );
        let ds = read_bytes("a.csv", b"name,city\nann,paris\n").unwrap();
        assert!(ds.facts.has_header);
    }

    /// A second byte-order mark at the start is skipped, as csv-core did.
    #[test]
    fn second_bom_skipped() {
        let ds = read_bytes("a.csv", b"\xef\xbb\xbf\xef\xbb\xbfid,x\n1,2\n").unwrap();
        assert_eq!(ds.names(), vec!["id", "x"]);
        let ds = read_bytes("a.csv", b"\xef\xbb\xbfid,x\n1,2\n").unwrap();
        assert_eq!(ds.names(), vec!["id", "x"]);
    }

    #[test]
    fn windows_1252_late_in_file() {
        let mut text = b"name,n\n".to_vec();
        for i in 0..5000 {
            text.extend_from_slice(format!("abc,{i}\n").as_bytes());
        }
        text.extend_from_slice(b"caf\xe9,1\n");
        let ds = read_bytes("a.csv", &text).unwrap();
        assert_eq!(ds.facts.encoding, "Windows-1252");
        let col = ds.frame.columns()[0].str().unwrap();
        assert_eq!(col.get(5000), Some("café"));
    }
}
