//! Where the ticks of an axis go: round numbers (1, 2 or 5 × 10ⁿ apart)
//! for numbers, calendar boundaries (days, Mondays, months, quarters,
//! years) for dates, as many as fit the drawn width.

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::core::explore::aggregate::{civil_from_days, days_from_civil, iso_date};
use crate::core::format;

/// How many axis labels of about `label_px` pixels fit along `root`'s
/// width with room between them (at least 2, at most `most`).
pub(super) fn ticks<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    label_px: u32,
    most: usize,
) -> usize {
    let w = root.dim_in_pixel().0.saturating_sub(80);
    ((w / (label_px + 24).max(1)) as usize).clamp(2, most.max(2))
}

/// Ticks of an x axis and how they read.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticks {
    pub at: Vec<f64>,
    pub unit: Unit,
}

/// What a tick label shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Number,
    Day,
    Month,
    Year,
}

impl Ticks {
    pub fn label(&self, v: f64) -> String {
        let day = v.round() as i32;
        match self.unit {
            Unit::Number => format::num(v),
            Unit::Day => iso_date(day),
            Unit::Month => {
                let (y, m, _) = civil_from_days(day);
                format!("{y}-{m:02}")
            }
            Unit::Year => civil_from_days(day).0.to_string(),
        }
    }

    /// Round numbers in `lo..=hi`, at most `most` of them (at least one
    /// when the range is finite).
    pub fn numbers(lo: f64, hi: f64, most: usize) -> Ticks {
        let most = most.max(1);
        let mut at = Vec::new();
        if lo.is_finite() && hi.is_finite() && hi > lo {
            let raw = (hi - lo) / most as f64;
            let mut power = 10f64.powf(raw.log10().floor());
            'search: for _ in 0..4 {
                for m in [1.0, 2.0, 5.0] {
                    // The finest round step that gives at most `most`.
                    let step = m * power;
                    let first = (lo / step).ceil() as i64;
                    let last = (hi / step).floor() as i64;
                    if last - first < most as i64 {
                        // Multiples of the step (no drift from adding; a
                        // step below 1 divides, so 3 × 0.2 reads 0.6).
                        let inv = (1.0 / power).round();
                        at = (first..=last)
                            .map(|k| {
                                if power < 1.0 {
                                    k as f64 * m / inv
                                } else {
                                    k as f64 * step
                                }
                            })
                            .collect();
                        break 'search;
                    }
                }
                power *= 10.0;
            }
        }
        if at.is_empty() && lo.is_finite() {
            at.push(lo);
        }
        Ticks {
            at,
            unit: Unit::Number,
        }
    }

    /// Calendar boundaries between day numbers `lo` and `hi` (days since
    /// 1970-01-01): every day, 2 days, Monday or second Monday; first of
    /// every 1, 2, 3 or 6 months; first of every 1, 2, 5, 10… years — the
    /// finest that gives at most `most` ticks.
    pub fn dates(lo: f64, hi: f64, most: usize) -> Ticks {
        let most = most.max(1);
        if !(lo.is_finite() && hi.is_finite()) || hi < lo {
            return Ticks {
                at: vec![],
                unit: Unit::Day,
            };
        }
        let span = hi - lo;
        let (a, b) = (lo.ceil() as i64, hi.floor() as i64);
        for step in [1i64, 2, 7, 14] {
            if span / step as f64 > most as f64 + 1.0 {
                continue;
            }
            // Weekly steps fall on Mondays (1970-01-05 was one).
            let at: Vec<f64> = (a..=b)
                .filter(|d| {
                    if step >= 7 {
                        (d - 4).rem_euclid(step) == 0
                    } else {
                        d.rem_euclid(step) == 0
                    }
                })
                .map(|d| d as f64)
                .collect();
            if at.len() <= most {
                return Ticks {
                    at,
                    unit: Unit::Day,
                };
            }
        }
        let (y0, m0, _) = civil_from_days(lo.floor().clamp(-1e8, 1e8) as i32);
        for step in [1u32, 2, 3, 6] {
            if span / (30.4 * step as f64) > most as f64 + 1.0 {
                continue;
            }
            let mut at = Vec::new();
            let (mut y, mut m) = (y0, m0);
            loop {
                let d = f64::from(days_from_civil(y, m, 1));
                if d > hi {
                    break;
                }
                if d >= lo && (m - 1) % step == 0 {
                    at.push(d);
                }
                (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
            }
            if at.len() <= most {
                return Ticks {
                    at,
                    unit: Unit::Month,
                };
            }
        }
        let mut step = 1i32;
        loop {
            for m in [1, 2, 5] {
                let every = step * m;
                if span / (365.25 * every as f64) > most as f64 + 1.0 {
                    continue;
                }
                let (first, last) = (
                    civil_from_days(lo.floor() as i32).0,
                    civil_from_days(hi.floor() as i32).0,
                );
                let at: Vec<f64> = (first..=last)
                    .filter(|y| y.rem_euclid(every) == 0)
                    .map(|y| f64::from(days_from_civil(y, 1, 1)))
                    .filter(|d| *d >= lo && *d <= hi)
                    .collect();
                if at.len() <= most {
                    return Ticks {
                        at,
                        unit: Unit::Year,
                    };
                }
            }
            step *= 10;
            if step > 100_000 {
                return Ticks {
                    at: vec![],
                    unit: Unit::Year,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> f64 {
        let p: Vec<i32> = s.split('-').map(|x| x.parse().unwrap()).collect();
        f64::from(days_from_civil(p[0], p[1] as u32, p[2] as u32))
    }

    #[test]
    fn round_numbers() {
        assert_eq!(
            Ticks::numbers(0.0, 10.0, 6).at,
            vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]
        );
        assert_eq!(Ticks::numbers(0.3, 0.9, 4).at, vec![0.4, 0.6, 0.8]);
        assert_eq!(Ticks::numbers(-3.0, 3.0, 3).at, vec![-2.0, 0.0, 2.0]);
        assert_eq!(Ticks::numbers(5.0, 5.0, 4).at, vec![5.0]);
        assert!(Ticks::numbers(f64::NAN, 1.0, 4).at.is_empty());
        for (lo, hi, most) in [(0.0, 1e9, 5), (-7.3, 1234.5, 7), (1e-9, 3e-9, 2)] {
            let t = Ticks::numbers(lo, hi, most);
            assert!(!t.at.is_empty() && t.at.len() <= most, "{lo}..{hi}: {t:?}");
            assert!(t.at.iter().all(|v| *v >= lo && *v <= hi), "{t:?}");
        }
    }

    #[test]
    fn calendar_boundaries() {
        let t = Ticks::dates(day("2024-01-01"), day("2024-12-31"), 5);
        assert_eq!(t.unit, Unit::Month);
        let labels: Vec<String> = t.at.iter().map(|v| t.label(*v)).collect();
        assert_eq!(labels, ["2024-01", "2024-04", "2024-07", "2024-10"]);
        let t = Ticks::dates(day("2024-10-01"), day("2024-10-20"), 4);
        assert_eq!(t.unit, Unit::Day);
        let labels: Vec<String> = t.at.iter().map(|v| t.label(*v)).collect();
        // Mondays.
        assert_eq!(labels, ["2024-10-07", "2024-10-14"]);
        let t = Ticks::dates(day("1990-06-01"), day("2024-02-01"), 5);
        assert_eq!(t.unit, Unit::Year);
        let labels: Vec<String> = t.at.iter().map(|v| t.label(*v)).collect();
        assert_eq!(labels, ["2000", "2010", "2020"]);
        assert!(Ticks::dates(f64::NAN, 1.0, 3).at.is_empty());
        let t = Ticks::dates(-1e9, 1e9, 6);
        assert!(t.at.len() <= 6, "{t:?}");
    }
}
