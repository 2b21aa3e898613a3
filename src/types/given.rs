//! Test blocks: `given` records have declared kinds and fields with values
//! of the right type, and `expect` lines name accounts and badges with
//! values in the account's unit.

use crate::source::{Span, Spanned};
use crate::syntax::ast::{
    Expect, Expr, ExprKind, FieldValue, Given, GivenContribution, GivenPerson, Literal, TestDecl,
};
use crate::types::check::{Checker, Scope};
use crate::types::env::FieldInfo;
use crate::types::error::CheckErrorKind;
use crate::types::suggest::nearest;
use crate::units::Type;

impl Checker {
    /// `test "name" { given { ... } expect ... }`
    pub(crate) fn check_test(&mut self, test: &TestDecl) {
        let mut ids: Vec<&Spanned<String>> = Vec::new();
        let mut people: Vec<&Spanned<String>> = Vec::new();
        for given in &test.given {
            match given {
                Given::Contribution(record) => {
                    if let Some(first) = ids.iter().find(|i| i.node == record.id.node) {
                        let error = self
                            .error(
                                CheckErrorKind::DuplicateName {
                                    namespace: "record id",
                                    name: record.id.node.clone(),
                                },
                                record.id.span,
                            )
                            .with_label("used again here")
                            .with_secondary(first.span, "first used here");
                        self.push(error);
                    } else {
                        ids.push(&record.id);
                    }
                    self.given_contribution(record);
                }
                Given::Person(person) => {
                    // A second row for the same person would silently win.
                    if let Some(first) = people.iter().find(|p| p.node == person.who.node) {
                        let error = self
                            .error(
                                CheckErrorKind::DuplicateName {
                                    namespace: "person row",
                                    name: person.who.node.clone(),
                                },
                                person.who.span,
                            )
                            .with_label("given again here")
                            .with_secondary(first.span, "first given here");
                        self.push(error);
                    } else {
                        people.push(&person.who);
                    }
                    self.given_person(person);
                }
            }
        }
        for expect in &test.expects {
            self.check_expect(expect);
        }
    }

    /// `answer a1 by alice at 2027-01-05T10:00:00Z { accepted: true, votes: 3 }`
    fn given_contribution(&mut self, record: &GivenContribution) {
        if !matches!(record.at.node, Literal::Date(_) | Literal::Timestamp(_))
            && let Some(found) = self.literal_type(&record.at.node, record.at.span)
        {
            let error = self
                .error(
                    CheckErrorKind::FieldValueType {
                        field: "at".into(),
                        expected: Type::Timestamp,
                        found: found.clone(),
                    },
                    record.at.span,
                )
                .with_label(format!("this is `{found}`"));
            self.push(error);
        }
        let Some(kind) = self.env.kind(&record.kind.node).cloned() else {
            let suggestion = nearest(&record.kind.node, self.env.kind_names());
            let error = self
                .error(
                    CheckErrorKind::UnknownKind {
                        name: record.kind.node.clone(),
                        suggestion,
                    },
                    record.kind.span,
                )
                .with_label("unknown contribution kind");
            self.push(error);
            return;
        };
        self.field_values(&record.fields, &kind.fields, |checker, field| {
            checker.record_field(&kind.name.node, field)
        });
        for declared in &kind.fields {
            if !record
                .fields
                .iter()
                .any(|f| f.name.node == declared.name.node)
            {
                let error = self
                    .error(
                        CheckErrorKind::MissingField {
                            kind: kind.name.node.clone(),
                            field: declared.name.node.clone(),
                        },
                        record.span,
                    )
                    .with_label(format!("no `{}` here", declared.name))
                    .with_secondary(declared.name.span, "declared here");
                self.push(error);
            }
        }
    }

    /// `person alice { status: "volunteer", team: "docs" }`
    fn given_person(&mut self, person: &GivenPerson) {
        let columns = self.env.person.clone().unwrap_or_default();
        self.field_values(&person.fields, &columns, |checker, field| {
            checker.column_type(field)
        });
    }

    /// Checks each `name: value` against `declared`; `lookup` reports an
    /// unknown name.
    fn field_values(
        &mut self,
        values: &[FieldValue],
        declared: &[FieldInfo],
        mut lookup: impl FnMut(&mut Checker, &crate::syntax::ast::Ident) -> Option<Type>,
    ) {
        let mut seen: Vec<&FieldValue> = Vec::new();
        for value in values {
            if let Some(first) = seen.iter().find(|f| f.name.node == value.name.node) {
                let error = self
                    .error(
                        CheckErrorKind::DuplicateField {
                            name: value.name.node.clone(),
                        },
                        value.name.span,
                    )
                    .with_label("given again here")
                    .with_secondary(first.name.span, "first given here");
                self.push(error);
                continue;
            }
            seen.push(value);
            let found = self.type_expr(&value.value, &Scope::constants());
            let Some(expected) = lookup(self, &value.name) else {
                continue;
            };
            let decl_span = declared
                .iter()
                .find(|d| d.name.node == value.name.node)
                .map(|d| d.name.span);
            if let Some(found) = found {
                self.value_fits(&value.name.node, &expected, &found, &value.value, decl_span);
            }
        }
    }

    /// A value given for a field of type `expected`.
    fn value_fits(
        &mut self,
        field: &str,
        expected: &Type,
        found: &Type,
        value: &Expr,
        declared: Option<Span>,
    ) {
        let fits = expected == found
            || (*expected == Type::Decimal && *found == Type::Int)
            || (expected.is_text() && *found == Type::Text);
        if fits {
            if let (Type::OneOf(allowed), ExprKind::Literal(Literal::Text(text))) =
                (expected, &value.node)
            {
                self.one_of_member(allowed, text, value.span, field, None);
            }
            return;
        }
        let mut error = self
            .error(
                CheckErrorKind::FieldValueType {
                    field: field.to_string(),
                    expected: expected.clone(),
                    found: found.clone(),
                },
                value.span,
            )
            .with_label(format!("this is `{found}`"));
        if let Some(declared) = declared {
            error = error.with_secondary(declared, format!("declared as `{expected}` here"));
        }
        self.push(error);
    }

    /// `expect alice reputation = 15 pts`, `expect alice badge mentor`.
    fn check_expect(&mut self, expect: &Expect) {
        match expect {
            Expect::Account { account, value, .. } => {
                let expected =
                    self.account_type(account, "to expect a badge, write `expect WHO badge NAME`");
                let found = self.type_expr(value, &Scope::constants());
                let (Some(expected), Some(found)) = (expected, found) else {
                    return;
                };
                if expected == found {
                    return;
                }
                let declared = self.env.reward(&account.node).map(|r| r.ty_span);
                let mut error = self
                    .error(
                        CheckErrorKind::ExpectType {
                            account: account.node.clone(),
                            expected: expected.clone(),
                            found: found.clone(),
                        },
                        value.span,
                    )
                    .with_label(format!("this is `{found}`"));
                if let Some(declared) = declared {
                    error =
                        error.with_secondary(declared, format!("`{account}` holds `{expected}`"));
                }
                self.push(error);
            }
            Expect::Badge { badge, who, .. } => {
                if self.env.badge(&badge.node).is_some() {
                    return;
                }
                let error = if let Some(reward) = self.env.reward(&badge.node) {
                    let declared = reward.name.span;
                    self.error(
                        CheckErrorKind::AccountNotBadge {
                            name: badge.node.clone(),
                            hint: format!(
                                "to expect an amount, write `expect {who} {badge} = {}`",
                                crate::types::help::example_literal(
                                    reward.ty.as_ref().unwrap_or(&Type::Points)
                                )
                            ),
                        },
                        badge.span,
                    )
                    .with_label("a reward account")
                    .with_secondary(declared, "declared as a reward account here")
                } else {
                    let suggestion = nearest(&badge.node, self.env.badge_names());
                    self.error(
                        CheckErrorKind::UnknownBadge {
                            name: badge.node.clone(),
                            suggestion,
                        },
                        badge.span,
                    )
                    .with_label("unknown badge")
                };
                self.push(error);
            }
        }
    }
}
