//! Parser tests: one snapshot per input file (`inputs/parse/ok` prints the
//! tree compactly, `inputs/parse/err` prints the rendered diagnostic), and
//! precedence tests that print expressions fully parenthesised.

use meed::render::diagnostic::render_plain;
use meed::source::SourceFile;
use meed::syntax::ast::{
    Action, Aggregate, Expect, Expr, ExprKind, FieldDecl, FieldValue, Given, Item, Literal,
    Measure, PolicyFile, Trigger, TypeExpr, UnaryOp,
};
use meed::syntax::{parse_expr, parse_policy};

// ───────────────────────── a compact printer ─────────────────────────

/// An expression with every operation in parentheses: `(a + (b * c))`.
fn show(expr: &Expr) -> String {
    match &expr.node {
        ExprKind::Literal(literal) => show_literal(literal),
        ExprKind::Name(name) => name.clone(),
        ExprKind::Field { base, field } => format!("{}.{}", show(base), field.node),
        ExprKind::Unary { op, operand } => match op.node {
            UnaryOp::Neg => format!("(-{})", show(operand)),
            UnaryOp::Not => format!("(not {})", show(operand)),
        },
        ExprKind::Binary { op, lhs, rhs } => {
            format!("({} {} {})", show(lhs), op.node.symbol(), show(rhs))
        }
        ExprKind::If {
            condition,
            then_branch,
            else_branch,
        } => format!(
            "(if {} then {} else {})",
            show(condition),
            show(then_branch),
            show(else_branch)
        ),
        ExprKind::Call { function, args } => {
            let args: Vec<String> = args.iter().map(show).collect();
            format!("{}({})", function.node, args.join(", "))
        }
        ExprKind::Aggregate(aggregate) => show_aggregate(aggregate),
        ExprKind::Tiers(tiers) => {
            let mut out = format!("tiers {} {{", show(&tiers.subject));
            for bracket in &tiers.brackets {
                out += &format!(" up to {}: {}", show(&bracket.bound), show(&bracket.rate));
            }
            out + &format!(" above: {} }}", show(&tiers.above))
        }
    }
}

fn show_aggregate(a: &Aggregate) -> String {
    let mut out = format!("{}({}", a.function.node.name(), a.kind.node);
    if let Some(binding) = &a.binding {
        out += &format!(" {}", binding.node);
    }
    if let Some(filter) = &a.filter {
        out += &format!(" where {}", show(filter));
    }
    match &a.measure {
        Some(Measure::Field(field)) => out += &format!(".{}", field.node),
        Some(Measure::Expr(expr)) => out += &format!(": {}", show(expr)),
        None => {}
    }
    if let Some(fallback) = &a.fallback {
        out += &format!(" else {}", show(fallback));
    }
    out + ")"
}

fn show_literal(literal: &Literal) -> String {
    match literal {
        Literal::Int(i) => format!("{i}"),
        Literal::Decimal(d) => format!("{d}"),
        Literal::Percent(d) => format!("{d}%"),
        Literal::Bool(b) => format!("{b}"),
        Literal::Text(t) => format!("{t:?}"),
        Literal::Money { amount, currency } => format!("{amount} {currency}"),
        Literal::Duration { amount, unit } => format!("{amount}{}", unit.suffix()),
        Literal::Points(d) => format!("{d} pts"),
        Literal::Date(d) => format!("date {d}"),
        Literal::Timestamp(t) => format!("time {}", t.to_rfc3339()),
    }
}

fn show_type(ty: &TypeExpr) -> String {
    match ty {
        TypeExpr::OneOf(values) => {
            let values: Vec<String> = values.iter().map(|v| format!("{:?}", v.node)).collect();
            format!("one of {}", values.join(", "))
        }
        TypeExpr::Money(code) => format!("Money({})", code.node),
        other => format!("{other:?}"),
    }
}

fn show_fields(fields: &[FieldDecl]) -> String {
    let fields: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.name.node, show_type(&f.ty.node)))
        .collect();
    fields.join(", ")
}

fn show_values(fields: &[FieldValue]) -> String {
    let fields: Vec<String> = fields
        .iter()
        .map(|f| format!("{}: {}", f.name.node, show(&f.value)))
        .collect();
    fields.join(", ")
}

fn show_item(item: &Item) -> String {
    match item {
        Item::Policy(p) => format!(
            "policy {:?} timezone={:?} rounding={:?}",
            p.title.node,
            p.timezone.as_ref().map(|t| &t.node),
            p.rounding.as_ref().map(|r| r.node)
        ),
        Item::Person(p) => format!("person {{ {} }}", show_fields(&p.fields)),
        Item::Contribution(k) => format!(
            "contribution {} {{ {} }}",
            k.name.node,
            show_fields(&k.fields)
        ),
        Item::Reward(r) => format!("reward {}: {}", r.name.node, show_type(&r.ty.node)),
        Item::Badge(b) => format!(
            "badge {} {:?}",
            b.name.node,
            b.title.as_ref().map(|t| &t.node)
        ),
        Item::Let(l) => match &l.value {
            meed::syntax::ast::LetValue::Fixed(value) => {
                format!("let {} = {}", l.name.node, show(value))
            }
            meed::syntax::ast::LetValue::Dated(lines) => {
                let lines: Vec<String> = lines
                    .iter()
                    .map(|line| {
                        format!(
                            "\n  from {:?}: {} {:?}",
                            line.from.node,
                            show(&line.value),
                            line.source.as_ref().map(|s| &s.node)
                        )
                    })
                    .collect();
                format!("let {} {{{}\n}}", l.name.node, lines.concat())
            }
        },
        Item::Rule(r) => {
            let trigger = match &r.trigger {
                Trigger::On { kind, binding, .. } => format!("on {} {}", kind.node, binding.node),
                Trigger::Each { period, .. } => format!("each person per {}", period.node),
            };
            let condition = r
                .condition
                .as_ref()
                .map(|c| format!("\n  when {}", show(c)))
                .unwrap_or_default();
            let action = match &r.action {
                Action::Grant {
                    account, amount, ..
                } => {
                    format!("grant {} {}", account.node, show(amount))
                }
                Action::Award { badge, .. } => format!("award {}", badge.node),
            };
            let window = r
                .window
                .as_ref()
                .map(|w| {
                    format!(
                        "\n  window {:?} {:?}",
                        w.from.as_ref().map(|d| d.node),
                        w.until.as_ref().map(|d| d.node)
                    )
                })
                .unwrap_or_default();
            format!(
                "rule {} {{\n  {trigger}{window}{condition}\n  {action}\n}}",
                r.name.node
            )
        }
        Item::Limit(l) => {
            let from: Vec<&str> = l.from.iter().map(|f| f.node.as_str()).collect();
            format!(
                "limit {} from [{}] at most {} per person per {}",
                l.account.node,
                from.join(", "),
                show(&l.cap),
                l.period.node
            )
        }
        Item::Pool(p) => format!(
            "pool {} {{ grant {} {} per {} split by {} }}",
            p.name.node,
            p.account.node,
            show(&p.amount),
            p.period.node,
            show(&p.split_by)
        ),
        Item::Import(i) => format!("import {:?}", i.path.node),
        Item::Test(t) => {
            let mut out = format!("test {:?} {{", t.name.node);
            for given in &t.given {
                out += &match given {
                    Given::Contribution(c) => format!(
                        "\n  given {} {:?} by {:?} at {} {{ {} }}",
                        c.kind.node,
                        c.id.node,
                        c.who.node,
                        show_literal(&c.at.node),
                        show_values(&c.fields)
                    ),
                    Given::Person(p) => {
                        format!(
                            "\n  given person {:?} {{ {} }}",
                            p.who.node,
                            show_values(&p.fields)
                        )
                    }
                };
            }
            for expect in &t.expects {
                out += &match expect {
                    Expect::Account {
                        who,
                        account,
                        value,
                        ..
                    } => format!(
                        "\n  expect {:?} {} = {}",
                        who.node,
                        account.node,
                        show(value)
                    ),
                    Expect::Badge {
                        who, badge, times, ..
                    } => format!(
                        "\n  expect {:?} badge {} times={:?}",
                        who.node,
                        badge.node,
                        times.as_ref().map(|t| t.node)
                    ),
                };
            }
            out + "\n}"
        }
    }
}

/// The whole file: one declaration per paragraph, then the comments with
/// the text they span (to check comment spans).
fn show_file(policy: &PolicyFile, text: &str) -> String {
    let mut out = String::new();
    for item in &policy.items {
        out += &show_item(item);
        out += "\n";
    }
    out += "--- comments\n";
    for comment in &policy.comments {
        let spanned = text
            .get(comment.span.start..comment.span.end)
            .unwrap_or("<bad span>");
        out += &format!("{:?} at {spanned:?}\n", comment.text);
    }
    out
}

// ───────────────────────── snapshot tests ─────────────────────────

#[test]
fn valid_policies() {
    insta::glob!("inputs/parse/ok/*.meed", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let source = SourceFile::new(
            path.file_name().unwrap_or_default().to_string_lossy(),
            text.clone(),
        );
        let shown = match parse_policy(&source) {
            Ok(policy) => show_file(&policy, &text),
            Err(error) => format!("UNEXPECTED ERROR\n{}", render_plain(&error)),
        };
        insta::assert_snapshot!(shown);
    });
}

#[test]
fn invalid_policies() {
    insta::glob!("inputs/parse/err/*.meed", |path| {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let source = SourceFile::new(path.file_name().unwrap_or_default().to_string_lossy(), text);
        let shown = match parse_policy(&source) {
            Ok(_) => "UNEXPECTED SUCCESS".to_string(),
            Err(error) => render_plain(&error),
        };
        insta::assert_snapshot!(shown);
    });
}

// ───────────────────────── precedence ─────────────────────────

fn parenthesised(text: &str) -> String {
    match parse_expr(&SourceFile::new("expr", text)) {
        Ok(expr) => show(&expr),
        Err(error) => format!("error: {error}"),
    }
}

macro_rules! precedence {
    ($($name:ident: $input:expr => $expected:expr;)*) => {
        $(
            #[test]
            fn $name() {
                assert_eq!(parenthesised($input), $expected, "input: {}", $input);
            }
        )*
    };
}

precedence! {
    if_else_extends_right: "if c then 6 pts else 1 pts + x" => "(if c then 6 pts else (1 pts + x))";
    mul_before_add: "a + b * c" => "(a + (b * c))";
    add_left_assoc: "a - b - c" => "((a - b) - c)";
    div_left_assoc: "a / b / c" => "((a / b) / c)";
    not_before_and: "not a and b" => "((not a) and b)";
    and_before_or: "a or b and c" => "(a or (b and c))";
    comparison_under_not: "not a == b" => "(not (a == b))";
    comparison_under_and: "a < b and c >= d" => "((a < b) and (c >= d))";
    neg_before_mul: "-x * y" => "((-x) * y)";
    neg_literal: "-2 pts" => "-2 pts";
    neg_money: "-0.50 EUR * 2" => "(-0.50 EUR * 2)";
    neg_paren_is_unary: "-(2)" => "(-2)";
    field_binds_tightest: "-r.by.status" => "(-r.by.status)";
    else_if_chain: "if a then 1 else if b then 2 else 3" => "(if a then 1 else (if b then 2 else 3))";
    if_inside_sum: "1 + if c then 2 else 3 + 4" => "(1 + (if c then 2 else (3 + 4)))";
    if_condition_is_full: "if a and b then x else y" => "(if (a and b) then x else y)";
    parens_win: "(a + b) * c" => "((a + b) * c)";
    parenthesised_comparison_compared: "(a < b) == c" => "((a < b) == c)";
    review_bonus: "5.00 EUR + review_rate * r.lines" => "(5.00 EUR + (review_rate * r.lines))";
    scalar_min: "min(a, b + 1)" => "min(a, (b + 1))";
    aggregate_min: "min(review.lines else 0)" => "min(review.lines else 0)";
    aggregate_count_where: "count(review r where r.lines > 10)" => "count(review r where (r.lines > 10))";
    aggregate_sum_measure: "sum(review r where r.repo == \"core\": r.lines)" => "sum(review r where (r.repo == \"core\"): r.lines)";
    aggregate_compared: "sum(mentoring.duration) >= 10h" => "(sum(mentoring.duration) >= 10h)";
    tiers_in_sum: "2 pts + tiers (rate * c.lines) { up to 10 pts: 10% above: 5% }" => "(2 pts + tiers (rate * c.lines) { up to 10 pts: 10% above: 5% })";
    tiers_times: "tiers s.amount { up to 500 EUR: 10% above: 15% } * 2" => "(tiers s.amount { up to 500 EUR: 10% above: 15% } * 2)";
    percent_and_duration: "90min * 10% + 1.5h" => "((90min * 10%) + 1.5h)";
    chained_comparison: "a < b < c" => "error: comparisons cannot be chained: `a < b < ...`";
    chained_equality: "a == b == c" => "error: comparisons cannot be chained: `a == b == ...`";
}

// ───────────────────────── robustness ─────────────────────────

/// The code of the error `text` produces, or "ok".
fn outcome(text: &str) -> String {
    match parse_policy(&SourceFile::new("bomb.meed", text)) {
        Ok(_) => "ok".to_string(),
        Err(error) => error.kind().code().to_string(),
    }
}

#[test]
fn deep_nesting_is_refused_not_overflowed() {
    let bombs = [
        format!("let x = {}1{}", "(".repeat(100_000), ")".repeat(100_000)),
        format!("let x = {}1", "-".repeat(100_000)),
        format!("let x = {}1", "- ".repeat(100_000)),
        format!("let x = {}a", "not ".repeat(100_000)),
        format!("let x = {}1", "if a then b else ".repeat(10_000)),
        format!("let x = {}1", "if ".repeat(10_000)),
        format!("let x = {}", "{".repeat(100_000)),
        format!("let x = tiers {}", "tiers ".repeat(10_000)),
    ];
    for bomb in &bombs {
        assert_eq!(
            outcome(bomb),
            "meed::too_deep",
            "{}",
            bomb.get(..40).unwrap_or("")
        );
    }
}

#[test]
fn long_flat_expressions_are_refused_before_they_get_deep() {
    let sum = format!("let x = {}1", "1 + ".repeat(100_000));
    assert_eq!(outcome(&sum), "meed::too_deep");
    let fields = format!("let x = a{}", ".b".repeat(100_000));
    assert_eq!(outcome(&fields), "meed::too_deep");
    let fine = format!("let x = {}1", "1 + ".repeat(100));
    assert_eq!(outcome(&fine), "ok");
}

proptest::proptest! {
    /// Any text made of meed's own pieces parses or fails, never panics.
    #[test]
    fn never_panics(pieces in proptest::collection::vec(proptest::sample::select(vec![
        "rule ", "r ", "{", "}", "(", ")", "on ", "review ", "grant ", "bonus ", "5 EUR", "-",
        "+", "*", " < ", "==", "if ", "then ", "else ", "not ", "and ", "tiers ", "up to ", ":",
        "above", "10%", "\"x\"", "\"", "\\", "#c\n", "\n", ",", ".", "lines", "2027-02-30",
        "2027-01-05T10:00:00Z", "99999999999999999999", "count(", "sum(", "min(", " where ",
        "else 0", "test ", "given ", "expect ", "= ", "person ", "per ", "month ", "limit ",
        "at most ", "pool ", "split by ", "é", "let x = ",
    ]), 0..40)) {
        let text: String = pieces.concat();
        let _ = parse_policy(&SourceFile::new("fuzz.meed", text.clone()));
        let _ = parse_expr(&SourceFile::new("fuzz.meed", text));
    }
}
