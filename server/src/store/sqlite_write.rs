//! The hot writes on a SQLite file (ingest batches, scoring claims and scores): one writer
//! thread with its own connection, group commit.
//!
//! Through sqlx every statement of a transaction is a round trip to the connection's worker
//! thread (two context switches), and every batch, claim and score paid its own commit and
//! fsync. Here the writer thread takes every job that is waiting, runs each in a savepoint
//! of one `BEGIN IMMEDIATE` transaction (a job that fails, or that only replays a stored
//! response, is rolled back to its savepoint alone) and commits once; every caller gets
//! its answer only after that commit is durable, so a 202 still means "on disk".
use std::{
    path::PathBuf,
    sync::{Arc, mpsc},
    thread,
    time::Duration,
};

use sea_orm::DbErr;
use tokio::sync::{Mutex, oneshot};

use super::tx::{LiteTx, lite_err};

/// Most jobs in one commit: bounds the latency a job can add to the others.
const MAX_GROUP: usize = 128;

/// One unit of work in a group: runs in its own savepoint, answers after the commit.
trait Work: Send {
    /// Runs the job; returns whether to keep its writes.
    fn run(&mut self, tx: &LiteTx<'_>) -> bool;
    /// Sends the job's result, or the group's commit error.
    fn reply(self: Box<Self>, commit: Result<(), &DbErr>);
}

type Run<T> = Box<dyn FnMut(&LiteTx<'_>) -> Result<(T, bool), DbErr> + Send>;

struct Job<T> {
    run: Run<T>,
    result: Option<Result<T, DbErr>>,
    reply: oneshot::Sender<Result<T, DbErr>>,
}

impl<T: Send> Work for Job<T> {
    fn run(&mut self, tx: &LiteTx<'_>) -> bool {
        let out = (self.run)(tx);
        let keep = matches!(out, Ok((_, true)));
        self.result = Some(out.map(|(t, _)| t));
        keep
    }

    fn reply(self: Box<Self>, commit: Result<(), &DbErr>) {
        let result = match commit {
            Ok(()) => self
                .result
                .unwrap_or_else(|| Err(DbErr::Custom("job did not run".into()))),
            Err(e) => Err(DbErr::Custom(e.to_string())),
        };
        let _ = self.reply.send(result);
    }
}

pub(super) struct SqliteWriter {
    jobs: mpsc::Sender<Box<dyn Work>>,
}

impl SqliteWriter {
    /// Starts the writer thread; `lock` is the store's in-process writer slot, which the
    /// thread holds for each group so sqlx writers queue instead of meeting SQLITE_BUSY.
    pub(super) fn spawn(file: PathBuf, lock: Arc<Mutex<()>>) -> std::io::Result<SqliteWriter> {
        let (jobs, rx) = mpsc::channel::<Box<dyn Work>>();
        thread::Builder::new()
            .name("botect-sqlite-writer".into())
            .spawn(move || run(file, lock, rx))?;
        Ok(SqliteWriter { jobs })
    }

    /// Runs `f` in the next group (its `bool`: keep its writes) and answers after the
    /// group's commit. Every statement on `LiteTx` completes synchronously, so `f` drives
    /// the store's async transaction bodies with `block_on`: they are ready at first poll.
    pub(super) async fn submit<T: Send + 'static>(
        &self,
        f: impl FnMut(&LiteTx<'_>) -> Result<(T, bool), DbErr> + Send + 'static,
    ) -> Result<T, DbErr> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Box::new(Job {
                run: Box::new(f),
                result: None,
                reply,
            }))
            .map_err(|_| DbErr::Custom("the SQLite writer thread has stopped".into()))?;
        answer
            .await
            .map_err(|_| DbErr::Custom("the SQLite writer thread dropped a job".into()))?
    }
}

fn open(file: &PathBuf) -> Result<rusqlite::Connection, rusqlite::Error> {
    let conn = rusqlite::Connection::open_with_flags(
        file,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(10))?;
    // The same durability as the sqlx pool: WAL (a property of the file) and a full sync at
    // every commit.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // Ingest touches index pages all over `events(project_id, request_id)` (random ids): a
    // page cache of 32 MiB (default 2 MiB) keeps them in memory instead of re-reading them
    // from the file at every group.
    conn.pragma_update(None, "cache_size", -32_768)?;
    conn.set_prepared_statement_cache_capacity(32);
    Ok(conn)
}

fn run(file: PathBuf, lock: Arc<Mutex<()>>, rx: mpsc::Receiver<Box<dyn Work>>) {
    let mut conn: Option<rusqlite::Connection> = None;
    while let Ok(first) = rx.recv() {
        let mut jobs = vec![first];
        while jobs.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(job) => jobs.push(job),
                Err(_) => break,
            }
        }
        if conn.is_none() {
            match open(&file) {
                Ok(c) => conn = Some(c),
                Err(e) => {
                    let e = lite_err(e);
                    for job in jobs {
                        job.reply(Err(&e));
                    }
                    continue;
                }
            }
        }
        let c = conn.as_ref().expect("opened above");
        let outcome = {
            let _slot = lock.blocking_lock();
            group(c, &mut jobs)
        };
        if let Err(e) = &outcome {
            tracing::warn!(error = %e, jobs = jobs.len(), "SQLite group commit failed");
            // Reopen for the next group: the connection may be what failed.
            conn = None;
        }
        for job in jobs {
            job.reply(outcome.as_ref().map(|_| ()));
        }
    }
}

/// One transaction for the whole group; a savepoint per job.
fn group(conn: &rusqlite::Connection, jobs: &mut [Box<dyn Work>]) -> Result<(), DbErr> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(lite_err)?;
    let mut body = || -> Result<(), DbErr> {
        for job in jobs.iter_mut() {
            conn.execute_batch("SAVEPOINT job").map_err(lite_err)?;
            if !job.run(&LiteTx(conn)) {
                conn.execute_batch("ROLLBACK TO job").map_err(lite_err)?;
            }
            conn.execute_batch("RELEASE job").map_err(lite_err)?;
        }
        conn.execute_batch("COMMIT").map_err(lite_err)
    };
    let out = body();
    if out.is_err() {
        let _ = conn.execute_batch("ROLLBACK");
    }
    out
}
