//! The dashboard's sign-in through real servers on both databases: passwords set by the CLI
//! from stdin (Argon2id), a server-side session in an HttpOnly SameSite=Strict cookie that
//! works for the control plane only and only from the dashboard's own origin, CSRF on every
//! mutating call, password changes, sign-out on every process, and the slow-down of
//! repeated failures.
use botect_tests::{Server, Tenant, TestDb, both_dbs, http, serde_json, sql_count, tenant};
use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const PASSWORD: &str = "a long passphrase, 2026";

async fn email_of(server: &Server, t: &Tenant) -> String {
    let u: Value = http()
        .get(server.url("/user"))
        .bearer_auth(&t.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    u["email"].as_str().unwrap().to_string()
}

async fn set_password(db: &TestDb, email: &str, password: &str) -> std::process::Output {
    db.cli_stdin(
        &["user", "set-password", "--email", email],
        &format!("{password}\n"),
    )
    .await
}

/// A request as the dashboard's page sends it: same origin, the cookie, the CSRF token.
fn page(rb: RequestBuilder, cookie: &str, csrf: Option<&str>) -> RequestBuilder {
    let rb = rb
        .header("sec-fetch-site", "same-origin")
        .header("cookie", format!("botect_dashboard={cookie}"));
    match csrf {
        Some(c) => rb.header("x-botect-csrf", c),
        None => rb,
    }
}

struct Session {
    cookie: String,
    csrf: String,
}

async fn sign_in(
    server: &Server,
    email: &str,
    password: &str,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let r = http()
        .post(server.url("/dashboard/api/session"))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.json().await.unwrap_or(Value::Null))
}

async fn signed_in(server: &Server, email: &str, password: &str) -> Session {
    let (status, headers, body) = sign_in(server, email, password).await;
    assert_eq!(status, 200, "{body}");
    let set = headers["set-cookie"].to_str().unwrap().to_string();
    let cookie = set
        .strip_prefix("botect_dashboard=")
        .and_then(|s| s.split(';').next())
        .unwrap_or_else(|| panic!("{set}"))
        .to_string();
    Session {
        cookie,
        csrf: body["csrf_token"].as_str().unwrap().to_string(),
    }
}

async fn call(
    server: &Server,
    method: Method,
    path: &str,
    s: &Session,
    csrf: bool,
    body: Option<Value>,
) -> (u16, Value) {
    let mut rb = page(
        http().request(method, server.url(path)),
        &s.cookie,
        csrf.then_some(s.csrf.as_str()),
    );
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn a_session_signs_in_works_and_ends(db: TestDb) {
    let a = Server::start(&db).await;
    let b = Server::start(&db).await;
    let t = tenant(&db, &a, "Dash").await;
    let email = email_of(&a, &t).await;

    // No password yet: nobody signs in.
    let (status, _, body) = sign_in(&a, &email, PASSWORD).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("UNAUTHENTICATED")),
        "{body}"
    );
    // Set from stdin; too short is refused.
    let out = set_password(&db, &email, "short").await;
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("10 to 1024"),
        "{out:?}"
    );
    let out = set_password(&db, &email, PASSWORD).await;
    assert!(out.status.success(), "{out:?}");
    let stored = sql_count(&db, &format!("SELECT COUNT(*) AS n FROM users WHERE email = '{email}' AND password_hash LIKE '$argon2id$%'")).await;
    assert_eq!(stored, 1);

    // Wrong password and unknown email answer alike.
    let (s1, _, wrong) = sign_in(&a, &email, "not the password").await;
    let (s2, _, unknown) = sign_in(&a, "nobody@nowhere.test", PASSWORD).await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(wrong["message"], unknown["message"]);
    // From another site: refused.
    let r = http()
        .post(a.url("/dashboard/api/session"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);

    // Signed in: the cookie's attributes; only its hash is stored.
    let (status, headers, body) = sign_in(&a, &email, PASSWORD).await;
    assert_eq!(status, 200, "{body}");
    let set = headers["set-cookie"].to_str().unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=43200"] {
        assert!(set.contains(attr), "{set}");
    }
    assert!(!set.contains("Secure"), "not behind TLS: {set}");
    assert_eq!(headers["cache-control"], "no-store");
    assert_eq!(body["user"]["email"], email.as_str());
    let s = signed_in(&a, &email, PASSWORD).await;
    let hash = hex::encode(Sha256::digest(s.cookie.as_bytes()));
    assert_eq!(
        sql_count(
            &db,
            &format!("SELECT COUNT(*) AS n FROM dashboard_sessions WHERE token_hash = '{hash}'")
        )
        .await,
        1
    );

    // The control plane, on either process, from the dashboard's origin only.
    let (status, projects) = call(&b, Method::GET, "/v1/projects", &s, false, None).await;
    assert_eq!(status, 200, "{projects}");
    assert_eq!(projects[0]["id"].as_i64(), Some(t.project));
    for site in [None, Some("cross-site"), Some("same-site")] {
        let mut rb = http()
            .get(a.url("/v1/projects"))
            .header("cookie", format!("botect_dashboard={}", s.cookie));
        if let Some(site) = site {
            rb = rb.header("sec-fetch-site", site);
        }
        assert_eq!(rb.send().await.unwrap().status(), 401, "{site:?}");
    }
    // Mutating calls need the CSRF token.
    let (status, e) = call(
        &a,
        Method::POST,
        "/v1/projects",
        &s,
        false,
        Some(json!({"name": "from the dashboard"})),
    )
    .await;
    assert_eq!(
        (status, e["code"].as_str()),
        (403, Some("FORBIDDEN")),
        "{e}"
    );
    assert_eq!(e["details"]["field"], "X-Botect-CSRF");
    let wrong_csrf = Session {
        cookie: s.cookie.clone(),
        csrf: "0".repeat(64),
    };
    let (status, _) = call(
        &a,
        Method::POST,
        "/v1/projects",
        &wrong_csrf,
        true,
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(status, 403);
    let (status, p) = call(
        &a,
        Method::POST,
        "/v1/projects",
        &s,
        true,
        Some(json!({"name": "from the dashboard"})),
    )
    .await;
    assert_eq!(status, 201, "{p}");
    // Settings → API Tokens, through the session.
    let (status, created) = call(
        &a,
        Method::POST,
        "/v1/account/tokens",
        &s,
        true,
        Some(json!({"name": "ci"})),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let r = http()
        .get(b.url("/v1/account"))
        .bearer_auth(created["token"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Never the data plane.
    let r = page(
        http().get(a.url("/v1/sessions/sess_whatever/verdict")),
        &s.cookie,
        Some(&s.csrf),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 401);
    let r = page(http().post(a.url("/v1/events")), &s.cookie, Some(&s.csrf))
        .json(&json!({"events": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    // The session read back (a reloaded page gets its CSRF token).
    let (status, me) = call(&b, Method::GET, "/dashboard/api/session", &s, false, None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["csrf_token"], s.csrf.as_str());

    // A password change ends the user's other sessions, not this one.
    let other = signed_in(&a, &email, PASSWORD).await;
    let (status, e) = call(
        &a,
        Method::PUT,
        "/dashboard/api/password",
        &s,
        true,
        Some(json!({"current_password": "wrong one!", "new_password": "another long passphrase"})),
    )
    .await;
    assert_eq!(
        (status, e["details"]["field"].as_str()),
        (422, Some("current_password")),
        "{e}"
    );
    let (status, e) = call(
        &a,
        Method::PUT,
        "/dashboard/api/password",
        &s,
        true,
        Some(json!({"current_password": PASSWORD, "new_password": "short"})),
    )
    .await;
    assert_eq!(
        (status, e["details"]["field"].as_str()),
        (422, Some("new_password")),
        "{e}"
    );
    let (status, _) = call(
        &a,
        Method::PUT,
        "/dashboard/api/password",
        &s,
        false,
        Some(json!({"current_password": PASSWORD, "new_password": "another long passphrase"})),
    )
    .await;
    assert_eq!(status, 403, "no CSRF token");
    let (status, _) = call(
        &a,
        Method::PUT,
        "/dashboard/api/password",
        &s,
        true,
        Some(json!({"current_password": PASSWORD, "new_password": "another long passphrase"})),
    )
    .await;
    assert_eq!(status, 204);
    assert_eq!(
        call(&b, Method::GET, "/v1/projects", &other, false, None)
            .await
            .0,
        401
    );
    assert_eq!(
        call(&b, Method::GET, "/v1/projects", &s, false, None)
            .await
            .0,
        200
    );
    assert_eq!(sign_in(&a, &email, PASSWORD).await.0, 401);
    assert_eq!(sign_in(&a, &email, "another long passphrase").await.0, 200);

    // Signed out: the cookie is cleared and refused at once on every process.
    let r = page(
        http().delete(a.url("/dashboard/api/session")),
        &s.cookie,
        Some(&s.csrf),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 204);
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    for server in [&a, &b] {
        assert_eq!(
            call(server, Method::GET, "/v1/projects", &s, false, None)
                .await
                .0,
            401
        );
        assert_eq!(
            call(
                server,
                Method::GET,
                "/dashboard/api/session",
                &s,
                false,
                None
            )
            .await
            .0,
            401
        );
    }
    // The CLI's reset ends every session.
    let last = signed_in(&a, &email, "another long passphrase").await;
    assert!(set_password(&db, &email, PASSWORD).await.status.success());
    assert_eq!(
        call(&b, Method::GET, "/v1/projects", &last, false, None)
            .await
            .0,
        401
    );
}

async fn repeated_failures_are_slowed_down(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Slow").await;
    let email = email_of(&server, &t).await;
    assert!(set_password(&db, &email, PASSWORD).await.status.success());
    for _ in 0..5 {
        assert_eq!(sign_in(&server, &email, "wrong password!").await.0, 401);
    }
    // Now even the right password waits.
    let (status, headers, e) = sign_in(&server, &email, PASSWORD).await;
    assert_eq!(
        (status, e["code"].as_str()),
        (429, Some("RATE_LIMITED")),
        "{e}"
    );
    let wait = e["retry_after"].as_u64().expect("retry_after");
    assert!((1..=900).contains(&wait), "{e}");
    assert_eq!(headers["retry-after"].to_str().unwrap(), wait.to_string());
    // The network is slowed down too, for any account.
    let (status, _, _) = sign_in(&server, "someone-else@slow.test", "whatever it is").await;
    assert_eq!(status, 429);
    // After the wait, the right password works and clears the account's count.
    tokio::time::sleep(std::time::Duration::from_millis(wait * 1000 + 100)).await;
    assert_eq!(sign_in(&server, &email, PASSWORD).await.0, 200);
    // The data plane never answers 429.
    let r = http()
        .get(server.url("/v1/sessions/sess_x/verdict"))
        .bearer_auth(&t.private_key)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// The pages are served from this origin under a strict policy (the Chromium walk-through in
/// tests/browser/test/dashboard.test.mjs drives them).
async fn the_pages_are_served_under_a_strict_policy(db: TestDb) {
    let server = Server::start(&db).await;
    let r = http().get(server.url("/dashboard")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        csp.starts_with("default-src 'self'; script-src 'self'; style-src 'self';"),
        "{csp}"
    );
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
        "{csp}"
    );
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let page = r.text().await.unwrap();
    assert!(
        page.contains(r#"<script defer src="/dashboard/dashboard.js"></script>"#),
        "{page}"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "no other origin: {page}"
    );
    for (path, ct) in [
        ("/dashboard/dashboard.js", "text/javascript; charset=utf-8"),
        ("/dashboard/dashboard.css", "text/css; charset=utf-8"),
    ] {
        let r = http().get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["content-type"], ct, "{path}");
        assert!(r.text().await.unwrap().len() > 1000, "{path}");
    }
    // Like the control plane, the sign-in answers no cross-origin preflight.
    let r = http()
        .request(Method::OPTIONS, server.url("/dashboard/api/session"))
        .header("origin", "https://evil.test")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("access-control-allow-origin").is_none());
}

both_dbs!(
    a_session_signs_in_works_and_ends,
    repeated_failures_are_slowed_down,
    the_pages_are_served_under_a_strict_policy
);
