//! Hard limits on what a log or roster may hold, so that a broken or hostile
//! file gets a clear error instead of a hang or an unreadable wall of text.

use super::error::{ErrorSite, InputError, InputErrorKind};

/// The longest line meed reads from a log or roster: 1 MiB. Real records
/// are a few hundred bytes; a longer line is a file that lost its line
/// breaks, or not a log at all (documented in `docs/guarantees.md`).
pub const MAX_LINE_BYTES: usize = 1 << 20;

/// `meed::line_too_long` for the first line longer than [`MAX_LINE_BYTES`],
/// its line end (`\n` or `\r\n`) not counted.
///
/// The error shows no snippet: echoing a megabyte line would bury the
/// message. The line number is in the message instead.
pub fn check_line_lengths(site: &ErrorSite) -> Option<InputError> {
    let mut start = 0;
    for (index, line) in site.file.text().split('\n').enumerate() {
        let bytes = line.strip_suffix('\r').unwrap_or(line).len();
        if bytes > MAX_LINE_BYTES {
            let number = index + 1;
            return Some(
                site.error(
                    InputErrorKind::LineTooLong {
                        line: number,
                        bytes,
                    },
                    site.span(start, start),
                    "this line",
                )
                .without_snippet()
                .with_help(
                    "each record must stand on its own line; export the file again, \
                     or check that it is a CSV or JSON Lines log",
                ),
            );
        }
        start += line.len() + 1;
    }
    None
}
