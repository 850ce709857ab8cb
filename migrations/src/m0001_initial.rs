use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0001_initial"
    }
}

const UP: &str = r#"
CREATE TABLE accounts (
    id {ID},
    name VARCHAR(200) NOT NULL,
    slug VARCHAR(200) NOT NULL UNIQUE,
    is_personal BOOLEAN NOT NULL DEFAULT FALSE,
    subscription_active BOOLEAN NOT NULL DEFAULT TRUE,
    plan VARCHAR(64) NOT NULL DEFAULT 'self-hosted',
    monthly_event_quota BIGINT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE users (
    id {ID},
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name VARCHAR(200) NOT NULL,
    email VARCHAR(320) NOT NULL UNIQUE,
    role VARCHAR(32) NOT NULL DEFAULT 'owner',
    created_at BIGINT NOT NULL
);
CREATE TABLE api_tokens (
    id {ID},
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name VARCHAR(200) NOT NULL,
    token_hash CHAR(64) NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT NULL
);
CREATE TABLE projects (
    id {ID},
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    name VARCHAR(200) NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX projects_account ON projects(account_id);
CREATE TABLE scoring (
    project_id INTEGER PRIMARY KEY REFERENCES projects(id) ON DELETE CASCADE,
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    site_key VARCHAR(80) NULL UNIQUE,
    private_key_hash CHAR(64) NULL UNIQUE,
    allow_verified BOOLEAN NOT NULL DEFAULT TRUE,
    protect_static BOOLEAN NOT NULL DEFAULT TRUE,
    block_definite BOOLEAN NOT NULL DEFAULT FALSE,
    challenge_likely BOOLEAN NOT NULL DEFAULT FALSE,
    likely_bot_threshold INTEGER NOT NULL DEFAULT 30,
    updated_at BIGINT NOT NULL
);
CREATE TABLE sessions (
    id {BIGID},
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    token VARCHAR(80) NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    revision BIGINT NOT NULL DEFAULT 0,
    scored_revision BIGINT NOT NULL DEFAULT 0,
    pending BOOLEAN NOT NULL DEFAULT FALSE,
    claimed_until BIGINT NULL,
    score INTEGER NOT NULL DEFAULT 0,
    detection_ids TEXT NOT NULL DEFAULT '[]',
    reason TEXT NOT NULL DEFAULT '',
    scored_at BIGINT NULL,
    event_count BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sessions_project ON sessions(project_id);
CREATE INDEX sessions_pending ON sessions(pending, updated_at);
CREATE TABLE events (
    id {BIGID},
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    request_id VARCHAR(128) NOT NULL,
    event_type VARCHAR(32) NOT NULL,
    received_at VARCHAR(40) NOT NULL,
    payload TEXT NOT NULL,
    ingested_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX events_request ON events(project_id, request_id);
CREATE INDEX events_session ON events(session_id, id);
CREATE TABLE idempotency_keys (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    idem_key VARCHAR(255) NOT NULL,
    body_hash CHAR(64) NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (project_id, idem_key)
);
CREATE INDEX idempotency_created ON idempotency_keys(created_at);
CREATE TABLE usage_counters (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    period CHAR(7) NOT NULL,
    events BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, period)
);
"#;

const DOWN: &str = r#"
DROP TABLE usage_counters;
DROP TABLE idempotency_keys;
DROP TABLE events;
DROP TABLE sessions;
DROP TABLE scoring;
DROP TABLE projects;
DROP TABLE api_tokens;
DROP TABLE users;
DROP TABLE accounts;
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
