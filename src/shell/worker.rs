//! The data worker: owns the parsed dataset and does the heavy work (parse,
//! profile, sort) off the page's thread so the page never freezes.

use gloo_worker::{HandlerId, Worker, WorkerScope};
use wasm_bindgen::JsCast;

use super::protocol::{FromWorker, JobId, SortKey, ToWorker};
use crate::core::{self, Dataset, IngestError, Ingester};

pub struct DataWorker {
    /// The file being read, if any.
    reading: Option<(JobId, Ingester, f64)>,
    /// The dataset the page is looking at.
    current: Option<Dataset>,
    /// Sort order cached for `current`.
    order: Option<(SortKey, Vec<u32>)>,
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn wasm_memory_bytes() -> u64 {
    wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .ok()
        .and_then(|m| m.buffer().dyn_into::<js_sys::ArrayBuffer>().ok())
        .map(|b| b.byte_length() as u64)
        .unwrap_or(0)
}

impl Worker for DataWorker {
    type Message = ();
    type Input = ToWorker;
    type Output = FromWorker;

    fn create(_scope: &WorkerScope<Self>) -> Self {
        DataWorker {
            reading: None,
            current: None,
            order: None,
        }
    }

    fn update(&mut self, _scope: &WorkerScope<Self>, _msg: Self::Message) {}

    fn received(&mut self, scope: &WorkerScope<Self>, msg: Self::Input, id: HandlerId) {
        match msg {
            ToWorker::Begin { job, name, size } => match Ingester::new(&name, size) {
                Ok(ing) => {
                    self.reading = Some((job, ing, now_ms()));
                    scope.respond(id, FromWorker::Progress { job, bytes_done: 0 });
                }
                Err(error) => {
                    self.reading = None;
                    scope.respond(id, FromWorker::Failed { job, error });
                }
            },
            ToWorker::Chunk { job, bytes } => {
                let Some((current_job, ing, _)) = self.reading.as_mut() else {
                    return;
                };
                if *current_job != job {
                    return;
                }
                match ing.push(&bytes) {
                    Ok(()) => {
                        let bytes_done = ing.bytes_seen();
                        scope.respond(id, FromWorker::Progress { job, bytes_done });
                    }
                    Err(error) => {
                        self.reading = None;
                        scope.respond(id, FromWorker::Failed { job, error });
                    }
                }
            }
            ToWorker::Finish { job } => {
                let Some((current_job, ing, started)) = self.reading.take() else {
                    return;
                };
                if current_job != job {
                    self.reading = Some((current_job, ing, started));
                    return;
                }
                let result: Result<Dataset, IngestError> = ing.finish();
                match result {
                    Ok(ds) => {
                        let profile = Box::new(core::profile(&ds));
                        // Drop the previous dataset before keeping the new one.
                        self.current = Some(ds);
                        self.order = None;
                        let elapsed_ms = now_ms() - started;
                        scope.respond(
                            id,
                            FromWorker::Profiled {
                                job,
                                profile,
                                elapsed_ms,
                                wasm_memory: wasm_memory_bytes(),
                            },
                        );
                    }
                    Err(error) => scope.respond(id, FromWorker::Failed { job, error }),
                }
            }
            ToWorker::Cancel { job } => {
                if matches!(&self.reading, Some((j, _, _)) if *j == job) {
                    self.reading = None;
                }
            }
            ToWorker::Rows {
                request,
                offset,
                limit,
                sort,
            } => {
                let Some(ds) = self.current.as_ref() else {
                    scope.respond(
                        id,
                        FromWorker::Rows {
                            request,
                            offset,
                            total: 0,
                            rows: Vec::new(),
                        },
                    );
                    return;
                };
                let total = ds.frame.height();
                if let Some(key) = sort {
                    let stale = !matches!(&self.order, Some((k, _)) if *k == key);
                    if stale {
                        let order = core::table::sort_order(ds, key.column, key.descending);
                        self.order = Some((key, order));
                    }
                }
                let order = match (sort, &self.order) {
                    (Some(_), Some((_, o))) => Some(o.as_slice()),
                    _ => None,
                };
                let rows = core::table::rows(ds, order, offset, limit);
                scope.respond(
                    id,
                    FromWorker::Rows {
                        request,
                        offset,
                        total,
                        rows,
                    },
                );
            }
        }
    }
}
