//! The scoring engines: pure functions from a session's facts to findings, and the combiner
//! that settles them into one score. No I/O anywhere in this tree: the worker loads the
//! session's events, its ingest requests' facts and its traffic counts, and calls
//! [`assess`].
//!
//! - [`heuristics`] (family `0x01`): server-side facts about the requests that delivered the
//!   telemetry: user agent class, header shape, `ua_hash` vs HTTP User-Agent, a JS probe that
//!   never came, replayed payloads, request rates, and the [`evidence`] gate (the SDK's own
//!   events and a valid proof-of-work solution).
//! - [`js`] (family `0x03`): the SDK's JS probe. Emits `js_detection.passed`. Its soft
//!   findings never enforce alone (contract §4).
//! - [`behavioral`] (family `0x02`): pointer, keyboard, scroll, visibility and first-input
//!   aggregates; graded. Also the "human" score when nothing is found.
//! - [`combiner`]: layered, not voted; strongest evidence wins. Score 1 only for
//!   deterministic automation evidence with no human interaction.
//!
//! The detection IDs and their meaning are in [`registry`] (published as `docs/detections.md`
//! and `GET /v1/detections`).
pub mod behavioral;
pub mod combiner;
pub mod evidence;
pub mod heuristics;
pub mod js;
pub mod kinematics;
pub mod page_hits;
pub mod registry;
pub mod signals;

use serde_json::{Map, Value, json};

use crate::domain::{EventKind, Scored};
pub use heuristics::{RequestFacts, Traffic, UaClass};
pub use page_hits::PageHitFacts;
pub use signals::Signals;

/// The reason of the published definite verdict.
pub const REASON_HEADLESS: &str = "Headless automation signature; no human interaction recorded.";
/// The reason of a session without findings.
pub const REASON_HUMAN: &str = "No bot signals; natural interaction profile.";

/// How a finding weighs in the combiner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// A fact no person's browser shows (automation signature or globals, automation or
    /// scripting-client user agent). With no human interaction recorded the session is
    /// `definite` (score 1); otherwise the finding's graded score applies.
    Deterministic,
    /// Graded evidence that stands on its own.
    Graded,
    /// Counts only when corroborated by a deterministic fact or by a graded finding of the
    /// heuristics or behavioral engine; otherwise it is dropped (no score effect, no ID).
    /// JS detection's soft findings are of this kind: a failed probe alone never puts a
    /// session in a bot band.
    Corroborating,
}

/// One detection that fired.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Registry ID.
    pub id: u32,
    /// 2–99, lower = more bot-confident.
    pub score: u8,
    pub strength: Strength,
    /// Human-readable, without a trailing period; the verdict reason quotes it.
    pub reason: String,
}

impl Finding {
    pub fn new(id: u32, score: u8, strength: Strength, reason: impl Into<String>) -> Finding {
        Finding {
            id,
            score: score.clamp(2, 99),
            strength,
            reason: reason.into(),
        }
    }
}

/// What one engine says about a session; an engine with nothing to say abstains (`None`
/// from its `assess`).
#[derive(Debug, Clone, PartialEq)]
pub struct EngineOutput {
    /// `heuristics`, `js_detection` or `behavioral`.
    pub engine: &'static str,
    /// The engine's own score (1–99): its strongest finding, or (behavioral) the natural
    /// interaction score when nothing fired. `None`: findings only, no opinion of its own.
    pub score: Option<u8>,
    pub findings: Vec<Finding>,
}

impl Strength {
    pub fn as_str(self) -> &'static str {
        match self {
            Strength::Deterministic => "deterministic",
            Strength::Graded => "graded",
            Strength::Corroborating => "corroborating",
        }
    }
}

/// An engine's output as stored with the score (`sessions.findings`) and shown in a
/// session's detail: what each engine said when the session was scored.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EngineReport {
    pub engine: String,
    pub score: Option<u8>,
    pub findings: Vec<StoredFinding>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredFinding {
    pub id: u32,
    pub score: u8,
    pub strength: String,
    pub reason: String,
}

impl From<&EngineOutput> for EngineReport {
    fn from(o: &EngineOutput) -> Self {
        EngineReport {
            engine: o.engine.to_string(),
            score: o.score,
            findings: o
                .findings
                .iter()
                .map(|f| StoredFinding {
                    id: f.id,
                    score: f.score,
                    strength: f.strength.as_str().to_string(),
                    reason: f.reason.clone(),
                })
                .collect(),
        }
    }
}

/// The engines' outputs as stored (a JSON array of [`EngineReport`]).
pub fn findings_json(outputs: &[EngineOutput]) -> String {
    let reports: Vec<EngineReport> = outputs.iter().map(EngineReport::from).collect();
    serde_json::to_string(&reports).expect("engine reports serialize")
}

/// The stored outputs; an unreadable or missing column reads as none.
pub fn stored_findings(json: Option<&str>) -> Vec<EngineReport> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// The full result of scoring one session.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Score, detection IDs and reason, as stored and served.
    pub scored: Scored,
    /// `js_detection.passed`: `None` without any probe data, else whether the probe found
    /// nothing.
    pub js_passed: Option<bool>,
    /// Behavioral aggregates the rules read (`behavioral.*`), as a JSON object.
    pub features: Value,
    /// Every engine that did not abstain, for explanation and evaluation.
    pub engines: Vec<EngineOutput>,
}

/// Scores a session: its events (any order), the facts of the ingest requests that
/// delivered them, the page hits its site's backend reported, and the project's traffic
/// around it.
pub fn assess<'a>(
    events: impl IntoIterator<Item = (EventKind, &'a Map<String, Value>)>,
    requests: &[RequestFacts],
    page_hits: &[PageHitFacts],
    traffic: &Traffic,
) -> Assessment {
    let s = signals::fold(events);
    let outputs: Vec<EngineOutput> = [
        heuristics::assess(&s, requests, page_hits, traffic),
        js::assess(&s),
        behavioral::assess(&s),
    ]
    .into_iter()
    .flatten()
    .collect();
    let scored = combiner::combine(&s, &outputs);
    Assessment {
        scored,
        js_passed: js::passed(&s),
        features: features(&s),
        engines: outputs,
    }
}

/// The behavioral aggregates stored with the score (`sessions.features`) for rules:
/// `mouse_entropy`, `scroll_velocity`, `visibility_changes`, `first_input_delay_ms`
/// (`null` when the session never reported one).
pub fn features(s: &Signals) -> Value {
    let n = |v: Option<f64>| v.map_or(Value::Null, |x| json!(x));
    json!({
        "mouse_entropy": n(s.mouse_entropy),
        "scroll_velocity": n(s.scroll_velocity),
        "visibility_changes": n(s.visibility_changes),
        "first_input_delay_ms": n(s.first_input_delay_ms),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(events: &[(EventKind, Value)]) -> Assessment {
        let (mut maps, request) = evidence::sdk_run();
        maps.extend(
            events
                .iter()
                .map(|(k, v)| (*k, v.as_object().unwrap().clone())),
        );
        assess(
            maps.iter().map(|(k, m)| (*k, m)),
            &[request],
            &[],
            &Traffic::default(),
        )
    }

    #[test]
    fn features_and_js_passed_are_reported() {
        let a = run(&[
            (
                EventKind::Mouse,
                json!({"mouse_entropy": 0.6, "samples": 40}),
            ),
            (
                EventKind::JsProbe,
                json!({"webdriver": false, "js_passed": true}),
            ),
            (EventKind::Scroll, json!({"scroll_velocity": 420})),
        ]);
        assert_eq!(a.js_passed, Some(true));
        assert_eq!(
            a.features,
            json!({"mouse_entropy": 0.6, "scroll_velocity": 420.0, "visibility_changes": null, "first_input_delay_ms": null})
        );
        let a = run(&[(EventKind::Mouse, json!({"entropy": 0.74, "samples": 128}))]);
        // The SDK run's clean probe: passed.
        assert_eq!(a.js_passed, Some(true));
        assert_eq!(a.scored.score, 87);
        assert!(
            a.engines.iter().all(|e| e.findings.is_empty()),
            "nothing fires: {:?}",
            a.engines
        );
        // Without any probe, js_detection.passed is unknown.
        let maps =
            signals::payloads(&[(EventKind::Mouse, json!({"entropy": 0.74, "samples": 128}))]);
        let a = assess(
            maps.iter().map(|(k, m)| (*k, m)),
            &[],
            &[],
            &Traffic::default(),
        );
        assert_eq!(a.js_passed, None);
    }

    #[test]
    fn findings_are_stored_and_read_back() {
        let a = run(&[(
            EventKind::JsProbe,
            json!({"webdriver": true, "headless": true}),
        )]);
        let stored = findings_json(&a.engines);
        let back = stored_findings(Some(&stored));
        let expected: Vec<EngineReport> = a.engines.iter().map(EngineReport::from).collect();
        assert_eq!(back, expected);
        // The JS signature that made the session definite is among them, as deterministic
        // (the combiner's own closing ID is not an engine finding).
        assert!(back.iter().any(|e| {
            e.engine == "js_detection"
                && e.findings
                    .iter()
                    .any(|f| f.id == a.scored.detection_ids[0] && f.strength == "deterministic")
        }));
        assert!(stored_findings(None).is_empty());
        assert!(stored_findings(Some("not json")).is_empty());
    }

    /// People who do not use a desktop mouse (issue 14's person stand-ins that a browser in
    /// the suite cannot produce yet, as the SDK would report them): none may land in a bot
    /// band on that account alone.
    #[test]
    fn people_without_a_mouse_are_not_in_a_bot_band() {
        let cases: Vec<(&str, Vec<(EventKind, Value)>)> = vec![
            (
                "keyboard only (tab, type, enter)",
                vec![(
                    EventKind::FirstInput,
                    json!({"first_input_delay_ms": 4, "time_to_first_input_ms": 2600, "key_events": 38,
                           "key_interval_mean_ms": 240, "key_interval_cv": 0.6, "key_dwell_mean_ms": 95, "key_dwell_cv": 0.35}),
                )],
            ),
            (
                "keyboard only, pasting into every field at a steady pace",
                vec![(
                    EventKind::FirstInput,
                    json!({"first_input_delay_ms": 3, "time_to_first_input_ms": 1900, "key_events": 10,
                           "key_interval_mean_ms": 610, "key_interval_cv": 0.07, "key_dwell_mean_ms": 98, "key_dwell_cv": 0.2}),
                )],
            ),
            (
                "scroll-only reader",
                vec![
                    (
                        EventKind::Scroll,
                        json!({"scroll_velocity": 640, "scroll_events": 42, "scroll_max_depth_pct": 85}),
                    ),
                    (EventKind::Visibility, json!({"visibility_changes": 1})),
                ],
            ),
            (
                "autofill and paste, one click",
                vec![(
                    EventKind::FirstInput,
                    json!({"first_input_delay_ms": 6, "time_to_first_input_ms": 5200, "click_events": 1}),
                )],
            ),
            (
                "phone: touch scrolling and virtual-keyboard typing",
                vec![
                    (
                        EventKind::JsProbe,
                        json!({"coarse_pointer": 1, "max_touch_points": 5, "pointer_types": ["touch"]}),
                    ),
                    (
                        EventKind::Mouse,
                        json!({"touch_events": 26, "click_events": 2}),
                    ),
                    (
                        EventKind::Scroll,
                        json!({"scroll_velocity": 1400, "scroll_events": 30, "scroll_max_depth_pct": 60}),
                    ),
                    (
                        EventKind::FirstInput,
                        json!({"time_to_first_input_ms": 3100, "key_events": 20, "key_dwell_mean_ms": 0.3,
                               "key_interval_mean_ms": 260, "key_interval_cv": 0.5}),
                    ),
                ],
            ),
        ];
        for (who, events) in cases {
            let a = run(&events);
            assert!(
                a.scored.score >= crate::domain::DEFAULT_THRESHOLD,
                "{who}: {:?}",
                a.scored
            );
        }
    }
}
