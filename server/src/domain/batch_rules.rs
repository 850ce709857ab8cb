//! What a stored batch's transaction decides, as pure functions: whether an earlier request
//! with the same `Idempotency-Key` is replayed, refused or expired, which session the batch
//! goes to, and whether the account is over its monthly quota. The store runs the
//! statements and asks these; it decides nothing itself.

/// How long a stored idempotent response is replayed (24 h).
pub const IDEMPOTENCY_TTL_MS: i64 = 24 * 60 * 60 * 1000;

/// What becomes of a batch whose `Idempotency-Key` was stored before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriorRequest {
    /// The same body within the window: answer the stored response, store nothing.
    Replay,
    /// Another body within the window: `422 IDEMPOTENCY_KEY_REUSED`, store nothing.
    KeyReused,
    /// Past the window: a new request under the old key.
    Expired,
}

/// The earlier request with this key was stored at `prior_at_ms` for a body hashing to
/// `prior_hash`; this one hashes to `hash` at `now_ms`.
pub fn prior_request(prior_hash: &str, prior_at_ms: i64, hash: &str, now_ms: i64) -> PriorRequest {
    if now_ms - prior_at_ms >= IDEMPOTENCY_TTL_MS {
        PriorRequest::Expired
    } else if prior_hash != hash {
        PriorRequest::KeyReused
    } else {
        PriorRequest::Replay
    }
}

/// Where a batch's session comes from, in the order they are tried: the caller's own token
/// (of this project), else the session an earlier copy of these events went to (a retry
/// without `Idempotency-Key`), else a new session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionSource {
    CallersToken,
    EarlierCopy,
    New,
}

/// The first source to try, and what to try after `current` found nothing.
pub fn next_session_source(current: Option<SessionSource>, has_token: bool) -> SessionSource {
    match current {
        None if has_token => SessionSource::CallersToken,
        None | Some(SessionSource::CallersToken) => SessionSource::EarlierCopy,
        Some(_) => SessionSource::New,
    }
}

/// The quota is soft: a batch is always stored, and flagged once the month's count (this
/// batch included) passes the account's quota. No quota: never over.
pub fn over_quota(month_events: i64, quota: Option<i64>) -> bool {
    quota.is_some_and(|q| month_events > q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_prior_request_is_replayed_refused_or_expired() {
        let day = IDEMPOTENCY_TTL_MS;
        assert_eq!(prior_request("h", 0, "h", day - 1), PriorRequest::Replay);
        assert_eq!(prior_request("h", 0, "g", day - 1), PriorRequest::KeyReused);
        assert_eq!(prior_request("h", 0, "g", day), PriorRequest::Expired);
        assert_eq!(prior_request("h", 0, "h", day), PriorRequest::Expired);
    }

    #[test]
    fn sessions_come_from_the_token_then_an_earlier_copy_then_new() {
        use SessionSource::*;
        assert_eq!(next_session_source(None, true), CallersToken);
        assert_eq!(next_session_source(None, false), EarlierCopy);
        assert_eq!(next_session_source(Some(CallersToken), true), EarlierCopy);
        assert_eq!(next_session_source(Some(EarlierCopy), true), New);
    }

    #[test]
    fn the_quota_is_passed_only_above_it() {
        assert!(!over_quota(10, Some(10)));
        assert!(over_quota(11, Some(10)));
        assert!(!over_quota(i64::MAX, None));
    }
}
