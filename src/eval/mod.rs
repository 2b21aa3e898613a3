//! Evaluation: the four stages (`on` rules, `each` rules, limits, pools)
//! over a validated log, producing grants with provenance.
//!
//! ```text
//! log ─window─▶ stage 1 `on` ─┐
//!               stage 2 `each`┴▶ ledger order ─▶ stage 3 limits ─▶ stage 4 pools ─▶ sink
//! ```
//!
//! All grants are kept in memory until the end, because limits and pools
//! look at grants across the whole period; the sink then receives every
//! final grant in ledger order.

pub mod aggregate;
pub mod expr;
pub mod limits;
pub mod pending;
pub mod pools;
pub mod reach;
pub mod rules;
pub mod scope;
pub mod show;
pub mod sink;
pub mod stream;
pub mod unrewarded;

use crate::input::{Contribution, Log, Roster};
use crate::schema::Schema;
use crate::semantics::order::record_order;
use crate::syntax::ast::{Expr, ExprKind, Item, PolicyFile};
use crate::value::Value;

pub use crate::semantics::error::{EvalError, EvalErrorInFile, EvalErrorKind, EvalWarning};
pub use crate::semantics::period::{PeriodKey, Window};
use pending::{Pending, RuleRef};
use reach::Reached;
use scope::{Env, Scope};
pub use sink::{GrantSink, PeriodTotalsSink, PersonSink, TotalsSink, add_to_totals};
pub use stream::memo::WordsMemo;

/// What to evaluate and how.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvalOptions {
    /// Only the grants stamped in the window (`--period`, `--from`,
    /// `--to`), evaluated over every record before its end; everything when
    /// `None`. See [`Window`].
    pub window: Option<Window>,
    /// Fill in each grant's calculation in words (`meed explain`).
    pub explain: bool,
}

/// What an evaluation has to say besides its grants.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EvalReport {
    /// E.g. "pool `community_fund` went unclaimed in 2027-Q1".
    pub warnings: Vec<EvalWarning>,
}

/// Evaluates `policy` over `log`, handing every final grant to `sink` in
/// ledger order.
///
/// The policy must have passed the checker; if it did not, the result is an
/// internal [`EvalError`], never a panic. The log need not be sorted: records
/// are processed in `(at, id)` order whatever order they come in.
pub fn evaluate(
    policy: &PolicyFile,
    schema: &Schema,
    log: &Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
    sink: &mut dyn GrantSink,
) -> Result<EvalReport, EvalError> {
    evaluate_in(policy, schema, log, roster, options, sink, None)
}

/// [`evaluate`], noting in `reached` every `if` branch taken and every
/// `tiers` bracket that gave a part: what `meed test --coverage` counts.
/// The grants are the same as [`evaluate`]'s.
pub fn evaluate_reaching(
    policy: &PolicyFile,
    schema: &Schema,
    log: &Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
    sink: &mut dyn GrantSink,
    reached: &Reached,
) -> Result<EvalReport, EvalError> {
    evaluate_in(policy, schema, log, roster, options, sink, Some(reached))
}

fn evaluate_in(
    policy: &PolicyFile,
    schema: &Schema,
    log: &Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
    sink: &mut dyn GrantSink,
    reached: Option<&Reached>,
) -> Result<EvalReport, EvalError> {
    if roster.is_none()
        && let Some(err) = roster_needed(policy)
    {
        return Err(err);
    }
    let mut env = Env::new(policy, schema, roster)?;
    env.reached = reached;
    let mut records: Vec<&Contribution> = log
        .contributions
        .iter()
        .filter(|c| options.window.is_none_or(|w| w.reads(c.at)))
        .collect();
    records.sort_by(|a, b| record_order((a.at, a.id.as_bytes()), (b.at, b.id.as_bytes())));

    let rules: Vec<RuleRef<'_>> = policy
        .items
        .iter()
        .filter_map(|item| match item {
            Item::Rule(r) => Some(r),
            _ => None,
        })
        .enumerate()
        .map(|(position, decl)| RuleRef { position, decl })
        .collect();

    let mut grants: Vec<Pending> = Vec::new();
    rules::run_on_rules(&env, &rules, &records, options.explain, &mut grants)?;
    rules::run_each_rules(&env, &rules, &records, options.explain, &mut grants)?;
    grants.sort_by(|a, b| a.key.cmp(&b.key));

    for item in &policy.items {
        if let Item::Limit(limit) = item {
            limits::apply_limit(&env, limit, &mut grants)?;
        }
    }

    let mut warnings = Vec::new();
    let mut shares: Vec<Pending> = Vec::new();
    let pools = policy.items.iter().filter_map(|item| match item {
        Item::Pool(p) => Some(p),
        _ => None,
    });
    for (position, pool) in pools.enumerate() {
        pools::pay_pool(
            &env,
            pool,
            position,
            &records,
            &grants,
            options.explain,
            &mut shares,
            &mut warnings,
        )?;
    }
    grants.append(&mut shares);
    grants.sort_by(|a, b| a.key.cmp(&b.key));
    let reported = |stamp| options.window.is_none_or(|w: Window| w.reports(stamp));
    for pending in grants {
        if reported(pending.grant.at) {
            sink.accept(pending.grant)?;
        }
    }
    Ok(EvalReport {
        warnings: warnings
            .into_iter()
            .filter(|(stamp, _)| reported(*stamp))
            .map(|(_, warning)| warning)
            .collect(),
    })
}

/// Evaluates `policy` over a log read into memory, handing every final
/// grant to `sink` in ledger order: through the engine
/// ([`stream::stream_log_into`]), which also words the calculations when
/// asked to explain, or through [`evaluate`] when the engine steps aside —
/// for a value its fixed point cannot hold, a calculation it cannot put in
/// words, and on any error, which [`evaluate`] words with the rule and the
/// contribution. The two give the same grants, words included
/// (`tests/scale.rs` and `tests/differential.rs` compare them).
pub fn run(
    policy: &PolicyFile,
    schema: &Schema,
    log: &Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
    sink: &mut dyn GrantSink,
) -> Result<EvalReport, EvalError> {
    run_remembering(policy, schema, log, roster, options, sink, None)
}

/// [`run`], the engine taking the words it has already written from
/// `memo` and adding those it writes.
fn run_remembering(
    policy: &PolicyFile,
    schema: &Schema,
    log: &Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
    sink: &mut dyn GrantSink,
    memo: Option<&mut stream::memo::WordsMemo>,
) -> Result<EvalReport, EvalError> {
    if let Some(Ok(streamed)) = stream::stream_log_remembering(
        policy,
        schema,
        log,
        roster,
        options,
        Some((stream::Keep::Everyone, &mut *sink)),
        memo,
    ) {
        return Ok(streamed.report);
    }
    sink.restart();
    evaluate(policy, schema, log, roster, options, sink)
}

/// Evaluates one expression that needs no contribution, with the policy's
/// constants in scope: `5 EUR + 0.02 EUR * 120` gives `7.40 EUR`... before
/// rounding, `7.40 EUR` exactly. Nothing is rounded: this is not a grant.
pub fn evaluate_expr(
    policy: &PolicyFile,
    schema: &Schema,
    expr: &Expr,
) -> Result<Value, EvalError> {
    let env = Env::new(policy, schema, None)?;
    Scope::new(&env).value(expr)
}

/// The rule grants of `log` with their calculations in words, in ledger
/// order ([`run`], asked to explain). `explain` and the report's
/// statements run it over one person's records (a rule grant and its
/// limits depend on nothing else) and compare its amounts with the
/// whole run's, which stay the truth. `memo` keeps the words written for
/// the next call (a fresh one, `WordsMemo::default()`, for a single call).
pub fn rule_grants_in_words(
    policy: &PolicyFile,
    schema: &Schema,
    log: &Log,
    roster: Option<&Roster>,
    window: Option<Window>,
    memo: &mut WordsMemo,
) -> Result<Vec<crate::ledger::Grant>, EvalError> {
    let options = EvalOptions {
        window,
        explain: true,
    };
    // About a grant per record: grown once, not copied as it doubles.
    let mut worded = RuleGrants(Vec::with_capacity(log.contributions.len()));
    run_remembering(
        policy,
        schema,
        log,
        roster,
        &options,
        &mut worded,
        Some(memo),
    )?;
    Ok(worded.0)
}

/// The rule grants of a run, in ledger order, and nothing else (no totals:
/// the caller checks its grants against the whole run's).
struct RuleGrants(Vec<crate::ledger::Grant>);

impl GrantSink for RuleGrants {
    fn accept(&mut self, grant: crate::ledger::Grant) -> Result<(), EvalError> {
        if matches!(grant.origin, crate::ledger::Origin::Rule { .. }) {
            self.0.push(grant);
        }
        Ok(())
    }

    fn restart(&mut self) {
        self.0.clear();
    }
}

/// The values of constant `name` over time, one line each
/// (`from 2027-04-01: 0.025 EUR (board decision 2027-02-14)`), when it
/// changes over time; `None` for a value that never changes or no such
/// constant. For the REPL, which has no instant to read such a value at.
pub fn describe_over_time(
    policy: &PolicyFile,
    schema: &Schema,
    name: &str,
) -> Result<Option<Vec<String>>, EvalError> {
    let env = Env::new(policy, schema, None)?;
    let Some(timeline) = env.constants.get(name) else {
        return Ok(None);
    };
    if timeline.constant().is_some() {
        return Ok(None);
    }
    let lines = timeline
        .steps()
        .iter()
        .filter_map(|step| {
            let value = step.value.as_ref().ok()?;
            let own = step.in_force.iter().find(|l| l.name == name);
            let from = match own {
                Some(line) => line.from.clone(),
                None => step
                    .from
                    .with_timezone(&env.tz)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
            };
            let source = own
                .and_then(|l| l.source.as_ref())
                .map(|s| format!(" ({s})"))
                .unwrap_or_default();
            Some(format!("from {from}: {value}{source}"))
        })
        .collect();
    Ok(Some(lines))
}

/// The first `x.by.COLUMN` or `person.COLUMN` the policy reads: without a
/// roster that is an error before anything is evaluated.
pub(crate) fn roster_needed(policy: &PolicyFile) -> Option<EvalError> {
    let mut found = None;
    for item in &policy.items {
        match item {
            Item::Rule(rule) => {
                if let Some(c) = &rule.condition {
                    find_roster_read(c, &mut found);
                }
                if let crate::syntax::ast::Action::Grant { amount, .. } = &rule.action {
                    find_roster_read(amount, &mut found);
                }
            }
            Item::Pool(pool) => find_roster_read(&pool.split_by, &mut found),
            _ => {}
        }
        if found.is_some() {
            break;
        }
    }
    found.map(|(column, span)| EvalError::new(EvalErrorKind::RosterRequired { column }, Some(span)))
}

/// The first `r.by.COLUMN` or `person.COLUMN` in `expr`, in source order.
fn find_roster_read(expr: &Expr, found: &mut Option<(String, crate::source::Span)>) {
    expr.walk(&mut |e| {
        if found.is_some() {
            return;
        }
        if let ExprKind::Field { base, field } = &e.node {
            let reads_roster = match &base.node {
                ExprKind::Field { field: by, .. } => by.node == "by",
                ExprKind::Name(n) => n == "person",
                _ => false,
            };
            if reads_roster {
                *found = Some((field.node.clone(), e.span));
            }
        }
    });
}
