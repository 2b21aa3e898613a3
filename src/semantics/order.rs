//! The two orders of the contract (LANGUAGE.md §3 and §5), written once:
//! records are evaluated in `(at, id)` order, ids compared as bytes,
//! whatever order the log holds them in; grants are in ledger order.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};

/// The order records are evaluated in: by instant, then by id as bytes
/// (not by locale, not by number: `r10` comes before `r9`).
pub fn record_order(a: (DateTime<Utc>, &[u8]), b: (DateTime<Utc>, &[u8])) -> Ordering {
    a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1))
}

/// Which stage made a grant. Ledger order is by time; grants of one
/// instant are ordered by stage (this enum's order: `on` grants, then
/// `each` grants, then pool shares), then by contribution id (`on`) and
/// the rule's or pool's position in the file, then by who.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    On,
    Each,
    Pool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_ordered_by_instant_then_id_bytes() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap_or_default();
        let early = at("2027-01-01T00:00:00Z");
        let late = at("2027-01-01T00:00:01Z");
        assert_eq!(record_order((early, b"z"), (late, b"a")), Ordering::Less);
        assert_eq!(
            record_order((early, b"r10"), (early, b"r9")),
            Ordering::Less
        );
        assert_eq!(record_order((early, b"B"), (early, b"a")), Ordering::Less);
        assert_eq!(record_order((late, b"a"), (late, b"a")), Ordering::Equal);
        assert!(Stage::On < Stage::Each && Stage::Each < Stage::Pool);
    }
}
