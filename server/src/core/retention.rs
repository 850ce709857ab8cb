//! Retention: sessions last seen more than `--retention-days` ago are deleted with their
//! events, ingest requests, detections, labels and challenge redemptions, a few hundred per
//! transaction, and paced: after each transaction the purge waits four times as long as the
//! transaction took, so it holds the (SQLite) writer at most a fifth of the time and ingest
//! keeps most of it. The hourly roll-ups (stats) are kept, so purged days keep their numbers.
use std::{sync::Arc, time::Duration};

use super::Core;
use crate::store::{RetentionWrites, now_ms};

/// The documented default of `--retention-days`.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// Sessions deleted per transaction.
pub const PURGE_BATCH: u32 = 200;
/// The shortest pause between two transactions.
const MIN_PAUSE: Duration = Duration::from_millis(20);
/// The pause after a transaction, as a multiple of the time it took.
const PAUSE_FACTOR: u32 = 4;
/// How often the purge runs (and once at start).
const EVERY: Duration = Duration::from_secs(600);

const DAY_MS: i64 = 24 * 3_600_000;

/// Written against [`RetentionWrites`].
impl<S: RetentionWrites> Core<S> {
    /// Deletes every session last seen before `cutoff` (Unix ms), batch by batch; returns how
    /// many. Sessions waiting for scoring are left for the next run.
    pub async fn purge_sessions_before(&self, cutoff: i64) -> Result<u64, sea_orm::DbErr> {
        let mut total = 0;
        loop {
            let started = std::time::Instant::now();
            let n = self.store.purge_sessions(cutoff, PURGE_BATCH).await?;
            total += n;
            if n < u64::from(PURGE_BATCH) {
                return Ok(total);
            }
            tokio::time::sleep((started.elapsed() * PAUSE_FACTOR).max(MIN_PAUSE)).await;
        }
    }
}

/// The retention loop of `botect serve`.
pub async fn run(core: Arc<Core>, days: u32) {
    loop {
        let cutoff = now_ms() - i64::from(days) * DAY_MS;
        match core.purge_sessions_before(cutoff).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(sessions = n, days, "retention purged old sessions"),
            Err(e) => tracing::warn!(error = %e, "retention purge failed; retrying later"),
        }
        tokio::time::sleep(EVERY).await;
    }
}
