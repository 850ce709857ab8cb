//! The tonic service implementations: the only place protobuf types meet the core. REST and
//! gRPC-web reach the core through these same implementations.
use std::{
    net::SocketAddr,
    sync::{Arc, LazyLock},
};

use botect_proto::v1 as pb;
use tonic::{
    Request, Response, Status,
    metadata::{AsciiMetadataKey, MetadataMap},
};

use crate::{
    core::project_rules::RuleChange,
    core::{ClientInfo, Core, Ingested, KeyType},
    domain::{
        Action, Band, Credentials, DashboardCredential, EventKind, IncomingBatch, IncomingEvent,
        IncomingIntegrity, IncomingObserved, IncomingPageHit, IncomingRelay, Policy,
        RequestContext, VerdictOut,
    },
    domain::{Project, ProjectRule, SettingsPatch},
    engines::{heuristics, registry},
    error::ApiError,
};

/// Implements every Botect service over one shared core.
#[derive(Clone)]
pub struct Api {
    pub core: Arc<Core>,
}

/// A header's value; non-ASCII bytes are kept (lossily) so validation can reject them
/// instead of the header silently vanishing.
fn header(md: &MetadataMap, name: &AsciiMetadataKey) -> Option<String> {
    md.get(name).map(|v| match v.to_str() {
        Ok(s) => s.trim().to_string(),
        Err(_) => String::from_utf8_lossy(v.as_bytes()).trim().to_string(),
    })
}

/// The headers read by name, parsed once.
struct Names {
    authorization: AsciiMetadataKey,
    site_key: AsciiMetadataKey,
    private_key: AsciiMetadataKey,
    idempotency_key: AsciiMetadataKey,
    user_agent: AsciiMetadataKey,
    cookie: AsciiMetadataKey,
    csrf: AsciiMetadataKey,
    sec_fetch_site: AsciiMetadataKey,
    origin: AsciiMetadataKey,
    host: AsciiMetadataKey,
}

static NAMES: LazyLock<Names> = LazyLock::new(|| Names {
    authorization: AsciiMetadataKey::from_static("authorization"),
    site_key: AsciiMetadataKey::from_static("x-botect-site-key"),
    private_key: AsciiMetadataKey::from_static("x-botect-private-key"),
    idempotency_key: AsciiMetadataKey::from_static("idempotency-key"),
    user_agent: AsciiMetadataKey::from_static("user-agent"),
    cookie: AsciiMetadataKey::from_static("cookie"),
    csrf: AsciiMetadataKey::from_static("x-botect-csrf"),
    sec_fetch_site: AsciiMetadataKey::from_static("sec-fetch-site"),
    origin: AsciiMetadataKey::from_static("origin"),
    host: AsciiMetadataKey::from_static("host"),
});

/// Credentials from gRPC metadata (REST copies its HTTP headers into metadata).
pub fn credentials(md: &MetadataMap) -> Credentials {
    Credentials {
        authorization: header(md, &NAMES.authorization),
        site_key: header(md, &NAMES.site_key),
        private_key: header(md, &NAMES.private_key),
        idempotency_key: header(md, &NAMES.idempotency_key),
        dashboard: None,
    }
}

/// The dashboard session a request carries, if any: the `botect_dashboard` cookie, the CSRF
/// header, and whether the browser marked it same-origin.
pub fn dashboard_credential(md: &MetadataMap) -> Option<DashboardCredential> {
    let cookies = header(md, &NAMES.cookie)?;
    let session = cookies.split(';').find_map(|c| {
        let (name, value) = c.trim().split_once('=')?;
        (name == crate::core::dashboard::COOKIE).then(|| value.trim().to_string())
    })?;
    Some(DashboardCredential {
        session,
        csrf: header(md, &NAMES.csrf),
        same_origin: same_origin(md),
    })
}

/// Whether the browser marked the request as coming from this server's own origin:
/// `Sec-Fetch-Site: same-origin`, or (older browsers) an `Origin` equal to the request's own
/// origin. Clients that are not browsers send neither.
pub fn same_origin(md: &MetadataMap) -> bool {
    match header(md, &NAMES.sec_fetch_site) {
        Some(site) => site == "same-origin",
        None => match (header(md, &NAMES.origin), header(md, &NAMES.host)) {
            (Some(origin), Some(host)) => {
                origin == format!("http://{host}") || origin == format!("https://{host}")
            }
            _ => false,
        },
    }
}

/// The request's `Idempotency-Key`.
fn idempotency_key(md: &MetadataMap) -> Option<String> {
    header(md, &NAMES.idempotency_key)
}

/// The facts the heuristics engine needs about the request that carried a batch: the
/// socket peer (tonic's own connect info, or axum's `ConnectInfo` that the one-port server
/// and the REST edge attach), the User-Agent and the header shape. REST passes its HTTP
/// headers as metadata, so both transports are read alike.
pub fn client_info<T>(req: &Request<T>) -> ClientInfo {
    let md = req.metadata();
    let ip = req
        .remote_addr()
        .or_else(|| {
            req.extensions()
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map(|c| c.0)
        })
        .map(|a| a.ip());
    ClientInfo {
        ip,
        user_agent: header(md, &NAMES.user_agent).filter(|u| !u.is_empty()),
        header_flags: heuristics::header_flags(|name| md.get(name).and_then(|v| v.to_str().ok())),
        ja4: req
            .extensions()
            .get::<crate::transport::connection::ConnectionJa4>()
            .map(|j| j.0.clone()),
    }
}

type Rpc<T> = Result<Response<T>, Status>;

fn ok<T>(r: Result<T, ApiError>) -> Rpc<T> {
    r.map(Response::new).map_err(Status::from)
}

mod account;
mod auth;
mod convert;
mod detections;
mod ingest;
mod projects;
mod rules;
mod scoring;
mod server_ingest;
mod sessions;
mod stats;
mod verdict;
mod verified_bots;

use convert::*;
use ingest::ingest_response;
