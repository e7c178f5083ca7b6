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
    // Past what separators can write (u64), and past reading anyway.
    if a >= 1e15 {
        return format!("{v:.3e}");
    }
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

/// A number in a tile or a sentence: three significant figures below
/// 1,000 ("0.0123", "12.3", "987"), whole numbers with separators from
/// 1,000 on ("5,094"); the full value goes in `data-value` and on hover.
pub fn short(v: f64) -> String {
    if !v.is_finite() {
        return format!("{v}");
    }
    let a = v.abs();
    if a >= 1000.0 {
        return num(v.round());
    }
    if a == 0.0 {
        return "0".into();
    }
    // Round to three significant figures first, so 999.7 becomes 1,000.
    let magnitude = a.log10().floor() as i32;
    let scale = 10f64.powi(2 - magnitude);
    let rounded = (v * scale).round() / scale;
    if rounded.abs() >= 1000.0 {
        return num(rounded);
    }
    let decimals = (2 - rounded.abs().log10().floor() as i32).clamp(0, 15) as usize;
    let s = format!("{rounded:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A strftime date format as people write patterns: "%d/%m/%Y" →
/// "DD/MM/YYYY", "%Y-%m-%dT%H:%M:%S%.f" → "YYYY-MM-DDThh:mm:ss.fff".
pub fn date_pattern(strftime: &str) -> String {
    let mut out = String::new();
    let mut chars = strftime.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let part = match chars.next() {
            Some('Y') => "YYYY",
            Some('y') => "YY",
            Some('m') => "MM",
            Some('d') => "DD",
            Some('H') => "hh",
            Some('M') => "mm",
            Some('S') => "ss",
            Some('.') => {
                chars.next();
                ".fff"
            }
            Some(':') => {
                chars.next();
                "+hh:mm"
            }
            Some('z') => "+hhmm",
            Some('b') => "Mon",
            Some('B') => "Month",
            Some(other) => {
                out.push('%');
                out.push(other);
                continue;
            }
            None => "%",
        };
        out.push_str(part);
    }
    out
}

/// A table cell's text as shown: a decimal with more than six digits
/// after the point (a filled mean, a transformed or scaled value) rounded
/// like the rest of the page ([`num`]); None when it is shown as it is.
/// The full text stays in `data-value` and on hover.
pub fn long_decimal(text: &str) -> Option<String> {
    let (_, frac) = text.split_once('.')?;
    if frac.len() <= 6 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Only a number as the engine writes one (a text code such as
    // "000123.4567890" is left as it is).
    let v = text.parse::<f64>().ok()?;
    (v.to_string() == text).then(|| num(v))
}

/// [`value_text`] with numbers as [`short`].
pub fn value_short(v: &str) -> String {
    value_with(v, short)
}

/// Visible text of an engine machine value (min/max): numbers get
/// separators, other text (dates) stays as is.
pub fn value_text(v: &str) -> String {
    value_with(v, num)
}

/// `v` through `number` when it is a number (a date's dashes are not a
/// minus sign), else as it is.
fn value_with(v: &str, number: fn(f64) -> String) -> String {
    match v.parse::<f64>() {
        Ok(f) if !v.contains('-') || v.starts_with('-') && !v[1..].contains('-') => number(f),
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
