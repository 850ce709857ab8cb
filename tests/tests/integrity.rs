//! Proof-of-work challenges end to end (docs/ingest.md#integrity): issuing over REST, the
//! evidence gate, and every kind of bad proof recorded as a finding (never a 422 that loses
//! the batch), on SQLite and PostgreSQL, across two processes.
use botect_tests::{
    CHROME_UA, Server, Tenant, TestDb, both_dbs, browser_headers, browser_ingest, challenge, http,
    rid, scored_verdict, sdk_events, serde_json, settings, solve, sql_count, tenant,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const INVALID: u64 = 0x0100_000C;
const MISSING: u64 = 0x0100_000B;

/// A nonce that does not solve `ch` at its difficulty.
fn wrong_nonce(ch: &Value) -> String {
    let c = ch["challenge"].as_str().unwrap();
    let d = ch["difficulty"].as_u64().unwrap() as u32;
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| {
            let h = Sha256::digest(format!("{c}{n}").as_bytes());
            botect::integrity::challenge::leading_zero_bits(&h) < d
        })
        .unwrap()
}

/// A new session's first SDK batch with `integrity`; returns its token (always 202).
async fn first_batch(server: &Server, t: &Tenant, integrity: Value) -> String {
    let (status, ack) = browser_ingest(
        server,
        &t.site_key,
        json!({"session_token": null, "events": sdk_events(), "integrity": integrity}),
    )
    .await;
    assert_eq!(status, 202, "{ack}");
    assert_eq!(ack["accepted"], 3, "the batch's events are stored: {ack}");
    ack["session_token"].as_str().unwrap().to_string()
}

/// The integrity codes stored for a session's requests.
async fn codes(db: &TestDb, session: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for code in 0..8 {
        let n = sql_count(
            db,
            &format!(
                "SELECT COUNT(*) AS n FROM ingest_requests r JOIN sessions s ON s.id = r.session_id \
                 WHERE s.token = '{session}' AND r.integrity = {code}"
            ),
        )
        .await;
        out.extend(std::iter::repeat_n(code, n as usize));
    }
    out
}

async fn challenges_are_issued_to_site_keys_only(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Issue").await;
    let (status, ch) = challenge(&server, &t.site_key).await;
    assert_eq!(status, 200, "{ch}");
    let keys: Vec<&str> = ch.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["challenge", "algorithm", "difficulty", "expires_at"]);
    assert_eq!(ch["algorithm"], "SHA-256");
    assert_eq!(ch["difficulty"], 18);
    let expires = chrono_like_minutes(ch["expires_at"].as_str().unwrap());
    assert!((4..=5).contains(&expires), "expires in {expires} min: {ch}");
    // The site key may come in the body too.
    let r = http()
        .post(server.url("/v1/challenges"))
        .json(&json!({"site_key": t.site_key}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Browsers call it from any origin.
    let r = http()
        .request(reqwest::Method::OPTIONS, server.url("/v1/challenges"))
        .header("Origin", "https://shop.example")
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "x-botect-site-key,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    // Other credentials, none, or a disabled project: 401 with the flat error body.
    for key in [
        None,
        Some(t.private_key.as_str()),
        Some(t.token.as_str()),
        Some("pk_unknownunknownunknown"),
    ] {
        let mut req = http().post(server.url("/v1/challenges")).json(&json!({}));
        if let Some(k) = key {
            req = req.header("X-Botect-Site-Key", k);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 401, "{key:?}");
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["code"], "UNAUTHENTICATED", "{e}");
    }
    // The difficulty follows the project's setting, range-checked.
    let s = settings(&server, &t, json!({"challenge_difficulty": 4})).await;
    assert_eq!(s["challenge_difficulty"], 4);
    assert_eq!(challenge(&server, &t.site_key).await.1["difficulty"], 4);
    let r = http()
        .put(server.url(&format!("/v1/projects/{}/scoring/settings", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"challenge_difficulty": 25}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["details"]["field"], "challenge_difficulty", "{e}");
    assert_eq!(
        challenge(&server, &t.site_key).await.1["difficulty"],
        4,
        "unchanged"
    );
}

/// Minutes from now until an RFC 3339 time (rounded down).
fn chrono_like_minutes(rfc3339: &str) -> i64 {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap();
    (t.timestamp_millis() - chrono::Utc::now().timestamp_millis()) / 60_000
}

async fn a_valid_proof_passes_and_bad_ones_are_findings(db: TestDb) {
    let a = Server::start(&db).await;
    let b = Server::start(&db).await;
    let t = tenant(&db, &a, "Proofs").await;
    let other = tenant(&db, &a, "Other").await;
    let key = &t.private_key;

    // Issued by one process, redeemed on the other: the secret is shared by the database.
    let ch = challenge(&a, &t.site_key).await.1;
    let proof = solve(&ch);
    let human = first_batch(&b, &t, proof.clone()).await;
    let v = scored_verdict(&a, key, &human).await;
    assert_eq!(
        (v["verdict"].as_str(), v["score"].as_u64()),
        (Some("likely_human"), Some(87)),
        "{v}"
    );
    assert_eq!(codes(&db, &human).await, [1]);
    // The same proof again in the same session: still this session's.
    let (status, _) = browser_ingest(
        &a,
        &t.site_key,
        json!({"session_token": human, "events": [botect_tests::event(&rid(), "scroll", json!({"scroll_events": 3, "scroll_velocity": 300}))], "integrity": proof}),
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(codes(&db, &human).await, [1, 1]);

    // Reused by another session: stored, and that session gets the finding.
    let reused = first_batch(&a, &t, proof.clone()).await;
    let v = scored_verdict(&a, key, &reused).await;
    assert_eq!(v["detection_ids"], json!([INVALID]), "{v}");
    assert_eq!(
        v["reason"],
        "Invalid integrity proof (already used by another session)."
    );
    assert_eq!(v["verdict"], "likely_automated");
    assert_eq!(codes(&db, &reused).await, [7]);

    // Wrongly solved, tampered, another project's, another client's, expired.
    let ch = challenge(&a, &t.site_key).await.1;
    let mut tampered = ch["challenge"].as_str().unwrap().to_string();
    tampered.replace_range(2..3, if &tampered[2..3] == "A" { "B" } else { "A" });
    let foreign = challenge(&a, &other.site_key).await.1;
    let (_, other_client) = {
        let r = http()
            .post(a.url("/v1/challenges"))
            .header("X-Botect-Site-Key", &t.site_key)
            .header("User-Agent", "python-requests/2.32.3")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        (r.status(), r.json::<Value>().await.unwrap())
    };
    let secret = expired_secret(&db).await;
    let expired = botect::integrity::mint(
        &secret,
        &botect::integrity::Binding {
            project_id: t.project as u32,
            address_prefix: "127.0.0.0/24",
            user_agent: CHROME_UA,
        },
        4,
        chrono::Utc::now().timestamp_millis() - 6 * 60_000,
        [3; 16],
    );
    let expired = json!({"challenge": expired.challenge, "difficulty": 4});
    for (integrity, code, label) in [
        (
            json!({"challenge": ch["challenge"], "nonce": wrong_nonce(&ch)}),
            6,
            "wrongly solved",
        ),
        (
            json!({"challenge": tampered, "nonce": "1"}),
            2,
            "tampered or not issued here",
        ),
        (
            json!({"challenge": "not a challenge", "nonce": "12x"}),
            2,
            "tampered or not issued here",
        ),
        (solve(&foreign), 4, "issued for another project"),
        (solve(&other_client), 5, "issued to another client"),
        (solve(&expired), 3, "expired"),
    ] {
        let s = first_batch(&b, &t, integrity.clone()).await;
        let v = scored_verdict(&a, key, &s).await;
        assert_eq!(v["detection_ids"], json!([INVALID]), "{integrity}: {v}");
        assert_eq!(
            v["reason"],
            format!("Invalid integrity proof ({label})."),
            "{integrity}"
        );
        assert_eq!(codes(&db, &s).await, [code], "{integrity}");
    }
    // No proof at all: the SDK's events alone do not make a person.
    let (_, ack) = browser_ingest(
        &a,
        &t.site_key,
        json!({"session_token": null, "events": sdk_events()}),
    )
    .await;
    let v = scored_verdict(&a, key, ack["session_token"].as_str().unwrap()).await;
    assert_eq!(v["detection_ids"], json!([MISSING]), "{v}");
    assert_eq!(v["reason"], "Missing integrity proof.");
    // A non-object integrity is a schema error (422 naming it), and stores nothing.
    let before = sql_count(&db, "SELECT COUNT(*) AS n FROM events").await;
    let r = browser_headers(http().post(a.url("/v1/events")))
        .header("X-Botect-Site-Key", &t.site_key)
        .json(&json!({"events": sdk_events(), "integrity": "solved"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 422);
    let e: Value = r.json().await.unwrap();
    assert!(
        e["details"]["field"]
            .as_str()
            .unwrap()
            .starts_with("integrity"),
        "{e}"
    );
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM events").await,
        before
    );
}

/// The server's challenge secret, read from the database (to mint an already expired one).
async fn expired_secret(db: &TestDb) -> botect::integrity::Secret {
    use sea_orm::ConnectionTrait;
    let store = botect::store::Store::open(&db.url).await.unwrap();
    let row = store
        .connection()
        .query_one_raw(sea_orm::Statement::from_string(
            store.backend(),
            "SELECT secret FROM server_secrets".to_string(),
        ))
        .await
        .unwrap()
        .unwrap();
    let hex: String = row.try_get("", "secret").unwrap();
    store.connection().close_by_ref().await.ok();
    botect::integrity::Secret::from_hex(&hex).unwrap()
}

both_dbs!(
    challenges_are_issued_to_site_keys_only,
    a_valid_proof_passes_and_bad_ones_are_findings
);
