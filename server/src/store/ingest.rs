//! Ingest batches: one transaction per batch (idempotency record, session, events,
//! pending mark, usage, challenge redemption), and the idempotency purge.
use super::*;

/// Shards of an account's monthly usage counter (`usage_shards`, migration m0004).
pub(super) const USAGE_SHARDS: i64 = 32;

/// An account's usage in a period: the sum of its shards.
pub(super) const USAGE_SUM_SQL: &str = "SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) AS n FROM usage_shards WHERE account_id = $1 AND period = $2";

pub use crate::domain::batch_rules::IDEMPOTENCY_TTL_MS;
use crate::domain::batch_rules::{self, PriorRequest, SessionSource};

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
            match batch_rules::prior_request(&prev_hash, prev_created, hash, now) {
                PriorRequest::KeyReused => return Ok((IngestOutcome::KeyReused, false)),
                PriorRequest::Replay => {
                    let ack = serde_json::from_str(&prev_response).map_err(|e| {
                        DbErr::Custom(format!("stored idempotent response unreadable: {e}"))
                    })?;
                    return Ok((IngestOutcome::Replayed(ack), false));
                }
                PriorRequest::Expired => {}
            }
            tx.exec(
                "UPDATE idempotency_keys SET body_hash = $1, response = $2, created_at = $3 WHERE project_id = $4 AND idem_key = $5",
                vec![param(hash.as_str()), param(""), param(now), param(w_in.project_id), param(key.as_str())],
            )
            .await?;
        }
    }

    // The session, from the sources `batch_rules` orders.
    let mut source = None;
    let (session_id, session_token) = loop {
        let next = batch_rules::next_session_source(source, w_in.session_token.is_some());
        source = Some(next);
        let found: Option<(i64, String)> = match next {
            SessionSource::CallersToken => {
                let token = w_in.session_token.as_deref().unwrap_or_default();
                tx.one(
                    "SELECT id, token FROM sessions WHERE token = $1 AND project_id = $2",
                    vec![param(token), param(w_in.project_id)],
                )
                .await?
            }
            SessionSource::EarlierCopy => {
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
                tx.one(&sql, vals).await?
            }
            SessionSource::New => {
                let token = mint();
                let (id,): (i64,) = tx
                    .one_req(
                        "INSERT INTO sessions (project_id, token, created_at, updated_at) VALUES ($1, $2, $3, $4) RETURNING id",
                        vec![param(w_in.project_id), param(token.as_str()), param(now), param(now)],
                    )
                    .await?;
                Some((id, token))
            }
        };
        if let Some(s) = found {
            break s;
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
    let over_quota = batch_rules::over_quota(usage, w_in.monthly_event_quota);
    rollups::add_traffic(
        tx,
        w_in.project_id,
        session_id,
        now,
        source == Some(SessionSource::New),
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

/// What a stored batch may change that a verdict reads: its session's row (a new session
/// is a new row under a fresh token; events, usage and the pending mark are not read).
fn touched_by(outcome: &IngestOutcome) -> Touched {
    match outcome {
        IngestOutcome::Stored(ack) => Touched::Sessions(vec![ack.session_token.clone()]),
        IngestOutcome::Replayed(_) | IngestOutcome::KeyReused => Touched::Nothing,
    }
}

impl Store {
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

impl IngestWrites for Store {
    async fn site_key_principal(&self, site_key: &str) -> Result<Option<SiteKeyPrincipal>, DbErr> {
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

    /// Stores a batch atomically: idempotency record, session, de-duplicated events, the
    /// pending mark and the month's usage. Nothing is written unless all of it is. On a SQLite
    /// file the transaction runs on the writer thread, group-committed with concurrent
    /// batches (`sqlite_write`); elsewhere on a sqlx transaction.
    async fn ingest(
        &self,
        w_in: IngestWrite,
        mint: fn() -> String,
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
            self.touched(&touched_by(&outcome));
            self.check_file().inspect_err(|e| {
                tracing::error!(error = %e, "a committed batch was not acknowledged: the database file is gone")
            })?;
            return Ok(outcome);
        }
        let w = self.write().await?;
        let (outcome, keep) = ingest_tx(&w, &w_in, mint).await?;
        if keep {
            w.commit_as(touched_by(&outcome)).await?;
        } else {
            w.rollback().await?;
        }
        Ok(outcome)
    }
}
