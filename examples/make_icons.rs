//! Draws the app's icons (std only) and writes them to `static/icons/`:
//! `icon-192.png`, `icon-512.png` (a rounded tile) and `icon-maskable-512.png`
//! (full bleed, the drawing inside the maskable safe zone). `icon.svg` is the
//! same drawing by hand; the manifest names all four.
//!
//! `cargo run --example make_icons` (the PNGs are committed; run it again
//! only when the drawing changes).

use std::path::Path;

/// The accent colour of `static/style.css` (light theme) and white.
const ACCENT: [f64; 3] = [11.0, 98.0, 164.0];
const WHITE: [f64; 3] = [255.0, 255.0, 255.0];

/// The drawing on a 512-unit square: is (x, y) covered, and by which colour?
/// `rounded` gives the tile rounded corners (radius 96); the maskable icon
/// fills the square and shrinks the chart into the central 80%.
fn shade(x: f64, y: f64, rounded: bool) -> Option<[f64; 3]> {
    let inside_tile = if rounded {
        let r = 96.0;
        let cx = x.clamp(r, 512.0 - r);
        let cy = y.clamp(r, 512.0 - r);
        (x - cx).powi(2) + (y - cy).powi(2) <= r * r
    } else {
        true
    };
    if !inside_tile {
        return None;
    }
    // The chart: three rising bars on a base line, and a trend dot above.
    let (s, o) = if rounded { (1.0, 0.0) } else { (0.8, 51.2) };
    let (u, v) = ((x - o) / s, (y - o) / s);
    let bars = [(120.0, 300.0), (216.0, 220.0), (312.0, 140.0)];
    for (left, top) in bars {
        if (left..left + 72.0).contains(&u) && (top..392.0).contains(&v) {
            return Some(WHITE);
        }
    }
    if (104.0..408.0).contains(&u) && (404.0..420.0).contains(&v) {
        return Some(WHITE);
    }
    if (u - 384.0).powi(2) + (v - 112.0).powi(2) <= 28.0 * 28.0 {
        return Some(WHITE);
    }
    Some(ACCENT)
}

/// RGBA pixels of a `size`² icon, 4×4 supersampled for smooth edges.
fn render(size: usize, rounded: bool) -> Vec<u8> {
    const SS: usize = 4;
    let unit = 512.0 / size as f64;
    let mut out = Vec::with_capacity(size * size * 4);
    for py in 0..size {
        for px in 0..size {
            let (mut rgb, mut cover) = ([0.0; 3], 0.0);
            for sy in 0..SS {
                for sx in 0..SS {
                    let x = (px as f64 + (sx as f64 + 0.5) / SS as f64) * unit;
                    let y = (py as f64 + (sy as f64 + 0.5) / SS as f64) * unit;
                    if let Some(c) = shade(x, y, rounded) {
                        for i in 0..3 {
                            rgb[i] += c[i];
                        }
                        cover += 1.0;
                    }
                }
            }
            if cover == 0.0 {
                out.extend_from_slice(&[0, 0, 0, 0]);
            } else {
                for c in rgb {
                    out.push((c / cover).round() as u8);
                }
                out.push((cover / (SS * SS) as f64 * 255.0).round() as u8);
            }
        }
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in bytes {
        a = (a + x as u32) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// Bits into bytes, least significant first (deflate's order).
#[derive(Default)]
struct Bits {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl Bits {
    fn put(&mut self, value: u32, len: u32) {
        for i in 0..len {
            self.acc |= ((value >> i) & 1) << self.n;
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.acc as u8);
                (self.acc, self.n) = (0, 0);
            }
        }
    }

    /// A Huffman code: most significant bit first.
    fn code(&mut self, code: u32, len: u32) {
        for i in (0..len).rev() {
            self.put((code >> i) & 1, 1);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

/// A symbol of deflate's fixed literal/length code.
fn fixed_symbol(bits: &mut Bits, sym: u32) {
    match sym {
        0..=143 => bits.code(0x30 + sym, 8),
        144..=255 => bits.code(0x190 + sym - 144, 9),
        256..=279 => bits.code(sym - 256, 7),
        _ => bits.code(0xC0 + sym - 280, 8),
    }
}

const LEN_BASE: [u32; 29] = [
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131,
    163, 195, 227, 258,
];
const LEN_EXTRA: [u32; 29] = [
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0,
];
const DIST_BASE: [u32; 30] = [
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
];
const DIST_EXTRA: [u32; 30] = [
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13,
    13,
];

/// One deflate block with the fixed code; repeats of the previous byte or
/// pixel become matches (enough for flat icons after the Up filter).
fn deflate(data: &[u8]) -> Vec<u8> {
    let mut bits = Bits::default();
    bits.put(1, 1); // last block
    bits.put(1, 2); // fixed Huffman codes
    let mut i = 0;
    while i < data.len() {
        let mut best = (0usize, 0usize);
        for dist in [1usize, 4] {
            if i < dist {
                continue;
            }
            let mut len = 0;
            while len < 258 && i + len < data.len() && data[i + len] == data[i + len - dist] {
                len += 1;
            }
            if len > best.0 {
                best = (len, dist);
            }
        }
        let (len, dist) = best;
        if len < 3 {
            fixed_symbol(&mut bits, data[i] as u32);
            i += 1;
            continue;
        }
        let l = LEN_BASE.iter().rposition(|&b| b <= len as u32).unwrap();
        fixed_symbol(&mut bits, 257 + l as u32);
        bits.put(len as u32 - LEN_BASE[l], LEN_EXTRA[l]);
        let d = DIST_BASE.iter().rposition(|&b| b <= dist as u32).unwrap();
        bits.code(d as u32, 5);
        bits.put(dist as u32 - DIST_BASE[d], DIST_EXTRA[d]);
        i += len;
    }
    fixed_symbol(&mut bits, 256);
    bits.finish()
}

/// A PNG (8-bit RGBA, every row with the Up filter) compressed by [`deflate`].
fn png(size: usize, rgba: &[u8]) -> Vec<u8> {
    let stride = size * 4;
    let mut raw = Vec::with_capacity(size * (stride + 1));
    for (y, row) in rgba.chunks(stride).enumerate() {
        raw.push(2);
        for (x, &b) in row.iter().enumerate() {
            let up = if y == 0 {
                0
            } else {
                rgba[(y - 1) * stride + x]
            };
            raw.push(b.wrapping_sub(up));
        }
    }
    let mut z = vec![0x78, 0x01];
    z.extend_from_slice(&deflate(&raw));
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&(size as u32).to_be_bytes());
    ihdr.extend_from_slice(&(size as u32).to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("static/icons");
    std::fs::create_dir_all(&dir)?;
    for (name, size, rounded) in [
        ("icon-192.png", 192, true),
        ("icon-512.png", 512, true),
        ("icon-maskable-512.png", 512, false),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, png(size, &render(size, rounded)))?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
