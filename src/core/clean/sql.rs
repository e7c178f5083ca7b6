//! The recipe as SQL in DuckDB's dialect: one query that reads the raw file
//! and returns the cleaned table, with the same columns, rows and row order
//! as [`run`](super::recipe::run) gives on that file, so the same cleaning
//! can run on data that outgrows the browser.
//!
//! Shape of the output: a few `TEMP MACRO`s that read cells the way
//! Plainsight does (trim, missing tokens, numbers, dates), then one query:
//! a CTE reading the file as text with a row number, a CTE giving each
//! column its inferred type, and one CTE per step. Statistics (means,
//! quantiles, bounds) are computed by the query from the step before, so
//! they follow the data; choices that change the set of columns or their
//! types (one-hot categories, sparse columns, the natural order of an
//! ordinal encoding, the date order of a cast) are frozen from running the
//! recipe on `source`, and marked so in the SQL.

use std::collections::{BTreeMap, HashSet};

use super::apply::{apply, categories, StepReport, TRIM_CHARS};
use super::recipe::SCHEMA_VERSION;
use super::step::{Case, DatePart, Fill, Merge, OutlierAction, OutlierRule, Scaling, Step, Test};
use super::values::Values;
use super::CleanError;
use crate::core::infer::{
    format_date, format_datetime, parse_date_days, parse_datetime_micros, parse_f64, parse_i64,
    trim_cell, DateOrder, Inference, Kind, NA_TOKENS,
};
use crate::core::ingest::Dataset;
use crate::core::model::{ColumnType, Format};

/// `name` as a DuckDB identifier: always double-quoted, inner quotes doubled.
pub fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as a DuckDB string literal: single-quoted, inner quotes doubled;
/// control characters are spliced in with `chr(n)` so the SQL stays on its
/// lines and survives any editor.
pub fn string_lit(text: &str) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut run = String::new();
    for c in text.chars() {
        if c.is_control() {
            if !run.is_empty() {
                parts.push(format!("'{}'", run.replace('\'', "''")));
                run.clear();
            }
            parts.push(format!("chr({})", c as u32));
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() || parts.is_empty() {
        parts.push(format!("'{}'", run.replace('\'', "''")));
    }
    parts.join(" || ")
}

/// A float as a DuckDB DOUBLE, exactly (parsed from its round-trip text).
fn float_lit(v: f64) -> String {
    let text = if v.is_nan() {
        "NaN".to_string()
    } else if v.is_infinite() {
        if v > 0.0 { "inf" } else { "-inf" }.to_string()
    } else {
        format!("{v:?}")
    };
    format!("CAST('{text}' AS DOUBLE)")
}

/// Whether DuckDB reads `text` (ISO, from `format_date`) as a literal: years
/// 1 to 9999.
fn plain_year(text: &str) -> bool {
    text.get(..4)
        .is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()) && y != "0000")
        && text.as_bytes().get(4) == Some(&b'-')
}

fn date_lit(days: i32) -> String {
    let text = format_date(days);
    if plain_year(&text) {
        format!("DATE '{text}'")
    } else {
        format!("(DATE '1970-01-01' + CAST({days} AS INTEGER))")
    }
}

fn datetime_lit(micros: i64) -> String {
    let text = format_datetime(micros);
    if plain_year(&text) && text.as_bytes().get(10) == Some(&b'T') {
        format!("TIMESTAMP '{}'", text.replacen('T', " ", 1))
    } else {
        format!("make_timestamp(CAST({micros} AS BIGINT))")
    }
}

/// `text` read as a value of type `ty`, as Plainsight reads a constant or
/// a filter value (trimmed; dates year first), as a SQL literal.
fn typed_lit(ty: ColumnType, text: &str) -> Option<String> {
    let t = trim_cell(text);
    Some(match ty {
        ColumnType::Integer => format!("CAST({} AS BIGINT)", parse_i64(t)?),
        ColumnType::Float => float_lit(parse_f64(t)?),
        ColumnType::Boolean => super::apply::parse_bool_loose(t)?.to_string(),
        ColumnType::Date => date_lit(parse_date_days(t, DateOrder::Ymd)?),
        ColumnType::Datetime => datetime_lit(parse_datetime_micros(t, DateOrder::Ymd)?),
        ColumnType::String => string_lit(text),
    })
}

/// A SQL condition: the cell `expr` of type `ty` shows as `text` (the app
/// compares categories by their text). `false` when no value shows so.
fn shows_as(expr: &str, ty: ColumnType, text: &str) -> String {
    let cond = match ty {
        ColumnType::String => Some(format!("{expr} = {}", string_lit(text))),
        ColumnType::Integer => parse_i64(text)
            .filter(|v| v.to_string() == text)
            .map(|v| format!("{expr} = {v}")),
        ColumnType::Float => parse_f64(text).filter(|v| v.to_string() == text).map(|v| {
            if v == 0.0 {
                // 0 and -0 show differently.
                let not = if v.is_sign_negative() { "" } else { "NOT " };
                format!("({expr} = 0 AND {not}signbit({expr}))")
            } else {
                format!("{expr} = {}", float_lit(v))
            }
        }),
        ColumnType::Boolean => match text {
            "true" => Some(format!("{expr} = true")),
            "false" => Some(format!("{expr} = false")),
            _ => None,
        },
        ColumnType::Date => parse_date_days(text, DateOrder::Ymd)
            .filter(|d| format_date(*d) == text)
            .map(|d| format!("{expr} = {}", date_lit(d))),
        ColumnType::Datetime => parse_datetime_micros(text, DateOrder::Ymd)
            .filter(|m| format_datetime(*m) == text)
            .map(|m| format!("{expr} = {}", datetime_lit(m))),
    };
    cond.unwrap_or_else(|| "false".to_string())
}

fn order_name(order: DateOrder) -> &'static str {
    match order {
        DateOrder::Ymd => "ymd",
        DateOrder::Dmy => "dmy",
        DateOrder::Mdy => "mdy",
    }
}

/// One line of text for a `--` comment.
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

fn unsupported(op: &str, step: usize, message: String) -> CleanError {
    CleanError::BadParameter {
        step,
        op: op.to_string(),
        message,
    }
}

/// The macros that read cells the way Plainsight does (see `infer.rs`).
fn macros() -> String {
    let na: Vec<String> = NA_TOKENS.iter().map(|t| string_lit(t)).collect();
    let trim_all = string_lit(&TRIM_CHARS.iter().collect::<String>());
    format!(
        r"-- How Plainsight reads a cell: spaces and tabs around it are ignored; empty
-- and pandas' missing-value tokens are missing; text keeps its spaces.
CREATE OR REPLACE TEMP MACRO plainsight_trim(s) AS trim(s, ' ' || chr(9));
CREATE OR REPLACE TEMP MACRO plainsight_trim_all(s) AS trim(s, {trim_all});
CREATE OR REPLACE TEMP MACRO plainsight_na(t) AS t IS NULL OR t IN ({na});
CREATE OR REPLACE TEMP MACRO plainsight_text(s) AS
  CASE WHEN plainsight_na(plainsight_trim(s)) THEN NULL ELSE s END;
CREATE OR REPLACE TEMP MACRO plainsight_int(t) AS
  CASE WHEN regexp_full_match(t, '[+-]?[0-9]+') THEN TRY_CAST(t AS BIGINT) END;
CREATE OR REPLACE TEMP MACRO plainsight_float(t) AS
  CASE WHEN regexp_full_match(t, '[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(?i:inf|infinity)')
  THEN TRY_CAST(t AS DOUBLE) END;
CREATE OR REPLACE TEMP MACRO plainsight_float_comma(t) AS
  CASE WHEN regexp_full_match(t, '[+-]?[0-9]*,[0-9]+') THEN TRY_CAST(replace(t, ',', '.') AS DOUBLE)
  ELSE plainsight_float(t) END;
CREATE OR REPLACE TEMP MACRO plainsight_bool(t) AS
  CASE WHEN t IN ('true', 'True', 'TRUE') THEN true WHEN t IN ('false', 'False', 'FALSE') THEN false END;
CREATE OR REPLACE TEMP MACRO plainsight_bool_loose(t) AS
  CASE WHEN lower(t) IN ('true', 'yes', '1') THEN true WHEN lower(t) IN ('false', 'no', '0') THEN false END;
-- Dates: year first (2024-03-05), or day/month first with a 4- or 2-digit year
-- (05/03/2024, 5.3.24; 2-digit years 69-99 are 19xx, 00-68 are 20xx), then
-- optionally a time (T or space, HH:MM[:SS[.fraction]], Z or +hh[:mm]).
-- ord says which number is the day and which the month: 'ymd', 'dmy', 'mdy'.
CREATE OR REPLACE TEMP MACRO plainsight_date_fields(t) AS regexp_extract(t,
  '^([0-9]{{1,4}})([-/.])([0-9]{{1,2}})([-/.])([0-9]{{1,4}})(?:([T ])([0-9]{{1,2}}):([0-9]{{2}})(?::([0-9]{{2}})(?:[.,]([0-9]+))?)?(Z|[+-][0-9]{{2}}:?(?:[0-9]{{2}})?)?)?$',
  ['a', 's1', 'b', 's2', 'c', 'tsep', 'h', 'mi', 's', 'frac', 'tz']);
CREATE OR REPLACE TEMP MACRO plainsight_year(y, two_digits) AS
  CASE WHEN NOT two_digits THEN y WHEN y >= 69 THEN 1900 + y ELSE 2000 + y END;
CREATE OR REPLACE TEMP MACRO plainsight_day_of(p, ord) AS
  CASE WHEN p.a = '' OR p.s1 <> p.s2 THEN NULL
    WHEN NOT ((length(p.a) = 4 AND length(p.c) <= 2) OR (length(p.a) <= 2 AND length(p.c) IN (2, 4))) THEN NULL
    ELSE try(make_date(
      plainsight_year(CAST(CASE ord WHEN 'ymd' THEN p.a ELSE p.c END AS BIGINT), length(p.a) <= 2 AND length(p.c) = 2),
      CAST(CASE ord WHEN 'mdy' THEN p.a ELSE p.b END AS BIGINT),
      CAST(CASE ord WHEN 'ymd' THEN p.c WHEN 'dmy' THEN p.a ELSE p.b END AS BIGINT)))
  END;
CREATE OR REPLACE TEMP MACRO plainsight_offset_minutes(tz) AS
  CASE WHEN tz IN ('', 'Z') THEN 0
    ELSE (CASE WHEN left(tz, 1) = '-' THEN -1 ELSE 1 END) * (CAST(substring(tz, 2, 2) AS BIGINT) * 60
      + CASE WHEN length(replace(tz, ':', '')) = 5 THEN CAST(right(tz, 2) AS BIGINT) ELSE 0 END)
  END;
CREATE OR REPLACE TEMP MACRO plainsight_micros_of(p, ord) AS
  CASE WHEN plainsight_day_of(p, ord) IS NULL THEN NULL
    WHEN p.tsep = '' THEN epoch_us(CAST(plainsight_day_of(p, ord) AS TIMESTAMP))
    WHEN CAST(p.h AS BIGINT) > 23 OR CAST(p.mi AS BIGINT) > 59 OR coalesce(TRY_CAST(p.s AS BIGINT), 0) > 59 THEN NULL
    WHEN p.tz NOT IN ('', 'Z') AND (CAST(substring(p.tz, 2, 2) AS BIGINT) > 23
      OR (length(replace(p.tz, ':', '')) = 5 AND CAST(right(p.tz, 2) AS BIGINT) > 59)) THEN NULL
    ELSE epoch_us(CAST(plainsight_day_of(p, ord) AS TIMESTAMP))
      + ((CAST(p.h AS BIGINT) * 60 + CAST(p.mi AS BIGINT)) * 60 + coalesce(TRY_CAST(p.s AS BIGINT), 0)) * 1000000
      + coalesce(TRY_CAST(rpad(left(p.frac, 6), 6, '0') AS BIGINT), 0)
      - plainsight_offset_minutes(p.tz) * 60000000
  END;
CREATE OR REPLACE TEMP MACRO plainsight_date(t, ord) AS plainsight_day_of(plainsight_date_fields(t), ord);
-- Dates with the month as a word (Jan 1, 2000; 1 January 2000; 12-Jun-98;
-- a weekday in front is skipped), optionally then a time: read into the
-- fields above as year-month-day.
CREATE OR REPLACE TEMP MACRO plainsight_named_parts(t) AS regexp_extract(t,
  '^(?:[A-Za-z]+\.?,? +)?(?:([A-Za-z]+)\.? +([0-9]{{1,2}})(?:st|nd|rd|th)?,? +|([0-9]{{1,2}})(?:st|nd|rd|th)?[ /-]([A-Za-z]+)\.?,?[ /-])([0-9]{{4}}|[0-9]{{2}})(?: +([0-9]{{1,2}}):([0-9]{{2}})(?::([0-9]{{2}})(?:[.,]([0-9]+))?)?(Z|[+-][0-9]{{2}}:?(?:[0-9]{{2}})?)?)?$',
  ['mw1', 'd1', 'd2', 'mw2', 'y', 'h', 'mi', 's', 'frac', 'tz']);
CREATE OR REPLACE TEMP MACRO plainsight_month_number(w) AS
  list_position(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'], lower(left(w, 3)));
CREATE OR REPLACE TEMP MACRO plainsight_named_struct(p) AS struct_pack(
    a := CASE WHEN p.y = '' THEN '' ELSE lpad(CAST(plainsight_year(CAST(p.y AS BIGINT), length(p.y) = 2) AS VARCHAR), 4, '0') END,
    s1 := '-', b := CAST(plainsight_month_number(p.mw1 || p.mw2) AS VARCHAR), s2 := '-', c := p.d1 || p.d2,
    tsep := CASE WHEN p.h = '' THEN '' ELSE ' ' END, h := p.h, mi := p.mi, s := p.s, frac := p.frac, tz := p.tz);
CREATE OR REPLACE TEMP MACRO plainsight_named_fields(t) AS plainsight_named_struct(plainsight_named_parts(t));
-- ISO week dates: 2024-W05-3, 2024-W05 (its Monday), 2024W053.
CREATE OR REPLACE TEMP MACRO plainsight_isoweek_parts(t) AS
  regexp_extract(t, '^([0-9]{{4}})(-?)W([0-9]{{2}})(?:(-?)([1-7]))?$', ['y', 's1', 'w', 's2', 'd']);
CREATE OR REPLACE TEMP MACRO plainsight_isoweek_day(p) AS CASE
    WHEN p.y = '' OR (p.d <> '' AND p.s1 <> p.s2) THEN NULL
    ELSE make_date(CAST(p.y AS BIGINT), 1, 4) + CAST((CAST(p.w AS INTEGER) - 1) * 7
      + coalesce(TRY_CAST(p.d AS INTEGER), 1) - isodow(make_date(CAST(p.y AS BIGINT), 1, 4)) AS INTEGER)
  END;
-- Week 53 of a year with 52 weeks is no date.
CREATE OR REPLACE TEMP MACRO plainsight_isoweek_checked(p, x) AS
  CASE WHEN isoyear(x) = CAST(p.y AS BIGINT) THEN x END;
CREATE OR REPLACE TEMP MACRO plainsight_isoweek(t) AS
  plainsight_isoweek_checked(plainsight_isoweek_parts(t), plainsight_isoweek_day(plainsight_isoweek_parts(t)));
CREATE OR REPLACE TEMP MACRO plainsight_datetime(t, ord) AS
  make_timestamp(plainsight_micros_of(plainsight_date_fields(t), ord));
-- Values as Plainsight shows them as text (numbers without exponent, 1.0 as 1).
CREATE OR REPLACE TEMP MACRO plainsight_unexponent(p) AS p.sign || CASE
    WHEN CAST(p.e AS INTEGER) >= 0 AND length(p.d || p.f) > CAST(p.e AS INTEGER) + 1
      THEN left(p.d || p.f, CAST(p.e AS INTEGER) + 1) || '.' || substring(p.d || p.f, CAST(p.e AS INTEGER) + 2)
    WHEN CAST(p.e AS INTEGER) >= 0 THEN rpad(p.d || p.f, CAST(p.e AS INTEGER) + 1, '0')
    ELSE '0.' || repeat('0', -CAST(p.e AS INTEGER) - 1) || p.d || p.f
  END;
CREATE OR REPLACE TEMP MACRO plainsight_float_text(x) AS CASE
    WHEN isnan(x) THEN 'NaN'
    WHEN isinf(x) THEN CASE WHEN x > 0 THEN 'inf' ELSE '-inf' END
    WHEN contains(CAST(x AS VARCHAR), 'e') THEN plainsight_unexponent(regexp_extract(CAST(x AS VARCHAR),
      '^(-?)([0-9])(?:\.([0-9]+))?e([+-][0-9]+)$', ['sign', 'd', 'f', 'e']))
    ELSE regexp_replace(CAST(x AS VARCHAR), '\.0$', '')
  END;
CREATE OR REPLACE TEMP MACRO plainsight_datetime_text(x) AS strftime(x, '%Y-%m-%dT%H:%M:%S') || CASE
    WHEN epoch_us(x) % 1000000 = 0 THEN ''
    WHEN epoch_us(x) % 1000 = 0 THEN '.' || lpad(CAST(((epoch_us(x) % 1000000 + 1000000) % 1000000) // 1000 AS VARCHAR), 3, '0')
    ELSE '.' || lpad(CAST((epoch_us(x) % 1000000 + 1000000) % 1000000 AS VARCHAR), 6, '0')
  END;
-- Sums that come out the same whatever order DuckDB adds the rows in: each
-- value is cut into parts on fixed binary grids (Rump, Ogita and Oishi's
-- error-free extraction; the grids follow from the largest magnitude and the
-- count); each grid's parts add up exactly in any order, so the total is
-- rounded once, as Plainsight's compensated sum is.
CREATE OR REPLACE TEMP MACRO plainsight_grid(m, n) AS
  pow(2.0, ceil(log2(greatest(m, pow(2.0, -1000)))) + ceil(log2(greatest(n, 1))) + 2);
CREATE OR REPLACE TEMP MACRO plainsight_shrink(n) AS pow(2.0, ceil(log2(greatest(n, 1))) + 2 - 52);
CREATE OR REPLACE TEMP MACRO plainsight_cut(x, s) AS (s + x) - s;
-- numpy's linear interpolation between two sorted neighbours (exact at both ends).
CREATE OR REPLACE TEMP MACRO plainsight_lerp(a, b, t) AS
  CASE WHEN t = 0 OR a = b THEN a WHEN t < 0.5 THEN a + t * (b - a) ELSE b - (1 - t) * (b - a) END;
",
        na = na.join(", ")
    )
}

/// The `read_csv` options for the source file, or why DuckDB cannot read it
/// as Plainsight did.
fn read_options(source: &Dataset) -> Result<(String, String), CleanError> {
    let refuse = |message: String| Err(unsupported("export_sql", 0, message));
    let f = &source.facts;
    if !matches!(f.format, Format::Csv | Format::Tsv) {
        return refuse(
            "the SQL export reads delimited text files (CSV, TSV); export the data as CSV first"
                .to_string(),
        );
    }
    let encoding = match f.encoding.as_str() {
        "UTF-8" | "UTF-8 (BOM)" => "utf-8",
        "UTF-16LE" => "utf-16",
        other => {
            return refuse(format!(
                "DuckDB's CSV reader cannot read {other} text the way Plainsight does; save the file as UTF-8 and export again"
            ))
        }
    };
    let delim = f.delimiter.unwrap_or(',');
    let described = format!(
        "{}, {}, {}",
        match delim {
            ',' => "comma-separated".to_string(),
            '\t' => "tab-separated".to_string(),
            d => format!("separated by '{d}'"),
        },
        if f.has_header {
            "header row"
        } else {
            "no header row"
        },
        f.encoding
    );
    let columns: Vec<String> = (1..=source.width())
        .map(|i| format!("'c{i}': 'VARCHAR'"))
        .collect();
    // Plainsight pads rows with fewer fields than the first with missing
    // cells. DuckDB does so only when asked (null_padding), and then must read
    // on one thread if a quoted field holds a line break: so both only when
    // this file has short rows.
    let short_rows = source.notes.iter().any(|n| n.kind == "short-rows");
    let options = format!(
        "header = false, delim = {}, quote = '\"', escape = '\"', encoding = '{encoding}',\n    auto_detect = false,{} columns = {{{}}}",
        string_lit(&delim.to_string()),
        if short_rows {
            " null_padding = true, parallel = false,"
        } else {
            ""
        },
        columns.join(", ")
    );
    Ok((options, described))
}

/// The day/month order a text column reads in as dates (the order `cast`
/// chooses: inferred from the values, year first when none fits).
fn text_date_order(v: &Values) -> DateOrder {
    let mut inf = Inference::new(false);
    if let Values::Text(x) = v {
        for t in x.iter().flatten() {
            inf.feed(t);
        }
    }
    match inf.decide().kind {
        Kind::Date(o) | Kind::Datetime(o) => o,
        _ => DateOrder::Ymd,
    }
}

/// Whether DuckDB's `lower`/`upper` (one character to one character, no
/// final sigma) give what Rust's full Unicode mappings give on `s`.
fn case_maps_alike(s: &str, case: Case) -> bool {
    let lower_one = |c: char| c.to_lowercase().count() == 1;
    let upper_one = |c: char| c.to_uppercase().count() == 1;
    match case {
        Case::Lower => s.chars().all(lower_one) && !s.contains('Σ'),
        Case::Upper => s.chars().all(upper_one),
        Case::Title => s.split(' ').all(|w| {
            let mut cs = w.chars();
            cs.next().is_none_or(upper_one) && cs.all(lower_one)
        }),
    }
}

/// Statistics a step needs from the column before it.
#[derive(Clone, Copy, PartialEq)]
enum Need {
    /// Count, mean, min, max.
    Basic,
    /// And the quartiles (numpy's linear interpolation).
    Quartiles,
    /// And the sum of squared deviations (for standard deviations).
    Spread,
}

/// One entry of the WITH list: comment lines, then maybe a CTE.
struct Entry {
    comments: Vec<String>,
    cte: Option<(String, String)>,
}

struct Query {
    entries: Vec<Entry>,
    /// The (quoted) CTE holding the table so far.
    prev: String,
    /// The (quoted) row-number column.
    row: String,
}

impl Query {
    fn comment(&mut self, line: String) {
        self.entries.push(Entry {
            comments: vec![comment_text(&line)],
            cte: None,
        });
    }

    fn cte(&mut self, name: &str, body: String) {
        self.entries.push(Entry {
            comments: Vec::new(),
            cte: Some((ident(name), body)),
        });
    }

    /// Adds the step's table; it becomes `prev`.
    fn table(&mut self, name: &str, body: String) {
        self.cte(name, body);
        self.prev = ident(name);
    }

    /// A CTE `name` with one value, `total`: the sum of the column `v` of
    /// `values`, exactly rounded whatever order the rows arrive in (see
    /// `plainsight_cut`).
    fn exact_sum(&mut self, name: &str, values: &str) {
        self.cte(
            name,
            format!(
                "  SELECT CASE WHEN isfinite(any_value(s1)) THEN sum(q1) + (sum(q2) + (sum(q3) + (sum(q4) + sum(r4))))
    ELSE sum(v) END AS total
  FROM (
    SELECT v, s1, plainsight_cut(v, s1) AS q1, v - q1 AS r1,
      plainsight_cut(r1, s1 * f) AS q2, r1 - q2 AS r2,
      plainsight_cut(r2, s1 * f * f) AS q3, r2 - q3 AS r3,
      plainsight_cut(r3, s1 * f * f * f) AS q4, r3 - q4 AS r4
    FROM {values},
      (SELECT plainsight_grid(max(abs(v)), count(v)) AS s1, plainsight_shrink(count(v)) AS f FROM {values})
  )"
            ),
        );
    }

    /// Statistics of `column` of `prev` as a CTE with the columns n, mean,
    /// minimum, maximum, and p25, p50, p75 or m2 when needed, computed as
    /// Plainsight computes them (exactly rounded sums; quartiles by numpy's
    /// linear interpolation). Returns the CTE's name.
    fn stats(&mut self, n: usize, column: &str, need: Need) -> String {
        let values = ident(&format!("step_{n}_values"));
        let x = format!("CAST({} AS DOUBLE)", ident(column));
        let ranked = if need == Need::Quartiles {
            ", row_number() OVER (ORDER BY v) - 1 AS i, count(*) OVER () AS c"
        } else {
            ""
        };
        self.cte(
            &format!("step_{n}_values"),
            format!(
                "  SELECT v{ranked}\n  FROM (SELECT {x} AS v FROM {}) WHERE v IS NOT NULL",
                self.prev
            ),
        );
        let sum = ident(&format!("step_{n}_sum"));
        self.exact_sum(&format!("step_{n}_sum"), &values);
        let mut cols = vec![
            "count(v) AS n".to_string(),
            format!("(SELECT total FROM {sum}) / count(v) AS mean"),
            "min(v) AS minimum".to_string(),
            "max(v) AS maximum".to_string(),
        ];
        if need == Need::Quartiles {
            for (q, name) in [("0.25", "p25"), ("0.5", "p50"), ("0.75", "p75")] {
                cols.push(format!(
                    "plainsight_lerp(max(v) FILTER (WHERE i = floor((c - 1) * {q})), max(v) FILTER (WHERE i = floor((c - 1) * {q}) + 1),\n      CAST((count(v) - 1) * {q} - floor((count(v) - 1) * {q}) AS DOUBLE)) AS {name}"
                ));
            }
        }
        let stats = ident(&format!("step_{n}_stats"));
        self.cte(
            &format!("step_{n}_stats"),
            format!("  SELECT {}\n  FROM {values}", cols.join(",\n    ")),
        );
        if need != Need::Spread {
            return stats;
        }
        // The sum of squared deviations from the mean.
        let deviations = ident(&format!("step_{n}_deviations"));
        self.cte(
            &format!("step_{n}_deviations"),
            format!(
                "  SELECT (v - mean) * (v - mean) AS v\n  FROM {values}, (SELECT mean FROM {stats})"
            ),
        );
        let squares = ident(&format!("step_{n}_squares"));
        self.exact_sum(&format!("step_{n}_squares"), &deviations);
        self.cte(
            &format!("step_{n}_spread"),
            format!("  SELECT *, (SELECT total FROM {squares}) AS m2 FROM {stats}"),
        );
        ident(&format!("step_{n}_spread"))
    }

    /// Entries `range` alone, without the commas that join them into the
    /// whole query (the page shows one step's part).
    fn render_part(&self, range: std::ops::Range<usize>) -> String {
        let mut out = String::new();
        for e in self.entries.get(range).unwrap_or_default() {
            for c in &e.comments {
                out.push_str(format!("-- {c}").trim_end());
                out.push('\n');
            }
            if let Some((name, body)) = &e.cte {
                out.push_str(&format!("{name} AS (\n{body}\n)\n"));
            }
        }
        out
    }

    fn render(&self) -> String {
        let last = self.entries.iter().rposition(|e| e.cte.is_some());
        let mut out = String::from("WITH\n");
        for (i, e) in self.entries.iter().enumerate() {
            for c in &e.comments {
                out.push_str(format!("-- {c}").trim_end());
                out.push('\n');
            }
            if let Some((name, body)) = &e.cte {
                out.push_str(&format!(
                    "{name} AS (\n{body}\n){}\n",
                    if Some(i) == last { "" } else { "," }
                ));
            }
        }
        out.push_str(&format!(
            "SELECT * EXCLUDE ({row}) FROM {prev} ORDER BY {row};\n",
            row = self.row,
            prev = self.prev
        ));
        out
    }
}

/// `SELECT * REPLACE (...)` of `prev`.
fn replace_body(prev: &str, items: &[(String, String)]) -> String {
    let list: Vec<String> = items
        .iter()
        .map(|(expr, name)| format!("{expr} AS {}", ident(name)))
        .collect();
    format!(
        "  SELECT * REPLACE (\n    {}\n  )\n  FROM {prev}",
        list.join(",\n    ")
    )
}

/// `prev` without `columns`.
fn exclude_body(prev: &str, columns: &[String]) -> String {
    let list: Vec<String> = columns.iter().map(|c| ident(c)).collect();
    format!("  SELECT * EXCLUDE ({}) FROM {prev}", list.join(", "))
}

/// An explicit `SELECT row, ...` of `prev`: each item an expression and its
/// name (None: the column of that name, unchanged).
fn select_body(row: &str, prev: &str, items: &[(Option<String>, String)]) -> String {
    let mut out = format!("  SELECT {row}");
    for (expr, name) in items {
        out.push_str(",\n    ");
        match expr {
            Some(e) => out.push_str(&format!("{e} AS {}", ident(name))),
            None => out.push_str(&ident(name)),
        }
    }
    out.push_str(&format!("\n  FROM {prev}"));
    out
}

fn index(ds: &Dataset, column: &str) -> Result<usize, CleanError> {
    super::apply::index_of(ds, "export_sql", column)
}

fn values(ds: &Dataset, i: usize) -> Result<Values, CleanError> {
    Values::of(ds, i).ok_or_else(|| CleanError::Internal {
        message: format!("column {i} is not readable"),
    })
}

/// A date or datetime column read as Plainsight read it, by its format:
/// numbers in a day/month order, month names, ISO weeks, Unix times or
/// spreadsheet serial days.
fn date_expr(t: &str, ty: ColumnType, format: Option<&str>, order: &str) -> String {
    let format = format.unwrap_or("");
    let date = ty == ColumnType::Date;
    match format {
        "Unix seconds" => format!("make_timestamp(plainsight_int({t}) * 1000000)"),
        "Unix milliseconds" => format!("make_timestamp(plainsight_int({t}) * 1000)"),
        "spreadsheet serial days" if date => {
            format!("CAST(DATE '1899-12-30' + CAST(plainsight_float({t}) AS INTEGER) AS DATE)")
        }
        "spreadsheet serial days" => format!(
            "make_timestamp(CAST(round((plainsight_float({t}) - 25569) * 86400000000) AS BIGINT))"
        ),
        f if f.contains("%G") => format!("plainsight_isoweek({t})"),
        f if f.contains("%b") || f.contains("%B") => {
            if date {
                format!("plainsight_day_of(plainsight_named_fields({t}), 'ymd')")
            } else {
                format!("make_timestamp(plainsight_micros_of(plainsight_named_fields({t}), 'ymd'))")
            }
        }
        _ if date => format!("plainsight_date({t}, '{order}')"),
        _ => format!("plainsight_datetime({t}, '{order}')"),
    }
}

/// The table of `source` typed as Plainsight typed it.
fn source_body(source: &Dataset, row: &str) -> String {
    let names = source.names();
    let mut items = Vec::with_capacity(names.len());
    for (i, name) in names.iter().enumerate() {
        let c = format!("\"c{}\"", i + 1);
        let t = format!("plainsight_trim({c})");
        let order = || {
            let f = source
                .date_formats
                .get(i)
                .cloned()
                .flatten()
                .unwrap_or_default();
            if f.starts_with("%d") {
                "dmy"
            } else if f.starts_with("%m") {
                "mdy"
            } else {
                "ymd"
            }
        };
        let decimal_comma = source
            .notes
            .iter()
            .any(|n| n.kind == "decimal-comma" && n.column.as_deref() == Some(name.as_str()));
        let expr = match source.types.get(i).copied().unwrap_or(ColumnType::String) {
            ColumnType::String => format!("plainsight_text({c})"),
            ColumnType::Integer => format!("plainsight_int({t})"),
            ColumnType::Float if decimal_comma => format!("plainsight_float_comma({t})"),
            ColumnType::Float => format!("plainsight_float({t})"),
            ColumnType::Boolean => format!("plainsight_bool({t})"),
            ColumnType::Date | ColumnType::Datetime => date_expr(
                &t,
                source.types.get(i).copied().unwrap_or(ColumnType::Date),
                source.date_formats.get(i).cloned().flatten().as_deref(),
                order(),
            ),
        };
        items.push(format!("{expr} AS {}", ident(name)));
    }
    let mut body = format!("  SELECT {row}");
    for item in items {
        body.push_str(",\n    ");
        body.push_str(&item);
    }
    body.push_str("\n  FROM \"raw\"");
    if source.facts.has_header {
        body.push_str(&format!("\n  WHERE {row} > 1"));
    }
    body
}

/// Checks that DuckDB can tell the columns apart: it matches names without
/// regard to case.
fn check_names(ds: &Dataset, n: usize, op: &str) -> Result<(), CleanError> {
    let mut seen = HashSet::new();
    for name in ds.names() {
        if !seen.insert(name.to_lowercase()) {
            return Err(unsupported(
                op,
                n,
                format!(
                    "DuckDB does not tell column names apart by case, and \"{name}\" differs from another column only by case; rename one of them first"
                ),
            ));
        }
    }
    Ok(())
}

/// The recipe as DuckDB SQL that, run next to the raw file `file_name`
/// (the file `source` was read from), returns the cleaned table:
/// the same columns in the same order and the same rows in the same order
/// as `run(source, steps)`. Fails like `run` when a step cannot run, and
/// names the step when DuckDB cannot reproduce it on this data.
/// The query of a recipe as it is built: its entries, which entries each
/// step wrote, how the file is read, and the tables before and after the
/// last step with its report.
struct Built {
    q: Query,
    steps: Vec<std::ops::Range<usize>>,
    described: String,
    last: Option<(Dataset, Dataset, StepReport)>,
}

/// Runs `steps` on `source`, writing each step's SQL as it runs on the data
/// (only the tables before and after it are kept).
fn build(source: &Dataset, file_name: &str, steps: &[Step]) -> Result<Built, CleanError> {
    let (options, described) = read_options(source)?;
    check_names(source, 0, "export_sql")?;
    // The row-number column: a name no table of the run can have. Names the
    // steps make up (one-hot, date parts, flags, snake_case, `_2`) end with
    // a letter or digit, so only the file's names and renames can clash.
    let taken: HashSet<String> = source
        .names()
        .into_iter()
        .chain(steps.iter().filter_map(|s| match s {
            Step::Rename { to, .. } => Some(to.clone()),
            _ => None,
        }))
        .map(|n| n.to_lowercase())
        .collect();
    let row_name = (1..)
        .map(|k| {
            if k == 1 {
                "__row__".to_string()
            } else {
                format!("__row{k}__")
            }
        })
        .find(|n| !taken.contains(n))
        .unwrap_or_default();
    let mut q = Query {
        entries: Vec::new(),
        prev: ident("source"),
        row: ident(&row_name),
    };
    q.comment("The raw file, every field as text, numbered in file order.".to_string());
    q.cte(
        "raw",
        format!(
            "  SELECT row_number() OVER () AS {}, *\n  FROM read_csv({},\n    {options})",
            q.row,
            string_lit(file_name)
        ),
    );
    q.comment(format!(
        "Column names{} and types as Plainsight read them from this file.",
        if source.facts.has_header {
            " (from the header row)"
        } else {
            ""
        }
    ));
    q.cte("source", source_body(source, &q.row));
    let mut before = source.clone();
    let mut spans = Vec::with_capacity(steps.len());
    let mut last = None;
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        let mut after = before.clone();
        let report = apply(&mut after, step).map_err(|e| e.at_step(n))?;
        check_names(&after, n, step.op())?;
        q.comment(String::new());
        let start = q.entries.len();
        q.comment(format!("Step {n}: {}", step.describe()));
        step_sql(&mut q, n, step, &before, &after)?;
        spans.push(start..q.entries.len());
        if n == steps.len() {
            last = Some((before, after, report));
            break;
        }
        before = after;
    }
    Ok(Built {
        q,
        steps: spans,
        described,
        last,
    })
}

/// The last of a recipe's steps: its SQL (its part of [`to_sql`]'s
/// query: the tables it adds, reading the one before it), the data before
/// and after it, and its report (which rows it kept).
pub struct LastStep {
    pub sql: String,
    pub before: Dataset,
    pub after: Dataset,
    pub report: StepReport,
}

/// The last of `steps` as [`LastStep`] — one run of the steps gives all of
/// it, for the page's before/after view of a step.
pub fn last_step_sql(
    source: &Dataset,
    file_name: &str,
    steps: &[Step],
) -> Result<LastStep, CleanError> {
    let Built {
        q,
        steps: spans,
        last,
        ..
    } = build(source, file_name, steps)?;
    let (Some(span), Some((before, after, report))) = (spans.last(), last) else {
        return Err(CleanError::Internal {
            message: "no step to write as SQL".to_string(),
        });
    };
    Ok(LastStep {
        sql: q.render_part(span.clone()),
        before,
        after,
        report,
    })
}

pub fn to_sql(source: &Dataset, file_name: &str, steps: &[Step]) -> Result<String, CleanError> {
    let Built { q, described, .. } = build(source, file_name, steps)?;
    let mut out = String::new();
    out.push_str(&format!(
        "-- Plainsight cleaning recipe as DuckDB SQL (recipe schema version {SCHEMA_VERSION}, {} step{}).\n",
        steps.len(),
        if steps.len() == 1 { "" } else { "s" }
    ));
    out.push_str(
        "-- It reads the raw file and returns the cleaned table: the same columns, rows\n\
         -- and row order as Plainsight's own run of the recipe on that file.\n\
         --\n",
    );
    out.push_str(&format!(
        "-- Raw file: {} ({described}).\n",
        comment_text(file_name)
    ));
    out.push_str(
        "-- Use that same file, or one laid out the same way with the same columns: the\n\
         -- column names and types below are the ones Plainsight found in it, and the\n\
         -- choices marked \"frozen\" were made on it. Statistics (means, medians,\n\
         -- quartiles, bounds) are computed by the query, so they follow the data.\n\
         --\n\
         -- Run it where the path above finds the file:  duckdb < recipe.sql\n\
         -- or in Python:  duckdb.sql(open(\"recipe.sql\").read())\n\
         -- (DuckDB 1.3 or later with its default collation; the last statement is\n\
         -- the result: add COPY (...) TO 'clean.parquet' around it to save it.)\n\
         --\n\
         -- Known differences from Plainsight: files that are not UTF-8 or UTF-16LE are\n\
         -- refused; DuckDB rejects a quoted field followed by more text (\"ab\"cd), which\n\
         -- Plainsight reads as abcd; rows with fewer fields than the header are\n\
         -- read only if this file had some (null_padding below); lines longer than\n\
         -- DuckDB's max_line_size (2 MB) need that option raised; the export refuses\n\
         -- change_case on text whose case mapping changes the number of characters\n\
         -- (ß, İ, final Σ), as DuckDB maps one character to one.\n\
         --\n\
         -- Steps:\n",
    );
    for (i, s) in steps.iter().enumerate() {
        out.push_str(&format!(
            "--   {}. {}\n",
            i + 1,
            comment_text(&s.describe())
        ));
    }
    if steps.is_empty() {
        out.push_str("--   (none: the file as Plainsight reads it)\n");
    }
    out.push('\n');
    out.push_str(&macros());
    out.push('\n');
    out.push_str(&q.render());
    Ok(out)
}

/// Adds the CTEs of step `n` (1-based), which turned `before` into `after`.
fn step_sql(
    q: &mut Query,
    n: usize,
    step: &Step,
    before: &Dataset,
    after: &Dataset,
) -> Result<(), CleanError> {
    let name = format!("step_{n}");
    let prev = q.prev.clone();
    let nothing = |q: &mut Query, why: &str| q.comment(format!("Nothing to do: {why}."));
    match step {
        Step::DropMissingRows { columns } => {
            let cols = if columns.is_empty() {
                before.names()
            } else {
                columns.clone()
            };
            if cols.is_empty() {
                nothing(q, "the table has no columns");
                return Ok(());
            }
            let conds: Vec<String> = cols
                .iter()
                .map(|c| format!("{} IS NOT NULL", ident(c)))
                .collect();
            q.table(
                &name,
                format!(
                    "  SELECT * FROM {prev}\n  WHERE {}",
                    conds.join("\n    AND ")
                ),
            );
        }
        Step::DropSparseColumns { max_missing } => {
            let kept: HashSet<String> = after.names().into_iter().collect();
            let removed: Vec<String> = before
                .names()
                .into_iter()
                .filter(|c| !kept.contains(c))
                .collect();
            if removed.is_empty() {
                nothing(
                    q,
                    &format!(
                        "no column of this file is more than {}% missing (frozen)",
                        max_missing * 100.0
                    ),
                );
                return Ok(());
            }
            q.comment(format!(
                "Frozen: the columns more than {}% missing in this file.",
                max_missing * 100.0
            ));
            q.table(&name, exclude_body(&prev, &removed));
        }
        Step::FillMissing { column, fill } => {
            let i = index(before, column)?;
            let c = ident(column);
            let value = match fill {
                Fill::Mean | Fill::Median => {
                    if values(before, i)?.missing() == before.height() {
                        nothing(q, "the column has no values to compute from");
                        return Ok(());
                    }
                    let (need, stat) = if *fill == Fill::Mean {
                        (Need::Basic, "mean")
                    } else {
                        (Need::Quartiles, "p50")
                    };
                    let s = q.stats(n, column, need);
                    format!("coalesce(CAST({c} AS DOUBLE), (SELECT {stat} FROM {s}))")
                }
                Fill::Mode => format!(
                    "coalesce({c}, (SELECT {c} FROM {prev} WHERE {c} IS NOT NULL\n      GROUP BY {c} ORDER BY count(*) DESC, {c} LIMIT 1))"
                ),
                Fill::Constant { value } => {
                    let ty = before.types[i];
                    let lit = typed_lit(ty, value).ok_or_else(|| CleanError::Internal {
                        message: format!("\"{value}\" does not read as {}", ty.as_str()),
                    })?;
                    format!("coalesce({c}, {lit})")
                }
                Fill::Forward => format!(
                    "coalesce({c}, last_value({c} IGNORE NULLS) OVER (ORDER BY {row} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING))",
                    row = q.row
                ),
                Fill::Backward => format!(
                    "coalesce({c}, first_value({c} IGNORE NULLS) OVER (ORDER BY {row} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING))",
                    row = q.row
                ),
            };
            q.table(&name, replace_body(&prev, &[(value, column.clone())]));
        }
        Step::DropDuplicates => {
            let cols: Vec<String> = before.names().iter().map(|c| ident(c)).collect();
            let partition = if cols.is_empty() {
                String::new()
            } else {
                format!("PARTITION BY {} ", cols.join(", "))
            };
            q.table(
                &name,
                format!(
                    "  SELECT * FROM {prev}\n  QUALIFY row_number() OVER ({partition}ORDER BY {}) = 1",
                    q.row
                ),
            );
        }
        Step::Trim { columns } => {
            let targets: Vec<String> = if columns.is_empty() {
                before
                    .names()
                    .into_iter()
                    .zip(&before.types)
                    .filter(|(_, t)| **t == ColumnType::String)
                    .map(|(c, _)| c)
                    .collect()
            } else {
                columns.clone()
            };
            if targets.is_empty() {
                nothing(q, "no text columns");
                return Ok(());
            }
            let items: Vec<(String, String)> = targets
                .iter()
                .map(|c| (format!("plainsight_trim_all({})", ident(c)), c.clone()))
                .collect();
            q.table(&name, replace_body(&prev, &items));
        }
        Step::ChangeCase { column, case } => {
            let i = index(before, column)?;
            if let Values::Text(v) = values(before, i)? {
                if let Some(bad) = v.iter().flatten().find(|s| !case_maps_alike(s, *case)) {
                    return Err(unsupported(
                        step.op(),
                        n,
                        format!(
                            "DuckDB changes case one character at a time, so \"{bad}\" in {column} would come out differently; the SQL export cannot reproduce this step"
                        ),
                    ));
                }
            }
            let c = ident(column);
            let expr = match case {
                Case::Lower => format!("lower({c})"),
                Case::Upper => format!("upper({c})"),
                Case::Title => format!(
                    "array_to_string(list_transform(string_split({c}, ' '),\n      lambda w: upper(substring(w, 1, 1)) || lower(substring(w, 2))), ' ')"
                ),
            };
            q.table(&name, replace_body(&prev, &[(expr, column.clone())]));
        }
        Step::MergeValues(Merge { column, groups }) => {
            // A spelling in two groups goes to the first (as in `apply`).
            let mut seen = HashSet::new();
            let arms: Vec<String> = groups
                .iter()
                .filter_map(|g| {
                    let list: Vec<String> = g
                        .values
                        .iter()
                        .filter(|v| seen.insert(v.as_str()))
                        .map(|v| string_lit(v))
                        .collect();
                    (!list.is_empty()).then(|| {
                        format!(
                            "WHEN {} IN ({}) THEN {}",
                            ident(column),
                            list.join(", "),
                            string_lit(&g.into)
                        )
                    })
                })
                .collect();
            if arms.is_empty() {
                nothing(q, "no values to merge");
                return Ok(());
            }
            let expr = format!(
                "CASE {}\n    ELSE {} END",
                arms.join("\n    "),
                ident(column)
            );
            q.table(&name, replace_body(&prev, &[(expr, column.clone())]));
        }
        Step::NormaliseNames => {
            let items: Vec<(Option<String>, String)> = before
                .names()
                .iter()
                .zip(after.names())
                .map(|(old, new)| (Some(ident(old)), new))
                .collect();
            q.table(&name, select_body(&q.row, &prev, &items));
        }
        Step::Cast { column, to } => {
            let i = index(before, column)?;
            let from = before.types[i];
            let c = ident(column);
            let t = format!("plainsight_trim({c})");
            let expr = match (from, *to) {
                (a, b) if a == b => {
                    nothing(q, &format!("{column} is already {}", to.as_str()));
                    return Ok(());
                }
                (ColumnType::Integer, ColumnType::String) => format!("CAST({c} AS VARCHAR)"),
                (ColumnType::Float, ColumnType::String) => format!("plainsight_float_text({c})"),
                (ColumnType::Boolean, ColumnType::String) => format!("CAST({c} AS VARCHAR)"),
                (ColumnType::Date, ColumnType::String) => format!("strftime({c}, '%Y-%m-%d')"),
                (ColumnType::Datetime, ColumnType::String) => {
                    format!("plainsight_datetime_text({c})")
                }
                (ColumnType::String, ColumnType::Integer) => format!("plainsight_int({t})"),
                (ColumnType::String, ColumnType::Float) => format!("plainsight_float({t})"),
                (ColumnType::String, ColumnType::Boolean) => format!("plainsight_bool_loose({t})"),
                (ColumnType::String, ColumnType::Date | ColumnType::Datetime) => {
                    let order = order_name(text_date_order(&values(before, i)?));
                    q.comment(format!(
                        "Frozen: the values of {column} read day/month as '{order}' in this file."
                    ));
                    if *to == ColumnType::Date {
                        format!("plainsight_date({t}, '{order}')")
                    } else {
                        format!("plainsight_datetime({t}, '{order}')")
                    }
                }
                (ColumnType::Integer, ColumnType::Float) | (ColumnType::Boolean, ColumnType::Float) => {
                    format!("CAST({c} AS DOUBLE)")
                }
                (ColumnType::Integer, ColumnType::Boolean) => {
                    format!("CASE {c} WHEN 0 THEN false WHEN 1 THEN true END")
                }
                (ColumnType::Float, ColumnType::Integer) => format!(
                    "CASE WHEN {c} = trunc({c}) AND {c} BETWEEN -9007199254740992 AND 9007199254740992 THEN CAST({c} AS BIGINT) END"
                ),
                (ColumnType::Boolean, ColumnType::Integer) => format!("CAST({c} AS BIGINT)"),
                (ColumnType::Date, ColumnType::Datetime) => format!("CAST({c} AS TIMESTAMP)"),
                (ColumnType::Datetime, ColumnType::Date) => format!("CAST({c} AS DATE)"),
                (a, b) => {
                    return Err(CleanError::Internal {
                        message: format!("no SQL for a cast from {} to {}", a.as_str(), b.as_str()),
                    })
                }
            };
            q.table(&name, replace_body(&prev, &[(expr, column.clone())]));
        }
        Step::Outliers {
            column,
            rule,
            action,
        } => {
            let i = index(before, column)?;
            if values(before, i)?.missing() == before.height() {
                nothing(q, "the column has no values");
                return Ok(());
            }
            if *action == OutlierAction::Cap && after.types[i] != ColumnType::Float {
                nothing(
                    q,
                    &format!(
                        "no value of {column} is an outlier in this file, so Plainsight keeps its whole numbers (frozen)"
                    ),
                );
                return Ok(());
            }
            let need = match rule {
                OutlierRule::Iqr { .. } => Need::Quartiles,
                OutlierRule::Zscore { .. } => Need::Spread,
            };
            let s = q.stats(n, column, need);
            let bounds = match rule {
                OutlierRule::Iqr { k } => format!(
                    "p25 - {k} * (p75 - p25) AS lo, p75 + {k} * (p75 - p25) AS hi\n  FROM {s}",
                    k = float_lit(*k)
                ),
                // The sample standard deviation (none for one value).
                OutlierRule::Zscore { threshold } => format!(
                    "mean - {t} * std AS lo, mean + {t} * std AS hi\n  FROM (SELECT mean, CASE WHEN n > 1 THEN sqrt(m2 / (n - 1)) END AS std FROM {s})",
                    t = float_lit(*threshold)
                ),
            };
            let b = ident(&format!("step_{n}_bounds"));
            q.cte(&format!("step_{n}_bounds"), format!("  SELECT {bounds}"));
            let v = format!("CAST({} AS DOUBLE)", ident(column));
            let (lo, hi) = (
                format!("(SELECT lo FROM {b})"),
                format!("(SELECT hi FROM {b})"),
            );
            let outside = format!("coalesce({v} < {lo} OR {v} > {hi}, false)");
            match action {
                OutlierAction::Flag => {
                    let flag_name = after.names().get(i + 1).cloned().unwrap_or_default();
                    let mut items: Vec<(Option<String>, String)> =
                        before.names().into_iter().map(|c| (None, c)).collect();
                    items.insert(
                        i + 1,
                        (
                            Some(format!(
                                "CASE WHEN {} IS NULL THEN NULL ELSE {outside} END",
                                ident(column)
                            )),
                            flag_name,
                        ),
                    );
                    q.table(&name, select_body(&q.row, &prev, &items));
                }
                OutlierAction::Cap => {
                    let expr = format!(
                        "CASE WHEN {v} < {lo} THEN {lo} WHEN {v} > {hi} THEN {hi} ELSE {v} END"
                    );
                    q.table(&name, replace_body(&prev, &[(expr, column.clone())]));
                }
                OutlierAction::Remove => {
                    q.table(
                        &name,
                        format!(
                            "  SELECT * FROM {prev}\n  WHERE {} IS NULL OR NOT {outside}",
                            ident(column)
                        ),
                    );
                }
            }
        }
        Step::OneHot {
            column,
            max_categories,
        } => {
            let i = index(before, column)?;
            let ty = before.types[i];
            let cats = categories(&values(before, i)?);
            let kept: Vec<&String> = cats.iter().take(*max_categories).map(|c| &c.0).collect();
            let other = cats.len() > kept.len();
            super::apply::check_width("one_hot", column, kept.len() + usize::from(other))?;
            q.comment(format!(
                "Frozen: the {} most frequent categor{} of {column} in this file{}.",
                kept.len(),
                if kept.len() == 1 { "y" } else { "ies" },
                if other {
                    "; the rest are \"other\""
                } else {
                    ""
                }
            ));
            let c = ident(column);
            let new_names = after.names();
            let mut items: Vec<(Option<String>, String)> = Vec::new();
            for (k, old) in before.names().into_iter().enumerate() {
                if k != i {
                    items.push((None, old));
                    continue;
                }
                for (j, cat) in kept.iter().enumerate() {
                    let is = shows_as(&c, ty, cat);
                    items.push((
                        Some(format!("CAST(coalesce({is}, false) AS BIGINT)")),
                        new_names.get(i + j).cloned().unwrap_or_default(),
                    ));
                }
                if other {
                    let any: Vec<String> = kept.iter().map(|cat| shows_as(&c, ty, cat)).collect();
                    items.push((
                        Some(format!(
                            "CAST({c} IS NOT NULL AND NOT coalesce({}, false) AS BIGINT)",
                            any.join(" OR ")
                        )),
                        new_names.get(i + kept.len()).cloned().unwrap_or_default(),
                    ));
                }
            }
            q.table(&name, select_body(&q.row, &prev, &items));
        }
        Step::Ordinal { column, order } => {
            let i = index(before, column)?;
            let ty = before.types[i];
            // Code of each category: the last place it has in the order.
            let mut codes: BTreeMap<i64, String> = BTreeMap::new();
            if order.is_empty() {
                // The natural order Plainsight chose, read off its result.
                let (b, a) = (values(before, i)?, values(after, i)?);
                if let Values::Int(codes_after) = &a {
                    for (row, code) in codes_after.iter().enumerate() {
                        if let (Some(code), Some(text)) = (code, b.text(row)) {
                            codes.insert(*code, text);
                        }
                    }
                }
                q.comment(format!(
                    "Frozen: the values of {column} in this file, in their natural order."
                ));
            } else {
                let mut last: BTreeMap<&str, i64> = BTreeMap::new();
                for (k, s) in order.iter().enumerate() {
                    last.insert(s.as_str(), k as i64);
                }
                for (s, k) in last {
                    codes.insert(k, s.to_string());
                }
            }
            let c = ident(column);
            let expr = if codes.is_empty() {
                "CAST(NULL AS BIGINT)".to_string()
            } else {
                let whens: Vec<String> = codes
                    .iter()
                    .map(|(k, s)| format!("WHEN {} THEN {k}", shows_as(&c, ty, s)))
                    .collect();
                format!("CAST(CASE {} END AS BIGINT)", whens.join(" "))
            };
            q.table(&name, replace_body(&prev, &[(expr, column.clone())]));
        }
        Step::Scale { column, method } => {
            let i = index(before, column)?;
            if values(before, i)?.missing() == before.height() {
                nothing(q, "the column has no values");
                return Ok(());
            }
            let (need, center, scale) = match method {
                Scaling::Standard => (Need::Spread, "mean", "sqrt(m2 / n)"),
                Scaling::MinMax => (Need::Basic, "minimum", "maximum - minimum"),
                Scaling::Robust => (Need::Quartiles, "p50", "p75 - p25"),
            };
            let s = q.stats(n, column, need);
            let p = format!("step_{n}_scale");
            q.cte(
                &p,
                format!(
                    "  SELECT {center} AS center,\n    CASE WHEN {scale} = 0 OR NOT isfinite({scale}) THEN 1 ELSE {scale} END AS scale\n  FROM {s}"
                ),
            );
            let p = ident(&p);
            let expr = format!(
                "(CAST({} AS DOUBLE) - (SELECT center FROM {p})) / (SELECT scale FROM {p})",
                ident(column)
            );
            q.table(&name, replace_body(&prev, &[(expr, column.clone())]));
        }
        Step::Transform { column, transform } => {
            // A λ the step fits on the data is fitted here, on this file,
            // as the run fits it.
            let i = index(before, column)?;
            let xs: Vec<f64> = values(before, i)?
                .numbers()
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .collect();
            let fitted = transform.fit(&xs).unwrap_or(*transform);
            if fitted != *transform {
                q.comment(format!(
                    "Frozen: {}, fitted on this file.",
                    fitted.describe()
                ));
            }
            let expr = fitted.sql(&ident(column), float_lit);
            q.table(&name, replace_body(&prev, &[(expr, column.clone())]));
        }
        Step::DropColumns { columns } => {
            if columns.is_empty() {
                nothing(q, "no columns named");
                return Ok(());
            }
            q.table(&name, exclude_body(&prev, columns));
        }
        Step::DateParts { column, parts } => {
            let i = index(before, column)?;
            if parts.is_empty() {
                nothing(q, "no parts asked for");
                return Ok(());
            }
            let c = ident(column);
            let day = if before.types[i] == ColumnType::Datetime {
                format!("CAST({c} AS DATE)")
            } else {
                c.clone()
            };
            let new_names = after.names();
            let mut items: Vec<(Option<String>, String)> =
                before.names().into_iter().map(|c| (None, c)).collect();
            for (j, part) in parts.iter().enumerate() {
                let f = match part {
                    DatePart::Year => format!("year({day})"),
                    DatePart::Quarter => format!("quarter({day})"),
                    DatePart::Month => format!("month({day})"),
                    DatePart::Day => format!("day({day})"),
                    DatePart::Weekday => format!("isodow({day}) - 1"),
                };
                items.insert(
                    i + 1 + j,
                    (
                        Some(format!("CAST({f} AS BIGINT)")),
                        new_names.get(i + 1 + j).cloned().unwrap_or_default(),
                    ),
                );
            }
            q.table(&name, select_body(&q.row, &prev, &items));
        }
        Step::Rename { column, to } => {
            if column == to {
                nothing(q, "the name is unchanged");
                return Ok(());
            }
            q.table(
                &name,
                format!(
                    "  SELECT * RENAME ({} AS {}) FROM {prev}",
                    ident(column),
                    ident(to)
                ),
            );
        }
        Step::Filter {
            column,
            test,
            value,
        } => {
            let i = index(before, column)?;
            let c = ident(column);
            let cond = match test {
                Test::IsMissing => format!("{c} IS NULL"),
                Test::NotMissing => format!("{c} IS NOT NULL"),
                Test::Contains => format!("contains({c}, {})", string_lit(value)),
                _ => {
                    let ty = before.types[i];
                    let lit = typed_lit(ty, value).ok_or_else(|| CleanError::Internal {
                        message: format!("\"{value}\" does not read as {}", ty.as_str()),
                    })?;
                    let op = match test {
                        Test::Eq => "=",
                        Test::Ne => "<>",
                        Test::Lt => "<",
                        Test::Le => "<=",
                        Test::Gt => ">",
                        _ => ">=",
                    };
                    format!("{c} {op} {lit}")
                }
            };
            q.table(&name, format!("  SELECT * FROM {prev}\n  WHERE {cond}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_literals_are_quoted() {
        assert_eq!(ident("Revenue (EUR)"), "\"Revenue (EUR)\"");
        assert_eq!(ident("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(string_lit("O'Brien"), "'O''Brien'");
        assert_eq!(string_lit(""), "''");
        assert_eq!(string_lit("a\tb"), "'a' || chr(9) || 'b'");
        assert_eq!(string_lit("\n"), "chr(10)");
        assert_eq!(string_lit("x\r\n"), "'x' || chr(13) || chr(10)");
        assert_eq!(string_lit("back\\slash"), "'back\\slash'");
    }

    #[test]
    fn typed_literals() {
        assert_eq!(float_lit(0.1), "CAST('0.1' AS DOUBLE)");
        assert_eq!(float_lit(1e300), "CAST('1e300' AS DOUBLE)");
        assert_eq!(float_lit(f64::NEG_INFINITY), "CAST('-inf' AS DOUBLE)");
        assert_eq!(
            typed_lit(ColumnType::Integer, " 42 ").as_deref(),
            Some("CAST(42 AS BIGINT)")
        );
        assert_eq!(typed_lit(ColumnType::Integer, "4.2"), None);
        assert_eq!(
            typed_lit(ColumnType::Date, "2024-05-01").as_deref(),
            Some("DATE '2024-05-01'")
        );
        assert_eq!(
            typed_lit(ColumnType::Datetime, "2024-03-05T14:30:00.25Z").as_deref(),
            Some("TIMESTAMP '2024-03-05 14:30:00.250'")
        );
        assert_eq!(
            typed_lit(ColumnType::Boolean, "Yes").as_deref(),
            Some("true")
        );
        assert_eq!(shows_as("x", ColumnType::Float, "1.50"), "false");
        assert_eq!(
            shows_as("x", ColumnType::Float, "-0"),
            "(x = 0 AND signbit(x))"
        );
        assert_eq!(shows_as("x", ColumnType::Integer, "7"), "x = 7");
    }

    #[test]
    fn case_mappings_that_duckdb_shares() {
        assert!(case_maps_alike("Acme Inc.", Case::Upper));
        assert!(case_maps_alike("Zoë", Case::Lower));
        assert!(!case_maps_alike("straße", Case::Upper));
        assert!(!case_maps_alike("ΟΔΟΣ", Case::Lower));
        assert!(!case_maps_alike("ßa b", Case::Title));
        assert!(case_maps_alike("aß b", Case::Title));
    }
}
