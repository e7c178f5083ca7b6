//! The recipe as SQL: one query that reads the raw file and returns the
//! cleaned table, with the same columns, rows and row order as
//! [`run`](super::recipe::run) gives on that file, so the same cleaning can
//! run on data that outgrows the browser — in DuckDB ([`duckdb::to_sql`])
//! or in Spark ([`spark::to_pyspark`], a PySpark script around Spark SQL).
//! The query is built once here; [`dialect`] holds what the engines spell
//! differently, and each engine's module its functions and its preamble.
//!
//! Shape of the output: a few functions (`plainsight_*`) that read cells the way
//! Plainsight does (trim, missing tokens, numbers, dates), then one query:
//! a CTE reading the file as text with a row number, a CTE giving each
//! column its inferred type, and one CTE per step. Statistics (means,
//! quantiles, bounds) are computed by the query from the step before, so
//! they follow the data; choices that change the set of columns or their
//! types (one-hot categories, sparse columns, the natural order of an
//! ordinal encoding, the date order of a cast) are frozen from running the
//! recipe on `source`, and marked so in the SQL.

mod dialect;
pub mod duckdb;
mod frozen;
pub mod polars;
pub mod spark;

use std::collections::HashSet;

pub use dialect::Dialect;
pub use duckdb::to_sql;

use super::apply::{apply, StepReport};
use super::step::{Case, DatePart, Fill, OutlierAction, OutlierRule, Scaling, Step, Test};
use super::values::Values;
use super::CleanError;
use crate::core::infer::{
    format_date, format_datetime, parse_date_days, parse_datetime_micros, parse_f64, parse_i64,
    trim_cell, DateOrder, Inference, Kind,
};
use crate::core::ingest::Dataset;
use crate::core::model::{ColumnType, Format};

/// `text` read as a value of type `ty`, as Plainsight reads a constant or
/// a filter value (trimmed; dates year first), as a SQL literal.
fn typed_lit(d: Dialect, ty: ColumnType, text: &str) -> Option<String> {
    let t = trim_cell(text);
    Some(match ty {
        ColumnType::Integer => format!("CAST({} AS BIGINT)", parse_i64(t)?),
        ColumnType::Float => d.float_lit(parse_f64(t)?),
        ColumnType::Boolean => super::apply::parse_bool_loose(t)?.to_string(),
        ColumnType::Date => d.date_lit(parse_date_days(t, DateOrder::Ymd)?),
        ColumnType::Datetime => d.datetime_lit(parse_datetime_micros(t, DateOrder::Ymd)?),
        ColumnType::String => d.string_lit(text),
    })
}

/// A SQL condition: the cell `expr` of type `ty` shows as `text` (the app
/// compares categories by their text). `false` when no value shows so.
fn shows_as(d: Dialect, expr: &str, ty: ColumnType, text: &str) -> String {
    let cond = match ty {
        ColumnType::String => Some(format!("{expr} = {}", d.string_lit(text))),
        ColumnType::Integer => parse_i64(text)
            .filter(|v| v.to_string() == text)
            .map(|v| format!("{expr} = {v}")),
        ColumnType::Float => parse_f64(text).filter(|v| v.to_string() == text).map(|v| {
            if v == 0.0 {
                // 0 and -0 show differently.
                let not = if v.is_sign_negative() { "" } else { "NOT " };
                format!("({expr} = 0 AND {not}{})", d.sign_bit(expr))
            } else {
                format!("{expr} = {}", d.float_lit(v))
            }
        }),
        ColumnType::Boolean => match text {
            "true" => Some(format!("{expr} = true")),
            "false" => Some(format!("{expr} = false")),
            _ => None,
        },
        ColumnType::Date => parse_date_days(text, DateOrder::Ymd)
            .filter(|v| format_date(*v) == text)
            .map(|v| format!("{expr} = {}", d.date_lit(v))),
        ColumnType::Datetime => parse_datetime_micros(text, DateOrder::Ymd)
            .filter(|m| format_datetime(*m) == text)
            .map(|m| format!("{expr} = {}", d.datetime_lit(m))),
    };
    cond.unwrap_or_else(|| "false".to_string())
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

/// A date as numbers (year first, or day/month first with a 4- or 2-digit
/// year), optionally then a time: the groups are a, s1, b, s2, c, tsep, h,
/// mi, s, frac, tz. Unanchored: each engine anchors it its way.
pub(super) const DATE_FIELDS: &str = r"([0-9]{1,4})([-/.])([0-9]{1,2})([-/.])([0-9]{1,4})(?:([T ])([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?(Z|[+-][0-9]{2}:?(?:[0-9]{2})?)?)?";

/// A date with the month as a word, maybe a weekday in front and a time
/// after: the groups are mw1, d1, d2, mw2, y, h, mi, s, frac, tz.
pub(super) const NAMED_DATE: &str = r"(?:[A-Za-z]+\.?,? +)?(?:([A-Za-z]+)\.? +([0-9]{1,2})(?:st|nd|rd|th)?,? +|([0-9]{1,2})(?:st|nd|rd|th)?[ /-]([A-Za-z]+)\.?,?[ /-])([0-9]{4}|[0-9]{2})(?: +([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?(Z|[+-][0-9]{2}:?(?:[0-9]{2})?)?)?";

/// An ISO week date: the groups are y, s1, w, s2, d.
pub(super) const ISO_WEEK: &str = r"([0-9]{4})(-?)W([0-9]{2})(?:(-?)([1-7]))?";

/// An engine the recipe is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// DuckDB SQL.
    DuckDb,
    /// A PySpark script around Spark SQL.
    PySpark,
    /// polars (Python) code.
    Polars,
}

/// The recipe `steps` written for `target`, reading the raw file
/// `file_name` that `source` was read from: the one entry the worker and
/// the CLI call.
pub fn export(
    target: Target,
    source: &Dataset,
    file_name: &str,
    steps: &[Step],
) -> Result<String, CleanError> {
    match target {
        Target::DuckDb => duckdb::to_sql(source, file_name, steps),
        Target::PySpark => spark::to_pyspark(source, file_name, steps),
        Target::Polars => polars::to_polars(source, file_name, steps),
    }
}

/// How the raw file is laid out, as every engine is told to read it.
pub struct Layout {
    pub delimiter: char,
    /// UTF-16 little-endian, else UTF-8 (with or without a BOM).
    pub utf16: bool,
    /// The number of fields of the first row.
    pub columns: usize,
    /// Whether some rows have fewer fields than the first.
    pub short_rows: bool,
    /// In words, for the preamble: "comma-separated, header row, UTF-8".
    pub described: String,
}

impl Layout {
    /// The layout of the file `source` was read from, or why `engine`
    /// cannot read it as Plainsight did (an error of the operation `op`).
    pub(crate) fn of(engine: &str, op: &str, source: &Dataset) -> Result<Layout, CleanError> {
        let refuse = |message: String| Err(unsupported(op, 0, message));
        let f = &source.facts;
        if !matches!(f.format, Format::Csv | Format::Tsv) {
            return refuse(
                "the export reads delimited text files (CSV, TSV); export the data as CSV first"
                    .to_string(),
            );
        }
        let utf16 = match f.encoding.as_str() {
            "UTF-8" | "UTF-8 (BOM)" => false,
            "UTF-16LE" => true,
            other => {
                return refuse(format!(
                    "{engine}'s CSV reader cannot read {other} text the way Plainsight does; save the file as UTF-8 and export again"
                ))
            }
        };
        let delimiter = f.delimiter.unwrap_or(',');
        let described = format!(
            "{}, {}, {}",
            match delimiter {
                ',' => "comma-separated".to_string(),
                '\t' => "tab-separated".to_string(),
                c => format!("separated by '{c}'"),
            },
            if f.has_header {
                "header row"
            } else {
                "no header row"
            },
            f.encoding
        );
        Ok(Layout {
            delimiter,
            utf16,
            columns: source.width(),
            short_rows: source.notes.iter().any(|n| n.kind == "short-rows"),
            described,
        })
    }
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

/// One entry of the WITH list: comment lines, then maybe a table.
struct Entry {
    comments: Vec<String>,
    cte: Option<Cte>,
}

/// A named table of the query (a CTE in one query; a view of its own in
/// the PySpark script).
pub(super) struct Cte {
    /// The name, unquoted.
    pub name: String,
    pub body: String,
    /// A statistic: one row computed from a whole column. The PySpark script
    /// computes it at once (a checkpoint), so each step's plan reads the
    /// step before once rather than once per statistic — nested, that grows
    /// exponentially with the steps and Spark's analyzer gives up.
    pub one_row: bool,
}

struct Query {
    d: Dialect,
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
            cte: Some(Cte {
                name: name.to_string(),
                body,
                one_row: false,
            }),
        });
    }

    /// A table of one row of statistics (see [`Cte::one_row`]).
    fn stat(&mut self, name: &str, body: String) {
        self.cte(name, body);
        if let Some(Entry { cte: Some(c), .. }) = self.entries.last_mut() {
            c.one_row = true;
        }
    }

    /// Adds the step's table; it becomes `prev`.
    fn table(&mut self, name: &str, body: String) {
        self.cte(name, body);
        self.prev = self.d.ident(name);
    }

    /// A CTE `name` with one value, `total`: the sum of the column `v` of
    /// `values`, exactly rounded whatever order the rows arrive in (see
    /// `plainsight_cut`).
    fn exact_sum(&mut self, name: &str, values: &str) {
        self.stat(
            name,
            format!(
                "  SELECT CASE WHEN {finite} THEN sum(q1) + (sum(q2) + (sum(q3) + (sum(q4) + sum(r4))))
    ELSE sum(v) END AS total
  FROM (
    SELECT v, s1, plainsight_cut(v, s1) AS q1, v - q1 AS r1,
      plainsight_cut(r1, s1 * f) AS q2, r1 - q2 AS r2,
      plainsight_cut(r2, s1 * f * f) AS q3, r2 - q3 AS r3,
      plainsight_cut(r3, s1 * f * f * f) AS q4, r3 - q4 AS r4
    FROM {values},
      (SELECT plainsight_grid(max(abs(v)), count(v)) AS s1, plainsight_shrink(count(v)) AS f FROM {values})
  )",
                finite = self.d.is_finite("any_value(s1)")
            ),
        );
    }

    /// Statistics of `column` of `prev` as a CTE with the columns n, mean,
    /// minimum, maximum, and p25, p50, p75 or m2 when needed, computed as
    /// Plainsight computes them (exactly rounded sums; quartiles by numpy's
    /// linear interpolation). Returns the CTE's name.
    fn stats(&mut self, n: usize, column: &str, need: Need) -> String {
        let values = self.d.ident(&format!("step_{n}_values"));
        let x = format!("CAST({} AS DOUBLE)", self.d.ident(column));
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
        let sum = self.d.ident(&format!("step_{n}_sum"));
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
        let stats = self.d.ident(&format!("step_{n}_stats"));
        self.stat(
            &format!("step_{n}_stats"),
            format!("  SELECT {}\n  FROM {values}", cols.join(",\n    ")),
        );
        if need != Need::Spread {
            return stats;
        }
        // The sum of squared deviations from the mean.
        let deviations = self.d.ident(&format!("step_{n}_deviations"));
        self.cte(
            &format!("step_{n}_deviations"),
            format!(
                "  SELECT (v - mean) * (v - mean) AS v\n  FROM {values}, (SELECT mean FROM {stats})"
            ),
        );
        let squares = self.d.ident(&format!("step_{n}_squares"));
        self.exact_sum(&format!("step_{n}_squares"), &deviations);
        self.stat(
            &format!("step_{n}_spread"),
            format!("  SELECT *, (SELECT total FROM {squares}) AS m2 FROM {stats}"),
        );
        self.d.ident(&format!("step_{n}_spread"))
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
            if let Some(c) = &e.cte {
                out.push_str(&format!("{} AS (\n{}\n)\n", self.d.ident(&c.name), c.body));
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
            if let Some(c) = &e.cte {
                out.push_str(&format!(
                    "{} AS (\n{}\n){}\n",
                    self.d.ident(&c.name),
                    c.body,
                    if Some(i) == last { "" } else { "," }
                ));
            }
        }
        out.push_str(&self.final_select());
        out.push_str(";\n");
        out
    }

    /// The last table without the row number, in file order.
    fn final_select(&self) -> String {
        format!(
            "SELECT * {except} ({row}) FROM {prev} ORDER BY {row}",
            except = self.d.star_except(),
            row = self.row,
            prev = self.prev
        )
    }
}

/// `prev` with the columns named in `items` replaced by their expressions
/// (`names`: the columns of `prev`, in order): DuckDB's `SELECT * REPLACE`,
/// in Spark the whole list.
fn replace_body(q: &Query, names: &[String], items: &[(String, String)]) -> String {
    let d = q.d;
    if d == Dialect::Spark {
        let listed: Vec<(Option<String>, String)> = names
            .iter()
            .map(|c| {
                let expr = items.iter().find(|(_, n)| n == c).map(|(e, _)| e.clone());
                (expr, c.clone())
            })
            .collect();
        return select_body(d, &q.row, &q.prev, &listed);
    }
    let list: Vec<String> = items
        .iter()
        .map(|(expr, name)| format!("{expr} AS {}", d.ident(name)))
        .collect();
    format!(
        "  SELECT * REPLACE (\n    {}\n  )\n  FROM {}",
        list.join(",\n    "),
        q.prev
    )
}

/// `prev` without `columns`.
fn exclude_body(d: Dialect, prev: &str, columns: &[String]) -> String {
    let list: Vec<String> = columns.iter().map(|c| d.ident(c)).collect();
    format!(
        "  SELECT * {} ({}) FROM {prev}",
        d.star_except(),
        list.join(", ")
    )
}

/// An explicit `SELECT row, ...` of `prev`: each item an expression and its
/// name (None: the column of that name, unchanged).
fn select_body(d: Dialect, row: &str, prev: &str, items: &[(Option<String>, String)]) -> String {
    let mut out = format!("  SELECT {row}");
    for (expr, name) in items {
        out.push_str(",\n    ");
        match expr {
            Some(e) => out.push_str(&format!("{e} AS {}", d.ident(name))),
            None => out.push_str(&d.ident(name)),
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

/// How a column of the source is read, by its type and, for dates, the
/// format Plainsight chose: one decision for every export.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Read {
    Text,
    Integer,
    Float {
        decimal_comma: bool,
    },
    Boolean,
    /// Numbers, day/month in `order` ("ymd", "dmy", "mdy"); `date`: no time.
    Numbers {
        date: bool,
        order: &'static str,
    },
    /// The month as a word.
    Named {
        date: bool,
    },
    IsoWeek,
    /// Unix time: so many microseconds per unit.
    Unix {
        micros: i64,
    },
    /// Spreadsheet serial days.
    Serial {
        date: bool,
    },
}

impl Read {
    /// How column `i` of `source` is read.
    pub(crate) fn of(source: &Dataset, i: usize) -> Read {
        let name = source.names().get(i).cloned().unwrap_or_default();
        let format = source
            .date_formats
            .get(i)
            .cloned()
            .flatten()
            .unwrap_or_default();
        let ty = source.types.get(i).copied().unwrap_or(ColumnType::String);
        let date = ty == ColumnType::Date;
        match ty {
            ColumnType::String => Read::Text,
            ColumnType::Integer => Read::Integer,
            ColumnType::Float => Read::Float {
                decimal_comma: source.notes.iter().any(|n| {
                    n.kind == "decimal-comma" && n.column.as_deref() == Some(name.as_str())
                }),
            },
            ColumnType::Boolean => Read::Boolean,
            ColumnType::Date | ColumnType::Datetime => match format.as_str() {
                "Unix seconds" => Read::Unix { micros: 1_000_000 },
                "Unix milliseconds" => Read::Unix { micros: 1_000 },
                "spreadsheet serial days" => Read::Serial { date },
                f if f.contains("%G") => Read::IsoWeek,
                f if f.contains("%b") || f.contains("%B") => Read::Named { date },
                f => Read::Numbers {
                    date,
                    order: if f.starts_with("%d") {
                        "dmy"
                    } else if f.starts_with("%m") {
                        "mdy"
                    } else {
                        "ymd"
                    },
                },
            },
        }
    }

    /// The SQL reading the raw text column `c` this way.
    fn sql(self, d: Dialect, c: &str) -> String {
        let t = format!("plainsight_trim({c})");
        match self {
            Read::Text => format!("plainsight_text({c})"),
            Read::Integer => format!("plainsight_int({t})"),
            Read::Float {
                decimal_comma: true,
            } => format!("plainsight_float_comma({t})"),
            Read::Float { .. } => format!("plainsight_float({t})"),
            Read::Boolean => format!("plainsight_bool({t})"),
            Read::Unix { micros } => {
                d.datetime_of_micros(&format!("plainsight_int({t}) * {micros}"))
            }
            Read::Serial { date: true } => d.date_plus_days(
                "DATE '1899-12-30'",
                &format!("round(plainsight_float({t}))"),
            ),
            Read::Serial { date: false } => d.datetime_of_micros(&format!(
                "CAST(round((plainsight_float({t}) - 25569) * 86400000000) AS BIGINT)"
            )),
            Read::IsoWeek => format!("plainsight_isoweek({t})"),
            Read::Named { date: true } => {
                format!("plainsight_day_of(plainsight_named_fields({t}), 'ymd')")
            }
            Read::Named { date: false } => d.datetime_of_micros(&format!(
                "plainsight_micros_of(plainsight_named_fields({t}), 'ymd')"
            )),
            Read::Numbers { date: true, order } => format!("plainsight_date({t}, '{order}')"),
            Read::Numbers { date: false, order } => {
                format!("plainsight_datetime({t}, '{order}')")
            }
        }
    }
}

/// The table of `source` typed as Plainsight typed it.
fn source_body(d: Dialect, source: &Dataset, row: &str) -> String {
    let mut items = Vec::new();
    for (i, name) in source.names().iter().enumerate() {
        let c = d.ident(&format!("c{}", i + 1));
        items.push(format!(
            "{} AS {}",
            Read::of(source, i).sql(d, &c),
            d.ident(name)
        ));
    }
    let mut body = format!("  SELECT {row}");
    for item in items {
        body.push_str(",\n    ");
        body.push_str(&item);
    }
    body.push_str(&format!("\n  FROM {}", d.ident("raw")));
    if source.facts.has_header {
        body.push_str(&format!("\n  WHERE {row} > 1"));
    }
    body
}

/// Checks that the engine can tell the columns apart: DuckDB and Spark
/// match names without regard to case.
fn check_names(d: Dialect, ds: &Dataset, n: usize, op: &str) -> Result<(), CleanError> {
    let mut seen = HashSet::new();
    for name in ds.names() {
        if !seen.insert(name.to_lowercase()) {
            return Err(unsupported(
                op,
                n,
                format!(
                    "{} does not tell column names apart by case, and \"{name}\" differs from another column only by case; rename one of them first",
                    d.engine()
                ),
            ));
        }
    }
    Ok(())
}

/// The query of a recipe as it is built: its entries, which entries each
/// step wrote, how the file is read, and the tables before and after the
/// last step with its report.
struct Built {
    q: Query,
    steps: Vec<std::ops::Range<usize>>,
    layout: Layout,
    last: Option<(Dataset, Dataset, StepReport)>,
}

/// The row-number column: a name no table of the run can have. Names the
/// steps make up (one-hot, date parts, flags, snake_case, `_2`) end with a
/// letter or digit, so only the file's names and renames can clash.
pub(crate) fn row_name(source: &Dataset, steps: &[Step]) -> String {
    let taken: HashSet<String> = source
        .names()
        .into_iter()
        .chain(steps.iter().filter_map(|s| match s {
            Step::Rename { to, .. } => Some(to.clone()),
            _ => None,
        }))
        .map(|n| n.to_lowercase())
        .collect();
    (1..)
        .map(|k| {
            if k == 1 {
                "__row__".to_string()
            } else {
                format!("__row{k}__")
            }
        })
        .find(|n| !taken.contains(n))
        .unwrap_or_default()
}

/// Runs `steps` on `source`, writing each step's SQL as it runs on the data
/// (only the tables before and after it are kept).
fn build(
    d: Dialect,
    source: &Dataset,
    file_name: &str,
    steps: &[Step],
) -> Result<Built, CleanError> {
    let layout = Layout::of(d.engine(), d.export_op(), source)?;
    check_names(d, source, 0, d.export_op())?;
    let row_name = row_name(source, steps);
    let mut q = Query {
        d,
        entries: Vec::new(),
        prev: d.ident("source"),
        row: d.ident(&row_name),
    };
    q.comment("The raw file, every field as text, numbered in file order.".to_string());
    let from = match d {
        Dialect::DuckDb => duckdb::read_csv(&layout, file_name),
        Dialect::Spark => spark::RAW_VIEW.to_string(),
    };
    q.cte(
        "raw",
        format!(
            "  SELECT {} AS {}, *\n  FROM {from}",
            d.file_row_number(),
            q.row
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
    q.cte("source", source_body(d, source, &q.row));
    let mut before = source.clone();
    let mut spans = Vec::with_capacity(steps.len());
    let mut last = None;
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        let mut after = before.clone();
        let report = apply(&mut after, step).map_err(|e| e.at_step(n))?;
        check_names(d, &after, n, step.op())?;
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
        layout,
        last,
    })
}

/// The last of a recipe's steps: its SQL (its part of [`to_sql`]'s DuckDB
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
    } = build(Dialect::DuckDb, source, file_name, steps)?;
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
    let d = q.d;
    let names = before.names();
    let nothing = |q: &mut Query, why: &str| q.comment(format!("Nothing to do: {why}."));
    match step {
        Step::DropMissingRows { columns } => {
            let cols = frozen::missing_rows_columns(columns, before);
            if cols.is_empty() {
                nothing(q, "the table has no columns");
                return Ok(());
            }
            let conds: Vec<String> = cols
                .iter()
                .map(|c| format!("{} IS NOT NULL", d.ident(c)))
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
            let removed = frozen::removed_columns(before, after);
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
            q.table(&name, exclude_body(d, &prev, &removed));
        }
        Step::FillMissing { column, fill } => {
            let i = index(before, column)?;
            let c = d.ident(column);
            let value = match fill {
                Fill::Mean | Fill::Median => {
                    if frozen::all_missing(before, i)? {
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
                Fill::Mode => {
                    let mode = format!("step_{n}_mode");
                    q.stat(
                        &mode,
                        format!("  SELECT {c} AS v FROM {prev} WHERE {c} IS NOT NULL\n  GROUP BY {c} ORDER BY count(*) DESC, {c} LIMIT 1"),
                    );
                    format!("coalesce({c}, (SELECT v FROM {}))", d.ident(&mode))
                }
                Fill::Constant { value } => {
                    let ty = before.types[i];
                    let lit = typed_lit(d, ty, value).ok_or_else(|| CleanError::Internal {
                        message: format!("\"{value}\" does not read as {}", ty.as_str()),
                    })?;
                    format!("coalesce({c}, {lit})")
                }
                Fill::Forward => format!("coalesce({c}, {})", d.last_before(&c, &q.row)),
                Fill::Backward => format!("coalesce({c}, {})", d.first_after(&c, &q.row)),
            };
            q.table(&name, replace_body(q, &names, &[(value, column.clone())]));
        }
        Step::DropDuplicates => {
            let cols: Vec<String> = before.names().iter().map(|c| d.ident(c)).collect();
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
            let targets = frozen::trim_columns(columns, before);
            if targets.is_empty() {
                nothing(q, "no text columns");
                return Ok(());
            }
            let items: Vec<(String, String)> = targets
                .iter()
                .map(|c| (format!("plainsight_trim_all({})", d.ident(c)), c.clone()))
                .collect();
            q.table(&name, replace_body(q, &names, &items));
        }
        Step::ChangeCase { column, case } => {
            let i = index(before, column)?;
            if let Values::Text(v) = values(before, i)? {
                if let Some(bad) = v.iter().flatten().find(|s| !case_maps_alike(s, *case)) {
                    return Err(unsupported(
                        step.op(),
                        n,
                        format!(
                            "{} changes case one character at a time, so \"{bad}\" in {column} would come out differently; the export cannot reproduce this step",
                            d.engine()
                        ),
                    ));
                }
            }
            let c = d.ident(column);
            let expr = match case {
                Case::Lower => format!("lower({c})"),
                Case::Upper => format!("upper({c})"),
                Case::Title => d.title_case(&c),
            };
            q.table(&name, replace_body(q, &names, &[(expr, column.clone())]));
        }
        Step::MergeValues(merge) => {
            let column = &merge.column;
            let arms: Vec<String> = frozen::merge_groups(merge)
                .into_iter()
                .map(|(list, into)| {
                    let list: Vec<String> = list.iter().map(|v| d.string_lit(v)).collect();
                    format!(
                        "WHEN {} IN ({}) THEN {}",
                        d.ident(column),
                        list.join(", "),
                        d.string_lit(into)
                    )
                })
                .collect();
            if arms.is_empty() {
                nothing(q, "no values to merge");
                return Ok(());
            }
            let expr = format!(
                "CASE {}\n    ELSE {} END",
                arms.join("\n    "),
                d.ident(column)
            );
            q.table(&name, replace_body(q, &names, &[(expr, column.clone())]));
        }
        Step::NormaliseNames => {
            let items: Vec<(Option<String>, String)> = before
                .names()
                .iter()
                .zip(after.names())
                .map(|(old, new)| (Some(d.ident(old)), new))
                .collect();
            q.table(&name, select_body(d, &q.row, &prev, &items));
        }
        Step::Cast { column, to } => {
            let i = index(before, column)?;
            let from = before.types[i];
            let c = d.ident(column);
            let t = format!("plainsight_trim({c})");
            let expr = match (from, *to) {
                (a, b) if a == b => {
                    nothing(q, &format!("{column} is already {}", to.as_str()));
                    return Ok(());
                }
                (ColumnType::Integer, ColumnType::String) => {
                    format!("CAST({c} AS {})", d.text_type())
                }
                (ColumnType::Float, ColumnType::String) => format!("plainsight_float_text({c})"),
                (ColumnType::Boolean, ColumnType::String) => {
                    format!("CAST({c} AS {})", d.text_type())
                }
                (ColumnType::Date, ColumnType::String) => d.date_text(&c),
                (ColumnType::Datetime, ColumnType::String) => {
                    format!("plainsight_datetime_text({c})")
                }
                (ColumnType::String, ColumnType::Integer) => format!("plainsight_int({t})"),
                (ColumnType::String, ColumnType::Float) => format!("plainsight_float({t})"),
                (ColumnType::String, ColumnType::Boolean) => format!("plainsight_bool_loose({t})"),
                (ColumnType::String, ColumnType::Date | ColumnType::Datetime) => {
                    let order = frozen::cast_order(before, i)?;
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
                    "CASE WHEN {} AND {c} BETWEEN -9007199254740992 AND 9007199254740992 THEN CAST({c} AS BIGINT) END",
                    d.is_whole(&c)
                ),
                (ColumnType::Boolean, ColumnType::Integer) => format!("CAST({c} AS BIGINT)"),
                (ColumnType::Date, ColumnType::Datetime) => {
                    format!("CAST({c} AS {})", d.timestamp_type())
                }
                (ColumnType::Datetime, ColumnType::Date) => format!("CAST({c} AS DATE)"),
                (a, b) => {
                    return Err(CleanError::Internal {
                        message: format!("no SQL for a cast from {} to {}", a.as_str(), b.as_str()),
                    })
                }
            };
            q.table(&name, replace_body(q, &names, &[(expr, column.clone())]));
        }
        Step::Outliers {
            column,
            rule,
            action,
        } => {
            let i = index(before, column)?;
            if let Some(why) = frozen::outliers_skipped(before, after, column, *action)? {
                nothing(q, &why);
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
                    k = d.float_lit(*k)
                ),
                // The sample standard deviation (none for one value).
                OutlierRule::Zscore { threshold } => format!(
                    "mean - {t} * std AS lo, mean + {t} * std AS hi\n  FROM (SELECT mean, CASE WHEN n > 1 THEN sqrt(m2 / (n - 1)) END AS std FROM {s})",
                    t = d.float_lit(*threshold)
                ),
            };
            let b = d.ident(&format!("step_{n}_bounds"));
            q.stat(&format!("step_{n}_bounds"), format!("  SELECT {bounds}"));
            let v = format!("CAST({} AS DOUBLE)", d.ident(column));
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
                                d.ident(column)
                            )),
                            flag_name,
                        ),
                    );
                    q.table(&name, select_body(d, &q.row, &prev, &items));
                }
                OutlierAction::Cap => {
                    let expr = format!(
                        "CASE WHEN {v} < {lo} THEN {lo} WHEN {v} > {hi} THEN {hi} ELSE {v} END"
                    );
                    q.table(&name, replace_body(q, &names, &[(expr, column.clone())]));
                }
                OutlierAction::Remove => {
                    q.table(
                        &name,
                        format!(
                            "  SELECT * FROM {prev}\n  WHERE {} IS NULL OR NOT {outside}",
                            d.ident(column)
                        ),
                    );
                }
            }
        }
        Step::OneHot {
            column,
            max_categories,
        } => {
            let plan = frozen::one_hot(before, column, *max_categories)?;
            q.comment(plan.comment.clone());
            let c = d.ident(column);
            let is = |cat: &str| shows_as(d, &c, plan.ty, cat);
            let mut items: Vec<(Option<String>, String)> = Vec::new();
            for (k, old) in names.iter().enumerate() {
                if k != plan.i {
                    items.push((None, old.clone()));
                    continue;
                }
                for (cat, new) in plan.kept.iter().zip(&plan.names) {
                    items.push((
                        Some(format!("CAST(coalesce({}, false) AS BIGINT)", is(cat))),
                        new.clone(),
                    ));
                }
                if let Some(other) = &plan.other {
                    let any: Vec<String> = plan.kept.iter().map(|cat| is(cat)).collect();
                    items.push((
                        Some(format!(
                            "CAST({c} IS NOT NULL AND NOT coalesce({}, false) AS BIGINT)",
                            any.join(" OR ")
                        )),
                        other.clone(),
                    ));
                }
            }
            q.table(&name, select_body(d, &q.row, &prev, &items));
        }
        Step::Ordinal { column, order } => {
            let ty = before.types[index(before, column)?];
            let (codes, frozen) = frozen::ordinal_codes(before, after, column, order)?;
            if let Some(comment) = frozen {
                q.comment(comment);
            }
            let c = d.ident(column);
            let expr = if codes.is_empty() {
                "CAST(NULL AS BIGINT)".to_string()
            } else {
                let whens: Vec<String> = codes
                    .iter()
                    .map(|(k, s)| format!("WHEN {} THEN {k}", shows_as(d, &c, ty, s)))
                    .collect();
                format!("CAST(CASE {} END AS BIGINT)", whens.join(" "))
            };
            q.table(&name, replace_body(q, &names, &[(expr, column.clone())]));
        }
        Step::Scale { column, method } => {
            let i = index(before, column)?;
            if frozen::all_missing(before, i)? {
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
            q.stat(
                &p,
                format!(
                    "  SELECT {center} AS center,\n    CASE WHEN {scale} = 0 OR NOT {finite} THEN 1 ELSE {scale} END AS scale\n  FROM {s}",
                    finite = d.is_finite(scale)
                ),
            );
            let p = d.ident(&p);
            let expr = format!(
                "(CAST({} AS DOUBLE) - (SELECT center FROM {p})) / (SELECT scale FROM {p})",
                d.ident(column)
            );
            q.table(&name, replace_body(q, &names, &[(expr, column.clone())]));
        }
        Step::Transform { column, transform } => {
            let (fitted, frozen) = frozen::fitted_transform(before, column, *transform)?;
            if let Some(comment) = frozen {
                q.comment(comment);
            }
            let expr = fitted.sql(&d.ident(column), |v| d.float_lit(v));
            q.table(&name, replace_body(q, &names, &[(expr, column.clone())]));
        }
        Step::DropColumns { columns } => {
            if columns.is_empty() {
                nothing(q, "no columns named");
                return Ok(());
            }
            q.table(&name, exclude_body(d, &prev, columns));
        }
        Step::DateParts { column, parts } => {
            let i = index(before, column)?;
            if parts.is_empty() {
                nothing(q, "no parts asked for");
                return Ok(());
            }
            let c = d.ident(column);
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
                    DatePart::Weekday => d.weekday(&day),
                };
                items.insert(
                    i + 1 + j,
                    (
                        Some(format!("CAST({f} AS BIGINT)")),
                        new_names.get(i + 1 + j).cloned().unwrap_or_default(),
                    ),
                );
            }
            q.table(&name, select_body(d, &q.row, &prev, &items));
        }
        Step::Rename { column, to } => {
            if column == to {
                nothing(q, "the name is unchanged");
                return Ok(());
            }
            let body = match d {
                Dialect::DuckDb => format!(
                    "  SELECT * RENAME ({} AS {}) FROM {prev}",
                    d.ident(column),
                    d.ident(to)
                ),
                Dialect::Spark => {
                    let items: Vec<(Option<String>, String)> = names
                        .iter()
                        .map(|c| {
                            if c == column {
                                (Some(d.ident(c)), to.clone())
                            } else {
                                (None, c.clone())
                            }
                        })
                        .collect();
                    select_body(d, &q.row, &prev, &items)
                }
            };
            q.table(&name, body);
        }
        Step::Filter {
            column,
            test,
            value,
        } => {
            let i = index(before, column)?;
            let c = d.ident(column);
            let cond = match test {
                Test::IsMissing => format!("{c} IS NULL"),
                Test::NotMissing => format!("{c} IS NOT NULL"),
                Test::Contains => format!("contains({c}, {})", d.string_lit(value)),
                _ => {
                    let ty = before.types[i];
                    let lit = typed_lit(d, ty, value).ok_or_else(|| CleanError::Internal {
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
    fn typed_literals() {
        let d = Dialect::DuckDb;
        assert_eq!(
            typed_lit(d, ColumnType::Integer, " 42 ").as_deref(),
            Some("CAST(42 AS BIGINT)")
        );
        assert_eq!(typed_lit(d, ColumnType::Integer, "4.2"), None);
        assert_eq!(
            typed_lit(d, ColumnType::Date, "2024-05-01").as_deref(),
            Some("DATE '2024-05-01'")
        );
        assert_eq!(
            typed_lit(d, ColumnType::Datetime, "2024-03-05T14:30:00.25Z").as_deref(),
            Some("TIMESTAMP '2024-03-05 14:30:00.250'")
        );
        assert_eq!(
            typed_lit(d, ColumnType::Boolean, "Yes").as_deref(),
            Some("true")
        );
        assert_eq!(shows_as(d, "x", ColumnType::Float, "1.50"), "false");
        assert_eq!(
            shows_as(d, "x", ColumnType::Float, "-0"),
            "(x = 0 AND signbit(x))"
        );
        assert_eq!(shows_as(d, "x", ColumnType::Integer, "7"), "x = 7");
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
