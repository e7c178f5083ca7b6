//! Squared Euclidean distances of rows to a point, with the rows kept in
//! groups of [`LANES`] whose values are stored column by column: a point's
//! distances to a group are [`LANES`] independent sums, kept in SIMD
//! registers (a row-at-a-time sum is a reduction the compiler may not
//! reorder, and a column-at-a-time pass stores every partial sum). k-means
//! and k-NN use it.
//!
//! In wasm the sums are written with `simd128`'s `f64x2` operations: the
//! compiler left the portable loop scalar there (a k-means iteration on
//! 100,000 × 20 took 6.9 ms instead of 2.6 ms in Node.js 20's optimising
//! tier). Both do the same operations in the same order on each lane, so
//! they give the same bits.

/// Rows whose distances are computed together.
pub const LANES: usize = 8;

/// Rows in groups of [`LANES`]: a group's values column by column (the
/// last group padded with zeros).
pub struct Tiles {
    width: usize,
    rows: usize,
    values: Vec<[f64; LANES]>,
}

impl Tiles {
    /// The rows of `columns` (each of the same length), each value through
    /// `value` (to make it finite).
    pub fn new<C: AsRef<[f64]>>(columns: &[C], value: impl Fn(f64) -> f64) -> Tiles {
        let width = columns.len();
        let rows = columns.first().map_or(0, |c| c.as_ref().len());
        let groups = rows.div_ceil(LANES);
        let mut values = vec![[0.0; LANES]; groups * width];
        for (j, column) in columns.iter().enumerate() {
            for (r, &v) in column.as_ref().iter().enumerate() {
                values[(r / LANES) * width + j][r % LANES] = value(v);
            }
        }
        Tiles {
            width,
            rows,
            values,
        }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn groups(&self) -> usize {
        self.rows.div_ceil(LANES)
    }

    /// The rows of group `g` that are rows (the last may be short).
    pub fn lanes(&self, g: usize) -> usize {
        (self.rows - g * LANES).min(LANES)
    }

    /// Group `g`'s values, a `[f64; LANES]` per column.
    pub fn group(&self, g: usize) -> &[[f64; LANES]] {
        &self.values[g * self.width..(g + 1) * self.width]
    }

    /// Row `r`'s value in column `j`.
    pub fn value(&self, r: usize, j: usize) -> f64 {
        self.values[(r / LANES) * self.width + j][r % LANES]
    }

    pub fn row(&self, r: usize) -> Vec<f64> {
        (0..self.width).map(|j| self.value(r, j)).collect()
    }

    /// The squared distances of group `g`'s rows to `point` (a value per
    /// column), each summed over the columns in order.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline]
    pub fn distances(&self, g: usize, point: &[f64]) -> [f64; LANES] {
        use core::arch::wasm32::{f64x2_add, f64x2_mul, f64x2_splat, f64x2_sub};
        let mut s = [f64x2_splat(0.0); 4];
        for (x, &p) in self.group(g).iter().zip(point) {
            let p = f64x2_splat(p);
            for (s, x) in s.iter_mut().zip(pairs(x)) {
                let d = f64x2_sub(x, p);
                *s = f64x2_add(*s, f64x2_mul(d, d));
            }
        }
        unpair(s)
    }

    /// The squared distances of group `g`'s rows to `point` (a value per
    /// column), each summed over the columns in order.
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    #[inline]
    pub fn distances(&self, g: usize, point: &[f64]) -> [f64; LANES] {
        let mut sum = [0.0; LANES];
        for (x, &p) in self.group(g).iter().zip(point) {
            for l in 0..LANES {
                let d = x[l] - p;
                sum[l] += d * d;
            }
        }
        sum
    }

    /// `base` + the dot product of each of group `g`'s rows with
    /// `weights`: with `weights` = −2·c and `base` = ‖c‖², a row's squared
    /// distance to c less its own squared norm, in two operations a value
    /// instead of three (rounded otherwise than the distance: for ranking
    /// points, as scikit-learn does).
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline]
    pub fn scores(&self, g: usize, weights: &[f64], base: f64) -> [f64; LANES] {
        use core::arch::wasm32::{f64x2_add, f64x2_mul, f64x2_splat};
        let mut s = [f64x2_splat(base); 4];
        for (x, &w) in self.group(g).iter().zip(weights) {
            let w = f64x2_splat(w);
            for (s, x) in s.iter_mut().zip(pairs(x)) {
                *s = f64x2_add(*s, f64x2_mul(x, w));
            }
        }
        unpair(s)
    }

    /// [`Tiles::scores`] for two points at once (each of the group's
    /// values loaded once for both): the same operations in the same order
    /// on each lane, so the same bits.
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    #[inline]
    fn scores_two(&self, g: usize, weights: [&[f64]; 2], bases: [f64; 2]) -> [[f64; LANES]; 2] {
        use core::arch::wasm32::{f64x2_add, f64x2_mul, f64x2_splat};
        let mut s = [f64x2_splat(bases[0]); 4];
        let mut t = [f64x2_splat(bases[1]); 4];
        for ((x, &w), &v) in self.group(g).iter().zip(weights[0]).zip(weights[1]) {
            let (w, v) = (f64x2_splat(w), f64x2_splat(v));
            for ((s, t), x) in s.iter_mut().zip(t.iter_mut()).zip(pairs(x)) {
                *s = f64x2_add(*s, f64x2_mul(x, w));
                *t = f64x2_add(*t, f64x2_mul(x, v));
            }
        }
        [unpair(s), unpair(t)]
    }

    /// [`Tiles::scores`] for two points at once (as the wasm version above).
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    #[inline]
    fn scores_two(&self, g: usize, weights: [&[f64]; 2], bases: [f64; 2]) -> [[f64; LANES]; 2] {
        [
            self.scores(g, weights[0], bases[0]),
            self.scores(g, weights[1], bases[1]),
        ]
    }

    /// [`Tiles::scores`] of group `g` for each of `weights` (with its
    /// `bases`) into `out`, two points at a time ([`Tiles::scores_two`]):
    /// written out before the caller reduces them, so that the sums alone
    /// are in registers while they run (V8 spilled them otherwise).
    #[inline]
    pub fn scores_each(
        &self,
        g: usize,
        weights: &[Vec<f64>],
        bases: &[f64],
        out: &mut [[f64; LANES]],
    ) {
        let mut c = 0;
        while c + 1 < weights.len() {
            let two = self.scores_two(g, [&weights[c], &weights[c + 1]], [bases[c], bases[c + 1]]);
            out[c..c + 2].copy_from_slice(&two);
            c += 2;
        }
        if c < weights.len() {
            out[c] = self.scores(g, &weights[c], bases[c]);
        }
    }

    /// `base` + the dot product of each of group `g`'s rows with `weights`
    /// (as the wasm version above).
    #[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
    #[inline]
    pub fn scores(&self, g: usize, weights: &[f64], base: f64) -> [f64; LANES] {
        let mut sum = [base; LANES];
        for (x, &w) in self.group(g).iter().zip(weights) {
            for l in 0..LANES {
                sum[l] += x[l] * w;
            }
        }
        sum
    }

    /// Each row's squared norm.
    pub fn norms(&self) -> Vec<f64> {
        let zero = vec![0.0; self.width];
        let mut out = vec![0.0; self.rows];
        self.all_distances(&zero, &mut out);
        out
    }

    /// The squared distances of every row to `point`.
    pub fn all_distances(&self, point: &[f64], out: &mut [f64]) {
        for g in 0..self.groups() {
            let d = self.distances(g, point);
            let n = self.lanes(g);
            out[g * LANES..g * LANES + n].copy_from_slice(&d[..n]);
        }
    }
}

/// A group's column values as four `f64x2` (lanes 0–1, 2–3, 4–5, 6–7).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn pairs(x: &[f64; LANES]) -> [core::arch::wasm32::v128; 4] {
    use core::arch::wasm32::f64x2;
    const _: () = assert!(LANES == 8);
    [
        f64x2(x[0], x[1]),
        f64x2(x[2], x[3]),
        f64x2(x[4], x[5]),
        f64x2(x[6], x[7]),
    ]
}

/// The lanes of four `f64x2`, in order.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
#[inline]
fn unpair(s: [core::arch::wasm32::v128; 4]) -> [f64; LANES] {
    use core::arch::wasm32::f64x2_extract_lane as lane;
    [
        lane::<0>(s[0]),
        lane::<1>(s[0]),
        lane::<0>(s[1]),
        lane::<1>(s[1]),
        lane::<0>(s[2]),
        lane::<1>(s[2]),
        lane::<0>(s[3]),
        lane::<1>(s[3]),
    ]
}
