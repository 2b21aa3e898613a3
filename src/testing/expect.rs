//! Checking one `expect` line against a test's ledger, and saying why it
//! failed: the expected and actual values and the grants behind the actual
//! one (rule, contributions, amount, limit cuts, pool shares).

use std::fmt::Write as _;

use chrono_tz::Tz;

use crate::eval::evaluate_expr;
use crate::ledger::{Grant, Ledger, Origin, Target};
use crate::pipeline::CompiledPolicy;
use crate::render::amount::human;
use crate::render::explain::share_equation;
use crate::source::{SourceFile, Span, Spanned};
use crate::syntax::ast::{Expect, Expr, Ident};
use crate::units::Type;
use crate::value::{Money, Value};

use super::error::{Located, TestError, TestErrorKind};

/// At most this many contribution ids are listed per grant.
const SHOWN_IDS: usize = 4;

/// `Ok` if the expectation holds; otherwise the failure, pointing at the
/// `expect` line in `source`.
pub fn check_expect(
    policy: &CompiledPolicy,
    source: &SourceFile,
    ledger: &Ledger,
    expect: &Expect,
) -> Result<(), Located> {
    match expect {
        Expect::Account {
            who,
            account,
            value,
            span,
        } => expect_account(policy, source, ledger, who, account, value, *span),
        Expect::Badge {
            who,
            badge,
            times,
            span,
        } => expect_badge(policy, source, ledger, who, badge, times.as_ref(), *span),
    }
}

/// `expect alice reputation = 15 pts`: an account nobody credited is zero.
fn expect_account(
    policy: &CompiledPolicy,
    source: &SourceFile,
    ledger: &Ledger,
    who: &Spanned<String>,
    account: &Ident,
    value: &Expr,
    span: Span,
) -> Result<(), Located> {
    let ty = policy.schema.rewards.get(&account.node);
    let expected = evaluate_expr(&policy.ast, &policy.schema, value)
        .map_err(|e| Located::evaluation(e, [source, &policy.source]))?;
    let expected = match (ty, expected) {
        (Some(Type::Decimal), Value::Int(i)) => Value::Decimal(i.into()),
        (_, v) => v,
    };
    let target = Target::Account(account.node.as_str().into());
    let actual = ledger
        .totals
        .get(who.node.as_str())
        .and_then(|t| t.get(&target))
        .cloned()
        .or_else(|| ty.and_then(zero))
        .unwrap_or_else(|| zero_like(&expected));
    if expected == actual {
        return Ok(());
    }
    let grants = grants_of(ledger, &who.node, &target);
    let help = if grants.is_empty() {
        format!(
            "no grant reached `{who} {account}`{}",
            inactive_note(ledger, &who.node)
        )
    } else {
        let mut help = format!("the grants that make up {}:", human(&actual));
        for grant in &grants {
            let _ = write!(
                help,
                "\n- {}",
                describe_grant(grant, policy.schema.timezone)
            );
        }
        help
    };
    let error = TestError::new(
        source,
        TestErrorKind::AccountMismatch {
            who: who.node.clone(),
            account: account.node.clone(),
            expected: human(&expected),
            actual: human(&actual),
        },
        span,
    )
    .with_label(format!("it is {}", human(&actual)))
    .with_help(help);
    Err(Located::new(source, error))
}

/// `expect dana badge mentor` (at least once) or `... mentor 2 times`
/// (exactly).
fn expect_badge(
    policy: &CompiledPolicy,
    source: &SourceFile,
    ledger: &Ledger,
    who: &Spanned<String>,
    badge: &Ident,
    times: Option<&Spanned<u64>>,
    span: Span,
) -> Result<(), Located> {
    let target = Target::Badge(badge.node.as_str().into());
    let count = match ledger
        .totals
        .get(who.node.as_str())
        .and_then(|t| t.get(&target))
    {
        Some(Value::Int(n)) => u64::try_from(*n).unwrap_or(0),
        _ => 0,
    };
    let holds = match times {
        Some(n) => count == n.node,
        None => count >= 1,
    };
    if holds {
        return Ok(());
    }
    let expected = match times {
        Some(n) => times_text(n.node),
        None => "at least once".to_string(),
    };
    let actual = match count {
        0 => "it was never awarded".to_string(),
        n => format!("it was awarded {}", times_text(n)),
    };
    let grants = grants_of(ledger, &who.node, &target);
    let help = if grants.is_empty() {
        format!(
            "no rule awarded `{badge}` to `{who}`{}",
            inactive_note(ledger, &who.node)
        )
    } else {
        let mut help = format!("the awards of `{badge}`:");
        for grant in &grants {
            let _ = write!(
                help,
                "\n- {}",
                describe_grant(grant, policy.schema.timezone)
            );
        }
        help
    };
    let error = TestError::new(
        source,
        TestErrorKind::BadgeMismatch {
            who: who.node.clone(),
            badge: badge.node.clone(),
            expected,
            actual: actual.clone(),
        },
        span,
    )
    .with_label(actual)
    .with_help(help);
    Err(Located::new(source, error))
}

/// `once`, `2 times`.
fn times_text(n: u64) -> String {
    if n == 1 {
        "once".to_string()
    } else {
        format!("{n} times")
    }
}

/// The final grants to `who` for `target`, in ledger order.
fn grants_of<'a>(ledger: &'a Ledger, who: &str, target: &Target) -> Vec<&'a Grant> {
    ledger
        .grants
        .iter()
        .filter(|g| g.who.as_ref() == who && &g.target == target)
        .collect()
}

/// `; `bob` received nothing at all in this test` when that is the case:
/// often a misspelt name.
fn inactive_note(ledger: &Ledger, who: &str) -> String {
    if ledger.grants.iter().any(|g| g.who.as_ref() == who) {
        String::new()
    } else {
        format!("; `{who}` received nothing at all in this test")
    }
}

/// One grant in a line: where it came from and how limits cut it.
///
/// `rule `code_review` for `r1`: 5 pts`
/// `rule `volunteer_shift` for `s3`: 24 pts` and on the next line
/// `  cut to 12 pts by limit `...` (48 pts already granted in 2027-W24)`
/// `pool `community_fund` for 2027-Q1: 30 pts / 50 pts × 3000.00 EUR = 1800.00 EUR`
/// (see [`share_equation`] for a share with a leftover unit)
pub fn describe_grant(grant: &Grant, tz: Tz) -> String {
    let mut line = match &grant.origin {
        Origin::Rule { name, .. } => {
            let what = match &grant.target {
                Target::Account(_) => human(&grant.amount),
                Target::Badge(_) => {
                    return format!(
                        "rule `{name}` for {} (period ending {})",
                        id_list(&grant.contributions),
                        grant.at.with_timezone(&tz).format("%Y-%m-%d")
                    );
                }
            };
            format!(
                "rule `{name}` for {}: {what}",
                id_list(&grant.contributions)
            )
        }
        Origin::Pool(share) => format!(
            "pool `{}` for {}: {}",
            share.pool,
            share.period,
            share_equation(share, &grant.amount)
        ),
    };
    for cut in &grant.cuts {
        let _ = write!(
            line,
            "\n  cut to {} by limit `{}` ({} already granted in {})",
            human(&cut.after),
            cut.limit,
            human(&cut.already_granted),
            cut.period
        );
    }
    line
}

/// `` `r1` ``, `` `m1`, `m2` ``, `` `v01`, `v02`, `v03`, `v04` and 17 more ``.
fn id_list(ids: &[std::sync::Arc<str>]) -> String {
    let shown: Vec<String> = ids
        .iter()
        .take(SHOWN_IDS)
        .map(|id| format!("`{id}`"))
        .collect();
    let mut text = shown.join(", ");
    if ids.len() > SHOWN_IDS {
        let _ = write!(text, " and {} more", ids.len() - SHOWN_IDS);
    }
    if text.is_empty() {
        text.push_str("no contribution");
    }
    text
}

/// The zero of an account's type: what a person who received nothing holds.
fn zero(ty: &Type) -> Option<Value> {
    Some(match ty {
        Type::Money(currency) => Value::Money(Money::new(rust_decimal::Decimal::ZERO, *currency)),
        Type::Points => Value::Points(rust_decimal::Decimal::ZERO),
        Type::Duration => Value::Duration(rust_decimal::Decimal::ZERO),
        Type::Decimal => Value::Decimal(rust_decimal::Decimal::ZERO),
        Type::Int => Value::Int(0),
        _ => return None,
    })
}

/// A zero in the unit of `value`, when the account's type is unknown.
fn zero_like(value: &Value) -> Value {
    zero(&value.ty()).unwrap_or(Value::Int(0))
}
