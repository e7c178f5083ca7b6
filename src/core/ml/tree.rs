//! The histogram tree learner shared by single trees, the random forest and
//! gradient boosting.
//!
//! A node holds, per feature and bin, the sums of a few statistics over its
//! rows ([`Criterion`]): class weights and the row count (Gini), the
//! weighted target sum, the weight and the count (squared error), or the
//! gradient sum, the hessian sum and the count (boosting's Newton step).
//! A split "bins `<= b` left" is scored from the running sums over the bins;
//! the missing bin is tried on both sides and the better side becomes the
//! split's default direction.
//!
//! The histogram of the smaller child is built from its rows, the larger
//! child's is the parent's minus the smaller's (the subtraction trick), so a
//! level of the tree costs about half a pass over its rows. Nodes with
//! fewer than [`SPARSE_BELOW`] rows skip histograms: they sort their rows
//! by bin for each feature they look at, which is cheaper than scanning
//! 256 mostly empty bins.
//!
//! Trees grow depth first, or best first (largest gain) when the number of
//! leaves is bounded, like LightGBM and scikit-learn's `HistGradientBoosting`.

use serde::{Deserialize, Serialize};

use super::bins::Binned;
use super::{bad_param, check_rows, MlError, Rng};

/// Nodes with fewer rows than this search splits without histograms.
pub const SPARSE_BELOW: usize = 256;

/// The least hessian sum of a child in boosting (scikit-learn's
/// `min_hessian_to_split`).
const MIN_HESSIAN: f64 = 1e-3;

/// The score of one side with pair statistics (gradient or target sum `a`,
/// hessian or weight sum `b`): G²/(H+λ), S²/W.
fn pair_score(a: f64, b: f64, l2: f64) -> f64 {
    let den = b + l2;
    if den <= 0.0 {
        0.0
    } else {
        a * a / den
    }
}

/// What a tree learns from.
#[derive(Clone, Copy, Debug)]
pub enum Targets<'a> {
    /// Class labels `0..n_classes`, one per row of the data; split by Gini
    /// impurity; leaves hold class proportions.
    Classes { labels: &'a [u32], n_classes: usize },
    /// Numbers, one per row; split by squared error; leaves hold the mean.
    Values(&'a [f64]),
    /// Gradients and hessians of a loss, one per row; split by the gain of
    /// a Newton step; leaves hold `-G / (H + l2)`.
    Gradients {
        grad: &'a [f64],
        hess: &'a [f64],
        l2: f64,
    },
}

/// How a tree grows. [`TreeParams::check`] validates them against the data.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeParams {
    /// The deepest a leaf may be (the root is depth 0); `None` = no limit.
    pub max_depth: Option<usize>,
    /// The fewest rows (not weights) a leaf may hold.
    pub min_samples_leaf: usize,
    /// How many features, drawn at random, each split looks at; `None` =
    /// all. When none of them splits, further features are drawn (as in
    /// scikit-learn).
    pub max_features: Option<usize>,
    /// The most leaves; `None` = no limit. When set the tree grows best
    /// first.
    pub max_leaf_nodes: Option<usize>,
    /// The least gain of a split: the decrease of the node's weighted
    /// impurity (Gini; squared error) or of the loss (boosting).
    pub min_gain: f64,
    pub seed: u64,
}

impl Default for TreeParams {
    fn default() -> Self {
        TreeParams {
            max_depth: None,
            min_samples_leaf: 1,
            max_features: None,
            max_leaf_nodes: None,
            min_gain: 0.0,
            seed: 0,
        }
    }
}

/// [`TreeParams`] known to be valid for data with `n_features` features.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedTreeParams {
    params: TreeParams,
    n_features: usize,
    max_features: usize,
}

impl CheckedTreeParams {
    pub fn params(&self) -> &TreeParams {
        &self.params
    }

    /// The same parameters with another seed.
    pub fn with_seed(&self, seed: u64) -> CheckedTreeParams {
        let mut c = self.clone();
        c.params.seed = seed;
        c
    }
}

impl TreeParams {
    /// Validates the parameters for data with `n_features` features.
    pub fn check(&self, n_features: usize) -> Result<CheckedTreeParams, MlError> {
        if n_features == 0 {
            return Err(MlError::Empty {
                rows: 0,
                features: 0,
            });
        }
        if self.max_depth == Some(0) {
            return Err(bad_param("max_depth", 0, "must be at least 1"));
        }
        if self.min_samples_leaf == 0 {
            return Err(bad_param("min_samples_leaf", 0, "must be at least 1"));
        }
        if let Some(m) = self.max_features {
            if m == 0 || m > n_features {
                return Err(bad_param(
                    "max_features",
                    m,
                    "must be between 1 and the number of features",
                ));
            }
        }
        if let Some(l) = self.max_leaf_nodes {
            if l < 2 {
                return Err(bad_param("max_leaf_nodes", l, "must be at least 2"));
            }
        }
        if !(self.min_gain.is_finite() && self.min_gain >= 0.0) {
            return Err(bad_param(
                "min_gain",
                self.min_gain,
                "must be a finite number, 0 or more",
            ));
        }
        Ok(CheckedTreeParams {
            params: self.clone(),
            n_features,
            max_features: self.max_features.unwrap_or(n_features),
        })
    }
}

/// One node of a fitted tree.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Node {
    /// Class proportions (classification), or one number (regression, a
    /// boosting step).
    Leaf { value: Vec<f64> },
    /// Rows with `feature <= threshold` (bin `<= bin`) go `left`, missing
    /// values as `missing_left` says, the others `right`.
    Split {
        feature: usize,
        bin: u8,
        threshold: f64,
        missing_left: bool,
        left: usize,
        right: usize,
    },
}

/// Most leaf values (leaves × values per leaf, over all its trees) a
/// model read from bytes may hold: 2^26 numbers, 512 MB. A stored leaf
/// can be a 2-byte index into a table of values, so without a budget a
/// small crafted file could ask for terabytes; a model this large could
/// not have been trained in the browser's memory anyway.
pub const MAX_LEAF_VALUES: u64 = 1 << 26;

thread_local! {
    /// Leaf values the trees being read may still hold (see
    /// [`with_leaf_budget`]); unlimited outside it.
    static LEAF_BUDGET: std::cell::Cell<u64> = const { std::cell::Cell::new(u64::MAX) };
}

/// Runs `read` (which deserialises trees) with at most
/// [`MAX_LEAF_VALUES`] leaf values for all its trees together.
pub fn with_leaf_budget<R>(read: impl FnOnce() -> R) -> R {
    let before = LEAF_BUDGET.with(|b| b.replace(MAX_LEAF_VALUES));
    let out = read();
    LEAF_BUDGET.with(|b| b.set(before));
    out
}

/// A fitted tree; node 0 is the root. Children come after their parent
/// (checked when a stored tree is read back).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(try_from = "Packed")]
pub struct Tree {
    pub nodes: Vec<Node>,
}

/// A tree as stored: the nodes' fields as packed little-endian columns
/// (a saved forest holds millions of nodes; as separate serde values they
/// would take several times the space and time).
///
/// Two savings, each recorded so that a tree stored without them (model
/// format 1) still reads: a right child that always follows its left one
/// is not stored (`adjacent`), and leaves that repeat a few distinct
/// values (a classification forest's pure leaves) store an index into a
/// table of them (`index_width` 2 or 4 bytes; 0 = the values themselves).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Packed {
    /// Per node: 0 = leaf, 1 = split sending missing values right, 2 = left.
    kind: serde_bytes::ByteBuf,
    /// Per split: feature (u32), bin (u8), threshold (f64), left and right
    /// children (u32; no right children when `adjacent`).
    feature: serde_bytes::ByteBuf,
    bin: serde_bytes::ByteBuf,
    threshold: serde_bytes::ByteBuf,
    left: serde_bytes::ByteBuf,
    right: serde_bytes::ByteBuf,
    /// Values per leaf.
    width: u32,
    /// The leaves' values (f64), or with an index the table's rows.
    values: serde_bytes::ByteBuf,
    #[serde(default)]
    adjacent: bool,
    #[serde(default)]
    index_width: u8,
    /// Per leaf, its row of `values` (`index_width` bytes each).
    #[serde(default)]
    index: serde_bytes::ByteBuf,
}

/// Written packed straight from a borrowed tree (a saved forest is not
/// copied to be written).
impl Serialize for Tree {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Packed::from(self).serialize(s)
    }
}

impl From<&Tree> for Packed {
    fn from(t: &Tree) -> Packed {
        let mut p = Packed {
            kind: Default::default(),
            feature: Default::default(),
            bin: Default::default(),
            threshold: Default::default(),
            left: Default::default(),
            right: Default::default(),
            width: 0,
            values: Default::default(),
            adjacent: true,
            index_width: 0,
            index: Default::default(),
        };
        let mut leaves: Vec<&[f64]> = Vec::new();
        for n in &t.nodes {
            match n {
                Node::Leaf { value } => {
                    p.kind.push(0);
                    p.width = value.len() as u32;
                    leaves.push(value);
                }
                Node::Split {
                    feature,
                    bin,
                    threshold,
                    missing_left,
                    left,
                    right,
                } => {
                    p.kind.push(1 + *missing_left as u8);
                    p.feature
                        .extend_from_slice(&(*feature as u32).to_le_bytes());
                    p.bin.push(*bin);
                    p.threshold.extend_from_slice(&threshold.to_le_bytes());
                    p.left.extend_from_slice(&(*left as u32).to_le_bytes());
                    p.right.extend_from_slice(&(*right as u32).to_le_bytes());
                    p.adjacent &= *right == *left + 1;
                }
            }
        }
        if p.adjacent {
            p.right.clear();
        }
        // A table of the distinct leaf values when it is smaller.
        let mut rows: std::collections::HashMap<Vec<u64>, u32> = Default::default();
        let mut table: Vec<&[f64]> = Vec::new();
        let mut index: Vec<u32> = Vec::with_capacity(leaves.len());
        for v in &leaves {
            let key: Vec<u64> = v.iter().map(|x| x.to_bits()).collect();
            let next = table.len() as u32;
            let row = *rows.entry(key).or_insert_with(|| {
                table.push(v);
                next
            });
            index.push(row);
        }
        let w = p.width as usize;
        let index_width = if table.len() <= 1 << 16 { 2 } else { 4 };
        let with_table = table.len() * w * 8 + leaves.len() * index_width;
        let (stored, kept): (&[&[f64]], bool) = if with_table < leaves.len() * w * 8 {
            (&table, true)
        } else {
            (&leaves, false)
        };
        for v in stored {
            for x in v.iter() {
                p.values.extend_from_slice(&x.to_le_bytes());
            }
        }
        if kept {
            p.index_width = index_width as u8;
            for i in index {
                p.index.extend_from_slice(&i.to_le_bytes()[..index_width]);
            }
        }
        p
    }
}

impl TryFrom<Packed> for Tree {
    type Error = String;

    fn try_from(p: Packed) -> Result<Tree, String> {
        let n = p.kind.len();
        let splits = p.kind.iter().filter(|&&k| k != 0).count();
        let leaves = n - splits;
        let w = p.width as usize;
        let iw = p.index_width as usize;
        // Lengths from the bytes, multiplied in u64 (no overflow on wasm32).
        let row_bytes = 8 * p.width as u64;
        let rows = if iw == 0 {
            leaves
        } else {
            (p.values.len() as u64 / row_bytes.max(1)) as usize
        };
        if n == 0
            || p.feature.len() != 4 * splits
            || p.bin.len() != splits
            || p.threshold.len() != 8 * splits
            || p.left.len() != 4 * splits
            || p.right.len() != if p.adjacent { 0 } else { 4 * splits }
            || !matches!(iw, 0 | 2 | 4)
            || p.index.len() != if iw == 0 { 0 } else { iw * leaves }
            || p.values.len() as u64 != row_bytes.saturating_mul(rows as u64)
        {
            return Err("a stored tree's columns do not fit together".into());
        }
        // Leaves shared through the table are copied out, one `Vec` each:
        // the copies are counted against the model's budget first.
        let values = leaves as u64 * p.width as u64;
        let left = LEAF_BUDGET.with(|b| {
            let left = b.get().checked_sub(values);
            b.set(left.unwrap_or(0));
            left
        });
        if left.is_none() {
            return Err(format!(
                "the stored trees hold more than {MAX_LEAF_VALUES} leaf values"
            ));
        }
        let u32_at =
            |b: &[u8], i: usize| u32::from_le_bytes(b[4 * i..4 * i + 4].try_into().unwrap());
        let f64_at =
            |b: &[u8], i: usize| f64::from_le_bytes(b[8 * i..8 * i + 8].try_into().unwrap());
        let row_of = |l: usize| -> usize {
            match iw {
                0 => l,
                2 => u16::from_le_bytes([p.index[2 * l], p.index[2 * l + 1]]) as usize,
                _ => u32_at(&p.index, l) as usize,
            }
        };
        let (mut s, mut l) = (0, 0);
        let mut nodes = Vec::with_capacity(n);
        for (i, &k) in p.kind.iter().enumerate() {
            if k == 0 {
                let row = row_of(l);
                if row >= rows {
                    return Err(format!("a stored tree's leaf {i} is malformed"));
                }
                nodes.push(Node::Leaf {
                    value: (0..w).map(|j| f64_at(&p.values, row * w + j)).collect(),
                });
                l += 1;
                continue;
            }
            let left = u32_at(&p.left, s) as usize;
            let right = if p.adjacent {
                left + 1
            } else {
                u32_at(&p.right, s) as usize
            };
            // Children after the parent: walking down always ends.
            if k > 2 || left <= i || right <= i || left >= n || right >= n {
                return Err(format!("a stored tree's node {i} is malformed"));
            }
            nodes.push(Node::Split {
                feature: u32_at(&p.feature, s) as usize,
                bin: p.bin[s],
                threshold: f64_at(&p.threshold, s),
                missing_left: k == 2,
                left,
                right,
            });
            s += 1;
        }
        Ok(Tree { nodes })
    }
}

impl Tree {
    /// The leaf value for one row of raw feature values (`NaN` = missing).
    pub fn predict_row(&self, row: &[f64]) -> &[f64] {
        let mut i = 0;
        loop {
            match &self.nodes[i] {
                Node::Leaf { value } => return value,
                Node::Split {
                    feature,
                    threshold,
                    missing_left,
                    left,
                    right,
                    ..
                } => {
                    let v = row[*feature];
                    let go_left = if v.is_nan() {
                        *missing_left
                    } else {
                        v <= *threshold
                    };
                    i = if go_left { *left } else { *right };
                }
            }
        }
    }

    /// The leaf value for row `row` of binned data (the same binning as in
    /// training).
    pub fn predict_binned(&self, binned: &Binned, row: usize) -> &[f64] {
        let mut i = 0;
        loop {
            match &self.nodes[i] {
                Node::Leaf { value } => return value,
                Node::Split {
                    feature,
                    bin,
                    missing_left,
                    left,
                    right,
                    ..
                } => {
                    let b = binned.bins[feature * binned.n_rows + row];
                    let go_left =
                        bin_goes_left(b, binned.missing_bin(*feature), *bin, *missing_left);
                    i = if go_left { *left } else { *right };
                }
            }
        }
    }

    /// The largest feature index a split reads.
    pub fn max_feature(&self) -> Option<usize> {
        self.nodes
            .iter()
            .filter_map(|n| match n {
                Node::Split { feature, .. } => Some(*feature),
                Node::Leaf { .. } => None,
            })
            .max()
    }

    /// Whether every leaf holds `width` values.
    pub fn leaf_widths_are(&self, width: usize) -> bool {
        self.nodes.iter().all(|n| match n {
            Node::Leaf { value } => value.len() == width,
            Node::Split { .. } => true,
        })
    }

    pub fn n_leaves(&self) -> usize {
        self.nodes
            .iter()
            .filter(|n| matches!(n, Node::Leaf { .. }))
            .count()
    }

    /// The depth of the deepest leaf (0 for a single leaf).
    pub fn depth(&self) -> usize {
        fn go(t: &Tree, i: usize) -> usize {
            match &t.nodes[i] {
                Node::Leaf { .. } => 0,
                Node::Split { left, right, .. } => 1 + go(t, *left).max(go(t, *right)),
            }
        }
        go(self, 0)
    }
}

/// Fits one tree on the rows `rows` of `binned` (indices, repeats allowed
/// only through `weights`), each with weight `weights[i]` (`None` = 1).
/// `targets` hold one entry per row of `binned`.
pub fn fit(
    binned: &Binned,
    targets: Targets,
    rows: &[u32],
    weights: Option<&[f64]>,
    params: &CheckedTreeParams,
) -> Result<Tree, MlError> {
    Ok(fit_with_leaves(binned, targets, rows, weights, params)?.tree)
}

/// A tree with the training rows of each of its leaves.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    pub tree: Tree,
    /// The training rows, grouped by leaf.
    pub rows: Vec<u32>,
    /// Per leaf: its node and its range of `rows`.
    pub leaves: Vec<(usize, std::ops::Range<usize>)>,
}

/// [`fit`], also telling which training rows ended in which leaf (boosting
/// updates its predictions from these, without walking the tree).
pub fn fit_with_leaves(
    binned: &Binned,
    targets: Targets,
    rows: &[u32],
    weights: Option<&[f64]>,
    params: &CheckedTreeParams,
) -> Result<Fitted, MlError> {
    let ctx = Ctx::new(binned, targets, rows, weights, params)?;
    Ok(ctx.grow(rows))
}

/// Per-row statistics, indexed by the row number in the data.
enum Stats<'a> {
    /// Class label and weight; stride `k + 1` (class weights, count).
    Gini {
        labels: &'a [u32],
        w: Vec<f64>,
        k: usize,
    },
    /// `a` and `b` per row; stride 3 (`Σa`, `Σb`, count). Squared error:
    /// `a = w·y`, `b = w`; Newton: `a = w·g`, `b = w·h`.
    Pair { a: Vec<f64>, b: Vec<f64> },
}

struct Ctx<'a> {
    binned: &'a Binned,
    stats: Stats<'a>,
    stride: usize,
    /// Newton step (boosting) rather than squared error, for `Pair`.
    newton: bool,
    l2: f64,
    /// Start of each feature's bins in a histogram (in `f64`s), and the
    /// total length at the end.
    offsets: Vec<usize>,
    params: &'a CheckedTreeParams,
    /// [`Ctx::build_hist`]'s buffer of the rows' statistics, reused.
    ordered: std::cell::Cell<Vec<[f64; 2]>>,
}

/// A candidate split and the statistics of its children.
#[derive(Clone, Debug)]
struct Split {
    feature: usize,
    bin: u8,
    missing_left: bool,
    gain: f64,
    left: Vec<f64>,
    right: Vec<f64>,
}

/// A node waiting to be split.
struct Pending {
    node: usize,
    start: usize,
    end: usize,
    depth: usize,
    total: Vec<f64>,
    hist: Option<Vec<f64>>,
    split: Split,
}

/// Reused buffers of the split search.
struct Scratch {
    left: Vec<f64>,
    right: Vec<f64>,
    tmp: Vec<f64>,
    pairs: Vec<(u8, u32)>,
    ids: Vec<u8>,
    compact: Vec<f64>,
    missing: Vec<f64>,
    perm: Vec<usize>,
    pool: Vec<Vec<f64>>,
    /// The rows going right while a node's rows are partitioned.
    rest: Vec<u32>,
}

/// Whether a row in bin `b` goes left at a split on bin `bin` (the
/// feature's missing bin `missing` goes as `missing_left` says).
fn bin_goes_left(b: u8, missing: u8, bin: u8, missing_left: bool) -> bool {
    if b == missing {
        missing_left
    } else {
        b <= bin
    }
}

/// Puts the rows of `seg` that `split` sends left first and the others after
/// them, each side in its order in `seg`; returns how many go left. Without
/// a branch per row: which side each bin goes to is looked up, and every row
/// is written to both sides, the side's end moving only for its own rows.
fn partition(seg: &mut [u32], split: &Split, binned: &Binned, rest: &mut Vec<u32>) -> usize {
    let col = binned.column(split.feature);
    let missing = binned.missing_bin(split.feature);
    let left: [bool; 256] =
        std::array::from_fn(|b| bin_goes_left(b as u8, missing, split.bin, split.missing_left));
    rest.clear();
    rest.resize(seg.len(), 0);
    let (mut l, mut r) = (0, 0);
    for i in 0..seg.len() {
        let row = seg[i];
        let goes = left[col[row as usize] as usize];
        // `l <= i`: the row written is one already read.
        seg[l] = row;
        rest[r] = row;
        l += goes as usize;
        r += !goes as usize;
    }
    seg[l..].copy_from_slice(&rest[..r]);
    l
}

const ALL_BINS: [u8; 256] = {
    let mut a = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        a[i] = i as u8;
        i += 1;
    }
    a
};

impl<'a> Ctx<'a> {
    fn new(
        binned: &'a Binned,
        targets: Targets<'a>,
        rows: &[u32],
        weights: Option<&[f64]>,
        params: &'a CheckedTreeParams,
    ) -> Result<Ctx<'a>, MlError> {
        let n = binned.n_rows;
        if binned.n_features != params.n_features {
            return Err(MlError::LengthMismatch {
                what: "features".into(),
                expected: params.n_features,
                actual: binned.n_features,
            });
        }
        check_rows(rows, n, binned.n_features)?;
        if let Some(w) = weights {
            if w.len() != rows.len() {
                return Err(MlError::LengthMismatch {
                    what: "weights".into(),
                    expected: rows.len(),
                    actual: w.len(),
                });
            }
            if let Some(bad) = w.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
                return Err(bad_param("weights", bad, "must be finite, 0 or more"));
            }
        }
        let weight = |i: usize| weights.map_or(1.0, |w| w[i]);
        let check_len = |what: &str, len: usize| {
            if len != n {
                Err(MlError::LengthMismatch {
                    what: what.into(),
                    expected: n,
                    actual: len,
                })
            } else {
                Ok(())
            }
        };
        let (stats, stride, newton, l2) = match targets {
            Targets::Classes { labels, n_classes } => {
                check_len("targets", labels.len())?;
                if n_classes == 0 {
                    return Err(bad_param("n_classes", 0, "must be at least 1"));
                }
                let mut w = vec![0.0; n];
                for (i, &r) in rows.iter().enumerate() {
                    let c = labels[r as usize];
                    if c as usize >= n_classes {
                        return Err(MlError::BadClass {
                            row: r as usize,
                            class: c,
                            n_classes,
                        });
                    }
                    w[r as usize] += weight(i);
                }
                let s = Stats::Gini {
                    labels,
                    w,
                    k: n_classes,
                };
                (s, n_classes + 1, false, 0.0)
            }
            Targets::Values(y) => {
                check_len("targets", y.len())?;
                let mut a = vec![0.0; n];
                let mut b = vec![0.0; n];
                for (i, &r) in rows.iter().enumerate() {
                    let r = r as usize;
                    if !y[r].is_finite() {
                        return Err(MlError::BadTarget { row: r });
                    }
                    b[r] += weight(i);
                    a[r] += weight(i) * y[r];
                }
                (Stats::Pair { a, b }, 3, false, 0.0)
            }
            Targets::Gradients { grad, hess, l2 } => {
                check_len("gradients", grad.len())?;
                check_len("hessians", hess.len())?;
                if !(l2.is_finite() && l2 >= 0.0) {
                    return Err(bad_param("l2", l2, "must be a finite number, 0 or more"));
                }
                let mut a = vec![0.0; n];
                let mut b = vec![0.0; n];
                for (i, &r) in rows.iter().enumerate() {
                    let r = r as usize;
                    if !(grad[r].is_finite() && hess[r].is_finite()) {
                        return Err(MlError::BadTarget { row: r });
                    }
                    a[r] += weight(i) * grad[r];
                    b[r] += weight(i) * hess[r];
                }
                (Stats::Pair { a, b }, 3, true, l2)
            }
        };
        let mut offsets = Vec::with_capacity(binned.n_features + 1);
        let mut at = 0;
        for f in 0..binned.n_features {
            offsets.push(at);
            at += binned.n_bins(f) * stride;
        }
        offsets.push(at);
        Ok(Ctx {
            binned,
            stats,
            stride,
            newton,
            l2,
            offsets,
            params,
            ordered: Default::default(),
        })
    }

    fn hist_len(&self) -> usize {
        *self.offsets.last().unwrap()
    }

    /// Adds row `r` to the statistics `s` (one bin or a node total).
    #[inline]
    fn add_row(&self, s: &mut [f64], r: usize) {
        match &self.stats {
            Stats::Gini { labels, w, k } => {
                s[labels[r] as usize] += w[r];
                s[*k] += 1.0;
            }
            Stats::Pair { a, b } => {
                s[0] += a[r];
                s[1] += b[r];
                s[2] += 1.0;
            }
        }
    }

    /// Adds the rows' `ordered` statistics into the histograms of the `K`
    /// features from `first` on, in one pass over the rows.
    #[inline(never)]
    fn hist_pass<const K: usize>(
        &self,
        first: usize,
        rows: &[u32],
        ordered: &[[f64; 2]],
        hist: &mut [f64],
    ) {
        let (_, mut rest) = hist.split_at_mut(self.offsets[first]);
        let hs: [&mut [[f64; 3]]; K] = std::array::from_fn(|k| {
            let f = first + k;
            let (h, after) =
                std::mem::take(&mut rest).split_at_mut(self.offsets[f + 1] - self.offsets[f]);
            rest = after;
            h.as_chunks_mut::<3>().0
        });
        let cols: [&[u8]; K] = std::array::from_fn(|k| self.binned.column(first + k));
        for (&r, &[x, y]) in rows.iter().zip(ordered) {
            let r = r as usize;
            for k in 0..K {
                let b = &mut hs[k][cols[k][r] as usize];
                b[0] += x;
                b[1] += y;
                b[2] += 1.0;
            }
        }
    }

    /// The histogram of `rows` over every feature, into `hist`.
    fn build_hist(&self, rows: &[u32], hist: &mut [f64]) {
        hist.fill(0.0);
        let st = self.stride;
        if let Stats::Pair { a, b } = &self.stats {
            // The rows' statistics gathered once, in row order, for all
            // features (scikit-learn's "ordered gradients").
            let mut ordered = self.ordered.take();
            ordered.clear();
            ordered.extend(rows.iter().map(|&r| [a[r as usize], b[r as usize]]));
            // Four features per pass over the rows (a quarter of the reads
            // of `rows` and `ordered`, four independent sums in flight),
            // each bin's three sums as one array (one bounds check).
            let n = self.binned.n_features;
            let mut f = 0;
            while f + 4 <= n {
                self.hist_pass::<4>(f, rows, &ordered, hist);
                f += 4;
            }
            while f < n {
                self.hist_pass::<1>(f, rows, &ordered, hist);
                f += 1;
            }
            self.ordered.set(ordered);
            return;
        }
        let Stats::Gini { labels, w, k } = &self.stats else {
            unreachable!("pairs returned above")
        };
        for f in 0..self.binned.n_features {
            let col = self.binned.column(f);
            let h = &mut hist[self.offsets[f]..self.offsets[f + 1]];
            for &r in rows {
                let r = r as usize;
                let base = col[r] as usize * st;
                h[base + labels[r] as usize] += w[r];
                h[base + k] += 1.0;
            }
        }
    }

    fn count(&self, s: &[f64]) -> f64 {
        s[self.stride - 1]
    }

    /// The part of the score that depends on one side's statistics: the
    /// larger, the purer (Σ w_k²/W; S²/W; G²/(H+λ)).
    fn score(&self, s: &[f64]) -> f64 {
        match &self.stats {
            Stats::Gini { k, .. } => {
                let w: f64 = s[..*k].iter().sum();
                if w <= 0.0 {
                    0.0
                } else {
                    s[..*k].iter().map(|c| c * c).sum::<f64>() / w
                }
            }
            Stats::Pair { .. } => pair_score(s[0], s[1], self.l2),
        }
    }

    /// Whether one side of a Gini split, with class weights `s`, may become
    /// a child (the pair statistics check theirs in [`Ctx::scan_pair`]).
    fn valid_gini_side(&self, k: usize, s: &[f64]) -> bool {
        self.count(s) >= self.params.params.min_samples_leaf as f64
            && s[..k].iter().sum::<f64>() > 0.0
    }

    /// The leaf value of a node with statistics `s`.
    fn leaf_value(&self, s: &[f64]) -> Vec<f64> {
        match &self.stats {
            Stats::Gini { k, .. } => {
                let w: f64 = s[..*k].iter().sum();
                s[..*k]
                    .iter()
                    .map(|c| if w > 0.0 { c / w } else { 0.0 })
                    .collect()
            }
            Stats::Pair { .. } if self.newton => vec![-s[0] / (s[1] + self.l2)],
            Stats::Pair { .. } => vec![if s[1] > 0.0 { s[0] / s[1] } else { 0.0 }],
        }
    }

    /// Whether a node with statistics `s` at `depth` may be split at all.
    fn splittable(&self, s: &[f64], depth: usize) -> bool {
        let p = &self.params.params;
        if p.max_depth.is_some_and(|d| depth >= d) {
            return false;
        }
        if self.count(s) < 2.0 * p.min_samples_leaf as f64 {
            return false;
        }
        if let Stats::Gini { k, .. } = &self.stats {
            if s[..*k].iter().filter(|&&c| c > 0.0).count() < 2 {
                return false;
            }
        }
        true
    }

    /// Scans the value bins `ids` (ascending) with statistics `stats` and
    /// the missing bin's `missing` of `feature`, keeping the best split.
    #[allow(clippy::too_many_arguments)]
    fn scan(
        &self,
        feature: usize,
        ids: &[u8],
        stats: &[f64],
        missing: &[f64],
        total: &[f64],
        parent_score: f64,
        best: &mut Option<Split>,
        sc: &mut Scratch,
    ) {
        let k = match self.stats {
            Stats::Pair { .. } => {
                return self.scan_pair(feature, ids, stats, missing, total, parent_score, best)
            }
            Stats::Gini { k, .. } => k,
        };
        let st = self.stride;
        let has_missing = self.count(missing) > 0.0;
        let min_gain = self.params.params.min_gain;
        let tol = 1e-10 * parent_score.abs();
        sc.left.iter_mut().for_each(|x| *x = 0.0);
        for (i, &bin) in ids.iter().enumerate() {
            let e = &stats[i * st..(i + 1) * st];
            if e[st - 1] == 0.0 {
                continue;
            }
            for (l, x) in sc.left.iter_mut().zip(e) {
                *l += x;
            }
            for side in [false, true] {
                // side: whether the missing bin goes left.
                if side && !has_missing {
                    break;
                }
                if side {
                    for ((t, l), m) in sc.tmp.iter_mut().zip(&sc.left).zip(missing) {
                        *t = l + m;
                    }
                } else {
                    sc.tmp.copy_from_slice(&sc.left);
                }
                for ((r, t), p) in sc.right.iter_mut().zip(&sc.tmp).zip(total) {
                    *r = p - t;
                }
                if !self.valid_gini_side(k, &sc.tmp) || !self.valid_gini_side(k, &sc.right) {
                    continue;
                }
                let gain = self.score(&sc.tmp) + self.score(&sc.right) - parent_score;
                if gain > min_gain && gain > tol && best.as_ref().is_none_or(|b| gain > b.gain) {
                    let missing_left = if has_missing {
                        side
                    } else {
                        self.count(&sc.tmp) >= self.count(&sc.right)
                    };
                    *best = Some(Split {
                        feature,
                        bin,
                        missing_left,
                        gain,
                        left: sc.tmp.clone(),
                        right: sc.right.clone(),
                    });
                }
            }
        }
    }

    /// [`Ctx::scan`] for the pair statistics (squared error, Newton) with
    /// the running sums in registers: the same splits, gains and ties, for
    /// the learners whose split search is most of their time (boosting).
    #[allow(clippy::too_many_arguments)]
    fn scan_pair(
        &self,
        feature: usize,
        ids: &[u8],
        stats: &[f64],
        missing: &[f64],
        total: &[f64],
        parent_score: f64,
        best: &mut Option<Split>,
    ) {
        let (ga, gb, gc) = (total[0], total[1], total[2]);
        let (ma, mb, mc) = (missing[0], missing[1], missing[2]);
        let has_missing = mc > 0.0;
        let min_gain = self.params.params.min_gain;
        let tol = 1e-10 * parent_score.abs();
        let factor = if self.newton { 0.5 } else { 1.0 };
        let min_count = self.params.params.min_samples_leaf as f64;
        let l2 = self.l2;
        let newton = self.newton;
        let valid =
            |b: f64, c: f64| c >= min_count && if newton { b >= MIN_HESSIAN } else { b > 0.0 };
        let score = |a: f64, b: f64| pair_score(a, b, l2);
        let mut best_gain = best.as_ref().map_or(f64::NEG_INFINITY, |b| b.gain);
        let mut found: Option<(u8, bool, [f64; 3])> = None;
        let (mut la, mut lb, mut lc) = (0.0, 0.0, 0.0);
        let (bins, _) = stats.as_chunks::<3>();
        for (&bin, e) in ids.iter().zip(bins) {
            if e[2] == 0.0 {
                continue;
            }
            la += e[0];
            lb += e[1];
            lc += e[2];
            for side in [false, true] {
                // side: whether the missing bin goes left.
                let (ta, tb, tc) = if side {
                    if !has_missing {
                        break;
                    }
                    (la + ma, lb + mb, lc + mc)
                } else {
                    (la, lb, lc)
                };
                let (ra, rb, rc) = (ga - ta, gb - tb, gc - tc);
                if !valid(tb, tc) || !valid(rb, rc) {
                    continue;
                }
                let gain = factor * (score(ta, tb) + score(ra, rb) - parent_score);
                if gain > min_gain && gain > tol && gain > best_gain {
                    best_gain = gain;
                    let missing_left = if has_missing { side } else { tc >= rc };
                    found = Some((bin, missing_left, [ta, tb, tc]));
                }
            }
        }
        if let Some((bin, missing_left, left)) = found {
            *best = Some(Split {
                feature,
                bin,
                missing_left,
                gain: best_gain,
                left: left.to_vec(),
                right: vec![ga - left[0], gb - left[1], gc - left[2]],
            });
        }
    }

    /// The best split of the node with `rows` and statistics `total`, from
    /// its histogram when it has one, else by sorting its rows per feature.
    fn find_split(
        &self,
        rows: &[u32],
        total: &[f64],
        depth: usize,
        hist: Option<&[f64]>,
        rng: &mut Rng,
        sc: &mut Scratch,
    ) -> Option<Split> {
        if !self.splittable(total, depth) {
            return None;
        }
        let st = self.stride;
        let parent_score = self.score(total);
        let d = self.binned.n_features;
        let m = self.params.max_features;
        let mut best: Option<Split> = None;
        let mut perm = std::mem::take(&mut sc.perm);
        perm.clear();
        perm.extend(0..d);
        for j in 0..d {
            if m < d {
                let pick = j + rng.below(d - j);
                perm.swap(j, pick);
            }
            let f = perm[j];
            let n_values = self.binned.missing_bin(f) as usize;
            match hist {
                Some(h) => {
                    let h = &h[self.offsets[f]..self.offsets[f + 1]];
                    let (values, missing) = h.split_at(n_values * st);
                    self.scan(
                        f,
                        &ALL_BINS[..n_values],
                        values,
                        missing,
                        total,
                        parent_score,
                        &mut best,
                        sc,
                    );
                }
                None => {
                    let col = self.binned.column(f);
                    let mut pairs = std::mem::take(&mut sc.pairs);
                    let mut ids = std::mem::take(&mut sc.ids);
                    let mut compact = std::mem::take(&mut sc.compact);
                    let mut missing = std::mem::take(&mut sc.missing);
                    pairs.clear();
                    pairs.extend(rows.iter().map(|&r| (col[r as usize], r)));
                    pairs.sort_unstable();
                    ids.clear();
                    compact.clear();
                    missing.clear();
                    missing.resize(st, 0.0);
                    for &(b, r) in &pairs {
                        if b as usize == n_values {
                            self.add_row(&mut missing, r as usize);
                            continue;
                        }
                        if ids.last() != Some(&b) {
                            ids.push(b);
                            compact.resize(compact.len() + st, 0.0);
                        }
                        let at = compact.len() - st;
                        self.add_row(&mut compact[at..], r as usize);
                    }
                    self.scan(
                        f,
                        &ids,
                        &compact,
                        &missing,
                        total,
                        parent_score,
                        &mut best,
                        sc,
                    );
                    sc.pairs = pairs;
                    sc.ids = ids;
                    sc.compact = compact;
                    sc.missing = missing;
                }
            }
            if j + 1 >= m && best.is_some() {
                break;
            }
        }
        sc.perm = perm;
        best
    }

    fn grow(&self, sample: &[u32]) -> Fitted {
        let st = self.stride;
        let p = &self.params.params;
        let mut rng = Rng::new(p.seed);
        let mut sc = Scratch {
            left: vec![0.0; st],
            right: vec![0.0; st],
            tmp: vec![0.0; st],
            pairs: Vec::new(),
            ids: Vec::new(),
            compact: Vec::new(),
            missing: Vec::new(),
            perm: Vec::new(),
            pool: Vec::new(),
            rest: Vec::new(),
        };
        let mut rows: Vec<u32> = sample.to_vec();
        let mut total = vec![0.0; st];
        for &r in &rows {
            self.add_row(&mut total, r as usize);
        }
        let mut nodes = vec![Node::Leaf { value: Vec::new() }];
        let mut pending: Vec<Pending> = Vec::new();
        let hist = (rows.len() >= SPARSE_BELOW).then(|| {
            let mut h = vec![0.0; self.hist_len()];
            self.build_hist(&rows, &mut h);
            h
        });
        let mut leaves = 1usize;
        let mut ranges = Vec::new();
        self.enqueue(
            &mut ranges,
            &mut nodes,
            &mut pending,
            &rows,
            (0, 0, rows.len(), 0),
            total,
            hist,
            &mut rng,
            &mut sc,
        );
        while !pending.is_empty() {
            if p.max_leaf_nodes.is_some_and(|l| leaves >= l) {
                for q in pending.drain(..) {
                    ranges.push((q.node, q.start..q.end));
                    nodes[q.node] = Node::Leaf {
                        value: self.leaf_value(&q.total),
                    };
                }
                break;
            }
            let q = if p.max_leaf_nodes.is_some() {
                let i = (0..pending.len())
                    .max_by(|&a, &b| pending[a].split.gain.total_cmp(&pending[b].split.gain))
                    .unwrap();
                pending.swap_remove(i)
            } else {
                pending.pop().unwrap()
            };
            leaves += 1;
            let Pending {
                node,
                start,
                end,
                depth,
                hist,
                split,
                ..
            } = q;
            // Partition the node's rows: left ones first, each side in its
            // rows' order (the histograms then read the columns forwards).
            let f = split.feature;
            let mid = start + partition(&mut rows[start..end], &split, self.binned, &mut sc.rest);
            let (n_left, n_right) = (mid - start, end - mid);
            // Children's histograms: the smaller built, the larger derived.
            let (mut h_left, mut h_right) = (None, None);
            if let Some(mut parent) = hist {
                let (small, small_is_left) = if n_left <= n_right {
                    (&rows[start..mid], true)
                } else {
                    (&rows[mid..end], false)
                };
                if n_left.max(n_right) >= SPARSE_BELOW {
                    let mut h = sc.pool.pop().unwrap_or_else(|| vec![0.0; self.hist_len()]);
                    self.build_hist(small, &mut h);
                    for (x, y) in parent.iter_mut().zip(&h) {
                        *x -= y;
                    }
                    let small_h = if small.len() >= SPARSE_BELOW {
                        Some(h)
                    } else {
                        sc.pool.push(h);
                        None
                    };
                    if small_is_left {
                        (h_left, h_right) = (small_h, Some(parent));
                    } else {
                        (h_left, h_right) = (Some(parent), small_h);
                    }
                } else {
                    sc.pool.push(parent);
                }
            }
            let left = nodes.len();
            let right = left + 1;
            nodes.push(Node::Leaf { value: Vec::new() });
            nodes.push(Node::Leaf { value: Vec::new() });
            nodes[node] = Node::Split {
                feature: f,
                bin: split.bin,
                threshold: self.binned.thresholds[f][split.bin as usize],
                missing_left: split.missing_left,
                left,
                right,
            };
            self.enqueue(
                &mut ranges,
                &mut nodes,
                &mut pending,
                &rows,
                (right, mid, end, depth + 1),
                split.right,
                h_right,
                &mut rng,
                &mut sc,
            );
            self.enqueue(
                &mut ranges,
                &mut nodes,
                &mut pending,
                &rows,
                (left, start, mid, depth + 1),
                split.left,
                h_left,
                &mut rng,
                &mut sc,
            );
        }
        Fitted {
            tree: Tree { nodes },
            rows,
            leaves: ranges,
        }
    }

    /// Finds the split of a new node: a leaf when there is none, else a
    /// pending node. `at` is (node, start, end, depth).
    #[allow(clippy::too_many_arguments)]
    fn enqueue(
        &self,
        ranges: &mut Vec<(usize, std::ops::Range<usize>)>,
        nodes: &mut [Node],
        pending: &mut Vec<Pending>,
        rows: &[u32],
        at: (usize, usize, usize, usize),
        total: Vec<f64>,
        hist: Option<Vec<f64>>,
        rng: &mut Rng,
        sc: &mut Scratch,
    ) {
        let (node, start, end, depth) = at;
        match self.find_split(&rows[start..end], &total, depth, hist.as_deref(), rng, sc) {
            Some(split) => pending.push(Pending {
                node,
                start,
                end,
                depth,
                total,
                hist,
                split,
            }),
            None => {
                ranges.push((node, start..end));
                nodes[node] = Node::Leaf {
                    value: self.leaf_value(&total),
                };
                if let Some(h) = hist {
                    sc.pool.push(h);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(p: TreeParams, d: usize) -> CheckedTreeParams {
        p.check(d).unwrap()
    }

    #[test]
    fn stored_trees_read_back_whatever_their_shape() {
        let bytes = |t: &Tree| {
            let mut out = Vec::new();
            ciborium::into_writer(t, &mut out).unwrap();
            out
        };
        let back = |b: &[u8]| ciborium::from_reader::<Tree, _>(b);
        let split = |left, right| Node::Split {
            feature: 1,
            bin: 3,
            threshold: 2.5,
            missing_left: true,
            left,
            right,
        };
        let leaf = |v: &[f64]| Node::Leaf { value: v.to_vec() };
        // Children not side by side, leaves repeating one value (a table),
        // and leaves all different (their values in full).
        let apart = Tree {
            nodes: vec![
                split(1, 3),
                leaf(&[1.0, 0.0]),
                leaf(&[1.0, 0.0]),
                leaf(&[0.0, 1.0]),
            ],
        };
        let mut many = vec![split(1, 2)];
        for i in 0..2 {
            many.push(split(3 + 2 * i, 4 + 2 * i));
        }
        for i in 0..4 {
            many.push(leaf(&[i as f64 + 0.5]));
        }
        let adjacent = Tree { nodes: many };
        let repeated = Tree {
            nodes: (0..1)
                .map(|_| split(1, 2))
                .chain([leaf(&[0.0, 1.0]), leaf(&[0.0, 1.0])])
                .collect(),
        };
        for t in [&apart, &adjacent, &repeated] {
            assert_eq!(&back(&bytes(t)).unwrap(), t);
        }
        // The savings are taken when they save.
        let p = Packed::from(&adjacent);
        assert!(p.adjacent && p.right.is_empty() && p.index_width == 0);
        let p = Packed::from(&apart);
        assert!(!p.adjacent && p.index_width == 2 && p.values.len() == 2 * 2 * 8);
        // A leaf pointing past the table is refused, not read.
        let mut p = Packed::from(&apart);
        p.index[0] = 9;
        assert!(Tree::try_from(p).is_err());
    }

    #[test]
    fn a_pure_split_on_a_tiny_set() {
        // Feature 0 separates the classes at 2.5; feature 1 is noise.
        let x = vec![
            vec![1.0, 2.0, 3.0, 4.0, 1.5, 3.5],
            vec![5.0, 1.0, 5.0, 1.0, 2.0, 3.0],
        ];
        let labels = [0, 0, 1, 1, 0, 1];
        let b = Binned::new(&x, 255).unwrap();
        let rows: Vec<u32> = (0..6).collect();
        let t = fit(
            &b,
            Targets::Classes {
                labels: &labels,
                n_classes: 2,
            },
            &rows,
            None,
            &params(TreeParams::default(), 2),
        )
        .unwrap();
        assert_eq!(t.n_leaves(), 2);
        match &t.nodes[0] {
            Node::Split {
                feature, threshold, ..
            } => {
                assert_eq!(*feature, 0);
                assert_eq!(*threshold, 2.5);
            }
            other => panic!("root is {other:?}"),
        }
        assert_eq!(t.predict_row(&[2.0, 0.0]), &[1.0, 0.0]);
        assert_eq!(t.predict_row(&[3.0, 0.0]), &[0.0, 1.0]);
        // Regression on the same rows: two leaves with the group means.
        let y = [1.0, 1.0, 5.0, 7.0, 1.0, 6.0];
        let t = fit(
            &b,
            Targets::Values(&y),
            &rows,
            None,
            &params(
                TreeParams {
                    max_depth: Some(1),
                    ..TreeParams::default()
                },
                2,
            ),
        )
        .unwrap();
        assert_eq!(t.predict_row(&[1.0, 0.0]), &[1.0]);
        assert_eq!(t.predict_row(&[4.0, 0.0]), &[6.0]);
        // Boosting: the leaf is -G / (H + λ).
        let g = [1.0, 1.0, -1.0, -1.0, 1.0, -1.0];
        let h = [1.0; 6];
        let t = fit(
            &b,
            Targets::Gradients {
                grad: &g,
                hess: &h,
                l2: 1.0,
            },
            &rows,
            None,
            &params(TreeParams::default(), 2),
        )
        .unwrap();
        assert_eq!(t.predict_row(&[1.0, 0.0]), &[-0.75]);
        assert_eq!(t.predict_row(&[4.0, 0.0]), &[0.75]);
    }

    #[test]
    fn the_subtraction_trick_equals_a_direct_histogram() {
        let n = 1000;
        let mut rng = Rng::new(7);
        let x: Vec<Vec<f64>> = (0..4)
            .map(|_| (0..n).map(|_| (rng.next_u64() % 300) as f64).collect())
            .collect();
        let y: Vec<f64> = (0..n).map(|i| (i % 17) as f64 * 0.5).collect();
        let labels: Vec<u32> = (0..n).map(|i| (i % 3) as u32).collect();
        let b = Binned::new(&x, 255).unwrap();
        let rows: Vec<u32> = (0..n as u32).collect();
        let p = params(TreeParams::default(), 4);
        for targets in [
            Targets::Values(&y),
            Targets::Classes {
                labels: &labels,
                n_classes: 3,
            },
        ] {
            let ctx = Ctx::new(&b, targets, &rows, None, &p).unwrap();
            let (small, large): (Vec<u32>, Vec<u32>) = rows.iter().partition(|&&r| r % 5 == 0);
            let mut parent = vec![0.0; ctx.hist_len()];
            ctx.build_hist(&rows, &mut parent);
            let mut h_small = vec![0.0; ctx.hist_len()];
            ctx.build_hist(&small, &mut h_small);
            let mut direct = vec![0.0; ctx.hist_len()];
            ctx.build_hist(&large, &mut direct);
            for (i, ((p, s), d)) in parent.iter().zip(&h_small).zip(&direct).enumerate() {
                assert!((p - s - d).abs() <= 1e-9 * d.abs().max(1.0), "bin {i}");
            }
        }
    }

    #[test]
    fn a_histogram_is_each_rows_sum_and_a_partition_keeps_order() {
        // 7 features: passes of four and of one; some values missing.
        let n = 2000;
        let mut rng = Rng::new(11);
        let x: Vec<Vec<f64>> = (0..7)
            .map(|f| {
                (0..n)
                    .map(|_| match rng.next_u64() % (f as u64 + 3) {
                        0 => f64::NAN,
                        v => (v * 37 % 400) as f64,
                    })
                    .collect()
            })
            .collect();
        let grad: Vec<f64> = (0..n).map(|i| (i % 13) as f64 - 6.0).collect();
        let hess: Vec<f64> = (0..n).map(|i| 0.25 + (i % 5) as f64).collect();
        let b = Binned::new(&x, 255).unwrap();
        let all: Vec<u32> = (0..n as u32).collect();
        let p = params(TreeParams::default(), 7);
        let targets = Targets::Gradients {
            grad: &grad,
            hess: &hess,
            l2: 0.0,
        };
        let ctx = Ctx::new(&b, targets, &all, None, &p).unwrap();
        let rows: Vec<u32> = all.iter().copied().filter(|r| r % 3 != 1).collect();
        let mut hist = vec![1.0; ctx.hist_len()];
        ctx.build_hist(&rows, &mut hist);
        let mut naive = vec![0.0; ctx.hist_len()];
        for f in 0..7 {
            for &r in &rows {
                let at = ctx.offsets[f] + 3 * b.column(f)[r as usize] as usize;
                naive[at] += grad[r as usize];
                naive[at + 1] += hess[r as usize];
                naive[at + 2] += 1.0;
            }
        }
        assert_eq!(hist, naive);
        let mut rest = Vec::new();
        for feature in 0..7 {
            for missing_left in [false, true] {
                for bin in [0u8, 3, 40, 254] {
                    let split = Split {
                        feature,
                        bin,
                        missing_left,
                        gain: 1.0,
                        left: Vec::new(),
                        right: Vec::new(),
                    };
                    let col = b.column(feature);
                    let goes = |r: &u32| {
                        let v = col[*r as usize];
                        if v == b.missing_bin(feature) {
                            missing_left
                        } else {
                            v <= bin
                        }
                    };
                    let (left, right): (Vec<u32>, Vec<u32>) = rows.iter().partition(|r| goes(r));
                    let mut seg = rows.clone();
                    let mid = partition(&mut seg, &split, &b, &mut rest);
                    assert_eq!(mid, left.len());
                    assert_eq!(&seg[..mid], &left[..]);
                    assert_eq!(&seg[mid..], &right[..]);
                }
            }
        }
    }

    #[test]
    fn missing_values_learn_their_direction() {
        // The target is high exactly where the feature is missing or large:
        // the split must send missing values right, with the large ones.
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..40 {
            let v = i as f64;
            x.push(if i % 4 == 0 { f64::NAN } else { v });
            y.push(if i % 4 == 0 || i >= 30 { 10.0 } else { 0.0 });
        }
        let b = Binned::new(&[x], 255).unwrap();
        let rows: Vec<u32> = (0..40).collect();
        let t = fit(
            &b,
            Targets::Values(&y),
            &rows,
            None,
            &params(
                TreeParams {
                    max_depth: Some(1),
                    ..TreeParams::default()
                },
                1,
            ),
        )
        .unwrap();
        match &t.nodes[0] {
            Node::Split { missing_left, .. } => assert!(!missing_left),
            other => panic!("root is {other:?}"),
        }
        assert_eq!(t.predict_row(&[f64::NAN]), &[10.0]);
        assert_eq!(t.predict_row(&[5.0]), &[0.0]);
        assert_eq!(t.predict_row(&[35.0]), &[10.0]);
        // Same when missing values go with the small ones.
        let y2: Vec<f64> = y.iter().map(|v| 10.0 - v).collect();
        let t = fit(
            &b,
            Targets::Values(&y2),
            &rows,
            None,
            &params(TreeParams::default(), 1),
        )
        .unwrap();
        assert_eq!(t.predict_row(&[f64::NAN]), &[0.0]);
        assert_eq!(t.predict_row(&[35.0]), &[0.0]);
        assert_eq!(t.predict_row(&[5.0]), &[10.0]);
    }

    #[test]
    fn seeds_are_reproducible_and_matter() {
        let n = 3000;
        let mut rng = Rng::new(11);
        let x: Vec<Vec<f64>> = (0..8)
            .map(|_| (0..n).map(|_| (rng.next_u64() % 1000) as f64).collect())
            .collect();
        let labels: Vec<u32> = (0..n)
            .map(|i| ((x[0][i] + x[3][i] + (rng.next_u64() % 400) as f64) > 1200.0) as u32)
            .collect();
        let b = Binned::new(&x, 255).unwrap();
        let rows: Vec<u32> = (0..n as u32).collect();
        let fit_with = |seed| {
            fit(
                &b,
                Targets::Classes {
                    labels: &labels,
                    n_classes: 2,
                },
                &rows,
                None,
                &params(
                    TreeParams {
                        max_features: Some(2),
                        seed,
                        ..TreeParams::default()
                    },
                    8,
                ),
            )
            .unwrap()
        };
        assert_eq!(fit_with(1), fit_with(1));
        // The leaves of fit_with_leaves hold every row once, each where the
        // tree sends it.
        let f = fit_with_leaves(
            &b,
            Targets::Classes {
                labels: &labels,
                n_classes: 2,
            },
            &rows,
            None,
            &params(
                TreeParams {
                    max_leaf_nodes: Some(31),
                    min_samples_leaf: 20,
                    ..TreeParams::default()
                },
                8,
            ),
        )
        .unwrap();
        assert_eq!(f.tree.n_leaves(), 31);
        assert_eq!(f.leaves.len(), 31);
        let mut seen = vec![0; n];
        for (node, range) in &f.leaves {
            assert!(range.len() >= 20);
            for &r in &f.rows[range.clone()] {
                seen[r as usize] += 1;
                let Node::Leaf { value } = &f.tree.nodes[*node] else {
                    panic!("not a leaf")
                };
                assert_eq!(f.tree.predict_binned(&b, r as usize), &value[..]);
            }
        }
        assert!(seen.iter().all(|&c| c == 1));
        assert_ne!(fit_with(1), fit_with(2));
        // A fully grown tree fits its training rows (no two rows share all
        // features here).
        let t = fit_with(3);
        for r in 0..n {
            let p = t.predict_binned(&b, r);
            assert_eq!(p[labels[r] as usize], 1.0, "row {r}");
        }
    }

    #[test]
    fn bad_params_say_which_and_why() {
        let bad = |p: TreeParams| match p.check(3) {
            Err(MlError::BadParam { name, .. }) => name,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            bad(TreeParams {
                max_features: Some(4),
                ..TreeParams::default()
            }),
            "max_features"
        );
        assert_eq!(
            bad(TreeParams {
                min_samples_leaf: 0,
                ..TreeParams::default()
            }),
            "min_samples_leaf"
        );
        assert_eq!(
            bad(TreeParams {
                min_gain: f64::NAN,
                ..TreeParams::default()
            }),
            "min_gain"
        );
    }
}
