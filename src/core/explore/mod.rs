//! Exploring a dataset: quality alerts ([`alerts`]), correlations and
//! associations between columns ([`correlate`]), box plots
//! ([`distribution`]), the missing-values matrix ([`missing`]), scatter
//! plots ([`scatter`]), trends over time ([`trend`]) and group-by tables
//! ([`groupby`]), with the aggregations they share ([`aggregate`]).

pub mod aggregate;
pub mod alerts;
pub mod correlate;
pub mod defaults;
pub mod distribution;
pub mod groupby;
pub mod missing;
pub mod scatter;
pub mod trend;

use serde::{Deserialize, Serialize};

use crate::core::ingest::Dataset;
use crate::core::model::DatasetProfile;
use aggregate::{Agg, ExploreError};
use alerts::{Alert, AlertConfig};
use correlate::Correlations;
use distribution::BoxStats;
use groupby::{Dimension, GroupTable, Measure};
use missing::MissingMatrix;
use scatter::Scatter;
use trend::{Granularity, Trend};

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

/// The insights of `ds`. Each step's bound (rows × columns = the cells):
/// - correlations: at most [`correlate::MAX_PAIR_COLUMNS`] numeric and as
///   many categorical columns enter the pairs (the others are listed as
///   left out), so at most `3 × 50²` passes over the rows;
/// - alerts: one pass over each column, plus the correlation pairs above;
/// - boxes: the profile's quartiles and one pass over each numeric column
///   (its outliers sorted; a column with infinite values sorted whole,
///   cells × log rows), at most [`distribution::MAX_OUTLIERS`] outliers
///   kept per column;
/// - missing matrix: one pass over the cells, `columns ×`
///   [`missing::BANDS`] shares kept.
pub fn insights(ds: &Dataset, profile: &DatasetProfile, config: &AlertConfig) -> Insights {
    let correlations = correlate::correlations(ds);
    Insights {
        alerts: alerts::alerts(ds, profile, &correlations, config),
        correlations,
        boxes: distribution::boxes(ds, profile),
        missing: missing::missing_matrix(ds),
    }
}

/// The insights of `ds` under `config`, reusing what `known` (an earlier
/// answer about the same data) computed: only the alerts follow the
/// thresholds, so only they are computed again.
pub fn insights_reusing(
    ds: &Dataset,
    profile: &DatasetProfile,
    known: Option<Insights>,
    config: &AlertConfig,
) -> Insights {
    match known {
        Some(mut known) => {
            known.alerts = alerts::alerts(ds, profile, &known.correlations, config);
            known
        }
        None => insights(ds, profile, config),
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
    /// `value` None counts rows; `granularity` None chooses it.
    Trend {
        date: String,
        value: Option<String>,
        agg: Agg,
        granularity: Option<Granularity>,
    },
    /// `sort`: (measure index, descending); None sorts by the keys.
    Group {
        dims: Vec<Dimension>,
        measures: Vec<Measure>,
        sort: Option<(usize, bool)>,
    },
}

/// Groups kept in a group-by answer (the count of all is kept too).
pub const GROUP_LIMIT: usize = 500;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Answer {
    Scatter(Scatter),
    Trend(Trend),
    /// The table, with the query that made it (the view's choices).
    Group {
        dims: Vec<Dimension>,
        measures: Vec<Measure>,
        sort: Option<(usize, bool)>,
        table: GroupTable,
    },
}

impl Answer {
    /// The kind of chart, as in the `chart` hook's `data-kind`.
    pub fn kind(&self) -> &'static str {
        match self {
            Answer::Scatter(_) => "scatter",
            Answer::Trend(_) => "trend",
            Answer::Group { .. } => "groupby",
        }
    }
}

/// Answers `query` on `ds`.
pub fn answer(ds: &Dataset, query: &Query) -> Result<Answer, ExploreError> {
    match query {
        Query::Scatter { x, y, colour } => {
            scatter::scatter(ds, x, y, colour.as_deref(), scatter::MAX_POINTS).map(Answer::Scatter)
        }
        Query::Trend {
            date,
            value,
            agg,
            granularity,
        } => trend::trend(ds, date, value.as_deref(), *agg, *granularity).map(Answer::Trend),
        Query::Group {
            dims,
            measures,
            sort,
        } => groupby::group_by(ds, dims, measures, *sort, GROUP_LIMIT).map(|table| Answer::Group {
            dims: dims.clone(),
            measures: measures.clone(),
            sort: *sort,
            table,
        }),
    }
}
