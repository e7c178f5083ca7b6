//! The grid of the cleaned data: every row, a page at a time, each cell the
//! recipe changed highlighted with what it was (`td[data-changed]`, its
//! `title`), and the columns a step made marked as new.

use std::rc::Rc;

use yew::prelude::*;

use super::controller::Controller;
use super::format;
use crate::core::clean::diff::{Cell, Mark};

/// Rows per page of the grid.
pub const GRID_PAGE: usize = 50;

/// A page of the grid as the worker sent it.
#[derive(Clone, Debug, PartialEq)]
pub struct GridPage {
    pub offset: usize,
    pub total: usize,
    pub rows: Rc<Vec<Vec<Cell>>>,
    /// The changed row a "next change" found (None: none, or not sought).
    pub found: Option<usize>,
}

/// What the grid asks for: a page, or the page of the next change at or
/// after a row.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Want {
    Page(usize),
    NextChange(usize),
}

#[derive(Properties, PartialEq)]
pub struct CleanGridProps {
    /// The cleaned data's column names.
    pub names: Vec<String>,
    /// Their types (the contract's names: integer, float, …), in order.
    pub types: Vec<String>,
    /// Which run of the recipe is shown (also the grid's key).
    pub run: String,
    pub ctl: Controller,
}

#[component]
pub fn CleanGrid(props: &CleanGridProps) -> Html {
    let want = use_state(|| Want::Page(0));
    let page = use_state(|| None::<GridPage>);
    // Set when a "next change" found none after the row it started from.
    let no_more = use_state(|| None::<usize>);
    // A new run starts on the first page: the Clean tab keys the grid by
    // the run, so it is made anew.
    {
        let (ctl, page, no_more) = (props.ctl.clone(), page.clone(), no_more.clone());
        use_effect_with((props.run.clone(), *want), move |(_, want)| {
            let (at, seek) = match *want {
                Want::Page(at) => (at, false),
                Want::NextChange(from) => (from, true),
            };
            let page = page.clone();
            ctl.clean_rows(
                at,
                GRID_PAGE,
                seek,
                Callback::from(move |p: GridPage| {
                    if seek && p.found.is_none() {
                        no_more.set(Some(at));
                    } else {
                        no_more.set(None);
                        page.set(Some(p));
                    }
                }),
            );
        });
    }
    // The changed row found gets the focus (its first changed cell), which
    // scrolls it into view and shows what the cell was.
    use_effect_with(page.as_ref().and_then(|p| p.found), |found| {
        if found.is_some() {
            if let Some(cell) =
                super::html_element("[data-testid=clean-grid] tr[data-found] td[data-changed]")
            {
                let _ = cell.focus();
            }
        }
    });
    let Some(p) = (*page).clone() else {
        return html! { <p class="muted" data-testid="clean-grid-loading">{"Reading the cleaned rows…"}</p> };
    };
    let end = p.offset + p.rows.len();
    let go = |to: Want| {
        let want = want.clone();
        Callback::from(move |_: MouseEvent| want.set(to))
    };
    // The next change after the one found, else after this page's start.
    let seek_from = p.found.map_or(p.offset, |r| r + 1);
    let changed = p
        .rows
        .iter()
        .flatten()
        .filter(|c| matches!(c.mark, Mark::Changed(_)))
        .count();
    html! {
        <div class="clean-grid">
            <div class="grid-nav">
                <button class="ghost" data-testid="clean-grid-prev" disabled={p.offset == 0}
                    onclick={go(Want::Page(p.offset.saturating_sub(GRID_PAGE)))}>{"← Previous"}</button>
                <span data-testid="clean-grid-range" data-offset={p.offset.to_string()} data-total={p.total.to_string()}>
                    { if p.total == 0 { "No rows".to_string() } else {
                        format!("Rows {}–{} of {}", format::int((p.offset + 1) as u64), format::int(end as u64), format::int(p.total as u64))
                    } }
                </span>
                <button class="ghost" data-testid="clean-grid-next" disabled={end >= p.total}
                    onclick={go(Want::Page(end))}>{"Next →"}</button>
                <button class="ghost" data-testid="clean-grid-next-change" disabled={no_more.is_some()}
                    onclick={go(Want::NextChange(seek_from))}>{"Next change ↓"}</button>
                if let Some(from) = *no_more {
                    <span class="small" data-testid="clean-grid-no-more" role="status">{
                        if from == 0 {
                            "The recipe changed no cell (it may remove rows or add columns).".to_string()
                        } else {
                            format!("No change after row {}.", format::int(from as u64))
                        }
                    }</span>
                }
                <span class="muted small">{ format!(
                    "{} on this page; highlighted cells were changed by the recipe (hover for the value it had), columns marked “new” were made by a step.",
                    format::count(changed as u64, "changed cell", "changed cells")
                ) }</span>
            </div>
            <div class="sample" data-testid="clean-sample" tabindex="0" role="region" aria-label="Cleaned data, this page">
                <table class="mini" data-testid="clean-grid">
                    <thead><tr>
                        <th scope="col" class="num">{"#"}</th>
                        { for props.names.iter().enumerate().map(|(j, n)| {
                            let added = p.rows.first().and_then(|r| r.get(j)).is_some_and(|c| c.mark == Mark::Added);
                            let kind = props.types.get(j).cloned().unwrap_or_default();
                            html! { <th scope="col" data-column={n.clone()} data-type={kind}>{ n }if added { {" "}<span class="badge">{"new"}</span> }</th> }
                        }) }
                    </tr></thead>
                    <tbody>
                        { for p.rows.iter().enumerate().map(|(i, row)| html! {
                            <tr data-row={(p.offset + i).to_string()} data-found={(p.found == Some(p.offset + i)).then_some("true")}
                                class={classes!((p.found == Some(p.offset + i)).then_some("found"))}>
                                <th scope="row" class="num muted">{ format::int((p.offset + i + 1) as u64) }</th>
                                { for row.iter().map(cell) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </div>
        </div>
    }
}

/// A cell of the grid: a long decimal (a filled mean, a transformed value)
/// is shown rounded like the rest of the page, in full on hover and in
/// `data-value`.
fn cell(c: &Cell) -> Html {
    let was = match &c.mark {
        Mark::Changed(was) if was.is_empty() => Some("— (missing)".to_string()),
        Mark::Changed(was) => Some(was.clone()),
        _ => None,
    };
    let changed = was.is_some();
    let (shown, title) = format::cell_view(&c.text, was.as_deref());
    // Focusable, so a tap (or the keyboard) shows what it was too.
    html! {
        <td data-value={c.text.clone()} data-changed={changed.then_some("true")} {title}
            data-was={was} tabindex={changed.then_some("0")}
            class={classes!(c.text.is_empty().then_some("missing"), changed.then_some("changed"), (c.mark == Mark::Added).then_some("added"))}>
            { shown }
        </td>
    }
}
