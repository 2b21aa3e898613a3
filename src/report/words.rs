//! People's grants in words: the engine, asked to explain, runs over the
//! records of a group of people together (a rule grant and its limits
//! depend on nothing but the person's own records, as for `meed explain`),
//! and the pool shares are the whole run's. The whole run stays the truth:
//! each person's worded grants must add up to its totals for the person,
//! account by account, or the report is not written.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::eval::{Window, WordsMemo, add_to_totals, rule_grants_in_words};
use crate::input::hash::FxBuild;
use crate::input::{Contribution, Log, Roster};
use crate::ledger::{Grant, Origin, Target, Totals};
use crate::pipeline::CompiledPolicy;
use crate::render::amount::is_zero;
use crate::value::Value;

/// One person of a bucket: their records and their rule grants in words,
/// in ledger order.
pub struct PersonInWords {
    pub who: Arc<str>,
    pub records: Vec<Contribution>,
    pub rule_grants: Vec<Grant>,
}

/// At most this many records are worded in one engine run: enough to
/// share the run among many people, few enough that their worded grants
/// stay small in memory (a person's statement is written before the next
/// group is worded).
const RECORDS_PER_RUN: usize = 16_384;

/// The rule grants of everyone in `people` (by name, each with their
/// records) in words, a group of people per engine run, group by group in
/// name order (the caller writes a group's statements before the next is
/// worded); an error says why the words could not be had. The words
/// already written for the same policy are in `memo`, kept for the next
/// bucket.
pub fn word_people<'a>(
    policy: &'a CompiledPolicy,
    roster: Option<&'a Roster>,
    people: BTreeMap<Arc<str>, Vec<Contribution>>,
    window: Option<Window>,
    memo: &'a mut WordsMemo,
) -> impl Iterator<Item = Result<Vec<PersonInWords>, String>> + 'a {
    let mut people = people.into_iter();
    std::iter::from_fn(move || {
        let mut group = Vec::new();
        let mut records = 0;
        while records < RECORDS_PER_RUN {
            let Some((who, person)) = people.next() else {
                break;
            };
            records += person.len();
            group.push((who, person));
        }
        (!group.is_empty()).then(|| word_group(policy, roster, group, window, memo))
    })
}

/// One engine run over the records of `group`, its grants split by person.
fn word_group(
    policy: &CompiledPolicy,
    roster: Option<&Roster>,
    group: Vec<(Arc<str>, Vec<Contribution>)>,
    window: Option<Window>,
    memo: &mut WordsMemo,
) -> Result<Vec<PersonInWords>, String> {
    let mut counts = Vec::with_capacity(group.len());
    let mut contributions = Vec::with_capacity(group.iter().map(|(_, r)| r.len()).sum());
    for (who, records) in group {
        counts.push((who, records.len()));
        contributions.extend(records);
    }
    let log = Log { contributions };
    let grants = rule_grants_in_words(&policy.ast, &policy.schema, &log, roster, window, memo)
        .map_err(|error| error.to_string())?;
    // Each person's grants in a vector sized for about a grant per record
    // (grants are large: a vector doubling copies them all).
    let mut index: HashMap<&str, usize, FxBuild> = HashMap::default();
    let mut by_person: Vec<Vec<Grant>> = Vec::with_capacity(counts.len());
    for (i, (who, count)) in counts.iter().enumerate() {
        index.insert(who.as_ref(), i);
        by_person.push(Vec::with_capacity(count + count / 8));
    }
    for grant in grants {
        if let Some(list) = index
            .get(grant.who.as_ref())
            .and_then(|&i| by_person.get_mut(i))
        {
            list.push(grant);
        }
    }
    let mut records = log.contributions.into_iter();
    Ok(counts
        .into_iter()
        .zip(by_person)
        .map(|((who, count), rule_grants)| PersonInWords {
            rule_grants,
            records: records.by_ref().take(count).collect(),
            who,
        })
        .collect())
}

/// The person's grants in ledger order: their rule grants in words and
/// their pool `shares`, checked against the whole run's totals for them
/// (`engine`).
pub fn worded_grants(
    mut grants: Vec<Grant>,
    shares: &[Grant],
    engine: Option<&BTreeMap<Target, Value>>,
) -> Result<Vec<Grant>, String> {
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
