//! Server-side ingest as Botect's official PHP SDK calls it (server mode), on both databases:
//! page hits and relayed batches under the backend's own session tokens, with
//! `Idempotency-Key` replays; the logged-in assertion on a session the page hit created; the
//! verdict of the backend-minted session; `null` as "not measured" on every ingest path; the
//! page-hit findings; and the credential, project and CORS boundaries.
use botect_client::{Botect, pb};
use botect_tests::php_sdk::{self, PhpSdk, collector_events, detection_ids, mint_token, page_id};
use botect_tests::{
    Server, TestDb, both_dbs, browser_ingest, event, http, rid, sdk_ingest, serde_json, sql_count,
    tenant, verdict_until,
};
use serde_json::{Value, json};

/// Waits for the verdict of `token` to be scored (not `not_computed`).
async fn scored(sdk: &PhpSdk, server: &Server, token: &str) -> Value {
    verdict_until(server, &sdk.private_key, token, |v| {
        v["verdict"] != "not_computed"
    })
    .await
}

async fn the_official_sdks_calls_succeed(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "PHP SDK").await;
    let sdk = PhpSdk::new(&server.url("/v1"), &t.private_key, http());
    php_sdk::official_sdk_calls(&db, &server, &sdk).await;

    // Over gRPC as well.
    let botect = Botect::connect(server.base.clone()).await.unwrap();
    let mut grpc = botect.server_ingest(&t.private_key).unwrap();
    let g_token = mint_token();
    let receipt = grpc
        .record_page_hit(pb::PageHit {
            schema_version: Some(1),
            page_id: Some(page_id()),
            session_token: Some(g_token.clone()),
            occurred_at: Some("2026-09-08T00:00:00Z".into()),
            method: Some("GET".into()),
            path_hash: Some(sdk.path_hash("/")),
            header_names: vec!["host".into(), "user-agent".into(), "accept-language".into()],
            languages: vec!["en-us".into()],
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (receipt.session_token.as_str(), receipt.duplicate),
        (g_token.as_str(), false)
    );
    let e = grpc
        .relay_events(pb::RelayEventsRequest {
            schema_version: Some(1),
            session_token: Some(g_token.clone()),
            ..Default::default()
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), tonic::Code::InvalidArgument);
}

async fn backend_tokens_stay_in_their_project(db: TestDb) {
    let server = Server::start(&db).await;
    let a = tenant(&db, &server, "Tokens A").await;
    let b = tenant(&db, &server, "Tokens B").await;
    let sdk_a = PhpSdk::new(&server.url("/v1"), &a.private_key, http());
    let sdk_b = PhpSdk::new(&server.url("/v1"), &b.private_key, http());
    let token = mint_token();
    assert_eq!(
        sdk_a
            .page_hit(&sdk_a.page_hit_body(&token, &page_id(), "/"))
            .await
            .status,
        202
    );

    // Another project's key cannot adopt (or write to) it.
    let r = sdk_b
        .page_hit(&sdk_b.page_hit_body(&token, &page_id(), "/"))
        .await;
    assert_eq!(
        (
            r.status,
            r.body["code"].as_str(),
            r.body["details"]["field"].as_str()
        ),
        (422, Some("INVALID_PAYLOAD"), Some("session_token")),
        "{}",
        r.body
    );
    let r = sdk_b.relay(&token, &page_id(), collector_events()).await;
    assert_eq!(
        (r.status, r.body["details"]["field"].as_str()),
        (422, Some("session_token"))
    );
    let in_b = sql_count(
        &db,
        &format!(
            "SELECT COUNT(*) AS n FROM sessions WHERE project_id = {}",
            b.project
        ),
    )
    .await;
    assert_eq!(in_b, 0);

    // A browser cannot pick a session: /v1/events mints its own for an unknown token, even
    // one of the backend's shape.
    let unseen = mint_token();
    let (status, ack) = browser_ingest(
        &server,
        &a.site_key,
        json!({"session_token": unseen, "events": [event(&rid(), "mouse", json!({"entropy": 0.5}))]}),
    )
    .await;
    assert_eq!(status, 202, "{ack}");
    assert_ne!(ack["session_token"], json!(unseen));
    // …but may use the backend's session once it exists in its project.
    let (status, ack) = browser_ingest(
        &server,
        &a.site_key,
        json!({"session_token": token, "events": [event(&rid(), "mouse", json!({"entropy": 0.5}))]}),
    )
    .await;
    assert_eq!((status, &ack["session_token"]), (202, &json!(token)));

    // Only the private key: the site key and the account token are refused.
    for (name, value) in [
        ("authorization", format!("Bearer {}", a.token)),
        ("x-botect-site-key", a.site_key.clone()),
    ] {
        let r = http()
            .post(server.url("/v1/server/page-hits"))
            .header(name, value)
            .json(&sdk_a.page_hit_body(&mint_token(), &page_id(), "/"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "{name}");
    }
    // Not browser-facing: no CORS.
    let r = http()
        .request(reqwest::Method::OPTIONS, server.url("/v1/server/events"))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

async fn bad_input_names_its_field_and_changes_nothing(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Bad input").await;
    let sdk = PhpSdk::new(&server.url("/v1"), &t.private_key, http());
    let good = sdk.page_hit_body(&mint_token(), &page_id(), "/");
    let cases: Vec<(&str, Value, &str)> = vec![
        ("schema_version", json!(2), "schema_version"),
        ("schema_version", Value::Null, "schema_version"),
        ("page_id", json!("not-hex"), "page_id"),
        ("session_token", json!("sess_abc"), "session_token"),
        (
            "session_token",
            json!(format!("sess_{}", "A".repeat(48))),
            "session_token",
        ),
        ("occurred_at", json!("2026-09-08 00:00:00"), "occurred_at"),
        ("method", json!("BREW"), "method"),
        ("path_hash", json!("abc"), "path_hash"),
        ("header_names", json!(["Host"]), "header_names[0]"),
        ("languages", json!(["en us"]), "languages[0]"),
        ("duration_ms", json!(-1), "duration_ms"),
        ("ja4", json!("t13d1516h2"), "ja4"),
        ("observed_ip", json!("203.0.113"), "observed_ip"),
        ("observed_ip_source", json!("guess"), "observed_ip_source"),
    ];
    for (key, value, field) in cases {
        let mut body = good.clone();
        body[key] = value.clone();
        let r = sdk.page_hit(&body).await;
        assert_eq!(
            (
                r.status,
                r.body["code"].as_str(),
                r.body["details"]["field"].as_str()
            ),
            (422, Some("INVALID_PAYLOAD"), Some(field)),
            "{key} = {value}: {}",
            r.body
        );
        assert!(
            r.body["message"]
                .as_str()
                .unwrap()
                .contains(field.split('[').next().unwrap())
        );
    }
    // `null` for the optional fields is absent.
    let mut body = good.clone();
    for key in [
        "had_session_cookie",
        "duration_ms",
        "ja4",
        "observed_ip",
        "observed_ip_source",
        "observed_ip_inferred",
    ] {
        body[key] = Value::Null;
    }
    assert_eq!(sdk.page_hit(&body).await.status, 202);
    // An unknown key is refused.
    let mut body = sdk.page_hit_body(&mint_token(), &page_id(), "/");
    body["referer"] = json!("https://elsewhere.example/");
    let r = sdk.page_hit(&body).await;
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(
        sql_count(
            &db,
            &format!(
                "SELECT COUNT(*) AS n FROM page_hits WHERE project_id = {}",
                t.project
            )
        )
        .await,
        1
    );

    // Relayed events: the /v1/events rules (1–100 events, the allow-list), null meaning
    // absent for numbers and booleans only.
    let token = mint_token();
    let r = sdk.relay(&token, &page_id(), vec![]).await;
    assert_eq!(
        (r.status, r.body["details"]["field"].as_str()),
        (422, Some("events"))
    );
    let r = sdk
        .relay(
            &token,
            &page_id(),
            vec![event(&rid(), "page", json!({"collector_version": null}))],
        )
        .await;
    assert_eq!(
        (r.status, r.body["details"]["field"].as_str()),
        (422, Some("events[0].payload.collector_version")),
        "{}",
        r.body
    );
    let r = sdk
        .relay(
            &token,
            &page_id(),
            vec![event(&rid(), "page", json!({"keystrokes": null}))],
        )
        .await;
    assert_eq!(
        (r.status, r.body["details"]["field"].as_str()),
        (422, Some("events[0].payload.keystrokes"))
    );
    assert_eq!(
        sql_count(
            &db,
            &format!("SELECT COUNT(*) AS n FROM sessions WHERE token = '{token}'")
        )
        .await,
        0
    );

    // `null` means absent on the browser's own path too.
    let (status, ack) = browser_ingest(
        &server,
        &t.site_key,
        json!({"session_token": null, "events": [event(&rid(), "js_probe", json!({"webdriver": null, "headless": false, "max_touch_points": null}))]}),
    )
    .await;
    assert_eq!(status, 202, "{ack}");
    let (status, e) = browser_ingest(
        &server,
        &t.site_key,
        json!({"session_token": null, "events": [event(&rid(), "js_probe", json!({"languages": null}))]}),
    )
    .await;
    assert_eq!(
        (status, e["details"]["field"].as_str()),
        (422, Some("events[0].payload.languages"))
    );
}

async fn page_hits_are_compared_with_the_browsers_claims(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Page hit findings").await;
    let sdk = PhpSdk::new(&server.url("/v1"), &t.private_key, http());

    // Relayed without any page hit: no proof stands in.
    let lone = mint_token();
    assert_eq!(
        sdk.relay(&lone, &page_id(), collector_events())
            .await
            .status,
        202
    );
    let v = scored(&sdk, &server, &lone).await;
    assert!(detection_ids(&v).contains(&0x0100_000B), "{v}");
    assert_eq!(v["verdict"], "likely_automated", "{v}");

    // Accept-Language of the page requests unlike the page's languages; no User-Agent.
    let liar = mint_token();
    let page = page_id();
    let mut hit = sdk.page_hit_body(&liar, &page, "/");
    hit["languages"] = json!(["de-de", "de"]);
    hit["header_names"] = json!(["host", "accept", "accept-language"]);
    assert_eq!(sdk.page_hit(&hit).await.status, 202);
    assert_eq!(
        sdk.relay(&liar, &page, collector_events()).await.status,
        202
    );
    let v = scored(&sdk, &server, &liar).await;
    let ids = detection_ids(&v);
    assert!(
        ids.contains(&0x0100_000F) && ids.contains(&0x0100_0010),
        "{v}"
    );
    assert_eq!(v["verdict"], "likely_automated", "{v}");

    // A page hit arriving after the batch rescores the session with it.
    let late = mint_token();
    let page = page_id();
    assert_eq!(
        sdk.relay(&late, &page, collector_events()).await.status,
        202
    );
    let v = scored(&sdk, &server, &late).await;
    assert!(detection_ids(&v).contains(&0x0100_000B), "{v}");
    assert_eq!(
        sdk.page_hit(&sdk.page_hit_body(&late, &page, "/"))
            .await
            .status,
        202
    );
    let v = verdict_until(&server, &t.private_key, &late, |v| {
        v["verdict"] == "likely_human"
    })
    .await;
    assert!(detection_ids(&v).is_empty(), "{v}");

    // Once the backend reports page hits, browser events that bypass it are found.
    for _ in 0..10 {
        let r = sdk
            .page_hit(&sdk.page_hit_body(&mint_token(), &page_id(), "/"))
            .await;
        assert_eq!(r.status, 202);
    }
    let (status, ack) = sdk_ingest(
        &server,
        &t.site_key,
        None,
        vec![event(
            &rid(),
            "mouse",
            json!({"entropy": 0.74, "samples": 128}),
        )],
    )
    .await;
    assert_eq!(status, 202, "{ack}");
    let direct = ack["session_token"].as_str().unwrap();
    let v = verdict_until(&server, &t.private_key, direct, |v| {
        v["verdict"] != "not_computed"
    })
    .await;
    assert!(detection_ids(&v).contains(&0x0100_000E), "{v}");
    assert_eq!(v["verdict"], "likely_automated", "{v}");
}

/// What a forger can still do in server mode (docs/evaluation.md#server-mode): a script that
/// fetches the page with a browser's headers (so the backend's page hit looks like a
/// browser's) and posts the collector's events to the site's relay pays no proof of work and
/// gets a person's verdict; the same script with an HTTP library's bare headers does not.
async fn what_a_forger_can_still_do_in_server_mode(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Forger").await;
    let sdk = PhpSdk::new(&server.url("/v1"), &t.private_key, http());
    let forge = |headers: Value| {
        let sdk = sdk.clone();
        async move {
            let token = mint_token();
            let page = page_id();
            let mut hit = sdk.page_hit_body(&token, &page, "/");
            hit["header_names"] = headers;
            assert_eq!(sdk.page_hit(&hit).await.status, 202);
            assert_eq!(
                sdk.relay(&token, &page, collector_events()).await.status,
                202
            );
            token
        }
    };
    let dressed = forge(json!([
        "host",
        "user-agent",
        "accept",
        "accept-language",
        "cookie"
    ]))
    .await;
    let v = scored(&sdk, &server, &dressed).await;
    assert_eq!(v["verdict"], "likely_human", "{v}");
    let bare = forge(json!(["host", "user-agent", "accept"])).await;
    let v = scored(&sdk, &server, &bare).await;
    assert_eq!(v["verdict"], "likely_automated", "{v}");
    assert!(detection_ids(&v).contains(&0x0100_0010), "{v}");
}

both_dbs!(
    what_a_forger_can_still_do_in_server_mode,
    the_official_sdks_calls_succeed,
    backend_tokens_stay_in_their_project,
    bad_input_names_its_field_and_changes_nothing,
    page_hits_are_compared_with_the_browsers_claims,
);
