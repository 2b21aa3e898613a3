//! What an expression can see: the policy's constants, the roster, the
//! record a rule is looking at, and (in `each` rules and pools) the person's
//! records and totals in the period.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Utc};

use chrono_tz::Tz;

use crate::eval::reach::Reached;
use crate::input::{Contribution, Roster};
use crate::schema::Schema;
use crate::semantics::dated::{
    ALWAYS, InForce, NotYet, Step, Timeline, moment_instant, moment_text,
};
use crate::semantics::error::{EvalError, EvalErrorKind};
use crate::syntax::ast::{DatedValue, Expr, ExprKind, LetDecl, LetValue, PolicyFile, RoundingMode};
use crate::value::Value;

/// Everything fixed for a whole evaluation.
pub struct Env<'a> {
    pub schema: &'a Schema,
    /// Every constant over time (a plain `let` never changes).
    pub constants: HashMap<String, Timeline>,
    pub roster: Option<&'a Roster>,
    pub tz: Tz,
    pub rounding: RoundingMode,
    /// Where to note the branches and brackets evaluation reaches (`meed
    /// test --coverage`); `None` everywhere else.
    pub reached: Option<&'a Reached>,
}

impl<'a> Env<'a> {
    /// Works out the policy's constants over time, each once, in dependency
    /// order (a `let` may use constants declared after it).
    pub fn new(
        policy: &PolicyFile,
        schema: &'a Schema,
        roster: Option<&'a Roster>,
    ) -> Result<Env<'a>, EvalError> {
        let mut env = Env {
            schema,
            constants: HashMap::new(),
            roster,
            tz: schema.timezone,
            rounding: schema.rounding,
            reached: None,
        };
        let lets: BTreeMap<&str, &LetDecl> =
            policy.lets().map(|l| (l.name.node.as_str(), l)).collect();
        let mut visiting = Vec::new();
        for decl in policy.lets() {
            env.define(decl, &lets, &mut visiting)?;
        }
        Ok(env)
    }

    fn define<'p>(
        &mut self,
        decl: &'p LetDecl,
        lets: &BTreeMap<&str, &'p LetDecl>,
        visiting: &mut Vec<&'p str>,
    ) -> Result<(), EvalError> {
        let name = decl.name.node.as_str();
        if self.constants.contains_key(name) {
            return Ok(());
        }
        if visiting.contains(&name) {
            return Err(EvalError::internal(
                format!("constant `{name}` is defined in terms of itself"),
                Some(decl.name.span),
            ));
        }
        visiting.push(name);
        let mut names = Vec::new();
        for expr in decl.exprs() {
            expr.walk(&mut |e| {
                if let ExprKind::Name(n) = &e.node {
                    names.push(n.as_str());
                }
            });
        }
        for dep in names {
            if let Some(dep_decl) = lets.get(dep) {
                self.define(dep_decl, lets, visiting)?;
            }
        }
        visiting.pop();
        let timeline = match &decl.value {
            LetValue::Fixed(expr) => self.timeline_of(expr),
            LetValue::Dated(lines) => self.dated_timeline(name, lines),
        }
        .map_err(|e| e.in_context(|| format!("constant `{name}`")))?;
        self.constants.insert(name.to_string(), timeline);
        Ok(())
    }

    /// The timeline of an expression made of literals and constants (a
    /// plain `let`, a limit's cap, a pool's amount): a step from the
    /// beginning of time and one at every change of a constant it reads.
    pub fn timeline_of(&self, expr: &Expr) -> Result<Timeline, EvalError> {
        let instants: BTreeSet<DateTime<Utc>> = self.changes_read(expr).collect();
        let mut steps = Vec::with_capacity(instants.len() + 1);
        for from in std::iter::once(ALWAYS).chain(instants) {
            steps.push(self.step_at(expr, from)?);
        }
        Ok(Timeline::from_steps(steps))
    }

    /// `let name { from D1: V1 "source"  from D2: V2 ... }`: not in force
    /// before D1; from each date its line, re-worked out whenever a
    /// constant the line reads changes.
    fn dated_timeline(&self, name: &str, lines: &[DatedValue]) -> Result<Timeline, EvalError> {
        let starts: Vec<DateTime<Utc>> = lines
            .iter()
            .map(|l| moment_instant(l.from.node, self.tz))
            .collect();
        let Some(&first) = starts.iter().min() else {
            return Err(EvalError::internal(
                format!("`{name}` has no `from` line"),
                None,
            ));
        };
        let mut instants: BTreeSet<DateTime<Utc>> = starts.iter().copied().collect();
        for line in lines {
            instants.extend(self.changes_read(&line.value).filter(|t| *t > first));
        }
        let mut steps = vec![Step {
            from: ALWAYS,
            value: Err(NotYet {
                name: name.to_string(),
                first,
            }),
            in_force: Vec::new(),
        }];
        for from in instants {
            // The line in force: the last to start at or before `from`.
            let line = starts
                .iter()
                .zip(lines)
                .filter(|(start, _)| **start <= from)
                .max_by_key(|(start, _)| **start)
                .map(|(_, line)| line);
            let Some(line) = line else { continue };
            let mut step = self.step_at(&line.value, from)?;
            if let Ok(value) = &step.value {
                step.in_force.insert(
                    0,
                    InForce {
                        name: name.to_string(),
                        value: value.clone(),
                        from: moment_text(line.from.node),
                        source: line.source.as_ref().map(|s| s.node.clone()),
                    },
                );
            }
            steps.push(step);
        }
        Ok(Timeline::from_steps(steps))
    }

    /// `expr` worked out at `from`: its value, or the dated value it needs
    /// that is not in force yet, with the dated values it read.
    fn step_at(&self, expr: &Expr, from: DateTime<Utc>) -> Result<Step, EvalError> {
        let read = RefCell::new(Vec::new());
        let scope = Scope {
            at: Some(from),
            dated_read: Some(&read),
            ..Scope::new(self)
        };
        let value = match scope.value(expr) {
            Ok(value) => Ok(value),
            Err(EvalError {
                kind: EvalErrorKind::NotInForce { detail: e },
                ..
            }) => Err(e.not_yet),
            Err(other) => return Err(other),
        };
        Ok(Step {
            from,
            value,
            in_force: read.into_inner(),
        })
    }

    /// The instants at which the constants `expr` reads change.
    fn changes_read<'e>(&'e self, expr: &'e Expr) -> impl Iterator<Item = DateTime<Utc>> + 'e {
        let mut names = Vec::new();
        expr.walk(&mut |e| {
            if let ExprKind::Name(n) = &e.node {
                names.push(n.as_str());
            }
        });
        names
            .into_iter()
            .filter_map(|n| self.constants.get(n))
            .flat_map(Timeline::changes)
    }
}

/// A person in a period: who, their records there (all kinds, in `(at, id)`
/// order), and in pools their totals there before any pool.
#[derive(Clone, Copy)]
pub struct PersonPeriod<'a> {
    pub who: &'a str,
    pub records: &'a [&'a Contribution],
    pub totals: Option<&'a BTreeMap<String, Value>>,
}

/// The names visible at one point of an expression. Aggregates open a child
/// scope binding each record in turn.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    pub env: &'a Env<'a>,
    /// `r` in `on review r` or `count(review r where ...)`.
    pub binding: Option<(&'a str, &'a Contribution)>,
    pub outer: Option<&'a Scope<'a>>,
    pub person: Option<PersonPeriod<'a>>,
    /// Whether to build the calculation text (grant amounts only).
    pub explain: bool,
    /// In an `each` rule: one flag per record of [`PersonPeriod::records`],
    /// set when an aggregate counts that record (its kind matches and its
    /// `where` holds), so that the grant lists exactly those records.
    pub counted: Option<&'a [Cell<bool>]>,
    /// The instant dated values are read at: the bound record's `at`, else
    /// the first instant of the period; `None` where nothing is dated (the
    /// REPL, tests' expected values), where reading a dated value is an
    /// error.
    pub at: Option<DateTime<Utc>>,
    /// Where to note the dated values read, for explanations.
    pub dated_read: Option<&'a RefCell<Vec<InForce>>>,
}

impl<'a> Scope<'a> {
    /// A scope with only the constants: limit caps, pool amounts, the REPL.
    pub fn new(env: &'a Env<'a>) -> Scope<'a> {
        Scope {
            env,
            binding: None,
            outer: None,
            person: None,
            explain: false,
            counted: None,
            at: None,
            dated_read: None,
        }
    }

    /// The record bound to `name` here or in an enclosing scope.
    pub fn bound(&self, name: &str) -> Option<&'a Contribution> {
        match self.binding {
            Some((n, record)) if n == name => Some(record),
            _ => self.outer.and_then(|o| o.bound(name)),
        }
    }

    /// A child scope binding `name` to `record`, without explanation text.
    pub fn with_binding<'b>(&'b self, name: &'b str, record: &'b Contribution) -> Scope<'b>
    where
        'a: 'b,
    {
        Scope {
            env: self.env,
            binding: Some((name, record)),
            outer: Some(self),
            person: self.person,
            explain: false,
            counted: self.counted,
            at: Some(record.at),
            dated_read: self.dated_read,
        }
    }

    /// The same scope, building explanation text or not.
    pub fn explaining(self, explain: bool) -> Scope<'a> {
        Scope { explain, ..self }
    }
}
