//! REST/JSON transcoding: the routes generated from `google.api.http` (see `build.rs`) call
//! the tonic service implementations in-process. This module holds what they share: request
//! extraction (path, query, headers → metadata, body with a size limit), canonical JSON
//! decoding with field-naming 422s, and responses in the contract's shapes.
use std::{future::Future, net::SocketAddr};

use axum::{
    body::Body,
    extract::{ConnectInfo, FromRequestParts, RawPathParams, Request},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use bytes::Bytes;
use http_body_util::BodyExt;
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};
use tonic::metadata::MetadataMap;

use super::{grpc::Api, limits};
use crate::error::{ApiError, ErrorCode};

include!(concat!(env!("OUT_DIR"), "/rest_routes.rs"));

/// Where the request message comes from besides the path (google.api.http `body`).
#[derive(Debug, Clone, Copy)]
pub enum BodyRule {
    None,
    All,
    Field(&'static str),
}

/// One method's REST binding.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The method's gRPC service, full name (its request limit: `transport::limits`).
    pub service: &'static str,
    pub body: BodyRule,
    pub status: u16,
    /// A boolean response field that, when true, makes the answer `204` with no body.
    pub no_content_when: Option<&'static str>,
    pub response_body: Option<&'static str>,
    /// Path variables that are ids: decimal 1 to 2147483647, no sign, no leading zeros.
    pub id_params: &'static [&'static str],
}

/// The largest id (ids are stored as 32-bit signed integers).
pub const MAX_ID: u32 = i32::MAX as u32;

/// `1`…`2147483647` in canonical decimal.
fn canonical_id(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 10
        && v.bytes().all(|b| b.is_ascii_digit())
        && !v.starts_with('0')
        && v.parse::<u64>().is_ok_and(|n| n <= MAX_ID as u64)
}

pub struct RestRequest {
    params: Vec<(String, String)>,
    query: Option<String>,
    headers: HeaderMap,
    /// The socket peer, on the paths the edge hands it to (`transport::edge`).
    peer: Option<ConnectInfo<SocketAddr>>,
    /// The JA4 of the client's ClientHello, on the same paths.
    ja4: Option<super::connection::ConnectionJa4>,
    /// The unread body (read by `decode`, against the method's limit).
    body: Option<axum::body::Body>,
    /// `--max-body-bytes`.
    max_body: usize,
}

/// The flat error body with its status.
pub fn error_response(e: &ApiError) -> Response {
    let status =
        StatusCode::from_u16(e.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = json_response(status, serde_json::to_vec(&e.to_json()).unwrap_or_default());
    r.extensions_mut()
        .insert(super::request_metrics::ErrorTag(e.code.as_str()));
    if let Some(s) = e.retry_after {
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(s));
    }
    r
}

pub fn json_response(status: StatusCode, body: Vec<u8>) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

impl RestRequest {
    /// `max_body`: `--max-body-bytes`.
    async fn new(req: Request, max_body: usize) -> RestRequest {
        let (mut parts, body) = req.into_parts();
        let params = match RawPathParams::from_request_parts(&mut parts, &()).await {
            Ok(p) => p
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            Err(_) => Vec::new(),
        };
        RestRequest {
            params,
            query: parts.uri.query().map(str::to_string),
            headers: parts.headers,
            peer: parts.extensions.get::<ConnectInfo<SocketAddr>>().cloned(),
            ja4: parts
                .extensions
                .get::<super::connection::ConnectionJa4>()
                .cloned(),
            body: Some(body),
            max_body,
        }
    }
}

impl RestRequest {
    /// Reads the body, refusing one over the method's service limit
    /// ([`limits::request_limit`]) with `413 PAYLOAD_TOO_LARGE` before reading it when its
    /// `Content-Length` says so, else as soon as it passes the limit.
    async fn read_body(&mut self, b: &Binding) -> Result<Bytes, ApiError> {
        let limit = limits::request_limit(b.service, self.max_body);
        let too_large = || {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("The request body exceeds the limit of {limit} bytes for this endpoint."),
            )
        };
        if self
            .headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok())
            .is_some_and(|n| n > limit)
        {
            return Err(too_large());
        }
        let body = self.body.take().unwrap_or_default();
        // A request without a body (no length, or 0) has nothing to read.
        if axum::body::HttpBody::is_end_stream(&body) {
            return Ok(Bytes::new());
        }
        match http_body_util::Limited::new(body, limit).collect().await {
            Ok(c) => Ok(c.to_bytes()),
            Err(e) if e.is::<http_body_util::LengthLimitError>() => Err(too_large()),
            Err(_) => Err(ApiError::invalid(
                "body",
                "The request body could not be read.",
            )),
        }
    }

    /// The path variables that are ids, checked for their canonical form.
    fn check_ids(&self, b: &Binding) -> Result<(), ApiError> {
        for (k, v) in &self.params {
            if b.id_params.contains(&k.as_str()) && !canonical_id(v) {
                return Err(ApiError::invalid(
                    k,
                    format!(
                        "\"{k}\" must be an id from 1 to {MAX_ID}, in decimal without sign or leading zeros; got \"{v}\"."
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Builds the request message: body (per the binding), then path variables, then (for
    /// body-less methods) query parameters, decoded as canonical proto3 JSON. A path variable
    /// repeated in the body or the query, and any query parameter of a method with a body,
    /// is a 422 naming it.
    async fn decode<T: DeserializeOwned>(&mut self, b: &Binding) -> Result<T, ApiError> {
        let body = self.read_body(b).await?;
        // A method without a body called without a query (a verdict read, a listing) is
        // decoded from its path variables directly. The decoder is the same, and so is every
        // value it sees (strings); only failures take the general path below, which names
        // the field.
        if matches!(b.body, BodyRule::None) && self.query.is_none() {
            self.check_ids(b)?;
            let vars = self.params.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            let vars = serde::de::value::MapDeserializer::<_, serde::de::value::Error>::new(vars);
            if let Ok(msg) = T::deserialize(vars) {
                return Ok(msg);
            }
        }
        let parse_body = || -> Result<Option<Value>, ApiError> {
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(None);
            }
            serde_json::from_slice(&body)
                .map(Some)
                .map_err(|e| ApiError::invalid("body", format!("Malformed JSON body: {e}.")))
        };
        let mut obj = match b.body {
            BodyRule::None => Map::new(),
            BodyRule::All => match parse_body()? {
                None => Map::new(),
                Some(Value::Object(m)) => m,
                Some(_) => {
                    return Err(ApiError::invalid(
                        "body",
                        "The JSON body must be an object.",
                    ));
                }
            },
            BodyRule::Field(f) => {
                let mut m = Map::new();
                if let Some(v) = parse_body()? {
                    m.insert(f.to_string(), v);
                }
                m
            }
        };
        // Path variables win, always: the same field in the body or the query (under its
        // proto name or its lowerCamelCase JSON alias) is refused, never silently merged.
        let path_var = |k: &str| {
            let snake = snake_case(k);
            self.params.iter().any(|(p, _)| *p == snake)
        };
        if let Some(k) = obj.keys().find(|k| path_var(k)) {
            return Err(ApiError::invalid(
                k,
                format!("\"{k}\" is taken from the URL path; remove it from the request body."),
            ));
        }
        self.check_ids(b)?;
        for (k, v) in &self.params {
            obj.insert(k.clone(), Value::String(v.clone()));
        }
        if let Some(q) = &self.query {
            let pairs: Vec<(String, String)> = serde_urlencoded::from_str(q)
                .map_err(|e| ApiError::invalid("query", format!("Malformed query string: {e}.")))?;
            if let Some((k, _)) = pairs.iter().find(|(k, _)| path_var(k)) {
                return Err(ApiError::invalid(
                    k,
                    format!("\"{k}\" is taken from the URL path; remove it from the query string."),
                ));
            }
            match b.body {
                BodyRule::None => {
                    for (k, v) in pairs {
                        obj.insert(k, Value::String(v));
                    }
                }
                // Fields of a method with a body come in the body only: a query parameter
                // is refused like an unknown field.
                _ => {
                    if let Some((k, _)) = pairs.first() {
                        return Err(ApiError::invalid(
                            k,
                            format!(
                                "Unknown query parameter \"{k}\": this endpoint takes its fields in the JSON body."
                            ),
                        ));
                    }
                }
            }
        }
        let value = Value::Object(obj);
        // The plain decoder first (most requests are valid); the path-tracking one only to
        // name the field of an error.
        if let Ok(msg) = T::deserialize(&value) {
            return Ok(msg);
        }
        serde_path_to_error::deserialize(&value).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." {
                "body".to_string()
            } else {
                path
            };
            ApiError::invalid(
                &field,
                format!(
                    "Invalid value for \"{field}\": {}.",
                    humane(&e.inner().to_string())
                ),
            )
        })
    }
}

/// `sessionToken` → `session_token` (proto3 JSON's lowerCamelCase alias back to the field name).
fn snake_case(k: &str) -> String {
    let mut out = String::with_capacity(k.len() + 4);
    for c in k.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A decoder's message as people read it: integers said as integers (pbjson's number
/// decoding otherwise leaks "untagged enum Content" or "invalid digit found in string"),
/// enum lists without the doubled "expected" and without the never-valid `…_unspecified`.
fn humane(msg: &str) -> String {
    const INTEGER: &str = "expected an integer";
    if msg.contains("untagged enum Content")
        || msg.contains("invalid digit found in string")
        || msg.contains("cannot parse integer from empty string")
    {
        return INTEGER.to_string();
    }
    if msg.contains("number too large") || msg.contains("number too small") {
        return format!("{INTEGER} in range");
    }
    let mut out = without_unspecified(msg).replace("expected expected", "expected");
    // `["key_type_unspecified", "site", "private"]` lists.
    while let Some(i) = out.find("_unspecified\"") {
        let start = out[..i].rfind('"').unwrap_or(i);
        let mut end = i + "_unspecified\"".len();
        if out[end..].starts_with(", ") {
            end += 2;
        }
        out.replace_range(start..end, "");
    }
    out
}

/// Drops the proto zero values (`…_unspecified`) from serde's "expected one of" lists: they
/// are never valid input.
fn without_unspecified(msg: &str) -> String {
    let mut out = msg.to_string();
    while let Some(end) = out.find("_unspecified`, ") {
        let start = out[..end].rfind('`').unwrap_or(end);
        out.replace_range(start..end + "_unspecified`, ".len(), "");
    }
    out
}

/// Runs one REST call through the method's service implementation.
pub async fn call<Req, Resp, F, Fut>(req: Request, max_body: usize, b: &Binding, f: F) -> Response
where
    Req: DeserializeOwned,
    Resp: Serialize,
    F: FnOnce(tonic::Request<Req>) -> Fut,
    Fut: Future<Output = Result<tonic::Response<Resp>, tonic::Status>>,
{
    let mut req = RestRequest::new(req, max_body).await;
    let msg = match req.decode::<Req>(b).await {
        Ok(m) => m,
        Err(e) => return error_response(&e),
    };
    let mut treq = tonic::Request::new(msg);
    *treq.metadata_mut() = MetadataMap::from_headers(req.headers);
    if let Some(ja4) = req.ja4 {
        treq.extensions_mut().insert(ja4);
    }
    if let Some(peer) = req.peer {
        treq.extensions_mut().insert(peer);
    }
    match f(treq).await {
        Ok(resp) => {
            let status = StatusCode::from_u16(b.status).unwrap_or(StatusCode::OK);
            if status == StatusCode::NO_CONTENT {
                return status.into_response();
            }
            // Most methods answer their whole message: encoded directly, no JSON tree.
            if b.no_content_when.is_none() && b.response_body.is_none() {
                let mut body = Vec::with_capacity(512);
                return match serde_json::to_writer(&mut body, resp.get_ref()) {
                    Ok(()) => json_response(status, body),
                    Err(e) => error_response(&ApiError::internal(format!(
                        "response encoding failed: {e}"
                    ))),
                };
            }
            let body = serde_json::to_value(resp.get_ref()).and_then(|mut v| {
                if b.no_content_when
                    .is_some_and(|f| v.get(f) == Some(&Value::Bool(true)))
                {
                    return Ok(None);
                }
                match b.response_body {
                    None => serde_json::to_vec(&v),
                    Some(field) => serde_json::to_vec(
                        &v.get_mut(field).map(Value::take).unwrap_or(Value::Null),
                    ),
                }
                .map(Some)
            });
            match body {
                Ok(None) => StatusCode::NO_CONTENT.into_response(),
                Ok(Some(body)) => json_response(status, body),
                Err(e) => error_response(&ApiError::internal(format!(
                    "response encoding failed: {e}"
                ))),
            }
        }
        Err(status) => error_response(&ApiError::from_status(&status)),
    }
}

/// 405 for a known path with another method, in the flat error shape.
pub async fn method_not_allowed() -> Response {
    error_response(&ApiError::new(
        ErrorCode::MethodNotAllowed,
        "This endpoint does not support that HTTP method.",
    ))
}

/// 404 for paths no route serves, in the flat error shape.
pub async fn not_found() -> Response {
    error_response(&ApiError::not_found("No such endpoint."))
}

#[cfg(test)]
mod tests {
    use super::humane;

    #[test]
    fn decoder_messages_are_rewritten_for_people() {
        assert_eq!(
            humane("data did not match any variant of untagged enum Content"),
            "expected an integer"
        );
        assert_eq!(
            humane("invalid digit found in string"),
            "expected an integer"
        );
        assert_eq!(
            humane("number too large to fit in target type"),
            "expected an integer in range"
        );
        assert_eq!(
            humane(
                r#"invalid value: integer `5`, expected expected one of: ["key_type_unspecified", "site", "private"]"#
            ),
            r#"invalid value: integer `5`, expected one of: ["site", "private"]"#
        );
        assert_eq!(
            humane("invalid type: string \"yes\", expected a boolean"),
            "invalid type: string \"yes\", expected a boolean"
        );
    }
}
