//! Server-side ingest as received: what the customer's backend observed of a page view (a
//! page hit) and a browser batch it relays, both under the backend's own session token.
use super::IncomingBatch;

/// The client address as the customer's backend saw it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncomingObserved {
    pub ip: Option<String>,
    /// `request`, `header` or `resolver`.
    pub source: Option<String>,
    pub inferred: Option<bool>,
}

/// `POST /v1/server/page-hits` as received (every field may be absent or `null`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncomingPageHit {
    pub schema_version: Option<u32>,
    pub page_id: Option<String>,
    pub session_token: Option<String>,
    pub occurred_at: Option<String>,
    pub method: Option<String>,
    pub path_hash: Option<String>,
    pub header_names: Vec<String>,
    pub languages: Vec<String>,
    pub had_session_cookie: Option<bool>,
    pub duration_ms: Option<f64>,
    pub ja4: Option<String>,
    pub observed: IncomingObserved,
}

/// `POST /v1/server/events` as received: the browser's events (in `batch`, whose own
/// `session_token` is the backend's) with what the backend adds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IncomingRelay {
    pub schema_version: Option<u32>,
    pub page_id: Option<String>,
    pub batch: IncomingBatch,
    pub observed: IncomingObserved,
}

/// Where `observed_ip` came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObservedSource {
    Request,
    Header,
    Resolver,
}

impl ObservedSource {
    pub const ALL: [ObservedSource; 3] = [
        ObservedSource::Request,
        ObservedSource::Header,
        ObservedSource::Resolver,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ObservedSource::Request => "request",
            ObservedSource::Header => "header",
            ObservedSource::Resolver => "resolver",
        }
    }

    pub fn parse(s: &str) -> Option<ObservedSource> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The methods a page hit names.
pub const PAGE_HIT_METHODS: [&str; 8] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "OTHER",
];

/// A validated page hit, ready to store.
#[derive(Debug, Clone, PartialEq)]
pub struct PageHit {
    /// 32 lower-case hex digits.
    pub page_id: String,
    pub occurred_at_ms: i64,
    pub method: &'static str,
    /// 64 lower-case hex digits.
    pub path_hash: String,
    /// Lower-case, de-duplicated, in the order received.
    pub header_names: Vec<String>,
    /// Lower-case, in the order received.
    pub languages: Vec<String>,
    pub had_session_cookie: Option<bool>,
    pub duration_ms: Option<i64>,
    pub ja4: Option<String>,
    /// Canonical form.
    pub observed_ip: Option<String>,
    pub observed_ip_source: Option<ObservedSource>,
    pub observed_ip_inferred: Option<bool>,
}

/// How a batch reached Botect (`ingest_requests.channel`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Channel {
    /// The browser itself (`POST /v1/events`): the request's user agent and headers are the
    /// browser's.
    #[default]
    Browser,
    /// Relayed by the customer's backend (`POST /v1/server/events`): the request's own user
    /// agent and headers are the backend's and say nothing of the browser.
    Relay,
}

impl Channel {
    pub fn code(self) -> i16 {
        match self {
            Channel::Browser => 0,
            Channel::Relay => 1,
        }
    }

    pub fn from_code(code: i16) -> Channel {
        if code == 1 {
            Channel::Relay
        } else {
            Channel::Browser
        }
    }
}

/// What a stored (or duplicate, or replayed) page hit answers.
#[derive(Debug, Clone, PartialEq)]
pub struct PageHitReceipt {
    pub session_token: String,
    /// The `page_id` was already stored for the project: nothing changed.
    pub duplicate: bool,
}
