//! A helper worker for a dataset's insights (issue 16): the data worker
//! computes the insights a part per task on one core; on a dataset large
//! enough, it hands the Spearman matrix (about half of the correlations'
//! time) to a part worker started for it (`shell::parts::PartWorker`: the
//! same `worker.js` and compiled module), posting the numeric columns'
//! numbers as one transferred run of `f64`, and goes on with the other
//! parts meanwhile (`core::explore::InsightsRun::hand_out_spearman`). The
//! helper is started when a large file is chosen (a worker takes a second
//! or more to start beside a read), and stopped once it answers. The
//! matrix comes back as a message; anything else (the helper cannot start,
//! fails, sends something else, is not running yet when every other part
//! is done) takes the matrix back to be computed in the data worker, so
//! the insights are the same either way.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::core::explore::correlate::{numbers_of, spearman_matrix};
use crate::core::Dataset;
use crate::protocol::{DatasetRef, FromPart, ToPart};
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

/// A file of this many bytes or more, read for a dataset, starts a helper
/// at once, so that it is running by the time the insights are asked for
/// (a worker takes a second or more to start while the file is read).
pub const START_EARLY_BYTES: u64 = 8 << 20;

/// A helper that has not answered this long (ms) after it was asked is
/// given up and the matrix computed in the data worker (a worker can stop
/// without an error event; the largest matrix asked for, 32 million cells,
/// takes a few seconds).
pub const ANSWER_WAIT_MS: i32 = 60_000;

/// A helper worker: started early and idle, or computing a dataset's
/// Spearman matrix.
pub struct SpearmanHelper {
    worker: PartWorker,
    /// It said it runs.
    ready: bool,
    task: Option<Task>,
    /// A test's fault (`Fault::HelperFails`): the task names a column more
    /// than is posted.
    faulty: bool,
}

/// The matrix asked of a helper.
struct Task {
    about: DatasetRef,
    /// The numeric columns' positions in the dataset, in the matrix's
    /// order.
    columns: Vec<usize>,
    /// The columns' numbers are posted (it is computing).
    sent: bool,
}

/// What the helper's message means for the insights.
pub enum Said {
    /// Nothing to do (it started, or was sent the columns).
    Wait,
    /// The matrix of dataset `about`.
    Matrix(DatasetRef, Vec<Vec<Option<f64>>>),
    /// It cannot compute the matrix (of the dataset named, if it was
    /// asked for one; why, for the console): stop it, compute it here.
    Failed(Option<DatasetRef>, String),
}

impl SpearmanHelper {
    /// Starts a helper; its messages go to `deliver`. `faulty`: a test's
    /// fault, the helper fails its task.
    pub fn start(deliver: Deliver, faulty: bool) -> Result<SpearmanHelper, String> {
        Ok(SpearmanHelper {
            worker: PartWorker::spawn(0, deliver)?,
            ready: false,
            task: None,
            faulty,
        })
    }

    /// The dataset whose matrix it was asked for.
    pub fn working_for(&self) -> Option<&DatasetRef> {
        self.task.as_ref().map(|t| &t.about)
    }

    /// It is computing the matrix of dataset `about`.
    pub fn computing(&self, about: &DatasetRef) -> bool {
        self.task
            .as_ref()
            .is_some_and(|t| t.sent && &t.about == about)
    }

    /// Asks it for the matrix of the numeric `columns` (dataset positions)
    /// of `ds`, dataset `about`: posted now when it runs and `send_now`,
    /// else once it says it runs. Err when it was asked already.
    pub fn ask(
        &mut self,
        about: DatasetRef,
        columns: Vec<usize>,
        ds: &Dataset,
        send_now: bool,
    ) -> Result<(), String> {
        if self.task.is_some() {
            return Err("the helper is busy".into());
        }
        self.task = Some(Task {
            about,
            columns,
            sent: false,
        });
        if self.ready && send_now {
            self.send(ds)?;
        }
        Ok(())
    }

    /// Takes what the helper said; `ds` gives the dataset a task is about
    /// to post its numbers, or why they cannot be posted now.
    pub fn heard<'a>(
        &mut self,
        heard: Heard,
        ds: impl FnOnce(&DatasetRef) -> Result<&'a Dataset, String>,
    ) -> Said {
        let about = self.working_for().cloned();
        let failed = |why: String| Said::Failed(about.clone(), why);
        match heard {
            Ok((FromPart::Ready, _)) if !self.ready => {
                self.ready = true;
                let Some(task) = self.task.as_ref() else {
                    return Said::Wait;
                };
                let ds = match ds(&task.about) {
                    Ok(ds) => ds,
                    Err(why) => return failed(why),
                };
                match self.send(ds) {
                    Ok(()) => Said::Wait,
                    Err(why) => failed(why),
                }
            }
            Ok((FromPart::Spearman { matrix }, _)) => match self.task.take() {
                Some(task) if task.sent => Said::Matrix(task.about, matrix),
                _ => failed("the helper sent a matrix not asked for".into()),
            },
            Ok((FromPart::Failed { reason }, _)) => failed(reason),
            Ok((other, _)) => failed(format!("the helper said {other:?}")),
            Err(why) => failed(why),
        }
    }

    /// Posts the task's columns' numbers, one column at a time into one
    /// buffer outside the engine's memory, transferred.
    fn send(&mut self, ds: &Dataset) -> Result<(), String> {
        let task = self.task.as_mut().ok_or("no task")?;
        let rows = ds.height();
        let cells = rows * task.columns.len();
        let bytes = u32::try_from(cells * 8).map_err(|_| "too many numbers to post")?;
        // Made through `Reflect::construct`, which catches: the browser may
        // refuse a buffer this large (a `RangeError` thrown through the
        // engine would leave the data worker half-way through a task).
        let constructor = js_sys::ArrayBuffer::new(0).constructor();
        let buffer: js_sys::ArrayBuffer =
            js_sys::Reflect::construct(&constructor, &js_sys::Array::of1(&bytes.into()))
                .map_err(|e| {
                    crate::shell::js_message(&e, "the browser refused the numbers' buffer")
                })?
                .unchecked_into();
        for (k, &i) in task.columns.iter().enumerate() {
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
            columns: task.columns.len() + usize::from(self.faulty),
        };
        let bytes: JsValue = js_sys::Uint8Array::new(&buffer).into();
        self.worker.send(&msg, Some(&bytes))?;
        task.sent = true;
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
