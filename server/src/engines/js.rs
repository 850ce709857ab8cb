//! JS detection engine (family `0x03`): the facts the SDK's probe reports about the browser.
//!
//! Deterministic facts (the published automation signature: `webdriver`, `headless`,
//! `headless_ua`; automation globals) stand on their own. Everything else is a trace that
//! real people's browsers sometimes show too (an open DevTools, privacy extensions, virtual
//! machines, unusual window sizes): those findings are [`Strength::Corroborating`] and never
//! enforce alone (contract §4).
use super::{EngineOutput, Finding, Signals, Strength, registry::ids};

/// Runs the JS detection. Abstains when the session carries no probe data or nothing fired.
pub fn assess(s: &Signals) -> Option<EngineOutput> {
    let p = &s.probe;
    let mut out = Vec::new();
    let flags = p.signature_flags();
    if !flags.is_empty() {
        out.push(Finding::new(
            ids::AUTOMATION_SIGNATURE,
            8,
            Strength::Deterministic,
            format!("Automation signature ({})", flags.join(", ")),
        ));
    }
    if p.automation_globals {
        out.push(Finding::new(
            ids::AUTOMATION_GLOBALS,
            6,
            Strength::Deterministic,
            "Automation globals in the page",
        ));
    }
    let soft: [(bool, u32, u8, &str); 12] = [
        (
            p.cdp,
            ids::CDP_DETECTED,
            8,
            "DevTools-protocol side effects",
        ),
        (
            p.native_tampered > 0,
            ids::NATIVE_TAMPERED,
            10,
            "Tampered native functions",
        ),
        (
            p.ua_data_mismatch,
            ids::UA_DATA_MISMATCH,
            12,
            "navigator.userAgentData contradicts the user agent",
        ),
        (p.zero_viewport, ids::ZERO_VIEWPORT, 12, "Zero window size"),
        (
            p.languages_empty,
            ids::LANGUAGES_EMPTY,
            15,
            "Empty navigator.languages",
        ),
        (
            p.notification_quirk,
            ids::NOTIFICATION_QUIRK,
            15,
            "Notification-permission quirk",
        ),
        (
            p.eval_length_mismatch,
            ids::EVAL_LENGTH_MISMATCH,
            15,
            "JS engine does not match the user agent",
        ),
        (
            p.navigator_anomaly,
            ids::NAVIGATOR_ANOMALY,
            20,
            "Navigator anomaly",
        ),
        (p.js_failed, ids::JS_PROBE_FAILED, 25, "JS probe failed"),
        (
            p.webgl_software,
            ids::SOFTWARE_WEBGL,
            25,
            "Software WebGL renderer",
        ),
        (
            p.missing_plugins || p.plugins_inconsistent,
            ids::PLUGINS_INCONSISTENT,
            25,
            "Plugins missing or inconsistent",
        ),
        (
            p.automation_viewport,
            ids::AUTOMATION_VIEWPORT,
            28,
            "Default automation viewport",
        ),
    ];
    for (fired, id, score, reason) in soft {
        if fired {
            let reason = if id == ids::NATIVE_TAMPERED {
                format!("{reason} ({})", p.native_tampered)
            } else {
                reason.to_string()
            };
            out.push(Finding::new(id, score, Strength::Corroborating, reason));
        }
    }
    if out.is_empty() {
        return None;
    }
    Some(EngineOutput {
        engine: "js_detection",
        score: out.iter().map(|f| f.score).min(),
        findings: out,
    })
}

/// `js_detection.passed`: `None` when the session carries no probe data at all; otherwise
/// `true` exactly when no JS detection fired and the probe did not report `js_passed: false`.
pub fn passed(s: &Signals) -> Option<bool> {
    let fired = assess(s).is_some();
    (s.probe.received || fired).then_some(!fired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::EventKind;
    use crate::engines::signals::fold;
    use serde_json::{Map, Value, json};

    fn probe(payload: Value) -> Signals {
        let m: Map<String, Value> = payload.as_object().unwrap().clone();
        fold([(EventKind::JsProbe, &m)])
    }

    fn fired(payload: Value) -> Vec<(u32, Strength)> {
        assess(&probe(payload))
            .map(|o| o.findings.iter().map(|f| (f.id, f.strength)).collect())
            .unwrap_or_default()
    }

    #[test]
    fn clean_probe_abstains_and_passes() {
        let clean = json!({"webdriver": false, "headless": false, "cdp_detected": false, "native_tampered": 0, "js_passed": true});
        assert_eq!(fired(clean.clone()), vec![]);
        assert_eq!(passed(&probe(clean)), Some(true));
        assert_eq!(passed(&Signals::default()), None);
    }

    #[test]
    fn automation_signature_is_deterministic() {
        for flag in ["webdriver", "headless", "headless_ua"] {
            assert_eq!(
                fired(json!({flag: true})),
                vec![(ids::AUTOMATION_SIGNATURE, Strength::Deterministic)],
                "{flag}"
            );
            assert_eq!(fired(json!({flag: false})), vec![], "{flag}");
        }
        let o = assess(&probe(json!({"webdriver": true, "headless": true}))).unwrap();
        assert_eq!(
            o.findings[0].reason,
            "Automation signature (webdriver, headless)"
        );
        assert_eq!(passed(&probe(json!({"webdriver": true}))), Some(false));
    }

    #[test]
    fn automation_globals_are_deterministic() {
        assert_eq!(
            fired(json!({"automation_globals": true})),
            vec![(ids::AUTOMATION_GLOBALS, Strength::Deterministic)]
        );
        assert_eq!(fired(json!({"automation_globals": false})), vec![]);
    }

    #[test]
    fn every_soft_trace_fires_as_corroborating_only() {
        for (payload, id) in [
            (json!({"cdp_detected": true}), ids::CDP_DETECTED),
            (json!({"native_tampered": 3}), ids::NATIVE_TAMPERED),
            (json!({"ua_data_mismatch": true}), ids::UA_DATA_MISMATCH),
            (json!({"zero_viewport": true}), ids::ZERO_VIEWPORT),
            (json!({"languages_empty": true}), ids::LANGUAGES_EMPTY),
            (json!({"notification_quirk": true}), ids::NOTIFICATION_QUIRK),
            (
                json!({"eval_length_mismatch": true}),
                ids::EVAL_LENGTH_MISMATCH,
            ),
            (json!({"navigator_anomaly": true}), ids::NAVIGATOR_ANOMALY),
            (json!({"js_passed": false}), ids::JS_PROBE_FAILED),
            (json!({"webgl_software": true}), ids::SOFTWARE_WEBGL),
            (json!({"missing_plugins": true}), ids::PLUGINS_INCONSISTENT),
            (
                json!({"plugins_inconsistent": true}),
                ids::PLUGINS_INCONSISTENT,
            ),
            (
                json!({"automation_viewport": true}),
                ids::AUTOMATION_VIEWPORT,
            ),
        ] {
            assert_eq!(
                fired(payload.clone()),
                vec![(id, Strength::Corroborating)],
                "{payload}"
            );
            assert_eq!(passed(&probe(payload.clone())), Some(false), "{payload}");
            // The same key reporting the clean value does not fire.
            let clean: Map<String, Value> = payload
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::Bool(b) => Value::Bool(if k == "js_passed" { !b } else { false }),
                        _ => json!(0),
                    };
                    (k.clone(), v)
                })
                .collect();
            assert_eq!(fired(Value::Object(clean)), vec![], "{payload}");
        }
    }

    #[test]
    fn snapshot_probe_keys_count_without_a_js_probe_event() {
        let m: Map<String, Value> = json!({"cdp_detected": true}).as_object().unwrap().clone();
        let s = fold([(EventKind::Snapshot, &m)]);
        assert_eq!(passed(&s), Some(false));
        let m: Map<String, Value> = json!({"mouse_entropy": 0.5}).as_object().unwrap().clone();
        assert_eq!(passed(&fold([(EventKind::Snapshot, &m)])), None);
    }
}
