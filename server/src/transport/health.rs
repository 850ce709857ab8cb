//! HTTP health endpoints for load balancers and orchestrators, beside gRPC health:
//! `GET /healthz` (liveness: the process answers) and `GET /readyz` (readiness: the store's
//! last health probe passed, the same truth as gRPC health).
use std::sync::Arc;

use axum::{Router, http::StatusCode, response::Response, routing::get};

use super::rest::{error_response, json_response};
use crate::{
    core::Core,
    error::{ApiError, ErrorCode},
};

pub fn routes(core: Arc<Core>) -> Router {
    Router::new()
        .route(
            "/healthz",
            get(|| async { json_response(StatusCode::OK, br#"{"status":"ok"}"#.to_vec()) }),
        )
        .route(
            "/readyz",
            get(move || {
                let core = core.clone();
                async move { readiness(&core) }
            }),
        )
}

fn readiness(core: &Core) -> Response {
    if core.is_ready() {
        json_response(StatusCode::OK, br#"{"status":"ready"}"#.to_vec())
    } else {
        error_response(&ApiError::new(
            ErrorCode::Unavailable,
            "The store failed its last health probe (see the server log); not ready.",
        ))
    }
}
