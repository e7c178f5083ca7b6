//! The canvas the charts are painted on: plotters-canvas's backend, with
//! text measured by the canvas itself (`core::chart::Measured`).
//!
//! plotters measures a label (tick labels, the label areas, `widest`) by
//! adding a `<span>` to the page and reading its `offsetHeight`: every
//! label forced the browser to lay the whole page out again, in the middle
//! of a render (13 ms of a 143 ms frame when a file's profile arrived).
//! The canvas's `measureText` needs no layout.

use plotters_backend::BackendTextStyle;
use plotters_canvas::CanvasBackend;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

use crate::core::chart::{Measured, TextSize};

/// plotters-canvas's backend with its labels measured by the canvas.
pub type MeasuredCanvas = Measured<CanvasBackend, CanvasText>;

/// The canvas's own text measure.
pub struct CanvasText(CanvasRenderingContext2d);

/// `canvas`'s backend for plotters, or None when it has no 2D context.
pub fn measured(canvas: &HtmlCanvasElement) -> Option<MeasuredCanvas> {
    let context = canvas
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()?;
    let inner = CanvasBackend::with_canvas_object(canvas.clone())?;
    Some(Measured {
        inner,
        measure: CanvasText(context),
    })
}

/// The CSS font of `style`, as plotters-canvas writes it when it draws.
fn css_font<S: BackendTextStyle>(style: &S) -> String {
    format!(
        "{} {}px {}",
        style.style().as_str(),
        style.size(),
        style.family().as_str()
    )
}

impl TextSize for CanvasText {
    /// The text's advance width and its font's height (ascent + descent),
    /// in whole pixels, unturned: what the `<span>` plotters measures with
    /// reports.
    fn size<S: BackendTextStyle>(&self, text: &str, style: &S) -> (u32, u32) {
        self.0.set_font(&css_font(style));
        let Ok(m) = self.0.measure_text(text) else {
            // Not thrown by current browsers; the usual proportions.
            let size = style.size();
            let width = text.chars().count() as f64 * size * 0.6;
            return (width.round() as u32, (size * 1.2).round() as u32);
        };
        let height = m.font_bounding_box_ascent() + m.font_bounding_box_descent();
        // A browser without the font's box (none current) gets the usual
        // line height of 1.2 × the size.
        let height = if height.is_finite() && height > 0.0 {
            height
        } else {
            style.size() * 1.2
        };
        (m.width().round().max(0.0) as u32, height.round() as u32)
    }
}
