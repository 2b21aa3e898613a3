//! The line builder: indentation, blank lines and comment placement.
//!
//! Declarations and expressions write text into the current line and tell the
//! printer where each output line starts and ends *in the source*. From those
//! offsets the printer decides, for every comment, whether it goes on a line
//! of its own before the code (it was written before it, or in the middle of
//! code that now fits on one line) or at the end of a line (it followed the
//! last token of that line).

use super::comments::{Placed, blank_line_between};

/// Columns per indentation level.
const INDENT: &str = "  ";

/// The width a line should fit in: one-line blocks and clauses wider than
/// this are broken over several lines.
pub(crate) const MAX_WIDTH: usize = 80;

/// At least this many spaces separate code from a trailing comment.
const COMMENT_GAP: usize = 2;

/// One line of output.
#[derive(Debug)]
enum Line {
    Blank,
    Comment {
        indent: usize,
        text: String,
    },
    Code {
        indent: usize,
        code: String,
        comment: Option<String>,
    },
}

/// A line being written.
#[derive(Debug)]
struct Pending {
    indent: usize,
    code: String,
}

pub(crate) struct Printer<'a> {
    src: &'a str,
    comments: Vec<Placed>,
    next: usize,
    indent: usize,
    lines: Vec<Line>,
    current: Option<Pending>,
    /// Source offset of the last code or comment placed.
    last_end: usize,
    /// Just after a `{`: a blank line here would be noise.
    at_block_start: bool,
    /// Whether blank lines written by the author are kept (collapsed to one)
    /// in the current block.
    pub keep_blanks: bool,
    /// The next line must be preceded by a blank line (between top-level
    /// declarations).
    pub force_blank: bool,
}

impl<'a> Printer<'a> {
    pub fn new(src: &'a str, comments: Vec<Placed>) -> Self {
        Self {
            src,
            comments,
            next: 0,
            indent: 0,
            lines: Vec::new(),
            current: None,
            last_end: 0,
            at_block_start: false,
            keep_blanks: true,
            force_blank: false,
        }
    }

    /// A printer with no source and no comments, to measure how wide a piece
    /// of code prints.
    pub fn scratch() -> Printer<'static> {
        Printer::new("", Vec::new())
    }

    /// The source text (empty for a tree built in code).
    pub fn source(&self) -> &'a str {
        self.src
    }

    /// Whether a comment starts strictly inside `start..end`: a block that
    /// holds one cannot be printed on a single line.
    pub fn has_comment_within(&self, start: usize, end: usize) -> bool {
        let end = self.code_end(end);
        self.comments
            .iter()
            .any(|c| c.start > start && c.start < end)
    }

    /// The end of the code in a span ending at `end`, blanks and comments at
    /// its end left out: a span may reach over the trivia that follows the
    /// node (`let a = 1  # one` can end after the comment), and a comment
    /// after the last token must not count as inside the node.
    pub fn code_end(&self, end: usize) -> usize {
        let mut end = end.min(self.src.len());
        loop {
            let trimmed = self.src.get(..end).map_or(end, |s| s.trim_end().len());
            let before = self.comments.partition_point(|c| c.start < trimmed);
            match before.checked_sub(1).and_then(|i| self.comments.get(i)) {
                Some(c) if trimmed <= c.end => end = c.start,
                _ => return trimmed,
            }
        }
    }

    /// Starts a new output line for code written at source offset `anchor`;
    /// comments written before it go on their own lines first.
    pub fn start_line(&mut self, anchor: usize) {
        self.flush_before(anchor);
        self.separate(anchor);
        self.current = Some(Pending {
            indent: self.indent,
            code: String::new(),
        });
    }

    /// Starts a continuation line of a broken expression: like
    /// [`Printer::start_line`], but never after a blank line.
    ///
    /// A comment that followed code which now starts this line (`1 EUR +  #
    /// base` printed as `1 EUR` / `+ 2 EUR`) stays at the end of the line
    /// above.
    pub fn continue_line(&mut self, anchor: usize) {
        let trailing = self
            .comments
            .get(self.next)
            .filter(|c| c.start < anchor && c.after_code.is_some())
            .map(|c| (c.text.clone(), c.end));
        if let (
            Some((text, end)),
            Some(Line::Code {
                comment: slot @ None,
                ..
            }),
        ) = (trailing, self.lines.last_mut())
        {
            *slot = Some(text);
            self.last_end = self.last_end.max(end);
            self.next += 1;
        }
        let saved = std::mem::replace(&mut self.keep_blanks, false);
        self.start_line(anchor);
        self.keep_blanks = saved;
    }

    /// Indents the lines that follow by one more level.
    pub fn indent(&mut self) {
        self.indent += 1;
    }

    /// Undoes [`Printer::indent`].
    pub fn dedent(&mut self) {
        self.indent = self.indent.saturating_sub(1);
    }

    /// The width of the current line so far, indentation included.
    pub fn width(&self) -> usize {
        self.current
            .as_ref()
            .map_or(0, |p| p.indent * INDENT.len() + p.code.chars().count())
    }

    /// Appends code to the current line.
    pub fn text(&mut self, s: &str) {
        let indent = self.indent;
        self.current
            .get_or_insert_with(|| Pending {
                indent,
                code: String::new(),
            })
            .code
            .push_str(s);
    }

    /// The code written so far on the current line.
    pub fn current_code(&self) -> &str {
        self.current.as_ref().map_or("", |p| p.code.as_str())
    }

    /// Ends the current line, whose last token ends at source offset
    /// `src_end`. Comments written inside that code move above the line; a
    /// comment that followed its last token stays at its end.
    pub fn end_line(&mut self, src_end: usize) {
        let Some(pending) = self.current.take() else {
            return;
        };
        let src_end = self.code_end(src_end);
        // Comments moved above a `}` line stand inside the block it closes.
        let indent = pending.indent + usize::from(pending.code.starts_with('}'));
        while let Some(c) = self.comments.get(self.next).filter(|c| c.start < src_end) {
            self.lines.push(Line::Comment {
                indent,
                text: c.text.clone(),
            });
            self.next += 1;
        }
        self.last_end = self.last_end.max(src_end);
        let trailing = self
            .comments
            .get(self.next)
            .filter(|c| c.after_code.is_some_and(|code_end| code_end <= src_end))
            .map(|c| (c.text.clone(), c.end));
        let comment = trailing.map(|(text, end)| {
            self.last_end = self.last_end.max(end);
            self.next += 1;
            text
        });
        self.lines.push(Line::Code {
            indent: pending.indent,
            code: pending.code,
            comment,
        });
    }

    /// Writes ` {` and ends the line (whose last token before the brace ends
    /// at `src_end`), then indents.
    pub fn open_block(&mut self, src_end: usize) {
        self.text(" {");
        self.end_line(src_end);
        self.indent += 1;
        self.at_block_start = true;
    }

    /// Places the comments left inside the block (those before its `}`, the
    /// last token of a block ending at `end`), dedents and starts the `}`
    /// line, which the caller ends (an expression may go on after a `tiers`
    /// block).
    pub fn close_block(&mut self, end: usize) {
        let close = self.code_end(end).saturating_sub(1);
        self.flush_before(close);
        self.indent = self.indent.saturating_sub(1);
        self.at_block_start = false;
        self.current = Some(Pending {
            indent: self.indent,
            code: "}".to_string(),
        });
    }

    /// Places every comment written before `pos` on its own line.
    fn flush_before(&mut self, pos: usize) {
        while let Some(c) = self.comments.get(self.next).filter(|c| c.start < pos) {
            let (start, end, text) = (c.start, c.end, c.text.clone());
            self.separate(start);
            self.lines.push(Line::Comment {
                indent: self.indent,
                text,
            });
            self.last_end = self.last_end.max(end);
            self.next += 1;
        }
    }

    /// Emits the blank line, if any, due before something written at `start`.
    fn separate(&mut self, start: usize) {
        let wanted = if self.lines.is_empty() || self.at_block_start {
            false
        } else {
            self.force_blank
                || (self.keep_blanks && blank_line_between(self.src, self.last_end, start))
        };
        if wanted && !matches!(self.lines.last(), Some(Line::Blank)) {
            self.lines.push(Line::Blank);
        }
        self.force_blank = false;
        self.at_block_start = false;
    }

    /// Takes the single line written to a scratch printer.
    pub fn into_flat(mut self) -> String {
        self.current.take().map(|p| p.code).unwrap_or_default()
    }

    /// Places the remaining comments and renders the whole output: no
    /// trailing whitespace, exactly one final newline (nothing at all for
    /// an empty file).
    pub fn finish(mut self) -> String {
        // INVARIANT: every item ends its lines; this only guards against a
        // line left open, which must not be dropped.
        self.end_line(self.last_end);
        self.indent = 0;
        self.flush_before(usize::MAX);
        render(&self.lines)
    }
}

/// Joins the lines, aligning the trailing comments of consecutive lines.
fn render(lines: &[Line]) -> String {
    let widths: Vec<usize> = lines
        .iter()
        .map(|line| match line {
            Line::Code { indent, code, .. } => indent * INDENT.len() + code.chars().count(),
            _ => 0,
        })
        .collect();
    let mut out = String::new();
    let mut run_column = None;
    for (i, line) in lines.iter().enumerate() {
        match line {
            Line::Blank => {}
            Line::Comment { indent, text } => {
                out.push_str(&INDENT.repeat(*indent));
                out.push('#');
                out.push_str(text);
            }
            Line::Code {
                indent,
                code,
                comment,
            } => {
                out.push_str(&INDENT.repeat(*indent));
                out.push_str(code);
                if let Some(text) = comment {
                    let width = widths.get(i).copied().unwrap_or_default();
                    let column = if aligned(line) {
                        *run_column.get_or_insert_with(|| run_width(lines, &widths, i))
                    } else {
                        width + COMMENT_GAP
                    };
                    out.push_str(&" ".repeat(column - width.min(column)));
                    out.push('#');
                    out.push_str(text);
                }
            }
        }
        if !aligned(line) {
            run_column = None;
        }
        let trimmed_len = out.trim_end_matches([' ', '\t']).len();
        out.truncate(trimmed_len);
        out.push('\n');
    }
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Whether the line's trailing comment is aligned with those of its
/// neighbours: lines that open or close a block are left out, so the
/// comment after `rule name {` does not push the ones inside far right.
fn aligned(line: &Line) -> bool {
    match line {
        Line::Code {
            code,
            comment: Some(_),
            ..
        } => !code.ends_with('{') && !code.starts_with('}'),
        _ => false,
    }
}

/// The column trailing comments start at in the run of consecutive commented
/// lines that begins at line `first`.
fn run_width(lines: &[Line], widths: &[usize], first: usize) -> usize {
    let widest = lines
        .iter()
        .zip(widths)
        .skip(first)
        .take_while(|(line, _)| aligned(line))
        .map(|(_, w)| *w)
        .max()
        .unwrap_or_default();
    widest + COMMENT_GAP
}
