//! Overload: a server driven past its ingest bound (`--max-pending-ingest`) sheds batches at
//! once with `204` (gRPC: OK with `shed: true`), stores nothing of them, never answers 429 or
//! a 5xx; every `202` is in the database; verdict reads keep answering `200` within their
//! deadline meanwhile. The load is bounded (a fixed number of requests, at most `PARALLEL`
//! in flight), so the test measures behaviour, not the machine.
use std::{
    collections::BTreeSet,
    sync::Arc,
    time::{Duration, Instant},
};

use botect_client::{Botect, pb};
use botect_tests::{Server, TestDb, both_dbs, http, serde_json, sql_count, tenant};
use futures::StreamExt;
use serde_json::{Value, json};

/// Requests sent, events per batch, requests in flight at once.
const REQUESTS: usize = 400;
const EVENTS: usize = 5;
const PARALLEL: usize = 64;

#[derive(Debug)]
enum Answer {
    /// A stored batch: events accepted.
    Stored(u32),
    Shed,
    Other(String),
}

fn request_ids(i: usize) -> Vec<String> {
    (0..EVENTS).map(|j| format!("ovl-{i}-{j}")).collect()
}

async fn rest_batch(server: &Server, site_key: &str, i: usize) -> Answer {
    let events: Vec<Value> = request_ids(i)
        .iter()
        .map(|id| {
            json!({"request_id": id, "type": "mouse", "received_at": "2026-06-14T10:00:00Z",
                   "payload": {"entropy": 0.5, "samples": 10}})
        })
        .collect();
    let r = http()
        .post(server.url("/v1/events"))
        .header("X-Botect-Site-Key", site_key)
        .json(&json!({"session_token": null, "events": events}))
        .send()
        .await
        .expect("ingest");
    let status = r.status().as_u16();
    let content_type = r.headers().get("content-type").cloned();
    let body = r.bytes().await.expect("body");
    match status {
        202 => {
            let v: Value = serde_json::from_slice(&body).expect("202 body");
            Answer::Stored(v["accepted"].as_u64().expect("accepted") as u32)
        }
        204 => {
            assert!(body.is_empty(), "a 204 has no body: {body:?}");
            assert!(content_type.is_none(), "a 204 has no content type");
            Answer::Shed
        }
        s => Answer::Other(format!("{s} {}", String::from_utf8_lossy(&body))),
    }
}

async fn grpc_batch(botect: &Botect, site_key: &str, i: usize) -> Answer {
    let events = request_ids(i)
        .into_iter()
        .map(|id| pb::Event {
            request_id: id,
            r#type: pb::EventType::Mouse as i32,
            received_at: "2026-06-14T10:00:00Z".into(),
            payload: None,
        })
        .collect();
    let req = pb::IngestEventsRequest {
        session_token: None,
        events,
        site_key: None,
        integrity: None,
    };
    match botect.ingest(site_key).unwrap().ingest_events(req).await {
        Ok(r) => {
            let r = r.into_inner();
            if r.shed == Some(true) {
                assert_eq!((r.accepted, r.session_token.as_str()), (0, ""), "{r:?}");
                Answer::Shed
            } else {
                assert!(r.session_token.starts_with("sess_"), "{r:?}");
                Answer::Stored(r.accepted)
            }
        }
        Err(s) => Answer::Other(format!("gRPC {:?} {}", s.code(), s.message())),
    }
}

async fn overload_sheds_with_204_and_loses_nothing(db: TestDb) {
    let server = Server::start_logged(
        &db,
        &["--max-pending-ingest", "2"],
        "warn,sqlx=error,sea_orm=error",
    )
    .await;
    let t = tenant(&db, &server, "Overload").await;
    let botect = Botect::connect(server.base.clone()).await.unwrap();

    // A scored session whose verdict is read throughout the flood.
    let (status, ack) = botect_tests::ingest(
        &server,
        &t.site_key,
        None,
        vec![botect_tests::event(
            "ovl-reader",
            "mouse",
            json!({"entropy": 0.7}),
        )],
    )
    .await;
    assert_eq!(status, 202, "{ack}");
    let session = ack["session_token"].as_str().unwrap().to_string();
    botect_tests::scored_verdict(&server, &t.private_key, &session).await;

    let flooding = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let reader = {
        let (server_url, key, flooding) =
            (server.base.clone(), t.private_key.clone(), flooding.clone());
        tokio::spawn(async move {
            let mut slowest = Duration::ZERO;
            let mut reads = 0;
            while flooding.load(std::sync::atomic::Ordering::Relaxed) {
                let start = Instant::now();
                let r = http()
                    .get(format!("{server_url}/v1/sessions/{session}/verdict"))
                    .bearer_auth(&key)
                    .send()
                    .await
                    .expect("verdict");
                assert_eq!(r.status(), 200, "a verdict read under overload");
                let v: Value = r.json().await.unwrap();
                assert!(v["action"].is_string(), "{v}");
                slowest = slowest.max(start.elapsed());
                reads += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            (reads, slowest)
        })
    };

    // Every fourth request over gRPC, the others over REST.
    let answers: Vec<(usize, Answer)> = futures::stream::iter(0..REQUESTS)
        .map(|i| {
            let (server, botect, key) = (&server, &botect, &t.site_key);
            async move {
                let a = if i % 4 == 0 {
                    grpc_batch(botect, key, i).await
                } else {
                    rest_batch(server, key, i).await
                };
                (i, a)
            }
        })
        .buffer_unordered(PARALLEL)
        .collect()
        .await;
    flooding.store(false, std::sync::atomic::Ordering::Relaxed);
    let (reads, slowest) = reader.await.unwrap();

    let other: Vec<&String> = answers
        .iter()
        .filter_map(|(_, a)| match a {
            Answer::Other(s) => Some(s),
            _ => None,
        })
        .collect();
    assert!(
        other.is_empty(),
        "no 429, no 5xx, no error under overload: {other:?}"
    );
    let shed: BTreeSet<usize> = answers
        .iter()
        .filter(|(_, a)| matches!(a, Answer::Shed))
        .map(|(i, _)| *i)
        .collect();
    let accepted: u32 = answers
        .iter()
        .map(|(_, a)| match a {
            Answer::Stored(n) => *n,
            _ => 0,
        })
        .sum();
    let stored_batches = REQUESTS - shed.len();
    eprintln!(
        "{REQUESTS} batches: {stored_batches} stored (202), {} shed (204); {reads} verdict reads, slowest {slowest:?}",
        shed.len()
    );
    assert!(!shed.is_empty(), "the bound of 2 was never exceeded");
    assert!(
        shed.iter().any(|i| i % 4 == 0),
        "no gRPC batch was shed: {shed:?}"
    );
    assert!(stored_batches > 0, "nothing was stored");
    assert_eq!(accepted as usize, stored_batches * EVENTS);

    // Every acknowledged event is in the database, and nothing of a shed batch.
    let stored = sql_count(
        &db,
        "SELECT COUNT(*) AS n FROM events WHERE request_id LIKE 'ovl-%' AND request_id <> 'ovl-reader'",
    )
    .await;
    assert_eq!(stored as u32, accepted);
    let shed_ids: Vec<String> = shed
        .iter()
        .flat_map(|i| request_ids(*i))
        .map(|id| format!("'{id}'"))
        .collect();
    let leaked = sql_count(
        &db,
        &format!(
            "SELECT COUNT(*) AS n FROM events WHERE request_id IN ({})",
            shed_ids.join(",")
        ),
    )
    .await;
    assert_eq!(leaked, 0, "a shed batch left events behind");

    // Verdicts answered within their deadline (300 ms) plus generous scheduling slack.
    assert!(reads > 0);
    assert!(
        slowest < Duration::from_secs(2),
        "slowest verdict read {slowest:?}"
    );

    // The operator hears of it: one warning per 10 s with the running count; no ERROR.
    let log = std::fs::read_to_string(db.dir.path().join("server.log")).unwrap();
    assert!(
        log.contains("ingest overloaded: shedding batches"),
        "no shedding warning in the log:\n{log}"
    );
    assert!(
        !log.contains("ERROR"),
        "errors logged under overload:\n{log}"
    );
}

both_dbs!(overload_sheds_with_204_and_loses_nothing);
