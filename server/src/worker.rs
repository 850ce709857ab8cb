//! Asynchronous scoring: a pool of tokio workers, each looping on the core's scoring use
//! case ([`Core::score_pending`]). Pending marks live in the database, so a restart (or
//! another process) picks up where this one left off.
use std::{sync::Arc, time::Duration};

use crate::core::Core;

pub use crate::core::queue::LEASE_MS;
/// Fallback poll when no wake-up arrives (SQLite restart, lost listener).
pub const POLL: Duration = Duration::from_millis(500);

/// Starts `n` workers; they run until the runtime shuts down. `n = 0` makes an
/// ingest/verdict-only process: its sessions are scored by other processes sharing the store.
pub fn spawn(core: Arc<Core>, n: usize) {
    if n == 0 {
        return;
    }
    core.listen_for_work();
    for i in 0..n {
        let core = core.clone();
        tokio::spawn(async move { run(core, i).await });
    }
}

async fn run(core: Arc<Core>, worker: usize) {
    loop {
        // Registered before the claim, so work announced while scoring is not missed.
        let announced = core.work_announced();
        if core.score_pending(worker).await == 0 {
            tokio::select! {
                _ = announced => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
    }
}
