//! What trends ([`super::trend`]) and group-bys ([`super::groupby`]) share:
//! the aggregations, their accumulator, the typed errors, column lookup and
//! calendar arithmetic on days since 1970-01-01.
//!
//! Aggregations follow pandas over the present values (missing and NaN are
//! skipped): `sum` (compensated, like [`accurate_sum`]), `mean`, `count` (of
//! present values), `min`, `max` and `median` (linear interpolation). One
//! difference: a sum over no present values is `None`, not pandas' 0
//! (`min_count=1`), so that "no data" is not drawn as a zero.
//!
//! [`accurate_sum`]: crate::core::profile::accurate_sum

use serde::{Deserialize, Serialize};

use crate::core::ingest::Dataset;
use crate::core::model::ColumnType;
use crate::core::profile::quantile;
use crate::core::table::{each_present, ColumnData};

/// How the values of a measure are combined.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Agg {
    Sum,
    Mean,
    /// The number of present values (of rows, when there is no column).
    Count,
    Min,
    Max,
    /// With linear interpolation between the two middle values (pandas).
    Median,
}

impl Agg {
    pub const ALL: [Agg; 6] = [
        Agg::Sum,
        Agg::Mean,
        Agg::Count,
        Agg::Min,
        Agg::Max,
        Agg::Median,
    ];

    /// The machine name ("sum", "mean", …), as serde writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Agg::Sum => "sum",
            Agg::Mean => "mean",
            Agg::Count => "count",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Median => "median",
        }
    }

    /// The inverse of [`Agg::as_str`].
    pub fn parse(s: &str) -> Option<Agg> {
        Agg::ALL.into_iter().find(|a| a.as_str() == s)
    }

    /// Words before a column name: "sum of", "mean of", …
    pub fn label(self) -> &'static str {
        match self {
            Agg::Sum => "sum of",
            Agg::Mean => "mean of",
            Agg::Count => "count of",
            Agg::Min => "min of",
            Agg::Max => "max of",
            Agg::Median => "median of",
        }
    }

    /// Whether the aggregation needs a numeric column (all but count).
    pub fn needs_numbers(self) -> bool {
        self != Agg::Count
    }
}

/// Why a trend or group-by cannot be computed. `crate::messages::explore_error`
/// turns these into sentences.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ExploreError {
    /// No column of that name.
    UnknownColumn {
        name: String,
        available: Vec<String>,
    },
    /// An aggregation other than count over a column that is not numeric;
    /// `kind` is its type in words ("text", "dates", …).
    NotNumeric { column: String, kind: String },
    /// A trend date or a date part over a column that holds no dates.
    NotDate { column: String, kind: String },
    /// A group-by without any dimension.
    NoDimension,
    /// No row has both a date in `column` and a value to measure.
    NoDates { column: String },
    /// The sort names measure `index` (0-based) of only `measures`.
    BadSort { index: usize, measures: usize },
    /// The dates span more periods of the chosen length than a trend
    /// holds (e.g. days over centuries); `granularity` is "day", "week", …
    TooManyPeriods {
        granularity: String,
        periods: u64,
        limit: u64,
    },
}

/// Index of the column called `name`.
pub(crate) fn column_index(ds: &Dataset, name: &str) -> Result<usize, ExploreError> {
    ds.frame
        .columns()
        .iter()
        .position(|c| c.name().as_str() == name)
        .ok_or_else(|| ExploreError::UnknownColumn {
            name: name.to_string(),
            available: ds.names(),
        })
}

/// The typed data of column `name`.
pub(crate) fn column<'a>(ds: &'a Dataset, name: &str) -> Result<ColumnData<'a>, ExploreError> {
    let i = column_index(ds, name)?;
    ColumnData::of(ds, i).ok_or_else(|| ExploreError::UnknownColumn {
        name: name.to_string(),
        available: ds.names(),
    })
}

pub(crate) fn kind_of(data: &ColumnData) -> ColumnType {
    match data {
        ColumnData::Integer(_) => ColumnType::Integer,
        ColumnData::Float(_) => ColumnType::Float,
        ColumnData::Boolean(_) => ColumnType::Boolean,
        ColumnData::Date(_) => ColumnType::Date,
        ColumnData::Datetime(_) => ColumnType::Datetime,
        ColumnData::String(_) => ColumnType::String,
    }
}

/// The column a measure reads, checked against its aggregation.
pub(crate) fn measure_column<'a>(
    ds: &'a Dataset,
    name: &str,
    agg: Agg,
) -> Result<ColumnData<'a>, ExploreError> {
    let data = column(ds, name)?;
    let kind = kind_of(&data);
    if agg.needs_numbers() && !kind.is_numeric() {
        return Err(ExploreError::NotNumeric {
            column: name.to_string(),
            kind: kind.words().to_string(),
        });
    }
    Ok(data)
}

/// Calls `f(row, value)` for each present value of `data`: numbers as
/// `f64` (NaN counts as missing), other types as 1.0 (for counting).
pub(crate) fn for_each_present(data: &ColumnData, mut f: impl FnMut(usize, f64)) {
    match data {
        ColumnData::Integer(c) | ColumnData::Datetime(c) => {
            each_present(c, |row, v| f(row, v as f64));
        }
        ColumnData::Float(c) => each_present(c, |row, v: f64| {
            if !v.is_nan() {
                f(row, v);
            }
        }),
        ColumnData::Boolean(c) => {
            for (row, v) in c.iter().enumerate() {
                if v.is_some() {
                    f(row, 1.0);
                }
            }
        }
        ColumnData::Date(c) => {
            for (row, v) in c.iter().enumerate() {
                if v.is_some() {
                    f(row, 1.0);
                }
            }
        }
        ColumnData::String(c) => {
            for (row, v) in c.iter().enumerate() {
                if v.is_some() {
                    f(row, 1.0);
                }
            }
        }
    }
}

/// One aggregation's running state over a group of values.
#[derive(Clone, Debug, Default)]
pub(crate) struct Acc {
    n: u64,
    /// Neumaier's compensated sum, as [`crate::core::profile::accurate_sum`].
    sum: f64,
    c: f64,
    min: Option<f64>,
    max: Option<f64>,
    /// Kept only for the median.
    values: Vec<f64>,
}

impl Acc {
    pub(crate) fn add(&mut self, v: f64, agg: Agg) {
        self.n += 1;
        match agg {
            Agg::Sum | Agg::Mean => {
                let t = self.sum + v;
                if self.sum.abs() >= v.abs() {
                    self.c += (self.sum - t) + v;
                } else {
                    self.c += (v - t) + self.sum;
                }
                self.sum = t;
            }
            Agg::Min => self.min = Some(self.min.map_or(v, |m| m.min(v))),
            Agg::Max => self.max = Some(self.max.map_or(v, |m| m.max(v))),
            Agg::Median => self.values.push(v),
            Agg::Count => {}
        }
    }

    /// Number of values added.
    pub(crate) fn count(&self) -> u64 {
        self.n
    }

    /// The aggregate; None without values (count: 0).
    pub(crate) fn finish(&mut self, agg: Agg) -> Option<f64> {
        if agg == Agg::Count {
            return Some(self.n as f64);
        }
        if self.n == 0 {
            return None;
        }
        let sum = if self.c.is_finite() {
            self.sum + self.c
        } else {
            self.sum
        };
        match agg {
            Agg::Sum => Some(sum),
            Agg::Mean => Some(sum / self.n as f64),
            Agg::Min => self.min,
            Agg::Max => self.max,
            Agg::Median => {
                self.values.sort_unstable_by(f64::total_cmp);
                quantile(&self.values, 0.5)
            }
            Agg::Count => Some(self.n as f64),
        }
    }
}

// ---- calendar: days since 1970-01-01 (proleptic Gregorian) ----

/// (year, month 1-12, day 1-31) of `days` since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i32) -> (i32, u32, u32) {
    let z = i64::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y as i32, m as u32, d as u32)
}

/// Days since 1970-01-01 of a calendar date (month 1-12).
pub fn days_from_civil(year: i32, month: u32, day: u32) -> i32 {
    let y = i64::from(year) - i64::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i32
}

/// ISO weekday, 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday).
pub fn weekday(days: i32) -> u32 {
    (i64::from(days) + 3).rem_euclid(7) as u32 + 1
}

/// The Monday starting the ISO week of `days`.
pub fn week_start(days: i32) -> i32 {
    days - (weekday(days) as i32 - 1)
}

/// (ISO year, ISO week 1-53) of `days`: the week belongs to the year of its
/// Thursday.
pub fn iso_week(days: i32) -> (i32, u32) {
    let thursday = week_start(days) + 3;
    let (year, _, _) = civil_from_days(thursday);
    let week = (thursday - days_from_civil(year, 1, 1)) / 7 + 1;
    (year, week as u32)
}

/// `YYYY-MM-DD` of `days`.
pub fn iso_date(days: i32) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Reads column `data` as days since 1970-01-01 (a datetime by its day),
/// None for missing; an error for columns that are not dates.
pub(crate) fn days_of(name: &str, data: &ColumnData) -> Result<Vec<Option<i32>>, ExploreError> {
    const MICROS_PER_DAY: i64 = 86_400_000_000;
    match data {
        ColumnData::Date(c) => Ok(c.iter().collect()),
        ColumnData::Datetime(c) => Ok(c
            .iter()
            .map(|v| v.and_then(|us| i32::try_from(us.div_euclid(MICROS_PER_DAY)).ok()))
            .collect()),
        other => Err(ExploreError::NotDate {
            column: name.to_string(),
            kind: kind_of(other).words().to_string(),
        }),
    }
}

/// Names of the date and datetime columns, in dataset order.
pub fn date_columns(ds: &Dataset) -> Vec<String> {
    columns_where(ds, |t| matches!(t, ColumnType::Date | ColumnType::Datetime))
}

/// Names of the integer and float columns, in dataset order.
pub fn numeric_columns(ds: &Dataset) -> Vec<String> {
    columns_where(ds, ColumnType::is_numeric)
}

fn columns_where(ds: &Dataset, keep: impl Fn(ColumnType) -> bool) -> Vec<String> {
    ds.names()
        .into_iter()
        .zip(&ds.types)
        .filter(|(_, t)| keep(**t))
        .map(|(n, _)| n)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::profile::accurate_sum;

    #[test]
    fn calendar_round_trips() {
        for d in -800_000..800_000 {
            let (y, m, day) = civil_from_days(d);
            assert_eq!(days_from_civil(y, m, day), d);
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(weekday(0), 4);
        assert_eq!(iso_date(days_from_civil(2024, 2, 29)), "2024-02-29");
        assert_eq!(iso_week(days_from_civil(2020, 12, 31)), (2020, 53));
        assert_eq!(iso_week(days_from_civil(2021, 1, 3)), (2020, 53));
        assert_eq!(iso_week(days_from_civil(2021, 1, 4)), (2021, 1));
        assert_eq!(iso_week(days_from_civil(2018, 12, 31)), (2019, 1));
    }

    #[test]
    fn accumulator_matches_accurate_sum_and_pandas_median() {
        let vs = [1e16, 1.0, -1e16, 3.5, 0.1, 0.2];
        let mut acc = Acc::default();
        vs.iter().for_each(|&v| acc.add(v, Agg::Sum));
        assert_eq!(acc.finish(Agg::Sum), Some(accurate_sum(vs.into_iter())));
        let mut m = Acc::default();
        [4.0, 1.0, 3.0, 2.0]
            .iter()
            .for_each(|&v| m.add(v, Agg::Median));
        assert_eq!(m.finish(Agg::Median), Some(2.5));
        assert_eq!(Acc::default().finish(Agg::Sum), None);
        assert_eq!(Acc::default().finish(Agg::Count), Some(0.0));
        for a in Agg::ALL {
            assert_eq!(Agg::parse(a.as_str()), Some(a));
            assert_eq!(
                serde_json::to_string(&a).unwrap(),
                format!("\"{}\"", a.as_str())
            );
        }
    }
}
