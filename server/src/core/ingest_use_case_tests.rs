//! The core's ingest use case over the in-memory fake store (`fake_store`): the order of the
//! checks (shape, overload gate, site key, batch), shedding, the subscription, idempotency,
//! a store that stalls or loses the project, and what is handed to the store.
use std::{sync::Arc, time::Duration};

use serde_json::json;

use super::auth::SiteKey;
use super::fake_store::{FakeStore, core_over};
use super::{ClientInfo, Core, CoreConfig, Ingested, keys};
use crate::domain::{EventKind, IncomingBatch, IncomingEvent};
use crate::error::ErrorCode;
use crate::store::SiteKeyPrincipal;

fn core(store: FakeStore, config: CoreConfig) -> Arc<Core<FakeStore>> {
    Arc::new(core_over(store, config))
}

/// A store with one enabled site key; its key.
fn store_with_key(subscription_active: bool) -> (FakeStore, SiteKey) {
    let store = FakeStore::default();
    let key = keys::new_site_key();
    store.site_keys.lock().unwrap().insert(
        key.clone(),
        SiteKeyPrincipal {
            project_id: 4,
            account_id: 2,
            subscription_active,
            monthly_event_quota: None,
            challenge_difficulty: 0,
        },
    );
    (
        store,
        SiteKey {
            key,
            subscription: true,
        },
    )
}

fn batch(n: usize) -> IncomingBatch {
    IncomingBatch {
        session_token: None,
        events: (0..n)
            .map(|i| IncomingEvent {
                request_id: format!("req-{i}"),
                kind: Some(EventKind::Scroll),
                received_at: "2026-12-01T00:00:00Z".into(),
                payload: json!({"scroll_velocity": 1.5}).as_object().unwrap().clone(),
            })
            .collect(),
        site_key: None,
        integrity: None,
    }
}

async fn ingest(
    core: &Core<FakeStore>,
    key: &SiteKey,
    idem: Option<&str>,
    b: IncomingBatch,
) -> crate::error::ApiResult<Ingested> {
    core.ingest(key, idem, b, &ClientInfo::default()).await
}

#[tokio::test]
async fn a_batch_reaches_the_store_as_the_caller_sent_it() {
    let (store, key) = store_with_key(true);
    let core = core(store, CoreConfig::default());
    let mut b = batch(3);
    // A session token of another shape is not the caller's session: a new one is minted.
    b.session_token = Some("not-a-session".into());
    let Ingested::Stored(r) = ingest(&core, &key, None, b).await.unwrap() else {
        panic!("shed")
    };
    assert!(r.session_token.starts_with(keys::SESSION_PREFIX));
    assert_eq!(r.accepted, 3);
    let batches = core.store.batches.lock().unwrap();
    let w = &batches[0];
    assert_eq!((w.project_id, w.account_id), (4, 2));
    assert_eq!(w.events.len(), 3);
    assert_eq!(w.events[0].event_type, "scroll");
    assert_eq!(w.events[0].payload, r#"{"scroll_velocity":1.5}"#);
    assert!(w.idempotency.is_none() && w.redeem.is_none());
}

#[tokio::test]
async fn refusals_name_their_cause_and_store_nothing() {
    let (store, key) = store_with_key(false);
    let core = core(store, CoreConfig::default());
    let e = ingest(&core, &key, None, batch(1)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NoActiveSubscription);
    let unknown = SiteKey {
        key: keys::new_site_key(),
        subscription: true,
    };
    let e = ingest(&core, &unknown, None, batch(1)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthenticated);

    let (store, key) = store_with_key(true);
    let core = self::core(store, CoreConfig::default());
    let e = ingest(&core, &key, None, batch(0)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidPayload);
    let e = ingest(&core, &key, Some("bad\u{7}key"), batch(1))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidPayload);
    assert_eq!(e.to_json()["details"]["field"], "Idempotency-Key");
    assert!(core.store.batches.lock().unwrap().is_empty());
}

#[tokio::test]
async fn an_idempotency_key_replays_its_batch_and_refuses_another() {
    let (store, key) = store_with_key(true);
    let core = core(store, CoreConfig::default());
    let first = ingest(&core, &key, Some("k1"), batch(2)).await.unwrap();
    let again = ingest(&core, &key, Some("k1"), batch(2)).await.unwrap();
    assert_eq!(first, again);
    let e = ingest(&core, &key, Some("k1"), batch(3)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::IdempotencyKeyReused);
    assert_eq!(core.store.batches.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn beyond_the_gate_a_batch_is_shed_but_bad_input_still_refused() {
    let (store, key) = store_with_key(true);
    *store.stall.lock().unwrap() = Duration::from_millis(500);
    let core = core(
        store,
        CoreConfig {
            max_pending_ingest: 1,
            ..CoreConfig::default()
        },
    );
    let busy = {
        let (core, key) = (core.clone(), key.clone());
        tokio::spawn(async move { ingest(&core, &key, None, batch(1)).await })
    };
    // Wait until the first batch holds the only place.
    while core.store.batches.lock().unwrap().is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        ingest(&core, &key, None, batch(1)).await.unwrap(),
        Ingested::Shed
    );
    let e = ingest(&core, &key, None, batch(0)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidPayload);
    assert!(matches!(busy.await.unwrap(), Ok(Ingested::Stored(_))));
    assert_eq!(core.store.batches.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_stalled_store_is_503_and_a_lost_project_401() {
    let (store, key) = store_with_key(true);
    *store.stall.lock().unwrap() = Duration::from_secs(30);
    let core = core(
        store,
        CoreConfig {
            ingest_timeout: Duration::from_millis(50),
            ..CoreConfig::default()
        },
    );
    let e = ingest(&core, &key, Some("k"), batch(1)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unavailable);

    let (store, key) = store_with_key(true);
    store.gone.store(true, std::sync::atomic::Ordering::SeqCst);
    let core = self::core(store, CoreConfig::default());
    let e = ingest(&core, &key, None, batch(1)).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthenticated);
}
