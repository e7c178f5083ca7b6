//! Charts drawn with plotters: a histogram for numeric columns, a
//! horizontal bar chart of the top values for the others, a correlation
//! heatmap. Each draws on a canvas and downloads as PNG (the canvas) or
//! SVG (the same drawing on plotters' SVG backend).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::HtmlCanvasElement;
use yew::prelude::*;

use super::controller::{download, download_blob};
use super::format;
use crate::core::Histogram;

#[derive(Clone, PartialEq)]
pub enum ChartData {
    Histogram(Histogram),
    /// A histogram whose edges are days since 1970-01-01.
    DateHistogram(Histogram),
    Bars(Vec<(String, u64)>),
    /// A square matrix of values in -1..=1 (None: undefined).
    Heatmap {
        names: Vec<String>,
        values: Vec<Vec<Option<f64>>>,
    },
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
/// Heatmaps are square and larger.
const HEAT: u32 = 520;

impl ChartData {
    fn size(&self) -> (u32, u32) {
        match self {
            ChartData::Heatmap { .. } => (HEAT, HEAT),
            _ => (W, H),
        }
    }
}

#[component]
pub fn Chart(props: &ChartProps) -> Html {
    let canvas = use_node_ref();
    {
        let canvas = canvas.clone();
        let deps = (props.data.clone(), props.column.clone());
        use_effect_with(deps, move |(data, column)| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                if let Some(backend) = CanvasBackend::with_canvas_object(c) {
                    let _ = paint(&backend.into_drawing_area(), data, column);
                }
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
        ChartData::Heatmap { names, .. } => format!(
            "{}: a {n} by {n} grid of {}",
            props.title,
            names.join(", "),
            n = names.len()
        ),
        ChartData::Bars(b) => format!(
            "{}: {}",
            props.title,
            b.iter()
                .map(|(v, n)| format!("{v} ({n})"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    };
    let (w, h) = props.data.size();
    let stem = format!(
        "{}-{}",
        props.kind,
        if props.column.is_empty() {
            "all"
        } else {
            props.column.as_str()
        }
    )
    .replace(|c: char| !c.is_alphanumeric() && c != '-', "_");
    let png = {
        let (canvas, name) = (canvas.clone(), format!("{stem}.png"));
        Callback::from(move |_| {
            if let Some(c) = canvas.cast::<HtmlCanvasElement>() {
                save_png(&c, name.clone());
            }
        })
    };
    let svg = {
        let (data, column, name) = (
            props.data.clone(),
            props.column.to_string(),
            format!("{stem}.svg"),
        );
        Callback::from(move |_| {
            let text = svg_text(&data, &column);
            if let Err(why) = download(&name, "image/svg+xml", text.as_bytes()) {
                web_sys::console::error_1(&why.into());
            }
        })
    };
    html! {
        <figure class="chart" data-testid="chart" data-kind={props.kind.clone()} data-column={props.column.clone()}>
            <figcaption>
                <span>{ &props.title }</span>
                <span class="chart-downloads">
                    <button class="link" data-testid="chart-png" onclick={png} aria-label={format!("Download {} as PNG", props.title)}>{"PNG"}</button>
                    <button class="link" data-testid="chart-svg" onclick={svg} aria-label={format!("Download {} as SVG", props.title)}>{"SVG"}</button>
                </span>
            </figcaption>
            <canvas ref={canvas} width={w.to_string()} height={h.to_string()} role="img" aria-label={label}></canvas>
        </figure>
    }
}

/// The chart drawn again on plotters' SVG backend.
fn svg_text(data: &ChartData, column: &str) -> String {
    let mut out = String::new();
    {
        let backend = SVGBackend::with_string(&mut out, data.size());
        let root = backend.into_drawing_area();
        // A white ground: the SVG is read outside the app's theme.
        let _ = root.fill(&WHITE);
        let _ = paint(&root, data, column);
    }
    out
}

/// Downloads the canvas as a PNG file.
fn save_png(canvas: &HtmlCanvasElement, name: String) {
    let done = wasm_bindgen::closure::Closure::once_into_js(move |blob: Option<web_sys::Blob>| {
        if let Some(blob) = blob {
            if let Err(why) = download_blob(&name, &blob) {
                web_sys::console::error_1(&why.into());
            }
        }
    });
    let _ = canvas.to_blob(done.unchecked_ref());
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

/// Diverging colour for a value in -1..=1: blue (negative) to orange
/// (positive) through a light grey, colour-blind safe (Okabe–Ito ends).
fn diverging(v: f64) -> RGBColor {
    let t = v.clamp(-1.0, 1.0).abs();
    let (end, mid) = if v < 0.0 {
        ((0.0, 114.0, 178.0), (235.0, 235.0, 235.0))
    } else {
        ((230.0, 159.0, 0.0), (235.0, 235.0, 235.0))
    };
    let mix = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    RGBColor(mix(mid.0, end.0), mix(mid.1, end.1), mix(mid.2, end.2))
}

fn paint<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    column: &str,
) -> Option<()> {
    root.fill(&TRANSPARENT).ok()?;
    let text = ("system-ui, sans-serif", 14).into_font().color(&INK);
    match data {
        ChartData::Histogram(h) | ChartData::DateHistogram(h) => {
            let dates = matches!(data, ChartData::DateHistogram(_));
            let (lo, hi) = (*h.edges.first()?, *h.edges.last()?);
            let hi = if hi > lo { hi } else { lo + 1.0 };
            let max = h.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
            let mut chart = ChartBuilder::on(root)
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
        ChartData::Heatmap { names, values } => {
            let n = names.len().max(1) as i32;
            // Rows from the top down, so the diagonal runs top-left to
            // bottom-right; x labels short enough to stand unrotated.
            let name = |i: i32, width: usize| {
                names
                    .get(i as usize)
                    .map(|s| short(s, width))
                    .unwrap_or_default()
            };
            let x_label = |v: &SegmentValue<i32>| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => name(*i, 9),
                SegmentValue::Last => String::new(),
            };
            let y_label = |v: &SegmentValue<i32>| match v {
                SegmentValue::CenterOf(j) | SegmentValue::Exact(j) => name(n - 1 - *j, 14),
                SegmentValue::Last => String::new(),
            };
            let mut chart = ChartBuilder::on(root)
                .margin(8)
                .margin_right(16)
                .x_label_area_size(40)
                .y_label_area_size(110)
                .build_cartesian_2d((0..n - 1).into_segmented(), (0..n - 1).into_segmented())
                .ok()?;
            chart
                .configure_mesh()
                .disable_mesh()
                .axis_style(INK)
                .label_style(text.clone())
                .x_labels(n as usize)
                .y_labels(n as usize)
                .x_label_style(("system-ui, sans-serif", 12).into_font().color(&INK))
                .x_label_formatter(&x_label)
                .y_label_formatter(&y_label)
                .draw()
                .ok()?;
            let value = |i: i32, j: i32| {
                values
                    .get(i as usize)
                    .and_then(|r| r.get((n - 1 - j) as usize))
                    .copied()
                    .flatten()
            };
            let cells = (0..n).flat_map(|i| (0..n).map(move |j| (i, j)));
            chart
                .draw_series(cells.clone().map(|(i, j)| {
                    let fill = value(i, j).map_or(INK.mix(0.2).filled(), |v| diverging(v).filled());
                    let mut r = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                            (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                        ],
                        fill,
                    );
                    r.set_margin(1, 1, 1, 1);
                    r
                }))
                .ok()?;
            if n <= 12 {
                let small = ("system-ui, sans-serif", 12).into_font().color(&BLACK);
                chart
                    .draw_series(cells.filter_map(|(i, j)| {
                        Some(Text::new(
                            format!("{:.2}", value(i, j)?),
                            (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                            small.clone().pos(plotters::style::text_anchor::Pos::new(
                                plotters::style::text_anchor::HPos::Center,
                                plotters::style::text_anchor::VPos::Center,
                            )),
                        ))
                    }))
                    .ok()?;
            }
        }
        ChartData::Bars(bars) => {
            // Most frequent first, from the top down.
            let bars: Vec<_> = bars.iter().take(8).collect();
            let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
            let n = bars.len().max(1) as i32;
            let names: Vec<String> = bars.iter().map(|(v, _)| short(v, 16)).collect();
            let mut chart = ChartBuilder::on(root)
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
