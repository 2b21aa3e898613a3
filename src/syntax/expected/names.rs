//! Human names for grammar rules: what a parse error says was expected.

use crate::syntax::parser::Rule;

/// The human name of a rule; `None` for rules that only add noise.
pub fn human_name(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::declaration => "a declaration",
        Rule::EOI => "the end of the file",
        Rule::rule_name => "a rule name",
        Rule::kind_name => "a contribution kind such as `review`",
        Rule::account_name => "a reward account name such as `bonus`",
        Rule::badge_name => "a badge name",
        Rule::const_name => "a constant name",
        Rule::pool_name => "a pool name",
        Rule::binding_name => "a short name for the contribution, such as `r`",
        Rule::column_name | Rule::field_name | Rule::aggregate_field => "a field name",
        Rule::ident | Rule::name => "a name",
        Rule::record_id => "a record id (a name or a text in quotes)",
        Rule::who => "a person (a name or a text in quotes)",
        Rule::string | Rule::string_inner => "a text in quotes",
        Rule::type_expr | Rule::type_name | Rule::type_money | Rule::type_one_of => {
            "a type (`Int`, `Decimal`, `Bool`, `Text`, `Date`, `Duration`, `Money(EUR)`, `Points` or `one of \"a\", \"b\"`)"
        }
        Rule::currency => "a currency code such as `EUR`",
        Rule::period => "a period (`day`, `week`, `month`, `quarter` or `year`)",
        Rule::rounding_mode => "`half_up` or `half_even`",
        Rule::date | Rule::timestamp | Rule::record_time => {
            "a date such as `2027-01-05` or a time such as `2027-01-05T10:00:00Z`"
        }
        Rule::int | Rule::badge_times => "a whole number",
        Rule::expr | Rule::term | Rule::expr_only => "a value such as `5 EUR`, `r.lines` or `(`",
        Rule::timezone_setting => "`timezone`",
        Rule::rounding_setting => "`rounding`",
        Rule::condition => "`when`",
        Rule::grant_action => "`grant`",
        Rule::award_action => "`award`",
        Rule::on_trigger => "`on`",
        Rule::each_trigger => "`each`",
        Rule::tier_bracket => "`up to`",
        Rule::tier_above => "`above`",
        Rule::given_block => "`given`",
        Rule::expect_badge | Rule::expect_account => "`expect`",
        Rule::given_person => "`person`",
        Rule::given_record => "a record such as `answer a1 by alice at 2027-01-05`",
        Rule::field_decl => "a field such as `lines: Int`",
        Rule::field_value => "a field value such as `votes: 3`",
        Rule::limit_from => "`from`",
        Rule::aggregate_where => "`where`",
        Rule::aggregate_measure => "`:`",
        Rule::aggregate_else => "`else`",
        Rule::op_or
        | Rule::op_and
        | Rule::op_eq
        | Rule::op_ne
        | Rule::op_lt
        | Rule::op_le
        | Rule::op_gt
        | Rule::op_ge
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div => "an operator such as `+` or `and`",
        Rule::kw_policy => "`policy`",
        Rule::kw_timezone => "`timezone`",
        Rule::kw_rounding => "`rounding`",
        Rule::kw_person => "`person`",
        Rule::kw_contribution => "`contribution`",
        Rule::kw_reward => "`reward`",
        Rule::kw_badge => "`badge`",
        Rule::kw_let => "`let`",
        Rule::kw_rule => "`rule`",
        Rule::kw_on => "`on`",
        Rule::kw_each => "`each`",
        Rule::kw_per => "`per`",
        Rule::kw_when => "`when`",
        Rule::kw_grant => "`grant`",
        Rule::kw_award => "`award`",
        Rule::kw_limit => "`limit`",
        Rule::kw_from => "`from`",
        Rule::kw_at => "`at`",
        Rule::kw_most => "`most`",
        Rule::kw_pool => "`pool`",
        Rule::kw_split => "`split`",
        Rule::kw_by => "`by`",
        Rule::kw_test => "`test`",
        Rule::kw_given => "`given`",
        Rule::kw_expect => "`expect`",
        Rule::kw_times => "`times`",
        Rule::kw_import => "`import`",
        Rule::kw_if => "`if`",
        Rule::kw_then => "`then`",
        Rule::kw_else => "`else`",
        Rule::kw_not => "`not`",
        Rule::kw_tiers => "`tiers`",
        Rule::kw_up => "`up to`",
        Rule::kw_to => "`to`",
        Rule::kw_above => "`above`",
        Rule::kw_one => "`one`",
        Rule::kw_of => "`of`",
        Rule::kw_where => "`where`",
        Rule::kw_until => "`until`",
        Rule::dated_value => "a `from DATE: VALUE` line",
        Rule::change_time => "a date such as `2027-04-01`",
        Rule::time_window | Rule::window_from | Rule::window_until => {
            "a window such as `from 2027-03-01 until 2027-05-31`"
        }
        _ => return None,
    })
}

/// The name without its examples, for the label under the code:
/// "a type (`Int`, ...)" → "a type".
pub fn short_name(name: &str) -> &str {
    let cut = [" (", ", such as", " such as"]
        .iter()
        .filter_map(|sep| name.find(sep))
        .min()
        .unwrap_or(name.len());
    name.get(..cut).unwrap_or(name)
}

/// Rules that pest tries after almost every value: mentioned only when
/// nothing else was expected.
pub fn is_noise(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::currency
            | Rule::duration_unit
            | Rule::pts
            | Rule::field_access
            | Rule::if_head
            | Rule::not_op
            | Rule::neg_op
            | Rule::EOI
    )
}

pub fn is_operator(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::op_or
            | Rule::op_and
            | Rule::op_eq
            | Rule::op_ne
            | Rule::op_lt
            | Rule::op_le
            | Rule::op_gt
            | Rule::op_ge
            | Rule::op_add
            | Rule::op_sub
            | Rule::op_mul
            | Rule::op_div
    )
}

/// Rules that stand for a name the author chooses.
pub fn is_name_rule(rule: Rule) -> bool {
    matches!(
        rule,
        Rule::rule_name
            | Rule::kind_name
            | Rule::account_name
            | Rule::badge_name
            | Rule::const_name
            | Rule::pool_name
            | Rule::binding_name
            | Rule::column_name
            | Rule::ident
            | Rule::who
            | Rule::record_id
    )
}

/// The reserved words of meed (mirrors `keyword` in the grammar).
pub const KEYWORDS: &[&str] = &[
    "policy",
    "timezone",
    "rounding",
    "person",
    "contribution",
    "reward",
    "badge",
    "let",
    "rule",
    "on",
    "each",
    "per",
    "when",
    "grant",
    "award",
    "limit",
    "from",
    "at",
    "most",
    "pool",
    "split",
    "by",
    "test",
    "given",
    "expect",
    "times",
    "import",
    "if",
    "then",
    "else",
    "and",
    "or",
    "not",
    "true",
    "false",
    "tiers",
    "up",
    "to",
    "above",
    "one",
    "of",
    "where",
    "until",
];
