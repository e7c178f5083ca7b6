//! Correlations and associations, as pandas and scipy define them:
//! Pearson and Spearman (average ranks for ties) for numeric pairs over the
//! rows where both are present (`DataFrame.corr`), Cramér's V for pairs of
//! categorical columns (`scipy.stats.contingency.association`, no
//! correction), and the correlation ratio eta for numeric × categorical.

use polars_arrow::array::{Array, View};
use polars_core::prelude::PlHashMap as HashMap;
use polars_core::prelude::{ChunkedArray, PolarsNumericType, StringChunked};

use serde::{Deserialize, Serialize};

use crate::core::explore::aggregate::for_each_present;
use crate::core::ingest::Dataset;
use crate::core::profile::accurate_sum;
use crate::core::table::ColumnData;

/// Categorical columns with more distinct values, or more than one per two
/// rows, are left out of the associations (identifiers, free text).
pub const MAX_CATEGORIES: usize = 50;

/// Most numeric columns, and most categorical columns, that enter the
/// pairwise statistics (Pearson, Spearman, Cramér's V, eta and so the
/// high-correlation alert). Pairs grow with the square of the columns: 50
/// columns are 1,225 pairs (2,500 numeric × categorical), each one pass
/// over the rows, and a 50 × 50 heatmap is still readable; 16,384 columns
/// would be 134 million pairs. Past it the columns with the most values
/// are kept ([`keep_most_complete`]); the others are listed in
/// [`Correlations::numeric_left_out`] / [`Correlations::categorical_left_out`].
pub const MAX_PAIR_COLUMNS: usize = 50;

/// One pair of columns and how strongly they go together.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    /// "pearson", "spearman", "cramers_v" or "eta".
    pub method: String,
    pub value: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Correlations {
    /// Numeric columns, in dataset order.
    pub numeric: Vec<String>,
    /// `pearson[i][j]`, None where undefined (a constant column, < 2 rows).
    pub pearson: Vec<Vec<Option<f64>>>,
    pub spearman: Vec<Vec<Option<f64>>>,
    /// Categorical columns (text or boolean, at most [`MAX_CATEGORIES`]).
    pub categorical: Vec<String>,
    pub cramers_v: Vec<Vec<Option<f64>>>,
    /// `eta[i][j]`: numeric column i by categorical column j.
    pub eta: Vec<Vec<Option<f64>>>,
    /// Every defined pair, strongest first (Pearson for numeric pairs).
    pub top: Vec<Pair>,
    /// Numeric columns past [`MAX_PAIR_COLUMNS`], left out of the pairs
    /// (dataset order).
    #[serde(default)]
    pub numeric_left_out: Vec<String>,
    /// Categorical columns past [`MAX_PAIR_COLUMNS`], left out likewise.
    #[serde(default)]
    pub categorical_left_out: Vec<String>,
}

/// Pearson's r of paired values.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson_of(|| x.iter().copied().zip(y.iter().copied()))
}

/// Pearson's r of (x, y) pairs, read twice: once for the means, once for
/// the three sums of products (each summed as [`accurate_sum`] would).
fn pearson_of<I: Iterator<Item = (f64, f64)>>(pairs: impl Fn() -> I) -> Option<f64> {
    let (mut sx, mut sy) = (Sum::default(), Sum::default());
    for (a, b) in pairs() {
        sx.add(a);
        sy.add(b);
    }
    let n = sx.n;
    if n < 2 {
        return None;
    }
    let (mx, my) = (sx.total() / n as f64, sy.total() / n as f64);
    let (mut sxy, mut sxx, mut syy) = (Sum::default(), Sum::default(), Sum::default());
    for (a, b) in pairs() {
        let (da, db) = (a - mx, b - my);
        sxy.add(da * db);
        sxx.add(da * da);
        syy.add(db * db);
    }
    let d = (sxx.total() * syy.total()).sqrt();
    if d == 0.0 || !d.is_finite() {
        return None;
    }
    // Huge values can overflow the sums: no coefficient rather than NaN.
    Some((sxy.total() / d).clamp(-1.0, 1.0)).filter(|r| r.is_finite())
}

/// Sums over the rows of two columns of the `K` quantities `f(x, y)`:
/// four lanes of sums per block of rows (a loop the compiler turns into
/// SIMD, wasm simd128 too), the blocks' sums added with compensation.
fn lane_sums<T: Copy, const K: usize>(
    xs: &[T],
    ys: &[T],
    f: impl Fn(T, T) -> [f64; K],
) -> [f64; K] {
    const LANES: usize = 4;
    const BLOCK: usize = 1024;
    let mut sums = [Sum::default(); K];
    for (bx, by) in xs.chunks(BLOCK).zip(ys.chunks(BLOCK)) {
        let mut acc = [[0.0f64; LANES]; K];
        let mut add = |lane: usize, x: T, y: T| {
            for (a, v) in acc.iter_mut().zip(f(x, y)) {
                a[lane] += v;
            }
        };
        let (cx, cy) = (bx.chunks_exact(LANES), by.chunks_exact(LANES));
        for (k, (&x, &y)) in cx.remainder().iter().zip(cy.remainder()).enumerate() {
            add(k, x, y);
        }
        for (x, y) in cx.zip(cy) {
            for k in 0..LANES {
                add(k, x[k], y[k]);
            }
        }
        for (sum, lanes) in sums.iter_mut().zip(&acc) {
            sum.add((lanes[0] + lanes[1]) + (lanes[2] + lanes[3]));
        }
    }
    sums.map(|s| s.total())
}

/// The means of two columns over the rows where both are present (None
/// without such a row); missing rows masked, not branched on.
fn pair_means(xs: &[f64], ys: &[f64]) -> Option<(f64, f64)> {
    let [n, sx, sy] = lane_sums(xs, ys, |x, y| {
        let ok = !(x.is_nan() || y.is_nan());
        [
            f64::from(u8::from(ok)),
            if ok { x } else { 0.0 },
            if ok { y } else { 0.0 },
        ]
    });
    (n >= 1.0).then(|| (sx / n, sy / n))
}

/// Pearson's r over the rows where both columns are present, in one pass
/// over values centred by the pair's means (`mx`, `my`, from
/// [`pair_means`]): with
/// the data shifted near zero, the one-pass sums lose nothing to
/// cancellation that the two-pass form of [`pearson_of`] keeps. None under
/// two rows, for a constant column or overflow.
fn pearson_centred(xs: &[f64], mx: f64, ys: &[f64], my: f64) -> Option<f64> {
    r_of_centred(centred_sums(xs, mx, ys, my))
}

/// Pearson's r over the rows where both columns are present, as the pair's
/// own means give it ([`pair_means`], [`pearson_centred`]), in one pass when
/// it can: the values are centred at each column's own mean (`cx`, `cy`,
/// over all its present values), which the pair's means are near unless
/// the rows one column lacks move them; then, the shift as large as the
/// spread (where the one-pass sums would cancel), the pair's means first.
fn pearson_pair(xs: &[f64], cx: f64, ys: &[f64], cy: f64) -> Option<f64> {
    let sums = centred_sums(xs, cx, ys, cy);
    let [n, sa, sb, _, saa, sbb] = sums;
    if sa * sa > 0.5 * n * saa || sb * sb > 0.5 * n * sbb {
        return pair_means(xs, ys).and_then(|(mx, my)| pearson_centred(xs, mx, ys, my));
    }
    r_of_centred(sums)
}

/// `[n, Σa, Σb, Σab, Σa², Σb²]` over the rows where both are present, of
/// `a = x − mx`, `b = y − my`.
fn centred_sums(xs: &[f64], mx: f64, ys: &[f64], my: f64) -> [f64; 6] {
    lane_sums(xs, ys, |x, y| {
        let ok = !(x.is_nan() || y.is_nan());
        let a = if ok { x - mx } else { 0.0 };
        let b = if ok { y - my } else { 0.0 };
        [f64::from(u8::from(ok)), a, b, a * b, a * a, b * b]
    })
}

/// Pearson's r from the sums over `n` rows of values centred near their
/// means: `[n, Σa, Σb, Σab, Σa², Σb²]` (what is left of the means is taken
/// out here). None under two rows, for a constant column or overflow.
fn r_of_centred([n, sa, sb, sab, saa, sbb]: [f64; 6]) -> Option<f64> {
    if n < 2.0 {
        return None;
    }
    let sxy = sab - sa * sb / n;
    let sxx = saa - sa * sa / n;
    let syy = sbb - sb * sb / n;
    let d = (sxx * syy).sqrt();
    if d == 0.0 || !d.is_finite() || sxx <= 0.0 || syy <= 0.0 {
        return None;
    }
    Some((sxy / d).clamp(-1.0, 1.0)).filter(|r| r.is_finite())
}

/// A column without missing values: its mean and the sum of its squared
/// deviations (compensated, as [`pearson_of`] sums them).
#[derive(Clone, Copy, Debug)]
struct Spread {
    mean: f64,
    squares: f64,
}

impl Spread {
    /// None when a value is missing (NaN) or there are fewer than two.
    fn of<T: Copy + Into<f64>>(v: &[T]) -> Option<Spread> {
        if v.len() < 2 || v.iter().any(|&x| x.into().is_nan()) {
            return None;
        }
        let mean = accurate_sum(v.iter().map(|&x| x.into())) / v.len() as f64;
        let squares = accurate_sum(v.iter().map(|&x| {
            let d = x.into() - mean;
            d * d
        }));
        Some(Spread { mean, squares })
    }

    /// Pearson's r of a dense column with itself, as [`Self::correlation`]
    /// gives it without the pass (its products are its squares).
    fn correlation_self(&self) -> Option<f64> {
        let d = (self.squares * self.squares).sqrt();
        if d == 0.0 || !d.is_finite() {
            return None;
        }
        Some((self.squares / d).clamp(-1.0, 1.0)).filter(|r| r.is_finite())
    }

    /// Pearson's r of this column `xs` and another dense one `ys` (the same
    /// rules as [`pearson_of`]: none for a constant column or overflow).
    fn correlation<T: Copy + Into<f64>>(&self, xs: &[T], other: &Spread, ys: &[T]) -> Option<f64> {
        let d = (self.squares * other.squares).sqrt();
        if d == 0.0 || !d.is_finite() {
            return None;
        }
        let [sxy] = lane_sums(xs, ys, |x, y| {
            [(x.into() - self.mean) * (y.into() - other.mean)]
        });
        Some((sxy / d).clamp(-1.0, 1.0)).filter(|r| r.is_finite())
    }
}

/// Ranks 1..n with ties given their average rank.
pub fn ranks(v: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..v.len()).collect();
    order.sort_unstable_by(|&a, &b| v[a].total_cmp(&v[b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

/// Cramér's V of paired category codes.
pub fn cramers_v(x: &[u32], y: &[u32]) -> Option<f64> {
    cramers_v_of(x.iter().zip(y).map(|(a, b)| (*a, *b)))
}

/// Cramér's V of (code, code) pairs; codes are small (a dense table).
fn cramers_v_of(pairs: impl Iterator<Item = (u32, u32)>) -> Option<f64> {
    let mut table: Vec<Vec<f64>> = Vec::new();
    let (mut rows, mut cols): (Vec<f64>, Vec<f64>) = (Vec::new(), Vec::new());
    let mut n = 0usize;
    for (a, b) in pairs {
        let (a, b) = (a as usize, b as usize);
        if a >= rows.len() {
            rows.resize(a + 1, 0.0);
            table.resize(a + 1, Vec::new());
        }
        if b >= cols.len() {
            cols.resize(b + 1, 0.0);
        }
        if b >= table[a].len() {
            table[a].resize(b + 1, 0.0);
        }
        table[a][b] += 1.0;
        rows[a] += 1.0;
        cols[b] += 1.0;
        n += 1;
    }
    cramers_v_of_table(&table, &rows, &cols, n)
}

/// Cramér's V of the categorical columns `a` and `b` over the rows where
/// both are present, as [`cramers_v_of`] gives it: their slots' pairs
/// counted in one flat table (a missing slot's row and column left out).
fn cramers_by_slots(a: &Slots, b: &Slots) -> Option<f64> {
    let width = b.groups + 1;
    let mut counts = vec![0u32; (a.groups + 1) * width];
    for (&x, &y) in a.slot.iter().zip(&b.slot) {
        counts[usize::from(x) * width + usize::from(y)] += 1;
    }
    let table: Vec<Vec<f64>> = (0..a.groups)
        .map(|x| {
            (0..b.groups)
                .map(|y| f64::from(counts[x * width + y]))
                .collect()
        })
        .collect();
    let rows: Vec<f64> = table.iter().map(|r| r.iter().sum()).collect();
    let cols: Vec<f64> = (0..b.groups)
        .map(|y| table.iter().map(|r| r[y]).sum())
        .collect();
    let n = rows.iter().sum::<f64>() as usize;
    cramers_v_of_table(&table, &rows, &cols, n)
}

/// Cramér's V of a contingency `table` with its `rows`' and `cols`' totals
/// and `n` pairs (counts are whole numbers, exact as `f64`).
fn cramers_v_of_table(table: &[Vec<f64>], rows: &[f64], cols: &[f64], n: usize) -> Option<f64> {
    let present = |v: &[f64]| v.iter().filter(|c| **c > 0.0).count();
    let k = present(rows).min(present(cols));
    if n == 0 || k < 2 {
        return None;
    }
    let nf = n as f64;
    let mut chi2 = Vec::new();
    for (a, &ra) in rows.iter().enumerate().filter(|(_, r)| **r > 0.0) {
        for (b, &cb) in cols.iter().enumerate().filter(|(_, c)| **c > 0.0) {
            let expected = ra * cb / nf;
            let observed = table[a].get(b).copied().unwrap_or(0.0);
            chi2.push((observed - expected) * (observed - expected) / expected);
        }
    }
    let chi2 = accurate_sum(chi2.into_iter());
    Some((chi2 / (nf * (k as f64 - 1.0))).sqrt())
        .filter(|v| v.is_finite())
        .map(|v| v.min(1.0))
}

/// The correlation ratio eta of values `y` grouped by `groups`.
pub fn eta(groups: &[u32], y: &[f64]) -> Option<f64> {
    eta_of(|| groups.iter().zip(y).map(|(g, v)| (*g, *v)))
}

/// Neumaier's running sum (the same sums as [`accurate_sum`], value by
/// value).
#[derive(Clone, Copy, Default)]
struct Sum {
    sum: f64,
    c: f64,
    n: usize,
}

impl Sum {
    fn add(&mut self, v: f64) {
        let t = self.sum + v;
        if self.sum.abs() >= v.abs() {
            self.c += (self.sum - t) + v;
        } else {
            self.c += (v - t) + self.sum;
        }
        self.sum = t;
        self.n += 1;
    }

    fn total(&self) -> f64 {
        if self.c.is_finite() {
            self.sum + self.c
        } else {
            self.sum
        }
    }
}

/// The mean of the present (not NaN) values, 0 when none.
fn present_mean(y: &[f64]) -> f64 {
    let present = y.iter().filter(|v| !v.is_nan()).count();
    if present == 0 {
        return 0.0;
    }
    let mean = accurate_sum(y.iter().copied().filter(|v| !v.is_nan())) / present as f64;
    if mean.is_finite() {
        mean
    } else {
        0.0
    }
}

/// Eta of `y` grouped by `groups` over the rows where both are present,
/// as [`eta`] gives it (to about 1e-13 relative), in one pass of plain
/// sums: each value is taken less `centre` (the column's mean: the
/// deviations stay small, so plain sums of them and their squares lose
/// nothing that matters), each group keeps its count and sum, and the
/// sum of squares about the pairs' own mean follows from them. Where the
/// pairs' mean is far from `centre` (the rows a category misses move it,
/// or the values are all equal there), it is [`eta`]'s two passes. The
/// compensated sum of every value ([`eta`]) cost three times as much; the
/// insights take a pass per (numeric, categorical) pair.
fn eta_centred(groups: &[u32], y: &[f64], centre: f64) -> Option<f64> {
    let mut by: Vec<(f64, u64)> = Vec::new();
    let mut squares = 0.0;
    for (&g, &v) in groups.iter().zip(y) {
        if g == NO_CODE || v.is_nan() {
            continue;
        }
        let g = g as usize;
        if g >= by.len() {
            by.resize(g + 1, (0.0, 0));
        }
        let d = v - centre;
        by[g].0 += d;
        by[g].1 += 1;
        squares += d * d;
    }
    eta_of_groups(&by, squares).unwrap_or_else(|| eta_about(groups, y, centre))
}

/// [`eta_of`] of the values less `centre` (eta is the same; its group
/// means keep more digits of their differences), over the rows where both
/// are present.
fn eta_about(groups: &[u32], y: &[f64], centre: f64) -> Option<f64> {
    eta_of(|| {
        groups
            .iter()
            .zip(y)
            .filter(|(&g, v)| g != NO_CODE && !v.is_nan())
            .map(|(&g, &v)| (g, v - centre))
    })
}

/// A categorical column ready for its eta pairs ([`eta_by_sums`]): each
/// row's group as a slot (a byte; the last slot, `groups`, for a missing
/// category), the rows of each group, and the rows where it is missing.
struct Slots {
    slot: Vec<u8>,
    groups: usize,
    counts: Vec<u64>,
    missing: Vec<u32>,
}

impl Slots {
    /// None with more groups than a byte holds beside the missing slot.
    fn of(codes: &[u32]) -> Option<Slots> {
        let present = codes.iter().filter(|&&c| c != NO_CODE);
        let groups = present.clone().max().map_or(0, |&m| m as usize + 1);
        if groups >= usize::from(u8::MAX) {
            return None;
        }
        let mut counts = vec![0u64; groups + 1];
        let mut missing = Vec::new();
        let slot = codes
            .iter()
            .enumerate()
            .map(|(r, &c)| {
                let s = if c == NO_CODE {
                    missing.push(r as u32);
                    groups
                } else {
                    c as usize
                };
                counts[s] += 1;
                s as u8
            })
            .collect();
        Some(Slots {
            slot,
            groups,
            counts,
            missing,
        })
    }
}

/// A numeric column ready for its eta pairs ([`eta_by_sums`]): its values
/// less `centre` (zero where missing), the rows where it is missing, and
/// the sum of the squares of the present ones.
struct Deviations {
    d: Vec<f64>,
    missing: Vec<u32>,
    squares: f64,
}

impl Deviations {
    fn of(y: &[f64], centre: f64) -> Deviations {
        let d: Vec<f64> = y
            .iter()
            .map(|&v| if v.is_nan() { 0.0 } else { v - centre })
            .collect();
        let missing = (0..y.len())
            .filter(|&r| y[r].is_nan())
            .map(|r| r as u32)
            .collect();
        let [squares] = lane_sums(&d, &d, |a, _| [a * a]);
        Deviations {
            d,
            missing,
            squares,
        }
    }
}

/// Eta of a numeric column (`y`, its deviations `dev` from `centre`) by a
/// categorical one (`codes`, its `slots`), as [`eta_centred`] gives it,
/// with one pass that only adds each row's deviation to its group's sum
/// (four tables by turns, so that a row does not wait on the one before);
/// the groups' counts and the sum of squares are the columns' own less
/// what the other column's missing rows take out, when those rows are few
/// and leave at least half of the squares (else [`eta_centred`]'s pass).
fn eta_by_sums(
    codes: &[u32],
    slots: &Slots,
    y: &[f64],
    dev: &Deviations,
    centre: f64,
) -> Option<f64> {
    let rows = dev.d.len();
    let whole = || eta_centred(codes, y, centre);
    if slots.missing.len() + dev.missing.len() > rows / 4 || !dev.squares.is_finite() {
        return whole();
    }
    // What the rows without a category take out of the squares.
    let mut gone = 0.0;
    for &r in &slots.missing {
        let a = dev.d[r as usize];
        gone += a * a;
    }
    if gone > 0.5 * dev.squares {
        return whole();
    }
    let squares = dev.squares - gone;
    // The groups' counts less the rows where the value is missing.
    let mut counts = slots.counts.clone();
    for &r in &dev.missing {
        counts[usize::from(slots.slot[r as usize])] -= 1;
    }
    let width = slots.groups + 1;
    let mut tables = vec![0.0f64; 4 * width];
    let (head, tail) = (slots.slot.chunks_exact(4), dev.d.chunks_exact(4));
    for (g, a) in head.remainder().iter().zip(tail.remainder()) {
        tables[usize::from(*g)] += a;
    }
    for (g, a) in head.zip(tail) {
        tables[usize::from(g[0])] += a[0];
        tables[width + usize::from(g[1])] += a[1];
        tables[2 * width + usize::from(g[2])] += a[2];
        tables[3 * width + usize::from(g[3])] += a[3];
    }
    // The groups' (sum, count), the missing slot left out.
    let by: Vec<(f64, u64)> = (0..slots.groups)
        .map(|g| {
            let sum =
                (tables[g] + tables[width + g]) + (tables[2 * width + g] + tables[3 * width + g]);
            (sum, counts[g])
        })
        .collect();
    eta_of_groups(&by, squares).unwrap_or_else(|| eta_about(codes, y, centre))
}

/// Eta from each group's (sum, count) of the deviations from a centre and
/// the sum of their squares, as [`eta_centred`] ends: Some(None) when it
/// has no coefficient, None when the pairs' mean is too far from the
/// centre for these sums (then the two passes of [`eta_of`]).
fn eta_of_groups(by: &[(f64, u64)], squares: f64) -> Option<Option<f64>> {
    let n: u64 = by.iter().map(|g| g.1).sum();
    let present_groups = by.iter().filter(|g| g.1 > 0).count();
    if n < 2 || present_groups < 2 {
        return Some(None);
    }
    let nf = n as f64;
    // The pairs' mean, less the centre.
    let mean = accurate_sum(by.iter().map(|g| g.0)) / nf;
    // The sum of squares about the pairs' mean, from the one pass when
    // that mean is near the centre (it loses a bit at most); else (the
    // pairs' values far from the column's mean, or all equal) the caller
    // computes it as [`eta`] does.
    if mean * mean * nf > 0.5 * squares {
        return None;
    }
    let between = accurate_sum(by.iter().filter(|g| g.1 > 0).map(|&(sum, k)| {
        let m = sum / k as f64 - mean;
        k as f64 * m * m
    }));
    let total = squares - mean * mean * nf;
    if total.is_nan() || total <= 0.0 || !total.is_finite() {
        return Some(None);
    }
    Some(
        Some((between / total).sqrt())
            .filter(|v| v.is_finite())
            .map(|v| v.min(1.0)),
    )
}

/// Eta of (group code, value) pairs, read twice (codes are small).
fn eta_of<I: Iterator<Item = (u32, f64)>>(pairs: impl Fn() -> I) -> Option<f64> {
    let mut all = Sum::default();
    let mut by: Vec<Sum> = Vec::new();
    for (g, v) in pairs() {
        let g = g as usize;
        if g >= by.len() {
            by.resize(g + 1, Sum::default());
        }
        by[g].add(v);
        all.add(v);
    }
    let n = all.n;
    if n < 2 {
        return None;
    }
    let mean = all.total() / n as f64;
    let groups: Vec<&Sum> = by.iter().filter(|s| s.n > 0).collect();
    let between = accurate_sum(groups.iter().map(|s| {
        let m = s.total() / s.n as f64;
        s.n as f64 * (m - mean) * (m - mean)
    }));
    let total = accurate_sum(pairs().map(|(_, v)| (v - mean) * (v - mean)));
    if total == 0.0 || groups.len() < 2 {
        return None;
    }
    Some((between / total).sqrt())
        .filter(|v| v.is_finite())
        .map(|v| v.min(1.0))
}

/// A row's average rank among its column's present values, stored doubled
/// (ties share the mean of their places, a whole or half number, so twice
/// it is whole): exact for any number of rows below 2^31, in 4 bytes.
/// `Rank::MISSING` marks a missing row; read as a number (`f64::from`) it
/// is the rank, or NaN where missing.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Rank(u32);

impl Rank {
    const MISSING: Rank = Rank(u32::MAX);
}

impl From<Rank> for f64 {
    fn from(r: Rank) -> f64 {
        if r == Rank::MISSING {
            f64::NAN
        } else {
            f64::from(r.0) * 0.5
        }
    }
}

/// The average ranks of a column's present values ([`ranks`]), by row
/// (missing rows [`Rank::MISSING`]): counted when the column has few
/// distinct values ([`ranks_by_counting`]), else from the rows sorted by
/// value.
fn full_ranks(v: &[f64]) -> Vec<Rank> {
    // Twice the largest rank, 2 × len, must stay below the marker (a
    // table that long could not be held: see ingest's bounds).
    assert!(v.len() < (u32::MAX / 2) as usize, "too many rows to rank");
    if let Some(ranks) = ranks_by_counting(v) {
        return ranks;
    }
    // Sorted by radix, with the rows.
    let order = crate::core::sort::sorted_pairs(v.iter().map(|&x| (!x.is_nan()).then_some(x)));
    let mut out = vec![Rank::MISSING; v.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && order[j + 1].0 == order[i].0 {
            j += 1;
        }
        // Twice ((i + j) / 2 + 1).
        let doubled = Rank((i + j + 2) as u32);
        for &(_, r) in &order[i..=j] {
            out[r as usize] = doubled;
        }
        i = j + 1;
    }
    out
}

/// Distinct values up to which [`ranks_by_counting`] ranks a column.
const COUNTED_RANKS: usize = 4096;

/// [`full_ranks`] of a column of at most [`COUNTED_RANKS`] distinct
/// values (most counts, amounts with few decimals, ratings, ages): each
/// value counted in a map, the few distinct values sorted, and each row's
/// rank read from the map — two passes over the rows instead of a sort of
/// them (a radix sort moves every row eight times). None for more distinct
/// values (given up as soon as they are seen). Equal values share a rank
/// as the sort's `==` has them: −0 is 0.
fn ranks_by_counting(v: &[f64]) -> Option<Vec<Rank>> {
    use crate::core::sort::RadixKey;
    // A value's key in the order of values (−0 keyed as 0, which it equals).
    let key = |x: f64| (x + 0.0).key();
    let mut counts: HashMap<u64, u32> = HashMap::default();
    for &x in v.iter().filter(|x| !x.is_nan()) {
        *counts.entry(key(x)).or_insert(0) += 1;
        if counts.len() > COUNTED_RANKS {
            return None;
        }
    }
    let mut distinct: Vec<(u64, u32)> = counts.into_iter().collect();
    distinct.sort_unstable();
    // A value whose `c` equal ones start at place `i` (0-based) has the
    // average rank i + (c + 1) / 2: doubled, 2i + c + 1.
    let mut at = 0u32;
    let doubled: HashMap<u64, u32> = distinct
        .into_iter()
        .map(|(k, c)| {
            let rank = 2 * at + c + 1;
            at += c;
            (k, rank)
        })
        .collect();
    Some(
        v.iter()
            .map(|&x| {
                if x.is_nan() {
                    Rank::MISSING
                } else {
                    Rank(doubled[&key(x)])
                }
            })
            .collect(),
    )
}

/// How much each present value's average rank drops when some rows leave
/// the column: one per smaller value, a half per equal one. Counted in
/// rank space: a doubled rank ([`Rank`]) is a whole number below twice the
/// rows, and "smaller value" is "smaller rank".
struct RankDrop {
    /// `below[k]`: removed values whose doubled rank is below `k`; empty
    /// when none is removed.
    below: Vec<u32>,
}

impl RankDrop {
    fn new() -> RankDrop {
        RankDrop { below: Vec::new() }
    }

    /// Starts counting the rows of a column of `rows` that leave (the
    /// table is kept from one pair to the next: zeroed, not allocated).
    fn start(&mut self, rows: usize) {
        self.below.clear();
        self.below.resize(2 * rows + 3, 0);
    }

    /// Counts the rows `missing` (in order) below `n` of a column of
    /// `ranks` that it has, and returns how many it misses too. The table
    /// is as long as the whole column's ranks are large.
    fn leave(&mut self, ranks: &[Rank], missing: &[u32], n: usize) -> usize {
        self.below.clear();
        let mut both = 0;
        for &r in missing.iter().take_while(|&&r| (r as usize) < n) {
            let rank = ranks[r as usize];
            if rank == Rank::MISSING {
                both += 1;
            } else {
                if self.below.is_empty() {
                    self.start(ranks.len());
                }
                self.gone(rank);
            }
        }
        self.finish();
        both
    }

    /// A row of doubled rank `rank` leaves.
    #[inline]
    fn gone(&mut self, rank: Rank) {
        self.below[rank.0 as usize + 1] += 1;
    }

    /// Done counting: the counts become counts below (nothing when no row
    /// left).
    fn finish(&mut self) {
        for k in 1..self.below.len() {
            self.below[k] += self.below[k - 1];
        }
    }

    /// Twice the drop of a present value of doubled rank `rank` (whole:
    /// twice the smaller, plus the equal).
    #[inline]
    fn doubled(&self, rank: u32) -> u32 {
        match self.below.get(rank as usize..rank as usize + 2) {
            Some(&[lt, le]) => lt + le,
            _ => 0,
        }
    }
}

/// The drop tables of [`spearman_pair`], kept across pairs.
struct PairScratch {
    x: RankDrop,
    y: RankDrop,
}

impl PairScratch {
    fn new() -> PairScratch {
        PairScratch {
            x: RankDrop::new(),
            y: RankDrop::new(),
        }
    }
}

/// A column's ranks ([`full_ranks`]) and its missing rows, in order.
struct Ranked {
    ranks: Vec<Rank>,
    missing: Vec<u32>,
}

impl Ranked {
    fn of(v: &[f64]) -> Ranked {
        let ranks = full_ranks(v);
        let missing = (0..ranks.len() as u32)
            .filter(|&r| ranks[r as usize] == Rank::MISSING)
            .collect();
        Ranked { ranks, missing }
    }
}

/// Spearman's rho of two columns over the rows where both are present
/// (pandas' pairwise-complete rows), from their ranks over all their
/// present values: a row's rank among the kept rows is its full rank less
/// the [`RankDrop`] of the rows the other column misses (found from its
/// list of missing rows, not a pass over all). The ranks are those
/// [`ranks`] gives the kept values, so rho is the same (to the last bits).
/// Doubled, every rank and drop is a whole number; the kept rows' doubled
/// ranks average `m + 1` exactly (ties share their places' mean), so one
/// pass over the ranks centred by it gives the sums, in lanes
/// ([`lane_sums`]).
fn spearman_pair(x: &Ranked, y: &Ranked, scratch: &mut PairScratch) -> Option<f64> {
    let n = x.ranks.len().min(y.ranks.len());
    let (rx, ry) = (&x.ranks[..n], &y.ranks[..n]);
    let PairScratch {
        x: drop_x,
        y: drop_y,
    } = scratch;
    // The rows one column has and the other misses leave the first.
    let both = drop_x.leave(&x.ranks, &y.missing, n);
    drop_y.leave(&y.ranks, &x.missing, n);
    let missing = |m: &[u32]| m.iter().take_while(|&&r| (r as usize) < n).count();
    let kept = n + both - missing(&x.missing) - missing(&y.missing);
    let (drop_x, drop_y) = (&*drop_x, &*drop_y);
    // Twice the kept rows' mean rank.
    let centre = kept as f64 + 1.0;
    r_of_centred(lane_sums(rx, ry, |a, b| {
        let ok = a != Rank::MISSING && b != Rank::MISSING;
        let (a, b) = if ok { (a.0, b.0) } else { (0, 0) };
        let a = f64::from(a - drop_x.doubled(a)) - centre;
        let b = f64::from(b - drop_y.doubled(b)) - centre;
        let (a, b) = if ok { (a * 0.5, b * 0.5) } else { (0.0, 0.0) };
        [f64::from(u8::from(ok)), a, b, a * b, a * a, b * b]
    }))
}

/// A column as numbers (numeric columns; NaN for missing) or category
/// codes (text and boolean columns with few values); None otherwise.
/// Read straight from the columns: no copy of the text.
enum Kind {
    /// Read again for each pair (see [`numbers_of`]), so that not every
    /// numeric column is copied at once.
    Numeric,
    Categorical(Vec<u32>),
}

/// A missing value's code (4 bytes a row, where an `Option<u32>` takes 8).
const NO_CODE: u32 = u32::MAX;

/// Codes for the values of a column ([`NO_CODE`] where missing), or None
/// past [`MAX_CATEGORIES`].
fn codes<'a>(cells: impl Iterator<Item = Option<&'a str>>) -> Option<Vec<u32>> {
    let mut seen: HashMap<&'a str, u32> = HashMap::default();
    let mut out = Vec::new();
    for cell in cells {
        out.push(match cell {
            Some(t) => {
                let next = seen.len() as u32;
                let code = *seen.entry(t).or_insert(next);
                if seen.len() > MAX_CATEGORIES {
                    return None;
                }
                code
            }
            None => NO_CODE,
        });
    }
    // Identifier-like columns (about one value per row) associate with
    // anything perfectly; they are not categories.
    let present = out.iter().filter(|&&c| c != NO_CODE).count();
    (seen.len() >= 2 && seen.len() * 2 <= present).then_some(out)
}

/// [`codes`] of a text column, array by array: a text of at most 12
/// bytes is held whole in its 16-byte view (its length, then its bytes),
/// so the view itself, the bytes past the text masked, is its key (one
/// 128-bit hash and compare instead of the text's); longer texts are
/// keyed by their text. A text is always one or the other, so its code
/// is the same, in the order the values first appear.
fn text_codes(c: &StringChunked) -> Option<Vec<u32>> {
    let mut short: HashMap<u128, u32> = HashMap::default();
    let mut long: HashMap<&str, u32> = HashMap::default();
    let mut out = Vec::with_capacity(c.len());
    let mut present = 0usize;
    for arr in c.downcast_iter() {
        let valid = arr.validity().filter(|v| v.unset_bits() > 0);
        for (k, view) in arr.views().iter().enumerate() {
            if valid.is_some_and(|v| !v.get_bit(k)) {
                out.push(NO_CODE);
                continue;
            }
            present += 1;
            let next = (short.len() + long.len()) as u32;
            let code = if view.length <= View::MAX_INLINE_SIZE && cfg!(target_endian = "little") {
                // The length's 4 bytes and the text's (little-endian).
                let kept = u128::MAX >> (96 - 8 * view.length);
                *short.entry(view.as_u128() & kept).or_insert(next)
            } else {
                *long.entry(arr.value(k)).or_insert(next)
            };
            if short.len() + long.len() > MAX_CATEGORIES {
                return None;
            }
            out.push(code);
        }
    }
    let seen = short.len() + long.len();
    (seen >= 2 && seen * 2 <= present).then_some(out)
}

/// Column `i` as numbers, NaN for missing (empty for other columns).
pub fn numbers_of(ds: &Dataset, i: usize) -> Vec<f64> {
    match ColumnData::of(ds, i) {
        Some(ColumnData::Integer(c)) => numbers_in(c, |v| v as f64),
        Some(ColumnData::Float(c)) => numbers_in(c, |v| v),
        _ => Vec::new(),
    }
}

/// A numeric column's cells as numbers, NaN where missing: array by
/// array, the values converted in one loop and the missing ones set after
/// (the cell iterator, an `Option` a cell, took ten times as long).
fn numbers_in<T: PolarsNumericType>(
    c: &ChunkedArray<T>,
    number: impl Fn(T::Native) -> f64,
) -> Vec<f64> {
    let mut out = Vec::with_capacity(c.len());
    for arr in c.downcast_iter() {
        let start = out.len();
        out.extend(arr.values().iter().map(|&v| number(v)));
        if let Some(valid) = arr.validity().filter(|v| v.unset_bits() > 0) {
            for (slot, ok) in out[start..].iter_mut().zip(valid.iter()) {
                if !ok {
                    *slot = f64::NAN;
                }
            }
        }
    }
    out
}

fn kind_of(ds: &Dataset, i: usize) -> Option<Kind> {
    Some(match ColumnData::of(ds, i)? {
        ColumnData::Integer(_) | ColumnData::Float(_) => Kind::Numeric,
        ColumnData::String(c) => Kind::Categorical(text_codes(c)?),
        ColumnData::Boolean(c) => Kind::Categorical(codes(
            c.iter()
                .map(|v| v.map(|b| if b { "true" } else { "false" })),
        )?),
        ColumnData::Date(_) | ColumnData::Datetime(_) => return None,
    })
}

/// How complete a numeric column is: (varies, present values). A
/// constant column has no coefficient, so it ranks after varying ones.
fn numeric_rank(ds: &Dataset, i: usize) -> (bool, usize) {
    let mut present = 0usize;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut see = |v: f64| {
        present += 1;
        lo = lo.min(v);
        hi = hi.max(v);
    };
    if let Some(data @ (ColumnData::Integer(_) | ColumnData::Float(_))) = ColumnData::of(ds, i) {
        for_each_present(&data, |_, v| see(v));
    }
    (present >= 2 && lo < hi, present)
}

/// Keeps at most `limit` of `items` (in dataset order), those with the
/// largest `rank`, the earlier column on ties; returns (kept in order,
/// names of the others in order). One pass; at most `limit` held.
pub fn keep_most_complete<T, R: Ord + Copy>(
    items: impl Iterator<Item = (String, R, T)>,
    limit: usize,
) -> (Vec<(String, T)>, Vec<String>) {
    // (position, name, rank, item)
    let mut kept: Vec<(usize, String, R, T)> = Vec::new();
    let mut all: Vec<String> = Vec::new();
    for (pos, (name, rank, item)) in items.enumerate() {
        all.push(name.clone());
        if kept.len() < limit {
            kept.push((pos, name, rank, item));
            continue;
        }
        // The weakest kept: lowest rank, the latest on ties.
        let weakest = kept
            .iter()
            .enumerate()
            .min_by(|a, b| a.1 .2.cmp(&b.1 .2).then(b.1 .0.cmp(&a.1 .0)))
            .map(|(k, _)| k);
        if let Some(k) = weakest.filter(|&k| rank > kept[k].2) {
            kept[k] = (pos, name, rank, item);
        }
    }
    kept.sort_by_key(|k| k.0);
    let mut is_kept = vec![false; all.len()];
    kept.iter().for_each(|k| is_kept[k.0] = true);
    let left_out = all
        .into_iter()
        .zip(is_kept)
        .filter(|(_, k)| !k)
        .map(|(n, _)| n)
        .collect();
    (kept.into_iter().map(|k| (k.1, k.3)).collect(), left_out)
}

/// Pearson's r of every pair of the numeric columns `columns` (dataset
/// positions) into `c.pearson` and `c.top`.
fn pearson_phase(ds: &Dataset, columns: &[usize], c: &mut Correlations) {
    // The numeric columns as numbers, read once.
    let values: Vec<Vec<f64>> = columns.iter().map(|&i| numbers_of(ds, i)).collect();
    c.pearson = pearson_matrix(&values);
    for i in 0..values.len() {
        for j in i + 1..values.len() {
            if let Some(v) = c.pearson[i][j] {
                c.top.push(Pair {
                    a: c.numeric[i].clone(),
                    b: c.numeric[j].clone(),
                    method: "pearson".into(),
                    value: v,
                });
            }
        }
    }
}

/// Pearson's r of every pair of the columns `values` (NaN where missing),
/// over the rows where both are present: the `n × n` matrix, None where a
/// pair has no coefficient. A pair of columns without a missing value is
/// one dot product about their means ([`Spread`]); a pair with missing
/// values is one pass too, of the products alone, when the rows it leaves
/// out are few ([`Centred`]: each column's sums are taken once, less its
/// values in the other's missing rows), else the six sums of
/// [`pearson_pair`]. A column with itself needs no pass.
fn pearson_matrix(values: &[Vec<f64>]) -> Vec<Vec<Option<f64>>> {
    // Columns without a missing value: their mean and sum of squared
    // deviations, once.
    let dense: Vec<Option<Spread>> = values.iter().map(|v| Spread::of(v)).collect();
    // Each column about its mean over its present values (for the pairs
    // with a missing value).
    let centred: Vec<Option<Centred>> = values
        .iter()
        .zip(&dense)
        .map(|(v, d)| match d {
            Some(d) => Centred::dense(v, d),
            None => Centred::of(v),
        })
        .collect();
    let n = values.len();
    let mut out = vec![vec![None; n]; n];
    for i in 0..n {
        for j in i..n {
            let (xs, ys) = (&values[i], &values[j]);
            let p = match (dense[i], dense[j]) {
                (Some(a), Some(_)) if i == j => a.correlation_self(),
                (Some(a), Some(b)) => a.correlation(xs, &b, ys),
                _ => match (&centred[i], &centred[j]) {
                    (Some(a), Some(b)) => Centred::pair(xs, a, ys, b, i == j),
                    (a, b) => {
                        let centre = |c: &Option<Centred>, v: &[f64]| {
                            c.as_ref().map_or_else(|| present_mean(v), |c| c.centre)
                        };
                        pearson_pair(xs, centre(a, xs), ys, centre(b, ys))
                    }
                },
            };
            out[i][j] = p;
            out[j][i] = p;
        }
    }
    out
}

/// A numeric column about its mean over its present values (`centre`):
/// its missing rows and its sums
/// `[n, Σa, Σa²]` of `a = x − centre` over the present rows. A pair's
/// sums over the rows where both are present are then these less the
/// values in the other column's missing rows, and the one pass over the
/// rows sums only the products `ab` (zero where either is missing).
struct Centred {
    centre: f64,
    missing: Vec<u32>,
    sums: [f64; 3],
}

impl Centred {
    /// None when its sums are not finite (then a pair's rows are summed
    /// whole, [`pearson_pair`]).
    fn of(v: &[f64]) -> Option<Centred> {
        let [present, total] = lane_sums(v, v, |x, _| {
            let ok = !x.is_nan();
            [f64::from(u8::from(ok)), if ok { x } else { 0.0 }]
        });
        // (Near the mean is enough: the sums below take out what is left.)
        let centre = if present > 0.0 { total / present } else { 0.0 };
        if !centre.is_finite() {
            return None;
        }
        let sums = lane_sums(v, v, |x, _| {
            let ok = !x.is_nan();
            let a = if ok { x - centre } else { 0.0 };
            [f64::from(u8::from(ok)), a, a * a]
        });
        if !sums.iter().all(|s| s.is_finite()) {
            return None;
        }
        // Row numbers fit u32: the rows of a column are held in memory.
        let missing = (0..v.len())
            .filter(|&r| v[r].is_nan())
            .map(|r| r as u32)
            .collect();
        Some(Centred {
            centre,
            missing,
            sums,
        })
    }

    /// A column `v` without a missing value, about its mean (`d`; Σa is
    /// the mean's rounding times the rows, and a pair's sums take it out).
    fn dense(v: &[f64], d: &Spread) -> Option<Centred> {
        let [shift] = lane_sums(v, v, |x, _| [x - d.mean]);
        (d.mean.is_finite() && d.squares.is_finite() && shift.is_finite()).then(|| Centred {
            centre: d.mean,
            missing: Vec::new(),
            sums: [v.len() as f64, shift, d.squares],
        })
    }

    /// `[k, Σa, Σa²]` of this column (`xs`) over the `rows` where it is
    /// present: what leaves its sums in a pair with a column missing there.
    fn leaving(&self, xs: &[f64], rows: &[u32]) -> [f64; 3] {
        let (mut k, mut s, mut q) = (0.0, Sum::default(), Sum::default());
        for &r in rows {
            let x = xs[r as usize];
            if !x.is_nan() {
                let a = x - self.centre;
                k += 1.0;
                s.add(a);
                q.add(a * a);
            }
        }
        [k, s.total(), q.total()]
    }

    /// Pearson's r of `xs` and `ys` over the rows where both are present,
    /// as [`pearson_pair`] gives it (to about 1e-12). Each column's sums
    /// less its values in the other's missing rows, when those rows are
    /// few and leave at least half of its squares (else the sums would
    /// cancel); then the products in one pass. `same`: a column with
    /// itself (no pass: the products are its squares).
    fn pair(xs: &[f64], a: &Centred, ys: &[f64], b: &Centred, same: bool) -> Option<f64> {
        let whole = || pearson_pair(xs, a.centre, ys, b.centre);
        if a.missing.len() + b.missing.len() > xs.len() / 4 {
            return whole();
        }
        let (ka, sa, qa) = Centred::sums_without(a, xs, &b.missing);
        let (kb, sb, qb) = Centred::sums_without(b, ys, &a.missing);
        let kept = |q: f64, all: f64| q >= 0.5 * all;
        if !(kept(qa, a.sums[2]) && kept(qb, b.sums[2])) || ka != kb {
            return whole();
        }
        let sab = match same {
            true => qa,
            false => {
                let (cx, cy) = (a.centre, b.centre);
                let [sab] = lane_sums(xs, ys, |x, y| {
                    let p = (x - cx) * (y - cy);
                    // Both present: finite (their sums of squares are).
                    [if p.is_nan() { 0.0 } else { p }]
                });
                sab
            }
        };
        let n = ka;
        if sa * sa > 0.5 * n * qa || sb * sb > 0.5 * n * qb {
            return pair_means(xs, ys).and_then(|(mx, my)| pearson_centred(xs, mx, ys, my));
        }
        r_of_centred([n, sa, sb, sab, qa, qb])
    }

    /// `(n, Σa, Σa²)` of column `c` (`xs`) over the rows where it is
    /// present and `other_missing` does not list.
    fn sums_without(c: &Centred, xs: &[f64], other_missing: &[u32]) -> (f64, f64, f64) {
        let [k, s, q] = c.leaving(xs, other_missing);
        (c.sums[0] - k, c.sums[1] - s, c.sums[2] - q)
    }
}

/// Spearman's rho of every pair of the numeric columns `columns` into
/// `c.spearman` ([`spearman_matrix`], each column's numbers read again).
fn spearman_phase(ds: &Dataset, columns: &[usize], c: &mut Correlations) {
    c.spearman = spearman_matrix(columns.len(), |k| numbers_of(ds, columns[k]));
}

/// Spearman's rho of every pair of `n` numeric columns, column `k` given
/// by `numbers(k)` as numbers (NaN where missing; asked for once each, in
/// order): the `n × n` matrix, None where a pair has no coefficient. Each
/// column is ranked once and only its ranks are kept (4 bytes a row, and
/// 4 a missing row: their list); a pair's ranks over the rows where both
/// are present are derived from those ([`spearman_pair`], with two tables
/// of twice the rows kept from pair to pair), a pair of columns without a
/// missing value is one dot product. The data worker runs it, or a helper worker given
/// the columns' numbers while it computes the rest of the insights
/// ([`CorrelationRun::hand_out_spearman`]).
pub fn spearman_matrix(
    n: usize,
    mut numbers: impl FnMut(usize) -> Vec<f64>,
) -> Vec<Vec<Option<f64>>> {
    let ranked: Vec<Ranked> = (0..n).map(|k| Ranked::of(&numbers(k))).collect();
    // The ranks' spread, for the columns without a missing value (None
    // for the others: a missing rank reads as NaN).
    let rank_dense: Vec<Option<Spread>> = ranked.iter().map(|r| Spread::of(&r.ranks)).collect();
    let mut out = vec![vec![None; n]; n];
    let mut scratch = PairScratch::new();
    for i in 0..n {
        for j in i..n {
            let s = match (rank_dense[i], rank_dense[j]) {
                (Some(a), Some(b)) => a.correlation(&ranked[i].ranks, &b, &ranked[j].ranks),
                _ => spearman_pair(&ranked[i], &ranked[j], &mut scratch),
            };
            out[i][j] = s;
            out[j][i] = s;
        }
    }
    out
}

/// All correlations and associations of `ds`, over at most
/// [`MAX_PAIR_COLUMNS`] numeric and as many categorical columns.
///
/// Bound: reading the columns is linear in the cells; the pairs are at
/// most `MAX_PAIR_COLUMNS²` (numeric, categorical, numeric × categorical),
/// each linear in the rows, so the whole is linear in the cells with at
/// most `3 × 50²` passes over the rows.
pub fn correlations(ds: &Dataset) -> Correlations {
    correlations_within(ds, MAX_PAIR_COLUMNS)
}

/// [`correlations`] with another column limit (tests).
pub fn correlations_within(ds: &Dataset, limit: usize) -> Correlations {
    let mut run = CorrelationRun::new(ds, limit);
    while !run.step(ds) {}
    run.finish()
}

/// The correlations computed a phase at a time ([`CorrelationRun::step`]),
/// so that a scheduler can answer other requests between phases. Each
/// phase holds only what it needs beside the dataset (a numeric column as
/// numbers is 8 bytes a row, its ranks 4, a column's codes 4): the numbers
/// for Pearson, then the ranks for Spearman, then the codes (and one
/// column of numbers at a time) for the categories. The Spearman phase
/// may be handed out ([`Self::hand_out_spearman`]) to be computed
/// elsewhere at the same time ([`spearman_matrix`]) and given back
/// ([`Self::spearman_in`]), or taken back ([`Self::spearman_here`]).
pub struct CorrelationRun {
    limit: usize,
    /// The numeric columns' positions in the dataset.
    numbers: Vec<usize>,
    phase: Phase,
    spearman: Spearman,
    c: Correlations,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Pearson,
    Spearman,
    Categories,
    Done,
}

/// Where the Spearman matrix is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Spearman {
    /// To compute here (in its phase, or after the others when it was
    /// taken back).
    Here,
    /// Handed out, not back yet.
    Out,
    Done,
}

impl CorrelationRun {
    /// Picks the numeric columns (one pass over each).
    pub fn new(ds: &Dataset, limit: usize) -> CorrelationRun {
        let names = ds.names();
        let numeric_all = (0..names.len()).filter_map(|i| match ColumnData::of(ds, i) {
            Some(ColumnData::Integer(_) | ColumnData::Float(_)) => {
                Some((names[i].clone(), numeric_rank(ds, i), i))
            }
            _ => None,
        });
        let (numeric, numeric_left_out) = keep_most_complete(numeric_all, limit);
        let square = vec![vec![None; numeric.len()]; numeric.len()];
        CorrelationRun {
            limit,
            numbers: numeric.iter().map(|n| n.1).collect(),
            phase: Phase::Pearson,
            spearman: Spearman::Here,
            c: Correlations {
                numeric: numeric.into_iter().map(|n| n.0).collect(),
                numeric_left_out,
                pearson: square.clone(),
                spearman: square,
                ..Correlations::default()
            },
        }
    }

    /// Runs the next phase on `ds` (the dataset given to [`Self::new`]);
    /// true when all are done. A Spearman matrix handed out is skipped;
    /// taken back after the other phases, it is the last step.
    pub fn step(&mut self, ds: &Dataset) -> bool {
        match self.phase {
            Phase::Pearson => {
                pearson_phase(ds, &self.numbers, &mut self.c);
                self.phase = Phase::Spearman;
            }
            Phase::Spearman => {
                if self.spearman == Spearman::Here {
                    self.spearman_now(ds);
                }
                self.phase = Phase::Categories;
            }
            Phase::Categories => {
                categories_phase(ds, &self.numbers, self.limit, &mut self.c);
                self.phase = Phase::Done;
            }
            Phase::Done if self.spearman == Spearman::Here => self.spearman_now(ds),
            Phase::Done => {}
        }
        self.is_done()
    }

    fn spearman_now(&mut self, ds: &Dataset) {
        spearman_phase(ds, &self.numbers, &mut self.c);
        self.spearman = Spearman::Done;
    }

    /// Every phase is done (and the Spearman matrix is in).
    pub fn is_done(&self) -> bool {
        self.phase == Phase::Done && self.spearman == Spearman::Done
    }

    /// Only the Spearman matrix handed out is missing: a step does nothing
    /// until it is given back or taken back.
    pub fn waiting(&self) -> bool {
        self.phase == Phase::Done && self.spearman == Spearman::Out
    }

    /// Hands the Spearman matrix out when it is not computed yet and its
    /// numeric cells (rows × columns) are from `min_cells` to `max_cells`:
    /// the dataset positions of the columns to give [`spearman_matrix`],
    /// in order.
    pub fn hand_out_spearman(
        &mut self,
        rows: usize,
        min_cells: usize,
        max_cells: usize,
    ) -> Option<Vec<usize>> {
        let cells = rows.saturating_mul(self.numbers.len());
        let worth = self.numbers.len() >= 2 && (min_cells..=max_cells).contains(&cells);
        let not_yet = self.spearman == Spearman::Here && self.phase <= Phase::Spearman;
        (worth && not_yet).then(|| {
            self.spearman = Spearman::Out;
            self.numbers.clone()
        })
    }

    /// The Spearman matrix handed out, computed: false (and it is to be
    /// computed here) when it is not the matrix of the columns handed out
    /// or none was.
    pub fn spearman_in(&mut self, matrix: Vec<Vec<Option<f64>>>) -> bool {
        let n = self.numbers.len();
        let fits = matrix.len() == n && matrix.iter().all(|row| row.len() == n);
        // Coefficients are in [-1, 1] (a helper's answer is checked, not
        // trusted).
        let sane = matrix
            .iter()
            .flatten()
            .flatten()
            .all(|v| v.is_finite() && v.abs() <= 1.0);
        if self.spearman != Spearman::Out || !fits || !sane {
            self.spearman_here();
            return false;
        }
        self.c.spearman = matrix;
        self.spearman = Spearman::Done;
        true
    }

    /// Takes the Spearman matrix handed out back: it is computed here.
    pub fn spearman_here(&mut self) {
        if self.spearman == Spearman::Out {
            self.spearman = Spearman::Here;
        }
    }

    /// The correlations, the strongest pairs first (call once
    /// [`Self::step`] said done; earlier, the phases not run are empty).
    pub fn finish(mut self) -> Correlations {
        self.sort_top();
        self.c
    }

    /// The correlations as far as they are, the pairs strongest first (as
    /// [`Self::finish`] gives them once every phase is done; the alerts
    /// read them while a Spearman matrix handed out is computed).
    pub fn pairs_so_far(&mut self) -> &Correlations {
        self.sort_top();
        &self.c
    }

    fn sort_top(&mut self) {
        self.c
            .top
            .sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
    }
}

/// Cramér's V of every pair of the categorical columns (at most `limit`,
/// the most complete) and eta of each numeric column (`numbers`) with each
/// of them, into `c`.
fn categories_phase(ds: &Dataset, numbers: &[usize], limit: usize, c: &mut Correlations) {
    let names = ds.names();
    let square = |k: usize| vec![vec![None; k]; k];
    // Read lazily: at most `limit` columns of codes are held.
    let categorical_all = (0..names.len()).filter_map(|i| match kind_of(ds, i) {
        Some(Kind::Categorical(v)) => {
            let present = v.iter().filter(|&&c| c != NO_CODE).count();
            Some((names[i].clone(), present, v))
        }
        _ => None,
    });
    let (categorical, categorical_left_out) = keep_most_complete(categorical_all, limit);
    c.categorical = categorical.iter().map(|n| n.0.clone()).collect();
    c.categorical_left_out = categorical_left_out;
    c.cramers_v = square(categorical.len());
    let slots: Vec<Option<Slots>> = categorical.iter().map(|(_, g)| Slots::of(g)).collect();
    for i in 0..categorical.len() {
        for j in i..categorical.len() {
            let v = match (&slots[i], &slots[j]) {
                (Some(a), Some(b)) => cramers_by_slots(a, b),
                _ => cramers_v_of(
                    categorical[i]
                        .1
                        .iter()
                        .zip(&categorical[j].1)
                        .filter(|(&x, &y)| x != NO_CODE && y != NO_CODE)
                        .map(|(&x, &y)| (x, y)),
                ),
            };
            c.cramers_v[i][j] = v;
            c.cramers_v[j][i] = v;
            if let (true, Some(v)) = (i != j, v) {
                c.top.push(Pair {
                    a: categorical[i].0.clone(),
                    b: categorical[j].0.clone(),
                    method: "cramers_v".into(),
                    value: v,
                });
            }
        }
    }
    c.eta = vec![vec![None; categorical.len()]; numbers.len()];
    for (i, &column) in numbers.iter().enumerate() {
        let num = c.numeric[i].clone();
        let y = numbers_of(ds, column);
        let centre = present_mean(&y);
        let dev = Deviations::of(&y, centre);
        for (j, (cat, g)) in categorical.iter().enumerate() {
            let v = match &slots[j] {
                Some(slots) => eta_by_sums(g, slots, &y, &dev, centre),
                None => eta_centred(g, &y, centre),
            };
            c.eta[i][j] = v;
            if let Some(v) = v {
                c.top.push(Pair {
                    a: num.clone(),
                    b: cat.clone(),
                    method: "eta".into(),
                    value: v,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows where both numbers are present.
    fn paired_numbers(a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
        a.iter()
            .zip(b)
            .filter(|(x, y)| !x.is_nan() && !y.is_nan())
            .map(|(x, y)| (*x, *y))
            .unzip()
    }

    /// The (x, y) pairs of the rows where both are present.
    fn both_present<'a>(xs: &'a [f64], ys: &'a [f64]) -> impl Iterator<Item = (f64, f64)> + 'a {
        xs.iter()
            .zip(ys)
            .filter(|(x, y)| !x.is_nan() && !y.is_nan())
            .map(|(x, y)| (*x, *y))
    }

    /// A column far from its other values where the other column is
    /// missing: the table's Pearson is the pair's (the pair's means used).
    #[test]
    fn pairs_with_missing_rows_use_their_own_means() {
        let mut csv = String::from("x,y\n");
        let mut rng = crate::core::rng::Rng::new(9);
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for _ in 0..1000 {
            let x = rng.unit();
            let y = 2.0 * x + rng.unit() * 0.1;
            csv.push_str(&format!("{x},{y}\n"));
            xs.push(x);
            ys.push(y);
        }
        for _ in 0..1000 {
            csv.push_str("100000000,\n");
        }
        let ds = crate::core::read_bytes("t.csv", csv.as_bytes()).unwrap();
        let got = correlations(&ds).pearson[0][1].unwrap();
        let want = pearson_of(|| xs.iter().copied().zip(ys.iter().copied())).unwrap();
        assert!(
            want > 0.99 && (got - want).abs() <= 1e-12,
            "{got} vs {want}"
        );
    }

    /// Pearson in one pass over centred values equals the two-pass
    /// compensated Pearson, with and without missing values (and a dense
    /// pair's ranks by the dot product equal Spearman); a constant column
    /// and overflow give none, as there.
    #[test]
    fn one_pass_pairs_equal_the_two_pass_pearson() {
        let mut rng = crate::core::rng::Rng::new(5);
        for case in 0..300 {
            let n = 2 + rng.below(5000);
            let scale = [1e-3, 1.0, 1e6, 1e12][case % 4];
            let shift = [0.0, 1e3, -7.5][case % 3] * scale;
            let xs: Vec<f64> = (0..n).map(|_| (rng.unit() - 0.3) * scale + shift).collect();
            let ys: Vec<f64> = xs
                .iter()
                .map(|x| x * 0.5 + (rng.unit() - 0.5) * scale * (case % 3) as f64)
                .collect();
            let holes = |v: &[f64], rng: &mut crate::core::rng::Rng, share: usize| -> Vec<f64> {
                v.iter()
                    .map(|&x| if rng.below(10) < share { f64::NAN } else { x })
                    .collect()
            };
            let (hx, hy) = (
                holes(&xs, &mut rng, case % 4),
                holes(&ys, &mut rng, case % 5),
            );
            for (x, y) in [(&xs, &ys), (&hx, &hy)] {
                let fast = pair_means(x, y).and_then(|(mx, my)| pearson_centred(x, mx, y, my));
                let one = pearson_pair(x, present_mean(x), y, present_mean(y));
                let slow = pearson_of(|| both_present(x, y));
                for got in [fast, one] {
                    match (got, slow) {
                        (Some(f), Some(s)) => {
                            assert!((f - s).abs() <= 1e-12, "case {case}: {f} vs {s}")
                        }
                        (f, s) => assert_eq!(f.is_some(), s.is_some(), "case {case}"),
                    }
                }
            }
            let (rx, ry) = (full_ranks(&xs), full_ranks(&ys));
            let (a, b) = (Spread::of(&rx).unwrap(), Spread::of(&ry).unwrap());
            let fast = a.correlation(&rx, &b, &ry).unwrap();
            let slow = spearman(&xs, &ys).unwrap();
            assert!(
                (fast - slow).abs() <= 1e-12,
                "case {case}: {fast} vs {slow}"
            );
        }
        // Missing rows where one column is far from its other values (a
        // review's cases): the pair's means, not the columns', are used.
        let mut x: Vec<f64> = (0..1000).map(|_| rng.unit()).collect();
        let mut y: Vec<f64> = x.iter().map(|v| 2.0 * v + rng.unit() * 0.1).collect();
        x.extend(std::iter::repeat_n(1e8, 1000));
        y.extend(std::iter::repeat_n(f64::NAN, 1000));
        let fast = pair_means(&x, &y).and_then(|(mx, my)| pearson_centred(&x, mx, &y, my));
        let slow = pearson_of(|| both_present(&x, &y)).unwrap();
        assert!((fast.unwrap() - slow).abs() <= 1e-12, "{fast:?} vs {slow}");
        let one = pearson_pair(&x, present_mean(&x), &y, present_mean(&y));
        assert!((one.unwrap() - slow).abs() <= 1e-12, "{one:?} vs {slow}");
        // The same with the far rows present in both and missing in one
        // column only from its centre's point of view: a shift in y.
        let one = pearson_pair(&y[..1000], 1e6, &x[..1000], 0.5);
        let slow = pearson_of(|| both_present(&y[..1000], &x[..1000])).unwrap();
        assert!((one.unwrap() - slow).abs() <= 1e-12, "{one:?} vs {slow}");
        let x = [1.0, 2.0, 3.0, f64::INFINITY];
        let y = [1.0, 2.0, 4.0, f64::NAN];
        let fast = pair_means(&x, &y).and_then(|(mx, my)| pearson_centred(&x, mx, &y, my));
        let slow = pearson_of(|| both_present(&x, &y)).unwrap();
        assert!((fast.unwrap() - slow).abs() <= 1e-12, "{fast:?} vs {slow}");
        let constant = vec![3.0; 10];
        let other: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(pearson_centred(&constant, 3.0, &other, 4.5), None);
        let (a, b) = (Spread::of(&constant).unwrap(), Spread::of(&other).unwrap());
        assert_eq!(a.correlation(&constant, &b, &other), None);
        let huge = vec![1e300, -1e300, 1e300];
        let (m, _) = pair_means(&huge, &huge).unwrap();
        assert_eq!(pearson_centred(&huge, m, &huge, m), None);
        let h = Spread::of(&huge).unwrap();
        assert_eq!(h.correlation(&huge, &h, &huge), None);
        assert!(Spread::of(&[1.0, f64::NAN]).is_none());
        let few = [1.0, f64::NAN, 2.0];
        assert_eq!(pearson_centred(&few, 1.5, &[f64::NAN, 1.0, 2.0], 1.5), None);
    }

    /// The matrix's pairs (a column's sums less its values in the other's
    /// missing rows, then the products in one pass; or the pair's own
    /// sums) equal the compensated two-pass Pearson over the rows where
    /// both are present (to 1e-12), with missing shares from none to most,
    /// values far off or infinite where the other column is missing,
    /// offsets far from zero and constant columns.
    #[test]
    fn pearson_matrix_equals_the_two_pass_pearson() {
        let mut rng = crate::core::rng::Rng::new(23);
        let mut defined = 0;
        for case in 0..300 {
            let n = 2 + rng.below(4000);
            // (Far enough from zero that a column's mean is not its values'
            // mean, not so far that the reference's rounded means, which
            // its two passes do not correct, are off by 1e-12 of it.)
            let offset = [0.0, 1e4, -3e5, 1e-6][case % 4];
            let base: Vec<f64> = (0..n).map(|_| rng.unit()).collect();
            let mut cols: Vec<Vec<f64>> = (0..6)
                .map(|k| {
                    base.iter()
                        .map(|b| offset + b * (k as f64 - 2.0) + rng.unit() * 0.5)
                        .collect()
                })
                .collect();
            // Missing shares (per 1000): none, few, some, half, most.
            for (col, share) in cols.iter_mut().zip([0, 0, 10, 80, 500, 950]) {
                for v in col.iter_mut() {
                    if rng.below(1000) < share {
                        *v = f64::NAN;
                    }
                }
            }
            match case % 5 {
                // Far off (or infinite) where column 3 is missing.
                1 | 2 => {
                    let far = if case % 5 == 1 { 1e9 } else { f64::INFINITY };
                    let (left, right) = cols.split_at_mut(3);
                    for (v, other) in left[2].iter_mut().zip(&right[0]) {
                        if other.is_nan() {
                            *v = far;
                        }
                    }
                }
                // Far off at both ends, summing to zero (the mean kept), where
                // 3 is missing.
                3 => {
                    let far: Vec<usize> = (0..n).filter(|&r| cols[3][r].is_nan()).collect();
                    for pair in far.chunks_exact(2) {
                        let v = 1e8 * (1.0 + rng.unit());
                        (cols[2][pair[0]], cols[2][pair[1]]) = (v, -v);
                    }
                }
                // Constant where present.
                4 => cols[2]
                    .iter_mut()
                    .filter(|v| !v.is_nan())
                    .for_each(|v| *v = 7.0),
                _ => {}
            }
            let m = pearson_matrix(&cols);
            for i in 0..cols.len() {
                for j in 0..cols.len() {
                    let want = pearson_of(|| both_present(&cols[i], &cols[j]));
                    match (m[i][j], want) {
                        (Some(got), Some(want)) => {
                            defined += 1;
                            assert!(
                                got.is_finite() && (got - want).abs() <= 1e-12,
                                "case {case} ({i}, {j}): {got} vs {want}"
                            );
                        }
                        (got, want) => assert_eq!(
                            got.is_some(),
                            want.is_some(),
                            "case {case} ({i}, {j}): {got:?} vs {want:?}"
                        ),
                    }
                    assert_eq!(m[i][j].map(f64::to_bits), m[j][i].map(f64::to_bits));
                }
            }
        }
        assert!(defined > 300 * 20, "{defined} pairs defined");
    }

    /// Eta in one pass about the column's mean, and from the groups' sums
    /// with the columns' counts and squares less the other's missing rows,
    /// equals the compensated two-pass eta (to 1e-12 relative), with
    /// missing values on either side, values far from zero, a category
    /// missing where the values are far from the rest (the pairs' mean far
    /// from the centre, or most of the squares there), constant values
    /// within the pairs, and one group.
    #[test]
    fn eta_about_the_mean_equals_the_two_pass_eta() {
        let mut rng = crate::core::rng::Rng::new(11);
        let mut defined = 0;
        for case in 0..400 {
            let n = 2 + rng.below(3000);
            let k = 1 + rng.below(9);
            let offset = [0.0, 1e6, -3e9, 1e-6][case % 4];
            let scale = [1.0, 1e-3, 1e4][case % 3];
            let mut groups: Vec<u32> = (0..n).map(|_| rng.below(k) as u32).collect();
            let mut y: Vec<f64> = groups
                .iter()
                .map(|&g| offset + scale * (f64::from(g) * 0.3 + rng.unit()))
                .collect();
            for r in 0..n {
                match rng.below(20) {
                    0 => groups[r] = NO_CODE,
                    1 => y[r] = f64::NAN,
                    _ => {}
                }
            }
            if case % 5 == 0 {
                // The category misses where the values are far off.
                for r in 0..n / 3 {
                    groups[r] = NO_CODE;
                    y[r] = offset + scale * 1e5;
                }
            }
            if case % 5 == 1 {
                // The category misses on a few rows far off at both ends
                // (the centre kept, most of the squares there).
                for r in (0..n / 20).step_by(2) {
                    let far = scale * 1e5 * (1.0 + rng.unit());
                    groups[r] = NO_CODE;
                    groups[r + 1] = NO_CODE;
                    (y[r], y[r + 1]) = (offset + far, offset - far);
                }
            }
            if case % 7 == 0 {
                // Constant where the category is present.
                for r in 0..n {
                    if groups[r] != NO_CODE {
                        y[r] = offset + 2.5;
                    }
                }
            }
            let centre = present_mean(&y);
            let one = eta_centred(&groups, &y, centre);
            let slots = Slots::of(&groups).expect("few groups");
            let sums = eta_by_sums(&groups, &slots, &y, &Deviations::of(&y, centre), centre);
            // The reference on the values less the same centre (eta does
            // not change; far from zero the reference's group means of the
            // values themselves would keep fewer digits of their
            // differences than the one pass does: 1e-7 of eta at 3e9 ± 3).
            let (g, v): (Vec<u32>, Vec<f64>) = groups
                .iter()
                .zip(&y)
                .filter(|(&g, v)| g != NO_CODE && !v.is_nan())
                .map(|(&g, &v)| (g, v - centre))
                .unzip();
            let want = eta(&g, &v);
            let tolerance = 1e-12;
            for got in [one, sums] {
                match (got, want) {
                    (Some(a), Some(b)) => {
                        assert!(
                            a.is_finite() && (a - b).abs() <= tolerance * b.abs().max(1e-3),
                            "case {case}: {a} vs {b}"
                        );
                        defined += 1;
                    }
                    (None, None) => {}
                    _ => panic!("case {case}: {got:?} vs {want:?}"),
                }
            }
        }
        assert!(defined > 500, "{defined} etas defined");
    }

    /// Cramér's V from the slots' flat table is the pairs' own, to the
    /// bit (the same counts, the same sums in the same order), with
    /// missing codes on either side and groups that never meet.
    #[test]
    fn cramers_v_by_slots_equals_the_pairs() {
        let mut rng = crate::core::rng::Rng::new(31);
        let mut defined = 0;
        for case in 0..200 {
            let n = 1 + rng.below(2000);
            let (ka, kb) = (1 + rng.below(12), 1 + rng.below(12));
            let mut codes = |k: usize, holes: usize| -> Vec<u32> {
                (0..n)
                    .map(|_| match rng.below(100) < holes {
                        true => NO_CODE,
                        false => rng.below(k) as u32,
                    })
                    .collect()
            };
            let a = codes(ka, case % 4 * 10);
            let mut b = codes(kb, case % 3 * 20);
            if case % 5 == 0 {
                // Tied to a (a strong association), b's own codes shifted.
                for (y, x) in b.iter_mut().zip(&a) {
                    if *y != NO_CODE && *x != NO_CODE {
                        *y = x + 3;
                    }
                }
            }
            let want = cramers_v_of(
                a.iter()
                    .zip(&b)
                    .filter(|(&x, &y)| x != NO_CODE && y != NO_CODE)
                    .map(|(&x, &y)| (x, y)),
            );
            let (sa, sb) = (Slots::of(&a).unwrap(), Slots::of(&b).unwrap());
            let got = cramers_by_slots(&sa, &sb);
            assert_eq!(got.map(f64::to_bits), want.map(f64::to_bits), "case {case}");
            defined += usize::from(got.is_some());
        }
        assert!(defined > 150, "{defined} defined");
    }

    /// A text column's codes from its views are the codes of its texts:
    /// short texts (held in the view) and long ones, texts that differ
    /// past their first bytes or only in length, missing cells, several
    /// arrays; over 50 values none.
    #[test]
    fn text_codes_from_views_are_the_texts_codes() {
        use polars_core::prelude::{NewChunkedArray, PlSmallStr};
        let mut rng = crate::core::rng::Rng::new(37);
        let values = [
            "",
            "a",
            "a\0",
            "ab",
            "abcd",
            "abcde",
            "abcdefghijkl",
            "abcdefghijklm",
            "abcdefghijkm",
            "zzzzzzzzzzzzzzzzzzzzzzzzzz",
            "zzzzzzzzzzzzzzzzzzzzzzzzzy",
            "é",
        ];
        for case in 0..50 {
            let k = 2 + case % (values.len() - 1);
            let mut cells = |n: usize| -> Vec<Option<&str>> {
                (0..n)
                    .map(|_| (rng.below(10) > 0).then(|| values[rng.below(k)]))
                    .collect()
            };
            let (first, second) = (cells(200), cells(150));
            let mut c =
                StringChunked::from_iter_options(PlSmallStr::from("t"), first.clone().into_iter());
            c.append(&StringChunked::from_iter_options(
                PlSmallStr::from("t"),
                second.clone().into_iter(),
            ))
            .unwrap();
            assert!(c.chunks().len() >= 2, "case {case}: several arrays");
            let cells: Vec<Option<&str>> = first.into_iter().chain(second).collect();
            assert_eq!(text_codes(&c), codes(cells.into_iter()), "case {case}");
        }
        let many: Vec<String> = (0..60).map(|i| format!("v{i}")).collect();
        let c = StringChunked::from_iter_options(
            PlSmallStr::from("t"),
            many.iter().chain(&many).map(|s| Some(s.as_str())),
        );
        assert_eq!(text_codes(&c), None);
    }

    #[test]
    fn small_cases() {
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 5.0]), vec![2.5, 4.0, 2.5, 1.0]);
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), Some(1.0));
        assert_eq!(pearson(&[1.0, 1.0], &[2.0, 3.0]), None);
        assert_eq!(cramers_v(&[0, 0, 1, 1], &[0, 0, 1, 1]), Some(1.0));
        assert_eq!(cramers_v(&[0, 0], &[0, 1]), None);
        assert_eq!(eta(&[0, 0, 1, 1], &[1.0, 1.0, 3.0, 3.0]), Some(1.0));
        // Overflowing sums give no coefficient, never NaN (it would not
        // cross to the page as JSON).
        assert_eq!(pearson(&[1e308, -1e308, 1e308], &[1.0, 2.0, 3.0]), None);
        assert_eq!(eta(&[0, 1, 0], &[1e308, -1e308, 1e308]), None);
    }

    /// A seeded generator of numbers below 2^31.
    fn seeded(mut seed: u64) -> impl FnMut() -> usize {
        move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        }
    }

    /// Both ways of ranking (counting few distinct values, sorting many)
    /// give [`ranks`]' average ranks, missing rows marked, −0 tied with 0;
    /// either side of the bound.
    #[test]
    fn full_ranks_count_or_sort_as_ranking_does() {
        let mut next = seeded(11);
        let mut ways = [0usize; 2];
        for halves in [
            1,
            7,
            COUNTED_RANKS - 2,
            COUNTED_RANKS - 1,
            COUNTED_RANKS,
            50_000,
        ] {
            let n = 3 * COUNTED_RANKS + 17;
            let v: Vec<f64> = (0..n)
                .map(|r| match next() % 20 {
                    // Every half number at least once, in the first rows.
                    _ if r < halves => r as f64 - 3.5,
                    0 => f64::NAN,
                    1 => -0.0,
                    2 => 0.0,
                    _ => (next() % halves) as f64 - 3.5,
                })
                .collect();
            // Distinct values, 0 and −0 one.
            let mut values: Vec<f64> = v.iter().filter(|x| !x.is_nan()).map(|x| x + 0.0).collect();
            values.sort_by(f64::total_cmp);
            values.dedup();
            let counted = ranks_by_counting(&v);
            assert_eq!(
                counted.is_some(),
                values.len() <= COUNTED_RANKS,
                "{} distinct values",
                values.len()
            );
            ways[usize::from(counted.is_some())] += 1;
            let present: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            let want = ranks(&present);
            let got: Vec<f64> = full_ranks(&v)
                .into_iter()
                .map(f64::from)
                .filter(|r| !r.is_nan())
                .collect();
            assert_eq!(got, want, "{} distinct values", values.len());
            assert_eq!(
                full_ranks(&v)
                    .iter()
                    .filter(|&&r| r == Rank::MISSING)
                    .count(),
                v.len() - present.len()
            );
        }
        assert_eq!(ways, [2, 4], "sorted twice, counted four times");
    }

    /// Ranks derived from the full ranks equal ranking the kept rows anew,
    /// with ties, missing values on either side, and -0.0 beside 0.0.
    #[test]
    fn spearman_from_full_ranks_equals_ranking_again() {
        let mut next = seeded(7);
        let mut defined = 0;
        // One scratch for every pair, as the matrix keeps it: a table left
        // from the pair before must not count.
        let mut scratch = PairScratch::new();
        for round in 0..200 {
            let n = 2 + round % 40;
            let mut col = |missing: usize| -> Vec<f64> {
                (0..n)
                    .map(|_| match next() % 10 {
                        k if k < missing => f64::NAN,
                        8 => -0.0,
                        _ => (next() % 6) as f64,
                    })
                    .collect()
            };
            // Up to 70 % and 60 % missing: together more rows than there
            // are.
            let (xs, ys) = (
                col([0, 1, 3, 7][round % 4]),
                col([0, 2, 3, 6][(round / 4) % 4]),
            );
            let (x, y) = paired_numbers(&xs, &ys);
            let want = spearman(&x, &y);
            let got = spearman_pair(&Ranked::of(&xs), &Ranked::of(&ys), &mut scratch);
            // The same pairs get a coefficient, equal to the last bits.
            match (got, want) {
                (None, None) => {}
                (Some(g), Some(w)) => assert!(
                    g.is_finite() && w.is_finite() && (g - w).abs() <= 1e-12,
                    "round {round}: {g} vs {w}: {xs:?} {ys:?}"
                ),
                _ => panic!("round {round}: {got:?} vs {want:?}: {xs:?} {ys:?}"),
            }
            defined += usize::from(want.is_some());
        }
        assert!(defined > 100, "only {defined} rounds had a coefficient");
        // Longer columns: many blocks of lanes, a block's remainder, ranks
        // far from zero, related columns (rho near 1 and near 0).
        for round in 0..12 {
            let n = 3000 + 517 * round;
            // Rounds 7 and 11: most of x's rows miss and the rest tie
            // often (round 3 has none missing, as every third).
            let (missing, values) = if round % 4 == 3 { (7, 5) } else { (2, 700) };
            let xs: Vec<f64> = (0..n)
                .map(|_| match next() % 10 {
                    k if k < missing && round % 3 != 0 => f64::NAN,
                    _ => (next() % values) as f64,
                })
                .collect();
            let ys: Vec<f64> = xs
                .iter()
                .map(|&x| match next() % 10 {
                    0 if round % 2 == 0 || round % 4 == 3 => f64::NAN,
                    _ if round % 4 == 1 => (next() % 50) as f64,
                    // Of its own, tying often: present where x mostly
                    // is not.
                    _ if round % 4 == 3 => (next() % 7) as f64,
                    _ => x + (next() % 30) as f64,
                })
                .collect();
            let (x, y) = paired_numbers(&xs, &ys);
            let want = spearman(&x, &y).expect("a coefficient");
            let got = spearman_pair(&Ranked::of(&xs), &Ranked::of(&ys), &mut scratch)
                .expect("a coefficient");
            assert!(
                got.is_finite() && (got - want).abs() <= 1e-12,
                "round {round}: {got} vs {want}"
            );
        }
    }
}
