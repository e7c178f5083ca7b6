//! k-means as scikit-learn's `KMeans` runs it (greedy k-means++ starts,
//! Lloyd's iterations, its tolerance and its handling of empty clusters),
//! with the distances of [`LANES`] rows at a time in SIMD registers
//! ([`super::distance::Tiles`]; linfa-clustering, used before, took 2.5×
//! scikit-learn's time).
//!
//! An iteration's steps are functions of their own (`#[inline(never)]`):
//! a browser runs a wasm function's first calls unoptimised and the calls
//! after it has become hot optimised, never switching in the middle of a
//! call (V8 has no on-stack replacement for wasm), so one call running
//! every iteration stayed unoptimised (in Chromium 4.4× slower).
//!
//! The input is finite (scaled, missing values filled); a non-finite value
//! counts as 0, the scaled centre.

use super::distance::{Tiles, LANES};
use crate::core::rng::Rng;

/// The settings of one fit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KMeansParams {
    pub k: usize,
    /// Starts; the one with the lowest inertia is kept.
    pub starts: usize,
    pub max_iterations: usize,
    /// Relative to the mean of the columns' variances (scikit-learn's `tol`):
    /// the iterations stop when the centres move less, squared and summed.
    pub tolerance: f64,
    pub seed: u64,
}

impl Default for KMeansParams {
    fn default() -> Self {
        KMeansParams {
            k: 8,
            starts: 3,
            max_iterations: 300,
            tolerance: 1e-4,
            seed: 0,
        }
    }
}

/// A fit: the centres (one `Vec` per cluster, a value per column), the sum
/// of squared distances of the rows to their centre, and the iterations of
/// the start kept.
#[derive(Clone, Debug, PartialEq)]
pub struct KMeansFit {
    pub centroids: Vec<Vec<f64>>,
    pub inertia: f64,
    pub iterations: usize,
}

/// Why a fit cannot start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KMeansError {
    /// Fewer rows than clusters, or no cluster asked for.
    TooFewRows {
        rows: usize,
        k: usize,
    },
    NoColumns,
}

impl std::fmt::Display for KMeansError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KMeansError::TooFewRows { rows, k } => {
                write!(f, "{k} clusters need at least {k} rows, there are {rows}")
            }
            KMeansError::NoColumns => write!(f, "no columns to cluster on"),
        }
    }
}

/// Fits k-means to `columns` (each of the same length).
pub fn fit(columns: &[Vec<f64>], params: &KMeansParams) -> Result<KMeansFit, KMeansError> {
    let n = columns.first().map_or(0, Vec::len);
    if columns.is_empty() {
        return Err(KMeansError::NoColumns);
    }
    if params.k == 0 || n < params.k {
        return Err(KMeansError::TooFewRows {
            rows: n,
            k: params.k,
        });
    }
    let data = Data::new(columns);
    let tolerance = params.tolerance * data.mean_variance();
    let mut rng = Rng::new(params.seed);
    let mut best: Option<KMeansFit> = None;
    for _ in 0..params.starts.max(1) {
        let centres = data.plus_plus(params.k, &mut rng);
        let fit = data.lloyd(centres, params.max_iterations, tolerance);
        if best.as_ref().is_none_or(|b| fit.inertia < b.inertia) {
            best = Some(fit);
        }
    }
    best.ok_or(KMeansError::NoColumns)
}

/// The index of the centre nearest `row` (the first of equals).
pub fn nearest(centroids: &[Vec<f64>], row: &[f64]) -> u32 {
    let mut best = (0u32, f64::INFINITY);
    for (c, centre) in centroids.iter().enumerate() {
        let d: f64 = row
            .iter()
            .zip(centre)
            .map(|(&a, b)| (finite(a) - b).powi(2))
            .sum();
        if d < best.1 {
            best = (c as u32, d);
        }
    }
    best.0
}

fn finite(v: f64) -> f64 {
    if v.is_finite() {
        v
    } else {
        0.0
    }
}

/// The rows, finite, in groups of [`LANES`].
struct Data {
    tiles: Tiles,
    /// Each row's squared norm.
    norms: Vec<f64>,
}

impl Data {
    fn new(columns: &[Vec<f64>]) -> Data {
        let tiles = Tiles::new(columns, finite);
        Data {
            norms: tiles.norms(),
            tiles,
        }
    }

    fn width(&self) -> usize {
        self.tiles.width()
    }

    fn mean_variance(&self) -> f64 {
        let n = self.tiles.rows() as f64;
        let sum: f64 = (0..self.width())
            .map(|j| {
                let mean = (0..self.tiles.rows())
                    .map(|r| self.tiles.value(r, j))
                    .sum::<f64>()
                    / n;
                (0..self.tiles.rows())
                    .map(|r| (self.tiles.value(r, j) - mean).powi(2))
                    .sum::<f64>()
                    / n
            })
            .sum();
        sum / self.width() as f64
    }

    /// Greedy k-means++ (scikit-learn's `_kmeans_plusplus`): each new
    /// centre is the best of `2 + ln k` rows drawn with probability
    /// proportional to their squared distance to the nearest centre so far.
    fn plus_plus(&self, k: usize, rng: &mut Rng) -> Vec<Vec<f64>> {
        let trials = 2 + (k as f64).ln() as usize;
        let mut centres = vec![self.tiles.row(rng.below(self.tiles.rows()))];
        let mut closest = vec![0.0; self.tiles.rows()];
        self.tiles.all_distances(&centres[0], &mut closest);
        let mut candidate = vec![0.0; self.tiles.rows()];
        let mut kept = vec![0.0; self.tiles.rows()];
        while centres.len() < k {
            let potential: f64 = closest.iter().sum();
            let mut chosen: Option<(f64, usize)> = None;
            for _ in 0..trials {
                let r = draw(&closest, potential, rng);
                self.tiles.all_distances(&self.tiles.row(r), &mut candidate);
                let mut sum = 0.0;
                for (c, &d) in candidate.iter_mut().zip(&closest) {
                    *c = c.min(d);
                    sum += *c;
                }
                if chosen.is_none_or(|(best, _)| sum < best) {
                    chosen = Some((sum, r));
                    std::mem::swap(&mut kept, &mut candidate);
                }
            }
            let (_, r) = chosen.unwrap_or((0.0, 0));
            std::mem::swap(&mut closest, &mut kept);
            centres.push(self.tiles.row(r));
        }
        centres
    }

    /// Each row's nearest centre (the first of equals) and its squared
    /// distance, ranked by ‖c‖² − 2x·c (scikit-learn's way, two operations
    /// a value instead of three; the distance is then that plus ‖x‖²,
    /// rounded otherwise than [`Data::assign`]'s); a row whose cluster is
    /// not its `previous` one moves between the clusters' `sums` while its
    /// group is at hand (no second pass over the rows, and after the first
    /// iterations few rows move).
    ///
    /// The centres' scores are computed two at a time and written out
    /// before the nearest is picked: two sums a lane in flight instead of
    /// one (an addition waits on the one before it), and the registers
    /// free of the running minimum meanwhile (V8 otherwise spilled them:
    /// 4.3 → 3.2 ms an iteration on 100,000 × 20 in Node.js 20 with the
    /// moves).
    #[inline(never)]
    fn assign_fast(
        &self,
        centres: &[Vec<f64>],
        previous: &[u32],
        labels: &mut [u32],
        dist: &mut [f64],
        sums: &mut Sums,
    ) {
        let weights: Vec<Vec<f64>> = centres
            .iter()
            .map(|c| c.iter().map(|v| -2.0 * v).collect())
            .collect();
        let bases: Vec<f64> = centres
            .iter()
            .map(|c| c.iter().map(|v| v * v).sum())
            .collect();
        let mut scored = vec![[0.0; LANES]; centres.len()];
        for g in 0..self.tiles.groups() {
            self.tiles.scores_each(g, &weights, &bases, &mut scored);
            let (best, label) = nearest_of(scored.iter().copied());
            let (at, n) = (g * LANES, self.tiles.lanes(g));
            labels[at..at + n].copy_from_slice(&label[..n]);
            for l in 0..n {
                dist[at + l] = non_negative(best[l] + self.norms[at + l]);
            }
            let group = self.tiles.group(g);
            for l in 0..n {
                if label[l] != previous[at + l] {
                    sums.moved(group, l, previous[at + l], label[l]);
                }
            }
        }
    }

    /// Each row's nearest centre (the first of equals) and its squared
    /// distance, summed as distances (for the inertia).
    #[inline(never)]
    fn assign(&self, centres: &[Vec<f64>], labels: &mut [u32], dist: &mut [f64]) {
        for g in 0..self.tiles.groups() {
            let (best, label) = nearest_of(centres.iter().map(|c| self.tiles.distances(g, c)));
            let (at, n) = (g * LANES, self.tiles.lanes(g));
            labels[at..at + n].copy_from_slice(&label[..n]);
            dist[at..at + n].copy_from_slice(&best[..n]);
        }
    }

    /// The mean of each cluster's rows; a cluster left empty takes the
    /// row farthest from its centre, as scikit-learn relocates them, but
    /// only from a cluster of more than one row (none is left empty), and
    /// the row's label and the two clusters' sums change with it.
    #[inline(never)]
    fn means(&self, sums: &mut Sums, labels: &mut [u32], dist: &mut [f64]) -> Vec<Vec<f64>> {
        for c in 0..sums.counts.len() {
            if sums.counts[c] > 0 {
                continue;
            }
            let far = dist
                .iter()
                .enumerate()
                .filter(|&(r, _)| sums.counts[labels[r] as usize] > 1)
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(r, _)| r);
            if let Some(r) = far {
                sums.moved(self.tiles.group(r / LANES), r % LANES, labels[r], c as u32);
                labels[r] = c as u32;
                dist[r] = 0.0;
            }
        }
        sums.means()
    }

    /// Lloyd's iterations from `centres` (scikit-learn's
    /// `_kmeans_single_lloyd`): until the labels stop changing or the
    /// centres move less than `tolerance`; the labels and inertia are then
    /// those of the final centres. (Hamerly's bounds, which skip the rows
    /// whose centre cannot have changed, made it slower on 20 columns
    /// without clusters: most rows stay near a boundary.)
    fn lloyd(&self, mut centres: Vec<Vec<f64>>, max: usize, tolerance: f64) -> KMeansFit {
        let mut labels = vec![u32::MAX; self.tiles.rows()];
        let mut previous = vec![u32::MAX; self.tiles.rows()];
        let mut dist = vec![0.0; self.tiles.rows()];
        let mut sums = Sums::new(centres.len(), self.width());
        let mut iterations = 0;
        while iterations < max {
            iterations += 1;
            self.assign_fast(&centres, &previous, &mut labels, &mut dist, &mut sums);
            let next = self.means(&mut sums, &mut labels, &mut dist);
            let shift: f64 = centres
                .iter()
                .zip(&next)
                .map(|(a, b)| a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum::<f64>())
                .sum();
            centres = next;
            if labels == previous || shift <= tolerance {
                break;
            }
            std::mem::swap(&mut labels, &mut previous);
        }
        // The inertia of the final centres (a settled run's centres did not
        // move, but a relocated empty cluster changed its distances).
        self.assign(&centres, &mut labels, &mut dist);
        KMeansFit {
            inertia: dist.iter().sum(),
            centroids: centres,
            iterations,
        }
    }
}

/// Each cluster's count of rows and, per column, the sum of its rows'
/// values, kept across iterations (a row that changes cluster is
/// subtracted from one and added to the other; the sums differ from
/// summing afresh by the rounding of those moves) and per lane (a row
/// moves in its lane's sums: the rows of a group never wait on each
/// other's additions).
struct Sums {
    width: usize,
    counts: Vec<usize>,
    /// `[cluster * width + column][lane]`.
    lanes: Vec<[f64; LANES]>,
}

impl Sums {
    fn new(k: usize, width: usize) -> Sums {
        Sums {
            width,
            counts: vec![0; k],
            lanes: vec![[0.0; LANES]; k * width],
        }
    }

    /// Lane `l` of `group` (a row, its values column by column) moved from
    /// cluster `from` (none when `u32::MAX`) to cluster `to`.
    #[inline]
    fn moved(&mut self, group: &[[f64; LANES]], l: usize, from: u32, to: u32) {
        let w = self.width;
        if from != u32::MAX {
            let from = from as usize;
            self.counts[from] -= 1;
            for (s, x) in self.lanes[from * w..(from + 1) * w].iter_mut().zip(group) {
                s[l] -= x[l];
            }
        }
        let to = to as usize;
        self.counts[to] += 1;
        for (s, x) in self.lanes[to * w..(to + 1) * w].iter_mut().zip(group) {
            s[l] += x[l];
        }
    }

    /// Each cluster's mean (0 for a cluster without rows).
    fn means(&self) -> Vec<Vec<f64>> {
        self.lanes
            .chunks(self.width)
            .zip(&self.counts)
            .map(|(sums, &count)| {
                sums.iter()
                    .map(|s| s.iter().sum::<f64>() / count.max(1) as f64)
                    .collect()
            })
            .collect()
    }
}

/// Per lane, the smallest of the centres' values (in centre order) and
/// the first centre that has it.
#[inline]
fn nearest_of(values: impl Iterator<Item = [f64; LANES]>) -> ([f64; LANES], [u32; LANES]) {
    let mut best = [f64::INFINITY; LANES];
    let mut label = [0u32; LANES];
    for (c, d) in values.enumerate() {
        for l in 0..LANES {
            if d[l] < best[l] {
                best[l] = d[l];
                label[l] = c as u32;
            }
        }
    }
    (best, label)
}

/// A row drawn with probability proportional to `weights` (which sum to
/// `total`); uniformly when they are all 0.
fn draw(weights: &[f64], total: f64, rng: &mut Rng) -> usize {
    if total <= 0.0 || !total.is_finite() {
        return rng.below(weights.len());
    }
    let target = rng.unit() * total;
    let mut sum = 0.0;
    for (r, &w) in weights.iter().enumerate() {
        sum += w;
        if sum > target {
            return r;
        }
    }
    weights.iter().rposition(|&w| w > 0.0).unwrap_or(0)
}

/// `v`, or 0 where it is below (rounding) or NaN (as `v.max(0.0)`); a
/// comparison, where `f64::max` is a call in wasm (its NaN rule is not
/// wasm's `f64.max`).
#[inline]
fn non_negative(v: f64) -> f64 {
    if v >= 0.0 {
        v
    } else {
        0.0
    }
}
