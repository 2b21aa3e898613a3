//! `meed books verify`: re-computes the hash chain and the books'
//! invariants, so a row changed or deleted behind meed's back is found.
//! The lines are streamed, run by run: 24 monthly runs for 10,000 people
//! are verified without holding them all.

use std::collections::{BTreeSet, HashSet};

use rust_decimal::Decimal;

use super::chain::{GENESIS, RunHasher, sha256_hex};
use super::error::BooksError;
use super::plan::LineKind;
use super::store::{Books, Run, TRIGGERS};

/// One thing wrong with the books, and the run it was found in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Break {
    /// `None` for the file as a whole.
    pub run: Option<i64>,
    pub message: String,
}

/// Everything wrong with `books`; empty when they are sound.
pub fn verify(books: &Books) -> Result<Vec<Break>, BooksError> {
    let mut breaks = Vec::new();
    let present: BTreeSet<String> = books.triggers()?.into_iter().collect();
    for trigger in TRIGGERS {
        if !present.contains(trigger) {
            breaks.push(Break {
                run: None,
                message: format!(
                    "the protection `{trigger}` was removed from the file: booked rows could be changed"
                ),
            });
        }
    }
    let runs = books.runs()?;
    let mut walk = Walk {
        runs: &runs,
        next: 0,
        open: None,
        previous_hash: GENESIS.to_string(),
        previous_through: None,
        months_booked: HashSet::new(),
        pending_months: Vec::new(),
        breaks,
        last_line_run: 0,
    };
    books.for_each_line(None, |run, fields| walk.line(run, fields))?;
    walk.close_runs_before(i64::MAX);
    Ok(walk.breaks)
}

/// The state of a walk through the runs and their lines, in rowid order.
struct Walk<'a> {
    runs: &'a [Run],
    /// The index in `runs` of the next run to open.
    next: usize,
    /// The run whose lines are being read, its hasher and line count.
    open: Option<(&'a Run, RunHasher, usize)>,
    previous_hash: String,
    previous_through: Option<String>,
    /// `who \0 reward \0 earned` of every month booked by the runs before
    /// the open one.
    months_booked: HashSet<String>,
    /// The same, of the open run.
    pending_months: Vec<String>,
    breaks: Vec<Break>,
    last_line_run: i64,
}

impl<'a> Walk<'a> {
    fn found(&mut self, run: i64, message: String) {
        self.breaks.push(Break {
            run: Some(run),
            message,
        });
    }

    /// One stored line: `who, reward, earned, kind, amount, unit, reason`.
    fn line(&mut self, run: i64, fields: &[&str; 7]) {
        if run < self.last_line_run {
            self.found(
                run,
                "its lines are out of order (rows were added outside meed)".into(),
            );
        }
        self.last_line_run = run;
        self.close_runs_before(run);
        if self.open.as_ref().is_none_or(|(r, _, _)| r.number != run) {
            if self.runs.iter().any(|r| r.number == run) {
                self.found(
                    run,
                    "its lines are out of order (rows were added outside meed)".into(),
                );
            } else {
                self.found(
                    run,
                    "lines are booked for a run that is not in the books (the run was deleted)"
                        .into(),
                );
            }
            return;
        }
        let [who, reward, earned, kind, amount, unit, reason] = *fields;
        if let Some((_, hasher, count)) = &mut self.open {
            hasher.line(&[who, reward, earned, unit, kind, amount, reason]);
            *count += 1;
        }
        let month = format!("{who}\0{reward}\0{earned}");
        let expected = if self.months_booked.contains(&month) {
            LineKind::Adjustment
        } else {
            LineKind::Regular
        };
        if LineKind::parse(kind) != Some(expected) {
            self.found(
                run,
                format!(
                    "its line for `{who}` {reward} {earned} is marked {kind} but should be {}",
                    expected.as_str()
                ),
            );
        }
        if amount.parse::<Decimal>().map_or(true, |a| a.is_zero()) {
            self.found(
                run,
                format!("its line for `{who}` {reward} {earned} books `{amount}`, not a change"),
            );
        }
        self.pending_months.push(month);
    }

    /// Finishes the open run and every run numbered before `run` (runs
    /// without lines too), then opens `run` when it is the next one.
    fn close_runs_before(&mut self, run: i64) {
        loop {
            if let Some((open, _, _)) = &self.open {
                if open.number >= run {
                    return;
                }
                if let Some((open, hasher, count)) = self.open.take() {
                    self.finish(open, hasher, count);
                }
            }
            let Some(next) = self.runs.get(self.next) else {
                return;
            };
            if next.number > run {
                return;
            }
            self.next += 1;
            self.start(next);
        }
    }

    /// Checks a run's own fields and its link to the run before it.
    fn start(&mut self, run: &'a Run) {
        let expected = i64::try_from(self.next).unwrap_or(i64::MAX);
        if run.number != expected {
            self.found(
                run.number,
                format!(
                    "run {expected} is missing: the runs go from {} to {}",
                    expected - 1,
                    run.number
                ),
            );
        }
        if run.previous_hash != self.previous_hash {
            self.found(
                run.number,
                "its link to the run before it is broken (a run was changed or removed)".into(),
            );
        }
        if sha256_hex(run.fields.policy_text.as_bytes()) != run.fields.policy_sha256 {
            self.found(
                run.number,
                "its policy text does not match its SHA-256 (the text was changed)".into(),
            );
        }
        if self
            .previous_through
            .as_ref()
            .is_some_and(|before| run.fields.through < *before)
        {
            self.found(
                run.number,
                format!(
                    "it closes through {}, before the run before it",
                    run.fields.through
                ),
            );
        }
        let hasher = RunHasher::new(run.number, &run.fields, &run.previous_hash);
        self.open = Some((run, hasher, 0));
    }

    /// Checks a run's hash once all its lines are read.
    fn finish(&mut self, run: &Run, hasher: RunHasher, count: usize) {
        if hasher.finish() != run.hash {
            self.found(
                run.number,
                "its fields or lines do not match its hash (a row was changed or deleted outside meed)"
                    .into(),
            );
        }
        if count == 0 {
            self.found(
                run.number,
                "it books no line (a run that books nothing is never stored)".into(),
            );
        }
        self.months_booked.extend(self.pending_months.drain(..));
        self.previous_hash = run.hash.clone();
        self.previous_through = Some(run.fields.through.clone());
    }
}
