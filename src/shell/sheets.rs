//! Choosing a workbook's sheet before it is read (`sheet-select`,
//! `sheet-open`): shown when a dropped workbook has several sheets of data.

use std::rc::Rc;

use yew::prelude::*;

use crate::core::format;
use crate::core::workbook::SheetInfo;
use crate::shell::controller::Controller;
use crate::shell::state::SheetPick;

#[derive(Properties, PartialEq)]
pub struct SheetPickerProps {
    pub pick: Rc<SheetPick>,
    pub ctl: Controller,
}

/// The sheet offered first: the first visible one with data.
fn first_with_data(sheets: &[SheetInfo]) -> String {
    sheets
        .iter()
        .find(|s| s.rows > 0 && !s.hidden)
        .or_else(|| sheets.iter().find(|s| s.rows > 0))
        .map(|s| s.name.clone())
        .unwrap_or_default()
}

fn option_label(s: &SheetInfo) -> String {
    let mut label = if s.rows == 0 {
        format!("{} (empty)", s.name)
    } else {
        format!(
            "{} — {} rows × {} columns, header included",
            s.name,
            format::int(s.rows as u64),
            format::int(s.columns as u64)
        )
    };
    if s.hidden {
        label.push_str(" · hidden in the workbook");
    }
    label
}

#[component]
pub fn SheetPicker(props: &SheetPickerProps) -> Html {
    let pick = &props.pick;
    let chosen = {
        let first = first_with_data(&pick.sheets);
        use_state(move || first)
    };
    let on_change = {
        let chosen = chosen.clone();
        Callback::from(move |e: Event| {
            let el: web_sys::HtmlSelectElement = e.target_unchecked_into();
            chosen.set(el.value());
        })
    };
    let on_open = {
        let ctl = props.ctl.clone();
        let chosen = chosen.clone();
        Callback::from(move |_| ctl.open_sheet((*chosen).clone()))
    };
    let on_cancel = {
        let ctl = props.ctl.clone();
        Callback::from(move |_| ctl.cancel_sheet())
    };
    let on_key = {
        let ctl = props.ctl.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                ctl.cancel_sheet();
            }
        })
    };
    let with_data = pick.sheets.iter().filter(|s| s.rows > 0).count();
    html! {
        <section class="sheet-pick panel" data-testid="sheet-pick" aria-labelledby="sheet-pick-title"
            onkeydown={on_key}>
            <h2 id="sheet-pick-title">{ format!("Which sheet of {}?", pick.file) }</h2>
            <p class="muted">
                { format!("{with_data} of its {} sheets hold data. Each sheet you open becomes its own dataset; drop the file again to open another.", pick.sheets.len()) }
            </p>
            <label class="field">
                <span>{"Sheet"}</span>
                <select data-testid="sheet-select" onchange={on_change}>
                    { for pick.sheets.iter().map(|s| html! {
                        <option value={s.name.clone()} selected={*chosen == s.name} disabled={s.rows == 0}>
                            { option_label(s) }
                        </option>
                    }) }
                </select>
            </label>
            <div class="actions">
                <button data-testid="sheet-open" onclick={on_open} disabled={chosen.is_empty()}>{"Open sheet"}</button>
                <button class="ghost" onclick={on_cancel}>{"Cancel"}</button>
            </div>
        </section>
    }
}
