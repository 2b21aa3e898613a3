//! Writing text that came from a log or roster (names, ids) into outputs
//! safely: a name must never add a CSV column or row, break a markdown table,
//! render a link or mention, or forge a line in a table or snapshot.
//!
//! The readers refuse names with control characters or a leading `=`, `+`,
//! `-`, `@` (LANGUAGE.md §3 "Names"); these functions make every output safe
//! whatever reaches it (`meed test` given blocks, the REPL, a reader bug).

use std::borrow::Cow;
use std::fmt::Write as _;

/// Characters that must not appear raw in line-oriented output: control
/// characters (C0, DEL, C1: line breaks, tabs, terminal escapes), the
/// Unicode line and paragraph separators, and the bidirectional controls
/// that can make text display in another order than it is stored.
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Whether `text` may hold a [hidden](is_hidden) character (or a
/// backslash, when those count), by its bytes alone: in UTF-8 each hidden
/// character is a byte below 0x20, DEL, `C2 80`–`C2 9F` (C1 controls) or
/// begins `E2 80` or `E2 81` (the separators and bidirectional marks, all
/// in U+2000–U+207F). Most text has none of these, and a byte scan is much
/// faster than decoding characters.
fn may_hold_hidden(text: &str, backslash: bool) -> bool {
    let bytes = text.as_bytes();
    // First a scan without an early exit, which the compiler turns into
    // vector instructions: most text has none of these bytes at all.
    let lead = |b: u8| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2 || (backslash && b == b'\\');
    if !bytes
        .chunks(32)
        .any(|chunk| chunk.iter().fold(false, |any, &b| any | lead(b)))
    {
        return false;
    }
    bytes.iter().enumerate().any(|(i, &b)| match b {
        0..0x20 | 0x7f => true,
        b'\\' => backslash,
        0xc2 => bytes.get(i + 1).is_some_and(|n| (0x80..0xa0).contains(n)),
        0xe2 => bytes.get(i + 1).is_some_and(|n| matches!(n, 0x80 | 0x81)),
        _ => false,
    })
}

/// `text` with every [hidden](is_hidden) character written visibly:
/// `\n`, `\r`, `\t`, or `\u{1b}` (hexadecimal code point). Backslashes are
/// kept as they are, so `CORP\ada` reads naturally; use [`escape_exact`]
/// where the text must be recoverable.
pub fn escape_visible(text: &str) -> Cow<'_, str> {
    escape(text, false)
}

/// Like [`escape_visible`], and a backslash is doubled (`\\`), so the
/// original text can be recovered exactly: snapshot files use this.
pub fn escape_exact(text: &str) -> Cow<'_, str> {
    escape(text, true)
}

fn escape(text: &str, backslash: bool) -> Cow<'_, str> {
    if !may_hold_hidden(text, backslash)
        || !text
            .chars()
            .any(|c| is_hidden(c) || (backslash && c == '\\'))
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\\' if backslash => out.push_str("\\\\"),
            c if is_hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// One CSV row (RFC 4180) ending in `\n`: a field holding `,`, `"`, CR or
/// LF is quoted, with its quotes doubled; other fields are written as they
/// are (amounts such as `-0.50` stay plain numbers).
pub fn csv_row(fields: &[&str]) -> String {
    let mut row = String::new();
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            row.push(',');
        }
        push_csv_field(&mut row, field);
    }
    row.push('\n');
    row
}

fn push_csv_field(row: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        row.push('"');
        row.push_str(&field.replace('"', "\"\""));
        row.push('"');
    } else {
        row.push_str(field);
    }
}

/// Where markdown text goes: a table cell needs its `|` escaped even inside
/// a code span (GitHub splits cells before reading inlines).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Markdown {
    TableCell,
    Inline,
}

/// Text from a log or roster as markdown that renders literally.
///
/// Plain words (letters, digits, spaces, `-`, and `_` between letters) are
/// written as they are; anything else goes in a code span, where markdown
/// renders no link, emphasis, HTML or mention. The span's backtick fence is
/// longer than any run of backticks in the text; hidden characters are
/// written visibly (`\n`), and in a table cell `|` is escaped as `\|`.
pub fn markdown(text: &str, place: Markdown) -> String {
    if is_plain_word(text) {
        return text.to_string();
    }
    let mut body = escape_visible(text).into_owned();
    if place == Markdown::TableCell {
        body = body.replace('|', "\\|");
    }
    let longest_run = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest_run + 1);
    // A space on both sides is stripped by the renderer; it keeps a
    // backtick at either end from joining the fence.
    let pad = if body.starts_with(['`', ' ']) || body.ends_with(['`', ' ']) {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

/// Letters, digits, spaces and `-`, with `_` only between two letters or
/// digits (`review_bonus`; `_x_` would be emphasis).
fn is_plain_word(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    !chars.is_empty()
        && chars.iter().enumerate().all(|(i, &c)| match c {
            ' ' | '-' => true,
            '_' => {
                let alnum = |j: Option<usize>| {
                    j.and_then(|j| chars.get(j))
                        .is_some_and(|c| c.is_alphanumeric())
                };
                alnum(i.checked_sub(1)) && alnum(Some(i + 1))
            }
            c => c.is_alphanumeric(),
        })
}

/// `text` escaped for HTML, written at the end of `out`: `"`, `&`, `'`,
/// `<` and `>` as the numeric entities the page templates write (askama's
/// `Html` escaper, which reads a byte at a time). Runs of 32 bytes are
/// first checked without an early exit, which the compiler turns into
/// vector instructions: most of a statement has nothing to escape.
pub fn write_html_escaped(out: &mut String, text: &str) {
    let special = |b: u8| matches!(b, b'"' | b'&' | b'\'' | b'<' | b'>');
    let bytes = text.as_bytes();
    let mut written = 0;
    let mut chunk_start = 0;
    for chunk in bytes.chunks(32) {
        if chunk.iter().fold(false, |any, &b| any | special(b)) {
            for (i, &b) in chunk.iter().enumerate() {
                let entity = match b {
                    b'"' => "&#34;",
                    b'&' => "&#38;",
                    b'\'' => "&#39;",
                    b'<' => "&#60;",
                    b'>' => "&#62;",
                    _ => continue,
                };
                // Both ends are at ASCII bytes (or the text's start):
                // character boundaries.
                let at = chunk_start + i;
                out.push_str(text.get(written..at).unwrap_or_default());
                out.push_str(entity);
                written = at + 1;
            }
        }
        chunk_start += chunk.len();
    }
    out.push_str(text.get(written..).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn html_is_escaped_as_the_templates_escape_it(
            text in "[a-z<>&\"' é€\u{1F600}]{0,80}"
        ) {
            use askama::filters::{Escaper, Html};
            let mut ours = String::new();
            write_html_escaped(&mut ours, &text);
            let mut theirs = String::new();
            let _ = Html.write_escaped_str(&mut theirs, &text);
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn hidden_characters_are_written_visibly() {
        assert_eq!(escape_visible("ada"), "ada");
        assert_eq!(escape_visible("a\nb\r\tc"), "a\\nb\\r\\tc");
        assert_eq!(escape_visible("x\u{1b}[31m"), "x\\u{1b}[31m");
        assert_eq!(
            escape_visible("a\u{2028}b\u{202e}c"),
            "a\\u{2028}b\\u{202e}c"
        );
        assert_eq!(escape_visible("CORP\\ada"), "CORP\\ada");
        assert_eq!(escape_exact("CORP\\ada\n"), "CORP\\\\ada\\n");
        assert!(!escape_exact("a\u{85}b").contains('\u{85}'));
    }

    /// The byte scan never lets a hidden character through: every one of
    /// them, in any text, sends it to the character-by-character check.
    #[test]
    fn the_byte_scan_finds_every_hidden_character() {
        for c in (0..=0x10_ffff)
            .filter_map(char::from_u32)
            .filter(|&c| is_hidden(c))
        {
            let text = format!("a{c}b");
            assert!(may_hold_hidden(&text, false), "{:x}", u32::from(c));
        }
        assert!(may_hold_hidden("a\\b", true));
        assert!(!may_hold_hidden("a\\b × 3 € · → é", false));
    }

    #[test]
    fn csv_fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(
            csv_row(&["ada", "bonus", "-0.50", "EUR"]),
            "ada,bonus,-0.50,EUR\n"
        );
        assert_eq!(csv_row(&["smith, john", "b"]), "\"smith, john\",b\n");
        assert_eq!(csv_row(&["say \"hi\"", "b"]), "\"say \"\"hi\"\"\",b\n");
        assert_eq!(csv_row(&["a\nb", "c\rd"]), "\"a\nb\",\"c\rd\"\n");
        // A standard reader gets the fields back.
        let row = csv_row(&["smith, john", "x \"q\"\ny", "-0.50"]);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(row.as_bytes());
        let record = reader.records().next().unwrap().unwrap();
        assert_eq!(
            record.iter().collect::<Vec<_>>(),
            ["smith, john", "x \"q\"\ny", "-0.50"]
        );
    }

    #[test]
    fn markdown_renders_hostile_names_literally() {
        assert_eq!(markdown("ada", Markdown::TableCell), "ada");
        assert_eq!(markdown("Zoë Ng-Li", Markdown::TableCell), "Zoë Ng-Li");
        assert_eq!(
            markdown("review_bonus", Markdown::TableCell),
            "review_bonus"
        );
        assert_eq!(markdown("_x_", Markdown::TableCell), "`_x_`");
        assert_eq!(
            markdown(
                "x | 0 EUR | [click](https://evil.example) @org/team",
                Markdown::TableCell
            ),
            "`x \\| 0 EUR \\| [click](https://evil.example) @org/team`"
        );
        assert_eq!(markdown("a`b", Markdown::Inline), "``a`b``");
        assert_eq!(markdown("`a``", Markdown::Inline), "``` `a`` ```");
        assert_eq!(markdown("a\nb", Markdown::Inline), "`a\\nb`");
        assert_eq!(markdown("<b>&amp;</b>", Markdown::Inline), "`<b>&amp;</b>`");
    }
}
