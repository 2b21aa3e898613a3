//! Figures per group of a `one of` roster column, the ones pay-transparency
//! rules ask for: head count, mean and median per person, the share of the
//! group receiving anything, and the gap of the group's mean to the
//! best-paid group's, in percent. Groups of fewer than
//! [`MIN_GROUP`] people are not shown, and take no part in finding the
//! best-paid group (a gap to a hidden group would reveal its mean).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::stats::{mean_of, median_of};

/// Groups smaller than this are not shown.
pub const MIN_GROUP: usize = 5;

/// One group's figures for one account.
#[derive(Clone, Debug, PartialEq)]
pub struct GroupFigures {
    /// The group's value in the column, e.g. `maintainer`.
    pub group: String,
    pub head_count: usize,
    pub mean: Option<Decimal>,
    pub median: Option<Decimal>,
    /// People who received more than zero, over the head count (0 to 1).
    pub share_receiving: Decimal,
    /// `(best mean − this mean) / best mean × 100`; `None` when the best
    /// mean is not above zero.
    pub gap_percent: Option<Decimal>,
}

/// The groups of one column for one account.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ColumnFigures {
    /// The groups shown, in the order the column declares its values.
    pub shown: Vec<GroupFigures>,
    /// How many groups (with at least one person) are too small to show.
    pub suppressed: usize,
}

/// The figures of `people`, each a `(group, amount)` pair; `order` is the
/// column's declared values (groups nobody belongs to are left out).
pub fn column_figures(order: &[String], people: &[(&str, Decimal)]) -> ColumnFigures {
    let mut by_group: BTreeMap<&str, Vec<Decimal>> = BTreeMap::new();
    for (group, amount) in people {
        by_group.entry(group).or_default().push(*amount);
    }
    let mut figures = ColumnFigures::default();
    for name in order {
        let Some(amounts) = by_group.get_mut(name.as_str()) else {
            continue;
        };
        if amounts.len() < MIN_GROUP {
            figures.suppressed += 1;
            continue;
        }
        amounts.sort();
        let receiving = amounts.iter().filter(|a| **a > Decimal::ZERO).count();
        figures.shown.push(GroupFigures {
            group: name.clone(),
            head_count: amounts.len(),
            mean: mean_of(amounts),
            median: median_of(amounts),
            share_receiving: Decimal::from(receiving as u64)
                .checked_div(Decimal::from(amounts.len() as u64))
                .unwrap_or_default(),
            gap_percent: None,
        });
    }
    let best = figures.shown.iter().filter_map(|g| g.mean).max();
    if let Some(best) = best.filter(|b| *b > Decimal::ZERO) {
        for group in &mut figures.shown {
            group.gap_percent = group.mean.and_then(|mean| {
                (best - mean)
                    .checked_div(best)?
                    .checked_mul(Decimal::ONE_HUNDRED)
            });
        }
    }
    figures
}
