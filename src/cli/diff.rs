//! `meed diff OLD NEW LOG`: what a policy change does to everyone's rewards.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use rust_decimal::Decimal;

use crate::diff::{Direction, PolicyDiff, Side, diff_policies};
use crate::ledger::Totals;
use crate::pipeline::{CompiledPolicy, Evaluated, evaluate_files_side_by_side};
use crate::render::diff::{
    DiffTitles, render_diff_csv, render_diff_json, render_diff_markdown, render_diff_table,
};

use super::eval::{data_files, failed, named_data};
use super::files::{emit, refuse_overwriting_inputs};
use super::load::{DataArgs, load_policy};
use super::progress::ProgressBar;
use super::{Outcome, Reporter};

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The policy as it is now
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The policy as proposed
    #[arg(value_name = "NEW")]
    new: PathBuf,
    #[command(flatten)]
    data: DataArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = DiffFormat::Table)]
    format: DiffFormat,
    /// Write the report to this file (atomically) instead of stdout
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Exit 1 if any account's total rises by more than this, e.g. `5%`
    #[arg(long, value_name = "PERCENT", value_parser = parse_percent)]
    fail_if_cost_increase_over: Option<Decimal>,
    /// Exit 1 if anyone receives less in any account or badge
    #[arg(long)]
    fail_if_anyone_loses: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// Aligned text for a terminal
    Table,
    /// A report to paste into a pull-request comment
    Markdown,
    /// `who,reward,before,after,delta,unit`
    Csv,
    /// Everything, for tools
    Json,
}

/// Evaluates both policies on the same log and reports the difference.
/// Exit 0 — it informs, it does not judge — unless a budget guard trips.
pub fn run(args: DiffArgs) -> Outcome {
    let mut reporter = Reporter::new(args.data.diagnostics);
    if let Some(out) = &args.out {
        let mut inputs = vec![
            ("the old policy", args.old.as_path()),
            ("the new policy", args.new.as_path()),
        ];
        inputs.extend(named_data(&args.data));
        if let Err(outcome) = refuse_overwriting_inputs("--out", out, &inputs) {
            return outcome;
        }
    }
    let policies = load_policy(&args.old, &mut reporter)
        .and_then(|old| Ok((old, load_policy(&args.new, &mut reporter)?)));
    let (mut old, mut new) = match policies {
        Ok(policies) => policies,
        Err(outcome) => return outcome,
    };
    read_alike(&mut old, &mut new);
    let (old, new) = match evaluate_both(old, new, &args.data, &mut reporter) {
        Ok(sides) => sides,
        Err(outcome) => return outcome,
    };
    let new_records = new.records;
    let (old_totals, new_totals) = (&old.totals, &new.totals);
    let (old, new) = (&old.policy, &new.policy);
    let diff = diff_policies(&side(old, old_totals), &side(new, new_totals));
    let log_name = args.data.log.display().to_string();
    let titles = DiffTitles {
        old: old.source.name(),
        new: new.source.name(),
        log: &log_name,
        records: usize::try_from(new_records).unwrap_or(usize::MAX),
    };
    let report = match args.format {
        DiffFormat::Table => render_diff_table(&diff, &titles),
        DiffFormat::Markdown => render_diff_markdown(&diff, &titles),
        DiffFormat::Csv => render_diff_csv(&diff),
        DiffFormat::Json => render_diff_json(&diff),
    };
    if let Err(outcome) = emit(args.out.as_deref(), &report) {
        return outcome;
    }
    if budget_guards_trip(&diff, &args) {
        Outcome::Failed
    } else {
        Outcome::Success
    }
}

fn side<'a>(policy: &'a CompiledPolicy, totals: &'a Totals) -> Side<'a> {
    Side {
        source: &policy.source,
        policy: &policy.ast,
        schema: &policy.schema,
        totals,
    }
}

/// Both policies evaluated over the log, side by side: one read of the
/// log feeds both engines when they read it alike (the library decides).
fn evaluate_both(
    old: CompiledPolicy,
    new: CompiledPolicy,
    data: &DataArgs,
    reporter: &mut Reporter,
) -> Result<(Evaluated, Evaluated), Outcome> {
    let old_files = data_files(data, &old)?;
    let new_files = data_files(data, &new)?;
    let mut bar = ProgressBar::new();
    let sides = evaluate_files_side_by_side(
        (old, &old_files),
        (new, &new_files),
        &mut |done, total| bar.update(done, total),
        reporter,
    );
    bar.finish();
    sides.map_err(failed)
}

/// A log written for the new policy may hold a kind the old one does not
/// declare (or the other way round): each side reads the other's kinds
/// too, so such records earn nothing on that side instead of stopping the
/// comparison (the report says the kind was added or removed). A kind whose
/// fields would clash with a column of the other side is left out, and the
/// log's error says why.
fn read_alike(old: &mut CompiledPolicy, new: &mut CompiledPolicy) {
    let (old_kinds, new_kinds) = (old.schema.kinds.clone(), new.schema.kinds.clone());
    adopt_kinds(&mut old.schema, &new_kinds);
    adopt_kinds(&mut new.schema, &old_kinds);
}

fn adopt_kinds(schema: &mut crate::schema::Schema, others: &[crate::schema::KindSchema]) {
    for kind in others {
        if schema.kind_index(&kind.name).is_some() {
            continue;
        }
        let clashes = kind.fields.iter().any(|field| {
            schema
                .kinds
                .iter()
                .flat_map(|k| &k.fields)
                .any(|f| f.name == field.name && f.ty != field.ty)
        });
        if !clashes {
            schema.kinds.push(kind.clone());
        }
    }
}

/// Prints each tripped guard to stderr; true if any tripped.
fn budget_guards_trip(diff: &PolicyDiff, args: &DiffArgs) -> bool {
    let mut tripped = false;
    if let Some(limit) = args.fail_if_cost_increase_over {
        for account in &diff.accounts {
            let rises =
                crate::semantics::arith::sign(&account.delta) == Some(std::cmp::Ordering::Greater);
            let over = match account.percent {
                Some(percent) => percent > limit,
                None => rises, // from nothing to something
            };
            if rises && over {
                tripped = true;
                let by = account
                    .percent
                    .map_or("from zero".to_string(), |p| format!("by {p}%"));
                errln!(
                    "budget guard: the total of `{}` rises {by}, more than the {limit}% allowed",
                    account.target.name()
                );
            }
        }
    }
    if args.fail_if_anyone_loses {
        let losers: Vec<String> = diff
            .rows
            .iter()
            .filter(|r| r.direction() == Direction::Loss)
            .map(|r| {
                format!(
                    "{} ({})",
                    crate::text::escape_visible(&r.who),
                    r.target.name()
                )
            })
            .collect();
        if !losers.is_empty() {
            tripped = true;
            errln!(
                "budget guard: {} would receive less: {}",
                losers.len(),
                losers.join(", ")
            );
        }
    }
    tripped
}

/// `5%`, `5` or `2.5%` → 5, 5, 2.5.
fn parse_percent(text: &str) -> Result<Decimal, String> {
    text.trim()
        .trim_end_matches('%')
        .parse::<Decimal>()
        .ok()
        .filter(|d| !d.is_sign_negative())
        .ok_or_else(|| format!("`{text}` is not a percentage; write it like `5%`"))
}
