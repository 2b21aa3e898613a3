//! `meed books verify`: re-computes the hash chain and the books'
//! invariants, so a row changed or deleted behind meed's back is found.

use std::collections::{BTreeMap, BTreeSet};

use super::chain::{GENESIS, run_hash, sha256_hex};
use super::error::BooksError;
use super::plan::{Line, LineKind};
use super::store::{Books, TRIGGERS};

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
    let mut lines_by_run: BTreeMap<i64, Vec<Line>> = BTreeMap::new();
    for (run, line) in books.lines(None)? {
        lines_by_run.entry(run).or_default().push(line);
    }
    let mut previous_hash = GENESIS.to_string();
    let mut previous_through: Option<String> = None;
    let mut months_booked: BTreeSet<(String, String, String)> = BTreeSet::new();
    for (expected, run) in (1..).zip(&runs) {
        let mut found = |message: String| {
            breaks.push(Break {
                run: Some(run.number),
                message,
            });
        };
        if run.number != expected {
            found(format!(
                "run {expected} is missing: the runs go from {} to {}",
                expected - 1,
                run.number
            ));
        }
        if run.previous_hash != previous_hash {
            found("its link to the run before it is broken (a run was changed or removed)".into());
        }
        if sha256_hex(run.fields.policy_text.as_bytes()) != run.fields.policy_sha256 {
            found("its policy text does not match its SHA-256 (the text was changed)".into());
        }
        if previous_through
            .as_ref()
            .is_some_and(|before| run.fields.through < *before)
        {
            found(format!(
                "it closes through {}, before the run before it",
                run.fields.through
            ));
        }
        let lines = lines_by_run.remove(&run.number).unwrap_or_default();
        if run_hash(run.number, &run.fields, &run.previous_hash, &lines) != run.hash {
            found(
                "its fields or lines do not match its hash (a row was changed or deleted outside meed)"
                    .into(),
            );
        }
        if lines.is_empty() {
            found("it books no line (a run that books nothing is never stored)".into());
        }
        let mut seen_here = Vec::new();
        for line in &lines {
            let month = (
                line.group.who.clone(),
                line.group.reward.clone(),
                line.group.earned.clone(),
            );
            let booked_before = months_booked.contains(&month);
            let expected_kind = if booked_before {
                LineKind::Adjustment
            } else {
                LineKind::Regular
            };
            if line.kind != expected_kind {
                found(format!(
                    "its line for `{}` {} {} is marked {} but should be {}",
                    line.group.who,
                    line.group.reward,
                    line.group.earned,
                    line.kind.as_str(),
                    expected_kind.as_str()
                ));
            }
            if line.amount.is_zero() {
                found(format!(
                    "its line for `{}` {} {} books zero",
                    line.group.who, line.group.reward, line.group.earned
                ));
            }
            seen_here.push(month);
        }
        months_booked.extend(seen_here);
        previous_hash = run.hash.clone();
        previous_through = Some(run.fields.through.clone());
    }
    for run in lines_by_run.keys() {
        breaks.push(Break {
            run: Some(*run),
            message: "lines are booked for a run that is not in the books (the run was deleted)"
                .into(),
        });
    }
    Ok(breaks)
}
