//! What a run books: per group, the difference between a fresh evaluation
//! and what earlier runs booked. Pure: no database here.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::ledger::{Target, TotalsByPeriod};
use crate::render::amount::{amount_and_unit, is_zero};
use crate::units::Currency;
use crate::value::{Money, Value, money_digits, plain_decimal};

/// A person, a reward (account or badge), the calendar month the grants
/// were stamped in, and the unit: what the books keep one sum for.
///
/// The texts are shared (`Arc<str>`): a year of months for 10,000 people is
/// hundreds of thousands of groups over a few distinct rewards, months and
/// units.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Group {
    pub who: Arc<str>,
    pub reward: Arc<str>,
    /// The earned month, `2027-01`.
    pub earned: Arc<str>,
    /// A currency code, `pts`, `min` or `badge`, as in `eval`'s CSV.
    pub unit: Arc<str>,
}

/// One shared copy of each text.
#[derive(Default)]
pub struct Texts(std::collections::HashSet<Arc<str>>);

impl Texts {
    /// The shared copy of `text`.
    pub fn get(&mut self, text: &str) -> Arc<str> {
        match self.0.get(text) {
            Some(shared) => shared.clone(),
            None => {
                let shared: Arc<str> = Arc::from(text);
                self.0.insert(shared.clone());
                shared
            }
        }
    }
}

/// A month booked for the first time, or a change to one booked before.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    Regular,
    Adjustment,
}

impl LineKind {
    /// The word in the books and their CSV.
    pub fn as_str(self) -> &'static str {
        match self {
            LineKind::Regular => "regular",
            LineKind::Adjustment => "adjustment",
        }
    }

    /// Reads the word back.
    pub fn parse(text: &str) -> Option<LineKind> {
        match text {
            "regular" => Some(LineKind::Regular),
            "adjustment" => Some(LineKind::Adjustment),
            _ => None,
        }
    }
}

/// One line of one run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub group: Group,
    pub kind: LineKind,
    pub amount: Decimal,
    /// For an adjustment, what changed since the month was last booked;
    /// empty for a regular line.
    pub reason: String,
}

impl Line {
    /// The amount as `eval`'s CSV writes it: money with its currency's
    /// minor digits, everything else without trailing zeros.
    pub fn amount_text(&self) -> String {
        amount_text(self.amount, &self.group.unit)
    }
}

/// `amount` written for `unit` as `eval`'s CSV writes it.
pub fn amount_text(amount: Decimal, unit: &str) -> String {
    match Currency::from_code(unit) {
        Some(currency) if unit.len() == 3 && unit.bytes().all(|b| b.is_ascii_uppercase()) => {
            money_digits(&Money::new(amount, currency))
        }
        _ => plain_decimal(amount),
    }
}

/// What earlier runs booked for one group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Booked {
    pub sum: Decimal,
    /// The last run that booked a line for the group.
    pub last_run: i64,
}

/// A line a run will book, before its reason is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    pub group: Group,
    pub kind: LineKind,
    pub amount: Decimal,
    /// For an adjustment: the last run that booked the month.
    pub last_run: Option<i64>,
}

/// The non-zero totals of an evaluation by month, as groups.
pub fn fresh_groups(by_month: TotalsByPeriod) -> Result<BTreeMap<Group, Decimal>, String> {
    let mut groups = BTreeMap::new();
    let mut texts = Texts::default();
    let mut months: BTreeMap<crate::eval::PeriodKey, Arc<str>> = BTreeMap::new();
    for row in by_month {
        if is_zero(&row.total) {
            continue;
        }
        let (amount, unit) = amount_of(&row.target, &row.total)?;
        let earned = months
            .entry(row.period)
            .or_insert_with(|| Arc::from(row.period.label()))
            .clone();
        groups.insert(
            Group {
                who: row.who,
                reward: texts.get(row.target.name()),
                earned,
                unit: texts.get(&unit),
            },
            amount,
        );
    }
    Ok(groups)
}

/// A total as the books keep it: an exact amount and the unit of `eval`'s
/// CSV.
fn amount_of(target: &Target, total: &Value) -> Result<(Decimal, String), String> {
    Ok(match (target, total) {
        (Target::Badge(_), Value::Int(n)) => (Decimal::from(*n), "badge".into()),
        (Target::Account(_), Value::Money(m)) => (m.amount, m.currency.code().into()),
        (Target::Account(_), Value::Points(d)) => (*d, "pts".into()),
        (Target::Account(_), Value::Duration(d)) => (*d, "min".into()),
        _ => {
            let (amount, unit) = amount_and_unit(target, total);
            let amount = amount
                .parse()
                .map_err(|_| format!("`{amount}` is not an amount the books can keep"))?;
            (amount, unit)
        }
    })
}

/// The lines that bring the books to `fresh`: for every group whose fresh
/// total differs from its booked sum, the difference. A month booked
/// before for the person and reward (in any unit) is an adjustment.
///
/// INVARIANT: after booking the result, every group's booked sum equals its
/// fresh total (groups missing from `fresh` are zero).
pub fn plan_lines(
    fresh: BTreeMap<Group, Decimal>,
    booked: &BTreeMap<Group, Booked>,
) -> Result<Vec<Planned>, String> {
    // Per person, reward and month (whatever the unit): the last run that
    // booked it.
    let mut months_booked: BTreeMap<(&str, &str, &str), i64> = BTreeMap::new();
    for (g, b) in booked {
        let last = months_booked
            .entry((&*g.who, &*g.reward, &*g.earned))
            .or_insert(b.last_run);
        *last = (*last).max(b.last_run);
    }
    let mut planned = Vec::new();
    let mut add = |group: Group, now: Decimal| -> Result<(), String> {
        let before = booked.get(&group).map_or(Decimal::ZERO, |b| b.sum);
        let amount = now
            .checked_sub(before)
            .ok_or_else(|| format!("the difference for {} overflows", group.who))?;
        if amount.is_zero() {
            return Ok(());
        }
        let last_run = months_booked
            .get(&(&*group.who, &*group.reward, &*group.earned))
            .copied();
        planned.push(Planned {
            group,
            kind: if last_run.is_some() {
                LineKind::Adjustment
            } else {
                LineKind::Regular
            },
            amount: amount.normalize(),
            last_run,
        });
        Ok(())
    };
    // Booked groups the fresh evaluation no longer has go to zero.
    let gone: Vec<Group> = booked
        .keys()
        .filter(|g| !fresh.contains_key(*g))
        .cloned()
        .collect();
    for (group, now) in fresh {
        add(group, now)?;
    }
    for group in gone {
        add(group, Decimal::ZERO)?;
    }
    planned.sort_by(|a, b| a.group.cmp(&b.group));
    Ok(planned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]
    use super::*;

    fn group(who: &str, earned: &str) -> Group {
        Group {
            who: who.into(),
            reward: "bonus".into(),
            earned: earned.into(),
            unit: "EUR".into(),
        }
    }

    #[test]
    fn new_months_are_regular_and_changed_ones_adjustments() {
        let fresh = BTreeMap::from([
            (group("ana", "2027-01"), Decimal::new(1250, 2)),
            (group("ana", "2027-02"), Decimal::new(300, 2)),
            (group("bo", "2027-01"), Decimal::new(500, 2)),
        ]);
        let booked = BTreeMap::from([
            (
                group("ana", "2027-01"),
                Booked {
                    sum: Decimal::new(1000, 2),
                    last_run: 1,
                },
            ),
            (
                group("bo", "2027-01"),
                Booked {
                    sum: Decimal::new(500, 2),
                    last_run: 1,
                },
            ),
            (
                group("cy", "2027-01"),
                Booked {
                    sum: Decimal::new(700, 2),
                    last_run: 1,
                },
            ),
        ]);
        let planned = plan_lines(fresh, &booked).unwrap();
        let summary: Vec<(String, String, &str, String)> = planned
            .iter()
            .map(|p| {
                (
                    p.group.who.to_string(),
                    p.group.earned.to_string(),
                    p.kind.as_str(),
                    amount_text(p.amount, &p.group.unit),
                )
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("ana".into(), "2027-01".into(), "adjustment", "2.50".into()),
                ("ana".into(), "2027-02".into(), "regular", "3.00".into()),
                ("cy".into(), "2027-01".into(), "adjustment", "-7.00".into()),
            ]
        );
        assert_eq!(planned.first().unwrap().last_run, Some(1));
    }

    #[test]
    fn amounts_are_written_as_eval_writes_them() {
        assert_eq!(amount_text(Decimal::new(5, 1), "EUR"), "0.50");
        assert_eq!(amount_text(Decimal::new(4, 0), "JPY"), "4");
        assert_eq!(amount_text(Decimal::new(14625, 2), "min"), "146.25");
        assert_eq!(amount_text(Decimal::new(1500, 2), "pts"), "15");
        assert_eq!(amount_text(Decimal::new(2, 0), "badge"), "2");
    }
}
