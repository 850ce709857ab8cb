//! Browser assets: the SDK bundle (`GET /sdk/botect.js`, alias `GET /v1/sdk.js`) and a demo
//! page (`GET /demo?site_key=pk_…[&transport=grpc-web]`) that loads it, for real-browser tests
//! and the evaluation. The bundle is built from `clients/browser/` and committed there
//! (`dist/botect.js`), so building the server never needs npm.
use axum::{
    Router,
    extract::Query,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde::Deserialize;

/// The classic-script SDK bundle (`window.Botect`, auto-init from `data-site-key`).
pub const SDK_JS: &str = include_str!("../../clients/browser/dist/botect.js");

/// Routes: `/sdk/botect.js`, `/v1/sdk.js`, `/demo` and its script `/demo.js`.
pub fn routes() -> Router {
    Router::new()
        .route("/sdk/botect.js", get(sdk))
        .route("/v1/sdk.js", get(sdk))
        .route("/demo", get(demo))
        .route("/demo.js", get(demo_js))
}

/// The Content-Security-Policy of Botect's HTML pages (`/demo`, `/docs`): scripts, styles
/// sheets, fetches and images from this origin only (inline styles allowed: Swagger UI
/// sets them), the SDK's proof-of-work worker from a `blob:` URL, no framing, no plugins.
pub const HTML_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; connect-src 'self'; worker-src blob:; object-src 'none'; base-uri 'none'; \
     form-action 'self'; frame-ancestors 'none'";

/// The demo page's own script (served from this origin, so the page needs no inline script).
async fn demo_js() -> Response {
    let mut r = DEMO_JS.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

const DEMO_JS: &str = r##"(function () {
  // The form never navigates (no inline handlers: the page's policy forbids them).
  document.getElementById("form").addEventListener("submit", function (e) { e.preventDefault(); });
  var n = 0;
  document.getElementById("button-a").onclick = document.getElementById("button-b").onclick = function () {
    document.getElementById("clicks").textContent = ++n + " click(s)";
  };
  var status = document.getElementById("status");
  document.getElementById("flush").onclick = function () {
    if (!window.Botect) return;
    status.textContent = "flushing";
    window.Botect.flush().then(function () { status.textContent = "flushed"; },
                               function (e) { status.textContent = "error: " + (e && (e.status || e.message) || e); });
  };
  setInterval(function () {
    var t = window.Botect && window.Botect.getSessionToken();
    if (t) document.getElementById("session-token").textContent = t;
    if (!window.Botect) status.textContent = "SDK not loaded";
  }, 200);
})();
"##;

async fn sdk() -> Response {
    let mut r = SDK_JS.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/javascript; charset=utf-8"),
    );
    // Unversioned URL: short freshness, then revalidation.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300, stale-while-revalidate=86400"),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

#[derive(Debug, Default, Deserialize)]
struct DemoQuery {
    site_key: Option<String>,
    transport: Option<String>,
}

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

async fn demo(Query(q): Query<DemoQuery>) -> Response {
    let site_key = html_escape(q.site_key.as_deref().unwrap_or_default());
    let transport = match q.transport.as_deref() {
        Some("grpc-web") => "grpc-web",
        _ => "rest",
    };
    let body = DEMO_HTML
        .replace("{{SITE_KEY}}", &site_key)
        .replace("{{TRANSPORT}}", transport);
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

const DEMO_HTML: &str = r##"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Botect demo</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
label { display: block; margin: .75rem 0 .25rem; }
input[type=text], textarea { width: 100%; box-sizing: border-box; padding: .4rem; font: inherit; }
button { margin: .75rem .5rem 0 0; padding: .4rem 1rem; font: inherit; }
#scroll-box { height: 12rem; overflow: auto; border: 1px solid #999; padding: 0 1rem; margin-top: 1rem; }
code { background: #eee; padding: .1rem .3rem; }
</style>
<script src="/sdk/botect.js" data-site-key="{{SITE_KEY}}" data-transport="{{TRANSPORT}}"></script>
</head>
<body>
<h1>Botect demo</h1>
<p>This page loads the Botect SDK (<code>/sdk/botect.js</code>, transport <code id="transport">{{TRANSPORT}}</code>).
Move the mouse, type, click and scroll; the SDK sends only counts and timings.</p>
<form id="form">
  <label for="name">Name</label>
  <input type="text" id="name" name="name" autocomplete="off">
  <label for="message">Message</label>
  <textarea id="message" name="message" rows="4"></textarea>
  <label><input type="checkbox" id="agree" name="agree"> I agree</label>
  <button type="button" id="button-a">Button A</button>
  <button type="button" id="button-b">Button B</button>
  <button type="submit" id="submit">Submit</button>
  <button type="button" id="flush">Flush now</button>
</form>
<p>Session token: <code id="session-token"></code></p>
<p>Status: <span id="status">waiting</span> <span id="clicks"></span></p>
<div id="scroll-box">
<p>Scrollable content.</p>
<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor incididunt ut labore et dolore magna aliqua.</p>
<p>Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>
<p>Duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur.</p>
<p>Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt mollit anim id est laborum.</p>
<p>Curabitur pretium tincidunt lacus. Nulla gravida orci a odio. Nullam varius, turpis et commodo pharetra.</p>
<p>Est eros bibendum elit, nec luctus magna felis sollicitudin mauris. Integer in mauris eu nibh euismod gravida.</p>
<p>Duis ac tellus et risus vulputate vehicula. Donec lobortis risus a elit. Etiam tempor.</p>
<p>End of the scrollable content.</p>
</div>
<div style="height: 120vh"></div>
<p id="bottom">Bottom of the page.</p>
<script src="/demo.js"></script>
</body>
</html>
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_html_metacharacters() {
        assert_eq!(
            html_escape(r#"pk_"><script>alert('x')</script>&"#),
            "pk_&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"
        );
        assert_eq!(html_escape("pk_abc"), "pk_abc");
    }

    #[test]
    fn bundle_is_embedded() {
        assert!(SDK_JS.contains("Botect"));
    }
}
