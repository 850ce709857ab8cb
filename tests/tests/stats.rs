//! A project's stats through real servers on both databases: sessions per bucket by band and
//! by action under the current policy, sessions not scored yet, events and events over
//! quota, top detection IDs, the day bucket, windows, and bad input.
use botect_client::{Botect, pb};
use botect_tests::{
    Server, Tenant, TestDb, both_dbs, event, http, human_session, ingest, rid, scored_verdict,
    serde_json, settings, tenant,
};
use serde_json::{Value, json};

async fn stats(server: &Server, t: &Tenant, query: &str) -> (u16, Value) {
    let r = http()
        .get(server.url(&format!("/v1/projects/{}/stats{query}", t.project)))
        .bearer_auth(&t.token)
        .send()
        .await
        .expect("stats");
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// The sums over every bucket of the field `group.key`.
fn total(s: &Value, group: &str, key: &str) -> u64 {
    s["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| {
            if group.is_empty() {
                b[key].as_u64().unwrap()
            } else {
                b[group][key].as_u64().unwrap()
            }
        })
        .sum()
}

async fn stats_count_bands_actions_and_events(db: TestDb) {
    // Nothing scores on A: its sessions are not computed yet.
    let a = Server::start_with(&db, &["--workers", "0"]).await;
    let t = tenant(&db, &a, "Stats").await;
    let human = human_session(&a, &t.site_key).await;
    let (_, ack) = ingest(
        &a,
        &t.site_key,
        None,
        vec![
            event(&rid(), "page", json!({"page_path_hash": "ab12"})),
            event(
                &rid(),
                "js_probe",
                json!({"webdriver": true, "headless": true, "plugins": []}),
            ),
        ],
    )
    .await;
    let headless = ack["session_token"].as_str().unwrap().to_string();
    let (_, ack) = ingest(
        &a,
        &t.site_key,
        None,
        vec![event(
            &rid(),
            "mouse",
            json!({"entropy": 0.74, "samples": 128}),
        )],
    )
    .await;
    let by_hand = ack["session_token"].as_str().unwrap().to_string();

    let (status, s) = stats(&a, &t, "").await;
    assert_eq!(status, 200, "{s}");
    assert_eq!(s["bucket"], "hour");
    assert_eq!(s["buckets"].as_array().unwrap().len(), 24, "{s}");
    assert_eq!(total(&s, "sessions", "not_computed"), 3, "{s}");
    assert_eq!(total(&s, "actions", "allow"), 3, "{s}");
    assert_eq!(total(&s, "", "events"), 6, "{s}");
    assert_eq!(total(&s, "", "over_quota_events"), 0);
    assert_eq!(s["events_this_month"], 6);
    assert_eq!(s["monthly_event_quota"], 0);
    assert_eq!(s["top_detections"], json!([]));
    // The current hour is the last bucket (or, across an hour's end, the one before).
    let buckets = s["buckets"].as_array().unwrap();
    let recent: u64 = buckets[22..]
        .iter()
        .map(|b| b["sessions"]["not_computed"].as_u64().unwrap())
        .sum();
    assert_eq!(recent, 3, "{s}");

    // B scores them.
    let b = Server::start(&db).await;
    for (session, band) in [
        (&human, "likely_human"),
        (&headless, "definite"),
        (&by_hand, "likely_automated"),
    ] {
        assert_eq!(
            scored_verdict(&b, &t.private_key, session).await["verdict"],
            band
        );
    }
    let (_, s) = stats(&b, &t, "").await;
    assert_eq!(
        [
            total(&s, "sessions", "not_computed"),
            total(&s, "sessions", "definite"),
            total(&s, "sessions", "likely_automated"),
            total(&s, "sessions", "likely_human"),
        ],
        [0, 1, 1, 1],
        "{s}"
    );
    assert_eq!(total(&s, "actions", "allow"), 3);
    let top = s["top_detections"].as_array().unwrap();
    let signature = top
        .iter()
        .find(|d| d["detection_id"] == 50331648)
        .unwrap_or_else(|| panic!("{s}"));
    assert_eq!(signature["sessions"], 1);
    assert_eq!(signature["name"], "automation_signature");
    assert!(
        top.iter()
            .any(|d| d["detection_id"] == 0x0100_000A && d["sessions"] == 1),
        "{s}"
    );

    // The current policy at read time: toggles and threshold.
    settings(
        &b,
        &t,
        json!({"block_definite": true, "challenge_likely": true, "likely_bot_threshold": 90}),
    )
    .await;
    let (_, s) = stats(&a, &t, "").await;
    assert_eq!(total(&s, "actions", "block"), 1, "{s}");
    assert_eq!(total(&s, "actions", "challenge"), 2, "{s}");
    assert_eq!(total(&s, "sessions", "likely_automated"), 2, "{s}");
    assert_eq!(s["actions_exclude_rules"], false);
    let r = http()
        .post(b.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"name": "n", "expression": "score < 2", "action": "log"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    assert_eq!(stats(&a, &t, "").await.1["actions_exclude_rules"], true);

    // Over quota: events accepted past the quota are counted apart.
    db.cli(&[
        "quota",
        "set",
        "--account",
        &t.account_id.to_string(),
        "--monthly-events",
        "1",
    ])
    .await;
    ingest(
        &a,
        &t.site_key,
        Some(&human),
        vec![event(&rid(), "scroll", json!({"scroll_velocity": 300}))],
    )
    .await;
    let (_, s) = stats(&a, &t, "").await;
    assert_eq!(total(&s, "", "events"), 7, "{s}");
    assert_eq!(total(&s, "", "over_quota_events"), 1, "{s}");
    assert_eq!(s["monthly_event_quota"], 1);

    // Days: one bucket holds them all; a window in the past has empty buckets.
    let (_, s) = stats(&a, &t, "?bucket=day").await;
    assert_eq!(s["buckets"].as_array().unwrap().len(), 30, "{s}");
    assert_eq!(total(&s, "", "events"), 7);
    let (_, s) = stats(
        &a,
        &t,
        "?since=2020-01-01T00:30:00Z&until=2020-01-01T06:00:00Z",
    )
    .await;
    assert_eq!(s["since"], "2020-01-01T00:00:00Z");
    assert_eq!(s["buckets"].as_array().unwrap().len(), 6, "{s}");
    assert_eq!(total(&s, "", "events"), 0);

    // Over gRPC.
    let botect = Botect::connect(a.base.clone()).await.unwrap();
    let g = botect
        .stats(&t.token)
        .unwrap()
        .get_stats(pb::GetStatsRequest {
            project: t.project as u32,
            bucket: "day".into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(g.buckets.iter().map(|b| b.events).sum::<u32>(), 7);
}

async fn bad_stats_queries_are_refused(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Bad stats").await;
    for (query, field) in [
        ("?bucket=week", "bucket"),
        (
            "?since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z",
            "since",
        ),
        (
            "?since=2026-01-01T00:00:00Z&until=2026-03-01T00:00:00Z",
            "since",
        ),
        (
            "?bucket=day&since=2020-01-01T00:00:00Z&until=2026-01-01T00:00:00Z",
            "since",
        ),
    ] {
        let (status, e) = stats(&server, &t, query).await;
        assert_eq!(
            (status, e["code"].as_str()),
            (422, Some("INVALID_PAYLOAD")),
            "{query}: {e}"
        );
        assert_eq!(e["details"]["field"], field, "{query}: {e}");
    }
    let other = tenant(&db, &server, "Bad stats other").await;
    let r = http()
        .get(server.url(&format!("/v1/projects/{}/stats", t.project)))
        .bearer_auth(&other.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}

both_dbs!(
    stats_count_bands_actions_and_events,
    bad_stats_queries_are_refused
);
