//! The two evaluators side by side: the reference (in-memory
//! [`meed::eval::evaluate`], to become the reference interpreter) and the
//! engine (today [`StreamEvaluator`]), and what each makes of one compiled
//! policy and one log.

use std::path::Path;

use chrono_tz::Tz;
use meed::eval::stream::file::stream_file_by;
use meed::eval::stream::{Keep, StreamEvaluator, as_stream_records};
use meed::eval::{EvalError, EvalOptions, GrantSink, PeriodTotalsSink, evaluate};
use meed::input::{Log, Roster};
use meed::ledger::{Grant, Ledger, Totals, TotalsByPeriod};
use meed::pipeline::CompiledPolicy;
use meed::render::by_period::render_csv_by_period;
use meed::render::csv::render_csv;
use meed::syntax::ast::Period;

/// What an evaluator made of a policy and a log.
#[derive(Debug)]
pub enum Outcome {
    /// The evaluator does not take the policy at all
    /// (`StreamEvaluator::new` returned `None`).
    Refused,
    /// Evaluation failed; `kind` is the [`meed::eval::EvalErrorKind`]
    /// variant's name.
    Failed {
        kind: String,
        message: String,
    },
    Done(Output),
}

/// The results that are compared.
#[derive(Debug)]
pub struct Output {
    pub totals: Totals,
    pub by_period: TotalsByPeriod,
    /// The warnings, as debug text.
    pub warnings: String,
    /// Every grant in ledger order.
    pub grants: Option<Vec<Grant>>,
}

fn failed(e: &EvalError) -> Outcome {
    let kind = format!("{:?}", e.kind);
    let kind = kind
        .split(|c: char| !c.is_alphanumeric())
        .next()
        .unwrap_or_default()
        .to_string();
    Outcome::Failed {
        kind,
        message: e.to_string(),
    }
}

/// Every grant into a ledger, and the totals per period of one kind.
struct Tee {
    ledger: Ledger,
    periods: PeriodTotalsSink,
}

impl GrantSink for Tee {
    fn accept(&mut self, grant: Grant) -> Result<(), EvalError> {
        self.periods.accept(grant.clone())?;
        self.ledger.accept(grant)
    }

    fn restart(&mut self) {
        self.periods.restart();
        self.ledger.restart();
    }
}

/// The reference: the in-memory evaluator, into a ledger (every grant) and
/// a [`PeriodTotalsSink`] (the totals per `by` period, as `eval --by`).
pub fn reference(
    compiled: &CompiledPolicy,
    log: &Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
    by: Period,
    tz: Tz,
) -> Outcome {
    let mut tee = Tee {
        ledger: Ledger::default(),
        periods: PeriodTotalsSink::new(by, tz),
    };
    match evaluate(
        &compiled.ast,
        &compiled.schema,
        log,
        roster,
        options,
        &mut tee,
    ) {
        Ok(report) => Outcome::Done(Output {
            totals: tee.ledger.totals.clone(),
            by_period: tee.periods.by_period(),
            warnings: format!("{:?}", report.warnings),
            grants: Some(tee.ledger.grants),
        }),
        Err(e) => failed(&e),
    }
}

/// The engine over a log the careful reader read (hence in `(at, id)`
/// order): the whole-log totals in one run, the totals per `by` period in a
/// second (asking for them leaves the totals empty).
///
/// The first run keeps every grant whole ([`Keep::Everyone`]), so the
/// comparison checks every grant too.
pub fn engine(
    compiled: &CompiledPolicy,
    log: &Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
    by: Period,
) -> Outcome {
    let run = |by: Option<Period>, grants: &mut Vec<Grant>| {
        let mut evaluator = StreamEvaluator::new(&compiled.ast, &compiled.schema, roster, options)?;
        match by {
            Some(period) => evaluator.total_by(period),
            None => evaluator.keep_grants(Keep::Everyone),
        }
        let pushed = as_stream_records(&log.contributions, &mut |record| {
            evaluator.push(record)?;
            evaluator.drain_grants(|grant| {
                grants.push(grant);
                Ok(())
            })?;
            Ok(())
        });
        let closed = pushed.and_then(|()| {
            evaluator.close()?;
            evaluator.drain_grants(|grant| {
                grants.push(grant);
                Ok(())
            })?;
            Ok(())
        });
        Some(closed.and_then(|()| evaluator.finish()))
    };
    let mut grants = Vec::new();
    let whole = match run(None, &mut grants) {
        None => return Outcome::Refused,
        Some(Err(e)) => return failed(&e),
        Some(Ok(streamed)) => streamed,
    };
    let per_period = match run(Some(by), &mut Vec::new()) {
        None => return Outcome::Refused,
        Some(Err(e)) => return failed(&e),
        Some(Ok(streamed)) => streamed,
    };
    Outcome::Done(Output {
        totals: whole.totals,
        by_period: per_period.by_period.unwrap_or_default(),
        warnings: format!("{:?}", whole.report.warnings),
        grants: Some(grants),
    })
}

/// The engine over the log file itself, through the fast reader (as `meed
/// eval --format csv` runs it): the totals, or why it stepped aside.
pub fn engine_file(
    compiled: &CompiledPolicy,
    path: &Path,
    roster: Option<&Roster>,
    options: &EvalOptions,
    by: Option<Period>,
) -> Result<(Totals, Option<TotalsByPeriod>), String> {
    let mut progress = |_: u64, _: u64| {};
    stream_file_by(
        &compiled.ast,
        &compiled.schema,
        path,
        roster,
        options,
        by,
        &mut progress,
    )
    .map(|s| (s.totals, s.by_period))
    .map_err(|f| f.0)
}

/// A divergence already reported (see the regression tests at the end of
/// `tests/differential.rs`), by a short name; `None` for anything else.
/// The property counts these instead of failing on them, so that it keeps
/// looking for new ones, unless `MEED_DIFF_STRICT` is set.
pub fn known_divergence(reference: &Outcome, engine: &Outcome) -> Option<&'static str> {
    match (reference, engine) {
        (Outcome::Done(_), Outcome::Failed { message, .. })
            if message.contains("cannot be put in words from the engine's run") =>
        {
            Some(
                "the engine does not word a calculation whose aggregate reads a dated value in its `where` or measure (the exact evaluator words it)",
            )
        }
        (Outcome::Done(_), Outcome::Failed { message, .. })
            if message.contains("needs more digits than streaming keeps") =>
        {
            Some(
                "engine fails where the reference does not: a value needs more digits than streaming keeps",
            )
        }
        (Outcome::Failed { .. }, Outcome::Failed { message, .. })
            if message.contains("needs more digits than streaming keeps") =>
        {
            Some(
                "both fail, the engine with an internal error: a value needs more digits than streaming keeps",
            )
        }
        _ => None,
    }
}

/// Where two outcomes differ, in words; `None` when they agree.
pub fn differences(reference: &Outcome, engine: &Outcome) -> Option<String> {
    match (reference, engine) {
        (_, Outcome::Refused) => Some("the engine refused the policy".into()),
        (Outcome::Refused, _) => Some("the reference refused the policy".into()),
        // Both fail. Which error comes first may differ: the reference runs
        // every `on` rule before any `each` rule, the engine goes through
        // time; a log with two errors can stop each at another one. Users
        // see the reference's (meed falls back to it on any error).
        (Outcome::Failed { .. }, Outcome::Failed { .. }) => None,
        (Outcome::Failed { message, .. }, Outcome::Done(out)) => Some(format!(
            "the reference failed ({message}), the engine gave\n{}",
            render_csv(&out.totals)
        )),
        (Outcome::Done(out), Outcome::Failed { message, .. }) => Some(format!(
            "the engine failed ({message}), the reference gave\n{}",
            render_csv(&out.totals)
        )),
        (Outcome::Done(r), Outcome::Done(e)) => compare(r, e),
    }
}

fn sorted(rows: &TotalsByPeriod) -> Vec<&meed::ledger::PeriodTotal> {
    let mut rows: Vec<_> = rows.iter().collect();
    rows.sort_by(|a, b| {
        (a.period, a.who.as_bytes(), &a.target).cmp(&(b.period, b.who.as_bytes(), &b.target))
    });
    rows
}

/// Totals rendered byte for byte and equal as values; the same per period;
/// the same warnings; every grant, when both give them.
fn compare(r: &Output, e: &Output) -> Option<String> {
    let (rt, et) = (render_csv(&r.totals), render_csv(&e.totals));
    if rt != et {
        return Some(format!("totals differ\nreference:\n{rt}engine:\n{et}"));
    }
    if r.totals != e.totals {
        return Some(format!(
            "totals render alike but differ as values\n{:?}\n{:?}",
            r.totals, e.totals
        ));
    }
    let (rp, ep) = (
        render_csv_by_period(&r.by_period),
        render_csv_by_period(&e.by_period),
    );
    if rp != ep {
        return Some(format!(
            "totals per period differ\nreference:\n{rp}engine:\n{ep}"
        ));
    }
    // The rows' order is not part of the result (the renderer sorts them;
    // the in-memory sink gives them by who, the engine by first appearance).
    if sorted(&r.by_period) != sorted(&e.by_period) {
        return Some(format!(
            "totals per period render alike but differ as values\nreference: {:?}\nengine:    {:?}",
            r.by_period, e.by_period
        ));
    }
    if r.warnings != e.warnings {
        return Some(format!(
            "warnings differ\nreference: {}\nengine:    {}",
            r.warnings, e.warnings
        ));
    }
    if let (Some(rg), Some(eg)) = (&r.grants, &e.grants) {
        if rg != eg {
            return Some(format!(
                "grants differ\nreference: {rg:#?}\nengine: {eg:#?}"
            ));
        }
        // Equal values may still print differently (`15.0 pts`, `15 pts`).
        let (rj, ej) = (
            serde_json::to_string_pretty(rg).unwrap_or_default(),
            serde_json::to_string_pretty(eg).unwrap_or_default(),
        );
        if rj != ej {
            return Some(format!(
                "grants print differently\nreference: {rj}\nengine: {ej}"
            ));
        }
    }
    None
}
