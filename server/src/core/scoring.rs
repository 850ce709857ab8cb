//! The scorer: a pure function from a session's events (and the facts of the requests that
//! delivered them) to score, detection IDs and reason. No I/O. Lower scores are more
//! bot-confident; 1 (`definite`) rests only on deterministic automation evidence combined
//! with the absence of any human interaction.
//!
//! The work is done by the engines in [`crate::engines`]; this module is the core's entry
//! point and keeps the names the rest of the core uses.
use serde_json::{Map, Value};

use crate::domain::EventKind;
pub use crate::engines::{
    Assessment, PageHitFacts, REASON_HEADLESS, REASON_HUMAN, RequestFacts, Signals, Traffic,
    registry::{REGISTRY, ids},
};

/// Folds events into signals.
pub fn signals<'a>(
    events: impl IntoIterator<Item = (EventKind, &'a Map<String, Value>)>,
) -> Signals {
    crate::engines::signals::fold(events)
}

/// Scores a session: score, IDs and reason, `js_detection.passed` and the behavioral
/// features stored for rules.
pub fn assess<'a>(
    events: impl IntoIterator<Item = (EventKind, &'a Map<String, Value>)>,
    requests: &[RequestFacts],
    page_hits: &[PageHitFacts],
    traffic: &Traffic,
) -> Assessment {
    crate::engines::assess(events, requests, page_hits, traffic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Scores `events` of a session that passed the evidence gate.
    fn run(events: &[(EventKind, Value)]) -> crate::domain::Scored {
        let (mut maps, request) = crate::engines::evidence::sdk_run();
        maps.extend(crate::engines::signals::payloads(events));
        assess(
            maps.iter().map(|(k, m)| (*k, m)),
            &[request],
            &[],
            &Traffic::default(),
        )
        .scored
    }

    #[test]
    fn headless_without_interaction_is_definite_with_published_ids() {
        let s = run(&[(
            EventKind::JsProbe,
            json!({"webdriver": true, "headless": true}),
        )]);
        assert_eq!(s.score, 1);
        assert_eq!(s.detection_ids, vec![50331648, 50331651]);
        assert_eq!(s.reason, REASON_HEADLESS);
    }

    #[test]
    fn no_interaction_scores_below_default_threshold() {
        let s = run(&[(EventKind::Page, json!({"page_path_hash": "ab"}))]);
        assert!(s.score > 1 && s.score < 30);
        assert_eq!(s.detection_ids, vec![ids::NO_INTERACTION]);
    }

    #[test]
    fn low_entropy_scores_below_threshold_and_natural_above() {
        let low = run(&[(EventKind::Mouse, json!({"entropy": 0.05, "samples": 200}))]);
        assert!(low.score > 1 && low.score < 30, "{low:?}");
        assert_eq!(low.detection_ids, vec![ids::LOW_MOUSE_ENTROPY]);
        let human = run(&[(EventKind::Mouse, json!({"entropy": 0.74, "samples": 128}))]);
        assert_eq!(human.score, 87);
        assert!(human.detection_ids.is_empty());
        assert_eq!(human.reason, REASON_HUMAN);
    }

    #[test]
    fn a_failed_probe_alone_is_not_a_bot_band_when_the_person_interacts() {
        let s = run(&[
            (
                EventKind::JsProbe,
                json!({"js_passed": false, "missing_plugins": true}),
            ),
            (
                EventKind::Mouse,
                json!({"mouse_entropy": 0.6, "samples": 40}),
            ),
        ]);
        assert!(s.score >= 30, "{s:?}");
    }

    #[test]
    fn signals_fold_and_every_emitted_id_is_registered() {
        let s = signals([]);
        assert!(!s.human_interaction());
        for id in [
            ids::AUTOMATION_SIGNATURE,
            ids::NO_HUMAN_INTERACTION,
            ids::NO_INTERACTION,
            ids::LOW_MOUSE_ENTROPY,
        ] {
            assert!(REGISTRY.iter().any(|d| d.id == id));
        }
    }
}
