//! The scoring queue: claims under a lease, a claimed session's events, requests and
//! traffic counts, and the scores.
use super::*;

/// Per-address counts for the heuristics stop here (well above `IP_SESSIONS_PER_10MIN` and
/// `IP_REQUESTS_PER_MIN`).
pub const IP_COUNT_CAP: i64 = 1_000;

/// Claim's statement (see [`Store::claim_pending`]).
pub(super) async fn claim_tx(tx: &impl Tx, limit: u32, lease_ms: i64) -> Result<Vec<Claim>, DbErr> {
    let now = now_ms();
    let lock = if tx.backend() == DbBackend::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    let sql = format!(
        "UPDATE sessions SET claimed_until = $1 WHERE id IN (SELECT id FROM sessions WHERE pending = $2 \
         AND (claimed_until IS NULL OR claimed_until < $3) ORDER BY updated_at LIMIT $4{lock}) \
         RETURNING id, project_id, revision, updated_at, \
         EXISTS (SELECT 1 FROM page_hits h WHERE h.session_id = sessions.id) AS page_hits"
    );
    let rows: Vec<(i64, i32, i64, i64, bool)> = tx
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
        .map(|(id, project_id, revision, updated_at, page_hits)| Claim {
            id,
            project_id,
            revision,
            updated_at,
            page_hits,
        })
        .collect())
}

/// The scores' statements (see [`Store::store_scores`]); returns the scored sessions'
/// tokens.
pub(super) async fn scores_tx(tx: &impl Tx, scores: &[ScoreWrite]) -> Result<Vec<String>, DbErr> {
    let now = now_ms();
    let mut tokens = Vec::with_capacity(scores.len());
    let mut deltas = rollups::RollupDeltas::default();
    // The row lock (PostgreSQL) keeps the roll-ups exact when a lease ran out and two
    // workers score one session; sessions in id order, so two commits never wait on each
    // other in a cycle.
    let lock = if tx.backend() == DbBackend::Postgres {
        " FOR UPDATE"
    } else {
        ""
    };
    let mut order: Vec<&ScoreWrite> = scores.iter().collect();
    order.sort_by_key(|s| s.session_id);
    for s in order {
        let before: Option<(i32, i64, i32, String)> = tx
            .one(
                &format!(
                    "SELECT project_id, created_at, score, detection_ids FROM sessions WHERE id = $1{lock}"
                ),
                vec![param(s.session_id)],
            )
            .await?;
        let Some((project, created_at, old_score, old_ids)) = before else {
            continue;
        };
        let ids = serde_json::to_string(&s.scored.detection_ids)
            .map_err(|e| DbErr::Custom(e.to_string()))?;
        let token: Option<(String,)> = tx.one(
            "UPDATE sessions SET score = $1, detection_ids = $2, reason = $3, scored_revision = $4, scored_at = $5, \
             claimed_until = NULL, pending = (revision <> $4), js_passed = $6, features = $7, findings = $8 WHERE id = $9 RETURNING token",
            vec![
                param(s.scored.score as i32),
                param(ids),
                param(s.scored.reason.as_str()),
                param(s.revision),
                param(now),
                param(s.js_passed),
                param(s.features.as_str()),
                param(s.findings.as_str()),
                param(s.session_id),
            ],
        )
        .await?;
        tokens.extend(token.map(|(t,)| t));
        let old_ids: Vec<u32> = serde_json::from_str(&old_ids).unwrap_or_default();
        let new_ids = &s.scored.detection_ids;
        deltas.moved(
            project,
            created_at,
            (old_score, &old_ids),
            (s.scored.score as i32, new_ids),
        );
        if old_ids != *new_ids {
            tx.exec(
                "DELETE FROM session_detections WHERE session_id = $1",
                vec![param(s.session_id)],
            )
            .await?;
            for id in new_ids {
                tx.exec(
                    "INSERT INTO session_detections (session_id, project_id, detection_id, created_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                    vec![
                        param(s.session_id),
                        param(project),
                        param(*id as i64),
                        param(created_at),
                    ],
                )
                .await?;
            }
        }
    }
    deltas.apply(tx).await?;
    Ok(tokens)
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
    /// Every engine's output (JSON array, `engines::findings_json`).
    pub findings: String,
}

#[derive(Debug, Clone, FromQueryResult)]
pub struct Claim {
    pub id: i64,
    pub project_id: i32,
    pub revision: i64,
    /// When the session's latest batch was stored (Unix ms): where its scoring lag starts.
    pub updated_at: i64,
    /// The site's backend reported page hits for the session (else they are not read).
    pub page_hits: bool,
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
    /// `domain::Channel` code.
    pub channel: i16,
    pub ja4: Option<String>,
}

/// A page hit as the scoring reads it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StoredPageHit {
    pub method: String,
    /// Comma-separated.
    pub header_names: String,
    /// Comma-separated.
    pub languages: String,
    pub ja4: Option<String>,
    pub observed_ip: Option<String>,
    pub observed_ip_inferred: Option<bool>,
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
    /// Page hits of the project in the hour up to the session's latest request, counted up
    /// to [`PAGE_HIT_COUNT_CAP`].
    pub project_page_hits_1h: i64,
}

/// Where counting the project's recent page hits stops (the engines' threshold).
pub const PAGE_HIT_COUNT_CAP: i64 = crate::engines::page_hits::PAGE_HITS_FLOWING as i64;

impl Store {
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

impl ScoringQueue for Store {
    /// Claims up to `limit` pending sessions for `lease_ms`. On PostgreSQL concurrent claimers
    /// skip each other's rows (`FOR UPDATE SKIP LOCKED`); a lease that runs out (crashed
    /// worker) makes the session claimable again.
    async fn claim_pending(&self, limit: u32, lease_ms: i64) -> Result<Vec<Claim>, DbErr> {
        if let Some(writer) = self.sqlite_writer() {
            return writer
                .submit(move |tx| {
                    futures::executor::block_on(claim_tx(tx, limit, lease_ms)).map(|c| (c, true))
                })
                .await;
        }
        let w = self.write().await?;
        let claims = claim_tx(&w, limit, lease_ms).await?;
        // A lease changes nothing a verdict reads.
        w.commit_as(Touched::Nothing).await?;
        Ok(claims)
    }

    async fn session_events(&self, session_id: i64) -> Result<Vec<StoredEvent>, DbErr> {
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
    async fn session_requests(&self, session_id: i64) -> Result<Vec<StoredRequest>, DbErr> {
        type Cols = (
            Option<String>,
            Option<String>,
            Option<String>,
            i32,
            i32,
            i64,
            i16,
            i16,
            Option<String>,
        );
        let rows: Vec<Cols> = self
            .read_all(
                "SELECT client_ip, ua_hash, ua_class, header_flags, events, created_at, integrity, channel, ja4 FROM ingest_requests \
                 WHERE session_id = $1 ORDER BY id",
                vec![param(session_id)],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    client_ip,
                    ua_hash,
                    ua_class,
                    header_flags,
                    events,
                    created_at,
                    integrity,
                    channel,
                    ja4,
                )| {
                    StoredRequest {
                        client_ip,
                        ua_hash,
                        ua_class,
                        header_flags,
                        events,
                        created_at,
                        integrity,
                        channel,
                        ja4,
                    }
                },
            )
            .collect())
    }

    /// The page hits the site's backend reported for the session, oldest first.
    async fn session_page_hits(&self, session_id: i64) -> Result<Vec<StoredPageHit>, DbErr> {
        type Cols = (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<bool>,
        );
        let rows: Vec<Cols> = self
            .read_all(
                "SELECT method, header_names, languages, ja4, observed_ip, observed_ip_inferred FROM page_hits \
                 WHERE session_id = $1 ORDER BY id",
                vec![param(session_id)],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(method, header_names, languages, ja4, observed_ip, observed_ip_inferred)| {
                    StoredPageHit {
                        method,
                        header_names,
                        languages,
                        ja4,
                        observed_ip,
                        observed_ip_inferred,
                    }
                },
            )
            .collect())
    }

    /// Request rates of the session and of `counted_address` (the core passes only an
    /// address per-address rates apply to) up to `at` (the session's latest request), and
    /// how many of the session's fingerprinted payloads another session of the project had
    /// sent before (the first sender is not the replayer).
    async fn session_traffic(
        &self,
        project_id: i32,
        session_id: i64,
        at: i64,
        counted_address: Option<&str>,
    ) -> Result<TrafficCounts, DbErr> {
        let minute = at - 60_000;
        // The session's own counts and its replayed payloads in one statement (on SQLite
        // every read is a hop to a reader thread).
        let session: Option<(i64, Option<i64>, i64, i64, i64)> = self
            .read_one(
                "SELECT s.n, s.events, r.n AS replayed, r.m AS replay_sessions, h.n AS page_hits FROM \
                 (SELECT COUNT(*) AS n, CAST(SUM(events) AS BIGINT) AS events FROM ingest_requests \
                  WHERE session_id = $1 AND created_at > $2 AND created_at <= $3) s CROSS JOIN \
                 (SELECT COUNT(DISTINCT o.payload_hash) AS n, COUNT(DISTINCT o.session_id) AS m \
                  FROM events e JOIN events o ON o.project_id = e.project_id AND o.payload_hash = e.payload_hash \
                  AND o.session_id <> e.session_id AND o.id < e.id \
                  WHERE e.session_id = $4 AND e.project_id = $5 AND e.payload_hash IS NOT NULL) r CROSS JOIN \
                 (SELECT COUNT(*) AS n FROM (SELECT 1 FROM page_hits WHERE project_id = $6 AND created_at > $7 AND created_at <= $8 LIMIT $9) p) h",
                vec![
                    param(session_id),
                    param(minute),
                    param(at),
                    param(session_id),
                    param(project_id),
                    param(project_id),
                    param(at - 3_600_000),
                    param(at),
                    param(PAGE_HIT_COUNT_CAP),
                ],
            )
            .await?;
        let mut out = TrafficCounts::default();
        if let Some((n, events, replayed, replay_sessions, page_hits)) = session {
            out.project_page_hits_1h = page_hits;
            out.session_requests_1m = n;
            out.session_events_1m = events.unwrap_or(0);
            out.replayed_payloads = replayed;
            out.replay_sessions = replay_sessions;
        }
        // Counting stops at a cap well above the thresholds, so a busy address (a NAT, a
        // proxy without X-Forwarded-For) costs a bounded scan per scoring, not one
        // proportional to its traffic.
        if let Some(ip) = counted_address {
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
        Ok(out)
    }

    /// Stores the scores of claimed sessions, each of its claim's `revision`, with what
    /// scoring derived for rules (`js_detection.passed`, the behavioral features as JSON); a
    /// session stays pending if events arrived since. One transaction (one fsync on SQLite)
    /// for the whole set.
    async fn store_scores(&self, scores: Vec<ScoreWrite>) -> Result<(), DbErr> {
        if scores.is_empty() {
            return Ok(());
        }
        if let Some(writer) = self.sqlite_writer() {
            let tokens = writer
                .submit(move |tx| {
                    futures::executor::block_on(scores_tx(tx, &scores)).map(|t| (t, true))
                })
                .await?;
            self.touched(&Touched::Sessions(tokens));
            return Ok(());
        }
        let w = self.write().await?;
        let tokens = scores_tx(&w, &scores).await?;
        w.commit_as(Touched::Sessions(tokens)).await
    }
}
