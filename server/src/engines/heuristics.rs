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

// ---- user agents ----

/// Browser engines whose request headers we know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrowserFamily {
    /// Chrome, Edge, Opera, Brave, Samsung Internet … (`Chrome/NNN`, not a WebView).
    Chromium,
    Firefox,
    /// Safari (`Version/NN … Safari/`), and every iOS browser.
    Webkit,
    /// Android WebView and in-app browsers: only the user agent itself is checked.
    Embedded,
}

impl BrowserFamily {
    fn as_str(self) -> &'static str {
        match self {
            BrowserFamily::Chromium => "chromium",
            BrowserFamily::Firefox => "firefox",
            BrowserFamily::Webkit => "webkit",
            BrowserFamily::Embedded => "embedded",
        }
    }
}

/// What an HTTP User-Agent says about the client. Stored per ingest request as its string
/// form (`browser/chromium/120`, `library/curl`, …) instead of the user agent itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UaClass {
    /// No User-Agent header.
    Missing,
    Browser {
        family: BrowserFamily,
        major: u32,
    },
    /// An automation browser (HeadlessChrome, PhantomJS, …), by marker name.
    Automation(String),
    /// A scripting HTTP client (curl, python-requests, …), by name.
    Library(String),
    /// A self-declared crawler or bot.
    Bot(String),
    /// A gRPC client library (tonic, grpc-go, …): a server-side API client.
    ApiClient(String),
    Other,
}

/// Automation-browser markers (case-insensitive substrings), with their display names.
const AUTOMATION_MARKERS: &[(&str, &str)] = &[
    ("headlesschrome", "HeadlessChrome"),
    ("phantomjs", "PhantomJS"),
    ("slimerjs", "SlimerJS"),
    ("htmlunit", "HtmlUnit"),
    ("jsdom", "jsdom"),
    ("puppeteer", "Puppeteer"),
    ("playwright", "Playwright"),
    ("selenium", "Selenium"),
    ("webdriver", "WebDriver"),
    ("nightmare", "Nightmare"),
    ("electron/", "Electron"),
];

/// Scripting HTTP clients (case-insensitive substrings), with their display names.
const LIBRARY_MARKERS: &[(&str, &str)] = &[
    ("curl/", "curl"),
    ("wget/", "Wget"),
    ("python-requests", "python-requests"),
    ("python-urllib", "python-urllib"),
    ("python-httpx", "httpx"),
    ("aiohttp", "aiohttp"),
    ("go-http-client", "Go-http-client"),
    ("okhttp", "OkHttp"),
    ("java-http-client", "Java HttpClient"),
    ("apache-httpclient", "Apache HttpClient"),
    ("libwww-perl", "libwww-perl"),
    ("node-fetch", "node-fetch"),
    ("axios/", "axios"),
    ("undici", "undici"),
    ("scrapy", "Scrapy"),
    ("postmanruntime", "Postman"),
    ("insomnia/", "Insomnia"),
    ("httpie/", "HTTPie"),
    ("guzzlehttp", "Guzzle"),
    ("colly", "Colly"),
    ("http.rb/", "http.rb"),
    ("faraday", "Faraday"),
    ("reqwest/", "reqwest"),
    ("powershell", "PowerShell"),
];

/// Well-known crawlers (substrings) besides the generic tokens.
const BOT_MARKERS: &[(&str, &str)] = &[
    ("googlebot", "Googlebot"),
    ("bingbot", "bingbot"),
    ("gptbot", "GPTBot"),
    ("claudebot", "ClaudeBot"),
    ("perplexitybot", "PerplexityBot"),
    ("yandexbot", "YandexBot"),
    ("baiduspider", "Baiduspider"),
    ("duckduckbot", "DuckDuckBot"),
    ("applebot", "Applebot"),
    ("ahrefsbot", "AhrefsBot"),
    ("semrushbot", "SemrushBot"),
    ("facebookexternalhit", "facebookexternalhit"),
];

const GRPC_MARKERS: &[(&str, &str)] = &[("tonic/", "tonic"), ("grpc-", "grpc")];

fn major_after(ua: &str, token: &str) -> Option<u32> {
    let i = ua.find(token)? + token.len();
    let digits: String = ua[i..].chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Classifies an HTTP User-Agent.
pub fn classify(ua: Option<&str>) -> UaClass {
    let Some(ua) = ua.map(str::trim).filter(|u| !u.is_empty()) else {
        return UaClass::Missing;
    };
    let lower = ua.to_ascii_lowercase();
    let find = |markers: &[(&str, &str)]| {
        markers
            .iter()
            .find(|(m, _)| lower.contains(m))
            .map(|(_, name)| name.to_string())
    };
    if let Some(name) = find(AUTOMATION_MARKERS) {
        return UaClass::Automation(name);
    }
    if let Some(name) = find(BOT_MARKERS) {
        return UaClass::Bot(name);
    }
    if ["bot/", "bot;", "crawler", "spider", "+http"]
        .iter()
        .any(|t| lower.contains(t))
    {
        let name = ua
            .split([' ', '/', ';'])
            .next()
            .unwrap_or("bot")
            .to_string();
        return UaClass::Bot(name);
    }
    if let Some(name) = find(LIBRARY_MARKERS) {
        return UaClass::Library(name);
    }
    if let Some(name) = find(GRPC_MARKERS) {
        return UaClass::ApiClient(name);
    }
    if !lower.starts_with("mozilla/5.0") {
        // `Java/17`, `Python/3.11 aiohttp`, `Ruby`, `PHP` … bare runtime names.
        if [
            "java/", "python/", "ruby", "php/", "perl/", "node", "deno/", "bun/", "dart/",
        ]
        .iter()
        .any(|t| lower.starts_with(t))
        {
            let name = ua.split(['/', ' ']).next().unwrap_or("client").to_string();
            return UaClass::Library(name);
        }
        return UaClass::Other;
    }
    let ios = lower.contains("iphone") || lower.contains("ipad") || lower.contains("ipod");
    let in_app = [
        "; wv)",
        "fban",
        "fbav",
        "instagram",
        "line/",
        "micromessenger",
    ]
    .iter()
    .any(|t| lower.contains(t));
    if in_app {
        return UaClass::Browser {
            family: BrowserFamily::Embedded,
            major: 0,
        };
    }
    if ios {
        let major = major_after(ua, "Version/").unwrap_or(0);
        return UaClass::Browser {
            family: BrowserFamily::Webkit,
            major,
        };
    }
    if let Some(major) = major_after(ua, "Firefox/") {
        return UaClass::Browser {
            family: BrowserFamily::Firefox,
            major,
        };
    }
    if let Some(major) = major_after(ua, "Chrome/").or_else(|| major_after(ua, "Chromium/")) {
        return UaClass::Browser {
            family: BrowserFamily::Chromium,
            major,
        };
    }
    if lower.contains("safari/") {
        let major = major_after(ua, "Version/").unwrap_or(0);
        return UaClass::Browser {
            family: BrowserFamily::Webkit,
            major,
        };
    }
    UaClass::Other
}

impl fmt::Display for UaClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UaClass::Missing => f.write_str("missing"),
            UaClass::Browser { family, major } => write!(f, "browser/{}/{major}", family.as_str()),
            UaClass::Automation(n) => write!(f, "automation/{n}"),
            UaClass::Library(n) => write!(f, "library/{n}"),
            UaClass::Bot(n) => write!(f, "bot/{n}"),
            UaClass::ApiClient(n) => write!(f, "api/{n}"),
            UaClass::Other => f.write_str("other"),
        }
    }
}

impl FromStr for UaClass {
    type Err = ();

    fn from_str(s: &str) -> Result<UaClass, ()> {
        let mut parts = s.splitn(3, '/');
        let kind = parts.next().ok_or(())?;
        let rest = || s.split_once('/').map(|(_, r)| r.to_string()).ok_or(());
        Ok(match kind {
            "missing" => UaClass::Missing,
            "other" => UaClass::Other,
            "automation" => UaClass::Automation(rest()?),
            "library" => UaClass::Library(rest()?),
            "bot" => UaClass::Bot(rest()?),
            "api" => UaClass::ApiClient(rest()?),
            "browser" => {
                let family = match parts.next() {
                    Some("chromium") => BrowserFamily::Chromium,
                    Some("firefox") => BrowserFamily::Firefox,
                    Some("webkit") => BrowserFamily::Webkit,
                    Some("embedded") => BrowserFamily::Embedded,
                    _ => return Err(()),
                };
                let major = parts.next().and_then(|m| m.parse().ok()).ok_or(())?;
                UaClass::Browser { family, major }
            }
            _ => return Err(()),
        })
    }
}

/// First 32 hex digits of the SHA-256 of a user agent, exactly as the SDK computes `ua_hash`
/// from `navigator.userAgent`.
pub fn ua_hash(ua: &str) -> String {
    let mut h = hex::encode(Sha256::digest(ua.as_bytes()));
    h.truncate(32);
    h
}

// ---- header shape ----

/// Header-shape flags of an ingest request (bit set = present / true).
pub mod header {
    pub const USER_AGENT: u32 = 1 << 0;
    pub const ACCEPT_LANGUAGE: u32 = 1 << 1;
    pub const ACCEPT_ENCODING: u32 = 1 << 2;
    pub const ACCEPT: u32 = 1 << 3;
    /// `Sec-Fetch-Mode` or `Sec-Fetch-Site`.
    pub const SEC_FETCH: u32 = 1 << 4;
    pub const SEC_CH_UA: u32 = 1 << 5;
    /// `Sec-CH-UA` names `HeadlessChrome`.
    pub const SEC_CH_UA_HEADLESS: u32 = 1 << 6;
    pub const ORIGIN: u32 = 1 << 7;
    /// The request reached us over a secure context, where browsers send Fetch-Metadata
    /// and client hints: a loopback/`localhost` Host, `X-Forwarded-Proto: https`
    /// (`Forwarded: proto=https`), or an `https://` Origin (mixed content is blocked).
    pub const SECURE: u32 = 1 << 8;
    /// `X-Forwarded-For` or `Forwarded` present (informational).
    pub const FORWARDED: u32 = 1 << 9;
}

fn loopback_host(host: &str) -> bool {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        rest.split(']').next().unwrap_or("")
    } else {
        host.rsplit_once(':').map_or(host, |(h, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                h
            } else {
                host
            }
        })
    };
    let name = name.to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Computes the header-shape flags from a header lookup (case-insensitive names).
pub fn header_flags<'a>(get: impl Fn(&str) -> Option<&'a str>) -> u32 {
    let has = |n: &str| get(n).is_some_and(|v| !v.trim().is_empty());
    let mut f = 0;
    for (name, bit) in [
        ("user-agent", header::USER_AGENT),
        ("accept-language", header::ACCEPT_LANGUAGE),
        ("accept-encoding", header::ACCEPT_ENCODING),
        ("accept", header::ACCEPT),
        ("sec-ch-ua", header::SEC_CH_UA),
        ("origin", header::ORIGIN),
    ] {
        if has(name) {
            f |= bit;
        }
    }
    if has("sec-fetch-mode") || has("sec-fetch-site") {
        f |= header::SEC_FETCH;
    }
    if get("sec-ch-ua").is_some_and(|v| v.to_ascii_lowercase().contains("headlesschrome")) {
        f |= header::SEC_CH_UA_HEADLESS;
    }
    if has("x-forwarded-for") || has("forwarded") {
        f |= header::FORWARDED;
    }
    let secure = get("host").is_some_and(loopback_host)
        || get("x-forwarded-proto").is_some_and(|p| p.trim().eq_ignore_ascii_case("https"))
        || get("forwarded").is_some_and(|p| p.to_ascii_lowercase().contains("proto=https"))
        || get("origin").is_some_and(|o| o.trim().to_ascii_lowercase().starts_with("https://"));
    if secure {
        f |= header::SECURE;
    }
    f
}

/// What a browser of `class` would have sent but this request did not.
pub fn header_anomalies(class: &UaClass, flags: u32) -> Vec<&'static str> {
    let mut out = Vec::new();
    let missing = |bit: u32| flags & bit == 0;
    match class {
        UaClass::Missing => out.push("no User-Agent"),
        UaClass::Browser { family, major } if *family != BrowserFamily::Embedded => {
            if missing(header::ACCEPT_LANGUAGE) {
                out.push("no Accept-Language");
            }
            if missing(header::ACCEPT_ENCODING) {
                out.push("no Accept-Encoding");
            }
            let secure = flags & header::SECURE != 0;
            let fetch_metadata = match family {
                BrowserFamily::Chromium => *major >= 80,
                BrowserFamily::Firefox => *major >= 90,
                _ => false,
            };
            if secure && fetch_metadata && missing(header::SEC_FETCH) {
                out.push("no Sec-Fetch-*");
            }
            if secure
                && *family == BrowserFamily::Chromium
                && *major >= 89
                && missing(header::SEC_CH_UA)
            {
                out.push("no Sec-CH-UA");
            }
        }
        _ => {}
    }
    out
}

// ---- replayed payloads ----

/// A fingerprint of a non-trivial measurement payload, or `None` for payloads that many
/// sessions legitimately share. Non-trivial: a `mouse`, `scroll`, `first_input`,
/// `visibility` or `snapshot` payload measured over at least 20 pointer moves
/// ([`signals::move_count`]) or 10 key presses (`key_events`), with at
/// least 4 fractional values (measurements, not counts): two people's windows of that size
/// never agree on every statistic. The quickstart's `{"entropy": 0.74, "samples": 128}` is
/// trivial. First 32 hex digits of SHA-256 over the type and the key-sorted JSON.
pub fn replay_fingerprint(kind: EventKind, payload: &Map<String, Value>) -> Option<String> {
    if matches!(kind, EventKind::JsProbe | EventKind::Page) {
        return None;
    }
    let count = |k: &str| payload.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    let moves = signals::move_count(payload);
    let fractional = payload
        .values()
        .filter_map(Value::as_f64)
        .filter(|n| n.fract() != 0.0)
        .count();
    if fractional < 4 || (moves < 20.0 && count("key_events") < 10.0) {
        return None;
    }
    let mut keys: Vec<&String> = payload.keys().collect();
    keys.sort();
    let mut canonical = String::from(kind.as_str());
    for k in keys {
        canonical.push('\n');
        canonical.push_str(k);
        canonical.push('=');
        canonical.push_str(&payload[k].to_string());
    }
    let mut h = hex::encode(Sha256::digest(canonical.as_bytes()));
    h.truncate(32);
    Some(h)
}

// ---- the engine ----

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
}

pub const SESSION_REQUESTS_PER_MIN: u32 = 60;
pub const SESSION_EVENTS_PER_MIN: u32 = 2_000;
/// Runs the heuristics. Abstains when nothing fires.
pub fn assess(s: &Signals, requests: &[RequestFacts], t: &Traffic) -> Option<EngineOutput> {
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

    out.extend(super::evidence::gate(s, requests));

    if out.is_empty() {
        return None;
    }
    Some(EngineOutput {
        engine: "heuristics",
        score: out.iter().map(|f| f.score).min(),
        findings: out,
    })
}

fn dedup(mut v: Vec<String>, x: String) -> Vec<String> {
    if !v.contains(&x) {
        v.push(x);
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const CHROME: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36";
    const HEADLESS: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36";
    const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";
    const SAFARI: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";
    const BROWSER_HEADERS: u32 = header::USER_AGENT
        | header::ACCEPT_LANGUAGE
        | header::ACCEPT_ENCODING
        | header::ACCEPT
        | header::SEC_FETCH
        | header::SEC_CH_UA
        | header::ORIGIN
        | header::SECURE;

    fn signals(events: &[(EventKind, Value)]) -> Signals {
        crate::engines::signals::fold_json(events)
    }

    /// The heuristics without the evidence gate's findings (tested in `evidence.rs`).
    fn assess(s: &Signals, requests: &[RequestFacts], t: &Traffic) -> Option<EngineOutput> {
        let gate = [
            ids::NO_SDK_EVIDENCE,
            ids::INTEGRITY_MISSING,
            ids::INTEGRITY_INVALID,
        ];
        let mut o = super::assess(s, requests, t)?;
        o.findings.retain(|f| !gate.contains(&f.id));
        o.score = o.findings.iter().map(|f| f.score).min();
        (!o.findings.is_empty()).then_some(o)
    }

    fn req(ua: Option<&str>, flags: u32) -> RequestFacts {
        RequestFacts {
            client_ip: Some("198.51.100.7".parse().unwrap()),
            ua_hash: ua.map(ua_hash),
            ua_class: classify(ua),
            header_flags: flags,
            integrity: crate::integrity::Outcome::Valid,
        }
    }

    /// An SDK session with human interaction.
    fn sdk_human(ua: &str) -> Signals {
        signals(&[
            (
                EventKind::JsProbe,
                json!({"webdriver": false, "ua_hash": ua_hash(ua), "collector_version": "1.0.0"}),
            ),
            (
                EventKind::Mouse,
                json!({"mouse_entropy": 0.7, "pointer_moves": 80}),
            ),
        ])
    }

    fn ids_of(o: &Option<EngineOutput>) -> Vec<u32> {
        o.as_ref()
            .map(|o| o.findings.iter().map(|f| f.id).collect())
            .unwrap_or_default()
    }

    fn quickstart() -> Signals {
        signals(&[(EventKind::Mouse, json!({"entropy": 0.74, "samples": 128}))])
    }

    #[test]
    fn user_agents_are_classified() {
        assert_eq!(
            classify(Some(CHROME)),
            UaClass::Browser {
                family: BrowserFamily::Chromium,
                major: 120
            }
        );
        assert_eq!(
            classify(Some(FIREFOX)),
            UaClass::Browser {
                family: BrowserFamily::Firefox,
                major: 128
            }
        );
        assert_eq!(
            classify(Some(SAFARI)),
            UaClass::Browser {
                family: BrowserFamily::Webkit,
                major: 17
            }
        );
        assert_eq!(
            classify(Some(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0 Mobile/15E148 Safari/604.1"
            )),
            UaClass::Browser {
                family: BrowserFamily::Webkit,
                major: 0
            }
        );
        assert_eq!(
            classify(Some(
                "Mozilla/5.0 (Linux; Android 14; Pixel 8; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0 Mobile Safari/537.36"
            )),
            UaClass::Browser {
                family: BrowserFamily::Embedded,
                major: 0
            }
        );
        assert_eq!(
            classify(Some(HEADLESS)),
            UaClass::Automation("HeadlessChrome".into())
        );
        assert_eq!(
            classify(Some(
                "Mozilla/5.0 (Unknown; Linux x86_64) AppleWebKit/538.1 (KHTML, like Gecko) PhantomJS/2.1.1 Safari/538.1"
            )),
            UaClass::Automation("PhantomJS".into())
        );
        assert_eq!(
            classify(Some("curl/8.5.0")),
            UaClass::Library("curl".into())
        );
        assert_eq!(
            classify(Some("python-requests/2.31.0")),
            UaClass::Library("python-requests".into())
        );
        assert_eq!(
            classify(Some("Go-http-client/1.1")),
            UaClass::Library("Go-http-client".into())
        );
        assert_eq!(
            classify(Some("Java/17.0.2")),
            UaClass::Library("Java".into())
        );
        assert_eq!(
            classify(Some("Python/3.11 aiohttp/3.9.1")),
            UaClass::Library("aiohttp".into())
        );
        assert_eq!(
            classify(Some("tonic/0.14.2")),
            UaClass::ApiClient("tonic".into())
        );
        assert_eq!(
            classify(Some("grpc-go/1.60.0")),
            UaClass::ApiClient("grpc".into())
        );
        assert_eq!(
            classify(Some(
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
            )),
            UaClass::Bot("Googlebot".into())
        );
        assert_eq!(
            classify(Some("MyCrawler/1.0 (+http://example.com)")),
            UaClass::Bot("MyCrawler".into())
        );
        // A CUBOT phone is not a bot.
        assert!(matches!(
            classify(Some(
                "Mozilla/5.0 (Linux; Android 10; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"
            )),
            UaClass::Browser {
                family: BrowserFamily::Chromium,
                ..
            }
        ));
        assert_eq!(classify(None), UaClass::Missing);
        assert_eq!(classify(Some("  ")), UaClass::Missing);
        assert_eq!(classify(Some("Opera/9.80")), UaClass::Other);
    }

    #[test]
    fn ua_class_round_trips_through_its_stored_form() {
        for c in [
            UaClass::Missing,
            UaClass::Other,
            UaClass::Browser {
                family: BrowserFamily::Chromium,
                major: 120,
            },
            UaClass::Browser {
                family: BrowserFamily::Embedded,
                major: 0,
            },
            UaClass::Automation("HeadlessChrome".into()),
            UaClass::Library("Go-http-client".into()),
            UaClass::Bot("Googlebot".into()),
            UaClass::ApiClient("tonic".into()),
        ] {
            assert_eq!(c.to_string().parse::<UaClass>(), Ok(c.clone()), "{c}");
        }
        assert_eq!("browser/chromium/x".parse::<UaClass>(), Err(()));
        assert_eq!("nonsense".parse::<UaClass>(), Err(()));
    }

    #[test]
    fn ua_hash_is_the_sdk_form() {
        let h = ua_hash("abc");
        assert_eq!(h, "ba7816bf8f01cfea414140de5dae2223");
        assert_eq!(h.len(), 32);
    }

    #[test]
    fn header_flags_from_browser_and_script_requests() {
        let browser = [
            ("user-agent", CHROME),
            ("accept-language", "en-US,en;q=0.9"),
            ("accept-encoding", "gzip, deflate, br"),
            ("accept", "*/*"),
            ("sec-fetch-mode", "cors"),
            ("sec-ch-ua", "\"Chromium\";v=\"120\""),
            ("origin", "https://shop.example"),
            ("host", "botect.example"),
        ];
        let get = |h: &[(&'static str, &'static str)], n: &str| {
            h.iter().find(|(k, _)| *k == n).map(|(_, v)| *v)
        };
        assert_eq!(header_flags(|n| get(&browser, n)), BROWSER_HEADERS);
        let script = [
            ("user-agent", "curl/8.5.0"),
            ("accept", "*/*"),
            ("host", "botect.example"),
        ];
        assert_eq!(
            header_flags(|n| get(&script, n)),
            header::USER_AGENT | header::ACCEPT
        );
        let headless = [
            ("sec-ch-ua", "\"HeadlessChrome\";v=\"120\""),
            ("host", "127.0.0.1:8080"),
        ];
        assert_eq!(
            header_flags(|n| get(&headless, n)),
            header::SEC_CH_UA | header::SEC_CH_UA_HEADLESS | header::SECURE
        );
        for host in ["localhost:3000", "[::1]:8080", "app.localhost", "127.0.0.1"] {
            assert!(
                header_flags(|n| (n == "host").then_some(host)) & header::SECURE != 0,
                "{host}"
            );
        }
        assert_eq!(
            header_flags(|n| (n == "host").then_some("botect.example:8080")),
            0
        );
        assert_eq!(
            header_flags(|n| (n == "x-forwarded-proto").then_some("https")),
            header::SECURE
        );
        assert_eq!(
            header_flags(|n| (n == "origin").then_some("https://shop.example")),
            header::ORIGIN | header::SECURE
        );
        // An http page may call an http endpoint: nothing is known about the transport.
        assert_eq!(
            header_flags(|n| (n == "origin").then_some("http://localhost:5173")),
            header::ORIGIN
        );
        assert_eq!(
            header_flags(|n| (n == "x-forwarded-for").then_some("203.0.113.1")),
            header::FORWARDED
        );
    }

    #[test]
    fn header_anomalies_follow_the_claimed_browser() {
        let chrome = classify(Some(CHROME));
        assert!(header_anomalies(&chrome, BROWSER_HEADERS).is_empty());
        assert_eq!(
            header_anomalies(&chrome, BROWSER_HEADERS & !header::ACCEPT_LANGUAGE),
            vec!["no Accept-Language"]
        );
        assert_eq!(
            header_anomalies(
                &chrome,
                BROWSER_HEADERS & !(header::SEC_FETCH | header::SEC_CH_UA)
            ),
            vec!["no Sec-Fetch-*", "no Sec-CH-UA"]
        );
        // Plain http (not a secure context): no Fetch-Metadata or client hints expected.
        let insecure = BROWSER_HEADERS & !(header::SEC_FETCH | header::SEC_CH_UA | header::SECURE);
        assert!(header_anomalies(&chrome, insecure).is_empty());
        // Firefox and Safari send no client hints.
        let no_hints = BROWSER_HEADERS & !header::SEC_CH_UA;
        assert!(header_anomalies(&classify(Some(FIREFOX)), no_hints).is_empty());
        assert!(
            header_anomalies(&classify(Some(SAFARI)), no_hints & !header::SEC_FETCH).is_empty()
        );
        assert_eq!(
            header_anomalies(&UaClass::Missing, 0),
            vec!["no User-Agent"]
        );
        assert!(header_anomalies(&UaClass::Library("curl".into()), 0).is_empty());
    }

    #[test]
    fn replay_fingerprints_only_for_measurements() {
        let m = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(
            replay_fingerprint(
                EventKind::Mouse,
                &m(json!({"entropy": 0.74, "samples": 128}))
            ),
            None
        );
        let rich = m(
            json!({"mouse_entropy": 0.6312, "pointer_moves": 212, "path_straightness": 0.8731,
                            "speed_cv": 0.7712, "accel_cv": 1.204}),
        );
        let fp = replay_fingerprint(EventKind::Mouse, &rich).unwrap();
        assert_eq!(fp.len(), 32);
        let reordered = m(
            json!({"accel_cv": 1.204, "speed_cv": 0.7712, "path_straightness": 0.8731,
                                 "pointer_moves": 212, "mouse_entropy": 0.6312}),
        );
        assert_eq!(
            replay_fingerprint(EventKind::Mouse, &reordered),
            Some(fp.clone())
        );
        assert_ne!(replay_fingerprint(EventKind::Snapshot, &rich), Some(fp));
        // Too few measurements, or too small a window, to be one person's alone.
        let three = m(
            json!({"mouse_entropy": 0.6312, "pointer_moves": 212, "path_straightness": 0.8731, "speed_cv": 0.7712}),
        );
        assert_eq!(replay_fingerprint(EventKind::Mouse, &three), None);
        let tiny = m(
            json!({"pointer_moves": 2, "move_interval_mean_ms": 16.7, "speed_mean": 0.06,
                            "path_straightness": 0.999, "speed_cv": 0.5}),
        );
        assert_eq!(replay_fingerprint(EventKind::Mouse, &tiny), None);
        let keys = m(
            json!({"key_events": 12, "key_interval_mean_ms": 182.4, "key_interval_cv": 0.412,
                            "key_dwell_mean_ms": 96.1, "key_dwell_cv": 0.233}),
        );
        assert!(replay_fingerprint(EventKind::FirstInput, &keys).is_some());
        let counts =
            m(json!({"pointer_moves": 2, "click_events": 1, "key_events": 3, "scroll_events": 4}));
        assert_eq!(replay_fingerprint(EventKind::Snapshot, &counts), None);
        assert_eq!(replay_fingerprint(EventKind::JsProbe, &rich), None);
    }

    #[test]
    fn automation_http_user_agent() {
        let s = sdk_human(CHROME);
        let o = assess(
            &s,
            &[req(Some(HEADLESS), BROWSER_HEADERS)],
            &Traffic::default(),
        );
        assert!(ids_of(&o).contains(&ids::AUTOMATION_HTTP_UA));
        let f = &o.as_ref().unwrap().findings[0];
        assert_eq!(f.strength, Strength::Deterministic);
        // Client hints naming HeadlessChrome under a patched user agent.
        let o = assess(
            &s,
            &[req(
                Some(CHROME),
                BROWSER_HEADERS | header::SEC_CH_UA_HEADLESS,
            )],
            &Traffic::default(),
        );
        assert!(ids_of(&o).contains(&ids::AUTOMATION_HTTP_UA));
        // Does not fire for a real browser.
        let o = assess(
            &s,
            &[req(Some(CHROME), BROWSER_HEADERS)],
            &Traffic::default(),
        );
        assert!(!ids_of(&o).contains(&ids::AUTOMATION_HTTP_UA));
        assert_eq!(o, None, "a clean SDK session: heuristics abstain");
    }

    #[test]
    fn http_library_user_agent() {
        let curl = req(Some("curl/8.5.0"), header::USER_AGENT | header::ACCEPT);
        // SDK telemetry delivered by curl.
        let o = assess(
            &sdk_human(CHROME),
            std::slice::from_ref(&curl),
            &Traffic::default(),
        );
        assert!(ids_of(&o).contains(&ids::HTTP_LIBRARY_UA));
        // No interaction at all.
        let page = signals(&[(EventKind::Page, json!({"page_path_hash": "ab"}))]);
        let o = assess(&page, std::slice::from_ref(&curl), &Traffic::default());
        assert_eq!(ids_of(&o), vec![ids::HTTP_LIBRARY_UA]);
        // The quickstart posted with curl: left to the evidence gate (evidence.rs).
        let o = assess(
            &quickstart(),
            std::slice::from_ref(&curl),
            &Traffic::default(),
        );
        assert_eq!(o, None);
        // A gRPC client library is an API client, not a scripted scraper.
        let tonic = req(Some("tonic/0.14.2"), header::USER_AGENT);
        assert_eq!(assess(&page, &[tonic], &Traffic::default()), None);
    }

    #[test]
    fn declared_bot_user_agent() {
        let bot = req(
            Some("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)"),
            0,
        );
        let o = assess(&quickstart(), &[bot], &Traffic::default());
        assert_eq!(ids_of(&o), vec![ids::DECLARED_BOT_UA]);
        let o = assess(
            &quickstart(),
            &[req(Some(CHROME), BROWSER_HEADERS)],
            &Traffic::default(),
        );
        assert_eq!(o, None);
    }

    #[test]
    fn user_agent_mismatch() {
        // The page claims Chrome, the HTTP requests carried Firefox's user agent.
        let o = assess(
            &sdk_human(CHROME),
            &[req(Some(FIREFOX), BROWSER_HEADERS & !header::SEC_CH_UA)],
            &Traffic::default(),
        );
        assert_eq!(ids_of(&o), vec![ids::UA_MISMATCH]);
        // Same user agent: no finding. Upper-case hex from the SDK matches too.
        let mut s = sdk_human(CHROME);
        assert_eq!(
            assess(
                &s,
                &[req(Some(CHROME), BROWSER_HEADERS)],
                &Traffic::default()
            ),
            None
        );
        s.probe.ua_hashes = vec![ua_hash(CHROME)[..16].to_string()];
        assert_eq!(
            assess(
                &s,
                &[req(Some(CHROME), BROWSER_HEADERS)],
                &Traffic::default()
            ),
            None
        );
        // Nothing to compare without an SDK hash.
        assert_eq!(
            assess(
                &quickstart(),
                &[req(Some(FIREFOX), BROWSER_HEADERS)],
                &Traffic::default()
            ),
            None
        );
    }

    #[test]
    fn header_shape() {
        let s = sdk_human(CHROME);
        let o = assess(
            &s,
            &[req(
                Some(CHROME),
                BROWSER_HEADERS & !header::ACCEPT_LANGUAGE,
            )],
            &Traffic::default(),
        );
        assert_eq!(ids_of(&o), vec![ids::HEADER_SHAPE]);
        assert!(o.unwrap().findings[0].reason.contains("no Accept-Language"));
        // No user agent at all on SDK telemetry.
        let mut bare = req(None, 0);
        bare.ua_hash = None;
        let o = assess(&s, &[bare.clone()], &Traffic::default());
        assert_eq!(ids_of(&o), vec![ids::HEADER_SHAPE]);
        // Bare API posts (no SDK claim) are not held to a browser's header shape.
        assert_eq!(assess(&quickstart(), &[bare], &Traffic::default()), None);
        assert_eq!(
            assess(
                &s,
                &[req(Some(CHROME), BROWSER_HEADERS)],
                &Traffic::default()
            ),
            None
        );
    }

    #[test]
    fn js_probe_missing() {
        let s = signals(&[(
            EventKind::Mouse,
            json!({"mouse_entropy": 0.7, "pointer_moves": 80, "collector_version": "1.0.0"}),
        )]);
        let r = req(Some(CHROME), BROWSER_HEADERS);
        let o = assess(&s, &[r.clone(), r.clone()], &Traffic::default());
        assert_eq!(ids_of(&o), vec![ids::JS_PROBE_MISSING]);
        // One request: the probe may still come. With a probe: fine. Without SDK claim: n/a.
        assert_eq!(
            assess(&s, std::slice::from_ref(&r), &Traffic::default()),
            None
        );
        assert_eq!(
            assess(
                &sdk_human(CHROME),
                &[r.clone(), r.clone()],
                &Traffic::default()
            ),
            None
        );
        assert_eq!(
            assess(&quickstart(), &[r.clone(), r], &Traffic::default()),
            None
        );
    }

    #[test]
    fn replayed_payload() {
        let t = Traffic {
            replayed_payloads: 2,
            replay_sessions: 3,
            ..Default::default()
        };
        let o = assess(&quickstart(), &[], &t);
        assert_eq!(ids_of(&o), vec![ids::REPLAYED_PAYLOAD]);
        assert!(o.unwrap().findings[0].reason.contains("3 other sessions"));
        assert_eq!(assess(&quickstart(), &[], &Traffic::default()), None);
    }

    #[test]
    fn session_request_rate() {
        let t = Traffic {
            session_requests_1m: 61,
            ..Default::default()
        };
        assert_eq!(
            ids_of(&assess(&quickstart(), &[], &t)),
            vec![ids::SESSION_RATE]
        );
        let t = Traffic {
            session_events_1m: 2_001,
            ..Default::default()
        };
        assert_eq!(
            ids_of(&assess(&quickstart(), &[], &t)),
            vec![ids::SESSION_RATE]
        );
        let t = Traffic {
            session_requests_1m: 60,
            session_events_1m: 2_000,
            ..Default::default()
        };
        assert_eq!(assess(&quickstart(), &[], &t), None);
    }

    #[test]
    fn client_ip_request_rate() {
        let busy = |ip: &str| Traffic {
            ip: Some(ip.parse().unwrap()),
            ip_sessions_10m: 50,
            ..Default::default()
        };
        let o = assess(&quickstart(), &[], &busy("198.51.100.7"));
        assert_eq!(ids_of(&o), vec![ids::IP_RATE]);
        assert_eq!(o.unwrap().findings[0].strength, Strength::Corroborating);
        let t = Traffic {
            ip: Some("2001:db8::1".parse().unwrap()),
            ip_requests_1m: 300,
            ..Default::default()
        };
        assert_eq!(ids_of(&assess(&quickstart(), &[], &t)), vec![ids::IP_RATE]);
        for exempt in [
            "127.0.0.1",
            "10.1.2.3",
            "192.168.0.9",
            "172.16.0.1",
            "100.64.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
        ] {
            assert_eq!(assess(&quickstart(), &[], &busy(exempt)), None, "{exempt}");
        }
        let t = Traffic {
            ip: Some("198.51.100.7".parse().unwrap()),
            ip_sessions_10m: 49,
            ip_requests_1m: 299,
            ..Default::default()
        };
        assert_eq!(assess(&quickstart(), &[], &t), None);
    }
}
