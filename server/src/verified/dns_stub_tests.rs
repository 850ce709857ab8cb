//! The real hickory resolver path against a tiny UDP DNS responder on 127.0.0.1 (never the
//! internet): PTR, A/AAAA, NXDOMAIN, and a server that never answers.
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use hickory_resolver::proto::op::{Message, MessageType, ResponseCode};
use hickory_resolver::proto::rr::rdata::{A, AAAA, PTR};
use hickory_resolver::proto::rr::{Name, RData, Record, RecordType};
use tokio::net::UdpSocket;

use super::{Catalogue, HickoryResolver, LookupError, Resolver, Verifier, VerifierConfig};

#[derive(Default)]
struct Zone {
    ptr: HashMap<String, Vec<String>>,
    addrs: HashMap<String, Vec<IpAddr>>,
    /// Names the server never answers (a dead upstream).
    silent: Vec<String>,
}

impl Zone {
    fn ptr(mut self, ip: &str, names: &[&str]) -> Self {
        let ip: IpAddr = ip.parse().unwrap();
        let arpa = Name::from(ip)
            .to_ascii()
            .trim_end_matches('.')
            .to_lowercase();
        self.ptr
            .insert(arpa, names.iter().map(|n| n.to_string()).collect());
        self
    }

    fn host(mut self, host: &str, addrs: &[&str]) -> Self {
        self.addrs.insert(
            host.to_string(),
            addrs.iter().map(|a| a.parse().unwrap()).collect(),
        );
        self
    }

    fn silent(mut self, name: &str) -> Self {
        self.silent.push(name.to_string());
        self
    }
}

struct Stub {
    addr: SocketAddr,
    queries: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn stub(zone: Zone) -> Stub {
    let socket = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let addr = socket.local_addr().unwrap();
    let queries = Arc::new(AtomicUsize::new(0));
    let counter = queries.clone();
    let task = tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        loop {
            let Ok((n, peer)) = socket.recv_from(&mut buf).await else {
                return;
            };
            counter.fetch_add(1, Ordering::SeqCst);
            let Ok(query) = Message::from_vec(&buf[..n]) else {
                continue;
            };
            if let Some(reply) = answer(&zone, &query) {
                let _ = socket.send_to(&reply.to_vec().unwrap(), peer).await;
            }
        }
    });
    Stub {
        addr,
        queries,
        task,
    }
}

fn answer(zone: &Zone, query: &Message) -> Option<Message> {
    let q = query.queries.first()?;
    let name = q.name().to_ascii().trim_end_matches('.').to_lowercase();
    if zone.silent.contains(&name) {
        return None;
    }
    let mut reply = Message::response(query.metadata.id, query.metadata.op_code);
    reply.metadata.message_type = MessageType::Response;
    reply.metadata.recursion_desired = query.metadata.recursion_desired;
    reply.metadata.recursion_available = true;
    reply.add_query(q.clone());
    let records: Vec<RData> = match q.query_type() {
        RecordType::PTR => match zone.ptr.get(&name) {
            Some(names) => names
                .iter()
                .map(|n| RData::PTR(PTR(Name::from_ascii(format!("{n}.")).unwrap())))
                .collect(),
            None => {
                reply.metadata.response_code = ResponseCode::NXDomain;
                return Some(reply);
            }
        },
        t @ (RecordType::A | RecordType::AAAA) => match zone.addrs.get(&name) {
            Some(addrs) => addrs
                .iter()
                .filter_map(|a| match (t, a) {
                    (RecordType::A, IpAddr::V4(v4)) => Some(RData::A(A(*v4))),
                    (RecordType::AAAA, IpAddr::V6(v6)) => Some(RData::AAAA(AAAA(*v6))),
                    _ => None,
                })
                .collect(),
            None => {
                reply.metadata.response_code = ResponseCode::NXDomain;
                return Some(reply);
            }
        },
        _ => Vec::new(),
    };
    for rdata in records {
        reply.add_answer(Record::from_rdata(q.name().clone(), 300, rdata));
    }
    Some(reply)
}

fn zone() -> Zone {
    Zone::default()
        // Real Googlebot: PTR under googlebot.com, forward-confirmed (A and AAAA).
        .ptr("66.249.66.1", &["crawl-66-249-66-1.googlebot.com"])
        .host("crawl-66-249-66-1.googlebot.com", &["66.249.66.1"])
        .ptr(
            "2001:4860:4801:10::1",
            &["crawl-2001-4860-4801-10--1.googlebot.com"],
        )
        .host(
            "crawl-2001-4860-4801-10--1.googlebot.com",
            &["2001:4860:4801:10::1"],
        )
        // Spoofer: claims a googlebot.com PTR, but that name resolves elsewhere.
        .ptr("203.0.113.9", &["crawl-66-249-66-1.googlebot.com"])
        // Look-alike domain, forward-confirmed but not Google's.
        .ptr("203.0.113.20", &["crawl.evilgooglebot.com"])
        .host("crawl.evilgooglebot.com", &["203.0.113.20"])
        // A dead upstream for this address.
        .silent("30.113.0.203.in-addr.arpa")
}

#[tokio::test]
async fn verified_hickory_resolver_against_a_local_dns_stub() {
    let stub = stub(zone()).await;
    let resolver = HickoryResolver::with_nameservers(&[stub.addr]).unwrap();

    assert_eq!(
        resolver
            .reverse("66.249.66.1".parse().unwrap())
            .await
            .unwrap(),
        ["crawl-66-249-66-1.googlebot.com"]
    );
    assert_eq!(
        resolver
            .forward("crawl-66-249-66-1.googlebot.com")
            .await
            .unwrap(),
        ["66.249.66.1".parse::<IpAddr>().unwrap()]
    );
    assert_eq!(
        resolver.reverse("192.0.2.1".parse().unwrap()).await,
        Err(LookupError::NotFound)
    );
    assert_eq!(
        resolver.forward("nothing.example.com").await,
        Err(LookupError::NotFound)
    );
    assert!(stub.queries.load(Ordering::SeqCst) >= 4);
}

#[tokio::test]
async fn verified_end_to_end_through_hickory_and_the_stub() {
    let stub = stub(zone()).await;
    let resolver = Arc::new(HickoryResolver::with_nameservers(&[stub.addr]).unwrap());
    let v = Verifier::new(Catalogue::builtin(), resolver, VerifierConfig::default());
    let ua = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
    let bound = Duration::from_secs(3);

    let r = v
        .verify_with_timeout("66.249.66.1".parse().unwrap(), ua, bound)
        .await;
    assert!(r.verified, "{r:?}");
    assert_eq!(r.name.as_deref(), Some("Googlebot"));
    assert_eq!(
        r.evidence.as_deref(),
        Some("crawl-66-249-66-1.googlebot.com")
    );

    let r = v
        .verify_with_timeout("2001:4860:4801:10::1".parse().unwrap(), ua, bound)
        .await;
    assert!(r.verified, "{r:?}");

    // Spoofed PTR, look-alike suffix, no PTR at all: never verified.
    for ip in ["203.0.113.9", "203.0.113.20", "192.0.2.1"] {
        let r = v.verify_with_timeout(ip.parse().unwrap(), ua, bound).await;
        assert!(!r.verified, "{ip}: {r:?}");
        assert_eq!(r.claimed.as_deref(), Some("Googlebot"));
    }

    // A dead upstream: the default bound answers unverified promptly.
    let started = Instant::now();
    let r = v.verify("203.0.113.30".parse().unwrap(), ua).await;
    assert!(!r.verified);
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );

    // Cached: a second pass sends no further queries.
    let before = stub.queries.load(Ordering::SeqCst);
    assert!(
        v.check_cached("66.249.66.1".parse().unwrap(), ua)
            .unwrap()
            .verified
    );
    assert!(
        !v.check_cached("203.0.113.9".parse().unwrap(), ua)
            .unwrap()
            .verified
    );
    assert_eq!(stub.queries.load(Ordering::SeqCst), before);
}
