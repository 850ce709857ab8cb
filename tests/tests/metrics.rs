//! Prometheus metrics (`--metrics-listen`) scraped from a real server on both databases:
//! requests by transport, route, method, status and error code with latency histograms (REST
//! and gRPC), events accepted and duplicated, queue depth and scoring lag, fail-opens by
//! cause, challenge verifications; labels stay bounded whatever a client sends.
use botect_client::{Botect, pb};
use botect_tests::{
    Server, TestDb, both_dbs, event, http, human_session, ingest, rid, scored_verdict, serde_json,
    tenant, verdict,
};
use serde_json::json;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn scrape(url: &str) -> String {
    let r = http().get(url).send().await.expect("scrape");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()["content-type"],
        "text/plain; version=0.0.4; charset=utf-8"
    );
    r.text().await.unwrap()
}

/// The value of the sample whose name and labels are exactly `series` (labels in the
/// exposition's order, alphabetical); 0 when absent.
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

async fn metrics_are_scraped(db: TestDb) {
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let server = Server::start_with(&db, &["--metrics-listen", &listen]).await;
    let url = format!("http://{listen}/metrics");
    let t = tenant(&db, &server, "Metrics").await;

    // Ingest: a person's first batch (3 events, a valid proof), then one duplicate.
    let session = human_session(&server, &t.site_key).await;
    scored_verdict(&server, &t.private_key, &session).await;
    let mouse = rid();
    ingest(
        &server,
        &t.site_key,
        Some(&session),
        vec![event(
            &mouse,
            "mouse",
            json!({"entropy": 0.7, "samples": 90}),
        )],
    )
    .await;
    ingest(
        &server,
        &t.site_key,
        Some(&session),
        vec![event(
            &mouse,
            "mouse",
            json!({"entropy": 0.7, "samples": 90}),
        )],
    )
    .await;

    let before = scrape(&url).await;
    // An unknown session: fail-open, counted as not scored.
    assert_eq!(
        verdict(&server, &t.private_key, "sess_nobody_at_all_here")
            .await
            .0,
        200
    );
    // A REST error with its code; a path no route has; a gRPC call and a refused one; a
    // gRPC path the server does not have.
    assert_eq!(
        http()
            .get(server.url("/v1/projects"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    assert_eq!(
        http()
            .get(server.url("/no/such/route/42"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let botect = Botect::connect(server.base.clone()).await.unwrap();
    botect
        .account(&t.token)
        .unwrap()
        .get_account(pb::GetAccountRequest {})
        .await
        .unwrap();
    let refused = botect
        .account("not-a-real-token-but-plausible")
        .unwrap()
        .get_account(pb::GetAccountRequest {})
        .await
        .unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unauthenticated);
    let _ = http()
        .post(server.url("/botect.v1.MadeUpService/Whatever"))
        .header("content-type", "application/grpc")
        .body(vec![0u8, 0, 0, 0, 0])
        .send()
        .await;

    let text = scrape(&url).await;
    let rest = |route: &str, method: &str, status: &str, code: &str| {
        format!(
            "botect_requests_total{{code=\"{code}\",method=\"{method}\",route=\"{route}\",status=\"{status}\",transport=\"rest\"}}"
        )
    };
    let verdicts = rest("/v1/sessions/{session_token}/verdict", "GET", "200", "");
    assert!(value(&text, &verdicts) >= 2.0, "{text}");
    assert_eq!(value(&text, &verdicts) - value(&before, &verdicts), 1.0);
    assert_eq!(
        value(
            &text,
            &rest("/v1/projects", "GET", "401", "UNAUTHENTICATED")
        ),
        1.0,
        "{text}"
    );
    assert_eq!(
        value(&text, &rest("/v1/events", "POST", "202", "")),
        3.0,
        "{text}"
    );
    assert!(
        value(&text, &rest("unmatched", "GET", "404", "NOT_FOUND")) >= 1.0,
        "{text}"
    );
    let grpc = |status: &str| {
        format!(
            "botect_requests_total{{code=\"\",method=\"POST\",route=\"/botect.v1.AccountService/GetAccount\",status=\"{status}\",transport=\"grpc\"}}"
        )
    };
    assert_eq!(value(&text, &grpc("0")), 1.0, "{text}");
    assert_eq!(value(&text, &grpc("16")), 1.0, "{text}");
    assert!(
        !text.contains("MadeUpService") && !text.contains("/no/such/route"),
        "{text}"
    );
    assert!(
        value(
            &text,
            "botect_request_duration_seconds_count{method=\"GET\",route=\"/v1/sessions/{session_token}/verdict\",transport=\"rest\"}"
        ) >= 2.0,
        "{text}"
    );

    assert_eq!(
        value(&text, "botect_events_total{outcome=\"accepted\"}"),
        4.0,
        "{text}"
    );
    assert_eq!(
        value(&text, "botect_events_total{outcome=\"duplicate\"}"),
        1.0,
        "{text}"
    );
    assert_eq!(
        value(
            &text,
            "botect_challenge_verifications_total{outcome=\"valid\"}"
        ),
        1.0,
        "{text}"
    );
    let not_scored = "botect_verdict_fail_open_total{cause=\"not_scored\"}";
    assert_eq!(
        value(&text, not_scored) - value(&before, not_scored),
        1.0,
        "{text}"
    );
    assert!(
        value(&text, "botect_scoring_lag_seconds_count") >= 1.0,
        "{text}"
    );
    assert!(text.contains("\nbotect_scoring_queue_depth "), "{text}");
    assert!(
        text.contains("botect_store_errors_total{operation=\"verdict_read\"} 0"),
        "{text}"
    );

    // Not on the API port.
    assert_eq!(
        http()
            .get(server.url("/metrics"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
}

both_dbs!(metrics_are_scraped);
