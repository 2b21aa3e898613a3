//! The declarations of a policy, collected once before any rule is checked:
//! kinds and their fields, roster columns, reward accounts, badges,
//! constants, rules and pools. Collecting them reports duplicate names,
//! unknown currencies and time zones, and reward accounts of the wrong type.

use chrono_tz::Tz;

use crate::source::{SourceFile, Span, Spanned};
use crate::syntax::ast::{Action, Expr, FieldDecl, Ident, Item, LetValue, PolicyFile, TypeExpr};
use crate::types::error::{CheckError, CheckErrorKind, Namespace};
use crate::types::suggest::nearest;
use crate::units::{Currency, Type};

/// A typed field of a kind or a roster column; `ty` is `None` when its type
/// could not be resolved (already reported).
#[derive(Clone, Debug)]
pub struct FieldInfo {
    pub name: Ident,
    pub ty: Option<Type>,
}

#[derive(Clone, Debug)]
pub struct KindInfo {
    pub name: Ident,
    pub fields: Vec<FieldInfo>,
    /// Declared as `contribution like {}`: there so the log may hold it.
    pub empty: bool,
}

impl KindInfo {
    pub fn field(&self, name: &str) -> Option<&FieldInfo> {
        self.fields.iter().find(|f| f.name.node == name)
    }
}

#[derive(Clone, Debug)]
pub struct RewardInfo {
    pub name: Ident,
    pub ty: Option<Type>,
    /// Where the type is written, for "`bonus` is declared as ... here".
    pub ty_span: Span,
}

#[derive(Clone, Debug)]
pub struct ConstInfo {
    pub name: Ident,
    pub value: LetValue,
}

impl ConstInfo {
    /// The expression of a value that never changes; `None` for a dated one.
    pub fn fixed(&self) -> Option<&Expr> {
        match &self.value {
            LetValue::Fixed(expr) => Some(expr),
            LetValue::Dated(_) => None,
        }
    }

    /// Where its value is written (a dated value's first line), for
    /// messages that point at it.
    pub fn value_span(&self) -> Span {
        match &self.value {
            LetValue::Fixed(expr) => expr.span,
            LetValue::Dated(lines) => lines.first().map_or(self.name.span, |l| l.value.span),
        }
    }
}

#[derive(Clone, Debug)]
pub struct RuleInfo {
    pub name: Ident,
    /// The account the rule grants to; `None` for `award`.
    pub grants: Option<Ident>,
}

/// Every name a policy declares, in declaration order. When a name is
/// declared twice, the first declaration is kept and the second reported.
#[derive(Clone, Debug, Default)]
pub struct Env {
    pub kinds: Vec<KindInfo>,
    /// Roster columns; `None` when the policy has no `person` block.
    pub person: Option<Vec<FieldInfo>>,
    pub rewards: Vec<RewardInfo>,
    pub badges: Vec<Ident>,
    pub constants: Vec<ConstInfo>,
    pub rules: Vec<RuleInfo>,
    pub pools: Vec<Ident>,
}

impl Env {
    pub fn kind(&self, name: &str) -> Option<&KindInfo> {
        self.kinds.iter().find(|k| k.name.node == name)
    }

    pub fn reward(&self, name: &str) -> Option<&RewardInfo> {
        self.rewards.iter().find(|r| r.name.node == name)
    }

    pub fn badge(&self, name: &str) -> Option<&Ident> {
        self.badges.iter().find(|b| b.node == name)
    }

    pub fn constant(&self, name: &str) -> Option<&ConstInfo> {
        self.constants.iter().find(|c| c.name.node == name)
    }

    pub fn rule(&self, name: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.name.node == name)
    }

    pub fn column(&self, name: &str) -> Option<&FieldInfo> {
        self.person.as_ref()?.iter().find(|c| c.name.node == name)
    }

    pub fn kind_names(&self) -> impl Iterator<Item = &str> {
        self.kinds.iter().map(|k| k.name.node.as_str())
    }

    pub fn reward_names(&self) -> impl Iterator<Item = &str> {
        self.rewards.iter().map(|r| r.name.node.as_str())
    }

    pub fn badge_names(&self) -> impl Iterator<Item = &str> {
        self.badges.iter().map(|b| b.node.as_str())
    }

    /// Collects the declarations of `policy`, pushing what is wrong with
    /// them onto `out`. Imports are ignored: the caller resolves them.
    pub fn collect(source: &SourceFile, policy: &PolicyFile, out: &mut Vec<CheckError>) -> Env {
        let mut c = Collector {
            source,
            out,
            env: Env::default(),
        };
        let mut tests: Vec<Ident> = Vec::new();
        for item in &policy.items {
            match item {
                Item::Policy(header) => {
                    if let Some(tz) = &header.timezone {
                        c.timezone(tz);
                    }
                }
                Item::Person(person) => {
                    let mut columns = c.env.person.take().unwrap_or_default();
                    c.fields(&person.fields, &mut columns);
                    c.env.person = Some(columns);
                }
                Item::Contribution(kind) => {
                    let mut fields = Vec::new();
                    c.fields(&kind.fields, &mut fields);
                    if c.unique(
                        "contribution kind",
                        &kind.name,
                        first_span(c.env.kinds.iter().map(|k| &k.name), &kind.name),
                    ) {
                        c.env.kinds.push(KindInfo {
                            name: kind.name.clone(),
                            fields,
                            empty: kind.fields.is_empty(),
                        });
                    }
                }
                Item::Reward(reward) => {
                    let ty = c.reward_type(&reward.name, &reward.ty);
                    if c.unique(
                        "reward account",
                        &reward.name,
                        first_span(c.env.rewards.iter().map(|r| &r.name), &reward.name),
                    ) {
                        c.env.rewards.push(RewardInfo {
                            name: reward.name.clone(),
                            ty,
                            ty_span: reward.ty.span,
                        });
                    }
                }
                Item::Badge(badge) => {
                    if c.unique(
                        "badge",
                        &badge.name,
                        first_span(c.env.badges.iter(), &badge.name),
                    ) {
                        c.env.badges.push(badge.name.clone());
                    }
                }
                Item::Let(constant) => {
                    if c.unique(
                        "constant",
                        &constant.name,
                        first_span(c.env.constants.iter().map(|k| &k.name), &constant.name),
                    ) {
                        c.env.constants.push(ConstInfo {
                            name: constant.name.clone(),
                            value: constant.value.clone(),
                        });
                    }
                }
                Item::Rule(rule) => {
                    if c.unique(
                        "rule",
                        &rule.name,
                        first_span(c.env.rules.iter().map(|r| &r.name), &rule.name),
                    ) {
                        let grants = match &rule.action {
                            Action::Grant { account, .. } => Some(account.clone()),
                            Action::Award { .. } => None,
                        };
                        c.env.rules.push(RuleInfo {
                            name: rule.name.clone(),
                            grants,
                        });
                    }
                }
                Item::Pool(pool) => {
                    if c.unique(
                        "pool",
                        &pool.name,
                        first_span(c.env.pools.iter(), &pool.name),
                    ) {
                        c.env.pools.push(pool.name.clone());
                    }
                }
                Item::Test(test) => {
                    let name = Spanned::new(test.name.node.clone(), test.name.span);
                    if c.unique("test", &name, first_span(tests.iter(), &name)) {
                        tests.push(name);
                    }
                }
                Item::Limit(_) | Item::Import(_) => {}
            }
        }
        c.env
    }
}

/// Where `name` was first declared among `existing`, if it was.
fn first_span<'b>(existing: impl IntoIterator<Item = &'b Ident>, name: &Ident) -> Option<Span> {
    existing
        .into_iter()
        .find(|e| e.node == name.node)
        .map(|e| e.span)
}

struct Collector<'a> {
    source: &'a SourceFile,
    out: &'a mut Vec<CheckError>,
    env: Env,
}

impl Collector<'_> {
    fn report(&mut self, error: CheckError) {
        self.out.push(error);
    }

    /// `true` if `name` is new; otherwise reports it with the first declaration.
    fn unique(&mut self, namespace: Namespace, name: &Ident, first: Option<Span>) -> bool {
        match first {
            None => true,
            Some(first) => {
                let error = CheckError::new(
                    self.source,
                    CheckErrorKind::DuplicateName {
                        namespace,
                        name: name.node.clone(),
                    },
                    name.span,
                )
                .with_label("declared again here")
                .with_secondary(first, "first declared here");
                self.report(error);
                false
            }
        }
    }

    /// `timezone "Europe/Paris"`: an IANA name chrono-tz knows.
    fn timezone(&mut self, tz: &Spanned<String>) {
        if tz.node.parse::<Tz>().is_ok() {
            return;
        }
        let suggestion = nearest(&tz.node, chrono_tz::TZ_VARIANTS.iter().map(|t| t.name()));
        let error = CheckError::new(
            self.source,
            CheckErrorKind::UnknownTimezone {
                name: tz.node.clone(),
                suggestion,
            },
            tz.span,
        )
        .with_label("not a time zone");
        self.report(error);
    }

    /// Resolves the fields of a block, reporting repeated names and unknown
    /// currencies; appends to `into` (several `person` blocks add up).
    fn fields(&mut self, decls: &[FieldDecl], into: &mut Vec<FieldInfo>) {
        for decl in decls {
            let ty = self.resolve(&decl.ty);
            if let Some(first) = into.iter().find(|f| f.name.node == decl.name.node) {
                let error = CheckError::new(
                    self.source,
                    CheckErrorKind::DuplicateField {
                        name: decl.name.node.clone(),
                    },
                    decl.name.span,
                )
                .with_label("declared again here")
                .with_secondary(first.name.span, "first declared here");
                self.report(error);
                continue;
            }
            into.push(FieldInfo {
                name: decl.name.clone(),
                ty,
            });
        }
    }

    /// The type a declaration names; reports an unknown currency.
    pub fn resolve(&mut self, ty: &Spanned<TypeExpr>) -> Option<Type> {
        resolve_type(self.source, ty, self.out)
    }

    /// A reward account holds money, a duration or points.
    fn reward_type(&mut self, name: &Ident, ty: &Spanned<TypeExpr>) -> Option<Type> {
        let resolved = self.resolve(ty)?;
        if resolved.is_quantity() {
            return Some(resolved);
        }
        let error = CheckError::new(
            self.source,
            CheckErrorKind::RewardType {
                name: name.node.clone(),
                ty: resolved,
            },
            ty.span,
        )
        .with_label("not money, a duration or points");
        self.report(error);
        None
    }
}

/// The type a declaration names; an unknown currency is reported on `out`.
pub fn resolve_type(
    source: &SourceFile,
    ty: &Spanned<TypeExpr>,
    out: &mut Vec<CheckError>,
) -> Option<Type> {
    match &ty.node {
        TypeExpr::Money(code) => match Currency::from_code(&code.node) {
            Some(currency) => Some(Type::Money(currency)),
            None => {
                out.push(unknown_currency(source, code));
                None
            }
        },
        other => declared_type(other),
    }
}

/// The type a declaration names; `None` for an unknown currency (which
/// [`resolve_type`] reports).
pub fn declared_type(ty: &TypeExpr) -> Option<Type> {
    Some(match ty {
        TypeExpr::Int => Type::Int,
        TypeExpr::Decimal => Type::Decimal,
        TypeExpr::Bool => Type::Bool,
        TypeExpr::Text => Type::Text,
        TypeExpr::OneOf(values) => Type::OneOf(values.iter().map(|v| v.node.clone()).collect()),
        TypeExpr::Timestamp => Type::Timestamp,
        TypeExpr::Duration => Type::Duration,
        TypeExpr::Money(code) => Type::Money(Currency::from_code(&code.node)?),
        TypeExpr::Points => Type::Points,
    })
}

/// `Money(EURO)`, `5 EURO`: not an ISO 4217 code.
pub fn unknown_currency(source: &SourceFile, code: &Spanned<String>) -> CheckError {
    CheckError::new(
        source,
        CheckErrorKind::UnknownCurrency {
            code: code.node.clone(),
        },
        code.span,
    )
    .with_label("not an ISO 4217 currency code")
}
