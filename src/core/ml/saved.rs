//! A fitted model with everything it needs to score new rows on its own:
//! the setup it learnt under, how the columns are read (schema), the frozen
//! preprocessing (encoder), the class names and the model. This is what a
//! saved model version keeps, so a model trained before a reload still
//! answers what-if questions and scores files without training again.
//!
//! Its byte form: `PSML`, the format number (u16, little-endian), then the
//! model as CBOR (trees as packed columns, see [`super::tree::Tree`]).
//! Reading checks the format and that the parts fit together, so a damaged
//! or foreign file is refused with a reason rather than used.

use serde::{Deserialize, Serialize};

use crate::core::ingest::Dataset;

use super::automl::{Scored, Setup, WhatIf};
use super::models::{Model, ModelKind, Prediction};
use super::prep::{Encoder, Encoding, Feature, PrepError, Schema, MAX_CATEGORIES};
use super::task::Task;

/// The byte format written by [`SavedModel::to_bytes`] (2: trees with
/// adjacent children and a table of leaf values, see
/// [`super::tree::Tree`]).
pub const FORMAT: u16 = 2;
/// The oldest format still read (1: every tree's children and leaf values
/// stored in full).
pub const OLDEST_FORMAT: u16 = 1;
const MAGIC: &[u8; 4] = b"PSML";

/// A fitted model ready to score rows of a dataset (after its recipe).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    pub kind: ModelKind,
    pub setup: Setup,
    pub schema: Schema,
    /// The target's name ("cluster" when there is none).
    pub target: String,
    /// The classes in code order (classification).
    pub classes: Vec<String>,
    pub encoder: Encoder,
    pub model: Model,
}

/// Why stored bytes cannot be used as a model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum LoadError {
    /// The bytes do not start like a saved model.
    NotAModel,
    /// Written in another format (by another version of the app).
    Format { found: u16 },
    /// The bytes are damaged or the parts do not fit together.
    Damaged { why: String },
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::NotAModel => write!(f, "not a saved model"),
            LoadError::Format { found } => write!(
                f,
                "saved in model format {found}; this version reads formats {OLDEST_FORMAT} to {FORMAT}"
            ),
            LoadError::Damaged { why } => write!(f, "the saved model is damaged: {why}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// A model and its preprocessing, borrowed: from a run in progress or from
/// a [`SavedModel`]; scores rows either way.
#[derive(Clone, Copy)]
pub struct Scorer<'a> {
    pub kind: ModelKind,
    pub schema: &'a Schema,
    pub target: &'a str,
    pub classes: &'a [String],
    pub encoder: &'a Encoder,
    pub model: &'a Model,
}

impl Scorer<'_> {
    /// The prediction for one row given as text (the what-if form).
    pub fn what_if(&self, cells: &[String]) -> WhatIf {
        let raw: Vec<Vec<f64>> = self
            .schema
            .row_from_text(cells)
            .into_iter()
            .map(|v| vec![v])
            .collect();
        let pred = self
            .model
            .predict(&self.encoder.encode(&raw, self.kind.family()));
        WhatIf {
            notes: self.schema.check_text(cells),
            ..self.describe(&pred, 0)
        }
    }

    /// Scores a dataset (already through the recipe): the predicted value
    /// per row, and per class its probability.
    pub fn predict(&self, ds: &Dataset) -> Result<Scored, PrepError> {
        let raw = self.schema.read(ds)?;
        let pred = self
            .model
            .predict(&self.encoder.encode(&raw, self.kind.family()));
        let n = ds.height();
        let mut columns = vec![(format!("predicted_{}", self.target), Vec::with_capacity(n))];
        match &pred {
            Prediction::Proba(pp) => {
                for c in self.classes {
                    columns.push((format!("probability_{c}"), Vec::with_capacity(n)));
                }
                for row in pp {
                    let best = super::forest::argmax(row);
                    columns[0]
                        .1
                        .push(self.classes.get(best).cloned().unwrap_or_default());
                    for (i, v) in row.iter().enumerate() {
                        if let Some(col) = columns.get_mut(i + 1) {
                            col.1.push(format!("{v:.4}"));
                        }
                    }
                }
            }
            Prediction::Values(v) => {
                columns[0].1 = v
                    .iter()
                    .map(|x| crate::core::clean::step::trim_number(*x))
                    .collect()
            }
            Prediction::Clusters(c) => {
                columns[0].1 = c.iter().map(|x| (x + 1).to_string()).collect()
            }
        }
        Ok(Scored { columns, rows: n })
    }

    /// Row `row` of a prediction, for people.
    pub fn describe(&self, pred: &Prediction, row: usize) -> WhatIf {
        match pred {
            Prediction::Proba(pp) => {
                let mut proba: Vec<(String, f64)> = pp[row]
                    .iter()
                    .enumerate()
                    .map(|(i, &v)| (self.classes.get(i).cloned().unwrap_or_default(), v))
                    .collect();
                proba.sort_by(|a, b| b.1.total_cmp(&a.1));
                WhatIf {
                    headline: proba.first().map(|c| c.0.clone()).unwrap_or_default(),
                    value: proba.first().map(|c| c.1),
                    proba,
                    notes: Vec::new(),
                }
            }
            Prediction::Values(v) => WhatIf {
                headline: crate::core::format::num(v[row]),
                proba: Vec::new(),
                value: Some(v[row]),
                notes: Vec::new(),
            },
            Prediction::Clusters(c) => WhatIf {
                headline: format!("cluster {}", c[row] + 1),
                proba: Vec::new(),
                value: None,
                notes: Vec::new(),
            },
        }
    }

    /// The byte form of this model saved with `setup` (see the module's
    /// documentation), written from the borrowed parts: the same bytes as
    /// [`SavedModel::to_bytes`] of [`Scorer::to_saved`], without the copy.
    pub fn to_bytes(&self, setup: &Setup) -> Vec<u8> {
        /// [`SavedModel`]'s fields, in its order, borrowed.
        #[derive(Serialize)]
        #[serde(rename = "SavedModel")]
        struct View<'a> {
            kind: ModelKind,
            setup: &'a Setup,
            schema: &'a Schema,
            target: &'a str,
            classes: &'a [String],
            encoder: &'a Encoder,
            model: &'a Model,
        }
        let view = View {
            kind: self.kind,
            setup,
            schema: self.schema,
            target: self.target,
            classes: self.classes,
            encoder: self.encoder,
            model: self.model,
        };
        let mut out = Vec::with_capacity(1024);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT.to_le_bytes());
        ciborium::into_writer(&view, &mut out).expect("writing to a Vec cannot fail");
        out
    }

    /// An owned copy that scores on its own.
    pub fn to_saved(&self, setup: &Setup) -> SavedModel {
        SavedModel {
            kind: self.kind,
            setup: setup.clone(),
            schema: self.schema.clone(),
            target: self.target.to_string(),
            classes: self.classes.to_vec(),
            encoder: self.encoder.clone(),
            model: self.model.clone(),
        }
    }
}

/// Adds the predicted columns of `scored` to `ds` as text columns (a name
/// already taken gets `_` appended).
pub fn add_predictions(ds: &mut Dataset, scored: Scored) -> Result<(), String> {
    for (col, values) in scored.columns {
        let values = crate::core::clean::values::texts(values.iter().map(Some));
        let mut name = col;
        while ds.names().contains(&name) {
            name.push('_');
        }
        ds.frame
            .with_column(values.into_column(&name))
            .map_err(|e| e.to_string())?;
        ds.types.push(crate::core::model::ColumnType::String);
        ds.date_formats.push(None);
    }
    Ok(())
}

impl SavedModel {
    pub fn scorer(&self) -> Scorer<'_> {
        Scorer {
            kind: self.kind,
            schema: &self.schema,
            target: &self.target,
            classes: &self.classes,
            encoder: &self.encoder,
            model: &self.model,
        }
    }

    /// The byte form (see the module's documentation).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.scorer().to_bytes(&self.setup)
    }

    /// Reads [`SavedModel::to_bytes`]'s output back, checking it.
    pub fn from_bytes(bytes: &[u8]) -> Result<SavedModel, LoadError> {
        if bytes.len() < 6 || &bytes[..4] != MAGIC {
            return Err(LoadError::NotAModel);
        }
        let found = u16::from_le_bytes([bytes[4], bytes[5]]);
        if !(OLDEST_FORMAT..=FORMAT).contains(&found) {
            return Err(LoadError::Format { found });
        }
        // Lengths inside the CBOR are never trusted for allocation:
        // ciborium reads byte strings piece by piece and serde caps
        // pre-allocated lists, so a declared length past the input ends in
        // an error; the trees' leaf copies are budgeted.
        let m: SavedModel = super::tree::with_leaf_budget(|| ciborium::from_reader(&bytes[6..]))
            .map_err(|e| LoadError::Damaged { why: e.to_string() })?;
        m.check()?;
        Ok(m)
    }

    /// That the parts fit together (what scoring relies on).
    fn check(&self) -> Result<(), LoadError> {
        let damaged = |why: &str| {
            Err(LoadError::Damaged {
                why: why.to_string(),
            })
        };
        let n = self.schema.features.len();
        if n == 0 || self.encoder.columns.len() != n || self.setup.features.len() != n {
            return damaged("the feature lists differ in length");
        }
        for (f, e) in self.schema.features.iter().zip(&self.encoder.columns) {
            let fits = match (f, e) {
                (Feature::Category { categories, .. }, Encoding::OneHot { levels, seen }) => {
                    categories.len() <= MAX_CATEGORIES
                        && *levels == categories.len() + 1
                        && seen.len() == *levels
                }
                (Feature::Number { .. } | Feature::Date { .. }, Encoding::Number { .. }) => true,
                _ => false,
            };
            if !fits {
                return damaged("a feature's encoding does not fit its column");
            }
        }
        let classes = self.classes.len();
        let task_ok = match self.setup.task {
            Task::Classification => classes >= 2,
            Task::Regression | Task::Clustering => classes == 0,
        };
        if !task_ok {
            return damaged("the classes do not fit the task");
        }
        let width = self.encoder.sources(self.kind.family()).len();
        if let Err(why) = self.model.fits(width, classes) {
            return damaged(why);
        }
        Ok(())
    }
}
