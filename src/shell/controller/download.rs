//! Every file the page hands to the user: cleaned data, the recipe (JSON,
//! SQL) and the report. Each is about the dataset the page shows.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::Blob;

use super::Controller;
use crate::core::clean::{Recipe, Step};
use crate::core::explore::trend::Trend;
use crate::core::ml::automl::Board;
use crate::core::report::{report_html, ReportInput, ReportRequest};
use crate::core::DatasetProfile;
use crate::protocol::{Ask, ExportFormat, Reply};
use crate::shell::format;
use crate::shell::state::Action;

/// What the page knows that goes into a report.
pub struct ReportParts {
    pub profile: Rc<DatasetProfile>,
    /// The trend on the Explore tab, if one was drawn.
    pub trend: Option<Trend>,
    /// The applied recipe.
    pub recipe: Vec<Step>,
    /// The finished leaderboard of this session's training on the dataset,
    /// else its latest saved version (with which one it is).
    pub model: Option<(Rc<Board>, Option<String>)>,
}

impl Controller {
    /// Downloads the cleaned data (or the recipe as SQL) of `dataset_name`.
    pub fn export(&self, dataset_name: String, format: ExportFormat) {
        let (suffix, mime) = match format {
            ExportFormat::Csv => ("cleaned.csv", "text/csv"),
            ExportFormat::Json => ("cleaned.json", "application/json"),
            ExportFormat::Parquet => ("cleaned.parquet", "application/vnd.apache.parquet"),
            ExportFormat::Sql => ("recipe.sql", "application/sql"),
            ExportFormat::PySpark => ("recipe.py", "text/x-python"),
            ExportFormat::Polars => ("recipe.polars.py", "text/x-python"),
        };
        let name = format!("{}.{suffix}", base_name(&dataset_name));
        self.ask_and_save(Ask::Export { format }, name, mime);
    }

    /// Downloads the dataset `dataset_name` whole as Parquet: its raw rows
    /// with what it had (the first file's facts, notes, profile and the
    /// applied recipe `steps`), to open in another client or browser.
    pub fn save_dataset(&self, dataset_name: String, steps: Vec<Step>) {
        let saved = String::from(js_sys::Date::new_0().to_iso_string());
        let base = base_name(&dataset_name).trim_end_matches(".dataset");
        let name = format!("{base}.dataset.parquet");
        let mime = "application/vnd.apache.parquet";
        self.ask_and_save(Ask::SaveDataset { steps, saved }, name, mime);
    }

    /// Asks the worker for a file's bytes (`Reply::Exported`) and offers
    /// them as the download `name`.
    fn ask_and_save(&self, ask: Ask, name: String, mime: &'static str) {
        let ctl = self.clone();
        spawn_local(async move {
            match ctl.ask(ask).await {
                Ok(Reply::Exported(bytes)) => ctl.save_file(&name, mime, &bytes),
                Ok(_) => {}
                Err(e) => ctl.failed(e, false),
            }
        });
    }

    /// Offers `bytes` as the download `name`, or says why it could not.
    fn save_file(&self, name: &str, mime: &str, bytes: &[u8]) {
        if let Err(why) = download(name, mime, bytes) {
            self.dispatch(Action::Error(Some(format!(
                "Could not save {name} ({why}). Try again."
            ))));
        }
    }

    /// Downloads the self-contained HTML report of the dataset the page
    /// shows: the worker gathers its contents under the user's alert
    /// thresholds (`core::report::contents`, as the CLI does), then the page
    /// writes it (the charts are drawn as SVG, which measures text with the
    /// page's fonts).
    pub fn export_report(&self, dataset_name: String, parts: ReportParts) {
        let ctl = self.clone();
        spawn_local(async move {
            let started = js_sys::Date::now();
            ctl.dispatch(Action::JobStart("Writing the report".into(), false));
            let request = ReportRequest {
                alerts: ctl.0.alert_config.get(),
                trend: parts.trend,
                recipe: parts.recipe,
            };
            let contents = match ctl
                .ask(Ask::Report {
                    request: Box::new(request),
                })
                .await
            {
                Ok(Reply::Report(c)) => c,
                Ok(_) => return,
                Err(e) => return ctl.failed(e, true),
            };
            // Decoding the contents took this task; writing the report
            // (its charts as SVG) takes the next frame's.
            crate::shell::next_frame().await;
            let writing = crate::shell::now();
            let generated = format::when(js_sys::Date::now());
            let model = parts
                .model
                .as_ref()
                .map(|(board, source)| crate::messages::report_model(board, source.clone()));
            let html = report_html(&ReportInput {
                profile: &parts.profile,
                contents: &contents,
                model,
                generated: &generated,
            });
            crate::shell::measure("plainsight-report", writing);
            let name = format!("{}-report.html", base_name(&dataset_name));
            match download(&name, "text/html", html.as_bytes()) {
                Ok(()) => ctl.dispatch(Action::JobDone {
                    elapsed_ms: js_sys::Date::now() - started,
                    wasm_memory: 0,
                }),
                Err(why) => ctl.dispatch(Action::JobFailed(format!(
                    "Could not save {name} ({why}). Try again."
                ))),
            }
        });
    }

    /// Downloads a kept model of a saved version as it is stored
    /// (`<dataset>-v<n>-<model>.psml`), for `plainsight predict`: it
    /// scores files of any size outside the browser.
    pub fn download_model(
        &self,
        dataset_id: String,
        dataset_name: String,
        version: u32,
        model: String,
    ) {
        let ctl = self.clone();
        spawn_local(async move {
            let name = format!("{}-v{version}-{model}.psml", base_name(&dataset_name));
            let failed = |why: String| {
                ctl.dispatch(Action::Error(Some(format!("Could not save {name}: {why}"))))
            };
            let Some(st) = ctl.storage() else {
                return failed("the browser's storage is not open. Reload the page.".into());
            };
            let key = crate::shell::storage::model_key(&dataset_id, version, &model);
            match st.model(&key).await {
                Ok(Some(blob)) => {
                    if let Err(why) = download_blob(&name, &blob) {
                        failed(format!("{why}. Try again."));
                    }
                }
                Ok(None) => failed("this model is no longer in the browser's storage (it may have been cleared); train again to recreate it.".into()),
                Err(e) => failed(e.user_message("read the saved model")),
            }
        });
    }

    /// Downloads the recipe of a saved model version as JSON
    /// (`<dataset>-v<n>.recipe.json`), for `plainsight predict --recipe`.
    pub fn export_version_recipe(&self, dataset_name: &str, version: u32, steps: Vec<Step>) {
        let name = format!("{}-v{version}.recipe.json", base_name(dataset_name));
        self.save_file(
            &name,
            "application/json",
            Recipe::new(steps).to_json().as_bytes(),
        );
    }

    /// Downloads the recipe as JSON.
    pub fn export_recipe_json(&self, dataset_name: &str, steps: Vec<Step>) {
        let name = format!("{}.recipe.json", base_name(dataset_name));
        self.save_file(
            &name,
            "application/json",
            Recipe::new(steps).to_json().as_bytes(),
        );
    }
}

/// Offers `bytes` as a file download named `name`.
pub fn download(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    download_blob(name, &typed_blob(bytes, mime)?)
}

fn typed_blob(bytes: &[u8], mime: &str) -> Result<Blob, String> {
    let array = js_sys::Uint8Array::from(bytes);
    let parts = js_sys::Array::new();
    parts.push(&array);
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(describe_js)
}

/// Bytes as a Blob (what IndexedDB stores).
pub(super) fn bytes_blob(bytes: &[u8]) -> Result<Blob, String> {
    typed_blob(bytes, "application/octet-stream")
}

pub(super) fn describe_js(v: wasm_bindgen::JsValue) -> String {
    v.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "the browser refused".into())
}

/// Offers `blob` as a file download named `name`.
pub fn download_blob(name: &str, blob: &Blob) -> Result<(), String> {
    let url = web_sys::Url::create_object_url_with_blob(blob).map_err(describe_js)?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(describe_js)?
        .dyn_into()
        .map_err(|_| "no link element".to_string())?;
    a.set_href(&url);
    a.set_download(name);
    if let Some(body) = document.body() {
        let _ = body.append_child(&a);
    }
    a.click();
    a.remove();
    // Let the download start before the URL goes.
    let revoke = wasm_bindgen::closure::Closure::once_into_js(move || {
        let _ = web_sys::Url::revoke_object_url(&url);
    });
    if let Some(w) = web_sys::window() {
        let _ =
            w.set_timeout_with_callback_and_timeout_and_arguments_0(revoke.unchecked_ref(), 60_000);
    }
    Ok(())
}

/// `sales.csv` → `sales`.
pub(super) fn base_name(name: &str) -> &str {
    match name.rsplit_once('.') {
        Some((base, _)) if !base.is_empty() => base,
        _ => name,
    }
}
