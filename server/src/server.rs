//! Assembles the one-port server: gRPC and gRPC-web (tonic routes with `GrpcWebLayer`),
//! REST (routes generated from google.api.http, as the fallback, never under the gRPC-web
//! layer), reflection, health, `/openapi.json` and `/docs`.
use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{extract::Request, middleware::Next, response::Response};
use botect_proto::v1 as pb;

use crate::{
    core::{Core, CoreConfig},
    openapi,
    transport::{edge::Edge, grpc::Api, http_errors, limits, rest},
    verified::{Catalogue, HickoryResolver, Verifier, VerifierConfig},
    worker,
};

/// Server settings (CLI flags / environment).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub listen: SocketAddr,
    pub database_url: String,
    pub max_body_bytes: usize,
    pub workers: usize,
    pub verdict_timeout: Duration,
    /// Upper bound of an ingest batch's wait for the store (then 503).
    pub ingest_timeout: Duration,
    /// Most ingest batches on the write path at once (then shed with 204).
    pub max_pending_ingest: usize,
    /// Most verdict-cache entries (0: every verdict reads the database).
    pub verdict_cache_entries: usize,
    /// Verified-bot catalogue file (`None`: the shipped one).
    pub verified_bots: Option<std::path::PathBuf>,
    /// DNS servers for verified-bot lookups (empty: the system's resolver configuration).
    pub dns_servers: Vec<SocketAddr>,
    /// Days sessions are kept after they were last seen (0: forever).
    pub retention_days: u32,
    /// Where `/metrics` is served (`None`: nowhere, and requests are not measured).
    pub metrics_listen: Option<SocketAddr>,
    /// Botect sits behind a TLS-terminating proxy: the dashboard's cookie is `Secure`.
    pub behind_tls: bool,
    /// Serve HTTPS with these files (`--tls-cert`, `--tls-key`); `None`: cleartext.
    pub tls: Option<crate::transport::tls::TlsFiles>,
    /// Proxies whose forwarding and JA4 headers are believed (`--trusted-proxy`,
    /// `--ja4-header`).
    pub proxies: crate::transport::client_address::TrustedProxies,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".parse().expect("valid address"),
            database_url: "sqlite://./botect.db".into(),
            max_body_bytes: 1 << 20,
            workers: 8,
            verdict_timeout: Duration::from_millis(300),
            ingest_timeout: Duration::from_secs(5),
            max_pending_ingest: crate::core::DEFAULT_MAX_PENDING_INGEST,
            verdict_cache_entries: crate::core::verdict_cache::DEFAULT_ENTRIES,
            verified_bots: None,
            dns_servers: Vec::new(),
            retention_days: crate::core::retention::DEFAULT_RETENTION_DAYS,
            metrics_listen: None,
            behind_tls: false,
            tls: None,
            proxies: Default::default(),
        }
    }
}

/// The gRPC library's own refusals, in Botect's error model: a message over the limit is
/// `RESOURCE_EXHAUSTED` with `ErrorInfo` `PAYLOAD_TOO_LARGE` (the library says `OUT_OF_RANGE`),
/// an undecodable message `INVALID_ARGUMENT` with `INVALID_PAYLOAD` (the library says
/// `INTERNAL`, which clients retry). Both come before any handler runs, as a trailers-only
/// response.
fn grpc_library_status(mut res: Response, limit: usize) -> Response {
    use crate::error::{ApiError, ErrorCode};
    let h = res.headers();
    let code = h.get("grpc-status").and_then(|v| v.to_str().ok());
    // Percent-encoded (spaces as `%20`): compared in that form.
    let message = h
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .replace("%20", " ");
    let replacement = match code {
        Some("11") if message.contains("message length too large") => Some(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("The request message exceeds the limit of {limit} bytes."),
        )),
        Some("13") if message.contains("failed to decode Protobuf message") => {
            Some(ApiError::invalid(
                "message",
                "The request message is not valid protobuf for this method.",
            ))
        }
        _ => None,
    };
    if let Some(e) = replacement {
        let h = res.headers_mut();
        for name in ["grpc-status", "grpc-message", "grpc-status-details-bin"] {
            h.remove(name);
        }
        if e.to_status().add_header(h).is_err() {
            tracing::warn!("could not encode a gRPC status");
        }
    }
    res
}

/// The whole HTTP application for a core.
pub fn app(
    core: Arc<Core>,
    max_body_bytes: usize,
    metrics: bool,
    behind_tls: bool,
    proxies: crate::transport::client_address::TrustedProxies,
) -> Edge {
    let api = Api { core: core.clone() };
    // Botect's services and gRPC health, over reflection v1 and v1alpha (older grpcurl).
    let reflection = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(botect_proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let reflection_v1alpha = reflection()
        .build_v1alpha()
        .expect("the embedded descriptor sets are valid");
    let reflection = reflection()
        .build_v1()
        .expect("the embedded descriptor sets are valid");
    let (health, health_service) = tonic_health::server::health_reporter();
    tokio::spawn(report_health(core.clone(), health));
    // Each service's message limit (transport::limits, docs/api.md#limits).
    macro_rules! limited {
        ($server:ty) => {{
            let name = <$server as tonic::server::NamedService>::NAME;
            <$server>::new(api.clone())
                .max_decoding_message_size(limits::request_limit(name, max_body_bytes))
        }};
    }
    let grpc = tonic::service::Routes::new(limited!(
        pb::ingest_service_server::IngestServiceServer<Api>
    ))
    .add_service(limited!(
        pb::server_ingest_service_server::ServerIngestServiceServer<Api>
    ))
    .add_service(limited!(
        pb::verdict_service_server::VerdictServiceServer<Api>
    ))
    .add_service(limited!(
        pb::project_service_server::ProjectServiceServer<Api>
    ))
    .add_service(limited!(
        pb::scoring_service_server::ScoringServiceServer<Api>
    ))
    .add_service(limited!(
        pb::account_service_server::AccountServiceServer<Api>
    ))
    .add_service(limited!(
        pb::detection_service_server::DetectionServiceServer<Api>
    ))
    .add_service(limited!(pb::rule_service_server::RuleServiceServer<Api>))
    .add_service(limited!(
        pb::session_service_server::SessionServiceServer<Api>
    ))
    .add_service(limited!(pb::stats_service_server::StatsServiceServer<Api>))
    .add_service(limited!(
        pb::verified_bot_service_server::VerifiedBotServiceServer<Api>
    ))
    .add_service(reflection.max_decoding_message_size(limits::CONTROL_LIMIT))
    .add_service(reflection_v1alpha.max_decoding_message_size(limits::CONTROL_LIMIT))
    .add_service(health_service.max_decoding_message_size(limits::CONTROL_LIMIT))
    .into_axum_router()
    .layer(axum::middleware::from_fn(
        move |req: Request, next: Next| async move {
            // `/botect.v1.IngestService/IngestEvents` → `botect.v1.IngestService`.
            let service = req.uri().path().split('/').nth(1).unwrap_or_default();
            let limit = limits::request_limit(service, max_body_bytes);
            grpc_library_status(next.run(req).await, limit)
        },
    ))
    .layer(tonic_web::GrpcWebLayer::new());

    let mut rest = rest::generated_routes(api, max_body_bytes)
        .merge(crate::transport::health::routes(core.clone()))
        .merge(openapi::routes())
        .merge(crate::browser_assets::routes())
        .merge(crate::dashboard_assets::routes())
        .merge(crate::transport::dashboard_session::routes(
            core.clone(),
            behind_tls,
        ));
    if metrics {
        // Only matched routes: the template becomes the `route` label.
        rest = rest.route_layer(axum::middleware::from_fn(
            crate::transport::request_metrics::tag_route,
        ));
    }
    let rest = rest
        .method_not_allowed_fallback(rest::method_not_allowed)
        .fallback(rest::not_found);
    Edge::new(grpc, rest, metrics, proxies)
}

/// gRPC health and `/readyz`: every Botect service (and "") is SERVING while the store's
/// probe passes (on SQLite: the file is still the one opened; a write and a read back),
/// NOT_SERVING while it does not; checked every 5 seconds, each probe bounded by 2 s.
async fn report_health(core: Arc<Core>, health: tonic_health::server::HealthReporter) {
    use tonic::server::NamedService;
    use tonic_health::ServingStatus;
    let names = [
        "",
        <pb::ingest_service_server::IngestServiceServer<Api> as NamedService>::NAME,
        <pb::server_ingest_service_server::ServerIngestServiceServer<Api> as NamedService>::NAME,
        <pb::verdict_service_server::VerdictServiceServer<Api> as NamedService>::NAME,
        <pb::project_service_server::ProjectServiceServer<Api> as NamedService>::NAME,
        <pb::scoring_service_server::ScoringServiceServer<Api> as NamedService>::NAME,
        <pb::account_service_server::AccountServiceServer<Api> as NamedService>::NAME,
        <pb::detection_service_server::DetectionServiceServer<Api> as NamedService>::NAME,
        <pb::rule_service_server::RuleServiceServer<Api> as NamedService>::NAME,
        <pb::verified_bot_service_server::VerifiedBotServiceServer<Api> as NamedService>::NAME,
        <pb::session_service_server::SessionServiceServer<Api> as NamedService>::NAME,
        <pb::stats_service_server::StatsServiceServer<Api> as NamedService>::NAME,
    ];
    let mut was_ok = true;
    loop {
        let probe = core.check_health().await;
        let ok = probe.is_ok();
        if ok != was_ok {
            match &probe {
                Ok(()) => tracing::info!("store healthy again: SERVING"),
                Err(e) => tracing::error!(error = %e, "store health probe failed: NOT_SERVING"),
            }
            was_ok = ok;
        }
        let status = if ok {
            ServingStatus::Serving
        } else {
            ServingStatus::NotServing
        };
        for name in names {
            health.set_service_status(name, status).await;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// How long a scrape waits for the scoring queue's depth.
const QUEUE_DEPTH_BOUND: Duration = Duration::from_secs(1);

/// Serves `GET /metrics` (Prometheus text format) on its own listener; returns its address.
async fn serve_metrics(core: Arc<Core>, at: SocketAddr) -> anyhow::Result<SocketAddr> {
    use axum::{http::header, response::IntoResponse, routing::get};
    let listener = tokio::net::TcpListener::bind(at).await?;
    let addr = listener.local_addr()?;
    let scrape = move || {
        let core = core.clone();
        async move {
            match tokio::time::timeout(QUEUE_DEPTH_BOUND, core.queue_depth()).await {
                Ok(Ok(n)) => crate::metrics::METRICS.queue_depth.set(n),
                Ok(Err(e)) => {
                    crate::metrics::store_error("queue_depth");
                    tracing::warn!(error = %e, "metrics: queue depth unavailable");
                }
                Err(_) => tracing::warn!("metrics: queue depth timed out"),
            }
            (
                [
                    (header::CONTENT_TYPE, crate::metrics::CONTENT_TYPE),
                    (header::CACHE_CONTROL, "no-store"),
                ],
                crate::metrics::METRICS.render(),
            )
                .into_response()
        }
    };
    let router = axum::Router::new().route("/metrics", get(scrape));
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router)
            .with_graceful_shutdown(shutdown_signal())
            .await
        {
            tracing::error!(error = %e, "metrics listener failed");
        }
    });
    Ok(addr)
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let term = async {
        #[cfg(unix)]
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
            return;
        }
        std::future::pending::<()>().await
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}

/// A running server (tests and `serve`).
pub struct Running {
    pub addr: SocketAddr,
    /// Where `/metrics` is served, if anywhere.
    pub metrics_addr: Option<SocketAddr>,
    pub core: Arc<Core>,
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Connects the store (migrating it), starts the scoring workers and serves.
pub async fn start(cfg: ServerConfig) -> anyhow::Result<Running> {
    let catalogue = Catalogue::load_or_builtin(cfg.verified_bots.as_deref())?;
    let resolver = if cfg.dns_servers.is_empty() {
        HickoryResolver::system()?
    } else {
        HickoryResolver::with_nameservers(&cfg.dns_servers)?
    };
    let verifier = Verifier::new(catalogue, Arc::new(resolver), VerifierConfig::default());
    let core = Arc::new(
        Core::connect(
            &cfg.database_url,
            CoreConfig {
                verdict_timeout: cfg.verdict_timeout,
                ingest_timeout: cfg.ingest_timeout,
                max_pending_ingest: cfg.max_pending_ingest,
                verdict_cache_entries: cfg.verdict_cache_entries,
            },
            verifier,
        )
        .await?,
    );
    worker::spawn(core.clone(), cfg.workers);
    let purge = core.clone();
    tokio::spawn(async move {
        loop {
            purge.purge_expired().await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
    if cfg.retention_days > 0 {
        tokio::spawn(crate::core::retention::run(
            core.clone(),
            cfg.retention_days,
        ));
    }
    // The certificate is read before anything listens: a bad file fails the start.
    let tls = match &cfg.tls {
        Some(files) => {
            let certs = crate::transport::tls::Certificates::open(files.clone())?;
            crate::transport::tls::reload_on_sighup(certs.clone());
            Some(crate::transport::tls::server_config(certs)?)
        }
        None => None,
    };
    let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    // One edge per connection, knowing its peer (the heuristics engine's client IP). In-flight
    // requests finish (their transactions commit) before the process exits.
    let metrics_addr = match cfg.metrics_listen {
        Some(at) => Some(serve_metrics(core.clone(), at).await?),
        None => None,
    };
    let app = app(
        core.clone(),
        cfg.max_body_bytes,
        cfg.metrics_listen.is_some(),
        cfg.behind_tls || tls.is_some(),
        cfg.proxies.clone(),
    );
    let handle = match tls {
        Some(config) => {
            let listener = crate::transport::tls::TlsListener::new(listener, config)?;
            tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown_signal())
                    .await
            })
        }
        None => {
            // The HTTP library's own error answers get the flat JSON body
            // (transport::http_errors).
            let listener = http_errors::Listener(listener);
            tokio::spawn(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown_signal())
                    .await
            })
        }
    };
    Ok(Running {
        addr,
        metrics_addr,
        core,
        handle,
    })
}
