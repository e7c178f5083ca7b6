//! Plain-text tables and numbers for the terminal.

/// Lines of left-aligned columns separated by two spaces.
pub(crate) fn table(header: Vec<String>, rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = cells
            .iter()
            .zip(&widths)
            .map(|(c, &w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ");
        s.truncate(s.trim_end().len());
        s.push('\n');
        s
    };
    let mut out = line(&header);
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

pub(crate) fn num(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_finite() && v.abs() < 1e15 => {
            let s = format!("{v:.4}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        Some(v) => v.to_string(),
        None => String::new(),
    }
}

pub(crate) fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}
