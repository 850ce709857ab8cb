//! Policy through the real server on both databases: the rules API, every step of the
//! contract's verdict resolution order (§4), verified bots by IP range, rule changes applying
//! on the next read of another process, and plan features.
use botect_tests::{
    Server, Tenant, TestDb, both_dbs, event, fail_open, http, ingest, rid, scored_verdict,
    serde_json, settings, tenant,
};
use serde_json::{Value, json};

async fn post_rule(server: &Server, t: &Tenant, body: Value) -> (u16, Value) {
    let r = http()
        .post(server.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn read(server: &Server, t: &Tenant, session: &str, query: &str) -> Value {
    let r = http()
        .get(server.url(&format!("/v1/sessions/{session}/verdict{query}")))
        .bearer_auth(&t.private_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn scored_session(server: &Server, t: &Tenant, events: Vec<Value>) -> String {
    let (_, ack) = ingest(server, &t.site_key, None, events).await;
    let s = ack["session_token"].as_str().unwrap().to_string();
    scored_verdict(server, &t.private_key, &s).await;
    s
}

async fn rules_api(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Rules").await;
    let (status, r) = post_rule(
        &server,
        &t,
        json!({"name": "block login bots", "expression": "score < 30 AND path == \"/login\" AND NOT verified_bot", "action": "block"}),
    )
    .await;
    assert_eq!(status, 201, "{r}");
    let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "id",
            "project_id",
            "name",
            "expression_source",
            "action",
            "is_active",
            "sort_order",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        (r["is_active"].as_bool(), r["sort_order"].as_i64()),
        (Some(true), Some(0))
    );
    assert_eq!(
        r["expression_source"],
        "score < 30 AND path == \"/login\" AND NOT verified_bot"
    );
    let first = r["id"].as_i64().unwrap();
    let (_, second) =
        post_rule(&server, &t, json!({"name": "early", "expression": "band == \"definite\"", "action": "log", "sort_order": -5})).await;
    // Bare array by sort_order.
    let list: Value = http()
        .get(server.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["early", "block login bots"]);
    // Single-rule GET and partial PUT.
    let url = server.url(&format!("/v1/projects/{}/rules/{first}", t.project));
    let got: Value = http()
        .get(&url)
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["name"], "block login bots");
    let put: Value = http()
        .put(&url)
        .bearer_auth(&t.token)
        .json(&json!({"action": "challenge", "is_active": false}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (put["action"].as_str(), put["is_active"].as_bool()),
        (Some("challenge"), Some(false))
    );
    assert_eq!(put["expression_source"], got["expression_source"]);
    // Bad expressions and fields: 422 naming the problem; nothing stored.
    for (body, field, needle) in [
        (
            json!({"name": "x", "expression": "scorre < 30", "action": "block"}),
            "expression",
            "Unknown field \"scorre\" in rule expression.",
        ),
        (
            json!({"name": "x", "expression": "score < \"high\"", "action": "block"}),
            "expression",
            "score",
        ),
        (
            json!({"name": "x", "expression": "(score < 30", "action": "block"}),
            "expression",
            "",
        ),
        (
            json!({"name": "x", "expression": "score < 30 AND", "action": "block"}),
            "expression",
            "",
        ),
        (
            json!({"name": "x", "expression": "ip in [\"10.0.0.0/33\"]", "action": "block"}),
            "expression",
            "",
        ),
        (
            json!({"name": "x", "expression": "score < 30"}),
            "action",
            "required",
        ),
        (
            json!({"name": "x", "expression": "score < 30", "action": "explode"}),
            "action",
            "",
        ),
        (
            json!({"name": "", "expression": "score < 30", "action": "block"}),
            "name",
            "",
        ),
    ] {
        let (status, e) = post_rule(&server, &t, body.clone()).await;
        assert_eq!(status, 422, "{body}: {e}");
        assert_eq!(e["code"], "INVALID_PAYLOAD");
        assert_eq!(e["details"]["field"], field, "{e}");
        assert!(e["message"].as_str().unwrap().contains(needle), "{e}");
    }
    let list: Value = http()
        .get(server.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2);
    // Scope: another project's rule is 404, another account's project 403.
    let other = tenant(&db, &server, "Other").await;
    let r = http()
        .get(server.url(&format!("/v1/projects/{}/rules/{first}", other.project)))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = http()
        .get(&url)
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "FORBIDDEN");
    // Delete: 204, then 404.
    let del = server.url(&format!(
        "/v1/projects/{}/rules/{}",
        t.project, second["id"]
    ));
    assert_eq!(
        http()
            .delete(&del)
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let r = http()
        .delete(&del)
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "NOT_FOUND");
}

async fn resolution_order(db: TestDb) {
    let a = Server::start(&db).await;
    let b = Server::start(&db).await;
    let t = tenant(&db, &a, "Order").await;
    let headless = scored_session(
        &a,
        &t,
        vec![event(&rid(), "js_probe", json!({"webdriver": true}))],
    )
    .await;
    let human = botect_tests::human_session(&a, &t.site_key).await;
    botect_tests::scored_verdict(&a, &t.private_key, &human).await;
    assert_eq!(read(&b, &t, &headless, "").await["verdict"], "definite");

    // A rule that matches everything scored.
    let (_, all) = post_rule(&a, &t, json!({"name": "everything", "expression": "score >= 1", "action": "challenge", "sort_order": 10})).await;
    // (1) fail-open cases never reach the rules.
    assert_eq!(read(&b, &t, "sess_unknown", "").await, fail_open());
    // (4) the rule applies on the next read, on the other process too.
    let v = read(&b, &t, &human, "").await;
    assert_eq!(v["action"], "challenge");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .starts_with("Rule \"everything\" matched (challenge)."),
        "{v}"
    );
    // (2) a verified crawler (Bingbot's published range) is allowed before any rule, even
    // with no session at all; with allow_verified off the rules see it.
    let crawler = "?ip=157.55.39.10&ua=Mozilla%2F5.0%20(compatible%3B%20bingbot%2F2.0)";
    let v = read(&b, &t, "sess_unknown", crawler).await;
    assert_eq!(
        (v["verdict"].as_str(), v["action"].as_str()),
        (Some("verified"), Some("allow")),
        "{v}"
    );
    settings(&a, &t, json!({"allow_verified": false})).await;
    post_rule(&a, &t, json!({"name": "no crawlers", "expression": "verified_bot AND verified_bot_category == \"Search\"", "action": "block", "sort_order": 1})).await;
    let v = read(&b, &t, "sess_unknown", crawler).await;
    assert_eq!(
        (v["verdict"].as_str(), v["action"].as_str()),
        (Some("verified"), Some("block")),
        "{v}"
    );
    // A UA claim alone verifies nothing.
    let v = read(
        &b,
        &t,
        &human,
        "?ip=198.51.100.7&ua=Mozilla%2F5.0%20(compatible%3B%20bingbot%2F2.0)",
    )
    .await;
    assert_eq!(v["verdict"], "likely_human");
    settings(&a, &t, json!({"allow_verified": true})).await;
    // (3) static resources bypass the rules only when protect_static is off.
    assert_eq!(
        read(&b, &t, &headless, "?path=/static/app.js").await["action"],
        "challenge"
    );
    settings(&a, &t, json!({"protect_static": false})).await;
    assert_eq!(
        read(&b, &t, &headless, "?path=/static/app.js").await["action"],
        "allow"
    );
    settings(&a, &t, json!({"protect_static": true})).await;
    // (4) order and `log`: an earlier log rule is noted and evaluation goes on.
    post_rule(&a, &t, json!({"name": "watch login", "expression": "path == \"/login\"", "action": "log", "sort_order": -1})).await;
    let v = read(&b, &t, &headless, "?path=/login").await;
    assert_eq!(v["action"], "challenge");
    assert!(
        v["reason"].as_str().unwrap().contains("\"watch login\""),
        "{v}"
    );
    // (5) toggles decide when no terminating rule matches; a lone log match keeps them.
    let url = a.url(&format!("/v1/projects/{}/rules/{}", t.project, all["id"]));
    http()
        .put(&url)
        .bearer_auth(&t.token)
        .json(&json!({"is_active": false}))
        .send()
        .await
        .unwrap();
    settings(&a, &t, json!({"block_definite": true})).await;
    assert_eq!(
        read(&b, &t, &headless, "?path=/login").await["action"],
        "block"
    );
    // (6) otherwise allow — or `log` when only a log rule matched.
    assert_eq!(read(&b, &t, &human, "?path=/home").await["action"], "allow");
    assert_eq!(read(&b, &t, &human, "?path=/login").await["action"], "log");
    // Rule fields from the session: behavioral features and the probe result.
    post_rule(&a, &t, json!({"name": "smooth movers", "expression": "behavioral.mouse_entropy >= 0.7 AND score > 80", "action": "delay", "sort_order": -10})).await;
    assert_eq!(read(&b, &t, &human, "?path=/home").await["action"], "delay");
}

async fn plan_features(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Plans").await;
    let export = || async {
        let r = http()
            .get(server.url("/v1/verified-bots/export"))
            .bearer_auth(&t.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json::<Value>().await.unwrap())
    };
    let (status, body) = export().await;
    assert_eq!(status, 200);
    let data = body["data"].as_array().unwrap();
    assert_eq!(body["meta"]["count"].as_u64(), Some(data.len() as u64));
    for row in data {
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys, ["name", "category", "match_method", "match_value"]);
        assert!(
            ["search", "ai_crawler", "ai_search", "monitoring", "seo"]
                .contains(&row["category"].as_str().unwrap())
        );
        assert!(["ip_cidr", "rdns_suffix"].contains(&row["match_method"].as_str().unwrap()));
    }
    assert!(data.iter().any(|r| r["match_value"] == "googlebot.com"));
    let account = t.account_id.to_string();
    db.cli(&["plan", "set", "--account", &account, "--plan", "free"])
        .await;
    let (status, body) = export().await;
    assert_eq!(status, 403);
    assert_eq!(body["code"], "FEATURE_NOT_AVAILABLE");
    assert_eq!(body["details"]["feature"], "verified-bots-export");
    db.cli(&[
        "plan",
        "set",
        "--account",
        &account,
        "--plan",
        "free",
        "--features",
        "verified-bots-export",
    ])
    .await;
    assert_eq!(export().await.0, 200);
    db.cli(&["plan", "set", "--account", &account, "--plan", "pro"])
        .await;
    assert_eq!(export().await.0, 200);
    // The plan's quota came with it.
    let out = db
        .cli(&["plan", "set", "--account", &account, "--plan", "free"])
        .await;
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["monthly_event_quota"], 100000);
}

both_dbs!(rules_api, resolution_order, plan_features);
