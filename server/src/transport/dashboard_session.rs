//! The dashboard's sign-in endpoints (`/dashboard/api/…`, same origin only): sign in with
//! email and password (the session cookie is set here), read the session back, sign out,
//! change the password. Everything else the dashboard does goes through the public REST API
//! with the session as its credential.
use std::{net::SocketAddr, sync::Arc};

use axum::{
    Router,
    body::Bytes,
    extract::{ConnectInfo, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, put},
};
use serde::Deserialize;
use serde_json::json;
use tonic::metadata::MetadataMap;

use super::grpc::{dashboard_credential, same_origin};
use super::rest::{error_response, json_response};
use crate::core::{
    Core,
    dashboard::{COOKIE, DashboardSession, SESSION_TTL_MS},
};
use crate::domain::DashboardCredential;
use crate::error::ApiError;

/// The sign-in path (it reads the client's address for the per-network slow-down).
pub const SESSION_PATH: &str = "/dashboard/api/session";
pub const PASSWORD_PATH: &str = "/dashboard/api/password";

#[derive(Clone)]
struct Ctx {
    core: Arc<Core>,
    /// `Secure` on the cookie (`--behind-tls`).
    secure: bool,
}

pub fn routes(core: Arc<Core>, secure: bool) -> Router {
    Router::new()
        .route(SESSION_PATH, get(current).post(sign_in).delete(sign_out))
        .route(PASSWORD_PATH, put(change_password))
        .with_state(Ctx { core, secure })
}

fn metadata(headers: &HeaderMap) -> MetadataMap {
    MetadataMap::from_headers(headers.clone())
}

fn session_cookie(value: &str, max_age_s: i64, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{secure}"
    ))
    .expect("a cookie of base64url characters")
}

fn session_json(s: &DashboardSession) -> Vec<u8> {
    let ts = |ms: i64| botect_proto::wkt::Timestamp::from_millis(ms).to_rfc3339();
    serde_json::to_vec(&json!({
        "user": {"id": s.user.id, "name": s.user.name, "email": s.user.email, "created_at": ts(s.user.created_at_ms)},
        "account_id": s.account_id,
        "csrf_token": s.csrf_token,
        "expires_at": ts(s.expires_at_ms),
    }))
    .expect("JSON")
}

/// A JSON body of `T`: every field named, unknown ones refused.
fn body<T: for<'de> Deserialize<'de>>(bytes: &Bytes) -> Result<T, ApiError> {
    let raw = if bytes.is_empty() { &b"{}"[..] } else { bytes };
    let mut de = serde_json::Deserializer::from_slice(raw);
    serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let field = e.path().to_string();
        let field = if field == "." {
            "body".to_string()
        } else {
            field
        };
        ApiError::invalid(&field, format!("Invalid request body: {}.", e.inner()))
    })
}

fn credential(headers: &HeaderMap) -> Result<DashboardCredential, ApiError> {
    dashboard_credential(&metadata(headers))
        .ok_or_else(|| ApiError::unauthenticated("Not signed in: sign in to the dashboard first."))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignIn {
    email: String,
    password: String,
}

/// The largest body these endpoints read.
const BODY_LIMIT: usize = 16 * 1024;

async fn sign_in(State(ctx): State<Ctx>, req: axum::extract::Request) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0);
    let headers = req.headers().clone();
    let Ok(bytes) = axum::body::to_bytes(req.into_body(), BODY_LIMIT).await else {
        return error_response(&ApiError::new(
            crate::error::ErrorCode::PayloadTooLarge,
            format!("The body is over {BODY_LIMIT} bytes."),
        ));
    };
    if !same_origin(&metadata(&headers)) {
        return error_response(&ApiError::forbidden(
            "Sign in from the dashboard's own page.",
        ));
    }
    let b: SignIn = match body(&bytes) {
        Ok(b) => b,
        Err(e) => return error_response(&e),
    };
    let prefix = crate::integrity::address_prefix(peer.map(|p| p.ip()));
    match ctx.core.sign_in(&b.email, &b.password, &prefix).await {
        Ok(s) => {
            let mut r = json_response(StatusCode::OK, session_json(&s));
            let cookie = s.cookie.as_deref().unwrap_or_default();
            r.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(cookie, SESSION_TTL_MS / 1000, ctx.secure),
            );
            r
        }
        Err(e) => error_response(&e),
    }
}

async fn current(State(ctx): State<Ctx>, headers: HeaderMap) -> Response {
    let d = match credential(&headers) {
        Ok(d) => d,
        Err(e) => return error_response(&e),
    };
    match ctx.core.current_session(&d).await {
        Ok(s) => json_response(StatusCode::OK, session_json(&s)),
        Err(e) => error_response(&e),
    }
}

async fn sign_out(State(ctx): State<Ctx>, headers: HeaderMap) -> Response {
    let d = match credential(&headers) {
        Ok(d) => d,
        Err(e) => return error_response(&e),
    };
    match ctx.core.sign_out(&d).await {
        Ok(()) => {
            let mut r = StatusCode::NO_CONTENT.into_response();
            r.headers_mut()
                .insert(header::SET_COOKIE, session_cookie("", 0, ctx.secure));
            r
        }
        Err(e) => error_response(&e),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PasswordChange {
    current_password: String,
    new_password: String,
}

async fn change_password(State(ctx): State<Ctx>, headers: HeaderMap, bytes: Bytes) -> Response {
    let d = match credential(&headers) {
        Ok(d) => d,
        Err(e) => return error_response(&e),
    };
    let b: PasswordChange = match body(&bytes) {
        Ok(b) => b,
        Err(e) => return error_response(&e),
    };
    match ctx
        .core
        .change_password(&d, &b.current_password, &b.new_password)
        .await
    {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => error_response(&e),
    }
}
