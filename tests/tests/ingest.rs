//! Ingest: idempotency, de-duplication, session minting, validation (nothing stored on a
//! rejected batch), body limit and quota — through a real server on both databases.
use botect_tests::{
    Server, TestDb, both_dbs, event, http, ingest, rid, serde_json, sql_count, tenant,
};
use serde_json::{Value, json};

async fn post(server: &Server, site_key: &str, idem: Option<&str>, body: &str) -> (u16, Value) {
    let mut req = http()
        .post(server.url("/v1/events"))
        .header("X-Botect-Site-Key", site_key)
        .header("Content-Type", "application/json")
        .body(body.to_string());
    if let Some(k) = idem {
        req = req.header("Idempotency-Key", k);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn mouse_batch(request_id: &str, entropy: f64) -> String {
    json!({"session_token": null, "events": [event(request_id, "mouse", json!({"entropy": entropy, "samples": 10}))]})
        .to_string()
}

async fn idempotent_replay_and_mismatch(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Idem").await;
    let body = mouse_batch(&rid(), 0.5);
    let (s1, first) = post(&server, &t.site_key, Some("batch-1"), &body).await;
    assert_eq!(s1, 202, "{first}");
    // Same key, same logical body (other whitespace and key order): the stored response.
    let reordered: Value = serde_json::from_str(&body).unwrap();
    let (s2, replay) = post(
        &server,
        &t.site_key,
        Some("batch-1"),
        &serde_json::to_string_pretty(&reordered).unwrap(),
    )
    .await;
    assert_eq!(s2, 202);
    assert_eq!(replay, first);
    assert_eq!(sql_count(&db, "SELECT COUNT(*) AS n FROM events").await, 1);
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM sessions").await,
        1
    );
    // Same key, other body: 422 and nothing stored.
    let (s3, err) = post(
        &server,
        &t.site_key,
        Some("batch-1"),
        &mouse_batch(&rid(), 0.5),
    )
    .await;
    assert_eq!(s3, 422);
    assert_eq!(err["code"], "IDEMPOTENCY_KEY_REUSED");
    assert_eq!(err["error"], "Idempotency key reused");
    assert_eq!(sql_count(&db, "SELECT COUNT(*) AS n FROM events").await, 1);
    // Keys are per project: another tenant may use the same key.
    let other = tenant(&db, &server, "Other").await;
    let (s4, _) = post(
        &server,
        &other.site_key,
        Some("batch-1"),
        &mouse_batch(&rid(), 0.5),
    )
    .await;
    assert_eq!(s4, 202);
}

async fn concurrent_duplicates_get_the_first_response(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Conc").await;
    let body = json!({"session_token": null, "events": (0..20).map(|i| event(&format!("ev-{i}"), "mouse", json!({"entropy": 0.6}))).collect::<Vec<_>>()}).to_string();
    let futs = (0..12).map(|_| post(&server, &t.site_key, Some("same-batch"), &body));
    let results = futures::future::join_all(futs).await;
    let first = &results[0].1;
    for (status, r) in &results {
        assert_eq!(*status, 202, "{r}");
        assert_eq!(r, first);
    }
    assert_eq!(first["accepted"], 20);
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM sessions").await,
        1
    );
    assert_eq!(sql_count(&db, "SELECT COUNT(*) AS n FROM events").await, 20);
}

/// Many batches at once (on SQLite they share group commits): distinct batches, concurrent
/// copies of one batch and a reused key with another body each get their own answer, and
/// exactly the acknowledged events are stored, each once.
async fn concurrent_mixed_batches_each_get_their_answer(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Mixed").await;
    let batch = |k: usize| {
        json!({"session_token": null, "events": (0..5).map(|i| event(&format!("mix-{k}-{i}"), "mouse", json!({"entropy": 0.6}))).collect::<Vec<_>>()}).to_string()
    };
    let bodies: Vec<(String, String)> = (0..30)
        .map(|k| (format!("key-{k}"), batch(k)))
        // Every batch twice (a retry racing the original) ...
        .flat_map(|b| [b.clone(), b])
        // ... and key-0 once more with another body.
        .chain([("key-0".to_string(), batch(99))])
        .collect();
    let results = futures::future::join_all(
        bodies
            .iter()
            .map(|(key, body)| post(&server, &t.site_key, Some(key), body)),
    )
    .await;
    let mut acks = std::collections::HashMap::new();
    let mut losers = Vec::new();
    for ((key, body), (status, r)) in bodies.iter().zip(&results) {
        if *status == 422 {
            assert_eq!(r["code"], "IDEMPOTENCY_KEY_REUSED", "{r}");
            losers.push((key.clone(), body.clone()));
            continue;
        }
        assert_eq!(*status, 202, "{r}");
        assert_eq!(r["accepted"], 5, "{r}");
        // The copy of a batch gets the same answer as the original, session included.
        if let Some(prev) = acks.insert(key.clone(), r.clone()) {
            assert_eq!(&prev, r);
        }
    }
    // For key-0 whichever body committed first wins; every request with the other body is
    // refused (the reused body once, or both copies of the original).
    assert!(!losers.is_empty());
    assert!(losers.iter().all(|l| l == &losers[0] && l.0 == "key-0"));
    assert_eq!(losers.len(), if losers[0].1 == batch(99) { 1 } else { 2 });
    assert_eq!(acks.len(), 30);
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM events").await,
        150
    );
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM sessions").await,
        30
    );
}

async fn dedup_counts_and_session_resolution(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Dedup").await;
    let (a, b, c) = (rid(), rid(), rid());
    let (s, r1) = ingest(
        &server,
        &t.site_key,
        None,
        vec![
            event(&a, "mouse", json!({"entropy": 0.5})),
            event(&b, "scroll", json!({"scroll_velocity": 120.5})),
        ],
    )
    .await;
    assert_eq!(s, 202);
    assert_eq!(
        (r1["accepted"].as_u64(), r1["duplicates"].as_u64()),
        (Some(2), Some(0))
    );
    let session = r1["session_token"].as_str().unwrap().to_string();
    // A retry without Idempotency-Key and without the token resolves to the same session.
    let (_, retry) = ingest(
        &server,
        &t.site_key,
        None,
        vec![event(&a, "mouse", json!({"entropy": 0.5}))],
    )
    .await;
    assert_eq!(retry["session_token"], session.as_str());
    assert_eq!(
        (retry["accepted"].as_u64(), retry["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
    // Two old + one new, and a duplicate inside the batch itself.
    let (_, r2) = ingest(
        &server,
        &t.site_key,
        Some(&session),
        vec![
            event(&a, "mouse", json!({})),
            event(&b, "mouse", json!({})),
            event(&c, "visibility", json!({"visibility_changes": 2})),
            event(&c, "visibility", json!({"visibility_changes": 2})),
        ],
    )
    .await;
    assert_eq!(r2["session_token"], session.as_str());
    assert_eq!(
        (r2["accepted"].as_u64(), r2["duplicates"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(sql_count(&db, "SELECT COUNT(*) AS n FROM events").await, 3);
    // Unknown token and another project's token both mint a new session.
    let (_, unknown) = ingest(
        &server,
        &t.site_key,
        Some("sess_doesnotexist"),
        vec![event(&rid(), "mouse", json!({}))],
    )
    .await;
    let minted = unknown["session_token"].as_str().unwrap();
    assert!(minted.starts_with("sess_") && minted != session);
    let other = tenant(&db, &server, "Foreign").await;
    let (_, foreign) = ingest(
        &server,
        &other.site_key,
        Some(&session),
        vec![event(&rid(), "mouse", json!({}))],
    )
    .await;
    let f = foreign["session_token"].as_str().unwrap();
    assert!(f.starts_with("sess_") && f != session);
    // The site key may come in the body instead of the header.
    let r = http()
        .post(server.url("/v1/events"))
        .json(&json!({"site_key": t.site_key, "session_token": session, "events": [event(&rid(), "page", json!({"page_path_hash": "abc123"}))]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
}

/// Every rejection: 422 INVALID_PAYLOAD naming the field, and nothing stored.
async fn invalid_batches_store_nothing(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Invalid").await;
    let good = event(&rid(), "mouse", json!({"entropy": 0.5}));
    let with = |e: Value| json!({"session_token": null, "events": [good.clone(), e]}).to_string();
    let big = "a".repeat(64 * 1024);
    let cases: Vec<(String, &str)> = vec![
        ("{not json".into(), "body"),
        ("[1,2]".into(), "body"),
        (json!({"session_token": null, "events": []}).to_string(), "events"),
        (json!({"events": (0..101).map(|i| event(&format!("e{i}"), "mouse", json!({}))).collect::<Vec<_>>()}).to_string(), "events"),
        (with(event("bad id!", "mouse", json!({}))), "events[1].request_id"),
        (with(event(&"x".repeat(129), "mouse", json!({}))), "events[1].request_id"),
        (with(event(&rid(), "keyboard", json!({}))), "events[1].type"),
        (with(json!({"request_id": rid(), "type": "mouse", "received_at": "14/06/2026", "payload": {}})), "events[1].received_at"),
        (with(json!({"request_id": rid(), "type": "mouse", "received_at": "2026-06-14T12:00:00+02:00", "payload": {}})), "events[1].received_at"),
        (with(event(&rid(), "mouse", json!({"typed_text": "hunter2"}))), "events[1].payload.typed_text"),
        (with(event(&rid(), "scroll", json!({"mouse_entropy": 0.3}))), "events[1].payload.mouse_entropy"),
        (with(event(&rid(), "mouse", json!({"mouse_entropy": 2}))), "events[1].payload.mouse_entropy"),
        (with(event(&rid(), "js_probe", json!({"webdriver": "yes"}))), "events[1].payload.webdriver"),
        (with(event(&rid(), "js_probe", json!({"plugins": ["PDF Viewer"]}))), "events[1].payload.plugins"),
        (with(event(&rid(), "page", json!({"page_path_shape": big}))), "events[1].payload"),
        (with(event(&rid(), "page", json!({"page_path_shape": "/a".repeat(40)}))), "events[1].payload.page_path_shape"),
        (with(json!({"request_id": rid(), "type": "mouse", "received_at": "2026-06-14T10:00:00Z", "payload": {}, "extra": 1})), "events[1].extra"),
        (json!({"session_token": null, "events": [good.clone()], "surprise": true}).to_string(), "surprise"),
        (with(event(&rid(), "mouse", json!({"coarse_pointer": 0.5}))), "events[1].payload.coarse_pointer"),
        (with(event(&rid(), "mouse", json!({"pointer_types": ["mouse", "mouse"]}))), "events[1].payload.pointer_types"),
    ];
    for (body, field) in cases {
        let (status, err) = post(&server, &t.site_key, None, &body).await;
        assert_eq!(status, 422, "{field}: {err}");
        assert_eq!(err["code"], "INVALID_PAYLOAD", "{err}");
        assert_eq!(err["error"], "Invalid payload");
        assert_eq!(err["details"]["field"], field, "{err}");
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    // An over-long Idempotency-Key is rejected too.
    let (status, err) = post(
        &server,
        &t.site_key,
        Some(&"k".repeat(256)),
        &mouse_batch(&rid(), 0.5),
    )
    .await;
    assert_eq!(
        (status, err["details"]["field"].as_str()),
        (422, Some("Idempotency-Key")),
        "{err}"
    );
    assert_eq!(sql_count(&db, "SELECT COUNT(*) AS n FROM events").await, 0);
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM sessions").await,
        0
    );
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM idempotency_keys").await,
        0
    );
    assert_eq!(
        sql_count(
            &db,
            "SELECT CAST(COALESCE(SUM(events), 0) AS BIGINT) AS n FROM usage_shards"
        )
        .await,
        0
    );
}

async fn body_limit_is_413(db: TestDb) {
    let server = Server::start_with(&db, &["--max-body-bytes", "4096"]).await;
    let t = tenant(&db, &server, "Big").await;
    let events: Vec<Value> = (0..60)
        .map(|i| {
            event(
                &format!("big-{i}"),
                "mouse",
                json!({"entropy": 0.5, "samples": 10}),
            )
        })
        .collect();
    let (status, err) = post(
        &server,
        &t.site_key,
        None,
        &json!({"events": events}).to_string(),
    )
    .await;
    assert_eq!(status, 413, "{err}");
    assert_eq!(err["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(sql_count(&db, "SELECT COUNT(*) AS n FROM events").await, 0);
}

async fn over_quota_is_soft(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Quota").await;
    db.cli(&[
        "quota",
        "set",
        "--account",
        &t.account_id.to_string(),
        "--monthly-events",
        "2",
    ])
    .await;
    let (_, r1) = ingest(
        &server,
        &t.site_key,
        None,
        vec![
            event(&rid(), "mouse", json!({})),
            event(&rid(), "mouse", json!({})),
        ],
    )
    .await;
    assert!(r1.get("over_quota").is_none(), "{r1}");
    let (s, r2) = ingest(
        &server,
        &t.site_key,
        None,
        vec![event(&rid(), "mouse", json!({}))],
    )
    .await;
    assert_eq!(s, 202);
    assert_eq!(r2["over_quota"], true);
    assert_eq!(r2["accepted"], 1);
    assert_eq!(sql_count(&db, "SELECT COUNT(*) AS n FROM events").await, 3);
    db.cli(&[
        "quota",
        "set",
        "--account",
        &t.account_id.to_string(),
        "--monthly-events",
        "unlimited",
    ])
    .await;
    let (_, r3) = ingest(
        &server,
        &t.site_key,
        None,
        vec![event(&rid(), "mouse", json!({}))],
    )
    .await;
    assert!(r3.get("over_quota").is_none(), "{r3}");
}

/// Idempotency keys are opaque text: the quickstart's placeholder style (with "…") works.
async fn unicode_idempotency_key_and_405(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Unicode").await;
    let body = mouse_batch(&rid(), 0.5);
    let (s1, a) = post(&server, &t.site_key, Some("6f1c…batch-uuid"), &body).await;
    let (s2, b) = post(&server, &t.site_key, Some("6f1c…batch-uuid"), &body).await;
    assert_eq!((s1, s2), (202, 202));
    assert_eq!(a, b);
    let r = http().patch(server.url("/v1/events")).send().await.unwrap();
    assert_eq!(r.status(), 405);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["code"], "METHOD_NOT_ALLOWED");
    assert_eq!(e["error"], "Method not allowed");
}

both_dbs!(
    concurrent_mixed_batches_each_get_their_answer,
    unicode_idempotency_key_and_405,
    idempotent_replay_and_mismatch,
    concurrent_duplicates_get_the_first_response,
    dedup_counts_and_session_resolution,
    invalid_batches_store_nothing,
    body_limit_is_413,
    over_quota_is_soft,
);
