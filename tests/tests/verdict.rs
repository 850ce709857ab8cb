//! Verdict reads: scoring outcomes, read-time policy (toggles and threshold apply on the next
//! read), rescoring on new events, and every fail-open case — on both databases.
use std::time::{Duration, Instant};

use botect_tests::{
    DbKind, Server, TestDb, both_dbs, event, fail_open, http, ingest, rid, scored_verdict,
    sdk_ingest, serde_json, settings, tenant, verdict,
};
use serde_json::{Value, json};

async fn headless_is_definite_and_toggles_apply_on_next_read(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Headless").await;
    let (_, ack) = ingest(
        &server,
        &t.site_key,
        None,
        vec![
            event(&rid(), "page", json!({"page_path_hash": "ab12"})),
            event(
                &rid(),
                "js_probe",
                json!({"webdriver": true, "headless": true, "headless_ua": true, "plugins": []}),
            ),
        ],
    )
    .await;
    let session = ack["session_token"].as_str().unwrap().to_string();
    let v = scored_verdict(&server, &t.private_key, &session).await;
    assert_eq!(
        v,
        json!({"verdict": "definite", "score": 1, "action": "allow", "detection_ids": [50331648, 50331651],
               "reason": "Headless automation signature; no human interaction recorded."})
    );
    settings(&server, &t, json!({"block_definite": true})).await;
    assert_eq!(
        verdict(&server, &t.private_key, &session).await.1["action"],
        "block"
    );
    settings(&server, &t, json!({"block_definite": false})).await;
    assert_eq!(
        verdict(&server, &t.private_key, &session).await.1["action"],
        "allow"
    );
    // Static resources are exempt only when protect_static is off.
    settings(
        &server,
        &t,
        json!({"block_definite": true, "protect_static": false}),
    )
    .await;
    let r: Value = http()
        .get(server.url(&format!(
            "/v1/sessions/{session}/verdict?path=/assets/app.css&ip=203.0.113.9&country=DE&ua=curl"
        )))
        .bearer_auth(&t.private_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["action"], "allow");
    assert_eq!(r["verdict"], "definite");
    let r: Value = http()
        .get(server.url(&format!("/v1/sessions/{session}/verdict?path=/login")))
        .bearer_auth(&t.private_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["action"], "block");
    // Unknown query parameters are named in a 422.
    let r = http()
        .get(server.url(&format!("/v1/sessions/{session}/verdict?pth=/login")))
        .bearer_auth(&t.private_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    assert_eq!(r.json::<Value>().await.unwrap()["details"]["field"], "pth");
}

async fn bands_follow_threshold_and_rescoring(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Bands").await;
    // No interaction at all: below T.
    let (_, ack) = sdk_ingest(
        &server,
        &t.site_key,
        None,
        vec![event(&rid(), "page", json!({"page_path_hash": "ff"}))],
    )
    .await;
    let session = ack["session_token"].as_str().unwrap().to_string();
    let v = scored_verdict(&server, &t.private_key, &session).await;
    assert_eq!(v["verdict"], "likely_automated", "{v}");
    let low_score = v["score"].as_u64().unwrap();
    assert!(low_score > 1 && low_score < 30);
    settings(&server, &t, json!({"challenge_likely": true})).await;
    assert_eq!(
        verdict(&server, &t.private_key, &session).await.1["action"],
        "challenge"
    );
    // The threshold moves the band on the next read, without rescoring.
    settings(&server, &t, json!({"likely_bot_threshold": low_score})).await;
    let v = verdict(&server, &t.private_key, &session).await.1;
    assert_eq!(
        (v["verdict"].as_str(), v["action"].as_str()),
        (Some("likely_human"), Some("allow"))
    );
    settings(&server, &t, json!({"likely_bot_threshold": 30})).await;
    // New natural interaction rescoring the session.
    sdk_ingest(
        &server,
        &t.site_key,
        Some(&session),
        vec![event(
            &rid(),
            "mouse",
            json!({"mouse_entropy": 0.8, "samples": 300}),
        )],
    )
    .await;
    let v = botect_tests::verdict_until(&server, &t.private_key, &session, |v| {
        v["verdict"] == "likely_human"
    })
    .await;
    assert_eq!(v["score"], 90);
    assert_eq!(v["detection_ids"], json!([]));
    // Low entropy: likely_automated with the behavioral detection.
    let (_, ack) = sdk_ingest(
        &server,
        &t.site_key,
        None,
        vec![event(
            &rid(),
            "mouse",
            json!({"entropy": 0.05, "samples": 500}),
        )],
    )
    .await;
    let low = ack["session_token"].as_str().unwrap().to_string();
    let v = scored_verdict(&server, &t.private_key, &low).await;
    assert_eq!(v["verdict"], "likely_automated");
    assert_eq!(v["action"], "challenge");
    // Bad settings change nothing.
    for (body, field) in [
        (json!({"likely_bot_threshold": 0}), "likely_bot_threshold"),
        (json!({"likely_bot_threshold": 100}), "likely_bot_threshold"),
        (
            json!({"likely_bot_threshold": "high"}),
            "likely_bot_threshold",
        ),
        (json!({"block_definite": "yes"}), "block_definite"),
        (json!({"challenge_difficulty": 25}), "challenge_difficulty"),
        (json!({"challenge_difficulty": -1}), "challenge_difficulty"),
        (json!({"challenge_difficulty": 1.5}), "challenge_difficulty"),
        (json!({"likely_bot_threshold": {}}), "likely_bot_threshold"),
        (json!({"bogus": true}), "bogus"),
    ] {
        let r = http()
            .put(server.url(&format!("/v1/projects/{}/scoring/settings", t.project)))
            .bearer_auth(&t.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422, "{body}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(
            (e["code"].as_str(), e["details"]["field"].as_str()),
            (Some("INVALID_PAYLOAD"), Some(field)),
            "{e}"
        );
        // Written for people: no decoder internals.
        let message = e["message"].as_str().unwrap();
        for internal in [
            "untagged",
            "invalid digit",
            "expected expected",
            "_unspecified",
        ] {
            assert!(!message.contains(internal), "{body}: {message}");
        }
    }
    let state: Value = http()
        .get(server.url(&format!("/v1/projects/{}/scoring", t.project)))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["likely_bot_threshold"], 30);
    assert_eq!(state["challenge_difficulty"], 18);
    assert_eq!(state["bot_settings"]["challenge_likely"], true);
    assert_eq!(state["enabled"], true);
    assert!(state.get("private_key").is_none());
}

async fn fail_open_cases(db: TestDb) {
    // A process with no scoring workers: its sessions stay unscored.
    let server = Server::start_with(&db, &["--workers", "0"]).await;
    let t = tenant(&db, &server, "Open").await;
    let other = tenant(&db, &server, "Elsewhere").await;
    let (_, ack) = ingest(
        &server,
        &t.site_key,
        None,
        vec![event(&rid(), "mouse", json!({"entropy": 0.9}))],
    )
    .await;
    let unscored = ack["session_token"].as_str().unwrap().to_string();
    let (_, ack) = ingest(
        &server,
        &other.site_key,
        None,
        vec![event(&rid(), "mouse", json!({"entropy": 0.9}))],
    )
    .await;
    let foreign = ack["session_token"].as_str().unwrap().to_string();
    settings(
        &server,
        &t,
        json!({"block_definite": true, "challenge_likely": true}),
    )
    .await;
    for session in [
        unscored.as_str(),
        foreign.as_str(),
        "sess_unknown",
        "not-a-session-token",
    ] {
        let (status, v) = verdict(&server, &t.private_key, session).await;
        assert_eq!(status, 200);
        assert_eq!(v, fail_open(), "{session}");
    }
}

/// PostgreSQL only: a SQLite file cannot be taken away from a running process (its store
/// errors and timeouts go through the same code path).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn store_down_fails_open_within_bound() {
    let db = TestDb::new(DbKind::Postgres).await;
    let server = Server::start_with(&db, &["--verdict-timeout-ms", "300"]).await;
    let t = tenant(&db, &server, "Down").await;
    let (_, ack) = sdk_ingest(
        &server,
        &t.site_key,
        None,
        vec![event(
            &rid(),
            "mouse",
            json!({"entropy": 0.9, "samples": 9}),
        )],
    )
    .await;
    let session = ack["session_token"].as_str().unwrap().to_string();
    scored_verdict(&server, &t.private_key, &session).await;
    // Take the database away: refuse new connections and kill every existing one.
    botect_tests::pg_connections(&db, false).await;
    for _ in 0..3 {
        let start = Instant::now();
        let (status, v) = verdict(&server, &t.private_key, &session).await;
        assert_eq!(status, 200);
        assert_eq!(v, fail_open());
        assert!(
            start.elapsed() < Duration::from_secs(3),
            "fail-open took {:?}",
            start.elapsed()
        );
    }
    botect_tests::pg_connections(&db, true).await;
    let v = botect_tests::verdict_until(&server, &t.private_key, &session, |v| {
        v["verdict"] == "likely_human"
    })
    .await;
    assert_eq!(v["score"], 95);
}

both_dbs!(
    headless_is_definite_and_toggles_apply_on_next_read,
    bands_follow_threshold_and_rescoring,
    fail_open_cases,
);
