//! How one account's amounts are spread over people: median, mean, the
//! share of the top tenth, the Gini coefficient and the Lorenz curve.
//!
//! Everything is exact decimal arithmetic (`rust_decimal`), never binary
//! floating point: the figures HR reads are the ones a spreadsheet would
//! compute by hand.
//! A figure that needs a division by a total of zero or less (nobody got
//! anything, or negative amounts dominate) is `None`, shown as "—".

use rust_decimal::Decimal;

/// At most this many points of a Lorenz curve are drawn: the curve is
/// straight between people, so points taken at whole percentiles of the
/// people lie exactly on it.
pub const LORENZ_POINTS: usize = 100;

/// The distribution of one account over people.
#[derive(Clone, Debug, PartialEq)]
pub struct Distribution {
    /// How many people (those who received nothing count, with zero).
    pub people: usize,
    pub total: Decimal,
    pub mean: Option<Decimal>,
    pub median: Option<Decimal>,
    /// The share of the total held by the top tenth of people (rounded up:
    /// ⌈people / 10⌉ of them), between 0 and 1.
    pub top_tenth_share: Option<Decimal>,
    /// 0 for perfect equality, towards 1 when one person holds everything.
    pub gini: Option<Decimal>,
    /// Points `(share of people, share of the total)`, from `(0, 0)` to
    /// `(1, 1)`, people in increasing order of amount.
    pub lorenz: Vec<(Decimal, Decimal)>,
}

/// The distribution of `amounts` (one per person).
pub fn distribution(amounts: &[Decimal]) -> Distribution {
    let mut sorted = amounts.to_vec();
    sorted.sort();
    let people = sorted.len();
    let total = checked_sum(&sorted);
    let n = Decimal::from(people as u64);
    let mean = total.and_then(|t| t.checked_div(n));
    let median = median_of(&sorted);
    let positive_total = total.filter(|t| *t > Decimal::ZERO);
    let top_tenth_share = positive_total.and_then(|t| {
        let k = people.div_ceil(10);
        let top = checked_sum(sorted.get(people - k..)?)?;
        top.checked_div(t)
    });
    let no_negative = sorted.first().is_none_or(|x| *x >= Decimal::ZERO);
    let gini = positive_total
        .filter(|_| no_negative)
        .and_then(|t| gini_of(&sorted, t));
    let lorenz = positive_total
        .map(|t| lorenz_of(&sorted, t))
        .unwrap_or_default();
    Distribution {
        people,
        total: total.unwrap_or_default(),
        mean,
        median,
        top_tenth_share,
        gini,
        lorenz,
    }
}

/// The middle amount, or the mean of the two middle ones.
pub fn median_of(sorted: &[Decimal]) -> Option<Decimal> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let upper = *sorted.get(n / 2)?;
    if n % 2 == 1 {
        return Some(upper);
    }
    let lower = *sorted.get(n / 2 - 1)?;
    lower.checked_add(upper)?.checked_div(Decimal::TWO)
}

/// The mean, `None` for no amounts.
pub fn mean_of(amounts: &[Decimal]) -> Option<Decimal> {
    checked_sum(amounts)?.checked_div(Decimal::from(amounts.len() as u64))
}

/// `G = 2 Σ i·xᵢ / (n Σ xᵢ) − (n + 1) / n`, people sorted increasingly and
/// numbered from 1.
fn gini_of(sorted: &[Decimal], total: Decimal) -> Option<Decimal> {
    let n = Decimal::from(sorted.len() as u64);
    let mut weighted = Decimal::ZERO;
    for (i, x) in sorted.iter().enumerate() {
        weighted = weighted.checked_add(Decimal::from(i as u64 + 1).checked_mul(*x)?)?;
    }
    let first = Decimal::TWO
        .checked_mul(weighted)?
        .checked_div(n.checked_mul(total)?)?;
    first.checked_sub((n + Decimal::ONE).checked_div(n)?)
}

fn lorenz_of(sorted: &[Decimal], total: Decimal) -> Vec<(Decimal, Decimal)> {
    let n = sorted.len();
    let mut cumulative = Vec::with_capacity(n + 1);
    let mut running = Decimal::ZERO;
    cumulative.push(running);
    for x in sorted {
        running = running.checked_add(*x).unwrap_or(running);
        cumulative.push(running);
    }
    let people = Decimal::from(n as u64);
    let point = |i: usize| -> Option<(Decimal, Decimal)> {
        let share = cumulative.get(i)?.checked_div(total)?;
        Some((Decimal::from(i as u64).checked_div(people)?, share))
    };
    let steps: Vec<usize> = if n <= LORENZ_POINTS {
        (0..=n).collect()
    } else {
        (0..=LORENZ_POINTS)
            .map(|j| (j * n).div_ceil(LORENZ_POINTS))
            .collect()
    };
    steps.into_iter().filter_map(point).collect()
}

fn checked_sum(amounts: &[Decimal]) -> Option<Decimal> {
    amounts
        .iter()
        .try_fold(Decimal::ZERO, |sum, x| sum.checked_add(*x))
}
