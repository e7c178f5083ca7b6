//! Explore tab: how the columns go together — a heatmap of the numeric
//! correlations (Pearson), one of the categorical associations (Cramér's V),
//! and the strongest pairs of any kind.

use std::rc::Rc;

use yew::prelude::*;

use super::chart::{Chart, ChartData};
use crate::core::explore::correlate::Correlations;

#[derive(Properties, PartialEq)]
pub struct ExploreProps {
    /// None while the worker computes them.
    pub correlations: Option<Rc<Correlations>>,
}

fn method_name(m: &str) -> &'static str {
    match m {
        "pearson" => "Pearson r",
        "spearman" => "Spearman ρ",
        "cramers_v" => "Cramér's V",
        _ => "correlation ratio η",
    }
}

#[component]
pub fn ExploreTab(props: &ExploreProps) -> Html {
    let Some(c) = props.correlations.as_ref() else {
        return html! { <p class="muted">{"Computing correlations…"}</p> };
    };
    let numeric = (c.numeric.len() >= 2).then(|| {
        html! {
            <Chart kind="heatmap" column="" title="Correlation of the numeric columns (Pearson r)"
                data={ChartData::Heatmap { names: c.numeric.clone(), values: c.pearson.clone() }} />
        }
    });
    let categorical = (c.categorical.len() >= 2).then(|| {
        html! {
            <Chart kind="heatmap" column="categorical" title="Association of the categorical columns (Cramér's V)"
                data={ChartData::Heatmap { names: c.categorical.clone(), values: c.cramers_v.clone() }} />
        }
    });
    html! {
        <div class="explore">
            if numeric.is_none() && categorical.is_none() && c.top.is_empty() {
                <p class="muted">{"There are not enough numeric or categorical columns to relate."}</p>
            }
            <div class="charts">
                { numeric.unwrap_or_default() }
                { categorical.unwrap_or_default() }
            </div>
            if !c.top.is_empty() {
                <h2>{"Strongest relations"}</h2>
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
        </div>
    }
}
