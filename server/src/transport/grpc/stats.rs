//! A project's stats (account token).
use super::*;
use crate::core::stats::{self, ProjectStats};

fn project_stats(s: ProjectStats) -> pb::ProjectStats {
    pb::ProjectStats {
        since: Some(timestamp(s.since_ms)),
        until: Some(timestamp(s.until_ms)),
        bucket: s.bucket.as_str().to_string(),
        buckets: s
            .buckets
            .into_iter()
            .map(|b| pb::StatsBucket {
                start: Some(timestamp(b.start_ms)),
                sessions: Some(pb::BandCounts {
                    not_computed: b.sessions.not_computed,
                    definite: b.sessions.definite,
                    likely_automated: b.sessions.likely_automated,
                    likely_human: b.sessions.likely_human,
                }),
                actions: Some(action_counts(&b.actions)),
                events: b.events,
                over_quota_events: b.over_quota_events,
            })
            .collect(),
        top_detections: s
            .top_detections
            .into_iter()
            .map(|d: stats::DetectionCount| pb::DetectionCount {
                detection_id: d.detection_id,
                name: d.name.to_string(),
                label: d.label.to_string(),
                sessions: d.sessions,
            })
            .collect(),
        actions_exclude_rules: s.actions_exclude_rules,
        monthly_event_quota: s.monthly_event_quota,
        events_this_month: s.events_this_month,
    }
}

#[tonic::async_trait]
impl pb::stats_service_server::StatsService for Api {
    async fn get_stats(&self, req: Request<pb::GetStatsRequest>) -> Rpc<pb::ProjectStats> {
        let p = self
            .authenticate(&req, auth::STATS_SERVICE_GET_STATS, None)
            .await?;
        let r = req.into_inner();
        ok(self
            .core
            .stats(
                p.account()?,
                r.project,
                millis(r.since),
                millis(r.until),
                &r.bucket,
            )
            .await
            .map(project_stats))
    }
}
