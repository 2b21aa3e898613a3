//! Splitting a pool in proportion to scores, exactly.
//!
//! Each share is `amount × score / total_score`, computed as an exact
//! fraction in minor units, rounded down; the leftover minor units go one
//! each to the largest remainders (ties: smaller `who` first, by bytes). So
//! the shares always sum to the pool amount, to the last cent.

use std::cmp::{Ordering, Reverse};

use crate::fraction::{Fraction, mul_div};

/// One person's part of a split, in minor units.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitShare {
    /// Index of the person in the scores given to [`split_pool`].
    pub index: usize,
    /// The share in minor units, with the pool's sign.
    pub units: i128,
    /// Whether one leftover minor unit was added.
    pub leftover_unit: bool,
}

/// Why a split could not be computed exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SplitTooLarge;

/// Splits `amount_units` minor units across `scores` (`(who, score)`):
/// people with a score `<= 0` get nothing and are left out of the result.
/// An empty result means nobody scored.
pub fn split_pool(
    amount_units: i128,
    scores: &[(&str, Fraction)],
) -> Result<Vec<SplitShare>, SplitTooLarge> {
    let positive: Vec<(usize, &str, Fraction)> = scores
        .iter()
        .enumerate()
        .filter(|(_, (_, s))| s.signum() == Ordering::Greater)
        .map(|(i, (who, s))| (i, *who, *s))
        .collect();
    // Scores over one common denominator: whole numbers in the same ratio.
    let mut common: u128 = 1;
    for (_, _, s) in &positive {
        let d = s.denom().unsigned_abs();
        common = common
            .checked_mul(d / gcd(common, d))
            .ok_or(SplitTooLarge)?;
    }
    let mut scaled = Vec::with_capacity(positive.len());
    let mut total: u128 = 0;
    for (_, _, s) in &positive {
        let factor = common / s.denom().unsigned_abs();
        let value = s
            .numer()
            .unsigned_abs()
            .checked_mul(factor)
            .ok_or(SplitTooLarge)?;
        total = total.checked_add(value).ok_or(SplitTooLarge)?;
        scaled.push(value);
    }
    if total == 0 {
        return Ok(Vec::new());
    }
    let amount = amount_units.unsigned_abs();
    let mut parts: Vec<(usize, &str, u128, u128)> = Vec::with_capacity(positive.len());
    let mut paid: u128 = 0;
    for ((index, who, _), score) in positive.iter().zip(&scaled) {
        let (quotient, remainder) = mul_div(amount, *score, total);
        paid = paid.checked_add(quotient).ok_or(SplitTooLarge)?;
        parts.push((*index, *who, quotient, remainder));
    }
    // INVARIANT: each quotient is the floor of an exact share, so the
    // leftover is below the number of people and each gets at most one unit.
    let leftover = amount.checked_sub(paid).ok_or(SplitTooLarge)?;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&k| parts.get(k).map(|p| (Reverse(p.3), p.1.as_bytes())));
    let mut extra = vec![false; parts.len()];
    for (&k, _) in order.iter().zip(0..leftover) {
        if let Some(e) = extra.get_mut(k) {
            *e = true;
        }
    }
    let negative = amount_units < 0;
    parts
        .iter()
        .zip(extra)
        .map(|(&(index, _, quotient, _), leftover_unit)| {
            let units = quotient
                .checked_add(u128::from(leftover_unit))
                .ok_or(SplitTooLarge)?;
            let units = i128::try_from(units).map_err(|_| SplitTooLarge)?;
            Ok(SplitShare {
                index,
                units: if negative { -units } else { units },
                leftover_unit,
            })
        })
        .collect()
}

fn gcd(a: u128, b: u128) -> u128 {
    let (mut a, mut b) = (a, b);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "a failing unwrap is a failing test"
)]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;
    use rust_decimal::Decimal;

    use super::*;

    fn d(s: &str) -> Fraction {
        Fraction::from_decimal(Decimal::from_str(s).unwrap())
    }

    fn units(shares: &[SplitShare]) -> Vec<(usize, i128, bool)> {
        shares
            .iter()
            .map(|s| (s.index, s.units, s.leftover_unit))
            .collect()
    }

    #[test]
    fn three_equal_scores_give_the_extra_cent_to_the_smallest_who() {
        // 100.00 EUR = 10000 cents: 3333 each, 1 left over, to `alice`.
        let scores = [("carol", d("5")), ("alice", d("5")), ("bob", d("5"))];
        let shares = split_pool(10000, &scores).unwrap();
        assert_eq!(
            units(&shares),
            vec![(0, 3333, false), (1, 3334, true), (2, 3333, false)]
        );
    }

    #[test]
    fn largest_remainders_get_the_leftover() {
        // 10 units by 1:2:4 (total 7): 10/7=1.43, 20/7=2.86, 40/7=5.71.
        // Floors 1+2+5 = 8, 2 left: remainders 3/7, 6/7, 5/7 → bob, carol.
        let scores = [("alice", d("1")), ("bob", d("2")), ("carol", d("4"))];
        let shares = split_pool(10, &scores).unwrap();
        assert_eq!(
            units(&shares),
            vec![(0, 1, false), (1, 3, true), (2, 6, true)]
        );
    }

    #[test]
    fn non_positive_scores_take_no_part() {
        let scores = [("alice", d("0")), ("bob", d("-3")), ("carol", d("0.5"))];
        let shares = split_pool(700, &scores).unwrap();
        assert_eq!(units(&shares), vec![(2, 700, false)]);
        let nobody = [("alice", d("0")), ("bob", d("-1"))];
        assert!(split_pool(700, &nobody).unwrap().is_empty());
    }

    #[test]
    fn fractional_scores_and_negative_pools() {
        let scores = [("a", d("0.1")), ("b", d("0.25"))];
        // 0.1 : 0.25 = 10 : 25 of 35; 100 units → 28.57 and 71.43;
        // floors 28 + 71 = 99, the one left goes to `a` (remainder .57 > .43).
        let shares = split_pool(100, &scores).unwrap();
        assert_eq!(units(&shares), vec![(0, 29, true), (1, 71, false)]);
        let shares = split_pool(-100, &scores).unwrap();
        assert_eq!(units(&shares), vec![(0, -29, true), (1, -71, false)]);
    }

    #[test]
    fn fractional_scores_split_exactly() {
        // 1/3 : 2/3 of 100 units: 33.33 and 66.67 → 33 + 67.
        let third = Fraction::new(1, 3).unwrap();
        let two_thirds = Fraction::new(2, 3).unwrap();
        let shares = split_pool(100, &[("a", third), ("b", two_thirds)]).unwrap();
        assert_eq!(units(&shares), vec![(0, 33, false), (1, 67, true)]);
    }

    #[test]
    fn mul_div_is_exact_beyond_128_bits() {
        let big = u128::MAX / 3;
        assert_eq!(mul_div(big, big, big), (big, 0));
        assert_eq!(
            mul_div(u128::MAX, u128::MAX - 1, u128::MAX),
            (u128::MAX - 1, 0)
        );
        assert_eq!(mul_div(7, 5, 3), (11, 2));
    }

    proptest! {
        #[test]
        fn shares_sum_exactly_to_the_pool(
            amount in -10_000_000_000i128..10_000_000_000i128,
            raw in proptest::collection::vec((0i64..1_000_000, 0u32..6), 1..20),
        ) {
            let names: Vec<String> = (0..raw.len()).map(|i| format!("p{i:02}")).collect();
            let scores: Vec<(&str, Fraction)> = names
                .iter()
                .zip(&raw)
                .map(|(n, (m, s))| (n.as_str(), Fraction::from_decimal(Decimal::new(*m - 1000, *s))))
                .collect();
            let shares = split_pool(amount, &scores).unwrap();
            let anyone = scores.iter().any(|(_, s)| *s > Fraction::ZERO);
            let sum: i128 = shares.iter().map(|s| s.units).sum();
            if anyone {
                prop_assert_eq!(sum, amount);
            } else {
                prop_assert!(shares.is_empty());
            }
            let leftovers = shares.iter().filter(|s| s.leftover_unit).count();
            prop_assert!(leftovers < shares.len().max(1));
            for s in &shares {
                prop_assert!(scores[s.index].1 > Fraction::ZERO);
            }
        }
    }
}
