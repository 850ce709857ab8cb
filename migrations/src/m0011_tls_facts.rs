use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_tls_facts"
    }
}

// JA4 and the client address behind trusted proxies:
// - `ingest_requests.ja4`: the JA4 of the ClientHello the batch came on (Botect's own TLS, or a
//   trusted proxy's `--ja4-header`);
// - `sessions.ja4`, `sessions.client_ip`: the latest of them (and of the page hits) for the
//   `ja4` and `ip` rule fields.
const UP: &str = r#"
ALTER TABLE ingest_requests ADD COLUMN ja4 VARCHAR(64) NULL;
ALTER TABLE sessions ADD COLUMN ja4 VARCHAR(64) NULL;
ALTER TABLE sessions ADD COLUMN client_ip VARCHAR(45) NULL
"#;

const DOWN: &str = r#"
ALTER TABLE sessions DROP COLUMN client_ip;
ALTER TABLE sessions DROP COLUMN ja4;
ALTER TABLE ingest_requests DROP COLUMN ja4
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
