//! The ingest vocabulary as received: event kinds, events, batches and their integrity proof.
use serde_json::{Map, Value};

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

/// What an acknowledged batch did: its session, and how many of its events were stored
/// or already stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Receipt {
    pub session_token: String,
    pub accepted: u32,
    pub duplicates: u32,
    /// The account is over its monthly event quota (the events are still stored).
    pub over_quota: bool,
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
