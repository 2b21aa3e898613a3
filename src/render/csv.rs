//! The contract's CSV: `who,reward,amount,unit`, one row per person and
//! account or badge with a non-zero total, sorted by `who` then `reward`.

use std::collections::BTreeMap;

use crate::ledger::Totals;
use crate::render::amount::{amount_and_unit, is_zero};
use crate::text::csv_row;

/// Writes totals as the contract's CSV, byte for byte.
///
/// A field holding `,`, `"`, CR or LF (in practice a `who` such as
/// `smith, john`) is quoted as RFC 4180 says; names are otherwise written
/// exactly as in the log. Rows sort by `who`, then by the account's or
/// badge's name (byte order, badges and accounts together).
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
            out.push_str(&csv_row(&[who, name, &amount, &unit]));
        }
    }
    out
}
