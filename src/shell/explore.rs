//! Explore tab: how the columns go together and where the gaps are — the
//! missing-values matrix, correlation heatmaps (Pearson or Spearman,
//! Cramér's V, correlation ratio η) with the strongest pairs, a scatter
//! plot of any two columns coloured by a third, the trend of a measure over
//! time with the period-over-period change, and the group-by explorer.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, ChartData, Shared};
use super::format;
use super::protocol::RowFilter;
use crate::core::chart::Pick;
use crate::core::explore::aggregate::Agg;
use crate::core::explore::correlate::Correlations;
use crate::core::explore::defaults::{
    axis_columns, category_columns, date_columns, default_agg, default_group, default_scatter,
    default_trend, measure_columns,
};
use crate::core::explore::groupby::{DatePart, Dimension, GroupTable, Measure};
use crate::core::explore::scatter::{Colour, MAX_POINTS};
use crate::core::explore::trend::Granularity;
use crate::core::explore::{Answer, Insights, Query, GROUP_LIMIT};
use crate::core::DatasetProfile;

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
    /// Shows the rows of one group (a click on a bar of one column's
    /// groups).
    pub on_rows: Callback<RowFilter>,
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
    // Every render calls the same hooks, in the same order, before the
    // pending text returns early (Yew's rule; a debug build checks it).
    // The scatter's and the trend's charts, made once per answer: the
    // page renders again on every message, and a copy of 5,000 points each
    // time, compared with the last, cost more than the rest of the tab.
    let answer = |wanted: fn(&Answer) -> bool| {
        props
            .answers
            .iter()
            .find(|a| wanted(a))
            .map(|a| Shared::from(a.clone()))
    };
    let scatter = use_memo(answer(|a| matches!(a, Answer::Scatter(_))), |a| {
        match a.as_deref() {
            Some(Answer::Scatter(s)) => Some(Shared::from(ChartData::Scatter(s.clone()))),
            _ => None,
        }
    });
    let trend = use_memo(answer(|a| matches!(a, Answer::Trend(_))), |a| {
        match a.as_deref() {
            Some(Answer::Trend(t)) => Some(Shared::from(ChartData::Trend(t.clone()))),
            _ => None,
        }
    });
    let group = props.answers.iter().find_map(|a| match a.as_ref() {
        Answer::Group { .. } => Some(a.clone()),
        _ => None,
    });
    // The first charts are drawn without being asked for, once the
    // insights are in.
    {
        let (on, profile) = (props.on_query.clone(), props.profile.clone());
        let missing = (scatter.is_none(), trend.is_none(), group.is_none());
        let insights: Option<Shared<Insights>> = props.insights.clone().map(Shared::from);
        use_effect_with((insights, missing), move |(ins, missing)| {
            let Some(ins) = ins else {
                return;
            };
            let (s, t, g) = *missing;
            let defaults = [
                (s, default_scatter(&profile, &ins.correlations)),
                (t, default_trend(&profile)),
                (g, default_group(&profile)),
            ];
            for (wanted, query) in defaults {
                if let (true, Some(q)) = (wanted, query) {
                    on.emit(q);
                }
            }
        });
    }
    let Some(ins) = props.insights.as_ref() else {
        return html! { <p class="muted" data-testid="explore-pending">{"Computing correlations and charts…"}</p> };
    };
    html! {
        <div class="explore">
            if let Some(e) = &props.error {
                <p class="error-inline" role="alert" data-testid="explore-error">{ e }</p>
            }
            { missing_view(ins) }
            <CorrelationView correlations={Rc::new(ins.correlations.clone())} on_query={props.on_query.clone()} />
            { scatter_view(&props.profile, (*scatter).clone(), &props.on_query) }
            { trend_view(&props.profile, (*trend).clone(), &props.on_query) }
            { group_view(&props.profile, group, &props.on_query, &props.on_rows) }
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
    on_query: Callback<Query>,
}

/// Scrolls the Explore section with this id into view.
fn show_section(id: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
    {
        el.scroll_into_view();
    }
}

/// A group-by picker keyed by place and choice: it is made anew when
/// either changes, so it shows the choice in use, never one left from the
/// user's last pick in another place.
fn keyed_pick(slot: usize, current: &str, pick: Html) -> Html {
    html! {
        <span class="pick-slot" key={format!("{slot}|{current}")}>{ pick }</span>
    }
}

/// A click on a bar of `column`'s values: the rows with that value (a
/// missing group's bar: the rows where it is missing).
pub fn rows_of(column: usize, on_rows: &Callback<RowFilter>) -> Callback<Pick> {
    let on = on_rows.clone();
    Callback::from(move |pick: Pick| {
        if let Pick::Bar { label } = pick {
            let value = if label == crate::core::explore::groupby::MISSING {
                String::new()
            } else {
                label
            };
            on.emit(RowFilter { column, value });
        }
    })
}

/// What a click on a heatmap cell opens: two numbers' scatter plot, a
/// number's mean by category, two categories' counts by both.
fn open_pair(on_query: &Callback<Query>, method: &'static str) -> Callback<Pick> {
    let on = on_query.clone();
    Callback::from(move |pick: Pick| {
        let Pick::Pair { row, col } = pick else {
            return;
        };
        if row == col {
            return;
        }
        let (query, section) = match method {
            "eta" => (
                Query::Group {
                    dims: vec![Dimension::Column { name: col }],
                    measures: vec![Measure::of(Agg::Mean, &row)],
                    sort: None,
                },
                "explore-group",
            ),
            "cramers_v" => (
                Query::Group {
                    dims: vec![
                        Dimension::Column { name: row },
                        Dimension::Column { name: col },
                    ],
                    measures: vec![Measure::rows()],
                    sort: None,
                },
                "explore-group",
            ),
            _ => (
                Query::Scatter {
                    x: col,
                    y: row,
                    colour: None,
                },
                "explore-scatter",
            ),
        };
        on.emit(query);
        show_section(section);
    })
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
                    on_pick={open_pair(&props.on_query, "pearson")}
                    data={ChartData::Heatmap { rows: c.numeric.clone(), cols: c.numeric.clone(), values, signed: true }} />
            </div>
        }
    });
    let categorical = (c.categorical.len() >= 2).then(|| {
        html! {
            <Chart kind="heatmap" column="cramers_v" title="Association of the categorical columns (Cramér's V)"
                on_pick={open_pair(&props.on_query, "cramers_v")}
                data={ChartData::Heatmap { rows: c.categorical.clone(), cols: c.categorical.clone(), values: c.cramers_v.clone(), signed: false }} />
        }
    });
    let eta = (!c.numeric.is_empty() && !c.categorical.is_empty()).then(|| {
        html! {
            <Chart kind="heatmap" column="eta" title="How much each category explains each number (correlation ratio η)"
                on_pick={open_pair(&props.on_query, "eta")}
                data={ChartData::Heatmap { rows: c.numeric.clone(), cols: c.categorical.clone(), values: c.eta.clone(), signed: false }} />
        }
    });
    html! {
        <section class="explore-part">
            <h2>{"Correlations"}</h2>
            <p class="muted small">{"Point at any chart for its exact values. Click a cell to open that pair: a scatter plot of two numbers, a group-by for categories."}</p>
            if numeric.is_none() && categorical.is_none() && eta.is_none() {
                <p class="muted">{"There are not enough numeric or categorical columns to relate."}</p>
            }
            if let Some(note) = crate::messages::correlation_coverage(c) {
                <p class="muted small" data-testid="corr-coverage"
                    data-value={c.numeric.len().to_string()}>{ note }</p>
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

/// The scatter plot's section; `chart`: the scatter drawn, None while the
/// worker computes it.
fn scatter_view(
    p: &DatasetProfile,
    chart: Option<Shared<ChartData>>,
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
    let Some((s, chart)) = chart.as_ref().and_then(|c| match &**c {
        ChartData::Scatter(s) => Some((s, c.clone())),
        _ => None,
    }) else {
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
            " Colour: {column} ({}{}).",
            format::count(groups.len() as u64, "group", "groups"),
            if groups.last().is_some_and(|g| g == "other") {
                ", the rarest together as \"other\""
            } else {
                ""
            }
        ),
        None => String::new(),
    };
    html! {
        <section class="explore-part" id="explore-scatter">
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
                data={chart} />
        </section>
    }
}

/// The trend's section; `chart`: the trend drawn, None while the worker
/// computes it.
fn trend_view(
    p: &DatasetProfile,
    chart: Option<Shared<ChartData>>,
    on_query: &Callback<Query>,
) -> Html {
    let dates = date_columns(p);
    if dates.is_empty() {
        return html! {};
    }
    let Some((t, chart)) = chart.as_ref().and_then(|c| match &**c {
        ChartData::Trend(t) => Some((t, c.clone())),
        _ => None,
    }) else {
        return html! {
            <section class="explore-part">
                <h2>{"Trend over time"}</h2>
                <p class="muted" data-testid="trend-pending">{"Drawing…"}</p>
            </section>
        };
    };
    let query = |date: &str, value: &str, agg: &str, by: &str| {
        let value = (!value.is_empty()).then(|| value.to_string());
        Query::Trend {
            date: date.to_string(),
            agg: if value.is_none() {
                Agg::Count
            } else {
                Agg::parse(agg).unwrap_or(Agg::Mean)
            },
            value,
            granularity: Granularity::parse(by),
        }
    };
    let date = t.date.clone();
    let value = t.value.clone().unwrap_or_default();
    let agg = t.agg.as_str().to_string();
    let by = if t.auto {
        String::new()
    } else {
        t.granularity.as_str().to_string()
    };
    let pick = |which: u8| {
        let (on, date, value, agg, by) = (
            on_query.clone(),
            date.clone(),
            value.clone(),
            agg.clone(),
            by.clone(),
        );
        Callback::from(move |v: String| {
            let q = match which {
                0 => query(&v, &value, &agg, &by),
                1 => {
                    // A new measure starts with its usual aggregation.
                    let agg = if value.is_empty() || agg == "count" {
                        default_agg(&v).as_str().to_string()
                    } else {
                        agg.clone()
                    };
                    query(&date, &v, &agg, &by)
                }
                2 => query(&date, &value, &v, &by),
                _ => query(&date, &value, &agg, &v),
            };
            on.emit(q)
        })
    };
    let pairs = |v: Vec<String>| v.into_iter().map(|n| (n.clone(), n)).collect::<Vec<_>>();
    let mut measures = vec![(String::new(), "(number of rows)".to_string())];
    measures.extend(pairs(measure_columns(p)));
    let aggs: Vec<(String, String)> = [
        Agg::Sum,
        Agg::Mean,
        Agg::Median,
        Agg::Min,
        Agg::Max,
        Agg::Count,
    ]
    .iter()
    .map(|a| (a.as_str().to_string(), a.as_str().to_string()))
    .collect();
    let mut grains = vec![(
        String::new(),
        format!("automatic ({})", t.granularity.as_str()),
    )];
    grains.extend(
        Granularity::ALL
            .iter()
            .map(|g| (g.as_str().to_string(), g.as_str().to_string())),
    );
    let change = t.headline().and_then(|c| c.change_percent);
    html! {
        <section class="explore-part">
            <h2>{"Trend over time"}</h2>
            <div class="picks">
                { select("trend-date", "Date", &date, &pairs(dates), pick(0)) }
                { select("trend-value", "Measure", &value, &measures, pick(1)) }
                if !value.is_empty() {
                    { select("trend-agg", "Aggregate", &agg, &aggs, pick(2)) }
                }
                { select("trend-granularity", "Per", &by, &grains, pick(3)) }
            </div>
            if let Some(s) = t.sentence() {
                <p data-testid="trend-change" data-value={change.map(|c| c.to_string()).unwrap_or_default()}
                    data-granularity={t.granularity.as_str()}>{ s }</p>
            }
            <Chart kind="trend" column={t.date.clone()} title={t.title()} data={chart} />
        </section>
    }
}

/// A dimension as a select value: "col:NAME" or "date:PART:NAME".
fn dim_value(d: &Dimension) -> String {
    match d {
        Dimension::Column { name } => format!("col:{name}"),
        Dimension::DatePart { name, part } => format!("date:{}:{name}", part.as_str()),
    }
}

fn dim_of(v: &str) -> Option<Dimension> {
    if let Some(name) = v.strip_prefix("col:") {
        return Some(Dimension::Column {
            name: name.to_string(),
        });
    }
    let rest = v.strip_prefix("date:")?;
    let (part, name) = rest.split_once(':')?;
    Some(Dimension::DatePart {
        name: name.to_string(),
        part: DatePart::parse(part)?,
    })
}

/// A measure as a select value: "rows" or "AGG:NAME".
fn measure_value(m: &Measure) -> String {
    match &m.column {
        None => "rows".into(),
        Some(c) => format!("{}:{c}", m.agg.as_str()),
    }
}

fn measure_of(v: &str) -> Option<Measure> {
    if v == "rows" {
        return Some(Measure::rows());
    }
    let (agg, name) = v.split_once(':')?;
    Some(Measure::of(Agg::parse(agg)?, name))
}

fn group_view(
    p: &DatasetProfile,
    group: Option<Rc<Answer>>,
    on_query: &Callback<Query>,
    on_rows: &Callback<RowFilter>,
) -> Html {
    let mut dims: Vec<(String, String)> = category_columns(p)
        .into_iter()
        .map(|n| (format!("col:{n}"), n))
        .collect();
    for d in date_columns(p) {
        for part in DatePart::ALL {
            let dim = Dimension::DatePart {
                name: d.clone(),
                part,
            };
            dims.push((dim_value(&dim), dim.label()));
        }
    }
    if dims.is_empty() {
        return html! {};
    }
    let Some(answer) = group else {
        return html! {
            <section class="explore-part">
                <h2>{"Group by"}</h2>
                <p class="muted" data-testid="group-pending">{"Computing…"}</p>
            </section>
        };
    };
    let Answer::Group {
        dims: chosen,
        measures,
        sort,
        table,
    } = answer.as_ref()
    else {
        return html! {};
    };
    let emit = {
        let on = on_query.clone();
        move |dims: Vec<Dimension>, measures: Vec<Measure>, sort: Option<(usize, bool)>| {
            let sort = sort.filter(|(i, _)| *i < measures.len());
            on.emit(Query::Group {
                dims,
                measures,
                sort,
            })
        }
    };
    // Dimension pickers: the chosen ones and one more (up to three).
    let mut dim_picks = Vec::new();
    for slot in 0..(chosen.len() + 1).min(3) {
        let current = chosen.get(slot).map(dim_value).unwrap_or_default();
        let mut options = Vec::new();
        if slot > 0 {
            options.push((String::new(), "(none)".to_string()));
        }
        options.extend(dims.iter().cloned());
        let (emit, chosen, measures, sort) =
            (emit.clone(), chosen.clone(), measures.clone(), *sort);
        let on = Callback::from(move |v: String| {
            let mut d = chosen.clone();
            match dim_of(&v) {
                Some(dim) if slot < d.len() => d[slot] = dim,
                Some(dim) => d.push(dim),
                None => d.truncate(slot),
            }
            emit(d, measures.clone(), sort)
        });
        let label = if slot == 0 { "Group by" } else { "then by" };
        dim_picks.push(keyed_pick(
            slot,
            &current,
            select("group-dim", label, &current, &options, on),
        ));
    }
    let mut measure_options = vec![("rows".to_string(), "number of rows".to_string())];
    for c in measure_columns(p) {
        for agg in [
            Agg::Sum,
            Agg::Mean,
            Agg::Median,
            Agg::Min,
            Agg::Max,
            Agg::Count,
        ] {
            let m = Measure::of(agg, &c);
            measure_options.push((measure_value(&m), m.label()));
        }
    }
    let mut measure_picks = Vec::new();
    for slot in 0..(measures.len() + 1).min(4) {
        let current = measures.get(slot).map(measure_value).unwrap_or_default();
        let mut options = Vec::new();
        if slot > 0 {
            options.push((String::new(), "(none)".to_string()));
        }
        options.extend(measure_options.iter().cloned());
        let (emit, chosen, measures, sort) =
            (emit.clone(), chosen.clone(), measures.clone(), *sort);
        let on = Callback::from(move |v: String| {
            let mut m = measures.clone();
            match measure_of(&v) {
                Some(x) if slot < m.len() => m[slot] = x,
                Some(x) => m.push(x),
                None => {
                    m.truncate(slot);
                }
            }
            emit(chosen.clone(), m, sort)
        });
        let label = if slot == 0 { "Measure" } else { "and" };
        measure_picks.push(keyed_pick(
            slot,
            &current,
            select("group-measure", label, &current, &options, on),
        ));
    }
    let sort_header = |i: usize| {
        let (emit, chosen, measures) = (emit.clone(), chosen.clone(), measures.clone());
        let descending = !matches!(sort, Some((j, true)) if *j == i);
        Callback::from(move |_| emit(chosen.clone(), measures.clone(), Some((i, descending))))
    };
    let first = sort.map_or(0, |(i, _)| i);
    let bars = ChartData::Groups {
        measure: table.measures.get(first).cloned().unwrap_or_default(),
        bars: table
            .rows
            .iter()
            .map(|r| (r.keys.join(" · "), r.values.get(first).copied().flatten()))
            .collect(),
    };
    // Groups of one column: a bar opens its rows.
    let on_pick = match chosen.as_slice() {
        [Dimension::Column { name }] => p
            .column_profiles
            .iter()
            .position(|c| &c.name == name)
            .map(|column| rows_of(column, on_rows)),
        _ => None,
    };
    html! {
        <section class="explore-part" id="explore-group">
            <h2>{"Group by"}</h2>
            <div class="picks">{ for dim_picks }</div>
            <div class="picks">{ for measure_picks }</div>
            { group_table(table, *sort, sort_header) }
            <Chart kind="groupby" column={table.dimensions.join(" · ")}
                title={format!("{} by {}{}", table.measures.get(first).cloned().unwrap_or_default(),
                    table.dimensions.join(" and "),
                    if table.rows.len() > crate::core::chart::MAX_BARS { format!(" (first {} groups)", crate::core::chart::MAX_BARS) } else { String::new() })}
                data={bars} {on_pick} />
        </section>
    }
}

fn group_table(
    t: &GroupTable,
    sort: Option<(usize, bool)>,
    sort_header: impl Fn(usize) -> Callback<MouseEvent>,
) -> Html {
    // The rows of each group, unless a measure counts them already.
    let rows_column = !t.measures.iter().any(|m| m == "rows");
    html! {
        <>
            <p class="muted small" data-testid="group-count" data-value={t.groups.to_string()}>
                { format!("{}{}. Click a measure's heading to sort by it.",
                    format::count(t.groups as u64, "group", "groups"),
                    if t.truncated { format!(", the first {} shown", format::int(GROUP_LIMIT as u64)) } else { String::new() }) }
            </p>
            <div class="table-scroll">
            <table class="mini groups">
                <thead><tr>
                    { for t.dimensions.iter().map(|d| html! { <th scope="col">{ d }</th> }) }
                    if rows_column {
                        <th scope="col" class="num">{"rows"}</th>
                    }
                    { for t.measures.iter().enumerate().map(|(i, m)| {
                        let arrow = match sort { Some((j, true)) if j == i => " ↓", Some((j, false)) if j == i => " ↑", _ => "" };
                        html! { <th scope="col" class="num"><button class="link" data-testid="group-sort" onclick={sort_header(i)}>{ format!("{m}{arrow}") }</button></th> }
                    }) }
                </tr></thead>
                <tbody>
                    { for t.rows.iter().map(|r| html! {
                        <tr data-testid="group-row" data-keys={serde_json::to_string(&r.keys).unwrap_or_default()}>
                            { for r.keys.iter().map(|k| html! { <td>{ k }</td> }) }
                            if rows_column {
                                <td class="num" data-measure="rows" data-value={r.rows.to_string()}>{ format::int(r.rows) }</td>
                            }
                            { for r.values.iter().zip(&t.measures).map(|(v, m)| html! {
                                <td class="num" data-measure={m.clone()} data-value={format::machine_f64(*v)}>
                                    { v.map(format::num).unwrap_or_else(|| "—".into()) }
                                </td>
                            }) }
                        </tr>
                    }) }
                </tbody>
            </table>
            </div>
        </>
    }
}
