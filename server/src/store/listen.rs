//! Cross-process wake-ups on PostgreSQL (`LISTEN botect_pending`): an ingest on any process
//! wakes the scoring workers of every process at once. SQLite (one process) and a lost
//! listener connection fall back to the workers' periodic poll, so no wake-up is ever needed
//! for correctness, only for latency.
use std::{sync::Arc, time::Duration};

use sea_orm::{DbBackend, sqlx::postgres::PgListener};
use tokio::sync::Notify;

use super::Store;

pub const PENDING_CHANNEL: &str = "botect_pending";

/// Wakes local waiters when any process announces pending work.
#[derive(Clone, Default)]
pub struct ChangeFeed {
    pub pending: Arc<Notify>,
}

impl Store {
    /// Starts the listener task (PostgreSQL only) that forwards notifications to `feed`.
    pub fn spawn_listener(&self, feed: ChangeFeed) {
        if self.backend() != DbBackend::Postgres {
            return;
        }
        let pool = self.connection().get_postgres_connection_pool().clone();
        tokio::spawn(async move {
            loop {
                match PgListener::connect_with(&pool).await {
                    Ok(mut listener) => {
                        if let Err(e) = listener.listen(PENDING_CHANNEL).await {
                            tracing::warn!(error = %e, "LISTEN failed");
                        } else {
                            loop {
                                match listener.recv().await {
                                    Ok(_) => feed.pending.notify_waiters(),
                                    Err(e) => {
                                        tracing::warn!(error = %e, "notification listener lost its connection");
                                        break;
                                    }
                                }
                            }
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "cannot start the notification listener"),
                }
                // Anything missed while reconnecting is found by the workers' poll.
                feed.pending.notify_waiters();
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        });
    }
}
