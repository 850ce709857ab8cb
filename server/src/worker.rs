//! Asynchronous scoring: a pool of tokio workers claims pending sessions from the store,
//! runs the pure scorer on all of a session's events and stores the result. Pending marks
//! live in the database, so a restart (or another process) picks up where this one left off.
use std::{sync::Arc, time::Duration};

use serde_json::{Map, Value};

use crate::{
    core::{Core, model::EventKind, scoring},
    store::Claim,
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
                for claim in claims {
                    if let Err(e) = score_one(&core, &claim).await {
                        tracing::warn!(worker, session = claim.id, error = %e, "scoring failed; will retry after the lease");
                    }
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

async fn score_one(core: &Core, claim: &Claim) -> Result<(), sea_orm::DbErr> {
    let events = core.store.session_events(claim.id).await?;
    let parsed: Vec<(EventKind, Map<String, Value>)> = events
        .iter()
        .filter_map(|e| {
            let kind = EventKind::parse(&e.event_type)?;
            let payload = serde_json::from_str::<Map<String, Value>>(&e.payload).ok()?;
            Some((kind, payload))
        })
        .collect();
    let scored = scoring::score(&scoring::signals(parsed.iter().map(|(k, p)| (*k, p))));
    core.store.store_score(claim, &scored).await
}
