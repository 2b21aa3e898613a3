//! Reading the text before the cursor, which rarely parses while a name
//! is being typed: the last word, the declaration the cursor is in, and
//! which names are bound to which kinds.

use crate::lsp::analysis::ITEM_KEYWORDS;

/// Whether `c` may stand in a name.
pub(super) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The name at the end of `text` (empty when it ends otherwise).
pub(super) fn last_word(text: &str) -> &str {
    let start = text.rfind(|c: char| !is_name_char(c)).map_or(0, |i| i + 1);
    text.get(start..).unwrap_or("")
}

/// The bindings written in `text`: `(kind, name)` for each `on KIND name`
/// and aggregate `(KIND name`, in order.
pub(super) fn bindings(text: &str) -> Vec<(&str, &str)> {
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (is_name_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push((s, text.get(s..i).unwrap_or("")));
                start = None;
            }
            _ => {}
        }
    }
    words
        .windows(3)
        .filter_map(|w| match w {
            [(_, first), (kind_at, kind), (_, bound)] => {
                let opened = text
                    .get(..*kind_at)
                    .is_some_and(|b| b.trim_end().ends_with('('));
                (*first == "on" || opened).then_some((*kind, *bound))
            }
            _ => None,
        })
        .collect()
}

/// The kind `name` is bound to by the closest `on KIND name` or
/// aggregate `(KIND name` before the cursor.
pub(super) fn bound_kind(before: &str, name: &str) -> Option<String> {
    bindings(before)
        .into_iter()
        .rev()
        .find(|(_, bound)| *bound == name)
        .map(|(kind, _)| kind.to_string())
}

/// The declaration the cursor is in: its keyword and its text up to the
/// cursor (from the last line that starts with a declaration's keyword).
pub(super) fn enclosing_item(before: &str) -> (&str, &str) {
    let start = before
        .rmatch_indices('\n')
        .map(|(i, _)| i + 1)
        .chain([0])
        .find(|&i| {
            before
                .get(i..)
                .is_some_and(|rest| ITEM_KEYWORDS.iter().any(|k| rest.starts_with(k)))
        })
        .unwrap_or(0);
    let body = before.get(start..).unwrap_or("");
    (body.split_whitespace().next().unwrap_or(""), body)
}
