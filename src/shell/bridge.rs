//! The page's end of the worker: spawns the data worker of this build,
//! sends and receives CBOR messages (`crate::protocol`), and reports when
//! the worker stops (a crash, out of memory) or cannot be read.
//!
//! The worker is spawned from `worker-loader.js?build=<BUILD_ID>`, which
//! loads `worker.js` and `worker_bg.wasm` with the same query, so a page never
//! meets a cached worker of another build; the worker's first message names
//! its build and nothing is sent to a worker of another one.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::protocol::{decode_from_worker, encode, FromWorker, ToWorker, BUILD_ID};

/// What the worker said, or that it stopped.
pub enum Incoming {
    Message(Box<FromWorker>),
    /// Its bytes could not be read (a worker of another build?).
    Unreadable(String),
    /// It is of another build than the page: reload.
    OtherBuild(String),
    /// It stopped: an uncaught error (a trap, out of memory) or it could
    /// not start.
    Stopped(String),
}

/// Decodes the worker's warm-up samples (`protocol::warm_samples`), one
/// a task, and drops them: the decoders a file's messages go through, and
/// the encoder of the profile as it is saved (`controller::load`), are
/// then compiled before the first file.
pub async fn warm_decoders(samples: Vec<serde_bytes::ByteBuf>) {
    for bytes in samples {
        gloo::timers::future::TimeoutFuture::new(0).await;
        match decode_from_worker(&bytes) {
            Ok(FromWorker::Loaded {
                profile: Some(profile),
                ..
            }) => {
                gloo::timers::future::TimeoutFuture::new(0).await;
                let _ = serde_json::to_string(&profile);
            }
            Ok(_) => {}
            // Only slower first messages follow; said for whoever looks.
            Err(why) => web_sys::console::warn_1(
                &format!("Plainsight: a warm-up sample did not decode ({why})").into(),
            ),
        }
    }
}

/// Messages' bytes, each with what is posted beside it (a file).
type Queue = Rc<RefCell<Option<Vec<(Vec<u8>, Option<JsValue>)>>>>;

/// A running data worker. Dropping it terminates the worker.
pub struct Engine {
    worker: web_sys::Worker,
    /// Messages waiting until the worker has said hello (`None` after).
    queue: Queue,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl Engine {
    /// Starts a worker; `deliver` receives everything it says. `deliver`
    /// must not drop the engine while it runs (defer that to a task).
    pub fn spawn(deliver: Rc<dyn Fn(Incoming)>) -> Result<Engine, String> {
        let url = format!("./worker-loader.js?build={BUILD_ID}");
        let worker = web_sys::Worker::new(&url).map_err(describe)?;
        let queue: Queue = Rc::new(RefCell::new(Some(Vec::new())));
        let on_message = {
            let deliver = deliver.clone();
            let worker = worker.clone();
            let queue = queue.clone();
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let data = e.data();
                let Some(bytes) = data.dyn_ref::<js_sys::Uint8Array>() else {
                    // The loader reports a failed start as text.
                    let why = data
                        .as_string()
                        .unwrap_or_else(|| "it sent something that is not a message".into());
                    return deliver(Incoming::Stopped(why));
                };
                match decode_from_worker(&bytes.to_vec()) {
                    Ok(FromWorker::Hello { build }) if build != BUILD_ID => {
                        deliver(Incoming::OtherBuild(build))
                    }
                    Ok(FromWorker::Hello { .. }) => {
                        crate::shell::mark("plainsight-engine");
                        let waiting = queue.borrow_mut().take().unwrap_or_default();
                        for (bytes, beside) in waiting {
                            post(&worker, &bytes, beside.as_ref());
                        }
                    }
                    Ok(msg) => deliver(Incoming::Message(Box::new(msg))),
                    Err(e) => deliver(Incoming::Unreadable(e.0)),
                }
            })
        };
        let on_error =
            Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |e: web_sys::ErrorEvent| {
                e.prevent_default();
                let message = e.message();
                deliver(Incoming::Stopped(if message.is_empty() {
                    "it could not start or stopped without a reason".into()
                } else {
                    message
                }));
            });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Engine {
            worker,
            queue,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends `msg` (queued until the worker is ready).
    pub fn send(&self, msg: &ToWorker) -> Result<(), String> {
        self.send_with(msg, None)
    }

    /// Sends `msg` with `beside` (a file: `ToWorker::ReadFile`).
    pub fn send_with(&self, msg: &ToWorker, beside: Option<JsValue>) -> Result<(), String> {
        let bytes = encode(msg).map_err(|e| e.0)?;
        match self.queue.borrow_mut().as_mut() {
            Some(waiting) => waiting.push((bytes, beside)),
            None => post(&self.worker, &bytes, beside.as_ref()),
        }
        Ok(())
    }
}

impl Drop for Engine {
    fn drop(&mut self) {
        self.worker.set_onmessage(None);
        self.worker.set_onerror(None);
        self.worker.terminate();
    }
}

fn post(worker: &web_sys::Worker, bytes: &[u8], beside: Option<&JsValue>) {
    let (message, transfer) = wire(bytes, beside);
    let _ = worker.post_message_with_transfer(&message, &transfer);
}

/// A message as posted between the page and the workers: its bytes as a
/// `Uint8Array`, alone or, with something `beside` it (a file, a table's
/// bytes), in an array of two; and the buffers transferred (not copied):
/// the bytes', and `beside`'s when it is a `Uint8Array` or an array of
/// them (each over a buffer of its own).
pub(crate) fn wire(bytes: &[u8], beside: Option<&JsValue>) -> (JsValue, js_sys::Array) {
    let array = js_sys::Uint8Array::from(bytes);
    let transfer = js_sys::Array::of1(&array.buffer());
    let Some(beside) = beside else {
        return (array.into(), transfer);
    };
    // A table, or an array of tables (each its own buffer), is moved.
    if let Some(table) = beside.dyn_ref::<js_sys::Uint8Array>() {
        transfer.push(&table.buffer());
    } else if let Some(tables) = beside.dyn_ref::<js_sys::Array>() {
        for table in tables.iter() {
            if let Some(table) = table.dyn_ref::<js_sys::Uint8Array>() {
                transfer.push(&table.buffer());
            }
        }
    }
    (js_sys::Array::of2(&array, beside).into(), transfer)
}

/// A message [`wire`] posted: its bytes, and what came beside them.
pub(crate) fn unwire(data: &JsValue) -> Option<(Vec<u8>, Option<JsValue>)> {
    if let Some(bytes) = data.dyn_ref::<js_sys::Uint8Array>() {
        return Some((bytes.to_vec(), None));
    }
    let pair = data.dyn_ref::<js_sys::Array>()?;
    let bytes = pair.get(0).dyn_into::<js_sys::Uint8Array>().ok()?;
    Some((bytes.to_vec(), Some(pair.get(1))))
}

fn describe(v: JsValue) -> String {
    crate::shell::js_message(&v, "the browser refused")
}
