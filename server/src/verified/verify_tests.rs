//! Tests of verified-bot verification: published ranges, reverse and forward DNS, the
//! bounded in-flight lookups and the cache.

use super::*;
use crate::verified::StaticResolver;

const GOOGLEBOT_UA: &str =
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const BROWSER_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn verifier(resolver: StaticResolver, config: VerifierConfig) -> (Verifier, Arc<StaticResolver>) {
    let resolver = Arc::new(resolver);
    let v = Verifier::new(Catalogue::builtin(), resolver.clone(), config);
    (v, resolver)
}

/// The real Googlebot shape: PTR crawl-…googlebot.com whose A record is the same IP.
fn googlebot_dns() -> StaticResolver {
    StaticResolver::new()
        .with_ptr(ip("66.249.66.1"), &["crawl-66-249-66-1.googlebot.com."])
        .with_host("crawl-66-249-66-1.googlebot.com", &[ip("66.249.66.1")])
}

#[tokio::test]
async fn verified_by_published_ip_range_without_dns() {
    let (v, dns) = verifier(StaticResolver::new(), VerifierConfig::default());
    let r = v
        .verify(ip("157.55.39.10"), "Mozilla/5.0 (compatible; bingbot/2.0)")
        .await;
    assert!(r.verified);
    assert_eq!(r.name.as_deref(), Some("Bingbot"));
    assert_eq!(r.category, Some(Category::Search));
    assert_eq!(r.method, Some(MatchMethod::IpCidr));
    assert_eq!(r.evidence.as_deref(), Some("157.55.39.0/24"));
    // The range verifies whatever the user agent says, and IPv4-mapped IPv6 too.
    assert!(v.verify(ip("157.55.39.10"), BROWSER_UA).await.verified);
    assert!(v.verify(ip("::ffff:157.55.39.10"), "").await.verified);
    assert!(v.check_cached(ip("157.55.39.10"), "").unwrap().verified);
    assert_eq!(dns.reverse_calls() + dns.forward_calls(), 0);
}

#[tokio::test]
async fn verified_by_forward_confirmed_reverse_dns() {
    let (v, dns) = verifier(googlebot_dns(), VerifierConfig::default());
    let r = v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await;
    assert_eq!(
        r,
        Verification {
            verified: true,
            name: Some("Googlebot".into()),
            category: Some(Category::Search),
            method: Some(MatchMethod::RdnsSuffix),
            evidence: Some("crawl-66-249-66-1.googlebot.com".into()),
            claimed: Some("Googlebot".into()),
        }
    );
    assert_eq!((dns.reverse_calls(), dns.forward_calls()), (1, 1));
    // No user agent at all: every rDNS entry is a candidate.
    let (v, _) = verifier(googlebot_dns(), VerifierConfig::default());
    let r = v.verify(ip("66.249.66.1"), "").await;
    assert!(r.verified);
    assert_eq!(r.name.as_deref(), Some("Googlebot"));
    assert_eq!(r.claimed, None);
}

#[tokio::test]
async fn verified_ipv6_reverse_dns() {
    let addr = ip("2001:4860:4801:10::1");
    let dns = StaticResolver::new()
        .with_ptr(addr, &["crawl-2001-4860-4801-10--1.googlebot.com"])
        .with_host(
            "crawl-2001-4860-4801-10--1.googlebot.com",
            &[ip("2001:4860:4801:10:0:0:0:1")],
        );
    let (v, _) = verifier(dns, VerifierConfig::default());
    assert!(v.verify(addr, GOOGLEBOT_UA).await.verified);
}

#[tokio::test]
async fn verified_spoofed_reverse_dns_is_rejected() {
    // The attacker controls the PTR of their own IP, not Google's forward zone.
    let dns = StaticResolver::new()
        .with_ptr(ip("203.0.113.9"), &["crawl-66-249-66-1.googlebot.com"])
        .with_host("crawl-66-249-66-1.googlebot.com", &[ip("66.249.66.1")]);
    let (v, dns) = verifier(dns, VerifierConfig::default());
    let r = v.verify(ip("203.0.113.9"), GOOGLEBOT_UA).await;
    assert!(!r.verified);
    assert_eq!(r.name, None);
    assert_eq!(r.category, None);
    assert_eq!(r.claimed.as_deref(), Some("Googlebot"));
    assert_eq!(dns.forward_calls(), 1);

    // A PTR whose name does not resolve at all is rejected as well.
    let dns = StaticResolver::new().with_ptr(ip("203.0.113.10"), &["ghost.googlebot.com"]);
    let (v, _) = verifier(dns, VerifierConfig::default());
    assert!(!v.verify(ip("203.0.113.10"), GOOGLEBOT_UA).await.verified);
}

#[tokio::test]
async fn verified_suffix_must_end_on_a_label_boundary() {
    let addr = ip("203.0.113.20");
    let dns = StaticResolver::new()
        .with_ptr(addr, &["crawl.evilgooglebot.com", "googlebot.com.evil.net"])
        .with_host("crawl.evilgooglebot.com", &[addr])
        .with_host("googlebot.com.evil.net", &[addr]);
    let (v, dns) = verifier(dns, VerifierConfig::default());
    let r = v.verify(addr, GOOGLEBOT_UA).await;
    assert!(!r.verified);
    // Names outside every catalogue suffix are not even forward-looked-up.
    assert_eq!(dns.forward_calls(), 0);
}

#[tokio::test]
async fn verified_never_by_a_user_agent_claim_alone() {
    let (v, dns) = verifier(StaticResolver::new(), VerifierConfig::default());
    for ua in [
        GOOGLEBOT_UA,
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "GPTBot/1.1",
        "ClaudeBot/1.0",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0)",
    ] {
        let r = v.verify(ip("198.51.100.7"), ua).await;
        assert!(!r.verified, "{ua}");
        assert!(r.name.is_none() && r.category.is_none(), "{ua}");
        assert!(r.claimed.is_some(), "{ua}");
    }
    // One PTR lookup for the IP, its negative answer cached and shared by every claim;
    // GPTBot and ClaudeBot have no rDNS method, so nothing was looked up for them.
    assert_eq!(dns.reverse_calls(), 1);
    assert_eq!(dns.forward_calls(), 0);
}

#[tokio::test]
async fn verified_candidates_follow_the_claimed_user_agent() {
    // A confirmed Ahrefs crawler that claims to be Googlebot is not verified as anything.
    let addr = ip("54.36.148.1");
    let dns = StaticResolver::new()
        .with_ptr(addr, &["ip-54-36-148-1.a.ahrefs.com"])
        .with_host("ip-54-36-148-1.a.ahrefs.com", &[addr]);
    let (v, _) = verifier(dns, VerifierConfig::default());
    assert!(!v.verify(addr, GOOGLEBOT_UA).await.verified);
    let r = v
        .verify(
            addr,
            "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        )
        .await;
    assert!(r.verified);
    assert_eq!(r.name.as_deref(), Some("AhrefsBot"));
    assert_eq!(r.category, Some(Category::Seo));
    // The DNS facts were cached per IP and reused for the second user agent.
    assert!(v.verify(addr, "").await.verified);
}

#[tokio::test]
async fn verified_unclaimed_browser_ua_is_not_probed_unless_configured() {
    let (v, dns) = verifier(googlebot_dns(), VerifierConfig::default());
    assert!(!v.verify(ip("66.249.66.1"), BROWSER_UA).await.verified);
    assert_eq!(dns.reverse_calls(), 0);
    let config = VerifierConfig {
        probe_unclaimed: true,
        ..VerifierConfig::default()
    };
    let (v, _) = verifier(googlebot_dns(), config);
    assert!(v.verify(ip("66.249.66.1"), BROWSER_UA).await.verified);
}

#[tokio::test]
async fn verified_one_confirmed_name_among_several_ptrs_is_enough() {
    let addr = ip("66.249.66.2");
    let dns = StaticResolver::new()
        .with_ptr(
            addr,
            &["fake.googlebot.com", "crawl-66-249-66-2.googlebot.com"],
        )
        .with_host("fake.googlebot.com", &[ip("192.0.2.1")])
        .with_host("crawl-66-249-66-2.googlebot.com", &[ip("192.0.2.2"), addr]);
    let (v, _) = verifier(dns, VerifierConfig::default());
    let r = v.verify(addr, GOOGLEBOT_UA).await;
    assert!(r.verified);
    assert_eq!(
        r.evidence.as_deref(),
        Some("crawl-66-249-66-2.googlebot.com")
    );
}

#[tokio::test]
async fn verified_timeout_answers_unverified_promptly_and_finishes_in_background() {
    let dns = googlebot_dns().with_delay(Duration::from_millis(400));
    let (v, dns) = verifier(dns, VerifierConfig::default());
    let started = std::time::Instant::now();
    let r = v
        .verify_with_timeout(ip("66.249.66.1"), GOOGLEBOT_UA, Duration::from_millis(40))
        .await;
    let waited = started.elapsed();
    assert!(!r.verified);
    assert!(waited < Duration::from_millis(300), "waited {waited:?}");
    assert_eq!(v.lookups_in_flight(), 1);
    // The hot path never waits either.
    let started = std::time::Instant::now();
    assert_eq!(v.check_cached(ip("66.249.66.1"), GOOGLEBOT_UA), None);
    assert!(
        !v.check_nonblocking(ip("66.249.66.1"), GOOGLEBOT_UA)
            .verified
    );
    assert!(started.elapsed() < Duration::from_millis(100));
    // The same lookup completes in the background and fills the cache.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(v.lookups_in_flight(), 0);
    assert!(
        v.check_cached(ip("66.249.66.1"), GOOGLEBOT_UA)
            .unwrap()
            .verified
    );
    assert_eq!(dns.reverse_calls(), 1);
}

#[tokio::test]
async fn verified_default_timeout_is_bounded() {
    let dns = googlebot_dns().with_delay(Duration::from_secs(10));
    let (v, _) = verifier(dns, VerifierConfig::default());
    let started = std::time::Instant::now();
    assert!(!v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(140) && waited < Duration::from_millis(600),
        "waited {waited:?}"
    );
}

#[tokio::test]
async fn verified_lookup_budget_bounds_the_background_check() {
    let dns = googlebot_dns().with_delay(Duration::from_secs(30));
    let config = VerifierConfig {
        lookup_budget: Duration::from_millis(100),
        ..VerifierConfig::default()
    };
    let (v, _) = verifier(dns, config);
    let r = v
        .verify_with_timeout(ip("66.249.66.1"), GOOGLEBOT_UA, Duration::from_secs(5))
        .await;
    assert!(!r.verified);
    assert_eq!(v.lookups_in_flight(), 0);
    assert_eq!(v.cache_len(), 1);
}

#[tokio::test]
async fn verified_check_cached_miss_then_hit() {
    let (v, dns) = verifier(googlebot_dns(), VerifierConfig::default());
    assert_eq!(v.check_cached(ip("66.249.66.1"), GOOGLEBOT_UA), None);
    // Joins the lookup the miss started.
    let r = v
        .verify_with_timeout(ip("66.249.66.1"), GOOGLEBOT_UA, Duration::from_secs(2))
        .await;
    assert!(r.verified);
    for _ in 0..5 {
        assert!(
            v.check_cached(ip("66.249.66.1"), GOOGLEBOT_UA)
                .unwrap()
                .verified
        );
        assert!(v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    }
    assert_eq!((dns.reverse_calls(), dns.forward_calls()), (1, 1));
    assert_eq!(v.cache_len(), 1);
}

#[tokio::test]
async fn verified_cache_entries_expire() {
    let config = VerifierConfig {
        positive_ttl: Duration::from_millis(400),
        negative_ttl: Duration::from_millis(400),
        stale_grace: Duration::ZERO,
        ..VerifierConfig::default()
    };
    let (v, dns) = verifier(googlebot_dns(), config);
    assert!(v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    assert!(!v.verify(ip("203.0.113.1"), GOOGLEBOT_UA).await.verified);
    assert!(v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    assert!(!v.verify(ip("203.0.113.1"), GOOGLEBOT_UA).await.verified);
    // Negative answers are cached too.
    assert_eq!(dns.reverse_calls(), 2);
    tokio::time::sleep(Duration::from_millis(500)).await;
    // Expired and no grace: a miss again, and a fresh lookup.
    assert_eq!(v.check_cached(ip("66.249.66.1"), GOOGLEBOT_UA), None);
    assert!(v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    assert!(!v.verify(ip("203.0.113.1"), GOOGLEBOT_UA).await.verified);
    assert_eq!(dns.reverse_calls(), 4);
}

#[tokio::test]
async fn verified_stale_positive_is_served_while_refreshing() {
    let config = VerifierConfig {
        positive_ttl: Duration::from_millis(50),
        stale_grace: Duration::from_secs(60),
        ..VerifierConfig::default()
    };
    let (v, dns) = verifier(googlebot_dns(), config);
    assert!(v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    tokio::time::sleep(Duration::from_millis(80)).await;
    dns.set_delay(Duration::from_millis(200));
    // Stale but within grace: still verified at once, and a refresh is under way.
    assert!(
        v.check_cached(ip("66.249.66.1"), GOOGLEBOT_UA)
            .unwrap()
            .verified
    );
    assert_eq!(v.lookups_in_flight(), 1);
    assert!(
        v.verify_with_timeout(ip("66.249.66.1"), GOOGLEBOT_UA, Duration::from_millis(10))
            .await
            .verified
    );
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(dns.reverse_calls(), 2);
    assert_eq!(v.lookups_in_flight(), 0);
    // A transient failure during a refresh does not erase the good answer.
    tokio::time::sleep(Duration::from_millis(60)).await;
    dns.set_delay(Duration::ZERO);
    dns.set_ptr(
        ip("66.249.66.1"),
        Err(LookupError::Failed("SERVFAIL".into())),
    );
    assert!(v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    assert!(
        v.check_cached(ip("66.249.66.1"), GOOGLEBOT_UA)
            .unwrap()
            .verified
    );
}

#[tokio::test]
async fn verified_transient_failures_are_cached_briefly() {
    let dns = StaticResolver::new();
    dns.set_ptr(ip("66.249.66.1"), Err(LookupError::Timeout));
    let config = VerifierConfig {
        error_ttl: Duration::from_millis(400),
        stale_grace: Duration::ZERO,
        ..VerifierConfig::default()
    };
    let (v, dns) = verifier(dns, config);
    assert!(!v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    assert!(!v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    assert_eq!(dns.reverse_calls(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    dns.set_ptr(
        ip("66.249.66.1"),
        Ok(vec!["crawl-66-249-66-1.googlebot.com".into()]),
    );
    dns.set_host(
        "crawl-66-249-66-1.googlebot.com",
        Ok(vec![ip("66.249.66.1")]),
    );
    assert!(v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    assert_eq!(dns.reverse_calls(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verified_concurrent_lookups_for_one_ip_are_coalesced() {
    let dns = googlebot_dns().with_delay(Duration::from_millis(100));
    let (v, dns) = verifier(dns, VerifierConfig::default());
    let tasks: Vec<_> = (0..32)
        .map(|i| {
            let v = v.clone();
            tokio::spawn(async move {
                if i % 2 == 0 {
                    v.verify_with_timeout(ip("66.249.66.1"), GOOGLEBOT_UA, Duration::from_secs(5))
                        .await
                } else {
                    v.verify_with_timeout(ip("66.249.66.1"), "", Duration::from_secs(5))
                        .await
                }
            })
        })
        .collect();
    for t in tasks {
        assert!(t.await.unwrap().verified);
    }
    assert_eq!((dns.reverse_calls(), dns.forward_calls()), (1, 1));
}

#[tokio::test]
async fn verified_cache_is_bounded() {
    let config = VerifierConfig {
        max_entries: 8,
        ..VerifierConfig::default()
    };
    let (v, dns) = verifier(StaticResolver::new(), config);
    for i in 0..100u8 {
        v.verify(IpAddr::from([203, 0, 113, i]), GOOGLEBOT_UA).await;
        assert!(v.cache_len() <= 8, "{}", v.cache_len());
    }
    assert_eq!(dns.reverse_calls(), 100);
    // Recently used entries survive.
    v.verify(IpAddr::from([203, 0, 113, 99]), GOOGLEBOT_UA)
        .await;
    assert_eq!(dns.reverse_calls(), 100);
}

#[tokio::test]
async fn verified_in_flight_lookups_are_bounded() {
    let dns = googlebot_dns().with_delay(Duration::from_millis(300));
    let config = VerifierConfig {
        max_in_flight: 1,
        ..VerifierConfig::default()
    };
    let (v, dns) = verifier(dns, config);
    assert_eq!(v.check_cached(ip("66.249.66.1"), GOOGLEBOT_UA), None);
    assert_eq!(v.check_cached(ip("203.0.113.1"), GOOGLEBOT_UA), None);
    assert!(!v.verify(ip("203.0.113.2"), GOOGLEBOT_UA).await.verified);
    assert_eq!(v.lookups_in_flight(), 1);
    // PTR and forward lookups take 300 ms each.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(dns.reverse_calls(), 1);
    assert!(
        v.check_cached(ip("66.249.66.1"), GOOGLEBOT_UA)
            .unwrap()
            .verified
    );
}

#[test]
fn verified_check_cached_outside_a_runtime_does_not_panic() {
    let (v, dns) = verifier(googlebot_dns(), VerifierConfig::default());
    assert_eq!(v.check_cached(ip("66.249.66.1"), GOOGLEBOT_UA), None);
    assert!(v.check_cached(ip("157.55.39.1"), "").unwrap().verified);
    assert_eq!(dns.reverse_calls(), 0);
}

#[tokio::test]
async fn verified_catalogue_replacement_applies_and_clears_the_cache() {
    let (v, _) = verifier(googlebot_dns(), VerifierConfig::default());
    assert!(v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    assert!(v.verify(ip("192.0.2.5"), "").await.claimed.is_none());
    let mine = Catalogue::from_json(
        r#"{"version":1,"bots":[{"name":"Mine","category":"monitoring","ua_tokens":["MineCheck"],
            "match":[{"method":"ip_cidr","value":"192.0.2.0/24"}]}]}"#,
        "mine.json",
    )
    .unwrap();
    v.set_catalogue(mine);
    assert_eq!(v.cache_len(), 0);
    assert_eq!(v.export().meta.count, 1);
    assert!(!v.verify(ip("66.249.66.1"), GOOGLEBOT_UA).await.verified);
    let r = v.verify(ip("192.0.2.5"), "").await;
    assert!(r.verified);
    assert_eq!(r.category, Some(Category::Monitoring));
}
