//! Left sidebar: client switcher, the client's datasets, the drop zone.

use wasm_bindgen::JsCast;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::controller::Controller;
use super::format;
use super::state::{JobState, State};

#[derive(Properties, PartialEq)]
pub struct SidebarProps {
    pub state: UseReducerHandle<State>,
    pub ctl: Controller,
    /// A dataset was chosen (on a phone the drawer closes).
    pub on_chosen: Callback<()>,
}

#[component]
pub fn Sidebar(props: &SidebarProps) -> Html {
    let s = &*props.state;
    let ctl = props.ctl.clone();
    let new_name = use_node_ref();
    let rename_name = use_node_ref();
    let dragging = use_state(|| false);

    let on_create = {
        let ctl = ctl.clone();
        let new_name = new_name.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(input) = new_name.cast::<HtmlInputElement>() {
                ctl.create_client(input.value());
                input.set_value("");
            }
        })
    };
    let on_switch = {
        let ctl = ctl.clone();
        Callback::from(move |e: Event| {
            if let Some(sel) = e
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            {
                ctl.switch_client(sel.value());
            }
        })
    };
    let current = s.client.clone();
    let current_name = s
        .clients
        .iter()
        .find(|c| Some(&c.id) == current.as_ref())
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let on_rename = {
        let ctl = ctl.clone();
        let rename_name = rename_name.clone();
        let current = current.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let (Some(input), Some(id)) =
                (rename_name.cast::<HtmlInputElement>(), current.clone())
            {
                ctl.rename_client(id, input.value());
                input.set_value("");
            }
        })
    };
    let on_delete = {
        let ctl = ctl.clone();
        let current = current.clone();
        let name = current_name.clone();
        Callback::from(move |_| {
            let Some(id) = current.clone() else { return };
            if confirm(&format!(
                "Delete the client “{name}” and all its datasets from this browser? This cannot be undone."
            )) {
                ctl.delete_client(id);
            }
        })
    };
    let on_file = {
        let ctl = ctl.clone();
        let current = current.clone();
        Callback::from(move |e: Event| {
            if let Some(file) = picked_file(&e) {
                ctl.load_blob(current.clone(), file.name(), file.into());
            }
        })
    };
    let on_drop = {
        let ctl = ctl.clone();
        let current = current.clone();
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            if let Some(file) = e
                .data_transfer()
                .and_then(|d| d.files())
                .and_then(|f| f.get(0))
            {
                ctl.load_blob(current.clone(), file.name(), file.into());
            }
        })
    };
    let on_dragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let on_dragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_e: DragEvent| dragging.set(false))
    };
    let on_sample = {
        let ctl = ctl.clone();
        let current = current.clone();
        Callback::from(move |_| ctl.load_sample(current.clone()))
    };
    let busy = s.job.state == JobState::Running;
    let on_export = {
        let ctl = ctl.clone();
        let current = current.clone();
        Callback::from(move |_| {
            if let Some(id) = current.clone() {
                ctl.export_client(id);
            }
        })
    };
    let on_import = {
        let ctl = ctl.clone();
        Callback::from(move |e: Event| {
            if let Some(file) = picked_file(&e) {
                ctl.import_client(file);
            }
        })
    };

    html! {
        <aside class="sidebar" id="sidebar" aria-label="Clients and datasets">
            <section class="clients" aria-label="Client workspaces">
                <h2>{"Client"}</h2>
                if s.clients.is_empty() {
                    <p class="muted">{"No client yet. Create one to keep each client's data apart."}</p>
                }
                <select data-testid="client-select" aria-label="Current client" onchange={on_switch}
                    hidden={s.clients.is_empty()}>
                    { for s.clients.iter().map(|c| html! {
                        <option value={c.id.clone()} selected={Some(&c.id) == current.as_ref()}>{ &c.name }</option>
                    }) }
                </select>
                <form class="row" onsubmit={on_create}>
                    <input ref={new_name} data-testid="client-new-name" type="text"
                        placeholder="New client, e.g. Acme Ltd" aria-label="Name for a new client" />
                    <button type="submit" data-testid="client-create">{"Create"}</button>
                </form>
                if current.is_some() {
                    <details class="client-manage">
                        <summary data-testid="client-manage">{"Rename or delete this client"}</summary>
                        <form class="row" onsubmit={on_rename}>
                            <input ref={rename_name} data-testid="client-rename-name" type="text"
                                placeholder={current_name.clone()} aria-label="New name for this client" />
                            <button type="submit" data-testid="client-rename">{"Rename"}</button>
                        </form>
                        <button class="danger" data-testid="client-delete" onclick={on_delete}>
                            {"Delete client and its data"}
                        </button>
                    </details>
                }
                <div class="row backup" aria-label="Backup">
                    if current.is_some() {
                        <button class="ghost" data-testid="client-export" onclick={on_export}
                            title="Download this client's datasets, original files, recipes, logs and models as one file">
                            {"Back up this client"}
                        </button>
                    }
                    <label class="ghost button">
                        {"Restore a backup…"}
                        <input data-testid="client-import" type="file" class="visually-hidden"
                            accept=".plainsight,application/octet-stream" onchange={on_import} />
                    </label>
                </div>
            </section>
            <section class="datasets" aria-label="Datasets">
                <h2>{"Datasets"}</h2>
                if s.datasets.is_empty() {
                    <p class="muted">{"No dataset for this client yet."}</p>
                    <button class="link" data-testid="try-sample" onclick={on_sample} disabled={busy}>
                        {"Try sample data"}
                    </button>
                }
                <ul class="dataset-list">
                    { for s.datasets.iter().map(|d| dataset_item(s, &ctl, d, &props.on_chosen)) }
                </ul>
            </section>
            <label class={classes!("dropzone", (*dragging).then_some("over"))}
                ondrop={on_drop} ondragover={on_dragover} ondragleave={on_dragleave}>
                <span>{"Drop a CSV, JSON, spreadsheet (.xlsx, .xls, .ods), Parquet or Arrow/Feather file — it never leaves this computer"}</span>
                <span class="muted small">{"or click to choose a file"}</span>
                <input data-testid="upload-input" type="file" class="visually-hidden"
                    accept=".csv,.tsv,.txt,.json,.ndjson,.jsonl,.xlsx,.xlsm,.xlsb,.xls,.ods,.parquet,.pq,.arrow,.feather,.arrows,.ipc,text/csv,application/json"
                    onchange={on_file} aria-label="Choose a data file to load" />
            </label>
            if !s.datasets.is_empty() {
                <button class="link small" data-testid="try-sample" onclick={ {
                    let ctl = ctl.clone(); let current = current.clone();
                    Callback::from(move |_| ctl.load_sample(current.clone()))
                } } disabled={busy}>{"Add the sample data"}</button>
            }
            <super::pwa::StorageUsage revision={super::pwa::stored_revision(s)} />
        </aside>
    }
}

/// Asks the user to confirm a deletion (the browser's own dialog).
fn confirm(question: &str) -> bool {
    web_sys::window()
        .and_then(|w| w.confirm_with_message(question).ok())
        .unwrap_or(false)
}

fn dataset_item(
    s: &State,
    ctl: &Controller,
    d: &super::storage::DatasetRecord,
    on_chosen: &Callback<()>,
) -> Html {
    let selected = s.selected.as_ref() == Some(&d.id);
    let on_open = {
        let (ctl, d, on_chosen) = (ctl.clone(), d.clone(), on_chosen.clone());
        Callback::from(move |_| {
            on_chosen.emit(());
            ctl.open_dataset(d.clone())
        })
    };
    let on_delete = {
        let ctl = ctl.clone();
        let client = d.client_id.clone();
        let id = d.id.clone();
        let name = d.label();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            if confirm(&format!("Delete the dataset “{name}” from this browser?")) {
                ctl.delete_dataset(client.clone(), id.clone());
            }
        })
    };
    html! {
        <li class={classes!("dataset", selected.then_some("selected"))}>
            <button class="dataset-open" data-testid="dataset-item" data-name={d.name.clone()}
                data-sheet={d.sheet.clone()}
                data-selected={selected.to_string()} onclick={on_open} aria-pressed={selected.to_string()}>
                <span class="dataset-name" title={d.label()}>{ d.label() }</span>
                <span class="muted small">
                    { format!("{} · {} · {}", format::count(d.rows as u64, "row", "rows"), format::count(d.cols as u64, "col", "cols"), format::when(d.loaded_ms)) }
                </span>
            </button>
            if selected {
                <button class="ghost small" data-testid="dataset-delete" onclick={on_delete}
                    aria-label={format!("Delete dataset {}", d.label())}>{"Delete"}</button>
            }
        </li>
    }
}

/// The file picked in the `<input type=file>` of `e`; the input is emptied
/// so the same file can be picked again.
fn picked_file(e: &Event) -> Option<web_sys::File> {
    let input = e.target()?.dyn_into::<HtmlInputElement>().ok()?;
    let file = input.files().and_then(|f| f.get(0));
    input.set_value("");
    file
}
