//! Logs for the generated policies, and the same records written in every
//! input form: plain CSV, every cell quoted, JSON Lines; sorted or not.
//!
//! Records cluster around the zone's interesting instants (daylight-saving
//! changes, ISO week 53, the turn of the year and of a quarter) on a
//! half-hour grid, so they fall exactly on local midnights; some share the
//! previous record's instant under another id; amounts go finer than the
//! currency's minor unit; timestamps are written with `Z`, with the zone's
//! own offset, with `+05:30`, or as a bare local date.

use chrono::{DateTime, NaiveTime, SecondsFormat, TimeDelta, Utc};
use chrono_tz::Tz;

use super::choices::Choices;
use super::policy::{Generated, Kind};

/// One record, its cells as written (empty for fields its kind lacks).
#[derive(Clone, Debug)]
pub struct Rec {
    pub id: String,
    pub who: &'static str,
    pub kind: Kind,
    pub at: DateTime<Utc>,
    pub at_text: String,
    pub amount: String,
    pub n: String,
    pub hours: String,
    pub tag: String,
    pub ok: String,
}

pub const HEADER: [&str; 9] = [
    "id", "who", "kind", "at", "amount", "n", "hours", "tag", "ok",
];

impl Rec {
    pub fn cells(&self) -> [&str; 9] {
        [
            &self.id,
            self.who,
            self.kind.name(),
            &self.at_text,
            &self.amount,
            &self.n,
            &self.hours,
            &self.tag,
            &self.ok,
        ]
    }
}

/// People: byte order puts `Bob` before `alice`; `zoë` is not ASCII.
const PEOPLE: [&str; 5] = ["alice", "bob", "Bob", "carol", "zoë"];
/// Id prefixes; none ends in a digit, so `prefix + index` is unique.
const ID_PREFIX: [&str; 4] = ["a", "b", "B", "x_"];

/// Records for `policy`, in the order the log file holds them (sorted by
/// `(at, id)` or shuffled, as the choices say), and whether it is sorted.
pub fn records(c: &mut Choices, policy: &Generated) -> (Vec<Rec>, bool) {
    // Mostly short logs; some long enough for caps and pools to bite
    // across many people and periods.
    let count = if c.flag(8) { c.below(150) } else { c.below(25) };
    let mut out: Vec<Rec> = Vec::with_capacity(count);
    for i in 0..count {
        let at = match out.last() {
            Some(previous) if c.flag(25) => previous.at,
            _ => instant(c, policy),
        };
        let kind = c.pick(&Kind::ALL);
        let at_text = at_text(c, at, policy.tz);
        let mut rec = Rec {
            id: format!("{}{i}", c.pick(&ID_PREFIX)),
            who: c.pick(&PEOPLE),
            kind,
            at,
            at_text,
            amount: String::new(),
            n: String::new(),
            hours: String::new(),
            tag: String::new(),
            ok: String::new(),
        };
        if kind != Kind::Like {
            let n = i64::try_from(c.below(60)).unwrap_or(0) - 5;
            rec.n = n.to_string();
        }
        match kind {
            Kind::Sale => rec.amount = amount(c, policy.currency),
            Kind::Task => {
                rec.hours = duration(c);
                rec.tag = c.pick(&["a", "b"]).to_string();
                rec.ok = c.pick(&["true", "false"]).to_string();
            }
            Kind::Like => {}
        }
        out.push(rec);
    }
    let sorted = !c.flag(50);
    if sorted {
        out.sort_by(|a, b| (a.at, a.id.as_bytes()).cmp(&(b.at, b.id.as_bytes())));
    } else {
        for i in (1..out.len()).rev() {
            let j = c.below(i + 1);
            out.swap(i, j);
        }
    }
    (out, sorted)
}

/// An instant on a half-hour grid (sometimes off it by whole minutes)
/// within a day and a half of one of the policy's anchors.
fn instant(c: &mut Choices, policy: &Generated) -> DateTime<Utc> {
    let anchor = c.pick(&policy.anchors);
    let anchor = DateTime::parse_from_rfc3339(anchor)
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    let steps = i64::try_from(c.below(145)).unwrap_or(0) - 72;
    let mut at = anchor + TimeDelta::minutes(steps * 30);
    if c.flag(30) {
        at += TimeDelta::minutes(i64::try_from(c.below(30)).unwrap_or(0));
    } else if c.flag(10) {
        // The last instant before a grid point: often the last instant of
        // a local day, week, month..., where `each` rules and pools stamp
        // their grants.
        at -= TimeDelta::nanoseconds(1);
    }
    at
}

/// How the record's time is written: `Z`, the zone's offset, `+05:30`, or
/// (at a local midnight) the bare local date.
fn at_text(c: &mut Choices, at: DateTime<Utc>, tz: Tz) -> String {
    let local = at.with_timezone(&tz);
    if local.time() == NaiveTime::MIN && c.flag(50) {
        return local.date_naive().to_string();
    }
    match c.below(4) {
        0 | 1 => at.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        2 => local.to_rfc3339_opts(SecondsFormat::AutoSi, false),
        _ => {
            let india = chrono::FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
            at.with_timezone(&india)
                .to_rfc3339_opts(SecondsFormat::AutoSi, false)
        }
    }
}

/// An amount in minor units or finer, sometimes negative or with its code.
fn amount(c: &mut Choices, currency: &str) -> String {
    let value = i64::try_from(c.below(6000)).unwrap_or(0) - 600;
    let text = if currency == "JPY" {
        if c.flag(15) {
            format!("{}.5", value)
        } else {
            value.to_string()
        }
    } else if c.flag(25) {
        // Finer than a cent.
        rust_decimal::Decimal::new(value * 10 + 5, 3).to_string()
    } else {
        rust_decimal::Decimal::new(value, 2).to_string()
    };
    if c.flag(10) {
        format!("{text} {currency}")
    } else {
        text
    }
}

/// A duration in one of the forms the reader takes.
fn duration(c: &mut Choices) -> String {
    let minutes = c.below(20) * 30 + if c.flag(30) { c.below(30) } else { 0 };
    match c.below(3) {
        0 => format!("{minutes}min"),
        1 if minutes.is_multiple_of(30) => {
            let hours = rust_decimal::Decimal::new(i64::try_from(minutes).unwrap_or(0), 0)
                / rust_decimal::Decimal::from(60);
            format!("{}h", hours.normalize())
        }
        _ => format!("PT{}H{}M", minutes / 60, minutes % 60),
    }
}

/// The records as a plain CSV log.
pub fn plain_csv(records: &[Rec]) -> String {
    let mut text = HEADER.join(",");
    text.push('\n');
    for r in records {
        text.push_str(&r.cells().join(","));
        text.push('\n');
    }
    text
}

/// The records as a CSV log with every cell (the header's too) quoted, as
/// spreadsheets export it.
pub fn quoted_csv(records: &[Rec]) -> String {
    let quote = |cells: &[&str]| {
        cells
            .iter()
            .map(|c| format!("\"{}\"", c.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut text = quote(&HEADER);
    text.push('\n');
    for r in records {
        text.push_str(&quote(&r.cells()));
        text.push('\n');
    }
    text
}

/// The records as JSON Lines: numbers as JSON numbers where they are plain
/// (an `Int`, a `Money` without its code), booleans as JSON booleans.
pub fn json_lines(records: &[Rec]) -> String {
    let mut text = String::new();
    for r in records {
        let mut object = serde_json::Map::new();
        let s = |v: &str| serde_json::Value::String(v.to_string());
        object.insert("id".into(), s(&r.id));
        object.insert("who".into(), s(r.who));
        object.insert("kind".into(), s(r.kind.name()));
        object.insert("at".into(), s(&r.at_text));
        let mut fields: Vec<String> = vec![serde_json::Value::Object(object).to_string()];
        // Numbers are written by hand, so they keep their digits exactly.
        fields.last_mut().map(|f| f.pop());
        let mut line = fields.concat();
        match r.kind {
            Kind::Sale => {
                if r.amount.contains(' ') {
                    line.push_str(&format!(",\"amount\":\"{}\"", r.amount));
                } else {
                    line.push_str(&format!(",\"amount\":{}", r.amount));
                }
                line.push_str(&format!(",\"n\":{}", r.n));
            }
            Kind::Task => {
                line.push_str(&format!(
                    ",\"hours\":\"{}\",\"n\":\"{}\",\"tag\":\"{}\",\"ok\":{}",
                    r.hours, r.n, r.tag, r.ok
                ));
            }
            Kind::Like => {}
        }
        line.push_str("}\n");
        text.push_str(&line);
    }
    text
}

/// A roster row: `who`, `team`, `level`.
pub type Person = (&'static str, &'static str, i64);

/// A roster listing everyone the logs may name.
pub fn roster(c: &mut Choices) -> Vec<Person> {
    PEOPLE
        .iter()
        .map(|who| {
            let team = c.pick(&["red", "blue"]);
            let level = i64::try_from(c.below(12)).unwrap_or(0) - 2;
            (*who, team, level)
        })
        .collect()
}

/// The roster as a CSV file.
pub fn roster_csv(people: &[Person]) -> String {
    let mut text = String::from("who,team,level\n");
    for (who, team, level) in people {
        text.push_str(&format!("{who},{team},{level}\n"));
    }
    text
}
