//! The header of a CSV log, read for the fast path: which column holds
//! `id`, `who`, `kind`, `at` and each kind's fields.
//!
//! Anything the careful reader would report (a missing or doubled column)
//! or warn about (a column no kind declares) makes the fast path step aside,
//! so that the careful reader says it in its own words.

use chrono_tz::Tz;

use super::Fallback;
use crate::input::REQUIRED_COLUMNS;
use crate::schema::Schema;
use crate::types::units::Type;

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
    pub columns: usize,
    pub id: usize,
    pub who: usize,
    pub kind: usize,
    pub at: usize,
    pub kinds: Vec<KindLayout>,
    pub tz: Tz,
}

impl Layout {
    /// Reads the header line (without its line end).
    pub fn from_header(schema: &Schema, header: &[u8]) -> Result<Layout, Fallback> {
        let text = std::str::from_utf8(header).map_err(|_| Fallback::new("header not UTF-8"))?;
        // A `\r` inside the header ends it for the careful reader (CSV
        // takes a lone `\r` for a line end), where trimming would hide it.
        if text.contains(['"', '\r']) || text.trim().is_empty() {
            return Err(Fallback::new("a quoted, empty or broken header"));
        }
        let names: Vec<&str> = text.split(',').map(str::trim).collect();
        for (i, name) in names.iter().enumerate() {
            if names.get(..i).is_some_and(|before| before.contains(name)) {
                return Err(Fallback::new("a column appears twice"));
            }
            let declared = REQUIRED_COLUMNS.contains(name)
                || schema.kinds.iter().any(|k| k.field_index(name).is_some());
            if !declared {
                return Err(Fallback::new("a column no kind declares"));
            }
        }
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
            columns: names.len(),
            id: column("id")?,
            who: column("who")?,
            kind: column("kind")?,
            at: column("at")?,
            kinds,
            tz: schema.timezone,
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
