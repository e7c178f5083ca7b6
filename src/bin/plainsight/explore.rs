//! `plainsight trend` and `group`: the Explore tab's tables.

use std::io::Write;

use plainsight::core::explore::aggregate::ExploreError;
use plainsight::core::ingest::Dataset;
use plainsight::messages;

use crate::io::{print_json, read_or_exit, usage, write_out};
use crate::text::{cut, num, table};

pub(crate) fn trend_cmd(
    path: &str,
    date: &str,
    value: Option<&str>,
    agg: &str,
    by: Option<&str>,
    json: bool,
) -> i32 {
    use plainsight::core::explore::aggregate::Agg;
    use plainsight::core::explore::trend::{trend, Granularity};
    let Some(agg) = Agg::parse(agg) else {
        return usage(&format!(
            "unknown aggregation \"{agg}\" (sum, mean, median, min, max or count)"
        ));
    };
    let by = match by.map(|b| (b, Granularity::parse(b))) {
        None => None,
        Some((_, Some(g))) => Some(g),
        Some((b, None)) => {
            return usage(&format!(
                "unknown period \"{b}\" (day, week, month or quarter)"
            ))
        }
    };
    answer(
        path,
        json,
        |ds| trend(ds, date, value, agg, by),
        |t| {
            let what = match &t.value {
                Some(v) => format!("{} {v}", t.agg.label()),
                None => "rows".to_string(),
            };
            let mut text = format!(
                "{what} per {} of {}, {} to {}{}\n\n",
                t.granularity.as_str(),
                t.date,
                t.first,
                t.last,
                if t.auto {
                    " (period chosen from the span: the finest with at most about 100 periods)"
                } else {
                    ""
                }
            );
            let rows: Vec<Vec<String>> = t
                .periods
                .iter()
                .map(|p| vec![p.label.clone(), p.rows.to_string(), num(p.value)])
                .collect();
            text.push_str(&table(
                vec!["period".into(), "rows".into(), what.clone()],
                &rows,
            ));
            if let Some(c) = &t.change {
                text.push_str(&format!(
                    "\n{} against {}: {}{}\n",
                    c.current,
                    c.previous,
                    match c.change_percent {
                        Some(p) => format!("{p:+.1}%"),
                        None => "no change to compute".to_string(),
                    },
                    if c.partial {
                        format!(" ({} is incomplete: the data ends {})", c.current, t.last)
                    } else {
                        String::new()
                    }
                ));
            }
            text
        },
    )
}

pub(crate) fn group_cmd(
    path: &str,
    by: &[String],
    measure: &[String],
    sort: Option<&str>,
    limit: usize,
    json: bool,
) -> i32 {
    use plainsight::core::explore::aggregate::Agg;
    use plainsight::core::explore::groupby::{group_by, DatePart, Dimension, Measure};
    // A column whose name has a colon is taken whole.
    let dims: Vec<Dimension> = by
        .iter()
        .map(|value| {
            match value
                .rsplit_once(':')
                .and_then(|(name, part)| Some((name, DatePart::parse(part)?)))
            {
                Some((name, part)) => Dimension::date_part(name, part),
                None => Dimension::column(value),
            }
        })
        .collect();
    let mut measures = Vec::new();
    for value in measure {
        measures.push(match value.split_once(':') {
            _ if value == "rows" => Measure::rows(),
            Some((agg, column)) => match Agg::parse(agg) {
                Some(agg) => Measure::of(agg, column),
                None => return usage(&format!("unknown aggregation \"{agg}\"")),
            },
            None => return usage(&format!("a measure is AGG:COLUMN or rows, not \"{value}\"")),
        });
    }
    let sort = match sort {
        None => None,
        Some(value) => {
            let (n, asc) = match value.strip_suffix(":asc") {
                Some(n) => (n, true),
                None => (value.strip_suffix(":desc").unwrap_or(value), false),
            };
            match n.parse::<usize>() {
                Ok(n) if n >= 1 => Some((n - 1, !asc)),
                _ => {
                    return usage(&format!(
                        "--sort takes a measure number from 1, not \"{value}\""
                    ))
                }
            }
        }
    };
    if dims.is_empty() {
        return usage("group needs --by COL");
    }
    if measures.is_empty() {
        measures.push(Measure::rows());
    }
    answer(
        path,
        json,
        |ds| group_by(ds, &dims, &measures, sort, limit),
        |t| {
            // The rows of each group, unless a measure already counts them.
            let show_rows = !measures.iter().any(|m| m.column.is_none());
            let mut header = t.dimensions.clone();
            if show_rows {
                header.push("rows".into());
            }
            header.extend(t.measures.iter().cloned());
            let rows: Vec<Vec<String>> = t
                .rows
                .iter()
                .map(|r| {
                    let mut cells: Vec<String> = r.keys.iter().map(|k| cut(k, 30)).collect();
                    if show_rows {
                        cells.push(r.rows.to_string());
                    }
                    cells.extend(r.values.iter().map(|v| num(*v)));
                    cells
                })
                .collect();
            let mut text = table(header, &rows);
            if t.truncated {
                text.push_str(&format!(
                    "\n{} of {} groups shown (--limit to show more)\n",
                    t.rows.len(),
                    t.groups
                ));
            }
            text
        },
    )
}

/// Reads the file, computes the table, and prints it as JSON or as the text
/// `text` writes: exit code 1 when the file or the table fails.
fn answer<T: serde::Serialize>(
    path: &str,
    json: bool,
    compute: impl FnOnce(&Dataset) -> Result<T, ExploreError>,
    text: impl FnOnce(&T) -> String,
) -> i32 {
    let ds = match read_or_exit(path) {
        Ok(ds) => ds,
        Err(code) => return code,
    };
    let t = match compute(&ds) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}", messages::explore_error(&e));
            return 1;
        }
    };
    if json {
        return print_json(&t);
    }
    let text = text(&t);
    write_out(|o| o.write_all(text.as_bytes()))
}
