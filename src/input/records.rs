//! Validating raw records against the policy's kinds: every mistake in every
//! record becomes an error, and only a log without any becomes a [`Log`].

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::cell::{closest, parse_cell, parse_timestamp};
use super::error::{ErrorSite, InputError, InputErrorKind, InputWarning};
use super::raw::{RawCell, RawRecord, RawTable};
use super::{Contribution, Log};
use crate::schema::{KindSchema, Schema};
use crate::semantics::order::record_order;
use crate::source::Span;
use crate::units::Type;
use crate::value::Value;

/// The columns every log has, whatever its kinds.
pub const REQUIRED_COLUMNS: [&str; 4] = ["id", "who", "kind", "at"];

/// Everything found while validating one log.
#[derive(Debug, Default)]
pub struct Validated {
    pub log: Log,
    pub errors: Vec<InputError>,
    pub warnings: Vec<InputWarning>,
}

/// Checks every record of `table` against `schema`.
pub fn validate_log(
    schema: &Schema,
    site: &ErrorSite,
    table: RawTable,
    format: super::LogFormat,
) -> Validated {
    let mut checker = LogChecker {
        schema,
        site,
        errors: table.errors,
        warnings: Vec::new(),
        first_use: BTreeMap::new(),
        missing_columns: BTreeSet::new(),
        header: table.header,
    };
    // A quiet month is normal: a CSV header without records, or a JSON
    // Lines file without a non-blank line, is an empty log, with a warning.
    // A CSV file without even a header is not a log.
    if table.records.is_empty() && checker.errors.is_empty() {
        if checker.header.is_some() || format == super::LogFormat::JsonLines {
            checker.warnings.push(no_records(site));
        } else {
            checker.errors.push(empty_file(site, false));
        }
    }
    checker.check_columns(&table.columns);
    let mut contributions: Vec<Contribution> = table
        .records
        .iter()
        .filter_map(|record| checker.check_record(record))
        .collect();
    // INVARIANT: the log is in `(at, id)` order, ids as bytes, whatever the file order.
    contributions.sort_by(|a, b| record_order((a.at, a.id.as_bytes()), (b.at, b.id.as_bytes())));
    Validated {
        log: Log { contributions },
        errors: checker.errors,
        warnings: checker.warnings,
    }
}

/// The warnings about columns (CSV) or keys (JSON Lines) that no kind
/// declares, `meed::unknown_column`, exactly as [`validate_log`] gives
/// them: for the fast reader, which reads the records itself.
pub fn column_warnings(schema: &Schema, site: &ErrorSite, table: RawTable) -> Vec<InputWarning> {
    let mut checker = LogChecker {
        schema,
        site,
        errors: Vec::new(),
        warnings: Vec::new(),
        first_use: BTreeMap::new(),
        missing_columns: BTreeSet::new(),
        header: table.header,
    };
    // Errors (a missing column) are the careful reader's to report.
    checker.check_columns(&table.columns);
    checker.warnings
}

/// `meed::no_records`: a log without records (a quiet period), a warning.
fn no_records(site: &ErrorSite) -> InputWarning {
    site.warning(
        "meed::no_records",
        "the log holds no records: the ledger is empty".to_string(),
        site.span(0, 0),
        "no records",
    )
    .with_help(
        "nothing was contributed in this log; if records were expected, export the log again",
    )
}

/// `meed::empty_log`, at the start of the file.
pub fn empty_file(site: &ErrorSite, has_header: bool) -> InputError {
    let error = site.error(
        InputErrorKind::EmptyLog { has_header },
        site.span(0, 0),
        if has_header {
            "only a header"
        } else {
            "nothing here"
        },
    );
    if has_header {
        error.with_help("add the records below the header, one per line")
    } else {
        error.with_help(
            "export the file again: a CSV log starts with the header `id,who,kind,at,...`; \
             a JSON Lines log holds one object per line",
        )
    }
}

struct LogChecker<'a> {
    schema: &'a Schema,
    site: &'a ErrorSite,
    errors: Vec<InputError>,
    warnings: Vec<InputWarning>,
    /// Each id with the line and span of its first record.
    first_use: BTreeMap<String, (usize, Span)>,
    /// Field columns a CSV header lacks, reported once each.
    missing_columns: BTreeSet<String>,
    header: Option<super::raw::Header>,
}

/// What a cell lookup found.
enum Lookup<'r> {
    Found(&'r RawCell, &'r str),
    /// Already reported (a column absent from the CSV header).
    Reported,
    Missing,
}

impl LogChecker<'_> {
    /// Required columns a CSV header lacks, and columns no kind declares.
    fn check_columns(&mut self, columns: &[(Arc<str>, Span)]) {
        if let Some(error) = self.other_separator() {
            // One error, not one per missing column.
            self.errors.push(error);
            return;
        }
        if let Some(header) = &self.header {
            for required in REQUIRED_COLUMNS.iter().filter(|c| !header.has(c)) {
                let kind = InputErrorKind::MissingColumn {
                    column: required.to_string(),
                };
                let help = format!(
                    "a log needs the columns `id`, `who`, `kind` and `at`, then the fields of its kinds; \
                     this header has {}",
                    header.names()
                );
                // `ID` or `At`: point at the column that was probably meant.
                let unused = header
                    .columns
                    .iter()
                    .filter(|(name, _)| !self.is_declared(name));
                let near = closest(required, unused.clone().map(|(name, _)| name))
                    .and_then(|near| unused.clone().find(|(name, _)| &**name == near));
                let error = match near {
                    Some((near, span)) => self
                        .site
                        .error(kind, *span, format!("rename this to `{required}`"))
                        .with_help(format!(
                            "rename `{near}` to `{required}`: column names must match exactly"
                        )),
                    None => self
                        .site
                        .error(
                            kind,
                            header.span,
                            format!("no `{required}` column in this header"),
                        )
                        .with_help(help),
                };
                self.errors.push(error);
            }
        }
        for (name, span) in columns {
            let declared = self.is_declared(name);
            if declared {
                continue;
            }
            let what = if self.header.is_some() {
                "column"
            } else {
                "field"
            };
            let message = if name.is_empty() {
                format!("a {what} without a name is ignored")
            } else {
                format!("{what} `{name}` is not declared by any contribution kind")
            };
            let warning = self
                .site
                .warning("meed::unknown_column", message, *span, "ignored")
                .with_help(format!(
                    "its values are ignored; declare it as a field of a kind to use it{}",
                    suggestion(
                        name,
                        self.schema
                            .kinds
                            .iter()
                            .flat_map(|k| k.fields.iter().map(|f| &f.name))
                    )
                ));
            self.warnings.push(warning);
        }
    }

    /// A required column or a field of some kind.
    fn is_declared(&self, name: &str) -> bool {
        REQUIRED_COLUMNS.contains(&name)
            || self
                .schema
                .kinds
                .iter()
                .any(|k| k.field_index(name).is_some())
    }

    /// One record, or `None` when anything in it is wrong (all of it reported).
    fn check_record(&mut self, record: &RawRecord) -> Option<Contribution> {
        let errors_before = self.errors.len();
        let id = self.required_text(record, "id");
        let who = self.required_text(record, "who");
        if let Some((name, cell)) = &who
            && let Some(error) = unsafe_name(self.site, name, cell.span)
        {
            self.errors.push(error);
        }
        let kind = self
            .required_text(record, "kind")
            .and_then(|(kind, cell)| self.find_kind(&kind, cell));
        let at = self.required_text(record, "at").and_then(|(text, cell)| {
            let parsed = parse_timestamp(&text, self.schema.timezone);
            self.cell_result(parsed, "at", &Type::Timestamp, &text, cell)
        });
        if let Some((id, cell)) = &id {
            self.check_unique(id, cell.span, record.line);
        }
        let fields = kind.and_then(|index| self.fields(record, index));
        if self.errors.len() != errors_before {
            return None;
        }
        Some(Contribution {
            id: Arc::from(id?.0),
            who: Arc::from(who?.0),
            kind: kind?,
            at: at?,
            fields: fields?,
            line: record.line,
        })
    }

    fn lookup<'r>(&self, record: &'r RawRecord, column: &str) -> Lookup<'r> {
        match record.cell(column) {
            Some(cell) if cell.nested => Lookup::Found(cell, cell.text.as_deref().unwrap_or("")),
            Some(cell) => match cell.value() {
                Some(text) => Lookup::Found(cell, text),
                None => Lookup::Missing,
            },
            None if self.header.as_ref().is_some_and(|h| !h.has(column)) => Lookup::Reported,
            None => Lookup::Missing,
        }
    }

    /// `id`, `who`, `kind` or `at`: present and not empty.
    fn required_text<'r>(
        &mut self,
        record: &'r RawRecord,
        column: &str,
    ) -> Option<(String, &'r RawCell)> {
        match self.lookup(record, column) {
            Lookup::Found(cell, text) => Some((text.to_string(), cell)),
            Lookup::Reported => None,
            Lookup::Missing => {
                let help = match column {
                    "id" => "give every record its own id, such as `r1`",
                    "who" => "name the person who made the contribution",
                    "kind" => "name the kind of contribution, as declared in the policy",
                    _ => {
                        "give the time of the contribution, such as `2027-01-05` or `2027-01-05T10:00:00Z`"
                    }
                };
                let error = self.missing(record, column, None).with_help(help);
                self.errors.push(error);
                None
            }
        }
    }

    /// A missing-field error at the empty cell, or at the whole record when
    /// the key is absent.
    fn missing(&self, record: &RawRecord, field: &str, kind: Option<&str>) -> InputError {
        let kind_error = InputErrorKind::MissingField {
            field: field.to_string(),
            kind: kind.map(str::to_string),
        };
        match record.cell(field) {
            Some(cell) => self.site.error(kind_error, cell.span, "empty"),
            None => self
                .site
                .error(kind_error, record.span, format!("no `{field}` here")),
        }
    }

    fn find_kind(&mut self, name: &str, cell: &RawCell) -> Option<usize> {
        if let Some(index) = self.schema.kind_index(name) {
            return Some(index);
        }
        let names: Vec<&String> = self.schema.kinds.iter().map(|k| &k.name).collect();
        let declared = names
            .iter()
            .map(|n| format!("`{n}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let help = match closest(name, names.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? the declared kinds are {declared}"),
            None if names.is_empty() => "the policy declares no contribution kinds".to_string(),
            None => format!(
                "the declared kinds are {declared}; declare `{name}` in the policy with `contribution {name} {{ ... }}`"
            ),
        };
        let error = self
            .site
            .error(
                InputErrorKind::UnknownKind {
                    kind: name.to_string(),
                },
                cell.span,
                "not a declared kind",
            )
            .with_value(name)
            .with_expected(Some("a declared contribution kind".to_string()))
            .with_help(help);
        self.errors.push(error);
        None
    }

    fn check_unique(&mut self, id: &str, span: Span, line: usize) {
        match self.first_use.get(id) {
            Some(&(first_line, first_span)) => {
                let error = self
                    .site
                    .error(InputErrorKind::DuplicateId { id: id.to_string(), first_line }, span, "used again here")
                    .with_value(id)
                    .with_secondary(first_span, format!("first used on line {first_line}"))
                    .with_help("every record needs its own id; give one of them a new id, or remove the copy");
                self.errors.push(error);
            }
            None => {
                self.first_use.insert(id.to_string(), (line, span));
            }
        }
    }

    /// The kind's fields in declaration order, each parsed by its type.
    fn fields(&mut self, record: &RawRecord, kind_index: usize) -> Option<Vec<Value>> {
        let kind: &KindSchema = self.schema.kinds.get(kind_index)?;
        let mut values = Vec::with_capacity(kind.fields.len());
        for field in &kind.fields {
            match self.lookup(record, &field.name) {
                Lookup::Found(cell, text) => {
                    let parsed = if cell.nested {
                        Err(super::cell::CellError::Invalid {
                            expected: field.ty.clone(),
                            found: text.to_string(),
                        })
                    } else {
                        parse_cell(&field.ty, text, self.schema.timezone)
                    };
                    values.push(self.cell_result(parsed, &field.name, &field.ty, text, cell));
                }
                Lookup::Reported => {
                    self.missing_column(&field.name, &kind.name, &field.ty);
                    values.push(None);
                }
                Lookup::Missing => {
                    let error = self
                        .missing(record, &field.name, Some(&kind.name))
                        .with_expected(Some(field.ty.to_string()))
                        .with_help(format!(
                            "every `{}` record needs `{}` ({})",
                            kind.name, field.name, field.ty
                        ));
                    self.errors.push(error);
                    values.push(None);
                }
            }
        }
        values.into_iter().collect()
    }

    /// A header of one column holding `;` or tabs: a file saved with
    /// another separator (European spreadsheets use `;`), not four missing
    /// columns.
    fn other_separator(&self) -> Option<InputError> {
        let header = self.header.as_ref()?;
        let [(name, span)] = header.columns.as_slice() else {
            return None;
        };
        let (separator, shown) = if name.contains(';') {
            (';', "`;`")
        } else if name.contains('\t') {
            ('\t', "tab")
        } else {
            return None;
        };
        let columns: Vec<&str> = name.split(separator).collect();
        if !REQUIRED_COLUMNS.iter().all(|c| columns.contains(c)) {
            return None;
        }
        let error = self
            .site
            .error(
                InputErrorKind::MalformedCsv {
                    detail: format!(
                        "the columns are separated by {shown}, not by commas"
                    ),
                },
                *span,
                format!("{}-separated", if separator == ';' { "`;`" } else { "tab" }),
            )
            .with_help(
                "meed reads CSV with commas: save the file again as \"CSV (comma-delimited)\",                  or export it as JSON Lines (`.jsonl`)"
                    .to_string(),
            );
        Some(error)
    }

    /// A field column the CSV header lacks: one error, the first time a
    /// record of a kind that needs it appears. A column of the header that
    /// no kind declares and is spelt nearly so (`duraton`, `Pages`) is
    /// pointed at.
    fn missing_column(&mut self, column: &str, kind: &str, ty: &Type) {
        let Some(header) = &self.header else { return };
        if !self.missing_columns.insert(column.to_string()) {
            return;
        }
        let kind_error = InputErrorKind::MissingColumn {
            column: column.to_string(),
        };
        let unused = header
            .columns
            .iter()
            .filter(|(name, _)| !self.is_declared(name));
        let near = closest(column, unused.clone().map(|(name, _)| name))
            .or_else(|| {
                unused
                    .clone()
                    .map(|(name, _)| &**name)
                    .find(|name| name.eq_ignore_ascii_case(column))
            })
            .and_then(|near| unused.clone().find(|(name, _)| &**name == near));
        let error = match near {
            Some((near, span)) => self
                .site
                .error(kind_error, *span, format!("rename this to `{column}`"))
                .with_expected(Some(ty.to_string()))
                .with_help(format!(
                    "`{kind}` records need a `{column}` column ({ty}); rename `{near}` to `{column}`: column names must match exactly"
                )),
            None => self
                .site
                .error(
                    kind_error,
                    header.span,
                    format!("no `{column}` column in this header"),
                )
                .with_expected(Some(ty.to_string()))
                .with_help(format!("`{kind}` records need a `{column}` column ({ty})")),
        };
        self.errors.push(error);
    }

    /// A parsed cell, or `None` with a `meed::bad_value` error on the cell.
    fn cell_result<T>(
        &mut self,
        parsed: Result<T, super::cell::CellError>,
        field: &str,
        ty: &Type,
        text: &str,
        cell: &RawCell,
    ) -> Option<T> {
        match parsed {
            Ok(value) => Some(value),
            Err(error) => {
                self.errors
                    .push(bad_value(self.site, field, ty, text, cell, error));
                None
            }
        }
    }
}

/// `meed::bad_value` on one cell, with the type it should hold.
pub fn bad_value(
    site: &ErrorSite,
    field: &str,
    ty: &Type,
    text: &str,
    cell: &RawCell,
    error: super::cell::CellError,
) -> InputError {
    let expected = error.expected().unwrap_or_else(|| ty.to_string());
    let help = error.help();
    site.error(
        InputErrorKind::BadValue {
            field: field.to_string(),
            error,
        },
        cell.span,
        format!("expected {expected}"),
    )
    .with_value(text)
    .with_expected(Some(expected))
    .with_help(help)
}

/// `meed::unsafe_name` on a `who` cell (log or roster) whose name would be
/// unsafe in an output (LANGUAGE.md §3 "Names"), or `None` for a good name.
pub fn unsafe_name(site: &ErrorSite, who: &str, span: Span) -> Option<InputError> {
    let problem = super::names::name_problem(who)?;
    let shown = super::names::shown(who);
    Some(
        site.error(
            InputErrorKind::UnsafeName {
                who: shown.clone(),
                what: problem.what(),
            },
            span,
            "refused name",
        )
        .with_value(shown)
        .with_help(problem.help()),
    )
}

/// `; did you mean `lines`?` when a declared name is close.
fn suggestion<'a>(name: &str, candidates: impl IntoIterator<Item = &'a String>) -> String {
    match closest(name, candidates) {
        Some(near) => format!("; did you mean `{near}`?"),
        None => String::new(),
    }
}
