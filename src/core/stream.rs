//! A delimited text (CSV, TSV, .txt) of any size, read in batches of rows
//! that are each typed as the whole file is: how `plainsight predict`
//! scores a file bigger than memory, in the memory of a batch.
//!
//! Two passes over the bytes. A [`Survey`] reads every byte once and keeps
//! only the first record and each column's type evidence (one `Inference`
//! per column), so the header, the names and the types are decided over
//! the whole file as a whole read decides them (a [`Layout`]); damaged
//! input (a ragged row, an unclosed quote) is found then, before anything
//! is written. [`Batches`] reads the bytes again and hands back a
//! [`Dataset`] every `rows` records, converted with those decisions, so
//! every batch has the columns and types of the whole file (numbers read
//! as times are judged by the survey's range of each column).
//!
//! Other files (JSON, spreadsheets, Parquet, Arrow) are not read in rows:
//! [`Survey::finish`] answers `None`, and they are read whole.

use crate::core::csv::Keep;
use crate::core::error::IngestError;
use crate::core::ingest::{convert, decide, layout, Dataset, Decided, Ingester, MAX_CELLS};
use crate::core::raw::RawColumn;

pub use crate::core::ingest::Layout;

/// The first pass: every byte, the memory of one record.
pub struct Survey {
    ingester: Ingester,
}

impl Survey {
    pub fn new(file_name: &str) -> Result<Survey, IngestError> {
        Ok(Survey {
            ingester: Ingester::streaming(file_name, Keep::FirstRecord)?,
        })
    }

    pub fn push(&mut self, chunk: &[u8]) -> Result<(), IngestError> {
        self.ingester.push(chunk)
    }

    /// False once the file shows it is not a delimited text (its name or
    /// its first bytes): stop pushing and read it whole.
    pub fn streams(&self) -> bool {
        self.ingester.streams()
    }

    /// The file's layout; None when it is not a delimited text.
    pub fn finish(self) -> Result<Option<Layout>, IngestError> {
        match self.ingester.finish_delimited()? {
            Some((table, facts)) => layout(table, facts).map(|(layout, _)| Some(layout)),
            None => Ok(None),
        }
    }
}

/// The second pass: the rows in batches, typed by the survey's layout.
pub struct Batches {
    ingester: Ingester,
    typing: Typing,
}

/// How each batch's cells become a dataset.
struct Typing {
    layout: Layout,
    /// The decisions of the first batch, kept for the rest.
    decided: Option<Decided>,
    /// The header record is still to come (at the head of the next batch).
    header_left: bool,
}

impl Batches {
    /// Batches of `rows` records of the file `layout` is of: at least 1,
    /// and at most what keeps a batch within [`MAX_CELLS`] cells (a wide
    /// file gets shorter batches).
    pub fn new(layout: Layout, rows: usize) -> Result<Batches, IngestError> {
        let most = (MAX_CELLS / layout.names.len().max(1) as u64).max(1);
        let rows = rows.clamp(1, usize::try_from(most).unwrap_or(usize::MAX));
        Ok(Batches {
            ingester: Ingester::streaming(&layout.facts.name, Keep::Batches(rows))?,
            typing: Typing {
                header_left: layout.facts.has_header,
                layout,
                decided: None,
            },
        })
    }

    /// Reads `chunk`: the batches it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<Dataset>, IngestError> {
        self.ingester.push(chunk)?;
        self.typing.datasets(self.ingester.take_batches())
    }

    /// The batches left at the end of the file (the last one may be short).
    pub fn finish(self) -> Result<Vec<Dataset>, IngestError> {
        let Batches {
            ingester,
            mut typing,
        } = self;
        let Some((table, _)) = ingester.finish_delimited()? else {
            return Err(IngestError::Internal {
                message: "the file read in batches is no longer a delimited text".to_string(),
            });
        };
        typing.datasets(table.batches.into_iter().chain([table.columns]))
    }
}

impl Typing {
    fn datasets(
        &mut self,
        batches: impl IntoIterator<Item = Vec<RawColumn>>,
    ) -> Result<Vec<Dataset>, IngestError> {
        let mut out = Vec::new();
        for batch in batches {
            out.extend(self.dataset(batch)?);
        }
        Ok(out)
    }

    /// The batch's rows as a dataset; None when it holds none (only the
    /// header, or nothing after the last batch).
    fn dataset(&mut self, columns: Vec<RawColumn>) -> Result<Option<Dataset>, IngestError> {
        let start = usize::from(std::mem::take(&mut self.header_left));
        if columns.first().is_none_or(|c| c.len() <= start) {
            return Ok(None);
        }
        let decided = match &self.decided {
            Some(d) => d.clone(),
            None => {
                let d = decide(
                    self.layout.names.clone(),
                    &columns,
                    self.layout.inferences.clone(),
                    start,
                    Some(&self.layout.spans),
                    self.layout.notes.clone(),
                );
                self.decided = Some(d.clone());
                d
            }
        };
        convert(
            self.layout.facts.clone(),
            decided,
            columns,
            Vec::new(),
            start,
        )
        .map(Some)
    }
}
