//! Scoring a new file: the one pipeline the CLI (`plainsight predict`) and
//! the worker (`Ask::Predict`) both run — the recipe the model learnt
//! after, then the model — giving the file's columns with the predictions.

use crate::core::clean::recipe::run;
use crate::core::clean::{CleanError, Step};
use crate::core::ml::prep::PrepError;
use crate::core::ml::saved::{add_predictions, Scorer};
use crate::core::Dataset;

/// Why a file cannot be scored.
#[derive(Clone, Debug, PartialEq)]
pub enum ScoreError {
    /// The recipe cannot run on the new file.
    Recipe(CleanError),
    /// The file lacks what the model reads.
    Prep(PrepError),
    /// The predictions could not be added as columns.
    Columns(String),
}

impl std::fmt::Display for ScoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ScoreError::Recipe(e) => write!(f, "recipe: {e:?}"),
            ScoreError::Prep(e) => write!(f, "model input: {e:?}"),
            ScoreError::Columns(m) => write!(f, "prediction columns: {m}"),
        }
    }
}

impl std::error::Error for ScoreError {}

/// `data` after `steps`, scored by `scorer`: the rows scored and the data
/// with `predicted_<target>` (and `probability_<class>`) columns added.
pub fn score(
    scorer: Scorer,
    data: Dataset,
    steps: &[Step],
) -> Result<(usize, Dataset), ScoreError> {
    let mut ds = if steps.is_empty() {
        data
    } else {
        run(&data, steps).map_err(ScoreError::Recipe)?.0
    };
    let scored = scorer.predict(&ds).map_err(ScoreError::Prep)?;
    let rows = scored.rows;
    add_predictions(&mut ds, scored).map_err(ScoreError::Columns)?;
    Ok((rows, ds))
}

/// Why a file could not be scored in batches.
#[derive(Debug)]
pub enum StreamError {
    /// The file could not be read as data.
    Read(crate::core::IngestError),
    /// Reading the file failed.
    Input(std::io::Error),
    /// Writing the output failed.
    Output(std::io::Error),
    /// A batch could not be scored.
    Score(ScoreError),
}

/// Bytes read at a time.
const READ_BYTES: usize = 4 << 20;

/// The first step of `steps` whose rows depend on other rows (see
/// [`Step::needs_every_row`]): with one, a file is scored whole.
pub fn step_needing_every_row(steps: &[Step]) -> Option<usize> {
    steps.iter().position(Step::needs_every_row)
}

/// [`score`] on a delimited text of any size, `batch_rows` rows at a time
/// ([`crate::core::stream`]), each batch's rows and predictions written to
/// `out` as CSV (one header) as soon as it is scored: the memory of a
/// batch, and the same output as scoring the file whole when no step needs
/// every row ([`step_needing_every_row`]; the caller checks). `open` gives
/// the file's bytes from the start; it is called twice (a survey, then
/// the batches); `progress` hears every block of bytes read.
///
/// `Ok(None)`: the file is not a delimited text (JSON, a spreadsheet,
/// Parquet, Arrow): read it whole and call [`score`].
pub fn score_in_batches<R: std::io::Read>(
    scorer: Scorer,
    steps: &[Step],
    file_name: &str,
    mut open: impl FnMut() -> std::io::Result<R>,
    out: &mut impl std::io::Write,
    batch_rows: usize,
    progress: &mut dyn FnMut(u64),
) -> Result<Option<usize>, StreamError> {
    use crate::core::clean::export::{write_csv_header, write_csv_rows};
    use crate::core::stream::{Batches, Survey};
    let mut buf = vec![0u8; READ_BYTES];
    let mut survey = Survey::new(file_name).map_err(StreamError::Read)?;
    let mut file = open().map_err(StreamError::Input)?;
    loop {
        let n = file.read(&mut buf).map_err(StreamError::Input)?;
        if n == 0 || !survey.streams() {
            break;
        }
        survey
            .push(buf.get(..n).unwrap_or_default())
            .map_err(StreamError::Read)?;
        progress(n as u64);
    }
    if !survey.streams() {
        return Ok(None);
    }
    let Some(layout) = survey.finish().map_err(StreamError::Read)? else {
        return Ok(None);
    };
    let mut batches = Batches::new(layout, batch_rows).map_err(StreamError::Read)?;
    let mut file = open().map_err(StreamError::Input)?;
    let mut rows = 0;
    let mut header = true;
    let mut one = |ds: Dataset, rows: &mut usize| -> Result<(), StreamError> {
        let (n, scored) = score(scorer, ds, steps).map_err(StreamError::Score)?;
        if std::mem::take(&mut header) {
            write_csv_header(&scored, out).map_err(StreamError::Output)?;
        }
        write_csv_rows(&scored, out).map_err(StreamError::Output)?;
        *rows += n;
        Ok(())
    };
    loop {
        let n = file.read(&mut buf).map_err(StreamError::Input)?;
        if n == 0 {
            break;
        }
        for ds in batches
            .push(buf.get(..n).unwrap_or_default())
            .map_err(StreamError::Read)?
        {
            one(ds, &mut rows)?;
        }
        progress(n as u64);
    }
    for ds in batches.finish().map_err(StreamError::Read)? {
        one(ds, &mut rows)?;
    }
    Ok(Some(rows))
}
