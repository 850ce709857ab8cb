//! Asynchronous scoring: a pool of tokio workers claims pending sessions from the store,
//! runs the pure scorer on all of a session's events and stores the result. Pending marks
//! live in the database, so a restart (or another process) picks up where this one left off.
use std::{sync::Arc, time::Duration};

use serde_json::{Map, Value};

use crate::{
    core::{
        Core,
        scoring::{self, RequestFacts, Traffic},
    },
    domain::EventKind,
    engines::UaClass,
    store::{Claim, ScoreWrite, StoredRequest, TrafficCounts},
};

/// How long a claim is held before another worker may take the session over.
pub const LEASE_MS: i64 = 30_000;
/// Fallback poll when no wake-up arrives (SQLite restart, lost listener).
pub const POLL: Duration = Duration::from_millis(500);
const BATCH: u32 = 16;

/// Starts `n` workers; they run until the runtime shuts down. `n = 0` makes an
/// ingest/verdict-only process: its sessions are scored by other processes sharing the store.
pub fn spawn(core: Arc<Core>, n: usize) {
    if n == 0 {
        return;
    }
    core.store.spawn_listener(core.feed.clone());
    for i in 0..n {
        let core = core.clone();
        tokio::spawn(async move { run(core, i).await });
    }
}

async fn run(core: Arc<Core>, worker: usize) {
    loop {
        let notified = core.feed.pending.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        match core.store.claim_pending(BATCH, LEASE_MS).await {
            Ok(claims) if !claims.is_empty() => {
                let mut scores = Vec::with_capacity(claims.len());
                for claim in claims {
                    match score_one(&core, &claim).await {
                        Ok(s) => scores.push(s),
                        Err(e) => {
                            tracing::warn!(worker, session = claim.id, error = %e, "scoring failed; will retry after the lease")
                        }
                    }
                }
                // One commit for the claimed set: on SQLite every commit is an fsync.
                let n = scores.len();
                if let Err(e) = core.store.store_scores(scores).await {
                    tracing::warn!(worker, sessions = n, error = %e, "storing scores failed; will retry after the lease");
                }
                continue;
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(worker, error = %e, "cannot claim pending sessions"),
        }
        tokio::select! {
            _ = &mut notified => {}
            _ = tokio::time::sleep(POLL) => {}
        }
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
    }
}

/// Loads everything the engines read about a session and scores it.
/// Rates are counted up to the session's latest request, so a late (re)scoring judges the
/// same traffic as a prompt one.
async fn score_one(core: &Core, claim: &Claim) -> Result<ScoreWrite, sea_orm::DbErr> {
    let events = core.store.session_events(claim.id).await?;
    let requests = core.store.session_requests(claim.id).await?;
    let latest = requests.last();
    let at = latest.map_or_else(crate::store::now_ms, |r| r.created_at);
    let ip = latest.and_then(|r| r.client_ip.clone());
    let counts = core
        .store
        .session_traffic(claim.project_id, claim.id, at, ip.as_deref())
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
    let a = scoring::assess(parsed.iter().map(|(k, p)| (*k, p)), &facts, &traffic);
    Ok(ScoreWrite {
        session_id: claim.id,
        revision: claim.revision,
        scored: a.scored,
        js_passed: a.js_passed,
        features: a.features.to_string(),
    })
}
