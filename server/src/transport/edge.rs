//! The edge every HTTP request passes first: one service (no boxed middleware chain) that
//! refuses cross-origin preflights outside the browser paths, sends gRPC paths to the tonic
//! routes and everything else straight to the REST router (no detour through gRPC's
//! routing), applies CORS only on [`BROWSER_PATHS`], and gives every response its common
//! headers. One `Edge` serves one connection ([`Edge::for_peer`]): it hands the socket peer
//! to the browser paths, the only handlers that read it.
use std::{
    convert::Infallible,
    future::Future,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Router,
    extract::{ConnectInfo, Request},
    response::Response,
    serve::IncomingStream,
};
use http::{HeaderValue, header};
use tower::{Service, ServiceExt};
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer, ExposeHeaders};

use std::sync::Arc;

use super::client_address::TrustedProxies;
use super::connection::{AsPeer, ConnectionJa4, Peer};
use super::{http_errors, request_metrics, rest};

/// Browser-facing endpoints: ingest and challenges (REST and gRPC-web, both authenticated by
/// the public site key) and the SDK itself. Only these answer CORS; the control plane and
/// verdict reads are for servers (docs/api.md#browsers).
pub const BROWSER_PATHS: &[&str] = &[
    "/v1/events",
    "/v1/challenges",
    "/botect.v1.IngestService/IngestEvents",
    "/botect.v1.IngestService/CreateChallenge",
    "/sdk/botect.js",
    "/v1/sdk.js",
];

/// Paths whose handlers read the socket peer: the browser paths, and the dashboard's sign-in
/// (its per-network slow-down).
fn reads_peer(path: &str, browser: bool) -> bool {
    browser || path == super::dashboard_session::SESSION_PATH
}

fn cors() -> CorsLayer {
    // Site keys are public and no endpoint uses cookies, so any origin may call the browser
    // paths.
    CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods(AllowMethods::any())
        .allow_headers(AllowHeaders::any())
        .expose_headers(ExposeHeaders::list([
            "grpc-status".parse().expect("header"),
            "grpc-message".parse().expect("header"),
            "grpc-status-details-bin".parse().expect("header"),
        ]))
        .max_age(Duration::from_secs(86400))
}

/// The paths tonic serves: `/<package>.<Service>/<Method>` of Botect's services, reflection
/// and health. (Anything tonic does not know still falls back to REST.)
fn is_grpc_path(path: &str) -> bool {
    path.starts_with("/botect.v1.") || path.starts_with("/grpc.")
}

#[derive(Clone)]
pub struct Edge {
    /// gRPC and gRPC-web, falling back to `rest`.
    grpc: Router,
    rest: Router,
    grpc_cors: Router,
    rest_cors: Router,
    /// The connection's peer (`None` until [`Edge::for_peer`]).
    peer: Option<Peer>,
    /// Whether requests are measured (`--metrics-listen`).
    metrics: bool,
    /// Whose forwarding headers are believed.
    proxies: Arc<TrustedProxies>,
}

impl Edge {
    pub fn new(grpc: Router, rest: Router, metrics: bool, proxies: TrustedProxies) -> Edge {
        let grpc = grpc.fallback_service(rest.clone());
        // `with_state` turns every handler into its service once, here; a router without it
        // rebuilds (and boxes) the handler's service on every request.
        Edge {
            grpc_cors: grpc.clone().layer(cors()).with_state(()),
            rest_cors: rest.clone().layer(cors()).with_state(()),
            grpc: grpc.with_state(()),
            rest: rest.with_state(()),
            peer: None,
            metrics,
            proxies: Arc::new(proxies),
        }
    }

    /// This edge for one connection from `peer`.
    pub fn for_peer(&self, peer: Peer) -> Edge {
        Edge {
            peer: Some(peer),
            ..self.clone()
        }
    }
}

/// `axum::serve`'s make-service: one [`Edge`] per accepted connection, knowing its peer.
impl<L> Service<IncomingStream<'_, L>> for Edge
where
    L: axum::serve::Listener,
    L::Addr: AsPeer,
{
    type Response = Edge;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Edge, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, conn: IncomingStream<'_, L>) -> Self::Future {
        std::future::ready(Ok(self.for_peer(conn.remote_addr().as_peer())))
    }
}

impl Service<Request> for Edge {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let path = req.uri().path();
        let browser = BROWSER_PATHS.contains(&path);
        let grpc_path = is_grpc_path(path);
        let measured = self
            .metrics
            .then(|| request_metrics::Pending::new(&req, grpc_path));
        // Elsewhere a preflight is refused (`403 FORBIDDEN`, no CORS headers, so the browser
        // blocks the call) and no response carries `Access-Control-*` headers: a page on
        // another origin can neither send credentialed requests to the control plane or
        // verdict reads nor read their answers.
        let preflight = req.method() == http::Method::OPTIONS
            && req
                .headers()
                .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
        if preflight && !browser {
            let res = rest::error_response(&crate::error::ApiError::forbidden(
                "Cross-origin calls are not allowed here: only ingest, challenges and the SDK answer browsers. Call this endpoint from your server.",
            ));
            if let Some(m) = measured {
                m.finish(&res);
            }
            return Box::pin(std::future::ready(Ok(common_headers(res))));
        }
        let router = match (grpc_path, browser) {
            (true, false) => &self.grpc,
            (true, true) => &self.grpc_cors,
            (false, false) => &self.rest,
            (false, true) => &self.rest_cors,
        }
        .clone();
        // The peer (the heuristics engine's client address) goes only where it is read.
        // Through a trusted proxy, the client its headers name (transport::client_address).
        if let (true, Some(peer)) = (reads_peer(req.uri().path(), browser), &self.peer) {
            let client = self.proxies.client(peer, req.headers());
            req.extensions_mut()
                .insert(ConnectInfo(std::net::SocketAddr::new(
                    client.ip,
                    peer.addr.port(),
                )));
            if let Some(ja4) = client.ja4 {
                req.extensions_mut().insert(ConnectionJa4(ja4));
            }
        }
        Box::pin(async move {
            let res = common_headers(router.oneshot(req).await?);
            if let Some(m) = measured {
                m.finish(&res);
            }
            Ok(res)
        })
    }
}

/// Headers every response gets unless its handler set them: `Cache-Control: no-store` (API
/// answers carry keys, tokens and verdicts that no cache may keep; the SDK bundle sets its own
/// caching), `X-Content-Type-Options: nosniff`; HTML pages also the Content-Security-Policy
/// (`browser_assets::HTML_CSP`) and `X-Frame-Options: DENY`. An error some layer answered
/// without a body (a static file under /docs that does not exist, …) gets the flat error
/// body like every other error.
fn common_headers(mut res: Response) -> Response {
    let status = res.status();
    if (status.is_client_error() || status.is_server_error())
        && !res.headers().contains_key(header::CONTENT_TYPE)
    {
        res = rest::error_response(&http_errors::status_error(status));
        *res.status_mut() = status;
    }
    let html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("text/html"));
    let h = res.headers_mut();
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    h.entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    if html {
        // A page may set a stricter policy of its own (the dashboard does).
        h.entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static(crate::browser_assets::HTML_CSP));
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}
