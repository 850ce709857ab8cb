//! Ingest vocabulary and batch validation (contract §3, docs/ingest.md). Pure: a batch is
//! either entirely valid or rejected with a 422 naming the first offending field.
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::domain::{EventKind, IncomingBatch, IncomingEvent};
use crate::engines::heuristics;
use crate::error::{ApiError, ApiResult};
use crate::store::NewEvent;

pub const MAX_EVENTS: usize = 100;
pub const MAX_PAYLOAD_BYTES: usize = 64 * 1024;
pub const MAX_IDEMPOTENCY_KEY: usize = 255;

/// How a payload key's value is checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum KeyKind {
    /// A finite number in `[min, max]`.
    Number {
        min: f64,
        max: f64,
    },
    /// A non-negative integer.
    Count,
    /// 0 or 1.
    Flag01,
    Bool,
    /// `x.y.z`.
    Version,
    /// Lower- or upper-case hex, at most 32 characters.
    Hex32,
    /// A string of at most 64 characters.
    Shape64,
    /// At most 3 distinct of `mouse`, `touch`, `pen`.
    PointerTypes,
    /// At most 10 strings of at most 35 characters.
    Languages,
    /// Must be the empty array.
    EmptyArray,
}

const ANY: f64 = f64::MAX;

/// Every allow-listed key with its check.
pub const KEYS: &[(&str, KeyKind)] = &[
    ("mouse_entropy", KeyKind::Number { min: 0.0, max: 1.0 }),
    ("entropy", KeyKind::Number { min: 0.0, max: 1.0 }),
    ("samples", KeyKind::Count),
    ("scroll_velocity", KeyKind::Number { min: 0.0, max: ANY }),
    ("visibility_changes", KeyKind::Count),
    (
        "first_input_delay_ms",
        KeyKind::Number { min: 0.0, max: ANY },
    ),
    ("total_ms", KeyKind::Number { min: 0.0, max: ANY }),
    ("visible_ms", KeyKind::Number { min: 0.0, max: ANY }),
    (
        "time_to_first_input_ms",
        KeyKind::Number { min: 0.0, max: ANY },
    ),
    ("mouse_moves", KeyKind::Count),
    ("pointer_moves", KeyKind::Count),
    ("scroll_events", KeyKind::Count),
    ("click_events", KeyKind::Count),
    ("key_events", KeyKind::Count),
    (
        "scroll_max_depth_pct",
        KeyKind::Number {
            min: 0.0,
            max: 100.0,
        },
    ),
    ("max_touch_points", KeyKind::Count),
    ("coarse_pointer", KeyKind::Flag01),
    ("js_passed", KeyKind::Bool),
    ("webdriver", KeyKind::Bool),
    ("headless", KeyKind::Bool),
    ("headless_ua", KeyKind::Bool),
    ("zero_viewport", KeyKind::Bool),
    ("missing_plugins", KeyKind::Bool),
    ("navigator_anomaly", KeyKind::Bool),
    ("collector_version", KeyKind::Version),
    ("page_path_hash", KeyKind::Hex32),
    ("page_path_shape", KeyKind::Shape64),
    ("pointer_types", KeyKind::PointerTypes),
    ("languages", KeyKind::Languages),
    ("plugins", KeyKind::EmptyArray),
    // ---- Botect SDK additions (docs/ingest.md, "Botect additions") ----
    // Pointer aggregates over the batch window (never raw coordinates).
    ("stroke_count", KeyKind::Count),
    (
        "move_interval_mean_ms",
        KeyKind::Number { min: 0.0, max: ANY },
    ),
    ("move_interval_cv", KeyKind::Number { min: 0.0, max: ANY }),
    ("path_straightness", KeyKind::Number { min: 0.0, max: 1.0 }),
    ("speed_mean", KeyKind::Number { min: 0.0, max: ANY }),
    ("speed_cv", KeyKind::Number { min: 0.0, max: ANY }),
    ("accel_cv", KeyKind::Number { min: 0.0, max: ANY }),
    ("curvature_mean", KeyKind::Number { min: 0.0, max: ANY }),
    ("direction_entropy", KeyKind::Number { min: 0.0, max: 1.0 }),
    ("pause_count", KeyKind::Count),
    ("overshoot_count", KeyKind::Count),
    ("trusted_ratio", KeyKind::Number { min: 0.0, max: 1.0 }),
    ("touch_events", KeyKind::Count),
    // Pointer kinematics, averaged over the window's strokes (docs/ingest.md).
    ("accel_rel", KeyKind::Number { min: 0.0, max: ANY }),
    ("jerk_rel", KeyKind::Number { min: 0.0, max: ANY }),
    ("accel_sign_changes", KeyKind::Number { min: 0.0, max: 1.0 }),
    ("speed_p10_rel", KeyKind::Number { min: 0.0, max: ANY }),
    ("speed_p90_rel", KeyKind::Number { min: 0.0, max: ANY }),
    ("speed_peak_rel", KeyKind::Number { min: 0.0, max: ANY }),
    (
        "speed_autocorr",
        KeyKind::Number {
            min: -1.0,
            max: 1.0,
        },
    ),
    ("step_cv", KeyKind::Number { min: 0.0, max: ANY }),
    ("submovements", KeyKind::Number { min: 0.0, max: ANY }),
    ("turn_alternation", KeyKind::Number { min: 0.0, max: 1.0 }),
    (
        "turn_p90",
        KeyKind::Number {
            min: 0.0,
            max: 3.15,
        },
    ),
    ("deviation_max", KeyKind::Number { min: 0.0, max: ANY }),
    ("distance_50_at", KeyKind::Number { min: 0.0, max: 1.0 }),
    ("distance_90_at", KeyKind::Number { min: 0.0, max: 1.0 }),
    ("fitts_ms_per_bit", KeyKind::Number { min: 0.0, max: ANY }),
    // How the pointer input was dispatched (docs/ingest.md).
    ("mouse_downs", KeyKind::Count),
    ("pressureless_downs", KeyKind::Count),
    (
        "screen_offset_gap",
        KeyKind::Number {
            min: -9999.0,
            max: 9999.0,
        },
    ),
    // Keyboard timing (counts and statistics only, never key values).
    (
        "key_interval_mean_ms",
        KeyKind::Number { min: 0.0, max: ANY },
    ),
    ("key_interval_cv", KeyKind::Number { min: 0.0, max: ANY }),
    ("key_dwell_mean_ms", KeyKind::Number { min: 0.0, max: ANY }),
    ("key_dwell_cv", KeyKind::Number { min: 0.0, max: ANY }),
    // Environment probes (flags and counts only).
    ("automation_globals", KeyKind::Bool),
    ("plugins_inconsistent", KeyKind::Bool),
    ("languages_empty", KeyKind::Bool),
    ("notification_quirk", KeyKind::Bool),
    ("webgl_software", KeyKind::Bool),
    ("eval_length_mismatch", KeyKind::Bool),
    ("cdp_detected", KeyKind::Bool),
    ("ua_data_mismatch", KeyKind::Bool),
    ("automation_viewport", KeyKind::Bool),
    ("native_tampered", KeyKind::Count),
    ("ua_hash", KeyKind::Hex32),
];

/// Pointer aggregate keys (mouse events and snapshots).
const POINTER_STATS: &[&str] = &[
    "stroke_count",
    "move_interval_mean_ms",
    "move_interval_cv",
    "path_straightness",
    "speed_mean",
    "speed_cv",
    "accel_cv",
    "curvature_mean",
    "direction_entropy",
    "pause_count",
    "overshoot_count",
    "trusted_ratio",
    "touch_events",
    "accel_rel",
    "jerk_rel",
    "accel_sign_changes",
    "speed_p10_rel",
    "speed_p90_rel",
    "speed_peak_rel",
    "speed_autocorr",
    "step_cv",
    "submovements",
    "turn_alternation",
    "turn_p90",
    "deviation_max",
    "distance_50_at",
    "distance_90_at",
    "fitts_ms_per_bit",
    "mouse_downs",
    "pressureless_downs",
    "screen_offset_gap",
];

/// Keyboard timing keys (first_input events and snapshots).
const KEY_STATS: &[&str] = &[
    "key_interval_mean_ms",
    "key_interval_cv",
    "key_dwell_mean_ms",
    "key_dwell_cv",
];

/// Environment probe additions (js_probe events and snapshots).
const PROBE_ADDITIONS: &[&str] = &[
    "automation_globals",
    "plugins_inconsistent",
    "languages_empty",
    "notification_quirk",
    "webgl_software",
    "eval_length_mismatch",
    "cdp_detected",
    "ua_data_mismatch",
    "automation_viewport",
    "native_tampered",
    "ua_hash",
];

/// Keys every event type may carry.
const COMMON: &[&str] = &["collector_version", "total_ms", "visible_ms"];

/// The keys allowed for `kind` besides [`COMMON`]. `snapshot` (a periodic summary) may carry
/// every key.
pub fn allowed_keys(kind: EventKind) -> &'static [&'static str] {
    match kind {
        EventKind::Mouse => &[
            "mouse_entropy",
            "entropy",
            "samples",
            "mouse_moves",
            "pointer_moves",
            "click_events",
            "pointer_types",
            "coarse_pointer",
            "max_touch_points",
        ],
        EventKind::Scroll => &["scroll_velocity", "scroll_events", "scroll_max_depth_pct"],
        EventKind::Visibility => &["visibility_changes"],
        EventKind::FirstInput => &[
            "first_input_delay_ms",
            "time_to_first_input_ms",
            "key_events",
            "click_events",
        ],
        EventKind::JsProbe => &[
            "js_passed",
            "webdriver",
            "headless",
            "headless_ua",
            "zero_viewport",
            "missing_plugins",
            "navigator_anomaly",
            "plugins",
            "languages",
            "max_touch_points",
            "coarse_pointer",
            "pointer_types",
        ],
        EventKind::Page => &[
            "page_path_hash",
            "page_path_shape",
            "visibility_changes",
            "scroll_max_depth_pct",
        ],
        EventKind::Snapshot => &[],
    }
}

/// Botect SDK additions allowed for `kind` (besides [`allowed_keys`]).
pub fn additional_keys(kind: EventKind) -> &'static [&'static str] {
    match kind {
        EventKind::Mouse => POINTER_STATS,
        EventKind::FirstInput => KEY_STATS,
        EventKind::JsProbe => PROBE_ADDITIONS,
        _ => &[],
    }
}

fn key_allowed(kind: EventKind, key: &str) -> bool {
    additional_keys(kind).contains(&key)
        || COMMON.contains(&key)
        || (kind == EventKind::Snapshot && KEYS.iter().any(|(k, _)| *k == key))
        || allowed_keys(kind).contains(&key)
}

fn key_kind(key: &str) -> Option<KeyKind> {
    KEYS.iter().find(|(k, _)| *k == key).map(|(_, kind)| *kind)
}

/// `^[A-Za-z0-9_-]{1,128}$`
pub fn valid_request_id(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// RFC 3339 in UTC (`Z`), e.g. `2026-06-14T10:00:00Z` or `2026-08-25T00:07:35.650Z`.
pub fn valid_utc_timestamp(s: &str) -> bool {
    s.len() <= 40
        && s.ends_with('Z')
        && s.as_bytes().get(10) == Some(&b'T')
        && chrono::DateTime::parse_from_rfc3339(s).is_ok()
}

fn check_value(field: &str, kind: KeyKind, value: &Value) -> ApiResult<()> {
    let bad = |what: &str| {
        Err(ApiError::invalid(
            field,
            format!("Invalid value for \"{field}\": expected {what}."),
        ))
    };
    match kind {
        KeyKind::Number { min, max } => match value.as_f64() {
            Some(n) if n.is_finite() && n >= min && n <= max => Ok(()),
            _ if max == ANY => bad(&format!("a number ≥ {min}")),
            _ => bad(&format!("a number from {min} to {max}")),
        },
        KeyKind::Count => match value.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 && n.fract() == 0.0 => Ok(()),
            _ => bad("a non-negative integer"),
        },
        KeyKind::Flag01 => match value.as_f64() {
            Some(n) if n == 0.0 || n == 1.0 => Ok(()),
            _ => bad("0 or 1"),
        },
        KeyKind::Bool => match value {
            Value::Bool(_) => Ok(()),
            _ => bad("true or false"),
        },
        KeyKind::Version => match value.as_str() {
            Some(s)
                if s.len() <= 32
                    && s.split('.').count() == 3
                    && s.split('.')
                        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) =>
            {
                Ok(())
            }
            _ => bad("a version string \"x.y.z\""),
        },
        KeyKind::Hex32 => match value.as_str() {
            Some(s)
                if !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                Ok(())
            }
            _ => bad("a hex string of at most 32 characters"),
        },
        KeyKind::Shape64 => match value.as_str() {
            Some(s) if s.chars().count() <= 64 => Ok(()),
            _ => bad("a string of at most 64 characters"),
        },
        KeyKind::PointerTypes => match value.as_array() {
            Some(a)
                if a.len() <= 3
                    && a.iter()
                        .all(|t| matches!(t.as_str(), Some("mouse" | "touch" | "pen")))
                    && a.iter().enumerate().all(|(i, t)| !a[..i].contains(t)) =>
            {
                Ok(())
            }
            _ => bad("an array of distinct values among \"mouse\", \"touch\", \"pen\""),
        },
        KeyKind::Languages => match value.as_array() {
            Some(a)
                if a.len() <= 10
                    && a.iter()
                        .all(|t| t.as_str().is_some_and(|s| !s.is_empty() && s.len() <= 35)) =>
            {
                Ok(())
            }
            _ => bad("an array of at most 10 language tags"),
        },
        KeyKind::EmptyArray => match value.as_array() {
            Some(a) if a.is_empty() => Ok(()),
            _ => bad("an empty array"),
        },
    }
}

fn check_payload(prefix: &str, kind: EventKind, payload: &Map<String, Value>) -> ApiResult<()> {
    let size = serde_json::to_vec(payload)
        .map(|v| v.len())
        .unwrap_or(usize::MAX);
    if size > MAX_PAYLOAD_BYTES {
        return Err(ApiError::invalid(
            &format!("{prefix}.payload"),
            format!(
                "\"{prefix}.payload\" is {size} bytes; the limit is {MAX_PAYLOAD_BYTES} bytes (64 KiB)."
            ),
        ));
    }
    for (key, value) in payload {
        let field = format!("{prefix}.payload.{key}");
        if !key_allowed(kind, key) {
            return Err(ApiError::invalid(
                &field,
                format!(
                    "Payload key \"{key}\" is not allowed for event type \"{}\" (see the allow-list in docs/ingest.md).",
                    kind.as_str()
                ),
            ));
        }
        let check = key_kind(key).expect("every allowed key has a kind");
        check_value(&field, check, value)?;
    }
    Ok(())
}

/// Validates a batch. The first problem found is reported, with its field path.
pub fn validate_batch(batch: &IncomingBatch) -> ApiResult<()> {
    if batch.events.is_empty() {
        return Err(ApiError::invalid(
            "events",
            "\"events\" must contain 1 to 100 events; it is empty.",
        ));
    }
    if batch.events.len() > MAX_EVENTS {
        return Err(ApiError::invalid(
            "events",
            format!(
                "\"events\" must contain 1 to 100 events; it has {}.",
                batch.events.len()
            ),
        ));
    }
    for (i, e) in batch.events.iter().enumerate() {
        let prefix = format!("events[{i}]");
        if !valid_request_id(&e.request_id) {
            return Err(ApiError::invalid(
                &format!("{prefix}.request_id"),
                format!("\"{prefix}.request_id\" must match ^[A-Za-z0-9_-]{{1,128}}$."),
            ));
        }
        let Some(kind) = e.kind else {
            return Err(ApiError::invalid(
                &format!("{prefix}.type"),
                format!(
                    "\"{prefix}.type\" must be one of {}.",
                    EventKind::ALL
                        .map(|k| format!("\"{}\"", k.as_str()))
                        .join(", ")
                ),
            ));
        };
        if !valid_utc_timestamp(&e.received_at) {
            return Err(ApiError::invalid(
                &format!("{prefix}.received_at"),
                format!(
                    "\"{prefix}.received_at\" must be an RFC 3339 UTC timestamp such as 2026-06-14T10:00:00Z."
                ),
            ));
        }
        check_payload(&prefix, kind, &e.payload)?;
    }
    Ok(())
}

/// Whether a key's value may be `null`, meaning "not measured" (absent): number and boolean
/// keys, on every ingest path.
fn nullable(kind: KeyKind) -> bool {
    matches!(
        kind,
        KeyKind::Number { .. } | KeyKind::Count | KeyKind::Flag01 | KeyKind::Bool
    )
}

/// Drops the `null` values of number and boolean payload keys: absent, as if never sent.
/// Any other `null` stays, for [`validate_batch`] to refuse.
pub fn drop_nulls(batch: &mut IncomingBatch) {
    for e in &mut batch.events {
        e.payload
            .retain(|k, v| !(v.is_null() && key_kind(k).is_some_and(nullable)));
    }
}

/// The batch as stored: `null` number and boolean keys dropped, then checked.
pub fn prepared(mut batch: IncomingBatch) -> ApiResult<IncomingBatch> {
    drop_nulls(&mut batch);
    validate_batch(&batch)?;
    Ok(batch)
}

/// The `Idempotency-Key` header checked, with the hash of the body it guards (computed only
/// when there is a key).
pub fn idempotency(
    key: Option<&str>,
    body_hash: impl FnOnce() -> String,
) -> ApiResult<Option<(String, String)>> {
    match key {
        None => Ok(None),
        Some(k)
            if !k.is_empty()
                && k.len() <= MAX_IDEMPOTENCY_KEY
                && !k
                    .chars()
                    .any(|c| c.is_control() || c == char::REPLACEMENT_CHARACTER) =>
        {
            Ok(Some((k.to_string(), body_hash())))
        }
        Some(_) => Err(ApiError::invalid(
            "Idempotency-Key",
            "\"Idempotency-Key\" must be 1 to 255 bytes of text without control characters.",
        )),
    }
}

/// Checked events as the store takes them (with their replay fingerprints).
pub fn new_events(events: Vec<IncomingEvent>) -> Vec<NewEvent> {
    events
        .into_iter()
        .map(|e| NewEvent {
            request_id: e.request_id,
            event_type: e.kind.map(|k| k.as_str()).unwrap_or_default(),
            received_at: e.received_at,
            payload_hash: e
                .kind
                .and_then(|k| heuristics::replay_fingerprint(k, &e.payload)),
            payload: Value::Object(e.payload).to_string(),
        })
        .collect()
}

/// SHA-256 of a value's canonical JSON (every object's keys sorted).
pub fn canonical_hash(v: Value) -> String {
    hex::encode(Sha256::digest(
        serde_json::to_vec(&sorted(v)).unwrap_or_default(),
    ))
}

/// SHA-256 of the batch's canonical JSON (keys sorted): the same logical body hashes the
/// same whether it came as REST JSON or a protobuf message. `integrity` is part of it when
/// present (a batch without one hashes as before it existed).
pub fn batch_hash(batch: &IncomingBatch) -> String {
    let events: Vec<Value> = batch.events.iter().map(event_json).collect();
    let mut canonical = serde_json::json!({
        "session_token": batch.session_token,
        "events": events,
    });
    if let Some(i) = &batch.integrity {
        canonical["integrity"] = serde_json::json!({"challenge": i.challenge, "nonce": i.nonce});
    }
    canonical_hash(canonical)
}

/// The value with every object's keys in sorted order.
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> =
                m.into_iter().map(|(k, v)| (k, sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

fn event_json(e: &IncomingEvent) -> Value {
    serde_json::json!({
        "request_id": e.request_id,
        "type": e.kind.map(|k| k.as_str()),
        "received_at": e.received_at,
        "payload": e.payload,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_key_the_kinematics_model_reads_is_a_mouse_key() {
        for f in &crate::engines::kinematics::MODEL.features {
            assert!(
                key_allowed(EventKind::Mouse, &f.key)
                    || allowed_keys(EventKind::Mouse).contains(&f.key.as_str()),
                "{} is not allowed on mouse events",
                f.key
            );
        }
    }

    fn ev(kind: EventKind, payload: Value) -> IncomingEvent {
        IncomingEvent {
            request_id: "a1b2-event".into(),
            kind: Some(kind),
            received_at: "2026-06-14T10:00:00Z".into(),
            payload: payload.as_object().unwrap().clone(),
        }
    }

    fn batch(events: Vec<IncomingEvent>) -> IncomingBatch {
        IncomingBatch {
            events,
            ..Default::default()
        }
    }

    fn field_of(r: ApiResult<()>) -> String {
        let e = r.unwrap_err();
        e.details
            .iter()
            .find(|(k, _)| k == "field")
            .unwrap()
            .1
            .clone()
    }

    #[test]
    fn quickstart_mouse_payload_is_accepted() {
        validate_batch(&batch(vec![ev(
            EventKind::Mouse,
            json!({"entropy": 0.74, "samples": 128}),
        )]))
        .unwrap();
    }

    #[test]
    fn collector_payloads_are_accepted() {
        validate_batch(&batch(vec![
            ev(
                EventKind::JsProbe,
                json!({"webdriver": false, "headless": false, "plugins": [], "languages": ["en-US", "en"], "collector_version": "1.5.0"}),
            ),
            ev(EventKind::Page, json!({"page_path_hash": "9f86d081884c7d65", "page_path_shape": "/a/:id"})),
            ev(EventKind::Snapshot, json!({"mouse_entropy": 0.5, "key_events": 3, "pointer_types": ["mouse"]})),
        ]))
        .unwrap();
    }

    #[test]
    fn sdk_additions_are_accepted_where_they_belong() {
        validate_batch(&batch(vec![
            ev(EventKind::Mouse, json!({"mouse_entropy": 0.6, "path_straightness": 0.8, "trusted_ratio": 1, "overshoot_count": 2})),
            ev(EventKind::FirstInput, json!({"key_interval_mean_ms": 120.5, "key_dwell_cv": 0.3})),
            ev(EventKind::JsProbe, json!({"cdp_detected": false, "native_tampered": 0, "ua_hash": "0a1b2c"})),
            ev(EventKind::Snapshot, json!({"speed_cv": 0.9, "key_interval_cv": 0.4, "webgl_software": true})),
        ]))
        .unwrap();
        let e = ev(EventKind::Scroll, json!({"path_straightness": 0.5}));
        assert_eq!(
            field_of(validate_batch(&batch(vec![e]))),
            "events[0].payload.path_straightness"
        );
        let e = ev(EventKind::Mouse, json!({"trusted_ratio": 1.5}));
        assert_eq!(
            field_of(validate_batch(&batch(vec![e]))),
            "events[0].payload.trusted_ratio"
        );
    }

    #[test]
    fn every_violation_names_its_field() {
        let mut e = ev(EventKind::Mouse, json!({}));
        e.request_id = "bad id!".into();
        assert_eq!(
            field_of(validate_batch(&batch(vec![e]))),
            "events[0].request_id"
        );
        let mut e = ev(EventKind::Mouse, json!({}));
        e.received_at = "2026-06-14T10:00:00+02:00".into();
        assert_eq!(
            field_of(validate_batch(&batch(vec![e]))),
            "events[0].received_at"
        );
        let mut e = ev(EventKind::Mouse, json!({}));
        e.kind = None;
        assert_eq!(field_of(validate_batch(&batch(vec![e]))), "events[0].type");
        let e = ev(EventKind::Scroll, json!({"mouse_entropy": 0.2}));
        assert_eq!(
            field_of(validate_batch(&batch(vec![e]))),
            "events[0].payload.mouse_entropy"
        );
        let e = ev(EventKind::Mouse, json!({"mouse_entropy": 1.5}));
        assert_eq!(
            field_of(validate_batch(&batch(vec![e]))),
            "events[0].payload.mouse_entropy"
        );
        let e = ev(EventKind::JsProbe, json!({"plugins": ["x"]}));
        assert_eq!(
            field_of(validate_batch(&batch(vec![e]))),
            "events[0].payload.plugins"
        );
        let e = ev(EventKind::Mouse, json!({"keystrokes": "hunter2"}));
        assert_eq!(
            field_of(validate_batch(&batch(vec![e]))),
            "events[0].payload.keystrokes"
        );
        assert_eq!(field_of(validate_batch(&batch(vec![]))), "events");
        let many = (0..101).map(|_| ev(EventKind::Mouse, json!({}))).collect();
        assert_eq!(field_of(validate_batch(&batch(many))), "events");
        let big = ev(EventKind::Page, json!({"page_path_shape": "x".repeat(70)}));
        assert_eq!(
            field_of(validate_batch(&batch(vec![big]))),
            "events[0].payload.page_path_shape"
        );
    }

    #[test]
    fn timestamps_and_ids() {
        assert!(valid_utc_timestamp("2026-08-25T00:07:35.650Z"));
        assert!(!valid_utc_timestamp("2026-08-25 00:07:35Z"));
        assert!(!valid_utc_timestamp("yesterday"));
        assert!(valid_request_id(&"a".repeat(128)));
        assert!(!valid_request_id(&"a".repeat(129)));
        assert!(!valid_request_id(""));
    }

    #[test]
    fn hash_ignores_key_order_but_not_content() {
        let a = batch(vec![ev(
            EventKind::Mouse,
            json!({"entropy": 0.7, "samples": 3}),
        )]);
        let b = batch(vec![ev(
            EventKind::Mouse,
            json!({"samples": 3, "entropy": 0.7}),
        )]);
        let c = batch(vec![ev(
            EventKind::Mouse,
            json!({"samples": 4, "entropy": 0.7}),
        )]);
        assert_eq!(batch_hash(&a), batch_hash(&b));
        assert_ne!(batch_hash(&a), batch_hash(&c));
        // A proof is part of the body; its absence keeps the hash of before.
        let mut d = a.clone();
        d.integrity = Some(crate::domain::IncomingIntegrity {
            challenge: "c".into(),
            nonce: "1".into(),
        });
        assert_ne!(batch_hash(&a), batch_hash(&d));
        assert_eq!(
            batch_hash(&a),
            "c596db87b6b3857100e736e965dbb6b9db9b2c2709c48e36b3c3fc780c72170b"
        );
    }
}
