//! `meed fmt`: messy input → canonical output (one snapshot per file in
//! `inputs/fmt/`), idempotence and meaning preservation over every policy in
//! the repository, and a property test that prints random expression trees
//! and reads them back, proving the parenthesisation right.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test fails loudly"
)]

use std::path::{Path, PathBuf};

use meed::fmt::{format_policy, format_source};
use meed::source::SourceFile;
use meed::syntax::ast::PolicyFile;
use meed::syntax::parser::parse_policy;

fn parse(name: &str, text: &str) -> PolicyFile {
    parse_policy(&SourceFile::new(name, text))
        .unwrap_or_else(|e| panic!("`{name}` does not parse: {e:?}\n{text}"))
}

/// What a tree means: its JSON form without any span (nor comments, which
/// are not serialised).
///
/// The AST's derived `PartialEq` ignores the spans inside `Spanned` values
/// but not the plain `span: Span` fields of declarations, so trees read from
/// differently laid out texts would never compare equal.
fn meaning(policy: &PolicyFile) -> serde_json::Value {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.retain(|key, _| key != "span" && !key.ends_with("_span"));
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(policy).unwrap();
    strip(&mut value);
    value
}

fn format(name: &str, text: &str) -> String {
    format_source(&SourceFile::new(name, text))
        .unwrap_or_else(|e| panic!("`{name}` does not parse: {e:?}"))
}

/// The properties every formatted file has: it means what the input meant,
/// formatting it again changes nothing, every comment survives, and the
/// text is tidy.
fn assert_well_formatted(name: &str, input: &str, output: &str) {
    let before = parse(name, input);
    let after = parse(name, output);
    assert_eq!(
        meaning(&before),
        meaning(&after),
        "`{name}`: formatting changed the meaning\n{output}"
    );
    let again = format(name, output);
    assert!(
        again == output,
        "`{name}`: formatting twice changes the output\n{}",
        similar::TextDiff::from_lines(output, &again).unified_diff()
    );
    assert_eq!(
        before.comments.len(),
        after.comments.len(),
        "`{name}`: a comment was lost or split\n{output}"
    );
    for comment in &before.comments {
        assert!(
            output.contains(comment.text.trim_end()),
            "`{name}`: comment `#{}` lost\n{output}",
            comment.text
        );
    }
    assert!(
        output.is_empty() || (output.ends_with('\n') && !output.ends_with("\n\n")),
        "`{name}`: output must end with exactly one newline"
    );
    for (i, line) in output.lines().enumerate() {
        assert_eq!(
            line,
            line.trim_end(),
            "`{name}`: trailing blanks on line {}",
            i + 1
        );
    }
}

#[test]
fn snapshots() {
    insta::glob!("inputs/fmt/*.meed", |path| {
        let input = std::fs::read_to_string(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        let output = format(&name, &input);
        assert_well_formatted(&name, &input, &output);
        insta::assert_snapshot!(output);
    });
}

/// Every `.meed` file under `dir`, recursively.
fn meed_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            meed_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "meed") {
            found.push(path);
        }
    }
}

/// The whole corpus: every policy others add under `tests/inputs/`,
/// `rules/` and `examples/`, as `(name, text)`, except those that do not
/// parse (the parser's error cases).
fn corpus() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["tests/inputs", "rules", "examples"] {
        meed_files(&root.join(dir), &mut files);
    }
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            (path.display().to_string(), text)
        })
        .filter(|(name, text)| parse_policy(&SourceFile::new(name.clone(), text.clone())).is_ok())
        .collect()
}

#[test]
fn every_policy_in_the_repository_formats_faithfully() {
    let corpus = corpus();
    for (name, input) in &corpus {
        assert_well_formatted(name, input, &format(name, input));
    }
    assert!(
        corpus.len() >= 10,
        "only {} policies were formatted",
        corpus.len()
    );
}

#[test]
fn a_file_that_does_not_parse_is_an_error() {
    let source = SourceFile::new("bad.meed", "rule {\n");
    assert!(format_source(&source).is_err());
}

#[test]
fn an_empty_file_stays_empty() {
    assert_eq!(format("empty.meed", ""), "");
    assert_eq!(format("blank.meed", "\n\n  \n"), "");
    assert_eq!(
        format("comment.meed", "  # only a note   \n\n"),
        "# only a note\n"
    );
}

#[test]
fn crlf_line_endings_become_lf() {
    let input = "reward bonus: Money(EUR)  # money\r\nreward time_off: Duration\r\n";
    assert_eq!(
        format("crlf.meed", input),
        "reward bonus: Money(EUR)  # money\nreward time_off: Duration\n"
    );
}

/// One-line table tests: `expression as written` → `as printed`.
macro_rules! prints {
    ($name:ident, $input:expr, $expected:expr) => {
        #[test]
        fn $name() {
            let output = format("expr.meed", &format!("let x = {}\n", $input));
            assert_eq!(output, format!("let x = {}\n", $expected));
        }
    };
}

prints!(redundant_parens_go, "((1 + 2)) * (3)", "(1 + 2) * 3");
prints!(left_grouping_needs_none, "(a - b) - c", "a - b - c");
prints!(right_grouping_keeps_them, "a - (b - c)", "a - (b - c)");
prints!(division_right, "a / (b * c)", "a / (b * c)");
prints!(
    else_extends_right,
    "if c then 6 pts else (1 pts + x)",
    "if c then 6 pts else 1 pts + x"
);
prints!(
    if_as_operand,
    "(if c then 1 else 2) + x",
    "(if c then 1 else 2) + x"
);
prints!(not_over_comparison, "not (a == b)", "not a == b");
prints!(not_over_and, "not (a and b)", "not (a and b)");
prints!(comparison_of_not, "(not a) == b", "(not a) == b");
prints!(chained_comparison_kept, "(a < b) == c", "(a < b) == c");
prints!(negative_literal, "-2 pts * -( 3 )", "-2 pts * -(3)");
// Not `-(-x)`: two nesting levels per minus (see tests/regressions.rs).
prints!(negation_of_negation, "- (-x)", "- -x");
prints!(negated_field, "-(r.lines)", "-r.lines");
prints!(field_of_parens, "(a).b", "a.b");
prints!(
    calls,
    "min( a,b )+max(abs(c),round(d))",
    "min(a, b) + max(abs(c), round(d))"
);
prints!(
    scale_kept,
    "5.00 EUR + 0.020 * 1.5h",
    "5.00 EUR + 0.020 * 1.5h"
);
prints!(
    units_kept,
    "90min + 10% + 15pts + 3EUR",
    "90min + 10% + 15 pts + 3 EUR"
);
prints!(
    strings_escaped,
    r#""a \"b\" \\ c\n""#,
    r#""a \"b\" \\ c\n""#
);
prints!(
    timestamps,
    "2027-01-05T10:00:00+00:00 < 2027-01-05T10:00:00.5+02:00",
    "2027-01-05T10:00:00Z < 2027-01-05T10:00:00.500+02:00"
);
prints!(dates, "2027-01-05", "2027-01-05");
prints!(
    count_where,
    "count(review r where r.lines>10)",
    "count(review r where r.lines > 10)"
);
prints!(sum_field, "sum( review.lines )", "sum(review.lines)");
prints!(
    sum_measure,
    "sum(review r where r.repo==\"core\" : r.lines)",
    "sum(review r where r.repo == \"core\": r.lines)"
);
prints!(
    min_else,
    "min(review.lines else 0)+count(review)",
    "min(review.lines else 0) + count(review)"
);
prints!(
    long_sum_breaks,
    "100000 + 200000 + 300000 + 400000 + 500000 + 600000 + 700000 + 800000 + 900000",
    "100000\n  + 200000\n  + 300000\n  + 400000\n  + 500000\n  + 600000\n  + 700000\n  + 800000\n  + 900000"
);

mod generated {
    //! Random expression trees, printed and read back.

    use meed::source::{Span, Spanned};
    use meed::syntax::ast::{
        Action, Aggregate, AggregateFn, BinaryOp, Expr, ExprKind, Ident, Item, LetDecl, LetValue,
        Literal, Measure, PolicyFile, RuleDecl, TierBracket, Tiers, Trigger, UnaryOp,
    };
    use proptest::prelude::*;
    use rust_decimal::Decimal;

    fn node<T>(node: T) -> Spanned<T> {
        Spanned::new(node, Span::default())
    }

    fn ident(name: &str) -> Ident {
        node(name.to_string())
    }

    fn decimal(scale_min: u32) -> impl Strategy<Value = Decimal> {
        (-99_999i64..99_999, scale_min..4).prop_map(|(n, scale)| Decimal::new(n, scale))
    }

    fn literal() -> impl Strategy<Value = Literal> {
        prop_oneof![
            (-1000i64..1000).prop_map(Literal::Int),
            decimal(1).prop_map(Literal::Decimal),
            decimal(0).prop_map(Literal::Percent),
            any::<bool>().prop_map(Literal::Bool),
            "[a-z \"\\\\\n]{0,6}".prop_map(Literal::Text),
            (decimal(0), prop_oneof![Just("EUR"), Just("JPY")]).prop_map(|(amount, c)| {
                Literal::Money {
                    amount,
                    currency: c.to_string(),
                }
            }),
            decimal(0).prop_map(|amount| Literal::Duration {
                amount,
                unit: meed::syntax::ast::DurationUnit::Hours,
            }),
            decimal(0).prop_map(|amount| Literal::Duration {
                amount,
                unit: meed::syntax::ast::DurationUnit::Minutes,
            }),
            decimal(0).prop_map(Literal::Points),
        ]
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![Just("a"), Just("rate"), Just("x_1"), Just("person")].prop_map(String::from)
    }

    fn leaf() -> impl Strategy<Value = Expr> {
        prop_oneof![
            literal().prop_map(|l| node(ExprKind::Literal(l))),
            name().prop_map(|n| node(ExprKind::Name(n))),
            (name(), prop_oneof![Just("lines"), Just("by"), Just("at")]).prop_map(|(n, f)| {
                node(ExprKind::Field {
                    base: Box::new(node(ExprKind::Name(n))),
                    field: ident(f),
                })
            }),
        ]
    }

    fn binary_op() -> impl Strategy<Value = BinaryOp> {
        prop_oneof![
            Just(BinaryOp::Or),
            Just(BinaryOp::And),
            Just(BinaryOp::Eq),
            Just(BinaryOp::Ne),
            Just(BinaryOp::Lt),
            Just(BinaryOp::Le),
            Just(BinaryOp::Gt),
            Just(BinaryOp::Ge),
            Just(BinaryOp::Add),
            Just(BinaryOp::Sub),
            Just(BinaryOp::Mul),
            Just(BinaryOp::Div),
        ]
    }

    pub(super) fn expr() -> impl Strategy<Value = Expr> {
        leaf().prop_recursive(4, 24, 3, |inner| {
            let boxed = inner.clone().prop_map(Box::new);
            prop_oneof![
                (binary_op(), boxed.clone(), boxed.clone()).prop_map(|(op, lhs, rhs)| {
                    node(ExprKind::Binary {
                        op: node(op),
                        lhs,
                        rhs,
                    })
                }),
                (
                    prop_oneof![Just(UnaryOp::Neg), Just(UnaryOp::Not)],
                    boxed.clone()
                )
                    .prop_map(|(op, operand)| node(ExprKind::Unary {
                        op: node(op),
                        operand
                    })),
                (boxed.clone(), boxed.clone(), boxed.clone()).prop_map(|(c, t, e)| {
                    node(ExprKind::If {
                        condition: c,
                        then_branch: t,
                        else_branch: e,
                    })
                }),
                (boxed.clone(), prop_oneof![Just("lines"), Just("by")]).prop_map(|(base, f)| {
                    node(ExprKind::Field {
                        base,
                        field: ident(f),
                    })
                }),
                (
                    prop_oneof![Just("abs"), Just("round"), Just("total")],
                    inner.clone()
                )
                    .prop_map(|(f, arg)| node(ExprKind::Call {
                        function: ident(f),
                        args: vec![arg]
                    })),
                (
                    prop_oneof![Just("min"), Just("max")],
                    inner.clone(),
                    inner.clone()
                )
                    .prop_map(|(f, a, b)| node(ExprKind::Call {
                        function: ident(f),
                        args: vec![a, b]
                    })),
                aggregate(inner.clone()),
                (
                    boxed.clone(),
                    prop::collection::vec((inner.clone(), inner.clone()), 0..3),
                    boxed
                )
                    .prop_map(|(subject, brackets, above)| {
                        node(ExprKind::Tiers(Tiers {
                            subject,
                            brackets: brackets
                                .into_iter()
                                .map(|(bound, rate)| TierBracket {
                                    bound,
                                    rate,
                                    span: Span::default(),
                                })
                                .collect(),
                            above,
                            above_span: Span::default(),
                        }))
                    }),
            ]
        })
    }

    fn aggregate(inner: impl Strategy<Value = Expr> + Clone) -> impl Strategy<Value = Expr> {
        let function = prop_oneof![
            Just(AggregateFn::Count),
            Just(AggregateFn::Sum),
            Just(AggregateFn::Min),
            Just(AggregateFn::Max),
        ];
        let filtered = (
            prop::option::of(inner.clone()),
            prop::option::of(inner.clone()),
        );
        (function, any::<bool>(), filtered, prop::option::of(inner)).prop_map(
            |(function, by_field, (filter, measure), fallback)| {
                let (binding, filter, measure) = if by_field {
                    (None, None, Some(Measure::Field(ident("lines"))))
                } else {
                    (
                        Some(ident("r")),
                        filter.map(Box::new),
                        measure.map(|m| Measure::Expr(Box::new(m))),
                    )
                };
                node(ExprKind::Aggregate(Aggregate {
                    function: node(function),
                    kind: ident("review"),
                    binding,
                    filter,
                    measure,
                    fallback: fallback.map(Box::new),
                }))
            },
        )
    }

    /// `let v = EXPR` and a rule using it as condition and amount.
    pub(super) fn policy_with(expr: Expr) -> PolicyFile {
        PolicyFile {
            items: vec![
                Item::Let(LetDecl {
                    name: ident("v"),
                    value: LetValue::Fixed(expr.clone()),
                    span: Span::default(),
                }),
                Item::Rule(RuleDecl {
                    name: ident("r"),
                    trigger: Trigger::On {
                        kind: ident("review"),
                        binding: ident("x"),
                        span: Span::default(),
                    },
                    window: None,
                    condition: Some(expr.clone()),
                    action: Action::Grant {
                        account: ident("bonus"),
                        amount: Box::new(expr),
                        span: Span::default(),
                    },
                    span: Span::default(),
                }),
            ],
            comments: Vec::new(),
            span: Span::default(),
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    #[test]
    fn printed_expressions_read_back_the_same(expr in generated::expr()) {
        let policy = generated::policy_with(expr);
        let printed = format_policy(&SourceFile::new("gen.meed", ""), &policy);
        let reparsed = parse_policy(&SourceFile::new("gen.meed", printed.clone()))
            .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{e:?}\n{printed}")))?;
        proptest::prop_assert_eq!(meaning(&reparsed), meaning(&policy), "{}", printed);
        proptest::prop_assert_eq!(format("gen.meed", &printed), printed);
    }
}

/// Every policy of the corpus, with a comment added at the end of every line,
/// or on a line of its own before every line: wherever comments fall, the
/// output keeps them all, means the same and is stable.
#[test]
fn comments_anywhere_are_kept_and_stable() {
    for (name, input) in corpus() {
        let trailing: String = input
            .lines()
            .enumerate()
            .map(|(i, line)| {
                if line.trim().is_empty() {
                    "\n".to_string()
                } else {
                    format!("{line} # t{i}\n")
                }
            })
            .collect();
        let own_line: String = input
            .lines()
            .enumerate()
            .map(|(i, line)| format!("# o{i}\n{line}\n"))
            .collect();
        let between_tokens = comment_between_tokens(&input);
        for (variant, text) in [
            ("trailing", trailing),
            ("own line", own_line),
            ("between tokens", between_tokens),
        ] {
            let name = format!("{name} ({variant})");
            // A comment cannot split every construct (`5 # c EUR`); a
            // variant that no longer parses says nothing about `fmt`.
            let Ok(output) = format_source(&SourceFile::new(name.clone(), text.clone())) else {
                assert!(!name.contains("inputs/fmt/"), "`{name}` no longer parses");
                continue;
            };
            assert_well_formatted(&name, &text, &output);
        }
    }
}

/// `text` with every space between two tokens replaced by a comment and a
/// line break (spaces inside strings, comments and amounts like `5 EUR`
/// are left alone).
fn comment_between_tokens(text: &str) -> String {
    let mut out = String::new();
    let (mut in_string, mut in_comment, mut escaped) = (false, false, false);
    for (i, c) in text.char_indices() {
        let rest = &text[i..];
        let before_unit = {
            let unit = rest.trim_start_matches(' ');
            unit.starts_with("pts") || unit.starts_with(|c: char| c.is_ascii_uppercase())
        };
        if in_comment {
            in_comment = c != '\n';
        } else if in_string {
            in_string = escaped || c != '"';
            escaped = !escaped && c == '\\';
        } else if c == '"' {
            in_string = true;
        } else if c == '#' {
            in_comment = true;
        } else if c == ' ' && !before_unit {
            out.push_str(&format!(" # c{i}\n"));
            continue;
        }
        out.push(c);
    }
    out
}
