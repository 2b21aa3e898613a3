//! `meed report POLICY LOG --out DIR`: a statement per person and the
//! organisation's report, as self-contained HTML (LANGUAGE.md §8).
//!
//! One engine run keeps nothing whole but pool shares (`Keep::PoolShares`)
//! and spills every record to disk by person (`report::spill`). Statements
//! are then written a bucket of people at a time: each bucket's records are
//! run again, worded, and its rule grants are added to the organisation's
//! figures (`report::collect`) before they are dropped. Memory holds one
//! bucket's records and the totals, never the log or the ledger. The pages are
//! written into a directory next to `--out` and moved into place at the
//! end (`report::output`).

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::Args;
use rayon::prelude::*;

use crate::books::Books;
use crate::eval::stream::Keep;
use crate::eval::stream::file::Observers;
use crate::eval::{Window, WordsMemo};
use crate::input::{Log, Roster};
use crate::ledger::{Grant, Totals};
use crate::pipeline::CompiledPolicy;
use crate::render::explain::ExplainContext;
use crate::report::collect::OrgFigures;
use crate::report::names::file_stem;
use crate::report::nothing::nothing_lines;
use crate::report::output::Staging;
use crate::report::overview::{Heading, OverviewInput, PaidView, overview};
use crate::report::page;
use crate::report::spill::{BUCKETS, RecordSpill, SpilledRecords, bucket_of};
use crate::report::statement::{Paid, PaidLine, StatementInput, statement, visible};
use crate::report::words::{word_people, worded_grants};
use crate::syntax::ast::Item;

use super::close::books_failed;
use super::eval::evaluate_observed;
use super::interrupt::{Unfinished, remove_if_interrupted};
use super::load::{InputArgs, load_policy, window};
use super::{Outcome, Reporter};
use crate::report::claimed::{ClaimedDir, sweep};

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// The directory to write: new, empty, or an earlier report (replaced)
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// The books of payout runs, to show what run `--run` paid
    #[arg(long, value_name = "FILE", requires = "run")]
    books: Option<PathBuf>,
    /// The payout run to show (with `--books`)
    #[arg(long, value_name = "N", requires = "books")]
    run: Option<i64>,
}

pub fn run(args: ReportArgs) -> Outcome {
    match report(&args) {
        Ok(()) => Outcome::Success,
        Err(outcome) => outcome,
    }
}

/// What each person was paid by the run asked for, and the run in all.
struct RunPaid {
    number: i64,
    through: String,
    per_person: HashMap<Arc<str>, Vec<PaidLine>>,
    totals: BTreeMap<(String, String, String), rust_decimal::Decimal>,
}

/// The names of spill directories in the temporary folder.
const SPILL_PREFIX: &str = ".meed-spill-";

/// A claimed directory and its lock file are removed on Ctrl-C.
fn remove_claimed_if_interrupted(dir: &Path, lock: &Path) -> [Unfinished; 2] {
    [remove_if_interrupted(lock), remove_if_interrupted(dir)]
}

fn report(args: &ReportArgs) -> Result<(), Outcome> {
    let mut reporter = Reporter::new(args.inputs.data.diagnostics);
    let staging = Staging::new(&args.out).map_err(|e| Outcome::Usage(e.to_string()))?;
    let _staged = remove_claimed_if_interrupted(staging.path(), staging.lock_path());
    let paid = read_run(args, &mut reporter)?;
    let policy = load_policy(&args.inputs.policy, &mut reporter)?;
    let temp = std::env::temp_dir();
    sweep(&temp, SPILL_PREFIX);
    let spill_dir = ClaimedDir::new_in(&temp, SPILL_PREFIX)
        .map_err(|e| failed(&format!("cannot create a temporary directory: {e}")))?;
    let _spilled = remove_claimed_if_interrupted(spill_dir.path(), spill_dir.lock_path());
    let mut spill = RecordSpill::new(spill_dir.path())
        .map_err(|e| failed(&format!("cannot write temporary files: {e}")))?;
    let mut figures = OrgFigures::new(policy.schema.timezone);
    let observers = Observers {
        by: None,
        kept: Some((Keep::PoolShares, &mut figures)),
        records: Some(&mut spill),
    };
    let evaluated = evaluate_observed(policy, &args.inputs.data, observers, &mut reporter)?;
    let spilled = spill
        .finish()
        .map_err(|e| failed(&format!("cannot write temporary files: {e}")))?;
    let window = window(&args.inputs.data, &evaluated.policy)?;
    let heading = heading(args, &evaluated.policy);
    let writer = Writer {
        policy: &evaluated.policy,
        roster: evaluated.roster.as_ref(),
        window,
        totals: &evaluated.totals,
        figures: &figures,
        heading: &heading,
        staging: &staging,
        paid: paid.as_ref(),
    };
    let (people, rule_figures) = writer.statements(&spilled)?;
    for part in rule_figures {
        figures
            .merge(part)
            .map_err(|e| failed(&format!("the report's figures: {e}")))?;
    }
    let index = page::index(&overview(OverviewInput {
        heading: heading.clone(),
        schema: &evaluated.policy.schema,
        roster: evaluated.roster.as_ref(),
        people: &people,
        totals: &evaluated.totals,
        figures: &figures,
        paid: paid.as_ref().map(paid_view),
    }))
    .map_err(|e| failed(&format!("internal: the report's page: {e}")))?;
    staging
        .write("index.html", &index)
        .map_err(|e| failed(&format!("cannot write the report: {e}")))?;
    staging.commit().map_err(|e| failed(&e.to_string()))
}

/// One bucket's statements written: whose, and the figures of their rule
/// grants.
struct BucketWritten {
    names: Vec<Arc<str>>,
    figures: OrgFigures,
}

/// What the pages need to write the statements.
struct Writer<'a> {
    policy: &'a CompiledPolicy,
    roster: Option<&'a Roster>,
    window: Option<Window>,
    totals: &'a Totals,
    figures: &'a OrgFigures,
    heading: &'a Heading,
    staging: &'a Staging,
    paid: Option<&'a RunPaid>,
}

impl Writer<'_> {
    /// Writes every person's statement, a bucket at a time; returns
    /// everyone, sorted as bytes, and the figures of their rule grants, a
    /// part per bucket.
    fn statements(
        &self,
        spilled: &SpilledRecords,
    ) -> Result<(Vec<Arc<str>>, Vec<OrgFigures>), Outcome> {
        let mut roster_buckets: Vec<Vec<Arc<str>>> = vec![Vec::new(); BUCKETS];
        if let Some(roster) = self.roster {
            for who in roster.people.keys() {
                if let Some(bucket) = roster_buckets.get_mut(bucket_of(who)) {
                    bucket.push(who.clone());
                }
            }
        }
        // Buckets in parallel (each page is its own file, so the order in
        // which they are written changes nothing); each thread holds one
        // bucket's records, and the words it has written (one policy: a
        // review of 120 lines is worded once, not once per bucket).
        let written: Vec<Result<BucketWritten, Outcome>> = roster_buckets
            .into_par_iter()
            .enumerate()
            .map_init(WordsMemo::default, |memo, (bucket, roster_people)| {
                let mut people = spilled
                    .bucket(bucket)
                    .map_err(|e| failed(&format!("cannot read temporary files: {e}")))?;
                for who in roster_people {
                    people.entry(who).or_default();
                }
                let mut names = Vec::with_capacity(people.len());
                let mut figures = OrgFigures::new(self.policy.schema.timezone);
                for group in word_people(self.policy, self.roster, people, self.window, memo) {
                    let group = group.map_err(|e| failed(&format!("the statements: {e}")))?;
                    for person in group {
                        figures
                            .add_grants(&person.rule_grants)
                            .map_err(|e| failed(&format!("the report's figures: {e}")))?;
                        self.statement(&person.who, person.records, person.rule_grants)?;
                        names.push(person.who);
                    }
                }
                Ok(BucketWritten { names, figures })
            })
            .collect();
        let mut everyone = Vec::new();
        let mut figures = Vec::with_capacity(written.len());
        for bucket in written {
            let bucket = bucket?;
            everyone.extend(bucket.names);
            figures.push(bucket.figures);
        }
        everyone.sort();
        Ok((everyone, figures))
    }

    fn statement(
        &self,
        who: &Arc<str>,
        records: Vec<crate::input::Contribution>,
        rule_grants: Vec<Grant>,
    ) -> Result<(), Outcome> {
        let log = Log {
            contributions: records,
        };
        let shares: &[Grant] = self.figures.shares.get(who).map_or(&[], Vec::as_slice);
        let totals = self.totals.get(who);
        let grants = worded_grants(rule_grants, shares, totals)
            .map_err(|e| failed(&format!("the statement of `{}`: {e}", visible(who))))?;
        let schema = &self.policy.schema;
        let nothing = nothing_lines(
            &self.policy.ast,
            schema,
            self.roster,
            &log.contributions,
            &grants,
            self.window,
        )
        .map_err(|e| failed(&format!("the statement of `{}`: {e}", visible(who))))?;
        let roster = self
            .roster
            .and_then(|r| r.people.get(who))
            .map(|row| {
                schema
                    .person
                    .iter()
                    .zip(row)
                    .map(|(column, value)| (column.name.clone(), roster_cell(value)))
                    .collect()
            })
            .unwrap_or_default();
        let paid = self.paid.map(|run| Paid {
            run: run.number,
            lines: run.per_person.get(who).cloned().unwrap_or_default(),
        });
        let model = statement(StatementInput {
            heading: self.heading.clone(),
            who,
            roster,
            context: ExplainContext {
                policy: &self.policy.ast,
                schema,
                log: &log,
            },
            grants: &grants,
            totals,
            nothing,
            paid,
        });
        let html = page::statement(&model)
            .map_err(|e| failed(&format!("internal: a statement's page: {e}")))?;
        self.staging
            .write(&format!("people/{}.html", file_stem(who)), &html)
            .map_err(|e| failed(&format!("cannot write the report: {e}")))
    }
}

/// A roster cell as a person reads it: text without quotes.
fn roster_cell(value: &crate::value::Value) -> String {
    match value {
        crate::value::Value::Text(text) => visible(text),
        other => visible(&crate::render::amount::human(other)),
    }
}

fn heading(args: &ReportArgs, policy: &CompiledPolicy) -> Heading {
    let title = policy
        .ast
        .items
        .iter()
        .find_map(|item| match item {
            Item::Policy(header) => Some(header.title.node.clone()),
            _ => None,
        })
        .unwrap_or_else(|| args.inputs.policy.display().to_string());
    let data = &args.inputs.data;
    let period = match (&data.period, data.from, data.to) {
        (Some(p), _, _) => p.clone(),
        (None, Some(from), Some(to)) => format!("{from} to {to}"),
        (None, Some(from), None) => format!("from {from}"),
        (None, None, Some(to)) => format!("up to {to}"),
        (None, None, None) => "the whole log".to_string(),
    };
    Heading {
        policy: title,
        period,
        timezone: policy.schema.timezone.name().to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
    }
}

/// The lines of run `--run` in the books `--books`.
fn read_run(args: &ReportArgs, reporter: &mut Reporter) -> Result<Option<RunPaid>, Outcome> {
    let (Some(path), Some(number)) = (&args.books, args.run) else {
        return Ok(None);
    };
    let books = Books::open_existing(path).map_err(|e| books_failed(&e, reporter))?;
    let runs = books.runs().map_err(|e| books_failed(&e, reporter))?;
    let Some(run) = runs.iter().find(|r| r.number == number) else {
        let error = crate::books::BooksError::NoRun {
            run: number,
            count: i64::try_from(runs.len()).unwrap_or(i64::MAX),
        };
        reporter.report(&error, &crate::source::SourceFile::new("", String::new()));
        return Err(Outcome::Usage(String::new()));
    };
    let mut paid = RunPaid {
        number,
        through: run.fields.through.clone(),
        per_person: HashMap::new(),
        totals: BTreeMap::new(),
    };
    for (_, line) in books
        .lines(Some(number))
        .map_err(|e| books_failed(&e, reporter))?
    {
        let amount = format!("{} {}", line.amount_text(), line.group.unit);
        paid.per_person
            .entry(line.group.who.clone())
            .or_default()
            .push(PaidLine {
                reward: line.group.reward.to_string(),
                earned: line.group.earned.to_string(),
                kind: line.kind.as_str().to_string(),
                amount,
            });
        let key = (
            line.group.reward.to_string(),
            line.kind.as_str().to_string(),
            line.group.unit.to_string(),
        );
        *paid.totals.entry(key).or_default() += line.amount;
    }
    Ok(Some(paid))
}

fn paid_view(paid: &RunPaid) -> PaidView {
    PaidView {
        run: paid.number,
        through: paid.through.clone(),
        totals: paid
            .totals
            .iter()
            .map(|((reward, kind, unit), amount)| {
                (
                    reward.clone(),
                    kind.clone(),
                    format!("{} {unit}", crate::books::amount_text(*amount, unit)),
                )
            })
            .collect(),
    }
}

fn failed(message: &str) -> Outcome {
    errln!("error: {message}");
    Outcome::Failed
}
