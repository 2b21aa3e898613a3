//! The pages, from templates compiled into the binary by askama, which
//! escapes every value for HTML (the only unescaped values are the charts,
//! whose texts `svg.rs` escapes, a statement's table of grants, whose texts
//! `rows.rs` escapes exactly as askama does, and the style sheet, which
//! is ours). A
//! template that names a field the page does not have fails the build,
//! not a report.

use askama::Template;

use super::overview::Overview;
use super::statement::Statement;

const STYLE: &str = include_str!("templates/style.css");

#[derive(Template)]
#[template(path = "statement.html")]
struct StatementPage<'a> {
    s: &'a Statement,
    style: &'static str,
}

#[derive(Template)]
#[template(path = "index.html")]
struct IndexPage<'a> {
    o: &'a Overview,
    style: &'static str,
}

/// One person's statement.
pub fn statement(statement: &Statement) -> Result<String, askama::Error> {
    // Sized for the grants' rows, written already, and a contribution that
    // earned nothing at about 200 bytes each: a long page is not copied as
    // it doubles.
    let nothing: usize = statement.nothing.iter().map(|n| n.what.len()).sum();
    let mut page =
        String::with_capacity(STYLE.len() + 8192 + statement.grants.len() + nothing * 200);
    StatementPage {
        s: statement,
        style: STYLE,
    }
    .render_into(&mut page)?;
    Ok(page)
}

/// The organisation's report.
pub fn index(overview: &Overview) -> Result<String, askama::Error> {
    IndexPage {
        o: overview,
        style: STYLE,
    }
    .render()
}
