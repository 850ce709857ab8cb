use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_logged_in"
    }
}

// The customer's backend asserts a signed-in user for a session
// (`POST /v1/sessions/{session_token}/logged-in`): a rule field, never a score input.
const UP: &str = r#"
ALTER TABLE sessions ADD COLUMN logged_in BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE sessions ADD COLUMN logged_in_at BIGINT NULL
"#;

const DOWN: &str = r#"
ALTER TABLE sessions DROP COLUMN logged_in_at;
ALTER TABLE sessions DROP COLUMN logged_in
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
