//! Exploring a dataset: quality alerts ([`alerts`]), correlations and
//! associations between columns ([`correlate`]), box plots
//! ([`distribution`]), the missing-values matrix ([`missing`]) and scatter
//! plots ([`scatter`]).

pub mod aggregate;
pub mod alerts;
pub mod correlate;
pub mod distribution;
pub mod missing;
pub mod scatter;

use serde::{Deserialize, Serialize};

use crate::core::ingest::Dataset;
use crate::core::model::DatasetProfile;
use aggregate::ExploreError;
use alerts::{Alert, AlertConfig};
use correlate::Correlations;
use distribution::BoxStats;
use missing::MissingMatrix;
use scatter::Scatter;

/// What the Overview and Explore views show without being asked: the
/// alerts and what they are computed from, box plots and the missing
/// matrix.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    pub alerts: Vec<Alert>,
    pub correlations: Correlations,
    pub boxes: Vec<BoxStats>,
    pub missing: MissingMatrix,
}

pub fn insights(ds: &Dataset, profile: &DatasetProfile, config: &AlertConfig) -> Insights {
    let correlations = correlate::correlations(ds);
    Insights {
        alerts: alerts::alerts(ds, profile, &correlations, config),
        correlations,
        boxes: distribution::boxes(ds),
        missing: missing::missing_matrix(ds),
    }
}

/// A chart the user asks for by picking columns.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Query {
    Scatter {
        x: String,
        y: String,
        colour: Option<String>,
    },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    Scatter(Scatter),
}

impl Answer {
    /// The kind of chart, as in the `chart` hook's `data-kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Answer::Scatter(_) => "scatter",
        }
    }
}

/// Answers `query` on `ds`.
pub fn answer(ds: &Dataset, query: &Query) -> Result<Answer, ExploreError> {
    match query {
        Query::Scatter { x, y, colour } => {
            scatter::scatter(ds, x, y, colour.as_deref(), scatter::MAX_POINTS).map(Answer::Scatter)
        }
    }
}
