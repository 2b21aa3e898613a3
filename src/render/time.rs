//! Instants as people read them: local dates and times in the policy's
//! zone, written digit by digit.
//!
//! A statement writes a time for every grant and a date for every
//! contribution; chrono's `format` parses its pattern again on each call,
//! which made these the largest cost of writing a report. The output is
//! the same as `format("%Y-%m-%d")` and friends for the years meed reads
//! (0 to 9999);
//! other years are left to chrono.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDateTime, Timelike, Utc};
use chrono_tz::Tz;

use crate::digits::Digits;

/// An instant in local time, ready to be written in one of the forms below.
#[derive(Clone, Copy, Debug)]
pub struct Local(NaiveDateTime);

impl Local {
    /// `at` in the zone `tz`.
    pub fn of(at: DateTime<Utc>, tz: Tz) -> Local {
        Local(at.with_timezone(&tz).naive_local())
    }

    /// `2027-01-05`.
    pub fn date(self) -> impl fmt::Display {
        Form(self.0, Pattern::Date)
    }

    /// `2027-01-05 10:00`.
    pub fn date_time(self) -> impl fmt::Display {
        Form(self.0, Pattern::DateTime)
    }

    /// `01-05 10:00`: the day and time within a year the reader knows.
    pub fn day_time(self) -> impl fmt::Display {
        Form(self.0, Pattern::DayTime)
    }
}

#[derive(Clone, Copy)]
enum Pattern {
    Date,
    DateTime,
    DayTime,
}

struct Form(NaiveDateTime, Pattern);

impl fmt::Display for Form {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Form(local, pattern) = self;
        if !(0..=9999).contains(&local.year()) {
            // Past four digits: chrono's own rendering (sign, more digits).
            let chrono_pattern = match pattern {
                Pattern::Date => "%Y-%m-%d",
                Pattern::DateTime => "%Y-%m-%d %H:%M",
                Pattern::DayTime => "%m-%d %H:%M",
            };
            return write!(f, "{}", local.format(chrono_pattern));
        }
        let mut text = Digits::new();
        if matches!(pattern, Pattern::Date | Pattern::DateTime) {
            text.number(local.year().unsigned_abs(), 4).byte(b'-');
        }
        text.number(local.month(), 2)
            .byte(b'-')
            .number(local.day(), 2);
        if matches!(pattern, Pattern::DateTime | Pattern::DayTime) {
            text.byte(b' ')
                .number(local.hour(), 2)
                .byte(b':')
                .number(local.minute(), 2);
        }
        f.write_str(text.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_what_chrono_writes() {
        let zones = [
            chrono_tz::UTC,
            chrono_tz::Europe::Berlin,
            chrono_tz::Asia::Tokyo,
        ];
        let instants = [
            "2027-01-05T09:07:00Z",
            "2026-12-31T23:30:00Z",
            "0999-03-01T00:00:00Z",
            "+12345-06-01T00:00:00Z",
        ];
        for tz in zones {
            for text in instants {
                let at: DateTime<Utc> = text.parse().unwrap();
                let local = at.with_timezone(&tz);
                let ours = Local::of(at, tz);
                assert_eq!(
                    ours.date().to_string(),
                    local.format("%Y-%m-%d").to_string()
                );
                assert_eq!(
                    ours.date_time().to_string(),
                    local.format("%Y-%m-%d %H:%M").to_string()
                );
                assert_eq!(
                    ours.day_time().to_string(),
                    local.format("%m-%d %H:%M").to_string()
                );
            }
        }
    }
}
