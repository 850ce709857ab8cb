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

use super::fake_control_plane::ControlPlane;
use crate::domain::batch_rules::{self, PriorRequest};
use crate::store::{
    ChangeStamps, Claim, IngestAck, IngestOutcome, IngestWrite, IngestWrites, PageHitAck,
    PageHitOutcome, PageHitWrite, RuleRow, ScoreWrite, ScoringQueue, SiteKeyPrincipal, Stamp,
    StoredEvent, StoredPageHit, StoredRequest, TokenAuth, TokenPrincipal, Touched, TrafficCounts,
    VerdictReads, VerdictRow,
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
    /// Every recorded token use `(token id, at)`, in order.
    pub token_uses: Mutex<Vec<(i32, i64)>>,
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
    /// Every verdict read and batch write takes this long (a stalled database).
    pub stall: Mutex<Duration>,
    /// Enabled site keys.
    pub site_keys: Mutex<HashMap<String, SiteKeyPrincipal>>,
    /// Every batch stored, in order.
    pub batches: Mutex<Vec<IngestWrite>>,
    /// Writes fail as if the project had been deleted meanwhile (a foreign key).
    pub gone: AtomicBool,
    /// Sessions waiting for scoring (claimed all at once, up to the limit).
    pub pending: Mutex<Vec<Claim>>,
    pub events: Mutex<HashMap<i64, Vec<StoredEvent>>>,
    pub requests: Mutex<HashMap<i64, Vec<StoredRequest>>>,
    /// A session's page hits, as scoring reads them.
    pub page_hit_facts: Mutex<HashMap<i64, Vec<StoredPageHit>>>,
    /// Enabled private keys, by hash (server-side ingest).
    pub private_keys: Mutex<HashMap<String, SiteKeyPrincipal>>,
    /// Every page hit stored, in order.
    pub page_hits: Mutex<Vec<PageHitWrite>>,
    /// A session whose events cannot be read.
    pub unreadable: Mutex<Option<i64>>,
    /// The address each traffic count was asked for.
    pub counted: Mutex<Vec<Option<String>>>,
    /// Every `store_scores` call (one commit each).
    pub commits: Mutex<Vec<Vec<ScoreWrite>>>,
    /// Accounts, projects and scoring configuration (`fake_control_plane`).
    pub control: Mutex<ControlPlane>,
}

/// A core over `store` with `config`: the built-in verified-bot catalogue, no DNS, a fixed
/// challenge secret.
pub fn core_over(store: FakeStore, config: super::CoreConfig) -> super::Core<FakeStore> {
    let verifier = crate::verified::Verifier::new(
        crate::verified::Catalogue::builtin(),
        std::sync::Arc::new(crate::verified::StaticResolver::new()),
        crate::verified::VerifierConfig::default(),
    );
    super::Core::assemble(
        store,
        config,
        verifier,
        crate::integrity::Secret::new([9; 32]),
    )
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

    pub(super) fn check(&self) -> Result<(), DbErr> {
        if self.failing.load(Ordering::SeqCst) {
            return Err(DbErr::Custom("the fake database is down".into()));
        }
        Ok(())
    }
}

impl TokenAuth for FakeStore {
    fn token_principal(
        &self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<TokenPrincipal>, DbErr>> + Send {
        let out = self
            .check()
            .map(|()| self.tokens.lock().unwrap().get(token_hash).cloned());
        std::future::ready(out)
    }

    /// No dashboard sessions in the fake.
    fn dashboard_principal(
        &self,
        _token_hash: &str,
        _now: i64,
    ) -> impl Future<Output = Result<Option<crate::store::DashboardPrincipalRow>, DbErr>> + Send
    {
        std::future::ready(self.check().map(|()| None))
    }

    fn mark_token_used(
        &self,
        token_id: i32,
        at: i64,
    ) -> impl Future<Output = Result<(), DbErr>> + Send {
        self.token_uses.lock().unwrap().push((token_id, at));
        for p in self.tokens.lock().unwrap().values_mut() {
            if p.token_id == token_id {
                p.last_used_at = Some(at);
            }
        }
        std::future::ready(Ok(()))
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

impl IngestWrites for FakeStore {
    fn site_key_principal(
        &self,
        site_key: &str,
    ) -> impl Future<Output = Result<Option<SiteKeyPrincipal>, DbErr>> + Send {
        let out = self
            .check()
            .map(|()| self.site_keys.lock().unwrap().get(site_key).cloned());
        std::future::ready(out)
    }

    fn private_key_principal(
        &self,
        private_key_hash: &str,
    ) -> impl Future<Output = Result<Option<SiteKeyPrincipal>, DbErr>> + Send {
        let out = self.check().map(|()| {
            self.private_keys
                .lock()
                .unwrap()
                .get(private_key_hash)
                .cloned()
        });
        std::future::ready(out)
    }

    /// Stores the hit in memory; a `page_id` stored before is a duplicate.
    fn record_page_hit(
        &self,
        write: PageHitWrite,
    ) -> impl Future<Output = Result<PageHitOutcome, DbErr>> + Send {
        let out = self.check().map(|()| {
            let mut hits = self.page_hits.lock().unwrap();
            let duplicate = hits
                .iter()
                .any(|h| h.project_id == write.project_id && h.hit.page_id == write.hit.page_id);
            let ack = PageHitAck {
                session_token: write.session_token.clone(),
                duplicate,
            };
            hits.push(write);
            PageHitOutcome::Stored(ack)
        });
        std::future::ready(out)
    }

    /// Stores the batch in memory, answering an `Idempotency-Key` seen before the way the
    /// store's transaction does (`batch_rules`).
    fn ingest(
        &self,
        write: IngestWrite,
        mint: fn() -> String,
    ) -> impl Future<Output = Result<IngestOutcome, DbErr>> + Send {
        let stall = *self.stall.lock().unwrap();
        let out = self.check().and_then(|()| {
            if self.gone.load(Ordering::SeqCst) {
                return Err(DbErr::RecordNotFound(
                    "FOREIGN KEY constraint failed".into(),
                ));
            }
            let mut batches = self.batches.lock().unwrap();
            if let Some((key, hash)) = &write.idempotency
                && let Some(prior) = batches
                    .iter()
                    .find(|b| b.idempotency.as_ref().is_some_and(|(k, _)| k == key))
            {
                let (_, prior_hash) = prior.idempotency.as_ref().expect("found by key");
                let ack = IngestAck {
                    session_token: prior.session_token.clone().unwrap_or_default(),
                    accepted: prior.events.len() as u32,
                    duplicates: 0,
                    over_quota: false,
                };
                match batch_rules::prior_request(prior_hash, 0, hash, 1) {
                    PriorRequest::KeyReused => return Ok(IngestOutcome::KeyReused),
                    PriorRequest::Replay => return Ok(IngestOutcome::Replayed(ack)),
                    PriorRequest::Expired => {}
                }
            }
            let mut write = write;
            let token = write.session_token.get_or_insert_with(mint).clone();
            let accepted = write.events.len() as u32;
            batches.push(write);
            Ok(IngestOutcome::Stored(IngestAck {
                session_token: token,
                accepted,
                duplicates: 0,
                over_quota: false,
            }))
        });
        async move {
            if !stall.is_zero() {
                tokio::time::sleep(stall).await;
            }
            out
        }
    }
}

impl ScoringQueue for FakeStore {
    fn claim_pending(
        &self,
        limit: u32,
        _lease_ms: i64,
    ) -> impl Future<Output = Result<Vec<Claim>, DbErr>> + Send {
        let out = self.check().map(|()| {
            let mut pending = self.pending.lock().unwrap();
            let n = pending.len().min(limit as usize);
            pending.drain(..n).collect()
        });
        std::future::ready(out)
    }

    fn session_events(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Vec<StoredEvent>, DbErr>> + Send {
        let out = if *self.unreadable.lock().unwrap() == Some(session_id) {
            Err(DbErr::Custom("this session's events are unreadable".into()))
        } else {
            Ok(self
                .events
                .lock()
                .unwrap()
                .get(&session_id)
                .cloned()
                .unwrap_or_default())
        };
        std::future::ready(out)
    }

    fn session_requests(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Vec<StoredRequest>, DbErr>> + Send {
        let out = self
            .requests
            .lock()
            .unwrap()
            .get(&session_id)
            .cloned()
            .unwrap_or_default();
        std::future::ready(Ok(out))
    }

    fn session_page_hits(
        &self,
        session_id: i64,
    ) -> impl Future<Output = Result<Vec<StoredPageHit>, DbErr>> + Send {
        let out = self
            .page_hit_facts
            .lock()
            .unwrap()
            .get(&session_id)
            .cloned()
            .unwrap_or_default();
        std::future::ready(Ok(out))
    }

    fn session_traffic(
        &self,
        _project_id: i32,
        _session_id: i64,
        _at: i64,
        counted_address: Option<&str>,
    ) -> impl Future<Output = Result<TrafficCounts, DbErr>> + Send {
        self.counted
            .lock()
            .unwrap()
            .push(counted_address.map(str::to_string));
        std::future::ready(Ok(TrafficCounts::default()))
    }

    fn store_scores(
        &self,
        scores: Vec<ScoreWrite>,
    ) -> impl Future<Output = Result<(), DbErr>> + Send {
        let out = self
            .check()
            .map(|()| self.commits.lock().unwrap().push(scores));
        std::future::ready(out)
    }
}
