//! Money cells a person should look at before paying: amounts with more
//! decimals than their currency has (`12.505 EUR`), and amounts below zero.
//! Both are valid (meed keeps amounts exact, and a refund is negative), so
//! they are warnings, one per column with the count and the first example,
//! rather than one per cell.

use std::collections::BTreeMap;

use super::StreamRecord;
use crate::schema::Schema;
use crate::semantics::error::EvalWarning;
use crate::units::Type;
use crate::value::Value;

/// What was seen of one money field of one kind.
#[derive(Default)]
struct Column {
    finer: u64,
    first_finer: Option<(String, String)>,
    negative: u64,
    first_negative: Option<(String, String)>,
}

/// Counts, per kind and money field, the cells worth a look, as records
/// stream past in `(at, id)` order.
pub struct MoneyCells {
    /// Per kind: the indexes of its money fields.
    money_fields: Vec<Vec<usize>>,
    columns: BTreeMap<(usize, usize), Column>,
}

impl MoneyCells {
    pub fn new(schema: &Schema) -> MoneyCells {
        let money_fields = schema
            .kinds
            .iter()
            .map(|kind| {
                kind.fields
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| matches!(f.ty, Type::Money(_)))
                    .map(|(i, _)| i)
                    .collect()
            })
            .collect();
        MoneyCells {
            money_fields,
            columns: BTreeMap::new(),
        }
    }

    pub fn observe(&mut self, record: &StreamRecord<'_>) {
        let Some(fields) = self.money_fields.get(record.kind) else {
            return;
        };
        for &field in fields {
            let Some(Value::Money(m)) = record.fields.get(field) else {
                continue;
            };
            let finer = m.amount.normalize().scale() > m.currency.minor_digits();
            let negative = m.amount.is_sign_negative() && !m.amount.is_zero();
            if !finer && !negative {
                continue;
            }
            let column = self.columns.entry((record.kind, field)).or_default();
            let example = || {
                let id = crate::text::escape_visible(record.id).into_owned();
                (id, format!("{} {}", m.amount, m.currency))
            };
            if finer {
                column.finer += 1;
                column.first_finer.get_or_insert_with(example);
            }
            if negative {
                column.negative += 1;
                column.first_negative.get_or_insert_with(example);
            }
        }
    }

    /// The warnings, by kind and field in declaration order.
    pub fn warnings(&self, schema: &Schema) -> Vec<EvalWarning> {
        let mut out = Vec::new();
        for (&(kind, field), column) in &self.columns {
            let Some(kind) = schema.kinds.get(kind) else {
                continue;
            };
            let Some(field) = kind.fields.get(field) else {
                continue;
            };
            let Type::Money(currency) = field.ty else {
                continue;
            };
            if let Some((id, value)) = &column.first_finer {
                out.push(EvalWarning::FinerThanCurrency {
                    kind: kind.name.clone(),
                    field: field.name.clone(),
                    count: column.finer,
                    example: format!("`{value}` in `{id}`"),
                    currency: currency.code().to_string(),
                });
            }
            if let Some((id, value)) = &column.first_negative {
                out.push(EvalWarning::NegativeMoney {
                    kind: kind.name.clone(),
                    field: field.name.clone(),
                    count: column.negative,
                    example: format!("`{value}` in `{id}`"),
                });
            }
        }
        out
    }
}
