//! What an expression can see: the policy's constants, the roster, the
//! record a rule is looking at, and (in `each` rules and pools) the person's
//! records and totals in the period.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap};

use chrono_tz::Tz;

use crate::eval::error::EvalError;
use crate::eval::reach::Reached;
use crate::input::{Contribution, Roster};
use crate::schema::Schema;
use crate::syntax::ast::{Expr, ExprKind, Item, LetDecl, PolicyFile, RoundingMode};
use crate::value::Value;

/// Everything fixed for a whole evaluation.
pub struct Env<'a> {
    pub schema: &'a Schema,
    pub constants: HashMap<String, Value>,
    pub roster: Option<&'a Roster>,
    pub tz: Tz,
    pub rounding: RoundingMode,
    /// Where to note the branches and brackets evaluation reaches (`meed
    /// test --coverage`); `None` everywhere else.
    pub reached: Option<&'a Reached>,
}

impl<'a> Env<'a> {
    /// Evaluates the policy's constants, each once, in dependency order
    /// (a `let` may use constants declared after it).
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
        let lets: BTreeMap<&str, &LetDecl> = policy
            .items
            .iter()
            .filter_map(|item| match item {
                Item::Let(l) => Some((l.name.node.as_str(), l)),
                _ => None,
            })
            .collect();
        let mut visiting = Vec::new();
        for decl in policy.items.iter().filter_map(|item| match item {
            Item::Let(l) => Some(l),
            _ => None,
        }) {
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
        free_names(&decl.value, &mut names);
        for dep in names {
            if let Some(dep_decl) = lets.get(dep) {
                self.define(dep_decl, lets, visiting)?;
            }
        }
        visiting.pop();
        let value = Scope::new(self)
            .value(&decl.value)
            .map_err(|e| e.in_context(|| format!("constant `{name}`")))?;
        self.constants.insert(name.to_string(), value);
        Ok(())
    }
}

/// Names an expression reads (constants, bindings), in order.
fn free_names<'e>(expr: &'e Expr, out: &mut Vec<&'e str>) {
    match &expr.node {
        ExprKind::Name(n) => out.push(n),
        ExprKind::Literal(_) => {}
        ExprKind::Field { base, .. } => free_names(base, out),
        ExprKind::Unary { operand, .. } => free_names(operand, out),
        ExprKind::Binary { lhs, rhs, .. } => {
            free_names(lhs, out);
            free_names(rhs, out);
        }
        ExprKind::If {
            condition,
            then_branch,
            else_branch,
        } => {
            free_names(condition, out);
            free_names(then_branch, out);
            free_names(else_branch, out);
        }
        ExprKind::Call { args, .. } => args.iter().for_each(|a| free_names(a, out)),
        ExprKind::Aggregate(agg) => {
            if let Some(f) = &agg.filter {
                free_names(f, out);
            }
            if let Some(crate::syntax::ast::Measure::Expr(e)) = &agg.measure {
                free_names(e, out);
            }
            if let Some(f) = &agg.fallback {
                free_names(f, out);
            }
        }
        ExprKind::Tiers(t) => {
            free_names(&t.subject, out);
            for b in &t.brackets {
                free_names(&b.bound, out);
                free_names(&b.rate, out);
            }
            free_names(&t.above, out);
        }
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
        }
    }

    /// The same scope, building explanation text or not.
    pub fn explaining(self, explain: bool) -> Scope<'a> {
        Scope { explain, ..self }
    }
}
