//! Columns tab: one card per column with its type, statistics and chart.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, ChartData};
use super::controller::Controller;
use super::explore::rows_of;
use super::format;
use super::protocol::RowFilter;
use crate::core::chart::Pick;
use crate::core::explore::distribution::BoxStats;
use crate::core::explore::Insights;
use crate::core::{ColumnProfile, ColumnType, DatasetProfile};

#[derive(Properties)]
pub struct ColumnsProps {
    pub profile: Rc<DatasetProfile>,
    /// Box plots come with the insights.
    pub insights: Option<Rc<Insights>>,
    /// Shows the rows with one value (a click on a bar). The controller,
    /// not a callback made by the page at each render: the tab (hidden
    /// most of the time) is drawn again only when its data changes.
    pub ctl: Controller,
}

/// The same profile and insights when they are the same values (`Rc`'s
/// own comparison compares every statistic, 5–8 ms of the page's thread at
/// each render of the page for 12 columns; the page keeps one `Rc` a
/// profile).
impl PartialEq for ColumnsProps {
    fn eq(&self, other: &Self) -> bool {
        let insights = match (&self.insights, &other.insights) {
            (Some(a), Some(b)) => Rc::ptr_eq(a, b) || a == b,
            (a, b) => a.is_none() && b.is_none(),
        };
        (Rc::ptr_eq(&self.profile, &other.profile) || self.profile == other.profile)
            && insights
            && self.ctl == other.ctl
    }
}

#[component]
pub fn ColumnsTab(props: &ColumnsProps) -> Html {
    let p = &props.profile;
    let on_rows = {
        let ctl = props.ctl.clone();
        Callback::from(move |f: RowFilter| ctl.show_rows_where(Some(f)))
    };
    html! {
        <div class="cards">
            { for p.column_profiles.iter().enumerate().map(|(i, c)| {
                let b = props.insights.as_ref().and_then(|i| i.boxes.iter().find(|b| b.column == c.name));
                column_card(p, c, b, rows_of(i, &on_rows))
            }) }
        </div>
    }
}

/// One tile: its text (short, wrapped, never cut), the full value on hover
/// (`full`) and in `data-value`.
fn stat(label: &str, key: &str, value: String, text: Html, full: Option<String>) -> Html {
    let wide = key == "top";
    html! {
        <div class={classes!("stat", wide.then_some("wide"))}>
            <dt>{ label }</dt>
            <dd data-stat={key.to_string()} data-value={value} title={full}>{ text }</dd>
        </div>
    }
}

fn count_stat(label: &str, key: &str, n: u64) -> Html {
    stat(label, key, n.to_string(), html! { format::int(n) }, None)
}

fn float_stat(label: &str, key: &str, v: Option<f64>) -> Html {
    let text = v.map(format::short).unwrap_or_else(|| "—".into());
    stat(
        label,
        key,
        format::machine_f64(v),
        html! { text },
        v.map(format::num),
    )
}

fn text_stat(label: &str, key: &str, v: &Option<String>) -> Html {
    let text = v
        .as_deref()
        .map(format::value_short)
        .unwrap_or_else(|| "—".into());
    stat(
        label,
        key,
        v.clone().unwrap_or_default(),
        html! { text },
        v.as_deref().map(format::value_text),
    )
}

fn column_card(
    p: &DatasetProfile,
    c: &ColumnProfile,
    b: Option<&BoxStats>,
    on_pick: Callback<Pick>,
) -> Html {
    let rows = p.rows;
    let notes = p
        .notes
        .iter()
        .filter(|n| n.column.as_deref() == Some(c.name.as_str()));
    let is_time = matches!(c.dtype, ColumnType::Date | ColumnType::Datetime);
    let chart = if c.dtype.is_numeric() || (is_time && c.histogram.is_some()) {
        c.histogram.as_ref().map(|h| {
            // The bin rule, stated: equal widths, Sturges' rule kept
            // between 10 and 30 bins (one bin when all values are equal).
            let bins = h.counts.len();
            let rule = if bins == 1 {
                "1 bin: every value is the same".to_string()
            } else {
                format!("{bins} equal-width bins, Sturges' rule (10–30)")
            };
            let (data, title) = if is_time {
                (
                    ChartData::DateHistogram(h.clone()),
                    format!("Rows over time by {} ({rule})", c.name),
                )
            } else {
                (
                    ChartData::Histogram(h.clone()),
                    format!("Distribution of {} ({rule})", c.name),
                )
            };
            html! { <Chart kind="histogram" column={c.name.clone()} {data} {title} /> }
        })
    } else if !c.top.is_empty() {
        Some(
            html! { <Chart kind="bar" column={c.name.clone()} data={ChartData::Bars(c.top.clone())} {on_pick}
            title={format!("Most frequent values of {}", c.name)} /> },
        )
    } else {
        None
    };
    let top = c.top.first().map(|(v, _)| v.clone());
    html! {
        <article class="card" data-testid="column" data-column={c.name.clone()} aria-label={format!("Column {}", c.name)}>
            <header>
                <h3 title={c.name.clone()}>{ &c.name }</h3>
                <span class={classes!("badge", c.dtype.as_str())} data-stat="type" data-value={c.dtype.as_str()}
                    title={format!("Type: {}", c.dtype.as_str())}>
                    { c.dtype.words() }
                </span>
            </header>
            if let Some(fmt) = &c.date_format {
                <p class="muted small" title={format!("strftime: {fmt}")}>{ format!("Read as dates written {}", crate::core::format::date_pattern(fmt)) }</p>
            }
            <dl class="stats">
                { count_stat("Values", "count", c.count) }
                { stat("Missing", "missing", c.missing.to_string(),
                    html! { <>{ format::int(c.missing) }<span class="share">{ format::percent(c.missing, rows) }</span></> },
                    None) }
                { count_stat("Distinct", "distinct", c.distinct) }
                if c.dtype.is_numeric() {
                    { float_stat("Mean", "mean", c.mean) }
                    { float_stat("Std. dev.", "std", c.std) }
                    { text_stat("Min", "min", &c.min) }
                    { float_stat("25%", "p25", c.p25) }
                    { float_stat("Median", "p50", c.p50) }
                    { float_stat("75%", "p75", c.p75) }
                    { text_stat("Max", "max", &c.max) }
                    if let Some(z) = c.zeros {
                        { count_stat("Zeros", "zeros", z) }
                    }
                }
                if matches!(c.dtype, ColumnType::Date | ColumnType::Datetime) {
                    { text_stat("First", "min", &c.min) }
                    { text_stat("Last", "max", &c.max) }
                }
                if matches!(c.dtype, ColumnType::String | ColumnType::Boolean) {
                    { stat("Most frequent", "top", top.clone().unwrap_or_default(),
                        match (&top, c.top.first()) {
                            (Some(t), Some((_, n))) => html! { format!("{t} ({})", format::int(*n)) },
                            _ => html! { "—" },
                        }, None) }
                }
            </dl>
            { for notes.map(|n| html! { <p class="note small" data-testid="note" data-kind={n.kind.clone()}>{ &n.message }</p> }) }
            { chart.unwrap_or_default() }
            if let Some(b) = b {
                <Chart kind="box" column={c.name.clone()} data={ChartData::Box(b.clone())}
                    title={format!("Spread of {}: box from the 25% to the 75% value, line at the median, whiskers to 1.5 × IQR; {} beyond them", c.name,
                        format::count(b.outlier_count, "outlier", "outliers"))} />
            }
        </article>
    }
}
