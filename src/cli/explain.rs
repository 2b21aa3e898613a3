//! `meed explain POLICY LOG WHO [ACCOUNT]`: why one person got what they got.

use std::sync::Arc;

use clap::Args;

use crate::eval::stream::file::{Observers, RecordSink};
use crate::eval::stream::{Keep, StreamRecord};
use crate::eval::unrewarded::unrewarded;
use crate::eval::{PersonSink, Window, WordsMemo, rule_grants_in_words};
use crate::input::{Contribution, Log, Roster};
use crate::ledger::{Grant, Origin};
use crate::pipeline::CompiledPolicy;
use crate::render::explain::{ExplainContext, render_explain};
use crate::render::unrewarded::render_unearned;
use crate::schema::Schema;
use crate::types::suggest::nearest;

use super::eval::evaluate_observed;
use super::files::emit;
use super::load::{InputArgs, load_policy, window};
use super::{Outcome, Reporter};

#[derive(Debug, Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// The person, as written in the log's `who` column
    #[arg(value_name = "WHO")]
    who: String,
    /// Only this reward account or badge
    #[arg(value_name = "ACCOUNT")]
    account: Option<String>,
    /// Also list every contribution that earned nothing, each with why
    #[arg(long, conflicts_with = "account")]
    all: bool,
}

pub fn run(args: ExplainArgs) -> Outcome {
    match explain(&args) {
        Ok(()) => Outcome::Success,
        Err(outcome) => outcome,
    }
}

/// One engine run keeps the person's grants whole and their records; their
/// calculations are then worded by the exact evaluator over those records
/// alone (see [`word_calculations`]).
fn explain(args: &ExplainArgs) -> Result<(), Outcome> {
    let mut reporter = Reporter::new(args.inputs.data.diagnostics);
    let policy = load_policy(&args.inputs.policy, &mut reporter)?;
    check_account(args, &policy.schema)?;
    let who: Arc<str> = Arc::from(args.who.as_str());
    let mut records = PersonRecords::new(who.clone());
    let mut kept = PersonSink::new(who.clone());
    let observers = Observers {
        kept: Some((Keep::Person(who), &mut kept)),
        records: Some(&mut records),
        by: None,
    };
    let evaluated = evaluate_observed(policy, &args.inputs.data, observers, &mut reporter)?;
    check_person(args, &records, evaluated.roster.as_ref())?;
    let log = Log {
        contributions: records.records,
    };
    let window = window(&args.inputs.data, &evaluated.policy)?;
    let grants = word_calculations(
        &evaluated.policy,
        evaluated.roster.as_ref(),
        &log,
        window,
        kept.ledger.grants,
    );
    let grants: Vec<Grant> = grants
        .into_iter()
        .filter(|g| args.account.as_deref().is_none_or(|a| g.target.name() == a))
        .collect();
    let context = ExplainContext {
        policy: &evaluated.policy.ast,
        schema: &evaluated.policy.schema,
        log: &log,
    };
    let mut text = render_explain(&args.who, args.account.as_deref(), &grants, &context);
    if args.all
        && let Some(section) = nothing_earned(
            &evaluated.policy,
            evaluated.roster.as_ref(),
            &log,
            &grants,
            window,
        )
    {
        text.push('\n');
        text.push_str(&section);
    }
    emit(None, &text)
}

/// The `--all` section: the person's contributions that earned nothing,
/// each with why (see [`unrewarded`]). As with the calculations, the
/// grants stay the truth: if the reasons cannot be worked out, the section
/// is left out, with a note.
fn nothing_earned(
    policy: &CompiledPolicy,
    roster: Option<&Roster>,
    log: &Log,
    grants: &[Grant],
    window: Option<Window>,
) -> Option<String> {
    match unrewarded(
        &policy.ast,
        &policy.schema,
        roster,
        &log.contributions,
        grants,
        window,
    ) {
        Ok(unearned) => Some(render_unearned(&unearned, &policy.schema)),
        Err(error) => {
            errln!("meed: the contributions that earned nothing cannot be listed ({error})");
            None
        }
    }
}

/// Fills in the calculation of each rule grant, in words: the exact
/// evaluator, asked to explain, runs over the person's own records (a
/// rule grant and its limits depend on nothing else; pool shares are worded
/// from the share itself). The engine's grants stay the truth: if the words
/// do not arrive at the same amounts, they are left out, with a note.
fn word_calculations(
    policy: &CompiledPolicy,
    roster: Option<&Roster>,
    log: &Log,
    window: Option<Window>,
    mut grants: Vec<Grant>,
) -> Vec<Grant> {
    let words = match rule_grants_in_words(
        &policy.ast,
        &policy.schema,
        log,
        roster,
        window,
        &mut WordsMemo::default(),
    ) {
        Ok(words) => words,
        Err(error) => {
            errln!(
                "meed: the calculations cannot be put in words ({error}); the amounts are shown"
            );
            return grants;
        }
    };
    let from_rules = |g: &&mut Grant| matches!(g.origin, Origin::Rule { .. });
    let engine: Vec<&mut Grant> = grants.iter_mut().filter(from_rules).collect();
    let agree = engine.len() == words.len()
        && engine.iter().zip(&words).all(|(e, w)| {
            e.origin == w.origin && e.at == w.at && e.target == w.target && e.amount == w.amount
        });
    if !agree {
        errln!(
            "meed: internal: the calculations in words do not match the ledger; the amounts are shown"
        );
        return grants;
    }
    for (grant, words) in engine.into_iter().zip(words) {
        grant.calculation = words.calculation;
    }
    grants
}

/// The person's records, and everyone's names (for a suggestion when the
/// person is not in the log).
struct PersonRecords {
    who: Arc<str>,
    /// The person's index, once their first record has passed: later
    /// records are told by it, not by comparing names.
    index: Option<u32>,
    records: Vec<Contribution>,
    names: Vec<Arc<str>>,
}

impl PersonRecords {
    fn new(who: Arc<str>) -> PersonRecords {
        PersonRecords {
            who,
            index: None,
            records: Vec::new(),
            names: Vec::new(),
        }
    }
}

impl RecordSink for PersonRecords {
    fn record(&mut self, record: &StreamRecord<'_>) {
        // People are numbered in order of first appearance.
        if record.who as usize == self.names.len() {
            self.names.push(record.who_name.clone());
            if *record.who_name == self.who {
                self.index = Some(record.who);
            }
        }
        if self.index == Some(record.who) {
            self.records.push(Contribution {
                id: Arc::from(record.id),
                who: record.who_name.clone(),
                kind: record.kind,
                at: record.at,
                fields: record.fields.to_vec(),
                line: 0,
            });
        }
    }

    fn restart(&mut self) {
        self.index = None;
        self.records.clear();
        self.names.clear();
    }
}

/// The person must appear in the log or roster; a typo gets a suggestion
/// rather than an empty explanation.
fn check_person(
    args: &ExplainArgs,
    records: &PersonRecords,
    roster: Option<&Roster>,
) -> Result<(), Outcome> {
    let in_roster = roster.is_some_and(|r| r.people.contains_key(args.who.as_str()));
    if !records.records.is_empty() || in_roster {
        return Ok(());
    }
    let mut people: Vec<&str> = records.names.iter().map(|n| n.as_ref()).collect();
    if let Some(roster) = roster {
        people.extend(roster.people.keys().map(|k| k.as_ref()));
    }
    Err(Outcome::Usage(format!(
        "`{}` has no contributions in `{}`{}",
        args.who,
        args.inputs.data.log.display(),
        suggestion(&args.who, people)
    )))
}

/// The account must be in the policy.
fn check_account(args: &ExplainArgs, schema: &Schema) -> Result<(), Outcome> {
    if let Some(account) = &args.account {
        let known = schema.rewards.contains_key(account) || schema.badges.contains_key(account);
        if !known {
            let names = schema
                .rewards
                .keys()
                .chain(schema.badges.keys())
                .map(String::as_str);
            return Err(Outcome::Usage(format!(
                "the policy has no reward account or badge called `{account}`{}",
                suggestion(account, names)
            )));
        }
    }
    Ok(())
}

/// `; did you mean `alice`?` for the closest name, if one is close.
fn suggestion<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    nearest(wrong, candidates).map_or(String::new(), |c| format!("; did you mean `{c}`?"))
}
