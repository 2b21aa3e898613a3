//! Where the fast path finds `id`, `who`, `kind`, `at` and each kind's
//! fields: the columns of a CSV log's header, or for JSON Lines one column
//! per name a kind declares (each object's keys are placed there).
//!
//! Anything the careful reader would report (a missing or doubled column)
//! makes the fast path step aside, so that the careful reader says it in its
//! own words. A CSV column no kind declares is skipped: the careful reader's
//! warning about it is given by [`super::header_warnings`].

use chrono_tz::Tz;

use super::Fallback;
use super::parse::scan_line;
use crate::input::{LogFormat, REQUIRED_COLUMNS};
use crate::schema::Schema;
use crate::units::Type;

/// One contribution kind as the fast path reads it.
#[derive(Clone, Debug)]
pub struct KindLayout {
    pub name: String,
    /// Each declared field: its column and type, in declaration order.
    pub fields: Vec<(usize, Type)>,
}

/// Where everything is in a record.
#[derive(Clone, Debug)]
pub struct Layout {
    pub format: LogFormat,
    pub columns: usize,
    pub id: usize,
    pub who: usize,
    pub kind: usize,
    pub at: usize,
    pub kinds: Vec<KindLayout>,
    pub tz: Tz,
    /// Each column's name (for JSON Lines, to place a key).
    pub names: Vec<String>,
    /// Whether some CSV column is declared by no kind (its cells are
    /// skipped, with one warning each from the careful reader's code).
    pub undeclared: bool,
}

impl Layout {
    /// Reads the header line (without its line end).
    pub fn from_header(schema: &Schema, header: &[u8]) -> Result<Layout, Fallback> {
        let text = std::str::from_utf8(header).map_err(|_| Fallback::new("header not UTF-8"))?;
        // A `\r` inside the header ends it for the careful reader (CSV
        // takes a lone `\r` for a line end), where trimming would hide it.
        if text.contains('\r') || text.trim().is_empty() {
            return Err(Fallback::new("an empty or broken header"));
        }
        // Quoted names (spreadsheets quote every cell) as RFC 4180 reads
        // them; one that runs past the line (a line break inside quotes)
        // steps aside, as the header is read up to its first line end. A
        // doubled quote is left as it is: no kind declares a name with a
        // quote, and the careful reader words the warnings about such
        // columns (`log_warnings`).
        let mut cells = Vec::new();
        scan_line(header, 0, &mut cells)?;
        let names: Vec<&str> = cells
            .iter()
            .map(|&(s, e)| text.get(s..e).unwrap_or("").trim())
            .collect();
        let mut undeclared = false;
        for (i, name) in names.iter().enumerate() {
            // Columns without a name may repeat (the careful reader warns
            // about each, and reads none).
            if !name.is_empty() && names.get(..i).is_some_and(|before| before.contains(name)) {
                return Err(Fallback::new("a column appears twice"));
            }
            undeclared |= !declared(schema, name);
        }
        Ok(Layout {
            undeclared,
            ..Layout::new(schema, LogFormat::Csv, &names)?
        })
    }

    /// The layout of a JSON Lines log: `id`, `who`, `kind`, `at`, then
    /// every field name in declaration order (a name two kinds declare
    /// once).
    pub fn for_json_lines(schema: &Schema) -> Result<Layout, Fallback> {
        let mut names: Vec<&str> = REQUIRED_COLUMNS.to_vec();
        for field in schema.kinds.iter().flat_map(|k| &k.fields) {
            if !names.contains(&field.name.as_str()) {
                names.push(&field.name);
            }
        }
        Layout::new(schema, LogFormat::JsonLines, &names)
    }

    /// The layout of a log whose columns are `names`.
    fn new(schema: &Schema, format: LogFormat, names: &[&str]) -> Result<Layout, Fallback> {
        let column = |name: &str| {
            names
                .iter()
                .position(|n| *n == name)
                .ok_or_else(|| Fallback::new("a column is missing"))
        };
        let kinds = schema
            .kinds
            .iter()
            .map(|k| {
                let fields = k
                    .fields
                    .iter()
                    .map(|f| Ok((column(&f.name)?, f.ty.clone())))
                    .collect::<Result<_, Fallback>>()?;
                Ok(KindLayout {
                    name: k.name.clone(),
                    fields,
                })
            })
            .collect::<Result<_, Fallback>>()?;
        Ok(Layout {
            format,
            columns: names.len(),
            id: column("id")?,
            who: column("who")?,
            kind: column("kind")?,
            at: column("at")?,
            kinds,
            tz: schema.timezone,
            names: names.iter().map(|n| n.to_string()).collect(),
            undeclared: false,
        })
    }

    /// The column of the JSON key `key`, if a kind declares it.
    #[inline(always)]
    pub fn column_of(&self, key: &[u8]) -> Option<usize> {
        // Length and last byte first, as in `kind_index`.
        let last = key.last();
        self.names.iter().position(|n| {
            let n = n.as_bytes();
            n.len() == key.len() && n.last() == last && n == key
        })
    }

    /// The index of the kind named `name`.
    #[inline(always)]
    pub fn kind_index(&self, name: &str) -> Option<usize> {
        // Length and last byte first: most kinds differ there, without a
        // call to compare the whole names.
        let last = name.as_bytes().last();
        self.kinds.iter().position(|k| {
            k.name.len() == name.len() && k.name.as_bytes().last() == last && k.name == name
        })
    }
}

/// A required column or a field of some kind (as the careful reader decides).
fn declared(schema: &Schema, name: &str) -> bool {
    REQUIRED_COLUMNS.contains(&name) || schema.kinds.iter().any(|k| k.field_index(name).is_some())
}
