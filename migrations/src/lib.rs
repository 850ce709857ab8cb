//! Botect's database schema as sea-orm-migration migrations, run by `botect serve` and
//! `botect migrate` at start-up. One portable schema for SQLite and PostgreSQL: ids are
//! integers, times are Unix milliseconds (`BIGINT`), JSON is stored as text.
pub use sea_orm_migration::prelude::*;

mod m0001_initial;
mod m0002_detection_facts;
mod m0003_rules;
mod m0004_usage_shards;
mod m0005_integrity;
mod m0006_token_use;
mod m0007_session_insights;
mod m0008_dashboard;
mod m0009_logged_in;
mod m0010_server_ingest;
mod m0011_tls_facts;

/// Every migration, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_detection_facts::Migration),
            Box::new(m0003_rules::Migration),
            Box::new(m0004_usage_shards::Migration),
            Box::new(m0005_integrity::Migration),
            Box::new(m0006_token_use::Migration),
            Box::new(m0007_session_insights::Migration),
            Box::new(m0008_dashboard::Migration),
            Box::new(m0009_logged_in::Migration),
            Box::new(m0010_server_ingest::Migration),
            Box::new(m0011_tls_facts::Migration),
        ]
    }
}

/// Runs `statements` (separated by `;` at line ends) with `{ID}` replaced by the backend's
/// auto-increment primary key and `{BIGID}` by its 64-bit form.
pub(crate) async fn run_sql(manager: &SchemaManager<'_>, sql: &str) -> Result<(), DbErr> {
    let backend = manager.get_database_backend();
    let (id, bigid) = match backend {
        sea_orm_migration::sea_orm::DbBackend::Postgres => {
            ("SERIAL PRIMARY KEY", "BIGSERIAL PRIMARY KEY")
        }
        _ => (
            "INTEGER PRIMARY KEY AUTOINCREMENT",
            "INTEGER PRIMARY KEY AUTOINCREMENT",
        ),
    };
    let sql = sql.replace("{BIGID}", bigid).replace("{ID}", id);
    let conn = manager.get_connection();
    for stmt in sql.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        conn.execute_unprepared(stmt).await?;
    }
    Ok(())
}
