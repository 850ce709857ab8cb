//! Server-side ingest (`POST /v1/server/page-hits`, `POST /v1/server/events`, private key):
//! the customer's backend reports each page view it served and relays the browser's batches
//! under its own session tokens (docs/ingest.md#server-side-ingest). The checks are pure and
//! come first; the use cases store through [`IngestWrites`] like `POST /v1/events`.
use serde_json::{Value, json};

use super::{Core, Ingested, auth, ingest, keys};
use crate::domain::server_ingest::{PAGE_HIT_METHODS, PageHitReceipt};
use crate::domain::{
    Channel, IncomingObserved, IncomingPageHit, IncomingRelay, ObservedSource, PageHit,
};
use crate::error::{ApiError, ApiResult};
use crate::store::{IngestWrite, IngestWrites, PageHitWrite, RequestRecord};

/// The only `schema_version` the endpoints take.
pub const SCHEMA_VERSION: u32 = 1;
/// Most header names a page hit lists (the official SDK's allow-list has 18).
pub const MAX_HEADER_NAMES: usize = 32;
const MAX_HEADER_NAME: usize = 64;
const MAX_LANGUAGES: usize = 10;
const MAX_LANGUAGE: usize = 35;
/// Hex digits of a backend-minted session token after `sess_`.
pub const BACKEND_TOKEN_HEX: usize = 48;

/// What became of a page hit that was not refused.
#[derive(Debug, Clone, PartialEq)]
pub enum PageHitRecorded {
    /// Durably stored, a duplicate of a stored `page_id`, or an idempotent replay: `202`.
    Stored(PageHitReceipt),
    /// Shed under overload: nothing stored, not to be retried (`204`).
    Shed,
}

/// `sess_` + 48 lower-case hex digits: the shape of a token the customer's backend mints.
pub fn is_backend_token(token: &str) -> bool {
    token.strip_prefix(keys::SESSION_PREFIX).is_some_and(|hex| {
        hex.len() == BACKEND_TOKEN_HEX
            && hex
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

fn is_hex(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn required<'a>(value: &'a Option<String>, field: &str, what: &str) -> ApiResult<&'a str> {
    match value.as_deref() {
        Some(v) => Ok(v),
        None => Err(ApiError::invalid(
            field,
            format!("\"{field}\" is required: {what}."),
        )),
    }
}

fn schema_version(v: Option<u32>) -> ApiResult<()> {
    match v {
        Some(SCHEMA_VERSION) => Ok(()),
        None => Err(ApiError::invalid(
            "schema_version",
            "\"schema_version\" is required: 1.",
        )),
        Some(other) => Err(ApiError::invalid(
            "schema_version",
            format!("\"schema_version\" {other} is not supported; this server takes 1."),
        )),
    }
}

/// The session token of a server-side request: the backend's own (`sess_` + 48 lower-case
/// hex), adopted on first sight.
fn session_token(token: &Option<String>) -> ApiResult<String> {
    let t = required(
        token,
        "session_token",
        "the backend's session token, \"sess_\" followed by 48 lower-case hex digits",
    )?;
    if is_backend_token(t) {
        Ok(t.to_string())
    } else {
        Err(ApiError::invalid(
            "session_token",
            "\"session_token\" must be \"sess_\" followed by 48 lower-case hex digits.",
        ))
    }
}

fn page_id(id: Option<&str>) -> ApiResult<Option<String>> {
    match id {
        None => Ok(None),
        Some(id) if is_hex(id, 32) => Ok(Some(id.to_ascii_lowercase())),
        Some(_) => Err(ApiError::invalid(
            "page_id",
            "\"page_id\" must be 32 hex digits.",
        )),
    }
}

/// The observed address, canonical; its source and whether it was inferred.
fn observed(
    o: &IncomingObserved,
) -> ApiResult<(Option<String>, Option<ObservedSource>, Option<bool>)> {
    let ip = match o.ip.as_deref() {
        None => None,
        Some(ip) => Some(
            ip.trim()
                .parse::<std::net::IpAddr>()
                .map_err(|_| {
                    ApiError::invalid(
                        "observed_ip",
                        "\"observed_ip\" must be an IPv4 or IPv6 address such as 203.0.113.7.",
                    )
                })?
                .to_canonical()
                .to_string(),
        ),
    };
    let source = match o.source.as_deref() {
        None => None,
        Some(s) => Some(ObservedSource::parse(s).ok_or_else(|| {
            ApiError::invalid(
                "observed_ip_source",
                "\"observed_ip_source\" must be one of \"request\", \"header\", \"resolver\".",
            )
        })?),
    };
    Ok((ip, source, o.inferred))
}

/// A header name as HTTP spells one (a token), lower-case.
fn is_header_name(s: &str) -> bool {
    (1..=MAX_HEADER_NAME).contains(&s.len())
        && s.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || b"!#$%&'*+-.^_`|~".contains(&b)
        })
}

fn is_language(s: &str) -> bool {
    (1..=MAX_LANGUAGE).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'*')
}

/// Checks a page hit; the first problem is reported with its field.
pub fn validate_page_hit(hit: IncomingPageHit) -> ApiResult<(String, PageHit)> {
    schema_version(hit.schema_version)?;
    let page = page_id(Some(required(
        &hit.page_id,
        "page_id",
        "32 hex digits identifying the page view",
    )?))?
    .unwrap_or_default();
    let token = session_token(&hit.session_token)?;
    let occurred_at = required(
        &hit.occurred_at,
        "occurred_at",
        "an RFC 3339 UTC timestamp such as 2026-09-08T00:00:00Z",
    )?;
    let occurred_at_ms = ingest::valid_utc_timestamp(occurred_at)
        .then(|| chrono::DateTime::parse_from_rfc3339(occurred_at).ok())
        .flatten()
        .map(|t| t.timestamp_millis())
        .ok_or_else(|| {
            ApiError::invalid(
                "occurred_at",
                "\"occurred_at\" must be an RFC 3339 UTC timestamp such as 2026-09-08T00:00:00Z.",
            )
        })?;
    let method = required(&hit.method, "method", "the request's method")?;
    let method = PAGE_HIT_METHODS
        .into_iter()
        .find(|m| *m == method)
        .ok_or_else(|| {
            ApiError::invalid(
                "method",
                format!(
                    "\"method\" must be one of {}.",
                    PAGE_HIT_METHODS.map(|m| format!("\"{m}\"")).join(", ")
                ),
            )
        })?;
    let path_hash = required(
        &hit.path_hash,
        "path_hash",
        "64 hex digits, the HMAC-SHA256 of the path keyed with the private key",
    )?;
    if !is_hex(path_hash, 64) {
        return Err(ApiError::invalid(
            "path_hash",
            "\"path_hash\" must be 64 hex digits (HMAC-SHA256 of the path).",
        ));
    }
    if hit.header_names.len() > MAX_HEADER_NAMES {
        return Err(ApiError::invalid(
            "header_names",
            format!(
                "\"header_names\" lists {} names; at most {MAX_HEADER_NAMES} are taken.",
                hit.header_names.len()
            ),
        ));
    }
    let mut header_names: Vec<String> = Vec::with_capacity(hit.header_names.len());
    for (i, name) in hit.header_names.iter().enumerate() {
        if !is_header_name(name) {
            return Err(ApiError::invalid(
                &format!("header_names[{i}]"),
                format!(
                    "\"header_names[{i}]\" must be a lower-case HTTP header name of at most {MAX_HEADER_NAME} characters."
                ),
            ));
        }
        if !header_names.contains(name) {
            header_names.push(name.clone());
        }
    }
    if hit.languages.len() > MAX_LANGUAGES {
        return Err(ApiError::invalid(
            "languages",
            format!(
                "\"languages\" lists {} tags; at most {MAX_LANGUAGES} are taken.",
                hit.languages.len()
            ),
        ));
    }
    let mut languages = Vec::with_capacity(hit.languages.len());
    for (i, tag) in hit.languages.iter().enumerate() {
        if !is_language(tag) {
            return Err(ApiError::invalid(
                &format!("languages[{i}]"),
                format!(
                    "\"languages[{i}]\" must be a language tag such as en-us (at most {MAX_LANGUAGE} characters)."
                ),
            ));
        }
        languages.push(tag.to_ascii_lowercase());
    }
    let duration_ms = match hit.duration_ms {
        None => None,
        Some(d) if (0.0..1e12).contains(&d) => Some(d.round() as i64),
        Some(_) => {
            return Err(ApiError::invalid(
                "duration_ms",
                "\"duration_ms\" must be a number of milliseconds ≥ 0.",
            ));
        }
    };
    let ja4 = match hit.ja4.as_deref() {
        None => None,
        Some(f) if crate::domain::ja4::is_fingerprint(f) => Some(f.to_string()),
        Some(_) => {
            return Err(ApiError::invalid(
                "ja4",
                "\"ja4\" must be a JA4 fingerprint such as t13d1516h2_8daaf6152771_e5627efa2ab1.",
            ));
        }
    };
    let (observed_ip, observed_ip_source, observed_ip_inferred) = observed(&hit.observed)?;
    Ok((
        token,
        PageHit {
            page_id: page,
            occurred_at_ms,
            method,
            path_hash: path_hash.to_ascii_lowercase(),
            header_names,
            languages,
            had_session_cookie: hit.had_session_cookie,
            duration_ms,
            ja4,
            observed_ip,
            observed_ip_source,
            observed_ip_inferred,
        },
    ))
}

/// The canonical body of a page hit for `Idempotency-Key` (keys sorted; the operation named
/// so that a key reused across the two endpoints is a reuse, not a replay).
fn page_hit_hash(token: &str, hit: &PageHit) -> String {
    ingest::canonical_hash(json!({
        "op": "page_hit",
        "session_token": token,
        "page_id": hit.page_id,
        "occurred_at_ms": hit.occurred_at_ms,
        "method": hit.method,
        "path_hash": hit.path_hash,
        "header_names": hit.header_names,
        "languages": hit.languages,
        "had_session_cookie": hit.had_session_cookie,
        "duration_ms": hit.duration_ms,
        "ja4": hit.ja4,
        "observed_ip": hit.observed_ip,
        "observed_ip_source": hit.observed_ip_source.map(|s| s.as_str()),
        "observed_ip_inferred": hit.observed_ip_inferred,
    }))
}

/// A checked relayed batch: its session token and the request facts to store with it.
struct Relay {
    token: String,
    batch: crate::domain::IncomingBatch,
    hash_extra: Value,
    client_ip: Option<String>,
}

fn validate_relay(relay: IncomingRelay) -> ApiResult<Relay> {
    schema_version(relay.schema_version)?;
    let page = page_id(relay.page_id.as_deref())?;
    let token = session_token(&relay.batch.session_token)?;
    let batch = ingest::prepared(relay.batch)?;
    let (ip, source, inferred) = observed(&relay.observed)?;
    Ok(Relay {
        token,
        hash_extra: json!({
            "op": "relay",
            "page_id": page,
            "observed_ip": ip,
            "observed_ip_source": source.map(|s| s.as_str()),
            "observed_ip_inferred": inferred,
        }),
        // An address the backend could only guess is not the client's.
        client_ip: ip.filter(|_| inferred != Some(true)),
        batch,
    })
}

/// A backend token another project's session already holds (tokens are unique).
pub(super) fn foreign_session() -> ApiError {
    ApiError::invalid(
        "session_token",
        "This session token is in use by another project; mint a new one for this visitor.",
    )
}

/// Written against [`IngestWrites`].
impl<S: IngestWrites> Core<S> {
    /// Stores a page hit. Returns once committed.
    pub async fn record_page_hit(
        &self,
        key: &auth::PrivateKey,
        idempotency_key: Option<&str>,
        hit: IncomingPageHit,
    ) -> ApiResult<PageHitRecorded> {
        let Some(_place) = self.ingest_gate.admit() else {
            validate_page_hit(hit)?;
            return Ok(PageHitRecorded::Shed);
        };
        let principal = self.private_key_principal(key).await?;
        let (token, hit) = validate_page_hit(hit)?;
        let idempotency = ingest::idempotency(idempotency_key, || page_hit_hash(&token, &hit))?;
        let write = PageHitWrite {
            project_id: principal.project_id,
            session_token: token,
            idempotency,
            hit,
        };
        let stored = self
            .bounded_write(self.store.record_page_hit(write))
            .await?;
        match super::from_store_unless_gone(stored, super::gone_private_key)? {
            crate::store::PageHitOutcome::Stored(ack)
            | crate::store::PageHitOutcome::Replayed(ack) => {
                Ok(PageHitRecorded::Stored(PageHitReceipt {
                    session_token: ack.session_token,
                    duplicate: ack.duplicate,
                }))
            }
            crate::store::PageHitOutcome::KeyReused => Err(super::key_reused()),
            crate::store::PageHitOutcome::ForeignSession => Err(foreign_session()),
        }
    }

    /// Stores a batch relayed by the customer's backend and queues its session for scoring.
    pub async fn relay_events(
        &self,
        key: &auth::PrivateKey,
        idempotency_key: Option<&str>,
        relay: IncomingRelay,
    ) -> ApiResult<Ingested> {
        let Some(_place) = self.ingest_gate.admit() else {
            validate_relay(relay)?;
            return Ok(Ingested::Shed);
        };
        let principal = self.private_key_principal(key).await?;
        let relay = validate_relay(relay)?;
        let idempotency = ingest::idempotency(idempotency_key, || {
            ingest::canonical_hash(json!({
                "batch": ingest::batch_hash(&relay.batch),
                "relay": relay.hash_extra,
            }))
        })?;
        let write = IngestWrite {
            project_id: principal.project_id,
            account_id: principal.account_id,
            monthly_event_quota: principal.monthly_event_quota,
            session_token: Some(relay.token),
            adopt: true,
            events: ingest::new_events(relay.batch.events),
            idempotency,
            // The request is the backend's: no user agent, headers or proof of the browser.
            request: RequestRecord {
                client_ip: relay.client_ip,
                channel: Channel::Relay.code(),
                ..RequestRecord::default()
            },
            redeem: None,
        };
        self.store_batch(write, super::gone_private_key).await
    }
}
