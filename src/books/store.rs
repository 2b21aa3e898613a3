//! The books file: an SQLite database whose booked rows triggers keep from
//! ever being updated or deleted, written one transaction per run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};
use rust_decimal::Decimal;

use super::chain::{GENESIS, run_hash};
use super::error::BooksError;
use super::plan::{Booked, Group, Line, LineKind, Texts};

/// What the `meta` table says a meed books file is.
const FORMAT: &str = "meed-books/1";

/// How long a close waits for another one to finish before giving up.
const BUSY_WAIT: Duration = Duration::from_secs(60);

/// The tables and the triggers that make booked rows permanent. A line can
/// only join the newest run, inside the transaction that creates it.
///
/// INVARIANT: a run's lines are inserted in the books' order (who, reward,
/// earned month, unit: byte order) and runs one after another, so rowid
/// order is the books' order; `lines` needs no index, and a run's
/// thousands of lines are appended rather than sorted in.
const SCHEMA: &str = "
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
  run INTEGER PRIMARY KEY,
  closed_at TEXT NOT NULL,
  through TEXT NOT NULL,
  timezone TEXT NOT NULL,
  policy_name TEXT NOT NULL,
  policy_text TEXT NOT NULL,
  policy_sha256 TEXT NOT NULL,
  log_sha256 TEXT NOT NULL,
  roster_sha256 TEXT,
  meed_version TEXT NOT NULL,
  previous_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE lines (
  run INTEGER NOT NULL REFERENCES runs(run),
  who TEXT NOT NULL,
  reward TEXT NOT NULL,
  earned TEXT NOT NULL,
  unit TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('regular', 'adjustment')),
  amount TEXT NOT NULL,
  reason TEXT NOT NULL
);
CREATE TRIGGER meta_never_changes BEFORE UPDATE ON meta
  BEGIN SELECT RAISE(ABORT, 'the books are never changed, only added to'); END;
CREATE TRIGGER meta_never_deleted BEFORE DELETE ON meta
  BEGIN SELECT RAISE(ABORT, 'the books are never changed, only added to'); END;
CREATE TRIGGER runs_never_change BEFORE UPDATE ON runs
  BEGIN SELECT RAISE(ABORT, 'a booked run is never changed'); END;
CREATE TRIGGER runs_never_deleted BEFORE DELETE ON runs
  BEGIN SELECT RAISE(ABORT, 'a booked run is never deleted'); END;
CREATE TRIGGER lines_never_change BEFORE UPDATE ON lines
  BEGIN SELECT RAISE(ABORT, 'a booked line is never changed; book an adjustment'); END;
CREATE TRIGGER lines_never_deleted BEFORE DELETE ON lines
  BEGIN SELECT RAISE(ABORT, 'a booked line is never deleted; book an adjustment'); END;
CREATE TRIGGER lines_join_the_newest_run BEFORE INSERT ON lines
  WHEN NEW.run IS NOT (SELECT max(run) FROM runs)
  BEGIN SELECT RAISE(ABORT, 'lines are booked only with their own run'); END;
";

/// The names of the triggers [`SCHEMA`] creates (`books verify` checks
/// they are all still there).
pub(super) const TRIGGERS: [&str; 7] = [
    "meta_never_changes",
    "meta_never_deleted",
    "runs_never_change",
    "runs_never_deleted",
    "lines_never_change",
    "lines_never_deleted",
    "lines_join_the_newest_run",
];

/// A books file, open.
pub struct Books {
    connection: Connection,
}

/// One stored run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub number: i64,
    pub fields: NewRun,
    pub previous_hash: String,
    pub hash: String,
}

/// What a run records besides its lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewRun {
    /// When the run was closed, RFC 3339 in UTC.
    pub closed_at: String,
    /// The last day booked, `2027-03-31`, in the policy's time zone.
    pub through: String,
    pub timezone: String,
    /// The policy's file name as given on the command line.
    pub policy_name: String,
    pub policy_text: String,
    pub policy_sha256: String,
    pub log_sha256: String,
    pub roster_sha256: Option<String>,
    pub meed_version: String,
}

/// What a close sees of the books when it decides what to book.
pub struct State {
    pub runs: Vec<Run>,
    pub booked: BTreeMap<Group, Booked>,
}

impl Books {
    /// Opens the books at `path`, creating them if the file does not exist.
    pub fn open_or_create(path: &Path) -> Result<Books, BooksError> {
        let connection = Connection::open(path)?;
        Books::prepare(connection, path)
    }

    /// Opens existing books (`books show`, `books verify`). Not read-only:
    /// a run killed mid-write leaves a journal that the next opener rolls
    /// back, which needs write access.
    pub fn open_existing(path: &Path) -> Result<Books, BooksError> {
        if !path.is_file() {
            return Err(BooksError::Missing {
                path: path.to_path_buf(),
            });
        }
        let connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let books = Books::prepare(connection, path)?;
        if !books.is_books()? {
            return Err(not_books(path));
        }
        Ok(books)
    }

    fn prepare(connection: Connection, path: &Path) -> Result<Books, BooksError> {
        connection.busy_timeout(BUSY_WAIT)?;
        let books = Books { connection };
        // Reading the schema is the first read: a file that is not SQLite
        // fails here.
        books
            .connection
            .query_row("SELECT count(*) FROM sqlite_master", [], |_| Ok(()))
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::NotADatabase) => not_books(path),
                _ => BooksError::from(e),
            })?;
        Ok(books)
    }

    /// Whether the file holds meed's tables (an empty database does not).
    fn is_books(&self) -> Result<bool, BooksError> {
        let has_meta: bool = self.connection.query_row(
            "SELECT count(*) > 0 FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |row| row.get(0),
        )?;
        if !has_meta {
            return Ok(false);
        }
        let format: Option<String> = self
            .connection
            .query_row("SELECT value FROM meta WHERE key = 'format'", [], |row| {
                row.get(0)
            })
            .optional()?;
        Ok(format.as_deref() == Some(FORMAT))
    }

    /// Every run, oldest first.
    pub fn runs(&self) -> Result<Vec<Run>, BooksError> {
        read_runs(&self.connection)
    }

    /// The lines of run `run` (of every run when `None`), by run, then who,
    /// reward, earned month and unit (byte order).
    pub fn lines(&self, run: Option<i64>) -> Result<Vec<(i64, Line)>, BooksError> {
        read_lines(&self.connection, run)
    }

    /// Calls `each` with every line of run `run` (of every run when
    /// `None`) as stored, in the books' order, without holding them all:
    /// `(run, who, reward, earned, kind, amount, unit, reason)`.
    pub fn for_each_line(
        &self,
        run: Option<i64>,
        mut each: impl FnMut(i64, &[&str; 7]),
    ) -> Result<(), BooksError> {
        each_line(&self.connection, run, |run, fields| {
            each(run, fields);
            Ok(())
        })
    }

    /// The names of the protecting triggers still in the file.
    pub(super) fn triggers(&self) -> Result<Vec<String>, BooksError> {
        let mut statement = self
            .connection
            .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")?;
        let names = statement
            .query_map([], |row| row.get(0))?
            .collect::<Result<Vec<String>, _>>()?;
        Ok(names)
    }

    /// Books one run in one transaction: `plan` sees the books as they are
    /// once this close holds the write lock (so two closes never both book
    /// the same thing) and returns the run and its lines, or `None` to
    /// book nothing. Returns the new run, or `None`.
    pub fn close<E: From<BooksError>>(
        &mut self,
        path: &Path,
        plan: impl FnOnce(&State) -> Result<Option<(NewRun, Vec<Line>)>, E>,
    ) -> Result<Option<(Run, Vec<Line>)>, E> {
        let transaction = self
            .connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(BooksError::from)?;
        let tables: i64 = transaction
            .query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))
            .map_err(BooksError::from)?;
        if tables == 0 {
            transaction
                .execute_batch(SCHEMA)
                .map_err(BooksError::from)?;
            transaction
                .execute(
                    "INSERT INTO meta (key, value) VALUES ('format', ?1)",
                    params![FORMAT],
                )
                .map_err(BooksError::from)?;
        }
        let format: Option<String> = transaction
            .query_row("SELECT value FROM meta WHERE key = 'format'", [], |row| {
                row.get(0)
            })
            .optional()
            .map_err(|_| not_books(path))?;
        if format.as_deref() != Some(FORMAT) {
            return Err(not_books(path).into());
        }
        let runs = read_runs(&transaction)?;
        let booked = booked_sums(&transaction)?;
        let Some((fields, mut lines)) = plan(&State {
            runs: runs.clone(),
            booked,
        })?
        else {
            // Nothing booked, but new books keep their tables.
            transaction.commit().map_err(BooksError::from)?;
            return Ok(None);
        };
        lines.sort_by(|a, b| a.group.cmp(&b.group));
        let number = runs.last().map_or(1, |r| r.number + 1);
        let previous_hash = runs.last().map_or(GENESIS.to_string(), |r| r.hash.clone());
        let hash = run_hash(number, &fields, &previous_hash, &lines);
        transaction
            .execute(
                "INSERT INTO runs (run, closed_at, through, timezone, policy_name, policy_text,
                   policy_sha256, log_sha256, roster_sha256, meed_version, previous_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                params![
                    number,
                    fields.closed_at,
                    fields.through,
                    fields.timezone,
                    fields.policy_name,
                    fields.policy_text,
                    fields.policy_sha256,
                    fields.log_sha256,
                    fields.roster_sha256,
                    fields.meed_version,
                    previous_hash,
                    hash,
                ],
            )
            .map_err(BooksError::from)?;
        {
            let mut insert = transaction
                .prepare(
                    "INSERT INTO lines (run, who, reward, earned, unit, kind, amount, reason)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                )
                .map_err(BooksError::from)?;
            for line in &lines {
                insert
                    .execute(params![
                        number,
                        line.group.who,
                        line.group.reward,
                        line.group.earned,
                        line.group.unit,
                        line.kind.as_str(),
                        line.amount_text(),
                        line.reason,
                    ])
                    .map_err(BooksError::from)?;
            }
        }
        transaction.commit().map_err(BooksError::from)?;
        Ok(Some((
            Run {
                number,
                fields,
                previous_hash,
                hash,
            },
            lines,
        )))
    }
}

fn not_books(path: &Path) -> BooksError {
    BooksError::NotBooks {
        path: PathBuf::from(path),
    }
}

fn read_runs(connection: &Connection) -> Result<Vec<Run>, BooksError> {
    let mut statement = connection.prepare(
        "SELECT run, closed_at, through, timezone, policy_name, policy_text, policy_sha256,
                log_sha256, roster_sha256, meed_version, previous_hash, hash
         FROM runs ORDER BY run",
    )?;
    let runs = statement
        .query_map([], |row| {
            Ok(Run {
                number: row.get(0)?,
                fields: NewRun {
                    closed_at: row.get(1)?,
                    through: row.get(2)?,
                    timezone: row.get(3)?,
                    policy_name: row.get(4)?,
                    policy_text: row.get(5)?,
                    policy_sha256: row.get(6)?,
                    log_sha256: row.get(7)?,
                    roster_sha256: row.get(8)?,
                    meed_version: row.get(9)?,
                },
                previous_hash: row.get(10)?,
                hash: row.get(11)?,
            })
        })?
        .collect::<Result<Vec<Run>, _>>()?;
    Ok(runs)
}

/// Calls `each` with every line of run `run` (of every run when `None`)
/// as stored, in the books' order: `(run, [who, reward, earned, kind,
/// amount, unit, reason])`. The one query that reads lines.
fn each_line(
    connection: &Connection,
    run: Option<i64>,
    mut each: impl FnMut(i64, &[&str; 7]) -> Result<(), BooksError>,
) -> Result<(), BooksError> {
    let mut statement = connection.prepare(
        "SELECT run, who, reward, earned, kind, amount, unit, reason FROM lines
         WHERE ?1 IS NULL OR run = ?1 ORDER BY rowid",
    )?;
    let mut rows = statement.query(params![run])?;
    while let Some(row) = rows.next()? {
        let text = |i: usize| {
            row.get_ref(i)
                .ok()
                .and_then(|v| v.as_str().ok())
                .unwrap_or("")
        };
        each(
            row.get(0)?,
            &[
                text(1),
                text(2),
                text(3),
                text(4),
                text(5),
                text(6),
                text(7),
            ],
        )?;
    }
    Ok(())
}

/// A stored amount, read back exactly.
fn parse_amount(run: i64, who: &str, amount: &str) -> Result<Decimal, BooksError> {
    amount.parse().map_err(|_| BooksError::Database {
        message: format!("run {run} holds an amount that is not a number for `{who}`"),
    })
}

fn read_lines(connection: &Connection, run: Option<i64>) -> Result<Vec<(i64, Line)>, BooksError> {
    let mut lines = Vec::new();
    let mut texts = Texts::default();
    each_line(
        connection,
        run,
        |run, [who, reward, earned, kind, amount, unit, reason]| {
            let kind = LineKind::parse(kind).ok_or_else(|| BooksError::Database {
                message: format!("run {run} holds a line of unknown kind for `{who}`"),
            })?;
            lines.push((
                run,
                Line {
                    group: Group {
                        who: Arc::from(*who),
                        reward: texts.get(reward),
                        earned: texts.get(earned),
                        unit: texts.get(unit),
                    },
                    kind,
                    amount: parse_amount(run, who, amount)?,
                    reason: reason.to_string(),
                },
            ));
            Ok(())
        },
    )?;
    Ok(lines)
}

/// Per group, the sum booked so far and the last run that booked it. Rows
/// are summed as they are read: the books are never held whole.
fn booked_sums(connection: &Connection) -> Result<BTreeMap<Group, Booked>, BooksError> {
    let mut booked: BTreeMap<Group, Booked> = BTreeMap::new();
    let mut texts = Texts::default();
    each_line(
        connection,
        None,
        |run, [who, reward, earned, _, amount, unit, _]| {
            let amount = parse_amount(run, who, amount)?;
            let group = Group {
                who: Arc::from(*who),
                reward: texts.get(reward),
                earned: texts.get(earned),
                unit: texts.get(unit),
            };
            let entry = booked.entry(group).or_insert(Booked {
                sum: Decimal::ZERO,
                last_run: run,
            });
            entry.sum = entry
                .sum
                .checked_add(amount)
                .ok_or_else(|| BooksError::Database {
                    message: "a booked sum overflows".to_string(),
                })?;
            entry.last_run = entry.last_run.max(run);
            Ok(())
        },
    )?;
    Ok(booked)
}
