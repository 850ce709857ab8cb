//! Watching a project's sessions (observe-first): the filtered list, a session's detail and
//! feedback labels. Bands and actions come from the project's current policy at read time,
//! resolved as a verdict read without request context would resolve them.
use std::collections::HashMap;

use base64::Engine;

use super::{Core, from_store, policy, policy_of, project_rules};
use crate::domain::sessions::{
    BatchView, BehaviorFeatures, EngineView, Feedback, FeedbackBandCount, FindingView, Label,
    RequestView, SessionDetailView, SessionView,
};
use crate::domain::{Action, Band, BotSettings, Policy, RequestContext, Scored, band};
use crate::engines::{heuristics, registry, stored_findings};
use crate::error::{ApiError, ApiResult};
use crate::rules::Rule;
use crate::store::{
    BatchRecord, FeedbackRecord, ProjectStore, RuleStore, SessionFilter, SessionReads,
    SessionRecord, TokenPrincipal,
};

/// The default and largest page.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
pub const MAX_PAGE_SIZE: u32 = 200;
/// Sessions one page of an `action`-filtered list reads at most; the page then ends early
/// with a token to continue.
pub const ACTION_SCAN_LIMIT: usize = 5_000;
/// Rows an `action`-filtered list reads per statement.
const ACTION_SCAN_CHUNK: u32 = 500;
/// Batches a session's detail lists.
pub const DETAIL_BATCHES: u32 = 200;
/// The longest feedback comment, in characters.
pub const MAX_COMMENT: usize = 1_000;

/// The list's filters as sent.
#[derive(Debug, Clone, Default)]
pub struct SessionQuery {
    pub band: Option<Band>,
    pub detection_id: Option<u32>,
    pub min_score: Option<u32>,
    pub max_score: Option<u32>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
    pub action: Option<Action>,
    pub page_size: u32,
    pub page_token: String,
}

/// What the list and the detail resolve bands and actions with.
pub(super) struct ReadPolicy {
    pub policy: Policy,
    pub rules: Vec<Rule>,
}

impl ReadPolicy {
    /// The stored session's band and action under this policy, without request context.
    pub fn resolve(&self, r: &SessionRecord) -> (Band, Action) {
        let ids: Vec<u32> = serde_json::from_str(&r.detection_ids).unwrap_or_default();
        self.resolve_parts(
            r.score,
            &ids,
            &r.reason,
            r.js_passed,
            r.features.as_deref(),
            policy::SessionFacts::of(r.logged_in, r.ja4.as_deref(), r.client_ip.as_deref()),
        )
    }

    pub fn resolve_parts(
        &self,
        score: i32,
        ids: &[u32],
        reason: &str,
        js_passed: Option<bool>,
        features: Option<&str>,
        session: policy::SessionFacts<'_>,
    ) -> (Band, Action) {
        let scored = Scored {
            score: score.clamp(0, 99) as u8,
            detection_ids: ids.to_vec(),
            reason: reason.to_string(),
        };
        let f = BehaviorFeatures::parse(features);
        let facts = policy::ReadFacts {
            js_passed,
            mouse_entropy: f.mouse_entropy,
            scroll_velocity: f.scroll_velocity,
            visibility_changes: f.visibility_changes,
            first_input_delay_ms: f.first_input_delay_ms,
            verified: None,
            session,
        };
        let out = policy::decide(
            Some(&scored),
            &self.policy,
            &RequestContext::default(),
            &self.rules,
            &facts,
        );
        (out.band, out.action)
    }
}

/// A list position `(first seen, id)` as an opaque token.
fn cursor_token((at, id): (i64, i64)) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{at}.{id}"))
}

/// The token that continues after `r`.
fn page_token(r: &SessionRecord) -> String {
    cursor_token((r.created_at, r.id))
}

fn parse_page_token(token: &str) -> ApiResult<Option<(i64, i64)>> {
    if token.is_empty() {
        return Ok(None);
    }
    let bad = || {
        ApiError::invalid(
            "page_token",
            "\"page_token\" is not a token this API gave out; pass a next_page_token back unchanged.",
        )
    };
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (at, id) = text.split_once('.').ok_or_else(bad)?;
    Ok(Some((
        at.parse().map_err(|_| bad())?,
        id.parse().map_err(|_| bad())?,
    )))
}

/// The store's filter for a query under `threshold` (validated here: every bound names its
/// field when it is wrong).
fn store_filter(q: &SessionQuery, threshold: u8) -> ApiResult<SessionFilter> {
    for (field, v) in [("min_score", q.min_score), ("max_score", q.max_score)] {
        if v.is_some_and(|v| v > 99) {
            return Err(ApiError::invalid(
                field,
                format!("\"{field}\" must be 0 to 99."),
            ));
        }
    }
    if let (Some(min), Some(max)) = (q.min_score, q.max_score)
        && min > max
    {
        return Err(ApiError::invalid(
            "min_score",
            "\"min_score\" must not exceed \"max_score\".",
        ));
    }
    if let (Some(since), Some(until)) = (q.since_ms, q.until_ms)
        && since >= until
    {
        return Err(ApiError::invalid(
            "since",
            "\"since\" must be before \"until\".",
        ));
    }
    let t = i32::from(threshold);
    let (band_min, band_max) = match q.band {
        None => (0, 99),
        Some(Band::NotComputed) => (0, 0),
        Some(Band::Definite) => (1, 1),
        Some(Band::LikelyAutomated) => (2, t - 1),
        Some(Band::LikelyHuman) => (t, 99),
        Some(Band::Verified) => {
            return Err(ApiError::invalid(
                "band",
                "\"band\" cannot be verified: verified bots are recognised per verdict read from the request's address, not stored with a session.",
            ));
        }
    };
    let min = band_min.max(q.min_score.map_or(0, |v| v as i32));
    let max = band_max.min(q.max_score.map_or(99, |v| v as i32));
    Ok(SessionFilter {
        min_score: (min > 0).then_some(min),
        max_score: (max < 99 || min > max).then_some(max),
        detection_id: q.detection_id,
        since: q.since_ms,
        until: q.until_ms,
        after: parse_page_token(&q.page_token)?,
        limit: 0,
    })
}

fn page_size(n: u32) -> ApiResult<u32> {
    match n {
        0 => Ok(DEFAULT_PAGE_SIZE),
        n if n <= MAX_PAGE_SIZE => Ok(n),
        _ => Err(ApiError::invalid(
            "page_size",
            format!("\"page_size\" must be 1 to {MAX_PAGE_SIZE} (default {DEFAULT_PAGE_SIZE})."),
        )),
    }
}

/// A stored count as the API's 32-bit number (JSON numbers stay numbers), capped.
pub(crate) fn saturating_u32(n: i64) -> u32 {
    n.clamp(0, u32::MAX as i64) as u32
}

fn view(r: SessionRecord, p: &ReadPolicy) -> SessionView {
    let (band_now, action) = p.resolve(&r);
    SessionView {
        detection_ids: serde_json::from_str(&r.detection_ids).unwrap_or_default(),
        token: r.token,
        first_seen_ms: r.created_at,
        last_seen_ms: r.updated_at,
        score: r.score.clamp(0, 99) as u8,
        band: band_now,
        action,
        reason: r.reason,
        event_count: saturating_u32(r.event_count),
        batch_count: saturating_u32(r.batch_count),
        ua_class: r.ua_class.unwrap_or_default(),
        js_passed: r.js_passed,
        label: r.label.as_deref().and_then(Label::parse),
    }
}

fn feedback(token: &str, f: FeedbackRecord) -> Option<Feedback> {
    Some(Feedback {
        session_token: token.to_string(),
        label: Label::parse(&f.label)?,
        comment: f.comment,
        updated_at_ms: f.updated_at,
    })
}

fn batch_view(b: &BatchRecord, types: &HashMap<i64, Vec<(String, u32)>>) -> BatchView {
    BatchView {
        at_ms: b.created_at,
        events: b.events.max(0) as u32,
        // A batch's events carry its commit time (`ingested_at`), which is how they are
        // matched to it.
        event_types: types.get(&b.created_at).cloned().unwrap_or_default(),
        ua_class: b.ua_class.clone().unwrap_or_default(),
        integrity: crate::integrity::Outcome::from_code(b.integrity).name(),
    }
}

fn engines_of(findings: Option<&str>) -> Vec<EngineView> {
    stored_findings(findings)
        .into_iter()
        .map(|e| EngineView {
            engine: e.engine,
            score: e.score,
            findings: e
                .findings
                .into_iter()
                .map(|f| {
                    let d = registry::get(f.id);
                    FindingView {
                        detection_id: f.id,
                        name: d.map(|d| d.name.to_string()).unwrap_or_default(),
                        label: d.map(|d| d.label.to_string()).unwrap_or_default(),
                        score: f.score,
                        strength: f.strength,
                        reason: f.reason,
                    }
                })
                .collect(),
        })
        .collect()
}

/// Written against [`ProjectStore`], [`RuleStore`] and [`SessionReads`].
impl<S: ProjectStore + RuleStore + SessionReads> Core<S> {
    /// The project's current threshold, toggles and active rules.
    pub(super) async fn read_policy(&self, project_id: i32) -> ApiResult<ReadPolicy> {
        let policy = match from_store(self.store.scoring(project_id).await)? {
            Some(row) => policy_of(&row),
            None => Policy {
                bot: BotSettings::default(),
                threshold: crate::domain::DEFAULT_THRESHOLD,
            },
        };
        let rules = from_store(self.store.rules(project_id).await)?
            .iter()
            .filter(|r| r.is_active)
            .filter_map(project_rules::compile)
            .collect();
        Ok(ReadPolicy { policy, rules })
    }

    /// One page, newest first, and the token of the next (`None` on the last page).
    pub async fn list_sessions(
        &self,
        p: &TokenPrincipal,
        project: u32,
        q: SessionQuery,
    ) -> ApiResult<(Vec<SessionView>, Option<String>)> {
        let project = self.owned_project(p, project).await?;
        let size = page_size(q.page_size)?;
        let read = self.read_policy(project.id).await?;
        let mut filter = store_filter(&q, read.policy.threshold)?;
        let Some(wanted) = q.action else {
            // One more row than the page tells whether another page follows.
            filter.limit = size + 1;
            let mut rows = from_store(self.store.sessions(project.id, &filter).await)?;
            let more = rows.len() > size as usize;
            rows.truncate(size as usize);
            let next = more.then(|| rows.last().map(page_token)).flatten();
            return Ok((rows.into_iter().map(|r| view(r, &read)).collect(), next));
        };
        // The action is the policy's, not a column: read in chunks until the page is full,
        // the sessions run out, or the scan limit is reached.
        filter.limit = ACTION_SCAN_CHUNK;
        let mut page = Vec::new();
        let mut scanned = 0;
        loop {
            let rows = from_store(self.store.sessions(project.id, &filter).await)?;
            let exhausted = rows.len() < ACTION_SCAN_CHUNK as usize;
            for r in rows {
                scanned += 1;
                filter.after = Some((r.created_at, r.id));
                if read.resolve(&r).1 == wanted {
                    let token = page_token(&r);
                    page.push(view(r, &read));
                    if page.len() == size as usize {
                        return Ok((page, Some(token)));
                    }
                }
            }
            if exhausted {
                return Ok((page, None));
            }
            if scanned >= ACTION_SCAN_LIMIT {
                return Ok((page, filter.after.map(cursor_token)));
            }
        }
    }

    async fn record(&self, project_id: i32, token: &str) -> ApiResult<SessionRecord> {
        from_store(self.store.session_record(project_id, token).await)?.ok_or_else(|| {
            ApiError::not_found(format!(
                "Session {token} does not exist in project {project_id}."
            ))
        })
    }

    pub async fn session_detail(
        &self,
        p: &TokenPrincipal,
        project: u32,
        token: &str,
    ) -> ApiResult<SessionDetailView> {
        let project = self.owned_project(p, project).await?;
        let read = self.read_policy(project.id).await?;
        let r = self.record(project.id, token).await?;
        let id = r.id;
        let batches = from_store(self.store.session_batches(id, DETAIL_BATCHES).await)?;
        let latest = from_store(self.store.latest_batch(id).await)?;
        let mut types: HashMap<i64, Vec<(String, u32)>> = HashMap::new();
        for t in from_store(self.store.session_event_types(id).await)? {
            types
                .entry(t.ingested_at)
                .or_default()
                .push((t.event_type, saturating_u32(t.n)));
        }
        let stored_feedback = from_store(self.store.feedback(id).await)?;
        let request = latest
            .map(|b| RequestView {
                address_prefix: crate::integrity::address_prefix(
                    b.client_ip.as_deref().and_then(|ip| ip.parse().ok()),
                ),
                ua_class: b.ua_class.clone().unwrap_or_default(),
                headers_present: heuristics::flag_names(b.header_flags as u32),
                ja4: b.ja4.clone(),
            })
            .unwrap_or_default();
        Ok(SessionDetailView {
            engines: engines_of(r.findings.as_deref()),
            features: BehaviorFeatures::parse(r.features.as_deref()),
            batches: batches.iter().map(|b| batch_view(b, &types)).collect(),
            request,
            feedback: stored_feedback.and_then(|f| feedback(&r.token, f)),
            session: view(r, &read),
        })
    }

    /// Labels a session; the last label wins. Changes nothing a verdict reads.
    pub async fn set_feedback(
        &self,
        p: &TokenPrincipal,
        project: u32,
        token: &str,
        label: &str,
        comment: Option<&str>,
    ) -> ApiResult<Feedback> {
        let project = self.owned_project(p, project).await?;
        let Some(label) = Label::parse(label.trim()) else {
            return Err(ApiError::invalid(
                "label",
                "\"label\" must be \"human\" or \"bot\".",
            ));
        };
        let comment = comment.unwrap_or_default().trim();
        if comment.chars().count() > MAX_COMMENT {
            return Err(ApiError::invalid(
                "comment",
                format!("\"comment\" must be at most {MAX_COMMENT} characters."),
            ));
        }
        let r = self.record(project.id, token).await?;
        let stored = from_store(
            self.store
                .set_feedback(project.id, r.id, p.user_id, label.as_str(), comment)
                .await,
        )?;
        feedback(&r.token, stored).ok_or_else(|| ApiError::internal("stored label unreadable"))
    }

    /// Labelled sessions by current band, every band listed.
    pub async fn feedback_summary(
        &self,
        p: &TokenPrincipal,
        project: u32,
    ) -> ApiResult<Vec<FeedbackBandCount>> {
        let project = self.owned_project(p, project).await?;
        let read = self.read_policy(project.id).await?;
        let mut out: Vec<FeedbackBandCount> = [
            Band::NotComputed,
            Band::Definite,
            Band::LikelyAutomated,
            Band::LikelyHuman,
        ]
        .into_iter()
        .map(|band| FeedbackBandCount {
            band,
            human: 0,
            bot: 0,
        })
        .collect();
        for c in from_store(self.store.label_counts(project.id).await)? {
            let b = band(c.score.clamp(0, 99) as u8, read.policy.threshold);
            let Some(row) = out.iter_mut().find(|r| r.band == b) else {
                continue;
            };
            match Label::parse(&c.label) {
                Some(Label::Human) => row.human = row.human.saturating_add(saturating_u32(c.n)),
                Some(Label::Bot) => row.bot = row.bot.saturating_add(saturating_u32(c.n)),
                None => {}
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_become_score_bounds_under_the_threshold() {
        let q = |band| SessionQuery {
            band: Some(band),
            ..SessionQuery::default()
        };
        let f = store_filter(&q(Band::LikelyAutomated), 30).unwrap();
        assert_eq!((f.min_score, f.max_score), (Some(2), Some(29)));
        let f = store_filter(&q(Band::LikelyHuman), 40).unwrap();
        assert_eq!((f.min_score, f.max_score), (Some(40), None));
        let f = store_filter(&q(Band::NotComputed), 30).unwrap();
        assert_eq!((f.min_score, f.max_score), (None, Some(0)));
        // Bounds intersect with the band; an empty intersection matches nothing.
        let f = store_filter(
            &SessionQuery {
                band: Some(Band::Definite),
                min_score: Some(5),
                ..SessionQuery::default()
            },
            30,
        )
        .unwrap();
        assert!(f.min_score.unwrap() > f.max_score.unwrap());
        let e = store_filter(&q(Band::Verified), 30).unwrap_err();
        assert_eq!(
            e.details
                .iter()
                .find(|(k, _)| k == "field")
                .map(|(_, v)| v.as_str()),
            Some("band")
        );
    }

    #[test]
    fn bad_bounds_and_tokens_name_their_field() {
        for (q, field) in [
            (
                SessionQuery {
                    min_score: Some(100),
                    ..SessionQuery::default()
                },
                "min_score",
            ),
            (
                SessionQuery {
                    min_score: Some(50),
                    max_score: Some(10),
                    ..SessionQuery::default()
                },
                "min_score",
            ),
            (
                SessionQuery {
                    since_ms: Some(10),
                    until_ms: Some(10),
                    ..SessionQuery::default()
                },
                "since",
            ),
            (
                SessionQuery {
                    page_token: "not-a-token".into(),
                    ..SessionQuery::default()
                },
                "page_token",
            ),
        ] {
            let e = store_filter(&q, 30).unwrap_err();
            assert_eq!(
                e.details
                    .iter()
                    .find(|(k, _)| k == "field")
                    .map(|(_, v)| v.as_str()),
                Some(field)
            );
        }
        assert!(page_size(201).is_err());
        assert_eq!(page_size(0).unwrap(), DEFAULT_PAGE_SIZE);
    }

    #[test]
    fn a_page_token_round_trips() {
        let r = SessionRecord {
            id: 42,
            token: "sess_x".into(),
            created_at: 1_700_000_000_123,
            updated_at: 0,
            score: 0,
            detection_ids: "[]".into(),
            reason: String::new(),
            event_count: 0,
            batch_count: 0,
            ua_class: None,
            js_passed: None,
            features: None,
            findings: None,
            label: None,
            logged_in: false,
            ja4: None,
            client_ip: None,
        };
        assert_eq!(
            parse_page_token(&page_token(&r)).unwrap(),
            Some((1_700_000_000_123, 42))
        );
    }
}
