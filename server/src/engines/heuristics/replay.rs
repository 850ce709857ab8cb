//! Replayed payloads: a fingerprint of measurement payloads that no two people share.
use super::*;

/// A fingerprint of a non-trivial measurement payload, or `None` for payloads that many
/// sessions legitimately share. Non-trivial: a `mouse`, `scroll`, `first_input`,
/// `visibility` or `snapshot` payload measured over at least 20 pointer moves
/// ([`signals::move_count`]) or 10 key presses (`key_events`), with at
/// least 4 fractional values (measurements, not counts): two people's windows of that size
/// never agree on every statistic. The quickstart's `{"entropy": 0.74, "samples": 128}` is
/// trivial. First 32 hex digits of SHA-256 over the type and the key-sorted JSON.
pub fn replay_fingerprint(kind: EventKind, payload: &Map<String, Value>) -> Option<String> {
    if matches!(kind, EventKind::JsProbe | EventKind::Page) {
        return None;
    }
    let count = |k: &str| payload.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    let moves = signals::move_count(payload);
    let fractional = payload
        .values()
        .filter_map(Value::as_f64)
        .filter(|n| n.fract() != 0.0)
        .count();
    if fractional < 4 || (moves < 20.0 && count("key_events") < 10.0) {
        return None;
    }
    let mut keys: Vec<&String> = payload.keys().collect();
    keys.sort();
    let mut canonical = String::from(kind.as_str());
    for k in keys {
        canonical.push('\n');
        canonical.push_str(k);
        canonical.push('=');
        canonical.push_str(&payload[k].to_string());
    }
    let mut h = hex::encode(Sha256::digest(canonical.as_bytes()));
    h.truncate(32);
    Some(h)
}
