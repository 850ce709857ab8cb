//! Direct database work without HTTP: the ingest baseline (plain batched inserts into
//! `events`) and seeding scored sessions for the scale scenario.
use std::time::Duration;

use anyhow::Result;
use botect::store::Store;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend,
    SqliteTransactionMode, Statement, TransactionOptions, TransactionTrait, Value,
};

use crate::{
    clients::splitmix64,
    load::{Conn, Stats, closed_loop},
    procs::{Backend, Db},
};

fn immediate() -> TransactionOptions {
    TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    }
}

/// Where the baseline's transactions go.
enum Sink {
    /// PostgreSQL, through a sqlx pool.
    Sqlx(DatabaseConnection, DbBackend),
    /// SQLite through rusqlite on the calling thread, the way the server's ingest writer
    /// thread writes (no per-statement thread hop); WAL and synchronous=FULL as the server.
    Lite(rusqlite::Connection),
}

fn lite_value(v: Value) -> rusqlite::types::Value {
    use rusqlite::types::Value as L;
    match v {
        Value::BigInt(Some(i)) => L::Integer(i),
        Value::String(Some(s)) => L::Text(s),
        other => unreachable!("the baseline binds only text and integers, not {other:?}"),
    }
}

/// One writer: each call is one transaction with one multi-row `INSERT` of a batch.
struct EventWriter {
    sink: Sink,
    batch: usize,
    sql: String,
    counter: u64,
}

impl Conn for EventWriter {
    async fn call(&mut self, _seq: u64) -> Result<u64> {
        let now = botect::store::now_ms();
        let received_at = chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.3fZ")
            .to_string();
        let mut values: Vec<Value> = Vec::with_capacity(self.batch * 7);
        for _ in 0..self.batch {
            self.counter += 1;
            let jitter = splitmix64(self.counter);
            values.extend([
                Value::from(uuid::Uuid::new_v4().to_string()),
                Value::from("mouse"),
                Value::from(received_at.clone()),
                Value::from(format!(
                    r#"{{"mouse_entropy":{:.3},"pointer_moves":{},"samples":128}}"#,
                    0.55 + (jitter % 400) as f64 / 1000.0,
                    120 + jitter % 300
                )),
                Value::from(now),
                Value::from(format!(
                    "{:032x}",
                    u128::from(jitter) << 64 | u128::from(self.counter)
                )),
            ]);
        }
        match &self.sink {
            Sink::Sqlx(db, backend) => {
                let txn = db.begin_with_options(immediate()).await?;
                txn.execute_raw(Statement::from_sql_and_values(*backend, &self.sql, values))
                    .await?;
                txn.commit().await?;
            }
            Sink::Lite(conn) => {
                let params: Vec<_> = values.into_iter().map(lite_value).collect();
                conn.execute_batch("BEGIN IMMEDIATE")?;
                conn.prepare_cached(&self.sql)?
                    .execute(rusqlite::params_from_iter(params.iter()))?;
                conn.execute_batch("COMMIT")?;
            }
        }
        Ok(self.batch as u64)
    }
}

/// The multi-row insert of `batch` events (6 parameters per row; project 1, session 1).
fn insert_sql(batch: usize) -> String {
    let rows: Vec<String> = (0..batch)
        .map(|r| {
            let p = |k: usize| format!("${}", r * 6 + k);
            format!(
                "(1, 1, {}, {}, {}, {}, {}, {})",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6)
            )
        })
        .collect();
    format!(
        "INSERT INTO events (project_id, session_id, request_id, event_type, received_at, payload, ingested_at, payload_hash) VALUES {}",
        rows.join(", ")
    )
}

/// Ingest baseline on a fresh database: migrations (`Store::connect`), the account, project
/// and session rows the foreign keys need, then `writers` writers (SQLite: 1) inserting
/// batches back to back. Returns the load stats and the committed row count.
pub async fn ingest_baseline(
    db: &Db,
    batch: usize,
    writers: usize,
    warmup: Duration,
    measure: Duration,
) -> Result<(Stats, i64)> {
    let store = Store::connect(&db.url).await?;
    store
        .connection()
        .execute_unprepared(
            "INSERT INTO accounts (name, slug, created_at) VALUES ('bench', 'bench', 0); \
             INSERT INTO projects (account_id, name, created_at) VALUES (1, 'bench', 0); \
             INSERT INTO sessions (project_id, token, created_at, updated_at) VALUES (1, 'sess_bench', 0, 0)",
        )
        .await?;
    let sql = insert_sql(batch);
    let pg = match db.backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            let mut opts = ConnectOptions::new(db.url.clone());
            opts.max_connections(writers as u32)
                .min_connections(writers as u32)
                .sqlx_logging(false);
            Some(Database::connect(opts).await?)
        }
    };
    let sink = || -> Result<Sink> {
        Ok(match db.backend {
            Backend::Sqlite => {
                let file = db.url.trim_start_matches("sqlite://");
                let conn = rusqlite::Connection::open(file)?;
                conn.pragma_update(None, "journal_mode", "WAL")?;
                conn.pragma_update(None, "synchronous", "FULL")?;
                conn.pragma_update(None, "cache_size", -32_768)?;
                conn.busy_timeout(Duration::from_secs(10))?;
                Sink::Lite(conn)
            }
            Backend::Postgres => Sink::Sqlx(pg.clone().expect("PostgreSQL pool"), store.backend()),
        })
    };
    let conns = (0..writers)
        .map(|i| {
            Ok(EventWriter {
                sink: sink()?,
                batch,
                sql: sql.clone(),
                counter: (i as u64) << 40,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let stats = closed_loop(conns, warmup, measure).await?;
    if let Some(pg) = pg {
        pg.close().await?;
    }
    store.connection().close_by_ref().await?;
    let rows = db.count("SELECT COUNT(*) AS n FROM events").await?;
    Ok((stats, rows))
}

/// The token of seeded session `i`: `sess_` + 32 hex characters (unique: SplitMix64 is a
/// bijection).
pub fn seeded_token(i: u64) -> String {
    format!(
        "sess_{:016x}{:016x}",
        splitmix64(i),
        splitmix64(i ^ 0xA5A5_5A5A)
    )
}

/// Inserts scored sessions `from..to` of `project` (multi-row inserts, 20,000 rows per
/// transaction).
pub async fn seed_sessions(url: &str, project: i64, from: u64, to: u64) -> Result<()> {
    const ROWS: u64 = 500;
    const PER_TXN: u64 = 40;
    let store = Store::open(url).await?;
    let now = botect::store::now_ms();
    let mut i = from;
    while i < to {
        let txn = store.connection().begin_with_options(immediate()).await?;
        for _ in 0..PER_TXN {
            if i >= to {
                break;
            }
            let end = (i + ROWS).min(to);
            let rows: Vec<String> = (i..end)
                .map(|k| {
                    format!(
                        "({project}, '{}', {now}, {now}, 1, 1, FALSE, 87, '[]', 'No bot signals; natural interaction profile.', {now}, 10, TRUE, '{{}}')",
                        seeded_token(k)
                    )
                })
                .collect();
            txn.execute_unprepared(&format!(
                "INSERT INTO sessions (project_id, token, created_at, updated_at, revision, scored_revision, pending, \
                 score, detection_ids, reason, scored_at, event_count, js_passed, features) VALUES {}",
                rows.join(", ")
            ))
            .await?;
            i = end;
        }
        txn.commit().await?;
    }
    store.connection().close_by_ref().await?;
    Ok(())
}

/// The band mix of [`seed_insights`]: `(score, detection IDs)` of seeded session `i`: 2 %
/// definite, 10 % scripted (no SDK evidence), 3 % low mouse entropy, the rest human.
pub fn insight_score(i: u64) -> (i32, &'static str) {
    match splitmix64(i ^ 0x5EED) % 100 {
        0..2 => (1, "[50331648,50331651]"),
        2..12 => (4, "[16777226,16777227]"),
        12..15 => (20, "[33554434]"),
        _ => (87, "[]"),
    }
}

/// Seeds `n` scored sessions of `project` first (and last) seen evenly over the `days` days
/// before `end_ms`, each with one ingest request, its detection rows, and the hourly roll-ups
/// the server would have kept. Session ids are `1..=n` (a fresh database).
pub async fn seed_insights(url: &str, project: i64, n: u64, days: i64, end_ms: i64) -> Result<()> {
    const ROWS: u64 = 500;
    let store = Store::open(url).await?;
    let now = end_ms;
    let span = days * 86_400_000;
    let mut i = 0;
    while i < n {
        let txn = store.connection().begin_with_options(immediate()).await?;
        for _ in 0..40 {
            if i >= n {
                break;
            }
            let end = (i + ROWS).min(n);
            let (mut sessions, mut requests, mut detections) = (Vec::new(), Vec::new(), Vec::new());
            for k in i..end {
                let id = k + 1;
                let at = now - span + (span * k as i64) / n as i64;
                let (score, ids) = insight_score(k);
                sessions.push(format!(
                    "({id}, {project}, '{}', {at}, {at}, 1, 1, FALSE, {score}, '{ids}', 'seeded', {at}, 3, TRUE, '{{}}')",
                    seeded_token(k)
                ));
                requests.push(format!(
                    "({project}, {id}, '203.0.113.{}', 'browser/chromium/140', 0, 3, {at}, 1)",
                    k % 250
                ));
                for d in ids
                    .trim_matches(['[', ']'])
                    .split(',')
                    .filter(|d| !d.is_empty())
                {
                    detections.push(format!("({id}, {project}, {d}, {at})"));
                }
            }
            txn.execute_unprepared(&format!(
                "INSERT INTO sessions (id, project_id, token, created_at, updated_at, revision, scored_revision, pending, \
                 score, detection_ids, reason, scored_at, event_count, js_passed, features) VALUES {}",
                sessions.join(", ")
            ))
            .await?;
            txn.execute_unprepared(&format!(
                "INSERT INTO ingest_requests (project_id, session_id, client_ip, ua_class, header_flags, events, created_at, integrity) VALUES {}",
                requests.join(", ")
            ))
            .await?;
            if !detections.is_empty() {
                txn.execute_unprepared(&format!(
                    "INSERT INTO session_detections (session_id, project_id, detection_id, created_at) VALUES {}",
                    detections.join(", ")
                ))
                .await?;
            }
            i = end;
        }
        txn.commit().await?;
    }
    let hour = "(created_at - (created_at % 3600000))";
    for sql in [
        format!(
            "INSERT INTO score_hours (project_id, hour, score, sessions) SELECT project_id, {hour}, score, COUNT(*) \
             FROM sessions WHERE project_id = {project} GROUP BY project_id, {hour}, score"
        ),
        format!(
            "INSERT INTO detection_hours (project_id, hour, detection_id, sessions) SELECT project_id, {hour}, detection_id, COUNT(*) \
             FROM session_detections WHERE project_id = {project} GROUP BY project_id, {hour}, detection_id"
        ),
        format!(
            "INSERT INTO traffic_hours (project_id, hour, shard, sessions, events, over_quota_events) \
             SELECT project_id, {hour}, 0, COUNT(*), SUM(event_count), 0 FROM sessions WHERE project_id = {project} GROUP BY project_id, {hour}"
        ),
    ] {
        store.connection().execute_unprepared(&sql).await?;
    }
    if store.backend() == DbBackend::Postgres {
        store
            .connection()
            .execute_unprepared("SELECT setval(pg_get_serial_sequence('sessions', 'id'), (SELECT MAX(id) FROM sessions))")
            .await?;
    }
    store.connection().execute_unprepared("ANALYZE").await?;
    store.connection().close_by_ref().await?;
    Ok(())
}
