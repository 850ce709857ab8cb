//! A project's sessions as the control plane shows them: rows with the band and action the
//! current policy gives them, a session's detail, feedback labels.
use super::{Action, Band};

/// A session as listed.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionView {
    pub token: String,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    pub score: u8,
    pub band: Band,
    pub action: Action,
    pub detection_ids: Vec<u32>,
    pub reason: String,
    pub event_count: u32,
    pub batch_count: u32,
    pub ua_class: String,
    pub js_passed: Option<bool>,
    pub label: Option<Label>,
}

/// An operator's label of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Label {
    Human,
    Bot,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Human => "human",
            Label::Bot => "bot",
        }
    }

    pub fn parse(s: &str) -> Option<Label> {
        match s {
            "human" => Some(Label::Human),
            "bot" => Some(Label::Bot),
            _ => None,
        }
    }
}

/// A session's label as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Feedback {
    pub session_token: String,
    pub label: Label,
    pub comment: String,
    pub updated_at_ms: i64,
}

/// One finding of one engine, with the registry's words for it.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingView {
    pub detection_id: u32,
    pub name: String,
    pub label: String,
    pub score: u8,
    pub strength: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EngineView {
    pub engine: String,
    pub score: Option<u8>,
    pub findings: Vec<FindingView>,
}

/// One ingest request of the session.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchView {
    pub at_ms: i64,
    pub events: u32,
    /// Stored events by type, by name.
    pub event_types: Vec<(String, u32)>,
    pub ua_class: String,
    pub integrity: &'static str,
}

/// The latest batch's request facts: no full address, no raw user agent.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct RequestView {
    pub address_prefix: String,
    pub ua_class: String,
    pub headers_present: Vec<&'static str>,
    /// The latest batch's JA4.
    pub ja4: Option<String>,
}

/// The behavioral aggregates stored with the score (`sessions.features`), the ones rules
/// read as `behavioral.*`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct BehaviorFeatures {
    pub mouse_entropy: Option<f64>,
    pub scroll_velocity: Option<f64>,
    pub visibility_changes: Option<f64>,
    pub first_input_delay_ms: Option<f64>,
}

impl BehaviorFeatures {
    /// From the stored JSON object; missing or unreadable reads as all absent.
    pub fn parse(json: Option<&str>) -> BehaviorFeatures {
        let features: serde_json::Map<String, serde_json::Value> = json
            .and_then(|f| serde_json::from_str(f).ok())
            .unwrap_or_default();
        let feature = |k: &str| features.get(k).and_then(serde_json::Value::as_f64);
        BehaviorFeatures {
            mouse_entropy: feature("mouse_entropy"),
            scroll_velocity: feature("scroll_velocity"),
            visibility_changes: feature("visibility_changes"),
            first_input_delay_ms: feature("first_input_delay_ms"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionDetailView {
    pub session: SessionView,
    pub engines: Vec<EngineView>,
    pub batches: Vec<BatchView>,
    pub request: RequestView,
    pub features: BehaviorFeatures,
    pub feedback: Option<Feedback>,
}

/// Labelled sessions per band.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedbackBandCount {
    pub band: Band,
    pub human: u32,
    pub bot: u32,
}
