//! The page↔worker messages live in `crate::protocol` (plain data, also
//! built natively for the fuzz target and the round-trip tests).
pub use crate::protocol::*;
