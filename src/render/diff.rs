//! `meed diff` reports: table (terminal), markdown (pull requests), csv
//! (spreadsheets) and json (tools).

use std::fmt::Write as _;

use crate::diff::{Change, DeclarationChange, DiffRow, Direction, PolicyDiff};
use crate::ledger::Target;
use crate::render::amount::{amount_and_unit, human};
use crate::text::{Markdown, csv_row, escape_visible, markdown};
use crate::value::Value;

/// How many of the biggest gains and losses to show per account.
const MOVERS_PER_ACCOUNT: usize = 5;

/// Labels for the two policies and the log, for headings.
pub struct DiffTitles<'a> {
    pub old: &'a str,
    pub new: &'a str,
    pub log: &'a str,
    pub records: usize,
}

/// Plain text for a terminal.
pub fn render_diff_table(diff: &PolicyDiff, titles: &DiffTitles<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} → {}, on {} ({} records)\n",
        escape_visible(titles.old),
        escape_visible(titles.new),
        escape_visible(titles.log),
        titles.records
    );
    write_declarations_text(&mut out, &diff.declarations);
    let _ = writeln!(out, "per account:");
    let rows: Vec<[String; 5]> = diff
        .accounts
        .iter()
        .map(|a| {
            [
                target_label(&a.target),
                amount(&a.target, &a.before),
                amount(&a.target, &a.after),
                signed(&a.target, &a.delta),
                a.percent.map_or(String::new(), |p| {
                    format!(
                        "{}{p}%",
                        if p.is_sign_positive() && !p.is_zero() {
                            "+"
                        } else {
                            ""
                        }
                    )
                }),
            ]
        })
        .collect();
    write_aligned(
        &mut out,
        &["account", "before", "after", "change", ""],
        &rows,
    );
    let p = &diff.people;
    let _ = writeln!(
        out,
        "\npeople: {} gain, {} lose, {} gain in one account and lose in another, {} unchanged",
        p.gain, p.lose, p.mixed, p.unchanged
    );
    let movers = diff.biggest_movers(MOVERS_PER_ACCOUNT);
    if !movers.is_empty() {
        let _ = writeln!(out, "\nbiggest movers:");
        let rows: Vec<[String; 5]> = movers.iter().map(|r| person_row(r)).collect();
        write_aligned(
            &mut out,
            &["who", "account", "before", "after", "change"],
            &rows,
        );
    }
    out
}

/// Markdown ready to paste into a pull-request comment.
///
/// Every text that is not meed's own (names and ids from the log, file
/// names, policy text) goes through [`markdown`]: it cannot break a table,
/// render a link or HTML, or mention anyone.
pub fn render_diff_markdown(diff: &PolicyDiff, titles: &DiffTitles<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### meed diff: {} → {}\n",
        code(titles.old, Markdown::Inline),
        code(titles.new, Markdown::Inline)
    );
    let _ = writeln!(
        out,
        "Evaluated on {} ({} records).\n",
        code(titles.log, Markdown::Inline),
        titles.records
    );
    if diff.declarations.is_empty() {
        let _ = writeln!(out, "No declarations changed.\n");
    } else {
        let _ = writeln!(out, "**Declarations changed**\n");
        for change in &diff.declarations {
            let _ = writeln!(
                out,
                "- {}: {}{}{}",
                declaration_label(change, Markdown::Inline),
                change_word(change.change),
                kind_note(change),
                one_line_texts(change, Markdown::Inline)
            );
            let lines = changed_lines(change);
            if !lines.is_empty() {
                let _ = writeln!(out, "\n  ```diff");
                for line in &lines {
                    let _ = writeln!(out, "  {line}");
                }
                let _ = writeln!(out, "  ```");
            }
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "| account | before | after | change | |\n|---|---:|---:|---:|---:|"
    );
    for a in &diff.accounts {
        let percent = a.percent.map_or(String::new(), |p| {
            format!(
                "{}{p}%",
                if p.is_sign_positive() && !p.is_zero() {
                    "+"
                } else {
                    ""
                }
            )
        });
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {percent} |",
            markdown(&target_label(&a.target), Markdown::TableCell),
            amount(&a.target, &a.before),
            amount(&a.target, &a.after),
            signed(&a.target, &a.delta)
        );
    }
    let p = &diff.people;
    let _ = writeln!(
        out,
        "\n**People:** {} gain, {} lose, {} mixed, {} unchanged.\n",
        p.gain, p.lose, p.mixed, p.unchanged
    );
    let movers = diff.biggest_movers(MOVERS_PER_ACCOUNT);
    if !movers.is_empty() {
        let _ = writeln!(out, "<details><summary>Biggest movers</summary>\n");
        write_person_table(&mut out, &movers);
        let _ = writeln!(out, "\n</details>\n");
    }
    let changed: Vec<&DiffRow> = diff
        .rows
        .iter()
        .filter(|r| r.direction() != Direction::Unchanged)
        .collect();
    if !changed.is_empty() {
        let _ = writeln!(
            out,
            "<details><summary>Every change ({} rows)</summary>\n",
            changed.len()
        );
        write_person_table(&mut out, &changed);
        let _ = writeln!(out, "\n</details>");
    }
    out
}

/// `who,reward,before,after,delta,unit`: every row, unchanged ones too.
pub fn render_diff_csv(diff: &PolicyDiff) -> String {
    let mut out = String::from("who,reward,before,after,delta,unit\n");
    for row in &diff.rows {
        let (before, unit) = amount_and_unit(&row.target, &row.before);
        let (after, _) = amount_and_unit(&row.target, &row.after);
        let (delta, _) = amount_and_unit(&row.target, &row.delta);
        out.push_str(&csv_row(&[
            &row.who,
            row.target.name(),
            &before,
            &after,
            &delta,
            &unit,
        ]));
    }
    out
}

/// The name and version of the JSON diff's layout (`docs/json.md`).
pub const DIFF_SCHEMA: &str = "meed.diff/1";

/// The whole comparison as JSON.
pub fn render_diff_json(diff: &PolicyDiff) -> String {
    #[derive(serde::Serialize)]
    struct Versioned<'d> {
        schema: &'static str,
        #[serde(flatten)]
        diff: &'d PolicyDiff,
    }
    let document = Versioned {
        schema: DIFF_SCHEMA,
        diff,
    };
    let mut out = serde_json::to_string_pretty(&document).unwrap_or_default();
    out.push('\n');
    out
}

fn write_declarations_text(out: &mut String, changes: &[DeclarationChange]) {
    if changes.is_empty() {
        let _ = writeln!(out, "no declarations changed\n");
        return;
    }
    let _ = writeln!(out, "declarations changed:");
    for change in changes {
        let _ = writeln!(
            out,
            "  {}: {}{}{}",
            declaration_label(change, Markdown::Inline),
            change_word(change.change),
            kind_note(change),
            one_line_texts(change, Markdown::Inline)
        );
        for line in changed_lines(change) {
            let _ = writeln!(out, "      {}", escape_visible(&line));
        }
    }
    out.push('\n');
}

/// For a declaration of several lines that changed, the lines that differ
/// (`- ` as it was, `+ ` as it is), as constants show old → new on one
/// line; nothing for other changes.
fn changed_lines(change: &DeclarationChange) -> Vec<String> {
    let (Some(old), Some(new), Change::Changed) =
        (&change.old_text, &change.new_text, change.change)
    else {
        return Vec::new();
    };
    if !change.dated_lines.is_empty() {
        return change.dated_lines.clone();
    }
    if !old.trim().contains('\n') && !new.trim().contains('\n') {
        return Vec::new();
    }
    let diff = similar::TextDiff::from_lines(old.as_str(), new.as_str());
    diff.iter_all_changes()
        .filter_map(|c| {
            let sign = match c.tag() {
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
                similar::ChangeTag::Equal => return None,
            };
            Some(format!("{sign} {}", c.value().trim_end()))
        })
        .collect()
}

fn write_person_table(out: &mut String, rows: &[&DiffRow]) {
    let _ = writeln!(
        out,
        "| who | account | before | after | change |\n|---|---|---:|---:|---:|"
    );
    for row in rows {
        let [_, account, before, after, change] = person_row(row);
        let _ = writeln!(
            out,
            "| {} | {} | {before} | {after} | {change} |",
            markdown(&row.who, Markdown::TableCell),
            markdown(&account, Markdown::TableCell)
        );
    }
}

fn person_row(row: &DiffRow) -> [String; 5] {
    [
        escape_visible(&row.who).into_owned(),
        target_label(&row.target),
        amount(&row.target, &row.before),
        amount(&row.target, &row.after),
        signed(&row.target, &row.delta),
    ]
}

fn write_aligned<const N: usize>(out: &mut String, header: &[&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut line = |cells: Vec<&str>| {
        let mut text = String::from("  ");
        for (i, (cell, width)) in cells.iter().zip(widths).enumerate() {
            if i == 0 || i == 1 && N == 5 && header.first() == Some(&"who") {
                let _ = write!(text, "{cell:<width$}  ");
            } else {
                let _ = write!(text, "{cell:>width$}  ");
            }
        }
        let _ = writeln!(out, "{}", text.trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}

/// `rule `review_bonus``, or just `policy header` for unnamed declarations.
fn declaration_label(change: &DeclarationChange, place: Markdown) -> String {
    if change.name.is_empty() {
        change.what.to_string()
    } else {
        format!("{} {}", change.what, code(&change.name, place))
    }
}

/// Text in a code span, always (as [`markdown`], which leaves plain words
/// bare); in the terminal report too, where it is only quoting.
fn code(text: &str, place: Markdown) -> String {
    let quoted = markdown(text, place);
    if quoted.starts_with('`') {
        quoted
    } else {
        format!("`{quoted}`")
    }
}

/// ``, `let x = 3 pts` → `let x = 4 pts``, when both sides fit on one line.
fn one_line_texts(change: &DeclarationChange, place: Markdown) -> String {
    fn one_line(text: &Option<String>) -> Option<&str> {
        text.as_deref()
            .map(str::trim)
            .filter(|t| !t.contains('\n') && t.len() <= 100)
    }
    match (
        one_line(&change.old_text),
        one_line(&change.new_text),
        change.change,
    ) {
        (Some(old), Some(new), Change::Changed) => {
            format!(", {} → {}", code(old, place), code(new, place))
        }
        (Some(old), None, Change::Removed) => format!(", was {}", code(old, place)),
        (None, Some(new), Change::Added) => format!(", {}", code(new, place)),
        _ => String::new(),
    }
}

fn change_word(change: Change) -> &'static str {
    match change {
        Change::Added => "added",
        Change::Removed => "removed",
        Change::Changed => "changed",
    }
}

/// For a kind only one side declares, what its records earn on the other.
fn kind_note(change: &DeclarationChange) -> &'static str {
    match (change.what, change.change) {
        ("contribution kind", Change::Added) => " (under the old policy its records earn nothing)",
        ("contribution kind", Change::Removed) => {
            " (under the new policy its records earn nothing)"
        }
        _ => "",
    }
}

fn target_label(target: &Target) -> String {
    match target {
        Target::Account(name) => name.to_string(),
        Target::Badge(name) => format!("badge {name}"),
    }
}

fn amount(target: &Target, value: &Value) -> String {
    match target {
        Target::Badge(_) => value.to_string(),
        Target::Account(_) => human(value),
    }
}

/// A change with its sign: `+12.50 EUR`, `-3 pts`, `0 pts`.
fn signed(target: &Target, delta: &Value) -> String {
    let text = amount(target, delta);
    let positive = crate::semantics::arith::sign(delta) == Some(std::cmp::Ordering::Greater);
    if positive { format!("+{text}") } else { text }
}
