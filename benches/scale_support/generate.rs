//! Deterministic synthetic logs for `benches/reference.meed`: about 10,000
//! people, five kinds, a year (2027) of timestamps, and the roster.
//!
//! Record `i` is a pure function of `i` (its own PRNG stream), so the
//! shuffled log holds exactly the records of the sorted one, in another
//! order.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// SplitMix64: tiny, fast, good enough for synthetic data.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0; the slight bias does not matter here).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The people of a log of `records` records: 10,000, fewer for tiny logs.
pub fn people_count(records: usize) -> usize {
    (records / 10).clamp(1, 10_000)
}

/// The header every generated log has.
pub const HEADER: &str = "id,who,kind,at,lines,repo,accepted,votes,duration,amount\n";

/// Seconds in 2027 and its first instant (2027-01-01T00:00:00Z).
const YEAR_SECONDS: u64 = 365 * 86_400;
const YEAR_START: i64 = 1_798_761_600;

/// Writes record `i` of `n` as one CSV line into `out`.
pub fn write_record(out: &mut Vec<u8>, i: usize, n: usize, people: usize) {
    let mut rng = Rng::new((i as u64).wrapping_mul(0xA24B_AED4_963E_E407) ^ 0x5EED);
    let offset = (i as u128 * YEAR_SECONDS as u128 / n.max(1) as u128) as i64;
    let at = YEAR_START + offset;
    let who = rng.below(people as u64);
    let kind = rng.below(100);
    let _ = write!(out, "e{i:09},p{who:05},");
    let (kind_name, rest) = match kind {
        0..30 => {
            let lines = 1 + rng.below(400);
            let repo = match rng.below(3) {
                0 => "core",
                1 => "web",
                _ => "docs",
            };
            ("review", format!("{lines},{repo},,,,"))
        }
        30..55 => {
            let accepted = rng.below(3) == 0;
            let votes = rng.below(50);
            ("answer", format!(",,{accepted},{votes},,"))
        }
        55..60 => {
            let minutes = 15 + rng.below(166);
            ("mentoring", format!(",,,,{minutes}min,"))
        }
        60..70 => {
            let cents = 1_000 + rng.below(199_000);
            ("sale", format!(",,,,,{}.{:02}", cents / 100, cents % 100))
        }
        _ => ("like", ",,,,,".to_string()),
    };
    out.extend_from_slice(kind_name.as_bytes());
    out.push(b',');
    write_timestamp(out, at);
    out.push(b',');
    out.extend_from_slice(rest.as_bytes());
    out.push(b'\n');
}

/// `2027-01-05T10:00:00Z`.
fn write_timestamp(out: &mut Vec<u8>, secs: i64) {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    );
}

/// Howard Hinnant's days → (year, month, day).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The paths of a generated data set.
pub struct DataSet {
    pub log: PathBuf,
    pub people: PathBuf,
}

/// Writes (once: an existing file of the same name is reused) the log of
/// `n` records, sorted by time or shuffled, and its roster, into `dir`.
pub fn generate(dir: &Path, n: usize, shuffled: bool) -> std::io::Result<DataSet> {
    std::fs::create_dir_all(dir)?;
    let people = people_count(n);
    let roster = dir.join(format!("people-{people}.csv"));
    if !roster.exists() {
        let mut text = String::from("who,status\n");
        let mut rng = Rng::new(7);
        for p in 0..people {
            let status = match rng.below(10) {
                0 | 1 => "employee",
                2..=6 => "volunteer",
                _ => "freelancer",
            };
            text.push_str(&format!("p{p:05},{status}\n"));
        }
        write_atomically(&roster, text.as_bytes())?;
    }
    let order = if shuffled { "shuffled" } else { "sorted" };
    let log = dir.join(format!("log-{n}-{order}.csv"));
    if !log.exists() {
        let tmp = unique_tmp(&log);
        let mut file = BufWriter::with_capacity(1 << 20, File::create(&tmp)?);
        file.write_all(HEADER.as_bytes())?;
        let mut line = Vec::with_capacity(128);
        let mut write = |file: &mut BufWriter<File>, i: usize| -> std::io::Result<()> {
            line.clear();
            write_record(&mut line, i, n, people);
            file.write_all(&line)
        };
        if shuffled {
            let mut indices: Vec<u32> = (0..n as u32).collect();
            let mut rng = Rng::new(42);
            for k in (1..indices.len()).rev() {
                let j = rng.below(k as u64 + 1) as usize;
                indices.swap(k, j);
            }
            for i in indices {
                write(&mut file, i as usize)?;
            }
        } else {
            for i in 0..n {
                write(&mut file, i)?;
            }
        }
        file.flush()?;
        drop(file);
        std::fs::rename(&tmp, &log)?;
    }
    Ok(DataSet {
        log,
        people: roster,
    })
}

/// A temporary name of its own for each writer: tests generating the same
/// file at once each write theirs and rename it into place.
fn unique_tmp(path: &Path) -> std::path::PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    path.with_extension(format!("tmp-{}-{n}", std::process::id()))
}

fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = unique_tmp(path);
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}
