//! Spreadsheets — `.xlsx`, `.xlsm`, `.xlsb`, `.xls` and `.ods` — read with
//! calamine into the same [`Dataset`] a CSV becomes.
//!
//! A workbook is read whole (a zip or compound file needs random access),
//! then one sheet becomes a table:
//! 1. Cells keep their spreadsheet type: numbers, booleans, dates and
//!    datetimes (Excel serial dates in the 1900 and 1904 systems) become
//!    canonical text (`12.5`, `true`, `2024-03-05T14:30:00`) that the
//!    whole-column inference reads back as the same type; formulas give
//!    their cached values; error cells (`#DIV/0!`, `#N/A`) are missing,
//!    with a note naming them.
//! 2. The table is the box around the filled cells: empty rows and columns
//!    around it are dropped, and so are empty rows inside it (as pandas'
//!    `read_excel` does).
//! 3. Rows above the table that are only a title (sparse text above a wider
//!    header row) are skipped with a note quoting them.
//! 4. Merged header cells name every column they span; a header merged
//!    over a second header row gives two-part names ("Q1 units"). Merged
//!    cells in the data fill every cell they cover.
//! 5. The header itself is decided as for CSV, except that a first row of
//!    text cells is always a header.
//!
//! Bounds: a sheet whose filled cells span more than
//! [`MAX_CELLS`](crate::core::ingest::MAX_CELLS) cells is refused before
//! the grid is built (xlsx and xlsb are read cell by cell, so a stray cell
//! at XFD1048576 costs nothing; xls is bounded by its format at 65,536 ×
//! 256, ods by calamine's own cell limit).

use std::io::Cursor;

use calamine::{Data, DataRef, Dimensions, Ods, Reader, SheetType, SheetVisible, Xls, Xlsb, Xlsx};
use serde::{Deserialize, Serialize};

use crate::core::error::IngestError;
use crate::core::ingest::{build_table, Dataset, HeaderRule, MAX_CELLS};
use crate::core::model::{FileFacts, Format, Note};
use crate::core::raw::RawColumn;

/// Which sheet to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SheetChoice {
    /// The first sheet with data.
    First,
    /// The first sheet with data when it is the only one; else the caller
    /// is asked ([`Opened::Choose`]).
    Ask,
    Named(String),
}

/// A sheet as offered to the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SheetInfo {
    pub name: String,
    /// Rows and columns of the box around its filled cells (0 × 0: empty).
    pub rows: usize,
    pub columns: usize,
    /// Hidden in the workbook (still readable).
    pub hidden: bool,
}

/// What reading a workbook gave.
#[derive(Debug)]
pub enum Opened {
    Dataset(Box<Dataset>),
    /// Several sheets hold data and none was named.
    Choose(Vec<SheetInfo>),
}

/// The spreadsheet formats, by file extension.
pub fn format_of(extension: &str) -> Option<Format> {
    Some(match extension {
        "xlsx" => Format::Xlsx,
        "xlsm" => Format::Xlsm,
        "xlsb" => Format::Xlsb,
        "xls" => Format::Xls,
        "ods" => Format::Ods,
        _ => return None,
    })
}

/// Whether a file name says spreadsheet.
pub fn is_workbook_name(file_name: &str) -> bool {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    base.rsplit_once('.')
        .is_some_and(|(_, ext)| format_of(&ext.to_ascii_lowercase()).is_some())
}

type Source<'a> = Cursor<&'a [u8]>;

enum Book<'a> {
    Xlsx(Box<Xlsx<Source<'a>>>),
    Xlsb(Box<Xlsb<Source<'a>>>),
    Xls(Box<Xls<Source<'a>>>),
    Ods(Box<Ods<Source<'a>>>),
}

/// Why a reader refused the bytes.
enum Refusal {
    Password,
    Other(String),
}

fn refusal<E: std::fmt::Display>(e: E, password: bool) -> Refusal {
    if password {
        Refusal::Password
    } else {
        Refusal::Other(e.to_string())
    }
}

fn open_as(format: Format, bytes: &[u8]) -> Result<Book<'_>, Refusal> {
    let src = Cursor::new(bytes);
    match format {
        Format::Xlsx | Format::Xlsm => {
            Xlsx::new(src)
                .map(|b| Book::Xlsx(Box::new(b)))
                .map_err(|e| {
                    let pw = matches!(e, calamine::XlsxError::Password);
                    refusal(e, pw)
                })
        }
        Format::Xlsb => Xlsb::new(src)
            .map(|b| Book::Xlsb(Box::new(b)))
            .map_err(|e| {
                let pw = matches!(e, calamine::XlsbError::Password);
                refusal(e, pw)
            }),
        Format::Xls => Xls::new(src).map(|b| Book::Xls(Box::new(b))).map_err(|e| {
            let pw = matches!(e, calamine::XlsError::Password);
            refusal(e, pw)
        }),
        Format::Ods => Ods::new(src).map(|b| Book::Ods(Box::new(b))).map_err(|e| {
            let pw = matches!(e, calamine::OdsError::Password);
            refusal(e, pw)
        }),
        _ => Err(Refusal::Other("not a spreadsheet".into())),
    }
}

/// Opens the workbook as the format its name says, else as whichever
/// spreadsheet format reads it (a renamed file); the format it was read as
/// comes back too.
fn open(declared: Format, bytes: &[u8]) -> Result<(Book<'_>, Format), IngestError> {
    compound_file_whole(bytes)?;
    let first = match open_as(declared, bytes) {
        Ok(book) => return Ok((book, declared)),
        Err(Refusal::Password) => return Err(IngestError::WorkbookPassword),
        Err(Refusal::Other(why)) => why,
    };
    for other in [Format::Xlsx, Format::Ods, Format::Xls, Format::Xlsb] {
        if other == declared || (declared == Format::Xlsm && other == Format::Xlsx) {
            continue;
        }
        match open_as(other, bytes) {
            Ok(book) => return Ok((book, other)),
            Err(Refusal::Password) => return Err(IngestError::WorkbookPassword),
            Err(Refusal::Other(_)) => {}
        }
    }
    Err(IngestError::WorkbookDamaged { detail: first })
}

/// A compound file (.xls, an encrypted .xlsx) is made of whole sectors:
/// one cut short is refused here, before calamine's reader, which asserts
/// on a partial sector.
fn compound_file_whole(bytes: &[u8]) -> Result<(), IngestError> {
    const MAGIC: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if !bytes.starts_with(&MAGIC) {
        return Ok(());
    }
    let damaged = |detail: &str| {
        Err(IngestError::WorkbookDamaged {
            detail: detail.to_string(),
        })
    };
    let shift = match bytes.get(30..32) {
        Some(&[lo, hi]) => u16::from_le_bytes([lo, hi]),
        _ => return damaged("it ends inside its header"),
    };
    if shift != 9 && shift != 12 {
        return damaged("its header names a block size no spreadsheet uses");
    }
    if bytes.len() % (1usize << shift) != 0 {
        return damaged("it ends inside a block: the file is cut short");
    }
    Ok(())
}

/// One cell as the table sees it.
#[derive(Clone, Debug, PartialEq)]
enum Cell {
    Empty,
    /// A text cell.
    Text(String),
    /// A number, boolean, date or duration, as canonical text.
    Value(String),
}

impl Cell {
    fn text(&self) -> Option<&str> {
        match self {
            Cell::Empty => None,
            Cell::Text(s) | Cell::Value(s) => Some(s),
        }
    }
}

/// A sheet's non-empty cells (absolute row, column) and its error cells.
#[derive(Default)]
struct Sparse {
    cells: Vec<(u32, u32, Cell)>,
    /// (A1 reference, error text), in reading order.
    errors: Vec<(String, String)>,
}

/// "C5" for row 4, column 2 (both 0-based).
pub fn a1(row: u32, col: u32) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

fn datetime_text(dt: &calamine::ExcelDateTime) -> String {
    let value = dt.as_f64();
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    if dt.is_duration() {
        let total = (value * 86_400.0).round() as i64;
        return format!("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
    }
    if (0.0..1.0).contains(&value) {
        // A time of day with no date.
        return format!("{h:02}:{mi:02}:{s:02}");
    }
    let mut out = format!("{y:04}-{mo:02}-{d:02}");
    if (h, mi, s, ms) != (0, 0, 0, 0) {
        out.push_str(&format!("T{h:02}:{mi:02}:{s:02}"));
        if ms != 0 {
            out.push_str(&format!(".{ms:03}"));
        }
    }
    out
}

/// The spreadsheet error values, as written.
const ERROR_TEXTS: [&str; 8] = [
    "#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#DATA!",
];

fn float_text(v: f64) -> Option<String> {
    v.is_finite().then(|| format!("{v}"))
}

impl Sparse {
    fn push(&mut self, row: u32, col: u32, value: &Data) {
        let cell = match value {
            Data::Empty => return,
            Data::String(s) if s.trim().is_empty() => return,
            // OpenDocument keeps a formula's error as its text.
            Data::String(s) if ERROR_TEXTS.contains(&s.trim()) => {
                self.errors.push((a1(row, col), s.trim().to_string()));
                return;
            }
            Data::String(s) => Cell::Text(s.clone()),
            Data::Int(i) => Cell::Value(i.to_string()),
            Data::Float(f) => match float_text(*f) {
                Some(t) => Cell::Value(t),
                None => return,
            },
            Data::Bool(b) => Cell::Value(b.to_string()),
            Data::DateTime(dt) => Cell::Value(datetime_text(dt)),
            Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Value(s.clone()),
            Data::Error(e) => {
                self.errors.push((a1(row, col), e.to_string()));
                return;
            }
        };
        self.cells.push((row, col, cell));
    }

    fn push_ref(&mut self, row: u32, col: u32, value: DataRef<'_>) {
        self.push(row, col, &Data::from(value));
    }

    /// The box (first row, first column, rows, columns) around the cells.
    fn bounds(&self) -> Option<(u32, u32, usize, usize)> {
        let mut it = self.cells.iter();
        let &(r, c, _) = it.next()?;
        let (mut r0, mut r1, mut c0, mut c1) = (r, r, c, c);
        for &(r, c, _) in it {
            r0 = r0.min(r);
            r1 = r1.max(r);
            c0 = c0.min(c);
            c1 = c1.max(c);
        }
        Some((r0, c0, (r1 - r0) as usize + 1, (c1 - c0) as usize + 1))
    }
}

fn damaged<E: std::fmt::Display>(e: E) -> IngestError {
    IngestError::WorkbookDamaged {
        detail: e.to_string(),
    }
}

impl Book<'_> {
    fn sheets(&self) -> Vec<(String, bool)> {
        let meta = match self {
            Book::Xlsx(b) => b.sheets_metadata(),
            Book::Xlsb(b) => b.sheets_metadata(),
            Book::Xls(b) => b.sheets_metadata(),
            Book::Ods(b) => b.sheets_metadata(),
        };
        meta.iter()
            .filter(|s| matches!(s.typ, SheetType::WorkSheet))
            .map(|s| (s.name.clone(), !matches!(s.visible, SheetVisible::Visible)))
            .collect()
    }

    fn cells(&mut self, sheet: &str) -> Result<Sparse, IngestError> {
        let mut out = Sparse::default();
        match self {
            Book::Xlsx(b) => {
                let mut reader = b.worksheet_cells_reader(sheet).map_err(damaged)?;
                while let Some(cell) = reader.next_cell().map_err(damaged)? {
                    let (r, c) = cell.get_position();
                    out.push_ref(r, c, cell.get_value().clone());
                }
            }
            Book::Xlsb(b) => {
                let mut reader = b.worksheet_cells_reader(sheet).map_err(damaged)?;
                while let Some(cell) = reader.next_cell().map_err(damaged)? {
                    let (r, c) = cell.get_position();
                    out.push_ref(r, c, cell.get_value().clone());
                }
            }
            Book::Xls(b) => {
                let range = b.worksheet_range(sheet).map_err(damaged)?;
                push_range(&mut out, &range);
            }
            Book::Ods(b) => {
                let range = b.worksheet_range(sheet).map_err(ods_error)?;
                push_range(&mut out, &range);
            }
        }
        Ok(out)
    }

    /// Merged regions (xlsx and xls; calamine reads none for the others).
    fn merges(&mut self, sheet: &str) -> Vec<Dimensions> {
        match self {
            Book::Xlsx(b) => b.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
            Book::Xls(b) => b.merge_cells_by_sheet_name(sheet).unwrap_or_default(),
            Book::Xlsb(_) | Book::Ods(_) => Vec::new(),
        }
    }
}

fn ods_error(e: calamine::OdsError) -> IngestError {
    if let calamine::OdsError::CellLimitExceeded { requested, max } = e {
        return IngestError::TooManyCells {
            row: requested as u64,
            line: None,
            columns: 0,
            limit: max as u64,
        };
    }
    damaged(e)
}

fn push_range(out: &mut Sparse, range: &calamine::Range<Data>) {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, c, v) in range.used_cells() {
        out.push(r0 + r as u32, c0 + c as u32, v);
    }
}

/// What a workbook the reader stopped on is said to be.
pub const READER_STOPPED: &str = "the spreadsheet reader stopped on it";

/// Reads one sheet of a workbook (see the module's description).
///
/// calamine can panic on damaged files (seen on mutated .xls bytes: an
/// assertion in its compound-file reader). Natively the panic becomes
/// [`IngestError::WorkbookDamaged`]; in the browser (`panic = "abort"`) it
/// stops the worker, and the page says the same ([`READER_STOPPED`]).
pub fn read(
    file_name: &str,
    declared: Format,
    bytes: &[u8],
    choice: &SheetChoice,
) -> Result<Opened, IngestError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_unguarded(file_name, declared, bytes, choice)
    }))
    .unwrap_or_else(|_| {
        Err(IngestError::WorkbookDamaged {
            detail: READER_STOPPED.to_string(),
        })
    })
}

fn read_unguarded(
    file_name: &str,
    declared: Format,
    bytes: &[u8],
    choice: &SheetChoice,
) -> Result<Opened, IngestError> {
    let (mut book, format) = open(declared, bytes)?;
    let listed = book.sheets();
    if listed.is_empty() {
        return Err(IngestError::Empty);
    }
    let (sheet, cells) = match choice {
        SheetChoice::Named(name) => {
            if !listed.iter().any(|(n, _)| n == name) {
                return Err(IngestError::SheetNotFound {
                    sheet: name.clone(),
                    sheets: listed.into_iter().map(|(n, _)| n).collect(),
                });
            }
            let cells = book.cells(name)?;
            (name.clone(), cells)
        }
        SheetChoice::First | SheetChoice::Ask => {
            let mut infos = Vec::new();
            let mut first: Option<(String, Sparse)> = None;
            for (name, hidden) in &listed {
                let cells = book.cells(name)?;
                let (rows, columns) = cells.bounds().map_or((0, 0), |(_, _, h, w)| (h, w));
                infos.push(SheetInfo {
                    name: name.clone(),
                    rows,
                    columns,
                    hidden: *hidden,
                });
                if rows > 0 && first.is_none() && !*hidden {
                    first = Some((name.clone(), cells));
                }
            }
            let with_data = infos.iter().filter(|s| s.rows > 0).count();
            if *choice == SheetChoice::Ask && with_data > 1 {
                return Ok(Opened::Choose(infos));
            }
            match first {
                Some(f) => f,
                // Only hidden sheets hold data: read the first of them.
                None => match infos.iter().find(|s| s.rows > 0) {
                    Some(s) => {
                        let name = s.name.clone();
                        let cells = book.cells(&name)?;
                        (name, cells)
                    }
                    None => return Err(IngestError::Empty),
                },
            }
        }
    };
    let merges = book.merges(&sheet);
    let others: Vec<String> = listed
        .iter()
        .map(|(n, _)| n.clone())
        .filter(|n| *n != sheet)
        .collect();
    let mut notes = Vec::new();
    if !others.is_empty() && *choice == SheetChoice::First {
        notes.push(Note {
            column: None,
            kind: "other-sheets".to_string(),
            message: format!(
                "The workbook has {} other sheet{} ({}); sheet \"{sheet}\" was read.",
                others.len(),
                if others.len() == 1 { "" } else { "s" },
                others.join(", ")
            ),
        });
    }
    let facts = move |has_header: bool| FileFacts {
        name: file_name.to_string(),
        size_bytes: bytes.len() as u64,
        format,
        encoding: String::new(),
        delimiter: None,
        has_header,
        line_ending: String::new(),
        sheet: Some(sheet.clone()),
    };
    table(cells, &merges, notes, facts).map(|d| Opened::Dataset(Box::new(d)))
}

/// Rows of at most this many filled cells, all text, above a fuller header
/// row are a title (checked over the first [`TITLE_ROWS`] rows).
const TITLE_ROWS: usize = 10;

/// The dense grid of the box around the filled cells.
struct Grid {
    top: u32,
    left: u32,
    rows: Vec<Vec<Cell>>,
}

impl Grid {
    fn filled(&self, r: usize) -> usize {
        self.rows[r].iter().filter(|c| **c != Cell::Empty).count()
    }

    fn all_text(&self, r: usize) -> bool {
        self.rows[r]
            .iter()
            .all(|c| matches!(c, Cell::Empty | Cell::Text(_)))
    }
}

fn grid(sparse: Sparse) -> Result<Option<Grid>, IngestError> {
    let Some((top, left, height, width)) = sparse.bounds() else {
        return Ok(None);
    };
    let cells = height as u64 * width as u64;
    if cells > MAX_CELLS {
        return Err(IngestError::TooManyCells {
            row: height as u64,
            line: None,
            columns: width,
            limit: MAX_CELLS,
        });
    }
    let mut rows = vec![vec![Cell::Empty; width]; height];
    for (r, c, cell) in sparse.cells {
        rows[(r - top) as usize][(c - left) as usize] = cell;
    }
    Ok(Some(Grid { top, left, rows }))
}

/// Fills every cell a merged region covers with its top-left value, for
/// the regions at or below `from` (absolute row); returns how many cells
/// were filled.
fn fill_merges(g: &mut Grid, merges: &[Dimensions], from: u32) -> usize {
    let mut filled = 0;
    for m in merges {
        if m.start.0 < from {
            continue;
        }
        let (top, left, height, width) = (g.top, g.left, g.rows.len(), g.rows[0].len());
        let at = move |r: u32, c: u32| -> Option<(usize, usize)> {
            let r = r.checked_sub(top)? as usize;
            let c = c.checked_sub(left)? as usize;
            (r < height && c < width).then_some((r, c))
        };
        let Some((r0, c0)) = at(m.start.0, m.start.1) else {
            continue;
        };
        let value = g.rows[r0][c0].clone();
        if value == Cell::Empty {
            continue;
        }
        for r in m.start.0..=m.end.0 {
            for c in m.start.1..=m.end.1 {
                if let Some((ri, ci)) = at(r, c) {
                    if g.rows[ri][ci] == Cell::Empty {
                        g.rows[ri][ci] = value.clone();
                        filled += 1;
                    }
                }
            }
        }
    }
    filled
}

fn table(
    mut sparse: Sparse,
    merges: &[Dimensions],
    mut notes: Vec<Note>,
    facts: impl FnOnce(bool) -> FileFacts,
) -> Result<Dataset, IngestError> {
    let errors = std::mem::take(&mut sparse.errors);
    let Some(mut g) = grid(sparse)? else {
        return Err(IngestError::Empty);
    };
    // Title rows: sparse text rows above the first row at least half as
    // full as the fullest of the first rows.
    let looked = g.rows.len().min(30);
    let fullest = (0..looked).map(|r| g.filled(r)).max().unwrap_or(0);
    let mut header = 0;
    if fullest >= 2 {
        let enough = fullest.div_ceil(2).max(2);
        let mut r = 0;
        while r < g.rows.len().min(TITLE_ROWS) && g.filled(r) < enough && g.all_text(r) {
            r += 1;
        }
        if r > 0 && r < g.rows.len() && g.filled(r) >= enough && g.all_text(r) {
            header = r;
        }
    }
    if header > 0 {
        let titles: Vec<String> = g.rows[..header]
            .iter()
            .flat_map(|row| row.iter().filter_map(|c| c.text().map(str::to_string)))
            .collect();
        notes.push(Note {
            column: None,
            kind: "title-rows".to_string(),
            message: format!(
                "{} above the table {} a title, not data, and {} skipped: \"{}\".",
                if header == 1 {
                    "Row 1".to_string()
                } else {
                    format!("Rows 1–{header}")
                },
                if header == 1 { "is" } else { "are" },
                if header == 1 { "was" } else { "were" },
                titles.join(" / ")
            ),
        });
        g.rows.drain(..header);
        g.top += header as u32;
    }
    let width = g.rows[0].len();
    // Merged header cells: a region in the header row spanning columns,
    // over a row of text under it, makes a two-row header.
    let head_abs = g.top;
    let spans = merges
        .iter()
        .filter(|m| m.start.0 == head_abs && m.end.0 == head_abs && m.end.1 > m.start.1)
        .count();
    let two_rows = spans > 0
        && g.rows.len() > 2
        && g.all_text(1)
        && merges.iter().any(|m| {
            m.start.0 == head_abs
                && m.end.0 == head_abs
                && m.end.1 > m.start.1
                && (m.start.1..=m.end.1).any(|c| {
                    c >= g.left
                        && g.rows[1]
                            .get((c - g.left) as usize)
                            .is_some_and(|x| *x != Cell::Empty)
                })
        });
    // Header cells spanned by a merge take its name.
    let header_rows = if two_rows { 2 } else { 1 };
    let in_header = |m: &&Dimensions| m.start.0 >= head_abs && m.start.0 < head_abs + header_rows;
    let head_merges: Vec<Dimensions> = merges.iter().filter(in_header).copied().collect();
    fill_merges(&mut g, &head_merges, head_abs);
    let filled = fill_merges(&mut g, merges, head_abs + header_rows);
    let mut names: Option<Vec<String>> = None;
    if two_rows {
        let joined = (0..width)
            .map(|c| {
                let upper = g.rows[0][c].text().unwrap_or("").trim();
                let lower = g.rows[1][c].text().unwrap_or("").trim();
                match (upper.is_empty(), lower.is_empty()) {
                    (false, false) if upper != lower => format!("{upper} {lower}"),
                    (false, _) => upper.to_string(),
                    (true, _) => lower.to_string(),
                }
            })
            .collect();
        names = Some(joined);
        notes.push(Note {
            column: None,
            kind: "two-row-header".to_string(),
            message: "The header spans two rows (merged cells above a row of names); each column is named by both parts, e.g. \"Q1 units\".".to_string(),
        });
        g.rows.drain(..2);
    }
    if filled > 0 {
        notes.push(Note {
            column: None,
            kind: "merged-cells".to_string(),
            message: format!(
                "{filled} cell{} inside merged cells took the merged cell's value.",
                if filled == 1 { "" } else { "s" }
            ),
        });
    }
    // Empty rows inside the table are dropped (pandas does too).
    let before = g.rows.len();
    g.rows.retain(|row| row.iter().any(|c| *c != Cell::Empty));
    let blank = before - g.rows.len();
    if blank > 0 {
        notes.push(Note {
            column: None,
            kind: "blank-rows".to_string(),
            message: format!(
                "{blank} empty row{} inside the table {} skipped.",
                if blank == 1 { "" } else { "s" },
                if blank == 1 { "was" } else { "were" }
            ),
        });
    }
    if !errors.is_empty() {
        let shown: Vec<String> = errors
            .iter()
            .take(10)
            .map(|(at, what)| format!("{at} ({what})"))
            .collect();
        notes.push(Note {
            column: None,
            kind: "error-cells".to_string(),
            message: format!(
                "{} cell{} held a spreadsheet error and {} read as missing: {}{}.",
                errors.len(),
                if errors.len() == 1 { "" } else { "s" },
                if errors.len() == 1 { "is" } else { "are" },
                shown.join(", "),
                if errors.len() > shown.len() {
                    format!(" and {} more", errors.len() - shown.len())
                } else {
                    String::new()
                }
            ),
        });
    }
    let rule = match names {
        Some(n) => HeaderRule::Names(n),
        None if g.all_text(0) => HeaderRule::FirstRow,
        None => HeaderRule::Detect,
    };
    let mut columns = vec![RawColumn::new(); width];
    for row in &g.rows {
        for (col, cell) in columns.iter_mut().zip(row) {
            match cell.text() {
                Some(t) => col.push(t)?,
                None => col.push_empty(),
            }
        }
    }
    drop(g);
    build_table(columns, rule, notes, facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_references() {
        assert_eq!(a1(0, 0), "A1");
        assert_eq!(a1(4, 2), "C5");
        assert_eq!(a1(0, 25), "Z1");
        assert_eq!(a1(0, 26), "AA1");
        assert_eq!(a1(9, 16_383), "XFD10");
    }

    #[test]
    fn serial_dates() {
        use calamine::{ExcelDateTime, ExcelDateTimeType::DateTime};
        let d = |v, is_1904| datetime_text(&ExcelDateTime::new(v, DateTime, is_1904));
        assert_eq!(d(45_943.5, false), "2025-10-13T12:00:00");
        assert_eq!(d(45_943.0, false), "2025-10-13");
        // The same day in the 1904 system is 1,462 days less.
        assert_eq!(d(45_943.0 - 1_462.0, true), "2025-10-13");
        assert_eq!(d(0.75, false), "18:00:00");
    }
}
