//! Helpers for evaluator tests: a parsed policy with its schema, records
//! built by field name, and totals as displayed.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test helpers fail loudly"
)]

use std::str::FromStr;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use meed::eval::{EvalError, EvalOptions, EvalReport, evaluate};
use meed::input::{Contribution, Log, Roster};
use meed::ledger::{Grant, Ledger, Target};
use meed::render::diagnostic::render_plain;
use meed::schema::Schema;
use meed::source::SourceFile;
use meed::syntax::ast::{Expr, Item, PolicyFile};
use meed::units::Currency;
use meed::value::{Money, Value};
use rust_decimal::Decimal;

pub struct Policy {
    pub policy: PolicyFile,
    pub schema: Schema,
}

impl Policy {
    /// Parses `text`; a parse error fails the test with the rendered diagnostic.
    pub fn new(text: &str) -> Policy {
        let source = SourceFile::new("test.meed", text);
        let policy = match meed::syntax::parser::parse_policy(&source) {
            Ok(p) => p,
            Err(e) => panic!("{}", render_plain(&e)),
        };
        let schema = Schema::from_policy(&policy);
        Policy { policy, schema }
    }

    /// A record of `kind`, its fields given by name (any order).
    pub fn rec(
        &self,
        kind: &str,
        id: &str,
        who: &str,
        at: &str,
        fields: &[(&str, Value)],
    ) -> Contribution {
        let k = self
            .schema
            .kind(kind)
            .unwrap_or_else(|| panic!("no kind {kind}"));
        let values = k
            .fields
            .iter()
            .map(|f| {
                fields
                    .iter()
                    .find(|(n, _)| *n == f.name)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_else(|| panic!("missing field {}", f.name))
            })
            .collect();
        Contribution {
            id: Arc::from(id),
            who: Arc::from(who),
            kind: self.schema.kind_index(kind).unwrap(),
            at: utc(at),
            fields: values,
            line: 0,
        }
    }

    /// The log the reader would produce: sorted by `(at, id)`.
    pub fn log(&self, records: &[Contribution]) -> Log {
        let mut contributions = records.to_vec();
        contributions.sort_by(|a, b| {
            a.at.cmp(&b.at)
                .then_with(|| a.id.as_bytes().cmp(b.id.as_bytes()))
        });
        Log { contributions }
    }

    pub fn eval(&self, records: &[Contribution]) -> Ledger {
        match self.eval_with(records, None, &EvalOptions::default()) {
            Ok((ledger, _)) => ledger,
            Err(e) => panic!("{}", render_plain(&e)),
        }
    }

    pub fn eval_with(
        &self,
        records: &[Contribution],
        roster: Option<&Roster>,
        options: &EvalOptions,
    ) -> Result<(Ledger, EvalReport), EvalError> {
        let mut ledger = Ledger::default();
        let report = evaluate(
            &self.policy,
            &self.schema,
            &self.log(records),
            roster,
            options,
            &mut ledger,
        )?;
        Ok((ledger, report))
    }

    /// A person's total of an account as displayed, `-` if they have none.
    pub fn total(&self, ledger: &Ledger, who: &str, account: &str) -> String {
        ledger
            .totals
            .get(who)
            .and_then(|t| t.get(&Target::Account(account.into())))
            .map_or_else(|| "-".to_string(), ToString::to_string)
    }

    pub fn badge(&self, ledger: &Ledger, who: &str, badge: &str) -> Option<Value> {
        ledger
            .totals
            .get(who)
            .and_then(|t| t.get(&Target::Badge(badge.into())))
            .cloned()
    }

    pub fn eur(&self, amount: &str) -> Value {
        self.money(amount, "EUR")
    }

    pub fn money(&self, amount: &str, code: &str) -> Value {
        Value::Money(Money::new(
            Decimal::from_str(amount).unwrap(),
            Currency::from_code(code).unwrap(),
        ))
    }

    /// The expression of `let NAME = ...`.
    pub fn let_expr(&self, name: &str) -> Expr {
        self.policy
            .items
            .iter()
            .find_map(|i| match i {
                Item::Let(l) if l.name.node == name => match &l.value {
                    meed::syntax::ast::LetValue::Fixed(expr) => Some(expr.clone()),
                    meed::syntax::ast::LetValue::Dated(_) => None,
                },
                _ => None,
            })
            .unwrap()
    }
}

pub fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
}

pub fn int(i: i64) -> Value {
    Value::Int(i)
}

pub fn text(t: &str) -> Value {
    Value::Text(Arc::from(t))
}

pub fn ids(grant: &Grant) -> Vec<&str> {
    grant.contributions.iter().map(|c| c.as_ref()).collect()
}

pub fn roster(people: &[(&str, Vec<Value>)]) -> Roster {
    Roster {
        people: people
            .iter()
            .map(|(w, v)| (Arc::from(*w), v.clone()))
            .collect(),
    }
}
