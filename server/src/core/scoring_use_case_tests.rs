//! The core's scoring use case over the in-memory fake store (`fake_store`): what a claimed
//! session is scored from, one commit per batch, per-address counts only for public
//! addresses, and a session that cannot be read left to its lease.
use super::Core;
use super::fake_store::{FakeStore, core_over};
use crate::store::{Claim, StoredEvent, StoredRequest};

fn core(store: FakeStore) -> Core<FakeStore> {
    core_over(store, super::CoreConfig::default())
}

fn event(kind: &str, payload: &str) -> StoredEvent {
    StoredEvent {
        event_type: kind.into(),
        payload: payload.into(),
    }
}

fn request(ip: &str) -> StoredRequest {
    StoredRequest {
        client_ip: Some(ip.into()),
        ua_hash: None,
        ua_class: Some("browser/chromium/131".into()),
        header_flags: 0,
        events: 1,
        created_at: 1_000,
        integrity: 0,
        channel: 0,
        ja4: None,
    }
}

/// Two pending sessions: 1 headless from a public address, 2 plain from a private one.
fn store() -> FakeStore {
    let s = FakeStore::default();
    *s.pending.lock().unwrap() = vec![
        Claim {
            id: 1,
            project_id: 5,
            revision: 3,
            updated_at: 0,
            page_hits: false,
        },
        Claim {
            id: 2,
            project_id: 5,
            revision: 1,
            updated_at: 0,
            page_hits: false,
        },
    ];
    s.events.lock().unwrap().extend([
        (1, vec![event("js_probe", r#"{"webdriver": true}"#)]),
        (2, vec![event("scroll", r#"{"scroll_velocity": 1.5}"#)]),
    ]);
    s.requests.lock().unwrap().extend([
        (1, vec![request("203.0.113.9")]),
        (2, vec![request("10.1.2.3")]),
    ]);
    s
}

#[tokio::test]
async fn claimed_sessions_are_scored_and_stored_in_one_commit() {
    let core = core(store());
    assert_eq!(core.score_pending(0).await, 2);
    let commits = core.store.commits.lock().unwrap().clone();
    assert_eq!(commits.len(), 1, "one commit for the batch");
    let by_id = |id| commits[0].iter().find(|s| s.session_id == id).unwrap();
    let (headless, plain) = (by_id(1), by_id(2));
    assert_eq!((headless.revision, plain.revision), (3, 1));
    assert_eq!(headless.scored.score, 1, "{:?}", headless.scored);
    assert!(
        headless
            .scored
            .reason
            .starts_with("Headless automation signature"),
        "{:?}",
        headless.scored
    );
    assert!(plain.scored.score > 1, "{:?}", plain.scored);
    assert_eq!(core.score_pending(0).await, 0, "the queue is empty");
}

#[tokio::test]
async fn per_address_counts_are_asked_only_for_public_addresses() {
    let core = core(store());
    core.score_pending(0).await;
    let mut counted = core.store.counted.lock().unwrap().clone();
    counted.sort();
    assert_eq!(counted, vec![None, Some("203.0.113.9".to_string())]);
}

#[tokio::test]
async fn a_session_that_cannot_be_read_is_left_to_its_lease() {
    let s = store();
    *s.unreadable.lock().unwrap() = Some(1);
    let core = core(s);
    assert_eq!(core.score_pending(0).await, 2, "both were claimed");
    let commits = core.store.commits.lock().unwrap();
    let ids: Vec<i64> = commits[0].iter().map(|s| s.session_id).collect();
    assert_eq!(ids, vec![2], "only the readable one is stored");
}
