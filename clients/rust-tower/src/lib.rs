//! Botect verdict middleware for tower and axum: what the official server SDK's
//! `EnforceVerdict` does, as a [`tower::Layer`].
//!
//! For every request it reads the session token from the `botect_session` cookie (name
//! configurable), asks Botect for the session's verdict with the request's context (`path`:
//! axum's route template where the router knows it, else the path; `ip`: the socket peer, or
//! what a configured trusted proxy forwarded; `ua`; `country` from a configured header), within
//! a deadline (default 300 ms) after which the request is allowed; keeps answers in a bounded
//! local cache for at most 10 s (fail-open answers are never cached); and enforces the action:
//! `block` → 403, `delay` → 429 with `Retry-After: 5`, `challenge`, `log` and `allow` pass
//! through. Each response can be replaced by a hook (render a challenge page, say). The verdict
//! is attached to the request as a [`BotectVerdict`] extension for the application. Blocks,
//! delays and challenges are logged (target `botect`), one line each, without the session
//! token or any key.
//!
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use axum::{Router, routing::get};
//! use botect_tower::{BotectLayer, Config};
//! let layer = BotectLayer::connect("http://127.0.0.1:8080", "sk_…", Config::default())?;
//! let app: Router = Router::new().route("/checkout", get(|| async { "ok" })).route_layer(layer);
//! # Ok(()) }
//! ```
mod cache;
mod client_ip;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath};
use botect_client::{Authed, Botect, pb};
use http::{HeaderMap, HeaderName, HeaderValue, Request, Response, StatusCode, header};
pub use ipnet::IpNet;
use tower::{Layer, Service};

pub use cache::Key as CacheKey;
pub use client_ip::client_ip;

/// The longest a verdict may be cached (the hosted SDK's 10 s).
pub const MAX_CACHE_TTL: Duration = Duration::from_secs(10);

/// A hook that answers instead of the default response for one action.
pub type Hook = Arc<dyn Fn(&BotectVerdict) -> Response<Body> + Send + Sync>;

/// What the middleware does, all of it optional.
#[derive(Clone)]
pub struct Config {
    /// The cookie holding the session token (`botect_session`).
    pub cookie: String,
    /// How long a lookup may take before the request is allowed (300 ms).
    pub deadline: Duration,
    /// How long an answer is reused (10 s; at most [`MAX_CACHE_TTL`]).
    pub cache_ttl: Duration,
    /// How many answers are kept (10,000).
    pub cache_capacity: usize,
    /// Proxies whose `X-Forwarded-For` is believed (none: the socket peer is the client).
    pub trusted_proxies: Vec<IpNet>,
    /// A header carrying the visitor's country (e.g. `cf-ipcountry`), if any.
    pub country_header: Option<HeaderName>,
    /// Replace the default 403 of `block`.
    pub on_block: Option<Hook>,
    /// Replace the default 429 of `delay`.
    pub on_delay: Option<Hook>,
    /// Answer `challenge` (by default it passes through, with the verdict attached).
    pub on_challenge: Option<Hook>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cookie: "botect_session".into(),
            deadline: Duration::from_millis(300),
            cache_ttl: MAX_CACHE_TTL,
            cache_capacity: 10_000,
            trusted_proxies: Vec::new(),
            country_header: None,
            on_block: None,
            on_delay: None,
            on_challenge: None,
        }
    }
}

/// Where a request's verdict came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Botect answered for this request.
    Server,
    /// A cached answer (at most `cache_ttl` old).
    Cache,
    /// The request carried no session cookie: allowed, nothing asked.
    NoSession,
    /// Botect did not answer within the deadline, or failed: allowed (fail open).
    Unavailable,
}

/// The verdict of a request, attached to it as an extension.
#[derive(Debug, Clone)]
pub struct BotectVerdict {
    /// Botect's answer; `None` for [`Source::NoSession`] and [`Source::Unavailable`].
    pub verdict: Option<pb::SessionVerdict>,
    pub source: Source,
}

impl BotectVerdict {
    /// The action to enforce: Botect's, or `allow` without an answer.
    pub fn action(&self) -> pb::Action {
        self.verdict
            .as_ref()
            .map_or(pb::Action::Allow, |v| v.action())
    }
}

struct Shared {
    client: pb::verdict_service_client::VerdictServiceClient<Authed>,
    config: Config,
    cache: Mutex<cache::Cache<pb::SessionVerdict>>,
}

/// The layer. Cheap to clone; clones share one cache.
#[derive(Clone)]
pub struct BotectLayer {
    shared: Arc<Shared>,
}

/// Errors building a layer.
#[derive(Debug)]
pub enum Error {
    Endpoint(tonic::transport::Error),
    PrivateKey,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Endpoint(e) => write!(f, "botect endpoint: {e}"),
            Error::PrivateKey => write!(f, "the private key is not a valid header value"),
        }
    }
}

impl std::error::Error for Error {}

impl BotectLayer {
    /// A layer talking to `endpoint` (e.g. `http://127.0.0.1:8080`) with the project's
    /// private key. Connects lazily, with a 200 ms connect and a 1 s request budget (the
    /// hosted SDK's), and the deadline of `config` on top.
    pub fn connect(endpoint: &str, private_key: &str, config: Config) -> Result<Self, Error> {
        let channel = tonic::transport::Endpoint::from_shared(endpoint.to_string())
            .map_err(Error::Endpoint)?
            .connect_timeout(Duration::from_millis(200))
            .timeout(Duration::from_secs(1))
            .connect_lazy();
        Self::with_client(&Botect::from_channel(channel), private_key, config)
    }

    /// A layer over an existing client connection.
    pub fn with_client(botect: &Botect, private_key: &str, config: Config) -> Result<Self, Error> {
        let client = botect
            .verdicts(private_key)
            .map_err(|_| Error::PrivateKey)?;
        let ttl = config.cache_ttl.min(MAX_CACHE_TTL);
        let cache = Mutex::new(cache::Cache::new(ttl, config.cache_capacity));
        Ok(BotectLayer {
            shared: Arc::new(Shared {
                client,
                config,
                cache,
            }),
        })
    }
}

impl<S> Layer<S> for BotectLayer {
    type Service = BotectService<S>;
    fn layer(&self, inner: S) -> Self::Service {
        BotectService {
            inner,
            shared: self.shared.clone(),
        }
    }
}

/// The middleware around one inner service.
#[derive(Clone)]
pub struct BotectService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S, B> Service<Request<B>> for BotectService<S>
where
    S: Service<Request<B>, Response = Response<Body>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    B: Send + 'static,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        // The clone that was polled ready serves this request (tower's usual dance).
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let shared = self.shared.clone();
        Box::pin(async move {
            // Everything the lookup needs is read before it is awaited (the body stays put).
            let key = shared.context(&req);
            let path = route(&req);
            let verdict = shared.verdict(key).await;
            let action = verdict.action();
            let cfg = &shared.config;
            let answer = match action {
                pb::Action::Block => {
                    Some(cfg.on_block.as_ref().map_or_else(blocked, |h| h(&verdict)))
                }
                pb::Action::Delay => {
                    Some(cfg.on_delay.as_ref().map_or_else(delayed, |h| h(&verdict)))
                }
                pb::Action::Challenge => cfg.on_challenge.as_ref().map(|h| h(&verdict)),
                _ => None,
            };
            if matches!(
                action,
                pb::Action::Block | pb::Action::Delay | pb::Action::Challenge
            ) {
                let v = verdict.verdict.as_ref();
                tracing::info!(
                    target: "botect",
                    action = action.as_str_name(),
                    path = %path,
                    score = v.map_or(0, |v| v.score),
                    detection_ids = ?v.map(|v| v.detection_ids.clone()).unwrap_or_default(),
                    source = ?verdict.source,
                    "botect: {} {}",
                    action.as_str_name(),
                    path
                );
            }
            if let Some(response) = answer {
                return Ok(response);
            }
            req.extensions_mut().insert(verdict);
            inner.call(req).await
        })
    }
}

/// The route template axum matched (`/orders/{id}`), else the request's path.
fn route<B>(req: &Request<B>) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or_else(|| req.uri().path().to_string(), |m| m.as_str().to_string())
}

/// The session token from the `Cookie` headers, if a cookie `name` is set.
pub fn session_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

fn text(status: StatusCode, body: &'static str) -> Response<Body> {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

fn blocked() -> Response<Body> {
    text(StatusCode::FORBIDDEN, "Forbidden\n")
}

fn delayed() -> Response<Body> {
    let mut r = text(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many requests; try again shortly\n",
    );
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    r
}

impl Shared {
    /// The request's session and context, or `None` without a session cookie.
    fn context<B>(&self, req: &Request<B>) -> Option<cache::Key> {
        let cfg = &self.config;
        let session_token = session_cookie(req.headers(), &cfg.cookie)?;
        let peer: Option<IpAddr> = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        let header = |name: &HeaderName| {
            req.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string()
        };
        Some(cache::Key {
            session_token,
            path: route(req),
            ip: client_ip(peer, req.headers(), &cfg.trusted_proxies)
                .map(|ip| ip.to_string())
                .unwrap_or_default(),
            ua: header(&header::USER_AGENT),
            country: cfg.country_header.as_ref().map(header).unwrap_or_default(),
        })
    }

    /// The verdict for `key`: cached, asked within the deadline, or fail-open.
    async fn verdict(&self, key: Option<cache::Key>) -> BotectVerdict {
        let cfg = &self.config;
        let Some(key) = key else {
            return BotectVerdict {
                verdict: None,
                source: Source::NoSession,
            };
        };
        if let Some(v) = self
            .cache
            .lock()
            .expect("cache lock")
            .get(&key, Instant::now())
        {
            return BotectVerdict {
                verdict: Some(v),
                source: Source::Cache,
            };
        }
        let request = pb::GetVerdictRequest {
            session_token: key.session_token.clone(),
            path: key.path.clone(),
            ip: key.ip.clone(),
            country: key.country.clone(),
            ua: key.ua.clone(),
        };
        let mut client = self.client.clone();
        let answer = tokio::time::timeout(cfg.deadline, client.get_verdict(request)).await;
        match answer {
            Ok(Ok(r)) => {
                let v = r.into_inner();
                // An answer the server could not compute yet is not kept: the next request
                // asks again.
                if v.verdict() != pb::Verdict::NotComputed {
                    self.cache
                        .lock()
                        .expect("cache lock")
                        .insert(key, v.clone(), Instant::now());
                }
                BotectVerdict {
                    verdict: Some(v),
                    source: Source::Server,
                }
            }
            Ok(Err(status)) => {
                tracing::warn!(target: "botect", code = ?status.code(), "botect: verdict lookup failed; allowing");
                BotectVerdict {
                    verdict: None,
                    source: Source::Unavailable,
                }
            }
            Err(_) => {
                tracing::warn!(target: "botect", deadline_ms = cfg.deadline.as_millis() as u64, "botect: no verdict within the deadline; allowing");
                BotectVerdict {
                    verdict: None,
                    source: Source::Unavailable,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_cookie_is_found_among_others() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            "theme=dark; botect_session=sess_abc ; other=1"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            session_cookie(&h, "botect_session").as_deref(),
            Some("sess_abc")
        );
        assert_eq!(session_cookie(&h, "mine"), None);
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, "a=1".parse().unwrap());
        h.append(header::COOKIE, "mine=\"sess_q\"".parse().unwrap());
        assert_eq!(session_cookie(&h, "mine").as_deref(), Some("sess_q"));
        let mut h = HeaderMap::new();
        h.append(header::COOKIE, "botect_session=".parse().unwrap());
        assert_eq!(session_cookie(&h, "botect_session"), None);
    }

    #[test]
    fn default_answers_follow_the_hosted_sdk() {
        let b = blocked();
        assert_eq!(b.status(), StatusCode::FORBIDDEN);
        let d = delayed();
        assert_eq!(d.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(d.headers()[header::RETRY_AFTER], "5");
    }
}
