//! Exploring a dataset: quality alerts ([`alerts`]) and correlations and
//! associations between columns ([`correlate`]).

pub mod alerts;
pub mod correlate;
