use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_server_ingest"
    }
}

// Server-side ingest (`/v1/server/page-hits`, `/v1/server/events`, private key):
// - `page_hits`: what the customer's backend observed of each page view of a session (header
//   names, languages, address, JA4; the path only as the backend's HMAC), one row per
//   `page_id` of the project (a retried report is a duplicate, not a second hit);
// - `ingest_requests.channel`: how a batch arrived (0 the browser itself, 1 relayed by the
//   customer's backend), so that the engines never read the backend's own user agent or
//   headers as the browser's.
const UP: &str = r#"
CREATE TABLE page_hits (
    id {BIGID},
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    page_id CHAR(32) NOT NULL,
    occurred_at BIGINT NOT NULL,
    method VARCHAR(8) NOT NULL,
    path_hash CHAR(64) NOT NULL,
    header_names TEXT NOT NULL,
    languages TEXT NOT NULL,
    had_session_cookie BOOLEAN NULL,
    duration_ms BIGINT NULL,
    ja4 VARCHAR(64) NULL,
    observed_ip VARCHAR(45) NULL,
    observed_ip_source VARCHAR(8) NULL,
    observed_ip_inferred BOOLEAN NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX page_hits_page ON page_hits(project_id, page_id);
CREATE INDEX page_hits_session ON page_hits(session_id, id);
CREATE INDEX page_hits_project_time ON page_hits(project_id, created_at);
ALTER TABLE ingest_requests ADD COLUMN channel SMALLINT NOT NULL DEFAULT 0
"#;

const DOWN: &str = r#"
ALTER TABLE ingest_requests DROP COLUMN channel;
DROP TABLE page_hits
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
