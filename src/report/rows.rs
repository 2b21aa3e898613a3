//! The bulk of a statement, its table of grants, written as HTML as each
//! grant is worded: a `<tbody>` per month of the grants' stamps, a row per
//! grant. A person with a thousand grants would otherwise hold a thousand
//! row models, each a handful of strings, only for the template to copy
//! them out again.
//!
//! Every text is escaped as the templates escape the rest of the page
//! (`text::write_html_escaped`, checked against askama's `Html` escaper),
//! after its hidden characters are made visible.

use std::fmt::Write;

use chrono_tz::Tz;

use crate::ledger::Grant;
use crate::render::explain::{ById, Dated, ExplainContext, grant_words};
use crate::render::time::Local;
use crate::semantics::period::PeriodOf;
use crate::syntax::ast::Period;
use crate::text::{escape_visible, write_html_escaped};

/// About what a grant's row takes: the page is sized once, not copied as
/// it grows.
const ROW_BYTES: usize = 200;

/// The table's bodies for `grants` (in ledger order); empty when there are
/// none.
pub fn grant_rows(
    grants: &[Grant],
    by_id: &ById<'_>,
    context: &ExplainContext<'_>,
    tz: Tz,
) -> String {
    let mut html = String::with_capacity(grants.len() * ROW_BYTES);
    let mut months = PeriodOf::new(Period::Month, tz);
    let mut month = None;
    for grant in grants {
        let this = months.of(grant.at);
        if month != Some(this) {
            if month.is_some() {
                html.push_str("</tbody>");
            }
            html.push_str("\n<tbody><tr><th colspan=\"3\">");
            write_html_escaped(&mut html, &this.label());
            html.push_str("</th></tr>");
            month = Some(this);
        }
        grant_row(&mut html, grant, by_id, context, tz);
    }
    if month.is_some() {
        html.push_str("</tbody>");
    }
    html
}

/// One grant: its local day and time, what it was for, and the `→` lines
/// of `explain` (without the arrow), a line each. The date is in the time
/// column, so the contribution is named without it (`review r-1 (…)`).
fn grant_row(
    html: &mut String,
    grant: &Grant,
    by_id: &ById<'_>,
    context: &ExplainContext<'_>,
    tz: Tz,
) {
    let words = grant_words(grant, by_id, context, tz, Dated::No);
    // A day and time is digits, `-`, `:` and a space: nothing to escape.
    let _ = write!(html, "\n<tr><td>{}<td>", Local::of(grant.at, tz).day_time());
    shown(html, &words.what);
    html.push_str("<td>");
    // A step of several lines (a dated value's note) is a line each; an
    // empty step is an empty line.
    let lines = words
        .steps
        .iter()
        .flat_map(|step| step.lines().chain(step.is_empty().then_some("")));
    for (i, line) in lines.enumerate() {
        if i > 0 {
            html.push_str("<br>");
        }
        shown(html, line.trim());
    }
}

/// `text` with its hidden characters made visible, escaped.
fn shown(html: &mut String, text: &str) {
    write_html_escaped(html, &escape_visible(text));
}
