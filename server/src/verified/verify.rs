//! Verification of a request's IP against the catalogue: published ranges first, then
//! forward-confirmed reverse DNS, cached per IP, coalesced, and bounded in time.
use std::collections::HashMap;
use std::mem;
use std::net::IpAddr;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use serde::Serialize;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Instant;

use super::catalogue::{Catalogue, ExportBody};
use super::resolver::{HickoryResolver, LookupError, Resolver, clean_host};
use super::{Category, MatchMethod};

/// Tuning of a [`Verifier`]. `Default` is what the server uses.
#[derive(Debug, Clone)]
pub struct VerifierConfig {
    /// How long [`Verifier::verify`] waits for DNS before answering "unverified" (the lookup
    /// goes on in the background and fills the cache).
    pub timeout: Duration,
    /// Upper bound of one whole background DNS check (PTR plus forward confirmations);
    /// past it the check counts as a transient failure.
    pub lookup_budget: Duration,
    /// How long a confirmed result is trusted.
    pub positive_ttl: Duration,
    /// How long a definite negative (no PTR, no bot suffix, forward mismatch) is kept.
    pub negative_ttl: Duration,
    /// How long a transient failure (timeout, SERVFAIL) is kept before retrying.
    pub error_ttl: Duration,
    /// How long past its TTL an entry is still answered from while it is being refreshed,
    /// so a real crawler does not flip to unverified at every expiry.
    pub stale_grace: Duration,
    /// Cache capacity in IPs (approximate LRU: two generations of half this size).
    pub max_entries: usize,
    /// Concurrent background DNS checks; beyond this, new IPs are answered unverified
    /// without a lookup (a flood of fake crawler claims cannot flood the resolver).
    pub max_in_flight: usize,
    /// At most this many PTR names per IP are forward-confirmed.
    pub max_ptr_names: usize,
    /// Whether an IP whose (non-empty) user agent names no catalogue bot still gets a reverse
    /// DNS check against every entry. Off by default: it would cost a PTR lookup per visitor.
    pub probe_unclaimed: bool,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        VerifierConfig {
            timeout: Duration::from_millis(150),
            lookup_budget: Duration::from_secs(4),
            positive_ttl: Duration::from_secs(6 * 3600),
            negative_ttl: Duration::from_secs(3600),
            error_ttl: Duration::from_secs(60),
            stale_grace: Duration::from_secs(3600),
            max_entries: 100_000,
            max_in_flight: 256,
            max_ptr_names: 4,
            probe_unclaimed: false,
        }
    }
}

/// The outcome of a verification. Unverified results carry no `name`/`category`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub verified: bool,
    /// The verified bot's catalogue name.
    pub name: Option<String>,
    pub category: Option<Category>,
    /// Which method verified it.
    pub method: Option<MatchMethod>,
    /// The range (`157.55.39.0/24`) or the confirmed PTR name that verified it.
    pub evidence: Option<String>,
    /// The first catalogue bot the user agent names, verified or not (a claim, never proof:
    /// an unverified claim of a crawler is a spoofing signal).
    pub claimed: Option<String>,
}

impl Verification {
    /// Not verified, no claim.
    pub fn unverified() -> Verification {
        Verification {
            verified: false,
            name: None,
            category: None,
            method: None,
            evidence: None,
            claimed: None,
        }
    }
}

/// What a DNS check established about an IP, independent of any user agent.
#[derive(Debug)]
enum Facts {
    /// PTR names (within some catalogue suffix) whose forward lookup returned the IP.
    Confirmed(Vec<String>),
    /// Definitely nothing to confirm: no PTR, no catalogue suffix, or forward mismatch.
    Negative,
    /// The check failed or did not finish in its budget.
    Transient,
}

#[derive(Clone)]
struct Entry {
    facts: Arc<Facts>,
    expires: Instant,
}

type Pending = Shared<BoxFuture<'static, Arc<Facts>>>;

#[derive(Default)]
struct State {
    /// Two-generation approximate LRU: reads promote from `cold` to `hot`; when `hot` is
    /// full it becomes `cold` and the old `cold` is dropped.
    hot: HashMap<IpAddr, Entry>,
    cold: HashMap<IpAddr, Entry>,
    /// One lookup per IP at a time; later callers share it.
    in_flight: HashMap<IpAddr, (u64, Pending)>,
    next_id: u64,
    /// Bumped when the catalogue changes: results of older lookups are dropped.
    generation: u64,
}

struct Inner {
    resolver: Arc<dyn Resolver>,
    catalogue: RwLock<Arc<Catalogue>>,
    config: VerifierConfig,
    state: Mutex<State>,
    permits: Arc<Semaphore>,
}

/// Verifies client IPs against the catalogue. Cheap to clone (shared state); share one per
/// process.
#[derive(Clone)]
pub struct Verifier {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("catalogue", &self.catalogue().origin())
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

/// What the catalogue alone decides, before any DNS.
enum Local {
    Done(Verification),
    /// Reverse DNS is needed; these entries (indexes) are the candidates.
    Dns {
        candidates: Vec<usize>,
        claimed: Option<String>,
    },
}

/// What the cache and the in-flight table hold for an IP.
enum Lookup {
    Fresh(Arc<Facts>),
    Stale(Arc<Facts>, Option<Pending>),
    Pending(Pending),
    /// No cached answer and no lookup could be started (no runtime, or too many in flight).
    Unavailable,
}

impl Verifier {
    pub fn new(
        catalogue: Catalogue,
        resolver: Arc<dyn Resolver>,
        config: VerifierConfig,
    ) -> Verifier {
        let permits = Arc::new(Semaphore::new(config.max_in_flight.max(1)));
        Verifier {
            inner: Arc::new(Inner {
                resolver,
                catalogue: RwLock::new(Arc::new(catalogue)),
                config,
                state: Mutex::new(State::default()),
                permits,
            }),
        }
    }

    /// A verifier on the system's DNS configuration with default tuning.
    pub fn system(catalogue: Catalogue) -> Result<Verifier, LookupError> {
        let resolver = HickoryResolver::system()?;
        Ok(Verifier::new(
            catalogue,
            Arc::new(resolver),
            VerifierConfig::default(),
        ))
    }

    pub fn config(&self) -> &VerifierConfig {
        &self.inner.config
    }

    /// The catalogue in force.
    pub fn catalogue(&self) -> Arc<Catalogue> {
        self.inner.catalogue.read().unwrap().clone()
    }

    /// Replaces the catalogue (operator update) and forgets every cached DNS result.
    pub fn set_catalogue(&self, catalogue: Catalogue) {
        *self.inner.catalogue.write().unwrap() = Arc::new(catalogue);
        let mut state = self.inner.state.lock().unwrap();
        state.generation += 1;
        state.hot.clear();
        state.cold.clear();
    }

    /// The export body of the catalogue in force.
    pub fn export(&self) -> ExportBody {
        self.catalogue().export()
    }

    /// Cached IPs (including expired ones not yet evicted).
    pub fn cache_len(&self) -> usize {
        let state = self.inner.state.lock().unwrap();
        state.hot.len() + state.cold.len()
    }

    /// IPs with a DNS check under way.
    pub fn lookups_in_flight(&self) -> usize {
        self.inner.state.lock().unwrap().in_flight.len()
    }

    pub fn clear_cache(&self) {
        let mut state = self.inner.state.lock().unwrap();
        state.hot.clear();
        state.cold.clear();
    }

    /// Hot-path check that never waits: the answer when the catalogue alone or the cache
    /// decides it, else `None` (treat as unverified) after starting the DNS check in the
    /// background so a later request from the same IP finds it cached.
    pub fn check_cached(&self, ip: IpAddr, ua: &str) -> Option<Verification> {
        let catalogue = self.catalogue();
        let ip = ip.to_canonical();
        let (candidates, claimed) = match self.decide_local(&catalogue, ip, ua) {
            Local::Done(v) => return Some(v),
            Local::Dns {
                candidates,
                claimed,
            } => (candidates, claimed),
        };
        match self.lookup(ip, &catalogue) {
            Lookup::Fresh(facts) | Lookup::Stale(facts, _) => {
                Some(evaluate(&catalogue, &facts, &candidates, claimed))
            }
            Lookup::Pending(_) | Lookup::Unavailable => None,
        }
    }

    /// [`check_cached`](Self::check_cached), with "not known yet" as unverified.
    pub fn check_nonblocking(&self, ip: IpAddr, ua: &str) -> Verification {
        self.check_cached(ip, ua).unwrap_or_else(|| {
            let mut v = Verification::unverified();
            v.claimed = self
                .catalogue()
                .claimed_by(ua)
                .next()
                .map(|b| b.name.clone());
            v
        })
    }

    /// Verifies `ip` (with the request's user agent, empty when unknown), waiting at most the
    /// configured timeout for DNS.
    pub async fn verify(&self, ip: IpAddr, ua: &str) -> Verification {
        self.verify_with_timeout(ip, ua, self.inner.config.timeout)
            .await
    }

    /// Verifies `ip`, waiting at most `bound` for DNS. A check that does not finish in time
    /// counts as unverified; it goes on in the background and fills the cache.
    pub async fn verify_with_timeout(&self, ip: IpAddr, ua: &str, bound: Duration) -> Verification {
        let catalogue = self.catalogue();
        let ip = ip.to_canonical();
        let (candidates, claimed) = match self.decide_local(&catalogue, ip, ua) {
            Local::Done(v) => return v,
            Local::Dns {
                candidates,
                claimed,
            } => (candidates, claimed),
        };
        let facts = match self.lookup(ip, &catalogue) {
            Lookup::Fresh(facts) | Lookup::Stale(facts, None) => facts,
            // A refresh that fails or is late leaves the stale answer standing.
            Lookup::Stale(stale, Some(pending)) => match tokio::time::timeout(bound, pending).await
            {
                Ok(facts) if !matches!(*facts, Facts::Transient) => facts,
                _ => stale,
            },
            Lookup::Pending(pending) => match tokio::time::timeout(bound, pending).await {
                Ok(facts) => facts,
                Err(_) => Arc::new(Facts::Transient),
            },
            Lookup::Unavailable => Arc::new(Facts::Transient),
        };
        evaluate(&catalogue, &facts, &candidates, claimed)
    }

    fn decide_local(&self, catalogue: &Catalogue, ip: IpAddr, ua: &str) -> Local {
        let claimed_idx = catalogue.claimed_indexes(ua);
        let claimed = claimed_idx
            .first()
            .map(|&i| catalogue.bots()[i].name.clone());
        if let Some((bot, net)) = catalogue.match_ip(ip) {
            return Local::Done(Verification {
                verified: true,
                name: Some(bot.name.clone()),
                category: Some(bot.category),
                method: Some(MatchMethod::IpCidr),
                evidence: Some(net.to_string()),
                claimed,
            });
        }
        let candidates: Vec<usize> = if !claimed_idx.is_empty() {
            claimed_idx
        } else if ua.trim().is_empty() || self.inner.config.probe_unclaimed {
            (0..catalogue.len()).collect()
        } else {
            Vec::new()
        };
        let candidates: Vec<usize> = candidates
            .into_iter()
            .filter(|&i| catalogue.bots()[i].rdns_suffixes().next().is_some())
            .collect();
        if candidates.is_empty() {
            let mut v = Verification::unverified();
            v.claimed = claimed;
            return Local::Done(v);
        }
        Local::Dns {
            candidates,
            claimed,
        }
    }

    /// The cached facts for `ip`, starting (or joining) a background check when they are
    /// missing or stale.
    fn lookup(&self, ip: IpAddr, catalogue: &Arc<Catalogue>) -> Lookup {
        let now = Instant::now();
        let grace = self.inner.config.stale_grace;
        let mut state = self.inner.state.lock().unwrap();
        let cached = cache_get(&mut state, ip, self.inner.config.max_entries);
        let stale = match cached {
            Some(e) if now < e.expires => return Lookup::Fresh(e.facts),
            Some(e) if now < e.expires + grace => Some(e.facts),
            _ => None,
        };
        let pending = match state.in_flight.get(&ip) {
            Some((_, p)) => Some(p.clone()),
            None => self.start(&mut state, ip, catalogue.clone()),
        };
        match (stale, pending) {
            (Some(facts), pending) => Lookup::Stale(facts, pending),
            (None, Some(p)) => Lookup::Pending(p),
            (None, None) => Lookup::Unavailable,
        }
    }

    /// Spawns the DNS check of `ip` (the state lock is held by the caller).
    fn start(&self, state: &mut State, ip: IpAddr, catalogue: Arc<Catalogue>) -> Option<Pending> {
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        let permit: OwnedSemaphorePermit = self.inner.permits.clone().try_acquire_owned().ok()?;
        state.next_id += 1;
        let id = state.next_id;
        let generation = state.generation;
        let inner = self.inner.clone();
        let task = runtime.spawn(async move {
            let _permit = permit;
            let cfg = &inner.config;
            let facts = tokio::time::timeout(
                cfg.lookup_budget,
                check_dns(&*inner.resolver, &catalogue, ip, cfg.max_ptr_names),
            )
            .await
            .unwrap_or(Facts::Transient);
            let facts = Arc::new(facts);
            inner.finish(ip, id, generation, facts.clone());
            facts
        });
        let pending: Pending = task
            .map(|r| r.unwrap_or_else(|_| Arc::new(Facts::Transient)))
            .boxed()
            .shared();
        state.in_flight.insert(ip, (id, pending.clone()));
        Some(pending)
    }
}

impl Inner {
    /// Stores a finished check and retires its in-flight entry.
    fn finish(&self, ip: IpAddr, id: u64, generation: u64, facts: Arc<Facts>) {
        let ttl = match &*facts {
            Facts::Confirmed(_) => self.config.positive_ttl,
            Facts::Negative => self.config.negative_ttl,
            Facts::Transient => self.config.error_ttl,
        };
        let mut state = self.state.lock().unwrap();
        if state.in_flight.get(&ip).is_some_and(|(i, _)| *i == id) {
            state.in_flight.remove(&ip);
        }
        if state.generation != generation {
            return;
        }
        // A transient failure never overwrites a still-usable good answer.
        if matches!(*facts, Facts::Transient)
            && let Some(old) = state.hot.get(&ip).or_else(|| state.cold.get(&ip))
            && matches!(*old.facts, Facts::Confirmed(_))
            && Instant::now() < old.expires + self.config.stale_grace
        {
            return;
        }
        let entry = Entry {
            facts,
            expires: Instant::now() + ttl,
        };
        cache_put(&mut state, ip, entry, self.config.max_entries);
    }
}

fn cache_get(state: &mut State, ip: IpAddr, max_entries: usize) -> Option<Entry> {
    if let Some(e) = state.hot.get(&ip) {
        return Some(e.clone());
    }
    let e = state.cold.remove(&ip)?;
    cache_put(state, ip, e.clone(), max_entries);
    Some(e)
}

fn cache_put(state: &mut State, ip: IpAddr, entry: Entry, max_entries: usize) {
    let generation_cap = (max_entries / 2).max(1);
    if !state.hot.contains_key(&ip) && state.hot.len() >= generation_cap {
        state.cold = mem::take(&mut state.hot);
    }
    state.cold.remove(&ip);
    state.hot.insert(ip, entry);
}

/// PTR lookup, then forward confirmation of the names under a catalogue suffix.
async fn check_dns(
    resolver: &dyn Resolver,
    catalogue: &Catalogue,
    ip: IpAddr,
    max_names: usize,
) -> Facts {
    let names = match resolver.reverse(ip).await {
        Ok(names) => names,
        Err(e) if e.is_definite() => return Facts::Negative,
        Err(_) => return Facts::Transient,
    };
    let mut wanted: Vec<String> = Vec::new();
    for name in names {
        let name = clean_host(&name);
        if catalogue.any_suffix_matches(&name) && !wanted.contains(&name) {
            wanted.push(name);
        }
    }
    wanted.truncate(max_names);
    if wanted.is_empty() {
        return Facts::Negative;
    }
    let answers = futures::future::join_all(wanted.iter().map(|n| resolver.forward(n))).await;
    let mut confirmed = Vec::new();
    let mut transient = false;
    for (name, answer) in wanted.into_iter().zip(answers) {
        match answer {
            Ok(addrs) if addrs.iter().any(|a| a.to_canonical() == ip) => confirmed.push(name),
            Ok(_) => {}
            Err(e) if e.is_definite() => {}
            Err(_) => transient = true,
        }
    }
    if !confirmed.is_empty() {
        Facts::Confirmed(confirmed)
    } else if transient {
        Facts::Transient
    } else {
        Facts::Negative
    }
}

/// Applies DNS facts to the candidate entries: the candidate with the longest suffix of a
/// confirmed name wins (ties: catalogue order).
fn evaluate(
    catalogue: &Catalogue,
    facts: &Facts,
    candidates: &[usize],
    claimed: Option<String>,
) -> Verification {
    let mut v = Verification::unverified();
    v.claimed = claimed;
    let Facts::Confirmed(hosts) = facts else {
        return v;
    };
    let mut best: Option<(usize, usize, &str)> = None;
    for host in hosts {
        for &i in candidates {
            if let Some(suffix) = catalogue.bots()[i].matching_suffix(host)
                && best.is_none_or(|(len, _, _)| suffix.len() > len)
            {
                best = Some((suffix.len(), i, host));
            }
        }
    }
    if let Some((_, i, host)) = best {
        let bot = &catalogue.bots()[i];
        v.verified = true;
        v.name = Some(bot.name.clone());
        v.category = Some(bot.category);
        v.method = Some(MatchMethod::RdnsSuffix);
        v.evidence = Some(host.to_owned());
    }
    v
}

#[cfg(test)]
#[path = "verify_tests.rs"]
mod tests;
