//! The one error type of Botect. Every failure has a stable `code` (contract §2) that maps to
//! an HTTP status with the flat JSON body and to a gRPC status carrying a
//! `google.rpc.ErrorInfo` whose `reason` is the same code.
use std::collections::HashMap;

use serde_json::{Map, Value};
use tonic_types::{ErrorDetails, StatusExt};

/// `google.rpc.ErrorInfo.domain` of every Botect error.
pub const ERROR_DOMAIN: &str = "botect.ai";

/// Stable error codes. `as_str` is the wire value; never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    Unauthenticated,
    NoActiveSubscription,
    FeatureNotAvailable,
    Forbidden,
    NotFound,
    ScoringNotEnabled,
    InvalidPayload,
    IdempotencyKeyReused,
    PayloadTooLarge,
    MethodNotAllowed,
    Internal,
    Unavailable,
    RateLimited,
    UnknownSession,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 14] = [
        ErrorCode::Unauthenticated,
        ErrorCode::NoActiveSubscription,
        ErrorCode::FeatureNotAvailable,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::ScoringNotEnabled,
        ErrorCode::InvalidPayload,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::PayloadTooLarge,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Internal,
        ErrorCode::Unavailable,
        ErrorCode::RateLimited,
        ErrorCode::UnknownSession,
    ];

    /// The machine value of the `code` field.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::NoActiveSubscription => "NO_ACTIVE_SUBSCRIPTION",
            ErrorCode::FeatureNotAvailable => "FEATURE_NOT_AVAILABLE",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::ScoringNotEnabled => "SCORING_NOT_ENABLED",
            ErrorCode::InvalidPayload => "INVALID_PAYLOAD",
            ErrorCode::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::Unavailable => "UNAVAILABLE",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::UnknownSession => "UNKNOWN_SESSION",
        }
    }

    pub fn from_code(code: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }

    /// HTTP status of the REST response.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::Unauthenticated => 401,
            ErrorCode::NoActiveSubscription => 402,
            ErrorCode::FeatureNotAvailable | ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::ScoringNotEnabled => 409,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::InvalidPayload | ErrorCode::IdempotencyKeyReused => 422,
            ErrorCode::Internal => 500,
            ErrorCode::Unavailable => 503,
            ErrorCode::RateLimited => 429,
            ErrorCode::UnknownSession => 404,
        }
    }

    /// gRPC status code.
    pub fn grpc_code(self) -> tonic::Code {
        match self {
            ErrorCode::Unauthenticated => tonic::Code::Unauthenticated,
            ErrorCode::NoActiveSubscription => tonic::Code::FailedPrecondition,
            ErrorCode::FeatureNotAvailable | ErrorCode::Forbidden => tonic::Code::PermissionDenied,
            ErrorCode::NotFound => tonic::Code::NotFound,
            ErrorCode::ScoringNotEnabled => tonic::Code::FailedPrecondition,
            ErrorCode::InvalidPayload => tonic::Code::InvalidArgument,
            ErrorCode::IdempotencyKeyReused => tonic::Code::AlreadyExists,
            ErrorCode::PayloadTooLarge => tonic::Code::ResourceExhausted,
            ErrorCode::MethodNotAllowed => tonic::Code::Unimplemented,
            ErrorCode::Internal => tonic::Code::Internal,
            ErrorCode::Unavailable => tonic::Code::Unavailable,
            ErrorCode::RateLimited => tonic::Code::ResourceExhausted,
            ErrorCode::UnknownSession => tonic::Code::NotFound,
        }
    }

    /// The short human title (`error` field).
    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::Unauthenticated => "Unauthenticated",
            ErrorCode::NoActiveSubscription => "No active subscription",
            ErrorCode::FeatureNotAvailable => "Feature not available",
            ErrorCode::Forbidden => "Forbidden",
            ErrorCode::NotFound => "Not found",
            ErrorCode::ScoringNotEnabled => "Scoring not enabled",
            ErrorCode::InvalidPayload => "Invalid payload",
            ErrorCode::IdempotencyKeyReused => "Idempotency key reused",
            ErrorCode::PayloadTooLarge => "Payload too large",
            ErrorCode::MethodNotAllowed => "Method not allowed",
            ErrorCode::Internal => "Internal error",
            ErrorCode::Unavailable => "Service unavailable",
            ErrorCode::RateLimited => "Too many attempts",
            ErrorCode::UnknownSession => "Unknown session",
        }
    }
}

/// A Botect error: code, human message and optional string details (e.g. `field`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<(String, String)>,
    /// Seconds until a retry can succeed (`retry_after` and `Retry-After`); only the
    /// dashboard's sign-in slow-down sets it.
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    pub fn with_detail(mut self, key: &str, value: impl Into<String>) -> Self {
        self.details.push((key.to_string(), value.into()));
        self
    }

    pub fn unauthenticated(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Unauthenticated, message)
    }

    /// 422 `INVALID_PAYLOAD` naming the offending field (`details.field`).
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::new(ErrorCode::InvalidPayload, message).with_detail("field", field)
    }

    /// The same error naming another field (e.g. an item of a list: `rules[2].action`).
    pub fn with_field(mut self, field: &str) -> Self {
        match self.details.iter_mut().find(|(k, _)| k == "field") {
            Some((_, v)) => *v = field.to_string(),
            None => self.details.push(("field".into(), field.to_string())),
        }
        self
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Forbidden, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, message)
    }

    pub fn no_subscription() -> Self {
        Self::new(
            ErrorCode::NoActiveSubscription,
            "The account that owns this credential has no active subscription.",
        )
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// The flat JSON body of contract §2.
    pub fn to_json(&self) -> Value {
        let mut body = Map::new();
        body.insert("error".into(), Value::String(self.code.title().into()));
        body.insert("message".into(), Value::String(self.message.clone()));
        body.insert("code".into(), Value::String(self.code.as_str().into()));
        if !self.details.is_empty() {
            let details = self
                .details
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            body.insert("details".into(), Value::Object(details));
        }
        if let Some(s) = self.retry_after {
            body.insert("retry_after".into(), Value::from(s));
        }
        Value::Object(body)
    }

    /// The gRPC status: code, message and a `google.rpc.ErrorInfo` (reason = code, metadata = details).
    pub fn to_status(&self) -> tonic::Status {
        let metadata: HashMap<String, String> = self.details.iter().cloned().collect();
        tonic::Status::with_error_details(
            self.code.grpc_code(),
            self.message.clone(),
            ErrorDetails::with_error_info(self.code.as_str(), ERROR_DOMAIN, metadata),
        )
    }

    /// Reads a status back (the REST edge calls the same service implementations as gRPC).
    /// A status without Botect's ErrorInfo (e.g. one tonic produced itself) maps by gRPC code.
    pub fn from_status(status: &tonic::Status) -> ApiError {
        if let Some(info) = status.get_details_error_info()
            && info.domain == ERROR_DOMAIN
            && let Some(code) = ErrorCode::from_code(&info.reason)
        {
            let mut details: Vec<(String, String)> = info.metadata.into_iter().collect();
            details.sort();
            return ApiError {
                code,
                message: status.message().to_string(),
                details,
                retry_after: None,
            };
        }
        let code = match status.code() {
            tonic::Code::Unauthenticated => ErrorCode::Unauthenticated,
            tonic::Code::PermissionDenied => ErrorCode::Forbidden,
            tonic::Code::NotFound => ErrorCode::NotFound,
            tonic::Code::InvalidArgument => ErrorCode::InvalidPayload,
            tonic::Code::ResourceExhausted => ErrorCode::PayloadTooLarge,
            tonic::Code::Unavailable => ErrorCode::Unavailable,
            _ => ErrorCode::Internal,
        };
        ApiError::new(code, status.message())
    }
}

impl From<ApiError> for tonic::Status {
    fn from(e: ApiError) -> Self {
        e.to_status()
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(e: sea_orm::DbErr) -> Self {
        tracing::error!(error = %e, "storage error");
        ApiError::new(
            ErrorCode::Unavailable,
            "The store is unavailable; retry later.",
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trip_keeps_code_message_and_details() {
        for code in ErrorCode::ALL {
            let e = ApiError::new(code, "msg").with_detail("field", "events[0].type");
            let back = ApiError::from_status(&e.to_status());
            assert_eq!(back, e);
            assert_eq!(e.to_status().code(), code.grpc_code());
        }
    }

    #[test]
    fn flat_body_has_contract_shape() {
        let v = ApiError::invalid("events[0].payload.x", "Unknown key").to_json();
        assert_eq!(v["code"], "INVALID_PAYLOAD");
        assert_eq!(v["error"], "Invalid payload");
        assert_eq!(v["details"]["field"], "events[0].payload.x");
        let v = ApiError::unauthenticated("no").to_json();
        assert!(v.get("details").is_none());
        assert_eq!(v.as_object().unwrap().len(), 3);
    }
}
