//! Verdict reads on SQLite without leaving the calling thread.
//!
//! sqlx runs every SQLite statement on a worker thread per connection and hands results back
//! over a channel: two context switches per query, which profiles showed to be about half of
//! a verdict read's CPU time. A verdict read is a handful of index lookups (microseconds), so
//! it runs here on a per-thread read-only connection to the same file instead. WAL readers
//! never wait for the writer, so this cannot stall a runtime thread behind an ingest
//! transaction; every read sees the latest committed state (no cache, nothing to invalidate).
use std::{
    cell::RefCell,
    collections::HashMap,
    path::{Path, PathBuf},
    time::Duration,
};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use sea_orm::DbErr;

use super::VerdictRow;

thread_local! {
    /// One read connection per (thread, database file).
    static CONNECTIONS: RefCell<HashMap<PathBuf, Connection>> = RefCell::new(HashMap::new());
}

fn db_err(e: rusqlite::Error) -> DbErr {
    DbErr::Custom(format!("sqlite read: {e}"))
}

fn open(path: &Path) -> Result<Connection, DbErr> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(db_err)?;
    conn.busy_timeout(Duration::from_millis(100))
        .map_err(db_err)?;
    conn.pragma_update(None, "query_only", true)
        .map_err(db_err)?;
    conn.set_prepared_statement_cache_capacity(8);
    Ok(conn)
}

/// Runs `f` on this thread's connection to `path`, opening it on first use; a connection
/// that failed is dropped so the next read reopens it.
fn with_connection<T>(
    path: &Path,
    f: impl FnOnce(&Connection) -> Result<T, rusqlite::Error>,
) -> Result<T, DbErr> {
    CONNECTIONS.with(|cell| {
        let mut map = cell.borrow_mut();
        if !map.contains_key(path) {
            map.insert(path.to_path_buf(), open(path)?);
        }
        let conn = map.get(path).expect("inserted above");
        let out = f(conn);
        if out.is_err() {
            map.remove(path);
        }
        out.map_err(db_err)
    })
}

pub(super) fn verdict_row(
    path: &Path,
    sql: &str,
    private_key_hash: &str,
    session_token: &str,
) -> Result<Option<VerdictRow>, DbErr> {
    with_connection(path, |conn| {
        let mut stmt = conn.prepare_cached(sql)?;
        stmt.query_row(
            rusqlite::params![session_token, private_key_hash, true],
            |r| {
                Ok(VerdictRow {
                    project_id: r.get(0)?,
                    subscription_active: r.get(1)?,
                    allow_verified: r.get(2)?,
                    protect_static: r.get(3)?,
                    block_definite: r.get(4)?,
                    challenge_likely: r.get(5)?,
                    likely_bot_threshold: r.get(6)?,
                    private_key_hash: r.get(7)?,
                    score: r.get(8)?,
                    detection_ids: r.get(9)?,
                    reason: r.get(10)?,
                    js_passed: r.get(11)?,
                    features: r.get(12)?,
                    rules_version: r.get(13)?,
                })
            },
        )
        .optional()
    })
}
