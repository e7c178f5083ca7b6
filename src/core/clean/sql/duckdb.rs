//! The recipe as DuckDB SQL: `TEMP MACRO`s that read cells the way
//! Plainsight does, then the query reading the file with `read_csv`.

use super::{build, comment_text, Built, Layout, DATE_FIELDS, ISO_WEEK, NAMED_DATE};
use crate::core::clean::apply::TRIM_CHARS;
use crate::core::clean::recipe::SCHEMA_VERSION;
use crate::core::clean::{CleanError, Step};
use crate::core::infer::NA_TOKENS;
use crate::core::ingest::Dataset;

use super::Dialect::DuckDb;

/// `read_csv` of `file_name` laid out as `layout`: every field as text.
pub(super) fn read_csv(layout: &Layout, file_name: &str) -> String {
    let columns: Vec<String> = (1..=layout.columns)
        .map(|i| format!("'c{i}': 'VARCHAR'"))
        .collect();
    // Plainsight pads rows with fewer fields than the first with missing
    // cells. DuckDB does so only when asked (null_padding), and then must read
    // on one thread if a quoted field holds a line break: so both only when
    // this file has short rows.
    format!(
        "read_csv({},\n    header = false, delim = {}, quote = '\"', escape = '\"', encoding = '{}',\n    auto_detect = false,{} columns = {{{}}})",
        DuckDb.string_lit(file_name),
        DuckDb.string_lit(&layout.delimiter.to_string()),
        if layout.utf16 { "utf-16" } else { "utf-8" },
        if layout.short_rows {
            " null_padding = true, parallel = false,"
        } else {
            ""
        },
        columns.join(", ")
    )
}

/// The recipe as DuckDB SQL that, run next to the raw file `file_name`
/// (the file `source` was read from), returns the cleaned table:
/// the same columns in the same order and the same rows in the same order
/// as `run(source, steps)`. Fails like `run` when a step cannot run, and
/// names the step when DuckDB cannot reproduce it on this data.
pub fn to_sql(source: &Dataset, file_name: &str, steps: &[Step]) -> Result<String, CleanError> {
    let Built { q, layout, .. } = build(DuckDb, source, file_name, steps)?;
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
        "-- Raw file: {} ({}).\n",
        comment_text(file_name),
        layout.described
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

/// The macros that read cells the way Plainsight does (see `infer.rs`).
fn macros() -> String {
    let na: Vec<String> = NA_TOKENS.iter().map(|t| DuckDb.string_lit(t)).collect();
    let trim_all = DuckDb.string_lit(&TRIM_CHARS.iter().collect::<String>());
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
  '^{DATE_FIELDS}$',
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
  '^{NAMED_DATE}$',
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
  regexp_extract(t, '^{ISO_WEEK}$', ['y', 's1', 'w', 's2', 'd']);
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
