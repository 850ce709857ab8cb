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

/// Where a write's session comes from, in the order they are tried: the caller's own token
/// (of this project); then, for a token the caller may choose (the customer's backend
/// adopts its own tokens), a new session under that token, or (when a concurrent write just
/// adopted it) the session it made; otherwise the session an earlier copy of these events
/// went to (a retry without `Idempotency-Key`), else a new session under a fresh token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionSource {
    CallersToken,
    Adopt,
    AdoptedMeanwhile,
    EarlierCopy,
    New,
}

/// The first source to try, and what to try after `current` found nothing. `None`: no
/// source is left (a token to adopt that another project holds).
pub fn next_session_source(
    current: Option<SessionSource>,
    has_token: bool,
    adopt: bool,
) -> Option<SessionSource> {
    use SessionSource::*;
    match current {
        None if has_token => Some(CallersToken),
        Some(CallersToken) if adopt => Some(Adopt),
        Some(Adopt) => Some(AdoptedMeanwhile),
        Some(AdoptedMeanwhile) => None,
        None | Some(CallersToken) => Some(EarlierCopy),
        Some(EarlierCopy) => Some(New),
        Some(New) => None,
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
        let order = |has_token, adopt| {
            let mut out = Vec::new();
            let mut at = None;
            while let Some(next) = next_session_source(at, has_token, adopt) {
                out.push(next);
                at = Some(next);
            }
            out
        };
        // The browser's batch: its token if this project's, else a session of the server's
        // choosing.
        assert_eq!(order(true, false), [CallersToken, EarlierCopy, New]);
        assert_eq!(order(false, false), [EarlierCopy, New]);
        // The backend's own token: found or adopted, never replaced by another.
        assert_eq!(order(true, true), [CallersToken, Adopt, AdoptedMeanwhile]);
    }

    #[test]
    fn the_quota_is_passed_only_above_it() {
        assert!(!over_quota(10, Some(10)));
        assert!(over_quota(11, Some(10)));
        assert!(!over_quota(i64::MAX, None));
    }
}
