//! The contract's CSV: `who,reward,amount,unit`, one row per person and
//! account or badge with a non-zero total, sorted by `who` then `reward`.

use std::collections::BTreeMap;

use crate::ledger::Totals;
use crate::render::amount::{amount_and_unit, is_zero};

/// Writes totals as the contract's CSV, byte for byte.
///
/// Names are identifiers and amounts plain decimals, so nothing needs
/// quoting. Rows sort by `who`, then by the account's or badge's name (byte
/// order, badges and accounts together).
pub fn render_csv(totals: &Totals) -> String {
    let mut out = String::from("who,reward,amount,unit\n");
    for (who, targets) in totals {
        // Re-key by name so badges and accounts sort together.
        let by_name: BTreeMap<&str, _> = targets.iter().map(|(t, v)| (t.name(), (t, v))).collect();
        for (name, (target, total)) in by_name {
            if is_zero(total) {
                continue;
            }
            let (amount, unit) = amount_and_unit(target, total);
            out.push_str(&format!("{who},{name},{amount},{unit}\n"));
        }
    }
    out
}

/// One CSV field as RFC 4180 writes it: quoted, with quotes doubled, when it
/// holds a comma, a quote or a line break; as it is otherwise.
pub fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
