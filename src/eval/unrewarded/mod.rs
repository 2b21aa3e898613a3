//! The contributions of one person that earned nothing, each with why:
//! no rule rewards its kind, a rule's condition was false (with the values
//! it read), a limit cut the grant to zero, it lies outside the window.
//!
//! The engine's grants are the truth: a contribution earned something if a
//! grant with a non-zero amount after limits (or a badge) lists it among
//! its contributions — an `on` grant for the record itself, or an `each`
//! grant whose aggregates counted it. Only for the others is a reason
//! worked out, rule by rule, from the grants (a grant of zero: computed as
//! zero, or cut to zero) or, where the rule made no grant, by evaluating
//! its condition with the exact evaluator over the person's own records (a
//! rule's condition depends on nothing else). So the cost is one pass over
//! the person's grants and records, and one condition per rule and
//! contribution (or per rule and period) that earned nothing.

mod analysis;
pub mod why;

use std::cmp::Ordering;
use std::sync::Arc;

use crate::eval::scope::Env;
use crate::input::{Contribution, Roster};
use crate::ledger::{Grant, LimitCut};
use crate::schema::Schema;
use crate::semantics::arith;
use crate::semantics::error::EvalError;
use crate::semantics::order::record_order;
use crate::semantics::period::Window;
use crate::syntax::ast::PolicyFile;
use crate::value::Value;

use analysis::Analysis;
pub use why::{FalseCondition, why_false};

/// Why one contribution earned nothing, from one rule or at all.
#[derive(Clone, Debug, PartialEq)]
pub enum Unrewarded {
    /// No `on` rule of its kind, no `each` rule counting its kind, no pool
    /// scoring it.
    NoRuleForKind { kind: String },
    /// No rule rewards its kind, but a pool's `split by` counts it: it
    /// raised the person's score in that pool, not a grant of its own.
    OnlyPoolScore { kind: String, pool: String },
    /// An `on` rule of its kind whose `from ... until ...` window does not
    /// hold it (an `each` rule's: does not hold the start of its period).
    OutsideRuleWindow {
        rule: Arc<str>,
        /// The window as written: `from 2027-03-01 until 2027-05-31`.
        window: String,
        /// The `each` rule's period; `None` for `on` rules.
        period: Option<String>,
    },
    /// An `on` rule of its kind whose `when` was false for it.
    ConditionFalse { rule: Arc<str>, why: FalseCondition },
    /// An `each` rule that could count it whose `when` was false for the
    /// person in the period.
    PeriodConditionFalse {
        rule: Arc<str>,
        period: String,
        why: FalseCondition,
    },
    /// An `each` rule granted in the period, but its aggregates did not
    /// count this contribution: the `where` that was false, if one was.
    NotCounted {
        rule: Arc<str>,
        period: String,
        why: Option<FalseCondition>,
    },
    /// The rule's grant for it was zero as computed (`calculation` in
    /// words, if the grants carry them).
    ZeroAmount {
        rule: Arc<str>,
        /// The `each` rule's period; `None` for `on` rules.
        period: Option<String>,
        amount: Value,
        calculation: Option<Arc<str>>,
    },
    /// A limit cut the rule's grant for it to zero.
    CutToZero {
        rule: Arc<str>,
        period: Option<String>,
        /// The grant before limits.
        amount: Value,
        /// The cut that left nothing (boxed: the largest reason by far).
        cut: Box<LimitCut>,
    },
    /// It lies outside the window (`--period`, `--from`, `--to`): read,
    /// since caps count it, but anything it earned is stamped outside.
    OutsideWindow,
    /// An `each` rule that could count it decides at the end of the
    /// period, after the window: whatever it grants is stamped there.
    AfterWindow { rule: Arc<str>, period: String },
}

/// A contribution that earned nothing, and every reason (one per rule
/// that could have rewarded it, in the file's order; or one that no rule
/// could).
#[derive(Clone, Debug, PartialEq)]
pub struct Unearned<'r> {
    pub record: &'r Contribution,
    pub reasons: Vec<Unrewarded>,
}

/// Every contribution in `records` (one person's, all of them as the log
/// holds them) that earned nothing in `grants` (that person's grants as the
/// engine made them, stamped in `window`, kept whole), in `(at, id)`
/// order, each with its reasons.
///
/// Fails only if the grants and the policy disagree (a rule whose
/// condition holds made no grant) or a condition cannot be evaluated.
pub fn unrewarded<'r>(
    policy: &PolicyFile,
    schema: &Schema,
    roster: Option<&Roster>,
    records: &'r [Contribution],
    grants: &[Grant],
    window: Option<Window>,
) -> Result<Vec<Unearned<'r>>, EvalError> {
    let env = Env::new(policy, schema, roster)?;
    let mut sorted: Vec<&'r Contribution> = records.iter().collect();
    sorted.sort_by(|a, b| record_order((a.at, a.id.as_bytes()), (b.at, b.id.as_bytes())));
    let read: Vec<&'r Contribution> = sorted
        .iter()
        .copied()
        .filter(|c| window.is_none_or(|w| w.reads(c.at)))
        .collect();
    let analysis = Analysis::new(policy, &env, grants, &read, window);
    let mut out = Vec::new();
    for record in sorted {
        if analysis.earned(record) {
            continue;
        }
        let reasons = analysis.reasons(record)?;
        out.push(Unearned { record, reasons });
    }
    Ok(out)
}

/// Whether a grant gives something: a badge, or an amount after limits
/// other than zero (a negative grant is something too).
pub fn gives_something(grant: &Grant) -> bool {
    arith::sign(&grant.granted) != Some(Ordering::Equal)
}
