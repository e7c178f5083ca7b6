//! Columnar files: Parquet (`.parquet`, `.pq`) and Arrow IPC (`.arrow`,
//! `.feather` — Feather v2 is the IPC file format — and `.arrows`, the IPC
//! stream), read with their own types, column by column: a Parquet column
//! is decoded from the file (only its pages), converted to the engine's
//! storage and its Arrow arrays dropped before the next, so memory holds the
//! file, the built columns and one column's decoded arrays (an Arrow file: a
//! group of columns, so that a wide file is not read once per column; a
//! stream, which cannot be read twice, whole). The cleaned data is written
//! back as Parquet ([`write_parquet`]).
//!
//! Types: integers (signed and unsigned up to 2^63) are integers, floats
//! and decimals floats (decimals noted), booleans, dates (`Date32`,
//! `Date64`), timestamps of any unit as datetimes in microseconds (a
//! timestamp with a zone is an instant: kept in UTC, the zone noted),
//! strings, dictionaries (pandas' categoricals) by their values; NaN is
//! missing, as in a CSV. What the engine has no type for — times of day,
//! durations, intervals, binary, lists, structs, maps, unions — is kept as
//! text (noted), never dropped; a type not even text can show leaves its
//! column empty, with a note.

use std::io::Cursor;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types as at;
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, TimeUnit};
use bytes::Bytes;
use parquet::arrow::arrow_reader::{
    ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
};
use parquet::arrow::{ArrowWriter, ProjectionMask};
use parquet::basic::Compression;
use parquet::file::metadata::{KeyValue, ParquetMetaData};
use parquet::file::properties::WriterProperties;
use polars_core::prelude::*;

use crate::core::error::IngestError;
use crate::core::ingest::{Dataset, MAX_CELLS};
use crate::core::model::{Carried, ColumnType, DatasetProfile, FileFacts, Format, Note};
use crate::core::table::ColumnData;
use serde::{Deserialize, Serialize};

/// Rows decoded at a time.
const BATCH_ROWS: usize = 64 * 1024;

/// The columnar format an extension names.
pub fn format_of(extension: &str) -> Option<Format> {
    match extension {
        "parquet" | "pq" => Some(Format::Parquet),
        "arrow" | "feather" | "ipc" | "arrows" => Some(Format::Arrow),
        _ => None,
    }
}

/// Why a file was refused when its reader panicked.
pub const READER_STOPPED: &str =
    "the reader stopped on it: its contents are malformed, or need more memory than there is once decompressed";

/// Reads a whole Parquet or Arrow IPC file (a panic of the reader on
/// malformed contents is caught natively and refused as damaged; in the
/// browser it stops the worker, and the page says the same).
pub fn read(file_name: &str, format: Format, bytes: Vec<u8>) -> Result<Dataset, IngestError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_unguarded(file_name, format, bytes)
    }))
    .unwrap_or_else(|_| Err(damaged(format, READER_STOPPED)))
}

fn read_unguarded(file_name: &str, format: Format, bytes: Vec<u8>) -> Result<Dataset, IngestError> {
    let size = bytes.len() as u64;
    let facts = FileFacts {
        name: file_name.to_string(),
        size_bytes: size,
        format,
        encoding: String::new(),
        delimiter: None,
        has_header: true,
        line_ending: String::new(),
        sheet: None,
        carried: None,
    };
    let bytes = Bytes::from(bytes);
    let mut table = Table::default();
    let mut saved = None;
    match sniff(&bytes) {
        Some(Magic::Parquet) => saved = read_parquet(bytes, &mut table)?,
        Some(Magic::ArrowFile) => read_ipc(&bytes, true, &mut table)?,
        Some(Magic::ArrowStream) => {
            if stream_big_endian(&bytes) == Some(true) {
                return Err(unsupported(format, BIG_ENDIAN));
            }
            read_ipc(&bytes, false, &mut table)?
        }
        Some(Magic::FeatherV1) => {
            return Err(unsupported(
                format,
                "it is a Feather version 1 file, a format older programs wrote; save it again as Feather version 2 (pandas' to_feather and pyarrow write version 2 by default) or as Parquet",
            ))
        }
        None => {
            return Err(damaged(
                format,
                match format {
                    Format::Parquet => "it does not start and end with Parquet's mark, PAR1",
                    _ => "it does not start with Arrow's mark (ARROW1, or a stream's first message)",
                },
            ))
        }
    }
    let mut ds = table.finish(facts)?;
    if let Some(json) = saved {
        restore(&mut ds, &json);
    }
    Ok(ds)
}

fn unsupported(format: Format, detail: &str) -> IngestError {
    IngestError::ColumnarUnsupported {
        format,
        detail: detail.to_string(),
    }
}

fn damaged(format: Format, detail: &str) -> IngestError {
    IngestError::ColumnarDamaged {
        format,
        detail: detail.to_string(),
    }
}

enum Magic {
    Parquet,
    ArrowFile,
    ArrowStream,
    FeatherV1,
}

/// What the bytes are, by their marks (the extension may say otherwise:
/// a `.feather` file is an Arrow IPC file, an `.arrow` one may be a stream).
fn sniff(bytes: &[u8]) -> Option<Magic> {
    if bytes.len() >= 8 && bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1") {
        Some(Magic::Parquet)
    } else if bytes.starts_with(b"ARROW1") {
        Some(Magic::ArrowFile)
    } else if bytes.starts_with(b"FEA1") {
        Some(Magic::FeatherV1)
    } else if bytes.starts_with(&[0xff, 0xff, 0xff, 0xff]) || stream_big_endian(bytes).is_some() {
        // A stream, or one written before Arrow 0.15 (no 0xFFFFFFFF
        // before each message's length).
        Some(Magic::ArrowStream)
    } else {
        None
    }
}

const BIG_ENDIAN: &str = "it was written on a big-endian machine, and Plainsight reads Arrow data in little-endian order only; write it again with pyarrow or polars on a usual (x86 or ARM) computer";

/// Whether an IPC stream's first message, a schema, says big-endian; None
/// when the bytes do not start with a schema message.
fn stream_big_endian(bytes: &[u8]) -> Option<bool> {
    let at = if bytes.starts_with(&[0xff; 4]) { 4 } else { 0 };
    let len = i32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?);
    let len = usize::try_from(len).ok().filter(|&n| n > 0)?;
    let body = bytes.get(at + 4..(at + 4).checked_add(len)?)?;
    let message = arrow_ipc::root_as_message(body).ok()?;
    let schema = message.header_as_schema()?;
    Some(schema.endianness() == arrow_ipc::Endianness::Big)
}

/// The columns built so far.
#[derive(Default)]
struct Table {
    height: Option<usize>,
    columns: Vec<Column>,
    types: Vec<ColumnType>,
    notes: Vec<Note>,
}

impl Table {
    /// Checks the table's size before its columns are decoded.
    fn check_size(&self, rows: u64, width: usize) -> Result<(), IngestError> {
        if rows.saturating_mul(width as u64) > MAX_CELLS {
            return Err(IngestError::TooManyCells {
                row: MAX_CELLS / width.max(1) as u64 + 1,
                line: None,
                columns: width,
                limit: MAX_CELLS,
            });
        }
        Ok(())
    }

    fn push(&mut self, field: &Field, arrays: &[ArrayRef]) -> Result<(), IngestError> {
        let (column, kind, note) = convert(field, arrays);
        let height = *self.height.get_or_insert(column.len());
        if column.len() != height {
            return Err(IngestError::Internal {
                message: format!(
                    "column \"{}\" has {} rows where the first has {height}",
                    field.name(),
                    column.len()
                ),
            });
        }
        self.columns.push(column);
        self.types.push(kind);
        self.notes.extend(note);
        Ok(())
    }

    fn finish(self, facts: FileFacts) -> Result<Dataset, IngestError> {
        if self.columns.is_empty() {
            return Err(IngestError::Empty);
        }
        let height = self.height.unwrap_or(0);
        if height == 0 {
            return Err(IngestError::HeaderOnly {
                columns: self.columns.len(),
            });
        }
        let width = self.columns.len();
        let frame = DataFrame::new(height, self.columns).map_err(|e| IngestError::Internal {
            message: e.to_string(),
        })?;
        Ok(Dataset {
            facts,
            frame,
            types: self.types,
            date_formats: vec![None; width],
            notes: self.notes,
        })
    }
}

/// Column names made unique and non-empty (Arrow allows both), as the
/// text readers name theirs.
fn names_of(schema: &Schema, table: &mut Table) -> Vec<String> {
    let raw = schema.fields().iter().map(|f| f.name().clone()).collect();
    crate::core::ingest::unique_names(raw, &mut table.notes)
}

fn parquet_error(e: parquet::errors::ParquetError) -> IngestError {
    damaged(Format::Parquet, &e.to_string())
}

fn arrow_error(e: arrow_schema::ArrowError) -> IngestError {
    damaged(Format::Arrow, &e.to_string())
}

/// Parquet: the footer once, then each top-level column on its own pass
/// (a projection decodes only that column's pages). Returns what a dataset
/// saved whole keeps under [`DATASET_KEY`].
fn read_parquet(bytes: Bytes, table: &mut Table) -> Result<Option<String>, IngestError> {
    let mut meta =
        ArrowReaderMetadata::load(&bytes, ArrowReaderOptions::new()).map_err(parquet_error)?;
    if let Some(schema) = int96_as_micros(&meta) {
        let options = ArrowReaderOptions::new().with_schema(schema);
        meta = ArrowReaderMetadata::try_new(meta.metadata().clone(), options)
            .map_err(parquet_error)?;
    }
    let saved = meta
        .metadata()
        .file_metadata()
        .key_value_metadata()
        .and_then(|kv| kv.iter().find(|kv| kv.key == DATASET_KEY))
        .and_then(|kv| kv.value.clone());
    let schema = meta.schema().clone();
    let rows = meta.metadata().file_metadata().num_rows().max(0) as u64;
    table.check_size(rows, schema.fields().len())?;
    let names = names_of(&schema, table);
    check_decoded_size(meta.metadata(), &names)?;
    for (i, field) in schema.fields().iter().enumerate() {
        let builder =
            ParquetRecordBatchReaderBuilder::new_with_metadata(bytes.clone(), meta.clone());
        let mask = ProjectionMask::roots(builder.parquet_schema(), [i]);
        let reader = builder
            .with_projection(mask)
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(parquet_error)?;
        let mut arrays = Vec::new();
        for batch in reader {
            let batch = batch.map_err(|e| damaged(Format::Parquet, &e.to_string()))?;
            arrays.push(batch.column(0).clone());
        }
        table.push(&field.as_ref().clone().with_name(names[i].clone()), &arrays)?;
    }
    Ok(saved)
}

/// Most bytes one column's pages may take decompressed: its Arrow arrays
/// and its converted copy are held at once, beside the file, within
/// wasm32's 4 GiB.
pub const MAX_DECODED_COLUMN_BYTES: u64 = 1 << 30;

/// Most bytes a file's pages may take decompressed in all: the converted
/// table beside the file and one column being decoded.
pub const MAX_DECODED_BYTES: u64 = 2 << 30;

/// Refuses, from the footer alone, a Parquet file whose pages would take
/// more than the bounds above once decompressed (a 4 KB file of repeated
/// text can hold gigabytes: the reader would run out of memory).
fn check_decoded_size(meta: &ParquetMetaData, names: &[String]) -> Result<(), IngestError> {
    let descr = meta.file_metadata().schema_descr();
    let mut per_root = vec![0u64; names.len()];
    for group in meta.row_groups() {
        for (leaf, chunk) in group.columns().iter().enumerate() {
            let size = u64::try_from(chunk.uncompressed_size()).unwrap_or(u64::MAX);
            if let Some(total) = per_root.get_mut(descr.get_column_root_idx(leaf)) {
                *total = total.saturating_add(size);
            }
        }
    }
    if let Some((i, &bytes)) = per_root
        .iter()
        .enumerate()
        .max_by_key(|(_, b)| **b)
        .filter(|(_, b)| **b > MAX_DECODED_COLUMN_BYTES)
    {
        return Err(IngestError::TooLargeDecoded {
            column: names.get(i).cloned(),
            bytes,
            limit: MAX_DECODED_COLUMN_BYTES,
        });
    }
    let bytes = per_root.iter().fold(0u64, |a, b| a.saturating_add(*b));
    if bytes > MAX_DECODED_BYTES {
        return Err(IngestError::TooLargeDecoded {
            column: None,
            bytes,
            limit: MAX_DECODED_BYTES,
        });
    }
    Ok(())
}

/// The schema with Spark's INT96 timestamps read in microseconds (read as
/// nanoseconds they overflow past 2262, and Spark's 9999-12-31 is common);
/// None when the file has none.
fn int96_as_micros(meta: &ArrowReaderMetadata) -> Option<Arc<Schema>> {
    let descr = meta.metadata().file_metadata().schema_descr();
    let schema = meta.schema();
    let mut fields: Vec<Arc<Field>> = schema.fields().iter().cloned().collect();
    let mut changed = false;
    for leaf in 0..descr.num_columns() {
        if descr.column(leaf).physical_type() != parquet::basic::Type::INT96 {
            continue;
        }
        let root = descr.get_column_root_idx(leaf);
        let Some(field) = fields.get(root) else {
            continue;
        };
        if let DataType::Timestamp(TimeUnit::Nanosecond, zone) = field.data_type() {
            let micros = DataType::Timestamp(TimeUnit::Microsecond, zone.clone());
            fields[root] = Arc::new(field.as_ref().clone().with_data_type(micros));
            changed = true;
        }
    }
    changed.then(|| Arc::new(Schema::new_with_metadata(fields, schema.metadata().clone())))
}

/// Arrow IPC, file (random access: a group of columns per pass, at most
/// [`IPC_PASSES`] passes) or stream (read once, all columns).
fn read_ipc(bytes: &Bytes, file: bool, table: &mut Table) -> Result<(), IngestError> {
    if !file {
        check_stream_messages(bytes)?;
        let reader = arrow_ipc::reader::StreamReader::try_new(Cursor::new(bytes.as_ref()), None)
            .map_err(arrow_error)?;
        let schema = reader.schema();
        let names = names_of(&schema, table);
        let mut batches: Vec<RecordBatch> = Vec::new();
        let mut rows = 0u64;
        for batch in reader {
            let batch = batch.map_err(arrow_error)?;
            rows += batch.num_rows() as u64;
            table.check_size(rows, schema.fields().len())?;
            batches.push(batch);
        }
        for (i, field) in schema.fields().iter().enumerate() {
            let arrays: Vec<ArrayRef> = batches.iter().map(|b| b.column(i).clone()).collect();
            table.push(&field.as_ref().clone().with_name(names[i].clone()), &arrays)?;
        }
        return Ok(());
    }
    if !ipc_blocks_fit(bytes) {
        return Err(damaged(
            Format::Arrow,
            "its index points past the end of the file, as in a file cut short",
        ));
    }
    check_file_messages(bytes)?;
    let reader = arrow_ipc::reader::FileReader::try_new(Cursor::new(bytes.as_ref()), None)
        .map_err(|e| match e.to_string().contains("endianness") {
            true => unsupported(Format::Arrow, BIG_ENDIAN),
            false => arrow_error(e),
        })?;
    let schema = reader.schema();
    let names = names_of(&schema, table);
    drop(reader);
    let width = schema.fields().len();
    // Each pass reads every record batch's message: a group of columns per
    // pass keeps wide files from being read once per column.
    let group = width.div_ceil(IPC_PASSES).max(1);
    for first in (0..width).step_by(group) {
        let columns: Vec<usize> = (first..(first + group).min(width)).collect();
        let reader = arrow_ipc::reader::FileReader::try_new(
            Cursor::new(bytes.as_ref()),
            Some(columns.clone()),
        )
        .map_err(arrow_error)?;
        let mut arrays: Vec<Vec<ArrayRef>> = vec![Vec::new(); columns.len()];
        for batch in reader {
            let batch = batch.map_err(arrow_error)?;
            for (k, column) in arrays.iter_mut().enumerate() {
                column.push(batch.column(k).clone());
            }
        }
        if first == 0 {
            let rows: usize = arrays[0].iter().map(|a| a.len()).sum();
            table.check_size(rows as u64, width)?;
        }
        for (k, column) in arrays.into_iter().enumerate() {
            let i = columns[k];
            let field = schema.field(i).clone().with_name(names[i].clone());
            table.push(&field, &column)?;
        }
    }
    Ok(())
}

/// Whether every block an Arrow file's footer lists lies inside the file
/// (the reader allocates a block's claimed length before reading it: a
/// damaged 641-byte file asked for 8 GB).
fn ipc_blocks_fit(bytes: &[u8]) -> bool {
    let n = bytes.len();
    let Some(trailer) = n
        .checked_sub(10)
        .and_then(|at| <[u8; 10]>::try_from(&bytes[at..]).ok())
    else {
        return false;
    };
    let Ok(footer_len) = arrow_ipc::reader::read_footer_length(trailer) else {
        return false;
    };
    let Some(footer) = n
        .checked_sub(10 + footer_len)
        .and_then(|at| arrow_ipc::root_as_footer(&bytes[at..n - 10]).ok())
    else {
        return false;
    };
    let blocks = footer.recordBatches().into_iter().flatten();
    let dictionaries = footer.dictionaries().into_iter().flatten();
    blocks.chain(dictionaries).all(|b| {
        let end = b
            .offset()
            .checked_add(i64::from(b.metaDataLength()))
            .and_then(|e| e.checked_add(b.bodyLength()));
        b.offset() >= 0
            && b.bodyLength() >= 0
            && end.is_some_and(|e| u64::try_from(e).is_ok_and(|e| e <= n as u64))
    })
}

/// The message of an encapsulated Arrow IPC block (after its continuation
/// mark and length, or the length alone before Arrow 0.15).
fn block_message(meta: &[u8]) -> Option<arrow_ipc::Message<'_>> {
    let start = if meta.get(..4)? == [0xFF; 4] { 8 } else { 4 };
    arrow_ipc::root_as_message(meta.get(start..)?).ok()
}

/// What an Arrow IPC file's batches claim, checked before the reader
/// allocates it: their compressed buffers' decompressed sizes (a fuzzed
/// 4 KB file claimed 197 TB). `ipc_blocks_fit` has checked the blocks.
fn check_file_messages(bytes: &[u8]) -> Result<(), IngestError> {
    let n = bytes.len();
    let Some(footer) = n
        .checked_sub(10)
        .and_then(|at| <[u8; 10]>::try_from(&bytes[at..]).ok())
        .and_then(|t| arrow_ipc::reader::read_footer_length(t).ok())
        .and_then(|len| n.checked_sub(10 + len))
        .and_then(|at| arrow_ipc::root_as_footer(&bytes[at..n - 10]).ok())
    else {
        return Ok(());
    };
    let mut decoded = 0u64;
    let blocks = footer.recordBatches().into_iter().flatten();
    for b in blocks.chain(footer.dictionaries().into_iter().flatten()) {
        let (Ok(at), Ok(meta), Ok(body)) = (
            usize::try_from(b.offset()),
            usize::try_from(b.metaDataLength()),
            usize::try_from(b.bodyLength()),
        ) else {
            continue;
        };
        let meta_end = at.saturating_add(meta);
        let (Some(m), Some(body)) = (
            bytes.get(at..meta_end).and_then(block_message),
            bytes.get(meta_end..meta_end.saturating_add(body)),
        ) else {
            continue;
        };
        decoded = check_message(&m, body, decoded)?;
    }
    Ok(())
}

/// An Arrow IPC stream's messages walked before the reader reads them: a
/// message or its data running past the end is refused as cut short (the
/// reader would allocate what it claims), and compressed buffers are
/// checked as in a file.
fn check_stream_messages(bytes: &[u8]) -> Result<(), IngestError> {
    let cut = || {
        damaged(
            Format::Arrow,
            "a message runs past the end of the file, as in a file cut short",
        )
    };
    let word = |at: usize| {
        bytes
            .get(at..at + 4)
            .and_then(|w| <[u8; 4]>::try_from(w).ok())
    };
    let (mut at, mut decoded) = (0usize, 0u64);
    while let Some(mut w) = word(at) {
        at += 4;
        if w == [0xFF; 4] {
            let Some(len) = word(at) else { break };
            w = len;
            at += 4;
        }
        let len = i32::from_le_bytes(w);
        if len == 0 {
            break;
        }
        let end = usize::try_from(len).ok().map(|l| at.saturating_add(l));
        let Some(meta) = end.and_then(|e| bytes.get(at..e)) else {
            return Err(cut());
        };
        let Ok(m) = arrow_ipc::root_as_message(meta) else {
            // Not a message: the reader says what is wrong.
            return Ok(());
        };
        at += meta.len();
        let body_end = usize::try_from(m.bodyLength())
            .ok()
            .map(|l| at.saturating_add(l));
        let Some(body) = body_end.and_then(|e| bytes.get(at..e)) else {
            return Err(cut());
        };
        decoded = check_message(&m, body, decoded)?;
        at += body.len();
    }
    Ok(())
}

/// Adds what a batch message's compressed buffers will take decompressed
/// (their first 8 bytes say it; -1: stored as is) to `decoded`, refusing
/// past [`MAX_DECODED_BYTES`].
fn check_message(
    m: &arrow_ipc::Message<'_>,
    body: &[u8],
    mut decoded: u64,
) -> Result<u64, IngestError> {
    let batch = m
        .header_as_record_batch()
        .or_else(|| m.header_as_dictionary_batch().and_then(|d| d.data()));
    let Some(batch) = batch.filter(|b| b.compression().is_some()) else {
        return Ok(decoded);
    };
    for buffer in batch.buffers().into_iter().flatten() {
        let Some(prefix) = usize::try_from(buffer.offset())
            .ok()
            .filter(|_| buffer.length() >= 8)
            .and_then(|at| body.get(at..at.saturating_add(8)))
            .and_then(|p| <[u8; 8]>::try_from(p).ok())
        else {
            continue;
        };
        let size = i64::from_le_bytes(prefix);
        decoded = decoded.saturating_add(u64::try_from(size).unwrap_or(0));
        if decoded > MAX_DECODED_BYTES {
            return Err(IngestError::TooLargeDecoded {
                column: None,
                bytes: decoded,
                limit: MAX_DECODED_BYTES,
            });
        }
    }
    Ok(decoded)
}

/// Passes over an Arrow IPC file's batches (each reads a group of columns).
const IPC_PASSES: usize = 16;

// ------------------------------------------------------------ converting

fn note(name: &str, kind: &str, message: String) -> Option<Note> {
    Some(Note {
        column: Some(name.to_string()),
        kind: kind.to_string(),
        message,
    })
}

/// One column's arrays as the engine's column.
fn convert(field: &Field, arrays: &[ArrayRef]) -> (Column, ColumnType, Option<Note>) {
    let name = field.name().as_str();
    let pl = PlSmallStr::from(name);
    let ints = |f: &dyn Fn(&dyn Array, usize) -> i64| {
        Int64Chunked::from_iter_options(pl.clone(), each(arrays, f)).into_column()
    };
    // NaN is missing, as pandas counts it and as "NaN" in a CSV is read.
    let floats = |f: &dyn Fn(&dyn Array, usize) -> f64| {
        Float64Chunked::from_iter_options(
            pl.clone(),
            each(arrays, f).map(|v| v.filter(|x| !x.is_nan())),
        )
        .into_column()
    };
    match field.data_type() {
        DataType::Boolean => (
            BooleanChunked::from_iter_options(
                pl.clone(),
                each(arrays, &|a, i| a.as_boolean().value(i)),
            )
            .into_column(),
            ColumnType::Boolean,
            None,
        ),
        DataType::Int8 => (
            ints(&|a, i| a.as_primitive::<at::Int8Type>().value(i) as i64),
            ColumnType::Integer,
            None,
        ),
        DataType::Int16 => (
            ints(&|a, i| a.as_primitive::<at::Int16Type>().value(i) as i64),
            ColumnType::Integer,
            None,
        ),
        DataType::Int32 => (
            ints(&|a, i| a.as_primitive::<at::Int32Type>().value(i) as i64),
            ColumnType::Integer,
            None,
        ),
        DataType::Int64 => (
            ints(&|a, i| a.as_primitive::<at::Int64Type>().value(i)),
            ColumnType::Integer,
            None,
        ),
        DataType::UInt8 => (
            ints(&|a, i| a.as_primitive::<at::UInt8Type>().value(i) as i64),
            ColumnType::Integer,
            None,
        ),
        DataType::UInt16 => (
            ints(&|a, i| a.as_primitive::<at::UInt16Type>().value(i) as i64),
            ColumnType::Integer,
            None,
        ),
        DataType::UInt32 => (
            ints(&|a, i| a.as_primitive::<at::UInt32Type>().value(i) as i64),
            ColumnType::Integer,
            None,
        ),
        DataType::UInt64 => {
            let fits = arrays.iter().all(|a| {
                a.as_primitive::<at::UInt64Type>()
                    .iter()
                    .all(|v| v.is_none_or(|v| v <= i64::MAX as u64))
            });
            if fits {
                (
                    ints(&|a, i| a.as_primitive::<at::UInt64Type>().value(i) as i64),
                    ColumnType::Integer,
                    None,
                )
            } else {
                (
                    floats(&|a, i| a.as_primitive::<at::UInt64Type>().value(i) as f64),
                    ColumnType::Float,
                    note(name, "wide-integers", format!("\"{name}\" holds whole numbers above 9,223,372,036,854,775,807, more than the engine's integers hold; they were read as floating-point numbers (about 16 significant digits).")),
                )
            }
        }
        DataType::Float16 => (
            floats(&|a, i| f64::from(a.as_primitive::<at::Float16Type>().value(i))),
            ColumnType::Float,
            None,
        ),
        DataType::Float32 => (
            floats(&|a, i| a.as_primitive::<at::Float32Type>().value(i) as f64),
            ColumnType::Float,
            None,
        ),
        DataType::Float64 => (
            floats(&|a, i| a.as_primitive::<at::Float64Type>().value(i)),
            ColumnType::Float,
            None,
        ),
        DataType::Decimal32(_, s)
        | DataType::Decimal64(_, s)
        | DataType::Decimal128(_, s)
        | DataType::Decimal256(_, s) => {
            let scale = 10f64.powi(*s as i32);
            let column = floats(&|a, i| decimal_value(a, i) / scale);
            let (p, s) = match field.data_type() {
                DataType::Decimal32(p, s)
                | DataType::Decimal64(p, s)
                | DataType::Decimal128(p, s) => (*p, *s),
                DataType::Decimal256(p, s) => (*p, *s),
                _ => (0, 0),
            };
            (
                column,
                ColumnType::Float,
                note(name, "decimal", format!("\"{name}\" is stored as exact decimals ({p} digits, {s} after the point); it was read as floating-point numbers, exact to about 16 significant digits.")),
            )
        }
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _) => {
            // Days (dates) or microseconds (datetimes); values outside the
            // years 1–9999 (overflowed or garbage) are missing, noted.
            let outside = std::cell::Cell::new(0usize);
            let in_calendar = |days: i64| {
                let ok = (-719_162..=2_932_896).contains(&days);
                if !ok {
                    outside.set(outside.get() + 1);
                }
                ok
            };
            let (column, kind, zone_note) = match field.data_type() {
                DataType::Timestamp(unit, zone) => (
                    Int64Chunked::from_iter_options(
                        pl.clone(),
                        each(arrays, &|a, i| timestamp_micros(a, i, *unit))
                            .map(|v| v.filter(|&m| in_calendar(m.div_euclid(86_400_000_000)))),
                    )
                    .into_column(),
                    ColumnType::Datetime,
                    zone.as_ref().filter(|z| !is_utc(z)).and_then(|z| {
                        note(name, "time-zone", format!("\"{name}\" holds moments in time written for the zone {z}; they are shown in UTC (the same moments), as pandas and DuckDB read them."))
                    }),
                ),
                _ => (
                    Int32Chunked::from_iter_options(
                        pl.clone(),
                        each(arrays, &|a, i| match a.data_type() {
                            DataType::Date32 => a.as_primitive::<at::Date32Type>().value(i) as i64,
                            _ => a.as_primitive::<at::Date64Type>().value(i).div_euclid(86_400_000),
                        })
                        .map(|v| v.filter(|&d| in_calendar(d)).map(|d| d as i32)),
                    )
                    .into_column(),
                    ColumnType::Date,
                    None,
                ),
            };
            let n = outside.get();
            let note = match (n, zone_note) {
                (0, z) => z,
                (n, _) => note(name, "out-of-range-dates", format!("\"{name}\" has {n} value{} outside the years 1–9999 (overflowed or damaged where the file was written); {} missing here.", if n == 1 { "" } else { "s" }, if n == 1 { "it is" } else { "they are" })),
            };
            (column, kind, note)
        }
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => {
            (strings(&pl, arrays), ColumnType::String, None)
        }
        DataType::Dictionary(_, _) => {
            // pandas' categoricals: the values, one per row.
            let plain: Vec<ArrayRef> = arrays
                .iter()
                .map(|a| {
                    let d = a.as_any_dictionary();
                    arrow_select::take::take(d.values().as_ref(), d.keys(), None).unwrap_or_else(
                        |_| arrow_array::new_null_array(d.values().data_type(), a.len()),
                    )
                })
                .collect();
            let value_type = plain
                .first()
                .map(|a| a.data_type().clone())
                .unwrap_or(DataType::Utf8);
            convert(&Field::new(name, value_type, true), &plain)
        }
        DataType::Null => (
            StringChunked::full_null(pl.clone(), arrays.iter().map(|a| a.len()).sum())
                .into_column(),
            ColumnType::String,
            None,
        ),
        other => {
            let what = match other {
                DataType::Time32(_) | DataType::Time64(_) => "times of day",
                DataType::Duration(_) => "durations",
                DataType::Interval(_) => "intervals",
                DataType::Binary
                | DataType::LargeBinary
                | DataType::BinaryView
                | DataType::FixedSizeBinary(_) => "binary values",
                DataType::List(_)
                | DataType::LargeList(_)
                | DataType::ListView(_)
                | DataType::LargeListView(_)
                | DataType::FixedSizeList(_, _) => "lists",
                DataType::Struct(_) => "records (structs)",
                DataType::Map(_, _) => "maps",
                DataType::Union(_, _) => "values of several types (a union)",
                DataType::RunEndEncoded(_, _) => "run-length encoded values",
                _ => "values",
            };
            let readable = arrays
                .iter()
                .find(|a| a.len() > a.null_count())
                .and_then(|a| {
                    let i = (0..a.len()).find(|&i| !a.is_null(i))?;
                    let mut out = String::new();
                    json_text(a.as_ref(), i, &mut out)
                })
                .is_some()
                || arrays.iter().all(|a| a.len() == a.null_count());
            if !readable {
                let rows = arrays.iter().map(|a| a.len()).sum();
                return (
                    StringChunked::full_null(pl.clone(), rows).into_column(),
                    ColumnType::String,
                    note(name, "unreadable-column", format!("\"{name}\" holds {what} stored as {other}, which Plainsight cannot read yet; the column is kept, empty, so the other columns line up. Convert it to text or numbers where the file is made to see its values.")),
                );
            }
            let column = StringChunked::from_iter_options(
                pl.clone(),
                arrays
                    .iter()
                    .flat_map(|a| (0..a.len()).map(move |i| text_of(a.as_ref(), i))),
            )
            .into_column();
            (
                column,
                ColumnType::String,
                note(name, "kept-as-text", format!("\"{name}\" holds {what}; the engine has no such type, so they were kept as text{}.", match other {
                    DataType::List(_) | DataType::LargeList(_) | DataType::ListView(_) | DataType::LargeListView(_) | DataType::FixedSizeList(_, _) | DataType::Struct(_) | DataType::Map(_, _) => " (written as JSON)",
                    _ => "",
                })),
            )
        }
    }
}

/// Each row's value (None where null) over a column's arrays.
fn each<'a, T: 'a>(
    arrays: &'a [ArrayRef],
    f: &'a dyn Fn(&dyn Array, usize) -> T,
) -> impl Iterator<Item = Option<T>> + 'a {
    arrays
        .iter()
        .flat_map(move |a| (0..a.len()).map(move |i| (!a.is_null(i)).then(|| f(a.as_ref(), i))))
}

fn strings(name: &PlSmallStr, arrays: &[ArrayRef]) -> Column {
    StringChunked::from_iter_options(
        name.clone(),
        arrays.iter().flat_map(|a| {
            (0..a.len()).map(move |i| {
                if a.is_null(i) {
                    return None;
                }
                Some(match a.data_type() {
                    DataType::Utf8 => a.as_string::<i32>().value(i),
                    DataType::LargeUtf8 => a.as_string::<i64>().value(i),
                    _ => a.as_string_view().value(i),
                })
            })
        }),
    )
    .into_column()
}

fn is_utc(zone: &str) -> bool {
    matches!(
        zone,
        "UTC" | "utc" | "Etc/UTC" | "Z" | "+00:00" | "GMT" | "Etc/GMT"
    )
}

fn timestamp_micros(a: &dyn Array, i: usize, unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => a
            .as_primitive::<at::TimestampSecondType>()
            .value(i)
            .saturating_mul(1_000_000),
        TimeUnit::Millisecond => a
            .as_primitive::<at::TimestampMillisecondType>()
            .value(i)
            .saturating_mul(1_000),
        TimeUnit::Microsecond => a.as_primitive::<at::TimestampMicrosecondType>().value(i),
        TimeUnit::Nanosecond => a
            .as_primitive::<at::TimestampNanosecondType>()
            .value(i)
            .div_euclid(1_000),
    }
}

fn decimal_value(a: &dyn Array, i: usize) -> f64 {
    match a.data_type() {
        DataType::Decimal32(_, _) => a.as_primitive::<at::Decimal32Type>().value(i) as f64,
        DataType::Decimal64(_, _) => a.as_primitive::<at::Decimal64Type>().value(i) as f64,
        DataType::Decimal128(_, _) => a.as_primitive::<at::Decimal128Type>().value(i) as f64,
        _ => a
            .as_primitive::<at::Decimal256Type>()
            .value(i)
            .to_string()
            .parse()
            .unwrap_or(f64::NAN),
    }
}

/// A cell of a type the engine has none for, as text: times of day as
/// `HH:MM:SS`, durations in seconds, binary as UTF-8 when it is, else hex,
/// intervals in words, lists and records as JSON (fields in the schema's
/// order); None where null, or of a type not even text can show.
fn text_of(a: &dyn Array, i: usize) -> Option<String> {
    if a.is_null(i) {
        return None;
    }
    let mut out = String::new();
    json_text(a, i, &mut out)?;
    // A top-level text value is itself, not a JSON string; a null inside
    // (a run-end encoded value) is missing.
    if out.starts_with('"') {
        serde_json::from_str::<String>(&out).ok()
    } else {
        (out != "null").then_some(out)
    }
}

fn push_json_str(out: &mut String, s: &str) {
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

fn push_num(out: &mut String, v: f64) {
    match serde_json::Number::from_f64(v) {
        Some(n) => out.push_str(&n.to_string()),
        None => out.push_str("null"),
    }
}

fn time_text(nanos: i64) -> String {
    let secs = nanos.div_euclid(1_000_000_000);
    let frac = nanos.rem_euclid(1_000_000_000);
    let hms = format!("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if frac == 0 {
        hms
    } else {
        format!("{hms}.{}", format!("{frac:09}").trim_end_matches('0'))
    }
}

fn bytes_text(b: &[u8]) -> String {
    match std::str::from_utf8(b) {
        Ok(s) if !s.chars().any(|c| c.is_control()) => s.to_string(),
        _ => format!(
            "0x{}",
            b.iter().map(|x| format!("{x:02x}")).collect::<String>()
        ),
    }
}

fn interval_text(months: i32, days: i32, nanos: i64) -> String {
    let mut parts = Vec::new();
    let mut part = |n: i64, one: &str| {
        if n != 0 {
            parts.push(format!("{n} {one}{}", if n.abs() == 1 { "" } else { "s" }));
        }
    };
    part(months as i64, "month");
    part(days as i64, "day");
    if nanos != 0 {
        parts.push(format!("{} s", nanos as f64 / 1e9));
    }
    if parts.is_empty() {
        "0 days".to_string()
    } else {
        parts.join(" ")
    }
}

/// Appends cell `i` of `a` as JSON; None when a nested value cannot be
/// reached (an array not of the type its data type says).
fn json_text(a: &dyn Array, i: usize, out: &mut String) -> Option<()> {
    if a.is_null(i) {
        out.push_str("null");
        return Some(());
    }
    let text = |out: &mut String, s: &str| push_json_str(out, s);
    match a.data_type() {
        DataType::Null => out.push_str("null"),
        DataType::Boolean => out.push_str(if a.as_boolean().value(i) {
            "true"
        } else {
            "false"
        }),
        DataType::Int8 => out.push_str(&a.as_primitive::<at::Int8Type>().value(i).to_string()),
        DataType::Int16 => out.push_str(&a.as_primitive::<at::Int16Type>().value(i).to_string()),
        DataType::Int32 => out.push_str(&a.as_primitive::<at::Int32Type>().value(i).to_string()),
        DataType::Int64 => out.push_str(&a.as_primitive::<at::Int64Type>().value(i).to_string()),
        DataType::UInt8 => out.push_str(&a.as_primitive::<at::UInt8Type>().value(i).to_string()),
        DataType::UInt16 => out.push_str(&a.as_primitive::<at::UInt16Type>().value(i).to_string()),
        DataType::UInt32 => out.push_str(&a.as_primitive::<at::UInt32Type>().value(i).to_string()),
        DataType::UInt64 => out.push_str(&a.as_primitive::<at::UInt64Type>().value(i).to_string()),
        DataType::Float16 => push_num(out, f64::from(a.as_primitive::<at::Float16Type>().value(i))),
        DataType::Float32 => push_num(out, a.as_primitive::<at::Float32Type>().value(i) as f64),
        DataType::Float64 => push_num(out, a.as_primitive::<at::Float64Type>().value(i)),
        DataType::Decimal32(_, s)
        | DataType::Decimal64(_, s)
        | DataType::Decimal128(_, s)
        | DataType::Decimal256(_, s) => push_num(out, decimal_value(a, i) / 10f64.powi(*s as i32)),
        DataType::Utf8 => text(out, a.as_string::<i32>().value(i)),
        DataType::LargeUtf8 => text(out, a.as_string::<i64>().value(i)),
        DataType::Utf8View => text(out, a.as_string_view().value(i)),
        DataType::Binary => text(out, &bytes_text(a.as_binary::<i32>().value(i))),
        DataType::LargeBinary => text(out, &bytes_text(a.as_binary::<i64>().value(i))),
        DataType::BinaryView => text(out, &bytes_text(a.as_binary_view().value(i))),
        DataType::FixedSizeBinary(_) => text(out, &bytes_text(a.as_fixed_size_binary().value(i))),
        DataType::Date32 => text(
            out,
            &crate::core::infer::format_date(a.as_primitive::<at::Date32Type>().value(i)),
        ),
        DataType::Date64 => text(
            out,
            &crate::core::infer::format_date(
                a.as_primitive::<at::Date64Type>()
                    .value(i)
                    .div_euclid(86_400_000) as i32,
            ),
        ),
        DataType::Timestamp(unit, _) => text(
            out,
            &crate::core::infer::format_datetime(timestamp_micros(a, i, *unit)),
        ),
        DataType::Time32(TimeUnit::Second) => text(
            out,
            &time_text(a.as_primitive::<at::Time32SecondType>().value(i) as i64 * 1_000_000_000),
        ),
        DataType::Time32(_) => text(
            out,
            &time_text(a.as_primitive::<at::Time32MillisecondType>().value(i) as i64 * 1_000_000),
        ),
        DataType::Time64(TimeUnit::Microsecond) => text(
            out,
            &time_text(
                a.as_primitive::<at::Time64MicrosecondType>()
                    .value(i)
                    .saturating_mul(1_000),
            ),
        ),
        DataType::Time64(_) => text(
            out,
            &time_text(a.as_primitive::<at::Time64NanosecondType>().value(i)),
        ),
        DataType::Duration(unit) => {
            let (v, per_second) = match unit {
                TimeUnit::Second => (a.as_primitive::<at::DurationSecondType>().value(i), 1.0),
                TimeUnit::Millisecond => (
                    a.as_primitive::<at::DurationMillisecondType>().value(i),
                    1e3,
                ),
                TimeUnit::Microsecond => (
                    a.as_primitive::<at::DurationMicrosecondType>().value(i),
                    1e6,
                ),
                TimeUnit::Nanosecond => {
                    (a.as_primitive::<at::DurationNanosecondType>().value(i), 1e9)
                }
            };
            text(out, &format!("{} s", v as f64 / per_second))
        }
        DataType::Interval(unit) => {
            use arrow_schema::IntervalUnit;
            let words = match unit {
                IntervalUnit::YearMonth => {
                    interval_text(a.as_primitive::<at::IntervalYearMonthType>().value(i), 0, 0)
                }
                IntervalUnit::DayTime => {
                    let v = a.as_primitive::<at::IntervalDayTimeType>().value(i);
                    interval_text(0, v.days, v.milliseconds as i64 * 1_000_000)
                }
                IntervalUnit::MonthDayNano => {
                    let v = a.as_primitive::<at::IntervalMonthDayNanoType>().value(i);
                    interval_text(v.months, v.days, v.nanoseconds)
                }
            };
            text(out, &words)
        }
        DataType::List(_) => list_text(a.as_list::<i32>().value(i).as_ref(), out)?,
        DataType::LargeList(_) => list_text(a.as_list::<i64>().value(i).as_ref(), out)?,
        DataType::ListView(_) => list_text(a.as_list_view::<i32>().value(i).as_ref(), out)?,
        DataType::LargeListView(_) => list_text(a.as_list_view::<i64>().value(i).as_ref(), out)?,
        DataType::FixedSizeList(_, _) => list_text(a.as_fixed_size_list().value(i).as_ref(), out)?,
        DataType::Struct(fields) => {
            let s = a.as_struct();
            out.push('{');
            for (k, (f, c)) in fields.iter().zip(s.columns()).enumerate() {
                if k > 0 {
                    out.push(',');
                }
                push_json_str(out, f.name());
                out.push(':');
                json_text(c.as_ref(), i, out)?;
            }
            out.push('}');
        }
        DataType::Map(_, _) => {
            // As a list of [key, value] pairs: keys may repeat or not be text.
            let entries = a.as_map().value(i);
            let (keys, values) = (entries.column(0), entries.column(1));
            out.push('{');
            for j in 0..entries.len() {
                if j > 0 {
                    out.push(',');
                }
                let mut key = String::new();
                json_text(keys.as_ref(), j, &mut key)?;
                if key.starts_with('"') {
                    out.push_str(&key);
                } else {
                    push_json_str(out, &key);
                }
                out.push(':');
                json_text(values.as_ref(), j, out)?;
            }
            out.push('}');
        }
        DataType::Dictionary(_, _) => {
            let d = a.as_any_dictionary();
            let keys = d.normalized_keys();
            json_text(d.values().as_ref(), *keys.get(i)?, out)?;
        }
        DataType::Union(_, _) => {
            let u = a.as_any().downcast_ref::<arrow_array::UnionArray>()?;
            json_text(u.value(i).as_ref(), 0, out)?;
        }
        DataType::RunEndEncoded(ends, _) => {
            let physical = match ends.data_type() {
                DataType::Int16 => run_physical::<at::Int16Type>(a, i),
                DataType::Int32 => run_physical::<at::Int32Type>(a, i),
                _ => run_physical::<at::Int64Type>(a, i),
            }?;
            json_text(physical.0.as_ref(), physical.1, out)?;
        }
    }
    Some(())
}

/// The values array of a run-end encoded array and the index of row `i`
/// in it.
fn run_physical<R: arrow_array::types::RunEndIndexType>(
    a: &dyn Array,
    i: usize,
) -> Option<(ArrayRef, usize)> {
    let run = a.as_any().downcast_ref::<arrow_array::RunArray<R>>()?;
    Some((run.values().clone(), run.get_physical_index(i)))
}

fn list_text(items: &dyn Array, out: &mut String) -> Option<()> {
    out.push('[');
    for j in 0..items.len() {
        if j > 0 {
            out.push(',');
        }
        json_text(items, j, out)?;
    }
    out.push(']');
    Some(())
}

// ------------------------------------------------------------ datasets saved whole

/// Where a dataset saved whole keeps what it had ([`SavedDataset`], JSON).
pub const DATASET_KEY: &str = "plainsight.dataset";

/// What a dataset saved whole ("Download dataset") keeps in its footer
/// beside its rows (the raw data as loaded, with the engine's types).
#[derive(Serialize, Deserialize)]
struct SavedDataset {
    /// 1.
    version: u32,
    /// The file the rows were first read from.
    source: FileFacts,
    /// The applied recipe (recipe JSON; "" for none) and its step count.
    recipe: String,
    steps: usize,
    /// When it was saved (ISO 8601).
    saved: String,
    /// What the engine said when it first read the file.
    notes: Vec<Note>,
    date_formats: Vec<Option<String>>,
    /// The columns as saved, checked when read back.
    names: Vec<String>,
    types: Vec<ColumnType>,
    /// The profile of the rows, for readers of the file other than the app.
    profile: DatasetProfile,
}

const SAVED_VERSION: u32 = 1;

/// Writes `raw` (the rows as loaded) as Parquet with what it had: the
/// file it was first read from, its notes, its profile and its recipe.
pub fn write_dataset(
    raw: &Dataset,
    profile: &DatasetProfile,
    recipe: String,
    steps: usize,
    saved: String,
) -> Result<Vec<u8>, String> {
    // A dataset opened from such a file keeps naming the first file.
    let source = match &raw.facts.carried {
        Some(c) => c.source.clone(),
        None => raw.facts.clone(),
    };
    let kept = SavedDataset {
        version: SAVED_VERSION,
        source,
        recipe,
        steps,
        saved,
        notes: raw
            .notes
            .iter()
            .filter(|n| n.kind != "saved-dataset")
            .cloned()
            .collect(),
        date_formats: raw.date_formats.clone(),
        names: raw.names(),
        types: raw.types.clone(),
        profile: profile.clone(),
    };
    let json = serde_json::to_string(&kept).map_err(|e| e.to_string())?;
    write_parquet(raw, vec![(DATASET_KEY.to_string(), json)])
}

/// Gives `ds` back what it had when it was saved whole, when the footer
/// reads and its columns are those saved; otherwise says why not.
fn restore(ds: &mut Dataset, json: &str) {
    let kept: Option<SavedDataset> = serde_json::from_str(json).ok();
    let Some(kept) = kept.filter(|k| {
        k.version == SAVED_VERSION
            && k.names == ds.names()
            && k.types == ds.types
            && k.date_formats.len() == ds.width()
    }) else {
        ds.notes.push(Note {
            column: None,
            kind: "saved-dataset-changed".to_string(),
            message: "This file was saved by Plainsight, but its columns were changed since (or it was saved by a newer version), so it was read as a plain Parquet file: its recipe was not applied again.".to_string(),
        });
        return;
    };
    let source = &kept.source;
    let from = match &source.sheet {
        Some(sheet) => format!("{}, sheet \"{sheet}\"", source.name),
        None => source.name.clone(),
    };
    let when = kept
        .saved
        .get(..10)
        .map(|d| format!(" on {d}"))
        .unwrap_or_default();
    let recipe = match kept.steps {
        0 => "it had no cleaning recipe".to_string(),
        1 => "its recipe of 1 step is applied again".to_string(),
        n => format!("its recipe of {n} steps is applied again"),
    };
    let mut notes = vec![Note {
        column: None,
        kind: "saved-dataset".to_string(),
        message: format!(
            "Saved by Plainsight{when} from {from} ({}) with what it had: {recipe}, and the notes below are those of the first reading.",
            source.format.label()
        ),
    }];
    notes.extend(kept.notes);
    ds.notes = notes;
    ds.date_formats = kept.date_formats;
    ds.facts.carried = Some(Box::new(Carried {
        source: kept.source,
        recipe: kept.recipe,
        steps: kept.steps,
        saved: kept.saved,
    }));
}

// ------------------------------------------------------------ writing

/// Writes `ds` as Parquet (snappy, 64k-row groups) with the engine's types:
/// integers `INT64`, floats `DOUBLE`, booleans, dates `DATE`, datetimes
/// `TIMESTAMP(MICROS)` without a zone, text `STRING`; `metadata` goes into
/// the footer's key-value pairs.
pub fn write_parquet(ds: &Dataset, metadata: Vec<(String, String)>) -> Result<Vec<u8>, String> {
    let names = ds.names();
    let mut fields = Vec::with_capacity(ds.width());
    let mut arrays: Vec<ArrayRef> = Vec::with_capacity(ds.width());
    for (i, name) in names.iter().enumerate() {
        let data = ColumnData::of(ds, i)
            .ok_or_else(|| format!("column \"{name}\" is not stored as its type says"))?;
        let array: ArrayRef = match data {
            ColumnData::Integer(c) => Arc::new(arrow_array::Int64Array::from_iter(c.iter())),
            ColumnData::Float(c) => Arc::new(arrow_array::Float64Array::from_iter(c.iter())),
            ColumnData::Boolean(c) => Arc::new(arrow_array::BooleanArray::from_iter(c.iter())),
            ColumnData::Date(c) => Arc::new(arrow_array::Date32Array::from_iter(c.iter())),
            ColumnData::Datetime(c) => {
                Arc::new(arrow_array::TimestampMicrosecondArray::from_iter(c.iter()))
            }
            ColumnData::String(c) => Arc::new(arrow_array::StringArray::from_iter(c.iter())),
        };
        fields.push(Field::new(name, array.data_type().clone(), true));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let batch = RecordBatch::try_new_with_options(
        schema.clone(),
        arrays,
        &arrow_array::RecordBatchOptions::new().with_row_count(Some(ds.height())),
    )
    .map_err(|e| e.to_string())?;
    let props = WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(BATCH_ROWS))
        .set_key_value_metadata((!metadata.is_empty()).then(|| {
            metadata
                .into_iter()
                .map(|(k, v)| KeyValue::new(k, v))
                .collect()
        }))
        .set_created_by(format!("Plainsight {}", env!("CARGO_PKG_VERSION")))
        .build();
    let mut out = Vec::new();
    let mut writer =
        ArrowWriter::try_new(&mut out, schema, Some(props)).map_err(|e| e.to_string())?;
    writer.write(&batch).map_err(|e| e.to_string())?;
    writer.close().map_err(|e| e.to_string())?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_parquet_reads_back_with_its_types() {
        let csv = "id,price,ok,day,at,name\n1,2.5,true,2024-01-02,2024-01-02 03:04:05,ann\n\
                   2,,false,,2024-02-03 00:00:00,\n3,4.25,,2024-03-04,,bob\n";
        let ds = crate::core::ingest::read_bytes("a.csv", csv.as_bytes()).unwrap();
        let bytes = write_parquet(&ds, vec![("k".into(), "v".into())]).unwrap();
        let back = read("a.parquet", Format::Parquet, bytes).unwrap();
        assert_eq!(back.types, ds.types);
        assert_eq!(back.names(), ds.names());
        let a = crate::core::table::rows(&ds, None, 0, 3);
        let b = crate::core::table::rows(&back, None, 0, 3);
        assert_eq!(a, b);
    }

    #[test]
    fn records_keep_their_field_order_and_times_do_not_overflow() {
        let s = arrow_array::StructArray::from(vec![
            (
                Arc::new(Field::new("z", DataType::Int64, true)),
                Arc::new(arrow_array::Int64Array::from(vec![1])) as ArrayRef,
            ),
            (
                Arc::new(Field::new("a", DataType::Utf8, true)),
                Arc::new(arrow_array::StringArray::from(vec!["x\"y"])) as ArrayRef,
            ),
        ]);
        assert_eq!(text_of(&s, 0).as_deref(), Some(r#"{"z":1,"a":"x\"y"}"#));
        let t = arrow_array::Time64MicrosecondArray::from(vec![i64::MAX, 3_600_000_000]);
        assert!(text_of(&t, 0).is_some());
        assert_eq!(text_of(&t, 1).as_deref(), Some("01:00:00"));
    }

    #[test]
    fn not_parquet_is_named() {
        let e = read("a.parquet", Format::Parquet, b"id,x\n1,2\n".to_vec()).unwrap_err();
        assert!(matches!(e, IngestError::ColumnarDamaged { .. }), "{e:?}");
        let e = read("a.feather", Format::Arrow, b"FEA1....".to_vec()).unwrap_err();
        assert!(e.to_string().contains("version 1"), "{e}");
        // Both marks, but a footer longer than the file.
        let csv = "id\n1\n2\n";
        let ds = crate::core::ingest::read_bytes("a.csv", csv.as_bytes()).unwrap();
        let mut bytes = write_parquet(&ds, Vec::new()).unwrap();
        let n = bytes.len();
        bytes[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes());
        let e = read("a.parquet", Format::Parquet, bytes).unwrap_err();
        assert!(matches!(e, IngestError::ColumnarDamaged { .. }), "{e:?}");
    }
}
