//! Facts the scoring engines need beyond the events themselves: one row per ingest request
//! (client IP, user-agent hash and class, header-shape flags), a replay fingerprint per
//! event, and what scoring derived for rules (`js_passed`, behavioral `features`).
use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0002_detection_facts"
    }
}

const UP: &str = r#"
CREATE TABLE ingest_requests (
    id {BIGID},
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    client_ip VARCHAR(45) NULL,
    ua_hash CHAR(32) NULL,
    ua_class VARCHAR(64) NULL,
    header_flags INTEGER NOT NULL DEFAULT 0,
    events INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX ingest_requests_session ON ingest_requests(session_id, created_at);
CREATE INDEX ingest_requests_ip ON ingest_requests(project_id, client_ip, created_at);
ALTER TABLE events ADD COLUMN payload_hash CHAR(32) NULL;
CREATE INDEX events_payload_hash ON events(project_id, payload_hash);
ALTER TABLE sessions ADD COLUMN js_passed BOOLEAN NULL;
ALTER TABLE sessions ADD COLUMN features TEXT NULL
"#;

const DOWN: &str = r#"
ALTER TABLE sessions DROP COLUMN features;
ALTER TABLE sessions DROP COLUMN js_passed;
DROP INDEX events_payload_hash;
ALTER TABLE events DROP COLUMN payload_hash;
DROP TABLE ingest_requests
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
