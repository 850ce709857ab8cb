//! Watching sessions (observe-first) through real servers on both databases: the filtered,
//! paginated list with bands and actions from the current policy, a session's detail (the
//! engines' findings as stored, batches, request facts), feedback labels and their summary,
//! the roll-ups kept exact across rescoring, and bad input that changes nothing.
use std::collections::HashSet;

use botect_client::{Botect, pb};
use botect_tests::{
    Server, Tenant, TestDb, both_dbs, event, http, human_session, ingest, rid, scored_verdict,
    serde_json, settings, sql_count, tenant,
};
use serde_json::{Value, json};

async fn get(server: &Server, t: &Tenant, path_and_query: &str) -> (u16, Value) {
    let r = http()
        .get(server.url(&format!("/v1/projects/{}{path_and_query}", t.project)))
        .bearer_auth(&t.token)
        .send()
        .await
        .expect("request");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn list(server: &Server, t: &Tenant, query: &str) -> Value {
    let (status, body) = get(server, t, &format!("/sessions{query}")).await;
    assert_eq!(status, 200, "{query}: {body}");
    body
}

fn tokens(page: &Value) -> Vec<String> {
    page["sessions"]
        .as_array()
        .expect("sessions")
        .iter()
        .map(|s| s["session_token"].as_str().unwrap().to_string())
        .collect()
}

async fn feedback(server: &Server, t: &Tenant, session: &str, body: Value) -> (u16, Value) {
    let r = http()
        .post(server.url(&format!(
            "/v1/projects/{}/sessions/{session}/feedback",
            t.project
        )))
        .bearer_auth(&t.token)
        .json(&body)
        .send()
        .await
        .expect("feedback");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The roll-ups agree with the sessions they count: per score, and per detection ID.
async fn assert_rollups_exact(db: &TestDb, t: &Tenant) {
    let p = t.project;
    for score in [1, 4, 87] {
        assert_eq!(
            sql_count(db, &format!("SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT) AS n FROM score_hours WHERE project_id = {p} AND score = {score}")).await,
            sql_count(db, &format!("SELECT COUNT(*) AS n FROM sessions WHERE project_id = {p} AND score = {score}")).await,
            "score {score}"
        );
    }
    assert_eq!(
        sql_count(db, &format!("SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT) AS n FROM score_hours WHERE project_id = {p}")).await,
        sql_count(db, &format!("SELECT COUNT(*) AS n FROM sessions WHERE project_id = {p} AND score > 0")).await,
    );
    for id in [50331648_i64, 0x0100_000A] {
        assert_eq!(
            sql_count(db, &format!("SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT) AS n FROM detection_hours WHERE project_id = {p} AND detection_id = {id}")).await,
            sql_count(db, &format!("SELECT COUNT(*) AS n FROM session_detections d JOIN sessions s ON s.id = d.session_id WHERE s.project_id = {p} AND d.detection_id = {id}")).await,
            "detection {id}"
        );
    }
}

async fn sessions_are_listed_filtered_and_paged(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Watch").await;
    let [human, headless, by_hand] = botect_tests::three_banded_sessions(&server, &t).await;

    // Newest first, every field; observe-first: everything allowed.
    let page = list(&server, &t, "").await;
    assert_eq!(tokens(&page), [by_hand, headless, human]);
    assert_eq!(page["next_page_token"], "", "{page}");
    let rows = page["sessions"].as_array().unwrap();
    let h = &rows[2];
    assert_eq!(
        (
            h["score"].as_u64(),
            h["band"].as_str(),
            h["action"].as_str()
        ),
        (Some(87), Some("likely_human"), Some("allow")),
        "{h}"
    );
    assert_eq!(h["event_count"], 3, "{h}");
    assert_eq!(h["batch_count"], 1, "{h}");
    assert_eq!(h["ua_class"], "browser/chromium/140", "{h}");
    assert_eq!(h["js_passed"], true, "{h}");
    assert!(h["first_seen"].as_str().unwrap() <= h["last_seen"].as_str().unwrap());
    assert_eq!(h["reason"], "No bot signals; natural interaction profile.");
    let d = &rows[1];
    assert_eq!(
        (d["band"].as_str(), d["score"].as_u64()),
        (Some("definite"), Some(1))
    );
    assert_eq!(d["detection_ids"], json!([50331648, 50331651]));
    assert_eq!(d["js_passed"], false, "{d}");
    assert_eq!(rows[0]["band"], "likely_automated");
    assert!(
        rows[0].get("js_passed").is_none(),
        "no probe data: {}",
        rows[0]
    );

    // Filters.
    for (query, expected) in [
        ("?band=definite", vec![headless]),
        ("?band=likely_automated", vec![by_hand]),
        ("?band=likely_human", vec![human]),
        ("?band=not_computed", vec![]),
        (&format!("?detection_id={}", 0x0100_000A)[..], vec![by_hand]),
        ("?detection_id=50331648", vec![headless]),
        ("?min_score=2&max_score=86", vec![by_hand]),
        ("?min_score=87", vec![human]),
        ("?band=definite&min_score=2", vec![]),
        ("?action=allow", vec![by_hand, headless, human]),
        ("?action=block", vec![]),
        ("?since=2999-01-01T00:00:00Z", vec![]),
        ("?until=2000-01-01T00:00:00Z", vec![]),
        (
            "?since=2000-01-01T00:00:00Z&until=2999-01-01T00:00:00Z",
            vec![by_hand, headless, human],
        ),
    ] {
        let page = list(&server, &t, query).await;
        assert_eq!(tokens(&page), expected, "{query}");
    }

    // The current policy decides actions and bands, on the next read.
    settings(
        &server,
        &t,
        json!({"block_definite": true, "challenge_likely": true}),
    )
    .await;
    assert_eq!(
        tokens(&list(&server, &t, "?action=block").await),
        [headless]
    );
    assert_eq!(
        tokens(&list(&server, &t, "?action=challenge").await),
        [by_hand]
    );
    let rows = list(&server, &t, "").await;
    assert_eq!(rows["sessions"][1]["action"], "block");
    // A rule applies too (rules on request fields see them empty).
    let r = http()
        .post(server.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"name": "delay humans", "expression": "score >= 80", "action": "delay"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(tokens(&list(&server, &t, "?action=delay").await), [human]);
    settings(&server, &t, json!({"likely_bot_threshold": 90})).await;
    assert_eq!(
        tokens(&list(&server, &t, "?band=likely_automated").await),
        [by_hand, human]
    );
    settings(&server, &t, json!({"likely_bot_threshold": 30})).await;

    // Pages of one, to the end; no session twice.
    let mut seen = Vec::new();
    let mut query = "?page_size=1".to_string();
    loop {
        let page = list(&server, &t, &query).await;
        seen.extend(tokens(&page));
        match page["next_page_token"].as_str().expect("always present") {
            "" => break,
            next => query = format!("?page_size=1&page_token={next}"),
        }
        assert!(seen.len() <= 3, "the pages do not end: {seen:?}");
    }
    assert_eq!(seen, [by_hand, headless, human]);
    // The action filter pages too.
    let page = list(&server, &t, "?action=delay&page_size=1").await;
    assert_eq!(tokens(&page), [human]);

    // Over gRPC.
    let botect = Botect::connect(server.base.clone()).await.unwrap();
    let listed = botect
        .sessions(&t.token)
        .unwrap()
        .list_sessions(pb::ListSessionsRequest {
            project: t.project as u32,
            band: Some(pb::Verdict::Definite as i32),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        listed
            .sessions
            .iter()
            .map(|s| s.session_token.as_str())
            .collect::<Vec<_>>(),
        [headless]
    );
    assert_eq!(listed.sessions[0].action, pb::Action::Block as i32);

    // Another account's project: 403; no project: 404.
    let other = tenant(&db, &server, "Watch other").await;
    let (status, body) = get(&server, &other, "").await;
    assert_eq!(status, 200, "{body}");
    let r = http()
        .get(server.url(&format!("/v1/projects/{}/sessions", t.project)))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(tokens(&list(&server, &other, "").await).is_empty());
    assert_rollups_exact(&db, &t).await;
}

async fn a_session_shows_what_scoring_saw(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Detail").await;
    let [human, headless, _] = botect_tests::three_banded_sessions(&server, &t).await;

    let (status, d) = get(&server, &t, &format!("/sessions/{headless}")).await;
    assert_eq!(status, 200, "{d}");
    assert_eq!(d["session"]["session_token"], headless);
    assert_eq!(d["session"]["band"], "definite");
    let engines = d["engines"].as_array().expect("engines");
    let js = engines
        .iter()
        .find(|e| e["engine"] == "js_detection")
        .unwrap_or_else(|| panic!("{d}"));
    let finding = &js["findings"][0];
    assert_eq!(finding["detection_id"], 50331648, "{finding}");
    assert_eq!(finding["strength"], "deterministic");
    assert!(!finding["name"].as_str().unwrap().is_empty(), "{finding}");
    assert!(!finding["label"].as_str().unwrap().is_empty(), "{finding}");
    let batches = d["batches"].as_array().unwrap();
    assert_eq!(batches.len(), 1, "{d}");
    assert_eq!(batches[0]["events"], 2);
    assert_eq!(batches[0]["event_types"], json!({"js_probe": 1, "page": 1}));
    assert_eq!(batches[0]["integrity"], "absent");
    assert_eq!(d["request"]["address_prefix"], "127.0.0.0/24", "{d}");
    assert!(d.get("feedback").is_none(), "{d}");

    // A person's session: two batches, a valid proof, browser headers, features.
    let (status, ack) = botect_tests::sdk_ingest(
        &server,
        &t.site_key,
        Some(human),
        vec![event(&rid(), "scroll", json!({"scroll_velocity": 420}))],
    )
    .await;
    assert_eq!(status, 202, "{ack}");
    let d = botect_tests::eventually(
        std::time::Duration::from_secs(20),
        botect_tests::POLL,
        "the rescored detail",
        || async {
            let (_, d) = get(&server, &t, &format!("/sessions/{human}")).await;
            if d["session"]["event_count"] == 4 && d["scroll_velocity"].is_number() {
                Ok(d)
            } else {
                Err(d)
            }
        },
    )
    .await;
    let batches = d["batches"].as_array().unwrap();
    assert_eq!(batches.len(), 2, "{d}");
    assert_eq!(batches[0]["integrity"], "valid");
    assert_eq!(batches[1]["event_types"], json!({"scroll": 1}));
    assert_eq!(d["session"]["batch_count"], 2);
    let present: HashSet<&str> = d["request"]["headers_present"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap())
        .collect();
    for h in [
        "user_agent",
        "accept_language",
        "sec_fetch",
        "sec_ch_ua",
        "origin",
    ] {
        assert!(present.contains(h), "{h} missing: {d}");
    }
    assert!(!present.contains("sec_ch_ua_headless"));
    assert_eq!(d["request"]["ua_class"], "browser/chromium/140");
    assert_eq!(d["mouse_entropy"], 0.74);
    assert_eq!(d["scroll_velocity"], 420.0);
    // Never a full address or a raw user agent.
    let text = d.to_string();
    assert!(
        !text.contains("127.0.0.1") && !text.contains("Mozilla"),
        "{text}"
    );

    // Unknown session: 404; another project's session: 404 in this project.
    let (status, body) = get(&server, &t, "/sessions/sess_unknown").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("NOT_FOUND")),
        "{body}"
    );
    let other = tenant(&db, &server, "Detail other").await;
    let (status, _) = get(&server, &other, &format!("/sessions/{human}")).await;
    assert_eq!(status, 404);
    assert_rollups_exact(&db, &t).await;
}

async fn feedback_labels_sessions(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Labels").await;
    let [human, headless, by_hand] = botect_tests::three_banded_sessions(&server, &t).await;

    let (status, f) = feedback(
        &server,
        &t,
        headless,
        json!({"label": "human", "comment": "our QA robot"}),
    )
    .await;
    assert_eq!(status, 200, "{f}");
    assert_eq!(
        (f["label"].as_str(), f["comment"].as_str()),
        (Some("human"), Some("our QA robot"))
    );
    // Idempotent per session: the last label wins.
    let (status, f) = feedback(&server, &t, headless, json!({"label": "bot"})).await;
    assert_eq!(status, 200, "{f}");
    assert_eq!(
        (f["label"].as_str(), f["comment"].as_str()),
        (Some("bot"), Some(""))
    );
    let (status, _) = feedback(&server, &t, headless, json!({"label": "bot"})).await;
    assert_eq!(status, 200);
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM session_feedback").await,
        1
    );
    feedback(&server, &t, by_hand, json!({"label": "human"})).await;
    feedback(&server, &t, human, json!({"label": "human"})).await;

    let (_, d) = get(&server, &t, &format!("/sessions/{headless}")).await;
    assert_eq!(d["feedback"]["label"], "bot", "{d}");
    assert_eq!(
        list(&server, &t, "?band=definite").await["sessions"][0]["label"],
        "bot"
    );

    let (status, summary) = get(&server, &t, "/feedback/summary").await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        summary["bands"],
        json!([
            {"band": "not_computed", "human": 0, "bot": 0},
            {"band": "definite", "human": 0, "bot": 1},
            {"band": "likely_automated", "human": 1, "bot": 0},
            {"band": "likely_human", "human": 1, "bot": 0},
        ])
    );
    assert_eq!(summary["humans_in_bot_bands"], 1);
    assert_eq!(summary["bots_in_human_band"], 0);

    // Bad input: 422 naming the field, unknown session 404, another account 403; nothing
    // changes.
    for (body, field) in [
        (json!({"label": "maybe"}), "label"),
        (json!({}), "label"),
        (
            json!({"label": "bot", "comment": "x".repeat(1001)}),
            "comment",
        ),
    ] {
        let (status, e) = feedback(&server, &t, human, body.clone()).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (422, Some("INVALID_PAYLOAD")),
            "{body}: {e}"
        );
        assert_eq!(e["details"]["field"], field, "{e}");
    }
    let (status, _) = feedback(&server, &t, "sess_unknown", json!({"label": "bot"})).await;
    assert_eq!(status, 404);
    let other = tenant(&db, &server, "Labels other").await;
    let r = http()
        .post(server.url(&format!(
            "/v1/projects/{}/sessions/{human}/feedback",
            t.project
        )))
        .bearer_auth(&other.token)
        .json(&json!({"label": "bot"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let (_, d) = get(&server, &t, &format!("/sessions/{human}")).await;
    assert_eq!(d["feedback"]["label"], "human");
    // Labels change no verdict.
    assert_eq!(
        botect_tests::verdict(&server, &t.private_key, headless)
            .await
            .1["verdict"],
        "definite"
    );
}

async fn bad_list_queries_are_refused(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Bad list").await;
    for (query, field) in [
        ("?page_size=201", "page_size"),
        ("?band=verified", "band"),
        ("?min_score=100", "min_score"),
        ("?min_score=50&max_score=10", "min_score"),
        (
            "?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z",
            "since",
        ),
        ("?page_token=bm9wZQ", "page_token"),
        ("?page_token=%25%25", "page_token"),
    ] {
        let (status, e) = get(&server, &t, &format!("/sessions{query}")).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (422, Some("INVALID_PAYLOAD")),
            "{query}: {e}"
        );
        assert_eq!(e["details"]["field"], field, "{query}: {e}");
    }
    for query in [
        "?band=robot",
        "?action=maybe",
        "?since=yesterday",
        "?min_score=-1",
    ] {
        let (status, e) = get(&server, &t, &format!("/sessions{query}")).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (422, Some("INVALID_PAYLOAD")),
            "{query}: {e}"
        );
    }
}

/// A rescored session moves between roll-up rows (a later batch changes its score).
async fn rescoring_keeps_rollups_exact(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Rescore").await;
    let human = &*human_session(&server, &t.site_key).await;
    scored_verdict(&server, &t.private_key, human).await;
    assert_rollups_exact(&db, &t).await;
    ingest(
        &server,
        &t.site_key,
        Some(human),
        vec![event(
            &rid(),
            "js_probe",
            json!({"headless": true, "webdriver": true}),
        )],
    )
    .await;
    botect_tests::verdict_until(&server, &t.private_key, human, |v| {
        v["verdict"] != "likely_human"
    })
    .await;
    assert_rollups_exact(&db, &t).await;
    assert_eq!(
        sql_count(&db, &format!("SELECT CAST(COALESCE(SUM(sessions), 0) AS BIGINT) AS n FROM score_hours WHERE project_id = {} AND score = 87", t.project)).await,
        0
    );
}

both_dbs!(
    sessions_are_listed_filtered_and_paged,
    a_session_shows_what_scoring_saw,
    feedback_labels_sessions,
    bad_list_queries_are_refused,
    rescoring_keeps_rollups_exact,
);
