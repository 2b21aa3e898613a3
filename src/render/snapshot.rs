//! The approved-ledger snapshot: stable, line-oriented text that diffs well
//! in review. Totals first, then every grant with its provenance, one line
//! each (limit cuts on indented lines below their grant).
//!
//! ```text
//! # meed ledger snapshot
//! ## totals
//! alice bonus 1800.00 EUR
//! ## grants
//! 2027-01-05T10:00:00Z alice reputation 15 pts by rule answers from a1
//! 2027-01-05T11:00:00Z bob reputation 0 pts (computed 10 pts) by rule upvoted from v21
//!   cut by limit `reputation from upvoted at most 200 pts per person per day` in 2027-01-05: 200 pts already granted
//! ```

use std::fmt::Write as _;

use crate::ledger::{Grant, Ledger, Origin, Target};
use crate::render::amount::{amount_and_unit, is_zero};
use crate::value::Value;

/// Renders a ledger as snapshot text. The same ledger always gives the
/// same bytes.
pub fn render_snapshot(ledger: &Ledger) -> String {
    let mut out = String::from("# meed ledger snapshot\n## totals\n");
    for (who, targets) in &ledger.totals {
        for (target, total) in targets {
            if is_zero(total) {
                continue;
            }
            let (amount, unit) = amount_and_unit(target, total);
            let _ = writeln!(out, "{who} {} {amount} {unit}", target_label(target));
        }
    }
    out.push_str("## grants\n");
    for grant in &ledger.grants {
        write_grant(&mut out, grant);
    }
    out
}

fn write_grant(out: &mut String, grant: &Grant) {
    let at = grant
        .at
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    let granted = amount(&grant.target, &grant.granted);
    let computed = if grant.amount == grant.granted {
        String::new()
    } else {
        format!(" (computed {})", amount(&grant.target, &grant.amount))
    };
    let origin = match &grant.origin {
        Origin::Rule { name, .. } => format!("rule {name}"),
        Origin::Pool(share) => format!(
            "pool {} {} (score {} of {}{})",
            share.pool,
            share.period,
            share.score,
            share.total_score,
            if share.leftover_unit {
                ", leftover unit"
            } else {
                ""
            }
        ),
    };
    let from = if grant.contributions.is_empty() {
        String::new()
    } else {
        let ids: Vec<&str> = grant.contributions.iter().map(|c| c.as_ref()).collect();
        format!(" from {}", ids.join(","))
    };
    let _ = writeln!(
        out,
        "{at} {} {} {granted}{computed} by {origin}{from}",
        grant.who,
        target_label(&grant.target)
    );
    for cut in &grant.cuts {
        let _ = writeln!(
            out,
            "  cut by limit `{}` in {}: {} already granted, {} → {}",
            cut.limit, cut.period, cut.already_granted, cut.before, cut.after
        );
    }
}

fn target_label(target: &Target) -> String {
    match target {
        Target::Account(name) => name.clone(),
        Target::Badge(name) => format!("badge:{name}"),
    }
}

fn amount(target: &Target, value: &Value) -> String {
    let (amount, unit) = amount_and_unit(target, value);
    format!("{amount} {unit}")
}
