//! The typed syntax tree of a policy file.
//!
//! Every node carries its [`Span`]; spans never take part in equality (see
//! [`Spanned`]), so two trees compare equal when they mean the same thing.
//! The tree keeps what the author wrote (`5.00 EUR` keeps its two decimals,
//! `90min` keeps its unit) so that `meed fmt` can print it back faithfully.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rust_decimal::Decimal;
use serde::Serialize;

use crate::source::{Span, Spanned};

/// Implements `PartialEq` comparing every field but the spans.
///
/// The destructuring makes the list exhaustive: a field added to the struct
/// and not listed here is a compile error, not a silently ignored field.
macro_rules! eq_ignoring_spans {
    ($name:ident { $($field:ident),* } ignoring { $($ignored:ident),* }) => {
        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                let $name { $($field,)* $($ignored: _,)* } = self;
                true $(&& *$field == other.$field)*
            }
        }
    };
}

/// A name written in the policy: an identifier with its span.
pub type Ident = Spanned<String>;

/// A whole policy file, its items in the order written.
#[derive(Clone, Debug, Serialize)]
pub struct PolicyFile {
    pub items: Vec<Item>,
    /// Comments, kept for `meed fmt`; the checker and evaluator ignore them,
    /// and so does equality: comments are layout, not meaning.
    #[serde(skip)]
    pub comments: Vec<Comment>,
    pub span: Span,
}

eq_ignoring_spans!(PolicyFile { items } ignoring { comments, span });

impl PolicyFile {
    /// Its `let` declarations, in file order.
    pub fn lets(&self) -> impl Iterator<Item = &LetDecl> {
        self.items.iter().filter_map(|item| match item {
            Item::Let(l) => Some(l),
            _ => None,
        })
    }
}

/// A `# ...` comment: its text (without the `#`) and where it stands.
#[derive(Clone, Debug, Serialize)]
pub struct Comment {
    pub text: String,
    pub span: Span,
}

/// Comments are layout, not meaning.
impl PartialEq for Comment {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// One top-level declaration.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Item {
    Policy(PolicyHeader),
    Person(PersonDecl),
    Contribution(KindDecl),
    Reward(RewardDecl),
    Badge(BadgeDecl),
    Let(LetDecl),
    Rule(RuleDecl),
    Limit(LimitDecl),
    Pool(PoolDecl),
    Test(TestDecl),
    Import(ImportDecl),
}

impl Item {
    pub fn span(&self) -> Span {
        match self {
            Item::Policy(d) => d.span,
            Item::Person(d) => d.span,
            Item::Contribution(d) => d.span,
            Item::Reward(d) => d.span,
            Item::Badge(d) => d.span,
            Item::Let(d) => d.span,
            Item::Rule(d) => d.span,
            Item::Limit(d) => d.span,
            Item::Pool(d) => d.span,
            Item::Test(d) => d.span,
            Item::Import(d) => d.span,
        }
    }
}

/// `policy "Open-source community rewards 2027" { timezone "UTC"  rounding half_up }`
#[derive(Clone, Debug, Serialize)]
pub struct PolicyHeader {
    pub title: Spanned<String>,
    pub timezone: Option<Spanned<String>>,
    pub rounding: Option<Spanned<RoundingMode>>,
    pub span: Span,
}

eq_ignoring_spans!(PolicyHeader { title, timezone, rounding } ignoring { span });

/// How money grants are rounded to the currency's minor unit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub enum RoundingMode {
    /// Banker's rounding, the default: 0.125 → 0.12, 0.135 → 0.14.
    #[default]
    HalfEven,
    /// Commercial rounding: 0.125 → 0.13.
    HalfUp,
}

/// `person { status: one of "employee", "volunteer"  team: Text }`:
/// the typed columns of the roster.
#[derive(Clone, Debug, Serialize)]
pub struct PersonDecl {
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

eq_ignoring_spans!(PersonDecl { fields } ignoring { span });

/// `contribution review { lines: Int, repo: Text }`: a kind of contribution.
#[derive(Clone, Debug, Serialize)]
pub struct KindDecl {
    pub name: Ident,
    pub fields: Vec<FieldDecl>,
    pub span: Span,
}

eq_ignoring_spans!(KindDecl { name, fields } ignoring { span });

/// `lines: Int` inside a `person` or `contribution` block.
#[derive(Clone, Debug, Serialize)]
pub struct FieldDecl {
    pub name: Ident,
    pub ty: Spanned<TypeExpr>,
    pub span: Span,
}

eq_ignoring_spans!(FieldDecl { name, ty } ignoring { span });

/// A type as written in a declaration.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum TypeExpr {
    Int,
    Decimal,
    Bool,
    Text,
    /// `one of "employee", "volunteer"`: Text restricted to these values.
    OneOf(Vec<Spanned<String>>),
    /// `Date` or `Timestamp`: an instant (a bare date is local midnight).
    Timestamp,
    Duration,
    /// `Money(EUR)`; the code is checked against ISO 4217 by the checker.
    Money(Spanned<String>),
    Points,
}

/// `reward bonus: Money(EUR)`: an account people are credited to.
#[derive(Clone, Debug, Serialize)]
pub struct RewardDecl {
    pub name: Ident,
    pub ty: Spanned<TypeExpr>,
    pub span: Span,
}

eq_ignoring_spans!(RewardDecl { name, ty } ignoring { span });

/// `badge mentor "Mentor of the month"`: a recognition, counted not summed.
#[derive(Clone, Debug, Serialize)]
pub struct BadgeDecl {
    pub name: Ident,
    pub title: Option<Spanned<String>>,
    pub span: Span,
}

eq_ignoring_spans!(BadgeDecl { name, title } ignoring { span });

/// `let review_rate = 0.02 EUR`: a named value, fixed or changing over time.
#[derive(Clone, Debug, Serialize)]
pub struct LetDecl {
    pub name: Ident,
    pub value: LetValue,
    pub span: Span,
}

eq_ignoring_spans!(LetDecl { name, value } ignoring { span });

impl LetDecl {
    /// Where the value is written: the expression after `=`, or the whole
    /// `{ from ... }` block of a dated value.
    pub fn value_span(&self) -> Span {
        match &self.value {
            LetValue::Fixed(expr) => expr.span,
            LetValue::Dated(lines) => self.span.with_range(
                lines.first().map_or(self.span.end, |l| l.span.start),
                lines.last().map_or(self.span.end, |l| l.span.end),
            ),
        }
    }

    /// Every expression that gives the value: one for a fixed value, one
    /// per `from` line for a dated one.
    pub fn exprs(&self) -> impl Iterator<Item = &Expr> {
        let (fixed, dated) = match &self.value {
            LetValue::Fixed(expr) => (Some(expr), &[][..]),
            LetValue::Dated(steps) => (None, steps.as_slice()),
        };
        fixed.into_iter().chain(dated.iter().map(|s| &s.value))
    }
}

/// What a `let` gives.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum LetValue {
    /// `= 0.02 EUR`: a value that never changes.
    Fixed(Expr),
    /// `{ from 2027-01-01: 0.02 EUR "board decision"  from ... }`: a value
    /// that changes over time, its lines as written (the checker requires
    /// increasing dates).
    Dated(Vec<DatedValue>),
}

/// `from 2027-04-01: 0.025 EUR "board decision 2027-02-14"`
#[derive(Clone, Debug, Serialize)]
pub struct DatedValue {
    pub from: Spanned<Moment>,
    pub value: Expr,
    /// Where the value comes from, shown in explanations and statements.
    pub source: Option<Spanned<String>>,
    pub span: Span,
}

eq_ignoring_spans!(DatedValue { from, value, source } ignoring { span });

/// An instant as written: a bare date is midnight in the policy's zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Moment {
    Date(NaiveDate),
    Timestamp(DateTime<FixedOffset>),
}

/// `from 2027-03-01 until 2027-05-31`: the inclusive dates, in the policy's
/// zone, between which a rule or pool applies; either end may be open.
#[derive(Clone, Debug, Serialize)]
pub struct TimeWindow {
    pub from: Option<Spanned<NaiveDate>>,
    pub until: Option<Spanned<NaiveDate>>,
    pub span: Span,
}

eq_ignoring_spans!(TimeWindow { from, until } ignoring { span });

/// `rule review_bonus { on review r  when ...  grant bonus ... }`
#[derive(Clone, Debug, Serialize)]
pub struct RuleDecl {
    pub name: Ident,
    pub trigger: Trigger,
    /// `from 2027-03-01 until 2027-05-31`: when the rule applies.
    pub window: Option<TimeWindow>,
    pub condition: Option<Expr>,
    pub action: Action,
    pub span: Span,
}

eq_ignoring_spans!(RuleDecl { name, trigger, window, condition, action } ignoring { span });

impl RuleDecl {
    /// Whether its condition or amount reads an aggregate.
    pub fn reads_aggregates(&self) -> bool {
        let amount = match &self.action {
            Action::Grant { amount, .. } => Some(&**amount),
            Action::Award { .. } => None,
        };
        self.condition
            .iter()
            .chain(amount)
            .any(Expr::holds_aggregate)
    }
}

/// What makes a rule fire.
#[derive(Clone, Debug, Serialize)]
pub enum Trigger {
    /// `on review r`: once per contribution of that kind, bound to `r`.
    On {
        kind: Ident,
        binding: Ident,
        span: Span,
    },
    /// `each person per month`: once per person and period with activity.
    Each { period: Spanned<Period>, span: Span },
}

impl PartialEq for Trigger {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Trigger::On {
                    kind,
                    binding,
                    span: _,
                },
                Trigger::On {
                    kind: k,
                    binding: b,
                    span: _,
                },
            ) => kind == k && binding == b,
            (Trigger::Each { period, span: _ }, Trigger::Each { period: p, span: _ }) => {
                period == p
            }
            _ => false,
        }
    }
}

impl Trigger {
    pub fn span(&self) -> Span {
        match self {
            Trigger::On { span, .. } | Trigger::Each { span, .. } => *span,
        }
    }
}

/// What a rule gives.
#[derive(Clone, Debug, Serialize)]
pub enum Action {
    /// `grant bonus 5.00 EUR + review_rate * r.lines`
    Grant {
        account: Ident,
        /// Boxed: an expression is large, and most actions hold one.
        amount: Box<Expr>,
        span: Span,
    },
    /// `award mentor`
    Award { badge: Ident, span: Span },
}

impl PartialEq for Action {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Action::Grant {
                    account,
                    amount,
                    span: _,
                },
                Action::Grant {
                    account: a,
                    amount: m,
                    span: _,
                },
            ) => account == a && amount == m,
            (Action::Award { badge, span: _ }, Action::Award { badge: b, span: _ }) => badge == b,
            _ => false,
        }
    }
}

impl Action {
    pub fn span(&self) -> Span {
        match self {
            Action::Grant { span, .. } | Action::Award { span, .. } => *span,
        }
    }
}

/// A calendar period, cut in the policy's time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Period {
    Day,
    /// ISO week: Monday start, ISO week-year.
    Week,
    Month,
    Quarter,
    Year,
}

impl Period {
    pub fn keyword(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.keyword())
    }
}

/// `limit reputation from answers at most 200 pts per person per day`
#[derive(Clone, Debug, Serialize)]
pub struct LimitDecl {
    pub account: Ident,
    /// Rules whose grants the limit applies to; empty means all of them.
    pub from: Vec<Ident>,
    pub cap: Expr,
    pub period: Spanned<Period>,
    pub span: Span,
}

eq_ignoring_spans!(LimitDecl { account, from, cap, period } ignoring { span });

/// `pool community_fund { grant bonus 1000 EUR per quarter  split by total(reputation) }`
#[derive(Clone, Debug, Serialize)]
pub struct PoolDecl {
    pub name: Ident,
    pub account: Ident,
    pub amount: Expr,
    pub period: Spanned<Period>,
    /// `from 2027-01-01 until 2027-06-30`: the periods the pool pays.
    pub window: Option<TimeWindow>,
    pub split_by: Expr,
    pub span: Span,
}

eq_ignoring_spans!(PoolDecl { name, account, amount, period, window, split_by } ignoring { span });

/// `import "community.meed"`: the policy a test-only file exercises.
#[derive(Clone, Debug, Serialize)]
pub struct ImportDecl {
    pub path: Spanned<String>,
    pub span: Span,
}

eq_ignoring_spans!(ImportDecl { path } ignoring { span });

/// `test "name" { given { ... } expect ... }`
#[derive(Clone, Debug, Serialize)]
pub struct TestDecl {
    pub name: Spanned<String>,
    pub given: Vec<Given>,
    pub expects: Vec<Expect>,
    pub span: Span,
}

eq_ignoring_spans!(TestDecl { name, given, expects } ignoring { span });

/// One line of a `given` block.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Given {
    /// `answer a1 by alice at 2027-01-05T10:00:00Z { accepted: true, votes: 3 }`
    Contribution(GivenContribution),
    /// `person alice { status: "volunteer", team: "docs" }`
    Person(GivenPerson),
}

#[derive(Clone, Debug, Serialize)]
pub struct GivenContribution {
    pub kind: Ident,
    /// An identifier (`a1`) or a string (`"r-1042"`).
    pub id: Spanned<String>,
    pub who: Spanned<String>,
    pub at: Spanned<Literal>,
    pub fields: Vec<FieldValue>,
    pub span: Span,
}

eq_ignoring_spans!(GivenContribution { kind, id, who, at, fields } ignoring { span });

#[derive(Clone, Debug, Serialize)]
pub struct GivenPerson {
    pub who: Spanned<String>,
    pub fields: Vec<FieldValue>,
    pub span: Span,
}

eq_ignoring_spans!(GivenPerson { who, fields } ignoring { span });

/// `votes: 3` in a `given` record.
#[derive(Clone, Debug, Serialize)]
pub struct FieldValue {
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

eq_ignoring_spans!(FieldValue { name, value } ignoring { span });

/// One expectation of a test.
#[derive(Clone, Debug, Serialize)]
pub enum Expect {
    /// `expect alice reputation = 15 pts`
    Account {
        who: Spanned<String>,
        account: Ident,
        value: Expr,
        span: Span,
    },
    /// `expect alice badge mentor [2 times]`
    Badge {
        who: Spanned<String>,
        badge: Ident,
        times: Option<Spanned<u64>>,
        span: Span,
    },
}

impl PartialEq for Expect {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (
                Expect::Account {
                    who,
                    account,
                    value,
                    span: _,
                },
                Expect::Account {
                    who: w,
                    account: a,
                    value: v,
                    span: _,
                },
            ) => who == w && account == a && value == v,
            (
                Expect::Badge {
                    who,
                    badge,
                    times,
                    span: _,
                },
                Expect::Badge {
                    who: w,
                    badge: b,
                    times: t,
                    span: _,
                },
            ) => who == w && badge == b && times == t,
            _ => false,
        }
    }
}

impl Expect {
    pub fn span(&self) -> Span {
        match self {
            Expect::Account { span, .. } | Expect::Badge { span, .. } => *span,
        }
    }
}

/// The words that start a top-level item (a declaration, a test, an
/// import): what the REPL takes for a declaration and the editor offers at
/// the start of a line.
pub const ITEM_KEYWORDS: [&str; 11] = [
    "policy",
    "person",
    "contribution",
    "reward",
    "badge",
    "let",
    "rule",
    "limit",
    "pool",
    "test",
    "import",
];

/// An expression with its span.
pub type Expr = Spanned<ExprKind>;

impl Expr {
    /// Calls `visit` on this expression and every expression inside it,
    /// outermost first, in source order: the one walk over expressions,
    /// for questions such as "does this rule read an aggregate?".
    pub fn walk<'e>(&'e self, visit: &mut dyn FnMut(&'e Expr)) {
        self.walk_pruned(&mut |e| {
            visit(e);
            true
        });
    }

    /// Like [`Expr::walk`], entering an expression only when `visit` on it
    /// returns `true` (to leave out what an aggregate reads per record).
    pub fn walk_pruned<'e>(&'e self, visit: &mut dyn FnMut(&'e Expr) -> bool) {
        if !visit(self) {
            return;
        }
        match &self.node {
            ExprKind::Literal(_) | ExprKind::Name(_) => {}
            ExprKind::Field { base, .. } => base.walk_pruned(visit),
            ExprKind::Unary { operand, .. } => operand.walk_pruned(visit),
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.walk_pruned(visit);
                rhs.walk_pruned(visit);
            }
            ExprKind::If {
                condition,
                then_branch,
                else_branch,
            } => {
                condition.walk_pruned(visit);
                then_branch.walk_pruned(visit);
                else_branch.walk_pruned(visit);
            }
            ExprKind::Call { args, .. } => args.iter().for_each(|a| a.walk_pruned(visit)),
            ExprKind::Aggregate(agg) => {
                if let Some(f) = &agg.filter {
                    f.walk_pruned(visit);
                }
                if let Some(Measure::Expr(e)) = &agg.measure {
                    e.walk_pruned(visit);
                }
                if let Some(f) = &agg.fallback {
                    f.walk_pruned(visit);
                }
            }
            ExprKind::Tiers(t) => {
                t.subject.walk_pruned(visit);
                for b in &t.brackets {
                    b.bound.walk_pruned(visit);
                    b.rate.walk_pruned(visit);
                }
                t.above.walk_pruned(visit);
            }
        }
    }

    /// Whether an aggregate (`count(...)`, `sum(...)`...) appears in it.
    pub fn holds_aggregate(&self) -> bool {
        let mut found = false;
        self.walk(&mut |e| found |= matches!(e.node, ExprKind::Aggregate(_)));
        found
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum ExprKind {
    Literal(Literal),
    /// A constant, a rule's binding (`r`), or `person` in aggregates.
    Name(String),
    /// `r.lines`, `r.by`, `r.by.status`, `r.at`, `r.id`.
    Field {
        base: Box<Expr>,
        field: Ident,
    },
    Unary {
        op: Spanned<UnaryOp>,
        operand: Box<Expr>,
    },
    Binary {
        op: Spanned<BinaryOp>,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `if C then A else B`
    If {
        condition: Box<Expr>,
        then_branch: Box<Expr>,
        else_branch: Box<Expr>,
    },
    /// `min(a, b)`, `max`, `abs`, `round`, `floor`, `ceil`, `total(account)`.
    Call {
        function: Ident,
        args: Vec<Expr>,
    },
    /// `count(review r where r.lines > 10)`, `sum(review.lines)`, ...
    Aggregate(Aggregate),
    /// `tiers s.amount { up to 500 EUR: 10%  above: 15% }`
    Tiers(Tiers),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
}

impl BinaryOp {
    /// The operator as written in a policy.
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "or",
            BinaryOp::And => "and",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
        }
    }

    pub fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge
        )
    }
}

/// A literal exactly as written, so it can be printed back the same way.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Literal {
    Int(i64),
    /// `0.02`; the scale (number of decimals written) is kept.
    Decimal(Decimal),
    /// `10%`: `value` is the number before the `%` (10); it means 0.10.
    Percent(Decimal),
    Bool(bool),
    Text(String),
    /// `5.00 EUR`
    Money {
        amount: Decimal,
        currency: String,
    },
    /// `90min`, `1.5h`
    Duration {
        amount: Decimal,
        unit: DurationUnit,
    },
    /// `15 pts`
    Points(Decimal),
    /// `2027-01-05`: midnight in the policy's time zone.
    Date(NaiveDate),
    /// `2027-01-05T10:00:00Z`
    Timestamp(DateTime<FixedOffset>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum DurationUnit {
    Minutes,
    Hours,
}

impl DurationUnit {
    pub fn suffix(self) -> &'static str {
        match self {
            DurationUnit::Minutes => "min",
            DurationUnit::Hours => "h",
        }
    }
}

/// The aggregate functions of `each` rules and pools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum AggregateFn {
    Count,
    Sum,
    Min,
    Max,
}

impl AggregateFn {
    pub fn name(self) -> &'static str {
        match self {
            AggregateFn::Count => "count",
            AggregateFn::Sum => "sum",
            AggregateFn::Min => "min",
            AggregateFn::Max => "max",
        }
    }
}

/// `count(review)`, `count(review r where r.lines > 10)`, `sum(review.lines)`,
/// `sum(review r where r.repo == "core": r.lines)`, `min(review.lines else 0)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Aggregate {
    pub function: Spanned<AggregateFn>,
    pub kind: Ident,
    /// `r` in `review r where ...`.
    pub binding: Option<Ident>,
    pub filter: Option<Box<Expr>>,
    /// What is summed or compared; `None` for `count`.
    pub measure: Option<Measure>,
    /// `else 0`: the value of `min`/`max` over no records.
    pub fallback: Option<Box<Expr>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub enum Measure {
    /// `review.lines`
    Field(Ident),
    /// `review r ...: r.lines`
    Expr(Box<Expr>),
}

/// `tiers X { up to B1: R1  up to B2: R2  above: RN }`: marginal brackets.
#[derive(Clone, Debug, Serialize)]
pub struct Tiers {
    pub subject: Box<Expr>,
    pub brackets: Vec<TierBracket>,
    /// The rate for the part above the last bound.
    pub above: Box<Expr>,
    pub above_span: Span,
}

eq_ignoring_spans!(Tiers { subject, brackets, above } ignoring { above_span });

/// `up to 500 EUR: 10%`
#[derive(Clone, Debug, Serialize)]
pub struct TierBracket {
    pub bound: Expr,
    pub rate: Expr,
    pub span: Span,
}

eq_ignoring_spans!(TierBracket { bound, rate } ignoring { span });
