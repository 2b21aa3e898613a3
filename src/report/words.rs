//! A person's grants in words: the exact evaluator, asked to explain, runs
//! over the person's own records (a rule grant and its limits depend on
//! nothing else, as for `meed explain`), and the pool shares are the
//! engine's. The engine stays the truth: the worded grants must add up to
//! the engine's totals for the person, account by account, or the report
//! is not written.

use std::collections::BTreeMap;

use crate::eval::{Window, add_to_totals, rule_grants_in_words};
use crate::input::{Log, Roster};
use crate::ledger::{Grant, Origin, Target, Totals};
use crate::pipeline::CompiledPolicy;
use crate::render::amount::is_zero;
use crate::value::Value;

/// The person's grants in ledger order, rule grants with their calculation
/// in words; an error says why the words could not be trusted.
pub fn worded_grants(
    policy: &CompiledPolicy,
    roster: Option<&Roster>,
    log: &Log,
    window: Option<Window>,
    shares: &[Grant],
    engine: Option<&BTreeMap<Target, Value>>,
) -> Result<Vec<Grant>, String> {
    let mut grants = rule_grants_in_words(&policy.ast, &policy.schema, log, roster, window)
        .map_err(|error| error.to_string())?;
    grants.extend(shares.iter().cloned());
    // Ledger order: by time; at one instant rule grants before pool shares
    // (the sort is stable, so each keeps its own order).
    grants.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| is_share(a).cmp(&is_share(b))));
    let mut totals = Totals::new();
    for grant in &grants {
        add_to_totals(&mut totals, grant).map_err(|error| error.to_string())?;
    }
    let empty = BTreeMap::new();
    let worded = totals.into_values().next().unwrap_or_default();
    let engine = engine.unwrap_or(&empty);
    let differs = |a: &BTreeMap<Target, Value>, b: &BTreeMap<Target, Value>| {
        a.iter()
            .any(|(target, x)| !is_zero(x) && b.get(target) != Some(x))
    };
    if differs(&worded, engine) || differs(engine, &worded) {
        return Err("the calculations in words do not add up to the ledger".to_string());
    }
    Ok(grants)
}

fn is_share(grant: &Grant) -> bool {
    matches!(grant.origin, Origin::Pool(_))
}
