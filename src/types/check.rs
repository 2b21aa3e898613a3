//! The checker's entry point and its state: declarations, constant types,
//! what has been used, and the diagnostics found so far.
//!
//! Checking never stops at the first problem: every independent error is
//! reported in one run. An expression whose type cannot be known (an
//! unknown name, say) gets no type (`None`), and whatever contains it is
//! not reported again, so one typo gives one error, not a cascade.

use std::collections::BTreeSet;

use crate::source::{SourceFile, Span};
use crate::syntax::ast::{Expr, Item, LetValue, PolicyFile};
use crate::types::env::Env;
use crate::types::error::{CheckError, CheckErrorKind};
use crate::types::recorded::ExprTypes;
use crate::units::Type;

/// Checks a parsed policy: names, types and units, tests; plus warnings.
/// `import` items are skipped: the caller resolves imports.
pub fn check_policy(source: &SourceFile, policy: &PolicyFile) -> CheckReport {
    let mut checker = Checker::new(source, policy);
    checker.check_items(policy);
    // A file of comments, or a header alone: "0 errors" would read as if
    // all were well.
    let declares_nothing = policy
        .items
        .iter()
        .all(|item| matches!(item, Item::Policy(_)));
    if declares_nothing {
        let warning = checker.error(CheckErrorKind::EmptyPolicy, checker.source.span(0, 0));
        checker.push(warning);
    }
    checker.finish()
}

/// All diagnostics of one check, errors and warnings, in source order.
#[derive(Clone, Debug, Default)]
pub struct CheckReport {
    pub diagnostics: Vec<CheckError>,
    /// The type of each expression the checker could type.
    pub types: ExprTypes,
}

impl CheckReport {
    /// `true` if the policy must not be evaluated.
    pub fn has_errors(&self) -> bool {
        self.errors().next().is_some()
    }

    pub fn errors(&self) -> impl Iterator<Item = &CheckError> {
        self.diagnostics.iter().filter(|d| !d.is_warning())
    }

    pub fn warnings(&self) -> impl Iterator<Item = &CheckError> {
        self.diagnostics.iter().filter(|d| d.is_warning())
    }
}

/// What names are in scope for an expression, and which aggregates it may use.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    /// Bound contributions (`r` of `on review r`, `x` of `count(review x where ...)`),
    /// innermost last. `None` when the binding's kind is unknown (already reported).
    pub bindings: Vec<(String, Option<Type>)>,
    /// `person` names the person (in `each` rules and pools).
    pub person: bool,
    /// `count(...)`, `sum(...)`, `min(...)`, `max(...)` over contributions.
    pub aggregates: bool,
    /// `total(account)`, in a pool's `split by`.
    pub total: bool,
}

impl Scope {
    /// Constants only: `let`, caps, pool amounts, test values.
    pub fn constants() -> Scope {
        Scope::default()
    }

    /// `on review r`: the one contribution, bound to `r`.
    pub fn on(binding: &str, ty: Option<Type>) -> Scope {
        Scope {
            bindings: vec![(binding.to_string(), ty)],
            ..Scope::default()
        }
    }

    /// `each person per month`: the person and their aggregates.
    pub fn each() -> Scope {
        Scope {
            person: true,
            aggregates: true,
            ..Scope::default()
        }
    }

    /// A pool's `split by`: like `each`, plus `total(account)`.
    pub fn pool() -> Scope {
        Scope {
            total: true,
            ..Scope::each()
        }
    }

    /// This scope with one more binding (inside an aggregate).
    pub fn with_binding(&self, name: &str, ty: Option<Type>) -> Scope {
        let mut inner = self.clone();
        inner.bindings.push((name.to_string(), ty));
        inner
    }

    pub fn binding(&self, name: &str) -> Option<&Option<Type>> {
        self.bindings
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, t)| t)
    }
}

/// Where a constant's type stands: constants are typed on first use, which
/// finds the order they depend on each other and any cycle.
#[derive(Clone, Debug)]
pub(crate) enum ConstState {
    Pending,
    InProgress,
    Done(Option<Type>),
}

/// Which declarations something refers to, for the "never used" warnings.
#[derive(Clone, Debug, Default)]
pub(crate) struct Usage {
    pub kinds: BTreeSet<String>,
    pub constants: BTreeSet<String>,
    pub badges: BTreeSet<String>,
    pub rewards: BTreeSet<String>,
}

/// The checker of one policy. Build it with [`Checker::new`]; a REPL can
/// then type standalone expressions against the policy's declarations with
/// [`Checker::type_of_expr`].
#[derive(Clone, Debug)]
pub struct Checker {
    pub(crate) source: SourceFile,
    pub(crate) env: Env,
    pub(crate) consts: Vec<ConstState>,
    pub(crate) used: Usage,
    pub(crate) out: Vec<CheckError>,
    /// What each expression's type is, for the evaluators.
    pub(crate) types: ExprTypes,
    /// The policy's zone, where dates in the policy are local midnights.
    pub(crate) timezone: chrono_tz::Tz,
}

impl Checker {
    /// Collects the declarations of `policy` and types its constants.
    /// Problems found so far are kept for [`Checker::finish`].
    pub fn new(source: &SourceFile, policy: &PolicyFile) -> Checker {
        let mut out = Vec::new();
        let env = Env::collect(source, policy, &mut out);
        let consts = vec![ConstState::Pending; env.constants.len()];
        let timezone = policy
            .items
            .iter()
            .find_map(|item| match item {
                Item::Policy(header) => header.timezone.as_ref(),
                _ => None,
            })
            .and_then(|tz| tz.node.parse().ok())
            .unwrap_or(chrono_tz::UTC);
        let mut checker = Checker {
            source: source.clone(),
            env,
            consts,
            used: Usage::default(),
            out,
            types: ExprTypes::default(),
            timezone,
        };
        let names: Vec<(String, Span)> = checker
            .env
            .constants
            .iter()
            .map(|c| (c.name.node.clone(), c.name.span))
            .collect();
        for (name, span) in names {
            checker.const_type(&name, span);
        }
        checker
    }

    /// The type of one expression written against this policy (a REPL
    /// line): constants, `person` and aggregates are in scope. `source` is
    /// the text the expression was parsed from. `Err` holds what is wrong;
    /// it is empty when the expression uses a declaration that has errors.
    pub fn type_of_expr(
        &mut self,
        source: &SourceFile,
        expr: &Expr,
    ) -> Result<Type, Vec<CheckError>> {
        let policy_source = std::mem::replace(&mut self.source, source.clone());
        let before = self.out.len();
        let ty = self.type_expr(expr, &Scope::pool());
        let errors = self.out.split_off(before);
        self.source = policy_source;
        match ty {
            Some(ty) if errors.iter().all(CheckError::is_warning) => Ok(ty),
            _ => Err(errors),
        }
    }

    /// Checks rules, limits, pools and tests.
    pub fn check_items(&mut self, policy: &PolicyFile) {
        let mut limits = Vec::new();
        for item in &policy.items {
            match item {
                Item::Rule(rule) => self.check_rule(rule),
                Item::Limit(limit) => {
                    self.check_limit(limit, &limits);
                    limits.push(limit);
                }
                Item::Pool(pool) => self.check_pool(pool),
                Item::Test(test) => self.check_test(test),
                Item::Policy(_)
                | Item::Person(_)
                | Item::Contribution(_)
                | Item::Reward(_)
                | Item::Badge(_)
                | Item::Let(_)
                | Item::Import(_) => {}
            }
        }
        self.check_change_dates(policy);
    }

    /// The policy's time zone (UTC when none or an unknown one is given:
    /// the unknown one is reported on its own).
    pub(crate) fn policy_zone(&self) -> chrono_tz::Tz {
        self.timezone
    }

    /// Adds the "never used" warnings and returns every diagnostic in
    /// source order.
    pub fn finish(mut self) -> CheckReport {
        self.warn_unused();
        let mut diagnostics = self.out;
        diagnostics.sort_by_key(|d| (d.span.start, d.span.end));
        CheckReport {
            diagnostics,
            types: self.types,
        }
    }

    /// A diagnostic of this policy at `span`.
    pub(crate) fn error(&self, kind: CheckErrorKind, span: Span) -> CheckError {
        CheckError::new(&self.source, kind, span)
    }

    pub(crate) fn push(&mut self, error: CheckError) {
        self.out.push(error);
    }

    /// The text the user wrote at `span`, for messages that quote it.
    pub(crate) fn text(&self, span: Span) -> String {
        self.source
            .text()
            .get(span.start..span.end)
            .unwrap_or_default()
            .to_string()
    }

    /// The type of constant `name`, typing it (and what it uses) first if
    /// needed. `reference` is where it is used, for the cycle error.
    pub(crate) fn const_type(&mut self, name: &str, reference: Span) -> Option<Type> {
        let index = self
            .env
            .constants
            .iter()
            .position(|c| c.name.node == name)?;
        match self.consts.get(index)? {
            ConstState::Done(ty) => ty.clone(),
            ConstState::InProgress => {
                let error = self
                    .error(
                        CheckErrorKind::ConstantCycle {
                            name: name.to_string(),
                        },
                        reference,
                    )
                    .with_label("used in its own definition");
                self.push(error);
                self.set_const(index, ConstState::Done(None));
                None
            }
            ConstState::Pending => {
                self.set_const(index, ConstState::InProgress);
                let value = self.env.constants.get(index)?.value.clone();
                let ty = match &value {
                    LetValue::Fixed(expr) => self.type_expr(expr, &Scope::constants()),
                    LetValue::Dated(lines) => self.dated_type(name, lines),
                };
                // A cycle through this constant already settled it to `None`.
                if let Some(ConstState::InProgress) = self.consts.get(index) {
                    self.set_const(index, ConstState::Done(ty.clone()));
                    ty
                } else {
                    None
                }
            }
        }
    }

    fn set_const(&mut self, index: usize, state: ConstState) {
        if let Some(slot) = self.consts.get_mut(index) {
            *slot = state;
        }
    }
}
