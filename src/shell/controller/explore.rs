//! The insights (alerts, correlations) and the charts the user asks for.

use std::rc::Rc;

use wasm_bindgen_futures::spawn_local;

use super::request::AskError;
use super::Controller;
use crate::core::explore::alerts::AlertConfig;
use crate::core::explore::Query;
use crate::protocol::{Ask, Reply, WorkerError};
use crate::shell::state::Action;

impl Controller {
    /// Asks the worker for the insights of `dataset` under the current
    /// alert thresholds.
    pub fn refresh_insights(&self, dataset: String) {
        let ctl = self.clone();
        let config = self.0.alert_config.get();
        spawn_local(async move {
            match ctl.ask(Ask::Alerts { config }).await {
                Ok(Reply::Insights(insights, wasm_memory, helped)) => ctl.dispatch(
                    Action::Insights(dataset, Rc::new(*insights), wasm_memory, helped),
                ),
                Ok(_) => {}
                // Another dataset was opened meanwhile: its own insights follow.
                Err(AskError::Worker(WorkerError::NotLoaded { .. })) => {}
                Err(e) => {
                    if let Some(msg) = e.sentence() {
                        ctl.dispatch(Action::Error(Some(msg)));
                    }
                }
            }
        });
    }

    /// New alert thresholds: the alerts are computed again.
    pub fn set_alert_config(&self, dataset: Option<String>, config: AlertConfig) {
        self.0.alert_config.set(config);
        self.dispatch(Action::AlertConfig(config));
        if let Some(id) = dataset {
            self.refresh_insights(id);
        }
    }

    /// Asks the worker for a chart of the columns the user picked.
    pub fn explore(&self, dataset: String, query: Query) {
        let ctl = self.clone();
        spawn_local(async move {
            match ctl.ask(Ask::Explore { query }).await {
                Ok(Reply::Explored(answer)) => ctl.dispatch(Action::Explored(dataset, *answer)),
                Ok(_) => {}
                Err(e) => ctl.dispatch(Action::ExploreError(e.sentence())),
            }
        });
    }
}
