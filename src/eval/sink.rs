//! Where final grants go: a whole ledger, totals only (for csv, memory
//! proportional to people × accounts), or one person's grants (for explain).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono_tz::Tz;

use crate::ledger::{Grant, Ledger, Origin, PeriodTotal, Totals, TotalsByPeriod};
use crate::semantics::arith;
use crate::semantics::error::{EvalError, EvalErrorKind};
use crate::semantics::period::PeriodKey;
use crate::source::Span;
use crate::syntax::ast::Period;
use crate::value::{Value, with_digits};

/// Receives every final grant, in ledger order.
pub trait GrantSink {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError>;

    /// Forgets every grant accepted so far: the evaluation starts again
    /// (the engine found the log out of order half way, or stepped aside
    /// for exact decimals).
    fn restart(&mut self);
}

/// Adds a grant's granted amount to its person's total for its account or
/// badge (badges count: each award adds 1).
///
/// The sum is exact: a total that a decimal cannot hold exactly (or money
/// that cannot keep its minor digits) is an `overflow` error naming the
/// person, the account and the grant's rule or pool; it has no place in the
/// policy (no expression of the policy overflowed), so it carries no
/// location.
pub fn add_to_totals(totals: &mut Totals, grant: &Grant) -> Result<(), EvalError> {
    let per_person = totals.entry(grant.who.clone()).or_default();
    match per_person.get_mut(&grant.target) {
        Some(total) => {
            let sum = arith::add(total, &grant.granted, Span::NOWHERE).map_err(|error| {
                let mut error = error.in_context(|| total_context(grant));
                error.span = None;
                error
            })?;
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
                .in_context(|| total_context(grant)));
            }
            *total = sum;
        }
        None => {
            per_person.insert(grant.target.clone(), grant.granted.clone());
        }
    }
    Ok(())
}

/// `the total of `ada` in `bonus`, adding a grant of rule `pass` for
/// contribution `s2``.
fn total_context(grant: &Grant) -> String {
    let who = crate::text::escape_visible(&grant.who);
    let mut context = format!(
        "the total of `{who}` in `{}`, adding a grant of ",
        grant.target.name()
    );
    match &grant.origin {
        Origin::Rule { name, .. } => {
            let _ = write!(context, "rule `{name}`");
        }
        Origin::Pool(share) => {
            let _ = write!(context, "pool `{}` for {}", share.pool, share.period);
        }
    }
    if let Some(id) = grant.contributions.last() {
        let more = if grant.contributions.len() > 1 {
            " and others"
        } else {
            ""
        };
        let _ = write!(
            context,
            " for contribution `{}`{more}",
            crate::text::escape_visible(id)
        );
    }
    context
}

/// Keeps every grant and the totals.
impl GrantSink for Ledger {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError> {
        add_to_totals(&mut self.totals, &grant)?;
        self.grants.push(grant);
        Ok(())
    }

    fn restart(&mut self) {
        *self = Ledger::default();
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

    fn restart(&mut self) {
        self.totals.clear();
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

    fn restart(&mut self) {
        self.ledger.restart();
    }
}

/// Keeps the totals and the totals per calendar period, by each grant's
/// stamp (`eval --by month`, `meed close`).
#[derive(Clone, Debug, PartialEq)]
pub struct PeriodTotalsSink {
    period: Period,
    tz: Tz,
    pub totals: Totals,
    periods: BTreeMap<PeriodKey, Totals>,
}

impl PeriodTotalsSink {
    /// Totals per period of kind `period`, cut in `tz` (the policy's zone).
    pub fn new(period: Period, tz: Tz) -> PeriodTotalsSink {
        PeriodTotalsSink {
            period,
            tz,
            totals: Totals::new(),
            periods: BTreeMap::new(),
        }
    }
}

impl PeriodTotalsSink {
    /// The totals per period, person and account or badge.
    pub fn by_period(&self) -> TotalsByPeriod {
        let mut rows = TotalsByPeriod::new();
        for (period, totals) in &self.periods {
            for (who, targets) in totals {
                for (target, total) in targets {
                    rows.push(PeriodTotal {
                        period: *period,
                        who: who.clone(),
                        target: target.clone(),
                        total: total.clone(),
                    });
                }
            }
        }
        rows
    }
}

impl GrantSink for PeriodTotalsSink {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError> {
        let key = PeriodKey::of(grant.at, self.period, self.tz);
        add_to_totals(self.periods.entry(key).or_default(), &grant)?;
        add_to_totals(&mut self.totals, &grant)
    }

    fn restart(&mut self) {
        self.totals.clear();
        self.periods.clear();
    }
}
