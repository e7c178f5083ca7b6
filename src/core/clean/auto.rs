//! Auto-clean: a proposed recipe for a dataset, each step with the evidence
//! that led to it and what it changes (from a dry run on the data).
//!
//! Quick mode proposes only safe fixes: trimming, types read as text,
//! exact duplicates, empty columns, spellings that differ only in case or
//! spaces (one merge step per column), names. Thorough mode adds constant
//! and identifier columns, sparse columns, all spelling groups
//! (fingerprints), imputation, and — as steps for models, unticked —
//! outliers, encoding, transforms of skewed measures and scaling. Names are normalised last, so rejecting
//! that step leaves the other steps' column names valid.

use serde::{Deserialize, Serialize};

use super::apply::{
    all_distinct, apply, categories, distinct_count, distinct_numbers, plural, report_without_data,
    stats_of, Moments, Stats, StepReport, TRIM_CHARS,
};
use super::cluster::{clusters, Cluster};
use super::step::{snake_case, Fill, Merge, OutlierAction, OutlierRule, Scaling, Step, ValueGroup};
use super::transform::{fit_yeo_johnson, Transform};
use super::values::{present_numbers, Values};
use crate::core::format::short;
use crate::core::infer::{
    code_word, has_leading_zero, parse_f64, parse_i64, reads_as_date, trim_cell, Inference, Kind,
};
use crate::core::ingest::Dataset;
use crate::core::ml::task::looks_like_target;
use crate::core::model::ColumnType;
use crate::core::profile::duplicate_rows;

/// Groups of spellings merged by one proposed step (the biggest groups).
const MAX_MERGE_GROUPS: usize = 100;
/// Text columns with more distinct values are free text: not filled.
const MAX_FILL_CATEGORIES: usize = 50;
/// One-hot encoding is proposed for text columns with 2 to this many
/// categories, never wider than a step may make ([`super::MAX_NEW_COLUMNS`]).
pub const ONE_HOT_PROPOSED: usize = 10;
const _: () = assert!(ONE_HOT_PROPOSED < super::MAX_NEW_COLUMNS);

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Quick,
    Thorough,
}

/// What a proposed step is for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Fixing the data (spaces, types, spellings, duplicates, gaps, empty
    /// or constant columns): proposed ticked.
    #[default]
    Clean,
    /// Preparing it for a model (capping, encoding, scaling): proposed
    /// unticked, since the Model tab prepares each model on its training
    /// rows; never proposed for a column that looks like a target.
    Prepare,
}

/// A proposed step, why, and what it changed in the dry run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub step: Step,
    /// The evidence, e.g. "age: 12% missing, skewed (skew 2.3)".
    pub evidence: String,
    pub report: StepReport,
    #[serde(default)]
    pub purpose: Purpose,
}

impl Proposal {
    /// The report line: evidence, decision and its effect, e.g. "age: 12%
    /// missing, skewed (skew 2.3), so filled with the median 34; 118 cells
    /// changed".
    pub fn sentence(&self) -> String {
        match self.purpose {
            Purpose::Clean => format!("{}; {}", self.evidence, self.report.effects()),
            // Proposed unticked: its effect is what ticking it would do.
            Purpose::Prepare => format!("{}; if ticked: {}", self.evidence, self.report.effects()),
        }
    }
}

fn percent(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "0%".to_string();
    }
    let p = part as f64 * 100.0 / whole as f64;
    if p > 0.0 && p < 1.0 {
        "under 1%".to_string()
    } else if p > 99.0 && part < whole {
        // 99.5% is not "100%": some values are not.
        format!("{}%", (p * 10.0).floor() / 10.0)
    } else {
        format!("{}%", p.round())
    }
}

/// Builds the proposals, applying each to a working copy so that the next
/// ones see its effect and each report counts what it changed.
struct Proposer {
    work: Dataset,
    out: Vec<Proposal>,
    /// Columns with a different value in every row: not prepared for
    /// models (scaling or capping an identifier means nothing).
    identifiers: Vec<String>,
    /// The statistics of numeric columns of `work` as it is (each sort
    /// done once while no step changes `work`).
    stats: std::collections::HashMap<String, Option<Stats>>,
}

impl Proposer {
    /// Whether steps for models may touch `name`: not the target, not an
    /// identifier.
    fn preparable(&self, name: &str) -> bool {
        !looks_like_target(name) && !self.identifiers.iter().any(|i| i == name)
    }

    fn offer(&mut self, step: Step, evidence: String) {
        self.offer_for(step, evidence, Purpose::Clean)
    }

    /// A step that prepares for a model is tried on the cleaned data but
    /// not kept in it: the next proposals, and their evidence, hold
    /// whatever the user ticks of these (they are proposed unticked).
    fn offer_for(&mut self, step: Step, evidence: String, purpose: Purpose) {
        // Not kept: when the report needs no data made, none is.
        if purpose == Purpose::Prepare {
            if let Some(found) = report_without_data(&self.work, &step) {
                if let Ok(report) = found {
                    self.out.push(Proposal {
                        step,
                        evidence,
                        report,
                        purpose,
                    });
                }
                return;
            }
        }
        let mut trial = self.work.clone();
        if let Ok(mut report) = apply(&mut trial, &step) {
            report.kept = None;
            if purpose == Purpose::Clean {
                self.work = trial;
                self.stats.clear();
            }
            self.out.push(Proposal {
                step,
                evidence,
                report,
                purpose,
            });
        }
    }

    fn names(&self) -> Vec<String> {
        self.work.names()
    }

    /// The statistics of numeric column `name` of `work` (None for
    /// another type), sorted once while no step changes `work`.
    fn stats(&mut self, name: &str) -> Option<Stats> {
        if let Some(s) = self.stats.get(name) {
            return *s;
        }
        let s = self.present(name).and_then(stats_of);
        self.stats.insert(name.to_string(), s);
        s
    }

    /// The present values of numeric column `name` of `work`, in row
    /// order (None for another type).
    fn present(&self, name: &str) -> Option<Vec<f64>> {
        present_numbers(&self.work, self.index(name)?)
    }

    /// [`distinct_numbers`] of `xs`, the present values of column `name`:
    /// integers past 2^53, whose floats may coincide, counted exactly.
    fn distinct(&self, name: &str, xs: &[f64], at_most: usize) -> usize {
        const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
        if xs.iter().any(|x| x.abs() >= EXACT) {
            if let Some(v) = self.column(name) {
                return distinct_count(&v, at_most);
            }
        }
        distinct_numbers(xs, at_most)
    }

    fn index(&self, name: &str) -> Option<usize> {
        self.work
            .frame
            .columns()
            .iter()
            .position(|c| c.name().as_str() == name)
    }

    /// The column called `name`: found without copying every name (the
    /// proposer looks up each column in turn, so a copy per look-up would
    /// be quadratic in the width).
    fn column(&self, name: &str) -> Option<Values> {
        Values::of(&self.work, self.index(name)?)
    }
}

/// The proposed recipe for `ds`.
///
/// Bound: one dry run per proposed step (at most a few per column), each
/// linear in the rows of its column plus a copy of the column list (not
/// the data) and a scan of the names: steps × columns light operations,
/// about 25 s for 16,384 columns in a debug build.
pub fn propose(ds: &Dataset, mode: Mode) -> Vec<Proposal> {
    let mut p = Proposer {
        work: ds.clone(),
        out: Vec::new(),
        identifiers: Vec::new(),
        stats: Default::default(),
    };
    let rows = ds.height();
    trim(&mut p);
    text_types(&mut p);
    let dups = duplicate_rows(&p.work);
    if dups > 0 {
        // Copies of a row with its ID are the same record twice; without an
        // ID they may be different records that look alike (two passengers
        // with the same ticket class, sex, age and fare).
        let keyed = p.names().iter().any(|n| looks_like_id(n));
        p.offer(
            Step::DropDuplicates,
            format!(
                "{} an exact copy of an earlier row{}",
                if dups == 1 {
                    "1 row is".to_string()
                } else {
                    format!("{dups} rows are")
                },
                if keyed {
                    ""
                } else {
                    "; no column looks like an ID, so these may be different records that look alike: untick this step to keep them"
                }
            ),
        );
    }
    let empty: Vec<String> = p
        .names()
        .into_iter()
        .filter(|n| p.column(n).is_some_and(|v| v.missing() == v.len()))
        .collect();
    if !empty.is_empty() && rows > 0 {
        let evidence = format!("{} empty in every row", describe_list(&empty, "is", "are"));
        p.offer(Step::DropColumns { columns: empty }, evidence);
    }
    match mode {
        // Only what differs in case and spaces alone ("DE", "de", "De ").
        Mode::Quick => merges(&mut p, Spellings::Case),
        Mode::Thorough => thorough(&mut p),
    }
    let names = p.names();
    let mut taken: Vec<String> = Vec::new();
    let changed: Vec<&String> = names
        .iter()
        .filter(|n| {
            let s = snake_case(n);
            let new = if taken.contains(&s) {
                format!("{s}_2")
            } else {
                s
            };
            taken.push(new.clone());
            **n != new
        })
        .collect();
    if !changed.is_empty() {
        let examples: Vec<String> = changed
            .iter()
            .take(3)
            .map(|n| format!("\"{n}\" → {}", snake_case(n)))
            .collect();
        p.offer(
            Step::NormaliseNames,
            format!(
                "{} not in snake_case ({})",
                plural(changed.len() as u64, "column name is", "column names are"),
                examples.join(", ")
            ),
        );
    }
    p.out
}

/// "a", "a and b", "a, b and c" + verb.
fn describe_list(names: &[String], one: &str, many: &str) -> String {
    let list = match names {
        [] => String::new(),
        [a] => a.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    format!("{list} {}", if names.len() == 1 { one } else { many })
}

fn trim(p: &mut Proposer) {
    let mut columns = Vec::new();
    let mut details = Vec::new();
    for (i, name) in p.names().into_iter().enumerate() {
        if p.work.types.get(i) != Some(&ColumnType::String) {
            continue;
        }
        let Some(Values::Text(v)) = Values::of(&p.work, i) else {
            continue;
        };
        let n = v
            .iter()
            .flatten()
            .filter(|c| c.trim_matches(TRIM_CHARS).len() != c.len())
            .count();
        if n > 0 {
            details.push(format!("{name}: {}", plural(n as u64, "value", "values")));
            columns.push(name);
        }
    }
    if !columns.is_empty() {
        p.offer(
            Step::Trim { columns },
            format!("spaces around text ({})", details.join(", ")),
        );
    }
}

/// Text columns that are almost all numbers or dates: a few stray values
/// kept them as text.
fn text_types(p: &mut Proposer) {
    for (i, name) in p.names().into_iter().enumerate() {
        if p.work.types.get(i) != Some(&ColumnType::String) {
            continue;
        }
        let Some(Values::Text(v)) = Values::of(&p.work, i) else {
            continue;
        };
        // The present cells, trimmed, read again for each question (not
        // listed: 16 bytes a cell).
        let present = || v.iter().flatten().map(trim_cell);
        // Codes stay text: leading zeros, or a name that says so.
        if code_word(&name).is_some() || present().any(has_leading_zero) {
            continue;
        }
        let (mut n, mut ints, mut numbers, mut date_count) = (0, 0, 0, 0);
        let mut dates = Inference::new(false);
        for s in present() {
            n += 1;
            ints += usize::from(parse_i64(s).is_some());
            numbers += usize::from(parse_f64(s).is_some());
            if reads_as_date(s) {
                date_count += 1;
                dates.feed(s);
            }
        }
        if n < 5 {
            continue;
        }
        let share = |k: usize| k as f64 / n as f64;
        let (to, fit) = if share(numbers) >= 0.9 {
            let to = if ints == numbers {
                ColumnType::Integer
            } else {
                ColumnType::Float
            };
            (to, numbers)
        } else if share(date_count) >= 0.9 {
            let to = match dates.decide().kind {
                Kind::Datetime(_) => ColumnType::Datetime,
                _ => ColumnType::Date,
            };
            (to, date_count)
        } else {
            continue;
        };
        let strays: Vec<String> = {
            let mut s: Vec<String> = Vec::new();
            for v in present() {
                let fits = match to {
                    ColumnType::Integer | ColumnType::Float => parse_f64(v).is_some(),
                    _ => reads_as_date(v),
                };
                if fits {
                    continue;
                }
                let quoted = format!("\"{v}\"");
                if !s.contains(&quoted) {
                    s.push(quoted);
                }
                if s.len() == 3 {
                    break;
                }
            }
            s
        };
        let kind = match to {
            ColumnType::Integer | ColumnType::Float => "numbers",
            _ => "dates",
        };
        p.offer(
            Step::Cast {
                column: name.clone(),
                to,
            },
            format!(
                "{name}: {} of its values are {kind} (not: {}), so it is read as {} and the rest become missing",
                percent(fit, n),
                strays.join(", "),
                to.words()
            ),
        );
    }
}

/// For a measure skewed throughout (|skew| > 1, and still after capping
/// at Tukey's fences): the transform that leaves it most symmetric — log(1 + x) when the values allow it and it does about as
/// well, else Yeo-Johnson with λ fitted — with the skew before and after;
/// None when the column is not skewed or no transform halves its skew.
fn unskew(xs: &[f64], st: Stats) -> Option<(Transform, f64, f64)> {
    let before = st.skew;
    if before.abs() <= 1.0 {
        return None;
    }
    // Skewed by a few values beyond Tukey's fences only: capping them
    // (proposed next) is the plainer fix.
    let (lo, hi) = super::apply::outlier_bounds(&st, OutlierRule::Iqr { k: 1.5 });
    // Skews as `stats` gives them (its compensated sums over the sorted
    // values), without its quantiles. Not `clamp`: overflowing quartiles
    // give bounds that are infinite or crossed, and then nothing moves.
    let skew_of = |mut v: Vec<f64>| {
        crate::core::sort::sort_values(&mut v);
        Moments::of(&v).map(|m| m.skew)
    };
    let cap = |x: f64| {
        if x < lo {
            lo
        } else if x > hi {
            hi
        } else {
            x
        }
    };
    if skew_of(xs.iter().map(|&x| cap(x)).collect()).is_some_and(|s| s.abs() <= 1.0) {
        return None;
    }
    let skew_after = |t: Transform| -> Option<f64> {
        if xs.iter().any(|&x| t.refuses(x).is_some()) {
            return None;
        }
        skew_of(xs.iter().map(|&x| t.of(x)).collect()).filter(|s| s.is_finite())
    };
    let log = skew_after(Transform::Log1p).map(|s| (Transform::Log1p, s));
    let yj = fit_yeo_johnson(xs)
        .map(Transform::yeo_johnson)
        .and_then(|t| Some((t, skew_after(t)?)));
    let best = match (log, yj) {
        (Some(l), Some(y)) if l.1.abs() <= y.1.abs() + 0.1 => l,
        (_, Some(y)) => y,
        (Some(l), None) => l,
        (None, None) => return None,
    };
    (best.1.abs() * 2.0 <= before.abs()).then_some((best.0, before, best.1))
}

/// Which spellings count as one value.
#[derive(Clone, Copy, PartialEq)]
enum Spellings {
    /// The same letters in another case, or with other spaces around or
    /// between the words ("DE", "de"): safe to merge.
    Case,
    /// OpenRefine's fingerprint: also punctuation, accents and word order
    /// ("Acme Inc.", "acme, inc").
    Fingerprint,
}

/// One step per text column of categories that has spellings of one
/// value, merging every group (the most frequent spelling kept).
///
/// Bound: the fingerprints are linear in the text (`cluster::clusters`);
/// a step holds at most [`MAX_MERGE_GROUPS`] groups, the biggest, and says
/// how many more there are.
fn merges(p: &mut Proposer, spellings: Spellings) {
    for (i, name) in p.names().into_iter().enumerate() {
        if p.work.types.get(i) != Some(&ColumnType::String) {
            continue;
        }
        let Some(v) = Values::of(&p.work, i) else {
            continue;
        };
        let present = v.len() - v.missing();
        // Free text (mostly distinct values) is not a set of categories.
        if distinct_count(&v, present / 2) * 2 > present {
            continue;
        }
        let cats = categories(&v);
        let found: Vec<Cluster> = clusters(&cats)
            .into_iter()
            .filter(|c| spellings == Spellings::Fingerprint || same_but_case(c))
            .collect();
        if found.is_empty() {
            continue;
        }
        let more = found.len().saturating_sub(MAX_MERGE_GROUPS);
        let examples = found
            .iter()
            .take(3)
            .map(|c| {
                let others: Vec<String> = c
                    .values
                    .iter()
                    .skip(1)
                    .take(3)
                    .map(|(s, n)| format!("\"{s}\" ({n})"))
                    .collect();
                format!(
                    "{} → \"{}\" ({})",
                    others.join(", "),
                    c.into,
                    c.values.first().map_or(0, |v| v.1)
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        let what = match spellings {
            Spellings::Case => "differ only in case or spaces",
            Spellings::Fingerprint => "look like one value",
        };
        let rest = if more > 0 {
            format!(" ({more} more groups are not in this step: merge them with an edited step)")
        } else {
            String::new()
        };
        let groups: Vec<ValueGroup> = found
            .into_iter()
            .take(MAX_MERGE_GROUPS)
            .map(|c| ValueGroup {
                into: c.into,
                values: c.values.into_iter().map(|v| v.0).collect(),
            })
            .collect();
        let n = groups.len() as u64 + more as u64;
        p.offer(
            Step::MergeValues(Merge {
                column: name.clone(),
                groups,
            }),
            format!(
                "{name}: {} of spellings {what}, so each becomes its most frequent spelling: {examples}{rest}",
                plural(n, "group", "groups")
            ),
        );
    }
}

/// Whether the spellings of `c` are one text in another case or spacing.
fn same_but_case(c: &Cluster) -> bool {
    let key = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    let mut keys = c.values.iter().map(|(s, _)| key(s));
    let first = keys.next();
    keys.all(|k| Some(&k) == first.as_ref())
}

fn thorough(p: &mut Proposer) {
    let rows = p.work.height();
    // Constant and identifier-like columns carry no information for
    // analysis or models.
    let mut constant = Vec::new();
    let mut identifiers = Vec::new();
    for (i, name) in p.names().into_iter().enumerate() {
        let Some(v) = Values::of(&p.work, i) else {
            continue;
        };
        let present = v.len() - v.missing();
        let may_identify = rows >= 10
            && present == rows
            && matches!(v.column_type(), ColumnType::Integer | ColumnType::String);
        if present > 0 && distinct_count(&v, 1) == 1 {
            let value = categories(&v).first().map(|c| c.0.clone());
            constant.push((name, value.unwrap_or_default()));
        } else if may_identify && all_distinct(&v) {
            identifiers.push(name);
        }
    }
    if !constant.is_empty() {
        let evidence = constant
            .iter()
            .take(4)
            .map(|(n, v)| format!("{n} is always \"{v}\""))
            .collect::<Vec<_>>()
            .join(", ");
        let columns = constant.into_iter().map(|c| c.0).collect();
        p.offer(
            Step::DropColumns { columns },
            format!("one value in every row: {evidence}"),
        );
    }
    // An identifier is not wrong data: it finds rows again and joins
    // files, so removing it is for models only, and unticked.
    p.identifiers = identifiers.clone();
    if !identifiers.is_empty() {
        let evidence = format!(
            "{} a different value in every row: an identifier, which a model cannot learn from (kept in the cleaned data unless ticked)",
            describe_list(&identifiers, "has", "have")
        );
        p.offer_for(
            Step::DropColumns {
                columns: identifiers,
            },
            evidence,
            Purpose::Prepare,
        );
    }
    // Mostly empty columns.
    let sparse: Vec<(String, usize)> = p
        .names()
        .into_iter()
        .filter_map(|n| {
            let v = p.column(&n)?;
            let m = v.missing();
            (rows > 0 && m * 2 > rows).then_some((n, m))
        })
        .collect();
    if !sparse.is_empty() {
        let evidence = sparse
            .iter()
            .map(|(n, m)| format!("{n} is {} missing", percent(*m, rows)))
            .collect::<Vec<_>>()
            .join(", ");
        let columns = sparse.into_iter().map(|s| s.0).collect();
        p.offer(
            Step::DropColumns { columns },
            format!("{evidence}: too little to fill in"),
        );
    }
    merges(p, Spellings::Fingerprint);
    // Missing values.
    for name in p.names() {
        let Some(column) = p.index(&name).and_then(|i| p.work.frame.columns().get(i)) else {
            continue;
        };
        let (missing, len) = (column.null_count(), column.len());
        if missing == 0 || missing == len {
            continue;
        }
        let share = percent(missing, len);
        // (A numeric column's statistics are all it needs here.)
        let (fill, evidence) = match p.stats(&name) {
            Some(st) if st.skew.abs() > 1.0 => (
                Fill::Median,
                format!(
                    "{name}: {share} missing, skewed (skew {}), so filled with the median {}",
                    short(st.skew),
                    short(st.p50)
                ),
            ),
            Some(st) => (
                Fill::Mean,
                format!(
                    "{name}: {share} missing, roughly symmetric (skew {}), so filled with the mean {}",
                    short(st.skew),
                    short(st.mean)
                ),
            ),
            None => {
                let Some(v) = p.column(&name) else { continue };
                if matches!(v.column_type(), ColumnType::Date | ColumnType::Datetime) {
                    // A missing date is not guessed.
                    continue;
                }
                // Categories get their most frequent value when one recurs;
                // free text, and values that are nearly all different (where
                // "the most frequent" is an arbitrary one), are left.
                if distinct_count(&v, MAX_FILL_CATEGORIES) > MAX_FILL_CATEGORIES {
                    continue;
                }
                let cats = categories(&v);
                let present = v.len() - missing;
                let Some((top, n)) = cats.first() else {
                    continue;
                };
                if cats.len() > MAX_FILL_CATEGORIES || *n < 2 || cats.len() * 2 > present {
                    continue;
                }
                (
                    Fill::Mode,
                    format!(
                        "{name}: {share} missing, so filled with its most frequent value \"{top}\" ({} of its values)",
                        percent(*n as usize, present)
                    ),
                )
            }
        };
        p.offer(
            Step::FillMissing {
                column: name.clone(),
                fill,
            },
            evidence,
        );
    }
    // Preparing for models, never on a column that looks like the target:
    // skewed measures first get the transform that makes them most
    // symmetric. Such a measure is not also capped (the transform pulls
    // its tail in), and its scaling follows its skew after the transform.
    let mut transformed: std::collections::HashMap<String, f64> = Default::default();
    for name in p.names() {
        if !p.preparable(&name) {
            continue;
        }
        let Some(st) = p.stats(&name) else {
            continue;
        };
        if st.skew.abs() <= 1.0 {
            continue;
        }
        let Some(xs) = p.present(&name) else {
            continue;
        };
        if p.distinct(&name, &xs, 2) <= 2 {
            continue;
        }
        let unskewed = unskew(&xs, st);
        drop(xs);
        if let Some((transform, before, after)) = unskewed {
            transformed.insert(name.clone(), after);
            let done = match transform {
                Transform::Log1p => "log-transformed".to_string(),
                Transform::YeoJohnson { .. } => "transformed".to_string(),
            };
            p.offer_for(
                Step::Transform {
                    column: name.clone(),
                    transform,
                },
                format!(
                    "{name}: skewed (skew {}; {} after {}), so {done} for models that assume symmetric measures",
                    short(before),
                    short(after),
                    transform.describe()
                ),
                Purpose::Prepare,
            );
        }
    }
    // Outliers capped to Tukey's fences.
    for name in p.names() {
        if !p.preparable(&name) || transformed.contains_key(&name) {
            continue;
        }
        let Some(st) = p.stats(&name) else {
            continue;
        };
        let Some(xs) = p.present(&name) else {
            continue;
        };
        if p.distinct(&name, &xs, 10) <= 10 {
            continue;
        }
        let rule = OutlierRule::Iqr { k: 1.5 };
        let (lo, hi) = super::apply::outlier_bounds(&st, rule);
        let n = xs.iter().filter(|x| **x < lo || **x > hi).count();
        drop(xs);
        if n == 0 {
            continue;
        }
        p.offer_for(
            Step::Outliers {
                column: name.clone(),
                rule,
                action: OutlierAction::Cap,
            },
            format!(
                "{name}: {} outside {} to {} (1.5 × IQR beyond the quartiles), so capped to those bounds",
                plural(n as u64, "value", "values"),
                short(lo),
                short(hi)
            ),
            Purpose::Prepare,
        );
    }
    // Encoding: few categories one-hot (each replaces its column, so
    // columns are looked up by name).
    for name in p.names() {
        if !p.preparable(&name) {
            continue;
        }
        let Some(v) = p.column(&name) else {
            continue;
        };
        if v.column_type() != ColumnType::String {
            continue;
        }
        let k = distinct_count(&v, ONE_HOT_PROPOSED);
        if (2..=ONE_HOT_PROPOSED).contains(&k) {
            p.offer_for(
                Step::OneHot {
                    column: name.clone(),
                    max_categories: ONE_HOT_PROPOSED,
                },
                format!("{name}: {k} categories, so one 0/1 column each for models"),
                Purpose::Prepare,
            );
        }
    }
    // Scaling of the measures (not of 0/1 columns).
    for name in p.names() {
        if !p.preparable(&name) {
            continue;
        }
        let Some(st) = p.stats(&name) else {
            continue;
        };
        let Some(xs) = p.present(&name) else {
            continue;
        };
        if p.distinct(&name, &xs, 2) <= 2 {
            continue;
        }
        // (The dry run reads the column again: not held twice.)
        drop(xs);
        // After a proposed transform, its skew then.
        let (skew_now, after) = match transformed.get(&name) {
            Some(&after) => (after, " once the transform proposed above is ticked too"),
            None => (st.skew, ""),
        };
        let skew = format!("{}{after}", short(skew_now));
        let (method, why) = if skew_now.abs() > 1.0 {
            (
                Scaling::Robust,
                format!("skewed (skew {skew}), scaled by its median and IQR (robust scaling)"),
            )
        } else {
            (
                Scaling::Standard,
                format!(
                    "roughly symmetric (skew {skew}), scaled to mean 0 and standard deviation 1"
                ),
            )
        };
        p.offer_for(
            Step::Scale {
                column: name.clone(),
                method,
            },
            format!("{name}: {why} so that models weigh it like the other measures"),
            Purpose::Prepare,
        );
    }
}

/// Whether a column's name says it identifies a row: "id", "ID", "customer_id",
/// "Order ID", "sku", "key", "uuid", "Invoice No".
fn looks_like_id(name: &str) -> bool {
    let words: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let last = words.last().map(String::as_str).unwrap_or("");
    matches!(
        last,
        "id" | "key" | "uuid" | "guid" | "sku" | "no" | "number"
    ) || (name.len() > 2 && name.ends_with("ID"))
        || (name.len() > 2
            && name.ends_with("Id")
            && name
                .chars()
                .nth(name.len() - 3)
                .is_some_and(char::is_lowercase))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::sample::{marketing_csv, SAMPLE_FILE_NAME};

    /// Numbers whose sums and quartiles overflow (bounds infinite or
    /// crossed) get a proposal, not a panic: capping them for the skew
    /// test clamped between crossed bounds.
    #[test]
    fn overflowing_numbers_are_proposed_without_a_panic() {
        let csv = "x,y\n-1.7e308,1\n-1e308,2\n1e308,3\n";
        let ds = crate::core::read_bytes("s.csv", csv.as_bytes()).unwrap();
        assert_eq!(ds.types[0], ColumnType::Float);
        let proposals = propose(&ds, Mode::Thorough);
        assert!(proposals.iter().all(|p| !p.evidence.is_empty()));
    }

    /// Thorough mode fills a gap with the most frequent value only when
    /// values recur, never a date: Debian's release list had its missing
    /// versions filled with "1.1" and its release dates with the first's.
    #[test]
    fn only_recurring_categories_are_filled_with_their_mode() {
        // Like Debian's release list: a version for every release but the
        // newest, dates missing for those not out, a recurring category.
        let mut csv = String::from("version,released,kind,n\n");
        for i in 0..12 {
            let (v, d) = if i < 10 {
                (
                    format!("{}.{}", i + 1, i % 3),
                    format!("20{:02}-01-0{}", 10 + i, 1 + i % 9),
                )
            } else {
                (String::new(), String::new())
            };
            let kind = if i == 5 {
                ""
            } else if i % 3 == 0 {
                "lts"
            } else {
                "regular"
            };
            csv += &format!("{v},{d},{kind},{i}\n");
        }
        let ds = crate::core::read_bytes("releases.csv", csv.as_bytes()).unwrap();
        let fills: Vec<(String, String)> = propose(&ds, Mode::Thorough)
            .into_iter()
            .filter_map(|p| match p.step {
                Step::FillMissing { column, .. } => Some((column, p.evidence)),
                _ => None,
            })
            .collect();
        assert_eq!(fills.len(), 1, "{fills:?}");
        assert_eq!(fills[0].0, "kind");
        assert!(
            fills[0]
                .1
                .contains("most frequent value \"regular\" (64% of its values)"),
            "{fills:?}"
        );
    }

    /// Thorough mode on the sample: capping, encoding and scaling are
    /// steps for models (proposed unticked), and none touches revenue,
    /// the column a model would predict; fixing steps stay for cleaning.
    #[test]
    fn preparing_is_apart_and_spares_the_target() {
        let ds = crate::core::read_bytes(SAMPLE_FILE_NAME, marketing_csv().as_bytes()).unwrap();
        let found = propose(&ds, Mode::Thorough);
        let prepare: Vec<&Proposal> = found
            .iter()
            .filter(|p| p.purpose == Purpose::Prepare)
            .collect();
        assert!(!prepare.is_empty(), "{found:?}");
        for p in &found {
            let for_models = matches!(
                p.step,
                Step::Outliers { .. }
                    | Step::OneHot { .. }
                    | Step::Scale { .. }
                    | Step::Transform { .. }
            ) || matches!(p.step, Step::DropColumns { .. })
                && p.evidence.contains("identifier");
            assert_eq!(for_models, p.purpose == Purpose::Prepare, "{p:?}");
            if for_models {
                assert!(!p.evidence.starts_with("revenue"), "{p:?}");
            }
        }
        assert!(looks_like_target("revenue") && looks_like_target("Churned?"));
        assert!(!looks_like_target("spend") && !looks_like_target("new_customers"));
    }

    /// Spellings that differ only in case are merged in quick mode too, as
    /// one step per column holding every group (the sample's country has
    /// "DE" and "de", "US" and "us"…); the step's JSON reads back, and the
    /// one-group form of recipe version 1 still reads.
    #[test]
    fn case_variants_merge_in_one_step_per_column() {
        let ds = crate::core::read_bytes(SAMPLE_FILE_NAME, marketing_csv().as_bytes()).unwrap();
        for mode in [Mode::Quick, Mode::Thorough] {
            let merges: Vec<Merge> = propose(&ds, mode)
                .into_iter()
                .filter_map(|p| match p.step {
                    Step::MergeValues(m) => Some(m),
                    _ => None,
                })
                .collect();
            assert_eq!(merges.len(), 1, "{mode:?}: {merges:?}");
            let m = &merges[0];
            assert_eq!(m.column, "country");
            assert_eq!(m.groups.len(), 7, "{m:?}");
            let de = m.groups.iter().find(|g| g.into == "DE").expect("DE");
            assert_eq!(de.values, ["DE", "de"]);
        }
        let step = Step::MergeValues(Merge {
            column: "c".into(),
            groups: vec![ValueGroup {
                into: "A".into(),
                values: vec!["A".into(), "a".into()],
            }],
        });
        let json = serde_json::to_string(&step).unwrap();
        assert!(json.contains("\"groups\""), "{json}");
        assert_eq!(serde_json::from_str::<Step>(&json).unwrap(), step);
        let v1 = r#"{"op": "merge_values", "column": "c", "into": "A", "values": ["A", "a"]}"#;
        assert_eq!(serde_json::from_str::<Step>(v1).unwrap(), step);
    }

    /// Each proposal's evidence and counts hold for what applying it
    /// runs: the fixes ticked before it, then it — whether or not the
    /// unticked steps for models above it are chosen.
    #[test]
    fn each_proposal_reports_what_it_does_after_the_fixes_alone() {
        let ds = crate::core::read_bytes(SAMPLE_FILE_NAME, marketing_csv().as_bytes()).unwrap();
        let found = propose(&ds, Mode::Thorough);
        assert!(found.iter().any(|p| p.purpose == Purpose::Prepare));
        let mut fixes: Vec<Step> = Vec::new();
        for p in &found {
            let mut steps = fixes.clone();
            steps.push(p.step.clone());
            let (_, log) = crate::core::clean::recipe::run(&ds, &steps).unwrap();
            let report = log.steps.last().unwrap();
            assert_eq!(report, &p.report, "{}", p.step.describe());
            if p.purpose == Purpose::Clean {
                fixes.push(p.step.clone());
            }
        }
    }

    /// Exact copies of a row are proposed for removal either way; without
    /// a column that looks like an ID the evidence says they may be
    /// different records (the seaborn titanic file lost 12% of its rows).
    #[test]
    fn duplicates_without_an_id_say_they_may_be_different_records() {
        let warned = |csv: &str| {
            let ds = crate::core::read_bytes("t.csv", csv.as_bytes()).unwrap();
            let p = propose(&ds, Mode::Quick)
                .into_iter()
                .find(|p| p.step == Step::DropDuplicates)
                .expect("a duplicate step");
            p.evidence.contains("may be different records")
        };
        assert!(warned("class,sex,age\n3,male,22\n3,male,22\n1,female,38\n"));
        assert!(!warned("Order ID,total\n1,5\n1,5\n2,7\n"));
        assert!(!warned("customerId,total\n1,5\n1,5\n2,7\n"));
        for (name, id) in [
            ("id", true),
            ("customer_id", true),
            ("Invoice No", true),
            ("SKU", true),
            ("CustomerID", true),
            ("paid", false),
            ("valid", false),
            ("Android", false),
        ] {
            assert_eq!(looks_like_id(name), id, "{name}");
        }
    }
}
