//! The browser SDK as a real server delivers it: `GET /sdk/botect.js` and `GET /v1/sdk.js`
//! serve the committed bundle (`clients/browser/dist/botect.js`) as JavaScript, cacheable and
//! loadable from any origin; `GET /demo` loads it with the site key from the query, HTML-escaped.
//! No storage involved beyond starting the server, so SQLite only.
use botect_tests::{DbKind, Server, TestDb, http};

fn committed_bundle() -> String {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../clients/browser/dist/botect.js");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serves_the_sdk_bundle_and_the_demo_page() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    let bundle = committed_bundle();
    assert!(bundle.contains("Botect"), "bundle looks wrong");

    for path in ["/sdk/botect.js", "/v1/sdk.js"] {
        let r = http()
            .get(server.url(path))
            .header("Origin", "https://shop.example")
            .send()
            .await
            .expect("GET bundle");
        assert_eq!(r.status(), 200, "{path}");
        let ct = header(&r, "content-type");
        assert!(
            ct.starts_with("text/javascript"),
            "{path}: content-type {ct}"
        );
        assert!(
            header(&r, "cache-control").contains("max-age="),
            "{path}: cache headers"
        );
        assert_eq!(header(&r, "access-control-allow-origin"), "*", "{path}");
        assert_eq!(header(&r, "x-content-type-options"), "nosniff");
        assert_eq!(r.text().await.expect("body"), bundle, "{path} body");
    }

    // HEAD works too (browsers and CDNs probe with it).
    let r = http()
        .head(server.url("/sdk/botect.js"))
        .send()
        .await
        .expect("HEAD");
    assert_eq!(r.status(), 200);

    // The demo page loads the SDK with the site key and transport from the query.
    let r = http()
        .get(server.url("/demo?site_key=pk_demo123&transport=grpc-web"))
        .send()
        .await
        .expect("GET demo");
    assert_eq!(r.status(), 200);
    assert!(header(&r, "content-type").starts_with("text/html"));
    let html = r.text().await.expect("html");
    assert!(html.contains(
        r#"<script src="/sdk/botect.js" data-site-key="pk_demo123" data-transport="grpc-web"></script>"#
    ));
    for id in [
        r#"id="name""#,
        r#"id="message""#,
        r#"id="agree""#,
        r#"id="button-a""#,
        r#"id="scroll-box""#,
        r#"id="session-token""#,
    ] {
        assert!(html.contains(id), "demo page lacks {id}");
    }

    // An unknown transport falls back to REST.
    let html = http()
        .get(server.url("/demo?site_key=pk_x&transport=%22%3E%3Cb%3E"))
        .send()
        .await
        .expect("GET demo")
        .text()
        .await
        .expect("html");
    assert!(html.contains(r#"data-transport="rest""#));
    assert!(!html.contains("<b>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_escapes_a_hostile_site_key() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    let hostile = r#"pk_"><script>alert('x')</script><img src=x onerror=alert(1)>&"#;
    let url = format!(
        "{}?site_key={}",
        server.url("/demo"),
        utf8_percent_encode(hostile)
    );
    let r = http().get(url).send().await.expect("GET demo");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("html");
    assert!(!html.contains("<script>alert"), "unescaped script tag");
    assert!(!html.contains("<img"), "unescaped img tag");
    assert!(!html.contains(r#"pk_">"#), "attribute breakout");
    assert!(html.contains(
        "data-site-key=\"pk_&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&amp;\""
    ));
    // Exactly the page's own scripts: the SDK tag and the inline helper.
    assert_eq!(html.matches("<script").count(), 2);

    // Without a site key the page still renders (the SDK then stays idle).
    let r = http()
        .get(server.url("/demo"))
        .send()
        .await
        .expect("GET demo");
    assert_eq!(r.status(), 200);
    assert!(
        r.text()
            .await
            .expect("html")
            .contains(r#"data-site-key="""#)
    );
}

/// Percent-encodes everything but unreserved characters.
fn utf8_percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Botect's HTML pages carry a Content-Security-Policy that still lets the SDK run (its
/// proof-of-work worker is a `blob:` URL), refuse framing and sniffing; the demo page has no
/// inline script. API answers that carry secrets are never cacheable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_pages_have_a_security_policy_and_secrets_are_not_cached() {
    let db = TestDb::new(DbKind::Sqlite).await;
    let server = Server::start(&db).await;
    for path in ["/demo?site_key=pk_abc", "/docs/"] {
        let r = http().get(server.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let csp = header(&r, "content-security-policy");
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "worker-src blob:",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(header(&r, "x-frame-options"), "DENY", "{path}");
        assert_eq!(header(&r, "x-content-type-options"), "nosniff", "{path}");
        let body = r.text().await.unwrap();
        assert!(
            !body.contains("<script>")
                && !body.contains(" onsubmit=")
                && !body.contains(" onclick="),
            "{path} has an inline script or handler the policy would block"
        );
    }
    let r = http().get(server.url("/demo.js")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(header(&r, "content-type").starts_with("text/javascript"));
    assert!(r.text().await.unwrap().contains("session-token"));

    // Enabling scoring returns the private key; rotation a new key: never cached.
    let t = botect_tests::tenant(&db, &server, "NoStore").await;
    for (path, body) in [
        (format!("/v1/projects/{}/scoring", t.project), None),
        (
            format!("/v1/projects/{}/scoring/rotate", t.project),
            Some(serde_json::json!({"type": "private"})),
        ),
    ] {
        let mut req = http().post(server.url(&path)).bearer_auth(&t.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(header(&r, "cache-control"), "no-store", "{path}");
    }
    // The SDK bundle keeps its own caching.
    let r = http()
        .get(server.url("/sdk/botect.js"))
        .send()
        .await
        .unwrap();
    assert!(header(&r, "cache-control").starts_with("public"));
}
