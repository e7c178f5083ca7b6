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
    InsightsRun::new(None, *config).run(ds, profile)
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
    InsightsRun::new(known, *config).run(ds, profile)
}

/// The insights computed a part at a time ([`InsightsRun::step`]): the
/// columns that enter the correlations and their three phases, then the
/// boxes, the missing matrix and the alerts.
/// One engine for both schedulers: the command line and the report run it
/// through ([`InsightsRun::run`]); the worker runs one part per task, so a
/// request or a new file waits for the part running, not for the whole.
pub struct InsightsRun {
    config: AlertConfig,
    part: Part,
    correlations: Option<correlate::CorrelationRun>,
    found: Insights,
    /// `found.alerts` are computed, under `config`, while the Spearman
    /// matrix handed out is not back (the alerts read the pairs, not it).
    alerts_early: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Correlations,
    Boxes,
    Missing,
    Alerts,
    Done,
}

impl InsightsRun {
    /// A run (nothing computed yet); with `known` (an earlier answer about
    /// the same data) only the alerts are left to compute.
    pub fn new(known: Option<Insights>, config: AlertConfig) -> InsightsRun {
        match known {
            Some(found) => InsightsRun {
                config,
                part: Part::Alerts,
                correlations: None,
                found,
                alerts_early: false,
            },
            None => InsightsRun {
                config,
                part: Part::Correlations,
                correlations: None,
                found: Insights::default(),
                alerts_early: false,
            },
        }
    }

    /// The thresholds the alerts will follow (a newer request's, while
    /// the alerts are not computed yet).
    pub fn set_config(&mut self, config: AlertConfig) {
        if config != self.config {
            self.alerts_early = false;
        }
        self.config = config;
    }

    /// Runs the next part on `ds` and its `profile` (the same at every
    /// step); the insights once all are done. While a Spearman matrix
    /// handed out is not back, the parts that do not need it run; then a
    /// step does nothing ([`Self::waiting`]).
    pub fn step(&mut self, ds: &Dataset, profile: &DatasetProfile) -> Option<Insights> {
        match self.part {
            Part::Correlations => match self.correlations.as_mut() {
                // First the columns that enter the pairs (a pass over each
                // numeric column).
                None => self.start_correlations(ds),
                Some(run) => {
                    if run.step(ds) {
                        self.finish_correlations();
                        self.part = Part::Boxes;
                    } else if run.waiting() {
                        self.part = Part::Boxes;
                    }
                }
            },
            Part::Boxes => {
                self.found.boxes = distribution::boxes(ds, profile);
                self.part = Part::Missing;
            }
            Part::Missing => {
                self.found.missing = missing::missing_matrix(ds);
                self.part = Part::Alerts;
            }
            // The alerts need the correlations' pairs, which are all in
            // once only a Spearman matrix handed out is missing: they are
            // computed meanwhile.
            Part::Alerts if self.correlations.is_some() => {
                let run = self.correlations.as_mut().expect("matched");
                if run.waiting() {
                    if !self.alerts_early {
                        self.found.alerts =
                            alerts::alerts(ds, profile, run.pairs_so_far(), &self.config);
                        self.alerts_early = true;
                    }
                // (A Spearman matrix taken back is computed here.)
                } else if run.is_done() || run.step(ds) {
                    self.finish_correlations();
                }
            }
            Part::Alerts => {
                if !self.alerts_early {
                    self.found.alerts =
                        alerts::alerts(ds, profile, &self.found.correlations, &self.config);
                }
                self.part = Part::Done;
                return Some(std::mem::take(&mut self.found));
            }
            Part::Done => {}
        }
        None
    }

    fn finish_correlations(&mut self) {
        if let Some(run) = self.correlations.take() {
            self.found.correlations = run.finish();
        }
    }

    fn start_correlations(&mut self, ds: &Dataset) {
        self.correlations = Some(correlate::CorrelationRun::new(
            ds,
            correlate::MAX_PAIR_COLUMNS,
        ));
    }

    /// Hands the Spearman matrix out to be computed elsewhere meanwhile
    /// ([`correlate::spearman_matrix`] on the columns returned, by their
    /// dataset positions), when it is not computed yet and its numeric
    /// cells are from `min_cells` to `max_cells`. Picks the columns first
    /// when no step has.
    pub fn hand_out_spearman(
        &mut self,
        ds: &Dataset,
        min_cells: usize,
        max_cells: usize,
    ) -> Option<Vec<usize>> {
        if self.part != Part::Correlations {
            return None;
        }
        if self.correlations.is_none() {
            self.start_correlations(ds);
        }
        self.correlations
            .as_mut()?
            .hand_out_spearman(ds.height(), min_cells, max_cells)
    }

    /// The Spearman matrix handed out, computed; false when it was not
    /// taken (it is then computed here).
    pub fn spearman_in(&mut self, matrix: Vec<Vec<Option<f64>>>) -> bool {
        self.correlations
            .as_mut()
            .is_some_and(|run| run.spearman_in(matrix))
    }

    /// Takes the Spearman matrix handed out back: it is computed here.
    pub fn spearman_here(&mut self) {
        if let Some(run) = self.correlations.as_mut() {
            run.spearman_here();
        }
    }

    /// Every part left needs the Spearman matrix handed out (the alerts
    /// are computed): a step does nothing until it is given or taken back.
    pub fn waiting(&self) -> bool {
        self.part == Part::Alerts
            && self.alerts_early
            && self.correlations.as_ref().is_some_and(|r| r.waiting())
    }

    /// Runs every part left (each part moves the run on, so this ends; a
    /// Spearman matrix handed out and not back is computed here).
    pub fn run(mut self, ds: &Dataset, profile: &DatasetProfile) -> Insights {
        loop {
            if self.waiting() {
                self.spearman_here();
            }
            if let Some(found) = self.step(ds, profile) {
                return found;
            }
            if self.part == Part::Done {
                return std::mem::take(&mut self.found);
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The run a part at a time gives what one call gives, in the parts
    /// said (three correlation phases, boxes, missing, alerts), and a run
    /// reusing an answer computes only the alerts, under its own
    /// thresholds.
    #[test]
    fn insights_a_part_at_a_time() {
        let mut text = String::from("a,b,c,d\n");
        for r in 0..400 {
            let b = if r % 7 == 0 {
                String::new()
            } else {
                (r * r % 97).to_string()
            };
            text += &format!("{r},{b},{},{}\n", ["x", "y", "z"][r % 3], r % 5);
        }
        let ds = crate::core::read_bytes("t.csv", text.as_bytes()).unwrap();
        let profile = crate::core::profile(&ds);
        let config = AlertConfig::default();
        // What each part's function gives on its own.
        let correlations = correlate::correlations(&ds);
        let whole = Insights {
            alerts: alerts::alerts(&ds, &profile, &correlations, &config),
            correlations,
            boxes: distribution::boxes(&ds, &profile),
            missing: missing::missing_matrix(&ds),
        };
        assert!(!whole.correlations.pearson.is_empty() && !whole.correlations.eta.is_empty());
        assert!(!whole.boxes.is_empty() && !whole.alerts.is_empty());
        assert!(!whole.missing.columns.is_empty());
        assert_eq!(insights(&ds, &profile, &config), whole);
        let mut run = InsightsRun::new(None, config);
        let mut parts = 0;
        let stepped = loop {
            parts += 1;
            if let Some(found) = run.step(&ds, &profile) {
                break found;
            }
            assert!(parts < 20, "the run does not end");
        };
        // The columns, the three phases, boxes, missing, alerts.
        assert_eq!((parts, &stepped), (7, &whole));
        // Reusing: one part, the alerts under the new thresholds.
        let strict = AlertConfig {
            zeros: 0.0,
            ..config
        };
        let mut run = InsightsRun::new(Some(whole.clone()), config);
        run.set_config(strict);
        let again = run.step(&ds, &profile).expect("only the alerts");
        assert_eq!(again.correlations, whole.correlations);
        assert_eq!(
            again.alerts,
            alerts::alerts(&ds, &profile, &whole.correlations, &strict)
        );
        assert_ne!(again.alerts, whole.alerts);

        // The Spearman matrix handed out: computed elsewhere from the
        // columns named, given back, the same insights; the parts that do
        // not need it run meanwhile, then the run waits for it.
        let mut run = InsightsRun::new(None, config);
        // 3 numeric columns of 400 rows: 1,200 cells.
        assert_eq!(run.hand_out_spearman(&ds, 1201, usize::MAX), None);
        assert_eq!(run.hand_out_spearman(&ds, 0, 1199), None);
        let columns = run
            .hand_out_spearman(&ds, 0, usize::MAX)
            .expect("handed out");
        assert_eq!(columns, vec![0, 1, 3]);
        assert_eq!(run.hand_out_spearman(&ds, 0, usize::MAX), None, "once");
        let mut steps = 0;
        while !run.waiting() {
            assert!(run.step(&ds, &profile).is_none() && steps < 10);
            steps += 1;
        }
        // Pearson, (no Spearman), categories, boxes, missing, the alerts.
        assert_eq!(steps, 6);
        assert!(run.step(&ds, &profile).is_none() && run.waiting());
        let numbers = |k: usize| correlate::numbers_of(&ds, columns[k]);
        let matrix = correlate::spearman_matrix(columns.len(), numbers);
        assert_eq!(matrix, whole.correlations.spearman);
        assert!(run.spearman_in(matrix.clone()));
        assert_eq!(run.run(&ds, &profile), whole);
        // Taken back (a helper failed), or a wrong answer: computed here,
        // the same; `run` takes one still out back.
        for answer in [
            None,
            Some(vec![vec![Some(0.5)]]),
            Some(vec![vec![Some(f64::NAN); 3]; 3]),
        ] {
            let mut run = InsightsRun::new(None, config);
            assert!(run.hand_out_spearman(&ds, 0, usize::MAX).is_some());
            while !run.waiting() {
                assert!(run.step(&ds, &profile).is_none());
            }
            match answer {
                Some(m) => assert!(!run.spearman_in(m)),
                None => run.spearman_here(),
            }
            assert!(!run.waiting());
            assert_eq!(run.run(&ds, &profile), whole);
        }
        let mut run = InsightsRun::new(None, config);
        assert!(run.hand_out_spearman(&ds, 0, usize::MAX).is_some());
        assert_eq!(run.run(&ds, &profile), whole);
        // New thresholds after the alerts were computed while waiting:
        // computed again under them once the matrix is in.
        let mut run = InsightsRun::new(None, config);
        assert!(run.hand_out_spearman(&ds, 0, usize::MAX).is_some());
        while !run.waiting() {
            assert!(run.step(&ds, &profile).is_none());
        }
        run.set_config(strict);
        assert!(!run.waiting(), "the alerts are to be computed again");
        assert!(run.step(&ds, &profile).is_none() && run.waiting());
        assert!(run.spearman_in(matrix.clone()));
        let found = run.run(&ds, &profile);
        assert_eq!(found.correlations, whole.correlations);
        assert_eq!(
            found.alerts,
            alerts::alerts(&ds, &profile, &whole.correlations, &strict)
        );
        // Not once the Spearman phase ran here.
        let mut run = InsightsRun::new(None, config);
        for _ in 0..3 {
            run.step(&ds, &profile);
        }
        assert_eq!(run.hand_out_spearman(&ds, 0, usize::MAX), None);
    }
}
