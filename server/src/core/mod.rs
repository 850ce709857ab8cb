//! The transport-agnostic core: every operation of the API, called alike by gRPC, gRPC-web
//! and REST (which reach it through the same tonic service implementations).
pub mod admin;
pub mod api_tokens;
pub mod auth;
pub mod challenges;
#[cfg(test)]
mod control_plane_use_case_tests;
pub mod dashboard;
#[cfg(test)]
mod fake_control_plane;
#[cfg(test)]
mod fake_store;
pub mod ingest;
#[cfg(test)]
mod ingest_use_case_tests;
pub mod keys;
pub mod logged_in;
pub mod plans;
pub mod policy;
pub mod preview;
pub mod project_rules;
pub mod queue;
mod records;
pub mod retention;
pub mod scoring;
#[cfg(test)]
mod scoring_use_case_tests;
pub mod server_ingest;
pub mod sessions;
pub mod shedding;
pub mod stats;
pub mod verdict_cache;
#[cfg(test)]
mod verdict_use_case_tests;

use std::{net::IpAddr, sync::Arc, time::Duration};

use crate::domain::{
    Account, BotSettings, IncomingBatch, Policy, Project, Receipt, RequestContext, SettingsPatch,
    User, VerdictOut,
};
use crate::{
    engines::heuristics,
    error::{ApiError, ApiResult, ErrorCode},
    store::{
        AccountReads, ChangeFeed, IngestAck, IngestOutcome, IngestWrite, IngestWrites, ProjectRow,
        ProjectStore, RequestRecord, ScoringRow, SiteKeyPrincipal, Store, TokenPrincipal,
        VerdictReads,
    },
};

/// Runtime knobs of the core.
#[derive(Debug, Clone)]
pub struct CoreConfig {
    /// Upper bound of a verdict read's store access; past it the read fails open.
    pub verdict_timeout: Duration,
    /// Upper bound of an ingest batch's wait for the store; past it the batch gets 503
    /// (nothing is acknowledged; a retry with the same Idempotency-Key is safe).
    pub ingest_timeout: Duration,
    /// Most ingest batches on the write path at once; beyond it a batch is shed
    /// ([`shedding::IngestGate`]).
    pub max_pending_ingest: usize,
    /// Most verdict-cache entries (`--verdict-cache-entries`; 0: no cache).
    pub verdict_cache_entries: usize,
}

/// Default of [`CoreConfig::max_pending_ingest`] (`--max-pending-ingest`).
pub const DEFAULT_MAX_PENDING_INGEST: usize = 512;

impl Default for CoreConfig {
    fn default() -> Self {
        CoreConfig {
            verdict_timeout: Duration::from_millis(300),
            ingest_timeout: Duration::from_secs(5),
            max_pending_ingest: DEFAULT_MAX_PENDING_INGEST,
            verdict_cache_entries: verdict_cache::DEFAULT_ENTRIES,
        }
    }
}

/// The core over a store: [`Store`] in the server; the use cases written against the
/// store's small traits (`store::uses`) also run over the in-memory fake of their tests.
pub struct Core<S = Store> {
    store: S,
    feed: ChangeFeed,
    config: CoreConfig,
    verifier: crate::verified::Verifier,
    rules_cache: project_rules::RulesCache,
    /// The challenges' HMAC key, shared by every process of the database.
    challenge_secret: crate::integrity::Secret,
    /// The store's last health probe passed (gRPC health, `/readyz`).
    ready: std::sync::atomic::AtomicBool,
    /// The bound on ingest batches in flight (overload shedding).
    ingest_gate: shedding::IngestGate,
    /// What verdict reads took from the store, while no commit touched it.
    verdict_cache: verdict_cache::VerdictCache,
}

/// The stored (or replayed) acknowledgement as the domain's receipt.
fn receipt(a: IngestAck) -> Receipt {
    Receipt {
        session_token: a.session_token,
        accepted: a.accepted,
        duplicates: a.duplicates,
        over_quota: a.over_quota,
    }
}

/// What became of an ingest batch that was not refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Ingested {
    /// Durably stored (or an idempotent replay of a stored batch): `202`.
    Stored(Receipt),
    /// Shed under overload: nothing stored, not to be retried (`204`, gRPC `shed: true`).
    Shed,
}

/// Longest a verdict read waits for a verified-bot DNS check (an unfinished check counts as
/// unverified and completes in the background).
pub const VERIFY_BOUND: Duration = Duration::from_millis(100);

/// Scoring state of a project as the control plane reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoringState {
    pub enabled: bool,
    pub site_key: Option<String>,
    pub settings: Settings,
}

/// Result of enabling scoring.
#[derive(Debug, Clone, PartialEq)]
pub struct Enabled {
    pub site_key: String,
    /// Only on first enablement.
    pub private_key: Option<String>,
    pub policy: Policy,
}

/// Facts about the HTTP request that carried an ingest batch, captured at the transport
/// edge for the heuristics engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// The socket peer's address. `X-Forwarded-For` is not trusted (docs/detections.md).
    pub ip: Option<IpAddr>,
    /// The `User-Agent` header. Only its hash and class are stored.
    pub user_agent: Option<String>,
    /// Header-shape flags (`engines::heuristics::header_flags`).
    pub header_flags: u32,
    /// JA4 of the TLS ClientHello (Botect's own TLS, or a trusted proxy's header).
    pub ja4: Option<String>,
}

impl ClientInfo {
    /// What is stored of it.
    pub fn record(&self) -> RequestRecord {
        RequestRecord {
            client_ip: self.ip.map(|ip| ip.to_canonical().to_string()),
            ua_hash: self.user_agent.as_deref().map(heuristics::ua_hash),
            ua_class: Some(heuristics::classify(self.user_agent.as_deref()).to_string()),
            header_flags: self.header_flags as i32,
            integrity: 0,
            channel: crate::domain::Channel::Browser.code(),
            ja4: self.ja4.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyType {
    Site,
    Private,
}

/// A project's policy from its stored columns.
fn policy(
    allow_verified: bool,
    protect_static: bool,
    block_definite: bool,
    challenge_likely: bool,
    threshold: i32,
) -> Policy {
    Policy {
        bot: BotSettings {
            allow_verified,
            protect_static,
            block_definite,
            challenge_likely,
        },
        threshold: threshold.clamp(1, 99) as u8,
    }
}

/// What the control plane reports of a project's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub policy: Policy,
    pub challenge_difficulty: u32,
}

fn settings_of(row: &ScoringRow) -> Settings {
    Settings {
        policy: policy_of(row),
        challenge_difficulty: row.challenge_difficulty.clamp(0, 255) as u32,
    }
}

/// A settings patch's ranges (the settings endpoint and the scoring preview).
fn check_settings(patch: &SettingsPatch) -> ApiResult<()> {
    if let Some(t) = patch.likely_bot_threshold
        && !(1..=99).contains(&t)
    {
        return Err(ApiError::invalid(
            "likely_bot_threshold",
            format!("\"likely_bot_threshold\" must be an integer from 1 to 99; got {t}."),
        ));
    }
    if let Some(d) = patch.challenge_difficulty
        && !(0..=crate::integrity::MAX_DIFFICULTY as i32).contains(&d)
    {
        return Err(ApiError::invalid(
            "challenge_difficulty",
            format!(
                "\"challenge_difficulty\" must be an integer from 0 to {}; got {d}.",
                crate::integrity::MAX_DIFFICULTY
            ),
        ));
    }
    Ok(())
}

fn policy_of(row: &ScoringRow) -> Policy {
    policy(
        row.allow_verified,
        row.protect_static,
        row.block_definite,
        row.challenge_likely,
        row.likely_bot_threshold,
    )
}

/// Converts a store failure into the 503 the control plane answers.
fn from_store<T>(r: Result<T, sea_orm::DbErr>) -> ApiResult<T> {
    r.map_err(|e| {
        crate::metrics::store_error("request");
        ApiError::from(e)
    })
}

/// [`from_store`] for a write racing a deletion: a write that failed because its project (or
/// session) was deleted meanwhile answers `gone()` (the 404 or 401 the caller would get a
/// moment later), not 503, and logs no error.
fn from_store_unless_gone<T>(
    r: Result<T, sea_orm::DbErr>,
    gone: impl FnOnce() -> ApiError,
) -> ApiResult<T> {
    r.map_err(|e| {
        if crate::store::is_gone(&e) {
            tracing::debug!(error = %e, "write raced a deletion");
            gone()
        } else {
            crate::metrics::store_error("request");
            ApiError::from(e)
        }
    })
}

fn project_id(id: u32) -> ApiResult<i32> {
    i32::try_from(id)
        .ok()
        .filter(|i| *i > 0)
        .ok_or_else(|| ApiError::invalid("project", "\"project\" must be a positive project id."))
}

impl Core {
    /// The core over a migrated store; loads (or, on first start, creates) the server's
    /// challenge secret.
    /// Connects to (and migrates) the database at `database_url`, then [`Core::new`].
    pub async fn connect(
        database_url: &str,
        config: CoreConfig,
        verifier: crate::verified::Verifier,
    ) -> Result<Core, sea_orm::DbErr> {
        Core::new(Store::connect(database_url).await?, config, verifier).await
    }

    pub async fn new(
        store: Store,
        config: CoreConfig,
        verifier: crate::verified::Verifier,
    ) -> Result<Core, sea_orm::DbErr> {
        let challenge_secret = challenges::load_secret(&store).await?;
        Ok(Core::assemble(store, config, verifier, challenge_secret))
    }
}

impl<S> Core<S> {
    /// The core over any store (the server's, or a test's fake).
    fn assemble(
        store: S,
        config: CoreConfig,
        verifier: crate::verified::Verifier,
        challenge_secret: crate::integrity::Secret,
    ) -> Core<S> {
        Core {
            store,
            feed: ChangeFeed::default(),
            verifier,
            rules_cache: project_rules::RulesCache::default(),
            challenge_secret,
            ready: std::sync::atomic::AtomicBool::new(true),
            ingest_gate: shedding::IngestGate::new(config.max_pending_ingest),
            verdict_cache: verdict_cache::VerdictCache::new(config.verdict_cache_entries),
            config,
        }
    }
}

/// The token's account and user: written against [`AccountReads`].
impl<S: AccountReads> Core<S> {
    // ---- account ----

    /// The token's account, and the token user's role in it.
    pub async fn account(&self, p: &TokenPrincipal) -> ApiResult<(Account, String)> {
        let a = from_store(self.store.account(p.account_id).await)?.ok_or_else(|| {
            ApiError::forbidden("The token is not bound to an accessible account.")
        })?;
        Ok((records::account(a), p.role.clone()))
    }

    pub async fn user(&self, p: &TokenPrincipal) -> ApiResult<User> {
        from_store(self.store.user(p.user_id).await)?
            .map(records::user)
            .ok_or_else(|| ApiError::forbidden("The token's user no longer exists."))
    }
}

/// The control plane: written against [`ProjectStore`] (unit-tested over `fake_store`).
impl<S: ProjectStore> Core<S> {
    // ---- credentials ----

    /// The project, which must belong to the principal's account (404 / 403).
    async fn owned_project(&self, p: &TokenPrincipal, project: u32) -> ApiResult<ProjectRow> {
        let id = project_id(project)?;
        match from_store(self.store.project(id).await)? {
            None => Err(ApiError::not_found(format!(
                "Project {project} does not exist."
            ))),
            Some(row) if row.account_id != p.account_id => Err(ApiError::forbidden(format!(
                "Project {project} does not belong to this account."
            ))),
            Some(row) => Ok(row),
        }
    }

    // ---- projects ----

    pub async fn create_project(&self, p: &TokenPrincipal, name: &str) -> ApiResult<Project> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(ApiError::invalid(
                "name",
                "\"name\" must be 1 to 200 characters.",
            ));
        }
        from_store(self.store.create_project(p.account_id, name).await).map(records::project)
    }

    pub async fn list_projects(&self, p: &TokenPrincipal) -> ApiResult<Vec<Project>> {
        Ok(from_store(self.store.projects(p.account_id).await)?
            .into_iter()
            .map(records::project)
            .collect())
    }

    pub async fn get_project(&self, p: &TokenPrincipal, project: u32) -> ApiResult<Project> {
        self.owned_project(p, project).await.map(records::project)
    }

    pub async fn delete_project(&self, p: &TokenPrincipal, project: u32) -> ApiResult<()> {
        let row = self.owned_project(p, project).await?;
        from_store(self.store.delete_project(row.id).await)?;
        Ok(())
    }

    // ---- scoring configuration ----

    /// Works without a subscription (contract §2).
    pub async fn enable_scoring(&self, p: &TokenPrincipal, project: u32) -> ApiResult<Enabled> {
        let row = self.owned_project(p, project).await?;
        let site_key = keys::new_site_key();
        let private_key = keys::new_private_key();
        let (scoring, minted) = from_store_unless_gone(
            self.store
                .enable_scoring(row.id, &site_key, &keys::hash_secret(&private_key))
                .await,
            || ApiError::not_found(format!("Project {project} does not exist.")),
        )?;
        Ok(Enabled {
            site_key: scoring.site_key.clone().unwrap_or_default(),
            private_key: minted.then_some(private_key),
            policy: policy_of(&scoring),
        })
    }

    pub async fn get_scoring(&self, p: &TokenPrincipal, project: u32) -> ApiResult<ScoringState> {
        let row = self.owned_project(p, project).await?;
        let s = from_store(self.store.scoring(row.id).await)?
            .ok_or_else(|| ApiError::not_found("No scoring configuration."))?;
        Ok(ScoringState {
            enabled: s.enabled,
            site_key: s.site_key.clone(),
            settings: settings_of(&s),
        })
    }

    pub async fn disable_scoring(&self, p: &TokenPrincipal, project: u32) -> ApiResult<()> {
        let row = self.owned_project(p, project).await?;
        from_store(self.store.disable_scoring(row.id).await)?;
        Ok(())
    }

    pub async fn update_settings(
        &self,
        p: &TokenPrincipal,
        project: u32,
        patch: SettingsPatch,
    ) -> ApiResult<Settings> {
        let row = self.owned_project(p, project).await?;
        check_settings(&patch)?;
        let s = from_store(self.store.update_settings(row.id, &patch).await)?
            .ok_or_else(|| ApiError::not_found("No scoring configuration."))?;
        Ok(settings_of(&s))
    }

    pub async fn rotate_key(
        &self,
        p: &TokenPrincipal,
        project: u32,
        kind: Option<KeyType>,
    ) -> ApiResult<(KeyType, String)> {
        let row = self.owned_project(p, project).await?;
        let Some(kind) = kind else {
            return Err(ApiError::invalid(
                "type",
                "\"type\" must be \"site\" or \"private\".",
            ));
        };
        let (rotated, key) = match kind {
            KeyType::Site => {
                let key = keys::new_site_key();
                (
                    from_store(self.store.rotate_site_key(row.id, &key).await)?,
                    key,
                )
            }
            KeyType::Private => {
                let key = keys::new_private_key();
                (
                    from_store(
                        self.store
                            .rotate_private_key(row.id, &keys::hash_secret(&key))
                            .await,
                    )?,
                    key,
                )
            }
        };
        if !rotated {
            return Err(ApiError::new(
                ErrorCode::ScoringNotEnabled,
                format!(
                    "Scoring is not enabled for project {project}; enable it before rotating keys."
                ),
            ));
        }
        Ok((kind, key))
    }

    // ---- data plane ----
}

/// Ingest: written against [`IngestWrites`] (unit-tested over `fake_store`).
impl<S: IngestWrites> Core<S> {
    /// The project of a site key checked for shape ([`auth::SiteKey`]), with an active
    /// subscription when the method needs one.
    async fn site_key_principal(&self, site_key: &auth::SiteKey) -> ApiResult<SiteKeyPrincipal> {
        let principal = from_store(self.store.site_key_principal(&site_key.key).await)?
            .ok_or_else(|| {
                ApiError::unauthenticated("Unknown or rotated site key, or scoring is not enabled.")
            })?;
        if site_key.subscription && !principal.subscription_active {
            return Err(ApiError::no_subscription());
        }
        Ok(principal)
    }

    /// The project of a private key checked for shape, with an active subscription when
    /// the method needs one (server-side ingest).
    async fn private_key_principal(&self, key: &auth::PrivateKey) -> ApiResult<SiteKeyPrincipal> {
        let principal = from_store(self.store.private_key_principal(&key.hash).await)?
            .ok_or_else(gone_private_key)?;
        if key.subscription && !principal.subscription_active {
            return Err(ApiError::no_subscription());
        }
        Ok(principal)
    }

    /// Stores a batch and queues its session for scoring. Returns once committed.
    /// `idempotency_key`: the request's `Idempotency-Key` header.
    pub async fn ingest(
        &self,
        site_key: &auth::SiteKey,
        idempotency_key: Option<&str>,
        batch: IncomingBatch,
        client: &ClientInfo,
    ) -> ApiResult<Ingested> {
        // Checks that need no store come before the overload gate, so bad input always gets
        // its error; the gate comes before the site key's lookup.
        let Some(_place) = self.ingest_gate.admit() else {
            ingest::prepared(batch)?;
            return Ok(Ingested::Shed);
        };
        let principal = self.site_key_principal(site_key).await?;
        let batch = ingest::prepared(batch)?;
        let idempotency = ingest::idempotency(idempotency_key, || ingest::batch_hash(&batch))?;
        let (integrity, redeem) =
            self.check_proof(batch.integrity.as_ref(), principal.project_id, client);
        let session_token = batch
            .session_token
            .filter(|t| t.starts_with(keys::SESSION_PREFIX) && t.len() <= 80);
        let write = IngestWrite {
            project_id: principal.project_id,
            account_id: principal.account_id,
            monthly_event_quota: principal.monthly_event_quota,
            session_token,
            // A browser never picks its session: an unknown token gets a new one.
            adopt: false,
            events: ingest::new_events(batch.events),
            idempotency,
            request: RequestRecord {
                integrity: integrity.code(),
                ..client.record()
            },
            redeem,
        };
        self.store_batch(write, gone_site_key).await
    }

    /// A data-plane write bounded by the ingest timeout (past it: `503`, nothing
    /// acknowledged; a retry with the same Idempotency-Key is safe).
    async fn bounded_write<T>(
        &self,
        write: impl std::future::Future<Output = Result<T, sea_orm::DbErr>>,
    ) -> ApiResult<Result<T, sea_orm::DbErr>> {
        tokio::time::timeout(self.config.ingest_timeout, write)
            .await
            .map_err(|_| {
                tracing::warn!(
                    timeout_ms = self.config.ingest_timeout.as_millis() as u64,
                    "ingest timed out waiting for the store"
                );
                ApiError::new(
                    ErrorCode::Unavailable,
                    "The store did not take the request in time; retry with the same Idempotency-Key.",
                )
            })
    }

    /// Stores a checked batch; `gone`: the error when its credential's project went away
    /// meanwhile.
    async fn store_batch(&self, write: IngestWrite, gone: fn() -> ApiError) -> ApiResult<Ingested> {
        let stored = self
            .bounded_write(self.store.ingest(write, keys::new_session_token))
            .await?;
        match from_store_unless_gone(stored, gone)? {
            IngestOutcome::Stored(ack) => {
                crate::metrics::events(ack.accepted, ack.duplicates);
                if ack.accepted > 0 {
                    self.feed.pending.notify_waiters();
                }
                Ok(Ingested::Stored(receipt(ack)))
            }
            IngestOutcome::Replayed(ack) => Ok(Ingested::Stored(receipt(ack))),
            IngestOutcome::KeyReused => Err(key_reused()),
            IngestOutcome::ForeignSession => Err(server_ingest::foreign_session()),
        }
    }
}

fn gone_site_key() -> ApiError {
    ApiError::unauthenticated("Unknown or rotated site key, or scoring is not enabled.")
}

fn gone_private_key() -> ApiError {
    ApiError::unauthenticated("Unknown or rotated private key, or scoring is not enabled.")
}

fn key_reused() -> ApiError {
    ApiError::new(
        ErrorCode::IdempotencyKeyReused,
        "This Idempotency-Key was already used with a different request body.",
    )
    .with_detail("field", "Idempotency-Key")
}

/// Verdict reads: written against [`VerdictReads`] (unit-tested over `fake_store`).
impl<S: VerdictReads> Core<S> {
    /// A session's verdict. Unknown, unscored and other projects' sessions, and any store
    /// failure or timeout, get the fail-open body; only credential problems are errors.
    pub async fn verdict(
        &self,
        key: &auth::PrivateKey,
        session_token: &str,
        ctx: &RequestContext,
    ) -> ApiResult<VerdictOut> {
        let hash = &key.hash;
        // One deadline bounds the whole read: the row, the rules (on a cache miss) and the
        // verified-bot check.
        let deadline = tokio::time::Instant::now() + self.config.verdict_timeout;
        let stored = match self.stored_verdict(hash, session_token, deadline).await? {
            Some(stored) => stored,
            None => return Ok(VerdictOut::fail_open()),
        };
        if key.subscription && !stored.subscription_active {
            return Err(ApiError::no_subscription());
        }
        let rules = match tokio::time::timeout_at(
            deadline,
            self.compiled_rules(stored.project_id, stored.rules_version),
        )
        .await
        {
            Ok(Ok(rules)) => rules,
            Ok(Err(e)) => {
                crate::metrics::fail_open("rules_error");
                crate::metrics::store_error("verdict_rules");
                tracing::warn!(error = %e, "loading rules failed; failing open");
                return Ok(VerdictOut::fail_open());
            }
            Err(_) => {
                crate::metrics::fail_open("rules_timeout");
                tracing::warn!("loading rules timed out; failing open");
                return Ok(VerdictOut::fail_open());
            }
        };
        let verification = match ctx.ip.trim().parse::<std::net::IpAddr>() {
            Ok(ip) => {
                let left = deadline.saturating_duration_since(tokio::time::Instant::now());
                let bound = left.min(VERIFY_BOUND);
                Some(
                    self.verifier
                        .verify_with_timeout(ip, ctx.ua.trim(), bound)
                        .await,
                )
            }
            Err(_) => None,
        };
        let facts = policy::ReadFacts {
            js_passed: stored.js_passed,
            mouse_entropy: stored.mouse_entropy,
            scroll_velocity: stored.scroll_velocity,
            visibility_changes: stored.visibility_changes,
            first_input_delay_ms: stored.first_input_delay_ms,
            session: policy::SessionFacts::of(
                stored.logged_in,
                stored.ja4.as_deref(),
                stored.client_ip.as_deref(),
            ),
            verified: verification.as_ref().filter(|v| v.verified).and_then(|v| {
                Some((
                    v.name.as_deref()?,
                    v.category.map(|c| c.as_str()).unwrap_or_default(),
                ))
            }),
        };
        let out = policy::decide(stored.scored.as_ref(), &stored.policy, ctx, &rules, &facts);
        if out.band == crate::domain::Band::NotComputed {
            crate::metrics::fail_open("not_scored");
        }
        Ok(out)
    }

    /// The stored part of `(key_hash, session_token)`'s verdict: from the verdict cache while
    /// no commit touched it, else from the store (then kept). `Ok(None)`: the store failed or
    /// timed out (the caller fails open); an unknown key is an error.
    async fn stored_verdict(
        &self,
        hash: &str,
        session_token: &str,
        deadline: tokio::time::Instant,
    ) -> ApiResult<Option<Arc<verdict_cache::StoredVerdict>>> {
        // Taken before the read: a commit during the read leaves a newer stamp behind.
        let stamp = self.store.change_stamp(session_token);
        if let Some(stored) = self.verdict_cache.get(hash, session_token, stamp) {
            return Ok(Some(stored));
        }
        let lookup = tokio::time::timeout_at(
            deadline,
            self.store
                .verdict_row(hash, session_token, deadline.into_std()),
        )
        .await;
        match lookup {
            Ok(Ok(Some(row))) if keys::hashes_match(&row.private_key_hash, hash) => {
                let stored = Arc::new(verdict_cache::StoredVerdict::from_row(&row));
                self.verdict_cache
                    .put(hash, session_token, stamp, stored.clone());
                Ok(Some(stored))
            }
            Ok(Ok(_)) => Err(ApiError::unauthenticated(
                "Unknown or rotated private key, or scoring is not enabled.",
            )),
            Ok(Err(e)) => {
                crate::metrics::fail_open("store_error");
                crate::metrics::store_error("verdict_read");
                tracing::warn!(error = %e, "verdict read failed; failing open");
                Ok(None)
            }
            Err(_) => {
                crate::metrics::fail_open("store_timeout");
                tracing::warn!("verdict read timed out; failing open");
                Ok(None)
            }
        }
    }
}
