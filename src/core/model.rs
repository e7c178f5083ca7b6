//! Plain data the engine hands to its callers (CLI, worker, UI, storage).
//! Everything here is serde-serialisable so it can cross the worker boundary
//! and be stored in IndexedDB as JSON.

use serde::{Deserialize, Serialize};

/// How the bytes of a file were laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Tsv,
    Json,
    Ndjson,
    Xlsx,
    Xlsm,
    Xlsb,
    Xls,
    Ods,
    Parquet,
    /// Arrow IPC: a file (Feather v2) or a stream.
    Arrow,
}

impl Format {
    /// The contract's name ("csv", "xlsx").
    pub fn key(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Ndjson => "ndjson",
            Format::Xlsx => "xlsx",
            Format::Xlsm => "xlsm",
            Format::Xlsb => "xlsb",
            Format::Xls => "xls",
            Format::Ods => "ods",
            Format::Parquet => "parquet",
            Format::Arrow => "arrow",
        }
    }

    /// The name people know ("CSV", "Excel workbook (.xlsx)").
    pub fn label(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Tsv => "TSV",
            Format::Json => "JSON",
            Format::Ndjson => "NDJSON",
            Format::Xlsx => "Excel workbook (.xlsx)",
            Format::Xlsm => "Excel workbook with macros (.xlsm)",
            Format::Xlsb => "Excel binary workbook (.xlsb)",
            Format::Xls => "Excel 97–2003 workbook (.xls)",
            Format::Ods => "OpenDocument spreadsheet (.ods)",
            Format::Parquet => "Parquet",
            Format::Arrow => "Arrow IPC / Feather",
        }
    }

    /// Text (CSV, TSV, JSON, NDJSON): it has an encoding, and CSV a
    /// delimiter and line endings; workbooks and columnar files do not.
    pub fn is_text(self) -> bool {
        matches!(
            self,
            Format::Csv | Format::Tsv | Format::Json | Format::Ndjson
        )
    }

    /// A workbook: cells, not text (no encoding, delimiter or line endings).
    pub fn is_spreadsheet(self) -> bool {
        matches!(
            self,
            Format::Xlsx | Format::Xlsm | Format::Xlsb | Format::Xls | Format::Ods
        )
    }
}

/// The inferred type of a column (the names of the UI contract).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Integer,
    Float,
    Boolean,
    Date,
    Datetime,
    String,
}

impl ColumnType {
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnType::Integer => "integer",
            ColumnType::Float => "float",
            ColumnType::Boolean => "boolean",
            ColumnType::Date => "date",
            ColumnType::Datetime => "datetime",
            ColumnType::String => "string",
        }
    }
    /// The type in a sentence: "Convert price to decimal numbers",
    /// "price holds text".
    pub fn words(self) -> &'static str {
        match self {
            ColumnType::Integer => "whole numbers",
            ColumnType::Float => "decimal numbers",
            ColumnType::Boolean => "yes/no values",
            ColumnType::Date => "dates",
            ColumnType::Datetime => "dates with times",
            ColumnType::String => "text",
        }
    }
    pub fn is_numeric(self) -> bool {
        matches!(self, ColumnType::Integer | ColumnType::Float)
    }
}

/// Facts about the file itself, as read.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileFacts {
    pub name: String,
    pub size_bytes: u64,
    pub format: Format,
    /// "UTF-8", "UTF-8 (BOM)", "UTF-16LE", "UTF-16BE", "Windows-1252".
    pub encoding: String,
    /// Field delimiter for CSV/TSV, None for JSON.
    pub delimiter: Option<char>,
    /// Whether the first row was taken as a header (always true for JSON).
    pub has_header: bool,
    /// "LF", "CRLF", "CR" or "mixed"/"none" ("" for a spreadsheet).
    pub line_ending: String,
    /// The sheet read, for a spreadsheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheet: Option<String>,
    /// For a dataset Plainsight saved whole as Parquet ("Download
    /// dataset"): the file it was first read from and its recipe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carried: Option<Box<Carried>>,
}

/// What a dataset saved whole carries besides its rows: the facts of the
/// file it was first read from, and the recipe applied to it then (recipe
/// JSON, "" for none; the page applies it again on opening).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Carried {
    pub source: FileFacts,
    pub recipe: String,
    /// How many steps the recipe has.
    pub steps: usize,
    /// When it was saved (ISO 8601, as the page gave it; "" unknown).
    #[serde(default)]
    pub saved: String,
}

/// Something the engine decided that the user should know about
/// (e.g. a date column whose day/month order stays ambiguous).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    /// Column it belongs to, if any.
    pub column: Option<String>,
    /// Machine kind, e.g. "ambiguous-date-order", "renamed-header", "no-header".
    pub kind: String,
    /// One plain sentence for the user.
    pub message: String,
}

/// Histogram of a numeric, date or datetime column:
/// `edges.len() == counts.len() + 1`. For date and datetime columns the edges
/// are days since 1970-01-01 (fractional for datetimes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

/// The profile of one column. Numbers follow pandas' definitions
/// (`describe`, `nunique`, `isna`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ColumnProfile {
    pub name: String,
    pub dtype: ColumnType,
    /// For date/datetime columns: the format that was recognised, e.g. "%d/%m/%Y".
    pub date_format: Option<String>,
    pub count: u64,
    pub missing: u64,
    pub distinct: u64,
    pub mean: Option<f64>,
    /// Sample standard deviation (n - 1).
    pub std: Option<f64>,
    /// Machine value as text per the UI contract: integers as plain digits,
    /// floats with Rust `{}` formatting, dates/datetimes ISO 8601.
    pub min: Option<String>,
    pub max: Option<String>,
    pub p25: Option<f64>,
    pub p50: Option<f64>,
    pub p75: Option<f64>,
    /// Most frequent values with their counts, most frequent first
    /// (at most 10; ties keep first-seen order). Empty for numeric columns
    /// with all-distinct values is allowed.
    pub top: Vec<(String, u64)>,
    pub histogram: Option<Histogram>,
    /// Number of zero values (numeric only).
    pub zeros: Option<u64>,
}

/// The profile of a whole dataset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetProfile {
    pub facts: FileFacts,
    pub rows: u64,
    pub columns: u64,
    /// Rows equal to an earlier row (pandas `duplicated().sum()`).
    pub duplicate_rows: u64,
    /// Estimated in-memory size of the parsed columns, in bytes.
    pub memory_bytes: u64,
    pub column_profiles: Vec<ColumnProfile>,
    pub notes: Vec<Note>,
}
