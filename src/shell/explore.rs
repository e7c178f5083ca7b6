//! Explore tab: how the columns go together and where the gaps are — the
//! missing-values matrix, correlation heatmaps (Pearson or Spearman,
//! Cramér's V, correlation ratio η) with the strongest pairs, and a scatter
//! plot of any two columns coloured by a third.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, ChartData};
use super::format;
use crate::core::explore::correlate::Correlations;
use crate::core::explore::scatter::{Colour, Scatter, MAX_POINTS};
use crate::core::explore::{Answer, Insights, Query};
use crate::core::{ColumnType, DatasetProfile};

#[derive(Properties, PartialEq)]
pub struct ExploreProps {
    pub profile: Rc<DatasetProfile>,
    /// None while the worker computes them.
    pub insights: Option<Rc<Insights>>,
    /// The charts asked for so far (one per kind).
    pub answers: Vec<Rc<Answer>>,
    /// Why the last chart asked for could not be drawn.
    pub error: Option<String>,
    pub on_query: Callback<Query>,
}

fn method_name(m: &str) -> &'static str {
    match m {
        "pearson" => "Pearson r",
        "spearman" => "Spearman ρ",
        "cramers_v" => "Cramér's V",
        _ => "correlation ratio η",
    }
}

/// A `<select>` of `options` (value, text) reporting the chosen value.
fn select(
    testid: &str,
    label: &str,
    current: &str,
    options: &[(String, String)],
    on: Callback<String>,
) -> Html {
    let onchange = Callback::from(move |e: Event| {
        let el: web_sys::HtmlSelectElement = e.target_unchecked_into();
        on.emit(el.value());
    });
    html! {
        <label class="pick">
            <span>{ label }</span>
            <select data-testid={testid.to_string()} {onchange}>
                { for options.iter().map(|(v, t)| html! {
                    <option value={v.clone()} selected={v == current}>{ t }</option>
                }) }
            </select>
        </label>
    }
}

#[component]
pub fn ExploreTab(props: &ExploreProps) -> Html {
    let Some(ins) = props.insights.as_ref() else {
        return html! { <p class="muted" data-testid="explore-pending">{"Computing correlations and charts…"}</p> };
    };
    let scatter = props.answers.iter().find_map(|a| match a.as_ref() {
        Answer::Scatter(s) => Some(s.clone()),
    });
    // The first charts are drawn without being asked for.
    {
        let (on, profile, ins) = (props.on_query.clone(), props.profile.clone(), ins.clone());
        use_effect_with((Rc::as_ptr(&ins) as usize, scatter.is_none()), move |(_, missing)| {
            if *missing {
                if let Some(q) = default_scatter(&profile, &ins.correlations) {
                    on.emit(q);
                }
            }
        });
    }
    html! {
        <div class="explore">
            if let Some(e) = &props.error {
                <p class="error-inline" role="alert" data-testid="explore-error">{ e }</p>
            }
            { missing_view(ins) }
            <CorrelationView correlations={Rc::new(ins.correlations.clone())} />
            { scatter_view(&props.profile, scatter, &props.on_query) }
        </div>
    }
}

fn missing_view(ins: &Insights) -> Html {
    let m = &ins.missing;
    let title = format!(
        "Missing values by column, rows in file order ({} bands of {} rows)",
        m.share.first().map_or(0, |b| b.len()),
        format::int(m.band_rows)
    );
    html! {
        <section class="explore-part">
            <h2>{"Missing values"}</h2>
            <p class="muted small">
                { format!("{} of {} rows have at least one missing cell. Orange marks bands with missing cells (darker: more of them); gaps that line up across columns go together.",
                    format::int(m.rows_with_missing), format::int(m.rows)) }
            </p>
            <Chart kind="missing" column="" {title} data={ChartData::Missing(m.clone())} />
        </section>
    }
}

#[derive(Properties, PartialEq)]
struct CorrelationProps {
    correlations: Rc<Correlations>,
}

#[component]
fn CorrelationView(props: &CorrelationProps) -> Html {
    let c = &props.correlations;
    let spearman = use_state(|| false);
    let numeric = (c.numeric.len() >= 2).then(|| {
        let (values, name) = if *spearman {
            (c.spearman.clone(), "Spearman ρ")
        } else {
            (c.pearson.clone(), "Pearson r")
        };
        let on = {
            let spearman = spearman.clone();
            Callback::from(move |v: String| spearman.set(v == "spearman"))
        };
        html! {
            <div>
                { select("corr-method", "Measure", if *spearman { "spearman" } else { "pearson" },
                    &[("pearson".into(), "Pearson r (linear)".into()), ("spearman".into(), "Spearman ρ (rank, any monotone trend)".into())], on) }
                <Chart kind="heatmap" column={if *spearman { "spearman" } else { "pearson" }}
                    title={format!("Correlation of the numeric columns ({name})")}
                    data={ChartData::Heatmap { rows: c.numeric.clone(), cols: c.numeric.clone(), values, signed: true }} />
            </div>
        }
    });
    let categorical = (c.categorical.len() >= 2).then(|| {
        html! {
            <Chart kind="heatmap" column="cramers_v" title="Association of the categorical columns (Cramér's V)"
                data={ChartData::Heatmap { rows: c.categorical.clone(), cols: c.categorical.clone(), values: c.cramers_v.clone(), signed: false }} />
        }
    });
    let eta = (!c.numeric.is_empty() && !c.categorical.is_empty()).then(|| {
        html! {
            <Chart kind="heatmap" column="eta" title="How much each category explains each number (correlation ratio η)"
                data={ChartData::Heatmap { rows: c.numeric.clone(), cols: c.categorical.clone(), values: c.eta.clone(), signed: false }} />
        }
    });
    html! {
        <section class="explore-part">
            <h2>{"Correlations"}</h2>
            if numeric.is_none() && categorical.is_none() && eta.is_none() {
                <p class="muted">{"There are not enough numeric or categorical columns to relate."}</p>
            }
            <div class="charts">
                { numeric.unwrap_or_default() }
                { categorical.unwrap_or_default() }
                { eta.unwrap_or_default() }
            </div>
            if !c.top.is_empty() {
                <h3>{"Strongest relations"}</h3>
                <table class="mini pairs">
                    <thead><tr><th scope="col">{"Columns"}</th><th scope="col">{"Measure"}</th><th scope="col">{"Value"}</th></tr></thead>
                    <tbody>
                        { for c.top.iter().take(15).map(|p| html! {
                            <tr data-testid="corr-pair" data-a={p.a.clone()} data-b={p.b.clone()}
                                data-method={p.method.clone()} data-value={p.value.to_string()}>
                                <td>{ format!("{} × {}", p.a, p.b) }</td>
                                <td>{ method_name(&p.method) }</td>
                                <td class="num">{ format!("{:.3}", p.value) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

/// Columns that can go on a scatter axis (numbers, dates).
fn axis_columns(p: &DatasetProfile) -> Vec<String> {
    p.column_profiles
        .iter()
        .filter(|c| c.dtype.is_numeric() || matches!(c.dtype, ColumnType::Date | ColumnType::Datetime))
        .filter(|c| c.count > 0)
        .map(|c| c.name.clone())
        .collect()
}

/// The scatter plot shown first: the most correlated numeric pair.
pub fn default_scatter(p: &DatasetProfile, c: &Correlations) -> Option<Query> {
    let pair = c.top.iter().find(|p| p.method == "pearson");
    let (x, y) = match pair {
        Some(pair) => (pair.a.clone(), pair.b.clone()),
        None => {
            let cols = axis_columns(p);
            (cols.first()?.clone(), cols.get(1)?.clone())
        }
    };
    Some(Query::Scatter { x, y, colour: None })
}

fn scatter_view(
    p: &DatasetProfile,
    scatter: Option<Scatter>,
    on_query: &Callback<Query>,
) -> Html {
    let axes = axis_columns(p);
    if axes.len() < 2 {
        return html! {
            <section class="explore-part">
                <h2>{"Scatter plot"}</h2>
                <p class="muted">{"A scatter plot needs two numeric or date columns; this data has fewer."}</p>
            </section>
        };
    }
    let Some(s) = scatter else {
        return html! {
            <section class="explore-part">
                <h2>{"Scatter plot"}</h2>
                <p class="muted" data-testid="scatter-pending">{"Drawing…"}</p>
            </section>
        };
    };
    let colour_name = match &s.colour {
        Some(Colour::Groups { column, .. }) | Some(Colour::Scale { column, .. }) => column.clone(),
        None => String::new(),
    };
    let options: Vec<(String, String)> = axes.iter().map(|n| (n.clone(), n.clone())).collect();
    let mut colours = vec![(String::new(), "(none)".to_string())];
    colours.extend(
        p.column_profiles
            .iter()
            .filter(|c| c.count > 0 && (c.dtype.is_numeric() || c.distinct <= 50))
            .map(|c| (c.name.clone(), c.name.clone())),
    );
    let query = |x: &str, y: &str, colour: &str| Query::Scatter {
        x: x.to_string(),
        y: y.to_string(),
        colour: (!colour.is_empty()).then(|| colour.to_string()),
    };
    let (x, y, col) = (s.x.clone(), s.y.clone(), colour_name.clone());
    let on_x = {
        let (on, y, col) = (on_query.clone(), y.clone(), col.clone());
        Callback::from(move |v: String| on.emit(query(&v, &y, &col)))
    };
    let on_y = {
        let (on, x, col) = (on_query.clone(), x.clone(), col.clone());
        Callback::from(move |v: String| on.emit(query(&x, &v, &col)))
    };
    let on_colour = {
        let (on, x, y) = (on_query.clone(), x.clone(), y.clone());
        Callback::from(move |v: String| on.emit(query(&x, &y, &v)))
    };
    let shown = if s.sampled {
        format!(
            "a random sample of {} of the {} rows where both are present (above {} points a sample is drawn, the same one each time)",
            format::int(s.points.len() as u64),
            format::int(s.total),
            format::int(MAX_POINTS as u64)
        )
    } else {
        format!("all {} rows where both are present", format::int(s.total))
    };
    let legend = match &s.colour {
        Some(Colour::Scale { column, min, max }) => format!(
            " Colour: {column} from {} (dark purple) to {} (yellow).",
            format::num(*min),
            format::num(*max)
        ),
        Some(Colour::Groups { column, groups }) => format!(
            " Colour: {column} ({} groups{}).",
            groups.len(),
            if groups.last().is_some_and(|g| g == "other") {
                ", the rarest together as \"other\""
            } else {
                ""
            }
        ),
        None => String::new(),
    };
    html! {
        <section class="explore-part">
            <h2>{"Scatter plot"}</h2>
            <div class="picks">
                { select("scatter-x", "Across (x)", &x, &options, on_x) }
                { select("scatter-y", "Up (y)", &y, &options, on_y) }
                { select("scatter-colour", "Colour by", &col, &colours, on_colour) }
            </div>
            <p class="muted small" data-testid="scatter-note" data-value={s.points.len().to_string()}>
                { format!("Showing {shown}.{legend}") }
            </p>
            <Chart kind="scatter" column={format!("{}-{}", s.x, s.y)} title={format!("{} against {}", s.y, s.x)}
                data={ChartData::Scatter(s)} />
        </section>
    }
}
