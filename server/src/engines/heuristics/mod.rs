//! Heuristics engine (family `0x01`): server-side facts about the requests that delivered a
//! session's telemetry. Also the pure helpers the ingest edge uses to capture those facts
//! (user-agent class and hash, header-shape flags, replay fingerprints), so that what is
//! stored and what is judged are defined in one place.
use std::{fmt, net::IpAddr, str::FromStr};

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{EngineOutput, Finding, Signals, Strength, registry::ids, signals};
use crate::domain::{
    EventKind,
    address::{IP_REQUESTS_PER_MIN, IP_SESSIONS_PER_10MIN, rate_limited_address},
};

mod headers;
mod replay;
mod user_agent;

pub use headers::{HEADER_FLAG_NAMES, flag_names, header, header_anomalies, header_flags};
pub use replay::replay_fingerprint;
pub use user_agent::{BrowserFamily, UaClass, classify, ua_hash};

/// The stored facts of one ingest request of the session.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestFacts {
    pub client_ip: Option<IpAddr>,
    /// [`ua_hash`] of the HTTP User-Agent.
    pub ua_hash: Option<String>,
    pub ua_class: UaClass,
    /// [`header`] flags.
    pub header_flags: u32,
    /// What the request's `integrity` object was.
    pub integrity: crate::integrity::Outcome,
    /// Relayed by the customer's backend (`POST /v1/server/events`): the user agent and
    /// headers above are absent, the address is what the backend observed.
    pub relayed: bool,
    /// JA4 of the request's TLS ClientHello (Botect's own TLS or a trusted proxy's header).
    pub ja4: Option<String>,
}

/// The project's traffic around the session (counted by the store).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Traffic {
    /// Ingest requests of this session in the minute up to its latest one.
    pub session_requests_1m: u32,
    /// Events those requests carried.
    pub session_events_1m: u32,
    /// The client IP of the session's latest request.
    pub ip: Option<IpAddr>,
    /// Sessions that IP sent requests for in the 10 minutes up to the session's latest request.
    pub ip_sessions_10m: u32,
    /// Requests from that IP in the minute up to it.
    pub ip_requests_1m: u32,
    /// This session's non-trivial payloads that another session of the project stored
    /// earlier (the first sender is not flagged).
    pub replayed_payloads: u32,
    /// The other sessions that sent them first.
    pub replay_sessions: u32,
    /// Page hits of the project in the hour up to the session's latest request (capped at
    /// [`super::page_hits::PAGE_HITS_FLOWING`]).
    pub project_page_hits_1h: u32,
}

pub const SESSION_REQUESTS_PER_MIN: u32 = 60;
pub const SESSION_EVENTS_PER_MIN: u32 = 2_000;
/// Runs the heuristics. Abstains when nothing fires.
pub fn assess(
    s: &Signals,
    requests: &[RequestFacts],
    page_hits: &[super::PageHitFacts],
    t: &Traffic,
) -> Option<EngineOutput> {
    let mut out = Vec::new();
    let interaction = s.human_interaction();

    // Automation browsers, by user agent or client hints.
    let automation: Vec<String> = requests
        .iter()
        .filter_map(|r| match &r.ua_class {
            UaClass::Automation(n) => Some(n.clone()),
            _ if r.header_flags & header::SEC_CH_UA_HEADLESS != 0 => {
                Some("HeadlessChrome client hint".to_string())
            }
            _ => None,
        })
        .fold(Vec::new(), dedup);
    if !automation.is_empty() {
        out.push(Finding::new(
            ids::AUTOMATION_HTTP_UA,
            3,
            Strength::Deterministic,
            format!("Automation browser user agent ({})", automation.join(", ")),
        ));
    }

    // Scripted HTTP clients: deterministic "not a browser", where it matters: the session
    // claims to be the browser SDK, or records no interaction. A bare server-side post of
    // plausible interaction (the quickstart's curl) is left to the evidence gate.
    let libraries: Vec<String> = requests
        .iter()
        .filter_map(|r| match &r.ua_class {
            UaClass::Library(n) => Some(n.clone()),
            _ => None,
        })
        .fold(Vec::new(), dedup);
    if !libraries.is_empty() && (s.sdk_claimed || !interaction) {
        out.push(Finding::new(
            ids::HTTP_LIBRARY_UA,
            4,
            Strength::Deterministic,
            format!("Scripted HTTP client ({})", libraries.join(", ")),
        ));
    }

    let bots: Vec<String> = requests
        .iter()
        .filter_map(|r| match &r.ua_class {
            UaClass::Bot(n) => Some(n.clone()),
            _ => None,
        })
        .fold(Vec::new(), dedup);
    if !bots.is_empty() {
        out.push(Finding::new(
            ids::DECLARED_BOT_UA,
            5,
            Strength::Graded,
            format!("Self-declared bot user agent ({})", bots.join(", ")),
        ));
    }

    // The TLS client vs the browser the user agent claims.
    // The page requests' JA4 (from the site's backend) is held against the browser the
    // session's own requests claim too.
    let hit_ja4s: Vec<&str> = page_hits.iter().filter_map(|h| h.ja4.as_deref()).collect();
    let stacks: Vec<String> = requests
        .iter()
        .flat_map(|r| {
            let claimed = (!r.relayed).then_some(&r.ua_class);
            std::iter::once(tls_mismatch(&r.ua_class, r.ja4.as_deref())).chain(
                hit_ja4s
                    .iter()
                    .map(move |j| claimed.and_then(|c| tls_mismatch(c, Some(j)))),
            )
        })
        .flatten()
        .fold(Vec::new(), dedup);
    if !stacks.is_empty() {
        out.push(Finding::new(
            ids::TLS_CLIENT_MISMATCH,
            TLS_MISMATCH_SCORE,
            Strength::Graded,
            format!(
                "TLS client unlike the claimed browser ({})",
                stacks.join(", ")
            ),
        ));
    }

    // The page's user agent vs the HTTP one.
    let http_hashes: Vec<&str> = requests
        .iter()
        .filter_map(|r| r.ua_hash.as_deref())
        .collect();
    if !s.probe.ua_hashes.is_empty() && !http_hashes.is_empty() {
        let unmatched = s.probe.ua_hashes.iter().any(|sdk| {
            !http_hashes.iter().any(|h| {
                h.eq_ignore_ascii_case(sdk) || (sdk.len() >= 8 && h.starts_with(sdk.as_str()))
            })
        });
        if unmatched {
            out.push(Finding::new(
                ids::UA_MISMATCH,
                6,
                Strength::Graded,
                "User agent reported by the page differs from the HTTP User-Agent",
            ));
        }
    }

    // Header shape: only where a browser is claimed (SDK telemetry).
    if s.sdk_claimed {
        let anomalies: Vec<&str> = requests
            .iter()
            .flat_map(|r| header_anomalies(&r.ua_class, r.header_flags))
            .fold(Vec::new(), |mut v, a| {
                if !v.contains(&a) {
                    v.push(a);
                }
                v
            });
        if !anomalies.is_empty() {
            out.push(Finding::new(
                ids::HEADER_SHAPE,
                12,
                Strength::Graded,
                format!(
                    "Request headers unlike the claimed browser ({})",
                    anomalies.join(", ")
                ),
            ));
        }
        if !s.probe.received && requests.len() >= 2 {
            out.push(Finding::new(
                ids::JS_PROBE_MISSING,
                20,
                Strength::Graded,
                format!(
                    "SDK telemetry in {} requests without a JS probe",
                    requests.len()
                ),
            ));
        }
    }

    if t.replayed_payloads > 0 {
        out.push(Finding::new(
            ids::REPLAYED_PAYLOAD,
            5,
            Strength::Graded,
            format!(
                "Telemetry identical to {} other session{} (replayed)",
                t.replay_sessions.max(1),
                if t.replay_sessions > 1 { "s" } else { "" }
            ),
        ));
    }

    if t.session_requests_1m > SESSION_REQUESTS_PER_MIN
        || t.session_events_1m > SESSION_EVENTS_PER_MIN
    {
        out.push(Finding::new(
            ids::SESSION_RATE,
            15,
            Strength::Graded,
            format!(
                "Session request rate ({} requests, {} events in a minute)",
                t.session_requests_1m, t.session_events_1m
            ),
        ));
    }

    if t.ip.is_some_and(rate_limited_address)
        && (t.ip_sessions_10m >= IP_SESSIONS_PER_10MIN || t.ip_requests_1m >= IP_REQUESTS_PER_MIN)
    {
        out.push(Finding::new(
            ids::IP_RATE,
            20,
            Strength::Corroborating,
            format!(
                "Client IP request rate ({} sessions in 10 minutes, {} requests in a minute)",
                t.ip_sessions_10m, t.ip_requests_1m
            ),
        ));
    }

    out.extend(super::page_hits::assess(
        s,
        requests,
        page_hits,
        t.project_page_hits_1h,
    ));
    out.extend(super::evidence::gate(s, requests, page_hits));

    if out.is_empty() {
        return None;
    }
    Some(EngineOutput {
        engine: "heuristics",
        score: out.iter().map(|f| f.score).min(),
        findings: out,
    })
}

/// Score of a request whose TLS client contradicts its browser user agent.
pub const TLS_MISMATCH_SCORE: u8 = 10;

/// What is wrong with a request whose user agent claims a Chromium-based browser (not an
/// embedded WebView) and whose ClientHello's cipher suites are not BoringSSL's: a
/// non-browser TLS stack (curl, Python, Go, Java …) sending a Chrome user agent.
pub fn tls_mismatch(class: &UaClass, ja4: Option<&str>) -> Option<String> {
    let ja4 = ja4?;
    match class {
        UaClass::Browser { family, .. }
            if *family == user_agent::BrowserFamily::Chromium
                && crate::domain::ja4::cipher_part(ja4)
                    != Some(crate::domain::ja4::CHROMIUM_CIPHERS) =>
        {
            Some(format!("{class} over JA4 {ja4}"))
        }
        _ => None,
    }
}

fn dedup(mut v: Vec<String>, x: String) -> Vec<String> {
    if !v.contains(&x) {
        v.push(x);
    }
    v
}

#[cfg(test)]
mod tests;
