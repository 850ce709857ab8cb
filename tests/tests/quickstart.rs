//! The quickstart of `shared/spec/quickstart.md`, verbatim over REST, with exact JSON shapes.
use botect_tests::{
    Server, TestDb, both_dbs, fail_open, http, human_session, scored_verdict, serde_json,
};
use serde_json::{Value, json};

fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

async fn quickstart(db: TestDb) {
    let server = Server::start(&db).await;
    let email = "dev@acme.test";
    db.cli(&["account", "create", "--name", "Acme", "--email", email])
        .await;
    let token = db
        .cli(&["token", "create", "--email", email, "--name", "ci"])
        .await
        .trim()
        .to_string();
    let c = http();

    let project: Value = c
        .post(server.url("/v1/projects"))
        .bearer_auth(&token)
        .json(&json!({"name": "shop"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = project["id"].as_i64().expect("numeric id");
    assert_eq!(project["name"], "shop");
    assert!(
        project["created_at"].as_str().unwrap().ends_with('Z'),
        "{project}"
    );

    // 1. Enable scoring
    let r = c
        .post(server.url(&format!("/v1/projects/{id}/scoring")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let enabled: Value = r.json().await.unwrap();
    assert_eq!(
        keys(&enabled),
        [
            "site_key",
            "private_key",
            "bot_settings",
            "likely_bot_threshold"
        ]
    );
    let site_key = enabled["site_key"].as_str().unwrap().to_string();
    let private_key = enabled["private_key"].as_str().unwrap().to_string();
    assert!(site_key.starts_with("pk_") && private_key.starts_with("sk_"));
    assert_eq!(
        enabled["bot_settings"],
        json!({"allow_verified": true, "protect_static": true, "block_definite": false, "challenge_likely": false})
    );
    assert_eq!(enabled["likely_bot_threshold"], 30);
    // Idempotent: the private key is shown once, then null.
    let again: Value = c
        .post(server.url(&format!("/v1/projects/{id}/scoring")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["site_key"], site_key.as_str());
    assert!(
        again.as_object().unwrap().contains_key("private_key") && again["private_key"].is_null(),
        "{again}"
    );

    // 2. Stream signals from the browser (the quickstart's curl body, byte for byte)
    let r = c
        .post(server.url("/v1/events"))
        .header("X-Botect-Site-Key", &site_key)
        .header("Idempotency-Key", "6f1c-batch-uuid")
        .header("Content-Type", "application/json")
        .body(
            r#"{
    "session_token": null,
    "events": [
      {
        "request_id": "a1b2-event-uuid",
        "type": "mouse",
        "received_at": "2026-06-14T10:00:00Z",
        "payload": { "entropy": 0.74, "samples": 128 }
      }
    ]
  }"#,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let ack: Value = r.json().await.unwrap();
    assert_eq!(keys(&ack), ["session_token", "accepted", "duplicates"]);
    let session = ack["session_token"].as_str().unwrap().to_string();
    assert!(session.starts_with("sess_"));
    assert_eq!(ack["accepted"], 1);
    assert_eq!(ack["duplicates"], 0);

    // 3. Read the verdict from your backend. The curl above is a script, not the browser
    // SDK: no SDK events, no proof of work (the evidence gate, README step 3).
    let v = scored_verdict(&server, &private_key, &session).await;
    assert_eq!(
        v,
        json!({"verdict": "likely_automated", "score": 4, "action": "allow", "detection_ids": [16777226, 16777227],
               "reason": "No browser SDK evidence (no js_probe event, no page or snapshot event); Missing integrity proof."})
    );
    // What the browser SDK sends (its page and probe events, a solved challenge) is judged
    // on its interaction: the published likely_human 87.
    let human = human_session(&server, &site_key).await;
    assert_eq!(
        scored_verdict(&server, &private_key, &human).await,
        json!({"verdict": "likely_human", "score": 87, "action": "allow", "detection_ids": [],
               "reason": "No bot signals; natural interaction profile."})
    );
    assert_eq!(
        keys(&v),
        ["verdict", "score", "action", "detection_ids", "reason"]
    );
    // An unknown session fails open.
    let r = c
        .get(server.url("/v1/sessions/sess_unknown/verdict"))
        .header("X-Botect-Private-Key", &private_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), fail_open());

    // 4. Turn on enforcement
    let r = c
        .put(server.url(&format!("/v1/projects/{id}/scoring/settings")))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body(r#"{ "block_definite": true, "challenge_likely": true }"#)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!({"bot_settings": {"allow_verified": true, "protect_static": true, "block_definite": true, "challenge_likely": true},
               "likely_bot_threshold": 30, "challenge_difficulty": 18})
    );
    // From the next read on: the script's session is challenged, the person's allowed.
    let v = scored_verdict(&server, &private_key, &session).await;
    assert_eq!(
        (v["verdict"].as_str(), v["action"].as_str()),
        (Some("likely_automated"), Some("challenge"))
    );
    let v = scored_verdict(&server, &private_key, &human).await;
    assert_eq!(v["action"], "allow");

    // Authentication page: account, user, rotation.
    let account: Value = c
        .get(server.url("/v1/account"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        keys(&account),
        ["id", "name", "slug", "is_personal", "role"]
    );
    assert_eq!(account["name"], "Acme");
    let user: Value = c
        .get(server.url("/user"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(keys(&user), ["id", "name", "email", "created_at"]);
    assert_eq!(user["email"], email);
    let rotated: Value = c
        .post(server.url(&format!("/v1/projects/{id}/scoring/rotate")))
        .bearer_auth(&token)
        .json(&json!({"type": "private"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rotated["type"], "private");
    let new_key = rotated["key"].as_str().unwrap();
    assert!(new_key.starts_with("sk_") && new_key != private_key);
    let (old, _) = botect_tests::verdict(&server, &private_key, &session).await;
    assert_eq!(old, 401);
    let v = scored_verdict(&server, new_key, &human).await;
    assert_eq!(v["verdict"], "likely_human");
}

both_dbs!(quickstart);
