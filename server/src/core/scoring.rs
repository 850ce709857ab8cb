//! The scorer: a pure function from a session's events to score, detection IDs and reason.
//! No I/O. Lower scores are more bot-confident; 1 (`definite`) rests only on deterministic
//! automation evidence combined with the absence of any human interaction.
use serde_json::{Map, Value};

use super::model::{EventKind, Scored};

/// Detection registry (docs/detections.md). High byte = family, low bytes = detection.
pub mod ids {
    /// Family 0x03, JS detection: headless/automation browser signature
    /// (`navigator.webdriver`, headless flags, HeadlessChrome user agent).
    pub const AUTOMATION_SIGNATURE: u32 = 0x0300_0000;
    /// Family 0x03, JS detection: no human interaction recorded alongside an automation signature.
    pub const NO_HUMAN_INTERACTION: u32 = 0x0300_0003;
    /// Family 0x02, behavioral: no interaction of any kind recorded.
    pub const NO_INTERACTION: u32 = 0x0200_0001;
    /// Family 0x02, behavioral: low mouse-movement entropy.
    pub const LOW_MOUSE_ENTROPY: u32 = 0x0200_0002;
}

pub const REASON_HEADLESS: &str = "Headless automation signature; no human interaction recorded.";
pub const REASON_HUMAN: &str = "No bot signals; natural interaction profile.";

/// Entropy below this is machine-like movement.
pub const LOW_ENTROPY: f64 = 0.3;

/// Aggregated facts from a session's events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    pub automation_flags: Vec<&'static str>,
    /// Highest mouse entropy reported (`mouse_entropy` or `entropy`).
    pub mouse_entropy: Option<f64>,
    pub mouse_samples: f64,
    pub clicks: f64,
    pub keys: f64,
    pub scrolls: f64,
    pub first_input: bool,
}

impl Signals {
    pub fn human_interaction(&self) -> bool {
        self.mouse_samples > 0.0
            || self.clicks > 0.0
            || self.keys > 0.0
            || self.scrolls > 0.0
            || self.first_input
    }
}

fn num(p: &Map<String, Value>, k: &str) -> Option<f64> {
    p.get(k).and_then(Value::as_f64)
}

fn flag(p: &Map<String, Value>, k: &str) -> bool {
    p.get(k).and_then(Value::as_bool).unwrap_or(false)
}

/// Folds events into signals.
pub fn signals<'a>(
    events: impl IntoIterator<Item = (EventKind, &'a Map<String, Value>)>,
) -> Signals {
    let mut s = Signals::default();
    for (kind, p) in events {
        for k in ["webdriver", "headless", "headless_ua"] {
            if kind == EventKind::JsProbe || kind == EventKind::Snapshot {
                let name: &'static str = match k {
                    "webdriver" => "webdriver",
                    "headless" => "headless",
                    _ => "headless_ua",
                };
                if flag(p, k) && !s.automation_flags.contains(&name) {
                    s.automation_flags.push(name);
                }
            }
        }
        if let Some(e) = num(p, "mouse_entropy").or_else(|| num(p, "entropy")) {
            s.mouse_entropy = Some(s.mouse_entropy.map_or(e, |m: f64| m.max(e)));
        }
        s.mouse_samples += num(p, "samples").unwrap_or(0.0)
            + num(p, "mouse_moves").unwrap_or(0.0)
            + num(p, "pointer_moves").unwrap_or(0.0);
        s.clicks += num(p, "click_events").unwrap_or(0.0);
        s.keys += num(p, "key_events").unwrap_or(0.0);
        s.scrolls += num(p, "scroll_events").unwrap_or(0.0);
        if num(p, "scroll_velocity").is_some_and(|v| v > 0.0) && s.scrolls == 0.0 {
            s.scrolls = 1.0;
        }
        if kind == EventKind::FirstInput || num(p, "first_input_delay_ms").is_some() {
            s.first_input = true;
        }
    }
    s
}

/// Scores signals. Score 1 only for an automation signature with no human interaction.
pub fn score(s: &Signals) -> Scored {
    let automated = !s.automation_flags.is_empty();
    if automated && !s.human_interaction() {
        return Scored {
            score: 1,
            detection_ids: vec![ids::AUTOMATION_SIGNATURE, ids::NO_HUMAN_INTERACTION],
            reason: REASON_HEADLESS.to_string(),
        };
    }
    if automated {
        return Scored {
            score: 8,
            detection_ids: vec![ids::AUTOMATION_SIGNATURE],
            reason: format!(
                "Automation signature ({}) despite recorded interaction.",
                s.automation_flags.join(", ")
            ),
        };
    }
    if !s.human_interaction() {
        return Scored {
            score: 15,
            detection_ids: vec![ids::NO_INTERACTION],
            reason: "No human interaction recorded.".to_string(),
        };
    }
    match s.mouse_entropy {
        Some(e) if e < LOW_ENTROPY => Scored {
            score: (10.0 + e * 50.0).round() as u8,
            detection_ids: vec![ids::LOW_MOUSE_ENTROPY],
            reason: format!("Low mouse-movement entropy ({e:.2}); machine-like pointer path."),
        },
        Some(e) => Scored {
            score: (50.0 + e * 50.0).round().clamp(2.0, 99.0) as u8,
            detection_ids: Vec::new(),
            reason: REASON_HUMAN.to_string(),
        },
        None => Scored {
            score: 70,
            detection_ids: Vec::new(),
            reason: REASON_HUMAN.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(events: &[(EventKind, Value)]) -> Scored {
        let maps: Vec<(EventKind, Map<String, Value>)> = events
            .iter()
            .map(|(k, v)| (*k, v.as_object().unwrap().clone()))
            .collect();
        score(&signals(maps.iter().map(|(k, m)| (*k, m))))
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
    fn automation_with_interaction_is_low_but_not_definite() {
        let s = run(&[
            (EventKind::JsProbe, json!({"headless_ua": true})),
            (
                EventKind::Mouse,
                json!({"mouse_entropy": 0.8, "samples": 50}),
            ),
        ]);
        assert!(s.score > 1 && s.score < 30, "{s:?}");
        assert_eq!(s.detection_ids, vec![ids::AUTOMATION_SIGNATURE]);
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
}
