//! Overview tab: file facts, the engine's notes, and the preview table.

use std::rc::Rc;

use yew::prelude::*;

use super::controller::Controller;
use super::format;
use super::state::Preview;
use super::table::PreviewTable;
use crate::core::clean::Step;
use crate::core::explore::alerts::{Alert, Severity};
use crate::core::{DatasetProfile, Format};
use crate::messages;

#[derive(Properties, PartialEq)]
pub struct OverviewProps {
    pub profile: Rc<DatasetProfile>,
    pub preview: Preview,
    /// The worker holds this dataset's rows.
    pub ready: bool,
    /// The dataset's quality alerts, once computed.
    pub alerts: Option<Rc<Vec<Alert>>>,
    /// Adds an alert's fix to the recipe.
    pub on_fix: Callback<Step>,
    pub ctl: Controller,
}

fn fact(label: &str, key: &str, value: String, text: String) -> Html {
    html! {
        <div class="fact">
            <dt>{ label }</dt>
            <dd data-testid="fact" data-fact={key.to_string()} data-value={value}>{ text }</dd>
        </div>
    }
}

fn delimiter_name(d: Option<char>) -> String {
    match d {
        Some(',') => "comma (,)".into(),
        Some(';') => "semicolon (;)".into(),
        Some('\t') => "tab".into(),
        Some('|') => "pipe (|)".into(),
        Some(c) => format!("“{c}”"),
        None => "—".into(),
    }
}

#[component]
pub fn OverviewTab(props: &OverviewProps) -> Html {
    let p = &props.profile;
    let f = &p.facts;
    let format_name = match f.format {
        Format::Csv => "CSV",
        Format::Tsv => "TSV",
        Format::Json => "JSON",
        Format::Ndjson => "NDJSON",
    };
    html! {
        <div class="overview">
            <dl class="facts">
                { fact("File", "name", f.name.clone(), f.name.clone()) }
                { fact("Size", "size", f.size_bytes.to_string(), messages::bytes(f.size_bytes)) }
                { fact("Format", "format", format_name.to_lowercase(), format_name.to_string()) }
                { fact("Encoding", "encoding", f.encoding.clone(), f.encoding.clone()) }
                { fact("Delimiter", "delimiter", f.delimiter.map(String::from).unwrap_or_default(), delimiter_name(f.delimiter)) }
                <div class="fact">
                    <dt>{"Rows"}</dt>
                    <dd data-testid="dataset-rows" data-value={p.rows.to_string()}>{ format::int(p.rows) }</dd>
                </div>
                <div class="fact">
                    <dt>{"Columns"}</dt>
                    <dd data-testid="dataset-cols" data-value={p.columns.to_string()}>{ format::int(p.columns) }</dd>
                </div>
                <div class="fact">
                    <dt>{"Duplicate rows"}</dt>
                    <dd data-testid="dataset-duplicates" data-value={p.duplicate_rows.to_string()}>
                        { format!("{} ({})", format::int(p.duplicate_rows), format::percent(p.duplicate_rows, p.rows)) }
                    </dd>
                </div>
                { fact("Memory", "memory", p.memory_bytes.to_string(), messages::bytes(p.memory_bytes)) }
                { fact("Header row", "header", f.has_header.to_string(), if f.has_header { "yes".into() } else { "no (columns were numbered)".into() }) }
                { fact("Line endings", "line-ending", f.line_ending.clone(), f.line_ending.clone()) }
            </dl>
            if !p.notes.is_empty() {
                <ul class="notes" aria-label="What Plainsight decided about this file">
                    { for p.notes.iter().map(|n| html! {
                        <li data-testid="note" data-kind={n.kind.clone()} data-column={n.column.clone().unwrap_or_default()}>
                            { &n.message }
                        </li>
                    }) }
                </ul>
            }
            { alerts_view(props) }
            <h2>{"Rows"}</h2>
            <PreviewTable profile={props.profile.clone()} preview={props.preview.clone()}
                ready={props.ready} ctl={props.ctl.clone()} />
        </div>
    }
}

/// The alerts, warnings first, each with its evidence and a fix button
/// where the cleaning engine has one.
fn alerts_view(props: &OverviewProps) -> Html {
    let Some(alerts) = props.alerts.as_ref() else {
        return html! { <p class="muted" data-testid="alerts-pending">{"Checking the data for problems…"}</p> };
    };
    if alerts.is_empty() {
        return html! { <p class="muted">{"No problems found: no alert for this data."}</p> };
    }
    html! {
        <>
            <h2>{ format!("Alerts ({})", alerts.len()) }</h2>
            <ul class="alerts">
                { for alerts.iter().map(|a| {
                    let fix = a.fix.clone().map(|step| {
                        let on_fix = props.on_fix.clone();
                        let label = step.describe();
                        html! {
                            <button class="ghost" data-testid="alert-fix" title={label.clone()}
                                onclick={Callback::from(move |_| on_fix.emit(step.clone()))}>{"Fix: "}{ label }</button>
                        }
                    });
                    let severity = match a.severity {
                        Severity::Warning => "warning",
                        Severity::Info => "info",
                    };
                    html! {
                        <li data-testid="alert" data-kind={a.kind.clone()} data-column={a.column.clone().unwrap_or_default()}
                            data-other={a.other.clone().unwrap_or_default()} class={classes!("alert", severity)}>
                            <span class="badge">{ a.kind.replace('-', " ") }</span>
                            <span class="alert-text">{ &a.message }</span>
                            { fix.unwrap_or_default() }
                        </li>
                    }
                }) }
            </ul>
        </>
    }
}
