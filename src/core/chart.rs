//! Chart specs and their drawing, with plotters on any backend: the page
//! draws them on a canvas, the downloads and the report as SVG (natively
//! too). Colour-blind-safe colours (Okabe–Ito; viridis for scales), axis
//! titles on every axis, long labels shortened with an ellipsis.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::{Deserialize, Serialize};

use crate::core::explore::aggregate::Agg;
use crate::core::explore::distribution::BoxStats;
use crate::core::explore::missing::MissingMatrix;
use crate::core::explore::scatter::{Colour, Scatter};
use crate::core::explore::trend::Trend;
use crate::core::format;
use crate::core::model::Histogram;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum ChartData {
    Histogram(Histogram),
    /// A histogram whose edges are days since 1970-01-01.
    DateHistogram(Histogram),
    /// Counts of the most frequent values, most frequent first.
    Bars(Vec<(String, u64)>),
    /// `values[i][j]` for row `rows[i]` and column `cols[j]` (None:
    /// undefined); `signed`: values in -1..=1 (else 0..=1).
    Heatmap {
        rows: Vec<String>,
        cols: Vec<String>,
        values: Vec<Vec<Option<f64>>>,
        signed: bool,
    },
    Box(BoxStats),
    Scatter(Scatter),
    Missing(MissingMatrix),
    Trend(Trend),
    /// One measure per group, in the table's order: (group label, value).
    Groups {
        measure: String,
        bars: Vec<(String, Option<f64>)>,
    },
    /// `y` as a function of a numeric `x` (partial dependence): points in
    /// ascending `x`, joined by a line.
    Curve {
        x: String,
        y: String,
        points: Vec<(f64, f64)>,
        /// `x` is days since 1970-01-01.
        dates: bool,
    },
}

/// Colours of the surroundings: text and axes read on the theme's ground.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Style {
    pub ink: RGBColor,
    /// The colour of a zero in a heatmap: close to the theme's ground, so
    /// a dark page has no glaring white cells.
    pub neutral: RGBColor,
}

impl Style {
    pub const LIGHT: Style = Style {
        ink: RGBColor(80, 85, 94),
        neutral: NEUTRAL,
    };
    pub const DARK: Style = Style {
        ink: RGBColor(170, 175, 184),
        neutral: RGBColor(52, 56, 64),
    };
}

/// Okabe–Ito: blue, orange, bluish green, vermillion, reddish purple, sky
/// blue, yellow; grey for "other".
pub const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
];
const OTHER: RGBColor = RGBColor(150, 150, 150);
const ACCENT: RGBColor = PALETTE[0];
const WARN: RGBColor = PALETTE[3];

/// Groups drawn at most in a group-by chart (the table lists them all).
pub const MAX_BARS: usize = 20;

const W: u32 = 480;
const H: u32 = 260;
const FONT: &str = "system-ui, sans-serif";

impl ChartData {
    /// Width and height in pixels.
    pub fn size(&self) -> (u32, u32) {
        match self {
            ChartData::Heatmap { rows, cols, .. } => {
                let cell = |n: usize| (n as u32 * 34).clamp(200, 760);
                (cell(cols.len()) + 130, cell(rows.len()) + 100)
            }
            ChartData::Box(_) => (W, 150),
            ChartData::Scatter(_) => (560, 380),
            ChartData::Missing(m) => ((m.columns.len() as u32 * 28).clamp(360, 900) + 90, 340),
            ChartData::Trend(_) => (640, 300),
            ChartData::Curve { .. } => (560, 320),
            ChartData::Groups { bars, .. } => {
                (560, (bars.len().min(MAX_BARS) as u32 * 24).max(120) + 70)
            }
            _ => (W, H),
        }
    }

    /// What the chart shows, in words (the canvas's accessible name).
    pub fn describe(&self, title: &str) -> String {
        match self {
            ChartData::Histogram(h) | ChartData::DateHistogram(h) => {
                let label = |v: &f64| self.x_label(*v);
                format!(
                    "{title}: histogram with {} bins from {} to {}",
                    h.counts.len(),
                    h.edges.first().map(label).unwrap_or_default(),
                    h.edges.last().map(label).unwrap_or_default()
                )
            }
            ChartData::Heatmap { rows, cols, .. } => format!(
                "{title}: a {} by {} grid of {} against {}",
                rows.len(),
                cols.len(),
                rows.join(", "),
                cols.join(", ")
            ),
            ChartData::Bars(b) => format!(
                "{title}: {}",
                b.iter()
                    .map(|(v, n)| format!("{v} ({n})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ChartData::Box(b) => format!(
                "{title}: quartiles {}, {}, {}; whiskers {} to {}; {} outliers",
                format::num(b.q1),
                format::num(b.median),
                format::num(b.q3),
                format::num(b.low),
                format::num(b.high),
                format::int(b.outlier_count)
            ),
            ChartData::Scatter(s) => format!(
                "{title}: {} points{}",
                format::int(s.points.len() as u64),
                if s.sampled {
                    format!(", a random sample of {}", format::int(s.total))
                } else {
                    String::new()
                }
            ),
            ChartData::Trend(t) => format!(
                "{title}: {} periods from {} to {}{}",
                t.periods.len(),
                t.periods
                    .first()
                    .map(|p| p.label.as_str())
                    .unwrap_or_default(),
                t.periods
                    .last()
                    .map(|p| p.label.as_str())
                    .unwrap_or_default(),
                t.sentence().map(|s| format!(". {s}")).unwrap_or_default()
            ),
            ChartData::Groups { measure, bars } => format!(
                "{title}: {measure} for {}",
                bars.iter()
                    .take(MAX_BARS)
                    .map(|(g, v)| format!(
                        "{g} ({})",
                        v.map(format::num).unwrap_or_else(|| "—".into())
                    ))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            ChartData::Curve {
                x,
                y,
                points,
                dates,
            } => {
                let at = |p: Option<&(f64, f64)>| {
                    p.map_or_else(String::new, |(a, b)| {
                        let a = if *dates {
                            day_label(*a)
                        } else {
                            format::num(*a)
                        };
                        format!("{} at {x} = {a}", format::num(*b))
                    })
                };
                let top = points.iter().max_by(|a, b| a.1.total_cmp(&b.1));
                format!(
                    "{title}: {y} from {} to {}; highest {}",
                    at(points.first()),
                    at(points.last()),
                    at(top)
                )
            }
            ChartData::Missing(m) => format!(
                "{title}: {} columns over {} rows; {} rows have a missing cell",
                m.columns.len(),
                format::int(m.rows),
                format::int(m.rows_with_missing)
            ),
        }
    }

    /// Text of a value on the x axis: a date for date histograms.
    fn x_label(&self, v: f64) -> String {
        match self {
            ChartData::DateHistogram(_) => day_label(v),
            _ => format::num(v),
        }
    }
}

/// The chart as an SVG document on a white ground (read outside the app's
/// theme).
pub fn svg(data: &ChartData, column: &str) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, data.size()).into_drawing_area();
        let _ = root.fill(&WHITE);
        let _ = paint(&root, data, column, Style::LIGHT);
    }
    out
}

/// Days since 1970-01-01 as an ISO date.
pub fn day_label(days: f64) -> String {
    chrono::DateTime::from_timestamp((days * 86_400.0).round() as i64, 0)
        .map(|t| t.date_naive().to_string())
        .unwrap_or_default()
}

/// `s` cut to `n` characters with an ellipsis.
pub fn short(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!(
            "{}…",
            s.chars().take(n.saturating_sub(1)).collect::<String>()
        )
    }
}

fn mix(a: RGBColor, b: RGBColor, t: f64) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let m = |x: u8, y: u8| (x as f64 + (y as f64 - x as f64) * t).round() as u8;
    RGBColor(m(a.0, b.0), m(a.1, b.1), m(a.2, b.2))
}

const NEUTRAL: RGBColor = RGBColor(235, 235, 235);

/// Diverging colour for -1..=1: blue (negative) to orange (positive)
/// through light grey; sequential grey to orange for 0..=1.
fn heat(v: f64, neutral: RGBColor) -> RGBColor {
    if v < 0.0 {
        mix(neutral, PALETTE[0], -v)
    } else {
        mix(neutral, PALETTE[1], v)
    }
}

/// Black or white, whichever reads better on `c` (WCAG relative luminance).
fn text_on(c: RGBColor) -> RGBColor {
    let lin = |u: u8| {
        let x = f64::from(u) / 255.0;
        if x <= 0.039_28 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    };
    let l = 0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2);
    // The luminance where black and white have the same contrast.
    if l > 0.179 {
        BLACK
    } else {
        WHITE
    }
}

/// Viridis at `t` in 0..=1 (five stops), for continuous colour scales.
fn viridis(t: f64) -> RGBColor {
    const STOPS: [RGBColor; 5] = [
        RGBColor(68, 1, 84),
        RGBColor(59, 82, 139),
        RGBColor(33, 145, 140),
        RGBColor(94, 201, 98),
        RGBColor(253, 231, 37),
    ];
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let x = t * 4.0;
    let i = (x.floor() as usize).min(3);
    mix(STOPS[i], STOPS[i + 1], x - i as f64)
}

/// How many axis labels of about `label_px` pixels fit along `root`'s
/// width with room between them (at least 2, at most `most`).
fn ticks<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, label_px: u32, most: usize) -> usize {
    let w = root.dim_in_pixel().0.saturating_sub(80);
    ((w / (label_px + 24).max(1)) as usize).clamp(2, most.max(2))
}

fn centered() -> Pos {
    Pos::new(HPos::Center, VPos::Center)
}

/// Draws `data` on `root`. Returns None when plotters fails (a drawing
/// error leaves a partial chart, never a panic).
pub fn paint<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    column: &str,
    style: Style,
) -> Option<()> {
    let ink = style.ink;
    let text = (FONT, 14).into_font().color(&ink);
    let small = (FONT, 12).into_font().color(&ink);
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
            grid(&mut chart.configure_mesh(), ink, &text)
                .disable_x_mesh()
                .x_labels(if dates {
                    ticks(root, 80, 4)
                } else {
                    ticks(root, 44, 6)
                })
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
        ChartData::Heatmap {
            rows,
            cols,
            values,
            signed,
        } => {
            let (nr, nc) = (rows.len().max(1) as i32, cols.len().max(1) as i32);
            // Rows from the top down, so a square matrix's diagonal runs
            // top-left to bottom-right.
            let label = |names: &Vec<String>, i: i32, width: usize| {
                names
                    .get(i as usize)
                    .map(|s| short(s, width))
                    .unwrap_or_default()
            };
            let x_label = |v: &SegmentValue<i32>| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => label(cols, *i, 12),
                SegmentValue::Last => String::new(),
            };
            let y_label = |v: &SegmentValue<i32>| match v {
                SegmentValue::CenterOf(j) | SegmentValue::Exact(j) => label(rows, nr - 1 - *j, 14),
                SegmentValue::Last => String::new(),
            };
            // Labels turn upright when they would run into each other.
            let longest = cols
                .iter()
                .map(|c| c.chars().count().min(12))
                .max()
                .unwrap_or(0);
            let many = nc > 2 && longest > 5;
            let mut chart = ChartBuilder::on(root)
                .margin(8)
                .margin_right(16)
                .x_label_area_size(if many { 80 } else { 40 })
                .y_label_area_size(110)
                .build_cartesian_2d((0..nc - 1).into_segmented(), (0..nr - 1).into_segmented())
                .ok()?;
            let x_style = if many {
                small.clone().transform(FontTransform::Rotate90)
            } else {
                small.clone()
            };
            chart
                .configure_mesh()
                .disable_mesh()
                .axis_style(ink)
                .label_style(text.clone())
                .x_labels(nc as usize)
                .y_labels(nr as usize)
                .x_label_style(x_style)
                .x_label_formatter(&x_label)
                .y_label_formatter(&y_label)
                .draw()
                .ok()?;
            let value = |i: i32, j: i32| {
                values
                    .get((nr - 1 - j) as usize)
                    .and_then(|r| r.get(i as usize))
                    .copied()
                    .flatten()
            };
            // A cell's colour (its value's text is black or white on it).
            let colour = |v: f64| heat(if *signed { v } else { v.abs() }, style.neutral);
            let cells = (0..nc).flat_map(|i| (0..nr).map(move |j| (i, j)));
            chart
                .draw_series(cells.clone().map(|(i, j)| {
                    let fill = value(i, j).map_or(ink.mix(0.2).filled(), |v| colour(v).filled());
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
            // Values in the cells while they fit.
            let (w, h) = chart.plotting_area().dim_in_pixel();
            let cell = (w as i32 / nc).min(h as i32 / nr);
            if cell >= 18 {
                let size = if cell >= 34 { 12 } else { 10 };
                chart
                    .draw_series(cells.filter_map(|(i, j)| {
                        let v = value(i, j)?;
                        let on_cell = text_on(colour(v));
                        let text = if cell >= 34 {
                            format!("{v:.2}")
                        } else {
                            format!("{v:.1}")
                        };
                        Some(Text::new(
                            text,
                            (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                            (FONT, size).into_font().color(&on_cell).pos(centered()),
                        ))
                    }))
                    .ok()?;
            }
        }
        ChartData::Bars(bars) => {
            let bars: Vec<(String, Option<f64>)> = bars
                .iter()
                .take(8)
                .map(|(v, n)| (v.clone(), Some(*n as f64)))
                .collect();
            horizontal_bars(root, &bars, "rows", style)?;
        }
        ChartData::Box(b) => {
            let lo = b.outliers.first().copied().unwrap_or(b.low).min(b.low);
            let hi = b.outliers.last().copied().unwrap_or(b.high).max(b.high);
            let pad = ((hi - lo) * 0.04).max(if hi == lo { 1.0 } else { 0.0 });
            let mut chart = ChartBuilder::on(root)
                .margin(8)
                .margin_right(36)
                .x_label_area_size(40)
                .y_label_area_size(16)
                .build_cartesian_2d(lo - pad..hi + pad, 0.0..1.0)
                .ok()?;
            grid(&mut chart.configure_mesh(), ink, &text)
                .disable_y_mesh()
                .disable_y_axis()
                .x_labels(ticks(root, 44, 6))
                .x_label_formatter(&|v| format::num(*v))
                .x_desc(short(column, 40))
                .axis_desc_style(text.clone())
                .draw()
                .ok()?;
            let line = ink.stroke_width(2);
            let area = chart.plotting_area();
            area.draw(&Rectangle::new(
                [(b.q1, 0.3), (b.q3, 0.7)],
                ACCENT.mix(0.35).filled(),
            ))
            .ok()?;
            area.draw(&Rectangle::new(
                [(b.q1, 0.3), (b.q3, 0.7)],
                ACCENT.stroke_width(2),
            ))
            .ok()?;
            area.draw(&PathElement::new(
                vec![(b.median, 0.3), (b.median, 0.7)],
                BLACK.stroke_width(3),
            ))
            .ok()?;
            for (from, to) in [(b.low, b.q1), (b.q3, b.high)] {
                area.draw(&PathElement::new(vec![(from, 0.5), (to, 0.5)], line))
                    .ok()?;
            }
            for cap in [b.low, b.high] {
                area.draw(&PathElement::new(vec![(cap, 0.38), (cap, 0.62)], line))
                    .ok()?;
            }
            chart
                .draw_series(
                    b.outliers
                        .iter()
                        .map(|&v| Circle::new((v, 0.5), 4, WARN.stroke_width(1))),
                )
                .ok()?;
        }
        ChartData::Scatter(s) => {
            let range = |pick: fn(&(f64, f64, Option<f64>)) -> f64| {
                let (lo, hi) = s.points.iter().map(pick).fold(EMPTY, extend);
                if !lo.is_finite() {
                    return 0.0..1.0;
                }
                let pad = ((hi - lo) * 0.04).max(if hi == lo { 1.0 } else { 0.0 });
                lo - pad..hi + pad
            };
            let axis = |dates: bool, v: f64| {
                if dates {
                    day_label(v)
                } else {
                    format::num(v)
                }
            };
            let mut chart = ChartBuilder::on(root)
                .margin(8)
                .margin_right(24)
                .x_label_area_size(44)
                .y_label_area_size(64)
                .build_cartesian_2d(range(|p| p.0), range(|p| p.1))
                .ok()?;
            grid(&mut chart.configure_mesh(), ink, &text)
                .x_labels(if s.x_dates {
                    ticks(root, 80, 5)
                } else {
                    ticks(root, 44, 7)
                })
                .y_labels(6)
                .x_label_formatter(&|v| axis(s.x_dates, *v))
                .y_label_formatter(&|v| axis(s.y_dates, *v))
                .x_desc(short(&s.x, 40))
                .y_desc(short(&s.y, 30))
                .axis_desc_style(text.clone())
                .draw()
                .ok()?;
            match &s.colour {
                Some(Colour::Groups { groups, .. }) => {
                    for (g, name) in groups.iter().enumerate() {
                        let colour = PALETTE.get(g).copied().unwrap_or(OTHER);
                        chart
                            .draw_series(
                                s.points
                                    .iter()
                                    .filter(|p| p.2 == Some(g as f64))
                                    .map(|p| Circle::new((p.0, p.1), 2, colour.mix(0.7).filled())),
                            )
                            .ok()?
                            .label(short(name, 18))
                            .legend(move |(x, y)| Circle::new((x, y), 4, colour.filled()));
                    }
                    chart
                        .draw_series(
                            s.points
                                .iter()
                                .filter(|p| p.2.is_none())
                                .map(|p| Circle::new((p.0, p.1), 2, OTHER.mix(0.4).filled())),
                        )
                        .ok()?;
                    chart
                        .configure_series_labels()
                        .position(SeriesLabelPosition::UpperRight)
                        .background_style(WHITE.mix(0.8))
                        .border_style(ink.mix(0.4))
                        .label_font(small.clone().color(&BLACK))
                        .draw()
                        .ok()?;
                }
                Some(Colour::Scale { min, max, .. }) => {
                    let span = if max > min { max - min } else { 1.0 };
                    chart
                        .draw_series(s.points.iter().map(|p| {
                            let c = match p.2 {
                                Some(v) => viridis((v - min) / span).mix(0.75),
                                None => OTHER.mix(0.4),
                            };
                            Circle::new((p.0, p.1), 2, c.filled())
                        }))
                        .ok()?;
                }
                None => {
                    chart
                        .draw_series(
                            s.points
                                .iter()
                                .map(|p| Circle::new((p.0, p.1), 2, ACCENT.mix(0.55).filled())),
                        )
                        .ok()?;
                }
            }
        }
        ChartData::Missing(m) => {
            let nc = m.columns.len().max(1) as i32;
            let bands = m.share.first().map_or(1, |b| b.len().max(1));
            let many = nc > 8;
            let names = &m.columns;
            let mut chart = ChartBuilder::on(root)
                .margin(8)
                .margin_right(16)
                .x_label_area_size(if many { 90 } else { 40 })
                .y_label_area_size(80)
                .build_cartesian_2d((0..nc - 1).into_segmented(), 0.0..bands as f64)
                .ok()?;
            let x_style = if many {
                small.clone().transform(FontTransform::Rotate90)
            } else {
                small.clone()
            };
            let band_rows = m.band_rows.max(1) as f64;
            chart
                .configure_mesh()
                .disable_mesh()
                .axis_style(ink)
                .label_style(text.clone())
                .x_labels(nc as usize)
                .y_labels(5)
                .x_label_style(x_style)
                .x_label_formatter(&|v| match v {
                    SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => names
                        .get(*i as usize)
                        .map(|s| short(s, if many { 12 } else { 10 }))
                        .unwrap_or_default(),
                    SegmentValue::Last => String::new(),
                })
                // Row numbers, the first rows at the top.
                .y_label_formatter(&|v| {
                    format::int(((bands as f64 - v) * band_rows).round().max(1.0) as u64)
                })
                .y_desc("row")
                .axis_desc_style(text.clone())
                .draw()
                .ok()?;
            let present = ACCENT.mix(0.2);
            chart
                .draw_series(m.share.iter().enumerate().flat_map(|(c, col)| {
                    col.iter().enumerate().map(move |(b, &share)| {
                        let fill = if share > 0.0 {
                            // Any gap stays visible, however small.
                            mix(RGBColor(200, 215, 230), WARN, 0.25 + 0.75 * share as f64).filled()
                        } else {
                            present.filled()
                        };
                        let top = bands as f64 - b as f64;
                        Rectangle::new(
                            [
                                (SegmentValue::Exact(c as i32), top),
                                (SegmentValue::Exact(c as i32 + 1), top - 1.0),
                            ],
                            fill,
                        )
                    })
                }))
                .ok()?;
        }
        ChartData::Trend(t) => {
            let points: Vec<(f64, f64)> = t
                .periods
                .iter()
                .filter_map(|p| Some((f64::from(p.start), p.value?)))
                .collect();
            let x_lo = f64::from(t.periods.first()?.start);
            let x_hi = f64::from(t.periods.last()?.start).max(x_lo + 1.0);
            let (y_lo, y_hi) = points.iter().map(|p| p.1).fold(EMPTY, extend);
            let (y_lo, y_hi) = if y_lo.is_finite() {
                // Counts and sums start at zero; others fit their range.
                let lo = if y_lo >= 0.0 && matches!(t.agg, Agg::Count | Agg::Sum) {
                    0.0
                } else {
                    y_lo
                };
                let pad = ((y_hi - lo) * 0.08).max(if y_hi == lo { 1.0 } else { 0.0 });
                (if lo == 0.0 { 0.0 } else { lo - pad }, y_hi + pad)
            } else {
                (0.0, 1.0)
            };
            let g = t.granularity;
            // A period without values breaks the line.
            let mut run: Vec<(f64, f64)> = Vec::new();
            let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
            for p in &t.periods {
                match p.value {
                    Some(v) => run.push((f64::from(p.start), v)),
                    None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                    None => {}
                }
            }
            runs.push(run);
            let mut chart = line_chart(
                root,
                (x_lo..x_hi, y_lo..y_hi),
                (ticks(root, 70, 8), &|v: &f64| g.label(v.round() as i32)),
                (
                    format!("{} (by {})", short(&t.date, 30), g.as_str()),
                    short(&t.measure_label(), 30),
                ),
                &runs,
                points.len() <= 120,
                style,
            )?;
            // The two periods compared, marked (the last two complete ones
            // when the last period is incomplete).
            let n = t.periods.len();
            let end = if t.complete_change.is_some() {
                n - 1
            } else {
                n
            };
            if let (true, Some(_)) = (end >= 2, t.headline()) {
                for (p, colour) in [
                    (&t.periods[end - 2], PALETTE[0]),
                    (&t.periods[end - 1], PALETTE[1]),
                ] {
                    if let Some(v) = p.value {
                        chart
                            .draw_series(std::iter::once(Circle::new(
                                (f64::from(p.start), v),
                                6,
                                colour.stroke_width(2),
                            )))
                            .ok()?;
                    }
                }
            }
        }
        ChartData::Groups { measure, bars } => {
            horizontal_bars(root, bars, measure, style)?;
        }
        ChartData::Curve {
            x,
            y,
            points,
            dates,
        } => {
            let (x_lo, x_hi) = (points.first()?.0, points.last()?.0);
            let x_hi = if x_hi > x_lo { x_hi } else { x_lo + 1.0 };
            let (y_lo, y_hi) = points.iter().map(|p| p.1).fold(EMPTY, extend);
            let pad = ((y_hi - y_lo) * 0.1).max(if y_hi == y_lo { 0.5 } else { 0.0 });
            let x_label = |v: &f64| {
                if *dates {
                    day_label(v.round())
                } else {
                    format::num(*v)
                }
            };
            line_chart(
                root,
                (x_lo..x_hi, (y_lo - pad)..(y_hi + pad)),
                (
                    if *dates {
                        ticks(root, 80, 5)
                    } else {
                        ticks(root, 44, 7)
                    },
                    &x_label,
                ),
                (short(x, 40), short(y, 40)),
                std::slice::from_ref(points),
                true,
                style,
            )?;
        }
    }
    root.present().ok()
}

/// The house grid: no minor lines, faint major ones, axes and labels in
/// the ink.
fn grid<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
    ink: RGBColor,
    labels: &TextStyle<'b>,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged,
    Y: Ranged,
    DB: DrawingBackend,
{
    mesh.light_line_style(TRANSPARENT)
        .bold_line_style(ink.mix(0.15))
        .axis_style(ink)
        .label_style(labels.clone())
}

/// The range of no values (widened by [`extend`]; not finite while empty).
const EMPTY: (f64, f64) = (f64::INFINITY, f64::NEG_INFINITY);

/// `(lo, hi)` widened to hold `v`.
fn extend((lo, hi): (f64, f64), v: f64) -> (f64, f64) {
    (lo.min(v), hi.max(v))
}

/// A line chart of `runs` (each a line; dots on the points when `dots`)
/// with a horizontal grid; the chart is returned for marks on top.
fn line_chart<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    (x, y): (std::ops::Range<f64>, std::ops::Range<f64>),
    (x_labels, x_label): (usize, &dyn Fn(&f64) -> String),
    (x_desc, y_desc): (String, String),
    runs: &[Vec<(f64, f64)>],
    dots: bool,
    style: Style,
) -> Option<
    ChartContext<
        'a,
        DB,
        Cartesian2d<plotters::coord::types::RangedCoordf64, plotters::coord::types::RangedCoordf64>,
    >,
> {
    let ink = style.ink;
    let text = (FONT, 14).into_font().color(&ink);
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .margin_right(28)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x, y)
        .ok()?;
    grid(&mut chart.configure_mesh(), ink, &text)
        .disable_x_mesh()
        .x_labels(x_labels)
        .y_labels(5)
        .x_label_formatter(x_label)
        .y_label_formatter(&|v| format::num(*v))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(text)
        .draw()
        .ok()?;
    for r in runs.iter().filter(|r| !r.is_empty()) {
        chart
            .draw_series(LineSeries::new(r.iter().copied(), ACCENT.stroke_width(2)))
            .ok()?;
        if dots {
            chart
                .draw_series(r.iter().map(|&p| Circle::new(p, 3, ACCENT.filled())))
                .ok()?;
        }
    }
    Some(chart)
}

/// Horizontal bars of labelled values, the first at the top (at most
/// [`MAX_BARS`]); negative values drawn leftwards in another colour.
fn horizontal_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: &[(String, Option<f64>)],
    measure: &str,
    style: Style,
) -> Option<()> {
    let ink = style.ink;
    let text = (FONT, 14).into_font().color(&ink);
    let small = (FONT, 12).into_font().color(&ink);
    let bars: Vec<&(String, Option<f64>)> = bars.iter().take(MAX_BARS).collect();
    let n = bars.len().max(1) as i32;
    let values = bars.iter().filter_map(|b| b.1);
    let lo = values.clone().fold(0.0f64, f64::min);
    let hi = values.fold(0.0f64, f64::max);
    let pad = ((hi - lo) * 0.08).max(if hi == lo { 1.0 } else { 0.0 });
    // The labels take what they need, at most two fifths of the width
    // (shortened with an ellipsis to fit).
    let width = root.dim_in_pixel().0;
    let most = width * 2 / 5;
    let mut chars = 22;
    let widest = |chars: usize| {
        bars.iter()
            .map(|(g, _)| {
                root.estimate_text_size(&short(g, chars), &small)
                    .map_or(chars as u32 * 7, |(w, _)| w)
            })
            .max()
            .unwrap_or(0)
    };
    while chars > 6 && widest(chars) + 14 > most {
        chars -= 2;
    }
    let label_area = (widest(chars) + 14).clamp(40, most.max(40));
    let names: Vec<String> = bars.iter().map(|(g, _)| short(g, chars)).collect();
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .margin_right(24)
        .x_label_area_size(40)
        .y_label_area_size(label_area)
        .build_cartesian_2d(
            (if lo < 0.0 { lo - pad } else { 0.0 })..(if hi > 0.0 { hi + pad } else { 0.0 }),
            // Bar k (from the bottom) is centred on k: the labels fall
            // on whole numbers, one per bar, none beside an empty slot.
            -0.5..(n as f64 - 0.5),
        )
        .ok()?;
    grid(&mut chart.configure_mesh(), ink, &small)
        .disable_y_mesh()
        .x_labels(ticks(root, 44, 6))
        .y_labels(n as usize)
        .x_label_formatter(&|v| format::num(*v))
        .y_label_formatter(&|y| {
            let k = y.round();
            if (y - k).abs() > 1e-6 || k < 0.0 {
                return String::new();
            }
            names
                .get((n - 1) as usize - k as usize)
                .cloned()
                .unwrap_or_default()
        })
        .x_desc(short(measure, 50))
        .axis_desc_style(text.clone())
        .draw()
        .ok()?;
    chart
        .draw_series(bars.iter().enumerate().filter_map(|(i, (_, v))| {
            let v = (*v)?;
            let y = f64::from(n - 1 - i as i32);
            let colour = if v < 0.0 { PALETTE[3] } else { ACCENT };
            Some(Rectangle::new(
                [(0.0, y - 0.38), (v, y + 0.38)],
                colour.filled(),
            ))
        }))
        .ok()?;
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::explore::distribution::box_of;

    #[test]
    fn svg_of_each_kind_has_its_marks() {
        let h = Histogram {
            edges: vec![0.0, 1.0, 2.0],
            counts: vec![3, 5],
        };
        let out = svg(&ChartData::Histogram(h), "x");
        assert!(out.starts_with("<svg") && out.contains("<rect"), "{out}");
        let b = box_of("x", &[1.0, 2.0, 3.0, 4.0, 100.0]).unwrap();
        let out = svg(&ChartData::Box(b), "x");
        assert!(out.contains("<circle"), "outlier drawn");
        let heat = ChartData::Heatmap {
            rows: vec!["a".into(), "b".into()],
            cols: vec!["a".into(), "b".into()],
            values: vec![vec![Some(1.0), Some(-0.5)], vec![Some(-0.5), None]],
            signed: true,
        };
        let out = svg(&heat, "");
        assert!(out.contains("-0.50"), "values in cells");
        let curve = ChartData::Curve {
            x: "tenure".into(),
            y: "probability of 'yes'".into(),
            points: vec![(1.0, 0.6), (10.0, 0.4), (40.0, 0.1)],
            dates: false,
        };
        let out = svg(&curve, "tenure");
        assert!(out.contains("<polyline") && out.contains("tenure"), "{out}");
        assert_eq!(
            curve.describe("Partial dependence"),
            "Partial dependence: probability of 'yes' from 0.6 at tenure = 1 to 0.1 at \
             tenure = 40; highest 0.6 at tenure = 1"
        );
    }

    /// The filled bars (x, y, width, height) of an SVG drawn by `paint`.
    fn bars_of(svg: &str) -> Vec<(f64, f64, f64, f64)> {
        svg.split("<rect")
            .skip(1)
            .filter(|r| r.contains("fill=\"#0072B2\""))
            .map(|r| {
                let attr = |name: &str| {
                    r.split(&format!(" {name}=\""))
                        .nth(1)
                        .and_then(|v| v.split('"').next())
                        .and_then(|v| v.parse::<f64>().ok())
                        .unwrap_or(f64::NAN)
                };
                (attr("x"), attr("y"), attr("width"), attr("height"))
            })
            .collect()
    }

    fn drawn(data: &ChartData, w: u32) -> String {
        let mut out = String::new();
        {
            let root = SVGBackend::with_string(&mut out, (w, data.size().1)).into_drawing_area();
            let _ = paint(&root, data, "c", Style::LIGHT);
        }
        out
    }

    /// Horizontal bars fill their chart: one bar takes the whole height, the
    /// first of several sits at the top (no empty slot), and the labels
    /// leave most of a narrow chart to the bars.
    #[test]
    fn horizontal_bars_fill_the_chart() {
        let one = drawn(&ChartData::Bars(vec![("KSEA".into(), 400)]), 300);
        let bars = bars_of(&one);
        assert_eq!(bars.len(), 1, "{one}");
        let (_, y, _, h) = bars[0];
        assert!(
            h.is_finite() && h > 120.0 && y < 60.0,
            "one bar at y {y}, {h} px high"
        );
        let names = ["a very long category name indeed", "b", "c", "d", "e"];
        let five = ChartData::Bars(names.iter().map(|n| (n.to_string(), 10)).collect());
        let five = drawn(&five, 300);
        let bars = bars_of(&five);
        assert_eq!(bars.len(), 5, "{five}");
        let top = bars.iter().map(|b| b.1).fold(f64::INFINITY, f64::min);
        assert!(top < 30.0, "the first bar starts {top} px down");
        let left = bars.iter().map(|b| b.0).fold(f64::INFINITY, f64::min);
        assert!(
            left.is_finite() && left <= 300.0 * 0.45,
            "labels take {left} of 300 px"
        );
    }

    #[test]
    fn colours_and_labels() {
        assert_eq!(viridis(0.0), RGBColor(68, 1, 84));
        assert_eq!(viridis(1.0), RGBColor(253, 231, 37));
        assert_eq!(viridis(f64::NAN), RGBColor(68, 1, 84));
        assert_eq!(heat(0.0, NEUTRAL), NEUTRAL);
        assert_eq!(heat(1.0, NEUTRAL), PALETTE[1]);
        // Dark text on orange and light grey, light text on blue and on
        // the dark theme's neutral.
        assert_eq!(text_on(PALETTE[1]), BLACK);
        assert_eq!(text_on(NEUTRAL), BLACK);
        assert_eq!(text_on(PALETTE[0]), WHITE);
        assert_eq!(text_on(Style::DARK.neutral), WHITE);
        assert_eq!(short("abcdef", 4), "abc…");
        assert_eq!(day_label(0.0), "1970-01-01");
    }
}
