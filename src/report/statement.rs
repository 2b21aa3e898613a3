//! The statement a contributor receives: what they got, month by month,
//! and why, grant by grant, in the words of `meed explain`.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::collect::amount_of;
use super::nothing::{Nothing, NothingLine};
use super::overview::Heading;
use super::rows::grant_rows;
use super::svg;
use crate::eval::PeriodKey;
use crate::ledger::{Grant, Origin, Target};
use crate::render::amount::{human, is_zero};
use crate::render::explain::{ExplainContext, contributions_by_id, share_equation};
use crate::render::time::Local;
use crate::semantics::period::PeriodOf;
use crate::syntax::ast::Period;
use crate::value::Value;

/// One statement, ready for its template.
#[derive(Debug, Serialize)]
pub struct Statement {
    pub heading: Heading,
    /// The person's name, hidden characters written visibly.
    pub who: String,
    /// The roster's columns for the person: `(column, value)`.
    pub roster: Vec<(String, String)>,
    pub totals: Vec<TotalLine>,
    pub charts: Vec<Chart>,
    /// The grants, month by month (of their stamps): the bodies of their
    /// table, as HTML ([`super::rows`]).
    pub grants: String,
    pub cuts: Vec<CutLine>,
    pub shares: Vec<ShareLine>,
    pub nothing: Vec<NothingLine>,
    /// Contributions cut to zero by a limit, named only (their grants tell
    /// the cut).
    pub cut_to_zero: Vec<String>,
    /// How many contributions outside the period earned nothing in it
    /// (counted, not listed).
    pub nothing_outside: usize,
    /// What a payout run paid the person (`--books`, `--run`).
    pub paid: Option<Paid>,
}

/// A total of one account or badge.
#[derive(Debug, Serialize)]
pub struct TotalLine {
    pub name: String,
    /// `account` or `badge`.
    pub kind: &'static str,
    pub amount: String,
}

/// A chart and the table behind it.
#[derive(Debug, Serialize)]
pub struct Chart {
    pub title: String,
    /// The SVG, its texts already escaped.
    pub svg: String,
    /// `(label, amount)` rows.
    pub rows: Vec<(String, String)>,
}

/// What one limit cut from the person's grants, in all (each cut is told
/// on its grant's line too).
#[derive(Debug, Serialize)]
pub struct CutLine {
    /// The limit as written, with its cap: `bonus at most 300 EUR per
    /// person per month`.
    pub limit: String,
    /// How many grants it cut.
    pub cuts: u64,
    /// What it took away in all.
    pub taken: String,
    /// The periods it cut in, `2027-01, 2027-03`.
    pub periods: String,
}

/// One pool share and its arithmetic.
#[derive(Debug, Serialize)]
pub struct ShareLine {
    pub pool: String,
    pub period: String,
    pub equation: String,
}

/// What one payout run paid one person.
#[derive(Debug, Serialize)]
pub struct Paid {
    pub run: i64,
    pub lines: Vec<PaidLine>,
}

/// One line a payout run booked.
#[derive(Clone, Debug, Serialize)]
pub struct PaidLine {
    pub reward: String,
    /// The earned month, `2027-01`.
    pub earned: String,
    /// `regular` or `adjustment`.
    pub kind: String,
    /// The amount with its unit, `207.93 EUR`.
    pub amount: String,
}

/// What a statement is made of.
pub struct StatementInput<'a> {
    pub heading: Heading,
    pub who: &'a str,
    pub roster: Vec<(String, String)>,
    pub context: ExplainContext<'a>,
    /// The person's grants in ledger order, worded.
    pub grants: &'a [Grant],
    /// The engine's totals for the person.
    pub totals: Option<&'a BTreeMap<Target, Value>>,
    pub nothing: Nothing,
    pub paid: Option<Paid>,
}

/// Builds the statement of one person.
pub fn statement(input: StatementInput<'_>) -> Statement {
    let tz = input.context.schema.timezone;
    let by_id = contributions_by_id(input.context.log);
    let grants = grant_rows(input.grants, &by_id, &input.context, tz);
    let mut cuts = Vec::new();
    let mut shares = Vec::new();
    for grant in input.grants {
        for cut in &grant.cuts {
            let taken = crate::semantics::arith::sub(&cut.before, &cut.after, Default::default())
                .unwrap_or_else(|_| cut.before.clone());
            let slot = match cuts.iter().position(|c: &CutSum| *c.limit == *cut.limit) {
                Some(i) => i,
                None => {
                    cuts.push(CutSum {
                        limit: cut.limit.to_string(),
                        cuts: 0,
                        taken: None,
                        periods: Vec::new(),
                    });
                    cuts.len() - 1
                }
            };
            if let Some(sum) = cuts.get_mut(slot) {
                sum.cuts += 1;
                sum.taken = Some(match &sum.taken {
                    Some(t) => crate::semantics::arith::add(t, &taken, Default::default())
                        .unwrap_or_else(|_| t.clone()),
                    None => taken,
                });
                if sum.periods.last() != Some(&cut.period) {
                    sum.periods.push(cut.period.clone());
                }
            }
        }
        if let Origin::Pool(share) = &grant.origin {
            shares.push(ShareLine {
                pool: share.pool.clone(),
                period: share.period.clone(),
                equation: share_equation(share, &grant.amount),
            });
        }
    }
    Statement {
        heading: input.heading,
        who: visible(input.who),
        roster: input.roster,
        totals: total_lines(input.totals),
        charts: month_charts(input.grants, tz),
        grants,
        cuts: cuts
            .into_iter()
            .map(|c| CutLine {
                limit: c.limit,
                cuts: c.cuts,
                taken: c.taken.as_ref().map_or_else(String::new, human),
                periods: c.periods.join(", "),
            })
            .collect(),
        shares,
        nothing: input.nothing.lines,
        cut_to_zero: input.nothing.cut_to_zero,
        nothing_outside: input.nothing.outside,
        paid: input.paid,
    }
}

/// What one limit cut so far.
struct CutSum {
    limit: String,
    cuts: u64,
    taken: Option<Value>,
    periods: Vec<String>,
}

fn total_lines(totals: Option<&BTreeMap<Target, Value>>) -> Vec<TotalLine> {
    totals
        .into_iter()
        .flatten()
        .filter(|(_, total)| !is_zero(total))
        .map(|(target, total)| match target {
            Target::Account(name) => TotalLine {
                name: name.to_string(),
                kind: "account",
                amount: human(total),
            },
            Target::Badge(name) => TotalLine {
                name: name.to_string(),
                kind: "badge",
                amount: times(total),
            },
        })
        .collect()
}

/// `3 times`, `once`.
pub fn times(count: &Value) -> String {
    if *count == Value::Int(1) {
        "once".to_string()
    } else {
        format!("{count} times")
    }
}

/// One chart per account: what each month brought, every month from the
/// first grant's to the last's (a month with nothing shows as 0).
fn month_charts(grants: &[Grant], tz: Tz) -> Vec<Chart> {
    let mut accounts: BTreeMap<&str, BTreeMap<PeriodKey, Value>> = BTreeMap::new();
    // Summed month by month first: a person's grants come in time order.
    let mut months = PeriodOf::new(Period::Month, tz);
    let mut month: Vec<(&str, Value)> = Vec::new();
    let mut current = None;
    for grant in grants {
        let Target::Account(name) = &grant.target else {
            continue;
        };
        let key = months.of(grant.at);
        if current != Some(key) {
            if let Some(done) = current {
                add_month(&mut accounts, done, month.drain(..));
            }
            current = Some(key);
        }
        match month.iter_mut().find(|(account, _)| *account == &**name) {
            // The engine added these same amounts up without overflow.
            Some((_, sum)) => {
                if let Ok(total) =
                    crate::semantics::arith::add(sum, &grant.granted, Default::default())
                {
                    *sum = total;
                }
            }
            None => month.push((name, grant.granted.clone())),
        }
    }
    if let Some(done) = current {
        add_month(&mut accounts, done, month.drain(..));
    }
    accounts
        .into_iter()
        .map(|(account, months)| month_chart(&format!("{account} by month"), &months))
        .collect()
}

/// Adds one month's sums per account to `accounts`.
fn add_month<'g>(
    accounts: &mut BTreeMap<&'g str, BTreeMap<PeriodKey, Value>>,
    month: PeriodKey,
    sums: impl Iterator<Item = (&'g str, Value)>,
) {
    for (account, sum) in sums {
        let slot = accounts.entry(account).or_default().entry(month);
        let _ = super::collect::add_into(slot, &sum);
    }
}

/// A bar per month, with a zero for each month between that had nothing.
pub fn month_chart(title: &str, months: &BTreeMap<PeriodKey, Value>) -> Chart {
    let like = months.values().next().cloned().unwrap_or(Value::Int(0));
    let mut rows = Vec::new();
    let mut bars = Vec::new();
    if let (Some(first), Some(last)) = (months.keys().next(), months.keys().next_back()) {
        let mut month = *first;
        while month <= *last {
            let value = months
                .get(&month)
                .cloned()
                .unwrap_or_else(|| super::collect::in_unit_of(&like, Default::default()));
            bars.push((month.label(), amount_of(&value)));
            rows.push((month.label(), human(&value)));
            let next = month.next_first_day();
            month = PeriodKey {
                first_day: next,
                period: month.period,
            };
        }
    }
    Chart {
        title: title.to_string(),
        svg: svg::bar_chart(title, &bars),
        rows,
    }
}

/// `2027-01-05 10:00` in the policy's zone.
pub fn local_time(at: DateTime<Utc>, tz: Tz) -> String {
    Local::of(at, tz).date_time().to_string()
}

/// A name or text from the log with its hidden characters (controls,
/// bidirectional marks) written visibly, so the page shows what is stored.
pub fn visible(text: &str) -> String {
    crate::text::escape_visible(text).into_owned()
}
