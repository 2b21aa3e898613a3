//! The ledger: every grant with its provenance, and totals per person.
//!
//! A grant says who received what, from which rule or pool, because of which
//! contributions, and how limits cut it. That is what makes "why did I get
//! this?" answerable.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::value::Value;

/// What a grant credits: an account (summed) or a badge (counted).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum Target {
    /// A `reward` account, by name: its grants are summed.
    Account(Arc<str>),
    /// A `badge`, by name: its awards are counted.
    Badge(Arc<str>),
}

impl Target {
    /// The account's or badge's name, as declared.
    pub fn name(&self) -> &str {
        match self {
            Target::Account(n) | Target::Badge(n) => n,
        }
    }
}

/// Where a grant came from.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Origin {
    /// A rule, by name and position in the file (grants of the same instant
    /// are ordered by it).
    Rule {
        /// The rule's name (shared: every grant of the rule names it).
        name: Arc<str>,
        /// The rule's place among the file's rules, from 0.
        position: usize,
    },
    /// A share of a pool for one period.
    Pool(PoolShare),
}

/// How a pool share was computed: `score / total_score × pool_amount`,
/// rounded down, plus one minor unit if this person had one of the largest
/// remainders.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PoolShare {
    /// The pool's name.
    pub pool: String,
    /// The period label, e.g. `2027-Q1`.
    pub period: String,
    /// This person's score (`split by`).
    pub score: Value,
    /// The sum of everyone's scores in the period.
    pub total_score: Value,
    /// The amount the pool paid out in the period.
    pub pool_amount: Value,
    /// Whether a leftover minor unit was added to this share.
    pub leftover_unit: bool,
}

/// One cut a limit made to a grant.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LimitCut {
    /// The limit as written: `bonus at most 300 EUR per person per month`
    /// (shared: every cut of the limit names it).
    pub limit: Arc<str>,
    /// The period label the running sum belongs to, e.g. `2027-01`.
    pub period: String,
    /// What had already been granted in that period before this grant.
    pub already_granted: Value,
    /// The cap in force in that period, rounded down.
    pub cap: Value,
    /// The grant as it reached this limit.
    pub before: Value,
    /// What the limit let through.
    pub after: Value,
}

/// One credit to one person.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Grant {
    /// The person credited.
    pub who: Arc<str>,
    /// The account or badge credited.
    pub target: Target,
    /// The stamp: the contribution's time, or the period's last instant for
    /// `each` rules and pools.
    pub at: DateTime<Utc>,
    /// The rule or pool that made the grant.
    pub origin: Origin,
    /// Ids of the contributions behind the grant (all of them for `each`).
    pub contributions: Vec<Arc<str>>,
    /// The amount as computed and rounded, before limits (badges: 1).
    pub amount: Value,
    /// The amount credited after limits.
    pub granted: Value,
    /// Each limit that made it smaller, in the order they applied.
    pub cuts: Vec<LimitCut>,
    /// The computation in words, e.g. `5.00 EUR + 0.02 EUR × 120 = 7.40 EUR`;
    /// filled in only when the evaluator is asked to explain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calculation: Option<Arc<str>>,
}

/// Totals per person and per account or badge (badges: times awarded).
pub type Totals = BTreeMap<Arc<str>, BTreeMap<Target, Value>>;

/// One person's total of one account or badge in one calendar period: the
/// grants stamped in it (`eval --by month`, `meed close`).
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodTotal {
    /// The calendar period, in the policy's zone.
    pub period: crate::semantics::period::PeriodKey,
    /// The person.
    pub who: Arc<str>,
    /// The account or badge.
    pub target: Target,
    /// The sum of the grants stamped in the period (badges: a count).
    pub total: Value,
}

/// Totals per period, person and account or badge, in no particular order.
/// Flat rather than a map per person: a year of months for 10,000 people
/// stays a few megabytes.
pub type TotalsByPeriod = Vec<PeriodTotal>;

/// The complete result of an evaluation.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Ledger {
    /// Every grant, in ledger order (time, contribution id, rule position).
    pub grants: Vec<Grant>,
    /// Each person's totals, the sums of their grants.
    pub totals: Totals,
}
