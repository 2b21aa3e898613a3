//! Timestamps in logs: RFC 3339 with any offset, or a bare date meaning
//! midnight in the policy's time zone.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::cell::CellError;
use crate::units::Type;

/// Parses `2027-01-05T10:00:00Z`, `2027-01-05T11:00:00+01:00` or the bare
/// date `2027-01-05` (midnight in `tz`).
///
/// Where the clocks skip local midnight (a DST gap), a bare date is the first
/// instant after the gap; where midnight happens twice, the earlier one.
pub fn parse_timestamp(text: &str, tz: Tz) -> Result<DateTime<Utc>, CellError> {
    let text = text.trim();
    let invalid = || CellError::Invalid {
        expected: Type::Timestamp,
        found: text.to_string(),
    };
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Ok(instant.with_timezone(&Utc));
    }
    // Not guessed (a fold or a gap would make the instant ambiguous), but
    // the help shows the time with the offset it has in the policy's zone.
    if let Some(local) = super::cell::local_time(text)
        && let Some(instant) = local_instant(local, tz)
    {
        let in_zone = instant
            .with_timezone(&tz)
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, tz == Tz::UTC);
        let help = if tz == Tz::UTC {
            format!("add its offset from UTC: `{in_zone}` if it is UTC, the policy's time zone")
        } else {
            format!(
                "add its offset from UTC: `{in_zone}` is that time in {}, the policy's time zone",
                tz.name()
            )
        };
        return Err(CellError::LocalTime {
            found: text.to_string(),
            help: help.into(),
        });
    }
    // INVARIANT: only the strict `YYYY-MM-DD` shape is a bare date, so `5/1/2027`
    // (day or month first?) is never guessed.
    let is_date_shape = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    if !is_date_shape {
        return Err(invalid());
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| invalid())?;
    local_instant(date.and_time(NaiveTime::MIN), tz).ok_or_else(invalid)
}

/// The instant a local wall-clock time names in `tz`: the earlier of two in
/// a fold, the first instant after the gap when it does not exist.
fn local_instant(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, b) => Some(a.min(b).with_timezone(&Utc)),
        LocalResult::None => first_instant_at_or_after(local, tz),
    }
}

/// The first instant whose local time in `tz` is at or after `local`.
///
/// UTC offsets lie within ±15 hours, so that instant lies within 15 hours of
/// `local` read as UTC; around a gap local time only moves forward, so a
/// binary search over whole seconds finds it exactly.
fn first_instant_at_or_after(local: NaiveDateTime, tz: Tz) -> Option<DateTime<Utc>> {
    let guess = local.and_utc().timestamp();
    let window = Duration::hours(15).num_seconds();
    let (mut lo, mut hi) = (guess.checked_sub(window)?, guess.checked_add(window)?);
    let reached = |secs: i64| {
        DateTime::from_timestamp(secs, 0)
            .is_some_and(|t| t.with_timezone(&tz).naive_local() >= local)
    };
    if !reached(hi) {
        return None;
    }
    // INVARIANT: `reached(hi)` holds and `hi - lo` shrinks every step.
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reached(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    let first = if reached(lo) { lo } else { hi };
    DateTime::from_timestamp(first, 0)
}
