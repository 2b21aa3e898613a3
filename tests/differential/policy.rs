//! Well-typed policies, generated from [`Choices`] by following the
//! checker's typing rules (LANGUAGE.md §1–2, `src/types/dims.rs`): every
//! expression is built *for* a type, so every generated policy passes
//! `compile_policy` (the property asserts it).
//!
//! The kinds and the roster are fixed, the rest is chosen (the zone, the
//! currency `CUR`, `rounding half_up`, which accounts besides `bonus`, the
//! rules, limits and pools):
//!
//! ```text
//! contribution sale { amount: Money(CUR), n: Int }
//! contribution task { hours: Duration, n: Int, tag: one of "a", "b", ok: Bool }
//! contribution like {}
//! reward bonus: Money(CUR)
//! [reward rep: Points] [reward time_off: Duration] [reward tips: Money(OTHER)]
//! badge star
//! person { team: one of "red", "blue", level: Int }
//! ```
//!
//! so one CSV header (`id,who,kind,at,amount,n,hours,tag,ok`) fits every log,
//! and `n` is a column two kinds share.

use chrono_tz::Tz;

use super::choices::Choices;

/// A contribution kind of the fixed declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sale,
    Task,
    Like,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Sale, Kind::Task, Kind::Like];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Sale => "sale",
            Kind::Task => "task",
            Kind::Like => "like",
        }
    }

    /// The binding an `on` rule or an aggregate uses for a record of the kind.
    fn binding(self) -> &'static str {
        match self {
            Kind::Sale => "s",
            Kind::Task => "t",
            Kind::Like => "l",
        }
    }

    fn has_n(self) -> bool {
        self != Kind::Like
    }
}

/// The types expressions are generated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    Int,
    Dec,
    Money,
    Pts,
    Dur,
    Bool,
    /// Money in the policy's other currency (`JPY` beside `EUR`, or the
    /// other way round).
    Tips,
}

/// Where an expression stands, which decides the names it may read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ctx {
    /// An `on` rule, or an aggregate's `where`/measure: one record.
    Record(Kind),
    /// An `each` rule: aggregates.
    Group,
    /// A pool's `split by`: aggregates and `total(account)`.
    Pool,
    /// A limit's cap or a pool's amount: literals and constants.
    Constant,
}

/// A reward account of the fixed declarations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Account {
    Bonus,
    Rep,
    TimeOff,
    Tips,
}

impl Account {
    fn name(self) -> &'static str {
        match self {
            Account::Bonus => "bonus",
            Account::Rep => "rep",
            Account::TimeOff => "time_off",
            Account::Tips => "tips",
        }
    }

    fn ty(self) -> Ty {
        match self {
            Account::Bonus => Ty::Money,
            Account::Rep => Ty::Pts,
            Account::TimeOff => Ty::Dur,
            Account::Tips => Ty::Tips,
        }
    }
}

/// The zones of the generated policies, each with instants (UTC) where its
/// local calendar is interesting: daylight-saving changes (Lord Howe's is
/// half an hour), ISO week 53 of 2026, a year and a quarter boundary.
pub const ZONES: [(&str, &[&str]); 4] = [
    ("UTC", &["2027-06-30T23:30:00Z"]),
    (
        "Europe/Berlin",
        &["2027-03-28T01:00:00Z", "2027-10-31T01:00:00Z"],
    ),
    (
        "America/New_York",
        &["2027-03-14T07:00:00Z", "2027-11-07T06:00:00Z"],
    ),
    (
        "Australia/Lord_Howe",
        &["2026-10-03T15:30:00Z", "2027-04-03T15:00:00Z"],
    ),
];

/// Instants near ISO week 53 of 2026 (2026-12-28 to 2027-01-03), the turn of
/// the year and the end of the first quarter, used in every zone.
pub const COMMON_ANCHORS: [&str; 4] = [
    "2026-12-27T23:00:00Z",
    "2027-01-03T22:00:00Z",
    "2026-12-31T23:00:00Z",
    "2027-03-31T22:00:00Z",
];

const PERIODS: [&str; 5] = ["day", "week", "month", "quarter", "year"];

/// A generated policy and what its log generator needs to know.
#[derive(Clone, Debug)]
pub struct Generated {
    pub text: String,
    pub tz: Tz,
    pub anchors: Vec<&'static str>,
    /// `EUR` or `JPY`.
    pub currency: &'static str,
    /// Which constructs it uses, for the coverage count.
    pub features: Vec<&'static str>,
    /// Whether it reads roster columns (`x.by.team`, `person.level`), so
    /// needs `--people`.
    pub reads_roster: bool,
}

struct Gen<'c> {
    c: &'c mut Choices,
    cur: &'static str,
    /// The currency of `tips`.
    other: &'static str,
    /// The accounts declared: `bonus` always, the others when chosen (a
    /// policy with money accounts only streams at the currency's scale,
    /// one with points or durations at ten places).
    accounts: Vec<Account>,
    features: Vec<&'static str>,
    reads_roster: bool,
    /// Dates near the log's records (`2027-03-28`), for change dates and
    /// windows that records fall on both sides of.
    dates: Vec<&'static str>,
}

/// Generates a policy from `c`.
pub fn policy(c: &mut Choices) -> Generated {
    let (zone, zone_anchors) = c.pick(&ZONES);
    let currency = c.pick(&["EUR", "JPY"]);
    let half_up = c.flag(30);
    let tz: Tz = zone.parse().unwrap_or(Tz::UTC);
    let other = if currency == "EUR" { "JPY" } else { "EUR" };
    let mut accounts = vec![Account::Bonus];
    if c.flag(60) {
        accounts.push(Account::Rep);
    }
    if c.flag(60) {
        accounts.push(Account::TimeOff);
    }
    if c.flag(30) {
        accounts.push(Account::Tips);
    }
    let mut g = Gen {
        c,
        cur: currency,
        other,
        accounts: accounts.clone(),
        features: Vec::new(),
        reads_roster: false,
        dates: zone_anchors
            .iter()
            .chain(COMMON_ANCHORS.iter())
            .filter_map(|a| a.get(..10))
            .collect(),
    };
    g.feature(zone);
    g.feature(currency);
    let mut text = format!("policy \"generated\" {{\n  timezone \"{zone}\"\n");
    if half_up {
        g.feature("rounding half_up");
        text.push_str("  rounding half_up\n");
    }
    text.push_str("}\n");
    text.push_str(&format!(
        "contribution sale {{ amount: Money({currency}), n: Int }}\n\
         contribution task {{ hours: Duration, n: Int, tag: one of \"a\", \"b\", ok: Bool }}\n\
         contribution like {{}}\n\
         reward bonus: Money({currency})\n\
         badge star\n\
         person {{ team: one of \"red\", \"blue\", level: Int }}\n"
    ));
    for account in &accounts {
        let ty = match account {
            Account::Bonus => continue,
            Account::Rep => "Points".to_string(),
            Account::TimeOff => "Duration".to_string(),
            Account::Tips => format!("Money({other})"),
        };
        g.feature(match account {
            Account::Rep => "points account",
            Account::TimeOff => "duration account",
            _ => "second currency",
        });
        text.push_str(&format!("reward {}: {ty}\n", account.name()));
    }
    if accounts.len() == 1 {
        g.feature("money accounts only");
    }
    let rate = if currency == "EUR" {
        "0.015 EUR"
    } else {
        "1.5 JPY"
    };
    let changed_rate = if currency == "EUR" {
        "0.02 EUR"
    } else {
        "2 JPY"
    };
    for (name, value, changed) in [
        ("rate", rate, changed_rate),
        ("k", "3", "4"),
        ("bump", "2.5 pts", "3 pts"),
    ] {
        if g.c.flag(30) {
            // Changes once, on a date records fall on both sides of; the
            // first line is in force before every record.
            g.feature("dated value");
            let date = g.pick_date();
            text.push_str(&format!(
                "let {name} {{\n  from 2020-01-01: {value} \"first\"\n  from {date}: {changed}\n}}\n"
            ));
        } else {
            text.push_str(&format!("let {name} = {value}\n"));
        }
    }

    // Rules: `(name, account granted)`.
    let mut rules: Vec<(String, Option<Account>)> = Vec::new();
    let count = 1 + g.c.below(6);
    for i in 0..count {
        let name = format!("r{i}");
        let (body, account) = g.rule();
        text.push_str(&format!("rule {name} {{\n{body}}}\n"));
        rules.push((name, account));
    }
    for _ in 0..g.c.below(4) {
        text.push_str(&g.limit(&rules));
    }
    for i in 0..g.c.below(3) {
        text.push_str(&g.pool(i));
    }
    let mut anchors: Vec<&'static str> = zone_anchors.to_vec();
    anchors.extend(COMMON_ANCHORS);
    let reads_roster = g.reads_roster;
    let mut features = g.features;
    features.sort_unstable();
    features.dedup();
    Generated {
        text,
        tz,
        anchors,
        currency,
        features,
        reads_roster,
    }
}

impl Gen<'_> {
    fn feature(&mut self, name: &'static str) {
        self.features.push(name);
    }

    /// A rule's body and the account it grants (`None` for a badge).
    fn rule(&mut self) -> (String, Option<Account>) {
        let each = self.c.flag(35);
        let (trigger, ctx) = if each {
            let period = self.c.pick(&PERIODS);
            self.feature("each rule");
            self.feature(match period {
                "day" => "each per day",
                "week" => "each per week",
                "month" => "each per month",
                "quarter" => "each per quarter",
                _ => "each per year",
            });
            (format!("  each person per {period}\n"), Ctx::Group)
        } else {
            let kind = self.c.pick(&Kind::ALL);
            self.feature("on rule");
            (
                format!("  on {} {}\n", kind.name(), kind.binding()),
                Ctx::Record(kind),
            )
        };
        let mut body = trigger;
        if self.c.flag(15) {
            self.feature("rule window");
            body.push_str(&self.window());
        }
        if self.c.flag(50) {
            self.feature("when");
            let condition = self.expr(Ty::Bool, ctx, 2);
            body.push_str(&format!("  when {condition}\n"));
        }
        if self.c.flag(12) {
            self.feature("award");
            body.push_str("  award star\n");
            return (body, None);
        }
        let account = self.pick_account();
        let amount = if self.c.flag(15) {
            // A negative grant, on purpose.
            self.feature("negative grant");
            let inner = self.expr(account.ty(), ctx, 1);
            format!("-({inner})")
        } else {
            self.expr(account.ty(), ctx, 3)
        };
        body.push_str(&format!("  grant {} {amount}\n", account.name()));
        (body, Some(account))
    }

    /// A date near the records.
    fn pick_date(&mut self) -> &'static str {
        let i = self.c.below(self.dates.len());
        self.dates.get(i).copied().unwrap_or("2027-01-01")
    }

    /// `  from D1 until D2` (either end alone, sometimes), dates near the
    /// records, in order.
    fn window(&mut self) -> String {
        let (a, b) = (self.pick_date(), self.pick_date());
        let (from, until) = if a <= b { (a, b) } else { (b, a) };
        match self.c.below(4) {
            0 => format!("  from {from}\n"),
            1 => format!("  until {until}\n"),
            _ => format!("  from {from} until {until}\n"),
        }
    }

    /// `limit ACCOUNT [from RULES] at most CAP per person per PERIOD`.
    fn limit(&mut self, rules: &[(String, Option<Account>)]) -> String {
        let account = self.pick_account();
        let granting: Vec<&str> = rules
            .iter()
            .filter(|(_, a)| *a == Some(account))
            .map(|(n, _)| n.as_str())
            .collect();
        let mut from = String::new();
        if !granting.is_empty() && self.c.flag(50) {
            let mut chosen: Vec<&str> = granting
                .iter()
                .copied()
                .filter(|_| self.c.flag(50))
                .collect();
            if chosen.is_empty() {
                chosen.push(granting[self.c.below(granting.len())]);
            }
            self.feature("limit from");
            from = format!(" from {}", chosen.join(", "));
        } else {
            self.feature("limit");
        }
        let cap = self.cap(account.ty());
        let period = self.c.pick(&PERIODS);
        self.feature(match period {
            "day" => "limit per day",
            "week" => "limit per week",
            "month" => "limit per month",
            "quarter" => "limit per quarter",
            _ => "limit per year",
        });
        format!(
            "limit {}{from} at most {cap} per person per {period}\n",
            account.name()
        )
    }

    fn pick_account(&mut self) -> Account {
        let i = self.c.below(self.accounts.len());
        self.accounts[i]
    }

    /// The currency of a money type.
    fn cur_of(&self, ty: Ty) -> &'static str {
        if ty == Ty::Tips { self.other } else { self.cur }
    }

    fn cap(&mut self, ty: Ty) -> String {
        if self.c.flag(10) && ty != Ty::Tips {
            // A constant expression as the cap.
            return match ty {
                Ty::Money => "rate * 200".to_string(),
                Ty::Pts => "bump * k".to_string(),
                _ => "2h + 30min".to_string(),
            };
        }
        let eur = ["10 EUR", "2.555 EUR", "0.5 EUR", "25 EUR", "1 EUR", "0 EUR"];
        let jpy = ["100 JPY", "1000 JPY", "2.5 JPY", "10 JPY", "0 JPY"];
        match ty {
            Ty::Money | Ty::Tips if self.cur_of(ty) == "EUR" => self.c.pick(&eur).to_string(),
            Ty::Money | Ty::Tips => self.c.pick(&jpy).to_string(),
            Ty::Pts => self
                .c
                .pick(&["5 pts", "0.5 pts", "100 pts", "7.25 pts"])
                .to_string(),
            _ => self.c.pick(&["1h", "90min", "8h", "10min"]).to_string(),
        }
    }

    /// `pool pN { grant ACCOUNT AMOUNT per PERIOD  split by SCORE }`.
    fn pool(&mut self, i: usize) -> String {
        let account = if self.c.flag(50) {
            self.pick_account()
        } else {
            Account::Bonus
        };
        let amount = match account {
            Account::Bonus | Account::Tips if self.cur_of(account.ty()) == "EUR" => {
                self.c
                    .pick(&["100 EUR", "0.07 EUR", "1000 EUR", "10.01 EUR"])
            }
            Account::Bonus | Account::Tips => self.c.pick(&["7 JPY", "1000 JPY", "100 JPY"]),
            Account::Rep => self.c.pick(&["10 pts", "7 pts", "0.5 pts"]),
            Account::TimeOff => self.c.pick(&["60min", "7min", "1.5h"]),
        };
        let period = self.c.pick(&PERIODS);
        self.feature(match period {
            "day" => "pool per day",
            "week" => "pool per week",
            "month" => "pool per month",
            "quarter" => "pool per quarter",
            _ => "pool per year",
        });
        let score = if self.c.flag(50) {
            self.feature("split by aggregate");
            let ty = self
                .c
                .pick(&[Ty::Int, Ty::Dec, Ty::Money, Ty::Pts, Ty::Dur]);
            self.expr(ty, Ctx::Pool, 2)
        } else {
            self.feature("split by total()");
            let of = self.pick_account();
            format!("total({})", of.name())
        };
        let window = if self.c.flag(15) {
            self.feature("pool window");
            self.window()
        } else {
            String::new()
        };
        format!(
            "pool p{i} {{\n  grant {} {amount} per {period}\n{window}  split by {score}\n}}\n",
            account.name()
        )
    }

    /// An expression of type `ty` in `ctx`, at most `depth` operators deep.
    fn expr(&mut self, ty: Ty, ctx: Ctx, depth: usize) -> String {
        if depth == 0 || !self.c.flag(60) {
            return self.leaf(ty, ctx);
        }
        let d = depth - 1;
        match ty {
            Ty::Bool => self.condition(ctx, d),
            Ty::Int => match self.c.below(7) {
                0 => format!(
                    "({} + {})",
                    self.expr(Ty::Int, ctx, d),
                    self.expr(Ty::Int, ctx, d)
                ),
                1 => format!(
                    "({} - {})",
                    self.expr(Ty::Int, ctx, d),
                    self.expr(Ty::Int, ctx, d)
                ),
                2 => format!(
                    "({} * {})",
                    self.expr(Ty::Int, ctx, d),
                    self.expr(Ty::Int, ctx, d)
                ),
                3 => self.call2(Ty::Int, ctx, d),
                4 => self.call1(Ty::Int, ctx, d),
                5 => self.if_expr(Ty::Int, ctx, d),
                _ => format!("(-{})", self.expr(Ty::Int, ctx, d)),
            },
            Ty::Dec => match self.c.below(8) {
                0 => format!("({} + {})", self.expr(Ty::Dec, ctx, d), self.number(ctx, d)),
                1 => format!("({} * {})", self.number(ctx, d), self.expr(Ty::Dec, ctx, d)),
                2 => {
                    self.feature("division");
                    format!(
                        "({} / {})",
                        self.expr(Ty::Int, ctx, d),
                        self.divisor(Ty::Int, ctx, d)
                    )
                }
                3 => {
                    self.feature("ratio of amounts");
                    let q = self.c.pick(&[Ty::Money, Ty::Pts, Ty::Dur, Ty::Tips]);
                    format!("({} / {})", self.expr(q, ctx, d), self.divisor(q, ctx, d))
                }
                4 => self.call1(Ty::Dec, ctx, d),
                5 => self.if_expr(Ty::Dec, ctx, d),
                6 => self.tiers(Ty::Dec, ctx, d),
                _ => self.call2(Ty::Dec, ctx, d),
            },
            q => match self.c.below(11) {
                0 => format!("({} + {})", self.expr(q, ctx, d), self.expr(q, ctx, d)),
                1 => format!("({} - {})", self.expr(q, ctx, d), self.expr(q, ctx, d)),
                2 => format!("({} * {})", self.expr(q, ctx, d), self.number(ctx, d)),
                3 => format!("({} * {})", self.number(ctx, d), self.expr(q, ctx, d)),
                4 => {
                    self.feature("division");
                    format!(
                        "({} / {})",
                        self.expr(q, ctx, d),
                        self.divisor(Ty::Int, ctx, d)
                    )
                }
                5 => format!("(-{})", self.expr(q, ctx, d)),
                6 => self.call2(q, ctx, d),
                7 => self.call1(q, ctx, d),
                8 => self.if_expr(q, ctx, d),
                _ => self.tiers(q, ctx, d),
            },
        }
    }

    /// An `Int` or a `Decimal`.
    fn number(&mut self, ctx: Ctx, depth: usize) -> String {
        let ty = self.c.pick(&[Ty::Dec, Ty::Int]);
        self.expr(ty, ctx, depth)
    }

    /// What to divide by: mostly a literal that is not zero; sometimes any
    /// expression, which may be zero (both evaluators must then fail).
    fn divisor(&mut self, ty: Ty, ctx: Ctx, depth: usize) -> String {
        if self.c.flag(10) {
            self.feature("division by an expression");
            return self.expr(ty, ctx, depth);
        }
        match ty {
            Ty::Int => self.c.pick(&["3", "7", "2", "k"]).to_string(),
            Ty::Money if self.cur == "EUR" => {
                self.c.pick(&["3 EUR", "0.07 EUR", "rate"]).to_string()
            }
            Ty::Money => self.c.pick(&["3 JPY", "7 JPY", "rate"]).to_string(),
            Ty::Tips if self.other == "EUR" => self.c.pick(&["3 EUR", "0.07 EUR"]).to_string(),
            Ty::Tips => self.c.pick(&["3 JPY", "7 JPY"]).to_string(),
            Ty::Pts => self.c.pick(&["3 pts", "bump"]).to_string(),
            _ => self.c.pick(&["45min", "1h"]).to_string(),
        }
    }

    fn call1(&mut self, ty: Ty, ctx: Ctx, depth: usize) -> String {
        let f = self.c.pick(&["abs", "round", "floor", "ceil"]);
        self.feature("abs/round/floor/ceil");
        format!("{f}({})", self.expr(ty, ctx, depth))
    }

    fn call2(&mut self, ty: Ty, ctx: Ctx, depth: usize) -> String {
        let f = self.c.pick(&["min", "max"]);
        self.feature("min/max of two");
        format!(
            "{f}({}, {})",
            self.expr(ty, ctx, depth),
            self.expr(ty, ctx, depth)
        )
    }

    fn if_expr(&mut self, ty: Ty, ctx: Ctx, depth: usize) -> String {
        self.feature("if");
        if self.c.flag(25) {
            // A chain, unparenthesised: `else if`.
            self.feature("else if");
            return format!(
                "(if {} then {} else if {} then {} else {})",
                self.expr(Ty::Bool, ctx, depth),
                self.expr(ty, ctx, depth),
                self.expr(Ty::Bool, ctx, depth),
                self.expr(ty, ctx, depth),
                self.expr(ty, ctx, depth)
            );
        }
        format!(
            "(if {} then {} else {})",
            self.expr(Ty::Bool, ctx, depth),
            self.expr(ty, ctx, depth),
            self.expr(ty, ctx, depth)
        )
    }

    /// `tiers (SUBJECT) { up to B1: R1 [up to B2: R2] above: R }`: the
    /// subject is a quantity of type `ty`, or an `Int` for a `Decimal`.
    fn tiers(&mut self, ty: Ty, ctx: Ctx, depth: usize) -> String {
        self.feature("tiers");
        let subject_ty = if ty == Ty::Dec { Ty::Int } else { ty };
        let subject = self.expr(subject_ty, ctx, depth);
        let first = self.c.pick(&[1u32, 5, 10, 100]);
        let mut bounds = vec![first];
        if self.c.flag(50) {
            bounds.push(first + self.c.pick(&[1u32, 4, 50, 900]));
        }
        let mut text = format!("tiers ({subject}) {{");
        for b in bounds {
            let bound = match subject_ty {
                Ty::Money | Ty::Tips => format!("{b} {}", self.cur_of(subject_ty)),
                Ty::Pts => format!("{b} pts"),
                Ty::Dur => format!("{b}min"),
                _ => b.to_string(),
            };
            let rate = self.rate();
            text.push_str(&format!(" up to {bound}: {rate}"));
        }
        let rate = self.rate();
        text.push_str(&format!(" above: {rate} }}"));
        text
    }

    fn rate(&mut self) -> String {
        self.c
            .pick(&["10%", "0.5", "1.25", "0", "-0.5", "0.333", "15%"])
            .to_string()
    }

    /// A condition.
    fn condition(&mut self, ctx: Ctx, depth: usize) -> String {
        match self.c.below(5) {
            0 => {
                let ty = self
                    .c
                    .pick(&[Ty::Int, Ty::Dec, Ty::Money, Ty::Pts, Ty::Dur, Ty::Tips]);
                let op = self.c.pick(&["==", "!=", "<", "<=", ">", ">="]);
                format!(
                    "{} {op} {}",
                    self.expr(ty, ctx, depth),
                    self.expr(ty, ctx, depth)
                )
            }
            1 => format!(
                "({} and {})",
                self.expr(Ty::Bool, ctx, depth),
                self.expr(Ty::Bool, ctx, depth)
            ),
            2 => format!(
                "({} or {})",
                self.expr(Ty::Bool, ctx, depth),
                self.expr(Ty::Bool, ctx, depth)
            ),
            3 => format!("(not {})", self.expr(Ty::Bool, ctx, depth)),
            _ => self.leaf(Ty::Bool, ctx),
        }
    }

    /// A name, a literal, a field or an aggregate of type `ty`.
    fn leaf(&mut self, ty: Ty, ctx: Ctx) -> String {
        match ctx {
            Ctx::Record(kind) if self.c.flag(60) => {
                if let Some(field) = self.field(ty, kind) {
                    return field;
                }
            }
            Ctx::Group | Ctx::Pool if matches!(ty, Ty::Int | Ty::Bool) && self.c.flag(12) => {
                return self.roster_column(ty, "person");
            }
            Ctx::Group | Ctx::Pool if ty != Ty::Bool && self.c.flag(70) => {
                let account = self.accounts.iter().copied().find(|a| a.ty() == ty);
                if let Some(account) = account.filter(|_| ctx == Ctx::Pool && self.c.flag(40)) {
                    self.feature("total() in an expression");
                    return format!("total({})", account.name());
                }
                if let Some(aggregate) = self.aggregate(ty) {
                    return aggregate;
                }
            }
            _ => {}
        }
        self.literal(ty, ctx)
    }

    /// A field of `kind` (of the binding `kind.binding()`) of type `ty`.
    fn field(&mut self, ty: Ty, kind: Kind) -> Option<String> {
        let b = kind.binding();
        if matches!(ty, Ty::Int | Ty::Bool) && self.c.flag(15) {
            return Some(self.roster_column(ty, &format!("{b}.by")));
        }
        match (ty, kind) {
            (Ty::Int, k) if k.has_n() => Some(format!("{b}.n")),
            (Ty::Money, Kind::Sale) => Some(format!("{b}.amount")),
            (Ty::Dur, Kind::Task) => Some(format!("{b}.hours")),
            (Ty::Bool, Kind::Task) => Some(match self.c.below(3) {
                0 => format!("{b}.ok"),
                1 => format!("{b}.tag == \"a\""),
                _ => format!("{b}.tag != \"b\""),
            }),
            (Ty::Bool, _) if self.c.flag(15) => {
                self.feature("record id compared");
                let op = self.c.pick(&["==", "!="]);
                let id = self.c.pick(&["a0", "b1", "B2", "x_3"]);
                Some(format!("{b}.id {op} \"{id}\""))
            }
            (Ty::Bool, _) => {
                self.feature("record time compared");
                let op = self.c.pick(&["<", ">="]);
                let when = self.c.pick(&[
                    "2027-01-01",
                    "2027-03-28T02:30:00+01:00",
                    "2026-12-28",
                    "2027-04-01",
                ]);
                Some(format!("{b}.at {op} {when}"))
            }
            _ => None,
        }
    }

    /// A roster column of the person `who` (`s.by`, `person`): `level`
    /// (`Int`) or a test of `team` (`Bool`).
    fn roster_column(&mut self, ty: Ty, who: &str) -> String {
        self.reads_roster = true;
        self.feature("roster column");
        if ty == Ty::Int {
            return format!("{who}.level");
        }
        let op = self.c.pick(&["==", "!="]);
        let team = self.c.pick(&["red", "blue"]);
        format!("{who}.team {op} \"{team}\"")
    }

    /// An aggregate of type `ty` over a kind, with or without `where`.
    fn aggregate(&mut self, ty: Ty) -> Option<String> {
        let kind = match ty {
            Ty::Money => Kind::Sale,
            Ty::Dur => Kind::Task,
            _ => self.c.pick(&Kind::ALL),
        };
        let (k, b) = (kind.name(), kind.binding());
        let filter = if self.c.flag(40) {
            self.feature("aggregate where");
            let c = self.expr(Ty::Bool, Ctx::Record(kind), 1);
            format!(" {b} where {c}")
        } else {
            String::new()
        };
        match ty {
            Ty::Int if !kind.has_n() || self.c.flag(40) => {
                self.feature("count");
                Some(format!("count({k}{filter})"))
            }
            Ty::Int | Ty::Money | Ty::Dur => {
                let field = match ty {
                    Ty::Int => "n",
                    Ty::Money => "amount",
                    _ => "hours",
                };
                let measure = if filter.is_empty() {
                    format!(".{field}")
                } else {
                    format!("{filter}: {b}.{field}")
                };
                match self.c.below(3) {
                    0 => {
                        self.feature("sum");
                        Some(format!("sum({k}{measure})"))
                    }
                    f => {
                        self.feature("min/max aggregate with else");
                        let fallback = self.literal(ty, Ctx::Constant);
                        let name = if f == 1 { "min" } else { "max" };
                        Some(format!("{name}({k}{measure} else {fallback})"))
                    }
                }
            }
            Ty::Pts if kind.has_n() => {
                // A measure that is an expression.
                self.feature("sum of an expression");
                let with = if filter.is_empty() {
                    format!(" {b}")
                } else {
                    filter
                };
                Some(format!("sum({k}{with}: {b}.n * 1.5 pts)"))
            }
            _ => None,
        }
    }

    fn literal(&mut self, ty: Ty, ctx: Ctx) -> String {
        let eur = [
            "1 EUR",
            "0 EUR",
            "2.50 EUR",
            "0.005 EUR",
            "12.345 EUR",
            "100 EUR",
            "rate",
        ];
        let jpy = [
            "1 JPY", "0 JPY", "5 JPY", "0.5 JPY", "1250 JPY", "3 JPY", "rate",
        ];
        let _ = ctx;
        if self.c.flag(1) {
            // Large enough that arithmetic on it may overflow: both
            // evaluators must then fail.
            self.feature("huge literal");
            return match ty {
                Ty::Int => "4611686018427387904",
                Ty::Dec => "7922816251426433759354395.0",
                Ty::Money | Ty::Tips if self.cur_of(ty) == "EUR" => {
                    "79228162514264337593543950 EUR"
                }
                Ty::Money | Ty::Tips => "79228162514264337593543950 JPY",
                Ty::Pts => "79228162514264337593543950 pts",
                Ty::Dur => "79228162514264337593543950min",
                Ty::Bool => "true",
            }
            .to_string();
        }
        match ty {
            Ty::Int => self.c.pick(&["1", "0", "2", "3", "7", "50", "k"]),
            Ty::Dec => self
                .c
                .pick(&["0.5", "1.0", "0.37", "10%", "0.015", "2.5", "0.333"]),
            Ty::Money if self.cur == "EUR" => self.c.pick(&eur),
            Ty::Money => self.c.pick(&jpy),
            Ty::Tips if self.other == "EUR" => self.c.pick(&eur[..6]),
            Ty::Tips => self.c.pick(&jpy[..6]),
            Ty::Pts => self
                .c
                .pick(&["1 pts", "0 pts", "2.5 pts", "15 pts", "0.1 pts", "bump"]),
            Ty::Dur => self
                .c
                .pick(&["30min", "0min", "1.5h", "10h", "90min", "45min"]),
            Ty::Bool => self.c.pick(&["true", "false"]),
        }
        .to_string()
    }
}
