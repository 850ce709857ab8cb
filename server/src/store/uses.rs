//! What each of the core's use cases needs from the store, as small traits: the core's
//! generic use cases are written against these, so they run the same on [`Store`] and on
//! the in-memory fake their unit tests use (`core::fake_store`).
use std::{future::Future, time::Instant};

use sea_orm::DbErr;

use super::{
    Claim, IngestOutcome, IngestWrite, RuleRow, ScoreWrite, SiteKeyPrincipal, Stamp, Store,
    StoredEvent, StoredRequest, TokenPrincipal, TrafficCounts, VerdictRow,
};

/// Authenticating an account token.
pub trait TokenReads: Send + Sync {
    /// The unrevoked token with this SHA-256, with its user and account.
    fn token_principal(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<TokenPrincipal>, DbErr>> + Send;
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
}

impl IngestWrites for Store {
    fn site_key_principal(
        &self,
        site_key: &str,
    ) -> impl Future<Output = Result<Option<SiteKeyPrincipal>, DbErr>> + Send {
        Store::site_key_principal(self, site_key)
    }

    fn ingest(
        &self,
        write: IngestWrite,
        mint: fn() -> String,
    ) -> impl Future<Output = Result<IngestOutcome, DbErr>> + Send {
        Store::ingest(self, write, mint)
    }
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

impl ScoringQueue for Store {
    fn claim_pending(
        &self,
        limit: u32,
        lease_ms: i64,
    ) -> impl Future<Output = Result<Vec<Claim>, DbErr>> + Send {
        Store::claim_pending(self, limit, lease_ms)
    }

    fn session_events(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, DbErr>> + Send {
        Store::session_events(self, session_id)
    }

    fn session_requests(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Vec<StoredRequest>, DbErr>> + Send {
        Store::session_requests(self, session_id)
    }

    fn session_traffic(
        &self,
        project_id: i32,
        session_id: i64,
        at: i64,
        counted_address: Option<&str>,
    ) -> impl Future<Output = Result<TrafficCounts, DbErr>> + Send {
        Store::session_traffic(self, project_id, session_id, at, counted_address)
    }

    fn store_scores(
        &self,
        scores: Vec<ScoreWrite>,
    ) -> impl Future<Output = Result<(), DbErr>> + Send {
        Store::store_scores(self, scores)
    }
}

impl TokenReads for Store {
    fn token_principal(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<TokenPrincipal>, DbErr>> + Send {
        Store::token_principal(self, token_hash)
    }
}

impl VerdictReads for Store {
    fn change_stamp(&self, token: &str) -> Option<Stamp> {
        Store::change_stamp(self, token)
    }

    fn verdict_row(
        &self,
        key_hash: &str,
        token: &str,
        deadline: Instant,
    ) -> impl Future<Output = Result<Option<VerdictRow>, DbErr>> + Send {
        Store::verdict_row(self, key_hash, token, deadline)
    }

    fn rules_with_version(
        &self,
        project_id: i32,
    ) -> impl Future<Output = Result<(i64, Vec<RuleRow>), DbErr>> + Send {
        Store::rules_with_version(self, project_id)
    }
}
