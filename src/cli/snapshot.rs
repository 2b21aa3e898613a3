//! `meed snapshot POLICY LOG --snap FILE [--accept]`: compare the full ledger
//! with an approved snapshot, the way code is compared with golden files.

use std::path::PathBuf;

use clap::Args;
use similar::TextDiff;

use crate::eval::stream::Keep;
use crate::eval::stream::file::Observers;
use crate::ledger::Ledger;
use crate::render::snapshot::{is_older_layout, render_snapshot};

use super::eval::{evaluate_observed, named_inputs};
use super::files::{emit, refuse_overwriting_inputs, write_atomically};
use super::load::{InputArgs, load_policy};
use super::{Outcome, Reporter};

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// The approved snapshot file
    #[arg(long, value_name = "FILE")]
    snap: PathBuf,
    /// Approve the current ledger: write it to the snapshot file
    #[arg(long)]
    accept: bool,
}

pub fn run(args: SnapshotArgs) -> Outcome {
    let mut reporter = Reporter::new(args.inputs.data.diagnostics);
    if args.accept
        && let Err(outcome) =
            refuse_overwriting_inputs("--snap", &args.snap, &named_inputs(&args.inputs))
    {
        return outcome;
    }
    let policy = match load_policy(&args.inputs.policy, &mut reporter) {
        Ok(policy) => policy,
        Err(outcome) => return outcome,
    };
    let policy_tz = policy.schema.timezone;
    let mut ledger = Ledger::default();
    let observers = Observers {
        kept: Some((Keep::Everyone, &mut ledger)),
        ..Observers::default()
    };
    if let Err(outcome) = evaluate_observed(policy, &args.inputs.data, observers, &mut reporter) {
        return outcome;
    }
    let current = render_snapshot(&ledger, policy_tz);
    let snap = args.snap.display().to_string();
    let approved = match std::fs::read_to_string(&args.snap) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => return Outcome::Usage(format!("cannot read `{snap}`: {error}")),
    };
    if approved.as_deref() == Some(current.as_str()) {
        errln!(
            "the ledger matches the approved snapshot `{snap}` ({} grants)",
            ledger.grants.len()
        );
        return Outcome::Success;
    }
    if args.accept {
        if let Err(outcome) = write_atomically(&args.snap, &current) {
            return outcome;
        }
        errln!(
            "approved: wrote the ledger ({} grants) to `{snap}`",
            ledger.grants.len()
        );
        return Outcome::Success;
    }
    let Some(approved) = approved else {
        errln!("error: there is no approved snapshot at `{snap}`");
        errln!("  help: review the ledger, then run again with `--accept` to approve it");
        return Outcome::Failed;
    };
    if is_older_layout(&approved) {
        errln!(
            "error: the approved snapshot `{snap}` was written by an older meed, whose snapshots showed times in UTC"
        );
        errln!(
            "  help: snapshots now show times in the policy's time zone; check that the ledger is still right (`meed eval --format json` shows every grant), then run again with `--accept` to approve it in the new layout"
        );
        return Outcome::Failed;
    }
    let diff = TextDiff::from_lines(&approved, &current);
    let changed = diff
        .ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .count();
    let text = diff
        .unified_diff()
        .context_radius(2)
        .header(&format!("{snap} (approved)"), "current ledger")
        .to_string();
    if let Err(outcome) = emit(None, &text) {
        return outcome;
    }
    errln!(
        "error: the ledger differs from the approved snapshot `{snap}` in {changed} place{}",
        if changed == 1 { "" } else { "s" }
    );
    errln!("  help: if the change is intended, run again with `--accept` to approve it");
    Outcome::Failed
}
