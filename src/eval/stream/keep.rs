//! Grants kept whole: for the full ledger, `diff`, snapshots and `explain`
//! the engine keeps each final grant with its provenance (rule or pool
//! share, contributions, limit cuts), not only its amount in the totals.
//! Only the people asked for are kept, so that explaining one person costs
//! no more memory than the totals.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::fixed::{Fx, Scale};
use crate::ledger::{Grant, LimitCut, Origin, Target};
use crate::semantics::error::EvalError;
use crate::semantics::order::Stage;
use crate::source::Span;

/// Whose grants the engine keeps whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Everyone's (`eval --format json`, the report).
    Everyone,
    /// One person's (`meed explain WHO`).
    Person(Arc<str>),
    /// Everyone's pool shares and no rule grant: `meed report` words each
    /// person's rule grants later, from their own records, but a share
    /// needs the whole run.
    PoolShares,
}

impl Keep {
    /// Whether the rule grants of the person named `who` are kept.
    pub fn keeps(&self, who: &str) -> bool {
        match self {
            Keep::Everyone => true,
            Keep::Person(name) => **name == *who,
            Keep::PoolShares => false,
        }
    }

    /// Whether `grant` is kept.
    pub fn keeps_grant(&self, grant: &Grant) -> bool {
        match grant.origin {
            Origin::Pool(_) => self.keeps_shares() || self.keeps(&grant.who),
            Origin::Rule { .. } => self.keeps(&grant.who),
        }
    }

    /// Whether everyone's pool shares are kept.
    pub fn keeps_shares(&self) -> bool {
        matches!(self, Keep::Everyone | Keep::PoolShares)
    }
}

/// Where a grant came from and because of which contributions.
#[derive(Clone, Debug)]
pub struct Provenance {
    pub origin: Origin,
    pub contributions: Vec<Arc<str>>,
    /// The calculation in words, when the run words what it keeps.
    pub calculation: Option<Arc<str>>,
}

/// A final grant in the engine's terms (person and target by index,
/// amounts in fixed point), until the caller takes it.
#[derive(Debug)]
pub struct Kept {
    /// Where it stands among grants of the same instant: by stage, then by
    /// rule or pool position ([`Stage`]).
    pub rank: (Stage, usize),
    pub who: u32,
    pub target: usize,
    pub at: DateTime<Utc>,
    pub provenance: Provenance,
    pub amount: Fx,
    pub granted: Fx,
    pub cuts: Vec<LimitCut>,
}

impl Kept {
    /// The grant as the ledger holds it.
    pub fn into_grant(
        self,
        names: &[Arc<str>],
        targets: &[Target],
        scale: &Scale,
    ) -> Result<Grant, EvalError> {
        let missing = || EvalError::internal("a kept grant of no one", None);
        let value = |x: Fx| {
            scale
                .value(x)
                .ok_or_else(|| super::too_precise(Span::NOWHERE))
        };
        Ok(Grant {
            who: names.get(self.who as usize).ok_or_else(missing)?.clone(),
            target: targets.get(self.target).ok_or_else(missing)?.clone(),
            at: self.at,
            origin: self.provenance.origin,
            contributions: self.provenance.contributions,
            amount: value(self.amount)?,
            granted: value(self.granted)?,
            cuts: self.cuts,
            calculation: self.provenance.calculation,
        })
    }
}
