//! Clients and the list of their datasets.

use wasm_bindgen_futures::spawn_local;

use super::load::stored_recipe;
use super::{mark_ready, Controller, RecipeChange};
use crate::protocol::ToWorker;
use crate::shell::state::Action;
use crate::shell::storage::{self, new_id, Changed, ClientRecord, Storage};
use crate::shell::tabsync::{self, Note};

impl Controller {
    /// Opens storage and shows the stored workspace.
    pub fn start(&self) {
        let ctl = self.clone();
        spawn_local(async move {
            let outdated: std::rc::Rc<dyn Fn()> = {
                let ctl = ctl.clone();
                std::rc::Rc::new(move || ctl.dispatch(Action::Outdated))
            };
            match Storage::open(outdated).await {
                Ok(st) => {
                    *ctl.0.storage.borrow_mut() = Some(st);
                    let on_note: std::rc::Rc<dyn Fn(Note)> = {
                        let ctl = ctl.clone();
                        std::rc::Rc::new(move |note| ctl.other_tab_changed(note))
                    };
                    tabsync::listen(on_note);
                    let wanted = Storage::selected_client();
                    ctl.refresh_workspace(wanted).await;
                }
                Err(e) => {
                    ctl.dispatch(Action::Workspace {
                        clients: vec![],
                        client: None,
                        datasets: vec![],
                    });
                    ctl.storage_error("open your saved workspaces", e);
                }
            }
            mark_ready();
            ctl.bench_trees_if_asked();
        });
    }

    /// `?bench=trees[&rows=N]`: times the tree learners in the worker on
    /// the benchmark data and shows the figures (`bench-trees` hook).
    fn bench_trees_if_asked(&self) {
        if super::asked("bench").as_deref() != Some("trees") {
            return;
        }
        let rows = super::asked("rows")
            .and_then(|r| r.parse().ok())
            .unwrap_or(crate::core::ml::speed::ROWS);
        self.send(ToWorker::BenchTrees { rows });
    }

    /// Reads clients and the datasets of `client` (or of the first client).
    pub(super) async fn refresh_workspace(&self, client: Option<String>) {
        let Some(st) = self.storage() else { return };
        let clients = match st.clients().await {
            Ok(c) => c,
            Err(e) => return self.storage_error("read your workspaces", e),
        };
        let client = client
            .filter(|id| clients.iter().any(|c| &c.id == id))
            .or_else(|| clients.first().map(|c| c.id.clone()));
        let datasets = match &client {
            Some(id) => match st.datasets_checked(id).await {
                Ok((d, 0)) => d,
                Ok((d, unreadable)) => {
                    self.dispatch(Action::Error(Some(storage::unreadable_datasets(
                        unreadable,
                    ))));
                    d
                }
                Err(e) => return self.storage_error("read this client's datasets", e),
            },
            None => vec![],
        };
        Storage::set_selected_client(client.as_deref());
        if *self.0.client.borrow() != client {
            // Another client: nothing of the previous one stays shown.
            self.select(None);
        }
        if let Some(sel) = self.0.selected.borrow().clone() {
            if !datasets.iter().any(|d| d.id == sel) {
                self.select(None);
            }
        }
        *self.0.client.borrow_mut() = client.clone();
        self.dispatch(Action::Workspace {
            clients,
            client,
            datasets,
        });
    }

    /// The client the page shows.
    pub(super) fn client(&self) -> Option<String> {
        self.0.client.borrow().clone()
    }

    pub fn create_client(&self, name: String) {
        let name = name.trim().to_string();
        if name.is_empty() {
            self.dispatch(Action::Error(Some(
                "Type a name for the new client first (for example \"Acme Ltd\"), then press Create.".into(),
            )));
            return;
        }
        let ctl = self.clone();
        spawn_local(async move {
            let _ = ctl.create_client_now(name).await;
        });
    }

    pub(super) async fn create_client_now(&self, name: String) -> Option<String> {
        let st = self.storage()?;
        let rec = ClientRecord {
            id: new_id("c"),
            name,
            created_ms: js_sys::Date::now(),
        };
        if let Err(e) = st.put_client(&rec).await {
            self.storage_error("create the client", e);
            return None;
        }
        self.dispatch(Action::Error(None));
        self.refresh_workspace(Some(rec.id.clone())).await;
        Some(rec.id)
    }

    pub fn rename_client(&self, id: String, name: String) {
        let name = name.trim().to_string();
        if name.is_empty() {
            self.dispatch(Action::Error(Some(
                "Type the new name for this client first.".into(),
            )));
            return;
        }
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            let Ok(clients) = st.clients().await else {
                return;
            };
            let Some(mut rec) = clients.into_iter().find(|c| c.id == id) else {
                return;
            };
            rec.name = name;
            if let Err(e) = st.put_client(&rec).await {
                return ctl.storage_error("rename the client", e);
            }
            ctl.refresh_workspace(Some(id)).await;
        });
    }

    pub fn switch_client(&self, id: String) {
        let ctl = self.clone();
        spawn_local(async move { ctl.refresh_workspace(Some(id)).await });
    }

    pub fn delete_client(&self, id: String) {
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            if let Err(e) = st.delete_client(&id).await {
                return ctl.storage_error("delete the client", e);
            }
            ctl.refresh_workspace(None).await;
        });
    }

    pub fn delete_dataset(&self, client: String, id: String) {
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            if let Err(e) = st.delete_dataset(&client, &id).await {
                return ctl.storage_error("delete the dataset", e);
            }
            ctl.select(None);
            ctl.dispatch(Action::Select {
                id: None,
                profile: None,
            });
            ctl.refresh_workspace(Some(client)).await;
        });
    }
}

impl Controller {
    /// Another tab stored a change: the workspace is read again, and a
    /// change of the shown client is said (`tab-sync`); a recipe changed
    /// there for the dataset shown here is shown here too.
    fn other_tab_changed(&self, note: Note) {
        let ctl = self.clone();
        spawn_local(async move {
            let client = ctl.client();
            ctl.refresh_workspace(client.clone()).await;
            if client.as_deref() != Some(note.client.as_str()) {
                return;
            }
            let Some(what) = note.changed() else { return };
            let shown = ctl.0.selected.borrow().clone();
            let record = match (&note.dataset, ctl.storage()) {
                (Some(id), Some(st)) => st.dataset(id).await.ok().flatten(),
                _ => None,
            };
            let name = record.as_ref().map(|r| r.name.clone());
            ctl.dispatch(Action::TabSync(Some(tabsync::sentence(
                what,
                name.as_deref(),
            ))));
            let Some(rec) = record.filter(|r| Some(&r.id) == shown.as_ref()) else {
                return;
            };
            if what == Changed::Recipe && !ctl.0.busy.get() && ctl.0.shown.borrow().is_some() {
                let (steps, runs) = stored_recipe(&rec);
                ctl.dispatch(Action::CleanLoad {
                    dataset: rec.id.clone(),
                    steps: steps.clone(),
                    runs,
                });
                ctl.apply_recipe(rec, steps, RecipeChange::Show);
            }
        });
    }
}
