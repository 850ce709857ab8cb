//! The scoring preview: what proposed toggles, threshold and rules would do to a window's
//! sessions, next to what the current policy does. Validated like the real endpoints;
//! nothing is saved.
use super::project_rules::{self, RuleChange};
use super::sessions::ReadPolicy;
use super::stats::ActionCounts;
use super::{Core, check_settings, from_store};
use crate::domain::{Action, Band, SettingsPatch};
use crate::error::{ApiError, ApiResult};
use crate::rules::Rule;
use crate::store::{ProjectStore, RuleStore, SessionReads, TokenPrincipal};

/// Sessions a preview evaluates at most (the newest of the window).
pub const PREVIEW_LIMIT: usize = 50_000;
/// Sessions read per statement.
const PREVIEW_CHUNK: u32 = 2_000;
/// Changed sessions listed.
pub const PREVIEW_SAMPLE: usize = 20;
/// The default window.
pub const DEFAULT_WINDOW_MS: i64 = 24 * 3_600_000;

#[derive(Debug, Clone, Default)]
pub struct Proposal {
    /// Toggles and threshold (`challenge_difficulty` is not part of a proposal).
    pub settings: SettingsPatch,
    pub rules: Vec<RuleChange>,
    pub replace_rules: bool,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionChange {
    pub token: String,
    pub score: u8,
    pub band: Band,
    pub action: Action,
    pub proposed_band: Band,
    pub proposed_action: Action,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    pub since_ms: i64,
    pub until_ms: i64,
    pub sessions: u32,
    pub truncated: bool,
    pub current: ActionCounts,
    pub proposed: ActionCounts,
    pub changed: u32,
    pub sample: Vec<ActionChange>,
}

/// A proposed rule's error names its place in the list (`rules[2].expression`).
fn in_list(e: ApiError, i: usize) -> ApiError {
    let field = e
        .details
        .iter()
        .find(|(k, _)| k == "field")
        .map_or_else(String::new, |(_, v)| v.clone());
    e.with_field(&format!("rules[{i}].{field}"))
}

/// The proposed policy: the current one with the patch and the rules applied.
fn proposed_policy(
    current: &ReadPolicy,
    current_rows: Vec<(i32, Rule)>,
    p: &Proposal,
) -> ApiResult<ReadPolicy> {
    let mut policy = current.policy;
    let s = &p.settings;
    let b = &mut policy.bot;
    b.allow_verified = s.allow_verified.unwrap_or(b.allow_verified);
    b.protect_static = s.protect_static.unwrap_or(b.protect_static);
    b.block_definite = s.block_definite.unwrap_or(b.block_definite);
    b.challenge_likely = s.challenge_likely.unwrap_or(b.challenge_likely);
    if let Some(t) = s.likely_bot_threshold {
        policy.threshold = t.clamp(1, 99) as u8;
    }
    let mut rules: Vec<(i32, Rule)> = if p.replace_rules {
        Vec::new()
    } else {
        current_rows
    };
    for (i, c) in p.rules.iter().enumerate() {
        let w = project_rules::new_rule(c.clone()).map_err(|e| in_list(e, i))?;
        let action = crate::rules::parse_action(w.action).unwrap_or(Action::Allow);
        let rule = Rule::compile(w.name, &w.expression_source, action, w.is_active)
            .map_err(|e| in_list(ApiError::invalid("expression", e.to_string()), i))?;
        if w.is_active {
            rules.push((w.sort_order, rule));
        }
    }
    // Stable: existing rules keep their order, proposed ones follow those of equal order.
    rules.sort_by_key(|(order, _)| *order);
    Ok(ReadPolicy {
        policy,
        rules: rules.into_iter().map(|(_, r)| r).collect(),
    })
}

/// Written against [`ProjectStore`], [`RuleStore`] and [`SessionReads`].
impl<S: ProjectStore + RuleStore + SessionReads> Core<S> {
    pub async fn preview_scoring(
        &self,
        p: &TokenPrincipal,
        project: u32,
        proposal: Proposal,
    ) -> ApiResult<Preview> {
        let project = self.owned_project(p, project).await?;
        check_settings(&proposal.settings)?;
        let until = proposal.until_ms.unwrap_or_else(crate::store::now_ms);
        let since = proposal.since_ms.unwrap_or(until - DEFAULT_WINDOW_MS);
        if since >= until {
            return Err(ApiError::invalid(
                "since",
                "\"since\" must be before \"until\".",
            ));
        }
        let current = self.read_policy(project.id).await?;
        let rows = from_store(self.store.rules(project.id).await)?;
        let current_rules = rows
            .iter()
            .filter(|r| r.is_active)
            .filter_map(|r| Some((r.sort_order, project_rules::compile(r)?)))
            .collect();
        let proposed = proposed_policy(&current, current_rules, &proposal)?;

        let mut out = Preview {
            since_ms: since,
            until_ms: until,
            sessions: 0,
            truncated: false,
            current: ActionCounts::default(),
            proposed: ActionCounts::default(),
            changed: 0,
            sample: Vec::new(),
        };
        let mut after = None;
        loop {
            let chunk = from_store(
                self.store
                    .stored_scores(project.id, since, until, after, PREVIEW_CHUNK)
                    .await,
            )?;
            let exhausted = chunk.len() < PREVIEW_CHUNK as usize;
            for s in chunk {
                if out.sessions as usize == PREVIEW_LIMIT {
                    out.truncated = true;
                    return Ok(out);
                }
                after = Some((s.created_at, s.id));
                let ids: Vec<u32> = serde_json::from_str(&s.detection_ids).unwrap_or_default();
                let resolve = |p: &ReadPolicy| {
                    p.resolve_parts(
                        s.score,
                        &ids,
                        &s.reason,
                        s.js_passed,
                        s.features.as_deref(),
                        super::policy::SessionFacts::of(
                            s.logged_in,
                            s.ja4.as_deref(),
                            s.client_ip.as_deref(),
                        ),
                    )
                };
                let (band, action) = resolve(&current);
                let (proposed_band, proposed_action) = resolve(&proposed);
                out.sessions += 1;
                out.current.add(action, 1);
                out.proposed.add(proposed_action, 1);
                if action != proposed_action {
                    out.changed += 1;
                    if out.sample.len() < PREVIEW_SAMPLE {
                        out.sample.push(ActionChange {
                            token: s.token.clone(),
                            score: s.score.clamp(0, 99) as u8,
                            band,
                            action,
                            proposed_band,
                            proposed_action,
                        });
                    }
                }
            }
            if exhausted {
                return Ok(out);
            }
        }
    }
}
