//! The core's verdict and authentication use cases over the in-memory fake store
//! (`fake_store`): the cache's exactness, fail-open on store failures and stalls, the
//! subscription requirement, and credentials of the wrong kind.
use std::time::Duration;

use super::auth::{Principal, PrivateKey};
use super::fake_control_plane;
use super::fake_store::{FakeSession, FakeStore, core_over};
use super::{Core, CoreConfig, keys};
use crate::binding::{Credential, Requirement};
use crate::domain::{Action, Band, Credentials, RequestContext, VerdictOut};
use crate::error::ErrorCode;
use crate::store::{RuleRow, ScoringRow, TokenPrincipal, Touched, VerdictRow};

const PROJECT: i32 = 7;

fn core(store: FakeStore, verdict_timeout: Duration) -> Core<FakeStore> {
    let config = CoreConfig {
        verdict_timeout,
        ..CoreConfig::default()
    };
    core_over(store, config)
}

/// A project row for a private key (no session fields).
fn key_row(private_key: &str) -> VerdictRow {
    let settings = ScoringRow {
        project_id: PROJECT,
        enabled: true,
        site_key: None,
        allow_verified: true,
        protect_static: true,
        block_definite: true,
        challenge_likely: false,
        likely_bot_threshold: 50,
        challenge_difficulty: 0,
    };
    fake_control_plane::key_row(&settings, true, &keys::hash_secret(private_key))
}

fn session(score: i32) -> FakeSession {
    FakeSession {
        project_id: PROJECT,
        score,
        detection_ids: "[16777226]".into(),
        reason: format!("score {score}"),
    }
}

struct Fixture {
    core: Core<FakeStore>,
    private_key: String,
}

fn fixture(store: FakeStore) -> Fixture {
    let private_key = keys::new_private_key();
    store
        .keys
        .lock()
        .unwrap()
        .insert(keys::hash_secret(&private_key), key_row(&private_key));
    store
        .sessions
        .lock()
        .unwrap()
        .insert("sess_a".into(), session(90));
    store
        .sessions
        .lock()
        .unwrap()
        .insert("sess_b".into(), session(10));
    Fixture {
        core: core(store, Duration::from_millis(300)),
        private_key,
    }
}

impl Fixture {
    fn key(&self) -> PrivateKey {
        PrivateKey {
            hash: keys::hash_secret(&self.private_key),
            subscription: true,
        }
    }

    async fn read(&self, token: &str) -> VerdictOut {
        self.core
            .verdict(&self.key(), token, &RequestContext::default())
            .await
            .expect("verdict")
    }

    fn store(&self) -> &FakeStore {
        &self.core.store
    }
}

#[tokio::test]
async fn a_kept_verdict_is_served_until_a_commit_touches_it() {
    let f = fixture(FakeStore::with_stamps());
    let first = f.read("sess_a").await;
    assert_eq!((first.band, first.score), (Band::LikelyHuman, 90));
    assert_eq!(f.read("sess_a").await, first);
    assert_eq!(f.store().reads(), 1, "the second read came from memory");

    // Another session's new score leaves this entry alone.
    f.store()
        .commit(Touched::Sessions(vec!["sess_b".into()]), |s| {
            s.sessions
                .lock()
                .unwrap()
                .insert("sess_b".into(), session(12));
        });
    assert_eq!(f.read("sess_a").await, first);
    assert_eq!(f.store().reads(), 1);

    // This session's new score is what the next read returns.
    f.store()
        .commit(Touched::Sessions(vec!["sess_a".into()]), |s| {
            s.sessions
                .lock()
                .unwrap()
                .insert("sess_a".into(), session(1));
        });
    let v = f.read("sess_a").await;
    assert_eq!(
        (v.band, v.score, v.action),
        (Band::Definite, 1, Action::Block)
    );
    assert_eq!(f.store().reads(), 2);

    // A settings change (everything) applies to every session's next read.
    f.store().commit(Touched::Everything, |s| {
        for row in s.keys.lock().unwrap().values_mut() {
            row.block_definite = false;
        }
    });
    assert_eq!(f.read("sess_a").await.action, Action::Allow);
    assert_eq!(f.store().reads(), 3);
}

#[tokio::test]
async fn a_store_without_stamps_is_read_every_time() {
    let f = fixture(FakeStore::default());
    f.read("sess_a").await;
    f.read("sess_a").await;
    assert_eq!(f.store().reads(), 2);
}

#[tokio::test]
async fn rules_apply_at_the_version_the_row_carries() {
    let f = fixture(FakeStore::with_stamps());
    assert_eq!(f.read("sess_a").await.action, Action::Allow);
    let rule = RuleRow {
        id: 1,
        project_id: PROJECT,
        name: "everyone".into(),
        expression_source: "score >= 1".into(),
        action: "challenge".into(),
        is_active: true,
        sort_order: 1,
        created_at: 0,
        updated_at: 0,
    };
    f.store().commit(Touched::Everything, |s| {
        s.rules.lock().unwrap().insert(PROJECT, (1, vec![rule]));
        for row in s.keys.lock().unwrap().values_mut() {
            row.rules_version = 1;
        }
    });
    let v = f.read("sess_a").await;
    assert_eq!(v.action, Action::Challenge, "{v:?}");
    assert!(v.reason.starts_with("Rule \"everyone\" matched"), "{v:?}");
}

#[tokio::test]
async fn unknown_keys_are_refused_and_a_lapsed_subscription_is_402() {
    let f = fixture(FakeStore::with_stamps());
    let other = PrivateKey {
        hash: keys::hash_secret(&keys::new_private_key()),
        subscription: true,
    };
    let e = f
        .core
        .verdict(&other, "sess_a", &RequestContext::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::Unauthenticated);

    f.read("sess_a").await;
    f.store().commit(Touched::Everything, |s| {
        for row in s.keys.lock().unwrap().values_mut() {
            row.subscription_active = false;
        }
    });
    let e = f
        .core
        .verdict(&f.key(), "sess_a", &RequestContext::default())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NoActiveSubscription);
    // A method that does not list NO_ACTIVE_SUBSCRIPTION would not ask for it.
    let lenient = PrivateKey {
        subscription: false,
        ..f.key()
    };
    let v = f
        .core
        .verdict(&lenient, "sess_a", &RequestContext::default())
        .await
        .unwrap();
    assert_eq!(v.score, 90);
}

#[tokio::test]
async fn store_failures_and_stalls_fail_open_and_keep_nothing() {
    let f = fixture(FakeStore::with_stamps());
    f.store()
        .failing
        .store(true, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(f.read("sess_a").await, VerdictOut::fail_open());
    f.store()
        .failing
        .store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(f.read("sess_a").await.score, 90, "the failure was not kept");

    let stalled = FakeStore::with_stamps();
    *stalled.stall.lock().unwrap() = Duration::from_secs(30);
    let mut f = fixture(stalled);
    f.core.config.verdict_timeout = Duration::from_millis(50);
    let started = std::time::Instant::now();
    assert_eq!(f.read("sess_b").await, VerdictOut::fail_open());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the deadline did not bound the read: {:?}",
        started.elapsed()
    );
    assert!(f.core.verdict_cache.is_empty());
}

fn account(token: &str, subscription_active: bool) -> TokenPrincipal {
    TokenPrincipal {
        token_id: 1,
        user_id: 2,
        account_id: 3,
        role: "owner".into(),
        subscription_active,
        token_hash: keys::hash_secret(token),
        plan: "free".into(),
        features: None,
        last_used_at: None,
    }
}

fn bearer(token: &str) -> Credentials {
    Credentials {
        authorization: Some(format!("Bearer {token}")),
        ..Credentials::default()
    }
}

const ACCOUNT: Requirement = Requirement {
    credential: Credential::AccountToken,
    subscription: false,
    mutating: false,
};
const SUBSCRIBED: Requirement = Requirement {
    credential: Credential::AccountToken,
    subscription: true,
    mutating: false,
};

#[tokio::test]
async fn the_requirement_decides_what_authenticates() {
    let store = FakeStore::default();
    let token = keys::new_account_token();
    store
        .tokens
        .lock()
        .unwrap()
        .insert(keys::hash_secret(&token), account(&token, false));
    let core = core(store, Duration::from_millis(300));

    let p = core.authenticate(ACCOUNT, &bearer(&token), None).await;
    assert_eq!(p.unwrap().account().unwrap().account_id, 3);
    let e = core
        .authenticate(SUBSCRIBED, &bearer(&token), None)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NoActiveSubscription);
    // Unknown (or revoked) token; a key of another kind as the bearer.
    for creds in [
        bearer(&keys::new_account_token()),
        bearer(&keys::new_site_key()),
        bearer(&keys::new_private_key()),
        Credentials::default(),
    ] {
        let e = core.authenticate(ACCOUNT, &creds, None).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Unauthenticated, "{creds:?}");
    }
    // A token never passes for a key, a key of one kind never for the other.
    let site = Requirement {
        credential: Credential::SiteKey,
        subscription: true,
        mutating: false,
    };
    let private = Requirement {
        credential: Credential::PrivateKey,
        subscription: true,
        mutating: false,
    };
    for (need, creds) in [
        (site, bearer(&token)),
        (private, bearer(&token)),
        (
            private,
            Credentials {
                site_key: Some(keys::new_site_key()),
                ..Credentials::default()
            },
        ),
    ] {
        let e = core.authenticate(need, &creds, None).await.unwrap_err();
        assert_eq!(e.code, ErrorCode::Unauthenticated, "{need:?} {creds:?}");
    }
    // The site key may come from the body; the header wins.
    let body_key = keys::new_site_key();
    let p = core
        .authenticate(site, &Credentials::default(), Some(&body_key))
        .await
        .unwrap();
    assert_eq!(p.site_key().unwrap().key, body_key);
    // A method handed a principal of another kind is a server bug, not the caller's.
    let e = Principal::Anonymous.account().unwrap_err();
    assert_eq!(e.code, ErrorCode::Internal);
}

#[tokio::test]
async fn a_token_use_is_recorded_at_most_once_a_minute() {
    let store = FakeStore::default();
    let token = keys::new_account_token();
    store
        .tokens
        .lock()
        .unwrap()
        .insert(keys::hash_secret(&token), account(&token, true));
    let core = core(store, Duration::from_millis(300));
    for _ in 0..5 {
        core.authenticate(ACCOUNT, &bearer(&token), None)
            .await
            .unwrap();
    }
    let uses = core.store.token_uses.lock().unwrap().clone();
    assert_eq!(uses.len(), 1, "{uses:?}");
    assert_eq!(uses[0].0, 1);
    // A recorded use a minute old is recorded again on the next request.
    let minute_ago = uses[0].1 - crate::core::auth::TOKEN_USE_RESOLUTION_MS;
    for p in core.store.tokens.lock().unwrap().values_mut() {
        p.last_used_at = Some(minute_ago);
    }
    core.authenticate(ACCOUNT, &bearer(&token), None)
        .await
        .unwrap();
    assert_eq!(core.store.token_uses.lock().unwrap().len(), 2);
    // A failed authentication records nothing.
    let _ = core
        .authenticate(ACCOUNT, &bearer(&keys::new_account_token()), None)
        .await;
    assert_eq!(core.store.token_uses.lock().unwrap().len(), 2);
}
