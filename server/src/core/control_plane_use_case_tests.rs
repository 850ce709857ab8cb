//! The control plane's use cases over the in-memory fake store (`fake_store`,
//! `fake_control_plane`): tenancy (another account's project is 403 and stays as it was, a
//! missing one 404), validation before any write, keys minted by the core with only the
//! private key's hash reaching the store, rotation as the verdict side sees it, and rules
//! checked at save time.
use super::auth::PrivateKey;
use super::fake_store::{FakeStore, core_over};
use super::project_rules::RuleChange;
use super::{Core, CoreConfig, KeyType, keys};
use crate::domain::{Action, RequestContext, SettingsPatch};
use crate::error::{ApiError, ErrorCode};
use crate::store::TokenPrincipal;

struct Fixture {
    core: Core<FakeStore>,
    alice: TokenPrincipal,
    bob: TokenPrincipal,
}

fn principal(account_id: i32, user_id: i32) -> TokenPrincipal {
    TokenPrincipal {
        token_id: user_id,
        user_id,
        account_id,
        role: "owner".into(),
        subscription_active: true,
        token_hash: keys::hash_secret(&format!("bt_token-of-user-{user_id}")),
        plan: "free".into(),
        features: None,
        last_used_at: None,
    }
}

fn fixture() -> Fixture {
    let store = FakeStore::with_stamps();
    let (a, ua) = store.add_account("Alice");
    let (b, ub) = store.add_account("Bob");
    Fixture {
        core: core_over(store, CoreConfig::default()),
        alice: principal(a, ua),
        bob: principal(b, ub),
    }
}

fn field(e: &ApiError) -> Option<&str> {
    e.details
        .iter()
        .find(|(k, _)| k == "field")
        .map(|(_, v)| v.as_str())
}

fn invalid(r: Result<impl std::fmt::Debug, ApiError>, want_field: &str) {
    let e = r.expect_err("refused");
    assert_eq!(e.code, ErrorCode::InvalidPayload, "{e:?}");
    assert_eq!(field(&e), Some(want_field), "{e:?}");
}

/// What the store holds of every project, its configuration and rules, for "changed nothing".
fn snapshot(core: &Core<FakeStore>) -> String {
    let c = core.store.control.lock().unwrap();
    let rules = core.store.rules.lock().unwrap();
    let mut scoring: Vec<_> = c.scoring.iter().collect();
    scoring.sort_by_key(|(id, _)| **id);
    let mut rules: Vec<_> = rules.iter().collect();
    rules.sort_by_key(|(id, _)| **id);
    format!("{:?} {:?} {:?}", c.projects, scoring, rules)
}

#[tokio::test]
async fn another_accounts_project_is_forbidden_and_stays_as_it_was() {
    let f = fixture();
    let p = f.core.create_project(&f.alice, "Shop").await.unwrap();
    f.core.enable_scoring(&f.alice, p.id as u32).await.unwrap();
    let before = snapshot(&f.core);
    let forbidden = |r: Result<(), ApiError>| {
        assert_eq!(r.expect_err("refused").code, ErrorCode::Forbidden);
    };
    forbidden(f.core.get_project(&f.bob, p.id as u32).await.map(drop));
    forbidden(f.core.delete_project(&f.bob, p.id as u32).await);
    forbidden(f.core.enable_scoring(&f.bob, p.id as u32).await.map(drop));
    forbidden(f.core.get_scoring(&f.bob, p.id as u32).await.map(drop));
    forbidden(f.core.disable_scoring(&f.bob, p.id as u32).await);
    let patch = SettingsPatch {
        block_definite: Some(true),
        ..SettingsPatch::default()
    };
    forbidden(
        f.core
            .update_settings(&f.bob, p.id as u32, patch)
            .await
            .map(drop),
    );
    forbidden(
        f.core
            .rotate_key(&f.bob, p.id as u32, Some(KeyType::Private))
            .await
            .map(drop),
    );
    forbidden(f.core.list_rules(&f.bob, p.id as u32).await.map(drop));
    let rule = RuleChange {
        name: Some("x".into()),
        expression: Some("score >= 1".into()),
        action: Some(Action::Block),
        ..RuleChange::default()
    };
    forbidden(
        f.core
            .create_rule(&f.bob, p.id as u32, rule)
            .await
            .map(drop),
    );
    assert_eq!(snapshot(&f.core), before, "a refused call changed nothing");
    assert!(f.core.list_projects(&f.bob).await.unwrap().is_empty());
    assert_eq!(f.core.list_projects(&f.alice).await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_missing_project_is_not_found_and_a_bad_id_is_named() {
    let f = fixture();
    let e = f.core.get_project(&f.alice, 999).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
    assert!(e.message.contains("999"), "{}", e.message);
    let e = f.core.delete_project(&f.alice, 999).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
}

#[tokio::test]
async fn project_names_are_checked_before_anything_is_stored() {
    let f = fixture();
    invalid(f.core.create_project(&f.alice, "   ").await, "name");
    invalid(
        f.core.create_project(&f.alice, &"x".repeat(201)).await,
        "name",
    );
    assert!(f.core.store.control.lock().unwrap().projects.is_empty());
    let p = f.core.create_project(&f.alice, "  Shop  ").await.unwrap();
    assert_eq!(p.name, "Shop", "trimmed");
}

#[tokio::test]
async fn the_private_key_is_shown_once_and_only_its_hash_reaches_the_store() {
    let f = fixture();
    let p = f.core.create_project(&f.alice, "Shop").await.unwrap();
    let first = f.core.enable_scoring(&f.alice, p.id as u32).await.unwrap();
    let private_key = first
        .private_key
        .clone()
        .expect("minted on first enablement");
    assert!(private_key.starts_with(keys::PRIVATE_KEY_PREFIX));
    assert!(first.site_key.starts_with("pk_"), "{}", first.site_key);
    let again = f.core.enable_scoring(&f.alice, p.id as u32).await.unwrap();
    assert_eq!(again.private_key, None, "never shown twice");
    assert_eq!(again.site_key, first.site_key, "the keys stay");

    let handed = f.core.store.control.lock().unwrap().handed.clone();
    assert!(
        handed.iter().all(|s| !s.contains(&private_key)),
        "the plaintext private key reached the store: {handed:?}"
    );
    assert!(handed.contains(&keys::hash_secret(&private_key)));
    // The verdict side finds the project by that hash.
    let key = PrivateKey {
        hash: keys::hash_secret(&private_key),
        subscription: true,
    };
    let v = f
        .core
        .verdict(&key, "sess_unknown", &RequestContext::default())
        .await
        .unwrap();
    assert_eq!(v.action, Action::Allow);
}

#[tokio::test]
async fn a_rotated_private_key_replaces_the_old_one_at_once() {
    let f = fixture();
    let p = f.core.create_project(&f.alice, "Shop").await.unwrap();
    let old = f
        .core
        .enable_scoring(&f.alice, p.id as u32)
        .await
        .unwrap()
        .private_key
        .unwrap();
    let read = |key: &str| {
        let key = PrivateKey {
            hash: keys::hash_secret(key),
            subscription: true,
        };
        let core = &f.core;
        async move {
            core.verdict(&key, "sess_any", &RequestContext::default())
                .await
                .map(drop)
        }
    };
    read(&old).await.expect("the old key works before rotation");
    let (kind, new) = f
        .core
        .rotate_key(&f.alice, p.id as u32, Some(KeyType::Private))
        .await
        .unwrap();
    assert_eq!(kind, KeyType::Private);
    assert_ne!(new, old);
    assert_eq!(
        read(&old).await.unwrap_err().code,
        ErrorCode::Unauthenticated,
        "the old key stops working on the next read (the cache too)"
    );
    read(&new).await.expect("the new key works");
}

#[tokio::test]
async fn rotation_needs_a_key_type_and_enabled_scoring() {
    let f = fixture();
    let p = f.core.create_project(&f.alice, "Shop").await.unwrap();
    invalid(f.core.rotate_key(&f.alice, p.id as u32, None).await, "type");
    let e = f
        .core
        .rotate_key(&f.alice, p.id as u32, Some(KeyType::Site))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ScoringNotEnabled);
    f.core.enable_scoring(&f.alice, p.id as u32).await.unwrap();
    f.core.disable_scoring(&f.alice, p.id as u32).await.unwrap();
    let e = f
        .core
        .rotate_key(&f.alice, p.id as u32, Some(KeyType::Private))
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::ScoringNotEnabled, "disabled again");
}

#[tokio::test]
async fn settings_out_of_range_are_refused_and_change_nothing() {
    let f = fixture();
    let p = f.core.create_project(&f.alice, "Shop").await.unwrap();
    f.core.enable_scoring(&f.alice, p.id as u32).await.unwrap();
    let before = snapshot(&f.core);
    for (t, d, field) in [
        (Some(0), None, "likely_bot_threshold"),
        (Some(100), None, "likely_bot_threshold"),
        (None, Some(-1), "challenge_difficulty"),
        (None, Some(25), "challenge_difficulty"),
    ] {
        let patch = SettingsPatch {
            likely_bot_threshold: t,
            challenge_difficulty: d,
            block_definite: Some(true),
            ..SettingsPatch::default()
        };
        invalid(
            f.core.update_settings(&f.alice, p.id as u32, patch).await,
            field,
        );
    }
    assert_eq!(snapshot(&f.core), before);
    let patch = SettingsPatch {
        likely_bot_threshold: Some(99),
        challenge_difficulty: Some(0),
        ..SettingsPatch::default()
    };
    let s = f
        .core
        .update_settings(&f.alice, p.id as u32, patch)
        .await
        .unwrap();
    assert_eq!((s.policy.threshold, s.challenge_difficulty), (99, 0));
    assert!(
        !s.policy.bot.block_definite,
        "untouched fields keep their value"
    );
}

#[tokio::test]
async fn rules_are_checked_when_saved_and_updates_keep_what_they_omit() {
    let f = fixture();
    let p = f.core.create_project(&f.alice, "Shop").await.unwrap();
    let change = |name: &str, expression: &str, action: Option<Action>| RuleChange {
        name: Some(name.into()),
        expression: Some(expression.into()),
        action,
        ..RuleChange::default()
    };
    invalid(
        f.core
            .create_rule(
                &f.alice,
                p.id as u32,
                change("bad", "score >=", Some(Action::Block)),
            )
            .await,
        "expression",
    );
    invalid(
        f.core
            .create_rule(
                &f.alice,
                p.id as u32,
                change("", "score >= 1", Some(Action::Block)),
            )
            .await,
        "name",
    );
    invalid(
        f.core
            .create_rule(&f.alice, p.id as u32, change("x", "score >= 1", None))
            .await,
        "action",
    );
    assert!(
        f.core
            .list_rules(&f.alice, p.id as u32)
            .await
            .unwrap()
            .is_empty()
    );

    let r = f
        .core
        .create_rule(
            &f.alice,
            p.id as u32,
            change(" low ", "score < 10", Some(Action::Block)),
        )
        .await
        .unwrap();
    assert_eq!(r.name, "low");
    assert!(r.is_active, "active unless said otherwise");
    let rename = RuleChange {
        name: Some("very low".into()),
        ..RuleChange::default()
    };
    let u = f
        .core
        .update_rule(&f.alice, p.id as u32, r.id as u32, rename)
        .await
        .unwrap();
    assert_eq!(
        (u.name.as_str(), u.expression_source.as_str(), u.action),
        ("very low", "score < 10", Action::Block)
    );
    invalid(
        f.core
            .update_rule(
                &f.alice,
                p.id as u32,
                r.id as u32,
                RuleChange {
                    expression: Some("(".into()),
                    ..RuleChange::default()
                },
            )
            .await,
        "expression",
    );
    let other = f.core.create_project(&f.alice, "Blog").await.unwrap();
    let e = f
        .core
        .get_rule(&f.alice, other.id as u32, r.id as u32)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound, "a rule of another project");
    f.core
        .delete_rule(&f.alice, p.id as u32, r.id as u32)
        .await
        .unwrap();
    let e = f
        .core
        .delete_rule(&f.alice, p.id as u32, r.id as u32)
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::NotFound);
}
