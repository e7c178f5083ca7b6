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
    /// x and y are finite (rows without both are left out); a colour value
    /// is finite too, since NaN stands for None on the way to the page
    /// (the `packed` form).
    #[serde(with = "packed")]
    pub points: Vec<(f64, f64, Option<f64>)>,
    /// Rows where both x and y are present.
    pub total: u64,
    /// Whether `points` is a sample of them.
    pub sampled: bool,
}

/// Points cross from the worker to the page as one byte string (CBOR, or
/// another self-describing binary format): x, y and the colour value as
/// little-endian `f64`s, 24 bytes a point, NaN for no colour value. The
/// page reads it in one copy, where 5,000 arrays of three numbers are
/// 20,000 items to decode one by one. A format for people (JSON) keeps
/// the list of triples.
mod packed {
    use serde::de::{self, Deserializer, SeqAccess, Visitor};
    use serde::{Serialize, Serializer};

    type Point = (f64, f64, Option<f64>);
    const POINT: usize = 24;

    pub fn serialize<S: Serializer>(points: &[Point], s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            return points.serialize(s);
        }
        let mut bytes = Vec::with_capacity(points.len() * POINT);
        for &(x, y, c) in points {
            bytes.extend_from_slice(&x.to_le_bytes());
            bytes.extend_from_slice(&y.to_le_bytes());
            // Any NaN reads back as None, so None is written as the one NaN.
            let c = c.filter(|c| !c.is_nan()).unwrap_or(f64::NAN);
            bytes.extend_from_slice(&c.to_le_bytes());
        }
        s.serialize_bytes(&bytes)
    }

    /// Bytes or a list of triples, whichever is there: inside a tagged
    /// enum (`Answer`) serde reads through a buffer of its own, which says
    /// every format is for people.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Point>, D::Error> {
        d.deserialize_any(Packed)
    }

    /// The points of `bytes`, 24 a point.
    fn unpack(bytes: &[u8]) -> Option<Vec<Point>> {
        if !bytes.len().is_multiple_of(POINT) {
            return None;
        }
        let number = |b: &[u8]| {
            let mut a = [0u8; 8];
            a.copy_from_slice(b);
            f64::from_le_bytes(a)
        };
        Some(
            bytes
                .chunks_exact(POINT)
                .map(|p| {
                    let c = number(&p[16..24]);
                    (
                        number(&p[..8]),
                        number(&p[8..16]),
                        (!c.is_nan()).then_some(c),
                    )
                })
                .collect(),
        )
    }

    struct Packed;

    impl<'de> Visitor<'de> for Packed {
        type Value = Vec<Point>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("scatter points as bytes, 24 a point")
        }

        fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
            unpack(bytes).ok_or_else(|| E::invalid_length(bytes.len(), &self))
        }

        fn visit_byte_buf<E: de::Error>(self, bytes: Vec<u8>) -> Result<Self::Value, E> {
            self.visit_bytes(&bytes)
        }

        /// The triples, as a format for people writes them.
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            // What a message declares reserves at most 1 MiB.
            let most = (1 << 20) / std::mem::size_of::<Point>();
            let mut points = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(most));
            while let Some(p) = seq.next_element::<Point>()? {
                points.push(p);
            }
            Ok(points)
        }
    }
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

    /// The points cross as bytes in CBOR and as triples in JSON, and read
    /// back the same, a missing colour value and an infinite x included;
    /// bytes not a whole number of points are an error, not a panic.
    #[test]
    fn points_cross_packed() {
        let s = Scatter {
            x: "a".into(),
            y: "b".into(),
            x_dates: false,
            y_dates: false,
            colour: None,
            points: vec![
                (1.5, -2.0, Some(3.0)),
                (f64::INFINITY, 0.0, None),
                (0.1, 1e300, Some(0.0)),
            ],
            total: 3,
            sampled: false,
        };
        let mut cbor = Vec::new();
        ciborium::into_writer(&s, &mut cbor).unwrap();
        // 72 bytes of points in one byte string (a 0x58 header: one length byte).
        let at = cbor.windows(2).position(|w| w == [0x58, 72]);
        assert!(at.is_some(), "the points are not one byte string: {cbor:?}");
        let back: Scatter = ciborium::from_reader(cbor.as_slice()).unwrap();
        assert_eq!(back, s);
        // The same inside an answer (a tagged enum: serde reads it through
        // a buffer of its own).
        let answer = super::super::Answer::Scatter(s.clone());
        let mut bytes = Vec::new();
        ciborium::into_writer(&answer, &mut bytes).unwrap();
        assert!(bytes.windows(2).any(|w| w == [0x58, 72]), "{bytes:?}");
        let back: super::super::Answer = ciborium::from_reader(bytes.as_slice()).unwrap();
        assert_eq!(back, answer);
        // JSON has no infinity: a finite x there.
        let mut finite = s.clone();
        finite.points[1].0 = 2.0;
        let json = serde_json::to_string(&finite).unwrap();
        assert!(json.contains("[[1.5,-2.0,3.0],[2.0,0.0,null]"), "{json}");
        let back: Scatter = serde_json::from_str(&json).unwrap();
        assert_eq!(back, finite);
        // 71 bytes: not whole points.
        let at = at.unwrap();
        let mut cut = cbor.clone();
        cut[at + 1] = 71;
        cut.remove(at + 2);
        let read: Result<Scatter, _> = ciborium::from_reader(cut.as_slice());
        assert!(read.is_err());
    }

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
