//! Durability and restarts: what was acknowledged survives `kill -9`; keys, settings and
//! verdicts survive a restart; sessions left pending are scored after it. Both databases.
use std::{collections::HashSet, sync::Arc, time::Duration};

use botect_tests::{
    Server, TestDb, both_dbs, event, fail_open, ingest, rid, scored_verdict, serde_json, settings,
    sql_count, tenant, verdict,
};
use serde_json::json;
use tokio::sync::Mutex;

async fn state_survives_restart(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Restart").await;
    settings(
        &server,
        &t,
        json!({"block_definite": true, "likely_bot_threshold": 40}),
    )
    .await;
    let (_, ack) = ingest(
        &server,
        &t.site_key,
        None,
        vec![event(&rid(), "js_probe", json!({"webdriver": true}))],
    )
    .await;
    let session = ack["session_token"].as_str().unwrap().to_string();
    let before = scored_verdict(&server, &t.private_key, &session).await;
    assert_eq!(before["action"], "block");
    server.kill9().await;

    let server = Server::start(&db).await;
    assert_eq!(verdict(&server, &t.private_key, &session).await.1, before);
    let (status, ack) = ingest(
        &server,
        &t.site_key,
        Some(&session),
        vec![event(&rid(), "page", json!({}))],
    )
    .await;
    assert_eq!(status, 202);
    assert_eq!(ack["session_token"], session.as_str());
    let s: serde_json::Value = botect_tests::http()
        .get(server.url(&format!("/v1/projects/{}/scoring", t.project)))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(s["likely_bot_threshold"], 40);
    assert_eq!(s["bot_settings"]["block_definite"], true);
    assert_eq!(s["site_key"], t.site_key.as_str());
}

async fn acknowledged_events_survive_kill9(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Durable").await;
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let mut senders = Vec::new();
    for _ in 0..4 {
        let (acked, key, base) = (acked.clone(), t.site_key.clone(), server.base.clone());
        senders.push(tokio::spawn(async move {
            let client = botect_tests::http();
            loop {
                let ids: Vec<String> = (0..5).map(|_| rid()).collect();
                let events: Vec<_> = ids
                    .iter()
                    .map(|id| event(id, "mouse", json!({"entropy": 0.5})))
                    .collect();
                let r = client
                    .post(format!("{base}/v1/events"))
                    .header("X-Botect-Site-Key", &key)
                    .json(&json!({"events": events}))
                    .send()
                    .await;
                match r {
                    Ok(r) if r.status() == 202 => acked.lock().await.extend(ids),
                    _ => break,
                }
            }
        }));
    }
    // Let acknowledgements accumulate, then SIGKILL with requests in flight.
    botect_tests::eventually(
        Duration::from_secs(60),
        Duration::from_millis(20),
        "200 acknowledged events",
        || async {
            match acked.lock().await.len() {
                n if n >= 200 => Ok(()),
                n => Err(n),
            }
        },
    )
    .await;
    server.kill9().await;
    for s in senders {
        let _ = tokio::time::timeout(Duration::from_secs(10), s).await;
    }
    let acked = acked.lock().await.clone();
    assert!(acked.len() >= 200);
    let unique: HashSet<&String> = acked.iter().collect();
    assert_eq!(unique.len(), acked.len());
    for chunk in acked.chunks(100) {
        let list = chunk
            .iter()
            .map(|id| format!("'{id}'"))
            .collect::<Vec<_>>()
            .join(",");
        let n = sql_count(
            &db,
            &format!("SELECT COUNT(*) AS n FROM events WHERE request_id IN ({list})"),
        )
        .await;
        assert_eq!(n as usize, chunk.len(), "an acknowledged event was lost");
    }
    // The restarted server serves the same data.
    let server = Server::start(&db).await;
    let (status, _) = ingest(
        &server,
        &t.site_key,
        None,
        vec![event(&acked[0], "mouse", json!({}))],
    )
    .await;
    assert_eq!(status, 202);
}

async fn pending_sessions_are_scored_after_restart(db: TestDb) {
    let server = Server::start_with(&db, &["--workers", "0"]).await;
    let t = tenant(&db, &server, "Pending").await;
    let mut sessions = Vec::new();
    for _ in 0..5 {
        sessions.push(botect_tests::human_session(&server, &t.site_key).await);
    }
    assert_eq!(
        verdict(&server, &t.private_key, &sessions[0]).await.1,
        fail_open()
    );
    assert_eq!(
        sql_count(
            &db,
            "SELECT COUNT(*) AS n FROM sessions WHERE pending = TRUE"
        )
        .await,
        5
    );
    server.kill9().await;

    let server = Server::start(&db).await;
    for s in &sessions {
        let v = scored_verdict(&server, &t.private_key, s).await;
        assert_eq!(v["verdict"], "likely_human");
        assert_eq!(v["score"], 87);
    }
    assert_eq!(
        sql_count(
            &db,
            "SELECT COUNT(*) AS n FROM sessions WHERE pending = TRUE"
        )
        .await,
        0
    );
}

both_dbs!(
    state_survives_restart,
    acknowledged_events_survive_kill9,
    pending_sessions_are_scored_after_restart
);
