//! `meed explain POLICY LOG WHO [ACCOUNT]`: why one person got what they got.

use clap::Args;

use crate::eval::{EvalOptions, PersonSink};
use crate::render::explain::{ExplainContext, render_explain};
use crate::types::suggest::nearest;

use super::eval::evaluate_with;
use super::files::emit;
use super::load::{InputArgs, Loaded, load_inputs};
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
}

pub fn run(args: ExplainArgs) -> Outcome {
    let mut reporter = Reporter::new(args.inputs.data.diagnostics);
    let loaded = match load_inputs(&args.inputs, &mut reporter) {
        Ok(loaded) => loaded,
        Err(outcome) => return outcome,
    };
    if let Err(outcome) = check_arguments(&args, &loaded) {
        return outcome;
    }
    let options = EvalOptions {
        window: loaded.window,
        explain: true,
    };
    let mut sink = PersonSink::new(args.who.as_str());
    if let Err(outcome) = evaluate_with(&loaded, &options, &mut sink, &mut reporter) {
        return outcome;
    }
    let grants: Vec<_> = sink
        .ledger
        .grants
        .into_iter()
        .filter(|g| args.account.as_deref().is_none_or(|a| g.target.name() == a))
        .collect();
    let context = ExplainContext {
        policy: &loaded.policy.ast,
        schema: &loaded.policy.schema,
        log: &loaded.log,
    };
    match emit(
        None,
        &render_explain(&args.who, args.account.as_deref(), &grants, &context),
    ) {
        Ok(()) => Outcome::Success,
        Err(outcome) => outcome,
    }
}

/// The person must appear in the log or roster, the account in the policy;
/// a typo gets a suggestion rather than an empty explanation.
fn check_arguments(args: &ExplainArgs, loaded: &Loaded) -> Result<(), Outcome> {
    let in_log = loaded
        .log
        .contributions
        .iter()
        .any(|c| c.who.as_ref() == args.who);
    let in_roster = loaded
        .roster
        .as_ref()
        .is_some_and(|r| r.people.contains_key(args.who.as_str()));
    if !in_log && !in_roster {
        let mut people: Vec<&str> = loaded
            .log
            .contributions
            .iter()
            .map(|c| c.who.as_ref())
            .collect();
        if let Some(roster) = &loaded.roster {
            people.extend(roster.people.keys().map(|k| k.as_ref()));
        }
        return Err(Outcome::Usage(format!(
            "`{}` has no contributions in `{}`{}",
            args.who,
            loaded.log_source.name(),
            suggestion(&args.who, people)
        )));
    }
    if let Some(account) = &args.account {
        let schema = &loaded.policy.schema;
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
