//! Small charts drawn with plotters on a canvas: a histogram for numeric
//! columns, a horizontal bar chart of the top values for the others.

use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::format;
use crate::core::Histogram;

#[derive(Clone, PartialEq)]
pub enum ChartData {
    Histogram(Histogram),
    /// A histogram whose edges are days since 1970-01-01.
    DateHistogram(Histogram),
    Bars(Vec<(String, u64)>),
}

impl ChartData {
    /// Text of a value on the x axis: a date for date histograms.
    fn x_label(&self, v: f64) -> String {
        match self {
            ChartData::DateHistogram(_) => day_label(v),
            _ => format::num(v),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub kind: AttrValue,
    pub column: AttrValue,
    pub title: AttrValue,
    pub data: ChartData,
}

/// Colour-blind-safe accent (Okabe–Ito blue) and a mid grey that reads on
/// both light and dark backgrounds.
const ACCENT: RGBColor = RGBColor(0, 114, 178);
const INK: RGBColor = RGBColor(128, 128, 128);

const W: u32 = 480;
const H: u32 = 260;

#[component]
pub fn Chart(props: &ChartProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let deps = (props.data.clone(), props.column.clone());
        use_effect_with(deps, move |(data, column)| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                let _ = draw(c, data, column);
            }
        });
    }
    let label = match &props.data {
        ChartData::Histogram(h) | ChartData::DateHistogram(h) => {
            let label = |v: &f64| props.data.x_label(*v);
            format!(
                "{}: histogram with {} bins from {} to {}",
                props.title,
                h.counts.len(),
                h.edges.first().map(label).unwrap_or_default(),
                h.edges.last().map(label).unwrap_or_default()
            )
        }
        ChartData::Bars(b) => format!(
            "{}: {}",
            props.title,
            b.iter()
                .map(|(v, n)| format!("{v} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    html! {
        <figure class="chart" data-testid="chart" data-kind={props.kind.clone()} data-column={props.column.clone()}>
            <figcaption>{ &props.title }</figcaption>
            <canvas ref={canvas} width={W.to_string()} height={H.to_string()} role="img" aria-label={label}></canvas>
        </figure>
    }
}

/// Days since 1970-01-01 as an ISO date.
fn day_label(days: f64) -> String {
    chrono::DateTime::from_timestamp((days * 86_400.0).round() as i64, 0)
        .map(|t| t.date_naive().to_string())
        .unwrap_or_default()
}

fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n - 1).collect::<String>())
    }
}

fn draw(canvas: HtmlCanvasElement, data: &ChartData, column: &str) -> Option<()> {
    let backend = CanvasBackend::with_canvas_object(canvas)?;
    let root = backend.into_drawing_area();
    root.fill(&TRANSPARENT).ok()?;
    let text = ("system-ui, sans-serif", 14).into_font().color(&INK);
    match data {
        ChartData::Histogram(h) | ChartData::DateHistogram(h) => {
            let dates = matches!(data, ChartData::DateHistogram(_));
            let (lo, hi) = (*h.edges.first()?, *h.edges.last()?);
            let hi = if hi > lo { hi } else { lo + 1.0 };
            let max = h.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
            let mut chart = ChartBuilder::on(&root)
                .margin(8)
                .margin_right(36)
                .x_label_area_size(40)
                .y_label_area_size(56)
                .build_cartesian_2d(lo..hi, 0.0..max * 1.05)
                .ok()?;
            chart
                .configure_mesh()
                .disable_x_mesh()
                .light_line_style(INK.mix(0.15))
                .axis_style(INK)
                .label_style(text.clone())
                .x_labels(if dates { 3 } else { 5 })
                .y_labels(4)
                .x_label_formatter(&|v| data.x_label(*v))
                .y_label_formatter(&|v| format::num(*v))
                .y_desc("rows")
                .x_desc(short(column, 40))
                .axis_desc_style(text.clone())
                .draw()
                .ok()?;
            chart
                .draw_series(h.counts.iter().enumerate().filter_map(|(i, n)| {
                    let (a, b) = (*h.edges.get(i)?, *h.edges.get(i + 1)?);
                    Some(Rectangle::new([(a, 0.0), (b, *n as f64)], ACCENT.filled()))
                }))
                .ok()?;
        }
        ChartData::Bars(bars) => {
            // Most frequent first, from the top down.
            let bars: Vec<_> = bars.iter().take(8).collect();
            let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
            let n = bars.len().max(1) as i32;
            let names: Vec<String> = bars.iter().map(|(v, _)| short(v, 16)).collect();
            let mut chart = ChartBuilder::on(&root)
                .margin(8)
                .margin_right(36)
                .x_label_area_size(40)
                .y_label_area_size(130)
                .build_cartesian_2d(0.0..max * 1.1, (0..n).into_segmented())
                .ok()?;
            chart
                .configure_mesh()
                .disable_y_mesh()
                .light_line_style(INK.mix(0.15))
                .axis_style(INK)
                .label_style(text.clone())
                .x_labels(4)
                .y_labels(n as usize)
                .x_label_formatter(&|v| format::num(*v))
                .y_label_formatter(&|y| match y {
                    SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => names
                        .get((n - 1 - *i) as usize)
                        .cloned()
                        .unwrap_or_default(),
                    SegmentValue::Last => String::new(),
                })
                .x_desc("rows")
                .axis_desc_style(text.clone())
                .draw()
                .ok()?;
            chart
                .draw_series(bars.iter().enumerate().map(|(i, (_, c))| {
                    let y = n - 1 - i as i32;
                    let mut r = Rectangle::new(
                        [
                            (0.0, SegmentValue::Exact(y)),
                            (*c as f64, SegmentValue::Exact(y + 1)),
                        ],
                        ACCENT.filled(),
                    );
                    r.set_margin(3, 3, 0, 0);
                    r
                }))
                .ok()?;
        }
    }
    root.present().ok()
}
