//! The scoring queue's use cases, as the workers and the server's maintenance loops call
//! them: claim pending sessions, score each from everything stored about it, store the
//! scores in one commit; wait for new work; and the store's housekeeping and health probe.
use std::time::Duration;

use serde_json::{Map, Value};

use super::{
    Core,
    scoring::{self, PageHitFacts, RequestFacts, Traffic},
};
use crate::{
    domain::{Channel, EventKind},
    engines::UaClass,
    metrics,
    store::{Claim, ScoreWrite, ScoringQueue, StoredPageHit, StoredRequest, TrafficCounts},
};

/// How long a claim is held before another worker may take the session over.
pub const LEASE_MS: i64 = 30_000;
/// Sessions claimed at once by one worker (scored, then stored in one commit).
const BATCH: u32 = 16;
/// Longest a health probe may take before it counts as failed.
const PROBE_BOUND: Duration = Duration::from_secs(2);

impl Core {
    /// Starts listening for other processes' new work (PostgreSQL `LISTEN`; nothing on
    /// SQLite, where one process writes).
    pub fn listen_for_work(&self) {
        self.store.spawn_listener(self.feed.clone());
    }

    /// Resolves once new work is announced (an ingest in this process, or another
    /// process's notification) after this call: the registration happens here, not when
    /// the future is first polled, so work announced meanwhile is not missed.
    pub fn work_announced(&self) -> impl std::future::Future<Output = ()> + '_ {
        let mut notified = Box::pin(self.feed.pending.notified());
        notified.as_mut().enable();
        notified
    }

    /// Drops idempotency records and challenge redemptions past their windows.
    pub async fn purge_expired(&self) {
        if let Err(e) = self.store.purge_idempotency().await {
            tracing::warn!(error = %e, "idempotency purge failed");
        }
        if let Err(e) = self.store.purge_challenge_uses().await {
            tracing::warn!(error = %e, "challenge purge failed");
        }
    }

    /// Probes the store (bounded by 2 s) and records the answer for [`Core::is_ready`];
    /// returns the probe's error, if any.
    pub async fn check_health(&self) -> Result<(), String> {
        let probe = match tokio::time::timeout(PROBE_BOUND, self.store.probe()).await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err(format!("timed out after {PROBE_BOUND:?}")),
        };
        self.ready
            .store(probe.is_ok(), std::sync::atomic::Ordering::Relaxed);
        probe
    }

    /// Sessions waiting for scoring (the metrics' queue depth).
    pub async fn queue_depth(&self) -> Result<i64, sea_orm::DbErr> {
        self.store.pending_count().await
    }

    /// Whether the store's last health probe passed (`/readyz`, gRPC health).
    pub fn is_ready(&self) -> bool {
        self.ready.load(std::sync::atomic::Ordering::Relaxed)
    }
}

/// The stored facts of an ingest request, as the heuristics engine reads them.
fn request_facts(r: &StoredRequest) -> RequestFacts {
    RequestFacts {
        client_ip: r.client_ip.as_deref().and_then(|ip| ip.parse().ok()),
        ua_hash: r.ua_hash.clone(),
        ua_class: r
            .ua_class
            .as_deref()
            .and_then(|c| c.parse().ok())
            .unwrap_or(UaClass::Other),
        header_flags: r.header_flags as u32,
        integrity: crate::integrity::Outcome::from_code(r.integrity),
        relayed: Channel::from_code(r.channel) == Channel::Relay,
        ja4: r.ja4.clone(),
    }
}

/// A stored page hit, as the engines read it (an inferred address is no address).
fn page_hit_facts(h: &StoredPageHit) -> PageHitFacts {
    let list = |s: &str| {
        s.split(',')
            .filter(|x| !x.is_empty())
            .map(str::to_string)
            .collect()
    };
    PageHitFacts {
        method: h.method.clone(),
        header_names: list(&h.header_names),
        languages: list(&h.languages),
        ip: h
            .observed_ip
            .as_deref()
            .filter(|_| h.observed_ip_inferred != Some(true))
            .and_then(|ip| ip.parse().ok()),
        ja4: h.ja4.clone(),
    }
}

fn traffic(counts: &TrafficCounts, ip: Option<std::net::IpAddr>) -> Traffic {
    let n = |v: i64| v.clamp(0, u32::MAX as i64) as u32;
    Traffic {
        session_requests_1m: n(counts.session_requests_1m),
        session_events_1m: n(counts.session_events_1m),
        ip,
        ip_sessions_10m: n(counts.ip_sessions_10m),
        ip_requests_1m: n(counts.ip_requests_1m),
        replayed_payloads: n(counts.replayed_payloads),
        replay_sessions: n(counts.replay_sessions),
        project_page_hits_1h: n(counts.project_page_hits_1h),
    }
}

/// Scoring: written against [`ScoringQueue`] (unit-tested over `fake_store`).
impl<S: ScoringQueue> Core<S> {
    /// Claims up to a batch of pending sessions, scores them and stores the scores in one
    /// commit (on SQLite every commit is an fsync). Returns how many sessions were claimed;
    /// 0 means the queue was empty (or could not be read). A session that fails is retried
    /// once its lease runs out.
    pub async fn score_pending(&self, worker: usize) -> usize {
        let claims = match self.store.claim_pending(BATCH, LEASE_MS).await {
            Ok(c) => c,
            Err(e) => {
                metrics::store_error("claim");
                tracing::warn!(worker, error = %e, "cannot claim pending sessions");
                return 0;
            }
        };
        let mut scores = Vec::with_capacity(claims.len());
        for claim in &claims {
            match self.score_one(claim).await {
                Ok(s) => scores.push(s),
                Err(e) => {
                    metrics::store_error("scoring_read");
                    tracing::warn!(worker, session = claim.id, error = %e, "scoring failed; will retry after the lease")
                }
            }
        }
        let n = scores.len();
        let scored: Vec<i64> = scores.iter().map(|s| s.session_id).collect();
        if n > 0 {
            match self.store.store_scores(scores).await {
                Ok(()) => {
                    let now = crate::store::now_ms();
                    for c in claims.iter().filter(|c| scored.contains(&c.id)) {
                        let lag_ms = (now - c.updated_at).max(0) as u64;
                        metrics::scoring_lag(Duration::from_millis(lag_ms));
                    }
                }
                Err(e) => {
                    metrics::store_error("store_scores");
                    tracing::warn!(worker, sessions = n, error = %e, "storing scores failed; will retry after the lease");
                }
            }
        }
        claims.len()
    }

    /// Loads everything the engines read about a session and scores it. Rates are counted
    /// up to the session's latest request, so a late (re)scoring judges the same traffic as
    /// a prompt one.
    async fn score_one(&self, claim: &Claim) -> Result<ScoreWrite, sea_orm::DbErr> {
        let events = self.store.session_events(claim.id).await?;
        let requests = self.store.session_requests(claim.id).await?;
        // Most sessions have none: the claim says so, and the read is saved.
        let page_hits: Vec<PageHitFacts> = if claim.page_hits {
            self.store
                .session_page_hits(claim.id)
                .await?
                .iter()
                .map(page_hit_facts)
                .collect()
        } else {
            Vec::new()
        };
        let latest = requests.last();
        let at = latest.map_or_else(crate::store::now_ms, |r| r.created_at);
        let ip = latest.and_then(|r| r.client_ip.clone());
        // Only public addresses are rate-limited: elsewhere the counts would not be read,
        // so the store is not asked for them.
        let counted = ip.as_deref().filter(|ip| {
            ip.parse()
                .is_ok_and(crate::domain::address::rate_limited_address)
        });
        let counts = self
            .store
            .session_traffic(claim.project_id, claim.id, at, counted)
            .await?;
        let facts: Vec<RequestFacts> = requests.iter().map(request_facts).collect();
        let traffic = traffic(&counts, ip.as_deref().and_then(|ip| ip.parse().ok()));
        let parsed: Vec<(EventKind, Map<String, Value>)> = events
            .iter()
            .filter_map(|e| {
                let kind = EventKind::parse(&e.event_type)?;
                let payload = serde_json::from_str::<Map<String, Value>>(&e.payload).ok()?;
                Some((kind, payload))
            })
            .collect();
        let a = scoring::assess(
            parsed.iter().map(|(k, p)| (*k, p)),
            &facts,
            &page_hits,
            &traffic,
        );
        Ok(ScoreWrite {
            session_id: claim.id,
            revision: claim.revision,
            scored: a.scored,
            js_passed: a.js_passed,
            features: a.features.to_string(),
            findings: crate::engines::findings_json(&a.engines),
        })
    }
}
