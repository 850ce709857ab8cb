//! `POST /v1/sessions/{session_token}/logged-in` as the official server SDK sends it (no body,
//! no Content-Type), on both databases: 404 `UNKNOWN_SESSION` before the session exists, the
//! assertion stored and usable in rules on the next verdict read, never a score input, and
//! only for the private key's own project.
use botect_client::{Botect, pb};
use botect_tests::{
    Server, Tenant, TestDb, both_dbs, event, http, human_session, ingest, rid, scored_verdict,
    serde_json, tenant, verdict,
};
use serde_json::{Value, json};

async fn assert_logged_in(server: &Server, key: &str, session: &str) -> (u16, Value) {
    let r = http()
        .post(server.url(&format!("/v1/sessions/{session}/logged-in")))
        .header("accept", "application/json")
        .header("authorization", format!("Bearer {key}"))
        .header("user-agent", "botect-sdk-php/0.1")
        .send()
        .await
        .expect("logged-in");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn headless(server: &Server, t: &Tenant) -> String {
    let (_, ack) = ingest(
        server,
        &t.site_key,
        None,
        vec![
            event(&rid(), "page", json!({"page_path_hash": "ab12"})),
            event(
                &rid(),
                "js_probe",
                json!({"webdriver": true, "headless": true}),
            ),
        ],
    )
    .await;
    ack["session_token"].as_str().unwrap().to_string()
}

async fn the_backend_asserts_a_signed_in_user(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Logged in").await;

    // Before the session exists: 404 UNKNOWN_SESSION (the SDK retries).
    let (status, e) =
        assert_logged_in(&server, &t.private_key, "sess_not_yet_here_0123456789").await;
    assert_eq!(
        (status, e["code"].as_str()),
        (404, Some("UNKNOWN_SESSION")),
        "{e}"
    );

    let person = human_session(&server, &t.site_key).await;
    let human = scored_verdict(&server, &t.private_key, &person).await;
    let (status, a) = assert_logged_in(&server, &t.private_key, &person).await;
    assert_eq!(status, 200, "{a}");
    let keys: Vec<&String> = a.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["logged_in", "asserted_at"], "{a}");
    assert_eq!(a["logged_in"], true);
    assert!(a["asserted_at"].as_str().unwrap().ends_with('Z'), "{a}");
    // Never a score input.
    assert_eq!(verdict(&server, &t.private_key, &person).await.1, human);

    // A bot stays a bot; a rule on `logged_in` applies from the next read.
    let bot = headless(&server, &t).await;
    let before = scored_verdict(&server, &t.private_key, &bot).await;
    assert_eq!(before["verdict"], "definite", "{before}");
    let r = http()
        .post(server.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"name": "signed-in bots", "expression": "logged_in AND band == \"definite\"", "action": "challenge"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(
        verdict(&server, &t.private_key, &bot).await.1["action"],
        "allow"
    );
    assert_eq!(assert_logged_in(&server, &t.private_key, &bot).await.0, 200);
    let after = verdict(&server, &t.private_key, &bot).await.1;
    assert_eq!(
        (after["verdict"].as_str(), after["score"].as_u64()),
        (Some("definite"), Some(1)),
        "{after}"
    );
    assert_eq!(after["action"], "challenge", "{after}");

    // Over gRPC.
    let botect = Botect::connect(server.base.clone()).await.unwrap();
    let g = botect
        .verdicts(&t.private_key)
        .unwrap()
        .assert_logged_in(pb::AssertLoggedInRequest {
            session_token: person.clone(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(g.logged_in && g.asserted_at.is_some());

    // Only the private key, and only its own project's sessions.
    let other = tenant(&db, &server, "Logged in other").await;
    let (status, e) = assert_logged_in(&server, &other.private_key, &person).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (404, Some("UNKNOWN_SESSION")),
        "{e}"
    );
    for key in [&t.token, &t.site_key] {
        assert_eq!(assert_logged_in(&server, key, &person).await.0, 401);
    }
    let n = botect_tests::sql_count(
        &db,
        &format!(
            "SELECT COUNT(*) AS n FROM sessions WHERE logged_in = TRUE AND project_id = {}",
            other.project
        ),
    )
    .await;
    assert_eq!(n, 0);
}

both_dbs!(the_backend_asserts_a_signed_in_user);
