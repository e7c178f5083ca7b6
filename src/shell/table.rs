//! The virtualised preview table: only the visible rows exist in the DOM;
//! the worker sends the window of rows (sorted there) on every scroll.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use super::controller::Controller;
use super::protocol::SortKey;
use super::state::Preview;
use crate::core::model::ColumnProfile;
use crate::core::report::esc;
use crate::core::{ColumnType, DatasetProfile};

const ROW_PX: f64 = 28.0;
const VIEW_PX: f64 = 420.0;
/// Browsers cap an element's height; past this the scroll maps to rows by ratio.
const MAX_SCROLL_PX: f64 = 8_000_000.0;
const OVERSCAN: usize = 10;

/// Width of a column by its type, in rem.
fn column_rem(t: ColumnType) -> f64 {
    match t {
        ColumnType::Boolean => 6.0,
        ColumnType::Integer | ColumnType::Float | ColumnType::Date => 8.0,
        ColumnType::Datetime => 12.0,
        ColumnType::String => 11.0,
    }
}

#[derive(Properties, PartialEq)]
pub struct TableProps {
    pub profile: Rc<DatasetProfile>,
    pub preview: Preview,
    pub ready: bool,
    pub ctl: Controller,
}

fn window_for(scroll_top: f64, total: usize) -> (usize, usize) {
    let visible = (VIEW_PX / ROW_PX).ceil() as usize + 1;
    let full = total as f64 * ROW_PX;
    let first = if full <= MAX_SCROLL_PX {
        (scroll_top / ROW_PX).floor() as usize
    } else {
        let ratio = scroll_top / (MAX_SCROLL_PX - VIEW_PX).max(1.0);
        (ratio * total.saturating_sub(visible) as f64).round() as usize
    };
    let first = first.min(total.saturating_sub(1));
    let start = first.saturating_sub(OVERSCAN);
    (start, visible + 2 * OVERSCAN)
}

/// The rows of the window, as HTML with every text escaped. One string
/// the browser parses costs the page a fraction of building each cell
/// through the DOM (a first window of 37 rows × 20 columns was 740 cells
/// and about 5,000 attribute calls: 40–90 ms of the page's thread while
/// the engine computed the insights beside it, BENCHMARKS.md goal 9), and
/// a render that changes nothing else compares one string, not 740 cells.
/// The cells take no events.
fn rows_html(
    pv: &Preview,
    rows: std::ops::Range<usize>,
    columns: &[ColumnProfile],
    template: &str,
) -> String {
    use std::fmt::Write;
    // Escaped for a double-quoted attribute or text; a carriage return
    // would be read as a line feed. (A NUL cannot be written in HTML: the
    // parser drops it from text and reads U+FFFD in an attribute.)
    let attr = |s: &str| esc(s).replace('\r', "&#13;");
    let names: Vec<String> = columns.iter().map(|c| attr(&c.name)).collect();
    let template = attr(template);
    let first = rows.start;
    let rows = pv.rows.get(rows).unwrap_or_default();
    let mut out = String::with_capacity(rows.len() * (64 + columns.len() * 128));
    for (i, row) in rows.iter().enumerate() {
        let n = pv.offset + first + i;
        let _ = write!(
            out,
            r#"<div role="row" class="tr" style="{template}"><div role="rowheader" class="td rownum">{}</div>"#,
            super::format::int(n as u64 + 1)
        );
        for ((cell, c), name) in row.iter().zip(columns).zip(&names) {
            let class = match (c.dtype.is_numeric(), cell.is_empty()) {
                (true, true) => "td num missing",
                (true, false) => "td num",
                (false, true) => "td missing",
                (false, false) => "td",
            };
            let value = attr(cell);
            let shown = if cell.is_empty() {
                "∅"
            } else {
                value.as_str()
            };
            let _ = write!(
                out,
                r#"<div role="cell" class="{class}" data-testid="preview-cell" data-row="{n}" data-column="{name}" data-value="{value}" title="{value}">{shown}</div>"#
            );
        }
        out.push_str("</div>");
    }
    out
}

/// Cells drawn in one frame at most: about 20 ms of the browser's layout
/// and paint on a busy 2-core machine.
const CELLS_PER_FRAME: usize = 160;

/// A window of `len` rows in parts of `per` rows, in the order they are
/// drawn: the rows in `view` (from, to), then the rows below them, then
/// the rows above them, nearest first.
fn draw_order(view: (usize, usize), len: usize, per: usize) -> Vec<std::ops::Range<usize>> {
    let per = per.max(1);
    let (from, to) = (view.0.min(len), view.1.clamp(view.0.min(len), len));
    let mut parts = Vec::new();
    let mut at = from;
    while at < len {
        let end = (at + per).min(if at < to { to } else { len });
        parts.push(at..end);
        at = end;
    }
    let mut at = from;
    while at > 0 {
        let start = at.saturating_sub(per);
        parts.push(start..at);
        at = start;
    }
    parts
}

#[component]
pub fn PreviewTable(props: &TableProps) -> Html {
    let scroll_top = use_state(|| 0.0f64);
    // The window being drawn: its rows, the rows that were in view when it
    // came, and how many of its parts are drawn ([`draw_order`]).
    let drawn = use_state(|| None::<(Rc<Vec<Vec<String>>>, (usize, usize), usize)>);
    let pv = &props.preview;
    let total = pv.total;

    // Ask for rows whenever the data, the sort or the scroll position changes.
    {
        let ctl = props.ctl.clone();
        let deps = (
            props.ready,
            pv.dataset.clone(),
            pv.sort,
            pv.filter.clone(),
            (*scroll_top / ROW_PX) as u64 / 5,
        );
        let top = *scroll_top;
        use_effect_with(deps, move |(ready, _, sort, filter, _)| {
            if *ready {
                let (offset, limit) = window_for(top, total);
                ctl.request_rows(offset, limit, *sort, filter.clone());
            }
        });
    }
    let on_scroll = {
        let scroll_top = scroll_top.clone();
        Callback::from(move |e: Event| {
            if let Some(el) = e.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
                scroll_top.set(el.scroll_top() as f64);
            }
        })
    };
    let columns = &props.profile.column_profiles;
    let header = columns.iter().enumerate().map(|(i, c)| {
        let state = match pv.sort {
            Some(k) if k.column == i => if k.descending { "desc" } else { "asc" },
            _ => "none",
        };
        let next = match pv.sort {
            Some(k) if k.column == i && !k.descending => Some(SortKey { column: i, descending: true }),
            Some(k) if k.column == i && k.descending => None,
            _ => Some(SortKey { column: i, descending: false }),
        };
        let ctl = props.ctl.clone();
        let aria = match state { "asc" => "ascending", "desc" => "descending", _ => "none" };
        let arrow = match state { "asc" => " ▲", "desc" => " ▼", _ => "" };
        let numeric = c.dtype.is_numeric();
        html! {
            <div role="columnheader" aria-sort={aria} class={classes!("th", numeric.then_some("num"))}>
                <button data-testid="preview-header" data-column={c.name.clone()} data-sort={state}
                    title={format!("Sort by {}", c.name)}
                    onclick={Callback::from(move |_| ctl.set_sort(next))}>
                    { format!("{}{}", c.name, arrow) }
                </button>
            </div>
        }
    });
    let full = total as f64 * ROW_PX;
    let spacer = full.min(MAX_SCROLL_PX);
    // Place the window where the scroll position shows it.
    let (want_start, _) = window_for(*scroll_top, total);
    let shift = pv.offset as f64 - want_start as f64;
    let top_px = if full <= MAX_SCROLL_PX {
        pv.offset as f64 * ROW_PX
    } else {
        (*scroll_top - (OVERSCAN as f64 - shift) * ROW_PX).max(0.0)
    };
    // One fixed width per column, shared by the header and every row, so the
    // columns line up whatever the cells hold.
    let widths: Vec<f64> = columns.iter().map(|c| column_rem(c.dtype)).collect();
    // Row numbers with thousands separators: about 0.62rem a character.
    let digits = super::format::int(total as u64).len() as f64;
    let rownum_rem = (digits * 0.62 + 1.4).max(3.0);
    let total_rem = rownum_rem + widths.iter().sum::<f64>();
    let template = format!(
        "grid-template-columns: {rownum_rem}rem {}; width: {total_rem}rem;",
        widths
            .iter()
            .map(|w| format!("{w}rem"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    // The window's rows are drawn a few at a time, a frame each: the rows
    // in view first, then those below, then those above (there for
    // scrolling), each few a box of its own that the browser lays out and
    // paints apart. A window of 37 rows drawn at once took 72–87 ms of the
    // page's thread in one frame (12 and 20 columns, 2 busy cores: 150–170
    // ms of wall clock; BENCHMARKS.md goal 9).
    let len = pv.rows.len();
    let view = {
        let at = |px: f64| (((px - top_px) / ROW_PX).max(0.0) as usize).min(len);
        let from = at(*scroll_top);
        let to = (at(*scroll_top + VIEW_PX) + 1).clamp(from, len);
        (from, to)
    };
    let (view, shown) = match drawn.as_ref().filter(|d| Rc::ptr_eq(&d.0, &pv.rows)) {
        Some(d) => (d.1, d.2),
        None => (view, 1),
    };
    let per_frame = (CELLS_PER_FRAME / (columns.len() + 1)).max(4);
    let mut parts = draw_order(view, len, per_frame);
    let shown = shown.min(parts.len());
    {
        let drawn = drawn.clone();
        let rows = pv.rows.clone();
        let more = shown < parts.len();
        use_effect_with(
            (Rc::as_ptr(&pv.rows) as usize, shown),
            move |&(_, shown)| {
                if more {
                    super::after_next_frame(move || drawn.set(Some((rows, view, shown + 1))));
                }
            },
        );
    }
    parts.truncate(shown);
    parts.sort_by_key(|p| p.start);
    let blocks = parts.into_iter().map(|rows| {
        let top = top_px + rows.start as f64 * ROW_PX;
        let key = rows.start.to_string();
        let html = AttrValue::from(rows_html(pv, rows, columns, &template));
        html! {
            <div key={key} style={format!("position:absolute; top:{top}px; left:0")}>
                { Html::from_html_unchecked(html) }
            </div>
        }
    });
    let filter = pv.filter.as_ref().map(|f| {
        let name = columns.get(f.column).map(|c| c.name.clone()).unwrap_or_default();
        let clear = {
            let ctl = props.ctl.clone();
            Callback::from(move |_| ctl.show_rows_where(None))
        };
        let value = if f.value.is_empty() { "missing".to_string() } else { format!("“{}”", f.value) };
        html! {
            <p class="row-filter" data-testid="preview-filter" data-column={name.clone()} data-value={f.value.clone()}>
                { format!("Only the rows where {name} is {value}: {}. ", super::format::count(total as u64, "row", "rows")) }
                <button class="ghost" data-testid="preview-filter-clear" onclick={clear}>{"Show all rows"}</button>
            </p>
        }
    });
    html! {
        <div class="preview" data-testid="preview-table" data-rows={total.to_string()}>
            { filter.unwrap_or_default() }
            // The scrolling box is the table (a focusable child of a table
            // is not allowed: it would hide the rows from screen readers).
            <div class="scroller" onscroll={on_scroll} role="table"
                aria-label="Rows of the dataset" aria-rowcount={total.to_string()}
                style={format!("height:{VIEW_PX}px")} tabindex="0">
                <div class="thead" role="row" style={template.clone()}>
                    <div class="th rownum" role="columnheader">{"#"}</div>
                    { for header }
                </div>
                <div style={format!("height:{spacer}px; width:{total_rem}rem; position:relative")}>
                    { for blocks }
                </div>
            </div>
            if !props.ready {
                <p class="muted small">{"Reading the rows…"}</p>
            }
        </div>
    }
}
