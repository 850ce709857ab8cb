//! Domain types shared by the core, the engines and the transports (which convert to and
//! from protobuf only at the edge).
use serde_json::{Map, Value};

/// Verdict band (contract §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Band {
    NotComputed,
    Definite,
    LikelyAutomated,
    LikelyHuman,
    Verified,
}

impl Band {
    pub fn as_str(self) -> &'static str {
        match self {
            Band::NotComputed => "not_computed",
            Band::Definite => "definite",
            Band::LikelyAutomated => "likely_automated",
            Band::LikelyHuman => "likely_human",
            Band::Verified => "verified",
        }
    }
}

/// What the customer's backend should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Allow,
    Challenge,
    Block,
    Log,
    Delay,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Allow => "allow",
            Action::Challenge => "challenge",
            Action::Block => "block",
            Action::Log => "log",
            Action::Delay => "delay",
        }
    }
}

/// Observe-first toggles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BotSettings {
    pub allow_verified: bool,
    pub protect_static: bool,
    pub block_definite: bool,
    pub challenge_likely: bool,
}

impl Default for BotSettings {
    fn default() -> Self {
        BotSettings {
            allow_verified: true,
            protect_static: true,
            block_definite: false,
            challenge_likely: false,
        }
    }
}

pub const DEFAULT_THRESHOLD: u8 = 30;

/// A project's policy inputs, read at verdict time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub bot: BotSettings,
    pub threshold: u8,
}

/// The verdict body: always these five fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerdictOut {
    pub band: Band,
    pub score: u8,
    pub action: Action,
    pub detection_ids: Vec<u32>,
    pub reason: String,
}

pub const FAIL_OPEN_REASON: &str = "Score not available; allowing by default.";

impl VerdictOut {
    /// The contract's fail-open body.
    pub fn fail_open() -> Self {
        VerdictOut {
            band: Band::NotComputed,
            score: 0,
            action: Action::Allow,
            detection_ids: Vec::new(),
            reason: FAIL_OPEN_REASON.to_string(),
        }
    }
}

/// Context of the request being protected (verdict query).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestContext {
    pub path: String,
    pub ip: String,
    pub country: String,
    pub ua: String,
}

/// Event types of the ingest vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    Mouse,
    Scroll,
    Visibility,
    FirstInput,
    JsProbe,
    Page,
    Snapshot,
}

impl EventKind {
    pub const ALL: [EventKind; 7] = [
        EventKind::Mouse,
        EventKind::Scroll,
        EventKind::Visibility,
        EventKind::FirstInput,
        EventKind::JsProbe,
        EventKind::Page,
        EventKind::Snapshot,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Mouse => "mouse",
            EventKind::Scroll => "scroll",
            EventKind::Visibility => "visibility",
            EventKind::FirstInput => "first_input",
            EventKind::JsProbe => "js_probe",
            EventKind::Page => "page",
            EventKind::Snapshot => "snapshot",
        }
    }

    pub fn parse(s: &str) -> Option<EventKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One event as received (type may be unknown until validated).
#[derive(Debug, Clone, PartialEq)]
pub struct IncomingEvent {
    pub request_id: String,
    pub kind: Option<EventKind>,
    pub received_at: String,
    pub payload: Map<String, Value>,
}

/// An ingest batch as received.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IncomingBatch {
    pub session_token: Option<String>,
    pub events: Vec<IncomingEvent>,
    pub site_key: Option<String>,
    /// A solved proof-of-work challenge (docs/ingest.md#integrity).
    pub integrity: Option<IncomingIntegrity>,
}

/// The `integrity` object of a batch, as received.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IncomingIntegrity {
    pub challenge: String,
    pub nonce: String,
}

/// The credentials a request carried, whatever its transport.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// `Authorization` header / metadata value, verbatim.
    pub authorization: Option<String>,
    /// `X-Botect-Site-Key`.
    pub site_key: Option<String>,
    /// `X-Botect-Private-Key`.
    pub private_key: Option<String>,
    /// `Idempotency-Key`.
    pub idempotency_key: Option<String>,
}

/// A stored score as the scoring engines produced it.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub score: u8,
    pub detection_ids: Vec<u32>,
    pub reason: String,
}
