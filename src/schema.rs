//! The declarations of a policy, resolved to types: what the log readers
//! validate records against and what the evaluator computes with.
//!
//! Building a schema never fails: it is meant for policies that passed the
//! checker, which reports unknown currencies and the like. Anything it cannot
//! resolve it leaves out.

use std::collections::BTreeMap;

use chrono_tz::Tz;

use crate::source::SourceFile;
use crate::syntax::ast::{FieldDecl, Item, PolicyFile, RoundingMode};
use crate::types::check::check_policy;
use crate::types::env::declared_type;
use crate::types::recorded::ExprTypes;
use crate::units::Type;

/// One typed field of a contribution kind or of the roster.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldSchema {
    pub name: String,
    pub ty: Type,
}

/// A contribution kind and its fields, in declaration order.
#[derive(Clone, Debug, PartialEq)]
pub struct KindSchema {
    pub name: String,
    pub fields: Vec<FieldSchema>,
}

impl KindSchema {
    /// Position of a field in [`KindSchema::fields`] (and in a record's values).
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|f| f.name == name)
    }
}

/// The resolved declarations of a policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Schema {
    pub timezone: Tz,
    pub rounding: RoundingMode,
    /// Kinds in declaration order.
    pub kinds: Vec<KindSchema>,
    /// Roster columns (`person { ... }`), in declaration order.
    pub person: Vec<FieldSchema>,
    /// Reward accounts and their types.
    pub rewards: BTreeMap<String, Type>,
    /// Badges and their titles.
    pub badges: BTreeMap<String, Option<String>>,
    /// The type the checker gave each expression of the policy.
    pub expr_types: ExprTypes,
}

impl Schema {
    /// The declarations of `policy`, and its expressions typed by the
    /// checker (whose diagnostics are dropped: check the policy first).
    pub fn from_policy(policy: &PolicyFile) -> Schema {
        let types = check_policy(&SourceFile::new("", ""), policy).types;
        Schema::checked(policy, types)
    }

    /// The declarations of `policy`, with the types its check recorded.
    pub fn checked(policy: &PolicyFile, expr_types: ExprTypes) -> Schema {
        let mut schema = Schema {
            timezone: Tz::UTC,
            rounding: RoundingMode::HalfEven,
            kinds: Vec::new(),
            person: Vec::new(),
            rewards: BTreeMap::new(),
            badges: BTreeMap::new(),
            expr_types,
        };
        for item in &policy.items {
            match item {
                Item::Policy(header) => {
                    if let Some(tz) = header.timezone.as_ref().and_then(|t| t.node.parse().ok()) {
                        schema.timezone = tz;
                    }
                    if let Some(rounding) = &header.rounding {
                        schema.rounding = rounding.node;
                    }
                }
                Item::Person(person) => schema.person.extend(resolve_fields(&person.fields)),
                Item::Contribution(kind) => schema.kinds.push(KindSchema {
                    name: kind.name.node.clone(),
                    fields: resolve_fields(&kind.fields),
                }),
                Item::Reward(reward) => {
                    if let Some(ty) = declared_type(&reward.ty.node) {
                        schema.rewards.insert(reward.name.node.clone(), ty);
                    }
                }
                Item::Badge(badge) => {
                    schema.badges.insert(
                        badge.name.node.clone(),
                        badge.title.as_ref().map(|t| t.node.clone()),
                    );
                }
                _ => {}
            }
        }
        schema
    }

    pub fn kind(&self, name: &str) -> Option<&KindSchema> {
        self.kinds.iter().find(|k| k.name == name)
    }

    pub fn kind_index(&self, name: &str) -> Option<usize> {
        self.kinds.iter().position(|k| k.name == name)
    }

    /// Position of a roster column in [`Schema::person`].
    pub fn person_column(&self, name: &str) -> Option<usize> {
        self.person.iter().position(|f| f.name == name)
    }
}

fn resolve_fields(fields: &[FieldDecl]) -> Vec<FieldSchema> {
    fields
        .iter()
        .filter_map(|f| {
            Some(FieldSchema {
                name: f.name.node.clone(),
                ty: declared_type(&f.ty.node)?,
            })
        })
        .collect()
}
