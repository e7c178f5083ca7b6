//! Typed errors of the engine. They carry positions (line, byte, column);
//! `crate::messages` turns them into sentences for people.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum IngestError {
    /// The file is larger than the engine accepts (checked before reading).
    TooLarge { size: u64, limit: u64 },
    /// The file has no bytes, or only whitespace / a BOM.
    Empty,
    /// A header row but no data rows.
    HeaderOnly { columns: usize },
    /// A data row with a different number of fields than the header.
    /// `line` is 1-based and counts physical lines of the file
    /// (a quoted field with newlines spans several).
    Ragged {
        line: u64,
        byte: u64,
        expected: usize,
        found: usize,
    },
    /// The bytes are not text (NUL bytes or other control bytes) at `offset`.
    Binary { offset: u64 },
    /// A quoted field opened at `line` never closed.
    UnclosedQuote { line: u64 },
    /// JSON that does not parse; 1-based line and column.
    JsonSyntax {
        line: u64,
        column: u64,
        message: String,
    },
    /// JSON that parses but is not an array of objects / one object per line.
    JsonShape { line: u64, found: String },
    /// A file extension / content we do not read (e.g. "pdf").
    UnsupportedFormat { extension: String },
    /// More columns or rows than the engine can hold.
    TooManyColumns { found: usize, limit: usize },
    /// The table would hold more than `limit` cells (rows × columns,
    /// padded short rows and keys missing from records included): checked
    /// before the cells of data row `row` (1-based, the header not
    /// counted) are built. `line`: the file's line there, when known
    /// (CSV, NDJSON); `columns`: the table's width at that point.
    TooManyCells {
        row: u64,
        line: Option<u64>,
        columns: usize,
        limit: u64,
    },
    /// A table with more than [`crate::core::ingest::MAX_ROWS`] rows,
    /// refused before data row `row` (at the file's `line`, when known).
    TooManyRows {
        row: u64,
        line: Option<u64>,
        limit: u64,
    },
    /// A delimited text whose table would take more memory than
    /// [`crate::core::ingest::MAX_TABLE_BYTES`] allows: `bytes` for the
    /// `row` records before `line`, of `columns` columns.
    TooMuchMemory {
        row: u64,
        line: u64,
        columns: usize,
        bytes: u64,
        limit: u64,
    },
    /// A workbook encrypted with a password (we cannot decrypt it).
    WorkbookPassword,
    /// A spreadsheet file its format's reader cannot read; `detail` is the
    /// reader's own words.
    WorkbookDamaged { detail: String },
    /// A Parquet or Arrow file its reader cannot read; `detail` says why.
    ColumnarDamaged {
        format: crate::core::model::Format,
        detail: String,
    },
    /// A valid Parquet or Arrow file of a kind the reader does not take
    /// (Feather version 1, big-endian Arrow); `detail` says why and what
    /// to do.
    ColumnarUnsupported {
        format: crate::core::model::Format,
        detail: String,
    },
    /// A Parquet file whose pages, decompressed, would take more than
    /// `limit` bytes (in one column when `column` is named, else in all):
    /// known from its footer before any page is read.
    TooLargeDecoded {
        column: Option<String>,
        bytes: u64,
        limit: u64,
    },
    /// Every filled cell of the sheet holds a spreadsheet error (#DIV/0!…);
    /// `first` names one ("A1 (#DIV/0!)").
    OnlyErrorCells { cells: usize, first: String },
    /// The sheet asked for is not in the workbook (which has `sheets`).
    SheetNotFound { sheet: String, sheets: Vec<String> },
    /// Anything else from the data frame library, kept as text.
    Internal { message: String },
}

impl std::fmt::Display for IngestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Terse, for logs and tests; `crate::messages::ingest_error` says
        // it for people.
        match self {
            IngestError::TooLarge { size, limit } => {
                write!(f, "file of {size} bytes exceeds {limit}")
            }
            IngestError::TooLargeDecoded {
                column,
                bytes,
                limit,
            } => write!(
                f,
                "{bytes} bytes decompressed ({}) exceed {limit}",
                column.as_deref().unwrap_or("all columns")
            ),
            IngestError::Empty => write!(f, "empty file"),
            IngestError::HeaderOnly { columns } => {
                write!(f, "header of {columns} columns, no rows")
            }
            IngestError::Ragged {
                line,
                byte,
                expected,
                found,
            } => write!(
                f,
                "line {line} (byte {byte}): {found} fields, header has {expected}"
            ),
            IngestError::Binary { offset } => write!(f, "binary data at byte {offset}"),
            IngestError::UnclosedQuote { line } => write!(f, "unclosed quote from line {line}"),
            IngestError::JsonSyntax {
                line,
                column,
                message,
            } => write!(f, "JSON syntax at {line}:{column}: {message}"),
            IngestError::JsonShape { line, found } => {
                write!(f, "line {line}: expected records, found {found}")
            }
            IngestError::UnsupportedFormat { extension } => {
                write!(f, "unsupported format .{extension}")
            }
            IngestError::TooManyColumns { found, limit } => {
                write!(f, "{found} columns exceed {limit}")
            }
            IngestError::TooManyCells {
                row,
                columns,
                limit,
                ..
            } => write!(f, "row {row} x {columns} columns exceeds {limit} cells"),
            IngestError::TooManyRows { row, limit, .. } => {
                write!(f, "row {row} exceeds {limit} rows")
            }
            IngestError::TooMuchMemory {
                row,
                columns,
                bytes,
                limit,
                ..
            } => write!(
                f,
                "row {row} x {columns} columns takes {bytes} bytes, over {limit}"
            ),
            IngestError::WorkbookPassword => write!(f, "workbook is password-protected"),
            IngestError::WorkbookDamaged { detail } => write!(f, "unreadable workbook: {detail}"),
            IngestError::ColumnarDamaged { format, detail } => {
                write!(f, "unreadable {} file: {detail}", format.label())
            }
            IngestError::ColumnarUnsupported { format, detail } => {
                write!(f, "unsupported {} file: {detail}", format.label())
            }
            IngestError::SheetNotFound { sheet, .. } => write!(f, "no sheet named {sheet:?}"),
            IngestError::OnlyErrorCells { cells, first } => {
                write!(f, "{cells} error cells and no data (first {first})")
            }
            IngestError::Internal { message } => write!(f, "internal: {message}"),
        }
    }
}

impl std::error::Error for IngestError {}
