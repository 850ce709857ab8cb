use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_usage_shards"
    }
}

/// The month's usage counter of an account split into shards (a batch adds to the shard of
/// its session; the total is their sum). With one row per account, every ingest transaction
/// of an account waited on that row's lock until the previous one committed: on PostgreSQL
/// most concurrent ingest time was `Lock:transactionid` on it (docs/performance.md).
const UP: &str = r#"
CREATE TABLE usage_shards (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    period CHAR(7) NOT NULL,
    shard SMALLINT NOT NULL,
    events BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, period, shard)
);
INSERT INTO usage_shards (account_id, period, shard, events) SELECT account_id, period, 0, events FROM usage_counters;
DROP TABLE usage_counters
"#;

const DOWN: &str = r#"
CREATE TABLE usage_counters (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    period CHAR(7) NOT NULL,
    events BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, period)
);
INSERT INTO usage_counters (account_id, period, events) SELECT account_id, period, SUM(events) FROM usage_shards GROUP BY account_id, period;
DROP TABLE usage_shards
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
