//! The canvas the charts are painted on: a plotters backend over a 2D
//! context that sets the context's state only when it changes.
//!
//! plotters-canvas (which this replaces) wrote every mark's colour as a
//! new CSS string (`format!("rgba(…)")`) and set it, with the font, the
//! alignment and the line width, before each mark: in the page's CPU
//! profile that was 15–18 ms of the 37 ms a 5,000-point scatter took to
//! draw, and most of a correlation heatmap's 51 ms, inside one frame. Here
//! a colour is written once as `#rrggbbaa` and set only when it differs
//! from the context's, and the same for the font, the alignment and the
//! line width; every mark is still drawn on its own, in the order plotters
//! gives, so overlapping translucent points darken as before.
//!
//! Labels are sized by the canvas's `measureText`, which needs no layout:
//! plotters' own measure added a `<span>` to the page and read its
//! `offsetHeight`, a layout of the whole page per label (13 ms of a 143 ms
//! frame when a file's profile arrived).

use std::cell::{Cell, RefCell};

use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontTransform,
};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::core::chart::pixels::{crisp, css, rgba, Rgba};

/// A drawing call the context refused (none does with the marks plotters
/// draws; kept as the sentence the browser gave).
#[derive(Debug)]
pub struct CanvasError(String);

impl std::fmt::Display for CanvasError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the canvas refused a drawing call: {}", self.0)
    }
}

impl std::error::Error for CanvasError {}

fn refused(e: JsValue) -> DrawingErrorKind<CanvasError> {
    DrawingErrorKind::DrawingError(CanvasError(
        e.as_string()
            .or_else(|| {
                e.dyn_ref::<js_sys::Error>()
                    .map(|e| String::from(e.message()))
            })
            .unwrap_or_else(|| "no reason given".into()),
    ))
}

/// What was last set on the context, so that a mark sets only what
/// differs. None: not set by this backend yet (a new context's defaults
/// are not assumed).
#[derive(Default)]
struct State {
    fill: Cell<Option<Rgba>>,
    stroke: Cell<Option<Rgba>>,
    line_width: Cell<Option<u32>>,
    font: RefCell<String>,
    align: Cell<Option<&'static str>>,
    baseline: Cell<Option<&'static str>>,
}

/// plotters' backend over `context`, in the canvas's pixels.
pub struct Canvas {
    canvas: HtmlCanvasElement,
    context: CanvasRenderingContext2d,
    state: State,
}

/// `canvas`'s backend for plotters, or None when it has no 2D context.
pub fn backend(canvas: &HtmlCanvasElement) -> Option<Canvas> {
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    Some(Canvas {
        canvas: canvas.clone(),
        context,
        state: State::default(),
    })
}

impl Canvas {
    fn fill(&self, color: BackendColor) {
        let c = rgba(color);
        if self.state.fill.get() != Some(c) {
            self.state.fill.set(Some(c));
            let text = css(c);
            self.context
                .set_fill_style_str(std::str::from_utf8(&text).unwrap_or("#000"));
        }
    }

    fn stroke<S: BackendStyle>(&self, style: &S) {
        let c = rgba(style.color());
        if self.state.stroke.get() != Some(c) {
            self.state.stroke.set(Some(c));
            let text = css(c);
            self.context
                .set_stroke_style_str(std::str::from_utf8(&text).unwrap_or("#000"));
        }
        let width = style.stroke_width();
        if self.state.line_width.get() != Some(width) {
            self.state.line_width.set(Some(width));
            self.context.set_line_width(f64::from(width));
        }
    }

    /// Begins a path through `points`; false (and no path) when there are
    /// none.
    fn trace(&self, points: impl IntoIterator<Item = BackendCoord>) -> bool {
        let mut points = points.into_iter();
        let Some(start) = points.next() else {
            return false;
        };
        self.context.begin_path();
        self.context.move_to(f64::from(start.0), f64::from(start.1));
        for p in points {
            self.context.line_to(f64::from(p.0), f64::from(p.1));
        }
        true
    }

    /// Sets `style`'s font, as a CSS font, when it is not the one set.
    fn font<S: BackendTextStyle>(&self, style: &S) {
        let size = style.size();
        let (kind, family) = (style.style(), style.family());
        let mut font = self.state.font.borrow_mut();
        let mut wanted = String::with_capacity(font.len().max(32));
        wanted.push_str(kind.as_str());
        wanted.push(' ');
        wanted.push_str(&size.to_string());
        wanted.push_str("px ");
        wanted.push_str(family.as_str());
        if *font != wanted {
            self.context.set_font(&wanted);
            *font = wanted;
        }
    }
}

impl DrawingBackend for Canvas {
    type ErrorType = CanvasError;

    fn get_size(&self) -> (u32, u32) {
        (self.canvas.width(), self.canvas.height())
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<CanvasError>> {
        Ok(())
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if color.alpha == 0.0 {
            return Ok(());
        }
        self.fill(color);
        self.context
            .fill_rect(f64::from(point.0), f64::from(point.1), 1.0, 1.0);
        Ok(())
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (a, b) = crisp(from, to);
        self.stroke(style);
        self.context.begin_path();
        self.context.move_to(a.0, a.1);
        self.context.line_to(b.0, b.1);
        self.context.stroke();
        Ok(())
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        let (x, y) = (f64::from(upper_left.0), f64::from(upper_left.1));
        let w = f64::from(bottom_right.0 - upper_left.0);
        let h = f64::from(bottom_right.1 - upper_left.1);
        if fill {
            self.fill(style.color());
            self.context.fill_rect(x, y, w, h);
        } else {
            self.stroke(style);
            self.context.stroke_rect(x, y, w, h);
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.stroke(style);
        if self.trace(path) {
            self.context.stroke();
        }
        Ok(())
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        self.fill(style.color());
        if self.trace(vert) {
            self.context.close_path();
            self.context.fill();
        }
        Ok(())
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        if style.color().alpha == 0.0 {
            return Ok(());
        }
        if fill {
            self.fill(style.color());
        } else {
            self.stroke(style);
        }
        self.context.begin_path();
        self.context
            .arc(
                f64::from(center.0),
                f64::from(center.1),
                f64::from(radius),
                0.0,
                std::f64::consts::TAU,
            )
            .map_err(refused)?;
        if fill {
            self.context.fill();
        } else {
            self.context.stroke();
        }
        Ok(())
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<CanvasError>> {
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        // Everything is set before a turned label's save(), so the
        // restore() after it leaves the state as recorded here.
        self.fill(color);
        self.font(style);
        let anchor = style.anchor();
        let align = match anchor.h_pos {
            HPos::Left => "start",
            HPos::Right => "end",
            HPos::Center => "center",
        };
        if self.state.align.get() != Some(align) {
            self.state.align.set(Some(align));
            self.context.set_text_align(align);
        }
        let baseline = match anchor.v_pos {
            VPos::Top => "top",
            VPos::Center => "middle",
            VPos::Bottom => "bottom",
        };
        if self.state.baseline.get() != Some(baseline) {
            self.state.baseline.set(Some(baseline));
            self.context.set_text_baseline(baseline);
        }
        let quarter_turns = match style.transform() {
            FontTransform::None => 0,
            FontTransform::Rotate90 => 1,
            FontTransform::Rotate180 => 2,
            FontTransform::Rotate270 => 3,
        };
        let (x, y) = (f64::from(pos.0), f64::from(pos.1));
        if quarter_turns == 0 {
            return self.context.fill_text(text, x, y).map_err(refused);
        }
        self.context.save();
        let drawn = self
            .context
            .translate(x, y)
            .and_then(|()| {
                self.context
                    .rotate(f64::from(quarter_turns) * std::f64::consts::FRAC_PI_2)
            })
            .and_then(|()| self.context.fill_text(text, 0.0, 0.0));
        self.context.restore();
        drawn.map_err(refused)
    }

    /// The text's advance width and its font's height (ascent + descent),
    /// in whole pixels, unturned: what the `<span>` plotters measures with
    /// reports.
    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<CanvasError>> {
        self.font(style);
        let Ok(m) = self.context.measure_text(text) else {
            // Not thrown by current browsers; the usual proportions.
            let size = style.size();
            let width = text.chars().count() as f64 * size * 0.6;
            return Ok((width.round() as u32, (size * 1.2).round() as u32));
        };
        let height = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
        // A browser without the font's box (none current) gets the usual
        // line height of 1.2 × the size.
        let height = if height.is_finite() && height > 0.0 {
            height
        } else {
            style.size() * 1.2
        };
        Ok((m.width().round().max(0.0) as u32, height.round() as u32))
    }
}
