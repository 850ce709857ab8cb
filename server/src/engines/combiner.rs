//! The combiner: layered, not voted. Strongest evidence wins.
//!
//! 1. **Definite.** Any [`Strength::Deterministic`] finding and no human interaction →
//!    score 1; the IDs are the deterministic findings plus `0x03000003`, the reason names
//!    them: `"<labels>; no human interaction recorded."`. An automation browser at the HTTP
//!    layer (`0x01000001`) is definite even with interaction: synthetic mouse moves and
//!    typing do not cancel it. Its IDs end in `0x0100000D` instead, the reason in
//!    `"; interaction from an automation browser does not count."`.
//! 2. **Corroboration gate.** [`Strength::Corroborating`] findings (JS detection's soft
//!    traces, the client-IP rate) count only when a deterministic finding or a graded finding
//!    of the heuristics or behavioral engine is present; otherwise they are dropped.
//! 3. **Strongest evidence.** The score is the lowest score among the contributing findings
//!    (and the natural-interaction score); IDs are the contributing findings, strongest first;
//!    the reason quotes the top three.
//! 4. **Nothing found.** The behavioral engine's natural-interaction score, no IDs, and
//!    `"No bot signals; natural interaction profile."`.
use super::{
    EngineOutput, Finding, REASON_HUMAN, Signals, Strength, behavioral,
    registry::{self, ids},
};
use crate::domain::Scored;

/// How many findings the reason names.
pub const REASON_TOP: usize = 3;

/// Settles the engines' outputs into the stored score.
pub fn combine(s: &Signals, outputs: &[EngineOutput]) -> Scored {
    let findings: Vec<(&'static str, &Finding)> = outputs
        .iter()
        .flat_map(|o| o.findings.iter().map(move |f| (o.engine, f)))
        .collect();

    let mut deterministic: Vec<&Finding> = findings
        .iter()
        .filter(|(_, f)| f.strength == Strength::Deterministic)
        .map(|(_, f)| *f)
        .collect();
    let interaction = s.human_interaction();
    let automation_browser = deterministic
        .iter()
        .any(|f| f.id == ids::AUTOMATION_HTTP_UA);
    if !deterministic.is_empty() && (!interaction || automation_browser) {
        deterministic.sort_by_key(|f| f.id);
        deterministic.dedup_by_key(|f| f.id);
        let mut detection_ids: Vec<u32> = deterministic.iter().map(|f| f.id).collect();
        let (closing_id, closing) = if interaction {
            (
                ids::AUTOMATION_WITH_INTERACTION,
                "interaction from an automation browser does not count",
            )
        } else {
            (ids::NO_HUMAN_INTERACTION, "no human interaction recorded")
        };
        detection_ids.push(closing_id);
        // JS detection's signature first: the published reason leads with it.
        let mut labels: Vec<&str> = deterministic
            .iter()
            .map(|f| f.id)
            .filter(|id| *id >> 24 == 0x03)
            .chain(
                deterministic
                    .iter()
                    .map(|f| f.id)
                    .filter(|id| *id >> 24 != 0x03),
            )
            .map(registry::label)
            .collect();
        labels.dedup();
        return Scored {
            score: 1,
            detection_ids,
            reason: format!("{}; {closing}.", labels.join(", ")),
        };
    }

    let corroborated = findings.iter().any(|(engine, f)| match f.strength {
        Strength::Deterministic => true,
        Strength::Graded => *engine != "js_detection",
        Strength::Corroborating => false,
    });
    let mut contributing: Vec<&Finding> = findings
        .iter()
        .map(|(_, f)| *f)
        .filter(|f| f.strength != Strength::Corroborating || corroborated)
        .collect();
    let human = behavioral::human_score(s);
    if contributing.is_empty() {
        return Scored {
            score: human,
            detection_ids: Vec::new(),
            reason: REASON_HUMAN.to_string(),
        };
    }
    contributing.sort_by_key(|f| (f.score, f.id));
    let mut detection_ids: Vec<u32> = Vec::new();
    let mut reasons: Vec<&str> = Vec::new();
    for f in &contributing {
        if !detection_ids.contains(&f.id) {
            detection_ids.push(f.id);
            if reasons.len() < REASON_TOP {
                reasons.push(&f.reason);
            }
        }
    }
    Scored {
        score: contributing[0].score.min(human).clamp(2, 99),
        detection_ids,
        reason: format!("{}.", reasons.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EventKind;
    use crate::engines::{REASON_HEADLESS, RequestFacts, Traffic, assess, heuristics};
    use serde_json::{Value, json};

    /// Scores `events` of a session that passed the evidence gate (the SDK's page and probe
    /// events, a valid proof on every request; `evidence.rs` tests the gate itself).
    fn run_with(events: &[(EventKind, Value)], requests: &[RequestFacts], t: &Traffic) -> Scored {
        let (mut maps, valid) = crate::engines::evidence::sdk_run();
        maps.extend(crate::engines::signals::payloads(events));
        let requests = if requests.is_empty() {
            vec![valid]
        } else {
            requests.to_vec()
        };
        assess(maps.iter().map(|(k, m)| (*k, m)), &requests, &[], t).scored
    }

    fn run(events: &[(EventKind, Value)]) -> Scored {
        run_with(events, &[], &Traffic::default())
    }

    fn ua(ua: &str) -> RequestFacts {
        RequestFacts {
            client_ip: None,
            ua_hash: Some(heuristics::ua_hash(ua)),
            ua_class: heuristics::classify(Some(ua)),
            header_flags: heuristics::header::USER_AGENT,
            integrity: crate::integrity::Outcome::Valid,
            relayed: false,
            ja4: None,
        }
    }

    // ---- the contract's published behaviours ----

    #[test]
    fn quickstart_is_likely_human_87() {
        let s = run(&[(EventKind::Mouse, json!({"entropy": 0.74, "samples": 128}))]);
        assert_eq!(s.score, 87);
        assert!(s.detection_ids.is_empty());
        assert_eq!(s.reason, REASON_HUMAN);
    }

    #[test]
    fn the_quickstart_posted_by_a_script_is_gated() {
        // The README's curl: the mouse event alone, no SDK events, no proof.
        let maps = crate::engines::signals::payloads(&[(
            EventKind::Mouse,
            json!({"entropy": 0.74, "samples": 128}),
        )]);
        let curl = RequestFacts {
            integrity: crate::integrity::Outcome::Absent,
            ..ua("curl/8.5.0")
        };
        let s = assess(
            maps.iter().map(|(k, m)| (*k, m)),
            &[curl],
            &[],
            &Traffic::default(),
        )
        .scored;
        assert_eq!(s.score, 4, "{s:?}");
        assert_eq!(
            s.detection_ids,
            vec![ids::NO_SDK_EVIDENCE, ids::INTEGRITY_MISSING]
        );
        assert_eq!(
            s.reason,
            "No browser SDK evidence (no js_probe event, no page or snapshot event); Missing integrity proof."
        );
    }

    #[test]
    fn an_automation_browser_is_definite_despite_interaction() {
        const HEADLESS: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/140.0.0.0 Safari/537.36";
        let typed = [
            (EventKind::JsProbe, json!({"webdriver": true})),
            (
                EventKind::Mouse,
                json!({"mouse_entropy": 0.8, "samples": 120}),
            ),
            (
                EventKind::FirstInput,
                json!({"key_events": 12, "first_input_delay_ms": 3}),
            ),
        ];
        let s = run_with(&typed, &[ua(HEADLESS)], &Traffic::default());
        assert_eq!(s.score, 1, "{s:?}");
        assert_eq!(
            s.detection_ids,
            vec![
                ids::AUTOMATION_HTTP_UA,
                ids::AUTOMATION_SIGNATURE,
                ids::AUTOMATION_WITH_INTERACTION
            ]
        );
        assert_eq!(
            s.reason,
            "Headless automation signature, Automation browser user agent; interaction from an automation browser does not count."
        );
        // Without interaction the published pair and reason stay.
        let s = run_with(
            &[(EventKind::JsProbe, json!({"webdriver": true}))],
            &[ua(HEADLESS)],
            &Traffic::default(),
        );
        assert_eq!(
            s.detection_ids,
            vec![
                ids::AUTOMATION_HTTP_UA,
                ids::AUTOMATION_SIGNATURE,
                ids::NO_HUMAN_INTERACTION
            ]
        );
        // A JS-only signature with interaction is not enough for definite.
        let s = run_with(
            &typed,
            &[ua(
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36",
            )],
            &Traffic::default(),
        );
        assert!(s.score > 1 && s.score < 30, "{s:?}");
        assert!(!s.detection_ids.contains(&ids::AUTOMATION_WITH_INTERACTION));
    }

    #[test]
    fn headless_without_interaction_is_definite_with_published_ids() {
        for probe in [
            json!({"webdriver": true, "headless": true}),
            json!({"webdriver": true, "headless": true, "headless_ua": true, "plugins": []}),
            json!({"webdriver": true}),
            json!({"headless": true}),
        ] {
            let s = run(&[
                (EventKind::Page, json!({"page_path_hash": "ab12"})),
                (EventKind::JsProbe, probe.clone()),
            ]);
            assert_eq!(s.score, 1, "{probe}");
            assert_eq!(s.detection_ids, vec![50331648, 50331651], "{probe}");
            assert_eq!(s.reason, REASON_HEADLESS, "{probe}");
        }
    }

    #[test]
    fn published_scores_of_interaction_profiles() {
        let s = run(&[
            (EventKind::Page, json!({"page_path_hash": "ff"})),
            (
                EventKind::Mouse,
                json!({"mouse_entropy": 0.8, "samples": 300}),
            ),
        ]);
        assert_eq!((s.score, s.detection_ids.clone()), (90, vec![]));
        let s = run(&[(EventKind::Mouse, json!({"entropy": 0.9, "samples": 9}))]);
        assert_eq!(s.score, 95);
        let s = run(&[(EventKind::Mouse, json!({"entropy": 0.05, "samples": 500}))]);
        assert!(s.score > 1 && s.score < 30, "{s:?}");
        assert_eq!(s.detection_ids, vec![ids::LOW_MOUSE_ENTROPY]);
        assert_eq!(
            s.reason,
            "Low mouse-movement entropy (0.05); machine-like pointer path."
        );
        let s = run(&[(EventKind::Page, json!({"page_path_hash": "ab"}))]);
        assert!(s.score > 1 && s.score < 30, "{s:?}");
        assert_eq!(s.detection_ids, vec![ids::NO_INTERACTION]);
        assert_eq!(s.reason, "No human interaction recorded.");
    }

    // ---- definite ----

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
        assert_eq!(s.reason, "Automation signature (headless_ua).");
    }

    #[test]
    fn synthetic_interaction_does_not_save_automation_from_definite() {
        let s = run(&[
            (EventKind::JsProbe, json!({"webdriver": true})),
            (
                EventKind::Mouse,
                json!({"mouse_entropy": 0.8, "pointer_moves": 60, "trusted_ratio": 0}),
            ),
        ]);
        assert_eq!(s.score, 1);
        assert_eq!(
            s.detection_ids,
            vec![ids::AUTOMATION_SIGNATURE, ids::NO_HUMAN_INTERACTION]
        );
    }

    #[test]
    fn heuristic_determinism_is_definite_too_and_names_every_fact() {
        let page = [(EventKind::Page, json!({"page_path_hash": "ab"}))];
        let s = run_with(&page, &[ua("python-requests/2.31")], &Traffic::default());
        assert_eq!(s.score, 1);
        assert_eq!(
            s.detection_ids,
            vec![ids::HTTP_LIBRARY_UA, ids::NO_HUMAN_INTERACTION]
        );
        assert_eq!(
            s.reason,
            "Scripted HTTP client; no human interaction recorded."
        );
        let headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36";
        let s = run_with(
            &[(
                EventKind::JsProbe,
                json!({"webdriver": true, "automation_globals": true}),
            )],
            &[ua(headless)],
            &Traffic::default(),
        );
        assert_eq!(s.score, 1);
        assert_eq!(
            s.detection_ids,
            vec![
                ids::AUTOMATION_HTTP_UA,
                ids::AUTOMATION_SIGNATURE,
                ids::AUTOMATION_GLOBALS,
                ids::NO_HUMAN_INTERACTION
            ]
        );
        assert_eq!(
            s.reason,
            "Headless automation signature, Automation globals, Automation browser user agent; no human interaction recorded."
        );
    }

    #[test]
    fn nothing_but_graded_evidence_is_never_definite() {
        // No interaction plus a failed probe, a header anomaly and replayed telemetry:
        // low, but not 1 (none of it is deterministic).
        let s = run_with(
            &[(
                EventKind::JsProbe,
                json!({"js_passed": false, "cdp_detected": true}),
            )],
            &[RequestFacts {
                client_ip: None,
                ua_hash: None,
                ua_class: heuristics::UaClass::Missing,
                header_flags: 0,
                integrity: crate::integrity::Outcome::Valid,
                relayed: false,
                ja4: None,
            }],
            &Traffic {
                replayed_payloads: 1,
                replay_sessions: 1,
                ..Default::default()
            },
        );
        assert!(s.score >= 2, "{s:?}");
        assert!(!s.detection_ids.contains(&ids::NO_HUMAN_INTERACTION));
    }

    // ---- the corroboration gate ----

    #[test]
    fn a_failed_probe_alone_is_not_a_bot_band_when_the_person_interacts() {
        let s = run(&[
            (
                EventKind::JsProbe,
                json!({"js_passed": false, "missing_plugins": true, "cdp_detected": true, "native_tampered": 4,
                       "ua_data_mismatch": true, "webgl_software": true, "languages_empty": true}),
            ),
            (
                EventKind::Mouse,
                json!({"mouse_entropy": 0.6, "samples": 40}),
            ),
        ]);
        assert_eq!(s.score, 80, "{s:?}");
        assert!(s.detection_ids.is_empty());
        assert_eq!(s.reason, REASON_HUMAN);
    }

    #[test]
    fn soft_traces_count_once_behaviour_corroborates() {
        // Weak behavioral evidence alone stays in the human band …
        let weak = (
            EventKind::Mouse,
            json!({"mouse_entropy": 0.7, "pointer_moves": 200, "stroke_count": 6, "pause_count": 0, "overshoot_count": 0}),
        );
        let s = run(std::slice::from_ref(&weak));
        assert_eq!(s.score, behavioral::WEAK);
        assert_eq!(s.detection_ids, vec![ids::NO_CORRECTIONS]);
        // … and with CDP side effects the strongest evidence decides.
        let s = run(&[
            weak,
            (
                EventKind::JsProbe,
                json!({"cdp_detected": true, "webgl_software": true}),
            ),
        ]);
        assert_eq!(s.score, 8);
        assert_eq!(
            s.detection_ids,
            vec![ids::CDP_DETECTED, ids::SOFTWARE_WEBGL, ids::NO_CORRECTIONS]
        );
        assert_eq!(
            s.reason,
            "DevTools-protocol side effects; Software WebGL renderer; No pauses or corrections over 6 strokes."
        );
    }

    #[test]
    fn heuristic_evidence_corroborates_soft_traces_but_ip_rate_does_not() {
        let events = [
            (EventKind::JsProbe, json!({"cdp_detected": true})),
            (
                EventKind::Mouse,
                json!({"mouse_entropy": 0.7, "samples": 90}),
            ),
        ];
        let busy_ip = Traffic {
            ip: Some("198.51.100.7".parse().unwrap()),
            ip_sessions_10m: 80,
            ..Default::default()
        };
        let s = run_with(&events, &[], &busy_ip);
        assert_eq!((s.score, s.detection_ids.len()), (85, 0), "{s:?}");
        let replayed = Traffic {
            replayed_payloads: 1,
            replay_sessions: 1,
            ..busy_ip
        };
        let s = run_with(&events, &[], &replayed);
        assert_eq!(s.score, 5);
        assert_eq!(
            s.detection_ids,
            vec![ids::REPLAYED_PAYLOAD, ids::CDP_DETECTED, ids::IP_RATE]
        );
    }

    #[test]
    fn deterministic_facts_corroborate_soft_traces() {
        let s = run(&[
            (
                EventKind::JsProbe,
                json!({"webdriver": true, "cdp_detected": true}),
            ),
            (
                EventKind::Mouse,
                json!({"mouse_entropy": 0.8, "samples": 50}),
            ),
        ]);
        assert_eq!(s.score, 8);
        assert_eq!(
            s.detection_ids,
            vec![ids::AUTOMATION_SIGNATURE, ids::CDP_DETECTED]
        );
    }

    #[test]
    fn strongest_evidence_wins_and_reason_names_top_three() {
        let s = run(&[(
            EventKind::Mouse,
            json!({"mouse_entropy": 0.2, "pointer_moves": 100, "path_straightness": 1.0, "speed_cv": 0.01,
                   "direction_entropy": 0.0, "trusted_ratio": 1, "move_interval_cv": 0.0}),
        )]);
        assert_eq!(s.score, 10);
        assert_eq!(
            s.detection_ids,
            vec![
                ids::STRAIGHT_PATHS,
                ids::UNIFORM_SPEED,
                ids::LOW_MOUSE_ENTROPY,
                ids::LOW_DIRECTION_ENTROPY,
                ids::METRONOMIC_TIMING
            ]
        );
        assert_eq!(s.reason.matches("; ").count(), 3, "{}", s.reason);
        assert_eq!(
            s.reason,
            "Straight-line pointer paths (straightness 1.000); Uniform pointer speed (variation 0.01); \
             Low mouse-movement entropy (0.20); machine-like pointer path."
        );
    }
}
