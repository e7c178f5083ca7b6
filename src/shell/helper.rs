//! A helper worker for a dataset's insights (issue 16): the data worker
//! computes the insights a part per task on one core; on a dataset large
//! enough, it hands the Spearman matrix (about half of the correlations'
//! time) to a part worker started for it (`shell::parts::PartWorker`: the
//! same `worker.js` and compiled module), posting the numeric columns'
//! numbers as one transferred run of `f64`, and goes on with the other
//! parts meanwhile (`core::explore::InsightsRun::hand_out_spearman`). The
//! matrix comes back as a message; anything else (the helper cannot start,
//! fails, sends something else, is not running yet when every other part
//! is done) takes the matrix back to be computed in the data worker, so
//! the insights are the same either way.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::explore::correlate::{numbers_of, spearman_matrix};
use crate::core::Dataset;
use crate::protocol::{FromPart, ToPart};
use crate::shell::parts::{Deliver, Heard, PartWorker};

/// Numeric cells (rows × columns) below which the matrix is computed in
/// the data worker: starting a worker costs tens of milliseconds, about
/// what ranking a million cells does.
pub const MIN_CELLS: usize = 1_000_000;

/// Numeric cells above which the matrix is computed in the data worker: the
/// numbers posted take 8 bytes a cell outside the engine's memory (256 MB
/// here), and the helper holds their ranks (4 bytes a cell) and a column
/// at a time; a dataset that large is near the memory the browser gives.
pub const MAX_CELLS: usize = 32_000_000;

/// A helper computing a dataset's Spearman matrix.
pub struct SpearmanHelper {
    worker: PartWorker,
    /// The numeric columns' positions in the dataset, in the matrix's
    /// order.
    columns: Vec<usize>,
    /// The columns' numbers are posted (the helper said it runs).
    sent: bool,
    /// A test's fault (`Fault::HelperFails`): the task names a column more
    /// than is posted.
    faulty: bool,
}

/// What the helper's message means for the insights.
pub enum Said {
    /// Nothing yet (it started, and was sent the columns).
    Wait,
    /// The matrix.
    Matrix(Vec<Vec<Option<f64>>>),
    /// It cannot compute it (why, for the console): compute it here.
    Failed(String),
}

impl SpearmanHelper {
    /// Starts a helper for `columns` (dataset positions); its messages go
    /// to `deliver`. `faulty`: a test's fault, the helper fails.
    pub fn start(
        columns: Vec<usize>,
        deliver: Deliver,
        faulty: bool,
    ) -> Result<SpearmanHelper, String> {
        Ok(SpearmanHelper {
            worker: PartWorker::spawn(0, deliver)?,
            columns,
            sent: false,
            faulty,
        })
    }

    /// Whether the columns are posted (it is computing).
    pub fn sent(&self) -> bool {
        self.sent
    }

    /// Takes what the helper said about `ds` (the dataset the columns are
    /// of): once it runs, it is sent the columns' numbers.
    pub fn heard(&mut self, ds: &Dataset, heard: Heard) -> Said {
        match heard {
            Ok((FromPart::Ready, _)) if !self.sent => match self.send(ds) {
                Ok(()) => Said::Wait,
                Err(why) => Said::Failed(why),
            },
            Ok((FromPart::Spearman { matrix }, _)) if self.sent => Said::Matrix(matrix),
            Ok((FromPart::Failed { reason }, _)) => Said::Failed(reason),
            Ok((other, _)) => Said::Failed(format!("the helper said {other:?}")),
            Err(why) => Said::Failed(why),
        }
    }

    /// Posts the columns' numbers, one column at a time into one buffer
    /// outside the engine's memory, transferred.
    fn send(&mut self, ds: &Dataset) -> Result<(), String> {
        let rows = ds.height();
        let cells = rows * self.columns.len();
        let buffer = js_sys::ArrayBuffer::new(
            u32::try_from(cells * 8).map_err(|_| "too many numbers to post")?,
        );
        for (k, &i) in self.columns.iter().enumerate() {
            let numbers = numbers_of(ds, i);
            if numbers.len() != rows {
                return Err(format!("column {i} is not numeric"));
            }
            js_sys::Float64Array::new_with_byte_offset_and_length(
                &buffer,
                (k * rows * 8) as u32,
                rows as u32,
            )
            .copy_from(&numbers);
        }
        let msg = ToPart::Spearman {
            rows,
            columns: self.columns.len() + usize::from(self.faulty),
        };
        let bytes: JsValue = js_sys::Uint8Array::new(&buffer).into();
        self.worker.send(&msg, Some(&bytes))?;
        self.sent = true;
        Ok(())
    }
}

/// The helper's side: the matrix of `columns` columns of `rows` numbers
/// each, posted `beside` as one run of `f64` (a `Uint8Array` over it).
pub fn spearman_job(
    rows: usize,
    columns: usize,
    beside: Option<JsValue>,
) -> Result<FromPart, String> {
    let bytes = beside
        .and_then(|b| b.dyn_into::<js_sys::Uint8Array>().ok())
        .ok_or("the helper was not given the numbers")?;
    let expected = rows.checked_mul(columns).and_then(|c| c.checked_mul(8));
    if expected != Some(bytes.length() as usize) || bytes.byte_offset() != 0 {
        return Err(format!(
            "the helper was given {} bytes for {columns} columns of {rows} numbers",
            bytes.length()
        ));
    }
    let all = js_sys::Float64Array::new(&bytes.buffer());
    let matrix = spearman_matrix(columns, |k| {
        all.subarray((k * rows) as u32, ((k + 1) * rows) as u32)
            .to_vec()
    });
    Ok(FromPart::Spearman { matrix })
}
