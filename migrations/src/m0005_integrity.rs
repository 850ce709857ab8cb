use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_integrity"
    }
}

/// Proof-of-work challenges (docs/ingest.md#integrity):
/// - `server_secrets`: secrets generated at first start and shared by every process of the
///   database (the challenges' HMAC key). Written once; never served or logged.
/// - `challenge_uses`: the single-use check; one row per redeemed challenge, kept until the
///   challenge expires.
/// - `ingest_requests.integrity`: what the request's `integrity` object was (0 none, 1 valid,
///   2 malformed or tampered, 3 expired, 4 another project's, 5 another client's, 6 wrongly
///   solved, 7 already used by another session).
/// - `scoring.challenge_difficulty`: leading zero bits the project's challenges ask for.
/// - `health_probe`: one row the health check writes and reads back every few seconds.
const UP: &str = r#"
CREATE TABLE server_secrets (
    name VARCHAR(64) PRIMARY KEY,
    secret VARCHAR(128) NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE challenge_uses (
    challenge_id CHAR(32) PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
CREATE INDEX challenge_uses_expiry ON challenge_uses(expires_at);
CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL
);
ALTER TABLE ingest_requests ADD COLUMN integrity SMALLINT NOT NULL DEFAULT 0;
ALTER TABLE scoring ADD COLUMN challenge_difficulty INTEGER NOT NULL DEFAULT 18
"#;

const DOWN: &str = r#"
ALTER TABLE scoring DROP COLUMN challenge_difficulty;
ALTER TABLE ingest_requests DROP COLUMN integrity;
DROP TABLE health_probe;
DROP TABLE challenge_uses;
DROP TABLE server_secrets
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
