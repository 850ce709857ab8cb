//! Ingest on a SQLite file: one writer thread with its own connection, group commit.
//!
//! Through sqlx every statement of a transaction is a round trip to the connection's worker
//! thread (two context switches), and every batch paid its own commit and fsync. Here the
//! writer thread takes every batch that is waiting, runs each in a savepoint of one
//! `BEGIN IMMEDIATE` transaction (a batch that fails, or that only replays a stored
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

use super::{
    IngestOutcome, IngestWrite, ingest_tx,
    tx::{LiteTx, lite_err},
};

/// Most batches in one commit: bounds the latency a batch can add to the others.
const MAX_GROUP: usize = 128;

struct Job {
    write: IngestWrite,
    /// A fresh session token, used when the batch starts a session.
    token: String,
    reply: oneshot::Sender<Result<IngestOutcome, DbErr>>,
}

pub(super) struct SqliteWriter {
    jobs: mpsc::Sender<Job>,
}

impl SqliteWriter {
    /// Starts the writer thread; `lock` is the store's in-process writer slot, which the
    /// thread holds for each group so sqlx writers queue instead of meeting SQLITE_BUSY.
    pub(super) fn spawn(file: PathBuf, lock: Arc<Mutex<()>>) -> std::io::Result<SqliteWriter> {
        let (jobs, rx) = mpsc::channel::<Job>();
        thread::Builder::new()
            .name("botect-sqlite-writer".into())
            .spawn(move || run(file, lock, rx))?;
        Ok(SqliteWriter { jobs })
    }

    pub(super) async fn ingest(
        &self,
        write: IngestWrite,
        token: String,
    ) -> Result<IngestOutcome, DbErr> {
        let (reply, answer) = oneshot::channel();
        self.jobs
            .send(Job {
                write,
                token,
                reply,
            })
            .map_err(|_| DbErr::Custom("the SQLite writer thread has stopped".into()))?;
        answer
            .await
            .map_err(|_| DbErr::Custom("the SQLite writer thread dropped a batch".into()))?
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

fn run(file: PathBuf, lock: Arc<Mutex<()>>, rx: mpsc::Receiver<Job>) {
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
                        let _ = job.reply.send(Err(DbErr::Custom(e.to_string())));
                    }
                    continue;
                }
            }
        }
        let c = conn.as_ref().expect("opened above");
        let results = {
            let _slot = lock.blocking_lock();
            group(c, &jobs)
        };
        match results {
            Ok(results) => {
                for (job, result) in jobs.into_iter().zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, batches = jobs.len(), "ingest group commit failed");
                // Reopen on the next group: the connection may be what failed.
                conn = None;
                for job in jobs {
                    let _ = job.reply.send(Err(DbErr::Custom(e.to_string())));
                }
            }
        }
    }
}

/// One transaction for the whole group; a savepoint per batch.
fn group(
    conn: &rusqlite::Connection,
    jobs: &[Job],
) -> Result<Vec<Result<IngestOutcome, DbErr>>, DbErr> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(lite_err)?;
    let mut results = Vec::with_capacity(jobs.len());
    let mut body = || -> Result<(), DbErr> {
        for job in jobs {
            conn.execute_batch("SAVEPOINT batch").map_err(lite_err)?;
            let tx = LiteTx(conn);
            // Every statement on `LiteTx` completes synchronously: the future is ready at
            // its first poll.
            let outcome =
                futures::executor::block_on(ingest_tx(&tx, &job.write, || job.token.clone()));
            let keep = matches!(outcome, Ok((_, true)));
            if !keep {
                conn.execute_batch("ROLLBACK TO batch").map_err(lite_err)?;
            }
            conn.execute_batch("RELEASE batch").map_err(lite_err)?;
            results.push(outcome.map(|(o, _)| o));
        }
        conn.execute_batch("COMMIT").map_err(lite_err)
    };
    match body() {
        Ok(()) => Ok(results),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}
