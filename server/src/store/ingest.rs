//! Ingest batches: one transaction per batch (idempotency record, session, events,
//! pending mark, usage, challenge redemption), and the idempotency purge.
use super::*;

/// Shards of an account's monthly usage counter (`usage_shards`, migration m0004).
pub(super) const USAGE_SHARDS: i64 = 32;

/// An account's usage in a period: the sum of its shards.
pub(super) const USAGE_SUM_SQL: &str = "SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) AS n FROM usage_shards WHERE account_id = $1 AND period = $2";

use crate::domain::PageHit;
pub use crate::domain::batch_rules::IDEMPOTENCY_TTL_MS;
use crate::domain::batch_rules::{self, PriorRequest, SessionSource};

/// What an `Idempotency-Key` already stored for the project says about this request.
enum Prior {
    /// Not seen (or expired): the key is now this request's; go on.
    Fresh,
    /// The same body within the window: its stored response (JSON).
    Replay(String),
    /// Another body within the window.
    KeyReused,
}

/// Claims `(key, body hash)` for this request in the transaction (the claim is undone with
/// it), or finds the earlier request that holds it.
async fn claim_idempotency(
    tx: &impl Tx,
    project_id: i32,
    idempotency: Option<&(String, String)>,
    now: i64,
) -> Result<Prior, DbErr> {
    let Some((key, hash)) = idempotency else {
        return Ok(Prior::Fresh);
    };
    let inserted = tx
        .exec(
            "INSERT INTO idempotency_keys (project_id, idem_key, body_hash, response, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (project_id, idem_key) DO NOTHING",
            vec![
                param(project_id),
                param(key.as_str()),
                param(hash.as_str()),
                param(""),
                param(now),
            ],
        )
        .await?;
    if inserted == 1 {
        return Ok(Prior::Fresh);
    }
    let (prev_hash, prev_response, prev_created): (String, String, i64) = tx
        .one_req(
            "SELECT body_hash, response, created_at FROM idempotency_keys WHERE project_id = $1 AND idem_key = $2",
            vec![param(project_id), param(key.as_str())],
        )
        .await?;
    match batch_rules::prior_request(&prev_hash, prev_created, hash, now) {
        PriorRequest::KeyReused => return Ok(Prior::KeyReused),
        PriorRequest::Replay => return Ok(Prior::Replay(prev_response)),
        PriorRequest::Expired => {}
    }
    tx.exec(
        "UPDATE idempotency_keys SET body_hash = $1, response = $2, created_at = $3 WHERE project_id = $4 AND idem_key = $5",
        vec![param(hash.as_str()), param(""), param(now), param(project_id), param(key.as_str())],
    )
    .await?;
    Ok(Prior::Fresh)
}

/// Records the response a replay of this request answers.
async fn keep_response(
    tx: &impl Tx,
    project_id: i32,
    idempotency: Option<&(String, String)>,
    response: &impl Serialize,
) -> Result<(), DbErr> {
    if let Some((key, _)) = idempotency {
        let json = serde_json::to_string(response).map_err(|e| DbErr::Custom(e.to_string()))?;
        tx.exec(
            "UPDATE idempotency_keys SET response = $1 WHERE project_id = $2 AND idem_key = $3",
            vec![param(json), param(project_id), param(key.as_str())],
        )
        .await?;
    }
    Ok(())
}

fn stored_response<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, DbErr> {
    serde_json::from_str(json)
        .map_err(|e| DbErr::Custom(format!("stored idempotent response unreadable: {e}")))
}

/// A write's session, from the sources `batch_rules` orders: its id and token, and whether
/// this write created it. `None`: the token to adopt is another project's.
async fn session_of(
    tx: &impl Tx,
    project_id: i32,
    token: Option<&str>,
    adopt: bool,
    request_ids: &[&str],
    mint: impl Fn() -> String,
    now: i64,
) -> Result<Option<(i64, String, bool)>, DbErr> {
    let mut source = None;
    loop {
        let Some(next) = batch_rules::next_session_source(source, token.is_some(), adopt) else {
            return Ok(None);
        };
        source = Some(next);
        let found: Option<(i64, String)> = match next {
            SessionSource::CallersToken | SessionSource::AdoptedMeanwhile => {
                tx.one(
                    "SELECT id, token FROM sessions WHERE token = $1 AND project_id = $2",
                    vec![param(token.unwrap_or_default()), param(project_id)],
                )
                .await?
            }
            SessionSource::EarlierCopy => {
                if request_ids.is_empty() {
                    None
                } else {
                    let mut sql = String::from(
                        "SELECT s.id, s.token FROM events e JOIN sessions s ON s.id = e.session_id WHERE e.project_id = $1 AND e.request_id IN (",
                    );
                    let mut vals = vec![param(project_id)];
                    for (i, id) in request_ids.iter().enumerate() {
                        if i > 0 {
                            sql.push_str(", ");
                        }
                        sql.push_str(&format!("${}", i + 2));
                        vals.push(param(*id));
                    }
                    sql.push_str(") LIMIT 1");
                    tx.one(&sql, vals).await?
                }
            }
            SessionSource::Adopt | SessionSource::New => {
                let token = match next {
                    SessionSource::Adopt => token.unwrap_or_default().to_string(),
                    _ => mint(),
                };
                // Tokens are unique across projects: a token another project holds inserts
                // nothing (and a concurrent adoption of the same token is found next).
                let id: Option<(i64,)> = tx
                    .one(
                        "INSERT INTO sessions (project_id, token, created_at, updated_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (token) DO NOTHING RETURNING id",
                        vec![param(project_id), param(token.as_str()), param(now), param(now)],
                    )
                    .await?;
                id.map(|(id,)| (id, token))
            }
        };
        if let Some((id, token)) = found {
            let created = matches!(next, SessionSource::Adopt | SessionSource::New);
            return Ok(Some((id, token, created)));
        }
    }
}

/// Marks a session for (re)scoring; on PostgreSQL every process's workers hear of it at
/// commit.
async fn mark_pending(tx: &impl Tx) -> Result<(), DbErr> {
    if tx.backend() == DbBackend::Postgres {
        tx.exec(&format!("NOTIFY {}", listen::PENDING_CHANNEL), vec![])
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
    match claim_idempotency(tx, w_in.project_id, w_in.idempotency.as_ref(), now).await? {
        Prior::Fresh => {}
        Prior::Replay(json) => {
            return Ok((IngestOutcome::Replayed(stored_response(&json)?), false));
        }
        Prior::KeyReused => return Ok((IngestOutcome::KeyReused, false)),
    }
    let request_ids: Vec<&str> = w_in.events.iter().map(|e| e.request_id.as_str()).collect();
    let Some((session_id, session_token, new_session)) = session_of(
        tx,
        w_in.project_id,
        w_in.session_token.as_deref(),
        w_in.adopt,
        &request_ids,
        mint,
        now,
    )
    .await?
    else {
        return Ok((IngestOutcome::ForeignSession, false));
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
        "INSERT INTO ingest_requests (project_id, session_id, client_ip, ua_hash, ua_class, header_flags, events, created_at, integrity, channel, ja4) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
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
            param(r.channel),
            param(r.ja4.clone()),
        ],
    )
    .await?;

    if accepted > 0 {
        tx.exec(
            "UPDATE sessions SET revision = revision + 1, pending = $1, updated_at = $2, event_count = event_count + $3, \
             ja4 = COALESCE($4, ja4), client_ip = COALESCE($5, client_ip) WHERE id = $6",
            vec![
                param(true),
                param(now),
                param(accepted as i64),
                param(r.ja4.clone()),
                param(r.client_ip.clone()),
                param(session_id),
            ],
        )
        .await?;
        mark_pending(tx).await?;
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
    let over_quota = batch_rules::over_quota(usage, w_in.monthly_event_quota);
    rollups::add_traffic(
        tx,
        w_in.project_id,
        session_id,
        now,
        new_session,
        accepted,
        over_quota,
    )
    .await?;
    let ack = IngestAck {
        session_token,
        accepted,
        duplicates,
        over_quota,
    };
    keep_response(tx, w_in.project_id, w_in.idempotency.as_ref(), &ack).await?;
    Ok((IngestOutcome::Stored(ack), true))
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
    /// How the batch arrived (`domain::Channel` code).
    pub channel: i16,
    /// JA4 of the TLS ClientHello it came on, when known.
    pub ja4: Option<String>,
}

#[derive(Debug, Clone)]
pub struct IngestWrite {
    pub project_id: i32,
    pub account_id: i32,
    pub monthly_event_quota: Option<i64>,
    pub session_token: Option<String>,
    /// A `session_token` this project does not have becomes a new session under it (the
    /// customer's backend's own tokens), instead of a session under a fresh token.
    pub adopt: bool,
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
    /// The token to adopt is another project's session: nothing stored.
    ForeignSession,
}

/// What a stored batch may change that a verdict reads: its session's row (a new session
/// is a new row under a fresh token; events, usage and the pending mark are not read).
fn touched_by(outcome: &IngestOutcome) -> Touched {
    match outcome {
        IngestOutcome::Stored(ack) => Touched::Sessions(vec![ack.session_token.clone()]),
        IngestOutcome::Replayed(_) | IngestOutcome::KeyReused | IngestOutcome::ForeignSession => {
            Touched::Nothing
        }
    }
}

/// A checked page hit, ready to store.
#[derive(Debug, Clone)]
pub struct PageHitWrite {
    pub project_id: i32,
    pub session_token: String,
    /// `(Idempotency-Key, SHA-256 of the canonical page hit)`.
    pub idempotency: Option<(String, String)>,
    pub hit: PageHit,
}

/// A page hit's answer, as stored for idempotent replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PageHitAck {
    pub session_token: String,
    pub duplicate: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PageHitOutcome {
    Stored(PageHitAck),
    Replayed(PageHitAck),
    KeyReused,
    /// The token to adopt is another project's session: nothing stored.
    ForeignSession,
}

/// A page hit's transaction body: idempotency record, the session (adopted on first
/// sight), the hit (a `page_id` stored before is a duplicate), and the session's pending mark
/// when it has events to rescore with the new facts.
pub(crate) async fn page_hit_tx(
    tx: &impl Tx,
    w: &PageHitWrite,
) -> Result<(PageHitOutcome, bool), DbErr> {
    let now = now_ms();
    match claim_idempotency(tx, w.project_id, w.idempotency.as_ref(), now).await? {
        Prior::Fresh => {}
        Prior::Replay(json) => {
            return Ok((PageHitOutcome::Replayed(stored_response(&json)?), false));
        }
        Prior::KeyReused => return Ok((PageHitOutcome::KeyReused, false)),
    }
    let mint = || unreachable!("a page hit always names its session");
    let Some((session_id, session_token, _)) = session_of(
        tx,
        w.project_id,
        Some(&w.session_token),
        true,
        &[],
        mint,
        now,
    )
    .await?
    else {
        return Ok((PageHitOutcome::ForeignSession, false));
    };
    let h = &w.hit;
    let inserted = tx
        .exec(
            "INSERT INTO page_hits (project_id, session_id, page_id, occurred_at, method, path_hash, header_names, languages, \
             had_session_cookie, duration_ms, ja4, observed_ip, observed_ip_source, observed_ip_inferred, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) ON CONFLICT (project_id, page_id) DO NOTHING",
            vec![
                param(w.project_id),
                param(session_id),
                param(h.page_id.as_str()),
                param(h.occurred_at_ms),
                param(h.method),
                param(h.path_hash.as_str()),
                param(h.header_names.join(",")),
                param(h.languages.join(",")),
                param(h.had_session_cookie),
                param(h.duration_ms),
                param(h.ja4.clone()),
                param(h.observed_ip.clone()),
                param(h.observed_ip_source.map(|s| s.as_str())),
                param(h.observed_ip_inferred),
                param(now),
            ],
        )
        .await?;
    if inserted == 1 {
        // The latest client facts, for the `ja4` and `ip` rule fields.
        let ip = h
            .observed_ip
            .clone()
            .filter(|_| h.observed_ip_inferred != Some(true));
        tx.exec(
            "UPDATE sessions SET ja4 = COALESCE($1, ja4), client_ip = COALESCE($2, client_ip) WHERE id = $3",
            vec![param(h.ja4.clone()), param(ip), param(session_id)],
        )
        .await?;
        // A session without events is not scored yet (its first batch queues it); one with
        // events is rescored with the new facts.
        let queued = tx
            .exec(
                "UPDATE sessions SET revision = revision + 1, pending = $1, updated_at = $2 WHERE id = $3 AND event_count > 0",
                vec![param(true), param(now), param(session_id)],
            )
            .await?;
        if queued > 0 {
            mark_pending(tx).await?;
        }
    }
    let ack = PageHitAck {
        session_token,
        duplicate: inserted == 0,
    };
    keep_response(tx, w.project_id, w.idempotency.as_ref(), &ack).await?;
    Ok((PageHitOutcome::Stored(ack), true))
}

/// The writes of the data plane, one transaction each.
enum DataWrite {
    Batch(IngestWrite, String),
    PageHit(PageHitWrite),
}

enum DataOutcome {
    Batch(IngestOutcome),
    PageHit(PageHitOutcome),
}

impl DataWrite {
    async fn run(&self, tx: &impl Tx) -> Result<(DataOutcome, bool), DbErr> {
        Ok(match self {
            DataWrite::Batch(w, token) => {
                let (o, keep) = ingest_tx(tx, w, || token.clone()).await?;
                (DataOutcome::Batch(o), keep)
            }
            DataWrite::PageHit(w) => {
                let (o, keep) = page_hit_tx(tx, w).await?;
                (DataOutcome::PageHit(o), keep)
            }
        })
    }
}

impl DataOutcome {
    /// What a verdict reads that the write may have changed.
    fn touched(&self) -> Touched {
        match self {
            DataOutcome::Batch(o) => touched_by(o),
            DataOutcome::PageHit(PageHitOutcome::Stored(ack)) => {
                Touched::Sessions(vec![ack.session_token.clone()])
            }
            DataOutcome::PageHit(_) => Touched::Nothing,
        }
    }
}

impl Store {
    /// Commits a data-plane write. On a SQLite file the transaction runs on the writer
    /// thread, group-committed with concurrent ones (`sqlite_write`); elsewhere on a sqlx
    /// transaction.
    async fn commit_data(&self, write: DataWrite) -> Result<DataOutcome, DbErr> {
        if let Some(writer) = self.sqlite_writer() {
            // Never acknowledge a write committed to a file that is no longer the database
            // (moved, deleted or replaced): it would be gone at the next start.
            self.check_file().inspect_err(
                |e| tracing::error!(error = %e, "refusing ingest: the database file is gone"),
            )?;
            let outcome = writer
                .submit(move |tx| futures::executor::block_on(write.run(tx)))
                .await?;
            self.touched(&outcome.touched());
            self.check_file().inspect_err(|e| {
                tracing::error!(error = %e, "a committed write was not acknowledged: the database file is gone")
            })?;
            return Ok(outcome);
        }
        let w = self.write().await?;
        let (outcome, keep) = write.run(&w).await?;
        if keep {
            w.commit_as(outcome.touched()).await?;
        } else {
            w.rollback().await?;
        }
        Ok(outcome)
    }

    /// Drops idempotency records older than the replay window.
    pub async fn purge_idempotency(&self) -> Result<u64, DbErr> {
        self.exec_as(
            Touched::Nothing,
            "DELETE FROM idempotency_keys WHERE created_at < $1",
            vec![param(now_ms() - IDEMPOTENCY_TTL_MS)],
        )
        .await
    }
}

/// The columns of a key's principal, by the key's column (one constant statement each: the
/// lookup is on every ingest request).
macro_rules! principal_sql {
    ($column:literal) => {
        concat!(
            "SELECT s.project_id, p.account_id, a.subscription_active, a.monthly_event_quota, s.challenge_difficulty \
             FROM scoring s JOIN projects p ON p.id = s.project_id JOIN accounts a ON a.id = p.account_id \
             WHERE ",
            $column,
            " = $1 AND s.enabled = $2"
        )
    };
}
const SITE_KEY_PRINCIPAL: &str = principal_sql!("s.site_key");
const PRIVATE_KEY_PRINCIPAL: &str = principal_sql!("s.private_key_hash");

impl Store {
    /// The enabled project of a key (`sql`: [`SITE_KEY_PRINCIPAL`] or
    /// [`PRIVATE_KEY_PRINCIPAL`]), with its account's subscription and quota.
    async fn key_principal(
        &self,
        sql: &'static str,
        value: &str,
    ) -> Result<Option<SiteKeyPrincipal>, DbErr> {
        let row: Option<(i32, i32, bool, Option<i64>, i32)> =
            self.read_one(sql, vec![param(value), param(true)]).await?;
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
}

impl IngestWrites for Store {
    async fn site_key_principal(&self, site_key: &str) -> Result<Option<SiteKeyPrincipal>, DbErr> {
        self.key_principal(SITE_KEY_PRINCIPAL, site_key).await
    }

    /// Stores a batch atomically: idempotency record, session, de-duplicated events, the
    /// pending mark and the month's usage. Nothing is written unless all of it is.
    async fn ingest(
        &self,
        w_in: IngestWrite,
        mint: fn() -> String,
    ) -> Result<IngestOutcome, DbErr> {
        match self.commit_data(DataWrite::Batch(w_in, mint())).await? {
            DataOutcome::Batch(o) => Ok(o),
            DataOutcome::PageHit(_) => unreachable!("a batch's write answers a batch's outcome"),
        }
    }

    /// Stores a page hit atomically (idempotency record, session, hit, pending mark).
    async fn record_page_hit(&self, w: PageHitWrite) -> Result<PageHitOutcome, DbErr> {
        match self.commit_data(DataWrite::PageHit(w)).await? {
            DataOutcome::PageHit(o) => Ok(o),
            DataOutcome::Batch(_) => {
                unreachable!("a page hit's write answers a page hit's outcome")
            }
        }
    }

    async fn private_key_principal(
        &self,
        private_key_hash: &str,
    ) -> Result<Option<SiteKeyPrincipal>, DbErr> {
        self.key_principal(PRIVATE_KEY_PRINCIPAL, private_key_hash)
            .await
    }
}
