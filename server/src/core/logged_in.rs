//! `POST /v1/sessions/{session_token}/logged-in`: the customer's backend asserts a signed-in
//! user for a session. Stored for rules (`logged_in`); never a score input, so it cannot make
//! a bot look human.
use super::{Core, auth, from_store, keys};
use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::store::{LoggedInOutcome, SessionAssertions, now_ms};

/// Written against [`SessionAssertions`].
impl<S: SessionAssertions> Core<S> {
    /// The assertion's time.
    pub async fn assert_logged_in(
        &self,
        key: &auth::PrivateKey,
        session_token: &str,
    ) -> ApiResult<i64> {
        let token = session_token.trim();
        if !token.starts_with(keys::SESSION_PREFIX) || token.len() > 128 {
            return Err(ApiError::new(
                ErrorCode::UnknownSession,
                "No session has this token: session tokens begin with \"sess_\".",
            ));
        }
        match from_store(
            self.store
                .assert_logged_in(&key.hash, token, now_ms())
                .await,
        )? {
            LoggedInOutcome::UnknownKey => Err(ApiError::unauthenticated(
                "Unknown or rotated private key, or scoring is not enabled.",
            )),
            LoggedInOutcome::UnknownSession => Err(ApiError::new(
                ErrorCode::UnknownSession,
                format!(
                    "This project has no session {token} yet; retry once its first batch is in."
                ),
            )),
            LoggedInOutcome::Asserted(at) => Ok(at),
        }
    }
}
