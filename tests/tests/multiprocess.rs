//! Several `botect serve` processes on one database (PostgreSQL: how Botect grows past one
//! machine; SQLite: processes sharing a file): every write is visible to every process at
//! once, and scoring claims are exclusive.
use std::{collections::HashSet, time::Duration};

use botect::store::{ScoringQueue, Store};
use botect_tests::{
    DbKind, Server, TestDb, both_dbs, event, http, ingest, rid, scored_verdict, serde_json,
    settings, sql_count, tenant, verdict,
};
use serde_json::json;

/// On PostgreSQL every read asks the database; on SQLite, B answers from its verdict cache
/// between writes, so each change below is made after B has read (and kept) the old answer.
async fn writes_on_one_process_apply_at_once_on_the_other(db: TestDb) {
    let a = Server::start_with(&db, &["--workers", "0"]).await;
    let b = Server::start(&db).await;
    let t = tenant(&db, &a, "Multi").await;

    // Ingest on A (no workers), scored by B's workers, read on either.
    let session = botect_tests::human_session(&a, &t.site_key).await;
    let v = scored_verdict(&a, &t.private_key, &session).await;
    assert_eq!(v["verdict"], "likely_human", "{v}");
    assert_eq!(verdict(&b, &t.private_key, &session).await.1, v);

    // A new score (a later batch, scored by B) is what the next read on A returns.
    ingest(
        &a,
        &t.site_key,
        Some(&session),
        vec![event(&rid(), "js_probe", json!({"headless": true}))],
    )
    .await;
    let v = botect_tests::verdict_until(&a, &t.private_key, &session, |v| {
        v["verdict"] != "likely_human"
    })
    .await;
    assert_eq!(verdict(&b, &t.private_key, &session).await.1, v);
    assert_eq!(
        (v["verdict"].as_str(), v["action"].as_str()),
        (Some("likely_automated"), Some("allow")),
        "{v}"
    );

    // Settings changed through A apply to B's very next read.
    settings(&a, &t, json!({"challenge_likely": true})).await;
    assert_eq!(
        verdict(&b, &t.private_key, &session).await.1["action"],
        "challenge"
    );

    // A private key rotated through A fails on B at once.
    let rotated: serde_json::Value = http()
        .post(a.url(&format!("/v1/projects/{}/scoring/rotate", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"type": "private"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verdict(&b, &t.private_key, &session).await.0, 401);
    let rotated_private = rotated["key"].as_str().unwrap().to_string();
    assert_eq!(
        verdict(&b, &rotated_private, &session).await.1["verdict"],
        "likely_automated"
    );

    // A site key rotated through B fails on A at once.
    let rotated: serde_json::Value = http()
        .post(b.url(&format!("/v1/projects/{}/scoring/rotate", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"type": "site"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ingest(
            &a,
            &t.site_key,
            None,
            vec![event(&rid(), "page", json!({}))]
        )
        .await
        .0,
        401
    );
    assert_eq!(
        ingest(
            &a,
            rotated["key"].as_str().unwrap(),
            None,
            vec![event(&rid(), "page", json!({}))]
        )
        .await
        .0,
        202
    );

    // A subscription ended by the CLI (a third process) ends verdicts on both at once.
    let id = t.account_id.to_string();
    let rotated_key = rotated_private.as_str();
    for s in [&a, &b] {
        assert_eq!(verdict(s, rotated_key, &session).await.0, 200);
    }
    db.cli(&["subscription", "set", "--account", &id, "--active", "false"])
        .await;
    for s in [&a, &b] {
        assert_eq!(verdict(s, rotated_key, &session).await.0, 402);
    }
    db.cli(&["subscription", "set", "--account", &id, "--active", "true"])
        .await;
    for s in [&a, &b] {
        assert_eq!(
            verdict(s, rotated_key, &session).await.1["action"],
            "challenge"
        );
    }

    // A revoked token fails on both at once.
    let email_row = sql_count(
        &db,
        "SELECT COUNT(*) AS n FROM api_tokens WHERE revoked_at IS NULL",
    )
    .await;
    assert_eq!(email_row, 1);
    for s in [&a, &b] {
        assert_eq!(
            http()
                .get(s.url("/v1/account"))
                .bearer_auth(&t.token)
                .send()
                .await
                .unwrap()
                .status(),
            200
        );
    }
    db.cli(&["token", "revoke", "--token", &t.token]).await;
    for s in [&a, &b] {
        assert_eq!(
            http()
                .get(s.url("/v1/account"))
                .bearer_auth(&t.token)
                .send()
                .await
                .unwrap()
                .status(),
            401
        );
    }
}

both_dbs!(writes_on_one_process_apply_at_once_on_the_other);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_session_is_scored_by_two_busy_processes() {
    let db = TestDb::new(DbKind::Postgres).await;
    let a = Server::start_with(&db, &["--workers", "3"]).await;
    let b = Server::start_with(&db, &["--workers", "3"]).await;
    let t = tenant(&db, &a, "Busy").await;
    let mut sends = Vec::new();
    for i in 0..120 {
        let server = if i % 2 == 0 {
            a.base.clone()
        } else {
            b.base.clone()
        };
        let key = t.site_key.clone();
        sends.push(tokio::spawn(async move {
            let r: serde_json::Value = http()
                .post(format!("{server}/v1/events"))
                .header("X-Botect-Site-Key", key)
                .json(&json!({"events": [event(&rid(), "mouse", json!({"entropy": 0.74, "samples": 128}))]}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["session_token"].as_str().unwrap().to_string()
        }));
    }
    let mut sessions = Vec::new();
    for s in sends {
        sessions.push(s.await.unwrap());
    }
    botect_tests::eventually(
        Duration::from_secs(30),
        Duration::from_millis(100),
        "every session scored",
        || async {
            match sql_count(
                &db,
                "SELECT COUNT(*) AS n FROM sessions WHERE pending = TRUE OR score = 0",
            )
            .await
            {
                0 => Ok(()),
                n => Err(format!("{n} sessions unscored")),
            }
        },
    )
    .await;
    assert_eq!(
        sql_count(
            &db,
            "SELECT COUNT(*) AS n FROM sessions WHERE scored_revision <> revision"
        )
        .await,
        0
    );
    // Posted by hand (no SDK events, no proof): every one gated alike.
    for s in sessions.iter().take(10) {
        let v = verdict(&b, &t.private_key, s).await.1;
        assert_eq!(v["score"], 4, "{v}");
        assert_eq!(v["detection_ids"], json!([0x0100_000A, 0x0100_000B]), "{v}");
    }
}

/// `FOR UPDATE SKIP LOCKED` + leases: concurrent claimers on separate connections never
/// hold the same session at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_claims_are_disjoint() {
    let db = TestDb::new(DbKind::Postgres).await;
    let server = Server::start_with(&db, &["--workers", "0"]).await;
    let t = tenant(&db, &server, "Claims").await;
    for _ in 0..60 {
        ingest(
            &server,
            &t.site_key,
            None,
            vec![event(&rid(), "mouse", json!({"entropy": 0.5}))],
        )
        .await;
    }
    let stores: Vec<Store> = futures::future::join_all((0..4).map(|_| Store::open(&db.url)))
        .await
        .into_iter()
        .map(|s| s.unwrap())
        .collect();
    let claims = futures::future::join_all(stores.iter().map(|s| async move {
        let mut mine = Vec::new();
        for _ in 0..10 {
            mine.extend(
                s.claim_pending(3, 60_000)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|c| c.id),
            );
        }
        mine
    }))
    .await;
    let all: Vec<i64> = claims.into_iter().flatten().collect();
    let unique: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(
        unique.len(),
        all.len(),
        "a session was claimed twice while leased"
    );
    assert_eq!(
        unique.len(),
        60,
        "every pending session was claimed exactly once"
    );
}
