//! The organisation's report for HR: totals per account and month, how
//! each account is spread over people, the per-group figures of every
//! `one of` roster column, what limits cut, what pools paid, and which
//! rules make up each account.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::collect::{OrgFigures, amount_of, in_unit_of};
use super::groups::{MIN_GROUP, column_figures};
use super::names::statement_href;
use super::statement::{Chart, month_chart, times, visible};
use super::stats::distribution;
use super::svg;
use crate::input::Roster;
use crate::ledger::{Target, Totals};
use crate::render::amount::human;
use crate::schema::Schema;
use crate::units::Type;
use crate::value::{Money, Value};

/// What every page says at its top.
#[derive(Clone, Debug, Serialize)]
pub struct Heading {
    /// The policy's title.
    pub policy: String,
    /// `the whole log`, `2027-01`, `2027-01-01 to 2027-03-31`.
    pub period: String,
    pub timezone: String,
    pub version: String,
}

/// The organisation's report, ready for its template.
#[derive(Debug, Serialize)]
pub struct Overview {
    pub heading: Heading,
    pub people: usize,
    pub totals: Vec<(String, String)>,
    /// Column heads of the month table: the accounts and badges.
    pub month_heads: Vec<String>,
    /// Per month: the label, then one amount per head.
    pub month_rows: Vec<(String, Vec<String>)>,
    pub month_charts: Vec<Chart>,
    pub distributions: Vec<DistributionView>,
    pub groups: Vec<GroupTable>,
    pub min_group: usize,
    pub has_roster: bool,
    pub limits: Vec<(String, u64, String)>,
    pub pools: Vec<PoolView>,
    pub sources: Vec<SourceTable>,
    pub statements: Vec<(String, String)>,
    pub paid: Option<PaidView>,
}

/// One account's distribution.
#[derive(Debug, Serialize)]
pub struct DistributionView {
    pub account: String,
    pub people: usize,
    pub total: String,
    pub mean: String,
    pub median: String,
    pub top_tenth: String,
    pub gini: String,
    pub lorenz_svg: String,
    /// `(share of people, share of the total)` in percent.
    pub lorenz: Vec<(String, String)>,
}

/// One roster column's groups for one account.
#[derive(Debug, Serialize)]
pub struct GroupTable {
    pub column: String,
    pub account: String,
    /// `(group, head count, mean, median, share receiving, gap)`.
    pub rows: Vec<(String, usize, String, String, String, String)>,
    pub suppressed: usize,
}

/// One pool period.
#[derive(Debug, Serialize)]
pub struct PoolView {
    pub pool: String,
    pub period: String,
    pub paid: String,
    pub people: u64,
    /// `(who, share)`, largest first.
    pub largest: Vec<(String, String)>,
}

/// What makes up one account.
#[derive(Debug, Serialize)]
pub struct SourceTable {
    pub account: String,
    /// `(rule or pool, amount, share of the account in percent)`.
    pub rows: Vec<(String, String, String)>,
}

/// What a payout run paid, in all.
#[derive(Debug, Serialize)]
pub struct PaidView {
    pub run: i64,
    pub through: String,
    /// `(reward, kind, amount with unit)`.
    pub totals: Vec<(String, String, String)>,
}

/// What the overview is made of.
pub struct OverviewInput<'a> {
    pub heading: Heading,
    pub schema: &'a Schema,
    pub roster: Option<&'a Roster>,
    /// Everyone the report covers (log and roster), sorted as bytes.
    pub people: &'a [Arc<str>],
    /// The engine's totals.
    pub totals: &'a Totals,
    pub figures: &'a OrgFigures,
    pub paid: Option<PaidView>,
}

/// Builds the organisation's report.
pub fn overview(input: OverviewInput<'_>) -> Overview {
    let figures = input.figures;
    let heads: Vec<Target> = figures
        .months
        .values()
        .flat_map(|m| m.keys().cloned())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let month_rows = figures
        .months
        .iter()
        .map(|(month, amounts)| {
            let cells = heads
                .iter()
                .map(|h| {
                    amounts
                        .get(h)
                        .map_or_else(|| "—".to_string(), |v| show(h, v))
                })
                .collect();
            (month.label(), cells)
        })
        .collect();
    let mut month_charts = Vec::new();
    for head in &heads {
        if let Target::Account(name) = head {
            let months: BTreeMap<_, _> = figures
                .months
                .iter()
                .filter_map(|(m, amounts)| Some((*m, amounts.get(head)?.clone())))
                .collect();
            month_charts.push(month_chart(&format!("{name} by month"), &months));
        }
    }
    Overview {
        heading: input.heading.clone(),
        people: input.people.len(),
        totals: overall_totals(figures),
        month_heads: heads.iter().map(|h| h.name().to_string()).collect(),
        month_rows,
        month_charts,
        distributions: distributions(&input),
        groups: groups(&input),
        min_group: MIN_GROUP,
        has_roster: input.roster.is_some(),
        limits: figures
            .limits
            .iter()
            .map(|(limit, f)| {
                let cut = f.cut.as_ref().map_or_else(String::new, human);
                (limit.clone(), f.cuts, cut)
            })
            .collect(),
        pools: figures
            .pools
            .iter()
            .map(|p| PoolView {
                pool: p.pool.clone(),
                period: p.period.clone(),
                paid: human(&p.paid),
                people: p.people,
                largest: p
                    .largest
                    .iter()
                    .map(|(who, share)| (visible(who), human(share)))
                    .collect(),
            })
            .collect(),
        sources: sources(figures),
        statements: input
            .people
            .iter()
            .map(|who| (visible(who), statement_href(who)))
            .collect(),
        paid: input.paid,
    }
}

fn show(target: &Target, value: &Value) -> String {
    match target {
        Target::Account(_) => human(value),
        Target::Badge(_) => times(value),
    }
}

fn overall_totals(figures: &OrgFigures) -> Vec<(String, String)> {
    let mut totals: BTreeMap<Target, Value> = BTreeMap::new();
    for amounts in figures.months.values() {
        for (target, amount) in amounts {
            let _ = super::collect::add_into(totals.entry(target.clone()), amount);
        }
    }
    totals
        .iter()
        .map(|(t, v)| match t {
            Target::Account(name) => (name.to_string(), show(t, v)),
            Target::Badge(name) => (format!("badge {name}"), show(t, v)),
        })
        .collect()
}

/// The accounts of the policy, each with a zero in its unit.
fn accounts(schema: &Schema) -> Vec<(String, Value)> {
    schema
        .rewards
        .iter()
        .map(|(name, ty)| {
            let zero = match ty {
                Type::Money(c) => Value::Money(Money::new(Decimal::ZERO, *c)),
                Type::Duration => Value::Duration(Decimal::ZERO),
                Type::Points => Value::Points(Decimal::ZERO),
                _ => Value::Decimal(Decimal::ZERO),
            };
            (name.clone(), zero)
        })
        .collect()
}

/// Each person's total of `account`, zero for those who got none.
fn amounts(input: &OverviewInput<'_>, account: &str) -> Vec<Decimal> {
    let target = Target::Account(account.into());
    input
        .people
        .iter()
        .map(|who| {
            input
                .totals
                .get(who)
                .and_then(|t| t.get(&target))
                .map_or(Decimal::ZERO, amount_of)
        })
        .collect()
}

fn distributions(input: &OverviewInput<'_>) -> Vec<DistributionView> {
    accounts(input.schema)
        .into_iter()
        .map(|(account, zero)| {
            let d = distribution(&amounts(input, &account));
            let opt = |x: Option<Decimal>| x.map_or_else(|| "—".to_string(), |x| rounded(&zero, x));
            DistributionView {
                people: d.people,
                total: human(&in_unit_of(&zero, d.total)),
                mean: opt(d.mean),
                median: opt(d.median),
                top_tenth: d.top_tenth_share.map_or_else(|| "—".to_string(), percent),
                gini: d.gini.map_or_else(|| "—".to_string(), |g| fixed(g, 3)),
                lorenz_svg: svg::lorenz_chart(&format!("Lorenz curve of {account}"), &d.lorenz),
                lorenz: d
                    .lorenz
                    .iter()
                    .map(|(x, y)| (percent(*x), percent(*y)))
                    .collect(),
                account,
            }
        })
        .collect()
}

fn groups(input: &OverviewInput<'_>) -> Vec<GroupTable> {
    let Some(roster) = input.roster else {
        return Vec::new();
    };
    let mut tables = Vec::new();
    for (column_index, column) in input.schema.person.iter().enumerate() {
        let Type::OneOf(values) = &column.ty else {
            continue;
        };
        for (account, zero) in accounts(input.schema) {
            let target = Target::Account(account.as_str().into());
            let people: Vec<(&str, Decimal)> = roster
                .people
                .iter()
                .filter_map(|(who, row)| {
                    let Some(Value::Text(group)) = row.get(column_index) else {
                        return None;
                    };
                    let amount = input
                        .totals
                        .get(who)
                        .and_then(|t| t.get(&target))
                        .map_or(Decimal::ZERO, amount_of);
                    Some((group.as_ref(), amount))
                })
                .collect();
            let figures = column_figures(values, &people);
            let opt = |x: Option<Decimal>| x.map_or_else(|| "—".to_string(), |x| rounded(&zero, x));
            tables.push(GroupTable {
                column: column.name.clone(),
                account,
                rows: figures
                    .shown
                    .iter()
                    .map(|g| {
                        (
                            g.group.clone(),
                            g.head_count,
                            opt(g.mean),
                            opt(g.median),
                            percent(g.share_receiving),
                            g.gap_percent
                                .map_or_else(|| "—".to_string(), |p| format!("{} %", fixed(p, 1))),
                        )
                    })
                    .collect(),
                suppressed: figures.suppressed,
            });
        }
    }
    tables
}

fn sources(figures: &OrgFigures) -> Vec<SourceTable> {
    figures
        .sources()
        .iter()
        .filter_map(|(target, rows)| {
            let Target::Account(account) = target else {
                return None;
            };
            let total: Decimal = rows.values().map(amount_of).sum();
            // Largest first; ties by name.
            let mut rows: Vec<(&String, &Value)> = rows.iter().collect();
            rows.sort_by(|(a, x), (b, y)| amount_of(y).cmp(&amount_of(x)).then_with(|| a.cmp(b)));
            Some(SourceTable {
                account: account.to_string(),
                rows: rows
                    .into_iter()
                    .map(|(source, amount)| {
                        let share = amount_of(amount)
                            .checked_div(total)
                            .filter(|_| total > Decimal::ZERO)
                            .map_or_else(|| "—".to_string(), percent);
                        (source.to_string(), human(amount), share)
                    })
                    .collect(),
            })
        })
        .collect()
}

/// A mean or median in the account's unit: money to its minor unit,
/// points and durations to two places.
fn rounded(zero: &Value, x: Decimal) -> String {
    let places = match zero {
        Value::Money(m) => m.currency.minor_digits(),
        _ => 2,
    };
    let x = x.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    match zero {
        Value::Money(_) => human(&in_unit_of(zero, x)),
        _ => human(&in_unit_of(zero, x.normalize())),
    }
}

/// A share from 0 to 1 as `42.9 %`.
fn percent(share: Decimal) -> String {
    format!("{} %", fixed(share * Decimal::ONE_HUNDRED, 1))
}

/// `x` with exactly `places` decimals.
fn fixed(x: Decimal, places: u32) -> String {
    let mut x = x.round_dp_with_strategy(places, RoundingStrategy::MidpointAwayFromZero);
    x.rescale(places);
    x.to_string()
}
