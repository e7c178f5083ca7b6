//! `plainsight profile`: the file's facts and one row per column.

use std::io::Write;

use plainsight::core::model::{ColumnProfile, DatasetProfile};
use plainsight::core::profile::profile_with;
use plainsight::core::runner::Threads;
use plainsight::messages;

use crate::io::{read_file, write_out};
use crate::text::{cut, num, table};

pub(crate) fn profile_cmd(path: &str, json: bool) -> i32 {
    let ds = match read_file(path) {
        Ok(ds) => ds,
        Err(message) => {
            eprintln!("{message}");
            return 1;
        }
    };
    let p = profile_with(&ds, &Threads);
    drop(ds);
    if json {
        match serde_json::to_string_pretty(&p) {
            Ok(text) => write_out(|out| writeln!(out, "{text}")),
            Err(e) => {
                eprintln!("plainsight: could not write the profile: {e}");
                1
            }
        }
    } else {
        write_out(|out| out.write_all(summary(&p).as_bytes()))
    }
}

/// A readable summary: the file's facts, then one row per column.
pub(crate) fn summary(p: &DatasetProfile) -> String {
    let f = &p.facts;
    let how = match &f.sheet {
        Some(sheet) => format!("{}, sheet \"{sheet}\"", f.format.label()),
        None if !f.format.is_text() => f.format.label().to_string(),
        None => format!(
            "{}{}, {} line endings",
            f.encoding,
            match f.delimiter {
                Some('\t') => ", tab-separated".to_string(),
                Some(d) => format!(", delimiter '{d}'"),
                None => String::new(),
            },
            f.line_ending
        ),
    };
    let mut out = format!(
        "{}: {} rows × {} columns, {} ({how})\n",
        f.name,
        p.rows,
        p.columns,
        messages::bytes(f.size_bytes),
    );
    out.push_str(&format!(
        "duplicate rows: {}   memory: {}\n\n",
        p.duplicate_rows,
        messages::bytes(p.memory_bytes)
    ));
    let header = [
        "column", "type", "count", "missing", "distinct", "mean", "std", "min", "p50", "max", "top",
    ];
    let rows: Vec<Vec<String>> = p.column_profiles.iter().map(column_row).collect();
    out.push_str(&table(
        header.iter().map(|h| h.to_string()).collect(),
        &rows,
    ));
    if !p.notes.is_empty() {
        out.push_str("\nnotes:\n");
        for n in &p.notes {
            out.push_str(&format!("- {}\n", n.message));
        }
    }
    out
}

fn column_row(c: &ColumnProfile) -> Vec<String> {
    let top = c
        .top
        .first()
        .map(|(v, n)| format!("{} ({n})", cut(v, 20)))
        .unwrap_or_default();
    vec![
        cut(&c.name, 24),
        c.dtype.as_str().to_string(),
        c.count.to_string(),
        c.missing.to_string(),
        c.distinct.to_string(),
        num(c.mean),
        num(c.std),
        cut(c.min.as_deref().unwrap_or(""), 20),
        num(c.p50),
        cut(c.max.as_deref().unwrap_or(""), 20),
        top,
    ]
}
