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

mod health;
mod integrity;
mod listen;
mod sqlite_read;
mod sqlite_write;
mod tx;
pub use health::is_gone;
pub use integrity::ChallengeRedemption;
pub use listen::ChangeFeed;
use tx::{SqlxTx, Tx};

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

/// Per-address counts for the heuristics stop here (well above `IP_SESSIONS_PER_10MIN` and
/// `IP_REQUESTS_PER_MIN`).
pub const IP_COUNT_CAP: i64 = 1_000;

/// Shards of an account's monthly usage counter (`usage_shards`, migration m0004).
const USAGE_SHARDS: i64 = 32;

/// An account's usage in a period: the sum of its shards.
const USAGE_SUM_SQL: &str = "SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) AS n FROM usage_shards WHERE account_id = $1 AND period = $2";

/// How long a stored idempotent response is replayed.
/// How long a hot-path read (other than a verdict's, which has its own deadline) waits for
/// a SQLite file another connection holds locked.
const READ_LOCK_WAIT: Duration = Duration::from_millis(100);

pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;

#[derive(Clone)]
pub struct Store {
    db: DatabaseConnection,
    backend: DbBackend,
    /// SQLite has one writer: write transactions queue here instead of failing with SQLITE_BUSY.
    write_lock: Option<Arc<Mutex<()>>>,
    url: String,
    /// SQLite's file, for verdict reads on the calling thread (`sqlite_read`).
    sqlite_file: Option<Arc<std::path::PathBuf>>,
    /// `(device, inode)` of that file when it was opened (`health`).
    sqlite_file_id: Option<health::FileId>,
    /// SQLite's ingest writer thread, started on first use (`sqlite_write`).
    sqlite_writer: Arc<std::sync::OnceLock<Option<sqlite_write::SqliteWriter>>>,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct TokenPrincipal {
    pub token_id: i32,
    pub user_id: i32,
    pub account_id: i32,
    pub role: String,
    pub subscription_active: bool,
    pub token_hash: String,
    pub plan: String,
    /// Comma-separated feature override; `None`: the plan's defaults.
    pub features: Option<String>,
}

#[derive(Debug, Clone)]
pub struct SiteKeyPrincipal {
    pub project_id: i32,
    pub account_id: i32,
    pub subscription_active: bool,
    pub monthly_event_quota: Option<i64>,
    /// Leading zero bits of the project's proof-of-work challenges.
    pub challenge_difficulty: i32,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct AccountRow {
    pub id: i32,
    pub name: String,
    pub slug: String,
    pub is_personal: bool,
    pub subscription_active: bool,
    pub plan: String,
    pub monthly_event_quota: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct UserRow {
    pub id: i32,
    pub account_id: i32,
    pub name: String,
    pub email: String,
    pub role: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct ProjectRow {
    pub id: i32,
    pub account_id: i32,
    pub name: String,
    pub created_at: i64,
    pub scoring_enabled: bool,
}

#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ScoringRow {
    pub project_id: i32,
    pub enabled: bool,
    pub site_key: Option<String>,
    pub allow_verified: bool,
    pub protect_static: bool,
    pub block_definite: bool,
    pub challenge_likely: bool,
    pub likely_bot_threshold: i32,
    pub challenge_difficulty: i32,
}

/// Everything a verdict read needs, fetched in one round trip.
#[derive(Debug, Clone, FromQueryResult)]
pub struct VerdictRow {
    pub project_id: i32,
    pub subscription_active: bool,
    pub allow_verified: bool,
    pub protect_static: bool,
    pub block_definite: bool,
    pub challenge_likely: bool,
    pub likely_bot_threshold: i32,
    pub private_key_hash: String,
    pub score: Option<i32>,
    pub detection_ids: Option<String>,
    pub reason: Option<String>,
    /// The session's `js_detection.passed` (null: no probe).
    pub js_passed: Option<bool>,
    /// The session's behavioral features (JSON object) for rules.
    pub features: Option<String>,
    /// Bumped by every rule write of the project.
    pub rules_version: i64,
}

impl tx::Row for VerdictRow {
    fn from_sqlx(r: &QueryResult) -> Result<Self, DbErr> {
        Self::from_query_result(r, "")
    }

    fn from_lite(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
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
    }
}

/// A stored rule.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct RuleRow {
    pub id: i32,
    pub project_id: i32,
    pub name: String,
    pub expression_source: String,
    pub action: String,
    pub is_active: bool,
    pub sort_order: i32,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A rule to insert, or the new values of an updated one.
#[derive(Debug, Clone)]
pub struct RuleWrite {
    pub name: String,
    pub expression_source: String,
    pub action: &'static str,
    pub is_active: bool,
    pub sort_order: i32,
}

/// Toggle/threshold changes; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub allow_verified: Option<bool>,
    pub protect_static: Option<bool>,
    pub block_definite: Option<bool>,
    pub challenge_likely: Option<bool>,
    pub likely_bot_threshold: Option<i32>,
    pub challenge_difficulty: Option<i32>,
}

/// One validated event, ready to store.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub request_id: String,
    pub event_type: &'static str,
    pub received_at: String,
    pub payload: String,
    /// Replay fingerprint of a non-trivial measurement payload (heuristics engine).
    pub payload_hash: Option<String>,
}

/// Facts about the HTTP request that carried a batch, stored once per ingest request for
/// the heuristics engine. No raw user agent: its hash and class only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RequestRecord {
    /// The client IP (socket peer).
    pub client_ip: Option<String>,
    /// First 32 hex digits of the SHA-256 of the User-Agent header.
    pub ua_hash: Option<String>,
    /// The user agent's class (`browser/chromium/120`, `library/curl`, …).
    pub ua_class: Option<String>,
    /// Header-shape flags (`engines::heuristics::header`).
    pub header_flags: i32,
    /// What the batch's `integrity` object was (`integrity::Outcome` code).
    pub integrity: i16,
}

#[derive(Debug, Clone)]
pub struct IngestWrite {
    pub project_id: i32,
    pub account_id: i32,
    pub monthly_event_quota: Option<i64>,
    pub session_token: Option<String>,
    pub events: Vec<NewEvent>,
    /// `(Idempotency-Key, SHA-256 of the canonical batch)`.
    pub idempotency: Option<(String, String)>,
    pub request: RequestRecord,
    /// A verified proof to redeem in the same transaction (single use).
    pub redeem: Option<ChallengeRedemption>,
}

/// The 202 body, as stored for idempotent replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IngestAck {
    pub session_token: String,
    pub accepted: u32,
    pub duplicates: u32,
    pub over_quota: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IngestOutcome {
    Stored(IngestAck),
    Replayed(IngestAck),
    KeyReused,
}

/// A session's computed score, for [`Store::store_scores`].
#[derive(Debug, Clone)]
pub struct ScoreWrite {
    pub session_id: i64,
    /// The claimed revision the score is of.
    pub revision: i64,
    pub scored: crate::domain::Scored,
    pub js_passed: Option<bool>,
    /// Behavioral features (JSON object).
    pub features: String,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct Claim {
    pub id: i64,
    pub project_id: i32,
    pub revision: i64,
}

#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub event_type: String,
    pub payload: String,
}

/// One stored ingest request of a session.
#[derive(Debug, Clone)]
pub struct StoredRequest {
    pub client_ip: Option<String>,
    pub ua_hash: Option<String>,
    pub ua_class: Option<String>,
    pub header_flags: i32,
    pub events: i32,
    pub created_at: i64,
    /// `integrity::Outcome` code.
    pub integrity: i16,
}

/// Counts around a session for the heuristics engine, relative to its latest request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrafficCounts {
    pub session_requests_1m: i64,
    pub session_events_1m: i64,
    pub ip_sessions_10m: i64,
    pub ip_requests_1m: i64,
    pub replayed_payloads: i64,
    pub replay_sessions: i64,
}

fn param<T: Into<Value>>(x: T) -> Value {
    x.into()
}

impl Store {
    /// Connects (creating a SQLite file on first start), runs migrations.
    pub async fn connect(url: &str) -> Result<Store, DbErr> {
        let store = Self::open(url).await?;
        botect_migrations::Migrator::up(&store.db, None).await?;
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
                sqlite_writer: Default::default(),
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
            Ok(Store {
                db,
                backend: DbBackend::Sqlite,
                write_lock: Some(Arc::new(Mutex::new(()))),
                url: url.to_string(),
                // In-memory databases are per connection: those keep going through sqlx.
                sqlite_file_id: (!memory).then(|| health::file_id(&file)).flatten(),
                sqlite_file: (!memory).then(|| Arc::new(file)),
                sqlite_writer: Default::default(),
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

    /// A hot-path read of at most one row: on a SQLite file on the calling thread
    /// (`sqlite_read`; a locked file waits up to [`READ_LOCK_WAIT`]), elsewhere through the
    /// pool.
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
        if let Some(file) = &self.sqlite_file {
            return sqlite_read::one(file, deadline, sql, values).await;
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
        if let Some(file) = &self.sqlite_file {
            return sqlite_read::all(file, Instant::now() + READ_LOCK_WAIT, sql, values).await;
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
            _guard: guard,
        })
    }

    /// A single write statement; returns rows affected.
    async fn exec(&self, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
        let w = self.write().await?;
        let n = w.exec(sql, values).await?;
        w.commit().await?;
        Ok(n)
    }

    // ---- accounts, users, tokens (operator CLI and control-plane auth) ----

    pub async fn create_account(
        &self,
        name: &str,
        email: &str,
    ) -> Result<(AccountRow, UserRow), DbErr> {
        let now = now_ms();
        let w = self.write().await?;
        let base = slugify(name);
        let mut slug = base.clone();
        for n in 2.. {
            let taken: Option<IdRow> = w
                .one(
                    "SELECT id FROM accounts WHERE slug = $1",
                    vec![param(slug.clone())],
                )
                .await?;
            if taken.is_none() {
                break;
            }
            slug = format!("{base}-{n}");
        }
        let account: IdRow = w
            .one_req(
                "INSERT INTO accounts (name, slug, is_personal, subscription_active, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                vec![
                    param(name),
                    param(slug),
                    param(false),
                    param(true),
                    param(now),
                ],
            )
            .await?;
        let user: IdRow = w
            .one_req(
                "INSERT INTO users (account_id, name, email, role, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
                vec![param(account.id), param(name), param(email.to_lowercase()), param("owner"), param(now)],
            )
            .await?;
        w.commit().await?;
        let a = self
            .account(account.id)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("account".into()))?;
        let u = self
            .user(user.id)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("user".into()))?;
        Ok((a, u))
    }

    pub async fn account(&self, id: i32) -> Result<Option<AccountRow>, DbErr> {
        self.one(
            "SELECT id, name, slug, is_personal, subscription_active, plan, monthly_event_quota, created_at \
             FROM accounts WHERE id = $1",
            vec![param(id)],
        )
        .await
    }

    pub async fn user(&self, id: i32) -> Result<Option<UserRow>, DbErr> {
        self.one(
            "SELECT id, account_id, name, email, role, created_at FROM users WHERE id = $1",
            vec![param(id)],
        )
        .await
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, DbErr> {
        self.one(
            "SELECT id, account_id, name, email, role, created_at FROM users WHERE email = $1",
            vec![param(email.to_lowercase())],
        )
        .await
    }

    /// Stores a token hash for the user; the plaintext never reaches the store.
    pub async fn insert_token(
        &self,
        user_id: i32,
        name: &str,
        token_hash: &str,
    ) -> Result<i32, DbErr> {
        let w = self.write().await?;
        let row: IdRow = w
            .one_req(
                "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
                vec![param(user_id), param(name), param(token_hash), param(now_ms())],
            )
            .await?;
        w.commit().await?;
        Ok(row.id)
    }

    /// Revokes the user's active tokens of that name; returns how many.
    pub async fn revoke_tokens_by_name(&self, user_id: i32, name: &str) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND name = $3 AND revoked_at IS NULL",
            vec![param(now_ms()), param(user_id), param(name)],
        )
        .await
    }

    pub async fn revoke_token_by_hash(&self, token_hash: &str) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE api_tokens SET revoked_at = $1 WHERE token_hash = $2 AND revoked_at IS NULL",
            vec![param(now_ms()), param(token_hash)],
        )
        .await
    }

    pub async fn set_subscription(&self, account_id: i32, active: bool) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE accounts SET subscription_active = $1 WHERE id = $2",
            vec![param(active), param(account_id)],
        )
        .await
    }

    pub async fn set_quota(
        &self,
        account_id: i32,
        monthly_events: Option<i64>,
    ) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE accounts SET monthly_event_quota = $1 WHERE id = $2",
            vec![param(monthly_events), param(account_id)],
        )
        .await
    }

    /// Active token by hash, with its user and account state.
    pub async fn token_principal(&self, token_hash: &str) -> Result<Option<TokenPrincipal>, DbErr> {
        self.one(
            "SELECT t.id AS token_id, u.id AS user_id, u.account_id, u.role, a.subscription_active, t.token_hash, \
             a.plan, a.features \
             FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN accounts a ON a.id = u.account_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
            vec![param(token_hash)],
        )
        .await
    }

    /// Sets an account's plan, its feature override (`None`: the plan's defaults) and its
    /// monthly quota; returns rows affected.
    pub async fn set_plan(
        &self,
        account_id: i32,
        plan: &str,
        features: Option<&str>,
        monthly_events: Option<i64>,
    ) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE accounts SET plan = $1, features = $2, monthly_event_quota = $3 WHERE id = $4",
            vec![
                param(plan),
                param(features),
                param(monthly_events),
                param(account_id),
            ],
        )
        .await
    }

    pub async fn events_this_period(&self, account_id: i32) -> Result<i64, DbErr> {
        let n: Option<(i64,)> = self
            .read_one(
                USAGE_SUM_SQL,
                vec![param(account_id), param(billing_period(now_ms()))],
            )
            .await?;
        Ok(n.map_or(0, |(n,)| n))
    }

    // ---- projects and scoring configuration ----

    pub async fn create_project(&self, account_id: i32, name: &str) -> Result<ProjectRow, DbErr> {
        let now = now_ms();
        let w = self.write().await?;
        let row: IdRow = w
            .one_req(
                "INSERT INTO projects (account_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
                vec![param(account_id), param(name), param(now)],
            )
            .await?;
        w.exec(
            "INSERT INTO scoring (project_id, updated_at) VALUES ($1, $2)",
            vec![param(row.id), param(now)],
        )
        .await?;
        w.commit().await?;
        self.project(row.id)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("project".into()))
    }

    const PROJECT_COLS: &str = "p.id, p.account_id, p.name, p.created_at, COALESCE(s.enabled, FALSE) AS scoring_enabled \
         FROM projects p LEFT JOIN scoring s ON s.project_id = p.id";

    pub async fn project(&self, id: i32) -> Result<Option<ProjectRow>, DbErr> {
        self.one(
            &format!("SELECT {} WHERE p.id = $1", Self::PROJECT_COLS),
            vec![param(id)],
        )
        .await
    }

    pub async fn projects(&self, account_id: i32) -> Result<Vec<ProjectRow>, DbErr> {
        self.all(
            &format!(
                "SELECT {} WHERE p.account_id = $1 ORDER BY p.id",
                Self::PROJECT_COLS
            ),
            vec![param(account_id)],
        )
        .await
    }

    pub async fn delete_project(&self, id: i32) -> Result<u64, DbErr> {
        self.exec("DELETE FROM projects WHERE id = $1", vec![param(id)])
            .await
    }

    const SCORING_COLS: &str = "project_id, enabled, site_key, allow_verified, protect_static, block_definite, \
         challenge_likely, likely_bot_threshold, challenge_difficulty FROM scoring";

    pub async fn scoring(&self, project_id: i32) -> Result<Option<ScoringRow>, DbErr> {
        self.one(
            &format!("SELECT {} WHERE project_id = $1", Self::SCORING_COLS),
            vec![param(project_id)],
        )
        .await
    }

    /// Enables scoring with the given new keys unless already enabled.
    /// Returns the row and whether the keys were minted now.
    pub async fn enable_scoring(
        &self,
        project_id: i32,
        site_key: &str,
        private_key_hash: &str,
    ) -> Result<(ScoringRow, bool), DbErr> {
        let n = self
            .exec(
                "UPDATE scoring SET enabled = $1, site_key = $2, private_key_hash = $3, updated_at = $4 \
                 WHERE project_id = $5 AND enabled = $6",
                vec![param(true), param(site_key), param(private_key_hash), param(now_ms()), param(project_id), param(false)],
            )
            .await?;
        let row = self
            .scoring(project_id)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound("scoring".into()))?;
        Ok((row, n == 1))
    }

    /// Disables scoring and forgets both keys.
    pub async fn disable_scoring(&self, project_id: i32) -> Result<u64, DbErr> {
        self.exec(
            "UPDATE scoring SET enabled = $1, site_key = NULL, private_key_hash = NULL, updated_at = $2 WHERE project_id = $3",
            vec![param(false), param(now_ms()), param(project_id)],
        )
        .await
    }

    pub async fn update_settings(
        &self,
        project_id: i32,
        p: &SettingsPatch,
    ) -> Result<Option<ScoringRow>, DbErr> {
        self.exec(
            "UPDATE scoring SET allow_verified = COALESCE($1, allow_verified), protect_static = COALESCE($2, protect_static), \
             block_definite = COALESCE($3, block_definite), challenge_likely = COALESCE($4, challenge_likely), \
             likely_bot_threshold = COALESCE($5, likely_bot_threshold), challenge_difficulty = COALESCE($6, challenge_difficulty), \
             updated_at = $7 WHERE project_id = $8",
            vec![
                param(p.allow_verified),
                param(p.protect_static),
                param(p.block_definite),
                param(p.challenge_likely),
                param(p.likely_bot_threshold),
                param(p.challenge_difficulty),
                param(now_ms()),
                param(project_id),
            ],
        )
        .await?;
        self.scoring(project_id).await
    }

    /// Replaces the site key of an enabled project; false when scoring is not enabled.
    pub async fn rotate_site_key(&self, project_id: i32, site_key: &str) -> Result<bool, DbErr> {
        let n = self
            .exec(
                "UPDATE scoring SET site_key = $1, updated_at = $2 WHERE project_id = $3 AND enabled = $4",
                vec![param(site_key), param(now_ms()), param(project_id), param(true)],
            )
            .await?;
        Ok(n == 1)
    }

    /// Replaces the private key hash of an enabled project; false when scoring is not enabled.
    pub async fn rotate_private_key(
        &self,
        project_id: i32,
        private_key_hash: &str,
    ) -> Result<bool, DbErr> {
        let n = self
            .exec(
                "UPDATE scoring SET private_key_hash = $1, updated_at = $2 WHERE project_id = $3 AND enabled = $4",
                vec![param(private_key_hash), param(now_ms()), param(project_id), param(true)],
            )
            .await?;
        Ok(n == 1)
    }

    // ---- data plane ----

    pub async fn site_key_principal(
        &self,
        site_key: &str,
    ) -> Result<Option<SiteKeyPrincipal>, DbErr> {
        let row: Option<(i32, i32, bool, Option<i64>, i32)> = self
            .read_one(
                "SELECT s.project_id, p.account_id, a.subscription_active, a.monthly_event_quota, s.challenge_difficulty \
                 FROM scoring s JOIN projects p ON p.id = s.project_id JOIN accounts a ON a.id = p.account_id \
                 WHERE s.site_key = $1 AND s.enabled = $2",
                vec![param(site_key), param(true)],
            )
            .await?;
        Ok(row.map(
            |(
                project_id,
                account_id,
                subscription_active,
                monthly_event_quota,
                challenge_difficulty,
            )| {
                SiteKeyPrincipal {
                    project_id,
                    account_id,
                    subscription_active,
                    monthly_event_quota,
                    challenge_difficulty,
                }
            },
        ))
    }

    /// Key check, settings, subscription and the session's stored score in one round trip.
    /// The verdict's row; on a locked SQLite file it waits for the lock until `deadline`.
    pub async fn verdict_row(
        &self,
        private_key_hash: &str,
        session_token: &str,
        deadline: Instant,
    ) -> Result<Option<VerdictRow>, DbErr> {
        const SQL: &str = "SELECT s.project_id, a.subscription_active, s.allow_verified, s.protect_static, s.block_definite, \
             s.challenge_likely, s.likely_bot_threshold, s.private_key_hash, ss.score, ss.detection_ids, ss.reason, \
             ss.js_passed, ss.features, s.rules_version \
             FROM scoring s JOIN projects p ON p.id = s.project_id JOIN accounts a ON a.id = p.account_id \
             LEFT JOIN sessions ss ON ss.project_id = s.project_id AND ss.token = $1 \
             WHERE s.private_key_hash = $2 AND s.enabled = $3";
        self.read_one_until(
            deadline,
            SQL,
            vec![param(session_token), param(private_key_hash), param(true)],
        )
        .await
    }

    // ---- rules ----

    const RULE_COLS: &str = "id, project_id, name, expression_source, action, is_active, sort_order, created_at, updated_at FROM rules";

    /// The project's rules by `sort_order`, then id.
    pub async fn rules(&self, project_id: i32) -> Result<Vec<RuleRow>, DbErr> {
        self.all(
            &format!(
                "SELECT {} WHERE project_id = $1 ORDER BY sort_order, id",
                Self::RULE_COLS
            ),
            vec![param(project_id)],
        )
        .await
    }

    pub async fn rule(&self, project_id: i32, rule_id: i32) -> Result<Option<RuleRow>, DbErr> {
        self.one(
            &format!(
                "SELECT {} WHERE project_id = $1 AND id = $2",
                Self::RULE_COLS
            ),
            vec![param(project_id), param(rule_id)],
        )
        .await
    }

    /// The project's rules with the version they belong to (read together, so a cache
    /// keyed by the version never holds rules of another version).
    pub async fn rules_with_version(&self, project_id: i32) -> Result<(i64, Vec<RuleRow>), DbErr> {
        let w = self.db.begin().await?;
        #[derive(FromQueryResult)]
        struct Version {
            rules_version: i64,
        }
        let version: Option<Version> = match w
            .query_one_raw(self.stmt(
                "SELECT rules_version FROM scoring WHERE project_id = $1",
                vec![param(project_id)],
            ))
            .await?
        {
            Some(row) => Some(Version::from_query_result(&row, "")?),
            None => None,
        };
        let rows = w
            .query_all_raw(self.stmt(
                &format!(
                    "SELECT {} WHERE project_id = $1 ORDER BY sort_order, id",
                    Self::RULE_COLS
                ),
                vec![param(project_id)],
            ))
            .await?;
        let rules = rows
            .iter()
            .map(|r| RuleRow::from_query_result(r, ""))
            .collect::<Result<_, _>>()?;
        w.commit().await?;
        Ok((version.map_or(0, |v| v.rules_version), rules))
    }

    async fn bump_rules_version(w: &Writer<'_>, project_id: i32) -> Result<(), DbErr> {
        w.exec(
            "UPDATE scoring SET rules_version = rules_version + 1 WHERE project_id = $1",
            vec![param(project_id)],
        )
        .await?;
        Ok(())
    }

    pub async fn insert_rule(&self, project_id: i32, r: &RuleWrite) -> Result<RuleRow, DbErr> {
        let now = now_ms();
        let w = self.write().await?;
        let row: RuleRow = w
            .one_req(
                &format!(
                    "INSERT INTO rules (project_id, name, expression_source, action, is_active, sort_order, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {}",
                    Self::RULE_COLS.trim_end_matches(" FROM rules")
                ),
                vec![
                    param(project_id),
                    param(r.name.as_str()),
                    param(r.expression_source.as_str()),
                    param(r.action),
                    param(r.is_active),
                    param(r.sort_order),
                    param(now),
                    param(now),
                ],
            )
            .await?;
        Self::bump_rules_version(&w, project_id).await?;
        w.commit().await?;
        Ok(row)
    }

    /// Replaces a rule's values; `None` when it is not in the project.
    pub async fn update_rule(
        &self,
        project_id: i32,
        rule_id: i32,
        r: &RuleWrite,
    ) -> Result<Option<RuleRow>, DbErr> {
        let w = self.write().await?;
        let n = w
            .exec(
                "UPDATE rules SET name = $1, expression_source = $2, action = $3, is_active = $4, sort_order = $5, \
                 updated_at = $6 WHERE project_id = $7 AND id = $8",
                vec![
                    param(r.name.as_str()),
                    param(r.expression_source.as_str()),
                    param(r.action),
                    param(r.is_active),
                    param(r.sort_order),
                    param(now_ms()),
                    param(project_id),
                    param(rule_id),
                ],
            )
            .await?;
        if n == 0 {
            w.rollback().await?;
            return Ok(None);
        }
        Self::bump_rules_version(&w, project_id).await?;
        w.commit().await?;
        self.rule(project_id, rule_id).await
    }

    /// Deletes a rule; false when it is not in the project.
    pub async fn delete_rule(&self, project_id: i32, rule_id: i32) -> Result<bool, DbErr> {
        let w = self.write().await?;
        let n = w
            .exec(
                "DELETE FROM rules WHERE project_id = $1 AND id = $2",
                vec![param(project_id), param(rule_id)],
            )
            .await?;
        if n == 0 {
            w.rollback().await?;
            return Ok(false);
        }
        Self::bump_rules_version(&w, project_id).await?;
        w.commit().await?;
        Ok(true)
    }

    /// Stores a batch atomically: idempotency record, session, de-duplicated events, the
    /// pending mark and the month's usage. Nothing is written unless all of it is. On a SQLite
    /// file the transaction runs on the writer thread, group-committed with concurrent
    /// batches (`sqlite_write`); elsewhere on a sqlx transaction.
    pub async fn ingest(
        &self,
        w_in: IngestWrite,
        mint: impl Fn() -> String,
    ) -> Result<IngestOutcome, DbErr> {
        if let Some(writer) = self.sqlite_writer() {
            // Never acknowledge a batch committed to a file that is no longer the database
            // (moved, deleted or replaced): it would be gone at the next start.
            self.check_file().inspect_err(
                |e| tracing::error!(error = %e, "refusing ingest: the database file is gone"),
            )?;
            let token = mint();
            let outcome = writer
                .submit(move |tx| {
                    futures::executor::block_on(ingest_tx(tx, &w_in, || token.clone()))
                })
                .await?;
            self.check_file().inspect_err(|e| {
                tracing::error!(error = %e, "a committed batch was not acknowledged: the database file is gone")
            })?;
            return Ok(outcome);
        }
        let w = self.write().await?;
        let (outcome, keep) = ingest_tx(&SqlxTx(&w.txn, self.backend), &w_in, mint).await?;
        if keep {
            w.commit().await?;
        } else {
            w.rollback().await?;
        }
        Ok(outcome)
    }

    /// Drops idempotency records older than the replay window.
    pub async fn purge_idempotency(&self) -> Result<u64, DbErr> {
        self.exec(
            "DELETE FROM idempotency_keys WHERE created_at < $1",
            vec![param(now_ms() - IDEMPOTENCY_TTL_MS)],
        )
        .await
    }

    // ---- scoring queue ----

    /// Claims up to `limit` pending sessions for `lease_ms`. On PostgreSQL concurrent claimers
    /// skip each other's rows (`FOR UPDATE SKIP LOCKED`); a lease that runs out (crashed
    /// worker) makes the session claimable again.
    pub async fn claim_pending(&self, limit: u32, lease_ms: i64) -> Result<Vec<Claim>, DbErr> {
        if let Some(writer) = self.sqlite_writer() {
            return writer
                .submit(move |tx| {
                    futures::executor::block_on(claim_tx(tx, limit, lease_ms)).map(|c| (c, true))
                })
                .await;
        }
        let w = self.write().await?;
        let claims = claim_tx(&SqlxTx(&w.txn, self.backend), limit, lease_ms).await?;
        w.commit().await?;
        Ok(claims)
    }

    pub async fn session_events(&self, session_id: i64) -> Result<Vec<StoredEvent>, DbErr> {
        let rows: Vec<(String, String)> = self
            .read_all(
                "SELECT event_type, payload FROM events WHERE session_id = $1 ORDER BY id",
                vec![param(session_id)],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(event_type, payload)| StoredEvent {
                event_type,
                payload,
            })
            .collect())
    }

    /// The session's ingest requests, oldest first.
    pub async fn session_requests(&self, session_id: i64) -> Result<Vec<StoredRequest>, DbErr> {
        type Cols = (
            Option<String>,
            Option<String>,
            Option<String>,
            i32,
            i32,
            i64,
            i16,
        );
        let rows: Vec<Cols> = self
            .read_all(
                "SELECT client_ip, ua_hash, ua_class, header_flags, events, created_at, integrity FROM ingest_requests \
                 WHERE session_id = $1 ORDER BY id",
                vec![param(session_id)],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(client_ip, ua_hash, ua_class, header_flags, events, created_at, integrity)| {
                    StoredRequest {
                        client_ip,
                        ua_hash,
                        ua_class,
                        header_flags,
                        events,
                        created_at,
                        integrity,
                    }
                },
            )
            .collect())
    }

    /// Sessions `ip` sent ingest requests for in the project in `(from, to]`, counted up to
    /// [`IP_COUNT_CAP`] (a bounded scan of the `ingest_requests_ip` index).
    pub async fn address_sessions(
        &self,
        project_id: i32,
        ip: &str,
        from: i64,
        to: i64,
    ) -> Result<i64, DbErr> {
        let (sessions,): (i64,) = self
            .read_one(
                "SELECT COUNT(*) AS n FROM (SELECT DISTINCT session_id FROM ingest_requests \
                 WHERE project_id = $1 AND client_ip = $2 AND created_at > $3 AND created_at <= $4 LIMIT $5) t",
                vec![param(project_id), param(ip), param(from), param(to), param(IP_COUNT_CAP)],
            )
            .await?
            .unwrap_or((0,));
        Ok(sessions)
    }

    /// Request rates of the session and of `ip` up to `at` (the session's latest request),
    /// and how many of the session's fingerprinted payloads another session of the project
    /// had sent before (the first sender is not the replayer).
    pub async fn session_traffic(
        &self,
        project_id: i32,
        session_id: i64,
        at: i64,
        ip: Option<&str>,
    ) -> Result<TrafficCounts, DbErr> {
        let minute = at - 60_000;
        let session: Option<(i64, Option<i64>)> = self
            .read_one(
                "SELECT COUNT(*) AS n, CAST(SUM(events) AS BIGINT) AS events FROM ingest_requests \
                 WHERE session_id = $1 AND created_at > $2 AND created_at <= $3",
                vec![param(session_id), param(minute), param(at)],
            )
            .await?;
        let mut out = TrafficCounts::default();
        if let Some((n, events)) = session {
            out.session_requests_1m = n;
            out.session_events_1m = events.unwrap_or(0);
        }
        // Only public addresses are rate-limited (`rate_limited_address`): elsewhere the
        // counts are not read, so they are not computed. Counting stops at a cap well above
        // the thresholds, so a busy address (a NAT, a proxy without X-Forwarded-For) costs
        // a bounded scan per scoring, not one proportional to its traffic.
        let public = ip.filter(|ip| {
            ip.parse()
                .is_ok_and(crate::domain::address::rate_limited_address)
        });
        if let Some(ip) = public {
            let sessions = self
                .address_sessions(project_id, ip, at - 600_000, at)
                .await?;
            let (requests,): (i64,) = self
                .read_one(
                    "SELECT COUNT(*) AS n FROM (SELECT 1 FROM ingest_requests \
                     WHERE project_id = $1 AND client_ip = $2 AND created_at > $3 AND created_at <= $4 LIMIT $5) t",
                    vec![param(project_id), param(ip), param(minute), param(at), param(IP_COUNT_CAP)],
                )
                .await?
                .unwrap_or((0,));
            out.ip_sessions_10m = sessions;
            out.ip_requests_1m = requests;
        }
        let replay: Option<(i64, i64)> = self
            .read_one(
                "SELECT COUNT(DISTINCT o.payload_hash) AS n, COUNT(DISTINCT o.session_id) AS m \
                 FROM events e JOIN events o ON o.project_id = e.project_id AND o.payload_hash = e.payload_hash \
                 AND o.session_id <> e.session_id AND o.id < e.id \
                 WHERE e.session_id = $1 AND e.project_id = $2 AND e.payload_hash IS NOT NULL",
                vec![param(session_id), param(project_id)],
            )
            .await?;
        if let Some((n, m)) = replay {
            out.replayed_payloads = n;
            out.replay_sessions = m;
        }
        Ok(out)
    }

    /// Stores the scores of claimed sessions, each of its claim's `revision`, with what
    /// scoring derived for rules (`js_detection.passed`, the behavioral features as JSON); a
    /// session stays pending if events arrived since. One transaction (one fsync on SQLite)
    /// for the whole set.
    pub async fn store_scores(&self, scores: Vec<ScoreWrite>) -> Result<(), DbErr> {
        if scores.is_empty() {
            return Ok(());
        }
        if let Some(writer) = self.sqlite_writer() {
            return writer
                .submit(move |tx| {
                    futures::executor::block_on(scores_tx(tx, &scores)).map(|()| ((), true))
                })
                .await;
        }
        let w = self.write().await?;
        scores_tx(&SqlxTx(&w.txn, self.backend), &scores).await?;
        w.commit().await
    }

    pub async fn pending_count(&self) -> Result<i64, DbErr> {
        #[derive(FromQueryResult)]
        struct N {
            n: i64,
        }
        let n: Option<N> = self
            .one(
                "SELECT COUNT(*) AS n FROM sessions WHERE pending = $1",
                vec![param(true)],
            )
            .await?;
        Ok(n.map(|n| n.n).unwrap_or(0))
    }
}

#[derive(FromQueryResult)]
struct IdRow {
    id: i32,
}

/// A write transaction (holding the SQLite writer slot while it lives).
struct Writer<'a> {
    txn: DatabaseTransaction,
    backend: DbBackend,
    _guard: Option<MutexGuard<'a, ()>>,
}

impl Writer<'_> {
    fn stmt(&self, sql: &str, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.backend, sql, values)
    }

    async fn exec(&self, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
        Ok(self
            .txn
            .execute_raw(self.stmt(sql, values))
            .await?
            .rows_affected())
    }

    async fn one<T: FromQueryResult>(
        &self,
        sql: &str,
        values: Vec<Value>,
    ) -> Result<Option<T>, DbErr> {
        match self.txn.query_one_raw(self.stmt(sql, values)).await? {
            Some(row) => Ok(Some(T::from_query_result(&row, "")?)),
            None => Ok(None),
        }
    }

    async fn one_req<T: FromQueryResult>(&self, sql: &str, values: Vec<Value>) -> Result<T, DbErr> {
        self.one(sql, values)
            .await?
            .ok_or_else(|| DbErr::RecordNotFound(sql.to_string()))
    }

    async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    async fn rollback(self) -> Result<(), DbErr> {
        self.txn.rollback().await
    }
}

/// Claim's statement (see [`Store::claim_pending`]).
async fn claim_tx(tx: &impl Tx, limit: u32, lease_ms: i64) -> Result<Vec<Claim>, DbErr> {
    let now = now_ms();
    let lock = if tx.backend() == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE sessions SET claimed_until = $1 WHERE id IN (SELECT id FROM sessions WHERE pending = $2 \
         AND (claimed_until IS NULL OR claimed_until < $3) ORDER BY updated_at LIMIT $4{lock}) \
         RETURNING id, project_id, revision"
    );
    let rows: Vec<(i64, i32, i64)> = tx
        .all(
            &sql,
            vec![
                param(now + lease_ms),
                param(true),
                param(now),
                param(limit as i64),
            ],
        )
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, project_id, revision)| Claim {
            id,
            project_id,
            revision,
        })
        .collect())
}

/// The scores' statements (see [`Store::store_scores`]).
async fn scores_tx(tx: &impl Tx, scores: &[ScoreWrite]) -> Result<(), DbErr> {
    let now = now_ms();
    for s in scores {
        let ids = serde_json::to_string(&s.scored.detection_ids)
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        tx.exec(
            "UPDATE sessions SET score = $1, detection_ids = $2, reason = $3, scored_revision = $4, scored_at = $5, \
             claimed_until = NULL, pending = (revision <> $4), js_passed = $6, features = $7 WHERE id = $8",
            vec![
                param(s.scored.score as i32),
                param(ids),
                param(s.scored.reason.as_str()),
                param(s.revision),
                param(now),
                param(s.js_passed),
                param(s.features.as_str()),
                param(s.session_id),
            ],
        )
        .await?;
    }
    Ok(())
}

/// Ingest's transaction body; returns the outcome and whether to keep (commit) its writes.
pub(crate) async fn ingest_tx(
    tx: &impl Tx,
    w_in: &IngestWrite,
    mint: impl Fn() -> String,
) -> Result<(IngestOutcome, bool), DbErr> {
    let now = now_ms();
    if let Some((key, hash)) = &w_in.idempotency {
        let inserted = tx
            .exec(
                "INSERT INTO idempotency_keys (project_id, idem_key, body_hash, response, created_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, idem_key) DO NOTHING",
                vec![param(w_in.project_id), param(key.as_str()), param(hash.as_str()), param(""), param(now)],
            )
            .await?;
        if inserted == 0 {
            let (prev_hash, prev_response, prev_created): (String, String, i64) = tx
                .one_req(
                    "SELECT body_hash, response, created_at FROM idempotency_keys WHERE project_id = $1 AND idem_key = $2",
                    vec![param(w_in.project_id), param(key.as_str())],
                )
                .await?;
            if now - prev_created < IDEMPOTENCY_TTL_MS {
                if prev_hash != *hash {
                    return Ok((IngestOutcome::KeyReused, false));
                }
                let ack = serde_json::from_str(&prev_response).map_err(|e| {
                    DbErr::Custom(format!("stored idempotent response unreadable: {e}"))
                })?;
                return Ok((IngestOutcome::Replayed(ack), false));
            }
            tx.exec(
                "UPDATE idempotency_keys SET body_hash = $1, response = $2, created_at = $3 WHERE project_id = $4 AND idem_key = $5",
                vec![param(hash.as_str()), param(""), param(now), param(w_in.project_id), param(key.as_str())],
            )
            .await?;
        }
    }

    // The session: the caller's own, else the one an earlier copy of these events went
    // to (a retry without Idempotency-Key), else a new one.
    let mut session: Option<(i64, String)> = None;
    if let Some(token) = &w_in.session_token {
        let row: Option<(i64, String)> = tx
            .one(
                "SELECT id, token FROM sessions WHERE token = $1 AND project_id = $2",
                vec![param(token.as_str()), param(w_in.project_id)],
            )
            .await?;
        session = row;
    }
    if session.is_none() {
        let mut sql = String::from(
            "SELECT s.id, s.token FROM events e JOIN sessions s ON s.id = e.session_id WHERE e.project_id = $1 AND e.request_id IN (",
        );
        let mut vals = vec![param(w_in.project_id)];
        for (i, e) in w_in.events.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", i + 2));
            vals.push(param(e.request_id.as_str()));
        }
        sql.push_str(") LIMIT 1");
        let row: Option<(i64, String)> = tx.one(&sql, vals).await?;
        session = row;
    }
    let (session_id, session_token) = match session {
        Some(s) => s,
        None => {
            let token = mint();
            let (id,): (i64,) = tx
                .one_req(
                    "INSERT INTO sessions (project_id, token, created_at, updated_at) VALUES ($1, $2, $3, $4) RETURNING id",
                    vec![param(w_in.project_id), param(token.as_str()), param(now), param(now)],
                )
                .await?;
            (id, token)
        }
    };

    let mut sql = String::from(
        "INSERT INTO events (project_id, session_id, request_id, event_type, received_at, payload, ingested_at, payload_hash) VALUES ",
    );
    let mut vals = Vec::with_capacity(w_in.events.len() * 8);
    for (i, e) in w_in.events.iter().enumerate() {
        if i > 0 {
            sql.push_str(", ");
        }
        let b = i * 8;
        sql.push_str(&format!(
            "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
            b + 1,
            b + 2,
            b + 3,
            b + 4,
            b + 5,
            b + 6,
            b + 7,
            b + 8
        ));
        vals.extend([
            param(w_in.project_id),
            param(session_id),
            param(e.request_id.as_str()),
            param(e.event_type),
            param(e.received_at.as_str()),
            param(e.payload.as_str()),
            param(now),
            param(e.payload_hash.clone()),
        ]);
    }
    sql.push_str(" ON CONFLICT (project_id, request_id) DO NOTHING");
    let accepted = tx.exec(&sql, vals).await? as u32;
    let duplicates = w_in.events.len() as u32 - accepted;
    let r = &w_in.request;
    let integrity = match &w_in.redeem {
        Some(redeem) => {
            integrity::redeem_tx(tx, w_in.project_id, session_id, redeem, r.integrity).await?
        }
        None => r.integrity,
    };
    tx.exec(
        "INSERT INTO ingest_requests (project_id, session_id, client_ip, ua_hash, ua_class, header_flags, events, created_at, integrity) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        vec![
            param(w_in.project_id),
            param(session_id),
            param(r.client_ip.clone()),
            param(r.ua_hash.clone()),
            param(r.ua_class.clone()),
            param(r.header_flags),
            param(accepted as i32),
            param(now),
            param(integrity),
        ],
    )
    .await?;

    if accepted > 0 {
        tx.exec(
            "UPDATE sessions SET revision = revision + 1, pending = $1, updated_at = $2, event_count = event_count + $3 WHERE id = $4",
            vec![param(true), param(now), param(accepted as i64), param(session_id)],
        )
        .await?;
        if tx.backend() == DbBackend::Postgres {
            // Delivered at commit to every process's scoring workers.
            tx.exec(&format!("NOTIFY {}", listen::PENDING_CHANNEL), vec![])
                .await?;
        }
    }
    // The shard of the session: concurrent batches of one account update different rows.
    let period = billing_period(now);
    tx.exec(
        "INSERT INTO usage_shards (account_id, period, shard, events) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (account_id, period, shard) DO UPDATE SET events = usage_shards.events + excluded.events",
        vec![
            param(w_in.account_id),
            param(period.as_str()),
            param(session_id.rem_euclid(USAGE_SHARDS) as i32),
            param(accepted as i64),
        ],
    )
    .await?;
    // This batch's count plus what other transactions committed (soft quota: a batch in
    // flight elsewhere is counted once it commits).
    let (usage,): (i64,) = tx
        .one_req(
            USAGE_SUM_SQL,
            vec![param(w_in.account_id), param(period.as_str())],
        )
        .await?;
    let over_quota = w_in.monthly_event_quota.is_some_and(|q| usage > q);
    let ack = IngestAck {
        session_token,
        accepted,
        duplicates,
        over_quota,
    };
    if let Some((key, _)) = &w_in.idempotency {
        let json = serde_json::to_string(&ack).map_err(|e| DbErr::Custom(e.to_string()))?;
        tx.exec(
            "UPDATE idempotency_keys SET response = $1 WHERE project_id = $2 AND idem_key = $3",
            vec![param(json), param(w_in.project_id), param(key.as_str())],
        )
        .await?;
    }
    Ok((IngestOutcome::Stored(ack), true))
}

/// Lower-case ASCII slug of an account name.
fn slugify(name: &str) -> String {
    let mut s = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    let s = s.trim_end_matches('-').to_string();
    if s.is_empty() { "account".into() } else { s }
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
