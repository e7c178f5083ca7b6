//! Overview tab: file facts, the engine's notes, and the preview table.

use std::rc::Rc;

use yew::prelude::*;

use super::controller::Controller;
use super::format;
use super::state::Preview;
use super::table::PreviewTable;
use crate::core::clean::Step;
use crate::core::explore::alerts::{AlertConfig, Severity};
use crate::core::explore::Insights;
use crate::core::ml::task::looks_like_target;
use crate::core::DatasetProfile;
use crate::messages;

#[derive(Properties, PartialEq)]
pub struct OverviewProps {
    pub profile: Rc<DatasetProfile>,
    pub preview: Preview,
    /// The worker holds this dataset's rows.
    pub ready: bool,
    /// The dataset's quality alerts (and more), once computed.
    pub insights: Option<Rc<Insights>>,
    /// The alert thresholds, and a change to them.
    pub alert_config: AlertConfig,
    pub on_config: Callback<AlertConfig>,
    /// Adds an alert's fix to the recipe.
    pub on_fix: Callback<Step>,
    /// The applied recipe (a fix in it is not offered again).
    pub recipe: Rc<Vec<Step>>,
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
    let text = f.format.is_text();
    let save = {
        let (ctl, name, recipe) = (props.ctl.clone(), f.name.clone(), props.recipe.clone());
        Callback::from(move |_| ctl.save_dataset(name.clone(), recipe.to_vec()))
    };
    html! {
        <div class="overview">
            <dl class="facts">
                { fact("File", "name", f.name.clone(), f.name.clone()) }
                { fact("Size", "size", f.size_bytes.to_string(), messages::bytes(f.size_bytes)) }
                { fact("Format", "format", f.format.key().to_string(), f.format.label().to_string()) }
                if let Some(sheet) = &f.sheet {
                    { fact("Sheet", "sheet", sheet.clone(), sheet.clone()) }
                }
                if text {
                    { fact("Encoding", "encoding", f.encoding.clone(), f.encoding.clone()) }
                    { fact("Delimiter", "delimiter", f.delimiter.map(String::from).unwrap_or_default(), delimiter_name(f.delimiter)) }
                }
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
                if text {
                    { fact("Line endings", "line-ending", f.line_ending.clone(), f.line_ending.clone()) }
                }
                if let Some(c) = &f.carried {
                    { fact("Saved from", "saved-from", c.source.name.clone(), format!("{} ({})", c.source.name, c.source.format.label())) }
                }
            </dl>
            <p class="keep">
                <button class="ghost" data-testid="dataset-download" disabled={!props.ready} onclick={save}
                    title="The rows as loaded, with their types, notes, profile and the recipe applied to them, in one Parquet file: open it in another client or browser to carry on">
                    {"Download dataset (Parquet)"}</button>
            </p>
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
            // A new filter starts the table again at the top.
            <PreviewTable key={format!("{:?}", props.preview.filter)}
                profile={props.profile.clone()} preview={props.preview.clone()}
                ready={props.ready} ctl={props.ctl.clone()} />
        </div>
    }
}

/// The alerts, warnings first, each with its evidence and a fix button
/// where the cleaning engine has one.
fn alerts_view(props: &OverviewProps) -> Html {
    let Some(insights) = props.insights.as_ref() else {
        return html! { <p class="muted" data-testid="alerts-pending">{"Checking the data for problems…"}</p> };
    };
    let alerts = &insights.alerts;
    let settings = thresholds_view(&props.alert_config, &props.on_config);
    if alerts.is_empty() {
        return html! {
            <>
                <p class="muted">{"No problems found: no alert for this data under these thresholds."}</p>
                { settings }
            </>
        };
    }
    html! {
        <>
            <h2>{ format!("Alerts ({})", alerts.len()) }</h2>
            { settings }
            <ul class="alerts">
                { for alerts.iter().map(|a| {
                    let fix = a.fix.clone().map(|step| {
                        let label = step.describe();
                        // Alerts are about the data as loaded: a fix already
                        // in the recipe is said, not offered again.
                        if props.recipe.contains(&step) {
                            return html! {
                                <span class="muted small" data-testid="alert-fixed" title={label.clone()}>
                                    {"In the recipe: "}{ label }
                                </span>
                            };
                        }
                        let on_fix = props.on_fix.clone();
                        let onclick = Callback::from(move |_| {
                            if confirm_removal(&step) {
                                on_fix.emit(step.clone())
                            }
                        });
                        html! {
                            <button class="ghost" data-testid="alert-fix" title={label.clone()}
                                {onclick}>{"Fix: "}{ label }</button>
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

/// One threshold: a number input that reports a valid new value.
fn threshold(
    label: &str,
    key: &str,
    value: f64,
    (min, max, step): (f64, f64, f64),
    set: impl Fn(f64) -> AlertConfig + 'static,
    on_config: &Callback<AlertConfig>,
) -> Html {
    let on_config = on_config.clone();
    let onchange = Callback::from(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        match input.value().trim().parse::<f64>() {
            Ok(v) if (min..=max).contains(&v) => on_config.emit(set(v)),
            _ => {
                input.set_custom_validity(&format!(
                    "Enter a number from {} to {}.",
                    format::num(min),
                    format::num(max)
                ));
                input.report_validity();
            }
        }
    });
    let oninput = Callback::from(|e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        input.set_custom_validity("");
    });
    html! {
        <label class="threshold">
            <span>{ label }</span>
            <input type="number" data-testid="alert-threshold" data-key={key.to_string()}
                min={min.to_string()} max={max.to_string()} step={step.to_string()}
                value={format::num(value).replace(',', "")} {onchange} {oninput} />
        </label>
    }
}

/// The alert thresholds, folded away until asked for.
fn thresholds_view(c: &AlertConfig, on_config: &Callback<AlertConfig>) -> Html {
    let c = *c;
    let pct = (0.0, 100.0, 1.0);
    html! {
        <details class="thresholds">
            <summary>{"Alert thresholds"}</summary>
            <div class="threshold-grid">
                { threshold("Missing above (% of rows)", "missing", c.missing * 100.0, pct,
                    move |v| AlertConfig { missing: v / 100.0, ..c }, on_config) }
                { threshold("Skewed when |skewness| above", "skew", c.skew, (0.0, 100.0, 0.1),
                    move |v| AlertConfig { skew: v, ..c }, on_config) }
                { threshold("Many zeros above (% of values)", "zeros", c.zeros * 100.0, pct,
                    move |v| AlertConfig { zeros: v / 100.0, ..c }, on_config) }
                { threshold("Imbalanced when one category above (%)", "imbalance", c.imbalance * 100.0, pct,
                    move |v| AlertConfig { imbalance: v / 100.0, ..c }, on_config) }
                { threshold("High correlation when |r|, V or η above", "correlation", c.correlation, (0.0, 1.0, 0.05),
                    move |v| AlertConfig { correlation: v, ..c }, on_config) }
                { threshold("High cardinality above (distinct values)", "high_cardinality", c.high_cardinality as f64, (1.0, 1e9, 1.0),
                    move |v| AlertConfig { high_cardinality: v.round() as u64, ..c }, on_config) }
                { threshold("Dates or numbers kept as text: share at least (%)", "text_types", c.text_types * 100.0, (50.0, 100.0, 1.0),
                    move |v| AlertConfig { text_types: v / 100.0, ..c }, on_config) }
            </div>
            <button class="link" data-testid="alert-thresholds-reset"
                onclick={ { let on_config = on_config.clone(); Callback::from(move |_| on_config.emit(AlertConfig::default())) } }>
                {"Reset to the defaults"}</button>
        </details>
    }
}

/// Whether a fix may go ahead: removing a column that looks like what a
/// model would predict (revenue, churn, label…) asks first.
fn confirm_removal(step: &Step) -> bool {
    let Step::DropColumns { columns } = step else {
        return true;
    };
    let Some(target) = columns.iter().find(|c| looks_like_target(c)) else {
        return true;
    };
    let question = format!(
        "\"{target}\" looks like the column a model would predict or a report would sum. \
         Remove it from the cleaned data anyway? (The file itself is kept; undo brings it back.)"
    );
    web_sys::window()
        .and_then(|w| w.confirm_with_message(&question).ok())
        .unwrap_or(false)
}
