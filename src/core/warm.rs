//! Warming the engine up before the first file: the same entry points a
//! file goes through (reading whole and in parts, a part's table as bytes,
//! the profile, the insights), run on a small generated text, a part at a
//! time ([`Warmup::step`]).
//!
//! Why: Chromium runs a wasm function's first calls in its baseline
//! compiler and switches to optimised code only at a later call, never in
//! the middle of one (BENCHMARKS.md, goal 7). A user's first file would
//! otherwise run its longest calls — a column's conversion, its sort, its
//! profile — unoptimised from start to end. The worker runs these steps
//! while it has nothing else to do, between the page's start and the first
//! file, and drops them the moment a file comes.
//!
//! Invariant: nothing here is kept or shown; a step's failure only ends the
//! warm-up (the data is ours, so it does not fail). The profile and
//! insights found are handed out once ([`Warmup::take_found`]): the page
//! decodes them as a file's messages and drops them, to warm its side up.

use crate::core::explore::alerts::AlertConfig;
use crate::core::explore::{Insights, InsightsRun};
use crate::core::ingest::{Dataset, Ingester};
use crate::core::model::{ColumnProfile, DatasetProfile};
use crate::core::parts::{self, Cut};
use crate::core::runner::InTurn;
use crate::core::{frame_bytes, profile, sample};

/// Rows of the generated text (about 100 bytes each): enough for the hot
/// loops to run past the baseline compiler's budget, little enough that a
/// step takes tens of milliseconds unoptimised.
pub const ROWS: usize = 24_000;
/// Bytes pushed to the reader per step.
const CHUNK_BYTES: usize = 256 << 10;
/// The generated file's name (its extension chooses the reader).
const NAME: &str = "warm-up.csv";

/// Where a warm-up is.
enum Stage {
    /// Reading the text whole, `at` bytes pushed so far.
    Whole {
        reader: Ingester,
        at: usize,
    },
    /// Reading the same text in two parts.
    Parts,
    /// A table written as bytes and read back (as a part worker's is).
    Bytes(Box<Dataset>),
    /// Profiling column `next` of the dataset (the columns before it are
    /// in `done`), then its duplicate rows.
    Profile {
        ds: Box<Dataset>,
        next: usize,
        done: Vec<Option<ColumnProfile>>,
    },
    /// The insights, a part per step.
    Insights {
        ds: Box<Dataset>,
        profile: Box<DatasetProfile>,
        run: Box<InsightsRun>,
    },
    Done,
}

/// A warm-up run a step at a time.
pub struct Warmup {
    text: Vec<u8>,
    stage: Stage,
    /// A step failed (the warm-up then ended early).
    failed: bool,
    /// The profile and insights of the generated text, once found: the
    /// page decodes them as a file's (`shell::warm`), to warm its side up.
    found: Option<Box<(DatasetProfile, Insights)>>,
}

impl Warmup {
    /// A warm-up over [`ROWS`] generated rows; None when the text cannot be
    /// made or read (then there is nothing to warm up with).
    pub fn new() -> Option<Warmup> {
        Warmup::of_rows(ROWS)
    }

    /// A warm-up over `rows` generated rows.
    pub fn of_rows(rows: usize) -> Option<Warmup> {
        let mut text = Vec::with_capacity(rows * 110);
        sample::bench_csv(rows, &mut text).ok()?;
        let reader = Ingester::new(NAME, text.len() as u64).ok()?;
        Some(Warmup {
            text,
            stage: Stage::Whole { reader, at: 0 },
            failed: false,
            found: None,
        })
    }

    /// Whether no step is left (every one ran, or one failed).
    pub fn is_done(&self) -> bool {
        matches!(self.stage, Stage::Done)
    }

    /// Whether a step failed, which ended the warm-up early.
    pub fn failed(&self) -> bool {
        self.failed
    }

    /// The profile and insights found, once every step ran (taken once).
    pub fn take_found(&mut self) -> Option<Box<(DatasetProfile, Insights)>> {
        self.found.take()
    }

    /// Runs the next step; false once there is none left (done, or a step
    /// failed).
    pub fn step(&mut self) -> bool {
        let stage = std::mem::replace(&mut self.stage, Stage::Done);
        match self.next(stage) {
            Some(next) => self.stage = next,
            None => self.failed = true,
        }
        !self.is_done()
    }

    fn next(&mut self, stage: Stage) -> Option<Stage> {
        Some(match stage {
            Stage::Whole { mut reader, at } => {
                let end = (at + CHUNK_BYTES).min(self.text.len());
                reader.push(self.text.get(at..end)?).ok()?;
                if end < self.text.len() {
                    Stage::Whole { reader, at: end }
                } else {
                    reader.finish().ok()?;
                    Stage::Parts
                }
            }
            Stage::Parts => {
                // The text's first third: the whole read warmed the cells'
                // reading up already, this is for the parts' own steps.
                let third = self.text.len() / 3;
                let end = third + self.text.get(third..)?.iter().position(|&b| b == b'\n')? + 1;
                let text = self.text.get(..end)?;
                let cut = Cut {
                    parts: 2,
                    min_part_bytes: 1,
                };
                let ds = parts::read_in_parts(NAME, end as u64, text, cut, &InTurn).ok()??;
                Stage::Bytes(Box::new(ds))
            }
            Stage::Bytes(mut ds) => {
                let bytes = frame_bytes::to_bytes(&ds.frame).ok()?;
                ds.frame = frame_bytes::from_bytes(&bytes).ok()?;
                Stage::Profile {
                    ds,
                    next: 0,
                    done: Vec::new(),
                }
            }
            Stage::Profile { ds, next, mut done } if next < ds.width() => {
                done.push(Some(profile::column_profile(&ds, next)?));
                Stage::Profile {
                    ds,
                    next: next + 1,
                    done,
                }
            }
            Stage::Profile { ds, done, .. } => {
                let duplicates = profile::duplicate_rows(&ds);
                let profile = Box::new(profile::put_together(&ds, done, duplicates));
                let run = Box::new(InsightsRun::new(None, AlertConfig::default()));
                Stage::Insights { ds, profile, run }
            }
            Stage::Insights {
                ds,
                profile,
                mut run,
            } => match run.step(&ds, &profile) {
                Some(insights) => {
                    self.found = Some(Box::new((*profile, insights)));
                    Stage::Done
                }
                None => Stage::Insights { ds, profile, run },
            },
            Stage::Done => Stage::Done,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every stage runs and the warm-up ends: a stage that failed would
    /// end it early, so count the steps each stage takes.
    #[test]
    fn runs_every_stage_to_the_end() {
        let mut w = Warmup::of_rows(3_000).expect("made");
        let mut seen = Vec::new();
        let mut steps = 0;
        loop {
            seen.push(match &w.stage {
                Stage::Whole { .. } => "whole",
                Stage::Parts => "parts",
                Stage::Bytes(_) => "bytes",
                Stage::Profile { .. } => "profile",
                Stage::Insights { .. } => "insights",
                Stage::Done => "done",
            });
            if !w.step() {
                break;
            }
            steps += 1;
            assert!(steps < 1_000, "the warm-up does not end");
        }
        seen.dedup();
        assert_eq!(
            seen,
            ["whole", "parts", "bytes", "profile", "insights"],
            "a stage failed or was skipped"
        );
        assert!(w.is_done() && !w.failed());
        // What the page decodes to warm its side up: the text's profile
        // and its insights, given once.
        let (profile, insights) = *w.take_found().expect("found at the end");
        // Of the table read in parts: the text's first third.
        assert!(
            profile.rows > 500 && profile.rows < 1_500,
            "{} rows",
            profile.rows
        );
        assert_eq!(profile.column_profiles.len(), profile.columns as usize);
        assert!(
            !insights.correlations.top.is_empty(),
            "no correlation pairs"
        );
        assert!(!insights.boxes.is_empty(), "no box plots");
        assert!(w.take_found().is_none(), "given twice");
    }
}
