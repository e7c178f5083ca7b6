//! Drawing each kind of chart with plotters, one function per kind, each
//! returning the marks it drew (for the pointer: [`super::marks`]).
//! Margins follow measured text; legends sit outside the plot area with a
//! title; x ticks fall on round numbers or calendar boundaries.

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axes::{ticks, Ticks};
use super::marks::{maybe, num, text, Mark, Pick};
use super::{
    day_label, heat, mix, short, text_on, viridis, ChartData, Style, FONT, MAX_BARS, OTHER,
    PALETTE, WARN,
};
use crate::core::explore::distribution::BoxStats;
use crate::core::explore::missing::MissingMatrix;
use crate::core::explore::scatter::{Colour, Scatter};
use crate::core::explore::trend::Trend;
use crate::core::format;
use crate::core::model::Histogram;

type Marks = Vec<Mark>;

/// Width of the colour legend beside a heatmap or a coloured scatter.
const LEGEND_W: u32 = 130;

/// The text of labels and axis titles (14 px) and of ticks (12 px), in
/// the theme's ink.
fn fonts(style: Style) -> (TextStyle<'static>, TextStyle<'static>) {
    (
        (FONT, 14).into_font().color(&style.ink),
        (FONT, 12).into_font().color(&style.ink),
    )
}

fn centered() -> Pos {
    Pos::new(HPos::Center, VPos::Center)
}

/// Draws `data` on `root` and returns the marks drawn (where each bar,
/// cell, point or period is, with its values). None when plotters fails
/// (a drawing error leaves a partial chart, never a panic).
pub fn paint<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    data: &ChartData,
    column: &str,
    style: Style,
) -> Option<Marks> {
    let marks = match data {
        ChartData::Histogram(h) => histogram(root, h, false, column, style),
        ChartData::DateHistogram(h) => histogram(root, h, true, column, style),
        ChartData::Heatmap {
            rows,
            cols,
            values,
            signed,
        } => heatmap(root, (rows, cols), values, *signed, style),
        ChartData::Bars(bars) => {
            let bars: Vec<(String, Option<f64>)> = bars
                .iter()
                .take(8)
                .map(|(v, n)| (v.clone(), Some(*n as f64)))
                .collect();
            horizontal_bars(root, &bars, ("value", "rows"), style)
        }
        ChartData::Box(b) => box_plot(root, b, column, style),
        ChartData::Scatter(s) => scatter(root, s, style),
        ChartData::Missing(m) => missing(root, m, style),
        ChartData::Trend(t) => trend(root, t, style),
        ChartData::Groups { measure, bars } => {
            horizontal_bars(root, bars, ("group", measure), style)
        }
        ChartData::Curve {
            x,
            y,
            points,
            dates,
        } => curve(root, (x, y), points, *dates, style),
    }?;
    root.present().ok()?;
    Some(marks)
}

/// The pixel box of a chart's plot area: (left, top, right, bottom).
fn plot_box<DB: DrawingBackend, C: CoordTranslate>(
    chart: &ChartContext<'_, DB, C>,
) -> (i32, i32, i32, i32) {
    let (x, y) = chart.plotting_area().get_pixel_range();
    (x.start, y.start, x.end, y.end)
}

fn histogram<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    h: &Histogram,
    dates: bool,
    column: &str,
    style: Style,
) -> Option<Marks> {
    let ink = style.ink;
    let (text_style, _) = fonts(style);
    let (lo, hi) = (*h.edges.first()?, *h.edges.last()?);
    let hi = if hi > lo { hi } else { lo + 1.0 };
    let max = h.counts.iter().copied().max().unwrap_or(1).max(1) as f64;
    let x_ticks = if dates {
        Ticks::dates(lo, hi, ticks(root, 80, 5))
    } else {
        Ticks::numbers(lo, hi, ticks(root, 44, 6))
    };
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .margin_right(36)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(x_axis(lo..hi, &x_ticks), 0.0..max * 1.05)
        .ok()?;
    grid(&mut chart.configure_mesh(), ink, &text_style)
        .disable_x_mesh()
        .y_labels(4)
        .x_label_formatter(&|v| x_ticks.label(*v))
        .y_label_formatter(&|v| format::num(*v))
        .y_desc("rows")
        .x_desc(short(column, 40))
        .axis_desc_style(text_style.clone())
        .draw()
        .ok()?;
    chart
        .draw_series(h.counts.iter().enumerate().filter_map(|(i, n)| {
            let (a, b) = (*h.edges.get(i)?, *h.edges.get(i + 1)?);
            Some(Rectangle::new(
                [(a, 0.0), (b, *n as f64)],
                style.accent.filled(),
            ))
        }))
        .ok()?;
    // Each bin's whole column answers the pointer (a short bar is hard to
    // point at).
    let (_, top, _, bottom) = plot_box(&chart);
    let edge = |v: f64| {
        if dates {
            text("from", day_label(v))
        } else {
            num("from", v)
        }
    };
    Some(
        h.counts
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let (a, b) = (*h.edges.get(i)?, *h.edges.get(i + 1)?);
                let (x0, _) = chart.backend_coord(&(a, 0.0));
                let (x1, _) = chart.backend_coord(&(b, 0.0));
                let mut to = edge(b);
                to.0 = "to".into();
                Some(Mark::new(
                    (x0, top),
                    (x1, bottom),
                    vec![edge(a), to, num("rows", *n as f64)],
                ))
            })
            .collect(),
    )
}

/// Labels turned upright under the points `at` of an x axis (in the
/// area's pixels), each reading down from just below the axis, so none
/// reaches into the plot.
fn upright_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    at: &[(i32, i32)],
    labels: impl Iterator<Item = String>,
    font: &TextStyle,
) -> Option<()> {
    let style = font
        .clone()
        .transform(FontTransform::Rotate90)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (&(x, y), l) in at.iter().zip(labels) {
        area.draw(&Text::new(l, (x, y + 8), style.clone())).ok()?;
    }
    Some(())
}

/// The width the widest of `labels` takes in `font` (an estimate of 8 px
/// a character when the backend cannot measure).
fn widest<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    labels: impl Iterator<Item = String>,
    font: &TextStyle,
) -> u32 {
    labels
        .map(|l| {
            root.estimate_text_size(&l, font)
                .map_or(l.chars().count() as u32 * 8, |(w, _)| w)
        })
        .max()
        .unwrap_or(0)
}

fn heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (rows, cols): (&[String], &[String]),
    values: &[Vec<Option<f64>>],
    signed: bool,
    style: Style,
) -> Option<Marks> {
    let ink = style.ink;
    let (text_style, small) = fonts(style);
    let (w, _) = root.dim_in_pixel();
    let (plot, legend) = root.split_horizontally(w.saturating_sub(LEGEND_W / 2 + 10));
    let (nr, nc) = (rows.len().max(1) as i32, cols.len().max(1) as i32);
    // Rows from the top down, so a square matrix's diagonal runs top-left
    // to bottom-right. Labels shortened to 14 characters (the full names
    // on hover).
    let label = |names: &[String], i: i32| {
        names
            .get(i as usize)
            .map(|s| short(s, 14))
            .unwrap_or_default()
    };
    let x_names = || cols.iter().map(|c| short(c, 14));
    // Labels turn upright when they would run into each other; the label
    // areas are as large as the labels measured.
    let cell_w = plot.dim_in_pixel().0.saturating_sub(150) / nc as u32;
    let x_width = widest(root, x_names(), &small);
    let many = x_width + 6 > cell_w;
    let x_area = if many { x_width + 14 } else { 40 };
    let y_area = (widest(root, rows.iter().map(|r| short(r, 14)), &text_style) + 16).clamp(40, 170);
    let mut chart = ChartBuilder::on(&plot)
        .margin(8)
        .margin_right(8)
        .x_label_area_size(x_area)
        .y_label_area_size(y_area)
        .build_cartesian_2d((0..nc - 1).into_segmented(), (0..nr - 1).into_segmented())
        .ok()?;
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(ink)
        .label_style(text_style.clone())
        .x_labels(nc as usize)
        .y_labels(nr as usize)
        .x_label_style(small.clone())
        .x_label_formatter(&|v| match v {
            // Upright labels are drawn below, reading down from the axis.
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) if !many => label(cols, *i),
            _ => String::new(),
        })
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(j) | SegmentValue::Exact(j) => label(rows, nr - 1 - *j),
            SegmentValue::Last => String::new(),
        })
        .draw()
        .ok()?;
    if many {
        let at: Vec<(i32, i32)> = (0..nc)
            .map(|i| chart.backend_coord(&(SegmentValue::CenterOf(i), SegmentValue::Exact(0))))
            .collect();
        upright_labels(&plot, &at, (0..nc).map(|i| label(cols, i)), &small)?;
    }
    let value = |i: i32, j: i32| {
        values
            .get((nr - 1 - j) as usize)
            .and_then(|r| r.get(i as usize))
            .copied()
            .flatten()
    };
    // A cell's colour (its value's text is black or white on it).
    let colour = |v: f64| heat(if signed { v } else { v.abs() }, style.neutral);
    let cells = (0..nc).flat_map(|i| (0..nr).map(move |j| (i, j)));
    let corners = |i: i32, j: i32| {
        [
            (SegmentValue::Exact(i), SegmentValue::Exact(j)),
            (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
        ]
    };
    chart
        .draw_series(cells.clone().map(|(i, j)| {
            let fill = value(i, j).map_or(ink.mix(0.2).filled(), |v| colour(v).filled());
            let mut r = Rectangle::new(corners(i, j), fill);
            r.set_margin(1, 1, 1, 1);
            r
        }))
        .ok()?;
    // Values in the cells while they fit.
    let (pw, ph) = chart.plotting_area().dim_in_pixel();
    let cell = (pw as i32 / nc).min(ph as i32 / nr);
    if cell >= 18 {
        let size = if cell >= 34 { 12 } else { 10 };
        chart
            .draw_series(cells.clone().filter_map(|(i, j)| {
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
    let lo = if signed { -1.0 } else { 0.0 };
    colour_scale(&legend, "", (lo, 1.0), &|v| heat(v, style.neutral), style)?;
    Some(
        cells
            .map(|(i, j)| {
                let [a, b] = corners(i, j);
                let (row, col) = (
                    rows.get((nr - 1 - j) as usize).cloned().unwrap_or_default(),
                    cols.get(i as usize).cloned().unwrap_or_default(),
                );
                let mut m = Mark::new(
                    chart.backend_coord(&a),
                    chart.backend_coord(&b),
                    vec![
                        text("row", row.clone()),
                        text("column", col.clone()),
                        maybe("value", value(i, j)),
                    ],
                );
                m.pick = Some(Pick::Pair { row, col });
                m
            })
            .collect(),
    )
}

/// A vertical colour bar for `lo..=hi` with its ends and middle labelled,
/// under an optional title, at the left of `area`.
fn colour_scale<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    (lo, hi): (f64, f64),
    colour: &dyn Fn(f64) -> RGBColor,
    style: Style,
) -> Option<()> {
    let small = (FONT, 12).into_font().color(&style.ink);
    let (top, height, left) = (if title.is_empty() { 16 } else { 40 }, 150, 6);
    if !title.is_empty() {
        area.draw(&Text::new(short(title, 16), (left, 14), small.clone()))
            .ok()?;
    }
    let steps = 50;
    for k in 0..steps {
        // The top is `hi`.
        let t = 1.0 - (k as f64 + 0.5) / steps as f64;
        let y = top + k * height / steps;
        area.draw(&Rectangle::new(
            [(left, y), (left + 14, y + height / steps + 1)],
            colour(lo + t * (hi - lo)).filled(),
        ))
        .ok()?;
    }
    for (v, y) in [
        (hi, top),
        ((lo + hi) / 2.0, top + height / 2),
        (lo, top + height),
    ] {
        area.draw(&Text::new(
            format::num(v),
            (left + 20, y),
            small.clone().pos(Pos::new(HPos::Left, VPos::Center)),
        ))
        .ok()?;
    }
    Some(())
}

fn box_plot<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    b: &BoxStats,
    column: &str,
    style: Style,
) -> Option<Marks> {
    let ink = style.ink;
    let (text_style, _) = fonts(style);
    let lo = b.outliers.first().copied().unwrap_or(b.low).min(b.low);
    let hi = b.outliers.last().copied().unwrap_or(b.high).max(b.high);
    let pad = ((hi - lo) * 0.04).max(if hi == lo { 1.0 } else { 0.0 });
    let x_ticks = Ticks::numbers(lo - pad, hi + pad, ticks(root, 44, 6));
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .margin_right(36)
        .x_label_area_size(40)
        .y_label_area_size(16)
        .build_cartesian_2d(x_axis(lo - pad..hi + pad, &x_ticks), 0.0..1.0)
        .ok()?;
    grid(&mut chart.configure_mesh(), ink, &text_style)
        .disable_y_mesh()
        .disable_y_axis()
        .x_label_formatter(&|v| format::num(*v))
        .x_desc(short(column, 40))
        .axis_desc_style(text_style.clone())
        .draw()
        .ok()?;
    let line = ink.stroke_width(2);
    let area = chart.plotting_area();
    area.draw(&Rectangle::new(
        [(b.q1, 0.3), (b.q3, 0.7)],
        style.accent.mix(0.35).filled(),
    ))
    .ok()?;
    area.draw(&Rectangle::new(
        [(b.q1, 0.3), (b.q3, 0.7)],
        style.accent.stroke_width(2),
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
    let mut marks = vec![Mark::new(
        chart.backend_coord(&(b.low, 0.25)),
        chart.backend_coord(&(b.high, 0.75)),
        vec![
            num("low whisker", b.low),
            num("q1", b.q1),
            num("median", b.median),
            num("q3", b.q3),
            num("high whisker", b.high),
        ],
    )];
    marks.extend(
        b.outliers
            .iter()
            .map(|&v| Mark::point(chart.backend_coord(&(v, 0.5)), 5, vec![num("outlier", v)])),
    );
    Some(marks)
}

fn scatter<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    s: &Scatter,
    style: Style,
) -> Option<Marks> {
    let ink = style.ink;
    let (text_style, small) = fonts(style);
    let range = |pick: fn(&(f64, f64, Option<f64>)) -> f64| {
        let (lo, hi) = s.points.iter().map(pick).fold(EMPTY, extend);
        if !lo.is_finite() {
            return (0.0, 1.0);
        }
        let pad = ((hi - lo) * 0.04).max(if hi == lo { 1.0 } else { 0.0 });
        (lo - pad, hi + pad)
    };
    // The legend, when there is one, beside the plot.
    let (w, _) = root.dim_in_pixel();
    let (plot, legend) = if s.colour.is_some() {
        root.split_horizontally(w.saturating_sub(LEGEND_W))
    } else {
        root.split_horizontally(w)
    };
    let ((x_lo, x_hi), (y_lo, y_hi)) = (range(|p| p.0), range(|p| p.1));
    let x_ticks = if s.x_dates {
        Ticks::dates(x_lo, x_hi, ticks(&plot, 80, 5))
    } else {
        Ticks::numbers(x_lo, x_hi, ticks(&plot, 44, 7))
    };
    // The y axis ticks the same way: round numbers, or calendar boundaries
    // for dates (about one per 40 px of height).
    let y_count = (plot.dim_in_pixel().1.saturating_sub(80) / 40).clamp(2, 6) as usize;
    let y_ticks = if s.y_dates {
        Ticks::dates(y_lo, y_hi, y_count)
    } else {
        Ticks::numbers(y_lo, y_hi, y_count)
    };
    let mut chart = ChartBuilder::on(&plot)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(44)
        .y_label_area_size(if s.y_dates { 84 } else { 64 })
        .build_cartesian_2d(x_axis(x_lo..x_hi, &x_ticks), x_axis(y_lo..y_hi, &y_ticks))
        .ok()?;
    grid(&mut chart.configure_mesh(), ink, &text_style)
        .x_label_formatter(&|v| x_ticks.label(*v))
        .y_label_formatter(&|v| y_ticks.label(*v))
        .x_desc(short(&s.x, 40))
        .y_desc(short(&s.y, 30))
        .axis_desc_style(text_style.clone())
        .draw()
        .ok()?;
    let colour_of = |c: Option<f64>| -> RGBColor {
        match (&s.colour, c) {
            (Some(Colour::Groups { .. }), Some(g)) => {
                PALETTE.get(g as usize).copied().unwrap_or(OTHER)
            }
            (Some(Colour::Scale { min, max, .. }), Some(v)) => {
                let span = if max > min { max - min } else { 1.0 };
                viridis((v - min) / span)
            }
            (None, _) => style.accent,
            (Some(_), None) => OTHER,
        }
    };
    chart
        .draw_series(s.points.iter().map(|p| {
            let alpha = match (&s.colour, p.2) {
                (None, _) => 0.55,
                (Some(_), None) => 0.4,
                (Some(_), Some(_)) => 0.75,
            };
            Circle::new((p.0, p.1), 2, colour_of(p.2).mix(alpha).filled())
        }))
        .ok()?;
    match &s.colour {
        Some(Colour::Groups { column, groups }) => {
            legend
                .draw(&Text::new(short(column, 16), (8, 14), small.clone()))
                .ok()?;
            for (g, name) in groups.iter().enumerate() {
                let y = 36 + g as i32 * 18;
                let c = PALETTE.get(g).copied().unwrap_or(OTHER);
                legend.draw(&Circle::new((14, y), 4, c.filled())).ok()?;
                legend
                    .draw(&Text::new(
                        short(name, 14),
                        (24, y),
                        small.clone().pos(Pos::new(HPos::Left, VPos::Center)),
                    ))
                    .ok()?;
            }
        }
        Some(Colour::Scale { column, min, max }) => {
            let span = if max > min { max - min } else { 1.0 };
            colour_scale(
                &legend,
                column,
                (*min, *max),
                &|v| viridis((v - min) / span),
                style,
            )?;
        }
        None => {}
    }
    let axis_value = |name: &str, dates: bool, v: f64| {
        if dates {
            text(name, day_label(v))
        } else {
            num(name, v)
        }
    };
    Some(
        s.points
            .iter()
            .map(|p| {
                let mut values = vec![
                    axis_value(&s.x, s.x_dates, p.0),
                    axis_value(&s.y, s.y_dates, p.1),
                ];
                match (&s.colour, p.2) {
                    (Some(Colour::Groups { column, groups }), Some(g)) => values.push(text(
                        column,
                        groups.get(g as usize).cloned().unwrap_or_default(),
                    )),
                    (Some(Colour::Scale { column, .. }), v) => values.push(maybe(column, v)),
                    (Some(Colour::Groups { column, .. }), None) => values.push(maybe(column, None)),
                    (None, _) => {}
                }
                Mark::point(chart.backend_coord(&(p.0, p.1)), 4, values)
            })
            .collect(),
    )
}

fn missing<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    m: &MissingMatrix,
    style: Style,
) -> Option<Marks> {
    let ink = style.ink;
    let (text_style, small) = fonts(style);
    let nc = m.columns.len().max(1) as i32;
    let bands = m.share.first().map_or(1, |b| b.len().max(1));
    let names = &m.columns;
    let label_chars = if nc > 8 { 14 } else { 10 };
    let labels = || names.iter().map(|s| short(s, label_chars));
    let cell_w = root.dim_in_pixel().0.saturating_sub(110) / nc as u32;
    let x_width = widest(root, labels(), &small);
    let many = x_width + 6 > cell_w;
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .margin_right(16)
        .x_label_area_size(if many { x_width + 14 } else { 40 })
        .y_label_area_size(80)
        .build_cartesian_2d((0..nc - 1).into_segmented(), 0.0..bands as f64)
        .ok()?;
    let band_rows = m.band_rows.max(1) as f64;
    chart
        .configure_mesh()
        .disable_mesh()
        .axis_style(ink)
        .label_style(text_style.clone())
        .x_labels(nc as usize)
        .y_labels(5)
        .x_label_style(small.clone())
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) if !many => names
                .get(*i as usize)
                .map(|s| short(s, label_chars))
                .unwrap_or_default(),
            _ => String::new(),
        })
        // Row numbers, the first rows at the top.
        .y_label_formatter(&|v| {
            format::int(((bands as f64 - v) * band_rows).round().max(1.0) as u64)
        })
        .y_desc("row")
        .axis_desc_style(text_style.clone())
        .draw()
        .ok()?;
    if many {
        let at: Vec<(i32, i32)> = (0..nc)
            .map(|i| chart.backend_coord(&(SegmentValue::CenterOf(i), 0.0)))
            .collect();
        upright_labels(root, &at, labels(), &small)?;
    }
    let present = style.accent.mix(0.2);
    let corners = |c: usize, b: usize| {
        let top = bands as f64 - b as f64;
        [
            (SegmentValue::Exact(c as i32), top),
            (SegmentValue::Exact(c as i32 + 1), top - 1.0),
        ]
    };
    chart
        .draw_series(m.share.iter().enumerate().flat_map(|(c, col)| {
            col.iter().enumerate().map(move |(b, &share)| {
                let fill = if share > 0.0 {
                    // Any gap stays visible, however small.
                    mix(RGBColor(200, 215, 230), WARN, 0.25 + 0.75 * share as f64).filled()
                } else {
                    present.filled()
                };
                Rectangle::new(corners(c, b), fill)
            })
        }))
        .ok()?;
    let mut marks = Vec::new();
    for (c, col) in m.share.iter().enumerate() {
        for (b, &share) in col.iter().enumerate() {
            let [a, z] = corners(c, b);
            let first = b as u64 * m.band_rows + 1;
            let last = ((b as u64 + 1) * m.band_rows).min(m.rows);
            marks.push(Mark::new(
                chart.backend_coord(&a),
                chart.backend_coord(&z),
                vec![
                    text("column", names.get(c).cloned().unwrap_or_default()),
                    text(
                        "rows",
                        format!("{}–{}", format::int(first), format::int(last)),
                    ),
                    num("missing share", f64::from(share)),
                ],
            ));
        }
    }
    Some(marks)
}

/// The y range of a trend: counts and sums of positive values start at
/// zero, others fit their values (with room above and below).
pub(super) fn trend_y(t: &Trend) -> (f64, f64) {
    let (y_lo, y_hi) = t.periods.iter().filter_map(|p| p.value).fold(EMPTY, extend);
    if !y_lo.is_finite() {
        return (0.0, 1.0);
    }
    use crate::core::explore::aggregate::Agg;
    let lo = if y_lo >= 0.0 && matches!(t.agg, Agg::Count | Agg::Sum) {
        0.0
    } else {
        y_lo
    };
    let pad = ((y_hi - lo) * 0.08).max(if y_hi == lo { 1.0 } else { 0.0 });
    (if lo == 0.0 { 0.0 } else { lo - pad }, y_hi + pad)
}

fn trend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    t: &Trend,
    style: Style,
) -> Option<Marks> {
    let x_lo = f64::from(t.periods.first()?.start);
    let x_hi = f64::from(t.periods.last()?.start).max(x_lo + 1.0);
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
    // Ticks on period starts when they all fit (labelled as the periods
    // are), else on calendar boundaries.
    let most = ticks(root, 70, 8);
    let x_ticks = if t.periods.len() <= most {
        Ticks {
            at: t.periods.iter().map(|p| f64::from(p.start)).collect(),
            unit: super::axes::Unit::Day,
        }
    } else {
        Ticks::dates(x_lo, x_hi, most)
    };
    let per_period = t.periods.len() <= most;
    let x_label = |v: &f64| {
        if per_period {
            g.label(v.round() as i32)
        } else {
            x_ticks.label(*v)
        }
    };
    let points = t.periods.iter().filter(|p| p.value.is_some()).count();
    let (y_lo, y_hi) = trend_y(t);
    let mut chart = line_chart(
        root,
        (x_lo..x_hi, y_lo..y_hi),
        (&x_ticks, &x_label),
        (
            format!("{} (by {})", short(&t.date, 30), g.as_str()),
            short(&t.measure_label(), 30),
        ),
        &runs,
        points <= 120,
        style,
    )?;
    // The two periods compared, marked (the last two complete ones when
    // the last period is incomplete).
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
    let measure = t.measure_label();
    let xs: Vec<f64> = t.periods.iter().map(|p| f64::from(p.start)).collect();
    Some(bands(&chart, &xs, |i| {
        let p = &t.periods[i];
        vec![text("period", p.label.clone()), maybe(&measure, p.value)]
    }))
}

/// Marks for the points of a line at `xs`: each owns the plot's full
/// height from halfway to its left neighbour to halfway to its right one.
fn bands<DB: DrawingBackend>(
    chart: &ChartContext<'_, DB, Cartesian2d<XCoord, RangedCoordf64>>,
    xs: &[f64],
    values: impl Fn(usize) -> Vec<(String, super::marks::Reading)>,
) -> Marks {
    let (left, top, right, bottom) = plot_box(chart);
    let px: Vec<i32> = xs
        .iter()
        .map(|x| chart.backend_coord(&(*x, 0.0)).0)
        .collect();
    (0..px.len())
        .map(|i| {
            let a = if i == 0 {
                left
            } else {
                (px[i - 1] + px[i]) / 2
            };
            let b = if i + 1 == px.len() {
                right
            } else {
                (px[i] + px[i + 1]) / 2
            };
            Mark::new((a, top), (b, bottom), values(i))
        })
        .collect()
}

fn curve<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (&str, &str),
    points: &[(f64, f64)],
    dates: bool,
    style: Style,
) -> Option<Marks> {
    let (x_lo, x_hi) = (points.first()?.0, points.last()?.0);
    let x_hi = if x_hi > x_lo { x_hi } else { x_lo + 1.0 };
    let (y_lo, y_hi) = curve_y(points);
    let x_ticks = if dates {
        Ticks::dates(x_lo, x_hi, ticks(root, 80, 5))
    } else {
        Ticks::numbers(x_lo, x_hi, ticks(root, 44, 7))
    };
    let x_label = |v: &f64| x_ticks.label(*v);
    let chart = line_chart(
        root,
        (x_lo..x_hi, y_lo..y_hi),
        (&x_ticks, &x_label),
        (short(x, 40), short(y, 40)),
        &[points.to_vec()],
        true,
        style,
    )?;
    let xs: Vec<f64> = points.iter().map(|p| p.0).collect();
    Some(bands(&chart, &xs, |i| {
        let (a, b) = points[i];
        vec![
            if dates {
                text(x, day_label(a))
            } else {
                num(x, a)
            },
            num(y, b),
        ]
    }))
}

/// The y range of a curve, with a tenth of its span above and below.
pub(super) fn curve_y(points: &[(f64, f64)]) -> (f64, f64) {
    let (y_lo, y_hi) = points.iter().map(|p| p.1).fold(EMPTY, extend);
    if !y_lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((y_hi - y_lo) * 0.1).max(if y_hi == y_lo { 0.5 } else { 0.0 });
    (y_lo - pad, y_hi + pad)
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

/// A numeric axis whose ticks are given ([`Ticks`]): plotters' own
/// `WithKeyPoints` lacks the default label formatting the mesh needs.
pub(super) struct XCoord {
    inner: RangedCoordf64,
    at: Vec<f64>,
}

fn x_axis(range: std::ops::Range<f64>, ticks: &Ticks) -> XCoord {
    XCoord {
        inner: range.into(),
        at: ticks.at.clone(),
    }
}

impl Ranged for XCoord {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            vec![]
        } else {
            self.at.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

/// A line chart of `runs` (each a line; dots on the points when `dots`)
/// with a horizontal grid and x ticks at `x_ticks`; the chart is returned
/// for marks on top.
fn line_chart<'a, DB: DrawingBackend>(
    root: &'a DrawingArea<DB, Shift>,
    (x, y): (std::ops::Range<f64>, std::ops::Range<f64>),
    (x_ticks, x_label): (&Ticks, &dyn Fn(&f64) -> String),
    (x_desc, y_desc): (String, String),
    runs: &[Vec<(f64, f64)>],
    dots: bool,
    style: Style,
) -> Option<ChartContext<'a, DB, Cartesian2d<XCoord, RangedCoordf64>>> {
    let ink = style.ink;
    let (text_style, _) = fonts(style);
    // Room for the widest value label beside the rotated axis title (the
    // labels fall between the ends of the range), and for half the last
    // x label past the plot.
    let y_labels = [y.start, y.end, (y.start + y.end) / 2.0].map(format::num);
    let y_area = (widest(root, y_labels.into_iter(), &text_style) + 34).max(56);
    let last_x = x_ticks.at.last().map(x_label);
    let right = (widest(root, last_x.into_iter(), &text_style) / 2 + 8).max(28);
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .margin_right(right)
        .x_label_area_size(44)
        .y_label_area_size(y_area)
        .build_cartesian_2d(x_axis(x, x_ticks), y)
        .ok()?;
    grid(&mut chart.configure_mesh(), ink, &text_style)
        .disable_x_mesh()
        .y_labels(5)
        .x_label_formatter(x_label)
        .y_label_formatter(&|v| format::num(*v))
        .x_desc(x_desc)
        .y_desc(y_desc)
        .axis_desc_style(text_style)
        .draw()
        .ok()?;
    for r in runs.iter().filter(|r| !r.is_empty()) {
        chart
            .draw_series(LineSeries::new(
                r.iter().copied(),
                style.accent.stroke_width(2),
            ))
            .ok()?;
        if dots {
            chart
                .draw_series(r.iter().map(|&p| Circle::new(p, 3, style.accent.filled())))
                .ok()?;
        }
    }
    Some(chart)
}

/// Horizontal bars of labelled values, the first at the top (at most
/// [`MAX_BARS`]); negative values drawn leftwards in another colour.
/// `keys`: what a bar's label and value are called in its readout.
fn horizontal_bars<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    bars: &[(String, Option<f64>)],
    (label_key, measure): (&str, &str),
    style: Style,
) -> Option<Marks> {
    let ink = style.ink;
    let (text_style, small) = fonts(style);
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
    let label_width =
        |chars: usize| widest(root, bars.iter().map(|(g, _)| short(g, chars)), &small);
    while chars > 6 && label_width(chars) + 14 > most {
        chars -= 2;
    }
    let label_area = (label_width(chars) + 14).clamp(40, most.max(40));
    let names: Vec<String> = bars.iter().map(|(g, _)| short(g, chars)).collect();
    let x_lo = if lo < 0.0 { lo - pad } else { 0.0 };
    let x_hi = if hi > 0.0 { hi + pad } else { 0.0 };
    let x_ticks = Ticks::numbers(x_lo, x_hi, ticks(root, 44, 6));
    let mut chart = ChartBuilder::on(root)
        .margin(8)
        .margin_right(24)
        .x_label_area_size(40)
        .y_label_area_size(label_area)
        .build_cartesian_2d(
            x_axis(x_lo..x_hi, &x_ticks),
            // Bar k (from the bottom) is centred on k: the labels fall on
            // whole numbers, one per bar, none beside an empty slot.
            -0.5..(n as f64 - 0.5),
        )
        .ok()?;
    grid(&mut chart.configure_mesh(), ink, &small)
        .disable_y_mesh()
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
        .axis_desc_style(text_style.clone())
        .draw()
        .ok()?;
    chart
        .draw_series(bars.iter().enumerate().filter_map(|(i, (_, v))| {
            let v = (*v)?;
            let y = f64::from(n - 1 - i as i32);
            let colour = if v < 0.0 { PALETTE[3] } else { style.accent };
            Some(Rectangle::new(
                [(0.0, y - 0.38), (v, y + 0.38)],
                colour.filled(),
            ))
        }))
        .ok()?;
    // Each bar's whole row answers the pointer.
    let (left, _, right, _) = plot_box(&chart);
    Some(
        bars.iter()
            .enumerate()
            .map(|(i, (name, v))| {
                let y = f64::from(n - 1 - i as i32);
                let (_, y0) = chart.backend_coord(&(0.0, y + 0.5));
                let (_, y1) = chart.backend_coord(&(0.0, y - 0.5));
                let mut m = Mark::new(
                    (left, y0),
                    (right, y1),
                    vec![text(label_key, name.clone()), maybe(measure, *v)],
                );
                m.pick = Some(Pick::Bar {
                    label: name.clone(),
                });
                m
            })
            .collect(),
    )
}
