//! Steps through Plainsight's page shared by the browser test files.

#![allow(dead_code)]

use std::time::Duration;

use super::webdriver::{Driver, WdError, WdResult};

/// Clicks "Try sample data" and waits until the sample's profile shows
/// (fails at once when the job reports an error).
pub fn load_sample(d: &Driver, wait: Duration) -> WdResult<()> {
    d.click_when_ready("[data-testid=try-sample]")?;
    d.wait_for(
        "the sample: job-status done and dataset-rows shown",
        wait,
        |d| {
            let state = d.attr_of("[data-testid=job-status]", "data-state")?;
            if state.as_deref() == Some("error") {
                return Err(WdError::new(
                    "app error",
                    format!("the sample failed: {:?}", d.page_error()),
                ));
            }
            let rows = d.attr_of("[data-testid=dataset-rows]", "data-value")?;
            Ok((state.as_deref() == Some("done") && rows.is_some()).then_some(()))
        },
    )
}
