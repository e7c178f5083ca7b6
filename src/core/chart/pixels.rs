//! What a raster backend (the page's canvas, `shell::canvas`) needs that
//! is pure: a colour as the short CSS text a context parses fastest, and
//! one-pixel lines placed on pixel centres.

use plotters_backend::{BackendColor, BackendCoord};

/// A colour as a context's state compares it: the channels and the alpha
/// in 1/255ths, the precision `#rrggbbaa` carries.
pub type Rgba = [u8; 4];

/// `color` in 1/255ths, its alpha held to [0, 1].
pub fn rgba(color: BackendColor) -> Rgba {
    let (r, g, b) = color.rgb;
    let a = (color.alpha.clamp(0.0, 1.0) * 255.0).round() as u8;
    [r, g, b, a]
}

/// `#rrggbbaa`, written without the formatting machinery.
pub fn css(c: Rgba) -> [u8; 9] {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = [b'#'; 9];
    for (i, v) in c.into_iter().enumerate() {
        out[1 + 2 * i] = HEX[(v >> 4) as usize];
        out[2 + 2 * i] = HEX[(v & 15) as usize];
    }
    out
}

/// A vertical or horizontal line moved half a pixel, so that a one-pixel
/// line covers one row of pixels instead of blurring over two where the
/// screen's pixel ratio is 1 (as plotters-canvas placed them); other lines
/// as they are.
pub fn crisp(from: BackendCoord, to: BackendCoord) -> ((f64, f64), (f64, f64)) {
    let mut a = (f64::from(from.0), f64::from(from.1));
    let mut b = (f64::from(to.0), f64::from(to.1));
    if from.0 == to.0 {
        a.0 -= 0.5;
        b.0 -= 0.5;
    }
    if from.1 == to.1 {
        a.1 -= 0.5;
        b.1 -= 0.5;
    }
    (a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_written_as_hex_with_their_alpha() {
        let c = |rgb, alpha| {
            let text = css(rgba(BackendColor { alpha, rgb }));
            String::from_utf8(text.to_vec()).unwrap()
        };
        assert_eq!(c((0, 0, 0), 1.0), "#000000ff");
        assert_eq!(c((255, 16, 171), 0.55), "#ff10ab8c");
        assert_eq!(c((1, 2, 3), 0.0), "#01020300");
        // Out of range alphas are held to [0, 1]; NaN to nothing.
        assert_eq!(c((1, 2, 3), 7.0), "#010203ff");
        assert_eq!(c((1, 2, 3), f64::NAN), "#01020300");
    }

    #[test]
    fn straight_lines_sit_on_pixel_centres() {
        assert_eq!(crisp((3, 1), (3, 9)), ((2.5, 1.0), (2.5, 9.0)));
        assert_eq!(crisp((1, 4), (9, 4)), ((1.0, 3.5), (9.0, 3.5)));
        assert_eq!(crisp((1, 2), (3, 4)), ((1.0, 2.0), (3.0, 4.0)));
    }
}
