//! An in-memory store for the core's unit tests: the small traits of `store::uses`, over
//! maps, with the same change stamps a SQLite store bumps after its commits.
use std::{
    collections::HashMap,
    future::Future,
    sync::{
        Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use sea_orm::DbErr;

use crate::store::{
    ChangeStamps, RuleRow, Stamp, TokenPrincipal, TokenReads, Touched, VerdictReads, VerdictRow,
};

/// A session's stored score.
#[derive(Debug, Clone)]
pub struct FakeSession {
    pub project_id: i32,
    pub score: i32,
    pub detection_ids: String,
    pub reason: String,
}

#[derive(Default)]
pub struct FakeStore {
    /// Unrevoked tokens by hash.
    pub tokens: Mutex<HashMap<String, TokenPrincipal>>,
    /// A project's part of the verdict row, by private-key hash.
    pub keys: Mutex<HashMap<String, VerdictRow>>,
    pub sessions: Mutex<HashMap<String, FakeSession>>,
    pub rules: Mutex<HashMap<i32, (i64, Vec<RuleRow>)>>,
    /// `None`: a store without stamps (as PostgreSQL), whose reads are never cached.
    pub stamps: Option<ChangeStamps>,
    /// Verdict rows read so far.
    pub verdict_reads: AtomicUsize,
    /// Every read fails (a broken database).
    pub failing: AtomicBool,
    /// Every verdict read takes this long (a stalled database).
    pub stall: Mutex<Duration>,
}

impl FakeStore {
    pub fn with_stamps() -> FakeStore {
        FakeStore {
            stamps: Some(ChangeStamps::local()),
            ..FakeStore::default()
        }
    }

    /// A commit: changes the maps, then bumps the stamps (as the store does after commit).
    pub fn commit(&self, touched: Touched, change: impl FnOnce(&FakeStore)) {
        change(self);
        if let Some(s) = &self.stamps {
            s.bump(&touched);
        }
    }

    pub fn reads(&self) -> usize {
        self.verdict_reads.load(Ordering::SeqCst)
    }

    fn check(&self) -> Result<(), DbErr> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(DbErr::Custom("the fake database is down".into()));
        }
        Ok(())
    }
}

impl TokenReads for FakeStore {
    fn token_principal(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<TokenPrincipal>, DbErr>> + Send {
        let out = self
            .check()
            .map(|()| self.tokens.lock().unwrap().get(token_hash).cloned());
        std::future::ready(out)
    }
}

impl VerdictReads for FakeStore {
    fn change_stamp(&self, token: &str) -> Option<Stamp> {
        self.stamps.as_ref().map(|s| s.stamp(token))
    }

    fn verdict_row(
        &self,
        key_hash: &str,
        token: &str,
        _deadline: Instant,
    ) -> impl Future<Output = Result<Option<VerdictRow>, DbErr>> + Send {
        self.verdict_reads.fetch_add(1, Ordering::SeqCst);
        let stall = *self.stall.lock().unwrap();
        let out = self.check().map(|()| {
            let mut row = self.keys.lock().unwrap().get(key_hash).cloned()?;
            if let Some(s) = self.sessions.lock().unwrap().get(token)
                && s.project_id == row.project_id
            {
                row.score = Some(s.score);
                row.detection_ids = Some(s.detection_ids.clone());
                row.reason = Some(s.reason.clone());
            }
            Some(row)
        });
        async move {
            if !stall.is_zero() {
                tokio::time::sleep(stall).await;
            }
            out
        }
    }

    fn rules_with_version(
        &self,
        project_id: i32,
    ) -> impl Future<Output = Result<(i64, Vec<RuleRow>), DbErr>> + Send {
        let out = self.check().map(|()| {
            self.rules
                .lock()
                .unwrap()
                .get(&project_id)
                .cloned()
                .unwrap_or_default()
        });
        std::future::ready(out)
    }
}
