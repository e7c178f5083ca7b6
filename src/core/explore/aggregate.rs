//! Placeholder until the trend/group-by engine lands: the error type the
//! explore requests share.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ExploreError {
    UnknownColumn { name: String, available: Vec<String> },
    NotNumeric { column: String, kind: String },
}
