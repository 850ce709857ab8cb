//! Storage: the only module that speaks SQL. SeaORM over sqlx, embedded SQLite (WAL) by
//! default and PostgreSQL for production; migrations run on connect. Statements are written
//! once with `$N` placeholders in ascending order, which both SQLite and PostgreSQL accept.
use std::{
    str::FromStr,
    sync::Arc,
    time::{Duration, Instant},
};

use botect_migrations::MigratorTrait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, FromQueryResult,
    QueryResult, Statement, TransactionTrait, Value,
    sqlx::{
        postgres::PgPoolOptions,
        sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    },
};
use serde::{Deserialize, Serialize};
use tokio::sync::{Mutex, MutexGuard};

mod accounts;
mod change_stamps;
mod dashboard;
mod health;
mod ingest;
mod integrity;
mod listen;
mod projects;
mod queue;
mod rollups;
mod rules;
mod sessions;
mod sqlite_read;
mod sqlite_write;
mod tx;
mod uses;
mod verdicts;
pub use accounts::*;
pub use change_stamps::{ChangeStamps, Stamp, Touched};
pub use dashboard::{DashboardPrincipalRow, PasswordRow};
pub use health::is_gone;
pub use ingest::*;
pub use integrity::ChallengeRedemption;
pub use listen::ChangeFeed;
pub use projects::*;
pub use queue::*;
pub use rollups::{DetectionTotal, HOUR_MS, ScoreHour, TrafficHour, hour_of};
pub use rules::*;
pub use sessions::*;
use tx::{SqlxTx, Tx};
pub use uses::{
    AccountReads, ApiTokenStore, DashboardStore, IngestWrites, ProjectStore, RetentionWrites,
    RuleStore, ScoringQueue, SessionAssertions, SessionReads, StatsReads, TokenAuth, VerdictReads,
};
pub use verdicts::*;

/// Milliseconds since the Unix epoch: every stored time.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Calendar month (UTC) that metering counts in: `YYYY-MM`.
pub fn billing_period(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .format("%Y-%m")
        .to_string()
}

/// How long a hot-path read (other than a verdict's, which has its own deadline) waits for
/// a SQLite file another connection holds locked.
const READ_LOCK_WAIT: Duration = Duration::from_millis(100);

#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    backend: DbBackend,
    /// SQLite has one writer: write transactions queue here instead of failing with SQLITE_BUSY.
    write_lock: Option<Arc<Mutex<()>>>,
    url: String,
    /// SQLite's file (its health check; the reader and writer threads open it).
    sqlite_file: Option<Arc<std::path::PathBuf>>,
    /// `(device, inode)` of that file when it was opened (`health`).
    sqlite_file_id: Option<health::FileId>,
    /// SQLite's reader threads (`sqlite_read`); `None` for an in-memory database.
    sqlite_readers: Option<sqlite_read::Readers>,
    /// SQLite's ingest writer thread, started on first use (`sqlite_write`).
    sqlite_writer: Arc<std::sync::OnceLock<Option<sqlite_write::SqliteWriter>>>,
    /// Bumped after every commit (`change_stamps`); `None` on PostgreSQL.
    stamps: Option<Arc<ChangeStamps>>,
}

fn param<T: Into<Value>>(x: T) -> Value {
    x.into()
}

impl Store {
    /// Connects (creating a SQLite file on first start), runs migrations.
    pub async fn connect(url: &str) -> Result<Store, DbErr> {
        let store = Self::open(url).await?;
        let migrated = botect_migrations::Migrator::up(&store.db, None).await;
        store.touched(&Touched::Everything);
        migrated?;
        Ok(store)
    }

    /// Connects without migrating.
    pub async fn open(url: &str) -> Result<Store, DbErr> {
        let map =
            |e: sea_orm::sqlx::Error| DbErr::Custom(format!("cannot open {}: {e}", redact(url)));
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .min_connections(1)
                .acquire_timeout(Duration::from_secs(5))
                .connect(url)
                .await
                .map_err(map)?;
            let db = sea_orm::SqlxPostgresConnector::from_sqlx_postgres_pool(pool);
            Ok(Store {
                db,
                backend: DbBackend::Postgres,
                write_lock: None,
                url: url.to_string(),
                sqlite_file: None,
                sqlite_file_id: None,
                sqlite_readers: None,
                sqlite_writer: Default::default(),
                stamps: None,
            })
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(map)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true);
            let file = opts.get_filename().to_path_buf();
            let memory = file == std::path::Path::new(":memory:");
            if !memory && !file.exists() {
                tracing::warn!(
                    file = %file.display(),
                    "the database file does not exist: creating a new, empty database"
                );
            }
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .map_err(map)?;
            let db = sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool);
            let stamps = if memory {
                Some(ChangeStamps::local())
            } else {
                ChangeStamps::shared(&file)
                    .map_err(
                        |e| tracing::warn!(error = %e, "no change stamps: verdicts are not cached"),
                    )
                    .ok()
            };
            let sqlite_readers = match memory {
                true => None,
                false => Some(sqlite_read::Readers::spawn(file.clone()).map_err(|e| {
                    DbErr::Custom(format!("cannot start the SQLite reader threads: {e}"))
                })?),
            };
            Ok(Store {
                db,
                backend: DbBackend::Sqlite,
                write_lock: Some(Arc::new(Mutex::new(()))),
                url: url.to_string(),
                // In-memory databases are per connection: those keep going through sqlx.
                sqlite_file_id: (!memory).then(|| health::file_id(&file)).flatten(),
                sqlite_file: (!memory).then(|| Arc::new(file)),
                sqlite_readers,
                sqlite_writer: Default::default(),
                stamps: stamps.map(Arc::new),
            })
        } else {
            Err(DbErr::Custom(format!(
                "unsupported database URL {:?}: use sqlite://PATH or postgres://…",
                redact(url)
            )))
        }
    }

    /// The ingest writer thread of a SQLite file (`None` elsewhere, or if it cannot start).
    fn sqlite_writer(&self) -> Option<&sqlite_write::SqliteWriter> {
        let (file, lock) = (self.sqlite_file.as_ref()?, self.write_lock.as_ref()?);
        self.sqlite_writer
            .get_or_init(|| {
                sqlite_write::SqliteWriter::spawn(file.as_ref().clone(), lock.clone())
                    .map_err(
                        |e| tracing::warn!(error = %e, "no SQLite writer thread; ingest uses sqlx"),
                    )
                    .ok()
            })
            .as_ref()
    }

    /// Records a commit (or a commit attempt) in the change stamps.
    fn touched(&self, touched: &Touched) {
        if let Some(s) = &self.stamps {
            s.bump(touched);
        }
    }

    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn connection(&self) -> &DatabaseConnection {
        &self.db
    }

    fn stmt(&self, sql: &str, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, values)
    }

    async fn one<T: FromQueryResult>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Option<T>, DbErr> {
        match self.db.query_one_raw(self.stmt(sql, values)).await? {
            Some(row) => Ok(Some(T::from_query_result(&row, "")?)),
            None => Ok(None),
        }
    }

    /// A hot-path read of at most one row: on a SQLite file on a reader thread
    /// (`sqlite_read`; the answer is waited for up to [`READ_LOCK_WAIT`]), elsewhere through
    /// the pool.
    async fn read_one<R: tx::Row + Send + 'static>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Option<R>, DbErr> {
        self.read_one_until(Instant::now() + READ_LOCK_WAIT, sql, values)
            .await
    }

    /// [`read_one`](Self::read_one) whose wait for a locked SQLite file ends at `deadline`.
    async fn read_one_until<R: tx::Row + Send + 'static>(
        &self,
        deadline: Instant,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Option<R>, DbErr> {
        if let Some(readers) = &self.sqlite_readers {
            return readers.one(deadline, sql, values).await;
        }
        match self.db.query_one_raw(self.stmt(sql, values)).await? {
            Some(row) => Ok(Some(R::from_sqlx(&row)?)),
            None => Ok(None),
        }
    }

    /// A read of every row on the path of [`read_one`](Self::read_one): the scoring tasks'
    /// reads of a session (one thread hop each through sqlx otherwise).
    async fn read_all<R: tx::Row + Send + 'static>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<R>, DbErr> {
        if let Some(readers) = &self.sqlite_readers {
            return readers
                .all(Instant::now() + READ_LOCK_WAIT, sql, values)
                .await;
        }
        let rows = self.db.query_all_raw(self.stmt(sql, values)).await?;
        rows.iter().map(R::from_sqlx).collect()
    }

    async fn all<T: FromQueryResult>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Vec<T>, DbErr> {
        let rows = self.db.query_all_raw(self.stmt(sql, values)).await?;
        rows.iter().map(|r| T::from_query_result(r, "")).collect()
    }

    /// Begins a write transaction (queued behind the single writer on SQLite).
    async fn write(&self) -> Result<Writer<'_>, DbErr> {
        let guard = match &self.write_lock {
            Some(lock) => Some(lock.lock().await),
            None => None,
        };
        // SQLite: `BEGIN IMMEDIATE` takes the write lock up front, waiting under the busy
        // timeout. A deferred transaction that reads first and then writes gets SQLITE_BUSY
        // at once (no busy handler) whenever another process (the CLI, another server)
        // holds the write lock.
        let txn = match self.backend {
            DbBackend::Sqlite => {
                self.db
                    .begin_with_options(sea_orm::TransactionOptions {
                        sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                        ..Default::default()
                    })
                    .await?
            }
            _ => self.db.begin().await?,
        };
        Ok(Writer {
            txn,
            backend: self.backend,
            stamps: self.stamps.as_deref(),
            _guard: guard,
        })
    }

    /// A single write statement; returns rows affected.
    async fn exec(&self, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
        self.exec_as(Touched::Everything, sql, values).await
    }

    /// [`exec`](Self::exec) of a statement that changes only what `touched` says.
    async fn exec_as(&self, touched: Touched, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
        let w = self.write().await?;
        let n = w.exec(sql, values).await?;
        w.commit_as(touched).await?;
        Ok(n)
    }
}

/// The `id` a `RETURNING id` gives back.
struct IdRow {
    id: i32,
}

impl tx::Row for IdRow {
    fn from_sqlx(r: &QueryResult) -> Result<Self, DbErr> {
        Ok(IdRow {
            id: r.try_get_by_index(0)?,
        })
    }

    fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        Ok(IdRow { id: r.get(0)? })
    }
}

/// A write transaction (holding the SQLite writer slot while it lives).
struct Writer<'a> {
    txn: DatabaseTransaction,
    backend: DbBackend,
    stamps: Option<&'a ChangeStamps>,
    _guard: Option<MutexGuard<'a, ()>>,
}

/// A control-plane write transaction is a [`Tx`] like ingest's: the same statements run on
/// it and on the SQLite writer thread's connection.
impl Tx for Writer<'_> {
    fn backend(&self) -> DbBackend {
        self.backend
    }

    async fn exec(&self, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
        SqlxTx(&self.txn, self.backend).exec(sql, values).await
    }

    async fn one<R: tx::Row>(&self, sql: &str, values: Vec<Value>) -> Result<Option<R>, DbErr> {
        SqlxTx(&self.txn, self.backend).one(sql, values).await
    }

    async fn all<R: tx::Row>(&self, sql: &str, values: Vec<Value>) -> Result<Vec<R>, DbErr> {
        SqlxTx(&self.txn, self.backend).all(sql, values).await
    }
}

impl Writer<'_> {
    /// At most one row read into a record by column name (`FromQueryResult`).
    async fn one_record<T: FromQueryResult>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Option<T>, DbErr> {
        let stmt = Statement::from_sql_and_values(self.backend, sql, values);
        match self.txn.query_one_raw(stmt).await? {
            Some(row) => Ok(Some(T::from_query_result(&row, "")?)),
            None => Ok(None),
        }
    }

    /// Exactly one row read into a record by column name.
    async fn one_record_req<T: FromQueryResult>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<T, DbErr> {
        self.one_record(sql, values)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(sql.to_string()))
    }

    /// Commits a write that may have changed anything.
    async fn commit(self) -> Result<(), DbErr> {
        self.commit_as(Touched::Everything).await
    }

    /// Commits a write that changed only what `touched` says, and records it in the change
    /// stamps (also when the commit reports an error: it may have landed).
    async fn commit_as(self, touched: Touched) -> Result<(), DbErr> {
        let stamps = self.stamps;
        let out = self.txn.commit().await;
        if let Some(s) = stamps {
            s.bump(&touched);
        }
        out
    }

    async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

/// A database URL with any password replaced, for messages and logs.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_redaction() {
        assert_eq!(slugify("Acme Corp!"), "acme-corp");
        assert_eq!(slugify("¡!"), "account");
        assert_eq!(
            redact("postgres://u:secret@h:5/db"),
            "postgres://u:***@h:5/db"
        );
        assert_eq!(redact("sqlite://./botect.db"), "sqlite://./botect.db");
        assert_eq!(billing_period(0), "1970-01");
    }
}
