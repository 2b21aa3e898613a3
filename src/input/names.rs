//! Which names in `who` meed refuses (LANGUAGE.md §3 "Names"): a name is
//! written into every output, so it must not hold a control character
//! (a line break would split an output row or forge a line of a snapshot)
//! nor begin like a spreadsheet formula.

/// Why a name is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameProblem {
    /// It holds a control character (a line break, a tab, ...).
    Control(char),
    /// It begins with `=`, `+`, `-` or `@`.
    Formula(char),
}

impl NameProblem {
    /// What is wrong, for the message.
    pub fn what(self) -> String {
        match self {
            NameProblem::Control('\n') => "holds a line break".to_string(),
            NameProblem::Control('\r') => "holds a carriage return".to_string(),
            NameProblem::Control('\t') => "holds a tab".to_string(),
            NameProblem::Control(c) => {
                format!("holds the control character U+{:04X}", u32::from(c))
            }
            NameProblem::Formula(c) => format!("begins with `{c}`"),
        }
    }

    /// Why it matters, for the help line.
    pub fn help(self) -> &'static str {
        match self {
            NameProblem::Control(_) => {
                "a control character such as a line break would split the rows of meed's outputs; \
                 write the name on one line, without control characters"
            }
            NameProblem::Formula(_) => {
                "a spreadsheet would run a name beginning with `=`, `+`, `-` or `@` as a formula \
                 when the output is opened; write the name without that first character"
            }
        }
    }
}

/// The first reason to refuse `name` (already trimmed), if any.
pub fn name_problem(name: &str) -> Option<NameProblem> {
    if let Some(c) = name.chars().next()
        && matches!(c, '=' | '+' | '-' | '@')
    {
        return Some(NameProblem::Formula(c));
    }
    name.chars()
        .find(|c| c.is_control())
        .map(NameProblem::Control)
}

/// `name` for a message: control characters written as escapes (`\n`,
/// `\u{7f}`), everything else as it is.
pub fn shown(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_control() {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_and_control_characters_are_refused() {
        for (name, problem) in [
            ("=HYPERLINK(\"x\")", Some(NameProblem::Formula('='))),
            ("+1", Some(NameProblem::Formula('+'))),
            ("-bob", Some(NameProblem::Formula('-'))),
            ("@org", Some(NameProblem::Formula('@'))),
            ("ali\nce", Some(NameProblem::Control('\n'))),
            ("a\rb", Some(NameProblem::Control('\r'))),
            ("a\tb", Some(NameProblem::Control('\t'))),
            ("a\u{85}b", Some(NameProblem::Control('\u{85}'))),
            ("a\u{7f}", Some(NameProblem::Control('\u{7f}'))),
            ("alice", None),
            ("smith, john", None),
            ("o\"brien", None),
            ("jean-luc", None),
            ("a=b", None),
            ("Zoë", None),
        ] {
            assert_eq!(name_problem(name), problem, "{name:?}");
        }
    }
}
