//! The quickstart and the error model over gRPC (HTTP/2) and gRPC-web (HTTP/1.1), on the same
//! port as REST; CORS preflights; gRPC health and reflection.
use std::time::Duration;

use botect_client::{Botect, pb, with_idempotency_key};
use botect_proto::pbjson_types;
use botect_tests::{Server, TestDb, both_dbs, fail_open, http, serde_json, tenant};
use serde_json::{Value, json};
use tonic::{Code, Request, Status};
use tonic_types::StatusExt;

const HUMAN_REASON: &str = "No bot signals; natural interaction profile.";

/// The quickstart's mouse payload `{"entropy": 0.74, "samples": 128}` as a protobuf Struct.
fn quickstart_payload() -> pbjson_types::Struct {
    [
        ("entropy".to_string(), pbjson_types::Value::from(0.74)),
        ("samples".to_string(), pbjson_types::Value::from(128.0)),
    ]
    .into_iter()
    .collect()
}

fn mouse_event(request_id: &str) -> pb::Event {
    pb::Event {
        request_id: request_id.into(),
        r#type: pb::EventType::Mouse as i32,
        received_at: "2026-06-14T10:00:00Z".into(),
        payload: Some(quickstart_payload()),
    }
}

fn batch(session: Option<&str>, events: Vec<pb::Event>) -> pb::IngestEventsRequest {
    pb::IngestEventsRequest {
        session_token: session.map(str::to_string),
        events,
        site_key: None,
        integrity: None,
    }
}

/// The gated verdict of events posted by hand (no SDK events, no proof).
fn gated_verdict() -> pb::SessionVerdict {
    pb::SessionVerdict {
        verdict: pb::Verdict::LikelyAutomated as i32,
        score: 4,
        action: pb::Action::Allow as i32,
        detection_ids: vec![0x0100_000A, 0x0100_000B],
        reason: "No browser SDK evidence (no js_probe event, no page or snapshot event); Missing integrity proof.".into(),
    }
}

/// What the browser SDK sends first (page, probe, pointer: `botect_tests::sdk_events`) with
/// the natively solved `challenge`, as a protobuf batch continuing `session`.
fn sdk_batch(session: &str, ch: &pb::Challenge) -> pb::IngestEventsRequest {
    let events = botect_tests::sdk_events()
        .into_iter()
        .map(|e| pb::Event {
            request_id: e["request_id"].as_str().unwrap().into(),
            r#type: pb::EventType::from_str_name(e["type"].as_str().unwrap()).unwrap() as i32,
            received_at: e["received_at"].as_str().unwrap().into(),
            payload: Some(serde_json::from_value(e["payload"].clone()).unwrap()),
        })
        .collect();
    pb::IngestEventsRequest {
        integrity: Some(pb::Integrity {
            challenge: ch.challenge.clone(),
            nonce: botect::integrity::solve(&ch.challenge, ch.difficulty).to_string(),
        }),
        ..batch(Some(session), events)
    }
}

/// Checks a challenge's shape: signed, SHA-256, the default difficulty, expiring in minutes.
#[track_caller]
fn assert_challenge(ch: &pb::Challenge) {
    assert_eq!(ch.algorithm, "SHA-256");
    assert_eq!(ch.difficulty, 18);
    assert!(
        ch.challenge.len() <= 256 && ch.challenge.contains('.'),
        "{ch:?}"
    );
    assert!(ch.expires_at.ends_with('Z'), "{ch:?}");
}

fn verdict_req(session: &str) -> pb::GetVerdictRequest {
    pb::GetVerdictRequest {
        session_token: session.into(),
        ..Default::default()
    }
}

/// Asserts the gRPC code and the Botect `ErrorInfo` (reason = stable code, domain botect.ai);
/// returns the ErrorInfo metadata.
#[track_caller]
fn assert_error(
    status: &Status,
    code: Code,
    reason: &str,
) -> std::collections::HashMap<String, String> {
    assert_eq!(status.code(), code, "{status:?}");
    let info = status
        .get_details_error_info()
        .unwrap_or_else(|| panic!("no google.rpc.ErrorInfo in {status:?}"));
    assert_eq!(info.reason, reason, "{status:?}");
    assert_eq!(info.domain, "botect.ai", "{status:?}");
    assert!(!status.message().is_empty(), "{status:?}");
    info.metadata
}

fn human_verdict() -> pb::SessionVerdict {
    pb::SessionVerdict {
        verdict: pb::Verdict::LikelyHuman as i32,
        score: 87,
        action: pb::Action::Allow as i32,
        detection_ids: vec![],
        reason: HUMAN_REASON.into(),
    }
}

/// Polls GetVerdict (any transport) until the session is scored, up to 20 s.
async fn poll_scored<F, Fut>(get: F) -> pb::SessionVerdict
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<pb::SessionVerdict, Status>>,
{
    poll_until(get, |_| true).await
}

/// Polls GetVerdict until a scored verdict satisfies `done` (rescoring is asynchronous), up
/// to 20 s.
async fn poll_until<F, Fut>(
    mut get: F,
    done: impl Fn(&pb::SessionVerdict) -> bool,
) -> pb::SessionVerdict
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<pb::SessionVerdict, Status>>,
{
    botect_tests::eventually(
        Duration::from_secs(20),
        botect_tests::POLL,
        "a matching verdict",
        || {
            let v = get();
            let done = &done;
            async move {
                let v = v.await.expect("GetVerdict");
                if v.verdict() == pb::Verdict::NotComputed {
                    assert_eq!(v.action(), pb::Action::Allow, "unscored sessions fail open");
                    return Err(v);
                }
                if done(&v) { Ok(v) } else { Err(v) }
            }
        },
    )
    .await
}

async fn grpc_quickstart(db: TestDb) {
    let server = Server::start(&db).await;
    let email = "dev@acme.test";
    let created: Value = serde_json::from_str(
        &db.cli(&["account", "create", "--name", "Acme", "--email", email])
            .await,
    )
    .expect("account JSON");
    let account_id = created["account"]["id"].as_i64().expect("account id");
    let token = db
        .cli(&["token", "create", "--email", email, "--name", "ci"])
        .await
        .trim()
        .to_string();
    let botect = Botect::connect(server.base.clone())
        .await
        .expect("connect over HTTP/2");

    // A project.
    let project = botect
        .projects(&token)
        .unwrap()
        .create_project(pb::CreateProjectRequest {
            name: "shop".into(),
        })
        .await
        .expect("CreateProject")
        .into_inner();
    assert_eq!(project.name, "shop");
    assert_eq!(i64::from(project.account_id), account_id);
    assert!(!project.scoring_enabled);
    assert!(project.created_at.is_some());
    let id = project.id;

    // 1. Enable scoring: the private key once, then None.
    let mut scoring = botect.scoring(&token).unwrap();
    let enabled = scoring
        .enable_scoring(pb::EnableScoringRequest { project: id })
        .await
        .expect("EnableScoring")
        .into_inner();
    let site_key = enabled.site_key.clone();
    let private_key = enabled
        .private_key
        .clone()
        .expect("private key on first enablement")
        .value;
    assert!(site_key.starts_with("pk_"), "{site_key}");
    assert!(private_key.starts_with("sk_"), "{private_key}");
    assert_eq!(
        enabled.bot_settings,
        Some(pb::BotSettings {
            allow_verified: true,
            protect_static: true,
            block_definite: false,
            challenge_likely: false,
        })
    );
    assert_eq!(enabled.likely_bot_threshold, 30);
    let again = scoring
        .enable_scoring(pb::EnableScoringRequest { project: id })
        .await
        .expect("EnableScoring again")
        .into_inner();
    assert_eq!(again.site_key, site_key);
    assert_eq!(
        again.private_key, None,
        "the private key is shown only once"
    );

    // 2. Stream signals (the quickstart's batch, with an idempotency key).
    let req = with_idempotency_key(
        Request::new(batch(None, vec![mouse_event("a1b2-event-uuid")])),
        "6f1c-batch-uuid",
    )
    .unwrap();
    let ack = botect
        .ingest(&site_key)
        .unwrap()
        .ingest_events(req)
        .await
        .expect("IngestEvents")
        .into_inner();
    assert!(ack.session_token.starts_with("sess_"), "{ack:?}");
    assert_eq!((ack.accepted, ack.duplicates), (1, 0));
    assert_eq!(ack.over_quota, None);
    let session = ack.session_token;

    // 3. Read the verdict.
    let verdicts = botect.verdicts(&private_key).unwrap();
    let v = poll_scored(|| {
        let mut c = verdicts.clone();
        let req = verdict_req(&session);
        async move { c.get_verdict(req).await.map(|r| r.into_inner()) }
    })
    .await;
    assert_eq!(
        v,
        gated_verdict(),
        "the quickstart's batch alone is a script's"
    );
    // 2b. The SDK's way: a challenge over gRPC, solved, sent with the SDK's events.
    let ch = botect
        .ingest(&site_key)
        .unwrap()
        .create_challenge(pb::CreateChallengeRequest::default())
        .await
        .expect("CreateChallenge")
        .into_inner();
    assert_challenge(&ch);
    botect
        .ingest(&site_key)
        .unwrap()
        .ingest_events(sdk_batch(&session, &ch))
        .await
        .expect("IngestEvents with integrity");
    let v = poll_until(
        || {
            let mut c = verdicts.clone();
            let req = verdict_req(&session);
            async move { c.get_verdict(req).await.map(|r| r.into_inner()) }
        },
        |v| v.score == 87,
    )
    .await;
    assert_eq!(v, human_verdict());
    assert_eq!(v.verdict(), pb::Verdict::LikelyHuman);
    assert_eq!(v.action(), pb::Action::Allow);
    // An unknown session fails open.
    let unknown = verdicts
        .clone()
        .get_verdict(verdict_req("sess_unknown"))
        .await
        .expect("GetVerdict unknown")
        .into_inner();
    assert_eq!(unknown.verdict(), pb::Verdict::NotComputed);
    assert_eq!(unknown.score, 0);
    assert_eq!(unknown.action(), pb::Action::Allow);
    assert!(unknown.detection_ids.is_empty());
    assert_eq!(unknown.reason, fail_open()["reason"].as_str().unwrap());

    // 4. Turn on enforcement.
    let settings = scoring
        .update_scoring_settings(pb::UpdateScoringSettingsRequest {
            project: id,
            block_definite: Some(true),
            challenge_likely: Some(true),
            ..Default::default()
        })
        .await
        .expect("UpdateScoringSettings")
        .into_inner();
    assert_eq!(
        settings,
        pb::ScoringSettings {
            bot_settings: Some(pb::BotSettings {
                allow_verified: true,
                protect_static: true,
                block_definite: true,
                challenge_likely: true,
            }),
            likely_bot_threshold: 30,
            challenge_difficulty: 18,
        }
    );
    let state = scoring
        .get_scoring(pb::GetScoringRequest { project: id })
        .await
        .expect("GetScoring")
        .into_inner();
    assert!(state.enabled);
    assert_eq!(state.site_key, site_key);
    assert_eq!(state.bot_settings, settings.bot_settings);

    // Rotation: the old private key fails at once, the new one reads the same verdict.
    let rotated = scoring
        .rotate_key(pb::RotateKeyRequest {
            project: id,
            r#type: pb::KeyType::Private as i32,
        })
        .await
        .expect("RotateKey")
        .into_inner();
    assert_eq!(rotated.r#type(), pb::KeyType::Private);
    assert!(rotated.key.starts_with("sk_") && rotated.key != private_key);
    let err = verdicts
        .clone()
        .get_verdict(verdict_req(&session))
        .await
        .expect_err("the rotated-out private key must fail");
    assert_error(&err, Code::Unauthenticated, "UNAUTHENTICATED");
    let v = botect
        .verdicts(&rotated.key)
        .unwrap()
        .get_verdict(verdict_req(&session))
        .await
        .expect("GetVerdict with the new key")
        .into_inner();
    assert_eq!(v, human_verdict());

    // Account, user, projects.
    let mut account = botect.account(&token).unwrap();
    let acct = account
        .get_account(pb::GetAccountRequest {})
        .await
        .expect("GetAccount")
        .into_inner();
    assert_eq!(i64::from(acct.id), account_id);
    assert_eq!(acct.name, "Acme");
    assert!(!acct.slug.is_empty());
    assert_eq!(acct.role, "owner");
    let user = account
        .get_user(pb::GetUserRequest {})
        .await
        .expect("GetUser")
        .into_inner();
    assert_eq!(user.email, email);
    assert!(user.created_at.is_some());
    let projects = botect
        .projects(&token)
        .unwrap()
        .list_projects(pb::ListProjectsRequest {})
        .await
        .expect("ListProjects")
        .into_inner()
        .projects;
    assert_eq!(projects.len(), 1, "{projects:?}");
    assert_eq!(projects[0].id, id);
    assert_eq!(projects[0].name, "shop");
    assert!(projects[0].scoring_enabled);

    // REST on the same port after gRPC: plain JSON, not wrapped by gRPC-web.
    let r = http()
        .get(server.url("/v1/account"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["name"], "Acme");
    let (status, v) = botect_tests::verdict(&server, &rotated.key, &session).await;
    assert_eq!(status, 200);
    assert_eq!(
        v,
        json!({"verdict": "likely_human", "score": 87, "action": "allow", "detection_ids": [], "reason": HUMAN_REASON})
    );
}

async fn grpc_errors(db: TestDb) {
    let server = Server::start(&db).await;
    let a = tenant(&db, &server, "Alpha").await;
    let b = tenant(&db, &server, "Beta").await;
    let botect = Botect::connect(server.base.clone()).await.unwrap();

    // Wrong credentials, on each plane.
    let err = botect
        .verdicts("sk_wrong")
        .unwrap()
        .get_verdict(verdict_req("sess_x"))
        .await
        .expect_err("wrong private key");
    assert_error(&err, Code::Unauthenticated, "UNAUTHENTICATED");
    // A site key is the wrong kind of credential for verdicts.
    let err = botect
        .verdicts(&a.site_key)
        .unwrap()
        .get_verdict(verdict_req("sess_x"))
        .await
        .expect_err("site key on verdicts");
    assert_error(&err, Code::Unauthenticated, "UNAUTHENTICATED");
    let err = botect
        .ingest("pk_wrong")
        .unwrap()
        .ingest_events(batch(None, vec![mouse_event(&botect_tests::rid())]))
        .await
        .expect_err("wrong site key");
    assert_error(&err, Code::Unauthenticated, "UNAUTHENTICATED");
    let err = botect
        .projects("not-a-token")
        .unwrap()
        .list_projects(pb::ListProjectsRequest {})
        .await
        .expect_err("wrong account token");
    assert_error(&err, Code::Unauthenticated, "UNAUTHENTICATED");
    // No credential at all.
    let mut bare = pb::account_service_client::AccountServiceClient::connect(server.base.clone())
        .await
        .unwrap();
    let err = bare
        .get_account(pb::GetAccountRequest {})
        .await
        .expect_err("no credential");
    assert_error(&err, Code::Unauthenticated, "UNAUTHENTICATED");

    // An invalid event: the whole batch is rejected, naming the field.
    let mut ingest = botect.ingest(&a.site_key).unwrap();
    let err = ingest
        .ingest_events(batch(None, vec![mouse_event("bad id!")]))
        .await
        .expect_err("bad request_id");
    let md = assert_error(&err, Code::InvalidArgument, "INVALID_PAYLOAD");
    assert_eq!(
        md.get("field").map(String::as_str),
        Some("events[0].request_id")
    );
    // An unknown payload key is named too.
    let mut bad = mouse_event(&botect_tests::rid());
    bad.payload
        .as_mut()
        .unwrap()
        .fields
        .insert("keystrokes".into(), pbjson_types::Value::from("hunter2"));
    let err = ingest
        .ingest_events(batch(None, vec![bad]))
        .await
        .expect_err("unknown payload key");
    let md = assert_error(&err, Code::InvalidArgument, "INVALID_PAYLOAD");
    assert_eq!(
        md.get("field").map(String::as_str),
        Some("events[0].payload.keystrokes")
    );
    // No event type.
    let mut untyped = mouse_event(&botect_tests::rid());
    untyped.r#type = pb::EventType::Unspecified as i32;
    let err = ingest
        .ingest_events(batch(None, vec![untyped]))
        .await
        .expect_err("unspecified type");
    let md = assert_error(&err, Code::InvalidArgument, "INVALID_PAYLOAD");
    assert_eq!(md.get("field").map(String::as_str), Some("events[0].type"));

    // Idempotency: a replay with the same body returns the stored first response.
    let key = format!("batch-{}", botect_tests::rid());
    let body = batch(None, vec![mouse_event(&botect_tests::rid())]);
    let send = |body: pb::IngestEventsRequest| {
        let mut c = ingest.clone();
        let req = with_idempotency_key(Request::new(body), &key).unwrap();
        async move { c.ingest_events(req).await.map(|r| r.into_inner()) }
    };
    let first = send(body.clone()).await.expect("first batch");
    assert!(first.session_token.starts_with("sess_"));
    assert_eq!((first.accepted, first.duplicates), (1, 0));
    let replay = send(body.clone()).await.expect("replay");
    assert_eq!(
        replay, first,
        "a replay returns the same session and counts"
    );
    // The same key with another body.
    let other = batch(None, vec![mouse_event(&botect_tests::rid())]);
    let err = send(other).await.expect_err("key reused with another body");
    assert_error(
        &err,
        botect::error::ErrorCode::IdempotencyKeyReused.grpc_code(),
        "IDEMPOTENCY_KEY_REUSED",
    );
    // Without the key, the same events are de-duplicated by request_id, same session.
    let mut again = body.clone();
    again.session_token = Some(first.session_token.clone());
    let dup = ingest
        .ingest_events(again)
        .await
        .expect("re-send")
        .into_inner();
    assert_eq!(dup.session_token, first.session_token);
    assert_eq!((dup.accepted, dup.duplicates), (0, 1));

    // Another account's project.
    let mut scoring_a = botect.scoring(&a.token).unwrap();
    let err = scoring_a
        .update_scoring_settings(pb::UpdateScoringSettingsRequest {
            project: b.project as u32,
            block_definite: Some(true),
            ..Default::default()
        })
        .await
        .expect_err("foreign project settings");
    assert_error(&err, Code::PermissionDenied, "FORBIDDEN");
    let err = scoring_a
        .rotate_key(pb::RotateKeyRequest {
            project: b.project as u32,
            r#type: pb::KeyType::Private as i32,
        })
        .await
        .expect_err("foreign project rotate");
    assert_error(&err, Code::PermissionDenied, "FORBIDDEN");
    let err = botect
        .projects(&a.token)
        .unwrap()
        .get_project(pb::GetProjectRequest {
            project: b.project as u32,
        })
        .await
        .expect_err("foreign project");
    assert_error(&err, Code::PermissionDenied, "FORBIDDEN");
    // B's settings are untouched and B's private key still works.
    let v = botect
        .verdicts(&b.private_key)
        .unwrap()
        .get_verdict(verdict_req("sess_unknown"))
        .await
        .expect("B's key still valid")
        .into_inner();
    assert_eq!(v.verdict(), pb::Verdict::NotComputed);

    // The REST edge reports the same errors in its flat JSON shape.
    let (status, v) = botect_tests::ingest(
        &server,
        &a.site_key,
        None,
        vec![botect_tests::event(
            "bad id!",
            "mouse",
            json!({"entropy": 0.5}),
        )],
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(v["code"], "INVALID_PAYLOAD");
    assert_eq!(v["details"]["field"], "events[0].request_id");
}

type WebCall = http::Request<tonic_web::GrpcWebCall<tonic::body::Body>>;

/// A gRPC-web (HTTP/1.1) transport: a hyper-util legacy client under `GrpcWebClientLayer`,
/// sending a browser's headers (tonic keeps `user-agent` out of request metadata).
type WebChannel = tonic_web::GrpcWebClientService<
    tower::util::MapRequest<
        hyper_util::client::legacy::Client<
            hyper_util::client::legacy::connect::HttpConnector,
            tonic_web::GrpcWebCall<tonic::body::Body>,
        >,
        fn(WebCall) -> WebCall,
    >,
>;

fn with_browser_ua(mut req: WebCall) -> WebCall {
    for (k, v) in botect_tests::BROWSER_HEADERS {
        req.headers_mut()
            .insert(*k, http::HeaderValue::from_static(v));
    }
    req
}

fn web_channel() -> WebChannel {
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .http2_only(false)
        .build_http();
    tower::ServiceBuilder::new()
        .layer(tonic_web::GrpcWebClientLayer::new())
        .map_request(with_browser_ua as fn(WebCall) -> WebCall)
        .service(client)
}

fn with_md<T>(msg: T, name: &'static str, value: &str) -> Request<T> {
    let mut req = Request::new(msg);
    req.metadata_mut()
        .insert(name, value.parse().expect("ASCII metadata"));
    req
}

/// An empty gRPC-web call from a page on another origin, with one credential header.
async fn cross_origin_grpc_web(
    server: &Server,
    path: &str,
    credential: (&str, &str),
) -> reqwest::Response {
    http()
        .post(server.url(path))
        .header("Origin", "https://shop.example")
        .header("Content-Type", "application/grpc-web+proto")
        .header("X-Grpc-Web", "1")
        .header(credential.0, credential.1)
        .body(vec![0u8, 0, 0, 0, 0])
        .send()
        .await
        .unwrap()
}

async fn preflight(server: &Server, path: &str, request_headers: &str) {
    let r = http()
        .request(reqwest::Method::OPTIONS, server.url(path))
        .header("Origin", "https://shop.example")
        .header("Access-Control-Request-Method", "POST")
        .header("Access-Control-Request-Headers", request_headers)
        .send()
        .await
        .expect("preflight");
    assert!(
        r.status().is_success(),
        "preflight of {path} answered {}",
        r.status()
    );
    let h = r.headers();
    let origin = h
        .get("access-control-allow-origin")
        .unwrap_or_else(|| panic!("no Access-Control-Allow-Origin on {path}: {h:?}"))
        .to_str()
        .unwrap();
    assert!(
        origin == "*" || origin == "https://shop.example",
        "{path}: {origin}"
    );
    let methods = h
        .get("access-control-allow-methods")
        .unwrap_or_else(|| panic!("no Access-Control-Allow-Methods on {path}: {h:?}"))
        .to_str()
        .unwrap()
        .to_ascii_uppercase();
    assert!(
        methods == "*" || methods.contains("POST"),
        "{path}: {methods}"
    );
    let allowed = h
        .get("access-control-allow-headers")
        .unwrap_or_else(|| panic!("no Access-Control-Allow-Headers on {path}: {h:?}"))
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    if allowed != "*" {
        for wanted in request_headers.split(',') {
            assert!(allowed.contains(wanted.trim()), "{path}: {allowed}");
        }
    }
}

async fn grpc_web(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Webshop").await;
    let origin: http::Uri = server.base.parse().unwrap();
    let mut ingest =
        pb::ingest_service_client::IngestServiceClient::with_origin(web_channel(), origin.clone());
    let mut verdicts =
        pb::verdict_service_client::VerdictServiceClient::with_origin(web_channel(), origin);

    // Ingest over gRPC-web with the site key as metadata, and an idempotency key.
    let req = with_idempotency_key(
        with_md(
            batch(None, vec![mouse_event("web-event-1")]),
            "x-botect-site-key",
            &t.site_key,
        ),
        "web-batch-1",
    )
    .unwrap();
    let ack = ingest
        .ingest_events(req)
        .await
        .expect("IngestEvents over gRPC-web")
        .into_inner();
    assert!(ack.session_token.starts_with("sess_"), "{ack:?}");
    assert_eq!((ack.accepted, ack.duplicates), (1, 0));
    let session = ack.session_token;

    // The verdict over gRPC-web, with either private-key header.
    let v = poll_scored(|| {
        let mut c = verdicts.clone();
        let req = with_md(
            verdict_req(&session),
            "x-botect-private-key",
            &t.private_key,
        );
        async move { c.get_verdict(req).await.map(|r| r.into_inner()) }
    })
    .await;
    assert_eq!(v, gated_verdict());
    // A challenge over gRPC-web (site key in the body), solved, sent with the SDK's events.
    // The challenge is bound to the browser's user agent (the channel sends Chrome's headers).
    let ch = ingest
        .create_challenge(pb::CreateChallengeRequest {
            site_key: Some(t.site_key.clone()),
        })
        .await
        .expect("CreateChallenge over gRPC-web")
        .into_inner();
    assert_challenge(&ch);
    ingest
        .ingest_events(with_md(
            sdk_batch(&session, &ch),
            "x-botect-site-key",
            &t.site_key,
        ))
        .await
        .expect("IngestEvents with integrity over gRPC-web");
    let v = poll_until(
        || {
            let mut c = verdicts.clone();
            let req = with_md(
                verdict_req(&session),
                "x-botect-private-key",
                &t.private_key,
            );
            async move { c.get_verdict(req).await.map(|r| r.into_inner()) }
        },
        |v| v.score == 87,
    )
    .await;
    assert_eq!(v, human_verdict());
    let v = verdicts
        .get_verdict(with_md(
            verdict_req(&session),
            "authorization",
            &format!("Bearer {}", t.private_key),
        ))
        .await
        .expect("GetVerdict with Authorization over gRPC-web")
        .into_inner();
    assert_eq!(v, human_verdict());

    // Errors over gRPC-web carry the same status and ErrorInfo (in the trailers frame).
    let err = verdicts
        .get_verdict(with_md(
            verdict_req(&session),
            "x-botect-private-key",
            "sk_wrong",
        ))
        .await
        .expect_err("wrong key over gRPC-web");
    assert_error(&err, Code::Unauthenticated, "UNAUTHENTICATED");
    let err = ingest
        .ingest_events(with_md(
            batch(None, vec![mouse_event("bad id!")]),
            "x-botect-site-key",
            &t.site_key,
        ))
        .await
        .expect_err("bad event over gRPC-web");
    let md = assert_error(&err, Code::InvalidArgument, "INVALID_PAYLOAD");
    assert_eq!(
        md.get("field").map(String::as_str),
        Some("events[0].request_id")
    );

    // CORS preflights from a customer's site: gRPC-web and REST ingest.
    preflight(
        &server,
        "/botect.v1.IngestService/IngestEvents",
        "x-grpc-web,content-type,x-botect-site-key",
    )
    .await;
    preflight(
        &server,
        "/v1/events",
        "content-type,x-botect-site-key,idempotency-key",
    )
    .await;
    preflight(
        &server,
        "/botect.v1.IngestService/CreateChallenge",
        "x-grpc-web,content-type,x-botect-site-key",
    )
    .await;
    preflight(&server, "/v1/challenges", "content-type,x-botect-site-key").await;
    // A cross-origin gRPC-web ingest response exposes the grpc-status headers to the page.
    let r = cross_origin_grpc_web(
        &server,
        "/botect.v1.IngestService/IngestEvents",
        ("X-Botect-Site-Key", "pk_wrongwrongwrongwrong"),
    )
    .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["access-control-allow-origin"], "*");
    assert!(
        r.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .contains("grpc-status"),
        "{:?}",
        r.headers()
    );
    assert_eq!(r.headers()["grpc-status"], "16", "{:?}", r.headers());
    // Verdict reads and the control plane are for servers: no CORS, preflights refused.
    let r = cross_origin_grpc_web(
        &server,
        "/botect.v1.VerdictService/GetVerdict",
        ("X-Botect-Private-Key", "sk_wrong"),
    )
    .await;
    assert_eq!(r.headers()["grpc-status"], "16", "{:?}", r.headers());
    assert!(
        !r.headers()
            .keys()
            .any(|k| k.as_str().starts_with("access-control-")),
        "{:?}",
        r.headers()
    );
    for path in [
        "/botect.v1.VerdictService/GetVerdict",
        "/v1/sessions/sess_x/verdict",
        "/v1/projects",
        "/v1/projects/1/scoring/rotate",
        "/botect.v1.ScoringService/RotateKey",
        "/v1/account",
    ] {
        let r = http()
            .request(reqwest::Method::OPTIONS, server.url(path))
            .header("Origin", "https://evil.example")
            .header("Access-Control-Request-Method", "POST")
            .header(
                "Access-Control-Request-Headers",
                "authorization,content-type",
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "{path}");
        assert!(
            r.headers().get("access-control-allow-origin").is_none(),
            "{path}"
        );
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["code"], "FORBIDDEN", "{path}: {e}");
    }

    // REST on the same port after gRPC-web: plain JSON, never gRPC-web framed.
    let (status, ack) = botect_tests::sdk_ingest(
        &server,
        &t.site_key,
        Some(&session),
        vec![botect_tests::event(
            "rest-event-1",
            "mouse",
            json!({"entropy": 0.74, "samples": 128}),
        )],
    )
    .await;
    assert_eq!(status, 202, "{ack}");
    assert_eq!(ack["session_token"], session.as_str());
    assert_eq!(ack["accepted"], 1);
    let v = botect_tests::scored_verdict(&server, &t.private_key, &session).await;
    assert_eq!(v["verdict"], "likely_human", "{v}");
    let r = http()
        .get(server.url("/v1/sessions/sess_unknown/verdict"))
        .bearer_auth(&t.private_key)
        .header("Origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    assert_eq!(r.json::<Value>().await.unwrap(), fail_open());
    let r = http()
        .get(server.url("/v1/account"))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "UNAUTHENTICATED");
}

async fn health_and_reflection(db: TestDb) {
    use tonic_health::pb::{
        HealthCheckRequest, health_check_response::ServingStatus, health_client::HealthClient,
    };
    use tonic_reflection::pb::v1::{
        ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
        server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
    };

    let server = Server::start(&db).await;
    let channel = tonic::transport::Endpoint::from_shared(server.base.clone())
        .unwrap()
        .connect()
        .await
        .expect("connect");

    // Health: the server as a whole and each Botect service (set just after start-up).
    let mut health = HealthClient::new(channel.clone());
    let overall = health
        .check(HealthCheckRequest {
            service: String::new(),
        })
        .await
        .expect("Health/Check")
        .into_inner();
    assert_eq!(overall.status(), ServingStatus::Serving);
    for service in [
        "botect.v1.IngestService",
        "botect.v1.VerdictService",
        "botect.v1.ScoringService",
        "botect.v1.ProjectService",
        "botect.v1.AccountService",
    ] {
        botect_tests::eventually(
            Duration::from_secs(5),
            Duration::from_millis(20),
            &format!("{service} SERVING"),
            || {
                let mut health = health.clone();
                async move {
                    match health
                        .check(HealthCheckRequest {
                            service: service.into(),
                        })
                        .await
                    {
                        Ok(r) if r.get_ref().status() == ServingStatus::Serving => Ok(()),
                        other => Err(format!("{other:?}")),
                    }
                }
            },
        )
        .await;
    }
    let err = health
        .check(HealthCheckRequest {
            service: "botect.v1.NoSuchService".into(),
        })
        .await
        .expect_err("unknown service");
    assert_eq!(err.code(), Code::NotFound);

    // Reflection v1: list services, then resolve a symbol to its file.
    let mut reflection = ServerReflectionClient::new(channel);
    let requests = vec![
        ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        },
        ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::FileContainingSymbol(
                "botect.v1.IngestService".into(),
            )),
        },
    ];
    let mut responses = reflection
        .server_reflection_info(futures::stream::iter(requests))
        .await
        .expect("ServerReflectionInfo")
        .into_inner();
    let listed = responses
        .message()
        .await
        .expect("reflection response")
        .expect("a response to ListServices");
    let Some(MessageResponse::ListServicesResponse(list)) = listed.message_response else {
        panic!("unexpected reflection response: {listed:?}");
    };
    let names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
    for wanted in [
        "botect.v1.IngestService",
        "botect.v1.VerdictService",
        "botect.v1.ProjectService",
        "botect.v1.ScoringService",
        "botect.v1.AccountService",
        "grpc.health.v1.Health",
    ] {
        assert!(names.contains(&wanted), "{wanted} not listed: {names:?}");
    }
    let file = responses
        .message()
        .await
        .expect("reflection response")
        .expect("a response to FileContainingSymbol");
    let Some(MessageResponse::FileDescriptorResponse(fds)) = file.message_response else {
        panic!("unexpected reflection response: {file:?}");
    };
    assert!(!fds.file_descriptor_proto.is_empty());

    // Reflection v1alpha too (older grpcurl), with health.
    {
        use tonic_reflection::pb::v1alpha::{
            ServerReflectionRequest, server_reflection_client::ServerReflectionClient,
            server_reflection_request::MessageRequest, server_reflection_response::MessageResponse,
        };
        let channel = tonic::transport::Endpoint::from_shared(server.base.clone())
            .unwrap()
            .connect()
            .await
            .unwrap();
        let mut alpha = ServerReflectionClient::new(channel);
        let mut responses = alpha
            .server_reflection_info(futures::stream::iter(vec![ServerReflectionRequest {
                host: String::new(),
                message_request: Some(MessageRequest::ListServices(String::new())),
            }]))
            .await
            .expect("v1alpha ServerReflectionInfo")
            .into_inner();
        let listed = responses.message().await.unwrap().unwrap();
        let Some(MessageResponse::ListServicesResponse(list)) = listed.message_response else {
            panic!("unexpected v1alpha response: {listed:?}");
        };
        let names: Vec<&str> = list.service.iter().map(|s| s.name.as_str()).collect();
        assert!(names.contains(&"botect.v1.IngestService"), "{names:?}");
        assert!(names.contains(&"grpc.health.v1.Health"), "{names:?}");
    }

    // REST is still served on the same port after these calls.
    let r = http().get(server.url("/v1/account")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], "UNAUTHENTICATED");
}

both_dbs!(
    grpc_quickstart,
    grpc_errors,
    grpc_web,
    health_and_reflection
);

/// A batch of one `page` event whose `page_path_shape` is `shape` (any size, to probe limits).
fn page_with_shape(shape: String) -> pb::IngestEventsRequest {
    let payload: pbjson_types::Struct = [(
        "page_path_shape".to_string(),
        pbjson_types::Value::from(shape),
    )]
    .into_iter()
    .collect();
    batch(
        None,
        vec![pb::Event {
            request_id: "big".into(),
            r#type: pb::EventType::Page as i32,
            received_at: "2026-06-14T10:00:00Z".into(),
            payload: Some(payload),
        }],
    )
}

/// The gRPC library's refusals in Botect's error model: an oversized message is
/// RESOURCE_EXHAUSTED / PAYLOAD_TOO_LARGE on every service, an undecodable one
/// INVALID_ARGUMENT / INVALID_PAYLOAD (which the SDK does not retry), over gRPC and gRPC-web.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn library_refusals_use_the_error_model() {
    let db = TestDb::new(botect_tests::DbKind::Sqlite).await;
    let server = Server::start_with(&db, &["--max-body-bytes", "4096"]).await;
    let t = tenant(&db, &server, "Limits").await;
    let botect = Botect::connect(server.base.clone()).await.unwrap();
    let err = botect
        .ingest(&t.site_key)
        .unwrap()
        .ingest_events(page_with_shape("x".repeat(8000)))
        .await
        .expect_err("oversized");
    assert_error(&err, Code::ResourceExhausted, "PAYLOAD_TOO_LARGE");
    let err = botect
        .projects(&t.token)
        .unwrap()
        .create_project(pb::CreateProjectRequest {
            name: "y".repeat(8000),
        })
        .await
        .expect_err("oversized control-plane message");
    assert_error(&err, Code::ResourceExhausted, "PAYLOAD_TOO_LARGE");
    // Garbage where a protobuf message should be (gRPC-web framing: flag, length, bytes).
    let r = http()
        .post(server.url("/botect.v1.IngestService/IngestEvents"))
        .header("Content-Type", "application/grpc-web+proto")
        .header("X-Grpc-Web", "1")
        .header("X-Botect-Site-Key", &t.site_key)
        .body(vec![0u8, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["grpc-status"], "3", "{:?}", r.headers());
    assert!(r.headers().contains_key("grpc-status-details-bin"));
}

/// Per-service request limits (docs/api.md#limits): ingest takes `--max-body-bytes`
/// (default 1 MiB); every other service 64 KiB. A 100 KiB message is judged on its content
/// by ingest (here a 422 for its oversized payload) and refused unread by the control plane,
/// over gRPC and REST alike.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_service_request_limits() {
    let db = TestDb::new(botect_tests::DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Limits").await;
    let botect = Botect::connect(server.base.clone()).await.unwrap();
    let filler = "x".repeat(100 * 1024);
    let err = botect
        .ingest(&t.site_key)
        .unwrap()
        .ingest_events(page_with_shape(filler.clone()))
        .await
        .expect_err("an invalid payload");
    assert_error(&err, Code::InvalidArgument, "INVALID_PAYLOAD");
    let err = botect
        .projects(&t.token)
        .unwrap()
        .create_project(pb::CreateProjectRequest {
            name: filler.clone(),
        })
        .await
        .expect_err("oversized control-plane message");
    assert_error(&err, Code::ResourceExhausted, "PAYLOAD_TOO_LARGE");
    assert!(err.message().contains("65536 bytes"), "{err:?}");

    let rest = |path: &str, auth: (&str, String), body: Value| {
        http()
            .post(server.url(path))
            .header(auth.0, auth.1)
            .json(&body)
            .send()
    };
    let r = rest(
        "/v1/events",
        ("X-Botect-Site-Key", t.site_key.clone()),
        json!({"events": [{"request_id": "big", "type": "page",
               "received_at": "2026-06-14T10:00:00Z", "payload": {"page_path_shape": filler}}]}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 422);
    let r = rest(
        "/v1/projects",
        ("Authorization", format!("Bearer {}", t.token)),
        json!({"name": filler}),
    )
    .await
    .unwrap();
    assert_eq!(r.status(), 413);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "PAYLOAD_TOO_LARGE");
    assert_eq!(
        body["message"],
        "The request body exceeds the limit of 65536 bytes for this endpoint."
    );
    assert_eq!(
        botect_tests::sql_count(&db, "SELECT COUNT(*) AS n FROM projects").await,
        1
    );
}
