use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_session_insights"
    }
}

// What the sessions, stats and feedback APIs read:
// - `sessions.findings`: every engine's output at scoring time (JSON);
// - `session_detections`: a session's stored detection IDs, one row each with the session's
//   first-seen time, so that the list's `detection_id` filter reads its index in list order;
// - `session_feedback`: the operator's label of a session;
// - roll-ups that outlive retention: `score_hours` (scored sessions per first-seen hour and
//   score, kept exact by every score write), `detection_hours` (the same per detection ID),
//   `traffic_hours` (new sessions, events and events over quota per hour, sharded like
//   `usage_shards` so concurrent batches update different rows).
const UP: &str = r#"
ALTER TABLE sessions ADD COLUMN findings TEXT NULL;
CREATE INDEX sessions_project_seen ON sessions(project_id, created_at, id);
CREATE TABLE session_detections (
    session_id BIGINT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    detection_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, detection_id)
);
CREATE INDEX session_detections_list ON session_detections(project_id, detection_id, created_at, session_id);
CREATE TABLE session_feedback (
    session_id BIGINT PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    label VARCHAR(8) NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    user_id INTEGER NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX session_feedback_project ON session_feedback(project_id);
CREATE TABLE score_hours (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    hour BIGINT NOT NULL,
    score SMALLINT NOT NULL,
    sessions BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, hour, score)
);
CREATE TABLE detection_hours (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    hour BIGINT NOT NULL,
    detection_id BIGINT NOT NULL,
    sessions BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, hour, detection_id)
);
CREATE TABLE traffic_hours (
    project_id INTEGER NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    hour BIGINT NOT NULL,
    shard SMALLINT NOT NULL,
    sessions BIGINT NOT NULL DEFAULT 0,
    events BIGINT NOT NULL DEFAULT 0,
    over_quota_events BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, hour, shard)
)
"#;

const DOWN: &str = r#"
DROP TABLE traffic_hours;
DROP TABLE detection_hours;
DROP TABLE score_hours;
DROP TABLE session_feedback;
DROP TABLE session_detections;
DROP INDEX sessions_project_seen;
ALTER TABLE sessions DROP COLUMN findings
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
