//! Every record of the run, spilled to temporary files by person, so that
//! statements can be written a bucket of people at a time: memory holds one
//! bucket's records, never the log.
//!
//! A person's bucket is a hash of their name (FNV-1a), so people of the
//! roster who have no record fall in a known bucket too. Records keep the
//! run's `(at, id)` order within each bucket. The encoding is private to
//! this file and lives only as long as the run: length-prefixed fields,
//! decimals as their 16 bytes.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::eval::stream::StreamRecord;
use crate::eval::stream::file::RecordSink;
use crate::input::Contribution;
use crate::input::hash::FxBuild;
use crate::units::Currency;
use crate::value::{Money, Value};

/// How many buckets: 10 million records make about 8 MB of records in
/// memory per bucket (a bucket per thread is in memory at once), and 128
/// files stay well inside every system's limit of open files.
pub const BUCKETS: usize = 128;

/// The bucket of the person called `who`.
pub fn bucket_of(who: &str) -> usize {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in who.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    (hash % BUCKETS as u64) as usize
}

/// Writes each record to its person's bucket file.
pub struct RecordSpill {
    dir: PathBuf,
    files: Vec<BufWriter<File>>,
    /// The bucket of each person index seen so far.
    buckets: Vec<u8>,
    /// The first write that failed: reported once the run is over.
    pub error: Option<io::Error>,
}

impl RecordSpill {
    /// Buckets in `dir` (a temporary directory the caller removes).
    pub fn new(dir: &Path) -> io::Result<RecordSpill> {
        let mut spill = RecordSpill {
            dir: dir.to_path_buf(),
            files: Vec::new(),
            buckets: Vec::new(),
            error: None,
        };
        spill.create()?;
        Ok(spill)
    }

    fn create(&mut self) -> io::Result<()> {
        self.files.clear();
        for bucket in 0..BUCKETS {
            let file = File::create(bucket_path(&self.dir, bucket))?;
            self.files.push(BufWriter::new(file));
        }
        Ok(())
    }

    /// Flushes every bucket; the spill can then be read.
    pub fn finish(mut self) -> io::Result<SpilledRecords> {
        if let Some(error) = self.error.take() {
            return Err(error);
        }
        for file in &mut self.files {
            file.flush()?;
        }
        Ok(SpilledRecords { dir: self.dir })
    }

    fn write(&mut self, record: &StreamRecord<'_>) -> io::Result<()> {
        let index = record.who as usize;
        if index >= self.buckets.len() {
            self.buckets.resize(index + 1, u8::MAX);
        }
        let bucket = match self.buckets.get(index) {
            Some(b) if *b != u8::MAX => usize::from(*b),
            _ => {
                let b = bucket_of(record.who_name);
                if let Some(slot) = self.buckets.get_mut(index) {
                    *slot = b as u8;
                }
                b
            }
        };
        let Some(out) = self.files.get_mut(bucket) else {
            return Ok(());
        };
        put_str(out, record.who_name)?;
        put_str(out, record.id)?;
        put_u64(out, record.kind as u64)?;
        put_time(out, record.at)?;
        put_u64(out, record.fields.len() as u64)?;
        for field in record.fields {
            put_value(out, field)?;
        }
        Ok(())
    }
}

impl RecordSink for RecordSpill {
    fn record(&mut self, record: &StreamRecord<'_>) {
        if self.error.is_none()
            && let Err(error) = self.write(record)
        {
            self.error = Some(error);
        }
    }

    fn restart(&mut self) {
        self.buckets.clear();
        if let Err(error) = self.create() {
            self.error = Some(error);
        }
    }
}

/// The spilled records, ready to be read a bucket at a time.
pub struct SpilledRecords {
    dir: PathBuf,
}

impl SpilledRecords {
    /// The records of one bucket, per person, in `(at, id)` order.
    pub fn bucket(&self, bucket: usize) -> io::Result<BTreeMap<Arc<str>, Vec<Contribution>>> {
        let mut input = BufReader::new(File::open(bucket_path(&self.dir, bucket))?);
        // Each person's name once (a bucket holds a few people's many
        // records); strings are read into one buffer, not one each.
        let mut people: HashMap<Arc<str>, Vec<Contribution>, FxBuild> = HashMap::default();
        let mut text = Vec::new();
        while get_str_or_end(&mut input, &mut text)? {
            let who = utf8(&text)?;
            let who: Arc<str> = match people.get_key_value(who) {
                Some((name, _)) => name.clone(),
                None => Arc::from(who),
            };
            let id = Arc::from(utf8(get_str(&mut input, &mut text)?)?);
            let kind = get_u64(&mut input)? as usize;
            let at = get_time(&mut input)?;
            let count = get_u64(&mut input)?;
            let mut fields = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(64));
            for _ in 0..count {
                fields.push(get_value(&mut input, &mut text)?);
            }
            people.entry(who.clone()).or_default().push(Contribution {
                id,
                who,
                kind,
                at,
                fields,
                line: 0,
            });
        }
        Ok(people.into_iter().collect())
    }
}

fn bucket_path(dir: &Path, bucket: usize) -> PathBuf {
    dir.join(format!("records-{bucket:02}"))
}

fn put_u64(out: &mut impl Write, n: u64) -> io::Result<()> {
    out.write_all(&n.to_le_bytes())
}

fn put_str(out: &mut impl Write, text: &str) -> io::Result<()> {
    put_u64(out, text.len() as u64)?;
    out.write_all(text.as_bytes())
}

fn put_time(out: &mut impl Write, at: DateTime<Utc>) -> io::Result<()> {
    out.write_all(&at.timestamp().to_le_bytes())?;
    out.write_all(&at.timestamp_subsec_nanos().to_le_bytes())
}

fn put_decimal(out: &mut impl Write, d: Decimal) -> io::Result<()> {
    out.write_all(&d.serialize())
}

fn put_value(out: &mut impl Write, value: &Value) -> io::Result<()> {
    match value {
        Value::Int(i) => {
            out.write_all(&[0])?;
            out.write_all(&i.to_le_bytes())
        }
        Value::Decimal(d) => {
            out.write_all(&[1])?;
            put_decimal(out, *d)
        }
        Value::Bool(b) => out.write_all(&[2, u8::from(*b)]),
        Value::Text(t) => {
            out.write_all(&[3])?;
            put_str(out, t)
        }
        Value::Timestamp(at) => {
            out.write_all(&[4])?;
            put_time(out, *at)
        }
        Value::Duration(d) => {
            out.write_all(&[5])?;
            put_decimal(out, *d)
        }
        Value::Money(m) => {
            out.write_all(&[6])?;
            put_decimal(out, m.amount)?;
            put_str(out, m.currency.code())
        }
        Value::Points(d) => {
            out.write_all(&[7])?;
            put_decimal(out, *d)
        }
        // A record's field is never an intermediate fraction.
        Value::Exact(e) => Err(io::Error::other(format!(
            "a record holds the fraction {}",
            e.approximate()
        ))),
    }
}

fn get_bytes<const N: usize>(input: &mut impl Read) -> io::Result<[u8; N]> {
    let mut bytes = [0; N];
    input.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn get_u64(input: &mut impl Read) -> io::Result<u64> {
    Ok(u64::from_le_bytes(get_bytes(input)?))
}

/// The next string's bytes, read into `text`.
fn get_str<'t>(input: &mut impl Read, text: &'t mut Vec<u8>) -> io::Result<&'t [u8]> {
    let len = usize::try_from(get_u64(input)?).map_err(io::Error::other)?;
    text.resize(len, 0);
    input.read_exact(text)?;
    Ok(text)
}

fn utf8(bytes: &[u8]) -> io::Result<&str> {
    std::str::from_utf8(bytes).map_err(io::Error::other)
}

/// The next string's bytes, read into `text`; `false` at the end of the
/// file.
fn get_str_or_end(input: &mut impl Read, text: &mut Vec<u8>) -> io::Result<bool> {
    let mut first = [0u8; 8];
    let mut filled = 0;
    while filled < first.len() {
        let Some(rest) = first.get_mut(filled..) else {
            break;
        };
        match input.read(rest)? {
            0 if filled == 0 => return Ok(false),
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n => filled += n,
        }
    }
    let len = usize::try_from(u64::from_le_bytes(first)).map_err(io::Error::other)?;
    text.resize(len, 0);
    input.read_exact(text)?;
    Ok(true)
}

fn get_time(input: &mut impl Read) -> io::Result<DateTime<Utc>> {
    let seconds = i64::from_le_bytes(get_bytes(input)?);
    let nanos = u32::from_le_bytes(get_bytes(input)?);
    DateTime::from_timestamp(seconds, nanos)
        .ok_or_else(|| io::Error::other("a time out of range in the spilled records"))
}

fn get_decimal(input: &mut impl Read) -> io::Result<Decimal> {
    Ok(Decimal::deserialize(get_bytes(input)?))
}

fn get_value(input: &mut impl Read, text: &mut Vec<u8>) -> io::Result<Value> {
    let [tag] = get_bytes(input)?;
    Ok(match tag {
        0 => Value::Int(i64::from_le_bytes(get_bytes(input)?)),
        1 => Value::Decimal(get_decimal(input)?),
        2 => Value::Bool(get_bytes::<1>(input)? != [0]),
        3 => Value::Text(Arc::from(utf8(get_str(input, text)?)?)),
        4 => Value::Timestamp(get_time(input)?),
        5 => Value::Duration(get_decimal(input)?),
        6 => {
            let amount = get_decimal(input)?;
            let code = utf8(get_str(input, text)?)?;
            let currency = Currency::from_code(code)
                .ok_or_else(|| io::Error::other(format!("unknown currency {code}")))?;
            Value::Money(Money::new(amount, currency))
        }
        7 => Value::Points(get_decimal(input)?),
        other => {
            return Err(io::Error::other(format!(
                "unknown value tag {other} in the spilled records"
            )));
        }
    })
}
