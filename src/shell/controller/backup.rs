//! A client's backup: one file with everything it owns (written by
//! `core::backup`), and restoring one as a new client, all or nothing.

use wasm_bindgen_futures::{spawn_local, JsFuture};

use super::download::{describe_js, download};
use super::Controller;
use crate::core::backup::{Backup, BackupError, MAX_BYTES};
use crate::messages;
use crate::shell::state::Action;

impl Controller {
    /// Downloads the client `id` as `<name>.plainsight` (`client-export`).
    pub fn export_client(&self, id: String) {
        let ctl = self.clone();
        spawn_local(async move {
            let Some(st) = ctl.storage() else { return };
            let name = st
                .clients()
                .await
                .ok()
                .and_then(|c| c.into_iter().find(|c| c.id == id))
                .map(|c| c.name)
                .unwrap_or_else(|| "client".into());
            let backup = match st.export_client(&id).await {
                Ok(b) => b,
                Err(e) => return ctl.storage_error("back up this client", e),
            };
            let bytes = backup.write();
            let file = format!("{}.plainsight", file_stem(&name));
            match download(&file, "application/octet-stream", &bytes) {
                Ok(()) => ctl.dispatch(Action::Notice(Some(format!(
                    "Backed up {name}: {} datasets and {} models in {file} ({}). Keep it somewhere safe; “Restore a backup…” reads it back in any browser.",
                    backup.datasets.len(),
                    backup.models.len(),
                    messages::bytes(bytes.len() as u64)
                )))),
                Err(e) => ctl.show_error(format!("Could not hand over the backup file ({e}).")),
            }
        });
    }

    /// Restores a backup file as a new client (`client-import`): a damaged
    /// or foreign file is explained and nothing is stored.
    pub fn import_client(&self, file: web_sys::File) {
        let ctl = self.clone();
        // What an earlier attempt said does not stand beside this one's outcome.
        self.dispatch(Action::Error(None));
        self.dispatch(Action::Notice(None));
        spawn_local(async move {
            let name = file.name();
            if file.size() > MAX_BYTES as f64 {
                let e = BackupError::TooLarge {
                    bytes: file.size() as u64,
                };
                return ctl.show_error(messages::backup_error(&name, &e));
            }
            let bytes = match JsFuture::from(file.array_buffer()).await {
                Ok(b) => js_sys::Uint8Array::new(&b).to_vec(),
                Err(e) => {
                    return ctl.show_error(format!(
                        "The browser could not read {name} ({}). Nothing was changed.",
                        describe_js(e)
                    ))
                }
            };
            let backup = match Backup::read(&bytes) {
                Ok(b) => b,
                Err(e) => return ctl.show_error(messages::backup_error(&name, &e)),
            };
            let Some(st) = ctl.storage() else { return };
            match st.import_client(&backup).await {
                Ok(id) => {
                    ctl.refresh_workspace(Some(id)).await;
                    ctl.dispatch(Action::Notice(Some(format!(
                        "Restored {name}: {} datasets with their recipes, logs and {} models.",
                        backup.datasets.len(),
                        backup.models.len()
                    ))));
                }
                Err(e) => ctl.storage_error(&format!("restore {name}"), e),
            }
        });
    }
}

/// A client's name as a file name.
fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let stem = stem.trim_matches('-');
    if stem.is_empty() {
        "client".into()
    } else {
        stem.to_string()
    }
}
