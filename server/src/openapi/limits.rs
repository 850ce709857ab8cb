//! The limits the core enforces on request fields, stated in the OpenAPI schema.
use utoipa::openapi::{RefOr, Schema};

/// A request field's validation limit, as the core enforces it.
enum Limit {
    Items(usize, usize),
    Pattern(&'static str),
    Length(usize, usize, &'static str),
    Range(i64, i64),
}

/// The limits the core checks on request fields (422 otherwise), stated in the schema so that
/// clients and fuzzers know them. Proofs (`Integrity`) are left free: a bad one is a finding,
/// never a 422.
const LIMITS: &[(&str, Limit)] = &[
    (
        "botect.v1.IngestEventsRequest.events",
        Limit::Items(1, crate::core::ingest::MAX_EVENTS),
    ),
    (
        "botect.v1.Event.request_id",
        Limit::Pattern("^[A-Za-z0-9_-]{1,128}$"),
    ),
    (
        "botect.v1.Event.received_at",
        Limit::Pattern(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$"),
    ),
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
