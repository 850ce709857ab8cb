//! The dashboard's sign-in: passwords (Argon2id), server-side revocable sessions in an
//! `HttpOnly`, `SameSite=Strict` cookie, a CSRF token derived from the session, and the
//! slow-down of repeated failures per account and per address. A session is the fourth
//! credential: it works for control-plane methods only, and only from the dashboard's own
//! origin.
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use rand::TryRngCore;

use super::{Core, from_store, keys, records};
use crate::domain::{DashboardCredential, User};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::store::{
    AccountReads, DashboardPrincipalRow, DashboardStore, TokenAuth, TokenPrincipal, now_ms,
};

/// The session cookie's name.
pub const COOKIE: &str = "botect_dashboard";
/// How long a session lasts from sign-in.
pub const SESSION_TTL_MS: i64 = 12 * 3_600_000;
/// Password length bounds, in characters.
pub const MIN_PASSWORD: usize = 10;
pub const MAX_PASSWORD: usize = 1024;
/// Failed sign-ins per subject that cost nothing; each further one doubles the wait.
pub const FREE_FAILURES: i32 = 5;
/// The longest wait between attempts.
pub const MAX_WAIT_S: u64 = 900;
/// Failures older than this are forgotten.
pub const FAILURE_WINDOW_MS: i64 = 3_600_000;

/// A signed-in session as the dashboard sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardSession {
    /// The cookie's value (only at sign-in; never stored).
    pub cookie: Option<String>,
    /// For `X-Botect-CSRF` on every mutating call.
    pub csrf_token: String,
    pub user: User,
    pub account_id: i32,
    pub expires_at_ms: i64,
}

/// The Argon2id PHC string of a password, with a fresh 16-byte salt from the OS CSPRNG.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rngs::OsRng
        .try_fill_bytes(&mut salt)
        .expect("the OS random number generator failed");
    let salt = SaltString::encode_b64(&salt).expect("16 bytes encode");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("Argon2id with default parameters")
        .to_string()
}

/// Whether `password` matches the PHC string (any unreadable hash: no).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A hash to verify against when the user does not exist, so that a wrong email costs the
/// same time as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password that nobody has"))
}

/// Argon2 off the async threads.
async fn verify_blocking(password: String, phc: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = phc.is_some();
        let phc = phc.unwrap_or_else(|| decoy_hash().to_string());
        verify_password(&password, &phc) && known
    })
    .await
    .unwrap_or(false)
}

/// A new password's checks.
pub fn check_new_password(password: &str, field: &str) -> ApiResult<()> {
    let n = password.chars().count();
    if !(MIN_PASSWORD..=MAX_PASSWORD).contains(&n) {
        return Err(ApiError::invalid(
            field,
            format!("\"{field}\" must be {MIN_PASSWORD} to {MAX_PASSWORD} characters."),
        ));
    }
    Ok(())
}

/// The CSRF token of a session: derived from the cookie, so nothing more is stored and a page
/// of another site (which cannot read the cookie) cannot know it.
pub fn csrf_token(cookie: &str) -> String {
    keys::hash_secret(&format!("botect-dashboard-csrf:{cookie}"))
}

/// Seconds to wait before the next attempt of a subject with `failures` failures, the last at
/// `last`; `None`: it may try now.
pub fn wait_for(failures: i32, last: i64, now: i64) -> Option<u64> {
    if now - last >= FAILURE_WINDOW_MS || failures < FREE_FAILURES {
        return None;
    }
    let wait_ms = (1000u64 << (failures - FREE_FAILURES).min(20)).min(MAX_WAIT_S * 1000) as i64;
    let left = last + wait_ms - now;
    (left > 0).then(|| (left as u64).div_ceil(1000))
}

fn wrong() -> ApiError {
    ApiError::unauthenticated("Wrong email or password.")
}

fn principal(row: &DashboardPrincipalRow) -> TokenPrincipal {
    TokenPrincipal {
        // Not a token: there is no token use to record (only `account_token` records one).
        token_id: 0,
        user_id: row.user_id,
        account_id: row.account_id,
        role: row.role.clone(),
        subscription_active: row.subscription_active,
        token_hash: String::new(),
        plan: row.plan.clone(),
        features: row.features.clone(),
        last_used_at: None,
    }
}

/// Written against [`TokenAuth`]: the session behind a dashboard credential.
impl<S: TokenAuth> Core<S> {
    /// The session of `d`: from the dashboard's own origin, unrevoked and unexpired, and
    /// (for a `mutating` call) with its CSRF token.
    pub(super) async fn dashboard_session_of(
        &self,
        d: &DashboardCredential,
        mutating: bool,
    ) -> ApiResult<DashboardPrincipalRow> {
        if !d.same_origin {
            return Err(ApiError::unauthenticated(
                "The dashboard session works only from the dashboard's own pages; use an account API token (\"Authorization: Bearer <token>\") elsewhere.",
            ));
        }
        if !keys::plausible_secret(&d.session) {
            return Err(ApiError::unauthenticated(
                "The dashboard session has ended; sign in again.",
            ));
        }
        let hash = keys::hash_secret(&d.session);
        let Some(row) = from_store(self.store.dashboard_principal(&hash, now_ms()).await)?
            .filter(|r| keys::hashes_match(&r.token_hash, &hash))
        else {
            return Err(ApiError::unauthenticated(
                "The dashboard session has ended; sign in again.",
            ));
        };
        if mutating {
            let expected = csrf_token(&d.session);
            let sent = d.csrf.as_deref().unwrap_or_default();
            if !keys::hashes_match(sent, &expected) {
                return Err(ApiError::forbidden(
                    "Missing or wrong CSRF token: send the session's csrf_token as \"X-Botect-CSRF\".",
                )
                .with_detail("field", "X-Botect-CSRF"));
            }
        }
        Ok(row)
    }

    /// The control-plane principal of a dashboard session.
    pub(super) async fn dashboard_principal(
        &self,
        d: &DashboardCredential,
        mutating: bool,
    ) -> ApiResult<TokenPrincipal> {
        Ok(principal(&self.dashboard_session_of(d, mutating).await?))
    }
}

/// Sign-in, sign-out and password changes: written against [`DashboardStore`].
impl<S: TokenAuth + DashboardStore + AccountReads> Core<S> {
    async fn throttled(&self, subjects: &[String], now: i64) -> ApiResult<()> {
        for s in subjects {
            if let Some((failures, last)) = from_store(self.store.signin_failures(s).await)?
                && let Some(wait) = wait_for(failures, last, now)
            {
                let mut e = ApiError::new(
                    ErrorCode::RateLimited,
                    format!("Too many failed sign-ins; try again in {wait} s."),
                );
                e.retry_after = Some(wait);
                return Err(e);
            }
        }
        Ok(())
    }

    async fn record_failure(&self, subjects: &[String], now: i64) -> ApiResult<()> {
        for s in subjects {
            let before = from_store(self.store.signin_failures(s).await)?
                .filter(|(_, last)| now - last < FAILURE_WINDOW_MS)
                .map_or(0, |(f, _)| f);
            from_store(
                self.store
                    .record_signin_failure(s, before.saturating_add(1), now)
                    .await,
            )?;
        }
        Ok(())
    }

    async fn session_view(
        &self,
        row: &DashboardPrincipalRow,
        cookie: &str,
        fresh: bool,
    ) -> ApiResult<DashboardSession> {
        let user = from_store(self.store.user(row.user_id).await)?
            .map(records::user)
            .ok_or_else(|| ApiError::unauthenticated("The user no longer exists."))?;
        Ok(DashboardSession {
            cookie: fresh.then(|| cookie.to_string()),
            csrf_token: csrf_token(cookie),
            user,
            account_id: row.account_id,
            expires_at_ms: row.expires_at,
        })
    }

    /// Signs in with email and password from `address_prefix`'s network. A wrong email and
    /// a wrong password answer alike; repeated failures of the email or of the network are
    /// slowed down (`429 RATE_LIMITED` with `retry_after`).
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        address_prefix: &str,
    ) -> ApiResult<DashboardSession> {
        let email = email.trim().to_lowercase();
        if email.is_empty() || email.len() > 320 {
            return Err(ApiError::invalid("email", "\"email\" is required."));
        }
        if password.is_empty() || password.chars().count() > MAX_PASSWORD {
            return Err(ApiError::invalid("password", "\"password\" is required."));
        }
        let now = now_ms();
        let subjects = [format!("email:{email}"), format!("addr:{address_prefix}")];
        self.throttled(&subjects, now).await?;
        let found = from_store(self.store.password_of(&email).await)?;
        let phc = found.as_ref().and_then(|r| r.password_hash.clone());
        if !verify_blocking(password.to_string(), phc).await {
            self.record_failure(&subjects, now).await?;
            return Err(wrong());
        }
        let user_id = found.map(|r| r.user_id).ok_or_else(wrong)?;
        from_store(self.store.clear_signin_failures(&subjects[0]).await)?;
        let cookie = keys::new_account_token();
        from_store(
            self.store
                .create_dashboard_session(
                    user_id,
                    &keys::hash_secret(&cookie),
                    now + SESSION_TTL_MS,
                )
                .await,
        )?;
        let row = from_store(
            self.store
                .dashboard_principal(&keys::hash_secret(&cookie), now)
                .await,
        )?
        .ok_or_else(|| ApiError::internal("the new session could not be read back"))?;
        self.session_view(&row, &cookie, true).await
    }

    /// The signed-in session (with its CSRF token, for a reloaded page).
    pub async fn current_session(&self, d: &DashboardCredential) -> ApiResult<DashboardSession> {
        let row = self.dashboard_session_of(d, false).await?;
        self.session_view(&row, &d.session, false).await
    }

    /// Ends the session at once, on every process.
    pub async fn sign_out(&self, d: &DashboardCredential) -> ApiResult<()> {
        let row = self.dashboard_session_of(d, true).await?;
        from_store(self.store.revoke_dashboard_session(row.session_id).await)
    }

    /// Changes the signed-in user's password; their other sessions end.
    pub async fn change_password(
        &self,
        d: &DashboardCredential,
        current: &str,
        new: &str,
    ) -> ApiResult<()> {
        let row = self.dashboard_session_of(d, true).await?;
        check_new_password(new, "new_password")?;
        let stored =
            from_store(self.store.password_by_id(row.user_id).await)?.and_then(|r| r.password_hash);
        if !verify_blocking(current.to_string(), stored).await {
            return Err(ApiError::invalid(
                "current_password",
                "\"current_password\" is not your current password.",
            ));
        }
        let hash = tokio::task::spawn_blocking({
            let new = new.to_string();
            move || hash_password(&new)
        })
        .await
        .map_err(|e| ApiError::internal(format!("password hashing failed: {e}")))?;
        from_store(self.store.set_password(row.user_id, &hash).await)?;
        from_store(
            self.store
                .revoke_dashboard_sessions(row.user_id, Some(row.session_id))
                .await,
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_argon2id_and_verify() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterY", &h));
        assert!(!verify_password("x", "not a phc string"));
        assert_ne!(h, hash_password("correct horse battery"), "salted");
    }

    #[test]
    fn failures_slow_down_exponentially_and_are_forgotten() {
        let now = 10_000_000;
        assert_eq!(wait_for(4, now, now), None);
        assert_eq!(wait_for(5, now, now), Some(1));
        assert_eq!(wait_for(7, now, now), Some(4));
        assert_eq!(wait_for(7, now - 4_000, now), None);
        assert_eq!(wait_for(40, now, now), Some(MAX_WAIT_S));
        assert_eq!(wait_for(40, now - FAILURE_WINDOW_MS, now), None);
    }

    #[test]
    fn the_csrf_token_is_the_sessions_and_no_other() {
        assert_eq!(csrf_token("a"), csrf_token("a"));
        assert_ne!(csrf_token("a"), csrf_token("b"));
        assert_ne!(csrf_token("a"), keys::hash_secret("a"));
    }
}
