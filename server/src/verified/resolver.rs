//! DNS lookups behind an injectable trait: [`HickoryResolver`] for real DNS (the system's
//! `/etc/resolv.conf` or explicit name servers), [`StaticResolver`] for tests.
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use hickory_resolver::TokioResolver;
use hickory_resolver::config::LookupIpStrategy;
use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolverConfig, ResolverOpts};
use hickory_resolver::net::NetError;
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::proto::rr::RData;

/// Why a lookup gave no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    /// The name does not exist or has no record of the type asked (a definite negative).
    #[error("no such record")]
    NotFound,
    /// No answer in time.
    #[error("timed out")]
    Timeout,
    /// Anything else (server failure, network error, refused): transient.
    #[error("lookup failed: {0}")]
    Failed(String),
}

impl LookupError {
    /// Whether the failure says something definite (cache it like a negative answer) rather
    /// than being transient (cache it briefly).
    pub fn is_definite(&self) -> bool {
        matches!(self, LookupError::NotFound)
    }
}

/// The two lookups forward-confirmed reverse DNS needs. Implementations must be cheap to call
/// concurrently; the verifier bounds and caches them.
pub trait Resolver: Send + Sync + 'static {
    /// PTR names of `ip` (without the trailing root dot).
    fn reverse(&self, ip: IpAddr) -> BoxFuture<'_, Result<Vec<String>, LookupError>>;
    /// A and AAAA addresses of `host`.
    fn forward<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Vec<IpAddr>, LookupError>>;
}

/// Real DNS through hickory-resolver on tokio.
pub struct HickoryResolver {
    inner: TokioResolver,
}

impl std::fmt::Debug for HickoryResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HickoryResolver").finish_non_exhaustive()
    }
}

/// Per-query timeout and attempts: a verification never needs the 5 s × 2 defaults, the
/// verifier's own bounds decide how long anyone waits.
const QUERY_TIMEOUT: Duration = Duration::from_secs(2);
const QUERY_ATTEMPTS: usize = 2;

fn tune(opts: &mut ResolverOpts) {
    opts.timeout = QUERY_TIMEOUT;
    opts.attempts = QUERY_ATTEMPTS;
    opts.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
}

impl HickoryResolver {
    /// The system's resolver configuration (`/etc/resolv.conf` on Unix).
    pub fn system() -> Result<HickoryResolver, LookupError> {
        let mut builder =
            TokioResolver::builder_tokio().map_err(|e| LookupError::Failed(e.to_string()))?;
        tune(builder.options_mut());
        let inner = builder
            .build()
            .map_err(|e| LookupError::Failed(e.to_string()))?;
        Ok(HickoryResolver { inner })
    }

    /// Explicit name servers (UDP, with TCP fallback for truncated answers), e.g. a local
    /// caching resolver, or a stub in tests.
    pub fn with_nameservers(servers: &[SocketAddr]) -> Result<HickoryResolver, LookupError> {
        let name_servers = servers
            .iter()
            .map(|addr| {
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                NameServerConfig::new(addr.ip(), true, vec![udp, tcp])
            })
            .collect();
        let mut opts = ResolverOpts::default();
        tune(&mut opts);
        let inner = TokioResolver::builder_with_config(
            ResolverConfig::from_name_servers(name_servers),
            TokioRuntimeProvider::default(),
        )
        .with_options(opts)
        .build()
        .map_err(|e| LookupError::Failed(e.to_string()))?;
        Ok(HickoryResolver { inner })
    }
}

fn map_err(e: NetError) -> LookupError {
    if e.is_nx_domain() || e.is_no_records_found() {
        LookupError::NotFound
    } else if matches!(e, NetError::Timeout) {
        LookupError::Timeout
    } else {
        LookupError::Failed(e.to_string())
    }
}

/// A hostname as the verifier compares it: lower case, no trailing root dot.
pub(crate) fn clean_host(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

impl Resolver for HickoryResolver {
    fn reverse(&self, ip: IpAddr) -> BoxFuture<'_, Result<Vec<String>, LookupError>> {
        async move {
            let lookup = self.inner.reverse_lookup(ip).await.map_err(map_err)?;
            let names: Vec<String> = lookup
                .answers()
                .iter()
                .filter_map(|r| match &r.data {
                    RData::PTR(ptr) => Some(clean_host(&ptr.0.to_ascii())),
                    _ => None,
                })
                .collect();
            if names.is_empty() {
                Err(LookupError::NotFound)
            } else {
                Ok(names)
            }
        }
        .boxed()
    }

    fn forward<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Vec<IpAddr>, LookupError>> {
        async move {
            // Fully qualified: never extended with the local search domains.
            let fqdn = format!("{}.", host.trim_end_matches('.'));
            let lookup = self.inner.lookup_ip(fqdn.as_str()).await.map_err(map_err)?;
            Ok(lookup.iter().collect())
        }
        .boxed()
    }
}

/// In-memory DNS for tests and local setups: PTR and A/AAAA tables, an optional artificial
/// delay, and counters of the lookups made.
#[derive(Default)]
pub struct StaticResolver {
    ptr: Mutex<HashMap<IpAddr, Result<Vec<String>, LookupError>>>,
    addrs: Mutex<HashMap<String, Result<Vec<IpAddr>, LookupError>>>,
    delay: Mutex<Duration>,
    reverse_calls: AtomicUsize,
    forward_calls: AtomicUsize,
}

impl std::fmt::Debug for StaticResolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticResolver").finish_non_exhaustive()
    }
}

impl StaticResolver {
    pub fn new() -> StaticResolver {
        StaticResolver::default()
    }

    /// `ip`'s PTR answer is `names`.
    pub fn with_ptr(self, ip: IpAddr, names: &[&str]) -> Self {
        self.set_ptr(ip, Ok(names.iter().map(|n| n.to_string()).collect()));
        self
    }

    /// `host` resolves to `addrs`.
    pub fn with_host(self, host: &str, addrs: &[IpAddr]) -> Self {
        self.set_host(host, Ok(addrs.to_vec()));
        self
    }

    /// Every lookup waits this long before answering (a slow or dead DNS server).
    pub fn with_delay(self, delay: Duration) -> Self {
        self.set_delay(delay);
        self
    }

    pub fn set_ptr(&self, ip: IpAddr, answer: Result<Vec<String>, LookupError>) {
        self.ptr.lock().unwrap().insert(ip, answer);
    }

    pub fn set_host(&self, host: &str, answer: Result<Vec<IpAddr>, LookupError>) {
        self.addrs.lock().unwrap().insert(clean_host(host), answer);
    }

    pub fn set_delay(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }

    /// PTR lookups made so far.
    pub fn reverse_calls(&self) -> usize {
        self.reverse_calls.load(Ordering::SeqCst)
    }

    /// Forward lookups made so far.
    pub fn forward_calls(&self) -> usize {
        self.forward_calls.load(Ordering::SeqCst)
    }

    async fn pause(&self) {
        let delay = *self.delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
}

impl Resolver for StaticResolver {
    fn reverse(&self, ip: IpAddr) -> BoxFuture<'_, Result<Vec<String>, LookupError>> {
        async move {
            self.reverse_calls.fetch_add(1, Ordering::SeqCst);
            self.pause().await;
            let answer = self.ptr.lock().unwrap().get(&ip).cloned();
            answer.unwrap_or(Err(LookupError::NotFound))
        }
        .boxed()
    }

    fn forward<'a>(&'a self, host: &'a str) -> BoxFuture<'a, Result<Vec<IpAddr>, LookupError>> {
        async move {
            self.forward_calls.fetch_add(1, Ordering::SeqCst);
            self.pause().await;
            let answer = self.addrs.lock().unwrap().get(&clean_host(host)).cloned();
            answer.unwrap_or(Err(LookupError::NotFound))
        }
        .boxed()
    }
}
