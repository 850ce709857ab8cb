//! Hot-path reads on SQLite (verdicts, site keys, a session's events) on the calling thread.
//!
//! sqlx runs every SQLite statement on a worker thread per connection and hands results back
//! over a channel: two context switches per query, which profiles showed to be about half of
//! a verdict read's CPU time. A verdict read is a handful of index lookups (microseconds), so
//! it runs here on a per-thread read-only connection to the same file instead. WAL readers
//! never wait for the writer; every read sees the latest committed state.
//!
//! A read can still meet a lock (a WAL recovery under way, a file another process holds in
//! exclusive locking mode). The first attempt never waits: SQLite's busy handler declines at
//! once, and a busy read is retried on the blocking pool, whose busy handler waits until the
//! caller's deadline (`--verdict-timeout-ms` for verdicts) and no longer. A runtime thread
//! never sleeps in the busy handler. Known gap: when another process holds the WAL's read
//! marks, SQLite retries inside the read itself (up to about 10 s) without asking the busy
//! handler, and that first attempt blocks its runtime thread until SQLite gives up.
use std::{
    cell::{Cell, RefCell},
    collections::HashMap,
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use sea_orm::DbErr;

use sea_orm::Value;

use rusqlite::types::Value as LiteValue;

use super::tx::{Row, lite_params};

thread_local! {
    /// One read connection per (thread, database file).
    static CONNECTIONS: RefCell<HashMap<PathBuf, Connection>> = RefCell::new(HashMap::new());
    /// Until when this thread's current read may wait for a lock (`None`: not at all).
    static WAIT_UNTIL: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// SQLite's busy handler for the read connections: sleeps in short steps while the current
/// read's deadline is ahead, then gives up (the read fails with SQLITE_BUSY).
fn wait_for_lock(attempt: i32) -> bool {
    let Some(until) = WAIT_UNTIL.with(Cell::get) else {
        return false;
    };
    let left = until.saturating_duration_since(Instant::now());
    if left.is_zero() {
        return false;
    }
    let step = Duration::from_millis(1 << attempt.clamp(0, 4));
    std::thread::sleep(step.min(left));
    true
}

fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

fn db_err(e: rusqlite::Error) -> DbErr {
    DbErr::Custom(format!("sqlite read: {e}"))
}

fn open(path: &Path) -> Result<Connection, rusqlite::Error> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_handler(Some(wait_for_lock))?;
    conn.pragma_update(None, "query_only", true)?;
    conn.set_prepared_statement_cache_capacity(8);
    Ok(conn)
}

/// Runs `f` on this thread's connection to `path`, opening it on first use, waiting for a
/// lock until `wait_until` at most; a connection that failed is dropped so the next read
/// reopens it.
fn with_connection<T>(
    path: &Path,
    wait_until: Option<Instant>,
    f: impl FnOnce(&Connection) -> Result<T, rusqlite::Error>,
) -> Result<T, rusqlite::Error> {
    CONNECTIONS.with(|cell| {
        let mut map = cell.borrow_mut();
        if !map.contains_key(path) {
            map.insert(path.to_path_buf(), open(path)?);
        }
        let conn = map.get(path).expect("inserted above");
        WAIT_UNTIL.with(|w| w.set(wait_until));
        let out = f(conn);
        WAIT_UNTIL.with(|w| w.set(None));
        if out.is_err() {
            map.remove(path);
        }
        out
    })
}

/// A read's statement: its rows from a prepared statement and bound parameters.
type Read<T> = fn(&mut rusqlite::Statement<'_>, &[LiteValue]) -> rusqlite::Result<T>;

/// Runs `read` of `sql` on this thread without waiting for a lock (borrowing the SQL: no
/// copy on the hot path); if SQLite reports the file busy, again on the blocking pool (with
/// copies of the SQL and parameters), where the busy handler waits until `deadline`.
async fn run<T: Send + 'static>(
    file: &Path,
    deadline: Instant,
    sql: &str,
    values: Vec<Value>,
    read: Read<T>,
) -> Result<T, DbErr> {
    let params = lite_params(values)?;
    let attempt = move |conn: &Connection, sql: &str, params: &[LiteValue]| {
        let mut stmt = conn.prepare_cached(sql)?;
        read(&mut stmt, params)
    };
    match with_connection(file, None, |conn| attempt(conn, sql, &params)) {
        Err(e) if is_busy(&e) => {
            let (file, sql) = (file.to_path_buf(), sql.to_string());
            tokio::task::spawn_blocking(move || {
                with_connection(&file, Some(deadline), |conn| attempt(conn, &sql, &params))
            })
            .await
            .map_err(|e| DbErr::Custom(format!("sqlite read task: {e}")))?
            .map_err(db_err)
        }
        other => other.map_err(db_err),
    }
}

/// One row of a read on a connection to `file`, waiting for a lock until `deadline`.
pub(super) async fn one<R: Row + Send + 'static>(
    file: &Path,
    deadline: Instant,
    sql: &str,
    values: Vec<Value>,
) -> Result<Option<R>, DbErr> {
    run(file, deadline, sql, values, |stmt, params| {
        stmt.query_row(rusqlite::params_from_iter(params.iter()), |r| {
            R::from_lite(r)
        })
        .optional()
    })
    .await
}

/// Every row of a read on a connection to `file`, waiting for a lock until `deadline`.
pub(super) async fn all<R: Row + Send + 'static>(
    file: &Path,
    deadline: Instant,
    sql: &str,
    values: Vec<Value>,
) -> Result<Vec<R>, DbErr> {
    run(file, deadline, sql, values, |stmt, params| {
        stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
            R::from_lite(r)
        })?
        .collect()
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_busy_handler_waits_until_the_deadline_and_no_longer() {
        WAIT_UNTIL.with(|w| w.set(None));
        assert!(!wait_for_lock(0), "no deadline: no waiting");
        let start = Instant::now();
        WAIT_UNTIL.with(|w| w.set(Some(start + Duration::from_millis(60))));
        let mut attempt = 0;
        while wait_for_lock(attempt) {
            attempt += 1;
        }
        let waited = start.elapsed();
        WAIT_UNTIL.with(|w| w.set(None));
        assert!(
            waited >= Duration::from_millis(60),
            "gave up after {waited:?}"
        );
        assert!(attempt > 3, "slept in steps: {attempt}");
    }
}
