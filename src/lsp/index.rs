//! Every name written in a policy, and what it refers to: the one walk over
//! the tree that definition, references, rename and hover share.
//!
//! A name is an [`Occurrence`] of a [`Symbol`]: `review` in
//! `contribution review { ... }` declares `Symbol::Kind("review")`, the
//! `review` of `on review r` refers to it. Fields are told apart by their
//! kind (`r.lines` reads `Field { kind: "review", field: "lines" }` because
//! `r` is bound by `on review r`), roster columns by `x.by.COLUMN`.

use crate::source::Span;
use crate::syntax::ast::{
    Action, Expect, Expr, ExprKind, FieldDecl, FieldValue, Given, Item, Measure, PolicyFile,
    Trigger,
};
use crate::types::check::Scope;
use crate::units::Type;

/// What a name refers to.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    Kind(String),
    Field {
        kind: String,
        field: String,
    },
    Column(String),
    Reward(String),
    Badge(String),
    Constant(String),
    Rule(String),
    Pool(String),
    /// `r` of `on review r` (or of an aggregate), told apart from other
    /// bindings of the same name by where it is bound.
    Binding {
        name: String,
        at: usize,
    },
}

impl Symbol {
    /// What the symbol is, in words, for hovers.
    pub fn describe(&self) -> &'static str {
        match self {
            Symbol::Kind(_) => "contribution kind",
            Symbol::Field { .. } => "field",
            Symbol::Column(_) => "roster column",
            Symbol::Reward(_) => "reward account",
            Symbol::Badge(_) => "badge",
            Symbol::Constant(_) => "constant",
            Symbol::Rule(_) => "rule",
            Symbol::Pool(_) => "pool",
            Symbol::Binding { .. } => "binding",
        }
    }
}

/// One place a symbol's name is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Occurrence {
    pub symbol: Symbol,
    pub span: Span,
    /// Where the symbol is declared (`rule NAME`, `lines: Int`, `on review r`).
    pub declaration: bool,
}

/// The names of a policy and, when asked for, the innermost expression at
/// an offset together with the checker's scope there (for hover).
#[derive(Debug, Default)]
pub struct Index<'a> {
    pub occurrences: Vec<Occurrence>,
    /// The innermost expression containing `target`, and its scope.
    pub expr_at: Option<(&'a Expr, Scope)>,
    target: Option<usize>,
}

/// A binding in scope: its name, its kind (if known) and where it is bound.
#[derive(Clone, Debug)]
struct Bound {
    name: String,
    kind: String,
    at: usize,
}

/// The scope of an expression as the walk sees it: the checker's scope
/// (to type it) and where each binding was bound (to resolve names).
#[derive(Clone, Debug)]
struct Frame {
    scope: Scope,
    bound: Vec<Bound>,
}

impl Frame {
    fn new(scope: Scope) -> Frame {
        Frame {
            scope,
            bound: Vec::new(),
        }
    }

    fn with(&self, name: &str, kind: &str, at: usize) -> Frame {
        let mut inner = self.clone();
        inner.scope = inner
            .scope
            .with_binding(name, Some(Type::Record(kind.to_string())));
        inner.bound.push(Bound {
            name: name.to_string(),
            kind: kind.to_string(),
            at,
        });
        inner
    }

    fn bound(&self, name: &str) -> Option<&Bound> {
        self.bound.iter().rev().find(|b| b.name == name)
    }
}

impl<'a> Index<'a> {
    /// Every occurrence in `policy`; with `target`, also the innermost
    /// expression containing that byte offset.
    pub fn build(policy: &'a PolicyFile, target: Option<usize>) -> Index<'a> {
        let mut index = Index {
            target,
            ..Index::default()
        };
        for item in &policy.items {
            index.item(item);
        }
        index
    }

    /// The occurrence under byte `offset` (its end counts: a cursor just
    /// after a name is on it).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        self.occurrences
            .iter()
            .filter(|o| o.span.start <= offset && offset <= o.span.end)
            .min_by_key(|o| o.span.len())
    }

    /// Every occurrence of `symbol`, in source order.
    pub fn of<'s>(&'s self, symbol: &Symbol) -> impl Iterator<Item = &'s Occurrence> + 's {
        let symbol = symbol.clone();
        self.occurrences.iter().filter(move |o| o.symbol == symbol)
    }

    /// Where `symbol` is declared.
    pub fn declaration(&self, symbol: &Symbol) -> Option<&Occurrence> {
        self.of(symbol).find(|o| o.declaration)
    }

    fn add(&mut self, symbol: Symbol, span: Span, declaration: bool) {
        self.occurrences.push(Occurrence {
            symbol,
            span,
            declaration,
        });
    }

    fn item(&mut self, item: &'a Item) {
        match item {
            Item::Policy(_) | Item::Import(_) => {}
            Item::Person(person) => {
                for field in &person.fields {
                    self.add(
                        Symbol::Column(field.name.node.clone()),
                        field.name.span,
                        true,
                    );
                }
            }
            Item::Contribution(kind) => {
                self.add(Symbol::Kind(kind.name.node.clone()), kind.name.span, true);
                self.fields(&kind.name.node, &kind.fields);
            }
            Item::Reward(reward) => {
                self.add(
                    Symbol::Reward(reward.name.node.clone()),
                    reward.name.span,
                    true,
                );
            }
            Item::Badge(badge) => {
                self.add(
                    Symbol::Badge(badge.name.node.clone()),
                    badge.name.span,
                    true,
                );
            }
            Item::Let(constant) => {
                self.add(
                    Symbol::Constant(constant.name.node.clone()),
                    constant.name.span,
                    true,
                );
                for value in constant.exprs() {
                    self.expr(value, &Frame::new(Scope::constants()));
                }
            }
            Item::Rule(rule) => {
                self.add(Symbol::Rule(rule.name.node.clone()), rule.name.span, true);
                let frame = match &rule.trigger {
                    Trigger::On { kind, binding, .. } => {
                        self.add(Symbol::Kind(kind.node.clone()), kind.span, false);
                        self.binding(&binding.node, binding.span);
                        Frame::new(Scope::default()).with(
                            &binding.node,
                            &kind.node,
                            binding.span.start,
                        )
                    }
                    Trigger::Each { .. } => Frame::new(Scope::each()),
                };
                if let Some(condition) = &rule.condition {
                    self.expr(condition, &frame);
                }
                match &rule.action {
                    Action::Grant {
                        account, amount, ..
                    } => {
                        self.add(Symbol::Reward(account.node.clone()), account.span, false);
                        self.expr(amount, &frame);
                    }
                    Action::Award { badge, .. } => {
                        self.add(Symbol::Badge(badge.node.clone()), badge.span, false);
                    }
                }
            }
            Item::Limit(limit) => {
                self.add(
                    Symbol::Reward(limit.account.node.clone()),
                    limit.account.span,
                    false,
                );
                for rule in &limit.from {
                    self.add(Symbol::Rule(rule.node.clone()), rule.span, false);
                }
                self.expr(&limit.cap, &Frame::new(Scope::constants()));
            }
            Item::Pool(pool) => {
                self.add(Symbol::Pool(pool.name.node.clone()), pool.name.span, true);
                self.add(
                    Symbol::Reward(pool.account.node.clone()),
                    pool.account.span,
                    false,
                );
                self.expr(&pool.amount, &Frame::new(Scope::constants()));
                self.expr(&pool.split_by, &Frame::new(Scope::pool()));
            }
            Item::Test(test) => {
                let constants = Frame::new(Scope::constants());
                for given in &test.given {
                    match given {
                        Given::Contribution(record) => {
                            self.add(
                                Symbol::Kind(record.kind.node.clone()),
                                record.kind.span,
                                false,
                            );
                            self.values(&record.fields, &constants, |field| Symbol::Field {
                                kind: record.kind.node.clone(),
                                field,
                            });
                        }
                        Given::Person(person) => {
                            self.values(&person.fields, &constants, Symbol::Column);
                        }
                    }
                }
                for expect in &test.expects {
                    match expect {
                        Expect::Account { account, value, .. } => {
                            self.add(Symbol::Reward(account.node.clone()), account.span, false);
                            self.expr(value, &constants);
                        }
                        Expect::Badge { badge, .. } => {
                            self.add(Symbol::Badge(badge.node.clone()), badge.span, false);
                        }
                    }
                }
            }
        }
    }

    fn fields(&mut self, kind: &str, fields: &[FieldDecl]) {
        for field in fields {
            let symbol = Symbol::Field {
                kind: kind.to_string(),
                field: field.name.node.clone(),
            };
            self.add(symbol, field.name.span, true);
        }
    }

    fn values(
        &mut self,
        values: &'a [FieldValue],
        frame: &Frame,
        symbol: impl Fn(String) -> Symbol,
    ) {
        for value in values {
            self.add(symbol(value.name.node.clone()), value.name.span, false);
            self.expr(&value.value, frame);
        }
    }

    fn binding(&mut self, name: &str, span: Span) {
        let symbol = Symbol::Binding {
            name: name.to_string(),
            at: span.start,
        };
        self.add(symbol, span, true);
    }

    fn expr(&mut self, expr: &'a Expr, frame: &Frame) {
        if let Some(target) = self.target
            && expr.span.start <= target
            && target <= expr.span.end
        {
            // Children are visited after their parent, so the last
            // expression found is the innermost.
            self.expr_at = Some((expr, frame.scope.clone()));
        }
        match &expr.node {
            ExprKind::Literal(_) => {}
            ExprKind::Name(name) => {
                if let Some(bound) = frame.bound(name) {
                    let symbol = Symbol::Binding {
                        name: name.clone(),
                        at: bound.at,
                    };
                    self.add(symbol, expr.span, false);
                } else if !(name == "person" && frame.scope.person) {
                    self.add(Symbol::Constant(name.clone()), expr.span, false);
                }
            }
            ExprKind::Field { base, field } => {
                self.expr(base, frame);
                if let Some(symbol) = field_symbol(base, &field.node, frame) {
                    self.add(symbol, field.span, false);
                }
            }
            ExprKind::Unary { operand, .. } => self.expr(operand, frame),
            ExprKind::Binary { lhs, rhs, .. } => {
                self.expr(lhs, frame);
                self.expr(rhs, frame);
            }
            ExprKind::If {
                condition,
                then_branch,
                else_branch,
            } => {
                self.expr(condition, frame);
                self.expr(then_branch, frame);
                self.expr(else_branch, frame);
            }
            ExprKind::Call { function, args } => match (function.node.as_str(), args.as_slice()) {
                // `total(reputation)` names a reward account, not a constant.
                (
                    "total",
                    [
                        Expr {
                            node: ExprKind::Name(account),
                            span,
                        },
                    ],
                ) => self.add(Symbol::Reward(account.clone()), *span, false),
                _ => args.iter().for_each(|a| self.expr(a, frame)),
            },
            ExprKind::Aggregate(agg) => {
                let kind = &agg.kind.node;
                self.add(Symbol::Kind(kind.clone()), agg.kind.span, false);
                let inner = match &agg.binding {
                    Some(binding) => {
                        self.binding(&binding.node, binding.span);
                        frame.with(&binding.node, kind, binding.span.start)
                    }
                    None => frame.clone(),
                };
                if let Some(filter) = &agg.filter {
                    self.expr(filter, &inner);
                }
                match &agg.measure {
                    Some(Measure::Field(field)) => {
                        let symbol = Symbol::Field {
                            kind: kind.clone(),
                            field: field.node.clone(),
                        };
                        self.add(symbol, field.span, false);
                    }
                    Some(Measure::Expr(measure)) => self.expr(measure, &inner),
                    None => {}
                }
                if let Some(fallback) = &agg.fallback {
                    self.expr(fallback, frame);
                }
            }
            ExprKind::Tiers(tiers) => {
                self.expr(&tiers.subject, frame);
                for bracket in &tiers.brackets {
                    self.expr(&bracket.bound, frame);
                    self.expr(&bracket.rate, frame);
                }
                self.expr(&tiers.above, frame);
            }
        }
    }
}

/// What `field` reads on `base`: a kind's field (`r.lines`), a roster
/// column (`r.by.status`, `person.team`), or nothing for the built-in
/// `by`, `at` and `id`.
fn field_symbol(base: &Expr, field: &str, frame: &Frame) -> Option<Symbol> {
    match &base.node {
        ExprKind::Name(name) => {
            if let Some(bound) = frame.bound(name) {
                if matches!(field, "by" | "at" | "id") {
                    return None;
                }
                return Some(Symbol::Field {
                    kind: bound.kind.clone(),
                    field: field.to_string(),
                });
            }
            (name == "person" && frame.scope.person).then(|| Symbol::Column(field.to_string()))
        }
        ExprKind::Field { base, field: by } if by.node == "by" => match &base.node {
            ExprKind::Name(name) if frame.bound(name).is_some() => {
                Some(Symbol::Column(field.to_string()))
            }
            _ => None,
        },
        _ => None,
    }
}
