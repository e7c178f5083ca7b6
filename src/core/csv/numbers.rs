//! A column's numbers, gathered while a delimited text is read, so that a
//! numeric or date column is parsed once: integers while every cell is one,
//! then floats; or times, when the cells are dates written year first
//! (their order is known from the first); given up at the first cell that
//! fits none of these. At the end the values become the column as they are
//! (no second pass over the text) when the column's decided type is the
//! one gathered; any other type is built from the raw text as before.

use polars_core::prelude::*;

use crate::core::infer::{Cell, MICROS_PER_DAY};

/// Which cells are missing, one bit each.
#[derive(Clone, Debug, Default)]
pub(crate) struct Missing {
    words: Vec<u64>,
    len: usize,
    count: usize,
}

impl Missing {
    fn push(&mut self, missing: bool) {
        let bit = self.len % 64;
        if bit == 0 {
            self.words.push(0);
        }
        if missing {
            if let Some(w) = self.words.last_mut() {
                *w |= 1 << bit;
            }
            self.count += 1;
        }
        self.len += 1;
    }

    fn get(&self, i: usize) -> bool {
        self.words
            .get(i / 64)
            .is_some_and(|w| w >> (i % 64) & 1 == 1)
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) enum Numbers {
    Ints {
        values: Vec<i64>,
        missing: Missing,
        /// A `-0` was read: as a float it is -0.0, which the integer lost.
        minus_zero: bool,
    },
    Floats {
        values: Vec<f64>,
        missing: Missing,
    },
    /// Microseconds since the epoch.
    Times {
        values: Vec<i64>,
        missing: Missing,
    },
    #[default]
    Gone,
}

/// What a column's numbers are so far: what the parts of a file read in
/// parts tell of each column, so that their sizes add up as one reading's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum NumbersKind {
    /// Integers (perhaps `-0`) or only missing cells so far.
    Ints {
        minus_zero: bool,
        any: bool,
    },
    Floats,
    Times,
    /// Given up (or not kept).
    #[default]
    Gone,
}

impl NumbersKind {
    /// The kind after this part's cells and then `next`'s, as
    /// [`Numbers::push`] would have turned it when it says numbers. Given
    /// up, it may have been numbers in one reading: a part alone gives up
    /// on a `-0` before its first float, which floats before it would have
    /// taken. The memory estimated from it is then higher, never lower.
    pub fn then(self, next: NumbersKind) -> NumbersKind {
        use NumbersKind::*;
        match (self, next) {
            (Gone, _) | (_, Gone) => Gone,
            (Ints { any: false, .. }, next) => next,
            (me, Ints { any: false, .. }) => me,
            (Ints { minus_zero: a, .. }, Ints { minus_zero: b, .. }) => Ints {
                minus_zero: a || b,
                any: true,
            },
            (
                Ints {
                    minus_zero: false, ..
                },
                Floats,
            ) => Floats,
            (Floats, Ints { .. } | Floats) => Floats,
            (Times, Times) => Times,
            _ => Gone,
        }
    }

    /// Numbers were read and not given up.
    pub fn numeric(self) -> bool {
        match self {
            NumbersKind::Ints { any, .. } => any,
            NumbersKind::Floats | NumbersKind::Times => true,
            NumbersKind::Gone => false,
        }
    }
}

impl Numbers {
    /// What the numbers are so far.
    pub fn kind(&self) -> NumbersKind {
        match self {
            Numbers::Ints {
                minus_zero,
                missing,
                ..
            } => NumbersKind::Ints {
                minus_zero: *minus_zero,
                any: missing.count < missing.len,
            },
            Numbers::Floats { .. } => NumbersKind::Floats,
            Numbers::Times { .. } => NumbersKind::Times,
            Numbers::Gone => NumbersKind::Gone,
        }
    }

    pub fn new() -> Self {
        Numbers::Ints {
            values: Vec::new(),
            missing: Missing::default(),
            minus_zero: false,
        }
    }

    /// Makes room for about `cells` more cells.
    pub fn reserve(&mut self, cells: usize) {
        match self {
            Numbers::Ints { values, .. } => values.reserve_exact(cells),
            Numbers::Floats { values, .. } => values.reserve_exact(cells),
            Numbers::Times { values, .. } => values.reserve_exact(cells),
            Numbers::Gone => {}
        }
    }

    /// Bytes the numbers read so far take (values and missing bits), and
    /// whether the column still becomes numbers: every cell so far one
    /// (or missing), and at least one present.
    pub fn held(&self) -> (u64, bool) {
        let (len, missing) = match self {
            Numbers::Ints {
                values, missing, ..
            }
            | Numbers::Times { values, missing } => (values.len(), missing),
            Numbers::Floats { values, missing } => (values.len(), missing),
            Numbers::Gone => return (0, false),
        };
        (len as u64 * 8 + len as u64 / 8, missing.count < missing.len)
    }

    /// The next cell, as [`crate::core::infer::Inference::feed`] read it.
    pub fn push(&mut self, cell: Cell) {
        match self {
            Numbers::Ints {
                values,
                missing,
                minus_zero,
            } => match cell {
                Cell::Missing => {
                    values.push(0);
                    missing.push(true);
                }
                Cell::Int(v) => {
                    values.push(v);
                    missing.push(false);
                }
                Cell::MinusZero => {
                    values.push(0);
                    missing.push(false);
                    *minus_zero = true;
                }
                Cell::Float(v) if !*minus_zero => {
                    // Integers up to 2^63 become the nearest float, as
                    // their text would: the same value.
                    let mut floats: Vec<f64> = std::mem::take(values)
                        .into_iter()
                        .map(|i| i as f64)
                        .collect();
                    floats.push(v);
                    let mut missing = std::mem::take(missing);
                    missing.push(false);
                    *self = Numbers::Floats {
                        values: floats,
                        missing,
                    };
                }
                Cell::Time(v) if missing.count == missing.len => {
                    // Only missing cells so far: the column may be dates.
                    let mut missing = std::mem::take(missing);
                    let mut times = std::mem::take(values);
                    times.push(v);
                    missing.push(false);
                    *self = Numbers::Times {
                        values: times,
                        missing,
                    };
                }
                Cell::Float(_) | Cell::Time(_) | Cell::Other => *self = Numbers::Gone,
            },
            Numbers::Floats { values, missing } => {
                let v = match cell {
                    Cell::Missing => None,
                    Cell::Int(v) => Some(v as f64),
                    Cell::MinusZero => Some(-0.0),
                    Cell::Float(v) => Some(v),
                    Cell::Time(_) | Cell::Other => {
                        *self = Numbers::Gone;
                        return;
                    }
                };
                values.push(v.unwrap_or(0.0));
                missing.push(v.is_none());
            }
            Numbers::Times { values, missing } => match cell {
                Cell::Missing => {
                    values.push(0);
                    missing.push(true);
                }
                Cell::Time(v) => {
                    values.push(v);
                    missing.push(false);
                }
                _ => *self = Numbers::Gone,
            },
            Numbers::Gone => {}
        }
    }

    /// The column of integers, when every cell was one (or missing).
    pub fn ints(self, name: PlSmallStr) -> Option<Series> {
        match self {
            Numbers::Ints {
                values, missing, ..
            } => Some(column::<Int64Type>(name, values, &missing)),
            _ => None,
        }
    }

    /// The column of floats, when every cell was a number (or missing).
    pub fn floats(self, name: PlSmallStr) -> Option<Series> {
        let (values, missing) = match self {
            Numbers::Ints {
                values,
                missing,
                minus_zero: false,
            } => (values.into_iter().map(|i| i as f64).collect(), missing),
            Numbers::Floats { values, missing } => (values, missing),
            _ => return None,
        };
        Some(column::<Float64Type>(name, values, &missing))
    }

    /// The column of datetimes (microseconds since the epoch), when every
    /// cell was a date written year first (or missing).
    pub fn datetimes(self, name: PlSmallStr) -> Option<Series> {
        match self {
            Numbers::Times { values, missing } => Some(column::<Int64Type>(name, values, &missing)),
            _ => None,
        }
    }

    /// The column of dates (days since the epoch), when every cell was a
    /// date without a time, written year first (or missing).
    pub fn dates(self, name: PlSmallStr) -> Option<Series> {
        let Numbers::Times { values, missing } = self else {
            return None;
        };
        let day = |v: i64| i32::try_from(v.div_euclid(MICROS_PER_DAY)).ok();
        let days: Vec<i32> = values.iter().map(|&v| day(v)).collect::<Option<_>>()?;
        Some(column::<Int32Type>(name, days, &missing))
    }
}

/// A column of `values`, null where `missing` says (no copy when none is).
fn column<T>(name: PlSmallStr, values: Vec<T::Native>, missing: &Missing) -> Series
where
    T: PolarsNumericType,
    ChunkedArray<T>: IntoSeries,
{
    if missing.count == 0 {
        return ChunkedArray::<T>::from_vec(name, values).into_series();
    }
    let cells = values
        .into_iter()
        .enumerate()
        .map(|(i, v)| (!missing.get(i)).then_some(v));
    ChunkedArray::<T>::from_iter_options(name, cells).into_series()
}
