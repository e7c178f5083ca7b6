//! Tabs of one browser stay in step: storage announces every write that
//! completed ([`announce`]) on a `BroadcastChannel`, and the other tabs of
//! this site read the changed client again ([`listen`]). A message carries
//! ids and what changed, never data. Where the browser has no
//! `BroadcastChannel`, tabs only meet at their next read.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::storage::Changed;

const CHANNEL: &str = "plainsight-storage";

/// A write another tab made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub client: String,
    pub dataset: Option<String>,
    pub what: String,
}

impl Note {
    pub fn changed(&self) -> Option<Changed> {
        Some(match self.what.as_str() {
            "clients" => Changed::Clients,
            "datasets" => Changed::Datasets,
            "recipe" => Changed::Recipe,
            "models" => Changed::Models,
            _ => return None,
        })
    }
}

fn word(c: Changed) -> &'static str {
    match c {
        Changed::Clients => "clients",
        Changed::Datasets => "datasets",
        Changed::Recipe => "recipe",
        Changed::Models => "models",
    }
}

struct Channel {
    channel: web_sys::BroadcastChannel,
    _on_message: Option<Closure<dyn FnMut(web_sys::MessageEvent)>>,
}

thread_local! {
    static CHANNEL_OF_PAGE: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

fn with_channel(f: impl FnOnce(&mut Channel)) {
    CHANNEL_OF_PAGE.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            if let Ok(channel) = web_sys::BroadcastChannel::new(CHANNEL) {
                *c = Some(Channel {
                    channel,
                    _on_message: None,
                });
            }
        }
        if let Some(c) = c.as_mut() {
            f(c);
        }
    });
}

/// Tells the other tabs that this tab stored a change of `client`.
pub fn announce(client: &str, dataset: Option<&str>, what: Changed) {
    let note = Note {
        client: client.to_string(),
        dataset: dataset.map(str::to_string),
        what: word(what).to_string(),
    };
    let Ok(text) = serde_json::to_string(&note) else {
        return;
    };
    with_channel(|c| {
        let _ = c.channel.post_message(&JsValue::from_str(&text));
    });
}

/// Calls `on_note` for every change another tab stores.
pub fn listen(on_note: Rc<dyn Fn(Note)>) {
    with_channel(|c| {
        let closure =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let note = e
                    .data()
                    .as_string()
                    .and_then(|t| serde_json::from_str::<Note>(&t).ok());
                if let Some(note) = note {
                    on_note(note);
                }
            });
        c.channel
            .set_onmessage(Some(closure.as_ref().unchecked_ref()));
        c._on_message = Some(closure);
    });
}

/// What another tab changed in the client shown here, for people.
pub fn sentence(what: Changed, dataset: Option<&str>) -> String {
    let of = dataset.map(|d| format!(" of {d}")).unwrap_or_default();
    match what {
        Changed::Clients => "Another tab changed the clients; this list is up to date.".into(),
        Changed::Datasets => {
            "Another tab added or deleted a dataset of this client; the list is up to date.".into()
        }
        Changed::Recipe => format!(
            "Another tab changed the cleaning recipe{of}; it is the one saved now (and shown here if this tab shows that dataset)."
        ),
        Changed::Models => format!(
            "Another tab saved a model version{of}; it is listed on the Model tab."
        ),
    }
}
