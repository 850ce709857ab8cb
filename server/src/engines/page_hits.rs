//! Page hits (heuristics family `0x01`): what the customer's backend observed of each page
//! view it served (`POST /v1/server/page-hits`), against what the session's browser events
//! claim. The backend sees the real HTTP request, so a forger who scripts the events has to
//! make its page requests look like the same browser too.
//!
//! - events but no page hit while the project's backend reports page hits: the telemetry
//!   bypassed the site it claims to come from;
//! - the page's languages (navigator.languages) share no language with the requests'
//!   Accept-Language;
//! - no page request sent a User-Agent, or none an Accept-Language, which every browser
//!   sends;
//! - the page requests and the telemetry came from different networks (corroborating only:
//!   people change networks).
use std::net::IpAddr;

use super::{Finding, RequestFacts, Signals, Strength, registry::ids};
use crate::domain::address::rate_limited_address;

/// What the scoring reads of one page hit.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageHitFacts {
    pub method: String,
    /// Lower-case header names.
    pub header_names: Vec<String>,
    /// Lower-case Accept-Language tags.
    pub languages: Vec<String>,
    /// The client address, unless the backend could only guess it.
    pub ip: Option<IpAddr>,
    pub ja4: Option<String>,
}

/// Page hits of the project in the hour up to a session's latest request from which on the
/// project counts as reporting page hits.
pub const PAGE_HITS_FLOWING: u32 = 10;

/// Score of a session with events and no page hit while page hits flow.
pub const EVENTS_WITHOUT_PAGE_HIT_SCORE: u8 = 20;
/// Score of a session whose page's languages contradict its requests'.
pub const LANGUAGES_MISMATCH_SCORE: u8 = 15;
/// Score of a session whose page requests lack a browser's headers.
pub const HEADERS_MISMATCH_SCORE: u8 = 12;
/// Score of a session whose page requests and telemetry came from different networks.
pub const ADDRESS_MISMATCH_SCORE: u8 = 20;

/// The findings of a session's page hits; `project_page_hits_1h` is the project's count
/// in the hour up to the session's latest request (capped at [`PAGE_HITS_FLOWING`]).
pub fn assess(
    s: &Signals,
    requests: &[RequestFacts],
    hits: &[PageHitFacts],
    project_page_hits_1h: u32,
) -> Vec<Finding> {
    let mut out = Vec::new();
    if hits.is_empty() {
        if s.events > 0 && project_page_hits_1h >= PAGE_HITS_FLOWING {
            out.push(Finding::new(
                ids::EVENTS_WITHOUT_PAGE_HIT,
                EVENTS_WITHOUT_PAGE_HIT_SCORE,
                Strength::Graded,
                "Browser events without any page hit while the site's backend reports page hits",
            ));
        }
        return out;
    }

    let hit_languages: Vec<&str> = hits
        .iter()
        .flat_map(|h| h.languages.iter().map(|l| primary(l)))
        .filter(|l| *l != "*")
        .collect();
    let page_languages: Vec<&str> = s.probe.languages.iter().map(|l| primary(l)).collect();
    if !hit_languages.is_empty()
        && !page_languages.is_empty()
        && !page_languages.iter().any(|l| hit_languages.contains(l))
    {
        out.push(Finding::new(
            ids::PAGE_HIT_LANGUAGES_MISMATCH,
            LANGUAGES_MISMATCH_SCORE,
            Strength::Graded,
            "The page's languages share none with the Accept-Language of its page requests",
        ));
    }

    // Only page requests that list headers at all, and not CORS preflights.
    let listed: Vec<&PageHitFacts> = hits
        .iter()
        .filter(|h| !h.header_names.is_empty() && h.method != "OPTIONS")
        .collect();
    if s.sdk_claimed && !listed.is_empty() {
        let none_has = |name: &str| {
            !listed
                .iter()
                .any(|h| h.header_names.iter().any(|n| n == name))
        };
        let mut missing = Vec::new();
        if none_has("user-agent") {
            missing.push("no User-Agent");
        }
        if none_has("accept-language") {
            missing.push("no Accept-Language");
        }
        if !missing.is_empty() {
            out.push(Finding::new(
                ids::PAGE_HIT_HEADERS_MISMATCH,
                HEADERS_MISMATCH_SCORE,
                Strength::Graded,
                format!(
                    "Page requests without a browser's headers ({})",
                    missing.join(", ")
                ),
            ));
        }
    }

    let hit_ips: Vec<IpAddr> = hits
        .iter()
        .filter_map(|h| h.ip)
        .filter(|ip| rate_limited_address(*ip))
        .collect();
    let event_ips: Vec<IpAddr> = requests
        .iter()
        .filter_map(|r| r.client_ip)
        .filter(|ip| rate_limited_address(*ip))
        .collect();
    let comparable = event_ips
        .iter()
        .any(|e| hit_ips.iter().any(|h| h.is_ipv4() == e.is_ipv4()));
    let shared = event_ips
        .iter()
        .any(|e| hit_ips.iter().any(|h| same_network(*h, *e)));
    if comparable && !shared {
        out.push(Finding::new(
            ids::PAGE_HIT_ADDRESS_MISMATCH,
            ADDRESS_MISMATCH_SCORE,
            Strength::Corroborating,
            "Page requests and telemetry came from different networks",
        ));
    }
    out
}

/// The primary subtag of a language tag (`en` of `en-us`).
fn primary(tag: &str) -> &str {
    tag.split('-').next().unwrap_or(tag)
}

/// The same /24 (IPv4) or /48 (IPv6).
fn same_network(a: IpAddr, b: IpAddr) -> bool {
    match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => a.octets()[..3] == b.octets()[..3],
        (IpAddr::V6(a), IpAddr::V6(b)) => a.segments()[..3] == b.segments()[..3],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{domain::EventKind, engines::evidence, engines::signals};
    use serde_json::json;

    fn browser_signals(languages: &[&str]) -> Signals {
        let (mut events, _) = evidence::sdk_run();
        events.push((
            EventKind::JsProbe,
            json!({"languages": languages, "webdriver": false})
                .as_object()
                .unwrap()
                .clone(),
        ));
        signals::fold(events.iter().map(|(k, m)| (*k, m)))
    }

    fn hit(headers: &[&str], languages: &[&str], ip: Option<&str>) -> PageHitFacts {
        PageHitFacts {
            method: "GET".into(),
            header_names: headers.iter().map(|h| h.to_string()).collect(),
            languages: languages.iter().map(|l| l.to_string()).collect(),
            ip: ip.map(|ip| ip.parse().unwrap()),
            ja4: None,
        }
    }

    fn request(ip: &str) -> RequestFacts {
        RequestFacts {
            client_ip: Some(ip.parse().unwrap()),
            ..evidence::sdk_run().1
        }
    }

    const BROWSER: &[&str] = &["host", "user-agent", "cookie", "accept-language"];

    fn ids_of(f: &[Finding]) -> Vec<u32> {
        f.iter().map(|f| f.id).collect()
    }

    #[test]
    fn a_browser_whose_page_requests_agree_has_no_finding() {
        let s = browser_signals(&["en-US", "en"]);
        let hits = [hit(BROWSER, &["en-us", "en"], Some("203.0.113.7"))];
        assert!(assess(&s, &[request("203.0.113.9")], &hits, 50).is_empty());
        // Chrome's reduced Accept-Language (one tag) and another region of the language.
        let hits = [hit(BROWSER, &["en-gb"], Some("203.0.113.7"))];
        assert!(assess(&s, &[request("203.0.113.9")], &hits, 50).is_empty());
    }

    #[test]
    fn events_without_a_page_hit_count_only_while_page_hits_flow() {
        let s = browser_signals(&["en-US"]);
        assert!(assess(&s, &[], &[], PAGE_HITS_FLOWING - 1).is_empty());
        assert_eq!(
            ids_of(&assess(&s, &[], &[], PAGE_HITS_FLOWING)),
            [ids::EVENTS_WITHOUT_PAGE_HIT]
        );
    }

    #[test]
    fn contradicting_languages_and_missing_headers_are_found() {
        let s = browser_signals(&["en-US", "en"]);
        let f = assess(&s, &[], &[hit(BROWSER, &["de-de", "de"], None)], 0);
        assert_eq!(ids_of(&f), [ids::PAGE_HIT_LANGUAGES_MISMATCH]);
        let f = assess(&s, &[], &[hit(&["host", "accept"], &["en-us"], None)], 0);
        assert_eq!(ids_of(&f), [ids::PAGE_HIT_HEADERS_MISMATCH]);
        assert!(f[0].reason.contains("no User-Agent, no Accept-Language"));
        // One page request with the headers is enough (an XHR may lack some).
        let hits = [hit(&["host"], &[], None), hit(BROWSER, &["en"], None)];
        assert!(assess(&s, &[], &hits, 0).is_empty());
        // Nothing listed: nothing to compare.
        assert!(assess(&s, &[], &[hit(&[], &[], None)], 0).is_empty());
    }

    #[test]
    fn different_networks_corroborate_only_and_private_addresses_are_exempt() {
        let s = browser_signals(&["en"]);
        let hits = [hit(BROWSER, &["en"], Some("198.51.100.4"))];
        let f = assess(&s, &[request("203.0.113.9")], &hits, 0);
        assert_eq!(ids_of(&f), [ids::PAGE_HIT_ADDRESS_MISMATCH]);
        assert_eq!(f[0].strength, Strength::Corroborating);
        // Dual stack: IPv6 to the site, IPv4 to Botect is not a contradiction.
        let hits = [hit(BROWSER, &["en"], Some("2001:db8::1"))];
        assert!(assess(&s, &[request("203.0.113.9")], &hits, 0).is_empty());
        let hits = [hit(BROWSER, &["en"], Some("10.0.0.1"))];
        assert!(assess(&s, &[request("127.0.0.1")], &hits, 0).is_empty());
    }
}
