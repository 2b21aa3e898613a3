//! The streaming evaluator: totals of a log read once, in `(at, id)` order,
//! in memory proportional to people × accounts rather than to the log.
//!
//! ```text
//! record ─▶ close `each` periods it has left ─▶ limits ─▶ totals, pool periods
//!        ─▶ pay pool periods it has left
//!        ─▶ accumulators (`each` groups, pool periods)
//!        ─▶ `on` rules ─▶ limits ─▶ totals, pool periods
//! ```
//!
//! Grants flow in ledger order: `on` grants as their records arrive, `each`
//! grants (stamped at their period's last instant) when a record of a later
//! period arrives, sorted by rule position then who. Limits therefore see
//! grants in the order [`crate::eval::limits`] walks them, and keep running
//! sums only for the period they are in. The result is the totals
//! [`crate::eval::evaluate`] gives with a [`crate::eval::TotalsSink`], byte
//! for byte once rendered (`tests/scale.rs` compares them).
//!
//! [`StreamEvaluator::new`] returns `None` for a policy it does not handle,
//! and any error while streaming is best reported by the in-memory evaluator
//! (its messages name the rule and contribution): callers fall back to it.

pub mod compile;
pub mod file;
pub mod fixed;
mod keep;
pub mod limits;
pub mod memo;
mod money;
pub mod pools;
pub mod run;
pub mod side_by_side;
mod words;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::eval::pools::{explain_share, units_of};
use crate::eval::scope::Env;
use crate::eval::{EvalOptions, EvalReport, roster_needed};
use crate::input::Roster;
use crate::ledger::{
    Grant, LimitCut, Origin, PeriodTotal, PoolShare, Target, Totals, TotalsByPeriod,
};
use crate::schema::Schema;
use crate::semantics::dated::Validity;
use crate::semantics::error::{EvalError, EvalWarning};
use crate::semantics::order::{Stage, record_order};
use crate::semantics::period::{PeriodKey, Window};
use crate::semantics::round::round_grant;
use crate::source::Span;
use crate::syntax::ast::{Action, Expr, Item, Period, PolicyFile, Trigger};
use crate::units::Type;
use crate::value::Value;

use compile::{CAggregate, CExpr, Compiler, constants, fix_constants};
use fixed::{Fx, Scale, Unit, scale_for};
pub use keep::Keep;
use keep::{Kept, Provenance};
use limits::StreamLimit;
use pools::{Payout, StreamPool, pay_period};
pub use run::StreamRecord;
use run::{Accumulator, Ctx, Fast, accumulate};

pub use crate::input::hash::FxBuild;

/// A rule, compiled.
struct CRule {
    /// Shared by every grant of the rule.
    name: Arc<str>,
    position: usize,
    /// Whether its condition or amount holds an aggregate: its grants'
    /// contributions are then the records the aggregates it read counted,
    /// else every record of the person's period.
    reads_aggregates: bool,
    condition: Option<CExpr>,
    /// The condition as written, for the words of a calculation: they end
    /// with the dated values the condition read. `None` when it reads none
    /// (no dated value, no aggregate whose `else` might), so that wording a
    /// grant skips it.
    condition_written: Option<Expr>,
    /// What the words of its grants read, when they are all they depend
    /// on (see [`memo`]); `None` when they must be written for each grant.
    words_read: Option<Vec<memo::Read>>,
    action: CAction,
    /// The limits that apply to its grants, in declaration order.
    limits: Vec<usize>,
    /// When it applies (`from ... until ...`): to records stamped in it
    /// (`on`), to periods starting in it (`each`).
    validity: Validity,
}

enum CAction {
    Grant {
        target: usize,
        amount: CExpr,
        /// As written, for the words of a calculation.
        written: Box<Expr>,
        ty: Type,
        unit: Unit,
        span: Span,
    },
    Award {
        target: usize,
    },
}

/// The `each person per PERIOD` rules of one period kind and their open
/// groups (one per person with a record in the current period).
struct EachPeriod {
    period: Period,
    rules: Vec<CRule>,
    aggregates: Vec<CAggregate>,
    window: Option<(DateTime<Utc>, DateTime<Utc>, PeriodKey)>,
    /// Accumulators by person index; empty for people without a group.
    /// Flat: person `who`'s accumulators at `who * stride ..`, so that a
    /// record reaches them without following a pointer.
    groups: Vec<Accumulator>,
    /// Per person: whether their group is open (in `active`).
    open: Vec<bool>,
    /// The people with an open group, in order of their first record.
    active: Vec<u32>,
    /// When grants are kept whole: per person, the ids of their records in
    /// the open period, and per aggregate the indexes (into those ids) of
    /// the records it counted.
    records: Vec<GroupRecords>,
}

/// The records of one open `each` group, for the provenance of its grants.
/// The ids are kept end to end in one text (a month of a large log holds
/// hundreds of thousands of them).
#[derive(Clone, Debug, Default)]
struct GroupRecords {
    ids: String,
    /// Where each id ends in `ids`.
    ends: Vec<usize>,
    counted: Vec<Vec<u32>>,
}

impl GroupRecords {
    /// Empties it for the person's next period, keeping its memory: a
    /// person's periods hold about as many records each.
    fn clear(&mut self) {
        self.ids.clear();
        self.ends.clear();
        self.counted.iter_mut().for_each(Vec::clear);
    }

    fn push(&mut self, id: &str) -> u32 {
        let index = u32::try_from(self.ends.len()).unwrap_or(u32::MAX);
        self.ids.push_str(id);
        self.ends.push(self.ids.len());
        index
    }

    fn id(&self, index: usize) -> Option<Arc<str>> {
        let start = match index {
            0 => 0,
            i => *self.ends.get(i - 1)?,
        };
        self.ids.get(start..*self.ends.get(index)?).map(Arc::from)
    }

    /// The contributions of a grant: every record when the rule reads no
    /// aggregate, else the records counted by the aggregates it read, in
    /// `(at, id)` order.
    fn contributions(&self, read: Option<&[bool]>) -> Vec<Arc<str>> {
        let all = 0..self.ends.len();
        let Some(read) = read else {
            return all.filter_map(|i| self.id(i)).collect();
        };
        let mut marked = vec![false; self.ends.len()];
        for (list, _) in self.counted.iter().zip(read).filter(|(_, r)| **r) {
            for &i in list {
                if let Some(m) = marked.get_mut(i as usize) {
                    *m = true;
                }
            }
        }
        all.filter(|&i| marked.get(i) == Some(&true))
            .filter_map(|i| self.id(i))
            .collect()
    }
}

/// An `each` grant waiting for the others of its instant, to be sorted.
struct EachGrant {
    at: DateTime<Utc>,
    position: usize,
    who: u32,
    each: usize,
    rule: usize,
    target: usize,
    value: Fx,
    /// Its provenance, when grants are kept whole.
    provenance: Option<Provenance>,
}

/// People by index, with their roster rows.
#[derive(Default)]
struct People {
    names: Vec<Arc<str>>,
    /// The roster rows, flat: person `who`'s at `who * stride ..` (every
    /// row has the roster's columns), so that a record reaches its row
    /// without following a pointer; empty without a roster.
    cells: Vec<Value>,
    stride: usize,
    /// Whether there is a roster (rows may have no columns).
    rostered: bool,
    /// One copy of each text in the rows (`"employee"`...), shared by
    /// everyone: comparing a roster column reads memory already in cache.
    texts: HashSet<Arc<str>, FxBuild>,
}

impl People {
    /// Person `who`'s roster row, when there is a roster.
    fn row(&self, who: usize) -> Option<&[Value]> {
        if !self.rostered {
            return None;
        }
        self.cells.get(who * self.stride..(who + 1) * self.stride)
    }

    /// A roster row with its texts shared.
    fn shared(&mut self, row: &[Value]) -> Vec<Value> {
        row.iter()
            .map(|value| match value {
                Value::Text(t) => match self.texts.get(t) {
                    Some(shared) => Value::Text(shared.clone()),
                    None => {
                        self.texts.insert(t.clone());
                        value.clone()
                    }
                },
                other => other.clone(),
            })
            .collect()
    }
}

/// Where final grants go: limits, then totals and pool periods.
struct Flow {
    /// The grants to report (see [`Window`]); all when `None`.
    window: Option<Window>,
    /// Totals per period as well (`eval --by month`).
    by: Option<ByPeriod>,
    limits: Vec<StreamLimit>,
    pools: Vec<StreamPool>,
    /// Per person, per target.
    /// Flat: person `who`'s total of target `t` at `who * targets + t`, in
    /// counts of the target's unit, [`UNSET`] for none (16 bytes each, so
    /// that 10,000 people's totals stay in cache).
    totals: Vec<i128>,
    /// Per target: the unit of its totals.
    units: Vec<Unit>,
    accounts: usize,
    targets: usize,
    scale: Scale,
    /// Per person: whether their grants are kept whole (see [`Keep`]).
    kept: Vec<bool>,
    keep: Option<Keep>,
    /// Whether the grants kept whole carry their calculation in words
    /// (`explain`): only those are worded.
    words: bool,
    /// The words of `on` rules' grants already written.
    memo: memo::WordsMemo,
    /// The grants kept whole, in ledger order, until the caller takes them.
    outbox: Vec<Kept>,
}

/// Totals per calendar period, flat per period like [`Flow::totals`].
struct ByPeriod {
    period: Period,
    /// The period of the last credit and its bounds: grants come roughly in
    /// time order, so most credits skip the time zone conversion.
    last: Option<(DateTime<Utc>, DateTime<Utc>, PeriodKey)>,
    totals: BTreeMap<PeriodKey, Vec<i128>>,
}

impl ByPeriod {
    /// The flat totals of the period holding `at`.
    fn totals_at(&mut self, at: DateTime<Utc>, tz: chrono_tz::Tz) -> &mut Vec<i128> {
        let key = match self.last {
            Some((start, end, key)) if start <= at && at < end => key,
            _ => {
                let key = PeriodKey::of(at, self.period, tz);
                self.last = Some((key.start(tz), key.end(tz), key));
                key
            }
        };
        self.totals.entry(key).or_default()
    }
}

/// What a streamed evaluation gives: the totals of the reported grants,
/// per period when asked for, and the warnings.
pub struct Streamed {
    /// Empty when totals per period were asked for.
    pub totals: Totals,
    /// Totals per period (`eval --by`), when asked for.
    pub by_period: Option<TotalsByPeriod>,
    pub report: EvalReport,
    /// How many records the log holds (read or not: see [`Window`]).
    pub records: u64,
    /// The careful reader's warnings about the log (a column no kind
    /// declares), set by [`file::stream_file_into`].
    pub log_warnings: Option<crate::input::fast::LogWarnings>,
}

/// Evaluates a policy over records pushed in `(at, id)` order.
pub struct StreamEvaluator<'a> {
    env: Env<'a>,
    scale: Scale,
    /// The first instant at which an `each` group or a pool period closes;
    /// `None` to look at every record.
    boundary: Option<DateTime<Utc>>,
    /// Records at or after the window's end are not read.
    window: Option<Window>,
    /// `on` rules by kind index, in file order.
    on_rules: Vec<Vec<CRule>>,
    each: Vec<EachPeriod>,
    flow: Flow,
    people: People,
    target_list: Vec<Target>,
    warnings: Vec<(usize, PeriodKey, EvalWarning)>,
    records: u64,
}

impl<'a> StreamEvaluator<'a> {
    /// Compiles `policy` for streaming, or `None` when the in-memory
    /// evaluator should run instead (a construct streaming does not
    /// handle, or an error the in-memory evaluator reports better). With
    /// `options.explain`, the grants it keeps whole carry their
    /// calculation in words ([`words`]).
    pub fn new(
        policy: &PolicyFile,
        schema: &'a Schema,
        roster: Option<&'a Roster>,
        options: &EvalOptions,
    ) -> Option<StreamEvaluator<'a>> {
        if roster.is_none() && roster_needed(policy).is_some() {
            return None;
        }
        let env = Env::new(policy, schema, roster).ok()?;
        let accounts: Vec<String> = schema.rewards.keys().cloned().collect();
        let mut target_list: Vec<Target> = accounts
            .iter()
            .map(|a| Target::Account(a.as_str().into()))
            .collect();
        target_list.extend(
            schema
                .badges
                .keys()
                .map(|b| Target::Badge(b.as_str().into())),
        );
        let mut target_units = Vec::with_capacity(target_list.len());
        for account in &accounts {
            target_units.push(unit_of(schema.rewards.get(account)?)?);
        }
        target_units.resize(target_list.len(), Unit::Int);
        let mut limits = Vec::new();
        for item in &policy.items {
            if let Item::Limit(limit) = item {
                let target = accounts.iter().position(|a| *a == limit.account.node)?;
                limits.push(StreamLimit::new(&env, limit, target).ok()?);
            }
        }
        let mut on_rules: Vec<Vec<CRule>> = schema.kinds.iter().map(|_| Vec::new()).collect();
        let mut each: Vec<EachPeriod> = Vec::new();
        let rules = policy.items.iter().filter_map(|item| match item {
            Item::Rule(r) => Some(r),
            _ => None,
        });
        for (position, rule) in rules.enumerate() {
            let (target, account_ty) = match &rule.action {
                Action::Grant { account, .. } => (
                    accounts.iter().position(|a| *a == account.node)?,
                    Some(schema.rewards.get(&account.node)?.clone()),
                ),
                Action::Award { badge, .. } => (
                    target_list
                        .iter()
                        .position(|t| matches!(t, Target::Badge(b) if **b == *badge.node))?,
                    None,
                ),
            };
            let rule_limits = limits
                .iter()
                .enumerate()
                .filter(|(_, l)| l.applies(target, &rule.name.node))
                .map(|(i, _)| i)
                .collect();
            let compile_rule = |mut compiler: Compiler<'_, '_>| -> Option<CRule> {
                let condition = match &rule.condition {
                    Some(c) => Some(compiler.compile(c)?),
                    None => None,
                };
                let action = match (&rule.action, account_ty) {
                    (Action::Grant { amount, .. }, Some(ty)) => CAction::Grant {
                        target,
                        amount: compiler.compile(amount)?,
                        written: amount.clone(),
                        unit: unit_of(&ty)?,
                        ty,
                        span: amount.span,
                    },
                    _ => CAction::Award { target },
                };
                let condition_written = rule
                    .condition
                    .clone()
                    .filter(|_| condition.as_ref().is_some_and(compile::may_read_dated));
                let words_read = match &action {
                    CAction::Grant { amount, .. } if condition_written.is_none() => {
                        memo::reads_of(amount)
                    }
                    _ => None,
                };
                Some(CRule {
                    name: rule.name.node.as_str().into(),
                    position,
                    reads_aggregates: rule.reads_aggregates(),
                    condition_written,
                    words_read,
                    condition,
                    action,
                    limits: rule_limits,
                    validity: Validity::of(rule.window.as_ref(), schema.timezone),
                })
            };
            match &rule.trigger {
                Trigger::On { kind, binding, .. } => {
                    let kind = schema.kind_index(&kind.node)?;
                    let compiled = compile_rule(Compiler {
                        env: &env,
                        binding: Some((binding.node.as_str(), kind)),
                        person: false,
                        accounts: None,
                        aggregates: None,
                    })?;
                    on_rules.get_mut(kind)?.push(compiled);
                }
                Trigger::Each { period, .. } => {
                    let index = match each.iter().position(|e| e.period == period.node) {
                        Some(i) => i,
                        None => {
                            each.push(EachPeriod {
                                period: period.node,
                                rules: Vec::new(),
                                aggregates: Vec::new(),
                                window: None,
                                groups: Vec::new(),
                                open: Vec::new(),
                                active: Vec::new(),
                                records: Vec::new(),
                            });
                            each.len() - 1
                        }
                    };
                    let group = each.get_mut(index)?;
                    let compiled = compile_rule(Compiler {
                        env: &env,
                        binding: None,
                        person: true,
                        accounts: None,
                        aggregates: Some(&mut group.aggregates),
                    })?;
                    group.rules.push(compiled);
                }
            }
        }
        let mut pools = Vec::new();
        let pool_decls = policy.items.iter().filter_map(|item| match item {
            Item::Pool(p) => Some(p),
            _ => None,
        });
        for (position, pool) in pool_decls.enumerate() {
            // The amount over time: each value must be one the engine can
            // split, else the exact evaluator runs (and reports).
            let amounts = env.timeline_of(&pool.amount).ok()?;
            for step in amounts.steps() {
                if let Ok(amount) = &step.value {
                    let amount = round_grant(amount.clone(), env.rounding).ok()?;
                    if schema.rewards.get(&pool.account.node) != Some(&amount.ty()) {
                        return None;
                    }
                    units_of(&amount)?;
                }
            }
            let mut aggregates = Vec::new();
            let split_by = Compiler {
                env: &env,
                binding: None,
                person: true,
                accounts: Some(&accounts),
                aggregates: Some(&mut aggregates),
            }
            .compile(&pool.split_by)?;
            pools.push(StreamPool {
                position,
                name: pool.name.node.clone(),
                target: accounts.iter().position(|a| *a == pool.account.node)?,
                amounts,
                validity: Validity::of(pool.window.as_ref(), env.tz),
                period: pool.period.node,
                split_by,
                split_span: pool.split_by.span,
                aggregates,
                open: Vec::new(),
                cached: usize::MAX,
                opened: false,
            });
        }
        let scale = choose_scale(schema, &mut on_rules, &mut each)?;
        Some(StreamEvaluator {
            env,
            scale,
            boundary: None,
            window: options.window,
            on_rules,
            each,
            flow: Flow {
                window: options.window,
                by: None,
                limits,
                pools,
                totals: Vec::new(),
                units: target_units,
                accounts: accounts.len(),
                targets: target_list.len(),
                scale,
                kept: Vec::new(),
                keep: None,
                words: options.explain,
                memo: memo::WordsMemo::default(),
                outbox: Vec::new(),
            },
            people: People::default(),
            target_list,
            warnings: Vec::new(),
            records: 0,
        })
    }

    /// Totals the reported grants per calendar period of kind `period`, by
    /// their stamp (`eval --by month`, `meed close`), instead of for the
    /// whole log: [`Streamed::totals`] is then empty.
    pub fn total_by(&mut self, period: Period) {
        self.flow.by = Some(ByPeriod {
            period,
            last: None,
            totals: BTreeMap::new(),
        });
    }

    /// Keeps the final grants of the people `keep` names whole, with their
    /// provenance, for [`StreamEvaluator::drain_grants`]. Call it before the
    /// first record.
    pub fn keep_grants(&mut self, keep: Keep) {
        self.flow.keep = Some(keep);
    }

    /// Hands the grants kept whole since the last call to `accept`, in
    /// ledger order. Called after every record: the kept list keeps its
    /// room, and no list of grants is made on the way.
    pub fn drain_grants(
        &mut self,
        mut accept: impl FnMut(Grant) -> Result<(), EvalError>,
    ) -> Result<(), EvalError> {
        let StreamEvaluator {
            flow,
            people,
            target_list,
            scale,
            ..
        } = self;
        for kept in flow.outbox.drain(..) {
            accept(kept.into_grant(&people.names, target_list, scale)?)?;
        }
        Ok(())
    }

    /// Takes the next record; records must come in `(at, id)` order, and a
    /// person's index must be the number of people seen before them.
    pub fn push(&mut self, record: &StreamRecord<'_>) -> Result<(), EvalError> {
        for &upcoming in record.ahead {
            self.read_ahead(upcoming as usize);
        }
        let who = record.who as usize;
        self.records += 1;
        if who == self.people.names.len() {
            self.add_person(record.who_name)?;
        }
        if self.window.is_some_and(|w| !w.reads(record.at)) {
            return Ok(());
        }
        // Records come in order: until the next period end, nothing closes.
        if self.boundary.is_none_or(|b| record.at >= b) {
            let start = self.flow.outbox.len();
            self.close_each(Some(record.at))?;
            self.pay_pools(Some(record.at))?;
            self.in_ledger_order(start);
            self.boundary = self.next_boundary();
        }
        let StreamEvaluator {
            env,
            scale,
            boundary,
            on_rules,
            each,
            flow,
            people,
            ..
        } = self;
        let env: &Env<'_> = env;
        let row = people.row(who);
        let keep = flow.kept.get(who).copied().unwrap_or(false);
        let base = Ctx {
            env,
            record: None,
            by_row: row,
            person_row: row,
            aggregates: &[],
            accumulators: &[],
            totals: None,
            scale: *scale,
            period_start: None,
            read: None,
        };
        for e in each.iter_mut() {
            let stride = e.aggregates.len().max(1);
            if e.open.len() <= who {
                e.open.resize(who + 1, false);
                e.groups.resize((who + 1) * stride, Accumulator::default());
            }
            if let Some(open) = e.open.get_mut(who)
                && !*open
            {
                *open = true;
                e.active.push(record.who);
            }
            let Some(accumulators) = e.groups.get_mut(who * stride..(who + 1) * stride) else {
                continue;
            };
            let ctx = Ctx {
                aggregates: &e.aggregates,
                ..base
            };
            let counted = if keep {
                if e.records.len() <= who {
                    e.records.resize_with(who + 1, GroupRecords::default);
                }
                e.records.get_mut(who).map(|group| {
                    group.counted.resize_with(e.aggregates.len(), Vec::new);
                    let index = group.push(record.id);
                    (&mut group.counted[..], index)
                })
            } else {
                None
            };
            accumulate(&ctx, record, &e.aggregates, accumulators, counted)?;
        }
        for pool in &mut flow.pools {
            pool.period_at(record.at, env.tz)?.has_record = true;
            let slots = pool.aggregates.len();
            if slots == 0 {
                pool.person_at(record.at, env.tz, record.who, 0)?;
                continue;
            }
            // Lent out while the person's accumulators are borrowed.
            let aggregates = std::mem::take(&mut pool.aggregates);
            let fed = pool
                .person_at(record.at, env.tz, record.who, slots)
                .and_then(|person| {
                    let ctx = Ctx {
                        aggregates: &aggregates,
                        ..base
                    };
                    accumulate(&ctx, record, &aggregates, &mut person.accumulators, None)
                });
            pool.aggregates = aggregates;
            fed?;
        }
        let ctx = Ctx {
            record: Some(record),
            ..base
        };
        for rule in on_rules.get(record.kind).map_or(&[][..], Vec::as_slice) {
            if let Some((target, value)) = rule_grant(&ctx, rule)? {
                let provenance = match keep {
                    true => Some(Provenance {
                        origin: Origin::Rule {
                            name: rule.name.clone(),
                            position: rule.position,
                        },
                        contributions: vec![Arc::from(record.id)],
                        calculation: match (&rule.words_read, flow.words) {
                            (Some(reads), true) => {
                                Some(flow.memo.words(rule.position, reads, &ctx, value, || {
                                    words_of(&ctx, rule, value, true)
                                        .map(|words| words.unwrap_or_else(|| Arc::from("")))
                                })?)
                            }
                            _ => words_of(&ctx, rule, value, flow.words)?,
                        },
                    }),
                    false => None,
                };
                flow.emit(
                    env,
                    record.who,
                    record.at,
                    (Stage::On, target),
                    &rule.limits,
                    value,
                    provenance,
                )?;
            }
        }
        // A pool period opened here may end before the boundary.
        for pool in &mut flow.pools {
            if pool.opened {
                pool.opened = false;
                *boundary = None;
            }
        }
        Ok(())
    }

    /// Reads the state of person `who`, whose record comes next: their
    /// totals, roster row, `each` accumulators, limit sums and pool period
    /// state. Records come in time order, not by person, so each record
    /// meets its person's state out of cache (10,000 people's state is a
    /// few MiB, and the log streams through the caches); the loads issued
    /// here overlap with the work on the current record. Safe Rust has no
    /// prefetch instruction; a load whose value nothing waits for does the
    /// same. Nothing is changed.
    fn read_ahead(&self, who: usize) {
        use std::hint::black_box;
        let flow = &self.flow;
        black_box(flow.totals.get(who * flow.targets).copied());
        if self.people.rostered {
            let cell = self.people.cells.get(who * self.people.stride);
            black_box(cell.is_some_and(|c| matches!(c, Value::Text(_))));
        }
        for e in &self.each {
            let stride = e.aggregates.len().max(1);
            black_box(e.groups.get(who * stride).map(|a| a.count));
        }
        for limit in &flow.limits {
            limit.read_ahead(who);
        }
        for pool in &flow.pools {
            pool.read_ahead(who, flow.accounts);
        }
    }

    /// The first instant at which an open `each` group or pool period
    /// closes.
    fn next_boundary(&mut self) -> Option<DateTime<Utc>> {
        let mut first = DateTime::<Utc>::MAX_UTC;
        for e in &self.each {
            first = first.min(e.window?.1);
        }
        for pool in &mut self.flow.pools {
            pool.opened = false;
            if let Some(p) = pool.open.first() {
                first = first.min(p.end);
            }
        }
        Some(first)
    }

    /// Closes what is still open: the last `each` periods and pool
    /// periods make their grants. [`StreamEvaluator::finish`] does it too;
    /// call it first to take the last kept grants.
    pub fn close(&mut self) -> Result<(), EvalError> {
        let start = self.flow.outbox.len();
        self.close_each(None)?;
        self.pay_pools(None)?;
        self.in_ledger_order(start);
        Ok(())
    }

    /// Puts the grants kept since `start` in ledger order. Periods that close
    /// together (a gap in the log, its end) are closed kind by kind: every
    /// `each` group first, then every pool, so that a pool counts the `each`
    /// grants of its period; their grants are stamped at different instants
    /// and must be sorted by stamp, then `each` before pools, then by
    /// position and who.
    fn in_ledger_order(&mut self, start: usize) {
        let names = &self.people.names;
        let name = |who: u32| names.get(who as usize).map(|n| n.as_bytes());
        if let Some(closing) = self.flow.outbox.get_mut(start..) {
            closing.sort_by(|a, b| (a.at, a.rank, name(a.who)).cmp(&(b.at, b.rank, name(b.who))));
        }
    }

    /// Closes what is still open and returns the totals and warnings.
    pub fn finish(mut self) -> Result<Streamed, EvalError> {
        self.close()?;
        let totals = self.totals_of(&self.flow.totals)?;
        let by_period = match &self.flow.by {
            Some(by) => {
                let mut rows = TotalsByPeriod::new();
                for (key, flat) in &by.totals {
                    self.period_rows(*key, flat, &mut rows)?;
                }
                Some(rows)
            }
            None => None,
        };
        let tz = self.env.tz;
        let window = self.window;
        let mut warnings = self.warnings;
        warnings.retain(|(_, key, _)| window.is_none_or(|w| w.reports(key.last_instant(tz))));
        warnings.sort_by_key(|(position, key, _)| (*position, *key));
        let report = EvalReport {
            warnings: warnings.into_iter().map(|(_, _, w)| w).collect(),
        };
        Ok(Streamed {
            totals,
            by_period,
            report,
            records: self.records,
            log_warnings: None,
        })
    }

    /// One period's flat fixed-point totals as rows.
    fn period_rows(
        &self,
        period: PeriodKey,
        flat: &[i128],
        rows: &mut TotalsByPeriod,
    ) -> Result<(), EvalError> {
        let width = self.flow.targets.max(1);
        for (who, per_target) in flat.chunks(width).enumerate() {
            let Some(name) = self.people.names.get(who) else {
                continue;
            };
            for ((target, &v), &unit) in self
                .target_list
                .iter()
                .zip(per_target)
                .zip(&self.flow.units)
            {
                if v != UNSET {
                    let total = self
                        .scale
                        .value(Fx { unit, v })
                        .ok_or_else(|| too_precise(Span::NOWHERE))?;
                    rows.push(PeriodTotal {
                        period,
                        who: name.clone(),
                        target: target.clone(),
                        total,
                    });
                }
            }
        }
        Ok(())
    }

    /// Flat fixed-point totals (person by person, target by target) as
    /// [`Totals`].
    fn totals_of(&self, flat: &[i128]) -> Result<Totals, EvalError> {
        let mut totals = Totals::new();
        let width = self.flow.targets.max(1);
        let units = &self.flow.units;
        for (who, per_target) in flat.chunks(width).enumerate() {
            let Some(name) = self.people.names.get(who) else {
                continue;
            };
            let mut entry = BTreeMap::new();
            for ((target, &v), &unit) in self.target_list.iter().zip(per_target).zip(units) {
                if v != UNSET {
                    let value = self
                        .scale
                        .value(Fx { unit, v })
                        .ok_or_else(|| too_precise(Span::NOWHERE))?;
                    entry.insert(target.clone(), value);
                }
            }
            if !entry.is_empty() {
                totals.insert(name.clone(), entry);
            }
        }
        Ok(totals)
    }

    fn add_person(&mut self, name: &Arc<str>) -> Result<(), EvalError> {
        let row = match self.env.roster {
            Some(roster) => Some(
                roster
                    .people
                    .get(name)
                    .map(|row| self.people.shared(row))
                    .ok_or_else(|| {
                        EvalError::new(
                            crate::eval::EvalErrorKind::UnknownPerson {
                                who: name.to_string(),
                            },
                            None,
                        )
                    })?,
            ),
            None => None,
        };
        if let Some(row) = row {
            if !self.people.rostered {
                self.people.rostered = true;
                self.people.stride = row.len();
            }
            if row.len() != self.people.stride {
                return Err(EvalError::internal(
                    "roster rows of different lengths",
                    None,
                ));
            }
            self.people.cells.extend(row);
        }
        self.people.names.push(name.clone());
        let keeps = self.flow.keep.as_ref().is_some_and(|k| k.keeps(name));
        self.flow.kept.push(keeps);
        let targets = self.flow.targets;
        self.flow
            .totals
            .resize(self.flow.totals.len() + targets, UNSET);
        Ok(())
    }

    /// Closes the `each` periods that `now` has left (all when `None`) and
    /// sends their grants on in ledger order.
    fn close_each(&mut self, now: Option<DateTime<Utc>>) -> Result<(), EvalError> {
        let tz = self.env.tz;
        let mut grants: Vec<EachGrant> = Vec::new();
        for (index, e) in self.each.iter_mut().enumerate() {
            if let (Some(t), Some((start, end, _))) = (now, e.window)
                && start <= t
                && t < end
            {
                continue;
            }
            if let Some((start, _, key)) = e.window {
                let at = key.last_instant(tz);
                let stride = e.aggregates.len().max(1);
                for who in e.active.drain(..) {
                    let range = who as usize * stride..(who as usize + 1) * stride;
                    let Some(accumulators) = e.groups.get_mut(range) else {
                        continue;
                    };
                    let accumulators: Vec<Accumulator> =
                        accumulators.iter_mut().map(std::mem::take).collect();
                    if let Some(open) = e.open.get_mut(who as usize) {
                        *open = false;
                    }
                    let records = if self.flow.kept.get(who as usize) == Some(&true) {
                        e.records
                            .get_mut(who as usize)
                            .map(std::mem::take)
                            .or_else(|| Some(GroupRecords::default()))
                    } else {
                        None
                    };
                    // Which aggregates a rule read: only for grants kept whole.
                    let slots = if records.is_some() {
                        e.aggregates.len()
                    } else {
                        0
                    };
                    let read = RefCell::new(vec![false; slots]);
                    let row = self.people.row(who as usize);
                    let ctx = Ctx {
                        env: &self.env,
                        record: None,
                        by_row: None,
                        person_row: row,
                        aggregates: &e.aggregates,
                        accumulators: &accumulators,
                        totals: None,
                        scale: self.scale,
                        period_start: Some(start),
                        read: records.as_ref().map(|_| &read),
                    };
                    for (rule_index, rule) in e.rules.iter().enumerate() {
                        read.borrow_mut().fill(false);
                        if let Some((target, value)) = rule_grant(&ctx, rule)? {
                            let provenance = match &records {
                                Some(group) => {
                                    // Taken before the words, which read
                                    // the aggregates again.
                                    let contributions = {
                                        let read = read.borrow();
                                        group.contributions(
                                            rule.reads_aggregates.then_some(&read[..]),
                                        )
                                    };
                                    Some(Provenance {
                                        origin: Origin::Rule {
                                            name: rule.name.clone(),
                                            position: rule.position,
                                        },
                                        contributions,
                                        calculation: words_of(&ctx, rule, value, self.flow.words)?,
                                    })
                                }
                                None => None,
                            };
                            grants.push(EachGrant {
                                at,
                                position: rule.position,
                                who,
                                each: index,
                                rule: rule_index,
                                target,
                                value,
                                provenance,
                            });
                        }
                    }
                    if let Some(mut group) = records {
                        group.clear();
                        if let Some(slot) = e.records.get_mut(who as usize) {
                            *slot = group;
                        }
                    }
                }
            }
            e.window = now.map(|t| {
                let key = PeriodKey::of(t, e.period, tz);
                (key.start(tz), key.end(tz), key)
            });
        }
        if grants.is_empty() {
            return Ok(());
        }
        let names = &self.people.names;
        let name = |who: u32| names.get(who as usize).map(|n| n.as_bytes());
        grants
            .sort_by(|a, b| (a.at, a.position, name(a.who)).cmp(&(b.at, b.position, name(b.who))));
        for g in grants {
            let limits = self
                .each
                .get(g.each)
                .and_then(|e| e.rules.get(g.rule))
                .map_or(&[][..], |r| r.limits.as_slice());
            self.flow.emit(
                &self.env,
                g.who,
                g.at,
                (Stage::Each, g.target),
                limits,
                g.value,
                g.provenance,
            )?;
        }
        Ok(())
    }

    /// Pays the pool periods that `now` has left (all when `None`).
    fn pay_pools(&mut self, now: Option<DateTime<Utc>>) -> Result<(), EvalError> {
        let base = Ctx {
            env: &self.env,
            record: None,
            by_row: None,
            person_row: None,
            aggregates: &[],
            accumulators: &[],
            totals: None,
            scale: self.scale,
            period_start: None,
            read: None,
        };
        let tz = self.env.tz;
        let mut paid = Vec::new();
        let Flow {
            pools,
            units,
            accounts,
            kept,
            keep,
            words,
            ..
        } = &mut self.flow;
        let words = *words;
        let keeps_shares = keep.as_ref().is_some_and(Keep::keeps_shares);
        for pool in pools {
            if !pool.has_closed(now) {
                continue;
            }
            for period in pool.take_closed(now) {
                if !period.has_record || !pool.validity.contains(period.start) {
                    continue;
                }
                match pay_period(
                    pool,
                    &period,
                    &base,
                    &self.people.names,
                    &self.people,
                    units.get(..*accounts).unwrap_or(&[]),
                )? {
                    Payout::Unclaimed(warning) => {
                        self.warnings.push((pool.position, period.key, warning));
                    }
                    Payout::Shares {
                        shares,
                        total_score,
                        amount,
                    } => {
                        let at = period.key.last_instant(tz);
                        for share in shares {
                            let value = self
                                .scale
                                .of(&share.value)
                                .ok_or_else(|| too_precise(pool.split_span))?;
                            let provenance = (keeps_shares
                                || kept.get(share.who as usize) == Some(&true))
                            .then(|| {
                                let calculation = words.then(|| units_of(&amount)).flatten().map(
                                    |(digits, _)| {
                                        Arc::from(explain_share(
                                            &amount,
                                            &share.score,
                                            &total_score,
                                            &share.value,
                                            share.leftover_unit,
                                            digits,
                                        ))
                                    },
                                );
                                Provenance {
                                    origin: Origin::Pool(PoolShare {
                                        pool: pool.name.clone(),
                                        period: period.key.label(),
                                        score: share.score,
                                        total_score: total_score.clone(),
                                        pool_amount: amount.clone(),
                                        leftover_unit: share.leftover_unit,
                                    }),
                                    contributions: Vec::new(),
                                    calculation,
                                }
                            });
                            paid.push((
                                share.who,
                                at,
                                pool.target,
                                value,
                                provenance,
                                pool.position,
                            ));
                        }
                    }
                }
            }
        }
        for (who, at, target, value, provenance, position) in paid {
            let kept = provenance.map(|provenance| Kept {
                rank: (Stage::Pool, position),
                who,
                target,
                at,
                provenance,
                amount: value,
                granted: value,
                cuts: Vec::new(),
            });
            self.flow.credit(tz, who, at, target, value, kept)?;
        }
        Ok(())
    }
}

/// A rule's grant in `ctx`, if its condition holds: the amount rounded once
/// and checked against the account's type, or 1 for a badge. Fixed point
/// where it is exact, else exact decimals brought back to fixed point (a
/// grant that does not fit is an error, and the caller evaluates in memory).
fn rule_grant(ctx: &Ctx<'_>, rule: &CRule) -> Result<Option<(usize, Fx)>, EvalError> {
    if ctx.instant().is_some_and(|at| !rule.validity.contains(at)) {
        return Ok(None);
    }
    if let Some(condition) = &rule.condition {
        let holds = match ctx.fast(condition) {
            Some(Fast::Bool(b)) => b,
            _ => ctx.condition(condition)?,
        };
        if !holds {
            return Ok(None);
        }
    }
    let scale = &ctx.scale;
    match &rule.action {
        CAction::Grant {
            target,
            amount,
            ty,
            unit,
            span,
            ..
        } => {
            let fast = match ctx.fast(amount) {
                Some(Fast::Num(x)) => scale.round_grant(x, ctx.env.rounding),
                _ => None,
            };
            let value = match fast {
                Some(x) => x,
                None => {
                    let value = round_grant(ctx.value(amount)?, ctx.env.rounding)?;
                    if value.ty() != *ty {
                        return Err(EvalError::internal(
                            "a grant does not have its account's type",
                            Some(*span),
                        ));
                    }
                    scale.of(&value).ok_or_else(|| too_precise(*span))?
                }
            };
            if value.unit != *unit {
                return Err(EvalError::internal(
                    "a grant does not have its account's type",
                    Some(*span),
                ));
            }
            Ok(Some((*target, value)))
        }
        CAction::Award { target } => Ok(Some((
            *target,
            scale
                .of(&Value::Int(1))
                .ok_or_else(|| too_precise(Span::NOWHERE))?,
        ))),
    }
}

/// The calculation of a rule's grant `value` in words, when the run words
/// the grants it keeps ([`words`]); `None` for a badge.
fn words_of(
    ctx: &Ctx<'_>,
    rule: &CRule,
    value: Fx,
    words: bool,
) -> Result<Option<Arc<str>>, EvalError> {
    let CAction::Grant {
        amount,
        written,
        span,
        ..
    } = &rule.action
    else {
        return Ok(None);
    };
    if !words {
        return Ok(None);
    }
    let granted = ctx.scale.value(value).ok_or_else(|| too_precise(*span))?;
    let condition = rule.condition_written.as_ref().zip(rule.condition.as_ref());
    words::word_grant(ctx, condition, (written, amount), &granted).map(|w| Some(Arc::from(w)))
}

/// A value the fixed-point totals cannot hold exactly: streaming steps
/// aside and the in-memory evaluator computes it with exact decimals.
pub(super) fn too_precise(span: Span) -> EvalError {
    EvalError::internal("a value needs more digits than streaming keeps", Some(span))
}

/// The fixed-point unit of an account's type.
fn unit_of(ty: &Type) -> Option<Unit> {
    Some(match ty {
        Type::Money(c) => Unit::Money(*c),
        Type::Points => Unit::Points,
        Type::Duration => Unit::Duration,
        Type::Int => Unit::Int,
        Type::Decimal => Unit::Decimal,
        _ => return None,
    })
}

/// Adds to person `who`'s total of `target` in the flat `totals`.
fn add_total(
    totals: &mut [i128],
    units: &[Unit],
    who: u32,
    target: usize,
    value: Fx,
) -> Result<(), EvalError> {
    let slot = totals
        .get_mut(who as usize * units.len() + target)
        .filter(|_| units.get(target) == Some(&value.unit))
        .ok_or_else(|| EvalError::internal("no such person or account", None))?;
    add_raw(slot, value.v)
}

/// No total yet (fixed-point values stay below `2^96` in magnitude).
pub(crate) const UNSET: i128 = i128::MIN;

/// `slot += v` in counts, the slot [`UNSET`] until the first value.
fn add_raw(slot: &mut i128, v: i128) -> Result<(), EvalError> {
    if *slot == UNSET {
        *slot = v;
        return Ok(());
    }
    let mut sum = Fx {
        unit: Unit::Int,
        v: *slot,
    };
    add_to(&mut sum, Fx { unit: Unit::Int, v })?;
    *slot = sum.v;
    Ok(())
}

/// `total += value` in fixed point, both of one unit.
pub(crate) fn add_to(total: &mut Fx, value: Fx) -> Result<(), EvalError> {
    match total.v.checked_add(value.v) {
        Some(v) if total.unit == value.unit && v.unsigned_abs() < 1u128 << 96 => {
            total.v = v;
            Ok(())
        }
        _ => Err(too_precise(Span::NOWHERE)),
    }
}

impl Flow {
    /// A grant of an `on` or `each` rule (its stage), in ledger order: cut
    /// by its limits, then added to its person's totals and to every pool
    /// period holding it.
    #[allow(clippy::too_many_arguments, reason = "one grant's parts")]
    fn emit(
        &mut self,
        env: &Env<'_>,
        who: u32,
        at: DateTime<Utc>,
        (stage, target): (Stage, usize),
        limits: &[usize],
        value: Fx,
        provenance: Option<Provenance>,
    ) -> Result<(), EvalError> {
        let mut granted = value;
        let mut cuts: Vec<LimitCut> = Vec::new();
        for &index in limits {
            if let Some(limit) = self.limits.get_mut(index) {
                let cuts = provenance.is_some().then_some(&mut cuts);
                limit.apply(env, &self.scale, who, at, &mut granted, cuts)?;
            }
        }
        if target < self.accounts {
            let accounts = self.accounts;
            let units = self.units.get(..accounts).unwrap_or(&[]);
            for pool in &mut self.pools {
                let slots = pool.aggregates.len();
                pool.person_at(at, env.tz, who, slots)?;
                let period = pool.period_at(at, env.tz)?;
                let end = (who as usize + 1) * accounts;
                if period.totals.len() < end {
                    period.totals.resize(end, UNSET);
                }
                add_total(&mut period.totals, units, who, target, granted)?;
            }
        }
        let position = match &provenance {
            Some(Provenance {
                origin: Origin::Rule { position, .. },
                ..
            }) => *position,
            _ => 0,
        };
        let kept = provenance.map(|provenance| Kept {
            rank: (stage, position),
            who,
            target,
            at,
            provenance,
            amount: value,
            granted,
            cuts,
        });
        self.credit(env.tz, who, at, target, granted, kept)
    }

    /// Credits a final grant stamped at `at` to its person's totals, when
    /// the window reports it, and keeps it whole when `kept` is given.
    fn credit(
        &mut self,
        tz: chrono_tz::Tz,
        who: u32,
        at: DateTime<Utc>,
        target: usize,
        value: Fx,
        kept: Option<Kept>,
    ) -> Result<(), EvalError> {
        if self.window.is_some_and(|w| !w.reports(at)) {
            return Ok(());
        }
        if let Some(kept) = kept {
            self.outbox.push(kept);
        }
        // Per period, or for the whole log: one set of totals is written per
        // grant, so that the hot one stays in cache.
        if let Some(by) = &mut self.by {
            let totals = by.totals_at(at, tz);
            let end = (who as usize + 1) * self.targets;
            if totals.len() < end {
                totals.resize(end, UNSET);
            }
            return add_total(totals, &self.units, who, target, value);
        }
        add_total(&mut self.totals, &self.units, who, target, value)
    }
}

/// Chooses the fixed-point scale for the rules' constants and the
/// currencies, and gives the constants their fixed-point values.
fn choose_scale(
    schema: &Schema,
    on_rules: &mut [Vec<CRule>],
    each: &mut [EachPeriod],
) -> Option<Scale> {
    let rules = || {
        on_rules
            .iter()
            .flatten()
            .chain(each.iter().flat_map(|e| &e.rules))
    };
    let mut found = Vec::new();
    for rule in rules() {
        if let Some(c) = &rule.condition {
            constants(c, &mut found);
        }
        if let CAction::Grant { amount, .. } = &rule.action {
            constants(amount, &mut found);
        }
    }
    // Money needs its minor digits; points and durations the ten places
    // a grant may keep (`1000000 pts / 3`).
    let currencies: Vec<u32> = schema
        .rewards
        .values()
        .filter_map(|ty| match ty {
            Type::Money(c) => Some(c.minor_digits()),
            Type::Points | Type::Duration => Some(crate::semantics::round::FINE_DIGITS),
            _ => None,
        })
        .collect();
    let scale = scale_for(found.into_iter(), &currencies)?;
    let rules_mut = on_rules
        .iter_mut()
        .flatten()
        .chain(each.iter_mut().flat_map(|e| &mut e.rules));
    for rule in rules_mut {
        if let Some(c) = &mut rule.condition {
            fix_constants(c, &scale);
        }
        if let CAction::Grant { amount, .. } = &mut rule.action {
            fix_constants(amount, &scale);
        }
    }
    Some(scale)
}

/// Streams an in-memory (hence sorted) log: the streaming evaluator over
/// the records [`crate::eval::evaluate`] would see. `None` when the policy
/// is not one streaming handles.
pub fn stream_log(
    policy: &PolicyFile,
    schema: &Schema,
    log: &crate::input::Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
) -> Option<Result<Streamed, EvalError>> {
    stream_log_into(policy, schema, log, roster, options, None)
}

/// Hands each contribution to `each` as the engine sees a record, people
/// numbered in order of first appearance (as the fast reader numbers them).
pub fn as_stream_records<'c, E>(
    contributions: impl IntoIterator<Item = &'c crate::input::Contribution>,
    each: &mut dyn FnMut(&StreamRecord<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let mut people: HashMap<&str, u32, FxBuild> = HashMap::default();
    for c in contributions {
        let next = u32::try_from(people.len()).unwrap_or(u32::MAX);
        let who = *people.entry(&c.who).or_insert(next);
        each(&StreamRecord {
            ahead: &[],
            at: c.at,
            id: &c.id,
            who,
            who_name: &c.who,
            kind: c.kind,
            fields: &c.fields,
        })?;
    }
    Ok(())
}

/// Like [`stream_log`], handing the final grants of the people `kept`
/// names, whole and in ledger order, to its sink as well.
pub fn stream_log_into(
    policy: &PolicyFile,
    schema: &Schema,
    log: &crate::input::Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
    kept: Option<(Keep, &mut dyn crate::eval::GrantSink)>,
) -> Option<Result<Streamed, EvalError>> {
    stream_log_remembering(policy, schema, log, roster, options, kept, None)
}

/// [`stream_log_into`], with the words of the grants it keeps taken from
/// and added to `memo` when one is given (it outlives the run: runs of the
/// same policy share their words).
pub fn stream_log_remembering(
    policy: &PolicyFile,
    schema: &Schema,
    log: &crate::input::Log,
    roster: Option<&Roster>,
    options: &EvalOptions,
    mut kept: Option<(Keep, &mut dyn crate::eval::GrantSink)>,
    mut memo: Option<&mut memo::WordsMemo>,
) -> Option<Result<Streamed, EvalError>> {
    let mut evaluator = StreamEvaluator::new(policy, schema, roster, options)?;
    if let Some((keep, _)) = &kept {
        evaluator.keep_grants(keep.clone());
    }
    if let Some(memo) = memo.as_deref_mut() {
        memo.serve(policy, evaluator.flow.scale.digits());
        std::mem::swap(&mut evaluator.flow.memo, memo);
    }
    let mut order: Vec<&crate::input::Contribution> = log.contributions.iter().collect();
    let mut money = money::MoneyCells::new(schema);
    // In `(at, id)` order, as the engine needs them (a log read in memory is
    // sorted, one built by hand may not be).
    order.sort_by(|a, b| record_order((a.at, a.id.as_bytes()), (b.at, b.id.as_bytes())));
    let result = as_stream_records(order, &mut |record| {
        money.observe(record);
        evaluator.push(record)?;
        file::hand_over(&mut evaluator, &mut kept)
    });
    if let Some(memo) = memo {
        std::mem::swap(&mut evaluator.flow.memo, memo);
    }
    Some(result.and_then(|()| {
        let mut streamed = file::finish(evaluator, &mut kept)?;
        file::with_money_warnings(&mut streamed, &money, schema);
        Ok(streamed)
    }))
}
