//! Hot-path reads on SQLite (verdicts on a cache miss, site keys, a session's events) on a
//! fixed set of reader threads, each with its own read-only connection to the file.
//!
//! sqlx runs every SQLite statement on a worker thread per connection and hands results back
//! over a channel: two context switches per query, which profiles showed to be about half of
//! a verdict read's CPU time. A read here is one hop to a reader thread that keeps its
//! connection and its prepared statements. WAL readers never wait for the writer; every read
//! sees the latest committed state.
//!
//! No SQLite call runs on a runtime thread, so the caller's deadline always holds: it waits
//! for the answer until its deadline and then gives up (a verdict fails open), whatever SQLite
//! is doing. A read can meet a lock (a WAL recovery under way, a file another process holds
//! in exclusive locking mode): the busy handler waits until the read's deadline and no
//! longer. When another process holds the WAL's read marks, SQLite retries inside the read
//! (up to about 10 s) without asking the busy handler: that holds one reader thread, never
//! the caller. A read whose deadline passed while it was queued is not run.
use std::{
    cell::Cell,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, mpsc},
    thread,
    time::{Duration, Instant},
};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use sea_orm::{DbErr, Value};

use rusqlite::types::Value as LiteValue;

use super::tx::{Row, lite_params};

/// Reader threads per database file: reads of other sessions go on while some are held
/// (a read-mark stall holds its thread for up to ~10 s).
pub const READER_THREADS: usize = 4;

thread_local! {
    /// Until when this reader thread's current read may wait for a lock.
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
    conn.set_prepared_statement_cache_capacity(16);
    Ok(conn)
}

/// One read for a reader thread: runs on its connection (opened on first use, dropped after
/// an error so the next read reopens it).
type Job = Box<dyn FnOnce(&mut Option<Connection>) + Send>;

/// A read's statement: its rows from a prepared statement and bound parameters.
type Read<T> = fn(&mut rusqlite::Statement<'_>, &[LiteValue]) -> rusqlite::Result<T>;

/// The reader threads of one database file. They end when the last clone is dropped.
#[derive(Clone)]
pub struct Readers {
    jobs: mpsc::Sender<Job>,
}

impl Readers {
    /// Starts [`READER_THREADS`] reader threads for `file` (connections open on first use).
    pub fn spawn(file: PathBuf) -> std::io::Result<Readers> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for i in 0..READER_THREADS {
            let (queue, file) = (queue.clone(), file.clone());
            thread::Builder::new()
                .name(format!("sqlite-read-{i}"))
                .spawn(move || {
                    let mut conn: Option<Connection> = None;
                    loop {
                        // One thread at a time waits on the queue; the others on the lock.
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        let Ok(job) = job else { return };
                        if conn.is_none() {
                            match open(&file) {
                                Ok(c) => conn = Some(c),
                                Err(e) => tracing::warn!(error = %e, "sqlite read connection"),
                            }
                        }
                        job(&mut conn);
                    }
                })?;
        }
        Ok(Readers { jobs })
    }

    /// Runs `read` of `sql` on a reader thread; gives up at `deadline` (queued, waiting for a
    /// lock, or held inside SQLite).
    async fn run<T: Send + 'static>(
        &self,
        deadline: Instant,
        sql: &str,
        values: Vec<Value>,
        read: Read<T>,
    ) -> Result<T, DbErr> {
        let params = lite_params(values)?;
        let sql = sql.to_string();
        let (reply, answer) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn: &mut Option<Connection>| {
            if Instant::now() >= deadline {
                return; // The caller has given up: `answer` sees the sender dropped.
            }
            let Some(c) = conn.as_ref() else {
                let _ = reply.send(Err(DbErr::Custom(
                    "sqlite read: cannot open the database file".into(),
                )));
                return;
            };
            WAIT_UNTIL.with(|w| w.set(Some(deadline)));
            let out = c
                .prepare_cached(&sql)
                .and_then(|mut stmt| read(&mut stmt, &params));
            WAIT_UNTIL.with(|w| w.set(None));
            if out.is_err() {
                *conn = None;
            }
            let _ = reply.send(out.map_err(db_err));
        });
        self.jobs
            .send(job)
            .map_err(|_| DbErr::Custom("sqlite read: the reader threads have stopped".into()))?;
        match tokio::time::timeout_at(deadline.into(), answer).await {
            Ok(Ok(out)) => out,
            Ok(Err(_)) | Err(_) => Err(DbErr::Custom(
                "sqlite read: no answer before the deadline (the file is locked or the readers are busy)"
                    .into(),
            )),
        }
    }

    /// One row of a read, giving up at `deadline`.
    pub async fn one<R: Row + Send + 'static>(
        &self,
        deadline: Instant,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Option<R>, DbErr> {
        self.run(deadline, sql, values, |stmt, params| {
            stmt.query_row(rusqlite::params_from_iter(params.iter()), |r| {
                R::from_lite(r)
            })
            .optional()
        })
        .await
    }

    /// Every row of a read, giving up at `deadline`.
    pub async fn all<R: Row + Send + 'static>(
        &self,
        deadline: Instant,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<R>, DbErr> {
        self.run(deadline, sql, values, |stmt, params| {
            stmt.query_map(rusqlite::params_from_iter(params.iter()), |r| {
                R::from_lite(r)
            })?
            .collect()
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reader threads of a new WAL database whose table `t` has one row.
    fn readers_of_one_row() -> (tempfile::TempDir, Readers) {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("r.db");
        Connection::open(&file)
            .unwrap()
            .execute_batch("PRAGMA journal_mode=WAL; CREATE TABLE t (x); INSERT INTO t VALUES (1);")
            .unwrap();
        (dir, Readers::spawn(file).unwrap())
    }

    fn count(stmt: &mut rusqlite::Statement<'_>, _: &[LiteValue]) -> rusqlite::Result<i64> {
        stmt.query_row([], |r| r.get(0))
    }

    /// A read SQLite holds (as a read-mark stall does) answers its caller at the deadline;
    /// the other reader threads keep serving.
    #[tokio::test]
    async fn the_caller_gets_its_answer_at_the_deadline_whatever_sqlite_does() {
        let (_dir, readers) = readers_of_one_row();
        let held: Read<i64> = |stmt, params| {
            std::thread::sleep(Duration::from_millis(800));
            count(stmt, params)
        };
        let start = Instant::now();
        let late = readers
            .run(
                start + Duration::from_millis(100),
                "SELECT COUNT(*) FROM t",
                vec![],
                held,
            )
            .await;
        let waited = start.elapsed();
        assert!(late.is_err(), "no answer in time is an error: {late:?}");
        assert!(
            waited >= Duration::from_millis(100) && waited < Duration::from_millis(400),
            "answered after {waited:?}"
        );
        let start = Instant::now();
        let n = readers
            .run(
                start + Duration::from_secs(5),
                "SELECT COUNT(*) FROM t",
                vec![],
                count,
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
        assert!(
            start.elapsed() < Duration::from_millis(400),
            "another reader thread served it while one is held: {:?}",
            start.elapsed()
        );
    }

    #[tokio::test]
    async fn a_read_whose_deadline_passed_in_the_queue_is_not_run() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static RUNS: AtomicUsize = AtomicUsize::new(0);
        let counted: Read<i64> = |stmt, params| {
            RUNS.fetch_add(1, Ordering::SeqCst);
            count(stmt, params)
        };
        let (_dir, readers) = readers_of_one_row();
        let out = readers
            .run(Instant::now(), "SELECT COUNT(*) FROM t", vec![], counted)
            .await;
        assert!(out.is_err(), "{out:?}");
        // A later read on the same queue is served, and the stale one never ran.
        let n = readers
            .run(
                Instant::now() + Duration::from_secs(5),
                "SELECT COUNT(*) FROM t",
                vec![],
                count,
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(RUNS.load(Ordering::SeqCst), 0, "the stale read ran");
    }

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
