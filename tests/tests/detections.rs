//! The published detection registry (`GET /v1/detections`, gRPC `ListDetections`,
//! `docs/detections.md`) and the request facts the heuristics engine reads end to end:
//! client IP, User-Agent class and hash, header shape, replayed payloads — on both databases.
use botect::engines::{
    heuristics::ua_hash,
    registry::{REGISTRY, ids},
};
use botect_client::{Botect, pb};
use botect_tests::{
    Server, Tenant, TestDb, both_dbs, event, http, rid, scored_verdict, serde_json, sql_count,
    tenant,
};
use serde_json::{Value, json};

const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

fn registry_json() -> Value {
    Value::Array(
        REGISTRY
            .iter()
            .map(|d| {
                json!({
                    "id": d.id,
                    "hex": d.hex(),
                    "family": d.family.as_str(),
                    "family_byte": d.family.byte(),
                    "engine": d.engine,
                    "name": d.name,
                    "label": d.label,
                    "description": d.description,
                })
            })
            .collect(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registry_is_published_over_rest_grpc_openapi_and_docs() {
    let db = TestDb::new(botect_tests::DbKind::Sqlite).await;
    let server = Server::start(&db).await;

    // REST: no credential, a bare array equal to the registry.
    let r = http()
        .get(server.url("/v1/detections"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body, registry_json());
    let listed: Vec<u64> = body
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_u64().unwrap())
        .collect();
    assert!(listed.contains(&50331648) && listed.contains(&50331651));
    // A credential of any kind changes nothing.
    let r = http()
        .get(server.url("/v1/detections"))
        .bearer_auth("sk_whatever")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        http()
            .post(server.url("/v1/detections"))
            .send()
            .await
            .unwrap()
            .status(),
        405
    );

    // gRPC.
    let mut client =
        pb::detection_service_client::DetectionServiceClient::connect(server.base.clone())
            .await
            .unwrap();
    let list = client
        .list_detections(pb::ListDetectionsRequest {})
        .await
        .expect("ListDetections")
        .into_inner();
    assert_eq!(list.detections.len(), REGISTRY.len());
    for (got, want) in list.detections.iter().zip(REGISTRY) {
        assert_eq!(
            (
                got.id,
                got.hex.as_str(),
                got.family.as_str(),
                got.family_byte,
                got.engine.as_str(),
                got.name.as_str()
            ),
            (
                want.id,
                want.hex().as_str(),
                want.family.as_str(),
                want.family.byte() as u32,
                want.engine,
                want.name
            )
        );
        assert_eq!(
            (got.label.as_str(), got.description.as_str()),
            (want.label, want.description)
        );
    }

    // OpenAPI: documented, with no security requirement.
    let doc: Value = http()
        .get(server.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let op = &doc["paths"]["/v1/detections"]["get"];
    assert_eq!(op["operationId"], "ListDetections");
    assert_eq!(op["security"], json!([]));
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"]["type"],
        "array"
    );

    // docs/detections.md names every ID in decimal and hex.
    let docs = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/detections.md"
    ))
    .expect("docs/detections.md");
    for d in REGISTRY {
        assert!(
            docs.contains(&format!("`{}`", d.id)),
            "docs/detections.md lacks {} ({})",
            d.id,
            d.name
        );
        assert!(
            docs.contains(&format!("`{}`", d.hex())),
            "docs/detections.md lacks {} ({})",
            d.hex(),
            d.name
        );
        assert!(
            docs.contains(&format!("`{}`", d.name)),
            "docs/detections.md lacks the name {}",
            d.name
        );
    }
}

/// POSTs a batch with extra HTTP headers; returns the session token. With `proof`, first
/// fetches a challenge with the same headers (it is bound to the user agent) and sends its
/// native solution as the batch's `integrity`, as the SDK does.
async fn post(
    server: &Server,
    t: &Tenant,
    session: Option<&str>,
    headers: &[(&str, &str)],
    events: Vec<Value>,
    proof: bool,
) -> String {
    let mut body = json!({"session_token": session, "events": events});
    if proof {
        let mut req = http()
            .post(server.url("/v1/challenges"))
            .header("X-Botect-Site-Key", &t.site_key)
            .json(&json!({}));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 200);
        body["integrity"] = botect_tests::solve(&r.json().await.unwrap());
    }
    let mut req = http()
        .post(server.url("/v1/events"))
        .header("X-Botect-Site-Key", &t.site_key)
        .json(&body);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let r = req.send().await.unwrap();
    assert_eq!(r.status(), 202);
    r.json::<Value>().await.unwrap()["session_token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The headers Chrome sends with the SDK's `fetch` to a secure (here: loopback) origin.
fn chrome_headers(ua: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("User-Agent", ua),
        ("Accept", "*/*"),
        ("Accept-Language", "en-US,en;q=0.9"),
        ("Accept-Encoding", "gzip, deflate, br, zstd"),
        ("Origin", "http://shop.localhost:5173"),
        ("Sec-Fetch-Mode", "cors"),
        ("Sec-Fetch-Site", "cross-site"),
        (
            "Sec-CH-UA",
            "\"Chromium\";v=\"126\", \"Google Chrome\";v=\"126\", \"Not.A/Brand\";v=\"24\"",
        ),
    ]
}

/// What the SDK sends from a person's Chrome: the page, a clean probe and human pointer
/// aggregates.
fn sdk_events(page_ua: &str, mouse: Value) -> Vec<Value> {
    vec![
        event(
            &rid(),
            "page",
            json!({"collector_version": "1.0.0", "page_path_hash": "9f86d081884c7d65"}),
        ),
        event(
            &rid(),
            "js_probe",
            json!({"webdriver": false, "headless": false, "js_passed": true, "cdp_detected": false,
                   "ua_hash": ua_hash(page_ua), "collector_version": "1.0.0"}),
        ),
        event(&rid(), "mouse", mouse),
    ]
}

fn human_mouse() -> Value {
    json!({"mouse_entropy": 0.7312, "pointer_moves": 212, "stroke_count": 7, "move_interval_mean_ms": 16.84,
           "move_interval_cv": 0.4137, "path_straightness": 0.8921, "speed_cv": 0.7733, "accel_cv": 1.2871,
           "direction_entropy": 0.6642, "pause_count": 4, "overshoot_count": 2, "trusted_ratio": 1})
}

async fn request_facts_drive_the_heuristics(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Heuristics").await;
    let key = &t.private_key;

    // A person's Chrome through the SDK: nothing fires; js_detection.passed and the
    // behavioral features are stored for rules.
    let human = post(
        &server,
        &t,
        None,
        &chrome_headers(CHROME),
        sdk_events(CHROME, human_mouse()),
        true,
    )
    .await;
    let v = scored_verdict(&server, key, &human).await;
    assert_eq!(v["verdict"], "likely_human", "{v}");
    assert_eq!(v["detection_ids"], json!([]), "{v}");
    assert_eq!(v["score"], 87, "{v}");
    let sql = format!(
        "SELECT COUNT(*) AS n FROM sessions WHERE token = '{human}' AND js_passed = TRUE AND features LIKE '%\"mouse_entropy\":0.7312%'"
    );
    assert_eq!(sql_count(&db, &sql).await, 1);
    // The socket peer and the user agent's class are stored with the request, not the UA.
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM ingest_requests WHERE client_ip = '127.0.0.1' AND ua_class = 'browser/chromium/126'").await,
        1
    );

    // The identical measurement replayed under another session.
    let replay = post(
        &server,
        &t,
        None,
        &chrome_headers(CHROME),
        sdk_events(CHROME, human_mouse()),
        true,
    )
    .await;
    let v = scored_verdict(&server, key, &replay).await;
    assert_eq!(v["verdict"], "likely_automated", "{v}");
    assert_eq!(v["detection_ids"], json!([ids::REPLAYED_PAYLOAD]), "{v}");
    // The session that sent it first is not the replayer: rescored, it stays human.
    post(
        &server,
        &t,
        Some(&human),
        &chrome_headers(CHROME),
        vec![event(
            &rid(),
            "scroll",
            json!({"scroll_velocity": 640, "scroll_events": 9}),
        )],
        false,
    )
    .await;
    let rescored = format!(
        "SELECT COUNT(*) AS n FROM sessions WHERE token = '{human}' AND pending = FALSE AND scored_revision = 2"
    );
    botect_tests::eventually(
        std::time::Duration::from_secs(20),
        botect_tests::POLL,
        "the session rescored",
        || async {
            match sql_count(&db, &rescored).await {
                0 => Err("scored_revision < 2"),
                _ => Ok(()),
            }
        },
    )
    .await;
    let v = botect_tests::verdict(&server, key, &human).await.1;
    assert_eq!(
        (v["score"].as_u64(), v["detection_ids"].clone()),
        (Some(87), json!([])),
        "{v}"
    );

    // The page claims Chrome, the HTTP requests carry Firefox's user agent.
    let mut mouse = human_mouse();
    mouse["speed_cv"] = json!(0.6611);
    let mismatch = post(
        &server,
        &t,
        None,
        &chrome_headers(FIREFOX),
        sdk_events(CHROME, mouse),
        true,
    )
    .await;
    let v = scored_verdict(&server, key, &mismatch).await;
    assert_eq!(v["verdict"], "likely_automated", "{v}");
    assert_eq!(v["detection_ids"], json!([ids::UA_MISMATCH]), "{v}");

    // SDK telemetry without Accept-Language and Fetch-Metadata.
    let mut mouse = human_mouse();
    mouse["speed_cv"] = json!(0.5911);
    let stripped: Vec<_> = chrome_headers(CHROME)
        .into_iter()
        .filter(|(k, _)| !["Accept-Language", "Sec-Fetch-Mode", "Sec-Fetch-Site"].contains(k))
        .collect();
    let shape = post(
        &server,
        &t,
        None,
        &stripped,
        sdk_events(CHROME, mouse),
        true,
    )
    .await;
    let v = scored_verdict(&server, key, &shape).await;
    assert_eq!(v["detection_ids"], json!([ids::HEADER_SHAPE]), "{v}");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("no Accept-Language, no Sec-Fetch-*"),
        "{v}"
    );

    // A scripted client posting a page view: deterministic, and no interaction → definite.
    let script = post(
        &server,
        &t,
        None,
        &[("User-Agent", "python-requests/2.31.0")],
        vec![event(&rid(), "page", json!({"page_path_hash": "ab12"}))],
        false,
    )
    .await;
    let v = scored_verdict(&server, key, &script).await;
    assert_eq!(
        v,
        json!({"verdict": "definite", "score": 1, "action": "allow",
               "detection_ids": [ids::HTTP_LIBRARY_UA, ids::NO_HUMAN_INTERACTION],
               "reason": "Scripted HTTP client; no human interaction recorded."})
    );
    // The README quickstart made with curl: a script's events, gated.
    let quickstart = post(
        &server,
        &t,
        None,
        &[("User-Agent", "curl/8.5.0")],
        vec![event(
            &rid(),
            "mouse",
            json!({"entropy": 0.74, "samples": 128}),
        )],
        false,
    )
    .await;
    let v = scored_verdict(&server, key, &quickstart).await;
    assert_eq!(
        v,
        json!({"verdict": "likely_automated", "score": 4, "action": "allow",
               "detection_ids": [ids::NO_SDK_EVIDENCE, ids::INTEGRITY_MISSING],
               "reason": "No browser SDK evidence (no js_probe event, no page or snapshot event); Missing integrity proof."})
    );
    // Rescoring: later telemetry from HeadlessChrome makes the session (which recorded
    // interaction) definite: synthetic interaction does not cancel the signature.
    post(
        &server,
        &t,
        Some(&quickstart),
        &[("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/126.0.0.0 Safari/537.36")],
        vec![event(&rid(), "page", json!({"page_path_hash": "cd34"}))],
        false,
    )
    .await;
    let v = botect_tests::verdict_until(&server, key, &quickstart, |v| v["score"] == 1).await;
    assert_eq!(
        v,
        json!({"verdict": "definite", "score": 1, "action": "allow",
               "detection_ids": [ids::AUTOMATION_HTTP_UA, ids::AUTOMATION_WITH_INTERACTION],
               "reason": "Automation browser user agent; interaction from an automation browser does not count."})
    );

    // gRPC: the remote address and the client's user agent are captured too.
    let botect = Botect::connect(server.base.clone()).await.unwrap();
    let payload: botect_proto::pbjson_types::Struct = [
        (
            "entropy".to_string(),
            botect_proto::pbjson_types::Value::from(0.74),
        ),
        (
            "samples".to_string(),
            botect_proto::pbjson_types::Value::from(128.0),
        ),
    ]
    .into_iter()
    .collect();
    let ack = botect
        .ingest(&t.site_key)
        .unwrap()
        .ingest_events(pb::IngestEventsRequest {
            session_token: None,
            events: vec![pb::Event {
                request_id: rid(),
                r#type: pb::EventType::Mouse as i32,
                received_at: "2026-06-14T10:00:00Z".into(),
                payload: Some(payload),
            }],
            site_key: None,
            integrity: None,
        })
        .await
        .expect("IngestEvents")
        .into_inner();
    let v = scored_verdict(&server, key, &ack.session_token).await;
    // A server-side gRPC client posting the quickstart event: no SDK evidence, no proof.
    assert_eq!(v["score"], 4, "{v}");
    assert_eq!(v["detection_ids"], json!([0x0100_000A, 0x0100_000B]), "{v}");
    assert_eq!(
        sql_count(&db, "SELECT COUNT(*) AS n FROM ingest_requests WHERE client_ip = '127.0.0.1' AND ua_class LIKE 'api/%'").await,
        1
    );

    // gRPC-web (HTTP/1.1, as a browser sends it): the peer address and the page's headers.
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(false)
        .build_http();
    let channel = tower::ServiceBuilder::new()
        .layer(tonic_web::GrpcWebClientLayer::new())
        .service(client);
    let mut web = pb::ingest_service_client::IngestServiceClient::with_origin(
        channel,
        server.base.parse::<http::Uri>().unwrap(),
    );
    let mut req = tonic::Request::new(pb::IngestEventsRequest {
        session_token: None,
        events: vec![pb::Event {
            request_id: rid(),
            r#type: pb::EventType::Page as i32,
            received_at: "2026-06-14T10:00:00Z".into(),
            payload: None,
        }],
        site_key: Some(t.site_key.clone()),
        integrity: None,
    });
    for (k, v) in chrome_headers(CHROME) {
        req.metadata_mut().insert(
            k.to_ascii_lowercase()
                .parse::<tonic::metadata::MetadataKey<_>>()
                .unwrap(),
            v.parse().unwrap(),
        );
    }
    let session = web
        .ingest_events(req)
        .await
        .expect("IngestEvents over gRPC-web")
        .into_inner()
        .session_token;
    let sql = format!(
        "SELECT COUNT(*) AS n FROM ingest_requests r JOIN sessions s ON s.id = r.session_id WHERE s.token = '{session}' \
         AND r.client_ip = '127.0.0.1' AND r.ua_class = 'browser/chromium/126' AND r.header_flags = 447"
    );
    assert_eq!(sql_count(&db, &sql).await, 1);
}

both_dbs!(request_facts_drive_the_heuristics);
