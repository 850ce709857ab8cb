//! What each of the core's use cases needs from the store, as small traits: the core's
//! generic use cases are written against these, so they run the same on [`Store`] and on
//! the in-memory fake their unit tests use (`core::fake_store`).
use std::{future::Future, time::Instant};

use sea_orm::DbErr;

use super::{RuleRow, Stamp, Store, TokenPrincipal, VerdictRow};

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
