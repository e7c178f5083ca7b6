//! The virtualised preview table: only the visible rows exist in the DOM;
//! the worker sends the window of rows (sorted there) on every scroll.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;
use yew::prelude::*;

use super::controller::Controller;
use super::protocol::SortKey;
use super::state::Preview;
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

#[component]
pub fn PreviewTable(props: &TableProps) -> Html {
    let scroll_top = use_state(|| 0.0f64);
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
    let body = pv.rows.iter().enumerate().map(|(i, row)| {
        let n = pv.offset + i;
        html! {
            <div role="row" class="tr" style={template.clone()}>
                <div role="rowheader" class="td rownum">{ super::format::int(n as u64 + 1) }</div>
                { for row.iter().zip(columns.iter()).map(|(cell, c)| html! {
                    <div role="cell" class={classes!("td", c.dtype.is_numeric().then_some("num"), cell.is_empty().then_some("missing"))}
                        data-testid="preview-cell" data-row={n.to_string()} data-column={c.name.clone()}
                        data-value={cell.clone()} title={cell.clone()}>
                        { if cell.is_empty() { "∅".to_string() } else { cell.clone() } }
                    </div>
                }) }
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
                    <div style={format!("position:absolute; top:{top_px}px; left:0")}>
                        { for body }
                    </div>
                </div>
            </div>
            if !props.ready {
                <p class="muted small">{"Reading the rows…"}</p>
            }
        </div>
    }
}
