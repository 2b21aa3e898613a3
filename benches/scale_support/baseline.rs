//! The hand-written ledger for `benches/reference.meed`: what an engineer
//! would write for this one policy, reading the CSV as bytes, with integer
//! cents, points and half-minutes. It is the practical upper bound meed's
//! general evaluator is measured against.
//!
//! It expects the generated layout (`id,who,kind,at,lines,repo,accepted,
//! votes,duration,amount`) in `(at, id)` order.

#![allow(
    clippy::indexing_slicing,
    reason = "hand-written for one known layout: the generated log"
)]

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::Read;
use std::path::Path;

/// FxHash: fast for short keys.
#[derive(Default)]
pub struct Fx(u64);

impl Hasher for Fx {
    fn finish(&self) -> u64 {
        // Hash tables take their bucket from the low bits: mix the high
        // ones down, or keys differing only in later bytes collide.
        let h = (self.0 ^ (self.0 >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^ (h >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word))
                .wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
}

type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<Fx>>;

#[derive(Default)]
struct Person {
    name: Vec<u8>,
    employee: bool,
    bonus: i64,
    reputation: i64,
    time_off_half_minutes: i64,
    mentor: i64,
    month: i64,
    month_reviews: u32,
    month_mentoring: i64,
    month_bonus: i64,
    day: i64,
    day_answers: i64,
    quarter: i64,
    quarter_reputation: i64,
}

struct State {
    people: Vec<Person>,
    index: FxMap<Vec<u8>, u32>,
    quarter: i64,
    active: Vec<u32>,
}

const MONTH_CAP: i64 = 30_000;
const DAY_CAP: i64 = 20;
const POOL: u128 = 100_000;

/// Computes the `who,reward,amount,unit` CSV for the reference policy.
pub fn baseline(log: &Path, people: &Path) -> std::io::Result<String> {
    let mut state = State {
        people: Vec::new(),
        index: FxMap::default(),
        quarter: i64::MIN,
        active: Vec::new(),
    };
    let roster = std::fs::read(people)?;
    for line in roster.split(|&b| b == b'\n').skip(1) {
        let mut cells = line.split(|&b| b == b',');
        let (Some(who), Some(status)) = (cells.next(), cells.next()) else {
            continue;
        };
        let index = state.people.len() as u32;
        state.index.insert(who.to_vec(), index);
        state.people.push(Person {
            name: who.to_vec(),
            employee: status == b"employee",
            month: -1,
            day: -1,
            quarter: -1,
            ..Person::default()
        });
    }
    let mut file = File::open(log)?;
    let mut buf = vec![0u8; 8 << 20];
    let mut filled = 0;
    let mut header = true;
    loop {
        let read = file.read(&mut buf[filled..])?;
        filled += read;
        let end = if read == 0 {
            filled
        } else {
            match buf[..filled].iter().rposition(|&b| b == b'\n') {
                Some(p) => p + 1,
                None => {
                    buf.resize(buf.len() * 2, 0);
                    continue;
                }
            }
        };
        for line in buf[..end].split(|&b| b == b'\n') {
            if line.is_empty() {
                continue;
            }
            if header {
                header = false;
                continue;
            }
            record(&mut state, line);
        }
        buf.copy_within(end..filled, 0);
        filled -= end;
        if read == 0 {
            break;
        }
    }
    close_quarter(&mut state);
    for p in &mut state.people {
        close_month(p);
    }
    let mut order: Vec<usize> = (0..state.people.len()).collect();
    order.sort_by(|&a, &b| state.people[a].name.cmp(&state.people[b].name));
    let mut out = String::from("who,reward,amount,unit\n");
    for i in order {
        let p = &state.people[i];
        let who = std::str::from_utf8(&p.name).unwrap_or("?");
        if p.bonus != 0 {
            out.push_str(&format!(
                "{who},bonus,{}.{:02},EUR\n",
                p.bonus / 100,
                p.bonus % 100
            ));
        }
        if p.mentor != 0 {
            out.push_str(&format!("{who},mentor,{},badge\n", p.mentor));
        }
        if p.reputation != 0 {
            out.push_str(&format!("{who},reputation,{},pts\n", p.reputation));
        }
        if p.time_off_half_minutes != 0 {
            let h = p.time_off_half_minutes;
            let half = if h % 2 == 1 { ".5" } else { "" };
            out.push_str(&format!("{who},time_off,{}{half},min\n", h / 2));
        }
    }
    Ok(out)
}

fn digits(bytes: &[u8]) -> i64 {
    bytes
        .iter()
        .fold(0i64, |n, &b| n * 10 + i64::from(b.wrapping_sub(b'0')))
}

/// Days since 1970-01-01 (Howard Hinnant's days-from-civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn record(state: &mut State, line: &[u8]) {
    let mut cells: [&[u8]; 10] = [&[]; 10];
    for (slot, cell) in cells.iter_mut().zip(line.split(|&b| b == b',')) {
        *slot = cell;
    }
    let [
        _id,
        who,
        kind,
        at,
        lines,
        repo,
        accepted,
        _votes,
        duration,
        amount,
    ] = cells;
    let _ = repo;
    let (y, m, d) = (digits(&at[0..4]), digits(&at[5..7]), digits(&at[8..10]));
    let day = days_from_civil(y, m, d);
    let month = y * 12 + m - 1;
    let quarter = y * 4 + (m - 1) / 3;
    if quarter != state.quarter {
        close_quarter(state);
        state.quarter = quarter;
    }
    let Some(&index) = state.index.get(who) else {
        return;
    };
    let p = &mut state.people[index as usize];
    if p.month != month {
        close_month(p);
        p.month = month;
    }
    if p.day != day {
        p.day = day;
        p.day_answers = 0;
    }
    if p.quarter != quarter {
        p.quarter = quarter;
        p.quarter_reputation = 0;
        state.active.push(index);
    }
    match kind {
        b"review" => {
            p.month_reviews += 1;
            let lines = digits(lines);
            if lines >= 50 && !p.employee {
                grant_bonus(p, 500 + 2 * lines);
            }
        }
        b"answer" => {
            let wanted = if accepted == b"true" { 15 } else { 2 };
            let granted = wanted.min(DAY_CAP - p.day_answers).max(0);
            p.day_answers += granted;
            p.reputation += granted;
            p.quarter_reputation += granted;
        }
        b"mentoring" => {
            let minutes = digits(&duration[..duration.len() - 3]);
            p.time_off_half_minutes += minutes;
            p.month_mentoring += minutes;
        }
        b"sale" => {
            let cents = amount
                .iter()
                .filter(|&&b| b != b'.')
                .fold(0i64, |n, &b| n * 10 + i64::from(b - b'0'));
            // 10% up to 500 EUR, 15% above, in hundredths of a cent.
            let t = 10 * cents.min(50_000) + 15 * (cents - 50_000).max(0);
            let (q, r) = (t / 100, t % 100);
            let rounded = if r > 50 || (r == 50 && q % 2 == 1) {
                q + 1
            } else {
                q
            };
            grant_bonus(p, rounded);
        }
        _ => {
            p.reputation += 1;
            p.quarter_reputation += 1;
        }
    }
}

fn grant_bonus(p: &mut Person, wanted: i64) {
    let granted = wanted.min(MONTH_CAP - p.month_bonus).max(0);
    p.month_bonus += granted;
    p.bonus += granted;
}

/// `busy_reviewer` and `mentor_of_month` for the person's open month.
fn close_month(p: &mut Person) {
    if p.month >= 0 {
        if p.month_reviews >= 20 {
            grant_bonus(p, 1_000);
        }
        if p.month_mentoring >= 300 {
            p.mentor += 1;
        }
    }
    p.month_reviews = 0;
    p.month_mentoring = 0;
    p.month_bonus = 0;
}

/// `community_fund` for the quarter that ends: largest remainders, ties to
/// the smaller name.
fn close_quarter(state: &mut State) {
    let active = std::mem::take(&mut state.active);
    let scores: Vec<(u32, u128)> = active
        .iter()
        .map(|&i| (i, state.people[i as usize].quarter_reputation))
        .filter(|&(_, s)| s > 0)
        .map(|(i, s)| (i, s as u128))
        .collect();
    let total: u128 = scores.iter().map(|&(_, s)| s).sum();
    if total == 0 {
        return;
    }
    let mut parts: Vec<(u32, u128, u128)> = scores
        .iter()
        .map(|&(i, s)| (i, POOL * s / total, POOL * s % total))
        .collect();
    let paid: u128 = parts.iter().map(|p| p.1).sum();
    let people = &state.people;
    parts.sort_by(|a, b| {
        b.2.cmp(&a.2)
            .then_with(|| people[a.0 as usize].name.cmp(&people[b.0 as usize].name))
    });
    for (k, (i, share, _)) in parts.into_iter().enumerate() {
        let extra = u128::from((k as u128) < POOL - paid);
        state.people[i as usize].bonus += (share + extra) as i64;
    }
}
