//! The tonic service implementations: the only place protobuf types meet the core. REST and
//! gRPC-web reach the core through these same implementations.
use std::{net::SocketAddr, sync::Arc};

use botect_proto::v1 as pb;
use tonic::{Request, Response, Status, metadata::MetadataMap};

use crate::{
    core::rules::RuleChange,
    core::{ClientInfo, Core, Ingested, KeyType},
    domain::{
        Action, Band, Credentials, EventKind, IncomingBatch, IncomingEvent, IncomingIntegrity,
        Policy, RequestContext, VerdictOut,
    },
    engines::{heuristics, registry},
    error::ApiError,
    store::{ProjectRow, RuleRow, SettingsPatch},
};

/// Implements every Botect service over one shared core.
#[derive(Clone)]
pub struct Api {
    pub core: Arc<Core>,
}

/// A header's value; non-ASCII bytes are kept (lossily) so validation can reject them
/// instead of the header silently vanishing.
fn header(md: &MetadataMap, name: &str) -> Option<String> {
    md.get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).trim().to_string())
}

/// Credentials from gRPC metadata (REST copies its HTTP headers into metadata).
pub fn credentials(md: &MetadataMap) -> Credentials {
    Credentials {
        authorization: header(md, "authorization"),
        site_key: header(md, "x-botect-site-key"),
        private_key: header(md, "x-botect-private-key"),
        idempotency_key: header(md, "idempotency-key"),
    }
}

/// The facts the heuristics engine needs about the request that carried a batch: the
/// socket peer (tonic's own connect info, or axum's `ConnectInfo` that the one-port server
/// and the REST edge attach), the User-Agent and the header shape. REST passes its HTTP
/// headers as metadata, so both transports are read alike.
pub fn client_info<T>(req: &Request<T>) -> ClientInfo {
    let md = req.metadata();
    let ip = req
        .remote_addr()
        .or_else(|| {
            req.extensions()
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map(|c| c.0)
        })
        .map(|a| a.ip());
    ClientInfo {
        ip,
        user_agent: header(md, "user-agent").filter(|u| !u.is_empty()),
        header_flags: heuristics::header_flags(|name| md.get(name).and_then(|v| v.to_str().ok())),
    }
}

type Rpc<T> = Result<Response<T>, Status>;

fn ok<T>(r: Result<T, ApiError>) -> Rpc<T> {
    r.map(Response::new).map_err(Status::from)
}

fn timestamp(ms: i64) -> botect_proto::wkt::Timestamp {
    botect_proto::wkt::Timestamp::from_millis(ms)
}

fn project(p: ProjectRow) -> pb::Project {
    pb::Project {
        id: p.id as u32,
        account_id: p.account_id as u32,
        name: p.name,
        scoring_enabled: p.scoring_enabled,
        created_at: Some(timestamp(p.created_at)),
    }
}

fn bot_settings(p: &Policy) -> pb::BotSettings {
    pb::BotSettings {
        allow_verified: p.bot.allow_verified,
        protect_static: p.bot.protect_static,
        block_definite: p.bot.block_definite,
        challenge_likely: p.bot.challenge_likely,
    }
}

fn action_pb(a: Action) -> pb::Action {
    match a {
        Action::Allow => pb::Action::Allow,
        Action::Challenge => pb::Action::Challenge,
        Action::Block => pb::Action::Block,
        Action::Log => pb::Action::Log,
        Action::Delay => pb::Action::Delay,
    }
}

fn action_domain(a: i32) -> Option<Action> {
    pb::Action::try_from(a)
        .ok()
        .and_then(|a| crate::rules::parse_action(a.as_str_name()))
}

fn rule(r: RuleRow) -> pb::Rule {
    pb::Rule {
        id: r.id as u32,
        project_id: r.project_id as u32,
        name: r.name,
        expression_source: r.expression_source,
        action: crate::rules::parse_action(&r.action).map_or(pb::Action::Allow, action_pb) as i32,
        is_active: r.is_active,
        sort_order: r.sort_order,
        created_at: Some(timestamp(r.created_at)),
        updated_at: Some(timestamp(r.updated_at)),
    }
}

/// An optional action field: absent → `None`; a value outside the enum → 422.
fn rule_action(a: Option<i32>) -> Result<Option<Action>, ApiError> {
    match a {
        None => Ok(None),
        Some(v) => action_domain(v).map(Some).ok_or_else(|| {
            ApiError::invalid(
                "action",
                "\"action\" must be allow, challenge, block, log or delay.",
            )
        }),
    }
}

fn verdict(v: VerdictOut) -> pb::SessionVerdict {
    let band = match v.band {
        Band::NotComputed => pb::Verdict::NotComputed,
        Band::Definite => pb::Verdict::Definite,
        Band::LikelyAutomated => pb::Verdict::LikelyAutomated,
        Band::LikelyHuman => pb::Verdict::LikelyHuman,
        Band::Verified => pb::Verdict::Verified,
    };
    pb::SessionVerdict {
        verdict: band as i32,
        score: v.score as u32,
        action: action_pb(v.action) as i32,
        detection_ids: v.detection_ids,
        reason: v.reason,
    }
}

fn event_kind(t: i32) -> Option<EventKind> {
    pb::EventType::try_from(t)
        .ok()
        .and_then(|t| EventKind::parse(t.as_str_name()))
}

/// `google.protobuf.Value` → JSON.
fn json_value(v: pbjson_types::Value) -> serde_json::Value {
    use pbjson_types::value::Kind;
    match v.kind {
        None | Some(Kind::NullValue(_)) => serde_json::Value::Null,
        Some(Kind::NumberValue(n)) => serde_json::Number::from_f64(n)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Some(Kind::StringValue(s)) => serde_json::Value::String(s),
        Some(Kind::BoolValue(b)) => serde_json::Value::Bool(b),
        Some(Kind::StructValue(s)) => serde_json::Value::Object(json_object(s)),
        Some(Kind::ListValue(l)) => {
            serde_json::Value::Array(l.values.into_iter().map(json_value).collect())
        }
    }
}

fn json_object(s: pbjson_types::Struct) -> serde_json::Map<String, serde_json::Value> {
    s.fields
        .into_iter()
        .map(|(k, v)| (k, json_value(v)))
        .collect()
}

fn batch(req: pb::IngestEventsRequest) -> IncomingBatch {
    IncomingBatch {
        session_token: req.session_token,
        site_key: req.site_key,
        integrity: req.integrity.map(|i| IncomingIntegrity {
            challenge: i.challenge,
            nonce: i.nonce,
        }),
        events: req
            .events
            .into_iter()
            .map(|e| IncomingEvent {
                request_id: e.request_id,
                kind: event_kind(e.r#type),
                received_at: e.received_at,
                payload: e.payload.map(json_object).unwrap_or_default(),
            })
            .collect(),
    }
}

#[tonic::async_trait]
impl pb::ingest_service_server::IngestService for Api {
    async fn ingest_events(
        &self,
        req: Request<pb::IngestEventsRequest>,
    ) -> Rpc<pb::IngestEventsResponse> {
        let creds = credentials(req.metadata());
        let client = client_info(&req);
        let reply = match self
            .core
            .ingest_from(&creds, batch(req.into_inner()), &client)
            .await?
        {
            Ingested::Stored(ack) => pb::IngestEventsResponse {
                session_token: ack.session_token,
                accepted: ack.accepted,
                duplicates: ack.duplicates,
                over_quota: ack.over_quota.then_some(true),
                shed: None,
            },
            Ingested::Shed => pb::IngestEventsResponse {
                shed: Some(true),
                ..Default::default()
            },
        };
        Ok(Response::new(reply))
    }

    async fn create_challenge(
        &self,
        req: Request<pb::CreateChallengeRequest>,
    ) -> Rpc<pb::Challenge> {
        let creds = credentials(req.metadata());
        let client = client_info(&req);
        let r = req.into_inner();
        ok(self
            .core
            .create_challenge(&creds, r.site_key.as_deref(), &client)
            .await
            .map(|c| pb::Challenge {
                challenge: c.challenge,
                algorithm: crate::integrity::ALGORITHM.to_string(),
                difficulty: c.difficulty,
                expires_at: chrono::DateTime::from_timestamp_millis(c.expires_at_ms)
                    .unwrap_or_default()
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            }))
    }
}

#[tonic::async_trait]
impl pb::verdict_service_server::VerdictService for Api {
    async fn get_verdict(&self, req: Request<pb::GetVerdictRequest>) -> Rpc<pb::SessionVerdict> {
        let creds = credentials(req.metadata());
        let r = req.into_inner();
        let ctx = RequestContext {
            path: r.path,
            ip: r.ip,
            country: r.country,
            ua: r.ua,
        };
        ok(self
            .core
            .verdict(&creds, &r.session_token, &ctx)
            .await
            .map(verdict))
    }
}

#[tonic::async_trait]
impl pb::project_service_server::ProjectService for Api {
    async fn create_project(&self, req: Request<pb::CreateProjectRequest>) -> Rpc<pb::Project> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .create_project(&creds, &req.into_inner().name)
            .await
            .map(project))
    }

    async fn list_projects(
        &self,
        req: Request<pb::ListProjectsRequest>,
    ) -> Rpc<pb::ListProjectsResponse> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .list_projects(&creds)
            .await
            .map(|ps| pb::ListProjectsResponse {
                projects: ps.into_iter().map(project).collect(),
            }))
    }

    async fn get_project(&self, req: Request<pb::GetProjectRequest>) -> Rpc<pb::Project> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .get_project(&creds, req.into_inner().project)
            .await
            .map(project))
    }

    async fn delete_project(
        &self,
        req: Request<pb::DeleteProjectRequest>,
    ) -> Rpc<pbjson_types::Empty> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .delete_project(&creds, req.into_inner().project)
            .await
            .map(|()| pbjson_types::Empty {}))
    }
}

#[tonic::async_trait]
impl pb::scoring_service_server::ScoringService for Api {
    async fn enable_scoring(
        &self,
        req: Request<pb::EnableScoringRequest>,
    ) -> Rpc<pb::EnableScoringResponse> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .enable_scoring(&creds, req.into_inner().project)
            .await
            .map(|e| pb::EnableScoringResponse {
                site_key: e.site_key,
                private_key: e.private_key.map(Into::into),
                bot_settings: Some(bot_settings(&e.policy)),
                likely_bot_threshold: e.policy.threshold as u32,
            }))
    }

    async fn get_scoring(&self, req: Request<pb::GetScoringRequest>) -> Rpc<pb::ScoringState> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .get_scoring(&creds, req.into_inner().project)
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
        let creds = credentials(req.metadata());
        ok(self
            .core
            .disable_scoring(&creds, req.into_inner().project)
            .await
            .map(|()| pbjson_types::Empty {}))
    }

    async fn update_scoring_settings(
        &self,
        req: Request<pb::UpdateScoringSettingsRequest>,
    ) -> Rpc<pb::ScoringSettings> {
        let creds = credentials(req.metadata());
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
            .update_settings(&creds, r.project, patch)
            .await
            .map(|s| pb::ScoringSettings {
                bot_settings: Some(bot_settings(&s.policy)),
                likely_bot_threshold: s.policy.threshold as u32,
                challenge_difficulty: s.challenge_difficulty,
            }))
    }

    async fn rotate_key(&self, req: Request<pb::RotateKeyRequest>) -> Rpc<pb::RotateKeyResponse> {
        let creds = credentials(req.metadata());
        let r = req.into_inner();
        let kind = match pb::KeyType::try_from(r.r#type) {
            Ok(pb::KeyType::Site) => Some(KeyType::Site),
            Ok(pb::KeyType::Private) => Some(KeyType::Private),
            _ => None,
        };
        ok(self
            .core
            .rotate_key(&creds, r.project, kind)
            .await
            .map(|(kind, key)| pb::RotateKeyResponse {
                r#type: match kind {
                    KeyType::Site => pb::KeyType::Site,
                    KeyType::Private => pb::KeyType::Private,
                } as i32,
                key,
            }))
    }
}

#[tonic::async_trait]
impl pb::account_service_server::AccountService for Api {
    async fn get_account(&self, req: Request<pb::GetAccountRequest>) -> Rpc<pb::Account> {
        let creds = credentials(req.metadata());
        ok(self.core.account(&creds).await.map(|(a, p)| pb::Account {
            id: a.id as u32,
            name: a.name,
            slug: a.slug,
            is_personal: a.is_personal,
            role: p.role,
        }))
    }

    async fn get_user(&self, req: Request<pb::GetUserRequest>) -> Rpc<pb::User> {
        let creds = credentials(req.metadata());
        ok(self.core.user(&creds).await.map(|u| pb::User {
            id: u.id as u32,
            name: u.name,
            email: u.email,
            created_at: Some(timestamp(u.created_at)),
        }))
    }
}

#[tonic::async_trait]
impl pb::detection_service_server::DetectionService for Api {
    async fn list_detections(
        &self,
        _req: Request<pb::ListDetectionsRequest>,
    ) -> Rpc<pb::ListDetectionsResponse> {
        Ok(Response::new(pb::ListDetectionsResponse {
            detections: registry::REGISTRY
                .iter()
                .map(|d| pb::Detection {
                    id: d.id,
                    hex: d.hex(),
                    family: d.family.as_str().to_string(),
                    family_byte: d.family.byte() as u32,
                    engine: d.engine.to_string(),
                    name: d.name.to_string(),
                    label: d.label.to_string(),
                    description: d.description.to_string(),
                })
                .collect(),
        }))
    }
}

#[tonic::async_trait]
impl pb::rule_service_server::RuleService for Api {
    async fn list_rules(&self, req: Request<pb::ListRulesRequest>) -> Rpc<pb::ListRulesResponse> {
        let creds = credentials(req.metadata());
        ok(self
            .core
            .list_rules(&creds, req.into_inner().project)
            .await
            .map(|rs| pb::ListRulesResponse {
                rules: rs.into_iter().map(rule).collect(),
            }))
    }

    async fn create_rule(&self, req: Request<pb::CreateRuleRequest>) -> Rpc<pb::Rule> {
        let creds = credentials(req.metadata());
        let r = req.into_inner();
        let change = RuleChange {
            name: Some(r.name),
            expression: Some(r.expression),
            action: rule_action(r.action)?,
            is_active: r.is_active,
            sort_order: r.sort_order,
        };
        ok(self
            .core
            .create_rule(&creds, r.project, change)
            .await
            .map(rule))
    }

    async fn get_rule(&self, req: Request<pb::GetRuleRequest>) -> Rpc<pb::Rule> {
        let creds = credentials(req.metadata());
        let r = req.into_inner();
        ok(self
            .core
            .get_rule(&creds, r.project, r.rule)
            .await
            .map(rule))
    }

    async fn update_rule(&self, req: Request<pb::UpdateRuleRequest>) -> Rpc<pb::Rule> {
        let creds = credentials(req.metadata());
        let r = req.into_inner();
        let change = RuleChange {
            name: r.name,
            expression: r.expression,
            action: rule_action(r.action)?,
            is_active: r.is_active,
            sort_order: r.sort_order,
        };
        ok(self
            .core
            .update_rule(&creds, r.project, r.rule, change)
            .await
            .map(rule))
    }

    async fn delete_rule(&self, req: Request<pb::DeleteRuleRequest>) -> Rpc<pbjson_types::Empty> {
        let creds = credentials(req.metadata());
        let r = req.into_inner();
        ok(self
            .core
            .delete_rule(&creds, r.project, r.rule)
            .await
            .map(|()| pbjson_types::Empty {}))
    }
}

#[tonic::async_trait]
impl pb::verified_bot_service_server::VerifiedBotService for Api {
    async fn export_verified_bots(
        &self,
        req: Request<pb::ExportVerifiedBotsRequest>,
    ) -> Rpc<pb::ExportVerifiedBotsResponse> {
        let creds = credentials(req.metadata());
        ok(self.core.export_verified_bots(&creds).await.map(|body| {
            pb::ExportVerifiedBotsResponse {
                meta: Some(pb::ExportMeta {
                    count: body.meta.count as u32,
                }),
                data: body
                    .data
                    .into_iter()
                    .map(|r| pb::VerifiedBot {
                        name: r.name,
                        category: r.category.as_str().to_string(),
                        match_method: r.match_method.as_str().to_string(),
                        match_value: r.match_value,
                    })
                    .collect(),
            }
        }))
    }
}
