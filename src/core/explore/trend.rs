//! A measure over time: the rows bucketed by day, ISO week, month or
//! quarter of a date column, one aggregate per period, on a continuous axis
//! (empty periods between the first and the last date are kept), and the
//! change of the last period against the one before it.

use serde::{Deserialize, Serialize};

use super::aggregate::{
    civil_from_days, column, days_from_civil, days_of, for_each_present, iso_date, iso_week,
    measure_column, Acc, Agg, ExploreError,
};
use crate::core::format;
use crate::core::ingest::Dataset;

pub use super::aggregate::date_columns;

/// The most periods a trend holds (about 270 years of days).
pub const MAX_PERIODS: u64 = 100_000;

/// The length of a period. Weeks are ISO weeks: they start on Monday and
/// belong to the year of their Thursday ("2020-W53", "2021-W01").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    Day,
    Week,
    Month,
    Quarter,
}

impl Granularity {
    pub const ALL: [Granularity; 4] = [
        Granularity::Day,
        Granularity::Week,
        Granularity::Month,
        Granularity::Quarter,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Granularity::Day => "day",
            Granularity::Week => "week",
            Granularity::Month => "month",
            Granularity::Quarter => "quarter",
        }
    }

    pub fn parse(s: &str) -> Option<Granularity> {
        Granularity::ALL.into_iter().find(|g| g.as_str() == s)
    }

    /// A number that orders the periods: consecutive periods differ by one.
    fn ordinal(self, days: i32) -> i64 {
        match self {
            Granularity::Day => i64::from(days),
            Granularity::Week => (i64::from(days) + 3).div_euclid(7),
            Granularity::Month | Granularity::Quarter => {
                let (y, m, _) = civil_from_days(days);
                let month = i64::from(y) * 12 + i64::from(m) - 1;
                if self == Granularity::Month {
                    month
                } else {
                    month.div_euclid(3)
                }
            }
        }
    }

    /// The first day of the period with ordinal `ord`.
    fn start(self, ord: i64) -> i32 {
        let month_start = |month: i64| {
            days_from_civil(
                month.div_euclid(12) as i32,
                month.rem_euclid(12) as u32 + 1,
                1,
            )
        };
        match self {
            Granularity::Day => ord as i32,
            Granularity::Week => (ord * 7 - 3) as i32,
            Granularity::Month => month_start(ord),
            Granularity::Quarter => month_start(ord * 3),
        }
    }

    /// "2015-03-07", "2015-W10", "2015-03" or "2015-Q1" of a period's first day.
    pub fn label(self, start: i32) -> String {
        let (y, m, _) = civil_from_days(start);
        match self {
            Granularity::Day => iso_date(start),
            Granularity::Week => {
                let (y, w) = iso_week(start);
                format!("{y:04}-W{w:02}")
            }
            Granularity::Month => format!("{y:04}-{m:02}"),
            Granularity::Quarter => format!("{y:04}-Q{}", (m - 1) / 3 + 1),
        }
    }

    /// The number of periods of this length that `first..=last` touches.
    pub fn periods_between(self, first_day: i32, last_day: i32) -> i64 {
        self.ordinal(last_day) - self.ordinal(first_day) + 1
    }
}

/// The finest granularity with at most about 100 periods over the data:
/// days when the dates cover at most 100 days, else weeks when they touch
/// at most 104 ISO weeks (two years), else months when they touch at most
/// 100 calendar months, else quarters. Periods are counted as calendar
/// periods touched, first and last included.
pub fn auto_granularity(first_day: i32, last_day: i32) -> Granularity {
    let (first, last) = (first_day.min(last_day), first_day.max(last_day));
    let limits = [
        (Granularity::Day, 100),
        (Granularity::Week, 104),
        (Granularity::Month, 100),
    ];
    limits
        .into_iter()
        .find(|(g, limit)| g.periods_between(first, last) <= *limit)
        .map_or(Granularity::Quarter, |(g, _)| g)
}

/// One period of a trend.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Period {
    /// Days since 1970-01-01 of the period's first day.
    pub start: i32,
    /// "2015-03-07", "2015-W10", "2015-03" or "2015-Q1".
    pub label: String,
    /// Rows of the period with a present date and measure (a present date
    /// when counting rows).
    pub rows: u64,
    /// The aggregate; None for a period without values (a count is 0).
    pub value: Option<f64>,
}

/// The last period against the one before it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeriodChange {
    pub current: String,
    pub previous: String,
    pub current_value: Option<f64>,
    pub previous_value: Option<f64>,
    /// (current - previous) / |previous| × 100; None when either is missing
    /// or the previous is 0.
    pub change_percent: Option<f64>,
    /// The data's last date falls before the end of the current period:
    /// that period is incomplete, so the change may mislead.
    pub partial: bool,
}

/// A measure over time (see [`trend`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trend {
    /// The date column.
    pub date: String,
    /// The measured column; None when counting rows.
    pub value: Option<String>,
    /// The aggregation (count when counting rows).
    pub agg: Agg,
    pub granularity: Granularity,
    /// Whether the granularity was chosen by [`auto_granularity`].
    pub auto: bool,
    pub periods: Vec<Period>,
    /// None with fewer than two periods.
    pub change: Option<PeriodChange>,
    /// When the last period is incomplete: the last two complete periods
    /// (None with fewer than three periods).
    #[serde(default)]
    pub complete_change: Option<PeriodChange>,
    /// ISO dates of the first and last rows used.
    pub first: String,
    pub last: String,
}

/// The first date or datetime column, the default for [`trend`].
pub fn default_date_column(ds: &Dataset) -> Option<String> {
    date_columns(ds).into_iter().next()
}

/// `agg` of column `value` (or the number of rows when `value` is None) per
/// period of column `date` (a date or datetime column; a datetime by its
/// day). Rows whose date or value is missing are skipped. `granularity`
/// None picks [`auto_granularity`] over the dates used.
pub fn trend(
    ds: &Dataset,
    date: &str,
    value: Option<&str>,
    agg: Agg,
    granularity: Option<Granularity>,
) -> Result<Trend, ExploreError> {
    let days = days_of(date, &column(ds, date)?)?;
    let agg = if value.is_some() { agg } else { Agg::Count };
    let values = value.map(|v| measure_column(ds, v, agg)).transpose()?;
    // (row's day, value) of the rows used.
    let mut used: Vec<(i32, f64)> = Vec::new();
    match &values {
        Some(data) => for_each_present(data, |row, v| {
            if let Some(Some(d)) = days.get(row) {
                used.push((*d, v));
            }
        }),
        None => used.extend(days.iter().flatten().map(|d| (*d, 1.0))),
    }
    let (Some(first), Some(last)) = (
        used.iter().map(|u| u.0).min(),
        used.iter().map(|u| u.0).max(),
    ) else {
        return Err(ExploreError::NoDates {
            column: date.to_string(),
        });
    };
    let auto = granularity.is_none();
    let g = granularity.unwrap_or_else(|| auto_granularity(first, last));
    let base = g.ordinal(first);
    let count = g.ordinal(last) - base + 1;
    if count > MAX_PERIODS as i64 {
        return Err(ExploreError::TooManyPeriods {
            granularity: g.as_str().to_string(),
            periods: count as u64,
            limit: MAX_PERIODS,
        });
    }
    let count = count as usize;
    let mut accs = vec![Acc::default(); count];
    for (d, v) in used {
        if let Some(acc) = accs.get_mut((g.ordinal(d) - base) as usize) {
            acc.add(v, agg);
        }
    }
    let periods: Vec<Period> = accs
        .iter_mut()
        .enumerate()
        .map(|(i, acc)| {
            let start = g.start(base + i as i64);
            Period {
                start,
                label: g.label(start),
                rows: acc.count(),
                value: acc.finish(agg),
            }
        })
        .collect();
    let compare = |prev: &Period, cur: &Period, partial: bool| PeriodChange {
        current: cur.label.clone(),
        previous: prev.label.clone(),
        current_value: cur.value,
        previous_value: prev.value,
        change_percent: match (cur.value, prev.value) {
            (Some(c), Some(p)) if p != 0.0 => Some((c - p) / p.abs() * 100.0),
            _ => None,
        },
        partial,
    };
    let partial = i64::from(last) < i64::from(g.start(base + count as i64)) - 1;
    let change = match periods.as_slice() {
        [.., prev, cur] => Some(compare(prev, cur, partial)),
        _ => None,
    };
    let complete_change = match periods.as_slice() {
        [.., prev, cur, _] if partial => Some(compare(prev, cur, false)),
        _ => None,
    };
    Ok(Trend {
        date: date.to_string(),
        value: value.map(str::to_string),
        agg,
        granularity: g,
        auto,
        periods,
        change,
        complete_change,
        first: iso_date(first),
        last: iso_date(last),
    })
}

impl Trend {
    /// What is measured: "mean of temp_max", "rows".
    pub fn measure_label(&self) -> String {
        match &self.value {
            Some(v) => format!("{} {v}", self.agg.label()),
            None => "number of rows".to_string(),
        }
    }

    /// The chart's title, with how the granularity was chosen.
    pub fn title(&self) -> String {
        let what = self.measure_label();
        let mut what_cap = what.clone();
        if let Some(first) = what_cap.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        format!(
            "{what_cap} by {}{}",
            self.granularity.as_str(),
            if self.auto {
                format!(
                    " (chosen for {} to {}: the finest of day, week, month, quarter with at most about 100 periods)",
                    self.first, self.last
                )
            } else {
                String::new()
            }
        )
    }

    /// The comparison to lead with: the last two complete periods when the
    /// last one is incomplete, else the last two.
    pub fn headline(&self) -> Option<&PeriodChange> {
        self.complete_change.as_ref().or(self.change.as_ref())
    }

    /// The period-over-period comparison in words.
    pub fn sentence(&self) -> Option<String> {
        let value = |v: Option<f64>| v.map(format::short).unwrap_or_else(|| "no value".into());
        let c = self.headline()?;
        let change = match c.change_percent {
            Some(p) => format!("{p:+.1}%"),
            None => "no change can be given: the previous period has no value or is 0".into(),
        };
        // "on 2024-06-30" for a day, "in 2024-W26" / "in 2024-06" otherwise.
        let at = if self.granularity == Granularity::Day {
            "on"
        } else {
            "in"
        };
        let mut s = format!(
            "By {}, the {} was {} {at} {} against {} {at} {} ({change}).",
            self.granularity.as_str(),
            self.measure_label(),
            value(c.current_value),
            c.current,
            value(c.previous_value),
            c.previous
        );
        match (&self.complete_change, &self.change) {
            (Some(_), Some(last)) => s.push_str(&format!(
                " {} is not complete yet (the data ends on {}): {} so far.",
                last.current,
                self.last,
                value(last.current_value)
            )),
            (None, Some(last)) if last.partial => s.push_str(&format!(
                " {} is incomplete (the data ends on {}), so the change may mislead.",
                last.current, self.last
            )),
            _ => {}
        }
        Some(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> i32 {
        days_from_civil(y, m, d)
    }

    #[test]
    fn labels_and_starts() {
        let d = day(2015, 3, 7);
        for (g, label, start) in [
            (Granularity::Day, "2015-03-07", day(2015, 3, 7)),
            (Granularity::Week, "2015-W10", day(2015, 3, 2)),
            (Granularity::Month, "2015-03", day(2015, 3, 1)),
            (Granularity::Quarter, "2015-Q1", day(2015, 1, 1)),
        ] {
            let s = g.start(g.ordinal(d));
            assert_eq!((s, g.label(s).as_str()), (start, label), "{g:?}");
            assert_eq!(g.ordinal(g.start(g.ordinal(d) + 1)), g.ordinal(d) + 1);
        }
        let w = Granularity::Week;
        assert_eq!(w.label(w.start(w.ordinal(day(2020, 12, 31)))), "2020-W53");
        assert_eq!(w.label(w.start(w.ordinal(day(2021, 1, 4)))), "2021-W01");
        assert_eq!(w.label(w.start(w.ordinal(day(1969, 12, 31)))), "1970-W01");
    }
}
