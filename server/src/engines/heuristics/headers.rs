//! Header shape: which request headers a delivery carried (flags, never values), and
//! what a browser of its class would have sent.
use super::*;

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

/// Every flag with the API's name of it (a session's request facts).
pub const HEADER_FLAG_NAMES: [(u32, &str); 10] = [
    (header::USER_AGENT, "user_agent"),
    (header::ACCEPT_LANGUAGE, "accept_language"),
    (header::ACCEPT_ENCODING, "accept_encoding"),
    (header::ACCEPT, "accept"),
    (header::SEC_FETCH, "sec_fetch"),
    (header::SEC_CH_UA, "sec_ch_ua"),
    (header::SEC_CH_UA_HEADLESS, "sec_ch_ua_headless"),
    (header::ORIGIN, "origin"),
    (header::SECURE, "secure"),
    (header::FORWARDED, "forwarded"),
];

/// The names of the flags set in `flags`, in [`HEADER_FLAG_NAMES`] order.
pub fn flag_names(flags: u32) -> Vec<&'static str> {
    HEADER_FLAG_NAMES
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, name)| *name)
        .collect()
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
