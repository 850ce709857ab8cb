//! The limits the core enforces on request fields, stated in the OpenAPI schema.
use utoipa::openapi::{RefOr, Schema};

/// A request field's validation limit, as the core enforces it.
enum Limit {
    Items(usize, usize),
    Pattern(&'static str),
    Length(usize, usize, &'static str),
    Range(i64, i64),
}

const UTC_TIME: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$";
const HEX32: &str = "^[0-9A-Fa-f]{32}$";
/// A backend's session token.
const SERVER_TOKEN: &str = "^sess_[0-9a-f]{48}$";

/// The limits the core checks on request fields (422 otherwise), stated in the schema so that
/// clients and fuzzers know them. Proofs (`Integrity`) are left free: a bad one is a finding,
/// never a 422.
const LIMITS: &[(&str, Limit)] = &[
    (
        "botect.v1.IngestEventsRequest.events",
        Limit::Items(1, crate::core::ingest::MAX_EVENTS),
    ),
    (
        "botect.v1.RelayEventsRequest.events",
        Limit::Items(1, crate::core::ingest::MAX_EVENTS),
    ),
    (
        "botect.v1.RelayEventsRequest.schema_version",
        Limit::Range(1, 1),
    ),
    (
        "botect.v1.RelayEventsRequest.page_id",
        Limit::Pattern(HEX32),
    ),
    (
        "botect.v1.RelayEventsRequest.session_token",
        Limit::Pattern(SERVER_TOKEN),
    ),
    ("botect.v1.PageHit.schema_version", Limit::Range(1, 1)),
    ("botect.v1.PageHit.page_id", Limit::Pattern(HEX32)),
    (
        "botect.v1.PageHit.session_token",
        Limit::Pattern(SERVER_TOKEN),
    ),
    ("botect.v1.PageHit.occurred_at", Limit::Pattern(UTC_TIME)),
    (
        "botect.v1.PageHit.method",
        Limit::Pattern("^(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD|OTHER)$"),
    ),
    (
        "botect.v1.PageHit.path_hash",
        Limit::Pattern("^[0-9A-Fa-f]{64}$"),
    ),
    (
        "botect.v1.PageHit.header_names",
        Limit::Items(0, crate::core::server_ingest::MAX_HEADER_NAMES),
    ),
    ("botect.v1.PageHit.languages", Limit::Items(0, 10)),
    (
        "botect.v1.PageHit.duration_ms",
        Limit::Range(0, 999_999_999_999),
    ),
    (
        "botect.v1.PageHit.ja4",
        Limit::Pattern("^[tqd][0-9A-Za-z]{2}[di][0-9]{4}[0-9A-Za-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$"),
    ),
    (
        "botect.v1.Event.request_id",
        Limit::Pattern("^[A-Za-z0-9_-]{1,128}$"),
    ),
    ("botect.v1.Event.received_at", Limit::Pattern(UTC_TIME)),
    (
        "botect.v1.CreateProjectRequest.name",
        Limit::Length(1, 200, r"\S"),
    ),
    (
        "botect.v1.CreateRuleRequest.name",
        Limit::Length(1, 200, r"\S"),
    ),
    (
        "botect.v1.UpdateRuleRequest.name",
        Limit::Length(1, 200, r"\S"),
    ),
    (
        "botect.v1.UpdateScoringSettingsRequest.likely_bot_threshold",
        Limit::Range(1, 99),
    ),
    (
        "botect.v1.UpdateScoringSettingsRequest.challenge_difficulty",
        Limit::Range(0, crate::integrity::MAX_DIFFICULTY as i64),
    ),
];

/// `schema` with the [`LIMITS`] of `field` (a full proto field name).
pub(super) fn constrained(schema: RefOr<Schema>, field: &str) -> RefOr<Schema> {
    let Some((_, limit)) = LIMITS.iter().find(|(f, _)| *f == field) else {
        return schema;
    };
    match (schema, limit) {
        (RefOr::T(Schema::Array(mut a)), Limit::Items(min, max)) => {
            a.min_items = Some(*min);
            a.max_items = Some(*max);
            RefOr::T(Schema::Array(a))
        }
        (RefOr::T(Schema::Object(mut o)), Limit::Pattern(p)) => {
            o.pattern = Some(p.to_string());
            RefOr::T(Schema::Object(o))
        }
        (RefOr::T(Schema::Object(mut o)), Limit::Length(min, max, p)) => {
            o.min_length = Some(*min);
            o.max_length = Some(*max);
            o.pattern = Some(p.to_string());
            RefOr::T(Schema::Object(o))
        }
        (RefOr::T(Schema::Object(mut o)), Limit::Range(min, max)) => {
            o.minimum = Some((*min).into());
            o.maximum = Some((*max).into());
            RefOr::T(Schema::Object(o))
        }
        (_, _) => panic!("the limit of {field} does not fit its schema"),
    }
}
