//! Roll-ups that outlive retention: scored sessions per first-seen hour and score
//! (`score_hours`), per detection ID (`detection_hours`), and traffic per hour
//! (`traffic_hours`). Score writes keep the first two exact (a rescored session moves from
//! its old score and IDs to its new ones); ingest adds to the third.
use std::collections::BTreeMap;

use super::*;

/// One hour in Unix ms.
pub const HOUR_MS: i64 = 3_600_000;

/// The start of the hour `ms` falls in.
pub fn hour_of(ms: i64) -> i64 {
    ms - ms.rem_euclid(HOUR_MS)
}

/// Shards of a project's hourly traffic row (concurrent batches update different rows).
pub(super) const TRAFFIC_SHARDS: i64 = 8;

/// Changes to the score and detection roll-ups of one commit, applied in key order (two
/// PostgreSQL transactions then never lock the same rows in opposite orders).
#[derive(Default)]
pub(super) struct RollupDeltas {
    scores: BTreeMap<(i32, i64, i32), i64>,
    detections: BTreeMap<(i32, i64, u32), i64>,
}

impl RollupDeltas {
    /// A session of `project` first seen at `created_at` moves from `before` (score 0: not
    /// scored yet) to `after`.
    pub(super) fn moved(
        &mut self,
        project: i32,
        created_at: i64,
        before: (i32, &[u32]),
        after: (i32, &[u32]),
    ) {
        let hour = hour_of(created_at);
        for (score, ids, n) in [(before.0, before.1, -1), (after.0, after.1, 1)] {
            if score <= 0 {
                continue;
            }
            *self.scores.entry((project, hour, score)).or_default() += n;
            for id in ids {
                *self.detections.entry((project, hour, *id)).or_default() += n;
            }
        }
    }

    pub(super) async fn apply(&self, tx: &impl Tx) -> Result<(), DbErr> {
        for ((project, hour, score), n) in self.scores.iter().filter(|(_, n)| **n != 0) {
            tx.exec(
                "INSERT INTO score_hours (project_id, hour, score, sessions) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (project_id, hour, score) DO UPDATE SET sessions = score_hours.sessions + excluded.sessions",
                vec![param(*project), param(*hour), param(*score as i16), param(*n)],
            )
            .await?;
        }
        for ((project, hour, id), n) in self.detections.iter().filter(|(_, n)| **n != 0) {
            tx.exec(
                "INSERT INTO detection_hours (project_id, hour, detection_id, sessions) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (project_id, hour, detection_id) DO UPDATE SET sessions = detection_hours.sessions + excluded.sessions",
                vec![param(*project), param(*hour), param(*id as i64), param(*n)],
            )
            .await?;
        }
        Ok(())
    }
}

/// What one stored batch adds to its project's hour.
pub(super) async fn add_traffic(
    tx: &impl Tx,
    project: i32,
    session_id: i64,
    at: i64,
    new_session: bool,
    events: u32,
    over_quota: bool,
) -> Result<(), DbErr> {
    if events == 0 && !new_session {
        return Ok(());
    }
    let over = if over_quota { events as i64 } else { 0 };
    tx.exec(
        "INSERT INTO traffic_hours (project_id, hour, shard, sessions, events, over_quota_events) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (project_id, hour, shard) DO UPDATE SET sessions = traffic_hours.sessions + excluded.sessions, \
         events = traffic_hours.events + excluded.events, over_quota_events = traffic_hours.over_quota_events + excluded.over_quota_events",
        vec![
            param(project),
            param(hour_of(at)),
            param(session_id.rem_euclid(TRAFFIC_SHARDS) as i16),
            param(i64::from(new_session)),
            param(events as i64),
            param(over),
        ],
    )
    .await
    .map(drop)
}

/// Scored sessions of one hour and score.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct ScoreHour {
    pub hour: i64,
    pub score: i32,
    pub sessions: i64,
}

/// One hour's traffic.
#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct TrafficHour {
    pub hour: i64,
    pub sessions: i64,
    pub events: i64,
    pub over_quota_events: i64,
}

#[derive(Debug, Clone, PartialEq, FromQueryResult)]
pub struct DetectionTotal {
    pub detection_id: i64,
    pub sessions: i64,
}

impl StatsReads for Store {
    async fn score_hours(
        &self,
        project_id: i32,
        from: i64,
        to: i64,
    ) -> Result<Vec<ScoreHour>, DbErr> {
        self.all(
            "SELECT hour, CAST(score AS INTEGER) AS score, CAST(SUM(sessions) AS BIGINT) AS sessions FROM score_hours \
             WHERE project_id = $1 AND hour >= $2 AND hour < $3 GROUP BY hour, score",
            vec![param(project_id), param(from), param(to)],
        )
        .await
    }

    async fn traffic_hours(
        &self,
        project_id: i32,
        from: i64,
        to: i64,
    ) -> Result<Vec<TrafficHour>, DbErr> {
        self.all(
            "SELECT hour, CAST(SUM(sessions) AS BIGINT) AS sessions, CAST(SUM(events) AS BIGINT) AS events, \
             CAST(SUM(over_quota_events) AS BIGINT) AS over_quota_events FROM traffic_hours \
             WHERE project_id = $1 AND hour >= $2 AND hour < $3 GROUP BY hour",
            vec![param(project_id), param(from), param(to)],
        )
        .await
    }

    async fn top_detections(
        &self,
        project_id: i32,
        from: i64,
        to: i64,
        limit: u32,
    ) -> Result<Vec<DetectionTotal>, DbErr> {
        self.all(
            "SELECT detection_id, CAST(SUM(sessions) AS BIGINT) AS sessions FROM detection_hours \
             WHERE project_id = $1 AND hour >= $2 AND hour < $3 GROUP BY detection_id \
             HAVING SUM(sessions) > 0 ORDER BY sessions DESC, detection_id LIMIT $4",
            vec![
                param(project_id),
                param(from),
                param(to),
                param(limit as i64),
            ],
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rescored_session_moves_between_rows() {
        let mut d = RollupDeltas::default();
        let at = 10 * HOUR_MS + 5;
        d.moved(1, at, (0, &[]), (4, &[7, 8]));
        assert_eq!(d.scores[&(1, 10 * HOUR_MS, 4)], 1);
        d.moved(1, at, (4, &[7, 8]), (87, &[]));
        assert_eq!(d.scores[&(1, 10 * HOUR_MS, 4)], 0);
        assert_eq!(d.scores[&(1, 10 * HOUR_MS, 87)], 1);
        assert_eq!(d.detections[&(1, 10 * HOUR_MS, 7)], 0);
        assert_eq!(hour_of(-1), -HOUR_MS);
    }
}
