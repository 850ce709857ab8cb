use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_token_use"
    }
}

// When an account API token last authenticated a request (written at most once a minute
// per token, so the auth path stays read-only almost always).
const UP: &str = r#"
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT NULL;
CREATE INDEX api_tokens_user ON api_tokens(user_id, revoked_at)
"#;

const DOWN: &str = r#"
DROP INDEX api_tokens_user;
ALTER TABLE api_tokens DROP COLUMN last_used_at
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
