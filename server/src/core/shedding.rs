//! Overload shedding on the ingest write path (docs/operations.md#overload).
//!
//! At most `max_pending` batches are on the write path at once: looking up their site key,
//! waiting for the store or being written. A batch beyond that bound is shed at once: nothing
//! is stored and the caller hears so (REST `204`, gRPC `shed: true`); the browser SDK does
//! not retry it. Shedding is never a 429 and never a 5xx, so it cannot trigger the retry
//! storms that would keep the store saturated. Verdict reads are not gated: they fail open
//! within their own deadline.
use std::sync::{
    Arc,
    atomic::{AtomicI64, AtomicU64, Ordering},
};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// How often the "shedding" warning is logged while overload lasts.
const LOG_EVERY_MS: i64 = 10_000;

/// The bound on batches in flight, and the count of those shed.
pub struct IngestGate {
    permits: Arc<Semaphore>,
    max_pending: usize,
    shed_total: AtomicU64,
    /// When the warning was last logged (ms since the epoch), and the total at that time.
    last_log_ms: AtomicI64,
    logged_total: AtomicU64,
}

impl IngestGate {
    /// A gate admitting `max_pending` batches at once (at least one).
    pub fn new(max_pending: usize) -> IngestGate {
        let max_pending = max_pending.max(1);
        IngestGate {
            permits: Arc::new(Semaphore::new(max_pending)),
            max_pending,
            shed_total: AtomicU64::new(0),
            last_log_ms: AtomicI64::new(i64::MIN),
            logged_total: AtomicU64::new(0),
        }
    }

    /// A place on the write path, held until the batch is answered; `None` when all
    /// `max_pending` are taken: the batch is shed, counted, and (at most every 10 s) logged.
    pub fn admit(&self) -> Option<OwnedSemaphorePermit> {
        if let Ok(p) = self.permits.clone().try_acquire_owned() {
            return Some(p);
        }
        let total = self.shed_total.fetch_add(1, Ordering::Relaxed) + 1;
        let now = chrono::Utc::now().timestamp_millis();
        let last = self.last_log_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= LOG_EVERY_MS
            && self
                .last_log_ms
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            let before = self.logged_total.swap(total, Ordering::Relaxed);
            tracing::warn!(
                max_pending = self.max_pending,
                shed_since_last_report = total - before,
                shed_total = total,
                "ingest overloaded: shedding batches (204, nothing stored)"
            );
        }
        None
    }

    /// Batches shed since the process started.
    pub fn shed_total(&self) -> u64 {
        self.shed_total.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_bound_then_sheds_and_counts() {
        let gate = IngestGate::new(2);
        let a = gate.admit().expect("first place");
        let b = gate.admit().expect("second place");
        assert!(gate.admit().is_none());
        assert!(gate.admit().is_none());
        assert_eq!(gate.shed_total(), 2);
        drop(a);
        let c = gate.admit().expect("a place freed by an answered batch");
        assert!(gate.admit().is_none());
        assert_eq!(gate.shed_total(), 3);
        drop((b, c));
    }

    #[test]
    fn a_zero_bound_still_admits_one() {
        let gate = IngestGate::new(0);
        let a = gate.admit();
        assert!(a.is_some());
        assert!(gate.admit().is_none());
    }
}
