//! Assembles the one-port server: gRPC and gRPC-web (tonic routes with `GrpcWebLayer`),
//! REST (routes generated from google.api.http, as the fallback, never under the gRPC-web
//! layer), reflection, health, `/openapi.json` and `/docs`.
use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::{Router, extract::Request, middleware::Next, response::Response};
use botect_proto::v1 as pb;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer, ExposeHeaders};

use crate::{
    core::{Core, CoreConfig},
    openapi,
    store::Store,
    transport::{
        grpc::Api,
        rest::{self, BodyLimit},
    },
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
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: "127.0.0.1:8080".parse().expect("valid address"),
            database_url: "sqlite://./botect.db".into(),
            max_body_bytes: 1 << 20,
            workers: 2,
            verdict_timeout: Duration::from_millis(300),
        }
    }
}

fn cors() -> CorsLayer {
    // Site keys are public and no endpoint uses cookies, so any origin may call; browsers
    // need this for ingest (REST and gRPC-web) from customers' sites.
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

/// The whole HTTP application for a core.
pub fn app(core: Arc<Core>, max_body_bytes: usize) -> Router {
    let api = Api { core };
    let reflection = tonic_reflection::server::Builder::configure()
        .register_encoded_file_descriptor_set(botect_proto::FILE_DESCRIPTOR_SET)
        .build_v1()
        .expect("the embedded descriptor set is valid");
    let (health, health_service) = tonic_health::server::health_reporter();
    tokio::spawn(async move {
        health
            .set_serving::<pb::ingest_service_server::IngestServiceServer<Api>>()
            .await;
        health
            .set_serving::<pb::verdict_service_server::VerdictServiceServer<Api>>()
            .await;
        health
            .set_serving::<pb::scoring_service_server::ScoringServiceServer<Api>>()
            .await;
        health
            .set_serving::<pb::project_service_server::ProjectServiceServer<Api>>()
            .await;
        health
            .set_serving::<pb::account_service_server::AccountServiceServer<Api>>()
            .await;
    });
    let grpc = tonic::service::Routes::new(
        pb::ingest_service_server::IngestServiceServer::new(api.clone())
            .max_decoding_message_size(max_body_bytes),
    )
    .add_service(pb::verdict_service_server::VerdictServiceServer::new(
        api.clone(),
    ))
    .add_service(pb::project_service_server::ProjectServiceServer::new(
        api.clone(),
    ))
    .add_service(
        pb::scoring_service_server::ScoringServiceServer::new(api.clone())
            .max_decoding_message_size(max_body_bytes),
    )
    .add_service(pb::account_service_server::AccountServiceServer::new(
        api.clone(),
    ))
    .add_service(reflection)
    .add_service(health_service)
    .into_axum_router()
    .layer(tonic_web::GrpcWebLayer::new());

    let rest = rest::generated_routes(api)
        .merge(openapi::routes())
        .fallback(rest::not_found)
        .layer(axum::middleware::from_fn(
            move |mut req: Request, next: Next| async move {
                req.extensions_mut().insert(BodyLimit(max_body_bytes));
                Ok::<Response, std::convert::Infallible>(next.run(req).await)
            },
        ));
    grpc.fallback_service(rest).layer(cors())
}

/// A running server (tests and `serve`).
pub struct Running {
    pub addr: SocketAddr,
    pub core: Arc<Core>,
    pub handle: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Connects the store (migrating it), starts the scoring workers and serves.
pub async fn start(cfg: ServerConfig) -> anyhow::Result<Running> {
    let store = Store::connect(&cfg.database_url).await?;
    let core = Arc::new(Core::new(
        store,
        CoreConfig {
            verdict_timeout: cfg.verdict_timeout,
        },
    ));
    worker::spawn(core.clone(), cfg.workers);
    let purge = core.clone();
    tokio::spawn(async move {
        loop {
            if let Err(e) = purge.store.purge_idempotency().await {
                tracing::warn!(error = %e, "idempotency purge failed");
            }
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
    let listener = tokio::net::TcpListener::bind(cfg.listen).await?;
    let addr = listener.local_addr()?;
    let app = app(core.clone(), cfg.max_body_bytes);
    let handle = tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Running { addr, core, handle })
}
