//! Stage 3: `limit ACCOUNT [from RULE, ...] at most CAP per person per PERIOD`.
//!
//! Limits apply in declaration order, each to the grants as the previous
//! ones left them. Per person and period (the one holding the grant's own
//! stamp), grants are walked in ledger order with a running sum, and each
//! is cut as [`crate::semantics::limit::cut`] says. Every cut is recorded
//! on its grant.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use crate::eval::pending::Pending;
use crate::eval::scope::{Env, Scope};
use crate::eval::show;
use crate::ledger::{LimitCut, Origin, Target};
use crate::semantics::arith;
use crate::semantics::error::EvalError;
use crate::semantics::limit;
use crate::semantics::period::PeriodKey;
use crate::semantics::round::round_cap;
use crate::syntax::ast::LimitDecl;
use crate::value::Value;

/// The limit as written: `bonus at most 300 EUR per person per month`,
/// `reputation from answers at most 200 pts per person per day`.
pub fn describe_limit(limit: &LimitDecl) -> String {
    let from = if limit.from.is_empty() {
        String::new()
    } else {
        let names: Vec<&str> = limit.from.iter().map(|r| r.node.as_str()).collect();
        format!(" from {}", names.join(", "))
    };
    format!(
        "{}{from} at most {} per person per {}",
        limit.account.node,
        show::source(&limit.cap),
        limit.period.node
    )
}

/// Applies one limit to `grants`, which are in ledger order.
///
/// A money cap is rounded *down* to the currency's minor unit (points and
/// durations to ten places), so cut grants stay in whole minor units and a
/// limited total never exceeds the cap as written.
pub fn apply_limit(
    env: &Env<'_>,
    limit: &LimitDecl,
    grants: &mut [Pending],
) -> Result<(), EvalError> {
    let text: Arc<str> = describe_limit(limit).into();
    let context = || format!("limit `{text}`");
    // The cap in force at each period's start (§6), worked out once per period.
    let mut caps: HashMap<PeriodKey, Value> = HashMap::new();
    let span = limit.cap.span;
    let mut running: HashMap<(Arc<str>, PeriodKey), Value> = HashMap::new();
    for pending in grants.iter_mut() {
        let grant = &mut pending.grant;
        if !matches!(&grant.target, Target::Account(a) if **a == *limit.account.node) {
            continue;
        }
        if !limit.from.is_empty() {
            let Origin::Rule { name, .. } = &grant.origin else {
                continue;
            };
            if !limit.from.iter().any(|r| *r.node == **name) {
                continue;
            }
        }
        let key = PeriodKey::of(grant.at, limit.period.node, env.tz);
        let cap = match caps.get(&key) {
            Some(cap) => cap.clone(),
            None => {
                let cap = Scope {
                    at: Some(key.start(env.tz)),
                    ..Scope::new(env)
                }
                .value(&limit.cap)
                .and_then(round_cap)
                .map_err(|e| {
                    e.in_context(|| format!("limit `{text}`, `{}` in {}", grant.who, key.label()))
                })?;
                caps.insert(key, cap.clone());
                cap
            }
        };
        let so_far = match running.entry((grant.who.clone(), key)) {
            Entry::Occupied(sum) => sum.into_mut(),
            Entry::Vacant(slot) => slot.insert(
                arith::zero_of(&grant.granted.ty())
                    .ok_or_else(|| EvalError::internal("cannot limit this grant", Some(span)))?,
            ),
        };
        let before = grant.granted.clone();
        let cut = limit::cut(&before, &cap, so_far, span).map_err(|e| e.in_context(context))?;
        if cut.cut {
            grant.cuts.push(LimitCut {
                limit: text.clone(),
                period: key.label(),
                already_granted: so_far.clone(),
                cap: cap.clone(),
                before,
                after: cut.left.clone(),
            });
            grant.granted = cut.left;
        }
        *so_far = cut.running;
    }
    Ok(())
}
