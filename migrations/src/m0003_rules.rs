use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0003_rules"
    }
}

/// Rules; plan feature overrides on accounts (null: the plan's defaults); and a per-project version that every rule write bumps: verdict reads fetch it with
/// the session in their one query and recompile a project's rules only when it changed.
const UP: &str = r#"
CREATE TABLE rules (
    id {ID},
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    name VARCHAR(200) NOT NULL,
    expression_source TEXT NOT NULL,
    action VARCHAR(16) NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    sort_order INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX rules_project ON rules(project_id, sort_order, id);
ALTER TABLE scoring ADD COLUMN rules_version BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN features TEXT NULL;
"#;

const DOWN: &str = r#"
DROP TABLE rules;
ALTER TABLE scoring DROP COLUMN rules_version;
ALTER TABLE accounts DROP COLUMN features;
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
