use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_dashboard"
    }
}

// Dashboard sign-in: a user's Argon2id password hash (PHC string); server-side, revocable
// sessions stored as the SHA-256 of their cookie; failed sign-ins per subject (`email:…`,
// `addr:…`) for the slow-down.
const UP: &str = r#"
ALTER TABLE users ADD COLUMN password_hash TEXT NULL;
CREATE TABLE dashboard_sessions (
    id {BIGID},
    token_hash CHAR(64) NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NULL
);
CREATE INDEX dashboard_sessions_user ON dashboard_sessions(user_id);
CREATE TABLE signin_failures (
    subject VARCHAR(400) PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failed_at BIGINT NOT NULL
)
"#;

const DOWN: &str = r#"
DROP TABLE signin_failures;
DROP TABLE dashboard_sessions;
ALTER TABLE users DROP COLUMN password_hash
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::run_sql(manager, DOWN).await
    }
}
