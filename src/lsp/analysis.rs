//! One version of one document, analysed: its diagnostics (exactly what
//! `meed check` reports for it) and a syntax tree for the other requests.
//!
//! A file being edited is often broken. The diagnostics then hold the
//! syntax error, and the tree comes from the same text with the broken
//! top-level item blanked out (every byte of it a space, line breaks kept,
//! so every offset still means the same place): hover, outline and
//! definition keep working in the rest of the file.

use std::path::Path;

use lsp_types::{Diagnostic, Range, Url};

use crate::source::{SourceFile, Span};
use crate::syntax::ast::{Item, PolicyFile};
use crate::syntax::parse_policy;
use crate::testing::{load_parsed_test_file, load_test_file};

use super::diagnostics::{Target, convert, convert_foreign};
use super::position::LineIndex;

pub(crate) use crate::syntax::ast::ITEM_KEYWORDS;

/// How many broken items are blanked out before giving up on a tree.
const REPAIR_ATTEMPTS: usize = 4;

/// A document's text and what the server knows about it.
#[derive(Debug)]
pub struct Analysis {
    pub uri: Url,
    pub source: SourceFile,
    pub lines: LineIndex,
    /// The tree of the text, or of the text with its broken items blanked
    /// out; `None` when even that does not parse.
    pub ast: Option<PolicyFile>,
    /// Whether `ast` is the tree of the text as written.
    pub parsed: bool,
    pub diagnostics: Vec<Diagnostic>,
    /// For a test-only file, the policy its `import` names (read from
    /// disk, as `meed check` reads it), where its names are declared.
    pub imported: Option<Imported>,
}

/// The policy a test-only file imports, parsed.
#[derive(Debug)]
pub struct Imported {
    pub uri: Url,
    pub source: SourceFile,
    pub lines: LineIndex,
    pub ast: PolicyFile,
}

/// A parsed file as the requests read it: its text, lines and tree.
#[derive(Clone, Copy)]
pub struct FileView<'a> {
    pub source: &'a SourceFile,
    pub lines: &'a LineIndex,
    pub ast: &'a PolicyFile,
}

impl FileView<'_> {
    /// The text at `span` (empty if it is not in the text).
    pub fn text_at(&self, span: Span) -> &str {
        self.source.text().get(span.start..span.end).unwrap_or("")
    }
}

impl Imported {
    pub fn view(&self) -> FileView<'_> {
        FileView {
            source: &self.source,
            lines: &self.lines,
            ast: &self.ast,
        }
    }

    pub fn range(&self, span: Span) -> Range {
        self.lines.range(self.source.text(), span)
    }
}

impl Analysis {
    /// Analyses `text`, the content of the document at `uri`. The file's
    /// path (for a `file:` address) names the source, so a test file's
    /// `import` is resolved relative to its folder, as `meed check` does.
    pub fn new(uri: Url, text: String) -> Analysis {
        let name = uri
            .to_file_path()
            .map_or_else(|_| uri.to_string(), |p| p.display().to_string());
        let source = SourceFile::new(name, text);
        let lines = LineIndex::new(source.text());
        let (ast, syntax_error) = match parse_policy(&source) {
            Ok(ast) => (Some(ast), None),
            Err(error) => (repair(&source, error.problem.span.start), Some(error)),
        };
        let mut analysis = Analysis {
            uri,
            source,
            lines,
            ast,
            parsed: syntax_error.is_none(),
            diagnostics: Vec::new(),
            imported: None,
        };
        analysis.imported = analysis.read_import();
        analysis.diagnostics = match syntax_error {
            // What `meed check` reports for a file that does not parse.
            Some(error) => convert(&error, &analysis.target()),
            None => analysis.check(),
        };
        analysis
    }

    /// This document's text, lines and tree, if it has a tree.
    pub fn view(&self) -> Option<FileView<'_>> {
        Some(FileView {
            source: &self.source,
            lines: &self.lines,
            ast: self.ast.as_ref()?,
        })
    }

    /// The policy the first `import` names, relative to this file's
    /// folder, if it can be read and parsed.
    fn read_import(&self) -> Option<Imported> {
        let written = self
            .ast
            .as_ref()?
            .items
            .iter()
            .find_map(|item| match item {
                Item::Import(import) => Some(import.path.node.clone()),
                _ => None,
            })?;
        let path = Path::new(self.source.name()).parent()?.join(written);
        let text = std::fs::read_to_string(&path).ok()?;
        let uri = Url::from_file_path(&path).ok()?;
        let source = SourceFile::new(path.display().to_string(), text);
        let ast = parse_policy(&source).ok()?;
        let lines = LineIndex::new(source.text());
        Some(Imported {
            uri,
            source,
            lines,
            ast,
        })
    }

    /// The byte offset of an LSP position in this text.
    pub fn offset(&self, position: lsp_types::Position) -> usize {
        self.lines.offset(self.source.text(), position)
    }

    pub fn range(&self, span: Span) -> Range {
        self.lines.range(self.source.text(), span)
    }

    /// What `meed check` reports for this file: a test-only file is checked
    /// with the policy it imports; a problem in that policy is shown at the
    /// `import`, pointing to its own place.
    fn check(&self) -> Vec<Diagnostic> {
        // The tree is checked as it is, without parsing the text again.
        let compiled = match &self.ast {
            Some(ast) => load_parsed_test_file(&self.source, ast),
            None => load_test_file(&self.source),
        };
        let problems = match compiled {
            Ok(suite) => suite.warnings,
            Err(problems) => problems,
        };
        let target = self.target();
        let mut out = Vec::new();
        for problem in &problems {
            if problem.source.id() == self.source.id() {
                out.extend(convert(problem.diagnostic.as_ref(), &target));
            } else {
                let (at, shown) = self.import();
                out.push(convert_foreign(
                    problem.diagnostic.as_ref(),
                    &problem.source,
                    at,
                    &shown,
                ));
            }
        }
        out
    }

    fn target(&self) -> Target<'_> {
        Target {
            source: &self.source,
            lines: &self.lines,
            uri: &self.uri,
        }
    }

    /// Where the first `import` names its policy, and the path as written.
    fn import(&self) -> (Range, String) {
        let import = self.ast.as_ref().and_then(|ast| {
            ast.items.iter().find_map(|item| match item {
                Item::Import(import) => Some(&import.path),
                _ => None,
            })
        });
        match import {
            Some(path) => (self.range(path.span), path.node.clone()),
            None => (Range::default(), self.source.name().to_string()),
        }
    }
}

/// The tree of `source` with the top-level item around each syntax error
/// blanked out, offsets unchanged.
fn repair(source: &SourceFile, mut offset: usize) -> Option<PolicyFile> {
    let mut text = source.text().to_string();
    for _ in 0..REPAIR_ATTEMPTS {
        let before = text.clone();
        text = blank_item(&text, offset);
        if text == before {
            return None;
        }
        match parse_policy(&SourceFile::new(source.name(), text.clone())) {
            Ok(ast) => return Some(ast),
            Err(error) => offset = error.problem.span.start,
        }
    }
    None
}

/// `text` with the top-level item holding `offset` replaced by spaces: from
/// the last line starting an item at or before `offset` to the next one.
fn blank_item(text: &str, offset: usize) -> String {
    let starts = item_starts(text);
    let start = starts
        .iter()
        .copied()
        .filter(|&s| s <= offset)
        .max()
        .unwrap_or(0);
    let end = starts
        .iter()
        .copied()
        .find(|&s| s > offset)
        .unwrap_or(text.len());
    text.char_indices()
        .map(|(i, c)| {
            if i < start || i >= end || c == '\n' || c == '\r' {
                c.to_string()
            } else {
                // INVARIANT: as many bytes as the character, so offsets hold.
                " ".repeat(c.len_utf8())
            }
        })
        .collect()
}

/// Byte offsets of the lines that start with an item keyword.
fn item_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let starts_item = ITEM_KEYWORDS.iter().any(|keyword| {
            line.strip_prefix(keyword)
                .is_some_and(|rest| rest.starts_with([' ', '\t', '{', '"']))
        });
        if starts_item {
            starts.push(line_start);
        }
        line_start += line.len();
    }
    starts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blanking_keeps_offsets_and_other_items() {
        let text = "reward bonus: Money(EUR)\nrule r {\n  on é x\n}\nlet a = 1\n";
        let blanked = blank_item(text, text.find('é').unwrap());
        assert_eq!(blanked.len(), text.len());
        assert!(blanked.starts_with("reward bonus: Money(EUR)\n"));
        assert!(blanked.ends_with("\nlet a = 1\n"));
        assert!(!blanked.contains("rule"));
    }
}
