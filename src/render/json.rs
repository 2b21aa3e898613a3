//! The full ledger as JSON: every grant with its provenance, and totals.

use serde::Serialize;

use crate::ledger::{Grant, Ledger, Target};
use crate::render::amount::{amount_and_unit, is_zero};

#[derive(Serialize)]
struct JsonLedger<'a> {
    totals: Vec<JsonTotal<'a>>,
    grants: &'a [Grant],
}

#[derive(Serialize)]
struct JsonTotal<'a> {
    who: &'a str,
    reward: &'a str,
    kind: &'static str,
    amount: String,
    unit: String,
}

/// Pretty-printed JSON with totals (as in the CSV) first, then every grant.
pub fn render_json(ledger: &Ledger) -> String {
    let mut totals = Vec::new();
    for (who, targets) in &ledger.totals {
        for (target, total) in targets {
            if is_zero(total) {
                continue;
            }
            let (amount, unit) = amount_and_unit(target, total);
            totals.push(JsonTotal {
                who,
                reward: target.name(),
                kind: match target {
                    Target::Account(_) => "account",
                    Target::Badge(_) => "badge",
                },
                amount,
                unit,
            });
        }
    }
    totals.sort_by(|a, b| (a.who, a.reward).cmp(&(b.who, b.reward)));
    let document = JsonLedger {
        totals,
        grants: &ledger.grants,
    };
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}
