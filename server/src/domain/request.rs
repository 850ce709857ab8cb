//! The request a verdict protects, and the credentials a call carried.

/// Context of the request being protected (verdict query).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    pub path: String,
    pub ip: String,
    pub country: String,
    pub ua: String,
}

/// The credentials a request carried, whatever its transport.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// `Authorization` header / metadata value, verbatim.
    pub authorization: Option<String>,
    /// `X-Botect-Site-Key`.
    pub site_key: Option<String>,
    /// `X-Botect-Private-Key`.
    pub private_key: Option<String>,
    /// `Idempotency-Key`.
    pub idempotency_key: Option<String>,
    /// A dashboard session (its cookie), read only for account-token methods called without
    /// an `Authorization` header.
    pub dashboard: Option<DashboardCredential>,
}

/// What a request from the dashboard carries: its session cookie, the CSRF token header, and
/// whether the browser said the request came from the dashboard's own origin.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DashboardCredential {
    /// The `botect_dashboard` cookie's value.
    pub session: String,
    /// `X-Botect-CSRF`.
    pub csrf: Option<String>,
    /// `Sec-Fetch-Site: same-origin`, or an `Origin` equal to the request's own origin.
    pub same_origin: bool,
}

const STATIC_EXTENSIONS: &[&str] = &[
    "css",
    "js",
    "mjs",
    "map",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "avif",
    "svg",
    "ico",
    "bmp",
    "woff",
    "woff2",
    "ttf",
    "otf",
    "eot",
    "mp4",
    "webm",
    "mp3",
    "ogg",
    "wav",
    "txt",
    "xml",
    "pdf",
    "zip",
    "gz",
    "wasm",
    "webmanifest",
];

/// Whether the protected request's path is a static resource (asset extensions,
/// `/.well-known/`, `/favicon.ico`, `/robots.txt`). Query strings are ignored.
pub fn is_static_resource(path: &str) -> bool {
    let path = path.split(['?', '#']).next().unwrap_or("");
    if path.starts_with("/.well-known/") {
        return true;
    }
    let last = path.rsplit('/').next().unwrap_or("");
    match last.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() || last.starts_with('.') => {
            STATIC_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        }
        _ => false,
    }
}
