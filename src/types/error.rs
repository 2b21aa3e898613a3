//! What the checker reports: an error kind (what is wrong, in words) plus a
//! place (the span), rendered by one [`miette::Diagnostic`] impl.
//!
//! Every kind has a stable code (`meed::currency_mismatch`) that
//! `docs/errors.md` documents, a short lowercase message with the user's
//! text in backticks, and a help line that says how to fix it (see
//! [`crate::types::help`]).

use miette::{Diagnostic, LabeledSpan, NamedSource, Severity, SourceCode};
use thiserror::Error;

use crate::source::{SourceFile, Span};
use crate::units::Type;

/// Which list of names a duplicate clashes in.
pub type Namespace = &'static str;

/// Everything the checker can find wrong (or suspicious) in a policy.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum CheckErrorKind {
    // ----- names -------------------------------------------------------
    #[error("there is no contribution kind `{name}`")]
    UnknownKind {
        name: String,
        suggestion: Option<String>,
    },
    #[error("contribution `{kind}` has no field `{field}`")]
    UnknownField {
        kind: String,
        field: String,
        suggestion: Option<String>,
    },
    #[error("the roster has no column `{column}`")]
    UnknownColumn {
        column: String,
        suggestion: Option<String>,
    },
    #[error("`{column}` is read from the roster, but the policy has no `person` block")]
    NoPersonBlock { column: String },
    #[error("there is no reward account `{name}`")]
    UnknownReward {
        name: String,
        suggestion: Option<String>,
    },
    #[error("there is no badge `{name}`")]
    UnknownBadge {
        name: String,
        suggestion: Option<String>,
    },
    #[error("`{name}` is not defined here")]
    UnknownName {
        name: String,
        suggestion: Option<String>,
        /// Extra advice when the name exists in another namespace.
        hint: Option<String>,
    },
    #[error("there is no rule `{name}`")]
    UnknownRule {
        name: String,
        suggestion: Option<String>,
    },
    #[error("there is no function `{name}`")]
    UnknownFunction {
        name: String,
        suggestion: Option<String>,
    },
    #[error("{namespace} `{name}` is declared twice")]
    DuplicateName { namespace: Namespace, name: String },
    #[error("field `{name}` appears twice")]
    DuplicateField { name: String },
    #[error("unknown time zone `{name}`")]
    UnknownTimezone {
        name: String,
        suggestion: Option<String>,
    },
    #[error("unknown currency `{code}`")]
    UnknownCurrency { code: String },
    #[error("constant `{name}` is defined in terms of itself")]
    ConstantCycle { name: String },

    // ----- values over time ------------------------------------------
    #[error("the dates of `{name}` must increase: {date} does not come after {previous}")]
    DatedOrder {
        name: String,
        date: String,
        previous: String,
    },
    #[error("the values of `{name}` have different types: `{first}` and `{found}`")]
    DatedTypes {
        name: String,
        first: Type,
        found: Type,
    },
    #[error("this window is empty: it ends ({until}) before it starts ({from})")]
    EmptyWindow { from: String, until: String },
    #[error("no {period} starts inside this window, so {what} `{name}` never applies")]
    WindowWithoutPeriod {
        what: &'static str,
        name: String,
        period: String,
    },
    #[error("`{name}` changes on {date}, inside a {period}: that {period} uses {before}")]
    ChangeInsidePeriod {
        name: String,
        date: String,
        period: String,
        /// The value in force at the period's start, or the words for "none".
        before: String,
        /// What reads it at the period's start: "limit `monthly_cap`".
        reader: String,
    },
    #[error("`{name}` is a badge, not a reward account")]
    BadgeNotAccount { name: String, hint: &'static str },
    #[error("`{name}` is a reward account, not a badge")]
    AccountNotBadge { name: String, hint: String },
    #[error("reward account `{name}` cannot hold `{ty}`")]
    RewardType { name: String, ty: Type },
    #[error("`{text}` is {} and has no fields", describe(ty))]
    NotARecord { text: String, ty: Type },

    // ----- types -------------------------------------------------------
    #[error("cannot {verb} `{lhs}` and `{rhs}`")]
    CurrencyMismatch {
        verb: &'static str,
        lhs: Type,
        rhs: Type,
    },
    #[error("cannot {verb} `{lhs}` and `{rhs}`")]
    BadArithmetic {
        verb: &'static str,
        lhs: Type,
        rhs: Type,
    },
    #[error("cannot make `{text}` negative: it is {}", describe(ty))]
    CannotNegate { text: String, ty: Type },
    #[error("cannot compare `{lhs}` with `{rhs}`")]
    BadComparison { lhs: Type, rhs: Type },
    #[error("`{op}` cannot order `{ty}` values")]
    UnorderedComparison { op: &'static str, ty: Type },
    #[error(
        "`{context}` needs a yes/no condition, but `{text}` is {} (`{ty}`)",
        describe(ty)
    )]
    NotACondition {
        context: &'static str,
        text: String,
        ty: Type,
        /// In `status == "member" or "staff"`: the other side's comparison
        /// (`status ==`), which was probably meant to apply here too.
        compared: Option<String>,
    },
    #[error("the two branches of this `if` give different types: `{then_ty}` and `{else_ty}`")]
    BranchMismatch { then_ty: Type, else_ty: Type },
    #[error("`{function}` cannot take `{ty}`")]
    FunctionArgument {
        function: String,
        ty: Type,
        expected: &'static str,
    },
    #[error("`{function}` takes {expected}, but got {found}")]
    ArgumentCount {
        function: String,
        expected: &'static str,
        found: usize,
    },
    #[error(
        "`grant {account}` needs {} (`{expected}`), but this amount is {} (`{found}`)",
        describe(expected),
        describe(found)
    )]
    GrantType {
        account: String,
        expected: Type,
        found: Type,
        /// Other accounts that do hold `found`.
        alternatives: Vec<String>,
    },
    #[error("the cap of `limit {account}` must be `{expected}`, but it is `{found}`")]
    LimitCapType {
        account: String,
        expected: Type,
        found: Type,
    },
    #[error(
        "pool `{pool}` pays into `{account}`, which holds `{expected}`, but its amount is `{found}`"
    )]
    PoolAmountType {
        pool: String,
        account: String,
        expected: Type,
        found: Type,
    },
    #[error(
        "a pool is split by a number or a quantity, but this is {} (`{ty}`)",
        describe(ty)
    )]
    SplitType { ty: Type },
    #[error("`{account}` holds `{expected}`, but the expected value is `{found}`")]
    ExpectType {
        account: String,
        expected: Type,
        found: Type,
    },
    #[error("field `{field}` is `{expected}`, but this value is `{found}`")]
    FieldValueType {
        field: String,
        expected: Type,
        found: Type,
    },
    #[error("this `{kind}` record is missing the field `{field}`")]
    MissingField { kind: String, field: String },
    #[error("`\"{value}\"` is not one of the allowed values of `{text}`")]
    OneOfValue {
        value: String,
        text: String,
        allowed: Vec<String>,
        suggestion: Option<String>,
    },

    // ----- aggregates --------------------------------------------------
    #[error("`{function}(...)` over contributions only works in `each` rules and pool `split by`")]
    AggregateOutsideEach { function: &'static str },
    #[error("`total(...)` only works in a pool's `split by`")]
    TotalOutsidePool,
    #[error("cannot take the `{function}` of {} (`{ty}`)", describe(ty))]
    AggregateMeasure { function: &'static str, ty: Type },
    #[error("`{function}` needs a field to {verb}")]
    MissingMeasure {
        function: &'static str,
        verb: &'static str,
    },
    #[error("`{function}` of no contributions has no value: it needs an `else` fallback")]
    MissingFallback { function: &'static str },
    #[error("the `else` fallback is `{found}`, but the values are `{expected}`")]
    FallbackType { expected: Type, found: Type },

    // ----- tiers -------------------------------------------------------
    #[error(
        "`tiers` splits a number or a quantity, but `{text}` is {} (`{ty}`)",
        describe(ty)
    )]
    TierSubject { text: String, ty: Type },
    #[error("this bound is `{found}`, but the tiers split `{expected}`")]
    TierBoundType { expected: Type, found: Type },
    #[error("tier bounds must increase, but `{bound}` is not above `{previous}`")]
    TierOrder { bound: String, previous: String },
    #[error("a tier rate is a plain number or a percentage, but this is `{ty}`")]
    TierRate { ty: Type },

    // ----- limits ------------------------------------------------------
    #[error("rule `{rule}` does not grant `{account}`, so this limit never applies to it")]
    LimitRuleAccount {
        rule: String,
        account: String,
        granted: Option<String>,
    },

    // ----- warnings ----------------------------------------------------
    #[error("contribution kind `{name}` is never used by a rule")]
    UnusedKind { name: String },
    #[error("constant `{name}` is never used")]
    UnusedConstant { name: String },
    #[error("badge `{name}` is never awarded")]
    UnusedBadge { name: String },
    #[error("reward account `{name}` is never granted")]
    UnusedReward { name: String },
    #[error("rule `{name}` can never fire")]
    RuleNeverFires { name: String },
    #[error("two limits apply to `{account}` per {period}")]
    OverlappingLimits { account: String, period: String },
    #[error("the cap `{cap}` is finer than the minor unit of {currency}")]
    SubMinorCap {
        cap: String,
        rounded: String,
        currency: String,
    },
    #[error("`{function}` of no contributions is already 0; the `else` fallback is never used")]
    NeedlessFallback { function: &'static str },
    #[error("the file declares nothing: no contribution kind, reward or rule")]
    EmptyPolicy,
}

/// A type in plain words for an HR analyst: "a whole number", "an amount of money".
pub fn describe(ty: &Type) -> String {
    match ty {
        Type::Int => "a whole number".into(),
        Type::Decimal => "a decimal number".into(),
        Type::Bool => "a yes/no value".into(),
        Type::Text | Type::OneOf(_) => "a text".into(),
        Type::Timestamp => "a date and time".into(),
        Type::Duration => "a duration".into(),
        Type::Money(c) => format!("an amount of money in {c}"),
        Type::Points => "points".into(),
        Type::Person => "a person".into(),
        Type::Record(kind) => format!("a `{kind}` contribution"),
    }
}

impl CheckErrorKind {
    /// The stable code, as documented in `docs/errors.md`.
    pub fn code(&self) -> &'static str {
        use CheckErrorKind as K;
        match self {
            K::UnknownKind { .. } => "meed::unknown_kind",
            K::UnknownField { .. } => "meed::unknown_field",
            K::UnknownColumn { .. } => "meed::unknown_column",
            K::NoPersonBlock { .. } => "meed::no_person_block",
            K::UnknownReward { .. } => "meed::unknown_reward",
            K::UnknownBadge { .. } => "meed::unknown_badge",
            K::UnknownName { .. } => "meed::unknown_name",
            K::UnknownRule { .. } => "meed::unknown_rule",
            K::UnknownFunction { .. } => "meed::unknown_function",
            K::DuplicateName { .. } => "meed::duplicate_name",
            K::DuplicateField { .. } => "meed::duplicate_field",
            K::UnknownTimezone { .. } => "meed::unknown_timezone",
            K::UnknownCurrency { .. } => "meed::unknown_currency",
            K::ConstantCycle { .. } => "meed::constant_cycle",
            K::DatedOrder { .. } => "meed::dated_order",
            K::DatedTypes { .. } => "meed::dated_types",
            K::EmptyWindow { .. } => "meed::empty_window",
            K::WindowWithoutPeriod { .. } => "meed::window_without_period",
            K::ChangeInsidePeriod { .. } => "meed::change_inside_period",
            K::BadgeNotAccount { .. } => "meed::badge_not_account",
            K::AccountNotBadge { .. } => "meed::account_not_badge",
            K::RewardType { .. } => "meed::reward_type",
            K::NotARecord { .. } => "meed::not_a_record",
            K::CurrencyMismatch { .. } => "meed::currency_mismatch",
            K::BadArithmetic { .. } => "meed::bad_arithmetic",
            K::CannotNegate { .. } => "meed::cannot_negate",
            K::BadComparison { .. } => "meed::bad_comparison",
            K::UnorderedComparison { .. } => "meed::unordered_comparison",
            K::NotACondition { .. } => "meed::not_a_condition",
            K::BranchMismatch { .. } => "meed::branch_mismatch",
            K::FunctionArgument { .. } => "meed::function_argument",
            K::ArgumentCount { .. } => "meed::argument_count",
            K::GrantType { .. } => "meed::grant_type",
            K::LimitCapType { .. } => "meed::limit_cap_type",
            K::PoolAmountType { .. } => "meed::pool_amount_type",
            K::SplitType { .. } => "meed::split_type",
            K::ExpectType { .. } => "meed::expect_type",
            K::FieldValueType { .. } => "meed::field_value_type",
            K::MissingField { .. } => "meed::missing_field",
            K::OneOfValue { .. } => "meed::one_of_value",
            K::AggregateOutsideEach { .. } => "meed::aggregate_outside_each",
            K::TotalOutsidePool => "meed::total_outside_pool",
            K::AggregateMeasure { .. } => "meed::aggregate_measure",
            K::MissingMeasure { .. } => "meed::missing_measure",
            K::MissingFallback { .. } => "meed::missing_fallback",
            K::FallbackType { .. } => "meed::fallback_type",
            K::TierSubject { .. } => "meed::tier_subject",
            K::TierBoundType { .. } => "meed::tier_bound_type",
            K::TierOrder { .. } => "meed::tier_order",
            K::TierRate { .. } => "meed::tier_rate",
            K::LimitRuleAccount { .. } => "meed::limit_rule_account",
            K::UnusedKind { .. } => "meed::unused_kind",
            K::UnusedConstant { .. } => "meed::unused_constant",
            K::UnusedBadge { .. } => "meed::unused_badge",
            K::UnusedReward { .. } => "meed::unused_reward",
            K::RuleNeverFires { .. } => "meed::rule_never_fires",
            K::OverlappingLimits { .. } => "meed::overlapping_limits",
            K::SubMinorCap { .. } => "meed::sub_minor_cap",
            K::NeedlessFallback { .. } => "meed::needless_fallback",
            K::EmptyPolicy => "meed::empty_policy",
        }
    }

    /// Warnings point at something suspicious; the policy still runs.
    pub fn is_warning(&self) -> bool {
        use CheckErrorKind as K;
        matches!(
            self,
            K::UnusedKind { .. }
                | K::UnusedConstant { .. }
                | K::UnusedBadge { .. }
                | K::UnusedReward { .. }
                | K::RuleNeverFires { .. }
                | K::OverlappingLimits { .. }
                | K::SubMinorCap { .. }
                | K::NeedlessFallback { .. }
                | K::WindowWithoutPeriod { .. }
                | K::ChangeInsidePeriod { .. }
                | K::EmptyPolicy
        )
    }
}

/// One diagnostic of the checker: what is wrong and where.
#[derive(Clone, Debug, Error)]
#[error("{kind}")]
pub struct CheckError {
    pub kind: CheckErrorKind,
    /// Where the problem is; the primary label underlines it.
    pub span: Span,
    /// The text under the primary label, when a word helps ("unknown reward").
    pub label: Option<String>,
    /// Related places: "first declared here", "`bonus` is declared here".
    pub secondary: Vec<(Span, String)>,
    text: NamedSource<String>,
}

impl CheckError {
    pub fn new(source: &SourceFile, kind: CheckErrorKind, span: Span) -> CheckError {
        CheckError {
            kind,
            span,
            label: None,
            secondary: Vec::new(),
            text: source.named_source(),
        }
    }

    /// Sets the text under the primary label.
    pub fn with_label(mut self, label: impl Into<String>) -> CheckError {
        self.label = Some(label.into());
        self
    }

    /// Adds a secondary label at a related place.
    pub fn with_secondary(mut self, span: Span, label: impl Into<String>) -> CheckError {
        self.secondary.push((span, label.into()));
        self
    }

    pub fn is_warning(&self) -> bool {
        self.kind.is_warning()
    }
}

impl Diagnostic for CheckError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn severity(&self) -> Option<Severity> {
        Some(if self.is_warning() {
            Severity::Warning
        } else {
            Severity::Error
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.kind
            .help()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.text)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let primary = LabeledSpan::new_primary_with_span(self.label.clone(), self.span);
        let secondary = self
            .secondary
            .iter()
            .map(|(span, text)| LabeledSpan::new_with_span(Some(text.clone()), *span));
        Some(Box::new(std::iter::once(primary).chain(secondary)))
    }
}
