//! Typing expressions: literals, names, fields, operators, `if`, calls.
//! Aggregates and tiers have their own files.
//!
//! Every function returns `Option<Type>`: `None` means "unknown, already
//! reported", and no caller reports anything about an unknown type.

use crate::source::{Span, Spanned};
use crate::syntax::ast::{BinaryOp, Expr, ExprKind, Ident, Literal, UnaryOp};
use crate::types::check::{Checker, Scope};
use crate::types::dims;
use crate::types::env::unknown_currency;
use crate::types::error::CheckErrorKind;
use crate::types::help::describe;
use crate::types::suggest::nearest;
use crate::units::{Currency, Type};

/// The scalar functions; `count` and `sum` are aggregates, listed for typos.
const FUNCTIONS: [&str; 9] = [
    "min", "max", "abs", "round", "floor", "ceil", "total", "count", "sum",
];

/// The fields every contribution has, besides its kind's own.
const BUILTIN_FIELDS: [&str; 3] = ["by", "at", "id"];

impl Checker {
    /// The type of `expr` in `scope`, reporting what is wrong inside it;
    /// recorded for the evaluators ([`crate::types::recorded`]).
    pub(crate) fn type_expr(&mut self, expr: &Expr, scope: &Scope) -> Option<Type> {
        let ty = self.type_of(expr, scope);
        if let Some(ty) = &ty {
            self.types.record(expr.span, ty);
        }
        ty
    }

    fn type_of(&mut self, expr: &Expr, scope: &Scope) -> Option<Type> {
        match &expr.node {
            ExprKind::Literal(literal) => self.literal_type(literal, expr.span),
            ExprKind::Name(name) => self.name_type(name, expr.span, scope),
            ExprKind::Field { base, field } => {
                let base_ty = self.type_expr(base, scope)?;
                self.field_type(&base_ty, base.span, field)
            }
            ExprKind::Unary { op, operand } => self.unary_type(op.node, operand, scope),
            ExprKind::Binary { op, lhs, rhs } => self.binary_type(op, lhs, rhs, scope),
            ExprKind::If {
                condition,
                then_branch,
                else_branch,
            } => {
                self.condition(condition, "if", scope);
                let then_ty = self.type_expr(then_branch, scope);
                let else_ty = self.type_expr(else_branch, scope);
                let (then_ty, else_ty) = (then_ty?, else_ty?);
                match dims::unify(&then_ty, &else_ty) {
                    Some(ty) => Some(ty),
                    None => {
                        let mut error = self
                            .error(
                                CheckErrorKind::BranchMismatch {
                                    then_ty: then_ty.clone(),
                                    else_ty: else_ty.clone(),
                                },
                                else_branch.span,
                            )
                            .with_label(format!("this is `{else_ty}`"))
                            .with_secondary(then_branch.span, format!("this is `{then_ty}`"));
                        // A branch that is a constant: its type comes from
                        // the `let`, which is where to change it.
                        for (branch, ty) in [(then_branch, &then_ty), (else_branch, &else_ty)] {
                            if let ExprKind::Name(name) = &branch.node
                                && let Some(constant) = self.env.constant(name)
                            {
                                let at = constant.value_span();
                                error = error.with_secondary(
                                    at,
                                    format!("`{name}` is `{ty}` because of this"),
                                );
                            }
                        }
                        self.push(error);
                        None
                    }
                }
            }
            ExprKind::Call { function, args } => self.call_type(function, args, expr.span, scope),
            ExprKind::Aggregate(aggregate) => self.aggregate_type(aggregate, expr.span, scope),
            ExprKind::Tiers(tiers) => self.tiers_type(tiers, scope),
        }
    }

    /// Types `expr` as a condition of `context` (`when`, `and`, `if`, ...):
    /// it must be `Bool`.
    pub(crate) fn condition(&mut self, expr: &Expr, context: &'static str, scope: &Scope) {
        self.condition_beside(expr, context, None, scope);
    }

    /// [`Checker::condition`] for an operand of `and` / `or` whose other
    /// operand is `sibling`.
    fn condition_beside(
        &mut self,
        expr: &Expr,
        context: &'static str,
        sibling: Option<&Expr>,
        scope: &Scope,
    ) {
        let Some(ty) = self.type_expr(expr, scope) else {
            return;
        };
        if ty == Type::Bool {
            return;
        }
        let error = self
            .error(
                CheckErrorKind::NotACondition {
                    context,
                    text: self.text(expr.span),
                    ty: ty.clone(),
                    compared: sibling.and_then(|s| self.comparison_prefix(s)),
                },
                expr.span,
            )
            .with_label(format!("this is {}, not yes or no", describe(&ty)));
        self.push(error);
    }

    /// `c.by.status ==` of a comparison `c.by.status == "member"`, as
    /// written.
    fn comparison_prefix(&self, expr: &Expr) -> Option<String> {
        match &expr.node {
            ExprKind::Binary { op, lhs, .. }
                if matches!(
                    op.node,
                    BinaryOp::Eq
                        | BinaryOp::Ne
                        | BinaryOp::Lt
                        | BinaryOp::Le
                        | BinaryOp::Gt
                        | BinaryOp::Ge
                ) =>
            {
                Some(format!("{} {}", self.text(lhs.span), op.node.symbol()))
            }
            _ => None,
        }
    }

    pub(crate) fn literal_type(&mut self, literal: &Literal, span: Span) -> Option<Type> {
        Some(match literal {
            Literal::Int(_) => Type::Int,
            Literal::Decimal(_) | Literal::Percent(_) => Type::Decimal,
            Literal::Bool(_) => Type::Bool,
            Literal::Text(_) => Type::Text,
            Literal::Money { currency, .. } => match Currency::from_code(currency) {
                Some(c) => Type::Money(c),
                None => {
                    let error =
                        unknown_currency(&self.source, &Spanned::new(currency.clone(), span));
                    self.push(error);
                    return None;
                }
            },
            Literal::Duration { .. } => Type::Duration,
            Literal::Points(_) => Type::Points,
            Literal::Date(_) | Literal::Timestamp(_) => Type::Timestamp,
        })
    }

    fn name_type(&mut self, name: &str, span: Span, scope: &Scope) -> Option<Type> {
        if let Some(ty) = scope.binding(name) {
            return ty.clone();
        }
        if scope.person && name == "person" {
            return Some(Type::Person);
        }
        if self.env.constant(name).is_some() {
            self.used.constants.insert(name.to_string());
            return self.const_type(name, span);
        }
        let candidates: Vec<&str> = scope
            .bindings
            .iter()
            .map(|(n, _)| n.as_str())
            .chain(scope.person.then_some("person"))
            .chain(self.env.constants.iter().map(|c| c.name.node.as_str()))
            .collect();
        let suggestion = nearest(name, candidates);
        let hint = self.name_hint(name, scope);
        let error = self
            .error(
                CheckErrorKind::UnknownName {
                    name: name.to_string(),
                    suggestion,
                    hint,
                },
                span,
            )
            .with_label("not a constant or a contribution of this rule");
        self.push(error);
        None
    }

    /// Advice when a name exists, but in another namespace.
    fn name_hint(&self, name: &str, scope: &Scope) -> Option<String> {
        let record = scope
            .bindings
            .iter()
            .rev()
            .find(|(_, t)| matches!(t, Some(Type::Record(_))));
        if self.env.kind(name).is_some() {
            return Some(match record {
                Some((binding, Some(Type::Record(kind)))) if kind == name => format!(
                    "`{name}` is a contribution kind; in this rule the contribution is called `{binding}`"
                ),
                _ if scope.aggregates => format!(
                    "`{name}` is a contribution kind: count or add up its contributions, e.g. `count({name})`"
                ),
                _ => {
                    format!("`{name}` is a contribution kind; read it in a rule with `on {name} x`")
                }
            });
        }
        if self.env.reward(name).is_some() {
            return Some(format!(
                "`{name}` is a reward account; rules cannot read it, but a pool can split by `total({name})`"
            ));
        }
        if self.env.badge(name).is_some() {
            return Some(format!("`{name}` is a badge; rules cannot read it"));
        }
        if name == "person" {
            return Some(match record {
                Some((binding, _)) => {
                    format!("in this rule the person is `{binding}.by`, e.g. `{binding}.by.team`")
                }
                None => "`person` can be read in `each` rules and pools".into(),
            });
        }
        None
    }

    /// `r.lines`, `r.by`, `r.by.status`, `r.at`, `r.id`.
    fn field_type(&mut self, base: &Type, base_span: Span, field: &Ident) -> Option<Type> {
        match base {
            Type::Record(kind) => self.record_field(kind, field),
            Type::Person => self.column_type(field),
            other => {
                let error = self
                    .error(
                        CheckErrorKind::NotARecord {
                            text: self.text(base_span),
                            ty: other.clone(),
                        },
                        field.span,
                    )
                    .with_label("no such field")
                    .with_secondary(base_span, format!("this is `{other}`"));
                self.push(error);
                None
            }
        }
    }

    /// A field of a contribution of `kind`, including `by`, `at` and `id`.
    pub(crate) fn record_field(&mut self, kind: &str, field: &Ident) -> Option<Type> {
        match field.node.as_str() {
            "by" => return Some(Type::Person),
            "at" => return Some(Type::Timestamp),
            "id" => return Some(Type::Text),
            _ => {}
        }
        let info = self.env.kind(kind)?;
        if let Some(f) = info.field(&field.node) {
            return f.ty.clone();
        }
        let names = info
            .fields
            .iter()
            .map(|f| f.name.node.as_str())
            .chain(BUILTIN_FIELDS);
        let suggestion = nearest(&field.node, names);
        let declared = info.name.span;
        let error = self
            .error(
                CheckErrorKind::UnknownField {
                    kind: kind.to_string(),
                    field: field.node.clone(),
                    suggestion,
                },
                field.span,
            )
            .with_label(format!("not a field of `{kind}`"))
            .with_secondary(declared, format!("`{kind}` is declared here"));
        self.push(error);
        None
    }

    /// A roster column: `r.by.status`.
    pub(crate) fn column_type(&mut self, column: &Ident) -> Option<Type> {
        let Some(columns) = &self.env.person else {
            let error = self
                .error(
                    CheckErrorKind::NoPersonBlock {
                        column: column.node.clone(),
                    },
                    column.span,
                )
                .with_label("a roster column");
            self.push(error);
            return None;
        };
        if let Some(c) = columns.iter().find(|c| c.name.node == column.node) {
            return c.ty.clone();
        }
        let suggestion = nearest(&column.node, columns.iter().map(|c| c.name.node.as_str()));
        let error = self
            .error(
                CheckErrorKind::UnknownColumn {
                    column: column.node.clone(),
                    suggestion,
                },
                column.span,
            )
            .with_label("not a column of `person`");
        self.push(error);
        None
    }

    fn unary_type(&mut self, op: UnaryOp, operand: &Expr, scope: &Scope) -> Option<Type> {
        match op {
            UnaryOp::Not => {
                self.condition(operand, "not", scope);
                Some(Type::Bool)
            }
            UnaryOp::Neg => {
                let ty = self.type_expr(operand, scope)?;
                if ty.is_number() || ty.is_quantity() {
                    return Some(ty);
                }
                let error = self
                    .error(
                        CheckErrorKind::CannotNegate {
                            text: self.text(operand.span),
                            ty: ty.clone(),
                        },
                        operand.span,
                    )
                    .with_label(format!("this is `{ty}`"));
                self.push(error);
                None
            }
        }
    }

    fn binary_type(
        &mut self,
        op: &Spanned<BinaryOp>,
        lhs: &Expr,
        rhs: &Expr,
        scope: &Scope,
    ) -> Option<Type> {
        if matches!(op.node, BinaryOp::And | BinaryOp::Or) {
            self.condition_beside(lhs, op.node.symbol(), Some(rhs), scope);
            self.condition_beside(rhs, op.node.symbol(), Some(lhs), scope);
            return Some(Type::Bool);
        }
        let lhs_ty = self.type_expr(lhs, scope);
        let rhs_ty = self.type_expr(rhs, scope);
        let (lhs_ty, rhs_ty) = (lhs_ty?, rhs_ty?);
        match dims::binary(op.node, &lhs_ty, &rhs_ty) {
            Ok(ty) => {
                if matches!(op.node, BinaryOp::Eq | BinaryOp::Ne) {
                    self.check_one_of(lhs, &lhs_ty, rhs, &rhs_ty);
                }
                Some(ty)
            }
            Err(kind) => {
                let error = self
                    .error(kind, lhs.span)
                    .with_label(format!("this is `{lhs_ty}`"))
                    .with_secondary(rhs.span, format!("this is `{rhs_ty}`"));
                self.push(error);
                None
            }
        }
    }

    /// `r.by.status == "employe"`: a literal outside the `one of` set.
    fn check_one_of(&mut self, lhs: &Expr, lhs_ty: &Type, rhs: &Expr, rhs_ty: &Type) {
        for (set, set_expr, other) in [(lhs_ty, lhs, rhs), (rhs_ty, rhs, lhs)] {
            if let (Type::OneOf(allowed), ExprKind::Literal(Literal::Text(value))) =
                (set, &other.node)
            {
                let what = self.text(set_expr.span);
                self.one_of_member(allowed, value, other.span, &what, Some(set_expr.span));
            }
        }
    }

    /// Reports `value` at `span` if it is not in `allowed`. `what` names
    /// the restricted value (`r.by.status`, `status`); `set_span` is where
    /// it is read, when there is such a place.
    pub(crate) fn one_of_member(
        &mut self,
        allowed: &[String],
        value: &str,
        span: Span,
        what: &str,
        set_span: Option<Span>,
    ) {
        if allowed.iter().any(|a| a == value) {
            return;
        }
        let suggestion = nearest(value, allowed.iter().map(String::as_str));
        let text = what.to_string();
        let mut error = self
            .error(
                CheckErrorKind::OneOfValue {
                    value: value.to_string(),
                    text: text.clone(),
                    allowed: allowed.to_vec(),
                    suggestion,
                },
                span,
            )
            .with_label("not an allowed value");
        if let Some(set_span) = set_span {
            error = error.with_secondary(set_span, format!("`{text}` is one of a fixed list"));
        }
        self.push(error);
    }

    fn call_type(
        &mut self,
        function: &Ident,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Option<Type> {
        match function.node.as_str() {
            "min" | "max" => {
                let [a, b] = self.arguments::<2>(function, args, "two values", scope)?;
                let (a_ty, b_ty) = (self.type_expr(a, scope), self.type_expr(b, scope));
                let (a_ty, b_ty) = (a_ty?, b_ty?);
                let expected = "two numbers, amounts or dates of the same type";
                match dims::unify(&a_ty, &b_ty) {
                    Some(ty) if dims::is_ordered(&ty) => Some(ty),
                    Some(ty) => self.bad_argument(function, &ty, expected, a.span, None),
                    None => self.bad_argument(
                        function,
                        &b_ty,
                        expected,
                        b.span,
                        Some((a.span, format!("this is `{a_ty}`"))),
                    ),
                }
            }
            "abs" | "round" | "floor" | "ceil" => {
                let [x] = self.arguments::<1>(function, args, "one value", scope)?;
                let ty = self.type_expr(x, scope)?;
                if ty.is_number() || ty.is_quantity() {
                    Some(ty)
                } else {
                    self.bad_argument(function, &ty, "a number or an amount", x.span, None)
                }
            }
            "total" => self.total_type(function, args, span, scope),
            _ => {
                for arg in args {
                    self.type_expr(arg, scope);
                }
                let suggestion = nearest(&function.node, FUNCTIONS);
                let error = self
                    .error(
                        CheckErrorKind::UnknownFunction {
                            name: function.node.clone(),
                            suggestion,
                        },
                        function.span,
                    )
                    .with_label("unknown function");
                self.push(error);
                None
            }
        }
    }

    /// Exactly `N` arguments, or an `argument_count` error (the arguments
    /// are still typed, to report what is wrong inside them).
    fn arguments<'e, const N: usize>(
        &mut self,
        function: &Ident,
        args: &'e [Expr],
        expected: &'static str,
        scope: &Scope,
    ) -> Option<[&'e Expr; N]> {
        let refs: Vec<&Expr> = args.iter().collect();
        if let Ok(exact) = <[&Expr; N]>::try_from(refs) {
            return Some(exact);
        }
        for arg in args {
            self.type_expr(arg, scope);
        }
        let error = self
            .error(
                CheckErrorKind::ArgumentCount {
                    function: function.node.clone(),
                    expected,
                    found: args.len(),
                },
                function.span,
            )
            .with_label(format!("called with {}", args.len()));
        self.push(error);
        None
    }

    fn bad_argument(
        &mut self,
        function: &Ident,
        ty: &Type,
        expected: &'static str,
        span: Span,
        secondary: Option<(Span, String)>,
    ) -> Option<Type> {
        let mut error = self
            .error(
                CheckErrorKind::FunctionArgument {
                    function: function.node.clone(),
                    ty: ty.clone(),
                    expected,
                },
                span,
            )
            .with_label(format!("this is `{ty}`"));
        if let Some((s, label)) = secondary {
            error = error.with_secondary(s, label);
        }
        self.push(error);
        None
    }

    /// `total(reputation)`: a person's granted total, in a pool's `split by`.
    fn total_type(
        &mut self,
        function: &Ident,
        args: &[Expr],
        span: Span,
        scope: &Scope,
    ) -> Option<Type> {
        if !scope.total {
            let error = self
                .error(CheckErrorKind::TotalOutsidePool, span)
                .with_label("only in `split by`");
            self.push(error);
        }
        let [arg] = self.arguments::<1>(function, args, "one reward account", scope)?;
        let ExprKind::Name(name) = &arg.node else {
            let ty = self.type_expr(arg, scope)?;
            return self.bad_argument(
                function,
                &ty,
                "the name of a reward account",
                arg.span,
                None,
            );
        };
        let account = Spanned::new(name.clone(), arg.span);
        self.account_type(
            &account,
            "`total` adds up a reward account; a badge has no total",
        )
    }

    /// The type of reward account `name`; reports an unknown name or a
    /// badge (with `badge_hint` as help).
    pub(crate) fn account_type(&mut self, name: &Ident, badge_hint: &'static str) -> Option<Type> {
        if let Some(reward) = self.env.reward(&name.node) {
            return reward.ty.clone();
        }
        let error = if let Some(badge) = self.env.badge(&name.node) {
            let declared = badge.span;
            self.error(
                CheckErrorKind::BadgeNotAccount {
                    name: name.node.clone(),
                    hint: badge_hint,
                },
                name.span,
            )
            .with_label("a badge")
            .with_secondary(declared, "declared as a badge here")
        } else {
            let suggestion = nearest(&name.node, self.env.reward_names());
            self.error(
                CheckErrorKind::UnknownReward {
                    name: name.node.clone(),
                    suggestion,
                },
                name.span,
            )
            .with_label("unknown reward account")
        };
        self.push(error);
        None
    }
}
