//! Where final grants go: a whole ledger, totals only (for csv, memory
//! proportional to people × accounts), or one person's grants (for explain).

use std::sync::Arc;

use crate::eval::arith;
use crate::eval::error::{EvalError, EvalErrorKind};
use crate::ledger::{Grant, Ledger, Origin, Totals};
use crate::source::Span;
use crate::value::{Value, with_digits};

/// Receives every final grant, in ledger order.
pub trait GrantSink {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError>;
}

/// Adds a grant's granted amount to its person's total for its account or
/// badge (badges count: each award adds 1).
///
/// The sum is exact: a total that a decimal cannot hold exactly (or money
/// that cannot keep its minor digits) is an `overflow` error.
pub fn add_to_totals(totals: &mut Totals, grant: &Grant) -> Result<(), EvalError> {
    let per_person = totals.entry(grant.who.clone()).or_default();
    match per_person.get_mut(&grant.target) {
        Some(total) => {
            let sum = arith::add(total, &grant.granted, Span::default())
                .map_err(|e| e.in_context(|| grant_context(grant)))?;
            let exact = match &sum {
                Value::Exact(_) => false,
                Value::Money(m) => with_digits(m.amount, m.currency.minor_digits()).is_some(),
                _ => true,
            };
            if !exact {
                return Err(EvalError::new(
                    EvalErrorKind::Overflow {
                        operation: format!("`{total} + {}` in a total", grant.granted),
                    },
                    None,
                )
                .in_context(|| grant_context(grant)));
            }
            *total = sum;
        }
        None => {
            per_person.insert(grant.target.clone(), grant.granted.clone());
        }
    }
    Ok(())
}

/// Where a grant came from, for an error in its person's total:
/// `rule `r`, contribution `c1``, `pool `fund` in 2027-Q1`.
fn grant_context(grant: &Grant) -> String {
    match &grant.origin {
        Origin::Rule { name, .. } => match grant.contributions.as_slice() {
            [one] => format!(
                "rule `{name}`, contribution `{one}`, total of `{}`",
                grant.who
            ),
            _ => format!("rule `{name}`, total of `{}`", grant.who),
        },
        Origin::Pool(share) => format!(
            "pool `{}` in {}, total of `{}`",
            share.pool, share.period, grant.who
        ),
    }
}

/// Keeps every grant and the totals.
impl GrantSink for Ledger {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError> {
        add_to_totals(&mut self.totals, &grant)?;
        self.grants.push(grant);
        Ok(())
    }
}

/// Keeps only the totals.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TotalsSink {
    pub totals: Totals,
}

impl GrantSink for TotalsSink {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError> {
        add_to_totals(&mut self.totals, &grant)
    }
}

/// Keeps one person's grants and totals, for `meed explain`.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonSink {
    pub who: Arc<str>,
    pub ledger: Ledger,
}

impl PersonSink {
    pub fn new(who: impl Into<Arc<str>>) -> PersonSink {
        PersonSink {
            who: who.into(),
            ledger: Ledger::default(),
        }
    }
}

impl GrantSink for PersonSink {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError> {
        if grant.who == self.who {
            self.ledger.accept(grant)?;
        }
        Ok(())
    }
}
