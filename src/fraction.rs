//! Exact fractions: what a division that does not terminate (`1 / 3`,
//! `0.005 EUR / 3`) is until a grant rounds it.
//!
//! A [`Fraction`] is `numer / denom` in lowest terms with `denom > 0`, both
//! 128-bit integers. Every operation is checked: a result that does not fit
//! is `None` (the evaluator reports an `overflow`), never a rounded number.
//! Comparisons never overflow (they compare continued fractions).

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;

/// How [`Fraction::round`] breaks a value between two representable ones.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rounding {
    /// To the nearest, halves to the even neighbour.
    HalfEven,
    /// To the nearest, halves away from zero.
    HalfUp,
    /// Toward negative infinity.
    Floor,
    /// Toward positive infinity.
    Ceil,
    /// Toward zero.
    Truncate,
}

/// An exact rational number `numer / denom`, reduced, `denom > 0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Fraction {
    numer: i128,
    denom: i128,
}

/// The largest scale a `Decimal` holds.
const MAX_SCALE: u32 = 28;

/// `10^n`, for `n <= 38`.
fn pow10(n: u32) -> Option<i128> {
    10i128.checked_pow(n)
}

fn gcd(a: u128, b: u128) -> u128 {
    let (mut a, mut b) = (a, b);
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Fraction {
    pub const ZERO: Fraction = Fraction { numer: 0, denom: 1 };

    /// `numer / denom` reduced; `None` for a zero denominator or beyond
    /// 128 bits.
    pub fn new(numer: i128, denom: i128) -> Option<Fraction> {
        if denom == 0 {
            return None;
        }
        let g = gcd(numer.unsigned_abs(), denom.unsigned_abs());
        let g = i128::try_from(g).ok()?;
        let (mut numer, mut denom) = (numer / g, denom / g);
        if denom < 0 {
            numer = numer.checked_neg()?;
            denom = denom.checked_neg()?;
        }
        Some(Fraction { numer, denom })
    }

    /// A whole number.
    pub fn from_int(i: i64) -> Fraction {
        Fraction {
            numer: i128::from(i),
            denom: 1,
        }
    }

    /// A decimal, exactly.
    pub fn from_decimal(d: Decimal) -> Fraction {
        // INVARIANT: a Decimal's scale is at most 28 and its mantissa below
        // 2^96, so both fit and `new` cannot fail.
        pow10(d.scale())
            .and_then(|denom| Fraction::new(d.mantissa(), denom))
            .unwrap_or(Fraction::ZERO)
    }

    pub fn numer(&self) -> i128 {
        self.numer
    }

    pub fn denom(&self) -> i128 {
        self.denom
    }

    /// The decimal of this value when it has one (the denominator divides a
    /// power of ten up to `10^28` and the digits fit), with the fewest
    /// decimal places.
    pub fn to_decimal(&self) -> Option<Decimal> {
        let mut rest = self.denom;
        let (mut twos, mut fives) = (0u32, 0u32);
        while rest % 2 == 0 {
            rest /= 2;
            twos += 1;
        }
        while rest % 5 == 0 {
            rest /= 5;
            fives += 1;
        }
        let scale = twos.max(fives);
        if rest != 1 || scale > MAX_SCALE {
            return None;
        }
        let factor = pow10(scale)? / self.denom;
        let mantissa = self.numer.checked_mul(factor)?;
        Decimal::try_from_i128_with_scale(mantissa, scale).ok()
    }

    /// Whether this is a whole number.
    pub fn is_integer(&self) -> bool {
        self.denom == 1
    }

    pub fn signum(&self) -> Ordering {
        self.numer.cmp(&0)
    }

    pub fn checked_neg(&self) -> Option<Fraction> {
        Some(Fraction {
            numer: self.numer.checked_neg()?,
            denom: self.denom,
        })
    }

    pub fn checked_add(&self, other: &Fraction) -> Option<Fraction> {
        let g = i128::try_from(gcd(self.denom.unsigned_abs(), other.denom.unsigned_abs())).ok()?;
        let (a, b) = (self.denom / g, other.denom / g);
        let numer = self
            .numer
            .checked_mul(b)?
            .checked_add(other.numer.checked_mul(a)?)?;
        Fraction::new(numer, self.denom.checked_mul(b)?)
    }

    pub fn checked_sub(&self, other: &Fraction) -> Option<Fraction> {
        self.checked_add(&other.checked_neg()?)
    }

    pub fn checked_mul(&self, other: &Fraction) -> Option<Fraction> {
        let g1 = i128::try_from(gcd(self.numer.unsigned_abs(), other.denom.unsigned_abs())).ok()?;
        let g2 = i128::try_from(gcd(other.numer.unsigned_abs(), self.denom.unsigned_abs())).ok()?;
        let (g1, g2) = (g1.max(1), g2.max(1));
        let numer = (self.numer / g1).checked_mul(other.numer / g2)?;
        let denom = (self.denom / g2).checked_mul(other.denom / g1)?;
        Fraction::new(numer, denom)
    }

    /// `self / other`; `None` for a zero divisor.
    pub fn checked_div(&self, other: &Fraction) -> Option<Fraction> {
        if other.numer == 0 {
            return None;
        }
        let reciprocal = Fraction::new(other.denom, other.numer)?;
        self.checked_mul(&reciprocal)
    }

    /// The value rounded to `digits` decimal places, as a decimal with
    /// exactly that scale; `None` when it does not fit a `Decimal`.
    pub fn round(&self, digits: u32, how: Rounding) -> Option<Decimal> {
        if digits > MAX_SCALE {
            return None;
        }
        let negative = self.numer < 0;
        let (a, d) = (self.numer.unsigned_abs(), self.denom.unsigned_abs());
        let one = u128::try_from(pow10(digits)?).ok()?;
        let (whole, rest) = (a / d, a % d);
        // rest < d, so the fraction's digits are below `one`.
        let (part, remainder) = mul_div(one, rest, d);
        let mut scaled = whole.checked_mul(one)?.checked_add(part)?;
        let inexact = remainder != 0;
        let up = match how {
            Rounding::Truncate => false,
            Rounding::Floor => inexact && negative,
            Rounding::Ceil => inexact && !negative,
            Rounding::HalfUp | Rounding::HalfEven => match (remainder * 2).cmp(&d) {
                Ordering::Greater => true,
                Ordering::Less => false,
                Ordering::Equal => how == Rounding::HalfUp || scaled % 2 == 1,
            },
        };
        if up {
            scaled = scaled.checked_add(1)?;
        }
        let magnitude = i128::try_from(scaled).ok()?;
        let mut rounded = Decimal::try_from_i128_with_scale(
            if negative { -magnitude } else { magnitude },
            digits,
        )
        .ok()?;
        if rounded.is_zero() {
            rounded.set_sign_positive(true);
        }
        Some(rounded)
    }

    /// The whole part toward zero, in magnitude (for range checks).
    pub fn whole_magnitude(&self) -> u128 {
        self.numer.unsigned_abs() / self.denom.unsigned_abs()
    }
}

impl Ord for Fraction {
    /// Exact, without overflow: compares whole parts, then the reciprocals
    /// of the remainders (continued fractions).
    fn cmp(&self, other: &Fraction) -> Ordering {
        let (mut a, mut b) = (self.numer, self.denom);
        let (mut c, mut d) = (other.numer, other.denom);
        let mut flipped = false;
        loop {
            // b, d > 0 throughout.
            let (qa, qc) = (a.div_euclid(b), c.div_euclid(d));
            let order = qa.cmp(&qc);
            if order != Ordering::Equal {
                return if flipped { order.reverse() } else { order };
            }
            let (ra, rc) = (a.rem_euclid(b), c.rem_euclid(d));
            let order = match (ra == 0, rc == 0) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Less,
                (false, true) => Ordering::Greater,
                (false, false) => {
                    // ra/b vs rc/d: compare d/rc with b/ra the other way round.
                    (a, b, c, d) = (b, ra, d, rc);
                    flipped = !flipped;
                    continue;
                }
            };
            return if flipped { order.reverse() } else { order };
        }
    }
}

impl PartialOrd for Fraction {
    fn partial_cmp(&self, other: &Fraction) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Fraction {
    /// `1/3`, `-7/600`, `5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.denom == 1 {
            write!(f, "{}", self.numer)
        } else {
            write!(f, "{}/{}", self.numer, self.denom)
        }
    }
}

/// `(a × b) / c` as quotient and remainder, exactly, for `b <= c`, through
/// a 256-bit product.
pub(crate) fn mul_div(a: u128, b: u128, c: u128) -> (u128, u128) {
    if c == 0 {
        return (0, 0);
    }
    // Usually small: one native division.
    if let Some(product) = a.checked_mul(b) {
        return (product / c, product % c);
    }
    const MASK: u128 = u64::MAX as u128;
    let (a1, a0) = (a >> 64, a & MASK);
    let (b1, b0) = (b >> 64, b & MASK);
    let (p00, p01, p10, p11) = (a0 * b0, a0 * b1, a1 * b0, a1 * b1);
    let mid = (p00 >> 64) + (p01 & MASK) + (p10 & MASK);
    let lo = (p00 & MASK) | (mid << 64);
    let hi = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    let mut quotient: u128 = 0;
    let mut remainder: u128 = 0;
    for i in (0..256u32).rev() {
        let bit = if i >= 128 {
            (hi >> (i - 128)) & 1
        } else {
            (lo >> i) & 1
        };
        let carry = remainder >> 127;
        remainder = (remainder << 1) | bit;
        // With the carry the true remainder is 2^128 + remainder >= c.
        let take = carry == 1 || remainder >= c;
        if take {
            remainder = remainder.wrapping_sub(c);
        }
        quotient = (quotient << 1) | u128::from(take);
    }
    (quotient, remainder)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "a failing unwrap is a failing test")]
mod tests {
    use std::str::FromStr;

    use proptest::prelude::*;

    use super::*;

    fn f(n: i128, d: i128) -> Fraction {
        Fraction::new(n, d).unwrap()
    }

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn fractions_reduce_and_terminate_when_they_can() {
        assert_eq!(f(2, -4), f(-1, 2));
        assert_eq!(f(1, 200).to_decimal(), Some(dec("0.005")));
        assert_eq!(f(1, 3).to_decimal(), None);
        let third = Fraction::from_decimal(dec("0.005"))
            .checked_div(&Fraction::from_int(3))
            .unwrap();
        assert_eq!(third, f(1, 600));
        let back = third.checked_mul(&Fraction::from_int(3)).unwrap();
        assert_eq!(back.to_decimal(), Some(dec("0.005")));
        // A terminating value finer than 28 places is not a Decimal.
        assert_eq!(f(1, 10i128.pow(29)).to_decimal(), None);
    }

    #[test]
    fn rounding_in_every_direction() {
        let r = |n, d, digits, how| f(n, d).round(digits, how).unwrap().to_string();
        assert_eq!(r(1, 600, 2, Rounding::HalfEven), "0.00");
        assert_eq!(r(1, 200, 2, Rounding::HalfEven), "0.00");
        assert_eq!(r(3, 200, 2, Rounding::HalfEven), "0.02");
        assert_eq!(r(1, 200, 2, Rounding::HalfUp), "0.01");
        assert_eq!(r(-1, 200, 2, Rounding::HalfUp), "-0.01");
        assert_eq!(r(-1, 200, 2, Rounding::HalfEven), "0.00");
        assert_eq!(r(3, 200, 2, Rounding::Floor), "0.01");
        assert_eq!(r(-3, 200, 2, Rounding::Floor), "-0.02");
        assert_eq!(r(1, 3, 2, Rounding::Ceil), "0.34");
        assert_eq!(r(-1, 3, 2, Rounding::Truncate), "-0.33");
        assert_eq!(r(1000000, 3, 10, Rounding::HalfEven), "333333.3333333333");
        assert_eq!(r(2, 3, 10, Rounding::HalfEven), "0.6666666667");
        // Too many digits for a Decimal.
        assert_eq!(f(i128::MAX, 3).round(2, Rounding::HalfEven), None);
    }

    #[test]
    fn comparisons_never_overflow() {
        let big = f(i128::MAX, 3);
        let bigger = f(i128::MAX, 2);
        assert_eq!(big.cmp(&bigger), Ordering::Less);
        assert_eq!(
            f(1, 3).cmp(&Fraction::from_decimal(dec(
                "0.3333333333333333333333333333"
            ))),
            Ordering::Greater
        );
        assert_eq!(f(-1, 3).cmp(&f(-1, 4)), Ordering::Less);
        assert_eq!(f(7, 7).cmp(&Fraction::from_int(1)), Ordering::Equal);
    }

    fn fraction() -> impl Strategy<Value = Fraction> {
        (-1_000_000_000i128..1_000_000_000, 1i128..1_000_000).prop_map(|(n, d)| f(n, d))
    }

    proptest! {
        /// The order is the order of the cross products (which fit here).
        #[test]
        fn order_is_the_cross_product_order(a in fraction(), b in fraction()) {
            let cross = (a.numer * b.denom).cmp(&(b.numer * a.denom));
            prop_assert_eq!(a.cmp(&b), cross);
        }

        /// `(a / b) * b == a` and `(a + b) - b == a`, exactly.
        #[test]
        fn operations_invert(a in fraction(), b in fraction()) {
            prop_assert_eq!(a.checked_add(&b).unwrap().checked_sub(&b).unwrap(), a);
            if b != Fraction::ZERO {
                prop_assert_eq!(a.checked_div(&b).unwrap().checked_mul(&b).unwrap(), a);
            }
        }

        /// Rounding a decimal's fraction is rounding the decimal.
        #[test]
        fn rounding_agrees_with_decimal_rounding(m in -10_000_000_000i64..10_000_000_000, scale in 0u32..=9, digits in 0u32..=4) {
            let d = Decimal::new(m, scale);
            let ours = Fraction::from_decimal(d).round(digits, Rounding::HalfEven).unwrap();
            let theirs = d.round_dp_with_strategy(digits, rust_decimal::RoundingStrategy::MidpointNearestEven);
            prop_assert_eq!(ours, theirs);
        }
    }
}
