//! What differs between the SQL engines a recipe is written for: quoting,
//! literals, and the few built-ins they spell differently. Everything else
//! the query says goes through the `plainsight_*` functions each engine
//! defines for itself ([`super::duckdb`], [`super::spark`]).

use crate::core::infer::{format_date, format_datetime};

/// The engine a recipe's SQL is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// DuckDB 1.3 or later: one script of macros and a query.
    DuckDb,
    /// Spark SQL 4.3 or later (temporary SQL functions, `* EXCEPT`,
    /// `QUALIFY`), with ANSI mode off and the session time zone UTC, as the
    /// PySpark script sets them.
    Spark,
}

/// Whether the engines read `text` (ISO, from `format_date`) as a literal:
/// years 1 to 9999.
fn plain_year(text: &str) -> bool {
    text.get(..4)
        .is_some_and(|y| y.bytes().all(|b| b.is_ascii_digit()) && y != "0000")
        && text.as_bytes().get(4) == Some(&b'-')
}

impl Dialect {
    /// The engine's name, for comments and messages.
    pub fn engine(self) -> &'static str {
        match self {
            Dialect::DuckDb => "DuckDB",
            Dialect::Spark => "Spark",
        }
    }

    /// The operation named in the errors of an export for this engine.
    pub fn export_op(self) -> &'static str {
        match self {
            Dialect::DuckDb => "export_sql",
            Dialect::Spark => "export_pyspark",
        }
    }

    /// `name` as an identifier: always quoted (DuckDB double quotes, Spark
    /// backticks), inner quotes doubled.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::DuckDb => format!("\"{}\"", name.replace('"', "\"\"")),
            Dialect::Spark => format!("`{}`", name.replace('`', "``")),
        }
    }

    /// `text` as a string literal: single-quoted (inner quotes doubled; in
    /// Spark, backslashes escaped too); control characters are spliced in
    /// with `chr(n)` so the SQL stays on its lines and survives any editor.
    pub fn string_lit(self, text: &str) -> String {
        let quote = |run: &str| match self {
            Dialect::DuckDb => format!("'{}'", run.replace('\'', "''")),
            Dialect::Spark => format!("'{}'", run.replace('\\', "\\\\").replace('\'', "''")),
        };
        let mut parts: Vec<String> = Vec::new();
        let mut run = String::new();
        for c in text.chars() {
            if c.is_control() {
                if !run.is_empty() {
                    parts.push(quote(&run));
                    run.clear();
                }
                parts.push(format!("chr({})", c as u32));
            } else {
                run.push(c);
            }
        }
        if !run.is_empty() || parts.is_empty() {
            parts.push(quote(&run));
        }
        parts.join(" || ")
    }

    /// A float as a DOUBLE, exactly (parsed from its round-trip text).
    pub fn float_lit(self, v: f64) -> String {
        let text = if v.is_nan() {
            "NaN".to_string()
        } else if v.is_infinite() {
            if v > 0.0 { "inf" } else { "-inf" }.to_string()
        } else {
            format!("{v:?}")
        };
        format!("CAST('{text}' AS DOUBLE)")
    }

    /// The date `days` after 1970-01-01.
    pub fn date_lit(self, days: i32) -> String {
        let text = format_date(days);
        if plain_year(&text) {
            format!("DATE '{text}'")
        } else {
            self.date_plus_days("DATE '1970-01-01'", &days.to_string())
        }
    }

    /// The datetime `micros` after 1970-01-01T00:00 (no zone).
    pub fn datetime_lit(self, micros: i64) -> String {
        let text = format_datetime(micros);
        if plain_year(&text) && text.as_bytes().get(10) == Some(&b'T') {
            let text = text.replacen('T', " ", 1);
            match self {
                Dialect::DuckDb => format!("TIMESTAMP '{text}'"),
                Dialect::Spark => format!("TIMESTAMP_NTZ '{text}'"),
            }
        } else {
            self.datetime_of_micros(&format!("CAST({micros} AS BIGINT)"))
        }
    }

    /// The text type's name.
    pub fn text_type(self) -> &'static str {
        match self {
            Dialect::DuckDb => "VARCHAR",
            Dialect::Spark => "STRING",
        }
    }

    /// The type of datetimes (no zone).
    pub fn timestamp_type(self) -> &'static str {
        match self {
            Dialect::DuckDb => "TIMESTAMP",
            Dialect::Spark => "TIMESTAMP_NTZ",
        }
    }

    /// The keyword that leaves columns out of `*`.
    pub fn star_except(self) -> &'static str {
        match self {
            Dialect::DuckDb => "EXCLUDE",
            Dialect::Spark => "EXCEPT",
        }
    }

    /// Whether the double `x` is neither infinite nor NaN.
    pub fn is_finite(self, x: &str) -> String {
        match self {
            Dialect::DuckDb => format!("isfinite({x})"),
            Dialect::Spark => format!("(abs({x}) < CAST('inf' AS DOUBLE))"),
        }
    }

    /// Whether the double `x` (a zero) has its sign bit set.
    pub fn sign_bit(self, x: &str) -> String {
        match self {
            Dialect::DuckDb => format!("signbit({x})"),
            Dialect::Spark => format!("startswith(CAST({x} AS STRING), '-')"),
        }
    }

    /// The datetime `micros` (a BIGINT expression) after the epoch.
    pub fn datetime_of_micros(self, micros: &str) -> String {
        match self {
            Dialect::DuckDb => format!("make_timestamp({micros})"),
            Dialect::Spark => format!("CAST(timestamp_micros({micros}) AS TIMESTAMP_NTZ)"),
        }
    }

    /// `date` moved on by `days` (an integer expression).
    pub fn date_plus_days(self, date: &str, days: &str) -> String {
        match self {
            Dialect::DuckDb => format!("({date} + CAST({days} AS INTEGER))"),
            Dialect::Spark => format!("date_add({date}, CAST({days} AS INT))"),
        }
    }

    /// A date as ISO text.
    pub fn date_text(self, x: &str) -> String {
        match self {
            Dialect::DuckDb => format!("strftime({x}, '%Y-%m-%d')"),
            Dialect::Spark => format!("date_format({x}, 'yyyy-MM-dd')"),
        }
    }

    /// The day of the week of a date, Monday 0 to Sunday 6.
    pub fn weekday(self, day: &str) -> String {
        match self {
            Dialect::DuckDb => format!("isodow({day}) - 1"),
            Dialect::Spark => format!("weekday({day})"),
        }
    }

    /// Whether the double `x` is a whole number.
    pub fn is_whole(self, x: &str) -> String {
        match self {
            Dialect::DuckDb => format!("{x} = trunc({x})"),
            Dialect::Spark => format!("{x} % 1 = 0"),
        }
    }

    /// Each space-separated word of `c` with its first character upper case
    /// and the rest lower case.
    pub fn title_case(self, c: &str) -> String {
        match self {
            Dialect::DuckDb => format!(
                "array_to_string(list_transform(string_split({c}, ' '),\n      lambda w: upper(substring(w, 1, 1)) || lower(substring(w, 2))), ' ')"
            ),
            Dialect::Spark => format!(
                "array_join(transform(split({c}, ' ', -1),\n      w -> upper(substring(w, 1, 1)) || lower(substring(w, 2))), ' ')"
            ),
        }
    }

    /// The last non-missing value of `c` in the rows before, by `row`.
    pub fn last_before(self, c: &str, row: &str) -> String {
        let value = match self {
            Dialect::DuckDb => format!("last_value({c} IGNORE NULLS)"),
            Dialect::Spark => format!("last_value({c}, true)"),
        };
        format!("{value} OVER (ORDER BY {row} ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)")
    }

    /// The first non-missing value of `c` in the rows after, by `row`.
    pub fn first_after(self, c: &str, row: &str) -> String {
        let value = match self {
            Dialect::DuckDb => format!("first_value({c} IGNORE NULLS)"),
            Dialect::Spark => format!("first_value({c}, true)"),
        };
        format!("{value} OVER (ORDER BY {row} ROWS BETWEEN 1 FOLLOWING AND UNBOUNDED FOLLOWING)")
    }

    /// The row number of the raw file's rows, 1 for its first line, in file
    /// order.
    pub fn file_row_number(self) -> &'static str {
        match self {
            Dialect::DuckDb => "row_number() OVER ()",
            // Increasing in file order, and 0 for the first line (the first
            // row of the first partition); not consecutive across partitions,
            // which only the order needs.
            Dialect::Spark => "monotonically_increasing_id() + 1",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_and_literals_are_quoted() {
        let d = Dialect::DuckDb;
        assert_eq!(d.ident("Revenue (EUR)"), "\"Revenue (EUR)\"");
        assert_eq!(d.ident("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(d.string_lit("O'Brien"), "'O''Brien'");
        assert_eq!(d.string_lit(""), "''");
        assert_eq!(d.string_lit("a\tb"), "'a' || chr(9) || 'b'");
        assert_eq!(d.string_lit("\n"), "chr(10)");
        assert_eq!(d.string_lit("x\r\n"), "'x' || chr(13) || chr(10)");
        assert_eq!(d.string_lit("back\\slash"), "'back\\slash'");
        let s = Dialect::Spark;
        assert_eq!(s.ident("a`b c"), "`a``b c`");
        assert_eq!(s.string_lit("O'Brien"), "'O''Brien'");
        assert_eq!(s.string_lit("back\\slash"), "'back\\\\slash'");
        assert_eq!(s.string_lit("a\tb"), "'a' || chr(9) || 'b'");
    }

    #[test]
    fn literals() {
        let d = Dialect::DuckDb;
        assert_eq!(d.float_lit(0.1), "CAST('0.1' AS DOUBLE)");
        assert_eq!(d.float_lit(1e300), "CAST('1e300' AS DOUBLE)");
        assert_eq!(d.float_lit(f64::NEG_INFINITY), "CAST('-inf' AS DOUBLE)");
        assert_eq!(d.date_lit(0), "DATE '1970-01-01'");
        assert_eq!(
            Dialect::Spark.datetime_lit(1_000_000),
            "TIMESTAMP_NTZ '1970-01-01 00:00:01'"
        );
        assert_eq!(
            Dialect::Spark.date_lit(-800_000),
            "date_add(DATE '1970-01-01', CAST(-800000 AS INT))"
        );
    }
}
