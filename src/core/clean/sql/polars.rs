//! The recipe as polars (Python) code: a script that reads the raw file
//! lazily with `scan_csv` (every field as text), types each column the way
//! Plainsight read it, applies every step as polars expressions and writes
//! the cleaned table as Parquet. The functions it calls are written once
//! (`polars_prelude.py`, copied into every script); this module writes the
//! calls, with the choices frozen from running the recipe on the file, as
//! the SQL export does.

use super::spark::py_str;
use super::{
    comment_text, frozen, index, row_name, Layout, Read, DATE_FIELDS, ISO_WEEK, NAMED_DATE,
};
use crate::core::clean::apply::{apply, parse_bool_loose, TRIM_CHARS};
use crate::core::clean::step::{
    Case, DatePart, Fill, OutlierAction, OutlierRule, Scaling, Step, Test,
};
use crate::core::clean::transform::Transform;
use crate::core::clean::CleanError;
use crate::core::infer::{
    format_date, format_datetime, parse_date_days, parse_datetime_micros, parse_f64, parse_i64,
    trim_cell, DateOrder, NA_TOKENS,
};
use crate::core::ingest::Dataset;
use crate::core::model::ColumnType;

const PRELUDE: &str = include_str!("../polars_prelude.py");

/// `text` as a raw Python string when it can be one (a regular expression).
fn py_raw(text: &str) -> String {
    if text.contains('"') || text.ends_with('\\') || text.contains('\n') {
        py_str(text)
    } else {
        format!("r\"{text}\"")
    }
}

fn py_list(items: &[String]) -> String {
    format!("[{}]", items.join(", "))
}

fn py_names(names: &[String]) -> String {
    py_list(&names.iter().map(|n| py_str(n)).collect::<Vec<_>>())
}

fn py_float(v: f64) -> String {
    if v.is_nan() {
        "float(\"nan\")".to_string()
    } else if v.is_infinite() {
        if v > 0.0 {
            "float(\"inf\")"
        } else {
            "float(\"-inf\")"
        }
        .to_string()
    } else {
        format!("{v:?}")
    }
}

fn py_date(days: i32) -> String {
    format!("(datetime.date(1970, 1, 1) + datetime.timedelta(days={days}))")
}

fn py_datetime(micros: i64) -> String {
    format!("(datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds={micros}))")
}

/// `text` read as a value of type `ty`, as Plainsight reads a constant or a
/// filter value (trimmed; dates year first), as a Python value.
fn py_value(ty: ColumnType, text: &str) -> Option<String> {
    let t = trim_cell(text);
    Some(match ty {
        ColumnType::Integer => parse_i64(t)?.to_string(),
        ColumnType::Float => py_float(parse_f64(t)?),
        ColumnType::Boolean => if parse_bool_loose(t)? {
            "True"
        } else {
            "False"
        }
        .to_string(),
        ColumnType::Date => py_date(parse_date_days(t, DateOrder::Ymd)?),
        ColumnType::Datetime => py_datetime(parse_datetime_micros(t, DateOrder::Ymd)?),
        ColumnType::String => py_str(text),
    })
}

/// The value of type `ty` that shows as `text` (a category), or `None`.
fn py_shown(ty: ColumnType, text: &str) -> String {
    let v = match ty {
        ColumnType::String => Some(py_str(text)),
        ColumnType::Integer => parse_i64(text)
            .filter(|v| v.to_string() == text)
            .map(|v| v.to_string()),
        ColumnType::Float => parse_f64(text)
            .filter(|v| v.to_string() == text)
            .map(py_float),
        ColumnType::Boolean => match text {
            "true" => Some("True".to_string()),
            "false" => Some("False".to_string()),
            _ => None,
        },
        ColumnType::Date => parse_date_days(text, DateOrder::Ymd)
            .filter(|d| format_date(*d) == text)
            .map(py_date),
        ColumnType::Datetime => parse_datetime_micros(text, DateOrder::Ymd)
            .filter(|m| format_datetime(*m) == text)
            .map(py_datetime),
    };
    v.unwrap_or_else(|| "None".to_string())
}

fn py_dtype(ty: ColumnType) -> &'static str {
    match ty {
        ColumnType::Integer => "pl.Int64",
        ColumnType::Float => "pl.Float64",
        ColumnType::Boolean => "pl.Boolean",
        ColumnType::Date => "pl.Date",
        ColumnType::Datetime => "pl.Datetime(\"us\")",
        ColumnType::String => "pl.String",
    }
}

/// The call reading raw column `c` (a Python string) this way.
fn read_py(read: Read, c: &str) -> String {
    match read {
        Read::Text => format!("as_text({c})"),
        Read::Integer => format!("as_int({c})"),
        Read::Float { decimal_comma } => {
            if decimal_comma {
                format!("as_float({c}, decimal_comma=True)")
            } else {
                format!("as_float({c})")
            }
        }
        Read::Boolean => format!("as_bool({c})"),
        Read::Numbers { date: true, order } => format!("as_date({c}, \"{order}\")"),
        Read::Numbers { date: false, order } => format!("as_datetime({c}, \"{order}\")"),
        Read::Named { date: true } => format!("as_named_date({c})"),
        Read::Named { date: false } => format!("as_named_datetime({c})"),
        Read::IsoWeek => format!("as_isoweek({c})"),
        Read::Unix { micros } => format!("as_unix({c}, {micros})"),
        Read::Serial { date: true } => format!("as_serial_date({c})"),
        Read::Serial { date: false } => format!("as_serial_datetime({c})"),
    }
}

fn type_name(ty: ColumnType) -> &'static str {
    ty.as_str()
}

/// Lines of the body of `clean()` for step `n`, which turned `before` into
/// `after`.
fn step_py(
    out: &mut Vec<String>,
    step: &Step,
    before: &Dataset,
    after: &Dataset,
) -> Result<(), CleanError> {
    let nothing = |out: &mut Vec<String>, why: &str| out.push(format!("# Nothing to do: {why}."));
    let call = |out: &mut Vec<String>, code: String| out.push(format!("df = {code}"));
    match step {
        Step::DropMissingRows { columns } => {
            let cols = frozen::missing_rows_columns(columns, before);
            if cols.is_empty() {
                nothing(out, "the table has no columns");
            } else {
                call(out, format!("drop_missing_rows(df, {})", py_names(&cols)));
            }
        }
        Step::DropSparseColumns { max_missing } => {
            let removed = frozen::removed_columns(before, after);
            if removed.is_empty() {
                nothing(
                    out,
                    &format!(
                        "no column of this file is more than {}% missing (frozen)",
                        max_missing * 100.0
                    ),
                );
            } else {
                out.push(format!(
                    "# Frozen: the columns more than {}% missing in this file.",
                    max_missing * 100.0
                ));
                call(out, format!("df.drop({})", py_names(&removed)));
            }
        }
        Step::FillMissing { column, fill } => {
            let i = index(before, column)?;
            let c = py_str(column);
            match fill {
                Fill::Mean | Fill::Median => {
                    if frozen::all_missing(before, i)? {
                        nothing(out, "the column has no values to compute from");
                    } else {
                        let how = if *fill == Fill::Mean {
                            "mean"
                        } else {
                            "median"
                        };
                        call(out, format!("fill(df, {c}, \"{how}\")"));
                    }
                }
                Fill::Mode => call(out, format!("fill(df, {c}, \"mode\")")),
                Fill::Constant { value } => {
                    let ty = before.types[i];
                    let v = py_value(ty, value).ok_or_else(|| CleanError::Internal {
                        message: format!("\"{value}\" does not read as {}", ty.as_str()),
                    })?;
                    call(
                        out,
                        format!(
                            "fill(df, {c}, \"constant\", pl.lit({v}, dtype={}))",
                            py_dtype(ty)
                        ),
                    );
                }
                Fill::Forward => call(out, format!("fill(df, {c}, \"forward\")")),
                Fill::Backward => call(out, format!("fill(df, {c}, \"backward\")")),
            }
        }
        Step::DropDuplicates => call(out, "drop_duplicates(df)".to_string()),
        Step::Trim { columns } => {
            let targets = frozen::trim_columns(columns, before);
            if targets.is_empty() {
                nothing(out, "no text columns");
            } else {
                call(out, format!("trim_all(df, {})", py_names(&targets)));
            }
        }
        Step::ChangeCase { column, case } => {
            let how = match case {
                Case::Lower => "lower",
                Case::Upper => "upper",
                Case::Title => "title",
            };
            call(
                out,
                format!("change_case(df, {}, \"{how}\")", py_str(column)),
            );
        }
        Step::MergeValues(merge) => {
            let pairs: Vec<String> = frozen::merge_groups(merge)
                .into_iter()
                .flat_map(|(list, into)| {
                    list.into_iter()
                        .map(move |v| format!("{}: {}", py_str(v), py_str(into)))
                })
                .collect();
            if pairs.is_empty() {
                nothing(out, "no values to merge");
            } else {
                call(
                    out,
                    format!(
                        "df.with_columns(pl.col({}).replace({{{}}}))",
                        py_str(&merge.column),
                        pairs.join(", ")
                    ),
                );
            }
        }
        Step::NormaliseNames => {
            let pairs: Vec<String> = before
                .names()
                .iter()
                .zip(after.names())
                .filter(|(old, new)| *old != new)
                .map(|(old, new)| format!("{}: {}", py_str(old), py_str(&new)))
                .collect();
            if pairs.is_empty() {
                nothing(out, "the names are already snake_case");
            } else {
                call(out, format!("df.rename({{{}}})", pairs.join(", ")));
            }
        }
        Step::Cast { column, to } => {
            let i = index(before, column)?;
            let from = before.types[i];
            if from == *to {
                nothing(out, &format!("{column} is already {}", to.as_str()));
                return Ok(());
            }
            let c = py_str(column);
            let order = if from == ColumnType::String
                && matches!(to, ColumnType::Date | ColumnType::Datetime)
            {
                let order = frozen::cast_order(before, i)?;
                out.push(format!(
                    "# Frozen: the values of {} read day/month as '{order}' in this file.",
                    comment_text(column)
                ));
                format!(", \"{order}\"")
            } else {
                String::new()
            };
            call(
                out,
                format!(
                    "cast(df, {c}, \"{}\", \"{}\"{order})",
                    type_name(from),
                    type_name(*to)
                ),
            );
        }
        Step::Outliers {
            column,
            rule,
            action,
        } => {
            let i = index(before, column)?;
            if let Some(why) = frozen::outliers_skipped(before, after, column, *action)? {
                nothing(out, &why);
                return Ok(());
            }
            let (rule, k) = match rule {
                OutlierRule::Iqr { k } => ("iqr", *k),
                OutlierRule::Zscore { threshold } => ("zscore", *threshold),
            };
            let tail = match action {
                OutlierAction::Flag => format!(
                    "\"flag\", {}",
                    py_str(&after.names().get(i + 1).cloned().unwrap_or_default())
                ),
                OutlierAction::Cap => "\"cap\"".to_string(),
                OutlierAction::Remove => "\"remove\"".to_string(),
            };
            call(
                out,
                format!(
                    "outliers(df, {}, \"{rule}\", {}, {tail})",
                    py_str(column),
                    py_float(k)
                ),
            );
        }
        Step::OneHot {
            column,
            max_categories,
        } => {
            let plan = frozen::one_hot(before, column, *max_categories)?;
            out.push(format!("# {}", comment_text(&plan.comment)));
            let shown: Vec<String> = plan.kept.iter().map(|c| py_shown(plan.ty, c)).collect();
            let other = plan.other.as_deref().map_or("None".to_string(), py_str);
            call(
                out,
                format!(
                    "one_hot(df, {}, {}, {}, {other})",
                    py_str(column),
                    py_list(&shown),
                    py_names(&plan.names)
                ),
            );
        }
        Step::Ordinal { column, order } => {
            let ty = before.types[index(before, column)?];
            let (codes, frozen) = frozen::ordinal_codes(before, after, column, order)?;
            if let Some(comment) = frozen {
                out.push(format!("# {}", comment_text(&comment)));
            }
            let pairs: Vec<String> = codes
                .iter()
                .map(|(k, s)| format!("({}, {k})", py_shown(ty, s)))
                .collect();
            call(
                out,
                format!("ordinal(df, {}, {})", py_str(column), py_list(&pairs)),
            );
        }
        Step::Scale { column, method } => {
            let i = index(before, column)?;
            if frozen::all_missing(before, i)? {
                nothing(out, "the column has no values");
                return Ok(());
            }
            let how = match method {
                Scaling::Standard => "standard",
                Scaling::MinMax => "minmax",
                Scaling::Robust => "robust",
            };
            call(out, format!("scale(df, {}, \"{how}\")", py_str(column)));
        }
        Step::Transform { column, transform } => {
            let (fitted, frozen) = frozen::fitted_transform(before, column, *transform)?;
            if let Some(comment) = frozen {
                out.push(format!("# {}", comment_text(&comment)));
            }
            let c = py_str(column);
            match fitted {
                Transform::Log1p => call(out, format!("log1p(df, {c})")),
                Transform::YeoJohnson { lambda } => call(
                    out,
                    format!(
                        "yeo_johnson(df, {c}, {}, {})",
                        py_float(lambda.unwrap_or(1.0)),
                        py_float(crate::core::clean::transform::LAMBDA_EPS)
                    ),
                ),
            }
        }
        Step::DropColumns { columns } => {
            if columns.is_empty() {
                nothing(out, "no columns named");
            } else {
                call(out, format!("df.drop({})", py_names(columns)));
            }
        }
        Step::DateParts { column, parts } => {
            let i = index(before, column)?;
            if parts.is_empty() {
                nothing(out, "no parts asked for");
                return Ok(());
            }
            let new_names = after.names();
            let names: Vec<String> = (0..parts.len())
                .map(|j| new_names.get(i + 1 + j).cloned().unwrap_or_default())
                .collect();
            let parts: Vec<String> = parts
                .iter()
                .map(|p| {
                    match p {
                        DatePart::Year => "\"year\"",
                        DatePart::Quarter => "\"quarter\"",
                        DatePart::Month => "\"month\"",
                        DatePart::Day => "\"day\"",
                        DatePart::Weekday => "\"weekday\"",
                    }
                    .to_string()
                })
                .collect();
            call(
                out,
                format!(
                    "date_parts(df, {}, {}, {})",
                    py_str(column),
                    py_list(&parts),
                    py_names(&names)
                ),
            );
        }
        Step::Rename { column, to } => {
            if column == to {
                nothing(out, "the name is unchanged");
            } else {
                call(
                    out,
                    format!("df.rename({{{}: {}}})", py_str(column), py_str(to)),
                );
            }
        }
        Step::Filter {
            column,
            test,
            value,
        } => {
            let i = index(before, column)?;
            let c = py_str(column);
            let (name, v) = match test {
                Test::IsMissing => ("is_missing", None),
                Test::NotMissing => ("not_missing", None),
                Test::Contains => ("contains", Some(py_str(value))),
                _ => {
                    let ty = before.types[i];
                    let v = py_value(ty, value).ok_or_else(|| CleanError::Internal {
                        message: format!("\"{value}\" does not read as {}", ty.as_str()),
                    })?;
                    let name = match test {
                        Test::Eq => "eq",
                        Test::Ne => "ne",
                        Test::Lt => "lt",
                        Test::Le => "le",
                        Test::Gt => "gt",
                        _ => "ge",
                    };
                    (name, Some(v))
                }
            };
            let v = v.map(|v| format!(", {v}")).unwrap_or_default();
            call(out, format!("filter_rows(df, {c}, \"{name}\"{v})"));
        }
    }
    Ok(())
}

/// The recipe as a polars (Python) script that reads the raw file
/// `file_name` (the file `source` was read from) and writes the cleaned
/// table as Parquet: the same columns, types, rows and row order as
/// `run(source, steps)`. Fails like `run` when a step cannot run.
pub fn to_polars(source: &Dataset, file_name: &str, steps: &[Step]) -> Result<String, CleanError> {
    let layout = Layout::of("polars", "export_polars", source)?;
    let mut body: Vec<String> = Vec::new();
    body.push(format!(
        "df = read_raw(path, separator={}, columns={}, header={}, utf16={}{})",
        py_str(&layout.delimiter.to_string()),
        layout.columns,
        if source.facts.has_header {
            "True"
        } else {
            "False"
        },
        if layout.utf16 { "True" } else { "False" },
        if source.facts.line_ending == "CR" {
            ", eol=\"\\r\""
        } else {
            ""
        }
    ));
    body.push(format!(
        "# Column names{} and types as Plainsight read them from this file.",
        if source.facts.has_header {
            " (from the header row)"
        } else {
            ""
        }
    ));
    body.push("df = df.select(".to_string());
    body.push("    ROW,".to_string());
    for (i, name) in source.names().iter().enumerate() {
        body.push(format!(
            "    {}.alias({}),",
            read_py(Read::of(source, i), &py_str(&format!("c{}", i + 1))),
            py_str(name)
        ));
    }
    body.push(")".to_string());
    let mut before = source.clone();
    for (i, step) in steps.iter().enumerate() {
        let n = i + 1;
        let mut after = before.clone();
        apply(&mut after, step).map_err(|e| e.at_step(n))?;
        body.push(String::new());
        body.push(format!("# Step {n}: {}", comment_text(&step.describe())));
        step_py(&mut body, step, &before, &after)?;
        before = after;
    }
    body.push("return df.sort(ROW).drop(ROW).collect()".to_string());

    let mut out = String::new();
    out.push_str(&super::spark::py_docstring(
        "polars (Python) code",
        file_name,
        &layout.described,
        "Run it:  python recipe.polars.py [RAW.csv [OUT.parquet]]   (pip install polars; 2.1 or later)
or from your own code:  clean(\"RAW.csv\")  returns the DataFrame.
The file is scanned lazily (UTF-16 files are read whole); a cast of decimal
numbers to text goes through Python, one value at a time.

Known differences from Plainsight: a row whose fields are all empty (,,) is
dropped like a blank line, where Plainsight keeps it as a row of missing
values; files that are not UTF-8 or UTF-16LE are refused.

",
        steps,
    ));
    out.push_str(PRELUDE);
    let na: Vec<String> = NA_TOKENS.iter().map(|t| py_str(t)).collect();
    out.push_str(&format!(
        "\n\n# ---------------------------------------------------------------------------\n\
         # This file and its recipe.\n\n\
         NA = {}\n\
         TRIM_ALL = {}\n\
         DATE_FIELDS = {}\n\
         NAMED_DATE = {}\n\
         ISO_WEEK = {}\n\
         ROW = {}\n\
         SOURCE = {}\n\
         OUTPUT = {}\n\n\n",
        py_list(&na),
        py_str(&TRIM_CHARS.iter().collect::<String>()),
        py_raw(DATE_FIELDS),
        py_raw(NAMED_DATE),
        py_raw(ISO_WEEK),
        py_str(&row_name(source, steps)),
        py_str(file_name),
        py_str(&format!(
            "{}.cleaned.parquet",
            super::spark::base_name(file_name)
        )),
    ));
    out.push_str("def clean(path=SOURCE):\n");
    out.push_str(
        "    \"\"\"The cleaned table of the raw file at `path`, in the file's row order.\"\"\"\n",
    );
    for line in body {
        if line.is_empty() {
            out.push('\n');
        } else {
            out.push_str("    ");
            out.push_str(&line);
            out.push('\n');
        }
    }
    out.push_str(
        r#"

def main(argv):
    source = argv[1] if len(argv) > 1 else SOURCE
    output = argv[2] if len(argv) > 2 else OUTPUT
    clean(source).write_parquet(output)
    print(f"wrote {output}")


if __name__ == "__main__":
    main(sys.argv)
"#,
    );
    Ok(out)
}
