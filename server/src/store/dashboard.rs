//! Dashboard sign-in: password hashes, server-side sessions (stored as the SHA-256 of their
//! cookie) and failed sign-ins per subject. The store keeps what the core hands it; hashing,
//! the slow-down and the session lifetime are the core's.
use super::*;

/// A user's sign-in facts.
#[derive(Debug, Clone, FromQueryResult)]
pub struct PasswordRow {
    pub user_id: i32,
    pub password_hash: Option<String>,
}

/// The user and account behind an unrevoked, unexpired dashboard session.
#[derive(Debug, Clone, FromQueryResult)]
pub struct DashboardPrincipalRow {
    pub session_id: i64,
    pub user_id: i32,
    pub account_id: i32,
    pub role: String,
    pub subscription_active: bool,
    pub plan: String,
    pub features: Option<String>,
    pub token_hash: String,
    pub expires_at: i64,
}

impl DashboardStore for Store {
    async fn password_of(&self, email: &str) -> Result<Option<PasswordRow>, DbErr> {
        self.one(
            "SELECT id AS user_id, password_hash FROM users WHERE email = $1",
            vec![param(email.to_lowercase())],
        )
        .await
    }

    async fn password_by_id(&self, user_id: i32) -> Result<Option<PasswordRow>, DbErr> {
        self.one(
            "SELECT id AS user_id, password_hash FROM users WHERE id = $1",
            vec![param(user_id)],
        )
        .await
    }

    async fn set_password(&self, user_id: i32, hash: &str) -> Result<bool, DbErr> {
        Ok(self
            .exec_as(
                Touched::Nothing,
                "UPDATE users SET password_hash = $1 WHERE id = $2",
                vec![param(hash), param(user_id)],
            )
            .await?
            > 0)
    }

    async fn create_dashboard_session(
        &self,
        user_id: i32,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<(), DbErr> {
        self.exec_as(
            Touched::Nothing,
            "INSERT INTO dashboard_sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
            vec![param(token_hash), param(user_id), param(now_ms()), param(expires_at)],
        )
        .await
        .map(drop)
    }

    async fn revoke_dashboard_sessions(
        &self,
        user_id: i32,
        except_session: Option<i64>,
    ) -> Result<u64, DbErr> {
        self.exec_as(
            Touched::Nothing,
            "UPDATE dashboard_sessions SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL AND id <> $3",
            vec![param(now_ms()), param(user_id), param(except_session.unwrap_or(-1))],
        )
        .await
    }

    async fn revoke_dashboard_session(&self, session_id: i64) -> Result<(), DbErr> {
        self.exec_as(
            Touched::Nothing,
            "UPDATE dashboard_sessions SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            vec![param(now_ms()), param(session_id)],
        )
        .await
        .map(drop)
    }

    async fn signin_failures(&self, subject: &str) -> Result<Option<(i32, i64)>, DbErr> {
        self.read_one(
            "SELECT failures, last_failed_at FROM signin_failures WHERE subject = $1",
            vec![param(subject)],
        )
        .await
    }

    async fn record_signin_failure(
        &self,
        subject: &str,
        failures: i32,
        at: i64,
    ) -> Result<(), DbErr> {
        self.exec_as(
            Touched::Nothing,
            "INSERT INTO signin_failures (subject, failures, last_failed_at) VALUES ($1, $2, $3) \
             ON CONFLICT (subject) DO UPDATE SET failures = excluded.failures, last_failed_at = excluded.last_failed_at",
            vec![param(subject), param(failures), param(at)],
        )
        .await
        .map(drop)
    }

    async fn clear_signin_failures(&self, subject: &str) -> Result<(), DbErr> {
        self.exec_as(
            Touched::Nothing,
            "DELETE FROM signin_failures WHERE subject = $1",
            vec![param(subject)],
        )
        .await
        .map(drop)
    }
}
