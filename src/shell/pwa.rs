//! Offline and storage, the page's side.
//!
//! - [`UpdatePrompt`] registers the service worker (`sw.js`, written for
//!   each build by `scripts/pwa-postbuild.sh`). A new build installs beside
//!   the running one and waits; the prompt ("A new version is ready",
//!   `update-ready`) asks it to take over (`update-reload`), and a page that
//!   was controlled reloads when its controller changes, so a page never
//!   runs one build's files with another's.
//! - [`StorageUsage`] asks once per start for persistent storage
//!   (`navigator.storage.persist()`) and shows the storage used and the
//!   quota (`storage-usage`); [`refresh_storage_usage`] reads them again.

use std::cell::{Cell, RefCell};
use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::rc::Rc;

use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    ServiceWorker, ServiceWorkerContainer, ServiceWorkerRegistration, ServiceWorkerState,
    StorageEstimate, StorageManager,
};
use yew::prelude::*;

use super::state::State;
use crate::messages::bytes;

/// Where the build puts the service worker, beside index.html.
const SW_URL: &str = "./sw.js";

thread_local! {
    /// The mounted storage line's refresh (none before it mounts).
    static STORAGE_REFRESH: RefCell<Option<Callback<()>>> = const { RefCell::new(None) };
    /// Persistence is asked for once per page start.
    static PERSIST_ASKED: Cell<bool> = const { Cell::new(false) };
}

/// Reads the storage used and the quota again and updates the sidebar's
/// `storage-usage` line. Call it after anything is saved or deleted (the
/// line also refreshes by itself when the listed datasets change).
pub fn refresh_storage_usage() {
    let refresh = STORAGE_REFRESH.with(|r| r.borrow().clone());
    if let Some(refresh) = refresh {
        refresh.emit(());
    }
}

/// A number that changes whenever the stored workspaces visibly change
/// (clients, datasets, recipes, runs, model versions): the storage line's
/// cue to read the usage again.
pub fn stored_revision(s: &State) -> u64 {
    let mut h = DefaultHasher::new();
    s.clients.len().hash(&mut h);
    s.client.hash(&mut h);
    for d in &s.datasets {
        d.id.hash(&mut h);
        d.loaded_ms.to_bits().hash(&mut h);
        d.revision.hash(&mut h);
        (d.recipe.len(), d.runs.len(), d.models.len()).hash(&mut h);
    }
    h.finish()
}

// ---- the service worker and the update prompt ----

/// Registers the service worker and, when a new build waits, shows
/// "A new version is ready" with a button that switches to it.
#[component]
pub fn UpdatePrompt() -> Html {
    let waiting = use_state(|| None::<ServiceWorker>);
    {
        let waiting = waiting.clone();
        use_effect_with((), move |_| {
            let on_waiting = Callback::from(move |w: ServiceWorker| waiting.set(Some(w)));
            spawn_local(async move {
                if let Err(e) = register(on_waiting).await {
                    // The app works without it, only not offline.
                    gloo::console::warn!("Plainsight could not register its service worker:", e);
                }
            });
        });
    }
    let Some(worker) = (*waiting).clone() else {
        return html! {};
    };
    let reload = Callback::from(move |_| {
        let msg = js_sys::Object::new();
        let _ = Reflect::set(&msg, &"type".into(), &"skip-waiting".into());
        // The new worker activates, this page's controller changes and the
        // page reloads (see `register`).
        let _ = worker.post_message(&msg);
    });
    html! {
        <div class="notice update" role="status" data-testid="update-ready">
            <span>{"A new version of Plainsight is ready. Reloading keeps your data; it is stored in this browser."}</span>
            <button data-testid="update-reload" onclick={reload}>{"Reload"}</button>
        </div>
    }
}

async fn register(on_waiting: Callback<ServiceWorker>) -> Result<(), JsValue> {
    let window = web_sys::window().ok_or("no window")?;
    let navigator = window.navigator();
    // Only secure origins (https, localhost) have service workers.
    if !window.is_secure_context() || !Reflect::has(&navigator, &"serviceWorker".into())? {
        return Ok(());
    }
    let container = navigator.service_worker();
    // A page that had a controller and gets another one reloads, so it runs
    // the new build's files only. The first controller of a first visit
    // (the worker claims the page) changes nothing and reloads nothing.
    let controlled = Rc::new(Cell::new(container.controller().is_some()));
    let reloading = Rc::new(Cell::new(false));
    let on_change = Closure::<dyn FnMut()>::new(move || {
        if controlled.replace(true) && !reloading.replace(true) {
            if let Some(w) = web_sys::window() {
                let _ = w.location().reload();
            }
        }
    });
    container.set_oncontrollerchange(Some(on_change.as_ref().unchecked_ref()));
    on_change.forget();

    let reg: ServiceWorkerRegistration = JsFuture::from(container.register(SW_URL))
        .await?
        .dyn_into()?;
    offer_if_waiting(&container, &reg, &on_waiting);
    // A build may be installing already (the browser looks for one on every
    // visit, maybe before this page registered), or be found later.
    if let Some(installing) = reg.installing() {
        offer_when_installed(&installing, &container, &reg, &on_waiting);
    }
    {
        let (container, reg2) = (container.clone(), reg.clone());
        let on_found = Closure::<dyn FnMut()>::new(move || {
            if let Some(installing) = reg2.installing() {
                offer_when_installed(&installing, &container, &reg2, &on_waiting);
            }
        });
        reg.set_onupdatefound(Some(on_found.as_ref().unchecked_ref()));
        on_found.forget();
    }
    // Look for a new build whenever the page comes back to the front (the
    // browser also looks on every visit).
    if let Some(document) = window.document() {
        let doc = document.clone();
        let on_visible = Closure::<dyn FnMut()>::new(move || {
            if !doc.hidden() {
                if let Ok(p) = reg.update() {
                    // Offline, the check fails: nothing to do.
                    spawn_local(async move {
                        let _ = JsFuture::from(p).await;
                    });
                }
            }
        });
        document.add_event_listener_with_callback(
            "visibilitychange",
            on_visible.as_ref().unchecked_ref(),
        )?;
        on_visible.forget();
    }
    Ok(())
}

/// Offers `installing` once it has installed (and waits).
fn offer_when_installed(
    installing: &ServiceWorker,
    container: &ServiceWorkerContainer,
    reg: &ServiceWorkerRegistration,
    on_waiting: &Callback<ServiceWorker>,
) {
    let (worker, container, reg, on_waiting) = (
        installing.clone(),
        container.clone(),
        reg.clone(),
        on_waiting.clone(),
    );
    let on_state = Closure::<dyn FnMut()>::new(move || {
        if worker.state() == ServiceWorkerState::Installed {
            offer_if_waiting(&container, &reg, &on_waiting);
        }
    });
    installing.set_onstatechange(Some(on_state.as_ref().unchecked_ref()));
    on_state.forget();
}

/// A build waiting while this page runs another one is offered.
fn offer_if_waiting(
    container: &ServiceWorkerContainer,
    reg: &ServiceWorkerRegistration,
    on_waiting: &Callback<ServiceWorker>,
) {
    if let (Some(waiting), Some(_)) = (reg.waiting(), container.controller()) {
        on_waiting.emit(waiting);
    }
}

// ---- storage: persistence and usage ----

#[derive(Clone, Copy, PartialEq)]
struct Usage {
    used: f64,
    quota: f64,
    persisted: bool,
}

#[derive(Properties, PartialEq)]
pub struct StorageUsageProps {
    /// Changes when stored data may have changed ([`stored_revision`]).
    #[prop_or_default]
    pub revision: u64,
}

/// "12.3 MB of 2.1 GB used · kept until you delete it" (sidebar).
#[component]
pub fn StorageUsage(props: &StorageUsageProps) -> Html {
    let usage = use_state(|| None::<Usage>);
    let refresh = {
        let usage = usage.clone();
        use_callback((), move |_: (), _| {
            let usage = usage.clone();
            spawn_local(async move {
                if let Some(u) = read_usage().await {
                    usage.set(Some(u));
                }
            });
        })
    };
    {
        let refresh = refresh.clone();
        use_effect_with((), move |_| {
            STORAGE_REFRESH.with(|r| *r.borrow_mut() = Some(refresh.clone()));
            spawn_local(async move {
                ask_persistence_once().await;
                refresh.emit(());
            });
            || STORAGE_REFRESH.with(|r| *r.borrow_mut() = None)
        });
    }
    {
        let refresh = refresh.clone();
        use_effect_with(props.revision, move |_| refresh.emit(()));
    }
    let Some(u) = *usage else {
        return html! {};
    };
    let kept = if u.persisted {
        "kept until you delete it"
    } else {
        "the browser may clear it when space runs low"
    };
    let title = if u.persisted {
        "This browser keeps Plainsight's storage until you delete it (or clear the site's data)."
    } else {
        "This browser has not granted persistent storage: when the disk runs low it may clear this site's data. Installing the app or bookmarking it often makes browsers keep it."
    };
    html! {
        <p class="storage muted small" data-testid="storage-usage"
            data-used={format!("{:.0}", u.used)} data-quota={format!("{:.0}", u.quota)}
            data-persisted={u.persisted.to_string()} title={title}>
            { format!("{} of {} used · {kept}", bytes(u.used as u64), bytes(u.quota as u64)) }
        </p>
    }
}

fn storage_manager() -> Option<StorageManager> {
    let navigator = web_sys::window()?.navigator();
    // Only secure origins have navigator.storage.
    let storage = Reflect::get(&navigator, &"storage".into()).ok()?;
    (!storage.is_undefined()).then(|| storage.unchecked_into())
}

/// Asks the browser to keep this site's storage (once per page start; the
/// browser decides, some by asking the user).
async fn ask_persistence_once() {
    if PERSIST_ASKED.with(|a| a.replace(true)) {
        return;
    }
    let Some(storage) = storage_manager() else {
        return;
    };
    let already = match storage.persisted() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()),
        Err(_) => None,
    };
    if already != Some(true) {
        if let Ok(p) = storage.persist() {
            let _ = JsFuture::from(p).await;
        }
    }
}

async fn read_usage() -> Option<Usage> {
    let storage = storage_manager()?;
    let estimate: StorageEstimate = JsFuture::from(storage.estimate().ok()?)
        .await
        .ok()?
        .unchecked_into();
    let persisted = JsFuture::from(storage.persisted().ok()?)
        .await
        .ok()?
        .as_bool()
        .unwrap_or(false);
    Some(Usage {
        used: estimate.get_usage().unwrap_or(0.0),
        quota: estimate.get_quota().unwrap_or(0.0),
        persisted,
    })
}
