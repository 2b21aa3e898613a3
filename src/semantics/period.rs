//! Calendar periods cut in the policy's time zone, and evaluation windows.
//!
//! An instant is converted to local time first, then placed in its day, ISO
//! week (Monday start, ISO week-year), month, quarter or year. Bounds are
//! local midnights converted back to UTC, so a Europe/Berlin day can last 23
//! or 25 hours.

use std::fmt;

use chrono::{
    DateTime, Datelike, Days, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta,
    TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;

use crate::digits::Digits;
use crate::semantics::error::{EvalError, EvalErrorKind};
use crate::syntax::ast::Period;

/// One calendar period: its kind and its first local day.
///
/// Keys order by their first day, so a map keyed by them walks periods in
/// time order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PeriodKey {
    pub first_day: NaiveDate,
    pub period: Period,
}

impl PeriodKey {
    /// The period of kind `period` holding `instant`, cut in `tz`.
    pub fn of(instant: DateTime<Utc>, period: Period, tz: Tz) -> PeriodKey {
        let day = instant.with_timezone(&tz).date_naive();
        PeriodKey {
            first_day: first_day(day, period),
            period,
        }
    }

    /// The first day of the next period of the same kind.
    pub fn next_first_day(self) -> NaiveDate {
        let next = match self.period {
            Period::Day => self.first_day.checked_add_days(Days::new(1)),
            Period::Week => self.first_day.checked_add_days(Days::new(7)),
            Period::Month => self.first_day.checked_add_months(Months::new(1)),
            Period::Quarter => self.first_day.checked_add_months(Months::new(3)),
            Period::Year => self.first_day.checked_add_months(Months::new(12)),
        };
        next.unwrap_or(NaiveDate::MAX)
    }

    /// The first instant of the period.
    pub fn start(self, tz: Tz) -> DateTime<Utc> {
        local_midnight(self.first_day, tz)
    }

    /// The first instant of the next period (the exclusive end).
    pub fn end(self, tz: Tz) -> DateTime<Utc> {
        local_midnight(self.next_first_day(), tz)
    }

    /// The last representable instant before the next period starts: where
    /// `each` grants and pool shares are stamped.
    pub fn last_instant(self, tz: Tz) -> DateTime<Utc> {
        let end = self.end(tz);
        end.checked_sub_signed(TimeDelta::nanoseconds(1))
            .unwrap_or(end)
    }

    /// The label users write and read: `2027-01-05`, `2026-W53`, `2027-01`,
    /// `2027-Q1`, `2027`.
    pub fn label(self) -> String {
        self.to_string()
    }
}

/// The period of each instant in a zone, remembered while the instants
/// stay in it: for instants that come in time order (a person's grants),
/// most cost two comparisons instead of a conversion to local time.
#[derive(Clone, Copy, Debug)]
pub struct PeriodOf {
    period: Period,
    tz: Tz,
    /// The last period met, with its first instant and the next's.
    last: Option<(DateTime<Utc>, DateTime<Utc>, PeriodKey)>,
}

impl PeriodOf {
    pub fn new(period: Period, tz: Tz) -> PeriodOf {
        PeriodOf {
            period,
            tz,
            last: None,
        }
    }

    /// The period holding `at`: [`PeriodKey::of`].
    pub fn of(&mut self, at: DateTime<Utc>) -> PeriodKey {
        match self.last {
            Some((start, end, key)) if start <= at && at < end => key,
            _ => {
                let key = PeriodKey::of(at, self.period, self.tz);
                self.last = Some((key.start(self.tz), key.end(self.tz), key));
                key
            }
        }
    }
}

impl fmt::Display for PeriodKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.first_day;
        if let Ok(year) = u32::try_from(d.year())
            && year <= 9999
            && self.period != Period::Week
        {
            // The common case, written without the formatting machinery.
            let mut text = Digits::new();
            text.number(year, 4);
            match self.period {
                Period::Day => {
                    text.byte(b'-')
                        .number(d.month(), 2)
                        .byte(b'-')
                        .number(d.day(), 2);
                }
                Period::Month => {
                    text.byte(b'-').number(d.month(), 2);
                }
                Period::Quarter => {
                    text.byte(b'-').byte(b'Q').number(d.month0() / 3 + 1, 1);
                }
                Period::Year | Period::Week => {}
            }
            return f.write_str(text.as_str());
        }
        match self.period {
            Period::Day => write!(f, "{}", d.format("%Y-%m-%d")),
            Period::Week => {
                let w = d.iso_week();
                write!(f, "{:04}-W{:02}", w.year(), w.week())
            }
            Period::Month => write!(f, "{:04}-{:02}", d.year(), d.month()),
            Period::Quarter => write!(f, "{:04}-Q{}", d.year(), d.month0() / 3 + 1),
            Period::Year => write!(f, "{:04}", d.year()),
        }
    }
}

/// The first local day of the period of kind `period` holding `day`.
fn first_day(day: NaiveDate, period: Period) -> NaiveDate {
    let first = match period {
        Period::Day => Some(day),
        Period::Week => {
            let w = day.iso_week();
            NaiveDate::from_isoywd_opt(w.year(), w.week(), Weekday::Mon)
        }
        Period::Month => day.with_day(1),
        Period::Quarter => NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1),
        Period::Year => NaiveDate::from_ymd_opt(day.year(), 1, 1),
    };
    // INVARIANT: every date has a week, month, quarter and year start; the
    // fallback only guards the extremes of chrono's calendar.
    first.unwrap_or(day)
}

/// The instant a local day starts in `tz`.
///
/// An ambiguous local midnight (clocks going back) takes the earlier instant;
/// a nonexistent one (clocks jumping forward at midnight) takes the first
/// instant after the gap.
pub fn local_midnight(day: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_instant(day.and_time(NaiveTime::MIN), tz)
}

/// The earliest instant showing local time `local` in `tz`, or the first
/// instant after the gap if `local` falls into one.
pub fn local_instant(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => after_gap(local, tz),
    }
}

/// `local` is inside a gap: read it with the offset in force before the gap,
/// which lands on the first instant after it.
fn after_gap(local: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    // Gaps last at most a few hours; a day earlier the offset is the old one.
    let before = local
        .checked_sub_signed(TimeDelta::days(1))
        .unwrap_or(local);
    let offset = match tz.offset_from_local_datetime(&before) {
        LocalResult::Single(o) | LocalResult::Ambiguous(o, _) => chrono::Offset::fix(&o),
        LocalResult::None => chrono::FixedOffset::east_opt(0).unwrap_or(chrono::Offset::fix(&Utc)),
    };
    let utc = local
        .checked_sub_signed(TimeDelta::seconds(i64::from(offset.local_minus_utc())))
        .unwrap_or(local);
    Utc.from_utc_datetime(&utc)
}

/// The part of time a report covers (`--period`, `--from`/`--to`): the
/// grants stamped in `[start, end)`.
///
/// A window is causal: evaluation reads every record before its end, from
/// the start of the log, and reports the grants stamped inside it. A grant
/// stamped at `T` depends only on records at or before `T`, so a window's
/// grants are exactly those a whole-log evaluation stamps in it; a monthly
/// window never re-pays a quarterly pool and caps never restart at its edge.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    pub start: DateTime<Utc>,
    /// Exclusive.
    pub end: DateTime<Utc>,
}

impl Window {
    /// Whether `instant` lies in the window.
    pub fn contains(&self, instant: DateTime<Utc>) -> bool {
        self.start <= instant && instant < self.end
    }

    /// Whether evaluation reads a record at `at`: every record before the
    /// window's end, also those before its start.
    pub fn reads(&self, at: DateTime<Utc>) -> bool {
        at < self.end
    }

    /// Whether a grant stamped at `stamp` is reported.
    pub fn reports(&self, stamp: DateTime<Utc>) -> bool {
        self.contains(stamp)
    }

    /// The window of everything up to the end of local day `through`
    /// (`meed close --through`).
    pub fn through(through: NaiveDate, tz: Tz) -> Window {
        Window::between(NaiveDate::MIN, through, tz)
    }

    /// The window of one period as written on the command line:
    /// `2027`, `2027-Q1`, `2027-01`, `2027-W05` or `2027-01-05`.
    pub fn parse_period(text: &str, tz: Tz) -> Result<Window, EvalError> {
        let key = parse_period_key(text.trim()).ok_or_else(|| {
            EvalError::new(
                EvalErrorKind::InvalidPeriod {
                    text: text.to_string(),
                },
                None,
            )
        })?;
        Ok(Window {
            start: key.start(tz),
            end: key.end(tz),
        })
    }

    /// The window from local midnight of `from` to the end of `to`, both
    /// days included (`--from 2027-01-01 --to 2027-01-31`).
    pub fn between(from: NaiveDate, to: NaiveDate, tz: Tz) -> Window {
        let after_to = to.checked_add_days(Days::new(1)).unwrap_or(NaiveDate::MAX);
        Window {
            start: local_midnight(from, tz),
            end: local_midnight(after_to, tz),
        }
    }
}

/// What was probably meant by a period that does not parse: `March 2027`
/// is `2027-03`, `2027-13` has no month 13, `Q1 2027` is `2027-Q1`.
pub fn period_hint(text: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '/')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let text = text.trim();
    if let Some((year, month)) = text.split_once('-')
        && year.len() == 4
        && year.bytes().all(|b| b.is_ascii_digit())
        && !month.is_empty()
        && month.bytes().all(|b| b.is_ascii_digit())
    {
        return match month.parse::<u32>() {
            Ok(m @ 1..=9) if month.len() == 1 => {
                Some(format!("write the month with two digits: `{year}-{m:02}`"))
            }
            Ok(m) if !(1..=12).contains(&m) => Some(format!(
                "there is no month {m}: months go from `{year}-01` to `{year}-12`"
            )),
            _ => None,
        };
    }
    let year = words
        .iter()
        .find(|w| w.len() == 4 && w.bytes().all(|b| b.is_ascii_digit()))?;
    for word in &words {
        if let Some(month) = MONTHS.iter().position(|m| word.starts_with(m)) {
            return Some(format!("for a month, write `{year}-{:02}`", month + 1));
        }
        if let Some(q) = word.strip_prefix('q')
            && matches!(q, "1" | "2" | "3" | "4")
        {
            return Some(format!("for a quarter, write `{year}-Q{q}`"));
        }
    }
    None
}

/// Reads a period label back into its key.
fn parse_period_key(text: &str) -> Option<PeriodKey> {
    let (year_text, rest) = match text.split_once('-') {
        Some((y, r)) => (y, Some(r)),
        None => (text, None),
    };
    if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i32 = year_text.parse().ok()?;
    let number = |s: &str, len: usize| -> Option<u32> {
        if s.len() == len && s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (period, first_day) = match rest {
        None => (Period::Year, NaiveDate::from_ymd_opt(year, 1, 1)?),
        Some(r) => {
            if let Some(q) = r.strip_prefix('Q') {
                let q = number(q, 1)?;
                if !(1..=4).contains(&q) {
                    return None;
                }
                (
                    Period::Quarter,
                    NaiveDate::from_ymd_opt(year, (q - 1) * 3 + 1, 1)?,
                )
            } else if let Some(w) = r.strip_prefix('W') {
                let w = number(w, 2)?;
                (
                    Period::Week,
                    NaiveDate::from_isoywd_opt(year, w, Weekday::Mon)?,
                )
            } else if let Some((m, d)) = r.split_once('-') {
                let day = NaiveDate::from_ymd_opt(year, number(m, 2)?, number(d, 2)?)?;
                (Period::Day, day)
            } else {
                (
                    Period::Month,
                    NaiveDate::from_ymd_opt(year, number(r, 2)?, 1)?,
                )
            }
        }
    };
    Some(PeriodKey { first_day, period })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    fn label(at: &str, period: Period, tz: Tz) -> String {
        PeriodKey::of(utc(at), period, tz).label()
    }

    #[test]
    fn labels_are_written_as_the_formatting_machinery_writes_them() {
        for (y, m, d) in [
            (1, 1, 1),
            (999, 3, 9),
            (2027, 12, 31),
            (9999, 12, 31),
            (10000, 1, 1),
        ] {
            let Some(day) = NaiveDate::from_ymd_opt(y, m, d) else {
                continue;
            };
            for period in [Period::Day, Period::Month, Period::Quarter, Period::Year] {
                let first_day = first_day(day, period);
                let key = PeriodKey { first_day, period };
                let (y, m) = (first_day.year(), first_day.month());
                let expected = match period {
                    Period::Day => first_day.format("%Y-%m-%d").to_string(),
                    Period::Month => format!("{y:04}-{m:02}"),
                    Period::Quarter => format!("{y:04}-Q{}", first_day.month0() / 3 + 1),
                    _ => format!("{y:04}"),
                };
                assert_eq!(key.label(), expected);
            }
        }
    }

    #[test]
    fn a_period_that_does_not_parse_gets_a_hint() {
        let hint = |t: &str| period_hint(t).unwrap_or_default();
        assert_eq!(hint("March 2027"), "for a month, write `2027-03`");
        assert_eq!(hint("2027 december"), "for a month, write `2027-12`");
        assert_eq!(hint("March/2027"), "for a month, write `2027-03`");
        assert_eq!(hint("Mar,2027"), "for a month, write `2027-03`");
        // The year is the word of four digits, not any four letters.
        assert_eq!(hint("June 2027"), "for a month, write `2027-06`");
        assert_eq!(period_hint("March 27"), None);
        assert_eq!(hint("Q3 2027"), "for a quarter, write `2027-Q3`");
        assert_eq!(
            hint("2027-13"),
            "there is no month 13: months go from `2027-01` to `2027-12`"
        );
        assert_eq!(hint("2027-1"), "write the month with two digits: `2027-01`");
        assert_eq!(period_hint("foo"), None);
        assert_eq!(period_hint("2027-05"), None);
    }

    #[test]
    fn labels_of_each_period_kind() {
        let at = "2027-02-17T10:00:00Z";
        assert_eq!(label(at, Period::Day, Tz::UTC), "2027-02-17");
        assert_eq!(label(at, Period::Week, Tz::UTC), "2027-W07");
        assert_eq!(label(at, Period::Month, Tz::UTC), "2027-02");
        assert_eq!(label(at, Period::Quarter, Tz::UTC), "2027-Q1");
        assert_eq!(label(at, Period::Year, Tz::UTC), "2027");
        assert_eq!(
            label("2027-12-31T23:00:00Z", Period::Quarter, Tz::UTC),
            "2027-Q4"
        );
        assert_eq!(
            label("2027-07-01T00:00:00Z", Period::Quarter, Tz::UTC),
            "2027-Q3"
        );
    }

    #[test]
    fn iso_week_53_and_week_1() {
        // 2026-12-28 is a Monday; 2026 has 53 ISO weeks.
        assert_eq!(
            label("2026-12-31T12:00:00Z", Period::Week, Tz::UTC),
            "2026-W53"
        );
        assert_eq!(
            label("2027-01-03T23:59:59Z", Period::Week, Tz::UTC),
            "2026-W53"
        );
        assert_eq!(
            label("2027-01-04T00:00:00Z", Period::Week, Tz::UTC),
            "2027-W01"
        );
        let w53 = PeriodKey::of(utc("2027-01-01T00:00:00Z"), Period::Week, Tz::UTC);
        assert_eq!(w53.start(Tz::UTC), utc("2026-12-28T00:00:00Z"));
        assert_eq!(w53.end(Tz::UTC), utc("2027-01-04T00:00:00Z"));
    }

    #[test]
    fn periods_cut_in_local_time() {
        let tz: Tz = chrono_tz::Europe::Berlin;
        // 23:30 UTC on 31 Dec is 00:30 on 1 Jan in Berlin.
        assert_eq!(label("2026-12-31T23:30:00Z", Period::Year, tz), "2027");
        assert_eq!(label("2026-12-31T23:30:00Z", Period::Year, Tz::UTC), "2026");
    }

    #[test]
    fn berlin_spring_forward_day_has_23_hours() {
        let tz: Tz = chrono_tz::Europe::Berlin;
        let day = PeriodKey::of(utc("2027-03-28T12:00:00Z"), Period::Day, tz);
        assert_eq!(day.label(), "2027-03-28");
        assert_eq!(day.start(tz), utc("2027-03-27T23:00:00Z"));
        assert_eq!(day.end(tz), utc("2027-03-28T22:00:00Z"));
        assert_eq!(day.end(tz) - day.start(tz), TimeDelta::hours(23));
        assert_eq!(day.last_instant(tz), utc("2027-03-28T21:59:59.999999999Z"));
    }

    #[test]
    fn berlin_fall_back_day_has_25_hours() {
        let tz: Tz = chrono_tz::Europe::Berlin;
        let day = PeriodKey::of(utc("2027-10-31T12:00:00Z"), Period::Day, tz);
        assert_eq!(day.start(tz), utc("2027-10-30T22:00:00Z"));
        assert_eq!(day.end(tz), utc("2027-10-31T23:00:00Z"));
        assert_eq!(day.end(tz) - day.start(tz), TimeDelta::hours(25));
        // 00:30 UTC on 31 Oct is 02:30 CEST: still 31 Oct.
        assert_eq!(label("2027-10-31T00:30:00Z", Period::Day, tz), "2027-10-31");
        assert_eq!(label("2027-10-31T22:59:59Z", Period::Day, tz), "2027-10-31");
        assert_eq!(label("2027-10-31T23:00:00Z", Period::Day, tz), "2027-11-01");
    }

    #[test]
    fn nonexistent_midnight_takes_first_instant_after_the_gap() {
        // Santiago springs forward at local midnight: 2026-09-06 00:00 does
        // not exist, the day starts at 01:00 (-03), i.e. 04:00 UTC.
        let tz: Tz = chrono_tz::America::Santiago;
        let start = local_midnight(NaiveDate::from_ymd_opt(2026, 9, 6).unwrap_or_default(), tz);
        assert_eq!(start, utc("2026-09-06T04:00:00Z"));
    }

    #[test]
    fn ambiguous_local_time_takes_the_earlier_instant() {
        // Berlin falls back at 03:00 CEST: 02:30 on 2027-10-31 happens twice.
        let tz: Tz = chrono_tz::Europe::Berlin;
        let local = NaiveDate::from_ymd_opt(2027, 10, 31)
            .and_then(|d| d.and_hms_opt(2, 30, 0))
            .unwrap_or_default();
        assert_eq!(local_instant(local, tz), utc("2027-10-31T00:30:00Z"));
    }

    #[test]
    fn parse_period_windows() {
        let tz = Tz::UTC;
        let w = |t: &str| Window::parse_period(t, tz).ok();
        let win = |a: &str, b: &str| {
            Some(Window {
                start: utc(a),
                end: utc(b),
            })
        };
        assert_eq!(
            w("2027"),
            win("2027-01-01T00:00:00Z", "2028-01-01T00:00:00Z")
        );
        assert_eq!(
            w("2027-Q2"),
            win("2027-04-01T00:00:00Z", "2027-07-01T00:00:00Z")
        );
        assert_eq!(
            w("2027-02"),
            win("2027-02-01T00:00:00Z", "2027-03-01T00:00:00Z")
        );
        assert_eq!(
            w("2026-W53"),
            win("2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z")
        );
        assert_eq!(
            w("2027-01-05"),
            win("2027-01-05T00:00:00Z", "2027-01-06T00:00:00Z")
        );
        for bad in [
            "27",
            "2027-Q5",
            "2027-13",
            "2027-W54",
            "2027-02-30",
            "2027-1",
            "x",
        ] {
            assert!(w(bad).is_none(), "{bad} should not parse");
        }
    }

    #[test]
    fn between_includes_both_days() {
        let tz: Tz = chrono_tz::Europe::Berlin;
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default();
        let w = Window::between(d(2027, 1, 1), d(2027, 1, 31), tz);
        assert_eq!(w.start, utc("2026-12-31T23:00:00Z"));
        assert_eq!(w.end, utc("2027-01-31T23:00:00Z"));
        assert!(w.contains(utc("2027-01-31T22:59:59Z")));
        assert!(!w.contains(utc("2027-01-31T23:00:00Z")));
    }
}
