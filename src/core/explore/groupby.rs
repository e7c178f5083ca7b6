//! Pivot-style summaries: the rows grouped by one or more dimensions
//! (columns as they are, or a part of a date), with measures aggregated per
//! group. Missing keys form their own group, "(missing)" (pandas'
//! `groupby(dropna=False)`).
//!
//! Each dimension is read in place and coded once (strings keyed by `&str`,
//! no copy of the text per cell); the combined key of a row is then a
//! number, so a million rows group in a few hash look-ups per row (with
//! polars' fast hasher).

use std::cmp::Ordering;
use std::hash::Hash;

use polars_core::prelude::PlHashMap as HashMap;
use serde::{Deserialize, Serialize};

use super::aggregate::{
    civil_from_days, column, days_of, for_each_present, iso_date, measure_column, weekday, Acc,
    Agg, ExploreError,
};
use crate::core::infer::format_datetime;
use crate::core::ingest::Dataset;
use crate::core::table::ColumnData;

/// The text shown for the group of rows whose key is missing.
pub const MISSING: &str = "(missing)";

/// A part of a date (or a datetime's day) to group by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatePart {
    /// "2015".
    Year,
    /// "2015-Q1".
    Quarter,
    /// Year and month, "2015-03".
    Month,
    /// The month whatever the year, "03 Mar".
    MonthOfYear,
    /// ISO weekday, "1 Mon" … "7 Sun".
    Weekday,
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl DatePart {
    pub const ALL: [DatePart; 5] = [
        DatePart::Year,
        DatePart::Quarter,
        DatePart::Month,
        DatePart::MonthOfYear,
        DatePart::Weekday,
    ];

    /// The machine name, as serde writes it ("month_of_year").
    pub fn as_str(self) -> &'static str {
        match self {
            DatePart::Year => "year",
            DatePart::Quarter => "quarter",
            DatePart::Month => "month",
            DatePart::MonthOfYear => "month_of_year",
            DatePart::Weekday => "weekday",
        }
    }

    pub fn parse(s: &str) -> Option<DatePart> {
        DatePart::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Words for people ("month of year").
    pub fn label(self) -> &'static str {
        match self {
            DatePart::MonthOfYear => "month of year",
            other => other.as_str(),
        }
    }

    /// A number per part value that sorts like time.
    fn ordinal(self, days: i32) -> i64 {
        let (y, m, _) = civil_from_days(days);
        let (y, m) = (i64::from(y), i64::from(m));
        match self {
            DatePart::Year => y,
            DatePart::Quarter => y * 4 + (m - 1) / 3,
            DatePart::Month => y * 12 + m - 1,
            DatePart::MonthOfYear => m,
            DatePart::Weekday => i64::from(weekday(days)),
        }
    }

    fn text(self, ord: i64) -> String {
        let name = |names: &[&str], i: i64| {
            names
                .get((i - 1) as usize)
                .copied()
                .unwrap_or("?")
                .to_string()
        };
        match self {
            DatePart::Year => format!("{ord:04}"),
            DatePart::Quarter => format!("{:04}-Q{}", ord.div_euclid(4), ord.rem_euclid(4) + 1),
            DatePart::Month => format!("{:04}-{:02}", ord.div_euclid(12), ord.rem_euclid(12) + 1),
            DatePart::MonthOfYear => format!("{ord:02} {}", name(&MONTHS, ord)),
            DatePart::Weekday => format!("{ord} {}", name(&WEEKDAYS, ord)),
        }
    }
}

/// What the rows are grouped by.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Dimension {
    /// A column's values as they are (numbers and booleans by their text,
    /// dates ISO 8601).
    Column { name: String },
    /// A part of a date or datetime column.
    DatePart { name: String, part: DatePart },
}

impl Dimension {
    pub fn column(name: &str) -> Dimension {
        Dimension::Column {
            name: name.to_string(),
        }
    }

    pub fn date_part(name: &str, part: DatePart) -> Dimension {
        Dimension::DatePart {
            name: name.to_string(),
            part,
        }
    }

    /// "country", "date (month of year)".
    pub fn label(&self) -> String {
        match self {
            Dimension::Column { name } => name.clone(),
            Dimension::DatePart { name, part } => format!("{name} ({})", part.label()),
        }
    }
}

/// One aggregated quantity per group.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Measure {
    /// None counts the rows (whatever `agg` says).
    pub column: Option<String>,
    pub agg: Agg,
}

impl Measure {
    pub fn rows() -> Measure {
        Measure {
            column: None,
            agg: Agg::Count,
        }
    }

    pub fn of(agg: Agg, column: &str) -> Measure {
        Measure {
            column: Some(column.to_string()),
            agg,
        }
    }

    /// "sum of revenue", "rows".
    pub fn label(&self) -> String {
        match &self.column {
            Some(c) => format!("{} {c}", self.agg.label()),
            None => "rows".to_string(),
        }
    }
}

/// One group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupRow {
    /// One per dimension; [`MISSING`] for a missing key.
    pub keys: Vec<String>,
    /// Rows in the group.
    pub rows: u64,
    /// One per measure; None without values (a count is 0).
    pub values: Vec<Option<f64>>,
}

/// The result of [`group_by`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupTable {
    /// Labels of the dimensions ([`Dimension::label`]).
    pub dimensions: Vec<String>,
    /// Labels of the measures ([`Measure::label`]).
    pub measures: Vec<String>,
    /// At most `limit` groups, sorted.
    pub rows: Vec<GroupRow>,
    /// Number of groups before the limit.
    pub groups: usize,
    /// Whether groups were left out by the limit.
    pub truncated: bool,
}

/// A dimension's values as dense codes, with each code's text and rank.
struct Coded {
    /// Per row.
    codes: Vec<u32>,
    /// Per code.
    labels: Vec<String>,
    /// Per code: its position when the values are sorted (missing last).
    ranks: Vec<u32>,
}

/// Codes the values (first seen, first code), then labels and ranks them.
fn code<K: Hash + Eq + Copy>(
    values: impl Iterator<Item = Option<K>>,
    label: impl Fn(K) -> String,
    cmp: impl Fn(&K, &K) -> Ordering,
) -> Coded {
    let mut seen: HashMap<Option<K>, u32> = HashMap::default();
    let mut keys: Vec<Option<K>> = Vec::new();
    let codes = values
        .map(|v| {
            *seen.entry(v).or_insert_with(|| {
                keys.push(v);
                (keys.len() - 1) as u32
            })
        })
        .collect();
    let mut order: Vec<usize> = (0..keys.len()).collect();
    order.sort_by(|&a, &b| match (keys.get(a), keys.get(b)) {
        (Some(Some(x)), Some(Some(y))) => cmp(x, y),
        (Some(Some(_)), _) => Ordering::Less,
        (_, Some(Some(_))) => Ordering::Greater,
        _ => Ordering::Equal,
    });
    let mut ranks = vec![0; keys.len()];
    for (rank, &c) in order.iter().enumerate() {
        if let Some(r) = ranks.get_mut(c) {
            *r = rank as u32;
        }
    }
    Coded {
        codes,
        labels: keys
            .into_iter()
            .map(|k| k.map_or_else(|| MISSING.to_string(), &label))
            .collect(),
        ranks,
    }
}

fn code_dimension(ds: &Dataset, dim: &Dimension) -> Result<Coded, ExploreError> {
    Ok(match dim {
        Dimension::Column { name } => match column(ds, name)? {
            ColumnData::String(c) => code(c.iter(), str::to_string, |a, b| a.cmp(b)),
            ColumnData::Integer(c) => code(c.iter(), |v| v.to_string(), Ord::cmp),
            ColumnData::Float(c) => code(
                // One key for 0.0 and -0.0; NaN is missing (as in pandas).
                c.iter()
                    .map(|v| v.filter(|v| !v.is_nan()).map(|v| (v + 0.0).to_bits())),
                |b| f64::from_bits(b).to_string(),
                |a, b| f64::from_bits(*a).total_cmp(&f64::from_bits(*b)),
            ),
            ColumnData::Boolean(c) => code(c.iter(), |v| v.to_string(), Ord::cmp),
            ColumnData::Date(c) => code(c.iter(), iso_date, Ord::cmp),
            ColumnData::Datetime(c) => code(c.iter(), format_datetime, Ord::cmp),
        },
        Dimension::DatePart { name, part } => {
            let days = days_of(name, &column(ds, name)?)?;
            code(
                days.into_iter().map(|d| d.map(|d| part.ordinal(d))),
                |o| part.text(o),
                Ord::cmp,
            )
        }
    })
}

/// The rows of `ds` grouped by `dims`, with `measures` per group.
///
/// `sort`: Some((measure index, descending)) sorts by that measure (groups
/// without a value last, ties by key); None sorts by the keys ascending
/// (numbers as numbers, dates by time, text by code points; missing last).
/// At most `limit` groups are returned; `groups` counts them all.
///
/// Bound: one pass over the rows per dimension and per measure; the groups
/// are at most the rows (only combinations that occur are made, never the
/// product of the dimensions' values), so the work is linear in the cells
/// asked for, and the answer holds at most `limit` groups
/// ([`super::GROUP_LIMIT`]).
pub fn group_by(
    ds: &Dataset,
    dims: &[Dimension],
    measures: &[Measure],
    sort: Option<(usize, bool)>,
    limit: usize,
) -> Result<GroupTable, ExploreError> {
    if dims.is_empty() {
        return Err(ExploreError::NoDimension);
    }
    if let Some((index, _)) = sort.filter(|(i, _)| *i >= measures.len()) {
        return Err(ExploreError::BadSort {
            index,
            measures: measures.len(),
        });
    }
    // Check every column before the work.
    let columns = measures
        .iter()
        .map(|m| {
            m.column
                .as_deref()
                .map(|c| measure_column(ds, c, m.agg))
                .transpose()
        })
        .collect::<Result<Vec<_>, _>>()?;
    let coded = dims
        .iter()
        .map(|d| code_dimension(ds, d))
        .collect::<Result<Vec<_>, _>>()?;

    // Group id per row, and each group's codes (`width` per group, one
    // flat vector), one dimension at a time.
    let mut coded_iter = coded.iter();
    let Some(first) = coded_iter.next() else {
        return Err(ExploreError::NoDimension);
    };
    let mut group = first.codes.clone();
    let mut keys: Vec<u32> = (0..first.labels.len() as u32).collect();
    let mut width = 1;
    for dim in coded_iter {
        let mut ids: HashMap<u64, u32> = HashMap::default();
        let mut next: Vec<u32> = Vec::new();
        for (g, &c) in group.iter_mut().zip(&dim.codes) {
            let pair = (u64::from(*g) << 32) | u64::from(c);
            *g = *ids.entry(pair).or_insert_with(|| {
                let at = *g as usize * width;
                next.extend_from_slice(keys.get(at..at + width).unwrap_or_default());
                next.push(c);
                (next.len() / (width + 1) - 1) as u32
            });
        }
        keys = next;
        width += 1;
    }
    let key = |g: usize| keys.get(g * width..(g + 1) * width).unwrap_or_default();
    let n = keys.len() / width;
    let mut rows = vec![0u64; n];
    for &g in &group {
        if let Some(r) = rows.get_mut(g as usize) {
            *r += 1;
        }
    }
    let values: Vec<Vec<Option<f64>>> = measures
        .iter()
        .zip(&columns)
        .map(|(m, data)| match data {
            None => rows.iter().map(|&r| Some(r as f64)).collect(),
            Some(data) => {
                let mut accs = vec![Acc::default(); n];
                for_each_present(data, |row, v| {
                    if let Some(acc) = group.get(row).and_then(|&g| accs.get_mut(g as usize)) {
                        acc.add(v, m.agg);
                    }
                });
                accs.iter_mut().map(|a| a.finish(m.agg)).collect()
            }
        })
        .collect();

    let by_keys = |a: usize, b: usize| -> Ordering {
        let (ka, kb) = (key(a), key(b));
        for (i, dim) in coded.iter().enumerate() {
            let rank = |k: &[u32]| k.get(i).and_then(|&c| dim.ranks.get(c as usize)).copied();
            let o = rank(ka).cmp(&rank(kb));
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    };
    let mut order: Vec<usize> = (0..n).collect();
    match sort {
        Some((m, descending)) => {
            let value = |g: usize| values.get(m).and_then(|v| v.get(g)).copied().flatten();
            order.sort_by(|&a, &b| {
                let o = match (value(a), value(b)) {
                    (Some(x), Some(y)) if descending => y.total_cmp(&x),
                    (Some(x), Some(y)) => x.total_cmp(&y),
                    (Some(_), None) => Ordering::Less,
                    (None, Some(_)) => Ordering::Greater,
                    (None, None) => Ordering::Equal,
                };
                o.then_with(|| by_keys(a, b))
            });
        }
        None => order.sort_by(|&a, &b| by_keys(a, b)),
    }

    let table_rows = order
        .iter()
        .take(limit)
        .map(|&g| GroupRow {
            keys: key(g)
                .iter()
                .zip(&coded)
                .map(|(&c, dim)| dim.labels.get(c as usize).cloned().unwrap_or_default())
                .collect(),
            rows: rows.get(g).copied().unwrap_or(0),
            values: values.iter().map(|v| v.get(g).copied().flatten()).collect(),
        })
        .collect();
    Ok(GroupTable {
        dimensions: dims.iter().map(Dimension::label).collect(),
        measures: measures.iter().map(Measure::label).collect(),
        rows: table_rows,
        groups: n,
        truncated: n > limit,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::ingest::read_bytes;

    #[test]
    fn groups_sort_and_missing_keys() {
        let ds = read_bytes(
            "g.csv",
            b"k,n,x,d\nb,2,1.5,2021-01-04\na,10,,2021-01-05\nb,9,2.5,2021-02-01\n,1,4,\na,10,1,2021-01-10\n",
        )
        .unwrap();
        let t = group_by(
            &ds,
            &[Dimension::column("k")],
            &[Measure::rows(), Measure::of(Agg::Sum, "x")],
            None,
            10,
        )
        .unwrap();
        let keys: Vec<&str> = t.rows.iter().map(|r| r.keys[0].as_str()).collect();
        assert_eq!(keys, ["a", "b", MISSING]);
        assert_eq!(t.rows[0].values, [Some(2.0), Some(1.0)]);
        assert_eq!(t.rows[1].values, [Some(2.0), Some(4.0)]);
        assert_eq!(t.measures, ["rows", "sum of x"]);
        // Integers sort as numbers, not text.
        let t = group_by(&ds, &[Dimension::column("n")], &[], None, 10).unwrap();
        let keys: Vec<&str> = t.rows.iter().map(|r| r.keys[0].as_str()).collect();
        assert_eq!(keys, ["1", "2", "9", "10"]);
        let t = group_by(
            &ds,
            &[Dimension::date_part("d", DatePart::Weekday)],
            &[Measure::of(Agg::Max, "n")],
            Some((0, true)),
            2,
        )
        .unwrap();
        assert_eq!((t.groups, t.truncated), (4, true));
        assert_eq!(t.rows[0].keys, ["2 Tue"]);
        assert_eq!(t.rows[1].keys, ["7 Sun"]);
        assert_eq!(t.dimensions, ["d (weekday)"]);
        assert_eq!(
            serde_json::to_string(&Dimension::date_part("d", DatePart::MonthOfYear)).unwrap(),
            r#"{"kind":"date_part","name":"d","part":"month_of_year"}"#
        );
    }
}
