//! The authentication table of `shared/spec/authentication.md` and contract §1–§2, over REST
//! against a real server: every endpoint group (control plane, ingest, verdict) with missing,
//! malformed, wrong-kind, revoked, rotated and disabled credentials, inactive subscriptions,
//! other accounts' projects, and the flat error body of each answer. Every test also checks
//! that no secret it used reached the server log (written at debug level here, so that the
//! check means something).
use botect_tests::{
    Server, Tenant, TestDb, both_dbs, event, fail_open, http, ingest, rid, scored_verdict,
    serde_json, tenant, verdict,
};
use reqwest::{
    Method,
    header::{HeaderMap, HeaderValue},
};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------
// Harness additions
// ---------------------------------------------------------------------------------------

/// Like `Server::start`, but with `BOTECT_LOG=debug`: the log then holds everything the
/// server would ever write, and the secret check at the end of each test is meaningful.
async fn start_server(db: &TestDb) -> Server {
    Server::start_logged(db, &[], "debug").await
}

/// No secret (account token, site key, private key) appears in the server log.
fn assert_log_clean(db: &TestDb, secrets: &[&str]) {
    let log = std::fs::read_to_string(db.dir.path().join("server.log")).expect("server log");
    for s in secrets {
        assert!(
            s.len() >= 16,
            "not a secret worth checking: {s:?} (test bug)"
        );
        assert!(!log.contains(s), "a secret appeared in the server log: {s}");
        // The part after the prefix, in case a log line strips or splits it.
        let tail = s
            .strip_prefix("pk_")
            .or_else(|| s.strip_prefix("sk_"))
            .unwrap_or(s);
        assert!(
            !log.contains(tail),
            "a secret appeared in the server log: {s}"
        );
    }
}

/// The email of a token's user (tenants are made with random emails).
async fn email_of(server: &Server, token: &str) -> String {
    let r = send(server, &Ep::get("/user"), &bearer(token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["email"].as_str().expect("email").to_string()
}

// ---------------------------------------------------------------------------------------
// Requests and the error shape
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
struct Ep {
    method: Method,
    path: String,
    body: Option<Value>,
}

impl Ep {
    fn new(method: Method, path: impl Into<String>, body: Option<Value>) -> Ep {
        Ep {
            method,
            path: path.into(),
            body,
        }
    }
    fn get(path: impl Into<String>) -> Ep {
        Ep::new(Method::GET, path, None)
    }
    fn delete(path: impl Into<String>) -> Ep {
        Ep::new(Method::DELETE, path, None)
    }
    fn post(path: impl Into<String>, body: Option<Value>) -> Ep {
        Ep::new(Method::POST, path, body)
    }
    fn put(path: impl Into<String>, body: Value) -> Ep {
        Ep::new(Method::PUT, path, Some(body))
    }
}

impl std::fmt::Display for Ep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

/// Control-plane endpoints that only need a project id (every one takes the account token).
fn project_endpoints(p: i64) -> Vec<Ep> {
    vec![
        Ep::get(format!("/v1/projects/{p}")),
        Ep::delete(format!("/v1/projects/{p}")),
        Ep::get(format!("/v1/projects/{p}/scoring")),
        Ep::post(format!("/v1/projects/{p}/scoring"), None),
        Ep::put(
            format!("/v1/projects/{p}/scoring/settings"),
            json!({"block_definite": true}),
        ),
        Ep::post(
            format!("/v1/projects/{p}/scoring/rotate"),
            Some(json!({"type": "site"})),
        ),
        Ep::post(
            format!("/v1/projects/{p}/scoring/rotate"),
            Some(json!({"type": "private"})),
        ),
        Ep::delete(format!("/v1/projects/{p}/scoring")),
    ]
}

/// Every control-plane endpoint.
fn control_plane(p: i64) -> Vec<Ep> {
    let mut eps = vec![
        Ep::get("/v1/projects"),
        Ep::post("/v1/projects", Some(json!({"name": "never created"}))),
        Ep::get("/v1/account"),
        Ep::get("/user"),
    ];
    eps.extend(project_endpoints(p));
    eps
}

fn ingest_ep(session: Option<&str>) -> Ep {
    Ep::post(
        "/v1/events",
        Some(json!({"session_token": session,
                    "events": [event(&rid(), "mouse", json!({"entropy": 0.74, "samples": 128}))]})),
    )
}

fn verdict_ep(session: &str) -> Ep {
    Ep::get(format!("/v1/sessions/{session}/verdict"))
}

type Headers = Vec<(&'static str, HeaderValue)>;

fn hv(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).expect("header value")
}

fn none() -> Headers {
    Vec::new()
}
fn authorization(v: &str) -> Headers {
    vec![("authorization", hv(v))]
}
fn bearer(t: &str) -> Headers {
    authorization(&format!("Bearer {t}"))
}
fn site_header(k: &str) -> Headers {
    vec![("x-botect-site-key", hv(k))]
}
fn private_header(k: &str) -> Headers {
    vec![("x-botect-private-key", hv(k))]
}

struct Resp {
    status: u16,
    headers: HeaderMap,
    body: Value,
}

async fn send(server: &Server, ep: &Ep, headers: &Headers) -> Resp {
    let mut req = http().request(ep.method.clone(), server.url(&ep.path));
    for (name, value) in headers {
        req = req.header(*name, value.clone());
    }
    if let Some(body) = &ep.body {
        req = req.json(body);
    }
    let r = req.send().await.expect("request");
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{ep}: non-JSON body {text:?}: {e}"))
    };
    Resp {
        status,
        headers,
        body,
    }
}

/// Status and the flat error body `{"error","message","code"}` (plus `details` for 422).
fn assert_error(r: &Resp, status: u16, code: &str, what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    let obj = r
        .body
        .as_object()
        .unwrap_or_else(|| panic!("{what}: error body is not an object: {}", r.body));
    assert_eq!(r.body["code"], code, "{what}: {}", r.body);
    for k in ["error", "message"] {
        assert!(
            r.body[k].as_str().is_some_and(|s| !s.trim().is_empty()),
            "{what}: \"{k}\" must be non-empty text: {}",
            r.body
        );
    }
    let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    if status == 422 {
        assert!(
            keys.starts_with(&["error", "message", "code"])
                && keys
                    .iter()
                    .all(|k| ["error", "message", "code", "details"].contains(k)),
            "{what}: {}",
            r.body
        );
    } else {
        assert_eq!(keys, ["error", "message", "code"], "{what}: {}", r.body);
    }
    assert!(
        r.headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json")),
        "{what}: error without a JSON content type"
    );
}

/// A data-plane error: the flat body, and never `Retry-After` (contract §2).
fn assert_data_error(r: &Resp, status: u16, code: &str, what: &str) {
    assert_error(r, status, code, what);
    assert!(
        r.headers.get("retry-after").is_none() && r.body.get("retry_after").is_none(),
        "{what}: the data plane never sends Retry-After"
    );
}

/// The error does not echo the credential that was sent.
fn assert_not_echoed(r: &Resp, secret: &str, what: &str) {
    assert!(
        !r.body.to_string().contains(secret),
        "{what}: the error body echoes the credential: {}",
        r.body
    );
}

async fn expect_401(server: &Server, ep: &Ep, headers: &Headers, what: &str) {
    let r = send(server, ep, headers).await;
    let what = format!("{what} on {ep}");
    if ep.path.starts_with("/v1/events") || ep.path.starts_with("/v1/sessions/") {
        assert_data_error(&r, 401, "UNAUTHENTICATED", &what);
    } else {
        assert_error(&r, 401, "UNAUTHENTICATED", &what);
    }
    for (_, v) in headers {
        if let Ok(v) = v.to_str() {
            let secret = v.strip_prefix("Bearer ").unwrap_or(v);
            if secret.len() >= 16 {
                assert_not_echoed(&r, secret, &what);
            }
        }
    }
}

/// A mouse event ingested with the site key; the session is scored. Returns its token.
async fn scored_session(server: &Server, t: &Tenant) -> String {
    let (status, ack) = ingest(
        server,
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
    let session = ack["session_token"].as_str().expect("session").to_string();
    scored_verdict(server, &t.private_key, &session).await;
    session
}

async fn rotate(server: &Server, t: &Tenant, kind: &str) -> String {
    let r = send(
        server,
        &Ep::post(
            format!("/v1/projects/{}/scoring/rotate", t.project),
            Some(json!({"type": kind})),
        ),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 200, "rotate {kind}: {}", r.body);
    let keys: Vec<&str> = r
        .body
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["type", "key"], "{}", r.body);
    assert_eq!(r.body["type"], kind);
    r.body["key"].as_str().expect("key").to_string()
}

async fn set_subscription(db: &TestDb, account: i64, active: bool) {
    db.cli(&[
        "subscription",
        "set",
        "--account",
        &account.to_string(),
        "--active",
        if active { "true" } else { "false" },
    ])
    .await;
}

/// A well-formed credential that was never issued.
fn unknown_token() -> String {
    format!("{}{}", uuid::Uuid::new_v4().simple(), "AbCdEfGhIjK")
}

// ---------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------

/// No credential, malformed credentials and each wrong kind, on every endpoint group.
async fn missing_malformed_and_wrong_kind(db: TestDb) {
    let server = start_server(&db).await;
    let t = tenant(&db, &server, "Acme").await;
    let session = scored_session(&server, &t).await;
    let p = t.project;

    // Control plane: everything but a valid account token in Authorization is 401.
    let non_ascii = vec![(
        "authorization",
        HeaderValue::from_bytes(b"Bearer \xff\xfe\xfd-token-with-obs-text").expect("header"),
    )];
    let control_cases: Vec<(&str, Headers)> = vec![
        ("no credential", none()),
        ("Basic scheme", authorization("Basic xyz")),
        ("Bearer without token", authorization("Bearer")),
        ("Bearer with a blank token", authorization("Bearer    ")),
        ("Bearer garbage", bearer("!!not*a(token)!!")),
        ("Bearer too short", bearer("abc")),
        ("non-ASCII Authorization", non_ascii),
        (
            "valid token with another scheme",
            authorization(&format!("Token {}", t.token)),
        ),
        ("valid token without scheme", authorization(&t.token)),
        ("unknown well-formed token", bearer(&unknown_token())),
        ("site key as bearer", bearer(&t.site_key)),
        ("private key as bearer", bearer(&t.private_key)),
        ("account token in X-Botect-Site-Key", site_header(&t.token)),
        (
            "account token in X-Botect-Private-Key",
            private_header(&t.token),
        ),
        ("site key in X-Botect-Site-Key", site_header(&t.site_key)),
        (
            "private key in X-Botect-Private-Key",
            private_header(&t.private_key),
        ),
    ];
    for ep in control_plane(p) {
        for (what, headers) in &control_cases {
            expect_401(&server, &ep, headers, what).await;
        }
    }
    // Nothing above changed anything: the project, its keys and settings are as they were.
    let r = send(
        &server,
        &Ep::get(format!("/v1/projects/{p}/scoring")),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["site_key"], t.site_key.as_str());
    assert_eq!(r.body["bot_settings"]["block_definite"], false);
    let r = send(&server, &Ep::get("/v1/projects"), &bearer(&t.token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body.as_array().expect("array").len(), 1, "{}", r.body);
    // The scheme is case-insensitive (RFC 9110).
    let r = send(
        &server,
        &Ep::get("/v1/account"),
        &authorization(&format!("bearer {}", t.token)),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    // Ingest: only a site key, in X-Botect-Site-Key or the site_key body field.
    let ingest_cases: Vec<(&str, Headers)> = vec![
        ("no credential", none()),
        ("empty site key header", site_header("")),
        (
            "site key with bad characters",
            site_header("pk_bad key!*(x)#$%"),
        ),
        ("site key too short", site_header("pk_abc")),
        ("pk_ alone", site_header("pk_")),
        (
            "site key without its prefix",
            site_header(t.site_key.trim_start_matches("pk_")),
        ),
        (
            "unknown well-formed site key",
            site_header(&format!("pk_{}", unknown_token())),
        ),
        ("account token as site key", site_header(&t.token)),
        ("private key as site key", site_header(&t.private_key)),
        ("account token as bearer", bearer(&t.token)),
        ("private key as bearer", bearer(&t.private_key)),
        (
            "private key in X-Botect-Private-Key",
            private_header(&t.private_key),
        ),
    ];
    for (what, headers) in &ingest_cases {
        expect_401(&server, &ingest_ep(None), headers, what).await;
    }
    for (what, key) in [
        ("account token in the site_key field", t.token.as_str()),
        ("private key in the site_key field", t.private_key.as_str()),
        (
            "garbage in the site_key field",
            "pk_<script>alert(1)</script>",
        ),
    ] {
        let mut ep = ingest_ep(None);
        ep.body.as_mut().expect("body")["site_key"] = json!(key);
        let r = send(&server, &ep, &none()).await;
        assert_data_error(&r, 401, "UNAUTHENTICATED", what);
        assert_not_echoed(&r, key, what);
    }
    // The right kind works, in the header and in the body field.
    let r = send(
        &server,
        &ingest_ep(Some(&session)),
        &site_header(&t.site_key),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["session_token"], session.as_str());
    let mut ep = ingest_ep(Some(&session));
    ep.body.as_mut().expect("body")["site_key"] = json!(t.site_key);
    let r = send(&server, &ep, &none()).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["session_token"], session.as_str());

    // Verdict: only a private key, as bearer or in X-Botect-Private-Key.
    let verdict_cases: Vec<(&str, Headers)> = vec![
        ("no credential", none()),
        ("Basic scheme", authorization("Basic xyz")),
        ("Bearer without token", authorization("Bearer")),
        ("Bearer garbage", bearer("!!not*a(token)!!")),
        (
            "private key with bad characters",
            bearer("sk_bad key!*(x)#$%"),
        ),
        ("private key too short", bearer("sk_abc")),
        (
            "private key without its prefix",
            bearer(t.private_key.trim_start_matches("sk_")),
        ),
        (
            "unknown well-formed private key",
            bearer(&format!("sk_{}", unknown_token())),
        ),
        (
            "unknown private key in X-Botect-Private-Key",
            private_header(&format!("sk_{}", unknown_token())),
        ),
        ("account token as bearer", bearer(&t.token)),
        (
            "account token in X-Botect-Private-Key",
            private_header(&t.token),
        ),
        ("site key as bearer", bearer(&t.site_key)),
        (
            "site key in X-Botect-Private-Key",
            private_header(&t.site_key),
        ),
        ("site key in X-Botect-Site-Key", site_header(&t.site_key)),
        (
            "private key in X-Botect-Site-Key",
            site_header(&t.private_key),
        ),
        ("empty X-Botect-Private-Key", private_header("")),
    ];
    for s in [session.as_str(), "sess_unknown"] {
        for (what, headers) in &verdict_cases {
            expect_401(&server, &verdict_ep(s), headers, what).await;
        }
    }
    // The right kind works both ways, and both give the same verdict.
    let by_bearer = send(&server, &verdict_ep(&session), &bearer(&t.private_key)).await;
    assert_eq!(by_bearer.status, 200, "{}", by_bearer.body);
    assert_ne!(by_bearer.body["verdict"], "not_computed");
    let by_header = send(
        &server,
        &verdict_ep(&session),
        &private_header(&t.private_key),
    )
    .await;
    assert_eq!(by_header.status, 200, "{}", by_header.body);
    assert_eq!(by_header.body, by_bearer.body);
    let lower = send(
        &server,
        &verdict_ep(&session),
        &authorization(&format!("bearer {}", t.private_key)),
    )
    .await;
    assert_eq!(lower.status, 200, "{}", lower.body);
    let unknown = send(
        &server,
        &verdict_ep("sess_unknown"),
        &private_header(&t.private_key),
    )
    .await;
    assert_eq!((unknown.status, unknown.body), (200, fail_open()));

    assert_log_clean(&db, &[&t.token, &t.site_key, &t.private_key]);
}

/// A revoked token is refused at once by the running server; other tokens and the keys are
/// unaffected.
async fn revoked_token(db: TestDb) {
    let server = start_server(&db).await;
    let t = tenant(&db, &server, "Revoke").await;
    let email = email_of(&server, &t.token).await;
    let second = db
        .cli(&["token", "create", "--email", &email, "--name", "second"])
        .await
        .trim()
        .to_string();
    for token in [&t.token, &second] {
        let r = send(&server, &Ep::get("/v1/projects"), &bearer(token)).await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    let out = db
        .cli(&["token", "revoke", "--email", &email, "--name", "second"])
        .await;
    assert_eq!(
        serde_json::from_str::<Value>(&out).expect("JSON"),
        json!({"revoked": 1})
    );
    // At once: no cache keeps it alive.
    for ep in control_plane(t.project) {
        expect_401(&server, &ep, &bearer(&second), "revoked token (by name)").await;
    }
    // The other token of the same user still works, and so do the project's keys.
    let r = send(&server, &Ep::get("/v1/account"), &bearer(&t.token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let session = scored_session(&server, &t).await;

    db.cli(&["token", "revoke", "--token", &t.token]).await;
    for ep in control_plane(t.project) {
        expect_401(&server, &ep, &bearer(&t.token), "revoked token (by value)").await;
    }
    // Keys are not tokens: the data plane goes on.
    let (status, _) = ingest(
        &server,
        &t.site_key,
        Some(&session),
        vec![event(&rid(), "scroll", json!({"scroll_velocity": 1.5}))],
    )
    .await;
    assert_eq!(status, 202);
    let (status, v) = verdict(&server, &t.private_key, &session).await;
    assert_eq!(status, 200, "{v}");
    // A new token for the same user works again.
    let third = db
        .cli(&["token", "create", "--email", &email, "--name", "second"])
        .await
        .trim()
        .to_string();
    let r = send(&server, &Ep::get("/v1/projects"), &bearer(&third)).await;
    assert_eq!(r.status, 200, "{}", r.body);

    assert_log_clean(
        &db,
        &[&t.token, &second, &third, &t.site_key, &t.private_key],
    );
}

/// Rotation invalidates the old key at once and only that key; 409 before enablement, 422
/// for another type.
async fn rotated_keys(db: TestDb) {
    let server = start_server(&db).await;
    let t = tenant(&db, &server, "Rotate").await;
    let session = scored_session(&server, &t).await;
    let before = scored_verdict(&server, &t.private_key, &session).await;

    // Site key.
    let site2 = rotate(&server, &t, "site").await;
    assert!(site2.starts_with("pk_") && site2 != t.site_key, "{site2}");
    let r = send(
        &server,
        &ingest_ep(Some(&session)),
        &site_header(&t.site_key),
    )
    .await;
    assert_data_error(&r, 401, "UNAUTHENTICATED", "old site key after rotation");
    let mut ep = ingest_ep(Some(&session));
    ep.body.as_mut().expect("body")["site_key"] = json!(t.site_key);
    let r = send(&server, &ep, &none()).await;
    assert_data_error(
        &r,
        401,
        "UNAUTHENTICATED",
        "old site key in the body after rotation",
    );
    let r = send(&server, &ingest_ep(Some(&session)), &site_header(&site2)).await;
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["session_token"], session.as_str());
    // The private key is untouched by a site rotation.
    let (status, _) = verdict(&server, &t.private_key, &session).await;
    assert_eq!(status, 200);
    let r = send(
        &server,
        &Ep::get(format!("/v1/projects/{}/scoring", t.project)),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.body["site_key"], site2.as_str());
    assert_eq!(r.body["enabled"], true);

    // Private key.
    let sk2 = rotate(&server, &t, "private").await;
    assert!(sk2.starts_with("sk_") && sk2 != t.private_key, "{sk2}");
    for headers in [bearer(&t.private_key), private_header(&t.private_key)] {
        let r = send(&server, &verdict_ep(&session), &headers).await;
        assert_data_error(&r, 401, "UNAUTHENTICATED", "old private key after rotation");
        assert_not_echoed(&r, &t.private_key, "old private key after rotation");
    }
    let after = scored_verdict(&server, &sk2, &session).await;
    assert_eq!(after["verdict"], before["verdict"]);
    let r = send(&server, &verdict_ep(&session), &private_header(&sk2)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The site key is untouched by a private rotation.
    let r = send(&server, &ingest_ep(Some(&session)), &site_header(&site2)).await;
    assert_eq!(r.status, 202, "{}", r.body);

    // Rotating again retires the previous rotated key too.
    let t2 = Tenant {
        site_key: site2.clone(),
        private_key: sk2.clone(),
        ..t.clone()
    };
    let sk3 = rotate(&server, &t2, "private").await;
    let (status, _) = verdict(&server, &sk2, &session).await;
    assert_eq!(status, 401);
    let (status, _) = verdict(&server, &sk3, &session).await;
    assert_eq!(status, 200);

    // 422 for any other type; nothing is rotated.
    let rotate_ep = |body: Value| {
        Ep::post(
            format!("/v1/projects/{}/scoring/rotate", t.project),
            Some(body),
        )
    };
    for body in [
        json!({"type": "foo"}),
        json!({"type": ""}),
        json!({"type": null}),
        json!({}),
        json!({"type": "key_type_unspecified"}),
    ] {
        let r = send(&server, &rotate_ep(body.clone()), &bearer(&t.token)).await;
        assert_error(&r, 422, "INVALID_PAYLOAD", &format!("rotate {body}"));
        assert_eq!(
            r.body["details"]["field"], "type",
            "rotate {body}: {}",
            r.body
        );
    }
    let r = send(&server, &ingest_ep(Some(&session)), &site_header(&site2)).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let (status, _) = verdict(&server, &sk3, &session).await;
    assert_eq!(status, 200);

    // 409 before scoring is enabled.
    let r = send(
        &server,
        &Ep::post("/v1/projects", Some(json!({"name": "not yet"}))),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let fresh = r.body["id"].as_i64().expect("id");
    assert_eq!(r.body["scoring_enabled"], false);
    for kind in ["site", "private"] {
        let r = send(
            &server,
            &Ep::post(
                format!("/v1/projects/{fresh}/scoring/rotate"),
                Some(json!({"type": kind})),
            ),
            &bearer(&t.token),
        )
        .await;
        assert_error(
            &r,
            409,
            "SCORING_NOT_ENABLED",
            &format!("rotate {kind} before enabling"),
        );
    }
    let r = send(
        &server,
        &Ep::get(format!("/v1/projects/{fresh}/scoring")),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["enabled"], false);
    assert_eq!(r.body["site_key"], "");

    assert_log_clean(
        &db,
        &[&t.token, &t.site_key, &t.private_key, &site2, &sk2, &sk3],
    );
}

/// Disabling scoring retires both keys at once; enabling again mints new ones.
async fn disabled_scoring(db: TestDb) {
    let server = start_server(&db).await;
    let t = tenant(&db, &server, "Disable").await;
    let session = scored_session(&server, &t).await;
    let scoring = Ep::get(format!("/v1/projects/{}/scoring", t.project));

    let r = send(
        &server,
        &Ep::delete(format!("/v1/projects/{}/scoring", t.project)),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.body);
    assert_eq!(r.body, Value::Null, "204 has no body");

    let r = send(
        &server,
        &ingest_ep(Some(&session)),
        &site_header(&t.site_key),
    )
    .await;
    assert_data_error(&r, 401, "UNAUTHENTICATED", "site key of a disabled project");
    for headers in [bearer(&t.private_key), private_header(&t.private_key)] {
        let r = send(&server, &verdict_ep(&session), &headers).await;
        assert_data_error(
            &r,
            401,
            "UNAUTHENTICATED",
            "private key of a disabled project",
        );
    }
    let r = send(&server, &scoring, &bearer(&t.token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["enabled"], false, "{}", r.body);
    assert_eq!(r.body["site_key"], "", "{}", r.body);
    let r = send(
        &server,
        &Ep::get(format!("/v1/projects/{}", t.project)),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.body["scoring_enabled"], false, "{}", r.body);
    // Rotation needs enabled scoring; disabling twice is harmless.
    let r = send(
        &server,
        &Ep::post(
            format!("/v1/projects/{}/scoring/rotate", t.project),
            Some(json!({"type": "site"})),
        ),
        &bearer(&t.token),
    )
    .await;
    assert_error(&r, 409, "SCORING_NOT_ENABLED", "rotate after disabling");
    let r = send(
        &server,
        &Ep::delete(format!("/v1/projects/{}/scoring", t.project)),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.body);

    // Enabling again mints new keys and shows the private key again.
    let r = send(
        &server,
        &Ep::post(format!("/v1/projects/{}/scoring", t.project), None),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let site2 = r.body["site_key"].as_str().expect("site key").to_string();
    let sk2 = r.body["private_key"]
        .as_str()
        .unwrap_or_else(|| panic!("re-enabling must return a private key: {}", r.body))
        .to_string();
    assert!(site2.starts_with("pk_") && site2 != t.site_key);
    assert!(sk2.starts_with("sk_") && sk2 != t.private_key);
    let r = send(&server, &scoring, &bearer(&t.token)).await;
    assert_eq!(r.body["enabled"], true);
    assert_eq!(r.body["site_key"], site2.as_str());

    // The old keys stay dead; the new ones work.
    let r = send(
        &server,
        &ingest_ep(Some(&session)),
        &site_header(&t.site_key),
    )
    .await;
    assert_data_error(&r, 401, "UNAUTHENTICATED", "old site key after re-enabling");
    let (status, _) = verdict(&server, &t.private_key, &session).await;
    assert_eq!(status, 401);
    let r = send(&server, &ingest_ep(Some(&session)), &site_header(&site2)).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let (status, v) = verdict(&server, &sk2, &session).await;
    assert_eq!(status, 200, "{v}");

    assert_log_clean(&db, &[&t.token, &t.site_key, &t.private_key, &site2, &sk2]);
}

/// 402 everywhere a subscription is needed; enabling scoring and GET /v1/account work
/// without one; re-activation restores everything.
async fn inactive_subscription(db: TestDb) {
    let server = start_server(&db).await;
    let t = tenant(&db, &server, "Lapsed").await;
    let session = scored_session(&server, &t).await;
    let p = t.project;
    // A project created while subscribed, scoring not yet enabled.
    let r = send(
        &server,
        &Ep::post("/v1/projects", Some(json!({"name": "later"}))),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let later = r.body["id"].as_i64().expect("id");

    set_subscription(&db, t.account_id, false).await;

    let r = send(
        &server,
        &ingest_ep(Some(&session)),
        &site_header(&t.site_key),
    )
    .await;
    assert_data_error(&r, 402, "NO_ACTIVE_SUBSCRIPTION", "ingest");
    let mut ep = ingest_ep(None);
    ep.body.as_mut().expect("body")["site_key"] = json!(t.site_key);
    let r = send(&server, &ep, &none()).await;
    assert_data_error(&r, 402, "NO_ACTIVE_SUBSCRIPTION", "ingest (site_key field)");
    for headers in [bearer(&t.private_key), private_header(&t.private_key)] {
        let r = send(&server, &verdict_ep(&session), &headers).await;
        assert_data_error(&r, 402, "NO_ACTIVE_SUBSCRIPTION", "verdict");
    }
    let needs_subscription = vec![
        Ep::get("/v1/projects"),
        Ep::post("/v1/projects", Some(json!({"name": "refused"}))),
        Ep::get("/user"),
        Ep::get(format!("/v1/projects/{p}")),
        Ep::get(format!("/v1/projects/{p}/scoring")),
        Ep::put(
            format!("/v1/projects/{p}/scoring/settings"),
            json!({"block_definite": true}),
        ),
        Ep::post(
            format!("/v1/projects/{p}/scoring/rotate"),
            Some(json!({"type": "private"})),
        ),
        Ep::delete(format!("/v1/projects/{p}/scoring")),
        Ep::delete(format!("/v1/projects/{p}")),
    ];
    for ep in &needs_subscription {
        let r = send(&server, ep, &bearer(&t.token)).await;
        assert_error(&r, 402, "NO_ACTIVE_SUBSCRIPTION", &ep.to_string());
    }
    // A bad credential is still a 401, not a 402.
    expect_401(
        &server,
        &Ep::get("/v1/projects"),
        &bearer(&t.site_key),
        "wrong kind while unsubscribed",
    )
    .await;
    let r = send(&server, &verdict_ep(&session), &bearer(&t.token)).await;
    assert_data_error(&r, 401, "UNAUTHENTICATED", "wrong kind while unsubscribed");

    // These work without a subscription.
    let r = send(&server, &Ep::get("/v1/account"), &bearer(&t.token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["id"], t.account_id);
    assert_eq!(r.body["name"], "Lapsed");
    let r = send(
        &server,
        &Ep::post(format!("/v1/projects/{p}/scoring"), None),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["site_key"], t.site_key.as_str());
    assert!(r.body["private_key"].is_null(), "{}", r.body);
    let r = send(
        &server,
        &Ep::post(format!("/v1/projects/{later}/scoring"), None),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let later_site = r.body["site_key"].as_str().expect("site key").to_string();
    let later_sk = r.body["private_key"]
        .as_str()
        .expect("first enablement returns the private key")
        .to_string();
    // … but its keys are refused for lack of a subscription.
    let r = send(&server, &ingest_ep(None), &site_header(&later_site)).await;
    assert_data_error(&r, 402, "NO_ACTIVE_SUBSCRIPTION", "ingest, new project");

    // Nothing changed while refused.
    set_subscription(&db, t.account_id, true).await;
    let r = send(&server, &Ep::get("/v1/projects"), &bearer(&t.token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body.as_array().expect("array").len(), 2, "{}", r.body);
    let r = send(
        &server,
        &Ep::get(format!("/v1/projects/{p}/scoring")),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["enabled"], true);
    assert_eq!(r.body["site_key"], t.site_key.as_str());
    assert_eq!(r.body["bot_settings"]["block_definite"], false);

    // Re-activated: everything works again.
    let r = send(
        &server,
        &ingest_ep(Some(&session)),
        &site_header(&t.site_key),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let r = send(&server, &ingest_ep(None), &site_header(&later_site)).await;
    assert_eq!(r.status, 202, "{}", r.body);
    let (status, v) = verdict(&server, &t.private_key, &session).await;
    assert_eq!(status, 200, "{v}");
    let (status, v) = verdict(&server, &later_sk, "sess_unknown").await;
    assert_eq!((status, v), (200, fail_open()));
    let r = send(&server, &Ep::get("/user"), &bearer(&t.token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = send(
        &server,
        &Ep::put(
            format!("/v1/projects/{p}/scoring/settings"),
            json!({"challenge_likely": true}),
        ),
        &bearer(&t.token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["bot_settings"]["challenge_likely"], true);

    assert_log_clean(
        &db,
        &[
            &t.token,
            &t.site_key,
            &t.private_key,
            &later_site,
            &later_sk,
        ],
    );
}

/// Accounts are isolated: 403 on another account's project, 404 on none, other projects'
/// sessions fail open, and project lists never cross accounts.
async fn cross_account(db: TestDb) {
    let server = start_server(&db).await;
    let a = tenant(&db, &server, "Alpha").await;
    let b = tenant(&db, &server, "Beta").await;
    let r = send(
        &server,
        &Ep::post("/v1/projects", Some(json!({"name": "alpha two"}))),
        &bearer(&a.token),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let a2 = r.body["id"].as_i64().expect("id");

    // Lists never cross accounts.
    let ids = |v: &Value| -> Vec<i64> {
        v.as_array()
            .unwrap_or_else(|| panic!("bare array: {v}"))
            .iter()
            .map(|p| p["id"].as_i64().expect("id"))
            .collect()
    };
    let r = send(&server, &Ep::get("/v1/projects"), &bearer(&a.token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(ids(&r.body), [a.project, a2]);
    assert!(
        r.body
            .as_array()
            .expect("array")
            .iter()
            .all(|p| p["account_id"] == a.account_id),
        "{}",
        r.body
    );
    let r = send(&server, &Ep::get("/v1/projects"), &bearer(&b.token)).await;
    assert_eq!(ids(&r.body), [b.project]);

    // Another account's project: 403 everywhere, and nothing changes.
    for ep in project_endpoints(b.project) {
        let r = send(&server, &ep, &bearer(&a.token)).await;
        assert_error(&r, 403, "FORBIDDEN", &format!("A's token on {ep}"));
        assert!(
            !r.body.to_string().contains(&b.site_key),
            "403 leaks B's site key: {}",
            r.body
        );
    }
    let r = send(
        &server,
        &Ep::get(format!("/v1/projects/{}/scoring", b.project)),
        &bearer(&b.token),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["enabled"], true);
    assert_eq!(r.body["site_key"], b.site_key.as_str());
    assert_eq!(r.body["bot_settings"]["block_definite"], false);
    let b_session = scored_session(&server, &b).await;

    // A project that does not exist: 404.
    for ep in project_endpoints(2_000_000_000) {
        let r = send(&server, &ep, &bearer(&a.token)).await;
        assert_error(&r, 404, "NOT_FOUND", &format!("{ep}"));
    }
    // … including one that was deleted.
    let r = send(
        &server,
        &Ep::delete(format!("/v1/projects/{a2}")),
        &bearer(&a.token),
    )
    .await;
    assert_eq!(r.status, 204, "{}", r.body);
    for ep in project_endpoints(a2) {
        let r = send(&server, &ep, &bearer(&a.token)).await;
        assert_error(&r, 404, "NOT_FOUND", &format!("{ep} after deletion"));
    }
    let r = send(&server, &Ep::get("/v1/projects"), &bearer(&a.token)).await;
    assert_eq!(ids(&r.body), [a.project]);

    // Another project's session read with this project's private key: fail-open, never
    // B's verdict.
    for headers in [bearer(&a.private_key), private_header(&a.private_key)] {
        let r = send(&server, &verdict_ep(&b_session), &headers).await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body, fail_open());
    }
    // Ingest with A's site key and B's session: a new session of A's project is minted.
    let r = send(
        &server,
        &ingest_ep(Some(&b_session)),
        &site_header(&a.site_key),
    )
    .await;
    assert_eq!(r.status, 202, "{}", r.body);
    let minted = r.body["session_token"].as_str().expect("session");
    assert!(
        minted.starts_with("sess_") && minted != b_session,
        "{}",
        r.body
    );
    let (status, v) = verdict(&server, &b.private_key, minted).await;
    assert_eq!((status, v), (200, fail_open()));
    // B's session is B's.
    let v = scored_verdict(&server, &b.private_key, &b_session).await;
    assert_ne!(v, fail_open());

    assert_log_clean(
        &db,
        &[
            &a.token,
            &a.site_key,
            &a.private_key,
            &b.token,
            &b.site_key,
            &b.private_key,
        ],
    );
}

both_dbs!(
    missing_malformed_and_wrong_kind,
    revoked_token,
    rotated_keys,
    disabled_scoring,
    inactive_subscription,
    cross_account,
);
