//! Correlations and associations, as pandas and scipy define them:
//! Pearson and Spearman (average ranks for ties) for numeric pairs over the
//! rows where both are present (`DataFrame.corr`), Cramér's V for pairs of
//! categorical columns (`scipy.stats.contingency.association`, no
//! correction), and the correlation ratio eta for numeric × categorical.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::core::ingest::Dataset;
use crate::core::profile::accurate_sum;
use crate::core::table::ColumnData;

/// Categorical columns with more distinct values, or more than one per two
/// rows, are left out of the associations (identifiers, free text).
pub const MAX_CATEGORIES: usize = 50;

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
}

/// Pearson's r of paired values.
pub fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mx = accurate_sum(x.iter().copied()) / n as f64;
    let my = accurate_sum(y.iter().copied()) / n as f64;
    let sxy = accurate_sum(x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)));
    let sxx = accurate_sum(x.iter().map(|a| (a - mx) * (a - mx)));
    let syy = accurate_sum(y.iter().map(|b| (b - my) * (b - my)));
    let d = (sxx * syy).sqrt();
    if d == 0.0 || !d.is_finite() {
        return None;
    }
    Some((sxy / d).clamp(-1.0, 1.0))
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
    let n = x.len().min(y.len());
    let mut table: HashMap<(u32, u32), f64> = HashMap::new();
    let mut rows: HashMap<u32, f64> = HashMap::new();
    let mut cols: HashMap<u32, f64> = HashMap::new();
    for (&a, &b) in x.iter().zip(y) {
        *table.entry((a, b)).or_insert(0.0) += 1.0;
        *rows.entry(a).or_insert(0.0) += 1.0;
        *cols.entry(b).or_insert(0.0) += 1.0;
    }
    let k = rows.len().min(cols.len());
    if n == 0 || k < 2 {
        return None;
    }
    let nf = n as f64;
    let mut chi2 = Vec::with_capacity(rows.len() * cols.len());
    for (&a, &ra) in &rows {
        for (&b, &cb) in &cols {
            let expected = ra * cb / nf;
            let observed = table.get(&(a, b)).copied().unwrap_or(0.0);
            chi2.push((observed - expected) * (observed - expected) / expected);
        }
    }
    let chi2 = accurate_sum(chi2.into_iter());
    Some((chi2 / (nf * (k as f64 - 1.0))).sqrt().min(1.0))
}

/// The correlation ratio eta of values `y` grouped by `groups`.
pub fn eta(groups: &[u32], y: &[f64]) -> Option<f64> {
    let n = groups.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mean = accurate_sum(y.iter().copied()) / n as f64;
    let mut by: HashMap<u32, Vec<f64>> = HashMap::new();
    for (&g, &v) in groups.iter().zip(y) {
        by.entry(g).or_default().push(v);
    }
    let between = accurate_sum(by.values().map(|vs| {
        let m = accurate_sum(vs.iter().copied()) / vs.len() as f64;
        vs.len() as f64 * (m - mean) * (m - mean)
    }));
    let total = accurate_sum(y.iter().map(|v| (v - mean) * (v - mean)));
    if total == 0.0 || by.len() < 2 {
        return None;
    }
    Some((between / total).sqrt().min(1.0))
}

/// A column as numbers (numeric columns; NaN for missing) or category
/// codes (text and boolean columns with few values); None otherwise.
/// Read straight from the columns: no copy of the text.
enum Kind {
    /// Read again for each pair (see [`numbers_of`]), so that not every
    /// numeric column is copied at once.
    Numeric,
    Categorical(Vec<Option<u32>>),
}

/// Codes for the values of a column, or None past [`MAX_CATEGORIES`].
fn codes<'a>(cells: impl Iterator<Item = Option<&'a str>>) -> Option<Vec<Option<u32>>> {
    let mut seen: HashMap<&'a str, u32> = HashMap::new();
    let mut out = Vec::new();
    for cell in cells {
        out.push(match cell {
            Some(t) => {
                let next = seen.len() as u32;
                let code = *seen.entry(t).or_insert(next);
                if seen.len() > MAX_CATEGORIES {
                    return None;
                }
                Some(code)
            }
            None => None,
        });
    }
    // Identifier-like columns (about one value per row) associate with
    // anything perfectly; they are not categories.
    let present = out.iter().flatten().count();
    (seen.len() >= 2 && seen.len() * 2 <= present).then_some(out)
}

/// Column `i` as numbers, NaN for missing (empty for other columns).
fn numbers_of(ds: &Dataset, i: usize) -> Vec<f64> {
    let nan = f64::NAN;
    match ColumnData::of(ds, i) {
        Some(ColumnData::Integer(c)) => c.iter().map(|v| v.map_or(nan, |v| v as f64)).collect(),
        Some(ColumnData::Float(c)) => c.iter().map(|v| v.unwrap_or(nan)).collect(),
        _ => Vec::new(),
    }
}

fn kind_of(ds: &Dataset, i: usize) -> Option<Kind> {
    Some(match ColumnData::of(ds, i)? {
        ColumnData::Integer(_) | ColumnData::Float(_) => Kind::Numeric,
        ColumnData::String(c) => Kind::Categorical(codes(c.iter())?),
        ColumnData::Boolean(c) => Kind::Categorical(codes(
            c.iter()
                .map(|v| v.map(|b| if b { "true" } else { "false" })),
        )?),
        ColumnData::Date(_) | ColumnData::Datetime(_) => return None,
    })
}

/// The rows where both numbers are present.
fn paired_numbers(a: &[f64], b: &[f64]) -> (Vec<f64>, Vec<f64>) {
    a.iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| (*x, *y))
        .unzip()
}

/// The rows where both codes are present.
fn paired_codes(a: &[Option<u32>], b: &[Option<u32>]) -> (Vec<u32>, Vec<u32>) {
    a.iter()
        .zip(b)
        .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
        .unzip()
}

/// All correlations and associations of `ds`.
pub fn correlations(ds: &Dataset) -> Correlations {
    let names = ds.names();
    // (name, column index) of the numeric columns.
    let mut numeric: Vec<(String, usize)> = Vec::new();
    let mut categorical: Vec<(String, Vec<Option<u32>>)> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        match kind_of(ds, i) {
            Some(Kind::Numeric) => numeric.push((name.clone(), i)),
            Some(Kind::Categorical(v)) => categorical.push((name.clone(), v)),
            None => {}
        }
    }
    let mut c = Correlations {
        numeric: numeric.iter().map(|n| n.0.clone()).collect(),
        categorical: categorical.iter().map(|n| n.0.clone()).collect(),
        ..Correlations::default()
    };
    let square = |k: usize| vec![vec![None; k]; k];
    c.pearson = square(numeric.len());
    c.spearman = square(numeric.len());
    for i in 0..numeric.len() {
        let xs = numbers_of(ds, numeric[i].1);
        for j in i..numeric.len() {
            let (x, y) = paired_numbers(&xs, &numbers_of(ds, numeric[j].1));
            let (p, s) = (pearson(&x, &y), spearman(&x, &y));
            c.pearson[i][j] = p;
            c.pearson[j][i] = p;
            c.spearman[i][j] = s;
            c.spearman[j][i] = s;
            if let (true, Some(v)) = (i != j, p) {
                c.top.push(Pair {
                    a: numeric[i].0.clone(),
                    b: numeric[j].0.clone(),
                    method: "pearson".into(),
                    value: v,
                });
            }
        }
    }
    c.cramers_v = square(categorical.len());
    for i in 0..categorical.len() {
        for j in i..categorical.len() {
            let (x, y) = paired_codes(&categorical[i].1, &categorical[j].1);
            let v = cramers_v(&x, &y);
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
    c.eta = vec![vec![None; categorical.len()]; numeric.len()];
    for (i, (num, index)) in numeric.iter().enumerate() {
        let y = numbers_of(ds, *index);
        for (j, (cat, g)) in categorical.iter().enumerate() {
            let (g, y): (Vec<u32>, Vec<f64>) = g
                .iter()
                .zip(&y)
                .filter_map(|(g, y)| Some(((*g)?, *y)).filter(|p| !p.1.is_nan()))
                .unzip();
            let v = eta(&g, &y);
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
    c.top
        .sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_cases() {
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 5.0]), vec![2.5, 4.0, 2.5, 1.0]);
        assert_eq!(pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]), Some(1.0));
        assert_eq!(pearson(&[1.0, 1.0], &[2.0, 3.0]), None);
        assert_eq!(cramers_v(&[0, 0, 1, 1], &[0, 0, 1, 1]), Some(1.0));
        assert_eq!(cramers_v(&[0, 0], &[0, 1]), None);
        assert_eq!(eta(&[0, 0, 1, 1], &[1.0, 1.0, 3.0, 3.0]), Some(1.0));
    }
}
