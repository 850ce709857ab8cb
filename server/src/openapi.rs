//! The OpenAPI document of the REST surface, generated from the protos (placeholder until
//! the generator lands).
use axum::{Json, Router, routing::get};

pub fn routes() -> Router {
    Router::new().route(
        "/openapi.json",
        get(|| async { Json(serde_json::json!({"openapi": "3.1.0"})) }),
    )
}
