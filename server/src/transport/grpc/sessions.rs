//! Sessions, their detail and feedback labels (account token).
use super::*;
use crate::core::sessions::SessionQuery;
use crate::domain::sessions::{Feedback, FeedbackBandCount, SessionDetailView, SessionView};

/// An optional enum field: absent → `None`; a value outside the enum → 422 naming it.
fn band_filter(v: Option<i32>) -> Result<Option<Band>, ApiError> {
    v.map(|v| {
        band_domain(v).ok_or_else(|| {
            ApiError::invalid(
                "band",
                "\"band\" must be not_computed, definite, likely_automated or likely_human.",
            )
        })
    })
    .transpose()
}

fn session_row(s: SessionView) -> pb::SessionRow {
    pb::SessionRow {
        session_token: s.token,
        first_seen: Some(timestamp(s.first_seen_ms)),
        last_seen: Some(timestamp(s.last_seen_ms)),
        score: s.score as u32,
        band: band_pb(s.band) as i32,
        action: action_pb(s.action) as i32,
        detection_ids: s.detection_ids,
        reason: s.reason,
        event_count: s.event_count,
        batch_count: s.batch_count,
        ua_class: s.ua_class,
        js_passed: s.js_passed,
        label: s.label.map(|l| l.as_str().to_string()).unwrap_or_default(),
    }
}

fn feedback(f: Feedback) -> pb::SessionFeedback {
    pb::SessionFeedback {
        session_token: f.session_token,
        label: f.label.as_str().to_string(),
        comment: f.comment,
        updated_at: Some(timestamp(f.updated_at_ms)),
    }
}

fn detail(d: SessionDetailView) -> pb::SessionDetail {
    pb::SessionDetail {
        session: Some(session_row(d.session)),
        engines: d
            .engines
            .into_iter()
            .map(|e| pb::EngineReport {
                engine: e.engine,
                score: e.score.map(u32::from),
                findings: e
                    .findings
                    .into_iter()
                    .map(|f| pb::EngineFinding {
                        detection_id: f.detection_id,
                        name: f.name,
                        label: f.label,
                        score: f.score as u32,
                        strength: f.strength,
                        reason: f.reason,
                    })
                    .collect(),
            })
            .collect(),
        batches: d
            .batches
            .into_iter()
            .map(|b| pb::SessionBatch {
                at: Some(timestamp(b.at_ms)),
                events: b.events,
                event_types: b.event_types.into_iter().collect(),
                ua_class: b.ua_class,
                integrity: b.integrity.to_string(),
            })
            .collect(),
        request: Some(pb::RequestFacts {
            address_prefix: d.request.address_prefix,
            ua_class: d.request.ua_class,
            headers_present: d
                .request
                .headers_present
                .into_iter()
                .map(str::to_string)
                .collect(),
            ja4: d.request.ja4,
        }),
        mouse_entropy: d.features.mouse_entropy,
        scroll_velocity: d.features.scroll_velocity,
        visibility_changes: d.features.visibility_changes,
        first_input_delay_ms: d.features.first_input_delay_ms,
        feedback: d.feedback.map(feedback),
    }
}

fn feedback_band(c: FeedbackBandCount) -> pb::FeedbackBand {
    pb::FeedbackBand {
        band: band_pb(c.band) as i32,
        human: c.human,
        bot: c.bot,
    }
}

#[tonic::async_trait]
impl pb::session_service_server::SessionService for Api {
    async fn list_sessions(
        &self,
        req: Request<pb::ListSessionsRequest>,
    ) -> Rpc<pb::ListSessionsResponse> {
        let p = self
            .authenticate(&req, auth::SESSION_SERVICE_LIST_SESSIONS, None)
            .await?;
        let r = req.into_inner();
        let query = SessionQuery {
            band: band_filter(r.band)?,
            detection_id: r.detection_id,
            min_score: r.min_score,
            max_score: r.max_score,
            since_ms: millis(r.since),
            until_ms: millis(r.until),
            action: rule_action(r.action)?,
            page_size: r.page_size,
            page_token: r.page_token,
        };
        ok(self
            .core
            .list_sessions(p.account()?, r.project, query)
            .await
            .map(|(rows, next)| pb::ListSessionsResponse {
                sessions: rows.into_iter().map(session_row).collect(),
                next_page_token: next.unwrap_or_default(),
            }))
    }

    async fn get_session(&self, req: Request<pb::GetSessionRequest>) -> Rpc<pb::SessionDetail> {
        let p = self
            .authenticate(&req, auth::SESSION_SERVICE_GET_SESSION, None)
            .await?;
        let r = req.into_inner();
        ok(self
            .core
            .session_detail(p.account()?, r.project, &r.session_token)
            .await
            .map(detail))
    }

    async fn set_session_feedback(
        &self,
        req: Request<pb::SetSessionFeedbackRequest>,
    ) -> Rpc<pb::SessionFeedback> {
        let p = self
            .authenticate(&req, auth::SESSION_SERVICE_SET_SESSION_FEEDBACK, None)
            .await?;
        let r = req.into_inner();
        ok(self
            .core
            .set_feedback(
                p.account()?,
                r.project,
                &r.session_token,
                &r.label,
                r.comment.as_deref(),
            )
            .await
            .map(feedback))
    }

    async fn get_feedback_summary(
        &self,
        req: Request<pb::GetFeedbackSummaryRequest>,
    ) -> Rpc<pb::FeedbackSummary> {
        let p = self
            .authenticate(&req, auth::SESSION_SERVICE_GET_FEEDBACK_SUMMARY, None)
            .await?;
        let r = req.into_inner();
        ok(self
            .core
            .feedback_summary(p.account()?, r.project)
            .await
            .map(|bands| {
                let is_bot_band = |b: Band| matches!(b, Band::Definite | Band::LikelyAutomated);
                pb::FeedbackSummary {
                    humans_in_bot_bands: bands
                        .iter()
                        .filter(|c| is_bot_band(c.band))
                        .map(|c| c.human)
                        .sum(),
                    bots_in_human_band: bands
                        .iter()
                        .filter(|c| c.band == Band::LikelyHuman)
                        .map(|c| c.bot)
                        .sum(),
                    bands: bands.into_iter().map(feedback_band).collect(),
                }
            }))
    }
}
