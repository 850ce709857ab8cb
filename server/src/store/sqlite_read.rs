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

use sea_orm::Value;

use super::tx::{Row, lite_params};

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

/// One row of a read on this thread's connection to `file`.
pub(super) fn one<R: Row>(file: &Path, sql: &str, values: Vec<Value>) -> Result<Option<R>, DbErr> {
    let params = lite_params(values)?;
    with_connection(file, |conn| {
        let mut stmt = conn.prepare_cached(sql)?;
        stmt.query_row(rusqlite::params_from_iter(params.iter()), |r| {
            R::from_lite(r)
        })
        .optional()
    })
}

/// Every row of a read on this thread's connection to `file`.
pub(super) fn all<R: Row>(file: &Path, sql: &str, values: Vec<Value>) -> Result<Vec<R>, DbErr> {
    let params = lite_params(values)?;
    with_connection(file, |conn| {
        let mut stmt = conn.prepare_cached(sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
            R::from_lite(r)
        })?;
        rows.collect()
    })
}
