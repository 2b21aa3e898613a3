//! Values that change over time (LANGUAGE.md §6), written once for both
//! evaluators: every constant is a [`Timeline`] of the values in force from
//! given instants, and every rule or pool window a [`Validity`].
//!
//! A plain `let x = v` is a timeline with one step from the beginning of
//! time. A dated `let` starts with a step that is not in force yet (reading
//! it is an error that names the value and its first date). A constant
//! computed from dated values (`let b = rate * 2`), and a limit's cap or a
//! pool's amount, change when what they read changes: they get a step at
//! every change of their inputs, worked out once, before any record.

use chrono::{DateTime, Days, Utc};
use chrono_tz::Tz;

use crate::semantics::period::local_midnight;
use crate::syntax::ast::{Moment, TimeWindow};
use crate::value::Value;

/// The beginning of time: the instant of a value that never changes.
pub const ALWAYS: DateTime<Utc> = DateTime::<Utc>::MIN_UTC;

/// A value over time: its steps in increasing order of `from`, the first
/// from [`ALWAYS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    steps: Vec<Step>,
}

/// The value in force from `from` until the next step.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    pub from: DateTime<Utc>,
    /// The value, or the dated value it needs that is not in force yet.
    pub value: Result<Value, NotYet>,
    /// The dated values in force in this step that it was computed from,
    /// each with its line, for explanations.
    pub in_force: Vec<InForce>,
}

/// A dated value read before its first `from`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotYet {
    pub name: String,
    /// Its first `from`.
    pub first: DateTime<Utc>,
}

/// One line of a dated value, in force at the instant it was read:
/// `review_rate = 0.025 EUR (from 2027-04-01, board decision 2027-02-14)`.
#[derive(Clone, Debug, PartialEq)]
pub struct InForce {
    pub name: String,
    pub value: Value,
    /// The line's `from` as written (`2027-04-01`).
    pub from: String,
    pub source: Option<String>,
}

impl Timeline {
    /// A value that never changes.
    pub fn fixed(value: Value) -> Timeline {
        Timeline {
            steps: vec![Step {
                from: ALWAYS,
                value: Ok(value),
                in_force: Vec::new(),
            }],
        }
    }

    /// A timeline from its steps: the first must start at [`ALWAYS`] and
    /// the rest strictly after each other (the caller builds them so).
    pub fn from_steps(steps: Vec<Step>) -> Timeline {
        Timeline { steps }
    }

    /// The step in force at `instant`.
    pub fn at(&self, instant: DateTime<Utc>) -> Option<&Step> {
        let after = self.steps.partition_point(|s| s.from <= instant);
        self.steps.get(after.checked_sub(1)?)
    }

    /// The value itself when it never changes; `None` for a value that does
    /// (it has no single value without an instant).
    pub fn constant(&self) -> Option<&Value> {
        match self.steps.as_slice() {
            [
                Step {
                    value: Ok(value), ..
                },
            ] => Some(value),
            _ => None,
        }
    }

    /// One of its values, for its type (all its values have one type).
    pub fn some_value(&self) -> Option<&Value> {
        self.steps.iter().find_map(|s| s.value.as_ref().ok())
    }

    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// The instants at which it changes (every step but the first).
    pub fn changes(&self) -> impl Iterator<Item = DateTime<Utc>> + '_ {
        self.steps.iter().skip(1).map(|s| s.from)
    }
}

/// The instant a dated value's line starts: a bare date is midnight in
/// the policy's zone.
pub fn moment_instant(moment: Moment, tz: Tz) -> DateTime<Utc> {
    match moment {
        Moment::Date(day) => local_midnight(day, tz),
        Moment::Timestamp(t) => t.with_timezone(&Utc),
    }
}

/// `2027-04-01` or `2027-04-01T09:00:00+02:00`, as written.
pub fn moment_text(moment: Moment) -> String {
    match moment {
        Moment::Date(day) => day.to_string(),
        Moment::Timestamp(t) => t.to_rfc3339(),
    }
}

/// When a rule or pool applies: `[from, until)` in UTC, from a window of
/// inclusive local dates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Validity {
    pub from: Option<DateTime<Utc>>,
    /// The first instant after the window (midnight after `until`).
    pub until: Option<DateTime<Utc>>,
}

impl Validity {
    /// The window as written, in the policy's zone; no window is always.
    pub fn of(window: Option<&TimeWindow>, tz: Tz) -> Validity {
        let Some(window) = window else {
            return Validity::default();
        };
        Validity {
            from: window.from.as_ref().map(|d| local_midnight(d.node, tz)),
            until: window.until.as_ref().map(|d| {
                let next = d.node.checked_add_days(Days::new(1)).unwrap_or(d.node);
                local_midnight(next, tz)
            }),
        }
    }

    /// Whether `instant` lies in the window.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.from.is_none_or(|f| f <= instant) && self.until.is_none_or(|u| instant < u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn step(from: DateTime<Utc>, v: i64) -> Step {
        Step {
            from,
            value: Ok(Value::Int(v)),
            in_force: Vec::new(),
        }
    }

    #[test]
    fn the_step_in_force_is_the_last_that_started() {
        let april = Utc.with_ymd_and_hms(2027, 4, 1, 0, 0, 0).unwrap();
        let timeline = Timeline::from_steps(vec![step(ALWAYS, 1), step(april, 2)]);
        let before = april - chrono::Duration::seconds(1);
        assert_eq!(timeline.at(before).unwrap().value, Ok(Value::Int(1)));
        assert_eq!(timeline.at(april).unwrap().value, Ok(Value::Int(2)));
        assert_eq!(timeline.constant(), None);
        assert_eq!(
            Timeline::fixed(Value::Int(3)).constant(),
            Some(&Value::Int(3))
        );
    }

    #[test]
    fn a_window_holds_its_last_day_whole_in_the_policy_zone() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let d = |m, d| NaiveDate::from_ymd_opt(2027, m, d).unwrap();
        let window = TimeWindow {
            from: Some(crate::source::Spanned::new(d(3, 1), Default::default())),
            until: Some(crate::source::Spanned::new(d(5, 31), Default::default())),
            span: Default::default(),
        };
        let validity = Validity::of(Some(&window), tz);
        let local = |m, d, h, mi, s| {
            tz.with_ymd_and_hms(2027, m, d, h, mi, s)
                .unwrap()
                .with_timezone(&Utc)
        };
        assert!(!validity.contains(local(2, 28, 23, 59, 59)));
        assert!(validity.contains(local(3, 1, 0, 0, 0)));
        assert!(validity.contains(local(5, 31, 23, 59, 59)));
        assert!(!validity.contains(local(6, 1, 0, 0, 0)));
        assert!(Validity::of(None, tz).contains(ALWAYS));
    }
}
