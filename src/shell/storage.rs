//! The one module that owns IndexedDB.
//!
//! Invariants:
//! - every write is ONE transaction, and nothing but IndexedDB requests are
//!   issued inside it (awaiting anything else lets it auto-commit);
//! - a write is reported done only on the transaction's `complete` event; an
//!   `abort` (quota exceeded, or any failed request) reports an error and the
//!   previous state stays as it was;
//! - a change to a stored dataset is a read-modify-write of the fields it
//!   means inside ONE transaction ([`Storage::update_dataset`]), which bumps
//!   the record's `revision`: two tabs (or a save racing a recipe) never
//!   write a stale copy of the other fields; a record that is gone (deleted
//!   meanwhile) is not recreated, and one that cannot be read is never
//!   overwritten;
//! - every write that completes is announced to the other tabs
//!   ([`super::tabsync`]);
//! - an open connection closes itself on `versionchange` (so another tab can
//!   upgrade the database) and says so: later writes fail with
//!   `StorageError::Closed` and the page asks for a reload.
//!
//! Stores: `clients` {id, name, created_ms}; `datasets` {id, client_id, name,
//! size, loaded_ms, rows, cols, profile, recipe, runs (JSON texts)} with an index on
//! client_id; `files` {id, blob}: the raw bytes as a Blob, under the dataset's id;
//! `models` {blob}: each kept model of a model version (`core::ml::saved` bytes)
//! under "<dataset id>/v<version>/<model>" (so a dataset's models are one key
//! range).

use std::cell::RefCell;
use std::rc::Rc;

use futures::channel::oneshot;
use js_sys::{Array, Reflect};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode};

use crate::core::backup::{Backup, DatasetEntry, ModelEntry};
use crate::core::DatasetProfile;

const DB_NAME: &str = "plainsight";
/// 2: the `models` store.
const DB_VERSION: u32 = 2;
const CLIENTS: &str = "clients";
const DATASETS: &str = "datasets";
const FILES: &str = "files";
const MODELS: &str = "models";
const SELECTED_CLIENT_KEY: &str = "plainsight.selected-client";

/// What can go wrong with the browser's storage, in terms the edge can explain.
#[derive(Clone, Debug, PartialEq)]
pub enum StorageError {
    /// IndexedDB is not available (private mode in some browsers, or disabled).
    Unavailable(String),
    /// Another tab holds an older version of the database open.
    Blocked,
    /// The browser refused to store more (quota).
    Quota,
    /// The transaction was aborted for another reason.
    Aborted(String),
    /// A request failed.
    Failed(String),
    /// The dataset was deleted meanwhile (in another tab, or its client):
    /// the save is dropped rather than recreating it.
    Gone,
    /// The stored record cannot be read; it is left as it is.
    Unreadable(String),
    /// The connection was closed because a newer Plainsight opened the
    /// database in another tab.
    Closed,
    /// What was asked is larger than the page can hold at once (bytes).
    TooLarge(u64),
}

impl StorageError {
    /// A sentence for people: what happened and what to do.
    pub fn user_message(&self, action: &str) -> String {
        match self {
            StorageError::Unavailable(why) => format!(
                "Could not {action}: this browser does not allow local storage here ({why}). Nothing was saved. Open Plainsight in a normal (not private) window."
            ),
            StorageError::Blocked => format!(
                "Could not {action}: Plainsight is open in another tab with an older version. Close the other tabs and reload this page."
            ),
            StorageError::Quota => format!(
                "Could not {action}: the browser has no more storage space for this site. Nothing was changed. Delete datasets you no longer need, or free disk space, and try again."
            ),
            StorageError::Aborted(why) => format!(
                "Could not {action}: the browser stopped the save ({why}). Nothing was changed; your earlier data is intact. Try again."
            ),
            StorageError::Failed(why) => format!(
                "Could not {action} ({why}). Nothing was changed; your earlier data is intact. Try again."
            ),
            StorageError::Gone => format!(
                "Did not {action}: the dataset was deleted meanwhile (in another tab?), so nothing was saved for it."
            ),
            StorageError::Unreadable(why) => format!(
                "Could not {action}: the stored record cannot be read ({why}). It was left exactly as it is; export a backup of this client (Backup in the sidebar) before changing anything else."
            ),
            StorageError::Closed => format!(
                "Could not {action}: Plainsight was updated in another tab. Reload this page; nothing was changed."
            ),
            StorageError::TooLarge(n) => format!(
                "Could not {action}: it holds {} and a backup is built whole in this page's memory (at most {}). Delete datasets or model versions you no longer need, or download the largest files on their own, then try again.",
                crate::messages::bytes(*n),
                crate::messages::bytes(crate::core::backup::MAX_BYTES)
            ),
        }
    }
}

fn describe(v: &JsValue) -> String {
    if let Some(e) = v.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", e.name(), e.message());
    }
    if let Some(e) = v.dyn_ref::<js_sys::Error>() {
        return String::from(e.message());
    }
    v.as_string().unwrap_or_else(|| "unknown error".to_string())
}

fn failed(v: JsValue) -> StorageError {
    StorageError::Failed(describe(&v))
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClientRecord {
    pub id: String,
    pub name: String,
    pub created_ms: f64,
}

/// A dataset as listed in the sidebar, with its stored profile.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DatasetRecord {
    pub id: String,
    pub client_id: String,
    pub name: String,
    pub size: f64,
    pub loaded_ms: f64,
    pub rows: f64,
    pub cols: f64,
    /// The DatasetProfile as JSON text.
    pub profile: String,
    /// The applied cleaning recipe as JSON text ("" when none).
    #[serde(default)]
    pub recipe: String,
    /// The processing log: the recipe's runs (JSON list of RunLog).
    #[serde(default)]
    pub runs: String,
    /// The trained model versions (JSON list of ModelVersion, oldest
    /// first; "" when none).
    #[serde(default)]
    pub models: String,
    /// Bumped by every change ([`Storage::update_dataset`]).
    #[serde(default)]
    pub revision: u32,
    /// The sheet read, for a workbook ("" for other files).
    #[serde(default)]
    pub sheet: String,
}

impl DatasetRecord {
    pub fn profile(&self) -> Option<DatasetProfile> {
        serde_json::from_str(&self.profile).ok()
    }

    /// The file's name, and its sheet for a workbook ("book.xlsx · Orders").
    pub fn label(&self) -> String {
        if self.sheet.is_empty() {
            self.name.clone()
        } else {
            format!("{} · {}", self.name, self.sheet)
        }
    }
}

/// Listeners that live until the awaited event fires (then they are dropped).
struct Listeners {
    _closures: Vec<Closure<dyn FnMut(web_sys::Event)>>,
}

type Slot<T> = Rc<RefCell<Option<oneshot::Sender<T>>>>;

fn slot<T>() -> (Slot<T>, oneshot::Receiver<T>) {
    let (tx, rx) = oneshot::channel();
    (Rc::new(RefCell::new(Some(tx))), rx)
}

fn fire<T>(slot: &Slot<T>, value: T) {
    if let Some(tx) = slot.borrow_mut().take() {
        let _ = tx.send(value);
    }
}

/// Waits for a request's `success` (its result) or `error`.
async fn request(req: &IdbRequest) -> Result<JsValue, StorageError> {
    let (s, rx) = slot::<Result<JsValue, StorageError>>();
    let ok = {
        let s = s.clone();
        let req = req.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
            fire(&s, req.result().map_err(failed));
        })
    };
    let err = {
        let s = s.clone();
        let req = req.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
            let why = match req.error() {
                Ok(Some(e)) => format!("{}: {}", e.name(), e.message()),
                _ => "request failed".to_string(),
            };
            fire(&s, Err(StorageError::Failed(why)));
        })
    };
    req.set_onsuccess(Some(ok.as_ref().unchecked_ref()));
    req.set_onerror(Some(err.as_ref().unchecked_ref()));
    let _keep = Listeners {
        _closures: vec![ok, err],
    };
    let out = rx
        .await
        .unwrap_or_else(|_| Err(StorageError::Failed("request dropped".into())));
    req.set_onsuccess(None);
    req.set_onerror(None);
    out
}

/// Waits for a transaction to end: Ok on `complete`, Err on `abort`.
/// Must be called right after the transaction's requests were issued, with no
/// other await in between.
async fn finished(tx: &IdbTransaction) -> Result<(), StorageError> {
    let (s, rx) = slot::<Result<(), StorageError>>();
    let complete = {
        let s = s.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| fire(&s, Ok(())))
    };
    let abort = {
        let s = s.clone();
        let tx = tx.clone();
        Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
            let err = match tx.error() {
                Some(e) if e.name() == "QuotaExceededError" => StorageError::Quota,
                Some(e) => StorageError::Aborted(format!("{}: {}", e.name(), e.message())),
                None => StorageError::Aborted("the transaction was aborted".into()),
            };
            fire(&s, Err(err));
        })
    };
    tx.set_oncomplete(Some(complete.as_ref().unchecked_ref()));
    tx.set_onabort(Some(abort.as_ref().unchecked_ref()));
    // `error` bubbles from a failed request and is followed by `abort`; we
    // wait for the abort so the state is final when we report.
    let _keep = Listeners {
        _closures: vec![complete, abort],
    };
    rx.await
        .unwrap_or_else(|_| Err(StorageError::Aborted("transaction dropped".into())))
}

/// Test hook: `?fault=idb-abort` makes dataset saves abort, exercising the same
/// path a quota error takes.
fn fault_injected(kind: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .map(|s| s.contains(&format!("fault={kind}")))
        .unwrap_or(false)
}

#[derive(Clone)]
pub struct Storage {
    db: IdbDatabase,
    /// Closed on `versionchange` (a newer Plainsight in another tab).
    closed: Rc<std::cell::Cell<bool>>,
}

/// A write that goes with a dataset's change, in its transaction.
pub enum Extra {
    /// A kept model's bytes under its key.
    PutModel(String, Blob),
    /// Deletes the kept models whose keys start with this.
    DropModels(String),
}

/// What changed, for the other tabs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Changed {
    Clients,
    Datasets,
    Recipe,
    Models,
}

impl PartialEq for Storage {
    fn eq(&self, other: &Self) -> bool {
        self.db == other.db
    }
}

impl Storage {
    /// Opens (and if needed creates or upgrades) the database.
    /// `on_versionchange` runs when another tab needs it closed.
    pub async fn open(on_versionchange: Rc<dyn Fn()>) -> Result<Storage, StorageError> {
        let window =
            web_sys::window().ok_or_else(|| StorageError::Unavailable("no window".into()))?;
        let factory = window
            .indexed_db()
            .map_err(|e| StorageError::Unavailable(describe(&e)))?
            .ok_or_else(|| StorageError::Unavailable("IndexedDB is missing".into()))?;
        let open = factory
            .open_with_u32(DB_NAME, DB_VERSION)
            .map_err(|e| StorageError::Unavailable(describe(&e)))?;

        let upgrade = {
            let open = open.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
                let Ok(result) = open.result() else { return };
                let db: IdbDatabase = result.unchecked_into();
                let names = db.object_store_names();
                if !names.contains(CLIENTS) {
                    let params = web_sys::IdbObjectStoreParameters::new();
                    params.set_key_path(&JsValue::from_str("id"));
                    let _ = db.create_object_store_with_optional_parameters(CLIENTS, &params);
                }
                if !names.contains(DATASETS) {
                    let params = web_sys::IdbObjectStoreParameters::new();
                    params.set_key_path(&JsValue::from_str("id"));
                    if let Ok(store) =
                        db.create_object_store_with_optional_parameters(DATASETS, &params)
                    {
                        let _ = store.create_index_with_str("client_id", "client_id");
                    }
                }
                if !names.contains(FILES) {
                    let _ = db.create_object_store(FILES);
                }
                if !names.contains(MODELS) {
                    let _ = db.create_object_store(MODELS);
                }
            })
        };
        open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));

        let (blocked_slot, blocked_rx) = slot::<()>();
        let blocked = {
            let s = blocked_slot.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| fire(&s, ()))
        };
        open.set_onblocked(Some(blocked.as_ref().unchecked_ref()));

        let req: &IdbRequest = open.as_ref();
        let opened = request(req);
        futures::pin_mut!(opened);
        let result = futures::future::select(opened, blocked_rx).await;
        let db: IdbDatabase = match result {
            futures::future::Either::Left((r, _)) => r?.unchecked_into(),
            futures::future::Either::Right(_) => return Err(StorageError::Blocked),
        };
        open.set_onupgradeneeded(None);
        open.set_onblocked(None);
        drop(upgrade);
        drop(blocked);

        // Let a newer version in another tab upgrade: close on
        // versionchange, and say so.
        let closed = Rc::new(std::cell::Cell::new(false));
        let on_change = {
            let db = db.clone();
            let closed = closed.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |_e: web_sys::Event| {
                db.close();
                closed.set(true);
                on_versionchange();
            })
        };
        db.set_onversionchange(Some(on_change.as_ref().unchecked_ref()));
        on_change.forget(); // lives as long as the connection
        Ok(Storage { db, closed })
    }

    fn tx(
        &self,
        stores: &[&str],
        mode: IdbTransactionMode,
    ) -> Result<IdbTransaction, StorageError> {
        if self.closed.get() {
            return Err(StorageError::Closed);
        }
        let names = Array::new();
        for s in stores {
            names.push(&JsValue::from_str(s));
        }
        self.db
            .transaction_with_str_sequence_and_mode(&names, mode)
            .map_err(failed)
    }

    fn store(tx: &IdbTransaction, name: &str) -> Result<IdbObjectStore, StorageError> {
        tx.object_store(name).map_err(failed)
    }

    async fn get_all<T: for<'de> Deserialize<'de>>(
        &self,
        store: &str,
    ) -> Result<Vec<T>, StorageError> {
        let tx = self.tx(&[store], IdbTransactionMode::Readonly)?;
        let req = Self::store(&tx, store)?.get_all().map_err(failed)?;
        let v = request(&req).await?;
        serde_wasm_bindgen::from_value(v).map_err(|e| StorageError::Failed(e.to_string()))
    }

    pub async fn clients(&self) -> Result<Vec<ClientRecord>, StorageError> {
        let mut all: Vec<ClientRecord> = self.get_all(CLIENTS).await?;
        all.sort_by(|a, b| a.created_ms.total_cmp(&b.created_ms));
        Ok(all)
    }

    pub async fn put_client(&self, client: &ClientRecord) -> Result<(), StorageError> {
        let tx = self.tx(&[CLIENTS], IdbTransactionMode::Readwrite)?;
        let value = to_js(client)?;
        Self::store(&tx, CLIENTS)?.put(&value).map_err(failed)?;
        finished(&tx).await?;
        written(&client.id, None, Changed::Clients);
        Ok(())
    }

    /// The datasets of one client, oldest first.
    pub async fn datasets(&self, client_id: &str) -> Result<Vec<DatasetRecord>, StorageError> {
        Ok(self.datasets_checked(client_id).await?.0)
    }

    /// The datasets of one client that can be read, oldest first, and how
    /// many stored records of it cannot be (left as they are).
    pub async fn datasets_checked(
        &self,
        client_id: &str,
    ) -> Result<(Vec<DatasetRecord>, usize), StorageError> {
        let tx = self.tx(&[DATASETS], IdbTransactionMode::Readonly)?;
        let index = Self::store(&tx, DATASETS)?
            .index("client_id")
            .map_err(failed)?;
        let req = index
            .get_all_with_key(&JsValue::from_str(client_id))
            .map_err(failed)?;
        let v = request(&req).await?;
        let stored: Array = v.dyn_into().map_err(failed)?;
        let mut all = Vec::new();
        let mut unreadable = 0;
        for value in stored.iter() {
            match serde_wasm_bindgen::from_value::<DatasetRecord>(value) {
                Ok(rec) => all.push(rec),
                Err(_) => unreadable += 1,
            }
        }
        all.sort_by(|a, b| a.loaded_ms.total_cmp(&b.loaded_ms));
        Ok((all, unreadable))
    }

    /// One stored dataset (None when it is gone).
    pub async fn dataset(&self, id: &str) -> Result<Option<DatasetRecord>, StorageError> {
        let tx = self.tx(&[DATASETS], IdbTransactionMode::Readonly)?;
        let req = Self::store(&tx, DATASETS)?
            .get(&JsValue::from_str(id))
            .map_err(failed)?;
        let v = request(&req).await?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        serde_wasm_bindgen::from_value(v)
            .map(Some)
            .map_err(|e| StorageError::Unreadable(e.to_string()))
    }

    /// Saves a dataset's record and its raw bytes in ONE transaction.
    pub async fn put_dataset(
        &self,
        record: &DatasetRecord,
        file: &Blob,
    ) -> Result<(), StorageError> {
        let tx = self.tx(&[DATASETS, FILES], IdbTransactionMode::Readwrite)?;
        let value = to_js(record)?;
        Self::store(&tx, DATASETS)?.put(&value).map_err(failed)?;
        let file_value = js_sys::Object::new();
        Reflect::set(&file_value, &"blob".into(), file).map_err(failed)?;
        Self::store(&tx, FILES)?
            .put_with_key(&file_value, &JsValue::from_str(&record.id))
            .map_err(failed)?;
        if fault_injected("idb-abort") {
            let _ = tx.abort();
        }
        finished(&tx).await?;
        written(&record.client_id, Some(&record.id), Changed::Datasets);
        Ok(())
    }

    /// The raw bytes of a stored dataset.
    pub async fn file(&self, dataset_id: &str) -> Result<Option<Blob>, StorageError> {
        self.blob(FILES, dataset_id).await
    }

    /// The `blob` of the value under `key` in `store`.
    async fn blob(&self, store: &str, key: &str) -> Result<Option<Blob>, StorageError> {
        let tx = self.tx(&[store], IdbTransactionMode::Readonly)?;
        let req = Self::store(&tx, store)?
            .get(&JsValue::from_str(key))
            .map_err(failed)?;
        let v = request(&req).await?;
        if v.is_undefined() || v.is_null() {
            return Ok(None);
        }
        let blob = Reflect::get(&v, &"blob".into()).map_err(failed)?;
        Ok(blob.dyn_into::<Blob>().ok())
    }

    pub async fn delete_dataset(
        &self,
        client_id: &str,
        dataset_id: &str,
    ) -> Result<(), StorageError> {
        let tx = self.tx(&[DATASETS, FILES, MODELS], IdbTransactionMode::Readwrite)?;
        let key = JsValue::from_str(dataset_id);
        Self::store(&tx, DATASETS)?.delete(&key).map_err(failed)?;
        Self::store(&tx, FILES)?.delete(&key).map_err(failed)?;
        Self::store(&tx, MODELS)?
            .delete(&models_of(dataset_id)?)
            .map_err(failed)?;
        finished(&tx).await?;
        written(client_id, Some(dataset_id), Changed::Datasets);
        Ok(())
    }

    /// Changes the stored dataset `id` in ONE transaction: reads it, lets
    /// `change` edit the fields it means (and name the model writes that go
    /// with it), bumps its revision and writes it back. A dataset deleted
    /// meanwhile is `Gone` (nothing written); a record that cannot be read
    /// is `Unreadable` (left as it is); `change` may refuse with an error
    /// (nothing written). Returns the record as stored now; the other tabs
    /// hear of it as `changed`.
    pub async fn update_dataset<F>(
        &self,
        id: &str,
        changed: Changed,
        change: F,
    ) -> Result<DatasetRecord, StorageError>
    where
        F: FnOnce(&mut DatasetRecord) -> Result<Vec<Extra>, StorageError>,
    {
        let tx = self.tx(&[DATASETS, MODELS], IdbTransactionMode::Readwrite)?;
        let datasets = Self::store(&tx, DATASETS)?;
        let req = datasets.get(&JsValue::from_str(id)).map_err(failed)?;
        // An IndexedDB request: its answer comes while the transaction is
        // still active, so the writes below join it.
        let stored = request(&req).await?;
        let edited = if stored.is_undefined() || stored.is_null() {
            Err(StorageError::Gone)
        } else {
            serde_wasm_bindgen::from_value::<DatasetRecord>(stored)
                .map_err(|e| StorageError::Unreadable(e.to_string()))
                .and_then(|mut rec| {
                    let extra = change(&mut rec)?;
                    rec.revision = rec.revision.wrapping_add(1);
                    Ok((rec, extra))
                })
        };
        let (rec, extra) = match edited {
            Ok(v) => v,
            Err(e) => {
                let _ = tx.abort();
                return Err(e);
            }
        };
        datasets.put(&to_js(&rec)?).map_err(failed)?;
        let models = Self::store(&tx, MODELS)?;
        for e in extra {
            match e {
                Extra::DropModels(prefix) => {
                    models.delete(&prefix_range(&prefix)?).map_err(failed)?;
                }
                Extra::PutModel(key, blob) => {
                    let v = js_sys::Object::new();
                    Reflect::set(&v, &"blob".into(), &blob).map_err(failed)?;
                    models
                        .put_with_key(&v, &JsValue::from_str(&key))
                        .map_err(failed)?;
                }
            }
        }
        if fault_injected("idb-abort") {
            let _ = tx.abort();
        }
        finished(&tx).await?;
        written(&rec.client_id, Some(&rec.id), changed);
        Ok(rec)
    }

    /// A kept model's bytes, as stored.
    pub async fn model(&self, key: &str) -> Result<Option<Blob>, StorageError> {
        self.blob(MODELS, key).await
    }

    /// Deletes a client and everything it owns, in one transaction.
    pub async fn delete_client(&self, client_id: &str) -> Result<(), StorageError> {
        let owned = self.datasets(client_id).await?;
        let tx = self.tx(
            &[CLIENTS, DATASETS, FILES, MODELS],
            IdbTransactionMode::Readwrite,
        )?;
        let datasets = Self::store(&tx, DATASETS)?;
        let files = Self::store(&tx, FILES)?;
        let models = Self::store(&tx, MODELS)?;
        for d in &owned {
            let key = JsValue::from_str(&d.id);
            datasets.delete(&key).map_err(failed)?;
            files.delete(&key).map_err(failed)?;
            models.delete(&models_of(&d.id)?).map_err(failed)?;
        }
        Self::store(&tx, CLIENTS)?
            .delete(&JsValue::from_str(client_id))
            .map_err(failed)?;
        finished(&tx).await?;
        written(client_id, None, Changed::Clients);
        Ok(())
    }

    /// Everything a client owns, as stored (records as their JSON, raw
    /// files and kept models as bytes), read in one transaction so the
    /// backup is one moment's state. Records are taken as they are, even
    /// ones this build cannot read.
    pub async fn export_client(&self, client_id: &str) -> Result<Backup, StorageError> {
        let tx = self.tx(
            &[CLIENTS, DATASETS, FILES, MODELS],
            IdbTransactionMode::Readonly,
        )?;
        let key = JsValue::from_str(client_id);
        let client = request(&Self::store(&tx, CLIENTS)?.get(&key).map_err(failed)?).await?;
        if client.is_undefined() || client.is_null() {
            return Err(StorageError::Gone);
        }
        let index = Self::store(&tx, DATASETS)?
            .index("client_id")
            .map_err(failed)?;
        let records: Array = request(&index.get_all_with_key(&key).map_err(failed)?)
            .await?
            .dyn_into()
            .map_err(failed)?;
        let files = Self::store(&tx, FILES)?;
        let models = Self::store(&tx, MODELS)?;
        let mut datasets = Vec::new();
        let mut model_blobs = Vec::new();
        for record in records.iter() {
            let id = Reflect::get(&record, &"id".into())
                .ok()
                .and_then(|v| v.as_string())
                .ok_or_else(|| StorageError::Unreadable("a dataset without an id".into()))?;
            let file = request(&files.get(&JsValue::from_str(&id)).map_err(failed)?).await?;
            let file = Reflect::get(&file, &"blob".into())
                .ok()
                .and_then(|b| b.dyn_into::<Blob>().ok());
            let range = models_of(&id)?;
            let keys: Array = request(&models.get_all_keys_with_key(&range).map_err(failed)?)
                .await?
                .dyn_into()
                .map_err(failed)?;
            let values: Array = request(&models.get_all_with_key(&range).map_err(failed)?)
                .await?
                .dyn_into()
                .map_err(failed)?;
            for (k, v) in keys.iter().zip(values.iter()) {
                let blob = Reflect::get(&v, &"blob".into())
                    .ok()
                    .and_then(|b| b.dyn_into::<Blob>().ok());
                if let (Some(k), Some(blob)) = (k.as_string(), blob) {
                    model_blobs.push((k, blob));
                }
            }
            datasets.push((id, json_text(&record)?, file));
        }
        let client = json_text(&client)?;
        let total: f64 = datasets
            .iter()
            .filter_map(|(_, _, f)| f.as_ref().map(Blob::size))
            .chain(model_blobs.iter().map(|(_, b)| b.size()))
            .sum();
        if total > crate::core::backup::MAX_BYTES as f64 {
            return Err(StorageError::TooLarge(total as u64));
        }
        // The bytes are read after the transaction (it has ended by now).
        let mut backup = Backup {
            client,
            datasets: Vec::new(),
            models: Vec::new(),
        };
        for (id, record, file) in datasets {
            let file = match file {
                Some(blob) => blob_bytes(&blob).await?,
                None => Vec::new(),
            };
            backup.datasets.push(DatasetEntry { id, record, file });
        }
        for (key, blob) in model_blobs {
            let bytes = blob_bytes(&blob).await?;
            backup.models.push(ModelEntry { key, bytes });
        }
        Ok(backup)
    }

    /// Adds a backup's client as a new client (fresh ids, the name kept
    /// unless a client has it: then "… (restored)"), all in ONE
    /// transaction: either all of it is stored or nothing. Returns the new
    /// client's id.
    pub async fn import_client(&self, backup: &Backup) -> Result<String, StorageError> {
        let taken: Vec<String> = self.clients().await?.into_iter().map(|c| c.name).collect();
        let bad = |what: &str, e: String| StorageError::Unreadable(format!("{what}: {e}"));
        let mut client: serde_json::Value =
            serde_json::from_str(&backup.client).map_err(|e| bad("its client", e.to_string()))?;
        let client_id = new_id("c");
        let name = client
            .get("name")
            .and_then(|n| n.as_str())
            .unwrap_or("Restored client")
            .to_string();
        let name = if taken.contains(&name) {
            format!("{name} (restored)")
        } else {
            name
        };
        let obj = client
            .as_object_mut()
            .ok_or_else(|| bad("its client", "not a record".into()))?;
        obj.insert("id".into(), client_id.clone().into());
        obj.insert("name".into(), name.into());
        // Every value is made before the transaction opens: nothing but
        // IndexedDB requests happen inside it.
        let mut ids = std::collections::HashMap::new();
        let mut datasets = Vec::new();
        for d in &backup.datasets {
            let mut record: serde_json::Value =
                serde_json::from_str(&d.record).map_err(|e| bad("a dataset", e.to_string()))?;
            let id = new_id("d");
            let obj = record
                .as_object_mut()
                .ok_or_else(|| bad("a dataset", "not a record".into()))?;
            obj.insert("id".into(), id.clone().into());
            obj.insert("client_id".into(), client_id.clone().into());
            ids.insert(d.id.as_str(), id.clone());
            let file = js_sys::Object::new();
            Reflect::set(&file, &"blob".into(), &bytes_blob(&d.file)?.into()).map_err(failed)?;
            datasets.push((id, js_value(&record)?, file));
        }
        let mut models = Vec::new();
        for m in &backup.models {
            let (owner, rest) = m.key.split_once('/').unwrap_or((m.key.as_str(), ""));
            let Some(id) = ids.get(owner) else {
                return Err(bad("a model", format!("{} belongs to no dataset", m.key)));
            };
            let value = js_sys::Object::new();
            Reflect::set(&value, &"blob".into(), &bytes_blob(&m.bytes)?.into()).map_err(failed)?;
            models.push((format!("{id}/{rest}"), value));
        }
        let client = js_value(&client)?;
        let tx = self.tx(
            &[CLIENTS, DATASETS, FILES, MODELS],
            IdbTransactionMode::Readwrite,
        )?;
        Self::store(&tx, CLIENTS)?.put(&client).map_err(failed)?;
        let (records, files, stored_models) = (
            Self::store(&tx, DATASETS)?,
            Self::store(&tx, FILES)?,
            Self::store(&tx, MODELS)?,
        );
        for (id, record, file) in &datasets {
            records.put(record).map_err(failed)?;
            files
                .put_with_key(file, &JsValue::from_str(id))
                .map_err(failed)?;
        }
        for (key, value) in &models {
            stored_models
                .put_with_key(value, &JsValue::from_str(key))
                .map_err(failed)?;
        }
        if fault_injected("idb-abort") {
            let _ = tx.abort();
        }
        finished(&tx).await?;
        written(&client_id, None, Changed::Clients);
        Ok(client_id)
    }

    /// The client selected last time (a UI preference, kept in localStorage).
    pub fn selected_client() -> Option<String> {
        web_sys::window()?
            .local_storage()
            .ok()??
            .get_item(SELECTED_CLIENT_KEY)
            .ok()?
    }

    pub fn set_selected_client(id: Option<&str>) {
        let Some(ls) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) else {
            return;
        };
        let _ = match id {
            Some(id) => ls.set_item(SELECTED_CLIENT_KEY, id),
            None => ls.remove_item(SELECTED_CLIENT_KEY),
        };
    }
}

/// After a write completed: the other tabs hear of it, and the storage
/// line reads the usage again.
fn written(client_id: &str, dataset_id: Option<&str>, what: Changed) {
    super::tabsync::announce(client_id, dataset_id, what);
    super::pwa::refresh_storage_usage();
}

/// Records of the shown client that cannot be read, said once.
pub fn unreadable_datasets(n: usize) -> String {
    let (what, are) = if n == 1 {
        ("1 stored dataset".to_string(), "It is")
    } else {
        (format!("{n} stored datasets"), "They are")
    };
    format!(
        "{what} of this client cannot be read (written by another version of Plainsight, or damaged). {are} left exactly as stored and not shown; export a backup of this client (Backup in the sidebar) before deleting anything."
    )
}

/// The keys starting with `prefix`.
fn prefix_range(prefix: &str) -> Result<JsValue, StorageError> {
    web_sys::IdbKeyRange::bound(
        &JsValue::from_str(prefix),
        &JsValue::from_str(&format!("{prefix}\u{ffff}")),
    )
    .map(JsValue::from)
    .map_err(failed)
}

/// The keys of a dataset's kept models.
fn models_of(dataset_id: &str) -> Result<JsValue, StorageError> {
    prefix_range(&format!("{dataset_id}/"))
}

/// The key of a kept model.
pub fn model_key(dataset_id: &str, version: u32, model: &str) -> String {
    format!("{dataset_id}/v{version}/{model}")
}

/// A stored value as JSON text (as it is, fields this build does not know
/// included).
fn json_text(v: &JsValue) -> Result<String, StorageError> {
    js_sys::JSON::stringify(v)
        .map(String::from)
        .map_err(|e| StorageError::Unreadable(describe(&e)))
}

/// JSON as a stored value.
fn js_value(v: &serde_json::Value) -> Result<JsValue, StorageError> {
    js_sys::JSON::parse(&v.to_string()).map_err(|e| StorageError::Unreadable(describe(&e)))
}

fn bytes_blob(bytes: &[u8]) -> Result<Blob, StorageError> {
    let parts = Array::of1(&js_sys::Uint8Array::from(bytes));
    Blob::new_with_u8_array_sequence(&parts).map_err(failed)
}

async fn blob_bytes(blob: &Blob) -> Result<Vec<u8>, StorageError> {
    let buffer = wasm_bindgen_futures::JsFuture::from(blob.array_buffer())
        .await
        .map_err(|e| StorageError::Failed(describe(&e)))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

fn to_js<T: Serialize>(v: &T) -> Result<JsValue, StorageError> {
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| StorageError::Failed(e.to_string()))
}

/// A fresh id: time plus randomness, unique enough for one browser.
pub fn new_id(prefix: &str) -> String {
    let t = js_sys::Date::now() as u64;
    let r = (js_sys::Math::random() * 1e9) as u64;
    format!("{prefix}-{t:x}-{r:x}")
}
