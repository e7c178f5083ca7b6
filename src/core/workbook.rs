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
//! 3. The table starts at the first row at least three quarters as full as
//!    the fullest of the first rows (or the row of group labels right above
//!    it); the sparser rows above — a title, a run date, "Label: value"
//!    pairs — are skipped with a note quoting them.
//! 4. The header spans several rows when a merge runs down from it, when a
//!    merge runs across it over a row of text, or when the row under it is
//!    text that does not fit the types of the columns below; each column is
//!    named by its parts ("Q1 units"), group labels written once carrying
//!    to the right. Merged cells in the data fill every cell they cover;
//!    columns with neither a name nor a value (spacers) are dropped.
//! 5. A one-row header is decided as for CSV, except that a first row of
//!    text cells is always a header; dates stored as dates carry no
//!    written pattern.
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

/// A reader's error in words people read: the common kinds named, the
/// rare ones in the reader's own words.
trait Plain: std::fmt::Display {
    fn password(&self) -> bool;
    fn named(&self) -> Option<&'static str>;
    fn plain(&self) -> String {
        self.named()
            .map_or_else(|| self.to_string(), str::to_string)
    }
}

const ZIP: &str = "its zip container is damaged or cut short";
const XML: &str =
    "its contents are not well-formed: it is damaged, or a program wrote it without following the format";
const CFB: &str = "its Excel 97–2003 structure is damaged, or it is not an Excel file";
const TOO_MANY: &str =
    "its sheets would hold more than 100 million cells, a sign of a damaged or crafted file";

/// `impl Plain` for a reader's error type: its `Password` variant, and
/// the variants named in words.
macro_rules! plain {
    ($ty:ty, $($pat:pat => $text:expr),+ $(,)?) => {
        impl Plain for $ty {
            fn password(&self) -> bool {
                matches!(self, Self::Password)
            }
            fn named(&self) -> Option<&'static str> {
                match self {
                    $($pat => Some($text),)+
                    _ => None,
                }
            }
        }
    };
}

plain!(calamine::XlsxError,
    Self::Zip(_) => ZIP,
    Self::Xml(_) | Self::XmlAttr(_) | Self::XmlEof(_) => XML);
plain!(calamine::XlsbError, Self::Zip(_) => ZIP, Self::Xml(_) | Self::XmlAttr(_) => XML);
plain!(calamine::XlsError, Self::Cfb(_) => CFB);
plain!(calamine::OdsError,
    Self::Zip(_) => ZIP,
    Self::Xml(_) | Self::XmlAttr(_) => XML,
    Self::CellLimitExceeded { .. } => TOO_MANY);

fn refusal<E: Plain>(e: E) -> Refusal {
    if e.password() {
        Refusal::Password
    } else {
        Refusal::Other(e.plain())
    }
}

fn open_as(format: Format, bytes: &[u8]) -> Result<Book<'_>, Refusal> {
    let src = Cursor::new(bytes);
    match format {
        Format::Xlsx | Format::Xlsm => Xlsx::new(src)
            .map(|b| Book::Xlsx(Box::new(b)))
            .map_err(refusal),
        Format::Xlsb => Xlsb::new(src)
            .map(|b| Book::Xlsb(Box::new(b)))
            .map_err(refusal),
        Format::Xls => Xls::new(src)
            .map(|b| Book::Xls(Box::new(b)))
            .map_err(refusal),
        Format::Ods => Ods::new(src)
            .map(|b| Book::Ods(Box::new(b)))
            .map_err(refusal),
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
    if !bytes.len().is_multiple_of(1usize << shift) {
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
    /// Where the error cells are: they count for the table's box.
    error_at: Vec<(u32, u32)>,
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
                self.error_at.push((row, col));
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
                self.error_at.push((row, col));
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
        let mut it = self
            .cells
            .iter()
            .map(|&(r, c, _)| (r, c))
            .chain(self.error_at.iter().copied());
        let (r, c) = it.next()?;
        let (mut r0, mut r1, mut c0, mut c1) = (r, r, c, c);
        for (r, c) in it {
            r0 = r0.min(r);
            r1 = r1.max(r);
            c0 = c0.min(c);
            c1 = c1.max(c);
        }
        Some((r0, c0, (r1 - r0) as usize + 1, (c1 - c0) as usize + 1))
    }
}

fn damaged<E: Plain>(e: E) -> IngestError {
    IngestError::WorkbookDamaged { detail: e.plain() }
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
                let range = b.worksheet_range(sheet).map_err(damaged)?;
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
    if !others.is_empty() {
        notes.push(Note {
            column: None,
            kind: "other-sheets".to_string(),
            message: format!(
                "This is sheet \"{sheet}\" of the workbook, which has {} other sheet{}: {}. Each sheet can be read as a dataset of its own.",
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
        carried: None,
    };
    table(cells, &merges, notes, facts).map(|d| Opened::Dataset(Box::new(d)))
}

/// Sparse rows above the table's first full row are a title when that row
/// is among the first `TITLE_ROWS` × 2 rows.
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

/// Fills the cells of rows `from..until` (absolute) that a merged region
/// starting there covers with its top-left value; returns how many cells
/// were filled.
fn fill_merges(g: &mut Grid, merges: &[Dimensions], from: u32, until: u32) -> usize {
    let mut filled = 0;
    for m in merges {
        if m.start.0 < from || m.start.0 >= until {
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
        for r in m.start.0..=m.end.0.min(until.saturating_sub(1)) {
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

/// Where the table starts: the first row at least three quarters as full
/// as the fullest of the first rows, when it is among the first
/// [`TITLE_ROWS`] × 2 rows (only sparser rows — titles — stand above it);
/// whether it is a header is decided after.
fn header_row(g: &Grid) -> usize {
    let looked = g.rows.len().min(30);
    let fullest = (0..looked).map(|r| g.filled(r)).max().unwrap_or(0);
    if fullest < 2 {
        return 0;
    }
    // Three quarters: "Label: value" pairs above a three-column table
    // are not its start.
    let enough = (fullest * 3).div_ceil(4).max(2);
    for r in 0..g.rows.len().min(TITLE_ROWS * 2) {
        if g.filled(r) >= enough {
            if r + 1 >= g.rows.len() {
                return 0;
            }
            // A row of group labels right above (text over columns beyond
            // the first two, like "Q1" and "Q2") belongs to the header.
            let group = |row: usize| {
                g.filled(row) >= 2
                    && g.all_text(row)
                    && g.rows[row].iter().skip(2).any(|c| *c != Cell::Empty)
            };
            return if r > 0 && group(r - 1) { r - 1 } else { r };
        }
    }
    0
}

/// How many rows the header (row 0 of `g`) spans: down a vertical merge
/// from it, over a row of text under a horizontal merge, or over a row of
/// text whose cells do not fit the types of the columns below (at most 3).
fn header_depth(g: &Grid, merges: &[Dimensions]) -> usize {
    let head = g.top;
    let width = g.rows[0].len() as u32;
    let in_table =
        |m: &&Dimensions| m.start.0 == head && m.end.1 >= g.left && m.start.1 < g.left + width;
    let from_head: Vec<&Dimensions> = merges.iter().filter(in_table).collect();
    let down = from_head
        .iter()
        .map(|m| (m.end.0 - head) as usize + 1)
        .max()
        .unwrap_or(1)
        .min(3);
    // Leave at least one data row; every header row is text.
    let fits = |depth: usize| depth < g.rows.len() && (1..depth).all(|r| g.all_text(r));
    if down > 1 && fits(down) {
        return down;
    }
    if g.rows.len() < 3 || !g.all_text(1) || g.filled(1) == 0 {
        return 1;
    }
    let across = from_head.iter().any(|m| {
        m.end.0 == head
            && m.end.1 > m.start.1
            && (m.start.1..=m.end.1).any(|c| {
                c >= g.left
                    && g.rows[1]
                        .get((c - g.left) as usize)
                        .is_some_and(|x| *x != Cell::Empty)
            })
    });
    if across || second_row_names(g) {
        2
    } else {
        1
    }
}

/// Whether row 1 of `g` (all text) names columns rather than holding data:
/// some column below it is typed (numbers, dates, booleans) and none of
/// row 1's cells in typed columns fits its column's type.
fn second_row_names(g: &Grid) -> bool {
    use crate::core::infer::Inference;
    let width = g.rows[0].len();
    let mut misfits = 0;
    for c in 0..width {
        let mut body = Inference::new(false);
        for row in g.rows.iter().skip(2).take(1000) {
            if let Some(t) = row[c].text() {
                body.feed(t);
            }
        }
        let kind = body.decide().kind.column_type();
        let Some(cell) = g.rows[1][c].text() else {
            continue;
        };
        if kind == crate::core::model::ColumnType::String {
            continue;
        }
        let mut with = body;
        with.feed(cell);
        if with.decide().kind.column_type() == kind {
            return false;
        }
        misfits += 1;
    }
    misfits > 0
}

/// "3 empty rows inside the table were skipped."
fn skipped(kind: &str, n: usize, what: &str, detail: &str) -> Note {
    Note {
        column: None,
        kind: kind.to_string(),
        message: format!(
            "{n} {what}{}{detail} inside the table {} skipped.",
            if n == 1 { "" } else { "s" },
            if n == 1 { "was" } else { "were" }
        ),
    }
}

fn table(
    mut sparse: Sparse,
    merges: &[Dimensions],
    mut notes: Vec<Note>,
    facts: impl FnOnce(bool) -> FileFacts,
) -> Result<Dataset, IngestError> {
    let errors = std::mem::take(&mut sparse.errors);
    if sparse.cells.is_empty() {
        return Err(match errors.first() {
            Some((at, what)) => IngestError::OnlyErrorCells {
                cells: errors.len(),
                first: format!("{at} ({what})"),
            },
            None => IngestError::Empty,
        });
    }
    let Some(mut g) = grid(sparse)? else {
        return Err(IngestError::Empty);
    };
    // Title rows: everything above the header row, when only sparser rows
    // (a title, a date, "Title: …" pairs) stand above it.
    let header = header_row(&g);
    if header > 0 {
        let titles: Vec<String> = g.rows[..header]
            .iter()
            .flat_map(|row| row.iter().filter_map(|c| c.text()))
            .take(3)
            .map(|t| t.chars().take(60).collect())
            .collect();
        let (first, last) = (g.top + 1, g.top + header as u32);
        notes.push(Note {
            column: None,
            kind: "title-rows".to_string(),
            message: format!(
                "{} of the sheet, above the table, {} skipped as a title, not data: \"{}\"{}.",
                if first == last {
                    format!("Row {first}")
                } else {
                    format!("Rows {first}–{last}")
                },
                if first == last { "was" } else { "were" },
                titles.join("\" / \""),
                if g.rows[..header]
                    .iter()
                    .map(|r| r.iter().filter(|c| **c != Cell::Empty).count())
                    .sum::<usize>()
                    > titles.len()
                {
                    " …"
                } else {
                    ""
                }
            ),
        });
        g.rows.drain(..header);
        g.top += header as u32;
    }
    let head_abs = g.top;
    let header_rows = header_depth(&g, merges);
    // Merged header cells name every column (and header row) they span;
    // merged cells in the data fill every cell they cover.
    fill_merges(&mut g, merges, head_abs, head_abs + header_rows as u32);
    let filled = fill_merges(&mut g, merges, head_abs + header_rows as u32, u32::MAX);
    let width = g.rows[0].len();
    let mut names: Option<Vec<String>> = None;
    if header_rows > 1 {
        // Group labels written once over several columns, unmerged ("Q1"
        // over units and revenue), carry to the right over the columns
        // named below them.
        for r in 0..header_rows - 1 {
            let mut carry: Option<Cell> = None;
            for c in 0..width {
                let named_below = (r + 1..header_rows).any(|b| g.rows[b][c] != Cell::Empty);
                if g.rows[r][c] != Cell::Empty {
                    carry = Some(g.rows[r][c].clone());
                } else if let Some(v) = carry.as_ref().filter(|_| named_below) {
                    g.rows[r][c] = v.clone();
                } else {
                    carry = None;
                }
            }
        }
        let joined: Vec<String> = (0..width)
            .map(|c| {
                let mut parts: Vec<&str> = Vec::new();
                for r in 0..header_rows {
                    let t = g.rows[r][c].text().unwrap_or("").trim();
                    if !t.is_empty() && !parts.contains(&t) {
                        parts.push(t);
                    }
                }
                parts.join(" ")
            })
            .collect();
        let example = joined
            .iter()
            .find(|n| n.contains(' '))
            .or_else(|| joined.first())
            .cloned()
            .unwrap_or_default();
        names = Some(joined);
        notes.push(Note {
            column: None,
            kind: "two-row-header".to_string(),
            message: format!(
                "The header spans {header_rows} rows; each column is named by its parts, e.g. \"{example}\"."
            ),
        });
        g.rows.drain(..header_rows);
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
    // Columns with neither a name nor a value (spacers between columns).
    let keep: Vec<bool> = (0..width)
        .map(|c| {
            names.as_ref().is_some_and(|n| !n[c].is_empty())
                || g.rows.iter().any(|row| row[c] != Cell::Empty)
        })
        .collect();
    let spacers = keep.iter().filter(|k| !**k).count();
    if spacers > 0 {
        for row in &mut g.rows {
            let mut i = 0;
            row.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        if let Some(n) = names.as_mut() {
            let mut i = 0;
            n.retain(|_| {
                i += 1;
                keep[i - 1]
            });
        }
        notes.push(skipped(
            "empty-columns",
            spacers,
            "empty column",
            " (no name, no value)",
        ));
    }
    let width = keep.iter().filter(|k| **k).count();
    if g.rows.is_empty() {
        return Err(IngestError::HeaderOnly { columns: width });
    }
    // Empty rows inside the table are dropped (pandas does too).
    let before = g.rows.len();
    g.rows.retain(|row| row.iter().any(|c| *c != Cell::Empty));
    let blank = before - g.rows.len();
    if blank > 0 {
        notes.push(skipped("blank-rows", blank, "empty row", ""));
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
    // Columns of typed cells only (numbers, dates): their dates were stored
    // as dates, not written in a pattern.
    let body = usize::from(names.is_none());
    let typed: Vec<bool> = (0..width)
        .map(|c| {
            let cells = || g.rows.iter().skip(body).map(move |r| &r[c]);
            cells().any(|x| matches!(x, Cell::Value(_)))
                && !cells().any(|x| matches!(x, Cell::Text(_)))
        })
        .collect();
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
    let mut ds = build_table(columns, rule, notes, facts)?;
    for (i, typed) in typed.into_iter().enumerate() {
        let date = matches!(
            ds.types.get(i),
            Some(crate::core::model::ColumnType::Date | crate::core::model::ColumnType::Datetime)
        );
        if typed && date {
            if let Some(f) = ds.date_formats.get_mut(i) {
                *f = None;
            }
        }
    }
    Ok(ds)
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
