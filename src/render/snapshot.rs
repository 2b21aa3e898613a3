//! The approved-ledger snapshot: stable, line-oriented text that diffs well
//! in review. Totals first, then every grant with its provenance, one line
//! each (limit cuts on indented lines below their grant).
//!
//! ```text
//! # meed ledger snapshot 2, times in Europe/Paris
//! ## totals
//! alice bonus 1800.00 EUR
//! ## grants
//! 2027-01-05 11:00:00 +01:00 alice reputation 15 pts by rule answers from a1
//! 2027-01-05 12:00:00 +01:00 bob reputation 0 pts (computed 10 pts) by rule upvoted from v21
//!   cut by limit `reputation from upvoted at most 200 pts per person per day` in 2027-01-05: 200 pts already granted
//! ```
//!
//! Times are the policy's local time to the second, with the offset (so
//! the hour a clock change repeats is still told apart): people review
//! this file. The JSON ledger keeps exact instants for programs.
//!
//! Version 1 wrote times in UTC with nanoseconds; [`SNAPSHOT_HEADER`] names
//! the version, so that an approved file of version 1 is recognised and
//! the user told why it no longer matches.
//!
//! Text that is not meed's own (names, contribution ids, a limit as written)
//! cannot forge a line: a backslash is written `\\`, a line break `\n`,
//! `\r`, a tab `\t`, any other control character (and the Unicode line
//! separators and bidirectional controls) `\u{hex}`. Other text is written
//! as it is.

use std::fmt::Write as _;

use crate::ledger::{Grant, Ledger, Origin, Target};
use crate::render::amount::{amount_and_unit, is_zero};
use crate::text::escape_exact;
use crate::value::Value;

/// The first words of a snapshot of this version.
pub const SNAPSHOT_HEADER: &str = "# meed ledger snapshot 2";

/// Whether `approved` was written by a meed whose snapshots had another
/// layout (version 1: times in UTC).
pub fn is_older_layout(approved: &str) -> bool {
    approved.starts_with("# meed ledger snapshot\n")
}

/// Renders a ledger as snapshot text, times in `tz` (the policy's zone).
/// The same ledger always gives the same bytes.
pub fn render_snapshot(ledger: &Ledger, tz: chrono_tz::Tz) -> String {
    let mut out = format!("{SNAPSHOT_HEADER}, times in {}\n## totals\n", tz.name());
    for (who, targets) in &ledger.totals {
        for (target, total) in targets {
            if is_zero(total) {
                continue;
            }
            let (amount, unit) = amount_and_unit(target, total);
            let _ = writeln!(
                out,
                "{} {} {amount} {unit}",
                escape_exact(who),
                target_label(target)
            );
        }
    }
    out.push_str("## grants\n");
    for grant in &ledger.grants {
        write_grant(&mut out, grant, tz);
    }
    out
}

fn write_grant(out: &mut String, grant: &Grant, tz: chrono_tz::Tz) {
    let at = grant.at.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S %:z");
    let granted = amount(&grant.target, &grant.granted);
    let computed = if grant.amount == grant.granted {
        String::new()
    } else {
        format!(" (computed {})", amount(&grant.target, &grant.amount))
    };
    let origin = match &grant.origin {
        Origin::Rule { name, .. } => format!("rule {}", escape_exact(name)),
        Origin::Pool(share) => format!(
            "pool {} {} (score {} of {}{})",
            escape_exact(&share.pool),
            escape_exact(&share.period),
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
        let ids: Vec<_> = grant
            .contributions
            .iter()
            .map(|c| escape_exact(c.as_ref()))
            .collect();
        format!(" from {}", ids.join(","))
    };
    let _ = writeln!(
        out,
        "{at} {} {} {granted}{computed} by {origin}{from}",
        escape_exact(&grant.who),
        target_label(&grant.target)
    );
    for cut in &grant.cuts {
        let _ = writeln!(
            out,
            "  cut by limit `{}` in {}: {} already granted, {} → {}",
            escape_exact(&cut.limit),
            escape_exact(&cut.period),
            cut.already_granted,
            cut.before,
            cut.after
        );
    }
}

fn target_label(target: &Target) -> String {
    match target {
        Target::Account(name) => name.to_string(),
        Target::Badge(name) => format!("badge:{name}"),
    }
}

fn amount(target: &Target, value: &Value) -> String {
    let (amount, unit) = amount_and_unit(target, value);
    format!("{amount} {unit}")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::TimeZone as _;

    use super::*;

    fn grant(who: &str, id: &str) -> Grant {
        Grant {
            who: Arc::from(who),
            target: Target::Account("reputation".into()),
            at: chrono::Utc
                .with_ymd_and_hms(2027, 1, 5, 10, 0, 0)
                .single()
                .unwrap_or_default(),
            origin: Origin::Rule {
                name: "answers".into(),
                position: 0,
            },
            contributions: vec![Arc::from(id)],
            amount: Value::Points(15.into()),
            granted: Value::Points(15.into()),
            cuts: Vec::new(),
            calculation: None,
        }
    }

    /// Regression (issue 17): a line break in a name or id forged lines.
    #[test]
    fn names_and_ids_cannot_forge_lines() {
        let mut ledger = Ledger::default();
        for grant in [
            grant(
                "mallory\n2027-01-05T10:00:00Z eve reputation 1000 pts by rule answers from a9",
                "a1",
            ),
            grant("ada", "a2\r\n## totals\u{1b}[2K"),
            grant("CORP\\bob", "a3"),
        ] {
            let _ = crate::eval::add_to_totals(&mut ledger.totals, &grant);
            ledger.grants.push(grant);
        }
        let text = render_snapshot(&ledger, chrono_tz::Tz::UTC);
        assert_eq!(
            text,
            "# meed ledger snapshot 2, times in UTC\n## totals\n\
             CORP\\\\bob reputation 15 pts\n\
             ada reputation 15 pts\n\
             mallory\\n2027-01-05T10:00:00Z eve reputation 1000 pts by rule answers from a9 reputation 15 pts\n\
             ## grants\n\
             2027-01-05 10:00:00 +00:00 mallory\\n2027-01-05T10:00:00Z eve reputation 1000 pts by rule answers from a9 reputation 15 pts by rule answers from a1\n\
             2027-01-05 10:00:00 +00:00 ada reputation 15 pts by rule answers from a2\\r\\n## totals\\u{1b}[2K\n\
             2027-01-05 10:00:00 +00:00 CORP\\\\bob reputation 15 pts by rule answers from a3\n"
        );
        // One line per total and grant, plus the three headings.
        assert_eq!(text.lines().count(), 3 + 3 + 3);
    }
}
