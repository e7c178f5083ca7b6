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
}

#[derive(Properties, PartialEq)]
pub struct CleanGridProps {
    /// The cleaned data's column names.
    pub names: Vec<String>,
    /// Which run of the recipe is shown (also the grid's key).
    pub run: String,
    pub ctl: Controller,
}

#[component]
pub fn CleanGrid(props: &CleanGridProps) -> Html {
    let offset = use_state(|| 0usize);
    let page = use_state(|| None::<GridPage>);
    // A new run starts on the first page: the Clean tab keys the grid by
    // the run, so it is made anew.
    {
        let (ctl, page) = (props.ctl.clone(), page.clone());
        use_effect_with((props.run.clone(), *offset), move |(_, at)| {
            let page = page.clone();
            ctl.clean_rows(*at, GRID_PAGE, Callback::from(move |p| page.set(Some(p))));
        });
    }
    let Some(p) = (*page).clone() else {
        return html! { <p class="muted" data-testid="clean-grid-loading">{"Reading the cleaned rows…"}</p> };
    };
    let end = p.offset + p.rows.len();
    let go = |to: usize| {
        let offset = offset.clone();
        Callback::from(move |_: MouseEvent| offset.set(to))
    };
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
                    onclick={go(p.offset.saturating_sub(GRID_PAGE))}>{"← Previous"}</button>
                <span data-testid="clean-grid-range" data-offset={p.offset.to_string()} data-total={p.total.to_string()}>
                    { if p.total == 0 { "No rows".to_string() } else {
                        format!("Rows {}–{} of {}", format::int((p.offset + 1) as u64), format::int(end as u64), format::int(p.total as u64))
                    } }
                </span>
                <button class="ghost" data-testid="clean-grid-next" disabled={end >= p.total}
                    onclick={go(end)}>{"Next →"}</button>
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
                            html! { <th scope="col">{ n }if added { {" "}<span class="badge">{"new"}</span> }</th> }
                        }) }
                    </tr></thead>
                    <tbody>
                        { for p.rows.iter().enumerate().map(|(i, row)| html! {
                            <tr>
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

fn cell(c: &Cell) -> Html {
    let shown = if c.text.is_empty() {
        "—".to_string()
    } else {
        c.text.clone()
    };
    let was = match &c.mark {
        Mark::Changed(was) if was.is_empty() => Some("— (missing)".to_string()),
        Mark::Changed(was) => Some(was.clone()),
        _ => None,
    };
    let changed = was.is_some();
    let title = was.as_ref().map(|w| format!("was: {w}"));
    // Focusable, so a tap (or the keyboard) shows what it was too.
    html! {
        <td data-value={c.text.clone()} data-changed={changed.then_some("true")} {title}
            data-was={was} tabindex={changed.then_some("0")}
            class={classes!(c.text.is_empty().then_some("missing"), changed.then_some("changed"), (c.mark == Mark::Added).then_some("added"))}>
            { shown }
        </td>
    }
}
