//! Chart specs and their drawing, with plotters on any backend: the page
//! draws them on a canvas, the downloads and the report as SVG (natively
//! too). Colour-blind-safe colours (Okabe–Ito; viridis for scales), axis
//! titles on every axis, long labels shortened with an ellipsis.

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::core::explore::distribution::BoxStats;
use crate::core::explore::missing::MissingMatrix;
use crate::core::explore::scatter::Scatter;
use crate::core::explore::trend::Trend;
use crate::core::format;
use crate::core::model::Histogram;

mod axes;
mod marks;
mod paint;
pub mod pixels;
mod text;

pub use axes::{Ticks, Unit};
pub use marks::{hit, Mark, Pick, Reading};
pub use paint::paint;
pub use text::{Estimated, Measured, TextSize};

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
    /// Bars, lines and points of one series: Okabe–Ito blue on light,
    /// its sky blue on dark (the blue is too dark on a dark ground).
    pub accent: RGBColor,
    /// The colour of a zero in a heatmap: close to the theme's ground, so
    /// a dark page has no glaring white cells.
    pub neutral: RGBColor,
}

impl Style {
    pub const LIGHT: Style = Style {
        ink: RGBColor(80, 85, 94),
        accent: PALETTE[0],
        neutral: NEUTRAL,
    };
    pub const DARK: Style = Style {
        ink: RGBColor(170, 175, 184),
        accent: PALETTE[5],
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
                // Room for the labels and the colour legend.
                (cell(cols.len()) + 210, cell(rows.len()) + 100)
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

    /// Where the value axis starts when it does not start at zero though
    /// every value is positive (a trend of means, a partial dependence
    /// curve): the page says so, since the bars' or line's height then
    /// exaggerates the differences.
    pub fn axis_floor(&self) -> Option<f64> {
        let (lo, all_positive) = match self {
            ChartData::Trend(t) => (
                paint::trend_y(t).0,
                t.periods.iter().filter_map(|p| p.value).all(|v| v > 0.0),
            ),
            ChartData::Curve { points, .. } => {
                (paint::curve_y(points).0, points.iter().all(|p| p.1 > 0.0))
            }
            _ => return None,
        };
        (all_positive && lo > 0.0).then_some(lo)
    }

    /// Text of a value on the x axis: a date for date histograms.
    fn x_label(&self, v: f64) -> String {
        match self {
            ChartData::DateHistogram(_) => day_label(v),
            _ => format::num(v),
        }
    }
}

/// plotters' SVG backend writing into `out`, its labels sized by
/// [`Estimated`]: every SVG the core draws is laid out alike.
pub fn svg_backend(out: &mut String, size: (u32, u32)) -> Measured<SVGBackend<'_>, Estimated> {
    Measured {
        inner: SVGBackend::with_string(out, size),
        measure: Estimated,
    }
}

/// The chart as an SVG document on a white ground (read outside the app's
/// theme).
pub fn svg(data: &ChartData, column: &str) -> String {
    let mut out = String::new();
    {
        let root = svg_backend(&mut out, data.size()).into_drawing_area();
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
            let root = svg_backend(&mut out, (w, data.size().1)).into_drawing_area();
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
