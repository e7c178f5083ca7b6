//! The k nearest kept rows of each query row, by brute force: every
//! distance, [`LANES`] kept rows at a time in SIMD registers
//! ([`super::distance::Tiles`]), the k smallest kept as they come. With 20 or
//! more columns a k-d tree prunes little (scikit-learn's `auto` goes brute
//! past 15), and linfa-nn's k-d tree, used before, answered 1.6–4× slower
//! than scikit-learn.
//!
//! Rows are ranked as scikit-learn's brute force ranks them: by
//! ‖x‖² − 2x·q (each kept row's squared norm once, then a dot product: two
//! operations a value instead of the distance's three), where the values
//! are far from overflowing (|v| ≤ [`SCORED_UP_TO`]); otherwise by the
//! squared distance itself.
//!
//! Ties go to the kept row that comes first. A query's missing value is
//! the (scaled) centre, 0, and an infinite one the largest finite value.

use super::distance::{Tiles, LANES};

/// Queries answered together: each group of kept rows is read once for
/// all of them while it is in cache.
const QUERIES: usize = 8;

/// The largest value ranked by norms and dot products: past it their
/// squares could overflow where the distances would not.
pub const SCORED_UP_TO: f64 = 1e100;

/// Whether every value is small enough to rank by norms and dot products.
fn scorable<'a>(values: impl IntoIterator<Item = &'a f64>) -> bool {
    values.into_iter().all(|v| v.abs() <= SCORED_UP_TO)
}

/// For each row of `query` (columns as `train`'s), the indices of its `k`
/// nearest rows of `train`, nearest first.
pub fn nearest(train: &[Vec<f64>], query: &[Vec<f64>], k: usize) -> Vec<Vec<u32>> {
    let tiles = Tiles::new(train, |v| v);
    // Each kept row's squared norm, when the kept rows can be scored.
    let norms = train.iter().all(scorable).then(|| tiles.norms());
    let m = query.first().map_or(0, Vec::len);
    let k = k.min(tiles.rows());
    let mut out = Vec::with_capacity(m);
    let mut points = Vec::with_capacity(QUERIES);
    let mut best: Vec<Best> = Vec::with_capacity(QUERIES);
    for first in (0..m).step_by(QUERIES) {
        let last = (first + QUERIES).min(m);
        points.clear();
        points
            .extend((first..last).map(|i| query.iter().map(|c| usable(c[i])).collect::<Vec<_>>()));
        best.clear();
        best.extend(points.iter().map(|_| Best::new(k)));
        match norms.as_deref().filter(|_| points.iter().all(scorable)) {
            Some(norms) => {
                // Each point times −2; a row's score is its norm plus
                // its dot product with that.
                let weights: Vec<Vec<f64>> = points
                    .iter()
                    .map(|p| p.iter().map(|v| -2.0 * v).collect())
                    .collect();
                search(&tiles, &weights, &mut best, |g, w, out| {
                    let at = g * LANES;
                    let norms = &norms[at..at + tiles.lanes(g)];
                    tiles.scores_each(g, w, &[0.0; QUERIES][..w.len()], out);
                    for s in out.iter_mut() {
                        for (s, &n) in s.iter_mut().zip(norms) {
                            *s += n;
                        }
                    }
                });
            }
            None => search(&tiles, &points, &mut best, |g, p, out| {
                for (out, p) in out.iter_mut().zip(p) {
                    *out = tiles.distances(g, p);
                }
            }),
        }
        out.extend(best.drain(..).map(Best::indices));
    }
    out
}

/// Offers every kept row to each point's `best`, ranked by `rank(group,
/// points, out)` (each point's value for the group's kept rows, [`LANES`]
/// at a time: two points' at once keep twice the sums in registers, and
/// written out before they are offered they leave the registers free). A
/// function of its own, called once per [`QUERIES`] rows: a browser
/// optimises a wasm function for its later calls only (never during a
/// call), so the search stays unoptimised only for the first few blocks
/// instead of the whole prediction (in Node.js 2.7× slower).
#[inline(never)]
fn search(
    tiles: &Tiles,
    points: &[Vec<f64>],
    best: &mut [Best],
    rank: impl Fn(usize, &[Vec<f64>], &mut [[f64; LANES]]),
) {
    let mut ranked = [[0.0; LANES]; QUERIES];
    for g in 0..tiles.groups() {
        let lanes = tiles.lanes(g);
        rank(g, points, &mut ranked[..points.len()]);
        for (d, best) in ranked.iter().zip(best.iter_mut()) {
            best.offer_group(&d[..lanes], (g * LANES) as u32);
        }
    }
}

fn usable(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(-f64::MAX, f64::MAX)
    }
}

/// The k smallest distances seen, in order (equal ones in arrival order).
struct Best {
    k: usize,
    found: Vec<(f64, u32)>,
}

impl Best {
    fn new(k: usize) -> Best {
        Best {
            k,
            found: Vec::with_capacity(k + 1),
        }
    }

    #[inline]
    fn offer(&mut self, d: f64, row: u32) {
        if self.k == 0 {
            return;
        }
        let d = if d.is_nan() { f64::INFINITY } else { d };
        if self.found.len() == self.k {
            // Not nearer than the k-th.
            if d >= self.found[self.k - 1].0 {
                return;
            }
            self.found.pop();
        }
        let at = self.found.partition_point(|&(e, _)| e <= d);
        self.found.insert(at, (d, row));
    }

    /// Offers rows `first`, `first + 1`, … at distances `d`; none when the
    /// k found are all nearer (most groups, once k are found).
    #[inline]
    fn offer_group(&mut self, d: &[f64], first: u32) {
        if self.found.len() == self.k {
            let kth = self.found.last().map_or(f64::INFINITY, |e| e.0);
            // NaN counts as infinite: never nearer.
            if !d.iter().any(|&d| d < kth) {
                return;
            }
        }
        for (l, &d) in d.iter().enumerate() {
            self.offer(d, first + l as u32);
        }
    }

    fn indices(self) -> Vec<u32> {
        self.found.into_iter().map(|(_, r)| r).collect()
    }
}
