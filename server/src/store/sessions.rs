//! A project's sessions as the control plane reads them: the filtered list, one session's
//! detail (its batches and event types), and feedback labels. The store filters on what it
//! is given (score bounds, a detection ID, a first-seen window, a cursor); bands and
//! actions are the core's.
use super::*;

/// The list's filters, as score bounds and times (Unix ms).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SessionFilter {
    pub min_score: Option<i32>,
    pub max_score: Option<i32>,
    pub detection_id: Option<u32>,
    /// First seen at or after.
    pub since: Option<i64>,
    /// First seen before.
    pub until: Option<i64>,
    /// Only sessions after this `(first seen, id)` in the list's order (newest first).
    pub after: Option<(i64, i64)>,
    pub limit: u32,
}

/// A session as listed, with what its detail adds (`features`, `findings`).
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct SessionRecord {
    pub id: i64,
    pub token: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub score: i32,
    pub detection_ids: String,
    pub reason: String,
    pub event_count: i64,
    pub batch_count: i64,
    pub ua_class: Option<String>,
    pub js_passed: Option<bool>,
    pub features: Option<String>,
    pub findings: Option<String>,
    pub label: Option<String>,
    pub logged_in: bool,
    pub ja4: Option<String>,
    pub client_ip: Option<String>,
}

/// What resolving a stored session's action needs (the scoring preview's scan).
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct StoredScore {
    pub id: i64,
    pub token: String,
    pub created_at: i64,
    pub score: i32,
    pub detection_ids: String,
    pub reason: String,
    pub js_passed: Option<bool>,
    pub features: Option<String>,
    pub logged_in: bool,
    pub ja4: Option<String>,
    pub client_ip: Option<String>,
}

/// One ingest request of a session.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct BatchRecord {
    pub created_at: i64,
    pub events: i32,
    pub ua_class: Option<String>,
    pub integrity: i16,
    pub client_ip: Option<String>,
    pub header_flags: i32,
    pub ja4: Option<String>,
}

/// Stored events of a session per ingest time and type.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct EventTypeCount {
    pub ingested_at: i64,
    pub event_type: String,
    pub n: i64,
}

#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct FeedbackRecord {
    pub label: String,
    pub comment: String,
    pub updated_at: i64,
}

/// Labelled sessions per stored score and label.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct LabelCount {
    pub score: i32,
    pub label: String,
    pub n: i64,
}

const RECORD_COLUMNS: &str = "s.id, s.token, s.created_at, s.updated_at, s.score, s.detection_ids, s.reason, \
     s.event_count, \
     (SELECT COUNT(*) FROM ingest_requests r WHERE r.session_id = s.id) AS batch_count, \
     (SELECT r.ua_class FROM ingest_requests r WHERE r.session_id = s.id ORDER BY r.created_at DESC, r.id DESC LIMIT 1) AS ua_class, \
     s.js_passed, s.features, s.findings, f.label, s.logged_in, s.ja4, s.client_ip";

const RECORD_FROM: &str = "FROM sessions s LEFT JOIN session_feedback f ON f.session_id = s.id";

/// Appends `clause` with its `?` bound to `v` as the next numbered parameter.
fn bind(sql: &mut String, vals: &mut Vec<Value>, clause: &str, v: Value) {
    vals.push(v);
    sql.push_str(&clause.replace('?', &format!("${}", vals.len())));
}

/// The list's statement and its parameters.
fn list_sql(project_id: i32, f: &SessionFilter) -> (String, Vec<Value>) {
    let mut vals = vec![param(project_id)];
    // With a detection ID the list is read from that ID's index, already in list order
    // (`d.created_at` is the session's first-seen time); otherwise from the sessions'.
    let (mut sql, seen, id) = match f.detection_id {
        Some(detection) => {
            vals.push(param(detection as i64));
            (
                format!(
                    "SELECT {RECORD_COLUMNS} FROM session_detections d JOIN sessions s ON s.id = d.session_id \
                     LEFT JOIN session_feedback f ON f.session_id = s.id WHERE d.project_id = $1 AND d.detection_id = $2"
                ),
                "d.created_at",
                "d.session_id",
            )
        }
        None => (
            format!("SELECT {RECORD_COLUMNS} {RECORD_FROM} WHERE s.project_id = $1"),
            "s.created_at",
            "s.id",
        ),
    };
    if let Some(min) = f.min_score {
        bind(&mut sql, &mut vals, " AND s.score >= ?", param(min));
    }
    if let Some(max) = f.max_score {
        bind(&mut sql, &mut vals, " AND s.score <= ?", param(max));
    }
    if let Some(since) = f.since {
        bind(
            &mut sql,
            &mut vals,
            &format!(" AND {seen} >= ?"),
            param(since),
        );
    }
    if let Some(until) = f.until {
        bind(
            &mut sql,
            &mut vals,
            &format!(" AND {seen} < ?"),
            param(until),
        );
    }
    if let Some((at, after_id)) = f.after {
        vals.push(param(at));
        let a = vals.len();
        vals.push(param(after_id));
        let b = vals.len();
        sql.push_str(&format!(
            " AND ({seen} < ${a} OR ({seen} = ${a} AND {id} < ${b}))"
        ));
    }
    bind(
        &mut sql,
        &mut vals,
        &format!(" ORDER BY {seen} DESC, {id} DESC LIMIT ?"),
        param(f.limit.max(1) as i64),
    );
    (sql, vals)
}

impl SessionReads for Store {
    async fn sessions(
        &self,
        project_id: i32,
        filter: &SessionFilter,
    ) -> Result<Vec<SessionRecord>, DbErr> {
        let (sql, vals) = list_sql(project_id, filter);
        self.all(&sql, vals).await
    }

    async fn stored_scores(
        &self,
        project_id: i32,
        since: i64,
        until: i64,
        after: Option<(i64, i64)>,
        limit: u32,
    ) -> Result<Vec<StoredScore>, DbErr> {
        let (at, id) = after.unwrap_or((i64::MAX, i64::MAX));
        self.all(
            "SELECT id, token, created_at, score, detection_ids, reason, js_passed, features, logged_in, ja4, client_ip FROM sessions \
             WHERE project_id = $1 AND created_at >= $2 AND created_at < $3 \
             AND (created_at < $4 OR (created_at = $4 AND id < $5)) \
             ORDER BY created_at DESC, id DESC LIMIT $6",
            vec![
                param(project_id),
                param(since),
                param(until),
                param(at),
                param(id),
                param(limit as i64),
            ],
        )
        .await
    }

    async fn session_record(
        &self,
        project_id: i32,
        token: &str,
    ) -> Result<Option<SessionRecord>, DbErr> {
        self.one(
            &format!(
                "SELECT {RECORD_COLUMNS} {RECORD_FROM} WHERE s.project_id = $1 AND s.token = $2"
            ),
            vec![param(project_id), param(token)],
        )
        .await
    }

    async fn session_batches(
        &self,
        session_id: i64,
        limit: u32,
    ) -> Result<Vec<BatchRecord>, DbErr> {
        self.all(
            "SELECT created_at, events, ua_class, integrity, client_ip, header_flags, ja4 FROM ingest_requests \
             WHERE session_id = $1 ORDER BY created_at, id LIMIT $2",
            vec![param(session_id), param(limit as i64)],
        )
        .await
    }

    async fn latest_batch(&self, session_id: i64) -> Result<Option<BatchRecord>, DbErr> {
        self.one(
            "SELECT created_at, events, ua_class, integrity, client_ip, header_flags, ja4 FROM ingest_requests \
             WHERE session_id = $1 ORDER BY created_at DESC, id DESC LIMIT 1",
            vec![param(session_id)],
        )
        .await
    }

    async fn session_event_types(&self, session_id: i64) -> Result<Vec<EventTypeCount>, DbErr> {
        self.all(
            "SELECT ingested_at, event_type, CAST(COUNT(*) AS BIGINT) AS n FROM events WHERE session_id = $1 \
             GROUP BY ingested_at, event_type ORDER BY ingested_at, event_type",
            vec![param(session_id)],
        )
        .await
    }

    async fn set_feedback(
        &self,
        project_id: i32,
        session_id: i64,
        user_id: i32,
        label: &str,
        comment: &str,
    ) -> Result<FeedbackRecord, DbErr> {
        let now = now_ms();
        self.exec_as(
            Touched::Nothing,
            "INSERT INTO session_feedback (session_id, project_id, label, comment, user_id, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (session_id) DO UPDATE SET label = excluded.label, \
             comment = excluded.comment, user_id = excluded.user_id, updated_at = excluded.updated_at",
            vec![
                param(session_id),
                param(project_id),
                param(label),
                param(comment),
                param(user_id),
                param(now),
            ],
        )
        .await?;
        Ok(FeedbackRecord {
            label: label.to_string(),
            comment: comment.to_string(),
            updated_at: now,
        })
    }

    async fn feedback(&self, session_id: i64) -> Result<Option<FeedbackRecord>, DbErr> {
        self.one(
            "SELECT label, comment, updated_at FROM session_feedback WHERE session_id = $1",
            vec![param(session_id)],
        )
        .await
    }

    async fn label_counts(&self, project_id: i32) -> Result<Vec<LabelCount>, DbErr> {
        self.all(
            "SELECT s.score, f.label, CAST(COUNT(*) AS BIGINT) AS n FROM session_feedback f \
             JOIN sessions s ON s.id = f.session_id WHERE f.project_id = $1 GROUP BY s.score, f.label",
            vec![param(project_id)],
        )
        .await
    }
}

/// Retention's delete: one statement; the foreign keys' cascades delete the sessions' events,
/// ingest requests, detections, labels and challenge redemptions. The outer `updated_at` test
/// is re-checked on rows a concurrent batch touched meanwhile (PostgreSQL), so a session that
/// just came back is kept.
const PURGE_SQL: &str = "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE pending = $1 AND updated_at < $2 \
     ORDER BY pending, updated_at LIMIT $3) AND updated_at < $2";

impl RetentionWrites for Store {
    /// On a SQLite file the delete runs on the writer thread, queued with ingest's batches:
    /// a batch then waits for at most one purge transaction, never in SQLite's busy handler.
    async fn purge_sessions(&self, cutoff: i64, limit: u32) -> Result<u64, DbErr> {
        let vals = vec![param(false), param(cutoff), param(limit as i64)];
        if let Some(writer) = self.sqlite_writer() {
            let n = writer
                .submit(move |tx| {
                    futures::executor::block_on(tx.exec(PURGE_SQL, vals.clone())).map(|n| (n, true))
                })
                .await?;
            self.touched(&Touched::Everything);
            return Ok(n);
        }
        self.exec_as(Touched::Everything, PURGE_SQL, vals).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_and_filters_are_numbered_in_order() {
        let (sql, vals) = list_sql(
            3,
            &SessionFilter {
                min_score: Some(2),
                detection_id: Some(7),
                after: Some((100, 9)),
                limit: 50,
                ..SessionFilter::default()
            },
        );
        assert!(sql.contains("d.detection_id = $2"), "{sql}");
        assert!(sql.contains("s.score >= $3"), "{sql}");
        assert!(
            sql.contains("(d.created_at < $4 OR (d.created_at = $4 AND d.session_id < $5))"),
            "{sql}"
        );
        assert!(sql.ends_with("LIMIT $6"), "{sql}");
        assert_eq!(vals.len(), 6);
    }
}
