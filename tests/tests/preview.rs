//! The scoring preview through real servers on both databases: what proposed toggles, a
//! threshold and rules would do to the window's sessions, next to the current policy;
//! validated like the real endpoints; nothing saved.
use botect_tests::{
    Server, Tenant, TestDb, both_dbs, http, serde_json, sql_count, tenant, three_banded_sessions,
    verdict,
};
use serde_json::{Value, json};

async fn preview(server: &Server, t: &Tenant, body: Value) -> (u16, Value) {
    let r = http()
        .post(server.url(&format!("/v1/projects/{}/scoring/preview", t.project)))
        .bearer_auth(&t.token)
        .json(&body)
        .send()
        .await
        .expect("preview");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn counts(allow: u64, challenge: u64, block: u64, log: u64, delay: u64) -> Value {
    json!({"allow": allow, "challenge": challenge, "block": block, "log": log, "delay": delay})
}

async fn a_preview_shows_what_would_change(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Preview").await;
    let [human, headless, by_hand] = three_banded_sessions(&server, &t).await;
    let scoring_before: Value = http()
        .get(server.url(&format!("/v1/projects/{}/scoring", t.project)))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();

    // A toggle.
    let (status, p) = preview(
        &server,
        &t,
        json!({"bot_settings": {"block_definite": true}}),
    )
    .await;
    assert_eq!(status, 200, "{p}");
    assert_eq!(p["sessions"], 3);
    assert_eq!(p["truncated"], false);
    assert_eq!(p["current"], counts(3, 0, 0, 0, 0));
    assert_eq!(p["proposed"], counts(2, 0, 1, 0, 0));
    assert_eq!(p["changed"], 1);
    assert_eq!(
        p["sample"],
        json!([{"session_token": headless, "score": 1, "band": "definite", "action": "allow",
                "proposed_band": "definite", "proposed_action": "block"}])
    );

    // A threshold with the challenge toggle: the person's 87 falls below 90.
    let (_, p) = preview(
        &server,
        &t,
        json!({"likely_bot_threshold": 90, "bot_settings": {"challenge_likely": true}}),
    )
    .await;
    assert_eq!(p["proposed"], counts(1, 2, 0, 0, 0), "{p}");
    let changed: Vec<&str> = p["sample"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["session_token"].as_str().unwrap())
        .collect();
    assert_eq!(changed, [by_hand, human]);
    assert_eq!(p["sample"][1]["proposed_band"], "likely_automated");

    // A proposed rule, added to the project's (none yet).
    let (_, p) = preview(
        &server,
        &t,
        json!({"rules": [{"name": "block humans", "expression": "score >= 80", "action": "block"}]}),
    )
    .await;
    assert_eq!(p["proposed"], counts(2, 0, 1, 0, 0), "{p}");
    assert_eq!(p["sample"][0]["session_token"], human);

    // Against a saved rule: replace_rules without rules previews removing it.
    let r = http()
        .post(server.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"name": "delay", "expression": "score >= 80", "action": "delay"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let (_, p) = preview(&server, &t, json!({"replace_rules": true})).await;
    assert_eq!(p["current"], counts(2, 0, 0, 0, 1), "{p}");
    assert_eq!(p["proposed"], counts(3, 0, 0, 0, 0), "{p}");
    // Added rules come after saved ones of the same order: the saved delay still wins.
    let (_, p) = preview(
        &server,
        &t,
        json!({"rules": [{"name": "b", "expression": "score >= 80", "action": "block"}]}),
    )
    .await;
    assert_eq!(p["proposed"], counts(2, 0, 0, 0, 1), "{p}");
    // ...unless it runs first.
    let (_, p) = preview(
        &server,
        &t,
        json!({"rules": [{"name": "b", "expression": "score >= 80", "action": "block", "sort_order": -1}]}),
    )
    .await;
    assert_eq!(p["proposed"], counts(2, 0, 1, 0, 0), "{p}");

    // A window without sessions.
    let (_, p) = preview(
        &server,
        &t,
        json!({"since": "2020-01-01T00:00:00Z", "until": "2020-01-02T00:00:00Z", "bot_settings": {"block_definite": true}}),
    )
    .await;
    assert_eq!(
        (p["sessions"].as_u64(), p["changed"].as_u64()),
        (Some(0), Some(0)),
        "{p}"
    );

    // Nothing was saved.
    let scoring_after: Value = http()
        .get(server.url(&format!("/v1/projects/{}/scoring", t.project)))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(scoring_before, scoring_after);
    assert_eq!(
        sql_count(
            &db,
            &format!(
                "SELECT COUNT(*) AS n FROM rules WHERE project_id = {}",
                t.project
            )
        )
        .await,
        1
    );
    assert_eq!(
        verdict(&server, &t.private_key, headless).await.1["action"],
        "allow"
    );
}

async fn a_bad_proposal_is_refused(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Bad preview").await;
    for (body, field) in [
        (json!({"likely_bot_threshold": 0}), "likely_bot_threshold"),
        (json!({"likely_bot_threshold": 100}), "likely_bot_threshold"),
        (
            json!({"rules": [{"name": "x", "expression": "score >", "action": "block"}]}),
            "rules[0].expression",
        ),
        (
            json!({"rules": [{"name": "ok", "expression": "score < 5", "action": "log"}, {"name": "", "expression": "score < 5", "action": "log"}]}),
            "rules[1].name",
        ),
        (
            json!({"rules": [{"name": "x", "expression": "score < 5"}]}),
            "rules[0].action",
        ),
        (
            json!({"since": "2026-01-02T00:00:00Z", "until": "2026-01-01T00:00:00Z"}),
            "since",
        ),
        (
            json!({"bot_settings": {"block_definitely": true}}),
            "bot_settings.block_definitely",
        ),
    ] {
        let (status, e) = preview(&server, &t, body.clone()).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (422, Some("INVALID_PAYLOAD")),
            "{body}: {e}"
        );
        assert_eq!(e["details"]["field"], field, "{body}: {e}");
    }
    let (_, e) = preview(
        &server,
        &t,
        json!({"rules": [{"name": "x", "expression": "score >", "action": "block"}]}),
    )
    .await;
    assert!(
        e["details"]["line"].is_string() && e["details"]["column"].is_string(),
        "{e}"
    );
    let (status, _) = preview(
        &server,
        &t,
        json!({"rules": [{"name": "x", "expression": "score < 5", "action": "nope"}]}),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(sql_count(&db, "SELECT COUNT(*) AS n FROM rules").await, 0);
}

both_dbs!(a_preview_shows_what_would_change, a_bad_proposal_is_refused);
