//! Display formatting: the pure parts live in the core; dates of the
//! browser's clock and locale here.

pub use crate::core::format::*;

/// A date-time for people, from milliseconds since the epoch.
pub fn when(ms: f64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms));
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes()
    )
}

/// A date-time for people, from ISO 8601 text ("" stays "").
pub fn when_iso(iso: &str) -> String {
    let ms = js_sys::Date::parse(iso);
    if ms.is_nan() {
        iso.to_string()
    } else {
        when(ms)
    }
}

/// A table cell as shown: its text ("—" when missing, a long decimal
/// rounded) and its hover title (the full decimal, and what it `was` when
/// a step changed it, as the caller writes that).
pub fn cell_view(text: &str, was: Option<&str>) -> (String, Option<String>) {
    let rounded = long_decimal(text);
    let title = match (was, &rounded) {
        (Some(w), Some(_)) => Some(format!("{text} (was: {w})")),
        (Some(w), None) => Some(format!("was: {w}")),
        (None, Some(_)) => Some(text.to_string()),
        (None, None) => None,
    };
    let shown = if text.is_empty() {
        "—".to_string()
    } else {
        rounded.unwrap_or_else(|| text.to_string())
    };
    (shown, title)
}
