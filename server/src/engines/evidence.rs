//! The evidence gate (heuristics family `0x01`): a session can be `likely_human` only with
//! evidence that Botect's browser SDK ran in a browser: the SDK's own events (a `js_probe`,
//! and a `page` or `snapshot`) and a valid proof-of-work solution on one of its ingest
//! requests (`integrity`, docs/ingest.md#integrity). Without them the gate's findings put the
//! session in a bot band at the default threshold; they are graded, never `definite`.
//!
//! Events are cheap to forge for anyone who has read the SDK; the proof is not: it costs
//! CPU per session, bound to the client and single-use (docs/evaluation.md says how much).
//! A failed JS probe is not missing evidence: the probe's findings stay corroborating.
//!
//! Sessions whose telemetry the customer's backend relays (`POST /v1/server/events`, private
//! key) cannot carry a proof (the official SDK's relay passes the hosted collector's
//! vocabulary only): for them the backend's page hits stand in for it. A relayed session
//! passes with the collector's events and at least one page hit of the session; its page
//! hits are then compared with its events ([`super::page_hits`]).
use serde_json::{Map, Value, json};

use super::{Finding, PageHitFacts, RequestFacts, Signals, Strength, registry::ids};
use crate::{domain::EventKind, integrity::Outcome};

/// Score of a session without the SDK's events.
pub const NO_SDK_EVIDENCE_SCORE: u8 = 4;
/// Score of a session whose requests carried an invalid proof.
pub const INVALID_PROOF_SCORE: u8 = 5;
/// Score of a session without any proof.
pub const MISSING_PROOF_SCORE: u8 = 6;

/// The gate's findings; empty when the session shows the SDK's events and a valid proof.
pub fn gate(s: &Signals, requests: &[RequestFacts], page_hits: &[PageHitFacts]) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    if !s.probe.received {
        missing.push("no js_probe event");
    }
    if !s.page_context {
        missing.push("no page or snapshot event");
    }
    if !missing.is_empty() {
        out.push(Finding::new(
            ids::NO_SDK_EVIDENCE,
            NO_SDK_EVIDENCE_SCORE,
            Strength::Graded,
            format!("No browser SDK evidence ({})", missing.join(", ")),
        ));
    }
    let mut invalid: Vec<Outcome> = Vec::new();
    for r in requests {
        if Outcome::INVALID.contains(&r.integrity) && !invalid.contains(&r.integrity) {
            invalid.push(r.integrity);
        }
    }
    if !invalid.is_empty() {
        let labels: Vec<&str> = invalid.iter().map(|o| o.label()).collect();
        out.push(Finding::new(
            ids::INTEGRITY_INVALID,
            INVALID_PROOF_SCORE,
            Strength::Graded,
            format!("Invalid integrity proof ({})", labels.join(", ")),
        ));
    } else if !requests.iter().any(|r| r.integrity == Outcome::Valid) {
        let relayed = requests.iter().any(|r| r.relayed);
        if !relayed {
            out.push(Finding::new(
                ids::INTEGRITY_MISSING,
                MISSING_PROOF_SCORE,
                Strength::Graded,
                "Missing integrity proof",
            ));
        } else if page_hits.is_empty() {
            out.push(Finding::new(
                ids::INTEGRITY_MISSING,
                MISSING_PROOF_SCORE,
                Strength::Graded,
                "Missing integrity proof (relayed telemetry without a page hit)",
            ));
        }
    }
    out
}

/// An event's type and payload.
pub type Payload = (EventKind, Map<String, Value>);

/// What a real SDK run adds to a session besides its interaction events: a clean
/// `js_probe`, a `page` event and one request with a valid proof. For evaluations and tests
/// that measure the other engines on sessions that passed the gate (a forger who paid for
/// the proof).
pub fn sdk_run() -> (Vec<Payload>, RequestFacts) {
    let obj = |v: Value| v.as_object().cloned().unwrap_or_default();
    (
        vec![
            (
                EventKind::Page,
                obj(json!({"collector_version": "1.0.0", "page_path_hash": "9f86d081884c7d65"})),
            ),
            (
                EventKind::JsProbe,
                obj(json!({"collector_version": "1.0.0", "webdriver": false})),
            ),
        ],
        RequestFacts {
            client_ip: None,
            ua_hash: None,
            ua_class: super::UaClass::Other,
            header_flags: 0,
            integrity: Outcome::Valid,
            relayed: false,
            ja4: None,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(integrity: Outcome) -> RequestFacts {
        RequestFacts {
            integrity,
            ..sdk_run().1
        }
    }

    fn sdk_signals() -> Signals {
        let (events, _) = sdk_run();
        super::super::signals::fold(events.iter().map(|(k, m)| (*k, m)))
    }

    fn ids_of(f: &[Finding]) -> Vec<u32> {
        f.iter().map(|f| f.id).collect()
    }

    #[test]
    fn the_sdk_events_and_a_valid_proof_pass() {
        let s = sdk_signals();
        assert!(gate(&s, &[req(Outcome::Absent), req(Outcome::Valid)], &[]).is_empty());
    }

    #[test]
    fn hand_posted_events_without_a_proof_are_gated() {
        let s = super::super::signals::fold_json(&[(
            EventKind::Mouse,
            json!({"entropy": 0.74, "samples": 128}),
        )]);
        let f = gate(&s, &[req(Outcome::Absent)], &[]);
        assert_eq!(
            ids_of(&f),
            vec![ids::NO_SDK_EVIDENCE, ids::INTEGRITY_MISSING]
        );
        assert_eq!(
            f[0].reason,
            "No browser SDK evidence (no js_probe event, no page or snapshot event)"
        );
        assert_eq!(f[1].reason, "Missing integrity proof");
        assert!(
            f.iter()
                .all(|f| f.strength == Strength::Graded && f.score < 30)
        );
    }

    #[test]
    fn sdk_events_without_a_proof_are_gated() {
        let f = gate(&sdk_signals(), &[req(Outcome::Absent)], &[]);
        assert_eq!(ids_of(&f), vec![ids::INTEGRITY_MISSING]);
        assert_eq!(
            ids_of(&gate(&sdk_signals(), &[], &[])),
            vec![ids::INTEGRITY_MISSING]
        );
    }

    #[test]
    fn an_invalid_proof_is_named_even_beside_a_valid_one() {
        for o in Outcome::INVALID {
            let f = gate(&sdk_signals(), &[req(o), req(Outcome::Valid)], &[]);
            assert_eq!(ids_of(&f), vec![ids::INTEGRITY_INVALID], "{o:?}");
            assert_eq!(
                f[0].reason,
                format!("Invalid integrity proof ({})", o.label())
            );
        }
        let f = gate(
            &sdk_signals(),
            &[
                req(Outcome::Reused),
                req(Outcome::Expired),
                req(Outcome::Reused),
            ],
            &[],
        );
        assert_eq!(
            f[0].reason,
            "Invalid integrity proof (already used by another session, expired)"
        );
    }

    #[test]
    fn a_probe_without_a_page_event_is_not_enough() {
        let s =
            super::super::signals::fold_json(&[(EventKind::JsProbe, json!({"webdriver": false}))]);
        let f = gate(&s, &[req(Outcome::Valid)], &[]);
        assert_eq!(ids_of(&f), vec![ids::NO_SDK_EVIDENCE]);
        assert_eq!(
            f[0].reason,
            "No browser SDK evidence (no page or snapshot event)"
        );
    }

    #[test]
    fn relayed_telemetry_passes_with_a_page_hit_instead_of_a_proof() {
        let relayed = RequestFacts {
            relayed: true,
            ..req(Outcome::Absent)
        };
        let hit = PageHitFacts::default();
        assert!(
            gate(
                &sdk_signals(),
                std::slice::from_ref(&relayed),
                std::slice::from_ref(&hit)
            )
            .is_empty()
        );
        let f = gate(&sdk_signals(), std::slice::from_ref(&relayed), &[]);
        assert_eq!(ids_of(&f), vec![ids::INTEGRITY_MISSING]);
        assert_eq!(
            f[0].reason,
            "Missing integrity proof (relayed telemetry without a page hit)"
        );
        // A page hit does not stand in for a proof on the browser's own requests.
        let f = gate(
            &sdk_signals(),
            &[req(Outcome::Absent)],
            std::slice::from_ref(&hit),
        );
        assert_eq!(ids_of(&f), vec![ids::INTEGRITY_MISSING]);
        // Nor for the SDK's own events.
        let s = super::super::signals::fold_json(&[(
            EventKind::Mouse,
            json!({"entropy": 0.74, "samples": 128}),
        )]);
        assert_eq!(
            ids_of(&gate(&s, &[relayed], &[hit])),
            vec![ids::NO_SDK_EVIDENCE]
        );
    }
}
