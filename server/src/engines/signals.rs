//! Folds a session's events into the facts the engines read. Pure.
//!
//! The SDK sends aggregates per batch window; a session's value is the weighted mean of its
//! windows (weight: the window's pointer moves or key events, else 1), counts are summed, and
//! the "best" human evidence (highest mouse entropy, as the collector's scorer always did) is
//! kept where the contract defines it so.
use serde_json::{Map, Value};

use crate::domain::EventKind;

/// A weighted mean under construction.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Mean {
    sum: f64,
    weight: f64,
}

impl Mean {
    pub fn add(&mut self, value: f64, weight: f64) {
        if value.is_finite() && weight.is_finite() && weight > 0.0 {
            self.sum += value * weight;
            self.weight += weight;
        }
    }

    pub fn get(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.sum / self.weight)
    }
}

/// Flags and facts from `js_probe` (and `snapshot`) events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Probe {
    /// At least one `js_probe` event arrived.
    pub received: bool,
    pub webdriver: bool,
    pub headless: bool,
    pub headless_ua: bool,
    pub automation_globals: bool,
    /// `js_passed: false` was reported.
    pub js_failed: bool,
    pub cdp: bool,
    pub native_tampered: u64,
    pub ua_data_mismatch: bool,
    pub webgl_software: bool,
    pub missing_plugins: bool,
    pub plugins_inconsistent: bool,
    pub languages_empty: bool,
    pub zero_viewport: bool,
    pub notification_quirk: bool,
    pub eval_length_mismatch: bool,
    pub automation_viewport: bool,
    pub navigator_anomaly: bool,
    /// Every distinct `ua_hash` reported (lower case).
    pub ua_hashes: Vec<String>,
    /// Every distinct language tag the page reported (`languages`, navigator.languages;
    /// lower case).
    pub languages: Vec<String>,
}

impl Probe {
    /// The automation-signature flags seen (published detection 0x03000000).
    pub fn signature_flags(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.webdriver {
            v.push("webdriver");
        }
        if self.headless {
            v.push("headless");
        }
        if self.headless_ua {
            v.push("headless_ua");
        }
        v
    }
}

/// Pointer aggregates (SDK additions), over all windows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pointer {
    /// Sums of `stroke_count`, `pause_count`, `overshoot_count`; `None` when never reported.
    pub strokes: Option<f64>,
    pub pauses: Option<f64>,
    pub overshoots: Option<f64>,
    pub interval_mean_ms: Mean,
    pub interval_cv: Mean,
    pub straightness: Mean,
    pub speed_mean: Mean,
    pub speed_cv: Mean,
    pub accel_cv: Mean,
    pub curvature: Mean,
    pub direction_entropy: Mean,
    /// `direction_entropy` of the dense windows only: those of at least
    /// [`DENSE_WINDOW_MOVES`] pointer moves (weighted by their moves).
    pub direction_entropy_dense: Mean,
    pub trusted_ratio: Mean,
    /// The kinematics model's logit ([`super::kinematics::window_logit`]) over the windows it
    /// judged, weighted by their moves.
    pub kinematic_logit: Mean,
    /// Windows the kinematics model judged.
    pub kinematic_windows: u32,
    /// Sums of `mouse_downs` and `pressureless_downs`: trusted mouse-button presses in
    /// Chromium, and those of them with pressure 0.
    pub mouse_downs: f64,
    pub pressureless_downs: f64,
    /// Largest `screen_offset_gap` reported (px the viewport lies beyond the window's chrome).
    pub screen_offset_gap: Option<f64>,
    /// Pointer moves in windows that reported a `trusted_ratio`.
    pub trusted_basis: f64,
}

/// Keyboard timing (SDK additions).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Keys {
    pub interval_mean_ms: Mean,
    pub interval_cv: Mean,
    pub dwell_mean_ms: Mean,
    pub dwell_cv: Mean,
    /// Key events in windows that reported timing.
    pub timed: f64,
}

/// Everything the engines read from a session's events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Signals {
    pub events: usize,
    /// The session presents itself as the browser SDK/collector: a `js_probe`,
    /// `collector_version`, `ua_hash` or any SDK aggregate key.
    pub sdk_claimed: bool,
    pub probe: Probe,
    /// A `page` or `snapshot` event arrived (the SDK sends one on every page).
    pub page_context: bool,
    /// Highest mouse entropy reported (`mouse_entropy` or `entropy`).
    pub mouse_entropy: Option<f64>,
    /// The most pointer moves ([`move_count`]) of any event that reported a mouse entropy;
    /// `None` when no such event said how many moves it covered.
    pub entropy_moves: Option<f64>,
    /// Pointer moves over the session: the sum over events of [`move_count`].
    pub mouse_samples: f64,
    pub clicks: f64,
    pub keys: f64,
    pub scrolls: f64,
    pub touches: f64,
    /// The page reported a touch screen (`coarse_pointer` 1, `max_touch_points` > 0, a
    /// `touch` pointer type) or touch events: its keys may come from a virtual keyboard, which
    /// sends keydown and keyup together.
    pub touch_device: bool,
    pub first_input: bool,
    pub pointer: Pointer,
    pub keyboard: Keys,
    /// Highest scroll velocity reported.
    pub scroll_velocity: Option<f64>,
    /// Highest visibility-change count reported.
    pub visibility_changes: Option<f64>,
    /// Lowest first-input delay reported.
    pub first_input_delay_ms: Option<f64>,
    /// Lowest time to first input reported.
    pub time_to_first_input_ms: Option<f64>,
    pub total_ms: Option<f64>,
    pub visible_ms: Option<f64>,
}

impl Signals {
    /// Pointer events are all synthetic: at least 10 moves reported a trusted ratio and
    /// none was trusted.
    pub fn all_pointer_synthetic(&self) -> bool {
        self.pointer.trusted_basis >= 10.0 && self.pointer.trusted_ratio.get() == Some(0.0)
    }

    /// Any interaction a person could have produced. Pointer moves and clicks whose events
    /// were all synthetic (`isTrusted` false) do not count.
    pub fn human_interaction(&self) -> bool {
        let pointer =
            !self.all_pointer_synthetic() && (self.mouse_samples > 0.0 || self.clicks > 0.0);
        pointer || self.keys > 0.0 || self.scrolls > 0.0 || self.touches > 0.0 || self.first_input
    }

    /// Pointer moves reported.
    pub fn moves(&self) -> f64 {
        self.mouse_samples
    }
}

/// A window with at least this many pointer moves is dense: its statistics rest on enough
/// movement to be compared with stricter thresholds.
pub const DENSE_WINDOW_MOVES: f64 = 80.0;

/// The pointer moves one event reports: the largest of `samples`, `mouse_moves` and
/// `pointer_moves`. A browser fires both a `pointermove` and a `mousemove` for every move and
/// the SDK counts each, so the counts overlap and are never added.
pub fn move_count(p: &Map<String, Value>) -> f64 {
    ["samples", "mouse_moves", "pointer_moves"]
        .iter()
        .filter_map(|k| num(p, k))
        .fold(0.0, f64::max)
}

/// SDK additions whose presence marks a session as SDK telemetry.
const SDK_MARKERS: &[&str] = &[
    "collector_version",
    "ua_hash",
    "stroke_count",
    "move_interval_mean_ms",
    "move_interval_cv",
    "path_straightness",
    "speed_cv",
    "trusted_ratio",
    "key_interval_mean_ms",
    "key_dwell_mean_ms",
    "automation_globals",
    "cdp_detected",
    "native_tampered",
];

fn num(p: &Map<String, Value>, k: &str) -> Option<f64> {
    p.get(k).and_then(Value::as_f64).filter(|n| n.is_finite())
}

fn flag(p: &Map<String, Value>, k: &str) -> bool {
    p.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn max_opt(cur: Option<f64>, v: Option<f64>) -> Option<f64> {
    match (cur, v) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn sum_opt(cur: Option<f64>, v: Option<f64>) -> Option<f64> {
    match (cur, v) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    }
}

fn min_opt(cur: Option<f64>, v: Option<f64>) -> Option<f64> {
    match (cur, v) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Folds events (in any order) into signals.
pub fn fold<'a>(events: impl IntoIterator<Item = (EventKind, &'a Map<String, Value>)>) -> Signals {
    let mut s = Signals::default();
    for (kind, p) in events {
        s.events += 1;
        if kind == EventKind::JsProbe {
            s.probe.received = true;
            s.sdk_claimed = true;
        }
        if matches!(kind, EventKind::Page | EventKind::Snapshot) {
            s.page_context = true;
        }
        if SDK_MARKERS.iter().any(|k| p.contains_key(*k)) {
            s.sdk_claimed = true;
        }
        if matches!(kind, EventKind::JsProbe | EventKind::Snapshot) {
            let pr = &mut s.probe;
            pr.webdriver |= flag(p, "webdriver");
            pr.headless |= flag(p, "headless");
            pr.headless_ua |= flag(p, "headless_ua");
            pr.automation_globals |= flag(p, "automation_globals");
            pr.js_failed |= p.get("js_passed").and_then(Value::as_bool) == Some(false);
            pr.cdp |= flag(p, "cdp_detected");
            pr.native_tampered += num(p, "native_tampered").unwrap_or(0.0).max(0.0) as u64;
            pr.ua_data_mismatch |= flag(p, "ua_data_mismatch");
            pr.webgl_software |= flag(p, "webgl_software");
            pr.missing_plugins |= flag(p, "missing_plugins");
            pr.plugins_inconsistent |= flag(p, "plugins_inconsistent");
            pr.languages_empty |= flag(p, "languages_empty");
            pr.zero_viewport |= flag(p, "zero_viewport");
            pr.notification_quirk |= flag(p, "notification_quirk");
            pr.eval_length_mismatch |= flag(p, "eval_length_mismatch");
            pr.automation_viewport |= flag(p, "automation_viewport");
            pr.navigator_anomaly |= flag(p, "navigator_anomaly");
            if let Some(h) = p.get("ua_hash").and_then(Value::as_str) {
                let h = h.to_ascii_lowercase();
                if !pr.ua_hashes.contains(&h) {
                    pr.ua_hashes.push(h);
                }
            }
            for tag in p
                .get("languages")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                let tag = tag.to_ascii_lowercase();
                if !pr.languages.contains(&tag) {
                    pr.languages.push(tag);
                }
            }
        }

        let moves = move_count(p);
        if let Some(e) = num(p, "mouse_entropy").or_else(|| num(p, "entropy")) {
            s.mouse_entropy = max_opt(s.mouse_entropy, Some(e));
            if moves > 0.0 {
                s.entropy_moves = max_opt(s.entropy_moves, Some(moves));
            }
        }
        s.mouse_samples += moves;
        s.clicks += num(p, "click_events").unwrap_or(0.0);
        let keys = num(p, "key_events").unwrap_or(0.0);
        s.keys += keys;
        s.scrolls += num(p, "scroll_events").unwrap_or(0.0);
        s.touches += num(p, "touch_events").unwrap_or(0.0);
        s.touch_device |= num(p, "coarse_pointer") == Some(1.0)
            || num(p, "max_touch_points").is_some_and(|n| n > 0.0)
            || num(p, "touch_events").is_some_and(|n| n > 0.0)
            || p.get("pointer_types")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|t| t.as_str() == Some("touch")));
        if let Some(v) = num(p, "scroll_velocity") {
            s.scroll_velocity = max_opt(s.scroll_velocity, Some(v));
            if v > 0.0 && s.scrolls == 0.0 {
                s.scrolls = 1.0;
            }
        }
        if kind == EventKind::FirstInput || num(p, "first_input_delay_ms").is_some() {
            s.first_input = true;
        }
        s.first_input_delay_ms = min_opt(s.first_input_delay_ms, num(p, "first_input_delay_ms"));
        s.time_to_first_input_ms =
            min_opt(s.time_to_first_input_ms, num(p, "time_to_first_input_ms"));
        s.visibility_changes = max_opt(s.visibility_changes, num(p, "visibility_changes"));
        s.total_ms = max_opt(s.total_ms, num(p, "total_ms"));
        s.visible_ms = max_opt(s.visible_ms, num(p, "visible_ms"));

        // Pointer aggregates, weighted by the window's moves.
        let w = if moves > 0.0 { moves } else { 1.0 };
        let pt = &mut s.pointer;
        pt.strokes = sum_opt(pt.strokes, num(p, "stroke_count"));
        pt.pauses = sum_opt(pt.pauses, num(p, "pause_count"));
        pt.overshoots = sum_opt(pt.overshoots, num(p, "overshoot_count"));
        for (key, mean) in [
            ("move_interval_mean_ms", &mut pt.interval_mean_ms),
            ("move_interval_cv", &mut pt.interval_cv),
            ("path_straightness", &mut pt.straightness),
            ("speed_mean", &mut pt.speed_mean),
            ("speed_cv", &mut pt.speed_cv),
            ("accel_cv", &mut pt.accel_cv),
            ("curvature_mean", &mut pt.curvature),
            ("direction_entropy", &mut pt.direction_entropy),
        ] {
            if let Some(v) = num(p, key) {
                mean.add(v, w);
            }
        }
        if moves >= DENSE_WINDOW_MOVES
            && let Some(v) = num(p, "direction_entropy")
        {
            pt.direction_entropy_dense.add(v, moves);
        }
        pt.mouse_downs += num(p, "mouse_downs").unwrap_or(0.0);
        pt.pressureless_downs += num(p, "pressureless_downs").unwrap_or(0.0);
        pt.screen_offset_gap = max_opt(pt.screen_offset_gap, num(p, "screen_offset_gap"));
        if let Some(z) = super::kinematics::window_logit(&super::kinematics::MODEL, p) {
            pt.kinematic_logit.add(z, moves);
            pt.kinematic_windows += 1;
        }
        if let Some(r) = num(p, "trusted_ratio") {
            pt.trusted_ratio.add(r, w);
            pt.trusted_basis += moves;
        }

        // Keyboard timing, weighted by the window's keys.
        let kw = if keys > 0.0 { keys } else { 1.0 };
        let kb = &mut s.keyboard;
        let mut timed = false;
        for (key, mean) in [
            ("key_interval_mean_ms", &mut kb.interval_mean_ms),
            ("key_interval_cv", &mut kb.interval_cv),
            ("key_dwell_mean_ms", &mut kb.dwell_mean_ms),
            ("key_dwell_cv", &mut kb.dwell_cv),
        ] {
            if let Some(v) = num(p, key) {
                mean.add(v, kw);
                timed = true;
            }
        }
        if timed {
            kb.timed += keys;
        }
    }
    s
}

/// Test helper: `(type, JSON object)` pairs as owned payload maps.
#[cfg(test)]
pub(crate) fn payloads(events: &[(EventKind, Value)]) -> Vec<(EventKind, Map<String, Value>)> {
    events
        .iter()
        .map(|(k, v)| (*k, v.as_object().expect("a JSON object").clone()))
        .collect()
}

/// Test helper: folds `(type, JSON object)` pairs into signals.
#[cfg(test)]
pub(crate) fn fold_json(events: &[(EventKind, Value)]) -> Signals {
    let maps = payloads(events);
    fold(maps.iter().map(|(k, m)| (*k, m)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(events: &[(EventKind, Value)]) -> Signals {
        fold_json(events)
    }

    #[test]
    fn quickstart_is_interaction_without_sdk_claim() {
        let s = run(&[(EventKind::Mouse, json!({"entropy": 0.74, "samples": 128}))]);
        assert!(s.human_interaction());
        assert!(!s.sdk_claimed);
        assert_eq!(s.mouse_entropy, Some(0.74));
        assert_eq!(s.moves(), 128.0);
    }

    #[test]
    fn moves_are_counted_once_per_event() {
        // The SDK reports every move as both a pointermove and a mousemove.
        let s = run(&[
            (
                EventKind::Mouse,
                json!({"mouse_moves": 40, "pointer_moves": 40, "mouse_entropy": 0.2}),
            ),
            (
                EventKind::Mouse,
                json!({"mouse_moves": 12, "pointer_moves": 0}),
            ),
            (EventKind::Mouse, json!({"entropy": 0.5, "samples": 30})),
        ]);
        assert_eq!(s.moves(), 82.0);
        assert_eq!(s.mouse_entropy, Some(0.5));
        assert_eq!(s.entropy_moves, Some(40.0));
        // Dense windows (≥ 80 moves) keep their own direction entropy.
        let s = run(&[
            (
                EventKind::Mouse,
                json!({"pointer_moves": 100, "direction_entropy": 0.05}),
            ),
            (
                EventKind::Mouse,
                json!({"pointer_moves": 300, "direction_entropy": 0.01}),
            ),
            (
                EventKind::Mouse,
                json!({"pointer_moves": 40, "direction_entropy": 0.6}),
            ),
        ]);
        assert!((s.pointer.direction_entropy_dense.get().unwrap() - 0.02).abs() < 1e-9);
        assert!((s.pointer.direction_entropy.get().unwrap() - 32.0 / 440.0).abs() < 1e-9);
        // Entropy without any count: how many moves it covers is unknown.
        let s = run(&[(EventKind::Mouse, json!({"entropy": 0.5}))]);
        assert_eq!((s.moves(), s.entropy_moves), (0.0, None));
    }

    #[test]
    fn windows_are_weighted_by_moves_and_counts_summed() {
        let s = run(&[
            (
                EventKind::Mouse,
                json!({"pointer_moves": 30, "path_straightness": 1.0, "stroke_count": 2, "trusted_ratio": 1}),
            ),
            (
                EventKind::Mouse,
                json!({"pointer_moves": 10, "path_straightness": 0.6, "stroke_count": 1, "trusted_ratio": 0}),
            ),
        ]);
        assert!((s.pointer.straightness.get().unwrap() - 0.9).abs() < 1e-9);
        assert_eq!(s.pointer.strokes, Some(3.0));
        assert_eq!(s.pointer.pauses, None);
        assert_eq!(s.pointer.direction_entropy_dense.get(), None);
        assert!((s.pointer.trusted_ratio.get().unwrap() - 0.75).abs() < 1e-9);
        assert_eq!(s.pointer.trusted_basis, 40.0);
        assert!(s.sdk_claimed);
    }

    #[test]
    fn all_synthetic_pointer_events_are_not_human_interaction() {
        let s = run(&[(
            EventKind::Mouse,
            json!({"pointer_moves": 40, "click_events": 2, "trusted_ratio": 0}),
        )]);
        assert!(s.all_pointer_synthetic());
        assert!(!s.human_interaction());
        let s = run(&[(
            EventKind::Mouse,
            json!({"pointer_moves": 40, "trusted_ratio": 0.5}),
        )]);
        assert!(s.human_interaction());
    }

    #[test]
    fn probe_flags_only_from_probe_and_snapshot() {
        let s = run(&[
            (
                EventKind::JsProbe,
                json!({"cdp_detected": true, "ua_hash": "ABCD", "js_passed": false}),
            ),
            (
                EventKind::Snapshot,
                json!({"webdriver": true, "native_tampered": 2}),
            ),
        ]);
        assert!(s.probe.received && s.probe.cdp && s.probe.js_failed && s.probe.webdriver);
        assert_eq!(s.probe.native_tampered, 2);
        assert_eq!(s.probe.ua_hashes, vec!["abcd".to_string()]);
        assert_eq!(s.probe.signature_flags(), vec!["webdriver"]);
        let s = run(&[(EventKind::Snapshot, json!({"webdriver": false}))]);
        assert!(!s.probe.received && s.probe.signature_flags().is_empty());
    }

    #[test]
    fn scroll_velocity_counts_as_interaction_and_extremes_are_kept() {
        let s = run(&[
            (EventKind::Scroll, json!({"scroll_velocity": 300})),
            (EventKind::Scroll, json!({"scroll_velocity": 900})),
            (
                EventKind::FirstInput,
                json!({"first_input_delay_ms": 12, "time_to_first_input_ms": 900}),
            ),
            (
                EventKind::FirstInput,
                json!({"first_input_delay_ms": 4, "time_to_first_input_ms": 1500}),
            ),
        ]);
        assert!(s.human_interaction());
        assert_eq!(s.scroll_velocity, Some(900.0));
        assert_eq!(s.first_input_delay_ms, Some(4.0));
        assert_eq!(s.time_to_first_input_ms, Some(900.0));
    }
}
