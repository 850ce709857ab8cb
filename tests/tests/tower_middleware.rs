//! The tower/axum verdict middleware (`clients/rust-tower`, crate `botect-tower`) in a real
//! axum app against a real Botect, on both databases: the `botect_session` cookie, the
//! request's context (route template, trusted-proxy address), every action, hooks, the cache,
//! and failing open at the deadline.
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::{Extension, Router, routing::get};
use botect_tests::{Server, Tenant, TestDb, both_dbs, http, human_session, serde_json, tenant};
use botect_tower::{BotectLayer, BotectVerdict, Config};
use serde_json::{Value, json};

async fn post_rule(server: &Server, t: &Tenant, expression: &str, action: &str) {
    let r = http()
        .post(server.url(&format!("/v1/projects/{}/rules", t.project)))
        .bearer_auth(&t.token)
        .json(&json!({"name": action, "expression": expression, "action": action}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201, "{}", r.text().await.unwrap());
}

/// What the app's handlers answer: the verdict the middleware attached.
async fn show(Extension(v): Extension<BotectVerdict>) -> axum::Json<Value> {
    axum::Json(json!({
        "source": format!("{:?}", v.source),
        "action": v.action().as_str_name(),
        "score": v.verdict.as_ref().map(|v| v.score),
    }))
}

/// Serves an app protected by `layer` on a loopback port; returns its base URL.
async fn serve(layer: BotectLayer) -> String {
    let app = Router::new()
        .route("/", get(show))
        .route("/admin", get(show))
        .route("/slow", get(show))
        .route("/challenge", get(show))
        .route("/orders/{id}", get(show))
        .route_layer(layer);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap()
    });
    format!("http://{addr}")
}

async fn get_with(
    base: &str,
    path: &str,
    cookie: Option<&str>,
    xff: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let mut rb = http().get(format!("{base}{path}"));
    if let Some(c) = cookie {
        rb = rb.header("cookie", c);
    }
    if let Some(x) = xff {
        rb = rb.header("x-forwarded-for", x);
    }
    let r = rb.send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap())
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"))
}

async fn middleware_enforces_actions(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Tower Shop").await;
    post_rule(&server, &t, "path == \"/admin\"", "block").await;
    post_rule(&server, &t, "path == \"/slow\"", "delay").await;
    post_rule(&server, &t, "path == \"/challenge\"", "challenge").await;
    // Rules see the route template, not the concrete path.
    post_rule(&server, &t, "path == \"/orders/{id}\"", "block").await;
    post_rule(&server, &t, "ip in [\"198.51.100.0/24\"]", "block").await;
    let session = human_session(&server, &t.site_key).await;
    // Wait until the session is scored, so that the answers below are final ones.
    botect_tests::scored_verdict(&server, &t.private_key, &session).await;
    let cookie = format!("theme=dark; botect_session={session}");

    let trusted = Config {
        trusted_proxies: vec!["127.0.0.0/8".parse().unwrap()],
        ..Config::default()
    };
    let app = serve(BotectLayer::connect(&server.url(""), &t.private_key, trusted).unwrap()).await;

    let (status, _, body) = get_with(&app, "/", Some(&cookie), None).await;
    assert_eq!(status, 200, "{body}");
    let v = json_of(&body);
    assert_eq!(
        (v["source"].as_str(), v["action"].as_str()),
        (Some("Server"), Some("allow")),
        "{v}"
    );
    assert_eq!(v["score"], 87);
    let (_, _, body) = get_with(&app, "/", Some(&cookie), None).await;
    assert_eq!(
        json_of(&body)["source"],
        "Cache",
        "the second read within 10 s is cached"
    );

    let (status, headers, _) = get_with(&app, "/admin", Some(&cookie), None).await;
    assert_eq!(status, 403);
    assert_eq!(headers["cache-control"], "no-store");
    let (status, headers, _) = get_with(&app, "/slow", Some(&cookie), None).await;
    assert_eq!(status, 429);
    assert_eq!(headers["retry-after"], "5");
    let (status, _, body) = get_with(&app, "/challenge", Some(&cookie), None).await;
    assert_eq!(
        (status, json_of(&body)["action"].as_str()),
        (200, Some("challenge")),
        "challenge passes through by default"
    );
    let (status, _, _) = get_with(&app, "/orders/42", Some(&cookie), None).await;
    assert_eq!(
        status, 403,
        "the rule on the route template /orders/{{id}} matched /orders/42"
    );

    // The address a trusted proxy (loopback here) forwarded is the visitor's.
    let (status, _, _) = get_with(&app, "/", Some(&cookie), Some("6.6.6.6, 198.51.100.7")).await;
    assert_eq!(
        status, 403,
        "the rightmost forwarded address is 198.51.100.7"
    );
    // Without a session cookie nothing is asked and the request goes through.
    let (status, _, body) = get_with(&app, "/admin", None, None).await;
    assert_eq!(
        (status, json_of(&body)["source"].as_str()),
        (200, Some("NoSession"))
    );

    // Without trusted proxies, X-Forwarded-For is anyone's to write and is ignored; a
    // challenge hook answers instead of passing the request on.
    let hooked = Config {
        on_challenge: Some(Arc::new(|v: &BotectVerdict| {
            let mut r = axum::response::Response::new(axum::body::Body::from(format!(
                "prove it ({})",
                v.action().as_str_name()
            )));
            *r.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
            r
        })),
        ..Config::default()
    };
    let app2 = serve(BotectLayer::connect(&server.url(""), &t.private_key, hooked).unwrap()).await;
    let (status, _, _) = get_with(&app2, "/", Some(&cookie), Some("198.51.100.7")).await;
    assert_eq!(status, 200, "an untrusted X-Forwarded-For is ignored");
    let (status, _, body) = get_with(&app2, "/challenge", Some(&cookie), None).await;
    assert_eq!((status, body.as_str()), (401, "prove it (challenge)"));

    // A session the server does not know yet: a fail-open answer, never cached.
    let unknown = format!("botect_session=sess_{}", "0".repeat(48));
    for _ in 0..2 {
        let (status, _, body) = get_with(&app, "/admin", Some(&unknown), None).await;
        let v = json_of(&body);
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["source"], "Server", "not served from the cache: {v}");
        assert_eq!(v["action"], "allow");
    }
}

async fn middleware_fails_open_at_its_deadline(db: TestDb) {
    let server = Server::start(&db).await;
    let t = tenant(&db, &server, "Tower Slow").await;
    let session = human_session(&server, &t.site_key).await;
    // An endpoint that accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_url = format!("http://{}", silent.local_addr().unwrap());
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = silent.accept().await {
            held.push(s);
        }
    });
    let config = Config {
        deadline: Duration::from_millis(150),
        ..Config::default()
    };
    let app = serve(BotectLayer::connect(&silent_url, &t.private_key, config).unwrap()).await;
    for _ in 0..2 {
        let start = Instant::now();
        let (status, _, body) = get_with(
            &app,
            "/admin",
            Some(&format!("botect_session={session}")),
            None,
        )
        .await;
        let took = start.elapsed();
        let v = json_of(&body);
        assert_eq!(
            (status, v["source"].as_str()),
            (200, Some("Unavailable")),
            "{v}"
        );
        assert!(took < Duration::from_secs(1), "answered after {took:?}");
    }
}

both_dbs!(
    middleware_enforces_actions,
    middleware_fails_open_at_its_deadline
);
