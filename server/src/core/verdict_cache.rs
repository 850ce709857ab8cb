//! Verdict reads from memory: the stored part of a verdict (the key's project, its settings
//! and subscription, the session's score and rule facts) kept per `(private key, session)`,
//! exact because every entry carries the store's change stamp taken before the read that
//! filled it (`store::change_stamps`): any commit since (in this process or another one on
//! the same database: a score, a settings change, a key rotation, a rule edit, a
//! subscription set by the CLI) changes the stamp and the next read goes to the store.
//!
//! Bounded: at most `entries` entries (S3-FIFO eviction, `quick_cache`), and none older
//! than [`MAX_AGE`], which bounds what a write made without stamps (an older Botect binary,
//! a hand edit of the file) can leave stale. A store without stamps (PostgreSQL) is never
//! cached: another process's commit could not be seen without asking the database.
use std::{
    hash::Hash,
    sync::Arc,
    time::{Duration, Instant},
};

use quick_cache::{Equivalent, sync::Cache};

use crate::domain::{Policy, Scored};
use crate::store::{Stamp, VerdictRow};

/// The oldest entry served.
pub const MAX_AGE: Duration = Duration::from_secs(5);

/// Default of `--verdict-cache-entries`.
pub const DEFAULT_ENTRIES: usize = 65_536;

/// What a verdict read takes from the store, decoded once.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredVerdict {
    pub project_id: i32,
    pub subscription_active: bool,
    pub policy: Policy,
    /// `None`: the session is unknown to this project, or not scored yet.
    pub scored: Option<Scored>,
    pub js_passed: Option<bool>,
    pub mouse_entropy: Option<f64>,
    pub scroll_velocity: Option<f64>,
    pub visibility_changes: Option<f64>,
    pub first_input_delay_ms: Option<f64>,
    pub rules_version: i64,
    /// The backend asserted a signed-in user.
    pub logged_in: bool,
    /// The session's latest JA4 and client address (rule fields).
    pub ja4: Option<String>,
    pub client_ip: Option<String>,
}

impl StoredVerdict {
    pub fn from_row(row: &VerdictRow) -> StoredVerdict {
        let features = crate::domain::sessions::BehaviorFeatures::parse(row.features.as_deref());
        StoredVerdict {
            project_id: row.project_id,
            subscription_active: row.subscription_active,
            policy: super::policy(
                row.allow_verified,
                row.protect_static,
                row.block_definite,
                row.challenge_likely,
                row.likely_bot_threshold,
            ),
            scored: row.score.filter(|s| *s > 0).map(|score| Scored {
                score: score.clamp(0, 99) as u8,
                detection_ids: row
                    .detection_ids
                    .as_deref()
                    .and_then(|d| serde_json::from_str(d).ok())
                    .unwrap_or_default(),
                reason: row.reason.clone().unwrap_or_default(),
            }),
            js_passed: row.js_passed,
            mouse_entropy: features.mouse_entropy,
            scroll_velocity: features.scroll_velocity,
            visibility_changes: features.visibility_changes,
            first_input_delay_ms: features.first_input_delay_ms,
            rules_version: row.rules_version,
            logged_in: row.logged_in.unwrap_or(false),
            ja4: row.ja4.clone(),
            client_ip: row.client_ip.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    /// SHA-256 (hex) of the private key: no secret is kept.
    key_hash: String,
    token: String,
}

/// A lookup without building a [`Key`]; hashes as `Key` does (field by field, as `str`).
#[derive(Hash)]
struct KeyRef<'a> {
    key_hash: &'a str,
    token: &'a str,
}

impl Equivalent<Key> for KeyRef<'_> {
    fn equivalent(&self, key: &Key) -> bool {
        self.key_hash == key.key_hash && self.token == key.token
    }
}

#[derive(Clone)]
struct Entry {
    stamp: Stamp,
    filled: Instant,
    stored: Arc<StoredVerdict>,
}

pub struct VerdictCache {
    /// `None`: disabled (`--verdict-cache-entries 0`).
    entries: Option<Cache<Key, Entry>>,
}

impl VerdictCache {
    pub fn new(entries: usize) -> VerdictCache {
        VerdictCache {
            entries: (entries > 0).then(|| Cache::new(entries)),
        }
    }

    /// The entry of `(key_hash, token)` if it was filled under `now_stamp` (nothing committed
    /// since) less than [`MAX_AGE`] ago.
    pub fn get(
        &self,
        key_hash: &str,
        token: &str,
        now_stamp: Option<Stamp>,
    ) -> Option<Arc<StoredVerdict>> {
        let (entries, now_stamp) = (self.entries.as_ref()?, now_stamp?);
        let entry = entries.get(&KeyRef { key_hash, token })?;
        (entry.stamp == now_stamp && entry.filled.elapsed() < MAX_AGE).then_some(entry.stored)
    }

    /// Keeps what a read returned; `stamp` must have been taken before that read.
    pub fn put(
        &self,
        key_hash: &str,
        token: &str,
        stamp: Option<Stamp>,
        stored: Arc<StoredVerdict>,
    ) {
        let (Some(entries), Some(stamp)) = (self.entries.as_ref(), stamp) else {
            return;
        };
        entries.insert(
            Key {
                key_hash: key_hash.to_string(),
                token: token.to_string(),
            },
            Entry {
                stamp,
                filled: Instant::now(),
                stored,
            },
        );
    }

    /// Entries held now.
    pub fn len(&self) -> usize {
        self.entries.as_ref().map_or(0, Cache::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ChangeStamps, Touched};

    fn stored(score: u8) -> Arc<StoredVerdict> {
        Arc::new(StoredVerdict {
            project_id: 1,
            subscription_active: true,
            policy: Policy {
                bot: Default::default(),
                threshold: 50,
            },
            scored: Some(Scored {
                score,
                detection_ids: vec![1],
                reason: "r".into(),
            }),
            js_passed: None,
            mouse_entropy: None,
            scroll_velocity: None,
            visibility_changes: None,
            first_input_delay_ms: None,
            rules_version: 0,
            logged_in: false,
            ja4: None,
            client_ip: None,
        })
    }

    #[test]
    fn an_entry_serves_until_a_commit_touches_it() {
        let stamps = ChangeStamps::local();
        let cache = VerdictCache::new(16);
        let before = Some(stamps.stamp("sess_a"));
        cache.put("h", "sess_a", before, stored(90));
        cache.put("h", "sess_b", Some(stamps.stamp("sess_b")), stored(10));
        assert_eq!(
            cache.get("h", "sess_a", Some(stamps.stamp("sess_a"))),
            Some(stored(90))
        );
        // Another key's hash is another entry.
        assert_eq!(cache.get("g", "sess_a", Some(stamps.stamp("sess_a"))), None);
        // A score of session a: a's entry is stale, b's is not.
        stamps.bump(&Touched::Sessions(vec!["sess_a".into()]));
        assert_eq!(cache.get("h", "sess_a", Some(stamps.stamp("sess_a"))), None);
        assert!(
            cache
                .get("h", "sess_b", Some(stamps.stamp("sess_b")))
                .is_some()
        );
        // A settings change: every entry is stale.
        stamps.bump(&Touched::Everything);
        assert_eq!(cache.get("h", "sess_b", Some(stamps.stamp("sess_b"))), None);
    }

    #[test]
    fn a_fill_from_a_read_that_missed_a_commit_is_never_served() {
        let stamps = ChangeStamps::local();
        let cache = VerdictCache::new(16);
        // The reader takes its stamp, a writer commits and bumps, the reader's (old) row lands.
        let taken = Some(stamps.stamp("sess_a"));
        stamps.bump(&Touched::Sessions(vec!["sess_a".into()]));
        cache.put("h", "sess_a", taken, stored(10));
        assert_eq!(cache.get("h", "sess_a", Some(stamps.stamp("sess_a"))), None);
    }

    #[test]
    fn no_stamps_or_no_capacity_means_no_cache() {
        let stamps = ChangeStamps::local();
        let cache = VerdictCache::new(16);
        cache.put("h", "sess_a", None, stored(1));
        assert!(cache.is_empty());
        cache.put("h", "sess_a", Some(stamps.stamp("sess_a")), stored(1));
        assert_eq!(cache.get("h", "sess_a", None), None);
        let off = VerdictCache::new(0);
        off.put("h", "sess_a", Some(stamps.stamp("sess_a")), stored(1));
        assert_eq!(off.get("h", "sess_a", Some(stamps.stamp("sess_a"))), None);
    }

    #[test]
    fn memory_stays_bounded() {
        let stamps = ChangeStamps::local();
        let cache = VerdictCache::new(100);
        for i in 0..10_000 {
            let t = format!("sess_{i}");
            cache.put("h", &t, Some(stamps.stamp(&t)), stored(5));
        }
        assert!(cache.len() <= 110, "{} entries", cache.len());
    }
}
