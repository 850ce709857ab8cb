//! Error responses: the flat `Error` component, when each code is answered, examples.
use super::*;

/// When each error code is answered (contract §2), for the error responses' descriptions.
pub(super) fn error_when(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::Unauthenticated => {
            "Missing, malformed, revoked or wrong-kind credential, or a site/private key of a project whose scoring is not enabled."
        }
        ErrorCode::NoActiveSubscription => {
            "The credential is valid but the owning account has no active subscription."
        }
        ErrorCode::FeatureNotAvailable => "The account's plan lacks the feature.",
        ErrorCode::Forbidden => {
            "The project (or other object) does not belong to the token's account, or the token is not bound to an accessible account."
        }
        ErrorCode::NotFound => "The object does not exist in the caller's scope.",
        ErrorCode::ScoringNotEnabled => "Scoring is not enabled on the project.",
        ErrorCode::InvalidPayload => {
            "The request violates the schema (malformed JSON, bad field value, unknown payload key, out-of-range setting); `details.field` names the offending field."
        }
        ErrorCode::IdempotencyKeyReused => {
            "The `Idempotency-Key` was already used with a different body."
        }
        ErrorCode::PayloadTooLarge => "The request body exceeds the size limit.",
        ErrorCode::MethodNotAllowed => "The path exists but does not support that HTTP method.",
        ErrorCode::Internal => "Unexpected server error.",
        ErrorCode::Unavailable => "The store is unavailable; retry later.",
        ErrorCode::UnknownSession => {
            "The private key's project has no session with this token (yet: an assertion may arrive before the session's first batch; retry)."
        }
        ErrorCode::RateLimited => {
            "Too many failed dashboard sign-ins for this account or address; `retry_after` (and `Retry-After`) says when to try again."
        }
    }
}

/// An example error body for a code.
pub(super) fn error_example(code: ErrorCode) -> Value {
    let mut body = json!({
        "error": code.title(),
        "message": error_when(code),
        "code": code.as_str(),
    });
    if code == ErrorCode::InvalidPayload {
        body["message"] = json!("Malformed JSON body: expected value at line 1 column 1.");
        body["details"] = json!({"field": "body"});
    }
    body
}

pub(super) fn error_schema() -> RefOr<Schema> {
    let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some(
            "Every error has this one flat shape; `code` is the stable machine value, `error` \
             and `message` are human text. `details` and `retry_after` appear only when \
             relevant (`details.field` names the offending field of a 422).",
        ))
        .property(
            "error",
            typed(Type::String).description(Some("Short title of the error code.")),
        )
        .property(
            "message",
            typed(Type::String).description(Some("Human-readable detail.")),
        )
        .property(
            "code",
            typed(Type::String)
                .enum_values(Some(codes))
                .description(Some("Stable machine-readable error code.")),
        )
        .property(
            "details",
            typed(Type::Object)
                .additional_properties(Some(typed(Type::String)))
                .description(Some("String details, e.g. `field` for 422 responses.")),
        )
        .property(
            "retry_after",
            typed(Type::Integer)
                .minimum(Some(0))
                .description(Some("Seconds to wait before retrying, when relevant.")),
        )
        .required("error")
        .required("message")
        .required("code")
        .into()
}

impl Generator {
    pub(super) fn error_response(&self, codes: &[ErrorCode]) -> ResponseBuilder {
        let description = if let [code] = codes {
            format!(
                "{} (`{}`): {}",
                code.title(),
                code.as_str(),
                error_when(*code)
            )
        } else {
            codes
                .iter()
                .map(|c| format!("- {} (`{}`): {}", c.title(), c.as_str(), error_when(*c)))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let schema =
            AllOfBuilder::new()
                .item(schema_ref(ERROR_SCHEMA))
                .item(typed(Type::Object).property(
                    "code",
                    typed(Type::String).enum_values(Some(codes.iter().map(|c| c.as_str()))),
                ));
        let examples = codes.iter().map(|c| {
            (
                c.as_str(),
                ExampleBuilder::new()
                    .summary(c.title())
                    .value(Some(error_example(*c)))
                    .build(),
            )
        });
        ResponseBuilder::new().description(description).content(
            JSON,
            ContentBuilder::new()
                .schema(Some(schema))
                .examples_from_iter(examples)
                .build(),
        )
    }
}
