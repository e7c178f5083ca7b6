//! Cell-level parsing and whole-column type inference.
//!
//! Every cell is first trimmed of surrounding spaces and tabs (see
//! [`trim_cell`]); the trimmed text decides whether the cell is missing and
//! which types it fits. String columns keep the original, untrimmed text.
//!
//! A column's type is decided from *all* its cells, never a sample:
//! boolean > integer > float > float with a decimal comma > date/datetime >
//! string, taking the first type every non-missing cell fits.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::core::model::ColumnType;

/// pandas' default NA tokens (`pandas.read_csv(na_values=None)`), besides the
/// empty string.
pub const NA_TOKENS: [&str; 19] = [
    "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>",
    "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null", "",
];

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const CE_TO_UNIX_DAYS: i32 = 719_163;
pub(crate) const MICROS_PER_DAY: i64 = 86_400_000_000;

/// Removes surrounding ASCII spaces and tabs. Unlike pandas, Plainsight trims
/// before testing for missing values and parsing numbers, so `" NA "` is
/// missing and `" 42"` is the integer 42.
pub fn trim_cell(s: &str) -> &str {
    let blank = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t'));
    let bytes = s.as_bytes();
    // Most cells start and end with something else: nothing to trim.
    if !blank(bytes.first()) && !blank(bytes.last()) {
        return s;
    }
    s.trim_matches(|c| c == ' ' || c == '\t')
}

/// Whether a trimmed cell is missing (empty or a pandas NA token).
pub fn is_na(trimmed: &str) -> bool {
    // Fast path: every token starts with one of these bytes.
    match trimmed.as_bytes().first() {
        None => true,
        Some(b'#' | b'-' | b'1' | b'<' | b'N' | b'n') => NA_TOKENS.contains(&trimmed),
        Some(_) => false,
    }
}

/// pandas' boolean spellings.
pub fn parse_bool(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// Result of reading a cell as an integer.
#[derive(Debug, PartialEq)]
enum IntParse {
    Int(i64),
    /// Integer-shaped but outside i64: read as a float instead.
    Overflow,
    No,
}

fn parse_int(s: &str) -> IntParse {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return IntParse::No;
    }
    match s.parse::<i64>() {
        Ok(v) => IntParse::Int(v),
        Err(_) => IntParse::Overflow,
    }
}

pub fn parse_i64(s: &str) -> Option<i64> {
    match parse_int(s) {
        IntParse::Int(v) => Some(v),
        _ => None,
    }
}

/// A float in the spellings pandas accepts: `1e5`, `.5`, `-3.2`, `inf`, `-inf`.
/// NaN spellings are not numbers here (the common ones are NA tokens).
pub fn parse_f64(s: &str) -> Option<f64> {
    // Rust's parser accepts the same shapes as pandas' apart from a few
    // spellings of infinity/NaN; filter the first byte to avoid surprises
    // like "infinityx" (rejected anyway) and keep it fast.
    let first = *s.as_bytes().first()?;
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.' | b'i' | b'I')) {
        return None;
    }
    match s.parse::<f64>() {
        Ok(v) if !v.is_nan() => Some(v),
        _ => None,
    }
}

/// A float written with a decimal comma (`3,75`, `-0,5`), as exported by
/// European spreadsheets in `;`-separated files. Exactly one comma, no dot.
pub fn parse_f64_comma(s: &str) -> Option<f64> {
    if s.contains('.') || s.bytes().filter(|&b| b == b',').count() != 1 {
        return None;
    }
    let (int_part, frac) = s.split_once(',')?;
    let digits = int_part.strip_prefix(['-', '+']).unwrap_or(int_part);
    if !digits.bytes().all(|b| b.is_ascii_digit())
        || frac.is_empty()
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.replacen(',', ".", 1).parse::<f64>().ok()
}

/// Words in a column's name that say its numbers are labels, not
/// quantities: versions ("2.0" is not "2", "1.10" is not "1.1"), codes,
/// postal codes, phone numbers, product and bank numbers.
const CODE_WORDS: &[&str] = &[
    "version",
    "versions",
    "ver",
    "vers",
    "code",
    "codes",
    "zip",
    "zipcode",
    "postcode",
    "postal",
    "plz",
    "phone",
    "tel",
    "telephone",
    "sku",
    "isbn",
    "ean",
    "upc",
    "iban",
    "ssn",
];

/// The word of `name` (split at anything but letters and digits, and at a
/// lower-to-upper case change) that says its numbers are labels, if any:
/// such a column stays text ("2.0" and "10" as written).
pub fn code_word(name: &str) -> Option<&'static str> {
    name_words(name)
        .iter()
        .find_map(|w| CODE_WORDS.iter().find(|c| *c == w).copied())
}

/// The lower-case words of a column name, split at anything but letters
/// and digits and at a lower-to-upper case change ("createdAt": created, at).
pub fn name_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if !c.is_alphanumeric() || (prev_lower && c.is_uppercase()) {
            words.push(std::mem::take(&mut word));
        }
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        }
        prev_lower = c.is_lowercase();
    }
    words.push(word);
    words.retain(|w| !w.is_empty());
    words
}

/// A numeric code with a leading zero (`007`, `02134`, `-01.5`): such a
/// column stays text so the zeros survive. `0` and `0.5` are plain numbers.
pub fn has_leading_zero(s: &str) -> bool {
    let b = s.strip_prefix(['-', '+']).unwrap_or(s).as_bytes();
    b.len() > 1 && b[0] == b'0' && b[1].is_ascii_digit()
}

// ---------------------------------------------------------------- dates

/// Where the year sits in a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Layout {
    YearFirst,
    YearLast,
    /// A month written as a word ("Jun 12, 1998", "12-Jun-98"): the
    /// numbers are year, month, day; `month_first` as written.
    MonthName {
        month_first: bool,
    },
    /// An ISO week date ("2024-W05-3"); the numbers are year, month, day.
    IsoWeek,
}

/// How a month-name date was written (for its format), besides its layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Written {
    full_month: bool,
    comma: bool,
    /// A weekday in front: Some(true) when written in full.
    weekday: Option<bool>,
}

/// The day/month order chosen for a date column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DateOrder {
    Ymd,
    Dmy,
    Mdy,
}

#[derive(Clone, Copy, Debug, PartialEq)]
struct TimeParts {
    micros_of_day: i64,
    has_seconds: bool,
    has_fraction: bool,
    /// Offset east of UTC in minutes, when the text had `Z` or `+hh:mm`.
    offset_minutes: Option<i32>,
    /// `b'T'` or `b' '`.
    sep: u8,
}

/// A date-shaped cell split into its three numbers, before the order is known.
#[derive(Clone, Copy, Debug, PartialEq)]
struct DateParts {
    /// The numbers in text order.
    n: [u32; 3],
    layout: Layout,
    sep: u8,
    /// Digits in the year (2 or 4).
    year_digits: u8,
    time: Option<TimeParts>,
    /// For month names: how they were written.
    written: Option<Written>,
}

/// Reads up to `max` ASCII digits at `*i`, requiring at least `min`.
fn digits(b: &[u8], i: &mut usize, min: usize, max: usize) -> Option<(u32, usize)> {
    let start = *i;
    let mut v: u32 = 0;
    while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
        v = v * 10 + u32::from(b[*i] - b'0');
        *i += 1;
    }
    let n = *i - start;
    (n >= min).then_some((v, n))
}

/// A date-shaped cell: numbers (`2024-03-05`, `05/03/2024`), an ISO week
/// date (`2024-W10-2`) or a month written as a word (`Jan 1 2000`,
/// `1 January 2000`, `Jun 12, 1998`, `12-Jun-98`, `Tue, 12 Jun 1998`),
/// each perhaps followed by a time.
fn split_date(s: &str) -> Option<DateParts> {
    split_numeric(s)
        .or_else(|| split_iso_week(s))
        .or_else(|| split_named(s))
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// A month's number and whether it was written in full: English names,
/// their three-letter abbreviations (with or without a dot) and "Sept".
fn month_of(word: &str) -> Option<(u32, bool)> {
    let w = word.strip_suffix('.').unwrap_or(word).to_ascii_lowercase();
    if w == "sept" {
        return Some((9, false));
    }
    MONTHS.iter().zip(1..).find_map(|(name, n)| {
        if w == *name {
            Some((n, true))
        } else if w.len() == 3 && name.starts_with(w.as_str()) {
            Some((n, false))
        } else {
            None
        }
    })
}

/// A weekday word ("Tue", "Tuesday", "Tues", "Thurs"): whether in full.
fn weekday_of(word: &str) -> Option<bool> {
    let w = word.strip_suffix('.').unwrap_or(word).to_ascii_lowercase();
    WEEKDAYS.iter().find_map(|name| {
        if w == *name {
            Some(true)
        } else if (w.len() == 3 || w == "tues" || w == "thur" || w == "thurs")
            && name.starts_with(w.as_str())
        {
            Some(false)
        } else {
            None
        }
    })
}

/// A day of the month, perhaps with its ordinal suffix ("1st", "22nd").
fn day_of(word: &str) -> Option<u32> {
    let digits = word.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &word[digits.len()..];
    if !matches!(suffix, "" | "st" | "nd" | "rd" | "th") || digits.is_empty() || digits.len() > 2 {
        return None;
    }
    digits.parse().ok().filter(|d| (1..=31).contains(d))
}

/// A year of 4 digits, or of 2 (the pivot is applied when the date is made).
fn year_of(word: &str) -> Option<(u32, u8)> {
    if !word.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match word.len() {
        4 => Some((word.parse().ok()?, 4)),
        2 => Some((word.parse().ok()?, 2)),
        _ => None,
    }
}

fn split_named(s: &str) -> Option<DateParts> {
    let first = *s.as_bytes().first()?;
    if !first.is_ascii_alphanumeric() || s.len() < 7 || s.len() > 48 {
        return None;
    }
    // A time at the end: the last word, when it holds a colon.
    let (date, time) = match s.rsplit_once(' ') {
        Some((d, t)) if t.contains(':') => {
            let mut i = 0;
            let tb = t.as_bytes();
            let time = split_time(tb, &mut i, b' ')?;
            if i != tb.len() {
                return None;
            }
            (d.trim_end(), Some(time))
        }
        _ => (s, None),
    };
    let comma = date.contains(',');
    let mut words: Vec<&str> = date.split([' ', ',']).filter(|w| !w.is_empty()).collect();
    let mut weekday = None;
    if let Some(w) = words.first().and_then(|w| weekday_of(w)) {
        weekday = Some(w);
        words.remove(0);
    }
    // `12-Jun-98`, `12/Jun/1998`: one word with a separator.
    let mut sep = b' ';
    if words.len() == 1 {
        let w = words[0];
        sep = if w.contains('-') {
            b'-'
        } else if w.contains('/') {
            b'/'
        } else {
            return None;
        };
        words = w.split(sep as char).collect();
    }
    let [a, b, c] = words.as_slice() else {
        return None;
    };
    let (month_first, (month, full_month), day, (year, year_digits)) = if let Some(m) = month_of(a)
    {
        (true, m, day_of(b)?, year_of(c)?)
    } else {
        (false, month_of(b)?, day_of(a)?, year_of(c)?)
    };
    if month_first && sep != b' ' {
        return None;
    }
    Some(DateParts {
        n: [year, month, day],
        layout: Layout::MonthName { month_first },
        sep,
        year_digits,
        time,
        written: Some(Written {
            full_month,
            comma,
            weekday,
        }),
    })
}

/// `2024-W05-3`, `2024-W05` (its Monday) or `2024W053`.
fn split_iso_week(s: &str) -> Option<DateParts> {
    let b = s.as_bytes();
    if b.len() < 7 || b.len() > 10 || !b[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut i = 4;
    let dashed = b.get(i) == Some(&b'-');
    if dashed {
        i += 1;
    }
    if b.get(i) != Some(&b'W') {
        return None;
    }
    i += 1;
    let (week, _) = digits(b, &mut i, 2, 2)?;
    let day = if i == b.len() {
        1
    } else {
        if dashed {
            if b.get(i) != Some(&b'-') {
                return None;
            }
            i += 1;
        }
        let (d, _) = digits(b, &mut i, 1, 1)?;
        d
    };
    if i != b.len() {
        return None;
    }
    let year: i32 = s.get(..4)?.parse().ok()?;
    let weekday = match day {
        1 => chrono::Weekday::Mon,
        2 => chrono::Weekday::Tue,
        3 => chrono::Weekday::Wed,
        4 => chrono::Weekday::Thu,
        5 => chrono::Weekday::Fri,
        6 => chrono::Weekday::Sat,
        7 => chrono::Weekday::Sun,
        _ => return None,
    };
    let date = NaiveDate::from_isoywd_opt(year, week, weekday)?;
    Some(DateParts {
        n: [date.year() as u32, date.month(), date.day()],
        layout: Layout::IsoWeek,
        sep: b'W',
        year_digits: 4,
        time: None,
        written: None,
    })
}

fn split_numeric(s: &str) -> Option<DateParts> {
    let b = s.as_bytes();
    if b.len() < 6 || !b[0].is_ascii_digit() {
        return None;
    }
    let mut i = 0;
    let (a, la) = digits(b, &mut i, 1, 4)?;
    let sep = *b.get(i)?;
    if !matches!(sep, b'-' | b'/' | b'.') {
        return None;
    }
    i += 1;
    let (m, lm) = digits(b, &mut i, 1, 2)?;
    if b.get(i) != Some(&sep) {
        return None;
    }
    i += 1;
    let (c, lc) = digits(b, &mut i, 1, 4)?;
    let (layout, year_digits) = match (la, lm, lc) {
        (4, _, 1 | 2) => (Layout::YearFirst, 4),
        (1 | 2, _, 4) => (Layout::YearLast, 4),
        (1 | 2, _, 2) => (Layout::YearLast, 2),
        _ => return None,
    };
    let time = if i == b.len() {
        None
    } else {
        let tsep = b[i];
        if tsep != b'T' && tsep != b' ' {
            return None;
        }
        i += 1;
        Some(split_time(b, &mut i, tsep)?)
    };
    if i != b.len() {
        return None;
    }
    Some(DateParts {
        n: [a, m, c],
        layout,
        sep,
        year_digits,
        time,
        written: None,
    })
}

fn split_time(b: &[u8], i: &mut usize, sep: u8) -> Option<TimeParts> {
    let (h, _) = digits(b, i, 1, 2)?;
    if b.get(*i) != Some(&b':') {
        return None;
    }
    *i += 1;
    let (m, _) = digits(b, i, 2, 2)?;
    let mut s = 0;
    let mut has_seconds = false;
    let mut micros = 0i64;
    let mut has_fraction = false;
    if b.get(*i) == Some(&b':') {
        *i += 1;
        s = digits(b, i, 2, 2)?.0;
        has_seconds = true;
        if matches!(b.get(*i), Some(b'.' | b',')) {
            *i += 1;
            let start = *i;
            while *i < b.len() && b[*i].is_ascii_digit() {
                // Keep microseconds; further digits are read and dropped.
                if *i - start < 6 {
                    micros = micros * 10 + i64::from(b[*i] - b'0');
                }
                *i += 1;
            }
            let n = *i - start;
            if n == 0 {
                return None;
            }
            for _ in n..6 {
                micros *= 10;
            }
            has_fraction = true;
        }
    }
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    let offset_minutes = match b.get(*i) {
        None => None,
        Some(b'Z') => {
            *i += 1;
            Some(0)
        }
        Some(&sign @ (b'+' | b'-')) => {
            *i += 1;
            let (oh, _) = digits(b, i, 2, 2)?;
            if b.get(*i) == Some(&b':') {
                *i += 1;
            }
            let om = if *i < b.len() {
                digits(b, i, 2, 2)?.0
            } else {
                0
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let total = (oh * 60 + om) as i32;
            Some(if sign == b'-' { -total } else { total })
        }
        Some(_) => return None,
    };
    Some(TimeParts {
        micros_of_day: (i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s)) * 1_000_000
            + micros,
        has_seconds,
        has_fraction,
        offset_minutes,
        sep,
    })
}

fn full_year(y: u32, year_digits: u8) -> i32 {
    if year_digits == 2 {
        // Python's %y: 69-99 are 1969-1999, 00-68 are 2000-2068.
        if y >= 69 {
            1900 + y as i32
        } else {
            2000 + y as i32
        }
    } else {
        y as i32
    }
}

fn ymd(p: &DateParts, order: DateOrder) -> Option<NaiveDate> {
    let [a, b, c] = p.n;
    let (y, m, d) = match order {
        DateOrder::Ymd => (a, b, c),
        DateOrder::Dmy => (c, b, a),
        DateOrder::Mdy => (c, a, b),
    };
    NaiveDate::from_ymd_opt(full_year(y, p.year_digits), m, d)
}

fn days_since_epoch(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - CE_TO_UNIX_DAYS
}

/// Formats days since 1970-01-01 as `YYYY-MM-DD`.
pub fn format_date(days: i32) -> String {
    match days
        .checked_add(CE_TO_UNIX_DAYS)
        .and_then(NaiveDate::from_num_days_from_ce_opt)
    {
        Some(d) => format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()),
        None => days.to_string(),
    }
}

/// Formats microseconds since 1970-01-01T00:00:00 as
/// `YYYY-MM-DDTHH:MM:SS`, adding `.fff` (or `.ffffff`) only when non-zero.
pub fn format_datetime(micros: i64) -> String {
    let days = micros.div_euclid(MICROS_PER_DAY);
    let rem = micros.rem_euclid(MICROS_PER_DAY);
    let date = match i32::try_from(days) {
        Ok(d) => format_date(d),
        Err(_) => return micros.to_string(),
    };
    let secs = rem / 1_000_000;
    let frac = rem % 1_000_000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if frac == 0 {
        format!("{date}T{h:02}:{m:02}:{s:02}")
    } else if frac % 1000 == 0 {
        format!("{date}T{h:02}:{m:02}:{s:02}.{:03}", frac / 1000)
    } else {
        format!("{date}T{h:02}:{m:02}:{s:02}.{frac:06}")
    }
}

/// What a column's date cells have shown so far.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
struct DateState {
    /// (layout, separator, year digits) of the first date; all must match.
    shape: Option<(Layout, u8, u8)>,
    ymd_ok: bool,
    dmy_ok: bool,
    mdy_ok: bool,
    any_time: bool,
    time_sep: u8,
    any_seconds: bool,
    any_fraction: bool,
    any_offset: bool,
    /// How the first month-name date was written.
    written: Option<Written>,
}

impl DateState {
    /// The state after this column's cells and then `next`'s (read on
    /// their own): what feeding them all in turn gives, wherever it
    /// decides anything (`date` false on either side makes the rest moot).
    fn merge(self, next: DateState) -> Option<DateState> {
        let Some(shape) = self.shape else {
            return Some(next);
        };
        if next.shape.is_some_and(|s| s != shape) {
            return None;
        }
        let merged = DateState {
            shape: Some(shape),
            ymd_ok: self.ymd_ok && next.ymd_ok,
            dmy_ok: self.dmy_ok && next.dmy_ok,
            mdy_ok: self.mdy_ok && next.mdy_ok,
            any_time: self.any_time || next.any_time,
            time_sep: if self.any_time {
                self.time_sep
            } else {
                next.time_sep
            },
            any_seconds: self.any_seconds || next.any_seconds,
            any_fraction: self.any_fraction || next.any_fraction,
            any_offset: self.any_offset || next.any_offset,
            written: self.written,
        };
        merged.order().map(|_| merged)
    }

    fn new() -> Self {
        DateState {
            shape: None,
            ymd_ok: true,
            dmy_ok: true,
            mdy_ok: true,
            any_time: false,
            time_sep: b'T',
            any_seconds: false,
            any_fraction: false,
            any_offset: false,
            written: None,
        }
    }

    /// Feeds one non-missing cell; returns false when the column can no
    /// longer be a date column, else (for dates written year first, whose
    /// order is known) the cell's time in microseconds since the epoch.
    fn feed(&mut self, s: &str) -> (bool, Option<i64>) {
        let Some(p) = split_date(s) else {
            return (false, None);
        };
        let shape = (p.layout, p.sep, p.year_digits);
        match self.shape {
            None => {
                self.shape = Some(shape);
                self.written = p.written;
            }
            Some(prev) if prev != shape => return (false, None),
            Some(_) => {}
        }
        let mut micros = None;
        match p.layout {
            Layout::YearFirst | Layout::MonthName { .. } | Layout::IsoWeek => {
                let date = ymd(&p, DateOrder::Ymd);
                self.ymd_ok &= date.is_some();
                micros = date.map(|d| micros_of(d, &p));
            }
            Layout::YearLast => {
                self.dmy_ok &= ymd(&p, DateOrder::Dmy).is_some();
                self.mdy_ok &= ymd(&p, DateOrder::Mdy).is_some();
            }
        }
        if let Some(t) = p.time {
            if !self.any_time {
                self.time_sep = t.sep;
            }
            self.any_time = true;
            self.any_seconds |= t.has_seconds;
            self.any_fraction |= t.has_fraction;
            self.any_offset |= t.offset_minutes.is_some();
        }
        (self.order().is_some(), micros)
    }

    /// The order all cells fit, and whether it was a guess (both day-first
    /// and month-first fit every cell: month-first is assumed, like pandas).
    fn order(&self) -> Option<(DateOrder, bool)> {
        match self.shape?.0 {
            Layout::YearFirst | Layout::MonthName { .. } | Layout::IsoWeek => {
                self.ymd_ok.then_some((DateOrder::Ymd, false))
            }
            Layout::YearLast => match (self.dmy_ok, self.mdy_ok) {
                (true, true) => Some((DateOrder::Mdy, true)),
                (true, false) => Some((DateOrder::Dmy, false)),
                (false, true) => Some((DateOrder::Mdy, false)),
                (false, false) => None,
            },
        }
    }

    fn format(&self, order: DateOrder) -> String {
        let Some((layout, sep, year_digits)) = self.shape else {
            return String::new();
        };
        let sep = sep as char;
        let y = if year_digits == 2 { "%y" } else { "%Y" };
        let mut f = match (layout, self.written) {
            (Layout::IsoWeek, _) => "%G-W%V-%u".to_string(),
            (Layout::MonthName { month_first }, Some(w)) => {
                let m = if w.full_month { "%B" } else { "%b" };
                let mut f = match w.weekday {
                    Some(true) => "%A, ".to_string(),
                    Some(false) => "%a, ".to_string(),
                    None => String::new(),
                };
                if month_first {
                    f.push_str(&format!("{m} %d{} {y}", if w.comma { "," } else { "" }));
                } else {
                    f.push_str(&format!("%d{sep}{m}{sep}{y}"));
                }
                f
            }
            _ => match order {
                DateOrder::Ymd => format!("%Y{sep}%m{sep}%d"),
                DateOrder::Dmy => format!("%d{sep}%m{sep}{y}"),
                DateOrder::Mdy => format!("%m{sep}%d{sep}{y}"),
            },
        };
        if self.any_time {
            f.push(self.time_sep as char);
            f.push_str("%H:%M");
            if self.any_seconds {
                f.push_str(":%S");
            }
            if self.any_fraction {
                f.push_str("%.f");
            }
            if self.any_offset {
                f.push_str("%:z");
            }
        }
        f
    }
}

/// Whether one cell, alone, reads as a date or datetime (in some order).
/// Every date has digits (its year, and its day), so a cell without any
/// is not one: most text cells are answered without parsing.
pub fn reads_as_date(cell: &str) -> bool {
    // A date has a digit, and splits into a date's parts (the inference
    // reads a date only from those); most text fails these at once, before
    // an inference is made for it.
    cell.bytes().any(|b| b.is_ascii_digit())
        && split_date(trim_cell(cell)).is_some()
        && parsed_as_date(cell)
}

/// [`reads_as_date`] by parsing, always.
fn parsed_as_date(cell: &str) -> bool {
    let mut one = Inference::new(false);
    one.feed(cell);
    matches!(one.decide().kind, Kind::Date(_) | Kind::Datetime(_))
}

/// Parses a date cell with a known order: days since the epoch.
pub fn parse_date_days(s: &str, order: DateOrder) -> Option<i32> {
    let p = split_date(s)?;
    Some(days_since_epoch(ymd(&p, order)?))
}

/// Parses a date or datetime cell with a known order: microseconds since
/// the epoch, in UTC when the text carries an offset.
pub fn parse_datetime_micros(s: &str, order: DateOrder) -> Option<i64> {
    let p = split_date(s)?;
    Some(micros_of(ymd(&p, order)?, &p))
}

/// The microseconds since the epoch of `date` at `p`'s time (UTC when it
/// carries an offset).
fn micros_of(date: NaiveDate, p: &DateParts) -> i64 {
    let days = i64::from(days_since_epoch(date));
    let (tod, offset) = match p.time {
        Some(t) => (t.micros_of_day, t.offset_minutes.unwrap_or(0)),
        None => (0, 0),
    };
    days * MICROS_PER_DAY + tod - i64::from(offset) * 60_000_000
}

// ---------------------------------------------------------------- columns

/// How a column's cells are to be converted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    Boolean,
    Integer,
    Float,
    /// Floats written with a decimal comma.
    FloatComma,
    Date(DateOrder),
    Datetime(DateOrder),
    /// Integers that are Unix times, by the column's name and range.
    UnixSeconds,
    UnixMillis,
    /// Spreadsheet serial days, by the column's name and range.
    ExcelSerial {
        with_time: bool,
    },
    String,
}

impl Kind {
    pub fn column_type(self) -> ColumnType {
        match self {
            Kind::Boolean => ColumnType::Boolean,
            Kind::Integer => ColumnType::Integer,
            Kind::Float | Kind::FloatComma => ColumnType::Float,
            Kind::Date(_) => ColumnType::Date,
            Kind::Datetime(_) | Kind::UnixSeconds | Kind::UnixMillis => ColumnType::Datetime,
            Kind::ExcelSerial { with_time: false } => ColumnType::Date,
            Kind::ExcelSerial { with_time: true } => ColumnType::Datetime,
            Kind::String => ColumnType::String,
        }
    }
}

/// The range of a column's numbers, for numbers that may be times (Unix
/// times, spreadsheet serial days): fed every cell like an [`Inference`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Span {
    pub lo: f64,
    pub hi: f64,
    pub fractional: bool,
    /// Some number was seen.
    pub any: bool,
    /// Every cell that is not missing is a number.
    pub numeric: bool,
}

impl Default for Span {
    fn default() -> Self {
        Span {
            lo: f64::MAX,
            hi: f64::MIN,
            fractional: false,
            any: false,
            numeric: true,
        }
    }
}

impl Span {
    /// The range of `cells`' numbers.
    pub fn of<'a>(cells: impl Iterator<Item = &'a str>) -> Span {
        let mut span = Span::default();
        cells.for_each(|c| span.feed(c));
        span
    }

    /// The range of this column's numbers and `next`'s.
    pub fn merge(self, next: Span) -> Span {
        Span {
            lo: self.lo.min(next.lo),
            hi: self.hi.max(next.hi),
            fractional: self.fractional || next.fractional,
            any: self.any || next.any,
            numeric: self.numeric && next.numeric,
        }
    }

    pub fn feed(&mut self, raw: &str) {
        let t = trim_cell(raw);
        if !self.numeric || is_na(t) {
            return;
        }
        match parse_f64(t) {
            Some(v) => {
                self.lo = self.lo.min(v);
                self.hi = self.hi.max(v);
                self.fractional |= v.fract() != 0.0;
                self.any = true;
            }
            None => self.numeric = false,
        }
    }
}

/// The running evidence for one column's type. Small and `Copy`, so the
/// header row can be tried on a copy.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Inference {
    pub non_missing: u64,
    boolean: bool,
    int: bool,
    float: bool,
    float_comma: bool,
    leading_zero: bool,
    date: bool,
    dates: DateState,
}

/// What [`Inference::feed`] read a cell as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    /// Empty or an NA token.
    Missing,
    Int(i64),
    /// `-0`: the integer 0, but the float -0.0.
    MinusZero,
    Float(f64),
    /// A date or time written year first (or with a month name): its
    /// microseconds since the epoch, UTC.
    Time(i64),
    /// Anything else, or a number or date read when the column can no
    /// longer be one.
    Other,
}

/// The decided type of a column.
#[derive(Clone, Debug, PartialEq)]
pub struct Decision {
    pub kind: Kind,
    /// chrono-style format of date/datetime columns.
    pub date_format: Option<String>,
    /// Day/month order was a guess (both fit every value).
    pub ambiguous_order: bool,
    /// Years were written with two digits (the pivot applies).
    pub two_digit_year: bool,
    /// Times carried UTC offsets (converted to UTC).
    pub offsets: bool,
}

impl Inference {
    /// `decimal_comma`: whether `3,5` may be read as a number (only when the
    /// field delimiter is not a comma).
    pub fn new(decimal_comma: bool) -> Self {
        Inference {
            non_missing: 0,
            boolean: true,
            int: true,
            float: true,
            float_comma: decimal_comma,
            leading_zero: false,
            date: true,
            dates: DateState::new(),
        }
    }

    /// The evidence of this column's cells and then `next`'s, each read
    /// on its own (the parts of a file read in parts): it decides as
    /// feeding every cell in turn does (a property test says so). Flags
    /// that hold for every cell are and-ed, those of any cell or-ed; a
    /// leading zero seen after the column stopped being numbers is kept,
    /// which feeding in turn skips, but then no numeric type is left for
    /// it to forbid.
    pub fn merge(self, next: Inference) -> Inference {
        let dates = if self.date && next.date {
            self.dates.merge(next.dates)
        } else {
            None
        };
        Inference {
            non_missing: self.non_missing + next.non_missing,
            boolean: self.boolean && next.boolean,
            int: self.int && next.int,
            float: self.float && next.float,
            float_comma: self.float_comma && next.float_comma,
            leading_zero: self.leading_zero || next.leading_zero,
            date: dates.is_some(),
            dates: dates.unwrap_or(self.dates),
        }
    }

    /// Feeds one raw cell; says what it read (a number only while the
    /// column may still be numbers).
    pub fn feed(&mut self, raw: &str) -> Cell {
        let s = trim_cell(raw);
        if is_na(s) {
            return Cell::Missing;
        }
        self.non_missing += 1;
        if self.boolean {
            self.boolean = parse_bool(s).is_some();
        }
        let mut cell = Cell::Other;
        if self.int || self.float || self.float_comma {
            match parse_int(s) {
                IntParse::Int(0) if s.starts_with('-') => cell = Cell::MinusZero,
                IntParse::Int(v) => cell = Cell::Int(v),
                IntParse::Overflow => {
                    self.int = false;
                    if let Some(v) = parse_f64(s) {
                        cell = Cell::Float(v);
                    }
                }
                IntParse::No => {
                    self.int = false;
                    if self.float {
                        let v = parse_f64(s);
                        self.float = v.is_some();
                        if let Some(v) = v {
                            cell = Cell::Float(v);
                        }
                    }
                    if self.float_comma {
                        self.float_comma = parse_f64_comma(s).is_some();
                    }
                }
            }
            if !self.leading_zero && has_leading_zero(s) {
                self.leading_zero = true;
            }
        }
        if self.date {
            let (date, micros) = self.dates.feed(s);
            self.date = date;
            if let (true, Some(m)) = (date, micros) {
                cell = Cell::Time(m);
            }
        }
        cell
    }

    pub fn decide(&self) -> Decision {
        let plain = |kind| Decision {
            kind,
            date_format: None,
            ambiguous_order: false,
            two_digit_year: false,
            offsets: false,
        };
        if self.non_missing == 0 {
            return plain(Kind::String);
        }
        if self.boolean {
            return plain(Kind::Boolean);
        }
        if !self.leading_zero {
            if self.int {
                return plain(Kind::Integer);
            }
            if self.float {
                return plain(Kind::Float);
            }
            if self.float_comma {
                return plain(Kind::FloatComma);
            }
        }
        if self.date {
            if let Some((order, ambiguous)) = self.dates.order() {
                let kind = if self.dates.any_time {
                    Kind::Datetime(order)
                } else {
                    Kind::Date(order)
                };
                return Decision {
                    kind,
                    date_format: Some(self.dates.format(order)),
                    ambiguous_order: ambiguous,
                    two_digit_year: self.dates.shape.is_some_and(|(_, _, y)| y == 2),
                    offsets: self.dates.any_offset,
                };
            }
        }
        plain(Kind::String)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The digit test of `reads_as_date` answers as parsing does: no cell
    /// without a digit parses as a date (month and weekday names, their
    /// abbreviations, separators, times, offsets, words), while the same
    /// shapes with their digits do.
    #[test]
    fn no_date_without_a_digit() {
        let words = [
            "March",
            "Mar",
            "Sept",
            "Tue",
            "Tuesday",
            "of",
            "st",
            "nd",
            "th",
            "W",
            "T",
            "Z",
            "am",
            "PM",
            "UTC",
            "-",
            "/",
            ".",
            ",",
            ":",
            "+",
            " ",
            "2024",
            "5",
            "12",
            "05",
            "2024-03-05",
            "5th",
            "12:30",
            "12:30:15",
            "+01:00",
            "W05",
        ];
        let mut seed = 11u64;
        let mut next = move |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let (mut dates, mut digitless) = (0, 0);
        for _ in 0..200_000 {
            let parts = 1 + next(5);
            let cell: String = (0..parts)
                .map(|_| words[next(words.len())])
                .collect::<Vec<_>>()
                .join([" ", "", ", ", "-"][next(4)]);
            let parsed = parsed_as_date(&cell);
            assert_eq!(reads_as_date(&cell), parsed, "{cell:?}");
            dates += usize::from(parsed);
            digitless += usize::from(!cell.bytes().any(|b| b.is_ascii_digit()));
        }
        // Both sides were reached.
        assert!(
            dates > 1_000 && digitless > 1_000,
            "{dates} dates, {digitless} without digits"
        );
        for cell in [
            "March 5, 2024",
            "Tue, 5 Mar 2024",
            "2024-W05-2",
            "5th March 2024",
        ] {
            assert!(reads_as_date(cell), "{cell}");
        }
    }

    fn kind_of(cells: &[&str]) -> Decision {
        let mut inf = Inference::new(false);
        for c in cells {
            inf.feed(c);
        }
        inf.decide()
    }

    #[test]
    fn na_tokens_and_trimming() {
        for t in NA_TOKENS {
            assert!(is_na(trim_cell(t)), "{t:?}");
        }
        assert!(is_na(trim_cell("  NA ")));
        assert!(is_na(trim_cell("   ")));
        assert!(!is_na("na"));
        assert!(!is_na("Null"));
        assert!(!is_na("0"));
    }

    #[test]
    fn numbers() {
        assert_eq!(kind_of(&["1", " 2", "-3", "NA"]).kind, Kind::Integer);
        assert_eq!(kind_of(&["1", "1e5", ".5", "-3.2"]).kind, Kind::Float);
        assert_eq!(kind_of(&["inf", "-inf", "2"]).kind, Kind::Float);
        assert_eq!(kind_of(&["99999999999999999999", "1"]).kind, Kind::Float);
        assert_eq!(kind_of(&["NAN", "1"]).kind, Kind::String);
        assert_eq!(kind_of(&["1,5", "2"]).kind, Kind::String);
        let mut inf = Inference::new(true);
        for c in ["1,5", "2", "-0,25"] {
            inf.feed(c);
        }
        assert_eq!(inf.decide().kind, Kind::FloatComma);
        assert_eq!(parse_f64_comma("-0,25"), Some(-0.25));
    }

    #[test]
    fn trimming() {
        for (cell, trimmed) in [
            ("a", "a"),
            (" a\t", "a"),
            ("\t a b  ", "a b"),
            ("a ", "a"),
            (" a", "a"),
            ("", ""),
            (" ", ""),
            ("\t\t", ""),
            ("é", "é"),
            (" é ", "é"),
            ("\u{a0}x", "\u{a0}x"),
        ] {
            assert_eq!(trim_cell(cell), trimmed, "{cell:?}");
        }
    }

    #[test]
    fn code_words_in_names() {
        assert_eq!(code_word("version"), Some("version"));
        assert_eq!(code_word("Zip Code"), Some("zip"));
        assert_eq!(code_word("productSKU"), Some("sku"));
        assert_eq!(code_word("SKUs"), None);
        assert_eq!(code_word("productSku"), Some("sku"));
        assert_eq!(code_word("area_code"), Some("code"));
        assert_eq!(code_word("encoded"), None);
        assert_eq!(code_word("revenue"), None);
        assert_eq!(code_word("telemetry"), None);
        assert_eq!(code_word(""), None);
    }

    #[test]
    fn leading_zeros_keep_text() {
        assert!(has_leading_zero("02134"));
        assert!(has_leading_zero("007"));
        assert!(!has_leading_zero("0"));
        assert!(!has_leading_zero("0.5"));
        assert_eq!(kind_of(&["02134", "10001"]).kind, Kind::String);
        assert_eq!(kind_of(&["0", "0.5", "10"]).kind, Kind::Float);
    }

    #[test]
    fn booleans_and_empty() {
        assert_eq!(kind_of(&["true", "False", "TRUE"]).kind, Kind::Boolean);
        assert_eq!(kind_of(&["true", "yes"]).kind, Kind::String);
        assert_eq!(kind_of(&["", "NA"]).kind, Kind::String);
    }

    #[test]
    fn date_order_decision() {
        let d = kind_of(&["05/03/2024", "25/03/2024"]);
        assert_eq!(d.kind, Kind::Date(DateOrder::Dmy));
        assert_eq!(d.date_format.as_deref(), Some("%d/%m/%Y"));
        assert!(!d.ambiguous_order);
        let d = kind_of(&["05/03/2024", "03/25/2024"]);
        assert_eq!(d.kind, Kind::Date(DateOrder::Mdy));
        let d = kind_of(&["05/03/2024", "06/04/2024"]);
        assert_eq!(d.kind, Kind::Date(DateOrder::Mdy));
        assert!(d.ambiguous_order);
        // Conflicting evidence: a day first and a day second.
        assert_eq!(kind_of(&["25/03/2024", "03/25/2024"]).kind, Kind::String);
        // Mixed separators are not one date format.
        assert_eq!(kind_of(&["05/03/2024", "05-03-2024"]).kind, Kind::String);
        assert_eq!(kind_of(&["2024-02-30"]).kind, Kind::String);
        assert_eq!(kind_of(&["05.03.2024"]).kind, Kind::Date(DateOrder::Mdy));
    }

    #[test]
    fn datetimes() {
        let d = kind_of(&["2024-03-05T14:30:00", "2024-03-06 09:15", "2024-03-07"]);
        assert_eq!(d.kind, Kind::Datetime(DateOrder::Ymd));
        let us = parse_datetime_micros("2024-03-05T14:30:00.25Z", DateOrder::Ymd);
        assert_eq!(
            us.map(format_datetime).as_deref(),
            Some("2024-03-05T14:30:00.250")
        );
        let us = parse_datetime_micros("2024-03-05 14:30+02:00", DateOrder::Ymd);
        assert_eq!(
            us.map(format_datetime).as_deref(),
            Some("2024-03-05T12:30:00")
        );
        assert_eq!(
            parse_date_days("1969-12-31", DateOrder::Ymd).map(format_date),
            Some("1969-12-31".to_string())
        );
        assert_eq!(parse_date_days("1970-01-02", DateOrder::Ymd), Some(1));
        assert_eq!(kind_of(&["2024-03-05T25:00"]).kind, Kind::String);
    }

    #[test]
    fn dates_as_people_write_them() {
        let day = |s: &str| parse_date_days(s, DateOrder::Ymd).map(format_date);
        for (text, want) in [
            ("Jan 1 2000", "2000-01-01"),
            ("Jan 1, 2000", "2000-01-01"),
            ("January 1st, 2000", "2000-01-01"),
            ("1 January 2000", "2000-01-01"),
            ("Jun 12, 1998", "1998-06-12"),
            ("12-Jun-98", "1998-06-12"),
            ("12/jun/1998", "1998-06-12"),
            ("Sept 30, 2021", "2021-09-30"),
            ("Tue, 12 Jun 1998", "1998-06-12"),
            ("Tuesday June 12, 1998", "1998-06-12"),
            ("2024-W05-3", "2024-01-31"),
            ("2024W053", "2024-01-31"),
            ("2024-W05", "2024-01-29"),
            ("1999-W52-6", "2000-01-01"),
        ] {
            assert_eq!(day(text).as_deref(), Some(want), "{text}");
        }
        for text in [
            "Jan 32 2000",
            "Feb 30, 2024",
            "Junk 1 2000",
            "2023-W53-1",
            "12-Jun-1998x",
            "Jun-12-1998",
            "May be",
        ] {
            assert_eq!(day(text), None, "{text}");
        }
        let us = parse_datetime_micros("Jun 12, 1998 14:30", DateOrder::Ymd);
        assert_eq!(
            us.map(format_datetime).as_deref(),
            Some("1998-06-12T14:30:00")
        );
        // One pattern per column: abbreviations and full names mix, day
        // first and month first do not.
        let d = kind_of(&["Jan 1, 2000", "June 12, 1998"]);
        assert_eq!(d.kind, Kind::Date(DateOrder::Ymd));
        assert_eq!(d.date_format.as_deref(), Some("%b %d, %Y"));
        assert_eq!(kind_of(&["Jan 1, 2000", "12 June 1998"]).kind, Kind::String);
        let d = kind_of(&["01-Jan-00", "12-Jun-98"]);
        assert_eq!(d.date_format.as_deref(), Some("%d-%b-%y"));
        assert!(d.two_digit_year);
        assert!(kind_of(&["2024-03-05T14:30:00+02:00"]).offsets);
    }
}
