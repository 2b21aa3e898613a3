//! Rules, limits and pools: what each one grants, caps or splits, and
//! whether the amounts have the account's type.

use crate::syntax::ast::{
    Action, Expr, ExprKind, Ident, LimitDecl, Literal, PoolDecl, RuleDecl, Trigger,
};
use crate::types::check::{Checker, Scope};
use crate::types::error::CheckErrorKind;
use crate::types::help::describe;
use crate::types::suggest::nearest;
use crate::units::Type;
use crate::value::{Money, Value, with_digits};

impl Checker {
    /// `rule NAME { on KIND x | each person per PERIOD  [when C]  grant A E | award B }`
    pub(crate) fn check_rule(&mut self, rule: &RuleDecl) {
        let scope = match &rule.trigger {
            Trigger::On { kind, binding, .. } => {
                let ty = self.trigger_kind(kind).map(Type::Record);
                Scope::on(&binding.node, ty)
            }
            Trigger::Each { .. } => Scope::each(),
        };
        if let Some(window) = &rule.window {
            let period = match &rule.trigger {
                Trigger::Each { period, .. } => Some(period.node),
                Trigger::On { .. } => None,
            };
            self.check_window(window, "rule", &rule.name.node, period);
        }
        if let Some(condition) = &rule.condition {
            self.condition(condition, "when", &scope);
            if matches!(condition.node, ExprKind::Literal(Literal::Bool(false))) {
                let error = self
                    .error(
                        CheckErrorKind::RuleNeverFires {
                            name: rule.name.node.clone(),
                        },
                        condition.span,
                    )
                    .with_label("always false");
                self.push(error);
            }
        }
        match &rule.action {
            Action::Grant {
                account, amount, ..
            } => {
                self.used.rewards.insert(account.node.clone());
                // `grant mentor ...` is reported once, not also as "never awarded".
                self.used.badges.insert(account.node.clone());
                let expected = self.account_type(account, "to give a badge, write `award NAME`");
                let found = self.type_expr(amount, &scope);
                if let (Some(expected), Some(found)) = (expected, found) {
                    self.grant_type(account, &expected, &found, amount);
                }
            }
            Action::Award { badge, .. } => self.award(badge),
        }
    }

    /// The kind of `on KIND x`, if declared (and marks it used).
    fn trigger_kind(&mut self, kind: &Ident) -> Option<String> {
        if self.env.kind(&kind.node).is_some() {
            self.used.kinds.insert(kind.node.clone());
            return Some(kind.node.clone());
        }
        let suggestion = nearest(&kind.node, self.env.kind_names());
        let error = self
            .error(
                CheckErrorKind::UnknownKind {
                    name: kind.node.clone(),
                    suggestion,
                },
                kind.span,
            )
            .with_label("unknown contribution kind");
        self.push(error);
        None
    }

    /// `grant bonus 3h` where `bonus` holds money.
    fn grant_type(&mut self, account: &Ident, expected: &Type, found: &Type, amount: &Expr) {
        if expected == found {
            return;
        }
        let alternatives = self
            .env
            .rewards
            .iter()
            .filter(|r| r.ty.as_ref() == Some(found))
            .map(|r| r.name.node.clone())
            .collect();
        let declared = self.env.reward(&account.node).map(|r| r.ty_span);
        let mut error = self
            .error(
                CheckErrorKind::GrantType {
                    account: account.node.clone(),
                    expected: expected.clone(),
                    found: found.clone(),
                    alternatives,
                },
                amount.span,
            )
            .with_label(format!("this is {}", describe(found)));
        if let Some(declared) = declared {
            error = error.with_secondary(declared, format!("`{account}` holds `{expected}`"));
        }
        self.push(error);
    }

    /// `award mentor`: a declared badge.
    fn award(&mut self, badge: &Ident) {
        if self.env.badge(&badge.node).is_some() {
            self.used.badges.insert(badge.node.clone());
            return;
        }
        let error = if let Some(reward) = self.env.reward(&badge.node) {
            // The mistake is the keyword, not the account: it is not unused.
            self.used.rewards.insert(badge.node.clone());
            let declared = reward.name.span;
            self.error(
                CheckErrorKind::AccountNotBadge {
                    name: badge.node.clone(),
                    hint: format!(
                        "to give `{badge}`, write `grant {badge} AMOUNT`; to give a badge, declare it with `badge NAME \"Title\"`"
                    ),
                },
                badge.span,
            )
            .with_label("a reward account")
            .with_secondary(declared, "declared as a reward account here")
        } else {
            let suggestion = nearest(&badge.node, self.env.badge_names());
            self.error(
                CheckErrorKind::UnknownBadge {
                    name: badge.node.clone(),
                    suggestion,
                },
                badge.span,
            )
            .with_label("unknown badge")
        };
        self.push(error);
    }

    /// `limit ACCOUNT [from RULE, ...] at most CAP per person per PERIOD`;
    /// `earlier` are the limits above it, for the overlap warning.
    pub(crate) fn check_limit(&mut self, limit: &LimitDecl, earlier: &[&LimitDecl]) {
        let account = self.account_type(
            &limit.account,
            "limits cap reward accounts; a badge cannot be capped",
        );
        if account.is_some() {
            for rule in &limit.from {
                self.limit_rule(&limit.account, rule);
            }
        }
        let cap = self.type_expr(&limit.cap, &Scope::constants());
        if let (Some(expected), Some(found)) = (&account, cap)
            && *expected != found
        {
            let declared = self.env.reward(&limit.account.node).map(|r| r.ty_span);
            let mut error = self
                .error(
                    CheckErrorKind::LimitCapType {
                        account: limit.account.node.clone(),
                        expected: expected.clone(),
                        found: found.clone(),
                    },
                    limit.cap.span,
                )
                .with_label(format!("this is `{found}`"));
            if let Some(declared) = declared {
                error = error
                    .with_secondary(declared, format!("`{}` holds `{expected}`", limit.account));
            }
            self.push(error);
        }
        if let Some(Type::Money(currency)) = &account {
            self.warn_sub_minor_cap(&limit.cap, *currency);
        }
        let overlaps = |other: &&&LimitDecl| {
            other.account.node == limit.account.node
                && other.period.node == limit.period.node
                && (other.from.is_empty()
                    || limit.from.is_empty()
                    || other
                        .from
                        .iter()
                        .any(|r| limit.from.iter().any(|s| s.node == r.node)))
        };
        if let Some(other) = earlier.iter().find(overlaps) {
            let error = self
                .error(
                    CheckErrorKind::OverlappingLimits {
                        account: limit.account.node.clone(),
                        period: limit.period.node.to_string(),
                    },
                    limit.span,
                )
                .with_label("second limit")
                .with_secondary(other.span, "first limit");
            self.push(error);
        }
    }

    /// `at most 0.015 EUR`: a money cap finer than the currency's minor
    /// unit is rounded down when the policy runs; say so, when the cap's
    /// value is known here (literals and constants, with arithmetic).
    fn warn_sub_minor_cap(&mut self, cap: &Expr, currency: crate::units::Currency) {
        let Some(value) = self.constant_cap(cap, 0) else {
            return;
        };
        let exact = match &value {
            Value::Money(m) => with_digits(m.amount.normalize(), currency.minor_digits()).is_some(),
            Value::Exact(_) => false,
            _ => return,
        };
        if exact {
            return;
        }
        let Ok(rounded) = crate::semantics::round::round_cap(value.clone()) else {
            return;
        };
        let error = self
            .error(
                CheckErrorKind::SubMinorCap {
                    cap: value.to_string(),
                    rounded: rounded.to_string(),
                    currency: currency.to_string(),
                },
                cap.span,
            )
            .with_label(format!("rounded down to `{rounded}`"));
        self.push(error);
    }

    /// The value of a constant expression made of literals, constants and
    /// arithmetic, when it has one (`None` for anything else, or an error).
    fn constant_cap(&self, expr: &Expr, depth: usize) -> Option<Value> {
        use crate::semantics::arith;
        use crate::syntax::ast::{BinaryOp, UnaryOp};
        if depth > 64 {
            return None;
        }
        let span = expr.span;
        match &expr.node {
            ExprKind::Literal(Literal::Money { amount, currency }) => Some(Value::Money(
                Money::new(*amount, crate::units::Currency::from_code(currency)?),
            )),
            ExprKind::Literal(Literal::Int(i)) => Some(Value::Int(*i)),
            ExprKind::Literal(Literal::Decimal(d)) => Some(Value::Decimal(*d)),
            ExprKind::Name(name) => {
                let value = self.env.constant(name)?.fixed()?.clone();
                self.constant_cap(&value, depth + 1)
            }
            ExprKind::Unary { op, operand } if op.node == UnaryOp::Neg => {
                arith::neg(&self.constant_cap(operand, depth + 1)?, span).ok()
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (a, b) = (
                    self.constant_cap(lhs, depth + 1)?,
                    self.constant_cap(rhs, depth + 1)?,
                );
                match op.node {
                    BinaryOp::Add => arith::add(&a, &b, span).ok(),
                    BinaryOp::Sub => arith::sub(&a, &b, span).ok(),
                    BinaryOp::Mul => arith::mul(&a, &b, span).ok(),
                    BinaryOp::Div => arith::div(&a, &b, span).ok(),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A rule named in `from`: it exists and grants to the limited account.
    fn limit_rule(&mut self, account: &Ident, rule: &Ident) {
        let Some(info) = self.env.rule(&rule.node) else {
            let suggestion = nearest(
                &rule.node,
                self.env.rules.iter().map(|r| r.name.node.as_str()),
            );
            let error = self
                .error(
                    CheckErrorKind::UnknownRule {
                        name: rule.node.clone(),
                        suggestion,
                    },
                    rule.span,
                )
                .with_label("unknown rule");
            self.push(error);
            return;
        };
        if info.grants.as_ref().is_some_and(|g| g.node == account.node) {
            return;
        }
        let (granted, at) = match &info.grants {
            Some(g) => (Some(g.node.clone()), g.span),
            None => (None, info.name.span),
        };
        let label = match &granted {
            Some(g) => format!("this rule grants `{g}`"),
            None => "this rule awards a badge".to_string(),
        };
        let error = self
            .error(
                CheckErrorKind::LimitRuleAccount {
                    rule: rule.node.clone(),
                    account: account.node.clone(),
                    granted,
                },
                rule.span,
            )
            .with_label(format!("does not grant `{account}`"))
            .with_secondary(at, label);
        self.push(error);
    }

    /// `pool NAME { grant ACCOUNT AMOUNT per PERIOD  split by EXPR }`
    pub(crate) fn check_pool(&mut self, pool: &PoolDecl) {
        self.used.rewards.insert(pool.account.node.clone());
        if let Some(window) = &pool.window {
            self.check_window(window, "pool", &pool.name.node, Some(pool.period.node));
        }
        let account = self.account_type(
            &pool.account,
            "a pool pays into a reward account; to give a badge, use a rule with `award`",
        );
        let amount = self.type_expr(&pool.amount, &Scope::constants());
        if let (Some(expected), Some(found)) = (&account, amount)
            && *expected != found
        {
            let declared = self.env.reward(&pool.account.node).map(|r| r.ty_span);
            let mut error = self
                .error(
                    CheckErrorKind::PoolAmountType {
                        pool: pool.name.node.clone(),
                        account: pool.account.node.clone(),
                        expected: expected.clone(),
                        found: found.clone(),
                    },
                    pool.amount.span,
                )
                .with_label(format!("this is `{found}`"));
            if let Some(declared) = declared {
                error = error
                    .with_secondary(declared, format!("`{}` holds `{expected}`", pool.account));
            }
            self.push(error);
        }
        if let Some(score) = self.type_expr(&pool.split_by, &Scope::pool())
            && !(score.is_number() || score.is_quantity())
        {
            let error = self
                .error(
                    CheckErrorKind::SplitType { ty: score.clone() },
                    pool.split_by.span,
                )
                .with_label(format!("this is `{score}`"));
            self.push(error);
        }
    }
}
