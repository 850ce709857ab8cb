//! What each of the core's use cases needs from the store, as small traits: the core's
//! generic use cases are written against these, so they run the same on [`Store`] and on
//! the in-memory fake their unit tests use (`core::fake_store`).
use std::{future::Future, time::Instant};

use sea_orm::DbErr;

use super::{
    AccountRow, ApiTokenRow, BatchRecord, Claim, DashboardPrincipalRow, DetectionTotal,
    EventTypeCount, FeedbackRecord, IngestOutcome, IngestWrite, LabelCount, LoggedInOutcome,
    PageHitOutcome, PageHitWrite, PasswordRow, ProjectRow, RuleRow, RuleWrite, ScoreHour,
    ScoreWrite, ScoringRow, SessionFilter, SessionRecord, SiteKeyPrincipal, Stamp, StoredEvent,
    StoredPageHit, StoredRequest, StoredScore, TokenPrincipal, TrafficCounts, TrafficHour, UserRow,
    VerdictRow,
};
use crate::domain::SettingsPatch;

/// Authenticating an account token.
pub trait TokenAuth: Send + Sync {
    /// The unrevoked token with this SHA-256, with its user and account.
    fn token_principal(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<TokenPrincipal>, DbErr>> + Send;

    /// The user and account behind a dashboard session's cookie hash, unless the session is
    /// revoked or expired at `now`.
    fn dashboard_principal(
        &self,
        token_hash: &str,
        now: i64,
    ) -> impl Future<Output = Result<Option<DashboardPrincipalRow>, DbErr>> + Send;

    /// Records that the token authenticated a request at `at` (Unix ms); never moves the
    /// time back. The core calls it at most once a minute per token.
    fn mark_token_used(
        &self,
        token_id: i32,
        at: i64,
    ) -> impl Future<Output = Result<(), DbErr>> + Send;
}

/// A user's account API tokens (implemented in `store::accounts`). Only hashes are stored;
/// the core mints the secret.
pub trait ApiTokenStore: Send + Sync {
    /// The user's unrevoked tokens, oldest first.
    fn api_tokens(
        &self,
        user_id: i32,
    ) -> impl Future<Output = Result<Vec<ApiTokenRow>, DbErr>> + Send;

    fn insert_token(
        &self,
        user_id: i32,
        name: &str,
        token_hash: &str,
    ) -> impl Future<Output = Result<ApiTokenRow, DbErr>> + Send;

    /// Whether an unrevoked token of that user was revoked.
    fn revoke_token(
        &self,
        user_id: i32,
        token_id: i32,
    ) -> impl Future<Output = Result<bool, DbErr>> + Send;
}

/// The control plane's reads of an account and a user (implemented in `store::accounts`).
pub trait AccountReads: Send + Sync {
    fn account(&self, id: i32) -> impl Future<Output = Result<Option<AccountRow>, DbErr>> + Send;

    fn user(&self, id: i32) -> impl Future<Output = Result<Option<UserRow>, DbErr>> + Send;

    /// Events the account ingested this billing month.
    fn events_this_period(
        &self,
        account_id: i32,
    ) -> impl Future<Output = Result<i64, DbErr>> + Send;
}

/// An account's projects and their scoring configuration (implemented in `store::projects`).
/// The store keeps what it is given: keys are minted and hashed by the core, and only the
/// hash of a private key ever reaches it.
pub trait ProjectStore: Send + Sync {
    fn create_project(
        &self,
        account_id: i32,
        name: &str,
    ) -> impl Future<Output = Result<ProjectRow, DbErr>> + Send;

    fn project(&self, id: i32) -> impl Future<Output = Result<Option<ProjectRow>, DbErr>> + Send;

    /// The account's projects, oldest first.
    fn projects(
        &self,
        account_id: i32,
    ) -> impl Future<Output = Result<Vec<ProjectRow>, DbErr>> + Send;

    /// Rows deleted (0: it was already gone).
    fn delete_project(&self, id: i32) -> impl Future<Output = Result<u64, DbErr>> + Send;

    fn scoring(
        &self,
        project_id: i32,
    ) -> impl Future<Output = Result<Option<ScoringRow>, DbErr>> + Send;

    /// Enables scoring; keys are stored only when the project has none yet. The boolean:
    /// whether these keys were stored (else the existing ones stay).
    fn enable_scoring(
        &self,
        project_id: i32,
        site_key: &str,
        private_key_hash: &str,
    ) -> impl Future<Output = Result<(ScoringRow, bool), DbErr>> + Send;

    fn disable_scoring(&self, project_id: i32) -> impl Future<Output = Result<u64, DbErr>> + Send;

    /// The patched configuration; `None`: the project has none.
    fn update_settings(
        &self,
        project_id: i32,
        patch: &SettingsPatch,
    ) -> impl Future<Output = Result<Option<ScoringRow>, DbErr>> + Send;

    /// Whether a key was replaced (false: scoring is not enabled).
    fn rotate_site_key(
        &self,
        project_id: i32,
        site_key: &str,
    ) -> impl Future<Output = Result<bool, DbErr>> + Send;

    fn rotate_private_key(
        &self,
        project_id: i32,
        private_key_hash: &str,
    ) -> impl Future<Output = Result<bool, DbErr>> + Send;
}

/// A project's rules (implemented in `store::rules`); every change bumps the project's rules
/// version.
pub trait RuleStore: Send + Sync {
    /// By `sort_order`, then id.
    fn rules(&self, project_id: i32) -> impl Future<Output = Result<Vec<RuleRow>, DbErr>> + Send;

    fn rule(
        &self,
        project_id: i32,
        rule_id: i32,
    ) -> impl Future<Output = Result<Option<RuleRow>, DbErr>> + Send;

    fn insert_rule(
        &self,
        project_id: i32,
        rule: &RuleWrite,
    ) -> impl Future<Output = Result<RuleRow, DbErr>> + Send;

    /// `None`: no such rule.
    fn update_rule(
        &self,
        project_id: i32,
        rule_id: i32,
        rule: &RuleWrite,
    ) -> impl Future<Output = Result<Option<RuleRow>, DbErr>> + Send;

    /// Whether a rule was deleted.
    fn delete_rule(
        &self,
        project_id: i32,
        rule_id: i32,
    ) -> impl Future<Output = Result<bool, DbErr>> + Send;
}

/// Reading a verdict.
pub trait VerdictReads: Send + Sync {
    /// What a read of `token`'s session depends on, as of now; `None`: nothing read may be
    /// cached.
    fn change_stamp(&self, token: &str) -> Option<Stamp>;

    /// Key check, settings, subscription and the session's score in one row; a locked
    /// SQLite file is waited for until `deadline`.
    fn verdict_row(
        &self,
        key_hash: &str,
        token: &str,
        deadline: Instant,
    ) -> impl Future<Output = Result<Option<VerdictRow>, DbErr>> + Send;

    /// The project's rules version and every rule (of that version).
    fn rules_with_version(
        &self,
        project_id: i32,
    ) -> impl Future<Output = Result<(i64, Vec<RuleRow>), DbErr>> + Send;
}

/// Ingesting a batch.
pub trait IngestWrites: Send + Sync {
    /// The enabled project of a site key, with its account's subscription and quota.
    fn site_key_principal(
        &self,
        site_key: &str,
    ) -> impl Future<Output = Result<Option<SiteKeyPrincipal>, DbErr>> + Send;

    /// Stores a batch atomically (a new session's token from `mint`); answers after commit.
    fn ingest(
        &self,
        write: IngestWrite,
        mint: fn() -> String,
    ) -> impl Future<Output = Result<IngestOutcome, DbErr>> + Send;

    /// The enabled project of a private key (by its hash), with its account's subscription
    /// and quota (server-side ingest).
    fn private_key_principal(
        &self,
        private_key_hash: &str,
    ) -> impl Future<Output = Result<Option<SiteKeyPrincipal>, DbErr>> + Send;

    /// Stores a page hit atomically; answers after commit.
    fn record_page_hit(
        &self,
        write: PageHitWrite,
    ) -> impl Future<Output = Result<PageHitOutcome, DbErr>> + Send;
}

/// Scoring claimed sessions.
pub trait ScoringQueue: Send + Sync {
    /// Up to `limit` pending sessions, leased for `lease_ms`.
    fn claim_pending(
        &self,
        limit: u32,
        lease_ms: i64,
    ) -> impl Future<Output = Result<Vec<Claim>, DbErr>> + Send;

    fn session_events(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, DbErr>> + Send;

    /// The session's ingest requests, oldest first.
    fn session_requests(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Vec<StoredRequest>, DbErr>> + Send;

    /// The page hits the site's backend reported for the session, oldest first.
    fn session_page_hits(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Vec<StoredPageHit>, DbErr>> + Send;

    /// The counts around the session up to `at`; per-address counts only for
    /// `counted_address`.
    fn session_traffic(
        &self,
        project_id: i32,
        session_id: i64,
        at: i64,
        counted_address: Option<&str>,
    ) -> impl Future<Output = Result<TrafficCounts, DbErr>> + Send;

    /// The scores of claimed sessions, in one commit.
    fn store_scores(
        &self,
        scores: Vec<ScoreWrite>,
    ) -> impl Future<Output = Result<(), DbErr>> + Send;
}

/// The control plane's reads of a project's sessions, and feedback labels (implemented in
/// `store::sessions`). Labels change nothing a verdict reads.
pub trait SessionReads: Send + Sync {
    /// Newest first (first seen, then id), at most `filter.limit`.
    fn sessions(
        &self,
        project_id: i32,
        filter: &SessionFilter,
    ) -> impl Future<Output = Result<Vec<SessionRecord>, DbErr>> + Send;

    /// Sessions first seen in `[since, until)`, newest first, after the `after` position.
    fn stored_scores(
        &self,
        project_id: i32,
        since: i64,
        until: i64,
        after: Option<(i64, i64)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<StoredScore>, DbErr>> + Send;

    fn session_record(
        &self,
        project_id: i32,
        token: &str,
    ) -> impl Future<Output = Result<Option<SessionRecord>, DbErr>> + Send;

    /// The first `limit` ingest requests, oldest first.
    fn session_batches(
        &self,
        session_id: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<BatchRecord>, DbErr>> + Send;

    fn latest_batch(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Option<BatchRecord>, DbErr>> + Send;

    fn session_event_types(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Vec<EventTypeCount>, DbErr>> + Send;

    /// Replaces the session's label.
    fn set_feedback(
        &self,
        project_id: i32,
        session_id: i64,
        user_id: i32,
        label: &str,
        comment: &str,
    ) -> impl Future<Output = Result<FeedbackRecord, DbErr>> + Send;

    fn feedback(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Option<FeedbackRecord>, DbErr>> + Send;

    fn label_counts(
        &self,
        project_id: i32,
    ) -> impl Future<Output = Result<Vec<LabelCount>, DbErr>> + Send;
}

/// The roll-ups a project's stats read (implemented in `store::rollups`); hours are Unix ms
/// of the hour's start, `from` inclusive, `to` exclusive.
pub trait StatsReads: Send + Sync {
    /// Scored sessions per first-seen hour and score.
    fn score_hours(
        &self,
        project_id: i32,
        from: i64,
        to: i64,
    ) -> impl Future<Output = Result<Vec<ScoreHour>, DbErr>> + Send;

    /// New sessions, events and events over quota per hour.
    fn traffic_hours(
        &self,
        project_id: i32,
        from: i64,
        to: i64,
    ) -> impl Future<Output = Result<Vec<TrafficHour>, DbErr>> + Send;

    /// The most frequent detection IDs of the window, most frequent first.
    fn top_detections(
        &self,
        project_id: i32,
        from: i64,
        to: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DetectionTotal>, DbErr>> + Send;
}

/// Retention's deletes (implemented in `store::sessions`).
pub trait RetentionWrites: Send + Sync {
    /// Deletes up to `limit` sessions last seen before `cutoff` and not waiting for scoring,
    /// with everything that belongs to them (the roll-ups stay); returns how many.
    fn purge_sessions(
        &self,
        cutoff: i64,
        limit: u32,
    ) -> impl Future<Output = Result<u64, DbErr>> + Send;
}

/// Dashboard sign-in (implemented in `store::dashboard`). Only hashes reach it.
pub trait DashboardStore: Send + Sync {
    /// The user with this email (any case) and their password hash, if any.
    fn password_of(
        &self,
        email: &str,
    ) -> impl Future<Output = Result<Option<PasswordRow>, DbErr>> + Send;

    fn password_by_id(
        &self,
        user_id: i32,
    ) -> impl Future<Output = Result<Option<PasswordRow>, DbErr>> + Send;

    /// Whether the user exists (and now has this hash).
    fn set_password(
        &self,
        user_id: i32,
        hash: &str,
    ) -> impl Future<Output = Result<bool, DbErr>> + Send;

    fn create_dashboard_session(
        &self,
        user_id: i32,
        token_hash: &str,
        expires_at: i64,
    ) -> impl Future<Output = Result<(), DbErr>> + Send;

    /// Revokes the user's sessions but `except_session`; returns how many.
    fn revoke_dashboard_sessions(
        &self,
        user_id: i32,
        except_session: Option<i64>,
    ) -> impl Future<Output = Result<u64, DbErr>> + Send;

    fn revoke_dashboard_session(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<(), DbErr>> + Send;

    /// `(failures, last failure)` of a subject (`email:…`, `addr:…`).
    fn signin_failures(
        &self,
        subject: &str,
    ) -> impl Future<Output = Result<Option<(i32, i64)>, DbErr>> + Send;

    fn record_signin_failure(
        &self,
        subject: &str,
        failures: i32,
        at: i64,
    ) -> impl Future<Output = Result<(), DbErr>> + Send;

    fn clear_signin_failures(
        &self,
        subject: &str,
    ) -> impl Future<Output = Result<(), DbErr>> + Send;
}

/// The customer's backend's assertions about a session (implemented in `store::verdicts`).
pub trait SessionAssertions: Send + Sync {
    /// Marks the session of the private key's project signed in at `at`.
    fn assert_logged_in(
        &self,
        private_key_hash: &str,
        session_token: &str,
        at: i64,
    ) -> impl Future<Output = Result<LoggedInOutcome, DbErr>> + Send;
}
