//! Expressions compiled once for the streaming evaluator: names become
//! constants, fields become slots in the record's values, roster columns
//! become slots in the person's row, and every aggregate becomes an
//! accumulator that records feed as they stream past.
//!
//! Compiling returns `None` for anything the streaming evaluator does not
//! handle (an aggregate inside an aggregate, a field the schema lacks...);
//! the caller then uses the in-memory evaluator, which reports the exact
//! error if there is one.

use crate::eval::scope::{Env, Scope};
use crate::semantics::dated::Timeline;
use crate::source::Span;
use crate::syntax::ast::{
    Aggregate, AggregateFn, BinaryOp, Expr, ExprKind, Measure, Tiers, UnaryOp,
};
use crate::value::Value;

use super::fixed::Scale;
use super::run::{Fast, fast_of};

/// A scalar function of `min(a, b)`, `abs(x)`...
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Function {
    Min,
    Max,
    Abs,
    Round,
    Floor,
    Ceil,
}

/// An expression with every name resolved to a slot.
#[derive(Clone, Debug)]
pub enum CExpr {
    /// A literal or constant, evaluated once.
    Const(Value),
    /// A constant with its fixed-point value, once the scale is known
    /// ([`fix_constants`]).
    Fixed(Value, Option<Fast>),
    /// A constant that changes over time, read at the record's `at` or the
    /// period's start ([`crate::semantics::dated`]).
    Dated(Box<CTimeline>),
    /// `r.lines`: a slot in the bound record's values.
    Field(usize),
    /// `r.at`
    At,
    /// `r.id`
    Id,
    /// `r.who`, `r.by`
    Who,
    /// `r.by.status`: a slot in the bound record's person's roster row.
    ByColumn(usize),
    /// `person.status` in `each` rules and pools.
    PersonColumn(usize),
    Neg(Box<CExpr>, Span),
    Not(Box<CExpr>, Span),
    And(Box<CExpr>, Box<CExpr>),
    Or(Box<CExpr>, Box<CExpr>),
    Binary(BinaryOp, Box<CExpr>, Box<CExpr>, Span),
    If(Box<CExpr>, Box<CExpr>, Box<CExpr>),
    Call(Function, Vec<CExpr>, Span),
    /// `total(account)`: the account's index and its zero.
    Total(usize, Value),
    Tiers(Box<CTiers>),
    /// An aggregate, by its slot in the scope's accumulators.
    Aggregate(usize),
}

/// A constant's steps over time with, once the scale is known, the
/// fixed-point value of each.
#[derive(Clone, Debug)]
pub struct CTimeline {
    pub timeline: Timeline,
    pub fast: Vec<Option<Fast>>,
}

/// `tiers X { up to B: R ... above: R }`, compiled.
#[derive(Clone, Debug)]
pub struct CTiers {
    pub subject: CExpr,
    pub brackets: Vec<(CExpr, CExpr)>,
    pub above: CExpr,
    pub span: Span,
}

/// An aggregate fed record by record: `count(review r where r.lines > 10)`.
#[derive(Clone, Debug)]
pub struct CAggregate {
    pub function: AggregateFn,
    pub kind: usize,
    /// Compiled with the aggregate's binding bound to each record.
    pub filter: Option<CExpr>,
    pub measure: Option<CExpr>,
    /// `else X`, compiled in the enclosing scope.
    pub fallback: Option<CExpr>,
    /// What `sum` of no records is, when it can be told.
    pub empty_sum: Option<Value>,
    pub span: Span,
    /// Whether its `where` or measure reads a value that changes over
    /// time: which of its steps were read depends on the records, so a
    /// calculation reading it is not put in words from the engine's run.
    pub reads_dated: bool,
}

/// What compiling an expression can see.
pub struct Compiler<'c, 'e> {
    pub env: &'c Env<'e>,
    /// The bound name and its kind: `r` in `on review r`.
    pub binding: Option<(&'c str, usize)>,
    /// Whether `person.COLUMN` and aggregates are in scope (`each`, pools).
    pub person: bool,
    /// Whether `total(account)` is in scope (pools), with the accounts.
    pub accounts: Option<&'c [String]>,
    /// Where aggregates go; `None` inside an aggregate.
    pub aggregates: Option<&'c mut Vec<CAggregate>>,
}

impl Compiler<'_, '_> {
    /// Compiles `expr`, or `None` when streaming cannot evaluate it.
    pub fn compile(&mut self, expr: &Expr) -> Option<CExpr> {
        Some(match &expr.node {
            ExprKind::Literal(_) => CExpr::Const(Scope::new(self.env).value(expr).ok()?),
            ExprKind::Name(name) => {
                let timeline = self.env.constants.get(name.as_str())?;
                match timeline.constant() {
                    Some(value) => CExpr::Const(value.clone()),
                    None => CExpr::Dated(Box::new(CTimeline {
                        timeline: timeline.clone(),
                        fast: Vec::new(),
                    })),
                }
            }
            ExprKind::Field { base, field } => self.field(base, &field.node)?,
            ExprKind::Unary { op, operand } => {
                let inner = Box::new(self.compile(operand)?);
                match op.node {
                    UnaryOp::Neg => CExpr::Neg(inner, expr.span),
                    UnaryOp::Not => CExpr::Not(inner, expr.span),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let l = Box::new(self.compile(lhs)?);
                let r = Box::new(self.compile(rhs)?);
                match op.node {
                    BinaryOp::And => CExpr::And(l, r),
                    BinaryOp::Or => CExpr::Or(l, r),
                    other => CExpr::Binary(other, l, r, op.span),
                }
            }
            ExprKind::If {
                condition,
                then_branch,
                else_branch,
            } => CExpr::If(
                Box::new(self.compile(condition)?),
                Box::new(self.compile(then_branch)?),
                Box::new(self.compile(else_branch)?),
            ),
            ExprKind::Call { function, args } => self.call(&function.node, args, expr.span)?,
            ExprKind::Aggregate(agg) => self.aggregate(agg, expr.span)?,
            ExprKind::Tiers(tiers) => self.tiers(tiers, expr.span)?,
        })
    }

    fn field(&mut self, base: &Expr, field: &str) -> Option<CExpr> {
        match &base.node {
            ExprKind::Name(name) => {
                if let Some((bound, kind)) = self.binding
                    && bound == name
                {
                    return Some(match field {
                        "at" => CExpr::At,
                        "id" => CExpr::Id,
                        "who" | "by" => CExpr::Who,
                        _ => CExpr::Field(self.env.schema.kinds.get(kind)?.field_index(field)?),
                    });
                }
                if name == "person" && self.person {
                    return Some(CExpr::PersonColumn(self.roster_column(field)?));
                }
                None
            }
            ExprKind::Field {
                base: inner,
                field: by,
            } if by.node == "by" => match (&inner.node, self.binding) {
                (ExprKind::Name(name), Some((bound, _))) if bound == name => {
                    Some(CExpr::ByColumn(self.roster_column(field)?))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// A roster column's slot; without a roster streaming steps aside, so
    /// that the in-memory evaluator reports `meed::roster_required`.
    fn roster_column(&self, column: &str) -> Option<usize> {
        self.env.roster?;
        self.env.schema.person_column(column)
    }

    fn call(&mut self, function: &str, args: &[Expr], span: Span) -> Option<CExpr> {
        if function == "total" {
            let accounts = self.accounts?;
            let [
                Expr {
                    node: ExprKind::Name(account),
                    ..
                },
            ] = args
            else {
                return None;
            };
            let index = accounts.iter().position(|a| a == account)?;
            let zero = self
                .env
                .schema
                .rewards
                .get(account.as_str())
                .and_then(crate::semantics::arith::zero_of)?;
            return Some(CExpr::Total(index, zero));
        }
        let f = match (function, args.len()) {
            ("min", 2) => Function::Min,
            ("max", 2) => Function::Max,
            ("abs", 1) => Function::Abs,
            ("round", 1) => Function::Round,
            ("floor", 1) => Function::Floor,
            ("ceil", 1) => Function::Ceil,
            _ => return None,
        };
        let args = args
            .iter()
            .map(|a| self.compile(a))
            .collect::<Option<Vec<_>>>()?;
        Some(CExpr::Call(f, args, span))
    }

    fn tiers(&mut self, tiers: &Tiers, span: Span) -> Option<CExpr> {
        let subject = self.compile(&tiers.subject)?;
        let brackets = tiers
            .brackets
            .iter()
            .map(|b| Some((self.compile(&b.bound)?, self.compile(&b.rate)?)))
            .collect::<Option<Vec<_>>>()?;
        let above = self.compile(&tiers.above)?;
        Some(CExpr::Tiers(Box::new(CTiers {
            subject,
            brackets,
            above,
            span,
        })))
    }

    fn aggregate(&mut self, agg: &Aggregate, span: Span) -> Option<CExpr> {
        if !self.person || self.aggregates.is_none() {
            return None;
        }
        let kind = self.env.schema.kind_index(&agg.kind.node)?;
        let binding = agg.binding.as_ref().unwrap_or(&agg.kind).node.as_str();
        let mut inner = Compiler {
            env: self.env,
            binding: Some((binding, kind)),
            person: true,
            accounts: None,
            aggregates: None,
        };
        let filter = match &agg.filter {
            Some(f) => Some(inner.compile(f)?),
            None => None,
        };
        let measure = match (&agg.measure, agg.function.node) {
            (_, AggregateFn::Count) => None,
            (Some(Measure::Field(field)), _) => Some(CExpr::Field(
                self.env.schema.kinds.get(kind)?.field_index(&field.node)?,
            )),
            (Some(Measure::Expr(e)), _) => Some(inner.compile(e)?),
            (None, _) => return None,
        };
        let fallback = match &agg.fallback {
            Some(f) => Some(self.compile(f)?),
            None => None,
        };
        let empty_sum = Scope::new(self.env).zero_of_measure(agg, kind, span).ok();
        let reads_dated = [&filter, &measure].into_iter().flatten().any(reads_dated);
        let aggregates = self.aggregates.as_deref_mut()?;
        aggregates.push(CAggregate {
            reads_dated,
            function: agg.function.node,
            kind,
            filter,
            measure,
            fallback,
            empty_sum,
            span,
        });
        Some(CExpr::Aggregate(aggregates.len() - 1))
    }
}

impl CExpr {
    /// Calls `f` on this expression and every expression inside it, an
    /// aggregate's parts excepted (they are the aggregate's).
    pub fn walk<'e>(&'e self, f: &mut dyn FnMut(&'e CExpr)) {
        f(self);
        match self {
            CExpr::Neg(a, _) | CExpr::Not(a, _) => a.walk(f),
            CExpr::And(a, b) | CExpr::Or(a, b) | CExpr::Binary(_, a, b, _) => {
                a.walk(f);
                b.walk(f);
            }
            CExpr::If(a, b, c) => {
                a.walk(f);
                b.walk(f);
                c.walk(f);
            }
            CExpr::Call(_, args, _) => args.iter().for_each(|a| a.walk(f)),
            CExpr::Tiers(t) => {
                t.subject.walk(f);
                for (b, r) in &t.brackets {
                    b.walk(f);
                    r.walk(f);
                }
                t.above.walk(f);
            }
            _ => {}
        }
    }
}

/// Whether `expr` reads a value that changes over time.
fn reads_dated(expr: &CExpr) -> bool {
    let mut dated = false;
    expr.walk(&mut |e| dated |= matches!(e, CExpr::Dated(_)));
    dated
}

/// Whether `expr` may read a value that changes over time: itself, or
/// through an aggregate (whose `else` may).
pub fn may_read_dated(expr: &CExpr) -> bool {
    let mut may = false;
    expr.walk(&mut |e| may |= matches!(e, CExpr::Dated(_) | CExpr::Aggregate(_)));
    may
}

/// Every constant in `expr`, for choosing the scale.
pub fn constants<'e>(expr: &'e CExpr, out: &mut Vec<&'e Value>) {
    expr.walk(&mut |e| match e {
        CExpr::Const(v) | CExpr::Fixed(v, _) => out.push(v),
        CExpr::Dated(t) => out.extend(
            t.timeline
                .steps()
                .iter()
                .filter_map(|s| s.value.as_ref().ok()),
        ),
        _ => {}
    });
}

/// Gives every constant in `expr` its fixed-point value at `scale`.
pub fn fix_constants(expr: &mut CExpr, scale: &Scale) {
    match expr {
        CExpr::Const(v) => {
            let fast = fast_of(scale, v);
            *expr = CExpr::Fixed(v.clone(), fast);
        }
        CExpr::Dated(t) => {
            t.fast = t
                .timeline
                .steps()
                .iter()
                .map(|s| s.value.as_ref().ok().and_then(|v| fast_of(scale, v)))
                .collect();
        }
        CExpr::Neg(a, _) | CExpr::Not(a, _) => fix_constants(a, scale),
        CExpr::And(a, b) | CExpr::Or(a, b) | CExpr::Binary(_, a, b, _) => {
            fix_constants(a, scale);
            fix_constants(b, scale);
        }
        CExpr::If(a, b, c) => {
            fix_constants(a, scale);
            fix_constants(b, scale);
            fix_constants(c, scale);
        }
        CExpr::Call(_, args, _) => args.iter_mut().for_each(|a| fix_constants(a, scale)),
        CExpr::Tiers(t) => {
            fix_constants(&mut t.subject, scale);
            for (b, r) in &mut t.brackets {
                fix_constants(b, scale);
                fix_constants(r, scale);
            }
            fix_constants(&mut t.above, scale);
        }
        _ => {}
    }
}
