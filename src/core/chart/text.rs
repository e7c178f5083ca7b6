//! How much room a label takes, asked of something other than plotters'
//! own font code.
//!
//! plotters sizes a label (tick labels, label areas, `paint::widest`) with
//! its font backend: in wasm it adds a `<span>` to the page and reads its
//! `offsetHeight` — a layout of the whole page per label, and a DOM the
//! worker does not have; natively, without its `ttf` feature, a guess of
//! 0.46 × the size a byte. (The page's canvas backend, `shell::canvas`,
//! asks the canvas's `measureText` itself.) [`Measured`] is any backend
//! with the sizes asked of a [`TextSize`] instead: the SVG the core writes
//! (downloads, the report) uses [`Estimated`], the same on every
//! platform: Helvetica's advance
//! widths (Arial and Liberation Sans share them) at the style's size,
//! which is 1.24 × the size plotters' SVG writes the text at: the room
//! left is on purpose, since the charts ask for `system-ui, sans-serif`
//! and a viewer's font may run wider (DejaVu Sans, usual on Linux, about
//! 12%; measured at the written size, a long bar label was cut in
//! Chromium here).

use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontStyle,
};

/// The width and height of a label, in the backend's pixels, unturned.
pub trait TextSize {
    fn size<S: BackendTextStyle>(&self, text: &str, style: &S) -> (u32, u32);
}

/// A backend whose labels are sized by `measure`; everything else is
/// `inner`'s.
pub struct Measured<B, M> {
    pub inner: B,
    pub measure: M,
}

/// Labels of plotters' SVG sized from Helvetica's advance widths (Adobe's
/// metrics, in thousandths of the font size) at the style's size, without
/// a font or a page (plotters' SVG writes the text 1.24 times smaller: the
/// difference is the room a wider font needs).
pub struct Estimated;

/// Advance widths of the printable ASCII characters, ' ' to '~'.
const ASCII_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // ' ' to '/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // digits
    278, 278, 584, 584, 584, 556, 1015, // ':' to '@'
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // 'A' to 'M'
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // 'N' to 'Z'
    278, 278, 278, 469, 556, 333, // '[' to '`'
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // 'a' to 'm'
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // 'n' to 'z'
    334, 260, 334, 584, // '{' to '~'
];

/// A character's advance in thousandths of the size: the table for ASCII,
/// nothing for combining marks, a full square for East Asian wide
/// characters, an average letter for the rest.
fn advance(c: char) -> u32 {
    match c as u32 {
        0x20..=0x7e => ASCII_WIDTHS[(c as u32 - 0x20) as usize] as u32,
        0x0300..=0x036f
        | 0x1ab0..=0x1aff
        | 0x1dc0..=0x1dff
        | 0x200b..=0x200f
        | 0x2060..=0x2064
        | 0x20d0..=0x20ff
        | 0xfe00..=0xfe0f
        | 0xfe20..=0xfe2f
        | 0xfeff => 0,
        0x1100..=0x115f
        | 0x2e80..=0xa4cf
        | 0xac00..=0xd7a3
        | 0xf900..=0xfaff
        | 0xfe30..=0xfe4f
        | 0xff00..=0xff60
        | 0xffe0..=0xffe6
        | 0x1f300..=0x1faff
        | 0x20000..=0x3fffd => 1000,
        _ => 556,
    }
}

impl TextSize for Estimated {
    fn size<S: BackendTextStyle>(&self, text: &str, style: &S) -> (u32, u32) {
        let size = style.size();
        let thousandths: u32 = text.chars().map(advance).sum();
        // Bold letters run about 8% wider.
        let weight = if matches!(style.style(), FontStyle::Bold) {
            1.08
        } else {
            1.0
        };
        let width = thousandths as f64 / 1000.0 * size * weight;
        // Ascent + descent of those fonts: 1.15 × the size.
        (width.round().max(0.0) as u32, (size * 1.15).round() as u32)
    }
}

impl<B: DrawingBackend, M: TextSize> DrawingBackend for Measured<B, M> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<S: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &S,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(
        &self,
        text: &str,
        style: &S,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        Ok(self.measure.size(text, style))
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use plotters::style::{IntoFont, TextStyle};

    #[test]
    fn labels_are_sized_from_the_widths() {
        let font: TextStyle = ("sans-serif", 10.0).into_font().into();
        // "10": two digits of 0.556 em at 10 px.
        assert_eq!(Estimated.size("10", &font), (11, 12));
        assert!(Estimated.size("WWW", &font).0 > Estimated.size("iii", &font).0 * 3);
        assert_eq!(Estimated.size("", &font).0, 0);
        // A wide character takes the size; a combining accent, a joiner and
        // a byte-order mark nothing.
        assert_eq!(Estimated.size("東京", &font).0, 20);
        assert_eq!(Estimated.size("e\u{301}\u{2060}\u{feff}", &font).0, 6);
        let bold: TextStyle = ("sans-serif", 10.0)
            .into_font()
            .style(FontStyle::Bold)
            .into();
        assert!(Estimated.size("Revenue", &bold).0 > Estimated.size("Revenue", &font).0);
    }
}
