//! Values that change over time and rule windows (LANGUAGE.md §6): one
//! type for every value of a dated `let`, dates in increasing order, no
//! empty window, and warnings where a change date or a window does not
//! line up with the periods that read it.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::semantics::dated::{Validity, moment_instant, moment_text};
use crate::semantics::period::PeriodKey;
use crate::source::Span;
use crate::syntax::ast::{
    Aggregate, DatedValue, Expr, ExprKind, Item, LetDecl, LetValue, Period, PolicyFile, TimeWindow,
    Trigger,
};
use crate::types::check::{Checker, Scope};
use crate::types::error::CheckErrorKind;
use crate::units::Type;

impl Checker {
    /// The type of a dated `let`: every line typed, all of one type, with
    /// strictly increasing dates.
    pub(crate) fn dated_type(&mut self, name: &str, lines: &[DatedValue]) -> Option<Type> {
        let mut first: Option<Type> = None;
        let mut all_typed = true;
        for line in lines {
            let Some(ty) = self.type_expr(&line.value, &Scope::constants()) else {
                all_typed = false;
                continue;
            };
            match &first {
                None => first = Some(ty),
                Some(expected) if *expected != ty => {
                    let error = self
                        .error(
                            CheckErrorKind::DatedTypes {
                                name: name.to_string(),
                                first: expected.clone(),
                                found: ty.clone(),
                            },
                            line.value.span,
                        )
                        .with_label(format!("`{ty}`"));
                    self.push(error);
                    all_typed = false;
                }
                Some(_) => {}
            }
        }
        let tz = self.policy_zone();
        for pair in lines.windows(2) {
            let [previous, line] = pair else { continue };
            if moment_instant(line.from.node, tz) <= moment_instant(previous.from.node, tz) {
                let error = self
                    .error(
                        CheckErrorKind::DatedOrder {
                            name: name.to_string(),
                            date: moment_text(line.from.node),
                            previous: moment_text(previous.from.node),
                        },
                        line.from.span,
                    )
                    .with_label("out of order");
                self.push(error);
            }
        }
        first.filter(|_| all_typed)
    }

    /// `from D1 until D2` of a rule or pool: not empty, and (for periods)
    /// holding the start of at least one period.
    pub(crate) fn check_window(
        &mut self,
        window: &TimeWindow,
        what: &'static str,
        name: &str,
        period: Option<Period>,
    ) {
        if let (Some(from), Some(until)) = (&window.from, &window.until)
            && until.node < from.node
        {
            let error = self
                .error(
                    CheckErrorKind::EmptyWindow {
                        from: from.node.to_string(),
                        until: until.node.to_string(),
                    },
                    window.span,
                )
                .with_label("empty");
            self.push(error);
            return;
        }
        let tz = self.policy_zone();
        let validity = Validity::of(Some(window), tz);
        if let (Some(period), Some(from), Some(until)) = (period, validity.from, validity.until) {
            let key = PeriodKey::of(from, period, tz);
            let first_start = if key.start(tz) < from {
                key.end(tz)
            } else {
                key.start(tz)
            };
            if first_start >= until {
                let error = self
                    .error(
                        CheckErrorKind::WindowWithoutPeriod {
                            what,
                            name: name.to_string(),
                            period: period.keyword().to_string(),
                        },
                        window.span,
                    )
                    .with_label(format!("no {period} starts here"));
                self.push(error);
            }
        }
    }

    /// Warns where a dated value changes inside a period that reads it at
    /// the period's start (an `each` rule, a limit's cap, a pool): that
    /// period keeps the value it started with.
    pub(crate) fn check_change_dates(&mut self, policy: &PolicyFile) {
        let readers = period_readers(policy);
        if readers.is_empty() {
            return;
        }
        let lets: BTreeMap<&str, &LetDecl> =
            policy.lets().map(|l| (l.name.node.as_str(), l)).collect();
        let tz = self.policy_zone();
        let mut warned: BTreeSet<(Span, Period)> = BTreeSet::new();
        for (names, period, reader) in readers {
            for dated in dated_values_behind(&names, &lets) {
                let Some(LetValue::Dated(lines)) = lets.get(dated.as_str()).map(|l| &l.value)
                else {
                    continue;
                };
                for (index, line) in lines.iter().enumerate() {
                    let at = moment_instant(line.from.node, tz);
                    if starts_period(at, period, tz) || !warned.insert((line.from.span, period)) {
                        continue;
                    }
                    let before = match index.checked_sub(1).and_then(|i| lines.get(i)) {
                        Some(previous) => self.text(previous.value.span),
                        None => "no value (it is not in force yet)".to_string(),
                    };
                    let error = self
                        .error(
                            CheckErrorKind::ChangeInsidePeriod {
                                name: dated.clone(),
                                date: moment_text(line.from.node),
                                period: period.keyword().to_string(),
                                before,
                                reader: reader.clone(),
                            },
                            line.from.span,
                        )
                        .with_label(format!("inside a {period}"));
                    self.push(error);
                }
            }
        }
    }
}

/// Whether `at` is the first instant of its period.
fn starts_period(at: DateTime<Utc>, period: Period, tz: Tz) -> bool {
    PeriodKey::of(at, period, tz).start(tz) == at
}

/// What reads values at the start of a period: the names each reads, the
/// period, and how to name the reader in a message.
fn period_readers(policy: &PolicyFile) -> Vec<(Vec<String>, Period, String)> {
    let mut out = Vec::new();
    for item in &policy.items {
        match item {
            Item::Rule(rule) => {
                let Trigger::Each { period, .. } = &rule.trigger else {
                    continue;
                };
                let mut names = Vec::new();
                if let Some(condition) = &rule.condition {
                    names_outside_aggregates(condition, &mut names);
                }
                if let crate::syntax::ast::Action::Grant { amount, .. } = &rule.action {
                    names_outside_aggregates(amount, &mut names);
                }
                out.push((names, period.node, format!("rule `{}`", rule.name.node)));
            }
            Item::Limit(limit) => {
                let mut names = Vec::new();
                names_outside_aggregates(&limit.cap, &mut names);
                out.push((
                    names,
                    limit.period.node,
                    format!("the limit on `{}`", limit.account.node),
                ));
            }
            Item::Pool(pool) => {
                let mut names = Vec::new();
                names_outside_aggregates(&pool.amount, &mut names);
                names_outside_aggregates(&pool.split_by, &mut names);
                out.push((
                    names,
                    pool.period.node,
                    format!("pool `{}`", pool.name.node),
                ));
            }
            _ => {}
        }
    }
    out
}

/// The names `expr` reads at its own instant: inside an aggregate's
/// `where` and measure each record reads at its own `at`, so those are
/// left out (the `else` fallback is read at the period's start).
fn names_outside_aggregates(expr: &Expr, out: &mut Vec<String>) {
    expr.walk_pruned(&mut |e| match &e.node {
        ExprKind::Name(name) => {
            out.push(name.clone());
            false
        }
        ExprKind::Aggregate(Aggregate { fallback, .. }) => {
            if let Some(fallback) = fallback {
                names_outside_aggregates(fallback, out);
            }
            false
        }
        _ => true,
    });
}

/// The dated values `names` read, directly or through other constants.
fn dated_values_behind(names: &[String], lets: &BTreeMap<&str, &LetDecl>) -> Vec<String> {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut dated = Vec::new();
    let mut todo: Vec<String> = names.to_vec();
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Some(decl) = lets.get(name.as_str()) else {
            continue;
        };
        if matches!(decl.value, LetValue::Dated(_)) {
            dated.push(name.clone());
        }
        for expr in decl.exprs() {
            expr.walk(&mut |e| {
                if let ExprKind::Name(n) = &e.node {
                    todo.push(n.clone());
                }
            });
        }
    }
    dated.sort();
    dated
}
