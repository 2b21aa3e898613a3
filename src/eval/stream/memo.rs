//! The words of an `on` rule's grant, remembered by what they depend on.
//!
//! When a run words its grants (`explain`, the report's statements), most
//! of its time goes to the words: the calculation is evaluated again with
//! exact decimals and written out. Yet most grants repeat one another: a
//! like is `1 pts`, an accepted answer `15 pts (a.accepted is true)`, a
//! review of 120 lines always `5.00 EUR + 0.02 EUR × 120 = 7.40 EUR`.
//!
//! A rule's words are a function of the values its amount reads, and of
//! nothing else, when that amount reads only constants, the contribution's
//! fields and its person's roster columns, and the condition is not worded
//! (it reads no value that changes over time). For such rules the words are
//! kept by the rule, the grant's value and the exact values read (`1.0` and
//! `1.00` are different keys: they are written differently).

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::compile::CExpr;
use super::fixed::Fx;
use super::run::Ctx;
use crate::input::hash::FxBuild;
use crate::units::Currency;
use crate::value::Value;

/// What a rule's words read, when they can be remembered.
#[derive(Clone, Debug)]
pub enum Read {
    /// A field of the contribution, by slot.
    Field(usize),
    /// A roster column of the contribution's person, by slot.
    ByColumn(usize),
}

/// The values `amount` reads, if they are all the words depend on: `None`
/// when it reads anything else (a value that changes over time, a total,
/// an aggregate, the contribution's time, id or person).
pub fn reads_of(amount: &CExpr) -> Option<Vec<Read>> {
    let mut reads = Vec::new();
    let mut pure = true;
    amount.walk(&mut |e| match e {
        CExpr::Field(slot) => reads.push(Read::Field(*slot)),
        CExpr::ByColumn(slot) => reads.push(Read::ByColumn(*slot)),
        CExpr::Const(_)
        | CExpr::Fixed(..)
        | CExpr::Neg(..)
        | CExpr::Not(..)
        | CExpr::And(..)
        | CExpr::Or(..)
        | CExpr::Binary(..)
        | CExpr::If(..)
        | CExpr::Call(..)
        | CExpr::Tiers(_) => {}
        CExpr::Dated(_)
        | CExpr::At
        | CExpr::Id
        | CExpr::Who
        | CExpr::PersonColumn(_)
        | CExpr::Total(..)
        | CExpr::Aggregate(_) => pure = false,
    });
    pure.then_some(reads)
}

/// A value as it is written: equal keys are written the same.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Exact {
    Missing,
    Int(i64),
    Bool(bool),
    Text(Arc<str>),
    Timestamp(i64, u32),
    /// A decimal's 16 bytes (its scale included), what it measures, and
    /// the currency of money.
    Number(u8, [u8; 16], Option<Currency>),
}

impl Exact {
    fn of(value: Option<&Value>) -> Option<Exact> {
        let number = |kind, d: &Decimal, currency| Exact::Number(kind, d.serialize(), currency);
        Some(match value {
            None => Exact::Missing,
            Some(Value::Int(i)) => Exact::Int(*i),
            Some(Value::Bool(b)) => Exact::Bool(*b),
            Some(Value::Text(t)) => Exact::Text(t.clone()),
            Some(Value::Timestamp(t)) => {
                Exact::Timestamp(t.timestamp(), t.timestamp_subsec_nanos())
            }
            Some(Value::Decimal(d)) => number(0, d, None),
            Some(Value::Duration(d)) => number(1, d, None),
            Some(Value::Points(d)) => number(2, d, None),
            Some(Value::Money(m)) => number(3, &m.amount, Some(m.currency)),
            // Never read from a log or roster; not remembered.
            Some(Value::Exact(_)) => return None,
        })
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
struct Key {
    rule: usize,
    granted: i128,
    read: Vec<Exact>,
}

/// Words already written, by rule and what they read.
///
/// A memo may outlive a run and serve the next one (the report words its
/// people a group per run): its keys are rule positions and fixed-point
/// values, which mean the same only under the same policy and scale, so a
/// run under another policy starts it again ([`WordsMemo::serve`]).
///
/// A rule whose words rarely repeat (a commission on amounts that are all
/// different) is not remembered at all once that shows: its words would
/// only fill the memory and be looked up in vain.
#[derive(Default)]
pub struct WordsMemo {
    words: HashMap<Key, Arc<str>, FxBuild>,
    /// The policy (by address) and scale the words were written under.
    written_under: Option<(usize, u32)>,
    /// Per rule position: how often its words were looked up, and found.
    tries: Vec<Tries>,
}

#[derive(Clone, Copy, Default)]
struct Tries {
    looked_up: u32,
    found: u32,
}

impl Tries {
    /// Whether remembering the rule's words still pays: until enough
    /// look-ups to tell, and then while at least one in four finds them.
    fn worth_it(self) -> bool {
        self.looked_up < TRIAL || self.found >= self.looked_up / 4
    }
}

/// Enough for every value a rule commonly meets; past it the memo starts
/// again, so a log of all-different amounts costs no more than memory for
/// this many.
const MAX_KEPT: usize = 1 << 14;

/// How many look-ups of a rule's words tell whether they repeat.
const TRIAL: u32 = 4096;

impl WordsMemo {
    /// Readies the memo for a run of `policy` at a scale of `digits`:
    /// emptied if its words were written under another.
    pub fn serve(&mut self, policy: &crate::syntax::ast::PolicyFile, digits: u32) {
        let under = (std::ptr::from_ref(policy) as usize, digits);
        if self.written_under != Some(under) {
            self.words.clear();
            self.tries.clear();
            self.written_under = Some(under);
        }
    }

    /// The words of rule `rule`'s grant of `granted`, which reads `reads`
    /// in `ctx`: remembered, or made by `make` and remembered.
    pub fn words<E>(
        &mut self,
        rule: usize,
        reads: &[Read],
        ctx: &Ctx<'_>,
        granted: Fx,
        make: impl FnOnce() -> Result<Arc<str>, E>,
    ) -> Result<Arc<str>, E> {
        if self.tries.len() <= rule {
            self.tries.resize(rule + 1, Tries::default());
        }
        let Some(tries) = self.tries.get_mut(rule) else {
            return make();
        };
        if !tries.worth_it() {
            return make();
        }
        tries.looked_up = tries.looked_up.saturating_add(1);
        let read: Option<Vec<Exact>> = reads
            .iter()
            .map(|r| {
                Exact::of(match r {
                    Read::Field(slot) => ctx.record.and_then(|rec| rec.fields.get(*slot)),
                    Read::ByColumn(slot) => ctx.by_row.and_then(|row| row.get(*slot)),
                })
            })
            .collect();
        let Some(read) = read else {
            return make();
        };
        let key = Key {
            rule,
            granted: granted.v,
            read,
        };
        if let Some(words) = self.words.get(&key) {
            if let Some(tries) = self.tries.get_mut(rule) {
                tries.found = tries.found.saturating_add(1);
            }
            return Ok(words.clone());
        }
        let words = make()?;
        if self.words.len() >= MAX_KEPT {
            self.words.clear();
        }
        self.words.insert(key, words.clone());
        Ok(words)
    }
}
