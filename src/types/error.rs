//! What the checker reports: an error kind (what is wrong, in words) plus a
//! place (the span), rendered by one [`miette::Diagnostic`] impl.
//!
//! Every kind has a stable code (`meed::currency_mismatch`) that
//! `docs/errors.md` documents, a short lowercase message with the user's
//! text in backticks, and a help line that says how to fix it (see
//! [`crate::types::help`]).

use miette::{Diagnostic, LabeledSpan, Severity, SourceCode};
use thiserror::Error;

use crate::kinds::diagnostic_kinds;
use crate::source::{Snippet, Sources, Span};
use crate::types::help::{
    arithmetic_help, describe, did_you_mean, example_literal, missing_unit, tick_list, zero_of,
};
use crate::units::Type;

/// Which list of names a duplicate clashes in.
pub type Namespace = &'static str;

diagnostic_kinds! {
    /// Everything the checker can find wrong (or suspicious) in a policy.
    /// Adding one is one entry here plus its test (`tests/check.rs` checks
    /// that every code is produced by a bad policy and documented in
    /// `docs/errors.md`).
    pub enum CheckErrorKind {
        // ----- names -------------------------------------------------------
        #[error("there is no contribution kind `{name}`")]
        UnknownKind {
            name: String,
            suggestion: Option<String>,
        }
            => "meed::unknown_kind", error,
            help K::UnknownKind { suggestion, .. } => did_you_mean(suggestion, || {
                "declare it with `contribution NAME { field: Type }`".into()
            });

        #[error("contribution `{kind}` has no field `{field}`")]
        UnknownField {
            kind: String,
            field: String,
            suggestion: Option<String>,
        }
            => "meed::unknown_field", error,
            help K::UnknownField { kind, suggestion, .. } => did_you_mean(suggestion, || {
                format!(
                    "add the field to `contribution {kind} {{ ... }}`, or use `by`, `at` or `id`"
                )
            });

        #[error("the roster has no column `{column}`")]
        UnknownColumn {
            column: String,
            suggestion: Option<String>,
        }
            => "meed::unknown_column", error,
            help K::UnknownColumn { suggestion, .. } => did_you_mean(suggestion, || {
                "add the column to the `person { ... }` block".into()
            });

        #[error("`{column}` is read from the roster, but the policy has no `person` block")]
        NoPersonBlock { column: String }
            => "meed::no_person_block", error,
            help K::NoPersonBlock { column } => format!(
                "declare the roster columns, e.g. `person {{ {column}: Text }}`, and pass the roster with `--people`"
            );

        #[error("there is no reward account `{name}`")]
        UnknownReward {
            name: String,
            suggestion: Option<String>,
        }
            => "meed::unknown_reward", error,
            help K::UnknownReward { suggestion, .. } => did_you_mean(suggestion, || {
                "declare it with `reward NAME: Money(EUR)` (or `Duration`, `Points`)".into()
            });

        #[error("there is no badge `{name}`")]
        UnknownBadge {
            name: String,
            suggestion: Option<String>,
        }
            => "meed::unknown_badge", error,
            help K::UnknownBadge { suggestion, .. } => did_you_mean(suggestion, || {
                "declare it with `badge NAME \"Title\"`".into()
            });

        #[error("`{name}` is not defined here")]
        UnknownName {
            name: String,
            suggestion: Option<String>,
            /// Extra advice when the name exists in another namespace.
            hint: Option<String>,
        }
            => "meed::unknown_name", error,
            help K::UnknownName { suggestion, hint, .. } => match (suggestion, hint) {
                (_, Some(hint)) => hint.clone(),
                (Some(s), None) => format!("did you mean `{s}`?"),
                (None, None) => {
                    "use the rule's contribution (`on review r` → `r`) or declare a constant with `let NAME = ...`"
                        .into()
                }
            };

        #[error("there is no rule `{name}`")]
        UnknownRule {
            name: String,
            suggestion: Option<String>,
        }
            => "meed::unknown_rule", error,
            help K::UnknownRule { suggestion, .. } => {
                did_you_mean(suggestion, || "name a rule declared with `rule NAME { ... }`".into())
            };

        #[error("there is no function `{name}`")]
        UnknownFunction {
            name: String,
            suggestion: Option<String>,
        }
            => "meed::unknown_function", error,
            help K::UnknownFunction { suggestion, .. } => did_you_mean(suggestion, || {
                "the functions are `min`, `max`, `abs`, `round`, `floor`, `ceil`, `total`, `count` and `sum`"
                    .into()
            });

        #[error("{namespace} `{name}` is declared twice")]
        DuplicateName { namespace: Namespace, name: String }
            => "meed::duplicate_name", error,
            help K::DuplicateName { namespace, .. } => match *namespace {
                "record id" => "give each record of a test its own id".into(),
                "test" => "give each test its own name".into(),
                "person row" => "give each person one row: merge the two into one".into(),
                _ => format!("rename one of them: each {namespace} needs its own name"),
            };

        #[error("field `{name}` appears twice")]
        DuplicateField { name: String }
            => "meed::duplicate_field", error,
            help K::DuplicateField { .. } => "keep one of them".into();

        #[error("unknown time zone `{name}`")]
        UnknownTimezone {
            name: String,
            suggestion: Option<String>,
        }
            => "meed::unknown_timezone", error,
            help K::UnknownTimezone { suggestion, .. } => did_you_mean(suggestion, || {
                "use an IANA time zone name such as `UTC` or `Europe/Paris`".into()
            });

        #[error("unknown currency `{code}`")]
        UnknownCurrency { code: String }
            => "meed::unknown_currency", error,
            help K::UnknownCurrency { .. } => {
                "use an ISO 4217 currency code in capitals, such as `EUR`, `USD` or `JPY`".into()
            };

        #[error("constant `{name}` is defined in terms of itself")]
        ConstantCycle { name: String }
            => "meed::constant_cycle", error,
            help K::ConstantCycle { .. } => {
                "give the constant a value that does not depend on itself".into()
            };

        // ----- values over time ------------------------------------------
        #[error("the dates of `{name}` must increase: {date} does not come after {previous}")]
        DatedOrder {
            name: String,
            date: String,
            previous: String,
        }
            => "meed::dated_order", error,
            help K::DatedOrder { previous, .. } => format!(
                "list the `from` lines in date order, each after {previous}; two lines cannot start on the same date"
            );

        #[error("the values of `{name}` have different types: `{first}` and `{found}`")]
        DatedTypes {
            name: String,
            first: Type,
            found: Type,
        }
            => "meed::dated_types", error,
            help K::DatedTypes { first, .. } => format!(
                "a value that changes keeps its type: write every value as {}",
                describe(first)
            );

        #[error("this window is empty: it ends ({until}) before it starts ({from})")]
        EmptyWindow { from: String, until: String }
            => "meed::empty_window", error,
            help K::EmptyWindow { .. } => {
                "swap the dates, or check the year: `from` comes first, and both dates are included".to_string()
            };

        #[error("no {period} starts inside this window, so {what} `{name}` never applies")]
        WindowWithoutPeriod {
            what: &'static str,
            name: String,
            period: String,
        }
            => "meed::window_without_period", warning,
            help K::WindowWithoutPeriod { period, .. } => format!(
                "a {period} belongs to the window when it starts inside it; widen the window to hold the first day of a {period}"
            );

        #[error("`{name}` changes on {date}, inside a {period}: that {period} uses {before}")]
        ChangeInsidePeriod {
            name: String,
            date: String,
            period: String,
            /// The value in force at the period's start, or the words for "none".
            before: String,
            /// What reads it at the period's start: "limit `monthly_cap`".
            reader: String,
        }
            => "meed::change_inside_period", warning,
            help K::ChangeInsidePeriod {
                reader, period, ..
            } => format!(
                "{reader} reads it once, at the start of each {period}; if the change should count from that {period} on, move its date to the {period}'s first day"
            );

        #[error("`{name}` is a badge, not a reward account")]
        BadgeNotAccount { name: String, hint: &'static str }
            => "meed::badge_not_account", error,
            help K::BadgeNotAccount { hint, .. } => (*hint).into();

        #[error("`{name}` is a reward account, not a badge")]
        AccountNotBadge { name: String, hint: String }
            => "meed::account_not_badge", error,
            help K::AccountNotBadge { hint, .. } => hint.clone();

        #[error("reward account `{name}` cannot hold `{ty}`")]
        RewardType { name: String, ty: Type }
            => "meed::reward_type", error,
            help K::RewardType { .. } => {
                "a reward account holds `Money(CUR)`, `Duration` or `Points`; use a badge for recognitions"
                    .into()
            };

        #[error("`{text}` is {} and has no fields", describe(ty))]
        NotARecord { text: String, ty: Type }
            => "meed::not_a_record", error,
            help K::NotARecord { .. } => {
                "only a contribution (`r.lines`) or a person (`r.by.team`) has fields".into()
            };

        // ----- types -------------------------------------------------------
        #[error("cannot {verb} `{lhs}` and `{rhs}`")]
        CurrencyMismatch {
            verb: &'static str,
            lhs: Type,
            rhs: Type,
        }
            => "meed::currency_mismatch", error,
            help K::CurrencyMismatch { .. } => {
                "meed never converts currencies; convert the amount in the log or declare the field in one currency"
                    .into()
            };

        #[error("cannot {verb} `{lhs}` and `{rhs}`")]
        BadArithmetic {
            verb: &'static str,
            lhs: Type,
            rhs: Type,
        }
            => "meed::bad_arithmetic", error,
            help K::BadArithmetic { verb, lhs, rhs } => arithmetic_help(verb, lhs, rhs);

        #[error("cannot make `{text}` negative: it is {}", describe(ty))]
        CannotNegate { text: String, ty: Type }
            => "meed::cannot_negate", error,
            help K::CannotNegate { .. } => "only numbers and quantities have a negative".into();

        #[error("cannot compare `{lhs}` with `{rhs}`")]
        BadComparison { lhs: Type, rhs: Type }
            => "meed::bad_comparison", error,
            help K::BadComparison { lhs, rhs } => {
                if let Some(unit) = missing_unit(lhs, rhs) {
                    unit
                } else if lhs.is_quantity() && rhs.is_quantity() {
                    "compare amounts of the same kind: money with money, points with points".into()
                } else {
                    "compare values of the same type".into()
                }
            };

        #[error("`{op}` cannot order `{ty}` values")]
        UnorderedComparison { op: &'static str, ty: Type }
            => "meed::unordered_comparison", error,
            help K::UnorderedComparison { .. } => {
                "only numbers, quantities and dates can be ordered; use `==` or `!=`".into()
            };

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
        }
            => "meed::not_a_condition", error,
            help K::NotACondition { text, ty, compared, .. } => match (compared, ty) {
                (Some(compared), _) => format!(
                    "each side of `and` / `or` is a whole condition: write `{compared} {text}`"
                ),
                (None, t) if t.is_number() || t.is_quantity() => {
                    format!("compare it, e.g. `{text} > {}`", zero_of(t))
                }
                (None, t) if t.is_text() => format!("compare it, e.g. `{text} == \"...\"`"),
                (None, _) => "write a condition that is true or false, e.g. `r.lines > 0`".into(),
            };

        #[error("the two branches of this `if` give different types: `{then_ty}` and `{else_ty}`")]
        BranchMismatch { then_ty: Type, else_ty: Type }
            => "meed::branch_mismatch", error,
            help K::BranchMismatch { then_ty, else_ty } => match (then_ty, else_ty) {
                (Type::Money(a), Type::Money(b)) => format!(
                    "meed never converts currencies: give both branches in one currency, {b} or {a} (a constant's currency is the one in its `let`)"
                ),
                _ => "both `then` and `else` must give the same kind of value, e.g. both in `pts`"
                    .into(),
            };

        #[error("`{function}` cannot take `{ty}`")]
        FunctionArgument {
            function: String,
            ty: Type,
            expected: &'static str,
        }
            => "meed::function_argument", error,
            help K::FunctionArgument { function, expected, .. } => {
                format!("`{function}` takes {expected}")
            };

        #[error("`{function}` takes {expected}, but got {found}")]
        ArgumentCount {
            function: String,
            expected: &'static str,
            found: usize,
        }
            => "meed::argument_count", error,
            help K::ArgumentCount { function, expected, .. } => {
                format!("call it as `{function}(...)` with {expected}")
            };

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
        }
            => "meed::grant_type", error,
            help K::GrantType {
                account,
                expected,
                found,
                alternatives,
            } => {
                let unit = if found.is_number() && expected.is_quantity() {
                    format!(
                        "write the amount with its unit, e.g. `{}`",
                        example_literal(expected)
                    )
                } else {
                    format!(
                        "`{account}` holds {}: write an amount such as `{}`",
                        describe(expected),
                        example_literal(expected)
                    )
                };
                match alternatives.as_slice() {
                    [] => unit,
                    [one] => format!("{unit}, or grant to `{one}`, which holds `{found}`"),
                    many => format!(
                        "{unit}, or grant to an account that holds `{found}`: {}",
                        tick_list(many)
                    ),
                }
            };

        #[error("the cap of `limit {account}` must be `{expected}`, but it is `{found}`")]
        LimitCapType {
            account: String,
            expected: Type,
            found: Type,
        }
            => "meed::limit_cap_type", error,
            help K::LimitCapType { account, expected, .. } => format!(
                "a cap is in the account's own unit: `{account}` holds `{expected}`, e.g. `at most {}`",
                example_literal(expected)
            );

        #[error(
            "pool `{pool}` pays into `{account}`, which holds `{expected}`, but its amount is `{found}`"
        )]
        PoolAmountType {
            pool: String,
            account: String,
            expected: Type,
            found: Type,
        }
            => "meed::pool_amount_type", error,
            help K::PoolAmountType { expected, .. } => format!(
                "write the pool's amount in the account's unit, e.g. `{}`",
                example_literal(expected)
            );

        #[error(
            "a pool is split by a number or a quantity, but this is {} (`{ty}`)",
            describe(ty)
        )]
        SplitType { ty: Type }
            => "meed::split_type", error,
            help K::SplitType { .. } => {
                "split by a score such as `total(reputation)` or `count(review)`".into()
            };

        #[error("`{account}` holds `{expected}`, but the expected value is `{found}`")]
        ExpectType {
            account: String,
            expected: Type,
            found: Type,
        }
            => "meed::expect_type", error,
            help K::ExpectType { expected, .. } => format!(
                "write the expected value in the account's unit, e.g. `{}`",
                example_literal(expected)
            );

        #[error("field `{field}` is `{expected}`, but this value is `{found}`")]
        FieldValueType {
            field: String,
            expected: Type,
            found: Type,
        }
            => "meed::field_value_type", error,
            help K::FieldValueType { expected, .. } => {
                format!("write a value like `{}`", example_literal(expected))
            };

        #[error("this `{kind}` record is missing the field `{field}`")]
        MissingField { kind: String, field: String }
            => "meed::missing_field", error,
            help K::MissingField { field, .. } => {
                format!("add `{field}: ...` to the record; every declared field needs a value")
            };

        #[error("`\"{value}\"` is not one of the allowed values of `{text}`")]
        OneOfValue {
            value: String,
            text: String,
            allowed: Vec<String>,
            suggestion: Option<String>,
        }
            => "meed::one_of_value", error,
            help K::OneOfValue {
                suggestion, allowed, ..
            } => match suggestion {
                Some(s) => format!("did you mean `\"{s}\"`?"),
                None => format!(
                    "the allowed values are {}",
                    allowed
                        .iter()
                        .map(|v| format!("`\"{v}\"`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };

        // ----- aggregates --------------------------------------------------
        #[error("`{function}(...)` over contributions only works in `each` rules and pool `split by`")]
        AggregateOutsideEach { function: &'static str }
            => "meed::aggregate_outside_each", error,
            help K::AggregateOutsideEach { .. } => {
                "an `on` rule sees one contribution; use `each person per month` to look at a person's contributions in a period"
                    .into()
            };

        #[error("`total(...)` only works in a pool's `split by`")]
        TotalOutsidePool
            => "meed::total_outside_pool", error,
            help K::TotalOutsidePool => {
                "use `total(account)` in `split by` of a pool, e.g. `split by total(reputation)`"
                    .into()
            };

        #[error("cannot take the `{function}` of {} (`{ty}`)", describe(ty))]
        AggregateMeasure { function: &'static str, ty: Type }
            => "meed::aggregate_measure", error,
            help K::AggregateMeasure { .. } => {
                "sum or compare a field that holds a number, money, a duration or points".into()
            };

        #[error("`{function}` needs a field to {verb}")]
        MissingMeasure {
            function: &'static str,
            verb: &'static str,
        }
            => "meed::missing_measure", error,
            help K::MissingMeasure { function, .. } => format!(
                "name the field after the kind, e.g. `{function}(review.lines)`, or use `count(review)` to count contributions"
            );

        #[error("`{function}` of no contributions has no value: it needs an `else` fallback")]
        MissingFallback { function: &'static str }
            => "meed::missing_fallback", error,
            help K::MissingFallback { function } => format!(
                "add the value to use when there are none, e.g. `{function}(review.lines else 0)`"
            );

        #[error("the `else` fallback is `{found}`, but the values are `{expected}`")]
        FallbackType { expected: Type, found: Type }
            => "meed::fallback_type", error,
            help K::FallbackType { expected, .. } => format!(
                "give the fallback the values' type, e.g. `else {}`",
                example_literal(expected)
            );

        // ----- tiers -------------------------------------------------------
        #[error(
            "`tiers` splits a number or a quantity, but `{text}` is {} (`{ty}`)",
            describe(ty)
        )]
        TierSubject { text: String, ty: Type }
            => "meed::tier_subject", error,
            help K::TierSubject { .. } => {
                "apply tiers to an amount, e.g. `tiers s.amount { up to 500 EUR: 10%  above: 15% }`"
                    .into()
            };

        #[error("this bound is `{found}`, but the tiers split `{expected}`")]
        TierBoundType { expected: Type, found: Type }
            => "meed::tier_bound_type", error,
            help K::TierBoundType { expected, .. } => format!(
                "write every bound in the same unit as the amount, e.g. `up to {}`",
                example_literal(expected)
            );

        #[error("tier bounds must increase, but `{bound}` is not above `{previous}`")]
        TierOrder { bound: String, previous: String }
            => "meed::tier_order", error,
            help K::TierOrder { .. } => "list the brackets from the lowest bound to the highest".into();

        #[error("a tier rate is a plain number or a percentage, but this is `{ty}`")]
        TierRate { ty: Type }
            => "meed::tier_rate", error,
            help K::TierRate { .. } => {
                "a rate multiplies the part of the amount in its bracket: write `10%` or `0.1`".into()
            };

        // ----- limits ------------------------------------------------------
        #[error("rule `{rule}` does not grant `{account}`, so this limit never applies to it")]
        LimitRuleAccount {
            rule: String,
            account: String,
            granted: Option<String>,
        }
            => "meed::limit_rule_account", error,
            help K::LimitRuleAccount { granted, .. } => match granted {
                Some(g) => format!("that rule grants `{g}`; remove it from `from` or limit `{g}`"),
                None => "remove it from `from`: it awards a badge".into(),
            };

        // ----- warnings ----------------------------------------------------
        #[error("contribution kind `{name}` is never used by a rule")]
        UnusedKind { name: String }
            => "meed::unused_kind", warning,
            help K::UnusedKind { name } => format!(
                "add a rule such as `rule ... {{ on {name} x  grant ... }}`, or remove the declaration; declare it as `contribution {name} {{}}` if it is only there so the log can hold it"
            );

        #[error("constant `{name}` is never used")]
        UnusedConstant { name: String }
            => "meed::unused_constant", warning,
            help K::UnusedConstant { .. } => "use it in a rule or remove it".into();

        #[error("badge `{name}` is never awarded")]
        UnusedBadge { name: String }
            => "meed::unused_badge", warning,
            help K::UnusedBadge { name } => {
                format!("award it from a rule with `award {name}`, or remove it")
            };

        #[error("reward account `{name}` is never granted")]
        UnusedReward { name: String }
            => "meed::unused_reward", warning,
            help K::UnusedReward { name } => {
                format!("grant it from a rule with `grant {name} ...`, or remove it")
            };

        #[error("rule `{name}` can never fire")]
        RuleNeverFires { name: String }
            => "meed::rule_never_fires", warning,
            help K::RuleNeverFires { .. } => {
                "remove the rule, or remove `when false` to make it fire".into()
            };

        #[error("two limits apply to `{account}` per {period}")]
        OverlappingLimits { account: String, period: String }
            => "meed::overlapping_limits", warning,
            help K::OverlappingLimits { .. } => {
                "merge them into one limit, or give each a distinct `from` list of rules".into()
            };

        #[error("the cap `{cap}` is finer than the minor unit of {currency}")]
        SubMinorCap {
            cap: String,
            rounded: String,
            currency: String,
        }
            => "meed::sub_minor_cap", warning,
            help K::SubMinorCap { rounded, .. } => format!(
                "a money cap is rounded down to the currency's minor unit, so this limit pays at most `{rounded}`; write `{rounded}` to say so"
            );

        #[error("`{function}` of no contributions is already 0; the `else` fallback is never used")]
        NeedlessFallback { function: &'static str }
            => "meed::needless_fallback", warning,
            help K::NeedlessFallback { .. } => "remove the `else` part".into();

        #[error("the file declares nothing: no contribution kind, reward or rule")]
        EmptyPolicy
            => "meed::empty_policy", warning,
            help K::EmptyPolicy => "a policy declares what contributions look like, the rewards, and the rules between them, e.g. `contribution review { lines: Int }`, `reward bonus: Money(EUR)` and `rule review_bonus { on review r  grant bonus 5 EUR }`; see docs/language.md".into();
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
    snippet: Snippet,
}

impl CheckError {
    /// A problem at `span`, shown in the file among `sources` it is in.
    pub fn new(sources: &(impl Sources + ?Sized), kind: CheckErrorKind, span: Span) -> CheckError {
        CheckError {
            kind,
            span,
            label: None,
            secondary: Vec::new(),
            snippet: Snippet::of(sources, span),
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
        self.snippet.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let secondary = self.secondary.iter().map(|(span, text)| (*span, text));
        self.snippet
            .labels((self.span, self.label.clone()), secondary)
    }
}
