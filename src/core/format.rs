//! Number formatting for people (visible text) and for machines (`data-value`).

/// `data-value` of a float: Rust `{}` formatting, `NaN` / `inf` as is.
pub fn machine_f64(v: Option<f64>) -> String {
    v.map(|v| format!("{v}")).unwrap_or_default()
}

/// Visible text of an integer with thousands separators.
pub fn int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Visible text of a float: thousands separators, about 4 significant digits
/// for small numbers, 2 decimals for large ones.
pub fn num(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    let decimals = if a == 0.0 || a >= 1000.0 {
        if v.fract() == 0.0 {
            0
        } else {
            2
        }
    } else if a >= 1.0 {
        3
    } else {
        // keep 4 significant digits
        ((-a.log10()).floor() as usize + 4).min(12)
    };
    let s = format!("{:.*}", decimals, a);
    let (int_part, frac) = match s.split_once('.') {
        Some((i, f)) => (i.to_string(), Some(f.trim_end_matches('0').to_string())),
        None => (s.clone(), None),
    };
    let mut out = String::new();
    if v < 0.0 {
        out.push('-');
    }
    out.push_str(&int(int_part.parse::<u64>().unwrap_or(0)));
    if let Some(f) = frac.filter(|f| !f.is_empty()) {
        out.push('.');
        out.push_str(&f);
    }
    out
}

/// Visible text of an engine machine value (min/max): numbers get
/// separators, other text (dates) stays as is.
pub fn value_text(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(f) if !v.contains('-') || v.starts_with('-') && !v[1..].contains('-') => num(f),
        _ => v.to_string(),
    }
}

pub fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "0%".into();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p > 0.0 && p < 0.1 {
        "<0.1%".into()
    } else {
        format!("{p:.1}%")
    }
}

/// "1 cell changed", "1,234 cells changed".
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", int(n), if n == 1 { one } else { many })
}
