//! Scatter plots of two columns (numbers, dates), coloured by a third,
//! with a seeded random sample when there are more rows than can be drawn.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::core::explore::aggregate::ExploreError;
use crate::core::ingest::Dataset;
use crate::core::model::ColumnType;
use crate::core::rng::Rng;
use crate::core::table::ColumnData;

/// Points drawn at most; above this a random sample is drawn.
pub const MAX_POINTS: usize = 5_000;
/// Categories coloured one by one; the rest are "other".
pub const MAX_GROUPS: usize = 7;
/// The sample's seed: the same data gives the same picture.
const SEED: u64 = 0x5EED_1234_ABCD_0001;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Colour {
    /// Category index into `groups` (the last one may be "other").
    Groups { column: String, groups: Vec<String> },
    /// A numeric column: its range, for a continuous scale.
    Scale { column: String, min: f64, max: f64 },
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scatter {
    pub x: String,
    pub y: String,
    /// Whether each axis holds dates (days since 1970-01-01).
    pub x_dates: bool,
    pub y_dates: bool,
    pub colour: Option<Colour>,
    /// (x, y, colour value: group index or number; None when missing).
    /// Always finite: the points cross to the page as JSON, where NaN
    /// would not read back.
    pub points: Vec<(f64, f64, Option<f64>)>,
    /// Rows where both x and y are present.
    pub total: u64,
    /// Whether `points` is a sample of them.
    pub sampled: bool,
}

fn column<'a>(ds: &'a Dataset, name: &str) -> Result<(usize, ColumnData<'a>), ExploreError> {
    let names = ds.names();
    let i = names
        .iter()
        .position(|n| n == name)
        .ok_or_else(|| ExploreError::UnknownColumn {
            name: name.to_string(),
            available: names.clone(),
        })?;
    let data = ColumnData::of(ds, i).ok_or_else(|| ExploreError::UnknownColumn {
        name: name.to_string(),
        available: names.clone(),
    })?;
    Ok((i, data))
}

fn continuous<'a>(ds: &'a Dataset, name: &str) -> Result<(bool, ColumnData<'a>), ExploreError> {
    let (i, data) = column(ds, name)?;
    if !data.is_continuous() {
        return Err(ExploreError::NotNumeric {
            column: name.to_string(),
            kind: ds.types[i].words().to_string(),
        });
    }
    Ok((
        matches!(ds.types[i], ColumnType::Date | ColumnType::Datetime),
        data,
    ))
}

/// `k` of the `n` indices, chosen at random (reservoir), in order.
fn sample_indices(n: usize, k: usize, seed: u64) -> Vec<usize> {
    if n <= k {
        return (0..n).collect();
    }
    let mut rng = Rng::new(seed);
    let mut keep: Vec<usize> = (0..k).collect();
    for i in k..n {
        let j = (rng.next_u64() % (i as u64 + 1)) as usize;
        if j < k {
            keep[j] = i;
        }
    }
    keep.sort_unstable();
    keep
}

/// Bound: one pass over the two columns (and the colour column's
/// distinct values, counted in a hash map); at most `max` points
/// ([`MAX_POINTS`]) and [`MAX_GROUPS`] colours (+ "other") are kept.
pub fn scatter(
    ds: &Dataset,
    x: &str,
    y: &str,
    colour: Option<&str>,
    max_points: usize,
) -> Result<Scatter, ExploreError> {
    let (x_dates, xs) = continuous(ds, x)?;
    let (y_dates, ys) = continuous(ds, y)?;
    let both: Vec<usize> = (0..ds.height())
        .filter(|&r| matches!((xs.number(r), ys.number(r)), (Some(a), Some(b)) if a.is_finite() && b.is_finite()))
        .collect();
    let chosen = sample_indices(both.len(), max_points.max(1), SEED);
    let rows: Vec<usize> = chosen.iter().map(|&i| both[i]).collect();
    let (colour, values): (Option<Colour>, Vec<f64>) = match colour {
        None => (None, vec![f64::NAN; rows.len()]),
        Some(name) => {
            let (_, data) = column(ds, name)?;
            if data.is_continuous() {
                let v: Vec<f64> = rows
                    .iter()
                    .map(|&r| data.number(r).unwrap_or(f64::NAN))
                    .collect();
                let finite = v.iter().copied().filter(|v| v.is_finite());
                let min = finite.clone().fold(f64::INFINITY, f64::min);
                let max = finite.fold(f64::NEG_INFINITY, f64::max);
                let (min, max) = if min <= max { (min, max) } else { (0.0, 0.0) };
                (
                    Some(Colour::Scale {
                        column: name.to_string(),
                        min,
                        max,
                    }),
                    v,
                )
            } else {
                // The most frequent categories over all rows, then "other".
                let mut counts: HashMap<String, u64> = HashMap::new();
                for &r in &both {
                    if !data.is_missing(r) {
                        *counts.entry(data.text(r)).or_insert(0) += 1;
                    }
                }
                let mut by: Vec<(String, u64)> = counts.into_iter().collect();
                by.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                let mut groups: Vec<String> =
                    by.iter().take(MAX_GROUPS).map(|g| g.0.clone()).collect();
                let other = by.len() > MAX_GROUPS;
                let index: HashMap<&str, usize> = groups
                    .iter()
                    .enumerate()
                    .map(|(i, g)| (g.as_str(), i))
                    .collect();
                let v = rows
                    .iter()
                    .map(|&r| {
                        if data.is_missing(r) {
                            return f64::NAN;
                        }
                        index
                            .get(data.text(r).as_str())
                            .map_or(MAX_GROUPS as f64, |&i| i as f64)
                    })
                    .collect();
                if other {
                    groups.push("other".into());
                }
                (
                    Some(Colour::Groups {
                        column: name.to_string(),
                        groups,
                    }),
                    v,
                )
            }
        }
    };
    let points = rows
        .iter()
        .zip(values)
        .filter_map(|(&r, c)| Some((xs.number(r)?, ys.number(r)?, c.is_finite().then_some(c))))
        .collect();
    Ok(Scatter {
        x: x.to_string(),
        y: y.to_string(),
        x_dates,
        y_dates,
        colour,
        points,
        total: both.len() as u64,
        sampled: both.len() > max_points,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_is_seeded_sorted_and_complete_when_small() {
        assert_eq!(sample_indices(5, 10, 1), vec![0, 1, 2, 3, 4]);
        let a = sample_indices(100_000, 500, 7);
        assert_eq!(a, sample_indices(100_000, 500, 7));
        assert_eq!(a.len(), 500);
        assert!(a.windows(2).all(|w| w[0] < w[1]));
        // Spread over the whole range, not the first rows.
        assert!(a.iter().filter(|&&i| i >= 50_000).count() > 150);
    }
}
