//! Grants on their way to the ledger, with the key that puts them in
//! ledger order.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::eval::scope::Scope;
use crate::eval::show;
use crate::ledger::{Grant, Origin, Target};
use crate::semantics::error::EvalError;
use crate::semantics::order::Stage;
use crate::semantics::round::round_grant;
use crate::syntax::ast::{Action, RuleDecl};
use crate::value::Value;

/// A grant's place in ledger order ([`Stage`] says it): the fields in the
/// order they are compared.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct OrderKey {
    pub at: DateTime<Utc>,
    pub stage: Stage,
    /// The contribution id for `on` grants, empty otherwise.
    pub id: Arc<str>,
    /// The rule's (or pool's) position in the file.
    pub position: usize,
    pub who: Arc<str>,
}

/// A grant and its place in the ledger.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    pub key: OrderKey,
    pub grant: Grant,
}

/// A rule with its position among the file's rules.
#[derive(Clone, Copy, Debug)]
pub struct RuleRef<'p> {
    pub position: usize,
    pub decl: &'p RuleDecl,
}

/// Makes the grant of a rule's action in `scope`: the amount computed,
/// rounded once if it is money, and checked against the account's type.
pub fn make_grant(
    scope: &Scope<'_>,
    rule: RuleRef<'_>,
    who: Arc<str>,
    at: DateTime<Utc>,
    contributions: Vec<Arc<str>>,
) -> Result<Grant, EvalError> {
    let (target, amount, calculation) = match &rule.decl.action {
        Action::Grant {
            account, amount, ..
        } => {
            let shown = scope.eval(amount)?;
            let value =
                round_grant(shown.value, scope.env.rounding).map_err(|e| e.at(amount.span))?;
            check_account_type(scope, &account.node, &value, amount.span)?;
            // `3 pts = 3 pts` says nothing: a bare amount stands alone.
            let calculation = shown.text.map(|(text, _)| {
                let result = show::result(&value);
                let mut words = if text == result {
                    text
                } else {
                    format!("{text} = {result}")
                };
                for line in scope
                    .dated_read
                    .map(|r| r.borrow().clone())
                    .unwrap_or_default()
                {
                    words.push_str("; ");
                    words.push_str(&show::in_force(&line));
                }
                Arc::<str>::from(words)
            });
            (
                Target::Account(account.node.as_str().into()),
                value,
                calculation,
            )
        }
        Action::Award { badge, .. } => (
            Target::Badge(badge.node.as_str().into()),
            Value::Int(1),
            None,
        ),
    };
    Ok(Grant {
        who,
        target,
        at,
        origin: Origin::Rule {
            name: rule.decl.name.node.as_str().into(),
            position: rule.position,
        },
        contributions,
        granted: amount.clone(),
        amount,
        cuts: Vec::new(),
        calculation,
    })
}

/// The checker guarantees a grant has its account's type; if not, say so
/// rather than credit `USD` to a `EUR` account.
pub fn check_account_type(
    scope: &Scope<'_>,
    account: &str,
    value: &Value,
    span: crate::source::Span,
) -> Result<(), EvalError> {
    match scope.env.schema.rewards.get(account) {
        Some(ty) if *ty == value.ty() => Ok(()),
        Some(ty) => Err(EvalError::internal(
            format!(
                "account `{account}` holds `{ty}` but was granted `{}`",
                value.ty()
            ),
            Some(span),
        )),
        None => Err(EvalError::internal(
            format!("unknown account `{account}`"),
            Some(span),
        )),
    }
}
