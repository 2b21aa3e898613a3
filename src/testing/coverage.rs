//! `meed test --coverage`: which parts of a policy its tests exercised.
//!
//! A policy's *items* are the places a test can miss:
//!
//! - each rule: covered when it fired (granted or awarded) at least once;
//! - each branch of an `if` in a rule or a pool's `split by`: the `then`
//!   and the `else`, and in an `else if` chain each `then` and the final
//!   `else`: covered when taken;
//! - each bracket of a `tiers` (every `up to` and `above`): covered when it
//!   gave a part above zero;
//! - each limit: covered when it cut a grant at least once;
//! - each pool: covered when it paid a share above zero.
//!
//! Coverage is covered items over all items, per policy file; the tests of
//! a test-only file count for the policy it imports. Constants (`let`),
//! limit caps and pool amounts are worked out once, without a record, so an
//! `if` in them has only one possible branch: they hold no items.
//!
//! The `if` branches and brackets are noted by the evaluator itself
//! ([`Reached`]); rules fired, limits cut and pools paid are read from the
//! grants.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use rust_decimal::Decimal;

use crate::eval::limits::describe_limit;
use crate::eval::reach::{Mark, Reached};
use crate::eval::show;
use crate::ledger::{Grant, Origin};
use crate::pipeline::CompiledPolicy;
use crate::semantics::arith;
use crate::source::{SourceFile, Span};
use crate::syntax::ast::{Action, Expr, ExprKind, Item};

/// What kind of place an item is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Rule,
    Then,
    Else,
    Bracket,
    Above,
    Limit,
    Pool,
}

/// How an item is recognised as covered.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Key {
    /// A grant with this rule as its origin.
    Rule(String),
    /// A mark the evaluator made.
    Reached(Mark),
    /// A cut by the limit written this way ([`describe_limit`]).
    Limit(String),
    /// A share above zero of this pool.
    Pool(String),
}

/// One place of a policy that tests can exercise or miss.
#[derive(Clone, Debug)]
pub struct CoverItem {
    pub kind: ItemKind,
    /// Where to point: the rule's or pool's name, the branch, the bracket,
    /// the limit.
    pub span: Span,
    /// What was missed, in words: ``rule `bug_report` never fired``.
    pub missed: String,
    key: Key,
}

/// The items of one policy file and which of them the tests covered.
#[derive(Clone, Debug)]
pub struct FileCoverage {
    /// The policy file.
    pub source: SourceFile,
    pub items: Vec<CoverItem>,
    covered: Vec<bool>,
    /// How many tests ran against the policy.
    pub tests: usize,
}

impl FileCoverage {
    /// Every item of `policy`, none covered yet, in source order.
    pub fn of(policy: &CompiledPolicy) -> FileCoverage {
        let mut items = Vec::new();
        for item in &policy.ast.items {
            match item {
                Item::Rule(rule) => {
                    let name = &rule.name.node;
                    items.push(CoverItem {
                        kind: ItemKind::Rule,
                        span: rule.name.span,
                        missed: format!("rule `{name}` never fired"),
                        key: Key::Rule(name.clone()),
                    });
                    if let Some(condition) = &rule.condition {
                        expr_items(condition, &mut items);
                    }
                    if let Action::Grant { amount, .. } = &rule.action {
                        expr_items(amount, &mut items);
                    }
                }
                Item::Limit(limit) => {
                    let text = describe_limit(limit);
                    items.push(CoverItem {
                        kind: ItemKind::Limit,
                        span: limit.span,
                        missed: format!("limit `{text}` never cut a grant"),
                        key: Key::Limit(text),
                    });
                }
                Item::Pool(pool) => {
                    let name = &pool.name.node;
                    items.push(CoverItem {
                        kind: ItemKind::Pool,
                        span: pool.name.span,
                        missed: format!("pool `{name}` never paid a share"),
                        key: Key::Pool(name.clone()),
                    });
                    expr_items(&pool.split_by, &mut items);
                }
                _ => {}
            }
        }
        // The walk notes a chain's final `else` before the branches inside
        // its `then`s.
        items.sort_by_key(|item| item.span.start);
        let covered = vec![false; items.len()];
        FileCoverage {
            source: policy.source.clone(),
            items,
            covered,
            tests: 0,
        }
    }

    /// Marks what one test covered: what the evaluator `reached` and what
    /// its `grants` show.
    pub fn record(&mut self, reached: &Reached, grants: &[Grant]) {
        self.tests += 1;
        for (item, covered) in self.items.iter().zip(self.covered.iter_mut()) {
            if *covered {
                continue;
            }
            *covered = match &item.key {
                Key::Reached(mark) => reached.has(*mark),
                Key::Rule(name) => grants
                    .iter()
                    .any(|g| matches!(&g.origin, Origin::Rule { name: n, .. } if **n == **name)),
                Key::Limit(text) => grants
                    .iter()
                    .any(|g| g.cuts.iter().any(|cut| *cut.limit == **text)),
                Key::Pool(name) => grants.iter().any(|g| {
                    matches!(&g.origin, Origin::Pool(share) if share.pool == *name)
                        && arith::sign(&g.granted) == Some(std::cmp::Ordering::Greater)
                }),
            };
        }
    }

    /// Merges what another run over the same policy covered.
    fn merge(&mut self, other: FileCoverage) {
        self.tests += other.tests;
        for (mine, theirs) in self.covered.iter_mut().zip(other.covered) {
            *mine |= theirs;
        }
    }

    pub fn total(&self) -> usize {
        self.items.len()
    }

    pub fn covered(&self) -> usize {
        self.covered.iter().filter(|c| **c).count()
    }

    /// The items no test covered, in source order.
    pub fn uncovered(&self) -> impl Iterator<Item = &CoverItem> {
        self.items
            .iter()
            .zip(&self.covered)
            .filter(|(_, c)| !**c)
            .map(|(item, _)| item)
    }

    /// The coverage in tenths of a percent, rounded down (so a file just
    /// under a bar never shows the bar): 26 of 27 is 962 (96.2%). A policy
    /// with no items is fully covered.
    pub fn tenths_of_percent(&self) -> usize {
        match self.total() {
            0 => 1000,
            total => self.covered() * 1000 / total,
        }
    }

    /// Whether the coverage is at least `percent`, compared exactly.
    pub fn meets(&self, percent: Decimal) -> bool {
        let covered = Decimal::from(self.covered()) * Decimal::ONE_HUNDRED;
        let wanted = percent * Decimal::from(self.total());
        covered >= wanted
    }
}

/// The branches and brackets in `expr`, in any order.
fn expr_items(expr: &Expr, out: &mut Vec<CoverItem>) {
    expr.walk(&mut |e| match &e.node {
        ExprKind::If {
            condition,
            then_branch,
            else_branch,
        } => {
            let condition = show::source(condition);
            out.push(CoverItem {
                kind: ItemKind::Then,
                span: then_branch.span,
                missed: format!("`then` of `if {condition}` never taken"),
                key: Key::Reached(Mark::Branch(then_branch.span)),
            });
            // An `else if` is the next link of the chain: its own `then`
            // and `else` are its items.
            if !matches!(else_branch.node, ExprKind::If { .. }) {
                out.push(CoverItem {
                    kind: ItemKind::Else,
                    span: else_branch.span,
                    missed: format!("`else` of `if {condition}` never taken"),
                    key: Key::Reached(Mark::Branch(else_branch.span)),
                });
            }
        }
        ExprKind::Tiers(tiers) => {
            for bracket in &tiers.brackets {
                out.push(CoverItem {
                    kind: ItemKind::Bracket,
                    span: bracket.span,
                    missed: format!(
                        "`tiers` bracket `up to {}` never reached",
                        show::source(&bracket.bound)
                    ),
                    key: Key::Reached(Mark::Bracket(bracket.span)),
                });
            }
            out.push(CoverItem {
                kind: ItemKind::Above,
                span: tiers.above_span,
                missed: "`tiers` bracket `above` never reached".to_string(),
                key: Key::Reached(Mark::Bracket(tiers.above_span)),
            });
        }
        _ => {}
    });
}

/// The coverage of every policy the tests ran against, by file name (a
/// policy imported as `../volunteers.meed` is the same file as
/// `volunteers.meed` beside it).
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    files: BTreeMap<PathBuf, FileCoverage>,
}

impl Coverage {
    /// Adds the coverage of one file's tests; runs over the same policy
    /// add up.
    pub fn add(&mut self, mut file: FileCoverage) {
        let key = normalize(Path::new(file.source.name()));
        match self.files.get_mut(&key) {
            Some(known) => known.merge(file),
            None => {
                let name = key.display().to_string();
                if name != file.source.name() {
                    file.source = file.source.renamed(name);
                }
                self.files.insert(key, file);
            }
        }
    }

    /// Every policy, by file name.
    pub fn files(&self) -> impl Iterator<Item = &FileCoverage> {
        self.files.values()
    }

    /// The policies whose coverage is below `percent`.
    pub fn below(&self, percent: Decimal) -> impl Iterator<Item = &FileCoverage> {
        self.files().filter(move |file| !file.meets(percent))
    }
}

/// `rules/tests/../volunteers.meed` as `rules/volunteers.meed`, without
/// asking the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A coverage of `total` rule items, the first `covered` of them covered.
    fn counted(covered: usize, total: usize) -> FileCoverage {
        let item = CoverItem {
            kind: ItemKind::Rule,
            span: Span::NOWHERE,
            missed: String::new(),
            key: Key::Rule(String::new()),
        };
        FileCoverage {
            source: SourceFile::new("p.meed", ""),
            items: vec![item; total],
            covered: (0..total).map(|i| i < covered).collect(),
            tests: 1,
        }
    }

    #[test]
    fn paths_lose_dots_but_keep_leading_parents() {
        let n = |p: &str| normalize(Path::new(p)).display().to_string();
        assert_eq!(n("rules/tests/../volunteers.meed"), "rules/volunteers.meed");
        assert_eq!(n("./rules/./a.meed"), "rules/a.meed");
        assert_eq!(n("../a/b/../c.meed"), "../a/c.meed");
        assert_eq!(n("/x/../y.meed"), "/y.meed");
    }

    #[test]
    fn percent_rounds_down_and_nothing_to_cover_is_full() {
        assert_eq!(counted(2, 3).tenths_of_percent(), 666);
        assert_eq!(counted(899, 1000).tenths_of_percent(), 899);
        assert_eq!(counted(0, 0).tenths_of_percent(), 1000);
        assert!(counted(0, 0).meets(Decimal::ONE_HUNDRED));
        assert!(counted(9, 10).meets(Decimal::from(90)));
        assert!(!counted(8, 9).meets(Decimal::from(90)));
    }

    proptest! {
        /// The percentage shown never claims more than was covered, and
        /// the bar it shows is met: shown ≤ exact < shown + 0.1.
        #[test]
        fn shown_percent_is_the_exact_one_rounded_down(total in 1usize..400, covered in 0usize..400) {
            let coverage = counted(covered.min(total), total);
            let tenths = coverage.tenths_of_percent();
            let shown = Decimal::new(i64::try_from(tenths).unwrap_or(0), 1);
            prop_assert!(coverage.meets(shown));
            prop_assert!(!coverage.meets(shown + Decimal::new(1, 1)) || tenths == 1000);
        }
    }
}
