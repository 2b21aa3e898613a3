//! Stage 4: `pool NAME { grant ACCOUNT AMOUNT per PERIOD  split by EXPR }`.
//!
//! A pool is paid for each of its periods holding at least one contribution
//! of the evaluated log. The people who take part in a period are those with
//! a contribution or a grant in it; each is scored by `split by`, where
//! `total(account)` is their granted total in the period after limits and
//! before any pool. Shares are exact (see [`crate::semantics::split`]), stamped
//! at the period's last instant, and carry no contribution ids: their
//! provenance is the [`PoolShare`] (score, total score, pool amount).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::eval::pending::{OrderKey, Pending, check_account_type};
use crate::eval::rules::{Groups, group_by_person};
use crate::eval::scope::{Env, PersonPeriod, Scope};
use crate::eval::show;
use crate::input::Contribution;
use crate::ledger::{Grant, Origin, PoolShare, Target};
use crate::semantics::arith;
use crate::semantics::dated::Validity;
use crate::semantics::error::{EvalError, EvalErrorKind, EvalWarning};
use crate::semantics::order::Stage;
use crate::semantics::period::PeriodKey;
use crate::semantics::round::round_grant;
use crate::semantics::split::split_pool;
use crate::syntax::ast::PoolDecl;
use crate::value::{Money, Value};

/// Totals per person and pool period, per account, before any pool.
type PeriodTotals = BTreeMap<(Arc<str>, PeriodKey), BTreeMap<String, Value>>;

/// Pays one pool for each of its periods; `grants` are the grants after
/// limits (stages 1 to 3), in ledger order.
#[expect(
    clippy::too_many_arguments,
    reason = "one call site; a struct would only rename them"
)]
pub fn pay_pool(
    env: &Env<'_>,
    pool: &PoolDecl,
    position: usize,
    records: &[&Contribution],
    grants: &[Pending],
    explain: bool,
    out: &mut Vec<Pending>,
    warnings: &mut Vec<(DateTime<Utc>, EvalWarning)>,
) -> Result<(), EvalError> {
    let name = pool.name.node.as_str();
    let period = pool.period.node;
    let context = |label: &str| format!("pool `{name}` in {label}");
    let validity = Validity::of(pool.window.as_ref(), env.tz);
    let groups = group_by_person(records, period, env);
    let totals = totals_by_period(grants, period, env)?;
    let periods: BTreeSet<PeriodKey> = groups.keys().map(|(_, k)| *k).collect();
    let empty = BTreeMap::new();
    for key in periods {
        let label = key.label();
        // A pool pays the periods that start in its window, the amount in
        // force when each starts (§6).
        let start = key.start(env.tz);
        if !validity.contains(start) {
            continue;
        }
        let at_start = Scope {
            at: Some(start),
            ..Scope::new(env)
        };
        let amount = at_start
            .value(&pool.amount)
            .and_then(|v| round_grant(v, env.rounding).map_err(|e| e.at(pool.amount.span)))
            .map_err(|e| e.in_context(|| context(&label)))?;
        check_account_type(&at_start, &pool.account.node, &amount, pool.amount.span)?;
        let (digits, amount_units) = units_of(&amount).ok_or_else(|| {
            EvalError::internal(
                "a pool amount must be money, points or a duration",
                Some(pool.amount.span),
            )
        })?;
        let people = people_in(&groups, &totals, key);
        let mut scores: Vec<(Arc<str>, Value)> = Vec::with_capacity(people.len());
        for who in people {
            let records = groups
                .get(&(who.clone(), key))
                .map_or(&[][..], Vec::as_slice);
            let person_totals = totals.get(&(who.clone(), key)).unwrap_or(&empty);
            let scope = Scope {
                person: Some(PersonPeriod {
                    who: &who,
                    records,
                    totals: Some(person_totals),
                }),
                ..at_start
            };
            let context = || format!("pool `{name}`, `{who}` in {label}");
            let score = scope
                .value(&pool.split_by)
                .map_err(|e| e.in_context(context))?;
            scores.push((who.clone(), score));
        }
        let numeric: Vec<(&str, crate::fraction::Fraction)> = scores
            .iter()
            .map(|(who, s)| {
                let m = arith::fraction(s).ok_or_else(|| {
                    EvalError::internal(
                        format!("a score of `{}` cannot split a pool", s.ty()),
                        Some(pool.split_by.span),
                    )
                })?;
                Ok((who.as_ref(), m))
            })
            .collect::<Result<_, EvalError>>()?;
        let shares = split_pool(amount_units, &numeric).map_err(|_| {
            EvalError::new(
                EvalErrorKind::PoolTooPrecise {
                    pool: name.to_string(),
                },
                Some(pool.split_by.span),
            )
            .in_context(|| context(&label))
        })?;
        if shares.is_empty() {
            warnings.push((
                key.last_instant(env.tz),
                EvalWarning::PoolUnclaimed {
                    pool: name.to_string(),
                    period: label.clone(),
                },
            ));
            continue;
        }
        let mut total_score: Option<Value> = None;
        for share in &shares {
            if let Some((_, s)) = scores.get(share.index) {
                total_score = Some(match total_score {
                    None => s.clone(),
                    Some(t) => arith::add(&t, s, pool.split_by.span)
                        .map_err(|e| e.in_context(|| context(&label)))?,
                });
            }
        }
        let total_score = total_score.unwrap_or(Value::Int(0));
        let at = key.last_instant(env.tz);
        for share in shares {
            let Some((who, score)) = scores.get(share.index) else {
                continue;
            };
            let value = with_units(&amount, share.units, digits);
            let calculation = explain.then(|| {
                Arc::<str>::from(explain_share(
                    &amount,
                    score,
                    &total_score,
                    &value,
                    share.leftover_unit,
                    digits,
                ))
            });
            out.push(Pending {
                key: OrderKey {
                    at,
                    stage: Stage::Pool,
                    id: Arc::from(""),
                    position,
                    who: who.clone(),
                },
                grant: Grant {
                    who: who.clone(),
                    target: Target::Account(pool.account.node.as_str().into()),
                    at,
                    origin: Origin::Pool(PoolShare {
                        pool: name.to_string(),
                        period: label.clone(),
                        score: score.clone(),
                        total_score: total_score.clone(),
                        pool_amount: amount.clone(),
                        leftover_unit: share.leftover_unit,
                    }),
                    contributions: Vec::new(),
                    amount: value.clone(),
                    granted: value,
                    cuts: Vec::new(),
                    calculation,
                },
            });
        }
    }
    Ok(())
}

/// Everyone with a record or a grant in the pool period, by who.
fn people_in(groups: &Groups<'_>, totals: &PeriodTotals, key: PeriodKey) -> BTreeSet<Arc<str>> {
    groups
        .keys()
        .chain(totals.keys())
        .filter(|(_, k)| *k == key)
        .map(|(who, _)| who.clone())
        .collect()
}

/// Each person's granted total per account in each period of `period`'s
/// kind, from the grants after limits.
fn totals_by_period(
    grants: &[Pending],
    period: crate::syntax::ast::Period,
    env: &Env<'_>,
) -> Result<PeriodTotals, EvalError> {
    let mut totals = PeriodTotals::new();
    for pending in grants {
        let grant = &pending.grant;
        let Target::Account(account) = &grant.target else {
            continue;
        };
        let key = PeriodKey::of(grant.at, period, env.tz);
        let per_account = totals.entry((grant.who.clone(), key)).or_default();
        match per_account.get_mut(&**account) {
            Some(sum) => *sum = arith::add(sum, &grant.granted, crate::source::Span::NOWHERE)?,
            None => {
                per_account.insert(account.to_string(), grant.granted.clone());
            }
        }
    }
    Ok(totals)
}

/// The unit a pool is split in and the amount in those units: the
/// currency's minor unit for money; for points and durations (minutes), the
/// finest digit the amount is written with (`1000 pts` splits in whole
/// points, `0.5 pts` in tenths).
pub(crate) fn units_of(amount: &Value) -> Option<(u32, i128)> {
    let (digits, magnitude) = match amount {
        Value::Money(m) => (m.currency.minor_digits(), m.amount),
        Value::Points(p) | Value::Duration(p) => (p.normalize().scale(), *p),
        _ => return None,
    };
    let mut scaled = magnitude;
    scaled.rescale(digits);
    Some((digits, scaled.mantissa()))
}

/// A share of `units` in the pool amount's type.
pub(crate) fn with_units(amount: &Value, units: i128, digits: u32) -> Value {
    let d = Decimal::try_from_i128_with_scale(units, digits).unwrap_or_default();
    match amount {
        Value::Money(m) => Value::Money(Money::new(d, m.currency)),
        Value::Duration(_) => Value::Duration(d),
        _ => Value::Points(d),
    }
}

/// A pool score as the words show it: a plain number without trailing
/// zeros, since the exact evaluator and the engine reach the same score
/// with different scales (`2.0320`, `2.032`) and the words must not depend
/// on which one ran.
pub(crate) fn score_as_shown(score: &Value) -> Value {
    match score {
        Value::Decimal(d) => Value::Decimal(d.normalize()),
        other => other.clone(),
    }
}

/// `1000.00 EUR × 30 pts ÷ 90 pts, rounded down, + 0.01 EUR (largest remainder) = 333.34 EUR`.
pub(crate) fn explain_share(
    amount: &Value,
    score: &Value,
    total: &Value,
    share: &Value,
    leftover: bool,
    digits: u32,
) -> String {
    let shown = |value: &Value| show::value(&score_as_shown(value));
    let ((score, score_prec), (total, total_prec)) = (shown(score), shown(total));
    let mut text = format!(
        "{} × {} ÷ {}",
        show::result(amount),
        show::wrap(&score, score_prec, show::MUL),
        show::wrap(&total, total_prec, show::MUL + 1),
    );
    if leftover {
        let unit = with_units(amount, 1, digits);
        text.push_str(&format!(
            ", rounded down, + {} (largest remainder)",
            show::result(&unit)
        ));
    } else {
        text.push_str(", rounded down");
    }
    text.push_str(&format!(" = {}", show::result(share)));
    text
}
