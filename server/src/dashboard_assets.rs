//! The dashboard's pages: `GET /dashboard` (the shell), its script and its style sheet, built
//! from `dashboard/` and committed there (`dist/`), so building the server never needs npm.
//! Everything the pages show comes from the REST API with the session cookie
//! (docs/dashboard.md). No request leaves for another origin: the policy below allows this
//! origin only, with no inline script or style.
use axum::{
    Router,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};

pub const DASHBOARD_JS: &str = include_str!("../../dashboard/dist/dashboard.js");
pub const DASHBOARD_CSS: &str = include_str!("../../dashboard/dist/dashboard.css");

/// The dashboard's Content-Security-Policy: stricter than the other pages' (no inline
/// styles, no workers).
pub const DASHBOARD_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

const SHELL: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Botect dashboard</title>
<link rel="stylesheet" href="/dashboard/dashboard.css">
<script defer src="/dashboard/dashboard.js"></script>
</head>
<body>
<div id="app"><p>Loading…</p></div>
<noscript>The Botect dashboard needs JavaScript.</noscript>
</body>
</html>
"#;

pub fn routes() -> Router {
    Router::new()
        .route("/dashboard", get(shell))
        .route("/dashboard/", get(shell))
        .route("/dashboard/dashboard.js", get(script))
        .route("/dashboard/dashboard.css", get(style))
}

fn with(body: &'static str, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn shell() -> Response {
    let mut r = with(SHELL, "text/html; charset=utf-8");
    r.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(DASHBOARD_CSP),
    );
    r
}

async fn script() -> Response {
    with(DASHBOARD_JS, "text/javascript; charset=utf-8")
}

async fn style() -> Response {
    with(DASHBOARD_CSS, "text/css; charset=utf-8")
}
