//! Scoring: enabling, settings, key rotation (account token).
use super::*;

#[tonic::async_trait]
impl pb::scoring_service_server::ScoringService for Api {
    async fn enable_scoring(
        &self,
        req: Request<pb::EnableScoringRequest>,
    ) -> Rpc<pb::EnableScoringResponse> {
        let p = self
            .authenticate(&req, auth::SCORING_SERVICE_ENABLE_SCORING, None)
            .await?;
        ok(self
            .core
            .enable_scoring(p.account()?, req.into_inner().project)
            .await
            .map(|e| pb::EnableScoringResponse {
                site_key: e.site_key,
                private_key: e.private_key.map(Into::into),
                bot_settings: Some(bot_settings(&e.policy)),
                likely_bot_threshold: e.policy.threshold as u32,
            }))
    }

    async fn get_scoring(&self, req: Request<pb::GetScoringRequest>) -> Rpc<pb::ScoringState> {
        let p = self
            .authenticate(&req, auth::SCORING_SERVICE_GET_SCORING, None)
            .await?;
        ok(self
            .core
            .get_scoring(p.account()?, req.into_inner().project)
            .await
            .map(|s| pb::ScoringState {
                enabled: s.enabled,
                site_key: s.site_key.unwrap_or_default(),
                bot_settings: Some(bot_settings(&s.settings.policy)),
                likely_bot_threshold: s.settings.policy.threshold as u32,
                challenge_difficulty: s.settings.challenge_difficulty,
            }))
    }

    async fn disable_scoring(
        &self,
        req: Request<pb::DisableScoringRequest>,
    ) -> Rpc<pbjson_types::Empty> {
        let p = self
            .authenticate(&req, auth::SCORING_SERVICE_DISABLE_SCORING, None)
            .await?;
        ok(self
            .core
            .disable_scoring(p.account()?, req.into_inner().project)
            .await
            .map(|()| pbjson_types::Empty {}))
    }

    async fn update_scoring_settings(
        &self,
        req: Request<pb::UpdateScoringSettingsRequest>,
    ) -> Rpc<pb::ScoringSettings> {
        let p = self
            .authenticate(&req, auth::SCORING_SERVICE_UPDATE_SCORING_SETTINGS, None)
            .await?;
        let r = req.into_inner();
        let patch = SettingsPatch {
            allow_verified: r.allow_verified,
            protect_static: r.protect_static,
            block_definite: r.block_definite,
            challenge_likely: r.challenge_likely,
            likely_bot_threshold: r
                .likely_bot_threshold
                .map(|t| t.min(i32::MAX as u32) as i32),
            challenge_difficulty: r
                .challenge_difficulty
                .map(|d| d.min(i32::MAX as u32) as i32),
        };
        ok(self
            .core
            .update_settings(p.account()?, r.project, patch)
            .await
            .map(|s| pb::ScoringSettings {
                bot_settings: Some(bot_settings(&s.policy)),
                likely_bot_threshold: s.policy.threshold as u32,
                challenge_difficulty: s.challenge_difficulty,
            }))
    }

    async fn rotate_key(&self, req: Request<pb::RotateKeyRequest>) -> Rpc<pb::RotateKeyResponse> {
        let p = self
            .authenticate(&req, auth::SCORING_SERVICE_ROTATE_KEY, None)
            .await?;
        let r = req.into_inner();
        let kind = match pb::KeyType::try_from(r.r#type) {
            Ok(pb::KeyType::Site) => Some(KeyType::Site),
            Ok(pb::KeyType::Private) => Some(KeyType::Private),
            _ => None,
        };
        ok(self
            .core
            .rotate_key(p.account()?, r.project, kind)
            .await
            .map(|(kind, key)| pb::RotateKeyResponse {
                r#type: match kind {
                    KeyType::Site => pb::KeyType::Site,
                    KeyType::Private => pb::KeyType::Private,
                } as i32,
                key,
            }))
    }

    async fn preview_scoring(
        &self,
        req: Request<pb::PreviewScoringRequest>,
    ) -> Rpc<pb::ScoringPreview> {
        let p = self
            .authenticate(&req, auth::SCORING_SERVICE_PREVIEW_SCORING, None)
            .await?;
        let r = req.into_inner();
        let b = r.bot_settings.unwrap_or_default();
        let mut rules = Vec::with_capacity(r.rules.len());
        for (i, rule) in r.rules.into_iter().enumerate() {
            rules.push(RuleChange {
                name: Some(rule.name),
                expression: Some(rule.expression),
                action: rule_action(rule.action)
                    .map_err(|e| Status::from(e.with_field(&format!("rules[{i}].action"))))?,
                is_active: rule.is_active,
                sort_order: rule.sort_order,
            });
        }
        let proposal = crate::core::preview::Proposal {
            settings: SettingsPatch {
                allow_verified: b.allow_verified,
                protect_static: b.protect_static,
                block_definite: b.block_definite,
                challenge_likely: b.challenge_likely,
                likely_bot_threshold: r
                    .likely_bot_threshold
                    .map(|t| t.min(i32::MAX as u32) as i32),
                challenge_difficulty: None,
            },
            rules,
            replace_rules: r.replace_rules,
            since_ms: millis(r.since),
            until_ms: millis(r.until),
        };
        ok(self
            .core
            .preview_scoring(p.account()?, r.project, proposal)
            .await
            .map(|v| pb::ScoringPreview {
                since: Some(timestamp(v.since_ms)),
                until: Some(timestamp(v.until_ms)),
                sessions: v.sessions,
                truncated: v.truncated,
                current: Some(action_counts(&v.current)),
                proposed: Some(action_counts(&v.proposed)),
                changed: v.changed,
                sample: v
                    .sample
                    .into_iter()
                    .map(|c| pb::PreviewChange {
                        session_token: c.token,
                        score: c.score as u32,
                        band: band_pb(c.band) as i32,
                        action: action_pb(c.action) as i32,
                        proposed_band: band_pb(c.proposed_band) as i32,
                        proposed_action: action_pb(c.proposed_action) as i32,
                    })
                    .collect(),
            }))
    }
}
