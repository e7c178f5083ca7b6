//! The missing-values matrix (missingno's picture): the rows cut into bands
//! in file order, and for each column the share of missing cells per band,
//! so that gaps shared by several columns line up.

use serde::{Deserialize, Serialize};

use crate::core::ingest::Dataset;
use crate::core::table::{for_each_missing, ColumnData};

/// Bands the rows are cut into (fewer when there are fewer rows).
pub const BANDS: usize = 100;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct MissingMatrix {
    pub columns: Vec<String>,
    pub rows: u64,
    /// Rows in each band (the last band may hold fewer).
    pub band_rows: u64,
    /// `share[c][b]`: missing cells of column `c` in band `b`, over its rows.
    pub share: Vec<Vec<f32>>,
    /// Missing cells per column.
    pub missing: Vec<u64>,
    /// Rows with at least one missing cell.
    pub rows_with_missing: u64,
}

/// Bound: one pass over the cells; the matrix holds `columns ×`
/// [`BANDS`] shares whatever the number of rows.
pub fn missing_matrix(ds: &Dataset) -> MissingMatrix {
    let rows = ds.height();
    let band_rows = rows.div_ceil(BANDS).max(1);
    let bands = rows.div_ceil(band_rows);
    let mut m = MissingMatrix {
        columns: ds.names(),
        rows: rows as u64,
        band_rows: band_rows as u64,
        ..MissingMatrix::default()
    };
    let mut any = vec![false; rows];
    for i in 0..ds.width() {
        if ColumnData::of(ds, i).is_none() {
            m.share.push(vec![0.0; bands]);
            m.missing.push(0);
            continue;
        }
        let mut counts = vec![0u64; bands];
        for_each_missing(ds, i, |r| {
            counts[r / band_rows] += 1;
            any[r] = true;
        });
        m.missing.push(counts.iter().sum());
        m.share.push(
            counts
                .iter()
                .enumerate()
                .map(|(b, &n)| {
                    let size = band_rows.min(rows - b * band_rows);
                    n as f32 / size as f32
                })
                .collect(),
        );
    }
    m.rows_with_missing = any.iter().filter(|&&a| a).count() as u64;
    m
}
