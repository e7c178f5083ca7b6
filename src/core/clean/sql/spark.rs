//! The recipe as a PySpark script: it reads the raw file with Spark's CSV
//! reader (every field as text), defines temporary SQL functions that read
//! cells the way Plainsight does, runs the recipe's Spark SQL query and
//! writes the cleaned table as Parquet.

use super::{build, comment_text, Built, DATE_FIELDS, ISO_WEEK, NAMED_DATE};
use crate::core::clean::apply::TRIM_CHARS;
use crate::core::clean::recipe::SCHEMA_VERSION;
use crate::core::clean::{CleanError, Step};
use crate::core::infer::NA_TOKENS;
use crate::core::ingest::Dataset;

use super::Dialect::Spark;

/// The temporary view the script makes of the raw file.
pub(super) const RAW_VIEW: &str = "plainsight_raw";

/// `pattern` as a Spark regular expression matching a whole value (Java's
/// `$` would also match before a final line break).
fn whole(pattern: &str) -> String {
    format!("r'^(?:{pattern})\\z'")
}

/// A `STRUCT<...>` type of text fields.
fn text_struct(fields: &[&str]) -> String {
    let list: Vec<String> = fields.iter().map(|f| format!("{f}: STRING")).collect();
    format!("STRUCT<{}>", list.join(", "))
}

/// `named_struct` of the groups of `pattern` in `t`, named `fields`.
fn extract(t: &str, pattern: &str, fields: &[&str]) -> String {
    let re = whole(pattern);
    let items: Vec<String> = fields
        .iter()
        .enumerate()
        .map(|(i, f)| format!("'{f}', regexp_extract({t}, {re}, {})", i + 1))
        .collect();
    format!("named_struct(\n    {})", items.join(",\n    "))
}

const DATE: &[&str] = &[
    "a", "s1", "b", "s2", "c", "tsep", "h", "mi", "s", "frac", "tz",
];
const NAMED: &[&str] = &["mw1", "d1", "d2", "mw2", "y", "h", "mi", "s", "frac", "tz"];
const WEEK: &[&str] = &["y", "s1", "w", "s2", "d"];
const FLOAT_PARTS: &[&str] = &["sign", "d", "f", "e"];

/// The temporary functions that read and show cells the way Plainsight
/// does (see `infer.rs`), one statement each, with a comment line or two
/// before some.
fn functions() -> Vec<(&'static str, String)> {
    let na: Vec<String> = NA_TOKENS.iter().map(|t| Spark.string_lit(t)).collect();
    let trim_all = Spark.string_lit(&TRIM_CHARS.iter().collect::<String>());
    let date = text_struct(DATE);
    let named = text_struct(NAMED);
    let week = text_struct(WEEK);
    let float_parts = text_struct(FLOAT_PARTS);
    let int_re = whole("[+-]?[0-9]+");
    let float_re =
        whole(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?(?i:inf|infinity)");
    let comma_re = whole("[+-]?[0-9]*,[0-9]+");
    let fn_ = |sig: &str, ret: &str, body: String| {
        format!(
            "CREATE OR REPLACE TEMPORARY FUNCTION plainsight_{sig} RETURNS {ret} RETURN\n  {body}"
        )
    };
    vec![
        (
            "How Plainsight reads a cell: spaces and tabs around it are ignored; empty\nand pandas' missing-value tokens are missing; text keeps its spaces.",
            fn_("trim(s STRING)", "STRING", "btrim(s, ' ' || chr(9))".to_string()),
        ),
        ("", fn_("trim_all(s STRING)", "STRING", format!("btrim(s, {trim_all})"))),
        ("", fn_("na(t STRING)", "BOOLEAN", format!("t IS NULL OR t IN ({})", na.join(", ")))),
        (
            "",
            fn_(
                "text(s STRING)",
                "STRING",
                "CASE WHEN plainsight_na(plainsight_trim(s)) THEN NULL ELSE s END".to_string(),
            ),
        ),
        (
            "",
            fn_(
                "int(t STRING)",
                "BIGINT",
                format!("CASE WHEN t RLIKE {int_re} THEN TRY_CAST(t AS BIGINT) END"),
            ),
        ),
        (
            "",
            fn_(
                "float(t STRING)",
                "DOUBLE",
                format!("CASE WHEN t RLIKE {float_re} THEN TRY_CAST(t AS DOUBLE) END"),
            ),
        ),
        (
            "",
            fn_(
                "float_comma(t STRING)",
                "DOUBLE",
                format!("CASE WHEN t RLIKE {comma_re} THEN TRY_CAST(replace(t, ',', '.') AS DOUBLE)\n  ELSE plainsight_float(t) END"),
            ),
        ),
        (
            "",
            fn_(
                "bool(t STRING)",
                "BOOLEAN",
                "CASE WHEN t IN ('true', 'True', 'TRUE') THEN true WHEN t IN ('false', 'False', 'FALSE') THEN false END".to_string(),
            ),
        ),
        (
            "",
            fn_(
                "bool_loose(t STRING)",
                "BOOLEAN",
                "CASE WHEN lower(t) IN ('true', 'yes', '1') THEN true WHEN lower(t) IN ('false', 'no', '0') THEN false END".to_string(),
            ),
        ),
        (
            "Dates: year first (2024-03-05), or day/month first with a 4- or 2-digit year\n(05/03/2024, 5.3.24; 2-digit years 69-99 are 19xx, 00-68 are 20xx), then\noptionally a time (T or space, HH:MM[:SS[.fraction]], Z or +hh[:mm]).\nord says which number is the day and which the month: 'ymd', 'dmy', 'mdy'.",
            fn_("date_fields(t STRING)", &date, extract("t", DATE_FIELDS, DATE)),
        ),
        (
            "",
            fn_(
                "year(y BIGINT, two_digits BOOLEAN)",
                "BIGINT",
                "CASE WHEN NOT two_digits THEN y WHEN y >= 69 THEN 1900 + y ELSE 2000 + y END".to_string(),
            ),
        ),
        (
            "",
            fn_(
                &format!("day_of(p {date}, ord STRING)"),
                "DATE",
                "CASE WHEN p.a = '' OR p.s1 <> p.s2 THEN NULL
    WHEN NOT ((length(p.a) = 4 AND length(p.c) <= 2) OR (length(p.a) <= 2 AND length(p.c) IN (2, 4))) THEN NULL
    ELSE make_date(
      CAST(plainsight_year(CAST(CASE ord WHEN 'ymd' THEN p.a ELSE p.c END AS BIGINT), length(p.a) <= 2 AND length(p.c) = 2) AS INT),
      CAST(CASE ord WHEN 'mdy' THEN p.a ELSE p.b END AS INT),
      CAST(CASE ord WHEN 'ymd' THEN p.c WHEN 'dmy' THEN p.a ELSE p.b END AS INT))
  END"
                .to_string(),
            ),
        ),
        (
            "",
            fn_(
                "offset_minutes(tz STRING)",
                "BIGINT",
                "CASE WHEN tz IN ('', 'Z') THEN 0
    ELSE (CASE WHEN left(tz, 1) = '-' THEN -1 ELSE 1 END) * (CAST(substring(tz, 2, 2) AS BIGINT) * 60
      + CASE WHEN length(replace(tz, ':', '')) = 5 THEN CAST(right(tz, 2) AS BIGINT) ELSE 0 END)
  END"
                .to_string(),
            ),
        ),
        (
            "",
            fn_(
                &format!("micros_of(p {date}, ord STRING)"),
                "BIGINT",
                "CASE WHEN plainsight_day_of(p, ord) IS NULL THEN NULL
    WHEN p.tsep = '' THEN CAST(unix_date(plainsight_day_of(p, ord)) AS BIGINT) * 86400000000
    WHEN CAST(p.h AS BIGINT) > 23 OR CAST(p.mi AS BIGINT) > 59 OR coalesce(TRY_CAST(p.s AS BIGINT), 0) > 59 THEN NULL
    WHEN p.tz NOT IN ('', 'Z') AND (CAST(substring(p.tz, 2, 2) AS BIGINT) > 23
      OR (length(replace(p.tz, ':', '')) = 5 AND CAST(right(p.tz, 2) AS BIGINT) > 59)) THEN NULL
    ELSE CAST(unix_date(plainsight_day_of(p, ord)) AS BIGINT) * 86400000000
      + ((CAST(p.h AS BIGINT) * 60 + CAST(p.mi AS BIGINT)) * 60 + coalesce(TRY_CAST(p.s AS BIGINT), 0)) * 1000000
      + coalesce(TRY_CAST(rpad(left(p.frac, 6), 6, '0') AS BIGINT), 0)
      - plainsight_offset_minutes(p.tz) * 60000000
  END"
                .to_string(),
            ),
        ),
        (
            "",
            fn_(
                "date(t STRING, ord STRING)",
                "DATE",
                "plainsight_day_of(plainsight_date_fields(t), ord)".to_string(),
            ),
        ),
        (
            "Dates with the month as a word (Jan 1, 2000; 1 January 2000; 12-Jun-98;\na weekday in front is skipped), optionally then a time: read into the\nfields above as year-month-day.",
            fn_("named_parts(t STRING)", &named, extract("t", NAMED_DATE, NAMED)),
        ),
        (
            "",
            fn_(
                "month_number(w STRING)",
                "INT",
                "nullif(array_position(array('jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'), lower(left(w, 3))), 0)".to_string(),
            ),
        ),
        (
            "",
            fn_(
                &format!("named_struct(p {named})"),
                &date,
                "named_struct(
    'a', CASE WHEN p.y = '' THEN '' ELSE lpad(CAST(plainsight_year(CAST(p.y AS BIGINT), length(p.y) = 2) AS STRING), 4, '0') END,
    's1', '-', 'b', CAST(plainsight_month_number(p.mw1 || p.mw2) AS STRING), 's2', '-', 'c', p.d1 || p.d2,
    'tsep', CASE WHEN p.h = '' THEN '' ELSE ' ' END, 'h', p.h, 'mi', p.mi, 's', p.s, 'frac', p.frac, 'tz', p.tz)"
                    .to_string(),
            ),
        ),
        (
            "",
            fn_(
                "named_fields(t STRING)",
                &date,
                "plainsight_named_struct(plainsight_named_parts(t))".to_string(),
            ),
        ),
        (
            "ISO week dates: 2024-W05-3, 2024-W05 (its Monday), 2024W053.",
            fn_("isoweek_parts(t STRING)", &week, extract("t", ISO_WEEK, WEEK)),
        ),
        (
            "",
            fn_(
                &format!("isoweek_day(p {week})"),
                "DATE",
                "CASE WHEN p.y = '' OR (p.d <> '' AND p.s1 <> p.s2) THEN NULL
    ELSE date_add(make_date(CAST(p.y AS INT), 1, 4), CAST((CAST(p.w AS INT) - 1) * 7
      + coalesce(TRY_CAST(p.d AS INT), 1) - extract(DOW_ISO FROM make_date(CAST(p.y AS INT), 1, 4)) AS INT))
  END"
                .to_string(),
            ),
        ),
        (
            "Week 53 of a year with 52 weeks is no date.",
            fn_(
                &format!("isoweek_checked(p {week}, x DATE)"),
                "DATE",
                "CASE WHEN extract(YEAROFWEEK FROM x) = CAST(p.y AS BIGINT) THEN x END".to_string(),
            ),
        ),
        (
            "",
            fn_(
                "isoweek(t STRING)",
                "DATE",
                "plainsight_isoweek_checked(plainsight_isoweek_parts(t), plainsight_isoweek_day(plainsight_isoweek_parts(t)))".to_string(),
            ),
        ),
        (
            "",
            fn_(
                "datetime(t STRING, ord STRING)",
                "TIMESTAMP_NTZ",
                Spark.datetime_of_micros("plainsight_micros_of(plainsight_date_fields(t), ord)"),
            ),
        ),
        (
            "Values as Plainsight shows them as text (numbers without exponent, 1.0 as 1).",
            fn_(
                &format!("unexponent(p {float_parts})"),
                "STRING",
                "p.sign || CASE
    WHEN CAST(p.e AS INT) >= 0 AND length(p.d || p.f) > CAST(p.e AS INT) + 1
      THEN left(p.d || p.f, CAST(p.e AS INT) + 1) || '.' || substring(p.d || p.f, CAST(p.e AS INT) + 2)
    WHEN CAST(p.e AS INT) >= 0 THEN rpad(p.d || p.f, CAST(p.e AS INT) + 1, '0')
    ELSE '0.' || repeat('0', -CAST(p.e AS INT) - 1) || p.d || p.f
  END"
                .to_string(),
            ),
        ),
        (
            // Java writes 1.0E10, 1.5E-7, 0.001, 12.0.
            "",
            fn_(
                "float_text(x DOUBLE)",
                "STRING",
                format!(
                    "CASE
    WHEN isnan(x) THEN 'NaN'
    WHEN x = CAST('inf' AS DOUBLE) THEN 'inf'
    WHEN x = CAST('-inf' AS DOUBLE) THEN '-inf'
    WHEN contains(CAST(x AS STRING), 'E') THEN plainsight_unexponent({})
    ELSE regexp_replace(regexp_replace(CAST(x AS STRING), r'0+\\z', ''), r'\\.\\z', '')
  END",
                    extract(
                        "CAST(x AS STRING)",
                        r"(-?)([0-9])\.([0-9]*?)0*E(-?[0-9]+)",
                        FLOAT_PARTS
                    )
                ),
            ),
        ),
        (
            "",
            fn_(
                "datetime_text(x TIMESTAMP_NTZ)",
                "STRING",
                "date_format(x, 'yyyy-MM-dd') || 'T' || date_format(x, 'HH:mm:ss') || CASE
    WHEN unix_micros(x) % 1000000 = 0 THEN ''
    WHEN unix_micros(x) % 1000 = 0 THEN '.' || lpad(CAST(((unix_micros(x) % 1000000 + 1000000) % 1000000) DIV 1000 AS STRING), 3, '0')
    ELSE '.' || lpad(CAST((unix_micros(x) % 1000000 + 1000000) % 1000000 AS STRING), 6, '0')
  END"
                .to_string(),
            ),
        ),
        (
            "Sums that come out the same whatever order Spark adds the rows in: each\nvalue is cut into parts on fixed binary grids (Rump, Ogita and Oishi's\nerror-free extraction; the grids follow from the largest magnitude and the\ncount); each grid's parts add up exactly in any order, so the total is\nrounded once, as Plainsight's compensated sum is.",
            fn_(
                "grid(m DOUBLE, n BIGINT)",
                "DOUBLE",
                "pow(2.0, ceil(log2(greatest(m, pow(2.0, -1000)))) + ceil(log2(greatest(n, 1))) + 2)".to_string(),
            ),
        ),
        (
            "",
            fn_(
                "shrink(n BIGINT)",
                "DOUBLE",
                "pow(2.0, ceil(log2(greatest(n, 1))) + 2 - 52)".to_string(),
            ),
        ),
        ("", fn_("cut(x DOUBLE, s DOUBLE)", "DOUBLE", "(s + x) - s".to_string())),
        (
            "numpy's linear interpolation between two sorted neighbours (exact at both ends).",
            fn_(
                "lerp(a DOUBLE, b DOUBLE, t DOUBLE)",
                "DOUBLE",
                "CASE WHEN t = 0 OR a = b THEN a WHEN t < 0.5 THEN a + t * (b - a) ELSE b - (1 - t) * (b - a) END".to_string(),
            ),
        ),
    ]
}

/// `text` as a Python string literal: a raw triple-quoted string when it
/// can be one, else a quoted one with escapes.
pub(super) fn py_str(text: &str) -> String {
    let raw_ok = text.contains('\n')
        && !text.contains("\"\"\"")
        && !text.ends_with('"')
        && !text.ends_with('\\')
        && !text.chars().any(|c| c.is_control() && c != '\n');
    if raw_ok {
        return format!("r\"\"\"{text}\"\"\"");
    }
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\U{:08x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A script's docstring: what it does, the raw file, `specific` (how to
/// run it, what differs), the steps; nothing inside can end it early.
pub(super) fn py_docstring(
    title: &str,
    file_name: &str,
    described: &str,
    specific: &str,
    steps: &[Step],
) -> String {
    let safe = |t: &str| t.replace("\"\"\"", "'''").replace('\\', "/");
    let mut out = format!(
        "#!/usr/bin/env python3\n\"\"\"Plainsight cleaning recipe as {title} (recipe schema version {SCHEMA_VERSION}, {} step{}).\n\n",
        steps.len(),
        if steps.len() == 1 { "" } else { "s" }
    );
    out.push_str(&safe(&format!(
        "It reads the raw file and writes the cleaned table as Parquet: the same
columns, types, rows and row order as Plainsight's own run of the recipe on
that file.

Raw file: {} ({described}).
Use that same file, or one laid out the same way with the same columns: the
column names and types below are the ones Plainsight found in it, and the
choices marked \"frozen\" were made on it. Statistics (means, medians,
quartiles, bounds) are computed from the data, so they follow it.

{specific}Steps:
",
        comment_text(file_name)
    )));
    for (i, s) in steps.iter().enumerate() {
        out.push_str(&format!(
            "  {}. {}\n",
            i + 1,
            safe(&comment_text(&s.describe()))
        ));
    }
    if steps.is_empty() {
        out.push_str("  (none: the file as Plainsight reads it)\n");
    }
    out.push_str("\"\"\"\n\n");
    out
}

/// Lines of a Python `#` comment block.
fn py_comment(text: &str, indent: &str) -> String {
    text.lines()
        .map(|l| {
            format!("{indent}# {}", comment_text(l))
                .trim_end()
                .to_string()
                + "\n"
        })
        .collect()
}

/// The recipe as a PySpark script that reads the raw file `file_name`
/// (the file `source` was read from) and writes the cleaned table as
/// Parquet: the same columns, types, rows and row order as
/// `run(source, steps)`. Fails like `run` when a step cannot run, and names
/// the step when Spark cannot reproduce it on this data.
pub fn to_pyspark(source: &Dataset, file_name: &str, steps: &[Step]) -> Result<String, CleanError> {
    let Built { q, layout, .. } = build(Spark, source, file_name, steps)?;
    let mut out = String::new();
    out.push_str(&py_docstring(
        "PySpark",
        file_name,
        &layout.described,
        "Run it:  spark-submit recipe.py [RAW.csv [OUT.parquet]]
    or:  python recipe.py [RAW.csv [OUT.parquet]]   (pip install pyspark, Java 17+)
or from your own code:  clean(spark, \"RAW.csv\")  returns the DataFrame.
Spark 4.3 or later (temporary SQL functions, * EXCEPT, QUALIFY). clean() sets
the session's time zone to UTC and turns ANSI mode off: datetimes are read as
UTC and kept without a zone (TIMESTAMP_NTZ), and text that does not read as
its column's type is missing, as in Plainsight.

Known differences from Plainsight: files that are not UTF-8 or UTF-16LE are
refused; the file is read with multiLine (a quoted field may hold a line
break), so one task reads it; the export refuses change_case on text whose
case mapping changes the number of characters (ß, İ, final Σ), as Spark's
SQL is written here to map one character to one, like DuckDB's.

",
        steps,
    ));
    out.push_str(
        "import sys\n\nfrom pyspark.sql import SparkSession\nfrom pyspark.sql.types import StringType, StructField, StructType\n\n",
    );
    out.push_str(&format!("SOURCE = {}\n", py_str(file_name)));
    out.push_str(&format!(
        "OUTPUT = {}\n",
        py_str(&format!("{}.cleaned.parquet", base_name(file_name)))
    ));
    out.push_str(&format!(
        "DELIMITER = {}\nENCODING = {}\nCOLUMNS = {}\n\n",
        py_str(&layout.delimiter.to_string()),
        py_str(if layout.utf16 { "UTF-16LE" } else { "UTF-8" }),
        layout.columns
    ));
    out.push_str("FUNCTIONS = [\n");
    for (comment, statement) in functions() {
        out.push_str(&py_comment(comment, "    "));
        out.push_str(&format!("    {},\n", py_str(&statement)));
    }
    out.push_str("]\n\n");
    out.push_str(
        "# The recipe's tables in order, each a view of the ones before (a statistic\n\
         # is computed at once); the last one, without the row number, is the result.\n\
         TABLES = [\n",
    );
    for e in &q.entries {
        for c in &e.comments {
            out.push_str(&py_comment(c, "    "));
        }
        if let Some(c) = &e.cte {
            out.push_str(&format!(
                "    ({}, {}, {}),\n",
                py_str(&c.name),
                if c.one_row { "True" } else { "False" },
                py_str(&format!("\n{}\n", c.body))
            ));
        }
    }
    out.push_str("]\n\n");
    out.push_str(&format!("RESULT = {}\n\n", py_str(&q.final_select())));
    out.push_str(&format!(
        r#"
def read_raw(spark, path):
    """The raw file, every field as text (c1, c2, ...), as Plainsight splits it."""
    schema = StructType([StructField(f"c{{i}}", StringType()) for i in range(1, COLUMNS + 1)])
    return (
        spark.read.schema(schema)
        .option("header", False)
        .option("sep", DELIMITER)
        .option("quote", '"')
        .option("escape", '"')
        .option("encoding", ENCODING)
        .option("multiLine", True)
        .option("mode", "PERMISSIVE")
        .option("maxColumns", max(20480, COLUMNS + 1))
        .csv(path)
    )


def clean(spark, path=SOURCE):
    """The cleaned table of the raw file at `path`, in the file's row order."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.ansi.enabled", "false")
    # A recipe's query nests one table per step: more than the analyzer's
    # default 100 rounds resolve.
    spark.conf.set("spark.sql.analyzer.maxIterations", "1000")
    read_raw(spark, path).createOrReplaceTempView("{RAW_VIEW}")
    for statement in FUNCTIONS:
        spark.sql(statement)
    for name, one_row, body in TABLES:
        table = spark.sql(body)
        if one_row:
            table = table.localCheckpoint()
        table.createOrReplaceTempView(name)
    return spark.sql(RESULT)


def main(argv):
    source = argv[1] if len(argv) > 1 else SOURCE
    output = argv[2] if len(argv) > 2 else OUTPUT
    spark = SparkSession.builder.appName("Plainsight recipe").getOrCreate()
    clean(spark, source).write.mode("overwrite").parquet(output)
    print(f"wrote {{output}}")


if __name__ == "__main__":
    main(sys.argv)
"#
    ));
    Ok(out)
}

/// `file_name` without its folder and last extension.
pub(super) fn base_name(file_name: &str) -> &str {
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    match name.rfind('.') {
        Some(i) if i > 0 => &name[..i],
        _ => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_strings() {
        assert_eq!(py_str("a\\b\n"), "r\"\"\"a\\b\n\"\"\"");
        assert_eq!(py_str("messy.csv"), "\"messy.csv\"");
        assert_eq!(py_str("say \"\"\"hi"), "\"say \\\"\\\"\\\"hi\"");
        assert_eq!(py_str("ends\\"), "\"ends\\\\\"");
        assert_eq!(py_str("x\ty"), "\"x\\U00000009y\"");
        assert_eq!(base_name("data/sales.csv"), "sales");
        assert_eq!(base_name(".env"), ".env");
    }
}
